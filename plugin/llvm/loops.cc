/* Loop probes: exact iteration counts, and loop time where the policy asks.
 *
 * Per loop, the iterations of one entry (times the body ran) are known on
 * each exit edge; nothing enters any loop body where SCEV can compute the
 * loop's exit counts:
 *   - SCEV exit count computable on every exit: the count is expanded from
 *     it in the exit block — no counter at all (an i64 PHI counter would
 *     halve the vector width of i32 loops);
 *   - otherwise (data-dependent exits, -O0): a 64-bit PHI counter in the
 *     header, incremented once per iteration.  Such loops are not
 *     vectorizable anyway (LoopVectorize needs a computable trip count).
 * An outermost (or timed) loop reports on each exit edge; an untimed inner
 * loop adds its figures to five locals of its nest, reported when the
 * outermost loop exits (a record on the inner exits would sit in the outer
 * loop's body).  A timed loop reads the clock once in its preheader and
 * once at its exit, through a stamp in a local of the function.  Records
 * are made inline (inline_loops.cc: a few loads and stores through
 * __autoprof_loop_tls, the runtime called only on the slow path) within
 * the limits of choose_inline, by calls otherwise.
 *
 * Where: VectorizerStart, after all inlining (loops inlined into a caller
 * are counted there, under the caller, naming their origin) and rotation
 * (the header runs once per iteration), just before the vectorizer.  What
 * LLVM moved in front of a loop by then (the rotation guard, peeled
 * iterations) entries.cc finds; its exits count as entries of the loop.
 * Loops LLVM fully unrolled earlier in the pipeline are not loops any more
 * and get no count.  The callback runs at -O0 too. */
#include "autoprof_llvm.h"
#include "inline_loops.h"

