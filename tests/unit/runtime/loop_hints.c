/* hot-loop hints and the loops table of the text report, on constructed
 * profiles: each pattern (dominant loop, tiny trip count, O(n²) nest, loop
 * time mostly calls) with its exact message and evidence, the negative cases
 * that must stay silent, and the ranking among function and loop hints. */
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "autoprof/abi.h"
#include "profile.h"

/* main (root, 1 ms, self 100 us) > work (900 us, all self): run = 1 ms. */
static struct ap_profile *base_profile(void) {
  struct ap_profile *p = ap_profile_new();
  long m = ap_profile_add_function(p, "main", "m.c", 1);
  long w = ap_profile_add_function(p, "work", "w.c", 20);
  p->functions[m].calls = 1;
  p->functions[m].incl_ns = 1000000;
  p->functions[m].excl_ns = 100000;
  p->functions[m].flags = AP_FUNC_MAIN;
  p->functions[w].calls = 1;
  p->functions[w].incl_ns = p->functions[w].excl_ns = 900000;
  long root = ap_profile_add_node(p, -1, (uint32_t)m, 1, 1000000, 100000);
  ap_profile_add_node(p, root, (uint32_t)w, 1, 900000, 900000);
  ap_profile_set_str(&p->program, "loops");
  return p;
}

/* A loop with its counts; timed when incl_ns > 0. */
static struct ap_prof_loop *add_loop(struct ap_profile *p, const char *func, const char *file,
                                     uint32_t line, int64_t parent, uint64_t entries,
                                     uint64_t iterations, uint64_t min, uint64_t max,
                                     uint64_t incl_ns) {
  int ok = parent >= 0 && (size_t)parent < p->nloops;
  uint32_t depth = ok ? p->loops[parent].depth + 1 : parent < 0 ? 1 : 2;
  long i = ap_profile_add_loop(p, func, file, line, depth);
  struct ap_prof_loop *l = &p->loops[i];
  ap_profile_set_str(&l->origin_function, func);
  l->parent = parent;
  l->entries = entries;
  l->iterations = iterations;
  l->min_trip = min;
  l->max_trip = max;
  l->incl_ns = incl_ns;
  l->timed = incl_ns > 0;
  return l;
}

/* The instrumented calls made inside loop L, and its top callee's part. */
static void set_calls(struct ap_prof_loop *l, uint64_t calls, uint64_t ns, const char *top,
                      uint64_t top_calls, uint64_t top_ns) {
  l->calls = calls;
  l->calls_ns = ns;
  ap_profile_set_str(&l->top_callee, top);
  l->top_callee_calls = top_calls;
  l->top_callee_ns = top_ns;
}

static const struct ap_prof_hint *loop_hint_at(const struct ap_profile *p, uint32_t line) {
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_HOT_LOOP && p->hints[i].line == line)
      return &p->hints[i];
  return NULL;
}

static size_t loop_hints(const struct ap_profile *p) {
  size_t n = 0;
  for (size_t i = 0; i < p->nhints; i++)
    n += p->hints[i].kind == AP_HINT_HOT_LOOP;
  return n;
}

/* -1 when the hint lacks the key (or there is no hint). */
static double ev(const struct ap_prof_hint *h, const char *key) {
  for (size_t i = 0; h && i < h->nevidence; i++)
    if (strcmp(h->evidence[i].key, key) == 0)
      return h->evidence[i].value;
  return -1;
}

static const char *msg(const struct ap_prof_hint *h) {
  return h ? h->message : "(no hint)";
}

