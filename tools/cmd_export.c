/* autoprof export: a profile in the formats other tools read.  One writer
 * per format, chosen from a table. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A function name as one folded-stack frame: ';' separates frames and the
 * last space the value, so neither may appear inside a name. */
static void put_frame(FILE *out, const char *name) {
  for (const char *s = name; *s; s++)
    fputc(*s == ';' || (unsigned char)*s <= ' ' ? '_' : *s, out);
}

/* Brendan Gregg's folded stacks: one line per call path with self time,
 * "main;work;leaf 1234", for flamegraph.pl and speedscope.  Paths with no
 * self time add nothing to a flame graph and are left out. */
static int write_folded(const struct ap_profile *p, FILE *out) {
  size_t *chain = malloc((p->nnodes + 1) * sizeof *chain);
  if (!chain)
    return -1;
  for (size_t i = 0; i < p->nnodes; i++) {
    if (!p->nodes[i].excl_ns)
      continue;
    size_t depth = 0;
    for (int64_t n = (int64_t)i; n >= 0; n = p->nodes[n].parent)
      chain[depth++] = (size_t)n;
    while (depth--) {
      put_frame(out, p->functions[p->nodes[chain[depth]].func].name);
      fputc(depth ? ';' : ' ', out);
    }
    fprintf(out, "%llu\n", (unsigned long long)p->nodes[i].excl_ns);
  }
  free(chain);
  return 0;
}

static int put_event(FILE *out, json_t *ev, int first) {
  char *s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
  json_decref(ev);
  if (!s)
    return -1;
  fprintf(out, "%s\n%s", first ? "" : ",", s);
  free(s);
  return 0;
}

/* Where each call-tree node sits on the synthetic timeline: children
 * one after the other from their parent's start, roots one after the other
 * from 0.  A node lasts its inclusive time, stretched to cover its children
 * when compensation or rounding made them add up to more, so events always
 * nest as trace viewers require. */
static int layout(const struct ap_profile *p, uint64_t *start, uint64_t *dur) {
  uint64_t *cursor = malloc((p->nnodes + 1) * sizeof *cursor), root = 0;
  if (!cursor)
    return -1;
  for (size_t i = 0; i < p->nnodes; i++)
    dur[i] = p->nodes[i].incl_ns, cursor[i] = 0;
  for (size_t i = p->nnodes; i-- > 0;) { /* children after parents: bottom-up */
    int64_t par = p->nodes[i].parent;
    if (par >= 0) {
      cursor[par] += dur[i];
      if (cursor[par] > dur[par])
        dur[par] = cursor[par];
    }
  }
  for (size_t i = 0; i < p->nnodes; i++) {
    int64_t par = p->nodes[i].parent;
    uint64_t *c = par < 0 ? &root : &cursor[par];
    start[i] = *c;
    *c += dur[i];
    cursor[i] = start[i];
  }
  free(cursor);
  return 0;
}

/* Chrome trace event JSON (chrome://tracing, ui.perfetto.dev): the merged
 * call tree as nested complete ("X") events on one synthetic thread. */
static int write_chrome(const struct ap_profile *p, FILE *out) {
  uint64_t *start = malloc((p->nnodes + 1) * sizeof *start);
  uint64_t *dur = malloc((p->nnodes + 1) * sizeof *dur);
  int rc = -1;
  if (!start || !dur || layout(p, start, dur))
    goto out;
  char title[512];
  snprintf(title, sizeof title, "%s: call tree merged over threads (not a timeline)",
           p->program ? p->program : "?");
  fputs("{\"displayTimeUnit\": \"ns\", \"traceEvents\": [", out);
  if (put_event(out,
                json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", "process_name", "ph", "M", "pid",
                          1, "tid", 1, "args", "name", title),
                1))
    goto out;
  for (size_t i = 0; i < p->nnodes; i++) {
    const struct ap_prof_node *n = &p->nodes[i];
    const struct ap_prof_func *f = &p->functions[n->func];
    json_t *ev =
        json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:i, s:{s:I, s:I, s:I, s:s, s:i}}", "name",
                  f->name, "cat", "function", "ph", "X", "ts", (double)start[i] / 1000.0, "dur",
                  (double)dur[i] / 1000.0, "pid", 1, "tid", 1, "args", "calls",
                  (json_int_t)n->calls, "incl_ns", (json_int_t)n->incl_ns, "excl_ns",
                  (json_int_t)n->excl_ns, "file", f->file, "line", (int)f->line);
    if (put_event(out, ev, 0))
      goto out;
  }
  fputs("\n]}\n", out);
  rc = 0;