namespace ap_llvm {

bool condition_tests(Loop *loop, SmallPtrSetImpl<BasicBlock *> &tests);

namespace {

/* A store into a local whose address is never taken: GIMPLE has a register
 * there (clang's -O0 IR keeps every local in memory). */
bool register_store(Instruction &i) {
  auto *st = dyn_cast<StoreInst>(&i);
  auto *local = st ? dyn_cast<AllocaInst>(st->getPointerOperand()) : nullptr;
  return local && !st->isVolatile() && isAllocaPromotable(local);
}

/* A header that only computes and tests the loop condition: no store, no
 * call (GCC's test_only_header: `while ((p = p->next))` only tests, and a
 * volatile load is no store there, while LLVM counts it as a write). */
bool test_only_header(BasicBlock *header) {
  for (Instruction &i : *header) {
    if (i.isDebugOrPseudoInst() || &i == header->getTerminator() || register_store(i))
      continue;
    auto *load = dyn_cast<LoadInst>(&i);
    if (isa<CallBase>(i) || (i.mayWriteToMemory() && !(load && !load->isAtomic())))
      return false;
  }
  return true;
}

bool exits_loop(Loop *loop, Instruction *term) {
  for (unsigned s = 0; s < term->getNumSuccessors(); s++)
    if (!loop->contains(term->getSuccessor(s)))
      return true;
  return false;
}

/* The bottom test of a loop in do-while (rotated) form: the latch's
 * conditional branch, or that of the single predecessor of an empty latch. */
BranchInst *bottom_test(Loop *loop) {
  BasicBlock *latch = loop->getLoopLatch();
  if (!latch)
    return nullptr;
  auto *br = dyn_cast<BranchInst>(latch->getTerminator());
  if (br && br->isConditional() && exits_loop(loop, br))
    return br;
  if (br && &latch->front() == br && latch->getSinglePredecessor()) {
    auto *pbr = dyn_cast<BranchInst>(latch->getSinglePredecessor()->getTerminator());
    if (pbr && pbr->isConditional() && loop->contains(pbr) && exits_loop(loop, pbr))
      return pbr;
  }
  return nullptr;
}

/* clang -O0 lowers `while (a && b)` into a header testing a, a block
 * testing b and a join holding a PHI of both outcomes, which leaves the
 * loop; GCC's header leaves by itself when a fails, and the block testing b
 * when b does.  Leaving from the join is either: the body did not run.
 * A condition whose first operand is an `&&` inside an `||` (`while ((c
 * >= 'a' && c <= 'z') || c == '_')`, libyaml's IS_ALPHA macro), or an
 * `||` inside an `&&`, reaches the join only through the blocks testing
 * its parts: those must be written inside the condition's parentheses
 * (condition_tests, -g). */
bool joined_from_condition(Loop *loop, BasicBlock *bb) {
  BasicBlock *h = loop->getHeader();
  if (is_contained(successors(h), bb))
    return true;
  SmallPtrSet<BasicBlock *, 8> tests;
  condition_tests(loop, tests);
  return !tests.empty() && !tests.count(bb) &&
         all_of(predecessors(bb), [&](BasicBlock *p) { return p == h || tests.count(p); });
}

bool header_join(Loop *loop, BasicBlock *bb) {
  BasicBlock *h = loop->getHeader();
  auto *hbr = dyn_cast<BranchInst>(h->getTerminator());
  auto *br = dyn_cast<BranchInst>(bb->getTerminator());
  Value *c = br && br->isConditional() ? br->getCondition() : nullptr;
  /* `while (!(a || b))`: the join's value negated in the join */
  auto *neg = c ? dyn_cast<BinaryOperator>(c) : nullptr;
  auto *one = neg && neg->getOpcode() == Instruction::Xor
                  ? dyn_cast<ConstantInt>(neg->getOperand(1))
                  : nullptr;
  bool negated = one && one->isOne() && neg->getParent() == bb && neg->hasOneUse();
  auto *phi = dyn_cast_or_null<PHINode>(negated ? neg->getOperand(0) : c);
  Instruction *first = negated ? (Instruction *)neg : br;
  return phi && phi->getParent() == bb && bb != h && bb->getFirstNonPHI() == first && hbr &&
         hbr->isConditional() && !exits_loop(loop, hbr) && exits_loop(loop, br) &&
         test_only_header(h) && loop->getLoopLatch() != bb && joined_from_condition(loop, bb);
}

} // namespace

/* clang puts a loop's !llvm.loop (with the `for`/`while` start and the
 * loop's end, -g) on its latch's branch; LoopInfo reads it from there
 * only.  Passes can leave it on a branch that is no latch any more: `for
 * (i = 0; i < strlen(s); i++) if (...)` at -O2 (helper-21), whose start
 * then read as its preheader's, the body's `if`.  That branch's is the
 * loop's as long as it is in no inner loop. */
Loop::LocRange loop_range(Loop *loop) {
  if (loop->getLoopID())
    return loop->getLocRange();
  for (BasicBlock *bb : loop->blocks()) {
    MDNode *id = bb->getTerminator()->getMetadata(LLVMContext::MD_loop);
    if (!id || any_of(loop->getSubLoops(), [&](Loop *l) { return l->contains(bb); }))
      continue;
    DebugLoc start;
    for (unsigned i = 1; i < id->getNumOperands(); i++)
      if (auto *l = dyn_cast<DILocation>(id->getOperand(i))) {
        if (!start)
          start = DebugLoc(l);
        else
          return Loop::LocRange(start, DebugLoc(l));
      }
    if (start)
      return Loop::LocRange(start);
  }
  return loop->getLocRange();
}

namespace {

/* How many calls inlined D: the length of its inlinedAt chain. */
unsigned inline_depth(const DILocation *d) {
  unsigned n = 0;
  for (; d && d->getInlinedAt(); d = d->getInlinedAt())
    n++;
  return n;
}

/* D where it is written at inlining depth DEPTH: code inlined from a
 * call written in the loop (`while (!block_follow(ls))`) is at that call. */
const DILocation *at_depth(const DILocation *d, unsigned depth) {
  for (unsigned n = inline_depth(d); d && n > depth; n--)
    d = d->getInlinedAt();
  return d;
}

/* The loop's controlling test gives its line (the `while` of a do-while),
 * where it is written in the loop (a test inlined from a call in the
 * condition: at the call). */
DebugLoc test_location(Loop *loop, bool top, Instruction **branch = nullptr) {
  Instruction *test = top ? loop->getHeader()->getTerminator() : bottom_test(loop);
  /* tested neither at its top nor at its bottom (`while (1) { ...; if (i
   * >= n) break; ... }` at -O0): its one exit's test, as GCC says (the
   * `while` line before; helper-21) */
  if (!test) {
    SmallVector<BasicBlock *, 4> exiting;
    loop->getExitingBlocks(exiting);
    if (exiting.size() == 1 && isa<BranchInst>(exiting[0]->getTerminator()))
      test = exiting[0]->getTerminator();
  }
  if (branch)
    *branch = test;
  if (test && test->getDebugLoc() && test->getDebugLoc().getLine()) {
    DebugLoc start = loop_range(loop).getStart();
    return start ? DebugLoc(at_depth(test->getDebugLoc().get(), inline_depth(start.get())))
                 : test->getDebugLoc();
  }
  return loop_range(loop).getStart();
}

} // namespace

/* Where a loop's condition is written (with -g): from the loop's start
 * (its `for` or `while`) the source is read up to the condition's `(` (or a
 * `for`'s first `;`) and on to its `)` (or second `;`), quotes skipped.
 * Lines and 1-based columns, inclusive. */
struct cond_span {
  std::string file;
  unsigned from_line = 0, from_col = 0, to_line = 0, to_col = 0;
  unsigned depth = 0; /* the loop's inlining depth (inline_depth) */
};

/* A source file's text and where its lines start (read once per file:
 * big units have thousands of loops). */
struct source {
  std::unique_ptr<MemoryBuffer> buf;
  std::vector<size_t> lines; /* offset of line N + 1 */
};

const source *source_text(const std::string &path) {
  static std::map<std::string, source> cache;
  auto it = cache.find(path);
  if (it == cache.end()) {
    source src;
    if (auto buf = MemoryBuffer::getFile(path)) {
      src.buf = std::move(*buf);
      StringRef text = src.buf->getBuffer();
      src.lines.push_back(0);
      for (size_t i = 0; i < text.size(); i++)
        if (text[i] == '\n')
          src.lines.push_back(i + 1);
    }
    it = cache.emplace(path, std::move(src)).first;
  }
  return it->second.buf ? &it->second : nullptr;
}

std::string loc_file(const DILocation *dl) {
  SmallString<256> path(dl->getFilename());
  if (!sys::path::is_absolute(path) && !dl->getDirectory().empty()) {
    path = dl->getDirectory();
    sys::path::append(path, dl->getFilename());
  }
  return path.str().str();
}

bool condition_span(Loop *loop, cond_span *out) {
  DebugLoc start = loop_range(loop).getStart();
  if (!start || !start.getLine() || !start.getCol())
    return false;
  const DILocation *dl = start.get();
  std::string file = loc_file(dl);
  const source *src = source_text(file);
  if (!src || dl->getLine() > src->lines.size())
    return false;
  StringRef text = src->buf->getBuffer();
  size_t at = src->lines[dl->getLine() - 1];
  if (at + dl->getColumn() - 1 >= text.size())
    return false;
  size_t k = at + dl->getColumn() - 1;
  bool is_for = text.substr(k).startswith("for");
  if (!is_for && !text.substr(k).startswith("while"))
    return false; /* a do-while starts at its `do`: its test is at the bottom */
  k = text.find('(', k);
  if (k == StringRef::npos)
    return false;
  auto line_col = [&](size_t pos, unsigned *line, unsigned *col) {
    auto next = std::upper_bound(src->lines.begin(), src->lines.end(), pos);
    *line = (unsigned)(next - src->lines.begin());
    *col = (unsigned)(pos - *(next - 1)) + 1;
  };
  int depth = 0, semis = 0;
  char quote = 0;
  size_t from = k + 1;
  for (size_t c = k + 1; c < text.size() && c < k + 4096; c++) {
    char ch = text[c];
    if (quote) {
      if (ch == '\\')
        c++;
      else if (ch == quote)
        quote = 0;
    } else if (ch == '"' || ch == '\'') {
      quote = ch;
    } else if (ch == '(') {
      depth++;
    } else if (ch == ')' && depth-- == 0) {
      if (is_for)
        return false; /* a for without its two `;` */
      line_col(from, &out->from_line, &out->from_col);
      line_col(c, &out->to_line, &out->to_col);
      out->file = file;
      out->depth = inline_depth(dl);
      return true;
    } else if (ch == ';' && depth == 0 && is_for) {
      if (++semis == 1) {
        from = c + 1;
      } else {
        line_col(from, &out->from_line, &out->from_col);
        line_col(c, &out->to_line, &out->to_col);
        out->file = file;
        out->depth = inline_depth(dl);
        return true;
      }
    }
  }
  return false;
}

bool in_span(const cond_span &s, const DebugLoc &dl) {
  const DILocation *d = at_depth(dl.get(), s.depth);
  if (!d || !d->getLine() || loc_file(d) != s.file)
    return false;
  unsigned l = d->getLine(), c = d->getColumn();
  return (l > s.from_line || (l == s.from_line && c >= s.from_col)) &&
         (l < s.to_line || (l == s.to_line && c <= s.to_col));
}

/* The loop's line: its test's (test_location), unless that is outside the
 * header where -g puts the loop's start — from the `for` or `while` to
 * its condition's end: clang -O2 gave `for (i = 0; i < strlen(s); i++)
 * if (...)`'s rotated test the line of the body's `if` (helper-21); GCC
 * says the `for`'s line. */
/* clang puts a `for`'s branch at its keyword and a do-while's at its `}`:
 * the compare the branch tests, when written on a later line inside the
 * condition (a do-while's: on the loop's last line), is where GCC and the
 * docs place the loop — `for (i = 0;\n i < n;\n i++)` at `i < n`,
 * `}\n while (j < n);` at the `while` (helper-28).  Else AT. */
DebugLoc compare_location(Loop *loop, Instruction *branch, const DebugLoc &at) {
  auto *br = dyn_cast_or_null<BranchInst>(branch);
  auto *cmp = br && br->isConditional() ? dyn_cast<Instruction>(br->getCondition()) : nullptr;
  DebugLoc c = cmp ? cmp->getDebugLoc() : DebugLoc();
  if (!at || !c || c.getLine() <= at.getLine() || c->getFile() != at->getFile() ||
      c.getInlinedAt() != at.getInlinedAt())
    return at;
  cond_span span;
  if (condition_span(loop, &span))
    return in_span(span, c) ? c : at;
  DebugLoc end = loop_range(loop).getEnd();
  return end && end.getLine() == c.getLine() && end->getFile() == c->getFile() ? c : at;
}

DebugLoc loop_location(Loop *loop, bool top) {
  Instruction *branch = nullptr;
  DebugLoc dl = test_location(loop, top, &branch), start = loop_range(loop).getStart();
  dl = compare_location(loop, branch, dl);
  cond_span span;
  if (!dl || !start || dl == start || !condition_span(loop, &span))
    return dl;
  /* no condition tested (`for (;;)`, `while (True)`): tested by an exit
   * test opening the body, whose line it is (frontend.cc's place_of):
   * only a loop leaving through code of its condition is moved */
  SmallVector<BasicBlock *, 4> exiting;
  loop->getExitingBlocks(exiting);
  bool tested = any_of(exiting, [&](BasicBlock *bb) {
    return any_of(
        *bb, [&](Instruction &i) { return i.getDebugLoc() && in_span(span, i.getDebugLoc()); });
  });
  if (!tested)
    return dl;
  const DILocation *d = at_depth(dl.get(), span.depth);
  if (d && d->getLine() && loc_file(d) == span.file &&
      (d->getLine() < start.getLine() || d->getLine() > span.to_line))
    return start;
  return dl;
}

/* Does BB only test part of the loop's condition (SPAN): a conditional
 * branch on a value computed there, and nothing from outside the
 * condition's source (the branch itself clang puts at the `for`)?  Calls
 * and stores the condition makes are its own: `while ((c = getc(f)) !=
 * EOF)`, `while (fgets(buf, n, f))`. */
bool tests_condition(BasicBlock *bb, const cond_span &span) {
  Instruction *br = bb->getTerminator();
  auto *b = dyn_cast<BranchInst>(br);
  auto *sw = dyn_cast<SwitchInst>(br); /* an inlined switch returning the truth */
  if (!(b && b->isConditional()) && !sw)
    return false;
  auto *cond = dyn_cast<Instruction>(b ? b->getCondition() : sw->getCondition());
  if (sw && !in_span(span, sw->getDebugLoc()))
    return false;
  /* clang puts the test of a value's truth (`while (f(x))`: != 0) at the
   * loop's keyword, with the branch: the value it tests says.  A branch
   * written inside the parentheses is the condition's: code expanded from a
   * macro is all at the macro's name (`while (IS_ALPHA(*b))`, libyaml), the
   * value tested and the branch alike. */
  const DebugLoc &at = br->getDebugLoc();
  if (cond && at && cond->getDebugLoc() == at && !in_span(span, at)) {
    if (none_of(cond->operands(), [&](Use &u) {
          auto *op = dyn_cast<Instruction>(u.get());
          return op && op->getParent() == bb && in_span(span, op->getDebugLoc());
        }))
      return false;
  } else if (!in_span(span, cond && cond->getDebugLoc() ? cond->getDebugLoc() : at)) {
    return false;
  }
  /* (a PHI computes nothing there: a header's carries a value of the body
   * around, at its declaration's line, `int n = 0`) */
  for (Instruction &i : *bb)
    if (!i.isDebugOrPseudoInst() && !isa<PHINode>(i) && &i != br && i.getDebugLoc() &&
        i.getDebugLoc().getLine() && !(at && i.getDebugLoc() == at) &&
        !in_span(span, i.getDebugLoc()))
      return false; /* the body's */
  return true;
}

/* A rotated loop whose header tests its condition, or its first part,
 * before the body (`for (i = 0; i < n && a[i] != key; i++)`: LLVM tests
 * `a[i] != key` at the top, `i < n` at the bottom; `while (i < 3 || a[i])`:
 * `i < 3` in the header, `a[i]` in a block reached only from it): leaving
 * from those blocks is the condition failing, no iteration.  A `break` at
 * the top of a body looks the same in the IR; the source tells them apart
 * (with -g only: without it such exits count one).  Returns whether one
 * leaves the loop, with the blocks after the header in TESTS. */
/* A block of the condition after its header: one testing part of it, or
 * one computing a part without testing, everything in it written inside
 * SPAN (the arms of `va_arg`'s register and memory paths: `while ((n =
 * va_arg(ap, int)) != 0)`, pigz's put; the test comes at their join). */
bool condition_part(BasicBlock *bb, const cond_span &span) {
  auto *br = dyn_cast<BranchInst>(bb->getTerminator());
  if (!br || br->isConditional())
    return tests_condition(bb, span);
  bool located = false;
  for (Instruction &i : *bb) {
    if (i.isDebugOrPseudoInst() || isa<PHINode>(i) || !i.getDebugLoc() ||
        !i.getDebugLoc().getLine())
      continue;
    if (!in_span(span, i.getDebugLoc()))
      return false;
    located = true;
  }
  return located;
}

bool condition_tests(Loop *loop, SmallPtrSetImpl<BasicBlock *> &tests) {
  BasicBlock *h = loop->getHeader();
  cond_span span;
  if (!condition_span(loop, &span) || !tests_condition(h, span))
    return false;
  bool leaves = exits_loop(loop, h->getTerminator());
  /* the whole loop is its condition: an empty body (`while (*++s == *++m)
   * ;`), which SimplifyCFG folded into a header of its own */
  if (loop->getLoopLatch() == h)
    return leaves;
  SmallVector<BasicBlock *, 4> work{h};
  while (!work.empty()) {
    BasicBlock *from = work.pop_back_val();
    for (BasicBlock *bb : successors(from)) {
      if (bb == h || !loop->contains(bb) || tests.count(bb) || !condition_part(bb, span) ||
          any_of(predecessors(bb), [&](BasicBlock *p) { return p != h && !tests.count(p); }))
        continue;
      tests.insert(bb);
      leaves |= exits_loop(loop, bb->getTerminator());
      work.push_back(bb);
    }
  }
  return leaves;
}

/* Leaving a top-tested loop from its header means the test failed before
 * the body ran: that header run is not an iteration. */
/* Is what BR tests the loop's condition alone, as far as the source tells
 * (-g)?  SimplifyCFG folds a `break` test at the top of the body into the
 * header's branch (`while ((m = *prior) != NULL) { if (m == want) break;
 * ...`: one branch on `m == NULL | m == want`, the second compare without a
 * location): leaving through that branch is then leaving the body too, and
 * each entry left by the break ran an iteration. */
bool tests_condition_only(Loop *loop, BranchInst *br) {
  cond_span span;
  if (!br->isConditional() || !condition_span(loop, &span))
    return true;
  BasicBlock *bb = br->getParent();
  const DebugLoc &at = br->getDebugLoc();
  SmallVector<Value *, 8> work{br->getCondition()};
  SmallPtrSet<Value *, 8> seen;
  bool inside = false, outside = false;
  while (!work.empty()) {
    auto *i = dyn_cast<Instruction>(work.pop_back_val());
    if (!i || !seen.insert(i).second)
      continue;
    if ((isa<BinaryOperator>(i) || isa<SelectInst>(i)) && i->getType()->isIntegerTy(1)) {
      work.append(i->op_begin(), i->op_end());
      continue;
    }
    const DebugLoc &dl = i->getDebugLoc();
    if (dl && at && dl == at && !in_span(span, at)) { /* the truth test clang puts at the keyword */
      for (Use &u : i->operands())
        if (auto *op = dyn_cast<Instruction>(u.get()))
          if (op->getParent() == bb)
            (in_span(span, op->getDebugLoc()) ? inside : outside) = true;
      continue;
    }
    (in_span(span, dl) ? inside : outside) = true;
  }
  /* a test only from the body (`for (;;) { if (x) break; ...}`) is the
   * loop's test, as with GCC; a mix is the condition and a break */
  return !(inside && outside);
}

/* Code in HEADER written before its test and outside the loop's
 * condition (-g): the body's, whose own test leaves the loop, as GCC
 * reads it.  `for (;;) { s += h; if (++h >= m) break; }` or `again: s +=
 * g; if (++g < m) goto again;` at -O0 is one block (its stores to locals
 * are registers in GIMPLE) and was taken for a top-tested loop: 4
 * iterations of 5 (helper-25); above -O0, `for (;;) { h++; if (h > m)
 * break; ...}` and `{ t += i * s; if (i == 50) die(t); }` lost the pass
 * the break or the noreturn call ends (helper-30), and so did zlib's
 * inflate loops.  The condition's own code (`while (*++s == *++m && ...)`,
 * before the `&&` clang tests at) is inside its parentheses. */
bool body_code(Loop *loop, BasicBlock *header) {
  const DILocation *test = header->getTerminator()->getDebugLoc().get();
  if (!test || !test->getLine())
    return false;
  cond_span span;
  bool spanned = condition_span(loop, &span);
  for (Instruction &i : *header) {
    const DILocation *at = i.getDebugLoc().get();
    if (i.isDebugOrPseudoInst() || isa<PHINode>(i) || &i == header->getTerminator() || !at ||
        !at->getLine() || at->getFile() != test->getFile() ||
        at->getInlinedAt() != test->getInlinedAt() || (spanned && in_span(span, i.getDebugLoc())))
      continue;
    if (at->getLine() < test->getLine() ||
        (at->getLine() == test->getLine() && at->getColumn() < test->getColumn()))
      return true;
  }
  return false;
}

bool top_tested(Loop *loop, bool unrotated) {
  BasicBlock *h = loop->getHeader();
  auto *br = dyn_cast<BranchInst>(h->getTerminator());
  if (isa<SwitchInst>(h->getTerminator())) { /* `while (!block_follow(ls))`, inlined */
    cond_span span;
    return exits_loop(loop, h->getTerminator()) && (unrotated || !bottom_test(loop)) &&
           loop->getLoopLatch() != h && condition_span(loop, &span) && tests_condition(h, span);
  }
  if (!br || !br->isConditional() || !exits_loop(loop, br) || (!unrotated && bottom_test(loop)) ||
      loop->getLoopLatch() == h || !tests_condition_only(loop, br))
    return false;
  if (test_only_header(h) && !body_code(loop, h))
    return true;
  /* a header that calls or stores what its condition says (-g) */
  cond_span span;
  return condition_span(loop, &span) && tests_condition(h, span);
}

namespace {

/* For the verbose line: what LLVM moved in front of the loop. */
std::string entry_note(const loop_entry &e) {
  std::string s;
  if (!e.exits.empty())
    s += ", " + std::to_string(e.exits.size()) + " exit(s) before the loop";
  if (e.peeled)
    s += ", " + std::to_string(e.peeled) + " iteration(s) peeled";
  if (e.anchor != loop_entry::NONE)
    s += e.anchor == loop_entry::PER_CALL ? ", first test once per call"
                                          : ", first test once per outer iteration";
  if (e.lost)
    s += std::string(", some entries uncounted: ") + e.lost;
  return s;
}

Loop *outermost(Loop *loop) {
  while (loop->getParentLoop())
    loop = loop->getParentLoop();
  return loop;
}

struct rec {
  Loop *loop = nullptr;
  GlobalVariable *site = nullptr;
  bool timed = false, top = false, scev = false;
  DenseMap<BasicBlock *, const SCEV *> exit_count; /* exiting block -> backedges taken */
  PHINode *cnt = nullptr;                          /* PHI counter: before / after the */
  Instruction *next = nullptr;                     /* increment of this iteration */
  SmallVector<BasicBlock *, 4> exits;              /* dedicated exit blocks */
  DenseMap<BasicBlock *, Value *> n, raw;          /* exit block -> iterations */
  AllocaInst *stamp = nullptr;
  AllocaInst *acc[5] = {};
  rec *nest = nullptr;                /* the outermost loop holding an untimed inner loop */
  loop_entry entry;                   /* entries LLVM moved in front of the loop (entries.cc) */
  SmallPtrSet<BasicBlock *, 4> tests; /* blocks after the header testing the condition */
  /* Anchored: zero-trip entries = first tests (anchor runs) - entries that
   * ran.  REACH: the parent whose iterations run the first test; ENTERED:
   * per call, did an entry run. */
  rec *reach = nullptr;
  AllocaInst *entered = nullptr;
  bool inl = false;   /* its records at exits are made inline (choose_inline) */
  bool small = false; /* at most inline_loop_size instructions (choose_inline) */
  /* A setjmp (returns_twice call) in the loop (returns_setjmp): the count
   * is kept in SLOT, a volatile local (longjmp restores registers). */
  bool jumps = false;
  AllocaInst *slot = nullptr;
};

/* A returns_twice call (setjmp, sigsetjmp, getcontext; not vfork, as in
 * funcs.cc) in one of LOOP's blocks, its inner loops' too. */
bool returns_setjmp(Loop *loop) {
  for (BasicBlock *bb : loop->blocks())
    for (Instruction &i : *bb)
      if (auto *call = dyn_cast<CallInst>(&i))
        if (call->hasFnAttr(Attribute::ReturnsTwice)) {
          Function *fn = call->getCalledFunction();
          if (!fn || !fn->getName().contains("vfork"))
            return true;
        }
  return false;
}

/* Is exit block E a call that does not return and may longjmp (a function
 * of the program, an indirect call, longjmp itself), reached directly?
 * In a function that calls setjmp GCC gives every such call an abnormal
 * edge to the setjmp's return: in a loop holding the setjmp the call is
 * in the loop, no exit, and an entry it abandons is not counted.  A
 * library function (exit, abort: glibc declares them `leaf`, no such
 * edge) is an exit, as with GCC. */
bool abandons(BasicBlock *e, const TargetLibraryInfo &tli) {
  for (int k = 0; e && k < 4; k++, e = e->getSingleSuccessor()) {
    if (!isa<UnreachableInst>(e->getTerminator()))
      continue;
    Instruction *i = e->getTerminator()->getPrevNode();
    while (i && i->isDebugOrPseudoInst())
      i = i->getPrevNode();
    auto *call = dyn_cast_or_null<CallBase>(i);
    if (!call || !call->doesNotReturn())
      return false;
    Function *fn = call->getCalledFunction();
    LibFunc lf;
    if (!fn || fn->getName().contains("longjmp"))
      return true;
    return !fn->isIntrinsic() && !(fn->isDeclaration() && tli.getLibFunc(*fn, lf) && tli.has(lf));
  }
  return false;
}

struct loop_instrumenter {
  Function &f;
  const config &c;
  LoopInfo &li;
  DominatorTree &dt;
  ScalarEvolution &se;
  AssumptionCache &ac;
  const TargetLibraryInfo &tli;
  bool use_scev;
  const func_info &func;
  std::string func_name;
  GlobalVariable *func_record = nullptr; /* made with the first loop record */
  std::vector<rec> recs;                 /* preorder: a parent before its children */
  DenseMap<Loop *, size_t> index;
  DenseMap<BasicBlock *, Instruction *> cursors;
  DenseMap<BasicBlock *, PHINode *> joins;
  SmallVector<AllocaInst *, 16> promote;
  SmallVector<AllocaInst *, 16> in_memory; /* a setjmp's nest's (keep_in_memory) */
  entry_finder entries;
  inline_loops records; /* the records at exits and preheaders */

