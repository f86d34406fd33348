/* Loop probes: exact iteration counts, and loop time where the policy asks.
 *
 * Per loop: a 64-bit counter PHI in the header, incremented once per
 * iteration, and one call on each exit edge of an outermost (or timed) loop
 * with its value; untimed inner loops add theirs to locals of the nest,
 * reported when the outermost loop exits — nothing in any loop body but
 * adds, so SCEV's final value replacement turns the counters into closed
 * forms and vectorization is unchanged (tests/plugin/vectorize.sh).  A timed loop reads the clock
 * once in its preheader and once at the exit call, through a stamp in a local of the function.
 *
 * Where: before "ch" (loop header copying), after inlining, while loops are
 * still as the front end wrote them (tested at the top): the counter counts
 * what the source says and every later transformation preserves its value
 * (plugin.cc says why not later).  -O0 has no "ch": a second instance after
 * "optimized" takes the functions the first did not see. */
#include "autoprof_gcc.h"
#include "tree-scalar-evolution.h" /* get_loop_exit_condition */

extern "C" {
#include "autoprof/abi.h"
}

namespace {

tree loop_decl, loop_timed_decl, loop_start_decl, loop_nest_decl;
hash_set<tree> *done;
/* The calls chosen to be made inline (make_inline) carry one of these
 * callees from the loop pass to the late one, which makes them inline
 * fast paths and gives the slow paths the real callee back
 * (expand_loop_marks).  A mark travels with its statement whatever the
 * passes in between do (jump threading copies blocks: each copy is made
 * inline).  Their names are other than the runtime's, so that a mark the
 * late pass missed would fail the link loudly, never count wrong. */
tree mark_loop, mark_loop_timed, mark_loop_start, mark_loop_nest;

void init_decls() {
  if (loop_decl)
    return;
  tree u64 = unsigned_intDI_type_node;
  loop_decl = ap_probe_decl(
      "__autoprof_loop", build_function_type_list(void_type_node, ptr_type_node, u64, NULL_TREE));
  loop_timed_decl = ap_probe_decl(
      "__autoprof_loop_timed",
      build_function_type_list(void_type_node, ptr_type_node, u64, ptr_type_node, NULL_TREE));
  loop_nest_decl = ap_probe_decl(
      "__autoprof_loop_nest",
      build_function_type_list(void_type_node, ptr_type_node, u64, u64, u64, u64, u64, NULL_TREE));
  loop_start_decl =
      ap_probe_decl("__autoprof_loop_start", build_function_type_list(void_type_node, ptr_type_node,
                                                                      ptr_type_node, NULL_TREE));
  mark_loop = ap_probe_decl("__autoprof_inline_mark_loop", TREE_TYPE(loop_decl));
  mark_loop_timed = ap_probe_decl("__autoprof_inline_mark_loop_timed", TREE_TYPE(loop_timed_decl));
  mark_loop_start = ap_probe_decl("__autoprof_inline_mark_loop_start", TREE_TYPE(loop_start_decl));
  mark_loop_nest = ap_probe_decl("__autoprof_inline_mark_loop_nest", TREE_TYPE(loop_nest_decl));
}

/* CALL's callee set to TO (a mark put or taken away). */
void retarget(gcall *call, tree to) {
  gimple_call_set_fndecl(call, to);
  update_stmt(call);
}

/* LOC at the place it was written in the function's file (a macro's
 * expansion point, not its definition). */
expanded_location written_at(location_t loc) {
  return expand_location(
      linemap_resolve_location(line_table, loc, LRK_MACRO_EXPANSION_POINT, NULL));
}

/* Is A before B in the same file? */
bool before(const expanded_location &a, const expanded_location &b) {
  return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* The block ending a loop's header: the header itself, or at -O0 the
 * last of a chain of blocks it falls through to, each the only successor of
 * the one before and entered only from it.  GCC -O0 inlines an
 * always_inline call early and keeps the callee's blocks apart (a return
 * label, a goto location it does not merge away): `while (pos +
 * type_len() < end)` has the inlined body in the header, its return value
 * in the next block and the test in the third.  Taken for a header with no
 * test, such a loop counted every test, one iteration too many per entry
 * and never a zero-trip one.  Nothing leaves the chain but its last block,
 * so counting in the header is counting there. */
basic_block header_test(class loop *loop, basic_block head) {
  basic_block bb = head;
  for (unsigned n = 0; n < 16 && single_succ_p(bb); n++) {
    basic_block next = single_succ(bb);
    if (next == head || next == loop->header || !single_pred_p(next) ||
        !flow_bb_inside_loop_p(loop, next) || (single_succ_edge(bb)->flags & EDGE_COMPLEX))
      break;
    bb = next;
  }
  return bb;
}

/* A header that only computes and tests the loop condition: no store, no
 * call, and (where the statements say where they come from) nothing
 * written before the condition.  A do-while whose body is one
 * block, `do { s1 += *buf++; s2 += s1; } while (--k > 0);`, has all of it
 * in the header, stores or not: its loads and adds are the body, written
 * before the `while` (lzo_adler32's loop was counted one iteration short
 * per entry, as if the body's run were a failed top test).  HEADER to TEST:
 * the blocks of the header (header_test). */
bool test_only_header(basic_block header, basic_block test_bb) {
  gimple *test = last_stmt(test_bb);
  location_t cond = test ? gimple_location(test) : UNKNOWN_LOCATION;
  source_range range = get_range_from_loc(line_table, cond);
  expanded_location from = written_at(range.m_start), to = written_at(range.m_finish);
  bool ranged = from.file && to.file && strcmp(from.file, to.file) == 0 && before(from, to);
  /* no range (a condition made by a macro): its line */
  expanded_location line = written_at(cond);
  for (basic_block bb = header;; bb = single_succ(bb)) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gimple *g = gsi_stmt(gsi);
      if (is_gimple_debug(g) || gimple_code(g) == GIMPLE_LABEL || gimple_code(g) == GIMPLE_COND)
        continue;
      /* __builtin_expect (`l_unlikely(n > 1)`, Lua's) stays a call at -O0:
       * a hint, no work */
      bool hint = gimple_call_builtin_p(g, BUILT_IN_EXPECT) ||
                  gimple_call_builtin_p(g, BUILT_IN_EXPECT_WITH_PROBABILITY);
      if ((gimple_code(g) != GIMPLE_ASSIGN && !hint) || gimple_vdef(g))
        return false;
      if (LOCATION_LOCUS(gimple_location(g)) <= BUILTINS_LOCATION ||
          LOCATION_LOCUS(cond) <= BUILTINS_LOCATION)
        continue;
      expanded_location at = written_at(gimple_location(g));
      if (!at.file)
        continue;
      /* before the condition: the body's (the range may end early: `lib->func`
       * as a truth value spans `lib`).  Without a range (the C front end
       * gives an `if`'s or a `while`'s condition its `(`; a macro's, the
       * place it is used) the place itself: a statement to its left on the
       * same line is the body's too (`for (;;) { s += h; if (++h >= m)
       * break; }` on one line was taken for top-tested, its last pass
       * uncounted: 4 iterations of 5). */
      if (ranged ? strcmp(at.file, from.file) == 0 && before(at, from)
                 : line.file && strcmp(at.file, line.file) == 0 && before(at, line))
        return false;
    }
    if (bb == test_bb)
      return true;
  }
}

