/* Function entry/exit probes.
 *
 * Where: right after "optimized", the last GIMPLE pass.  By then inlining is
 * done (inlined helpers get no probes and cost nothing), IPA clones exist as
 * their own bodies, and GCC's pure-const result is final — probing earlier,
 * as -finstrument-functions does, blocks inlining and tail-recursion
 * elimination and destroys purity.  The pass runs at every -O level. */
#include "autoprof_gcc.h"

extern "C" {
#include "autoprof/abi.h"
}

namespace {

tree enter_decl, exit_decl, part_decl, setjmp_decl;

void init_decls() {
  if (enter_decl)
    return;
  tree fntype = build_function_type_list(void_type_node, ptr_type_node, NULL_TREE);
  /* int __autoprof_enter_cond(site): the exit probes run only when it
   * returned non-zero (a sampled leaf's untimed call has no frame) */
  enter_decl = ap_probe_decl("__autoprof_enter_cond",
                             build_function_type_list(integer_type_node, ptr_type_node, NULL_TREE));
  exit_decl = ap_probe_decl("__autoprof_exit", fntype);
  part_decl = ap_probe_decl("__autoprof_part_call", fntype);
  setjmp_decl = ap_probe_decl("__autoprof_setjmp_return", fntype);
}

bool trivial_stmt(gimple *g) {
  return is_gimple_debug(g) || gimple_code(g) == GIMPLE_LABEL || gimple_code(g) == GIMPLE_NOP ||
         gimple_code(g) == GIMPLE_PREDICT || gimple_clobber_p(g);
}

/* The last statement of BB that does something, or NULL. */
gimple *last_real_stmt(basic_block bb) {
  for (gimple_stmt_iterator gsi = gsi_last_bb(bb); !gsi_end_p(gsi); gsi_prev(&gsi))
    if (!trivial_stmt(gsi_stmt(gsi)))
      return gsi_stmt(gsi);
  return NULL;
}

} // namespace

/* Estimated size after inlining: statements that do something. */
unsigned ap_body_size(function *fun) {
  unsigned n = 0;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi))
      if (!trivial_stmt(gsi_stmt(gsi)))
        n++;
  }
  return n;
}

namespace {

tree origin_of(tree fndecl) {
  tree origin = DECL_ABSTRACT_ORIGIN(fndecl);
  while (origin && DECL_ABSTRACT_ORIGIN(origin) && DECL_ABSTRACT_ORIGIN(origin) != origin)
    origin = DECL_ABSTRACT_ORIGIN(origin);
  return origin && TREE_CODE(origin) == FUNCTION_DECL ? origin : fndecl;
}

/* Is G a call to a split part (.part.N) of ORIGIN? */
bool is_own_part_call(gimple *g, tree origin) {
  tree callee = is_gimple_call(g) ? gimple_call_fndecl(g) : NULL_TREE;
  if (!callee)
    return false;
  cgraph_node *node = cgraph_node::get(callee);
  return node && node->split_part && origin_of(callee) == origin;
}

/* Finds the calls of this function to its own split part: it is then the
 * header of a function GCC split, so its own size says nothing of the
 * source function's size.  Such calls lose their tail-call mark: the part
 * must run inside the header's frame to count as the same activation (a
 * split function is one call, not two), and each gets a marker call right
 * before it (MARKERS): the part's entry probe then knows it continues this
 * activation, while the part's other callers (copies of the header GCC
 * inlined elsewhere, the part's own recursion) make real calls. */
bool own_part_calls(function *fun, tree origin, vec<gimple *> *markers) {
  bool found = false;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gimple *g = gsi_stmt(gsi);
      if (is_own_part_call(g, origin)) {
        if (markers) {
          gimple_call_set_tail(as_a<gcall *>(g), false);
          gcall *mark = gimple_build_call(part_decl, 1, null_pointer_node);
          gimple_set_location(mark, gimple_location(g));
          gsi_insert_before(&gsi, mark, GSI_SAME_STMT);
          markers->safe_push(mark);
        }
        found = true;
      }
    }
  }
  return found;
}

