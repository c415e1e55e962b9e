/* profile.c: per-launch timings of copies and kernels (APPY_PROFILE=1), and a summary.
 *
 * Pageable copies run at about 8 GB/s against terabytes per second for the kernels, so
 * every line shows the two apart. Lines go to sys.stderr, so they interleave with the
 * program's own output and can be captured like it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Totals of one parallel region (module, function, source line). */
typedef struct region {
  char *module;        /* module name (owned copy) */
  char *func;          /* function name (owned copy) */
  int line;            /* source line of the region */
  long launches;       /* launches so far */
  double bytes_in;     /* bytes copied to the device */
  double bytes_out;    /* bytes copied back */
  double t_in;         /* seconds copying in */
  double t_kernel;     /* seconds in kernels */
  double t_out;        /* seconds copying out */
  double t_call;       /* line 0, a whole call: seconds from entry to exit */
} region;

/* Guarded by the GIL, which appy_profile_region holds while it touches them. */
static region *regions;
static int nregions, capregions;

double appy_clock(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int appy_profile_enabled(void)
{
  static int enabled = -1;
  if (enabled < 0) {
    const char *s = getenv("APPY_PROFILE");
    enabled = s && *s && strcmp(s, "0") != 0;
  }
  return enabled;
}

/* "copy-in 1073.7 MB 134.21 ms (8.00 GB/s)"; no rate where nothing moved. */
static int copy_text(char *buf, size_t n, const char *what, double bytes, double t)
{
  int k = snprintf(buf, n, "%s %.1f MB %.2f ms", what, bytes * 1e-6, t * 1e3);
  if (bytes > 0 && t > 0 && k >= 0 && (size_t)k < n)
    k += snprintf(buf + k, n - k, " (%.2f GB/s)", bytes / t * 1e-9);
  return k;
}

static region *find_region(const char *module, const char *func, int line)
{
  region *r;
  for (int i = 0; i < nregions; i++) {
    r = &regions[i];
    if (r->line == line && strcmp(r->func, func) == 0 && strcmp(r->module, module) == 0)
      return r;
  }
  if (nregions == capregions) {
    int cap = capregions ? 2 * capregions : 16;
    region *grown = realloc(regions, cap * sizeof *grown);
    if (!grown)
      return NULL;
    regions = grown;
    capregions = cap;
  }
  r = &regions[nregions];
  memset(r, 0, sizeof *r);
  r->module = strdup(module);
  r->func = strdup(func);
  r->line = line;
  if (!r->module || !r->func) {
    free(r->module);
    free(r->func);
    return NULL;
  }
  nregions++;
  return r;
}

static int by_total_time(const void *a, const void *b)
{
  const region *x = a, *y = b;
  double tx = x->line ? x->t_in + x->t_kernel + x->t_out : x->t_call;
  double ty = y->line ? y->t_in + y->t_kernel + y->t_out : y->t_call;
  return (tx < ty) - (tx > ty);
}

/* atexit callback: one row per region, slowest first. */
static PyObject *print_summary(PyObject *self, PyObject *unused)
{
  (void)self;
  (void)unused;
  if (nregions == 0)
    Py_RETURN_NONE;
  qsort(regions, nregions, sizeof *regions, by_total_time);
  PySys_WriteStderr("appy-profile summary, slowest first (a call's row: its copies, all its "
                    "kernels, the whole call):\n");
  PySys_WriteStderr("  %-32s %8s %12s %12s %12s %12s %12s %12s\n", "region", "launches",
                    "copy-in MB", "copy-in ms", "kernel ms", "copy-out MB", "copy-out ms",
                    "total ms");
  for (int i = 0; i < nregions; i++) {
    region *r = &regions[i];
    char name[256];
    if (r->line)
      snprintf(name, sizeof name, "%s.%s line %d", r->module, r->func, r->line);
    else
      snprintf(name, sizeof name, "%s.%s (calls)", r->module, r->func);
    PySys_WriteStderr("  %-32s %8ld %12.1f %12.2f %12.3f %12.1f %12.2f %12.2f\n", name,
                      r->launches, r->bytes_in * 1e-6, r->t_in * 1e3, r->t_kernel * 1e3,
                      r->bytes_out * 1e-6, r->t_out * 1e3,
                      (r->line ? r->t_in + r->t_kernel + r->t_out : r->t_call) * 1e3);
  }
  Py_RETURN_NONE;
}

static PyMethodDef summary_def = {"appy_profile_summary", print_summary, METH_NOARGS, NULL};

/* Python's atexit rather than Py_AtExit: sys.stderr still works then, and there is no
 * limit on how many modules register. */
static void register_summary(void)
{
  static int registered;
  PyObject *atexit, *fn, *r = NULL;
  if (registered)
    return;
  registered = 1;
  atexit = PyImport_ImportModule("atexit");
  fn = PyCFunction_New(&summary_def, NULL);
  if (atexit && fn)
    r = PyObject_CallMethod(atexit, "register", "O", fn);
  if (!r)
    PyErr_WriteUnraisable(NULL);
  Py_XDECREF(r);
  Py_XDECREF(fn);
  Py_XDECREF(atexit);
}

/* Adds one launch (line > 0) or one call (line 0) to the summary. GIL held. */
static void record(const char *module, const char *func, int line, size_t bytes_in,
                   double t_in, double t_kernel, size_t bytes_out, double t_out, double t_call)
{
  region *r = find_region(module, func, line);
  if (r) {
    r->launches++;
    r->bytes_in += (double)bytes_in;
    r->bytes_out += (double)bytes_out;
    r->t_in += t_in;
    r->t_kernel += t_kernel;
    r->t_out += t_out;
    r->t_call += t_call;
  }
  register_summary();
}

void appy_profile_region(const char *module, const char *func, int line, size_t bytes_in,
                         double t_in, double t_kernel, size_t bytes_out, double t_out)
{
  char in[96], out[96];
  PyGILState_STATE g;
  if (!appy_profile_enabled())
    return;
  copy_text(in, sizeof in, "copy-in", (double)bytes_in, t_in);
  copy_text(out, sizeof out, "copy-out", (double)bytes_out, t_out);
  g = PyGILState_Ensure();
  PySys_WriteStderr("appy-profile: %s.%s line %d: %s | kernel %.3f ms | %s\n", module, func,
                    line, in, t_kernel * 1e3, out);
  record(module, func, line, bytes_in, t_in, t_kernel, bytes_out, t_out, 0.0);
  PyGILState_Release(g);
}

void appy_profile_call(const char *module, const char *func, size_t bytes_in, double t_in,
                       int launches, double t_kernels, size_t bytes_out, double t_out,
                       double t_call)
{
  char in[96], out[96];
  PyGILState_STATE g;
  if (!appy_profile_enabled())
    return;
  copy_text(in, sizeof in, "in", (double)bytes_in, t_in);
  copy_text(out, sizeof out, "out", (double)bytes_out, t_out);
  g = PyGILState_Ensure();
  PySys_WriteStderr("appy-profile: %s.%s call: copied %s | %d kernels %.3f ms | copied %s | "
                    "call %.3f ms\n", module, func, in, launches, t_kernels * 1e3, out,
                    t_call * 1e3);
  record(module, func, 0, bytes_in, t_in, t_kernels, bytes_out, t_out, t_call);
  PyGILState_Release(g);
}

void appy_profile_copy(const char *direction, const char *path, size_t bytes, double t)
{
  char text[96];
  PyGILState_STATE g;
  if (!appy_profile_enabled())
    return;
  copy_text(text, sizeof text, "copy", (double)bytes, t);
  g = PyGILState_Ensure();
  PySys_WriteStderr("appy-profile: %s %s, %s\n", text, direction, path);
  PyGILState_Release(g);
}