/* The bottom test of a loop in do-while form (GCC's own do_while_loop_p):
 * an empty latch whose single predecessor may leave the loop.  pass_ch
 * rotates loops into this form at -O1 and above; at -O0 the C front end
 * emits for/while loops tested at the top, in the header. */
gcond *bottom_test(class loop *loop) {
  basic_block latch = loop->latch;
  if (!latch || !empty_block_p(latch) || !single_pred_p(latch))
    return NULL;
  basic_block bb = single_pred(latch);
  gcond *cond = safe_dyn_cast<gcond *>(last_stmt(bb));
  return cond && loop_exits_from_bb_p(loop, bb) ? cond : NULL;
}

/* Does leaving the loop from its header mean the test failed before the
 * body ran (a top-tested loop), so that header run is not an iteration?
 * Yes whenever the header only tests and leaves, whatever the body's last
 * block does: before ch runs, a while loop's `if (err) return;` at the end
 * of its body is no bottom test (taken for one, pigz's wait_for_ loops
 * counted their tests, at the `if`'s line). */
bool top_tested(class loop *loop, basic_block head, basic_block test_bb) {
  return safe_dyn_cast<gcond *>(last_stmt(test_bb)) && test_only_header(head, test_bb) &&
         loop_exits_from_bb_p(loop, test_bb);
}

/* Where a loop's condition is written: from the `(` of `while (` (or the
 * `;` before a `for`'s condition) to its `)` (or the `;` after it), found
 * by reading the source from the start of the header's test (the first
 * operand of a `&&` or `||`).  Quotes are skipped going forward; a test
 * made by a macro has no place of its own: none. */
struct cond_span {
  expanded_location from, to; /* 1-based columns, inclusive; one file */
};

/* Where TEST begins in the source, and its line's text: false for a
 * source not readable.  A test a macro makes begins where the macro is
 * used: `while (can_access_at_index(b, 0) && ...)` (cJSON) is read from
 * the `while`'s parenthesis like any other (it was "no place of its own",
 * and such loops counted every run of their header: helper-22); a loop a
 * macro makes whole (NEEDBITS' `while`) is used outside any `while (`,
 * and the read back finds none. */
bool test_start(location_t test, expanded_location *at, char_span *line) {
  source_range range = get_range_from_loc(line_table, test);
  location_t start = range.m_start;
  if (linemap_location_from_macro_expansion_p(line_table, start))
    start = linemap_resolve_location(line_table, start, LRK_MACRO_EXPANSION_POINT, NULL);
  *at = expand_location(start);
  if (!at->file || at->line <= 0 || at->column <= 0)
    return false;
  *line = location_get_source_line(at->file, at->line);
  return *line && (size_t)at->column <= line->length();
}

bool condition_span(location_t test, cond_span *out) {
  expanded_location at;
  char_span line(NULL, 0);
  if (!test_start(test, &at, &line))
    return false;
  /* back to the unmatched ( or the ;, over up to 16 lines (a condition
   * written over several: mawk's `while (*q == '-' || ...\n *q == '0')`),
   * over char and string literals; the ( must be a while's, the ; a for's:
   * the condition of an `if` at the top of a body (`for (;;) { if ((c =
   * getc(f)) == EOF) break;`) is the body's, as clang reads it */
  int col = at.column - 1, l = at.line, lines = 0; /* 0-based col */
  char_span cur = line;
  /* the ( or ; found going back (0: none) */
  auto back = [&](bool semicolon) -> char {
    for (int depth = 0;;) {
      if (--col < 0) {
        if (--l <= 0 || ++lines > 16 || !(cur = location_get_source_line(at.file, l)))
          return 0;
        col = (int)cur.length();
        continue;
      }
      const char *text = cur.get_buffer();
      char ch = text[col];
      if (ch == ')')
        depth++;
      else if (ch == '(' && depth-- == 0)
        return '(';
      else if (ch == ';' && depth == 0 && semicolon)
        return ';';
      else if (ch == '\'') { /* 'a', '\n', '\'' */
        if (col >= 3 && text[col - 2] == '\\' && text[col - 3] == '\'')
          col -= 3;
        else if (col >= 2 && text[col - 2] == '\'')
          col -= 2;
        else
          return 0;
      } else if (ch == '"') {
        do
          col--;
        while (col >= 0 && !(text[col] == '"' && (col == 0 || text[col - 1] != '\\')));
        if (col < 0)
          return 0; /* a string over lines: not read */
      }
    }
  };
  /* the identifier ending before the current place is WORD */
  auto keyword = [&](const char *word) -> bool {
    size_t n = strlen(word), k = n;
    for (;;) {
      if (--col < 0) {
        if (k < n || --l <= 0 || ++lines > 16 || !(cur = location_get_source_line(at.file, l)))
          return false;
        col = (int)cur.length();
        continue;
      }
      char ch = cur.get_buffer()[col];
      if (k == n && ISSPACE(ch))
        continue;
      if (k == 0)
        return !(ISALNUM(ch) || ch == '_');
      if (ch != word[--k])
        return false;
      if (k == 0 && col == 0)
        return true;
    }
  };
  /* the condition's own parenthesis may hold others, the test's start
   * inside one of them (`while ((c = getc(f)) != EOF)`): up to 4 levels */
  int from_line = 0, from_col = 0;
  for (int level = 0;; level++) {
    char found = back(true);
    if (!found || level == 4)
      return false;
    from_line = l, from_col = col;
    if (found == ';' && back(false) != '(')
      return false;
    if (keyword(found == ';' ? "for" : "while"))
      break;
    if (found == ';')
      return false;
    /* not the loop's: go on from that parenthesis */
    l = from_line, col = from_col, lines = 0;
    if (!(cur = location_get_source_line(at.file, l)))
      return false;
  }
  l = from_line, col = from_col;
  out->from = at;
  out->from.line = l;
  out->from.column = col + 2;
  out->to = at;
  int depth = 0;
  for (int l = at.line, n = 0; n < 16; l++, n++) { /* on to the matching ) or ; */
    char_span span = l == at.line ? line : location_get_source_line(at.file, l);
    if (!span)
      return false;
    const char *t = span.get_buffer();
    char quote = 0;
    for (size_t c = l == at.line ? (size_t)at.column - 1 : 0; c < span.length(); c++) {
      if (quote) {
        if (t[c] == '\\')
          c++;
        else if (t[c] == quote)
          quote = 0;
      } else if (t[c] == '"' || t[c] == '\'') {
        quote = t[c];
      } else if (t[c] == '(') {
        depth++;
      } else if ((t[c] == ')' && depth-- == 0) || (t[c] == ';' && depth == 0)) {
        out->to.line = l;
        out->to.column = (int)c;
        return true;
      }
    }
  }
  return false;
}

