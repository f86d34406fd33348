/* A loop left by a `break` (or closed by a `goto`) after some of its
 * body: the pass that leaves is an iteration (profile-format.md).  Written
 * on one line, GCC took the `if`'s test for the loop's own (its place has
 * no range, and the line said "not before the test"), and clang -O0 took
 * the one-block body for a top-tested header (its stores to locals are
 * registers in GIMPLE): 4 iterations of 5 per entry (helper-25).  The
 * lines matter here: not reformatted. */
#include <stdio.h>

static volatile int sink, five = 5;

// clang-format off
__attribute__((noinline)) void one_line(int m) {
  int h = 0;
  for (;;) { sink = h; if (++h >= m) break; }
}

__attribute__((noinline)) void lines(int m) {
  int h = 0;
  for (;;) {
    sink = h;
    if (++h >= m)
      break;
  }
}

__attribute__((noinline)) void mid_one_line(int m) {
  int h = 0;
  while (1) { sink = h; h++; if (h == m) break; sink = -h; }
}

__attribute__((noinline)) void back_goto(int m) {
  int g = 0;
again:
  sink = g;
  if (++g < m) goto again;
}

/* the pass that leaves runs `h++` and the test: 6 of them for m = 5 */
__attribute__((noinline)) void late_break(int m) {
  int h = 0;
  for (;;) { h++; if (h > m) break; sink = h; }
}

/* top-tested loops on one line stay what they were */
__attribute__((noinline)) void top_tests(int m) {
  int i = 0;
  while (i < m) { sink = i; i++; }
  for (i = 0; i < m; i++) sink = i;
  i = 0; while (1) { if (i >= m) break; sink = i; i++; }
}
// clang-format on

int main(void) {
  for (int t = 0; t < 3; t++) {
    one_line(five);
    lines(five);
    mid_one_line(five);
    back_goto(five);
    late_break(five);
    top_tests(five);
  }
  printf("%d\n", sink);
  return 0;
}
