/* appy/translate.h: the translator as a library (libappy-translate).
 *
 * Source text and options in; C text and rendered diagnostics out. No files are read
 * or written and no compiler is run: that is the driver's job (appy-translate). */
#ifndef APPY_TRANSLATE_H
#define APPY_TRANSLATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct appy_translate_options {
  const char *filename;      /* name used in diagnostics and comments ("<string>" if NULL) */
  const char *module_name;   /* Python module name (required): an ASCII identifier, as
                                it names the C function PyInit_NAME */
  const char *compiler;      /* "clang", "gcc" or "none": tunes the OpenMP directives */
  const char *function;      /* translate only this top-level function (decorated or not);
                                NULL: every @appy.jit function */
  const char *const *signatures; /* extra signatures, e.g. "f(float32[:], int64)" */
  int nsignatures;           /* number of extra signatures */
  int explain;               /* non-zero: fill explanation with one paragraph per parallel loop */
  int boundscheck;           /* non-zero: every subscript checked, IndexError when out of range */
} appy_translate_options;

typedef struct appy_translate_result {
  char *c_source;      /* generated C (NULL when nerrors > 0) */
  char *diagnostics;   /* "file:line:col: error: ..." lines with source and caret ("" if none) */
  char *explanation;   /* --explain text ("" unless asked) */
  int nerrors;         /* number of errors */
  int nwarnings;       /* number of warnings */
} appy_translate_result;

/* Translates src (len bytes, need not be NUL-terminated). Returns 0 on success and
 * -1 if errors were reported; result is filled either way and released with
 * appy_translate_result_free. */
int appy_translate(const char *src, size_t len, const appy_translate_options *opt,
                   appy_translate_result *result);

void appy_translate_result_free(appy_translate_result *result);

/* Version string of the translator. */
const char *appy_translate_version(void);

#ifdef __cplusplus
}
#endif

#endif
