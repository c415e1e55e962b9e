/* rtcheck: a hand-written module in the shape appy-translate generates (after CPython's
 * Modules/xxlimited.c), so that tests/runtime/test_runtime.py can exercise libappyrt and
 * the appy/ headers without the translator. Above each kernel is the annotated Python it
 * stands for. Build with -DAPPY_COMPILER='"clang"' (or "gcc", "none"). */
#define Py_LIMITED_API 0x030B0000
#include <Python.h>
#include <omp.h>

#include "appy/runtime.h"
#include "appy/offload.h"
#include "appy/pyops.h"

#ifndef APPY_COMPILER
#error "build with -DAPPY_COMPILER='\"clang\"', '\"gcc\"' or '\"none\"'"
#endif

/* Kernels: run without the GIL. */

/* 1 def scale(a, c, alpha):
 * 2     #pragma parallel for
 * 3     for i in range(a.shape[0]):
 * 4         c[i] = alpha * a[i]                                                    */
static int
kernel_scale_0(appy_frame *fr, appy_array *a, appy_array *c, double alpha, PyObject **ret)
{
    const double *a_data = a->data;
    double *c_data = c->data;
    int64_t n = a->shape[0];
    double t0, t1, t2, t3;

    (void)ret;
    if (c->shape[0] < n)
        return appy_raise(APPY_INDEX_ERROR, "index %lld is out of bounds for axis 0 with size %lld",
                          (long long)c->shape[0], (long long)c->shape[0]);
    t0 = appy_clock();
#pragma omp target enter data if(appy_use_device()) map(to: a_data[0:n]) map(alloc: c_data[0:n])
    t1 = appy_clock();
    /* line 3: for i in range(a.shape[0]): */
#pragma omp target teams distribute parallel for if(target: appy_use_device()) \
    map(to: a_data[0:n]) map(from: c_data[0:n])
    for (int64_t i = 0; i < n; i++)
        c_data[i] = alpha * a_data[i];
    t2 = appy_clock();
#pragma omp target exit data if(appy_use_device()) map(release: a_data[0:n]) \
    map(from: c_data[0:n])
    t3 = appy_clock();
    appy_profile_region(fr->module, fr->func, 3, n * sizeof *a_data, t1 - t0, t2 - t1,
                        n * sizeof *c_data, t3 - t2);
    return 0;
}

/* 1 def axpy2(alpha, x, y):
 * 2     #pragma parallel for
 * 3     for i in range(x.shape[0]):
 * 4         #pragma parallel for
 * 5         for j in range(x.shape[1]):
 * 6             y[i, j] += alpha * x[i, j]                                         */
static int
kernel_axpy2_0(appy_frame *fr, float alpha, appy_array *x, appy_array *y, PyObject **ret)
{
    const float *x_data = x->data;
    float *y_data = y->data;
    int64_t n0 = x->shape[0], n1 = x->shape[1];

    (void)fr;
    (void)ret;
    if (y->shape[0] != n0 || y->shape[1] != n1)
        return appy_raise(APPY_VALUE_ERROR, "axpy2(): x and y differ in shape");
    /* line 3: for i in range(x.shape[0]): */
#pragma omp target teams distribute parallel for collapse(2) if(target: appy_use_device()) \
    map(to: x_data[0:n0 * n1]) map(tofrom: y_data[0:n0 * n1])
    for (int64_t i = 0; i < n0; i++)
        for (int64_t j = 0; j < n1; j++)
            y_data[i * n1 + j] += alpha * x_data[i * n1 + j];
    return 0;
}

/*  1 def make(n, fill, k):
 *  2     sq = np.empty(n, dtype=np.int64)
 *  3     grid = np.full((n, 3), fill, dtype=np.float32)
 *  4     count = np.zeros((), dtype=np.int32)
 *  5     total = 0.0
 *  6     for j in range(k):
 *  7         t = np.ones(n)
 *  8         #pragma parallel for reduction(+: total)
 *  9         for i in range(n):
 * 10             total += t[i]
 * 11         count[()] += 1
 * 12     #pragma parallel for
 * 13     for i in range(n):
 * 14         sq[i] = i * i
 * 15     return sq, grid, count, total                                            */
