/* Not instrumented: the only instrumented module is the plugin, unloaded
 * before the report (the runtime copied what it needs at registration). */
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
  (void)argc;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
  int (*pw)(int) = (int (*)(int))dlsym(h, "plugin_work");
  int t = 0;
  for (int i = 0; i < 7; i++) t += pw(100);
  dlclose(h);
  printf("%d\n", t);
  return 0;
}
