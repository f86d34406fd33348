/* libautoprof driven by hand: site tables and a module built here, probes
 * called in known patterns, exact counts checked in the profile JSON.
 * usage: rt_scenarios NAME   (one CTest test per scenario) */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "autoprof/autoprof.h"
#include "harness.h"

enum { MAIN, A, B, C, FIB, BIG, BIG_PART, BIG_CLONE, WORK, LEAF, QUIT, WEIRD, SQ, NSITES };
static struct ap_func_site sites[NSITES] = {
    [MAIN] = {AP_FUNC_MAIN, 10, 0, 50, "main", "t.c", "main", 0},
    [A] = {0, 20, 0, 50, "a", "t.c", "a", 0},
    [B] = {0, 30, 0, 50, "b", "t.c", "b", 0},
    [C] = {0, 40, 0, 50, "c", "t.c", "c", 0},
    [FIB] = {0, 50, 0, 50, "fib", "fib.c", "fib", 0},
    [BIG] = {0, 60, 0, 50, "big", "t.c", "big", 0},
    [BIG_PART] = {AP_FUNC_PART, 60, 0, 50, "big", "t.c", "big.part.0", 0},
    [BIG_CLONE] = {AP_FUNC_CLONE, 60, 0, 50, "big", "t.c", "big.constprop.0", 0},
    [WORK] = {0, 70, 0, 50, "work", "t.c", "work", 0},
    [LEAF] = {0, 80, 0, 50, "leaf", "t.c", "leaf", 0},
    [QUIT] = {0, 90, 0, 50, "quit_early", "t.c", "quit_early", 0},
    [WEIRD] = {0, 7, 0, 50, "we\"ird\\na\tme\x01\xc3\xa9", "dir/\"q\".c", "weird", 0},
    [SQ] = {AP_FUNC_CONST | AP_FUNC_MEMO, 100, 0, 50, "sq", "t.c", "sq", 0x11},
};
static struct ap_module module = {
    .abi_version = AP_ABI_VERSION,
    .report_formats = AP_FORMAT_JSON | AP_FORMAT_TEXT,
    .funcs_begin = sites,
    .funcs_end = sites + NSITES,
    .abi_guard = &__autoprof_abi_v2,
    .source = "t.c",
    .compiler = "test",
    .policy_file = "test.yaml",
    .policy_digest = 0x1234,
    .report_output = "autoprof.%n.%p",
    .report_top = 20,
    .hot_function_ppm = 50000,
};
#define S(i) sites[i]

static int sc_counts(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (int i = 0; i < 3; i++) {
    E(S(A));
    for (int j = 0; j < 2; j++) {
      E(S(B));
      X(S(B));
    }
    X(S(A));
  }
  X(S(MAIN));
  return 0;
}

static void fib(int n) {
  E(S(FIB));
  if (n > 1) {
    fib(n - 1);
    fib(n - 2);
  }
  X(S(FIB));
}

static int sc_recursion(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  fib(10);
  X(S(MAIN));
  return 0;
}

static void work(unsigned id, unsigned n) {
  E(S(WORK));
  for (unsigned i = 0; i < n; i++) {
    E(S(LEAF));
    X(S(LEAF));
  }
  if (id == 3) {
    E(S(QUIT));
    pthread_exit(NULL); /* from depth: the thread's frames must be closed */
  }
  X(S(WORK));
}

static void *thread_main(void *arg) {
  unsigned id = (unsigned)(unsigned long)arg;
  work(id, 10000 * (id + 1));
  return NULL;
}

