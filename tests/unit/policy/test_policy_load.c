/* Loading that succeeds: the built-in default, overlay, presets, value
 * spellings, the normalized dump and its digest. */
#include "check.h"
#include "policy.h"

#include <autoprof/abi.h>
#include <stdlib.h>

static char err[512];

static struct ap_policy *load(const char *yaml) {
  struct ap_policy *p = ap_policy_load_string(yaml, strlen(yaml), "t.yaml", err, sizeof err);
  if (!p)
    fprintf(stderr, "unexpected error: %s\n", err);
  CHECK(p != NULL);
  return p;
}

static void check_globs(const struct ap_globs *g, size_t n, const char *const *want) {
  CHECK_EQ_U64(g->count, n);
  for (size_t i = 0; i < n && i < g->count; i++)
    CHECK_STR(g->items[i], want[i]);
}
#define GLOBS(g, ...)                                                                              \
  do {                                                                                             \
    const char *const want_[] = {__VA_ARGS__};                                                     \
    check_globs(g, sizeof want_ / sizeof want_[0], want_);                                         \
  } while (0)

static void defaults(void) {
  struct ap_policy *p = ap_policy_default();
  CHECK_STR(p->file, "<default>");
  GLOBS(&p->functions.include, "*");
  CHECK_EQ_U64(p->functions.exclude.count, 0);
  GLOBS(&p->functions.exclude_files, "/usr/*");
  GLOBS(&p->functions.always, "main");
  CHECK_EQ_U64(p->functions.min_size, 12);
  CHECK(p->loops.enabled == 1);
  CHECK(p->loops.timing == AP_TIMING_OUTERMOST);
  CHECK_EQ_U64(p->loops.max_depth, 0);
  CHECK(p->memo.enabled == 1);
  CHECK_EQ_U64(p->memo.assume_pure.count, 0);
  CHECK_STR(p->report.output, "autoprof.%n.%p");
  CHECK_EQ_U64(p->report.formats, AP_FORMAT_JSON | AP_FORMAT_TEXT);
  CHECK_EQ_U64(p->report.top, 20);
  CHECK(p->hints.hot_function_share == 0.05);
  CHECK(p->hints.hot_loop_share == 0.05);
  CHECK(p->hints.memo_min_repeat_rate == 0.5);
  CHECK(p->digest != 0);

  /* `version: 1` alone is the default, with the same digest. */
  struct ap_policy *q = load("version: 1\n");
  if (q) {
    CHECK_EQ_U64(q->digest, p->digest);
    CHECK_STR(q->file, "t.yaml");
  }
  ap_policy_free(q);
  ap_policy_free(p);
}

/* Keys given replace the default's, lists replace lists, the rest stays. */
static void overlay(void) {
  struct ap_policy *p = load("version: 1\n"
                             "functions:\n"
                             "  exclude: [debug_*, 'trace_?']\n"
                             "  min_size: 0\n"
                             "loops: {timing: all, max_depth: 2}\n"
                             "report:\n"
                             "  formats: [text]\n"
                             "hints: {hot_loop_share: 0.1}\n");
  if (!p)
    return;
  GLOBS(&p->functions.include, "*");
  GLOBS(&p->functions.exclude, "debug_*", "trace_?");
  GLOBS(&p->functions.exclude_files, "/usr/*");
  GLOBS(&p->functions.always, "main");
  CHECK_EQ_U64(p->functions.min_size, 0);
  CHECK(p->loops.enabled == 1);
  CHECK(p->loops.timing == AP_TIMING_ALL);
  CHECK_EQ_U64(p->loops.max_depth, 2);
  CHECK_EQ_U64(p->report.formats, AP_FORMAT_TEXT);
  CHECK_EQ_U64(p->report.top, 20);
  CHECK_STR(p->report.output, "autoprof.%n.%p");
  CHECK(p->hints.hot_loop_share == 0.1);
  CHECK(p->hints.hot_function_share == 0.05);
  ap_policy_free(p);

  p = load("version: 1\nfunctions:\n  always: []\n  include: []\n");
  if (p) {
    CHECK_EQ_U64(p->functions.always.count, 0);
    CHECK_EQ_U64(p->functions.include.count, 0);
  }
  ap_policy_free(p);
}

/* YAML 1.1 booleans, numbers, null-free spellings, anchors. */
static void spellings(void) {
  static const char *const off[] = {"false", "no", "off", "False", "NO", "Off"};
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
    char yaml[64];
    snprintf(yaml, sizeof yaml, "version: 1\nloops: {enabled: %s}\n", off[i]);
    struct ap_policy *p = load(yaml);
    CHECK(p && p->loops.enabled == 0);
    ap_policy_free(p);
  }
  struct ap_policy *p = load("version: 1\n"
                             "memo: {enabled: yes, assume_pure: &pure [hash_*, crc32]}\n"
                             "functions: {always: *pure, min_size: +7}\n"
                             "hints: {hot_function_share: 1, hot_loop_share: 5e-2,"
                             " memo_min_repeat_rate: 0}\n");
  if (p) {
    GLOBS(&p->memo.assume_pure, "hash_*", "crc32");
    GLOBS(&p->functions.always, "hash_*", "crc32");
    CHECK_EQ_U64(p->functions.min_size, 7);
    CHECK(p->hints.hot_function_share == 1.0);
    CHECK(p->hints.hot_loop_share == 0.05);
    CHECK(p->hints.memo_min_repeat_rate == 0.0);
  }
  ap_policy_free(p);
}

