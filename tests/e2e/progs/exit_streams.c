/* The report at exit never harms the program (helper-23): each child ends
 * in a state that used to break it.
 *   1: closed descriptor 2 and opened its data file, which got 2: the
 *      summary was appended to the data;
 *   2: stderr is a pipe nobody reads: SIGPIPE killed the child at exit,
 *      its buffered output lost;
 *   3: RLIMIT_FSIZE below the profile's size: SIGXFSZ likewise;
 *   4: quick_exit(): no report at all.
 * The parent checks each child's exit status and the data file. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int work(int n) {
  volatile int s = 0;
  for (int i = 0; i < n; i++)
    s += i;
  return s;
}

static void child(int which) {
  work(10);
  if (which == 1) {
    close(2);
    int fd = open("data.out", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (write(fd, "DATA\n", 5) != 5)
      exit(3);
  } else if (which == 2) {
    int p[2];
    if (pipe(p))
      exit(3);
    close(p[0]);
    dup2(p[1], 2);
  } else if (which == 3) {
    struct rlimit r = {512, 512};
    setrlimit(RLIMIT_FSIZE, &r);
  }
  printf("child %d ran\n", which); /* buffered: written after the report */
  if (which == 4) {
    fflush(stdout); /* quick_exit flushes nothing */
    quick_exit(0);
  }
  exit(0);
}

int main(void) {
  fflush(stdout);
  for (int which = 1; which <= 4; which++) {
    pid_t pid = fork();
    if (pid == 0)
      child(which);
    int st = 0;
    waitpid(pid, &st, 0);
    printf("child %d: %s %d\n", which, WIFEXITED(st) ? "exit" : "signal",
           WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    fflush(stdout);
  }
  char buf[64] = "";
  FILE *f = fopen("data.out", "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = 0;
  if (f)
    fclose(f);
  printf("data %s\n", strcmp(buf, "DATA\n") == 0 ? "clean" : "changed");
  return 0;
}
