/* Loop conditions made of calls the compiler inlines: `while
 * (!block_follow(ls))` (a switch returning the truth), `while
 * (testnext(ls, ','))` (it consumes what it tests), `while (single(s +
 * i)) i++;` — Lua's parser and pattern matcher.  The condition is the
 * loop's test however it is compiled, and the loop is the one written
 * where the call is (GCC reported it inside the inlined callee, at its
 * line and as its origin, and counted every run of the test).  Exact
 * counts in loop_inline_conditions.expect. */
#include <stdio.h>

typedef struct {
  const char *p;
  int token;
} lexer;

volatile int sink;

__attribute__((noinline)) void next(lexer *ls) {
  ls->token = *ls->p ? *ls->p++ : 0;
}

static int block_follow(lexer *ls) {
  switch (ls->token) {
  case 'e':
  case 'u':
  case 0:
    return 1;
  default:
    return 0;
  }
}

static int testnext(lexer *ls, int c) {
  if (ls->token == c) {
    next(ls);
    return 1;
  }
  return 0;
}

static void statlist(lexer *ls) {
  while (!block_follow(ls)) { /* STATLIST */
    sink += ls->token;
    next(ls);
  }
}

__attribute__((noinline)) int body(lexer *ls) {
  next(ls);
  statlist(ls);
  if (ls->token == 'e')
    next(ls);
  int n = 1;
  while (testnext(ls, ',')) /* EXPLIST */
    n++;
  return n;
}

static int single(const char *s) {
  return *s == 'a' || *s == 'b';
}

__attribute__((noinline)) int expand(const char *s) {
  int i = 0;
  while (single(s + i)) /* EXPAND */
    i++;
  return i;
}

/* a for whose step is an inlined call, with an empty body (sed's
 * check_final_program): the loop is written in drain, not in pop */
struct item {
  struct item *next;
};
static struct item *pop(struct item *it) {
  sink++;
  return it->next;
}
__attribute__((noinline)) void drain(struct item *list) {
  for (struct item *it = list; it; it = pop(it)) /* DRAIN */
    ;
}

/* Lua's statlist: a `return` at the top of the body on the token the
 * condition switches on (clang -O2 folds that test into the condition's
 * switch: the exit is the body's, one iteration) */
static void statlist_r(lexer *ls) {
  while (!block_follow(ls)) { /* STATLIST_R */
    if (ls->token == 'r') {
      sink += ls->token;
      next(ls);
      return;
    }
    sink += ls->token;
    next(ls);
  }
}

__attribute__((noinline)) int body_r(lexer *ls) {
  next(ls);
  statlist_r(ls);
  return ls->token;
}

int main(void) {
  static const char *texts[] = {"sse,,x", "e", "xe,", "ssss"};
  int t = 0;
  for (int r = 0; r < 4; r++) {
    lexer ls = {texts[r], 0};
    t += body(&ls);
  }
  t += expand("abba!") + expand("") + expand("ba") + expand("c");
  struct item c3 = {NULL}, c2 = {&c3}, c1 = {&c2};
  drain(&c1);
  drain(NULL);
  static const char *stats[] = {"sse", "e", "xre", "ssss", "u", "rx"};
  for (int r = 0; r < 6; r++) {
    lexer ls = {stats[r], 0};
    t += body_r(&ls);
  }
  printf("%d\n", t);
  return 0;
}
