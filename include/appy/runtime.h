/* appy/runtime.h: libappyrt, what every generated module calls.
 *
 * A generated module includes Python.h (with Py_LIMITED_API 0x030B0000), omp.h and the
 * appy/ headers, and links libappyrt.a. The library itself is plain host C without
 * OpenMP, so one build serves modules made by any offload compiler; what needs OpenMP
 * lives in appy/offload.h and appy/pyops.h and is compiled into each module.
 *
 * Each module links its own copy of the library: the functions below have hidden
 * visibility, so modules never share (or clobber) each other's runtime state.
 *
 * GIL: the argument functions (args.c) and appy_frame_release run with the GIL held, as
 * the wrapper does. Everything a kernel body calls (allocation, boxing, raising,
 * profiling) takes the GIL itself with PyGILState_Ensure, so kernel bodies run between
 * Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS; calling them with the GIL held is
 * fine too. */
#ifndef APPY_RUNTIME_H
#define APPY_RUNTIME_H

#include <Python.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APPY_API __attribute__((visibility("hidden")))

#define APPY_MAXDIM 8

/* NumPy's bool, integer and float dtypes; APPY_FLOAT64 is the last. */
typedef enum {
  APPY_BOOL,
  APPY_INT8, APPY_INT16, APPY_INT32, APPY_INT64,
  APPY_UINT8, APPY_UINT16, APPY_UINT32, APPY_UINT64,
  APPY_FLOAT32, APPY_FLOAT64
} appy_dtype;

typedef struct appy_array {
  void *data;                  /* C-contiguous elements */
  int64_t shape[APPY_MAXDIM];  /* extent of each dimension */
  int64_t size;                /* number of elements */
  int ndim;                    /* rank */
  appy_dtype dtype;            /* element type */
  PyObject *obj;               /* the Python object this array stands for: the caller's
                                  argument (even when data is a contiguous copy of it) or
                                  the array appy_alloc made; kept alive by the frame */
  void *device;                /* a GPU array argument (__cuda_array_interface__): its GPU
                                  address, data being host memory that stands in for it;
                                  else NULL */
} appy_array;

/* One Python object whose memory a kernel uses, held until appy_frame_release. */
typedef struct appy_hold {
  Py_buffer view;   /* buffer that appy_array.data points into */
  PyObject *arg;    /* caller's argument a copy was made of (borrowed), else NULL */
  PyObject *orig;   /* ndarray view of arg that the copy is written back to, else NULL */
  PyObject *own;    /* the contiguous copy or the array appy_alloc made, else NULL */
  int writeback;    /* copy own back into orig at release */
  void *shadow;     /* host memory standing in for a GPU array argument, else NULL */
  size_t shadow_len;
  appy_array *out;  /* an argument the kernel uses in the caller's memory: its array (the
                       wrapper's, alive until the kernel returns), for the overlap checks;
                       else NULL */
  const char *param;  /* ... its parameter */
  int written;        /* ... and whether the kernel writes it */
} appy_hold;

#define APPY_FRAME_BLOCK 8

/* Holds come in blocks that never move (a Py_buffer stays where it was filled in). */
typedef struct appy_holds {
  struct appy_holds *prev;        /* previous block, NULL for the frame's first */
  int n;                          /* holds used in this block */
  appy_hold h[APPY_FRAME_BLOCK];  /* the holds */
} appy_holds;

/* Everything one call of a kernel has taken from Python; lives on the wrapper's stack. */
typedef struct appy_frame {
  const char *module;  /* module name, for messages and profiles */
  const char *func;    /* Python-visible function name */
  appy_holds *top;     /* block that receives the next hold */
  int gpu_ok;          /* array arguments may be GPU arrays (set by the module) */
  PyObject *gpu_kind;  /* the module (cupy, torch) of the first GPU array argument */
  PyObject *gpu_like;  /* that argument (borrowed) */
  int gpu_waited;      /* the call waited for the whole CUDA context (gpuarray.c) */
  appy_holds first;    /* first block, on the stack with the frame */
} appy_frame;

/* alloc.c: the frame */
APPY_API void appy_frame_init(appy_frame *fr, const char *module, const char *func);
/* GIL held. Writes strided copies back into the caller's arrays (also when an exception
 * is pending, as Python keeps writes made before a raise), releases buffers and drops
 * arrays the frame owns (arrays allocated in a loop stay alive until then). Returns 0, or
 * -1 if a write-back failed: an exception is then set (the one pending before, if any)
 * and the wrapper must drop its result and return NULL. */
APPY_API int appy_frame_release(appy_frame *fr);