/* Is the test at TEST (the header's) the condition of a do-while?  Its
 * header is then the test only when the body is empty (`do {} while (*++s
 * == *++m && ...);`, zlib's longest_match): every run of it follows a run
 * of the body, an iteration, and leaving from any part of the condition is
 * leaving after one.  Taken for a while loop's, such a loop counted one
 * iteration short per entry and an entry left on its first compare as
 * zero-trip (425,301 of zlib's 445,093 scans).  Read from the source:
 * `while` before the condition's `(`, and before it `do`, a `do {...}`
 * (braces matched back) or `do stmt;` on the line.  A test made by a macro
 * is not read (no place of its own): not a do-while. */
bool dowhile_test(location_t test) {
  expanded_location at;
  char_span text(NULL, 0);
  if (!test_start(test, &at, &text))
    return false;
  /* the text read backwards from the test's start, over at most 24 lines
   * (a line break reads as a space) */
  int line = at.line, lines = 0;
  int col = at.column - 1; /* the next character read is text[col - 1] */
  auto prev = [&](void) -> int {
    if (col <= 0) {
      if (--line <= 0 || ++lines > 24 || !(text = location_get_source_line(at.file, line)))
        return EOF;
      col = (int)text.length();
      return ' ';
    }
    return (unsigned char)text.get_buffer()[--col];
  };
  auto ident = [](int ch) { return ch != EOF && (ISALNUM(ch) || ch == '_'); };
  auto nonspace = [&](void) -> int {
    int ch;
    while ((ch = prev()) != EOF && ISSPACE(ch))
      ;
    return ch;
  };
  /* WORD ends with CH (read) or at the next non-space character (EOF);
   * *BEFORE: the character before it */
  auto word = [&](const char *w, int ch, int *before) -> bool {
    if (ch == EOF)
      ch = nonspace();
    for (size_t k = strlen(w); k-- > 0; ch = prev())
      if (ch != w[k])
        return false;
    *before = ch;
    return !ident(ch);
  };
  /* back to the condition's unmatched `(` (the outermost of `((`), then
   * `while` */
  int depth = 0, ch;
  while ((ch = prev()) != EOF) {
    if (ch == ')')
      depth++;
    else if (ch == '(' && depth-- == 0 && (ch = nonspace()) != '(')
      break;
    else if (ch == '(')
      depth = 0;
    else if (ch == ';' || ch == '{' || ch == '}' || ch == '"' || ch == '\'')
      return false;
  }
  if (ch == EOF || !word("while", ch, &ch))
    return false;
  while (ch != EOF && ISSPACE(ch))
    ch = prev();
  if (ch == '}') { /* do { ... } while: the matching `{`, then `do` */
    for (depth = 0; (ch = prev()) != EOF;)
      if (ch == '}')
        depth++;
      else if (ch == '{' && depth-- == 0)
        return word("do", EOF, &ch);
    return false;
  }
  if (ch != ';')
    return false;
  /* do stmt; while: the statement before the `;` begins with `do` (read
   * back to the `;` or brace before it) */
  char stmt[256];
  size_t n = 0;
  while ((ch = prev()) != EOF && ch != ';' && ch != '{' && ch != '}' && n < sizeof stmt)
    stmt[n++] = (char)ch;
  while (n && ISSPACE(stmt[n - 1]))
    n--;
  return n >= 2 && stmt[n - 1] == 'd' && stmt[n - 2] == 'o' &&
         (n == 2 || !ident((unsigned char)stmt[n - 3]));
}

/* The inline scope (a BLOCK) the loop being instrumented was written in,
 * or NULL_TREE for the function itself (add_site sets it, from the loop's
 * body): a statement of a call inlined into the loop is taken where that
 * call is written in it (`while (!block_follow(ls, 1))`, Lua's statlist,
 * itself inlined into body).  UNKNOWN_SCOPE: none found, no mapping. */
tree home_scope;
bool home_known; /* false: no scope found, no mapping */

/* The innermost inlined function's scope G is in, or NULL_TREE. */
tree inline_scope(gimple *g) {
  for (tree b = gimple_block(g); b && TREE_CODE(b) == BLOCK; b = BLOCK_SUPERCONTEXT(b))
    if (inlined_function_outer_scope_p(b))
      return b;
  return NULL_TREE;
}

unsigned scope_depth(tree b) {
  unsigned d = 0;
  for (; b && TREE_CODE(b) == BLOCK; b = BLOCK_SUPERCONTEXT(b))
    d += inlined_function_outer_scope_p(b);
  return d;
}

/* The loop's scope: the outermost of its statements' (a call inlined in
 * its body or condition is deeper; its test or body may be all such calls:
 * `for (l = labels; l; l = release_label(l)) ;`, sed); *KNOWN: whether
 * any was found. */
tree loop_scope(class loop *loop, bool *known) {
  basic_block *bbs = get_loop_body(loop);
  tree best = NULL_TREE;
  unsigned depth = UINT_MAX;
  for (unsigned i = 0; i < loop->num_nodes && depth; i++) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bbs[i]); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gimple *g = gsi_stmt(gsi);
      if (is_gimple_debug(g) || LOCATION_LOCUS(gimple_location(g)) <= BUILTINS_LOCATION)
        continue;
      tree sc = inline_scope(g);
      unsigned d = scope_depth(sc);
      if (d < depth)
        best = sc, depth = d;
    }
  }
  free(bbs);
  *known = depth != UINT_MAX;
  return best;
}

/* A block's test: a condition, or a switch (an inlined `switch` whose
 * cases return the truth value: `while (!block_follow(ls, 1))`, Lua). */
