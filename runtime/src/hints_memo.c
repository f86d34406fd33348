/* memoize and hoist hints (docs/report.md): pure calls that keep computing
 * the same result.  It must be right before it is clever: a function whose
 * repeated arguments ever gave another result depends on state and gets no
 * hint; one the policy vouched for is then reported as contradicting it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"

#define MEMO_GOOD_ENOUGH 0.95 /* the smallest cache within this of the best hit count */

/* A percentage to two decimals, rounded down: 199,990 of 200,000 is
 * "99.99%", never "100.00%" (helper-21). */
static double pct_down(double part, double whole) {
  return whole > 0 ? floor(100.0 * part / whole * 100.0 + 1e-7) / 100.0 : 0;
}

static const struct ap_prof_func *function_of(const struct ap_profile *p,
                                              const struct ap_prof_memo *m) {
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    if (f->line == m->line && strcmp(f->name, m->function) == 0 &&
        strcmp(f->file, m->file ? m->file : "") == 0)
      return f;
  }
  return NULL;
}

/* The smallest simulated cache that answers nearly as many calls as the
 * biggest one did. */
static int best_cache(const struct ap_prof_memo *m) {
  uint64_t most = 0;
  for (int k = 0; k < AP_MEMO_CACHES; k++)
    if (m->cache_hits[k] > most)
      most = m->cache_hits[k];
  for (int k = 0; k < AP_MEMO_CACHES; k++)
    if (m->cache_size[k] && (double)m->cache_hits[k] >= MEMO_GOOD_ENOUGH * (double)most)
      return k;
  return AP_MEMO_CACHES - 1;
}

static int add_evidence(struct ap_prof_hint *h, const struct ap_prof_memo *m, double per_call) {
  char key[32];
  int rc = ap_hint_add_evidence(h, "calls", (double)m->calls) ||
           ap_hint_add_evidence(h, "distinct_args", (double)m->distinct) ||
           ap_hint_add_evidence(h, "repeat_rate", m->repeat_rate) ||
           ap_hint_add_evidence(h, "same_result", (double)m->same_result) ||
           ap_hint_add_evidence(h, "other_result", (double)m->other_result) ||
           ap_hint_add_evidence(h, "ns_per_call", per_call) ||
           ap_hint_add_evidence(h, "pointer_args", m->pointer_args) ||
           ap_hint_add_evidence(h, "proven", m->proven);
  if (!rc && m->simulated && m->simulated < m->calls) /* cache figures scaled from these */
    rc = ap_hint_add_evidence(h, "simulated_calls", (double)m->simulated);
  for (int k = 0; k < AP_MEMO_CACHES && !rc; k++) {
    if (!m->cache_size[k])
      continue;
    snprintf(key, sizeof key, "hit_rate_%llu", (unsigned long long)m->cache_size[k]);
    rc = ap_hint_add_evidence(h, key, m->calls ? (double)m->cache_hits[k] / (double)m->calls : 0);
  }
  return rc;
}

/* A vouched-for function whose run shows state dependence. */
static int contradiction(struct ap_profile *p, const struct ap_prof_memo *m, double per_call) {
  char msg[768], calls[32], other[32];
  snprintf(msg, sizeof msg,
           "%s (%s:%u) was declared pure in the policy (memo.assume_pure), but %s of its "
           "repeated argument tuples returned a different result than before (of %s calls): it "
           "depends on state; do not cache it, and remove it from memo.assume_pure",
           m->function, m->file ? m->file : "", m->line, ap_fmt_count(other, m->other_result),
           ap_fmt_count(calls, m->calls));
  long i = ap_profile_add_hint(p, AP_HINT_MEMOIZE, m->function, m->file, m->line, msg, 0);
  return i < 0 || add_evidence(&p->hints[i], m, per_call);
}

/* What a call cache K would have answered costs: the mean call less how
 * much more a timed call costs than a timed one it would have answered
 * (raw times, over the simulated calls: the probes' cost, the same in
 * both, cancels).  A function whose repeated arguments are its cheap ones
 * (~2 ns) and whose distinct ones are costly (ms) saves little by a cache,
 * whatever its mean.  The mean when no answered call was timed.
 *
 * The probes' part of a raw call (its raw mean less the compensated mean
 * call) is a difference of two estimates of a mean: where the calls differ
 * by 50x it is off by more than a cheap call costs (20 ns calls priced at
 * 66-87 ns, and a hint of 5-14 ms that came and went between identical
 * runs: helper-25).  It is at least what a timed call's own probes cost
 * (calibrated at exit, SELF_NS): the answered calls are priced at their
 * raw time less that much at least. */
