/* Loads dl_plugin.so with dlopen after start and calls it. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  void (*run)(void) = (void (*)(void))dlsym(h, "plugin_run");
  run();
  puts("plugin ran");
  return 0; /* not dlclosed: its sites must symbolize from the dump's module map */
}