  loop_instrumenter(Function &fn, const config &cfg, LoopInfo &l, DominatorTree &d,
                    ScalarEvolution &s, AssumptionCache &a, const TargetLibraryInfo &t, bool scev,
                    const func_info &fi)
      : f(fn), c(cfg), li(l), dt(d), se(s), ac(a), tli(t), use_scev(scev), func(fi),
        func_name(fi.name), entries(fn, l, d), records(fn, d, l) {}

  Module &m() { return *f.getParent(); }
  Type *u64() { return Type::getInt64Ty(f.getContext()); }

  bool timed(Loop *loop) {
    switch (c.policy->loops.timing) {
    case AP_TIMING_ALL:
      return true;
    case AP_TIMING_OUTERMOST:
      return loop->getLoopDepth() == 1;
    default:
      return false;
    }
  }

  /* Code added to an exit block goes before its first original instruction,
   * in the order it is added. */
  Instruction *cursor(BasicBlock *bb) {
    auto it = cursors.find(bb);
    if (it != cursors.end())
      return it->second;
    return cursors[bb] = &*bb->getFirstInsertionPt();
  }

  GlobalVariable *make_site(rec &r) {
    DebugLoc dl = loop_location(r.loop, r.top);
    loop_info info;
    const DILocation *loc = dl.get();
    const DISubprogram *origin =
        loc && loc->getInlinedAt() ? loc->getScope()->getSubprogram() : nullptr;
    info.line = loc ? loc->getLine() : 0;
    DISubprogram *sp = f.getSubprogram();
    info.file = loc ? source_file(loc->getScope(), sp ? sp->getUnit() : nullptr) : "";
    std::string written_in;
    if (MDNode *place = loc ? nullptr : loop_place_of(r.loop)) { /* no -g: the frontend's */
      info.line = mdconst::extract<ConstantInt>(place->getOperand(0))->getZExtValue();
      info.file = cast<MDString>(place->getOperand(1))->getString().str();
      written_in = cast<MDString>(place->getOperand(2))->getString().str();
      if (written_in == func_name)
        written_in.clear();
    }
    if (info.file.empty())
      info.file = sp ? source_file(sp, sp->getUnit()) : func.file;
    bool inlined = origin || !written_in.empty();
    info.flags = (r.timed ? AP_LOOP_TIMED : 0) | (inlined ? AP_LOOP_INLINED : 0);
    info.depth = r.loop->getLoopDepth();
    if (!func_record)
      func_record = func_site(f, func, false);
    info.func = func_record;
    info.origin_function = origin ? origin->getName().str() : inlined ? written_in : func_name;
    Loop *outer = r.loop->getParentLoop();
    info.parent = outer && index.count(outer) ? recs[index[outer]].site : nullptr;
    if (c.verbose)
      errs() << "autoprof: " << info.file << ":" << info.line << ": loop in " << func_name
             << (inlined ? " from " + info.origin_function : "") << ": depth " << info.depth
             << (r.timed ? ", timed" : "") << entry_note(r.entry)
             << (r.jumps ? ", holds a setjmp: count in memory" : "") << "\n";
    return loop_site(m(), info);
  }

