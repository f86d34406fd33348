/* Memo probe cost and memory: a const function called N times with few
 * distinct arguments (mode 0) or with every argument distinct (mode 1,
 * millions of tuples: the evidence must stay within its budget). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) unsigned long mix(unsigned long x) {
  for (int i = 0; i < 8; i++)
    x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull;
  return x;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 4000000;
  int distinct = argc > 2 && atoi(argv[2]);
  unsigned long t = 0;
  for (long i = 0; i < n; i++)
    t += mix(distinct ? (unsigned long)i : (unsigned long)(i & 15));
  /* peak RSS of this program (VmHWM: ru_maxrss would carry the parent's
   * peak across exec) */
  long hwm = 0;
  char line[256];
  FILE *f = fopen("/proc/self/status", "r");
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0)
      hwm = atol(line + 6);
  if (f)
    fclose(f);
  printf("%lu %ld\n", t, hwm);
  return 0;
}
