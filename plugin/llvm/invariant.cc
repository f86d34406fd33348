/* Loop-invariant call candidates (as GCC's plugin/gcc/invariant.cc): calls
 * made inside a loop to a readnone or readonly function (the user's own, or
 * a library function LLVM knows: strlen, strcmp, sqrt...) with scalar
 * arguments and a used scalar result.  Right before such a call a begin
 * probe (it samples the call's time), right after it one probe hands the
 * runtime the fingerprint of the arguments and the result; the runtime
 * compares them with the previous call at the same site.
 *
 * Where: with the entry/exit probes at OptimizerLast: the calls left in
 * loops then are the ones the program really makes (LICM has hoisted what
 * it could prove invariant), and the probes change no optimisation.
 * Copies of one source call (LoopRotate's guard in front of a rotated loop,
 * unrolled copies) share its record: one site, as GCC reports it. */
#include "autoprof_llvm.h"

namespace ap_llvm {
namespace {

/* The call's argument kinds, or 0 when it cannot be fingerprinted. */
uint64_t call_kinds(CallInst &call) {
  unsigned r = call.use_empty() ? (unsigned)AP_ARG_NONE : arg_kind(call.getType());
  if (r == AP_ARG_NONE || call.arg_size() > 15)
    return 0;
  uint64_t kinds = r;
  for (unsigned i = 0; i < call.arg_size(); i++) {
    unsigned k = arg_kind(call.getArgOperand(i)->getType());
    if (k == AP_ARG_NONE || call.isByValArgument(i))
      return 0;
    kinds |= (uint64_t)k << (4 * i + 4);
  }
  return kinds;
}

/* Intrinsics that stand for a C library call (llvm.sqrt.f64 is sqrt);
 * the others (llvm.smax, llvm.ctpop...) are operators, not calls a user
 * could move.  Returns the C name, or "" for none. */
std::string libm_name(Function *callee) {
  static const char *const names[] = {"sqrt", "sin",   "cos",   "pow",   "exp",
                                      "exp2", "log",   "log2",  "log10", "floor",
                                      "ceil", "trunc", "round", "rint",  "nearbyint"};
  StringRef n = callee->getName();
  if (!n.consume_front("llvm."))
    return "";
  for (const char *base : names) {
    if (n == (Twine(base) + ".f64").str())
      return base;
    if (n == (Twine(base) + ".f32").str())
      return std::string(base) + "f";
  }
  return "";
}

/* CONST/PURE/BUILTIN flags of a candidate call, 0 for none. */
unsigned call_flags(CallInst &call, const TargetLibraryInfo &tli, std::string *name) {
  Function *callee = call.getCalledFunction();
  if (!callee || call.isMustTailCall())
    return 0;
  StringRef n = callee->getName();
  /* library internals a header's macro or inline expands to
   * (__ctype_toupper_loc) are nothing a user can move */
  if (is_runtime_name(n) || n.startswith("__"))
    return 0;
  unsigned flags = 0;
  LibFunc lf;
  if (callee->isIntrinsic()) {
    *name = libm_name(callee);
    if (name->empty())
      return 0;
    flags |= AP_CALL_BUILTIN;
  } else {
    *name = n.str();
    if (tli.getLibFunc(*callee, lf) && tli.has(lf)) {
      flags |= AP_CALL_BUILTIN;
      /* at -O0 nothing has annotated the declaration yet: LLVM's own
       * knowledge of the library function, as GCC has it at every level */
      if (callee->isDeclaration())
        inferLibFuncAttributes(*callee, tli);
    }
  }
  if (call.doesNotAccessMemory())
    flags |= AP_CALL_CONST;
  else if (call.onlyReadsMemory())
    flags |= AP_CALL_PURE;
  else
    return 0;
  /* GCC's "looping const or pure" are left out: a call that may not return
   * cannot be moved out of its loop */
  if (!(flags & AP_CALL_BUILTIN) && !call.hasFnAttr(Attribute::WillReturn))
    return 0;
  return flags;
}

struct candidate {
  CallInst *call;
  unsigned flags;
  std::string callee;
};

void instrument_call(CallInst *call, GlobalVariable *site) {
  Module &m = *call->getModule();
  LLVMContext &ctx = m.getContext();
  Type *ptr = bytes_ptr(ctx), *i64 = Type::getInt64Ty(ctx);
  Constant *addr = as_bytes(site);
  IRBuilder<> b(call);
  b.SetCurrentDebugLocation(call->getDebugLoc());
  locate(b);
  b.CreateCall(probe(m, "__autoprof_call_begin", {ptr}), {addr});
  b.SetInsertPoint(call->getNextNode());
  SmallVector<Value *, 8> args(call->args());
  Value *fp = mix_values(b, args);
  Value *result = to_u64(b, call);
  b.CreateCall(probe(m, "__autoprof_call_site", {ptr, i64, i64}), {addr, fp, result});
}

} // namespace

unsigned instrument_call_sites(Function &f, const std::string &function_name,
                               const TargetLibraryInfo &tli) {
  DominatorTree dt(f);
  LoopInfo li(dt);
  const config &c = get_config();
  /* one record per source call: by debug location (uniqued) and callee */
  std::map<std::pair<const DILocation *, Function *>, GlobalVariable *> sites;
  std::vector<std::pair<CallInst *, GlobalVariable *>> todo;
  for (BasicBlock &bb : f) {
    Loop *loop = li.getLoopFor(&bb);
    if (!loop)
      continue;
    for (Instruction &i : bb) {
      auto *call = dyn_cast<CallInst>(&i);
      candidate cand{call, 0, ""};
      if (!call || !call_kinds(*call) || !(cand.flags = call_flags(*call, tli, &cand.callee)))
        continue;
      const DILocation *loc = call->getDebugLoc().get();
      GlobalVariable *&site = sites[{loc, call->getCalledFunction()}];
      if (!site || !loc) {
        call_info info;
        info.flags = cand.flags;
        info.line = loc ? loc->getLine() : 0;
        info.callee = cand.callee;
        /* the file as the function's and loops' records name it (relative
         * to the unit's folder where it is in it): an absolute path here
         * made the hoist hint's the odd one out (helper-25) */
        const DICompileUnit *cu = f.getSubprogram() ? f.getSubprogram()->getUnit() : nullptr;
        info.file = loc ? source_file(loc->getScope(), cu) : f.getParent()->getSourceFileName();
        /* a line of the call's file: a call inlined from a header into a
         * loop of another file gets no loop line rather than a wrong one */
        DebugLoc start = loop_range(loop).getStart();
        info.loop_line =
            start && source_file(start->getScope(), cu) == info.file ? start.getLine() : 0;
        info.function = function_name;
        info.arg_kinds = call_kinds(*call);
        site = call_site(*f.getParent(), info);
        if (c.verbose)
          errs() << "autoprof: " << info.file << ":" << info.line << ": call to " << info.callee
                 << " in the loop at line " << info.loop_line << " of " << function_name
                 << ": invariance probe\n";
      }
      todo.push_back({call, site});
    }
  }
  /* copies outside the loops of a call inside one: LoopRotate's guard */
  for (BasicBlock &bb : f) {
    if (li.getLoopFor(&bb))
      continue;
    for (Instruction &i : bb) {
      auto *call = dyn_cast<CallInst>(&i);
      if (!call || !call->getDebugLoc())
        continue;
      auto it = sites.find({call->getDebugLoc().get(), call->getCalledFunction()});
      if (it != sites.end() && call_kinds(*call) && !call->isMustTailCall())
        todo.push_back({call, it->second});
    }
  }
  for (auto &t : todo)
    instrument_call(t.first, t.second);
  return todo.size();
}

} // namespace ap_llvm
