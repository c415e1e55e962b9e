/* copy.c: fast copies between NumPy memory and the GPU.
 *
 * The CUDA driver copies ordinary (pageable) memory at 7-16 GB/s on an H100 or H200 and
 * pinned memory at about 55 (shared/gpu/README.md; bench/copy_rates.py). So a large copy
 * goes through a stage: a few lanes, each a host thread with two pinned buffers and a
 * stream of its own. A lane copies its chunks of the array into one buffer while the other
 * is on the bus (and the other way round for copies to the host), so host memcpy and DMA
 * overlap within a lane, and the lanes keep the bus busy together. The arrays that a loop
 * copies in, and those that a call copies back at its end, go as one copy (appy_span):
 * its pieces run on from one array into the next, so the bus has no gap between arrays,
 * and arrays too small to stage alone are staged together. appy/offload.h starts the
 * lanes with the module's OpenMP runtime; this file owns the buffers and the driver.
 *
 *   APPY_COPY=stage      (default) chunks through the stage
 *   APPY_COPY=register   pins the array's own pages for the copy (cuMemHostRegister), then
 *                        unpins them: nothing stays pinned after the copy
 *   APPY_COPY=pageable   the OpenMP runtime's own copy
 *   APPY_COPY_THREADS    lanes of the stage (default 16, or the processors if fewer)
 *   APPY_COPY_CHUNK_KB   largest chunk (default 2048); smaller copies get smaller chunks
 *   APPY_COPY_MIN_KB     smaller copies take the pageable path (default 1024)
 *   APPY_COPY_RAMP       levels of smaller pieces at each end of a copy (default 3; 0: none)
 *   APPY_COPY_TOGETHER   0: the arrays a loop copies in (or a call copies back) are staged
 *                        one by one, not as one copy (default 1)
 *   APPY_COPY_EARLY      0: the stage is made at the first large copy, not ahead of it
 *                        (default 1: made in a thread of its own once the first call has
 *                        found the GPU; see appy_stage_early)
 *   APPY_PINNED_MB       most pinned memory the process's stage may hold (default 64);
 *                        lanes are cut to fit, and 0 turns staging off
 * The defaults were chosen by measurement: docs/performance.md, "issue 19".
 *
 * The driver is reached through libcuda (dlopen, never linked), and the device memory's
 * own context: cuPointerGetAttribute names it, so the same code serves clang's offload
 * runtime (the device's primary context) and gcc's libgomp (a context of its own). The
 * modules of a process share one stage (the library is linked into each module; see
 * shared_t), made ahead of the first large copy (appy_stage_early) or at it, and kept; a
 * copy that finds it busy (another Python thread is copying), or whose device memory
 * belongs to another context than the stage's (a gcc module's, where clang modules made
 * the stage), takes the pageable path. Pinned memory comes from cuMemHostAlloc with
 * CU_MEMHOSTALLOC_PORTABLE. Where there is no driver, the
 * stage is of ordinary memory and its transfers are memcpy: for modules whose OpenMP
 * device is the host CPU (clang-host), whose device memory is host memory, and for the
 * runtime's own tests (APPY_COPY_HOST_TEST). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

enum {
  CU_MEMHOSTALLOC_PORTABLE = 1,
  CU_MEMHOSTREGISTER_PORTABLE = 1,
  CU_POINTER_ATTRIBUTE_CONTEXT = 1,
  CU_STREAM_NON_BLOCKING = 1,
  CU_EVENT_DISABLE_TIMING = 2,
};

typedef unsigned long long cu_ptr;   /* CUdeviceptr */
typedef int (*cu_init_fn)(unsigned);
typedef int (*cu_attr_fn)(void *, int, cu_ptr);
typedef int (*cu_ctx_fn)(void *);
typedef int (*cu_ctx_pop_fn)(void **);
typedef int (*cu_host_alloc_fn)(void **, size_t, unsigned);
typedef int (*cu_free_fn)(void *);
typedef int (*cu_register_fn)(void *, size_t, unsigned);
typedef int (*cu_create_fn)(void **, unsigned);
typedef int (*cu_record_fn)(void *, void *);
typedef int (*cu_h2d_fn)(cu_ptr, const void *, size_t, void *);
typedef int (*cu_d2h_fn)(void *, cu_ptr, size_t, void *);