static void test_dominant(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "w.c", 22, -1, 100, 100000, 500, 1500, 600000);
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = loop_hint_at(p, 22);
  CHECK(h != NULL);
  CHECK_EQ_U64(loop_hints(p), 1);
  CHECK_STR(h ? h->function : NULL, "work");
  CHECK_STR(h ? h->file : NULL, "w.c");
  CHECK_EQ_U64(h ? h->savings_ns : 0, 600000);
  CHECK_STR(msg(h), "the loop at w.c:22 in work takes 60.0% of the run (100 entries, 100,000 "
                    "iterations, trips 500/1,000/1,500, 6.0 ns per iteration): where to look "
                    "first; a faster loop saves up to 600.0 us");
  CHECK(ev(h, "share") == 0.6);
  CHECK_EQ_U64(ev(h, "entries"), 100);
  CHECK_EQ_U64(ev(h, "iterations"), 100000);
  CHECK_EQ_U64(ev(h, "min_trip"), 500);
  CHECK_EQ_U64(ev(h, "avg_trip"), 1000);
  CHECK_EQ_U64(ev(h, "max_trip"), 1500);
  CHECK(ev(h, "ns_per_iter") == 6.0);
  CHECK_EQ_U64(ev(h, "measured"), 1);

  /* hot_loop_share is the policy's knob: 0.7 silences a 60% loop */
  struct ap_hint_params q;
  ap_hint_params_default(&q);
  q.hot_loop_share = 0.7;
  ap_profile_analyze(p, &q);
  CHECK_EQ_U64(loop_hints(p), 0);

  /* one entry: its trip is its iterations */
  p->loops[0].entries = 1;
  p->loops[0].min_trip = p->loops[0].max_trip = 100000;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 22)),
                 "takes 60.0% of the run (1 entry of 100,000 iterations, 6.0 ns per iteration)");
  ap_profile_free(p);
}

/* A dominant loop is judged and priced by its own time: the instrumented
 * calls it makes have hints of their own. */
static void test_dominant_own(void) {
  struct ap_profile *p = base_profile();
  struct ap_prof_loop *l = add_loop(p, "work", "w.c", 24, -1, 100, 100000, 500, 1500, 600000);
  set_calls(l, 10, 100000, "step", 10, 100000);
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = loop_hint_at(p, 24);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 500000);
  CHECK_STR(msg(h), "the loop at w.c:24 in work takes 60.0% of the run (100 entries, 100,000 "
                    "iterations, trips 500/1,000/1,500, 6.0 ns per iteration; 50.0% in its own "
                    "body, the rest in 10 calls, top callee step (100.0 us)): where to look "
                    "first; a faster loop saves up to 500.0 us");
  CHECK_EQ_U64(ev(h, "own_ns"), 500000);
  CHECK_EQ_U64(ev(h, "calls"), 10);
  CHECK_EQ_U64(ev(h, "calls_ns"), 100000);
  CHECK(ev(h, "share") == 0.6);

  /* a driver loop: 60% of the run, 58% in 10 long calls (fewer than its
   * iterations, so not "mostly calls" either): still the dominant loop,
   * priced by its own 2% (the callees have their own hints) */
  p->loops[0].calls_ns = p->loops[0].top_callee_ns = 580000;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 24);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 20000);
  CHECK_CONTAINS(msg(h), "takes 60.0% of the run");
  CHECK_CONTAINS(msg(h),
                 "; 2.0% in its own body, the rest in 10 calls, top callee step (580.0 us)");

  /* entries begun inside another entry (recursion) are said */
  p->loops[0].calls_ns = p->loops[0].top_callee_ns = 100000;
  p->loops[0].nested_entries = 40;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 24)), "40 of its entries");
  CHECK_CONTAINS(msg(loop_hint_at(p, 24)), "began inside another entry (recursion)");
  CHECK_EQ_U64(ev(loop_hint_at(p, 24), "nested_entries"), 40);
  ap_profile_free(p);
}

/* outer t.c:10 (timed, 400 us, 20,000 iterations) > inner t.c:11 (20,000
 * entries, 60,000 iterations: avg trip 3).  Untimed, the inner loop's time
 * is its 75% of the nest's 80,000 iterations: 300 us; overhead 1/(1+3). */
