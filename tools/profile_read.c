/* The profile JSON reader (profile_read.h), on jansson.  One function per
 * section of the file, in the order the writer (runtime/src/report_json.c)
 * emits them; every field goes through one typed accessor that names the
 * field's JSON path when it has the wrong type. */
#include "profile_read.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this a "threads" count without a thread_list is damage, not data:
 * it would only make us allocate gigabytes of empty threads. */
#define MAX_SYNTH_THREADS 1000000

struct rd {
  const char *name; /* the file, for diagnostics */
  struct ap_read_error *err;
  char where[96]; /* JSON path of the current element: "functions[3]" */
  struct ap_profile *p;
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct rd *r, const char *fmt, ...) {
  char text[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  snprintf(r->err->msg, sizeof r->err->msg, "%s: error: %s", r->name, text);
  return -1;
}

static int no_memory(struct rd *r) {
  return fail(r, "out of memory while reading the profile");
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
    return "true";
  case JSON_FALSE:
    return "false";
  default:
    return "null";
  }
}

/* "functions[3].calls", or "calls" at the top level. */
static const char *path_of(struct rd *r, const char *key, char *buf, size_t len) {
  snprintf(buf, len, "%s%s%s", r->where, r->where[0] ? "." : "", key);
  return buf;
}

static int wrong_type(struct rd *r, const char *key, const char *want, const json_t *v) {
  char path[160];
  return fail(r, "%s: expected %s, got %s", path_of(r, key, path, sizeof path), want, type_name(v));
}

/* The member key of obj; NULL (and 0 returned) when absent or null and not
 * required; -1 when a required one is missing. */
static int member(struct rd *r, json_t *obj, const char *key, int required, json_t **out) {
  json_t *v = json_object_get(obj, key);
  *out = v && !json_is_null(v) ? v : NULL;
  if (!*out && required) {
    if (r->where[0])
      return fail(r, "%s: missing \"%s\"", r->where, key);
    return fail(r, "missing \"%s\": the profile is incomplete", key);
  }
  return 0;
}

