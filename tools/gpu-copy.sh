#!/bin/bash
# On the lent GPU machine (../shared/gpu/README.md): bench/copy_rates.py on the vadd modules
# built here into .gpu/copy-clang and .gpu/copy-gcc (appy-translate --compiler clang|gcc
# bench/vadd.py -o .gpu/copy-COMPILER/vadd.abi3.so), every copy path, a few settings of the
# staged path with clang, then end-to-end tests with every array copied by the fast paths
# (prebuilt clang modules of tests/gpu/build.sh in .gpu/build/clang), staged with the
# smallest chunks and registered. Results in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/appy-out}
mkdir -p "$out"
export PYTHONPATH=$PWD/python
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
echo "cores: $(nproc)" | tee -a "$out/gpu.txt"
( source .gpu/on-device.sh clang
  timeout 150 python3 bench/copy_rates.py .gpu/copy-clang --sizes 4,16,64,256,1024 \
    --json "$out/copy-clang.json"
  # lanes:chunk (MB) of the staged path, the pinned cap out of the way
  for tc in ${APPY_GPU_COPY_SWEEP:-4:4 8:1 8:2 8:8 16:2}; do
    t=${tc%:*} c=${tc#*:}
    echo "== clang stage lanes $t chunk $c MB"
    APPY_COPY_THREADS=$t APPY_COPY_CHUNK_KB=$((c * 1024)) APPY_PINNED_MB=1024 timeout 45 \
      python3 bench/copy_rates.py .gpu/copy-clang --paths stage --no-peer \
      --sizes 4,16,64,1024 --reps 3 --json "$out/copy-clang-t$t-c$c.json" | grep -v settings
  done )
( source .gpu/on-device.sh gcc
  timeout 100 python3 bench/copy_rates.py .gpu/copy-gcc --no-peer --sizes 4,16,64,256,1024 \
    --json "$out/copy-gcc.json" )
if [ -d .gpu/build/clang ]; then
  ( source .gpu/on-device.sh clang
    export APPY_EXPECT_GPU=1 APPY_PREBUILT=.gpu/build/clang APPY_TEST_COMPILER=clang
    for mode in "APPY_COPY=stage APPY_COPY_MIN_KB=0 APPY_COPY_CHUNK_KB=256" \
                "APPY_COPY=register APPY_COPY_MIN_KB=0" ${APPY_GPU_COPY_MODES:-}; do
      echo "== e2e clang with $mode"
      env $mode timeout 90 python3 -m pytest -q -p no:cacheprovider -x \
        ${APPY_GPU_COPY_TESTS:-tests/e2e/test_copies.py tests/e2e/test_badcalls.py \
        tests/e2e/test_arrays.py tests/e2e/test_device.py \
        tests/e2e/test_hostloop.py tests/e2e/test_reduction.py tests/e2e/test_pyhost.py \
        tests/e2e/test_persistent.py tests/e2e/test_alloc.py} 2>&1 | tail -4
    done )
fi
