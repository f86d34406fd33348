/* The only includer of GCC internals in autoprof (the Linux gcc-plugins
 * pattern): every GCC version difference lives here. */
#ifndef AUTOPROF_GCC_COMMON_H
#define AUTOPROF_GCC_COMMON_H

/* GCC's headers must come in this order: */
/* clang-format off */
#include "gcc-plugin.h"

#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "tree.h"
#include "gimple.h"
#include "tree-pass.h"
#include "ssa.h"
#include "cgraph.h"
#include "context.h"
#include "function.h"
#include "basic-block.h"
#include "gimple-iterator.h"
#include "tree-cfg.h"
#include "stringpool.h"
#include "attribs.h"
#include "stor-layout.h"
#include "varasm.h"
#include "langhooks.h"
#include "diagnostic-core.h"
#include "calls.h"
#include "cfgloop.h"
#include "tree-into-ssa.h"
#include "tree-ssa.h"
#include "tree-dfa.h"
#include "tree-ssa-loop.h"
#include "tree-ssa-loop-niter.h"
#include "tree-ssa-loop-manip.h"
#include "cfghooks.h"
#include "gimple-pretty-print.h"
#include "options.h"
#include "target.h" /* targetm.have_tls */
#include "tree-vectorizer.h" /* find_loop_location: the loop line -fopt-info reports */
/* clang-format on */

#include "bversion.h"
#if BUILDING_GCC_MAJOR < 10
#error "autoprof needs GCC 10 or newer"
#endif

/* ENTRY/EXIT block accessors, stable since GCC 4.9. */
#define AP_ENTRY_BB ENTRY_BLOCK_PTR_FOR_FN(cfun)
#define AP_EXIT_BB EXIT_BLOCK_PTR_FOR_FN(cfun)

#endif
