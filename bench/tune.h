/* tune.h: what the standalone OpenMP timing programs of bench/ (tune_group.c,
 * tune_reduce.c) share: registering LLVM's NVPTX back end before the first kernel (the
 * JIT needs it; ../shared/gpu/README.md), CUDA's spinning wait, a comparison for qsort'ing times, and a pragma
 * built from macro arguments. */
#ifndef APPY_BENCH_TUNE_H
#define APPY_BENCH_TUNE_H

#include <dlfcn.h>
#include <string.h>

static void reg(void) {
  const char *n[] = {"LLVMInitializeNVPTXTargetInfo", "LLVMInitializeNVPTXTarget",
                     "LLVMInitializeNVPTXTargetMC", "LLVMInitializeNVPTXAsmPrinter"};
  void *l = dlopen("libLLVM.so.19.1", RTLD_LAZY);
  for (int i = 0; i < 4; i++) { void (*f)(void); void *p = l ? dlsym(l, n[i]) : 0; memcpy(&f, &p, sizeof f); if (f) f(); }
}
/* CUDA's default wait (spin while there are fewer contexts than cores) instead of the
 * blocking wait LLVM's offload runtime asks for, as runtime/device.c sets it for modules;
 * call once a kernel has run (the primary context must be active). */
static void spin(void) {
  void *l = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  void *g = l ? dlsym(l, "cuDeviceGet") : 0, *s = l ? dlsym(l, "cuDevicePrimaryCtxSetFlags_v2") : 0;
  int (*get)(int *, int); int (*set)(int, unsigned); int dev;
  memcpy(&get, &g, sizeof get); memcpy(&set, &s, sizeof set);
  if (get && set && get(&dev, 0) == 0) set(dev, 0);
}
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
#define DO_PRAGMA(x) _Pragma(#x)
#define PRAGMA(x) DO_PRAGMA(x)
#define RUNS 11

#endif
