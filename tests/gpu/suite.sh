#!/bin/bash
# Runs on the GPU machine, from the repository root, the benchmark suite that
#   python3 bench/suite/run.py build .gpu/suite --compiler clang
# built here (carry .gpu; ../shared/gpu/README.md). One command, meant to fit one 10-minute
# device call: every peer (NumPy, appy, CuPy, PyTorch, JAX, Numba, torch.compile), the
# end-to-end table, the report in $OUT/suite (or docs/suite) as suite.md, .json and .png.
#
# usage: bash tests/gpu/suite.sh [run.py run options, e.g. --only gemv,spmv --budget 300;
#   --resume .gpu/suite.json goes on, in a later call, with a run that --budget cut: $OUT is
#   emptied between calls, so carry the suite.json that came back]
set -uo pipefail
source .gpu/on-device.sh "${APPY_SUITE_COMPILER:-clang}"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
exec python3 bench/suite/run.py run "${APPY_SUITE_DIR:-.gpu/suite}" --out "${OUT:-docs}/suite" "$@"
