/* Inline loop records (abi.h, "Inline loop counts"): the main thread and
 * three threads run the same loops; each thread's first record goes
 * through a probe call (its counters do not exist yet), the rest are made
 * inline.  The probe calls are wrapped (-Wl,--wrap) to count them: per
 * thread, inline records + records made by calls = the records the program
 * makes, and the first one was a call.  Loop lines are found by the LOOP
 * comments. */
#include <pthread.h>
#include <stdio.h>

#include "autoprof/abi.h"

volatile int sink;
int lens[8] = {0, 1, 2, 3, 1, 0, 5, 2};

__attribute__((noinline)) long tiny(int n) {
  long s = 0;
  for (int i = 0; i < n; i++) /* LOOP tiny */
    s += i ^ sink;
  return s;
}

__attribute__((noinline)) long nest(int n) {
  long s = 0;
  for (int i = 0; i < n; i++)    /* LOOP outer */
    for (int j = 0; j <= i; j++) /* LOOP inner */
      s += j ^ sink;
  return s;
}

/* Never called: a loop of more than 40 instructions in a small function is
 * recorded inline too (the script reads the object code). */
__attribute__((noinline)) long wide(int n) {
  long s = 0;
  for (int i = 0; i < n; i++) {
    s += sink * 3, s ^= sink + i, s -= sink >> 1, s += sink * 5, s ^= sink + 7;
    s -= sink >> 2, s += sink * 9, s ^= sink + 11, s -= sink >> 3, s += sink * 13;
    s ^= sink + 15, s -= sink >> 4, s += sink * 17, s ^= sink + 19, s -= sink >> 5;
  }
  return s;
}

/* Records made through the runtime's entry points, per thread; the inline
 * records already made when the first one came. */
static __thread unsigned long calls, inline_at_first = ~0ul;
static void called(unsigned long records) {
  if (!calls)
    inline_at_first = __autoprof_loop_tls.inline_records;
  calls += records;
}
void __real___autoprof_loop(struct ap_loop_site *, uint64_t);
void __real___autoprof_loop_nest(struct ap_loop_site *, uint64_t, uint64_t, uint64_t, uint64_t,
                                 uint64_t);
void __real___autoprof_loop_start(struct ap_loop_site *, struct ap_loop_stamp *);
void __real___autoprof_loop_timed(struct ap_loop_site *, uint64_t, const struct ap_loop_stamp *);
void __wrap___autoprof_loop(struct ap_loop_site *s, uint64_t n) {
  called(1);
  __real___autoprof_loop(s, n);
}
void __wrap___autoprof_loop_nest(struct ap_loop_site *s, uint64_t e, uint64_t i, uint64_t m,
                                 uint64_t x, uint64_t z) {
  called(1);
  __real___autoprof_loop_nest(s, e, i, m, x, z);
}
void __wrap___autoprof_loop_start(struct ap_loop_site *s, struct ap_loop_stamp *st) {
  called(1);
  __real___autoprof_loop_start(s, st);
}
void __wrap___autoprof_loop_timed(struct ap_loop_site *s, uint64_t n,
                                  const struct ap_loop_stamp *st) {
  called(1);
  __real___autoprof_loop_timed(s, n, st);
}

__attribute__((noinline)) static void *run(void *arg) { /* no loop of main's */
  long rounds = (long)arg, t = 0;
  for (long r = 0; r < rounds; r++) /* not instrumented: the policy names tiny and nest */
    t += tiny(lens[r & 7]) + nest(1 + (r & 3));
  sink += (int)t;
  printf("thread rounds=%ld inline=%llu calls=%lu inline_at_first=%lu\n", rounds,
         (unsigned long long)__autoprof_loop_tls.inline_records, calls, inline_at_first);
  return NULL;
}

int main(void) {
  pthread_t a, b, c; /* main is instrumented (policy `always`): no loop here */
  run((void *)800L);
  pthread_create(&a, NULL, run, (void *)1000L);
  pthread_create(&b, NULL, run, (void *)2000L);
  pthread_create(&c, NULL, run, (void *)3000L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_join(c, NULL);
  return 0;
}
