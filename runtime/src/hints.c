/* Hints: measurements -> ranked advice.  Every hint names a place, carries
 * the numbers it was drawn from and an estimated saving; docs/report.md
 * defines each kind (when it fires, its evidence, its savings formula) and
 * must change together with this file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autoprof/abi.h"
#include "profile.h"

uint64_t ap_profile_run_ns(const struct ap_profile *p) {
  uint64_t t = 0;
  for (size_t i = 0; i < p->nnodes; i++)
    if (p->nodes[i].parent < 0)
      t += p->nodes[i].incl_ns;
  return t;
}

/* The function a loop lives in, NULL when it is not in the profile: by
 * name and file, else by name alone (a loop inlined from a header has the
 * header's file, its function the one it is defined in). */
static const struct ap_prof_func *loop_function(const struct ap_profile *p,
                                                const struct ap_prof_loop *l) {
  const struct ap_prof_func *named = NULL;
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    if (strcmp(f->name, l->function) != 0)
      continue;
    if (strcmp(f->file ? f->file : "", l->file ? l->file : "") == 0)
      return f;
    named = named ? named : f;
  }
  return named;
}

size_t ap_profile_cap_loops(struct ap_profile *p) {
  uint64_t run = ap_profile_run_ns(p);
  uint32_t deepest = 0;
  size_t capped = 0;
  for (size_t i = 0; i < p->nloops; i++)
    deepest = p->loops[i].depth > deepest ? p->loops[i].depth : deepest;
  /* outer loops first: an inner loop is capped by its parent's capped time */
  for (uint32_t depth = 0; depth <= deepest; depth++)
    for (size_t i = 0; i < p->nloops; i++) {
      struct ap_prof_loop *l = &p->loops[i];
      if (l->depth != depth || !l->incl_ns)
        continue;
      uint64_t cap = run; /* 0: none (no call-path tree: loops only) */
      int bound = run != 0;
      if (l->parent >= 0 && (size_t)l->parent < p->nloops && p->loops[l->parent].incl_ns) {
        cap = p->loops[l->parent].incl_ns;
        bound = 1;
      } else {
        /* its function's time, also when compensated to nothing (its
         * probes cost more than its calls took: a loop of "3.0 ms" in a
         * function of 0 ns was what the compensation of the same
         * intervals left once more) */
        const struct ap_prof_func *f = loop_function(p, l);
        if (f && f->calls && (!bound || f->incl_ns < cap)) {
          cap = f->incl_ns;
          bound = 1;
        }
      }
      if (bound && l->incl_ns > cap) {
        l->incl_ns = cap;
        capped++;
      }
      if (l->calls_ns > l->incl_ns)
        l->calls_ns = l->incl_ns;
      if (l->top_callee_ns > l->calls_ns)
        l->top_callee_ns = l->calls_ns;
    }
  return capped;
}

static double pct(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : 0;
}

static struct ap_prof_hint *new_hint(struct ap_profile *p, enum ap_hint_kind kind,
                                     const struct ap_prof_func *f, const char *msg,
                                     uint64_t savings) {
  long i = ap_profile_add_hint(p, kind, f->name, f->file, f->line, msg, savings);
  return i < 0 ? NULL : &p->hints[i];
}

/* hot-function: self share >= hot_function_share.  The self time is an upper
 * bound of what a faster body saves, and the message says "up to". */
static int hot_functions(struct ap_profile *p, const struct ap_hint_params *q, double run) {
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    double self = (double)f->excl_ns;
    if (!f->calls || run <= 0 || self / run < q->hot_function_share)
      continue;
    /* an estimate whose 95 % error reaches 100 % cannot tell the time from
     * none: one sampled call slowed by the machine (descheduled, a fault)
     * stands for ~32 (mawk's zfree at 94.8 % of a run, +-999 %, under
     * 0.1 ms in eight reruns) — the table still lists it with its error */
    if (ap_func_estimated(f) && f->time_error >= 1)
      continue;
    char msg[600], calls[32], per[32], save[32], est[64] = "";
    double per_call = self / (double)f->calls;
    if (ap_func_estimated(f))
      snprintf(est, sizeof est, ", estimated +-%.1f%%", 100 * f->time_error);
    snprintf(msg, sizeof msg,
             "%s spends %.1f%% of the run in its own body (%s call%s, %s each%s; %.1f%% with its "
             "callees): a faster body saves up to %s",
             f->name, pct(self, run), ap_fmt_count(calls, f->calls), f->calls == 1 ? "" : "s",
             ap_fmt_ns(per, per_call), est, pct((double)f->incl_ns, run), ap_fmt_ns(save, self));
    struct ap_prof_hint *h = new_hint(p, AP_HINT_HOT_FUNCTION, f, msg, f->excl_ns);
    if (!h || ap_hint_add_evidence(h, "self_ns", self) ||
        ap_hint_add_evidence(h, "self_share", self / run) ||
        ap_hint_add_evidence(h, "total_ns", (double)f->incl_ns) ||
        ap_hint_add_evidence(h, "total_share", (double)f->incl_ns / run) ||
        ap_hint_add_evidence(h, "calls", (double)f->calls) ||
        ap_hint_add_evidence(h, "ns_per_call", per_call) ||
        (ap_func_estimated(f) && ap_hint_add_evidence(h, "time_error", f->time_error)))
      return -1;
  }
  return 0;
}

