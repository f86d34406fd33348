/* `autoprof`: the command that reads the profiles a run wrote.  One table
 * declares every subcommand (name, handler, synopsis, help); it yields the
 * dispatcher, `autoprof --help`, `autoprof help CMD` and the suggestions for
 * a mistyped name.  Each subcommand lives in its own cmd_*.c file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef AUTOPROF_VERSION
#define AUTOPROF_VERSION "unknown"
#endif

static const struct ap_command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;
  const char *summary;
  const char *help;
} commands[] = {
    {"report", ap_cmd_report,
     "report PROFILE.json [--top N] [--format text|json] [threshold options]",
     "re-render the hint report, re-running the analysis",
     "Re-runs the analysis of PROFILE.json with the built-in thresholds, or those\n"
     "given, and prints the text report (or the profile JSON with the new hints).\n"
     "  --top N                    functions listed (default 20, 0 = all)\n"
     "  --format text|json         output format (default text)\n"
     "  --hot-function-share X     self time share for a hot-function hint (0.05)\n"
     "  --hot-path-share X         path time share for a hot-path hint (0.10)\n"
     "  --hot-loop-share X         loop time share for a hot-loop hint (0.05)\n"
     "  --memo-min-repeat-rate X   repeat rate for a memoize hint (0.5)\n"
     "  --inline-min-calls N       calls needed for an inline hint (10000)\n"},
    {"diff", ap_cmd_diff, "diff BEFORE.json AFTER.json [--top N]",
     "compare two profiles: did my change help?",
     "Matches functions by name and file (a file by its basename when the paths\n"
     "differ) and lists, sorted by the size of the change in self time: calls,\n"
     "self and total time before and after, and the change.  Then the functions\n"
     "found on one side only and the hints that disappeared or appeared.\n"
     "  --top N     functions listed (default 20, 0 = all)\n"},
    {"merge", ap_cmd_merge, "merge A.json B.json ... -o OUT.json",
     "merge the profiles of many processes or ranks",
     "Sums calls and times per function (same name, file and line) and per call\n"
     "path, concatenates the thread lists and re-runs the analysis.  Profiles of\n"
     "different format versions are refused.\n"
     "  -o, --output OUT.json   where to write the merged profile (required)\n"},
    {"export", ap_cmd_export, "export --format folded|chrome|csv|svg PROFILE.json [-o OUT]",
     "convert a profile for other tools",
     "  --format folded   folded stacks 'main;work;leaf SELF_NS' for flamegraph.pl\n"
     "                    and speedscope\n"
     "  --format chrome   Chrome trace event JSON (chrome://tracing, Perfetto): the\n"
     "                    merged call tree laid out as nested events, not a timeline\n"
     "  --format csv      the functions table\n"
     "  --format svg      a flame graph (self-contained SVG: open it in a browser)\n"
     "  -o, --output OUT  output file (default: standard output)\n"},
    {"policy", ap_cmd_policy, "policy check FILE.yaml | show [FILE.yaml] | suggest PROFILE.json",
     "validate, show or suggest an instrumentation policy",
     "  check FILE.yaml        validate a policy: 'FILE: ok (digest ...)' or its error\n"
     "  show [FILE.yaml]       print the normalized policy (the built-in one without FILE)\n"
     "  suggest PROFILE.json   print a policy excluding the functions whose probes\n"
     "                         cost a large share of their own time\n"
     "      --max-probe-share X   probe time / self time above which (default 0.25)\n"
     "      --min-calls N         and at least this many calls (default 1000)\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
  fputs("usage: autoprof COMMAND [ARGS]\n\nCommands:\n", out);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fputs("\n'autoprof help COMMAND' (or 'autoprof COMMAND --help') describes one.\n"
        "Exit status: 0 ok, 1 bad input, 2 bad usage.\n",
        out);
}

static void command_help(const struct ap_command *c) {
  printf("usage: autoprof %s\n  %s\n\n%s", c->synopsis, c->summary, c->help);
}

static const struct ap_command *find(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  const char *names[NCOMMANDS + 1];
  for (size_t i = 0; i < NCOMMANDS; i++)
    names[i] = commands[i].name;
  names[NCOMMANDS] = "help";
  const char *s = ap_suggest(name, names, NCOMMANDS + 1);
  if (s)
    fprintf(stderr, "autoprof: unknown command '%s' (did you mean '%s'?)\n", name, s);
  else
    fprintf(stderr, "autoprof: unknown command '%s' (see 'autoprof --help')\n", name);
  return AP_EXIT_USAGE;
}

static int wants_help(int argc, char **argv) {
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return AP_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    usage(stdout);
    return AP_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("autoprof %s (profile format %d)\n", AUTOPROF_VERSION, AP_PROFILE_FORMAT_VERSION);
    return AP_EXIT_OK;
  }
  if (strcmp(name, "help") == 0) {
    if (argc < 3) {
      usage(stdout);
      return AP_EXIT_OK;
    }
    const struct ap_command *c = find(argv[2]);
    if (!c)
      return unknown_command(argv[2]);
    command_help(c);
    return AP_EXIT_OK;
  }
  if (name[0] == '-') {
    static const char *const top_options[] = {"--help", "--version"};
    const char *s = ap_suggest(name, top_options, 2);
    if (s)
      fprintf(stderr, "autoprof: unknown option '%s' (did you mean '%s'?)\n", name, s);
    else
      fprintf(stderr, "autoprof: unknown option '%s' (see 'autoprof --help')\n", name);
    return AP_EXIT_USAGE;
  }
  const struct ap_command *c = find(name);
  if (!c)
    return unknown_command(name);
  if (wants_help(argc - 1, argv + 1)) {
    command_help(c);
    return AP_EXIT_OK;
  }
  return c->run(argc - 1, argv + 1);
}
