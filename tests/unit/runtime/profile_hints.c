/* The profile model on its own: hints on a constructed profile (selection,
 * ranking, messages, evidence, re-analysis with other thresholds), the JSON
 * writer (escaping, read back with jansson) and the text report. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "autoprof/abi.h"
#include "profile.h"

/* main > process > parse > {tokenize, tiny};  main > other.  run = 1 ms. */
static struct ap_profile *make_profile(void) {
  struct ap_profile *p = ap_profile_new();
  static const struct {
    const char *name;
    uint32_t line;
    int64_t parent;
    uint64_t calls, incl, excl;
  } f[] = {
      {"main", 1, -1, 1, 1000000, 10000},     {"process", 10, 0, 1, 900000, 50000},
      {"parse", 20, 1, 100, 800000, 100000},  {"tokenize", 30, 2, 100000, 600000, 600000},
      {"tiny", 40, 2, 50000, 100000, 100000}, {"other", 50, 0, 10, 90000, 90000},
  };
  for (size_t i = 0; i < 6; i++) {
    long k = ap_profile_add_function(p, f[i].name, "p.c", f[i].line);
    p->functions[k].calls = f[i].calls;
    p->functions[k].incl_ns = f[i].incl;
    p->functions[k].excl_ns = f[i].excl;
    ap_profile_add_node(p, f[i].parent, (uint32_t)k, f[i].calls, f[i].incl, f[i].excl);
  }
  p->functions[0].flags = AP_FUNC_MAIN;
  p->call_cost_ns = 1.5;
  ap_profile_set_str(&p->program, "prog");
  p->pid = 42;
  return p;
}

static const char *hint_kind(const struct ap_profile *p, size_t i) {
  return i < p->nhints ? ap_hint_kind_name(p->hints[i].kind) : "(none)";
}
static const char *hint_func(const struct ap_profile *p, size_t i) {
  return i < p->nhints ? p->hints[i].function : "(none)";
}

static double evidence(const struct ap_prof_hint *h, const char *key) {
  for (size_t i = 0; i < h->nevidence; i++)
    if (strcmp(h->evidence[i].key, key) == 0)
      return h->evidence[i].value;
  return -1;
}

static void test_ranking(void) {
  struct ap_profile *p = make_profile();
  CHECK_EQ_U64(ap_profile_run_ns(p), 1000000);
  CHECK_EQ_U64(ap_profile_analyze(p, NULL), 7);
  static const char *want[][2] = {
      {"hot-function", "tokenize"}, {"hot-path", "parse"},     {"hot-function", "parse"},
      {"hot-function", "tiny"},     {"hot-function", "other"}, {"inline", "tiny"},
      {"hot-function", "process"},
  };
  for (size_t i = 0; i < 7; i++) {
    CHECK_STR(hint_kind(p, i), want[i][0]);
    CHECK_STR(hint_func(p, i), want[i][1]);
  }
  const struct ap_prof_hint *path = &p->hints[1], *inl = &p->hints[5];
  CHECK_EQ_U64(path->savings_ns, 600000);
  CHECK_EQ_U64(path->line, 20);
  CHECK_STR(path->message,
            "main > process > parse > tokenize takes 60.0% of the run: parse (p.c:20) calls "
            "tokenize 100,000 times (1000 per call of parse, 6.0 ns each, 600.0 us in all); "
            "calling it less often from there (cache, batch or hoist the calls) or making it "
            "faster saves up to 600.0 us");
  CHECK_EQ_U64(evidence(path, "depth"), 4);
  CHECK_EQ_U64(evidence(path, "caller_calls"), 100);
  CHECK_EQ_U64(inl->savings_ns, 75000);
  CHECK(evidence(inl, "overhead_share") > 0.428 && evidence(inl, "overhead_share") < 0.429);
  CHECK_STR(inl->message,
            "tiny is called 50,000 times and runs 2.0 ns per call in its own body, while a call "
            "costs about 1.5 ns here (43% of each call): make it inlinable (static inline in a "
            "header, or LTO) to save about 75.0 us");
  CHECK_EQ_U64(evidence(&p->hints[0], "calls"), 100000);
  CHECK(evidence(&p->hints[0], "self_share") == 0.6);

  /* hints are derived data: re-run with other thresholds */
  struct ap_hint_params q;
  ap_hint_params_default(&q);
  q.hot_function_share = 0.5;
  q.inline_min_calls = 60000;
  CHECK_EQ_U64(ap_profile_analyze(p, &q), 2);
  CHECK_STR(hint_kind(p, 1), "hot-path");
  q.hot_path_share = 0.7;
  CHECK_EQ_U64(ap_profile_analyze(p, &q), 1);
  ap_profile_free(p);
}