/* Heaviest child of every node (-1 for leaves), and the heaviest root. */
static long *heaviest_children(const struct ap_profile *p, long *root) {
  long *best = malloc((p->nnodes + 1) * sizeof *best);
  if (!best)
    return NULL;
  *root = -1;
  for (size_t i = 0; i < p->nnodes; i++)
    best[i] = -1;
  for (size_t i = 0; i < p->nnodes; i++) {
    int64_t par = p->nodes[i].parent;
    long *slot = par < 0 ? root : (par < (int64_t)p->nnodes ? &best[par] : NULL);
    if (slot && (*slot < 0 || p->nodes[i].incl_ns > p->nodes[*slot].incl_ns))
      *slot = (long)i;
  }
  return best;
}

static int path_has_func(const struct ap_profile *p, const long *path, size_t n, uint32_t func) {
  for (size_t i = 0; i < n; i++)
    if (p->nodes[path[i]].func == func)
      return 1;
  return 0;
}

/* hot-path: from the heaviest root, follow the heaviest child while it holds
 * at least hot_path_concentration of its parent's time and is not a
 * recursive repeat.  A path of 3+ functions whose end takes
 * hot_path_share of the run (and is no once-run dispatcher) names the
 * end's caller: calling the end less often from there saves up to the
 * end's inclusive time on this path. */
static int hot_path(struct ap_profile *p, const struct ap_hint_params *q, double run) {
  long root, path[64];
  size_t n = 0;
  long *best = heaviest_children(p, &root);
  if (!best)
    return -1;
  for (long cur = root; cur >= 0 && n < 64; cur = best[cur]) {
    const struct ap_prof_node *c = &p->nodes[cur];
    if (n &&
        ((double)c->incl_ns < q->hot_path_concentration * (double)p->nodes[path[n - 1]].incl_ns ||
         path_has_func(p, path, n, c->func)))
      break;
    path[n++] = cur;
  }
  free(best);
  if (n < 3 || run <= 0)
    return 0;
  const struct ap_prof_node *end = &p->nodes[path[n - 1]], *caller = &p->nodes[path[n - 2]];
  /* an end run once on its path whose time is mostly its children's (the
   * program's driver: Lua's main > ... > pmain > docall, 98.6 % of the run,
   * split below it): "making it faster saves up to" the whole run says
   * nothing the function and loop hints below it do not */
  if ((double)end->incl_ns / run < q->hot_path_share ||
      (end->calls < 2 && 2 * end->excl_ns < end->incl_ns))
    return 0;
  /* as for hot-function: an end whose time is an estimate with a 95 %
   * error of 100 % or more cannot carry the hint (a sampled leaf read 11 to
   * 79 % of four identical runs, 41 % timed exactly; djpeg's
   * jpeg_fill_bit_buffer 41 % at +-258 %, about 2 % by perf) */
  const struct ap_prof_func *ef = &p->functions[end->func];
  if (ap_func_estimated(ef) && ef->time_error >= 1)
    return 0;
  char msg[1024], calls[32], per[32], each[32], t[32], est[64] = "";
  size_t o = 0;
  for (size_t i = 0; i < n && o < 600; i++)
    o += snprintf(msg + o, sizeof msg - o, "%s%s", i ? " > " : "",
                  p->functions[p->nodes[path[i]].func].name);
  const struct ap_prof_func *cf = &p->functions[caller->func];
  if (ap_func_estimated(ef))
    snprintf(est, sizeof est, ", estimated +-%.1f%%", 100 * ef->time_error);
  /* two ways out, both from the caller's side: fewer calls (when each
   * call of the caller makes many, caching or batching them), or cheaper
   * ones */
  double ratio = caller->calls ? (double)end->calls / (double)caller->calls : 0;
  snprintf(per, sizeof per, ratio >= 10 ? "%.0f" : "%.1f", ratio);
  ap_fmt_ns(each, end->calls ? (double)end->incl_ns / (double)end->calls : 0);
  snprintf(msg + o, sizeof msg - o,
           " takes %.1f%% of the run: %s (%s:%u) calls %s %s times (%s per call of %s, %s each, "
           "%s in all%s); %s saves up to %s",
           pct((double)end->incl_ns, run), cf->name, cf->file, cf->line, ef->name,
           ap_fmt_count(calls, end->calls), per, cf->name, each, ap_fmt_ns(t, (double)end->incl_ns),
           est,
           ratio >= 2 ? "calling it less often from there (cache, batch or hoist the calls) or "
                        "making it faster"
                      : "making it faster",
           t);
  struct ap_prof_hint *h = new_hint(p, AP_HINT_HOT_PATH, cf, msg, end->incl_ns);
  if (!h || ap_hint_add_evidence(h, "path_ns", (double)end->incl_ns) ||
      ap_hint_add_evidence(h, "path_share", (double)end->incl_ns / run) ||
      ap_hint_add_evidence(h, "depth", (double)n) ||
      ap_hint_add_evidence(h, "calls", (double)end->calls) ||
      ap_hint_add_evidence(h, "caller_calls", (double)caller->calls) ||
      (ap_func_estimated(ef) && ap_hint_add_evidence(h, "time_error", ef->time_error)))
    return -1;
  return 0;
}

