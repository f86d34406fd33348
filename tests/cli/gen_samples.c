/* Writes the sample profiles of tests/cli/samples with the runtime's own
 * model and JSON writer, so the samples are exactly what a run writes.
 * Usage: gen_samples DIR.  The test cli.samples_current runs it into the
 * build tree and compares with the committed files (the writer changed?
 * regenerate with AUTOPROF_UPDATE_GOLDEN=1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoprof/abi.h"
#include "profile.h"

struct fn {
  const char *name, *file;
  unsigned line, flags;
};
struct node {
  int parent;
  unsigned func;
  unsigned long long calls, incl, excl;
};

/* Functions' totals are the sums over their nodes (no recursion here). */
static void build(struct ap_profile *p, const struct fn *fns, size_t nf, const struct node *nodes,
                  size_t nn) {
  for (size_t i = 0; i < nf; i++) {
    long k = ap_profile_add_function(p, fns[i].name, fns[i].file, fns[i].line);
    p->functions[k].flags = fns[i].flags;
    ap_profile_add_symbol(p, (size_t)k, fns[i].name);
  }
  for (size_t i = 0; i < nn; i++) {
    const struct node *n = &nodes[i];
    ap_profile_add_node(p, n->parent, n->func, n->calls, n->incl, n->excl);
    struct ap_prof_func *f = &p->functions[n->func];
    f->calls += n->calls;
    f->incl_ns += n->incl;
    f->excl_ns += n->excl;
  }
}

/* Adaptive timing: NAME's self time estimated from TIMED of its calls,
 * with a 95 % relative error ERR. */
static void sampled(struct ap_profile *p, const char *name, unsigned long long timed, double err) {
  for (size_t i = 0; i < p->nfunctions; i++)
    if (strcmp(p->functions[i].name, name) == 0) {
      p->functions[i].timed_calls = timed;
      p->functions[i].time_error = err;
    }
}

static struct ap_profile *header(const char *program, long long pid, unsigned long long wall) {
  struct ap_profile *p = ap_profile_new();
  ap_profile_set_str(&p->program, program);
  p->pid = pid;
  p->wall_ns = wall;
  ap_profile_set_str(&p->clock_source, "test");
  p->ticks_per_ns = 1;
  p->probe_cost_ns = 6.5;
  p->call_cost_ns = 6;
  p->compensation = 1;
  p->compensated_ns = 12000000;
  ap_profile_set_str(&p->policy_file, "perf.yaml");
  p->policy_digest = 0x0123456789abcdefull;
  ap_profile_set_str(&p->compiler, "gcc 12.2.0");
  return p;
}

enum { MAIN = AP_FUNC_MAIN | AP_FUNC_ALWAYS };

/* An inner loop of work's loop l, whose calls go to leaf. */
static void inner_loop(struct ap_profile *p, long outer, unsigned long long entries,
                       unsigned long long leaf_calls, unsigned long long leaf_ns) {
  long l = ap_profile_add_loop(p, "work", "src/work.c", 24, 2);
  struct ap_prof_loop *in = &p->loops[l], *out = &p->loops[outer];
  in->parent = outer;
  in->entries = entries;
  in->iterations = leaf_calls;
  in->min_trip = 1;
  in->max_trip = 2 * leaf_calls / entries;
  out->calls = in->calls = leaf_calls;
  out->calls_ns = in->calls_ns = leaf_ns;
  ap_profile_set_str(&out->top_callee, "leaf");
  out->top_callee_calls = leaf_calls;
  out->top_callee_ns = leaf_ns;
}

