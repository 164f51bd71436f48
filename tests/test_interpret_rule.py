"""The rule that lets a first run execute the kernels as Python with the compiled
kernels' results (``qingzhou_sim._interpret``): a compiled kernel uses no reduction,
matrix product or linear-algebra routine, whose NumPy (Python) and numba (compiled)
versions sum in different orders or call different BLAS builds, and so differ in the
last bits without raising. Kernels compiled on a first run anyway
(``_jit._COMPILED_ON_FIRST_RUN``) are exempt."""

import ast
import importlib
import inspect
import textwrap

from numba.core.dispatcher import Dispatcher

from qingzhou_sim import _CALLEE_SOURCES, _jit

# calls whose NumPy and numba versions may round differently (pairwise vs sequential
# sums, BLAS builds, LAPACK)
_UNSAFE_METHODS = {
    "sum",
    "dot",
    "mean",
    "prod",
    "cumsum",
    "cumprod",
    "matmul",
    "einsum",
    "std",
    "var",
}
_UNSAFE_MODULES = {"linalg"}


def _kernels():
    for package, filename in _CALLEE_SOURCES:
        module = importlib.import_module(f"qingzhou_sim.{package}.{filename[:-3]}")
        seen = set()
        for value in vars(module).values():
            if isinstance(value, Dispatcher) and id(value.py_func) not in seen:
                seen.add(id(value.py_func))
                func = value.py_func
                if func.__module__ == module.__name__:
                    yield f"{func.__module__}.{func.__qualname__}", func


def _unsafe(func) -> list[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append(f"line {node.lineno}: @")
        elif isinstance(node, ast.Attribute) and node.attr in _UNSAFE_MODULES:
            found.append(f"line {node.lineno}: {node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _UNSAFE_METHODS:
                found.append(f"line {node.lineno}: {node.func.attr}()")
    return found


def test_compiled_kernels_keep_to_what_runs_the_same_as_python():
    offenders = {
        name: found
        for name, func in _kernels()
        if name not in _jit._COMPILED_ON_FIRST_RUN and (found := _unsafe(func))
    }
    assert not offenders, f"kernels a first run executes as Python use {offenders}"


def test_the_scan_finds_what_it_looks_for():
    def uses_them(a, b):
        return a @ b + a.sum() + np.linalg.norm(a)  # noqa: F821

    assert len(_unsafe(uses_them)) == 3
    assert sum(1 for _ in _kernels()) > 100