struct exit_placer {
  vec<gimple *> calls;
  bool tail;
  hash_set<gimple *> *tail_calls; /* the tail calls with their exit probe before them */

  gimple *make_call() {
    gcall *call = gimple_build_call(exit_decl, 1, null_pointer_node);
    calls.safe_push(call);
    return call;
  }
  /* Memo candidates: the arguments' fingerprint, and the memo calls made
   * (each placed right before an exit probe that knows the result). */
  tree args_fp;
  vec<gimple *> memo_calls;

  gimple_seq memo_seq(tree value) {
    if (!args_fp || !value)
      return NULL;
    gimple_seq seq = NULL;
    memo_calls.safe_push(ap_memo_call(args_fp, value, &seq));
    return seq;
  }
  /* VALUE as seen on edge E: a PHI result of E's destination is the
   * argument E brings. */
  static tree through_phi(tree value, edge e) {
    if (value && TREE_CODE(value) == SSA_NAME) {
      gimple *def = SSA_NAME_DEF_STMT(value);
      if (gimple_code(def) == GIMPLE_PHI && gimple_bb(def) == e->dest)
        return PHI_ARG_DEF_FROM_EDGE(as_a<gphi *>(def), e);
    }
    return value;
  }
  /* VALUE: what the function returns there (NULL_TREE before a tail call,
   * whose result is not known yet: no memo call on that path). */
  void before(gimple *g, tree value) {
    if (is_gimple_call(g) && gimple_call_tail_p(as_a<gcall *>(g)))
      tail_calls->add(g);
    gimple_stmt_iterator gsi = gsi_for_stmt(g);
    if (gimple_seq seq = memo_seq(value))
      gsi_insert_seq_before(&gsi, seq, GSI_SAME_STMT);
    gsi_insert_before(&gsi, make_call(), GSI_SAME_STMT);
  }
  /* A tail call stays a tail call (no stack growth, sibcall kept): its exit
   * probe goes before it.  tailc marks calls across empty blocks, and a
   * probe placed after such a call silently vanishes, so the paths are
   * followed back through empty blocks the way tailc does. */
  void on_edge(edge e, int depth, tree value) {
    basic_block pred = e->src;
    value = through_phi(value, e);
    gimple *last = pred == AP_ENTRY_BB ? NULL : last_real_stmt(pred);
    if (last && is_gimple_call(last) && gimple_call_tail_p(as_a<gcall *>(last))) {
      before(last, NULL_TREE);
      tail = true;
    } else if (!last && pred != AP_ENTRY_BB && single_succ_p(pred) && depth < 16 &&
               !bb_has_abnormal_pred(pred)) {
      edge pe;
      edge_iterator ei;
      FOR_EACH_EDGE(pe, ei, pred->preds)
      on_edge(pe, depth + 1, value);
    } else {
      if (gimple_seq seq = memo_seq(value))
        gsi_insert_seq_on_edge(e, seq);
      gsi_insert_on_edge(e, make_call());
    }
  }
  /* `<retval> = var;` before a return of <retval>: an aggregate result
   * copied out, which tailc looks through (`a = app (a, n); [tail call]`
   * in one block, `D.1995 = a; return D.1995;` in the next: the sibcall
   * never reaches that block). */
  static bool result_copy(gimple *g, tree retval) {
    return retval && gimple_assign_single_p(g) && gimple_assign_lhs(g) == retval &&
           DECL_P(gimple_assign_rhs1(g));
  }
  void at_return(greturn *ret) {
    basic_block bb = gimple_bb(ret);
    tree value = gimple_return_retval(ret);
    gimple_stmt_iterator gsi = gsi_for_stmt(ret);
    for (gsi_prev(&gsi); !gsi_end_p(gsi) && trivial_stmt(gsi_stmt(gsi)); gsi_prev(&gsi))
      ;
    if (!gsi_end_p(gsi) && result_copy(gsi_stmt(gsi), value) && !bb_has_abnormal_pred(bb)) {
      /* the copy's value is not a scalar: no memo call there */
      gimple_stmt_iterator before_copy = gsi;
      for (gsi_prev(&before_copy); !gsi_end_p(before_copy) && trivial_stmt(gsi_stmt(before_copy));
           gsi_prev(&before_copy))
        ;
      if (gsi_end_p(before_copy)) {
        on_preds(bb, NULL_TREE);
        return;
      }
    }
    if (!gsi_end_p(gsi)) {
      gimple *g = gsi_stmt(gsi);
      if (is_gimple_call(g) && gimple_call_tail_p(as_a<gcall *>(g))) {
        before(g, NULL_TREE);
        tail = true;
      } else {
        before(ret, value);
      }
      return;
    }
    if (bb_has_abnormal_pred(bb)) {
      before(ret, value);
      return;
    }
    on_preds(bb, value);
  }
  /* on_edge for each edge into BB (collected first: the edits add blocks) */
  void on_preds(basic_block bb, tree value) {
    auto_vec<edge> preds;
    edge e;
    edge_iterator ei;
    FOR_EACH_EDGE(e, ei, bb->preds)
    preds.safe_push(e);
    for (edge pe : preds)
      on_edge(pe, 0, value);
  }
};

