/* Recursion: inclusive time counted once per outermost activation; exact
 * call counts at every -O level (noinline: an inlined call is not a call). */
#include <stdio.h>
__attribute__((noinline)) int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
__attribute__((noinline)) int ping(int n);
__attribute__((noinline)) int pong(int n) { return n <= 0 ? 0 : 1 + ping(n - 1); }
__attribute__((noinline)) int ping(int n) { return n <= 0 ? 0 : 1 + pong(n - 1); }
int main(void) {
  int r = fib(20);
  int p = 0;
  for (int i = 0; i < 10; i++)
    p += ping(9);
  printf("%d %d\n", r, p);
  return 0;
}
