/* device.c: toolchain workarounds at module init, and judging where kernels really run.
 *
 * The OpenMP side (probing with a target region) is in appy/offload.h, compiled into each
 * module by its offload compiler; this file only interprets the result, so it stays
 * plain C. Facts behind the workarounds: shared/gpu/README.md. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

/* Exported by libLLVM.so.19.1, which libomptarget.so.19.1 loads; NULL elsewhere. */
extern void LLVMInitializeNVPTXTargetInfo(void) __attribute__((weak));
extern void LLVMInitializeNVPTXTarget(void) __attribute__((weak));
extern void LLVMInitializeNVPTXTargetMC(void) __attribute__((weak));
extern void LLVMInitializeNVPTXAsmPrinter(void) __attribute__((weak));

static char compiler[16] = "?";  /* as given to appy_runtime_init */

typedef appy_fn init_fn;

appy_fn appy_dlfunc(void *lib, const char *name)
{
  void *p = dlsym(lib, name);
  appy_fn f;
  memcpy(&f, &p, sizeof f);
  return f;
}

/* LLVM 19's JIT (-fopenmp-target-jit) finds no target for nvptx64 unless the NVPTX back
 * end is registered in the process first: "Unable to find target for this triple". */
static void register_nvptx(void)
{
  static const char *const names[] = {
    "LLVMInitializeNVPTXTargetInfo", "LLVMInitializeNVPTXTarget",
    "LLVMInitializeNVPTXTargetMC", "LLVMInitializeNVPTXAsmPrinter",
  };
  init_fn weak[] = {
    LLVMInitializeNVPTXTargetInfo, LLVMInitializeNVPTXTarget,
    LLVMInitializeNVPTXTargetMC, LLVMInitializeNVPTXAsmPrinter,
  };
  void *llvm = NULL;
  for (int i = 0; i < 4; i++) {
    init_fn f = weak[i] ? weak[i] : appy_dlfunc(RTLD_DEFAULT, names[i]);
    if (!f && (llvm || (llvm = dlopen("libLLVM.so.19.1", RTLD_LAZY | RTLD_NOLOAD))))
      f = appy_dlfunc(llvm, names[i]);
    if (f)
      f();
  }
  if (llvm)
    dlclose(llvm);
}

static int executable(const char *dir, size_t len)
{
  char path[4096];
  if (len == 0 || len + sizeof "/ptxas" > sizeof path)
    return 0;
  snprintf(path, sizeof path, "%.*s/ptxas", (int)len, dir);
  return access(path, X_OK) == 0;
}

