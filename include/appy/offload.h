/* appy/offload.h: where a module's kernels really run.
 *
 * Compiled into each module by its offload compiler (it needs omp.h and target regions);
 * libappyrt only judges the answers. The functions are static inline so that a module
 * which leaves one unused still compiles warning-free. */
#ifndef APPY_OFFLOAD_H
#define APPY_OFFLOAD_H

#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* clang's -fopenmp without an offload target (compiler none with CC=clang) links libomp
 * alone, which has not these functions: LLVM's libomptarget has them, and cannot stand in
 * (without a registered device image its omp_get_num_devices crashes). Weak references
 * let such a module load: they are called only when its kernels run on a device
 * (appy_use_device()), which a module built without offload never does. */
#ifdef __clang__
#pragma weak omp_target_alloc
#pragma weak omp_target_free
#pragma weak omp_target_memcpy
#pragma weak omp_target_associate_ptr
#pragma weak omp_target_disassociate_ptr
#pragma weak omp_target_is_present
#pragma weak omp_get_mapped_ptr
#endif

/* 1 if a target region on device dev really ran there. Only call with a device present:
 * under OMP_TARGET_OFFLOAD=MANDATORY, libomptarget aborts the process on a region that
 * cannot be offloaded. */
static inline int appy_probe_device(int dev)
{
  int on_device = 0;
#pragma omp target device(dev) map(from: on_device)
  on_device = !omp_is_initial_device();
  return on_device;
}

/* This module's verdict: -1 before the first appy_offload_check, then 1 if its target
 * regions run on a device, else 0. One per module, as each has its own device image. */
static inline int *appy_offload_state(void)
{
  static int state = -1;
  return &state;
}

/* For the if clause that every target construct of a module carries:
 *   #pragma omp target enter data if(appy_use_device()) map(to: a[0:n])
 *   #pragma omp target teams distribute parallel for if(target: appy_use_device())
 * Without it, a module whose kernels fall back to the host (compiler "none", or a device
 * image the GPU cannot use) still maps its data to the GPU, and the exit data copies
 * device memory back over the host's results: on an H100, libgomp returned zeros. */
static inline int appy_use_device(void)
{
  return *appy_offload_state() == 1;
}

/* At the start of every kernel call, GIL held: 0, or -1 with RuntimeError when
 * OMP_TARGET_OFFLOAD=MANDATORY cannot be met, raised before any kernel runs (the OpenMP
 * runtime would abort the process instead). Warns once if a GPU is present but kernels
 * run on the host. Probes only on the first successful call. A module that has a device
 * but no usable image for it is beyond this check under MANDATORY: the probe itself makes
 * the OpenMP runtime end the process ("device cannot be used for offloading"). */
static inline int appy_offload_check(void)
{
  int *state = appy_offload_state();
  int ndev, on_device = 0;
  if (*state >= 0)
    return 0;
  ndev = omp_get_num_devices();
  if (ndev > 0 && appy_offload_built())
    on_device = appy_probe_device(omp_get_default_device());
  if (appy_offload_verdict(ndev, on_device) < 0)
    return -1;
  *state = on_device;
  if (on_device) {   /* the copy stage, ahead of the first large copy, in the right context */
    int dev = omp_get_default_device();
    void *probe = omp_target_alloc(1, dev);
    appy_stage_early(probe);
    if (probe)
      omp_target_free(probe, dev);
  }
  return 0;
}

/* One kernel call's data environment.
 *
 * Every array a parallel loop of the call uses is mapped once, at its first use, and
 * released when the call ends; in between the host and the device copy are kept in step
 * by two flags per array, so that each copy is made only where the other side will look:
 * before a parallel loop, the host's changes are copied to the device if the loop reads
 * the array; before host code touches an array, the device's changes are copied back; at
 * the end, what the device changed in the caller's arrays is copied back. An array that
 * is already on the device when the call starts (mapped by appy.device) stays the
 * device's: the call copies nothing of it in and nothing out.
 *
 * Entries are found by host address, so two names of one array (B = A, swaps) share an
 * entry. The generated code calls these with the GIL released. */
enum {
  APPY_ENV_MAX = 64,      /* arrays per call */
  APPY_READS = 1,         /* the loop or host code reads the array */
  APPY_WRITES = 2,        /* ... writes some of its elements */
  APPY_WRITES_ALL = 4,    /* ... writes every element and reads none first */
  APPY_RETURNS = 8,       /* host code returns the array to the caller, reading nothing */
};

