/* Loop records without a call (abi.h, "Inline loop counts").
 *
 * loops.cc puts the runtime calls on the loop exits (and a timed loop's
 * start in its preheader) and marks those to be made inline; after
 * "optimized" (expand_loop_marks) this turns each marked group into
 *
 *   if (every slot of the group is in this thread's counters)
 *     add the figures to __autoprof_loop_tls.counters   (a few loads, adds, stores)
 *   else
 *     the calls, as they were                            (first probe of a thread, ...)
 *
 * An outermost loop's exit was one call of ~5 ns (bzip2 makes 7 M of them, Lua 26 M);
 * inline it is about 1 ns.  The stores go to memory the program cannot
 * name, at the loop's exit, never in its body.
 *
 * The same block of thread-local memory serves a static leaf's entry
 * (ap_inline_leaf_entry, abi.h "Inline leaf calls"): the untimed calls of
 * a run taken with one compare and one decrement. */
#include "autoprof_gcc.h"

extern "C" {
#include "autoprof/abi.h"
}

namespace {

tree u64() {
  return unsigned_intDI_type_node;
}
tree u32() {
  return unsigned_intSI_type_node;
}

tree tls_field(int i) {
  tree f[AP_TLS_NFIELDS];
  tree decl = ap_loop_tls_decl(f);
  return build3(COMPONENT_REF, TREE_TYPE(f[i]), decl, f[i], NULL_TREE);
}

/* *(TYPE *)(PTR + OFF), PTR an SSA pointer or the address of a decl */
tree mem(tree type, tree ptr, unsigned off) {
  return build2(MEM_REF, type, ptr, build_int_cst(build_pointer_type(type), off));
}

/* A counter.  Not volatile: the fast paths are made after "optimized"
 * (loops.cc, expand_loop_marks), where no vectorizer runs (basic-block SLP
 * paired neighbouring counters into vector adds while they were made
 * before "ch"), so an update is one add to memory, not a load, an add and
 * a store. */
tree counter(tree type, tree c, unsigned off) {
  return mem(type, c, off);
}

tree load(gimple_seq *seq, tree ref) {
  tree v = make_ssa_name(TREE_TYPE(ref));
  gimple_seq_add_stmt(seq, gimple_build_assign(v, ref));
  return v;
}

tree op(gimple_seq *seq, enum tree_code code, tree a, tree b) {
  tree v = make_ssa_name(TREE_TYPE(a));
  gimple_seq_add_stmt(seq, gimple_build_assign(v, code, a, b));
  return v;
}

tree convert(gimple_seq *seq, tree type, tree a) {
  tree v = make_ssa_name(type);
  gimple_seq_add_stmt(seq, gimple_build_assign(v, NOP_EXPR, a));
  return v;
}

/* site->slot - 1 (u32): below __autoprof_loop_tls.lim iff the slot is there */
tree slot_of(gimple_seq *seq, tree site_addr) {
  return load(seq, mem(u32(), site_addr, offsetof(struct ap_loop_site, slot)));
}

/* &counters[slot] */
tree counters_of(gimple_seq *seq, tree slot) {
  tree base = load(seq, tls_field(AP_TLS_COUNTERS));
  tree off = op(seq, MULT_EXPR, convert(seq, sizetype, slot),
                build_int_cst(sizetype, AP_LOOP_COUNTS_STRIDE));
  tree c = make_ssa_name(ptr_type_node);
  gimple_seq_add_stmt(seq, gimple_build_assign(c, POINTER_PLUS_EXPR, base, off));
  return c;
}

/* *ref = OP(*ref, v) */
void update(gimple_seq *seq, tree c, unsigned off, enum tree_code code, tree v) {
  tree old = load(seq, counter(u64(), c, off));
  gimple_seq_add_stmt(seq, gimple_build_assign(counter(u64(), c, off), op(seq, code, old, v)));
}

/* The figures of __autoprof_loop_nest (entries, iterations, min - 1, max,
 * zero trip) added to the counters at C. */
void add_figures(gimple_seq *seq, tree c, tree e, tree n, tree min_minus_1, tree max, tree zero) {
  update(seq, c, offsetof(struct ap_loop_counts, entries), PLUS_EXPR, e);
  update(seq, c, offsetof(struct ap_loop_counts, iterations), PLUS_EXPR, n);
  update(seq, c, offsetof(struct ap_loop_counts, zero_trip), PLUS_EXPR, zero);
  update(seq, c, offsetof(struct ap_loop_counts, max), MAX_EXPR, max);
  /* min: 0 is "none", so compare min - 1 (wrapping) and store back + 1 */
  unsigned mo = offsetof(struct ap_loop_counts, min);
  tree old = op(seq, PLUS_EXPR, load(seq, counter(u64(), c, mo)), build_all_ones_cst(u64()));
  tree least = op(seq, MIN_EXPR, old, min_minus_1);
  gimple_seq_add_stmt(seq, gimple_build_assign(counter(u64(), c, mo),
                                               op(seq, PLUS_EXPR, least, build_one_cst(u64()))));
}

/* One entry's N iterations as figures (__autoprof_loop's). */
void add_entry(gimple_seq *seq, tree c, tree n) {
  tree zero = build_zero_cst(u64());
  tree ran = make_ssa_name(boolean_type_node), none = make_ssa_name(boolean_type_node);
  gimple_seq_add_stmt(seq, gimple_build_assign(ran, NE_EXPR, n, zero));
  gimple_seq_add_stmt(seq, gimple_build_assign(none, EQ_EXPR, n, zero));
  add_figures(seq, c, convert(seq, u64(), ran), n, op(seq, PLUS_EXPR, n, build_all_ones_cst(u64())),
              n, convert(seq, u64(), none));
}

void count_records(gimple_seq *seq, unsigned k) {
  tree old = load(seq, tls_field(AP_TLS_RECORDS));
  gimple_seq_add_stmt(seq, gimple_build_assign(tls_field(AP_TLS_RECORDS),
                                               op(seq, PLUS_EXPR, old, build_int_cst(u64(), k))));
}

/* Cuts FIRST .. LAST (consecutive statements of one block) into a block of
 * their own, the slow path; *PRED is the block before, *JOIN after. */
basic_block isolate(gimple *first, gimple *last, basic_block *pred, basic_block *join) {
  basic_block bb = gimple_bb(first);
  gimple_stmt_iterator gsi = gsi_for_stmt(first);
  gsi_prev(&gsi);
  edge in = gsi_end_p(gsi) ? split_block_after_labels(bb) : split_block(bb, gsi_stmt(gsi));
  *pred = in->src;
  *join = split_block(in->dest, last)->dest;
  return in->dest;
}

/* FROM has one successor (the slow way).  Appends SEQ, which ends in a
 * condition: when true, a new block (returned) that then goes to DEST;
 * when false, the slow way. */
basic_block branch(basic_block from, gimple_seq seq, basic_block dest) {
  edge slow = single_succ_edge(from);
  gimple_stmt_iterator gsi = gsi_last_bb(from);
  gsi_insert_seq_after(&gsi, seq, GSI_NEW_STMT);
  basic_block fast = create_empty_bb(from);
  if (current_loops)
    add_bb_to_loop(fast, from->loop_father);
  slow->flags = (slow->flags & ~EDGE_FALLTHRU) | EDGE_FALSE_VALUE;
  edge e = make_edge(from, fast, EDGE_TRUE_VALUE);
  e->probability = profile_probability::very_likely();
  slow->probability = e->probability.invert();
  fast->count = from->count.apply_probability(e->probability);
  make_single_succ_edge(fast, dest, EDGE_FALLTHRU);
  return fast;
}

void fill(basic_block bb, gimple_seq seq) {
  gimple_stmt_iterator gsi = gsi_start_bb(bb);
  gsi_insert_seq_after(&gsi, seq, GSI_NEW_STMT);
}

gcond *cond(enum tree_code code, tree a, tree b) {
  return gimple_build_cond(code, a, b, NULL_TREE, NULL_TREE);
}

} // namespace