static void test_tiny_trips(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "main", "t.c", 10, -1, 1, 20000, 20000, 20000, 400000);
  struct ap_prof_loop *in = add_loop(p, "main", "t.c", 11, 0, 20000, 60000, 2, 4, 0);
  ap_profile_set_str(&in->origin_function, "step");
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = loop_hint_at(p, 11);
  CHECK_EQ_U64(loop_hints(p), 2); /* and the outer loop: dominant */
  CHECK_STR(h ? h->function : NULL, "main");
  CHECK_EQ_U64(h ? h->savings_ns : 0, 75000);
  CHECK_STR(msg(h), "the inner loop at t.c:11 in main (from step) runs only 3 iterations per "
                    "entry (trips 2/3/4) but is entered 20,000 times: loop overhead dominates; "
                    "unroll it, flatten the nest, or swap the loops to save about 75.0 us "
                    "(1/(1 + avg trip) = 25% of the loop's own time, estimated: 300.0 us, its "
                    "75% of the iterations of the timed loop at t.c:10 (400.0 us))");
  CHECK(ev(h, "share") == 0.3);
  CHECK_EQ_U64(ev(h, "avg_trip"), 3);
  CHECK(ev(h, "overhead_share") == 0.25);
  CHECK_EQ_U64(ev(h, "measured"), 0);
  CHECK(ev(h, "ns_per_iter") == -1); /* not timed: no time per iteration */
  CHECK(strstr(msg(loop_hint_at(p, 10)), "where to look first") != NULL);
  p->loops[1].iterations = 20000; /* one iteration per entry: still overhead */
  p->loops[1].min_trip = p->loops[1].max_trip = 1;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 11)), "runs only 1 iteration per entry (trips 1/1/1)");
  p->loops[1].iterations = 60000;
  p->loops[1].min_trip = 2;
  p->loops[1].max_trip = 4;

  /* timed itself: its own time (without its calls) is measured */
  in = &p->loops[1];
  in->timed = 1;
  in->incl_ns = 250000;
  in->calls = 1000;
  in->calls_ns = 50000;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 11);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 50000);
  CHECK_CONTAINS(msg(h), "(1/(1 + avg trip) = 25% of the loop's own time, measured: 200.0 us)");
  CHECK(ev(h, "ns_per_iter") > 4.16 && ev(h, "ns_per_iter") < 4.17);

  /* its time mostly calls (a partition loop calling the comparator): own
   * time 5 us, under loop_min_share (1 %) of the run: no tiny-trip hint */
  in->calls_ns = 245000;
  ap_profile_analyze(p, NULL);
  CHECK(strstr(msg(loop_hint_at(p, 11)), "loop overhead dominates") == NULL);
  in->calls_ns = 50000;

  /* no timed loop around it: its function's own time (main: 100 us) */
  p->loops[0].timed = 0;
  p->loops[0].incl_ns = 0;
  p->loops[1].timed = 0;
  p->loops[1].incl_ns = 0;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 11);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 18750);
  CHECK_CONTAINS(msg(h), "estimated: 75.0 us, its 75% of the iterations of its nest times "
                         "main's own time (100.0 us))");
  CHECK(loop_hint_at(p, 10) == NULL); /* untimed outer loop, not inner: nothing to say */
  ap_profile_free(p);
}

/* for (i = 0; i < 1000; i++) for (j = 0; j < i; j++): 999 entries, 499,500
 * iterations, trips 1..999. */
