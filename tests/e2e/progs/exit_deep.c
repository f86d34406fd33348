/* exit() from deep frames: open frames are closed, the report is written,
 * the exit status is the program's. */
#include <stdio.h>
#include <stdlib.h>
volatile int sink;
__attribute__((noinline)) void level(int n) {
  sink += n;
  if (n == 0) {
    printf("bye\n");
    fflush(stdout);
    exit(3);
  }
  level(n - 1);
  sink -= n;
}
int main(void) {
  level(5);
  return 0;
}
