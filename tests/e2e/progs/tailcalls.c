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
/* A struct returned in registers, copied out in a block of its own after
 * the tail call's (`D = p; return D;`): GCC still makes the call a jump,
 * which skipped an exit probe placed after it, so every later call of
 * `maybe` nested under the one never closed. */
typedef struct {
  long a, b;
} pair;
__attribute__((noinline)) pair make(pair p, int n) {
  p.a += n;
  p.b ^= n;
  return p;
}
__attribute__((noinline)) void other(void) { sink++; }
__attribute__((noinline)) pair maybe(pair p, int n) {
  if (n > 0)
    p = make(p, n);
  else
    other();
  return p;
}
int main(void) {
  int t = 0;
  for (int i = 0; i < 200; i++)
    t += tailer(i);
  pair p = {1, 2};
  for (int i = 0; i < 300; i++)
    p = maybe(p, i % 3);
  printf("%d %ld %ld\n", t, p.a, p.b);
  return 0;
}
