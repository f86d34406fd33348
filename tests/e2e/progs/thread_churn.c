/* A thread per task, 2,000 of them one after another, then 4 at a time:
 * every call counted, and an ended thread's record serves the next thread
 * (a record each would hold 34 KB of RSS per thread ever started: 343 MB
 * for 10,000 threads). */
#include <pthread.h>
#include <stdio.h>

static volatile long sink;

__attribute__((noinline)) static long work(int n) {
  long s = sink & 1; /* not pure: no compiler may call it once for ten */
  for (int i = 0; i < n; i++)
    s += i * (long)n;
  return s;
}

static void *task(void *arg) {
  for (int i = 0; i < 10; i++)
    sink += work(100 + (int)(long)arg % 7);
  return NULL;
}

int main(void) {
  for (int i = 0; i < 2000; i++) {
    pthread_t t;
    pthread_create(&t, NULL, task, (void *)(long)i);
    pthread_join(t, NULL);
  }
  for (int i = 0; i < 100; i++) {
    pthread_t t[4];
    for (int k = 0; k < 4; k++)
      pthread_create(&t[k], NULL, task, (void *)(long)k);
    for (int k = 0; k < 4; k++)
      pthread_join(t[k], NULL);
  }
  printf("done %d\n", sink != 0);
  return 0;
}