static double answered_cost(const struct ap_prof_memo *m, int k, double per_call, double self_ns,
                            int *measured) {
  *measured = m->raw_calls > 0 && m->hit_raw_calls[k] > 0;
  if (!*measured)
    return per_call;
  double probes = m->raw_ns / m->raw_calls - per_call;
  if (probes < self_ns)
    probes = self_ns;
  double cost = m->hit_raw_ns[k] / m->hit_raw_calls[k] - probes;
  return cost > 0 ? cost : 0;
}

static int memoize(struct ap_profile *p, const struct ap_prof_memo *m, double per_call,
                   double self_ns, double total, uint64_t run, double min_share) {
  int k = best_cache(m), measured;
  double answered = (double)m->cache_hits[k];
  double per_hit = answered_cost(m, k, per_call, self_ns, &measured);
  double savings = answered * per_hit;
  if (total > 0 && savings > total) /* no more than the function's time */
    savings = total;
  if (savings < min_share * (double)run)
    return 0;
  char msg[1024], calls[32], rep[32], distinct[64], save[32], per[32];
  double repeats = (double)m->calls * m->repeat_rate;
  if (m->distinct <= 1)
    snprintf(distinct, sizeof distinct, "the same argument tuple");
  else
    snprintf(distinct, sizeof distinct, "one of about %s argument tuples",
             ap_fmt_count(save, m->distinct));
  int n = snprintf(
      msg, sizeof msg,
      "%s (%s:%u): %s of %s calls repeat %s and got the same result each time; a %llu-entry "
      "cache would answer %.2f%% of the calls; about %s (%.1f%% of the run, %s per call %s) to "
      "save",
      m->function, m->file ? m->file : "", m->line, ap_fmt_count(rep, (uint64_t)(repeats + 0.5)),
      ap_fmt_count(calls, m->calls), distinct, (unsigned long long)m->cache_size[k],
      pct_down(answered, (double)m->calls), ap_fmt_ns(save, savings), 100.0 * savings / (double)run,
      ap_fmt_ns(per, per_hit), measured ? "it would answer" : "on average");
  if (m->pointer_args && n > 0 && (size_t)n < sizeof msg)
    snprintf(msg + n, sizeof msg - (size_t)n,
             " (pointer arguments were compared by address: the evidence holds only if the "
             "data they point to does not change between calls)");
  if (!m->proven && n > 0 && strlen(msg) + 80 < sizeof msg)
    strcat(msg, " (purity vouched by the policy, not proven by the compiler)");
  long i = ap_profile_add_hint(p, AP_HINT_MEMOIZE, m->function, m->file, m->line, msg,
                               (uint64_t)(savings + 0.5));
  if (i < 0 || add_evidence(&p->hints[i], m, per_call))
    return -1;
  return ap_hint_add_evidence(&p->hints[i], "cache_size", (double)m->cache_size[k]) ||
         ap_hint_add_evidence(&p->hints[i], "ns_per_answered_call", per_hit) ||
         ap_hint_add_evidence(&p->hints[i], "answered_cost_measured", measured);
}

/* hoist: a const/pure call inside a loop that keeps getting the same
 * arguments and returning the same result. */
static const struct ap_prof_func *function_named(const struct ap_profile *p, const char *name) {
  for (size_t i = 0; i < p->nfunctions; i++)
    if (strcmp(p->functions[i].name, name) == 0)
      return &p->functions[i];
  return NULL;
}

/* The loop the call is in, as the loop records name it: the compiler's
 * last pass places a loop elsewhere than its controlling test (GCC -O2's
 * exit test after induction-variable rewriting is at the body's line: 23
 * of bzip2's 23 call sites named a line no loop record had, helper-25).
 * LINE itself when a loop of the function is there; else the last loop
 * of the function that starts at or before the call; else LINE. */
static uint32_t hoist_loop_line(const struct ap_profile *p, const struct ap_prof_callsite *c) {
  uint32_t best = 0;
  for (size_t i = 0; i < p->nloops; i++) {
    const struct ap_prof_loop *l = &p->loops[i];
    if (!l->function || !c->function || strcmp(l->function, c->function) != 0 ||
        strcmp(l->file ? l->file : "", c->file ? c->file : "") != 0)
      continue;
    if (l->line == c->loop_line)
      return c->loop_line;
    if (l->line <= c->line && l->line > best)
      best = l->line;
  }
  return best ? best : c->loop_line;
}

