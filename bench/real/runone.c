/* Run one command and print what it cost: wall ns, CPU ns (user + system),
 * peak RSS in KiB, exit status.  A tiny launcher instead of Python's
 * subprocess because ru_maxrss survives exec(): a child forked from a
 * 20 MiB interpreter reports at least 20 MiB whatever it does itself.  Forked
 * from this program, the floor is this program's few hundred KiB.
 *   runone [-i STDIN_FILE] [-o STDOUT_FILE] -- PROGRAM ARGS...
 * prints on stdout: "wall_ns cpu_ns maxrss_kib status" */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* In the child: point fd at path (read or write), or die saying which. */
static void redirect(int fd, const char *path, int flags) {
  int f = open(path, flags, 0644);
  if (f < 0 || dup2(f, fd) < 0) {
    perror(path);
    _exit(127);
  }
  close(f);
}

int main(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc || (strcmp(argv[i], "-i") != 0 && strcmp(argv[i], "-o") != 0)) {
      fprintf(stderr, "usage: runone [-i IN] [-o OUT] -- PROGRAM ARGS...\n");
      return 2;
    }
    *(argv[i][1] == 'i' ? &in : &out) = argv[i + 1];
  }
  if (i + 1 >= argc) {
    fprintf(stderr, "usage: runone [-i IN] [-o OUT] -- PROGRAM ARGS...\n");
    return 2;
  }
  uint64_t t0 = now_ns();
  pid_t pid = fork();
  if (pid == 0) {
    if (in)
      redirect(0, in, O_RDONLY);
    if (out)
      redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC);
    execvp(argv[i + 1], argv + i + 1);
    perror(argv[i + 1]);
    _exit(127);
  }
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 2;
  }
  uint64_t wall = now_ns() - t0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%llu %llu %ld %d\n", (unsigned long long)wall,
         (unsigned long long)(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime)), ru.ru_maxrss, code);
  return 0;
}