static int sc_threads(void) {
  __autoprof_register(&module);
  pthread_t t[4];
  E(S(MAIN));
  for (unsigned long i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, thread_main, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  work(9, 5000);
  X(S(MAIN));
  return 0;
}

static int sc_exit_deep(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  E(S(A));
  E(S(B));
  E(S(C));
  printf("bye\n");
  exit(3);
}

/* GCC function splitting: big's header calls big.part.0 (a continuation,
 * not a call); a direct call of big.part.0 from elsewhere is a call. */
/* big's header calls its part 10 times (the marker first: continuations);
 * the part is entered once from elsewhere and recurses once: real calls. */
static int sc_part(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (int i = 0; i < 10; i++) {
    E(S(BIG));
    __autoprof_part_call(&S(BIG));
    E(S(BIG_PART));
    E(S(B));
    X(S(B));
    X(S(BIG_PART));
    X(S(BIG));
  }
  E(S(BIG_PART));
  E(S(BIG_PART));
  X(S(BIG_PART));
  X(S(BIG_PART));
  X(S(MAIN));
  return 0;
}

static int sc_clones(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (int i = 0; i < 5; i++) {
    E(S(BIG));
    X(S(BIG));
    E(S(BIG_CLONE));
    X(S(BIG_CLONE));
  }
  X(S(MAIN));
  return 0;
}

/* longjmp out of b and a: their exits never run; the next exit of main
 * closes them; a stray exit afterwards is ignored. */
static int sc_longjmp(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  E(S(A));
  E(S(B));
  E(S(C));
  X(S(C));
  X(S(MAIN));
  X(S(A));
  E(S(C));
  X(S(C));
  return 0;
}

/* setjmp returns (__autoprof_setjmp_return), as the plugins place them:
 * the mark is 0 before each setjmp call.  With AUTOPROF_MAX_DEPTH=4, jumps
 * that land beyond the depth limit and below it. */
static int sc_setjmp(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  E(S(A));
  uint32_t low = 0;
  __autoprof_setjmp_return(&low); /* the direct return: depth 3 */
  E(S(B));
  E(S(C)); /* the stack is full */
  E(S(LEAF));
  E(S(LEAF)); /* two activations beyond the limit */
  uint32_t high = 0;
  __autoprof_setjmp_return(&high);
  E(S(LEAF));
  E(S(LEAF));
  __autoprof_setjmp_return(&high); /* longjmp: two of the four are gone */
  X(S(LEAF));
  X(S(LEAF));
  X(S(C));
  E(S(WORK)); /* b's callee */
  X(S(WORK));
  E(S(C));
  E(S(LEAF));
  __autoprof_setjmp_return(&low); /* longjmp to a: b, c and the leaf are gone */
  E(S(WORK));                     /* a's callee */
  X(S(WORK));
  X(S(A));
  X(S(MAIN));
  uint32_t none = 0;
  __autoprof_setjmp_return(&none); /* no frame open but the root */
  __autoprof_setjmp_return(&none);
  E(S(WORK));
  X(S(WORK));
  return 0;
}

/* A program and a library built by two compilers: the profile names both,
 * each once, in the order they registered. */
static int sc_compilers(void) {
  static struct ap_func_site lib[1] = {{0, 1, 0, 50, "lib_fn", "lib.c", "lib_fn", 0}};
  static struct ap_module other = {.abi_version = AP_ABI_VERSION,
                                   .funcs_begin = lib,
                                   .funcs_end = lib + 1,
                                   .abi_guard = &__autoprof_abi_v2,
                                   .source = "lib.c",
                                   .compiler = "clang 14.0.6",
                                   .policy_digest = 0x1234};
  static struct ap_module third = {.abi_version = AP_ABI_VERSION,
                                   .abi_guard = &__autoprof_abi_v2,
                                   .source = "u.c",
                                   .compiler = "test",
                                   .policy_digest = 0x1234};
  __autoprof_register(&module);
  __autoprof_register(&other);
  __autoprof_register(&third);
  E(S(MAIN));
  E(lib[0]);
  X(lib[0]);
  X(S(MAIN));
  return 0;
}

static int sc_abi(void) {
  static struct ap_func_site other[1] = {{0, 1, 0, 0, "old", "old.c", "old", 0}};
  static struct ap_module bad = {
      .abi_version = 3, .funcs_begin = other, .funcs_end = other + 1, .source = "old.c"};
  __autoprof_register(&bad);
  __autoprof_register(&module);
  E(S(MAIN));
  X(S(MAIN));
  return 0;
}

static int sc_unwritable(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  X(S(MAIN));
  printf("result 42\n");
  return 7;
}

static int sc_escape(void) {
  __autoprof_register(&module);
  E(S(WEIRD));
  X(S(WEIRD));
  return 0;
}

/* A probe before its module's constructor ran (another constructor called
 * the function): the site is registered on the fly, then the module. */
static int sc_early(void) {
  E(S(A));
  X(S(A));
  __autoprof_register(&module);
  E(S(A));
  X(S(A));
  return 0;
}

static int sc_fork(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  E(S(A));
  X(S(A));
  fflush(NULL);
  pid_t pid = fork();
  E(S(B));
  X(S(B));
  X(S(MAIN));
  if (pid == 0)
    exit(0);
  int st;
  waitpid(pid, &st, 0);
  FILE *f = fopen(getenv("CHILD_PID_FILE"), "w");
  fprintf(f, "%d %d\n", (int)pid, (int)getpid());
  fclose(f);
  return 0;
}

static int sc_deep(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  fib(10); /* 177 calls, depth 10 > AUTOPROF_MAX_DEPTH=4 */
  X(S(MAIN));
  E(S(A));
  X(S(A));
  return 0;
}

static int sc_finish_early(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  E(S(A));
  int rc = autoprof_finish();
  X(S(A)); /* after the report: harmless, not reported */
  E(S(B));
  X(S(B));
  X(S(MAIN));
  return rc == 0 && autoprof_finish() == 1 ? 0 : 9;
}

/* ---- checks ---- */

static void check_counts(void) {
  struct run *r = run_child("counts", sc_counts, NULL);
  CHECK_EQ_U64(r->status, 0);
  CHECK(r->prof != NULL);
  CHECK_EQ_U64(func_int(r->prof, "main", "calls"), 1);
  CHECK_EQ_U64(func_int(r->prof, "a", "calls"), 3);
  CHECK_EQ_U64(func_int(r->prof, "b", "calls"), 6);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b"), 6);
  CHECK_EQ_U64(path_calls(r->prof, "main>a"), 3);
  CHECK_EQ_U64(top_int(r->prof, "threads"), 1);
  CHECK_EQ_U64(top_int(r->prof, "autoprof"), 1);
  CHECK(func_by_name(r->prof, "c") == NULL); /* registered, never called */
  CHECK(times_consistent(r->prof));
  CHECK_STR(json_string_value(json_object_get(json_object_get(r->prof, "policy"), "digest")),
            "0000000000001234");
  /* the 2-line summary */
  CHECK_EQ_U64(r->err_lines, 2);
  CHECK_CONTAINS(r->err, "autoprof: 10 calls to 3 functions in 1 thread over ");
  CHECK_CONTAINS(r->err, "; hottest: ");
  CHECK_CONTAINS(r->err, "autoprof: wrote ");
  CHECK_CONTAINS(r->err, "counts.json, ");
  CHECK_CONTAINS(r->err, "counts.txt (");
  char txt[8192], path[600];
  snprintf(path, sizeof path, "%s.txt", r->base);
  read_file(path, txt, sizeof txt);
  CHECK_CONTAINS(txt, "autoprof report: rt_scenarios (pid ");
  CHECK_CONTAINS(txt, "functions by self time");
  run_free(r);
}

static void check_recursion(void) {
  struct run *r = run_child("recursion", sc_recursion, NULL);
  CHECK_EQ_U64(func_int(r->prof, "fib", "calls"), 177);
  CHECK_EQ_U64(path_calls(r->prof, "main>fib"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "main>fib>fib"), 2);
  /* inclusive time counted once per outermost activation: never above main's */
  CHECK(func_int(r->prof, "fib", "incl_ns") <= func_int(r->prof, "main", "incl_ns"));
  CHECK(times_consistent(r->prof));
  run_free(r);
}

static void check_threads(void) {
  struct run *r = run_child("threads", sc_threads, NULL);
  CHECK_EQ_U64(r->status, 0);
  CHECK_EQ_U64(func_int(r->prof, "leaf", "calls"), 105000);
  CHECK_EQ_U64(func_int(r->prof, "work", "calls"), 5);
  CHECK_EQ_U64(func_int(r->prof, "quit_early", "calls"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "work>quit_early"), 1); /* a thread root */
  CHECK_EQ_U64(path_calls(r->prof, "work>leaf"), 100000);
  CHECK_EQ_U64(path_calls(r->prof, "main>work>leaf"), 5000);
  CHECK_EQ_U64(top_int(r->prof, "threads"), 5);
  /* a thread that ended leaves its record to the next one to start: 2 to 5
   * records, holding the 5 threads between them */
  json_t *list = json_object_get(r->prof, "thread_list");
  size_t nrec = json_array_size(list), held = 0, k;
  json_t *rec;
  json_array_foreach(list, k, rec) held +=
      (size_t)json_integer_value(json_object_get(rec, "threads"));
  CHECK(nrec >= 2 && nrec <= 5);
  CHECK_EQ_U64(held, 5);
  CHECK(times_consistent(r->prof));
  /* the thread that ended early kept its data and its frames were closed */
  CHECK(func_int(r->prof, "quit_early", "incl_ns") >= 0);
  run_free(r);
}

static void check_exit_deep(void) {
  struct run *r = run_child("exit_deep", sc_exit_deep, NULL);
  CHECK_EQ_U64(r->status, 3);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b>c"), 1);
  CHECK_EQ_U64(func_int(r->prof, "c", "calls"), 1);
  CHECK(func_int(r->prof, "main", "incl_ns") >= func_int(r->prof, "c", "incl_ns"));
  CHECK(times_consistent(r->prof));
  run_free(r);
}

static void check_part(void) {
  struct run *r = run_child("part", sc_part, NULL);
  CHECK_EQ_U64(func_int(r->prof, "big", "calls"), 12);
  CHECK_EQ_U64(path_calls(r->prof, "main>big>b"), 10);
  CHECK_EQ_U64(path_calls(r->prof, "main>big>big"), 1); /* the part's recursion */
  CHECK_EQ_U64(path_calls(r->prof, "main>big"), 11);
  CHECK_EQ_U64(func_int(r->prof, "b", "calls"), 10);
  CHECK(times_consistent(r->prof));
  run_free(r);
}

static void check_clones(void) {
  struct run *r = run_child("clones", sc_clones, NULL);
  CHECK_EQ_U64(func_int(r->prof, "big", "calls"), 10);
  CHECK_EQ_U64(path_calls(r->prof, "main>big"), 10);
  json_t *syms = json_object_get(func_by_name(r->prof, "big"), "symbols");
  CHECK_EQ_U64(json_array_size(syms), 3); /* big, big.part.0, big.constprop.0 */
  json_t *flags = json_object_get(func_by_name(r->prof, "big"), "flags");
  CHECK_STR(json_string_value(json_array_get(flags, 0)), "clone");
  run_free(r);
}

static void check_longjmp(void) {
  struct run *r = run_child("longjmp", sc_longjmp, NULL);
  CHECK_EQ_U64(r->status, 0);
  CHECK_EQ_U64(func_int(r->prof, "main", "calls"), 1);
  CHECK_EQ_U64(func_int(r->prof, "a", "calls"), 1);
  CHECK_EQ_U64(func_int(r->prof, "c", "calls"), 2);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b>c"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "c"), 1); /* after main closed: a root again */
  CHECK(times_consistent(r->prof));
  run_free(r);
}

static void check_setjmp(void) {
  const char *env[] = {"AUTOPROF_MAX_DEPTH=4", NULL};
  struct run *r = run_child("setjmp", sc_setjmp, env);
  CHECK_EQ_U64(r->status, 0);
  CHECK_EQ_U64(func_int(r->prof, "leaf", "calls"), 5);
  CHECK_EQ_U64(func_int(r->prof, "c", "calls"), 2);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b>c"), 2);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>b>work"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "main>a>work"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "work"), 1); /* a root: main had returned */
  CHECK_EQ_U64(func_int(r->prof, "work", "calls"), 3);
  CHECK(times_consistent(r->prof));
  run_free(r);
}

