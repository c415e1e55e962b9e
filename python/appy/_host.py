"""Kernel functions whose host code stays Python.

When a kernel function's host code (outside its parallel loops) uses Python that
appy-translate cannot compile (a SciPy or ``np.linalg`` call, ``print``, a dict, ``try``),
the translator compiles each outermost parallel loop into an entry point of the extension
module and leaves the rest to Python (``appy-translate --explain`` says which functions).
When the module is imported, `install` runs the file's top-level code in it (imports,
constants, helper functions) and defines each such function from its source, with its
parallel loops replaced by calls of the entry points.

During one call of such a function, a `Session` keeps the arrays its loops use on the GPU:
each is copied there at its first loop, and copied back only when host code is about to
look at it after a loop wrote it, or when the call ends. Host code that touches an array
(any use of its name other than ``.shape``, ``.size``, ``.ndim``, ``.dtype`` or ``len()``)
is assumed to change it: the next loop that uses it gets it again.
"""
import ast
import builtins
import linecache
import sys

from . import _hold, _release, _update

__all__ = ["install", "Session"]

_SAME, _DEVICE_NEWER, _HOST_NEWER = 0, 1, 2
_META = ("shape", "size", "ndim", "dtype", "itemsize", "nbytes")
_PLAIN = (int, float, complex, bool, str, bytes, type(None), type, type(len), type(sys))

# Arrays that sessions hold on the device: (address, bytes) -> [array, state, sessions]
_held = {}

# Data movements sessions asked for, by kind (for tests and curious users).
stats = {"enter": 0, "to_device": 0, "to_host": 0}


def _arrays_key(a):
    return (a.__array_interface__["data"][0], a.nbytes)


class Session:
    """The arrays one call's parallel loops use, kept on the device for the call."""

    def __init__(self, globals_):
        import numpy
        self._np = numpy
        self._globals = globals_
        self._mine = []            # keys this call holds

    # -- the device side

    def _map(self, a):
        key = _arrays_key(a)
        entry = _held.get(key)
        if entry is None:
            present, entered = _hold(a)
            stats["enter"] += entered
            # held by an appy.device block: the GPU's copy is the one that counts
            entry = _held[key] = [a, _DEVICE_NEWER if present else _SAME, 0]
        if key not in self._mine:
            entry[2] += 1
            self._mine.append(key)
        return entry

    def _related(self, a):
        """The held arrays whose memory a may share (a itself included)."""
        np = self._np
        return [e for e in _held.values() if e[0] is a or np.may_share_memory(e[0], a)]

    def _update(self, op, a):
        stats[op] += _update(op, [a])

    def kernel(self, entry, args, writes, where):
        """Runs entry point `entry` on args; args[i] for i in writes are arrays it writes;
        where names the loop and its variables for error messages."""
        np = self._np
        for a in args:
            if not (isinstance(a, np.ndarray) and a.flags.c_contiguous and a.size):
                continue
            related = self._related(a) or [self._map(a)]   # a view of a held one: not mapped
            for e in related:
                if e[1] == _HOST_NEWER:
                    self._update("to_device", e[0])
                    e[1] = _SAME
        try:
            return entry(*args)
        except (TypeError, ValueError, IndexError) as e:   # the entry's name means nothing
            raise type(e)("%s: %s" % (where, str(e).replace(entry.__name__ + "()", "the loop")))
        finally:   # a loop that raised may have written some elements, as Python would have
            for i in writes:
                a = args[i]
                if isinstance(a, np.ndarray):
                    for e in self._related(a):
                        e[1] = _DEVICE_NEWER

    # -- the host side

    def _to_host(self, e):
        if e[1] == _DEVICE_NEWER:
            self._update("to_host", e[0])
        e[1] = _HOST_NEWER

    def host(self, scope, names):
        """Before host code that uses these names: the device's changes to arrays they
        name copied back. Returns True (it also guards loop conditions)."""
        if not _held:
            return True
        for name in names:
            self._touch(scope.get(name, self._globals.get(name)), 2)
        return True

    def _touch(self, value, depth):
        np = self._np
        if isinstance(value, np.ndarray):
            for e in self._related(value):
                self._to_host(e)
        elif isinstance(value, _PLAIN) or isinstance(value, np.generic) or callable(value):
            pass
        elif isinstance(value, (list, tuple, set, frozenset, dict)) and depth > 0:
            for v in (value.values() if isinstance(value, dict) else value):
                self._touch(v, depth - 1)
        else:                                    # an object that may hold any of them
            for e in list(_held.values()):
                self._to_host(e)

    def close(self):
        """At the end of the call: the device's changes copied back, the arrays released."""
        for key in self._mine:
            e = _held[key]
            e[2] -= 1
            if e[2] > 0:
                continue
            del _held[key]
            a, state = e[0], e[1]
            kept, copied = _release(a, lambda written: state == _DEVICE_NEWER)
            stats["to_host"] += copied
            if state == _HOST_NEWER:        # an appy.device block still holds it
                for module in kept:
                    module._appy_data("to_device", a)
        self._mine = []


