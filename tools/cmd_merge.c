/* autoprof merge: the profiles of many processes (MPI ranks, a test suite,
 * fork workers) as one.  Functions match by (name, file, line), call paths
 * by the sequence of functions from the root, loops by (function, origin
 * function, file, line, depth), memo entries by function; counts and times
 * add up, thread lists are concatenated, and the hints are derived again
 * from the sums. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile_read.h"

/* An open-addressing set of indexes into one of the merged profile's
 * arrays; the caller hashes and compares the keys. */
struct index_set {
  size_t *slot; /* index + 1, 0 = empty */
  size_t cap, n;
};

typedef int (*eq_fn)(const struct ap_profile *m, size_t index, const void *key);

static uint64_t hash_str(uint64_t h, const char *s) {
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull; /* FNV-1a */
  return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t hash_u64(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++, v >>= 8)
    h = (h ^ (v & 0xff)) * 1099511628211ull;
  return h;
}

/* The index whose key equals key, or -1 (and *hole = where to insert). */
static long set_find(const struct index_set *s, uint64_t h, const struct ap_profile *m, eq_fn eq,
                     const void *key, size_t *hole) {
  for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->slot[i]) {
      *hole = i;
      return -1;
    }
    if (eq(m, s->slot[i] - 1, key))
      return (long)(s->slot[i] - 1);
  }
}

static int set_init(struct index_set *s, size_t expect) {
  s->cap = 64;
  while (s->cap < expect * 2)
    s->cap *= 2;
  s->n = 0;
  s->slot = calloc(s->cap, sizeof *s->slot);
  return s->slot ? 0 : -1;
}

static uint64_t sat_add(uint64_t a, uint64_t b) {
  return a + b < a ? UINT64_MAX : a + b;
}

struct func_key {
  const char *name, *file;
  uint32_t line;
};
static int func_eq(const struct ap_profile *m, size_t i, const void *k) {
  const struct func_key *key = k;
  const struct ap_prof_func *f = &m->functions[i];
  return f->line == key->line && strcmp(f->name, key->name) == 0 && strcmp(f->file, key->file) == 0;
}

struct node_key {
  int64_t parent;
  uint32_t func;
};
static int node_eq(const struct ap_profile *m, size_t i, const void *k) {
  const struct node_key *key = k;
  return m->nodes[i].parent == key->parent && m->nodes[i].func == key->func;
}

struct merger {
  struct ap_profile *m;
  struct index_set funcs, nodes; /* sized for the sum of all inputs: never full */
  long *fmap, *nmap;             /* input index -> merged index, for the current input */
};

static int merge_functions(struct merger *g, const struct ap_profile *in) {
  for (size_t i = 0; i < in->nfunctions; i++) {
    const struct ap_prof_func *f = &in->functions[i];
    struct func_key key = {f->name, f->file, f->line};
    uint64_t h = hash_u64(hash_str(hash_str(14695981039346656037ull, f->name), f->file), f->line);
    size_t hole = 0;
    long k = set_find(&g->funcs, h, g->m, func_eq, &key, &hole);
    if (k < 0) {
      if ((k = ap_profile_add_function(g->m, f->name, f->file, f->line)) < 0)
        return -1;
      g->funcs.slot[hole] = (size_t)k + 1;
    }
    struct ap_prof_func *t = &g->m->functions[k];
    t->flags |= f->flags;
    /* independent estimates of self time: absolute errors add in quadrature */
    double ea = t->time_error * (double)t->excl_ns, eb = f->time_error * (double)f->excl_ns;
    double excl = (double)t->excl_ns + (double)f->excl_ns;
    t->time_error = excl > 0 ? sqrt(ea * ea + eb * eb) / excl : 0;
    /* the probes' share of what was measured, weighted by the time measured */
    double ia = (double)t->incl_ns, ib = (double)f->incl_ns;
    t->probe_share = ia + ib > 0
                         ? (t->probe_share * ia + f->probe_share * ib) / (ia + ib)
                         : (t->probe_share > f->probe_share ? t->probe_share : f->probe_share);
    t->calls = sat_add(t->calls, f->calls);
    t->timed_calls = sat_add(t->timed_calls, f->timed_calls ? f->timed_calls : f->calls);
    t->incl_ns = sat_add(t->incl_ns, f->incl_ns);
    t->excl_ns = sat_add(t->excl_ns, f->excl_ns);
    for (size_t j = 0; j < f->nsymbols; j++)
      if (ap_profile_add_symbol(g->m, (size_t)k, f->symbols[j]))
        return -1;
    g->fmap[i] = k;
  }
  return 0;
}

