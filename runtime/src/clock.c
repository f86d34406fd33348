/* Time: the tick/ns ratio measured over the whole run, and the calibration
 * of what the probes themselves cost, done at exit on a scratch thread
 * record so the user's counters never see it. */
#include <stdlib.h>
#include <time.h>

#include "rt.h"

static uint64_t mono0, ticks0;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double rough_tpn = 1.0;

/* The tick rate is measured over the whole run at exit; adaptive timing
 * needs a rough one from the start (its threshold is in ns): 50 us of
 * spinning, once per process. */
void ap_clock_start(void) {
  mono0 = mono_ns();
  ticks0 = ap_ticks();
#if defined(__x86_64__) && !defined(AP_TEST_CLOCK)
  uint64_t m, t;
  do {
    m = mono_ns();
    t = ap_ticks();
  } while (m - mono0 < 50000);
  rough_tpn = (double)(t - ticks0) / (double)(m - mono0);
#endif
}

/* A fork child's run begins at the fork (the tick rate stays). */
void ap_clock_restart(void) {
  mono0 = mono_ns();
  ticks0 = ap_ticks();
}

uint64_t ap_ns_to_ticks(uint64_t ns) {
  return (uint64_t)((double)ns * rough_tpn);
}

#ifdef AP_TEST_CLOCK
uint64_t ap_test_now;
struct ap_calibration ap_test_calibration = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

uint64_t ap_clock_wall_ns(void) {
  return ap_ticks() - ticks0;
}

void ap_calibrate(struct ap_calibration *c) {
  *c = ap_test_calibration;
}
#else

uint64_t ap_clock_wall_ns(void) {
  return mono_ns() - mono0;
}

/* Ticks per ns over the whole run; a run shorter than AP_TPN_MIN_NS is
 * stretched (spinning).  Each end of the interval is a clock_gettime and a
 * TSC read taken in turn, ~30 ns apart at most, so 250 us keep the ratio
 * within 2.4e-4.  (It was 2 ms: 1.9 ms more in the exit of every process
 * shorter than that, for digits no figure shows; tests/e2e's accuracy
 * checks pass the same.) */
#define AP_TPN_MIN_NS 250000
static double ticks_per_ns(void) {
#ifdef __x86_64__
  uint64_t m, t;
  do {
    m = mono_ns();
    t = ap_ticks();
  } while (m - mono0 < AP_TPN_MIN_NS);
  return (double)(t - ticks0) / (double)(m - mono0);
#else
  return 1.0;
#endif
}

static struct ap_func_site cal_parent = {.slot = 1, .name = "(calibration)"};
static struct ap_func_site cal_child = {.slot = 2, .name = "(calibration child)"};
static struct ap_func_site cal_child2 = {
    .slot = 3, .flags = AP_FUNC_LEAF, .name = "(calibration child 2)"};
static struct ap_loop_site cal_loop = {.flags = AP_LOOP_TIMED, .slot = 1};
/* slot 1 of the scratch record's own call-site counters (set up in
 * ap_calibrate): never registered, so never in the report */
static struct ap_call_site cal_site = {.slot = 1, .callee = "(calibration)"};

enum { CAL_ROUNDS = 25, CAL_PASSES = 5, CAL_N = 200 };
/* A kind the run used fewer times than this is measured in CAL_PASSES
 * rounds, not CAL_ROUNDS: the cheapest of fewer rounds reads high (a
 * frameless call: 5.4 ns against 4.3, medians of 10 Lua runs), but at that
 * count the kind's whole compensation is under ~1 ms, and a short process
 * (a test suite's) spent ~1.4 ms of its exit calibrating kinds it used a
 * hundred times.  A sampled function's timed call, used that little, is
 * not measured at all (measure_sampled). */
enum { CAL_LIGHT = 20000 };
/* calls of a sampled child per round of measure_sampled */
enum { CAL_SAMPLED_N = 16384 };