typedef struct {
  char *host;             /* first byte of the array's data */
  size_t bytes;           /* its size */
  unsigned char resident; /* on the device before the call: the device's copy counts */
  unsigned char dev_new;  /* the device copy has changes the host has not */
  unsigned char host_new; /* the host copy has changes the device has not */
  unsigned char caller;   /* an argument: its changes go back to the caller */
  unsigned char mapped;   /* mapped by this call */
  unsigned char wrote;    /* a parallel loop of the call wrote it */
  unsigned char gpu;      /* a GPU array argument: host stands in for device memory */
  unsigned char fresh;    /* made by np.empty in this call: no contents to copy in */
  unsigned char spare;    /* its device memory is a spare block (appy_spare_take) */
  unsigned char owed;     /* the host's copy is to go to the device before the next loop */
  void *dev;              /* its device address once mapped (clang: appy_env_ptr) */
} appy_env_entry;

typedef struct {
  appy_env_entry e[APPY_ENV_MAX];
  int n;                  /* entries used */
  int full;               /* an array was left off: more than APPY_ENV_MAX */
  size_t bytes_in, bytes_out;  /* moved so far, for APPY_PROFILE */
  double t_in, t_out;
  int launches;           /* parallel loops run */
  double t_kernels;       /* their time */
} appy_env;

static inline appy_env_entry *appy_env_find(appy_env *env, const void *p)
{
  for (int i = 0; i < env->n; i++)
    if (env->e[i].host == (const char *)p)
      return &env->e[i];
  return NULL;
}

/* The device address of host memory c that the call has mapped (enter data). */
static inline void *appy_device_addr(char *c)
{
#ifdef __clang__
  return omp_get_mapped_ptr(c, omp_get_default_device());
#else   /* gcc-12's libgomp has no omp_get_mapped_ptr */
  void *d = NULL;
#pragma omp target data use_device_ptr(c)
  d = c;
  return d;
#endif
}

/* Copies the n arrays of sp between host memory and their device copies, in chunks
 * through the process's pinned stage (runtime/copy.c), one host thread per lane of the
 * stage. 0, or -1 if the stage is not to be used (the caller copies some other way); -2 if
 * a transfer failed (copy again some other way). */
static inline int appy_stage_copy_spans(const appy_span *sp, int n, int to_device)
{
  int lanes, err = 0;
  size_t chunk;
  appy_stage *s = appy_stage_take(sp, n, &lanes, &chunk);
  if (!s)
    return -1;
#pragma omp parallel num_threads(lanes) reduction(| : err)
  {
    /* a runtime may give fewer threads than asked: the lanes share out what there is */
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    for (int l = t; l < lanes; l += nt)
      err |= appy_stage_run(s, l, lanes, sp, n, chunk, to_device);
  }
  appy_stage_give(s);
  return err ? -2 : 0;
}

static inline int appy_stage_copy(char *dev, char *host, size_t bytes, int to_device)
{
  appy_span one = {dev, host, bytes};
  return appy_stage_copy_spans(&one, 1, to_device);
}

/* Copies bytes between mapped host memory c and its device copy at dev (NULL if not known
 * yet: looked up only for a fast copy) by the fastest path it can (APPY_COPY,
 * runtime/copy.c); falls back to the OpenMP runtime's copy. Returns the path's name, for
 * APPY_PROFILE. */
static inline const char *appy_copy(char *dev, char *c, size_t bytes, int to_device)
{
  int mode = appy_copy_mode();
  int fast = mode != APPY_COPY_PAGEABLE && bytes > 0 && bytes >= appy_copy_min();
  if (fast && !dev)
    dev = appy_device_addr(c);
  if (fast && dev && mode == APPY_COPY_STAGE && appy_stage_copy(dev, c, bytes, to_device) == 0)
    return "staged";
  if (fast && dev && mode == APPY_COPY_REGISTER && appy_host_register(dev, c, bytes) == 0) {
    int device = omp_get_default_device(), self = omp_get_initial_device();
    int rc = to_device ? omp_target_memcpy(dev, c, bytes, 0, 0, device, self)
                       : omp_target_memcpy(c, dev, bytes, 0, 0, self, device);
    appy_host_unregister(dev, c, bytes);
    if (rc == 0)
      return "registered";
  }
  if (to_device) {
#pragma omp target update to(c[0:bytes])
  } else {
#pragma omp target update from(c[0:bytes])
  }
  (void)c;   /* gcc without offloading ignores the directives */
  return "pageable";
}

