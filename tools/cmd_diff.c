/* autoprof diff: did my change help?  Functions are matched by (name, file),
 * a file by its basename when the paths differ (another build directory, a
 * moved checkout); hints by (kind, function, file basename).  The hints
 * compared are those stored in the two files: what the two reports said. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct side {
  const char *path;
  struct ap_profile *p;
  long *match; /* per function: index on the other side, or -1 */
};

struct row {
  long b, a; /* function index before / after, -1 when absent */
  long long dself, dtotal;
};

static const struct ap_profile *name_base;
static int by_name(const void *x, const void *y) {
  return strcmp(name_base->functions[*(const size_t *)x].name,
                name_base->functions[*(const size_t *)y].name);
}

/* First position in sorted order[] whose function is named name. */
static size_t lower_bound(const struct ap_profile *p, const size_t *order, const char *name) {
  size_t lo = 0, hi = p->nfunctions;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(p->functions[order[mid]].name, name) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Pass 0 matches the exact file, pass 1 the basename, among functions of
 * the same name not matched yet. */
static void match_pass(struct side *b, struct side *a, const size_t *order, int pass) {
  for (size_t i = 0; i < a->p->nfunctions; i++) {
    const struct ap_prof_func *fa = &a->p->functions[i];
    if (a->match[i] >= 0)
      continue;
    for (size_t k = lower_bound(b->p, order, fa->name); k < b->p->nfunctions; k++) {
      size_t j = order[k];
      const struct ap_prof_func *fb = &b->p->functions[j];
      if (strcmp(fb->name, fa->name) != 0)
        break;
      int same = pass == 0 ? strcmp(fb->file, fa->file) == 0
                           : strcmp(ap_basename(fb->file), ap_basename(fa->file)) == 0;
      if (b->match[j] < 0 && same) {
        b->match[j] = (long)i;
        a->match[i] = (long)j;
        break;
      }
    }
  }
}

static int match_functions(struct side *b, struct side *a) {
  size_t *order = malloc((b->p->nfunctions + 1) * sizeof *order);
  b->match = malloc((b->p->nfunctions + 1) * sizeof *b->match);
  a->match = malloc((a->p->nfunctions + 1) * sizeof *a->match);
  if (!order || !b->match || !a->match) {
    free(order);
    return -1;
  }
  for (size_t j = 0; j < b->p->nfunctions; j++) {
    order[j] = j;
    b->match[j] = -1;
  }
  for (size_t i = 0; i < a->p->nfunctions; i++)
    a->match[i] = -1;
  name_base = b->p; /* qsort has no context argument in C11 */
  qsort(order, b->p->nfunctions, sizeof *order, by_name);
  match_pass(b, a, order, 0);
  match_pass(b, a, order, 1);
  free(order);
  return 0;
}

static long long absll(long long v) {
  return v < 0 ? -v : v;
}

static const struct side *row_b, *row_a;
static const char *row_name(const struct row *r) {
  return r->b >= 0 ? row_b->p->functions[r->b].name : row_a->p->functions[r->a].name;
}
/* Largest change in self time first, then in total time, then by name. */
static int by_change(const void *x, const void *y) {
  const struct row *r = x, *s = y;
  if (absll(r->dself) != absll(s->dself))
    return absll(r->dself) > absll(s->dself) ? -1 : 1;
  if (absll(r->dtotal) != absll(s->dtotal))
    return absll(r->dtotal) > absll(s->dtotal) ? -1 : 1;
  return strcmp(row_name(r), row_name(s));
}

/* "+1.2 ms", "-340 ns", "0 ns" */
static char *fmt_delta(char *buf, long long d) {
  char t[32];
  snprintf(buf, 40, "%s%s", d > 0 ? "+" : d < 0 ? "-" : "", ap_fmt_ns(t, (double)absll(d)));
  return buf;
}

static char *fmt_pct(char *buf, uint64_t before, long long d) {
  if (before == 0)
    snprintf(buf, 32, "%s", d ? "new" : "0.0%");
  else
    snprintf(buf, 32, "%+.1f%%", 100.0 * (double)d / (double)before);
  return buf;
}

static void print_summary(const struct side *b, const struct side *a) {
  uint64_t rb = ap_profile_run_ns(b->p), ra = ap_profile_run_ns(a->p);
  long long d = (long long)ra - (long long)rb;
  char x[32], y[32], dd[40], pc[32];
  printf("autoprof diff: %s -> %s\n", b->path, a->path);
  printf("  run time  %10s -> %-10s %10s %8s\n", ap_fmt_ns(x, (double)rb), ap_fmt_ns(y, (double)ra),
         fmt_delta(dd, d), fmt_pct(pc, rb, d));
  d = (long long)a->p->wall_ns - (long long)b->p->wall_ns;
  printf("  wall      %10s -> %-10s %10s %8s\n", ap_fmt_ns(x, (double)b->p->wall_ns),
         ap_fmt_ns(y, (double)a->p->wall_ns), fmt_delta(dd, d), fmt_pct(pc, b->p->wall_ns, d));
}

/* Is a change of self time within the sampling error of the two estimates
 * (adaptive timing: time_error is each one's 95 % relative error)?  An
 * estimate whose error is 100 % or more tells nothing, whatever its value:
 * 0 ns +-999 % against a run's 81 us read as "-100.0 %", a change, since
 * an error relative to 0 is 0 (helper-28). */
static int within_noise(const struct ap_prof_func *fb, const struct ap_prof_func *fa, long long d) {
  if (fb->time_error >= 1 || fa->time_error >= 1)
    return 1;
  double eb = fb->time_error * (double)fb->excl_ns, ea = fa->time_error * (double)fa->excl_ns;
  double e = sqrt(eb * eb + ea * ea);
  return e > 0 && (double)absll(d) <= e;
}

static void print_row(const struct side *b, const struct side *a, const struct row *r, int *noise) {
  const struct ap_prof_func *fb = &b->p->functions[r->b], *fa = &a->p->functions[r->a];
  char s1[32], s2[32], ds[40], ps[32], t1[32], t2[32], dt[40], c1[32], c2[32];
  int n = within_noise(fb, fa, r->dself);
  *noise |= n;
  printf("  %9s %9s %10s %7s%c  %9s %9s %10s  %11s %11s  %s  %s:%u\n",
         ap_fmt_ns(s1, (double)fb->excl_ns), ap_fmt_ns(s2, (double)fa->excl_ns),
         fmt_delta(ds, r->dself), fmt_pct(ps, fb->excl_ns, r->dself), n ? '~' : ' ',
         ap_fmt_ns(t1, (double)fb->incl_ns), ap_fmt_ns(t2, (double)fa->incl_ns),
         fmt_delta(dt, r->dtotal), ap_fmt_count(c1, fb->calls), ap_fmt_count(c2, fa->calls),
         fa->name, fa->file, fa->line);
}

static int print_matched(const struct side *b, const struct side *a, unsigned top) {
  struct row *rows = malloc((a->p->nfunctions + 1) * sizeof *rows);
  size_t n = 0;
  if (!rows)
    return -1;
  for (size_t i = 0; i < a->p->nfunctions; i++) {
    long j = a->match[i];
    if (j < 0)
      continue;
    const struct ap_prof_func *fb = &b->p->functions[j], *fa = &a->p->functions[i];
    rows[n++] = (struct row){j, (long)i, (long long)fa->excl_ns - (long long)fb->excl_ns,
                             (long long)fa->incl_ns - (long long)fb->incl_ns};
  }
  row_b = b;
  row_a = a;
  qsort(rows, n, sizeof *rows, by_change);
  size_t shown = top && top < n ? top : n;
  printf("\nFunctions by change in self time (%zu of %zu in both)\n", shown, n);
  printf("  %9s %9s %10s %7s   %9s %9s %10s  %11s %11s  %s\n", "self", "-> self", "change", "%",
         "total", "-> total", "change", "calls", "-> calls", "function  file:line");
  int noise = 0;
  for (size_t r = 0; r < shown; r++)
    print_row(b, a, &rows[r], &noise);
  if (noise)
    puts("  ~: the change is within the sampling error of the two estimates (adaptive timing)");
  free(rows);
  return 0;
}

static void print_only(const struct side *s, const char *label) {
  size_t n = 0;
  for (size_t i = 0; i < s->p->nfunctions; i++)
    n += s->match[i] < 0;
  if (!n)
    return;
  printf("\n%s (%zu)\n", label, n);
  for (size_t i = 0; i < s->p->nfunctions; i++) {
    const struct ap_prof_func *f = &s->p->functions[i];
    char self[32], calls[32];
    if (s->match[i] < 0)
      printf("  %9s self %11s %s  %s  %s:%u\n", ap_fmt_ns(self, (double)f->excl_ns),
             ap_fmt_count(calls, f->calls), f->calls == 1 ? "call " : "calls", f->name, f->file,
             f->line);
  }
}

static int same_hint(const struct ap_prof_hint *x, const struct ap_prof_hint *y) {
  return x->kind == y->kind && strcmp(x->function, y->function) == 0 &&
         strcmp(ap_basename(x->file), ap_basename(y->file)) == 0;
}

/* The hints of `from` that `other` does not have. */
static void print_hint_changes(const struct ap_profile *from, const struct ap_profile *other,
                               const char *label) {
  int header = 0;
  for (size_t i = 0; i < from->nhints; i++) {
    const struct ap_prof_hint *h = &from->hints[i];
    int found = 0;
    for (size_t j = 0; j < other->nhints && !found; j++)
      found = same_hint(h, &other->hints[j]);
    if (found)
      continue;
    if (!header++)
      printf("\nHints %s\n", label);
    char save[32];
    printf("  %-12s %s  %s:%u  (saves up to %s)\n", ap_hint_kind_name(h->kind), h->function,
           h->file, h->line, ap_fmt_ns(save, (double)h->savings_ns));
  }
}

int ap_cmd_diff(int argc, char **argv) {
  static const struct ap_opt opts[] = {{"--top", 0, 1}};
  struct ap_args a;
  unsigned top = 20;
  if (ap_parse_args(opts, 1, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos != 2)
    return ap_usage_error("diff", "expects two profiles (usage: autoprof diff BEFORE.json "
                                  "AFTER.json [--top N])");
  if (a.value[0] && ap_arg_uint("diff", "--top", a.value[0], &top))
    return AP_EXIT_USAGE;
  struct side b = {a.pos[0], NULL, NULL}, f = {a.pos[1], NULL, NULL};
  int rc = AP_EXIT_FAIL;
  if (!(b.p = ap_cli_load(b.path)) || !(f.p = ap_cli_load(f.path)))
    goto out;
  if (match_functions(&b, &f) || (print_summary(&b, &f), print_matched(&b, &f, top))) {
    fprintf(stderr, "autoprof diff: out of memory\n");
    goto out;
  }
  print_only(&b, "Gone: only in the first profile");
  print_only(&f, "New: only in the second profile");
  print_hint_changes(b.p, f.p, "that disappeared");
  print_hint_changes(f.p, b.p, "that appeared");
  rc = fflush(stdout) ? AP_EXIT_FAIL : AP_EXIT_OK;
out:
  free(b.match);
  free(f.match);
  ap_profile_free(b.p);
  ap_profile_free(f.p);
  return rc;
}
