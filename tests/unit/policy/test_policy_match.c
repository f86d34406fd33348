/* ap_policy_function: the order always > exclude_files > exclude > include >
 * min_size, the `why` texts, and file matching through realpath(). */
#include "check.h"
#include "policy.h"
#include "policy_int.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[512], why[256];

static struct ap_policy *load(const char *yaml) {
  struct ap_policy *p = ap_policy_load_string(yaml, strlen(yaml), "t.yaml", err, sizeof err);
  if (!p) {
    fprintf(stderr, "unexpected error: %s\n", err);
    exit(1);
  }
  return p;
}

#define DECIDE(p, name, file, size, known, want, want_why)                                         \
  do {                                                                                             \
    why[0] = 0;                                                                                    \
    CHECK_EQ_U64(ap_policy_function(p, name, file, size, known, why, sizeof why), want);           \
    CHECK_STR(why, want_why);                                                                      \
  } while (0)

static void default_policy(void) {
  struct ap_policy *p = ap_policy_default();
  DECIDE(p, "main", "/usr/include/x.h", 1, 1, AP_INSTRUMENT_ALWAYS,
         "matched functions.always 'main'");
  DECIDE(p, "fputs_unlocked", "/usr/include/x86_64-linux-gnu/bits/stdio.h", 100, 1, AP_SKIP,
         "excluded by functions.exclude_files '/usr/*' (file "
         "'/usr/include/x86_64-linux-gnu/bits/stdio.h')");
  DECIDE(p, "tiny", "src/a.c", 5, 1, AP_SKIP, "size 5 < functions.min_size 12");
  DECIDE(p, "edge", "src/a.c", 12, 1, AP_INSTRUMENT, "included by functions.include '*'");
  DECIDE(p, "unknown_size", "src/a.c", 0, 0, AP_INSTRUMENT, "included by functions.include '*'");
  DECIDE(p, "no_file", NULL, 40, 1, AP_INSTRUMENT, "included by functions.include '*'");
  CHECK_EQ_U64(ap_policy_function(p, "tiny", "a.c", 1, 1, NULL, 0), AP_SKIP);
  ap_policy_free(p);
}

static void order(void) {
  struct ap_policy *p = load("version: 1\n"
                             "functions:\n"
                             "  include: [solve_*, debug_*, 'handle_[a-c]*']\n"
                             "  exclude: [debug_*, solve_slow]\n"
                             "  exclude_files: ['*/third_party/*', '*.gen.c']\n"
                             "  always: [main, debug_keep, 'handle_?']\n"
                             "  min_size: 20\n");
  /* always beats every other rule, size included */
  DECIDE(p, "debug_keep", "x/third_party/y.c", 1, 1, AP_INSTRUMENT_ALWAYS,
         "matched functions.always 'debug_keep'");
  DECIDE(p, "handle_z", "a.c", 1, 1, AP_INSTRUMENT_ALWAYS, "matched functions.always 'handle_?'");
  /* exclude_files beats exclude */
  DECIDE(p, "debug_dump", "lib/third_party/z.c", 50, 1, AP_SKIP,
         "excluded by functions.exclude_files '*/third_party/*' (file 'lib/third_party/z.c')");
  DECIDE(p, "solve_x", "/abs/parser.gen.c", 50, 1, AP_SKIP,
         "excluded by functions.exclude_files '*.gen.c' (file '/abs/parser.gen.c')");
  /* exclude beats include */
  DECIDE(p, "debug_dump", "a.c", 50, 1, AP_SKIP, "excluded by functions.exclude 'debug_*'");
  DECIDE(p, "solve_slow", "a.c", 50, 1, AP_SKIP, "excluded by functions.exclude 'solve_slow'");
  /* include beats min_size: not included, whatever the size */
  DECIDE(p, "other", "a.c", 1, 1, AP_SKIP, "not matched by functions.include");
  DECIDE(p, "handle_d1", "a.c", 50, 1, AP_SKIP, "not matched by functions.include");
  DECIDE(p, "handle_b1", "a.c", 50, 1, AP_INSTRUMENT,
         "included by functions.include 'handle_[a-c]*'");
  DECIDE(p, "solve_fast", "a.c", 19, 1, AP_SKIP, "size 19 < functions.min_size 20");
  DECIDE(p, "solve_fast", "a.c", 20, 1, AP_INSTRUMENT, "included by functions.include 'solve_*'");
  ap_policy_free(p);
}

