/* Static descriptors of the probe ABI (runtime/include/autoprof/abi.h),
 * built as LLVM globals: one record per instrumented function body in
 * section "autoprof_funcs", one per loop in "autoprof_loops", one module
 * record and a priority-101 constructor per unit.  The struct types below
 * follow abi.h field by field; layout_ok() checks them against the header
 * (and tests/plugin/llvm_layout.cc checks layout_ok). */
#include "autoprof_llvm.h"

#include <cstddef>

namespace ap_llvm {
namespace {

StructType *named_struct(LLVMContext &ctx, const char *name, ArrayRef<Type *> fields) {
  if (StructType *t = StructType::getTypeByName(ctx, name))
    return t;
  return StructType::create(ctx, fields, name);
}

/* The layout LLVM gives TYPE must be abi.h's: the same size and offsets. */
bool layout_ok(const DataLayout &dl, StructType *type, size_t size, ArrayRef<size_t> offsets) {
  const StructLayout *sl = dl.getStructLayout(type);
  if (sl->getSizeInBytes() != size || offsets.size() != type->getNumElements())
    return false;
  for (unsigned i = 0; i < offsets.size(); i++)
    if (sl->getElementOffset(i) != offsets[i])
      return false;
  return true;
}

Constant *u32(LLVMContext &ctx, uint64_t v) {
  return ConstantInt::get(Type::getInt32Ty(ctx), v);
}
Constant *u64(LLVMContext &ctx, uint64_t v) {
  return ConstantInt::get(Type::getInt64Ty(ctx), v);
}

/* A private constant C string, shared within the module. */
Constant *str(Module &m, StringRef s) {
  std::string name = ("__autoprof_str." + s).str();
  /* private: never in the symbol table, whatever the name */
  GlobalVariable *gv = m.getNamedGlobal(name);
  if (!gv || gv->getValueType() != ArrayType::get(Type::getInt8Ty(m.getContext()), s.size() + 1)) {
    Constant *init = ConstantDataArray::getString(m.getContext(), s);
    gv = new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init, name);
    gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    gv->setAlignment(Align(1));
  }
  return as_bytes(gv);
}

Constant *null_ptr(LLVMContext &ctx) {
  return ConstantPointerNull::get(bytes_ptr(ctx));
}

/* A file-local, writable record in SECTION.  The alignment is pinned to 8:
 * with an explicit section and alignment LLVM neither raises it (x86-64
 * would for large globals) nor pads, so the linker concatenates the records
 * of all units into one gap-free table. */
GlobalVariable *record(Module &m, StructType *type, const Twine &name, const char *section) {
  auto *gv = new GlobalVariable(m, type, false, GlobalValue::InternalLinkage,
                                Constant::getNullValue(type), name);
  gv->setAlignment(Align(8));
  if (section)
    gv->setSection(section);
  return gv;
}

/* extern, hidden, weak: the linker's section bounds, NULL where a link unit
 * has no such section. */
Constant *section_bound(Module &m, const char *name) {
  GlobalVariable *gv = m.getNamedGlobal(name);
  if (!gv) {
    gv = new GlobalVariable(m, Type::getInt8Ty(m.getContext()), false,
                            GlobalValue::ExternalWeakLinkage, nullptr, name);
    gv->setVisibility(GlobalValue::HiddenVisibility);
  }
  return as_bytes(gv);
}

Constant *func_site_init(Module &m, const func_info &info) {
  LLVMContext &ctx = m.getContext();
  Constant *fields[] = {
      u32(ctx, info.flags), u32(ctx, info.line), u32(ctx, 0),         u32(ctx, info.size),
      str(m, info.name),    str(m, info.file),   str(m, info.symbol), u64(ctx, info.arg_kinds),
  };
  return ConstantStruct::get(func_site_type(ctx), fields);
}

std::string site_name(Function &f) {
  return ("__autoprof_site." + f.getName()).str();
}

unsigned ppm(double share) {
  return (unsigned)(share * 1e6 + 0.5);
}

} // namespace

StructType *func_site_type(LLVMContext &ctx) {
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx), *p = bytes_ptr(ctx);
  /* flags line slot size name file symbol arg_kinds */
  return named_struct(ctx, "struct.ap_func_site", {i32, i32, i32, i32, p, p, p, i64});
}

StructType *loop_site_type(LLVMContext &ctx) {
  Type *i32 = Type::getInt32Ty(ctx), *p = bytes_ptr(ctx);
  /* flags line slot depth file func origin_function parent */
  return named_struct(ctx, "struct.ap_loop_site", {i32, i32, i32, i32, p, p, p, p});
}

