/* Memoization evidence: per thread and per memo candidate, in a bounded
 * budget, what a cache of a few sizes would have done with the calls.
 *
 * Per candidate and thread (allocated at its first memo call, out of line):
 *   - exact LRU caches of 16 and 256 entries, and of 4096 entries once the
 *     256-entry one has missed 256 times (so few-argument functions never
 *     pay for it): hits per size, and on a hit whether the result is the
 *     one cached (a function whose repeated arguments give other results
 *     depends on state and must not be cached);
 *   - a HyperLogLog sketch (512 registers) of the argument fingerprints:
 *     the number of distinct argument tuples (standard error 4.6%).  Up to 256
 *     tuples over all threads the count is exact: the 256-entry cache holds
 *     them all when it never evicted (4 tuples could share a register: 3).
 * Budget: 9.5 KiB per candidate and thread, 137 KiB with the 4096 cache.
 * A candidate whose 65,536 first calls found under 0.5% repeats in every
 * cache stops simulating them (the verdict is in; the sketch goes on), so a
 * function called with millions of distinct arguments costs little; and
 * any candidate simulates at most AP_MEMO_SIMULATE calls per thread (the
 * cache figures of the later calls are scaled from those: the report says
 * how many were simulated), so a hot candidate costs little either. */
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "rt.h"

enum { HLL_BITS = 9, HLL_REGS = 1 << HLL_BITS, NSIZES = 3 };
static const uint32_t lru_size[NSIZES] = {16, 256, 4096}; /* powers of 2 (bucket masks) */

struct lru_node {
  uint64_t key, result;
  uint32_t prev, next, chain; /* indexes + 1; 0 = none */
};

struct lru {
  uint32_t cap, n, head, tail; /* head = most recent */
  uint32_t *buckets;           /* cap buckets: chains of node indexes + 1 */
  struct lru_node *nodes;
  uint64_t hits, same, differ;
  uint64_t hit_ticks, hit_calls; /* timed calls it answered: raw ticks x weight, weight */
  uint8_t evicted;               /* no longer holds every key it saw */
  uint8_t last_hit;              /* the last access was a hit */
};

struct ap_memo_state {
  uint64_t calls;
  uint64_t simulated; /* calls that went through the caches */
  struct lru lru[NSIZES];
  /* the 256-entry cache's counts when the 4096-entry one was made: every
   * call it answered, a bigger LRU cache would have answered too */
  uint64_t base_hits, base_same, base_differ;
  uint64_t base_hit_ticks, base_hit_calls;
  uint64_t raw_ticks, raw_calls; /* timed simulated calls: raw ticks x weight, weight */
  uint8_t hll[HLL_REGS];
};