bool is_test(gimple *g) {
  return g && (gimple_code(g) == GIMPLE_COND || gimple_code(g) == GIMPLE_SWITCH);
}

/* Where G is written in the loop's scope (home_scope). */
location_t loc_of(gimple *g) {
  location_t loc = gimple_location(g);
  if (!home_known)
    return loc;
  for (tree b = gimple_block(g); b && TREE_CODE(b) == BLOCK; b = BLOCK_SUPERCONTEXT(b)) {
    if (b == home_scope)
      return loc;
    if (inlined_function_outer_scope_p(b))
      loc = BLOCK_SOURCE_LOCATION(b);
  }
  return home_scope ? gimple_location(g) : loc; /* not under its scope: as it is */
}

bool in_span(const cond_span &s, location_t loc) {
  expanded_location at = written_at(loc);
  return at.file && strcmp(at.file, s.from.file) == 0 && !before(at, s.from) && !before(s.to, at);
}

/* How many of BB's statements have a place, all of them inside SPAN; -1
 * when one is outside. */
int located_in_span(basic_block bb, const cond_span &span) {
  int n = 0;
  for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
    gimple *g = gsi_stmt(gsi);
    if (is_gimple_debug(g) || gimple_code(g) == GIMPLE_LABEL ||
        LOCATION_LOCUS(gimple_location(g)) <= BUILTINS_LOCATION)
      continue;
    if (!in_span(span, loc_of(g)))
      return -1;
    n++;
  }
  return n;
}

/* Does BB compute and test only what SPAN (a loop's condition) says, its
 * calls and stores included: `while ((c = getc(f)) != EOF)`, `while
 * (fgets(buf, n, f))`?  Its test failing is then the condition failing. */
bool in_condition(basic_block bb, const cond_span &span) {
  gimple *cond = last_stmt(bb);
  /* a test the compiler made without a place of its own (the switch of
   * GCC's if-to-switch: `while (*q == '-' || *q == '+' || ...)`, mawk) is
   * the condition's when all around it is */
  if (!is_test(cond) ||
      (LOCATION_LOCUS(gimple_location(cond)) > BUILTINS_LOCATION && !in_span(span, loc_of(cond))))
    return false;
  return located_in_span(bb, span) >= 0;
}

/* in_condition for a header of several blocks, HEAD to TEST (header_test):
 * the blocks before TEST compute only what SPAN says too (at -O0, an
 * always_inline call's body and return value: `while (pos + type_len() <
 * end)`). */
bool header_in_condition(basic_block head, basic_block test_bb, const cond_span &span) {
  for (basic_block bb = head; bb != test_bb; bb = single_succ(bb))
    if (located_in_span(bb, span) < 0)
      return false;
  return in_condition(test_bb, span);
}

/* A block of the condition after its first test: one testing a part of
 * it (in_condition), or one computing a part without testing (an arm of
 * `i ? (unlock(), 0) : (lock(), 1)`, xz's mythread_sync: the test comes
 * at the join), everything in it written inside SPAN. */
bool condition_part(basic_block bb, const cond_span &span) {
  return is_test(last_stmt(bb)) ? in_condition(bb, span) : located_in_span(bb, span) > 0;
}

/* The blocks after HEAD that test the rest of the loop's condition: `b` of
 * `while (a && b)` or `while (a || b)`, `a[i] != 0` of `for (i = 0; i < n
 * && a[i] != 0; i++)` — reached only from the header or from each other,
 * testing only, written inside the condition's parentheses.  Leaving from
 * one means the condition failed, as from the header: no iteration (such
 * an exit counted one, the classic search loop one too many per entry).
 * FIRST to HEAD: the blocks of the loop's header (header_test). */
unsigned condition_blocks(class loop *loop, basic_block first, basic_block head, basic_block *out,
                          unsigned max) {
  gimple *test = last_stmt(head);
  cond_span span;
  if (!is_test(test) || !condition_span(loc_of(test), &span) ||
      !(test_only_header(first, head) || header_in_condition(first, head, span)))
    return 0;
  unsigned n = 0;
  auto_vec<basic_block> work;
  work.safe_push(head);
  while (!work.is_empty() && n < max) {
    basic_block from = work.pop();
    edge e;
    edge_iterator ei;
    FOR_EACH_EDGE(e, ei, from->succs) {
      basic_block bb = e->dest;
      /* a block with nothing located, falling through from a part of the
       * condition: at -O0 the return value of an always_inline call, its
       * return label's block (`while (a < n && ok(v, a))`) */
      bool passing = from != head && !is_test(last_stmt(bb)) && single_pred_p(bb) &&
                     single_succ_p(bb) && located_in_span(bb, span) == 0;
      if (bb == head || !flow_bb_inside_loop_p(loop, bb) ||
          !(passing || condition_part(bb, span)) || n >= max)
        continue;
      bool only_tests = true, seen = false;
      edge pe;
      edge_iterator pi;
      FOR_EACH_EDGE(pe, pi, bb->preds) {
        bool known = pe->src == head;
        for (unsigned k = 0; k < n; k++)
          known |= out[k] == pe->src;
        only_tests &= known;
      }
      for (unsigned k = 0; k < n; k++)
        seen |= out[k] == bb;
      if (only_tests && !seen) {
        out[n++] = bb;
        work.safe_push(bb);
      }
    }
  }
  return n;
}

/* A loop with two paths back to its test, one much more frequent, is split
 * by GCC's loop discovery (form_subloop) into an outer loop entered through
 * a new empty block and closed by the rare path, and an inner loop with the
 * original header (the test) closed by the frequent one: `while (v != val)
 * { bump(); if (v > 100) printf(...); }` came out as two loops, the outer
 * counting only the rare path.  The pair is one source loop when OUTER's
 * header is an empty block leading only to INNER's header, INNER is its
 * only inner loop (with none of its own), and INNER's header test leaves
 * OUTER too: the test of a loop nested in the source would lead to the
 * rest of its parent's body.  (Exits from OUTER's own blocks are the
 * loop's too: `while (pos < size) switch (state) { case 0: return; ...}`,
 * xz's lzma2_encode, split with the switch's default as the frequent path,
 * was reported as two loops at the `while`, 1,000 entries of 1,599
 * iterations and 1,598 of 1,598 for 1,598 in all.)  Returns INNER then. */
