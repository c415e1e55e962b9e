#!/bin/sh
# Runs every example in a scratch copy of this folder (the source tree stays clean): each
# as a program, its kernels compiled by @appy.jit on their first call, then built ahead
# of time by appy-translate and imported. Exits non-zero if any example fails.
#
#   APPY_TRANSLATE        translator to use (default: appy-translate on PATH)
#   APPY_TRANSLATE_FLAGS  extra options, e.g. "--compiler gcc" or "-v"
#   APPY_COMPILER         compiler appy.jit uses (default: the translator's)
#   PYTHON                interpreter that runs the examples (default: python3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
translate=${APPY_TRANSLATE:-appy-translate}
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-examples.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
cp "$here"/*.py "$work"/
PYTHONPATH="$here/../python${PYTHONPATH:+:$PYTHONPATH}"
APPY_TRANSLATE=$translate
APPY_CACHE_DIR=${APPY_CACHE_DIR:-$work/cache}
export PYTHONPATH APPY_TRANSLATE APPY_CACHE_DIR

total=0
failed=""
for src in "$work"/*.py; do
    name=$(basename "$src" .py)
    total=$((total + 1))
    if ! (cd "$work" && "$python" "$name.py"); then
        failed="$failed $name"
        continue
    fi
    # shellcheck disable=SC2086  # the flags are meant to split into words
    if ! "$translate" ${APPY_TRANSLATE_FLAGS:-} "$src"; then
        echo "$name: appy-translate failed"
        failed="$failed $name(appy-translate)"
    elif ! (cd "$work" && "$python" -c "import $name; print('$name: built ahead of time, runs on', $name._appy_device())"); then
        failed="$failed $name(import)"
    fi
done

if [ -n "$failed" ]; then
    echo "run-all: $total examples, failed:$failed"
    exit 1
fi
echo "run-all: $total examples OK"
