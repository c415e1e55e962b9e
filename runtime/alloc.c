/* alloc.c: the frame (what one kernel call holds), NumPy allocation, boxing, raising. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const dtype_names[] = {
  [APPY_BOOL] = "bool", [APPY_INT8] = "int8", [APPY_INT16] = "int16", [APPY_INT32] = "int32",
  [APPY_INT64] = "int64", [APPY_UINT8] = "uint8", [APPY_UINT16] = "uint16",
  [APPY_UINT32] = "uint32", [APPY_UINT64] = "uint64", [APPY_FLOAT32] = "float32",
  [APPY_FLOAT64] = "float64",
};

static const size_t dtype_sizes[] = {
  [APPY_BOOL] = 1, [APPY_INT8] = 1, [APPY_INT16] = 2, [APPY_INT32] = 4, [APPY_INT64] = 8,
  [APPY_UINT8] = 1, [APPY_UINT16] = 2, [APPY_UINT32] = 4, [APPY_UINT64] = 8,
  [APPY_FLOAT32] = 4, [APPY_FLOAT64] = 8,
};

const char *appy_dtype_name(appy_dtype dt)
{
  return (unsigned)dt <= APPY_FLOAT64 ? dtype_names[dt] : "?";
}

size_t appy_dtype_size(appy_dtype dt)
{
  return (unsigned)dt <= APPY_FLOAT64 ? dtype_sizes[dt] : 0;
}

/* NumPy, imported on first use: modules that never allocate need not pay for it. */

static PyObject *numpy_attr(const char *name)
{
  static PyObject *numpy;
  if (!numpy && !(numpy = PyImport_ImportModule("numpy")))
    return NULL;
  return PyObject_GetAttrString(numpy, name);
}

PyObject *appy_numpy_call(const char *fn, PyObject *args, PyObject *kwargs)
{
  PyObject *f = numpy_attr(fn), *r;
  if (!f)
    return NULL;
  r = PyObject_Call(f, args, kwargs);
  Py_DECREF(f);
  return r;
}

int appy_numpy_isinstance(PyObject *obj, const char *type)
{
  PyObject *t = numpy_attr(type);
  int r = t ? PyObject_IsInstance(obj, t) : 0;
  Py_XDECREF(t);
  if (r < 0 || PyErr_Occurred()) {
    PyErr_Clear();
    r = 0;
  }
  return r;
}

void appy_type_name(PyObject *obj, char *buf, size_t n)
{
  PyObject *name = obj == Py_None ? NULL : PyType_GetName(Py_TYPE(obj));
  const char *s = name ? PyUnicode_AsUTF8AndSize(name, NULL) : NULL;
  if (!s)
    PyErr_Clear();
  snprintf(buf, n, "%s", obj == Py_None ? "None" : s ? s : "object");
  Py_XDECREF(name);
}

/* frame */

void appy_frame_init(appy_frame *fr, const char *module, const char *func)
{
  fr->module = module;
  fr->func = func;
  fr->top = &fr->first;
  fr->first.prev = NULL;
  fr->first.n = 0;
  fr->gpu_ok = fr->gpu_waited = 0;
  fr->gpu_kind = fr->gpu_like = NULL;
}

appy_hold *appy_frame_push(appy_frame *fr)
{
  appy_holds *b = fr->top;
  appy_hold *h;
  if (b->n == APPY_FRAME_BLOCK) {
    if (!(b = malloc(sizeof *b))) {
      PyErr_NoMemory();
      return NULL;
    }
    b->prev = fr->top;
    b->n = 0;
    fr->top = b;
  }
  h = &b->h[b->n++];
  memset(h, 0, sizeof *h);
  return h;
}

void appy_frame_pop(appy_frame *fr)
{
  fr->top->n--;
}

void appy_fill_array(appy_array *a, const Py_buffer *v, appy_dtype dt, PyObject *obj)
{
  a->data = v->buf;
  a->ndim = v->ndim;
  a->size = 1;
  for (int d = 0; d < v->ndim; d++)
    a->size *= a->shape[d] = v->shape[d];
  a->dtype = dt;
  a->obj = obj;
  a->device = NULL;
}

