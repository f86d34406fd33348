/* The descriptors the GCC plugin (or, built by clang, the LLVM plugin) emits must match
 * autoprof/abi.h field by field.  This program is compiled with the plugin but linked WITHOUT the
 * runtime: it provides the entry points itself and checks what it gets. */
#include "autoprof/abi.h"
#include <stdio.h>
#include <string.h>

const int __autoprof_abi_v2 = AP_ABI_VERSION;
/* no counters (lim 0): every inline loop record takes its slow path, the
 * calls below */
__thread struct ap_loop_tls __autoprof_loop_tls;
static struct ap_module *seen_module;
static struct ap_func_site *entered[8];
static int n_entered, n_exited, failures;

__attribute__((no_instrument_function)) void __autoprof_register(struct ap_module *m) {
  seen_module = m;
}
__attribute__((no_instrument_function)) void __autoprof_enter(struct ap_func_site *s) {
  if (n_entered < 8)
    entered[n_entered] = s;
  n_entered++;
}
/* the GCC plugin's entry probe: its exits run only when it returns non-zero */
__attribute__((no_instrument_function)) int __autoprof_enter_cond(struct ap_func_site *s) {
  __autoprof_enter(s);
  return 1;
}
__attribute__((no_instrument_function)) void __autoprof_exit(struct ap_func_site *s) {
  n_exited++;
}
static struct ap_loop_site *loop_seen;
static uint64_t loop_iterations, loop_calls;
__attribute__((no_instrument_function)) void __autoprof_loop(struct ap_loop_site *l, uint64_t n) {
  loop_seen = l;
  loop_iterations += n;
  loop_calls++;
}
static struct ap_loop_site *loop_started;
__attribute__((no_instrument_function)) void __autoprof_loop_start(struct ap_loop_site *l,
                                                                   struct ap_loop_stamp *st) {
  loop_started = l;
  st->ticks = 1000;
  st->pairs = 7;
  st->depth = 9;
}
__attribute__((no_instrument_function)) void
__autoprof_loop_timed(struct ap_loop_site *l, uint64_t n, const struct ap_loop_stamp *st) {
  /* the stamp filled at the start comes back, for the same loop */
  if (st->ticks == 1000 && st->pairs == 7 && st->depth == 9 && l == loop_started)
    __autoprof_loop(l, n);
}

#define EXPECT(c)                                                                                  \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "abi_layout.c:%d: %s\n", __LINE__, #c);                                      \
      failures++;                                                                                  \
    }                                                                                              \
  } while (0)

volatile int sink;
static const int probe_line = __LINE__ + 1;
__attribute__((noinline)) int probe_me(int x) {
  for (int i = 0; i < x; i++) /* the loop's line: probe_line + 1 */
    sink += i;
  return sink;
}

__attribute__((no_instrument_function)) int main(void) {
  int line = probe_line;
  probe_me(3);
  EXPECT(n_entered == 1 && n_exited == 1);
  struct ap_func_site *s = entered[0];
  EXPECT(s != NULL);
  if (!s)
    return 1;
  EXPECT(strcmp(s->name, "probe_me") == 0);
  EXPECT(strstr(s->file, "abi_layout.c") != NULL);
  EXPECT(s->line == (uint32_t)line);
  EXPECT(s->slot == 0);
  EXPECT(s->size > 0);
  EXPECT(strcmp(s->symbol, "probe_me") == 0);
  EXPECT(s->arg_kinds == 0);
  EXPECT((s->flags & (AP_FUNC_MAIN | AP_FUNC_CLONE | AP_FUNC_PART)) == 0);
  struct ap_module *m = seen_module;
  EXPECT(m != NULL);
  if (!m)
    return 1;
  EXPECT(m->abi_version == AP_ABI_VERSION);
  EXPECT(m->abi_guard == &__autoprof_abi_v2);
  EXPECT(m->funcs_begin != NULL && m->funcs_begin <= s && s < m->funcs_end);
  EXPECT((m->funcs_end - m->funcs_begin) == 1); /* main is no_instrument_function */
  /* the loop: one record, timed (outermost), counted once with 3 iterations */
  EXPECT(m->loops_end - m->loops_begin == 1);
  struct ap_loop_site *l = loop_seen;
  EXPECT(l != NULL && l == m->loops_begin);
  EXPECT(loop_calls == 1 && loop_iterations == 3);
  if (l) {
    EXPECT(l->line == (uint32_t)line + 1);
    EXPECT(strstr(l->file, "abi_layout.c") != NULL);
    EXPECT(l->slot == 0);
    EXPECT(l->depth == 1);
    EXPECT(l->flags == AP_LOOP_TIMED);
    EXPECT(l->func == s);
    EXPECT(strcmp(l->origin_function, "probe_me") == 0);
    EXPECT(l->parent == NULL);
  }
  EXPECT(strstr(m->source, "abi_layout.c") != NULL);
#ifdef __clang__
  EXPECT(strncmp(m->compiler, "clang ", 6) == 0);
#else
  EXPECT(strncmp(m->compiler, "gcc ", 4) == 0);
#endif
  EXPECT(strstr(m->policy_file, "min0.yaml") != NULL);
  EXPECT(m->policy_digest != 0);
  EXPECT(m->report_output && strcmp(m->report_output, "autoprof.%n.%p") == 0);
  EXPECT(m->report_formats == (AP_FORMAT_JSON | AP_FORMAT_TEXT));
  EXPECT(m->report_top == 20);
  EXPECT(m->hot_function_ppm == 50000);
  EXPECT(m->memo_min_repeat_ppm == 500000);
  EXPECT(m->next == NULL);
  if (failures)
    return 1;
  printf("abi layout ok\n");
  return 0;
}
