/* do-while loops with an empty body: the loop is its condition, and its
 * header is the condition's first test, as a while loop's is.  Each run
 * of the condition follows a run of the (empty) body: every entry is an
 * iteration at least, left from any part of the condition (GCC took them
 * for while loops: one iteration short per entry, an entry left at the
 * first compare zero-trip — zlib's longest_match scan).  While loops of
 * the same shapes next to them keep their zero-trip entries.  Exact
 * counts in loop_dowhile_empty.expect. */
#include <stdio.h>

static unsigned char a[64], b[64];

/* zlib's scan: several compares per run of the condition */
__attribute__((noinline)) int scan(int start) {
  unsigned char *s = a + start, *m = b + start, *end = a + 40;
  do {
  } while (*++s == *++m && *++s == *++m && s < end); /* SCAN */
  return (int)(s - a);
}

__attribute__((noinline)) int single(int start) {
  unsigned char *s = a + start, *m = b + start;
  do {
  } while (*++s == *++m); /* SINGLE */
  return (int)(s - a);
}

// clang-format off
__attribute__((noinline)) int bare(int start) {
  unsigned char *s = a + start, *m = b + start;
  do ; while (*++s == *++m); /* BARE */
  return (int)(s - a);
}
// clang-format on

/* the condition's first test in parentheses of its own */
__attribute__((noinline)) int paren(int start) {
  unsigned char *s = a + start, *m = b + start;
  do {
  } while ((*++s == *++m) && (*++s == *++m)); /* PAREN */
  return (int)(s - a);
}

/* the same conditions on while loops, one after a block and one after a
 * do-while statement: a failed first run is no iteration */
__attribute__((noinline)) int scan_while(int start) {
  unsigned char *s = a + start, *m = b + start, *end = a + 40;
  if (start > 100) {
    s = m;
  }
  while (*++s == *++m && *++s == *++m && s < end) { /* WSCAN */
  }
  return (int)(s - a);
}

__attribute__((noinline)) int after_do(int start) {
  unsigned char *s = a + start, *m = b + start;
  do {
    s++;
    m++;
  } while (s < a + 2);
  while (*++s == *++m) /* WSINGLE */
    ;
  return (int)(s - a);
}

int main(void) {
  for (int i = 0; i < 64; i++)
    a[i] = b[i] = (unsigned char)i;
  b[10] = 99;
  b[20] = 99;
  b[41] = 99;
  int t = 0;
  for (int k = 0; k < 30; k++) {
    t += scan(k);
    t += single(k);
    t += bare(k);
    t += paren(k);
    t += scan_while(k);
    t += after_do(k);
  }
  printf("%d\n", t);
  return 0;
}
