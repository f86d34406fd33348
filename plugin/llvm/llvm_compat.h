/* The only file of the LLVM plugin that includes LLVM and clang internals,
 * and the only place version differences live.  Built and tested against
 * LLVM/clang 14 (Debian's llvm-14-dev, libclang-14-dev); the new pass
 * manager and PassPlugin API it uses exist in 13 and later. */
#ifndef AUTOPROF_LLVM_COMPAT_H
#define AUTOPROF_LLVM_COMPAT_H

#include "llvm/Config/llvm-config.h"
#if LLVM_VERSION_MAJOR < 13
#error "autoprof-llvm needs LLVM 13 or later (the new pass manager's plugin API)"
#endif

#include "llvm/ADT/Any.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/DomTreeUpdater.h"
#include "llvm/Analysis/LazyCallGraph.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/BuildLibCalls.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"
#include "llvm/Transforms/Utils/ScalarEvolutionExpander.h"

#ifdef AP_LLVM_WITH_CLANG /* the frontend action only */
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/CodeGenOptions.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#endif

namespace ap_llvm {
using namespace llvm;

/* Pointers: LLVM 14 still has typed pointers; every probe argument and
 * record field is an i8* (an opaque `ptr` from LLVM 15 on). */
inline PointerType *bytes_ptr(LLVMContext &ctx) {
  return Type::getInt8PtrTy(ctx);
}

/* LLVM 14 spells the SCEV expander's safety check with the expander-free
 * signature; later versions moved it into SCEVExpander. */
inline bool safe_to_expand_at(const SCEV *s, const Instruction *at, ScalarEvolution &se) {
#if LLVM_VERSION_MAJOR >= 16
  SCEVExpander exp(se, at->getModule()->getDataLayout(), "autoprof");
  return exp.isSafeToExpandAt(s, at);
#else
  return isSafeToExpandAt(s, at, se);
#endif
}
} // namespace ap_llvm

#endif
