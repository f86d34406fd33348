/* Runs a fuzz target over files and directories of inputs without libFuzzer,
 * so every committed corpus is a regression test under the normal compiler.
 * Usage: replay PATH...   (fails if it found no input at all) */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  /* exactly `len` bytes, so reads past the input trip the sanitizers */
  uint8_t *data = malloc(len > 0 ? (size_t)len : 1);
  if (!data || (len > 0 && fread(data, 1, (size_t)len, f) != (size_t)len)) {
    fprintf(stderr, "%s: cannot read\n", path);
    fclose(f);
    free(data);
    return -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(data, len > 0 ? (size_t)len : 0);
  free(data);
  return 0;
}

/* Returns the number of inputs run, or -1. */
static int run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path) == 0 ? 1 : -1;
  struct dirent **names;
  int n = scandir(path, &names, NULL, alphasort), runs = 0;
  if (n < 0) {
    perror(path);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
    if (names[i]->d_name[0] != '.' && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
      printf("replay %s\n", full);
      fflush(stdout);
      runs += run_file(full) == 0;
    }
    free(names[i]);
  }
  free(names);
  return runs;
}

int main(int argc, char **argv) {
  int total = 0;
  for (int i = 1; i < argc; i++) {
    int n = run_path(argv[i]);
    if (n < 0)
      return 1;
    total += n;
  }
  printf("%d input(s) replayed\n", total);
  return total > 0 ? 0 : 1;
}