/* A body so short that nothing of it is left after compensation (it ran
 * in the shadow of the probes): the inline hint says so instead of "0 ns
 * per call ... (100% of each call)". */
static void test_inline_unresolved(void) {
  struct ap_profile *p = make_profile();
  for (size_t i = 0; i < p->nfunctions; i++)
    if (strcmp(p->functions[i].name, "tiny") == 0)
      p->functions[i].excl_ns = 7; /* 50,000 calls */
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *inl = NULL;
  for (size_t i = 0; i < p->nhints; i++)
    if (strcmp(hint_kind(p, i), "inline") == 0)
      inl = &p->hints[i];
  CHECK(inl != NULL);
  if (inl) {
    CHECK_STR(inl->message,
              "tiny is called 50,000 times and runs under 0.5 ns per call in its own body, while "
              "a call costs about 1.5 ns here (most of each call): make it inlinable (static "
              "inline in a header, or LTO) to save about 75.0 us");
    CHECK_EQ_U64(inl->savings_ns, 75000);
  }
  ap_profile_free(p);
}

/* calls x call cost above the time its callers were measured at
 * (compensation took most of a loop of nothing but calls): the saving
 * stays the calls' cost, and the message says the times around them are
 * underestimates (helper-25: "saves 23.6 ms" of an 11 ms run, which is
 * what inlining saved uninstrumented). */
static void test_inline_over_callers(void) {
  struct ap_profile *p = make_profile();
  p->call_cost_ns = 20; /* 50,000 calls: 1 ms, parse (their caller) measured 800 us */
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *inl = NULL;
  for (size_t i = 0; i < p->nhints; i++)
    if (strcmp(hint_kind(p, i), "inline") == 0 && strcmp(hint_func(p, i), "tiny") == 0)
      inl = &p->hints[i];
  CHECK(inl != NULL);
  if (inl) {
    CHECK_EQ_U64(inl->savings_ns, 1000000);
    CHECK_EQ_U64(evidence(inl, "callers_ns"), 800000);
    CHECK_STR(inl->message,
              "tiny is called 50,000 times and runs 2.0 ns per call in its own body, while a "
              "call costs about 20 ns here (91% of each call): make it inlinable (static "
              "inline in a header, or LTO) to save about 1.0 ms (more than the 800.0 us its "
              "callers were measured at: the probes' compensation took more than they cost "
              "around these calls, and the times there are underestimates)");
  }
  /* all its calls in a timed loop it is the top callee of: that loop's time */
  long l = ap_profile_add_loop(p, "parse", "p.c", 21, 1);
  p->loops[l].timed = 1;
  p->loops[l].entries = 100;
  p->loops[l].iterations = 50000;
  p->loops[l].incl_ns = 300000;
  ap_profile_set_str(&p->loops[l].top_callee, "tiny");
  p->loops[l].top_callee_calls = 50000;
  ap_profile_analyze(p, NULL);
  for (size_t i = 0; i < p->nhints; i++)
    if (strcmp(hint_kind(p, i), "inline") == 0 && strcmp(hint_func(p, i), "tiny") == 0)
      CHECK_EQ_U64(evidence(&p->hints[i], "callers_ns"), 300000);
  ap_profile_free(p);
}

static size_t path_hints(const struct ap_profile *p, const char **func);

/* A sampled estimate whose 95 % error reaches 100 % gets no hot-function
 * hint (one slowed sampled call stands for ~32), and ends no hot path;
 * under that, it does both. */
static void test_unreliable_estimate(void) {
  struct ap_profile *p = make_profile();
  struct ap_prof_func *tok = NULL;
  for (size_t i = 0; i < p->nfunctions; i++)
    if (strcmp(p->functions[i].name, "tokenize") == 0)
      tok = &p->functions[i];
  CHECK(tok != NULL);
  if (!tok) {
    ap_profile_free(p);
    return;
  }
  tok->timed_calls = tok->calls / 32;
  tok->time_error = 1.2;
  ap_profile_analyze(p, NULL);
  for (size_t i = 0; i < p->nhints; i++)
    CHECK(!(strcmp(hint_kind(p, i), "hot-function") == 0 &&
            strcmp(hint_func(p, i), "tokenize") == 0));
  const char *func = NULL;
  CHECK_EQ_U64(path_hints(p, &func), 0); /* main > process > parse > tokenize */
  tok->time_error = 0.4;
  ap_profile_analyze(p, NULL);
  CHECK_STR(hint_kind(p, 0), "hot-function");
  CHECK_STR(hint_func(p, 0), "tokenize");
  CHECK_EQ_U64(path_hints(p, &func), 1);
  CHECK_STR(func, "parse");
  ap_profile_free(p);
}