/* Parents come before children in every input, so a node's parent is
 * already mapped when the node is reached. */
static int merge_nodes(struct merger *g, const struct ap_profile *in) {
  for (size_t i = 0; i < in->nnodes; i++) {
    const struct ap_prof_node *n = &in->nodes[i];
    struct node_key key = {n->parent < 0 ? -1 : g->nmap[n->parent], (uint32_t)g->fmap[n->func]};
    uint64_t h = hash_u64(hash_u64(14695981039346656037ull, (uint64_t)key.parent), key.func);
    size_t hole = 0;
    long k = set_find(&g->nodes, h, g->m, node_eq, &key, &hole);
    if (k < 0) {
      if ((k = ap_profile_add_node(g->m, key.parent, key.func, 0, 0, 0)) < 0)
        return -1;
      g->nodes.slot[hole] = (size_t)k + 1;
    }
    struct ap_prof_node *t = &g->m->nodes[k];
    t->calls = sat_add(t->calls, n->calls);
    t->incl_ns = sat_add(t->incl_ns, n->incl_ns);
    t->excl_ns = sat_add(t->excl_ns, n->excl_ns);
    g->nmap[i] = k;
  }
  return 0;
}

static const char *origin_of(const struct ap_prof_loop *l) {
  return l->origin_function ? l->origin_function : l->function;
}

static int same_loop(const struct ap_prof_loop *a, const struct ap_prof_loop *b) {
  return a->line == b->line && a->depth == b->depth && !strcmp(a->function, b->function) &&
         !strcmp(a->file, b->file) && !strcmp(origin_of(a), origin_of(b));
}

/* top_callee: summed when both name the same callee, else the heavier. */
static int merge_top_callee(struct ap_prof_loop *t, const struct ap_prof_loop *l) {
  if (!l->top_callee)
    return 0;
  if (t->top_callee && strcmp(t->top_callee, l->top_callee) == 0) {
    t->top_callee_calls = sat_add(t->top_callee_calls, l->top_callee_calls);
    t->top_callee_ns = sat_add(t->top_callee_ns, l->top_callee_ns);
  } else if (!t->top_callee || l->top_callee_ns > t->top_callee_ns) {
    if (ap_profile_set_str(&t->top_callee, l->top_callee))
      return -1;
    t->top_callee_calls = l->top_callee_calls;
    t->top_callee_ns = l->top_callee_ns;
  }
  return 0;
}

static void merge_loop_counts(struct ap_prof_loop *t, const struct ap_prof_loop *l) {
  t->timed |= l->timed;
  if (l->entries && (!t->entries || l->min_trip < t->min_trip))
    t->min_trip = l->min_trip;
  if (l->max_trip > t->max_trip)
    t->max_trip = l->max_trip;
  t->entries = sat_add(t->entries, l->entries);
  t->iterations = sat_add(t->iterations, l->iterations);
  t->zero_trip = sat_add(t->zero_trip, l->zero_trip);
  t->incl_ns = sat_add(t->incl_ns, l->incl_ns);
  t->timed_entries =
      sat_add(t->timed_entries,
              l->timed_entries ? l->timed_entries : l->entries + l->zero_trip - l->nested_entries);
  t->nested_entries = sat_add(t->nested_entries, l->nested_entries);
  t->calls = sat_add(t->calls, l->calls);
  t->calls_ns = sat_add(t->calls_ns, l->calls_ns);
}

/* Whether loop k is an enclosing loop of loop a (or a itself). */
static int encloses(const struct ap_profile *m, long k, int64_t a) {
  for (size_t steps = 0; a >= 0 && steps <= m->nloops; a = m->loops[a].parent, steps++)
    if (a == k)
      return 1;
  return 0;
}

/* Loops are few: a linear search keeps this short.  The enclosing loop of
 * a merged loop is the merged loop its first input named (never one that
 * would close a cycle, whatever contradicting inputs say). */
