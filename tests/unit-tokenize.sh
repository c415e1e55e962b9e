#!/bin/sh
# make check glue: runs the tokenizer's unit test, and over the found Python's standard
# library ($PYTHON_STDLIB, e.g. /usr/lib/python3.11) when that directory exists.

prog=$APPY_BUILDDIR/tests/unit/test_tokenize
if [ -d "$PYTHON_STDLIB" ]; then
  echo "$prog $PYTHON_STDLIB"
  exec "$prog" "$PYTHON_STDLIB"
fi
echo "$prog (no standard library at '$PYTHON_STDLIB')"
exec "$prog"