/* A path whose end runs once and whose time is its children's (a driver:
 * main > run > dispatch, split among a and b) gets no hot-path hint:
 * "making dispatch faster saves up to" the whole run is no advice.  Two
 * calls, or an end doing the work itself: a hint. */
/* The hot-path hints of P: how many, and the function of the last. */
static size_t path_hints(const struct ap_profile *p, const char **func) {
  size_t n = 0;
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_HOT_PATH) {
      n++;
      *func = p->hints[i].function;
    }
  return n;
}

static void test_path_driver(void) {
  struct ap_profile *p = ap_profile_new();
  const char *names[] = {"main", "run", "dispatch", "a", "b"}, *func = NULL;
  long f[5];
  for (int i = 0; i < 5; i++) {
    f[i] = ap_profile_add_function(p, names[i], "d.c", (uint32_t)(10 * i + 1));
    p->functions[f[i]].calls = 1;
  }
  long m = ap_profile_add_node(p, -1, (uint32_t)f[0], 1, 1000000, 10000);
  long r = ap_profile_add_node(p, m, (uint32_t)f[1], 1, 990000, 10000);
  long d = ap_profile_add_node(p, r, (uint32_t)f[2], 1, 980000, 20000);
  long a = ap_profile_add_node(p, d, (uint32_t)f[3], 1, 480000, 480000);
  long b = ap_profile_add_node(p, d, (uint32_t)f[4], 1, 480000, 480000);
  ap_profile_analyze(p, NULL);
  CHECK_EQ_U64(path_hints(p, &func), 0);
  p->nodes[d].calls = 2; /* run calls it twice: a hint, on run */
  ap_profile_analyze(p, NULL);
  CHECK_EQ_U64(path_hints(p, &func), 1);
  CHECK_STR(func, "run");
  /* run once but doing the work itself (its own 60%; a and b 19% each) */
  p->nodes[d].calls = 1;
  p->nodes[d].excl_ns = 600000;
  p->nodes[a].incl_ns = p->nodes[a].excl_ns = p->nodes[b].incl_ns = p->nodes[b].excl_ns = 190000;
  ap_profile_analyze(p, NULL);
  CHECK_EQ_U64(path_hints(p, &func), 1);
  CHECK_STR(func, "run");
  ap_profile_free(p);
}

/* A memo candidate's cache hits are priced at what the calls they answer
 * cost: the mean call less how much more a timed call costs than a timed
 * answered one (raw times).  Cheap repeated arguments, costly distinct
 * ones: no hint, whatever the mean; costly repeated ones: the hint, at
 * their cost. */
static const struct ap_prof_hint *memo_hint(const struct ap_profile *p) {
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_MEMOIZE)
      return &p->hints[i];
  return NULL;
}

/* lz4's LZ4HC_countPattern (helper-22): 87,786 distinct tuples estimated
 * over 658,551 calls (86.67 % repeats) beside a 4096-entry cache answering
 * 580,950: at most 77,601 distinct, 88.22 % repeats */
static void test_memo_bound(void) {
  struct ap_prof_memo m = {0};
  m.calls = 658551;
  m.distinct = 87786;
  m.repeat_rate = 1.0 - 87786.0 / 658551.0;
  m.cache_hits[AP_MEMO_CACHES - 1] = 580950;
  ap_memo_bound_distinct(&m);
  CHECK_EQ_U64(m.distinct, 77601);
  CHECK(m.repeat_rate > 0.8821 && m.repeat_rate < 0.8822);
  m.distinct = 70000; /* below the bound: kept */
  ap_memo_bound_distinct(&m);
  CHECK_EQ_U64(m.distinct, 70000);
}

