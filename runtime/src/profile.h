/* The profile model: what one run of an instrumented program measured, and
 * the hints derived from it.  Plain C, no runtime state: the runtime fills it
 * at exit from its per-thread counters, the `autoprof` command fills it from
 * a profile JSON file, and both hand it to the same analysis (hints.c) and
 * writers (report_json.c, report_text.c).
 *
 * Ownership: an ap_profile owns every string and array it points to; the
 * builder functions copy their string arguments.  Arrays grow as needed;
 * every builder returns -1 (or NULL) only when memory runs out.
 *
 * Units: every time is in nanoseconds after probe-cost compensation, every
 * count exact.  Indexes (callpath parent/func, ...) are positions in the
 * arrays of the same profile.
 *
 * Hints are derived data: ap_profile_analyze() drops the current hints and
 * recomputes them from the measurements with the given thresholds, so a
 * loaded profile can be re-analysed with other settings.
 */
#ifndef AUTOPROF_PROFILE_H
#define AUTOPROF_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AP_PROFILE_FORMAT_VERSION 1

/* One source function (all its instrumented bodies: clones, split parts). */
struct ap_prof_func {
  char *name;
  char *file;
  uint32_t line;
  uint32_t flags;       /* enum ap_func_flags of abi.h, OR of all its bodies */
  uint64_t calls;       /* activations (a split part's continuation is not one) */
  uint64_t incl_ns;     /* inclusive, counted once per outermost activation */
  uint64_t excl_ns;     /* exclusive: own body only */
  uint64_t timed_calls; /* calls whose time was measured (0: not recorded, all of them) */
  double time_error;    /* relative error (95 %) of excl_ns from sampling (its own and its
                           callees' estimates), 0 when nothing in it was sampled */
  double probe_share;   /* of what its timed calls measured (inclusive, scaled to all its
                           calls), the part compensation took out as the probes' own cost;
                           near 1, its time is below what the probes resolve (0: unknown) */
  char **symbols;       /* assembler names of its bodies ("foo", "foo.constprop.0") */
  size_t nsymbols;
};

/* One loop of the source as it lives in one function (all the copies the
 * compiler made of it there). */
struct ap_prof_loop {
  char *function;        /* the function it lives in (after inlining) */
  char *origin_function; /* the function it was written in (differs when inlined) */
  char *file;
  uint32_t line;               /* line of the loop's controlling test */
  uint32_t depth;              /* 1 = outermost loop of its function */
  uint64_t entries;            /* entries that ran at least one iteration */
  uint64_t iterations;         /* times the body ran, over all entries */
  uint64_t min_trip, max_trip; /* per entry */
  uint64_t zero_trip;          /* entries left before the first iteration (seen in -O0 code only) */
  uint64_t incl_ns;            /* time of its entries; 0 when the loop is not timed */
  uint64_t timed_entries;      /* entries measured (0: not recorded, all); fewer: incl_ns and
                                  calls* below are estimates scaled from them */
  uint64_t nested_entries;     /* entries begun inside an active entry of the same loop
                                  (recursion): inside that one's time, never timed themselves */
  int timed;
  int64_t parent; /* index of the enclosing loop in loops[], -1 when outermost */
  /* Instrumented calls made inside the timed entries (from the call-path
   * tree, where a timed loop is a node under its function): */
  uint64_t calls;    /* how many */
  uint64_t calls_ns; /* their inclusive time */
  char *top_callee;  /* the callee with the most inclusive time in there, or NULL */
  uint64_t top_callee_calls, top_callee_ns;
};

/* One node of the calling-context tree, merged over threads: a distinct
 * call path from a thread's root.  parent = -1 for roots. */
struct ap_prof_node {
  int64_t parent;
  uint32_t func; /* index into functions[] */
  uint64_t calls;
  uint64_t incl_ns;
  uint64_t excl_ns;
};