/* The CUDA driver's functions this file calls, looked up once. */
static struct {
  int tried, ok;
  cu_attr_fn attr;
  cu_ctx_fn push;
  cu_ctx_pop_fn pop;
  cu_host_alloc_fn host_alloc;
  cu_free_fn host_free;
  cu_register_fn reg;
  cu_free_fn unreg;
  cu_create_fn stream_create, event_create;
  cu_free_fn stream_destroy, event_destroy, event_sync, stream_sync;
  cu_record_fn record;
  cu_h2d_fn h2d;
  cu_d2h_fn d2h;
} cu;

/* One lane: two pinned buffers, its stream and an event per buffer (NULL stream and
 * events where there is no driver: the host tests' stage of ordinary memory). */
typedef struct {
  int made;             /* its buffers, stream and events exist */
  char *slot[2];
  void *stream, *done[2];
  int busy[2];          /* slot b's transfer was issued and not yet waited for */
} lane_t;

struct appy_stage {
  int n;                /* lanes, each made by its thread at its first copy */
  size_t chunk;         /* bytes per buffer */
  void *ctx;            /* the context of the streams; NULL on the host */
  lane_t lane[APPY_STAGE_MAX];
};

/* What the modules of a process share: one stage and one count of pinned bytes, so that
 * APPY_PINNED_MB bounds the process, not each module, and only the first module to copy
 * pays for the stage's pinned memory. The first module imported publishes its own as a
 * capsule, sys._appy_copy_stage_v2 (SHARED_ATTR); the next ones use that one
 * (appy_stage_share). The number names this layout and the lanes' protocol: change it with
 * either, so that modules built by another version keep stages of their own. */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t made;  /* signalled when making ends */
  appy_stage stage;     /* guarded by lock */
  int busy;             /* a copy is using the stage; guarded by lock */
  int making;           /* appy_stage_early is making its lanes; guarded by lock */
  size_t pinned;        /* bytes pinned now (stage and registered arrays); guarded by lock */
} shared_t;

#define SHARED_ATTR "_appy_copy_stage_v2"
#define SHARED_CAPSULE "appy.copy_stage.v2"

static shared_t own = {.lock = PTHREAD_MUTEX_INITIALIZER, .made = PTHREAD_COND_INITIALIZER};
static shared_t *sh = &own;   /* set once, at import, before this module copies anything */

void appy_stage_share(void)
{
  PyObject *cap = PySys_GetObject(SHARED_ATTR);   /* borrowed; NULL without an error */
  if (cap && PyCapsule_IsValid(cap, SHARED_CAPSULE)) {
    sh = (shared_t *)PyCapsule_GetPointer(cap, SHARED_CAPSULE);
    return;
  }
  /* the first module: publishes its own (modules are never unloaded) */
  cap = PyCapsule_New(&own, SHARED_CAPSULE, NULL);
  if (!cap || PySys_SetObject(SHARED_ATTR, cap) < 0)
    PyErr_Clear();   /* then every module keeps its own, as if each were alone */
  Py_XDECREF(cap);
}

const void *appy_stage_id(void)
{
  return sh;
}

#define LOOK(field, type, name) (cu.field = (type)appy_dlfunc(lib, name)) != NULL

/* Under lock. Looks up the driver in the process (the offload runtime loaded it); 0 if it
 * is not there. */