static void test_memo_answered_cost(void) {
  struct ap_profile *p = ap_profile_new();
  long m = ap_profile_add_function(p, "main", "m.c", 1),
       f = ap_profile_add_function(p, "f", "m.c", 5);
  p->functions[m].flags = AP_FUNC_MAIN;
  p->functions[m].calls = 1;
  p->functions[m].incl_ns = 100000000;
  p->functions[f].calls = 1000000;
  p->functions[f].incl_ns = p->functions[f].excl_ns = 90000000; /* 90 ns a call on average */
  long root = ap_profile_add_node(p, -1, (uint32_t)m, 1, 100000000, 10000000);
  ap_profile_add_node(p, root, (uint32_t)f, 1000000, 90000000, 90000000);
  long k = ap_profile_add_memo(p, "f", 1000000, 0.99);
  struct ap_prof_memo *e = &p->memo[k];
  ap_profile_set_str(&e->file, "m.c");
  e->line = 5;
  e->proven = 1;
  e->distinct = 10000;
  e->same_result = 990000;
  for (int c = 0; c < AP_MEMO_CACHES; c++) {
    e->cache_size[c] = c == 0 ? 16 : c == 1 ? 256 : 4096;
    e->cache_hits[c] = 990000;
  }
  /* no timing of the answered calls: the mean (89.1 ms) */
  ap_profile_analyze(p, NULL);
  const struct ap_prof_hint *h = memo_hint(p);
  CHECK(h != NULL);
  if (h) {
    CHECK_EQ_U64(h->savings_ns, 89100000);
    CHECK(evidence(h, "answered_cost_measured") == 0);
    CHECK_CONTAINS(h->message, "calls repeat one of about 10,000 argument tuples and got");
  }
  /* one tuple: said so ("one of about 1 argument tuples": helper-25) */
  e->distinct = 1;
  ap_profile_analyze(p, NULL);
  h = memo_hint(p);
  CHECK(h != NULL && strstr(h->message, "calls repeat the same argument tuple and got") != NULL);
  e->distinct = 10000;
  /* 999,995 of 1,000,000 answered: "99.99%", not "100.00%" (rounded down) */
  for (int c = 0; c < AP_MEMO_CACHES; c++)
    e->cache_hits[c] = 999995;
  ap_profile_analyze(p, NULL);
  h = memo_hint(p);
  CHECK(h != NULL && strstr(h->message, "would answer 99.99% of the calls") != NULL);
  for (int c = 0; c < AP_MEMO_CACHES; c++)
    e->cache_hits[c] = 990000;
  /* the answered calls 20 ns raw, the average 110 ns raw: 90 - 90 = 0 */
  e->raw_ns = 110.0 * 1000;
  e->raw_calls = 1000;
  for (int c = 0; c < AP_MEMO_CACHES; c++) {
    e->hit_raw_ns[c] = 20.0 * 990;
    e->hit_raw_calls[c] = 990;
  }
  ap_profile_analyze(p, NULL);
  CHECK(memo_hint(p) == NULL);
  /* the raw mean measured below the compensated mean (50 against 90 ns: two
   * estimates of a mean whose calls differ by 50x): the answered calls'
   * 21 ns raw less at least a timed call's own probes (15 ns), 6 ns each,
   * not 21 + 40 = 61 (helper-25: 66-87 ns for 20 ns calls) */
  p->calibration_ns[AP_CAL_SELF] = 15;
  e->raw_ns = 50.0 * 1000;
  for (int c = 0; c < AP_MEMO_CACHES; c++)
    e->hit_raw_ns[c] = 21.0 * 990;
  ap_profile_analyze(p, NULL);
  h = memo_hint(p);
  CHECK(h != NULL);
  if (h) {
    CHECK(evidence(h, "ns_per_answered_call") > 5.99 && evidence(h, "ns_per_answered_call") < 6.01);
    CHECK_EQ_U64(h->savings_ns, 5940000);
  }
  p->calibration_ns[AP_CAL_SELF] = 0;
  /* the answered calls the costly ones (100 ns raw against 95 on average):
   * 95 ns each, 94.05 ms, capped at the function's 90 ms */
  e->raw_ns = 95.0 * 1000;
  for (int c = 0; c < AP_MEMO_CACHES; c++)
    e->hit_raw_ns[c] = 100.0 * 990;
  ap_profile_analyze(p, NULL);
  h = memo_hint(p);
  CHECK(h != NULL);
  if (h) {
    CHECK_EQ_U64(h->savings_ns, 90000000);
    CHECK(evidence(h, "answered_cost_measured") == 1);
    CHECK(evidence(h, "ns_per_answered_call") > 94.9 && evidence(h, "ns_per_answered_call") < 95.1);
    CHECK_CONTAINS(h->message, "per call it would answer");
  }
  ap_profile_free(p);
}

