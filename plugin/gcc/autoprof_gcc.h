/* Shared declarations of the GCC plugin's files. */
#ifndef AUTOPROF_GCC_H
#define AUTOPROF_GCC_H

#include "gcc-common.h"

extern "C" {
#include "policy.h"
}

/* Plugin-wide state, set once in plugin_init. */
struct ap_gcc_config {
  struct ap_policy *policy;
  const char *policy_file; /* "<default>" when none was given */
  bool verbose;
  char compiler[64]; /* "gcc 12.2.0", for the module record */
};
extern struct ap_gcc_config ap_config;

/* What the plugin knows about one function body it instruments. */
struct ap_func_info {
  const char *name; /* source-level name */
  const char *file;
  unsigned line;
  unsigned flags;               /* enum ap_func_flags */
  unsigned size;                /* estimated instructions */
  const char *symbol;           /* assembler name */
  unsigned long long arg_kinds; /* memo candidates: struct ap_func_site.arg_kinds */
};

/* What the plugin knows about one loop it instruments. */
struct ap_loop_info {
  unsigned flags; /* enum ap_loop_flags */
  unsigned line;
  unsigned depth;
  const char *file;
  tree func;                   /* site of the function the loop lives in */
  const char *origin_function; /* function the loop was written in */
  tree parent;                 /* site of the enclosing loop, or NULL_TREE */
};

/* GCC's garbage collector frees what no root reaches, between passes:
 * every tree the plugin keeps from one pass to the next is marked from a
 * PLUGIN_GGC_MARKING callback (plugin.cc), one function per file.  A
 * decl kept unmarked was freed on big files (sqlite3.c: an internal
 * compiler error in gimple_build_call), or on any file with
 * --param ggc-min-expand=0 --param ggc-min-heapsize=0. */
void ap_gc_mark(tree t); /* plugin.cc: T and what it reaches, if not NULL */
void ap_gc_mark_set(hash_set<tree> *set);
void ap_gc_mark_funcs(void); /* funcs.cc */
void ap_gc_mark_loops(void); /* loops.cc */
void ap_gc_mark_sites(void); /* sites.cc */
void ap_gc_mark_memo(void);  /* memo.cc */
void ap_gc_mark_calls(void); /* invariant.cc */

/* sites.cc: descriptor tables, module record and its constructor. */
/* The site record of FNDECL's body, created with INFO on first use.  FINAL
 * (the entry/exit pass): INFO is complete, write the record out; else (the
 * loop pass) it is only referenced until then. */
tree ap_func_site(tree fndecl, const ap_func_info &info, bool final);
void ap_func_site_done(tree fndecl); /* the entry/exit pass skipped it */
tree ap_loop_site(const ap_loop_info &info);
tree ap_pointer_table(const tree *addrs, unsigned n);
/* __autoprof_loop_tls and its fields (struct ap_loop_tls) */
enum {
  AP_TLS_COUNTERS,
  AP_TLS_LIM,
  AP_TLS_PAD,
  AP_TLS_RECORDS,
  AP_TLS_LEAF_SLOT,
  AP_TLS_LEAF_LEFT,
  AP_TLS_LEAF_START,
  AP_TLS_NFIELDS
};
tree ap_loop_tls_decl(tree *fields);
void ap_emit_module_ctor(void);
tree ap_probe_decl(const char *name, tree fntype);
bool ap_is_runtime_name(const char *name);

/* funcs.cc: the entry/exit pass. */
opt_pass *ap_make_func_pass(gcc::context *ctxt);
/* funcs.cc: what a function is called and where, for both passes; returns
 * why it is never instrumented, or NULL when the policy decides. */
const char *ap_describe_function(function *fun, ap_func_info *info);
unsigned ap_body_size(function *fun); /* the policy's size: statements after inlining */

/* memo.cc: memo candidates' fingerprints. */
unsigned long long ap_memo_arg_kinds(function *fun); /* 0: arguments or result not scalar */
tree ap_memo_args_fingerprint(function *fun, gimple *after);
gcall *ap_memo_call(tree args_fp, tree value, gimple_seq *seq);
tree ap_memo_decl(void);
tree ap_to_u64(tree value, gimple_seq *seq);
tree ap_mix_values(const tree *values, unsigned n, gimple_seq *seq);
unsigned ap_arg_kind(tree type); /* AP_ARG_*, AP_ARG_NONE if not fingerprintable */

/* What the plugin knows about a loop-invariant call candidate. */
struct ap_call_info {
  unsigned flags, line, loop_line;
  const char *callee, *file, *function;
  unsigned long long arg_kinds;
};
tree ap_call_site_record(const ap_call_info &info); /* sites.cc */
/* invariant.cc: probes after const/pure calls made inside loops; returns
 * how many. */
unsigned ap_instrument_call_sites(function *fun, const char *function_name);

/* loops.cc: the loop-count pass; `late` is the -O0 instance. */
opt_pass *ap_make_loop_pass(gcc::context *ctxt, bool late);
/* loop_inline.cc: the loop probes' calls made inline fast paths (abi.h),
 * once loops.cc has put them in place. */
bool ap_loop_inline_ok(void);
void ap_inline_loop_exit(gcall *own, gcall *const *nests, unsigned n_nests);
void ap_inline_loop_start(gcall *start);
/* A static leaf's entry probe (the call `token = __autoprof_enter_cond`,
 * its exit probes in place under `if (token)`) made the slow path of its
 * inline untimed call (abi.h, "Inline leaf calls"). */
void ap_inline_leaf_entry(gcall *enter);
/* funcs.cc: no call in FUN's body could reach instrumented code */
bool ap_static_leaf(function *fun);

#endif
