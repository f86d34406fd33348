/* Every runtime setting of flags.def appears in docs/runtime-flags.md. */
#include <stdlib.h>

#include "../../check.h"
#include "autoprof/autoprof.h"

int main(int argc, char **argv) {
  static char doc[65536];
  FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
  CHECK(f != NULL);
  if (!f)
    TEST_DONE();
  doc[fread(doc, 1, sizeof doc - 1, f)] = 0;
  fclose(f);
  unsigned n = 0;
  for (const char *name; (name = autoprof_flag_name(n)); n++) {
    char want[128];
    snprintf(want, sizeof want, "`%s`", name);
    CHECK_CONTAINS(doc, want);
  }
  CHECK(n >= 14);
  TEST_DONE();
}
