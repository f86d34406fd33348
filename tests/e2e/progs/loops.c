/* Loop counts: every loop shape, exact entries and iterations at every -O
 * level.  `iterations` = times the body ran; a final test that leaves the
 * loop is not one. */
#include <stdio.h>
volatile int sink; int width = 3, rounds = 10; /* not constants: LLVM unrolls those early */
int a[1000];

__attribute__((noinline)) int sum(const int *v, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) /* LOOP sum */
    s += v[i];
  return s;
}

__attribute__((noinline)) int find(const int *v, int n, int x) {
  int i = 0;
  while (i < n) { /* LOOP find: left by break */
    if (v[i] == x)
      break;
    i++;
  }
  return i;
}

__attribute__((noinline, noclone)) int countdown(int n) {
  int k = 0;
  do { /* do-while: its line is the one of `while` below */
    k += n;
    sink = k;
  } while (--n > 0); /* LOOP countdown */
  return k;
}

__attribute__((noinline)) int triangle(int n) {
  int t = 0;
  for (int i = 0; i < n; i++) /* LOOP triangle outer */
    for (int j = 0; j < i; j++) /* LOOP triangle inner */
      t += i ^ j + sink;
  return t;
}

__attribute__((noinline)) int first_negative(const int *v, int n) {
  for (int i = 0; i < n; i++) /* LOOP first_negative: left by return */
    if (v[i] < 0)
      return i;
  return -1;
}

__attribute__((noinline)) int with_goto(int n) {
  int i = 0;
again:
  sink = i;
  if (++i < n) /* LOOP with_goto */
    goto again;
  return i;
}

__attribute__((noinline, noclone)) int depth_sum(int d) {
  int s = 0;
  for (int i = 0; i < width; i++) /* LOOP depth_sum: in a recursive function */
    s += d > 0 ? depth_sum(d - 1) : i + sink;
  return s;
}

static inline int helper(int n) {
  int t = 0;
  for (int i = 0; i < n; i++) /* LOOP helper: inlined at -O2 */
    t += i * sink;
  return t;
}

__attribute__((noinline)) int uses_helper(int n) { return helper(n) + helper(n + 1); }

int main(void) {
  for (int i = 0; i < 1000; i++) /* LOOP main fill */
    a[i] = i;
  a[700] = -5;
  int t = 0;
  for (int r = 0; r < rounds; r++) { /* LOOP main rounds */
    t += sum(a, 1000);
    t += find(a, 1000, 300) + find(a, 50, -1);
    t += countdown(5);
    t += first_negative(a, 1000);
  }
  t += triangle(100);
  t += with_goto(7);
  t += depth_sum(3);
  t += uses_helper(10);
  extern long big_nest(int);
  t += big_nest(50);
  extern long huge_nest(int), entries(int);
  t += huge_nest(10) + entries(5);
  printf("%d\n", t);
  return 0;
}

/* A nest with more inner loops than the plugin keeps in registers: their
 * figures live in a local array and one call reports them all. */
int three = 3; /* not a constant to the compiler: loop B is not unrolled */

/* (each inner loop reads `sink`, so neither compiler computes it in closed
 * form and removes it) */
__attribute__((noinline)) long big_nest(int n) {
  long s = sink = 0;
  for (int r = 0; r < n; r++) { /* BIG OUTER */
    for (int a = 0; a < r; a++) /* BIG A */
      s += a ^ sink;
    for (int b = 0; b < three; b++) /* BIG B */
      s ^= b * sink;
    for (int c = r; c > 0; c -= 2) /* BIG C */
      s += c | sink;
    int d = 0;
    while (d < (r & 7)) /* BIG D */
      d += 1 + sink;
    s += d;
    for (int e = 0; e < 2 + (r & 1); e++) /* BIG E */
      s -= e + sink;
    if (r == 40)
      break;
  }
  return s;
}

/* More inner loops than the plugin keeps in registers (16): their figures
 * go through one local array and one call per exit of the nest.  The 17
 * loops come from one macro line, so they are one loop of the source. */
#define INNER for (int k = 0; k < 2 + sink; k++) s += k;
__attribute__((noinline)) long huge_nest(int n) {
  long s = sink = 0;
  for (int r = 0; r < n; r++) { /* HUGE OUTER */
    INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER INNER
  }
  return s;
}

/* Entries LLVM takes out of the loop: its first test becomes a guard in
 * front of it (LoopRotate), sometimes folded into an earlier test or sent
 * around by jump threading; peeled iterations.  Zero-trip entries and
 * iterations must still be what the source says (n runs -2..4 below). */
volatile int vsink;
int data[64] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1};
struct node { struct node *next; int v; } cells[4] = {{&cells[1], 1}, {&cells[2], 2}, {&cells[3], 3}, {0, 4}};
static const int steps[] = {1, 4, 13, 40, 121, 364, 1093, 3280};

__attribute__((noinline)) int plain(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) /* SHAPE plain: zero-trip when n <= 0 */
    s += data[i] ^ vsink;
  return s;
}

__attribute__((noinline)) int under_if(int x, int n) {
  int s = 0;
  if (x) /* LLVM folds the loop's first test into this one: x && n > 0 */
    for (int i = 0; i < n; i++) /* SHAPE under_if */
      s += data[i] ^ vsink;
  return s;
}

__attribute__((noinline)) int proven(int n) {
  int s = 0;
  if (n > 0) /* the loop's first test is known to pass: no zero-trip entry */
    for (int i = 0; i < n; i++) /* SHAPE proven */
      s += data[i] ^ vsink;
  return s;
}

__attribute__((noinline)) int threaded(int n) {
  int s = 0;
  if (n <= 0) /* jump threading sends these entries around the loop's test */
    vsink = 1;
  for (int i = 0; i < n; i++) /* SHAPE threaded */
    s += data[i] ^ vsink;
  for (int i = 0; i < n; i++) /* SHAPE second: the same test again */
    s -= data[i] * vsink;
  return s;
}

__attribute__((noinline)) int busy_header(int n) {
  int s = 0, i = 0;
  while (vsink = i, i < n) { /* SHAPE busy_header: the test stores (no iteration when it fails) */
    s += i;
    i++;
  }
  return s;
}

__attribute__((noinline)) int peeled(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) { /* SHAPE peeled: LLVM runs two iterations before the loop */
    if (i < 2)
      s += vsink;
    else
      s += data[i];
  }
  return s;
}

__attribute__((noinline)) int search(int n) {
  if (n < 2)
    return 0;
  int h = 0;
  while (steps[h] < n) /* SHAPE search: one block in LLVM, first test known */
    h++;
  return h;
}

__attribute__((noinline)) int walk(struct node *p) {
  int s = 0;
  struct node *q;
  while ((q = p->next) != 0) { /* SHAPE walk: the test assigns a local */
    s += q->v;
    p = q;
  }
  return s;
}

__attribute__((noinline)) int nested(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) /* SHAPE nested outer */
    for (int j = 0; j < i % 3; j++) /* SHAPE nested inner: zero-trip when i % 3 == 0 */
      s += data[j] ^ vsink;
  return s;
}

int lo = -2, hi = 5; /* not constants: LLVM would unroll the loop */
long entries(int reps) {
  long t = 0;
  for (int r = 0; r < reps; r++) /* SHAPE entries */
    for (int n = lo; n < hi + (r >> 10); n++) /* SHAPE entries n */
      t += plain(n) + under_if(n & 1, n) + proven(n) + threaded(n) + busy_header(n) +
           peeled(n) + search(n * 40) + walk(&cells[n & 3]) + nested(n);
  return t;
}
