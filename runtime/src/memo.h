/* Memoization evidence (memo.c): per-thread state of each memo candidate,
 * and its totals over threads at exit. */
#ifndef AUTOPROF_MEMO_H
#define AUTOPROF_MEMO_H

#include <stdint.h>

#define AP_MEMO_SIZES 3             /* LRU caches of 16, 256 and 4096 entries */
#define AP_MEMO_SIMULATE (1u << 18) /* calls per candidate and thread through the caches */

struct ap_memo_state; /* one candidate in one thread */

struct ap_memo_totals {
  uint64_t calls;
  uint64_t simulated;             /* calls that went through the caches (<= calls) */
  uint64_t hits[AP_MEMO_SIZES];   /* calls an LRU cache of that size would have answered */
  uint64_t same[AP_MEMO_SIZES];   /* ... with the result the function then returned */
  uint64_t differ[AP_MEMO_SIZES]; /* ... with another result: the function depends on state */
  /* the timed ones among the simulated calls, each weighted by the calls
   * its timing stands for (adaptive timing): their raw ticks (probes
   * included) in all, and of those each cache would have answered */
  double raw_ticks, raw_calls;
  double hit_ticks[AP_MEMO_SIZES], hit_calls[AP_MEMO_SIZES];
  uint8_t hll[512];
  /* the distinct tuples themselves while every thread's are known: all its
   * calls simulated and none evicted from its 256-entry cache (small sets,
   * where the sketch's register collisions would be whole tuples off) */
  uint32_t nkeys;
  uint8_t keys_lost; /* some thread's tuples are not all known: the sketch counts */
  uint64_t keys[256];
};

void ap_memo_merge(struct ap_memo_totals *m, const struct ap_memo_state *s);
uint64_t ap_memo_distinct(
    const struct ap_memo_totals *m); /* distinct argument tuples (exact or estimated) */
const uint32_t *ap_memo_sizes(void); /* AP_MEMO_SIZES cache sizes */
void ap_memo_state_free(struct ap_memo_state *s);

#endif
