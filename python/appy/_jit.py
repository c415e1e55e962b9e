"""appy.jit: a kernel function compiled on its first call, for the call's argument types.

A call looks up the compiled version for its arguments' types: NumPy dtype and rank,
device arrays (CuPy, PyTorch, anything with ``__cuda_array_interface__``) likewise, and
Python or NumPy scalars. The first call with a new combination translates the function
with appy-translate (from the whole file, so that imports, constants and helper functions
resolve as they do for the command line), compiles it with the configured compiler and
loads it. What was built is kept on disk, keyed by everything that changes it, so that a
later run of the program compiles nothing:

    $APPY_CACHE_DIR, else $XDG_CACHE_HOME/appy-omp, else ~/.cache/appy-omp

Several processes may fill the cache at once: each builds in a folder of its own and
renames it into place; the first one there wins.

Environment: APPY_COMPILER (clang, gcc or none; default: appy-translate's),
APPY_OFFLOAD_ARCH (sm_XX), APPY_TRANSLATE (the appy-translate to run), APPY_JIT_VERBOSE=1
(say what is compiled and how long it took), APPY_DISABLE_JIT=1 (``jit`` returns the
function unchanged: the program runs as plain Python), APPY_BOUNDSCHECK=1 (every subscript
checked, IndexError when out of range: appy-translate --boundscheck; read when a
specialisation is first built in the process).
"""
import ast
import functools
import hashlib
import inspect
import json
import linecache
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings

__all__ = ["jit", "CompileError", "cache_dir"]

# APPy's options (appy/__init__.py of habanero-lab/APPy), and what each does here.
_OPTIONS = {
    "backend": "ignored: every backend means the configured offload compiler",
    "dump_code": "prints the generated C when the function is compiled or loaded",
    "dump_code_to_file": "writes the generated C to this path",
    "dry_run": "compiles, then runs the function as plain Python",
    "clear_cache": "rebuilds the first specialisation of this run instead of loading it",
    "verbose_static_rewrite": "prints how each parallel loop is mapped (--explain)",
    "verbose_block_loop": "ignored",
    "shader": "not supported (APPy's Metal shader mode)",
}

# Marks loops the translator compiles; a function with none of them is plain Python.
_PARALLEL = re.compile(r"#\s*pragma\s+parallel|\bprange\s*\(|parallel\s*=\s*True")


class CompileError(Exception):
    """appy.jit could not translate or compile a function. The message is the
    translator's diagnostic (file:line:col: error: ..., the line and a caret) or the C
    compiler's output."""


def jit(fn=None, **options):
    """Compiles a function's parallel loops for the GPU on its first call.

    ``@jit``, ``@jit()`` and ``@jit(backend=..., dump_code=..., ...)`` all work; every
    option of APPy's ``jit`` is accepted (see ``appy._jit._OPTIONS`` for what each does
    here). A function without parallel loops (``#pragma parallel for``, ``prange``,
    ``appy.range(..., parallel=True)``) is returned unchanged: it is plain Python, as in
    APPy. With APPY_DISABLE_JIT=1 every function is returned unchanged.
    """
    for name in options:
        if name not in _OPTIONS:
            warnings.warn("appy.jit: unknown option %r ignored" % name, stacklevel=2)
    if options.get("shader"):
        raise NotImplementedError("appy.jit(shader=True): APPy's Metal shader mode is not "
                                  "supported; use #pragma parallel for loops")
    if fn is None:
        return lambda f: _decorate(f, options)
    return _decorate(fn, options)


def _decorate(fn, options):
    if not callable(fn):
        raise TypeError("appy.jit: expected a function, got %r" % (fn,))
    if isinstance(fn, Dispatcher):
        return fn
    if os.environ.get("APPY_DISABLE_JIT", "") not in ("", "0"):
        return fn
    if not inspect.isfunction(fn):
        raise TypeError("appy.jit: expected a Python function, got %s" % type(fn).__name__)
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):
        warnings.warn("appy.jit: the source of %s is not available (defined in %s); it runs "
                      "as plain Python" % (fn.__qualname__, fn.__code__.co_filename),
                      RuntimeWarning, stacklevel=3)
        return fn
    if not _PARALLEL.search(text):
        return fn
    return Dispatcher(fn, options)


# -- argument types


_ndarray = None          # numpy.ndarray, once numpy is imported
_SCALARS = {bool: "bool", int: "int", float: "float"}


