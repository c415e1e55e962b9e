/* gpuarray.c: arguments that already live on the GPU (CuPy arrays, PyTorch CUDA tensors,
 * anything with __cuda_array_interface__).
 *
 * Such an argument reaches the kernel as an appy_array whose `device` is the GPU address
 * and whose `data` is host memory of the same size standing in for it (mapped lazily, so
 * untouched pages cost nothing). The kernel's data environment (appy/offload.h) tells the
 * OpenMP runtime that the stand-in corresponds to the GPU memory, so its parallel loops
 * work on the GPU array itself and nothing is copied; host code of the kernel that reads
 * the array gets a copy in the stand-in. Results the kernel allocates are handed back in
 * the arguments' kind (cupy.asarray, torch.as_tensor on the same device).
 *
 * The producer's pending work on the array comes first: LLVM's offload runtime launches on
 * streams of its own, which do not wait for others. The interface's `stream` (version 3,
 * CuPy) names the CUDA stream the array's writes are ordered on, and the call waits for
 * it; None says there is nothing to wait for. Without the key (version 2, PyTorch) the
 * call waits for the whole context. Without this, a CSR matrix PyTorch made on the GPU
 * just before the call was read before it was written (APPy's examples/03-spmv.py, H200,
 * most runs). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* The interface's typestr ("<f8", "|b1", "|u1", "<i2", ...) as one of ours; -1 if it is
 * none of them. Single bytes have no order ('|'), though '<' is read the same. */
static int typestr_dtype(const char *t)
{
  static const char kinds[] = {
    [APPY_BOOL] = 'b', [APPY_INT8] = 'i', [APPY_INT16] = 'i', [APPY_INT32] = 'i',
    [APPY_INT64] = 'i', [APPY_UINT8] = 'u', [APPY_UINT16] = 'u', [APPY_UINT32] = 'u',
    [APPY_UINT64] = 'u', [APPY_FLOAT32] = 'f', [APPY_FLOAT64] = 'f',
  };
  char *end;
  long size;
  if (!t[0] || !strchr("<|", t[0]) || !t[1] || !t[2])
    return -1;
  size = strtol(t + 2, &end, 10);
  if (*end || (t[0] == '|' && size != 1))
    return -1;
  for (int d = APPY_BOOL; d <= APPY_FLOAT64; d++)
    if (kinds[d] == t[1] && (long)appy_dtype_size((appy_dtype)d) == size)
      return d;
  return -1;
}

typedef struct {
  int dtype;                  /* ours, or -1 */
  char typestr[16];
  int ndim;
  int64_t shape[APPY_MAXDIM];
  int contiguous;             /* C order, no gaps */
  uintptr_t ptr;
  int readonly;
  uintptr_t stream;           /* the producer's CUDA stream (1: legacy default), 0: none */
  int unordered;              /* no stream given: the producer's work may be anywhere */
} cai;

/* Reads obj.__cuda_array_interface__; 0 if obj has none (no exception left). */
static int read_cai(PyObject *obj, cai *c)
{
  PyObject *d = PyObject_GetAttrString(obj, "__cuda_array_interface__");
  PyObject *shape, *typestr, *data, *strides;
  const char *ts;
  int ok = 0;
  memset(c, 0, sizeof *c);
  if (!d) {
    PyErr_Clear();
    return 0;
  }
  shape = PyDict_Check(d) ? PyDict_GetItemString(d, "shape") : NULL;
  typestr = PyDict_Check(d) ? PyDict_GetItemString(d, "typestr") : NULL;
  data = PyDict_Check(d) ? PyDict_GetItemString(d, "data") : NULL;
  strides = PyDict_Check(d) ? PyDict_GetItemString(d, "strides") : NULL;
  PyObject *stream = PyDict_Check(d) ? PyDict_GetItemString(d, "stream") : NULL;
  if (stream && PyLong_Check(stream))
    c->stream = (uintptr_t)PyLong_AsVoidPtr(stream);
  c->unordered = !stream;
  if (!shape || !PyTuple_Check(shape) || PyTuple_Size(shape) > APPY_MAXDIM || !typestr ||
      !(ts = PyUnicode_AsUTF8AndSize(typestr, NULL)) || !data || !PyTuple_Check(data) ||
      PyTuple_Size(data) != 2)
    goto done;
  snprintf(c->typestr, sizeof c->typestr, "%s", ts);
  c->dtype = typestr_dtype(ts);
  c->ndim = (int)PyTuple_Size(shape);
  for (int k = 0; k < c->ndim; k++)
    c->shape[k] = PyLong_AsLongLong(PyTuple_GetItem(shape, k));
  c->ptr = (uintptr_t)PyLong_AsVoidPtr(PyTuple_GetItem(data, 0));
  c->readonly = PyObject_IsTrue(PyTuple_GetItem(data, 1)) == 1;
  c->contiguous = 1;
  if (strides && strides != Py_None && PyTuple_Check(strides)) {
    int64_t want = c->typestr[2] ? (int64_t)atoi(c->typestr + 2) : 0;
    for (int k = c->ndim - 1; k >= 0; k--) {
      if (c->shape[k] > 1 && PyLong_AsLongLong(PyTuple_GetItem(strides, k)) != want)
        c->contiguous = 0;
      want *= c->shape[k];
    }
  }
  ok = !PyErr_Occurred();
done:
  PyErr_Clear();
  Py_DECREF(d);
  return ok;
}

/* Waits for the work queued on CUDA stream s, or with s = 0 for all the work of the
 * current context (cuStreamSynchronize, cuCtxSynchronize of the driver that the array's
 * producer loaded). */
