/* Policy loader: YAML text -> struct ap_policy, with one-line diagnostics.
 *
 * Validation is driven by the schema table below, not by per-key code: the
 * table says which keys each section has and what each holds, and the
 * generic walker checks the node against that kind.  A policy file overlays
 * the built-in default (config/default.yaml): keys it leaves out keep their
 * default values, lists it gives replace the default's lists. */
#include "policy_int.h"

#include <autoprof/abi.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* ---- The policy schema, version 1 (DESIGN §5, docs/policy.md) ---------- */

#define AP_POLICY_VERSION 1
#define AP_MAX_COUNT 1000000L /* bound for min_size and top: catches typos */
#define AP_OFF(member) offsetof(struct ap_policy, member)

static const char *const ap_timing_words[] = {"all", "outermost", "none", NULL};
static const char *const ap_format_words[] = {"json", "text", NULL};

const struct ap_key ap_policy_schema[] = {
    {"functions", "include", AP_K_GLOBS, AP_OFF(functions.include), 0, 0, NULL},
    {"functions", "exclude", AP_K_GLOBS, AP_OFF(functions.exclude), 0, 0, NULL},
    {"functions", "exclude_files", AP_K_GLOBS, AP_OFF(functions.exclude_files), 0, 0, NULL},
    {"functions", "always", AP_K_GLOBS, AP_OFF(functions.always), 0, 0, NULL},
    {"functions", "min_size", AP_K_UINT, AP_OFF(functions.min_size), 0, AP_MAX_COUNT, NULL},
    {"loops", "enabled", AP_K_BOOL, AP_OFF(loops.enabled), 0, 0, NULL},
    {"loops", "timing", AP_K_ENUM, AP_OFF(loops.timing), 0, 0, ap_timing_words},
    {"loops", "max_depth", AP_K_UINT, AP_OFF(loops.max_depth), 0, AP_MAX_COUNT, NULL},
    {"memo", "enabled", AP_K_BOOL, AP_OFF(memo.enabled), 0, 0, NULL},
    {"memo", "assume_pure", AP_K_GLOBS, AP_OFF(memo.assume_pure), 0, 0, NULL},
    {"memo", "min_size", AP_K_UINT, AP_OFF(memo.min_size), 0, AP_MAX_COUNT, NULL},
    {"report", "output", AP_K_STRING, AP_OFF(report.output), 0, 0, NULL},
    {"report", "formats", AP_K_FORMATS, AP_OFF(report.formats), 0, 0, ap_format_words},
    {"report", "top", AP_K_UINT, AP_OFF(report.top), 1, AP_MAX_COUNT, NULL},
    {"hints", "hot_function_share", AP_K_SHARE, AP_OFF(hints.hot_function_share), 0, 0, NULL},
    {"hints", "hot_loop_share", AP_K_SHARE, AP_OFF(hints.hot_loop_share), 0, 0, NULL},
    {"hints", "memo_min_repeat_rate", AP_K_SHARE, AP_OFF(hints.memo_min_repeat_rate), 0, 0, NULL},
};
const size_t ap_policy_schema_len = sizeof ap_policy_schema / sizeof ap_policy_schema[0];

/* Top-level keys: `version` and the sections, in schema order. */
static const char *const ap_top_keys[] = {"version", "functions", "loops", "memo",
                                          "report",  "hints",     NULL};

/* Enum and format bits are stored by index into their word lists. */
_Static_assert(AP_TIMING_ALL == 0 && AP_TIMING_OUTERMOST == 1 && AP_TIMING_NONE == 2,
               "ap_timing_words follows enum ap_loop_timing");
_Static_assert(AP_FORMAT_JSON == 1u << 0 && AP_FORMAT_TEXT == 1u << 1,
               "ap_format_words follows enum ap_format");
_Static_assert(sizeof(enum ap_loop_timing) == sizeof(int), "timing is stored as an int");

/* ---- Diagnostics -------------------------------------------------------- */

struct ap_load {
  const char *file;
  char *err;
  size_t errlen;
  yaml_document_t *doc;
  struct ap_policy *policy;
  unsigned char seen[sizeof ap_policy_schema / sizeof ap_policy_schema[0]];
};

/* A diagnostic is one line, whatever a file name or value contains. */
static void ap_one_line(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      *s = '?';
}

