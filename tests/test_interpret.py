"""Kernels run as Python with numba's arithmetic (qingzhou_sim._interpret): the first
run's tier. The reference is numba's compiled code, computed in the test."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from numba.np.random.distributions import random_standard_normal

from qingzhou_sim import _interpret
from qingzhou_sim.phasing import _kernels as phasing_kernels


@njit(cache=False, error_model="numpy")  # (the package's kernels' error model)
def _pow_var(x, n):
    return x**n


@njit(cache=False, error_model="numpy")
def _pow_literals(x):
    return x**3, x**4, x**5, x**-3, x**2


def _bits(x) -> int:
    return int(np.float64(x).view(np.int64))


finite = st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(finite, st.integers(min_value=-9, max_value=9))
def test_integer_powers_are_numbas_products(x, n):
    try:
        expected = _pow_var(x, n)
    except ZeroDivisionError:  # numba raises too for 0.0 ** -n
        with pytest.raises(ZeroDivisionError):
            _interpret._numba_pow(x, n)
        return
    with np.errstate(all="ignore"):  # (as call_as_python runs twins)
        try:
            got = _interpret._numba_pow(x, n)
        except ZeroDivisionError:  # numba's 1/0 is inf; Python raises (the twin's
            assert math.isinf(expected)  # caller then runs the compiled kernel)
            return
        assert _bits(got) == _bits(expected)
        assert _bits(_interpret._numba_pow(np.float64(x), np.int64(n))) == _bits(expected)


@settings(max_examples=200, deadline=None)
@given(finite)
def test_literal_powers_are_numbas_products(x):
    try:
        expected = _pow_literals(x)
    except ZeroDivisionError:  # x**3 is 0.0: numba raises for its inverse, as Python
        with pytest.raises(ZeroDivisionError):
            _interpret._numba_pow(np.float64(x), -3)
        return
    with np.errstate(all="ignore"):
        got = tuple(_interpret._numba_pow(np.float64(x), n) for n in (3, 4, 5, -3, 2))
    assert [_bits(v) for v in got] == [_bits(v) for v in expected]


def test_float_exponents_are_pythons():
    assert _interpret._numba_pow(2.0, 0.5) == 2.0**0.5
    assert _interpret._numba_pow(3, 2) == 9 and isinstance(_interpret._numba_pow(3, 2), int)


def test_a_kernel_with_powers_gives_the_compiled_bits():
    """Universal-variable Kepler (``chi**3``) and its closed-form STM (``r**3``, ...),
    compiled and as Python, on 200 random elliptic and hyperbolic arcs."""
    rng = np.random.default_rng(7)
    mu = 398600.4418
    kepler, stm = phasing_kernels._kepler, phasing_kernels._kepler_stm
    for _ in range(200):
        r0 = rng.normal(size=3)
        r0 *= rng.uniform(6500.0, 42000.0) / np.linalg.norm(r0)
        v0 = rng.normal(size=3)
        v0 *= rng.uniform(0.5, 1.5) * math.sqrt(2.0 * mu / np.linalg.norm(r0)) / np.linalg.norm(v0)
        dt = rng.uniform(-6000.0, 6000.0)
        for kernel in (kepler, stm):
            compiled = kernel(mu, r0, v0, dt)
            python = _interpret.call_as_python(kernel, (mu, r0, v0, dt), {})
            assert all(np.array_equal(a, b) for a, b in zip(compiled, python))


@njit(cache=False, error_model="numpy")
def _fill_then_divide(out, bg, x):
    out[0] = 1.0
    out[1] = random_standard_normal(bg)
    out[2] = 1.0 / x


def test_a_twin_that_raises_falls_back_to_the_compiled_kernel():
    """numba (error model "numpy") returns inf where Python raises: the arguments are
    put back (the array, the bit generator's state) and the compiled kernel runs."""
    out = np.zeros(3)
    gen = np.random.default_rng(3)
    state = gen.bit_generator.state
    got = _interpret.call_as_python(_fill_then_divide, (out, gen.bit_generator, 0.0), {})
    assert got is None and out[0] == 1.0 and math.isinf(out[2])
    # the twin's changes were undone before the compiled run: the array held zeros
    # and the generator its state, so nothing was drawn twice
    assert gen.bit_generator.state != state
    fresh = np.zeros(3)
    _fill_then_divide(fresh, np.random.default_rng(3).bit_generator, 0.0)
    assert np.array_equal(out, fresh)


def test_standard_normal_draws_are_numbas():
    @njit(cache=False)
    def draws(bg, n):
        out = np.empty(n)
        for i in range(n):
            out[i] = random_standard_normal(bg)
        return out

    compiled = draws(np.random.default_rng(11).bit_generator, 1000)
    bg = np.random.default_rng(11).bit_generator
    python = np.array([_interpret._standard_normal(bg) for _ in range(1000)])
    assert np.array_equal(compiled, python)


def test_a_kernel_using_an_intrinsic_has_no_twin():
    from qingzhou_sim.phasing import lambert

    with pytest.raises(_interpret.TwinUnavailable):
        _interpret.python_twin(lambert._norm3)  # (LLVM fma)


def test_an_argument_that_cannot_be_restored_is_refused():
    with pytest.raises(_interpret.TwinUnavailable):
        _interpret.call_as_python(phasing_kernels._kepler, (398600.0, [1.0], {}, 1.0), {})