/* Puts exit probe CALL under `if (TOK != 0)`: its block is split before
 * and after it (a tail call after it stays last before its return). */
void make_conditional(gimple *call, tree tok) {
  basic_block bb = gimple_bb(call);
  gimple_stmt_iterator gsi = gsi_for_stmt(call);
  gsi_prev(&gsi);
  edge into = gsi_end_p(gsi) ? split_block_after_labels(bb) : split_block(bb, gsi_stmt(gsi));
  basic_block cond_bb = into->src, call_bb = into->dest;
  edge out = split_block(call_bb, call);
  basic_block join_bb = out->dest;
  gimple_stmt_iterator last = gsi_last_bb(cond_bb);
  gcond *test =
      gimple_build_cond(NE_EXPR, tok, build_zero_cst(TREE_TYPE(tok)), NULL_TREE, NULL_TREE);
  gsi_insert_after(&last, test, GSI_NEW_STMT);
  into->flags = (into->flags & ~EDGE_FALLTHRU) | EDGE_TRUE_VALUE;
  into->probability = profile_probability::likely();
  edge skip = make_edge(cond_bb, join_bb, EDGE_FALSE_VALUE);
  skip->probability = into->probability.invert();
  call_bb->count = cond_bb->count.apply_probability(into->probability);
}

const char *printable_name(tree decl) {
  return lang_hooks.decl_printable_name(decl, 2);
}

/* An IFUNC resolver (`int f(int) __attribute__((ifunc("resolve_f")))`):
 * the dynamic linker calls it while it relocates the program, before any
 * library is set up, once; no probe belongs there (helper-23: an
 * instrumented resolver crashed the program before main). */
static bool ifunc_resolver(tree fndecl) {
  cgraph_node *node = cgraph_node::get(fndecl);
  if (node && node->ifunc_resolver)
    return true;
  const char *name = IDENTIFIER_POINTER(DECL_ASSEMBLER_NAME(fndecl));
  symtab_node *s;
  FOR_EACH_SYMBOL(s) {
    tree attr = lookup_attribute("ifunc", DECL_ATTRIBUTES(s->decl));
    tree arg = attr && TREE_VALUE(attr) ? TREE_VALUE(TREE_VALUE(attr)) : NULL_TREE;
    if (arg && TREE_CODE(arg) == STRING_CST && !strcmp(TREE_STRING_POINTER(arg), name))
      return true;
  }
  return false;
}

/* Why a function is never instrumented, whatever the policy says; NULL if
 * the policy decides. */
