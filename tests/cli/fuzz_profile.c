/* Fuzz target of the profile reader (tools/profile_read.c) and of what the
 * `autoprof` command does with whatever it accepts: analysis, both writers.
 * Property checked beyond "no crash": a profile the reader accepted, once
 * written, reads back and writes identically.  (Compared from the second
 * write on: the writer's "%.6g" can turn a fraction into an integer, e.g.
 * 1142857.14 -> 1.14286e+06 -> 1142860, so the first write may differ.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_read.h"

static char *to_json(const struct ap_profile *p, size_t *len) {
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  if (!f)
    abort();
  ap_profile_write_json(p, f);
  fclose(f);
  return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct ap_read_error err;
  struct ap_profile *p = ap_profile_read_buffer((const char *)data, size, "fuzz.json", &err);
  if (!p) {
    if (!err.msg[0] || strchr(err.msg, '\n'))
      abort(); /* every refusal is exactly one line */
    return 0;
  }
  size_t len0, len1, len2;
  char *first = to_json(p, &len0);
  struct ap_profile *p1 = ap_profile_read_buffer(first, len0, "first.json", &err);
  if (!p1) {
    fprintf(stderr, "written profile refused: %s\n", err.msg);
    abort();
  }
  char *once = to_json(p1, &len1);
  struct ap_profile *q = ap_profile_read_buffer(once, len1, "once.json", &err);
  if (!q) {
    fprintf(stderr, "written profile refused: %s\n", err.msg);
    abort();
  }
  char *twice = to_json(q, &len2);
  if (len1 != len2 || memcmp(once, twice, len1) != 0)
    abort();
  FILE *null = fopen("/dev/null", "w");
  if (null) {
    if (ap_profile_analyze(q, NULL) >= 0)
      ap_profile_write_text(q, null, 0);
    fclose(null);
  }
  free(first);
  free(once);
  free(twice);
  ap_profile_free(p1);
  ap_profile_free(p);
  ap_profile_free(q);
  return 0;
}
