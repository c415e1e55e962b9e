#!/bin/bash
# On the lent GPU machine (../shared/gpu/README.md), from the carried checkout:
#   bash tools/gpu-jit.sh tests|compat|bench|all
# Needs in .gpu/: the bundle with the compiler (bundle.sh .gpu --with-compiler), an install
# (make install DESTDIR=$PWD/.gpu/stage), and for compat/bench checkouts of APPy in
# .gpu/appy and of NPBench in .gpu/npbench (git archive of each; never committed).
# appy.jit then translates and compiles with clang on the GPU machine itself, kernels run
# with OMP_TARGET_OFFLOAD=MANDATORY. Results go to $OUT (or /tmp/appy-out).
set -uo pipefail
cd "$(dirname "$0")/.."
source .gpu/on-device.sh clang
stage=$PWD/.gpu/stage/usr/local
export PATH=$stage/bin:$PATH
export APPY_TRANSLATE=$stage/bin/appy-translate APPY_INCLUDEDIR=$stage/include APPY_LIBDIR=$stage/lib
export PYTHONPATH=$PWD/python APPY_COMPILER=clang APPY_CACHE_DIR=${APPY_CACHE_DIR:-/tmp/appy-cache}
out=${OUT:-/tmp/appy-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
status=0
step() {
  local t0=$SECONDS
  echo "==> $*"
  "$@" || status=1
  echo "==> $((SECONDS - t0)) s: $*"
}
what=${1:-all}
if [ "$what" = tests ] || [ "$what" = all ]; then
  step env APPY_TEST_COMPILER=clang python3 -m pytest -q -p no:cacheprovider -rfE \
    --basetemp=/tmp/appy-jit-tests tests/jit
  # Each example through appy.jit, then built ahead of time; none may fall back to Python.
  step sh -c 'PYTHON=python3 sh examples/run-all.sh > "$0/examples.txt" 2>&1; rc=$?;
    cat "$0/examples.txt"; ! grep -n " on python" "$0/examples.txt" && exit $rc' "$out"
fi
if [ "$what" = compat ] || [ "$what" = all ]; then
  step tools/appy-compat --python python3 --gpu --timeout 300 --json "$out/compat.json" \
    --log "$out/compat-logs" .gpu/appy
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  step python3 bench/jit_overhead.py --runs 5 --json "$out/jit_overhead.json"
  step python3 bench/device_inputs.py --appy .gpu/appy --npbench .gpu/npbench --reps 10 \
    --json "$out/device_inputs.json"
fi
exit $status
