/* An interpreter's dispatch loop, `while (1) { if (gc) collect(); switch
 * (*pc++) { ... } }`, whose instructions inline push() and pop(): GCC
 * -O1 and above with -g leaves debug binds of the inlined functions'
 * variables (`# DEBUG s => NULL`, at the lines of the calls) at the top of
 * the loop, and the loop, which has no test of its own, was reported at
 * the first of them, a `case` line (mujs's hottest hint pointed at `case
 * OP_WITH`).  It is reported at its first statement as at -O0 (GCC) or at
 * its `while` (clang).  Counts were right.  The lines matter here: not
 * reformatted. */
#include <stdio.h>

struct vm {
  int n, gc, th;
  int a[64];
};

// clang-format off
__attribute__((noinline)) void collect(struct vm *s) { s->gc = 0; }
static inline void push(struct vm *s, int v) { s->a[s->n++ & 63] = v; s->gc++; }
static inline int pop(struct vm *s) { return s->a[--s->n & 63]; }

__attribute__((noinline)) int run(struct vm *s, const unsigned char *pc) {
  while (1) { /* DISPATCH */
    if (s->gc > s->th)
      collect(s);
    switch (*pc++) {
    case 0: return s->n;
    case 1: push(s, 1); break;
    case 2: push(s, *pc++); break;
    case 3: { int a = pop(s), b = pop(s); push(s, a + b); } break;
    case 4: { int a = pop(s); push(s, a); push(s, a); } break;
    default: break;
    }
  }
}

/* left by a goto out of the switch */
__attribute__((noinline)) int run_goto(struct vm *s, const unsigned char *pc) {
  for (;;) { /* GOTO */
    int op = *pc++;
    switch (op) {
    case 0: goto done;
    case 1: push(s, 1); break;
    case 3: { int a = pop(s), b = pop(s); push(s, a + b); } break;
    case 4: { int a = pop(s); push(s, a); push(s, a); } break;
    default: break;
    }
  }
done:
  return s->n;
}

/* a loop with a test of its own stays at it */
__attribute__((noinline)) int run_n(struct vm *s, const unsigned char *pc, int n) {
  while (n-- > 0) { /* COUNTED */
    switch (*pc++) {
    case 1: push(s, 1); break;
    case 3: { int a = pop(s), b = pop(s); push(s, a + b); } break;
    case 4: { int a = pop(s); push(s, a); push(s, a); } break;
    default: break;
    }
  }
  return s->n;
}
// clang-format on

int main(void) {
  static const unsigned char prog[] = {1, 2, 5, 3, 4, 3, 2, 7, 9, 3, 0};
  static const unsigned char prog2[] = {1, 1, 3, 4, 3, 9, 4, 0};
  struct vm s = {0, 0, 2, {0}}, s2 = {0, 0, 2, {0}}, s3 = {0, 0, 2, {0}};
  int r = run(&s, prog);
  int r2 = run_goto(&s2, prog2);
  int r3 = run_n(&s3, prog2, 7);
  printf("%d %d %d %d %d\n", r, s.a[0], r2, r3, s3.a[0]);
  return 0;
}