  /* A loop we can instrument: a preheader to start from, dedicated exits
   * to report on, no exit into an EH pad; an untimed inner loop also needs
   * its nest instrumented. */
  bool add(Loop *loop) {
    unsigned max_depth = c.policy->loops.max_depth;
    if (max_depth && loop->getLoopDepth() > max_depth)
      return false; /* policy loops.max_depth */
    if (!loop->getLoopPreheader() || !loop->hasDedicatedExits())
      return false;
    rec r;
    r.loop = loop;
    SmallVector<BasicBlock *, 4> exits;
    loop->getUniqueExitBlocks(exits);
    for (BasicBlock *e : exits)
      if (e->isEHPad())
        return false;
    /* a loop holding a setjmp: a call that may longjmp is no exit */
    r.jumps = f.callsFunctionThatReturnsTwice() && returns_setjmp(loop);
    for (BasicBlock *e : exits)
      if (!r.jumps || !abandons(e, tli))
        r.exits.push_back(e);
    r.timed = timed(loop);
    if (!r.timed && loop->getLoopDepth() > 1) {
      if (!index.count(outermost(loop)))
        return false;
    }
    r.entry = entries.find(loop);
    /* -O0 (no SCEV, nothing rotated): clang emits every while and for
     * tested in its header, so a header test that leaves the loop is its
     * test whatever the body's last block does (`if (err) return;` there
     * is no bottom test).  Above -O0 LoopRotate may have made the header
     * the body's first test (a `break`), and the bottom test decides. */
    r.top = top_tested(loop, !use_scev) || (!r.entry.rotated && marked_top_test(loop)) ||
            condition_tests(loop, r.tests);
    /* (SCEV counts from the program's registers, which longjmp restores) */
    r.scev = use_scev && !r.jumps && exit_counts(r);
    index[loop] = recs.size();
    recs.push_back(std::move(r));
    recs.back().site = make_site(recs.back());
    return true;
  }