static void check_compilers(void) {
  struct run *r = run_child("compilers", sc_compilers, NULL);
  CHECK_EQ_U64(func_int(r->prof, "lib_fn", "calls"), 1);
  CHECK_STR(json_string_value(json_object_get(r->prof, "compiler")), "test, clang 14.0.6");
  run_free(r);
}

static void check_abi(void) {
  struct run *r = run_child("abi", sc_abi, NULL);
  CHECK_EQ_U64(r->status, 0);
  CHECK_CONTAINS(r->err, "autoprof: old.c was compiled for probe ABI 3 but this runtime speaks 2; "
                         "rebuild it with this autoprof — its functions are not profiled\n");
  CHECK(func_by_name(r->prof, "old") == NULL);
  CHECK_EQ_U64(func_int(r->prof, "main", "calls"), 1);
  run_free(r);
}

static void check_unwritable(void) {
  const char *env[] = {"AUTOPROF_OUTPUT=/nonexistent-autoprof-dir/sub/out", NULL};
  struct run *r = run_child("unwritable", sc_unwritable, env);
  CHECK_EQ_U64(r->status, 7);
  CHECK_EQ_U64(r->err_lines, 1);
  CHECK_CONTAINS(r->err,
                 "autoprof: cannot write the profile /nonexistent-autoprof-dir/sub/out.json: "
                 "No such file or directory; set AUTOPROF_OUTPUT to a writable path");
  run_free(r);
}

