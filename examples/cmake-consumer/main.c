#include <stdio.h>

__attribute__((noinline)) static unsigned long collatz_steps(unsigned long n) {
  unsigned long steps = 0;
  while (n != 1) {
    n = n % 2 ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

int main(void) {
  unsigned long longest = 0, arg = 0;
  for (unsigned long i = 1; i < 100000; i++) {
    unsigned long s = collatz_steps(i);
    if (s > longest) {
      longest = s;
      arg = i;
    }
  }
  printf("longest chain below 100000: %lu (%lu steps)\n", arg, longest);
  return 0;
}
