/* Loop-heavy microbenchmark: nests with short and long trip counts, a
 * search loop with an early exit, a reduction the vectorizer takes, and a
 * data-dependent while loop.  Prints a checksum so nothing is dropped. */
#include <stdio.h>
#include <stdlib.h>

#define N 512
static float A[N][N], B[N][N], C[N][N];
static int data[1 << 16];

__attribute__((noinline)) void matmul(int n) {
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      float a = A[i][k];
      for (int j = 0; j < n; j++)
        C[i][j] += a * B[k][j];
    }
}

__attribute__((noinline)) long short_trips(int rounds) {
  long s = 0;
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < (1 << 14); i++)
      for (int j = 0; j < (i & 3) + 1; j++) /* 1..4 iterations */
        s += data[(i + j) & 0xffff] ^ j;
  return s;
}

__attribute__((noinline)) int search(int key) {
  for (int i = 0; i < (1 << 16); i++)
    if (data[i] == key)
      return i;
  return -1;
}

__attribute__((noinline)) long collatz(long limit) {
  long total = 0;
  for (long i = 1; i < limit; i++) {
    long n = i;
    while (n != 1) {
      n = n & 1 ? 3 * n + 1 : n / 2;
      total++;
    }
  }
  return total;
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (float)(i ^ j) / N;
      B[i][j] = (float)(i + j) / N;
    }
  for (int i = 0; i < (1 << 16); i++)
    data[i] = (i * 2654435761u) >> 8;
  matmul(N / 2 * scale > N ? N : N / 2 * scale);
  long s = short_trips(40 * scale);
  long f = 0;
  for (int k = 0; k < 200 * scale; k++)
    f += search(data[(k * 7919) & 0xffff]);
  long c = collatz(300000L * scale);
  printf("%f %ld %ld %ld\n", C[7][9], s, f, c);
  return 0;
}