static int cuda_ready(void)
{
  if (cu.tried)
    return cu.ok;
  cu.tried = 1;
  void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (!lib)
    return 0;
  cu_init_fn init = (cu_init_fn)appy_dlfunc(lib, "cuInit");
  /* libcuda stays loaded (the offload runtime holds it too): no dlclose */
  cu.ok = init && LOOK(attr, cu_attr_fn, "cuPointerGetAttribute") &&
          LOOK(push, cu_ctx_fn, "cuCtxPushCurrent_v2") &&
          LOOK(pop, cu_ctx_pop_fn, "cuCtxPopCurrent_v2") &&
          LOOK(host_alloc, cu_host_alloc_fn, "cuMemHostAlloc") &&
          LOOK(host_free, cu_free_fn, "cuMemFreeHost") &&
          LOOK(reg, cu_register_fn, "cuMemHostRegister_v2") &&
          LOOK(unreg, cu_free_fn, "cuMemHostUnregister") &&
          LOOK(stream_create, cu_create_fn, "cuStreamCreate") &&
          LOOK(stream_destroy, cu_free_fn, "cuStreamDestroy_v2") &&
          LOOK(stream_sync, cu_free_fn, "cuStreamSynchronize") &&
          LOOK(event_create, cu_create_fn, "cuEventCreate") &&
          LOOK(event_destroy, cu_free_fn, "cuEventDestroy_v2") &&
          LOOK(event_sync, cu_free_fn, "cuEventSynchronize") &&
          LOOK(record, cu_record_fn, "cuEventRecord") &&
          LOOK(h2d, cu_h2d_fn, "cuMemcpyHtoDAsync_v2") &&
          LOOK(d2h, cu_d2h_fn, "cuMemcpyDtoHAsync_v2") && init(0) == 0;
  return cu.ok;
}

#undef LOOK

/* Under lock: the CUDA context that owns device memory at dev; NULL if none does. */
static void *context_of(const void *dev)
{
  void *ctx = NULL;
  if (!cuda_ready() || cu.attr(&ctx, CU_POINTER_ATTRIBUTE_CONTEXT, (cu_ptr)dev) != 0)
    return NULL;
  return ctx;
}

/* Makes ctx current on this thread (nothing for NULL, the host tests' stage): 0, or -1. */
static int ctx_enter(void *ctx)
{
  return !ctx || cu.push(ctx) == 0 ? 0 : -1;
}

static void ctx_leave(void *ctx)
{
  void *popped;
  if (ctx)
    cu.pop(&popped);
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
    mode = !s || !*s                    ? APPY_COPY_STAGE
           : !strcasecmp(s, "stage")    ? APPY_COPY_STAGE
           : !strcasecmp(s, "register") ? APPY_COPY_REGISTER
                                        : APPY_COPY_PAGEABLE;
  }
  return mode;
}

size_t appy_copy_min(void)
{
  static size_t min = (size_t)-1;
  if (min == (size_t)-1)
    min = env_size("APPY_COPY_MIN_KB", 1024) << 10;
  return min;
}

int appy_copy_together(void)
{
  static int together = -1;
  if (together < 0)
    together = env_size("APPY_COPY_TOGETHER", 1) != 0;
  return together;
}

/* With the stage's context current (if any): frees what lane l has of its buffers,
 * events and stream, made or half made. */
static void lane_release(lane_t *l, int host)
{
  for (int b = 0; b < 2; b++) {
    if (l->done[b])
      cu.event_destroy(l->done[b]);
    if (l->slot[b])
      host ? free(l->slot[b]) : (void)cu.host_free(l->slot[b]);
  }
  if (l->stream)
    cu.stream_destroy(l->stream);
  memset(l, 0, sizeof *l);
}

/* With the stage's context current (if any): lane l's buffers, stream and events, made
 * by the lane's own thread at its first copy, so that the lanes pin their memory at once.
 * 0, or -1 with nothing of the lane left. */
