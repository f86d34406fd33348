/* autoprof GCC plugin: plugin_init, options, and where each pass sits.
 *
 *   gcc -fplugin=autoprof.so [-fplugin-arg-autoprof-policy=FILE]
 *       [-fplugin-arg-autoprof-verbose] ...
 */
#include "autoprof_gcc.h"
#include "plugin-version.h" /* defines a static: include it in this file only */

int plugin_is_GPL_compatible;

struct ap_gcc_config ap_config;

static struct plugin_info autoprof_info = {
    "0.1.0",
    "autoprof: function, loop and memo probes by a YAML policy.\n"
    "  -fplugin-arg-autoprof-policy=FILE  policy (default: the built-in one)\n"
    "  -fplugin-arg-autoprof-verbose      print each function's decision and why\n",
};

/* Diagnostics about the plugin's own set-up stop the compile with one line:
 * a build with a broken policy must fail, not produce an unprofiled binary. */
static void ATTRIBUTE_NORETURN fail(const char *msg) {
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
  exit(FATAL_EXIT_CODE);
}

static void parse_args(struct plugin_name_args *info) {
  const char *policy_file = NULL;
  for (int i = 0; i < info->argc; i++) {
    const struct plugin_argument *arg = &info->argv[i];
    char msg[512];
    if (!strcmp(arg->key, "policy") && arg->value && *arg->value) {
      policy_file = arg->value;
    } else if (!strcmp(arg->key, "verbose") && !arg->value) {
      ap_config.verbose = true;
    } else {
      snprintf(msg, sizeof msg,
               "cc1: error: unknown option '-fplugin-arg-%s-%s%s%s' (autoprof takes "
               "-fplugin-arg-%s-policy=FILE and -fplugin-arg-%s-verbose)",
               info->base_name, arg->key, arg->value ? "=" : "", arg->value ? arg->value : "",
               info->base_name, info->base_name);
      fail(msg);
    }
  }
  if (policy_file) {
    char err[1024];
    ap_config.policy = ap_policy_load_file(policy_file, err, sizeof err);
    if (!ap_config.policy)
      fail(err);
  } else {
    ap_config.policy = ap_policy_default();
  }
  ap_config.policy_file = ap_config.policy->file;
}

void ap_gc_mark(tree t) {
  if (t)
    gt_ggc_mx_tree_node(t);
}

void ap_gc_mark_set(hash_set<tree> *set) {
  if (set)
    for (hash_set<tree>::iterator it = set->begin(); it != set->end(); ++it)
      ap_gc_mark(*it);
}

static void on_ggc_marking(void *, void *) {
  ap_gc_mark_funcs();
  ap_gc_mark_loops();
  ap_gc_mark_sites();
  ap_gc_mark_memo();
  ap_gc_mark_calls();
}

static void on_ipa_end(void *, void *) {
  /* One registration constructor per unit, created before the late passes
   * so it is compiled like any other function (our pass skips it: it is
   * artificial).  Units that define no function need none. */
  static bool emitted;
  if (emitted || seen_error())
    return;
  cgraph_node *node;
  FOR_EACH_DEFINED_FUNCTION(node) {
    if (!DECL_ARTIFICIAL(node->decl)) {
      emitted = true;
      ap_emit_module_ctor();
      return;
    }
  }
}

int plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *version) {
  if (!plugin_default_version_check(version, &gcc_version)) {
    char msg[512];
    snprintf(msg, sizeof msg,
             "cc1: error: %s was built for GCC %s but this compiler is GCC %s; rebuild autoprof "
             "against this compiler's plugin headers (gcc-<major>-plugin-dev)",
             info->full_name, gcc_version.basever, version->basever);
    fail(msg);
  }
  snprintf(ap_config.compiler, sizeof ap_config.compiler, "gcc %s", version->basever);
  parse_args(info);
  register_callback(info->base_name, PLUGIN_INFO, NULL, &autoprof_info);
  /* Identical code folding (-fipa-icf, on from -O2) makes one function of
   * two with the same body, before our passes see them: every call of
   * either went to the one kept, under its name (brotli's three
   * RemapBlockIds* functions came out as one; helper-24).  The probes make
   * the bodies differ anyway, so folding is off where they go in. */
  flag_ipa_icf_functions = 0;

  /* Entry/exit after "optimized": after inlining, on the final bodies
   * (DESIGN §10).  Registered once; "optimized" runs at -O0 too. */
  struct register_pass_info func_pass = {ap_make_func_pass(g), "optimized", 1,
                                         PASS_POS_INSERT_AFTER};
  register_callback(info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &func_pass);
  /* Loop counts before "ch" (loop header copying): after inlining, with the
   * loops still as the front end wrote them (tested at the top), so a
   * counter put in now counts what the source says, and everything GCC does
   * afterwards (rotation, peeling the first test, unrolling, vectorizing)
   * preserves its value.  Placed after "ch", a search loop whose first test
   * GCC copies out of the loop lost an iteration.  "ch" is not run at -O0:
   * a second instance after "optimized" takes every function the first did
   * not see. */
  struct register_pass_info loop_pass = {ap_make_loop_pass(g, false), "ch", 0,
                                         PASS_POS_INSERT_BEFORE};
  register_callback(info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &loop_pass);
  struct register_pass_info loop_pass_o0 = {ap_make_loop_pass(g, true), "optimized", 1,
                                            PASS_POS_INSERT_AFTER};
  register_callback(info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &loop_pass_o0);
  register_callback(info->base_name, PLUGIN_ALL_IPA_PASSES_END, on_ipa_end, NULL);
  register_callback(info->base_name, PLUGIN_GGC_MARKING, on_ggc_marking, NULL);
  return 0;
}
