/* appy/atomic.h: atomic updates of 1- and 2-byte elements (bool, int8, uint8, int16,
 * uint16), callable inside target regions.
 *
 * OpenMP's atomic construct is for any type, but NVIDIA GPUs have atomic instructions of
 * 4 and 8 bytes only, so these update the aligned 4-byte word that holds the element
 * with a compare-and-swap loop, leaving its other bytes as they are.
 *
 *   appy_atomic_OP_NAME(p, v)   *p = *p OP v, for OP add sub mul and or xor shl shr
 *
 * NAME is the element's dtype. v is the update's value as int64: the result is computed
 * in int64 and wrapped to the element's type (converted to bool, for bool), as NumPy
 * stores `x[k] += v` (x[k] + v in the promoted type, then cast to x's dtype). */
#ifndef APPY_ATOMIC_H
#define APPY_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "appy/pyops.h"

#ifdef _OPENMP
#pragma omp declare target
#endif

/* Where in its word the element at p starts, in bits. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define APPY_ATOMIC_SHIFT(p, size) (8 * (4 - (unsigned)((uintptr_t)(p) & 3) - (size)))
#else
#define APPY_ATOMIC_SHIFT(p, size) (8 * (unsigned)((uintptr_t)(p) & 3))
#endif

/* appy_atomic_FN for element type T (U: the unsigned type of its size), x OP v being
 * EXPR. */
#define APPY_ATOMIC_OP(T, FN, U, EXPR)                                                 \
  static inline void appy_atomic_##FN(T *p, int64_t v)                                 \
  {                                                                                    \
    uint32_t *w = (uint32_t *)((uintptr_t)p & ~(uintptr_t)3);                          \
    const unsigned shift = APPY_ATOMIC_SHIFT(p, sizeof(T));                            \
    const uint32_t mask = (uint32_t)(U)~(U)0 << shift;                                 \
    uint32_t old = __atomic_load_n(w, __ATOMIC_RELAXED), now;                          \
    do {                                                                               \
      const int64_t x = (T)(U)((old & mask) >> shift);                                 \
      const int64_t y = (int64_t)(EXPR);                                               \
      const T r = (T)y;                                                                \
      now = (old & ~mask) | (uint32_t)(U)r << shift;                                   \
    } while (!__atomic_compare_exchange_n(w, &old, now, 1, __ATOMIC_RELAXED,           \
                                          __ATOMIC_RELAXED));                          \
  }

/* Sums and products wrap: computed on uint64, as C's signed overflow is undefined. NAME
 * is pasted here, where it is not expanded (bool is a macro). */
#define APPY_ATOMIC_OPS(T, NAME, U)                                                    \
  APPY_ATOMIC_OP(T, add_##NAME, U, (uint64_t)x + (uint64_t)v)                          \
  APPY_ATOMIC_OP(T, sub_##NAME, U, (uint64_t)x - (uint64_t)v)                          \
  APPY_ATOMIC_OP(T, mul_##NAME, U, (uint64_t)x * (uint64_t)v)                          \
  APPY_ATOMIC_OP(T, and_##NAME, U, x & v)                                              \
  APPY_ATOMIC_OP(T, or_##NAME, U, x | v)                                               \
  APPY_ATOMIC_OP(T, xor_##NAME, U, x ^ v)                                              \
  APPY_ATOMIC_OP(T, shl_##NAME, U, appy_lshift_i64(x, v))                              \
  APPY_ATOMIC_OP(T, shr_##NAME, U, appy_rshift_i64(x, v))
APPY_ATOMIC_OPS(bool, bool, uint8_t)
APPY_ATOMIC_OPS(int8_t, int8, uint8_t)
APPY_ATOMIC_OPS(uint8_t, uint8, uint8_t)
APPY_ATOMIC_OPS(int16_t, int16, uint16_t)
APPY_ATOMIC_OPS(uint16_t, uint16, uint16_t)

#ifdef _OPENMP
#pragma omp end declare target
#endif

#endif
