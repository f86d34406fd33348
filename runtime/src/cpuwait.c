/* Time a thread spent waiting for a CPU — runnable, while another task ran
 * on it (an involuntary context switch: a busy machine) — is taken out of
 * every interval the runtime times.  The thread's clock (ap_now, rt.h) is
 * the TSC less that wait, so a function, a loop or a sampled call that was
 * preempted measures what it ran, not what the machine's other jobs did
 * meanwhile.  On a loaded machine a sampled call preempted for 4 ms stood
 * for ~32 calls: 128 ms to a function of 50 ns calls (helper-21's planted
 * runs: a sampled function read 0.41-0.82 of its exactly timed loop, or
 * several times its share).
 *
 * Cold code.  Seeing a switch costs the probes one load and a compare: the
 * thread's rseq area (registered by glibc 2.35+) gets a critical-section
 * descriptor for code that never runs; the kernel, returning to the thread
 * after it was switched out or got a signal, finds the thread outside that
 * section and clears the pointer (kernel/rseq.c: rseq_ip_fixup).  The next
 * timed probe sees it cleared and comes here: the thread's context switches
 * and CPU time since the last look (two system calls, ~1 us, once per
 * switch).  When every switch since then was involuntary, the wall time
 * the CPU time does not cover was waiting for a CPU.  A voluntary switch
 * (blocking in read, a mutex, sleep) keeps the wait in the times: that is
 * the program's own (docs/report.md).  A hypervisor's steal time is not
 * seen by the guest and stays in. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <time.h>

#include "rt.h"

/* The descriptor's address is what an armed thread's rseq_cs holds; only
 * its address matters where no kernel reads it (tests, no rseq). */
#if AP_RSEQ
#include <sys/rseq.h>
#define AP_STR_(x) #x
#define AP_STR(x) AP_STR_(x)
/* Code that never runs, and an abort handler after the signature the
 * kernel checks (glibc registered the thread with RSEQ_SIG). */
__asm__(".pushsection .text.unlikely,\"ax\",@progbits\n"
        ".globl ap_rseq_never\n.hidden ap_rseq_never\n"
        ".globl ap_rseq_abort\n.hidden ap_rseq_abort\n"
        "ap_rseq_never:\n\tud2\n"
        ".long " AP_STR(RSEQ_SIG) "\n"
                                  "ap_rseq_abort:\n\tud2\n"
                                  ".popsection\n");
extern const char ap_rseq_never[] AP_HIDDEN, ap_rseq_abort[] AP_HIDDEN;
_Static_assert(sizeof(struct rseq_cs) == 32 && offsetof(struct rseq_cs, start_ip) == 8 &&
                   offsetof(struct rseq_cs, post_commit_offset) == 16 &&
                   offsetof(struct rseq_cs, abort_ip) == 24,
               "struct rseq_cs as ap_rseq_desc's four words");
/* version 0, flags 0; [start_ip, start_ip + 1): the code that never runs */
const uint64_t ap_rseq_desc[4] __attribute__((aligned(32))) = {
    0, (uint64_t)(uintptr_t)ap_rseq_never, 1, (uint64_t)(uintptr_t)ap_rseq_abort};
#else
const uint64_t ap_rseq_desc[4] __attribute__((aligned(32))) = {0};
#endif

#ifdef AP_TEST_CLOCK
/* Tests play the kernel: they clear this and set the usage below. */
uint64_t ap_test_rseq_cs;
struct ap_test_usage ap_test_usage;
#endif

/* The thread's switches so far and its CPU time (ns); 0 when unknown. */
static int read_usage(uint64_t *cpu_ns, uint64_t *voluntary, uint64_t *involuntary) {
#ifdef AP_TEST_CLOCK
  *cpu_ns = ap_test_usage.cpu_ns;
  *voluntary = ap_test_usage.voluntary;
  *involuntary = ap_test_usage.involuntary;
  return 0;
#else
  struct rusage ru;
  struct timespec ts;
  if (getrusage(RUSAGE_THREAD, &ru) || clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
    return -1;
  *voluntary = (uint64_t)ru.ru_nvcsw;
  *involuntary = (uint64_t)ru.ru_nivcsw;
  /* getrusage's times lag up to a scheduler tick behind: the thread's CPU
   * clock is exact */
  *cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return 0;
#endif
}

/* Not watched: its rseq_cs is a word of its own that always reads armed. */
static void unwatched(struct ap_thread *t) {
  t->rseq_own = AP_RSEQ_ARMED;
  t->rseq_cs = &t->rseq_own;
}

/* A thread's first probe, a retired record taken over by a new thread, a
 * fork child: watch the calling thread from now on. */
void ap_cpu_wait_start(struct ap_thread *t) {
  unwatched(t);
  t->cw_quiet = 0;
  if (t->scratch || !ap_cfg.cpu_wait)
    return;
#ifdef AP_TEST_CLOCK
  t->rseq_cs = &ap_test_rseq_cs;
#elif AP_RSEQ
  if (__rseq_size < offsetof(struct rseq, rseq_cs) + 8)
    return; /* no rseq area (glibc.pthread.rseq=0, an older kernel) */
  struct rseq *rs = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
  t->rseq_cs = (uint64_t *)&rs->rseq_cs;
#else
  return;
#endif
  if (read_usage(&t->cw_cpu_ns, &t->cw_voluntary, &t->cw_involuntary)) {
    unwatched(t);
    return;
  }
  t->cw_ticks = ap_ticks();
  __atomic_store_n(t->rseq_cs, AP_RSEQ_ARMED, __ATOMIC_RELAXED);
}

/* The thread was switched out (or got a signal, or another rseq user
 * wrote the field) since the last look. */
void ap_cpu_wait_update(struct ap_thread *t) {
  __atomic_store_n(t->rseq_cs, AP_RSEQ_ARMED, __ATOMIC_RELAXED); /* a switch from here on: next */
  uint64_t cpu, vol, invol;
  if (read_usage(&cpu, &vol, &invol)) {
    unwatched(t);
    return;
  }
  uint64_t now = ap_ticks();
  if (invol > t->cw_involuntary && vol == t->cw_voluntary && cpu >= t->cw_cpu_ns &&
      now > t->cw_ticks) {
    uint64_t ran = ap_ns_to_ticks(cpu - t->cw_cpu_ns), wall = now - t->cw_ticks;
    if (wall > ran)
      t->cpu_wait += wall - ran;
  }
  /* Nothing switched: another user of the rseq area (a per-CPU allocator)
   * writes the field; after many such looks, stop paying them. */
  if (invol == t->cw_involuntary && vol == t->cw_voluntary) {
    if (++t->cw_quiet >= 64)
      unwatched(t);
  } else
    t->cw_quiet = 0;
  t->cw_ticks = now;
  t->cw_cpu_ns = cpu;
  t->cw_voluntary = vol;
  t->cw_involuntary = invol;
}
