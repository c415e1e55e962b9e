#!/bin/sh
# make check: every kernel of the benchmark suite (bench/suite/kernels) still translates and
# builds with the default compiler, and its compiled version agrees with NumPy at the small
# size (on this machine's host fallback, or on a GPU where there is one). Timings printed
# here mean nothing; bench/suite/run.py on the GPU machine measures.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/appy-suite.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$PYTHON" "$APPY_SRCDIR/bench/suite/run.py" build "$dir" --compiler "${APPY_DEFAULT_COMPILER:-none}"
"$PYTHON" "$APPY_SRCDIR/bench/suite/run.py" run "$dir" --size small --peers numpy,appy --runs 3 --out "$dir/report"
