/* A worker blocked at exit after many short calls (sampled by adaptive
 * timing): its record and its callee have the time of those finished
 * calls.  Its own frame never closed, and that node's time (its finished
 * activations': none) bounded the estimates below it: 0 ns for 514,626
 * calls of a spinning worker (helper-28). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, finished = PTHREAD_COND_INITIALIZER;
static int done;
static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long tick(unsigned long x) {
  unsigned long s = 0;
  for (int i = 0; i < 40; i++)
    s += x * (unsigned long)i ^ (s >> 3);
  sink += s;
  return s;
}

static void *worker(void *arg) {
  (void)arg;
  for (unsigned long i = 0; i < 300000; i++)
    tick(i);
  pthread_mutex_lock(&lock);
  done = 1;
  pthread_cond_signal(&finished);
  for (;;)
    pthread_cond_wait(&wake, &lock); /* never woken: its frame open at exit */
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_mutex_lock(&lock);
  while (!done)
    pthread_cond_wait(&finished, &lock);
  pthread_mutex_unlock(&lock);
  printf("done\n");
  return 0;
}