/* appy_copy with its time: APPY_PROFILE's line for the array, and the seconds it took. */
static inline double appy_copy_timed(char *dev, char *c, size_t bytes, int to_device)
{
  double t = appy_clock();
  const char *path = appy_copy(dev, c, bytes, to_device);
  t = appy_clock() - t;
  appy_profile_copy(to_device ? "to device" : "to host", path, bytes, t);
  return t;
}

static inline void appy_env_to_device(appy_env *env, appy_env_entry *e)
{
  env->t_in += appy_copy_timed(e->dev, e->host, e->bytes, 1);
  env->bytes_in += e->bytes;
  e->host_new = 0;
}

static inline void appy_env_to_host(appy_env *env, appy_env_entry *e)
{
  env->t_out += appy_copy_timed(e->dev, e->host, e->bytes, 0);
  env->bytes_out += e->bytes;
  e->dev_new = 0;
}

/* Copies the n entries of list one way: as one staged copy of them all where it can, its
 * pieces running on from one array into the next, so that the bus has no gap between
 * arrays and arrays too small to stage alone are staged together; else one by one. */
static inline void appy_env_copy_all(appy_env *env, appy_env_entry **list, int n, int to_device)
{
  appy_span sp[APPY_ENV_MAX];
  size_t bytes = 0;
  int i, staged = n > 1 && appy_copy_mode() == APPY_COPY_STAGE && appy_copy_together();
  for (i = 0; i < n && staged; i++) {
    sp[i].host = list[i]->host;
    sp[i].bytes = list[i]->bytes;
    sp[i].dev = list[i]->dev ? (char *)list[i]->dev : (char *)appy_device_addr(list[i]->host);
    staged = sp[i].dev != NULL;
    bytes += sp[i].bytes;
  }
  if (staged && bytes >= appy_copy_min()) {
    double t = appy_clock();
    if (appy_stage_copy_spans(sp, n, to_device) == 0) {
      char path[64];
      t = appy_clock() - t;
      /* APPY_PROFILE's line per array: its share of the copy's time, the copy's rate */
      snprintf(path, sizeof path, "staged, 1 of %d arrays together (%.1f MB)", n,
               (double)bytes / 1e6);
      for (i = 0; i < n; i++)
        appy_profile_copy(to_device ? "to device" : "to host", path, sp[i].bytes,
                          t * (double)sp[i].bytes / (double)bytes);
      *(to_device ? &env->t_in : &env->t_out) += t;
      *(to_device ? &env->bytes_in : &env->bytes_out) += bytes;
      for (i = 0; i < n; i++)
        *(to_device ? &list[i]->host_new : &list[i]->dev_new) = 0;
      return;
    }
  }
  for (i = 0; i < n; i++)
    to_device ? appy_env_to_device(env, list[i]) : appy_env_to_host(env, list[i]);
}

/* Before a parallel loop, after appy_env_device for each of its arrays: the copies to the
 * device that those owe, together. */
static inline void appy_env_copy_in(appy_env *env)
{
  appy_env_entry *list[APPY_ENV_MAX];
  int n = 0;
  for (int i = 0; i < env->n; i++)
    if (env->e[i].owed) {
      env->e[i].owed = 0;
      list[n++] = &env->e[i];
    }
  appy_env_copy_all(env, list, n, 1);
}

/* The entry of the array at p: the call's, or a new blank one; NULL when the call has
 * no room left (env->full: the loops' own map clauses then copy that array, every time). */
static inline appy_env_entry *appy_env_entry_of(appy_env *env, void *p, size_t bytes)
{
  appy_env_entry *e = appy_env_find(env, p);
  if (e)
    return e;
  if (env->n == APPY_ENV_MAX) {
    env->full = 1;
    return NULL;
  }
  e = &env->e[env->n++];
  memset(e, 0, sizeof *e);
  e->host = (char *)p;
  e->bytes = bytes;
  return e;
}

/* At the start of the call, for each array argument a parallel loop may use; device is
 * its GPU address when the argument is a GPU array (appy_array.device), else NULL. The
 * host stand-in p is then associated with that memory: the loops use it in place. */
