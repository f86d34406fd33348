/* Internals of libautoprof shared by the hot file (probe.c) and the cold
 * files.  Nothing here is part of the public API. */
#ifndef AUTOPROF_RT_H
#define AUTOPROF_RT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "autoprof/abi.h"

#define AP_COLD __attribute__((noinline, cold))
#define AP_HIDDEN __attribute__((visibility("hidden")))
#define ap_likely(x) __builtin_expect(!!(x), 1)
#define ap_unlikely(x) __builtin_expect(!!(x), 0)

/* ---- clock ---- */
#if defined(AP_TEST_CLOCK)
/* Tests drive time by hand: the clock reads this global (1 tick = 1 ns). */
extern uint64_t ap_test_now;
static inline uint64_t ap_ticks(void) {
  return __atomic_load_n(&ap_test_now, __ATOMIC_RELAXED);
}
#define AP_CLOCK_SOURCE "test"
#elif defined(__x86_64__)
static inline uint64_t ap_ticks(void) {
  return __builtin_ia32_rdtsc();
}
#define AP_CLOCK_SOURCE "tsc"
#else
#include <time.h>
static inline uint64_t ap_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#define AP_CLOCK_SOURCE "monotonic"
#endif

/* The kernel's restartable-sequences area (glibc 2.35+ registers one per
 * thread): how the probes see that their thread was switched out
 * (cpuwait.c). */
#if defined(__x86_64__) && !defined(AP_TEST_CLOCK) && defined(__has_include)
#if __has_include(<sys/rseq.h>)
#define AP_RSEQ 1
#endif
#endif
#ifndef AP_RSEQ
#define AP_RSEQ 0
#endif
/* struct rseq_cs, as four words: what an armed thread's rseq_cs points to */
extern const uint64_t ap_rseq_desc[4] AP_HIDDEN;
#define AP_RSEQ_ARMED ((uint64_t)(uintptr_t)ap_rseq_desc)

/* ---- per-thread state ---- */

/* Per-slot counters of one thread.
 *
 * Adaptive timing: every call is counted, but a function whose calls prove
 * shorter than ap_cfg.sample_below_ns (window of AP_WINDOW timed calls) has
 * only about one call in `period` timed; the others skip both clock reads
 * (`skip` counts them down).  Times of such functions are estimates, scaled
 * per call-path node at exit (collect.c); sum_e and sum_e2 give their spread. */
struct ap_ctr {
  uint64_t calls;   /* activations, counted at enter: exact even if never closed */
  uint16_t skip;    /* calls left untimed before the next timed one */
  uint16_t period;  /* 0: every call timed; else one timed call in about `period` */
  uint8_t kids;     /* some timed activation called an instrumented function */
  uint8_t leaf;     /* sampled, and a static leaf or never seen calling an instrumented
                       function: its untimed calls need no frame (0: no; 1 + the runs of
                       inline calls begun in a row that took none, AP_RUNS_TRIED: no more
                       runs until the next decision) */
  uint16_t wnext;   /* the weight of its next timed call: the period its countdown was drawn
                       with, or 1 (0: 1) — what the estimate gives that call (collect.c) */
  uint64_t samples; /* timed activations closed */
  uint64_t sum_e;   /* raw elapsed ticks of those */
  double sum_e2;    /* and their squares: the spread of a sampled estimate */
  uint64_t win;     /* sum_e at the last window check */
  uint64_t sum_e_n; /* sum_e and sum_e2 of the timed calls on nested paths (AP_NODE_NESTED): */
  double sum_e2_n;  /* a recursive function's calls last by depth, their spread apart */
};
_Static_assert(sizeof(struct ap_ctr) == 64, "one cache line per function slot");

#define AP_WINDOW 32 /* timed calls between two decisions of a slot's period */
/* A static leaf whose runs (abi.h) end before a second call stops getting
 * them after this many in a row (struct ap_ctr.leaf), until its next
 * decision: a run that takes no call inline costs its start and its end
 * (a call at the next probe) on top of the frameless call — Lua's leaves,
 * called once between their callers' other probes. */
#define AP_RUNS_TRIED 4

/* The kinds of probe whose cost the calibration measures and the exit
 * takes out of the intervals that contain them. */
enum ap_probe_kind {
  AP_P_TIMED,     /* a timed call: enter + exit with two clock reads */
  AP_P_STIMED,    /* the same for a sampled function (its probes' branches mispredict) */
  AP_P_UNTIMED,   /* an untimed call with a frame: enter + exit */
  AP_P_FRAMELESS, /* an untimed call of a leaf: enter only */
  AP_P_LOOP,      /* a timed loop entry: start + end with two clock reads */
  AP_P_ULOOP,     /* an untimed entry of a timed loop: start + end */
  AP_P_ILOOP,     /* a loop record made inline by instrumented code (abi.h) */
  AP_P_ILEAF,     /* a static leaf's untimed call counted inline (abi.h) */
  AP_P_ILEAF_RUN, /* a run of such calls ended: its calls filed (ap_leaf_flush) */
  AP_P_CLOOP,     /* a loop record made by a call (__autoprof_loop, __autoprof_loop_nest) */
  AP_P_CSITE,     /* a loop-invariant call's evidence: __autoprof_call_begin + _call_site */
  AP_NPROBES
};
/* The kinds a loop slot's counters keep (struct ap_lctr: its size is the
 * ABI's stride); the loop records made by calls and the call-site probes
 * inside a timed loop's entries are kept beside them (struct ap_lnest). */