static void check_disable(void) {
  const char *env[] = {"AUTOPROF_DISABLE=1", NULL};
  struct run *r = run_child("disable", sc_counts, env);
  char path[600];
  snprintf(path, sizeof path, "%s.txt", r->base);
  CHECK_EQ_U64(r->status, 0);
  CHECK(r->prof == NULL);
  CHECK(access(path, F_OK) != 0);
  CHECK_EQ_U64(r->err_lines, 0);
  run_free(r);
}

static void check_output_pattern(void) {
  char env0[700];
  snprintf(env0, sizeof env0, "AUTOPROF_OUTPUT=%s/x.%%n.%%p.100%%%%", ap_tmpdir);
  const char *env[] = {env0, "AUTOPROF_QUIET=1", NULL};
  /* run_child sets AUTOPROF_OUTPUT first; env overrides it */
  struct run *r = run_child("pattern", sc_counts, env);
  CHECK_EQ_U64(r->err_lines, 0); /* quiet */
  char cmd[900], found[600] = "";
  snprintf(cmd, sizeof cmd, "ls %s | grep '^x\\.rt_scenarios\\.[0-9]*\\.100%%\\.json$'", ap_tmpdir);
  FILE *p = popen(cmd, "r");
  CHECK(p && fgets(found, sizeof found, p) != NULL);
  if (p)
    pclose(p);
  run_free(r);
}

