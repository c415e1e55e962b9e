#!/bin/sh
# make check: the translator built with clang-19 -fsanitize=address,undefined, run over
# what the other suites give it: the unit tests, every error program (tests/errors) and
# every program of the golden files with each compiler, --explain included. Then the
# runtime suite (tests/runtime) and the end-to-end suite (tests/e2e) with that translator,
# their modules and libappyrt built with the same flags (APPY_CFLAGS) by clang, and loaded
# into $PYTHON with clang's ASan runtime preloaded. Any report of AddressSanitizer (leaks of the translator included; Python's
# are not checked) or UndefinedBehaviorSanitizer fails the test.
# Skipped (exit 77) where clang-19 cannot link sanitizers (libclang-rt-19-dev missing);
# the end-to-end step is skipped where configure found no clang offload compiler.
# APPY_SANITIZE_E2E=0 leaves the runtime and end-to-end steps out, APPY_SANITIZE_E2E='-k
# EXPR' selects end-to-end tests.
set -eu
top=${APPY_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cc=${APPY_SANITIZE_CC:-clang-19}
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-sanitize.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

flags="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if ! echo 'int main(void) { return 0; }' > "$work/probe.c" ||
   ! "$cc" $flags "$work/probe.c" -o "$work/probe" 2> "$work/probe.log"; then
  cat "$work/probe.log" 2>/dev/null || true
  echo "sanitize: SKIP: $cc cannot build with -fsanitize=address,undefined (install libclang-rt-19-dev)"
  exit 77
fi
lib=$(ls "$top"/translator/*.c | grep -v '/main\.c$')
inc="-I$top/include -I$top/translator"
# configure's choices (compilers, Python's headers) where there is a configured build
build=${APPY_BUILDDIR:-$top}
test -f "$build/config.h" && inc="$inc -DHAVE_CONFIG_H -I$build"
echo "sanitize: building the translator and its unit tests with $flags"
# shellcheck disable=SC2086
"$cc" $flags $inc $lib "$top/translator/main.c" -lunistring -o "$work/appy-translate"
for t in test_tokenize test_parse test_sema; do
  # shellcheck disable=SC2086
  "$cc" $flags $inc $lib "$top/tests/unit/$t.c" -lunistring -o "$work/$t"
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
for s in llvm-symbolizer-19 llvm-symbolizer; do   # reports with file:line
  command -v "$s" > /dev/null && export ASAN_SYMBOLIZER_PATH="$(command -v "$s")" && break
done

status=0
run() {   # a step; its output kept, shown if it fails
  name=$1
  shift
  if "$@" > "$work/$name.log" 2>&1; then
    echo "sanitize: $name: clean"
  else
    tail -n 40 "$work/$name.log"
    echo "sanitize: $name: FAILED"
    status=1
  fi
}
run unit-tokenize "$work/test_tokenize"
run unit-parse "$work/test_parse"
run unit-sema "$work/test_sema"
run errors env APPY_TRANSLATE="$work/appy-translate" ${PYTHON:-python3} "$top/tests/errors/run_errors.py"
# The golden programs: their C and --explain must also be what tests/golden holds.
run golden env APPY_TRANSLATE="$work/appy-translate" sh "$top/tests/golden.sh"

# The end-to-end suite, sanitized through and through. The modules are built by the clang
# offload path (the kernels fall back to the host without a GPU) with the sanitizers, at
# -O0: at -O1 clang took 57 s instead of 10 s on arrays_host.c, the whole suite's build
# time several times over. They link a libappyrt built with $flags; Python is not
# instrumented, so ASan's runtime is preloaded into it. The translator has its own
# (static) runtime: the wrapper runs it without the preload, with leak checking, and so
# also keeps the compilers it starts out of the sanitizer.
module_flags="-g -O0 -fsanitize=address,undefined -fno-sanitize-recover=all"
py=${PYTHON:-python3}
# libappyrt with the sanitizers, for both suites below.
runtime_lib() {
  pyinc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  mkdir -p "$work/rt"
  for src in "$top"/runtime/*.c; do
    # shellcheck disable=SC2086
    "$cc" $flags -fPIC -Wall -Wextra -Werror -I"$top/include" -I"$pyinc" \
      -DPy_LIMITED_API=0x030B0000 -c "$src" -o "$work/rt/$(basename "$src" .c).o" || return 1
  done
  ar rcs "$work/rt/libappyrt.a" "$work"/rt/*.o
}
# The runtime suite: its test module (clang path, -O0) and libappyrt sanitized, ASan's
# runtime preloaded into Python as for e2e below; the staged copies' lanes run here on the
# host (APPY_COPY_HOST_TEST).
# shellcheck disable=SC2317  # run() calls it
runtime_suite() {
  env LD_PRELOAD="$asan_rt" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=1 \
    APPY_TEST_COMPILER=clang APPY_CFLAGS="$module_flags" APPY_LIBDIR="$work/rt" \
    PYTHONPATH="$top/python" PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -p no:cacheprovider \
    --basetemp="$work/runtime" "$top/tests/runtime"
}
# shellcheck disable=SC2317  # run() calls it
e2e() {
  printf '#!/bin/sh\nunset LD_PRELOAD\nASAN_OPTIONS=%s exec "%s" "$@"\n' \
    "$ASAN_OPTIONS" "$work/appy-translate" > "$work/translate"
  chmod +x "$work/translate"
  # shellcheck disable=SC2086
  env LD_PRELOAD="$asan_rt" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=1 \
    APPY_TRANSLATE="$work/translate" APPY_TEST_COMPILER=clang APPY_CFLAGS="$module_flags" \
    APPY_LIBDIR="$work/rt" APPY_INCLUDEDIR="$top/include" PYTHONPATH="$top/python" \
    PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -p no:cacheprovider --basetemp="$work/e2e" \
    ${APPY_SANITIZE_E2E:-} "$top/tests/e2e"
}
# The data path on a device, sanitized: the files of the e2e suite that map arrays and copy
# them, with clang-host modules (the CPU as OpenMP device), so that the call's data
# environment and the copy stage's lanes (buffers of ordinary memory there) run under ASan
# and UBSan as they run on a GPU. The sanitizers go on the host side only (-Xarch_host):
# the device image is linked without their runtime.
# shellcheck disable=SC2317  # run() calls it
device_data() {
  env LD_PRELOAD="$asan_rt" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=1 \
    APPY_TRANSLATE="$work/translate" APPY_TEST_COMPILER=clang-host \
    APPY_CFLAGS="-g -O0 -Xarch_host -fsanitize=address,undefined -Xarch_host -fno-sanitize-recover=all" \
    APPY_LIBDIR="$work/rt" APPY_INCLUDEDIR="$top/include" PYTHONPATH="$top/python" \
    PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -p no:cacheprovider --basetemp="$work/device" \
    "$top/tests/e2e/test_copies.py" "$top/tests/e2e/test_persistent.py" \
    "$top/tests/e2e/test_hostloop.py" "$top/tests/e2e/test_alloc.py"
}
asan_rt=$("$cc" -print-file-name=libclang_rt.asan-x86_64.so)
if [ "${APPY_SANITIZE_E2E:-}" = 0 ]; then
  echo "sanitize: e2e: left out (APPY_SANITIZE_E2E=0)"
elif "$work/appy-translate" --print-config | grep -q '^clang (offload): *not found'; then
  echo "sanitize: e2e: SKIP: configure found no clang offload compiler"
elif [ ! -f "$asan_rt" ]; then
  echo "sanitize: e2e: SKIP: $cc has no shared ASan runtime ($asan_rt)"
elif ! runtime_lib; then
  echo "sanitize: libappyrt: FAILED to build with the sanitizers"
  status=1
else
  run runtime runtime_suite
  t0=$(date +%s)
  run e2e e2e
  echo "sanitize: e2e took $(($(date +%s) - t0)) s"
  if "$work/appy-translate" --print-config | grep -q '^clang-host: *not found'; then
    echo "sanitize: device data path: SKIP: configure found no clang-host"
  else
    run device_data device_data
  fi
fi
exit $status
