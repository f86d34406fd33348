/* Prints the runtime settings table (flags.def) for docs/runtime-flags.md. */
#include "autoprof/autoprof.h"

int main(void) {
  autoprof_write_flags_doc(stdout);
  return 0;
}