static inline void appy_env_arg(appy_env *env, void *p, size_t bytes, void *device)
{
  appy_env_entry *e;
  if (!appy_use_device() || bytes == 0 || !(e = appy_env_entry_of(env, p, bytes)))
    return;
  e->caller = 1;
  if (!device || e->gpu)
    return;
  if (omp_target_associate_ptr(p, device, bytes, 0, omp_get_default_device()) != 0)
    return;   /* cannot happen for fresh stand-in memory; the loops would copy it */
  e->gpu = e->mapped = e->resident = e->dev_new = 1;
  e->caller = 0;
  e->dev = device;
}

#ifdef __clang__
/* Device memory of the arrays a call makes with np.empty, kept for the next call: the
 * OpenMP runtime allocates and frees device memory of that size at each call, which cost
 * trmm's 38 MB copy of B about 0.1-0.3 ms a call on an H100 (docs/performance.md). At most
 * APPY_SPARE_MAX blocks and APPY_SPARE_BYTES in all per module; a block is reused for an
 * array of exactly its size; all are freed when an allocation fails. clang only (the
 * blocks are associated with the host arrays, as GPU array arguments are). */
enum { APPY_SPARE_MAX = 8 };
#define APPY_SPARE_BYTES ((size_t)512 << 20)

typedef struct {
  void *dev[APPY_SPARE_MAX];
  size_t bytes[APPY_SPARE_MAX];
  int n;
} appy_spares;

static inline appy_spares *appy_spare_pool(void)
{
  static appy_spares pool;
  return &pool;
}

/* Device memory for an array of `bytes`: a spare block of that size, else a new one (the
 * spares freed first if the device has no room); NULL if there is none. */
static inline void *appy_spare_take(size_t bytes)
{
  appy_spares *s = appy_spare_pool();
  int dev = omp_get_default_device();
  void *d = NULL;
#pragma omp critical(appy_spares)
  for (int i = 0; i < s->n && !d; i++)
    if (s->bytes[i] == bytes) {
      d = s->dev[i];
      s->dev[i] = s->dev[--s->n];
      s->bytes[i] = s->bytes[s->n];
    }
  if (d || (d = omp_target_alloc(bytes, dev)))
    return d;
#pragma omp critical(appy_spares)
  while (s->n > 0) {
    s->n--;
    omp_target_free(s->dev[s->n], dev);
  }
  return omp_target_alloc(bytes, dev);
}

/* Gives device memory from appy_spare_take back: kept if there is room, else freed. */
static inline void appy_spare_give(void *d, size_t bytes)
{
  appy_spares *s = appy_spare_pool();
  int kept = 0;
#pragma omp critical(appy_spares)
  {
    size_t total = bytes;
    for (int i = 0; i < s->n; i++)
      total += s->bytes[i];
    if (s->n < APPY_SPARE_MAX && total <= APPY_SPARE_BYTES) {
      s->dev[s->n] = d;
      s->bytes[s->n++] = bytes;
      kept = 1;
    }
  }
  if (!kept)
    omp_target_free(d, omp_get_default_device());
}
#endif

/* After np.empty made the array at p in this call: the first loop that maps it need not
 * copy the host's (undefined) contents in. trmm's and syrk's copies of B and A^T are such. */
static inline void appy_env_fresh(appy_env *env, void *p, size_t bytes)
{
  appy_env_entry *e;
  if (appy_use_device() && bytes && (e = appy_env_entry_of(env, p, bytes)))
    e->fresh = 1;
}

/* Before a parallel loop that uses the array at p (bytes long) as `how` says. An array
 * the call has not mapped yet is mapped now. */
static inline void appy_env_device(appy_env *env, void *p, size_t bytes, int how)
{
  appy_env_entry *e;
  char *c = (char *)p;
  if (!appy_use_device() || bytes == 0)
    return;
  if (!(e = appy_env_entry_of(env, p, bytes)))
    return;
  if (!e->mapped) {
    e->mapped = 1;
    e->resident = (unsigned char)omp_target_is_present(c, omp_get_default_device());
    e->dev_new = e->resident;   /* the host's copy may be behind the device's */
    e->host_new = !e->resident && !e->fresh;
#ifdef __clang__
    if (e->fresh && !e->resident && (e->dev = appy_spare_take(bytes))) {
      if (omp_target_associate_ptr(c, e->dev, bytes, 0, omp_get_default_device()) == 0)
        e->spare = 1;
      else
        appy_spare_give(e->dev, bytes);
    }
    if (!e->spare) {
#pragma omp target enter data map(alloc: c[0:bytes])
      /* for bare kernels (appy_env_ptr) and fast copies, once per call */
      e->dev = appy_device_addr(c);
    }
#else
#pragma omp target enter data map(alloc: c[0:bytes])
#endif
  }
  (void)c;
  if (e->host_new && !(how & APPY_WRITES_ALL))
    e->owed = 1;   /* appy_env_copy_in copies it, with the loop's other arrays */
  else
    e->host_new = 0;
  if (how & (APPY_WRITES | APPY_WRITES_ALL))
    e->dev_new = e->wrote = 1;
}

