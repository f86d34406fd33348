/* A loop whose entries are 1 trip but for a few of 100,000 trips: adaptive
 * timing samples the short entries and times the long ones, which make
 * nearly all the calls.  The loop's callee figures, scaled from its timed
 * entries, once came out at 1.3-2.5x the callee's whole run. */
#include <stdio.h>
volatile unsigned sink;
__attribute__((noinline)) unsigned work(unsigned x) {
  for (int i = 0; i < 20; i++)
    x = x * 1103515245u + 12345u;
  return x;
}
__attribute__((noinline)) unsigned run(unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n; i++) /* line 14 */
    s += work(i);
  return s;
}
int main(void) {
  unsigned s = 0;
  for (int k = 0; k < 100000; k++)
    s += run(k % 2000 == 0 ? 100000 : 1);
  sink = s;
  printf("done\n");
  return 0;
}
