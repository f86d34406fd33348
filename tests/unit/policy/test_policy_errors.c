/* Every policy diagnostic, with its exact one-line text. */
#include "check.h"
#include "policy.h"

#include <stdlib.h>
#include <unistd.h>

static char err[512];

/* Loads `yaml` as p.yaml; returns the diagnostic ("" if it loaded). */
static const char *load_err(const char *yaml, size_t len) {
  struct ap_policy *p = ap_policy_load_string(yaml, len, "p.yaml", err, sizeof err);
  if (p) {
    ap_policy_free(p);
    return "";
  }
  CHECK(strchr(err, '\n') == NULL);
  return err;
}

#define EXPECT(yaml, msg) CHECK_STR(load_err(yaml, strlen(yaml)), msg)
#define EXPECT_N(yaml, msg) CHECK_STR(load_err(yaml, sizeof(yaml) - 1), msg)

static void syntax(void) {
  EXPECT("version: 1\nfunctions:\n  include: [a\n",
         "p.yaml:4:1: error: did not find expected ',' or ']' (while parsing a flow sequence at "
         "line 3)");
  EXPECT("version: 1\n  x: 1\n", "p.yaml:2:4: error: mapping values are not allowed in this "
                                 "context");
  EXPECT("version: 1\nfunctions:\n  include: [\"a]\n",
         "p.yaml:4:1: error: found unexpected end of stream (while scanning a quoted scalar at "
         "line 3)");
  EXPECT("version: 1\nloops: {enabled: *nope}\n", "p.yaml:2:18: error: found undefined alias");
  EXPECT("version: 1\n\xff\n", "p.yaml:2:1: error: invalid leading UTF-8 octet (byte 0xff)");
  EXPECT("version: 1\n---\nversion: 1\n",
         "p.yaml:3:1: error: a policy is a single YAML document; remove the second one");
}

static void unknown_keys(void) {
  EXPECT("version: 1\nfunctions:\n  inclde: [\"*\"]\n",
         "p.yaml:3:3: error: unknown key 'inclde' in 'functions' (did you mean 'include'?)");
  EXPECT("version: 1\nloops:\n  enable: false\n",
         "p.yaml:3:3: error: unknown key 'enable' in 'loops' (did you mean 'enabled'?)");
  EXPECT("version: 1\nfunctions:\n  only: [main]\n",
         "p.yaml:3:3: error: unknown key 'only' in 'functions' (valid keys: include, exclude, "
         "exclude_files, always, min_size)");
  EXPECT("version: 1\nfuctions:\n  include: [main]\n",
         "p.yaml:2:1: error: unknown section 'fuctions' (did you mean 'functions'?)");
  EXPECT("version: 1\nprofile: {}\n",
         "p.yaml:2:1: error: unknown section 'profile' (valid sections: version, functions, "
         "loops, memo, report, hints)");
  EXPECT("version: 1\nmin_size: 3\n", "p.yaml:2:1: error: unknown section 'min_size' "
                                      "('min_size' belongs in section 'functions' or 'memo')");
  EXPECT("version: 1\nenabled: no\n", "p.yaml:2:1: error: unknown section 'enabled' ('enabled' "
                                      "belongs in section 'loops' or 'memo')");
  EXPECT("version: 1\nhints: {[a]: 1}\n",
         "p.yaml:2:9: error: expected a key name in 'hints', got a list");
}