static int
kernel_make_0(appy_frame *fr, int64_t n, double fill, int64_t k, PyObject **ret)
{
    appy_array sq, grid, count, t;
    int64_t grid_shape[2] = {n, 3};
    double total = 0.0;
    PyObject *items[4];

    if (appy_alloc(fr, "empty", APPY_INT64, 1, &n, 0.0, &sq) < 0
        || appy_alloc(fr, "full", APPY_FLOAT32, 2, grid_shape, fill, &grid) < 0
        || appy_alloc(fr, "zeros", APPY_INT32, 0, NULL, 0.0, &count) < 0)
        return -1;
    for (int64_t j = 0; j < k; j++) {
        const double *t_data;
        if (appy_alloc(fr, "ones", APPY_FLOAT64, 1, &n, 0.0, &t) < 0)
            return -1;
        t_data = t.data;
        /* line 9: for i in range(n): */
#pragma omp target teams distribute parallel for reduction(+: total) \
    if(target: appy_use_device()) map(to: t_data[0:n])
        for (int64_t i = 0; i < n; i++)
            total += t_data[i];
        ((int32_t *)count.data)[0] += 1;
    }
    int64_t *sq_data = sq.data;
    /* line 13: for i in range(n): */
#pragma omp target teams distribute parallel for if(target: appy_use_device()) \
    map(from: sq_data[0:n])
    for (int64_t i = 0; i < n; i++)
        sq_data[i] = i * i;
    items[0] = appy_box_array(&sq);
    items[1] = appy_box_array(&grid);
    items[2] = appy_box_array(&count);
    items[3] = appy_box_float64(total);
    return (*ret = appy_box_tuple(4, items)) ? 0 : -1;
}

/* 1 # appy: export total(float64[:], int64)
 * 2 # appy: export total(int32[:], int64)
 * 3 def total(x, start):
 * 4     s = 0
 * 5     #pragma parallel for reduction(+: s)
 * 6     for i in range(start, x.shape[0]):
 * 7         s += x[i]
 * 8     return s                                                                  */
static int
kernel_total_0(appy_frame *fr, appy_array *x, int64_t start, PyObject **ret)
{
    const double *x_data = x->data;
    int64_t n = x->shape[0];
    double s = 0;

    (void)fr;
    /* line 6: for i in range(start, x.shape[0]): */
#pragma omp target teams distribute parallel for reduction(+: s) \
    if(target: appy_use_device()) map(to: x_data[0:n])
    for (int64_t i = start; i < n; i++)
        s += x_data[i];
    return (*ret = appy_box_float64(s)) ? 0 : -1;
}

static int
kernel_total_1(appy_frame *fr, appy_array *x, int64_t start, PyObject **ret)
{
    const int32_t *x_data = x->data;
    int64_t n = x->shape[0];
    int64_t s = 0;

    (void)fr;
    /* line 6: for i in range(start, x.shape[0]): */
#pragma omp target teams distribute parallel for reduction(+: s) \
    if(target: appy_use_device()) map(to: x_data[0:n])
    for (int64_t i = start; i < n; i++)
        s += x_data[i];
    return (*ret = appy_box_int64(s)) ? 0 : -1;
}

/* 1 # appy: export pyops(int64, int64[:], int64[:], int64[:]), and for int32, float64,
 * 2 #         float32 arrays alike
 * 3 def pyops(op, a, b, out):
 * 4     #pragma parallel for
 * 5     for i in range(a.shape[0]):
 * 6         out[i] = (a[i] // b[i] if op == 0 else a[i] % b[i] if op == 1 else
 * 7                   max(a[i], b[i]) if op == 2 else min(a[i], b[i]) if op == 3 else
 * 8                   a[i] ** b[i])                                                 (ints only)
 * One kernel per element type, as the translator instantiates one per signature. */
