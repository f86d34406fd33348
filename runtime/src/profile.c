/* Building and freeing the profile model (profile.h), and the names used by
 * every writer and reader. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "autoprof/abi.h"

/* Grows an array to hold one more element; -1 without memory. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem) {
  if (n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : 16;
  void *q = realloc(*arr, ncap * elem);
  if (!q)
    return -1;
  *arr = q;
  *cap = ncap;
  return 0;
}

#define GROW(p, field)                                                                             \
  grow((void **)&(p)->field, &(p)->cap_##field, (p)->n##field, sizeof(*(p)->field))

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

int ap_profile_set_str(char **dst, const char *s) {
  char *c = dup_or_null(s);
  if (s && !c)
    return -1;
  free(*dst);
  *dst = c;
  return 0;
}

void ap_hint_params_default(struct ap_hint_params *params) {
  params->hot_function_share = 0.05;
  params->hot_path_share = 0.10;
  params->hot_path_concentration = 0.5;
  params->hot_loop_share = 0.05;
  params->memo_min_repeat_rate = 0.5;
  params->inline_min_calls = 10000;
  params->inline_min_overhead = 0.25;
  params->inline_min_share = 0.01;
  params->loop_min_iterations = 1000;
  params->loop_min_share = 0.01;
  params->loop_tiny_max_trip = 4;
  params->loop_tiny_min_entries = 10000;
  params->loop_quadratic_min_n = 16;
  params->loop_quadratic_tolerance = 0.25;
  params->loop_calls_share = 0.5;
  params->memo_min_calls = 1000;
  params->memo_min_share = 0.01;
  params->hoist_min_same = 0.9;
}

struct ap_profile *ap_profile_new(void) {
  struct ap_profile *p = calloc(1, sizeof *p);
  return p;
}

static void free_hint(struct ap_prof_hint *h) {
  free(h->function);
  free(h->file);
  free(h->message);
  free(h->evidence);
}

void ap_profile_clear_hints(struct ap_profile *p) {
  for (size_t i = 0; i < p->nhints; i++)
    free_hint(&p->hints[i]);
  p->nhints = 0;
}

void ap_profile_remove_hint(struct ap_profile *p, size_t i) {
  if (i >= p->nhints)
    return;
  free_hint(&p->hints[i]);
  memmove(&p->hints[i], &p->hints[i + 1], (p->nhints - i - 1) * sizeof *p->hints);
  p->nhints--;
}

int ap_profile_priced_by_kind(const struct ap_profile *p) {
  return p->calibration_ns[AP_CAL_TIMED] > 0 && p->calibration_ns[AP_CAL_UNTIMED] > 0;
}

void ap_profile_free(struct ap_profile *p) {
  if (!p)
    return;
  free(p->program);
  free(p->clock_source);
  free(p->policy_file);
  free(p->compiler);
  for (size_t i = 0; i < p->nfunctions; i++) {
    struct ap_prof_func *f = &p->functions[i];
    free(f->name);
    free(f->file);
    for (size_t j = 0; j < f->nsymbols; j++)
      free(f->symbols[j]);
    free(f->symbols);
  }
  for (size_t i = 0; i < p->nloops; i++) {
    free(p->loops[i].function);
    free(p->loops[i].origin_function);
    free(p->loops[i].top_callee);
    free(p->loops[i].file);
  }
  for (size_t i = 0; i < p->ncallsites; i++) {
    free(p->callsites[i].callee);
    free(p->callsites[i].function);
    free(p->callsites[i].file);
  }
  free(p->callsites);
  for (size_t i = 0; i < p->nmemo; i++) {
    free(p->memo[i].function);
    free(p->memo[i].file);
  }
  ap_profile_clear_hints(p);
  free(p->threads);
  free(p->functions);
  free(p->loops);
  free(p->nodes);
  free(p->memo);
  free(p->hints);
  free(p);
}

long ap_profile_add_function(struct ap_profile *p, const char *name, const char *file,
                             uint32_t line) {
  if (GROW(p, functions))
    return -1;
  struct ap_prof_func *f = &p->functions[p->nfunctions];
  memset(f, 0, sizeof *f);
  f->name = strdup(name ? name : "");
  f->file = strdup(file ? file : "");
  if (!f->name || !f->file) {
    free(f->name);
    free(f->file);
    return -1;
  }
  f->line = line;
  return (long)p->nfunctions++;
}

int ap_profile_add_symbol(struct ap_profile *p, size_t func, const char *symbol) {
  struct ap_prof_func *f = &p->functions[func];
  for (size_t i = 0; i < f->nsymbols; i++)
    if (strcmp(f->symbols[i], symbol) == 0)
      return 0;
  char **q = realloc(f->symbols, (f->nsymbols + 1) * sizeof *q);
  if (!q)
    return -1;
  f->symbols = q;
  if (!(q[f->nsymbols] = strdup(symbol)))
    return -1;
  f->nsymbols++;
  return 0;
}

long ap_profile_add_node(struct ap_profile *p, int64_t parent, uint32_t func, uint64_t calls,
                         uint64_t incl_ns, uint64_t excl_ns) {
  if (GROW(p, nodes))
    return -1;
  struct ap_prof_node *n = &p->nodes[p->nnodes];
  n->parent = parent;
  n->func = func;
  n->calls = calls;
  n->incl_ns = incl_ns;
  n->excl_ns = excl_ns;
  return (long)p->nnodes++;
}

long ap_profile_add_loop(struct ap_profile *p, const char *function, const char *file,
                         uint32_t line, uint32_t depth) {
  if (GROW(p, loops))
    return -1;
  struct ap_prof_loop *l = &p->loops[p->nloops];
  memset(l, 0, sizeof *l);
  l->function = strdup(function ? function : "");
  l->file = strdup(file ? file : "");
  if (!l->function || !l->file) {
    free(l->function);
    free(l->file);
    return -1;
  }
  l->line = line;
  l->depth = depth;
  l->parent = -1;
  return (long)p->nloops++;
}

long ap_profile_add_callsite(struct ap_profile *p, const char *callee, const char *function,
                             const char *file, uint32_t line, uint32_t loop_line) {
  if (GROW(p, callsites))
    return -1;
  struct ap_prof_callsite *c = &p->callsites[p->ncallsites];
  memset(c, 0, sizeof *c);
  c->callee = strdup(callee ? callee : "");
  c->function = strdup(function ? function : "");
  c->file = strdup(file ? file : "");
  if (!c->callee || !c->function || !c->file) {
    free(c->callee);
    free(c->function);
    free(c->file);
    return -1;
  }
  c->line = line;
  c->loop_line = loop_line;
  return (long)p->ncallsites++;
}

long ap_profile_add_memo(struct ap_profile *p, const char *function, uint64_t calls,
                         double repeat_rate) {
  if (GROW(p, memo))
    return -1;
  struct ap_prof_memo *m = &p->memo[p->nmemo];
  memset(m, 0, sizeof *m);
  if (!(m->function = strdup(function ? function : "")))
    return -1;
  m->calls = calls;
  m->repeat_rate = repeat_rate;
  return (long)p->nmemo++;
}

long ap_profile_add_thread(struct ap_profile *p, uint32_t index, uint64_t tid, uint64_t calls,
                           uint64_t root_ns) {
  if (GROW(p, threads))
    return -1;
  struct ap_prof_thread *t = &p->threads[p->nthreads];
  t->index = index;
  t->tid = tid;
  t->calls = calls;
  t->root_ns = root_ns;
  t->threads = 1;
  return (long)p->nthreads++;
}

uint64_t ap_profile_thread_count(const struct ap_profile *p) {
  uint64_t n = 0;
  for (size_t i = 0; i < p->nthreads; i++)
    n += p->threads[i].threads ? p->threads[i].threads : 1;
  return n;
}

long ap_profile_add_hint(struct ap_profile *p, enum ap_hint_kind kind, const char *function,
                         const char *file, uint32_t line, const char *message,
                         uint64_t savings_ns) {
  if (GROW(p, hints))
    return -1;
  struct ap_prof_hint *h = &p->hints[p->nhints];
  memset(h, 0, sizeof *h);
  h->kind = kind;
  h->function = strdup(function ? function : "");
  h->file = strdup(file ? file : "");
  h->message = strdup(message ? message : "");
  h->line = line;
  h->savings_ns = savings_ns;
  if (!h->function || !h->file || !h->message) {
    free_hint(h);
    return -1;
  }
  return (long)p->nhints++;
}

int ap_hint_add_evidence(struct ap_prof_hint *h, const char *key, double value) {
  struct ap_evidence *q = realloc(h->evidence, (h->nevidence + 1) * sizeof *q);
  if (!q)
    return -1;
  h->evidence = q;
  struct ap_evidence *e = &q[h->nevidence++];
  snprintf(e->key, sizeof e->key, "%s", key);
  e->value = value;
  return 0;
}

/* lz4's LZ4HC_countPattern read 86.67 % of its calls repeating beside a
 * 4096-entry cache answering 88.22 % of them (helper-22). */
