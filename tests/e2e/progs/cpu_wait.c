/* Waiting for a CPU is left out of the times (runtime/src/cpuwait.c): the
 * program pins itself and a spinning thread to one CPU, so the scheduler
 * takes turns between them (involuntary switches), and runs work() for
 * 100 ms of its own CPU time — about twice that in wall time.  work()'s
 * time in the profile is checked against the CPU time it measured itself,
 * and the wait shows in cpu_wait_ns. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/rseq.h>
#include <time.h>

static int stop; /* atomic: TSan runs this too */

static long long thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *spin(void *arg) {
  (void)arg;
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
    __asm__ volatile("" ::: "memory");
  return NULL;
}

__attribute__((noinline)) long long work(long long cpu_ns) {
  long long t0 = thread_cpu_ns(), now;
  unsigned x = 1;
  do {
    for (int i = 0; i < 10000; i++)
      x = x * 1664525u + 1013904223u;
    now = thread_cpu_ns();
  } while (now - t0 < cpu_ns);
  printf("x=%u\n", x & 1);
  return now - t0;
}

int main(void) {
  if (__rseq_size == 0) {
    puts("no-rseq");
    return 0;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setaffinity_np(&attr, sizeof one, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) {
    puts("no-affinity");
    return 0;
  }
  pthread_t th;
  pthread_create(&th, &attr, spin, NULL);
  pthread_attr_destroy(&attr);
  long long ran = work(100000000);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(th, NULL);
  printf("work_cpu_ns=%lld\n", ran);
  return 0;
}
