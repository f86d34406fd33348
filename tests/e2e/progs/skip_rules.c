/* Skip rules: policy exclude / exclude_files / min_size / always, and the
 * no_instrument_function attribute. */
#include <stdio.h>
volatile int sink;
__attribute__((noinline)) void debug_dump(int x) { sink += x; }
__attribute__((noinline, no_instrument_function)) void quiet(int x) { sink += x * 2; }
__attribute__((noinline)) int tiny(int x) { return x + 1; }
__attribute__((noinline)) int tiny_but_always(int x) { return x + 2; }
__attribute__((noinline)) int bigger(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) {
    s += i * sink;
    sink = s ^ i;
    if (s > 1000)
      s -= 1000;
  }
  return s;
}
int main(void) {
  int t = 0;
  for (int i = 0; i < 10; i++) {
    debug_dump(i);
    quiet(i);
    t += tiny(i) + tiny_but_always(i) + bigger(i);
  }
  printf("%d\n", t);
  return 0;
}