static int get_u64(struct rd *r, json_t *obj, const char *key, int required, uint64_t *out) {
  json_t *v;
  if (member(r, obj, key, required, &v))
    return -1;
  if (!v)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return json_is_integer(v) ? wrong_type(r, key, "a non-negative integer", v)
                              : wrong_type(r, key, "an integer", v);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

static int get_u32(struct rd *r, json_t *obj, const char *key, int required, uint32_t *out) {
  uint64_t v = *out;
  if (get_u64(r, obj, key, required, &v))
    return -1;
  if (v > UINT32_MAX) {
    char path[160];
    return fail(r, "%s: %" PRIu64 " is out of range", path_of(r, key, path, sizeof path), v);
  }
  *out = (uint32_t)v;
  return 0;
}

static int get_i64(struct rd *r, json_t *obj, const char *key, int required, int64_t *out) {
  json_t *v;
  if (member(r, obj, key, required, &v))
    return -1;
  if (!v)
    return 0;
  if (!json_is_integer(v))
    return wrong_type(r, key, "an integer", v);
  *out = json_integer_value(v);
  return 0;
}

/* A finite, non-negative number (integer or real). */
static int get_num(struct rd *r, json_t *obj, const char *key, int required, double *out) {
  json_t *v;
  if (member(r, obj, key, required, &v))
    return -1;
  if (!v)
    return 0;
  if (!json_is_number(v))
    return wrong_type(r, key, "a number", v);
  double d = json_number_value(v);
  if (!isfinite(d) || d < 0)
    return wrong_type(r, key, "a non-negative number", v);
  *out = d;
  return 0;
}

static int get_bool(struct rd *r, json_t *obj, const char *key, int *out) {
  json_t *v;
  if (member(r, obj, key, 0, &v))
    return -1;
  if (!v)
    return 0;
  if (!json_is_boolean(v))
    return wrong_type(r, key, "true or false", v);
  *out = json_is_true(v);
  return 0;
}

/* *out points into the JSON document (or stays as it was when absent). */
static int get_str(struct rd *r, json_t *obj, const char *key, int required, const char **out) {
  json_t *v;
  if (member(r, obj, key, required, &v))
    return -1;
  if (!v)
    return 0;
  if (!json_is_string(v))
    return wrong_type(r, key, "a string", v);
  *out = json_string_value(v);
  return 0;
}

static int get_array(struct rd *r, json_t *obj, const char *key, int required, json_t **out) {
  if (member(r, obj, key, required, out))
    return -1;
  if (*out && !json_is_array(*out))
    return wrong_type(r, key, "an array", *out);
  return 0;
}

static int get_object(struct rd *r, json_t *obj, const char *key, json_t **out) {
  if (member(r, obj, key, 0, out))
    return -1;
  if (*out && !json_is_object(*out))
    return wrong_type(r, key, "an object", *out);
  return 0;
}

static int set_str(struct rd *r, char **dst, const char *s) {
  return ap_profile_set_str(dst, s) ? no_memory(r) : 0;
}

/* Enters element i of array `key`: checks it is an object and sets r->where. */
static json_t *element(struct rd *r, json_t *arr, const char *key, size_t i) {
  json_t *e = json_array_get(arr, i);
  snprintf(r->where, sizeof r->where, "%s[%zu]", key, i);
  if (!json_is_object(e)) {
    fail(r, "%s: expected an object, got %s", r->where, type_name(e));
    return NULL;
  }
  return e;
}

static int read_clock_policy(struct rd *r, json_t *root) {
  struct ap_profile *p = r->p;
  json_t *clock, *policy;
  const char *source = NULL, *file = NULL, *digest = NULL;
  if (get_object(r, root, "clock", &clock) || get_object(r, root, "policy", &policy))
    return -1;
  if (clock) {
    strcpy(r->where, "clock");
    if (get_str(r, clock, "source", 0, &source) ||
        get_num(r, clock, "ticks_per_ns", 0, &p->ticks_per_ns))
      return -1;
  }
  if (policy) {
    strcpy(r->where, "policy");
    if (get_str(r, policy, "file", 0, &file) || get_str(r, policy, "digest", 0, &digest) ||
        get_bool(r, policy, "mixed", &p->policy_mixed))
      return -1;
    if (digest) {
      char *end;
      errno = 0;
      p->policy_digest = strtoull(digest, &end, 16);
      if (!*digest || *end || errno)
        return fail(r, "policy.digest: expected 16 hex digits, got \"%.40s\"", digest);
    }
  }
  r->where[0] = 0;
  return set_str(r, &p->clock_source, source) || set_str(r, &p->policy_file, file);
}

static int read_header(struct rd *r, json_t *root) {
  struct ap_profile *p = r->p;
  const char *program = NULL, *compiler = NULL;
  if (get_str(r, root, "program", 1, &program) || get_i64(r, root, "pid", 1, &p->pid) ||
      get_u64(r, root, "wall_ns", 1, &p->wall_ns) ||
      get_num(r, root, "probe_cost_ns", 1, &p->probe_cost_ns) ||
      get_num(r, root, "call_cost_ns", 0, &p->call_cost_ns) ||
      get_bool(r, root, "compensation", &p->compensation) ||
      get_u64(r, root, "compensated_ns", 0, &p->compensated_ns) ||
      get_u64(r, root, "folded_calls", 0, &p->folded_calls) ||
      get_u64(r, root, "cpu_wait_ns", 0, &p->cpu_wait_ns) ||
      get_u64(r, root, "lost_frames", 0, &p->lost_frames) ||
      get_str(r, root, "compiler", 0, &compiler))
    return -1;
  if (set_str(r, &p->program, program) || set_str(r, &p->compiler, compiler))
    return -1;
  /* calibration_ns: optional (older profiles), each kind too; 0 = not measured */
  json_t *cal;
  if (get_object(r, root, "calibration_ns", &cal))
    return -1;
  if (cal) {
    strcpy(r->where, "calibration_ns");
    for (int k = 0; k < AP_NCALIBRATION; k++)
      if (get_num(r, cal, ap_calibration_kinds[k], 0, &p->calibration_ns[k]))
        return -1;
    r->where[0] = 0;
  }
  return read_clock_policy(r, root);
}

/* thread_list when present; otherwise "threads" empty threads, so the count
 * a minimal profile gives still shows in the report. */
static int read_threads(struct rd *r, json_t *root) {
  uint64_t count = 0;
  json_t *list;
  if (get_u64(r, root, "threads", 1, &count) || get_array(r, root, "thread_list", 0, &list))
    return -1;
  if (!list) {
    if (count > MAX_SYNTH_THREADS)
      return fail(r, "threads: %" PRIu64 " threads and no thread_list: the file is damaged", count);
    for (uint64_t i = 0; i < count; i++)
      if (ap_profile_add_thread(r->p, (uint32_t)i, 0, 0, 0) < 0)
        return no_memory(r);
    return 0;
  }
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "thread_list", i);
    uint32_t index = (uint32_t)i;
    uint64_t tid = 0, calls = 0, root_ns = 0, threads = 1;
    if (!e || get_u32(r, e, "index", 0, &index) || get_u64(r, e, "tid", 0, &tid) ||
        get_u64(r, e, "calls", 0, &calls) || get_u64(r, e, "root_ns", 0, &root_ns) ||
        get_u64(r, e, "threads", 0, &threads))
      return -1;
    long ti = ap_profile_add_thread(r->p, index, tid, calls, root_ns);
    if (ti < 0)
      return no_memory(r);
    r->p->threads[ti].threads = threads;
  }
  r->where[0] = 0;
  return 0;
}

