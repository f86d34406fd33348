/* Exact times with the fake-clock runtime (AP_TEST_CLOCK: the probes read
 * ap_test_now, 1 tick = 1 ns): inclusive/exclusive arithmetic, recursion,
 * probe-cost compensation and the hints of a run. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "rt.h"

enum { MAIN, A, B, R, NSITES };
static struct ap_func_site sites[NSITES] = {
    [MAIN] = {AP_FUNC_MAIN, 1, 0, 50, "main", "t.c", "main", 0},
    [A] = {0, 10, 0, 50, "a", "t.c", "a", 0},
    [B] = {0, 20, 0, 50, "b", "t.c", "b", 0},
    [R] = {0, 30, 0, 50, "r", "t.c", "r", 0},
};
static struct ap_module module = {
    .abi_version = AP_ABI_VERSION,
    .report_formats = AP_FORMAT_JSON,
    .funcs_begin = sites,
    .funcs_end = sites + NSITES,
    .abi_guard = &__autoprof_abi_v2,
    .source = "t.c",
    .report_output = "x",
    .report_top = 5,
    .hot_function_ppm = 50000,
};
#define S(i) sites[i]
#define AT(t) (ap_test_now = (t))
#define ADV(t) (ap_test_now += (t))

/* The functions above with the loop sites LOOPS (an array), as one module. */
#define LOOP_MODULE(loops)                                                                         \
  {                                                                                                \
    .abi_version = AP_ABI_VERSION, .report_formats = AP_FORMAT_JSON, .funcs_begin = sites,         \
    .funcs_end = sites + NSITES, .loops_begin = loops,                                             \
    .loops_end = loops + sizeof loops / sizeof *loops, .abi_guard = &__autoprof_abi_v2,            \
    .source = "t.c", .report_output = "x", .report_top = 5,                                        \
  }

/* A second module for the adaptive-timing runs: a timed loop in main. */
static struct ap_loop_site loop_sites[1] = {
    {AP_LOOP_TIMED, 5, 0, 1, "t.c", &sites[MAIN], "main", NULL},
};
static struct ap_module loop_module = LOOP_MODULE(loop_sites);

/* main[0,100] { a[10,30]  b[35,60] { a[45,50] } } */
static void pattern(void) {
  AT(0), E(S(MAIN));
  AT(10), E(S(A));
  AT(30), X(S(A));
  AT(35), E(S(B));
  AT(45), E(S(A));
  AT(50), X(S(A));
  AT(60), X(S(B));
  AT(100), X(S(MAIN));
}

static int sc_raw(void) {
  __autoprof_register(&module);
  pattern();
  return 0;
}

static int sc_compensated(void) {
  ap_test_calibration = (struct ap_calibration){1, 2, 5, 1, 0, 0, 0, 0, 2, 5, 0, 0, 0, 0, 0, 0};
  __autoprof_register(&module);
  pattern();
  return 0;
}

/* Loop records made inline by instrumented code (abi.h), through the C
 * copy the calibration measures: an untimed loop in b, entered twice in
 * main's own body and four times inside b.  3 ticks per record. */
static struct ap_loop_site inline_sites[1] = {
    {0, 7, 0, 1, "t.c", &sites[B], "b", NULL},
};
static struct ap_module inline_module = LOOP_MODULE(inline_sites);

static int sc_inline_loops(void) {
  ap_test_calibration = (struct ap_calibration){1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0};
  __autoprof_register(&inline_module);
  /* before the thread's first probe: the slow path (a call) counts it */
  ap_loop_record_inline(&inline_sites[0], 2);
  AT(0), E(S(MAIN));
  AT(5), ap_loop_record_inline(&inline_sites[0], 3), ap_loop_record_inline(&inline_sites[0], 0);
  AT(35), E(S(B));
  for (uint64_t n = 1; n <= 4; n++)
    ap_loop_record_inline(&inline_sites[0], n);
  AT(60), X(S(B));
  AT(100), X(S(MAIN));
  return 0;
}

