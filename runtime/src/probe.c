/* The hot path: the two probes instrumented code calls around each body.
 * One initial-exec TLS pointer, a fixed-size shadow stack, counters indexed
 * by the site's dense slot; the clock is read only for timed frames (all
 * of them, or about one call in `period` of a slot whose calls are short:
 * adaptive timing, rt.h).  No locks, no malloc, no
 * syscalls, no strings: every rare case (first probe of a thread, site not
 * registered yet, slot beyond this thread's counters, stack overflow,
 * split-function continuation, mismatched exit) is one predicted-not-taken
 * branch to thread.c.  Compiled with -fno-instrument-functions like the
 * whole runtime. */
#include "rt.h"

/* A run of inline leaf calls is open (abi.h): filed first, out of line,
 * so that the probes stay leaf functions (a call in their body gave them a
 * frame), and seen through the thread record's fields the probes read
 * anyway (a test of the exported TLS block in both probes cost Lua's
 * default build 2.99x -> 3.20x). */
static __attribute__((noinline)) int enter_after_run(struct ap_func_site *site, int cond);
static __attribute__((noinline)) void exit_after_run(struct ap_func_site *site);

/* Both entry probes.  COND: the caller runs the exit probe only when this
 * returns non-zero, so an untimed call of a sampled leaf may open no frame. */
static inline __attribute__((always_inline)) int enter(struct ap_func_site *site, int cond) {
  struct ap_thread *t = ap_tls;
  /* Relaxed atomic: registration (another thread, under ap_lock) may store
   * the slot concurrently; on x86 this is a plain load. */
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_unlikely(!t || slot - 1 >= t->nslots - 1 || t->depth > t->limit)) {
    if (t && t->run)
      return enter_after_run(site, cond);
    return ap_enter_slow(site);
  }
  /* The call-path node: the parent's last-used child, the node cache (a
   * caller calling several functions in turn), or a sibling scan out of
   * line.  Every call is a tail call: this stays a leaf function. */
  uint32_t d = t->depth;
  struct ap_node *pn = t->stack[d - 1].node, *n = pn->last;
  if (ap_unlikely(n->slot != slot) && !(n = ap_ncache_find(t, pn, slot)))
    return ap_enter_miss(t, site, slot, cond);
  return ap_push_node(t, d, site, slot, n, cond);
}

void __autoprof_enter(struct ap_func_site *site) {
  enter(site, 0);
}

int __autoprof_enter_cond(struct ap_func_site *site) {
  return enter(site, 1);
}

static int enter_after_run(struct ap_func_site *site, int cond) {
  ap_leaf_flush(ap_tls);
  return enter(site, cond);
}

static void exit_after_run(struct ap_func_site *site) {
  ap_leaf_flush(ap_tls);
  __autoprof_exit(site);
}

void __autoprof_part_call(struct ap_func_site *header) {
  struct ap_thread *t = ap_tls;
  if (t) {
    t->part = __atomic_load_n(&header->slot, __ATOMIC_RELAXED);
    t->limit = 0; /* the next entry takes the slow path, which reads part */
  }
}

static __attribute__((noinline, cold)) int timed_start_look(struct ap_thread *t,
                                                            struct ap_frame *f) {
  f->start = ap_now(t);
  return 1;
}

/* The look's call a tail call too: no stack frame on the common path. */
int ap_timed_start(struct ap_thread *t, struct ap_frame *f) {
  if (ap_unlikely(!ap_cpu_wait_quiet(t)))
    return timed_start_look(t, f);
  f->start = ap_ticks() - t->cpu_wait;
  return 1;
}

/* A timed frame's close and a mismatched exit, out of line like the start
 * (ap_timed_start): the exit probe's untimed path stays frameless. */
static __attribute__((noinline)) void exit_timed(struct ap_thread *t, struct ap_func_site *site) {
  ap_pop(t, ap_now(t), site);
}

static __attribute__((noinline)) void exit_mismatch(struct ap_thread *t,
                                                    struct ap_func_site *site) {
  ap_exit_slow(t, site, ap_now(t));
}

/* An untimed frame (adaptive timing) closes without reading the clock. */
void __autoprof_exit(struct ap_func_site *site) {
  struct ap_thread *t = ap_tls;
  if (ap_unlikely(!t))
    return;
  if (ap_unlikely(t->run))
    return exit_after_run(site);
  uint32_t d = t->depth - 1;
  struct ap_frame *f = &t->stack[d];
  if (ap_unlikely(f->site != site))
    return exit_mismatch(t, site);
  if (f->loop == AP_FRAME_UNTIMED) {
    t->depth = d;
    return;
  }
  return exit_timed(t, site);
}