/* What the calibration measures inside an exactly timed parent frame, CAL_N
 * times per round (the cheapest of CAL_ROUNDS rounds counts):
 *   CAL_SELF       nothing: the frame's own probes inside its interval;
 *   CAL_TIMED      a timed child's enter + exit;
 *   CAL_UNTIMED    an untimed child's (adaptive timing, with a frame);
 *   CAL_FRAMELESS  a frameless child's entry probe (an untimed leaf);
 *   CAL_LOOP       one entry of a timed loop (start + end probes);
 *   CAL_ULOOP      an untimed entry of a timed loop;
 *   CAL_ILOOP      a loop record made inline (the runtime's copy of what the
 *                  plugins emit: ap_loop_record_inline);
 *   CAL_ILEAF      a static leaf's untimed call counted inline, the same
 *                  leaf each time (ap_leaf_enter_inline: one run, filed at
 *                  the parent's exit);
 *   CAL_CLOOP      a loop record made by a call (__autoprof_loop: a loop
 *                  of a big function, an inner loop of a big nest);
 *   CAL_CSITE      a loop-invariant call's evidence (__autoprof_call_begin
 *                  and __autoprof_call_site around a call the plugin saw
 *                  const or pure inside a loop: callsite.c). */
enum cal_kind {
  CAL_SELF,
  CAL_TIMED,
  CAL_UNTIMED,
  CAL_FRAMELESS,
  CAL_LOOP,
  CAL_ULOOP,
  CAL_ILOOP,
  CAL_ILEAF,
  CAL_CLOOP,
  CAL_CSITE,
  CAL_NKINDS
};

static void cal_body(enum cal_kind kind) {
  for (int i = 0; i < CAL_N; i++) {
    struct ap_loop_stamp stamp;
    switch (kind) {
    case CAL_SELF:
      break;
    case CAL_TIMED:
    case CAL_UNTIMED:
      __autoprof_enter(&cal_child);
      __autoprof_exit(&cal_child);
      break;
    case CAL_FRAMELESS:
      if (__autoprof_enter_cond(&cal_child))
        __autoprof_exit(&cal_child);
      break;
    case CAL_LOOP:
    case CAL_ULOOP:
      __autoprof_loop_start(&cal_loop, &stamp);
      __autoprof_loop_timed(&cal_loop, 1, &stamp);
      break;
    case CAL_ILEAF:
      if (ap_leaf_enter_inline(&cal_child))
        __autoprof_exit(&cal_child);
      __asm__ volatile("" ::: "memory");
      break;
    case CAL_NKINDS:
      break;
    case CAL_CLOOP: {
      uint64_t n = (uint64_t)i;
      __asm__ volatile("" : "+r"(n));
      __autoprof_loop(&cal_loop, n);
      break;
    }
    case CAL_CSITE: {
      uint64_t n = (uint64_t)i; /* arguments that change, as a hoist candidate's seldom do */
      __asm__ volatile("" : "+r"(n));
      __autoprof_call_begin(&cal_site);
      __autoprof_call_site(&cal_site, n, n);
      break;
    }
    case CAL_ILOOP: {
      /* an iteration count the compiler cannot see, and the record's
       * loads and stores kept in each iteration, as in a program */
      uint64_t n = (uint64_t)i;
      __asm__ volatile("" : "+r"(n));
      ap_loop_record_inline(&cal_loop, n);
      __asm__ volatile("" ::: "memory");
      break;
    }
    }
  }
}

/* One round of KIND: the parent's interval (CAL_SELF: per empty call;
 * else around CAL_N items, its own probes included). */
