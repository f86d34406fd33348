/* Loop entries that LLVM moved in front of the loop, counted as GCC counts
 * them (GCC's counters go in before any loop transformation).
 *
 * LoopRotate turns `while (test) body` into `if (test) do body while
 * (test)`: the first test becomes a guard in front of the loop, and an entry
 * that fails it (a zero-trip entry) never reaches the loop, where the
 * counters are (VectorizerStart, loops.cc).  LoopPeel (in LoopFullUnroll)
 * moves the first iterations in front of the loop too.
 *
 * Marks: after each LoopRotatePass run that rotated a loop (a pass
 * instrumentation callback: no pass of ours runs between rotation and the
 * passes that follow it), the old header's branch — now the loop's bottom
 * test — and the guard get the same metadata node, and the guard's
 * condition gets an !annotation naming it (the one metadata kind SimplifyCFG
 * keeps when it folds the guard into a preceding branch).  Metadata changes
 * no optimisation; inlining, peeling and unswitching copy it with the code.
 * The loop pass reads the marks (find_entry) and strips them all.
 *
 * Per loop, find_entry gives:
 *  - g: 1 when the old header did more than test (a store, a call): GCC then
 *    counts header runs, and the guard was one;
 *  - p: iterations LoopPeel moved out (llvm.loop.peeled.count);
 *  - the edges that end an entry before the loop proper: the guard's failing
 *    edge (g iterations: a zero-trip entry for a test-only header), the
 *    peeled tests' failing edges and any other edge leaving the peeled
 *    iterations (a break), each with the iterations that entry ran.
 * The loop proper's own count then gets g + p added. */
#include "autoprof_llvm.h"