static uint64_t digest_of(const char *yaml) {
  struct ap_policy *p = load(yaml);
  uint64_t d = p ? p->digest : 0;
  ap_policy_free(p);
  return d;
}

/* Same meaning, same digest: key order, comments, quoting and number
 * spelling do not matter; any setting that changes does. */
static void digests(void) {
  uint64_t a = digest_of("version: 1\nloops: {timing: all}\nfunctions: {min_size: 3}\n");
  uint64_t b = digest_of("# mine\nfunctions:\n  min_size: 03 # tiny\nversion: 1\nloops:\n"
                         "  timing: 'all'\n  enabled: on\n");
  CHECK_EQ_U64(a, b);
  CHECK(digest_of("version: 1\nhints: {hot_loop_share: 0.050}\n") ==
        digest_of("version: 1\nhints: {hot_loop_share: 5e-2}\n"));
  CHECK(digest_of("version: 1\nreport: {formats: [text, json]}\n") == digest_of("version: 1\n"));
  CHECK(a != digest_of("version: 1\nloops: {timing: all}\nfunctions: {min_size: 4}\n"));
  CHECK(digest_of("version: 1\nfunctions: {exclude: [a, b]}\n") !=
        digest_of("version: 1\nfunctions: {exclude: [ab]}\n"));
  CHECK(digest_of("version: 1\nreport: {top: 21}\n") != digest_of("version: 1\n"));
  CHECK(digest_of("version: 1\nloops: {max_depth: 1}\n") != digest_of("version: 1\n"));
}

/* The dump is a valid policy that loads back to the same settings. */
static void round_trip(const char *yaml) {
  struct ap_policy *p = load(yaml);
  if (!p)
    return;
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  CHECK(ap_policy_dump(p, mem) == 0);
  fclose(mem);
  struct ap_policy *q = ap_policy_load_string(text, len, "dump.yaml", err, sizeof err);
  if (!q)
    fprintf(stderr, "dump does not load: %s\n%s", err, text);
  CHECK(q != NULL);
  if (q)
    CHECK_EQ_U64(q->digest, p->digest);
  ap_policy_free(q);
  ap_policy_free(p);
  free(text);
}

static void dump(void) {
  struct ap_policy *p = ap_policy_default();
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  ap_policy_dump(p, mem);
  fclose(mem);
  char want[1024];
  snprintf(want, sizeof want,
           "# autoprof policy, normalized (digest %016llx)\n"
           "version: 1\nfunctions:\n  include: [\"*\"]\n  exclude: []\n"
           "  exclude_files: [\"/usr/*\"]\n  always: [\"main\"]\n  min_size: 12\n"
           "loops:\n  enabled: true\n  timing: outermost\n  max_depth: 0\n"
           "memo:\n  enabled: true\n  assume_pure: []\n  min_size: 40\n"
           "report:\n  output: \"autoprof.%%n.%%p\"\n  formats: [json, text]\n  top: 20\n"
           "hints:\n  hot_function_share: 0.05\n  hot_loop_share: 0.05\n"
           "  memo_min_repeat_rate: 0.5\n",
           (unsigned long long)p->digest);
  CHECK_STR(text, want);
  free(text);
  ap_policy_free(p);

  round_trip("version: 1\n");
  round_trip("version: 1\nfunctions:\n  exclude: ['we\"ird\\\\x', \"tab\\there\", \"caf\xc3\xa9\","
             " \"\\U0001F600*\", \"\\x85\", '[[:alpha:]]*']\n  min_size: 0\n"
             "loops: {enabled: no, timing: none}\nmemo: {enabled: off}\n"
             "report: {output: \"/tmp/o \\\"%n\\\".%p\", formats: [text], top: 1000000}\n"
             "hints: {hot_function_share: 0.1, hot_loop_share: 0.3333333333333333,"
             " memo_min_repeat_rate: 1e-300}\n");
}

static void presets(void) {
  static const char *const names[] = {"config/default.yaml", "config/presets/full.yaml",
                                      "config/presets/light.yaml"};
  struct ap_policy *p[3];
  for (int i = 0; i < 3; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", AP_SOURCE_DIR, names[i]);
    p[i] = ap_policy_load_file(path, err, sizeof err);
    if (!p[i])
      fprintf(stderr, "%s\n", err);
    CHECK(p[i] != NULL);
  }
  struct ap_policy *def = ap_policy_default();
  if (p[0])
    CHECK_EQ_U64(p[0]->digest, def->digest); /* the file is what is compiled in */
  if (p[1]) {
    CHECK_EQ_U64(p[1]->functions.min_size, 0);
    CHECK(p[1]->loops.timing == AP_TIMING_ALL);
    CHECK_EQ_U64(p[1]->functions.exclude_files.count, 0);
  }
  if (p[2]) {
    CHECK(p[2]->loops.timing == AP_TIMING_NONE);
    CHECK_EQ_U64(p[2]->loops.max_depth, 2);
    CHECK(p[2]->memo.enabled == 0);
  }
  for (int i = 0; i < 3; i++)
    ap_policy_free(p[i]);
  ap_policy_free(def);
}

int main(void) {
  defaults();
  overlay();
  spellings();
  digests();
  dump();
  presets();
  TEST_DONE();
}