static void check_escape(void) {
  struct run *r = run_child("escape", sc_escape, NULL);
  CHECK(r->prof != NULL);
  json_t *f = json_array_get(json_object_get(r->prof, "functions"), 0);
  CHECK_STR(json_string_value(json_object_get(f, "name")), "we\"ird\\na\tme\x01\xc3\xa9");
  CHECK_STR(json_string_value(json_object_get(f, "file")), "dir/\"q\".c");
  run_free(r);
}

static void check_early(void) {
  struct run *r = run_child("early", sc_early, NULL);
  CHECK_EQ_U64(func_int(r->prof, "a", "calls"), 2);
  CHECK_EQ_U64(json_array_size(json_object_get(r->prof, "functions")), 1);
  run_free(r);
}

static void check_bad_flag(void) {
  const char *env[] = {"AUTOPROF_TOP=abc",         "AUTOPROF_HOT_FUNCTION_SHARE=2",
                       "AUTOPROF_SAMPLE_PERIOD=1", "AUTOPROF_OUPUT=x",
                       "AUTOPROF_MY_OWN=1",        NULL};
  struct run *r = run_child("badflag", sc_counts, env);
  CHECK_CONTAINS(r->err, "autoprof: AUTOPROF_TOP=abc is not valid (expected a whole number); "
                         "using the default 20\n");
  CHECK_CONTAINS(r->err, "autoprof: AUTOPROF_HOT_FUNCTION_SHARE=2 is not valid (expected a number "
                         "from 0 to 1); using the default 0.05\n");
  CHECK_CONTAINS(r->err, "autoprof: AUTOPROF_SAMPLE_PERIOD=1 is not valid (expected a whole "
                         "number from 2 to 30000); using the default 32\n");
  /* a near miss of a setting's name is said; another AUTOPROF_ name is not */
  CHECK_CONTAINS(r->err, "autoprof: AUTOPROF_OUPUT is not a setting (did you mean "
                         "AUTOPROF_OUTPUT?); it is ignored\n");
  CHECK_EQ_U64(r->err_lines, 6);
  CHECK(r->prof != NULL);
  run_free(r);
  /* an output escape the expansion does not know (it was kept as written) */
  const char *out[] = {"AUTOPROF_OUTPUT=o.%q", "AUTOPROF_FORMATS=none", NULL};
  r = run_child("badoutput", sc_counts, out);
  CHECK_CONTAINS(r->err, "autoprof: AUTOPROF_OUTPUT=o.%q is not valid (expected a path whose only "
                         "escapes are %n, %p and %%); using the default autoprof.%n.%p\n");
  run_free(r);
}

