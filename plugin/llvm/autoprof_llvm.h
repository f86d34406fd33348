/* Shared declarations of the LLVM plugin's files (autoprof-llvm.so). */
#ifndef AUTOPROF_LLVM_H
#define AUTOPROF_LLVM_H

#include "llvm_compat.h"

#include <map>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "autoprof/abi.h"
#include "policy.h"
}

namespace ap_llvm {

/* Plugin-wide state.  One compiler process may compile several units (the
 * clang driver runs cc1 in-process): the frontend action resets it for each
 * one.  With -fpass-plugin= alone no action runs: the defaults apply. */
struct config {
  struct ap_policy *policy = nullptr; /* never NULL once get_config() returned */
  bool verbose = false;
  bool verify = false; /* run the IR verifier after each change (tests) */
  /* Facts only the frontend knows, for the unit named `unit`: symbols of
   * no_instrument_function definitions (clang drops the attribute from IR). */
  std::string unit;
  std::set<std::string> no_instrument;
  struct loop_place {
    unsigned line;
    std::string file;
  };
  struct place {
    std::string name, file;
    unsigned line;
    std::vector<loop_place> loops; /* in the order clang emits them */
  };
  std::map<std::string, place> places; /* symbol -> where it is defined */
};
config &get_config();
/* The frontend action's settings for the next unit. */
void set_frontend_config(struct ap_policy *policy, bool verbose, bool verify);
const char *compiler_string(); /* "clang 14.0.6" */

/* What the plugin knows about one function body. */
struct func_info {
  std::string name; /* source-level name */
  std::string file;
  unsigned line = 0;
  unsigned flags = 0;     /* enum ap_func_flags */
  unsigned size = 0;      /* IR instructions that do something */
  std::string symbol;     /* the symbol of this body */
  uint64_t arg_kinds = 0; /* memo candidates: struct ap_func_site.arg_kinds */
};

/* funcs.cc: name, place and facts of F for both passes; returns why it is
 * never instrumented, or NULL when the policy decides. */
const char *describe_function(Function &f, func_info *info);
/* The policy's size measure of F as it is now (func_info.size). */
unsigned function_size(Function &f);
bool is_runtime_name(StringRef name);
/* The file of a debug scope as the compiler saw it (see funcs.cc). */
std::string source_file(const DIScope *scope, const DICompileUnit *cu);
void verify_or_die(Function &f, const char *pass);

/* memo.cc: memo candidates' fingerprints (also the call sites'). */
unsigned arg_kind(Type *t); /* enum ap_arg_kind; AP_ARG_NONE: not a scalar */
Value *to_u64(IRBuilder<> &b, Value *v);
Value *mix_values(IRBuilder<> &b, ArrayRef<Value *> values);
uint64_t memo_arg_kinds(Function &f); /* 0: not all scalar, variadic, > 15 args */
Value *memo_args_fingerprint(Function &f, IRBuilder<> &b);
void memo_call(IRBuilder<> &b, Constant *site, Value *args_fp, Value *value);

/* invariant.cc: loop-invariant call candidates in F's loops; how many. */
unsigned instrument_call_sites(Function &f, const std::string &function_name,
                               const TargetLibraryInfo &tli);

/* inline_loops.cc: extern __thread struct ap_loop_tls __autoprof_loop_tls
 * (initial-exec), declared once per module; reached by abi.h's byte
 * offsets (the inline loop records and leaf calls). */
GlobalVariable *loop_tls(Module &m);

/* loops.cc: the header only tests and leaving from it means the body never
 * ran (GCC's rule: such a header run is not an iteration). */
bool top_tested(Loop *loop, bool unrotated = false);
/* loops.cc: BR tests nothing but the loop's condition, as far as the
 * source says (-g; without it, true) */
bool tests_condition_only(Loop *loop, BranchInst *br);

/* entries.cc: loop entries LLVM moved in front of the loop (the rotation
 * guard, peeled iterations).  Marks are set after LoopRotatePass (pass
 * instrumentation callbacks) and read by the loop pass, which strips them. */
void register_entry_marks(PassBuilder &pb);
void strip_entry_marks(Function &f);
struct top_marks_pass : PassInfoMixin<top_marks_pass> { /* PipelineStart */
  PreservedAnalyses run(Module &m, ModuleAnalysisManager &mam);
};
bool marked_top_test(Loop *loop); /* its header's branch was a top test */
/* Without debug info, the loops' places the frontend saw (PipelineStart),
 * and a loop's (line, file, function it was written in), or null. */
struct loop_places_pass : PassInfoMixin<loop_places_pass> {
  PreservedAnalyses run(Module &m, ModuleAnalysisManager &mam);
  static bool isRequired() { return true; }
};
MDNode *loop_place_of(Loop *loop);
/* Loop::getLocRange, from the !llvm.loop of any branch of the loop's own
 * blocks when its latches lost it (loops.cc) */
Loop::LocRange loop_range(Loop *loop);
struct entry_exit {
  BasicBlock *from, *to; /* an edge that ends an entry before the loop proper */
  uint64_t n;            /* the iterations of such an entry */
  Value *when;           /* i1 or null: only when it holds (when false: negate) */
  bool negate;
};
struct loop_entry {
  bool rotated = false; /* LoopRotate rotated it: the fields below apply */
  uint64_t peeled = 0;  /* iterations LoopPeel moved in front of the loop proper */
  /* The rotated header did more than test: GCC counts header runs, and an
   * exit through the test (TEST_BLOCK's branch) ran one more than the loop
   * proper's count. */
  bool counts_header_runs = false;
  BasicBlock *test_block = nullptr;
  SmallVector<entry_exit, 4> exits;
  const char *lost = nullptr; /* why some entries before the loop are not counted */
  /* The loop's first test runs once per iteration of its parent, or once
   * per call: entries that did not run are the zero-trip ones, wherever
   * LLVM sent them (its guard's failing edge is then not needed). */
  enum anchor_kind { NONE, PER_PARENT_ITERATION, PER_CALL } anchor = NONE;
};
class entry_finder {
public:
  entry_finder(Function &f, LoopInfo &li, DominatorTree &dt);
  /* Call for every loop before changing the CFG; each edge is given once. */
  loop_entry find(Loop *loop);

private:
  struct guard_info {
    BranchInst *branch = nullptr; /* the first test, or the branch it was folded into */
    bool pure = false;            /* its condition is the first test */
    Value *when = nullptr;
    bool negate = false;
    SmallVector<BranchInst *, 2> tests; /* peeled tests, first first */
  };
  LoopInfo &li;
  DominatorTree &dt;
  DenseMap<MDNode *, SmallVector<Loop *, 2>> copies;
  DenseMap<MDNode *, unsigned> anchors; /* anchor -> loops that have it */
  DenseSet<std::pair<BasicBlock *, BasicBlock *>> claimed;
  MDNode *mark_of(Loop *loop, BasicBlock **block = nullptr);
  loop_entry::anchor_kind anchored(Loop *loop, BasicBlock *test_block);
  void reaching(ArrayRef<BasicBlock *> targets, Loop *parent, ArrayRef<Loop *> skip,
                SmallPtrSetImpl<BasicBlock *> &out);
  void walk(Loop *loop, MDNode *mark, const SmallPtrSetImpl<BasicBlock *> &any, loop_entry &e,
            guard_info &g);
  bool claim(BasicBlock *from, BasicBlock *to);
  void region_exits(Loop *loop, const SmallPtrSetImpl<BasicBlock *> &mine,
                    const SmallPtrSetImpl<BasicBlock *> &any, uint64_t g_it, const guard_info &g,
                    loop_entry &e);
};

/* The loop pass (VectorizerStart) and the entry/exit pass (OptimizerLast). */
struct loop_pass : PassInfoMixin<loop_pass> {
  bool use_scev; /* false at -O0: no vectorizer to protect, no SCEV-friendly IR */
  explicit loop_pass(bool scev) : use_scev(scev) {}
  PreservedAnalyses run(Function &f, FunctionAnalysisManager &fam);
  static bool isRequired() { return true; } /* -O0: every function is optnone */
};
struct func_pass : PassInfoMixin<func_pass> {
  PreservedAnalyses run(Module &m, ModuleAnalysisManager &mam);
  static bool isRequired() { return true; }
};

/* sites.cc: descriptor records, module record and constructor. */
struct loop_info {
  unsigned flags = 0; /* enum ap_loop_flags */
  unsigned line = 0, depth = 0;
  std::string file, origin_function;
  GlobalVariable *func = nullptr, *parent = nullptr;
};
/* The record of F's body, created with INFO on first use; FINAL: INFO is
 * complete (the entry/exit pass), write it into the record. */
GlobalVariable *func_site(Function &f, const func_info &info, bool final);
GlobalVariable *find_func_site(Function &f);
GlobalVariable *loop_site(Module &m, const loop_info &info);
struct call_info {
  unsigned flags = 0; /* enum ap_call_flags */
  unsigned line = 0, loop_line = 0;
  std::string callee, file, function;
  uint64_t arg_kinds = 0;
};
/* A file-local writable record, in no section (the runtime registers it at
 * its first probe). */
GlobalVariable *call_site(Module &m, const call_info &info);
StructType *call_site_type(LLVMContext &ctx);
void emit_module_ctor(Module &m);
/* The record layouts, in abi.h's field order (tests/plugin checks them). */
StructType *func_site_type(LLVMContext &ctx);
StructType *loop_site_type(LLVMContext &ctx);
StructType *module_type(LLVMContext &ctx);
bool records_match_abi(const DataLayout &dl, LLVMContext &ctx);
/* Gives B (positioned before an instruction) that instruction's debug
 * location, or line 0 of the function: calls in a function with debug info
 * need one. */
void locate(IRBuilder<> &b);
/* A probe entry point: void NAME(i8*, ...), nounwind. */
FunctionCallee probe(Module &m, const char *name, ArrayRef<Type *> args,
                     Type *result = nullptr); /* void by default */
Constant *as_bytes(Constant *c);

} // namespace ap_llvm

#endif
