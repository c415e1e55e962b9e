/* appy/pyops.h: Python's and NumPy's arithmetic where C's differs, callable inside target
 * regions.
 *
 * For every integer type (_i8, _i16, _i32, _i64, _u8, _u16, _u32, _u64), float (_f32) and
 * double (_f64):
 *   appy_floordiv_T(a, b)  a // b     rounds toward -inf, not toward zero as C's /
 *   appy_mod_T(a, b)       a % b      takes the sign of b, not of a as C's %
 *   appy_max_T(a, b)       max(a, b)  b > a ? b : a, so max(nan, 1) is nan, max(1, nan) 1
 *   appy_min_T(a, b)       min(a, b)  b < a ? b : a
 * and for the integer types appy_ipow_T(a, n) for a ** n and appy_lshift_T / _rshift_T for
 * << and >>; appy_cmp_u64_i64(a, b) compares a uint64 with an int64;
 * appy_range_len(start, stop, step) for len(range(start, stop, step)),
 * appy_slice_start/_len(lo, hi, step, n) for the first index and length of the slice
 * lo:hi:step of n elements.
 *
 * Device code cannot raise, so where Python would, these give NumPy's answer instead:
 * integer // and % by zero give 0; float // by zero gives a / b (inf or nan) and float %
 * by zero nan; INT_MIN // -1 wraps to INT_MIN; ** and products wrap modulo 2^bits. Host
 * code between loops does the same: it does not raise ZeroDivisionError where CPython
 * would (on Python ints and floats; NumPy's scalars give these answers too), which would
 * need the translator to know which scalars are Python's.
 *
 * The float versions are CPython's float_divmod step by step, signed zeros included
 * (float32 does the same steps in float32, as NumPy does). */
#ifndef APPY_PYOPS_H
#define APPY_PYOPS_H

#include <math.h>
#include <stdint.h>

#ifdef _OPENMP
#pragma omp declare target
#endif

/* Signed integers (int8 _i8, int16 _i16, int32 _i32, int64 _i64), with U the unsigned
 * type of their width and W the unsigned type (32 bits at least) that ** wraps in; each
 * width its own code, since 32-bit division is much cheaper than 64-bit on GPUs. */
#define APPY_SIGNED_OPS(T, SUF, U, W, BITS)                                            \
  static inline T appy_floordiv_##SUF(T a, T b)                                       \
  {                                                                                    \
    T q;                                                                               \
    if (b == 0)                                                                        \
      return 0;                                                                        \
    if (b == -1)                                                                       \
      return (T)(0 - (U)a); /* C's MIN / -1 traps */                                   \
    q = (T)(a / b);                                                                    \
    if ((T)(q * b) != a && (a < 0) != (b < 0))                                         \
      q--;                                                                             \
    return q;                                                                          \
  }                                                                                    \
  static inline T appy_mod_##SUF(T a, T b)                                            \
  {                                                                                    \
    T r;                                                                               \
    if (b == 0 || b == -1)                                                             \
      return 0; /* C's MIN % -1 traps */                                               \
    r = (T)(a % b);                                                                    \
    if (r != 0 && (r < 0) != (b < 0))                                                  \
      r = (T)(r + b);                                                                  \
    return r;                                                                          \
  }                                                                                    \
  /* n >= 0; a negative n (an error in NumPy, a float in Python) gives 0. */           \
  static inline T appy_ipow_##SUF(T a, T n)                                           \
  {                                                                                    \
    W r = 1, x = (W)a; /* unsigned: overflow wraps instead of being undefined */       \
    if (n < 0)                                                                         \
      return 0;                                                                        \
    for (; n; n >>= 1, x *= x)                                                         \
      if (n & 1)                                                                       \
        r *= x;                                                                        \
    return (T)r;                                                                       \
  }                                                                                    \
  /* NumPy's shifts: by BITS or more, or by a negative count, all bits go. */          \
  static inline T appy_lshift_##SUF(T a, T b)                                         \
  {                                                                                    \
    return (uint64_t)b < BITS ? (T)((W)a << b) : 0;                                    \
  }                                                                                    \
  static inline T appy_rshift_##SUF(T a, T b)                                         \
  {                                                                                    \
    return (uint64_t)b < BITS ? (T)(a >> b) : a < 0 ? -1 : 0;                          \
  }                                                                                    \
  static inline T appy_max_##SUF(T a, T b) { return b > a ? b : a; }                   \
  static inline T appy_min_##SUF(T a, T b) { return b < a ? b : a; }
APPY_SIGNED_OPS(int8_t, i8, uint8_t, uint32_t, 8)
APPY_SIGNED_OPS(int16_t, i16, uint16_t, uint32_t, 16)
APPY_SIGNED_OPS(int32_t, i32, uint32_t, uint32_t, 32)
APPY_SIGNED_OPS(int64_t, i64, uint64_t, uint64_t, 64)

