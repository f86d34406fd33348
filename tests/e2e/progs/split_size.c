/* A function GCC splits (a header with the likely early return, a .part
 * with the rest) is one source function: functions.min_size weighs both
 * bodies, and both take one decision (before session 9 a split function
 * was instrumented whatever its size). */
#include <stdio.h>
volatile int sink;

int rarely_long(int x) {
  if (__builtin_expect(x > 0, 1))
    return x;
  int s = 0;
  for (int i = 0; i < -x; i++) {
    s += i * i;
    sink = s;
    printf("%d ", s);
  }
  for (int i = 0; i < -x; i++) {
    s ^= i * 3;
    sink = s;
    printf("%d ", s);
  }
  return s;
}

int main(void) {
  int t = 0;
  for (int i = 0; i < 100; i++)
    t += rarely_long(i - 2);
  printf("\n%d\n", t);
  return 0;
}
