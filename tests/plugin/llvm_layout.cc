// The LLVM plugin's record types (plugin/llvm/sites.cc) against abi.h: for
// the x86-64 and AArch64 data layouts, every field offset and the size of
// ap_func_site, ap_loop_site and ap_module must be the C header's.  Fails if
// either side changes without the other.
#include "autoprof_llvm.h"

#include <cstdio>

using namespace ap_llvm;

int main() {
  LLVMContext ctx;
  const char *layouts[] = {
      "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128", // x86_64
      "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128",                    // aarch64
  };
  int failures = 0;
  for (const char *l : layouts) {
    DataLayout dl(l);
    if (!records_match_abi(dl, ctx)) {
      std::printf("FAIL: the LLVM plugin's records disagree with abi.h for %s\n", l);
      failures++;
    }
  }
  // the check itself can fail: a record with one field too many
  StructType *wrong = StructType::create(ctx, {func_site_type(ctx), Type::getInt32Ty(ctx)});
  if (DataLayout(layouts[0]).getTypeAllocSize(wrong) == sizeof(struct ap_func_site)) {
    std::printf("FAIL: a wrong record looks right\n");
    failures++;
  }
  if (func_site_type(ctx)->getNumElements() != 8 || loop_site_type(ctx)->getNumElements() != 8 ||
      module_type(ctx)->getNumElements() != 17) {
    std::printf("FAIL: field counts differ from abi.h\n");
    failures++;
  }
  if (failures)
    return 1;
  std::printf("llvm records match abi.h\n");
  return 0;
}
