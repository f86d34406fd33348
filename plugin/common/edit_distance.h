/* Edit distance (Levenshtein) between two short names, or (size_t)-1 past
 * 64 characters: the typo suggestions of the policy library ("did you
 * mean") and of the runtime's settings (AUTOPROF_OUPUT).  Header-only: the
 * runtime links nothing of the policy library. */
#ifndef AUTOPROF_EDIT_DISTANCE_H
#define AUTOPROF_EDIT_DISTANCE_H

#include <stddef.h>
#include <string.h>

static inline size_t ap_edit_distance(const char *a, const char *b) {
  enum { MAX = 64 };
  size_t la = strlen(a), lb = strlen(b), row[MAX + 1];
  if (la > MAX || lb > MAX)
    return (size_t)-1;
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  return row[lb];
}

#endif