#define PYOPS_KERNEL(K, T, S, POW)                                                       \
    static int                                                                           \
    kernel_pyops_##K(appy_frame *fr, int64_t op, appy_array *a, appy_array *b,           \
                     appy_array *out, PyObject **ret)                                    \
    {                                                                                    \
        const T *a_data = a->data, *b_data = b->data;                                    \
        T *o_data = out->data;                                                           \
        int64_t n = a->shape[0];                                                         \
                                                                                         \
        (void)fr;                                                                        \
        (void)ret;                                                                       \
        if (b->shape[0] != n || out->shape[0] != n)                                      \
            return appy_raise(APPY_VALUE_ERROR, "pyops(): a, b and out differ in length"); \
        if (op == 4 && !(POW))                                                           \
            return appy_raise(APPY_VALUE_ERROR, "pyops(): op 4 (**) needs integers");    \
        _Pragma("omp target teams distribute parallel for if(target: appy_use_device()) \
                 map(to: a_data[0:n], b_data[0:n]) map(from: o_data[0:n])")              \
        for (int64_t i = 0; i < n; i++)                                                  \
            o_data[i] = op == 0 ? appy_floordiv_##S(a_data[i], b_data[i])                \
                      : op == 1 ? appy_mod_##S(a_data[i], b_data[i])                     \
                      : op == 2 ? appy_max_##S(a_data[i], b_data[i])                     \
                      : op == 3 ? appy_min_##S(a_data[i], b_data[i])                     \
                      : pyops_pow_##S(a_data[i], b_data[i]);                             \
        return 0;                                                                        \
    }

/* ** for the kernels above; floats never get here (op 4 is refused first). */
#pragma omp declare target
static inline int64_t pyops_pow_i64(int64_t a, int64_t b) { return appy_ipow_i64(a, b); }
static inline int32_t pyops_pow_i32(int32_t a, int32_t b) { return appy_ipow_i32(a, b); }
static inline double pyops_pow_f64(double a, double b) { (void)b; return a; }
static inline float pyops_pow_f32(float a, float b) { (void)b; return a; }
#pragma omp end declare target

PYOPS_KERNEL(0, int64_t, i64, 1)
PYOPS_KERNEL(1, int32_t, i32, 1)
PYOPS_KERNEL(2, double, f64, 0)
PYOPS_KERNEL(3, float, f32, 0)

/* 1 def rangelen(start, stop, step):
 * 2     return len(range(start, stop, step))                                      */
static int
kernel_rangelen_0(appy_frame *fr, int64_t start, int64_t stop, int64_t step, PyObject **ret)
{
    int64_t len = 0;

    (void)fr;
    if (step == 0)
        return appy_raise(APPY_VALUE_ERROR, "range() arg 3 must not be zero");
#pragma omp target if(appy_use_device()) map(from: len)
    len = appy_range_len(start, stop, step);
    return (*ret = appy_box_int64(len)) ? 0 : -1;
}

/* 1 # appy: export scalars(int64, int32, float64, float32, bool)
 * 2 def scalars(i64, i32, f64, f32, b):
 * 3     return i64, i32, f64, f32, b                                               */
static int
kernel_scalars_0(appy_frame *fr, int64_t i64, int32_t i32, double f64, float f32, bool b,
                 PyObject **ret)
{
    PyObject *items[5];

    (void)fr;
    items[0] = appy_box_int64(i64);
    items[1] = appy_box_int32(i32);
    items[2] = appy_box_float64(f64);
    items[3] = appy_box_float32(f32);
    items[4] = appy_box_bool(b);
    return (*ret = appy_box_tuple(5, items)) ? 0 : -1;
}

/* 1 # appy: export ints(int8, int16, uint8, uint16, uint32, uint64)
 * 2 def ints(i8, i16, u8, u16, u32, u64):
 * 3     return i8, i16, u8, u16, u32, u64                                           */