#define AP_NPROBES_LOOP AP_P_CLOOP
/* Timed calls with no instrumented callee before a sampled function's
 * untimed calls go frameless (__autoprof_enter_cond): a callee in fewer
 * than about 1 in this many calls could be missed (docs/report.md). */
#define AP_LEAF_AFTER 1024
#define AP_NCACHE 1024 /* per thread: call-path nodes found without a sibling scan */

/* Per-loop-slot counters of one thread.  Timed loops are sampled like
 * functions (adaptive timing): entries shorter than sample_below have about
 * one in `period` timed; counts stay exact. */
struct ap_lctr {
  /* struct ap_loop_counts (abi.h): instrumented code updates these inline */
  uint64_t entries;    /* entries that ran at least one iteration */
  uint64_t iterations; /* total over those entries */
  uint64_t min, max;   /* per entry; min 0 = none yet */
  uint64_t zero_trip;  /* entries that ran no iteration */
  uint16_t skip;       /* entries left untimed before the next timed one */
  /* the runtime's own */
  uint16_t period; /* 0: every entry timed */
  uint32_t pad;
  uint64_t ticks;                   /* ticks of timed entries, each times its weight (ap_lnest) */
  uint64_t probes[AP_NPROBES_LOOP]; /* probes inside its timed entries, by kind, times weight */
};
_Static_assert(sizeof(struct ap_lctr) == AP_LOOP_COUNTS_STRIDE, "abi.h: loop counter stride");

/* A timed loop's recursion bookkeeping, beside its counters (in the same
 * block, after them: ap_lnest_of).  A loop whose body calls instrumented
 * functions can be entered again before it exits (recursion: a quicksort's
 * partition loop calls the sort); that entry's time lies inside the outer
 * one's, so only the outermost entry is timed and sampled, and the nested
 * ones are counted as nested.  Such loops take every entry and exit through
 * the runtime (AP_LNEST_CALLS keeps the inline `skip` at 0), so that none
 * is missed. */
struct ap_lnest {
  uint32_t owner; /* shadow-stack depth at the outermost active entry's start, 0: none */
  uint16_t flags; /* AP_LNEST_CALLS */
  uint16_t skip;  /* the sampling countdown of such a loop (in place of the inline one) */
  uint16_t wnext; /* the weight of its next timed entry (struct ap_frame.w; 0: 1) */
  uint16_t pad[3];
  uint64_t nested; /* entries begun inside an active entry of the same loop */
  /* every timed loop's (struct ap_lctr keeps weighted ticks and probes): */
  uint64_t raw;    /* raw ticks of its timed entries (the sampling window's mean) */
  uint64_t wtimed; /* the sum of its timed entries' weights */
  uint64_t timed;  /* entries timed (struct ap_lctr's ticks covers these) */
  uint64_t win;    /* raw at the last window check */
  uint64_t cloop;  /* AP_P_CLOOP probes inside its timed entries, times weight */
  uint64_t csite;  /* AP_P_CSITE probes likewise */
};
#define AP_LNEST_CALLS 1 /* its timed entries were seen making instrumented calls */
_Static_assert(sizeof(struct ap_lnest) == 72, "docs/performance.md: 128 + 72 bytes per loop slot");
/* The bookkeeping of counters block C (slot 0's `iterations` holds its size). */
static inline struct ap_lnest *ap_lnest_of(struct ap_lctr *c) {
  return (struct ap_lnest *)(c + c[0].iterations);
}
_Static_assert(offsetof(struct ap_lctr, entries) == offsetof(struct ap_loop_counts, entries) &&
                   offsetof(struct ap_lctr, iterations) ==
                       offsetof(struct ap_loop_counts, iterations) &&
                   offsetof(struct ap_lctr, min) == offsetof(struct ap_loop_counts, min) &&
                   offsetof(struct ap_lctr, max) == offsetof(struct ap_loop_counts, max) &&
                   offsetof(struct ap_lctr, zero_trip) ==
                       offsetof(struct ap_loop_counts, zero_trip) &&
                   offsetof(struct ap_lctr, skip) == offsetof(struct ap_loop_counts, skip),
               "abi.h: struct ap_loop_counts is the head of struct ap_lctr");

/* A calling-context tree node: one per (parent node, slot) of one thread.
 * 88 bytes; children in a sibling list plus a last-used cache.  Its times
 * cover its timed activations: the raw ticks, and the probes that ran
 * inside them (timed and untimed pairs, timed loop entries), which the
 * calibrated costs take out at exit.  Exclusive time is derived there too
 * (inclusive less the children's), so it needs nothing per probe. */