/* Memoization candidate (filled once memo probes exist). */
#define AP_MEMO_CACHES 3
/* calibration_ns entries, in this order (their JSON names: ap_calibration_kinds) */
enum ap_calibration_kind {
  AP_CAL_SELF,
  AP_CAL_SAMPLED_SELF,
  AP_CAL_TIMED,
  AP_CAL_SAMPLED_TIMED,
  AP_CAL_UNTIMED,
  AP_CAL_FRAMELESS,
  AP_CAL_TIMED_LOOP,
  AP_CAL_UNTIMED_LOOP,
  AP_CAL_INLINE_LOOP,
  AP_CAL_LOOP_SELF,
  AP_CAL_INLINE_LEAF,
  AP_CAL_LEAF_RUN,
  AP_CAL_CALL_LOOP,
  AP_CAL_CALL_SITE,
  AP_NCALIBRATION
};
extern const char *const ap_calibration_kinds[AP_NCALIBRATION];

/* A memo candidate's evidence (docs/report.md "memoize"). */
struct ap_prof_memo {
  char *function;
  uint64_t calls;     /* calls whose result the memo probe saw */
  double repeat_rate; /* share of calls repeating an earlier argument tuple: 1 - distinct/calls */
  char *file;
  uint32_t line;
  int proven;        /* GCC proved it const or pure; else the policy vouched (memo.assume_pure) */
  int pointer_args;  /* some argument is a pointer: fingerprinted by address only */
  uint64_t distinct; /* estimated distinct argument tuples (HyperLogLog, ~5%) */
  uint64_t same_result;  /* repeats answered by a cache whose cached result was the one returned */
  uint64_t other_result; /* repeats whose result differed: the function depends on state */
  uint64_t cache_size[AP_MEMO_CACHES]; /* LRU cache sizes simulated (16, 256, 4096) */
  uint64_t cache_hits[AP_MEMO_CACHES]; /* calls each would have answered */
  uint64_t simulated; /* calls that went through the caches (0: not recorded, all); fewer:
                         the cache figures are scaled from them to all calls */
  /* the timed simulated calls, weighted by the calls each timing stands
   * for (adaptive timing): their raw time (probes included) and weight,
   * all of them and those each cache would have answered; 0: not
   * recorded.  A hit then costs what the answered calls cost (memoize). */
  double raw_ns, raw_calls;
  double hit_raw_ns[AP_MEMO_CACHES], hit_raw_calls[AP_MEMO_CACHES];
};

/* A cache hit repeats an earlier argument tuple: M's distinct tuples (a
 * ~5 % HyperLogLog estimate) brought down to the calls its biggest cache
 * did not answer, and its repeat rate with them. */
void ap_memo_bound_distinct(struct ap_prof_memo *m);

/* A loop-invariant call candidate: a const/pure call made inside a loop. */
struct ap_prof_callsite {
  char *callee, *function, *file;
  uint32_t line;      /* of the call */
  uint32_t loop_line; /* of the innermost loop holding it */
  int builtin;        /* a library function the compiler knows */
  uint64_t calls;
  uint64_t same_args; /* calls with the same arguments as the previous call at this site */
  uint64_t same_both; /* ... that also returned the same result */
  uint64_t sampled;   /* calls timed (one in 64) */
  double ns_per_call; /* their mean time, probes' clock reads included; 0 if none */
};

struct ap_prof_thread {
  uint32_t index;   /* order in which threads made their first probe, main = 0 usually */
  uint64_t tid;     /* kernel thread id */
  uint64_t calls;   /* instrumented calls made by this thread */
  uint64_t root_ns; /* instrumented time at the thread's root (sum of root frames) */
  uint64_t threads; /* threads it holds, one after another (an ended thread's record serves
                       the next one); 1 usually */
};

enum ap_hint_kind {
  AP_HINT_HOT_FUNCTION,
  AP_HINT_HOT_PATH,
  AP_HINT_HOT_LOOP,
  AP_HINT_MEMOIZE,
  AP_HINT_INLINE,
  AP_HINT_HOIST, /* a loop-invariant call to move out of its loop */
  AP_HINT_KIND_COUNT
};

struct ap_evidence {
  char key[32];
  double value; /* written as a JSON integer when integral */
};

struct ap_prof_hint {
  enum ap_hint_kind kind;
  char *function;
  char *file;
  uint32_t line;
  char *message;
  struct ap_evidence *evidence;
  size_t nevidence;
  uint64_t savings_ns; /* estimated time the change could save; ranks the hints */
};