__attribute__((format(printf, 5, 0))) static void ap_vreport(char *err, size_t errlen,
                                                             const char *file,
                                                             const yaml_mark_t *mark,
                                                             const char *fmt, va_list ap) {
  if (!err || !errlen)
    return;
  int n = mark
              ? snprintf(err, errlen, "%s:%zu:%zu: error: ", file, mark->line + 1, mark->column + 1)
              : snprintf(err, errlen, "%s: error: ", file);
  if (n >= 0 && (size_t)n < errlen)
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
  ap_one_line(err);
}

__attribute__((format(printf, 3, 4))) static int ap_fail(struct ap_load *ld, yaml_mark_t mark,
                                                         const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ap_vreport(ld->err, ld->errlen, ld->file, &mark, fmt, ap);
  va_end(ap);
  return -1;
}

/* For errors without a position: the file could not be read at all. */
__attribute__((format(printf, 4, 5))) static void
ap_report_plain(char *err, size_t errlen, const char *file, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ap_vreport(err, errlen, file, NULL, fmt, ap);
  va_end(ap);
}

/* ---- Scalars ------------------------------------------------------------ */

enum ap_sclass { AP_S_NULL, AP_S_BOOL, AP_S_INT, AP_S_FLOAT, AP_S_STRING, AP_S_QUOTED };

static const char *ap_text(const yaml_node_t *n) {
  return (const char *)n->data.scalar.value;
}

/* 1 or 0 for YAML 1.1 booleans (any case), -1 otherwise. */
static int ap_bool_value(const char *s) {
  static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
  for (int i = 0; i < 3; i++) {
    if (!strcasecmp(s, yes[i]))
      return 1;
    if (!strcasecmp(s, no[i]))
      return 0;
  }
  return -1;
}

static int ap_is_int(const char *s) {
  if (*s == '-' || *s == '+')
    s++;
  if (!*s)
    return 0;
  return strspn(s, "0123456789") == strlen(s);
}

/* Decimal numbers only: strtod would also take "nan", "inf" and hex. */
static int ap_is_float(const char *s) {
  char *end;
  if (!*s || strspn(s, "0123456789+-.eE") != strlen(s) || !strpbrk(s, "0123456789"))
    return 0;
  (void)strtod(s, &end);
  return *end == 0;
}

/* How YAML's core schema would read a scalar: quoted ones are strings. */
static enum ap_sclass ap_classify(const yaml_node_t *n) {
  const char *s = ap_text(n);
  if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return AP_S_QUOTED;
  if (!*s || !strcmp(s, "~") || !strcasecmp(s, "null"))
    return AP_S_NULL;
  if (ap_bool_value(s) >= 0)
    return AP_S_BOOL;
  if (ap_is_int(s))
    return AP_S_INT;
  if (ap_is_float(s))
    return AP_S_FLOAT;
  return AP_S_STRING;
}

/* `s` shortened and with control characters escaped, for a message. */
static const char *ap_shown(const char *s, char *buf, size_t len) {
  size_t o = 0;
  for (; *s && o + 8 < len; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f)
      o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
    else
      buf[o++] = (char)c;
  }
  buf[o] = 0;
  if (*s)
    snprintf(buf + o, len - o, "...");
  return buf;
}

/* "a list", "a string 'abc'": what a node is, for "expected X, got Y". */
static const char *ap_describe(const yaml_node_t *n, char *buf, size_t len) {
  static const char *const what[] = {"an empty value", "a bool",   "an integer",
                                     "a number",       "a string", "a quoted string"};
  char shown[64];
  if (n->type == YAML_MAPPING_NODE)
    return "a mapping";
  if (n->type == YAML_SEQUENCE_NODE)
    return "a list";
  enum ap_sclass c = ap_classify(n);
  if (c == AP_S_NULL)
    return what[c];
  snprintf(buf, len, "%s '%s'", what[c], ap_shown(ap_text(n), shown, sizeof shown));
  return buf;
}

/* Scalar values must be text: an escaped NUL would silently cut a name. */
static int ap_check_scalar(struct ap_load *ld, const yaml_node_t *n, const char *where) {
  if (strlen(ap_text(n)) != n->data.scalar.length)
    return ap_fail(ld, n->start_mark, "NUL character in %s", where);
  return 0;
}

static int ap_expect(struct ap_load *ld, const yaml_node_t *n, const char *what, const char *key) {
  char buf[96];
  return ap_fail(ld, n->start_mark, "expected %s for '%s', got %s", what, key,
                 ap_describe(n, buf, sizeof buf));
}

