/* Loop conditions that call or store: `while ((c = getc(f)) != EOF)`.
 * The condition is the loop's test whatever it computes, so a run of it
 * that fails is no iteration (each such loop counted its header runs: one
 * iteration too many per entry, and no zero-trip entry).  A call made at
 * the top of the body, before a `break`, is the body's: it runs once more
 * than the rest.  Exact counts in loop_call_conditions.expect. */
#include <stdio.h>

static const char *text;
static int pos;
volatile int sink;

__attribute__((noinline)) int next(void) {
  return text[pos] ? text[pos++] : -1;
}

__attribute__((noinline)) const char *line(void) {
  return text[pos] ? &text[pos++] : NULL;
}

__attribute__((noinline)) int greater(const int *a, int i, int j) {
  return a[i] > a[j];
}

__attribute__((noinline)) int chars(const char *s) {
  int c, n = 0;
  text = s, pos = 0;
  while ((c = next()) != -1) /* GETC */
    n += c;
  return n;
}

__attribute__((noinline)) int chars_for(const char *s) {
  int n = 0;
  text = s, pos = 0;
  for (int c; (c = next()) != -1;) /* FORGETC */
    n += c;
  return n;
}

__attribute__((noinline)) int lines(const char *s) {
  int n = 0;
  text = s, pos = 0;
  while (line()) /* FGETS */
    n++;
  return n;
}

/* the call begins the body: it runs once more than the rest */
__attribute__((noinline)) int chars_break(const char *s) {
  int n = 0;
  text = s, pos = 0;
  for (;;) { /* BREAK */
    int c = next();
    sink = c;
    if (c == -1)
      break;
    n += c;
  }
  return n;
}

/* an insertion sort's inner loop: its test calls, its body may break */
__attribute__((noinline)) void isort(int *a, int n) {
  for (int i = 1; i < n; i++) {
    int j = i;
    while (greater(a, j - 1, j)) { /* ISORT */
      int t = a[j];
      a[j] = a[j - 1];
      a[j - 1] = t;
      if (--j == 0)
        break;
    }
  }
}

/* a condition whose parts call without testing (the arms of a `?:`, xz's
 * mythread_sync): its body runs once */
static volatile int locks;
__attribute__((noinline)) void lock(void) {
  locks++;
}
__attribute__((noinline)) void unlock(void) {
  locks--;
}
__attribute__((noinline)) int once(int x) {
  int r = 0;
  for (unsigned i = 0; i ? (unlock(), 0) : (lock(), 1); i = 1) /* ONCE */
    r += x;
  return r;
}

/* a condition under __builtin_expect (Lua's l_unlikely), a call at -O0 */
#define l_unlikely(x) __builtin_expect(((x) != 0), 0)
__attribute__((noinline)) int fill(int nres) {
  int k = 0;
  for (; l_unlikely(nres > 1); nres--) /* UNLIKELY */
    sink = k++;
  return k;
}

/* a call as the second test (clang -O0 counted an exit through it as an
 * iteration) */
__attribute__((noinline)) int ok(int i) {
  return i % 4 != 3;
}
__attribute__((noinline)) int run(int i, int n) {
  int c = 0;
  while (i < n && ok(i)) { /* ANDCALL */
    c++;
    i++;
  }
  return c;
}

/* va_arg in the condition (pigz's put): clang -O0 computes it on two
 * paths, joined before the test */
#include <stdarg.h>
__attribute__((noinline)) int sum_args(int first, ...) {
  va_list ap;
  int n, total = first;
  va_start(ap, first);
  while ((n = va_arg(ap, int)) != 0) /* VAARG */
    total += n;
  va_end(ap);
  return total;
}

int main(void) {
  static const char *inputs[] = {"hello", "", "ab", "autoprof"};
  int t = 0;
  for (int r = 0; r < 4; r++) {
    const char *s = inputs[r];
    t += chars(s) + chars_for(s) + lines(s) + chars_break(s);
  }
  int a[16];
  for (int i = 0; i < 16; i++)
    a[i] = (i * 7) % 16;
  isort(a, 16);
  for (int i = 0; i < 5; i++)
    t += once(i);
  for (int i = 0; i < 10; i++)
    t += fill(i % 3);
  for (int i = 0; i < 8; i++)
    t += run(i, 6);
  t += sum_args(1, 2, 3, 0) + sum_args(1, 0) + sum_args(0, 5, 0);
  printf("%d %d %d\n", t, a[0], a[15]);
  return 0;
}
