/* An IFUNC resolver runs while the dynamic linker relocates the program,
 * before any library is set up (helper-23: instrumented, it crashed the
 * program before main).  The plugins leave resolvers out; an instrumented
 * function the resolver calls (pick) finds the runtime not ready and its
 * probes do nothing then: its calls from main count. */
#include <stdio.h>

static int impl_a(int x) {
  return x + 1;
}
static int impl_b(int x) {
  return x + 2;
}

__attribute__((noinline)) int pick(int k) {
  volatile int s = 0;
  for (int i = 0; i < k; i++)
    s += i;
  return s;
}

static int (*resolve_f(void))(int) {
  return pick(3) > 100 ? impl_b : impl_a;
}

int f(int) __attribute__((ifunc("resolve_f")));

int main(void) {
  int s = 0;
  for (int i = 0; i < 10; i++)
    s += f(i);
  s += pick(4) + pick(5);
  printf("%d\n", s);
  return 0;
}
