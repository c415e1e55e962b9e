/* fuzz_translate.c: the translator library under libFuzzer (tools/fuzz.sh builds and runs it).
 *
 * Each input is a Python source; its first byte picks the compiler the C is for (clang,
 * gcc or none) and whether --explain runs, the rest is the file. A crash, a sanitizer
 * report, a leak or a hang is a finding; an error diagnostic is not. An input that
 * translates without errors must give C, and one with errors must not, with a diagnostic
 * that says so. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appy/translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const compilers[] = {"clang", "gcc", "none"};
  unsigned mode = size ? data[0] : 0;
  const char *src = size ? (const char *)data + 1 : "";
  size_t len = size ? size - 1 : 0;
  appy_translate_options opt = {
      .filename = "fuzz.py",
      .module_name = "fuzz",
      .compiler = compilers[mode % 3],
      .explain = (mode / 3) % 2,
  };
  appy_translate_result r;
  int rc = appy_translate(src, len, &opt, &r);
  if ((rc == 0) != (r.nerrors == 0) || (rc == 0) != (r.c_source != NULL) ||
      (rc != 0 && !strstr(r.diagnostics, "error"))) {
    fprintf(stderr, "fuzz_translate: result inconsistent: rc %d, %d errors, C %s\n", rc,
            r.nerrors, r.c_source ? "given" : "missing");
    abort();
  }
  appy_translate_result_free(&r);
  return 0;
}
