/* Memo candidates: functions whose calls could be cached (as GCC's
 * plugin/gcc/memo.cc).
 *
 * A candidate is a function LLVM proved readnone or readonly (FunctionAttrs,
 * done by OptimizerLast), or one the policy vouches for (memo.assume_pure),
 * whose arguments and result are all scalars: integers up to 64 bits,
 * float/double, pointers.  Its entry mixes the incoming argument values into
 * one 64-bit fingerprint (pointers by address, floats by bit pattern);
 * before each exit probe that sees the returned value, one call hands the
 * runtime the fingerprint and the value.  Raw values never leave the
 * function. */
#include "autoprof_llvm.h"

namespace ap_llvm {
namespace {

const uint64_t kMix = 0x9E3779B97F4A7C15ull;

/* Debug info still tells what the ABI lowering hides: a small struct passed
 * as an i64, or split into two arguments, is no scalar.  Typedefs and
 * qualifiers are looked through. */
bool di_scalar(const DIType *t) {
  while (auto *d = dyn_cast_or_null<DIDerivedType>(t)) {
    unsigned tag = d->getTag();
    if (tag == dwarf::DW_TAG_pointer_type || tag == dwarf::DW_TAG_reference_type ||
        tag == dwarf::DW_TAG_rvalue_reference_type || tag == dwarf::DW_TAG_ptr_to_member_type)
      return true;
    t = d->getBaseType();
  }
  if (!t)
    return false; /* void */
  if (auto *c = dyn_cast<DICompositeType>(t))
    return c->getTag() == dwarf::DW_TAG_enumeration_type;
  return isa<DIBasicType>(t);
}

/* With debug info: the source signature is all scalars, one IR argument
 * per source argument.  Without it the IR types decide alone. */
bool source_scalars(const Function &f) {
  const DISubprogram *sp = f.getSubprogram();
  const DISubroutineType *st = sp ? sp->getType() : nullptr;
  if (!st)
    return true;
  DITypeRefArray types = st->getTypeArray();
  if (types.size() != f.arg_size() + 1)
    return false;
  for (unsigned i = 0; i < types.size(); i++)
    if (!di_scalar(types[i]))
      return false;
  return true;
}

} // namespace

unsigned arg_kind(Type *t) {
  if (t->isIntegerTy() && t->getIntegerBitWidth() <= 64)
    return AP_ARG_INT; /* integers, enums, bool */
  if (t->isPointerTy())
    return AP_ARG_POINTER;
  if (t->isFloatTy() || t->isDoubleTy())
    return AP_ARG_FLOAT;
  return AP_ARG_NONE;
}

/* V as a 64-bit unsigned.  Integers are sign-extended like GCC's conversion
 * of a signed value (IR has no signedness; bool and other i1 are zero
 * extended): the fingerprints and results are only compared for equality. */
Value *to_u64(IRBuilder<> &b, Value *v) {
  Type *t = v->getType(), *i64 = b.getInt64Ty();
  if (t->isFloatTy() || t->isDoubleTy())
    v = b.CreateBitCast(v, t->isFloatTy() ? b.getInt32Ty() : i64);
  if (v->getType()->isPointerTy())
    return b.CreatePtrToInt(v, i64);
  if (v->getType()->getIntegerBitWidth() == 1 || t->isFloatTy())
    return b.CreateZExt(v, i64);
  return b.CreateSExtOrBitCast(v, i64);
}

Value *mix_values(IRBuilder<> &b, ArrayRef<Value *> values) {
  Value *h = b.getInt64(kMix);
  for (Value *v : values)
    h = b.CreateMul(b.CreateXor(h, to_u64(b, v)), b.getInt64(kMix));
  return h;
}

uint64_t memo_arg_kinds(Function &f) {
  if (f.isVarArg() || f.arg_size() > 15 || !source_scalars(f))
    return 0;
  unsigned result = arg_kind(f.getReturnType());
  if (result == AP_ARG_NONE)
    return 0; /* void (or sret) or an aggregate: nothing to compare */
  uint64_t kinds = result;
  for (Argument &a : f.args()) {
    unsigned k = arg_kind(a.getType());
    if (k == AP_ARG_NONE || a.hasByValAttr() || a.hasInAllocaAttr() || a.hasPreallocatedAttr() ||
        a.hasStructRetAttr())
      return 0;
    kinds |= (uint64_t)k << (4 * a.getArgNo() + 4);
  }
  return kinds;
}

/* IR arguments are never reassigned: they are the incoming values whatever
 * the body (or -O0's stores to their homes) does later. */
Value *memo_args_fingerprint(Function &f, IRBuilder<> &b) {
  SmallVector<Value *, 8> args;
  for (Argument &a : f.args())
    args.push_back(&a);
  return mix_values(b, args);
}

void memo_call(IRBuilder<> &b, Constant *site, Value *args_fp, Value *value) {
  Module &m = *b.GetInsertBlock()->getModule();
  Type *i64 = b.getInt64Ty();
  FunctionCallee memo = probe(m, "__autoprof_memo", {bytes_ptr(m.getContext()), i64, i64});
  Value *result = to_u64(b, value);
  b.CreateCall(memo, {site, args_fp, result});
}

} // namespace ap_llvm