  /* Every exit's count, or false. */
  bool exit_counts(rec &r) {
    SmallVector<BasicBlock *, 4> exiting;
    r.loop->getExitingBlocks(exiting);
    for (BasicBlock *bb : exiting) {
      if (li.getLoopFor(bb) != r.loop)
        return false; /* an exit from an inner loop */
      const SCEV *ec = se.getExitCount(r.loop, bb);
      if (isa<SCEVCouldNotCompute>(ec) || !ec->getType()->isIntegerTy())
        return false;
      for (BasicBlock *e : successors(bb))
        if (!r.loop->contains(e) &&
            !safe_to_expand_at(ec,
                               e->getSinglePredecessor()
                                   ? &*e->getFirstInsertionPt()
                                   : r.loop->getLoopPreheader()->getTerminator(),
                               se))
          return false;
      r.exit_count[bb] = ec;
    }
    return true;
  }

  /* counter: cnt = PHI [0, preheader], [next, latches]; next = cnt + 1 */
  void add_counter(rec &r) {
    BasicBlock *header = r.loop->getHeader(), *pre = r.loop->getLoopPreheader();
    r.cnt = PHINode::Create(u64(), 2, "autoprof.cnt", &header->front());
    r.next = BinaryOperator::CreateAdd(r.cnt, ConstantInt::get(u64(), 1), "autoprof.next",
                                       &*header->getFirstInsertionPt());
    for (BasicBlock *p : predecessors(header))
      r.cnt->addIncoming(p == pre ? ConstantInt::get(u64(), 0) : (Value *)r.next, p);
  }

  /* A loop holding a setjmp, resumed by a longjmp from a call in its body
   * (an interpreter's try/catch, mujs's jsR_run): the longjmp gives the
   * registers their values at the setjmp, the counter's too, and the
   * iterations run in between were lost (above -O0: 6 of 8).  GCC keeps
   * such a function's locals in memory.  Here the count moves to a
   * volatile local, once every record is made: 0 in the preheader, loaded,
   * incremented and stored by the header, and each use of the count loads
   * it again (after the header's store it holds NEXT; CNT is one less). */
  void count_in_memory(rec &r) {
    Type *t = u64();
    r.slot = local(t, "autoprof.count");
    new StoreInst(ConstantInt::get(t, 0), r.slot, true,
                  r.loop->getLoopPreheader()->getTerminator());
    SmallVector<Use *, 8> uses;
    for (Value *v : {(Value *)r.cnt, (Value *)r.next})
      for (Use &u : v->uses())
        if (u.getUser() != r.cnt && u.getUser() != r.next)
          uses.push_back(&u);
    Instruction *stored = new StoreInst(r.next, r.slot, true, r.next->getNextNode());
    /* one load per block (a PHI's at the end of its incoming block) */
    std::map<std::tuple<BasicBlock *, bool, bool>, Value *> loaded;
    for (Use *u : uses) {
      auto *user = cast<Instruction>(u->getUser());
      auto *phi = dyn_cast<PHINode>(user);
      BasicBlock *bb = phi ? phi->getIncomingBlock(*u) : user->getParent();
      bool before = u->get() == r.cnt;
      Value *&v = loaded[{bb, before, phi != nullptr}];
      if (!v) {
        Instruction *at = phi                         ? bb->getTerminator()
                          : bb == stored->getParent() ? stored->getNextNode()
                                                      : &*bb->getFirstInsertionPt();
        v = new LoadInst(t, r.slot, "autoprof.count", true, at);
        if (before)
          v = BinaryOperator::CreateSub(v, ConstantInt::get(t, 1), "autoprof.cnt", at);
      }
      u->set(v);
    }
    r.next->setOperand(0, new LoadInst(t, r.slot, "autoprof.cnt", true, r.next));
    r.cnt->eraseFromParent();
    r.cnt = nullptr;
  }

  /* Figures of a nest holding a setjmp stay in memory too, volatile. */
  void keep_in_memory(AllocaInst *local) {
    for (User *u : local->users()) {
      if (auto *load = dyn_cast<LoadInst>(u))
        load->setVolatile(true);
      else if (auto *store = dyn_cast<StoreInst>(u))
        store->setVolatile(true);
    }
  }