/* A function that calls itself (directly or through others) cannot be
 * inlined away: some node of it has an ancestor of the same function. */
static int is_recursive(const struct ap_profile *p, uint32_t func) {
  for (size_t i = 0; i < p->nnodes; i++) {
    if (p->nodes[i].func != func)
      continue;
    for (int64_t a = p->nodes[i].parent; a >= 0 && a < (int64_t)p->nnodes; a = p->nodes[a].parent)
      if (p->nodes[a].func == func)
        return 1;
  }
  return 0;
}

/* The time the calls of FUNC take place in: its callers' inclusive times
 * (one node per caller path; the run for a thread's root), or the timed
 * loops that make all of them, at most the run.  What inlining them saves
 * lies inside it. */
static double callers_time(const struct ap_profile *p, uint32_t func, double run) {
  double t = 0;
  for (size_t i = 0; i < p->nnodes && t < run; i++) {
    if (p->nodes[i].func != func)
      continue;
    int64_t a = p->nodes[i].parent;
    t += a >= 0 && a < (int64_t)p->nnodes ? (double)p->nodes[a].incl_ns : run;
  }
  /* all its calls made in timed loops it is the top callee of: their
   * time (a loop of 20 M calls read 1.9 ms in a 100 ms main: helper-28) */
  const struct ap_prof_func *f = &p->functions[func];
  uint64_t in_loops = 0;
  double loops = 0;
  for (size_t i = 0; i < p->nloops; i++) {
    const struct ap_prof_loop *l = &p->loops[i];
    if (l->timed && l->top_callee && strcmp(l->top_callee, f->name) == 0) {
      in_loops += l->top_callee_calls;
      loops += (double)l->incl_ns;
    }
  }
  if (f->calls && in_loops >= f->calls && loops < t)
    t = loops;
  return t < run ? t : run;
}

/* inline: many calls whose body is so short that the call itself (measured
 * at calibration: call_cost_ns) is a large share of each call.  Inlining
 * saves about calls x call_cost_ns.  Where that is more than the time its
 * callers were measured at, the probes' compensation took more than they
 * cost around those calls (they overlap with a tight loop's work): the
 * message says so, and keeps the calls' cost — a loop of nothing but 20 M
 * calls of a 1 ns function read 11 ms and 0-2 ms in two runs, and the hint
 * "saves 23.6 ms" was what inlining saves uninstrumented (helper-25,
 * helper-28); capped at the measured time it said 0 and went away. */
static int inline_hints(struct ap_profile *p, const struct ap_hint_params *q, double run) {
  double cc = p->call_cost_ns;
  if (cc <= 0 || run <= 0)
    return 0;
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    if (f->calls < q->inline_min_calls || (f->flags & AP_FUNC_MAIN))
      continue;
    double per_call = (double)f->excl_ns / (double)f->calls;
    double overhead = cc / (cc + per_call), savings = (double)f->calls * cc;
    if (overhead < q->inline_min_overhead || savings / run < q->inline_min_share ||
        is_recursive(p, (uint32_t)i))
      continue;
    /* (a walk over every node and loop: for the candidates only) */
    double within = callers_time(p, (uint32_t)i, run);
    char msg[768], calls[32], per[64], cost[32], share[32], save[32];
    /* a body of a cycle or two overlaps with the probes around it: what is
     * left of it after compensation is below what they resolve (the
     * probes' own cost was most of what its calls measured: report_text.c's
     * "<probe") */
    if (per_call < 0.5 || f->probe_share >= AP_PROBE_BOUND) {
      snprintf(per, sizeof per, "%s", per_call < 0.5 ? "under 0.5 ns" : "too little to measure");
      snprintf(share, sizeof share, "most of each call");
    } else {
      ap_fmt_ns(per, per_call);
      snprintf(share, sizeof share, "%.0f%% of each call", 100 * overhead);
    }
    /* a callback (qsort's comparator): calls through a pointer stay calls */
    const char *advice =
        f->flags & AP_FUNC_ADDRESSED
            ? "its address is taken, and calls through a pointer (a callback, a comparator) "
              "cannot be inlined: inline its direct calls (static inline in a header, or LTO), "
              "call it through the pointer less often, or specialise the caller for it, to save "
              "up to"
            : "make it inlinable (static inline in a header, or LTO) to save about";
    int n = snprintf(msg, sizeof msg,
                     "%s is called %s times and runs %s per call in its own body, while a call "
                     "costs about %s here (%s): %s %s",
                     f->name, ap_fmt_count(calls, f->calls), per, ap_fmt_ns(cost, cc), share,
                     advice, ap_fmt_ns(save, savings));
    if (savings > within && n > 0 && (size_t)n < sizeof msg) {
      char w[32];
      snprintf(msg + n, sizeof msg - (size_t)n,
               " (more than the %s its callers were measured at: the probes' compensation took "
               "more than they cost around these calls, and the times there are underestimates)",
               ap_fmt_ns(w, within));
    }
    struct ap_prof_hint *h = new_hint(p, AP_HINT_INLINE, f, msg, (uint64_t)(savings + 0.5));
    if (!h || ap_hint_add_evidence(h, "calls", (double)f->calls) ||
        ap_hint_add_evidence(h, "self_ns", (double)f->excl_ns) ||
        ap_hint_add_evidence(h, "ns_per_call", per_call) ||
        ap_hint_add_evidence(h, "call_cost_ns", cc) ||
        ap_hint_add_evidence(h, "overhead_share", overhead) ||
        ap_hint_add_evidence(h, "callers_ns", within) ||
        (f->probe_share > 0 && ap_hint_add_evidence(h, "probe_share", f->probe_share)) ||
        (ap_func_estimated(f) && ap_hint_add_evidence(h, "time_error", f->time_error)))
      return -1;
  }
  return 0;
}