/* Loop records made by calls (__autoprof_loop: a big function's loops, a
 * big nest's inner loops): the same pattern, 4 ticks per record, and a
 * timed loop entry of main [70,90] with 3 such records inside. */
static struct ap_loop_site call_sites[1] = {
    {0, 9, 0, 1, "t.c", &sites[B], "b", NULL},
};
static struct ap_module call_module = LOOP_MODULE(call_sites);

static int sc_call_loops(void) {
  ap_test_calibration = (struct ap_calibration){1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0};
  __autoprof_register(&call_module);
  __autoprof_register(&loop_module);
  __autoprof_loop(&call_sites[0], 2); /* before the thread's first probe */
  AT(0), E(S(MAIN));
  AT(5), __autoprof_loop(&call_sites[0], 3), __autoprof_loop(&call_sites[0], 0);
  AT(35), E(S(B));
  for (uint64_t n = 1; n <= 4; n++)
    __autoprof_loop(&call_sites[0], n);
  AT(60), X(S(B));
  struct ap_loop_stamp st;
  AT(70), __autoprof_loop_start(&loop_sites[0], &st);
  for (uint64_t n = 1; n <= 3; n++)
    __autoprof_loop(&call_sites[0], n);
  AT(90), __autoprof_loop_timed(&loop_sites[0], 1, &st);
  AT(100), X(S(MAIN));
  return 0;
}

/* Loop-invariant call evidence (callsite.c): two probes around a const or
 * pure call inside a loop, 3 ticks a pair, taken out like any probe. */
static struct ap_call_site call_site = {AP_CALL_CONST, 7, 0, 5, "g", "t.c", "main", 0};
#define CS(n) (__autoprof_call_begin(&call_site), __autoprof_call_site(&call_site, (n), 1))

