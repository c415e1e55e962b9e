/* tune_reduce.c: ways to sum 2^26 float64 values (and a masked sum) on the GPU with
 * OpenMP, data mapped once: the form appy-translate generates for a prange loop with a
 * scalar reduction (`target teams distribute parallel for reduction(+: s)`), the same with
 * explicit team counts and thread limits, and LLVM `ompx_bare` kernels (CUDA launch
 * geometry: a grid-stride loop, warp shuffles, one partial per block, then an atomic add
 * or a second pass). Prints the median of 11 timed runs per variant and its error.
 *
 * Build (here) and run (on the GPU machine, after `source .gpu/on-device.sh`):
 *   clang-19 -O3 -fopenmp --offload-arch=sm_90 -fopenmp-target-jit -Iinclude \
 *     -Wl,-rpath,/usr/lib/llvm-19/lib bench/tune_reduce.c -lm -ldl -o tune_reduce
 *   ./tune_reduce */
#include <math.h>
#include <omp.h>
#include <ompx.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune.h"

#define N (1L << 26)
static double *x, ref, mref;
static unsigned char *mask;
static double *part;                 /* device: one partial per block */
#define TIME(name, want, ...) do { double t[RUNS], got = 0; \
  for (int r = -1; r < RUNS; r++) { double t0 = omp_get_wtime(); { __VA_ARGS__ } double t1 = omp_get_wtime(); if (r >= 0) t[r] = t1 - t0; } \
  qsort(t, RUNS, sizeof *t, cmp); \
  printf("%-34s %8.3f ms %6.2f TB/s  err %.2e\n", name, t[RUNS/2]*1e3, bytes/t[RUNS/2]/1e12, fabs(got-(want))/(want)); fflush(stdout); } while (0)

#define GEN(CLAUSES, NAME) TIME(NAME, ref, double s = 0; \
  PRAGMA(omp target teams distribute parallel for CLAUSES map(tofrom: s) reduction(+: s)) \
  for (long i = 0; i < N; i++) s += x[i]; got = s;)

/* bare: NB blocks of T threads, U accumulators per thread, warp shuffles, block partials
 * through shared memory; FIN 0: atomic add of each block's partial, 1: second kernel */
static double bare(int NB, int T, int U, int fin, int masked) {
  double s = 0;
  #pragma omp target teams ompx_bare num_teams(NB) thread_limit(1024) map(tofrom: s) firstprivate(NB, T, U, masked)
  {
    static double wsum[32];
    #pragma omp allocate(wsum) allocator(omp_pteam_mem_alloc)
    const int tid = ompx_thread_id_x();
    const long stride = (long)ompx_grid_dim_x() * ompx_block_dim_x();
    long i = (long)ompx_block_id_x() * ompx_block_dim_x() + tid;
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (U == 4) {
      for (; i + 3 * stride < N; i += 4 * stride) {
        if (masked) {
          a0 += mask[i] ? x[i] : 0.0; a1 += mask[i + stride] ? x[i + stride] : 0.0;
          a2 += mask[i + 2*stride] ? x[i + 2*stride] : 0.0; a3 += mask[i + 3*stride] ? x[i + 3*stride] : 0.0;
        } else {
          a0 += x[i]; a1 += x[i + stride]; a2 += x[i + 2 * stride]; a3 += x[i + 3 * stride];
        }
      }
    }
    for (; i < N; i += stride) a0 += masked ? (mask[i] ? x[i] : 0.0) : x[i];
    double v = (a0 + a1) + (a2 + a3);
    for (int d = 16; d; d >>= 1) v += ompx_shfl_down_sync_d(~0ull, v, d, 32);
    if (tid % 32 == 0) wsum[tid / 32] = v;
    ompx_sync_block(ompx_acq_rel);
    if (tid < 32) {
      v = tid < (int)ompx_block_dim_x() / 32 ? wsum[tid] : 0.0;
      for (int d = 16; d; d >>= 1) v += ompx_shfl_down_sync_d(~0ull, v, d, 32);
      if (tid == 0) {
        if (fin == 0) {
          #pragma omp atomic update
          s += v;
        } else
          part[ompx_block_id_x()] = v;
      }
    }
  }
  if (fin == 1) {
    #pragma omp target teams ompx_bare num_teams(1) thread_limit(32) map(tofrom: s) firstprivate(NB)
    {
      const int tid = ompx_thread_id_x();
      double v = 0;
      for (int b = tid; b < NB; b += 32) v += part[b];
      for (int d = 16; d; d >>= 1) v += ompx_shfl_down_sync_d(~0ull, v, d, 32);
      if (tid == 0) s = v;
    }
  }
  return s;
}

int main(void) {
  reg();
  x = malloc(sizeof(double) * N);
  mask = malloc(N);
  uint64_t st = 88172645463325252ull;
  for (long i = 0; i < N; i++) {
    st ^= st << 13; st ^= st >> 7; st ^= st << 17;
    x[i] = (st >> 11) * (1.0 / 9007199254740992.0);
    mask[i] = (st & 1);
    ref += x[i];
    if (mask[i]) mref += x[i];
  }
  part = omp_target_alloc(sizeof(double) * 65536, 0);
  double bytes = 8.0 * N;
  #pragma omp target enter data map(to: x[0:N], mask[0:N])
  GEN(, "generated form");
  GEN(num_teams(528) thread_limit(256), "teams 528 x 256");
  GEN(num_teams(1056) thread_limit(256), "teams 1056 x 256");
  GEN(num_teams(2112) thread_limit(256), "teams 2112 x 256");
  GEN(num_teams(264) thread_limit(1024), "teams 264 x 1024");
  GEN(num_teams(1056) thread_limit(512), "teams 1056 x 512");
  GEN(num_teams(4224) thread_limit(128), "teams 4224 x 128");
  static const int nbs[] = {264, 528, 1056, 2112, 4224};
  for (int fin = 0; fin < 2; fin++)
    for (int u = 1; u <= 4; u += 3)
      for (int k = 0; k < 5; k++) {
        char name[64];
        snprintf(name, sizeof name, "bare %d x 256 u%d %s", nbs[k], u, fin ? "2-pass" : "atomic");
        TIME(name, ref, got = bare(nbs[k], 256, u, fin, 0););
      }
  TIME("bare 1056 x 512 u4 2-pass", ref, got = bare(1056, 512, 4, 1, 0););
  TIME("bare 528 x 1024 u4 2-pass", ref, got = bare(528, 1024, 4, 1, 0););
  bytes = 9.0 * N;
  TIME("masked: generated form", mref, double s = 0;
    _Pragma("omp target teams distribute parallel for map(tofrom: s) reduction(+: s)")
    for (long i = 0; i < N; i++) if (mask[i]) s += x[i]; got = s;);
  TIME("masked: bare 1056 x 256 u4 2-pass", mref, got = bare(1056, 256, 4, 1, 1););
  TIME("masked: bare 2112 x 256 u4 2-pass", mref, got = bare(2112, 256, 4, 1, 1););
  TIME("masked: bare 1056 x 256 u1 2-pass", mref, got = bare(1056, 256, 1, 1, 1););
  return 0;
}
