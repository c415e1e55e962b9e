/* args.c: a kernel's Python arguments, checked and converted to C.
 *
 * Messages follow CPython's argument errors and always name the function, the parameter
 * and what was expected, since the user wrote neither the wrapper nor its types. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FOREIGN_ORDER '<'
#define FOREIGN_NAME "little-endian "
#else
#define FOREIGN_ORDER '>'
#define FOREIGN_NAME "big-endian "
#endif

static const char *const scalar_want[] = {
  [APPY_BOOL] = "a bool",
  [APPY_INT8] = "an integer (int8)",
  [APPY_INT16] = "an integer (int16)",
  [APPY_INT32] = "an integer (int32)",
  [APPY_INT64] = "an integer (int64)",
  [APPY_UINT8] = "an integer (uint8)",
  [APPY_UINT16] = "an integer (uint16)",
  [APPY_UINT32] = "an integer (uint32)",
  [APPY_UINT64] = "an integer (uint64)",
  [APPY_FLOAT32] = "a number (float32)",
  [APPY_FLOAT64] = "a number (float64)",
};

/* parse_args */

/* The parameter names are UTF-8, not all ASCII (PEP 3131): compared as bytes. A key that
 * has no UTF-8 form (a lone surrogate) names none of them. */
static int find_name(PyObject *key, const char *const *names, int n)
{
  Py_ssize_t len;
  const char *k = PyUnicode_AsUTF8AndSize(key, &len);
  if (!k) {
    PyErr_Clear();
    return -1;
  }
  for (int i = 0; i < n; i++)
    if (strlen(names[i]) == (size_t)len && memcmp(names[i], k, (size_t)len) == 0)
      return i;
  return -1;
}

/* Binds the keyword arguments after nargs positional ones are in out[0..nargs-1]. */
static int bind_keywords(const char *func, PyObject *kwargs, const char *const *names, int n,
                         Py_ssize_t nargs, PyObject **out)
{
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(kwargs, &pos, &key, &value)) {
    int i;
    if (!PyUnicode_Check(key)) {
      PyErr_Format(PyExc_TypeError, "%s() keywords must be strings", func);
      return -1;
    }
    i = find_name(key, names, n);
    if (i < 0) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", func, key);
      return -1;
    }
    if (i < nargs || out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", func,
                   names[i]);
      return -1;
    }
    out[i] = value;
  }
  return 0;
}

int appy_parse_args(const char *func, PyObject *args, PyObject *kwargs,
                    const char *const *names, int n, PyObject **out)
{
  Py_ssize_t nargs = args ? PyTuple_Size(args) : 0;
  Py_ssize_t nkw = kwargs ? PyDict_Size(kwargs) : 0;
  if (nargs > n) {
    PyErr_Format(PyExc_TypeError, "%s() takes %d argument%s (%zd given)", func, n,
                 n == 1 ? "" : "s", nargs + nkw);
    return -1;
  }
  for (int i = 0; i < n; i++)
    out[i] = i < nargs ? PyTuple_GetItem(args, i) : NULL;
  if (nkw > 0 && bind_keywords(func, kwargs, names, n, nargs, out) < 0)
    return -1;
  for (int i = 0; i < n; i++) {
    if (!out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %d)", func,
                   names[i], i + 1);
      return -1;
    }
  }
  return 0;
}

/* What a buffer holds, from its struct-module format and item size. */
typedef struct bufkind {
  int known;         /* dtype is one of appy's, in native byte order */
  appy_dtype dtype;  /* valid when known */
  char name[64];     /* NumPy's name for it: "float32", "uint8", "big-endian float64" */
} bufkind;

/* NumPy's name for one struct format character of the given item size. */
static const char *format_name(char c, Py_ssize_t itemsize, char *buf, size_t n)
{
  switch (c) {
  case '?': return "bool";
  case 'e': return "float16";
  case 'f': return "float32";
  case 'd': return "float64";
  case 'g': return "longdouble";
  case 'O': return "object";
  case 'b': case 'h': case 'i': case 'l': case 'q': case 'n':
    snprintf(buf, n, "int%d", (int)(8 * itemsize));
    return buf;
  case 'B': case 'H': case 'I': case 'L': case 'Q': case 'N':
    snprintf(buf, n, "uint%d", (int)(8 * itemsize));
    return buf;
  default:
    return NULL;
  }
}