namespace ap_llvm {
namespace {

const char *const guard_md = "autoprof.guard", *const test_md = "autoprof.test";
const char *const anchor_md = "autoprof.anchor", *const top_md = "autoprof.top";
const char *const parent_property = "autoprof.parent"; /* in a parent loop's LoopID */
const char *const place_md = "autoprof.place";
const char *const annotation_prefix = "autoprof.guard.";

/* A rotation in progress: what the loop looked like before LoopRotatePass. */
struct before_rotation {
  BasicBlock *header = nullptr, *preheader = nullptr; /* the guard goes there */
  Instruction *test = nullptr;                        /* the header's branch */
  bool top = false;                                   /* the header only tests */
};
std::map<const Loop *, before_rotation> pending;
unsigned next_mark;

const Loop *loop_of(Any ir) {
  return any_isa<const Loop *>(ir) ? any_cast<const Loop *>(ir) : nullptr;
}

bool instrumented_already(const Loop *loop) {
  return loop->getHeader()->getParent()->hasFnAttribute("autoprof-loops");
}

void before_pass(StringRef pass, Any ir) {
  const Loop *loop = loop_of(ir);
  if (pass != "LoopRotatePass" || !loop || instrumented_already(loop))
    return;
  BasicBlock *header = loop->getHeader();
  auto *br = dyn_cast<BranchInst>(header->getTerminator());
  if (!br || !br->isConditional() || br->getMetadata(test_md))
    return;
  Loop *l = const_cast<Loop *>(loop);
  pending[loop] = {header, loop->getLoopPreheader(), br, top_tested(l) || marked_top_test(l)};
}

/* Every path from FROM to a block for which STOP holds goes through GUARD
 * (and, in a loop M, stays in it: LEAVES tells an edge out of it). */
template <typename Stop, typename Leaves>
bool all_paths_through(BasicBlock *from, BasicBlock *guard, Stop stop, Leaves leaves) {
  SmallPtrSet<BasicBlock *, 32> seen;
  SmallVector<BasicBlock *, 16> work{from};
  seen.insert(from);
  while (!work.empty()) {
    BasicBlock *bb = work.pop_back_val();
    if (bb == guard)
      continue;
    if (stop(bb))
      return false;
    for (BasicBlock *s : successors(bb)) {
      if (leaves(s))
        return false;
      if (seen.insert(s).second)
        work.push_back(s);
    }
  }
  return true;
}

/* GUARD runs again before STOP (a parent loop's header, or never): it is
 * in a loop of its own. */
bool in_cycle(BasicBlock *guard, BasicBlock *stop) {
  SmallPtrSet<BasicBlock *, 32> seen;
  SmallVector<BasicBlock *, 16> work(succ_begin(guard), succ_end(guard));
  while (!work.empty()) {
    BasicBlock *bb = work.pop_back_val();
    if (bb == stop) /* a new iteration of the parent (the guard may be its header) */
      continue;
    if (bb == guard)
      return true;
    if (seen.insert(bb).second)
      work.append(succ_begin(bb), succ_end(bb));
  }
  return false;
}

/* Our property NAME in a LoopID: a node !{!NAME, ...}.  A LoopID is what
 * LLVM keeps on a loop through rotation, exit rewriting and inlining; the
 * properties it does not know it leaves alone. */
MDNode *loop_property(MDNode *id, StringRef name) {
  for (unsigned i = 1; id && i < id->getNumOperands(); i++)
    if (auto *prop = dyn_cast_or_null<MDNode>(id->getOperand(i).get()))
      if (prop->getNumOperands() >= 1)
        if (auto *s = dyn_cast_or_null<MDString>(prop->getOperand(0).get()))
          if (s->getString() == name)
            return prop;
  return nullptr;
}

MDNode *anchor_property(MDNode *id) {
  return loop_property(id, parent_property);
}

/* ID with PROP added (DROP: without our own properties instead). */
MDNode *with_property(MDNode *id, MDNode *prop, bool drop = false) {
  SmallVector<Metadata *, 4> ops{nullptr};
  for (unsigned i = 1; i < id->getNumOperands(); i++) {
    auto *old = dyn_cast_or_null<MDNode>(id->getOperand(i).get());
    auto *name = old && old->getNumOperands() ? dyn_cast_or_null<MDString>(old->getOperand(0).get())
                                              : nullptr;
    if (!(drop && name && name->getString().startswith("autoprof.")))
      ops.push_back(id->getOperand(i).get());
  }
  if (prop)
    ops.push_back(prop);
  MDNode *new_id = MDNode::getDistinct(id->getContext(), ops);
  new_id->replaceOperandWith(0, new_id);
  return new_id;
}

/* An anchor: something whose run count is the number of times the loop's
 * first test runs, whatever LLVM does to the guard afterwards (jump
 * threading sends entries around it when an earlier test decided it).
 * Each iteration of the parent loop runs the guard once (every path through
 * its body passes it), or each call of the function does.  The parent's
 * LoopID gets the returned node (the loop pass finds it there); the
 * function is named.  No anchor for a parent without a LoopID: adding one
 * could change what LLVM does with the loop. */
Metadata *anchor_for(const Loop *loop, BasicBlock *guard) {
  LLVMContext &ctx = guard->getContext();
  Loop *m = const_cast<Loop *>(loop->getParentLoop());
  if (in_cycle(guard, m ? m->getHeader() : nullptr))
    return nullptr;
  if (!m) {
    Function *f = guard->getParent();
    bool once = all_paths_through(
        &f->getEntryBlock(), guard,
        [](BasicBlock *bb) { return isa<ReturnInst>(bb->getTerminator()); },
        [](BasicBlock *) { return false; });
    return once ? MDString::get(ctx, f->getName()) : nullptr;
  }
  MDNode *id = m->getLoopID();
  if (!id)
    return nullptr;
  /* the body starts after the header's test, if it has one */
  BasicBlock *h = m->getHeader(), *start = h;
  auto *test = dyn_cast<BranchInst>(h->getTerminator());
  if (test && test->isConditional() &&
      (!m->contains(test->getSuccessor(0)) || !m->contains(test->getSuccessor(1))))
    start = m->contains(test->getSuccessor(0)) ? test->getSuccessor(0) : test->getSuccessor(1);
  bool once = all_paths_through(
      start, guard, [&](BasicBlock *bb) { return isa<ReturnInst>(bb->getTerminator()); },
      [&](BasicBlock *s) { return s == h || !m->contains(s); });
  if (!once)
    return nullptr;
  if (MDNode *prop = anchor_property(id))
    return prop;
  MDNode *prop = MDNode::getDistinct(ctx, {MDString::get(ctx, parent_property)});
  m->setLoopID(with_property(id, prop));
  return prop;
}

/* The anchor of the loop whose test is TEST: a node of its own, which
 * copies of the loop made later (unswitching, peeling: one first test for
 * them all) share, and loops inlined elsewhere do not keep (reanchor). */
void set_anchor(Instruction *test, Metadata *what) {
  test->setMetadata(anchor_md, what ? MDNode::getDistinct(test->getContext(), {what}) : nullptr);
}

MDNode *test_mark(const Instruction *i) {
  return i->getMetadata(test_md);
}

/* After inlining into F: the loops it received still have their guard
 * (the passes that thread guards run later), and their first test now runs
 * once per call of F or per iteration of one of F's loops, if at all. */
void reanchor(Function &f) {
  if (f.isDeclaration() || f.hasFnAttribute("autoprof-loops") ||
      none_of(f, [](BasicBlock &bb) { return test_mark(bb.getTerminator()); }))
    return;
  DominatorTree dt(f);
  LoopInfo li(dt);
  for (Loop *loop : li.getLoopsInPreorder()) {
    BasicBlock *pre = loop->getLoopPreheader();
    BasicBlock *guard = pre ? pre->getUniquePredecessor() : nullptr;
    auto *br = guard ? dyn_cast<BranchInst>(guard->getTerminator()) : nullptr;
    MDNode *mark = br ? br->getMetadata(guard_md) : nullptr;
    if (!mark || mdconst::extract<ConstantInt>(mark->getOperand(0))->getZExtValue())
      continue;
    SmallVector<BasicBlock *, 4> exiting;
    loop->getExitingBlocks(exiting);
    for (BasicBlock *bb : exiting)
      if (li.getLoopFor(bb) == loop && test_mark(bb->getTerminator()) == mark)
        set_anchor(bb->getTerminator(), anchor_for(loop, guard));
  }
}

/* The loop was rotated: mark its test (still the old header's branch) and,
 * unless LoopRotate folded it, the guard (its clone, ending the block before
 * the new preheader). */
void after_pass(StringRef pass, Any ir, const PreservedAnalyses &pa) {
  if (pass == "InlinerPass" && any_isa<const LazyCallGraph::SCC *>(ir)) {
    for (LazyCallGraph::Node &n : *any_cast<const LazyCallGraph::SCC *>(ir))
      reanchor(n.getFunction());
    return;
  }
  const Loop *loop = loop_of(ir);
  if (pass != "LoopRotatePass" || !loop)
    return;
  auto it = pending.find(loop);
  if (it == pending.end())
    return;
  before_rotation was = it->second;
  pending.erase(it);
  if (pa.areAllPreserved() || loop->getHeader() == was.header)
    return;
  bool test_in_loop = false;
  for (BasicBlock *bb : loop->blocks())
    test_in_loop |= bb->getTerminator() == was.test;
  if (!test_in_loop)
    return;
  LLVMContext &ctx = was.test->getContext();
  std::string name = annotation_prefix + std::to_string(next_mark++);
  BasicBlock *pre = loop->getLoopPreheader();
  BasicBlock *guard = pre ? pre->getUniquePredecessor() : nullptr;
  auto *br = guard ? dyn_cast<BranchInst>(guard->getTerminator()) : nullptr;
  /* the guard is the old preheader's new end, unless LoopRotate folded it */
  if (br && (guard != was.preheader || !br->isConditional() || br == was.test ||
             (br->getSuccessor(0) != pre && br->getSuccessor(1) != pre)))
    br = nullptr;
  MDNode *mark = MDNode::getDistinct(
      ctx, {ConstantAsMetadata::get(ConstantInt::get(Type::getInt32Ty(ctx), was.top ? 0 : 1)),
            MDString::get(ctx, name)});
  was.test->setMetadata(test_md, mark);
  set_anchor(was.test, br && was.top ? anchor_for(loop, guard) : nullptr);
  /* the top mark has served (copies of the test must not carry it) */
  was.test->setMetadata(top_md, nullptr);
  if (!br)
    return;
  br->setMetadata(top_md, nullptr);
  br->setMetadata(place_md, nullptr); /* the loop's own test keeps it */
  br->setMetadata(guard_md, mark);
  /* the condition only when it is the guard's own (the clone of the test) */
  auto *cond = dyn_cast<Instruction>(br->getCondition());
  if (cond && cond->getParent() == guard && cond->hasOneUse())
    cond->addAnnotationMetadata(name);
}

StringRef mark_name(MDNode *mark) {
  return cast<MDString>(mark->getOperand(1))->getString();
}

/* V carries MARK's annotation: it is the value of that loop's first test. */
bool annotated(Value *v, MDNode *mark) {
  auto *i = dyn_cast<Instruction>(v);
  MDNode *a = i ? i->getMetadata(LLVMContext::MD_annotation) : nullptr;
  if (a)
    for (const MDOperand &op : a->operands())
      if (auto *s = dyn_cast<MDString>(op.get()))
        if (s->getString() == mark_name(mark))
          return true;
  return false;
}

/* A logical and, as SimplifyCFG makes it when it folds one branch into
 * another (select a, b, false) or InstCombine leaves it (and i1 a, b). */
bool logical_and(Value *v, Value *&a, Value *&b) {
  if (!v->getType()->isIntegerTy(1))
    return false;
  if (auto *sel = dyn_cast<SelectInst>(v)) {
    auto *f = dyn_cast<ConstantInt>(sel->getFalseValue());
    if (!f || !f->isZero())
      return false;
    a = sel->getCondition(), b = sel->getTrueValue();
    return true;
  }
  auto *bo = dyn_cast<BinaryOperator>(v);
  if (!bo || bo->getOpcode() != Instruction::And)
    return false;
  a = bo->getOperand(0), b = bo->getOperand(1);
  return true;
}

bool logical_op(Value *v) {
  Value *a, *b;
  if (logical_and(v, a, b) || isa<SelectInst>(v))
    return true;
  auto *bo = dyn_cast<BinaryOperator>(v);
  return v->getType()->isIntegerTy(1) && bo &&
         (bo->getOpcode() == Instruction::Or || bo->getOpcode() == Instruction::Xor);
}

} // namespace

/* The source's own view of its loops, before SimplifyCFG and LoopRotate
 * reshape them: the branch of a header that only tests is its top test.  A
 * while loop whose body LLVM then speculates into its header (a one-block
 * loop, `while (a[i] < x) i++;`) looks like a do-while afterwards; the
 * mark says that leaving through that branch ran no body. */
PreservedAnalyses top_marks_pass::run(Module &m, ModuleAnalysisManager &) {
  for (Function &f : m) {
    if (f.isDeclaration())
      continue;
    DominatorTree dt(f);
    LoopInfo li(dt);
    for (Loop *loop : li.getLoopsInPreorder())
      if (top_tested(loop))
        loop->getHeader()->getTerminator()->setMetadata(top_md, MDNode::get(m.getContext(), {}));
  }
  return PreservedAnalyses::all();
}

/* Without -g the IR has no locations; the frontend saw each function's
 * loops in the order clang emits them, and at PipelineStart the IR's loops
 * are still those (their headers in that order): when the numbers agree,
 * each loop's exit tests (what rotation, peeling and inlining keep of a
 * loop) get its line, file and function.  Otherwise (a loop the frontend
 * could not foresee) the function's loops keep line 0. */
PreservedAnalyses loop_places_pass::run(Module &m, ModuleAnalysisManager &) {
  const config &c = get_config();
  if (c.unit != m.getSourceFileName())
    return PreservedAnalyses::all();
  for (Function &f : m) {
    StringRef symbol = f.getName();
    symbol.consume_front("\1");
    auto known = c.places.find(symbol.str());
    if (f.isDeclaration() || f.getSubprogram() || known == c.places.end() ||
        known->second.loops.empty())
      continue;
    DominatorTree dt(f);
    LoopInfo li(dt);
    DenseMap<BasicBlock *, unsigned> order;
    for (BasicBlock &bb : f)
      order[&bb] = order.size();
    SmallVector<Loop *, 8> loops = li.getLoopsInPreorder();
    std::stable_sort(loops.begin(), loops.end(), [&](Loop *a, Loop *b) {
      return order[a->getHeader()] < order[b->getHeader()];
    });
    const std::vector<config::loop_place> &places = known->second.loops;
    if (loops.size() != places.size()) {
      if (c.verbose)
        errs() << "autoprof: " << known->second.file << ":" << known->second.line << ": "
               << known->second.name << ": " << loops.size() << " loops in IR, " << places.size()
               << " in the source: loop lines unknown without -g\n";
      continue;
    }
    LLVMContext &ctx = m.getContext();
    for (size_t i = 0; i < loops.size(); i++) {
      MDNode *place = MDNode::get(
          ctx, {ConstantAsMetadata::get(ConstantInt::get(Type::getInt32Ty(ctx), places[i].line)),
                MDString::get(ctx, places[i].file), MDString::get(ctx, known->second.name)});
      for (BasicBlock *bb : loops[i]->blocks())
        if (li.getLoopFor(bb) == loops[i] && loops[i]->isLoopExiting(bb))
          bb->getTerminator()->setMetadata(place_md, place);
      /* and in its LoopID (C and C++ loops with a condition have one) */
      if (MDNode *id = loops[i]->getLoopID())
        loops[i]->setLoopID(
            with_property(id, MDNode::get(ctx, {MDString::get(ctx, place_md), place})));
    }
  }
  return PreservedAnalyses::all();
}

MDNode *loop_place_of(Loop *loop) {
  SmallVector<BasicBlock *, 4> exiting;
  loop->getExitingBlocks(exiting);
  for (BasicBlock *bb : exiting)
    if (MDNode *place = bb->getTerminator()->getMetadata(place_md))
      if (none_of(loop->getSubLoops(), [&](Loop *l) { return l->contains(bb); }))
        return place;
  MDNode *prop = loop_property(loop->getLoopID(), place_md);
  return prop && prop->getNumOperands() == 2 ? dyn_cast_or_null<MDNode>(prop->getOperand(1).get())
                                             : nullptr;
}

bool marked_top_test(Loop *loop) {
  auto *br = dyn_cast<BranchInst>(loop->getHeader()->getTerminator());
  return br && br->getMetadata(top_md) && br->isConditional() &&
         (!loop->contains(br->getSuccessor(0)) || !loop->contains(br->getSuccessor(1))) &&
         tests_condition_only(loop, br); /* not since a `break` test was folded into it */
}

void register_entry_marks(PassBuilder &pb) {
  PassInstrumentationCallbacks *pic = pb.getPassInstrumentationCallbacks();
  if (!pic)
    return; /* loops then count as before: zero-trip entries only at -O0 */
  pic->registerBeforeNonSkippedPassCallback(before_pass);
  pic->registerAfterPassCallback(after_pass);
}

namespace {

/* A LoopID without our properties (the same otherwise). */
void strip_anchor(Instruction &i) {
  MDNode *id = i.getMetadata(LLVMContext::MD_loop);
  if (id && (anchor_property(id) || loop_property(id, place_md)))
    i.setMetadata(LLVMContext::MD_loop, with_property(id, nullptr, true));
}

} // namespace

void strip_entry_marks(Function &f) {
  for (BasicBlock &bb : f)
    for (Instruction &i : bb) {
      if (!i.hasMetadataOtherThanDebugLoc())
        continue;
      i.setMetadata(guard_md, nullptr);
      i.setMetadata(test_md, nullptr);
      i.setMetadata(top_md, nullptr);
      i.setMetadata(place_md, nullptr);
      i.setMetadata(anchor_md, nullptr);
      strip_anchor(i);
      MDNode *a = i.getMetadata(LLVMContext::MD_annotation);
      if (!a)
        continue;
      SmallVector<Metadata *, 2> keep;
      for (const MDOperand &op : a->operands()) {
        auto *s = dyn_cast<MDString>(op.get());
        if (!s || !s->getString().startswith(annotation_prefix))
          keep.push_back(op.get());
      }
      if (keep.size() != a->getNumOperands())
        i.setMetadata(LLVMContext::MD_annotation,
                      keep.empty() ? nullptr : MDTuple::get(f.getContext(), keep));
    }
}

entry_finder::entry_finder(Function &f, LoopInfo &l, DominatorTree &d) : li(l), dt(d) {
  for (Loop *loop : li.getLoopsInPreorder()) {
    BasicBlock *test = nullptr;
    if (MDNode *mark = mark_of(loop, &test)) {
      copies[mark].push_back(loop);
      if (MDNode *a = test->getTerminator()->getMetadata(anchor_md))
        anchors[a]++;
    }
  }
}

/* The mark on one of LOOP's own exiting branches (its rotated test). */
MDNode *entry_finder::mark_of(Loop *loop, BasicBlock **block) {
  SmallVector<BasicBlock *, 4> exiting;
  loop->getExitingBlocks(exiting);
  for (BasicBlock *bb : exiting)
    if (li.getLoopFor(bb) == loop)
      if (MDNode *mark = test_mark(bb->getTerminator())) {
        if (block)
          *block = bb;
        return mark;
      }
  return nullptr;
}

/* Blocks from which one of TARGETS is reached in the same iteration of
 * PARENT (not through its header), outside the loops of SKIP. */
void entry_finder::reaching(ArrayRef<BasicBlock *> targets, Loop *parent, ArrayRef<Loop *> skip,
                            SmallPtrSetImpl<BasicBlock *> &out) {
  SmallVector<BasicBlock *, 16> work(targets.begin(), targets.end());
  out.insert(targets.begin(), targets.end());
  while (!work.empty()) {
    BasicBlock *bb = work.pop_back_val();
    if (parent && bb == parent->getHeader())
      continue;
    for (BasicBlock *pred : predecessors(bb)) {
      if ((parent && !parent->contains(pred)) ||
          any_of(skip, [&](Loop *l) { return l->contains(pred); }))
        continue;
      if (out.insert(pred).second)
        work.push_back(pred);
    }
  }
}

/* The guard and the peeled tests of LOOP: the marked branches on the
 * dominator path up to its preheader that lead to it on one side only. */
void entry_finder::walk(Loop *loop, MDNode *mark, const SmallPtrSetImpl<BasicBlock *> &any,
                        loop_entry &e, guard_info &g) {
  Loop *parent = loop->getParentLoop();
  for (DomTreeNode *n = dt[loop->getLoopPreheader()]->getIDom(); n; n = n->getIDom()) {
    BasicBlock *bb = n->getBlock();
    if (li.getLoopFor(bb) != parent)
      break;
    auto *br = dyn_cast<BranchInst>(bb->getTerminator());
    if (br && br->isConditional()) {
      bool in0 = any.count(br->getSuccessor(0)), in1 = any.count(br->getSuccessor(1));
      /* InstCombine passes the annotation on to what it makes of the test
       * (an `and` with another test too): an annotated logical operation is
       * not the test itself */
      Value *c = br->getCondition(), *a, *b;
      bool lop = logical_op(c), ands = logical_and(c, a, b);
      bool a_test = ands && annotated(a, mark) && !logical_op(a);
      bool b_test = ands && annotated(b, mark) && !logical_op(b);
      bool is_test = !lop && annotated(c, mark);
      bool guard = br->getMetadata(guard_md) == mark, test = test_mark(br) == mark;
      if ((guard || test || is_test || b_test) && in0 == in1)
        break; /* another copy's, or no test of this entry */
      if (guard) {
        g.branch = br;
        if (!lop)
          g.pure = true; /* the test, or a value LLVM proved equal to it */
        else if (a_test && !b_test)
          g.when = a, g.negate = true; /* a later test folded in: count when A fails */
        break;
      }
      if (test) {
        g.tests.push_back(br);
      } else if (is_test) {
        g.branch = br, g.pure = true;
        break;
      } else if (b_test && !a_test && in0) {
        g.branch = br, g.when = a; /* folded into an earlier test A: count when A held */
        break;
      }
    }
    if (parent && bb == parent->getHeader())
      break;
  }
  std::reverse(g.tests.begin(), g.tests.end());
}

/* The anchor of LOOP (its test in TEST_BLOCK), if it still holds: no other
 * loop shares it (one first test for several loops), and the loop is still
 * in the function or parent loop it names. */
loop_entry::anchor_kind entry_finder::anchored(Loop *loop, BasicBlock *test_block) {
  MDNode *a = test_block->getTerminator()->getMetadata(anchor_md);
  if (!a || anchors.lookup(a) != 1)
    return loop_entry::NONE;
  Metadata *what = a->getOperand(0).get();
  if (auto *name = dyn_cast_or_null<MDString>(what))
    return !loop->getParentLoop() && name->getString() == loop->getHeader()->getParent()->getName()
               ? loop_entry::PER_CALL
               : loop_entry::NONE;
  Loop *m = loop->getParentLoop();
  return m && what && anchor_property(m->getLoopID()) == what ? loop_entry::PER_PARENT_ITERATION
                                                              : loop_entry::NONE;
}

bool entry_finder::claim(BasicBlock *from, BasicBlock *to) {
  return claimed.insert({from, to}).second;
}

/* The edges out of the blocks between the guard (or the first peeled test)
 * and the preheader that never reach it: entries that ended there. */
void entry_finder::region_exits(Loop *loop, const SmallPtrSetImpl<BasicBlock *> &mine,
                                const SmallPtrSetImpl<BasicBlock *> &any, uint64_t g_it,
                                const guard_info &g, loop_entry &e) {
  BasicBlock *top = g.branch ? nullptr : g.tests.empty() ? nullptr : g.tests.front()->getParent();
  if (g.branch)
    for (BasicBlock *s : successors(g.branch))
      if (mine.count(s))
        top = s;
  if (!top)
    return;
  for (BasicBlock &block :
       *loop->getHeader()->getParent()) { /* in order: the same code each time */
    BasicBlock *bb = &block;
    if (!mine.count(bb) || bb == loop->getLoopPreheader() || !dt.dominates(top, bb) ||
        !isa<BranchInst>(bb->getTerminator()))
      continue;
    uint64_t passed = 1; /* the first test passed: the body ran once */
    int test = -1;
    for (size_t i = 0; i < g.tests.size(); i++) {
      BasicBlock *tb = g.tests[i]->getParent();
      if (tb == bb)
        test = (int)i;
      else if (dt.dominates(tb, bb))
        passed++;
    }
    for (BasicBlock *s : successors(bb)) {
      if (any.count(s) || s->isEHPad() || !claim(bb, s))
        continue;
      /* the (i+1)th peeled test failed: i+1 iterations, plus the header
       * run of that test when the header does more than test */
      uint64_t n = test >= 0 ? passed + g_it : passed;
      e.exits.push_back({bb, s, n, nullptr, false});
    }
  }
}

loop_entry entry_finder::find(Loop *loop) {
  loop_entry e;
  MDNode *mark = mark_of(loop, &e.test_block);
  if (!mark || !loop->getLoopPreheader())
    return e;
  uint64_t g_it = mdconst::extract<ConstantInt>(mark->getOperand(0))->getZExtValue();
  e.rotated = true;
  e.anchor = anchored(loop, e.test_block);
  e.counts_header_runs = g_it != 0;
  Optional<int> peeled = getOptionalIntLoopAttribute(loop, "llvm.loop.peeled.count");
  uint64_t p = peeled && *peeled > 0 ? (uint64_t)*peeled : 0;
  e.peeled = p;
  /* Entries that reach this loop or one of its copies (unswitching makes
   * two versions of a loop behind one guard) in this iteration of the
   * parent, and those that reach this loop. */
  ArrayRef<Loop *> same = copies[mark];
  SmallVector<BasicBlock *, 2> pres;
  for (Loop *l : same)
    if (l->getParentLoop() == loop->getParentLoop() && l->getLoopPreheader())
      pres.push_back(l->getLoopPreheader());
  SmallPtrSet<BasicBlock *, 32> any, mine;
  reaching(pres, loop->getParentLoop(), same, any);
  reaching({loop->getLoopPreheader()}, loop->getParentLoop(), same, mine);
  guard_info g;
  walk(loop, mark, any, e, g);
  if (g.branch && (g.pure || g.when)) {
    for (BasicBlock *s : successors(g.branch))
      if (!any.count(s) && claim(g.branch->getParent(), s))
        e.exits.push_back({g.branch->getParent(), s, g_it, g.when, g.negate});
  } else if (g.branch) {
    e.lost = "the entry test was folded into another test";
  }
  if (g.tests.size() == p)
    region_exits(loop, mine, any, g_it, g, e);
  else
    e.lost = "LLVM folded some peeled iterations' tests";
  return e;
}

} // namespace ap_llvm