static int hoist(struct ap_profile *p, const struct ap_prof_callsite *c, uint64_t run,
                 const struct ap_hint_params *params) {
  if (c->calls < params->memo_min_calls ||
      (double)c->same_both < params->hoist_min_same * (double)c->calls)
    return 0;
  /* the callee's own probes when it is instrumented, else the sampled
   * time of the calls at this site */
  const struct ap_prof_func *f = function_named(p, c->callee);
  /* the sampled time of a call site lies between two clock reads: less
   * what a timed interval's own probes put in it — a timed function's
   * (calibration `self`) but for the call of the empty function measured
   * there (call_cost_ns): strlen of 70 characters read 12-13 ns for its
   * ~3, and its hint 4x the saving, more than the run (helper-30) */
  double per_call;
  int measured;
  if (f && f->calls) {
    per_call = (double)f->incl_ns / (double)f->calls;
    measured = per_call > 0;
  } else {
    per_call = c->ns_per_call - (p->calibration_ns[AP_CAL_SELF] - p->call_cost_ns);
    per_call = per_call > 0 ? per_call : 0;
    measured = c->ns_per_call > 0;
  }
  double savings = per_call * (double)c->same_both;
  /* no more than the time of the function the calls are made in */
  const struct ap_prof_func *in = function_named(p, c->function);
  if (in && in->incl_ns && savings > (double)in->incl_ns)
    savings = (double)in->incl_ns;
  if (measured && run && savings < params->memo_min_share * (double)run)
    return 0; /* measured, and too small to matter */
  char msg[1024], calls[32], save[32], per[32], loop[300];
  /* loop_line 0: the loop is in another file than the call (inlined) */
  uint32_t loop_line = c->loop_line ? hoist_loop_line(p, c) : 0;
  if (loop_line)
    snprintf(loop, sizeof loop, "the loop at %s:%u (in %s)", c->file, loop_line, c->function);
  else
    snprintf(loop, sizeof loop, "a loop of %s", c->function);
  int n = snprintf(msg, sizeof msg,
                   "%s() at %s:%u returned the same value for the same arguments on %.2f%% of %s "
                   "calls inside %s: hoist it out of the loop",
                   c->callee, c->file, c->line, pct_down((double)c->same_both, (double)c->calls),
                   ap_fmt_count(calls, c->calls), loop);
  if (n > 0 && (size_t)n < sizeof msg) {
    if (measured)
      snprintf(msg + n, sizeof msg - (size_t)n,
               "; its calls take %s each (%s): about %s (%.1f%% of the run) to save",
               ap_fmt_ns(per, per_call), f ? "measured by its probes" : "sampled, one call in 64",
               ap_fmt_ns(save, savings), run ? 100.0 * savings / (double)run : 0);
    else
      snprintf(msg + n, sizeof msg - (size_t)n,
               "; the time of these calls was not measured, so the savings are unknown");
  }
  long i = ap_profile_add_hint(p, AP_HINT_HOIST, c->function, c->file, c->line, msg,
                               (uint64_t)(savings + 0.5));
  if (i < 0)
    return -1;
  struct ap_prof_hint *h = &p->hints[i];
  return ap_hint_add_evidence(h, "calls", (double)c->calls) ||
         ap_hint_add_evidence(h, "same_args", (double)c->same_args) ||
         ap_hint_add_evidence(h, "same_both", (double)c->same_both) ||
         ap_hint_add_evidence(h, "loop_line", loop_line) ||
         ap_hint_add_evidence(h, "ns_per_call", per_call) ||
         ap_hint_add_evidence(h, "sampled_calls", (double)c->sampled) ||
         ap_hint_add_evidence(h, "measured", measured);
}

int ap_hints_memo(struct ap_profile *p, const struct ap_hint_params *params) {
  uint64_t run = ap_profile_run_ns(p);
  for (size_t i = 0; i < p->nmemo; i++) {
    const struct ap_prof_memo *m = &p->memo[i];
    const struct ap_prof_func *f = function_of(p, m);
    double per_call = f && f->calls ? (double)f->incl_ns / (double)f->calls : 0;
    if (m->calls < params->memo_min_calls)
      continue;
    if (m->other_result) {
      /* state-dependent: never a memoize hint; a contradiction if vouched */
      if (!m->proven && contradiction(p, m, per_call))
        return -1;
      continue;
    }
    if (!m->same_result || m->repeat_rate < params->memo_min_repeat_rate || !run)
      continue;
    /* as for hot-function: a time estimated with a 95 % error of 100 % or
     * more prices nothing (lzo's len_of_coded_match at +-171 %) */
    if (f && ap_func_estimated(f) && f->time_error >= 1)
      continue;
    /* a timed call's own probes: those of a sampled function where it is one */
    int sampled = f && f->timed_calls && f->timed_calls < f->calls;
    double self_ns = p->calibration_ns[sampled ? AP_CAL_SAMPLED_SELF : AP_CAL_SELF];
    if (memoize(p, m, per_call, self_ns > 0 ? self_ns : 0, f ? (double)f->incl_ns : 0, run,
                params->memo_min_share))
      return -1;
  }
  for (size_t i = 0; i < p->ncallsites; i++)
    if (hoist(p, &p->callsites[i], run, params))
      return -1;
  return 0;
}
