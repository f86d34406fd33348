/* bench/real: a runtime that does nothing, linked instead of libautoprof to
 * the default policy's objects ("autoprof, default code only").  What that
 * build costs over the uninstrumented one is the instrumented code itself:
 * the probe calls and their arguments, the loop counters and the inline
 * loop records, the registers they take — the floor no runtime work can go
 * below.  The runtime's own share is the default build's ratio minus this.
 *
 * Every entry point of abi.h returns at once, as cheaply as it can while
 * keeping the instrumented code on its usual fast paths: a function probe
 * asks for no frame (so the exit probe of a function that may skip it is
 * skipped, as for a sampled leaf); inline loop records find their slot (all
 * slots share one scratch record: single-threaded programs only); a timed
 * loop's start is taken inline with its entry untimed, as adaptive timing
 * does for short loops.  Not a profiler: it writes nothing. */
#include <stdint.h>

#include "autoprof/abi.h"

const int AP_ABI_GUARD = AP_ABI_VERSION;

/* one scratch record (slot 1) for every loop */
static _Alignas(64) char scratch[2 * AP_LOOP_COUNTS_STRIDE];
#define SLOT1 ((struct ap_loop_counts *)(void *)(scratch + AP_LOOP_COUNTS_STRIDE))

__thread struct ap_loop_tls __autoprof_loop_tls
    __attribute__((tls_model("initial-exec"))) = {scratch, 1, 0, 0};

/* every loop gets slot 1 (function sites keep 0: their probes ignore it) */
void __autoprof_register(struct ap_module *module) {
  for (struct ap_loop_site *l = module->loops_begin; l && l < module->loops_end; l++)
    l->slot = 1;
}

void __autoprof_enter(struct ap_func_site *site) {
  (void)site;
}

int __autoprof_enter_cond(struct ap_func_site *site) {
  (void)site;
  return 0;
}

void __autoprof_exit(struct ap_func_site *site) {
  (void)site;
}

void __autoprof_part_call(struct ap_func_site *header) {
  (void)header;
}

void __autoprof_setjmp_return(uint32_t *mark) {
  (void)mark;
}

void __autoprof_memo(struct ap_func_site *site, uint64_t args, uint64_t result) {
  (void)site, (void)args, (void)result;
}

void __autoprof_call_begin(struct ap_call_site *site) {
  (void)site;
}

void __autoprof_call_site(struct ap_call_site *site, uint64_t args, uint64_t result) {
  (void)site, (void)args, (void)result;
}

void __autoprof_loop(struct ap_loop_site *site, uint64_t iterations) {
  (void)site, (void)iterations;
}

/* reached when the inline countdown ran out (or the start is a call): the
 * next 65,535 entries are taken inline again, untimed */
void __autoprof_loop_start(struct ap_loop_site *site, struct ap_loop_stamp *stamp) {
  (void)site;
  SLOT1->skip = UINT16_MAX;
  stamp->pairs = UINT64_MAX;
}

void __autoprof_loop_nest(struct ap_loop_site *site, uint64_t entries, uint64_t iterations,
                          uint64_t min_minus_1, uint64_t max, uint64_t zero_trip) {
  (void)site, (void)entries, (void)iterations, (void)min_minus_1, (void)max, (void)zero_trip;
}

void __autoprof_loop_nests(struct ap_loop_site *const *sites, const uint64_t *acc, uint32_t n) {
  (void)sites, (void)acc, (void)n;
}

void __autoprof_loop_timed(struct ap_loop_site *site, uint64_t iterations,
                           const struct ap_loop_stamp *stamp) {
  (void)site, (void)iterations, (void)stamp;
}
