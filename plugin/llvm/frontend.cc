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

/* What IR does not say about each function definition, by symbol: the
 * no_instrument_function attribute (clang keeps it out of IR), and where
 * the function is (IR without -g has no locations). */
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
    for (std::string &s : symbols) {
      std::string sym = StringRef(s).ltrim('\1').str();
      if (fd->hasAttr<NoInstrumentFunctionAttr>())
        out.no_instrument.insert(sym);
      if (loc.isValid() && fd->isThisDeclarationADefinition())
        out.places[sym] = {fd->getQualifiedNameAsString(), loc.getFilename(), loc.getLine()};
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
