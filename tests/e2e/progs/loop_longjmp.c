/* longjmp out of a timed loop's only entry (an error thrown from a call in
 * its body, caught by a function that set the jump and returns, as Lua's
 * luaD_rawrunprotected does), then the loop again, deeper in the stack.
 * Counts stay exact; once the setjmp returns again, the abandoned frames
 * are closed and the loop is timed again. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static volatile int sink;

__attribute__((noinline)) static void check(int i) {
  if (i == 3)
    longjmp(env, 1);
  sink += i;
}

__attribute__((noinline)) static void work(int n) {
  for (int i = 0; i < n; i++) { /* line 19 */
    for (int k = 0; k < 100; k++)
      sink += k;
    check(i);
  }
}

__attribute__((noinline)) static void nest(int d) {
  for (int i = 0; i < 3; i++) {
    if (d)
      nest(d - 1);
    else
      work(2);
  }
}

#ifndef LONGJMP_IN_MAIN
__attribute__((noinline)) static int protected_call(int n) {
  if (setjmp(env))
    return 1;
  work(n);
  return 0;
}

int main(void) {
  int errors = 0;
  for (int r = 0; r < 500; r++) {
    errors += protected_call(10); /* leaves work's loop at i == 3 */
    nest(3);
  }
  printf("%d %d\n", sink, errors);
  return 0;
}
#else /* longjmp_main.c */
int main(void) {
  for (int r = 0; r < 1000; r++) {
    if (!setjmp(env))
      work(10); /* leaves work's loop by longjmp at i == 3 */
    nest(3);
  }
  printf("%d\n", sink);
  return 0;
}
#endif