static struct ap_profile *before(void) {
  static const struct fn fns[] = {
      {"main", "src/main.c", 10, MAIN},        {"work", "src/work.c", 20, 0},
      {"leaf", "src/work.c", 5, AP_FUNC_PURE}, {"parse", "src/io.c", 3, 0},
      {"only_before", "src/old.c", 1, 0},      {"worker_thread", "src/main.c", 30, 0},
  };
  static const struct node nodes[] = {
      {-1, 0, 1, 40000000, 1000000},       {0, 1, 100, 30000000, 12000000},
      {1, 2, 1000000, 18000000, 18000000}, {0, 3, 10, 8000000, 8000000},
      {0, 4, 5, 1000000, 1000000},         {-1, 5, 1, 8000000, 3000000},
      {5, 2, 500000, 5000000, 5000000},
  };
  struct ap_profile *p = header("demo", 4242, 50000000);
  /* calibration by kind (after.json has none, as profiles before it) */
  static const double cal[AP_NCALIBRATION] = {
      [AP_CAL_SELF] = 4.0,          [AP_CAL_SAMPLED_SELF] = 4.2, [AP_CAL_TIMED] = 6.5,
      [AP_CAL_SAMPLED_TIMED] = 5.0, [AP_CAL_UNTIMED] = 4.5,      [AP_CAL_FRAMELESS] = 2.5,
      [AP_CAL_TIMED_LOOP] = 9.0,    [AP_CAL_UNTIMED_LOOP] = 5.0, [AP_CAL_INLINE_LOOP] = 1.5,
      [AP_CAL_LOOP_SELF] = 3.0};
  memcpy(p->calibration_ns, cal, sizeof cal);
  build(p, fns, 6, nodes, 7);
  sampled(p, "leaf", 46875, 0.012);
  sampled(p, "parse", 4, 0.08);
  sampled(p, "work", 100, 0.05); /* exact itself, its callee leaf sampled */
  ap_profile_add_thread(p, 0, 4242, 1000116, 40000000);
  ap_profile_add_thread(p, 1, 4243, 500001, 8000000);
  long l = ap_profile_add_loop(p, "work", "src/work.c", 22, 1);
  p->loops[l].entries = 100;
  p->loops[l].iterations = 1000000;
  p->loops[l].min_trip = 5000;
  p->loops[l].max_trip = 15000;
  p->loops[l].incl_ns = 28000000;
  p->loops[l].timed = 1;
  inner_loop(p, l, 1000000, 1000000, 18000000);
  long m = ap_profile_add_memo(p, "leaf", 1500000, 0.9);
  p->memo[m].distinct = 150000; /* merge_twice: 150,000 still, not 300,000 */
  return p;
}

/* The same program after a change: work is faster, leaf is called less
 * (a cache), only_before is gone, cache_lookup is new, and it was built
 * in another directory (work.c matches by basename). */
static struct ap_profile *after(void) {
  static const struct fn fns[] = {
      {"main", "src/main.c", 10, MAIN},
      {"work", "/home/u/build2/src/work.c", 20, 0},
      {"leaf", "/home/u/build2/src/work.c", 5, AP_FUNC_PURE},
      {"parse", "src/io.c", 3, 0},
      {"cache_lookup", "src/cache.c", 7, 0},
      {"worker_thread", "src/main.c", 30, 0},
  };
  static const struct node nodes[] = {
      {-1, 0, 1, 22000000, 1000000},    {0, 1, 100, 13000000, 8000000},
      {1, 2, 200000, 2000000, 2000000}, {1, 4, 1000000, 3000000, 3000000},
      {0, 3, 10, 8000000, 8000000},     {-1, 5, 1, 8000000, 3000000},
      {5, 2, 500000, 5000000, 5000000},
  };
  struct ap_profile *p = header("demo", 5151, 31000000);
  build(p, fns, 6, nodes, 7);
  sampled(p, "leaf", 21875, 0.025);
  sampled(p, "parse", 4, 0.08);
  ap_profile_add_thread(p, 0, 5151, 1200111, 22000000);
  ap_profile_add_thread(p, 1, 5152, 500001, 8000000);
  return p;
}

/* Another rank of the run of before(): one thread, one path before() has
 * not (work > parse), the others with other counts. */
static struct ap_profile *rank1(void) {
  static const struct fn fns[] = {
      {"main", "src/main.c", 10, MAIN},
      {"work", "src/work.c", 20, 0},
      {"parse", "src/io.c", 3, 0},
      {"leaf", "src/work.c", 5, AP_FUNC_PURE},
  };
  static const struct node nodes[] = {
      {-1, 0, 1, 30000000, 500000},     {0, 1, 50, 25000000, 14500000}, {1, 2, 6, 3500000, 3500000},
      {1, 3, 700000, 7000000, 7000000}, {0, 2, 2, 4500000, 4500000},
  };
  struct ap_profile *p = header("demo", 4250, 32000000);
  p->probe_cost_ns = 7.5;
  build(p, fns, 4, nodes, 5);
  ap_profile_add_thread(p, 0, 4250, 700058, 30000000);
  long l = ap_profile_add_loop(p, "work", "src/work.c", 22, 1);
  p->loops[l].entries = 50;
  p->loops[l].iterations = 700000;
  p->loops[l].min_trip = 2000;
  p->loops[l].max_trip = 30000;
  p->loops[l].incl_ns = 24000000;
  p->loops[l].timed = 1;
  inner_loop(p, l, 700000, 700000, 7000000);
  ap_profile_add_memo(p, "leaf", 700000, 0.7);
  return p;
}

