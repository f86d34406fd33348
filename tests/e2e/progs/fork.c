/* fork(): the child's profile has what the child ran (and the activations
 * open at the fork, once), the parent's what the parent ran, so a merge of
 * the two counts everything once. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;

__attribute__((noinline)) static void work(int n) {
  for (int i = 0; i < n; i++) /* line 11 */
    sink += i;
}

int main(void) {
  for (int i = 0; i < 100; i++)
    work(1000);
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 50; i++)
      work(1000);
    return 0;
  }
  waitpid(pid, NULL, 0);
  for (int i = 0; i < 10; i++)
    work(1000);
  printf("done\n");
  return 0;
}