/* Unsigned integers (uint8 _u8 ... uint64 _u64): C's / and % are Python's already. */
#define APPY_UNSIGNED_OPS(T, SUF, W, BITS)                                             \
  static inline T appy_floordiv_##SUF(T a, T b) { return b ? (T)(a / b) : 0; }        \
  static inline T appy_mod_##SUF(T a, T b) { return b ? (T)(a % b) : 0; }              \
  static inline T appy_ipow_##SUF(T a, T n)                                           \
  {                                                                                    \
    W r = 1, x = a;                                                                    \
    for (; n; n >>= 1, x *= x)                                                         \
      if (n & 1)                                                                       \
        r *= x;                                                                        \
    return (T)r;                                                                       \
  }                                                                                    \
  static inline T appy_lshift_##SUF(T a, T b)                                         \
  {                                                                                    \
    return b < BITS ? (T)((W)a << b) : 0;                                              \
  }                                                                                    \
  static inline T appy_rshift_##SUF(T a, T b) { return b < BITS ? (T)(a >> b) : 0; }   \
  static inline T appy_max_##SUF(T a, T b) { return b > a ? b : a; }                   \
  static inline T appy_min_##SUF(T a, T b) { return b < a ? b : a; }
APPY_UNSIGNED_OPS(uint8_t, u8, uint32_t, 8)
APPY_UNSIGNED_OPS(uint16_t, u16, uint32_t, 16)
APPY_UNSIGNED_OPS(uint32_t, u32, uint32_t, 32)
APPY_UNSIGNED_OPS(uint64_t, u64, uint64_t, 64)

/* a compared with b (-1, 0, 1), exactly: C would convert b to uint64 first. */
static inline int appy_cmp_u64_i64(uint64_t a, int64_t b)
{
  return b < 0 || a > (uint64_t)b ? 1 : a < (uint64_t)b ? -1 : 0;
}

/* x ** 2 for floats: x * x, which is what NumPy computes (and C's pow(x, 2.0) returns), without
 * a pow call: in clang's device code pow() is libdevice's __nv_pow, which LLVM does not
 * simplify. */
static inline double appy_square_f64(double x)
{
  return x * x;
}
static inline float appy_square_f32(float x)
{
  return x * x;
}

/* float64 */

static inline double appy_mod_f64(double a, double b)
{
  double mod = fmod(a, b);
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0))
      mod += b;
  } else {
    mod = copysign(0.0, b);  /* fmod's zero has a's sign; Python's has b's */
  }
  return mod;
}

static inline double appy_floordiv_f64(double a, double b)
{
  double mod, div, floordiv;
  if (b == 0.0)
    return a / b;
  mod = fmod(a, b);
  div = (a - mod) / b;  /* an exact multiple of b up to rounding */
  if (mod != 0.0 && (b < 0) != (mod < 0))
    div -= 1.0;
  if (div == 0.0)
    return copysign(0.0, a / b);
  floordiv = floor(div);
  if (div - floordiv > 0.5)  /* snap to the nearest integer */
    floordiv += 1.0;
  return floordiv;
}

static inline double appy_max_f64(double a, double b) { return b > a ? b : a; }
static inline double appy_min_f64(double a, double b) { return b < a ? b : a; }

/* float32 */

static inline float appy_mod_f32(float a, float b)
{
  float mod = fmodf(a, b);
  if (mod != 0.0f) {
    if ((b < 0) != (mod < 0))
      mod += b;
  } else {
    mod = copysignf(0.0f, b);
  }
  return mod;
}

static inline float appy_floordiv_f32(float a, float b)
{
  float mod, div, floordiv;
  if (b == 0.0f)
    return a / b;
  mod = fmodf(a, b);
  div = (a - mod) / b;
  if (mod != 0.0f && (b < 0) != (mod < 0))
    div -= 1.0f;
  if (div == 0.0f)
    return copysignf(0.0f, a / b);
  floordiv = floorf(div);
  if (div - floordiv > 0.5f)
    floordiv += 1.0f;
  return floordiv;
}

static inline float appy_max_f32(float a, float b) { return b > a ? b : a; }
static inline float appy_min_f32(float a, float b) { return b < a ? b : a; }

/* len(range(start, stop, step)), step != 0; the length must fit in int64. Unsigned
 * differences, because stop - start overflows int64 for far-apart bounds. */
static inline int64_t appy_range_len(int64_t start, int64_t stop, int64_t step)
{
  if (step > 0 && start < stop)
    return (int64_t)(((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1);
  if (step < 0 && start > stop)
    return (int64_t)(((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1);
  return 0;
}

/* Slices lo:hi:step of a dimension of n elements, as Python's slice.indices(n): bounds
 * counted from the end when negative, then clipped; APPY_OMIT for a bound left out. */
#define APPY_OMIT INT64_MIN

static inline int64_t appy_slice_bound(int64_t b, int64_t step, int64_t n, int64_t omitted)
{
  if (b == APPY_OMIT)
    return omitted;
  if (b < 0) {
    b += n;
    return b < 0 ? (step < 0 ? -1 : 0) : b;
  }
  return b >= n ? (step < 0 ? n - 1 : n) : b;
}

/* First index of the slice. */
static inline int64_t appy_slice_start(int64_t lo, int64_t hi, int64_t step, int64_t n)
{
  (void)hi;
  return appy_slice_bound(lo, step, n, step < 0 ? n - 1 : 0);
}

/* Number of elements of the slice. */
static inline int64_t appy_slice_len(int64_t lo, int64_t hi, int64_t step, int64_t n)
{
  int64_t start = appy_slice_bound(lo, step, n, step < 0 ? n - 1 : 0);
  int64_t stop = appy_slice_bound(hi, step, n, step < 0 ? -1 : n);
  return appy_range_len(start, stop, step);
}

#ifdef _OPENMP
#pragma omp end declare target
#endif

#endif