static double measure_round(struct ap_thread *t, enum cal_kind kind) {
  struct ap_ctr *parent = &t->ctr[1], *child = &t->ctr[2];
  child->skip = kind == CAL_UNTIMED || kind == CAL_FRAMELESS || kind == CAL_ILEAF ? UINT16_MAX : 0;
  child->leaf = kind == CAL_FRAMELESS || kind == CAL_ILEAF;
  cal_child.flags = kind == CAL_ILEAF ? AP_FUNC_LEAF : 0; /* the runtime begins runs of it */
  if (t->nloops > 1)
    t->lctr[1].skip = kind == CAL_ULOOP ? UINT16_MAX : 0;
  uint64_t before = parent->sum_e;
  double v;
  if (kind == CAL_SELF) {
    for (int i = 0; i < CAL_N; i++) {
      __autoprof_enter(&cal_parent);
      __autoprof_exit(&cal_parent);
    }
    v = (double)(parent->sum_e - before) / CAL_N;
  } else {
    __autoprof_enter(&cal_parent);
    cal_body(kind);
    __autoprof_exit(&cal_parent);
    v = (double)(parent->sum_e - before);
  }
  child->skip = 0;
  child->leaf = 0;
  cal_child.flags = 0;
  return v;
}

/* Ticks per item of each of the N kinds in KINDS (CAL_SELF first), into
 * OUT: the cheapest of CAL_ROUNDS rounds, taken in CAL_PASSES passes over
 * the kinds (a few rounds of each in a row, so that its code is warm), so
 * that a slow spell of the machine (another job on the core's sibling, a
 * frequency step) shorter than the whole calibration cannot slow every
 * round of one kind (a timed loop entry read 53 ns instead of 36 once,
 * measured in one burst: bzip2's exactly timed decompression was then
 * compensated to nothing).  The others less the parent's own probes
 * (SELF). */
static void measure(struct ap_thread *t, const enum cal_kind *kinds, const int *rounds, int n,
                    double *out) {
  double best[CAL_NKINDS];
  for (int k = 0; k < n; k++)
    best[k] = -1;
  for (int pass = 0; pass < CAL_PASSES; pass++)
    for (int k = 0; k < n; k++)
      for (int r = 0; r < rounds[k] / CAL_PASSES; r++) {
        double v = measure_round(t, kinds[k]);
        if (best[k] < 0 || v < best[k])
          best[k] = v;
      }
  for (int k = 0; k < n; k++) {
    double v = best[k] < 0 ? 0 : best[k];
    if (kinds[k] != CAL_SELF)
      v = (v - out[0]) / CAL_N;
    out[k] = v;
  }
}

/* A timed loop entry's own interval with an empty body: the part of its
 * start and end probes between their clock reads (the cheapest round). */
static double measure_loop_self(struct ap_thread *t, int rounds) {
  double best = -1;
  struct ap_lctr *c = &t->lctr[1];
  struct ap_lnest *q = &t->lnest[1];
  for (int r = 0; r < rounds; r++) {
    c->skip = 0;
    c->period = 0; /* every entry timed */
    uint64_t ticks = q->raw, timed = q->timed;
    for (int i = 0; i < CAL_N; i++) {
      struct ap_loop_stamp stamp;
      __autoprof_loop_start(&cal_loop, &stamp);
      __autoprof_loop_timed(&cal_loop, 1, &stamp);
      c->period = 0;
    }
    if (q->timed > timed) {
      double v = (double)(q->raw - ticks) / (double)(q->timed - timed);
      if (best < 0 || v < best)
        best = v;
    }
  }
  return best < 0 ? 0 : best;
}

/* A sampled leaf's timed calls among its frameless ones, as the plugins
 * call them: the probes' branches then mispredict on each timed call, some
 * of it inside the intervals.  SELF: a timed call's own interval (empty
 * body); PAIR: what a timed call adds to its caller's interval. */
static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double sampled_round(struct ap_thread *t, int timed_ok, uint64_t *probes) {
  struct ap_ctr *k = &t->ctr[2];
  *k = (struct ap_ctr){.period = (uint16_t)t->period,
                       .leaf = 1,
                       .samples = AP_LEAF_AFTER,
                       .skip = timed_ok ? 0 : UINT16_MAX};
  /* the parent is timed on every call: with sample_below raised for the
   * child, its own window could have made it sampled */
  t->ctr[1].period = t->ctr[1].skip = 0;
  uint64_t before = t->ctr[1].sum_e;
  for (int i = 0; i < AP_NPROBES; i++)
    probes[i] = t->probes[i];
  __autoprof_enter(&cal_parent);
  for (int i = 0; i < CAL_SAMPLED_N; i++)
    if (__autoprof_enter_cond(&cal_child))
      __autoprof_exit(&cal_child);
  __autoprof_exit(&cal_parent);
  for (int i = 0; i < AP_NPROBES; i++)
    probes[i] = t->probes[i] - probes[i];
  return (double)(t->ctr[1].sum_e - before);
}

