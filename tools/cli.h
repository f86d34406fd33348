/* What the subcommands of `autoprof` share: exit codes, the option parser,
 * "did you mean" suggestions, loading a profile, writing an output file.
 * The table of subcommands itself lives in main.c. */
#ifndef AUTOPROF_CLI_H
#define AUTOPROF_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "profile.h"

enum { AP_EXIT_OK = 0, AP_EXIT_FAIL = 1 /* bad input */, AP_EXIT_USAGE = 2 };

/* Every subcommand: argv[0] is its name ("report"), the rest its arguments.
 * Returns the exit code.  main() has handled --help already. */
int ap_cmd_report(int argc, char **argv);
int ap_cmd_diff(int argc, char **argv);
int ap_cmd_merge(int argc, char **argv);
int ap_cmd_export(int argc, char **argv);
int ap_cmd_policy(int argc, char **argv);

/* ---- options ---- */
#define AP_MAX_OPTS 16
struct ap_opt {
  const char *name; /* "--top" */
  char short_name;  /* 'o' for -o, or 0 */
  int has_arg;
};
struct ap_args {
  const char *value[AP_MAX_OPTS]; /* per option: its argument, "" for a flag, NULL if absent */
  char **pos;                     /* positional arguments (moved to the front of argv) */
  int npos;
};
/* Parses "--name VALUE", "--name=VALUE", "-x VALUE" and "--" (end of
 * options).  On an unknown or incomplete option prints one line
 * "autoprof CMD: unknown option '--tpo' (did you mean '--top'?)" and
 * returns AP_EXIT_USAGE; 0 otherwise. */
int ap_parse_args(const struct ap_opt *opts, size_t nopts, int argc, char **argv,
                  struct ap_args *out);
/* Option values; print one line and return AP_EXIT_USAGE when malformed. */
int ap_arg_uint(const char *cmd, const char *opt, const char *text, unsigned *out);
int ap_arg_share(const char *cmd, const char *opt, const char *text, double *out);
/* "autoprof CMD: MESSAGE" on stderr; returns AP_EXIT_USAGE. */
int ap_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The candidate closest to word (typos: one or two edits, a swap counts
 * one), or NULL when none is close. */
const char *ap_suggest(const char *word, const char *const *cands, size_t n);

/* ---- files ---- */
/* Reads a profile; on error prints the reader's one line and returns NULL. */
struct ap_profile *ap_cli_load(const char *path);
/* An output file written atomically (temp + rename, so `merge a b -o a`
 * and an interrupted run never leave half a file); path NULL or "-" is
 * stdout.  ap_out_close returns 0, or prints why and returns AP_EXIT_FAIL. */
struct ap_out {
  FILE *f;
  const char *path;
  char *tmp;
};
int ap_out_open(struct ap_out *o, const char *cmd, const char *path);
int ap_out_close(struct ap_out *o, const char *cmd, int failed);

/* The last component of a path ("src/a.c" -> "a.c"). */
const char *ap_basename(const char *path);

#endif