class loop *split_inner(class loop *outer) {
  class loop *inner = outer->inner;
  if (!inner || inner->next || inner->inner || !single_succ_p(outer->header) ||
      single_succ(outer->header) != inner->header)
    return NULL;
  for (gimple_stmt_iterator gsi = gsi_start_bb(outer->header); !gsi_end_p(gsi); gsi_next(&gsi))
    if (!is_gimple_debug(gsi_stmt(gsi)) && gimple_code(gsi_stmt(gsi)) != GIMPLE_LABEL)
      return NULL;
  bool test_leaves = false;
  for (edge e : get_loop_exit_edges(outer))
    test_leaves |= e->src == inner->header;
  return test_leaves ? inner : NULL;
}

/* The line of the loop's controlling test: the header's test of a top-tested
 * loop (TEST: the block that ends the header, header_test), the bottom test
 * of a rotated one (the same source line: pass_ch copies the condition),
 * else what -fopt-info would name (find_loop_location: the test of the
 * loop's single exit), else the first located statement of its body.  Debug
 * statements are no place: find_loop_location takes the header's first
 * located statement, and at -O1 and above with -g that is the `# DEBUG s =>
 * NULL` GCC leaves at the top of a loop for the variables of a function
 * inlined further down (an interpreter's `while (1) { ...; switch (*pc++) {
 * case 4: push(s, a); ... } }` was reported at the `case` line of its last
 * push(): mujs's hottest hint pointed at `case OP_WITH`); without -g the
 * line was the first real statement's, as it is now at every level. */
location_t loop_location(class loop *loop, basic_block test_bb, bool top) {
  gimple *test = top ? last_stmt(test_bb) : bottom_test(loop);
  if (test && LOCATION_LOCUS(gimple_location(test)) > BUILTINS_LOCATION)
    return loc_of(test);
  gcond *exit_test = get_loop_exit_condition(loop);
  location_t loc = exit_test ? gimple_location(exit_test) : UNKNOWN_LOCATION;
  if (LOCATION_LOCUS(loc) > BUILTINS_LOCATION && LOCATION_LINE(loc))
    return loc;
  /* No test and nothing -fopt-info would name: a loop the CFG has but no
   * loop statement opens (a `while (1)` entered through a `case` label of
   * a resumable state machine: bzip2's BZ2_decompress had 40 at line 0),
   * or one left only by a `return` or `break` in a `switch`.  The first
   * located statement of its body, in dominator order from the header
   * (the header's first: what find_loop_location names, but for debug
   * statements), is where the user reads its code: written in the loop's
   * scope (a call inlined there is at the call, as -O0 has it: Lua's
   * getgeneric `for (;;) { if (equalkey(key, n, deadok)) ...` was at
   * equalkey's line 217 at -O2). */
  basic_block *bbs = get_loop_body_in_dom_order(loop);
  for (unsigned i = 0; i < loop->num_nodes; i++)
    for (gimple_stmt_iterator gsi = gsi_start_bb(bbs[i]); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gimple *stmt = gsi_stmt(gsi);
      location_t l = gimple_location(stmt);
      if (!is_gimple_debug(stmt) && LOCATION_LOCUS(l) > BUILTINS_LOCATION && LOCATION_LINE(l)) {
        free(bbs);
        return loc_of(stmt);
      }
    }
  free(bbs);
  return loc;
}

/* The name of the function inlined as SCOPE. */
const char *scope_origin(tree scope) {
  tree origin = block_ultimate_origin(scope);
  return origin && TREE_CODE(origin) == FUNCTION_DECL ? lang_hooks.decl_printable_name(origin, 2)
                                                      : NULL;
}

/* The function a loop was written in, when it came from inlined code. */
const char *inlined_from(location_t loc) {
  for (tree block = LOCATION_BLOCK(loc); block && TREE_CODE(block) == BLOCK;
       block = BLOCK_SUPERCONTEXT(block)) {
    tree origin = block_ultimate_origin(block);
    if (origin && TREE_CODE(origin) == FUNCTION_DECL)
      return lang_hooks.decl_printable_name(origin, 2);
  }
  return NULL;
}

struct loop_instrumenter {
  function *fun;
  tree func_site;
  const char *func_name;
  hash_map<int_hash<int, -1, -2>, tree> sites; /* loop->num -> site */
  unsigned count = 0;

  bool timed(const class loop *loop) {
    switch (ap_config.policy->loops.timing) {
    case AP_TIMING_ALL:
      return true;
    case AP_TIMING_OUTERMOST:
      return loop_depth(loop) == 1;
    default:
      return false;
    }
  }

  tree make_site(class loop *loop, basic_block test_bb, bool is_timed, bool top) {
    location_t loc = loop_location(loop, test_bb, top);
    expanded_location xl = expand_location(loc);
    /* the function it was written in: its scope's, when known (its test
     * may come from a call inlined into it) */
    const char *origin = !home_known  ? inlined_from(loc)
                         : home_scope ? scope_origin(home_scope)
                                      : NULL;
    ap_loop_info info = {};
    info.flags = (is_timed ? AP_LOOP_TIMED : 0) | (origin ? AP_LOOP_INLINED : 0);
    info.line = xl.line;
    info.file = xl.file ? xl.file : main_input_filename;
    info.depth = loop_depth(loop);
    info.func = func_site;
    info.origin_function = origin ? origin : func_name;
    tree *parent = loop_outer(loop) ? sites.get(loop_outer(loop)->num) : NULL;
    info.parent = parent ? *parent : NULL_TREE;
    if (ap_config.verbose)
      fprintf(stderr, "autoprof: %s:%u: loop in %s%s%s: depth %u%s\n", info.file, info.line,
              func_name, origin ? " from " : "", origin ? origin : "", info.depth,
              is_timed ? ", timed" : "");
    return ap_loop_site(info);
  }

  /* One instrumented loop. */
  struct rec {
    class loop *loop;
    basic_block head; /* where the counter counts: the header, or the test
                         block of a loop GCC split in two (split_inner) */
    basic_block test; /* the block ending the header: HEAD, or at -O0 the
                         last of the blocks it falls through to (header_test) */
    tree addr;        /* &site */
    bool timed, top;
    basic_block tests[8]; /* condition_blocks: the rest of the loop's test */
    unsigned ntests;
    tree cnt, next;   /* the counter: before / after this iteration's increment */
    tree stamp;       /* &stamp of a timed loop */
    tree acc[5];      /* nest accumulators of an untimed inner loop (registers) */
    class loop *nest; /* outermost loop holding it, whose exits flush them */
    bool own_record;  /* an inner loop of a big nest: a record at its own exits */
  };
  auto_vec<rec> recs;