/* Releases one hold. A failed write-back leaves its exception set and returns -1. */
static int release_hold(appy_hold *h)
{
  int rc = 0;
  if (h->writeback && PyObject_SetItem(h->orig, Py_Ellipsis, h->own) < 0)
    rc = -1;
  PyBuffer_Release(&h->view);
  Py_XDECREF(h->orig);
  Py_XDECREF(h->own);
  appy_release_shadow(h);
  return rc;
}

int appy_frame_release(appy_frame *fr)
{
  PyObject *pending[3], *first[3] = {NULL, NULL, NULL};
  int failed;
  PyErr_Fetch(&pending[0], &pending[1], &pending[2]);
  while (fr->top) {
    appy_holds *b = fr->top;
    while (b->n > 0) {
      if (release_hold(&b->h[--b->n]) < 0 && !first[0])
        PyErr_Fetch(&first[0], &first[1], &first[2]);
      PyErr_Clear();
    }
    fr->top = b->prev;
    if (b != &fr->first)
      free(b);
  }
  fr->top = &fr->first;
  Py_CLEAR(fr->gpu_kind);
  fr->gpu_like = NULL;
  failed = first[0] != NULL;
  if (pending[0]) {
    /* The kernel's own exception says more than a write-back failing after it. */
    Py_XDECREF(first[0]);
    Py_XDECREF(first[1]);
    Py_XDECREF(first[2]);
    PyErr_Restore(pending[0], pending[1], pending[2]);
  } else {
    PyErr_Restore(first[0], first[1], first[2]);
  }
  return failed ? -1 : 0;
}

/* appy_alloc */

static PyObject *shape_tuple(appy_frame *fr, int ndim, const int64_t *shape)
{
  PyObject *t;
  if (ndim < 0 || ndim > APPY_MAXDIM) {
    PyErr_Format(PyExc_ValueError, "%s(): cannot allocate an array of rank %d", fr->func, ndim);
    return NULL;
  }
  for (int d = 0; d < ndim; d++) {
    if (shape[d] < 0) {
      PyErr_Format(PyExc_ValueError,
                   "%s(): negative dimensions are not allowed (extent %lld in dimension %d)",
                   fr->func, (long long)shape[d], d);
      return NULL;
    }
  }
  if (!(t = PyTuple_New(ndim)))
    return NULL;
  for (int d = 0; d < ndim; d++) {
    PyObject *n = PyLong_FromLongLong(shape[d]);
    if (!n || PyTuple_SetItem(t, d, n) < 0) {
      Py_DECREF(t);
      return NULL;
    }
  }
  return t;
}

/* numpy.<how>(shape[, fill], dtype=...) */
static PyObject *new_array(appy_frame *fr, const char *how, appy_dtype dt, PyObject *shape,
                           double fill)
{
  int full = strcmp(how, "full") == 0;
  PyObject *args, *kwargs, *a = NULL;
  if (!full && strcmp(how, "empty") && strcmp(how, "zeros") && strcmp(how, "ones")) {
    PyErr_Format(PyExc_SystemError, "%s(): appy_alloc: unknown kind '%s'", fr->func, how);
    return NULL;
  }
  args = full ? Py_BuildValue("(Od)", shape, fill) : PyTuple_Pack(1, shape);
  kwargs = Py_BuildValue("{ss}", "dtype", appy_dtype_name(dt));
  if (args && kwargs)
    a = appy_numpy_call(how, args, kwargs);
  Py_XDECREF(args);
  Py_XDECREF(kwargs);
  return a;
}

static int alloc_locked(appy_frame *fr, const char *how, appy_dtype dt, int ndim,
                        const int64_t *shape, double fill, appy_array *out)
{
  PyObject *t = shape_tuple(fr, ndim, shape), *a;
  appy_hold *h;
  if (!t)
    return -1;
  a = new_array(fr, how, dt, t, fill);
  Py_DECREF(t);
  if (!a)
    return -1;
  if (!(h = appy_frame_push(fr))) {
    Py_DECREF(a);
    return -1;
  }
  if (PyObject_GetBuffer(a, &h->view, PyBUF_RECORDS) < 0) {
    appy_frame_pop(fr);
    Py_DECREF(a);
    return -1;
  }
  h->own = a;
  appy_fill_array(out, &h->view, dt, a);
  return 0;
}

