/* The profile JSON writer (schema: docs/profile-format.md).  Plain stdio,
 * no JSON library: the runtime links nothing but libc and pthreads. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (!len || len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
      (c == 0xF4 && s[1] > 0x8F))
    return 0; /* overlong, surrogate, beyond U+10FFFF */
  return len;
}

/* A JSON string: quotes, backslash and control characters escaped, valid
 * UTF-8 copied, an invalid byte replaced by U+FFFD so readers never choke. */
static void put_str(FILE *out, const char *s) {
  const unsigned char *u = (const unsigned char *)(s ? s : "");
  size_t n = strlen((const char *)u);
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned c = u[i];
    if (c == '"' || c == '\\') {
      fputc('\\', out);
      fputc((int)c, out);
    } else if (c == '\n') {
      fputs("\\n", out);
    } else if (c == '\t') {
      fputs("\\t", out);
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(out, "\\u%04x", c);
    } else if (c >= 0x80) {
      size_t len = utf8_len(u + i, n - i);
      if (!len) {
        fputs("\\ufffd", out);
        i++;
        continue;
      }
      fwrite(u + i, 1, len, out);
      i += len;
      continue;
    } else {
      fputc((int)c, out);
    }
    i++;
  }
  fputc('"', out);
}

/* Integral values as JSON integers, others with enough digits; JSON has no
 * NaN/Infinity, so those become 0. */
static void put_num(FILE *out, double v) {
  if (!isfinite(v))
    v = 0;
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    fprintf(out, "%.0f", v);
    return;
  }
  /* the shortest form that reads back as the same double: a profile
   * written, read and written again is identical */
  char buf[32];
  for (int digits = 6; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  fputs(buf, out);
}

static void put_u64(FILE *out, uint64_t v) {
  fprintf(out, "%llu", (unsigned long long)v);
}

static void write_header(const struct ap_profile *p, FILE *out) {
  fprintf(out, "{\n  \"autoprof\": %d,\n  \"program\": ", AP_PROFILE_FORMAT_VERSION);
  put_str(out, p->program);
  fprintf(out, ",\n  \"pid\": %lld,\n  \"wall_ns\": ", (long long)p->pid);
  put_u64(out, p->wall_ns);
  fprintf(out, ",\n  \"threads\": %llu,\n  \"thread_list\": [",
          (unsigned long long)ap_profile_thread_count(p));
  for (size_t i = 0; i < p->nthreads; i++) {
    const struct ap_prof_thread *t = &p->threads[i];
    fprintf(out,
            "%s\n    {\"index\": %u, \"tid\": %llu, \"calls\": %llu, \"root_ns\": %llu, "
            "\"threads\": %llu}",
            i ? "," : "", t->index, (unsigned long long)t->tid, (unsigned long long)t->calls,
            (unsigned long long)t->root_ns, (unsigned long long)(t->threads ? t->threads : 1));
  }
  fputs(p->nthreads ? "\n  ],\n  \"clock\": {\"source\": " : "],\n  \"clock\": {\"source\": ", out);
  put_str(out, p->clock_source ? p->clock_source : "monotonic");
  fputs(", \"ticks_per_ns\": ", out);
  put_num(out, p->ticks_per_ns);
  fputs("},\n  \"probe_cost_ns\": ", out);
  put_num(out, p->probe_cost_ns);
  fputs(",\n  \"call_cost_ns\": ", out);
  put_num(out, p->call_cost_ns);
  fputs(",\n  \"calibration_ns\": {", out);
  for (int k = 0; k < AP_NCALIBRATION; k++) {
    fprintf(out, "%s\"%s\": ", k ? ", " : "", ap_calibration_kinds[k]);
    put_num(out, p->calibration_ns[k]);
  }
  fputs("}", out);
  fprintf(out,
          ",\n  \"compensation\": %s,\n  \"compensated_ns\": ", p->compensation ? "true" : "false");
  put_u64(out, p->compensated_ns);
  fputs(",\n  \"folded_calls\": ", out);
  put_u64(out, p->folded_calls);
  fputs(",\n  \"cpu_wait_ns\": ", out);
  put_u64(out, p->cpu_wait_ns);
  fputs(",\n  \"lost_frames\": ", out);
  put_u64(out, p->lost_frames);
  fputs(",\n  \"policy\": {\"file\": ", out);
  put_str(out, p->policy_file ? p->policy_file : "<default>");
  fprintf(out, ", \"digest\": \"%016llx\", \"mixed\": %s},\n  \"compiler\": ",
          (unsigned long long)p->policy_digest, p->policy_mixed ? "true" : "false");
  put_str(out, p->compiler);
  fputs(",\n", out);
}