static void wrong_types(void) {
  EXPECT("version: 1\nfunctions:\n  include: {a: b}\n",
         "p.yaml:3:12: error: expected a list of strings for 'functions.include', got a mapping");
  EXPECT("version: 1\nfunctions:\n  exclude: debug_*\n",
         "p.yaml:3:12: error: expected a list "
         "of strings for 'functions.exclude', got a string 'debug_*'");
  EXPECT("version: 1\nfunctions:\n  always: [main, [x]]\n",
         "p.yaml:3:18: error: expected a "
         "list of strings for 'functions.always', got a list in the list");
  EXPECT("version: 1\nfunctions:\n  min_size: 12.5\n",
         "p.yaml:3:13: error: expected an integer for 'functions.min_size', got a number '12.5'");
  EXPECT("version: 1\nfunctions:\n  min_size: \"12\"\n",
         "p.yaml:3:13: error: expected an "
         "integer for 'functions.min_size', got a quoted string '12'");
  EXPECT("version: 1\nfunctions:\n  min_size:\n", "p.yaml:3:12: error: expected an integer for "
                                                  "'functions.min_size', got an empty value");
  EXPECT("version: 1\nloops:\n  enabled: maybe\n",
         "p.yaml:3:12: error: expected a bool (true "
         "or false) for 'loops.enabled', got a string 'maybe'");
  EXPECT("version: 1\nmemo:\n  enabled: 1\n", "p.yaml:3:12: error: expected a bool (true or "
                                              "false) for 'memo.enabled', got an integer '1'");
  EXPECT("version: 1\nhints:\n  hot_loop_share: high\n",
         "p.yaml:3:19: error: expected a "
         "number for 'hints.hot_loop_share', got a string 'high'");
  EXPECT("version: 1\nhints:\n  hot_loop_share: .nan\n",
         "p.yaml:3:19: error: expected a "
         "number for 'hints.hot_loop_share', got a string '.nan'");
  EXPECT("version: 1\nreport:\n  output: [a]\n",
         "p.yaml:3:11: error: expected a string for 'report.output', got a list");
  EXPECT("version: 1\nloops:\n  timing: [all]\n",
         "p.yaml:3:11: error: expected a string for 'loops.timing', got a list");
  EXPECT("version: 1\nfunctions: [main]\n",
         "p.yaml:2:12: error: expected a mapping for 'functions', got a list");
  EXPECT("version: 1\nloops:\n",
         "p.yaml:2:7: error: expected a mapping for 'loops', got an empty value");
  EXPECT("version: 1\nreport:\n  output: \""
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "\"\nhints: {hot_loop_share: [\"x\\ny\"]}\n",
         "p.yaml:4:25: error: expected a number for 'hints.hot_loop_share', got a list");
  EXPECT("version: 1\nmemo: {enabled: \"a\\nb\"}\n",
         "p.yaml:2:17: error: expected a bool (true or false) for 'memo.enabled', got a quoted "
         "string 'a\\x0ab'");
  EXPECT("version: 1\nmemo: {enabled: "
         "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffff}\n",
         "p.yaml:2:17: error: expected a bool (true or false) for 'memo.enabled', got a string "
         "'aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffff...'");
  EXPECT_N("version: 1\nfunctions: {include: [\"a\\0b\"]}\n",
           "p.yaml:2:23: error: NUL character in functions.include");
}

static void ranges_and_values(void) {
  EXPECT("version: 1\nloops:\n  max_depth: -2\n",
         "p.yaml:3:14: error: 'loops.max_depth' must be between 0 and 1000000, got -2");
  EXPECT("version: 1\nloops:\n  max_depth: outermost\n",
         "p.yaml:3:14: error: expected an integer for 'loops.max_depth', got a string 'outermost'");
  EXPECT("version: 1\nfunctions:\n  min_size: -1\n",
         "p.yaml:3:13: error: 'functions.min_size' must be between 0 and 1000000, got -1");
  EXPECT("version: 1\nfunctions:\n  min_size: 99999999999999999999999\n",
         "p.yaml:3:13: error: 'functions.min_size' must be between 0 and 1000000, got "
         "99999999999999999999999");
  EXPECT("version: 1\nreport:\n  top: 0\n",
         "p.yaml:3:8: error: 'report.top' must be between 1 and 1000000, got 0");
  EXPECT("version: 1\nhints:\n  hot_function_share: 1.5\n",
         "p.yaml:3:23: error: 'hints.hot_function_share' must be between 0 and 1, got 1.5");
  EXPECT("version: 1\nhints:\n  memo_min_repeat_rate: -0.1\n",
         "p.yaml:3:25: error: 'hints.memo_min_repeat_rate' must be between 0 and 1, got -0.1");
  EXPECT("version: 1\nloops:\n  timing: outermos\n",
         "p.yaml:3:11: error: unknown value 'outermos' for 'loops.timing' (did you mean "
         "'outermost'?)");
  EXPECT("version: 1\nloops:\n  timing: sometimes\n",
         "p.yaml:3:11: error: unknown value "
         "'sometimes' for 'loops.timing' (expected all, outermost or none)");
  EXPECT("version: 1\nreport:\n  formats: [json, html]\n",
         "p.yaml:3:19: error: unknown "
         "format 'html' for 'report.formats' (expected json or text)");
  EXPECT("version: 1\nreport:\n  formats: [txt]\n", "p.yaml:3:13: error: unknown format 'txt' "
                                                    "for 'report.formats' (did you mean 'text'?)");
  EXPECT("version: 1\nreport:\n  formats: [json, json]\n",
         "p.yaml:3:19: error: format 'json' appears twice in 'report.formats'");
  EXPECT("version: 1\nreport:\n  formats: []\n",
         "p.yaml:3:12: error: 'report.formats' must not be empty (use json, text or both)");
  EXPECT("version: 1\nreport:\n  output: \"\"\n",
         "p.yaml:3:11: error: 'report.output' must not be empty");
  EXPECT("version: 1\nreport:\n  output: out.%t\n",
         "p.yaml:3:11: error: unknown escape '%t' "
         "in 'report.output' (use %n for the program name, %p for the pid)");
  EXPECT("version: 1\nreport:\n  output: out%\n",
         "p.yaml:3:11: error: unknown escape '%' in "
         "'report.output' (use %n for the program name, %p for the pid)");
}

