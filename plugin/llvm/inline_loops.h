/* inline_loops.cc: loop records made by the instrumented code itself
 * (abi.h, "Inline loop counts"), the probe calls kept as their slow path.
 * loops.cc decides where records go; this writes them. */
#ifndef AUTOPROF_LLVM_INLINE_LOOPS_H
#define AUTOPROF_LLVM_INLINE_LOOPS_H

#include "autoprof_llvm.h"

namespace ap_llvm {

/* One loop's record at an exit: an entry of N iterations (__autoprof_loop),
 * or, N null, an untimed inner loop's figures over its nest's entry as
 * __autoprof_loop_nest takes them (entries, iterations, min - 1, max, zero
 * trip). */
struct loop_figures {
  Constant *site; /* the struct ap_loop_site */
  Value *n;
  Value *nest[5];
};

/* Each call writes its records before AT, inline when INL (splitting the
 * block there, DT and LI kept up to date), else as the probe calls they
 * replace; code added before AT afterwards follows them. */
class inline_loops {
public:
  inline_loops(Function &f, DominatorTree &dt, LoopInfo &li);
  /* The records of one exit: one test (every slot of GROUP is in this
   * thread's counters), then inline updates, or else the probe calls. */
  void count(Instruction *at, ArrayRef<loop_figures> group, bool inl);
  /* A timed loop: its start (an untimed entry takes its slot's skip
   * inline, a timed one calls __autoprof_loop_start) and its end (an
   * untimed entry counts inline, a timed one calls __autoprof_loop_timed).
   * STAMP: the [3 x i64] local both share. */
  void start(Instruction *at, Constant *site, Value *stamp, bool inl);
  void end(Instruction *at, Constant *site, Value *n, Value *stamp, bool inl);
  /* BB holds what followed inline records (AT and the rest of its block). */
  bool after(BasicBlock *bb) const { return tails.count(bb); }

private:
  Function &f;
  DominatorTree &dt;
  LoopInfo &li;
  MDNode *likely;
  GlobalVariable *tls;
  Type *i8, *i16, *i32, *i64;
  FunctionCallee loop_fn, nest_fn, start_fn, timed_fn;
  SmallPtrSet<BasicBlock *, 16> tails;

  BasicBlock *block(BasicBlock *head, BasicBlock *tail, const char *name);
  void branch(BasicBlock *from, Value *cond, BasicBlock *yes, BasicBlock *no);
  Value *field(IRBuilder<> &b, Value *base, uint64_t offset, Type *type);
  Value *slot(IRBuilder<> &b, Constant *site);
  Value *lim(IRBuilder<> &b);
  Value *counters(IRBuilder<> &b, Value *slot);
  void add(IRBuilder<> &b, Value *c, Value *const figures[5]);
  void add_entry(IRBuilder<> &b, Value *c, Value *n);
  void count_records(IRBuilder<> &b, uint64_t k);
  std::pair<Instruction *, Instruction *> split(Instruction *at, Value *cond);
  void call_count(IRBuilder<> &b, ArrayRef<loop_figures> group);
  void call_start(IRBuilder<> &b, Constant *site, Value *stamp);
  void call_end(IRBuilder<> &b, Constant *site, Value *n, Value *stamp);
};

} // namespace ap_llvm

#endif