static void test_quadratic(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "q.c", 5, -1, 1, 1000, 1000, 1000, 800000);
  add_loop(p, "work", "q.c", 6, 0, 999, 499500, 1, 999, 0);
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = loop_hint_at(p, 6);
  /* loop time 800 us x 499,500/500,500; keep 1000 x log2(1000) = 9,966 */
  CHECK_EQ_U64(h ? h->savings_ns : 0, 782472);
  CHECK_STR(msg(h), "the loop at q.c:6 in work is the inner loop of an O(n²) algorithm: total "
                    "inner iterations 499,500 ≈ n²/2 for n = 1,000 outer iterations (ratio "
                    "1.00); an O(n log n) algorithm (sort, hash, tree) would run about 9,966 "
                    "instead and save up to 782.5 us (of the loop's time, estimated: 798.4 us, "
                    "its 100% of the iterations of the timed loop at q.c:5 (800.0 us))");
  CHECK_EQ_U64(ev(h, "n"), 1000);
  CHECK_EQ_U64(ev(h, "iterations"), 499500);
  CHECK(ev(h, "ratio") == 0.999);
  CHECK_EQ_U64(ev(h, "outer_entries"), 1);
  CHECK_EQ_U64(ev(h, "min_trip"), 1);
  CHECK_EQ_U64(ev(h, "max_trip"), 999);

  /* the same nest run 3 times (outer entries 3, n = 1000 each) */
  p->loops[0].entries = 3;
  p->loops[0].iterations = 3000;
  p->loops[1].entries = 2997;
  p->loops[1].iterations = 3 * 499500;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 6);
  CHECK_CONTAINS(msg(h), "for n = 1,000 outer iterations per entry (3 entries) (ratio 1.00)");
  CHECK_EQ_U64(ev(h, "outer_entries"), 3);

  /* j <= i: 1000 entries, trips 1..1000, 500,500 iterations: still n²/2 */
  p->loops[0].entries = 1;
  p->loops[0].iterations = 1000;
  p->loops[1].entries = 1000;
  p->loops[1].iterations = 500500;
  p->loops[1].max_trip = 1000;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 6)), "O(n²)");

  /* an insertion sort on random input: trips 0..999 varying with the
   * data, a quarter of n² in all (the demo's sort_records) */
  p->loops[1].entries = 992;
  p->loops[1].zero_trip = 8;
  p->loops[1].iterations = 251000;
  p->loops[1].max_trip = 998;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 6)), "total inner iterations 251,000 ≈ n²/4 for n = 1,000 "
                                          "outer iterations (ratio 0.50: its trips vary up to n, "
                                          "a half on average)");
  /* under n²/8: not that shape */
  p->loops[1].iterations = 180000;
  ap_profile_analyze(p, NULL);
  CHECK(loop_hint_at(p, 6) == NULL || strstr(msg(loop_hint_at(p, 6)), "O(n²)") == NULL);
  p->loops[1].zero_trip = 0;
  p->loops[1].entries = 1000;
  p->loops[1].max_trip = 1000;

  /* a flat nest with the same total: 1000 x 500, trips all 500 */
  p->loops[1].iterations = 500000;
  p->loops[1].min_trip = p->loops[1].max_trip = 500;
  ap_profile_analyze(p, NULL);
  CHECK(loop_hint_at(p, 6) == NULL);
  /* an outer loop whose trip varies: n²/2 of the average says nothing */
  p->loops[0].entries = 2;
  p->loops[0].min_trip = 400;
  p->loops[0].max_trip = 600;
  p->loops[1].min_trip = 1;
  p->loops[1].max_trip = 999;
  p->loops[1].iterations = 499500;
  ap_profile_analyze(p, NULL);
  CHECK(loop_hint_at(p, 6) == NULL);
  ap_profile_free(p);
}

/* run c.c:30: 500 us, 10 entries of 1,000 iterations, 10,000 calls taking
 * 400 us (lookup, all of them: 350 us).  Savings: lookup's 350 us x
 * (1 - 10/10,000); the other 50 us are no calls' (no repeats to count). */
