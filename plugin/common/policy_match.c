/* Policy matching: which functions are instrumented, and why.  Also the
 * pattern checks and typo suggestions the loader uses. */
#include "policy_int.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Patterns ----------------------------------------------------------- */

static const char *ap_bracket_end(const char *p);

const char *ap_glob_problem(const char *pattern) {
  if (!*pattern)
    return "empty pattern";
  for (const char *p = pattern; *p; p++) {
    if (*p == '\\') {
      if (!p[1])
        return "trailing '\\' escapes nothing";
      p++;
    } else if (*p == '[') {
      const char *end = ap_bracket_end(p + 1);
      if (!end)
        return "unmatched '['";
      if (end == p) /* sentinel: bad [:class:] */
        return "unknown character class in '[...]'";
      p = end;
    }
  }
  return NULL;
}

static int ap_known_class(const char *name, size_t len) {
  static const char *const classes[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                        "lower", "print", "punct", "space", "upper", "xdigit"};
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
    if (strlen(classes[i]) == len && !strncmp(classes[i], name, len))
      return 1;
  return 0;
}

/* `p` follows a '['.  Returns the closing ']' as fnmatch(3) reads the
 * bracket (a leading ']' is literal, '\' escapes, [:class:] nests), NULL if
 * there is none, or p - 1 for an unknown class name. */
static const char *ap_bracket_end(const char *p) {
  const char *open = p - 1;
  if (*p == '!' || *p == '^')
    p++;
  if (*p == ']')
    p++;
  for (; *p && *p != ']'; p++) {
    if (*p == '\\' && p[1]) {
      p++;
    } else if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
      const char *q = strchr(p + 2, p[1]);
      while (q && q[1] != ']')
        q = strchr(q + 1, p[1]);
      if (!q)
        return NULL;
      if (p[1] == ':' && !ap_known_class(p + 2, (size_t)(q - (p + 2))))
        return open;
      p = q + 1;
    }
  }
  return *p ? p : NULL;
}

/* ---- Typo suggestions --------------------------------------------------- */

const char *ap_did_you_mean(const char *word, const char *const *words, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; n ? i < n : words[i] != NULL; i++) {
    size_t len = strlen(words[i]), limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    size_t d = strcasecmp(word, words[i]) ? ap_edit_distance(word, words[i]) : 0;
    if (d <= limit && d < best_d && d < strlen(word) + (d == 0)) {
      best = words[i];
      best_d = d;
    }
  }
  return best;
}

/* ---- Matching ----------------------------------------------------------- */

struct ap_policy_cache {
  char *file; /* last path asked about */
  char *real; /* its realpath(), or NULL if it did not resolve */
};

static const char *ap_match(const struct ap_globs *globs, const char *s) {
  for (size_t i = 0; i < globs->count; i++)
    if (fnmatch(globs->items[i], s, 0) == 0)
      return globs->items[i];
  return NULL;
}

static const char *ap_realpath_cached(const struct ap_policy *policy, const char *file) {
  struct ap_policy_cache *c = policy->cache;
  if (!c) {
    /* The cache hangs off a const policy: it changes no setting. */
    if (!(c = calloc(1, sizeof *c)))
      return NULL;
    ((struct ap_policy *)policy)->cache = c;
  }
  if (!c->file || strcmp(c->file, file) != 0) {
    free(c->file);
    free(c->real);
    c->file = strdup(file);
    c->real = c->file ? realpath(file, NULL) : NULL;
  }
  return c->real;
}

/* exclude_files: the path as the compiler gave it, then its realpath, so a
 * pattern on a directory also catches relative paths and symlinked trees. */
static const char *ap_match_file(const struct ap_policy *policy, const char *file,
                                 const char **matched) {
  const struct ap_globs *g = &policy->functions.exclude_files;
  const char *pat = ap_match(g, file);
  *matched = file;
  if (pat || !g->count)
    return pat;
  const char *real = ap_realpath_cached(policy, file);
  *matched = real;
  return real ? ap_match(g, real) : NULL;
}

__attribute__((format(printf, 4, 5))) static enum ap_decision
ap_decide(enum ap_decision d, char *why, size_t whylen, const char *fmt, ...) {
  if (why && whylen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
  }
  return d;
}

enum ap_decision ap_policy_function(const struct ap_policy *policy, const char *name,
                                    const char *file, unsigned size, int size_known, char *why,
                                    size_t whylen) {
  const char *pat, *path;
  if (!name)
    name = "";
  if ((pat = ap_match(&policy->functions.always, name)))
    return ap_decide(AP_INSTRUMENT_ALWAYS, why, whylen, "matched functions.always '%s'", pat);
  if (file && (pat = ap_match_file(policy, file, &path)))
    return ap_decide(AP_SKIP, why, whylen, "excluded by functions.exclude_files '%s' (file '%s')",
                     pat, path);
  if ((pat = ap_match(&policy->functions.exclude, name)))
    return ap_decide(AP_SKIP, why, whylen, "excluded by functions.exclude '%s'", pat);
  if (!(pat = ap_match(&policy->functions.include, name)))
    return ap_decide(AP_SKIP, why, whylen, "not matched by functions.include");
  if (size_known && size < policy->functions.min_size)
    return ap_decide(AP_SKIP, why, whylen, "size %u < functions.min_size %u", size,
                     policy->functions.min_size);
  return ap_decide(AP_INSTRUMENT, why, whylen, "included by functions.include '%s'", pat);
}

int ap_policy_assume_pure(const struct ap_policy *policy, const char *name) {
  return name && ap_match(&policy->memo.assume_pure, name) != NULL;
}

void ap_policy_cache_free(struct ap_policy *policy) {
  if (policy->cache) {
    free(policy->cache->file);
    free(policy->cache->real);
    free(policy->cache);
    policy->cache = NULL;
  }
}