static int ap_word_index(const char *s, const char *const *words) {
  for (int i = 0; words[i]; i++)
    if (!strcmp(s, words[i]))
      return i;
  return -1;
}

/* "all, outermost or none" */
static const char *ap_word_list(const char *const *words, const char *last_sep, char *buf,
                                size_t len) {
  size_t o = 0, n = 0;
  while (words[n])
    n++;
  buf[0] = 0;
  for (size_t i = 0; i < n && o < len; i++)
    o += (size_t)snprintf(buf + o, len - o, "%s%s",
                          i == 0       ? ""
                          : i + 1 == n ? last_sep
                                       : ", ",
                          words[i]);
  return buf;
}

static int ap_unknown_word(struct ap_load *ld, const yaml_node_t *n, const char *what,
                           const char *key, const char *const *words) {
  char shown[64], list[256];
  const char *s = ap_text(n), *near = ap_did_you_mean(s, words, 0);
  if (near)
    return ap_fail(ld, n->start_mark, "unknown %s '%s' for '%s' (did you mean '%s'?)", what,
                   ap_shown(s, shown, sizeof shown), key, near);
  return ap_fail(ld, n->start_mark, "unknown %s '%s' for '%s' (expected %s)", what,
                 ap_shown(s, shown, sizeof shown), key,
                 ap_word_list(words, " or ", list, sizeof list));
}

/* ---- Values ------------------------------------------------------------- */

static void ap_globs_free(struct ap_globs *g) {
  for (size_t i = 0; i < g->count; i++)
    free(g->items[i]);
  free(g->items);
  g->items = NULL;
  g->count = 0;
}

static int ap_parse_glob_item(struct ap_load *ld, const yaml_node_t *item, const char *key,
                              char **out) {
  char buf[96];
  if (item->type != YAML_SCALAR_NODE)
    return ap_fail(ld, item->start_mark, "expected a list of strings for '%s', got %s in the list",
                   key, ap_describe(item, buf, sizeof buf));
  if (ap_check_scalar(ld, item, key))
    return -1;
  /* A bare `-` or `~` is YAML's null: for a pattern that is an empty one. */
  const char *s = ap_classify(item) == AP_S_NULL ? "" : ap_text(item);
  const char *problem = ap_glob_problem(s);
  if (problem && !*s)
    return ap_fail(ld, item->start_mark, "empty pattern in '%s'", key);
  if (problem)
    return ap_fail(ld, item->start_mark, "bad pattern '%s' in '%s': %s",
                   ap_shown(s, buf, sizeof buf), key, problem);
  if (!(*out = strdup(s)))
    return ap_fail(ld, item->start_mark, "out of memory");
  return 0;
}

static int ap_parse_globs(struct ap_load *ld, const yaml_node_t *n, const char *key,
                          struct ap_globs *out) {
  if (n->type != YAML_SEQUENCE_NODE)
    return ap_expect(ld, n, "a list of strings", key);
  size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
  struct ap_globs g = {calloc(count ? count : 1, sizeof(char *)), 0};
  if (!g.items)
    return ap_fail(ld, n->start_mark, "out of memory");
  for (size_t i = 0; i < count; i++) {
    const yaml_node_t *item = yaml_document_get_node(ld->doc, n->data.sequence.items.start[i]);
    if (ap_parse_glob_item(ld, item, key, &g.items[g.count])) {
      ap_globs_free(&g);
      return -1;
    }
    g.count++;
  }
  ap_globs_free(out);
  *out = g;
  return 0;
}

static int ap_parse_uint(struct ap_load *ld, const struct ap_key *k, const yaml_node_t *n,
                         const char *key, unsigned *out) {
  if (n->type != YAML_SCALAR_NODE || ap_classify(n) != AP_S_INT)
    return ap_expect(ld, n, "an integer", key);
  errno = 0;
  long v = strtol(ap_text(n), NULL, 10);
  if (errno || v < k->min || v > k->max)
    return ap_fail(ld, n->start_mark, "'%s' must be between %ld and %ld, got %s", key, k->min,
                   k->max, ap_text(n));
  *out = (unsigned)v;
  return 0;
}