static void test_calls(void) {
  struct ap_profile *p = base_profile();
  struct ap_prof_loop *l = add_loop(p, "work", "c.c", 30, -1, 10, 10000, 1000, 1000, 500000);
  set_calls(l, 10000, 400000, "lookup", 10000, 350000);
  /* no evidence that the calls repeat work (a driver calling its worker
   * once per row): a dominant loop, priced by its own 100 us */
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = loop_hint_at(p, 30);
  CHECK_EQ_U64(loop_hints(p), 1);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 100000);
  CHECK_CONTAINS(msg(h), "where to look first");
  CHECK(strstr(msg(h), "calls it makes") == NULL);
  /* a driver loop, its time all its calls' (under 1 % its own): not "a
   * faster loop saves up to 0 ns" (helper-21) */
  l->calls_ns = 499000;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 30);
  CHECK_EQ_U64(h ? h->savings_ns : 1, 1000);
  CHECK_CONTAINS(msg(h), "where to look first; its time is spent in its callees (their own hints "
                         "say what they could save)");
  CHECK(strstr(msg(h), "saves up to") == NULL);
  /* the longest shape: big counts, trips, recursion, zero-trip entries
   * (cut at 159 bytes: "its time counte", helper-22) */
  l->entries = 1234567890, l->iterations = 98765432109, l->zero_trip = 123456789;
  l->min_trip = 1, l->max_trip = 98765432, l->nested_entries = 1234567890;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 30);
  CHECK_CONTAINS(msg(h), "began inside another entry (recursion), its time counted once, ");
  l->entries = 10, l->iterations = 10000, l->zero_trip = 0, l->nested_entries = 0;
  l->min_trip = l->max_trip = 1000;
  l->calls_ns = 400000;
  /* lookup's calls repeat an earlier argument tuple (memo evidence) */
  long k = ap_profile_add_memo(p, "lookup", 10000, 0.999);
  p->memo[k].same_result = 9990;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 30);
  CHECK_EQ_U64(loop_hints(p), 1); /* not also a dominant-loop hint */
  CHECK_EQ_U64(h ? h->savings_ns : 0, 349650);
  CHECK_STR(msg(h), "the loop at c.c:30 in work: the loop's time is mostly the calls it makes: "
                    "top callee lookup (10,000 calls, 350.0 us); its 10,000 calls (1.0 per "
                    "iteration) take 80% of its 500.0 us, and they repeat work (99.9% of "
                    "lookup's calls repeat an earlier argument tuple, with its result): moving "
                    "the work that repeats out of the loop, or batching the calls, saves up to "
                    "349.6 us (the calls beyond one per entry)");
  CHECK(ev(h, "calls_share") == 0.8);
  CHECK_EQ_U64(ev(h, "calls"), 10000);
  CHECK_EQ_U64(ev(h, "calls_ns"), 400000);
  CHECK_EQ_U64(ev(h, "top_callee_calls"), 10000);
  CHECK_EQ_U64(ev(h, "top_callee_ns"), 350000);
  CHECK(ev(h, "share") == 0.5);
  CHECK(ev(h, "ns_per_iter") == 50);

  /* the top callee called 5 times (fewer than the entries) for 350 us: no
   * repeated work in it; the other 9,995 calls' 50 us x (1 - 10/9,995) */
  p->loops[0].top_callee_calls = 5;
  ap_profile_analyze(p, NULL);
  h = loop_hint_at(p, 30);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 49950);
  p->loops[0].top_callee_calls = 10000;

  /* calls a small share: the loop is still dominant, but not "mostly calls" */
  p->loops[0].calls_ns = 150000;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 30)), "where to look first");
  CHECK(strstr(msg(loop_hint_at(p, 30)), "calls it makes") == NULL);
  /* fewer calls than iterations (0.9 per iteration): none repeats */
  p->loops[0].calls = 9000;
  p->loops[0].top_callee_calls = 9000;
  ap_profile_analyze(p, NULL);
  CHECK(strstr(msg(loop_hint_at(p, 30)), "calls it makes") == NULL);
  p->loops[0].calls = 10000;
  p->loops[0].top_callee_calls = 10000;
  /* one call per entry: nothing repeats per iteration */
  p->loops[0].calls_ns = 400000;
  p->loops[0].calls = 10;
  ap_profile_analyze(p, NULL);
  CHECK(strstr(msg(loop_hint_at(p, 30)), "calls it makes") == NULL);
  /* call numbers not collected (0): no calls hint */
  p->loops[0].calls = p->loops[0].calls_ns = 0;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 30)), "where to look first");
  /* the evidence from a call site in the loop instead: strlen() returned
   * the same for the same arguments on 99.5% of its calls */
  p->loops[0].calls = 10000;
  p->loops[0].calls_ns = 400000;
  p->loops[0].top_callee_ns = 350000; /* capped to the 0 above */
  p->memo[k].repeat_rate = 0.1;       /* too few repeats to be evidence */
  ap_profile_analyze(p, NULL);
  CHECK(strstr(msg(loop_hint_at(p, 30)), "calls it makes") == NULL);
  long c = ap_profile_add_callsite(p, "strlen", "work", "c.c", 31, 30);
  p->callsites[c].calls = 10000;
  p->callsites[c].same_args = p->callsites[c].same_both = 9950;
  ap_profile_analyze(p, NULL);
  CHECK_CONTAINS(msg(loop_hint_at(p, 30)), "and they repeat work (strlen() at line 31 returned "
                                           "the same value for the same arguments on 99.5% of "
                                           "its calls)");
  /* the hoist hint names the loop as its record does, also where the
   * compiler's last pass placed it at another line (GCC -O2: the body's) */
  for (uint32_t at = 30; at <= 31; at++) {
    p->callsites[c].loop_line = at;
    ap_profile_analyze(p, NULL);
    const char *hoist = NULL;
    for (size_t i = 0; i < p->nhints; i++)
      if (p->hints[i].kind == AP_HINT_HOIST)
        hoist = p->hints[i].message;
    CHECK_CONTAINS(hoist, "inside the loop at c.c:30 (in work)");
  }
  /* the call site's sampled time less what a timed interval's own probes
   * put in it (self less the empty call's cost: 13 - (10 - 1.5) = 4.5 ns),
   * and no more saved than the function the calls are in takes (helper-30:
   * 13 ns read for a 3 ns strlen, a saving 4x the real one, over the run) */
  p->calibration_ns[AP_CAL_SELF] = 10;
  p->call_cost_ns = 1.5;
  p->callsites[c].ns_per_call = 13;
  ap_profile_analyze(p, NULL);
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_HOIST) {
      CHECK_EQ_U64(p->hints[i].savings_ns, 44775); /* 9950 x 4.5 */
      CHECK_CONTAINS(p->hints[i].message, "its calls take 4.5 ns each (sampled, one call in 64)");
    }
  p->callsites[c].ns_per_call = 1000;
  ap_profile_analyze(p, NULL);
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_HOIST)
      CHECK_EQ_U64(p->hints[i].savings_ns, 900000); /* work's 900 us, not 9.9 ms */
  ap_profile_free(p);
}