static int sc_call_sites(void) {
  ap_test_calibration = (struct ap_calibration){1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
  __autoprof_register(&loop_module);
  AT(0), E(S(MAIN));
  AT(5), CS(1), CS(1);
  AT(35), E(S(B));
  for (uint64_t n = 1; n <= 4; n++)
    CS(n);
  AT(60), X(S(B));
  struct ap_loop_stamp st;
  AT(70), __autoprof_loop_start(&loop_sites[0], &st);
  for (uint64_t n = 1; n <= 3; n++)
    CS(n);
  AT(90), __autoprof_loop_timed(&loop_sites[0], 1, &st);
  AT(100), X(S(MAIN));
  return 0;
}

/* Waiting for a CPU (cpuwait.c): the test plays the kernel, clearing the
 * rseq word when the thread "was switched out" and giving its switches and
 * CPU time.  main [0,100] { a [10,40] { preempted: ran 20 of 0..40 }
 * b [50,80] { blocked in a read: 15 of 40..80 ran } }. */
static int sc_cpu_wait(void) {
  __autoprof_register(&module);
  ap_test_usage = (struct ap_test_usage){0, 0, 0};
  AT(0), E(S(MAIN));
  AT(10), E(S(A));
  ap_test_usage = (struct ap_test_usage){20, 0, 1};
  ap_test_rseq_cs = 0;
  AT(40), X(S(A));
  AT(50), E(S(B));
  ap_test_usage = (struct ap_test_usage){35, 1, 1};
  ap_test_rseq_cs = 0;
  AT(80), X(S(B));
  AT(100), X(S(MAIN));
  return 0;
}

static int sc_recursion(void) {
  __autoprof_register(&module);
  AT(0), E(S(R));
  AT(10), E(S(R));
  AT(20), E(S(R));
  AT(30), X(S(R));
  AT(40), X(S(R));
  AT(50), X(S(R));
  return 0;
}

/* Adaptive timing.  main[1000 x a{30 ticks own, 50 x b}] plus 5,000
 * entries of a timed loop of 3 iterations, 60 ticks each.  b's calls take
 * DUR(k) ticks: under AUTOPROF_SAMPLE_BELOW_NS (1000 = 1000 test ticks) it
 * gets sampled, a (5,030+ ticks a call) stays timed on every call.  b is
 * entered as the GCC plugin does (exit only on a non-zero token): after
 * AP_LEAF_AFTER timed calls with no callee its untimed calls are frameless. */
static unsigned vary; /* 0: every b call takes 100 ticks; 1: 20..180 from an LCG */
static uint32_t lcg = 12345;
static uint64_t dur(void) {
  if (!vary)
    return 100;
  lcg = lcg * 1103515245u + 12345u;
  return 20 + (lcg >> 16) % 161;
}

static int sc_adaptive(void) {
  __autoprof_register(&loop_module);
  AT(1000), E(S(MAIN));
  for (int i = 0; i < 1000; i++) {
    E(S(A)), ADV(30);
    for (int j = 0; j < 50; j++) {
      int token = __autoprof_enter_cond(&S(B));
      ADV(dur());
      if (token)
        X(S(B));
    }
    X(S(A));
  }
  for (int i = 0; i < 5000; i++) {
    struct ap_loop_stamp st;
    __autoprof_loop_start(&loop_sites[0], &st);
    ADV(60);
    __autoprof_loop_timed(&loop_sites[0], 3, &st);
  }
  X(S(MAIN));
  return 0;
}

/* a (short, so sampled) calls b only inside its timed loop: a is no leaf,
 * every b stays under a, whatever is sampled. */
static int sc_loop_kids(void) {
  __autoprof_register(&loop_module);
  AT(1000), E(S(MAIN));
  for (int i = 0; i < 5000; i++) {
    int ta = __autoprof_enter_cond(&S(A));
    struct ap_loop_stamp st;
    __autoprof_loop_start(&loop_sites[0], &st);
    int tb = __autoprof_enter_cond(&S(B));
    ADV(10);
    if (tb)
      X(S(B));
    __autoprof_loop_timed(&loop_sites[0], 1, &st);
    if (ta)
      X(S(A));
  }
  X(S(MAIN));
  return 0;
}

static void check_loop_kids(void) {
  struct run *r = run_child("loop_kids", sc_loop_kids, NULL);
  CHECK_EQ_U64(func_int(r->prof, "b", "calls"), 5000);
  CHECK(func_int(r->prof, "a", "timed_calls") < 1000); /* a was sampled */
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b"), 5000);
  CHECK_EQ_U64(path_calls(r->prof, "main>b"), 0);
  run_free(r);
}

static json_t *loop_by_line(json_t *prof, long long line) {
  size_t i;
  json_t *l;
  json_array_foreach(json_object_get(prof, "loops"), i, l) {
    if (json_integer_value(json_object_get(l, "line")) == line)
      return l;
  }
  return NULL;
}

static long long jint(json_t *o, const char *key) {
  return json_integer_value(json_object_get(o, key));
}

/* Constant durations: the sampled estimates are exact, and counts are
 * exact whatever is sampled. */
static void check_adaptive_exact_estimates(void) {
  vary = 0;
  struct run *r = run_child("adaptive", sc_adaptive, NULL);
  json_t *p = r->prof, *b = func_by_name(p, "b"), *l = loop_by_line(p, 5);
  CHECK_EQ_U64(jint(b, "calls"), 50000);
  CHECK(jint(b, "timed_calls") > 1100 && jint(b, "timed_calls") < 3000); /* about 1 in 32 */
  CHECK_EQ_U64(jint(b, "incl_ns"), 5000000);
  CHECK(json_real_value(json_object_get(b, "time_error")) == 0); /* no spread */
  CHECK_EQ_U64(func_int(p, "a", "timed_calls"), 1000);
  CHECK_EQ_U64(func_int(p, "a", "excl_ns"), 30000);
  CHECK_EQ_U64(func_int(p, "a", "incl_ns"), 5030000);
  CHECK_EQ_U64(path_calls(p, "main>a>b"), 50000);
  CHECK_EQ_U64(path_calls(p, "main>b"), 0);             /* frameless calls keep their path */
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 300000); /* the loop's time is main's own */
  CHECK(l != NULL);
  CHECK_EQ_U64(jint(l, "entries"), 5000);
  CHECK_EQ_U64(jint(l, "iterations"), 15000);
  CHECK(jint(l, "timed_entries") > 50 && jint(l, "timed_entries") < 500);
  CHECK_EQ_U64(jint(l, "incl_ns"), 300000);
  CHECK(times_consistent(p));
  run_free(r);
}