/* ---- hot-loop ----
 * One hint per loop at most, the most specific pattern that fires: an O(n²)
 * nest, a loop whose time is mostly calls, a tiny trip count entered very
 * often, else a dominant loop.  Loops with fewer than loop_min_iterations
 * iterations or under loop_min_share of the run get none. */

static double avg_trip(const struct ap_prof_loop *l) {
  return l->entries ? (double)l->iterations / (double)l->entries : 0;
}

static int loop_timed(const struct ap_prof_loop *l) {
  return l->timed && l->incl_ns > 0;
}

/* The enclosing loop, or -1: a loaded profile may carry any index. */
static long parent_of(const struct ap_profile *p, size_t i) {
  int64_t k = p->loops[i].parent;
  return k >= 0 && k < (int64_t)p->nloops && k != (int64_t)i ? (long)k : -1;
}

/* Deeper nests than this are not walked (a loaded profile may even carry a
 * cycle of parents); real code stays far below it. */
#define AP_MAX_LOOP_NEST 64

/* Iterations of every loop plus those of all the loops nested in it, in one
 * pass over the ancestors of each loop; NULL without memory. */
static double *nest_totals(const struct ap_profile *p) {
  double *nest = calloc(p->nloops + 1, sizeof *nest);
  for (size_t i = 0; nest && i < p->nloops; i++) {
    long cur = (long)i;
    for (int steps = 0; cur >= 0 && steps < AP_MAX_LOOP_NEST; steps++) {
      nest[cur] += (double)p->loops[i].iterations;
      cur = parent_of(p, (size_t)cur);
      if (cur == (long)i)
        break;
    }
  }
  return nest;
}

static const struct ap_prof_func *func_named(const struct ap_profile *p, const char *name,
                                             const char *file) {
  const struct ap_prof_func *any = NULL;
  for (size_t i = 0; i < p->nfunctions && name; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    if (strcmp(f->name, name) != 0)
      continue;
    if (file && f->file && strcmp(f->file, file) == 0)
      return f;
    if (!any)
      any = f;
  }
  return any;
}

/* A loop's time: measured when it is timed, else estimated from the
 * nearest timed enclosing loop (or, with none, its function's own time)
 * times the loop's share of that nest's iterations.  own: without the
 * calls made in the loop (the time its own body and control take). */
struct loop_time {
  double ns, base_ns, iter_share;
  long from;                       /* the enclosing timed loop, or -1 */
  const struct ap_prof_func *func; /* the function whose own time was used */
  int measured;
};

static double own_time(const struct ap_prof_loop *l, int own) {
  if (!own)
    return (double)l->incl_ns;
  return l->incl_ns > l->calls_ns ? (double)(l->incl_ns - l->calls_ns) : 0;
}

static int loop_time(const struct ap_profile *p, const double *nest, size_t i, int own,
                     struct loop_time *t) {
  const struct ap_prof_loop *l = &p->loops[i];
  memset(t, 0, sizeof *t);
  t->from = -1;
  t->iter_share = 1;
  if (loop_timed(l)) {
    t->ns = t->base_ns = own_time(l, own);
    t->measured = 1;
    return 1;
  }
  size_t top = i;
  long cur = parent_of(p, i);
  for (int steps = 0; cur >= 0 && cur != (long)i && steps < AP_MAX_LOOP_NEST; steps++) {
    if (loop_timed(&p->loops[cur])) {
      t->from = cur;
      break;
    }
    top = (size_t)cur;
    cur = parent_of(p, (size_t)cur);
  }
  if (t->from >= 0) {
    t->base_ns = own_time(&p->loops[t->from], own);
    top = (size_t)t->from;
  } else if ((t->func = func_named(p, l->function, l->file)) != NULL) {
    t->base_ns = (double)t->func->excl_ns;
  } else {
    return 0; /* no time known for this loop: no hint */
  }
  t->iter_share = nest[top] > 0 ? (double)l->iterations / nest[top] : 0;
  t->ns = t->base_ns * t->iter_share;
  return 1;
}

/* "measured: 2.0 ms" or how the estimate was made. */
static void basis_text(char *buf, size_t size, const struct ap_profile *p,
                       const struct loop_time *t) {
  char ns[32], base[32];
  ap_fmt_ns(ns, t->ns);
  ap_fmt_ns(base, t->base_ns);
  if (t->measured)
    snprintf(buf, size, "measured: %s", ns);
  else if (t->from >= 0)
    snprintf(buf, size,
             "estimated: %s, its %.0f%% of the iterations of the timed loop at %s:%u (%s)", ns,
             100 * t->iter_share, p->loops[t->from].file, p->loops[t->from].line, base);
  else
    snprintf(buf, size,
             "estimated: %s, its %.0f%% of the iterations of its nest times %s's own time (%s)", ns,
             100 * t->iter_share, t->func->name, base);
}

