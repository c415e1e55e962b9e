#!/bin/sh
# Regenerates the golden files: for every program of tests/e2e/programs and examples/ and
# for each compiler, the C that `appy-translate --emit-c` writes (COMPILER/NAME.c) and the
# text of --explain (COMPILER/NAME.explain). Run it after a change that is meant to change
# the generated code, review `git diff tests/golden`, and commit the diff with the change.
# tests/golden.sh (make check) runs it into a scratch folder and compares.
#
# usage: tools/update-golden.sh [DIR]   (default: tests/golden of this source tree)
#   APPY_TRANSLATE  the translator (default: translator/appy-translate of this tree)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$top/tests/golden}
translate=${APPY_TRANSLATE:-$top/translator/appy-translate}
compilers="clang gcc none"

if [ ! -x "$translate" ]; then
  echo "update-golden: no translator at $translate: build it (make) or set APPY_TRANSLATE" >&2
  exit 2
fi
# Generated into a scratch folder first, so that a failure leaves DEST as it was and a
# removed program leaves no stale golden file behind.
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-golden.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# One line per source, "NAME RELPATH [FILE]". The source name the translator is given is the path
# relative to the source root: the C quotes it in comments and docstrings, so the golden
# files do not depend on where the checkout lives. An example named like a program is
# filed as example_NAME (its module keeps its own name).
{
  for src in "$top"/tests/e2e/programs/*.py; do
    echo "$(basename "$src" .py) tests/e2e/programs/$(basename "$src")"
  done
  for src in "$top"/examples/*.py; do
    name=$(basename "$src" .py)
    file=$name
    [ -e "$top/tests/e2e/programs/$name.py" ] && file=example_$name
    echo "$name examples/$name.py $file"
  done
} > "$work/inputs"

# gen COMPILER: writes $work/COMPILER/FILE.{c,explain} for every input; on a failure it
# writes $work/COMPILER.failed with the translator's messages.
gen() {
  cc=$1
  out=$work/$cc
  mkdir -p "$out"
  while read -r name rel file; do
    file=${file:-$name}
    # boundscheck.py is built checked, as tests/e2e/conftest.py builds it; no other is.
    check=--no-boundscheck
    case $name in boundscheck*) check=--boundscheck ;; esac
    set -- $check --compiler "$cc" --emit-c -m "$name" --source-name "$rel"
    if ! "$translate" "$@" -o "$out/$file.c" "$top/$rel" 2> "$out/$file.err" ||
       ! "$translate" "$@" --explain -o "$out/$file.explain.c" "$top/$rel" \
           > "$out/$file.explain" 2>> "$out/$file.err"; then
      { echo "appy-translate $* $rel failed:"; cat "$out/$file.err"; } >> "$work/$cc.failed"
    elif [ -s "$out/$file.err" ]; then
      # A warning would not show in the golden files; the programs are meant to be clean.
      { echo "appy-translate $* $rel said:"; cat "$out/$file.err"; } >> "$work/$cc.failed"
    elif ! cmp -s "$out/$file.c" "$out/$file.explain.c"; then
      echo "appy-translate $* $rel: --explain changed the C" >> "$work/$cc.failed"
    fi
    rm -f "$out/$file.err" "$out/$file.explain.c"
  done < "$work/inputs"
}

# The compilers in parallel: a few seconds in all. A job that stopped early (a full disk)
# counts as a failure too.
pids=
for cc in $compilers; do
  gen "$cc" &
  pids="$pids $!"
done
stopped=0
for pid in $pids; do
  wait "$pid" || stopped=1
done
if [ "$stopped" -ne 0 ] || ls "$work"/*.failed > /dev/null 2>&1; then
  cat "$work"/*.failed >&2 2>/dev/null || true
  echo "update-golden: the programs above did not translate cleanly; nothing was written to $dest" >&2
  exit 1
fi

mkdir -p "$dest"
for cc in $compilers; do
  rm -rf "${dest:?}/$cc"
  mv "$work/$cc" "$dest/$cc"
done
echo "update-golden: $(wc -l < "$work/inputs") sources, compilers $compilers, into $dest"