static uint64_t mix64(uint64_t x) { /* splitmix64 finalizer */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static int lru_init(struct lru *c, uint32_t cap) {
  c->cap = cap;
  c->buckets = calloc(cap, sizeof *c->buckets);
  c->nodes = calloc(cap, sizeof *c->nodes);
  if (!c->buckets || !c->nodes) {
    free(c->buckets);
    free(c->nodes);
    c->buckets = NULL;
    c->nodes = NULL;
    return -1;
  }
  return 0;
}

static void unlink_node(struct lru *c, uint32_t i) {
  struct lru_node *n = &c->nodes[i - 1];
  if (n->prev)
    c->nodes[n->prev - 1].next = n->next;
  else
    c->head = n->next;
  if (n->next)
    c->nodes[n->next - 1].prev = n->prev;
  else
    c->tail = n->prev;
}

static void push_front(struct lru *c, uint32_t i) {
  struct lru_node *n = &c->nodes[i - 1];
  n->prev = 0;
  n->next = c->head;
  if (c->head)
    c->nodes[c->head - 1].prev = i;
  c->head = i;
  if (!c->tail)
    c->tail = i;
}

static void unchain(struct lru *c, uint32_t i, uint64_t h) {
  uint32_t *p = &c->buckets[h & (c->cap - 1)];
  while (*p && *p != i)
    p = &c->nodes[*p - 1].chain;
  if (*p)
    *p = c->nodes[i - 1].chain;
}

/* One access: a hit compares the result with the cached one. */
static void lru_access(struct lru *c, uint64_t key, uint64_t h, uint64_t result) {
  uint32_t b = (uint32_t)(h & (c->cap - 1)); /* caps are powers of 2: no division */
  for (uint32_t i = c->buckets[b]; i; i = c->nodes[i - 1].chain) {
    struct lru_node *n = &c->nodes[i - 1];
    if (n->key == key) {
      c->hits++;
      c->last_hit = 1;
      if (n->result == result)
        c->same++;
      else
        c->differ++;
      n->result = result;
      if (c->head != i) {
        unlink_node(c, i);
        push_front(c, i);
      }
      return;
    }
  }
  c->last_hit = 0;
  uint32_t i;
  if (c->n < c->cap) {
    i = ++c->n;
  } else { /* evict the least recent */
    i = c->tail;
    c->evicted = 1;
    unlink_node(c, i);
    unchain(c, i, mix64(c->nodes[i - 1].key));
  }
  struct lru_node *n = &c->nodes[i - 1];
  n->key = key;
  n->result = result;
  n->chain = c->buckets[b];
  c->buckets[b] = i;
  push_front(c, i);
}

static struct ap_memo_state *state_new(void) {
  struct ap_memo_state *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  for (int k = 0; k < NSIZES - 1; k++)
    if (lru_init(&s->lru[k], lru_size[k])) {
      ap_memo_state_free(s);
      return NULL;
    }
  return s;
}

void ap_memo_state_free(struct ap_memo_state *s) {
  if (!s)
    return;
  for (int k = 0; k < NSIZES; k++) {
    free(s->lru[k].buckets);
    free(s->lru[k].nodes);
  }
  free(s);
}

/* The thread's state for SLOT, made on first use (cold: malloc). */
static AP_COLD struct ap_memo_state *state_for(struct ap_thread *t, uint32_t slot) {
  if (slot >= t->nmemo) {
    uint32_t n = slot + 16 > 64 ? slot + slot / 2 + 16 : 64;
    struct ap_memo_state **q = calloc(n, sizeof *q);
    if (!q)
      return NULL;
    if (t->memo)
      memcpy(q, t->memo, t->nmemo * sizeof *q);
    /* the old array stays reachable for a report reading it concurrently:
     * published first, freed never (rare: once per growth) */
    __atomic_store_n(&t->memo, q, __ATOMIC_RELEASE);
    t->nmemo = n;
  }
  if (!t->memo[slot])
    __atomic_store_n(&t->memo[slot], state_new(), __ATOMIC_RELEASE);
  return t->memo[slot];
}

/* One call through the caches (out of line: the calls after the budget,
 * most of a hot candidate's, then need no frame). */
static __attribute__((noinline)) void simulate(struct ap_memo_state *s, uint64_t args, uint64_t h,
                                               uint64_t result) {
  s->simulated++;
  /* the 4096-entry cache only once 256 entries have shown not to be
   * enough: made when the 256-entry one is full and has evicted nothing,
   * with its keys in its order — it then holds every key seen, as it would
   * have from the start (made empty after the first eviction, it missed
   * those keys again: 196,743 hits for an exact 197,000, and fewer than
   * the 256-entry cache's on runs of one key: helper-25) */
  struct lru *mid = &s->lru[NSIZES - 2];
  if (ap_unlikely(!s->lru[2].buckets && mid->n == mid->cap && !mid->evicted) &&
      lru_init(&s->lru[2], lru_size[2]) == 0) {
    for (uint32_t i = mid->tail; i; i = mid->nodes[i - 1].prev)
      lru_access(&s->lru[2], mid->nodes[i - 1].key, mix64(mid->nodes[i - 1].key),
                 mid->nodes[i - 1].result);
    s->base_hits = mid->hits;
    s->base_same = mid->same;
    s->base_differ = mid->differ;
    s->base_hit_ticks = mid->hit_ticks;
    s->base_hit_calls = mid->hit_calls;
  }
  for (int k = 0; k < NSIZES && s->lru[k].buckets; k++)
    lru_access(&s->lru[k], args, h, result);
}

/* The duration of the call whose memo probe ran last in this thread (its
 * frame was timed), WEIGHT the calls its timing stands for: the hint then
 * prices a cache hit at what the calls it would have answered cost, not at
 * the mean call (cheap repeated arguments, costly distinct ones).  A cache
 * not made yet never hit. */
static inline void time_call(struct ap_memo_state *s, uint64_t ticks, uint64_t weight) {
  uint64_t t = ticks * weight;
  s->raw_ticks += t;
  s->raw_calls += weight;
  for (int k = 0; k < NSIZES; k++)
    if (s->lru[k].last_hit) {
      s->lru[k].hit_ticks += t;
      s->lru[k].hit_calls += weight;
    }
}

void __autoprof_memo(struct ap_func_site *site, uint64_t args, uint64_t result) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_unlikely(!t || !slot))
    return; /* the enter probe made the record and registered the site */
  struct ap_memo_state *s =
      ap_likely(slot < t->nmemo && t->memo[slot]) ? t->memo[slot] : state_for(t, slot);
  if (!s)
    return;
  uint64_t h = mix64(args);
  s->calls++;
  uint8_t rank = (uint8_t)(__builtin_clzll((h << HLL_BITS) | (1ull << (HLL_BITS - 1))) + 1);
  uint8_t *reg = &s->hll[h >> (64 - HLL_BITS)];
  if (rank > *reg)
    *reg = rank;
  if (ap_unlikely(s->simulated >= 65536 && s->simulated == s->calls - 1 &&
                  (s->lru[2].buckets ? s->lru[2].hits + s->base_hits : s->lru[1].hits) * 200 <
                      s->simulated))
    return; /* hopeless as a cache: stop simulating (see above) */
  if (s->simulated != s->calls - 1 || s->simulated >= AP_MEMO_SIMULATE)
    return;
  /* the call's frame, timed: its duration up to here (the probe runs
   * right before the exit probe; the clock is read for timed frames only,
   * one simulated call in 8 — the hint compares means, which a regular
   * subsample keeps — and before the caches, whose misses cost more than
   * their hits) */
  struct ap_frame *f = &t->stack[t->depth - 1];
  int timed = (s->simulated & 7) == 0 && f->site == site && f->loop == AP_FRAME_TIMED;
  uint64_t now = timed ? ap_now(t) : 0;
  simulate(s, args, h, result);
  if (timed)
    time_call(s, now - f->start, f->w | !f->w);
}

