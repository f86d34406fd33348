/* An interpreter dispatching with a computed goto (`goto *disptab[op]`,
 * Lua's luaV_execute with GCC): the dispatch cycle is left only through
 * the computed goto, whose edges are abnormal, so it is not counted; the
 * loops inside its instructions are (GCC dropped them: they reported when
 * the dispatch cycle exited, which it never does normally).  Counts in
 * loop_computed_goto.expect. */
#include <stdio.h>

int top, nils;
static const unsigned char code[] = {1, 2, 1, 0};

__attribute__((noinline)) int execute(int nres0) {
  static const void *const disptab[] = {&&L_END, &&L_RET1, &&L_RET0};
  const unsigned char *pc = code;
  int r = 0, nres;
#define vmfetch() goto *disptab[*pc++]
  vmfetch();
L_RET0:
  top = 0;
  goto ret;
L_RET1:
  top = 1;
  for (nres = nres0; nres > 1; nres--) /* RETURN */
    nils++;
ret:
  r += top + 2;
  vmfetch();
L_END:
  return r;
}

int main(void) {
  long s = 0;
  for (int k = 0; k < 100; k++)
    s += execute(k % 4);
  printf("%ld %d\n", s, nils);
  return 0;
}
