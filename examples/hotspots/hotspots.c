/* A small program with known hot spots, for the demo and the tests:
 *   - sort_records(): an insertion sort, O(n^2), where most of the time goes;
 *   - checksum(): called once per record from a loop, hot but not dominant;
 *   - clamp(): a tiny helper called millions of times through a pointer the
 *     compiler cannot see through, so it stays a call (an inline candidate);
 * Build: gcc -O2 -g $(pkg-config --cflags autoprof) -c hotspots.c
 *        gcc hotspots.o $(pkg-config --libs autoprof) -o hotspots */
#include <stdio.h>
#include <stdlib.h>

struct record {
  unsigned key;
  unsigned payload[7];
};

static unsigned rng_state = 12345;

static unsigned next_random(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

__attribute__((noinline)) void fill(struct record *r, int n) {
  for (int i = 0; i < n; i++) {
    r[i].key = next_random() % 100000;
    for (int j = 0; j < 7; j++)
      r[i].payload[j] = next_random();
  }
}

__attribute__((noinline)) void sort_records(struct record *r, int n) {
  for (int i = 1; i < n; i++) {
    struct record x = r[i];
    int j = i - 1;
    while (j >= 0 && r[j].key > x.key) {
      r[j + 1] = r[j];
      j--;
    }
    r[j + 1] = x;
  }
}

__attribute__((noinline)) unsigned checksum(const struct record *r) {
  unsigned h = 2166136261u;
  for (int round = 0; round < 64; round++)
    for (int j = 0; j < 7; j++)
      h = (h ^ r->payload[j]) * 16777619u;
  return h;
}

__attribute__((noinline)) int clamp(int v, int lo, int hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

int (*volatile clamp_fn)(int, int, int) = clamp;

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 12000;
  struct record *r = malloc(sizeof *r * (size_t)n);
  if (!r)
    return 1;
  fill(r, n);
  sort_records(r, n);
  unsigned total = 0;
  for (int i = 0; i < n; i++)
    total ^= checksum(&r[i]);
  long clamped = 0;
  for (int i = 0; i < 2000000; i++)
    clamped += clamp_fn(i % 1000, 100, 900);
  printf("first=%u last=%u checksum=%u clamped=%ld\n", r[0].key, r[n - 1].key, total, clamped);
  free(r);
  return 0;
}
