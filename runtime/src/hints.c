/* Hints: measurements -> ranked advice.  Every hint names a place, carries
 * the numbers it was drawn from and an estimated saving; docs/report.md
 * defines each kind (when it fires, its evidence, its savings formula) and
 * must change together with this file. */
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
    char msg[512], calls[32], per[32], save[32];
    double per_call = self / (double)f->calls;
    snprintf(msg, sizeof msg,
             "%s spends %.1f%% of the run in its own body (%s call%s, %s each; %.1f%% with its "
             "callees): a faster body saves up to %s",
             f->name, pct(self, run), ap_fmt_count(calls, f->calls), f->calls == 1 ? "" : "s",
             ap_fmt_ns(per, per_call), pct((double)f->incl_ns, run), ap_fmt_ns(save, self));
    struct ap_prof_hint *h = new_hint(p, AP_HINT_HOT_FUNCTION, f, msg, f->excl_ns);
    if (!h || ap_hint_add_evidence(h, "self_ns", self) ||
        ap_hint_add_evidence(h, "self_share", self / run) ||
        ap_hint_add_evidence(h, "total_ns", (double)f->incl_ns) ||
        ap_hint_add_evidence(h, "total_share", (double)f->incl_ns / run) ||
        ap_hint_add_evidence(h, "calls", (double)f->calls) ||
        ap_hint_add_evidence(h, "ns_per_call", per_call))
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
 * hot_path_share of the run names the end's caller: calling the end less
 * often from there saves up to the end's inclusive time on this path. */
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
  if ((double)end->incl_ns / run < q->hot_path_share)
    return 0;
  char msg[1024], calls[32], t[32];
  size_t o = 0;
  for (size_t i = 0; i < n && o < 600; i++)
    o += snprintf(msg + o, sizeof msg - o, "%s%s", i ? " > " : "",
                  p->functions[p->nodes[path[i]].func].name);
  const struct ap_prof_func *cf = &p->functions[caller->func], *ef = &p->functions[end->func];
  snprintf(msg + o, sizeof msg - o,
           " takes %.1f%% of the run: look at %s (%s:%u), whose %s calls to %s take %s; calling "
           "it less often from there saves up to %s",
           pct((double)end->incl_ns, run), cf->name, cf->file, cf->line,
           ap_fmt_count(calls, end->calls), ef->name, ap_fmt_ns(t, (double)end->incl_ns), t);
  struct ap_prof_hint *h = new_hint(p, AP_HINT_HOT_PATH, cf, msg, end->incl_ns);
  if (!h || ap_hint_add_evidence(h, "path_ns", (double)end->incl_ns) ||
      ap_hint_add_evidence(h, "path_share", (double)end->incl_ns / run) ||
      ap_hint_add_evidence(h, "depth", (double)n) ||
      ap_hint_add_evidence(h, "calls", (double)end->calls) ||
      ap_hint_add_evidence(h, "caller_calls", (double)caller->calls))
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

/* inline: many calls whose body is so short that the call itself (measured
 * at calibration: call_cost_ns) is a large share of each call.  Inlining
 * saves about calls x call_cost_ns. */
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
    char msg[512], calls[32], per[32], cost[32], save[32];
    snprintf(msg, sizeof msg,
             "%s is called %s times and runs %s per call in its own body, while a call costs "
             "about %s here (%.0f%% of each call): make it inlinable (static inline in a header, "
             "or LTO) to save about %s",
             f->name, ap_fmt_count(calls, f->calls), ap_fmt_ns(per, per_call), ap_fmt_ns(cost, cc),
             100 * overhead, ap_fmt_ns(save, savings));
    struct ap_prof_hint *h = new_hint(p, AP_HINT_INLINE, f, msg, (uint64_t)(savings + 0.5));
    if (!h || ap_hint_add_evidence(h, "calls", (double)f->calls) ||
        ap_hint_add_evidence(h, "self_ns", (double)f->excl_ns) ||
        ap_hint_add_evidence(h, "ns_per_call", per_call) ||
        ap_hint_add_evidence(h, "call_cost_ns", cc) ||
        ap_hint_add_evidence(h, "overhead_share", overhead))
      return -1;
  }
  return 0;
}

static int by_savings(const void *a, const void *b) {
  const struct ap_prof_hint *x = a, *y = b;
  if (x->savings_ns != y->savings_ns)
    return x->savings_ns > y->savings_ns ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return strcmp(x->function, y->function);
}

int ap_profile_analyze(struct ap_profile *p, const struct ap_hint_params *params) {
  struct ap_hint_params defaults;
  if (!params) {
    ap_hint_params_default(&defaults);
    params = &defaults;
  }
  ap_profile_clear_hints(p);
  double run = (double)ap_profile_run_ns(p);
  if (hot_functions(p, params, run) || hot_path(p, params, run) || inline_hints(p, params, run))
    return -1;
  if (p->nhints)
    qsort(p->hints, p->nhints, sizeof *p->hints, by_savings);
  return (int)p->nhints;
}