const char *never_reason(tree fndecl, tree origin) {
  const char *asm_name = IDENTIFIER_POINTER(DECL_ASSEMBLER_NAME(fndecl));
  if (ap_is_runtime_name(asm_name) || ap_is_runtime_name(printable_name(origin)))
    return "the runtime's own";
  /* Compiler-made functions (our constructor, thunks...) have no source
   * counterpart; IPA clones do (their abstract origin). */
  if (DECL_ARTIFICIAL(fndecl) && origin == fndecl)
    return "compiler-generated";
  if (lookup_attribute("no_instrument_function", DECL_ATTRIBUTES(origin)) ||
      lookup_attribute("no_instrument_function", DECL_ATTRIBUTES(fndecl)))
    return "no_instrument_function attribute";
  if (lookup_attribute("naked", DECL_ATTRIBUTES(origin)))
    return "naked function (no prologue to put a probe in)";
  if (ifunc_resolver(fndecl))
    return "an IFUNC resolver (runs while the program is relocated)";
  return NULL;
}

/* Each setjmp (any returns_twice call but vfork's) gets a local mark set
 * to 0 right before it and `__autoprof_setjmp_return (&mark)` right after
 * it: on a return through longjmp the runtime closes the frames the jump
 * abandoned (abi.h).  In every function of the unit, instrumented or not:
 * the setjmp may be in code the policy leaves out.  Returns whether it
 * added any. */
bool setjmp_returns(function *fun) {
  if (!fun->calls_setjmp)
    return false;
  auto_vec<gcall *> calls;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi));
      if (!call || !(gimple_call_flags(call) & ECF_RETURNS_TWICE))
        continue;
      tree fn = gimple_call_fndecl(call);
      if (fn && DECL_NAME(fn) && strstr(IDENTIFIER_POINTER(DECL_NAME(fn)), "vfork"))
        continue; /* returns in the parent once the child is gone: no jump */
      calls.safe_push(call);
    }
  }
  if (calls.is_empty())
    return false;
  init_decls();
  cgraph_node *self = cgraph_node::get_create(fun->decl);
  for (gcall *call : calls) {
    tree mark = create_tmp_var(unsigned_type_node, "autoprof_jmp");
    TREE_ADDRESSABLE(mark) = 1;
    /* the 0 on the edges that enter the call's block by a direct path (a
     * setjmp starts its block; the abnormal edge is the return by longjmp) */
    basic_block at = gimple_bb(call);
    auto_vec<edge> in;
    edge e;
    edge_iterator ei;
    FOR_EACH_EDGE(e, ei, at->preds)
    if (!(e->flags & EDGE_ABNORMAL))
      in.safe_push(e);
    for (edge pe : in)
      gsi_insert_on_edge(pe, gimple_build_assign(mark, build_zero_cst(unsigned_type_node)));
    gcall *ret = gimple_build_call(setjmp_decl, 1, build_fold_addr_expr(mark));
    gimple_set_location(ret, gimple_location(call));
    gimple_stmt_iterator gsi = gsi_for_stmt(call);
    if (stmt_ends_bb_p(call)) {
      auto_vec<edge> out;
      FOR_EACH_EDGE(e, ei, at->succs)
      if (!(e->flags & (EDGE_ABNORMAL | EDGE_EH)))
        out.safe_push(e);
      for (unsigned i = 0; i < out.length(); i++) {
        gcall *c = i ? as_a<gcall *>(gimple_copy(ret)) : ret;
        gsi_insert_on_edge(out[i], c);
      }
    } else {
      gsi_insert_after(&gsi, ret, GSI_SAME_STMT);
    }
  }
  gsi_commit_edge_inserts();
  /* the calls' graph edges, once they are in their final blocks */
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi))
      if (gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi)))
        if (gimple_call_fndecl(call) == setjmp_decl && !self->get_edge(call))
          self->create_edge(cgraph_node::get_create(setjmp_decl), call, bb->count);
  }
  free_dominance_info(CDI_DOMINATORS);
  if (current_loops)
    loops_state_set(LOOPS_NEED_FIXUP);
  return true;
}

/* Running the pass twice over one body must not double its probes. */
hash_set<tree> *done;

/* A function GCC split is one source function in two bodies, compiled one
 * after the other: the policy's size test takes both bodies' sizes, and
 * whichever body comes second takes the first one's decision (both
 * instrumented or neither: a part without its header's frame would count
 * calls of its own).  Keyed by the origin's DECL_UID; sizes by the body's. */
