/* Planted loop patterns: each loop should get its own hot-loop hint at the
 * line of its controlling test. */
#include <stdio.h>
volatile long sink;
long data[4096];

/* an O(n^2) nest: the inner trip count grows with the outer one */
__attribute__((noinline)) long quadratic(int n) {
  long s = 0;
  for (int i = 0; i < n; i++)   /* QUAD OUTER */
    for (int j = 0; j < i; j++) /* QUAD INNER */
      s += data[j & 4095] ^ i;
  return s;
}

/* an inner loop of 1 or 2 iterations entered very often */
__attribute__((noinline)) long tiny(int n) {
  long s = 0;
  for (int i = 0; i < n; i++)               /* TINY OUTER */
    for (int j = 0; j <= (i & 1); j++)      /* TINY INNER */
      s += data[(i + j) & 4095] * sink;
  return s;
}

/* a loop whose time is the calls it makes, and they repeat work: 16
 * argument values over 20,000 calls (the memo evidence says so) */
__attribute__((noinline)) long work_item(int k) {
  long s = 0;
  for (int i = 0; i < 2000; i++)
    s += (i * k) % 7;
  return s;
}
__attribute__((noinline)) long calls(int n) {
  long s = 0;
  for (int i = 0; i < n; i++) /* CALLS LOOP */
    s += work_item(i & 15);
  return s;
}

/* a driver: its time is the calls too, but each is new work (one row
 * each): no "repeat work" advice, a dominant loop priced by its own time */
__attribute__((noinline)) long row_work(int y) {
  long s = 0;
  for (int i = 0; i < 2000; i++)
    s += (i * y) % 11;
  return s;
}
__attribute__((noinline)) long drive(int n) {
  long s = 0;
  for (int y = 0; y < n; y++) /* DRIVER LOOP */
    s += row_work(y);
  return s;
}

/* one big flat loop: where the time goes */
__attribute__((noinline)) long dominant(long n) {
  long s = 0;
  for (long i = 0; i < n; i++) /* DOMINANT LOOP */
    s += (i * 2654435761u) % 1013;
  return s;
}

int main(void) {
  for (int i = 0; i < 4096; i++)
    data[i] = i * 7;
  long t = quadratic(9000) + tiny(8000000) + calls(20000) + drive(10000) + dominant(100000000L);
  printf("%ld\n", t);
  return 0;
}