StructType *call_site_type(LLVMContext &ctx) {
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx), *p = bytes_ptr(ctx);
  /* flags line slot loop_line callee file function arg_kinds */
  return named_struct(ctx, "struct.ap_call_site", {i32, i32, i32, i32, p, p, p, i64});
}

StructType *module_type(LLVMContext &ctx) {
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx), *p = bytes_ptr(ctx);
  /* abi_version report_formats funcs_begin funcs_end loops_begin loops_end
   * abi_guard source compiler policy_file policy_digest report_output
   * report_top hot_function_ppm hot_loop_ppm memo_min_repeat_ppm next */
  return named_struct(ctx, "struct.ap_module",
                      {i32, i32, p, p, p, p, p, p, p, p, i64, p, i32, i32, i32, i32, p});
}

/* The three record types against abi.h, for DL's target (x86-64 LP64 here;
 * abi.h is all fixed-size scalars and pointers, so any LP64 target). */
bool records_match_abi(const DataLayout &dl, LLVMContext &ctx) {
#define OFF(T, f) offsetof(struct T, f)
  return layout_ok(dl, func_site_type(ctx), sizeof(struct ap_func_site),
                   {OFF(ap_func_site, flags), OFF(ap_func_site, line), OFF(ap_func_site, slot),
                    OFF(ap_func_site, size), OFF(ap_func_site, name), OFF(ap_func_site, file),
                    OFF(ap_func_site, symbol), OFF(ap_func_site, arg_kinds)}) &&
         layout_ok(dl, loop_site_type(ctx), sizeof(struct ap_loop_site),
                   {OFF(ap_loop_site, flags), OFF(ap_loop_site, line), OFF(ap_loop_site, slot),
                    OFF(ap_loop_site, depth), OFF(ap_loop_site, file), OFF(ap_loop_site, func),
                    OFF(ap_loop_site, origin_function), OFF(ap_loop_site, parent)}) &&
         layout_ok(dl, call_site_type(ctx), sizeof(struct ap_call_site),
                   {OFF(ap_call_site, flags), OFF(ap_call_site, line), OFF(ap_call_site, slot),
                    OFF(ap_call_site, loop_line), OFF(ap_call_site, callee),
                    OFF(ap_call_site, file), OFF(ap_call_site, function),
                    OFF(ap_call_site, arg_kinds)}) &&
         layout_ok(dl, module_type(ctx), sizeof(struct ap_module),
                   {OFF(ap_module, abi_version), OFF(ap_module, report_formats),
                    OFF(ap_module, funcs_begin), OFF(ap_module, funcs_end),
                    OFF(ap_module, loops_begin), OFF(ap_module, loops_end),
                    OFF(ap_module, abi_guard), OFF(ap_module, source), OFF(ap_module, compiler),
                    OFF(ap_module, policy_file), OFF(ap_module, policy_digest),
                    OFF(ap_module, report_output), OFF(ap_module, report_top),
                    OFF(ap_module, hot_function_ppm), OFF(ap_module, hot_loop_ppm),
                    OFF(ap_module, memo_min_repeat_ppm), OFF(ap_module, next)});
#undef OFF
}

Constant *as_bytes(Constant *c) {
  return ConstantExpr::getPointerBitCastOrAddrSpaceCast(c, bytes_ptr(c->getContext()));
}

void locate(IRBuilder<> &b) {
  DISubprogram *sp = b.GetInsertBlock()->getParent()->getSubprogram();
  if (!b.getCurrentDebugLocation() && sp)
    b.SetCurrentDebugLocation(DILocation::get(sp->getContext(), 0, 0, sp));
}

FunctionCallee probe(Module &m, const char *name, ArrayRef<Type *> args, Type *result) {
  LLVMContext &ctx = m.getContext();
  FunctionType *type = FunctionType::get(result ? result : Type::getVoidTy(ctx), args, false);
  FunctionCallee callee = m.getOrInsertFunction(name, type);
  /* nounwind: no EH edges (GCC's nothrow).  Nothing more is promised: the
   * probes write the runtime's memory and the records' slot fields.
   * nonlazybind: called through the GOT, no PLT stub (GCC's noplt). */
  if (auto *fn = dyn_cast<Function>(callee.getCallee()))
    if (fn->isDeclaration()) {
      fn->addFnAttr(Attribute::NoUnwind);
      fn->addFnAttr(Attribute::NonLazyBind);
    }
  return callee;
}

GlobalVariable *find_func_site(Function &f) {
  return f.getParent()->getNamedGlobal(site_name(f));
}

