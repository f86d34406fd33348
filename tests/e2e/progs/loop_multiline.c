/* Loop headers written over several lines: a loop is at its condition's
 * line with both compilers (clang put a `for` at its keyword and a
 * do-while at its `}` before session 12: helper-28). */
#include <stdio.h>

static volatile int sink, five = 5;

// clang-format off
__attribute__((noinline)) void multi_for(int n) {
  for (int i = 0;
       i < n;
       i++) {
    sink = i;
  }
}

__attribute__((noinline)) void multi_do(int n) {
  int j = 0;
  do {
    sink = j;
    j++;
  }
  while (j < n);
}
// clang-format on

int main(void) {
  for (int t = 0; t < 3; t++) {
    multi_for(five);
    multi_do(five);
  }
  printf("%d\n", sink);
  return 0;
}