static void measure_sampled(struct ap_thread *t, const struct ap_calibration *c, double *self,
                            double *pair) {
  /* Two rounds in turn: the child never timed (every call frameless), then
   * sampled (one call in about 32 timed).  The pair is what the timed
   * calls add to the second interval once its frameless calls are taken
   * out at the first round's cost per call: measured in the same place, a
   * moment apart.  (Taken out at the frameless kind's calibrated cost, the
   * cheapest of 25 short rounds, the pair came out between 7.6 and 17.6 ns
   * over 12 Lua runs, 0 to 73 on a busy machine.)  The median of the
   * rounds. */
  enum { ROUNDS = 7 };
  double selfs[ROUNDS], pairs[ROUNDS];
  int got = 0;
  struct ap_ctr *k = &t->ctr[2];
  t->sample_below = UINT64_MAX;
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t pa[AP_NPROBES], pb[AP_NPROBES];
    double ia = sampled_round(t, 0, pa);
    double fa = (double)pa[AP_P_FRAMELESS];
    double ib = sampled_round(t, 1, pb);
    double timed = (double)pb[AP_P_STIMED], frameless = (double)pb[AP_P_FRAMELESS];
    uint64_t n = k->samples - AP_LEAF_AFTER;
    if (timed < 1 || !n || fa < 1 || pa[AP_P_STIMED])
      continue;
    double per_frameless = (ia - c->self_ticks) / fa;
    selfs[got] = (double)k->sum_e / (double)n;
    pairs[got++] = (ib - c->self_ticks - frameless * per_frameless) / timed;
  }
  t->sample_below = 0;
  *k = (struct ap_ctr){0};
  t->ctr[1].period = t->ctr[1].skip = 0;
  qsort(selfs, (size_t)got, sizeof *selfs, by_value);
  qsort(pairs, (size_t)got, sizeof *pairs, by_value);
  *self = got ? selfs[got / 2] : c->self_ticks;
  *pair = got ? pairs[got / 2] : c->pair_ticks;
}

/* What a run of inline leaf calls (abi.h) adds beyond its calls: two
 * static leaves called twice each in turn, so that each run is the
 * runtime's frameless call that begins it, one call inline, and its end
 * at the other leaf's next call.  What is left of the parent's interval
 * once the calls (ILEAF) and the frameless ones are taken out, per run;
 * the cheapest of CAL_ROUNDS rounds. */
static double measure_leaf_run(struct ap_thread *t, const struct ap_calibration *c, int rounds) {
  double best = -1;
  struct ap_ctr *a = &t->ctr[2], *b = &t->ctr[3];
  for (int r = 0; r < rounds; r++) {
    a->skip = b->skip = UINT16_MAX;
    a->leaf = b->leaf = 1;
    cal_child.flags = AP_FUNC_LEAF;
    uint64_t p0[AP_NPROBES], before = t->ctr[1].sum_e;
    for (int i = 0; i < AP_NPROBES; i++)
      p0[i] = t->probes[i];
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < CAL_N; i++) {
      struct ap_func_site *leaf = i & 2 ? &cal_child2 : &cal_child;
      if (ap_leaf_enter_inline(leaf))
        __autoprof_exit(leaf);
      __asm__ volatile("" ::: "memory");
    }
    __autoprof_exit(&cal_parent);
    cal_child.flags = 0;
    double runs = (double)(t->probes[AP_P_ILEAF_RUN] - p0[AP_P_ILEAF_RUN]);
    double calls = (double)(t->probes[AP_P_ILEAF] - p0[AP_P_ILEAF]);
    double frameless = (double)(t->probes[AP_P_FRAMELESS] - p0[AP_P_FRAMELESS]);
    double v = ((double)(t->ctr[1].sum_e - before) - c->self_ticks - calls * c->inline_leaf_ticks -
                frameless * c->frameless_ticks) /
               runs;
    if (runs >= 1 && (best < 0 || v < best))
      best = v;
  }
  *a = *b = (struct ap_ctr){0};
  return best < 0 ? 0 : best;
}