/* flags: names of enum ap_func_flags bits; unknown names (a newer writer's)
 * are ignored. symbols: assembler names. */
static int read_flags_symbols(struct rd *r, json_t *e, size_t fi) {
  json_t *flags, *symbols;
  if (get_array(r, e, "flags", 0, &flags) || get_array(r, e, "symbols", 0, &symbols))
    return -1;
  for (size_t j = 0; j < json_array_size(flags); j++) {
    json_t *f = json_array_get(flags, j);
    if (!json_is_string(f))
      return fail(r, "%s.flags[%zu]: expected a string, got %s", r->where, j, type_name(f));
    r->p->functions[fi].flags |= ap_func_flag_from_name(json_string_value(f));
  }
  for (size_t j = 0; j < json_array_size(symbols); j++) {
    json_t *s = json_array_get(symbols, j);
    if (!json_is_string(s))
      return fail(r, "%s.symbols[%zu]: expected a string, got %s", r->where, j, type_name(s));
    if (ap_profile_add_symbol(r->p, fi, json_string_value(s)))
      return no_memory(r);
  }
  return 0;
}

static int read_functions(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "functions", 1, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "functions", i);
    const char *name = NULL, *file = "";
    uint32_t line = 0;
    if (!e || get_str(r, e, "name", 1, &name) || get_str(r, e, "file", 0, &file) ||
        get_u32(r, e, "line", 0, &line))
      return -1;
    long fi = ap_profile_add_function(r->p, name, file, line);
    if (fi < 0)
      return no_memory(r);
    struct ap_prof_func *f = &r->p->functions[fi];
    if (get_u64(r, e, "calls", 1, &f->calls) || get_u64(r, e, "incl_ns", 1, &f->incl_ns) ||
        get_u64(r, e, "excl_ns", 1, &f->excl_ns) || read_flags_symbols(r, e, (size_t)fi))
      return -1;
    /* absent (profiles before adaptive timing): every call was timed */
    f->timed_calls = f->calls;
    if (get_u64(r, e, "timed_calls", 0, &f->timed_calls) ||
        get_num(r, e, "time_error", 0, &f->time_error) ||
        get_num(r, e, "probe_share", 0, &f->probe_share))
      return -1;
    if (f->timed_calls > f->calls)
      f->timed_calls = f->calls;
  }
  r->where[0] = 0;
  return 0;
}

static int read_top_callee(struct rd *r, json_t *e, struct ap_prof_loop *l) {
  json_t *top;
  const char *name = NULL;
  if (get_object(r, e, "top_callee", &top))
    return -1;
  if (!top)
    return 0;
  char where[sizeof r->where];
  memcpy(where, r->where, sizeof where);
  snprintf(r->where, sizeof r->where, "%.80s.top_callee", where);
  if (get_str(r, top, "name", 1, &name) || get_u64(r, top, "calls", 0, &l->top_callee_calls) ||
      get_u64(r, top, "incl_ns", 0, &l->top_callee_ns) || set_str(r, &l->top_callee, name))
    return -1;
  memcpy(r->where, where, sizeof where);
  return 0;
}

/* Enclosing loops must form chains, not cycles: whatever walks outwards
 * from a loop has to arrive at an outermost one. */
static int check_loop_nesting(struct rd *r) {
  const struct ap_profile *p = r->p;
  for (size_t i = 0; i < p->nloops; i++) {
    size_t steps = 0;
    for (int64_t a = p->loops[i].parent; a >= 0; a = p->loops[a].parent)
      if (++steps > p->nloops)
        return fail(r, "loops[%zu].parent: the enclosing loops form a cycle", i);
  }
  return 0;
}