/* Varying durations: the estimates against the exact sums, within the
 * error the report gives (x3: never flaky), and that error is small. */
static void check_adaptive_varying(void) {
  uint64_t truth = 0;
  vary = 1;
  lcg = 12345;
  for (int i = 0; i < 50000; i++)
    truth += dur();
  lcg = 12345;
  struct run *r = run_child("adaptive_vary", sc_adaptive, NULL);
  json_t *b = func_by_name(r->prof, "b");
  double err = json_real_value(json_object_get(b, "time_error"));
  double est = (double)jint(b, "incl_ns");
  CHECK_EQ_U64(jint(b, "calls"), 50000);
  CHECK(err > 0.005 && err < 0.1);
  CHECK(est > (double)truth * (1 - 3 * err) && est < (double)truth * (1 + 3 * err));
  /* a's own time: its exact inclusive less b's estimate */
  double a_excl = (double)func_int(r->prof, "a", "excl_ns");
  CHECK(a_excl > 30000 - 3 * err * (double)truth && a_excl < 30000 + 3 * err * (double)truth);
  CHECK(times_consistent(r->prof));
  run_free(r);
  /* the same run timed exactly: the true figures */
  const char *env[] = {"AUTOPROF_EXACT_TIMING=1", NULL};
  lcg = 12345;
  r = run_child("adaptive_exact", sc_adaptive, env);
  b = func_by_name(r->prof, "b");
  CHECK_EQ_U64(jint(b, "timed_calls"), 50000);
  CHECK_EQ_U64(jint(b, "incl_ns"), truth);
  CHECK(json_real_value(json_object_get(b, "time_error")) == 0);
  CHECK_EQ_U64(func_int(r->prof, "a", "excl_ns"), 30000);
  CHECK_EQ_U64(jint(loop_by_line(r->prof, 5), "timed_entries"), 5000);
  run_free(r);
}

static long long node_int(json_t *prof, const char *path, const char *key) {
  /* the node whose path matches: path_calls finds calls; scan for the id */
  json_t *nodes = json_object_get(prof, "callpaths");
  for (size_t i = 0; i < json_array_size(nodes); i++) {
    char buf[256] = "";
    for (json_int_t k = (json_int_t)i; k >= 0;) {
      json_t *n = json_array_get(nodes, (size_t)k);
      json_t *f = json_array_get(json_object_get(prof, "functions"),
                                 (size_t)json_integer_value(json_object_get(n, "func")));
      char tmp[256];
      snprintf(tmp, sizeof tmp, "%s%s%s", json_string_value(json_object_get(f, "name")),
               buf[0] ? ">" : "", buf);
      snprintf(buf, sizeof buf, "%s", tmp);
      k = json_integer_value(json_object_get(n, "parent"));
    }
    if (strcmp(buf, path) == 0)
      return json_integer_value(json_object_get(json_array_get(nodes, i), key));
  }
  return -1;
}