static int ap_parse_share(struct ap_load *ld, const yaml_node_t *n, const char *key, double *out) {
  enum ap_sclass c = n->type == YAML_SCALAR_NODE ? ap_classify(n) : AP_S_STRING;
  if (n->type != YAML_SCALAR_NODE || (c != AP_S_INT && c != AP_S_FLOAT))
    return ap_expect(ld, n, "a number", key);
  char *end;
  double v = strtod(ap_text(n), &end);
  if (*end)
    return ap_expect(ld, n, "a number", key);
  if (!(v >= 0.0 && v <= 1.0)) /* also rejects NaN */
    return ap_fail(ld, n->start_mark, "'%s' must be between 0 and 1, got %s", key, ap_text(n));
  *out = v == 0.0 ? 0.0 : v; /* -0 and 0 mean the same: one digest */
  return 0;
}

/* The runtime expands %n and %p; anything else after % is a mistake. */
static int ap_parse_output(struct ap_load *ld, const yaml_node_t *n, const char *key, char **out) {
  if (n->type != YAML_SCALAR_NODE)
    return ap_expect(ld, n, "a string", key);
  if (ap_check_scalar(ld, n, key))
    return -1;
  const char *s = ap_text(n);
  if (ap_classify(n) == AP_S_NULL || !*s)
    return ap_fail(ld, n->start_mark, "'%s' must not be empty", key);
  for (const char *p = strchr(s, '%'); p; p = strchr(p + 2, '%'))
    if (p[1] != 'n' && p[1] != 'p')
      return ap_fail(ld, n->start_mark,
                     "unknown escape '%%%.1s' in '%s' (use %%n for the program name, %%p for "
                     "the pid)",
                     p[1] ? p + 1 : "", key);
  char *copy = strdup(s);
  if (!copy)
    return ap_fail(ld, n->start_mark, "out of memory");
  free(*out);
  *out = copy;
  return 0;
}

static int ap_parse_formats(struct ap_load *ld, const struct ap_key *k, const yaml_node_t *n,
                            const char *key, unsigned *out) {
  char buf[96];
  if (n->type != YAML_SEQUENCE_NODE)
    return ap_expect(ld, n, "a list of strings", key);
  if (n->data.sequence.items.top == n->data.sequence.items.start)
    return ap_fail(ld, n->start_mark, "'%s' must not be empty (use json, text or both)", key);
  unsigned bits = 0;
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    const yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
    if (item->type != YAML_SCALAR_NODE)
      return ap_fail(ld, item->start_mark,
                     "expected a list of strings for '%s', got %s in the list", key,
                     ap_describe(item, buf, sizeof buf));
    int i = ap_word_index(ap_text(item), k->words);
    if (i < 0 || ap_check_scalar(ld, item, key))
      return i < 0 ? ap_unknown_word(ld, item, "format", key, k->words) : -1;
    if (bits & (1u << i))
      return ap_fail(ld, item->start_mark, "format '%s' appears twice in '%s'", k->words[i], key);
    bits |= 1u << i;
  }
  *out = bits;
  return 0;
}

static int ap_apply_value(struct ap_load *ld, const struct ap_key *k, const yaml_node_t *n) {
  char key[64];
  void *at = (char *)ld->policy + k->offset;
  snprintf(key, sizeof key, "%s.%s", k->section, k->name);
  switch (k->kind) {
  case AP_K_GLOBS:
    return ap_parse_globs(ld, n, key, at);
  case AP_K_UINT:
    return ap_parse_uint(ld, k, n, key, at);
  case AP_K_SHARE:
    return ap_parse_share(ld, n, key, at);
  case AP_K_STRING:
    return ap_parse_output(ld, n, key, at);
  case AP_K_FORMATS:
    return ap_parse_formats(ld, k, n, key, at);
  case AP_K_BOOL:
    if (n->type != YAML_SCALAR_NODE || ap_classify(n) != AP_S_BOOL)
      return ap_expect(ld, n, "a bool (true or false)", key);
    *(int *)at = ap_bool_value(ap_text(n));
    return 0;
  case AP_K_ENUM: {
    if (n->type != YAML_SCALAR_NODE || ap_check_scalar(ld, n, key))
      return n->type != YAML_SCALAR_NODE ? ap_expect(ld, n, "a string", key) : -1;
    int i = ap_word_index(ap_text(n), k->words);
    if (i < 0)
      return ap_unknown_word(ld, n, "value", key, k->words);
    *(int *)at = i;
    return 0;
  }
  }
  return ap_fail(ld, n->start_mark, "internal error: bad schema kind for '%s'", key);
}

