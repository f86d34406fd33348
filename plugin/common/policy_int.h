/* Internals shared by the policy library's files; not for the plugins. */
#ifndef AUTOPROF_POLICY_INT_H
#define AUTOPROF_POLICY_INT_H

#include "policy.h"

#include <stddef.h>

/* What a schema key holds, and so how it is parsed, dumped and freed. */
enum ap_kind {
  AP_K_GLOBS,   /* list of fnmatch patterns   -> struct ap_globs */
  AP_K_UINT,    /* integer in [min, max]      -> unsigned */
  AP_K_BOOL,    /* true/false/yes/no/on/off   -> int */
  AP_K_ENUM,    /* one of `words`             -> int (index) */
  AP_K_STRING,  /* output file template       -> char * */
  AP_K_FORMATS, /* non-empty list of `words`  -> unsigned (bit i = words[i]) */
  AP_K_SHARE,   /* number in [0, 1]           -> double */
};

struct ap_key {
  const char *section; /* mapping it lives in */
  const char *name;    /* key inside that mapping */
  enum ap_kind kind;
  size_t offset;            /* of the value in struct ap_policy */
  long min, max;            /* AP_K_UINT range */
  const char *const *words; /* AP_K_ENUM / AP_K_FORMATS names, NULL-terminated */
};

extern const struct ap_key ap_policy_schema[];
extern const size_t ap_policy_schema_len;

/* The compiled-in config/default.yaml (generated at build time). */
extern const char ap_default_policy_yaml[];
extern const size_t ap_default_policy_yaml_len;

/* NULL if `pattern` is a well-formed fnmatch pattern, else the problem. */
const char *ap_glob_problem(const char *pattern);

/* Levenshtein distance, capped: strings longer than 64 bytes give a large value. */
#include "edit_distance.h" /* ap_edit_distance */

/* The closest of `words` (n of them, or NULL-terminated if n == 0) to `word`
 * if close enough to be a likely typo, else NULL. */
const char *ap_did_you_mean(const char *word, const char *const *words, size_t n);

/* Normalized settings as YAML: the text the digest is computed over. */
void ap_policy_write_settings(const struct ap_policy *policy, FILE *out);
uint64_t ap_policy_compute_digest(const struct ap_policy *policy);

/* Frees the matcher's realpath cache (part of ap_policy_free). */
void ap_policy_cache_free(struct ap_policy *policy);

#endif
