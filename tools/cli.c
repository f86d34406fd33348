/* Shared pieces of the `autoprof` command (cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_read.h"

int ap_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "autoprof %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return AP_EXIT_USAGE;
}

/* Optimal string alignment distance: edits plus adjacent swaps, the usual
 * shape of a typo ("reprot"). Long words are never close to anything. */
static size_t typo_distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 63 || m > 63)
    return 99;
  size_t d[64][64];
  for (size_t i = 0; i <= n; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= m; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < v)
        v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v)
        v = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[n][m];
}

const char *ap_suggest(const char *word, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t best_d = 3; /* at most two edits ... */
  for (size_t i = 0; i < n; i++) {
    size_t d = typo_distance(word, cands[i]);
    if (d < best_d && d * 3 <= strlen(cands[i])) { /* ... and never most of the word */
      best = cands[i];
      best_d = d;
    }
  }
  return best;
}

static int unknown_option(const char *cmd, const struct ap_opt *opts, size_t nopts,
                          const char *arg) {
  const char *names[AP_MAX_OPTS + 1];
  char word[64];
  size_t n = 0;
  for (size_t i = 0; i < nopts; i++)
    names[n++] = opts[i].name;
  names[n++] = "--help";
  snprintf(word, sizeof word, "%.*s", (int)strcspn(arg, "="), arg);
  const char *s = ap_suggest(word, names, n);
  if (s)
    return ap_usage_error(cmd, "unknown option '%s' (did you mean '%s'?)", word, s);
  return ap_usage_error(cmd, "unknown option '%s' (see 'autoprof help %s')", word, cmd);
}

/* The option arg names, or -1.  *inline_value is set for "--name=VALUE". */
static int find_option(const struct ap_opt *opts, size_t nopts, const char *arg,
                       const char **inline_value) {
  *inline_value = NULL;
  for (size_t i = 0; i < nopts; i++) {
    size_t len = strlen(opts[i].name);
    if (strncmp(arg, opts[i].name, len) == 0 && (arg[len] == 0 || arg[len] == '=')) {
      if (arg[len] == '=')
        *inline_value = arg + len + 1;
      return (int)i;
    }
    if (opts[i].short_name && arg[0] == '-' && arg[1] == opts[i].short_name && arg[2] == 0)
      return (int)i;
  }
  return -1;
}

int ap_parse_args(const struct ap_opt *opts, size_t nopts, int argc, char **argv,
                  struct ap_args *out) {
  const char *cmd = argv[0];
  memset(out, 0, sizeof *out);
  out->pos = argv + 1;
  int only_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *val;
    if (only_pos || arg[0] != '-' || arg[1] == 0) { /* "-" is a file name: stdin/stdout */
      out->pos[out->npos++] = argv[i];
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_pos = 1;
      continue;
    }
    int k = find_option(opts, nopts, arg, &val);
    if (k < 0)
      return unknown_option(cmd, opts, nopts, arg);
    if (!opts[k].has_arg) {
      if (val)
        return ap_usage_error(cmd, "option '%s' takes no value", opts[k].name);
      out->value[k] = "";
    } else if (val) {
      out->value[k] = val;
    } else if (i + 1 < argc) {
      out->value[k] = argv[++i];
    } else {
      return ap_usage_error(cmd, "option '%s' needs a value", opts[k].name);
    }
  }
  return 0;
}

int ap_arg_uint(const char *cmd, const char *opt, const char *text, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (!*text || *end || errno || text[0] == '-' || v > 1000000000ul)
    return ap_usage_error(cmd, "%s expects a whole number, got '%s'", opt, text);
  *out = (unsigned)v;
  return 0;
}

int ap_arg_share(const char *cmd, const char *opt, const char *text, double *out) {
  char *end;
  double v = strtod(text, &end);
  if (!*text || *end || !(v >= 0 && v <= 1))
    return ap_usage_error(cmd, "%s expects a share between 0 and 1 (0.05 = 5%%), got '%s'", opt,
                          text);
  *out = v;
  return 0;
}

struct ap_profile *ap_cli_load(const char *path) {
  struct ap_read_error err;
  struct ap_profile *p = ap_profile_read_file(path, &err);
  if (!p)
    fprintf(stderr, "%s\n", err.msg);
  return p;
}

const char *ap_basename(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

int ap_out_open(struct ap_out *o, const char *cmd, const char *path) {
  o->path = path;
  o->tmp = NULL;
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return 0;
  }
  /* A path that is no regular file — a symlink (to /proc/self/fd/1 and
   * the like), a FIFO, a device — is written through: a temporary file
   * renamed over it replaced it (helper-23: /dev/stdout and /dev/full
   * became regular files).  Regular files get the temporary and rename: a
   * reader never sees half a profile. */
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    if (!(o->f = fopen(path, "w"))) {
      fprintf(stderr, "autoprof %s: cannot write %s: %s\n", cmd, path, strerror(errno));
      return AP_EXIT_FAIL;
    }
    return 0;
  }
  size_t len = strlen(path) + 32;
  if (!(o->tmp = malloc(len)))
    return AP_EXIT_FAIL;
  snprintf(o->tmp, len, "%s.tmp.%ld", path, (long)getpid());
  if (!(o->f = fopen(o->tmp, "w"))) {
    fprintf(stderr, "autoprof %s: cannot write %s: %s\n", cmd, path, strerror(errno));
    free(o->tmp);
    return AP_EXIT_FAIL;
  }
  return 0;
}

int ap_out_close(struct ap_out *o, const char *cmd, int failed) {
  int bad = failed || ferror(o->f);
  if (o->f == stdout)
    return fflush(stdout) || bad ? AP_EXIT_FAIL : 0;
  bad |= fclose(o->f) != 0;
  if (!bad && o->tmp && rename(o->tmp, o->path) != 0)
    bad = 1;
  if (bad) {
    fprintf(stderr, "autoprof %s: cannot write %s: %s\n", cmd, o->path,
            errno ? strerror(errno) : "write error");
    if (o->tmp)
      remove(o->tmp);
  }
  free(o->tmp);
  return bad ? AP_EXIT_FAIL : 0;
}