def _numpy():
    global _ndarray
    import numpy
    if _ndarray is None:
        for t in (numpy.bool_, numpy.int8, numpy.int16, numpy.int32, numpy.int64, numpy.uint8,
                  numpy.uint16, numpy.uint32, numpy.uint64, numpy.float32, numpy.float64):
            _SCALARS[t] = numpy.dtype(t).name if t is not numpy.bool_ else "bool_"
        _ndarray = numpy.ndarray
    return numpy


def _code(a):
    """What of argument a chooses the specialisation (hashable)."""
    t = type(a)
    if t is _ndarray:
        return (a.dtype, a.ndim)
    c = _SCALARS.get(t)
    return c if c is not None else _slow_code(a)


def _slow_code(a):
    np = _numpy()
    t = type(a)
    if isinstance(a, np.ndarray):
        return (a.dtype, a.ndim)
    if isinstance(a, np.generic) and type(a) in _SCALARS:
        return _SCALARS[type(a)]
    if is_torch(a) and hasattr(a, "is_cuda"):
        return ("torch", str(a.dtype).replace("torch.", ""), a.dim(), bool(a.is_cuda))
    if hasattr(a, "__cuda_array_interface__"):
        dtype, ndim = getattr(a, "dtype", None), getattr(a, "ndim", None)
        if not (isinstance(dtype, np.dtype) and isinstance(ndim, int)):
            cai = a.__cuda_array_interface__
            dtype, ndim = np.dtype(cai["typestr"]), len(cai["shape"])
        return ("cuda", dtype, ndim)
    return ("?", t.__name__)


_MAXRANK = 8   # the runtime's arrays hold 8 extents (APPY_MAXDIM)
_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float32", "float64")


def _type_name(code, param):
    """The signature spelling of an argument's type ('float64[:, :]', 'int'); TypeError
    naming the parameter for what no kernel can take."""
    if isinstance(code, str):
        return code
    kind = code[0] if isinstance(code[0], str) else "numpy"   # a dtype compares equal to '?'
    if kind == "?":
        raise TypeError("argument '%s': a %s cannot be passed to a compiled kernel (NumPy "
                        "arrays, device arrays and int, float or bool scalars can)"
                        % (param, code[1]))
    if kind == "torch":
        dtype, ndim = code[1], code[2]
    elif kind == "cuda":
        dtype, ndim = code[1].name if code[1].isnative else "?", code[2]
    else:
        dtype, ndim = code[0].name if code[0].isnative else "?", code[1]
    if dtype not in _DTYPES:
        raise TypeError("argument '%s': arrays of dtype %s are not supported (%s are)"
                        % (param, dtype if dtype != "?" else "of non-native byte order",
                           ", ".join(_DTYPES)))
    if ndim > _MAXRANK:
        raise TypeError("argument '%s': an array of rank %d; kernels take arrays of at most "
                        "%d dimensions" % (param, ndim, _MAXRANK))
    return dtype if ndim == 0 else "%s[%s]" % (dtype, ", ".join([":"] * ndim))


def is_torch(a):
    """Is a a PyTorch object (a tensor)?"""
    return type(a).__module__.split(".")[0] == "torch"


def _host_array(a):
    """A PyTorch tensor on the CPU, as a NumPy array sharing its memory."""
    return a.detach().numpy() if is_torch(a) and not a.is_cuda else a


# -- the toolchain and the cache


_lock = threading.RLock()      # one build at a time per process
_told = set()                  # warnings given once per process


def _say_once(what, message):
    if what not in _told:
        _told.add(what)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def _config():
    try:
        from . import _config as c
        return c
    except ImportError:        # the source tree, not built
        return None