static int lane_make(lane_t *l, size_t chunk, int host)
{
  memset(l, 0, sizeof *l);
  for (int b = 0; b < 2; b++) {
    if (host)
      l->slot[b] = malloc(chunk);
    else if (cu.host_alloc((void **)&l->slot[b], chunk, CU_MEMHOSTALLOC_PORTABLE) != 0)
      l->slot[b] = NULL;
    if (!l->slot[b] ||
        (!host && cu.event_create(&l->done[b], CU_EVENT_DISABLE_TIMING) != 0)) {
      lane_release(l, host);
      return -1;
    }
  }
  if (!host && cu.stream_create(&l->stream, CU_STREAM_NON_BLOCKING) != 0) {
    lane_release(l, host);
    return -1;
  }
  l->made = 1;
  pthread_mutex_lock(&sh->lock);
  sh->pinned += 2 * chunk;
  pthread_mutex_unlock(&sh->lock);
  return 0;
}

/* Under lock: the stage's plan in context ctx (NULL: ordinary memory, for clang-host and
 * the host tests), at the first use: lanes of two chunks, cut to fit the pinned
 * cap and the processors. 0 if it has lanes, for this context. */
static int stage_make(void *ctx)
{
  size_t chunk = env_size("APPY_COPY_CHUNK_KB", 2048) << 10;
  size_t cap = env_size("APPY_PINNED_MB", 64) << 20;
  size_t want = env_size("APPY_COPY_THREADS", 16);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (sh->stage.n > 0)
    return sh->stage.ctx == ctx ? 0 : -1;
  if (chunk == 0 || cap / 2 < chunk || want == 0)
    return -1;
  if (!getenv("APPY_COPY_THREADS") && cpus > 0 && want > (size_t)cpus)
    want = (size_t)cpus;
  if (want > APPY_STAGE_MAX)
    want = APPY_STAGE_MAX;
  if (want > cap / (2 * chunk))
    want = cap / (2 * chunk);
  sh->stage.chunk = chunk;
  sh->stage.ctx = ctx;
  sh->stage.n = (int)want;
  return 0;
}

/* Under lock: the context a stage for device memory at dev works in, in *ctx: the
 * memory's CUDA context, or NULL where there is no driver and the stage is of ordinary
 * memory (clang-host, the host tests). 0, or -1 if the stage cannot serve it. */
static int stage_context(const void *dev, void **ctx)
{
  *ctx = context_of(dev);
  return *ctx || appy_device_is_host() || getenv("APPY_COPY_HOST_TEST") ? 0 : -1;
}

/* Under lock: the one context of the arrays' device memory (stage_context). 0, or -1 if
 * the stage cannot serve them, or they are of several contexts. */
static int contexts(const appy_span *sp, int n, void **ctx)
{
  if (stage_context(sp[0].dev, ctx) != 0)
    return -1;
  for (int i = 1; i < n; i++)
    if (context_of(sp[i].dev) != *ctx)
      return -1;
  return 0;
}

appy_stage *appy_stage_take(const appy_span *sp, int n, int *lanes, size_t *chunk)
{
  appy_stage *s = NULL;
  void *ctx = NULL;
  size_t bytes = 0;
  for (int i = 0; i < n; i++)
    bytes += sp[i].bytes;
  if (appy_copy_mode() != APPY_COPY_STAGE || bytes < appy_copy_min() || bytes == 0)
    return NULL;
  pthread_mutex_lock(&sh->lock);
  while (sh->making)   /* the stage is being made ahead of this copy: it is worth the wait */
    pthread_cond_wait(&sh->made, &sh->lock);
  if (!sh->busy && contexts(sp, n, &ctx) == 0 && stage_make(ctx) == 0) {
    sh->busy = 1;
    s = &sh->stage;
  }
  pthread_mutex_unlock(&sh->lock);
  if (!s)
    return NULL;
  /* Each lane gets two chunks or more, so that a lane always has one buffer on the bus
   * while it fills the other; no chunk under 256 KiB, where the driver's cost per transfer
   * starts to show. */
  size_t c = s->chunk, l = (size_t)s->n;
  if (bytes < 2 * l * c) {
    c = (bytes / (2 * l) + 0xffff) & ~(size_t)0xffff;
    if (c < ((size_t)256 << 10))
      c = (size_t)256 << 10;
    if (c > s->chunk)
      c = s->chunk;
  }
  if (l > (bytes + c - 1) / c)
    l = (bytes + c - 1) / c;
  *lanes = (int)l;
  *chunk = c;
  return s;
}