static void test_silent(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "s.c", 1, -1, 1, 999, 999, 999, 600000);           /* < 1,000 iterations */
  add_loop(p, "work", "s.c", 2, -1, 1, 1000000, 1000000, 1000000, 9999); /* < 1% */
  add_loop(p, "work", "s.c", 3, -1, 1, 20000, 20000, 20000, 40000);      /* 4%: under 5% */
  add_loop(p, "work", "s.c", 4, 2, 20000, 2000000, 50, 150, 0);          /* inner, big trips */
  add_loop(p, "nowhere", "s.c", 5, -1, 1, 5000, 5000, 5000, 0);          /* no time known */
  CHECK(ap_profile_analyze(p, NULL) >= 0);
  for (uint32_t line = 1; line <= 5; line++)
    CHECK(loop_hint_at(p, line) == NULL);

  /* parents a loaded profile may carry: out of range, itself, a cycle.  No
   * crash, no hang; with no enclosing loop found, the tiny-trip estimate
   * stands on the function's own time and says so. */
  add_loop(p, "work", "s.c", 6, 99, 20000, 40000, 2, 2, 0);
  add_loop(p, "work", "s.c", 7, 6, 20000, 40000, 2, 2, 0);
  add_loop(p, "work", "s.c", 8, -1, 20000, 40000, 2, 2, 0);
  add_loop(p, "work", "s.c", 9, 7, 20000, 40000, 2, 2, 0);
  p->loops[7].parent = 8;
  p->loops[7].depth = 2;
  CHECK(ap_profile_analyze(p, NULL) >= 0);
  for (uint32_t line = 6; line <= 9; line++)
    CHECK_CONTAINS(msg(loop_hint_at(p, line)), "of its nest times work's own time (900.0 us))");
  CHECK_EQ_U64(loop_hint_at(p, 6) ? loop_hint_at(p, 6)->savings_ns : 0, 300000);
  ap_profile_free(p);
}

