#!/bin/sh
# make check: the translator built with clang-19 -fsanitize=address,undefined, run over
# what the other suites give it: the unit tests, every error program (tests/errors) and
# every program of the golden files with each compiler, --explain included. Any report of
# AddressSanitizer (leaks included) or UndefinedBehaviorSanitizer fails the test.
# Skipped (exit 77) where clang-19 cannot link sanitizers (libclang-rt-19-dev missing).
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
echo "sanitize: building the translator and its unit tests with $flags"
# shellcheck disable=SC2086
"$cc" $flags $inc $lib "$top/translator/main.c" -o "$work/appy-translate"
for t in test_tokenize test_parse test_sema; do
  # shellcheck disable=SC2086
  "$cc" $flags $inc $lib "$top/tests/unit/$t.c" -o "$work/$t"
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
exit $status