  /* The value to report on EXIT: leaving a top-tested loop from its header
   * (or from a block testing the rest of its condition) means the test
   * failed before the body ran. */
  tree exit_value(const rec &r, edge exit) {
    bool test = exit->src == r.test;
    for (unsigned k = 0; k < r.ntests; k++)
      test |= exit->src == r.tests[k];
    return r.top && test ? r.cnt : r.next;
  }

  static bool usable_exit(edge e) { return !(e->flags & (EDGE_EH | EDGE_ABNORMAL)); }

  /* A nest whose outermost loop is left only by abnormal edges (a
   * computed-goto dispatch, `goto *disptab[op]`: Lua's luaV_execute with
   * GCC) never flushes its inner loops' figures: they record at their own
   * exits then (they were lost, every loop of the dispatch region). */
  static bool has_usable_exit(class loop *loop) {
    for (edge e : get_loop_exit_edges(loop))
      if (usable_exit(e))
        return true;
    return false;
  }

  /* the inner halves of split loops: not loops of their own */
  hash_set<int_hash<int, -1, -2>> split;

  void add_site(class loop *loop) {
    if (split.contains(loop->num) || bb_has_abnormal_pred(loop->header) ||
        !loop_preheader_edge(loop))
      return;
    rec r = {};
    r.loop = loop;
    r.head = loop->header;
    if (class loop *inner = split_inner(loop)) {
      if (bb_has_abnormal_pred(inner->header))
        return;
      split.add(inner->num);
      r.head = inner->header;
    }
    r.timed = timed(loop);
    r.test = header_test(loop, r.head);
    gimple *test = last_stmt(r.test);
    home_scope = loop_scope(loop, &home_known);
    if (!test || !dowhile_test(loc_of(test))) {
      r.ntests = condition_blocks(loop, r.head, r.test, r.tests, 8);
      /* a header that only tests, or that computes no more than the
       * condition says (a call, a store: `while ((c = getc(f)) != EOF)`) */
      cond_span span;
      bool cond_head = test_only_header(r.head, r.test) ||
                       (is_test(test) && condition_span(loc_of(test), &span) &&
                        header_in_condition(r.head, r.test, span));
      r.top = top_tested(loop, r.head, r.test) ||
              (cond_head && is_test(test) && loop_exits_from_bb_p(loop, r.test));
      for (unsigned k = 0; k < r.ntests && !r.top; k++) /* `while (a || b)`: b's block leaves */
        r.top = cond_head && loop_exits_from_bb_p(loop, r.tests[k]);
    }
    tree site = make_site(loop, r.test, r.timed, r.top);
    home_known = false;
    sites.put(loop->num, site);
    r.addr = build_fold_addr_expr(site);
    recs.safe_push(r);
  }

  /* counter: cnt = PHI <0 (preheader), next (latches)>; next = cnt + 1.
   * A split loop: the PHI of its empty header restarts the count on entry
   * and passes it on along the rare path; the test block's PHI takes it
   * from there or from the frequent path, and counts. */
  void add_counter(rec &r) {
    tree u64 = unsigned_intDI_type_node;
    basic_block header = r.loop->header;
    edge pre = loop_preheader_edge(r.loop);
    r.cnt = make_ssa_name(u64);
    r.next = make_ssa_name(u64);
    tree entry = r.cnt;
    if (r.head != header)
      entry = make_ssa_name(u64);
    gphi *phi = create_phi_node(entry, header);
    edge e;
    edge_iterator ei;
    FOR_EACH_EDGE(e, ei, header->preds)
    add_phi_arg(phi, e == pre ? build_zero_cst(u64) : r.next, e, UNKNOWN_LOCATION);
    if (r.head != header) {
      gphi *at_test = create_phi_node(r.cnt, r.head);
      FOR_EACH_EDGE(e, ei, r.head->preds)
      add_phi_arg(at_test, e->src == header ? entry : r.next, e, UNKNOWN_LOCATION);
    }
    gimple_stmt_iterator gsi = gsi_after_labels(r.head);
    gsi_insert_before(&gsi, gimple_build_assign(r.next, PLUS_EXPR, r.cnt, build_one_cst(u64)),
                      GSI_NEW_STMT);
    if (r.timed) {
      /* struct ap_loop_stamp: a local used only outside the loop */
      tree type = build_array_type_nelts(u64, 3);
      r.stamp = build_fold_addr_expr(create_tmp_var(type, "autoprof_stamp"));
      gcall *start = gimple_build_call(loop_start_decl, 2, r.addr, r.stamp);
      gsi_insert_on_edge(pre, start);
      if (small_loop(r.loop))
        starts.safe_push(start);
    }
  }

  /* An untimed inner loop makes no call at all: entries, iterations,
   * min-1, max and zero-trip entries go into five locals of the nest,
   * flushed when the outermost loop exits.  A call on the inner loop's exits
   * would sit in the outer loop's body and change what GCC does with the
   * nest (guard hoisting, loop distribution into memset, vectorization).
   * The locals are registers (update_ssa builds their PHIs) — unless the
   * nest holds more than kRegisterLoops (20) such loops: five live registers
   * each across a state machine of 28 loops (zlib's inflate) made GCC spill
   * everywhere (4x the code, 4x the compile time).  There each inner loop
   * makes a record at its own exits, as an outermost loop does.  (They
   * were a volatile array of five slots per inner loop, set at each entry
   * of the nest and sent at each exit: a cost in the number of inner loops,
   * run or not — pcre2's match(), 146 loops in one dispatch loop of which
   * 1-3 run per pass, made pcre2grep 7.3x slower.) */
  static const unsigned kRegisterLoops = 20;