hash_map<int_hash<unsigned, 0, UINT_MAX>, int> *split_decisions;
hash_map<int_hash<unsigned, 0, UINT_MAX>, unsigned> *split_sizes;

/* The size of DECL's body: measured when it was instrumented, or now if
 * it still has one (not compiled yet), else 0. */
unsigned body_size_of(tree decl) {
  if (unsigned *known = split_sizes->get(DECL_UID(decl)))
    return *known;
  function *f = DECL_STRUCT_FUNCTION(decl);
  return f && gimple_has_body_p(decl) && f->cfg ? ap_body_size(f) : 0;
}

/* The size of the source function FUN is a body of (header or part). */
unsigned split_size(function *fun, tree origin, unsigned own) {
  unsigned total = own;
  if (fun->decl != origin) /* a part: its header */
    return total + body_size_of(origin);
  cgraph_node *self = cgraph_node::get(fun->decl);
  for (cgraph_edge *e = self ? self->callees : NULL; e; e = e->next_callee)
    if (e->callee && e->callee->split_part && origin_of(e->callee->decl) == origin &&
        e->callee->decl != fun->decl)
      return total + body_size_of(e->callee->decl);
  return total;
}

} // namespace

/* Name, place and compiler facts of the function being compiled.  Returns
 * why it must never be instrumented, or NULL if the policy decides. */
const char *ap_describe_function(function *fun, ap_func_info *info) {
  tree fndecl = fun->decl;
  tree origin = origin_of(fndecl);
  expanded_location loc = expand_location(DECL_SOURCE_LOCATION(origin));
  *info = ap_func_info();
  info->name = printable_name(origin);
  info->file = loc.file ? loc.file : main_input_filename;
  info->line = loc.line;
  info->symbol = IDENTIFIER_POINTER(DECL_ASSEMBLER_NAME(fndecl));
  cgraph_node *node = cgraph_node::get(fndecl);
  int ecf = flags_from_decl_or_type(origin) | flags_from_decl_or_type(fndecl);
  info->flags = (ecf & ECF_CONST ? AP_FUNC_CONST : 0) | (ecf & ECF_PURE ? AP_FUNC_PURE : 0) |
                (origin != fndecl || strcmp(info->name, info->symbol) ? AP_FUNC_CLONE : 0) |
                (node && node->split_part ? AP_FUNC_PART : 0) |
                (MAIN_NAME_P(DECL_NAME(origin)) ? AP_FUNC_MAIN : 0);
  /* a callback, a qsort comparator: the inline hint says that calls through
   * a pointer stay calls (helper-25) */
  cgraph_node *onode = origin != fndecl ? cgraph_node::get(origin) : node;
  if ((node && node->address_taken) || (onode && onode->address_taken))
    info->flags |= AP_FUNC_ADDRESSED;
  return never_reason(fndecl, origin);
}

/* No call in FUN's body can reach instrumented code: only internal calls,
 * autoprof's own probes, and normal builtins that take no function pointer
 * (memcpy, sqrt, ...: at worst a libc call); an asm statement that does not
 * say `call`.  Such a function's untimed calls need no frame: nothing it
 * does pushes one above it. */
bool ap_static_leaf(function *fun) {
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gimple *g = gsi_stmt(gsi);
      if (gasm *a = dyn_cast<gasm *>(g)) {
        if (strstr(gimple_asm_string(a), "call") || strstr(gimple_asm_string(a), "jmp"))
          return false;
        continue;
      }
      gcall *call = dyn_cast<gcall *>(g);
      if (!call || gimple_call_internal_p(call))
        continue;
      tree fn = gimple_call_fndecl(call);
      if (fn && DECL_NAME(fn) && ap_is_runtime_name(IDENTIFIER_POINTER(DECL_NAME(fn))))
        continue;
      if (!fn || !fndecl_built_in_p(fn, BUILT_IN_NORMAL))
        return false;
      for (unsigned i = 0; i < gimple_call_num_args(call); i++) {
        tree t = TREE_TYPE(gimple_call_arg(call, i));
        if (POINTER_TYPE_P(t) && FUNC_OR_METHOD_TYPE_P(TREE_TYPE(t)))
          return false;
      }
    }
  }
  return true;
}

