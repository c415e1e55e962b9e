/* copy.c: what the fast copies between NumPy memory and the GPU need from the host side.
 *
 * The CUDA driver copies ordinary (pageable) memory at 7-11 GB/s on an H200 and pinned
 * memory at about 55 (shared/gpu/README.md). appy/offload.h therefore copies a large array
 * in chunks through a few pinned staging buffers, one per host thread: while one thread
 * copies its chunk from the array into its buffer, others' buffers are on the bus. This
 * file keeps those buffers (the "stage") and decides the path; appy/offload.h does the
 * copying, with the module's OpenMP runtime.
 *
 *   APPY_COPY=stage      chunks through pinned buffers
 *   APPY_COPY=register   pins the array's own pages for the copy (cuMemHostRegister), then
 *                        unpins them: nothing stays pinned after the copy
 *   APPY_COPY=pageable   (default) the OpenMP runtime's own copy
 * The default stays pageable until the other paths have been measured on a GPU
 * (bench/copy_rates.py, tools/gpu-copy.sh); the host tests cover the chunking only.
 *   APPY_COPY_THREADS    host threads of a staged copy (default 8)
 *   APPY_COPY_CHUNK_KB   chunk size (default 8192)
 *   APPY_COPY_MIN_KB     smaller copies take the pageable path (default 4096): the threads'
 *                        start costs more than staging saves
 *   APPY_PINNED_MB       most pinned memory the stage may hold (default 64); threads are
 *                        cut to fit, and 0 turns staging off
 *
 * Each module has its own stage (the library is linked into each module), made at its first
 * large copy and kept for the next; a copy that finds it busy (another Python thread is
 * copying) takes the pageable path. Pinned memory comes from cuMemHostAlloc with
 * CU_MEMHOSTALLOC_PORTABLE, so it is pinned for every CUDA context: clang's offload runtime
 * uses the device's primary context, gcc's libgomp may make its own. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

enum { CU_MEMHOSTALLOC_PORTABLE = 1, CU_MEMHOSTREGISTER_PORTABLE = 1 };

typedef int (*cu_init_fn)(unsigned);
typedef int (*cu_device_get_fn)(int *, int);
typedef int (*cu_retain_fn)(void **, int);
typedef int (*cu_release_fn)(int);
typedef int (*cu_ctx_fn)(void *);
typedef int (*cu_ctx_pop_fn)(void **);
typedef int (*cu_host_alloc_fn)(void **, size_t, unsigned);
typedef int (*cu_host_free_fn)(void *);
typedef int (*cu_register_fn)(void *, size_t, unsigned);
typedef int (*cu_unregister_fn)(void *);

/* The CUDA driver's functions this file calls, looked up once. */
static struct {
  int tried, ok;
  int device;      /* CUdevice of ordinal 0, whose primary context is retained */
  void *ctx;
  cu_ctx_fn push;
  cu_ctx_pop_fn pop;
  cu_host_alloc_fn host_alloc;
  cu_host_free_fn host_free;
  cu_register_fn reg;
  cu_unregister_fn unreg;
} cu;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static appy_stage stage;       /* guarded by lock */
static int stage_busy;         /* guarded by lock */
static size_t pinned_now;      /* bytes pinned by this module now, guarded by lock */

/* Under lock. Loads libcuda and retains device 0's primary context; 0 if there is none. */
static int cuda_ready(void)
{
  if (cu.tried)
    return cu.ok;
  cu.tried = 1;
  void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (!lib)
    return 0;
  cu_init_fn init = (cu_init_fn)appy_dlfunc(lib, "cuInit");
  cu_device_get_fn get = (cu_device_get_fn)appy_dlfunc(lib, "cuDeviceGet");
  cu_retain_fn retain = (cu_retain_fn)appy_dlfunc(lib, "cuDevicePrimaryCtxRetain");
  cu.push = (cu_ctx_fn)appy_dlfunc(lib, "cuCtxPushCurrent_v2");
  cu.pop = (cu_ctx_pop_fn)appy_dlfunc(lib, "cuCtxPopCurrent_v2");
  cu.host_alloc = (cu_host_alloc_fn)appy_dlfunc(lib, "cuMemHostAlloc");
  cu.host_free = (cu_host_free_fn)appy_dlfunc(lib, "cuMemFreeHost");
  cu.reg = (cu_register_fn)appy_dlfunc(lib, "cuMemHostRegister_v2");
  cu.unreg = (cu_unregister_fn)appy_dlfunc(lib, "cuMemHostUnregister");
  /* libcuda stays loaded (the offload runtime holds it too): no dlclose */
  cu.ok = init && get && retain && cu.push && cu.pop && cu.host_alloc && cu.host_free &&
          cu.reg && cu.unreg && init(0) == 0 && get(&cu.device, 0) == 0 &&
          retain(&cu.ctx, cu.device) == 0;
  return cu.ok;
}

