/* autoprof-llvm.so as an LLVM pass plugin: where each pass sits, and the
 * plugin-wide state.
 *
 *   clang -fplugin=autoprof-llvm.so [-fplugin-arg-autoprof-llvm-policy=FILE]
 *         [-fplugin-arg-autoprof-llvm-verbose] ...        (frontend.cc)
 *   clang -fpass-plugin=autoprof-llvm.so ...               (built-in policy)
 */
#include "autoprof_llvm.h"

namespace ap_llvm {

config &get_config() {
  static config c;
  if (!c.policy) {
    c.policy = ap_policy_default();
#ifndef NDEBUG
    c.verify = true; /* debug builds check every function they change */
#endif
  }
  return c;
}

void set_frontend_config(struct ap_policy *policy, bool verbose, bool verify) {
  config &c = get_config();
  if (c.policy != policy)
    ap_policy_free(c.policy);
  c.policy = policy;
  c.verbose = verbose;
  c.verify = c.verify || verify;
  c.unit.clear();
  c.no_instrument.clear();
  c.places.clear();
}

const char *compiler_string() {
  return "clang " LLVM_VERSION_STRING;
}

namespace {

void register_passes(PassBuilder &pb) {
  /* Loops at VectorizerStart: after all inlining (a loop inlined into a
   * caller is counted there, naming its origin) and after rotation (the
   * header runs once per iteration), right before the loop vectorizer, which
   * then sees no counter where SCEV knows the trip count.  Invoked at -O0
   * too, where nothing is rotated and every count is a PHI counter. */
  /* Marks on the loops as the source wrote them and on those LoopRotate
   * rotates, for the loop pass (entries.cc) */
  pb.registerPipelineStartEPCallback([](ModulePassManager &mpm, OptimizationLevel level) {
    mpm.addPass(loop_places_pass());
    if (level != OptimizationLevel::O0)
      mpm.addPass(top_marks_pass());
  });
  register_entry_marks(pb);
  pb.registerVectorizerStartEPCallback([](FunctionPassManager &fpm, OptimizationLevel level) {
    fpm.addPass(loop_pass{level != OptimizationLevel::O0});
  });
  /* Entry/exit at OptimizerLast: after inlining and attribute inference,
   * before code generation only (funcs.cc). */
  pb.registerOptimizerLastEPCallback(
      [](ModulePassManager &mpm, OptimizationLevel) { mpm.addPass(func_pass()); });
}

} // namespace
} // namespace ap_llvm

/* Called for each PassBuilder clang makes (once per unit).  Registering
 * twice (both flags naming the same file, two copies) is harmless: the
 * passes mark what they did and never redo it. */
extern "C" __attribute__((visibility("default"))) ::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "autoprof", "0.1.0", ap_llvm::register_passes};
}