/* Function and loop hints ranked together by savings. */
static void test_ranking(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "w.c", 22, -1, 100, 100000, 500, 1500, 600000);
  add_loop(p, "work", "w.c", 24, 0, 100000, 200000, 1, 3, 0);
  ap_profile_analyze(p, NULL);
  /* work 900 us self; loop 22 600 us; main 100 us self; loop 24: its 2/3 of
   * the nest's 300,000 iterations of 600 us = 400 us, x 1/(1+2) = 133.3 us */
  static const struct {
    const char *kind, *func;
    uint32_t line;
    uint64_t savings;
  } want[] = {
      {"hot-function", "work", 20, 900000},
      {"hot-loop", "work", 22, 600000},
      {"hot-loop", "work", 24, 133333},
      {"hot-function", "main", 1, 100000},
  };
  CHECK_EQ_U64(p->nhints, 4);
  for (size_t i = 0; i < 4 && i < p->nhints; i++) {
    CHECK_STR(ap_hint_kind_name(p->hints[i].kind), want[i].kind);
    CHECK_STR(p->hints[i].function, want[i].func);
    CHECK_EQ_U64(p->hints[i].line, want[i].line);
    CHECK_EQ_U64(p->hints[i].savings_ns, want[i].savings);
  }
  ap_profile_free(p);
}

static char *render(const struct ap_profile *p, unsigned top) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_text(p, out, top), 0);
  fclose(out);
  return buf;
}

/* Copies of one loop (inlining, unrolling, recursion turned into loops):
 * one hint per source line, the largest, saying how many more there were;
 * line 0 (unknown) is not one place. */
static void test_copies(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "w.c", 24, -1, 10, 100000, 5000, 15000, 300000);
  add_loop(p, "work", "w.c", 24, -1, 10, 100000, 5000, 15000, 200000);
  add_loop(p, "work", "w.c", 24, -1, 10, 100000, 5000, 15000, 100000);
  add_loop(p, "work", "w.c", 30, -1, 10, 100000, 5000, 15000, 100000);
  add_loop(p, "work", "w.c", 0, -1, 10, 100000, 5000, 15000, 100000);
  add_loop(p, "work", "w.c", 0, -1, 10, 100000, 5000, 15000, 100000);
  ap_profile_analyze(p, NULL);
  CHECK_EQ_U64(loop_hints(p), 4);
  const struct ap_prof_hint *h = loop_hint_at(p, 24);
  CHECK_EQ_U64(h ? h->savings_ns : 0, 300000);
  CHECK_CONTAINS(msg(h),
                 "a faster loop saves up to 300.0 us; 2 more loops at this line have a "
                 "hint too (copies the compiler made by inlining, unrolling or turning "
                 "recursion into loops, or loops written on one line): see the loops table");
  CHECK_EQ_U64(ev(h, "more_at_line"), 2);
  CHECK(ev(loop_hint_at(p, 30), "more_at_line") == -1);
  CHECK(ev(loop_hint_at(p, 0), "more_at_line") == -1);
  ap_profile_free(p);
}

/* Nested figures are capped by their container: a loop's time by its
 * function's (work: 900 us), an inner loop's by its parent's, the calls made
 * in a loop by the loop's time — each is compensated on its own, and a
 * calibration that misjudges the probes in place put xz's rc_encode loop at
 * 292 ms in a function of 31 ms, and a hint at "saves up to 6.26 s" of a
 * 6.02 s run. */
static void test_capped(void) {
  struct ap_profile *p = base_profile();
  struct ap_prof_loop *l = add_loop(p, "work", "w.c", 24, -1, 10, 100000, 5000, 15000, 1500000);
  set_calls(l, 50, 2000000, "step", 50, 1800000);
  add_loop(p, "work", "w.c", 25, 0, 100, 100000, 500, 1500, 1200000);
  add_loop(p, "other", "o.c", 3, -1, 10, 100000, 5000, 15000, 3000000); /* not a function here */
  add_loop(p, "work", "w.h", 7, -1, 10, 100000, 5000, 15000, 950000);   /* inlined from a header */
  /* a function its probes' compensation left at nothing: its loop too */
  long tiny = ap_profile_add_function(p, "probed", "w.c", 40);
  p->functions[tiny].calls = 2000000;
  add_loop(p, "probed", "w.c", 41, -1, 2000000, 2000000, 1, 1, 3000000);
  CHECK_EQ_U64(ap_profile_cap_loops(p), 5);
  CHECK_EQ_U64(p->loops[0].incl_ns, 900000);
  CHECK_EQ_U64(p->loops[0].calls_ns, 900000);
  CHECK_EQ_U64(p->loops[0].top_callee_ns, 900000);
  CHECK_EQ_U64(p->loops[1].incl_ns, 900000);
  CHECK_EQ_U64(p->loops[2].incl_ns, 1000000); /* the run */
  CHECK_EQ_U64(p->loops[3].incl_ns, 900000);  /* work's, by name */
  CHECK_EQ_U64(p->loops[4].incl_ns, 0);       /* probed's 0 ns */
  CHECK_EQ_U64(ap_profile_cap_loops(p), 0);
  ap_profile_analyze(p, NULL);
  for (size_t i = 0; i < p->nhints; i++)
    CHECK(p->hints[i].savings_ns <= 1000000);
  ap_profile_free(p);
}

