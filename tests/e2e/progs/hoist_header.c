/* A loop-invariant call inlined from a header (hoist_header.h): the hoist
 * hint names the loop by its function, not by a line of the header (the
 * loop is in this file), and __builtin_clz, an instruction, is no
 * candidate. */
#include "hoist_header.h"
#include <stdio.h>

volatile int k = 1000; /* re-read every iteration: GCC cannot hoist it */
int table[4096];

int weight(int v) {
  int s = 0;
  for (int i = 0; i < 64; i++)
    s += table[(v + i) & 4095];
  return s;
}

int main(void) {
  long s = 0;
  for (int i = 0; i < 20000; i++) /* LOOP */
    s += scaled(k) ^ i;
  printf("done %ld\n", s);
  return 0;
}