/* args.c: wrapper side, GIL held. All return 0 on success, -1 with an exception set. */

/* Positional and keyword arguments, all required, into out[0..n-1] (borrowed). */
APPY_API int appy_parse_args(const char *func, PyObject *args, PyObject *kwargs,
                             const char *const *names, int n, PyObject **out);
/* Any buffer of dtype dt and rank ndim. A strided buffer, one whose elements are not
 * aligned to their size, and a bool buffer holding bytes other than 0 and 1 are replaced
 * by a C-contiguous, aligned copy (bools made 0 or 1), written back at appy_frame_release
 * when writable; the same strided object passed twice shares one copy. An argument the
 * kernel only reads that partly overlaps one it writes is copied first, as NumPy's ufuncs
 * do; the same memory passed twice with the same dtype and shape is left as it is, and
 * two written arguments that partly overlap raise ValueError. */
APPY_API int appy_arg_array(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                            int ndim, int writable, appy_array *out);
/* Integers: anything with __index__ (int, bool, NumPy integers), never float or
 * numpy.bool_. Out of the dtype's range: OverflowError naming the parameter. */
APPY_API int appy_arg_int8(appy_frame *fr, PyObject *obj, const char *param, int8_t *out);
APPY_API int appy_arg_int16(appy_frame *fr, PyObject *obj, const char *param, int16_t *out);
APPY_API int appy_arg_int32(appy_frame *fr, PyObject *obj, const char *param, int32_t *out);
APPY_API int appy_arg_int64(appy_frame *fr, PyObject *obj, const char *param, int64_t *out);
APPY_API int appy_arg_uint8(appy_frame *fr, PyObject *obj, const char *param, uint8_t *out);
APPY_API int appy_arg_uint16(appy_frame *fr, PyObject *obj, const char *param, uint16_t *out);
APPY_API int appy_arg_uint32(appy_frame *fr, PyObject *obj, const char *param, uint32_t *out);
APPY_API int appy_arg_uint64(appy_frame *fr, PyObject *obj, const char *param, uint64_t *out);
/* Floats: float, NumPy floating, or an integer (converted exactly as float() would). */
APPY_API int appy_arg_float64(appy_frame *fr, PyObject *obj, const char *param, double *out);
APPY_API int appy_arg_float32(appy_frame *fr, PyObject *obj, const char *param, float *out);
/* Kernel side (takes the GIL to raise). If runs, the loops index dimension dim of argument
 * param, of size extent, with x + k, x from i1 to i2 (either order) and k from kmin to
 * kmax: ValueError naming them unless every index is in [-extent, extent - 1] (checks.c
 * of the translator). where: "file, line N". Returns 0 / -1. */
APPY_API int appy_extent(appy_frame *fr, const char *param, int dim, int64_t extent, int runs,
                         int64_t i1, int64_t i2, int64_t kmin, int64_t kmax,
                         const char *where);
/* Booleans: bool or numpy.bool_ only. */
APPY_API int appy_arg_bool(appy_frame *fr, PyObject *obj, const char *param, bool *out);

/* Overload dispatch: 1 if appy_arg_array / appy_arg_<dt> would accept obj's kind (a
 * read-only array or an integer out of the dtype's range still matches, and then fails
 * in the appy_arg_ call with its usual message), else 0. Never leave an exception set. */
APPY_API int appy_match_array(PyObject *obj, appy_dtype dt, int ndim);
/* gpuarray.c: arrays on the GPU, through __cuda_array_interface__ (CuPy, PyTorch, Numba). */
APPY_API int appy_is_gpu_array(PyObject *obj);
APPY_API int appy_match_gpu_array(PyObject *obj, appy_dtype dt, int ndim);
/* Like appy_arg_array for a GPU array: data is host memory standing in for it, device its
 * GPU address. */
APPY_API int appy_gpu_array_arg(appy_frame *fr, PyObject *obj, const char *param, appy_dtype dt,
                                int ndim, int writable, appy_array *out);
/* A kernel's result, with the NumPy arrays in it turned into the kind of the call's GPU
 * array arguments (cupy.asarray, torch.as_tensor on their device). Steals result. */
APPY_API PyObject *appy_result_kind(appy_frame *fr, PyObject *result);
APPY_API int appy_match_scalar(PyObject *obj, appy_dtype dt);
/* Raises TypeError describing argv and listing the accepted signatures, given one per
 * line ("f(float64[:], int64)\nf(int32[:], int64)"; indentation and blank lines are
 * ignored); returns NULL. */
APPY_API PyObject *appy_no_match(appy_frame *fr, PyObject *const *argv, int n,
                                 const char *signatures);

