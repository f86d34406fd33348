/* The hot path: the two probes instrumented code calls around each body.
 * Clock first, one initial-exec TLS pointer, a fixed-size shadow stack,
 * counters indexed by the site's dense slot.  No locks, no malloc, no
 * syscalls, no strings: every rare case (first probe of a thread, site not
 * registered yet, slot beyond this thread's counters, stack overflow,
 * split-function continuation, mismatched exit) is one predicted-not-taken
 * branch to thread.c.  Compiled with -fno-instrument-functions like the
 * whole runtime. */
#include "rt.h"

void __autoprof_enter(struct ap_func_site *site) {
  uint64_t now = ap_ticks();
  struct ap_thread *t = ap_tls;
  /* Relaxed atomic: registration (another thread, under ap_lock) may store
   * the slot concurrently; on x86 this is a plain load. */
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_unlikely(!t || slot - 1 >= t->nslots - 1 || t->depth > t->limit ||
                  (site->flags & AP_FUNC_PART)))
    return ap_enter_slow(site, now);
  /* The call-path node: the parent's last-used child, or a sibling scan
   * out of line.  Both calls are tail calls: this stays a leaf function. */
  uint32_t d = t->depth;
  struct ap_node *n = t->stack[d - 1].node->last;
  if (ap_unlikely(n->slot != slot))
    return ap_enter_miss(t, site, slot, now);
  ap_push_node(t, d, site, slot, now, n);
}

void __autoprof_exit(struct ap_func_site *site) {
  uint64_t now = ap_ticks();
  struct ap_thread *t = ap_tls;
  if (ap_unlikely(!t || t->stack[t->depth - 1].site != site))
    return ap_exit_slow(t, site, now);
  ap_pop(t, now, site);
}

/* Loops: one call per loop exit, never inside the loop (the plugin keeps a
 * counter in a register).  A timed loop's stamp is filled in its preheader. */
void __autoprof_loop(struct ap_loop_site *site, uint64_t iterations) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_unlikely(!t || slot - 1 >= t->nloops - 1))
    return ap_loop_slow(site, iterations, 0, 0);
  ap_loop_count(&t->lctr[slot], iterations);
}

void __autoprof_loop_nest(struct ap_loop_site *site, uint64_t entries, uint64_t iterations,
                          uint64_t min_minus_1, uint64_t max, uint64_t zero_trip) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  struct ap_lctr *c =
      ap_likely(t && slot - 1 < t->nloops - 1) ? &t->lctr[slot] : ap_loop_counters(site);
  if (c)
    ap_loop_add(c, entries, iterations, min_minus_1, max, zero_trip);
}

void __autoprof_loop_nests(struct ap_loop_site *const *sites, const uint64_t *acc, uint32_t n) {
  for (uint32_t i = 0; i < n; i++, acc += 5)
    __autoprof_loop_nest(sites[i], acc[0], acc[1], acc[2], acc[3], acc[4]);
}

void __autoprof_loop_start(struct ap_loop_site *site, struct ap_loop_stamp *stamp) {
  uint64_t now = ap_ticks();
  struct ap_thread *t = ap_tls;
  stamp->pairs = t ? t->pairs : 0;
  stamp->depth = t ? ap_loop_open(t, site, now) : 0;
  stamp->ticks = now;
}

void __autoprof_loop_timed(struct ap_loop_site *site, uint64_t iterations,
                           const struct ap_loop_stamp *stamp) {
  uint64_t now = ap_ticks();
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  int64_t dt = (int64_t)(now - stamp->ticks);
  uint64_t ticks = dt > 0 ? (uint64_t)dt : 0;
  /* a thread whose first probe ran inside the loop counted from 0 */
  uint64_t pairs = t && t->pairs >= stamp->pairs ? t->pairs - stamp->pairs : 0;
  /* its frame, if the start opened one and nothing (longjmp) closed it */
  if (t && stamp->depth && t->depth == stamp->depth + 1 &&
      t->stack[stamp->depth].site == (void *)site && t->stack[stamp->depth].loop)
    ap_pop_loop(t, now);
  if (ap_unlikely(!t || slot - 1 >= t->nloops - 1))
    return ap_loop_slow(site, iterations, ticks, pairs);
  struct ap_lctr *c = &t->lctr[slot];
  c->ticks += ticks;
  c->pairs += pairs;
  ap_loop_count(c, iterations);
}
