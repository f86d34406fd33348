/* A resumable bit reader (the shape of bzip2's BZ2_decompress): a switch on
 * the saved state jumps into the middle of its reading loops, so the CFG has
 * loops no loop statement opens.  GCC gave those line 0. */
#include <stdio.h>
struct strm {
  const unsigned char *next_in;
  unsigned avail_in, total_lo, total_hi;
};
struct st {
  int state;
  unsigned buff, live;
  struct strm *strm;
  int a, b, c;
};
#define RETURN(x)                                                                                  \
  {                                                                                                \
    ret = x;                                                                                       \
    goto save;                                                                                     \
  }
#define GET_BITS(lll, vvv, nnn)                                                                    \
  case lll:                                                                                        \
    s->state = lll;                                                                                \
    while (1) {                                                                                    \
      if (s->live >= nnn) {                                                                        \
        unsigned v = (s->buff >> (s->live - nnn)) & ((1 << nnn) - 1);                              \
        s->live -= nnn;                                                                            \
        vvv = v;                                                                                   \
        break;                                                                                     \
      }                                                                                            \
      if (s->strm->avail_in == 0)                                                                  \
        RETURN(1);                                                                                 \
      s->buff = (s->buff << 8) | *s->strm->next_in;                                                \
      s->live += 8;                                                                                \
      s->strm->next_in++;                                                                          \
      s->strm->avail_in--;                                                                         \
      s->strm->total_lo++;                                                                         \
      if (s->strm->total_lo == 0)                                                                  \
        s->strm->total_hi++;                                                                       \
    }
int decode(struct st *s) {
  int ret = 0, a = s->a, b = s->b, c = s->c;
  switch (s->state) {
  case 0:
  again:
    GET_BITS(10, a, 8);
    if (a == 0x42)
      RETURN(3);
    GET_BITS(11, b, 3);
    GET_BITS(12, c, 5);
    if (a + b + c > 0)
      goto again;
    RETURN(2);
  default:
    RETURN(4);
  }
save:
  s->a = a;
  s->b = b;
  s->c = c;
  return ret;
}
int main(void) {
  static unsigned char in[4096];
  for (int i = 0; i < 4096; i++)
    in[i] = (unsigned char)(i * 7 + 1);
  struct strm m = {in, sizeof in, 0, 0};
  struct st s = {0};
  s.strm = &m;
  int n = 0, r;
  while ((r = decode(&s)) == 1 && n < 4) {
    n++;
    m.next_in = in;
    m.avail_in = sizeof in;
  }
  printf("%d %d %d\n", n, r, s.a + s.b + s.c);
  return 0;
}
