"""Compiled kernels run as plain Python, with numba's arithmetic: the first run's tier.

numba compiles a kernel on its first call, which for this package's kernels costs
about a minute of CPU on a fresh machine, while running the same functions once as
Python costs a few seconds (the approach's loop ~3 s, against ~37 s to compile it).
:func:`python_twin` makes a kernel's Python function, calling the Python functions of
the kernels it calls (its globals re-pointed), and :func:`call_as_python` runs it with
numba's numeric rules where Python's differ, so that the results are the compiled
kernel's to the last bit (``tests/test_interpret.py`` checks the default mission's
stages):

- ``x ** n`` with an integer ``n``: numba multiplies by repeated squaring (its
  ``static_power_impl`` / ``int_power_impl`` in ``numba/cpython/numbers.py``), where
  Python calls the C library's ``pow`` (rounded once, not once per product); a twin
  computes numba's products.
- floating-point errors: a kernel compiled with ``error_model="numpy"`` returns inf or
  NaN where Python raises (``ZeroDivisionError``, a ``math`` domain error) and numba
  does not check array bounds. A twin that raises is not trusted: its arguments
  (arrays, a random bit generator's state) are put back as they were and the
  compiled kernel runs instead (compiling it).

What a twin cannot run (an LLVM intrinsic such as ``phasing.lambert._fma``, an
argument it could not restore) is not made one: the kernel compiles as usual.
"""

from __future__ import annotations

import ast
import copy
import dis
import linecache
import types

import numpy as np

__all__ = ["call_as_python", "python_twin", "TwinUnavailable"]

# numba's static/int power: exponentiation by squaring up to this exponent, the C
# library's pow beyond (numba.cpython.numbers)
_MAX_SQUARING_EXPONENT = 0x10000
_POWER_OPS = frozenset({"**", "**="})


class TwinUnavailable(Exception):
    """The kernel has no Python twin (see the module's docstring); compile it."""


def _numba_pow(base, exponent):
    """``base ** exponent`` as numba computes it: for a float base and an integer
    exponent, the product by repeated squaring, inverted for a negative exponent
    (numba's ``static_power_impl``/``int_power_impl``); Python's ``**`` otherwise."""
    if (
        isinstance(exponent, (int, np.integer))
        and not isinstance(exponent, (bool, np.bool_))
        and isinstance(base, (float, np.floating, np.ndarray))
        and abs(int(exponent)) <= _MAX_SQUARING_EXPONENT
        and (not isinstance(base, np.ndarray) or base.dtype.kind == "f")
    ):
        e = abs(int(exponent))
        result = base * 0.0 + 1.0 if isinstance(base, np.ndarray) else type(base)(1.0)
        while e:
            if e & 1:
                result = result * base
            e >>= 1
            base = base * base
        if exponent >= 0:
            return result
        if not isinstance(result, np.ndarray) and result == 0.0:
            raise ZeroDivisionError("division by zero")  # (numba's, whatever the type)
        return 1.0 / result
    return base**exponent


