#!/bin/bash
# Builds, on the development machine, everything the GPU run needs, for each offload
# compiler: the end-to-end programs, the examples and the vadd benchmark, into
# DEST/<compiler>/NAME.abi3.so, bench/*.py into DEST/<compiler>/bench/ (default DEST:
# .gpu/build), and the programs that e2e tests write for themselves into
# DEST/<compiler>/gen/DIGEST/ (tests/e2e/conftest.py). Then carry .gpu to the GPU
# machine and run tests/gpu/run.sh there (see ../shared/gpu/README.md).
#
# usage: tests/gpu/build.sh [DEST]      env: APPY_TRANSLATE (default: translator/appy-translate),
#   APPY_INCLUDEDIR, APPY_LIBDIR (default: include/ and runtime/ of this tree)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$top/.gpu/build}
translate=${APPY_TRANSLATE:-$top/translator/appy-translate}
# The headers and runtime of this tree, not an installed copy
export APPY_INCLUDEDIR=${APPY_INCLUDEDIR:-$top/include} APPY_LIBDIR=${APPY_LIBDIR:-$top/runtime}
compilers=${APPY_GPU_COMPILERS:-clang gcc}
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
for cc in $compilers; do
  out=$dest/$cc
  rm -rf "$out" "$gen"/*
  mkdir -p "$out"
  # The tests that write programs keep them (and fail: nothing is built) in $gen, as they
  # would ask for them with this compiler.
  ( cd "$top" && APPY_TRANSLATE=$translate APPY_TEST_COMPILER=$cc APPY_SAVE_SOURCES=$gen \
    PYTHONPATH=$top/python ${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider \
    tests/e2e/test_device.py tests/e2e/test_dtypes.py tests/e2e/test_limits.py \
    tests/e2e/test_long_chains.py tests/e2e/test_names.py >/dev/null 2>&1 ) || true
  # In parallel: clang's link step takes about a second per parallel loop of a module.
  for src in "$top"/tests/e2e/programs/*.py "$top"/examples/*.py "$top"/bench/*.py \
             "$gen"/*/*.py; do
    name=$(basename "$src" .py)
    case $name in profile_*|run_*|translate_*|jit_*|device_*|copy_*|__init__) continue ;; esac   # JIT-only
    echo "$src"
  done | xargs -P "$(nproc)" -I{} sh -c 'name=$(basename "$1" .py); dir=$4;
    case $1 in */bench/*) dir=$4/bench ;; esac   # bench/group.py is not tests/.../group.py
    case $1 in "$5"/*) dir=$4/gen/$(basename "$(dirname "$1")") ;; esac
    flag=--no-boundscheck; case $name in boundscheck*) flag=--boundscheck ;; esac   # as conftest.py
    mkdir -p "$dir" && "$2" $flag --compiler "$3" -o "$dir/$name.abi3.so" "$1" 2>"$dir/$name.log" ||
    { cat "$dir/$name.log"; exit 255; }' sh {} "$translate" "$cc" "$out" "$gen"
  rm -f "$out"/*.c "$out"/bench/*.c "$out"/gen/*/*.c
  echo "built $(ls "$out"/*.abi3.so | wc -l) modules with $cc into $out"
done
du -sh "$dest"