__attribute__((noinline)) static void empty_callee(void) {
  __asm__ volatile("" ::: "memory");
}

/* A real call + return of an empty non-inlined function, loop removed. */
static double measure_call(void) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t t0 = ap_ticks();
    for (int i = 0; i < CAL_N * 5; i++)
      empty_callee();
    uint64_t t1 = ap_ticks();
    for (int i = 0; i < CAL_N * 5; i++)
      __asm__ volatile("" ::: "memory");
    uint64_t t2 = ap_ticks();
    double v = ((double)(t1 - t0) - (double)(t2 - t1)) / (CAL_N * 5);
    if (best < 0 || v < best)
      best = v;
  }
  return best < 0 ? 0 : best;
}

/* How many probes of each kind the threads ran: the calibration measures
 * only the kinds used (measuring a kind takes up to ~1 ms; a loops-only
 * build needs no call probe's), and those used little in fewer rounds
 * (CAL_LIGHT).  Read while other threads may still run: a kind first used
 * after this read goes uncompensated, like any probe after the report. */
static void kinds_used(uint64_t used[AP_NPROBES]) {
  for (int k = 0; k < AP_NPROBES; k++)
    used[k] = 0;
  pthread_mutex_lock(&ap_lock);
  for (struct ap_thread *t = ap_threads; t; t = t->next)
    for (int k = 0; k < AP_NPROBES; k++)
      used[k] += __atomic_load_n(&t->probes[k], __ATOMIC_RELAXED);
  pthread_mutex_unlock(&ap_lock);
  /* inline loop records reach t->probes only at timed frames: their count
   * is not known here (measured in full: ~15 us) */
  used[AP_P_ILOOP] = __atomic_load_n(&ap_nloop_slots, __ATOMIC_RELAXED) ? CAL_LIGHT : 0;
}

static int rounds_for(uint64_t used) {
  return used < CAL_LIGHT ? CAL_PASSES : CAL_ROUNDS;
}

