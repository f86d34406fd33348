/* loops.max_depth: 2 (loop_depth.yaml): the loops of depth 1 and 2 are
 * counted exactly, the third level of the nest not at all, and the program
 * computes the same. */
#include <stdio.h>
volatile int sink;
int n1 = 4, n2 = 5, n3 = 6, rounds = 10; /* not constants: no loop is unrolled away */

__attribute__((noinline)) long cube(void) {
  long s = 0;
  for (int i = 0; i < n1; i++)       /* LOOP depth 1 */
    for (int j = 0; j < n2 + i; j++) /* LOOP depth 2: trips 5, 6, 7, 8 */
      for (int k = 0; k < n3; k++)   /* LOOP depth 3: not counted */
        s += (long)i * j + k + sink;
  return s;
}

__attribute__((noinline)) int flat(int n) {
  int t = 0;
  for (int i = 0; i < n; i++) /* LOOP depth 1 */
    t += sink + i;
  return t;
}

int main(void) {
  long s = 0;
  for (int r = 0; r < rounds; r++) /* LOOP depth 1 */
    s += cube();
  printf("done %ld\n", s + flat(7));
  return 0;
}