static void check_raw(void) {
  struct run *r = run_child("raw", sc_raw, NULL);
  json_t *p = r->prof;
  CHECK(p != NULL);
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 100);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 55);
  CHECK_EQ_U64(func_int(p, "a", "calls"), 2);
  CHECK_EQ_U64(func_int(p, "a", "incl_ns"), 25);
  CHECK_EQ_U64(func_int(p, "a", "excl_ns"), 25);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 25);
  CHECK_EQ_U64(func_int(p, "b", "excl_ns"), 20);
  CHECK_EQ_U64(node_int(p, "main>b>a", "incl_ns"), 5);
  CHECK_EQ_U64(node_int(p, "main>a", "incl_ns"), 20);
  /* nothing compensated: no probe share written */
  CHECK(json_object_get(func_by_name(p, "main"), "probe_share") == NULL);
  CHECK_EQ_U64(top_int(p, "compensated_ns"), 0);
  CHECK_EQ_U64(top_int(p, "wall_ns"), 100);
  json_t *t = json_array_get(json_object_get(p, "thread_list"), 0);
  CHECK_EQ_U64(json_integer_value(json_object_get(t, "root_ns")), 100);
  CHECK_EQ_U64(json_integer_value(json_object_get(t, "calls")), 4);
  /* hot-function hints, ranked: main 55, a 25, b 20 */
  json_t *h = json_object_get(p, "hints");
  CHECK_EQ_U64(json_array_size(h), 3);
  CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "function")), "main");
  CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "function")), "a");
  CHECK_EQ_U64(json_integer_value(json_object_get(json_array_get(h, 1), "savings_ns")), 25);
  CHECK_STR(json_string_value(json_object_get(json_array_get(h, 2), "message")),
            "b spends 20.0% of the run in its own body (1 call, 20 ns each; 25.0% with its "
            "callees): a faster body saves up to 20 ns");
  run_free(r);
}

/* self = 2 ticks per frame, pair = 5 per descendant call (3 outside).
 * main: incl 100 - (2 + 3*5) = 83, excl 55 - (2 + 2*3) = 47
 * b:    incl 25 - (2 + 5) = 18,    excl 20 - (2 + 3) = 15
 * a:    2 calls, 25 - 2*2 = 21 both; 47 + 15 + 21 = 83. */
static void check_compensated(void) {
  struct run *r = run_child("compensated", sc_compensated, NULL);
  json_t *p = r->prof;
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 83);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 47);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 18);
  CHECK_EQ_U64(func_int(p, "b", "excl_ns"), 15);
  CHECK_EQ_U64(func_int(p, "a", "incl_ns"), 21);
  CHECK_EQ_U64(func_int(p, "a", "excl_ns"), 21);
  CHECK_EQ_U64(node_int(p, "main>b>a", "excl_ns"), 3);
  CHECK_EQ_U64(top_int(p, "compensated_ns"), 17);
  CHECK_EQ_U64(json_integer_value(json_object_get(p, "probe_cost_ns")), 5);
  /* the probes' part of what was measured: main 17 of 100 (its own 2, the
   * three calls' 5 each), b 7 of 25, a 4 of 25 (2 in each of its frames) */
  double share_main = json_real_value(json_object_get(func_by_name(p, "main"), "probe_share"));
  double share_b = json_real_value(json_object_get(func_by_name(p, "b"), "probe_share"));
  double share_a = json_real_value(json_object_get(func_by_name(p, "a"), "probe_share"));
  CHECK(share_main > 0.1699 && share_main < 0.1701);
  CHECK(share_b > 0.2799 && share_b < 0.2801);
  CHECK(share_a > 0.1599 && share_a < 0.1601);
  json_t *t = json_array_get(json_object_get(p, "thread_list"), 0);
  CHECK_EQ_U64(json_integer_value(json_object_get(t, "root_ns")), 83);
  run_free(r);
  /* and switched off */
  const char *env[] = {"AUTOPROF_COMPENSATE=0", NULL};
  r = run_child("uncompensated", sc_compensated, env);
  CHECK_EQ_U64(func_int(r->prof, "main", "incl_ns"), 100);
  CHECK_EQ_U64(func_int(r->prof, "main", "excl_ns"), 55);
  CHECK(json_is_false(json_object_get(r->prof, "compensation")));
  run_free(r);
}

/* counts exact through both paths; each record inside a timed frame takes
 * 3 ticks out of it: main 100 - 6 * 3 = 82, b 25 - 4 * 3 = 13 */