static int read_loops(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "loops", 0, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "loops", i);
    const char *function = NULL, *origin = NULL, *file = "";
    uint32_t line = 0, depth = 1;
    if (!e || get_str(r, e, "function", 1, &function) ||
        get_str(r, e, "origin_function", 0, &origin) || get_str(r, e, "file", 0, &file) ||
        get_u32(r, e, "line", 0, &line) || get_u32(r, e, "depth", 0, &depth))
      return -1;
    long li = ap_profile_add_loop(r->p, function, file, line, depth);
    if (li < 0)
      return no_memory(r);
    struct ap_prof_loop *l = &r->p->loops[li];
    l->timed = -1;
    if (set_str(r, &l->origin_function, origin) || get_u64(r, e, "entries", 1, &l->entries) ||
        get_u64(r, e, "iterations", 1, &l->iterations) ||
        get_u64(r, e, "min_trip", 0, &l->min_trip) || get_u64(r, e, "max_trip", 0, &l->max_trip) ||
        get_u64(r, e, "zero_trip", 0, &l->zero_trip) || get_bool(r, e, "timed", &l->timed) ||
        get_u64(r, e, "incl_ns", 0, &l->incl_ns) ||
        get_u64(r, e, "timed_entries", 0, &l->timed_entries) ||
        get_u64(r, e, "nested_entries", 0, &l->nested_entries))
      return -1;
    if (l->nested_entries > l->entries + l->zero_trip)
      return fail(r,
                  "%s.nested_entries: %" PRIu64 " is more than the loop's entries (%" PRIu64
                  " + %" PRIu64 " zero-trip)",
                  r->where, l->nested_entries, l->entries, l->zero_trip);
    if (l->timed < 0) /* an older writer: a loop with time was timed */
      l->timed = l->incl_ns > 0;
    if (get_i64(r, e, "parent", 0, &l->parent) || get_u64(r, e, "calls", 0, &l->calls) ||
        get_u64(r, e, "calls_ns", 0, &l->calls_ns) || read_top_callee(r, e, l))
      return -1;
    if (l->parent < -1 || l->parent >= (int64_t)json_array_size(list) || l->parent == (int64_t)i)
      return fail(r, "%s.parent: %" PRId64 " is not another loop's index (or -1)", r->where,
                  l->parent);
  }
  r->where[0] = 0;
  return check_loop_nesting(r);
}

/* Nodes are positions: a parent comes before its children (the writer emits
 * them so), which also rules out cycles for everything that walks the tree. */
static int read_callpaths(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "callpaths", 1, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "callpaths", i);
    int64_t id = (int64_t)i, parent = -1;
    uint32_t func = 0;
    uint64_t calls = 0, incl = 0, excl = 0;
    if (!e || get_i64(r, e, "id", 0, &id) || get_i64(r, e, "parent", 1, &parent) ||
        get_u32(r, e, "func", 1, &func) || get_u64(r, e, "calls", 1, &calls) ||
        get_u64(r, e, "incl_ns", 1, &incl) || get_u64(r, e, "excl_ns", 1, &excl))
      return -1;
    if (id != (int64_t)i)
      return fail(r, "%s.id: expected %zu (ids are positions in the list), got %" PRId64, r->where,
                  i, id);
    if (parent < -1 || parent >= (int64_t)i)
      return fail(r, "%s.parent: %" PRId64 " is not an earlier node (or -1 for a root)", r->where,
                  parent);
    if (func >= r->p->nfunctions)
      return fail(r, "%s.func: %u is not an index into functions (%zu entries)", r->where, func,
                  r->p->nfunctions);
    if (ap_profile_add_node(r->p, parent, func, calls, incl, excl) < 0)
      return no_memory(r);
  }
  r->where[0] = 0;
  return 0;
}

static int read_memo_caches(struct rd *r, json_t *e, struct ap_prof_memo *m) {
  json_t *list;
  if (get_array(r, e, "caches", 0, &list))
    return -1;
  for (size_t k = 0; k < json_array_size(list) && k < AP_MEMO_CACHES; k++) {
    json_t *c = json_array_get(list, k);
    if (!json_is_object(c))
      return fail(r, "%s.caches[%zu]: expected an object, got %s", r->where, k, type_name(c));
    if (get_u64(r, c, "size", 1, &m->cache_size[k]) ||
        get_u64(r, c, "hits", 1, &m->cache_hits[k]) ||
        get_num(r, c, "hit_raw_ns", 0, &m->hit_raw_ns[k]) ||
        get_num(r, c, "hit_raw_calls", 0, &m->hit_raw_calls[k]))
      return -1;
  }
  return 0;
}

