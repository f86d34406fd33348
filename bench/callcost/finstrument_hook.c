/* An equivalent timing hook for -finstrument-functions: per thread, a shadow
 * stack and per-function call count / inclusive / exclusive time, with the
 * function found by address in an open-addressing table (the hook gets only
 * addresses).  Same clock (rdtsc) and same aggregation as autoprof's hot
 * path, so the comparison is of the instrumentation method. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#define NOI __attribute__((no_instrument_function))
struct fstat { void *fn; uint64_t calls, incl, excl; };
struct frame { struct fstat *f; uint64_t start, child; };
static __thread struct fstat table[4096];
static __thread struct frame stack[1024];
static __thread unsigned depth;

static NOI struct fstat *lookup(void *fn) {
  uintptr_t h = ((uintptr_t)fn >> 4) * 0x9E3779B97F4A7C15ull;
  for (unsigned i = (unsigned)(h >> 52);; i = (i + 1) & 4095) {
    if (table[i].fn == fn)
      return &table[i];
    if (!table[i].fn) {
      table[i].fn = fn;
      return &table[i];
    }
  }
}

NOI void __cyg_profile_func_enter(void *fn, void *site) {
  uint64_t now = __rdtsc();
  struct frame *fr = &stack[depth++ & 1023];
  fr->f = lookup(fn);
  fr->start = now;
  fr->child = 0;
}

NOI void __cyg_profile_func_exit(void *fn, void *site) {
  uint64_t now = __rdtsc();
  struct frame *fr = &stack[--depth & 1023];
  uint64_t dt = now - fr->start;
  fr->f->calls++;
  fr->f->incl += dt;
  fr->f->excl += dt - fr->child;
  if (depth)
    stack[(depth - 1) & 1023].child += dt;
}

static NOI __attribute__((destructor)) void report(void) {
  uint64_t calls = 0;
  for (unsigned i = 0; i < 4096; i++)
    calls += table[i].calls;
  if (getenv("HOOK_VERBOSE"))
    fprintf(stderr, "hook: %llu calls\n", (unsigned long long)calls);
}
