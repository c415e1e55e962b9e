#!/bin/bash
# Fuzzes the translator library (appy_translate) with libFuzzer under ASan and UBSan:
# tests/fuzz/fuzz_translate.c, seeded with every program of tests/, examples/ and bench/,
# with the annotation language's words (tests/fuzz/appy.dict). Then, with --compile N,
# translates up to N inputs of the corpus that translate cleanly and compiles their C
# (-fsyntax-only, host compiler and clang-19): an accepted input whose C a compiler rejects
# is a finding too.
#
# usage: bash tools/fuzz.sh [SECONDS] [--compile N]      (default 60 s, no compile pass)
#   FUZZ_DIR   where the build, the corpus (kept between runs) and the findings go
#              (default .fuzz/ in the source tree, ignored by git)
#   FUZZ_JOBS  parallel fuzzing processes (default 1)
# Needs clang-19 and libclang-rt-19-dev (libFuzzer). Exits 1 if there is any finding.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=60 compile=0
while [ $# -gt 0 ]; do
  case $1 in
    --compile) compile=$2; shift 2 ;;
    [0-9]*) seconds=$1; shift ;;
    *) echo "usage: bash tools/fuzz.sh [SECONDS] [--compile N]" >&2; exit 2 ;;
  esac
done
dir=${FUZZ_DIR:-$top/.fuzz}
mkdir -p "$dir/corpus" "$dir/findings" "$dir/seeds"
cc=${CLANG:-clang-19}

# The target: every translator source but the command-line driver.
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
srcs=$(ls "$top"/translator/*.c | grep -v '/main\.c$')
echo "==> building $dir/fuzz_translate"
# shellcheck disable=SC2086
"$cc" -g -O1 $san -I"$top/include" -I"$top/translator" $srcs \
  "$top/tests/fuzz/fuzz_translate.c" -lunistring -o "$dir/fuzz_translate"

# Seeds: each program with a first byte that picks the compiler (0: clang, 1: gcc, 2: none).
n=0
for f in "$top"/tests/e2e/programs/*.py "$top"/examples/*.py "$top"/bench/*.py \
         "$top"/bench/suite/kernels/*.py "$top"/tests/jit/programs/*.py; do
  [ -f "$f" ] || continue
  for m in 0 1 2; do
    { printf "\\$(printf '%03o' "$m")"; cat "$f"; } > "$dir/seeds/$(basename "$f" .py).$m"
  done
  n=$((n + 1))
done
# The error programs, one per "### " section.
awk -v d="$dir/seeds" '/^### /{n++; f=sprintf("%s/error%03d.0", d, n); printf "%c", 0 > f; next}
                        n {print >> f}' "$top/tests/errors/bad_programs.txt"
echo "==> $n seed programs (and the error programs), fuzzing for $seconds s"

for s in llvm-symbolizer-19 llvm-symbolizer; do   # reports with file:line
  command -v "$s" > /dev/null && export ASAN_SYMBOLIZER_PATH="$(command -v "$s")" && break
done
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

status=0
log=$dir/fuzz.log
(cd "$dir/findings" && "$dir/fuzz_translate" -max_total_time="$seconds" -timeout=5 \
  -rss_limit_mb=2048 -max_len=65536 -dict="$top/tests/fuzz/appy.dict" \
  -jobs="${FUZZ_JOBS:-1}" -workers="${FUZZ_JOBS:-1}" -print_final_stats=1 \
  "$dir/corpus" "$dir/seeds" > "$log" 2>&1) || status=1
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+.*DONE' "$log" || true
findings=$(ls "$dir/findings" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
if [ -n "$findings" ]; then
  # What a CI log must show, the folder being gone after it: the report, and each input
  # (its first byte picks the compiler: 0 clang, 1 gcc, 2 none) with how to replay it.
  echo "==> findings in $dir/findings:"
  awk '/ERROR: |runtime error:/ { on = 1 } on && n < 60 { print; n++ } /^SUMMARY/ { on = 0 }' \
    "$log" || true
  for f in $(echo "$findings" | head -n 5); do
    echo "--- $f ($(wc -c < "$dir/findings/$f") bytes), replay: $dir/fuzz_translate $dir/findings/$f"
    od -An -c "$dir/findings/$f" | head -n 12
  done
  status=1
fi

# The compile pass: C of accepted inputs through the host compiler and clang-19.
if [ "$compile" -gt 0 ]; then
  translate=${APPY_TRANSLATE:-$top/translator/appy-translate}
  py=$(/usr/bin/python3-config --includes)
  work=$(mktemp -d "${TMPDIR:-/tmp}/appy-fuzz-c.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$dir/findings/c-fails"
  tried=0 failed=0
  for f in "$dir"/corpus/* "$dir"/seeds/*; do
    [ -f "$f" ] || continue
    [ "$tried" -lt "$compile" ] || break
    mode=$(od -An -tu1 -N1 "$f" | tr -d ' ')
    case $((${mode:-0} % 3)) in 0) c=clang; cc_c=clang-19 ;; 1) c=gcc; cc_c=gcc ;; *) c=none; cc_c=cc ;; esac
    tail -c +2 "$f" > "$work/fuzz.py"
    "$translate" --compiler "$c" --emit-c -m fuzz -o "$work/fuzz.c" "$work/fuzz.py" \
      > /dev/null 2>&1 || continue
    tried=$((tried + 1))
    # shellcheck disable=SC2086
    if ! "$cc_c" -fsyntax-only -fopenmp -w -I"$top/include" $py "$work/fuzz.c" \
         > "$work/cc.log" 2>&1; then
      failed=$((failed + 1))
      cp "$f" "$dir/findings/c-fails/$(basename "$f")"
      cp "$work/cc.log" "$dir/findings/c-fails/$(basename "$f").log"
    fi
  done
  echo "==> compile pass: $tried accepted inputs compiled, $failed rejected by the C compiler" \
       "(kept in $dir/findings/c-fails)"
  [ "$failed" -eq 0 ] || status=1
fi
exit $status
