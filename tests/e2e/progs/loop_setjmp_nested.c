/* An interpreter loop that runs nested copies of itself and catches their
 * errors with setjmp inside the loop (mujs's jsR_run with OP_TRY): the
 * nested entries a longjmp abandons are no entries (neither counted nor
 * nested), and the completed outer entries keep their time.  Counted at
 * their start, the 600 abandoned nested entries made all 100 real ones
 * "nested": no timed entry, no loop time (helper-24). */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf tries[16];
static const char *trypc[16];
static int ntry;
static volatile int sink;

/* c: run a nested program that fails; t: try (resume after the next c);
 * w: work; e: end; f: fail */
static const char *progs[] = {"tcwtcwtcwe", "wwwwcw", "wwwwf"};

__attribute__((noinline)) static void fail(void) {
  longjmp(tries[--ntry], 1);
}

__attribute__((noinline)) int run(int p) {
  const char *pc = progs[p];
  while (1) {
    switch (*pc++) {
    case 'e':
      return 0;
    case 'w':
      sink++;
      break;
    case 't':
      trypc[ntry] = pc + 1;
      if (setjmp(tries[ntry++]))
        pc = trypc[ntry];
      break;
    case 'c':
      run(p + 1);
      ntry--;
      break;
    case 'f':
      fail();
      break;
    }
  }
}

int main(void) {
  for (int k = 0; k < 100; k++)
    run(0);
  printf("sink=%d\n", sink);
  return 0;
}