static void check_fork(void) {
  char env0[700], pidfile[600];
  snprintf(pidfile, sizeof pidfile, "%s/fork.pid", ap_tmpdir);
  snprintf(env0, sizeof env0, "CHILD_PID_FILE=%s", pidfile);
  char env1[700];
  snprintf(env1, sizeof env1, "AUTOPROF_OUTPUT=%s/fork.%%p", ap_tmpdir);
  const char *env[] = {env0, env1, NULL};
  struct run *r = run_child("fork", sc_fork, env);
  CHECK_EQ_U64(r->status, 0);
  char buf[64];
  read_file(pidfile, buf, sizeof buf);
  char path[700];
  snprintf(path, sizeof path, "%s/fork.%d.json", ap_tmpdir, atoi(buf));
  json_t *child = json_load_file(path, 0, NULL);
  CHECK(child != NULL);
  /* the child's counts: its own, from the fork; main, open then, once */
  CHECK(func_by_name(child, "a") == NULL);
  CHECK_EQ_U64(func_int(child, "b", "calls"), 1);
  CHECK_EQ_U64(func_int(child, "main", "calls"), 1);
  CHECK_EQ_U64(path_calls(child, "main>b"), 1);
  CHECK_EQ_U64(top_int(child, "pid"), atoi(buf));
  CHECK_EQ_U64(top_int(child, "threads"), 1);
  /* the parent's: its own */
  snprintf(path, sizeof path, "%s/fork.%d.json", ap_tmpdir, atoi(strchr(buf, ' ') + 1));
  json_t *parent = json_load_file(path, 0, NULL);
  CHECK(parent != NULL);
  CHECK_EQ_U64(func_int(parent, "a", "calls"), 1);
  CHECK_EQ_U64(func_int(parent, "b", "calls"), 1);
  CHECK_EQ_U64(func_int(parent, "main", "calls"), 1);
  json_decref(parent);
  json_decref(child);
  run_free(r);
}

static void check_deep(void) {
  const char *env[] = {"AUTOPROF_MAX_DEPTH=4", NULL};
  struct run *r = run_child("deep", sc_deep, env);
  CHECK_EQ_U64(r->status, 0);
  CHECK_EQ_U64(func_int(r->prof, "fib", "calls"), 177);
  CHECK_EQ_U64(func_int(r->prof, "a", "calls"), 1);
  CHECK_EQ_U64(path_calls(r->prof, "a"), 1); /* the stack is sane again */
  CHECK(top_int(r->prof, "lost_frames") > 0);
  run_free(r);
}

static void check_nodes_cap(void) {
  const char *env[] = {"AUTOPROF_MAX_NODES=2", NULL};
  struct run *r = run_child("nodecap", sc_counts, env);
  CHECK_EQ_U64(func_int(r->prof, "b", "calls"), 6);
  CHECK_EQ_U64(path_calls(r->prof, "main>a"), 3);
  CHECK_EQ_U64(top_int(r->prof, "folded_calls"), 6);
  CHECK_EQ_U64(json_array_size(json_object_get(r->prof, "callpaths")), 2);
  /* the calls folded into a's node are not a's: its 3 calls stay timed,
   * and main's; the probe time taken out is reported (it read 0: the
   * folded calls' timings made the nodes look untimed) */
  CHECK_EQ_U64(func_int(r->prof, "a", "timed_calls"), 3);
  CHECK_EQ_U64(func_int(r->prof, "main", "timed_calls"), 1);
  CHECK(top_int(r->prof, "compensated_ns") > 0);
  run_free(r);
}

