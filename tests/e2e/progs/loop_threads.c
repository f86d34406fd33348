/* Loop counts made inline by the instrumented code (abi.h), exact across
 * threads: each thread's first loop exit goes through the runtime (its
 * counters do not exist yet), the others add to the thread's counters
 * themselves.  5 threads x 1000 rounds; the loops' trip counts cycle. */
#include <pthread.h>
#include <stdio.h>
volatile int sink;

__attribute__((noinline)) int count_to(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) /* LOOP count_to */
    s += i ^ sink;
  return s;
}

__attribute__((noinline)) int nest(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)       /* LOOP nest outer */
    for (int j = 0; j < i % 3; j++) /* LOOP nest inner: zero-trip when i % 3 == 0 */
      s += j ^ sink;
  return s;
}

__attribute__((noinline)) int search(int key) {
  for (int i = 0;; i++) { /* LOOP search: two exits */
    if (i == key)
      return i;
    if (i > 6)
      return -1;
  }
}

__attribute__((noinline)) static void *work(void *arg) {
  (void)arg;
  int s = 0;
  for (int r = 0; r < 1000; r++) /* LOOP work */
    s += count_to(r % 5) + nest(r % 4) + search(r % 10);
  sink += s;
  return NULL;
}

int main(void) {
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, work, NULL);
  work(NULL);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  printf("done\n");
  return 0;
}