static int merge_loops(struct merger *g, const struct ap_profile *in) {
  long *lmap = malloc((in->nloops + 1) * sizeof *lmap);
  if (!lmap)
    return -1;
  for (size_t i = 0; i < in->nloops; i++) {
    const struct ap_prof_loop *l = &in->loops[i];
    size_t k = 0;
    while (k < g->m->nloops && !same_loop(&g->m->loops[k], l))
      k++;
    if ((k == g->m->nloops &&
         (ap_profile_add_loop(g->m, l->function, l->file, l->line, l->depth) < 0 ||
          ap_profile_set_str(&g->m->loops[k].origin_function, l->origin_function))) ||
        merge_top_callee(&g->m->loops[k], l)) {
      free(lmap);
      return -1;
    }
    merge_loop_counts(&g->m->loops[k], l);
    lmap[i] = (long)k;
  }
  for (size_t i = 0; i < in->nloops; i++) {
    struct ap_prof_loop *t = &g->m->loops[lmap[i]];
    int64_t par = in->loops[i].parent;
    if (par >= 0 && t->parent < 0 && !encloses(g->m, lmap[i], lmap[par]))
      t->parent = lmap[par];
  }
  free(lmap);
  return 0;
}

static int merge_memo(struct merger *g, const struct ap_profile *in) {
  for (size_t i = 0; i < in->nmemo; i++) {
    const struct ap_prof_memo *e = &in->memo[i];
    size_t k = 0;
    while (k < g->m->nmemo && strcmp(g->m->memo[k].function, e->function))
      k++;
    if (k == g->m->nmemo && ap_profile_add_memo(g->m, e->function, 0, 0) < 0)
      return -1;
    struct ap_prof_memo *t = &g->m->memo[k];
    if (k == g->m->nmemo - 1 && !t->calls && (ap_profile_set_str(&t->file, e->file) < 0))
      return -1;
    uint64_t calls = sat_add(t->calls, e->calls); /* repeat rate: weighted by calls */
    if (calls)
      t->repeat_rate =
          (t->repeat_rate * (double)t->calls + e->repeat_rate * (double)e->calls) / (double)calls;
    t->calls = calls;
    /* processes do not share caches: hits add up, and the distinct tuples
     * are the most one process saw — what its cache must hold (their sum
     * made two runs of 50 tuples "about 100 argument tuples", and a 16-entry
     * cache answering 99.95 % of 10 tuples read as 20: helper-21) */
    t->line = e->line;
    t->proven = e->proven;
    t->pointer_args |= e->pointer_args;
    if (e->distinct > t->distinct)
      t->distinct = e->distinct;
    t->same_result = sat_add(t->same_result, e->same_result);
    t->simulated = sat_add(t->simulated, e->simulated ? e->simulated : e->calls);
    t->other_result = sat_add(t->other_result, e->other_result);
    for (int c = 0; c < AP_MEMO_CACHES; c++) {
      t->cache_size[c] = e->cache_size[c];
      t->cache_hits[c] = sat_add(t->cache_hits[c], e->cache_hits[c]);
      t->hit_raw_ns[c] += e->hit_raw_ns[c];
      t->hit_raw_calls[c] += e->hit_raw_calls[c];
    }
    t->raw_ns += e->raw_ns;
    t->raw_calls += e->raw_calls;
    ap_memo_bound_distinct(t);
  }
  return 0;
}

static int merge_callsites(struct merger *g, const struct ap_profile *in) {
  for (size_t i = 0; i < in->ncallsites; i++) {
    const struct ap_prof_callsite *e = &in->callsites[i];
    size_t k = 0;
    while (k < g->m->ncallsites &&
           (g->m->callsites[k].line != e->line || strcmp(g->m->callsites[k].callee, e->callee) ||
            strcmp(g->m->callsites[k].file, e->file)))
      k++;
    if (k == g->m->ncallsites &&
        ap_profile_add_callsite(g->m, e->callee, e->function, e->file, e->line, e->loop_line) < 0)
      return -1;
    struct ap_prof_callsite *t = &g->m->callsites[k];
    t->builtin = e->builtin;
    t->calls = sat_add(t->calls, e->calls);
    t->same_args = sat_add(t->same_args, e->same_args);
    t->same_both = sat_add(t->same_both, e->same_both);
    uint64_t sampled = sat_add(t->sampled, e->sampled);
    if (sampled)
      t->ns_per_call = (t->ns_per_call * (double)t->sampled + e->ns_per_call * (double)e->sampled) /
                       (double)sampled;
    t->sampled = sampled;
  }
  return 0;
}