static void write_functions(const struct ap_profile *p, FILE *out) {
  fputs("  \"functions\": [", out);
  for (size_t i = 0; i < p->nfunctions; i++) {
    const struct ap_prof_func *f = &p->functions[i];
    fprintf(out, "%s\n    {\"id\": %zu, \"name\": ", i ? "," : "", i);
    put_str(out, f->name);
    fputs(", \"file\": ", out);
    put_str(out, f->file);
    fprintf(out,
            ", \"line\": %u, \"calls\": %llu, \"timed_calls\": %llu, \"time_error\": ", f->line,
            (unsigned long long)f->calls, (unsigned long long)f->timed_calls);
    /* exact: rounded, a small error read back was 0, "exact" in a re-render */
    put_num(out, f->time_error);
    if (f->probe_share > 0) { /* absent: not measured (sample profiles, older runtimes) */
      fputs(", \"probe_share\": ", out);
      put_num(out, f->probe_share);
    }
    fprintf(out, ", \"incl_ns\": %llu, \"excl_ns\": %llu, \"flags\": [",
            (unsigned long long)f->incl_ns, (unsigned long long)f->excl_ns);
    int first = 1;
    for (uint32_t bit = 1; bit; bit <<= 1) {
      const char *name = (f->flags & bit) ? ap_func_flag_name(bit) : NULL;
      if (name) {
        fprintf(out, "%s\"%s\"", first ? "" : ", ", name);
        first = 0;
      }
    }
    fputs("], \"symbols\": [", out);
    for (size_t j = 0; j < f->nsymbols; j++) {
      if (j)
        fputs(", ", out);
      put_str(out, f->symbols[j]);
    }
    fputs("]}", out);
  }
  fputs(p->nfunctions ? "\n  ],\n" : "],\n", out);
}

