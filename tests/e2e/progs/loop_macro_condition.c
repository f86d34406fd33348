/* A loop condition written with function-like macros (cJSON's
 * buffer_skip_whitespace): GCC placed its tests in the macros'
 * definitions and took the condition for "no place of its own", counting
 * every run of the header (one iteration too many per entry, no zero-trip
 * entry: helper-22).  Ten buffers with 0..9 leading blanks: 9 entries, 45
 * iterations, trips 1..9, 1 zero-trip entry. */
#include <stdio.h>
#include <string.h>

struct buf {
  const char *content;
  size_t length, offset;
};

#define can_access_at_index(b, index) (((b) != NULL) && (((b)->offset + (index)) < (b)->length))
#define at_offset(b) ((b)->content + (b)->offset)

__attribute__((noinline)) size_t skip_blanks(struct buf *b) {
  while (can_access_at_index(b, 0) && (at_offset(b)[0] <= 32))
    b->offset++;
  return b->offset;
}

int main(void) {
  static char text[10][16];
  size_t sum = 0;
  for (int k = 0; k < 10; k++) {
    memset(text[k], ' ', (size_t)k);
    text[k][k] = 'x';
    struct buf b = {text[k], (size_t)k + 1, 0};
    sum += skip_blanks(&b);
  }
  printf("%zu\n", sum);
  return 0;
}