/* ---- at exit ---- */

void ap_memo_merge(struct ap_memo_totals *m, const struct ap_memo_state *s) {
  m->calls += s->calls;
  m->simulated += s->simulated;
  for (int k = 0; k < NSIZES - 1; k++) {
    m->hits[k] += s->lru[k].hits;
    m->same[k] += s->lru[k].same;
    m->differ[k] += s->lru[k].differ;
    m->hit_ticks[k] += (double)s->lru[k].hit_ticks;
    m->hit_calls[k] += (double)s->lru[k].hit_calls;
  }
  m->raw_ticks += (double)s->raw_ticks;
  m->raw_calls += (double)s->raw_calls;
  /* LRU caches include each other: the 4096-entry one answers whatever the
   * 256-entry one did (before it existed, or instead of it when it never
   * had to) */
  const struct lru *big = &s->lru[NSIZES - 1], *mid = &s->lru[NSIZES - 2];
  m->hits[NSIZES - 1] += big->buckets ? s->base_hits + big->hits : mid->hits;
  m->same[NSIZES - 1] += big->buckets ? s->base_same + big->same : mid->same;
  m->differ[NSIZES - 1] += big->buckets ? s->base_differ + big->differ : mid->differ;
  m->hit_ticks[NSIZES - 1] +=
      (double)(big->buckets ? s->base_hit_ticks + big->hit_ticks : mid->hit_ticks);
  m->hit_calls[NSIZES - 1] +=
      (double)(big->buckets ? s->base_hit_calls + big->hit_calls : mid->hit_calls);
  for (int i = 0; i < HLL_REGS; i++)
    if (s->hll[i] > m->hll[i])
      m->hll[i] = s->hll[i];
  /* the exact set: the union of the threads' 256-entry caches while each
   * saw every call of its thread and kept every key */
  if (m->keys_lost || s->simulated != s->calls || !mid->buckets || mid->evicted) {
    m->keys_lost = 1;
    return;
  }
  for (uint32_t i = 0; i < mid->n && !m->keys_lost; i++) {
    uint64_t key = mid->nodes[i].key;
    uint32_t j = 0;
    while (j < m->nkeys && m->keys[j] != key)
      j++;
    if (j < m->nkeys)
      continue;
    if (m->nkeys == sizeof m->keys / sizeof m->keys[0])
      m->keys_lost = 1;
    else
      m->keys[m->nkeys++] = key;
  }
}

uint64_t ap_memo_distinct(const struct ap_memo_totals *m) {
  if (!m->keys_lost && m->calls)
    return m->nkeys;
  double sum = 0;
  int zeros = 0;
  for (int i = 0; i < HLL_REGS; i++) {
    sum += 1.0 / (double)(1ull << m->hll[i]);
    zeros += m->hll[i] == 0;
  }
  double est = 0.7213 / (1 + 1.079 / HLL_REGS) * HLL_REGS * HLL_REGS / sum;
  if (est <= 2.5 * HLL_REGS && zeros) /* small range: linear counting */
    est = HLL_REGS * __builtin_log((double)HLL_REGS / zeros);
  uint64_t d = (uint64_t)(est + 0.5);
  if (d > m->calls)
    d = m->calls;
  return d ? d : (m->calls ? 1 : 0);
}

const uint32_t *ap_memo_sizes(void) {
  return lru_size;
}