out:
  free(start);
  free(dur);
  return rc;
}

/* Text in SVG/XML: the five special characters escaped, control bytes
 * (not allowed in XML 1.0) shown as '?'. */
static void put_xml(FILE *out, const char *s, size_t max) {
  size_t n = 0;
  for (; *s && n < max; s++, n++) {
    unsigned char c = (unsigned char)*s;
    if (c == '<')
      fputs("&lt;", out);
    else if (c == '>')
      fputs("&gt;", out);
    else if (c == '&')
      fputs("&amp;", out);
    else if (c == '"')
      fputs("&quot;", out);
    else if (c == '\'')
      fputs("&#39;", out);
    else
      fputc(c < ' ' ? '?' : c, out);
  }
  if (*s)
    fputs("..", out);
}

/* A warm colour from the name (flamegraph.pl's palette): the same function
 * has the same colour everywhere in the graph. */
static void name_colour(const char *name, int *r, int *g, int *b) {
  uint32_t h = 2166136261u;
  for (const char *s = name; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  *r = 205 + (int)(h % 51);
  *g = (int)((h >> 8) % 230);
  *b = (int)((h >> 16) % 55);
}

/* A flame graph as a self-contained SVG: the merged call tree, roots at
 * the bottom, each call path as wide as its inclusive time (laid out as for
 * chrome); a frame's tooltip gives its function, place, time, share and
 * calls.  Frames narrower than 0.1 pixel are left out with what they
 * hold.  Opens in any browser. */
enum { SVG_WIDTH = 1200, SVG_FRAME = 16, SVG_TOP = 44, SVG_BOTTOM = 24 };
static int write_svg(const struct ap_profile *p, FILE *out) {
  uint64_t *start = malloc((p->nnodes + 1) * sizeof *start);
  uint64_t *dur = malloc((p->nnodes + 1) * sizeof *dur);
  uint32_t *depth = malloc((p->nnodes + 1) * sizeof *depth);
  unsigned char *shown = malloc(p->nnodes + 1);
  int rc = -1;
  if (!start || !dur || !depth || !shown || layout(p, start, dur))
    goto out;
  uint64_t total = 0;
  uint32_t max_depth = 0;
  for (size_t i = 0; i < p->nnodes; i++) {
    int64_t par = p->nodes[i].parent;
    depth[i] = par < 0 ? 0 : depth[par] + 1; /* parents come first */
    if (par < 0)
      total += dur[i];
  }
  double scale = total ? (double)(SVG_WIDTH - 20) / (double)total : 0;
  for (size_t i = 0; i < p->nnodes; i++) {
    int64_t par = p->nodes[i].parent;
    shown[i] = (par < 0 || shown[par]) && (double)dur[i] * scale >= 0.1;
    if (shown[i] && depth[i] > max_depth)
      max_depth = depth[i];
  }
  int height = SVG_TOP + (int)(max_depth + 1) * SVG_FRAME + SVG_BOTTOM;
  char run[32], t[32];
  fprintf(out,
          "<?xml version=\"1.0\" standalone=\"no\"?>\n"
          "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "xmlns=\"http://www.w3.org/2000/svg\">\n"
          "<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; } "
          "rect:hover { stroke: #000; stroke-width: 0.5; }</style>\n"
          "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f8f8f0\"/>\n"
          "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" style=\"font-size: 17px\">",
          SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH / 2);
  put_xml(out, p->program ? p->program : "?", 200);
  fprintf(out,
          ": flame graph of %s</text>\n"
          "<text x=\"10\" y=\"%d\">width: inclusive time of each call path, merged over "
          "threads (not a timeline); hover a frame for its figures</text>\n",
          ap_fmt_ns(run, (double)total), height - 8);
  for (size_t i = 0; i < p->nnodes; i++) {
    if (!shown[i])
      continue;
    const struct ap_prof_node *n = &p->nodes[i];
    const struct ap_prof_func *f = &p->functions[n->func];
    double x = 10 + (double)start[i] * scale, w = (double)dur[i] * scale;
    int y = height - SVG_BOTTOM - (int)(depth[i] + 1) * SVG_FRAME, r, g, b;
    name_colour(f->name, &r, &g, &b);
    fputs("<g><title>", out);
    put_xml(out, f->name, 1000);
    fputs(" (", out);
    put_xml(out, f->file ? f->file : "?", 1000);
    fprintf(out, ":%u): %s, %.2f%%", f->line, ap_fmt_ns(t, (double)n->incl_ns),
            total ? 100.0 * (double)n->incl_ns / (double)total : 0.0);
    fprintf(out, "; self %s; %s call%s</title>", ap_fmt_ns(run, (double)n->excl_ns),
            ap_fmt_count(t, n->calls), n->calls == 1 ? "" : "s");
    fprintf(out,
            "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" "
            "rx=\"2\" ry=\"2\"/>",
            x, y, w, SVG_FRAME - 1, r, g, b);
    size_t fits = (size_t)((w - 6) / 7); /* ~7 px a character at 12 px */
    if (fits >= 3) {
      fprintf(out, "<text x=\"%.2f\" y=\"%d\">", x + 3, y + SVG_FRAME - 4);
      put_xml(out, f->name, strlen(f->name) <= fits ? fits : fits - 2);
      fputs("</text>", out);
    }
    fputs("</g>\n", out);
  }
  fputs("</svg>\n", out);
  rc = 0;
out:
  free(start);
  free(dur);
  free(depth);
  free(shown);
  return rc;
}

static void put_csv(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static const struct ap_prof_func *csv_base;
static int by_self(const void *a, const void *b) {
  const struct ap_prof_func *x = &csv_base[*(const size_t *)a], *y = &csv_base[*(const size_t *)b];
  if (x->excl_ns != y->excl_ns)
    return x->excl_ns > y->excl_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* The functions table, by self time like the report, shares in percent of
 * the run time the report uses. */
static int write_csv(const struct ap_profile *p, FILE *out) {
  size_t *order = malloc((p->nfunctions + 1) * sizeof *order);
  if (!order)
    return -1;
  for (size_t i = 0; i < p->nfunctions; i++)
    order[i] = i;
  csv_base = p->functions; /* qsort has no context argument in C11 */
  qsort(order, p->nfunctions, sizeof *order, by_self);
  double run = (double)ap_profile_run_ns(p);
  fputs("function,file,line,calls,incl_ns,excl_ns,self_pct,total_pct,flags\n", out);
  for (size_t r = 0; r < p->nfunctions; r++) {
    const struct ap_prof_func *f = &p->functions[order[r]];
    put_csv(out, f->name);
    fputc(',', out);
    put_csv(out, f->file);
    fprintf(out, ",%u,%llu,%llu,%llu,%.2f,%.2f,", f->line, (unsigned long long)f->calls,
            (unsigned long long)f->incl_ns, (unsigned long long)f->excl_ns,
            run > 0 ? 100.0 * (double)f->excl_ns / run : 0.0,
            run > 0 ? 100.0 * (double)f->incl_ns / run : 0.0);
    const char *sep = "";
    for (uint32_t bit = 1; bit; bit <<= 1)
      if ((f->flags & bit) && ap_func_flag_name(bit)) {
        fprintf(out, "%s%s", sep, ap_func_flag_name(bit));
        sep = "|";
      }
    fputc('\n', out);
  }
  free(order);
  return 0;
}

static const struct {
  const char *name;
  int (*write)(const struct ap_profile *p, FILE *out);
} formats[] = {
    {"folded", write_folded},
    {"chrome", write_chrome},
    {"csv", write_csv},
    {"svg", write_svg},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int ap_cmd_export(int argc, char **argv) {
  static const struct ap_opt opts[] = {{"--format", 'f', 1}, {"--output", 'o', 1}};
  struct ap_args a;
  if (ap_parse_args(opts, 2, argc, argv, &a))
    return AP_EXIT_USAGE;
  if (a.npos != 1 || !a.value[0])
    return ap_usage_error("export", "expects --format folded|chrome|csv|svg and one PROFILE.json");
  size_t k = 0;
  while (k < NFORMATS && strcmp(formats[k].name, a.value[0]) != 0)
    k++;
  if (k == NFORMATS) {
    const char *names[NFORMATS];
    for (size_t i = 0; i < NFORMATS; i++)
      names[i] = formats[i].name;
    const char *s = ap_suggest(a.value[0], names, NFORMATS);
    return ap_usage_error("export", "unknown format '%s' (%s%s%sformats: folded, chrome, csv, svg)",
                          a.value[0], s ? "did you mean '" : "", s ? s : "", s ? "'? " : "");
  }
  struct ap_profile *p = ap_cli_load(a.pos[0]);
  if (!p)
    return AP_EXIT_FAIL;
  struct ap_out out;
  int rc = ap_out_open(&out, "export", a.value[1]);
  if (rc == 0)
    rc = ap_out_close(&out, "export", formats[k].write(p, out.f) != 0);
  ap_profile_free(p);
  return rc;
}