/* The item's kind comes from its size, not its character: 'l' and 'q' are both int64 on
 * Linux, and a standard-size prefix ('=', '<') makes 'l' 4 bytes. */
static void classify(const Py_buffer *v, bufkind *k)
{
  const char *f = v->format ? v->format : "B";
  const char *base;
  char buf[16];
  int foreign = 0;
  if (strchr("@=<>!", *f)) {
    foreign = *f == FOREIGN_ORDER || (*f == '!' && FOREIGN_ORDER == '>');
    f++;
  }
  base = f[0] && !f[1] ? format_name(f[0], v->itemsize, buf, sizeof buf) : NULL;
  k->known = 0;
  if (!base) {
    snprintf(k->name, sizeof k->name, "format '%.40s'", v->format);
    return;
  }
  snprintf(k->name, sizeof k->name, "%s%s", foreign ? FOREIGN_NAME : "", base);
  for (int d = APPY_BOOL; d <= APPY_FLOAT64 && !foreign; d++) {
    if (strcmp(base, appy_dtype_name((appy_dtype)d)) == 0) {
      k->known = 1;
      k->dtype = (appy_dtype)d;
    }
  }
}

/* arg_array */

/* "an int32", "a float64", "a uint8": the article English wants before a dtype name. */
const char *appy_article(const char *name)
{
  return name[0] == 'i' || name[0] == 'o' ? "an" : "a";
}

static int not_array(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                     int ndim, const char *detail)
{
  char name[64];
  appy_type_name(obj, name, sizeof name);
  PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s %s array of rank %d, not %s%s",
               fr->func, param, appy_article(appy_dtype_name(dt)), appy_dtype_name(dt), ndim,
               name, detail);
  return -1;
}

static int check_kind(appy_frame *fr, PyObject *obj, const char *param, const Py_buffer *v,
                      appy_dtype dt, int ndim)
{
  bufkind k;
  char detail[96];
  classify(v, &k);
  if (v->ndim > APPY_MAXDIM) {  /* appy_array has no room for its extents */
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' is an array of rank %d; kernels take "
                 "arrays of at most %d dimensions", fr->func, param, v->ndim, APPY_MAXDIM);
    return -1;
  }
  if (k.known && k.dtype == dt && v->ndim == ndim)
    return 0;
  if (appy_numpy_isinstance(obj, "ndarray")) {
    PyErr_Format(PyExc_TypeError,
                 "%s() argument '%s' must be %s %s array of rank %d, got %s %s array of rank %d",
                 fr->func, param, appy_article(appy_dtype_name(dt)), appy_dtype_name(dt), ndim,
                 appy_article(k.name), k.name, v->ndim);
    return -1;
  }
  if (appy_numpy_isinstance(obj, "generic"))
    return not_array(fr, obj, param, dt, ndim, "");  /* a NumPy scalar, not an array */
  snprintf(detail, sizeof detail, " (%s %s buffer of rank %d)", appy_article(k.name),
           k.name, v->ndim);
  return not_array(fr, obj, param, dt, ndim, detail);
}

static appy_hold *find_copy(appy_frame *fr, PyObject *obj)
{
  for (appy_holds *b = fr->top; b; b = b->prev)
    for (int i = 0; i < b->n; i++)
      if (b->h[i].arg == obj)
        return &b->h[i];
  return NULL;
}

/* Bools are 0 or 1 in C: a byte other than those (a uint8 array viewed as bool) would be
 * undefined behaviour in the kernel. NumPy reads any nonzero byte as True. */
static int odd_bools(const Py_buffer *v)
{
  const unsigned char *p = v->buf;
  for (Py_ssize_t i = 0; i < v->len; i++)
    if (p[i] > 1)
      return 1;
  return 0;
}