struct ap_profile {
  char *program;
  int64_t pid;
  uint64_t wall_ns;   /* from the runtime's start to the report */
  char *clock_source; /* "tsc" | "monotonic" | "test" */
  double ticks_per_ns;
  double probe_cost_ns; /* per instrumented call (enter+exit) */
  double call_cost_ns;  /* one real non-inlined call + return, measured */
  /* what the compensation took out per probe, by kind (ns; enum
   * ap_calibration_kind; 0: a kind no thread ran) */
  double calibration_ns[AP_NCALIBRATION];
  uint64_t compensated_ns; /* probe time taken out of the measured times */
  int compensation;        /* 1 if times are compensated */
  uint64_t folded_calls;   /* calls folded into a parent node (callpath cap) */
  uint64_t cpu_wait_ns;    /* threads' waits for a CPU (involuntary switches) left out of times */
  uint64_t lost_frames;    /* activations deeper than the frame limit: counted, not timed */
  char *policy_file;
  uint64_t policy_digest;
  int policy_mixed; /* modules were built with different policies */
  char *compiler;

  struct ap_prof_thread *threads;
  size_t nthreads, cap_threads;
  struct ap_prof_func *functions;
  size_t nfunctions, cap_functions;
  struct ap_prof_loop *loops;
  size_t nloops, cap_loops;
  struct ap_prof_node *nodes;
  size_t nnodes, cap_nodes;
  struct ap_prof_memo *memo;
  size_t nmemo, cap_memo;
  struct ap_prof_callsite *callsites;
  size_t ncallsites, cap_callsites;
  struct ap_prof_hint *hints;
  size_t nhints, cap_hints;
};

/* Thresholds of the analysis.  ap_hint_params_default() gives the built-in
 * values (those of config/default.yaml and docs/report.md). */
struct ap_hint_params {
  double hot_function_share;     /* self time / run time to call a function hot */
  double hot_path_share;         /* path time / run time for a hot-path hint */
  double hot_path_concentration; /* descend while the heaviest child holds this share */
  double hot_loop_share;         /* timed loop time / run time for a dominant-loop hint */
  double memo_min_repeat_rate;   /* share of calls repeating earlier arguments (policy) */
  uint64_t memo_min_calls;       /* a memoize hint needs at least this many observed calls */
  double memo_min_share;         /* ... and savings of at least this share of the run */
  double hoist_min_same;      /* hoist: share of a call site's calls repeating the previous one */
  uint64_t inline_min_calls;  /* an inline hint needs at least this many calls */
  double inline_min_overhead; /* call cost / (call cost + self time per call) */
  double inline_min_share;    /* estimated savings / run time */
  /* hot-loop patterns (docs/report.md "hot-loop"): */
  uint64_t loop_min_iterations;    /* a loop with fewer iterations gets no hint */
  double loop_min_share;           /* nor one below this (measured or estimated) share */
  double loop_tiny_max_trip;       /* tiny trip count: average trip at most this */
  uint64_t loop_tiny_min_entries;  /* ... and entered at least this often */
  uint64_t loop_quadratic_min_n;   /* O(n^2) nest: at least this many outer iterations */
  double loop_quadratic_tolerance; /* inner total within this of n(n-1)/2 .. n(n+1)/2 */
  double loop_calls_share;         /* calls time / loop time for a loop-calls hint */
};

void ap_hint_params_default(struct ap_hint_params *params);

/* ---- building ---- */
struct ap_profile *ap_profile_new(void);
void ap_profile_free(struct ap_profile *p);
/* Replaces *dst with a copy of s (NULL allowed); 0, or -1 without memory. */
int ap_profile_set_str(char **dst, const char *s);
/* Returns the new function's index, or -1. */
long ap_profile_add_function(struct ap_profile *p, const char *name, const char *file,
                             uint32_t line);
int ap_profile_add_symbol(struct ap_profile *p, size_t func, const char *symbol);
/* parent: index of an existing node or -1; returns the new node's index, or -1. */
long ap_profile_add_node(struct ap_profile *p, int64_t parent, uint32_t func, uint64_t calls,
                         uint64_t incl_ns, uint64_t excl_ns);
long ap_profile_add_loop(struct ap_profile *p, const char *function, const char *file,
                         uint32_t line, uint32_t depth);
long ap_profile_add_memo(struct ap_profile *p, const char *function, uint64_t calls,
                         double repeat_rate);
