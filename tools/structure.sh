#!/bin/sh
# Which files of translator/ call functions defined in which others (cscope and ctags over
# translator/*.c), and whether that file graph has a circle. The stages call only earlier
# stages and the shared helpers (arena.c, type.c, tree.c); issue 17 asks for no circle.
#
# usage: tools/callgraph.sh    (exit 1 if there is a circle)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-callgraph.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$top"/translator/*.c "$top"/translator/*.h "$work"
cd "$work"
cscope -b -k *.c *.h
# Functions defined outside their file's static scope: NAME FILE
ctags -x --c-kinds=f *.c | awk '$0 !~ / static / {print $1, $4}' > defs
while read -r name file; do
  cscope -d -L -3 "$name" | awk -v f="$file" '$1 ~ /\.c$/ && $1 != f {print $1, f}'
done < defs | sort -u > edges
awk '{print "  " $1 " -> " $2}' edges | awk '{a[$1] = a[$1] " " $3} END {for (k in a) print k ":" a[k]}' | sort
# A circle: tsort reports one on stderr.
if tsort edges > /dev/null 2> cycle && [ ! -s cycle ]; then
  echo "callgraph: no circle"
else
  cat cycle
  echo "callgraph: the files above call each other in a circle"
  exit 1
fi
