/* appy/check.h: the subscripts of a module translated with --boundscheck (APPY_BOUNDSCHECK=1),
 * callable inside target regions.
 *
 *   appy_index(i, n, site, failed, bad)  i, if 0 <= i < n; else -1, and the first failure
 *                                         of the call is recorded: *failed = -site, bad[0] = i,
 *                                         bad[1] = n (appy_index_error raises it afterwards)
 *   appy_wrap(i, n, site, failed, bad)   the same for a constant negative index: i + n
 *   appy_flat(k, n, i)                   k * n + i, the flat index of i along an axis of n
 *                                         after flat index k of the axes before; -1 if either is
 *   appy_at(p, k, n, size)               the element k of the n of `size` bytes at p, or a
 *                                         scratch element if k is -1 (or n is 0)
 *   appy_stopped(failed)                 a failure has been recorded: loops that could go on
 *                                         forever on the values read instead stop
 *
 * A bad access is redirected to a scratch element, never made, nor made to another element:
 * a kernel goes on with a wrong value read and its caller raises IndexError when it ends. The first failure wins (compare-and-swap), so the
 * site, index and extent reported belong together. */
#ifndef APPY_CHECK_H
#define APPY_CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef _OPENMP
#pragma omp declare target
#endif

/* Where accesses to elements of arrays without any go: written and read by every thread
 * that makes one, its value never used (the call raises). */
static _Alignas(16) unsigned char appy_sink[16];

static inline int64_t appy_bad_index(int64_t i, int64_t n, int site, int *failed, int64_t *bad)
{
  int none = 0;
  if (__atomic_compare_exchange_n(failed, &none, -site, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    bad[0] = i;
    bad[1] = n;
  }
  return -1;
}

static inline int64_t appy_index(int64_t i, int64_t n, int site, int *failed, int64_t *bad)
{
  return (uint64_t)i < (uint64_t)n ? i : appy_bad_index(i, n, site, failed, bad);
}

static inline int64_t appy_wrap(int64_t i, int64_t n, int site, int *failed, int64_t *bad)
{
  return i >= -n ? i + n : appy_bad_index(i, n, site, failed, bad);
}

static inline int64_t appy_flat(int64_t k, int64_t n, int64_t i)
{
  return k < 0 || i < 0 ? -1 : k * n + i;
}

static inline void *appy_at(void *p, int64_t k, int64_t n, size_t size)
{
  return (uint64_t)k < (uint64_t)n ? (char *)p + k * (int64_t)size : (void *)appy_sink;
}

static inline int appy_stopped(int *failed)
{
  return __atomic_load_n(failed, __ATOMIC_RELAXED) < 0;
}

#ifdef _OPENMP
#pragma omp end declare target
#endif

#endif