static void normalize_bools(const Py_buffer *v)
{
  unsigned char *p = v->buf;
  for (Py_ssize_t i = 0; i < v->len; i++)
    p[i] = p[i] != 0;
}

/* Points h at a fresh C-contiguous, aligned copy of obj (its view not held), bools made 0
 * or 1; orig is the ndarray the copy is written back to. */
static int copy_into(appy_hold *h, PyObject *obj, appy_dtype dt, appy_array *out)
{
  PyObject *args = PyTuple_Pack(1, obj);
  if (!args)
    return -1;
  h->orig = appy_numpy_call("asarray", args, NULL);
  Py_DECREF(args);
  if (!h->orig || !(h->own = PyObject_CallMethod(h->orig, "copy", NULL)) ||
      PyObject_GetBuffer(h->own, &h->view, PyBUF_RECORDS) < 0) {
    Py_CLEAR(h->orig);
    Py_CLEAR(h->own);
    return -1;
  }
  if (dt == APPY_BOOL)
    normalize_bools(&h->view);
  appy_fill_array(out, &h->view, dt, obj);
  return 0;
}

/* An argument the kernel cannot use in place: it gets a copy, written back at release.
 * An object passed twice shares its copy, so writes through one name reach the other. */
static int hold_copy(appy_frame *fr, PyObject *obj, appy_dtype dt, int writable,
                     appy_array *out)
{
  appy_hold *h = find_copy(fr, obj);
  if (h) {
    h->writeback |= writable;
    appy_fill_array(out, &h->view, dt, obj);
    return 0;
  }
  if (!(h = appy_frame_push(fr)))
    return -1;
  if (copy_into(h, obj, dt, out) < 0) {
    appy_frame_pop(fr);
    return -1;
  }
  h->arg = obj;
  h->writeback = writable;
  return 0;
}

/* Do the kernel's views of a and b share a byte? */
static int overlap(const appy_hold *a, const appy_hold *b)
{
  const char *pa = a->out->data, *pb = b->out->data;
  return a->view.len > 0 && b->view.len > 0 && pa < pb + b->view.len && pb < pa + a->view.len;
}

/* The same elements under the same dtype and shape: a kernel that reads one while writing
 * the other reads each element before or as it writes it, as with one argument. */
static int same_view(const appy_array *a, const appy_array *b)
{
  if (a->data != b->data || a->dtype != b->dtype || a->ndim != b->ndim)
    return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d])
      return 0;
  return 1;
}

/* A read-only argument the kernel used in place, which overlaps one it writes: from now
 * on it reads a copy, as NumPy's ufuncs copy an input that overlaps their output. */
static int copy_read(appy_hold *h)
{
  appy_array *out = h->out;
  PyBuffer_Release(&h->view);
  h->out = NULL;
  return copy_into(h, out->obj, out->dtype, out);
}

/* Checks the argument in place that hold h has just taken against the earlier ones. */
static int resolve_overlap(appy_frame *fr, appy_hold *h)
{
  for (appy_holds *b = fr->top; b; b = b->prev) {
    for (int i = 0; i < b->n; i++) {
      appy_hold *g = &b->h[i];
      if (g == h || !g->out || !overlap(g, h) || same_view(g->out, h->out) ||
          (!g->written && !h->written))
        continue;
      if (g->written && h->written) {
        PyErr_Format(PyExc_ValueError, "%s() arguments '%s' and '%s' overlap in memory, and "
                     "%s writes both; pass a copy of one", fr->func, g->param, h->param,
                     fr->func);
        return -1;
      }
      if (copy_read(g->written ? h : g) < 0)
        return -1;
      if (!h->out)   /* h is a copy now: it overlaps nothing */
        return 0;
    }
  }
  return 0;
}

/* A C-contiguous buffer the kernel can use in place: aligned, and bools 0 or 1. */
static int usable_in_place(const Py_buffer *v, appy_dtype dt)
{
  if (!PyBuffer_IsContiguous(v, 'C'))
    return 0;
  if ((uintptr_t)v->buf % appy_dtype_size(dt) != 0)
    return 0;
  return dt != APPY_BOOL || !odd_bools(v);
}

