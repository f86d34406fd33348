/* Two functions with the same body: GCC's identical code folding
 * (-fipa-icf, on from -O2) kept one and sent every call of the other to
 * it, before the plugin saw them — sum_a was reported with 1,010 calls and
 * sum_b not at all (brotli's RemapBlockIds*, helper-24).  The plugin turns
 * the folding of functions off. */
#include <stdio.h>

static volatile int scale = 1;

__attribute__((noinline)) static int sum_a(const int *v, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += v[i] * 3 + (v[i] >> 2);
  return s;
}

__attribute__((noinline)) static int sum_b(const int *v, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += v[i] * 3 + (v[i] >> 2);
  return s;
}

int main(void) {
  int v[100];
  for (int i = 0; i < 100; i++)
    v[i] = i * scale;
  long t = 0;
  for (int k = 0; k < 10; k++)
    t += sum_a(v, 100 - (k & scale));
  for (int k = 0; k < 1000; k++)
    t += sum_b(v, 50 - (k & scale));
  printf("%ld\n", t);
  return 0;
}