static void check_finish_early(void) {
  struct run *r = run_child("finish", sc_finish_early, NULL);
  CHECK_EQ_U64(r->status, 0);
  CHECK_EQ_U64(func_int(r->prof, "a", "calls"), 1);
  CHECK(func_by_name(r->prof, "b") == NULL);
  CHECK_EQ_U64(r->err_lines, 2);
  run_free(r);
}

/* A memo candidate called 1,000,000 times with 10 distinct arguments: the
 * caches simulate AP_MEMO_SIMULATE (262,144) calls, their figures are
 * scaled to all calls, the counts stay exact. */
static int sc_memo_cap(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (uint64_t i = 0; i < 1000000; i++) {
    E(S(SQ));
    __autoprof_memo(&S(SQ), i % 10, (i % 10) * (i % 10));
    X(S(SQ));
  }
  X(S(MAIN));
  return 0;
}

static void check_memo_cap(void) {
  struct run *r = run_child("memo_cap", sc_memo_cap, NULL);
  json_t *m = json_array_get(json_object_get(r->prof, "memo"), 0);
  CHECK_EQ_U64(func_int(r->prof, "sq", "calls"), 1000000);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "calls")), 1000000);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "simulated_calls")), 262144);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "distinct")), 10);
  /* 262,134 of the simulated calls hit: x 1,000,000 / 262,144 */
  json_t *c16 = json_array_get(json_object_get(m, "caches"), 0);
  CHECK_EQ_U64(json_integer_value(json_object_get(c16, "hits")), 999962);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "same_result")), 999962);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "other_result")), 0);
  run_free(r);
}

/* Few distinct tuples are counted exactly, over threads: the sketch alone
 * says 3 for 4 tuples of which two share a register (the e2e memo test's
 * sum_prefix read 3 for its 4 in one CI run: pointer fingerprints change
 * with the address space's layout). */
static uint64_t fingerprint_mix(uint64_t x) { /* memo.c's splitmix64 finalizer */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t same_register_keys[2];

static void *memo_thread(void *arg) {
  (void)arg;
  for (uint64_t i = 0; i < 300; i++) { /* 3 tuples: one shared with main */
    uint64_t k = i % 3 ? 1000 + i % 3 : same_register_keys[0];
    E(S(SQ));
    __autoprof_memo(&S(SQ), k, k * 2);
    X(S(SQ));
  }
  return NULL;
}

static int sc_memo_small(void) {
  /* two fingerprints in one HyperLogLog register (its top 9 bits) */
  for (uint64_t a = 1; !same_register_keys[1]; a++)
    for (uint64_t b = 1; b < a; b++)
      if (fingerprint_mix(a) >> 55 == fingerprint_mix(b) >> 55) {
        same_register_keys[0] = a;
        same_register_keys[1] = b;
        break;
      }
  __autoprof_register(&module);
  E(S(MAIN));
  for (uint64_t i = 0; i < 400; i++) { /* 4 tuples, 2 in one register */
    uint64_t k = i % 4 < 2 ? same_register_keys[i % 4] : 2000 + i % 4;
    E(S(SQ));
    __autoprof_memo(&S(SQ), k, k * 2);
    X(S(SQ));
  }
  pthread_t t;
  pthread_create(&t, NULL, memo_thread, NULL);
  pthread_join(t, NULL);
  X(S(MAIN));
  return 0;
}

static void check_memo_small(void) {
  struct run *r = run_child("memo_small", sc_memo_small, NULL);
  json_t *m = json_array_get(json_object_get(r->prof, "memo"), 0);
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "calls")), 700);
  /* main's 4 and the thread's 3, one of them main's: 6 */
  CHECK_EQ_U64(json_integer_value(json_object_get(m, "distinct")), 6);
  run_free(r);
}

