/* do-while loops whose body is one block hold the whole body in the loop's
 * header, which is also its test block: the body's statements say they are
 * the body (written before the condition), and every run of that block is
 * an iteration.  Each loop's exact count is in loop_dowhile.expect. */
#include <stdio.h>
#define BELOW(x, n) ((x) < (n))
volatile unsigned sink;

/* one line: the body is told from the condition by its columns */
// clang-format off
__attribute__((noinline)) unsigned adler(const unsigned char *buf, unsigned k) {
  unsigned s1 = 1, s2 = 0;
  do { s1 += *buf++; s2 += s1; } while (--k > 0); /* 11 a call */
  return s1 ^ s2;
}
// clang-format on

__attribute__((noinline)) unsigned blocks(const unsigned char *buf, unsigned k) {
  unsigned s1 = 1, s2 = 0;
  if (k >= 4)
    do {
      s1 += buf[0];
      s2 += s1;
      s1 += buf[1];
      s2 += s1;
      s1 += buf[2];
      s2 += s1;
      s1 += buf[3];
      s2 += s1;
      buf += 4;
      k -= 4;
    } while (k >= 4); /* 5 a call (k = 22) */
  return s1 ^ s2;
}

__attribute__((noinline)) unsigned gaps(unsigned limit) {
  unsigned h = 1;
  do
    h = 3 * h + 1;
  while (h <= limit); /* 5 for 256 */
  return h;
}

__attribute__((noinline)) unsigned by_macro(unsigned x) {
  do
    x = x * 7 + 1;
  while (BELOW(x, 1000)); /* 4 from 1 */
  return x;
}

/* top-tested loops of the same shapes: the failed test is no iteration */
__attribute__((noinline)) unsigned length(const char *s) {
  unsigned n = 0;
  while (*s++ != 0) /* 5 for "hello" */
    n++;
  return n;
}

typedef struct {
  const char *name;
  unsigned (*fn)(unsigned);
} reg;
static unsigned twice(unsigned x) {
  return 2 * x;
}
static const reg table[] = {{"a", twice}, {"b", twice}, {"c", twice}, {0, 0}};

__attribute__((noinline)) unsigned each(unsigned x) {
  for (const reg *r = table; r->fn; r++) /* 3 */
    x = r->fn(x) + (unsigned)sink;
  return x;
}

int main(void) {
  static unsigned char b[64];
  for (int i = 0; i < 64; i++)
    b[i] = (unsigned char)(i * 7);
  unsigned t = 0;
  for (int r = 0; r < 10; r++) {
    t += adler(b, 11);
    t += blocks(b, 22);
    t += gaps(256);
    t += by_macro(1);
    t += length("hello");
    t += each(1);
  }
  printf("%u\n", t);
  return 0;
}