# -- rewriting the functions


def _uses(node):
    """Names that statement or expression node uses, other than for metadata
    (A.shape, len(A), ...)."""
    other = set()
    parents = {}
    for parent in ast.walk(node):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    for n in ast.walk(node):
        if not isinstance(n, ast.Name):
            continue
        p = parents.get(n)
        metadata = (isinstance(p, ast.Attribute) and p.attr in _META) or \
            (isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id == "len"
             and p.args and p.args[0] is n)
        if not metadata:
            other.add(n.id)
    return sorted(other)


def _session_call(method, args, at):
    call = ast.Call(func=ast.Attribute(value=ast.Name("_appy_session", ast.Load()), attr=method,
                                       ctx=ast.Load()), args=args, keywords=[])
    return ast.copy_location(call, at)


def _guard(names, at):
    """_appy_session.host(locals(), (names...))"""
    locals_call = ast.Call(func=ast.Name("locals", ast.Load()), args=[], keywords=[])
    names_tuple = ast.Tuple([ast.Constant(n) for n in names], ast.Load())
    return _session_call("host", [locals_call, names_tuple], at)


class _Rewriter:
    def __init__(self, name, loops):
        self.name = name
        self.loops = {line: rest for line, *rest in loops}
        self.done = set()

    def is_entry(self, s):
        return isinstance(s, (ast.For, ast.AsyncFor)) and s.lineno in self.loops

    def contains(self, s):
        return any(self.is_entry(n) for n in ast.walk(s))

    def call(self, s):
        entry, params, outputs, writes = self.loops[s.lineno]
        self.done.add(s.lineno)
        fn = ast.Attribute(value=ast.Name("_appy_module", ast.Load()), attr=entry, ctx=ast.Load())
        args = ast.Tuple([ast.Name(p, ast.Load()) for p in params], ast.Load())
        where = "%s, parallel loop at line %d, with variables (%s)" % (self.name, s.lineno,
                                                                       ", ".join(params))
        value = _session_call("kernel", [fn, args, ast.Constant(tuple(writes)),
                                         ast.Constant(where)], s)
        if not outputs:
            new = ast.Expr(value)
        elif len(outputs) == 1:
            new = ast.Assign([ast.Name(outputs[0], ast.Store())], value)
        else:
            new = ast.Assign([ast.Tuple([ast.Name(o, ast.Store()) for o in outputs], ast.Store())],
                             value)
        return ast.copy_location(new, s)

    def stmts(self, body):
        out = []
        for s in body:
            if self.is_entry(s):
                out.append(self.call(s))
                continue
            if not self.contains(s):
                names = _uses(s)
                if names:
                    out.append(ast.copy_location(ast.Expr(_guard(names, s)), s))
                out.append(s)
                continue
            # A compound statement with loops inside: its own expressions are host code.
            if isinstance(s, ast.While):
                names = _uses(s.test)
                if names:
                    s.test = ast.copy_location(ast.BoolOp(ast.And(), [_guard(names, s.test), s.test]),
                                               s.test)
            else:
                heads = [getattr(s, f) for f in ("test", "iter", "subject") if hasattr(s, f)]
                heads += [i.context_expr for i in getattr(s, "items", [])]
                names = sorted({n for h in heads for n in _uses(h)})
                if names:
                    out.append(ast.copy_location(ast.Expr(_guard(names, s)), s))
            for field in ("body", "orelse", "finalbody"):
                if getattr(s, field, None):
                    setattr(s, field, self.stmts(getattr(s, field)))
            for h in getattr(s, "handlers", []):
                h.body = self.stmts(h.body)
            for c in getattr(s, "cases", []):
                c.body = self.stmts(c.body)
            out.append(s)
        return out

    def function(self, fn):
        body = self.stmts(fn.body)
        missing = set(self.loops) - self.done
        if missing:
            raise ImportError("appy: the parallel loop of %s at line %d was not found in its "
                              "source" % (fn.name, min(missing)))
        start = ast.Assign([ast.Name("_appy_session", ast.Store())],
                           ast.Call(func=ast.Attribute(value=ast.Name("_appy_host", ast.Load()),
                                                       attr="Session", ctx=ast.Load()),
                                    args=[ast.Call(func=ast.Name("globals", ast.Load()),
                                                   args=[], keywords=[])], keywords=[]))
        close = ast.Expr(_session_call("close", [], fn))
        fn.body = [ast.copy_location(start, fn),
                   ast.copy_location(ast.Try(body=body, handlers=[], orelse=[],
                                             finalbody=[ast.copy_location(close, fn)]), fn)]
        return fn


