/* autoprof policy: check, show and suggest instrumentation policies with the
 * same policy library the compiler plugins use. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy.h"

static int policy_check(int argc, char **argv) {
  struct ap_args a;
  if (ap_parse_args(NULL, 0, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos != 1)
    return ap_usage_error("policy check", "expects one FILE.yaml");
  char err[512];
  struct ap_policy *pol = ap_policy_load_file(a.pos[0], err, sizeof err);
  if (!pol) {
    fprintf(stderr, "%s\n", err);
    return AP_EXIT_FAIL;
  }
  printf("%s: ok (digest %016llx)\n", a.pos[0], (unsigned long long)pol->digest);
  ap_policy_free(pol);
  return AP_EXIT_OK;
}

static int policy_show(int argc, char **argv) {
  struct ap_args a;
  if (ap_parse_args(NULL, 0, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos > 1)
    return ap_usage_error("policy show", "expects at most one FILE.yaml");
  char err[512];
  struct ap_policy *pol =
      a.npos ? ap_policy_load_file(a.pos[0], err, sizeof err) : ap_policy_default();
  if (!pol) {
    fprintf(stderr, "%s\n", err);
    return AP_EXIT_FAIL;
  }
  int rc = ap_policy_dump(pol, stdout) || fflush(stdout) ? AP_EXIT_FAIL : AP_EXIT_OK;
  ap_policy_free(pol);
  return rc;
}

/* A YAML double-quoted scalar. */
static void put_yaml_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      putchar('\\');
    putchar(*s);
  }
  putchar('"');
}

/* A sampled function's timed call (its probes' branches mispredict), or a
 * timed call when no sampled one was measured. */
static double sampled_pair(const struct ap_profile *p) {
  const double *c = p->calibration_ns;
  return c[AP_CAL_SAMPLED_TIMED] > 0 ? c[AP_CAL_SAMPLED_TIMED] : c[AP_CAL_TIMED];
}

/* What one untimed call of F costs: an untimed pair — an upper bound, a
 * frameless leaf's is cheaper — or, for a static leaf (flag `leaf`) in a
 * profile that measured the kind, the frameless entry that begins its runs
 * (the calls of a run counted inline cost less again: abi.h item 8). */
static double untimed_ns(const struct ap_profile *p, const struct ap_prof_func *f) {
  const double *c = p->calibration_ns;
  if ((f->flags & ap_func_flag_from_name("leaf")) && c[AP_CAL_INLINE_LEAF] > 0 &&
      c[AP_CAL_FRAMELESS] > 0)
    return c[AP_CAL_FRAMELESS];
  return c[AP_CAL_UNTIMED];
}

/* What F's probes cost the run: a timed call one timed pair (a sampled
 * function's: the sampled kind), any other call untimed_ns. */
static double probe_ns(const struct ap_profile *p, const struct ap_prof_func *f) {
  if (!ap_profile_priced_by_kind(p))
    return (double)f->calls * p->probe_cost_ns;
  uint64_t timed = f->timed_calls ? f->timed_calls : f->calls;
  const double *c = p->calibration_ns;
  double pair = timed < f->calls ? sampled_pair(p) : c[AP_CAL_TIMED];
  return (double)timed * pair + (double)(f->calls - timed) * untimed_ns(p, f);
}

/* A function whose probes cost more than max_share of its own (compensated)
 * time tells less than it costs: its self time is mostly our noise.  The
 * entry point and `always` functions stay: the policy keeps them anyway. */
static int too_costly(const struct ap_profile *p, const struct ap_prof_func *f, double max_share,
                      unsigned min_calls) {
  uint32_t keep = ap_func_flag_from_name("main") | ap_func_flag_from_name("always");
  return !(f->flags & keep) && f->calls >= min_calls &&
         probe_ns(p, f) > max_share * (double)f->excl_ns;
}

