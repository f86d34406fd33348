/* IPA clones (.constprop, .isra, .part) are reported under the source name,
 * a split function is counted once per call. */
#include <stdio.h>
volatile int sink;
static __attribute__((noinline)) int scale(int x, int k) {
  int s = 0;
  for (int i = 0; i < x; i++)
    s += i * k + sink;
  return s;
}
struct big { int a[64]; int n; };
static __attribute__((noinline)) int sum_big(struct big b, int unused) {
  int s = 0;
  for (int i = 0; i < b.n; i++)
    s += b.a[i];
  return s;
}
__attribute__((noinline)) int cold_path(int x) {
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
  struct big b = {.n = 10};
  for (int i = 0; i < 100; i++) {
    t += scale(i, 3);
    t += sum_big(b, i);
    t += cold_path(i - 2);
  }
  printf("\n%d\n", t);
  return 0;
}
