/* Loop records without a call (abi.h, "Inline loop counts").
 *
 * Where loops.cc would call the runtime at a loop exit, it asks for
 *
 *   if (every slot of the exit's records is in this thread's counters)
 *     add the figures to __autoprof_loop_tls.counters   (a few loads, adds, stores)
 *   else
 *     the calls, as they were                            (first record of a thread, ...)
 *
 * An outermost loop's exit was one call of about 5 ns (Lua makes 26 M of
 * them in a quarter of a second); inline it is about 1 ns.  A timed loop's
 * untimed entries (its slot's `skip` countdown) are taken the same way in
 * its preheader and counted the same way at its exits.  The C copy of the
 * sequence, which the runtime calibrates, is ap_loop_record_inline in
 * runtime/src/rt.h.  The updates sit at the loop's exits, never in its
 * body, and write memory the program cannot name. */
#include "inline_loops.h"

#include <cstddef>

namespace ap_llvm {

/* extern __thread struct ap_loop_tls, initial-exec (one GOT load, then
 * %fs-relative accesses), declared once per module as abi.h's bytes.  A
 * unit that includes abi.h may already have it, of clang's type: every
 * access goes by abi.h's byte offsets, whatever the declared type. */
GlobalVariable *loop_tls(Module &m) {
  const char *name = "__autoprof_loop_tls";
  if (GlobalVariable *gv = m.getNamedGlobal(name))
    return gv;
  LLVMContext &ctx = m.getContext();
  Type *type = ArrayType::get(Type::getInt8Ty(ctx), sizeof(struct ap_loop_tls));
  auto *gv = new GlobalVariable(m, type, false, GlobalValue::ExternalLinkage, nullptr, name,
                                nullptr, GlobalValue::InitialExecTLSModel);
  gv->setAlignment(Align(alignof(struct ap_loop_tls)));
  return gv;
}

static_assert(offsetof(struct ap_loop_tls, counters) == 0 && sizeof(void *) == 8,
              "ap_loop_tls.counters: a 64-bit pointer at 0");
static_assert(offsetof(struct ap_loop_tls, lim) == 8 &&
                  offsetof(struct ap_loop_tls, inline_records) == 16,
              "abi.h: ap_loop_tls.lim at 8, inline_records at 16");
static_assert(offsetof(struct ap_loop_counts, skip) == 40, "abi.h: skip at 40");

inline_loops::inline_loops(Function &fn, DominatorTree &d, LoopInfo &l)
    : f(fn), dt(d), li(l), tls(loop_tls(*fn.getParent())) {
  LLVMContext &ctx = f.getContext();
  i8 = Type::getInt8Ty(ctx), i16 = Type::getInt16Ty(ctx);
  i32 = Type::getInt32Ty(ctx), i64 = Type::getInt64Ty(ctx);
  auto weight = [&](unsigned w) { return ConstantAsMetadata::get(ConstantInt::get(i32, w)); };
  /* __builtin_expect's weights */
  likely = MDNode::get(ctx, {MDString::get(ctx, "branch_weights"), weight(2000), weight(1)});
  /* The probes, the slow paths.  (Loop records are named
   * __autoprof_loop_site: a record named __autoprof_loop once made
   * getOrInsertFunction return it, and the program call data.) */
  Module &m = *f.getParent();
  Type *ptr = bytes_ptr(ctx);
  loop_fn = probe(m, "__autoprof_loop", {ptr, i64});
  nest_fn = probe(m, "__autoprof_loop_nest", {ptr, i64, i64, i64, i64, i64});
  start_fn = probe(m, "__autoprof_loop_start", {ptr, ptr});
  timed_fn = probe(m, "__autoprof_loop_timed", {ptr, i64, ptr});
}

/* A block on the way from HEAD to TAIL, in HEAD's loop. */
BasicBlock *inline_loops::block(BasicBlock *head, BasicBlock *tail, const char *name) {
  BasicBlock *bb = BasicBlock::Create(f.getContext(), name, &f, tail);
  BranchInst::Create(tail, bb);
  if (Loop *l = li.getLoopFor(head))
    l->addBasicBlockToLoop(bb, li);
  return bb;
}

/* FROM's unconditional branch becomes COND ? YES : NO, YES likely. */
void inline_loops::branch(BasicBlock *from, Value *cond, BasicBlock *yes, BasicBlock *no) {
  Instruction *old = from->getTerminator();
  BranchInst *br = BranchInst::Create(yes, no, cond, old);
  br->setMetadata(LLVMContext::MD_prof, likely);
  br->setDebugLoc(old->getDebugLoc());
  old->eraseFromParent();
}

/* (TYPE *)((char *)BASE + OFFSET) */
Value *inline_loops::field(IRBuilder<> &b, Value *base, uint64_t offset, Type *type) {
  Value *p = b.CreateConstInBoundsGEP1_64(i8, b.CreatePointerCast(base, bytes_ptr(f.getContext())),
                                          offset);
  return b.CreatePointerCast(p, type->getPointerTo());
}

/* site->slot, relaxed: the runtime's registration may write it meanwhile. */
Value *inline_loops::slot(IRBuilder<> &b, Constant *site) {
  LoadInst *s = b.CreateAlignedLoad(i32, field(b, site, offsetof(struct ap_loop_site, slot), i32),
                                    Align(4), "autoprof.slot");
  s->setAtomic(AtomicOrdering::Monotonic);
  return s;
}

Value *inline_loops::lim(IRBuilder<> &b) {
  return b.CreateLoad(i32, field(b, tls, offsetof(struct ap_loop_tls, lim), i32), "autoprof.lim");
}

/* &counters[slot]: loaded anew each time, the runtime may have grown it */
Value *inline_loops::counters(IRBuilder<> &b, Value *slot) {
  Type *ptr = bytes_ptr(f.getContext());
  Value *base = b.CreateLoad(ptr, field(b, tls, offsetof(struct ap_loop_tls, counters), ptr));
  Value *off = b.CreateMul(b.CreateZExt(slot, i64), ConstantInt::get(i64, AP_LOOP_COUNTS_STRIDE));
  return b.CreateInBoundsGEP(i8, base, off, "autoprof.counters");
}

/* __autoprof_loop_nest's figures into the counters at C; min: 0 is "none",
 * so the least of min - 1 (wrapping) is kept, plus 1. */
void inline_loops::add(IRBuilder<> &b, Value *c, Value *const fig[5]) {
  const uint64_t off[5] = {
      offsetof(struct ap_loop_counts, entries), offsetof(struct ap_loop_counts, iterations),
      offsetof(struct ap_loop_counts, min), offsetof(struct ap_loop_counts, max),
      offsetof(struct ap_loop_counts, zero_trip)};
  for (int i = 0; i < 5; i++) {
    Value *p = field(b, c, off[i], i64);
    Value *old = b.CreateAlignedLoad(i64, p, Align(8)), *v;
    if (i == 2) {
      Value *m = b.CreateAdd(old, ConstantInt::getAllOnesValue(i64));
      v = b.CreateAdd(b.CreateSelect(b.CreateICmpULT(fig[i], m), fig[i], m),
                      ConstantInt::get(i64, 1));
    } else if (i == 3) {
      v = b.CreateSelect(b.CreateICmpUGT(fig[i], old), fig[i], old);
    } else {
      v = b.CreateAdd(old, fig[i]);
    }
    b.CreateAlignedStore(v, p, Align(8));
  }
}

/* One entry of N iterations, as figures. */
void inline_loops::add_entry(IRBuilder<> &b, Value *c, Value *n) {
  Value *zero = ConstantInt::get(i64, 0);
  Value *fig[5] = {b.CreateZExt(b.CreateICmpNE(n, zero), i64), n,
                   b.CreateAdd(n, ConstantInt::getAllOnesValue(i64)), n,
                   b.CreateZExt(b.CreateICmpEQ(n, zero), i64)};
  add(b, c, fig);
}

/* inline_records += K: the runtime takes their cost out of enclosing times */
void inline_loops::count_records(IRBuilder<> &b, uint64_t k) {
  Value *p = field(b, tls, offsetof(struct ap_loop_tls, inline_records), i64);
  b.CreateStore(b.CreateAdd(b.CreateLoad(i64, p), ConstantInt::get(i64, k)), p);
}

/* The calls of a group.  An inner loop's figures are sent only if it ran
 * in this entry of its nest (entries or zero-trip entries): in a big nest
 * most did not (pcre2's match(): 146 loops in one dispatch loop, 1-3 run
 * per pass), and a call for each was sent at every exit of the nest.  (Its
 * five locals per inner loop are still set and read at every entry and
 * exit: a generated 140-loop nest runs at 0.33 s per 1 M calls at -O2.) */
void inline_loops::call_count(IRBuilder<> &b, ArrayRef<loop_figures> group) {
  for (const loop_figures &g : group) {
    if (g.n) {
      b.CreateCall(loop_fn, {g.site, g.n});
      continue;
    }
    Instruction *at = &*b.GetInsertPoint();
    Value *ran = b.CreateICmpNE(b.CreateOr(g.nest[0], g.nest[4]), ConstantInt::get(i64, 0));
    BasicBlock *head = at->getParent(), *tail = SplitBlock(head, at, &dt, &li);
    BasicBlock *send = block(head, tail, "autoprof.nest");
    tails.insert(tail);
    Instruction *old = head->getTerminator();
    BranchInst *br = BranchInst::Create(send, tail, ran, old);
    br->setDebugLoc(old->getDebugLoc());
    old->eraseFromParent();
    dt.addNewBlock(send, head);
    IRBuilder<> sb(send->getTerminator());
    sb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
    Value *args[6] = {g.site, g.nest[0], g.nest[1], g.nest[2], g.nest[3], g.nest[4]};
    sb.CreateCall(nest_fn, args);
    b.SetInsertPoint(at);
  }
}

void inline_loops::call_start(IRBuilder<> &b, Constant *site, Value *stamp) {
  b.CreateCall(start_fn, {site, b.CreatePointerCast(stamp, bytes_ptr(f.getContext()))});
}

void inline_loops::call_end(IRBuilder<> &b, Constant *site, Value *n, Value *stamp) {
  b.CreateCall(timed_fn, {site, n, b.CreatePointerCast(stamp, bytes_ptr(f.getContext()))});
}

/* Before AT: COND ? fast : slow, fast likely; each new block's terminator
 * returned, the code after AT where both go next. */
std::pair<Instruction *, Instruction *> inline_loops::split(Instruction *at, Value *cond) {
  BasicBlock *head = at->getParent(), *tail = SplitBlock(head, at, &dt, &li);
  BasicBlock *fast = block(head, tail, "autoprof.inline"),
             *slow = block(head, tail, "autoprof.call");
  tails.insert(tail);
  branch(head, cond, fast, slow);
  dt.addNewBlock(fast, head);
  dt.addNewBlock(slow, head);
  return {fast->getTerminator(), slow->getTerminator()};
}

void inline_loops::count(Instruction *at, ArrayRef<loop_figures> group, bool inl) {
  IRBuilder<> b(at);
  locate(b);
  if (!inl)
    return call_count(b, group);
  /* one test: the largest slot - 1 (u32: slot 0 is the largest) below lim */
  SmallVector<Value *, 8> slots;
  Value *most = nullptr;
  for (const loop_figures &g : group) {
    slots.push_back(slot(b, g.site));
    Value *m = b.CreateAdd(slots.back(), ConstantInt::getAllOnesValue(i32));
    most = most ? b.CreateSelect(b.CreateICmpUGT(m, most), m, most) : m;
  }
  auto [fast, slow] = split(at, b.CreateICmpULT(most, lim(b)));
  IRBuilder<> fb(fast), sb(slow);
  fb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  sb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  for (size_t i = 0; i < group.size(); i++) {
    const loop_figures &g = group[i];
    Value *c = counters(fb, slots[i]);
    if (g.n)
      add_entry(fb, c, g.n);
    else
      add(fb, c, g.nest);
  }
  count_records(fb, group.size());
  call_count(sb, group);
}

/* if (slot - 1 < lim && c->skip) { c->skip--; stamp.pairs = UINT64_MAX; } else start */
void inline_loops::start(Instruction *at, Constant *site, Value *stamp, bool inl) {
  IRBuilder<> b(at);
  locate(b);
  if (!inl)
    return call_start(b, site, stamp);
  Value *s = slot(b, site);
  auto [there, slow] =
      split(at, b.CreateICmpULT(b.CreateAdd(s, ConstantInt::getAllOnesValue(i32)), lim(b)));
  /* the skip is read only once the slot is known to be there */
  IRBuilder<> tb(there), sb(slow);
  tb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  sb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  Value *skip = field(tb, counters(tb, s), offsetof(struct ap_loop_counts, skip), i16);
  Value *left = tb.CreateAlignedLoad(i16, skip, Align(2), "autoprof.skip");
  BasicBlock *checked = there->getParent();
  BasicBlock *fast = block(checked, at->getParent(), "autoprof.inline");
  branch(checked, tb.CreateICmpNE(left, ConstantInt::get(i16, 0)), fast, slow->getParent());
  dt.addNewBlock(fast, checked);

  IRBuilder<> fb(fast->getTerminator());
  fb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  fb.CreateAlignedStore(fb.CreateAdd(left, ConstantInt::getAllOnesValue(i16)), skip, Align(2));
  fb.CreateStore(ConstantInt::getAllOnesValue(i64),
                 field(fb, stamp, offsetof(struct ap_loop_stamp, pairs), i64));
  count_records(fb, 2); /* the test and the count */
  call_start(sb, site, stamp);
}

/* if (stamp.pairs == UINT64_MAX) count inline (the start made sure of the
 * slot, and counted the record) else __autoprof_loop_timed */
void inline_loops::end(Instruction *at, Constant *site, Value *n, Value *stamp, bool inl) {
  IRBuilder<> b(at);
  locate(b);
  if (!inl)
    return call_end(b, site, n, stamp);
  Value *pairs = b.CreateLoad(i64, field(b, stamp, offsetof(struct ap_loop_stamp, pairs), i64));
  auto [fast, slow] = split(at, b.CreateICmpEQ(pairs, ConstantInt::getAllOnesValue(i64)));
  IRBuilder<> fb(fast), sb(slow);
  fb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  sb.SetCurrentDebugLocation(b.getCurrentDebugLocation());
  add_entry(fb, counters(fb, slot(fb, site)), n);
  call_end(sb, site, n, stamp);
}

} // namespace ap_llvm
