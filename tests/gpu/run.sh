#!/bin/bash
# Runs on the GPU machine, from the repository root, what tests/gpu/build.sh built:
# for each compiler, the end-to-end suite on the prebuilt modules with
# OMP_TARGET_OFFLOAD=MANDATORY (set by on-device.sh) and APPY_EXPECT_GPU=1, and the vadd
# bandwidth benchmark with APPY_PROFILE=1. The examples compile through appy.jit on their
# first call: tools/gpu-jit.sh tests runs them, with the compiler carried to the GPU.
#
# usage: bash tests/gpu/run.sh [BUILD_DIR]     (default: .gpu/build)
set -uo pipefail
build=${1:-.gpu/build}
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 APPY_EXPECT_GPU=1
status=0
for cc in ${APPY_GPU_COMPILERS:-clang gcc}; do
  [ -d "$build/$cc" ] || continue
  (
    source .gpu/on-device.sh "$cc"
    echo "=== $cc: end-to-end tests (OMP_TARGET_OFFLOAD=$OMP_TARGET_OFFLOAD)"
    # test_cli.py runs the translator, which the GPU machine does not have.
    APPY_PREBUILT=$build/$cc APPY_TEST_COMPILER=$cc python3 -m pytest -q -p no:cacheprovider tests/e2e \
      --ignore=tests/e2e/test_cli.py 2>&1 | tail -15
    rc=${PIPESTATUS[0]}
    echo "=== $cc: vadd bandwidth"
    APPY_PROFILE=1 python3 bench/profile_vadd.py "$build/$cc/bench" 26 10 2>/dev/null || rc=1
    echo "=== $cc: data environments (2-D Jacobi)"
    OUT=${OUT:+$OUT/$cc} APPY_PROFILE=1 python3 bench/run_jacobi.py "$build/$cc/bench" 2>/dev/null || rc=1
    echo "=== $cc: group vs individual mode (softmax, matvec, spmv)"
    # CuPy in the same process breaks libgomp's next launch ("invalid resource handle"):
    # CuPy's figures come from the clang run.
    nocupy=; [ "$cc" = gcc ] && nocupy=--no-cupy
    OUT=${OUT:+$OUT/$cc} APPY_PROFILE=1 python3 bench/run_group.py "$build/$cc/bench" $nocupy || rc=1
    echo "=== $cc: the same, arrays kept on the GPU between calls (appy.device)"
    OUT=${OUT:+$OUT/$cc/resident} APPY_PROFILE=1 python3 bench/run_group.py "$build/$cc/bench" \
      --resident $nocupy 2>/dev/null | grep '^|' || rc=1
    exit $rc
  ) || status=1
done
exit $status
