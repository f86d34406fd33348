/* Loop-invariant call candidates: calls made inside a loop to a const or
 * pure function (the user's own, or one GCC knows: strlen, strcmp, sqrt...)
 * with scalar arguments and result.  Right after such a call, one probe
 * hands the runtime the fingerprint of the arguments and the result; the
 * runtime compares them with the previous call at the same site.  A call
 * that keeps returning the same value for the same arguments inside its
 * loop could be hoisted out of it.
 *
 * Where: with the entry/exit probes, after "optimized": the calls left in
 * loops then are the ones the program really makes on every iteration
 * (GCC's own loop-invariant motion has hoisted what it could prove
 * invariant), and the probes cannot stop GCC from hoisting anything. */
#include "autoprof_gcc.h"

extern "C" {
#include "autoprof/abi.h"
}

namespace {

tree call_site_decl, call_begin_decl;

/* The call's argument kinds, or 0 when it cannot be fingerprinted. */
unsigned long long call_kinds(gcall *call) {
  tree lhs = gimple_call_lhs(call);
  unsigned r = lhs ? ap_arg_kind(TREE_TYPE(lhs)) : AP_ARG_NONE;
  if (r == AP_ARG_NONE || gimple_call_num_args(call) > 15)
    return 0;
  unsigned long long kinds = r;
  for (unsigned i = 0; i < gimple_call_num_args(call); i++) {
    unsigned k = ap_arg_kind(TREE_TYPE(gimple_call_arg(call, i)));
    if (k == AP_ARG_NONE)
      return 0;
    kinds |= (unsigned long long)k << (4 * i + 4);
  }
  return kinds;
}

bool candidate(gcall *call, unsigned long long *kinds) {
  tree callee = gimple_call_fndecl(call);
  if (!callee || ap_is_runtime_name(IDENTIFIER_POINTER(DECL_NAME(callee))))
    return false;
  /* __builtin_clz and the like become an instruction or two: nothing to
   * hoist, and the probe would cost more than the call (clang leaves out
   * "__" names alike) */
  if (strncmp(IDENTIFIER_POINTER(DECL_NAME(callee)), "__", 2) == 0)
    return false;
  /* library internals a header's macro expands to (__ctype_toupper_loc)
   * are nothing a user can move: only library functions GCC knows by name
   * (strlen, memcmp, sqrt...) and the program's own functions */
  if (DECL_IN_SYSTEM_HEADER(callee) && !fndecl_built_in_p(callee))
    return false;
  int flags = gimple_call_flags(call);
  if (!(flags & (ECF_CONST | ECF_PURE)) || (flags & ECF_LOOPING_CONST_OR_PURE))
    return false;
  if (stmt_ends_bb_p(call)) /* could throw: no room after it */
    return false;
  return (*kinds = call_kinds(call)) != 0;
}

void instrument_call(gcall *call, const char *function, location_t loop_loc) {
  if (!call_site_decl) {
    tree u64 = unsigned_intDI_type_node;
    call_site_decl =
        ap_probe_decl("__autoprof_call_site",
                      build_function_type_list(void_type_node, ptr_type_node, u64, u64, NULL_TREE));
    call_begin_decl =
        ap_probe_decl("__autoprof_call_begin",
                      build_function_type_list(void_type_node, ptr_type_node, NULL_TREE));
  }
  unsigned long long kinds = call_kinds(call);
  tree callee = gimple_call_fndecl(call);
  int flags = gimple_call_flags(call);
  expanded_location xl = expand_location(gimple_location(call));
  ap_call_info info = {};
  info.flags = (flags & ECF_CONST ? AP_CALL_CONST : 0) | (flags & ECF_PURE ? AP_CALL_PURE : 0) |
               (fndecl_built_in_p(callee) ? AP_CALL_BUILTIN : 0);
  info.line = xl.line;
  /* the site names the loop by a line of the call's file: a call inlined
   * from a header into a loop of another file (zstd's bits.h into its
   * encoders) gets no loop line rather than a wrong one */
  expanded_location ll = expand_location(loop_loc);
  unsigned loop_line = ll.file && xl.file && strcmp(ll.file, xl.file) == 0 ? (unsigned)ll.line : 0;
  info.loop_line = loop_line;
  info.callee = lang_hooks.decl_printable_name(callee, 2);
  info.file = xl.file ? xl.file : main_input_filename;
  info.function = function;
  info.arg_kinds = kinds;
  tree site = ap_call_site_record(info);

  gimple_seq seq = NULL;
  auto_vec<tree> args;
  for (unsigned i = 0; i < gimple_call_num_args(call); i++)
    args.safe_push(gimple_call_arg(call, i));
  tree fp = ap_mix_values(args.address(), args.length(), &seq);
  tree result = ap_to_u64(gimple_call_lhs(call), &seq);
  gcall *probe = gimple_build_call(call_site_decl, 3, build_fold_addr_expr(site), fp, result);
  gimple_seq_add_stmt(&seq, probe);
  gimple_stmt_iterator gsi = gsi_for_stmt(call);
  gsi_insert_seq_after(&gsi, seq, GSI_NEW_STMT);
  /* the begin probe samples the call's time (one call in 64) */
  gcall *begin = gimple_build_call(call_begin_decl, 1, build_fold_addr_expr(site));
  gsi = gsi_for_stmt(call);
  gsi_insert_before(&gsi, begin, GSI_SAME_STMT);
  cgraph_node *self = cgraph_node::get_create(current_function_decl);
  self->create_edge(cgraph_node::get_create(call_site_decl), probe, gimple_bb(probe)->count);
  self->create_edge(cgraph_node::get_create(call_begin_decl), begin, gimple_bb(begin)->count);
  if (ap_config.verbose)
    fprintf(stderr, "autoprof: %s:%u: call to %s in the loop at line %u of %s: invariance probe\n",
            info.file, info.line, info.callee, loop_line, function);
}

} // namespace

unsigned ap_instrument_call_sites(function *fun, const char *function_name) {
  /* find the loops without touching the CFG: this is the last GIMPLE pass */
  loop_optimizer_init(AVOID_CFG_MODIFICATIONS);
  auto_vec<std::pair<gcall *, location_t>> calls;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    if (!bb->loop_father || !loop_outer(bb->loop_father))
      continue;
    location_t loop_loc = find_loop_location(bb->loop_father).get_location_t();
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi));
      unsigned long long kinds;
      if (call && candidate(call, &kinds))
        calls.safe_push(std::make_pair(call, loop_loc));
    }
  }
  loop_optimizer_finalize();
  for (auto &c : calls)
    instrument_call(c.first, function_name, c.second);
  return calls.length();
}

void ap_gc_mark_calls(void) {
  ap_gc_mark(call_site_decl);
  ap_gc_mark(call_begin_decl);
}