static size_t env_size(const char *name, size_t fallback)
{
  const char *s = getenv(name);
  char *end;
  unsigned long long v;
  if (!s || !*s)
    return fallback;
  v = strtoull(s, &end, 10);
  return *end ? fallback : (size_t)v;
}

int appy_copy_mode(void)
{
  static int mode = -1;
  if (mode < 0) {
    const char *s = getenv("APPY_COPY");
    mode = !s || !*s                ? APPY_COPY_PAGEABLE
           : !strcasecmp(s, "stage")    ? APPY_COPY_STAGE
           : !strcasecmp(s, "register") ? APPY_COPY_REGISTER
                                        : APPY_COPY_PAGEABLE;
  }
  return mode;
}

/* Under lock: pinned memory of n bytes (ordinary memory where the process has no CUDA
 * driver, so that the host tests exercise the chunking); NULL if it cannot be had. */
static char *pinned_alloc(size_t n)
{
  void *p = NULL, *popped;
  if (!cuda_ready())
    return getenv("APPY_COPY_HOST_TEST") ? malloc(n) : NULL;
  if (cu.push(cu.ctx) != 0)
    return NULL;
  if (cu.host_alloc(&p, n, CU_MEMHOSTALLOC_PORTABLE) != 0)
    p = NULL;
  cu.pop(&popped);
  return p;
}

static void pinned_free(char *p)
{
  if (cu.ok)
    cu.host_free(p);
  else
    free(p);
}

/* Under lock: the stage's buffers, made at the first use. 0 if it has any. */
static int stage_make(void)
{
  size_t chunk = env_size("APPY_COPY_CHUNK_KB", 8192) << 10;
  size_t cap = env_size("APPY_PINNED_MB", 64) << 20;
  size_t want = env_size("APPY_COPY_THREADS", 8);
  if (stage.n > 0)
    return 0;
  if (chunk == 0 || cap < chunk || want == 0)
    return -1;
  if (want > APPY_STAGE_MAX)
    want = APPY_STAGE_MAX;
  if (want > cap / chunk)
    want = cap / chunk;
  stage.chunk = chunk;
  while (stage.n < (int)want && (stage.slot[stage.n] = pinned_alloc(chunk))) {
    stage.n++;
    pinned_now += chunk;
  }
  return stage.n > 0 ? 0 : -1;
}

size_t appy_copy_min(void)
{
  static size_t min = (size_t)-1;
  if (min == (size_t)-1)
    min = env_size("APPY_COPY_MIN_KB", 4096) << 10;
  return min;
}

appy_stage *appy_stage_take(size_t bytes)
{
  appy_stage *s = NULL;
  if (appy_copy_mode() != APPY_COPY_STAGE || bytes < appy_copy_min() || bytes == 0)
    return NULL;
  pthread_mutex_lock(&lock);
  if (!stage_busy && stage_make() == 0) {
    stage_busy = 1;
    s = &stage;
  }
  pthread_mutex_unlock(&lock);
  return s;
}

void appy_stage_give(appy_stage *s)
{
  pthread_mutex_lock(&lock);
  if (s == &stage)
    stage_busy = 0;
  pthread_mutex_unlock(&lock);
}

int appy_stage_free(void)
{
  int freed = 0;
  pthread_mutex_lock(&lock);
  if (!stage_busy) {
    for (int i = 0; i < stage.n; i++)
      pinned_free(stage.slot[i]);
    pinned_now -= (size_t)stage.n * stage.chunk;
    stage.n = 0;
    freed = 1;
  }
  pthread_mutex_unlock(&lock);
  return freed;
}

int appy_host_register(void *p, size_t bytes)
{
  void *popped;
  int ok = 0;
  pthread_mutex_lock(&lock);
  if (cuda_ready() && cu.push(cu.ctx) == 0) {
    ok = cu.reg(p, bytes, CU_MEMHOSTREGISTER_PORTABLE) == 0;
    cu.pop(&popped);
    if (ok)
      pinned_now += bytes;
  }
  pthread_mutex_unlock(&lock);
  return ok ? 0 : -1;
}

void appy_host_unregister(void *p, size_t bytes)
{
  void *popped;
  pthread_mutex_lock(&lock);
  if (cu.ok && cu.push(cu.ctx) == 0) {
    cu.unreg(p);
    cu.pop(&popped);
    pinned_now -= bytes;
  }
  pthread_mutex_unlock(&lock);
}

size_t appy_pinned_bytes(void)
{
  size_t n;
  pthread_mutex_lock(&lock);
  n = pinned_now;
  pthread_mutex_unlock(&lock);
  return n;
}