/* The compilers of both, each once, in the order seen ("gcc 12.2.0, clang
 * 14.0.6", as a program's own profile lists its modules'): the merged one
 * said the first input's alone (helper-24). */
static int merge_compilers(char **into, const char *add) {
  if (!add || !*add)
    return 0;
  if (!*into || !**into)
    return ap_profile_set_str(into, add);
  char buf[512];
  snprintf(buf, sizeof buf, "%s", *into);
  size_t len = strlen(buf);
  for (const char *c = add; *c;) {
    size_t n = strcspn(c, ",");
    char one[128];
    snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), c);
    int seen = 0;
    for (const char *h = buf; *h;) {
      size_t k = strcspn(h, ",");
      if (k == strlen(one) && strncmp(h, one, k) == 0)
        seen = 1;
      h += k;
      while (*h == ',' || *h == ' ')
        h++;
    }
    if (!seen && *one && len + 2 + strlen(one) < sizeof buf)
      len += (size_t)snprintf(buf + len, sizeof buf - len, ", %s", one);
    c += n;
    while (*c == ',' || *c == ' ')
      c++;
  }
  return ap_profile_set_str(into, buf);
}

/* The first input's header; a field the inputs disagree on says so. */
static int merge_header(struct ap_profile *m, const struct ap_profile *in, size_t nth,
                        double *calls_total) {
  double calls = 0;
  for (size_t i = 0; i < in->nfunctions; i++)
    calls += (double)in->functions[i].calls;
  if (nth == 0) {
    if (ap_profile_set_str(&m->program, in->program) ||
        ap_profile_set_str(&m->clock_source, in->clock_source) ||
        ap_profile_set_str(&m->policy_file, in->policy_file) ||
        ap_profile_set_str(&m->compiler, in->compiler))
      return -1;
    m->pid = in->pid;
    m->ticks_per_ns = in->ticks_per_ns;
    m->policy_digest = in->policy_digest;
    m->compensation = in->compensation;
  } else {
    m->pid = 0; /* many processes: no pid */
    if (in->policy_digest != m->policy_digest)
      m->policy_mixed = 1;
    if (strcmp(m->program ? m->program : "", in->program ? in->program : "") != 0 &&
        ap_profile_set_str(&m->program, "(merged)"))
      return -1;
    if (merge_compilers(&m->compiler, in->compiler))
      return -1;
    m->compensation &= in->compensation;
  }
  /* Probe and call costs: averaged over the calls they were charged to. */
  if (*calls_total + calls > 0) {
    m->probe_cost_ns =
        (m->probe_cost_ns * *calls_total + in->probe_cost_ns * calls) / (*calls_total + calls);
    m->call_cost_ns =
        (m->call_cost_ns * *calls_total + in->call_cost_ns * calls) / (*calls_total + calls);
  }
  /* Calibration by kind: averaged the same way over the profiles that
   * measured the kind (0: not measured there). */
  for (int k = 0; k < AP_NCALIBRATION; k++) {
    double a = m->calibration_ns[k], b = in->calibration_ns[k];
    double wa = (double)*calls_total, wb = (double)calls;
    if (wa + wb == 0)
      wa = wb = 1;
    m->calibration_ns[k] = !a ? b : !b ? a : (a * wa + b * wb) / (wa + wb);
  }
  *calls_total += calls;
  m->policy_mixed |= in->policy_mixed;
  m->wall_ns = in->wall_ns > m->wall_ns ? in->wall_ns : m->wall_ns; /* ranks run side by side */
  m->compensated_ns = sat_add(m->compensated_ns, in->compensated_ns);
  m->folded_calls = sat_add(m->folded_calls, in->folded_calls);
  m->cpu_wait_ns = sat_add(m->cpu_wait_ns, in->cpu_wait_ns);
  m->lost_frames = sat_add(m->lost_frames, in->lost_frames);
  for (size_t i = 0; i < in->nthreads; i++) {
    long ti = ap_profile_add_thread(m, (uint32_t)m->nthreads, in->threads[i].tid,
                                    in->threads[i].calls, in->threads[i].root_ns);
    if (ti < 0)
      return -1;
    m->threads[ti].threads = in->threads[i].threads;
  }
  return 0;
}

