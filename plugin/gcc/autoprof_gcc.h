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
  const char *name;   /* source-level name */
  const char *file;
  unsigned line;
  unsigned flags;     /* enum ap_func_flags */
  unsigned size;      /* estimated instructions */
  const char *symbol; /* assembler name */
};

/* sites.cc: descriptor tables, module record and its constructor. */
tree ap_emit_func_site(const ap_func_info &info);
void ap_emit_module_ctor(void);
tree ap_probe_decl(const char *name, tree fntype);
void ap_set_func_site_flags(tree site, unsigned flags);
bool ap_is_runtime_name(const char *name);

/* funcs.cc: the entry/exit pass. */
opt_pass *ap_make_func_pass(gcc::context *ctxt);

#endif