def cache_dir():
    """The folder where appy.jit keeps what it built."""
    d = os.environ.get("APPY_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "appy-omp")
    return d


@functools.lru_cache(maxsize=None)
def _toolchain():
    """(appy-translate's path or None, what chooses the code it builds (part of the cache
    key), what identifies this build setup (translator, runtime: a build made with
    another one is made again, where the translator is there to do it))."""
    cfg = _config()
    exe = os.environ.get("APPY_TRANSLATE") or (cfg.TRANSLATE if cfg else None)
    if not (exe and os.access(exe, os.X_OK)):
        exe = shutil.which("appy-translate")
    choice = ["appy-omp " + (cfg.VERSION if cfg else "source")]
    for var in ("APPY_COMPILER", "APPY_OFFLOAD_ARCH"):
        choice.append("%s=%s" % (var, os.environ.get(var, "")))
    setup = []
    libdir = os.environ.get("APPY_LIBDIR") or (cfg.LIBDIR if cfg else "")
    for path in (exe, os.path.join(libdir, "libappyrt.a")):
        try:
            st = os.stat(path)
            setup.append("%s %d %d" % (path, st.st_mtime_ns, st.st_size))
        except (OSError, TypeError):
            setup.append("%s missing" % path)
    for var in ("APPY_CC", "APPY_CFLAGS", "APPY_INCLUDEDIR", "APPY_LIBDIR"):
        setup.append("%s=%s" % (var, os.environ.get(var, "")))
    return exe, "\n".join(choice), "\n".join(setup)


def _boundscheck():
    """APPY_BOUNDSCHECK is set, not to "" or "0" (as appy-translate reads it)."""
    return os.environ.get("APPY_BOUNDSCHECK", "") not in ("", "0")


def _source(fn):
    """(the text of fn's file, first line of fn's definition, decorators included)."""
    code = fn.__code__
    filename = code.co_filename
    lines = linecache.getlines(filename, fn.__globals__)
    if not lines:
        raise CompileError("appy.jit: cannot read the source of %s (defined in %s); define it "
                           "in a file" % (fn.__qualname__, filename))
    return "".join(lines), code.co_firstlineno


def _unit(text, first, extra=()):
    """What appy-translate reads for the function whose definition starts at line `first`:
    the file itself, or for a nested function, the file with the statement around it
    blanked and the function moved to column 0 on its own lines, the names of `extra`
    (variables of the enclosing function it uses) added to its parameters. Returns (text,
    the function's lines (first, last), the indentation removed)."""
    lines = text.splitlines(True)
    block = inspect.getblock(lines[first - 1:])
    last = first + len(block) - 1
    indent = len(block[0]) - len(block[0].lstrip())
    if indent == 0:
        return text, (first, last), 0
    if extra:
        block = _with_params(block, indent, extra)
    outer = None
    for node in ast.parse(text).body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if start <= first <= node.end_lineno:
            outer = (start, node.end_lineno)
    out = list(lines)
    for k in range(outer[0] - 1, outer[1]):
        out[k] = "\n"
    for k, line in enumerate(block):
        moved = line[indent:] if line.startswith(" " * indent) else line.lstrip()
        out[first - 1 + k] = moved or "\n"
    return "".join(out), (first, last), indent


def _with_params(block, indent, extra):
    """The lines of a function definition with parameters `extra` added after its own."""
    node = ast.parse(textwrap.dedent("".join(block))).body[0]
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        raise CompileError("appy.jit: %s uses variables of its enclosing function (%s) and has "
                           "*, ** or keyword-only parameters; pass them as arguments instead"
                           % (node.name, ", ".join(extra)))
    if a.args:   # after the last one (its annotation, its default, if any)
        ends = [a.args[-1]] + [x for x in (a.args[-1].annotation,) if x] + a.defaults[-1:]
        end = max(ends, key=lambda x: (x.end_lineno, x.end_col_offset))
        row, col, add = end.end_lineno - 1, end.end_col_offset, ", " + ", ".join(extra)
    else:        # just inside the parentheses after the name
        row = next(r for r in range(len(block)) if re.match(r"\s*def\s", block[r]))
        col = block[row].index("(", block[row].index("def")) + 1 - indent
        add = ", ".join(extra)
    out = list(block)
    line = out[row]
    out[row] = line[:indent + col] + add + line[indent + col:]
    return out


_DIAG = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|note): ")


def _reindent(diagnostics, text, span, indent):
    """The translator's diagnostics about a nested function, with its columns and source
    lines as they are in the file."""
    if not indent:
        return diagnostics
    lines, out, shift = text.splitlines(), [], False
    for line in diagnostics.splitlines():
        m = _DIAG.match(line)
        if m:
            shift = span[0] <= int(m.group(2)) <= span[1]
            if shift:
                line = "%s:%s:%d: %s" % (m.group(1), m.group(2), int(m.group(3)) + indent,
                                         line[m.end() - len(m.group(4)) - 2:])
        elif shift and re.match(r"^ *\d+ \| ", line):
            n = int(line.split("|")[0])
            line = "%5d | %s" % (n, lines[n - 1] if n <= len(lines) else "")
        elif shift and re.match(r"^ +\| ", line):
            line = line.replace("| ", "| " + " " * indent, 1)
        out.append(line)
    return "\n".join(out) + "\n"


def _load(path, modname):
    import importlib.util
    spec = importlib.util.spec_from_file_location(modname, path)
    module = importlib.util.module_from_spec(spec)
    module.__appy_jit__ = True     # appy._host: leave functions with Python host code to us
    spec.loader.exec_module(module)
    return module