/* ---- Mappings ----------------------------------------------------------- */

/* The name of a mapping key, which must be a plain piece of text. */
static const char *ap_key_name(struct ap_load *ld, const yaml_node_t *k, const char *where) {
  char buf[96];
  if (k->type != YAML_SCALAR_NODE) {
    ap_fail(ld, k->start_mark, "expected a key name in %s, got %s", where,
            ap_describe(k, buf, sizeof buf));
    return NULL;
  }
  return ap_check_scalar(ld, k, where) ? NULL : ap_text(k);
}

/* Duplicate keys: libyaml keeps both, and which one wins would be a guess. */
static int ap_check_duplicate(struct ap_load *ld, const yaml_node_t *map, yaml_node_pair_t *pair,
                              const char *name, const char *where) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
    const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
    if (k->type == YAML_SCALAR_NODE && !strcmp(ap_text(k), name)) {
      const yaml_node_t *dup = yaml_document_get_node(ld->doc, pair->key);
      return ap_fail(ld, dup->start_mark, "duplicate key '%s' in %s (first at line %zu)", name,
                     where, k->start_mark.line + 1);
    }
  }
  return 0;
}

/* Unknown key: a likely typo gets a suggestion, else the list of valid keys;
 * a key of another section says where it belongs. */
static int ap_unknown_key(struct ap_load *ld, const yaml_node_t *k, const char *section,
                          const char *const *valid) {
  char shown[64], list[256], where[64];
  const char *name = ap_shown(ap_text(k), shown, sizeof shown);
  const char *near = ap_did_you_mean(ap_text(k), valid, 0);
  if (section)
    snprintf(where, sizeof where, "unknown key '%s' in '%s'", name, section);
  else
    snprintf(where, sizeof where, "unknown section '%s'", name);
  if (near)
    return ap_fail(ld, k->start_mark, "%s (did you mean '%s'?)", where, near);
  size_t o = 0;
  for (size_t i = 0; i < ap_policy_schema_len && o < sizeof list; i++)
    if (!strcmp(ap_policy_schema[i].name, ap_text(k)))
      o += (size_t)snprintf(list + o, sizeof list - o, "%s'%s'", o ? " or " : "",
                            ap_policy_schema[i].section);
  if (o)
    return ap_fail(ld, k->start_mark, "%s ('%s' belongs in section %s)", where, name, list);
  return ap_fail(ld, k->start_mark, "%s (valid %s: %s)", where, section ? "keys" : "sections",
                 ap_word_list(valid, ", ", list, sizeof list));
}

static int ap_apply_section(struct ap_load *ld, const char *section, const yaml_node_t *map) {
  const char *valid[sizeof ap_policy_schema / sizeof ap_policy_schema[0] + 1];
  const struct ap_key *keys[sizeof ap_policy_schema / sizeof ap_policy_schema[0]];
  size_t n = 0;
  char where[48];
  for (size_t i = 0; i < ap_policy_schema_len; i++)
    if (!strcmp(ap_policy_schema[i].section, section)) {
      keys[n] = &ap_policy_schema[i];
      valid[n++] = ap_policy_schema[i].name;
    }
  valid[n] = NULL;
  if (map->type != YAML_MAPPING_NODE)
    return ap_expect(ld, map, "a mapping", section);
  snprintf(where, sizeof where, "'%s'", section);
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
    const char *name = ap_key_name(ld, k, where);
    if (!name || ap_check_duplicate(ld, map, p, name, where))
      return -1;
    int i = ap_word_index(name, valid);
    if (i < 0)
      return ap_unknown_key(ld, k, section, valid);
    if (ap_apply_value(ld, keys[i], yaml_document_get_node(ld->doc, p->value)))
      return -1;
    ld->seen[keys[i] - ap_policy_schema] = 1;
  }
  return 0;
}

/* The version comes first: a newer file should say so, not fail on a key. */
static int ap_check_version(struct ap_load *ld, const yaml_node_t *root) {
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
       p++) {
    const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
    if (k->type != YAML_SCALAR_NODE || strcmp(ap_text(k), "version"))
      continue;
    const yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
    if (v->type != YAML_SCALAR_NODE || ap_classify(v) != AP_S_INT)
      return ap_expect(ld, v, "an integer", "version");
    if (strtol(ap_text(v), NULL, 10) != AP_POLICY_VERSION)
      return ap_fail(ld, v->start_mark,
                     "unsupported policy version %s (this autoprof reads "
                     "version %d)",
                     ap_text(v), AP_POLICY_VERSION);
    return 0;
  }
  return ap_fail(ld, root->start_mark, "missing 'version: 1' (every policy starts with it)");
}