/* The pieces of one copy. The lanes start together, so before anything is on the bus
 * every lane fills its first buffer (to the device), and after the last transfer every
 * lane empties its last one (to the host): the bus waits for lanes x piece bytes of host
 * memcpy at each end, about 0.5 ms of a 64 MB copy's 1.7 with 16 lanes of 2 MiB. So the
 * pieces ramp: the first `lanes` are chunk >> levels, the next chunk >> (levels - 1), and
 * so on up to chunk >> 1; then whole chunks; then the same ramp down. Pieces go to the lanes
 * in turn (piece k to lane k % lanes), so each lane's own pieces grow and shrink alike.
 * APPY_COPY_RAMP sets the levels (default 3; 0: every piece a chunk); no piece of a ramp
 * is under 256 KiB, and a copy too small for both ramps and a chunk has none. */
enum { PIECE_MIN = 256 << 10 };

typedef struct {
  size_t bytes, chunk, lanes;
  size_t levels; /* of each ramp; 0: none */
  size_t ramp;   /* bytes in each ramp */
  size_t mid_n;  /* pieces between the ramps, each a chunk but the last */
  size_t n;      /* pieces in all */
} pieces_t;

static void pieces_plan(pieces_t *p, size_t bytes, size_t chunk, size_t lanes)
{
  static size_t want = (size_t)-1;
  size_t lv, ramp = 0;
  if (want == (size_t)-1)
    want = env_size("APPY_COPY_RAMP", 3);
  for (lv = want < 8 ? want : 8; lv > 0 && (chunk >> lv) < PIECE_MIN; lv--)
    ;
  for (size_t i = 1; i <= lv; i++)
    ramp += lanes * (chunk >> i);
  if (bytes < 2 * ramp + chunk)
    lv = 0, ramp = 0;
  p->bytes = bytes;
  p->chunk = chunk;
  p->lanes = lanes;
  p->levels = lv;
  p->ramp = ramp;
  p->mid_n = (bytes - 2 * ramp + chunk - 1) / chunk;
  p->n = p->mid_n + 2 * lv * lanes;
}

/* Piece k of the copy: its offset, and its length in *len. */
static size_t piece(const pieces_t *p, size_t k, size_t *len)
{
  size_t L = p->lanes, up = p->levels * L, mid = p->bytes - 2 * p->ramp, off = 0;
  if (k < up) { /* level i: pieces of chunk >> (levels - i) */
    size_t i = k / L;
    for (size_t a = 0; a < i; a++)
      off += L * (p->chunk >> (p->levels - a));
    *len = p->chunk >> (p->levels - i);
    return off + (k % L) * *len;
  }
  k -= up;
  if (k < p->mid_n) {
    *len = k == p->mid_n - 1 ? mid - k * p->chunk : p->chunk;
    return p->ramp + k * p->chunk;
  }
  k -= p->mid_n; /* level i of the way down: pieces of chunk >> (i + 1) */
  size_t i = k / L;
  off = p->ramp + mid;
  for (size_t a = 0; a < i; a++)
    off += L * (p->chunk >> (a + 1));
  *len = p->chunk >> (i + 1);
  return off + (k % L) * *len;
}

/* Waits for lane l's transfer in slot b, if one is out. 0, or -1 if it failed. */
static int lane_wait(lane_t *l, int b)
{
  if (!l->busy[b])
    return 0;
  l->busy[b] = 0;
  return l->stream && cu.event_sync(l->done[b]) != 0 ? -1 : 0;
}

/* The array of sp that holds byte off of the arrays laid end to end, and in *in where in
 * it; *left: the bytes from there to its end. */