#ifdef __clang__   /* gcc-12's libgomp has no omp_get_mapped_ptr; only clang's bare kernels use it */
/* The device address of an array the call has mapped (or a GPU array argument), for
 * kernels that take device pointers (is_device_ptr) instead of looking their arrays up in
 * the OpenMP runtime's table at each launch; found when the call maps the array. NULL if
 * it is not on the device. */
static inline void *appy_env_ptr(appy_env *env, const void *p)
{
  appy_env_entry *e = appy_env_find(env, p);
  return e && e->mapped ? e->dev : NULL;
}
#endif

/* Before host code that uses the array at p as `how` says. */
static inline void appy_env_host(appy_env *env, const void *p, int how)
{
  appy_env_entry *e = appy_use_device() ? appy_env_find(env, p) : NULL;
  if (!e || !e->mapped)
    return;
  if (how == APPY_RETURNS && e->gpu)
    return;   /* the caller gets its GPU array back: the device's copy is the array */
  if (e->dev_new && !(how & APPY_WRITES_ALL))
    appy_env_to_host(env, e);
  e->dev_new = 0;
  if (how & (APPY_WRITES | APPY_WRITES_ALL))
    e->host_new = 1;
}

/* Arrays mapped for longer than a call (appy.device) that a kernel of this module changed
 * on the device: leaving the appy.device block copies back only those. */
typedef struct {
  const char *host[256];
  int n;
  int overflow;   /* some were left off: every array counts as changed */
} appy_written_set;

static inline appy_written_set *appy_written(void)
{
  static appy_written_set set;
  return &set;
}

static inline void appy_note_written(const char *p)
{
  appy_written_set *w = appy_written();
#pragma omp critical(appy_written)
  {
    int i = 0;
    while (i < w->n && w->host[i] != p)
      i++;
    if (i == w->n && w->n < 256)
      w->host[w->n++] = p;
    else if (i == w->n)
      w->overflow = 1;
  }
}

/* Whether a kernel of this module changed the array at p on the device; forgets it. */
static inline int appy_take_written(const char *p)
{
  appy_written_set *w = appy_written();
  int found = 0;
#pragma omp critical(appy_written)
  {
    found = w->overflow;
    for (int i = 0; i < w->n; i++)
      if (w->host[i] == p) {
        w->host[i] = w->host[--w->n];
        found = 1;
        break;
      }
  }
  return found;
}

/* At the end of the call, also when it fails: the caller's arrays get the device's
 * changes, copied together; arrays that were on the device before the call get the
 * host's; the call's mappings are released. */
static inline void appy_env_close(appy_env *env)
{
  appy_env_entry *in[APPY_ENV_MAX], *out[APPY_ENV_MAX];
  int nin = 0, nout = 0;
  for (int i = 0; i < env->n; i++) {
    appy_env_entry *e = &env->e[i];
    if (!e->mapped)
      continue;
    if (e->resident && e->wrote)
      appy_note_written(e->host);
    if (e->resident && e->host_new)
      in[nin++] = e;
    else if (!e->resident && e->caller && e->dev_new)
      out[nout++] = e;
  }
  appy_env_copy_all(env, in, nin, 1);
  appy_env_copy_all(env, out, nout, 0);
  for (int i = 0; i < env->n; i++) {
    appy_env_entry *e = &env->e[i];
    char *c = e->host;
    if (!e->mapped)
      continue;
    if (e->gpu || e->spare) {   /* associated memory: the caller's GPU array or a spare block */
      omp_target_disassociate_ptr(c, omp_get_default_device());
#ifdef __clang__
      if (e->spare)
        appy_spare_give(e->dev, e->bytes);
#endif
      continue;
    }
#pragma omp target exit data map(release: c[0:e->bytes])
    (void)c;
  }
  env->n = 0;
}

