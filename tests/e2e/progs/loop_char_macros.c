/* Loop conditions written with function-like macros that expand to `||`
 * and `&&` of character tests (libyaml's IS_ALPHA, IS_BLANK, IS_BREAK,
 * helper-26).  clang gives every instruction of a macro's expansion the
 * location of the macro's name: the branch and the value it tests had the
 * same location, read as the truth test clang puts at the loop's `while`,
 * and the condition's blocks were taken for the body's; at -O0 the
 * condition's join was reached from the header only through the blocks
 * testing `(c >= '0' && c <= '9') || ...`.  Every test counted as an
 * iteration, no zero-trip entry, at -O0 and -O2. */
#include <stdio.h>

struct buf {
  const unsigned char *pointer;
};

#define CHECK_AT(s, o, off) ((s).pointer[off] == (unsigned char)(o))
#define IS_ALPHA(s)                                                                                \
  (((s).pointer[0] >= '0' && (s).pointer[0] <= '9') ||                                             \
   ((s).pointer[0] >= 'A' && (s).pointer[0] <= 'Z') ||                                             \
   ((s).pointer[0] >= 'a' && (s).pointer[0] <= 'z') || (s).pointer[0] == '_' ||                    \
   (s).pointer[0] == '-')
#define IS_BLANK(s) (CHECK_AT((s), ' ', 0) || CHECK_AT((s), '\t', 0))
#define IS_BREAK(s)                                                                                \
  (CHECK_AT((s), '\r', 0) || CHECK_AT((s), '\n', 0) ||                                             \
   (CHECK_AT((s), '\xC2', 0) && CHECK_AT((s), '\x85', 1)))
#define IS_Z(s) CHECK_AT((s), '\0', 0)

volatile int sink;

/* one macro: 3 entries, 8 iterations, 5 zero-trip */
__attribute__((noinline)) int alpha_run(struct buf *b) {
  int n = 0;
  while (IS_ALPHA(*b)) {
    n++;
    b->pointer++;
  }
  return n;
}

/* two macros joined by `||`, the body testing one again: 5 entries, 13
 * iterations, 3 zero-trip */
__attribute__((noinline)) int blanks(struct buf *b) {
  int n = 0;
  while (IS_BLANK(*b) || IS_BREAK(*b)) {
    if (IS_BLANK(*b)) {
      sink++;
      b->pointer++;
    } else {
      n++;
      b->pointer++;
    }
  }
  return n;
}

/* negated macros joined by `&&` (a word up to a blank, a break or the
 * end): 5 entries, 8 iterations, 3 zero-trip (exact before helper-26) */
__attribute__((noinline)) int word(struct buf *b) {
  int n = 0;
  while (!IS_BLANK(*b) && !IS_BREAK(*b) && !IS_Z(*b)) {
    sink++;
    n++;
    b->pointer++;
  }
  return n;
}

int main(void) {
  static const char *in[] = {"abc-_9 x",  " z", "Q",         "",
                             "\t\n \n x", "x",  "  \r\n\t.", "\xC2\x85y\xC2z"};
  int t = 0;
  for (int i = 0; i < 8; i++) {
    struct buf b = {(const unsigned char *)in[i]};
    t += alpha_run(&b);
    t += blanks(&b);
    t += word(&b);
  }
  printf("%d %d\n", t, sink);
  return 0;
}
