/* Adaptive timing on a compiled program: short functions called millions of
 * times from several places (leaves, a leaf with a loop, a short non-leaf,
 * recursion), long ones called a few times.  adaptive.sh runs it with and
 * without AUTOPROF_EXACT_TIMING=1: every count and call path must agree. */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned sink;

__attribute__((noinline)) unsigned mix(unsigned x) { /* leaf */
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  return x ^ (x >> 15);
}

__attribute__((noinline)) unsigned scan(const unsigned char *s, unsigned n) { /* leaf, a loop */
  unsigned h = 0;
  for (unsigned i = 0; i < n; i++)
    h = h * 31 + s[i];
  return h;
}

__attribute__((noinline)) unsigned pair(unsigned a, unsigned b) { /* short, calls a leaf */
  return mix(a) + mix(b);
}

__attribute__((noinline)) unsigned depth(unsigned n) { /* short recursion */
  return n ? depth(n - 1) + mix(n) : 1;
}

__attribute__((noinline)) unsigned long long phase(unsigned rounds, unsigned seed) { /* long */
  unsigned char buf[16];
  unsigned long long acc = 0;
  for (unsigned r = 0; r < rounds; r++) {
    for (unsigned k = 0; k < 1 + r % 16; k++) /* an inner loop: counted, not timed */
      buf[k] = (unsigned char)(seed + r + k);
    acc += scan(buf, 1 + r % 16);
    acc += pair(r, seed);
    if (r % 64 == 0)
      acc += depth(r % 10);
    acc += mix(r);
  }
  return acc;
}

int main(int argc, char **argv) {
  unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
  unsigned long long total = 0;
  for (unsigned p = 0; p < 5; p++)
    total += phase(rounds, p);
  sink = (unsigned)total;
  printf("%llu\n", total);
  return 0;
}