static void bad_globs(void) {
  EXPECT("version: 1\nfunctions:\n  exclude: [\"[abc\"]\n",
         "p.yaml:3:13: error: bad pattern '[abc' in 'functions.exclude': unmatched '['");
  EXPECT("version: 1\nfunctions:\n  exclude_files: [\"*/x/[!]\"]\n",
         "p.yaml:3:19: error: bad pattern '*/x/[!]' in 'functions.exclude_files': unmatched '['");
  EXPECT("version: 1\nfunctions:\n  include: [\"\"]\n",
         "p.yaml:3:13: error: empty pattern in 'functions.include'");
  EXPECT("version: 1\nmemo:\n  assume_pure:\n    - hash_*\n    -\n",
         "p.yaml:5:6: error: empty pattern in 'memo.assume_pure'");
  EXPECT("version: 1\nfunctions:\n  always: ['a\\']\n",
         "p.yaml:3:12: error: bad pattern 'a\\' in 'functions.always': trailing '\\' escapes "
         "nothing");
  EXPECT("version: 1\nfunctions:\n  always: ['[[:word:]]*']\n",
         "p.yaml:3:12: error: bad "
         "pattern '[[:word:]]*' in 'functions.always': unknown character class in '[...]'");
}

static void structure(void) {
  EXPECT("version: 1\nfunctions:\n  min_size: 3\n  min_size: 4\n",
         "p.yaml:4:3: error: duplicate key 'min_size' in 'functions' (first at line 3)");
  EXPECT("version: 1\nloops: {}\nloops: {}\n",
         "p.yaml:3:1: error: duplicate key 'loops' in the policy (first at line 2)");
  EXPECT("version: 2\nfunctions: {}\n",
         "p.yaml:1:10: error: unsupported policy version 2 (this autoprof reads version 1)");
  EXPECT("functions:\n  new_key_of_v2: 1\nversion: 2\n",
         "p.yaml:3:10: error: unsupported policy version 2 (this autoprof reads version 1)");
  EXPECT("version: one\n",
         "p.yaml:1:10: error: expected an integer for 'version', got a string 'one'");
  EXPECT("functions:\n  min_size: 3\n",
         "p.yaml:1:1: error: missing 'version: 1' (every policy starts with it)");
  EXPECT("", "p.yaml:1:1: error: empty policy (it needs at least 'version: 1')");
  EXPECT("# only a comment\n\n", "p.yaml:1:1: error: empty policy (it needs at least "
                                 "'version: 1')");
  EXPECT("- version: 1\n", "p.yaml:1:1: error: a policy is a mapping of sections starting with "
                           "'version: 1', got a list");
  EXPECT("version\n", "p.yaml:1:1: error: a policy is a mapping of sections starting with "
                      "'version: 1', got a string 'version'");
}

static void files(void) {
  CHECK(ap_policy_load_file("/nonexistent/perf.yaml", err, sizeof err) == NULL);
  CHECK_STR(err, "/nonexistent/perf.yaml: error: cannot read policy: No such file or directory");
  CHECK(ap_policy_load_file("/", err, sizeof err) == NULL);
  CHECK_STR(err, "/: error: cannot read policy: Is a directory");

  char path[] = "/tmp/ap_policy_errXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  const char text[] = "version: 1\nloops:\n  timing: outermos\n";
  CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
  close(fd);
  char want[512];
  snprintf(want, sizeof want,
           "%s:3:11: error: unknown value 'outermos' for 'loops.timing' "
           "(did you mean 'outermost'?)",
           path);
  CHECK(ap_policy_load_file(path, err, sizeof err) == NULL);
  CHECK_STR(err, want);
  unlink(path);
}

/* A short or missing error buffer truncates or drops the message, nothing else. */
static void small_buffers(void) {
  char tiny[16];
  CHECK(ap_policy_load_string("version: 3\n", 11, "p.yaml", tiny, sizeof tiny) == NULL);
  CHECK_STR(tiny, "p.yaml:1:10: er");
  CHECK(ap_policy_load_string("version: 3\n", 11, "p.yaml", NULL, 0) == NULL);
  CHECK(ap_policy_load_file("/nonexistent", NULL, 0) == NULL);
}

int main(void) {
  syntax();
  unknown_keys();
  wrong_types();
  ranges_and_values();
  bad_globs();
  structure();
  files();
  small_buffers();
  TEST_DONE();
}