/* After a parallel loop: its profile line (copies made for it, kernel time). */
static inline void appy_env_ran(appy_env *env, const char *module, const char *func, int line,
                                size_t bytes_in, double t_in, double t_kernel)
{
  env->launches++;
  env->t_kernels += t_kernel;
  appy_profile_region(module, func, line, bytes_in, t_in, t_kernel, 0, 0.0);
}

/* At every exit of a kernel function: close, and the call's profile line. */
static inline void appy_env_end(appy_env *env, const char *module, const char *func,
                                double called)
{
  appy_env_close(env);
  if (env->launches)
    appy_profile_call(module, func, env->bytes_in, env->t_in, env->launches, env->t_kernels,
                      env->bytes_out, env->t_out, appy_clock() - called);
}

/* _appy_data(op, array): what appy.device, appy.to_host and appy.to_device do through a
 * module of each OpenMP runtime (mappings live in the runtime, shared by its modules).
 * op: "enter" (map, copying in), "exit" (release), "to_device", "to_host" (copy), "present"
 * and "written" (a kernel of this module changed it on the device since last asked). The
 * array must be C-contiguous. Also "pinned" ((stage, bytes): the copy stage the module
 * uses, shared by the modules of the process, and the bytes of host memory pinned through
 * it) and "unpin" (frees that stage, then the same), whose array is unused.
 * METH_VARARGS. */
static inline PyObject *appy_data_op(PyObject *self, PyObject *args)
{
  const char *op;
  PyObject *arr, *result = NULL;
  Py_buffer view;
  int dev = omp_get_default_device(), flag = 0;
  (void)self;
  if (!PyArg_ParseTuple(args, "sO", &op, &arr))
    return NULL;
  if (!strcmp(op, "pinned") || !strcmp(op, "unpin")) {
    if (op[0] == 'u')
      appy_stage_free();
    return Py_BuildValue("(Kn)", (unsigned long long)(uintptr_t)appy_stage_id(),
                         (Py_ssize_t)appy_pinned_bytes());
  }
  if (appy_offload_check() < 0)
    return NULL;
  if (PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS) < 0)
    return NULL;
  char *c = (char *)view.buf;
  size_t bytes = (size_t)view.len;
  int use = appy_use_device() && bytes > 0;
  if (!strcmp(op, "to_host") && view.readonly) {
    PyErr_SetString(PyExc_ValueError, "appy: cannot copy device data back into a read-only array");
  } else if (!strcmp(op, "enter") && use && !omp_target_is_present(c, dev)) {
    Py_BEGIN_ALLOW_THREADS
#pragma omp target enter data map(alloc: c[0:bytes])
    appy_copy_timed(NULL, c, bytes, 1);
    Py_END_ALLOW_THREADS
  } else if (!strcmp(op, "enter")) {
#pragma omp target enter data if(use) map(to: c[0:bytes])
  } else if (!strcmp(op, "exit")) {
#pragma omp target exit data if(use) map(release: c[0:bytes])
  } else if (!strcmp(op, "to_device") || !strcmp(op, "to_host")) {
    int to_device = op[3] == 'd';
    Py_BEGIN_ALLOW_THREADS
    if (use && omp_target_is_present(c, dev))
      appy_copy_timed(NULL, c, bytes, to_device);
    Py_END_ALLOW_THREADS
  } else if (!strcmp(op, "present")) {
    flag = use && omp_target_is_present(c, dev);
  } else if (!strcmp(op, "written")) {
    flag = appy_take_written(c);
  } else {
    PyErr_Format(PyExc_ValueError, "appy: unknown data operation '%s'", op);
  }
  PyBuffer_Release(&view);
  if (!PyErr_Occurred())
    result = PyBool_FromLong(flag);
  return result;
}

/* _appy_device(): "gpu: OpenMP device 0 of 1 (NVIDIA H100 80GB HBM3)" or "host: ...",
 * from a region actually run, not from what the OpenMP runtime claims. METH_NOARGS. */
static inline PyObject *appy_device_info(PyObject *self, PyObject *unused)
{
  int ndev = omp_get_num_devices(), dev = omp_get_default_device(), on_device = 0;
  (void)self;
  (void)unused;
  if (ndev > 0 && appy_offload_built())
    on_device = appy_probe_device(dev);
  return appy_device_describe(ndev, dev, on_device);
}

#endif