struct ap_node {
  struct ap_node *parent;
  struct ap_node *kids; /* first child */
  struct ap_node *next; /* next sibling */
  struct ap_node *last; /* child used last: the probe's one-compare lookup */
  uint32_t slot;        /* 0 for a thread's root */
  uint32_t merged;      /* index in the merged tree (collect.c scratch) */
  uint64_t calls;
  uint64_t incl;               /* raw ticks of timed activations, each times its weight */
  uint64_t timed;              /* calls timed (the others: adaptive timing); the top bit:
                                  AP_NODE_NESTED (ap_node_timed reads the count) */
  uint64_t wtimed;             /* their weights' sum (struct ap_frame.w) */
  uint64_t probes[AP_NPROBES]; /* probes inside the timed activations, by kind, times weight */
};
_Static_assert(sizeof(struct ap_node) == 160, "docs: 160 bytes per call-path node");
/* A path with an ancestor of its own function (recursion), set when the
 * node is made: its timed calls' spread is kept apart (struct ap_ctr). */
#define AP_NODE_NESTED (1ull << 63)
static inline uint64_t ap_node_timed(const struct ap_node *n) {
  return n->timed & ~AP_NODE_NESTED;
}

/* One open activation on the shadow stack. */
struct ap_frame {
  struct ap_func_site *site; /* NULL for the root and overflow sentinels */
  struct ap_node *node;
  uint64_t start;              /* ticks at enter */
  uint64_t probes[AP_NPROBES]; /* the thread's probe counts when it opened (the
                                  difference at its end: the probes inside it) */
  uint32_t cont;               /* open continuations (AP_FUNC_PART) of this activation */
  uint8_t loop;                /* enum ap_frame_kind */
  uint8_t kids;                /* an instrumented function was called from it */
  /* A timed frame's weight: about how many calls (entries) its timing
   * stands for — the sampling period its countdown was drawn with, 1 when
   * every call is timed.  Adaptive timing switches a slot between the two
   * as its calls grow and shrink; the estimate weights each timed interval
   * so (a ratio of weighted sums, collect.c), where one scale for all of a
   * node's timed calls took a loop whose long entries were all timed for
   * 27 times their time. */
  uint16_t w;
};
_Static_assert(sizeof(struct ap_frame) == 120, "docs: 120 bytes per shadow-stack frame");

enum ap_frame_kind {
  AP_FRAME_TIMED = 0,   /* a function's, both clock reads */
  AP_FRAME_LOOP = 1,    /* a timed loop's; `site` is then its ap_loop_site */
  AP_FRAME_UNTIMED = 2, /* a function's, not timed (adaptive timing): no clock read */
};

/* A timed loop is a node of the call-path tree under its function, with a
 * slot of its own kind: its loop slot with this bit set. */
#define AP_LOOP_NODE 0x80000000u

/* struct ap_loop_stamp.pairs of a timed loop entry that began with no
 * thread record (its first probe, or the runtime disabled): counted at the
 * exit, not timed.  UINT64_MAX is an untimed entry (abi.h). */
#define AP_STAMP_NONE (UINT64_MAX - 1)
/* ... of an untimed entry the runtime tracks (a loop that makes calls: its
 * exit must reach the runtime, not the inline record); `depth` is 1 when
 * the entry is the outermost active one. */
#define AP_STAMP_TRACKED (UINT64_MAX - 2)

struct ap_chunk;      /* node pool chunk (thread.c) */
struct ap_memo_state; /* memo.c */
struct ap_cs_ctr;     /* callsite.c */

