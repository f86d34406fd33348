/* Tail calls stay tail calls; the exit probe goes before them. */
#include <stdio.h>
volatile int sink;
__attribute__((noinline)) int helper(int x) { sink += x; return x * 3 + 1; }
__attribute__((noinline)) int tailer(int x) {
  sink += x;
  if (x > 100)
    return helper(x);
  return x + 2;
}
int main(void) {
  int t = 0;
  for (int i = 0; i < 200; i++)
    t += tailer(i);
  printf("%d\n", t);
  return 0;
}