int appy_alloc(appy_frame *fr, const char *how, appy_dtype dt, int ndim, const int64_t *shape,
               double fill, appy_array *out)
{
  PyGILState_STATE g = PyGILState_Ensure();
  int rc = alloc_locked(fr, how, dt, ndim, shape, fill, out);
  PyGILState_Release(g);
  return rc;
}

/* boxing */

PyObject *appy_box_int64(int64_t v)
{
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *r = PyLong_FromLongLong(v);
  PyGILState_Release(g);
  return r;
}

PyObject *appy_box_float64(double v)
{
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *r = PyFloat_FromDouble(v);
  PyGILState_Release(g);
  return r;
}

PyObject *appy_box_bool(int v)
{
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *r = PyBool_FromLong(v);
  PyGILState_Release(g);
  return r;
}

/* numpy.<type>(x): exact, since x is a Python int or float holding the value. */
static PyObject *numpy_scalar(const char *type, PyObject *x)
{
  PyObject *args = x ? PyTuple_Pack(1, x) : NULL, *r = NULL;
  if (args)
    r = appy_numpy_call(type, args, NULL);
  Py_XDECREF(args);
  Py_XDECREF(x);
  return r;
}

/* appy_box_<NAME>: numpy.<NAME>(v), v made a Python object by FROM. */
#define APPY_BOX_NUMPY(NAME, T, FROM, C)                                              \
  PyObject *appy_box_##NAME(T v)                                                     \
  {                                                                                  \
    PyGILState_STATE g = PyGILState_Ensure();                                        \
    PyObject *r = numpy_scalar(#NAME, FROM((C)v));                                   \
    PyGILState_Release(g);                                                           \
    return r;                                                                        \
  }
APPY_BOX_NUMPY(int8, int8_t, PyLong_FromLong, long)
APPY_BOX_NUMPY(int16, int16_t, PyLong_FromLong, long)
APPY_BOX_NUMPY(int32, int32_t, PyLong_FromLong, long)
APPY_BOX_NUMPY(uint8, uint8_t, PyLong_FromUnsignedLong, unsigned long)
APPY_BOX_NUMPY(uint16, uint16_t, PyLong_FromUnsignedLong, unsigned long)
APPY_BOX_NUMPY(uint32, uint32_t, PyLong_FromUnsignedLong, unsigned long)
APPY_BOX_NUMPY(uint64, uint64_t, PyLong_FromUnsignedLongLong, unsigned long long)
APPY_BOX_NUMPY(float32, float, PyFloat_FromDouble, double)

PyObject *appy_box_array(appy_array *a)
{
  PyGILState_STATE g = PyGILState_Ensure();
  Py_INCREF(a->obj);
  PyGILState_Release(g);
  return a->obj;
}

PyObject *appy_box_tuple(int n, PyObject **items)
{
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *t = PyTuple_New(n);
  for (int i = 0; i < n; i++) {
    if (t && items[i]) {
      PyTuple_SetItem(t, i, items[i]);
      continue;
    }
    Py_CLEAR(t);
    Py_XDECREF(items[i]);
  }
  PyGILState_Release(g);
  return t;
}

/* raising */

static PyObject *exception_type(int exc)
{
  switch (exc) {
  case APPY_TYPE_ERROR: return PyExc_TypeError;
  case APPY_VALUE_ERROR: return PyExc_ValueError;
  case APPY_INDEX_ERROR: return PyExc_IndexError;
  case APPY_ZERO_DIVISION_ERROR: return PyExc_ZeroDivisionError;
  case APPY_OVERFLOW_ERROR: return PyExc_OverflowError;
  default: return PyExc_RuntimeError;
  }
}

int appy_raise(int exc, const char *fmt, ...)
{
  char small[256], *msg = small;
  va_list ap;
  int n;
  PyGILState_STATE g;
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1))) {
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  g = PyGILState_Ensure();
  PyErr_SetString(exception_type(exc), n < 0 ? fmt : msg ? msg : small);
  PyGILState_Release(g);
  if (msg && msg != small)
    free(msg);
  return -1;
}
