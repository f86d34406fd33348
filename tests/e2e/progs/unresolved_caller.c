/* A caller whose own time the probes' compensation took entirely (3 M
 * calls of a 1 ns function in its loop, the probes five times the work)
 * bounded its other callees to that 0: heavy()'s measured 2.6 ms read 0
 * ns, the run's time too, and no hint was given (helper-30).  Such a node
 * takes its callees' time instead. */
#include <stdio.h>

static volatile long sink;

__attribute__((noinline)) int add3(int x) {
  return x * 3 + 1;
}

__attribute__((noinline)) long heavy(int x) {
  long s = 0;
  for (int i = 0; i < 200; i++) {
    s += (x ^ i) * 7;
    sink = s;
  }
  return s;
}

int main(void) {
  long t = 0;
  for (int i = 0; i < 3000000; i++)
    t += add3(i);
  for (int i = 0; i < 20000; i++)
    t += heavy(i);
  sink = t;
  printf("done\n");
  return 0;
}