/* More tuples than the exact set holds: the sketch's estimate (standard
 * error 4.6%: within three of them). */
static int sc_memo_many(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (uint64_t i = 0; i < 20000; i++) {
    E(S(SQ));
    __autoprof_memo(&S(SQ), i % 5000, i % 5000);
    X(S(SQ));
  }
  X(S(MAIN));
  return 0;
}

static void check_memo_many(void) {
  struct run *r = run_child("memo_many", sc_memo_many, NULL);
  json_t *m = json_array_get(json_object_get(r->prof, "memo"), 0);
  json_int_t d = json_integer_value(json_object_get(m, "distinct"));
  CHECK(d >= 4250 && d <= 5750); /* this one reads 5,360 */
  run_free(r);
}

/* The 4096-entry LRU cache answers what an exact one would: keys with a
 * period of 3,000 (no 256-entry cache can hold them) hit on every call after
 * the first period, and on runs of one key it answers as many as the
 * smaller ones (made empty once the 256-entry cache had evicted, it missed
 * that cache's keys again: 196,743 and 197,999; helper-25). */
static uint64_t memo_key_period(uint64_t i) {
  return i % 3000;
}
static uint64_t memo_key_runs(uint64_t i) {
  return (i / 100) % 2000;
}
static uint64_t (*memo_key)(uint64_t);

static int sc_memo_lru(void) {
  __autoprof_register(&module);
  E(S(MAIN));
  for (uint64_t i = 0; i < 200000; i++) {
    uint64_t k = memo_key(i);
    E(S(SQ));
    __autoprof_memo(&S(SQ), k, k * 7);
    X(S(SQ));
  }
  X(S(MAIN));
  return 0;
}

static void memo_hits(json_t *prof, json_int_t hits[3]) {
  json_t *caches = json_object_get(json_array_get(json_object_get(prof, "memo"), 0), "caches");
  for (size_t k = 0; k < 3; k++)
    hits[k] = json_integer_value(json_object_get(json_array_get(caches, k), "hits"));
}

static void check_memo_lru(void) {
  json_int_t hits[3];
  memo_key = memo_key_period;
  struct run *r = run_child("memo_period", sc_memo_lru, NULL);
  memo_hits(r->prof, hits);
  CHECK_EQ_U64(hits[0], 0);
  CHECK_EQ_U64(hits[1], 0);
  CHECK_EQ_U64(hits[2], 197000);
  run_free(r);
  memo_key = memo_key_runs;
  r = run_child("memo_runs", sc_memo_lru, NULL);
  memo_hits(r->prof, hits);
  CHECK_EQ_U64(hits[0], 198000);
  CHECK_EQ_U64(hits[1], 198000);
  CHECK_EQ_U64(hits[2], 198000);
  run_free(r);
}

static const struct {
  const char *name;
  void (*check)(void);
} tests[] = {
    {"counts", check_counts},
    {"recursion", check_recursion},
    {"threads", check_threads},
    {"exit_deep", check_exit_deep},
    {"part", check_part},
    {"clones", check_clones},
    {"longjmp", check_longjmp},
    {"setjmp", check_setjmp},
    {"compilers", check_compilers},
    {"abi", check_abi},
    {"unwritable", check_unwritable},
    {"disable", check_disable},
    {"pattern", check_output_pattern},
    {"escape", check_escape},
    {"early", check_early},
    {"bad_flag", check_bad_flag},
    {"fork", check_fork},
    {"deep", check_deep},
    {"nodes_cap", check_nodes_cap},
    {"finish", check_finish_early},
    {"memo_cap", check_memo_cap},
    {"memo_small", check_memo_small},
    {"memo_many", check_memo_many},
    {"memo_lru", check_memo_lru},
};

int main(int argc, char **argv) {
  int ran = 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    if (argc < 2 || strcmp(argv[1], tests[i].name) == 0) {
      make_tmpdir(tests[i].name);
      tests[i].check();
      ran++;
    }
  if (!ran) {
    fprintf(stderr, "rt_scenarios: unknown scenario %s\n", argv[1]);
    return 2;
  }
  TEST_DONE();
}