static void test_no_evidence_no_hint(void) {
  struct ap_profile *p = ap_profile_new();
  CHECK_EQ_U64(ap_profile_analyze(p, NULL), 0); /* empty run: nothing, no crash */
  long f = ap_profile_add_function(p, "fib", "fib.c", 5);
  p->functions[f].calls = 1000000;
  p->functions[f].incl_ns = p->functions[f].excl_ns = 3000000;
  long root = ap_profile_add_node(p, -1, (uint32_t)f, 1, 3000000, 1000);
  ap_profile_add_node(p, root, (uint32_t)f, 999999, 2999000, 2999000);
  p->call_cost_ns = 1.5; /* 3 ns a call would qualify, but fib is recursive */
  CHECK_EQ_U64(ap_profile_analyze(p, NULL), 1);
  CHECK_STR(hint_kind(p, 0), "hot-function");
  ap_profile_free(p);
}

static void test_json(void) {
  struct ap_profile *p = make_profile();
  ap_profile_analyze(p, NULL);
  const char *weird = "q\"b\\s\n\t\x01\x1f\xc3\xa9\xe2\x82\xac";
  long f = ap_profile_add_function(p, weird, "d/\"x\".c", 3);
  ap_profile_add_symbol(p, (size_t)f, "w.constprop.0");
  p->functions[f].flags = AP_FUNC_CLONE | AP_FUNC_PURE;
  long bad = ap_profile_add_function(p, "bad\xff\xc3", "f.c", 1); /* invalid UTF-8 */
  ap_profile_add_loop(p, "main", "p.c", 3, 1);
  ap_profile_add_memo(p, "main", 3, 0.25);
  ap_profile_add_thread(p, 0, 1234, 150111, 1000000);
  ap_profile_set_str(&p->clock_source, "tsc");
  p->ticks_per_ns = 2.5;
  p->policy_digest = 0xabcdef;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_json(p, out), 0);
  fclose(out);
  json_error_t err;
  json_t *j = json_loads(buf, 0, &err);
  CHECK(j != NULL);
  if (!j) {
    fprintf(stderr, "%s\n%s\n", err.text, buf);
    return;
  }
  json_t *jf = json_array_get(json_object_get(j, "functions"), (size_t)f);
  CHECK_STR(json_string_value(json_object_get(jf, "name")), weird);
  CHECK_STR(json_string_value(json_object_get(jf, "file")), "d/\"x\".c");
  CHECK_STR(json_string_value(json_array_get(json_object_get(jf, "flags"), 0)), "pure");
  CHECK_STR(json_string_value(json_array_get(json_object_get(jf, "flags"), 1)), "clone");
  CHECK_STR(json_string_value(json_object_get(
                json_array_get(json_object_get(j, "functions"), (size_t)bad), "name")),
            "bad\xef\xbf\xbd\xef\xbf\xbd");
  CHECK_EQ_U64(json_integer_value(json_object_get(j, "autoprof")), 1);
  CHECK_EQ_U64(json_integer_value(json_object_get(j, "pid")), 42);
  CHECK_STR(json_string_value(json_object_get(json_object_get(j, "policy"), "digest")),
            "0000000000abcdef");
  CHECK(json_real_value(json_object_get(json_object_get(j, "clock"), "ticks_per_ns")) == 2.5);
  json_t *node = json_array_get(json_object_get(j, "callpaths"), 3);
  CHECK_EQ_U64(json_integer_value(json_object_get(node, "parent")), 2);
  CHECK_EQ_U64(json_integer_value(json_object_get(node, "incl_ns")), 600000);
  CHECK(json_integer_value(
            json_object_get(json_array_get(json_object_get(j, "callpaths"), 0), "parent")) == -1);
  json_t *h = json_array_get(json_object_get(j, "hints"), 0);
  CHECK_STR(json_string_value(json_object_get(h, "kind")), "hot-function");
  CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(h, "evidence"), "calls")),
               100000);
  CHECK_EQ_U64(json_array_size(json_object_get(j, "loops")), 1);
  CHECK_EQ_U64(json_array_size(json_object_get(j, "memo")), 1);
  CHECK_EQ_U64(json_integer_value(
                   json_object_get(json_array_get(json_object_get(j, "thread_list"), 0), "tid")),
               1234);
  json_decref(j);
  free(buf);
  ap_profile_free(p);
}