static void pure(void) {
  struct ap_policy *p = load("version: 1\nmemo: {assume_pure: [hash_*, crc32]}\n");
  CHECK(ap_policy_assume_pure(p, "hash_str") == 1);
  CHECK(ap_policy_assume_pure(p, "crc32") == 1);
  CHECK(ap_policy_assume_pure(p, "crc32c") == 0);
  CHECK(ap_policy_assume_pure(p, NULL) == 0);
  ap_policy_free(p);
  p = ap_policy_default();
  CHECK(ap_policy_assume_pure(p, "hash_str") == 0);
  ap_policy_free(p);
}

/* Relative paths and symlinks match through realpath(). */
static void realpaths(void) {
  char dir[] = "/tmp/ap_policy_matchXXXXXX", path[512], cwd[1024];
  CHECK(mkdtemp(dir) != NULL);
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  snprintf(path, sizeof path, "%s/vendor", dir);
  CHECK(mkdir(path, 0700) == 0);
  snprintf(path, sizeof path, "%s/vendor/lib.c", dir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f)
    fclose(f);
  snprintf(path, sizeof path, "%s/link", dir);
  CHECK(symlink("vendor", path) == 0);
  CHECK(chdir(dir) == 0);

  char yaml[256], want[1024];
  snprintf(yaml, sizeof yaml, "version: 1\nfunctions: {exclude_files: ['*/vendor/*']}\n");
  struct ap_policy *p = load(yaml);
  char *real = realpath("vendor/lib.c", NULL);
  snprintf(want, sizeof want, "excluded by functions.exclude_files '*/vendor/*' (file '%s')",
           real ? real : "?");
  DECIDE(p, "f", "vendor/lib.c", 50, 1, AP_SKIP, want);
  DECIDE(p, "g", "vendor/lib.c", 50, 1, AP_SKIP, want); /* cached */
  DECIDE(p, "f", "link/lib.c", 50, 1, AP_SKIP, want);
  DECIDE(p, "f", "./vendor/lib.c", 50, 1, AP_SKIP,
         "excluded by functions.exclude_files "
         "'*/vendor/*' (file './vendor/lib.c')");
  DECIDE(p, "f", "vendor/missing.c", 50, 1, AP_INSTRUMENT, "included by functions.include '*'");
  DECIDE(p, "f", "", 50, 1, AP_INSTRUMENT, "included by functions.include '*'");
  ap_policy_free(p);
  free(real);

  CHECK(chdir(cwd) == 0);
  snprintf(path, sizeof path, "%s/link", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/vendor/lib.c", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/vendor", dir);
  rmdir(path);
  rmdir(dir);
}

static void helpers(void) {
  CHECK(ap_glob_problem("*") == NULL);
  CHECK(ap_glob_problem("[]]x") == NULL);
  CHECK(ap_glob_problem("[!]a]") == NULL);
  CHECK(ap_glob_problem("a\\[") == NULL);
  CHECK(ap_glob_problem("[[:digit:]x]") == NULL);
  CHECK(ap_glob_problem("[\\]]") == NULL);
  CHECK_STR(ap_glob_problem(""), "empty pattern");
  CHECK_STR(ap_glob_problem("[a"), "unmatched '['");
  CHECK_STR(ap_glob_problem("[]"), "unmatched '['");
  CHECK_STR(ap_glob_problem("[[:digit:]"), "unmatched '['");
  CHECK_STR(ap_glob_problem("[[:digit]"), "unmatched '['");
  CHECK_EQ_U64(ap_edit_distance("inclde", "include"), 1);
  CHECK_EQ_U64(ap_edit_distance("", "abc"), 3);
  CHECK_EQ_U64(ap_edit_distance("kitten", "sitting"), 3);
  static const char *const words[] = {"include", "exclude", "min_size", NULL};
  CHECK_STR(ap_did_you_mean("exclud", words, 0), "exclude");
  CHECK_STR(ap_did_you_mean("MIN_SIZE", words, 0), "min_size");
  CHECK(ap_did_you_mean("size", words, 0) == NULL);
  CHECK(ap_did_you_mean("x", words, 0) == NULL);
}

int main(void) {
  default_policy();
  order();
  pure();
  realpaths();
  helpers();
  TEST_DONE();
}
