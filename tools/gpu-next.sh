#!/bin/bash
# The measurements issues 19 and 20 wait for, most needed first, each part one 10-minute
# device call (../shared/gpu/README.md): carry .gpu, built here beforehand with
#   bash tools/gpu-next.sh prepare NPBENCH     (NPBENCH: a checkout or git dir of spcl/npbench)
# then run there, from the repository root:
#   APPY_COMMIT=<sha> bash tools/gpu-next.sh 1    copy rates by path (clang), the copy tests
#                                                 on the GPU, the suite (end-to-end table)
#   APPY_COMMIT=<sha> bash tools/gpu-next.sh 2    the NPBench track, then gcc's copy rate
# Part 2 goes on with a run that a first part-2 call cut short when APPY_NPB_RESUME names
# the npbench.json that call brought back (and APPY_SUITE_RESUME the same for the suite).
# Each step has a time limit, so that a slow one leaves time for the next; the logs, JSON
# and reports are written to $OUT (default /tmp/appy-out).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
out=${OUT:-/tmp/appy-out}

step() {   # name, seconds, command...: runs it, its output in $out/name.log
  local name=$1 limit=$2
  shift 2
  echo "== $name (at most ${limit} s): $*"
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  echo "== $name: exit $? in $SECONDS s since the start"
  tail -n 25 "$out/$name.log"
}

case ${1:-} in
prepare)
  src=${2:?usage: tools/gpu-next.sh prepare NPBENCH}
  export APPY_INCLUDEDIR=$PWD/include APPY_LIBDIR=$PWD/runtime PYTHONPATH=$PWD/python
  t=translator/appy-translate
  for cc in clang gcc; do
    mkdir -p .gpu/copy-$cc
    $t --compiler $cc -o .gpu/copy-$cc/vadd.abi3.so bench/vadd.py || exit 1
  done
  # the e2e programs the copy tests load (APPY_PREBUILT), as tests/gpu/build.sh builds them
  rm -rf .gpu/build/clang && mkdir -p .gpu/build/clang
  for p in alloc arrays arrays_host badcalls calls copies hostloop inferred keywords pyhost \
           reduction; do
    $t --compiler clang --no-boundscheck -m $p -o .gpu/build/clang/$p.abi3.so \
      tests/e2e/programs/$p.py || exit 1
  done
  $t --compiler clang --boundscheck -m boundscheck -o .gpu/build/clang/boundscheck.abi3.so \
    tests/e2e/programs/boundscheck.py || exit 1
  rm -rf .gpu/suite
  ${PYTHON:-/usr/bin/python3} bench/suite/run.py build .gpu/suite --compiler clang || exit 1
  bash tools/gpu-npbench.sh prepare "$src" clang || exit 1
  du -sh .gpu ;;
1)
  mkdir -p "$out"
  export APPY_COMMIT=${APPY_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
  ( source .gpu/on-device.sh clang
    export PYTHONPATH=$PWD/python
    step copy-clang 150 python3 bench/copy_rates.py .gpu/copy-clang --sizes 64,256,1024 \
      --reps 5 --json "$out/copy-clang.json"
    APPY_EXPECT_GPU=1 APPY_PREBUILT=.gpu/build/clang APPY_TEST_COMPILER=clang \
      step e2e-copies 90 python3 -m pytest -q -p no:cacheprovider tests/e2e/test_copies.py \
      tests/e2e/test_persistent.py tests/e2e/test_hostloop.py tests/e2e/test_device.py \
      tests/e2e/test_arrays.py )
  OUT=$out step suite 320 bash tests/gpu/suite.sh --budget 300 \
    ${APPY_SUITE_RESUME:+--resume "$APPY_SUITE_RESUME"} ;;
2)
  mkdir -p "$out"
  export APPY_COMMIT=${APPY_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
  OUT=$out step npbench 470 bash tools/gpu-npbench.sh run --total 440 --budget 3 --slow 8 \
    --hang 150 ${APPY_NPB_RESUME:+--resume "$APPY_NPB_RESUME"}
  ( source .gpu/on-device.sh gcc
    export PYTHONPATH=$PWD/python
    step copy-gcc 90 python3 bench/copy_rates.py .gpu/copy-gcc --no-peer \
      --paths stage,stage-late --sizes 64,1024 --reps 3 --json "$out/copy-gcc.json" ) ;;
*)
  echo "usage: tools/gpu-next.sh prepare NPBENCH | 1 | 2" >&2
  exit 2 ;;
esac
