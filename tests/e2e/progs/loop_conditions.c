/* Loops whose condition is several tests (`&&`, `||`): leaving through any
 * part of the condition is the condition failing, not an iteration; a
 * `break` at the top of the body is one (find).  Counts in the .expect. */
#include <stdio.h>

volatile int sink;

__attribute__((noinline)) int search(const int *a, int n, int key) {
  int i;
  for (i = 0; i < n && a[i] != key; i++) /* SEARCH */
    sink += i;
  return i;
}

__attribute__((noinline)) int skip(const int *a, int n) {
  int i = 0;
  while (i < 3 || a[i] != 0) /* SKIP */
    i++;
  return i + n;
}

__attribute__((noinline)) int match(const unsigned char *p, const unsigned char *q) {
  unsigned l = 1;
  while (l < 32 && p[l] == q[l]) /* MATCH */
    l++;
  return (int)l;
}

__attribute__((noinline)) int breaks(const int *a, int n) {
  int i = 0;
  while (i < n) { /* BREAKS */
    if (a[i] == 0)
      break;
    sink += a[i];
    i++;
  }
  return i;
}

/* a condition that loads and a break on the first test of the body: clang
 * folds both tests into one branch, which is then the condition and the
 * break at once (pigz's join_) */
struct node {
  struct node *next;
  int id;
};
__attribute__((noinline)) int find(struct node **prior, const struct node *want) {
  struct node *m;
  while ((m = *prior) != NULL) { /* FIND */
    if (m == want)
      break;
    prior = &m->next;
  }
  return m ? m->id : -1;
}

/* a negated `||`: clang -O0 negates the join of the two tests */
__attribute__((noinline)) int to_eol(const char *s) {
  int n = 0;
  while (!(s[n] == '\n' || s[n] == '\r')) /* TO_EOL */
    n++;
  return n;
}

/* a condition over two lines, with char literals (GCC -O2 makes its six
 * tests a switch, without a place of its own: mawk's do_printf) */
__attribute__((noinline)) int flags(const char *q) {
  int n = 0;
  while (*q == '-' || *q == '+' || *q == ' ' ||
         *q == '#' || *q == '0' || *q == '\'') { /* FLAGS */
    n++;
    q++;
  }
  return n;
}

int main(void) {
  int a[10] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1};
  unsigned char p[40] = {0}, q[40] = {0};
  int t = 0;
  for (int r = 0; r < 10; r++) {
    t += search(a, 10, 0);  /* 5 iterations, left by a[i] != key */
    t += search(a, 10, 7);  /* 10, left by i < n */
    t += search(a, 0, 7);   /* 0 */
    t += skip(a, 0);        /* 5, left by a[i] != 0 (i < 3 false first) */
    q[5] = 1;
    t += match(p, q);       /* 4, left by p[l] == q[l] */
    q[5] = 0;
    t += match(p, q);       /* 31, left by l < 32 */
    t += breaks(a, 10);     /* 5 bodies begun, the 6th left by the break: 6 */
  }
  struct node n3 = {NULL, 3}, n2 = {&n3, 2}, n1 = {&n2, 1};
  struct node *list = &n1;
  struct node *want[4] = {NULL, &n1, &n2, &n3};
  for (int r = 0; r < 4; r++)
    t += find(&list, want[r]); /* NULL: all 3 nodes, no break; n1..n3: 1, 2, 3 by the break */
  t += to_eol("abcd\n") + to_eol("\r") + to_eol("xy\r");
  t += flags("-+ x") + flags("x") + flags("#0'-9");
  printf("%d\n", t);
  return 0;
}
