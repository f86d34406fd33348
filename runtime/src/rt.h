/* Internals of libautoprof shared by the hot file (probe.c) and the cold
 * files.  Nothing here is part of the public API. */
#ifndef AUTOPROF_RT_H
#define AUTOPROF_RT_H

#include <pthread.h>
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

/* ---- per-thread state ---- */

/* Per-slot counters of one thread. */
struct ap_ctr {
  uint64_t calls;  /* activations, counted at enter: exact even if never closed */
  uint64_t incl;   /* raw ticks of outermost activations */
  uint64_t excl;   /* raw ticks of own bodies */
  uint32_t active; /* open activations: recursion depth of this slot */
  uint32_t pad;
};

/* Per-loop-slot counters of one thread. */
struct ap_lctr {
  uint64_t entries;    /* entries that ran at least one iteration */
  uint64_t iterations; /* total over those entries */
  uint64_t min, max;   /* per entry; min 0 = none yet */
  uint64_t ticks;      /* raw ticks of timed entries */
  uint64_t pairs;      /* probe pairs that ran inside timed entries */
  uint64_t zero_trip;  /* entries left before the first iteration (-O0 code only) */
};

/* A calling-context tree node: one per (parent node, slot) of one thread.
 * One cache line; children in a sibling list plus a last-used cache. */
struct ap_node {
  struct ap_node *parent;
  struct ap_node *kids; /* first child */
  struct ap_node *next; /* next sibling */
  struct ap_node *last; /* child used last: the probe's one-compare lookup */
  uint32_t slot;        /* 0 for a thread's root */
  uint32_t merged;      /* index in the merged tree (collect.c scratch) */
  uint64_t calls;
  uint64_t incl; /* raw ticks */
  uint64_t excl; /* raw ticks */
};

/* One open activation on the shadow stack. */
struct ap_frame {
  struct ap_func_site *site; /* NULL for the root and overflow sentinels */
  struct ap_node *node;
  uint64_t start; /* ticks at enter */
  uint64_t child; /* raw ticks of closed direct children */
  uint32_t cont;  /* open continuations (AP_FUNC_PART) of this activation */
  uint32_t loop;  /* 1: a timed loop's frame; `site` is then its ap_loop_site */
};

/* A timed loop is a node of the call-path tree under its function, with a
 * slot of its own kind: its loop slot with this bit set. */
#define AP_LOOP_NODE 0x80000000u

struct ap_chunk;      /* node pool chunk (thread.c) */
struct ap_memo_state; /* memo.c */
struct ap_cs_ctr;     /* callsite.c */

struct ap_thread {
  /* hot: read by every probe */
  uint32_t depth;  /* frames on the stack, root sentinel included (>= 1) */
  uint32_t limit;  /* the fast path pushes while depth <= limit (= max depth) */
  uint32_t nslots; /* ctr[] has nslots entries; slot 0 unused */
  uint32_t lost;   /* activations above the overflow sentinel */
  struct ap_ctr *ctr;
  uint32_t nloops; /* lctr[] has nloops entries; loop slot 0 unused */
  uint32_t pad;
  struct ap_lctr *lctr;
  uint64_t pairs; /* frames opened so far: timed loops take out their probes */
  uint32_t nmemo; /* memo[] has nmemo entries, by function slot */
  uint32_t pad2;
  struct ap_memo_state **memo; /* memo candidates' evidence (memo.c), NULL until used */
  uint32_t ncs;                /* cs[] has ncs entries, by call-site slot */
  uint32_t pad3;
  struct ap_cs_ctr *cs; /* loop-invariant call evidence (callsite.c) */
  /* cold */
  struct ap_thread *next; /* global list, newest first */
  uint32_t index;
  uint32_t scratch; /* calibration record, not the user's */
  uint64_t tid;
  uint64_t lost_total; /* activations never timed (beyond max depth) */
  uint64_t folded;     /* activations folded into the parent node (node cap) */
  uint32_t nnodes, node_cap;
  struct ap_chunk *chunks;
  struct ap_node root;
  struct ap_frame stack[]; /* limit + 2 frames: root sentinel, frames, overflow sentinel */
};

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
void ap_enter_slow(struct ap_func_site *site, uint64_t now) AP_HIDDEN;
void ap_exit_slow(struct ap_thread *t, struct ap_func_site *site, uint64_t now) AP_HIDDEN;
/* enter whose parent node's last-used child is another function */
void ap_enter_miss(struct ap_thread *t, struct ap_func_site *site, uint32_t slot,
                   uint64_t now) AP_HIDDEN;
/* a loop probe that cannot use the fast path (no record, unregistered, new slot) */
void ap_loop_slow(struct ap_loop_site *site, uint64_t iterations, uint64_t ticks,
                  uint64_t pairs) AP_HIDDEN;
/* the counters of SITE in the calling thread, or NULL (slow path of the loop probes) */
struct ap_lctr *ap_loop_counters(struct ap_loop_site *site) AP_HIDDEN;
/* a timed loop's start: opens its frame when it can; returns the depth, or 0 */
uint32_t ap_loop_open(struct ap_thread *t, struct ap_loop_site *site, uint64_t now) AP_HIDDEN;
struct ap_node *ap_node_child(struct ap_thread *t, struct ap_node *parent, uint32_t slot) AP_HIDDEN;
struct ap_thread *ap_thread_new(int scratch) AP_HIDDEN;
void ap_thread_free(struct ap_thread *t) AP_HIDDEN; /* scratch records only */
void ap_thread_close_all(struct ap_thread *t, uint64_t now) AP_HIDDEN;

