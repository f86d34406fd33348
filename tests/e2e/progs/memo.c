/* Memoization evidence, planted cases (issue 4).  The candidates that get
 * a hint (sum_prefix, strlen in upcase) take ~25 % and ~10 % of the run, far
 * above the 1 % threshold: a loaded machine's preemptions, filed under
 * whatever runs (wall time), must not push them under it (with 10 times
 * longer distractors they had 4 % and 2 %, and the hints came and went
 * under load). */
#include <stdio.h>
#include <string.h>
#include <ctype.h>
volatile int sink;
int global_scale = 1;

/* const, few distinct arguments: worth caching */
__attribute__((noinline)) long slow_const(int n) {
  long s = 0;
  for (int i = 0; i < 2000 + n; i++)
    s += (i * 7) % 13;
  return s;
}

/* the same call pattern, but it writes memory: never a candidate */
__attribute__((noinline)) long impure(int n) {
  long s = 0;
  for (int i = 0; i < 2000 + n; i++)
    s += (i * 7) % 13;
  sink = (int)s;
  return s;
}

/* pure (reads a global that changes between calls): no memoize hint */
__attribute__((noinline)) long reads_global(int n) {
  long s = 0;
  for (int i = 0; i < 2000 + n; i++)
    s += (i * global_scale) % 13;
  return s;
}

/* pure, takes a pointer to data that does not change: a hint, with the caveat */
__attribute__((noinline)) long sum_prefix(const int *v, int n) {
  long s = 0;
  for (int r = 0; r < 200; r++)
    for (int i = 0; i < n; i++)
      s += v[i] ^ r;
  return s;
}

/* const, every call distinct: no hint */
__attribute__((noinline)) long all_distinct(int n) {
  long s = 0;
  for (int i = 0; i < 2000; i++)
    s += (i ^ n) % 13;
  return s;
}

/* vouched for by the policy (memo.assume_pure) but depends on a counter:
 * the run contradicts the policy */
static int ticks;
__attribute__((noinline)) long vouched_clock(int n) {
  long s = 0;
  for (int i = 0; i < 2000; i++)
    s += (i ^ n) % 13;
  return s + ticks++;
}

int table[100];

/* a library call re-evaluated in the loop condition over memory the loop
 * writes: GCC cannot hoist strlen (the stores may change the string), but
 * the run shows it always returns the same: hoist it */
char text[5000];
__attribute__((noinline)) void upcase(char *s) {
  for (size_t i = 0; i < strlen(s); i++) /* HOIST LINE */
    s[i] = (char)toupper((unsigned char)s[i]);
}

int main(void) {
  long t = 0;
  for (int i = 0; i < 100; i++)
    table[i] = i * 3;
  memset(text, 'x', 4000);
  for (int r = 0; r < 40; r++)
    upcase(text);
  for (int i = 0; i < 2000; i++) {
    t += slow_const(i % 10);
    t += impure(i % 10);
    global_scale = i;
    t += reads_global(i % 10);
    t += sum_prefix(table, 50 + i % 4);
    t += all_distinct(i);
    t += vouched_clock(i % 3);
  }
  printf("%ld %c\n", t, text[7]);
  return 0;
}
