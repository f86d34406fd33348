/* Call-heavy microbenchmark: fib(N) makes ~2*fib(N) calls of a small
 * function that is not inlined (recursion), plus a loop of calls to a tiny
 * leaf.  Prints the checksum so nothing is optimised away. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) unsigned leaf(unsigned x) {
  __asm__ volatile("" : "+r"(x));
  return x * 2654435761u + 1;
}

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
  unsigned loops = argc > 2 ? (unsigned)atoi(argv[2]) : 10000000;
  unsigned long f = fib(n);
  unsigned h = 0;
  for (unsigned i = 0; i < loops; i++)
    h ^= leaf(i);
  printf("%lu %u\n", f, h);
  return 0;
}
