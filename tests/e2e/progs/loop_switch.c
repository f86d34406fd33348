/* A state machine in a while loop: `while (pos < size) switch (state)
 * {...}` with returns in its cases (xz's lzma2_encode).  GCC's loop
 * discovery splits it in two (the switch's default as the frequent path):
 * still one loop at the `while`, with its exact count.  Counts in
 * loop_switch.expect. */
#include <stdio.h>

static int seq;
static unsigned pending;
static unsigned long iters;

__attribute__((noinline)) int step(void) {
  static int k;
  return ++k % 3 == 0;
}

__attribute__((noinline)) int enc(unsigned char *out, unsigned *pos, unsigned size) {
  while (*pos < size) /* SWITCH */
    switch ((iters++, seq)) {
    case 0:
      if (pending == 0)
        return 0;
      seq = 1;
      /* fall through */
    case 1:
      pending--;
      if (!step())
        return 0;
      if (pending % 5 == 0) {
        seq = 3;
        break;
      }
      seq = 2;
      /* fall through */
    case 2:
      out[(*pos)++] = 1;
      seq = 0;
      break;
    case 3:
      out[(*pos)++] = 2;
      seq = 0;
      break;
    }
  return 1;
}

int main(void) {
  unsigned char out[16];
  int done = 0;
  for (int i = 0; i < 1000; i++) {
    unsigned pos = 0;
    pending += i % 4;
    done += enc(out, &pos, (unsigned)(i % 5));
  }
  printf("%lu %d\n", iters, done);
  return 0;
}