static int read_memo(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "memo", 0, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "memo", i);
    const char *function = NULL, *file = NULL;
    uint64_t calls = 0;
    double rate = 0;
    if (!e || get_str(r, e, "function", 1, &function) || get_u64(r, e, "calls", 0, &calls) ||
        get_num(r, e, "repeat_rate", 0, &rate) || get_str(r, e, "file", 0, &file))
      return -1;
    long mi = ap_profile_add_memo(r->p, function, calls, rate);
    if (mi < 0)
      return no_memory(r);
    struct ap_prof_memo *m = &r->p->memo[mi];
    if (get_bool(r, e, "proven", &m->proven) || get_bool(r, e, "pointer_args", &m->pointer_args) ||
        (file && set_str(r, &m->file, file)) || get_u32(r, e, "line", 0, &m->line) ||
        get_u64(r, e, "distinct", 0, &m->distinct) ||
        get_u64(r, e, "same_result", 0, &m->same_result) ||
        get_u64(r, e, "other_result", 0, &m->other_result) ||
        get_u64(r, e, "simulated_calls", 0, &m->simulated) || read_memo_caches(r, e, m) ||
        get_num(r, e, "raw_ns", 0, &m->raw_ns) || get_num(r, e, "raw_calls", 0, &m->raw_calls))
      return -1;
  }
  r->where[0] = 0;
  return 0;
}

static int read_callsites(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "callsites", 0, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "callsites", i);
    const char *callee = NULL, *function = "", *file = "";
    uint32_t line = 0, loop_line = 0;
    if (!e || get_str(r, e, "callee", 1, &callee) || get_str(r, e, "function", 0, &function) ||
        get_str(r, e, "file", 0, &file) || get_u32(r, e, "line", 0, &line) ||
        get_u32(r, e, "loop_line", 0, &loop_line))
      return -1;
    long ci = ap_profile_add_callsite(r->p, callee, function, file, line, loop_line);
    if (ci < 0)
      return no_memory(r);
    struct ap_prof_callsite *c = &r->p->callsites[ci];
    if (get_bool(r, e, "builtin", &c->builtin) || get_u64(r, e, "calls", 0, &c->calls) ||
        get_u64(r, e, "same_args", 0, &c->same_args) ||
        get_u64(r, e, "same_both", 0, &c->same_both) || get_u64(r, e, "sampled", 0, &c->sampled) ||
        get_num(r, e, "ns_per_call", 0, &c->ns_per_call))
      return -1;
  }
  r->where[0] = 0;
  return 0;
}

static int read_evidence(struct rd *r, json_t *e, struct ap_prof_hint *h) {
  json_t *ev, *v;
  const char *key;
  if (get_object(r, e, "evidence", &ev))
    return -1;
  json_object_foreach(ev, key, v) {
    if (!json_is_number(v))
      return fail(r, "%s.evidence.%.40s: expected a number, got %s", r->where, key, type_name(v));
    if (ap_hint_add_evidence(h, key, json_number_value(v)))
      return no_memory(r);
  }
  return 0;
}

/* Hints are derived data: kept so a profile re-written is the same file, but
 * a kind this autoprof does not know (a newer writer's) is skipped. */
static int read_hints(struct rd *r, json_t *root) {
  json_t *list;
  if (get_array(r, root, "hints", 0, &list))
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = element(r, list, "hints", i);
    const char *kind = NULL, *function = "", *file = "", *message = "";
    uint32_t line = 0;
    uint64_t savings = 0;
    if (!e || get_str(r, e, "kind", 1, &kind) || get_str(r, e, "function", 0, &function) ||
        get_str(r, e, "file", 0, &file) || get_u32(r, e, "line", 0, &line) ||
        get_str(r, e, "message", 0, &message) || get_u64(r, e, "savings_ns", 0, &savings))
      return -1;
    int k = ap_hint_kind_from_name(kind);
    if (k < 0)
      continue;
    long hi =
        ap_profile_add_hint(r->p, (enum ap_hint_kind)k, function, file, line, message, savings);
    if (hi < 0)
      return no_memory(r);
    if (read_evidence(r, e, &r->p->hints[hi]))
      return -1;
  }
  r->where[0] = 0;
  return 0;
}

