/* A caller whose own time the probes' compensation took entirely (3 M
 * calls of a 1 ns function in its loop, the probes five times the work)
 * bounded its other callees to that 0: heavy()'s measured 2.6 ms read 0
 * ns, the run's time too, and no hint was given (helper-30).  Such a node
 * takes its callees' time instead. */
#include <stdio.h>
#include <time.h>

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

static long long cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  long t = 0;
  for (int i = 0; i < 3000000; i++)
    t += add3(i);
  long long t0 = cpu_ns();
  for (int i = 0; i < 20000; i++)
    t += heavy(i);
  long long heavy_ns = cpu_ns() - t0;
  sink = t;
  printf("done heavy_ns=%lld\n", heavy_ns);
  return 0;
}