static void check_inline_loops(void) {
  struct run *r = run_child("inline_loops", sc_inline_loops, NULL);
  json_t *p = r->prof, *l = loop_by_line(p, 7);
  CHECK(l != NULL);
  CHECK_EQ_U64(jint(l, "entries"), 6);
  CHECK_EQ_U64(jint(l, "iterations"), 15);
  CHECK_EQ_U64(jint(l, "zero_trip"), 1);
  CHECK_EQ_U64(jint(l, "min_trip"), 1);
  CHECK_EQ_U64(jint(l, "max_trip"), 4);
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 82);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 69);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 13);
  CHECK_EQ_U64(func_int(p, "b", "excl_ns"), 13);
  CHECK_EQ_U64(top_int(p, "compensated_ns"), 18);
  run_free(r);
}

/* main [0,100]: 9 records by call in its own time (2 + 3 in the loop's),
 * b [35,60]: 4; the loop [70,90]: 3.  4 ticks each come off: b 25 - 16,
 * main 100 - 36, the loop 20 - 12 (every record is compensated, as the
 * inline ones: before, they were a cost nothing took out). */
static void check_call_loops(void) {
  struct run *r = run_child("call_loops", sc_call_loops, NULL);
  json_t *p = r->prof, *l = loop_by_line(p, 9), *timed = loop_by_line(p, 5);
  CHECK(l != NULL && timed != NULL);
  CHECK_EQ_U64(jint(l, "entries"), 9);
  CHECK_EQ_U64(jint(l, "iterations"), 21);
  CHECK_EQ_U64(jint(l, "zero_trip"), 1);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 9);
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 64);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 55);
  CHECK_EQ_U64(jint(timed, "incl_ns"), 8);
  CHECK_EQ_U64(top_int(p, "compensated_ns"), 36);
  run_free(r);
}

/* main [0,100]: 9 call-site pairs, b [35,60]: 4, the loop [70,90]: 3;
 * 3 ticks each come off: b 25 - 12, main 100 - 27, the loop 20 - 9 (before,
 * a cost nothing took out: helper-21's `tiny` loop, 5 M pairs, read 42 ms
 * for the 8 ms it takes uninstrumented).  The evidence itself is kept. */
static void check_call_sites(void) {
  struct run *r = run_child("call_sites", sc_call_sites, NULL);
  json_t *p = r->prof, *timed = loop_by_line(p, 5);
  CHECK(timed != NULL);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 13);
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 73);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 60);
  CHECK_EQ_U64(jint(timed, "incl_ns"), 11);
  CHECK_EQ_U64(top_int(p, "compensated_ns"), 27);
  json_t *cs = json_array_get(json_object_get(p, "callsites"), 0);
  CHECK(cs != NULL);
  CHECK_EQ_U64(jint(cs, "calls"), 9);
  CHECK_EQ_U64(jint(cs, "same_args"), 2); /* 1 after 1, twice */
  run_free(r);
}

/* a's 20 ticks of waiting come off a (30 -> 10) and main (100 -> 80); b's
 * 25 blocked (a voluntary switch) stay: the program's own wait. */
static void check_cpu_wait(void) {
  struct run *r = run_child("cpu_wait", sc_cpu_wait, NULL);
  json_t *p = r->prof;
  CHECK_EQ_U64(func_int(p, "a", "incl_ns"), 10);
  CHECK_EQ_U64(func_int(p, "b", "incl_ns"), 30);
  CHECK_EQ_U64(func_int(p, "main", "incl_ns"), 80);
  CHECK_EQ_U64(func_int(p, "main", "excl_ns"), 40);
  CHECK_EQ_U64(top_int(p, "cpu_wait_ns"), 20);
  run_free(r);
  /* AUTOPROF_CPU_WAIT=0: the intervals as measured */
  static const char *const off[] = {"AUTOPROF_CPU_WAIT=0", NULL};
  r = run_child("cpu_wait_off", sc_cpu_wait, off);
  CHECK_EQ_U64(func_int(r->prof, "a", "incl_ns"), 30);
  CHECK_EQ_U64(func_int(r->prof, "main", "incl_ns"), 100);
  CHECK_EQ_U64(top_int(r->prof, "cpu_wait_ns"), 0);
  run_free(r);
}