/* "the loop at f.c:12 in caller (from inlined)" */
static void loop_place(char *buf, size_t size, const struct ap_prof_loop *l, const char *what) {
  int inlined = l->origin_function && strcmp(l->origin_function, l->function) != 0;
  snprintf(buf, size, "the %s at %s:%u in %s%s%s%s", what, l->file, l->line, l->function,
           inlined ? " (from " : "", inlined ? l->origin_function : "", inlined ? ")" : "");
}

/* Average trip: "2.5", or "10,000" when large or whole. */
static char *fmt_trip(char *buf, double v) {
  if (v >= 100 || v == (double)(uint64_t)v)
    return ap_fmt_count(buf, (uint64_t)(v + 0.5));
  snprintf(buf, 32, "%.1f", v);
  return buf;
}

/* "5,000/10,000/15,000" */
static char *fmt_trips(char *buf, size_t size, const struct ap_prof_loop *l) {
  char lo[32], avg[32], hi[32];
  snprintf(buf, size, "%s/%s/%s", ap_fmt_count(lo, l->min_trip), fmt_trip(avg, avg_trip(l)),
           ap_fmt_count(hi, l->max_trip));
  return buf;
}

/* "100 entries, 1,000,000 iterations, trips 5,000/10,000/15,000", or
 * "1 entry of 3,000 iterations"; then "; 40 of its entries began inside
 * another entry (recursion), ..." when the loop was entered again from
 * inside itself */
static char *loop_shape(char *buf, size_t size, const struct ap_prof_loop *l) {
  char entries[32], iters[32], trips[100], nested[32];
  int n;
  if (l->entries == 1)
    n = snprintf(buf, size, "1 entry of %s iteration%s", ap_fmt_count(iters, l->iterations),
                 l->iterations == 1 ? "" : "s");
  else
    n = snprintf(buf, size, "%s entries, %s iterations, trips %s",
                 ap_fmt_count(entries, l->entries), ap_fmt_count(iters, l->iterations),
                 fmt_trips(trips, sizeof trips, l));
  if (l->nested_entries && n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n,
             "; %s of its entries%s began inside another entry (recursion), its time counted "
             "once",
             ap_fmt_count(nested, l->nested_entries), l->zero_trip ? " (zero-trip included)" : "");
  return buf;
}

static struct ap_prof_hint *loop_hint(struct ap_profile *p, size_t i, const char *msg,
                                      double savings, const struct loop_time *t, double run) {
  const struct ap_prof_loop *l = &p->loops[i];
  long k = ap_profile_add_hint(p, AP_HINT_HOT_LOOP, l->function, l->file, l->line, msg,
                               (uint64_t)(savings + 0.5));
  if (k < 0)
    return NULL;
  struct ap_prof_hint *h = &p->hints[k];
  if (ap_hint_add_evidence(h, "share", t->ns / run) ||
      ap_hint_add_evidence(h, "entries", (double)l->entries) ||
      ap_hint_add_evidence(h, "iterations", (double)l->iterations) ||
      ap_hint_add_evidence(h, "min_trip", (double)l->min_trip) ||
      ap_hint_add_evidence(h, "avg_trip", avg_trip(l)) ||
      ap_hint_add_evidence(h, "max_trip", (double)l->max_trip) ||
      (loop_timed(l) &&
       ap_hint_add_evidence(h, "ns_per_iter", (double)l->incl_ns / (double)l->iterations)) ||
      ap_hint_add_evidence(h, "loop_ns", t->ns) ||
      ap_hint_add_evidence(h, "measured", t->measured) ||
      (l->nested_entries && ap_hint_add_evidence(h, "nested_entries", (double)l->nested_entries)))
    return NULL;
  return h;
}

/* O(n²) nest: the inner loop of an outer loop with a constant trip n runs
 * about n times per outer entry, 1..n (or 0..n-1) times each, so n²/2 in
 * total; or, its trips varying with the data up to n (an insertion sort's
 * shifts on random input: i/2 on average), down to n²/4.  An O(n log n)
 * method would run about n·log2(n) inner iterations:
 * savings = loop time × (1 − outer entries·n·log2(n) / inner iterations). */