bool ap_loop_inline_ok(void) {
  return targetm.have_tls;
}

/* An exit's calls: OWN (__autoprof_loop, or __autoprof_loop_timed) and the
 * NN __autoprof_loop_nest calls that follow it in the same block. */
void ap_inline_loop_exit(gcall *own, gcall *const *nests, unsigned nn) {
  basic_block pred, join;
  bool timed = gimple_call_num_args(own) == 3;
  /* a timed exit's own call is a group of its own (its test is another) */
  isolate(own, nn && !timed ? nests[nn - 1] : own, &pred, &join);
  gimple_seq check = NULL, fast = NULL;
  tree site = gimple_call_arg(own, 0), n = gimple_call_arg(own, 1);
  if (timed) {
    /* a timed loop: an entry its preheader left untimed counts here */
    tree pairs =
        load(&check, mem(u64(), gimple_call_arg(own, 2), offsetof(struct ap_loop_stamp, pairs)));
    gimple_seq_add_stmt(&check, cond(EQ_EXPR, pairs, build_all_ones_cst(u64())));
    add_entry(&fast, counters_of(&fast, slot_of(&fast, site)), n);
    fill(branch(pred, check, join), fast);
    if (!nn)
      return;
    /* its nest's figures: the same as an untimed exit's, after it */
    isolate(nests[0], nests[nn - 1], &pred, &join);
    check = fast = NULL;
  }
  /* one test for the group: the largest slot - 1 below lim */
  tree slot = NULL_TREE, most = NULL_TREE;
  bool own_counts = !timed;
  if (own_counts) {
    slot = slot_of(&check, site);
    most = op(&check, PLUS_EXPR, slot, build_all_ones_cst(u32()));
    add_entry(&fast, counters_of(&fast, slot), n);
  }
  for (unsigned i = 0; i < nn; i++) {
    gcall *c = nests[i];
    tree s = slot_of(&check, gimple_call_arg(c, 0));
    tree m = op(&check, PLUS_EXPR, s, build_all_ones_cst(u32()));
    most = most ? op(&check, MAX_EXPR, most, m) : m;
    add_figures(&fast, counters_of(&fast, s), gimple_call_arg(c, 1), gimple_call_arg(c, 2),
                gimple_call_arg(c, 3), gimple_call_arg(c, 4), gimple_call_arg(c, 5));
  }
  count_records(&fast, nn + own_counts);
  gimple_seq_add_stmt(&check, cond(LT_EXPR, most, load(&check, tls_field(AP_TLS_LIM))));
  fill(branch(pred, check, join), fast);
}

