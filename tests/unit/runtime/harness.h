/* Runtime test harness: each scenario runs in a forked child (the runtime
 * writes its report when that child exits); the parent then checks the
 * child's exit status, its stderr and the profile JSON (jansson). */
#ifndef AP_TEST_HARNESS_H
#define AP_TEST_HARNESS_H
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../check.h"
#include "autoprof/abi.h"

#define E(s) __autoprof_enter(&(s))
#define X(s) __autoprof_exit(&(s))

struct run {
  int status;     /* exit status, or 128 + signal */
  char err[8192]; /* the child's stderr */
  int err_lines;
  char base[512]; /* AUTOPROF_OUTPUT given to the child */
  json_t *prof;   /* base.json, NULL if absent */
};

static char ap_tmpdir[256];
static pid_t ap_tmpdir_owner;

/* Removes dir and what it holds (the tests make files and folders only). */
static void ap_remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      if (e->d_type == DT_DIR)
        ap_remove_tree(path);
      else
        unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* At the test's exit: its folder goes, unless a check failed (kept for a
 * look, and said) or AP_KEEP_TMP is set.  Only the process that made it:
 * the forked children exit through here too. */
static void ap_remove_tmpdir(void) {
  if (getpid() != ap_tmpdir_owner)
    return;
  if (ap_test_failures || getenv("AP_KEEP_TMP")) {
    fprintf(stderr, "test files kept in %s\n", ap_tmpdir);
    return;
  }
  ap_remove_tree(ap_tmpdir);
}

static inline void make_tmpdir(const char *name) {
  const char *t = getenv("TMPDIR");
  snprintf(ap_tmpdir, sizeof ap_tmpdir, "%s/ap_%s_XXXXXX", t ? t : "/tmp", name);
  if (!mkdtemp(ap_tmpdir)) {
    perror("mkdtemp");
    exit(2);
  }
  ap_tmpdir_owner = getpid();
  atexit(ap_remove_tmpdir);
}

static inline void read_file(const char *path, char *buf, size_t n) {
  buf[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  size_t k = fread(buf, 1, n - 1, f);
  buf[k] = 0;
  fclose(f);
}

/* Runs fn() in a child with AUTOPROF_OUTPUT=<tmp>/<name> and the extra
 * environment "K=V" strings in env (NULL-terminated); fn's return value is
 * the child's exit status (fn may also exit() itself). */
static inline struct run *run_child(const char *name, int (*fn)(void), const char *const *env) {
  struct run *r = calloc(1, sizeof *r);
  char errpath[600];
  snprintf(r->base, sizeof r->base, "%s/%s", ap_tmpdir, name);
  snprintf(errpath, sizeof errpath, "%s/%s.stderr", ap_tmpdir, name);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    setenv("AUTOPROF_OUTPUT", r->base, 1);
    for (; env && *env; env++)
      putenv((char *)*env);
    exit(fn());
  }
  int st = 0;
  waitpid(pid, &st, 0);
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  read_file(errpath, r->err, sizeof r->err);
  for (const char *c = r->err; *c; c++)
    r->err_lines += *c == '\n';
  char json[600];
  snprintf(json, sizeof json, "%s.json", r->base);
  json_error_t jerr;
  r->prof = json_load_file(json, 0, &jerr);
  if (!r->prof && access(json, F_OK) == 0)
    fprintf(stderr, "%s: invalid JSON: %s at line %d\n", json, jerr.text, jerr.line);
  return r;
}

static inline void run_free(struct run *r) {
  json_decref(r->prof);
  free(r);
}

static inline json_t *func_by_name(json_t *prof, const char *name) {
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(prof, "functions"), i, f) {
    if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
      return f;
  }
  return NULL;
}

static inline long long func_int(json_t *prof, const char *name, const char *key) {
  json_t *f = func_by_name(prof, name);
  return f ? json_integer_value(json_object_get(f, key)) : -1;
}

static inline long long top_int(json_t *prof, const char *key) {
  return json_integer_value(json_object_get(prof, key));
}

/* Sum of calls of the call paths spelled "a>b>c" from a root. */
static inline long long path_calls(json_t *prof, const char *path) {
  json_t *nodes = json_object_get(prof, "callpaths"), *funcs = json_object_get(prof, "functions");
  long long total = 0;
  for (size_t i = 0; i < json_array_size(nodes); i++) {
    char buf[512] = "";
    for (json_int_t k = (json_int_t)i; k >= 0;) {
      json_t *n = json_array_get(nodes, (size_t)k);
      json_t *f = json_array_get(funcs, (size_t)json_integer_value(json_object_get(n, "func")));
      char tmp[512];
      snprintf(tmp, sizeof tmp, "%s%s%s", json_string_value(json_object_get(f, "name")),
               buf[0] ? ">" : "", buf);
      snprintf(buf, sizeof buf, "%s", tmp);
      k = json_integer_value(json_object_get(n, "parent"));
    }
    if (strcmp(buf, path) == 0)
      total += json_integer_value(json_object_get(json_array_get(nodes, i), "calls"));
  }
  return total;
}

/* 0 <= excl <= incl for every function and call path */
static inline int times_consistent(json_t *prof) {
  const char *arrays[] = {"functions", "callpaths"};
  for (int a = 0; a < 2; a++) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(prof, arrays[a]), i, f) {
      json_int_t in = json_integer_value(json_object_get(f, "incl_ns"));
      json_int_t ex = json_integer_value(json_object_get(f, "excl_ns"));
      if (ex < 0 || ex > in)
        return 0;
    }
  }
  return 1;
}
#endif