namespace {

unsigned instrument(function *fun) {
  tree fndecl = fun->decl;
  if (!done)
    done = new hash_set<tree>;
  if (done->add(fndecl))
    return 0;
  ap_func_info info;
  const char *never = ap_describe_function(fun, &info);
  tree origin = origin_of(fndecl);
  bool split = (info.flags & AP_FUNC_PART) || own_part_calls(fun, origin, NULL);
  info.size = ap_body_size(fun);
  char why[256];
  enum ap_decision d = AP_SKIP;
  if (!split_decisions) {
    split_decisions = new hash_map<int_hash<unsigned, 0, UINT_MAX>, int>;
    split_sizes = new hash_map<int_hash<unsigned, 0, UINT_MAX>, unsigned>;
  }
  int *decided = split ? split_decisions->get(DECL_UID(origin)) : NULL;
  if (never) {
    snprintf(why, sizeof why, "%s", never);
  } else if (decided) {
    d = (enum ap_decision) * decided;
    snprintf(why, sizeof why, "as the other body of this split function");
  } else {
    unsigned size = split ? split_size(fun, origin, info.size) : info.size;
    d = ap_policy_function(ap_config.policy, info.name, info.file, size, 1, why, sizeof why);
    if (split) {
      split_decisions->put(DECL_UID(origin), (int)d);
      if (size != info.size && strlen(why) + 40 < sizeof why)
        snprintf(why + strlen(why), sizeof why - strlen(why), "; both bodies: size %u", size);
    }
  }
  if (split)
    split_sizes->put(DECL_UID(fndecl), info.size);
  bool renamed = strcmp(info.name, info.symbol) != 0;
  if (ap_config.verbose)
    fprintf(stderr, "autoprof: %s:%u: %s%s%s: %s (%s; size %u%s)\n", info.file, info.line,
            info.name, renamed ? " as " : "", renamed ? info.symbol : "",
            d == AP_SKIP ? "skipped" : "instrumented", why, info.size,
            split ? ", split function" : "");
  /* loop-invariant call candidates: name and file rules, not min_size */
  const struct ap_policy *pol = ap_config.policy;
  unsigned todo = 0;
  if (!never && setjmp_returns(fun)) {
    mark_virtual_operands_for_renaming(fun);
    todo = TODO_update_ssa;
  }
  if (!never && pol->memo.enabled &&
      ap_policy_function(pol, info.name, info.file, 0, 0, NULL, 0) != AP_SKIP &&
      ap_instrument_call_sites(fun, info.name)) {
    mark_virtual_operands_for_renaming(fun);
    todo = TODO_update_ssa;
  }
  if (d == AP_SKIP) {
    ap_func_site_done(fndecl);
    return todo;
  }
  if (d == AP_INSTRUMENT_ALWAYS)
    info.flags |= AP_FUNC_ALWAYS;
  init_decls();

  bool leaf = ap_static_leaf(fun); /* before any probe of this pass */
  /* Collect the returns first: the edits below add blocks. */
  auto_vec<greturn *> returns;
  edge e;
  edge_iterator ei;
  FOR_EACH_EDGE(e, ei, AP_EXIT_BB->preds) {
    if (greturn *ret = safe_dyn_cast<greturn *>(last_stmt(e->src)))
      returns.safe_push(ret);
  }

  auto_vec<gimple *> markers;
  if (split)
    own_part_calls(fun, origin, &markers);
  /* The entry probe first: a function whose body is only a return then has
   * it before its exit probe, and no edge holds two pending insertions.
   * The site's address is filled in last: its flags depend on the exits. */
  gcall *enter = gimple_build_call(enter_decl, 1, null_pointer_node);
  tree token = make_ssa_name(integer_type_node, enter);
  gimple_call_set_lhs(enter, token);
  gsi_insert_on_edge_immediate(single_succ_edge(AP_ENTRY_BB), enter);
  exit_placer exits = {};
  exits.calls.create(4);
  /* memo candidates: const/pure (GCC's verdict) or vouched for, scalar in
   * and out */
  if (pol->memo.enabled && info.size >= pol->memo.min_size &&
      ((info.flags & (AP_FUNC_CONST | AP_FUNC_PURE)) || ap_policy_assume_pure(pol, info.name)))
    info.arg_kinds = ap_memo_arg_kinds(fun);
  if (info.arg_kinds) {
    info.flags |= AP_FUNC_MEMO;
    exits.args_fp = ap_memo_args_fingerprint(fun, enter);
  }
  exits.memo_calls.create(0);
  hash_set<gimple *> tail_calls;
  exits.tail_calls = &tail_calls;
  for (greturn *ret : returns)
    exits.at_return(ret);
  /* A call tailc marked whose exit probe is not before it would become a
   * jump past the probe: the activation never closes, and every later
   * call nests under it (jq's jv_string_append_buf: a 10,000-deep path
   * and a false first hint).  It stays a plain call. */
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi))
      if (gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi)))
        if (gimple_call_tail_p(call) && !tail_calls.contains(call))
          gimple_call_set_tail(call, false);
  }
  if (exits.tail)
    info.flags |= AP_FUNC_TAILCALL;
  /* a static leaf counts its untimed calls inline (abi.h) */
  if (leaf && !(info.flags & (AP_FUNC_MEMO | AP_FUNC_PART | AP_FUNC_MAIN)) && !split &&
      ap_loop_inline_ok())
    info.flags |= AP_FUNC_LEAF;
  tree addr = build_fold_addr_expr(ap_func_site(fndecl, info, true));
  gsi_commit_edge_inserts();

  cgraph_node *self = cgraph_node::get_create(fndecl);
  gimple_call_set_arg(enter, 0, addr);
  update_stmt(enter);
  self->create_edge(cgraph_node::get_create(enter_decl), enter, gimple_bb(enter)->count);
  for (gimple *call : exits.calls) {
    gimple_call_set_arg(call, 0, addr);
    update_stmt(call);
    self->create_edge(cgraph_node::get_create(exit_decl), as_a<gcall *>(call),
                      gimple_bb(call)->count);
  }
  for (gimple *call : exits.calls)
    make_conditional(call, token);
  if (exits.calls.length()) {
    free_dominance_info(CDI_DOMINATORS);
    if (current_loops)
      loops_state_set(LOOPS_NEED_FIXUP);
  }
  for (gimple *call : markers) {
    gimple_call_set_arg(call, 0, addr);
    update_stmt(call);
    self->create_edge(cgraph_node::get_create(part_decl), as_a<gcall *>(call),
                      gimple_bb(call)->count);
  }
  for (gimple *call : exits.memo_calls) {
    gimple_call_set_arg(call, 0, addr);
    update_stmt(call);
    self->create_edge(cgraph_node::get_create(ap_memo_decl()), as_a<gcall *>(call),
                      gimple_bb(call)->count);
  }
  exits.memo_calls.release();
  exits.calls.release();
  if (info.flags & AP_FUNC_LEAF) {
    ap_inline_leaf_entry(enter);
    free_dominance_info(CDI_DOMINATORS);
    if (current_loops)
      loops_state_set(LOOPS_NEED_FIXUP);
  }
  mark_virtual_operands_for_renaming(fun);
  return TODO_update_ssa;
}

const pass_data func_pass_data = {
    GIMPLE_PASS, "autoprof_func", OPTGROUP_NONE, TV_NONE, PROP_cfg | PROP_ssa, 0, 0, 0, 0,
};

class func_pass : public gimple_opt_pass {
public:
  func_pass(gcc::context *ctxt) : gimple_opt_pass(func_pass_data, ctxt) {}
  unsigned int execute(function *fun) override { return instrument(fun); }
};

} // namespace

opt_pass *ap_make_func_pass(gcc::context *ctxt) {
  return new func_pass(ctxt);
}

void ap_gc_mark_funcs(void) {
  ap_gc_mark(enter_decl);
  ap_gc_mark(exit_decl);
  ap_gc_mark(part_decl);
  ap_gc_mark(setjmp_decl);
  ap_gc_mark_set(done);
}