class _NumbaPower(ast.NodeTransformer):
    """``a ** b`` and ``a **= b`` as calls of :func:`_numba_pow`."""

    name = "__numba_pow__"

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Pow):
            return node
        call = ast.Call(ast.Name(self.name, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Pow):
            return node
        load = _as_load(node.target)
        call = ast.Call(ast.Name(self.name, ast.Load()), [load, node.value], [])
        return ast.copy_location(ast.Assign([node.target], call), node)


def _as_load(target):
    """A copy of an assignment target (a name, subscript or attribute) as an
    expression that reads it (its inner nodes already read)."""
    node = copy.deepcopy(target)
    node.ctx = ast.Load()
    return node


def _names(code) -> set:
    """The global names ``code`` (and the code objects inside it) may read."""
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _names(c)
    return names


def _has_power(code) -> bool:
    """True if ``code`` (or a code object inside it) computes a power."""
    for ins in dis.get_instructions(code):
        if ins.opname == "BINARY_OP" and ins.argrepr in _POWER_OPS:
            return True
    return any(_has_power(c) for c in code.co_consts if isinstance(c, types.CodeType))


_TREES: dict[str, ast.Module] = {}


def _function_node(code) -> ast.FunctionDef:
    """The ``def`` of ``code`` in its source file (parsed once per file)."""
    filename = code.co_filename
    if filename not in _TREES:
        source = "".join(linecache.getlines(filename))
        if not source:
            raise TwinUnavailable(f"no source for {code.co_name} ({filename})")
        _TREES[filename] = ast.parse(source, filename)
    for node in ast.walk(_TREES[filename]):
        if not isinstance(node, ast.FunctionDef) or node.name != code.co_name:
            continue
        first = [node.lineno] + [d.lineno for d in node.decorator_list]
        if code.co_firstlineno in first:
            return node
    raise TwinUnavailable(f"no def of {code.co_name} in {filename}")


def _python_function(func, namespace: dict):
    """``func`` (a kernel's Python function) with ``namespace`` as its globals and,
    if it computes powers, recompiled from its source with numba's powers."""
    code = func.__code__
    if not _has_power(code):
        g = types.FunctionType(code, namespace, func.__name__, func.__defaults__, func.__closure__)
    else:
        if func.__closure__:
            raise TwinUnavailable(f"{func.__qualname__} is a closure")
        node = _NumbaPower().visit(copy.deepcopy(_function_node(code)))
        node.decorator_list = []
        node.returns = None  # (annotations: evaluated at def time without the
        for arg in ast.walk(node.args):  # module's ``from __future__ import annotations``)
            if isinstance(arg, ast.arg):
                arg.annotation = None
        module = ast.fix_missing_locations(ast.Module([node], []))  # (the file's lines)
        made: dict = {}
        exec(compile(module, code.co_filename, "exec"), namespace, made)  # noqa: S102
        g = made[node.name]
        g.__defaults__ = func.__defaults__
    g.__qualname__ = func.__qualname__
    g.__module__ = func.__module__
    return g


_TWINS: dict[int, tuple] = {}
_NAMESPACES: dict[int, dict] = {}


def _replacement(value):
    """What a twin's globals hold instead of ``value``: a kernel's twin, a Python
    equivalent of a numba-only function, or ``value`` itself."""
    from numba.core.dispatcher import Dispatcher

    if isinstance(value, Dispatcher):
        try:
            return python_twin(value)
        except TwinUnavailable:
            return value  # (compiled when the twin calls it)
    equivalent = _EQUIVALENTS.get(id(value))
    return value if equivalent is None else equivalent


def python_twin(dispatcher):
    """The Python function of ``dispatcher`` (a numba kernel) whose calls of other
    kernels call their twins, computing what the compiled kernel computes (see the
    module's docstring). Made once per kernel. Raises :class:`TwinUnavailable`."""
    key = id(dispatcher)
    if key in _TWINS:
        return _TWINS[key][1]
    func = dispatcher.py_func
    if any(isinstance(func.__globals__.get(n), _UNUSABLE) for n in _names(func.__code__)):
        _TWINS[key] = (dispatcher, None)  # (kept alive: the id stays its own)
        raise TwinUnavailable(f"{func.__qualname__} uses a numba intrinsic")
    gkey = id(func.__globals__)
    fresh = gkey not in _NAMESPACES
    if fresh:
        _NAMESPACES[gkey] = dict(func.__globals__)
        _NAMESPACES[gkey][_NumbaPower.name] = _numba_pow
    namespace = _NAMESPACES[gkey]
    twin = _python_function(func, namespace)
    _TWINS[key] = (dispatcher, twin)
    if fresh:  # (after registering: kernels of one module call each other)
        for name, value in list(namespace.items()):
            namespace[name] = _replacement(value)
    return twin


def _lookup_twin(dispatcher):
    entry = _TWINS.get(id(dispatcher))
    if entry is not None and entry[1] is None:
        raise TwinUnavailable(dispatcher.py_func.__qualname__)
    return python_twin(dispatcher)


# ---------------------------------------------------------------- call and fall back
def _snapshot(value):
    """What restores ``value`` (an argument) after a twin changed it: a copy of an
    array, the state of a bit generator; None for what cannot change. Raises
    :class:`TwinUnavailable` for a mutable argument it cannot restore."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.random.BitGenerator):
        return value.state
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        return None
    raise TwinUnavailable(f"cannot restore an argument of type {type(value).__name__}")


def _restore(value, saved) -> None:
    if isinstance(value, np.ndarray):
        value[...] = saved
    elif isinstance(value, np.random.BitGenerator):
        value.state = saved
    elif isinstance(value, tuple):
        for v, s in zip(value, saved):
            _restore(v, s)


# What a twin may raise where the compiled kernel does not: an arithmetic or math
# domain error (numba returns inf or NaN), an index error (numba does not check
# bounds), and, in case a kernel uses something Python runs differently, a type,
# attribute or not-implemented error. The compiled kernel then decides.
_FALL_BACK_ON = (
    ArithmeticError,
    ValueError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
)


def call_as_python(dispatcher, args: tuple, kwargs: dict):
    """Call ``dispatcher``'s twin with ``args``; if the twin raises one of
    :data:`_FALL_BACK_ON` (where the compiled kernel returns inf or NaN, or reads out
    of bounds), put the arguments back and call the compiled kernel instead (which
    compiles it). Raises :class:`TwinUnavailable` (before calling anything) when there
    is no twin."""
    twin = _lookup_twin(dispatcher)
    saved = _snapshot(tuple(args) + tuple(kwargs.values()))
    try:
        with np.errstate(all="ignore"):
            return twin(*args, **kwargs)
    except _FALL_BACK_ON:
        _restore(tuple(args) + tuple(kwargs.values()), saved)
    return _compiled_call(dispatcher, args, kwargs)


def _compiled_call(dispatcher, args, kwargs):
    """numba's own call of ``dispatcher`` (compiling it if need be), whatever Python
    ``__call__`` its class has for now (``_jit._PythonTier``)."""
    from numba._dispatcher import Dispatcher

    return Dispatcher.__call__(dispatcher, *args, **kwargs)


def _standard_normal(bit_generator):
    """numba's ``random_standard_normal(bit_generator)``: NumPy's ziggurat draw of a
    ``Generator`` on the same bit generator (numba ports NumPy's)."""
    return np.random.Generator(bit_generator).standard_normal()


def _equivalents() -> dict:
    from numba.np.random.distributions import random_standard_normal

    return {id(random_standard_normal): _standard_normal}


def _unusable() -> tuple:
    """The types of numba-only functions a twin cannot call (LLVM intrinsics)."""
    try:
        from numba.core.extending import _Intrinsic
    except ImportError:  # (another numba: its intrinsics then fail when called)
        return ()
    return (_Intrinsic,)


_EQUIVALENTS = _equivalents()
_UNUSABLE = _unusable()
