/* autoprof report: re-analyse a profile with other thresholds and print the
 * text report (or the profile JSON carrying the new hints). */
#include <stddef.h>
#include <string.h>

#include "cli.h"

/* The thresholds a user may override, each mapped onto ap_hint_params. */
static const struct {
  const char *option;
  size_t offset;
  int is_count; /* uint64_t field; otherwise a share (double, 0..1) */
} thresholds[] = {
    {"--hot-function-share", offsetof(struct ap_hint_params, hot_function_share), 0},
    {"--hot-path-share", offsetof(struct ap_hint_params, hot_path_share), 0},
    {"--hot-loop-share", offsetof(struct ap_hint_params, hot_loop_share), 0},
    {"--memo-min-repeat-rate", offsetof(struct ap_hint_params, memo_min_repeat_rate), 0},
    {"--inline-min-calls", offsetof(struct ap_hint_params, inline_min_calls), 1},
};
#define NTHRESHOLDS (sizeof thresholds / sizeof thresholds[0])
enum { OPT_TOP = NTHRESHOLDS, OPT_FORMAT, NOPTS };
_Static_assert(NOPTS <= AP_MAX_OPTS, "raise AP_MAX_OPTS in cli.h");

static int set_threshold(struct ap_hint_params *q, size_t i, const char *text) {
  char *field = (char *)q + thresholds[i].offset;
  if (thresholds[i].is_count) {
    unsigned v;
    if (ap_arg_uint("report", thresholds[i].option, text, &v))
      return AP_EXIT_USAGE;
    uint64_t v64 = v;
    memcpy(field, &v64, sizeof v64);
    return 0;
  }
  double d;
  if (ap_arg_share("report", thresholds[i].option, text, &d))
    return AP_EXIT_USAGE;
  memcpy(field, &d, sizeof d);
  return 0;
}

int ap_cmd_report(int argc, char **argv) {
  struct ap_opt opts[NOPTS];
  for (size_t i = 0; i < NTHRESHOLDS; i++)
    opts[i] = (struct ap_opt){thresholds[i].option, 0, 1};
  opts[OPT_TOP] = (struct ap_opt){"--top", 0, 1};
  opts[OPT_FORMAT] = (struct ap_opt){"--format", 0, 1};
  struct ap_args a;
  struct ap_hint_params params;
  unsigned top = 20;
  int json = 0;
  if (ap_parse_args(opts, NOPTS, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos != 1)
    return ap_usage_error("report", "expects one PROFILE.json (usage: autoprof report "
                                    "PROFILE.json [--top N] [--format text|json])");
  ap_hint_params_default(&params);
  for (size_t i = 0; i < NTHRESHOLDS; i++)
    if (a.value[i] && set_threshold(&params, i, a.value[i]))
      return AP_EXIT_USAGE;
  if (a.value[OPT_TOP] && ap_arg_uint("report", "--top", a.value[OPT_TOP], &top))
    return AP_EXIT_USAGE;
  if (a.value[OPT_FORMAT]) {
    json = strcmp(a.value[OPT_FORMAT], "json") == 0;
    if (!json && strcmp(a.value[OPT_FORMAT], "text") != 0)
      return ap_usage_error("report", "--format expects text or json, got '%s'",
                            a.value[OPT_FORMAT]);
  }
  struct ap_profile *p = ap_cli_load(a.pos[0]);
  if (!p)
    return AP_EXIT_FAIL;
  int rc = AP_EXIT_OK;
  if (ap_profile_analyze(p, &params) < 0) {
    fprintf(stderr, "autoprof report: out of memory\n");
    rc = AP_EXIT_FAIL;
  } else if (json ? ap_profile_write_json(p, stdout) : ap_profile_write_text(p, stdout, top)) {
    rc = AP_EXIT_FAIL;
  }
  ap_profile_free(p);
  return rc;
}