struct ap_thread {
  /* hot: read by every probe */
  uint32_t depth;  /* frames on the stack, root sentinel included (>= 1) */
  uint32_t limit;  /* the fast path pushes while depth <= limit: max_depth, or 0 while a
                      split part's call is pending (part) or a run is open (run): one test */
  uint32_t nslots; /* ctr[] has nslots entries; slot 0 unused */
  uint32_t lost;   /* activations above the overflow sentinel */
  struct ap_ctr *ctr;
  uint32_t nloops; /* lctr[] has nloops entries; loop slot 0 unused */
  uint32_t run;    /* a run of inline leaf calls is open (abi.h): limit is 0 meanwhile, so the
                      entry probe's one test sees it; the exit probe tests this */
  struct ap_lctr *lctr;
  struct ap_lnest *lnest;      /* ap_lnest_of(lctr) */
  uint64_t probes[AP_NPROBES]; /* probes run so far, by kind (probe compensation) */
  uint32_t part;  /* slot whose split part's next entry continues its activation, or 0 */
  uint32_t nmemo; /* memo[] has nmemo entries, by function slot */
  struct ap_memo_state **memo; /* memo candidates' evidence (memo.c), NULL until used */
  uint32_t ncs;                /* cs[] has ncs entries, by call-site slot */
  uint32_t pad3;
  struct ap_cs_ctr *cs; /* loop-invariant call evidence (callsite.c) */
  /* read by the timed probes (ap_now) */
  uint64_t *rseq_cs; /* the thread's rseq_cs word, or rseq_own: reads AP_RSEQ_ARMED until the
                        thread is switched out (cpuwait.c) */
  uint64_t cpu_wait; /* ticks this thread waited for a CPU so far: off its clock */
  /* cold */
  uint64_t rseq_own;                     /* an unwatched thread's rseq_cs */
  uint64_t cw_ticks, cw_cpu_ns;          /* at the last look: TSC, CPU time */
  uint64_t cw_voluntary, cw_involuntary; /* context switches so far */
  uint64_t cw_base;  /* cpu_wait at a fork: the child reports what it waited since */
  uint32_t cw_quiet; /* looks in a row that found no switch (another rseq user) */
  uint32_t pad4;
  struct ap_thread *next;         /* global list, newest first */
  struct ap_thread *retired_next; /* the records of ended threads, free for new ones */
  uint32_t served;                /* threads whose data this record holds, one after another */
  uint32_t index;
  uint32_t max_depth;    /* frames the stack holds (AUTOPROF_MAX_DEPTH) */
  uint32_t scratch;      /* calibration record, not the user's */
  uint64_t sample_below; /* ticks: a slot whose timed calls are shorter gets sampled; 0 never */
  uint32_t rng;          /* xorshift state: the distance to the next timed call */
  uint32_t period;       /* ap_cfg.sample_period */
  uint64_t tid;
  uint64_t lost_total; /* activations never timed (beyond max depth) */
  uint64_t folded;     /* activations folded into the parent node (node cap) */
  uint32_t nnodes, node_cap;
  struct ap_chunk *chunks;
  struct ap_node **ncache; /* AP_NCACHE nodes by hash of (parent, slot): the miss path */
  struct ap_node root;
  struct ap_frame stack[]; /* limit + 2 frames: root sentinel, frames, overflow sentinel */
};

/* cpuwait.c: a thread's clock less the time it waited for a CPU */
void ap_cpu_wait_start(struct ap_thread *t) AP_HIDDEN;
void ap_cpu_wait_update(struct ap_thread *t) AP_HIDDEN;
#ifdef AP_TEST_CLOCK
extern uint64_t ap_test_rseq_cs; /* tests clear it: "the thread was switched out" */
struct ap_test_usage {
  uint64_t cpu_ns, voluntary, involuntary;
};
extern struct ap_test_usage ap_test_usage;
#endif

/* Nothing switched the thread out since the last look (cpuwait.c). */
static inline int ap_cpu_wait_quiet(const struct ap_thread *t) {
  return __atomic_load_n(t->rseq_cs, __ATOMIC_RELAXED) == AP_RSEQ_ARMED;
}

/* The clock of the timed intervals: the TSC less what the thread waited
 * for a CPU (cpuwait.c); one load and a compare while nothing switched. */
static inline uint64_t ap_now(struct ap_thread *t) {
  if (ap_unlikely(!ap_cpu_wait_quiet(t)))
    ap_cpu_wait_update(t);
  return ap_ticks() - t->cpu_wait;
}

/* probe.c: a timed frame's clock read (its start), out of line and called
 * last: ap_now may call, and a call on the entry probe's path gave it a
 * frame (registers saved on every call, timed or not) */
int ap_timed_start(struct ap_thread *t, struct ap_frame *f) AP_HIDDEN __attribute__((noinline));

/* ---- settings (flags.c, one table in flags.def) ---- */
enum ap_flag_type { AP_T_BOOL, AP_T_UINT, AP_T_STRING, AP_T_FORMATS, AP_T_SHARE };
struct ap_settings {
#define AP_FLAG(type, field, env, def, help) AP_FIELD_##type field;
#define AP_FIELD_AP_T_BOOL int
#define AP_FIELD_AP_T_UINT uint64_t
#define AP_FIELD_AP_T_STRING const char *
#define AP_FIELD_AP_T_FORMATS uint32_t
#define AP_FIELD_AP_T_SHARE double
#include "flags.def"
#undef AP_FLAG
};
extern struct ap_settings ap_cfg AP_HIDDEN;
void ap_settings_from_env(void) AP_HIDDEN;                         /* built-in, then environment */
void ap_settings_from_module(const struct ap_module *m) AP_HIDDEN; /* policy, below env */

/* ---- global state ---- */
extern int ap_disabled AP_HIDDEN;         /* AUTOPROF_DISABLE: probes do nothing */
extern uint32_t ap_nslots AP_HIDDEN;      /* slots handed out so far (atomic) */
extern pthread_mutex_t ap_lock AP_HIDDEN; /* registry, thread list, report */
extern struct ap_thread *ap_threads AP_HIDDEN;
extern struct ap_node ap_no_node AP_HIDDEN; /* slot 0: a `last` that never matches */
extern __thread struct ap_thread *ap_tls __attribute__((tls_model("initial-exec"))) AP_HIDDEN;