static int ap_apply_root(struct ap_load *ld, const yaml_node_t *root) {
  char buf[96];
  if (root->type != YAML_MAPPING_NODE)
    return ap_fail(ld, root->start_mark,
                   "a policy is a mapping of sections starting with "
                   "'version: 1', got %s",
                   ap_describe(root, buf, sizeof buf));
  if (ap_check_version(ld, root))
    return -1;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
       p++) {
    const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
    const char *name = ap_key_name(ld, k, "the policy");
    if (!name || ap_check_duplicate(ld, root, p, name, "the policy"))
      return -1;
    int i = ap_word_index(name, ap_top_keys);
    if (i < 0)
      return ap_unknown_key(ld, k, NULL, ap_top_keys);
    if (i > 0 && ap_apply_section(ld, name, yaml_document_get_node(ld->doc, p->value)))
      return -1;
  }
  return 0;
}

/* ---- Loading ------------------------------------------------------------ */

/* libyaml's own problem text and position; reader errors (bad UTF-8, control
 * characters) only carry a byte offset, turned into a line and column here. */
static int ap_yaml_error(struct ap_load *ld, const yaml_parser_t *parser, const char *text,
                         size_t len) {
  yaml_mark_t mark = parser->problem_mark;
  if (parser->error == YAML_MEMORY_ERROR)
    return ap_fail(ld, mark, "out of memory");
  if (parser->error == YAML_READER_ERROR) {
    mark.line = mark.column = 0;
    for (size_t i = 0; i < parser->problem_offset && i < len; i++, mark.column++)
      if (text[i] == '\n')
        mark.line++, mark.column = (size_t)-1;
    if (parser->problem_value != -1)
      return ap_fail(ld, mark, "%s (byte 0x%02x)", parser->problem,
                     (unsigned)parser->problem_value & 0xffu);
    return ap_fail(ld, mark, "%s", parser->problem ? parser->problem : "unreadable input");
  }
  const char *problem = parser->problem ? parser->problem : "invalid YAML";
  if (parser->context)
    return ap_fail(ld, mark, "%s (%s at line %zu)", problem, parser->context,
                   parser->context_mark.line + 1);
  return ap_fail(ld, mark, "%s", problem);
}

static int ap_globs_copy(struct ap_globs *dst, const struct ap_globs *src) {
  dst->count = 0;
  if (!(dst->items = calloc(src->count ? src->count : 1, sizeof(char *))))
    return -1;
  for (; dst->count < src->count; dst->count++)
    if (!(dst->items[dst->count] = strdup(src->items[dst->count])))
      return -1;
  return 0;
}

/* Deep copy; on allocation failure returns NULL with nothing leaked. */
static struct ap_policy *ap_policy_copy(const struct ap_policy *src) {
  struct ap_policy *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  *p = *src;
  p->file = NULL;
  p->report.output = NULL;
  p->cache = NULL;
  int bad = 0;
  for (size_t i = 0; i < ap_policy_schema_len; i++) {
    const struct ap_key *k = &ap_policy_schema[i];
    if (k->kind == AP_K_GLOBS) {
      struct ap_globs *g = (struct ap_globs *)((char *)p + k->offset);
      struct ap_globs from = *g;
      *g = (struct ap_globs){NULL, 0};
      bad |= !bad && ap_globs_copy(g, &from);
    }
  }
  if (!bad && src->report.output && !(p->report.output = strdup(src->report.output)))
    bad = 1;
  if (bad) {
    ap_policy_free(p);
    return NULL;
  }
  return p;
}

void ap_policy_free(struct ap_policy *policy) {
  if (!policy)
    return;
  for (size_t i = 0; i < ap_policy_schema_len; i++)
    if (ap_policy_schema[i].kind == AP_K_GLOBS)
      ap_globs_free((struct ap_globs *)((char *)policy + ap_policy_schema[i].offset));
  ap_policy_cache_free(policy);
  free(policy->report.output);
  free(policy->file);
  free(policy);
}