static void test_table(void) {
  struct ap_profile *p = base_profile();
  add_loop(p, "work", "w.c", 22, -1, 100, 100000, 500, 1500, 600000);
  struct ap_prof_loop *l = add_loop(p, "main", "t.c", 11, -1, 20000, 60000, 2, 4, 0);
  ap_profile_set_str(&l->origin_function, "step");
  add_loop(p, "main", "t.c", 40, -1, 3, 5000, 1000, 2000, 0);
  add_loop(p, "work", "w.c", 30, -1, 1, 7, 7, 7, 70000);
  ap_profile_analyze(p, NULL);
  char *buf = render(p, 3);
  CHECK_CONTAINS(buf,
                 "\nTop 3 of 4 loops (timed loops by time, then the others by iterations)\n"
                 "   time%  of fn       time      entries     iterations   trips min/avg/max  "
                 "per iter  function  file:line\n"
                 "   60.0%  66.7%   600.0 us          100        100,000     500/1,000/1,500    "
                 "6.0 ns  work  w.c:22\n"
                 "    7.0%   7.8%    70.0 us            1              7               7/7/7   "
                 "10.0 us  work  w.c:30\n"
                 "       -      -          -       20,000         60,000               2/3/4     "
                 "    -  main (from step)  t.c:11\n");
  CHECK(strstr(buf, "t.c:40") == NULL); /* 4th: cut by top=3 */
  free(buf);
  buf = render(p, 0);
  CHECK_CONTAINS(buf, "  1,000/1,667/2,000         -  main  t.c:40\n"); /* avg 1,666.7 */
  free(buf);
  /* a wide trips cell widens its column for every row */
  add_loop(p, "work", "w.c", 50, -1, 1, 2000000, 2000000, 2000000, 0);
  buf = render(p, 0);
  CHECK_CONTAINS(buf, "     iterations               trips min/avg/max  per iter");
  CHECK_CONTAINS(buf, "      2,000,000   2,000,000/2,000,000/2,000,000         -  work  w.c:50\n");
  CHECK_CONTAINS(buf, "        100,000                 500/1,000/1,500    6.0 ns  work  w.c:22\n");
  free(buf);
  /* timed, but its entries that ran no iteration (28,000) outnumber its one
   * iteration: no time per iteration ("420 us" said nothing) */
  l = add_loop(p, "work", "w.c", 60, -1, 1, 1, 1, 1, 42000);
  l->zero_trip = 28000;
  buf = render(p, 0);
  CHECK_CONTAINS(buf, " 1/1/1         -  work  w.c:60\n");
  free(buf);
  ap_profile_free(p);

  /* no loops counted: no loop table at all */
  p = base_profile();
  ap_profile_analyze(p, NULL);
  buf = render(p, 0);
  CHECK(strstr(buf, " loops (timed") == NULL);
  CHECK_CONTAINS(
      buf, "   90.0%   900.0 us   900.0 us              1   900.0 us   exact  work  w.c:20\n");
  free(buf);
  ap_profile_free(p);
}

int main(void) {
  test_dominant();
  test_dominant_own();
  test_tiny_trips();
  test_quadratic();
  test_calls();
  test_silent();
  test_ranking();
  test_copies();
  test_capped();
  test_table();
  TEST_DONE();
}
