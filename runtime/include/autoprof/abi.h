/* autoprof probe ABI: the one contract between the compiler plugins and the
 * runtime.  Every record here is emitted by a plugin as a static initializer,
 * so the layouts are fixed-size, all-scalar and versioned.  Change a layout
 * only together with AP_ABI_VERSION and both plugins.
 *
 * Per translation unit a plugin emits:
 *   - one `struct ap_func_site` per instrumented function body, in section
 *     "autoprof_funcs" (8-byte aligned, no padding between records);
 *   - one `struct ap_loop_site` per instrumented loop, in "autoprof_loops";
 *   - one `struct ap_module` (file-local) whose table bounds are the linker's
 *     hidden __start_/__stop_ symbols of those sections, i.e. the tables of
 *     the whole executable or shared object it is linked into;
 *   - a static constructor calling __autoprof_register(&module).
 * Probes pass the address of their site record, so the hot path never
 * hashes or compares a name.  The module references __autoprof_abi_v2 so an
 * object linked without the runtime, or against a runtime of another ABI
 * version, fails at link (or load) time instead of giving an empty report.
 */
#ifndef AUTOPROF_ABI_H
#define AUTOPROF_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AP_ABI_VERSION 2
#define AP_ABI_GUARD __autoprof_abi_v2
#define AP_SECTION_FUNCS "autoprof_funcs"
#define AP_SECTION_LOOPS "autoprof_loops"

/* struct ap_func_site.flags */
enum ap_func_flags {
  AP_FUNC_CONST = 1u << 0,      /* compiler proved it const (no memory reads) */
  AP_FUNC_PURE = 1u << 1,       /* compiler proved it pure (reads memory only) */
  AP_FUNC_MEMO = 1u << 2,       /* memo candidate (issue 4) */
  AP_FUNC_CLONE = 1u << 3,      /* IPA clone (.constprop/.isra/...): same slot as its origin */
  AP_FUNC_PART = 1u << 4,       /* split part (.part.N): entered from its own header it is a
                                   continuation of that activation, not a new call */
  AP_FUNC_TAILCALL = 1u << 5,   /* some exit probes sit before a tail call: the callee's time
                                   is not in this function's inclusive time on those paths */
  AP_FUNC_ALWAYS = 1u << 6,     /* instrumented because of policy `always` */
  AP_FUNC_MAIN = 1u << 7,       /* the program's main() */
  AP_FUNC_NO_DEBUG = 1u << 8,   /* no debug info: line is the declaration's, may be 0 */
  AP_FUNC_LEAF = 1u << 9,       /* a static leaf: its body calls no function that could reach
                                   instrumented code; its entry may count inline (below) */
  AP_FUNC_ADDRESSED = 1u << 10, /* its address is taken in its unit (a callback, a qsort
                                   comparator): calls through a pointer cannot be inlined */
};

/* One per instrumented function body.  Clones of one source function carry
 * the same name/file/line; the runtime gives them one slot. */
struct ap_func_site {
  uint32_t flags;     /* enum ap_func_flags */
  uint32_t line;      /* line of the function's definition */
  uint32_t slot;      /* runtime-owned dense id; 0 until registered */
  uint32_t size;      /* estimated instructions after inlining (policy min_size metric) */
  const char *name;   /* source-level name, as the user knows it */
  const char *file;   /* source file of the definition, as the compiler saw it */
  const char *symbol; /* assembler name of this body, e.g. "foo.constprop.0" */
  uint64_t arg_kinds; /* memo candidates: enum ap_arg_kind of the result in bits 0-3,
                         of argument i in bits 4i+4..4i+7; 0 = not a candidate */
};

/* What a memo candidate's fingerprints are made of (struct ap_func_site.arg_kinds). */
enum ap_arg_kind {
  AP_ARG_NONE = 0,
  AP_ARG_INT = 1,     /* integer, enum, bool: by value */
  AP_ARG_FLOAT = 2,   /* float, double: by bit pattern */
  AP_ARG_POINTER = 3, /* by address: the pointed-to data is not in the fingerprint */
};

/* struct ap_loop_site.flags */
enum ap_loop_flags {
  AP_LOOP_TIMED = 1u << 0,   /* loop time is measured */
  AP_LOOP_INLINED = 1u << 1, /* written in origin_function, inlined into func */
};

/* One per instrumented loop (issue 3). */
struct ap_loop_site {
  uint32_t flags;                    /* enum ap_loop_flags */
  uint32_t line;                     /* line of the loop statement */
  uint32_t slot;                     /* runtime-owned dense id; 0 until registered */
  uint32_t depth;                    /* 1 = outermost loop of its function */
  const char *file;                  /* source file of the loop statement */
  const struct ap_func_site *func;   /* function the loop now lives in (may be NULL) */
  const char *origin_function;       /* function the loop was written in */
  const struct ap_loop_site *parent; /* enclosing loop, NULL when outermost */
};

/* One per call, inside a loop, to a const/pure function with scalar
 * arguments and result (a loop-invariant call candidate).  Not in a section:
 * the runtime registers it at its first probe. */
