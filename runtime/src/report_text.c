/* The text report (docs/report.md): what a developer reads first.  A header
 * with the run's size and the probe cost, the hints ranked by savings, the
 * top functions by self time, then the top loops. */
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static uint64_t total_calls(const struct ap_profile *p) {
  uint64_t n = 0;
  for (size_t i = 0; i < p->nfunctions; i++)
    n += p->functions[i].calls;
  return n;
}

static void write_header(const struct ap_profile *p, FILE *out) {
  char wall[32], run[32], calls[32], cost[32], comp[32], nfunc[32];
  fprintf(out, "autoprof report: %s (pid %lld)\n", p->program ? p->program : "?",
          (long long)p->pid);
  uint64_t threads = ap_profile_thread_count(p);
  uint64_t ncalls = total_calls(p);
  fprintf(out, "  %s wall, %llu thread%s, %s call%s to %s function%s, %s instrumented\n",
          ap_fmt_ns(wall, (double)p->wall_ns), (unsigned long long)threads, threads == 1 ? "" : "s",
          ap_fmt_count(calls, ncalls), ncalls == 1 ? "" : "s", ap_fmt_count(nfunc, p->nfunctions),
          p->nfunctions == 1 ? "" : "s", ap_fmt_ns(run, (double)ap_profile_run_ns(p)));
  /* adaptive timing: most calls are untimed and cost far less than a timed one */
  const double *cal = p->calibration_ns;
  int by_kind = ap_profile_priced_by_kind(p);
  if (by_kind) {
    char untimed[32];
    fprintf(out, "  probes: %s a timed call, %s any other call; ",
            ap_fmt_ns(cost, cal[AP_CAL_TIMED]), ap_fmt_ns(untimed, cal[AP_CAL_UNTIMED]));
  } else {
    fprintf(out, "  probe cost %s per call; ", ap_fmt_ns(cost, p->probe_cost_ns));
  }
  if (p->compensation)
    fprintf(out, "%s of probe time taken out of the times below\n",
            ap_fmt_ns(comp, (double)p->compensated_ns));
  else
    fprintf(out, "times below include %s (compensation off)\n", by_kind ? "them" : "it");
  if (p->policy_mixed)
    fprintf(out,
            "  note: parts of the program were built with different policies; report "
            "settings come from %s\n",
            p->policy_file ? p->policy_file : "<default>");
  if (p->folded_calls)
    fprintf(out,
            "  note: %s calls beyond the call-path limit were folded into their caller's "
            "path, their time into its own (raise AUTOPROF_MAX_NODES)\n",
            ap_fmt_count(calls, p->folded_calls));
  if (p->lost_frames)
    fprintf(out, "  note: %s calls deeper than AUTOPROF_MAX_DEPTH were counted but not timed\n",
            ap_fmt_count(calls, p->lost_frames));
  if (p->cpu_wait_ns)
    fprintf(out,
            "  note: %s waiting for a CPU while other tasks ran (a busy machine) left out of "
            "the times below\n",
            ap_fmt_ns(comp, (double)p->cpu_wait_ns));
}

static void write_hints(const struct ap_profile *p, FILE *out) {
  if (!p->nhints) {
    char comp[32], wall[32];
    /* the probes took most of the run: what is left of the functions'
     * times is below what they resolve (a tiny function called millions
     * of times), and that is why nothing crossed a threshold */
    if (p->compensation && p->wall_ns && p->compensated_ns * 2 >= p->wall_ns)
      fprintf(out,
              "\nNo hints: the probes took %s of this %s run, more than the work left in the "
              "functions they measure; leave the busiest small functions out (`autoprof policy "
              "suggest` with this profile writes such a policy) and run again.\n",
              ap_fmt_ns(comp, (double)p->compensated_ns), ap_fmt_ns(wall, (double)p->wall_ns));
    else
      fputs("\nNo hints: no function, path or call pattern crossed a threshold.\n", out);
    return;
  }
  fprintf(out, "\nHints, ranked by estimated savings (%zu)\n", p->nhints);
  for (size_t i = 0; i < p->nhints; i++) {
    const struct ap_prof_hint *h = &p->hints[i];
    char save[64] = "savings not measured", ns[32];
    if (h->savings_ns)
      snprintf(save, sizeof save, "saves up to %s", ap_fmt_ns(ns, (double)h->savings_ns));
    fprintf(out, "%3zu. %-12s %s  %s:%u  %s\n", i + 1, ap_hint_kind_name(h->kind), h->function,
            h->file, h->line, save);
    fprintf(out, "     %s\n     evidence:", h->message);
    for (size_t j = 0; j < h->nevidence; j++) {
      double v = h->evidence[j].value;
      if (v == (double)(long long)v)
        fprintf(out, " %s=%lld", h->evidence[j].key, (long long)v);
      else
        fprintf(out, " %s=%.4g", h->evidence[j].key, v);
    }
    fputc('\n', out);
  }
}

