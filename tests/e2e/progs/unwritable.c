/* An unwritable output path: one line on stderr, exit status and stdout unchanged. */
#include <stdio.h>
__attribute__((noinline)) int work(int x) { return x * 7; }
int main(void) {
  printf("result %d\n", work(6));
  return 5;
}
