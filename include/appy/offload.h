/* appy/offload.h: where a module's kernels really run.
 *
 * Compiled into each module by its offload compiler (it needs omp.h and target regions);
 * libappyrt only judges the answers. The functions are static inline so that a module
 * which leaves one unused still compiles warning-free. */
#ifndef APPY_OFFLOAD_H
#define APPY_OFFLOAD_H

#include <omp.h>

#include "runtime.h"

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
  return 0;
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
