#!/bin/bash
# The translator's structure, as issue 17 set it (cscope and universal-ctags over
# translator/*.c): which files call functions defined in which others, with no circle (the
# stages call only earlier stages and the shared helpers arena.c, type.c, tree.c), and no
# function over 80 lines.
#
# usage: bash tools/structure.sh    (exit 1 if there is a circle or a longer function)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/appy-structure.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$top"/translator/*.c "$top"/translator/*.h "$work"
cd "$work"
cscope -b -k *.c *.h
# Every function: NAME FILE; those not static: the ones other files can call.
ctags -x --c-kinds=f *.c | awk '{print $1, $4}' | sort -u > all
ctags -x --c-kinds=f *.c | awk '$0 !~ / static / {print $1, $4}' > defs
# A call of NAME from another file, unless that file has a function of that name itself.
while read -r name file; do
  cscope -d -L -3 "$name" < /dev/null | awk -v f="$file" '$1 ~ /\.c$/ && $1 != f {print $1}' | sort -u |
    while read -r caller; do
      grep -qx "$name $caller" all || echo "$caller $file"
    done
done < defs | sort -u > edges
awk '{print "  " $1 " -> " $2}' edges | awk '{a[$1] = a[$1] " " $3} END {for (k in a) print k ":" a[k]}' | sort
status=0
# A circle: tsort reports one on stderr.
if tsort edges > /dev/null 2> cycle && [ ! -s cycle ]; then
  echo "structure: no circle among the files"
else
  cat cycle
  echo "structure: the files above call each other in a circle"
  status=1
fi
ctags --fields=+ne --c-kinds=f -o - *.c |
  awk -F'\t' '{ for (i = 4; i <= NF; i++) { if ($i ~ /^line:/) s = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
                 print e - s + 1, $2, $1 }' | sort -rn > lengths
awk '$1 > 80 { print "  " $2 ": " $3 "() has " $1 " lines" }' lengths
if awk '$1 > 80 { bad = 1 } END { exit !bad }' lengths; then
  echo "structure: the functions above are longer than 80 lines"
  status=1
else
  echo "structure: the longest function: $(head -1 lengths | awk '{print $3 "() in " $2 ", " $1 " lines"}')"
fi
exit $status
