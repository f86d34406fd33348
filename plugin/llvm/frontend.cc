/* The clang side of autoprof-llvm.so: a frontend plugin action that makes
 * `clang -fplugin=autoprof-llvm.so` alone instrument (clang loads such a
 * .so as a frontend plugin and would otherwise never run its passes), takes
 * the -fplugin-arg-autoprof-llvm-* options, and hands the passes what only
 * the frontend knows.
 *
 * clang splits -fplugin-arg-NAME-ARG at the first '-' after the prefix, so
 * the action is registered as "autoprof" and receives "llvm-policy=FILE". */
#define AP_LLVM_WITH_CLANG
#include "autoprof_llvm.h"

#include <dlfcn.h>
#include <sys/stat.h>

using namespace clang;

namespace ap_llvm {
namespace {

const char *const flag_prefix = "-fplugin-arg-autoprof-";

/* The path this .so was loaded from, as clang's PassPlugins wants it. */
std::string own_path() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&own_path), &info) && info.dli_fname)
    return info.dli_fname;
  return "";
}

bool same_file(const std::string &a, const std::string &b) {
  struct stat sa, sb;
  return a == b || (stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 &&
                    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* Does S hold a label (or a case) that code generation must keep? */
bool holds_label(const Stmt *s) {
  if (!s)
    return false;
  if (isa<LabelStmt>(s) || isa<SwitchCase>(s))
    return true;
  for (const Stmt *c : s->children())
    if (holds_label(c))
      return true;
  return false;
}

/* The loops of one function body in the order clang emits their headers
 * (the traversal's pre-order), each at the line -g gives it: the `for` or
 * `while` keyword (of a do-while too), the `if` of `for (;;) { if (c)
 * break; ...}`, and for a loop made by a backward goto, the `if` holding
 * the goto.  What code generation leaves out (the dead arm of a constant
 * `if`, a loop whose condition is constant false) is left out here. */
struct loop_collector : RecursiveASTVisitor<loop_collector> {
  ASTContext &ctx;
  const SourceManager &sm;
  std::vector<config::loop_place> loops;
  std::vector<bool> unused;                   /* a label no backward goto went to yet */
  std::map<const LabelDecl *, size_t> labels; /* -> index in LOOPS */
  std::map<const GotoStmt *, SourceLocation> goto_tests;
  explicit loop_collector(ASTContext &c) : ctx(c), sm(c.getSourceManager()) {}
  bool TraverseLambdaExpr(LambdaExpr *) { return true; } /* its own function */
  bool TraverseBlockExpr(BlockExpr *) { return true; }

  unsigned line(SourceLocation loc) {
    PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    return p.isValid() ? p.getLine() : 0;
  }
  void add(SourceLocation loc) {
    PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    loops.push_back({p.isValid() ? p.getLine() : 0, p.isValid() ? p.getFilename() : ""});
    unused.push_back(false);
  }
  std::vector<config::loop_place> result() {
    std::vector<config::loop_place> out;
    for (size_t i = 0; i < loops.size(); i++)
      if (!unused[i])
        out.push_back(loops[i]);
    return out;
  }
  static bool constant(const Expr *e, ASTContext &ctx, bool *value) {
    Expr::EvalResult r;
    if (!e || e->isValueDependent() || !e->EvaluateAsInt(r, ctx))
      return false;
    *value = r.Val.getInt().getBoolValue();
    return true;
  }
  /* `if (c) break;` (or return, goto, a block ending so): a test that
   * leaves the loop */
  static const IfStmt *exit_test(Stmt *s) {
    auto *t = dyn_cast_or_null<IfStmt>(s);
    Stmt *then = t && !t->getElse() ? t->getThen() : nullptr;
    if (auto *block = dyn_cast_or_null<CompoundStmt>(then))
      then = block->body_empty() ? nullptr : block->body_back();
    return then && (isa<BreakStmt>(then) || isa<ReturnStmt>(then) || isa<GotoStmt>(then)) ? t
                                                                                          : nullptr;
  }
  /* Only computes and tests (GCC's test-only header): no call, no store
   * but into a local. */
  static bool only_tests(const Stmt *s) {
    if (!s || isa<CallExpr>(s))
      return !s;
    auto *op = dyn_cast<clang::UnaryOperator>(s);
    auto *bo = dyn_cast<clang::BinaryOperator>(s);
    const Expr *target = op && op->isIncrementDecrementOp() ? op->getSubExpr()
                         : bo && bo->isAssignmentOp()       ? bo->getLHS()
                                                            : nullptr;
    if (target) {
      auto *ref = dyn_cast<DeclRefExpr>(target->IgnoreParenImpCasts());
      auto *var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
      if (!var || !var->hasLocalStorage())
        return false;
    }
    for (const Stmt *c : s->children())
      if (!only_tests(c))
        return false;
    return true;
  }
  /* Where -g puts a for or while loop (loops.cc's loop_location, GCC's
   * rule too): at its top test if that is its only test and it only
   * tests, else at its bottom test (an exit test ending a body with no
   * increment after it), else at its keyword.  A loop with no condition
   * is tested at the top by an exit test opening its body. */
  SourceLocation place_of(const Expr *cond, Stmt *body, bool increment, SourceLocation keyword) {
    bool v = false;
    const Expr *top = cond && !(constant(cond, ctx, &v) && v) ? cond : nullptr;
    SourceLocation top_at = keyword;
    auto *block = dyn_cast_or_null<CompoundStmt>(body);
    Stmt *first = block ? (block->body_empty() ? nullptr : block->body_front()) : body;
    Stmt *last = body;
    if (block) { /* the last statement but empty ones */
      last = nullptr;
      for (Stmt *st : block->body())
        if (!isa<NullStmt>(st))
          last = st;
    }
    if (const IfStmt *t = top ? nullptr : exit_test(first))
      top = t->getCond(), top_at = t->getIfLoc();
    const IfStmt *bottom = increment ? nullptr : exit_test(last);
    if (bottom)
      return bottom->getIfLoc();
    return top && only_tests(top) ? top_at : keyword;
  }

  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; } /* local classes' methods */
  bool TraverseIfStmt(IfStmt *s) {
    bool v;
    if (!s->isConsteval() && constant(s->getCond(), ctx, &v)) {
      Stmt *run = v ? s->getThen() : s->getElse(), *dead = v ? s->getElse() : s->getThen();
      if (!holds_label(dead)) /* clang emits only the arm that runs */
        return (!s->getInit() || TraverseStmt(s->getInit())) && (!run || TraverseStmt(run));
    }
    if (auto *g = dyn_cast_or_null<GotoStmt>(s->getThen()))
      goto_tests[g] = s->getIfLoc();
    return RecursiveASTVisitor::TraverseIfStmt(s);
  }
  bool TraverseForStmt(ForStmt *s) {
    add(place_of(s->getCond(), s->getBody(), s->getInc(), s->getForLoc()));
    return RecursiveASTVisitor::TraverseForStmt(s);
  }
  bool TraverseWhileStmt(WhileStmt *s) {
    add(place_of(s->getCond(), s->getBody(), false, s->getWhileLoc()));
    return RecursiveASTVisitor::TraverseWhileStmt(s);
  }
  bool TraverseDoStmt(DoStmt *s) {
    bool v = true; /* do ... while (0) has no back edge */
    if (!constant(s->getCond(), ctx, &v) || v)
      add(s->getWhileLoc());
    return RecursiveASTVisitor::TraverseDoStmt(s);
  }
  bool VisitLabelStmt(LabelStmt *s) {
    labels[s->getDecl()] = loops.size();
    add(s->getIdentLoc());
    unused.back() = true;
    return true;
  }
  bool VisitGotoStmt(GotoStmt *g) { /* back to a label seen: a loop there */
    auto it = labels.find(g->getLabel());
    if (it == labels.end())
      return true;
    auto test = goto_tests.find(g);
    add(test != goto_tests.end() ? test->second : g->getGotoLoc());
    loops[it->second] = loops.back(), unused[it->second] = false;
    loops.pop_back(), unused.pop_back();
    return true;
  }
};

/* What IR does not say about each function definition, by symbol: the
 * no_instrument_function attribute (clang keeps it out of IR), and where
 * the function and its loops are (IR without -g has no locations). */
struct function_visitor : RecursiveASTVisitor<function_visitor> {
  ASTContext &ctx;
  ASTNameGenerator names;
  config &out;
  function_visitor(ASTContext &c, config &o) : ctx(c), names(c), out(o) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }
  bool VisitFunctionDecl(FunctionDecl *fd) {
    if (fd->isTemplated() ||
        (!fd->isThisDeclarationADefinition() && !fd->hasAttr<NoInstrumentFunctionAttr>()))
      return true;
    std::vector<std::string> symbols = names.getAllManglings(fd);
    symbols.push_back(names.getName(fd));
    PresumedLoc loc = ctx.getSourceManager().getPresumedLoc(fd->getLocation());
    std::vector<config::loop_place> loops;
    if (fd->isThisDeclarationADefinition() && fd->getBody()) {
      loop_collector lc(ctx);
      lc.TraverseStmt(fd->getBody());
      loops = lc.result();
    }
    for (std::string &s : symbols) {
      std::string sym = StringRef(s).ltrim('\1').str();
      if (fd->hasAttr<NoInstrumentFunctionAttr>())
        out.no_instrument.insert(sym);
      if (loc.isValid() && fd->isThisDeclarationADefinition())
        out.places[sym] = {fd->getQualifiedNameAsString(), loc.getFilename(), loc.getLine(), loops};
    }
    return true;
  }
};