struct ap_call_site {
  uint32_t flags;       /* AP_CALL_* */
  uint32_t line;        /* line of the call */
  uint32_t slot;        /* runtime-owned dense id; 0 until registered */
  uint32_t loop_line;   /* line of the innermost loop holding it */
  const char *callee;   /* the function called, e.g. "strlen" */
  const char *file;     /* source file of the call */
  const char *function; /* the function the call is made from */
  uint64_t arg_kinds;   /* as struct ap_func_site.arg_kinds */
};

enum ap_call_flags {
  AP_CALL_CONST = 1u << 0,   /* the callee is const */
  AP_CALL_PURE = 1u << 1,    /* the callee is pure */
  AP_CALL_BUILTIN = 1u << 2, /* a library function the compiler knows (strlen, sqrt, ...) */
};

/* report.formats bits */
enum ap_format { AP_FORMAT_JSON = 1u << 0, AP_FORMAT_TEXT = 1u << 1 };

/* One per translation unit: the tables of its link unit and the policy's
 * run-time settings, so a binary needs no policy file at run time. */
struct ap_module {
  uint32_t abi_version;             /* AP_ABI_VERSION */
  uint32_t report_formats;          /* enum ap_format bits */
  struct ap_func_site *funcs_begin; /* __start_autoprof_funcs (NULL if none) */
  struct ap_func_site *funcs_end;   /* __stop_autoprof_funcs */
  struct ap_loop_site *loops_begin; /* __start_autoprof_loops (NULL if none) */
  struct ap_loop_site *loops_end;   /* __stop_autoprof_loops */
  const int *abi_guard;             /* &__autoprof_abi_v2: the link-time guard */
  const char *source;               /* main input file of the translation unit */
  const char *compiler;             /* e.g. "gcc 12.2.0" */
  const char *policy_file;          /* policy path, or "<default>" */
  uint64_t policy_digest;           /* FNV-1a 64 of the policy's normalized content */
  const char *report_output;        /* report.output, e.g. "autoprof.%n.%p" */
  uint32_t report_top;              /* report.top */
  uint32_t hot_function_ppm;        /* hints.hot_function_share, parts per million */
  uint32_t hot_loop_ppm;            /* hints.hot_loop_share, parts per million */
  uint32_t memo_min_repeat_ppm;     /* hints.memo_min_repeat_rate, parts per million */
  struct ap_module *next;           /* runtime-owned list link */
};

/* ---- entry points called by instrumented code ---- */
extern const int AP_ABI_GUARD;
void __autoprof_register(struct ap_module *module);
void __autoprof_enter(struct ap_func_site *site);
void __autoprof_exit(struct ap_func_site *site);
/* __autoprof_enter for code that calls __autoprof_exit only when this
 * returned non-zero (both plugins do): an untimed call of a sampled
 * function known as a leaf (adaptive timing) then costs one probe. */
int __autoprof_enter_cond(struct ap_func_site *site);
/* Right before a function GCC split calls its own part (.part.N), from the
 * header's body: the part's next entry probe continues the header's
 * activation instead of opening a call.  Any other call of the part (from a
 * copy of the header inlined elsewhere, or the part's own recursion) is a
 * real call. */
void __autoprof_part_call(struct ap_func_site *header);
/* After each return of a setjmp (any returns_twice call but vfork), in
 * instrumented code or not: MARK is a local the code sets to 0 right before
 * the setjmp call.  Its direct return stores the depth of the shadow stack
 * there; a return through longjmp closes the frames above that depth, which
 * the longjmp abandoned (their calls and time end there).  Then nothing
 * made after the longjmp is filed under them. */
void __autoprof_setjmp_return(uint32_t *mark);

/* Memo candidates: before each exit probe that sees the returned value, a
 * fingerprint of the argument values (mixed in the function's entry block)
 * and the returned value (converted to 64 bits). */
void __autoprof_memo(struct ap_func_site *site, uint64_t args, uint64_t result);

/* Loop-invariant call candidates: right before each such call a begin
 * probe (which reads the clock for one call in 64: the call's time is
 * sampled), right after it the fingerprint of its arguments and its result;
 * the runtime compares them with the previous call at the same site. */
void __autoprof_call_begin(struct ap_call_site *site);
void __autoprof_call_site(struct ap_call_site *site, uint64_t args, uint64_t result);

/* Loops: one call on each exit edge of an instrumented loop, never inside
 * it.  `iterations` is the number of times the body ran during this entry
 * (a local counter in the loop, which the optimizers may turn into a closed
 * form).  A timed loop fills a stamp (a local of the instrumented function)
 * in its preheader and hands it back on exit; in between the runtime keeps
 * the loop as a node of the call-path tree, so the calls made inside it are
 * known and their probes can be taken out of its time. */
struct ap_loop_stamp {
  uint64_t ticks; /* clock at the start */
  uint64_t pairs; /* probe pairs run so far by this thread */
  uint64_t depth; /* shadow-stack depth of the loop's frame, 0 if none was opened */
};
void __autoprof_loop(struct ap_loop_site *site, uint64_t iterations);
void __autoprof_loop_start(struct ap_loop_site *site, struct ap_loop_stamp *stamp);
/* An untimed inner loop, reported when the outermost loop of its nest exits:
 * over the nest's entry, its entries that ran, total iterations, the least
 * iterations of one entry minus 1 (UINT64_MAX: none), the most, and its
 * entries that ran no iteration. */
