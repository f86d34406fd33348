/* Loops one after another: the exit block of the first is the preheader of
 * the second.  clang -O1+ put the second one's start before the first
 * one's record there, so the second loop's frame opened inside the first
 * one's, and the first loop was credited with the second one's calls
 * (200,000 calls for its 100,000, helper-21). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) unsigned fa(unsigned x) {
  unsigned h = x;
  for (int k = 0; k < 50; k++)
    h = (h ^ (h >> 13)) * 0x5bd1e995u;
  return h;
}

__attribute__((noinline)) unsigned fb(unsigned x) {
  unsigned h = x;
  for (int k = 0; k < 50; k++)
    h = (h ^ (h >> 11)) * 0x85ebca6bu;
  return h;
}

__attribute__((noinline)) unsigned three(int n) {
  unsigned s = 0;
  for (int i = 0; i < n; i++)
    s += fa((unsigned)i);
  for (int i = 0; i < n; i++)
    s += fb((unsigned)i);
  for (int i = 0; i < 2 * n; i++)
    s += fa((unsigned)i) ^ 1;
  return s;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  unsigned s = 0;
  for (int i = 0; i < n; i++)
    s += fa((unsigned)i);
  for (int i = 0; i < n; i++)
    s += fb((unsigned)i);
  s += three(n / 10);
  printf("%u\n", s);
  return 0;
}