static int quadratic_nest(struct ap_profile *p, const struct ap_hint_params *q, size_t i,
                          const struct loop_time *t, double run) {
  const struct ap_prof_loop *l = &p->loops[i];
  long pi = parent_of(p, i);
  if (pi < 0)
    return 0;
  const struct ap_prof_loop *o = &p->loops[pi];
  double e = (double)o->entries, n = e > 0 ? (double)o->iterations / e : 0,
         tol = q->loop_quadratic_tolerance;
  if (!o->entries || o->iterations % o->entries || (o->entries > 1 && o->min_trip != o->max_trip) ||
      n < (double)q->loop_quadratic_min_n)
    return 0;
  double in = (double)(l->entries + l->zero_trip), it = (double)l->iterations;
  double max = (double)l->max_trip, min_cap = n / 10 > 2 ? n / 10 : 2;
  if (in < e * (n - 1) || in > e * n || max < (1 - tol) * n || max > n + 1 ||
      (double)l->min_trip > min_cap || it < (1 - tol) * e * n * (n - 1) / 4 ||
      it > (1 + tol) * e * n * (n + 1) / 2)
    return 0;
  double keep = e * n * log2(n), savings = keep < it ? t->ns * (1 - keep / it) : 0;
  if (savings < 0.5)
    return 0;
  char msg[1024], place[256], total[32], nn[32], oe[32], per[64], kp[32], save[32], basis[256];
  loop_place(place, sizeof place, l, "loop");
  per[0] = 0;
  if (o->entries > 1)
    snprintf(per, sizeof per, " per entry (%s entries)", ap_fmt_count(oe, o->entries));
  basis_text(basis, sizeof basis, p, t);
  double ratio = it / (e * n * n / 2);
  snprintf(msg, sizeof msg,
           "%s is the inner loop of an O(n²) algorithm: total inner iterations %s ≈ n²/%d for n "
           "= %s outer iterations%s (ratio %.2f%s); an O(n log n) algorithm (sort, hash, tree) "
           "would run about %s instead and save up to %s (of the loop's time, %s)",
           place, ap_fmt_count(total, l->iterations), ratio < 0.75 ? 4 : 2,
           ap_fmt_count(nn, (uint64_t)n), per, ratio,
           ratio < 0.75 ? ": its trips vary up to n, a half on average" : "",
           ap_fmt_count(kp, (uint64_t)(keep + 0.5)), ap_fmt_ns(save, savings), basis);
  struct ap_prof_hint *h = loop_hint(p, i, msg, savings, t, run);
  if (!h || ap_hint_add_evidence(h, "n", n) || ap_hint_add_evidence(h, "outer_entries", e) ||
      ap_hint_add_evidence(h, "n_squared_half", e * n * n / 2) ||
      ap_hint_add_evidence(h, "ratio", it / (e * n * n / 2)))
    return -1;
  return 1;
}

/* The time of N calls taking NS beyond one call per entry of the loop. */
static double beyond_one_per_entry(double ns, double n, double entries) {
  return n > entries ? ns * (1 - entries / n) : 0;
}

/* The run's evidence that a loop's calls repeat work, in WHY: its top
 * callee is a memo candidate whose calls mostly repeat an earlier argument
 * tuple and got the same result, or a pure call in it returned the same
 * value for the same arguments as the call before on most of its calls
 * (callsites[]).  A driver loop calling its worker once per row has none:
 * its calls are the work, not a repeat of it. */
static int calls_repeat(const struct ap_profile *p, const struct ap_hint_params *q,
                        const struct ap_prof_loop *l, char *why, size_t n) {
  for (size_t i = 0; l->top_callee && i < p->nmemo; i++) {
    const struct ap_prof_memo *m = &p->memo[i];
    if (strcmp(m->function, l->top_callee) == 0 && !m->other_result && m->same_result &&
        m->repeat_rate >= q->memo_min_repeat_rate) {
      snprintf(why, n, "%.1f%% of %s's calls repeat an earlier argument tuple, with its result",
               100 * m->repeat_rate, m->function);
      return 1;
    }
  }
  for (size_t i = 0; i < p->ncallsites; i++) {
    const struct ap_prof_callsite *c = &p->callsites[i];
    if (c->loop_line == l->line && c->calls && strcmp(c->function, l->function) == 0 &&
        strcmp(c->file, l->file) == 0 &&
        (double)c->same_both >= q->hoist_min_same * (double)c->calls) {
      snprintf(why, n,
               "%s() at line %u returned the same value for the same arguments on %.1f%% "
               "of its calls",
               c->callee, c->line, 100.0 * (double)c->same_both / (double)c->calls);
      return 1;
    }
  }
  return 0;
}

/* Loop time mostly calls: a timed loop whose instrumented calls take at
 * least loop_calls_share of its time, are made more than once per entry
 * and at least once per iteration, and repeat work by the run's evidence
 * (calls_repeat; without it the loop is a driver, priced by its own time as
 * a dominant loop, its callees having hints of their own).
 * Work that repeats every iteration (a loop-invariant call, a lookup done
 * again) can run once per entry instead: savings, an upper bound, the time
 * of the calls beyond one per entry — for the top callee and for the other
 * calls apart, so that a few long calls (fewer than the entries) among many
 * short ones are not counted as repeated work. */
