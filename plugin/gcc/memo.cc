/* Memo candidates: functions whose calls could be cached.
 *
 * A candidate is a function GCC proved const or pure (its pure-const result,
 * final at our late position and not disturbed by probes inserted after
 * it), or one the policy vouches for (memo.assume_pure), whose arguments
 * and result are all scalars: integers, enums, floating point, pointers.
 * Its entry block mixes the argument values into one 64-bit fingerprint
 * (a few xor/multiply steps on registers; pointers by address, floats by
 * bit pattern); before each exit probe that sees the returned value, one
 * call hands the runtime the fingerprint and the value.  Raw values never
 * leave the function. */
#include "autoprof_gcc.h"

extern "C" {
#include "autoprof/abi.h"
}

namespace {

tree memo_decl;
const unsigned long long kMix = 0x9E3779B97F4A7C15ull;

/* AP_ARG_* of a type, or AP_ARG_NONE if it cannot be fingerprinted. */
unsigned kind_of(tree type) {
  if (INTEGRAL_TYPE_P(type) && TYPE_PRECISION(type) <= 64)
    return AP_ARG_INT; /* integers, enums, bool */
  if (POINTER_TYPE_P(type))
    return AP_ARG_POINTER;
  if (SCALAR_FLOAT_TYPE_P(type) && (TYPE_PRECISION(type) == 32 || TYPE_PRECISION(type) == 64))
    return AP_ARG_FLOAT;
  return AP_ARG_NONE;
}

} // namespace

/* VALUE as a 64-bit unsigned, in new statements appended to SEQ. */
tree ap_to_u64(tree value, gimple_seq *seq) {
  tree u64 = unsigned_intDI_type_node;
  tree type = TREE_TYPE(value);
  if (SCALAR_FLOAT_TYPE_P(type)) {
    tree bits = make_ssa_name(TYPE_PRECISION(type) == 32 ? unsigned_intSI_type_node : u64);
    gimple_seq_add_stmt(
        seq, gimple_build_assign(bits, build1(VIEW_CONVERT_EXPR, TREE_TYPE(bits), value)));
    value = bits;
  }
  tree out = make_ssa_name(u64);
  gimple_seq_add_stmt(seq, gimple_build_assign(out, NOP_EXPR, value));
  return out;
}

/* The fingerprint of N values: xor/multiply steps appended to SEQ. */
tree ap_mix_values(const tree *values, unsigned n, gimple_seq *seq) {
  tree u64 = unsigned_intDI_type_node;
  tree h = build_int_cstu(u64, kMix);
  for (unsigned i = 0; i < n; i++) {
    tree x = make_ssa_name(u64), m = make_ssa_name(u64);
    gimple_seq_add_stmt(seq, gimple_build_assign(x, BIT_XOR_EXPR, h, ap_to_u64(values[i], seq)));
    gimple_seq_add_stmt(seq, gimple_build_assign(m, MULT_EXPR, x, build_int_cstu(u64, kMix)));
    h = m;
  }
  if (TREE_CODE(h) != SSA_NAME) { /* no values: a constant fingerprint */
    tree c = make_ssa_name(u64);
    gimple_seq_add_stmt(seq, gimple_build_assign(c, h));
    h = c;
  }
  return h;
}

unsigned ap_arg_kind(tree type) {
  return kind_of(type);
}

unsigned long long ap_memo_arg_kinds(function *fun) {
  tree fndecl = fun->decl;
  if (stdarg_p(TREE_TYPE(fndecl)))
    return 0;
  unsigned result = kind_of(TREE_TYPE(DECL_RESULT(fndecl)));
  if (result == AP_ARG_NONE)
    return 0; /* void or an aggregate: nothing to compare */
  unsigned long long kinds = result;
  unsigned i = 0;
  for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p), i++) {
    unsigned k = kind_of(TREE_TYPE(p));
    if (k == AP_ARG_NONE || i >= 15)
      return 0;
    kinds |= (unsigned long long)k << (4 * i + 4);
  }
  return kinds;
}

/* The arguments' fingerprint, computed right after the entry probe. */
tree ap_memo_args_fingerprint(function *fun, gimple *after) {
  gimple_seq seq = NULL;
  auto_vec<tree> values;
  for (tree p = DECL_ARGUMENTS(fun->decl); p; p = DECL_CHAIN(p)) {
    if (is_gimple_reg(p)) {
      /* the incoming value, whatever the body does to the parameter later */
      values.safe_push(get_or_create_ssa_default_def(fun, p));
    } else {
      tree v = make_ssa_name(TREE_TYPE(p)); /* an addressable parameter: its value at entry */
      gimple_seq_add_stmt(&seq, gimple_build_assign(v, p));
      values.safe_push(v);
    }
  }
  tree h = ap_mix_values(values.address(), values.length(), &seq);
  gimple_stmt_iterator gsi = gsi_for_stmt(after);
  gsi_insert_seq_after(&gsi, seq, GSI_NEW_STMT);
  return h;
}

/* The memo call for one exit that returns VALUE: statements in SEQ; the
 * call's site argument is a placeholder set with the exit probes'. */
gcall *ap_memo_call(tree args_fp, tree value, gimple_seq *seq) {
  if (!memo_decl) {
    tree u64 = unsigned_intDI_type_node;
    memo_decl =
        ap_probe_decl("__autoprof_memo",
                      build_function_type_list(void_type_node, ptr_type_node, u64, u64, NULL_TREE));
  }
  tree result = ap_to_u64(value, seq);
  gcall *call = gimple_build_call(memo_decl, 3, null_pointer_node, args_fp, result);
  gimple_seq_add_stmt(seq, call);
  return call;
}

tree ap_memo_decl(void) {
  return memo_decl;
}

void ap_gc_mark_memo(void) {
  ap_gc_mark(memo_decl);
}
