/* Loops the vectorizer handles, for tests/plugin/vectorize.sh: the plugin's
 * loop counters must not change which loops GCC vectorizes. */
#include <stddef.h>

void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++)
    y[i] += a * x[i];
}

int dot(const int *a, const int *b, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

void scale_rows(double (*m)[64], int rows, double f) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < 64; c++)
      m[r][c] *= f;
}

unsigned char clamp_add(unsigned char *restrict out, const unsigned char *restrict a,
                        const unsigned char *restrict b, size_t n) {
  unsigned char last = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned s = a[i] + b[i];
    out[i] = last = s > 255 ? 255 : (unsigned char)s;
  }
  return last;
}

int count_equal(const short *a, short x, int n) {
  int c = 0;
  for (int i = 0; i < n; i++)
    c += a[i] == x;
  return c;
}

struct state {
  unsigned char len[6][258];
  int freq[6][258];
};

/* A nest GCC turns into memsets after hoisting the inner loop's guard. */
void reset(struct state *s, int groups, int alpha) {
  for (int t = 0; t < 6; t++)
    for (int v = 0; v < alpha; v++)
      s->len[t][v] = 15;
  for (int t = 0; t < groups; t++)
    for (int v = 0; v < alpha; v++)
      s->freq[t][v] = 0;
}

void transpose_add(float (*restrict d)[32], const float (*restrict a)[32], int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < 32; j++)
      d[i][j] += a[j][i];
}