static int wait_stream(appy_frame *fr, const char *param, uintptr_t s)
{
  typedef int (*stream_fn)(void *);
  typedef int (*ctx_fn)(void);
  static stream_fn sync_stream;
  static ctx_fn sync_ctx;
  if (!sync_stream) {
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
    sync_stream = cuda ? (stream_fn)appy_dlfunc(cuda, "cuStreamSynchronize") : NULL;
    sync_ctx = cuda ? (ctx_fn)appy_dlfunc(cuda, "cuCtxSynchronize") : NULL;
  }
  int rc = s ? (sync_stream ? sync_stream((void *)s) : 0) : (sync_ctx ? sync_ctx() : 0);
  if (rc != 0) {
    PyErr_Format(PyExc_RuntimeError, "%s() argument '%s': waiting for the GPU array's stream "
                 "failed (CUDA error %d)", fr->func, param, rc);
    return -1;
  }
  return 0;
}

int appy_is_gpu_array(PyObject *obj)
{
  cai c;
  return read_cai(obj, &c);
}

int appy_match_gpu_array(PyObject *obj, appy_dtype dt, int ndim)
{
  cai c;
  return read_cai(obj, &c) && c.dtype == (int)dt && c.ndim == ndim;
}

/* The module that made obj ("cupy", "torch"), imported; NULL if it cannot be. */
static PyObject *maker(PyObject *obj)
{
  PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__module__"), *m = NULL;
  const char *s = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, NULL) : NULL;
  char top[64];
  if (s) {
    snprintf(top, sizeof top, "%s", s);
    top[strcspn(top, ".")] = 0;
    m = PyImport_ImportModule(top);
  }
  Py_XDECREF(name);
  return m;
}

int appy_gpu_array_arg(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                       int ndim, int writable, appy_array *out)
{
  cai c;
  appy_hold *h;
  size_t bytes;
  if (!read_cai(obj, &c)) {
    PyErr_Format(PyExc_TypeError, "%s() argument '%s': unreadable __cuda_array_interface__",
                 fr->func, param);
    return -1;
  }
  if (c.dtype != (int)dt || c.ndim != ndim) {
    PyErr_Format(PyExc_TypeError,
                 "%s() argument '%s' must be %s %s array of rank %d, got a GPU array of "
                 "typestr '%s' and rank %d", fr->func, param, appy_article(appy_dtype_name(dt)),
                 appy_dtype_name(dt), ndim, c.typestr, c.ndim);
    return -1;
  }
  if (!c.contiguous) {
    PyErr_Format(PyExc_ValueError, "%s() argument '%s' is a GPU array that is not "
                 "C-contiguous; pass a contiguous copy (cupy.ascontiguousarray(x), "
                 "x.contiguous())", fr->func, param);
    return -1;
  }
  if (writable && c.readonly) {
    PyErr_Format(PyExc_ValueError, "%s() argument '%s' is read-only, but %s writes to it",
                 fr->func, param, fr->func);
    return -1;
  }
  if ((c.stream || (c.unordered && !fr->gpu_waited)) && wait_stream(fr, param, c.stream) < 0)
    return -1;
  fr->gpu_waited |= c.unordered;   /* once per call is enough */
  if (!(h = appy_frame_push(fr)))
    return -1;
  out->ndim = ndim;
  out->size = 1;
  for (int k = 0; k < ndim; k++)
    out->size *= out->shape[k] = c.shape[k];
  bytes = (size_t)out->size * appy_dtype_size(dt);
  h->shadow_len = bytes ? bytes : 1;
  h->shadow = mmap(NULL, h->shadow_len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (h->shadow == MAP_FAILED) {
    h->shadow = NULL;
    appy_frame_pop(fr);
    return PyErr_NoMemory(), -1;
  }
  out->data = h->shadow;
  out->device = (void *)c.ptr;
  out->dtype = dt;
  out->obj = obj;
  if (!fr->gpu_kind && (fr->gpu_kind = maker(obj)))
    fr->gpu_like = obj;
  PyErr_Clear();
  return 0;
}

void appy_release_shadow(appy_hold *h)
{
  if (h->shadow)
    munmap(h->shadow, h->shadow_len);
  h->shadow = NULL;
}

/* ndarray x as the GPU kind of the call's GPU arguments. New reference. */
static PyObject *as_gpu(appy_frame *fr, PyObject *x)
{
  const char *kind = PyModule_GetName(fr->gpu_kind);
  if (!appy_numpy_isinstance(x, "ndarray") || !kind)
    return Py_NewRef(x);
  if (strcmp(kind, "torch") == 0) {
    PyObject *dev = PyObject_GetAttrString(fr->gpu_like, "device"), *r = NULL;
    PyObject *f = PyObject_GetAttrString(fr->gpu_kind, "as_tensor"), *args, *kw;
    if (dev && f && (args = PyTuple_Pack(1, x))) {
      if ((kw = Py_BuildValue("{s:O}", "device", dev))) {
        r = PyObject_Call(f, args, kw);
        Py_DECREF(kw);
      }
      Py_DECREF(args);
    }
    Py_XDECREF(dev);
    Py_XDECREF(f);
    return r;
  }
  return PyObject_CallMethod(fr->gpu_kind, "asarray", "O", x);
}

PyObject *appy_result_kind(appy_frame *fr, PyObject *result)
{
  PyObject *r;
  if (!result || !fr->gpu_kind)
    return result;
  if (PyTuple_Check(result)) {
    Py_ssize_t n = PyTuple_Size(result);
    r = PyTuple_New(n);
    for (Py_ssize_t k = 0; r && k < n; k++) {
      PyObject *e = as_gpu(fr, PyTuple_GetItem(result, k));
      if (!e) {
        Py_CLEAR(r);
        break;
      }
      PyTuple_SetItem(r, k, e);
    }
  } else {
    r = as_gpu(fr, result);
  }
  Py_DECREF(result);
  return r;
}
