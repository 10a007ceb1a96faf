/* dlopen()s librtprof.so (argv[1]) with RTPROF=1, uses it, dlclose()s it and
 * lives on past several sampler periods (t_dlclose.sh). */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 3;
  }
  bool (*enabled)(void) = (bool (*)(void))dlsym(h, "rtprof_enabled");
  void *(*alloc)(size_t) = (void *(*)(size_t))dlsym(h, "rt_alloc");
  void (*release)(void *) = (void (*)(void *))dlsym(h, "rt_free");
  if (!enabled || !alloc || !release) return 4;
  printf("enabled %d\n", (int)enabled());
  release(alloc(1000));
  dlclose(h);
  struct timespec ts = {0, 250 * 1000000L}; /* 10 x 250 ms: well past RTPROF_FLUSH=100 */
  for (int i = 0; i < 10; i++) nanosleep(&ts, NULL);
  puts("survived");
  return 0;
}
