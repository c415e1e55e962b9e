#!/bin/bash
# The NPBench track (bench/npbench/run.py) on the lent GPU machine (../shared/gpu/README.md).
#
#   bash tools/gpu-npbench.sh prepare NPBENCH [COMPILER]     here, on the development machine:
#       NPBENCH is a checkout of spcl/npbench or a git directory of it (its HEAD is taken);
#       its benchmarks and bench_info go to .gpu/npbench (ignored: carried, not committed), and
#       bench/npbench/kernels/*.py are built with COMPILER (clang) into .gpu/npbench-build.
#   bash tools/gpu-npbench.sh run [run.py run options]       there, from the repository root:
#       every framework, the report in $OUT/npbench (or docs/npbench).
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
prepare)
  src=${2:?usage: tools/gpu-npbench.sh prepare NPBENCH [COMPILER]}
  rm -rf .gpu/npbench && mkdir -p .gpu/npbench
  if [ -d "$src/npbench/benchmarks" ]; then
    cp -r "$src/npbench" "$src/bench_info" .gpu/npbench/
  else
    git --git-dir="$src" archive HEAD npbench bench_info | tar -x -C .gpu/npbench
  fi
  export APPY_INCLUDEDIR=${APPY_INCLUDEDIR:-$PWD/include} APPY_LIBDIR=${APPY_LIBDIR:-$PWD/runtime}
  PYTHONPATH=$PWD/python ${PYTHON:-/usr/bin/python3} bench/npbench/run.py build \
    .gpu/npbench-build --compiler "${3:-clang}"
  du -sh .gpu/npbench .gpu/npbench-build ;;
run)
  shift
  source .gpu/on-device.sh "${APPY_NPBENCH_COMPILER:-clang}"
  export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
  APPY_COMMIT=${APPY_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || true)} \
    exec python3 bench/npbench/run.py run .gpu/npbench .gpu/npbench-build \
    --out "${OUT:-docs}/npbench" "$@" ;;
*)
  echo "usage: tools/gpu-npbench.sh prepare NPBENCH [COMPILER] | run [options]" >&2
  exit 2 ;;
esac
