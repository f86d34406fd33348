/* A timer signal every 100 us whose handler calls an instrumented function
 * while the program is in its own probes: counts exact, and every call of
 * mid stays on main's path (a handler that ran between a frame being
 * filled in and published overwrote it and left its own frame open: mid's
 * calls then hung below on_tick for the rest of the run). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile long ticks, sink;

__attribute__((noinline)) static void on_tick(int n) {
  for (int i = 0; i < n; i++)
    sink += i;
  ticks++;
}

static void handler(int sig) {
  (void)sig;
  on_tick(50);
}

__attribute__((noinline)) static long leaf(long x) {
  return x * 3 + (sink & 1);
}

__attribute__((noinline)) static long mid(long x) {
  long s = 0;
  for (int i = 0; i < 20; i++)
    s += leaf(x + i);
  return s;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 100}, {0, 100}};
  setitimer(ITIMER_REAL, &it, NULL);
  long s = 0;
  for (int r = 0; r < 1000000; r++)
    s += mid(r);
  memset(&it, 0, sizeof it);
  setitimer(ITIMER_REAL, &it, NULL);
  printf("done %d %d\n", s > 0, ticks > 0);
  return 0;
}
