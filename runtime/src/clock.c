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

uint64_t ap_ns_to_ticks(uint64_t ns) {
  return (uint64_t)((double)ns * rough_tpn);
}

#ifdef AP_TEST_CLOCK
uint64_t ap_test_now;
struct ap_calibration ap_test_calibration = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};

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

/* Ticks per ns over the whole run; a run shorter than 2 ms is stretched
 * (spinning) so the ratio keeps 3+ significant digits. */
static double ticks_per_ns(void) {
#ifdef __x86_64__
  uint64_t m, t;
  do {
    m = mono_ns();
    t = ap_ticks();
  } while (m - mono0 < 2000000);
  return (double)(t - ticks0) / (double)(m - mono0);
#else
  return 1.0;
#endif
}

static struct ap_func_site cal_parent = {.slot = 1, .name = "(calibration)"};
static struct ap_func_site cal_child = {.slot = 2, .name = "(calibration child)"};
static struct ap_loop_site cal_loop = {.flags = AP_LOOP_TIMED, .slot = 1};

enum { CAL_ROUNDS = 25, CAL_N = 200 };

/* Ticks from a frame's enter clock read to its exit clock read when the
 * body is empty: the frame's own probe time inside its interval. */
static double measure_self(struct ap_thread *t) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t before = t->ctr[1].incl;
    for (int i = 0; i < CAL_N; i++) {
      __autoprof_enter(&cal_parent);
      __autoprof_exit(&cal_parent);
    }
    double v = (double)(t->ctr[1].incl - before) / CAL_N;
    if (best < 0 || v < best)
      best = v;
  }
  return best;
}

/* What one child's enter+exit adds to its parent's interval. */
static double measure_pair(struct ap_thread *t, double self) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t before = t->ctr[1].incl;
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < CAL_N; i++) {
      __autoprof_enter(&cal_child);
      __autoprof_exit(&cal_child);
    }
    __autoprof_exit(&cal_parent);
    double v = ((double)(t->ctr[1].incl - before) - self) / CAL_N;
    if (best < 0 || v < best)
      best = v;
  }
  return best < 0 ? 0 : best;
}

/* The same with untimed children: the pair adaptive timing leaves without
 * clock reads. */
static double measure_untimed_pair(struct ap_thread *t, double self) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t before = t->ctr[1].incl;
    t->ctr[2].skip = UINT16_MAX;
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < CAL_N; i++) {
      __autoprof_enter(&cal_child);
      __autoprof_exit(&cal_child);
    }
    __autoprof_exit(&cal_parent);
    t->ctr[2].skip = 0;
    double v = ((double)(t->ctr[1].incl - before) - self) / CAL_N;
    if (best < 0 || v < best)
      best = v;
  }
  return best < 0 ? 0 : best;
}

/* What a frameless call (an untimed leaf: entry probe only) adds. */
static double measure_frameless(struct ap_thread *t, double self) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t before = t->ctr[1].incl;
    t->ctr[2].skip = UINT16_MAX;
    t->ctr[2].leaf = 1;
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < CAL_N; i++)
      if (__autoprof_enter_cond(&cal_child))
        __autoprof_exit(&cal_child);
    __autoprof_exit(&cal_parent);
    t->ctr[2].skip = 0;
    t->ctr[2].leaf = 0;
    double v = ((double)(t->ctr[1].incl - before) - self) / CAL_N;
    if (best < 0 || v < best)
      best = v;
  }
  return best < 0 ? 0 : best;
}

/* What one entry of a timed loop (start + end probes, one iteration) adds
 * to its function's interval. */