static int merge_one(struct merger *g, const struct ap_profile *in, size_t nth, double *calls) {
  g->fmap = malloc((in->nfunctions + 1) * sizeof *g->fmap);
  g->nmap = malloc((in->nnodes + 1) * sizeof *g->nmap);
  int rc = !g->fmap || !g->nmap || merge_header(g->m, in, nth, calls) || merge_functions(g, in) ||
           merge_nodes(g, in) || merge_loops(g, in) || merge_memo(g, in) || merge_callsites(g, in);
  free(g->fmap);
  free(g->nmap);
  return rc ? -1 : 0;
}

/* Reads every input first: a bad file or a version mismatch is reported
 * before anything is written. */
static struct ap_profile **load_all(char **paths, int n) {
  struct ap_profile **in = calloc((size_t)n, sizeof *in);
  for (int i = 0; in && i < n; i++) {
    struct ap_read_error err;
    if ((in[i] = ap_profile_read_file(paths[i], &err)))
      continue;
    if (err.version && err.version != AP_PROFILE_FORMAT_VERSION && i > 0)
      fprintf(stderr,
              "autoprof merge: %s has profile format version %ld but %s has version %d: "
              "cannot merge profiles of different format versions\n",
              paths[i], err.version, paths[0], AP_PROFILE_FORMAT_VERSION);
    else
      fprintf(stderr, "%s\n", err.msg);
    while (i-- > 0)
      ap_profile_free(in[i]);
    free(in);
    return NULL;
  }
  return in;
}

int ap_cmd_merge(int argc, char **argv) {
  static const struct ap_opt opts[] = {{"--output", 'o', 1}};
  struct ap_args a;
  if (ap_parse_args(opts, 1, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos < 1 || !a.value[0])
    return ap_usage_error("merge", "expects profiles and -o OUT.json (usage: autoprof merge "
                                   "A.json B.json ... -o OUT.json)");
  struct ap_profile **in = load_all(a.pos, a.npos);
  if (!in)
    return AP_EXIT_FAIL;
  /* Functions and call paths merge by name whatever built them; loops by
   * (function, file, line, depth), which two compilers place and split
   * differently: say so, once. */
  const char *c0 = in[0]->compiler ? in[0]->compiler : "";
  for (int i = 1; i < a.npos; i++) {
    const char *ci = in[i]->compiler ? in[i]->compiler : "";
    if (*c0 && *ci && strcmp(c0, ci) != 0) {
      fprintf(stderr,
              "autoprof merge: warning: %s was built with %s and %s with %s: their loops may not "
              "line up (compilers place and split loops differently)\n",
              a.pos[0], c0, a.pos[i], ci);
      break;
    }
  }
  size_t nf = 0, nn = 0;
  for (int i = 0; i < a.npos; i++) {
    nf += in[i]->nfunctions;
    nn += in[i]->nnodes;
  }
  struct merger g = {.m = ap_profile_new()};
  struct ap_hint_params params;
  double calls = 0;
  int bad = !g.m || set_init(&g.funcs, nf) || set_init(&g.nodes, nn);
  for (int i = 0; !bad && i < a.npos; i++)
    bad = merge_one(&g, in[i], (size_t)i, &calls);
  ap_hint_params_default(&params);
  int rc = AP_EXIT_FAIL;
  struct ap_out out;
  if (bad || ap_profile_analyze(g.m, &params) < 0)
    fprintf(stderr, "autoprof merge: out of memory\n");
  else if (ap_out_open(&out, "merge", a.value[0]) == 0)
    rc = ap_out_close(&out, "merge", ap_profile_write_json(g.m, out.f) != 0);
  for (int i = 0; i < a.npos; i++)
    ap_profile_free(in[i]);
  free(in);
  free(g.funcs.slot);
  free(g.nodes.slot);
  ap_profile_free(g.m);
  return rc;
}
