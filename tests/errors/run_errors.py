"""Error tests: each case in bad_programs.txt is a small annotated program followed by
the exact first diagnostic appy-translate must print for it (file:line:col: error: ...),
and the translator must exit non-zero, print the source line with a caret under the
column, and write nothing.

usage: python3 run_errors.py [bad_programs.txt]   (env APPY_TRANSLATE: the translator)
"""
import os
import subprocess
import sys
import tempfile


def cases(path):
    """Yields (name, source, expected first line, expected exit failure) from the file."""
    name, lines, expect = None, [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("### "):
                if name:
                    yield name, "".join(lines), expect
                name, lines, expect = line[4:].strip(), [], None
            elif line.startswith("#> "):
                expect = line[3:].rstrip("\n")
            else:
                lines.append(line)
    if name:
        yield name, "".join(lines), expect


def check(translator, name, source, expect, tmp):
    src = os.path.join(tmp, "case.py")
    out = os.path.join(tmp, "case.c")
    with open(src, "w", encoding="utf-8") as f:
        f.write(source)
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([translator, "--emit-c", "-o", "case.c", "case.py"], cwd=tmp,
                       capture_output=True, text=True, timeout=60)
    lines = p.stderr.splitlines()
    problems = []
    is_error = ": error: " in expect
    if is_error and p.returncode == 0:
        problems.append("exit status 0, expected failure")
    if is_error and os.path.exists(out):
        problems.append("wrote case.c despite the error")
    if not lines or lines[0] != expect:
        problems.append("first diagnostic differs:\n    want: %s\n    got:  %s"
                        % (expect, lines[0] if lines else "(nothing)"))
    else:
        col = int(expect.split(":")[2]) if expect.split(":")[1].isdigit() else 0
        if col and (len(lines) < 3 or "^" not in lines[2]
                    or lines[2].index("^") - lines[2].index("|") - 2 != col - 1):
            problems.append("no caret under column %d:\n%s" % (col, "\n".join(lines[:3])))
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "bad_programs.txt")
    translator = os.environ.get("APPY_TRANSLATE")
    if not translator:
        sys.exit("run_errors.py: set APPY_TRANSLATE to the appy-translate binary")
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, source, expect in cases(path):
            if expect is None:
                print("FAIL %s: no '#> ' line with the expected diagnostic" % name)
                failed += 1
                continue
            problems = check(translator, name, source, expect, tmp)
            if problems:
                failed += 1
                print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
            else:
                passed += 1
                print("ok   %s: %s" % (name, expect))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