int appy_arg_array(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt, int ndim,
                   int writable, appy_array *out)
{
  appy_hold *h;
  if (fr->gpu_ok && appy_is_gpu_array(obj))
    return appy_gpu_array_arg(fr, obj, param, dt, ndim, writable, out);
  if (appy_is_gpu_array(obj))
    return not_array(fr, obj, param, dt, ndim,
                     " (a GPU array: only kernels with parallel loops, built with clang and "
                     "running on the GPU, take those; pass a NumPy array)");
  if (obj == Py_None || !PyObject_CheckBuffer(obj))
    return not_array(fr, obj, param, dt, ndim, "");
  if (!(h = appy_frame_push(fr)))
    return -1;
  if (PyObject_GetBuffer(obj, &h->view, PyBUF_RECORDS_RO) < 0) {
    appy_frame_pop(fr);
    PyErr_Clear();
    return not_array(fr, obj, param, dt, ndim, " (it exports no usable buffer)");
  }
  if (check_kind(fr, obj, param, &h->view, dt, ndim) < 0)
    goto fail;
  if (writable && h->view.readonly) {
    PyErr_Format(PyExc_ValueError, "%s() argument '%s' is read-only, but %s writes to it",
                 fr->func, param, fr->func);
    goto fail;
  }
  if (usable_in_place(&h->view, dt)) {
    appy_fill_array(out, &h->view, dt, obj);
    h->out = out;
    h->param = param;
    h->written = writable;
    return resolve_overlap(fr, h);   /* on failure, the frame releases h */
  }
  PyBuffer_Release(&h->view);
  appy_frame_pop(fr);
  return hold_copy(fr, obj, dt, writable, out);
fail:
  PyBuffer_Release(&h->view);
  appy_frame_pop(fr);
  return -1;
}

/* appy_extent */

int appy_extent(appy_frame *fr, const char *param, int dim, int64_t extent, int runs,
                int64_t i1, int64_t i2, int64_t kmin, int64_t kmax, const char *where)
{
  int64_t lo = (i1 < i2 ? i1 : i2) + kmin, hi = (i1 < i2 ? i2 : i1) + kmax;
  PyGILState_STATE gil;
  if (!runs || (lo >= -extent && hi < extent))
    return 0;
  gil = PyGILState_Ensure();
  PyErr_Format(PyExc_ValueError, "%s() argument '%s' has size %lld along axis %d, but the "
               "loops index it from %lld to %lld (%s)", fr->func, param, (long long)extent,
               dim, (long long)lo, (long long)hi, where);
  PyGILState_Release(gil);
  return -1;
}

/* appy_index_error */

int appy_index_error(const appy_site *sites, int failed, const int64_t *bad, const char *file,
                     PyObject **ret)
{
  const appy_site *s = &sites[-failed - 1];
  long long i = (long long)bad[0], n = (long long)bad[1];
  /* Python takes -n <= i < 0 from the end; the compiled code, only constants. */
  const char *why = i < 0 && i >= -n ? "; compiled code wraps only constant negative indices" : "";
  PyGILState_STATE gil = PyGILState_Ensure();
  Py_CLEAR(*ret);
  PyErr_Format(PyExc_IndexError, "index %lld is out of bounds for axis %d with size %lld "
               "(array '%s', %s, line %d%s)", i, s->axis, n, s->array, file, s->line, why);
  PyGILState_Release(gil);
  return -1;
}

/* scalars */

static int scalar_error(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt)
{
  char name[64];
  appy_type_name(obj, name, sizeof name);
  PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, not %s", fr->func, param,
               scalar_want[dt], name);
  return -1;
}

static int is_bool(PyObject *obj)
{
  return PyBool_Check(obj) || appy_numpy_isinstance(obj, "bool_");
}

/* Python's integers: anything with __index__, except numpy.bool_, whose __index__ only
 * raises (it is no int, unlike bool). */
static int is_index(PyObject *obj)
{
  return PyLong_Check(obj) || (PyIndex_Check(obj) && !appy_numpy_isinstance(obj, "bool_"));
}