static int loop_calls(struct ap_profile *p, const struct ap_hint_params *q, size_t i,
                      const struct loop_time *t, double run) {
  const struct ap_prof_loop *l = &p->loops[i];
  char why[320];
  /* fewer calls than iterations: no call repeats every iteration */
  if (!loop_timed(l) || !l->calls || l->calls <= l->entries || l->calls < l->iterations ||
      (double)l->calls_ns < q->loop_calls_share * (double)l->incl_ns ||
      !calls_repeat(p, q, l, why, sizeof why))
    return 0;
  double e = (double)l->entries, savings;
  if (l->top_callee && l->top_callee_calls <= l->calls && l->top_callee_ns <= l->calls_ns)
    savings = beyond_one_per_entry((double)l->top_callee_ns, (double)l->top_callee_calls, e) +
              beyond_one_per_entry((double)(l->calls_ns - l->top_callee_ns),
                                   (double)(l->calls - l->top_callee_calls), e);
  else
    savings = beyond_one_per_entry((double)l->calls_ns, (double)l->calls, e);
  if (savings < 0.5)
    return 0;
  char msg[1536], place[256], top[320], tc[32], tn[32], calls[32], total[32], per[32], save[32];
  loop_place(place, sizeof place, l, "loop");
  top[0] = 0;
  if (l->top_callee)
    snprintf(top, sizeof top, ": top callee %s (%s calls, %s)", l->top_callee,
             ap_fmt_count(tc, l->top_callee_calls), ap_fmt_ns(tn, (double)l->top_callee_ns));
  snprintf(per, sizeof per, "%.1f", (double)l->calls / (double)l->iterations);
  snprintf(msg, sizeof msg,
           "%s: the loop's time is mostly the calls it makes%s; its %s calls (%s per iteration) "
           "take %.0f%% of its %s, and they repeat work (%s): moving the work that repeats out "
           "of the loop, or batching the calls, saves up to %s (the calls beyond one per entry)",
           place, top, ap_fmt_count(calls, l->calls), per,
           pct((double)l->calls_ns, (double)l->incl_ns), ap_fmt_ns(total, (double)l->incl_ns), why,
           ap_fmt_ns(save, savings));
  struct ap_prof_hint *h = loop_hint(p, i, msg, savings, t, run);
  if (!h || ap_hint_add_evidence(h, "calls", (double)l->calls) ||
      ap_hint_add_evidence(h, "calls_ns", (double)l->calls_ns) ||
      ap_hint_add_evidence(h, "calls_share", (double)l->calls_ns / (double)l->incl_ns) ||
      ap_hint_add_evidence(h, "calls_per_iter", (double)l->calls / (double)l->iterations) ||
      (l->top_callee && (ap_hint_add_evidence(h, "top_callee_calls", (double)l->top_callee_calls) ||
                         ap_hint_add_evidence(h, "top_callee_ns", (double)l->top_callee_ns))))
    return -1;
  return 1;
}

/* Tiny trip count entered very often: an inner loop with an average trip of
 * at most loop_tiny_max_trip and at least loop_tiny_min_entries entries,
 * whose own time is at least loop_min_share of the run.
 * Each entry costs about one iteration more (setup, the exit branch that
 * mispredicts when the trip varies), so the overhead is taken as
 * entries / (entries + iterations) = 1 / (1 + avg trip) of the loop's own
 * time (without its calls), measured or estimated (struct loop_time). */
static int tiny_trips(struct ap_profile *p, const struct ap_hint_params *q, const double *nest,
                      size_t i, const struct loop_time *t, double run) {
  const struct ap_prof_loop *l = &p->loops[i];
  if ((parent_of(p, i) < 0 && l->depth < 2) || avg_trip(l) > q->loop_tiny_max_trip ||
      l->entries < q->loop_tiny_min_entries)
    return 0;
  struct loop_time own;
  /* the loop's own time (without its calls) must matter: an inner loop
   * whose entries mostly call out (a quicksort's partition calling the
   * comparator) has no overhead worth a hint */
  if (!loop_time(p, nest, i, 1, &own) || own.ns / run < q->loop_min_share)
    return 0;
  double overhead = (double)l->entries / (double)(l->entries + l->iterations);
  double savings = own.ns * overhead;
  if (savings < 0.5)
    return 0;
  char msg[1024], place[256], avg[32], trips[100], entries[32], save[32], basis[256];
  loop_place(place, sizeof place, l, "inner loop");
  basis_text(basis, sizeof basis, p, &own);
  snprintf(msg, sizeof msg,
           "%s runs only %s iteration%s per entry (trips %s) but is entered %s times: loop "
           "overhead dominates; unroll it, flatten the nest, or swap the loops to save about %s "
           "(1/(1 + avg trip) = %.0f%% of the loop's own time, %s)",
           place, fmt_trip(avg, avg_trip(l)), avg_trip(l) == 1 ? "" : "s",
           fmt_trips(trips, sizeof trips, l), ap_fmt_count(entries, l->entries),
           ap_fmt_ns(save, savings), 100 * overhead, basis);
  struct ap_prof_hint *h = loop_hint(p, i, msg, savings, t, run);
  if (!h || ap_hint_add_evidence(h, "overhead_share", overhead) ||
      ap_hint_add_evidence(h, "own_ns", own.ns))
    return -1;
  return 1;
}

/* Dominant loop: a timed loop with at least hot_loop_share of the run
 * (where to look first).  What a faster loop saves is its own time (its
 * body and control, without the instrumented calls it makes, which have
 * hints of their own): an upper bound ("up to").  A driver loop around the
 * real work (bzip2's handle_compress loop: 97 % of the run, 94 points of
 * it in 5 calls of BZ2_compressBlock) is still named, and priced by what
 * is left; it used to rank first with the whole 97 %. */