static void test_text(void) {
  struct ap_profile *p = make_profile();
  ap_profile_analyze(p, NULL);
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_text(p, out, 3), 0);
  fclose(out);
  CHECK_CONTAINS(buf, "autoprof report: prog (pid 42)\n");
  CHECK_CONTAINS(buf, "Hints, ranked by estimated savings (7)\n");
  CHECK_CONTAINS(buf, "  1. hot-function tokenize  p.c:30  saves up to 600.0 us\n");
  CHECK_CONTAINS(buf, "Top 3 of 6 functions by self time\n");
  CHECK_CONTAINS(
      buf, "   60.0%   600.0 us   600.0 us        100,000     6.0 ns   exact  tokenize  p.c:30\n");
  CHECK(strstr(buf, "  other  p.c:50\n") == NULL);   /* 4th by self time: cut by top=3 */
  CHECK(strstr(buf, "+-: times estimated") == NULL); /* nothing sampled */
  free(buf);
  /* adaptive timing: tiny's times come from 1,600 of its 50,000 calls */
  for (size_t i = 0; i < p->nfunctions; i++)
    if (!strcmp(p->functions[i].name, "tiny")) {
      p->functions[i].timed_calls = 1600;
      p->functions[i].time_error = 0.0213;
    }
  out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_text(p, out, 3), 0);
  fclose(out);
  CHECK_CONTAINS(buf, "         50,000     2.0 ns  +-2.1%  tiny  p.c:40\n");
  CHECK_CONTAINS(buf,
                 "  +-: self time estimated from a random sample of its calls or its callees'");
  free(buf);
  /* and the hints on an estimate say so */
  ap_profile_analyze(p, NULL);
  int said = 0;
  for (size_t i = 0; i < p->nhints; i++)
    if (p->hints[i].kind == AP_HINT_HOT_FUNCTION && !strcmp(p->hints[i].function, "tiny")) {
      CHECK_CONTAINS(p->hints[i].message,
                     "tiny spends 10.0% of the run in its own body (50,000 calls, 2.0 ns each, "
                     "estimated +-2.1%; 10.0% with its callees)");
      CHECK(evidence(&p->hints[i], "time_error") > 0.021);
      said = 1;
    }
  CHECK(said);
  ap_profile_free(p);
}

/* No hints: why, when the probes took most of the run */
static void test_no_hints(void) {
  struct ap_profile *p = make_profile(); /* not analyzed: no hints */
  CHECK_EQ_U64(p->nhints, 0);
  p->compensation = 1;
  p->wall_ns = 17100000;
  p->compensated_ns = 15300000;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_text(p, out, 3), 0);
  fclose(out);
  CHECK_CONTAINS(buf, "No hints: the probes took 15.3 ms of this 17.1 ms run, more than the work "
                      "left in the functions they measure; leave the busiest small functions "
                      "out (`autoprof policy suggest`");
  free(buf);
  p->compensated_ns = 1000000;
  out = open_memstream(&buf, &len);
  CHECK_EQ_U64(ap_profile_write_text(p, out, 3), 0);
  fclose(out);
  CHECK_CONTAINS(buf, "No hints: no function, path or call pattern crossed a threshold.\n");
  free(buf);
  ap_profile_free(p);
}

static void test_format(void) {
  char b[32];
  CHECK_STR(ap_fmt_count(b, 0), "0");
  CHECK_STR(ap_fmt_count(b, 1234567), "1,234,567");
  CHECK_STR(ap_fmt_count(b, 100), "100");
  CHECK_STR(ap_fmt_ns(b, 1.23e9), "1.23 s");
  CHECK_STR(ap_fmt_ns(b, 45.6e6), "45.6 ms");
  CHECK_STR(ap_fmt_ns(b, 2.5), "2.5 ns");
  CHECK_EQ_U64(ap_hint_kind_from_name("inline"), AP_HINT_INLINE);
  CHECK(ap_hint_kind_from_name("nope") == -1);
  CHECK_EQ_U64(ap_func_flag_from_name("no-debug"), AP_FUNC_NO_DEBUG);
}

int main(void) {
  test_path_driver();
  test_ranking();
  test_inline_unresolved();
  test_inline_over_callers();
  test_unreliable_estimate();
  test_memo_bound();
  test_memo_answered_cost();
  test_no_evidence_no_hint();
  test_json();
  test_text();
  test_no_hints();
  test_format();
  TEST_DONE();
}