class _Build:
    """One specialisation in the cache: translate and compile it if it is not there."""

    def __init__(self, fn, sig, text, first, extra):
        self.fn = fn
        self.sig = sig
        self.text = text
        self.first = first
        self.extra = extra
        exe, choice, self.setup = _toolchain()
        self.exe = exe
        # Checked subscripts change the C: a build of their own (unchecked keys as before).
        self.boundscheck = _boundscheck()
        if self.boundscheck:
            choice += "\nAPPY_BOUNDSCHECK=1"
        key = "\n".join([choice, fn.__code__.co_filename, fn.__qualname__, str(first), sig, text])
        self.key = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        self.modname = "_appy_" + self.key[:24]
        self.dir = os.path.join(cache_dir(), "%s-%s" % (fn.__name__, self.key[:24]))
        self.so = os.path.join(self.dir, self.modname + ".abi3.so")
        self.c = os.path.join(self.dir, self.modname + ".c")

    @functools.cached_property
    def unit(self):
        """What appy-translate reads: (text, the function's lines, the indentation removed)."""
        return _unit(self.text, self.first, self.extra)

    def cached(self):
        """Is the build there, and made by this setup (or can it not be made again here)?"""
        if not os.path.isfile(self.so):
            return False
        if not self.exe:
            return True
        try:
            with open(os.path.join(self.dir, "info.json")) as f:
                return json.load(f).get("setup") == self.setup
        except (OSError, ValueError):
            return False

    def build(self, explain):
        """Translates and compiles into the cache; returns the --explain text. Raises
        CompileError, or FileNotFoundError when there is no compiler to run."""
        if not self.exe:
            raise FileNotFoundError("appy-translate was not found (set APPY_TRANSLATE, or put "
                                    "it on PATH)")
        fn = self.fn
        text, span, indent = self.unit
        parent = os.path.dirname(self.dir)
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".build-", dir=parent)
        try:
            so = os.path.join(tmp, os.path.basename(self.so))
            cmd = [self.exe, "--function", fn.__name__, "-s", "%s(%s)" % (fn.__name__, self.sig),
                   "-m", self.modname, "-o", so, "--source-name", fn.__code__.co_filename]
            if os.environ.get("APPY_COMPILER"):
                cmd += ["--compiler", os.environ["APPY_COMPILER"]]
            if os.environ.get("APPY_OFFLOAD_ARCH"):
                cmd += ["--offload-arch", os.environ["APPY_OFFLOAD_ARCH"]]
            if explain:
                cmd.append("--explain")
            cmd.append("--boundscheck" if self.boundscheck else "--no-boundscheck")
            t0 = time.perf_counter()
            # The diagnostics name the file in the bytes of its path: decoded as Python
            # decodes file names, not UTF-8 or fail.
            proc = subprocess.run(cmd + ["-"], input=text, capture_output=True, text=True,
                                  errors="surrogateescape")
            seconds = time.perf_counter() - t0
            if proc.returncode == 3:
                raise FileNotFoundError(proc.stderr.strip().replace("appy-translate: error: ", ""))
            if proc.returncode == 1:
                raise CompileError("%s(%s) cannot be compiled:\n%s" % (
                    fn.__qualname__, self.sig,
                    _reindent(_errors(proc.stderr), self.text, span, indent)))
            if proc.returncode != 0 or not os.path.isfile(so):
                raise CompileError("appy.jit: the C compiler failed on %s(%s) (a bug of "
                                   "appy-omp; please report it with this output):\n%s%s"
                                   % (fn.__qualname__, self.sig, proc.stdout, proc.stderr))
            with open(os.path.join(tmp, "info.json"), "w") as f:
                json.dump({"function": fn.__qualname__, "file": fn.__code__.co_filename,
                           "line": self.first, "signature": self.sig, "seconds": round(seconds, 3),
                           "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "setup": self.setup},
                          f, indent=1)
            with open(os.path.join(tmp, "source.py"), "w") as f:
                f.write(text)
            if os.path.isdir(self.dir):      # clear_cache: the old build goes
                shutil.rmtree(self.dir, ignore_errors=True)
            try:
                os.rename(tmp, self.dir)
            except OSError:
                if not os.path.isfile(self.so):   # not another process's finished build
                    raise
            if os.environ.get("APPY_JIT_VERBOSE", "") not in ("", "0"):
                print("appy.jit: compiled %s(%s) in %.2f s into %s" % (fn.__qualname__, self.sig,
                                                                      seconds, self.dir),
                      file=sys.stderr)
            return proc.stdout
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _errors(stderr):
    """The diagnostics in appy-translate's output, without its own closing line."""
    return "".join(l for l in stderr.splitlines(True) if not l.startswith("appy-translate: "))


# -- the function object


class Dispatcher:
    """A function under @appy.jit: calls run the compiled version for the arguments' types."""

    def __init__(self, fn, options):
        functools.update_wrapper(self, fn)
        self.py_func = fn                  # the function as written (Numba's name)
        self.options = dict(options)
        self._params = list(inspect.signature(fn).parameters)
        self._cells = fn.__closure__ or () # variables of the enclosing function it uses...
        self._passed = None                # ...passed as extra arguments (indices; None: not
                                           # decided yet)
        self._specs = {}                   # argument codes -> callable
        self._built = {}                   # signature -> callable
        self.modules = {}                  # signature -> its extension module (None: Python)
        self._fresh = bool(options.get("clear_cache"))

    def __repr__(self):
        return "<appy.jit function %s>" % self.__qualname__

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if kwargs:
            args = self._bind(args, kwargs)
        if self._cells:
            args = args + self._closure_args()
        key = tuple(map(_code, args))
        spec = self._specs.get(key)
        if spec is None:
            spec = self._specialise(args, key)
        return spec(*args)

    def _closure_args(self):
        """The values of the enclosing function's variables the function uses, passed to
        the compiled code as extra arguments (modules, functions and classes are not: the
        translator knows np, math and appy by name and calls no functions in loops)."""
        if self._passed is None:
            self._passed = []
            for k, cell in enumerate(self._cells):
                try:
                    value = cell.cell_contents
                except ValueError:      # not assigned yet
                    continue
                if not (inspect.ismodule(value) or callable(value)):
                    self._passed.append(k)
            names = self.py_func.__code__.co_freevars
            self._params = self._params + [names[k] for k in self._passed]
        return tuple(self._cells[k].cell_contents for k in self._passed)

    def _bind(self, args, kwargs):
        bound = inspect.signature(self.py_func).bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.args

    @property
    def signatures(self):
        """The signatures compiled so far in this process."""
        return list(self._built)

    def runs_on(self):
        """Where the latest compiled specialisation runs: 'gpu: ...' or 'host: ...' (the
        module's _appy_device()), or 'python' where it runs as plain Python."""
        module = next(reversed(self.modules.values()), None) if self.modules else None
        return module._appy_device() if module is not None else "python"

    def _specialise(self, args, key):
        with _lock:
            if key in self._specs:
                return self._specs[key]
            if len(args) != len(self._params):
                self.py_func(*args[:len(args) - len(self._passed or ())])   # Python's TypeError
            names = [_type_name(c, p) for c, p in zip(key, self._params)]
            sig = ", ".join(names)
            spec = self._built.get(sig)
            if spec is None:
                spec = self._built[sig] = self._compile(sig)
            if spec is self.py_func and self._passed:   # the closure's values are its own
                spec = functools.partial(_without_closure, spec, len(self._passed))
            if any(isinstance(c, tuple) and c[0] == "torch" and not c[3] for c in key):
                spec = _converting(spec)
            self._specs[key] = spec
            return spec

    def _compile(self, sig):
        fn, opt = self.py_func, self.options
        text, first = _source(fn)
        extra = [fn.__code__.co_freevars[k] for k in self._passed or ()]
        build = _Build(fn, sig, text, first, extra)
        explain = None
        if self._fresh or not build.cached():
            self._fresh = False
            try:
                explain = build.build(bool(opt.get("verbose_static_rewrite")))
            except FileNotFoundError as e:
                _say_once("compiler", "appy.jit: no compiler to build %s with (%s); @appy.jit "
                          "functions run as plain Python on the CPU" % (fn.__qualname__, e))
                self.modules[sig] = None
                return fn
            except CompileError as e:
                return functools.partial(_raise, e)
        if explain:
            print(explain, end="")
        if opt.get("dump_code") or opt.get("dump_code_to_file"):
            with open(build.c) as f:
                c = f.read()
            if opt.get("dump_code_to_file"):
                with open(opt["dump_code_to_file"], "w") as f:
                    f.write(c)
            if opt.get("dump_code"):
                print(c)
        module = _load(build.so, build.modname)
        self.modules[sig] = None if opt.get("dry_run") else module
        if opt.get("dry_run"):
            return fn
        compiled = getattr(module, fn.__name__, None)
        if compiled is not None:
            return compiled
        from . import _host
        return _host.rewrite(fn, module, build.unit[0])


def _without_closure(fn, n, *args):
    return fn(*args[:-n])


def _raise(err, *args):
    raise err.with_traceback(None)


def _converting(spec):
    def call(*args):
        return spec(*map(_host_array, args))
    return call
