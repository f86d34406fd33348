/* Calls made after a longjmp are filed where they are made, not under the
 * frames the jump abandoned: each setjmp return tells the runtime its
 * depth (abi.h, __autoprof_setjmp_return). */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static sigjmp_buf senv;
static volatile int sink;

__attribute__((noinline)) static void fail(int i) {
  if (i == 7)
    longjmp(env, 1);
  sink += i;
}

__attribute__((noinline)) static void work(int n) {
  for (int i = 0; i < n; i++)
    fail(i);
}

__attribute__((noinline)) static void cleanup(void) {
  sink++;
}

/* setjmp in an instrumented function: cleanup is its callee */
__attribute__((noinline)) static int one(void) {
  if (setjmp(env)) {
    cleanup();
    return 1;
  }
  work(10);
  return 0;
}

/* the same in a function the policy leaves out: cleanup is main's callee */
__attribute__((noinline)) static int uncounted(void) {
  if (setjmp(env)) {
    cleanup();
    return 1;
  }
  work(9); /* not one's body: GCC's identical code folding would merge them */
  return 0;
}

/* sigsetjmp, retried in a loop: the jump lands in the loop's body */
__attribute__((noinline)) static void sfail(int i) {
  if (i == 2)
    siglongjmp(senv, 1);
  sink += i;
}

__attribute__((noinline)) static void swork(int n) {
  for (int i = 0; i < n; i++)
    sfail(i);
}

__attribute__((noinline)) static int retry(void) {
  volatile int failed = 0;
  for (volatile int t = 0; t < 3; t++) {
    if (sigsetjmp(senv, 0)) {
      failed++;
      cleanup();
      continue;
    }
    swork(t == 2 ? 2 : 5); /* the third try succeeds */
  }
  return failed;
}

/* recursion: the jump from the bottom lands in the activation at d == 2 */
static jmp_buf renv;
__attribute__((noinline)) static void rec(int d) {
  if (d == 2 && setjmp(renv)) {
    cleanup();
    return;
  }
  if (d == 0)
    longjmp(renv, 1);
  rec(d - 1);
  sink++; /* no tail call: GCC would make the recursion a loop */
}

int main(void) {
  int e = 0;
  for (int r = 0; r < 100; r++) {
    e += one();
    e += uncounted();
    e += retry();
    rec(4);
  }
  printf("%d %d\n", sink, e);
  return 0;
}