/* One record per function body, shared by the loop pass (whose loop records
 * point to it, and which runs first) and the entry/exit pass (which alone
 * knows the final size and flags). */
GlobalVariable *func_site(Function &f, const func_info &info, bool final) {
  Module &m = *f.getParent();
  GlobalVariable *gv = find_func_site(f);
  if (!gv) {
    gv = record(m, func_site_type(m.getContext()), site_name(f), AP_SECTION_FUNCS);
    gv->setInitializer(func_site_init(m, info));
  } else if (final) {
    gv->setInitializer(func_site_init(m, info));
  }
  return gv;
}

GlobalVariable *loop_site(Module &m, const loop_info &info) {
  LLVMContext &ctx = m.getContext();
  Constant *fields[] = {
      u32(ctx, info.flags),
      u32(ctx, info.line),
      u32(ctx, 0),
      u32(ctx, info.depth),
      str(m, info.file),
      info.func ? as_bytes(info.func) : null_ptr(ctx),
      str(m, info.origin_function),
      info.parent ? as_bytes(info.parent) : null_ptr(ctx),
  };
  GlobalVariable *gv = record(m, loop_site_type(ctx), "__autoprof_loop_site", AP_SECTION_LOOPS);
  gv->setInitializer(ConstantStruct::get(loop_site_type(ctx), fields));
  return gv;
}

GlobalVariable *call_site(Module &m, const call_info &info) {
  LLVMContext &ctx = m.getContext();
  Constant *fields[] = {
      u32(ctx, info.flags), u32(ctx, info.line), u32(ctx, 0),           u32(ctx, info.loop_line),
      str(m, info.callee),  str(m, info.file),   str(m, info.function), u64(ctx, info.arg_kinds),
  };
  GlobalVariable *gv = record(m, call_site_type(ctx), "__autoprof_call", nullptr);
  gv->setInitializer(ConstantStruct::get(call_site_type(ctx), fields));
  return gv;
}

/* The unit's module record and the constructor that registers it.  The
 * constructor's name starts with __autoprof_: the passes never probe it. */
void emit_module_ctor(Module &m) {
  LLVMContext &ctx = m.getContext();
  if (!records_match_abi(m.getDataLayout(), ctx))
    report_fatal_error("autoprof-llvm: the record layouts disagree with autoprof/abi.h for this "
                       "target; rebuild autoprof-llvm.so from the same sources as the runtime");
  const struct ap_policy *p = get_config().policy;
  GlobalVariable *guard = m.getNamedGlobal("__autoprof_abi_v2");
  if (!guard)
    guard = new GlobalVariable(m, Type::getInt32Ty(ctx), true, GlobalValue::ExternalLinkage,
                               nullptr, "__autoprof_abi_v2");
  Constant *fields[] = {
      u32(ctx, AP_ABI_VERSION),
      u32(ctx, p->report.formats),
      section_bound(m, "__start_" AP_SECTION_FUNCS),
      section_bound(m, "__stop_" AP_SECTION_FUNCS),
      section_bound(m, "__start_" AP_SECTION_LOOPS),
      section_bound(m, "__stop_" AP_SECTION_LOOPS),
      as_bytes(guard),
      str(m, m.getSourceFileName()),
      str(m, compiler_string()),
      str(m, p->file),
      u64(ctx, p->digest),
      str(m, p->report.output),
      u32(ctx, p->report.top),
      u32(ctx, ppm(p->hints.hot_function_share)),
      u32(ctx, ppm(p->hints.hot_loop_share)),
      u32(ctx, ppm(p->hints.memo_min_repeat_rate)),
      null_ptr(ctx),
  };
  GlobalVariable *mod = record(m, module_type(ctx), "__autoprof_module", nullptr);
  mod->setInitializer(ConstantStruct::get(module_type(ctx), fields));

  Function *ctor = Function::Create(FunctionType::get(Type::getVoidTy(ctx), false),
                                    GlobalValue::InternalLinkage, "__autoprof_ctor", m);
  ctor->addFnAttr(Attribute::NoUnwind);
  IRBuilder<> b(BasicBlock::Create(ctx, "", ctor));
  b.CreateCall(probe(m, "__autoprof_register", {bytes_ptr(ctx)}), {as_bytes(mod)});
  b.CreateRetVoid();
  /* Priority 101, the first one open to programs: register before user
   * constructors run; a probe that still runs earlier registers its site on
   * the fly. */
  appendToGlobalCtors(m, ctor, 101);
}

} // namespace ap_llvm
