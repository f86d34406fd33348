/* Static leaves count their untimed calls inline (docs/abi.md item 8): runs
 * of one leaf from one frame, ended by any probe that opens or closes a
 * frame, by another leaf, by the leaf's timed call; in threads and under
 * recursion.  Every count is exact. */
#include <pthread.h>
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) static int leaf(int x) {
  return x * 3 + 1;
}

__attribute__((noinline)) static int leaf2(int x) {
  return x ^ 0x55;
}

/* a leaf with a loop of its own */
__attribute__((noinline)) static int leaf_loop(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += i * sink;
  return s;
}

__attribute__((noinline)) static int other(int x) {
  return leaf(x) + 1; /* not a leaf: it calls one */
}

/* 3000 calls of leaf in runs broken by a call of other() every 100 */
__attribute__((noinline)) static void runs(void) {
  for (int i = 0; i < 3000; i++) {
    sink += leaf(i);
    if (i % 100 == 99)
      sink += other(i);
  }
}

/* two leaves in turn: every call ends the other's run */
__attribute__((noinline)) static void alternate(void) {
  for (int i = 0; i < 2000; i++)
    sink += (i & 1) ? leaf2(i) : leaf(i);
}

__attribute__((noinline)) static void rec(int n) {
  sink += leaf(n);
  if (n)
    rec(n - 1);
  sink += leaf(n + 1); /* after the callee's frames closed: a run of its own */
}

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000; i++)
    sink += leaf(i);
  for (int i = 0; i < 500; i++)
    sink += leaf_loop(i & 7);
  return NULL;
}

int main(void) {
  runs();
  alternate();
  for (int r = 0; r < 50; r++)
    rec(19);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  printf("done\n");
  return 0;
}