  /* A header whose branch is the condition and a `break` of the body's
   * first test, folded into one (tests_condition_only): `while ((m =
   * *prior) != NULL) { if (m == want) break; ...}` leaves on `m == NULL |
   * m == want`.  Leaving with the condition's part true (`m == NULL`) ran
   * no iteration, with only the break's one: the count at AT, or null for
   * any other shape. */
  Value *folded_break_count(rec &r, BasicBlock *exiting, Instruction *at) {
    auto *br = dyn_cast<BranchInst>(exiting->getTerminator());
    cond_span span;
    if (!br || !br->isConditional() || tests_condition_only(r.loop, br) ||
        !condition_span(r.loop, &span))
      return nullptr;
    auto *c = dyn_cast<Instruction>(br->getCondition());
    if (!c || !c->getType()->isIntegerTy(1))
      return nullptr;
    Value *a = nullptr, *b = nullptr;
    bool is_or = false, is_and = false;
    if (auto *bo = dyn_cast<BinaryOperator>(c)) {
      is_or = bo->getOpcode() == Instruction::Or;
      is_and = bo->getOpcode() == Instruction::And;
      a = bo->getOperand(0), b = bo->getOperand(1);
    } else if (auto *sel = dyn_cast<SelectInst>(c)) {
      auto *t = dyn_cast<ConstantInt>(sel->getTrueValue());
      auto *f = dyn_cast<ConstantInt>(sel->getFalseValue());
      is_or = t && t->isOne(), is_and = f && f->isZero();
      a = sel->getCondition(), b = is_or ? sel->getFalseValue() : sel->getTrueValue();
    }
    auto spanned = [&](Value *v) {
      auto *i = dyn_cast<Instruction>(v);
      return i && in_span(span, i->getDebugLoc());
    };
    Value *in = spanned(a) && !spanned(b) ? a : spanned(b) && !spanned(a) ? b : nullptr;
    bool exit_on_true = !r.loop->contains(br->getSuccessor(0));
    if (!in || (is_or && !exit_on_true) || (is_and && exit_on_true) || (!is_or && !is_and))
      return nullptr;
    /* or, leaving when true: the condition's part true left; and, leaving
     * when false: its part false did */
    return is_or ? SelectInst::Create(in, r.cnt, r.next, "autoprof.n", at)
                 : SelectInst::Create(in, r.next, r.cnt, "autoprof.n", at);
  }

  /* The iterations of this entry when leaving through EXITING, computed at
   * AT (a point dominated by EXITING's end). */
  Value *count_on(rec &r, BasicBlock *exiting, Instruction *at) {
    bool header_exit = r.top && (exiting == r.loop->getHeader() || r.tests.count(exiting));
    if (!r.scev && header_join(r.loop, exiting)) {
      /* from the header (`a` failed) or from a block that only tests (`b`
       * failed): no iteration; from a block that did more (a call in `b`:
       * GCC counts that too) one.  The count itself when every way in is
       * a test: a PHI of one value is a copy on every iteration at -O0. */
      /* a block of the condition that calls (`while (a && f(x))`): written
       * inside its parentheses (-g) */
      cond_span span;
      bool spanned = condition_span(r.loop, &span);
      auto is_test = [&](BasicBlock *p) {
        return p == r.loop->getHeader() || test_only_header(p) ||
               (spanned && condition_part(p, span));
      };
      if (all_of(predecessors(exiting), is_test))
        return r.cnt;
      PHINode *&n = joins[exiting];
      if (!n) {
        n = PHINode::Create(u64(), 2, "autoprof.join", &exiting->front());
        for (BasicBlock *p : predecessors(exiting))
          n->addIncoming(is_test(p) ? (Value *)r.cnt : r.next, p);
      }
      return n;
    }
    if (!r.scev && exiting == r.loop->getHeader())
      if (Value *v = folded_break_count(r, exiting, at))
        return v;
    if (!r.scev)
      return header_exit ? (Value *)r.cnt : r.next;
    const SCEV *ec = se.getTruncateOrZeroExtend(r.exit_count[exiting], u64());
    const SCEV *n = header_exit ? ec : se.getAddExpr(ec, se.getOne(u64()));
    SCEVExpander exp(se, m().getDataLayout(), "autoprof");
    return exp.expandCodeFor(n, u64(), at);
  }

  /* The count on each exit block: a PHI where several exiting blocks lead
   * to it (SCEV values are then expanded in the preheader).  RAW: the loop
   * proper's count, the runs of its body (an anchored inner loop's first
   * tests); N: with what ran before it (entries.cc). */
  /* A case of the header's switch that leaves for the body's own code:
   * SimplifyCFG folds a test of the body on the switched value into the
   * condition's switch (`while (!block_follow(ls)) { if (ls->token ==
   * TK_RETURN) { statement(ls); return; } ...`, Lua's statlist): that exit
   * ran an iteration.  Told by where E's code is written: after the
   * condition and before the loop's end (-g). */
  bool switch_body_exit(rec &r, BasicBlock *p, BasicBlock *e) {
    cond_span span;
    if (r.scev || !r.top || p != r.loop->getHeader() || !isa<SwitchInst>(p->getTerminator()) ||
        !condition_span(r.loop, &span))
      return false;
    DebugLoc end = loop_range(r.loop).getEnd();
    const DILocation *d = nullptr;
    for (int k = 0; e && !d && k < 4; k++, e = e->getSingleSuccessor())
      for (Instruction &i : *e)
        if (!i.isDebugOrPseudoInst() && i.getDebugLoc() && i.getDebugLoc().getLine()) {
          d = at_depth(i.getDebugLoc().get(), span.depth);
          break;
        }
    if (!d || !end || loc_file(d) != span.file)
      return false;
    unsigned l = d->getLine(), c = d->getColumn();
    bool after = l > span.to_line || (l == span.to_line && c > span.to_col);
    bool before = l < end.getLine() || (l == end.getLine() && c < end.getCol());
    return after && before;
  }

  void exit_values(rec &r) {
    for (BasicBlock *e : r.exits) {
      if (BasicBlock *p = e->getSinglePredecessor()) {
        r.raw[e] = switch_body_exit(r, p, e) ? r.next : count_on(r, p, cursor(e));
        r.n[e] = plus_offset(r, p, r.raw[e], cursor(e));
        continue;
      }
      PHINode *raw = PHINode::Create(u64(), 2, "autoprof.raw", &e->front());
      PHINode *n = PHINode::Create(u64(), 2, "autoprof.n", &e->front());
      DenseMap<BasicBlock *, std::pair<Value *, Value *>> per_pred;
      for (BasicBlock *p : predecessors(e)) {
        auto &v = per_pred[p];
        if (!v.first) {
          Instruction *at =
              r.scev ? r.loop->getLoopPreheader()->getTerminator() : p->getTerminator();
          v.first = switch_body_exit(r, p, e) ? r.next : count_on(r, p, at);
          v.second = plus_offset(r, p, v.first, at);
        }
        raw->addIncoming(v.first, p);
        n->addIncoming(v.second, p);
      }
      r.raw[e] = raw, r.n[e] = n;
    }
  }

  /* What LLVM moved in front of the loop proper belongs to the entry: the
   * peeled iterations, and, leaving through the rotated test of a header
   * that did more than test, the guard's header run. */
  Value *plus_offset(rec &r, BasicBlock *exiting, Value *n, Instruction *at) {
    uint64_t k = r.entry.peeled + (r.entry.counts_header_runs && exiting == r.entry.test_block);
    return k ? BinaryOperator::CreateAdd(n, ConstantInt::get(u64(), k), "autoprof.n", at) : n;
  }

  AllocaInst *local(Type *type, const char *name) {
    BasicBlock &entry = f.getEntryBlock();
    return new AllocaInst(type, m().getDataLayout().getAllocaAddrSpace(), name, &entry.front());
  }

  Constant *site(rec &r) { return as_bytes(r.site); }

  void add_stamp(rec &r) { r.stamp = local(ArrayType::get(u64(), 3), "autoprof.stamp"); }

  /* A timed loop's start, last of all: its preheader may be the exit block
   * of the loop before it, whose record goes before the block's first
   * original instruction — the branch, in an empty block — and must come
   * first (two loops in a row: the second one's start went first, and its
   * frame opened inside the first one's, which then held its calls). */
  void add_start(rec &r) {
    records.start(r.loop->getLoopPreheader()->getTerminator(), site(r), r.stamp,
                  inline_ok && r.small);
  }