static int dominant_loop(struct ap_profile *p, const struct ap_hint_params *q, size_t i,
                         const struct loop_time *t, double run) {
  const struct ap_prof_loop *l = &p->loops[i];
  double own = own_time(l, 1);
  if (!loop_timed(l) || (double)l->incl_ns / run < q->hot_loop_share)
    return 0;
  char msg[1024], place[256], shape[384], per[32], save[32], calls[320], n[32], ns[32];
  loop_place(place, sizeof place, l, "loop");
  calls[0] = 0;
  if (l->calls_ns && own < (double)l->incl_ns) {
    char tc[200] = "";
    if (l->top_callee)
      snprintf(tc, sizeof tc, ", top callee %s", l->top_callee);
    snprintf(calls, sizeof calls, "; %.1f%% in its own body, the rest in %s calls%s (%s)",
             pct(own, run), ap_fmt_count(n, l->calls), tc, ap_fmt_ns(ns, (double)l->calls_ns));
  }
  /* a loop whose time is its calls' (under 1 % its own): "a faster loop
   * saves up to 0 ns" said nothing (helper-21); its callees' hints do */
  int driver = l->calls_ns && own < 0.01 * (double)l->incl_ns;
  snprintf(msg, sizeof msg,
           "%s takes %.1f%% of the run (%s, %s per iteration%s): where to look first; %s%s", place,
           pct((double)l->incl_ns, run), loop_shape(shape, sizeof shape, l),
           ap_fmt_ns(per, (double)l->incl_ns / (double)l->iterations), calls,
           driver ? "its time is spent in its callees (their own hints say what they could save)"
                  : "a faster loop saves up to ",
           driver ? "" : ap_fmt_ns(save, own));
  struct ap_prof_hint *h = loop_hint(p, i, msg, own, t, run);
  if (!h || (l->calls_ns && (ap_hint_add_evidence(h, "own_ns", own) ||
                             ap_hint_add_evidence(h, "calls", (double)l->calls) ||
                             ap_hint_add_evidence(h, "calls_ns", (double)l->calls_ns))))
    return -1;
  return 1;
}

static int hot_loops(struct ap_profile *p, const struct ap_hint_params *q, double run) {
  if (run <= 0 || !p->nloops)
    return 0;
  double *nest = nest_totals(p);
  if (!nest)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < p->nloops && rc >= 0; i++) {
    struct loop_time t;
    if (p->loops[i].iterations < q->loop_min_iterations || !p->loops[i].iterations ||
        !p->loops[i].entries || !loop_time(p, nest, i, 0, &t) || t.ns / run < q->loop_min_share)
      continue;
    rc = quadratic_nest(p, q, i, &t, run);
    if (!rc)
      rc = loop_calls(p, q, i, &t, run);
    if (!rc)
      rc = tiny_trips(p, q, nest, i, &t, run);
    if (!rc)
      rc = dominant_loop(p, q, i, &t, run);
  }
  free(nest);
  return rc < 0 ? -1 : 0;
}

static int by_savings(const void *a, const void *b) {
  const struct ap_prof_hint *x = a, *y = b;
  if (x->savings_ns != y->savings_ns)
    return x->savings_ns > y->savings_ns ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  int c = strcmp(x->function, y->function);
  if (c)
    return c;
  return x->line < y->line ? -1 : x->line > y->line;
}

/* One hot-loop hint per source line.  The compiler copies a loop when it
 * inlines its function in several places, unrolls or versions it, or turns
 * recursion into loops and inlines them into one another (GCC -O2 makes
 * nine loops at the one line of a recursive fib): each copy is a loop of its
 * own in the profile, and the same loop to the reader.  The hint with the
 * largest savings stays and says how many more there were; the others go
 * (the loops table still lists every copy).  Line 0 (unknown) is no place. */
static int fold_loop_copies(struct ap_profile *p) {
  for (size_t i = 0; i < p->nhints; i++) {
    const struct ap_prof_hint *h = &p->hints[i];
    if (h->kind != AP_HINT_HOT_LOOP || !h->line)
      continue;
    size_t more = 0;
    for (size_t j = i + 1; j < p->nhints;) {
      const struct ap_prof_hint *o = &p->hints[j];
      if (o->kind == AP_HINT_HOT_LOOP && o->line == h->line &&
          strcmp(o->function, h->function) == 0 && strcmp(o->file, h->file) == 0) {
        ap_profile_remove_hint(p, j);
        more++;
      } else {
        j++;
      }
    }
    if (!more)
      continue;
    struct ap_prof_hint *k = &p->hints[i];
    static const char tail[] = "%s; %zu more loop%s at this line ha%s a hint too (copies the "
                               "compiler made by inlining, unrolling or turning recursion into "
                               "loops, or loops written on one line): see the loops table";
    size_t len = strlen(k->message) + sizeof tail + 64;
    char *msg = malloc(len);
    if (!msg)
      return -1;
    snprintf(msg, len, tail, k->message, more, more == 1 ? "" : "s", more == 1 ? "s" : "ve");
    free(k->message);
    k->message = msg;
    if (ap_hint_add_evidence(k, "more_at_line", (double)more))
      return -1;
  }
  return 0;
}

int ap_profile_analyze(struct ap_profile *p, const struct ap_hint_params *params) {
  struct ap_hint_params defaults;
  if (!params) {
    ap_hint_params_default(&defaults);
    params = &defaults;
  }
  ap_profile_clear_hints(p);
  ap_profile_cap_loops(p);
  double run = (double)ap_profile_run_ns(p);
  if (hot_functions(p, params, run) || hot_path(p, params, run) || hot_loops(p, params, run) ||
      inline_hints(p, params, run) || ap_hints_memo(p, params))
    return -1;
  if (p->nhints)
    qsort(p->hints, p->nhints, sizeof *p->hints, by_savings);
  if (fold_loop_copies(p))
    return -1;
  return (int)p->nhints;
}
