/* setjmp in main, which never returns: every frame a longjmp abandons stays
 * open until main's exit closes them all, and the calls made meanwhile
 * hang below them.  Their times are wrong paths but must stay within the
 * run: the abandoned frames, timed, are a floor for their sampled parents,
 * not a sum on top of them. */
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
  for (int i = 0; i < n; i++) {
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

int main(void) {
  for (int r = 0; r < 1000; r++) {
    if (!setjmp(env))
      work(10); /* leaves work's loop by longjmp at i == 3 */
    nest(3);
  }
  printf("%d\n", sink);
  return 0;
}