void ap_memo_bound_distinct(struct ap_prof_memo *m) {
  uint64_t most = m->cache_hits[AP_MEMO_CACHES - 1];
  if (most < m->calls && m->distinct > m->calls - most) {
    m->distinct = m->calls - most;
    m->repeat_rate = 1.0 - (double)m->distinct / (double)m->calls;
  }
}

const char *const ap_calibration_kinds[AP_NCALIBRATION] = {
    "self",        "sampled_self", "timed",        "sampled_timed", "untimed",
    "frameless",   "timed_loop",   "untimed_loop", "inline_loop",   "loop_self",
    "inline_leaf", "leaf_run",     "call_loop",    "call_site"};

static const char *const hint_names[AP_HINT_KIND_COUNT] = {
    [AP_HINT_HOT_FUNCTION] = "hot-function",
    [AP_HINT_HOT_PATH] = "hot-path",
    [AP_HINT_HOT_LOOP] = "hot-loop",
    [AP_HINT_MEMOIZE] = "memoize",
    [AP_HINT_INLINE] = "inline",
    [AP_HINT_HOIST] = "hoist",
};

const char *ap_hint_kind_name(enum ap_hint_kind kind) {
  return (unsigned)kind < AP_HINT_KIND_COUNT ? hint_names[kind] : "unknown";
}