/* A policy is one document: a second one would otherwise be ignored. */
static int ap_check_single_document(struct ap_load *ld, yaml_parser_t *parser, const char *text,
                                    size_t len) {
  yaml_document_t next;
  if (!yaml_parser_load(parser, &next))
    return ap_yaml_error(ld, parser, text, len);
  const yaml_node_t *root = yaml_document_get_root_node(&next);
  yaml_mark_t mark = root ? root->start_mark : next.start_mark;
  yaml_document_delete(&next);
  if (root)
    return ap_fail(ld, mark, "a policy is a single YAML document; remove the second one");
  return 0;
}

static int ap_parse(struct ap_load *ld, const char *text, size_t len) {
  yaml_parser_t parser;
  yaml_document_t doc;
  int rc = -1;
  if (!yaml_parser_initialize(&parser))
    return ap_fail(ld, (yaml_mark_t){0, 0, 0}, "out of memory");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    ap_yaml_error(ld, &parser, text, len);
  } else {
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    ld->doc = &doc;
    if (!root)
      rc = ap_fail(ld, doc.start_mark, "empty policy (it needs at least 'version: 1')");
    else
      rc = ap_apply_root(ld, root);
    ld->doc = NULL;
    yaml_document_delete(&doc);
    if (rc == 0)
      rc = ap_check_single_document(ld, &parser, text, len);
  }
  yaml_parser_delete(&parser);
  return rc;
}

/* Loads `text` over a copy of `base`; without a base every key must be set
 * (that is how the built-in default is read). */
static struct ap_policy *ap_load(const char *text, size_t len, const char *name,
                                 const struct ap_policy *base, char *err, size_t errlen) {
  struct ap_load ld = {.file = name, .err = err, .errlen = errlen};
  static const struct ap_policy empty;
  if (err && errlen)
    err[0] = 0;
  if (!(ld.policy = ap_policy_copy(base ? base : &empty))) {
    ap_fail(&ld, (yaml_mark_t){0, 0, 0}, "out of memory");
    return NULL;
  }
  int rc = ap_parse(&ld, text ? text : "", text ? len : 0);
  for (size_t i = 0; rc == 0 && !base && i < ap_policy_schema_len; i++)
    if (!ld.seen[i])
      rc = ap_fail(&ld, (yaml_mark_t){0, 0, 0}, "missing '%s.%s' in the built-in policy",
                   ap_policy_schema[i].section, ap_policy_schema[i].name);
  if (rc == 0 && !(ld.policy->file = strdup(name)))
    rc = ap_fail(&ld, (yaml_mark_t){0, 0, 0}, "out of memory");
  if (rc != 0) {
    ap_policy_free(ld.policy);
    return NULL;
  }
  ld.policy->digest = ap_policy_compute_digest(ld.policy);
  return ld.policy;
}

struct ap_policy *ap_policy_default(void) {
  char err[512];
  struct ap_policy *p = ap_load(ap_default_policy_yaml, ap_default_policy_yaml_len, "<default>",
                                NULL, err, sizeof err);
  if (!p) { /* config/default.yaml is tested at build time: only OOM gets here */
    fprintf(stderr, "autoprof: built-in policy: %s\n", err);
    abort();
  }
  return p;
}

struct ap_policy *ap_policy_load_string(const char *text, size_t len, const char *name, char *err,
                                        size_t errlen) {
  struct ap_policy *base = ap_policy_default();
  struct ap_policy *p = ap_load(text, len, name ? name : "<string>", base, err, errlen);
  ap_policy_free(base);
  return p;
}

struct ap_policy *ap_policy_load_file(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t len = 0, cap = 0;
  int saved = 0;
  while (f) {
    if (len == cap) {
      char *grown = realloc(text, cap = cap ? cap * 2 : 4096);
      if (!grown) {
        saved = ENOMEM;
        break;
      }
      text = grown;
    }
    len += fread(text + len, 1, cap - len, f);
    if (ferror(f) || feof(f)) {
      saved = ferror(f) ? (errno ? errno : EIO) : 0;
      break;
    }
  }
  if (!f || saved) {
    saved = f ? saved : errno;
    if (f)
      fclose(f);
    free(text);
    ap_report_plain(err, errlen, path, "cannot read policy: %s", strerror(saved));
    return NULL;
  }
  fclose(f);
  struct ap_policy *p = ap_policy_load_string(text, len, path, err, errlen);
  free(text);
  return p;
}