def _is_jit(decorator):
    d = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(d, ast.Name) and d.id == "jit") or \
        (isinstance(d, ast.Attribute) and d.attr == "jit")


def install(module, source, filename, loops):
    """Runs the file's top-level code in module, with the functions named in loops (a
    Python literal: {name: [(line, entry, params, outputs, written), ...]}) rewritten;
    the functions compiled to C keep their compiled versions. A module built by appy.jit
    (module.__appy_jit__) only keeps loops, as __appy_loops__, for `rewrite`."""
    loops = ast.literal_eval(loops)
    if getattr(module, "__appy_jit__", False):
        module.__appy_loops__ = loops
        return
    ns = module.__dict__
    tree = ast.parse(source, filename)
    body = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in loops:     # compiled already: not again by appy.jit
                node.decorator_list = [d for d in node.decorator_list if not _is_jit(d)]
                node = _Rewriter(node.name, loops[node.name]).function(node)
            elif node.name in ns:          # compiled: the extension's function stays
                continue
        body.append(node)
    tree.body = body
    ast.fix_missing_locations(tree)
    lines = source.splitlines(True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(tree, filename, "exec")
    ns.setdefault("__builtins__", builtins)
    ns["_appy_host"] = sys.modules[__name__]
    ns["_appy_module"] = module
    exec(code, ns)


def rewrite(fn, module, source):
    """fn, a function under appy.jit whose host code stays Python, with its parallel loops
    replaced by calls of the entry points of module (built by appy.jit from source, the text
    appy-translate read, where fn is a top-level function at its own lines). The new
    function has fn's globals, closure values and defaults."""
    filename = fn.__code__.co_filename
    tree = ast.parse(source, filename)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == fn.__name__
                and min([n.lineno] + [d.lineno for d in n.decorator_list])
                == fn.__code__.co_firstlineno)
    node.decorator_list = []
    node = _Rewriter(fn.__name__, module.__appy_loops__[fn.__name__]).function(node)
    # Made by a function of _appy_host, _appy_module and the closure's variables, so that the
    # rewritten code finds them without touching fn's globals.
    names = ["_appy_host", "_appy_module"] + list(fn.__code__.co_freevars)
    maker = ast.FunctionDef(name="_appy_make",
                            args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names],
                                               kwonlyargs=[], kw_defaults=[], defaults=[]),
                            body=[node, ast.Return(ast.Name(fn.__name__, ast.Load()))],
                            decorator_list=[])
    tree = ast.Module(body=[ast.copy_location(maker, node)], type_ignores=[])
    ast.fix_missing_locations(tree)
    ns = {}
    exec(compile(tree, filename, "exec"), fn.__globals__, ns)
    cells = [c.cell_contents for c in fn.__closure__ or ()]
    new = ns["_appy_make"](sys.modules[__name__], module, *cells)
    new.__defaults__, new.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    return new