/* thread.c: the probes' slow paths */
int ap_enter_slow(struct ap_func_site *site) AP_HIDDEN; /* 1: the exit probe must run */
void ap_exit_slow(struct ap_thread *t, struct ap_func_site *site, uint64_t now) AP_HIDDEN;
/* enter whose parent node's last-used child is another function */
int ap_enter_miss(struct ap_thread *t, struct ap_func_site *site, uint32_t slot,
                  int cond) AP_HIDDEN;
/* a loop probe that cannot use the fast path (no record, unregistered, new slot) */
void ap_loop_slow(struct ap_loop_site *site, uint64_t iterations, uint64_t ticks,
                  uint64_t pairs) AP_HIDDEN;
/* the counters of SITE in the calling thread, or NULL (slow path of the loop probes) */
struct ap_lctr *ap_loop_counters(struct ap_loop_site *site) AP_HIDDEN;
/* a timed loop's start: opens its frame when it can; returns the depth, or 0 */
uint32_t ap_loop_open(struct ap_thread *t, struct ap_loop_site *site) AP_HIDDEN;
struct ap_node *ap_node_child(struct ap_thread *t, struct ap_node *parent, uint32_t slot) AP_HIDDEN;
struct ap_thread *ap_thread_new(int scratch) AP_HIDDEN;
void ap_thread_free(struct ap_thread *t) AP_HIDDEN; /* scratch records only */
void ap_thread_close_all(struct ap_thread *t, uint64_t now) AP_HIDDEN;
/* A thread's end (its frames closed): its record, data kept, serves the
 * next thread that starts (thread.c) */
void ap_thread_retire(struct ap_thread *t) AP_HIDDEN;
/* points the inline loop records (__autoprof_loop_tls) at t's counters */
void ap_publish_loops(struct ap_thread *t) AP_HIDDEN;
/* Ends the current run of leaf calls taken inline (abi.h): its calls
 * filed under the path on top of t's stack, its countdown back in its slot. */
void ap_leaf_flush(struct ap_thread *t) AP_HIDDEN;

/* register.c */
void ap_init(void) AP_HIDDEN; /* once: settings, clock start, atexit, fork and key handlers */
int ap_stderr_is_ours(void) AP_HIDDEN; /* descriptor 2 is still the file it was at the start */
void ap_thread_attach(struct ap_thread *t) AP_HIDDEN;           /* thread-exit destructor */
uint32_t ap_register_site(struct ap_func_site *site) AP_HIDDEN; /* under ap_lock */
struct ap_slot_info {
  const char *name, *file;
  uint32_t line, flags;
  uint32_t pointer_args; /* a memo candidate body takes a pointer (fingerprinted by address) */
  const char **symbols;
  uint32_t nsymbols;
};
extern struct ap_slot_info *ap_slots AP_HIDDEN;                 /* [1, ap_nslots] */
uint32_t ap_register_loop(struct ap_loop_site *site) AP_HIDDEN; /* under ap_lock */
struct ap_loop_slot_info {
  const char *file, *function, *origin;
  uint32_t line, depth, flags;
  uint32_t parent; /* loop slot of the enclosing loop, 0 if none */
};
extern uint32_t ap_nloop_slots AP_HIDDEN;
extern struct ap_loop_slot_info *ap_loop_slots AP_HIDDEN; /* [1, ap_nloop_slots] */
extern const struct ap_module *ap_first_module AP_HIDDEN; /* a copy of the first one's */
/* A runtime-owned copy of S, one per distinct string (under ap_lock). */
const char *ap_intern(const char *s) AP_HIDDEN;
extern int ap_policy_mixed AP_HIDDEN;
/* the compilers of the registered modules, each once, interned */
#define AP_MAX_COMPILERS 8
extern const char *ap_compilers[AP_MAX_COMPILERS] AP_HIDDEN;
extern unsigned ap_ncompilers AP_HIDDEN;

/* callsite.c */
extern uint32_t ap_ncallsites AP_HIDDEN;
extern struct ap_call_site *ap_callsites AP_HIDDEN;
void ap_call_site_totals(uint32_t slot, uint64_t *calls, uint64_t *same_args, uint64_t *same_both,
                         uint64_t *sampled, uint64_t *sampled_ticks) AP_HIDDEN;