static const appy_span *span_at(const appy_span *sp, size_t off, size_t *in, size_t *left)
{
  while (off >= sp->bytes)   /* an empty array is passed over */
    off -= sp++->bytes;
  *in = off;
  *left = sp->bytes - off;
  return sp;
}

/* Copies bytes [off, off + len) of the arrays' host memory into buf (to_device), or buf
 * out to them: the parts of a piece that runs across arrays. */
static void host_parts(const appy_span *sp, size_t off, size_t len, char *buf, int to_device)
{
  for (size_t done = 0, in, left; done < len; done += left) {
    const appy_span *a = span_at(sp, off + done, &in, &left);
    if (left > len - done)
      left = len - done;
    to_device ? memcpy(buf + done, a->host + in, left) : memcpy(a->host + in, buf + done, left);
  }
}

/* Starts the transfer of slot b of lane l to (or from) bytes [off, off + len) of the arrays'
 * device memory, one per array the piece touches; on the host, copies at once. */
static int lane_send(lane_t *l, int b, const appy_span *sp, size_t off, size_t len,
                     int to_device)
{
  int rc = 0;
  for (size_t done = 0, in, left; done < len && rc == 0; done += left) {
    const appy_span *a = span_at(sp, off + done, &in, &left);
    char *dev = a->dev + in, *buf = l->slot[b] + done;
    if (left > len - done)
      left = len - done;
    if (!l->stream)
      to_device ? memcpy(dev, buf, left) : memcpy(buf, dev, left);
    else
      rc = to_device ? cu.h2d((cu_ptr)dev, buf, left, l->stream)
                     : cu.d2h(buf, (cu_ptr)dev, left, l->stream);
  }
  if (rc == 0 && (!l->stream || cu.record(l->done[b], l->stream) == 0)) {
    l->busy[b] = l->stream != NULL;
    return 0;
  }
  return -1;
}

int appy_stage_run(appy_stage *s, int lane, int lanes, const appy_span *sp, int n,
                   size_t chunk, int to_device)
{
  lane_t *l = &s->lane[lane];
  pieces_t p;
  size_t off, len, step = (size_t)lanes, bytes = 0;
  int err = 0, j = 0;
  for (int i = 0; i < n; i++)
    bytes += sp[i].bytes;
  if (ctx_enter(s->ctx) != 0)
    return -1;
  if (!l->made && lane_make(l, s->chunk, !s->ctx) != 0) {
    ctx_leave(s->ctx);
    return -1;
  }
  pieces_plan(&p, bytes, chunk, step);
  if (to_device) {
    /* fill one buffer while the other is on the bus */
    for (size_t k = (size_t)lane; k < p.n && !err; k += step, j++) {
      int b = j & 1;
      err = lane_wait(l, b);
      if (!err) {
        off = piece(&p, k, &len);
        host_parts(sp, off, len, l->slot[b], 1);
        err = lane_send(l, b, sp, off, len, 1);
      }
    }
  } else {
    /* the next piece comes over the bus while this one is copied out */
    size_t k = (size_t)lane;
    if (k < p.n) {
      off = piece(&p, k, &len);
      err = lane_send(l, 0, sp, off, len, 0);
    }
    for (; k < p.n && !err; k += step, j++) {
      int b = j & 1;
      if (k + step < p.n) {
        off = piece(&p, k + step, &len);
        err = lane_send(l, b ^ 1, sp, off, len, 0);
      }
      err |= lane_wait(l, b);
      if (!err) {
        off = piece(&p, k, &len);
        host_parts(sp, off, len, l->slot[b], 0);
      }
    }
  }
  /* nothing may be on the bus when the buffers go back */
  err |= lane_wait(l, 0);
  err |= lane_wait(l, 1);
  ctx_leave(s->ctx);
  return err ? -1 : 0;
}

/* The stage made ahead of the first large copy, by a thread of its own (appy_stage_early):
 * making it pins APPY_PINNED_MB (about 18 ms for 64 MiB on an H100, 2026-12-07), which
 * would otherwise fall on that copy. Copies that come while it is being made wait for it;
 * making_done wakes them. */