static const struct ap_prof_func *sort_base;
static int by_self(const void *a, const void *b) {
  const struct ap_prof_func *x = &sort_base[*(const size_t *)a];
  const struct ap_prof_func *y = &sort_base[*(const size_t *)b];
  if (x->excl_ns != y->excl_ns)
    return x->excl_ns > y->excl_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

static void write_top(const struct ap_profile *p, FILE *out, unsigned top) {
  size_t n = p->nfunctions, *order = malloc((n + 1) * sizeof *order);
  if (!order)
    return;
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  sort_base = p->functions; /* qsort has no context argument in C11 */
  if (n)
    qsort(order, n, sizeof *order, by_self);
  size_t rows = top && top < n ? top : n;
  double run = (double)ap_profile_run_ns(p);
  char of[32];
  fprintf(out, "\nTop %zu of %s functions by self time\n", rows, ap_fmt_count(of, n));
  fprintf(out, "  %6s %10s %10s %14s %10s %7s  %s\n", "self%", "self", "total", "calls", "per call",
          "timing", "function  file:line");
  int sampled = 0, probed = 0;
  for (size_t r = 0; r < rows; r++) {
    const struct ap_prof_func *f = &p->functions[order[r]];
    char self[32], total[32], calls[32], per[32], timing[16] = "exact";
    double share = run > 0 ? 100.0 * (double)f->excl_ns / run : 0;
    ap_fmt_ns(per, f->calls ? (double)f->excl_ns / (double)f->calls : 0);
    if (f->probe_share >= AP_PROBE_BOUND) {
      probed = 1;
      snprintf(timing, sizeof timing, "<probe");
    } else if (ap_func_estimated(f)) {
      sampled = 1;
      snprintf(timing, sizeof timing, "+-%.*f%%", f->time_error < 0.1 ? 1 : 0,
               100.0 * f->time_error);
    }
    fprintf(out, "  %5.1f%% %10s %10s %14s %10s %7s  %s  %s:%u\n", share,
            ap_fmt_ns(self, (double)f->excl_ns), ap_fmt_ns(total, (double)f->incl_ns),
            ap_fmt_count(calls, f->calls), per, timing, f->name, f->file, f->line);
  }
  if (sampled)
    fputs("  +-: self time estimated from a random sample of its calls or its callees' (adaptive\n"
          "      timing samples calls shorter than a few clock reads); 95% sampling error. Counts "
          "are exact.\n      AUTOPROF_EXACT_TIMING=1 times every call.\n",
          out);
  if (probed)
    fprintf(
        out,
        "  <probe: the probes' own cost was %.0f%% or more of what its timed calls measured: its"
        " time\n      is what their compensation left, below what they resolve (exact timing"
        " does not help).\n",
        100 * AP_PROBE_BOUND);
  free(order);
}

static const struct ap_prof_loop *loop_base;
static int by_loop_weight(const void *a, const void *b) {
  const struct ap_prof_loop *x = &loop_base[*(const size_t *)a];
  const struct ap_prof_loop *y = &loop_base[*(const size_t *)b];
  if (!x->timed != !y->timed)
    return x->timed ? -1 : 1;
  uint64_t wx = x->timed ? x->incl_ns : x->iterations, wy = y->timed ? y->incl_ns : y->iterations;
  if (wx != wy)
    return wx > wy ? -1 : 1;
  int c = strcmp(x->function, y->function);
  return c ? c : (x->line < y->line ? -1 : x->line > y->line);
}

/* "1/2.5/4": trips min/avg/max; the average whole from 100 on. */
static char *fmt_trips(char *buf, const struct ap_prof_loop *l) {
  char lo[32], hi[32], avg[32];
  double a = l->entries ? (double)l->iterations / (double)l->entries : 0;
  if (a >= 100 || a == (double)(uint64_t)a)
    ap_fmt_count(avg, (uint64_t)(a + 0.5));
  else
    snprintf(avg, sizeof avg, "%.1f", a);
  snprintf(buf, 100, "%s/%s/%s", ap_fmt_count(lo, l->min_trip), avg, ap_fmt_count(hi, l->max_trip));
  return buf;
}

/* One row; the function is "main (from work)" when the loop was inlined from work. */
/* The inclusive time of the function a loop lives in, 0 if unknown. */
static uint64_t function_incl(const struct ap_profile *p, const char *name) {
  for (size_t i = 0; i < p->nfunctions; i++)
    if (strcmp(p->functions[i].name, name) == 0)
      return p->functions[i].incl_ns;
  return 0;
}

static void write_loop_row(const struct ap_profile *p, const struct ap_prof_loop *l, double run,
                           int trips_width, FILE *out, int *sampled) {
  char share[16] = "-", fshare[16] = "-", time[32] = "-", per[32] = "-", entries[32], iters[32],
       trips[100];
  if (l->timed) {
    uint64_t fn = function_incl(p, l->function);
    snprintf(share, sizeof share, "%.1f%%", run > 0 ? 100.0 * (double)l->incl_ns / run : 0);
    if (fn)
      snprintf(fshare, sizeof fshare, "%.1f%%",
               100.0 * (double)(l->incl_ns < fn ? l->incl_ns : fn) / (double)fn);
    ap_fmt_ns(time + 1, (double)l->incl_ns);
    time[0] = ap_loop_estimated(l) ? '~' : ' ';
    /* entries that ran no iteration outnumbering the iterations: their
     * tests are the time, and a time per iteration says nothing (lzo's
     * len_of_coded_match: 28,000 such entries, 1 iteration, "420 us") */
    if (l->iterations && l->zero_trip <= l->iterations)
      ap_fmt_ns(per, (double)l->incl_ns / (double)l->iterations);
  }
  *sampled |= ap_loop_estimated(l);
  int inlined = l->origin_function && strcmp(l->origin_function, l->function) != 0;
  fprintf(out, "  %6s %6s %10s %12s %14s %*s %9s  %s%s%s%s  %s:%u\n", share, fshare, time,
          ap_fmt_count(entries, l->entries), ap_fmt_count(iters, l->iterations), trips_width,
          fmt_trips(trips, l), per, l->function, inlined ? " (from " : "",
          inlined ? l->origin_function : "", inlined ? ")" : "", l->file, l->line);
}

/* Timed loops by time, then the others by iterations; the trips column two
 * wider than its widest cell. */
static void write_loops(const struct ap_profile *p, FILE *out, unsigned top) {
  size_t n = p->nloops, *order = malloc((n + 1) * sizeof *order);
  if (!n || !order) { /* no loop table when the run counted none: older reports stay as they were */
    free(order);
    return;
  }
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  loop_base = p->loops;
  qsort(order, n, sizeof *order, by_loop_weight);
  size_t rows = top && top < n ? top : n;
  double run = (double)ap_profile_run_ns(p);
  const char *trips_head = "trips min/avg/max";
  int width = (int)strlen(trips_head);
  for (size_t r = 0; r < rows; r++) {
    char trips[100];
    int w = (int)strlen(fmt_trips(trips, &p->loops[order[r]]));
    width = w > width ? w : width;
  }
  width += 2;
  char of[32];
  fprintf(out, "\nTop %zu of %s loops (timed loops by time, then the others by iterations)\n", rows,
          ap_fmt_count(of, n));
  fprintf(out, "  %6s %6s %10s %12s %14s %*s %9s  %s\n", "time%", "of fn", "time", "entries",
          "iterations", width, trips_head, "per iter", "function  file:line");
  int sampled = 0;
  for (size_t r = 0; r < rows; r++)
    write_loop_row(p, &p->loops[order[r]], run, width, out, &sampled);
  if (sampled)
    fputs("  ~: time estimated from a random sample of the loop's entries (adaptive timing); "
          "counts are exact.\n",
          out);
  free(order);
}

int ap_profile_write_text(const struct ap_profile *p, FILE *out, unsigned top) {
  write_header(p, out);
  write_hints(p, out);
  write_top(p, out, top);
  write_loops(p, out, top);
  return ferror(out) ? -1 : 0;
}
