/* A loop whose body ends in a test that leaves only into a noreturn call
 * (`if (err) die();`, as pigz's wait_for_): the loop is still tested at the
 * top, its iterations are the body's runs and its zero-trip entries are
 * counted.  GCC -O1+ finds die noreturn; at -O0 the `if` is a second path
 * back to the test, and GCC's loop discovery splits the loop into a nest
 * (counted as one loop: settle below is that shape with a returning call). */
#include <stdio.h>
#include <stdlib.h>

struct counter {
  long value;
};
long runs;

__attribute__((noinline)) int step(struct counter *c) {
  runs++;
  c->value++;
  return c->value > 1000000;
}

__attribute__((noinline)) void die(int err) {
  fprintf(stderr, "error %d\n", err);
  exit(1);
}

__attribute__((noinline)) void wait_until(struct counter *c, long target) {
  while (c->value != target) { /* LOOP */
    int err = step(c);
    if (err)
      die(err);
  }
}

/* the same shape left by `return`: a second exit, not the loop's test */
__attribute__((noinline)) void drain(struct counter *c, long target) {
  while (c->value != target) { /* LOOP drain */
    int err = step(c);
    if (err)
      return;
  }
}

/* two paths back to the test, one rare (printf returns): GCC's loop
 * discovery splits the loop into a nest; it is still one loop */
__attribute__((noinline)) void settle(struct counter *c, long target) {
  while (c->value != target) { /* LOOP settle */
    step(c);
    if (c->value > 1000000)
      printf("overflow\n");
  }
}

int main(void) {
  struct counter c = {0};
  drain(&c, 2);  /* 2 iterations */
  drain(&c, 2);  /* zero-trip */
  settle(&c, 5); /* 3 iterations */
  settle(&c, 5); /* zero-trip */
  c.value = 0;
  wait_until(&c, 3);          /* 3 iterations */
  wait_until(&c, 3);          /* zero-trip */
  wait_until(&c, 5);          /* 2 iterations */
  printf("runs %ld\n", runs); /* 10 */
  return 0;
}