/* An integer argument within [lo, hi]; values outside name the parameter. */
static int index_value(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                       long long lo, long long hi, long long *out)
{
  PyObject *idx;
  int overflow;
  if (!is_index(obj))
    return scalar_error(fr, obj, param, dt);
  if (!(idx = PyNumber_Index(obj)))
    return -1;
  *out = PyLong_AsLongLongAndOverflow(idx, &overflow);
  if (!PyErr_Occurred() && (overflow || *out < lo || *out > hi)) {
    PyErr_Format(PyExc_OverflowError, "%s() argument '%s' = %R does not fit in %s", fr->func,
                 param, idx, appy_dtype_name(dt));
  }
  Py_DECREF(idx);
  return PyErr_Occurred() ? -1 : 0;
}

/* A uint64 argument: the values above INT64_MAX too. */
static int uint64_value(appy_frame *fr, PyObject *obj, const char *param, uint64_t *out)
{
  PyObject *idx;
  if (!is_index(obj))
    return scalar_error(fr, obj, param, APPY_UINT64);
  if (!(idx = PyNumber_Index(obj)))
    return -1;
  *out = PyLong_AsUnsignedLongLong(idx);
  if (PyErr_Occurred() && PyErr_ExceptionMatches(PyExc_OverflowError)) {
    PyErr_Clear();
    PyErr_Format(PyExc_OverflowError, "%s() argument '%s' = %R does not fit in uint64",
                 fr->func, param, idx);
  }
  Py_DECREF(idx);
  return PyErr_Occurred() ? -1 : 0;
}

int appy_arg_uint64(appy_frame *fr, PyObject *obj, const char *param, uint64_t *out)
{
  return uint64_value(fr, obj, param, out);
}

/* appy_arg_<NAME> for an integer dtype DT whose values (LO to HI) fit in a long long. */
#define APPY_ARG_INT(NAME, T, DT, LO, HI)                                              \
  int appy_arg_##NAME(appy_frame *fr, PyObject *obj, const char *param, T *out)        \
  {                                                                                    \
    long long v;                                                                       \
    if (index_value(fr, obj, param, DT, LO, HI, &v) < 0)                               \
      return -1;                                                                       \
    *out = (T)v;                                                                       \
    return 0;                                                                          \
  }
APPY_ARG_INT(int8, int8_t, APPY_INT8, INT8_MIN, INT8_MAX)
APPY_ARG_INT(int16, int16_t, APPY_INT16, INT16_MIN, INT16_MAX)
APPY_ARG_INT(int32, int32_t, APPY_INT32, INT32_MIN, INT32_MAX)
APPY_ARG_INT(int64, int64_t, APPY_INT64, INT64_MIN, INT64_MAX)
APPY_ARG_INT(uint8, uint8_t, APPY_UINT8, 0, UINT8_MAX)
APPY_ARG_INT(uint16, uint16_t, APPY_UINT16, 0, UINT16_MAX)
APPY_ARG_INT(uint32, uint32_t, APPY_UINT32, 0, UINT32_MAX)

static int is_float(PyObject *obj)
{
  return PyFloat_Check(obj) || appy_numpy_isinstance(obj, "floating");
}

/* float(obj) for floats and integers; an int too large for a double names the parameter. */
static int float_value(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                       double *out)
{
  PyObject *idx;
  if (is_float(obj)) {
    *out = PyFloat_AsDouble(obj);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
  }
  if (!is_index(obj))
    return scalar_error(fr, obj, param, dt);
  if (!(idx = PyNumber_Index(obj)))
    return -1;
  *out = PyLong_AsDouble(idx);
  if (*out == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_OverflowError, "%s() argument '%s' = %R does not fit in %s", fr->func,
                 param, idx, appy_dtype_name(dt));
  }
  Py_DECREF(idx);
  return PyErr_Occurred() ? -1 : 0;
}

int appy_arg_float64(appy_frame *fr, PyObject *obj, const char *param, double *out)
{
  return float_value(fr, obj, param, APPY_FLOAT64, out);
}

