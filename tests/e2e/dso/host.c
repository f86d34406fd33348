/* Not instrumented: the only instrumented module is the plugin, unloaded
 * before the report (the runtime copied what it needs at registration).
 * With a second argument N: N rounds of dlopen, calls, dlclose — the
 * runtime, loaded with the plugin, stays (it is never unloaded) and
 * reports all rounds once, at exit. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int rounds = argc > 2 ? atoi(argv[2]) : 1, t = 0;
  for (int r = 0; r < rounds; r++) {
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
      printf("dlopen: %s\n", dlerror());
      return 1;
    }
    int (*pw)(int) = (int (*)(int))dlsym(h, "plugin_work");
    for (int i = 0; i < 7; i++)
      t += pw(100);
    dlclose(h);
  }
  printf("%d\n", t);
  return 0;
}
