/* 4 threads + main: exact per-function counts merged over threads; one
 * thread ends early through pthread_exit from depth. */
#include <pthread.h>
#include <stdio.h>
volatile unsigned sink;
__attribute__((noinline)) unsigned leaf(unsigned x) { sink += x; return x * 2654435761u; }
__attribute__((noinline)) void quit_early(void) { pthread_exit(NULL); }
__attribute__((noinline)) unsigned work(unsigned id, unsigned n) {
  unsigned h = 0;
  for (unsigned i = 0; i < n; i++)
    h ^= leaf(i + id);
  if (id == 3)
    quit_early();
  return h;
}
static void *thread_main(void *arg) {
  unsigned id = (unsigned)(unsigned long)arg;
  sink += work(id, 10000 * (id + 1));
  return NULL;
}
int main(void) {
  pthread_t t[4];
  for (unsigned long i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, thread_main, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  sink += work(9, 5000);
  printf("done\n");
  return 0;
}