  /* An untimed inner loop: entries that ran, iterations, min-1 (n - 1
   * wraps for n = 0, leaving the min alone), max, zero-trip entries, in
   * locals of the nest (promoted to registers afterwards). */
  void add_accumulators(rec &r) {
    r.nest = &recs[index[outermost(r.loop)]];
    IRBuilder<> init(r.nest->loop->getLoopPreheader()->getTerminator());
    locate(init);
    for (int i = 0; i < 5; i++) {
      r.acc[i] = local(u64(), "autoprof.nest");
      (r.nest->jumps ? in_memory : promote).push_back(r.acc[i]);
      init.CreateStore(i == 2 ? ConstantInt::getAllOnesValue(u64()) : ConstantInt::get(u64(), 0),
                       r.acc[i]);
    }
    for (BasicBlock *e : r.exits) {
      IRBuilder<> b(cursor(e));
      locate(b);
      accumulate(r, b, r.n[e]);
    }
  }

  /* One entry of N iterations into an untimed inner loop's accumulators. */
  void accumulate(rec &r, IRBuilder<> &b, Value *n) {
    Value *zero = ConstantInt::get(u64(), 0), *acc[5];
    for (int i = 0; i < 5; i++)
      acc[i] = b.CreateLoad(u64(), r.acc[i]);
    Value *less = b.CreateAdd(n, ConstantInt::getAllOnesValue(u64()));
    Value *upd[5] = {
        b.CreateAdd(acc[0], b.CreateZExt(b.CreateICmpNE(n, zero), u64())),
        b.CreateAdd(acc[1], n),
        b.CreateSelect(b.CreateICmpULT(acc[2], less), acc[2], less),
        b.CreateSelect(b.CreateICmpUGT(acc[3], n), acc[3], n),
        b.CreateAdd(acc[4], b.CreateZExt(b.CreateICmpEQ(n, zero), u64())),
    };
    for (int i = 0; i < 5; i++)
      b.CreateStore(upd[i], r.acc[i]);
  }

  /* A block on the edge FROM -> TO and nothing else changed (SplitEdge
   * would also give a loop whose exit this is dedicated exit blocks,
   * changing other edges of the precomputed list). */
  BasicBlock *split_edge(BasicBlock *from, BasicBlock *to) {
    BasicBlock *bb = BasicBlock::Create(f.getContext(), "autoprof.entry", &f, to);
    BranchInst::Create(to, bb);
    Instruction *term = from->getTerminator();
    for (unsigned i = 0; i < term->getNumSuccessors(); i++)
      if (term->getSuccessor(i) == to)
        term->setSuccessor(i, bb);
    to->replacePhiUsesWith(from, bb);
    DomTreeUpdater dtu(dt, DomTreeUpdater::UpdateStrategy::Eager);
    dtu.applyUpdates({{DominatorTree::Insert, from, bb},
                      {DominatorTree::Insert, bb, to},
                      {DominatorTree::Delete, from, to}});
    Loop *l = li.getLoopFor(from);
    while (l && !l->contains(to))
      l = l->getParentLoop();
    if (l)
      l->addBasicBlockToLoop(bb, li);
    return bb;
  }

  /* Entries that ended before the loop proper (entries.cc): on their edge,
   * what the loop's own exits do, with their iterations.  A timed loop
   * opens and closes its frame there, as GCC's probes do on such an entry. */
  void add_entry_exits(rec &r) {
    bool reports = r.timed || r.loop->getLoopDepth() == 1;
    for (const entry_exit &x : r.entry.exits) {
      BasicBlock *bb = split_edge(x.from, x.to);
      Instruction *at = bb->getTerminator();
      if (x.when) {
        IRBuilder<> cb(at);
        Value *when = x.negate ? cb.CreateNot(x.when) : x.when;
        at = SplitBlockAndInsertIfThen(when, at, false, nullptr, &dt, &li);
      }
      IRBuilder<> b(at);
      locate(b);
      Value *n = ConstantInt::get(u64(), x.n);
      if (r.entered)
        b.CreateStore(ConstantInt::get(u64(), 1), r.entered);
      if (!reports)
        accumulate(r, b, n);
      else
        report_entry(r, at, n);
    }
  }

  /* An entry the loop's exits did not see, at once, before AT: a timed
   * loop opens and closes its frame, as GCC's probes do on such an entry. */
  void report_entry(rec &r, Instruction *at, Value *n) {
    if (r.timed) {
      records.start(at, site(r), r.stamp, r.inl);
      records.end(at, site(r), n, r.stamp, r.inl);
    } else {
      records.count(at, {own(r, n)}, r.inl);
    }
  }

  loop_figures own(rec &r, Value *n) { return {site(r), n, {}}; }

  /* Anchored loops (entries.cc): a zero-trip entry is a first test that led
   * to no entry, wherever LLVM sent it, so it is counted from the anchor and
   * not on the guard's failing edge.  Per parent iteration: an untimed inner
   * loop under an outermost parent, or under an untimed one that counts
   * nothing before its loop proper (its accumulated iterations are then the
   * iterations that ran the test).  Per call: an outermost loop. */
  void use_anchors() {
    for (rec &r : recs) {
      if (r.entry.anchor == loop_entry::PER_CALL) {
        r.entered = local(u64(), "autoprof.entered");
        promote.push_back(r.entered);
        new StoreInst(ConstantInt::get(u64(), 0), r.entered, r.entered->getNextNode());
      } else if (r.entry.anchor == loop_entry::PER_PARENT_ITERATION && !r.timed) {
        auto it = index.find(r.loop->getParentLoop());
        rec *p = it == index.end() ? nullptr : &recs[it->second];
        /* the parent's count must be its body runs: rotated, tested at the
         * top or at the bottom; accumulated with nothing added */
        bool body_runs = p && (p->entry.rotated || p->top ||
                               !r.loop->getParentLoop()->isLoopExiting(p->loop->getHeader()));
        if (body_runs && (p->loop->getLoopDepth() == 1 ||
                          (!p->timed && !p->entry.peeled && !p->entry.counts_header_runs)))
          r.reach = p;
      }
      if (r.entered || r.reach)
        r.entry.exits.erase(remove_if(r.entry.exits, [](const entry_exit &x) { return !x.n; }),
                            r.entry.exits.end());
    }
  }

  /* Before each return (before a tail call there, or in the blocks that jump
   * to a return holding only PHIs: the call stays a sibcall), report a
   * zero-trip entry of each loop anchored per call that ran no entry.
   * Without AT, only how many places that is. */
  unsigned return_points(SmallVectorImpl<Instruction *> *at) {
    unsigned n = 0;
    for (BasicBlock &bb : f) {
      auto *ret = dyn_cast<ReturnInst>(bb.getTerminator());
      if (!ret)
        continue;
      /* (a return that records made inline split off keeps them before it) */
      bool only_phis = bb.getFirstNonPHI() == ret && !pred_empty(&bb) && !records.after(&bb) &&
                       all_of(predecessors(&bb),
                              [](BasicBlock *p) { return isa<BranchInst>(p->getTerminator()); });
      if (!only_phis) {
        n++;
        if (at)
          at->push_back(before_tail_call(ret));
        continue;
      }
      SmallPtrSet<BasicBlock *, 4> seen;
      for (BasicBlock *p : predecessors(&bb)) {
        if (!seen.insert(p).second)
          continue;
        n++;
        if (at)
          at->push_back(p->getSingleSuccessor() ? before_tail_call(p->getTerminator())
                                                : split_edge(p, &bb)->getTerminator());
      }
    }
    return n;
  }

  void add_per_call_reports() {
    SmallVector<Instruction *, 8> at;
    if (any_of(recs, [](const rec &r) { return r.entered; }))
      return_points(&at);
    for (rec &r : recs) {
      if (!r.entered)
        continue;
      for (Instruction *i : at) {
        IRBuilder<> cb(i);
        Value *none = cb.CreateICmpEQ(cb.CreateLoad(u64(), r.entered), ConstantInt::get(u64(), 0));
        report_entry(r, SplitBlockAndInsertIfThen(none, i, false, nullptr, &dt, &li),
                     ConstantInt::get(u64(), 0));
      }
    }
  }

