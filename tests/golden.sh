#!/bin/sh
# make check: the C that appy-translate generates for every end-to-end program and example,
# and its --explain text, for each compiler (clang, gcc, none), are those kept in
# tests/golden/, so that every change to the generated code shows in a reviewed diff.
# --emit-c runs no compiler: the result does not depend on what configure found.
set -eu
top=${APPY_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/appy-golden-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

sh "$top/tools/update-golden.sh" "$scratch/new"
status=0
diff -ru -x README.md "$top/tests/golden" "$scratch/new" > "$scratch/diff" || status=$?
if [ "$status" -eq 0 ]; then
  echo "golden: the generated C and --explain match tests/golden"
  exit 0
fi
if [ "$status" -gt 1 ]; then
  cat "$scratch/diff"
  echo "golden: diff failed (exit $status)"
  exit 1
fi

# Paths as in the source tree, the scratch folder's as "(generated)", and no timestamps.
sed -e "s|$top/||; s|$scratch/new/|(generated) |" -e 's/^\(---\|+++\) \([^\t]*\)\t.*/\1 \2/' \
  "$scratch/diff" > "$scratch/shown"
changed=$(grep -c -e '^diff ' -e '^Only in ' "$scratch/shown" || true)
lines=$(wc -l < "$scratch/shown")
head -n 150 "$scratch/shown"
[ "$lines" -gt 150 ] && echo "... ($lines lines of diff in all)"
echo "golden: these generated files differ from tests/golden:"
sed -n -e 's|^diff .* tests/golden/\([^ ]*\) (generated) .*|  \1|p' \
  -e 's|^Only in tests/golden/\(.*\): |  no longer generated: \1/|p' \
  -e 's|^Only in (generated) \(.*\): |  new: \1/|p' "$scratch/shown"
cat <<EOF
golden: $changed of the generated files differ from tests/golden (first differences above).
If the change is meant to change the generated code, run tools/update-golden.sh (after
make), review git diff tests/golden, and commit it with the change.
EOF
exit 1