/* Loops: one call per loop exit, never inside the loop (the plugin keeps a
 * counter in a register).  A timed loop's stamp is filled in its preheader. */
void __autoprof_loop(struct ap_loop_site *site, uint64_t iterations) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_unlikely(!t || slot - 1 >= t->nloops - 1))
    return ap_loop_slow(site, iterations, 0, 0);
  t->probes[AP_P_CLOOP]++;
  ap_loop_count(&t->lctr[slot], iterations);
}

/* An inner loop's figures for a slot this thread has no counters for yet
 * (out of line: the fast path then needs no frame). */
static __attribute__((noinline, cold)) void loop_nest_slow(struct ap_loop_site *site,
                                                           uint64_t entries, uint64_t iterations,
                                                           uint64_t min_minus_1, uint64_t max,
                                                           uint64_t zero_trip) {
  struct ap_lctr *c = ap_loop_counters(site);
  if (c)
    ap_loop_add(c, entries, iterations, min_minus_1, max, zero_trip);
}

void __autoprof_loop_nest(struct ap_loop_site *site, uint64_t entries, uint64_t iterations,
                          uint64_t min_minus_1, uint64_t max, uint64_t zero_trip) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_likely(t && slot - 1 < t->nloops - 1)) {
    t->probes[AP_P_CLOOP]++;
    ap_loop_add(&t->lctr[slot], entries, iterations, min_minus_1, max, zero_trip);
  } else
    loop_nest_slow(site, entries, iterations, min_minus_1, max, zero_trip);
}

/* A big nest's figures (five per inner loop in one array), at each exit of
 * its outermost loop: what GCC objects built before session 8 call (the
 * plugin now gives such inner loops records of their own).  Most inner
 * loops of a big nest did not run in a given entry (pcre2's match(): 146
 * loops in one dispatch loop, 1-3 of them entered per pass): those are
 * skipped on two loads, before any lookup. */
void __autoprof_loop_nests(struct ap_loop_site *const *sites, const uint64_t *acc, uint32_t n) {
  for (uint32_t i = 0; i < n; i++, acc += 5)
    if (acc[0] | acc[4]) /* entries, zero-trip entries */
      __autoprof_loop_nest(sites[i], acc[0], acc[1], acc[2], acc[3], acc[4]);
}

/* A timed entry's start (out of line, like its exit). */
static __attribute__((noinline)) void
loop_timed_start(struct ap_thread *t, struct ap_loop_site *site, struct ap_loop_stamp *stamp) {
  ap_leaf_sync(t);
  t->probes[AP_P_LOOP]++;
  stamp->pairs = t->probes[AP_P_TIMED];
  uint32_t d = ap_loop_open(t, site);
  stamp->depth = d;
  /* the clock last: the bookkeeping above is not inside the interval */
  uint64_t now = ap_now(t);
  if (d)
    t->stack[d].start = now;
  stamp->ticks = now;
}

/* A timed loop's entry: untimed (no clock, no frame: pairs = UINT64_MAX)
 * while its slot's countdown runs.  A loop seen making calls (rt.h,
 * struct ap_lnest) comes here on every entry: one begun inside an active
 * entry of the same loop (recursion) is counted as nested, never timed. */
void __autoprof_loop_start(struct ap_loop_site *site, struct ap_loop_stamp *stamp) {
  struct ap_thread *t = ap_tls;
  if (ap_unlikely(!t)) {
    /* no record yet (the exit makes it) or the runtime disabled: untimed,
     * and no clock read */
    *stamp = (struct ap_loop_stamp){.pairs = AP_STAMP_NONE};
    return;
  }
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_likely(slot - 1 < t->nloops - 1)) {
    struct ap_lctr *c = &t->lctr[slot];
    if (c->skip) {
      c->skip--;
      t->probes[AP_P_ULOOP]++;
      stamp->pairs = UINT64_MAX;
      return;
    }
    struct ap_lnest *q = &t->lnest[slot];
    uint32_t d = t->depth;
    /* an entry of this loop running below: this one is nested (an owner
     * at this depth or deeper is gone: a longjmp left its entry) */
    if (q->owner && d > q->owner) {
      t->probes[AP_P_ULOOP]++;
      *stamp = (struct ap_loop_stamp){.pairs = AP_STAMP_TRACKED, .depth = 0};
      return;
    }
    q->owner = d;
    if (q->skip) {
      q->skip--;
      t->probes[AP_P_ULOOP]++;
      *stamp = (struct ap_loop_stamp){.pairs = AP_STAMP_TRACKED, .depth = 1};
      return;
    }
  }
  loop_timed_start(t, site, stamp);
}

