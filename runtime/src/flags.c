/* Runtime settings from the one table in flags.def: built-in defaults, then
 * the policy embedded in the program, then the environment (which wins). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoprof/autoprof.h"
#include "edit_distance.h"
#include "rt.h"

struct ap_settings ap_cfg;

enum {
#define AP_FLAG(type, field, env, def, help) AP_IDX_##field,
#include "flags.def"
#undef AP_FLAG
  AP_NFLAGS
};

static const struct flag_desc {
  enum ap_flag_type type;
  const char *env, *def, *help, *field;
  size_t offset;
} flags[AP_NFLAGS] = {
#define AP_FLAG(type, field, env, def, help)                                                       \
  {type, env, def, help, #field, offsetof(struct ap_settings, field)},
#include "flags.def"
#undef AP_FLAG
};

static unsigned char from_env[AP_NFLAGS];

static const char *accepted(enum ap_flag_type type) {
  switch (type) {
  case AP_T_BOOL:
    return "0 or 1";
  case AP_T_UINT:
    return "a whole number";
  case AP_T_SHARE:
    return "a number from 0 to 1";
  case AP_T_FORMATS:
    return "a comma-separated list of json and text, or none";
  default:
    return "a non-empty path";
  }
}

static int parse_formats(const char *s, uint32_t *out) {
  uint32_t f = 0;
  if (strcmp(s, "none") == 0) {
    *out = 0;
    return 0;
  }
  while (*s) {
    size_t n = strcspn(s, ",");
    if (n == 4 && strncmp(s, "json", 4) == 0)
      f |= AP_FORMAT_JSON;
    else if (n == 4 && strncmp(s, "text", 4) == 0)
      f |= AP_FORMAT_TEXT;
    else
      return -1;
    s += n + (s[n] == ',');
  }
  if (!f)
    return -1;
  *out = f;
  return 0;
}

/* What flag i accepts, with its range where it has one. */
static const char *accepted_flag(int i) {
  switch (i) {
  case AP_IDX_max_depth:
    return "a whole number from 1 to 1000000";
  case AP_IDX_max_nodes:
    return "a whole number from 1";
  case AP_IDX_sample_period:
    return "a whole number from 2 to 30000";
  case AP_IDX_output:
    return "a path whose only escapes are %n, %p and %%";
  default:
    return accepted(flags[i].type);
  }
}

/* ASCII, whatever the locale (strcasecmp reads the thread's locale). */
static int same_word(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if ((*a | 0x20) != *b)
      return 0;
  return !*a && !*b;
}

/* An output path's escapes are %n, %p and %% (expand_output; the policy's
 * report.output is checked the same way): "%q" was kept as it is. */
static int good_output(const char *s) {
  for (; *s; s++)
    if (*s == '%' && (++s, *s != 'n' && *s != 'p' && *s != '%'))
      return 0;
  return 1;
}

/* Parses `s` into the field of flag i; -1 (field unchanged) if invalid. */
static int parse(int i, const char *s) {
  const struct flag_desc *d = &flags[i];
  void *field = (char *)&ap_cfg + d->offset;
  char *end;
  errno = 0;
  switch (d->type) {
  case AP_T_BOOL: {
    int v = !strcmp(s, "1") || same_word(s, "true") || same_word(s, "yes") || same_word(s, "on");
    if (!v && strcmp(s, "0") && !same_word(s, "false") && !same_word(s, "no") &&
        !same_word(s, "off"))
      return -1;
    *(int *)field = v;
    return 0;
  }
  case AP_T_UINT: {
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || *s == '-' || v > UINT32_MAX)
      return -1;
    if ((i == AP_IDX_max_depth && (v < 1 || v > 1000000)) || (i == AP_IDX_max_nodes && v < 1) ||
        (i == AP_IDX_sample_period && (v < 2 || v > 30000)))
      return -1;
    *(uint64_t *)field = v;
    return 0;
  }
  case AP_T_SHARE: {
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= 0 && v <= 1))
      return -1;
    *(double *)field = v;
    return 0;
  }
  case AP_T_FORMATS:
    return parse_formats(s, (uint32_t *)field);
  default:
    if (!*s || (i == AP_IDX_output && !good_output(s)))
      return -1;
    *(const char **)field = s;
    return 0;
  }
}

/* An AUTOPROF_ variable that is none of the settings but one or two edits
 * from one (AUTOPROF_DISABLED, AUTOPROF_OUPUT) was ignored silently
 * (helper-23): said, with the setting meant.  Others (a build script's
 * own) are left alone. */
static void near_misses(void) {
  extern char **environ;
  for (char **e = environ; e && *e; e++) {
    const char *eq = strchr(*e, '=');
    size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
    char name[64];
    if (len >= sizeof name || strncmp(*e, "AUTOPROF_", 9) != 0)
      continue;
    memcpy(name, *e, len);
    name[len] = 0;
    int known = 0, near = -1;
    for (int i = 0; i < AP_NFLAGS && !known; i++) {
      known = !strcmp(name, flags[i].env);
      if (!known && near < 0 && ap_edit_distance(name + 9, flags[i].env + 9) <= 2)
        near = i;
    }
    if (!known && near >= 0)
      fprintf(stderr, "autoprof: %s is not a setting (did you mean %s?); it is ignored\n", name,
              flags[near].env);
  }
}

void ap_settings_from_env(void) {
  near_misses();
  for (int i = 0; i < AP_NFLAGS; i++)
    parse(i, flags[i].def);
  for (int i = 0; i < AP_NFLAGS; i++) {
    const char *v = getenv(flags[i].env);
    if (!v)
      continue;
    if (parse(i, v) == 0)
      from_env[i] = 1;
    else
      fprintf(stderr, "autoprof: %s=%s is not valid (expected %s); using the default %s\n",
              flags[i].env, v, accepted_flag(i), flags[i].def);
  }
}

static void set_share(int i, uint32_t ppm) {
  if (!from_env[i] && ppm <= 1000000)
    *(double *)((char *)&ap_cfg + flags[i].offset) = ppm / 1e6;
}

void ap_settings_from_module(const struct ap_module *m) {
  if (!from_env[AP_IDX_output] && m->report_output && *m->report_output)
    ap_cfg.output = m->report_output;
  if (!from_env[AP_IDX_formats] && m->report_formats)
    ap_cfg.formats = m->report_formats & (AP_FORMAT_JSON | AP_FORMAT_TEXT);
  if (!from_env[AP_IDX_top])
    ap_cfg.top = m->report_top;
  set_share(AP_IDX_hot_function_share, m->hot_function_ppm);
  set_share(AP_IDX_hot_loop_share, m->hot_loop_ppm);
  set_share(AP_IDX_memo_min_repeat_rate, m->memo_min_repeat_ppm);
}

void autoprof_write_flags_doc(FILE *out) {
  fputs("| Variable | Default | Accepted | Meaning |\n|---|---|---|---|\n", out);
  for (int i = 0; i < AP_NFLAGS; i++)
    fprintf(out, "| `%s` | `%s` | %s | %s |\n", flags[i].env, flags[i].def, accepted_flag(i),
            flags[i].help);
}

const char *autoprof_flag_name(unsigned i) {
  return i < AP_NFLAGS ? flags[i].env : NULL;
}
