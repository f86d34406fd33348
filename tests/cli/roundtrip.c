/* Round trip of the profile reader against the runtime's writer: a profile
 * the writer produced, read and written again, is the same file byte for
 * byte; re-running the analysis on it gives the same hints; a hand-written
 * minimal profile reaches a fixed point after one write. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "profile_read.h"

static char *to_json(const struct ap_profile *p, size_t *len) {
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  CHECK(f != NULL);
  CHECK(ap_profile_write_json(p, f) == 0);
  fclose(f);
  return buf;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  rewind(f);
  buf = malloc(*len + 1);
  if (buf && fread(buf, 1, *len, f) == *len)
    buf[*len] = 0;
  fclose(f);
  return buf;
}

static void generated(const char *dir, const char *name) {
  char path[4096];
  size_t flen = 0, len = 0;
  struct ap_read_error err;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *file = slurp(path, &flen);
  struct ap_profile *p = ap_profile_read_file(path, &err);
  CHECK(file != NULL);
  CHECK_STR(err.msg, "");
  if (!p || !file)
    return;
  char *out = to_json(p, &len);
  CHECK_EQ_U64(len, flen);
  CHECK_STR(out, file);
  size_t stored = p->nhints;
  CHECK(stored > 0);
  CHECK(ap_profile_analyze(p, NULL) == (int)stored);
  char *again = to_json(p, &len);
  CHECK_STR(again, file); /* the samples were analysed with the defaults */
  free(again);
  free(out);
  free(file);
  ap_profile_free(p);
}

static void minimal(const char *dir) {
  char path[4096];
  size_t len1 = 0, len2 = 0;
  struct ap_read_error err;
  snprintf(path, sizeof path, "%s/minimal.json", dir);
  struct ap_profile *p = ap_profile_read_file(path, &err);
  CHECK_STR(err.msg, "");
  if (!p)
    return;
  CHECK_EQ_U64(p->nthreads, 3); /* "threads": 3 and no thread_list */
  CHECK_EQ_U64(p->nfunctions, 3);
  CHECK_EQ_U64(p->nnodes, 3);
  CHECK_EQ_U64(p->nloops + p->nmemo + p->nhints, 0);
  CHECK_EQ_U64(p->functions[1].calls, 1000);
  CHECK(p->policy_file == NULL); /* no "policy": the writer says <default> */
  char *once = to_json(p, &len1);
  struct ap_profile *q = ap_profile_read_buffer(once, len1, "once", &err);
  CHECK_STR(err.msg, "");
  char *twice = q ? to_json(q, &len2) : NULL;
  CHECK_STR(twice, once);
  free(once);
  free(twice);
  ap_profile_free(p);
  ap_profile_free(q);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: cli_roundtrip SAMPLES_DIR\n");
    return 2;
  }
  generated(argv[1], "before.json");
  generated(argv[1], "after.json");
  generated(argv[1], "rank1.json");
  minimal(argv[1]);
  TEST_DONE();
}
