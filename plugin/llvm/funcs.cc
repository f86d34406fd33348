/* Function entry/exit probes.
 *
 * Where: a module pass at OptimizerLast, the end of the optimisation
 * pipeline.  By then inlining is done (inlined helpers get no probes and
 * cost nothing), FunctionAttrs has inferred readnone/readonly (the CONST and
 * PURE flags), and nothing but code generation follows, so the probes change
 * no optimisation decision — probing earlier, as -finstrument-functions
 * does, blocks inlining and tail-recursion elimination and destroys purity.
 * isRequired(): at -O0 every function is optnone and unrequired passes are
 * skipped.  A static leaf (AP_FUNC_LEAF) takes the untimed calls of a run
 * itself, the entry probe being its slow path (leaf_enter). */
#include "autoprof_llvm.h"

#include <functional>

namespace ap_llvm {

bool is_runtime_name(StringRef name) {
  return name.startswith("__autoprof_") || name.startswith("autoprof_");
}

void verify_or_die(Function &f, const char *pass) {
  std::string msg;
  raw_string_ostream os(msg);
  if (verifyFunction(f, &os))
    report_fatal_error(Twine("autoprof-llvm: ") + pass + " broke " + f.getName() + ": " + os.str());
}

/* clang splits each file name into a directory and a name relative to it,
 * not always the compilation directory: "/src/a.c" may become "src/a.c"
 * under "/".  Files relative to the compilation directory stay as given
 * (GCC reports them so); others get their directory back. */
std::string source_file(const DIScope *scope, const DICompileUnit *cu) {
  StringRef file = scope->getFilename(), dir = scope->getDirectory();
  if (file.empty() || sys::path::is_absolute(file) || dir.empty() ||
      (cu && dir == cu->getDirectory()))
    return file.str();
  SmallString<256> path(dir);
  sys::path::append(path, file);
  return path.str().str();
}

namespace {

/* C++ scopes of a subprogram: "ns::Class::method" as GCC prints it. */
std::string qualified_name(const DISubprogram *sp) {
  std::string name = sp->getName().str();
  for (const DIScope *s = sp->getScope(); s && !isa<DIFile>(s) && !isa<DICompileUnit>(s);
       s = s->getScope()) {
    if (!s->getName().empty())
      name = (s->getName() + "::" + name).str();
    else if (isa<DINamespace>(s))
      name = "(anonymous namespace)::" + name;
  }
  return name;
}

/* Compiler-made functions (static initialisers, thunks...) have no source
 * counterpart.  With debug info clang marks them artificial; without it,
 * they are known by their names. */
bool compiler_generated(Function &f, const DISubprogram *sp) {
  if (sp && sp->isArtificial())
    return true;
  StringRef n = f.getName();
  return n.startswith("_GLOBAL__") || n.startswith("__cxx_global_") || n.startswith("__dtor_") ||
         n.startswith("__tls_init") || n.startswith("_ZTh") || n.startswith("_ZTv") ||
         n.startswith("_ZTc") || n.startswith("_ZTW") || n.startswith("_ZTH");
}

const char *never_reason(Function &f, const func_info &info, const DISubprogram *sp) {
  if (is_runtime_name(info.symbol) || is_runtime_name(info.name))
    return "the runtime's own";
  if (compiler_generated(f, sp))
    return "compiler-generated";
  const config &c = get_config();
  if (c.unit == f.getParent()->getSourceFileName() && c.no_instrument.count(info.symbol))
    return "no_instrument_function attribute";
  if (f.hasFnAttribute(Attribute::Naked))
    return "naked function (no prologue to put a probe in)";
  /* the dynamic linker calls it while it relocates the program, before
   * any library is set up (helper-23: crashed before main); clang's
   * target_clones resolvers are such functions too */
  for (GlobalIFunc &gi : f.getParent()->ifuncs())
    if (gi.getResolverFunction() == &f)
      return "an IFUNC resolver (runs while the program is relocated)";
  return nullptr;
}

} // namespace

/* Name, place and compiler facts of F.  Returns why it must never be
 * instrumented, or NULL if the policy decides. */
/* F's address is taken: a use that is no direct call.  Not the calls of a
 * K&R function through a cast of it (an unprototyped call), nor the
 * constructor and destructor lists, nor llvm.used (GCC's `address_taken`
 * says no for them either: helper-30 saw both flagged). */
bool address_taken(const Function &f) {
  std::function<bool(const Value *)> taken = [&](const Value *v) {
    for (const Use &u : v->uses()) {
      const User *user = u.getUser();
      if (auto *call = dyn_cast<CallBase>(user)) {
        if (call->isCallee(&u))
          continue;
        return true;
      }
      if (auto *ce = dyn_cast<ConstantExpr>(user)) {
        /* a cast: what its users do with it (a call, a list below) */
        if (ce->isCast() && !taken(ce))
          continue;
        return true;
      }
      /* { priority, fn, data } in llvm.global_ctors / dtors, llvm.used */
      if (isa<ConstantStruct>(user) || isa<ConstantArray>(user)) {
        bool listed = true;
        SmallVector<const User *, 4> work{user};
        while (!work.empty() && listed) {
          const User *w = work.pop_back_val();
          for (const User *x : w->users()) {
            if (auto *gv = dyn_cast<GlobalVariable>(x))
              listed &= gv->getName() == "llvm.global_ctors" ||
                        gv->getName() == "llvm.global_dtors" || gv->getName() == "llvm.used" ||
                        gv->getName() == "llvm.compiler.used";
            else if (isa<ConstantStruct>(x) || isa<ConstantArray>(x))
              work.push_back(x);
            else
              listed = false;
          }
        }
        if (listed)
          continue;
      }
      return true;
    }
    return false;
  };
  return taken(&f);
}

const char *describe_function(Function &f, func_info *info) {
  *info = func_info();
  StringRef symbol = f.getName();
  symbol.consume_front("\1");
  info->symbol = symbol.str();
  const DISubprogram *sp = f.getSubprogram();
  if (sp) {
    info->name = qualified_name(sp);
    info->file = source_file(sp, sp->getUnit());
    info->line = sp->getLine();
    StringRef source_symbol = sp->getLinkageName().empty() ? sp->getName() : sp->getLinkageName();
    if (source_symbol != symbol)
      info->flags |= AP_FUNC_CLONE;
  } else {
    /* Without -g: what the frontend action saw, else (-fpass-plugin=
     * alone) the symbol and the unit's file */
    const config &c = get_config();
    auto known =
        c.unit == f.getParent()->getSourceFileName() ? c.places.find(info->symbol) : c.places.end();
    if (known != c.places.end()) {
      info->name = known->second.name;
      info->file = known->second.file;
      info->line = known->second.line;
    } else {
      info->name = demangle(info->symbol);
      info->file = f.getParent()->getSourceFileName();
    }
    info->flags |= AP_FUNC_NO_DEBUG;
  }
  if (f.doesNotAccessMemory())
    info->flags |= AP_FUNC_CONST;
  else if (f.onlyReadsMemory())
    info->flags |= AP_FUNC_PURE;
  if (info->name == "main" && !f.hasLocalLinkage())
    info->flags |= AP_FUNC_MAIN;
  /* a callback, a qsort comparator: the inline hint says that calls through
   * a pointer stay calls (helper-25) */
  if (address_taken(f))
    info->flags |= AP_FUNC_ADDRESSED;
  if (f.hasAvailableExternallyLinkage())
    return "available_externally (not emitted in this unit)";
  return never_reason(f, *info, sp);
}

namespace {

/* Estimated size after inlining, comparable with GCC's count of GIMPLE
 * statements: what is a statement there (an operation, a call, a memory
 * access, a conditional jump with its comparison) counts one; what GIMPLE
 * has no statement for (PHIs, locals and -O0 parameter homes, unconditional
 * jumps, address arithmetic folded into the access, pointer casts, debug
 * and lifetime markers) counts nothing.  Measured on examples/ and
 * tests/e2e: within a few instructions of GCC's count at -O2, up to twice
 * it at -O0 (clang's -O0 loads every variable from memory). */
bool counts_in_size(const Instruction &i) {
  if (isa<PHINode>(i) || isa<AllocaInst>(i) || isa<BitCastInst>(i) || i.isDebugOrPseudoInst() ||
      i.isLifetimeStartOrEnd() || isa<AssumeInst>(i) || isa<NoAliasScopeDeclInst>(i))
    return false;
  if (auto *br = dyn_cast<BranchInst>(&i))
    return br->isConditional();
  if (auto *st = dyn_cast<StoreInst>(&i)) /* -O0 parameter homes: GIMPLE uses the PARM_DECL */
    if (isa<Argument>(st->getValueOperand()) && isa<AllocaInst>(st->getPointerOperand()))
      return false;
  if (isa<CmpInst>(i) && i.hasOneUse()) {
    auto *br = dyn_cast<BranchInst>(*i.user_begin());
    if (br && br->getParent() == i.getParent())
      return false; /* one GIMPLE_COND with its branch */
  }
  if (isa<GetElementPtrInst>(i) && !i.user_empty()) {
    for (const User *u : i.users())
      if (!(isa<LoadInst>(u) ||
            (isa<StoreInst>(u) && cast<StoreInst>(u)->getPointerOperand() == &i)))
        return true;
    return false; /* an addressing mode of its loads and stores */
  }
  return true;
}

unsigned body_size(Function &f) {
  unsigned n = 0;
  for (BasicBlock &bb : f)
    for (Instruction &i : bb)
      n += counts_in_size(i);
  return n;
}

/* The instruction before I that does something, or NULL. */
Instruction *prev_real(Instruction *i) {
  for (i = i->getPrevNode(); i; i = i->getPrevNode())
    if (!i->isDebugOrPseudoInst() && !i->isLifetimeStartOrEnd())
      return i;
  return nullptr;
}

CallInst *tail_call(Instruction *i) {
  auto *call = dyn_cast_or_null<CallInst>(i);
  return call && call->isTailCall() && !isa<DbgInfoIntrinsic>(call) ? call : nullptr;
}

struct exit_placer {
  Function &f;
  FunctionCallee exit;
  Constant *site;
  Value *token; /* the entry probe's result: the exit runs when non-zero */
  bool tail = false;
  Value *args_fp = nullptr; /* memo candidates: the arguments' fingerprint */

