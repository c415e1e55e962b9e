#!/bin/sh
# make check glue: runs one pytest suite with one compiler.
#
# The automake harness calls this with tests/SUITE-COMPILER.pytest (a placeholder made by
# make); it runs "$PYTHON -m pytest -q $APPY_SRCDIR/tests/SUITE" with
# APPY_TEST_COMPILER=COMPILER and returns pytest's status, so "no tests collected" (5)
# and a missing suite (4) fail. The environment comes from AM_TESTS_ENVIRONMENT.

for arg; do test=$arg; done
name=$(basename "$test" .pytest)
suite=${name%%-*}
compiler=${name#*-}
dir=$APPY_SRCDIR/tests/$suite

if [ ! -d "$dir" ]; then
  echo "FAIL: the $suite suite is missing: no directory $dir"
  exit 1
fi
if ! "$PYTHON" -c 'import pytest' 2>/dev/null; then
  echo "FAIL: $PYTHON cannot import pytest (Debian: apt-get install python3-pytest)"
  exit 1
fi

APPY_TEST_COMPILER=$compiler
export APPY_TEST_COMPILER
basetemp=$APPY_BUILDDIR/tests/tmp-$name
echo "APPY_TEST_COMPILER=$compiler $PYTHON -m pytest -q $dir"
"$PYTHON" -m pytest -q -rfEs -p no:cacheprovider --basetemp="$basetemp" "$dir"
status=$?
case $status in
  0) rm -rf "$basetemp" ;;
  5) echo "FAIL: pytest collected no tests in $dir" ;;
  *) echo "FAIL: pytest exited with $status (work files kept in $basetemp)" ;;
esac
exit $status