  /* acc[i] = OP(acc[i], v) on edge E */
  void accumulate(const rec &r, int i, enum tree_code op, tree v, edge e) {
    gsi_insert_on_edge(e, gimple_build_assign(r.acc[i], op, r.acc[i], v));
  }
  void add_accumulators(rec &r) {
    tree u64 = unsigned_intDI_type_node;
    r.nest = superloop_at_depth(r.loop, 1);
    edge pre = loop_preheader_edge(r.nest);
    for (int i = 0; i < 5; i++) {
      tree init = i == 2 ? build_all_ones_cst(u64) : build_zero_cst(u64);
      r.acc[i] = create_tmp_reg(u64, "autoprof_nest");
      gsi_insert_on_edge(pre, gimple_build_assign(r.acc[i], init));
    }
    for (edge exit : get_loop_exit_edges(r.loop)) {
      if (!usable_exit(exit))
        continue;
      tree n = exit_value(r, exit);
      tree ran = make_ssa_name(boolean_type_node), ran64 = make_ssa_name(u64);
      tree none = make_ssa_name(boolean_type_node), none64 = make_ssa_name(u64);
      tree less = make_ssa_name(u64);
      gsi_insert_on_edge(exit, gimple_build_assign(ran, NE_EXPR, n, build_zero_cst(u64)));
      gsi_insert_on_edge(exit, gimple_build_assign(ran64, NOP_EXPR, ran));
      gsi_insert_on_edge(exit, gimple_build_assign(none, EQ_EXPR, n, build_zero_cst(u64)));
      gsi_insert_on_edge(exit, gimple_build_assign(none64, NOP_EXPR, none));
      /* n - 1 wraps for n = 0: a zero-trip entry leaves the min alone */
      gsi_insert_on_edge(exit, gimple_build_assign(less, PLUS_EXPR, n, build_all_ones_cst(u64)));
      accumulate(r, 0, PLUS_EXPR, ran64, exit);
      accumulate(r, 1, PLUS_EXPR, n, exit);
      accumulate(r, 2, MIN_EXPR, less, exit);
      accumulate(r, 3, MAX_EXPR, n, exit);
      accumulate(r, 4, PLUS_EXPR, none64, exit);
    }
  }

  /* The calls on a reporting loop's exits: its own count, then the
   * accumulators of the untimed loops nested in it (in this order: an edge
   * leaving both an inner loop and its nest carries the inner loop's
   * accumulation first). */
  void add_flushes(const rec &r) {
    bool small = small_loop(r.loop);
    for (edge exit : get_loop_exit_edges(r.loop)) {
      if (!usable_exit(exit))
        continue;
      tree n = exit_value(r, exit);
      exit_group g = {r.timed ? gimple_build_call(loop_timed_decl, 3, r.addr, n, r.stamp)
                              : gimple_build_call(loop_decl, 2, r.addr, n),
                      nest_calls.length(), 0, get_loop_exit_edges(r.loop).length(),
                      groups.length()};
      gsi_insert_on_edge(exit, g.own);
      if (loop_depth(r.loop) != 1) {
        push(g, small);
        continue;
      }
      for (const rec &inner : recs)
        if (inner.nest == r.loop) {
          gcall *c = gimple_build_call(loop_nest_decl, 6, inner.addr, inner.acc[0], inner.acc[1],
                                       inner.acc[2], inner.acc[3], inner.acc[4]);
          gsi_insert_on_edge(exit, c);
          nest_calls.safe_push(c);
          g.n_nests++;
        }
      push(g, small);
    }
  }

  /* Records are made inline only for loops of at most kInlineLoopSize
   * statements (a nest counts whole): where an entry is cheap, so that a
   * call per entry is much of its cost.  A bigger loop keeps the call (one
   * statement, not ~30 that every later pass compiles).  Lua's 33 files,
   * compile time over plain gcc: 1.52x with the records of every loop of
   * a small function inline, 1.45x with this limit, 1.24x with none. */
  static const unsigned kInlineLoopSize = 40;
  /* In a function this small, any loop: the function is little more than
   * its loops, so an entry is about as frequent as a call, whatever the
   * loop's size (zlib's longest_match, 151, with a 100-statement unrolled
   * nest: its three runtime calls per call cost minigzip 1.10x -> 1.05x
   * when inline; compile time within noise). */
  static const unsigned kInlineAnyLoop = 160;
  bool any_loop_small = false;
  bool small_loop(class loop *loop) {
    if (any_loop_small)
      return true;
    basic_block *bbs = get_loop_body(loop);
    unsigned n = 0;
    for (unsigned i = 0; i < loop->num_nodes && n <= kInlineLoopSize; i++)
      for (gimple_stmt_iterator gsi = gsi_start_bb(bbs[i]); !gsi_end_p(gsi); gsi_next(&gsi))
        n += !is_gimple_debug(gsi_stmt(gsi));
    free(bbs);
    return n <= kInlineLoopSize;
  }

  /* The calls of each exit, and the timed loops' start calls, to be made
   * inline fast paths once they are in place (loop_inline.cc). */
  struct exit_group {
    gcall *own;
    unsigned first_nest, n_nests; /* in nest_calls */
    unsigned loop_exits;          /* exits of its loop */
    unsigned order;               /* ties keep it: the same code from one build to the next */
  };
  auto_vec<exit_group> groups;
  auto_vec<gcall *> nest_calls, starts;
  unsigned exits_all = 0; /* of every loop, small or not (verbose) */
  void push(const exit_group &g, bool small) {
    exits_all++;
    if (small)
      groups.safe_push(g);
  }

  /* A record inline is some 30 statements where the call was one, which
   * every later pass sees: a state machine with a hundred loop exits
   * (bzip2's BZ2_decompress: 111) took twice as long to compile.  So a
   * function gets at most kInlineExits exits inline, those of the loops
   * with the fewest exits first (the tight loops); the others keep the
   * call.  A small timed loop's start, one per loop, is always inline. */
  static const unsigned kInlineExits = 16;
  static int by_exits(const void *a, const void *b) {
    const exit_group *x = (const exit_group *)a, *y = (const exit_group *)b;
    return x->loop_exits != y->loop_exits ? (x->loop_exits < y->loop_exits ? -1 : 1)
                                          : (x->order < y->order ? -1 : 1);
  }

  /* Marks the calls to be made inline; the late pass does it. */
  void make_inline() {
    for (gcall *start : starts)
      retarget(start, mark_loop_start);
    if (groups.length() > kInlineExits)
      groups.qsort(by_exits);
    unsigned n = MIN(groups.length(), kInlineExits);
    for (unsigned i = 0; i < n; i++) {
      const exit_group &g = groups[i];
      retarget(g.own, gimple_call_num_args(g.own) == 3 ? mark_loop_timed : mark_loop);
      for (unsigned k = 0; k < g.n_nests; k++)
        retarget(nest_calls[g.first_nest + k], mark_loop_nest);
    }
    if (ap_config.verbose)
      fprintf(stderr, "autoprof: %s: %u of %u loop exits and %u loop starts inline\n", func_name, n,
              exits_all, starts.length());
  }