  /* VALUE: what the function returns there (NULL before a tail call, whose
   * result is not known yet: no memo call on that path).  The exit probe
   * goes in a block of its own under `if (token)`; I (a tail call, a
   * return, a branch to one) starts the block after it. */
  void before(Instruction *i, Value *value) {
    IRBuilder<> b(i);
    locate(b);
    if (args_fp && value)
      memo_call(b, site, args_fp, value);
    Value *run = b.CreateICmpNE(token, ConstantInt::get(token->getType(), 0));
    Instruction *then = SplitBlockAndInsertIfThen(run, i, false);
    IRBuilder<> t(then);
    t.SetCurrentDebugLocation(b.getCurrentDebugLocation());
    t.CreateCall(exit, {site});
  }

  /* A call that returns straight into RET (its value, or void). */
  static bool returns_it(ReturnInst *ret, Value *v, CallInst *call) {
    Value *rv = ret->getReturnValue();
    return !rv || rv == call || v == call;
  }

  /* A tail call stays a tail call (no stack growth, sibcall kept): its exit
   * probe goes before it.  CodeGenPrepare also makes sibcalls of tail calls
   * that branch to a return block holding only PHIs (dupRetToEnableTailCallOpts);
   * a probe in that block would silently undo it, so those paths get the
   * probe in their own block. */
  void at_return(ReturnInst *ret) {
    Instruction *p = prev_real(ret);
    if (p && isa<BitCastInst>(p) && p->getOperand(0) == prev_real(p))
      p = prev_real(p); /* musttail call; bitcast; ret */
    if (CallInst *call = tail_call(p)) {
      if (returns_it(ret, nullptr, call) || call->isMustTailCall()) {
        before(call, nullptr);
        tail = true;
        return;
      }
    }
    BasicBlock *bb = ret->getParent();
    auto *phi = dyn_cast_or_null<PHINode>(ret->getReturnValue());
    bool bare = !p || (isa<PHINode>(p) && p == phi);
    Value *rv = ret->getReturnValue();
    if (!bare || bb->hasNPredecessors(0) || (phi && phi->getParent() != bb)) {
      before(ret, rv);
      return;
    }
    for (BasicBlock *pred : predecessors(bb))
      if (!isa<BranchInst>(pred->getTerminator()) && !isa<SwitchInst>(pred->getTerminator())) {
        before(ret, rv); /* an edge that cannot be split: no sibcall there either */
        return;
      }
    SmallVector<BasicBlock *, 4> others;
    SmallPtrSet<BasicBlock *, 8> seen;
    for (BasicBlock *pred : predecessors(bb)) {
      if (!seen.insert(pred).second)
        continue;
      Instruction *term = pred->getTerminator();
      CallInst *call = term->getNumSuccessors() == 1 ? tail_call(prev_real(term)) : nullptr;
      Value *value = phi ? phi->getIncomingValueForBlock(pred) : rv;
      if (call && returns_it(ret, phi ? value : nullptr, call)) {
        before(call, nullptr);
        tail = true;
      } else if (term->getNumSuccessors() == 1) {
        before(term, value);
      } else {
        others.push_back(pred);
      }
    }
    if (!others.empty()) {
      BasicBlock *nb = SplitBlockPredecessors(bb, others, ".autoprof_exit");
      before(nb->getTerminator(), phi ? phi->getIncomingValueForBlock(nb) : rv);
    }
  }
};

/* A call that leaves its caller a static leaf: an intrinsic that runs no
 * code of the program (memcpy, lifetime and debug markers, expect,
 * overflow arithmetic...), or a probe of the runtime (the loop pass's).
 * Invokes, inline assembly and indirect calls never do. */
bool leaf_call(const CallBase &cb) {
  const Function *callee = cb.getCalledFunction();
  if (!callee || !isa<CallInst>(cb))
    return false;
  StringRef n = callee->getName();
  if (callee->isIntrinsic())
    return !(
        n.startswith("llvm.experimental.gc.") || n.startswith("llvm.experimental.patchpoint") ||
        n.startswith("llvm.experimental.deoptimize") || n.startswith("llvm.experimental.guard") ||
        n.startswith("llvm.icall.") || n.startswith("llvm.coro.") || n.startswith("llvm.objc."));
  return n.startswith("__autoprof_");
}

/* AP_FUNC_LEAF: F's body calls no function that could reach instrumented
 * code.  Asked before F gets its own probes. */
bool static_leaf(Function &f) {
  for (BasicBlock &bb : f)
    for (Instruction &i : bb)
      if (auto *cb = dyn_cast<CallBase>(&i))
        if (!leaf_call(*cb))
          return false;
  return true;
}

static_assert(offsetof(struct ap_loop_tls, leaf_slot) == 24 &&
                  offsetof(struct ap_loop_tls, leaf_left) == 28 &&
                  sizeof(((struct ap_loop_tls *)0)->leaf_left) == 2,
              "abi.h: ap_loop_tls.leaf_slot (u32) at 24, leaf_left (u16) at 28");

/* abi.h's "Inline leaf calls", before AT (the entry point, where the block
 * is split):
 *
 *   if (leaf_slot == site->slot && leaf_left != 0)  leaf_left -= 1;  // token 0
 *   else token = ENTER(site);                                       // the call, as it was
 *
 * the run's calls taken inline, likely.  Returns the token the exit probes
 * test (a PHI).  The C copy the runtime calibrates is ap_leaf_enter_inline
 * (runtime/src/rt.h). */
Value *leaf_enter(Instruction *at, Constant *site, FunctionCallee enter, const DebugLoc &dl) {
  Function &f = *at->getFunction();
  LLVMContext &ctx = f.getContext();
  Type *i8 = Type::getInt8Ty(ctx), *i16 = Type::getInt16Ty(ctx), *i32 = Type::getInt32Ty(ctx);
  GlobalVariable *tls = loop_tls(*f.getParent());
  auto weight = [&](unsigned w) { return ConstantAsMetadata::get(ConstantInt::get(i32, w)); };
  MDNode *likely =
      MDNode::get(ctx, {MDString::get(ctx, "branch_weights"), weight(2000), weight(1)});
  /* (TYPE *)((char *)BASE + OFFSET) */
  auto field = [&](IRBuilder<> &b, Value *base, uint64_t offset, Type *type) {
    Value *p = b.CreateConstInBoundsGEP1_64(i8, b.CreatePointerCast(base, bytes_ptr(ctx)), offset);
    return b.CreatePointerCast(p, type->getPointerTo());
  };

  BasicBlock *head = at->getParent(), *tail = SplitBlock(head, at);
  BasicBlock *fast = BasicBlock::Create(ctx, "autoprof.leaf.inline", &f, tail);
  BasicBlock *slow = BasicBlock::Create(ctx, "autoprof.leaf.call", &f, tail);
  head->getTerminator()->eraseFromParent();
  IRBuilder<> b(head);
  b.SetCurrentDebugLocation(dl);
  /* site->slot, relaxed: the runtime's registration may write it */
  LoadInst *s = b.CreateAlignedLoad(i32, field(b, site, offsetof(struct ap_func_site, slot), i32),
                                    Align(4), "autoprof.leaf.slot");
  s->setAtomic(AtomicOrdering::Monotonic);
  Value *run = b.CreateAlignedLoad(i32, field(b, tls, offsetof(struct ap_loop_tls, leaf_slot), i32),
                                   Align(4), "autoprof.run");
  Value *left_p = field(b, tls, offsetof(struct ap_loop_tls, leaf_left), i16);
  Value *left = b.CreateAlignedLoad(i16, left_p, Align(2), "autoprof.left");
  Value *ok = b.CreateAnd(b.CreateICmpEQ(run, s), b.CreateICmpNE(left, ConstantInt::get(i16, 0)));
  b.CreateCondBr(ok, fast, slow, likely);

  b.SetInsertPoint(fast);
  b.CreateAlignedStore(b.CreateAdd(left, ConstantInt::getAllOnesValue(i16)), left_p, Align(2));
  b.CreateBr(tail);

  b.SetInsertPoint(slow);
  Value *called = b.CreateCall(enter, {site});
  b.CreateBr(tail);

  b.SetInsertPoint(tail, tail->begin());
  PHINode *token = b.CreatePHI(i32, 2, "autoprof.token");
  token->addIncoming(ConstantInt::get(i32, 0), fast);
  token->addIncoming(called, slow);
  return token;
}

/* The entry probe goes after the static allocas, which must stay first. */
Instruction *entry_point(Function &f) {
  BasicBlock::iterator it = f.getEntryBlock().getFirstInsertionPt();
  while (isa<AllocaInst>(*it))
    ++it;
  return &*it;
}

/* Each setjmp (any returns_twice call but vfork's) gets a local mark set
 * to 0 right before it and `__autoprof_setjmp_return (&mark)` right after
 * it: on a return through longjmp the runtime closes the frames the jump
 * abandoned (abi.h).  In every function of the unit, instrumented or not:
 * the setjmp may be in code the policy leaves out. */
bool setjmp_returns(Function &f) {
  SmallVector<CallInst *, 2> calls;
  for (BasicBlock &bb : f)
    for (Instruction &i : bb)
      if (auto *call = dyn_cast<CallInst>(&i))
        if (call->hasFnAttr(Attribute::ReturnsTwice)) {
          Function *fn = call->getCalledFunction();
          if (!fn || !fn->getName().contains("vfork")) /* returns once the child is gone */
            calls.push_back(call);
        }
  if (calls.empty())
    return false;
  Module &m = *f.getParent();
  Type *i32 = Type::getInt32Ty(m.getContext());
  FunctionCallee ret = probe(m, "__autoprof_setjmp_return", {bytes_ptr(m.getContext())});
  IRBuilder<> entry(&f.getEntryBlock(), f.getEntryBlock().begin());
  for (CallInst *call : calls) {
    AllocaInst *mark = entry.CreateAlloca(i32, nullptr, "autoprof.jmp");
    IRBuilder<> b(call);
    b.CreateStore(ConstantInt::get(i32, 0), mark);
    b.SetInsertPoint(call->getNextNode());
    b.SetCurrentDebugLocation(call->getDebugLoc());
    b.CreateCall(ret, {b.CreatePointerCast(mark, bytes_ptr(m.getContext()))});
  }
  return true;
}

bool instrument(Function &f, const config &c, const TargetLibraryInfo &tli) {
  func_info info;
  const char *never = describe_function(f, &info);
  bool jumps = !never && setjmp_returns(f);
  info.size = body_size(f);
  bool leaf = static_leaf(f); /* before the call sites' probes */
  char why[256];
  enum ap_decision d = AP_SKIP;
  if (never)
    snprintf(why, sizeof why, "%s", never);
  else
    d = ap_policy_function(c.policy, info.name.c_str(), info.file.c_str(), info.size, 1, why,
                           sizeof why);
  bool renamed = info.name != info.symbol;
  if (c.verbose)
    errs() << "autoprof: " << info.file << ":" << info.line << ": " << info.name
           << (renamed ? " as " + info.symbol : "") << ": "
           << (d == AP_SKIP ? "skipped" : "instrumented") << " (" << why << "; size " << info.size
           << ")\n";
  /* loop-invariant call candidates: name and file rules, not min_size */
  const struct ap_policy *pol = c.policy;
  bool calls =
      !never && pol->memo.enabled &&
      ap_policy_function(pol, info.name.c_str(), info.file.c_str(), 0, 0, nullptr, 0) != AP_SKIP &&
      instrument_call_sites(f, info.name, tli);
  if (d == AP_SKIP)
    return calls || jumps; /* a record the loop pass made stays as it is */
  if (d == AP_INSTRUMENT_ALWAYS)
    info.flags |= AP_FUNC_ALWAYS;

  /* memo candidates: readnone/readonly (LLVM's verdict) or vouched for,
   * scalar in and out */
  if (pol->memo.enabled && info.size >= pol->memo.min_size &&
      ((info.flags & (AP_FUNC_CONST | AP_FUNC_PURE)) ||
       ap_policy_assume_pure(pol, info.name.c_str())))
    info.arg_kinds = memo_arg_kinds(f);
  if (info.arg_kinds)
    info.flags |= AP_FUNC_MEMO;
  /* a leaf's untimed calls count inline (abi.h), but a memo candidate's
   * calls all go to the runtime, and main's and a split part's entries
   * mean more than a call */
  if (leaf && !(info.flags & (AP_FUNC_MEMO | AP_FUNC_PART | AP_FUNC_MAIN)))
    info.flags |= AP_FUNC_LEAF;

  Module &m = *f.getParent();
  Type *ptr = bytes_ptr(m.getContext());
  GlobalVariable *site = func_site(f, info, false);
  Constant *addr = as_bytes(site);
  SmallVector<ReturnInst *, 4> rets;
  for (BasicBlock &bb : f)
    if (auto *ret = dyn_cast<ReturnInst>(bb.getTerminator()))
      rets.push_back(ret);

  IRBuilder<> b(entry_point(f));
  if (f.getSubprogram())
    b.SetCurrentDebugLocation(
        DILocation::get(f.getContext(), f.getSubprogram()->getScopeLine(), 0, f.getSubprogram()));
  /* int __autoprof_enter_cond(site): the exit probes run only when it
   * returned non-zero (a sampled leaf's untimed call has no frame) */
  FunctionCallee enter = probe(m, "__autoprof_enter_cond", {ptr}, Type::getInt32Ty(m.getContext()));
  Value *token = info.flags & AP_FUNC_LEAF
                     ? leaf_enter(&*b.GetInsertPoint(), addr, enter, b.getCurrentDebugLocation())
                     : b.CreateCall(enter, {addr});
  exit_placer exits{f, probe(m, "__autoprof_exit", {ptr}), addr, token};
  if (info.arg_kinds)
    exits.args_fp = memo_args_fingerprint(f, b);
  for (ReturnInst *ret : rets)
    exits.at_return(ret);
  if (exits.tail)
    info.flags |= AP_FUNC_TAILCALL;
  func_site(f, info, true);
  return true;
}

} // namespace

unsigned function_size(Function &f) {
  return body_size(f);
}

PreservedAnalyses func_pass::run(Module &m, ModuleAnalysisManager &mam) {
  /* Running twice (both -fplugin= and -fpass-plugin=, or two copies of the
   * plugin) must not double the probes. */
  if (m.getNamedMetadata("autoprof.instrumented"))
    return PreservedAnalyses::all();
  m.getOrInsertNamedMetadata("autoprof.instrumented");
  const config &c = get_config();
  FunctionAnalysisManager &fam = mam.getResult<FunctionAnalysisManagerModuleProxy>(m).getManager();
  std::vector<Function *> defs;
  for (Function &f : m)
    if (!f.isDeclaration())
      defs.push_back(&f);
  bool any_source = false;
  for (Function *f : defs) {
    instrument(*f, c, fam.getResult<TargetLibraryAnalysis>(*f));
    func_info info;
    const char *never = describe_function(*f, &info);
    any_source |= !never || strcmp(never, "compiler-generated") != 0;
    if (c.verify)
      verify_or_die(*f, "the entry/exit pass");
  }
  /* Units that define no function of their own need no constructor. */
  if (any_source)
    emit_module_ctor(m);
  return PreservedAnalyses::none();
}

} // namespace ap_llvm
