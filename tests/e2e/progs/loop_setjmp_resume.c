#include <setjmp.h>
#include <stdio.h>

static jmp_buf jb;
static volatile unsigned long sink;

__attribute__((noinline)) static void thrower(int pc) {
  if (pc == 5)
    longjmp(jb, 1);
}

__attribute__((noinline)) static void fail(void) {
  longjmp(jb, 1);
}

/* an interpreter loop whose try (op 1) catches a throw three iterations
 * later: 8 iterations */
__attribute__((noinline)) int run(const int *ops) {
  int pc = 0, caught = 0;
  while (1) {
    sink++;
    switch (ops[pc++]) {
    case 0:
      return caught;
    case 1:
      if (setjmp(jb)) {
        caught++;
        pc = 6;
      }
      break;
    case 2:
      thrower(pc);
      break;
    default:
      break;
    }
  }
}

/* the setjmp in an outer loop, resumed five outer iterations later: the
 * inner loop's figures (kept for the nest) survive too */
__attribute__((noinline)) int outer(int n) {
  volatile int i, j, caught = 0;
  for (i = 0; i < n; i++) {
    if (i == 0 && setjmp(jb))
      caught++;
    for (j = 0; j < 4; j++)
      sink++;
    if (i == 5 && !caught)
      fail();
  }
  return caught;
}

/* the setjmp in an inner loop, resumed from the middle of a later entry of
 * it: the outer loop, its other inner loop and the resumed one count as
 * they ran */
__attribute__((noinline)) int inner(int n) {
  volatile int i, j, k, caught = 0;
  for (i = 0; i < n; i++) {
    for (k = 0; k < 3; k++)
      sink++;
    for (j = 0; j < 4; j++) {
      if (i == 1 && j == 0 && setjmp(jb))
        caught++;
      sink++;
      if (i == 6 && j == 2 && !caught)
        fail();
    }
  }
  return caught;
}

int main(void) {
  static const int ops[] = {3, 3, 1, 2, 2, 2, 3, 3, 0};
  int a = run(ops), b = outer(10), c = inner(10);
  printf("caught=%d,%d,%d sink=%lu\n", a, b, c, sink);
  return 0;
}
