/* Loops entered again from inside themselves (recursion): a quicksort whose
 * partition loop calls the sort, a tree walk whose loop over the children
 * calls the walk, and a loop reached again through another function.  Each
 * moment counts once in a loop's time; the nested entries are counted as
 * such, and the counts stay exact. */
#include <stdio.h>
#include <stdlib.h>

static unsigned seed = 12345;
static unsigned next_rand(void) {
  seed = seed * 1103515245u + 12345u;
  return (seed >> 8) & 0xffff;
}

__attribute__((noinline)) static void qsort_range(int *v, int lo, int hi) {
  while (lo < hi) { /* one entry per call with lo < hi */
    int pivot = v[hi], i = lo;
    for (int j = lo; j < hi; j++)
      if (v[j] < pivot) {
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
      }
    int t = v[i];
    v[i] = v[hi];
    v[hi] = t;
    if (i - lo < hi - i) {
      qsort_range(v, lo, i - 1);
      lo = i + 1;
    } else {
      qsort_range(v, i + 1, hi);
      hi = i - 1;
    }
  }
}

struct node {
  struct node *kids[4];
  int nkids;
  int value;
};

static struct node pool[1365]; /* a full 4-ary tree of depth 5: 1 + 4 + ... + 1024 */
static int used;

static struct node *build(int depth) {
  struct node *n = &pool[used++];
  n->value = used;
  n->nkids = depth ? 4 : 0;
  for (int i = 0; i < n->nkids; i++)
    n->kids[i] = build(depth - 1);
  return n;
}

/* about 40 ns of work per node, so that the times compared are not mostly
 * the probes' (compensated) cost */
#define MIX(h) h = (h ^ (h >> 15)) * 0x2c1b3c6du
#define MIX8(h)                                                                                    \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h);                                                                                          \
  MIX(h)

static long visits; /* a side effect: no compiler may hoist the walk out of main's loop */
__attribute__((noinline)) static long walk(const struct node *n) {
  unsigned h = (unsigned)n->value;
  MIX8(h);
  MIX8(h);
  MIX8(h);
  MIX8(h);
  long sum = (h & 1) + visits++ % 2;
  for (int i = 0; i < n->nkids; i++) /* 341 inner nodes per walk */
    sum += walk(n->kids[i]);
  return sum;
}

__attribute__((noinline)) static int ping(int n);
__attribute__((noinline)) static int pong(int n) {
  return n > 0 ? ping(n - 1) + 1 : 0;
}
__attribute__((noinline)) static int ping(int n) {
  int r = 0;
  for (int k = 0; k < 2 && n > 0; k++)
    r += pong(n - 1);
  return r;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5000;
  int *v = malloc((size_t)n * sizeof *v);
  for (int i = 0; i < n; i++)
    v[i] = (int)next_rand();
  qsort_range(v, 0, n - 1);
  for (int i = 1; i < n; i++)
    if (v[i - 1] > v[i])
      return 1;
  struct node *root = build(5);
  long total = 0;
  for (int r = 0; r < 200; r++)
    total += walk(root);
  int p = ping(8);
  printf("%d %d %ld %d\n", v[0], v[n - 1], total, p);
  free(v);
  return 0;
}