/* clock.c */
struct ap_calibration {
  double ticks_per_ns;
  double self_ticks;         /* own probes' part inside a frame's measured interval */
  double pair_ticks;         /* what a child's enter+exit adds to its parent's interval */
  double call_ticks;         /* one real non-inlined call + return */
  double untimed_pair_ticks; /* what an untimed child's enter+exit adds (adaptive timing) */
  double loop_pair_ticks;    /* what a timed loop entry's start+end probes add around it */
  double frameless_ticks;    /* what a frameless call's entry probe adds (no exit probe) */
  double untimed_loop_ticks; /* what an untimed entry of a timed loop adds */
  double sampled_self_ticks; /* self_ticks for a timed call of a sampled function */
  double sampled_pair_ticks; /* pair_ticks for a timed call of a sampled function */
  double inline_loop_ticks;  /* what a loop record made inline adds */
  double loop_self_ticks;    /* a timed loop entry's own probes inside its measured interval */
  double inline_leaf_ticks;  /* what a static leaf's untimed call counted inline adds */
  double leaf_run_ticks;     /* what one more run of such calls adds (begun, then filed) */
  double call_loop_ticks;    /* what a loop record made by a call adds */
  double call_site_ticks;    /* what a loop-invariant call's two call-site probes add */
};
void ap_clock_start(void) AP_HIDDEN;
void ap_clock_restart(void) AP_HIDDEN;            /* a fork child's: wall time from now */
void ap_fork_reset(void) AP_HIDDEN;               /* a fork child: counts from zero (thread.c) */
void ap_cs_reset(struct ap_thread *t) AP_HIDDEN;  /* callsite.c */
int ap_cs_scratch(struct ap_thread *t) AP_HIDDEN; /* the calibration's call site: slot 1 */
uint64_t ap_ns_to_ticks(uint64_t ns) AP_HIDDEN;   /* rough: the ratio of the first 50 us */
uint64_t ap_clock_wall_ns(void) AP_HIDDEN;        /* since ap_clock_start */
void ap_calibrate(struct ap_calibration *c) AP_HIDDEN;
#ifdef AP_TEST_CLOCK
extern struct ap_calibration ap_test_calibration;
#endif

/* collect.c */
int ap_finish_report(void) AP_HIDDEN; /* 0 written, -1 failed (said on stderr), 1 nothing to do */
extern int ap_finished AP_HIDDEN;

/* ---- frame push/pop: inlined into the probes and used by the slow paths ---- */

/* The node cache's entry for (parent, slot). */
static inline struct ap_node **ap_ncache_entry(struct ap_thread *t, struct ap_node *parent,
                                               uint32_t slot) {
  uintptr_t h = ((uintptr_t)parent >> 3) * 0x9E3779B97F4A7C15ull + slot * 0xC2B2AE3Du;
  return &t->ncache[(h >> 20) & (AP_NCACHE - 1)];
}

/* PARENT's child for SLOT if the node cache has it (it then becomes the
 * parent's last-used child), else NULL. */
static inline struct ap_node *ap_ncache_find(struct ap_thread *t, struct ap_node *parent,
                                             uint32_t slot) {
  struct ap_node *n = *ap_ncache_entry(t, parent, slot);
  if (!n || n->parent != parent || n->slot != slot)
    return NULL;
  parent->last = n;
  return n;
}

/* The distance to the next timed call of a sampled slot: uniform in
 * [0, 2 * period - 2] (mean period - 1), so no calling pattern can line up
 * with the sampling and always time the same path. */
static inline uint16_t ap_next_skip(struct ap_thread *t, uint32_t period) {
  uint32_t x = t->rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  t->rng = x;
  return (uint16_t)(((uint64_t)x * (2 * period - 1)) >> 32);
}

/* Every AP_WINDOW timed calls: sample the slot's time when those calls
 * were short on average, time every call again when they were not. */
static inline void ap_decide(struct ap_thread *t, struct ap_ctr *c, uint32_t static_leaf) {
  uint64_t mean = (c->sum_e - c->win) / AP_WINDOW;
  c->win = c->sum_e;
  c->period = (uint16_t)(mean < t->sample_below ? t->period : 0);
  if (!c->period) {
    c->skip = 0;
    c->wnext = 1;
  }
  c->leaf = c->period && (static_leaf || (!c->kids && c->samples >= AP_LEAF_AFTER));
}

/* No run of inline leaf calls (abi.h) in this thread's exported block. */
static inline void ap_leaf_clear(void) {
  __autoprof_loop_tls.leaf_slot = 0;
  __autoprof_loop_tls.leaf_left = __autoprof_loop_tls.leaf_start = 0;
}

/* A run of leaf calls taken inline (abi.h) ends at the next probe that
 * opens or closes a frame: one test on those paths. */
static inline void ap_leaf_sync(struct ap_thread *t) {
  if (ap_unlikely(t->run))
    ap_leaf_flush(t);
}

/* The inline loop records (abi.h) are counted in the exported TLS, which
 * instrumented code reaches; timed frames read it when they open and close. */
static inline void ap_sync_inline(struct ap_thread *t) {
  t->probes[AP_P_ILOOP] = __autoprof_loop_tls.inline_records;
}

/* Notes the thread's probe counters in frame f when it opens. */
static inline void ap_mark(struct ap_thread *t, struct ap_frame *f) {
  ap_sync_inline(t);
  for (int k = 0; k < AP_NPROBES; k++)
    f->probes[k] = t->probes[k];
}

/* The probes that ran inside frame f so far, by kind, in IN: 0 when none
 * did (a timed leaf call, a loop of no calls: most timed intervals), and
 * the caller adds nothing. */
static inline int ap_probes_inside(struct ap_thread *t, const struct ap_frame *f,
                                   uint64_t in[AP_NPROBES]) {
  ap_sync_inline(t);
  uint64_t any = 0;
  for (int k = 0; k < AP_NPROBES; k++)
    any |= in[k] = t->probes[k] - f->probes[k];
  return any != 0;
}