static int policy_suggest(int argc, char **argv) {
  static const struct ap_opt opts[] = {{"--max-probe-share", 0, 1}, {"--min-calls", 0, 1}};
  struct ap_args a;
  double max_share = 0.25;
  unsigned min_calls = 1000;
  if (ap_parse_args(opts, 2, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos != 1)
    return ap_usage_error("policy suggest", "expects one PROFILE.json");
  if ((a.value[0] && ap_arg_share("policy suggest", "--max-probe-share", a.value[0], &max_share)) ||
      (a.value[1] && ap_arg_uint("policy suggest", "--min-calls", a.value[1], &min_calls)))
    return AP_EXIT_USAGE;
  struct ap_profile *p = ap_cli_load(a.pos[0]);
  if (!p)
    return AP_EXIT_FAIL;
  char cost[32], sampled[32], untimed[32];
  const double *c = p->calibration_ns;
  printf("# Suggested by `autoprof policy suggest` from %s.\n"
         "# Excludes the functions with at least %u calls whose probes cost more than\n"
         "# %.0f%% of their own time",
         ap_basename(a.pos[0]), min_calls, 100 * max_share);
  int by_kind = ap_profile_priced_by_kind(p);
  char leaf[32];
  if (by_kind && c[AP_CAL_INLINE_LEAF] > 0 && c[AP_CAL_FRAMELESS] > 0)
    printf(".  Probes in that run: %s a timed call, %s a sampled\n"
           "# function's timed call, %s any other call (%s a static leaf's).  Copy the\n"
           "# entries into your policy: a list given in a policy replaces the default one.\n",
           ap_fmt_ns(cost, c[AP_CAL_TIMED]), ap_fmt_ns(sampled, sampled_pair(p)),
           ap_fmt_ns(untimed, c[AP_CAL_UNTIMED]), ap_fmt_ns(leaf, c[AP_CAL_FRAMELESS]));
  else if (by_kind)
    printf(".  Probes in that run: %s a timed call, %s a sampled\n"
           "# function's timed call, %s any other call.  Copy the entries into your\n"
           "# policy: a list given in a policy replaces the default one.\n",
           ap_fmt_ns(cost, c[AP_CAL_TIMED]), ap_fmt_ns(sampled, sampled_pair(p)),
           ap_fmt_ns(untimed, c[AP_CAL_UNTIMED]));
  else
    printf(" (probe cost %s per call in that run).  Copy the\n"
           "# entries into your policy: a list given in a policy replaces the default one.\n",
           ap_fmt_ns(cost, p->probe_cost_ns));
  printf("version: 1\nfunctions:\n  exclude:");
  size_t n = 0;
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    if (!too_costly(p, f, max_share, min_calls))
      continue;
    char calls[32], timed[32], probe[32], self[32];
    double pn = probe_ns(p, f);
    printf("\n    # %s:%u: %s calls", f->file, f->line, ap_fmt_count(calls, f->calls));
    if (by_kind && f->timed_calls && f->timed_calls < f->calls)
      printf(" (%s timed)", ap_fmt_count(timed, f->timed_calls));
    else if (!by_kind)
      printf(" x %s", cost);
    printf(" = %s of probes vs %s self time (%.0f%%)\n    - ", ap_fmt_ns(probe, pn),
           ap_fmt_ns(self, (double)f->excl_ns),
           f->excl_ns ? 100.0 * pn / (double)f->excl_ns : 100.0);
    put_yaml_str(f->name);
    n++;
  }
  printf(n ? "\n" : " []  # no function qualifies\n");
  ap_profile_free(p);
  return fflush(stdout) ? AP_EXIT_FAIL : AP_EXIT_OK;
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} actions[] = {{"check", policy_check}, {"show", policy_show}, {"suggest", policy_suggest}};
#define NACTIONS (sizeof actions / sizeof actions[0])

int ap_cmd_policy(int argc, char **argv) {
  const char *names[NACTIONS];
  for (size_t i = 0; i < NACTIONS; i++)
    names[i] = actions[i].name;
  if (argc < 2)
    return ap_usage_error("policy", "expects check FILE.yaml, show [FILE.yaml] or suggest "
                                    "PROFILE.json");
  for (size_t i = 0; i < NACTIONS; i++)
    if (strcmp(argv[1], actions[i].name) == 0) {
      char cmd[32];
      snprintf(cmd, sizeof cmd, "policy %s", actions[i].name);
      argv[1] = cmd; /* diagnostics say "autoprof policy check: ..." */
      return actions[i].run(argc - 1, argv + 1);
    }
  const char *s = ap_suggest(argv[1], names, NACTIONS);
  if (s)
    return ap_usage_error("policy", "unknown command '%s' (did you mean '%s'?)", argv[1], s);
  return ap_usage_error("policy", "unknown command '%s' (check, show or suggest)", argv[1]);
}