long ap_profile_add_callsite(struct ap_profile *p, const char *callee, const char *function,
                             const char *file, uint32_t line, uint32_t loop_line);
long ap_profile_add_thread(struct ap_profile *p, uint32_t index, uint64_t tid, uint64_t calls,
                           uint64_t root_ns);
long ap_profile_add_hint(struct ap_profile *p, enum ap_hint_kind kind, const char *function,
                         const char *file, uint32_t line, const char *message, uint64_t savings_ns);
int ap_hint_add_evidence(struct ap_prof_hint *h, const char *key, double value);
void ap_profile_clear_hints(struct ap_profile *p);
/* Removes hints[i]; the others keep their order. */
void ap_profile_remove_hint(struct ap_profile *p, size_t i);
/* A loop's time is at most its function's (an inner loop's at most its
 * parent loop's, any loop's at most the run), the calls made in it at most
 * the loop's time.  Each interval is compensated on its own (less the
 * calibrated cost of the probes inside it), and where the calibration
 * misjudges what the probes cost in place, a nested figure can come out
 * above its container: it is capped.  ap_profile_analyze calls it first.
 * Returns how many loop times were capped. */
size_t ap_profile_cap_loops(struct ap_profile *p);
/* Does the profile have its probes' cost by kind (calibration_ns: a timed
 * call's and any other call's), or only probe_cost_ns (older profiles)? */
int ap_profile_priced_by_kind(const struct ap_profile *p);

/* ---- names ---- */
const char *ap_hint_kind_name(enum ap_hint_kind kind); /* "hot-function", ... */
int ap_hint_kind_from_name(const char *name);          /* -1 if unknown */
/* Name of one flag bit ("const", "pure", "memo", "clone", "part", "tailcall",
 * "always", "main", "no-debug", "leaf"), NULL for an unknown bit. */
const char *ap_func_flag_name(uint32_t bit);
uint32_t ap_func_flag_from_name(const char *name); /* 0 if unknown */

/* Threads the profile holds (each record's `threads`). */
uint64_t ap_profile_thread_count(const struct ap_profile *p);

/* ---- analysis (hints.c) ---- */
/* Run time the shares are relative to: the sum over threads of the
 * instrumented time at their roots (sum of the root callpaths' incl_ns). */
uint64_t ap_profile_run_ns(const struct ap_profile *p);

/* Is l's time an estimate from a sample of its entries (adaptive timing)? */
static inline int ap_loop_estimated(const struct ap_prof_loop *l) {
  return l->timed && l->timed_entries &&
         l->timed_entries + l->nested_entries < l->entries + l->zero_trip;
}

/* Are f's times estimates from a sample of its calls (adaptive timing)? */
/* A function whose probe_share reaches this is shown as below what the
 * probes resolve (report_text.c): sqlite3's vdbeSorterCompareInt, a few
 * ns a call under a timed pair and a timed loop entry, came out at 0 ns
 * "exact" in an exactly timed run while its loop alone had 0.3 ms. */
#define AP_PROBE_BOUND 0.9
static inline int ap_func_estimated(const struct ap_prof_func *f) {
  return (f->timed_calls && f->timed_calls < f->calls) || f->time_error > 0;
}
/* Drops the hints and derives them again, ranked by savings (then kind,
 * then function name).  Returns the number of hints, or -1 without memory. */
int ap_profile_analyze(struct ap_profile *p, const struct ap_hint_params *params);
/* The memoize hints alone (hints_memo.c; part of ap_profile_analyze). */
int ap_hints_memo(struct ap_profile *p, const struct ap_hint_params *params);

/* ---- writers ---- */
/* Profile JSON (docs/profile-format.md).  0, or -1 on a write error. */
int ap_profile_write_json(const struct ap_profile *p, FILE *out);
/* The text report (docs/report.md): header, hints, top functions by self time. */
int ap_profile_write_text(const struct ap_profile *p, FILE *out, unsigned top);
/* "1,234,567" into buf (at least 32 bytes); returns buf. */
char *ap_fmt_count(char *buf, uint64_t n);
/* "1.23 s", "45.6 ms", "789 ns" into buf (at least 32 bytes); returns buf. */
char *ap_fmt_ns(char *buf, double ns);

#ifdef __cplusplus
}
#endif
#endif /* AUTOPROF_PROFILE_H */
