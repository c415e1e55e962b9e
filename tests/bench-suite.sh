#!/bin/sh
# make check: every kernel of the benchmark suite (bench/suite/kernels) still translates and
# builds with the default compiler, and its compiled version agrees with NumPy at the small
# size (on this machine's host fallback, or on a GPU where there is one). Timings printed
# here mean nothing; bench/suite/run.py on the GPU machine measures. A second part of the
# run (--resume) must run only the kernels the first did not.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/appy-suite.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$PYTHON" "$APPY_SRCDIR/bench/suite/run.py" build "$dir" --compiler "${APPY_DEFAULT_COMPILER:-none}"
"$PYTHON" "$APPY_SRCDIR/bench/suite/run.py" run "$dir" --size small --peers numpy,appy --runs 3 --out "$dir/report"
# A second part (--resume) keeps the kernels the first ran and runs only the rest
n=$(ls "$APPY_SRCDIR"/bench/suite/kernels/[a-z]*.py | wc -l)
"$PYTHON" - "$dir/report/suite.json" "$n" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
keep = dict(list(res["kernels"].items())[:3])
res["kernels"] = keep
json.dump(res, open(sys.argv[1], "w"))
PY
"$PYTHON" "$APPY_SRCDIR/bench/suite/run.py" run "$dir" --size small --peers numpy,appy --runs 3 \
  --out "$dir/report" --resume "$dir/report/suite.json" > "$dir/resume.log"
"$PYTHON" - "$dir/report/suite.json" "$n" "$dir/resume.log" <<'PY'
import json, sys
res, n, log = json.load(open(sys.argv[1])), int(sys.argv[2]), open(sys.argv[3]).read()
first = list(res["kernels"])[:3]
assert len(res["kernels"]) == n, (len(res["kernels"]), n)
assert len(res["parts"]) == 2, res["parts"]
ran = [line.split()[0] for line in log.splitlines() if line.split()[:1] and line.split()[0] in res["kernels"]]
assert ran == list(res["kernels"])[3:], (ran, log)
print(f"resumed: {n - 3} kernels run again, {first} kept")
PY