/* A timed loop's preheader: an entry its slot leaves untimed (skip > 0)
 * takes the skip itself; a timed one calls __autoprof_loop_start. */
void ap_inline_loop_start(gcall *start) {
  basic_block pred, join;
  basic_block slow = isolate(start, start, &pred, &join);
  tree site = gimple_call_arg(start, 0), stamp = gimple_call_arg(start, 1);
  gimple_seq check = NULL, test = NULL, fast = NULL;
  tree slot = slot_of(&check, site);
  tree m = op(&check, PLUS_EXPR, slot, build_all_ones_cst(u32()));
  gimple_seq_add_stmt(&check, cond(LT_EXPR, m, load(&check, tls_field(AP_TLS_LIM))));
  /* the skip is read only once the slot is known to be there */
  basic_block there = branch(pred, check, slow);
  tree c = counters_of(&test, slot);
  unsigned so = offsetof(struct ap_loop_counts, skip);
  tree skip = load(&test, counter(short_unsigned_type_node, c, so));
  gimple_seq_add_stmt(&test, cond(NE_EXPR, skip, build_zero_cst(short_unsigned_type_node)));
  tree less = op(&fast, PLUS_EXPR, skip, build_all_ones_cst(short_unsigned_type_node));
  gimple_seq_add_stmt(&fast, gimple_build_assign(counter(short_unsigned_type_node, c, so), less));
  gimple_seq_add_stmt(&fast,
                      gimple_build_assign(mem(u64(), stamp, offsetof(struct ap_loop_stamp, pairs)),
                                          build_all_ones_cst(u64())));
  count_records(&fast, 2);
  fill(branch(there, test, join), fast);
}

/* A static leaf's entry (abi.h, "Inline leaf calls"):
 *
 *   if (leaf_slot == site->slot && leaf_left != 0)
 *     leaf_left -= 1;                                  // token 0
 *   else
 *     token = __autoprof_enter_cond(site);             // the call, as it was
 */
void ap_inline_leaf_entry(gcall *enter) {
  basic_block pred, join;
  basic_block slow = isolate(enter, enter, &pred, &join);
  tree site = gimple_call_arg(enter, 0), token = gimple_call_lhs(enter);
  tree result = make_ssa_name(TREE_TYPE(token));
  gimple_call_set_lhs(enter, result);
  update_stmt(enter);
  gimple_seq check = NULL, test = NULL, fast = NULL;
  tree slot = load(&check, mem(u32(), site, offsetof(struct ap_func_site, slot)));
  gimple_seq_add_stmt(&check, cond(EQ_EXPR, load(&check, tls_field(AP_TLS_LEAF_SLOT)), slot));
  basic_block there = branch(pred, check, slow);
  tree left = load(&test, tls_field(AP_TLS_LEAF_LEFT));
  gimple_seq_add_stmt(&test, cond(NE_EXPR, left, build_zero_cst(TREE_TYPE(left))));
  gimple_seq_add_stmt(
      &fast, gimple_build_assign(tls_field(AP_TLS_LEAF_LEFT),
                                 op(&fast, PLUS_EXPR, left, build_all_ones_cst(TREE_TYPE(left)))));
  basic_block quick = branch(there, test, join);
  fill(quick, fast);
  /* the token: 0 from the fast path, the call's from the slow one */
  gphi *phi = create_phi_node(token, join);
  add_phi_arg(phi, build_zero_cst(TREE_TYPE(token)), find_edge(quick, join), UNKNOWN_LOCATION);
  add_phi_arg(phi, result, find_edge(slow, join), UNKNOWN_LOCATION);
}