static int write(const char *dir, const char *name, struct ap_profile *p) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f || ap_profile_analyze(p, NULL) < 0 || ap_profile_write_json(p, f) || fclose(f)) {
    perror(path);
    return 1;
  }
  ap_profile_free(p);
  return 0;
}

/* A sort whose comparison is a static leaf (abi.h item 8): its untimed
 * calls are priced at the frameless call, not the untimed pair. */
/* main > sort > cmp, cmp a static leaf called 1,000,000 times for CMP_NS. */
static struct ap_profile *sort_run(const char *program, long long pid, unsigned long long cmp_ns) {
  static const struct fn fns[] = {
      {"main", "src/sort.c", 1, MAIN},
      {"sort", "src/sort.c", 10, 0},
      {"cmp", "src/sort.c", 20, AP_FUNC_LEAF},
  };
  const struct node nodes[] = {
      {-1, 0, 1, 30000000, 5000000},
      {0, 1, 10, 25000000, 25000000 - cmp_ns},
      {1, 2, 1000000, cmp_ns, cmp_ns},
  };
  struct ap_profile *p = header(program, pid, 30000000);
  build(p, fns, 3, nodes, 3);
  return p;
}

static struct ap_profile *leafy(void) {
  struct ap_profile *p = sort_run("leafy", 4343, 10000000);
  static const double cal[AP_NCALIBRATION] = {
      [AP_CAL_SELF] = 4.0,           [AP_CAL_SAMPLED_SELF] = 4.2, [AP_CAL_TIMED] = 25.0,
      [AP_CAL_SAMPLED_TIMED] = 20.0, [AP_CAL_UNTIMED] = 6.0,      [AP_CAL_FRAMELESS] = 2.5,
      [AP_CAL_INLINE_LEAF] = 1.0,    [AP_CAL_LEAF_RUN] = 1.5};
  memcpy(p->calibration_ns, cal, sizeof cal);
  sampled(p, "cmp", 31250, 0.02);
  ap_profile_add_thread(p, 0, 4343, 1000011, 30000000);
  return p;
}

/* The same sort, its comparison timed on every call: 0.5 ns a call left
 * after 95 % of what its calls measured was taken out as the probes' cost
 * (probe_share): "<probe" in the table, and its inline hint does not
 * quote a per-call time. */
static struct ap_profile *probed(void) {
  struct ap_profile *p = sort_run("probed", 4344, 500000);
  for (size_t i = 0; i < p->nfunctions; i++)
    p->functions[i].probe_share = strcmp(p->functions[i].name, "cmp") == 0 ? 0.95 : 0.2;
  ap_profile_add_thread(p, 0, 4344, 1000011, 30000000);
  return p;
}

/* C++ names and a file name with XML's special characters: exporters must
 * quote them (svg: &lt; &amp; &quot;). */
static struct ap_profile *cxx(void) {
  static const struct fn fns[] = {
      {"main", "src/a&b.cc", 1, MAIN},
      {"std::vector<int>::push_back", "include/\"vec\".h", 10, 0},
      {"operator<<", "src/a&b.cc", 20, 0},
  };
  const struct node nodes[] = {
      {-1, 0, 1, 20000000, 2000000},
      {0, 1, 1000, 8000000, 8000000},
      {0, 2, 10, 10000000, 10000000},
  };
  struct ap_profile *p = header("cxx", 4345, 20000000);
  build(p, fns, 3, nodes, 3);
  ap_profile_add_thread(p, 0, 4345, 1011, 20000000);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_samples DIR\n");
    return 2;
  }
  return write(argv[1], "before.json", before()) | write(argv[1], "after.json", after()) |
         write(argv[1], "rank1.json", rank1()) | write(argv[1], "leafy.json", leafy()) |
         write(argv[1], "probed.json", probed()) | write(argv[1], "cxx.json", cxx());
}