struct collector : ASTConsumer {
  /* Runs before code generation's own HandleTranslationUnit, which builds
   * the module and runs the passes. */
  void HandleTranslationUnit(ASTContext &ctx) override {
    function_visitor v(ctx, get_config());
    v.TraverseDecl(ctx.getTranslationUnitDecl());
  }
};

/* A policy diagnostic "FILE:LINE:COL: error: MSG" becomes clang's own, at
 * that place of the policy file (so it prints the same line, then the
 * source line and a caret); "FILE: error: MSG" has no place. */
void report_policy_error(const CompilerInstance &ci, StringRef err) {
  DiagnosticsEngine &diags = ci.getDiagnostics();
  size_t at = err.find(": error: ");
  StringRef head = err.substr(0, at), msg = at == StringRef::npos ? err : err.substr(at + 9);
  unsigned line = 0, col = 0;
  StringRef rest = head, col_s, line_s;
  std::tie(rest, col_s) = rest.rsplit(':');
  std::tie(rest, line_s) = rest.rsplit(':');
  SourceLocation loc;
  if (!line_s.getAsInteger(10, line) && !col_s.getAsInteger(10, col) && line && col) {
    if (auto file = ci.getFileManager().getFile(rest)) {
      SourceManager &sm = ci.getSourceManager();
      loc = sm.translateLineCol(sm.getOrCreateFileID(*file, SrcMgr::C_User), line, col);
    }
  }
  if (loc.isValid()) {
    diags.Report(loc, diags.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << msg;
  } else {
    diags.Report(diags.getCustomDiagID(DiagnosticsEngine::Error, "%0: %1"))
        << (at == StringRef::npos ? "autoprof" : head) << msg;
  }
}

class action : public PluginASTAction {
protected:
  bool ParseArgs(const CompilerInstance &ci, const std::vector<std::string> &args) override {
    DiagnosticsEngine &diags = ci.getDiagnostics();
    std::string policy_file;
    bool verbose = false, verify = false;
    for (const std::string &arg : args) {
      StringRef a(arg);
      if (a.startswith("llvm-policy=") && a.size() > 12) {
        policy_file = a.substr(12).str();
      } else if (a == "llvm-verbose") {
        verbose = true;
      } else if (a == "llvm-verify") { /* tests: run the IR verifier after each pass */
        verify = true;
      } else {
        diags.Report(diags.getCustomDiagID(
            DiagnosticsEngine::Error,
            "unknown option '%0' (autoprof takes %1policy=FILE and %1verbose)"))
            << (flag_prefix + arg) << (Twine(flag_prefix) + "llvm-").str();
        return false;
      }
    }
    struct ap_policy *policy = nullptr;
    if (!policy_file.empty()) {
      char err[1024];
      policy = ap_policy_load_file(policy_file.c_str(), err, sizeof err);
      if (!policy) {
        report_policy_error(ci, err);
        return false;
      }
    } else {
      policy = ap_policy_default();
    }
    set_frontend_config(policy, verbose, verify);
    return true;
  }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &ci, StringRef file) override {
    CodeGenOptions &cg = ci.getCodeGenOpts();
    /* Run our passes: clang reads PassPlugins when it builds the pipeline,
     * after this.  Once only, also with -fpass-plugin= naming this file. */
    std::string self = own_path();
    bool listed = self.empty();
    for (const std::string &p : cg.PassPlugins)
      listed |= same_file(p, self);
    if (!listed)
      cg.PassPlugins.push_back(self);
    get_config().unit = file.str();
    return std::make_unique<collector>();
  }

  ActionType getActionType() override { return AddBeforeMainAction; }
};

FrontendPluginRegistry::Add<action> registration("autoprof", "autoprof: function and loop probes");

} // namespace
} // namespace ap_llvm