static double measure_loop_pair(struct ap_thread *t, double self, int untimed) {
  double best = -1;
  for (int r = 0; r < CAL_ROUNDS; r++) {
    uint64_t before = t->ctr[1].incl;
    t->lctr[1].skip = untimed ? UINT16_MAX : 0;
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < CAL_N; i++) {
      struct ap_loop_stamp stamp;
      __autoprof_loop_start(&cal_loop, &stamp);
      __autoprof_loop_timed(&cal_loop, 1, &stamp);
    }
    __autoprof_exit(&cal_parent);
    double v = ((double)(t->ctr[1].incl - before) - self) / CAL_N;
    if (best < 0 || v < best)
      best = v;
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

static void measure_sampled(struct ap_thread *t, const struct ap_calibration *c, double *self,
                            double *pair) {
  /* the pair is what is left of the caller's interval once N - N/32
   * frameless calls are taken out: long rounds, and their median */
  enum { N = 16384, ROUNDS = 7 };
  double selfs[ROUNDS], pairs[ROUNDS];
  int got = 0;
  struct ap_ctr *k = &t->ctr[2];
  t->sample_below = UINT64_MAX;
  for (int r = 0; r < ROUNDS; r++) {
    *k = (struct ap_ctr){.period = (uint16_t)t->period, .leaf = 1, .samples = AP_LEAF_AFTER};
    uint64_t p0[AP_NPROBES], before = t->ctr[1].incl;
    for (int i = 0; i < AP_NPROBES; i++)
      p0[i] = t->probes[i];
    __autoprof_enter(&cal_parent);
    for (int i = 0; i < N; i++)
      if (__autoprof_enter_cond(&cal_child))
        __autoprof_exit(&cal_child);
    __autoprof_exit(&cal_parent);
    double timed = (double)(t->probes[AP_P_STIMED] - p0[AP_P_STIMED]);
    double frameless = (double)(t->probes[AP_P_FRAMELESS] - p0[AP_P_FRAMELESS]);
    double untimed = (double)(t->probes[AP_P_UNTIMED] - p0[AP_P_UNTIMED]);
    double in_parent = (double)(t->ctr[1].incl - before) - c->self_ticks -
                       frameless * c->frameless_ticks - untimed * c->untimed_pair_ticks;
    uint64_t n = k->samples - AP_LEAF_AFTER;
    if (timed < 1 || !n)
      continue;
    selfs[got] = (double)k->incl / (double)n;
    pairs[got++] = in_parent / timed;
  }
  t->sample_below = 0;
  *k = (struct ap_ctr){0};
  qsort(selfs, (size_t)got, sizeof *selfs, by_value);
  qsort(pairs, (size_t)got, sizeof *pairs, by_value);
  *self = got ? selfs[got / 2] : c->self_ticks;
  *pair = got ? pairs[got / 2] : c->pair_ticks;
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

void ap_calibrate(struct ap_calibration *c) {
  c->ticks_per_ns = ticks_per_ns();
  c->self_ticks = c->pair_ticks = c->untimed_pair_ticks = c->loop_pair_ticks = 0;
  c->frameless_ticks = c->untimed_loop_ticks = c->sampled_self_ticks = c->sampled_pair_ticks = 0;
  c->call_ticks = measure_call();
  struct ap_thread *scratch = ap_thread_new(1), *user = ap_tls;
  if (!scratch)
    return;
  if (scratch->limit >= 2 && scratch->nslots > 2) {
    ap_tls = scratch; /* the probes below count into the scratch record */
    c->self_ticks = measure_self(scratch);
    c->pair_ticks = measure_pair(scratch, c->self_ticks);
    c->untimed_pair_ticks = measure_untimed_pair(scratch, c->self_ticks);
    c->frameless_ticks = measure_frameless(scratch, c->self_ticks);
    measure_sampled(scratch, c, &c->sampled_self_ticks, &c->sampled_pair_ticks);
    if (scratch->nloops > 1) {
      c->loop_pair_ticks = measure_loop_pair(scratch, c->self_ticks, 0);
      c->untimed_loop_ticks = measure_loop_pair(scratch, c->self_ticks, 1);
    }
    ap_tls = user;
  }
  ap_thread_free(scratch);
}
#endif