/* r[0,50] { r[10,40] { r[20,30] } }: inclusive once (50), exclusive 50 */
static void check_recursion(void) {
  struct run *r = run_child("recursion", sc_recursion, NULL);
  CHECK_EQ_U64(func_int(r->prof, "r", "calls"), 3);
  CHECK_EQ_U64(func_int(r->prof, "r", "incl_ns"), 50);
  CHECK_EQ_U64(func_int(r->prof, "r", "excl_ns"), 50);
  CHECK_EQ_U64(node_int(r->prof, "r>r", "incl_ns"), 30);
  CHECK_EQ_U64(node_int(r->prof, "r>r>r", "incl_ns"), 10);
  CHECK_EQ_U64(node_int(r->prof, "r>r", "excl_ns"), 20);
  run_free(r);
}

/* A timed loop in r that calls r (a quicksort's shape): REPS times
 * r{loop[ r{loop[ r{loop[10 ticks]} ]} ]}, each level's loop 10 ticks of its
 * own.  The outermost entry is the loop's time (30 ticks a walk); the two
 * inside it are nested.  Short, so sampled: with constant durations the
 * estimate is exact all the same. */
static struct ap_loop_site rec_sites[1] = {
    {AP_LOOP_TIMED, 31, 0, 1, "t.c", &sites[R], "r", NULL},
};
static struct ap_module rec_module = LOOP_MODULE(rec_sites);
enum { REC_REPS = 4000 };

static void rec_level(int depth) {
  E(S(R));
  struct ap_loop_stamp st;
  __autoprof_loop_start(&rec_sites[0], &st);
  ADV(5);
  if (depth > 1)
    rec_level(depth - 1);
  ADV(5);
  __autoprof_loop_timed(&rec_sites[0], 1, &st);
  X(S(R));
}

static int sc_loop_recursion(void) {
  __autoprof_register(&rec_module);
  AT(1000), E(S(MAIN));
  for (int i = 0; i < REC_REPS; i++)
    rec_level(3);
  X(S(MAIN));
  return 0;
}

static void check_loop_recursion(void) {
  const char *exact[] = {"AUTOPROF_EXACT_TIMING=1", NULL};
  for (int k = 0; k < 2; k++) {
    struct run *r = run_child(k ? "loop_recursion_exact" : "loop_recursion", sc_loop_recursion,
                              k ? exact : NULL);
    json_t *l = loop_by_line(r->prof, 31);
    CHECK(l != NULL);
    CHECK_EQ_U64(jint(l, "entries"), 3 * REC_REPS);
    CHECK_EQ_U64(jint(l, "nested_entries"), 2 * REC_REPS);
    CHECK_EQ_U64(jint(l, "incl_ns"), 30 * REC_REPS); /* was 60: each moment once per level */
    CHECK_EQ_U64(func_int(r->prof, "r", "incl_ns"), 30 * REC_REPS);
    if (k)
      CHECK_EQ_U64(jint(l, "timed_entries"), REC_REPS);
    else
      CHECK(jint(l, "timed_entries") < REC_REPS / 4); /* sampled: short entries */
    run_free(r);
  }
}

/* A timed loop entry's own probes inside its interval (calibrated as
 * loop_self) come off each timed entry: 100 entries of 60 ticks, 4 each. */
static int sc_loop_self(void) {
  ap_test_calibration = (struct ap_calibration){1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0};
  __autoprof_register(&loop_module);
  AT(1000), E(S(MAIN));
  for (int i = 0; i < 100; i++) {
    struct ap_loop_stamp st;
    __autoprof_loop_start(&loop_sites[0], &st);
    ADV(60);
    __autoprof_loop_timed(&loop_sites[0], 2, &st);
  }
  X(S(MAIN));
  return 0;
}

static void check_loop_self(void) {
  const char *env[] = {"AUTOPROF_EXACT_TIMING=1", NULL};
  struct run *r = run_child("loop_self", sc_loop_self, env);
  json_t *l = loop_by_line(r->prof, 5);
  CHECK(l != NULL);
  CHECK_EQ_U64(jint(l, "incl_ns"), 100 * 56);
  run_free(r);
}