static int ptxas_on_path(void)
{
  const char *p = getenv("PATH");
  while (p && *p) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (executable(p, len))
      return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

/* The JIT runs ptxas by name; CUDA installs often leave it off PATH. */
static void find_ptxas(void)
{
  const char *home = getenv("CUDA_HOME"), *path = getenv("PATH");
  char dirs[2][4096], *newpath;
  if (ptxas_on_path())
    return;
  snprintf(dirs[0], sizeof dirs[0], "%s/bin", home ? home : "");
  snprintf(dirs[1], sizeof dirs[1], "/usr/local/cuda/bin");
  for (int i = home ? 0 : 1; i < 2; i++) {
    if (!executable(dirs[i], strlen(dirs[i])))
      continue;
    if (!(newpath = malloc(strlen(dirs[i]) + (path ? strlen(path) : 0) + 2)))
      return;
    sprintf(newpath, "%s%s%s", dirs[i], path && *path ? ":" : "", path ? path : "");
    setenv("PATH", newpath, 1);
    free(newpath);
    return;
  }
}

int appy_runtime_init(const char *comp)
{
  snprintf(compiler, sizeof compiler, "%s", comp);
  appy_stage_share();
  if (strcmp(comp, "clang") == 0) {
    register_nvptx();
    find_ptxas();
  }
  return 0;
}

int appy_offload_built(void)
{
  return strcmp(compiler, "none") != 0;
}

int appy_device_is_host(void)
{
  return strcmp(compiler, "clang-host") == 0;
}

static int mandatory(void)
{
  const char *s = getenv("OMP_TARGET_OFFLOAD");
  return s && strcasecmp(s, "mandatory") == 0;
}

/* Why OpenMP might see no device, as far as this process can tell. */
static void diagnose(char *buf, size_t n)
{
  void *cuda = dlopen("libcuda.so.1", RTLD_LAZY);
  size_t k = 0;
  buf[0] = '\0';
  if (!cuda)
    k += snprintf(buf + k, n - k, " the NVIDIA driver library libcuda.so.1 cannot be loaded;");
  else
    dlclose(cuda);
  if (k < n && strcmp(compiler, "clang") == 0 && !ptxas_on_path())
    k += snprintf(buf + k, n - k, " ptxas is not on PATH (clang's JIT needs it);");
  if (k < n && strcmp(compiler, "gcc") == 0) {
    void *plugin = dlopen("libgomp-plugin-nvptx.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (!plugin)
      k += snprintf(buf + k, n - k, " libgomp-plugin-nvptx.so.1 is not loaded;");
    else
      dlclose(plugin);
  }
  if (k < n)
    snprintf(buf + k, n - k, " or the module's device image does not suit this GPU");
}

static int mandatory_error(int ndev)
{
  char why[512];
  if (!appy_offload_built()) {
    PyErr_SetString(PyExc_RuntimeError,
                    "appy: OMP_TARGET_OFFLOAD=MANDATORY, but this module was built without "
                    "offload (compiler 'none'); rebuild it with clang or gcc offload, or "
                    "unset OMP_TARGET_OFFLOAD");
    return -1;
  }
  if (ndev > 0) {
    PyErr_Format(PyExc_RuntimeError,
                 "appy: OMP_TARGET_OFFLOAD=MANDATORY, but a probe kernel ran on the host "
                 "although OpenMP sees %d device(s): the module's device image (built with "
                 "%s) is unusable here", ndev, compiler);
    return -1;
  }
  diagnose(why, sizeof why);
  PyErr_Format(PyExc_RuntimeError,
               "appy: OMP_TARGET_OFFLOAD=MANDATORY, but OpenMP found no offload device "
               "(module built with %s). Likely causes:%s", compiler, why);
  return -1;
}

/* How the host thread waits for the GPU. LLVM's offload runtime switches the CUDA primary
 * context to CU_CTX_SCHED_BLOCKING_SYNC, so every synchronous kernel launch ends with the
 * thread put to sleep and woken by an interrupt: 20-45 us per launch on an H100 (a 0.13 ms
 * SpMV kernel took 0.17 ms from launch to return). CUDA's default, CU_CTX_SCHED_AUTO,
 * spins while the process has fewer GPU contexts than CPU cores, as CuPy and PyTorch do.
 * Set on the contexts the offload runtime has made active, after the first kernel;
 * APPY_GPU_WAIT=block keeps the blocking wait (frees the core while kernels run). */
static void cuda_wait_policy(void)
{
  enum { SCHED_MASK = 0x7, SCHED_AUTO = 0x0 };
  const char *how = getenv("APPY_GPU_WAIT");
  void *cuda;
  int n = 0;
  if (how && strcasecmp(how, "block") == 0)
    return;
  if (!(cuda = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD)))
    return;
  int (*count)(int *) = (int (*)(int *))appy_dlfunc(cuda, "cuDeviceGetCount");
  int (*get)(int *, int) = (int (*)(int *, int))appy_dlfunc(cuda, "cuDeviceGet");
  int (*state)(int, unsigned *, int *) =
      (int (*)(int, unsigned *, int *))appy_dlfunc(cuda, "cuDevicePrimaryCtxGetState");
  int (*set)(int, unsigned) = (int (*)(int, unsigned))appy_dlfunc(cuda, "cuDevicePrimaryCtxSetFlags_v2");
  if (count && get && state && set && count(&n) == 0)
    for (int i = 0; i < n; i++) {
      int dev, active = 0;
      unsigned flags = 0;
      if (get(&dev, i) == 0 && state(dev, &flags, &active) == 0 && active &&
          (flags & SCHED_MASK) != SCHED_AUTO)
        set(dev, (flags & ~(unsigned)SCHED_MASK) | SCHED_AUTO);
    }
  dlclose(cuda);
}

int appy_offload_verdict(int ndev, int on_device)
{
  if (on_device) {
    if (strcmp(compiler, "clang") == 0)
      cuda_wait_policy();
    return 0;
  }
  if (mandatory())
    return mandatory_error(ndev);
  if (ndev > 0 && appy_offload_built())
    return PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                            "appy: a GPU is present but kernels ran on the host: OpenMP sees "
                            "%d device(s), yet a probe kernel of this module (built with %s) "
                            "ran on the host; set OMP_TARGET_OFFLOAD=MANDATORY to make this an "
                            "error", ndev, compiler);
  return 0;
}

