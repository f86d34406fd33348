/* autoprof policy: loading, validation and matching of the YAML policy
 * (schema v1, DESIGN §5).  Plain C on libyaml with no compiler headers, so
 * the GCC plugin, the LLVM plugin and the `autoprof` command share exactly
 * one meaning of a policy. */
#ifndef AUTOPROF_POLICY_H
#define AUTOPROF_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ap_loop_timing { AP_TIMING_ALL, AP_TIMING_OUTERMOST, AP_TIMING_NONE };

/* A list of glob patterns (fnmatch syntax: * ? [...]). */
struct ap_globs {
  char **items;
  size_t count;
};

struct ap_policy {
  char *file;      /* path it was loaded from, or "<default>" */
  uint64_t digest; /* FNV-1a 64 over the normalized settings below */
  struct {
    struct ap_globs include, exclude, exclude_files, always;
    unsigned min_size;
  } functions;
  struct {
    int enabled;
    enum ap_loop_timing timing;
    unsigned max_depth; /* loops nested deeper are not counted; 0: no limit */
  } loops;
  struct {
    int enabled;
    struct ap_globs assume_pure;
    unsigned min_size; /* smaller functions are not memo candidates (a cache costs more) */
  } memo;
  struct {
    char *output;
    unsigned formats; /* enum ap_format bits from autoprof/abi.h */
    unsigned top;
  } report;
  struct {
    double hot_function_share, hot_loop_share, memo_min_repeat_rate;
  } hints;
  /* Private to the matcher: realpath() of the last file asked about, so a
   * plugin asking for every function of one file resolves it once.  Hence a
   * policy must not be matched from two threads at once. */
  struct ap_policy_cache *cache;
};

/* Loads a policy file.  On error returns NULL and writes one line
 * "FILE:LINE:COL: error: MESSAGE" (no trailing newline) into err. */
struct ap_policy *ap_policy_load_file(const char *path, char *err, size_t errlen);
/* Same, from memory; `name` is used as FILE in diagnostics. */
struct ap_policy *ap_policy_load_string(const char *text, size_t len, const char *name, char *err,
                                        size_t errlen);
/* The built-in default policy (config/default.yaml, compiled in). Never NULL. */
struct ap_policy *ap_policy_default(void);
void ap_policy_free(struct ap_policy *policy);

enum ap_decision {
  AP_SKIP = 0,
  AP_INSTRUMENT = 1,
  AP_INSTRUMENT_ALWAYS = 2, /* matched `always`: min_size does not apply */
};

/* Decides whether a function is instrumented.  `size` is the estimated
 * instruction count after inlining (use 0 with size_known=0 when unknown).
 * Order: always > exclude_files > exclude > include > min_size.
 * `why` (may be NULL) receives a static or policy-owned string for verbose
 * output, e.g. "excluded by functions.exclude 'debug_*'". */
enum ap_decision ap_policy_function(const struct ap_policy *policy, const char *name,
                                    const char *file, unsigned size, int size_known, char *why,
                                    size_t whylen);

/* memo.assume_pure match (issue 4). */
int ap_policy_assume_pure(const struct ap_policy *policy, const char *name);

/* Writes the normalized policy as YAML (for `autoprof policy show`). */
int ap_policy_dump(const struct ap_policy *policy, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