/* Adaptive timing switches a slot between sampled (short calls) and timed
 * on every call (long ones).  Phases: 6,400 short calls (10 ticks), then
 * 2,048 long ones (5,000), twice over, for function b and for main's timed
 * loop alike.  Each timed interval counts for the calls it stands for: with
 * one scale for all timed calls the long ones, all timed, counted several
 * times over (3x the truth).  What is left is the sampling error of the
 * first long calls, sampled until a window of them shows they are long
 * (a few %; the random distances are seeded by thread id). */
static uint64_t phases_truth(void) {
  return 2 * (6400 * 10 + 2048 * 5000);
}

static int sc_phases(void) {
  __autoprof_register(&loop_module);
  AT(1000), E(S(MAIN));
  for (int rep = 0; rep < 2; rep++)
    for (int ph = 0; ph < 2; ph++)
      for (int i = 0; i < (ph ? 2048 : 6400); i++) {
        E(S(B)), ADV(ph ? 5000 : 10), X(S(B));
        struct ap_loop_stamp st;
        __autoprof_loop_start(&loop_sites[0], &st);
        ADV(ph ? 5000 : 10);
        __autoprof_loop_timed(&loop_sites[0], 1, &st);
      }
  X(S(MAIN));
  return 0;
}

static void check_phases(void) {
  struct run *r = run_child("phases", sc_phases, NULL);
  double truth = (double)phases_truth();
  json_t *b = func_by_name(r->prof, "b"), *l = loop_by_line(r->prof, 5);
  CHECK(b != NULL && l != NULL);
  CHECK(jint(b, "timed_calls") < 8000); /* some of it was sampled */
  CHECK(jint(l, "timed_entries") < 8000);
  double fb = (double)jint(b, "incl_ns"), fl = (double)jint(l, "incl_ns");
  CHECK(fb > 0.85 * truth && fb < 1.15 * truth);
  CHECK(fl > 0.85 * truth && fl < 1.15 * truth);
  run_free(r);
}

/* A tree walk: r over a 4-ary tree of depth 5 (1,365 calls a walk, 10
 * ticks of its own each), 400 walks from main.  The top calls last 13,650
 * ticks, the leaves 10: over all of r's timed calls the spread is huge,
 * within the outermost paths (and within the nested ones, level by level)
 * it is not, and r's self time, all of the run, is estimated with a small
 * error (it was reported +-999 %: the spread of all its calls, applied to
 * the 400 top calls). */
static void walk_level(int depth) {
  E(S(R));
  ADV(10);
  for (int k = 0; depth > 0 && k < 4; k++)
    walk_level(depth - 1);
  X(S(R));
}

static int sc_walk(void) {
  __autoprof_register(&module);
  AT(1000), E(S(MAIN));
  for (int i = 0; i < 400; i++)
    walk_level(5);
  X(S(MAIN));
  return 0;
}

static void check_walk(void) {
  struct run *r = run_child("walk", sc_walk, NULL);
  json_t *f = func_by_name(r->prof, "r");
  CHECK(f != NULL);
  CHECK_EQ_U64(jint(f, "calls"), 400 * 1365);
  CHECK(jint(f, "timed_calls") < 400 * 1365 / 4); /* sampled */
  double err = json_real_value(json_object_get(f, "time_error"));
  double self = (double)jint(f, "excl_ns"), truth = 400.0 * 1365 * 10;
  CHECK(err < 0.3);
  CHECK(self > (1 - 3 * err - 0.01) * truth && self < (1 + 3 * err + 0.01) * truth);
  run_free(r);
}

int main(void) {
  make_tmpdir("timing");
  check_walk();
  check_phases();
  check_loop_recursion();
  check_loop_self();
  check_raw();
  check_compensated();
  check_recursion();
  check_inline_loops();
  check_call_loops();
  check_call_sites();
  check_cpu_wait();
  check_adaptive_exact_estimates();
  check_adaptive_varying();
  check_loop_kids();
  TEST_DONE();
}