void __autoprof_loop_nest(struct ap_loop_site *site, uint64_t entries, uint64_t iterations,
                          uint64_t min_minus_1, uint64_t max, uint64_t zero_trip);
/* The same for the N untimed inner loops of a big nest, whose five figures
 * each live in one local array (ACC[5 * i .. 5 * i + 4] for SITES[i]): one
 * call per exit of the nest whatever N. */
void __autoprof_loop_nests(struct ap_loop_site *const *sites, const uint64_t *acc, uint32_t n);
void __autoprof_loop_timed(struct ap_loop_site *site, uint64_t iterations,
                           const struct ap_loop_stamp *stamp);

/* Inline loop counts (no call).  The calls above are the slow paths: on
 * each exit of an untimed outermost loop, and of a timed loop entry its
 * slot left untimed, instrumented code adds the entry's figures to this
 * thread's counters itself:
 *
 *   L = &__autoprof_loop_tls;  s = site->slot;
 *   if (s - 1 < L->lim) {                     // 32-bit unsigned: s in 1..lim
 *     c = (struct ap_loop_counts *)(L->counters + (uint64_t)s * AP_LOOP_COUNTS_STRIDE);
 *     c->entries += n != 0;  c->iterations += n;  c->zero_trip += n == 0;
 *     c->min = MIN(n - 1, c->min - 1) + 1;     // unsigned: 0 is "none yet"
 *     c->max = MAX(c->max, n);
 *     L->inline_records += 1;
 *   } else
 *     __autoprof_loop(site, n);               // first probe of the thread, new slot, ...
 *
 * An inner loop's nest figures (entries, iterations, min - 1, max, zero
 * trip, as __autoprof_loop_nest takes them) are added the same way.  A
 * timed loop's preheader takes an untimed entry itself while its slot's
 * `skip` is non-zero (skip -= 1, stamp->pairs = UINT64_MAX, one record) and
 * calls __autoprof_loop_start otherwise; its exit counts inline when
 * stamp->pairs is UINT64_MAX and calls __autoprof_loop_timed otherwise.
 * `inline_records` counts the records (an untimed entry of a timed loop is
 * two: the test and the count), whose cost the runtime calibrates and takes
 * out of the times that contain them, like a probe's. */
struct ap_loop_counts {
  uint64_t entries;    /* entries that ran at least one iteration */
  uint64_t iterations; /* total over those entries */
  uint64_t min;        /* least iterations of one entry; 0 = none yet */
  uint64_t max;        /* most iterations of one entry */
  uint64_t zero_trip;  /* entries that ran no iteration */
  uint16_t skip;       /* timed loops: entries left untimed before the next timed one */
  /* then the runtime's own fields, up to AP_LOOP_COUNTS_STRIDE bytes */
};
#define AP_LOOP_COUNTS_STRIDE 128 /* bytes per loop slot in `counters` */
/* Inline leaf calls (no call).  A static leaf (AP_FUNC_LEAF: nothing in
 * its body calls a function that could reach instrumented code) that is
 * neither a memo candidate nor a split part takes the untimed calls of a
 * run itself, `__autoprof_enter_cond` being the slow path:
 *
 *   L = &__autoprof_loop_tls;
 *   if (L->leaf_slot == site->slot && L->leaf_left != 0) {
 *     L->leaf_left -= 1;  token = 0;             // one more call of the run
 *   } else
 *     token = __autoprof_enter_cond(site);
 *   ... body ...;  if (token) __autoprof_exit(site);
 *
 * A run is the calls of one leaf from one frame with no other probe in
 * between (a comparison function called by a sort's loop): the runtime
 * starts it at an untimed call of the leaf it sees (leaf_slot, leaf_left =
 * leaf_start = the calls the slot's adaptive timing leaves untimed before
 * its next timed one), and ends it at its next probe that opens or closes a
 * frame, or at the leaf's next call once leaf_left is 0 (the timed one):
 * leaf_start - leaf_left calls, filed under the call path on top of the
 * shadow stack, which nothing changed in between.  leaf_slot 0 is no run
 * (leaf_left is then 0, so a site not registered yet takes the call). */
struct ap_loop_tls {
  char *counters; /* this thread's struct ap_loop_counts, by loop slot */
  uint32_t lim;   /* slots 1 .. lim are in `counters` (0: none yet) */
  uint32_t pad;
  uint64_t inline_records; /* records made inline so far (probe compensation) */
  uint32_t leaf_slot;      /* the function slot of the current run of leaf calls, 0: none */
  uint16_t leaf_left;      /* its calls left to take inline */
  uint16_t leaf_start;     /* leaf_left when the run began */
};
extern __thread struct ap_loop_tls __autoprof_loop_tls __attribute__((tls_model("initial-exec")));

#ifdef __cplusplus
}
#endif
#endif /* AUTOPROF_ABI_H */
