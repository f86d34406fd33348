/* What a clock read costs on this machine: the figure that bounds every
 * timing profiler's per-call cost (two reads per call).  Back-to-back reads
 * in a loop, so this is the throughput cost, as in a probe.  Prints one line. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
  enum { N = 5000000 };
  volatile uint64_t sink = 0; /* keeps the reads in the loops */
  unsigned aux;
  struct timespec ts;
  double t = now();
  for (int i = 0; i < N; i++)
    sink += __rdtsc();
  double rdtsc = (now() - t) / N * 1e9;
  t = now();
  for (int i = 0; i < N; i++)
    sink += __rdtscp(&aux);
  double rdtscp = (now() - t) / N * 1e9;
  t = now();
  for (int i = 0; i < N; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sink += (uint64_t)ts.tv_nsec;
  }
  double cgt = (now() - t) / N * 1e9;
  printf("clock reads: rdtsc %.1f ns, rdtscp %.1f ns, clock_gettime(MONOTONIC) %.1f ns\n", rdtsc,
         rdtscp, cgt);
  return 0;
}
