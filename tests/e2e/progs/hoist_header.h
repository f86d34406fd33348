/* A header whose inline function calls a pure function: once inlined into
 * a loop of hoist_header.c, the call's location is this file, the loop's
 * the other one. */
int weight(int v) __attribute__((pure, noinline));
static inline int scaled(int v) {
  return weight(v) * 3 + __builtin_clz((unsigned)v | 1u);
}