void ap_calibrate(struct ap_calibration *c) {
  c->ticks_per_ns = ticks_per_ns();
  c->self_ticks = c->pair_ticks = c->untimed_pair_ticks = c->loop_pair_ticks = 0;
  c->frameless_ticks = c->untimed_loop_ticks = c->sampled_self_ticks = c->sampled_pair_ticks = 0;
  c->inline_loop_ticks = c->loop_self_ticks = c->inline_leaf_ticks = c->leaf_run_ticks = 0;
  c->call_loop_ticks = c->call_site_ticks = 0;
  c->call_ticks = measure_call();
  struct ap_thread *scratch = ap_thread_new(1), *user = ap_tls;
  if (!scratch)
    return;
  /* the probes below count into the scratch record, the inline loop
   * records too: the user's are put back after */
  struct ap_loop_tls user_loops = __autoprof_loop_tls;
  if (scratch->limit >= 2 && scratch->nslots > 2) {
    uint64_t used[AP_NPROBES];
    kinds_used(used);
    int leaves = used[AP_P_ILEAF] || used[AP_P_ILEAF_RUN];
    int sampled = used[AP_P_STIMED] || used[AP_P_FRAMELESS] || leaves;
    ap_tls = scratch;
    ap_publish_loops(scratch);
    ap_leaf_clear();
    /* every interval is a timed frame's: its own probes always; the
     * kinds some thread used, in turn (measure) */
    enum cal_kind kinds[CAL_NKINDS];
    double *dest[CAL_NKINDS], v[CAL_NKINDS];
    int rounds[CAL_NKINDS];
    int n = 0;
#define CAL_ADD(kind, field, count)                                                                \
  (kinds[n] = (kind), rounds[n] = rounds_for(count), dest[n++] = &c->field)
    CAL_ADD(CAL_SELF, self_ticks, 0); /* as many rounds as the most measured kind: below */
    CAL_ADD(CAL_TIMED, pair_ticks, used[AP_P_TIMED]);
    if (used[AP_P_UNTIMED] || sampled)
      CAL_ADD(CAL_UNTIMED, untimed_pair_ticks, used[AP_P_UNTIMED]);
    if (sampled)
      CAL_ADD(CAL_FRAMELESS, frameless_ticks, used[AP_P_FRAMELESS]);
    int loops = scratch->nloops > 1;
    if (loops && (used[AP_P_LOOP] || used[AP_P_ULOOP]))
      CAL_ADD(CAL_LOOP, loop_pair_ticks, used[AP_P_LOOP]);
    if (loops && used[AP_P_ULOOP])
      CAL_ADD(CAL_ULOOP, untimed_loop_ticks, used[AP_P_ULOOP]);
    if (loops && used[AP_P_ILOOP])
      CAL_ADD(CAL_ILOOP, inline_loop_ticks, CAL_LIGHT);
    if (leaves)
      CAL_ADD(CAL_ILEAF, inline_leaf_ticks, CAL_LIGHT);
    if (loops && used[AP_P_CLOOP])
      CAL_ADD(CAL_CLOOP, call_loop_ticks, used[AP_P_CLOOP]);
    if (used[AP_P_CSITE] && ap_cs_scratch(scratch) == 0)
      CAL_ADD(CAL_CSITE, call_site_ticks, used[AP_P_CSITE]);
#undef CAL_ADD
    for (int k = 1; k < n; k++) /* every other kind's figure less SELF's */
      if (rounds[k] > rounds[0])
        rounds[0] = rounds[k];
    measure(scratch, kinds, rounds, n, v);
    for (int k = 0; k < n; k++)
      *dest[k] = v[k];
    /* ~0.6 ms, and noisy when cut shorter (a quarter of the calls, 5
     * rounds: the pair's median came out 0 over 10 Lua runs): a kind used
     * little takes the timed call's figures instead (it costs a few ns
     * more: its branches mispredict), under ~0.3 ms of compensation off */
    if (sampled && used[AP_P_STIMED] >= CAL_LIGHT)
      measure_sampled(scratch, c, &c->sampled_self_ticks, &c->sampled_pair_ticks);
    else if (sampled) {
      c->sampled_self_ticks = c->self_ticks;
      c->sampled_pair_ticks = c->pair_ticks;
    }
    if (leaves)
      c->leaf_run_ticks = measure_leaf_run(scratch, c, rounds_for(used[AP_P_ILEAF_RUN]));
    if (loops && (used[AP_P_LOOP] || used[AP_P_ULOOP]))
      c->loop_self_ticks = measure_loop_self(scratch, rounds_for(used[AP_P_LOOP]));
    ap_tls = user;
    __autoprof_loop_tls = user_loops;
  }
  ap_thread_free(scratch);
  /* a cost is never negative: a figure measured as a difference (the
   * sampled pair, a run's end) can come out below 0 when the machine
   * slowed the rounds it is taken from; 0 then, as for a kind not measured */
  double *v[] = {&c->self_ticks,         &c->pair_ticks,         &c->untimed_pair_ticks,
                 &c->loop_pair_ticks,    &c->frameless_ticks,    &c->untimed_loop_ticks,
                 &c->sampled_self_ticks, &c->sampled_pair_ticks, &c->inline_loop_ticks,
                 &c->loop_self_ticks,    &c->inline_leaf_ticks,  &c->leaf_run_ticks,
                 &c->call_loop_ticks,    &c->call_site_ticks};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++)
    if (*v[i] < 0)
      *v[i] = 0;
}
#endif