/* Frame d is the thread's now: the depth goes up before the frame is
 * filled in, so a signal handler whose instrumented code runs in between
 * pushes its frames above it, not over it (a handler that overwrote a frame
 * about to be published left a wrong frame open for the rest of the run). */
static inline void ap_reserve(struct ap_thread *t, uint32_t d) {
  t->depth = d + 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Opens frame d (a timed loop's, weight W) on node n; the clock was read by
 * the caller. */
static inline void ap_open_frame(struct ap_thread *t, uint32_t d, void *site, uint64_t now,
                                 struct ap_node *n, uint32_t kind, uint16_t w) {
  struct ap_frame *f = &t->stack[d];
  n->calls++;
  n->timed++;
  n->wtimed += w;
  ap_reserve(t, d);
  f->node = n;
  f->w = w;
  f->site = (struct ap_func_site *)site;
  f->start = now;
  f->cont = 0;
  f->loop = (uint8_t)kind;
  f->kids = 0;
  ap_mark(t, f);
}

/* Counts a call of `site` on node n (after the node lookup) and opens its
 * frame d: untimed while the slot's countdown runs, else timed with the
 * clock read last, so the bookkeeping is not inside the interval.  With
 * COND (the caller skips the exit probe on 0), an untimed call of a slot
 * known as a leaf opens no frame at all and returns 0. */
static inline __attribute__((always_inline)) int ap_push_node(struct ap_thread *t, uint32_t d,
                                                              struct ap_func_site *site,
                                                              uint32_t slot, struct ap_node *n,
                                                              int cond) {
  struct ap_ctr *c = &t->ctr[slot];
  struct ap_frame *f = &t->stack[d];
  c->calls++;
  n->calls++;
  f[-1].kids = 1;
  if (c->skip) {
    c->skip--;
    if (cond && c->leaf) {
      t->probes[AP_P_FRAMELESS]++;
      if ((site->flags & AP_FUNC_LEAF) && c->skip && c->leaf < AP_RUNS_TRIED) {
        /* a static leaf: its next calls from this frame count inline (abi.h) */
        struct ap_loop_tls *l = &__autoprof_loop_tls;
        l->leaf_slot = slot;
        l->leaf_left = l->leaf_start = c->skip;
        t->run = 1;
        t->limit = 0;
      }
      return 0;
    }
    t->probes[AP_P_UNTIMED]++;
    ap_reserve(t, d);
    f->node = n;
    f->site = site;
    f->cont = 0;
    f->loop = AP_FRAME_UNTIMED;
    return 1;
  }
  t->probes[c->period ? AP_P_STIMED : AP_P_TIMED]++;
  n->timed++;
  ap_reserve(t, d);
  f->node = n;
  f->w = c->wnext | !c->wnext;
  n->wtimed += f->w;
  f->site = site;
  f->cont = 0;
  f->loop = AP_FRAME_TIMED;
  f->kids = 0;
  ap_mark(t, f);
  return ap_timed_start(t, f);
}

/* Opens a frame for `site` (slot registered, below the depth limit). */
static inline int ap_push(struct ap_thread *t, struct ap_func_site *site, uint32_t slot, int cond) {
  uint32_t d = t->depth;
  struct ap_node *pn = t->stack[d - 1].node, *n = pn->last;
  if (ap_unlikely(n->slot != slot))
    n = ap_node_child(t, pn, slot);
  return ap_push_node(t, d, site, slot, n, cond);
}

/* The elapsed ticks of frame f closing at `now`, added with the probes
 * that ran inside it to its call-tree node.  Function and loop frames.
 * IN, ANY: those probes, from ap_probes_inside (a loop's exit needs them
 * for its slot too; none inside, most timed loop entries, adds nothing),
 * or IN NULL: taken here (a function's frame, where probes inside are the
 * rule: the test costs more than it saves, +4.5 % instructions on
 * bench/callcost's calls). */
static inline uint64_t ap_close_node_in(struct ap_thread *t, struct ap_frame *f, uint64_t now,
                                        const uint64_t *in, int any) {
  int64_t e = (int64_t)(now - f->start);
  /* TSC skew between cores after a migration could make it negative */
  uint64_t el = e < 0 ? 0 : (uint64_t)e;
  struct ap_node *n = f->node;
  uint64_t w = f->w | !f->w;
  /* a frame folded into its parent's node (node cap) adds nothing there:
   * the parent's own frame covers it; and it was no timed call of that
   * node (counted when it opened, on the hot path: taken back here) — the
   * node's timed calls past its calls read as none timed, and its estimate
   * and the probe time taken out were lost (m4 with 1.5 M folded calls:
   * 0 ns taken out) */
  if (ap_likely(n != f[-1].node)) {
    n->incl += el * w;
    if (!in) {
      ap_sync_inline(t);
      for (int k = 0; k < AP_NPROBES; k++)
        n->probes[k] += (t->probes[k] - f->probes[k]) * w;
    } else if (any) {
      for (int k = 0; k < AP_NPROBES; k++)
        n->probes[k] += in[k] * w;
    }
  } else {
    n->timed--;
    n->wtimed -= w;
  }
  return el;
}

static inline uint64_t ap_close_node(struct ap_thread *t, struct ap_frame *f, uint64_t now) {
  return ap_close_node_in(t, f, now, NULL, 0);
}

/* Closes the top frame (a timed one, of `site`) at `now`.  Raw ticks only:
 * the probe cost is known at exit (calibration) and subtracted then
 * (collect.c). */
static inline void ap_pop(struct ap_thread *t, uint64_t now, const struct ap_func_site *site) {
  uint32_t d = t->depth - 1;
  uint64_t e = ap_close_node(t, &t->stack[d], now);
  struct ap_ctr *c = &t->ctr[site->slot];
  c->kids |= (uint8_t)t->stack[d].kids;
  c->sum_e += e;
  c->sum_e2 += (double)e * (double)e;
  if (t->stack[d].node->timed & AP_NODE_NESTED) {
    c->sum_e_n += e;
    c->sum_e2_n += (double)e * (double)e;
  }
  c->wnext = c->period | !c->period;
  if (c->period)
    c->skip = ap_next_skip(t, c->period);
  if ((++c->samples & (AP_WINDOW - 1)) == 0)
    ap_decide(t, c, site->flags & AP_FUNC_LEAF);
  t->depth = d;
}

/* Closes the top frame, a timed loop's, with the probes inside it (IN,
 * ANY: ap_probes_inside): calls made inside it were calls of its function
 * (which is then no leaf). */
static inline void ap_pop_loop_in(struct ap_thread *t, uint64_t now, const uint64_t *in, int any) {
  uint32_t d = t->depth - 1;
  ap_close_node_in(t, &t->stack[d], now, in, any);
  t->stack[d - 1].kids |= t->stack[d].kids;
  t->depth = d;
}

static inline void ap_pop_loop(struct ap_thread *t, uint64_t now) {
  uint64_t in[AP_NPROBES];
  int any = ap_probes_inside(t, &t->stack[t->depth - 1], in);
  ap_pop_loop_in(t, now, in, any);
}

/* Closes the top frame, whatever it is (unwinding). */
static inline void ap_pop_any(struct ap_thread *t, uint64_t now) {
  struct ap_frame *f = &t->stack[t->depth - 1];
  if (f->loop == AP_FRAME_LOOP)
    ap_pop_loop(t, now);
  else if (f->loop == AP_FRAME_UNTIMED)
    t->depth--;
  else
    ap_pop(t, now, f->site);
}

/* Adds a nest's worth of an inner loop's counts (__autoprof_loop_nest). */
static inline void ap_loop_add(struct ap_lctr *c, uint64_t entries, uint64_t iterations,
                               uint64_t min_minus_1, uint64_t max, uint64_t zero_trip) {
  c->zero_trip += zero_trip;
  if (!entries)
    return;
  c->entries += entries;
  c->iterations += iterations;
  if (min_minus_1 + 1 < c->min || !c->min)
    c->min = min_minus_1 + 1;
  if (max > c->max)
    c->max = max;
}

/* The record instrumented code makes inline at an untimed loop exit (abi.h),
 * in C: the calibration measures this copy of it. */
static inline void ap_loop_record_inline(struct ap_loop_site *site, uint64_t n) {
  struct ap_loop_tls *l = &__autoprof_loop_tls;
  uint32_t s = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  if (ap_likely(s - 1 < l->lim)) {
    struct ap_loop_counts *c =
        (struct ap_loop_counts *)(void *)(l->counters + (uint64_t)s * AP_LOOP_COUNTS_STRIDE);
    uint64_t m = c->min - 1;
    c->entries += n != 0;
    c->iterations += n;
    c->zero_trip += n == 0;
    c->min = (n - 1 < m ? n - 1 : m) + 1;
    c->max = n > c->max ? n : c->max;
    l->inline_records++;
  } else {
    __autoprof_loop(site, n);
  }
}

/* A static leaf's entry as instrumented code makes it (abi.h, "Inline
 * leaf calls"), in C: the calibration measures this copy of it.  Returns
 * the token the exit probes test. */
static inline int ap_leaf_enter_inline(struct ap_func_site *site) {
  struct ap_loop_tls *l = &__autoprof_loop_tls;
  if (ap_likely(l->leaf_slot == __atomic_load_n(&site->slot, __ATOMIC_RELAXED) && l->leaf_left)) {
    l->leaf_left--;
    return 0;
  }
  return __autoprof_enter_cond(site);
}

/* Adds one loop entry's iterations to a thread's counters. */
static inline void ap_loop_count(struct ap_lctr *c, uint64_t n) {
  if (ap_unlikely(n == 0)) {
    c->zero_trip++;
    return;
  }
  c->entries++;
  c->iterations += n;
  if (n < c->min || !c->min)
    c->min = n;
  if (n > c->max)
    c->max = n;
}

#endif /* AUTOPROF_RT_H */