  static Instruction *before_tail_call(Instruction *term) {
    auto *call = dyn_cast_or_null<CallInst>(term->getPrevNode());
    return call && call->isTailCall() ? call : term;
  }

  /* The records on a reporting loop's exits: its own count, then (outermost
   * loop) the accumulators of the untimed loops nested in it, as one group
   * (inline_loops.cc); a timed loop's own count is a group of its own. */
  void add_flushes(rec &r) {
    for (BasicBlock *e : r.exits) {
      Instruction *at = cursor(e);
      if (r.entered) {
        IRBuilder<> b(at);
        b.CreateStore(ConstantInt::get(u64(), 1), r.entered);
      }
      SmallVector<loop_figures, 8> group;
      if (r.timed)
        records.end(at, site(r), r.n[e], r.stamp, r.inl);
      else
        group.push_back(own(r, r.n[e]));
      if (r.loop->getLoopDepth() == 1)
        for (rec &inner : recs)
          if (inner.nest == &r)
            group.push_back(nest_figures(r, e, inner, at));
      if (!group.empty())
        records.count(at, group, r.inl);
    }
  }

  /* An untimed inner loop's accumulators over the entry of its nest R
   * that leaves through E, read before AT. */
  loop_figures nest_figures(rec &r, BasicBlock *e, rec &inner, Instruction *at) {
    IRBuilder<> b(at);
    locate(b);
    loop_figures g = {site(inner), nullptr, {}};
    for (int i = 0; i < 5; i++)
      g.nest[i] = b.CreateLoad(u64(), inner.acc[i]);
    if (inner.reach) { /* zero-trip entries: first tests - entries that ran */
      Value *tests = inner.reach == &r ? r.raw[e] : b.CreateLoad(u64(), inner.reach->acc[1]);
      g.nest[4] = b.CreateSelect(b.CreateICmpUGT(tests, g.nest[0]), b.CreateSub(tests, g.nest[0]),
                                 ConstantInt::get(u64(), 0));
    }
    return g;
  }

  /* A record inline is some 30 instructions where the call was one, and
   * every later pass sees them (the GCC plugin's limits, for compile time
   * and code size): records are made inline only in functions of size up
   * to 300, and in those at most 16 exits (return points, for a loop
   * anchored per call) are, those of the loops with the fewest exits first
   * (the tight ones); the others keep the calls.  Only loops of at most 40
   * instructions (a nest counts whole): where an entry is cheap, so that a
   * call per entry is much of its cost; in a function of size up to 160,
   * any loop (the function is little more than its loops, so an entry is
   * about as frequent as a call: zlib's longest_match).  A timed loop's
   * start, one per loop, is inline wherever its records may be. */
  static const unsigned inline_max_size = 300, inline_exits = 16, inline_loop_size = 40,
                        inline_any_loop = 160;
  bool inline_ok = false;
  unsigned exits_inline = 0, exits_all = 0;

  void choose_inline() {
    unsigned fsize = function_size(f); /* before the loop probes */
    inline_ok = fsize <= inline_max_size;
    unsigned returns = 0;
    if (any_of(recs, [](const rec &r) { return r.entered; }))
      returns = return_points(nullptr);
    SmallVector<std::pair<unsigned, size_t>, 16> order; /* exits, rec */
    for (size_t i = 0; i < recs.size(); i++) {
      rec &r = recs[i];
      unsigned size = 0;
      for (BasicBlock *bb : r.loop->blocks())
        for (Instruction &in : *bb)
          size += !isa<DbgInfoIntrinsic>(in);
      r.small = size <= inline_loop_size || fsize <= inline_any_loop;
      if ((r.timed || r.loop->getLoopDepth() == 1) && r.small)
        order.push_back(
            {unsigned(r.exits.size() + r.entry.exits.size()) + (r.entered ? returns : 0), i});
    }
    llvm::sort(order);
    for (auto [n, i] : order) {
      exits_all += n;
      if (inline_ok && exits_inline + n <= inline_exits) {
        recs[i].inl = true;
        exits_inline += n;
      }
    }
  }

  bool run() {
    for (Loop *top : li)
      simplifyLoop(top, &dt, &li, &se, &ac, nullptr, false);
    for (Loop *loop : li.getLoopsInPreorder())
      add(loop);
    if (recs.empty())
      return false;
    use_anchors();
    choose_inline();
    for (rec &r : recs)
      if (!r.scev)
        add_counter(r);
    for (rec &r : recs)
      exit_values(r);
    for (rec &r : recs)
      if (r.timed)
        add_stamp(r);
    for (rec &r : recs)
      if (!r.timed && r.loop->getLoopDepth() > 1)
        add_accumulators(r);
    for (rec &r : recs)
      add_entry_exits(r);
    /* innermost first: on an edge leaving a nest, a timed inner loop's
     * frame (on top of the stack) closes before its parent's */
    for (auto it = recs.rbegin(); it != recs.rend(); ++it)
      if (it->timed || it->loop->getLoopDepth() == 1)
        add_flushes(*it);
    add_per_call_reports();
    for (rec &r : recs)
      if (r.timed)
        add_start(r);
    for (rec &r : recs)
      if (r.jumps && r.cnt)
        count_in_memory(r);
    for (AllocaInst *local : in_memory)
      keep_in_memory(local);
    if (c.verbose)
      errs() << "autoprof: " << func_name << ": " << exits_inline << " of " << exits_all
             << " loop exits and "
             << (inline_ok ? count_if(recs, [](const rec &r) { return r.timed && r.small; }) : 0)
             << " loop starts inline\n";
    /* at -O0 the accumulators stay in memory: promoted, they were PHIs
     * carried around every iteration of the nest, which -O0's register
     * allocator stores and reloads on every edge (a chain-walk search in
     * an outer loop, lzo's swd_search: 1.9x at clang -O0 against 1.07x
     * at gcc -O0); in memory an inner loop's exit updates them, nothing else */
    if (!promote.empty() && use_scev)
      PromoteMemToReg(promote, dt, &ac);
    return true;
  }
};

PreservedAnalyses instrument_loops(Function &f, FunctionAnalysisManager &fam, bool use_scev) {
  const config &c = get_config();
  if (!c.policy->loops.enabled)
    return PreservedAnalyses::all();
  func_info info;
  if (describe_function(f, &info))
    return PreservedAnalyses::all();
  /* Loops follow the function's name and file rules; min_size does not
   * apply (loop counts cost nothing, and a small function can hold a hot
   * loop). */
  if (ap_policy_function(c.policy, info.name.c_str(), info.file.c_str(), 0, 0, NULL, 0) == AP_SKIP)
    return PreservedAnalyses::all();
  LoopInfo &li = fam.getResult<LoopAnalysis>(f);
  if (li.empty())
    return PreservedAnalyses::all();
  loop_instrumenter ins(f, c, li, fam.getResult<DominatorTreeAnalysis>(f),
                        fam.getResult<ScalarEvolutionAnalysis>(f),
                        fam.getResult<AssumptionAnalysis>(f),
                        fam.getResult<TargetLibraryAnalysis>(f), use_scev, info);
  ins.run();
  if (c.verify)
    verify_or_die(f, "the loop pass");
  if (c.verify && !fam.getResult<DominatorTreeAnalysis>(f).verify()) {
    errs() << "autoprof: the loop pass left a wrong dominator tree in " << f.getName() << "\n";
    abort();
  }
  return PreservedAnalyses::none();
}

} // namespace

PreservedAnalyses loop_pass::run(Function &f, FunctionAnalysisManager &fam) {
  /* Once per function, whoever registered the pass (both flags, two copies) */
  if (f.isDeclaration() || f.hasFnAttribute("autoprof-loops"))
    return PreservedAnalyses::all();
  f.addFnAttr("autoprof-loops");
  PreservedAnalyses pa = instrument_loops(f, fam, use_scev);
  strip_entry_marks(f); /* metadata only: no analysis changes */
  return pa;
}

} // namespace ap_llvm