/* The CUDA driver, if it is already loaded (for dlclose), and in *handle the CUdevice with
 * ordinal dev; NULL if there is no driver or no such device. */
static void *cuda_device(int dev, int *handle)
{
  void *cuda = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  int (*get)(int *, int) = cuda ? (int (*)(int *, int))appy_dlfunc(cuda, "cuDeviceGet") : NULL;
  if (cuda && (!get || get(handle, dev) != 0)) {
    dlclose(cuda);
    cuda = NULL;
  }
  return cuda;
}

/* The CUDA name of the device with this ordinal, if the driver is already loaded. */
static const char *gpu_name(int dev, char *buf, int n)
{
  int handle;
  const char *r = "unknown GPU";
  void *cuda = cuda_device(dev, &handle);
  if (!cuda)
    return r;
  int (*name)(char *, int, int) = (int (*)(char *, int, int))appy_dlfunc(cuda, "cuDeviceGetName");
  if (name && name(buf, n, handle) == 0)
    r = buf;
  dlclose(cuda);
  return r;
}

void appy_device_caches(int dev, size_t *l2, int *sms)
{
  enum { MULTIPROCESSOR_COUNT = 16, L2_CACHE_SIZE = 38 };   /* CUdevice_attribute */
  int handle, v2 = 0, vs = 0;
  void *cuda = cuda_device(dev, &handle);
  *l2 = 0;
  *sms = 0;
  if (!cuda)
    return;
  int (*attr)(int *, int, int) =
      (int (*)(int *, int, int))appy_dlfunc(cuda, "cuDeviceGetAttribute");
  if (attr && attr(&v2, L2_CACHE_SIZE, handle) == 0 &&
      attr(&vs, MULTIPROCESSOR_COUNT, handle) == 0 && v2 > 0 && vs > 0) {
    *l2 = (size_t)v2;
    *sms = vs;
  }
  dlclose(cuda);
}

PyObject *appy_device_describe(int ndev, int dev, int on_device)
{
  char name[256];
  if (on_device && appy_device_is_host())
    return PyUnicode_FromFormat("device: OpenMP device %d of %d (the host CPU, clang-host)",
                                dev, ndev);
  if (on_device)
    return PyUnicode_FromFormat("gpu: OpenMP device %d of %d (%s)", dev, ndev,
                                gpu_name(dev, name, sizeof name));
  if (!appy_offload_built())
    return PyUnicode_FromFormat("host: module built without offload (OpenMP sees %d "
                                "device(s))", ndev);
  if (ndev == 0)
    return PyUnicode_FromString("host: no OpenMP offload device");
  return PyUnicode_FromFormat("host: OpenMP sees %d device(s), but this module's kernels run "
                              "on the host", ndev);
}

void appy_register_module(PyObject *module)
{
  PyObject *appy = PyImport_ImportModule("appy"), *r = NULL;
  if (appy)
    r = PyObject_CallMethod(appy, "_register", "O", module);
  Py_XDECREF(r);
  Py_XDECREF(appy);
  PyErr_Clear();   /* no appy package, or an older one: appy.device will not see us */
}

int appy_python_host(PyObject *module, const char *source, const char *filename,
                     const char *loops)
{
  PyObject *host = PyImport_ImportModule("appy._host"), *r;
  if (!host) {
    PyObject *name = PyModule_GetNameObject(module);
    if (PyErr_ExceptionMatches(PyExc_ImportError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_ImportError,
                   "module %S keeps the host code of some functions as Python, which needs "
                   "the appy package installed with appy-omp (python/appy; put it on "
                   "PYTHONPATH)", name ? name : Py_None);
    }
    Py_XDECREF(name);
    return -1;
  }
  r = PyObject_CallMethod(host, "install", "Osss", module, source, filename, loops);
  Py_DECREF(host);
  if (!r)
    return -1;
  Py_DECREF(r);
  return 0;
}
