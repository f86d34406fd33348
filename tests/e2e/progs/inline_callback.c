/* A tiny hot function called only through a pointer (qsort's comparator)
 * cannot be inlined: its inline hint says so (flag `addressed`) instead of
 * "make it inlinable" (helper-25); a tiny function called directly keeps
 * the plain advice. */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned seed = 12345;
static int v[200000];

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* in the constructor list, not called through a pointer of the program's:
 * no `addressed` (clang flagged it) */
__attribute__((constructor)) static void setup(void) {
  seed += 0;
}

__attribute__((noinline)) static int twice(int x) {
  return 2 * x + 1;
}

int main(void) {
  unsigned s = seed;
  for (int i = 0; i < 200000; i++) {
    s = s * 1103515245u + 12345u;
    v[i] = (int)(s >> 8);
  }
  qsort(v, 200000, sizeof v[0], cmp_int);
  long t = 0;
  for (int i = 0; i < 3000000; i++)
    t += twice(v[i % 200000] & 1023);
  printf("%d %ld\n", v[0] <= v[199999], t);
  return 0;
}