/* alloc.c: kernel side, takes the GIL itself. */

/* how: "empty", "zeros", "ones" or "full" (with fill). The frame owns the new array until
 * appy_frame_release; appy_box_array keeps it alive past that. Returns 0 / -1. */
APPY_API int appy_alloc(appy_frame *fr, const char *how, appy_dtype dt, int ndim,
                        const int64_t *shape, double fill, appy_array *out);

/* New references, NULL with an exception set on error. int64, float64 and bool become
 * Python int, float and bool; the other dtypes NumPy scalars, so the result keeps its
 * dtype. */
APPY_API PyObject *appy_box_int8(int8_t v);
APPY_API PyObject *appy_box_int16(int16_t v);
APPY_API PyObject *appy_box_int32(int32_t v);
APPY_API PyObject *appy_box_int64(int64_t v);
APPY_API PyObject *appy_box_uint8(uint8_t v);
APPY_API PyObject *appy_box_uint16(uint16_t v);
APPY_API PyObject *appy_box_uint32(uint32_t v);
APPY_API PyObject *appy_box_uint64(uint64_t v);
APPY_API PyObject *appy_box_float64(double v);
APPY_API PyObject *appy_box_float32(float v);
APPY_API PyObject *appy_box_bool(int v);
APPY_API PyObject *appy_box_array(appy_array *a);
/* Steals the references in items; if any is NULL, drops the others and returns NULL. */
APPY_API PyObject *appy_box_tuple(int n, PyObject **items);