static int
kernel_ints_0(appy_frame *fr, int8_t i8, int16_t i16, uint8_t u8, uint16_t u16, uint32_t u32,
              uint64_t u64, PyObject **ret)
{
    PyObject *items[6];

    (void)fr;
    items[0] = appy_box_int8(i8);
    items[1] = appy_box_int16(i16);
    items[2] = appy_box_uint8(u8);
    items[3] = appy_box_uint16(u16);
    items[4] = appy_box_uint32(u32);
    items[5] = appy_box_uint64(u64);
    return (*ret = appy_box_tuple(6, items)) ? 0 : -1;
}

/* 1 # appy: export last(bool[:]), and for each integer and float dtype
 * 2 def last(a):
 * 3     return a[a.shape[0] - 1]                                                     */
#define LAST(SUF, T, DT)                                                                 \
    static int                                                                           \
    kernel_last_##SUF(appy_frame *fr, appy_array *a, PyObject **ret)                     \
    {                                                                                    \
        (void)fr;                                                                        \
        if (a->shape[0] == 0)                                                            \
            return appy_raise(APPY_INDEX_ERROR, "index -1 is out of bounds for axis 0 "  \
                              "with size 0");                                            \
        return (*ret = appy_box_##SUF(((T *)a->data)[a->shape[0] - 1])) ? 0 : -1;        \
    }                                                                                    \
    static PyObject *                                                                    \
    call_last_##SUF(appy_frame *fr, PyObject *const *argv)                               \
    {                                                                                    \
        appy_array p0;                                                                   \
        PyObject *ret = NULL;                                                            \
        int rc;                                                                          \
                                                                                         \
        if (appy_arg_array(fr, argv[0], "a", DT, 1, 0, &p0) < 0)                         \
            return NULL;                                                                 \
        Py_BEGIN_ALLOW_THREADS                                                           \
        rc = kernel_last_##SUF(fr, &p0, &ret);                                           \
        Py_END_ALLOW_THREADS                                                             \
        return rc < 0 ? NULL : ret;                                                      \
    }
LAST(bool, bool, APPY_BOOL)
LAST(int8, int8_t, APPY_INT8)
LAST(int16, int16_t, APPY_INT16)
LAST(int32, int32_t, APPY_INT32)
LAST(int64, int64_t, APPY_INT64)
LAST(uint8, uint8_t, APPY_UINT8)
LAST(uint16, uint16_t, APPY_UINT16)
LAST(uint32, uint32_t, APPY_UINT32)
LAST(uint64, uint64_t, APPY_UINT64)
LAST(float32, float, APPY_FLOAT32)
LAST(float64, double, APPY_FLOAT64)

/* 1 def count(mask):
 * 2     s = 0
 * 3     #pragma parallel for reduction(+: s)
 * 4     for i in range(mask.shape[0]):
 * 5         if mask[i]:
 * 6             s += 1
 * 7     return s                                                                  */
static int
kernel_count_0(appy_frame *fr, appy_array *mask, PyObject **ret)
{
    const bool *mask_data = mask->data;
    int64_t n = mask->shape[0];
    int64_t s = 0;

    (void)fr;
    /* line 4: for i in range(mask.shape[0]): */
#pragma omp target teams distribute parallel for reduction(+: s) \
    if(target: appy_use_device()) map(to: mask_data[0:n])
    for (int64_t i = 0; i < n; i++)
        if (mask_data[i])
            s += 1;
    return (*ret = appy_box_int64(s)) ? 0 : -1;
}

/* 1 # appy: export bump(int64[()])
 * 2 def bump(c):
 * 3     c[()] += 1                                                                 */
static int
kernel_bump_0(appy_frame *fr, appy_array *c, PyObject **ret)
{
    (void)fr;
    (void)ret;
    ((int64_t *)c->data)[0] += 1;
    return 0;
}

/* 1 # appy: export deep(float64[:,:,:,:,:,:,:,:,:])
 * 2 def deep(a):
 * 3     a[0, 0, 0, 0, 0, 0, 0, 0, 0] = 1.0
 * Rank 9, past appy_array's 8 extents: appy-translate refuses it now, but a module built
 * before it did (or written by hand) must still not get such an array.            */
static int
kernel_deep_0(appy_frame *fr, appy_array *a, PyObject **ret)
{
    (void)fr;
    (void)ret;
    ((double *)a->data)[0] = 1.0;
    return 0;
}

/* 1 def idiv(a, b):
 * 2     return a // b                                                              */
static int
kernel_idiv_0(appy_frame *fr, int64_t a, int64_t b, PyObject **ret)
{
    (void)fr;
    if (b == 0)
        return appy_raise(APPY_ZERO_DIVISION_ERROR, "integer division or modulo by zero");
    return (*ret = appy_box_int64(appy_floordiv_i64(a, b))) ? 0 : -1;
}

/* Python bindings */

static PyObject *
call_scale_0(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0, p1;
    double p2;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "a", APPY_FLOAT64, 1, 0, &p0) < 0
        || appy_arg_array(fr, argv[1], "c", APPY_FLOAT64, 1, 1, &p1) < 0
        || appy_arg_float64(fr, argv[2], "alpha", &p2) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_scale_0(fr, &p0, &p1, p2, &ret);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    if (ret == NULL)
        Py_RETURN_NONE;
    return ret;
}