/* register.c */
void ap_init(void) AP_HIDDEN; /* once: settings, clock start, atexit, fork and key handlers */
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
extern const struct ap_module *ap_first_module AP_HIDDEN;
extern int ap_policy_mixed AP_HIDDEN;

/* callsite.c */
extern uint32_t ap_ncallsites AP_HIDDEN;
extern struct ap_call_site **ap_callsites AP_HIDDEN;
void ap_call_site_totals(uint32_t slot, uint64_t *calls, uint64_t *same_args, uint64_t *same_both,
                         uint64_t *sampled, uint64_t *sampled_ticks) AP_HIDDEN;

/* clock.c */
struct ap_calibration {
  double ticks_per_ns;
  double self_ticks; /* own probes' part inside a frame's measured interval */
  double pair_ticks; /* what a child's enter+exit adds to its parent's interval */
  double call_ticks; /* one real non-inlined call + return */
};
void ap_clock_start(void) AP_HIDDEN;
uint64_t ap_clock_wall_ns(void) AP_HIDDEN; /* since ap_clock_start */
void ap_calibrate(struct ap_calibration *c) AP_HIDDEN;
#ifdef AP_TEST_CLOCK
extern struct ap_calibration ap_test_calibration;
#endif

/* collect.c */
int ap_finish_report(void) AP_HIDDEN; /* 0 written, -1 failed (said on stderr), 1 nothing to do */
extern int ap_finished AP_HIDDEN;

/* ---- frame push/pop: inlined into the probes and used by the slow paths ---- */

static inline void ap_push_node(struct ap_thread *t, uint32_t d, struct ap_func_site *site,
                                uint32_t slot, uint64_t now, struct ap_node *n);

/* Opens a frame for `site` (slot registered, below the depth limit). */
static inline void ap_push(struct ap_thread *t, struct ap_func_site *site, uint32_t slot,
                           uint64_t now) {
  uint32_t d = t->depth;
  struct ap_frame *f = &t->stack[d];
  struct ap_node *pn = f[-1].node, *n = pn->last;
  if (ap_unlikely(n->slot != slot))
    n = ap_node_child(t, pn, slot);
  ap_push_node(t, d, site, slot, now, n);
}

/* Opens frame d (a function's, or with loop = 1 a timed loop's) on node n. */
static inline void ap_open_frame(struct ap_thread *t, uint32_t d, void *site, uint64_t now,
                                 struct ap_node *n, uint32_t loop) {
  struct ap_frame *f = &t->stack[d];
  n->calls++;
  f->site = (struct ap_func_site *)site;
  f->node = n;
  f->start = now;
  f->child = 0;
  f->cont = 0;
  f->loop = loop;
  t->depth = d + 1;
}

/* The part of ap_push after the node lookup: frame d is the new one. */
static inline void ap_push_node(struct ap_thread *t, uint32_t d, struct ap_func_site *site,
                                uint32_t slot, uint64_t now, struct ap_node *n) {
  struct ap_ctr *c = &t->ctr[slot];
  c->calls++;
  c->active++;
  t->pairs++;
  ap_open_frame(t, d, site, now, n, 0);
}

/* The elapsed (e) and own (x) ticks of frame f closing at `now`, added to
 * its call-tree node.  Shared by function and loop frames. */
static inline void ap_close_node(struct ap_frame *f, uint64_t now, uint64_t *e_out,
                                 uint64_t *x_out) {
  int64_t e = (int64_t)(now - f->start);
  int64_t x = e - (int64_t)f->child;
  /* TSC skew between cores after a migration could make these negative */
  *e_out = e < 0 ? 0 : (uint64_t)e;
  *x_out = x < 0 ? 0 : (uint64_t)x;
  struct ap_node *n = f->node;
  n->excl += *x_out;
  /* a frame folded into its parent's node (node cap) adds no inclusive
   * time there: the parent's own frame covers it */
  if (ap_likely(n != f[-1].node))
    n->incl += *e_out;
}

/* Closes the top frame (a real one, of `site`) at `now`.  Raw ticks only: the
 * probe cost is known at exit (calibration) and subtracted then (collect.c). */
static inline void ap_pop(struct ap_thread *t, uint64_t now, const struct ap_func_site *site) {
  uint32_t d = t->depth - 1;
  struct ap_frame *f = &t->stack[d];
  uint64_t e, x;
  ap_close_node(f, now, &e, &x);
  f[-1].child += e;
  struct ap_ctr *c = &t->ctr[site->slot];
  c->excl += x;
  if (--c->active == 0)
    c->incl += e;
  t->depth = d;
}

/* Closes the top frame, a timed loop's.  The loop's own body time stays in
 * its function's self time: only the calls made inside move up. */
static inline void ap_pop_loop(struct ap_thread *t, uint64_t now) {
  uint32_t d = t->depth - 1;
  struct ap_frame *f = &t->stack[d];
  uint64_t e, x;
  ap_close_node(f, now, &e, &x);
  f[-1].child += f->child;
  t->depth = d;
}

/* Closes the top frame, whatever it is (unwinding). */
static inline void ap_pop_any(struct ap_thread *t, uint64_t now) {
  struct ap_frame *f = &t->stack[t->depth - 1];
  if (f->loop)
    ap_pop_loop(t, now);
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