  void run() {
    /* outer loops first, so an inner loop's record can point to its parent */
    unsigned max_depth = ap_config.policy->loops.max_depth; /* 0: no limit */
    for (class loop *loop : loops_list(fun, 0))
      if (!max_depth || loop_depth(loop) <= max_depth)
        add_site(loop);
    for (rec &r : recs)
      add_counter(r);
    hash_map<int_hash<int, -1, -2>, unsigned> per_nest; /* outermost loop -> inner loops */
    for (rec &r : recs)
      if (!r.timed && loop_depth(r.loop) > 1)
        per_nest.get_or_insert(superloop_at_depth(r.loop, 1)->num)++;
    for (rec &r : recs)
      if (!r.timed && loop_depth(r.loop) > 1) {
        if (*per_nest.get(superloop_at_depth(r.loop, 1)->num) > kRegisterLoops ||
            !has_usable_exit(superloop_at_depth(r.loop, 1)))
          r.own_record = true;
        else
          add_accumulators(r);
      }
    /* inner loops first: an edge leaving several timed loops must close the
     * innermost loop's frame first (the runtime pops only its top frame) */
    for (unsigned i = recs.length(); i-- > 0;)
      if (recs[i].timed || loop_depth(recs[i].loop) == 1 || recs[i].own_record)
        add_flushes(recs[i]);
    count = recs.length();
  }
};

/* Loop records are made inline only in functions up to this size (the
 * policy's measure, before the loop probes): a record inline is some 30
 * statements where the call was one, and every later pass sees them.  The
 * loops entered often enough for a call to matter sit in small functions
 * (Lua's table lookups, zlib's longest_match, bzip2's mainGtU), whose
 * compile time is small; a big function keeps the calls (bzip2's bzlib.c
 * took 60 % longer to compile with every record inline). */
const unsigned kInlineMaxSize = 300;

unsigned instrument_loops(function *fun, bool late) {
  if (!ap_config.policy->loops.enabled)
    return 0;
  if (!done)
    done = new hash_set<tree>;
  if (done->contains(fun->decl))
    return 0;
  /* the early instance instruments every function it sees; the late one
   * those it did not (-O0, where "ch" does not run) */
  (void)late;
  done->add(fun->decl);

  ap_func_info info;
  if (ap_describe_function(fun, &info))
    return 0;
  /* Loops follow the function's name and file rules; min_size does not
   * apply (loop counts cost nothing, and a small function can hold a hot
   * loop). */
  if (ap_policy_function(ap_config.policy, info.name, info.file, 0, 0, NULL, 0) == AP_SKIP)
    return 0;

  loop_optimizer_init(LOOPS_NORMAL | LOOPS_HAVE_RECORDED_EXITS);
  if (number_of_loops(fun) <= 1) {
    loop_optimizer_finalize();
    return 0;
  }
  init_decls();
  loop_instrumenter li;
  li.fun = fun;
  li.func_site = ap_func_site(fun->decl, info, false);
  li.func_name = info.name;
  li.any_loop_small = ap_body_size(fun) <= loop_instrumenter::kInlineAnyLoop;
  li.run();
  gsi_commit_edge_inserts();
  unsigned size = ap_body_size(fun);
  if (ap_loop_inline_ok() && size <= kInlineMaxSize) {
    li.make_inline();
  } else if (ap_config.verbose) {
    fprintf(stderr, "autoprof: %s: loop records kept as calls (size %u > %u)\n", info.name, size,
            kInlineMaxSize);
  }
  loop_optimizer_finalize();
  if (!li.count)
    return 0;
  mark_virtual_operands_for_renaming(fun);
  return TODO_update_ssa;
}

/* The late half of make_inline: each marked call made an inline fast path
 * (loop_inline.cc), its slow path the call to the real callee.  An exit's
 * group is its own call and the nest calls right after it in its block;
 * a nest call found alone (some pass put a statement in between) stays a
 * call.  Runs in the late pass over every function: the marks were put
 * before "ch", and the GIMPLE passes since saw one call where a fast path
 * has some 25 statements.  Compile time over plain gcc, Lua's 11 biggest
 * files: 1.50x with the fast paths made at marking, 1.46x made here,
 * 1.28x with none (bzip2: 1.56x, 1.53x): most of their cost is in the RTL
 * passes, which see them either way. */
unsigned expand_loop_marks(function *fun) {
  if (!mark_loop)
    return 0;
  auto_vec<gcall *> starts, owns;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi));
      tree fn = call ? gimple_call_fndecl(call) : NULL_TREE;
      if (fn == mark_loop_start)
        starts.safe_push(call);
      else if (fn == mark_loop || fn == mark_loop_timed)
        owns.safe_push(call);
      else if (fn == mark_loop_nest)
        retarget(call, loop_nest_decl); /* the group's own call takes it back below */
    }
  }
  if (starts.is_empty() && owns.is_empty())
    return 0;
  for (gcall *start : starts) {
    retarget(start, loop_start_decl);
    ap_inline_loop_start(start);
  }
  for (gcall *own : owns) {
    retarget(own, gimple_call_num_args(own) == 3 ? loop_timed_decl : loop_decl);
    auto_vec<gcall *> nests;
    gimple_stmt_iterator gsi = gsi_for_stmt(own);
    for (gsi_next(&gsi); !gsi_end_p(gsi); gsi_next(&gsi)) {
      gcall *c = dyn_cast<gcall *>(gsi_stmt(gsi));
      if (!c || gimple_call_fndecl(c) != loop_nest_decl)
        break;
      nests.safe_push(c);
    }
    ap_inline_loop_exit(own, nests.is_empty() ? NULL : nests.address(), nests.length());
  }
  free_dominance_info(CDI_DOMINATORS);
  mark_virtual_operands_for_renaming(fun);
  return TODO_update_ssa;
}

const pass_data loop_pass_data = {
    GIMPLE_PASS, "autoprof_loop", OPTGROUP_NONE, TV_NONE, PROP_cfg | PROP_ssa, 0, 0, 0, 0,
};

class loop_pass : public gimple_opt_pass {
  bool late;

public:
  loop_pass(gcc::context *ctxt, bool is_late)
      : gimple_opt_pass(loop_pass_data, ctxt), late(is_late) {}
  unsigned int execute(function *fun) override {
    unsigned todo = instrument_loops(fun, late);
    return late ? todo | expand_loop_marks(fun) : todo;
  }
  /* "ch" runs in the -O1+ and the -Og pipelines: one copy before each (a
   * function is instrumented once whichever sees it) */
  opt_pass *clone() override { return new loop_pass(m_ctxt, late); }
};

} // namespace

opt_pass *ap_make_loop_pass(gcc::context *ctxt, bool late) {
  return new loop_pass(ctxt, late);
}

void ap_gc_mark_loops(void) {
  for (tree t : {loop_decl, loop_timed_decl, loop_start_decl, loop_nest_decl, mark_loop,
                 mark_loop_timed, mark_loop_start, mark_loop_nest})
    ap_gc_mark(t);
  ap_gc_mark_set(done);
}