static PyObject *
call_axpy2_0(appy_frame *fr, PyObject *const *argv)
{
    float p0;
    appy_array p1, p2;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_float32(fr, argv[0], "alpha", &p0) < 0
        || appy_arg_array(fr, argv[1], "x", APPY_FLOAT32, 2, 0, &p1) < 0
        || appy_arg_array(fr, argv[2], "y", APPY_FLOAT32, 2, 1, &p2) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_axpy2_0(fr, p0, &p1, &p2, &ret);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    if (ret == NULL)
        Py_RETURN_NONE;
    return ret;
}

static PyObject *
call_make_0(appy_frame *fr, PyObject *const *argv)
{
    int64_t p0, p2;
    double p1;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_int64(fr, argv[0], "n", &p0) < 0
        || appy_arg_float64(fr, argv[1], "fill", &p1) < 0
        || appy_arg_int64(fr, argv[2], "k", &p2) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_make_0(fr, p0, p1, p2, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_total_0(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0;
    int64_t p1;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "x", APPY_FLOAT64, 1, 0, &p0) < 0
        || appy_arg_int64(fr, argv[1], "start", &p1) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_total_0(fr, &p0, p1, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_total_1(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0;
    int64_t p1;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "x", APPY_INT32, 1, 0, &p0) < 0
        || appy_arg_int64(fr, argv[1], "start", &p1) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_total_1(fr, &p0, p1, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

#define PYOPS_CALL(K, DT)                                                                \
    static PyObject *                                                                    \
    call_pyops_##K(appy_frame *fr, PyObject *const *argv)                                \
    {                                                                                    \
        int64_t p0;                                                                      \
        appy_array p1, p2, p3;                                                           \
        PyObject *ret = NULL;                                                            \
        int rc;                                                                          \
                                                                                         \
        if (appy_arg_int64(fr, argv[0], "op", &p0) < 0                                   \
            || appy_arg_array(fr, argv[1], "a", DT, 1, 0, &p1) < 0                       \
            || appy_arg_array(fr, argv[2], "b", DT, 1, 0, &p2) < 0                       \
            || appy_arg_array(fr, argv[3], "out", DT, 1, 1, &p3) < 0)                    \
            return NULL;                                                                 \
        Py_BEGIN_ALLOW_THREADS                                                           \
        rc = kernel_pyops_##K(fr, p0, &p1, &p2, &p3, &ret);                              \
        Py_END_ALLOW_THREADS                                                             \
        if (rc < 0)                                                                      \
            return NULL;                                                                 \
        Py_RETURN_NONE;                                                                  \
    }

PYOPS_CALL(0, APPY_INT64)
PYOPS_CALL(1, APPY_INT32)
PYOPS_CALL(2, APPY_FLOAT64)
PYOPS_CALL(3, APPY_FLOAT32)

static PyObject *
call_rangelen_0(appy_frame *fr, PyObject *const *argv)
{
    int64_t p0, p1, p2;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_int64(fr, argv[0], "start", &p0) < 0
        || appy_arg_int64(fr, argv[1], "stop", &p1) < 0
        || appy_arg_int64(fr, argv[2], "step", &p2) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_rangelen_0(fr, p0, p1, p2, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_scalars_0(appy_frame *fr, PyObject *const *argv)
{
    int64_t p0;
    int32_t p1;
    double p2;
    float p3;
    bool p4;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_int64(fr, argv[0], "i64", &p0) < 0
        || appy_arg_int32(fr, argv[1], "i32", &p1) < 0
        || appy_arg_float64(fr, argv[2], "f64", &p2) < 0
        || appy_arg_float32(fr, argv[3], "f32", &p3) < 0
        || appy_arg_bool(fr, argv[4], "b", &p4) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_scalars_0(fr, p0, p1, p2, p3, p4, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_ints_0(appy_frame *fr, PyObject *const *argv)
{
    int8_t p0;
    int16_t p1;
    uint8_t p2;
    uint16_t p3;
    uint32_t p4;
    uint64_t p5;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_int8(fr, argv[0], "i8", &p0) < 0
        || appy_arg_int16(fr, argv[1], "i16", &p1) < 0
        || appy_arg_uint8(fr, argv[2], "u8", &p2) < 0
        || appy_arg_uint16(fr, argv[3], "u16", &p3) < 0
        || appy_arg_uint32(fr, argv[4], "u32", &p4) < 0
        || appy_arg_uint64(fr, argv[5], "u64", &p5) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_ints_0(fr, p0, p1, p2, p3, p4, p5, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_count_0(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "mask", APPY_BOOL, 1, 0, &p0) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_count_0(fr, &p0, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

static PyObject *
call_bump_0(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "c", APPY_INT64, 0, 1, &p0) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_bump_0(fr, &p0, &ret);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
call_deep_0(appy_frame *fr, PyObject *const *argv)
{
    appy_array p0;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_array(fr, argv[0], "a", APPY_FLOAT64, 9, 1, &p0) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_deep_0(fr, &p0, &ret);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
call_idiv_0(appy_frame *fr, PyObject *const *argv)
{
    int64_t p0, p1;
    PyObject *ret = NULL;
    int rc;

    if (appy_arg_int64(fr, argv[0], "a", &p0) < 0
        || appy_arg_int64(fr, argv[1], "b", &p1) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kernel_idiv_0(fr, p0, p1, &ret);
    Py_END_ALLOW_THREADS
    return rc < 0 ? NULL : ret;
}

/* Wrappers: parse, check the device, pick the overload, release what the call held.
 * WRAPPER(name, n, body) defines py_<name> for a kernel of n parameters. */
#define WRAPPER(NAME, N, ...)                                                            \
    static PyObject *                                                                    \
    py_##NAME(PyObject *self, PyObject *args, PyObject *kwargs)                          \
    {                                                                                    \
        static const char *const names[] = {__VA_ARGS__, NULL};                          \
        PyObject *argv[N];                                                               \
        appy_frame fr;                                                                   \
        PyObject *result;                                                                \
                                                                                         \
        (void)self;                                                                      \
        if (appy_parse_args(#NAME, args, kwargs, names, N, argv) < 0)                    \
            return NULL;                                                                 \
        if (appy_offload_check() < 0)                                                    \
            return NULL;                                                                 \
        appy_frame_init(&fr, "rtcheck", #NAME);                                          \
        result = dispatch_##NAME(&fr, argv);                                             \
        if (appy_frame_release(&fr) < 0)                                                 \
            Py_CLEAR(result);                                                            \
        return result;                                                                   \
    }

#define dispatch_scale call_scale_0
#define dispatch_axpy2 call_axpy2_0
#define dispatch_make call_make_0
#define dispatch_rangelen call_rangelen_0
#define dispatch_scalars call_scalars_0
#define dispatch_ints call_ints_0
#define dispatch_count call_count_0
#define dispatch_bump call_bump_0
#define dispatch_idiv call_idiv_0
#define dispatch_deep call_deep_0

static PyObject *
dispatch_total(appy_frame *fr, PyObject *const *argv)
{
    if (appy_match_array(argv[0], APPY_FLOAT64, 1) && appy_match_scalar(argv[1], APPY_INT64))
        return call_total_0(fr, argv);
    else if (appy_match_array(argv[0], APPY_INT32, 1) && appy_match_scalar(argv[1], APPY_INT64))
        return call_total_1(fr, argv);
    return appy_no_match(fr, argv, 2, "  total(float64[:], int64)\n  total(int32[:], int64)\n");
}

static PyObject *
dispatch_pyops(appy_frame *fr, PyObject *const *argv)
{
    static const appy_dtype dts[] = {APPY_INT64, APPY_INT32, APPY_FLOAT64, APPY_FLOAT32};
    static PyObject *(*const calls[])(appy_frame *, PyObject *const *) = {
        call_pyops_0, call_pyops_1, call_pyops_2, call_pyops_3,
    };

    for (int k = 0; k < 4; k++) {
        if (appy_match_scalar(argv[0], APPY_INT64) && appy_match_array(argv[1], dts[k], 1)
            && appy_match_array(argv[2], dts[k], 1) && appy_match_array(argv[3], dts[k], 1))
            return calls[k](fr, argv);
    }
    return appy_no_match(fr, argv, 4,
                         "pyops(int64, int64[:], int64[:], int64[:])\n"
                         "pyops(int64, int32[:], int32[:], int32[:])\n"
                         "pyops(int64, float64[:], float64[:], float64[:])\n"
                         "pyops(int64, float32[:], float32[:], float32[:])");
}

static PyObject *
dispatch_last(appy_frame *fr, PyObject *const *argv)
{
    static const appy_dtype dts[] = {APPY_BOOL, APPY_INT8, APPY_INT16, APPY_INT32, APPY_INT64,
                                     APPY_UINT8, APPY_UINT16, APPY_UINT32, APPY_UINT64,
                                     APPY_FLOAT32, APPY_FLOAT64};
    static PyObject *(*const calls[])(appy_frame *, PyObject *const *) = {
        call_last_bool, call_last_int8, call_last_int16, call_last_int32, call_last_int64,
        call_last_uint8, call_last_uint16, call_last_uint32, call_last_uint64,
        call_last_float32, call_last_float64,
    };

    for (int k = 0; k < 11; k++)
        if (appy_match_array(argv[0], dts[k], 1))
            return calls[k](fr, argv);
    return appy_no_match(fr, argv, 1, "last(bool[:])\nlast(int8[:])\nlast(int16[:])\n"
                         "last(int32[:])\nlast(int64[:])\nlast(uint8[:])\nlast(uint16[:])\n"
                         "last(uint32[:])\nlast(uint64[:])\nlast(float32[:])\nlast(float64[:])");
}

WRAPPER(scale, 3, "a", "c", "alpha")
WRAPPER(axpy2, 3, "alpha", "x", "y")
WRAPPER(make, 3, "n", "fill", "k")
WRAPPER(total, 2, "x", "start")
WRAPPER(pyops, 4, "op", "a", "b", "out")
WRAPPER(rangelen, 3, "start", "stop", "step")
WRAPPER(scalars, 5, "i64", "i32", "f64", "f32", "b")
WRAPPER(ints, 6, "i8", "i16", "u8", "u16", "u32", "u64")
WRAPPER(last, 1, "a")
WRAPPER(count, 1, "mask")
WRAPPER(bump, 1, "c")
WRAPPER(idiv, 2, "a", "b")
WRAPPER(deep, 1, "a")

/* stage(dst, src, to_device): copies src into dst (same size) through the pinned stage of
 * appy/offload.h, the host standing for the device (src the host's copy when to_device is
 * true, the device's when false). Returns appy_stage_copy's result and the bytes the
 * module holds pinned.
 * With APPY_COPY_HOST_TEST set, the stage's buffers are ordinary memory where there is no
 * CUDA driver. */
static PyObject *
py_stage(PyObject *self, PyObject *args)
{
    Py_buffer dst, src;
    int rc = -1, to_device;
    (void)self;
    if (!PyArg_ParseTuple(args, "w*y*p", &dst, &src, &to_device))
        return NULL;
    if (dst.len == src.len) {
        char *d = dst.buf, *s = src.buf;
        Py_BEGIN_ALLOW_THREADS
        rc = to_device ? appy_stage_copy(d, s, (size_t)src.len, 1)
                       : appy_stage_copy(s, d, (size_t)src.len, 0);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&dst);
    PyBuffer_Release(&src);
    return Py_BuildValue("in", rc, (Py_ssize_t)appy_pinned_bytes());
}

/* stage_free(): frees the stage's buffers; the bytes still pinned. */
static PyObject *
py_stage_free(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    appy_stage_free();
    return PyLong_FromSize_t(appy_pinned_bytes());
}

#define METHOD(NAME, DOC)                                                                \
    {#NAME, (PyCFunction)(void (*)(void))py_##NAME, METH_VARARGS | METH_KEYWORDS,        \
     PyDoc_STR(DOC)}

static PyMethodDef module_methods[] = {
    METHOD(scale, "scale(a, c, alpha): c[i] = alpha * a[i] (float64)."),
    METHOD(axpy2, "axpy2(alpha, x, y): y += alpha * x (float32, rank 2)."),
    METHOD(make, "make(n, fill, k): (i*i, full((n, 3), fill), k, k*n) from appy_alloc."),
    METHOD(total, "total(x, start): sum(x[start:]) for float64 or int32 x."),
    METHOD(pyops, "pyops(op, a, b, out): out = a // b, a % b, max, min or ** (op 0..4)."),
    METHOD(rangelen, "rangelen(start, stop, step): len(range(start, stop, step))."),
    METHOD(scalars, "scalars(i64, i32, f64, f32, b): the arguments, converted and boxed."),
    METHOD(ints, "ints(i8, i16, u8, u16, u32, u64): the arguments, converted and boxed."),
    METHOD(last, "last(a): the last element of a 1-d array of any dtype, boxed."),
    METHOD(count, "count(mask): number of True in a bool array."),
    METHOD(bump, "bump(c): c[()] += 1 for a rank-0 int64 array."),
    METHOD(idiv, "idiv(a, b): a // b, raising ZeroDivisionError from the kernel."),
    METHOD(deep, "deep(a): a[0, ..., 0] = 1.0 for a float64 array of rank 9 (refused)."),
    {"stage", py_stage, METH_VARARGS,
     PyDoc_STR("stage(dst, src, to_device): src copied into dst through the stage.")},
    {"stage_free", py_stage_free, METH_NOARGS, PyDoc_STR("stage_free(): frees the stage.")},
    {"_appy_device", appy_device_info, METH_NOARGS,
     PyDoc_STR("Where kernels run: 'gpu: ...' or 'host: ...'.")},
    {NULL, NULL, 0, NULL}
};

static int
module_exec(PyObject *module)
{
    if (PyModule_AddStringConstant(module, "__appy_compiler__", APPY_COMPILER) < 0)
        return -1;
    return appy_runtime_init(APPY_COMPILER);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL}
};

PyDoc_STRVAR(module_doc, "libappyrt's test module, written in the shape of generated code.");

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "rtcheck",
    .m_doc = module_doc,
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC
PyInit_rtcheck(void)
{
    return PyModuleDef_Init(&module_def);
}