/* A timed entry's exit (out of line: its frame, with the probe-count
 * array, would otherwise be set up on every untimed exit too). */
static __attribute__((noinline)) void loop_timed_exit(struct ap_thread *t,
                                                      struct ap_loop_site *site, uint32_t slot,
                                                      uint64_t iterations,
                                                      const struct ap_loop_stamp *stamp) {
  if (t)
    ap_leaf_sync(t);
  uint64_t now = t ? ap_now(t) : ap_ticks();
  int64_t dt = (int64_t)(now - stamp->ticks);
  uint64_t ticks = dt > 0 ? (uint64_t)dt : 0;
  /* a thread whose first probe ran inside the loop counted from 0 */
  uint64_t pairs =
      t && t->probes[AP_P_TIMED] >= stamp->pairs ? t->probes[AP_P_TIMED] - stamp->pairs : 0;
  /* its frame, if the start opened one and nothing (longjmp) closed it:
   * the probes inside it, counted once for its node and its loop slot (a
   * timed entry with none inside, most of them, adds none) */
  uint64_t other[AP_NPROBES] = {0};
  int any = 0;
  if (t && stamp->depth && t->depth == stamp->depth + 1 &&
      t->stack[stamp->depth].site == (void *)site && t->stack[stamp->depth].loop == AP_FRAME_LOOP) {
    any = ap_probes_inside(t, &t->stack[stamp->depth], other);
    ap_pop_loop_in(t, now, other, any);
    other[AP_P_TIMED] = 0; /* the slot takes the timed calls from the stamp */
  }
  if (ap_unlikely(!t || slot - 1 >= t->nloops - 1))
    return ap_loop_slow(site, iterations, ticks, pairs);
  struct ap_lctr *c = &t->lctr[slot];
  struct ap_lnest *q = &t->lnest[slot];
  if (q->owner == t->depth)
    q->owner = 0;
  /* calls inside: it may be entered again before it exits, so every entry
   * comes here (the inline countdown stays 0) */
  if (pairs | other[AP_P_STIMED] | other[AP_P_UNTIMED] | other[AP_P_FRAMELESS] |
      other[AP_P_ILEAF]) {
    q->flags |= AP_LNEST_CALLS;
    c->skip = 0;
  }
  /* weighted by how many entries this one stands for (struct ap_frame.w) */
  uint64_t w = q->wnext | !q->wnext;
  c->ticks += ticks * w;
  c->probes[AP_P_TIMED] += pairs * w;
  if (any) {
    for (int k = 1; k < AP_NPROBES_LOOP; k++)
      c->probes[k] += other[k] * w;
    q->cloop += other[AP_P_CLOOP] * w;
    q->csite += other[AP_P_CSITE] * w;
  }
  q->wtimed += w;
  q->raw += ticks;
  ap_loop_count(c, iterations);
  uint16_t *skip = q->flags & AP_LNEST_CALLS ? &q->skip : &c->skip;
  q->wnext = c->period | !c->period;
  if (c->period)
    *skip = ap_next_skip(t, c->period);
  if ((++q->timed & (AP_WINDOW - 1)) == 0) {
    uint64_t mean = (q->raw - q->win) / AP_WINDOW;
    q->win = q->raw;
    c->period = (uint16_t)(mean < t->sample_below ? t->period : 0);
    if (!c->period) {
      *skip = 0;
      q->wnext = 1;
    }
  }
}

void __autoprof_loop_timed(struct ap_loop_site *site, uint64_t iterations,
                           const struct ap_loop_stamp *stamp) {
  struct ap_thread *t = ap_tls;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (stamp->pairs == UINT64_MAX) { /* an untimed entry: its slot was valid at the start */
    ap_loop_count(&t->lctr[slot], iterations);
    return;
  }
  if (stamp->pairs == AP_STAMP_TRACKED) { /* likewise; the outermost one gives up its place */
    struct ap_lnest *q = &t->lnest[slot];
    if (stamp->depth && q->owner == t->depth)
      q->owner = 0;
    /* a nested entry counts as one when it ends, as its entry and
     * iterations do: one a longjmp abandoned is none of them (counted at
     * its start, mujs's try/catch interpreter loop read 600 nested entries
     * for its 100, and every one of its entries was taken for nested:
     * no time; helper-24) */
    if (!stamp->depth)
      q->nested++;
    ap_loop_count(&t->lctr[slot], iterations);
    return;
  }
  if (ap_unlikely(stamp->pairs == AP_STAMP_NONE)) { /* started without a record */
    struct ap_lctr *c = ap_loop_counters(site);
    if (c)
      ap_loop_count(c, iterations);
    return;
  }
  loop_timed_exit(t, site, slot, iterations, stamp);
}
