/* Fuzz target for the policy loader.  Besides "no crash, no leak" it checks
 * the loader's promises: a failure is one "NAME:LINE:COL: error: ..." line,
 * a success dumps to YAML that loads back to the same digest, and every
 * accepted pattern is one fnmatch(3) understands. */
#include "policy.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                                              \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz_policy: %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static void check_globs(const struct ap_globs *g) {
  for (size_t i = 0; i < g->count; i++) {
    REQUIRE(g->items[i][0] != 0);
    int rc = fnmatch(g->items[i], "some/file_name.c", 0);
    REQUIRE(rc == 0 || rc == FNM_NOMATCH);
  }
}

static void check_loaded(struct ap_policy *p) {
  char *text = NULL, err[512], why[256];
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  REQUIRE(mem && ap_policy_dump(p, mem) == 0);
  fclose(mem);
  struct ap_policy *q = ap_policy_load_string(text, len, "dump.yaml", err, sizeof err);
  if (!q)
    fprintf(stderr, "dump does not load back: %s\n%s", err, text);
  REQUIRE(q != NULL);
  REQUIRE(q->digest == p->digest);
  ap_policy_free(q);
  free(text);
  check_globs(&p->functions.include);
  check_globs(&p->functions.exclude);
  check_globs(&p->functions.exclude_files);
  check_globs(&p->functions.always);
  check_globs(&p->memo.assume_pure);
  enum ap_decision d = ap_policy_function(p, "main", "src/main.c", 3, 1, why, sizeof why);
  REQUIRE(d <= AP_INSTRUMENT_ALWAYS && why[0] != 0);
  ap_policy_assume_pure(p, "hash");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  err[0] = 0;
  struct ap_policy *p =
      ap_policy_load_string((const char *)data, size, "fuzz.yaml", err, sizeof err);
  if (!p) {
    REQUIRE(strncmp(err, "fuzz.yaml:", 10) == 0);
    REQUIRE(strstr(err, ": error: ") != NULL);
    REQUIRE(strchr(err, '\n') == NULL);
    return 0;
  }
  check_loaded(p);
  ap_policy_free(p);
  return 0;
}
