#!/bin/sh
# Translates, builds and runs every example in a scratch copy of this folder (the source
# tree stays clean). Exits non-zero if any example fails to translate, build or check.
#
#   APPY_TRANSLATE        translator to use (default: appy-translate on PATH)
#   APPY_TRANSLATE_FLAGS  extra options, e.g. "--compiler gcc" or "-v"
#   PYTHON                interpreter that runs the examples (default: python3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
translate=${APPY_TRANSLATE:-appy-translate}
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-examples.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
cp "$here"/*.py "$work"/
PYTHONPATH="$here/../python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

total=0
failed=""
for src in "$work"/*.py; do
    name=$(basename "$src" .py)
    total=$((total + 1))
    # shellcheck disable=SC2086  # the flags are meant to split into words
    if ! "$translate" ${APPY_TRANSLATE_FLAGS:-} "$src"; then
        echo "$name: appy-translate failed"
        failed="$failed $name"
    elif ! (cd "$work" && "$python" "$name.py"); then
        failed="$failed $name"
    fi
done

if [ -n "$failed" ]; then
    echo "run-all: $total examples, failed:$failed"
    exit 1
fi
echo "run-all: $total examples OK"