int ap_hint_kind_from_name(const char *name) {
  for (int i = 0; i < AP_HINT_KIND_COUNT; i++)
    if (strcmp(hint_names[i], name) == 0)
      return i;
  return -1;
}

static const struct {
  uint32_t bit;
  const char *name;
} flag_names[] = {
    {AP_FUNC_CONST, "const"},   {AP_FUNC_PURE, "pure"},           {AP_FUNC_MEMO, "memo"},
    {AP_FUNC_CLONE, "clone"},   {AP_FUNC_PART, "part"},           {AP_FUNC_TAILCALL, "tailcall"},
    {AP_FUNC_ALWAYS, "always"}, {AP_FUNC_MAIN, "main"},           {AP_FUNC_NO_DEBUG, "no-debug"},
    {AP_FUNC_LEAF, "leaf"},     {AP_FUNC_ADDRESSED, "addressed"},
};

const char *ap_func_flag_name(uint32_t bit) {
  for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
    if (flag_names[i].bit == bit)
      return flag_names[i].name;
  return NULL;
}

uint32_t ap_func_flag_from_name(const char *name) {
  for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
    if (strcmp(flag_names[i].name, name) == 0)
      return flag_names[i].bit;
  return 0;
}

char *ap_fmt_count(char *buf, uint64_t n) {
  char tmp[32];
  int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
  char *o = buf;
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0)
      *o++ = ',';
    *o++ = tmp[i];
  }
  *o = 0;
  return buf;
}

char *ap_fmt_ns(char *buf, double ns) {
  if (ns >= 1e9)
    snprintf(buf, 32, "%.2f s", ns / 1e9);
  else if (ns >= 1e6)
    snprintf(buf, 32, "%.1f ms", ns / 1e6);
  else if (ns >= 1e4)
    snprintf(buf, 32, "%.1f us", ns / 1e3);
  else if (ns >= 10 || ns == 0)
    snprintf(buf, 32, "%.0f ns", ns);
  else
    snprintf(buf, 32, "%.1f ns", ns);
  return buf;
}