static void making_done(void)
{
  pthread_mutex_lock(&sh->lock);
  sh->making = 0;
  pthread_cond_broadcast(&sh->made);
  pthread_mutex_unlock(&sh->lock);
}

static void *stage_early_main(void *arg)
{
  void *ctx = arg;
  if (ctx_enter(ctx) == 0) {
    for (int i = 0; i < sh->stage.n; i++)
      if (lane_make(&sh->stage.lane[i], sh->stage.chunk, !ctx) != 0)
        break;   /* the rest are made at their first copy, or not at all */
    ctx_leave(ctx);
  }
  making_done();
  return NULL;
}

void appy_stage_early(const void *dev)
{
  static int started;
  void *ctx = NULL;
  pthread_t t;
  pthread_attr_t attr;
  if (started || appy_copy_mode() != APPY_COPY_STAGE || !env_size("APPY_COPY_EARLY", 1) || !dev)
    return;
  started = 1;
  pthread_mutex_lock(&sh->lock);
  /* the context the copies will find (clang's primary one, libgomp's own; none on the
   * host), and the decision, taken here and not in the thread: from now on, copies and
   * appy_stage_free wait for the stage */
  int go = stage_context(dev, &ctx) == 0 && !sh->busy && !sh->making && sh->stage.n == 0 &&
           stage_make(ctx) == 0;
  sh->making = go;
  pthread_mutex_unlock(&sh->lock);
  if (!go)
    return;
  if (pthread_attr_init(&attr) != 0) {
    making_done();
    return;
  }
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, stage_early_main, ctx) != 0)
    making_done();
  pthread_attr_destroy(&attr);
}

void appy_stage_give(appy_stage *s)
{
  pthread_mutex_lock(&sh->lock);
  if (s == &sh->stage)
    sh->busy = 0;
  pthread_mutex_unlock(&sh->lock);
}

int appy_stage_free(void)
{
  int freed = 0;
  pthread_mutex_lock(&sh->lock);
  while (sh->making)
    pthread_cond_wait(&sh->made, &sh->lock);
  /* the stage may be another module's making: this one's driver table first */
  if (!sh->busy && (!sh->stage.ctx || cuda_ready()) && ctx_enter(sh->stage.ctx) == 0) {
    for (int i = 0; i < sh->stage.n; i++)
      if (sh->stage.lane[i].made) {
        lane_release(&sh->stage.lane[i], !sh->stage.ctx);
        sh->pinned -= 2 * sh->stage.chunk;
      }
    ctx_leave(sh->stage.ctx);
    sh->stage.n = 0;
    sh->stage.ctx = NULL;
    freed = 1;
  }
  pthread_mutex_unlock(&sh->lock);
  return freed;
}

int appy_host_register(const void *dev, void *p, size_t bytes)
{
  void *ctx;
  int ok = 0;
  pthread_mutex_lock(&sh->lock);
  if ((ctx = context_of(dev)) && ctx_enter(ctx) == 0) {
    ok = cu.reg(p, bytes, CU_MEMHOSTREGISTER_PORTABLE) == 0;
    ctx_leave(ctx);
    if (ok)
      sh->pinned += bytes;
  }
  pthread_mutex_unlock(&sh->lock);
  return ok ? 0 : -1;
}

void appy_host_unregister(const void *dev, void *p, size_t bytes)
{
  void *ctx;
  pthread_mutex_lock(&sh->lock);
  if ((ctx = context_of(dev)) && ctx_enter(ctx) == 0) {
    cu.unreg(p);
    ctx_leave(ctx);
  }
  sh->pinned -= bytes;   /* called only after appy_host_register succeeded */
  pthread_mutex_unlock(&sh->lock);
}

size_t appy_pinned_bytes(void)
{
  size_t n;
  pthread_mutex_lock(&sh->lock);
  n = sh->pinned;
  pthread_mutex_unlock(&sh->lock);
  return n;
}
