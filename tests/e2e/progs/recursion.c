/* Recursion: inclusive time counted once per outermost activation; exact
 * call counts at every -O level (noinline: an inlined call is not a call). */
#include <stdio.h>
volatile int sink;
/* The barrier keeps the second call a call: without it GCC's tail-recursion
 * elimination turns it into a loop at -O2 (and then it is not a call).  The
 * loop gives each call a body well above the probes' resolution. */
__attribute__((noinline)) int fib(int n) {
  for (int i = 0; i < 100; i++)
    sink += i;
  if (n < 2)
    return n;
  int a = fib(n - 1), b = fib(n - 2);
  __asm__ volatile("" ::: "memory");
  return a + b;
}
__attribute__((noinline)) int ping(int n);
__attribute__((noinline)) int pong(int n) {
  if (n <= 0)
    return 0;
  int r = ping(n - 1);
  __asm__ volatile("" ::: "memory");
  return r + 1;
}
__attribute__((noinline)) int ping(int n) {
  if (n <= 0)
    return 0;
  int r = pong(n - 1);
  __asm__ volatile("" ::: "memory");
  return r + 1;
}
int main(void) {
  int r = fib(20);
  int p = 0;
  for (int i = 0; i < 10; i++)
    p += ping(9);
  printf("%d %d\n", r, p);
  return 0;
}