static int check_version(struct rd *r, json_t *root) {
  if (!json_is_object(root))
    return fail(r, "not an autoprof profile: the top level is %s, not an object", type_name(root));
  json_t *v = json_object_get(root, "autoprof");
  if (!v)
    return fail(r, "not an autoprof profile: no \"autoprof\" field");
  if (!json_is_integer(v))
    return wrong_type(r, "autoprof", "the format version (an integer)", v);
  json_int_t version = json_integer_value(v);
  r->err->version = version > 0 && version < 1000000 ? (long)version : -1;
  if (version != AP_PROFILE_FORMAT_VERSION)
    return fail(r,
                "unsupported profile format version %lld (this autoprof reads version %d): "
                "use the autoprof that wrote it",
                (long long)version, AP_PROFILE_FORMAT_VERSION);
  return 0;
}

/* jansson's diagnostic as FILE:LINE:COL, with the likely cause spelled out. */
static void parse_error(struct rd *r, const char *data, size_t len, const json_error_t *je) {
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
    i++;
  if (i == len) {
    fail(r, "empty file: was the program stopped before it wrote its profile?");
  } else if (data[i] != '{' && data[i] != '[') {
    snprintf(r->err->msg, sizeof r->err->msg,
             "%s:%d:%d: error: not a JSON file (a profile starts with '{'): pass the .json "
             "profile, not the .txt report",
             r->name, je->line, je->column);
  } else if (json_error_code(je) == json_error_premature_end_of_input) {
    snprintf(r->err->msg, sizeof r->err->msg,
             "%s:%d:%d: error: truncated profile (unexpected end of input): was the program "
             "stopped before it finished writing?",
             r->name, je->line, je->column);
  } else {
    char text[sizeof je->text];
    /* jansson quotes the offending token, raw: keep the diagnostic one line */
    for (i = 0; i < sizeof text - 1 && je->text[i]; i++)
      text[i] = (unsigned char)je->text[i] < ' ' ? ' ' : je->text[i];
    text[i] = 0;
    snprintf(r->err->msg, sizeof r->err->msg, "%s:%d:%d: error: invalid JSON: %s", r->name,
             je->line, je->column, text);
  }
}

struct ap_profile *ap_profile_read_buffer(const char *data, size_t len, const char *name,
                                          struct ap_read_error *err) {
  struct rd r = {.name = name, .err = err};
  json_error_t je;
  err->msg[0] = 0;
  err->version = 0;
  json_t *root = json_loadb(data, len, 0, &je);
  if (!root) {
    parse_error(&r, data, len, &je);
    return NULL;
  }
  r.p = ap_profile_new();
  int bad = !r.p ? no_memory(&r)
                 : check_version(&r, root) || read_header(&r, root) || read_threads(&r, root) ||
                       read_functions(&r, root) || read_loops(&r, root) ||
                       read_callpaths(&r, root) || read_memo(&r, root) ||
                       read_callsites(&r, root) || read_hints(&r, root);
  json_decref(root);
  if (bad) {
    ap_profile_free(r.p);
    return NULL;
  }
  return r.p;
}

struct ap_profile *ap_profile_read_file(const char *path, struct ap_read_error *err) {
  err->version = 0;
  int use_stdin = strcmp(path, "-") == 0; /* `autoprof report - < x.json` */
  FILE *f = use_stdin ? stdin : fopen(path, "rb");
  if (use_stdin)
    path = "<stdin>";
  if (!f) {
    snprintf(err->msg, sizeof err->msg, "%s: error: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  char *data = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      char *q = realloc(data, cap = cap ? cap * 2 : 65536);
      if (!q) {
        snprintf(err->msg, sizeof err->msg, "%s: error: out of memory", path);
        free(data);
        if (!use_stdin)
          fclose(f);
        return NULL;
      }
      data = q;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0)
      break;
  }
  int rerr = ferror(f) ? errno : 0;
  if (!use_stdin)
    fclose(f);
  struct ap_profile *p = NULL;
  if (rerr)
    snprintf(err->msg, sizeof err->msg, "%s: error: cannot read: %s", path, strerror(rerr));
  else
    p = ap_profile_read_buffer(data, len, path, err);
  free(data);
  return p;
}