/* Rounds to float32 the way numpy.float32(x) does (overflow gives inf). */
int appy_arg_float32(appy_frame *fr, PyObject *obj, const char *param, float *out)
{
  double v;
  if (float_value(fr, obj, param, APPY_FLOAT32, &v) < 0)
    return -1;
  *out = (float)v;
  return 0;
}

int appy_arg_bool(appy_frame *fr, PyObject *obj, const char *param, bool *out)
{
  int v;
  if (!is_bool(obj))
    return scalar_error(fr, obj, param, APPY_BOOL);
  if ((v = PyObject_IsTrue(obj)) < 0)
    return -1;
  *out = v;
  return 0;
}

/* overload dispatch */

int appy_match_array(PyObject *obj, appy_dtype dt, int ndim)
{
  Py_buffer v;
  bufkind k;
  if (appy_match_gpu_array(obj, dt, ndim))
    return 1;
  if (obj == Py_None || !PyObject_CheckBuffer(obj))
    return 0;
  if (PyObject_GetBuffer(obj, &v, PyBUF_RECORDS_RO) < 0) {
    PyErr_Clear();
    return 0;
  }
  classify(&v, &k);
  PyBuffer_Release(&v);
  return k.known && k.dtype == dt && v.ndim == ndim;
}

int appy_match_scalar(PyObject *obj, appy_dtype dt)
{
  switch (dt) {
  case APPY_BOOL: return is_bool(obj);
  case APPY_FLOAT32: case APPY_FLOAT64: return is_float(obj) || is_index(obj);
  default: return is_index(obj);
  }
}

/* A growing message. */
typedef struct strbuf {
  char *s;     /* text, NUL-terminated (NULL after a failed allocation) */
  size_t len;  /* bytes used */
  size_t cap;  /* bytes allocated */
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (!b->s)
    return;
  va_start(ap, fmt);
  n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n >= b->cap - b->len) {
    char *s = realloc(b->s, b->cap = b->len + n + 256);
    if (!s) {
      free(b->s);
      b->s = NULL;
      return;
    }
    b->s = s;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
  }
  b->len += n > 0 ? (size_t)n : 0;
}

/* An argument the way a signature spells a type: "float32[:,:]", "int", "None". */
static void describe_arg(strbuf *b, PyObject *obj)
{
  Py_buffer v;
  bufkind k;
  char name[64];
  if (obj != Py_None && PyObject_CheckBuffer(obj) && !appy_numpy_isinstance(obj, "generic")
      && PyObject_GetBuffer(obj, &v, PyBUF_RECORDS_RO) == 0) {
    classify(&v, &k);
    sb_printf(b, "%s[", k.name);
    for (int d = 0; d < v.ndim; d++)
      sb_printf(b, d ? ",:" : ":");
    sb_printf(b, v.ndim ? "]" : "()]");
    PyBuffer_Release(&v);
    return;
  }
  PyErr_Clear();
  appy_type_name(obj, name, sizeof name);
  sb_printf(b, "%s", name);
}

PyObject *appy_no_match(appy_frame *fr, PyObject *const *argv, int n, const char *signatures)
{
  strbuf b = {malloc(256), 0, 256};
  const char *line = signatures;
  if (b.s)
    b.s[0] = '\0';
  sb_printf(&b, "%s(): no signature matches (", fr->func);
  for (int i = 0; i < n; i++) {
    sb_printf(&b, i ? ", " : "");
    describe_arg(&b, argv[i]);
  }
  sb_printf(&b, "); expected one of:");
  while (line && *line) {
    const char *end = strchr(line, '\n');
    int len;
    line += strspn(line, " \t");
    len = end ? (int)(end - line) : (int)strlen(line);
    if (len > 0)
      sb_printf(&b, "\n  %.*s", len, line);
    line = end ? end + 1 : NULL;
  }
  if (b.s)
    PyErr_SetString(PyExc_TypeError, b.s);
  else
    PyErr_NoMemory();
  free(b.s);
  return NULL;
}
