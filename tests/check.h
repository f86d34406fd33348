/* Minimal assertions for autoprof's C unit tests: each failed check prints
 * file:line and the values, the test exits 1 at the end. */
#ifndef AP_TEST_CHECK_H
#define AP_TEST_CHECK_H
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int ap_test_failures;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                     \
      ap_test_failures++;                                                                          \
    }                                                                                              \
  } while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
  do {                                                                                             \
    uint64_t ap_a_ = (uint64_t)(a), ap_b_ = (uint64_t)(b);                                         \
    if (ap_a_ != ap_b_) {                                                                          \
      fprintf(stderr, "%s:%d: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", __FILE__, __LINE__,  \
              #a, #b, ap_a_, ap_b_);                                                               \
      ap_test_failures++;                                                                          \
    }                                                                                              \
  } while (0)

#define CHECK_STR(a, b)                                                                            \
  do {                                                                                             \
    const char *ap_a_ = (a), *ap_b_ = (b);                                                         \
    if (!ap_a_ || !ap_b_ || strcmp(ap_a_, ap_b_) != 0) {                                           \
      fprintf(stderr, "%s:%d: %s == %s failed:\n  got:      %s\n  expected: %s\n", __FILE__,       \
              __LINE__, #a, #b, ap_a_ ? ap_a_ : "(null)", ap_b_ ? ap_b_ : "(null)");               \
      ap_test_failures++;                                                                          \
    }                                                                                              \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                                                \
  do {                                                                                             \
    const char *ap_h_ = (hay), *ap_n_ = (needle);                                                  \
    if (!ap_h_ || !strstr(ap_h_, ap_n_)) {                                                         \
      fprintf(stderr, "%s:%d: '%s' not found in:\n%s\n", __FILE__, __LINE__, ap_n_,                \
              ap_h_ ? ap_h_ : "(null)");                                                           \
      ap_test_failures++;                                                                          \
    }                                                                                              \
  } while (0)

#define TEST_DONE()                                                                                \
  do {                                                                                             \
    if (ap_test_failures)                                                                          \
      fprintf(stderr, "%d check(s) failed\n", ap_test_failures);                                   \
    return ap_test_failures ? 1 : 0;                                                               \
  } while (0)
#endif
