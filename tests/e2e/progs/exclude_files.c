/* functions.exclude_files: everything defined in a matching file is skipped,
 * including static inline functions from a header. */
#include <stdio.h>
#include "vendor/lib.h"
__attribute__((noinline)) int mine(int x) { return vendor_twice(x) + 1; }
int main(void) {
  int t = 0;
  for (int i = 0; i < 5; i++)
    t += mine(i);
  printf("%d\n", t);
  return 0;
}
