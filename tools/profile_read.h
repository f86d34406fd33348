/* Reading a profile JSON file (docs/profile-format.md) back into the model
 * of runtime/src/profile.h, so the `autoprof` command re-analyses, diffs,
 * merges and exports with the same code the runtime used at exit.
 *
 * Tolerant of what a newer writer may add (unknown keys are ignored) and of
 * optional sections that are absent (thread_list, clock, policy, loops,
 * memo, hints, ...); strict about what the analysis relies on (types,
 * indexes in range, parents before children), so a damaged file is refused
 * with one line instead of crashing a writer later. */
#ifndef AUTOPROF_PROFILE_READ_H
#define AUTOPROF_PROFILE_READ_H

#include <stddef.h>

#include "profile.h"

struct ap_read_error {
  /* One line without newline: "FILE:LINE:COL: error: ..." (or "FILE: error:
   * ..." when there is no position), naming the fix where there is one. */
  char msg[512];
  /* The "autoprof" format version found, 0 if the reader did not get that far. */
  long version;
};

/* Reads the file at path; NULL and err filled on any error. */
struct ap_profile *ap_profile_read_file(const char *path, struct ap_read_error *err);
/* Same from memory; name is the FILE of the diagnostics. */
struct ap_profile *ap_profile_read_buffer(const char *data, size_t len, const char *name,
                                          struct ap_read_error *err);

#endif