static void write_loops_nodes_memo(const struct ap_profile *p, FILE *out) {
  fputs("  \"loops\": [", out);
  for (size_t i = 0; i < p->nloops; i++) {
    const struct ap_prof_loop *l = &p->loops[i];
    fprintf(out, "%s\n    {\"function\": ", i ? "," : "");
    put_str(out, l->function);
    fputs(", \"origin_function\": ", out);
    put_str(out, l->origin_function ? l->origin_function : l->function);
    fputs(", \"file\": ", out);
    put_str(out, l->file);
    fprintf(out,
            ", \"line\": %u, \"depth\": %u, \"entries\": %llu, \"iterations\": %llu, "
            "\"min_trip\": %llu, \"max_trip\": %llu, \"zero_trip\": %llu, \"timed\": %s, "
            "\"timed_entries\": %llu, \"nested_entries\": %llu, \"incl_ns\": %llu",
            l->line, l->depth, (unsigned long long)l->entries, (unsigned long long)l->iterations,
            (unsigned long long)l->min_trip, (unsigned long long)l->max_trip,
            (unsigned long long)l->zero_trip, l->timed ? "true" : "false",
            (unsigned long long)l->timed_entries, (unsigned long long)l->nested_entries,
            (unsigned long long)l->incl_ns);
    fprintf(out, ", \"parent\": %lld, \"calls\": %llu, \"calls_ns\": %llu", (long long)l->parent,
            (unsigned long long)l->calls, (unsigned long long)l->calls_ns);
    if (l->top_callee) {
      fputs(", \"top_callee\": {\"name\": ", out);
      put_str(out, l->top_callee);
      fprintf(out, ", \"calls\": %llu, \"incl_ns\": %llu}", (unsigned long long)l->top_callee_calls,
              (unsigned long long)l->top_callee_ns);
    }
    fputc('}', out);
  }
  fputs(p->nloops ? "\n  ],\n  \"callpaths\": [" : "],\n  \"callpaths\": [", out);
  for (size_t i = 0; i < p->nnodes; i++) {
    const struct ap_prof_node *n = &p->nodes[i];
    fprintf(out,
            "%s\n    {\"id\": %zu, \"parent\": %lld, \"func\": %u, \"calls\": %llu, \"incl_ns\": "
            "%llu, \"excl_ns\": %llu}",
            i ? "," : "", i, (long long)n->parent, n->func, (unsigned long long)n->calls,
            (unsigned long long)n->incl_ns, (unsigned long long)n->excl_ns);
  }
  fputs(p->nnodes ? "\n  ],\n  \"memo\": [" : "],\n  \"memo\": [", out);
  for (size_t i = 0; i < p->nmemo; i++) {
    const struct ap_prof_memo *m = &p->memo[i];
    fprintf(out, "%s\n    {\"function\": ", i ? "," : "");
    put_str(out, m->function);
    fputs(", \"file\": ", out);
    put_str(out, m->file ? m->file : "");
    fprintf(out, ", \"line\": %u, \"calls\": %llu, \"distinct\": %llu, \"repeat_rate\": ", m->line,
            (unsigned long long)m->calls, (unsigned long long)m->distinct);
    put_num(out, m->repeat_rate);
    fprintf(out,
            ", \"simulated_calls\": %llu, \"same_result\": %llu, \"other_result\": %llu, "
            "\"proven\": %s, \"pointer_args\": %s, \"caches\": [",
            (unsigned long long)(m->simulated ? m->simulated : m->calls),
            (unsigned long long)m->same_result, (unsigned long long)m->other_result,
            m->proven ? "true" : "false", m->pointer_args ? "true" : "false");
    for (int k = 0; k < AP_MEMO_CACHES; k++) {
      fprintf(out, "%s{\"size\": %llu, \"hits\": %llu", k ? ", " : "",
              (unsigned long long)m->cache_size[k], (unsigned long long)m->cache_hits[k]);
      if (m->raw_calls > 0) {
        fputs(", \"hit_raw_ns\": ", out);
        put_num(out, m->hit_raw_ns[k]);
        fputs(", \"hit_raw_calls\": ", out);
        put_num(out, m->hit_raw_calls[k]);
      }
      fputc('}', out);
    }
    fputc(']', out);
    if (m->raw_calls > 0) {
      fputs(", \"raw_ns\": ", out);
      put_num(out, m->raw_ns);
      fputs(", \"raw_calls\": ", out);
      put_num(out, m->raw_calls);
    }
    fputc('}', out);
  }
  fputs(p->nmemo ? "\n  ],\n  \"callsites\": [" : "],\n  \"callsites\": [", out);
  for (size_t i = 0; i < p->ncallsites; i++) {
    const struct ap_prof_callsite *c = &p->callsites[i];
    fprintf(out, "%s\n    {\"callee\": ", i ? "," : "");
    put_str(out, c->callee);
    fputs(", \"function\": ", out);
    put_str(out, c->function);
    fputs(", \"file\": ", out);
    put_str(out, c->file);
    fprintf(out,
            ", \"line\": %u, \"loop_line\": %u, \"builtin\": %s, \"calls\": %llu, "
            "\"same_args\": %llu, \"same_both\": %llu, \"sampled\": %llu, \"ns_per_call\": ",
            c->line, c->loop_line, c->builtin ? "true" : "false", (unsigned long long)c->calls,
            (unsigned long long)c->same_args, (unsigned long long)c->same_both,
            (unsigned long long)c->sampled);
    put_num(out, c->ns_per_call);
    fputc('}', out);
  }
  fputs(p->ncallsites ? "\n  ],\n" : "],\n", out);
}

static void write_hints(const struct ap_profile *p, FILE *out) {
  fputs("  \"hints\": [", out);
  for (size_t i = 0; i < p->nhints; i++) {
    const struct ap_prof_hint *h = &p->hints[i];
    fprintf(out, "%s\n    {\"kind\": \"%s\", \"function\": ", i ? "," : "",
            ap_hint_kind_name(h->kind));
    put_str(out, h->function);
    fputs(", \"file\": ", out);
    put_str(out, h->file);
    fprintf(out, ", \"line\": %u, \"message\": ", h->line);
    put_str(out, h->message);
    fputs(", \"evidence\": {", out);
    for (size_t j = 0; j < h->nevidence; j++) {
      fputs(j ? ", " : "", out);
      put_str(out, h->evidence[j].key);
      fputs(": ", out);
      put_num(out, h->evidence[j].value);
    }
    fputs("}, \"savings_ns\": ", out);
    put_u64(out, h->savings_ns);
    fputs("}", out);
  }
  fputs(p->nhints ? "\n  ]\n}\n" : "]\n}\n", out);
}

int ap_profile_write_json(const struct ap_profile *p, FILE *out) {
  write_header(p, out);
  write_functions(p, out);
  write_loops_nodes_memo(p, out);
  write_hints(p, out);
  return ferror(out) ? -1 : 0;
}
