/* A loop's line is its `for`'s (or its condition's) whatever the
 * optimizers did to its branches: clang -O2 left the !llvm.loop of
 * upcase's loop on a branch that is no latch any more, and the loop was
 * reported at the body's `if` (helper-21), as was the hoist candidate's
 * loop.  A loop tested only in the middle of its body is at that test
 * (clang -O0 said the `while`, GCC and clang -O2 the `if`). */
#include <stdio.h>
#include <string.h>

static char buf[4096];
static volatile int sink;

__attribute__((noinline)) void upcase(char *s) {
  for (size_t i = 0; i < strlen(s); i++)
    if (s[i] >= 'a' && s[i] <= 'z')
      s[i] -= 32;
}

__attribute__((noinline)) void upcase_n(char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] >= 'a' && s[i] <= 'z')
      s[i] -= 32;
}

__attribute__((noinline)) int midbreak(int n) {
  int i = 0, s = 0;
  while (1) {
    s += i;
    sink = s;
    if (i >= n)
      break;
    i++;
  }
  return s;
}

int main(void) {
  memset(buf, 'a', 100);
  upcase(buf);
  memset(buf, 'a', 100);
  upcase_n(buf, 100);
  printf("%s %d\n", buf + 95, midbreak(20));
  return 0;
}
