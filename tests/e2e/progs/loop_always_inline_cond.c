/* Loop conditions calling always_inline functions: GCC -O0 inlines them
 * early and keeps their blocks apart (the callee's body, its return
 * label's block, then the test), so the header held no test and every
 * run of the condition counted as an iteration, with no zero-trip entry:
 * `while (pos + type_len() < end)` read 11 entries / 71 iterations / 0
 * zero-trip for 10 / 60 / 1 (helper-24).  Such a call in the second
 * operand of `&&` counted the failed tests of the second operand, and
 * one in the first reported the loop at the callee's line.  Exact counts
 * in loop_always_inline_cond.expect.  The lines matter here: not
 * reformatted. */
#include <stdio.h>
#include <stdlib.h>

// clang-format off
static inline __attribute__((always_inline)) size_t type_len(void) { return 4; }
static inline __attribute__((always_inline)) int at(const char *s, int i) { return s[i]; }
static inline __attribute__((always_inline)) int lim(int n) { return n > 8 ? 8 : n; }
static inline __attribute__((always_inline)) int ok(const int *v, int i) { return v[i] >= 0; }

__attribute__((noinline)) size_t scan(size_t pos, size_t end) {
  size_t n = 0;
  while (pos + type_len() < end) { /* SCAN */
    n += pos;
    pos++;
  }
  return n;
}

__attribute__((noinline)) int length(const char *s) {
  int i = 0;
  while (at(s, i) != 0) /* LENGTH */
    i++;
  return i;
}

__attribute__((noinline)) int upto(int n) {
  int s = 0;
  for (int i = 0; i < lim(n); i++) /* UPTO */
    s += i;
  return s;
}

__attribute__((noinline)) int count_ok(const int *v, int n) {
  int a = 0;
  while (a < n && ok(v, a)) /* SECOND */
    a++;
  return a;
}

__attribute__((noinline)) int count_ok_first(const int *v, int n) {
  int a = 0;
  while (ok(v, a) && a < n) /* FIRST */
    a++;
  return a;
}
// clang-format on

int main(void) {
  size_t t = 0;
  for (int k = 0; k < 10; k++)
    t += scan(k, 10 + k);
  t += scan(100, 3);
  int l = length("hello") + length("") + length("ab");
  int u = upto(3) + upto(0) + upto(20);
  static const int v[] = {1, 2, -1, 4, -1};
  int c = count_ok(v, 4) + count_ok(v, 0) + count_ok(v + 3, 1);
  int f = count_ok_first(v, 4) + count_ok_first(v, 0) + count_ok_first(v + 3, 1);
  printf("%zu %d %d %d %d\n", t, l, u, c, f);
  return 0;
}
