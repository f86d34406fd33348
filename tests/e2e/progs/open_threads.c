/* Workers still blocked when main returns (never joined, as xz's): each
 * thread's record has its time — its finished calls' — and the threads'
 * times add up to the run's (their root frames never closed). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, finished = PTHREAD_COND_INITIALIZER;
static int done;
static volatile unsigned long sink;

__attribute__((noinline)) static void crunch(unsigned n) {
  unsigned long s = 0;
  for (unsigned i = 0; i < n; i++)
    s += (s >> 7) ^ i;
  sink = s;
}

static void *worker(void *arg) {
  (void)arg;
  crunch(2000000);
  pthread_mutex_lock(&lock);
  done++;
  pthread_cond_signal(&finished);
  for (;;)
    pthread_cond_wait(&wake, &lock); /* never woken: running at exit */
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  pthread_mutex_lock(&lock);
  while (done < 2)
    pthread_cond_wait(&finished, &lock);
  pthread_mutex_unlock(&lock);
  printf("done\n");
  return 0;
}
