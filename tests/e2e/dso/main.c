#include <dlfcn.h>
#include <stdio.h>
int lib_work(int);
__attribute__((noinline)) int local_work(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }
int main(int argc, char **argv) {
  int t = 0;
  for (int i = 0; i < 10; i++) t += lib_work(100) + local_work(50);
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
  int (*pw)(int) = (int (*)(int))dlsym(h, "plugin_work");
  for (int i = 0; i < 7; i++) t += pw(100);
  if (argc > 2) dlclose(h); /* its site tables and strings go with it, before the report */
  printf("%d\n", t);
  return 0;
}