enum {
  APPY_TYPE_ERROR,
  APPY_VALUE_ERROR,
  APPY_RUNTIME_ERROR,
  APPY_INDEX_ERROR,
  APPY_ZERO_DIVISION_ERROR,
  APPY_OVERFLOW_ERROR
};
/* printf-style message (all of C's conversions). Returns -1. */
APPY_API int appy_raise(int exc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A subscript of a module translated with --boundscheck (appy/check.h): its array, axis
 * and source line. */
typedef struct appy_site {
  const char *array;  /* the array's Python name */
  int axis;           /* the subscript's axis */
  int line;           /* its line in file */
} appy_site;
/* IndexError for the failure appy/check.h recorded: site failed (a negative number) of
 * sites, index bad[0] along an axis of extent bad[1]; drops the result *ret (if any) that
 * was made of what was read. Takes the GIL. Returns -1. */
APPY_API int appy_index_error(const appy_site *sites, int failed, const int64_t *bad,
                              const char *file, PyObject **ret);

APPY_API const char *appy_dtype_name(appy_dtype dt);  /* "float64", ... */
APPY_API size_t appy_dtype_size(appy_dtype dt);       /* bytes per element */

/* profile.c */
APPY_API double appy_clock(void);         /* monotonic seconds */
APPY_API int appy_profile_enabled(void);  /* APPY_PROFILE set, not "" and not "0" */
/* One line per launch on sys.stderr, and a per-region summary at interpreter exit.
 * Times in seconds. Takes the GIL itself. */
APPY_API void appy_profile_region(const char *module, const char *func, int line,
                                  size_t bytes_in, double t_in, double t_kernel,
                                  size_t bytes_out, double t_out);
/* One line per call of a kernel function with parallel loops: what its data environment
 * copied each way, its kernels, the whole call; and a row in the summary. */
APPY_API void appy_profile_call(const char *module, const char *func, size_t bytes_in,
                                double t_in, int launches, double t_kernels, size_t bytes_out,
                                double t_out, double t_call);
/* One line per array copied between host and device: "copy 536.9 MB 10.21 ms (52.58 GB/s)
 * to device, staged"; path is how (appy/offload.h's appy_copy). */
APPY_API void appy_profile_copy(const char *direction, const char *path, size_t bytes,
                                double t);

/* copy.c: the host side of fast copies between NumPy memory and the GPU (appy/offload.h
 * copies). Thread-safe; no GIL needed. */
enum { APPY_COPY_STAGE, APPY_COPY_REGISTER, APPY_COPY_PAGEABLE };
enum { APPY_STAGE_MAX = 32 };
typedef struct appy_stage appy_stage;  /* lanes of pinned buffers, each with a stream */
APPY_API int appy_copy_mode(void);   /* APPY_COPY: APPY_COPY_STAGE (default), ... */
APPY_API size_t appy_copy_min(void); /* APPY_COPY_MIN_KB: smaller copies are pageable */
APPY_API int appy_copy_together(void); /* APPY_COPY_TOGETHER: a loop's arrays as one copy */
/* One array of a copy: its host memory and its device copy. A copy of several arrays runs
 * its pieces across them as if they lay end to end, so the bus stays busy from one to the
 * next. */
typedef struct {
  char *dev, *host;
  size_t bytes;
} appy_span;
/* The process's stage for a copy of the n arrays of sp to or from the device, to be given
 * back, with the lanes and chunk size the copy is to use; NULL when the copy should take
 * another path: not staging, under appy_copy_min() in all, the stage busy, device memory
 * of another CUDA context than the stage's, or no pinned memory. */
APPY_API appy_stage *appy_stage_take(const appy_span *sp, int n, int *lanes, size_t *chunk);
/* Lane `lane` of `lanes` (one host thread each, all running at once) copies its pieces
 * (lane, lane + lanes, ...: chunks, and smaller ones at each end) of the copy of the n
 * arrays of sp. 0, or -1 if a transfer failed; the lane has nothing on the bus when it
 * returns. */
APPY_API int appy_stage_run(appy_stage *s, int lane, int lanes, const appy_span *sp, int n,
                            size_t chunk, int to_device);
APPY_API void appy_stage_give(appy_stage *s);
/* After the first call found the device: makes the stage's lanes in a thread of its own,
 * in the CUDA context of device memory at dev (which the caller frees after), unless
 * APPY_COPY_EARLY=0 or the stage exists; copies that come meanwhile wait for it. */
APPY_API void appy_stage_early(const void *dev);
/* Frees the stage's pinned buffers unless a copy is using them (waits while
 * appy_stage_early is making them); 1 if freed. */
APPY_API int appy_stage_free(void);
/* From PyInit_<module>, GIL held: the module takes the process's stage (published in sys by
 * the first module imported) instead of making one of its own. */
APPY_API void appy_stage_share(void);
/* Which stage (and count of pinned bytes) this module uses: the same for every module that
 * shares it. */
APPY_API const void *appy_stage_id(void);
/* Pins [p, p + bytes) for copies to and from device memory at dev (APPY_COPY=register):
 * 0, or -1 if it cannot. */
APPY_API int appy_host_register(const void *dev, void *p, size_t bytes);
APPY_API void appy_host_unregister(const void *dev, void *p, size_t bytes);
/* Bytes of host memory pinned now by the modules that share this module's stage (the
 * stage, and arrays registered for a copy). */
APPY_API size_t appy_pinned_bytes(void);

/* device.c */
/* From PyInit_<module>, GIL held; compiler is "clang", "gcc" or "none". For clang,
 * registers LLVM's NVPTX back end and puts ptxas on PATH (the JIT needs both before the
 * first kernel). Returns 0. */
APPY_API int appy_runtime_init(const char *compiler);
/* From PyInit_<module>: tells the appy package, if it can be imported, that this module
 * exists (appy.device maps arrays through the modules' OpenMP runtimes). Never fails. */
APPY_API void appy_register_module(PyObject *module);
/* From PyInit_<module> of a module some of whose functions keep their host code as
 * Python: appy._host.install(module, source, filename, loops) runs the file's top-level
 * code in the module and defines those functions, their parallel loops calling the
 * module's entry points. Returns 0, or -1 with the exception set (ImportError naming the
 * appy package if it cannot be imported). */
APPY_API int appy_python_host(PyObject *module, const char *source, const char *filename,
                              const char *loops);
/* For appy/offload.h: whether this module has device code (compiler is not "none"). */
APPY_API int appy_offload_built(void);
/* The L2 cache (bytes) and multiprocessors of CUDA device dev, where the driver is loaded;
 * 0 and 0 where it is not. */
APPY_API void appy_device_caches(int dev, size_t *l2, int *sms);
/* Whether this module's OpenMP device is the host CPU (compiler "clang-host"): its device
 * memory is ordinary host memory, which the copy stage then fills with memcpy. */
APPY_API int appy_device_is_host(void);
/* For appy/offload.h: judges the first-call probe. ndev is omp_get_num_devices() and
 * on_device whether a probe region ran on a device (0 if none was run). Raises
 * RuntimeError when OMP_TARGET_OFFLOAD=MANDATORY cannot be met, warns once when a GPU is
 * present but kernels run on the host. When kernels run on the GPU of a clang module, sets
 * the CUDA contexts' wait policy (APPY_GPU_WAIT, device.c). Returns 0 / -1. */
APPY_API int appy_offload_verdict(int ndev, int on_device);
/* For appy/offload.h: the str that _appy_device() returns. */
APPY_API PyObject *appy_device_describe(int ndev, int dev, int on_device);

#ifdef __cplusplus
}
#endif

#endif
