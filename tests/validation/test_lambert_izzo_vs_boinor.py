"""The compiled Izzo (2015) Lambert solver of ``phasing.lambert`` against boinor's
``boinor.core.iod.izzo`` (the implementation it replaced, written elsewhere) on random
LEO geometries: the same feasibility of every (revolutions, branch) and the same
velocities; every arc found reaches r2 in the time of flight (universal-variable Kepler
propagation)."""

from __future__ import annotations

import numpy as np
import pytest
from boinor.core.iod import izzo as boinor_izzo

from qingzhou_sim.phasing._kernels import _kepler
from qingzhou_sim.phasing.lambert import _IZZO_ARGS, _izzo

MU = 398600.4418  # km^3/s^2 (EGM-96)
UM_S = 1e-9  # km/s: 1 micrometre per second
MM = 1e-6  # km


def _cases(n=300, seed=16):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        r1, r2 = rng.normal(size=(2, 3))
        r1 *= (6500.0 + rng.uniform(0.0, 800.0)) / np.linalg.norm(r1)
        r2 *= (6500.0 + rng.uniform(0.0, 800.0)) / np.linalg.norm(r2)
        yield r1, r2, rng.uniform(300.0, 40000.0), int(rng.integers(0, 5)), bool(rng.integers(2))


@pytest.mark.parametrize("chunk", range(3))
def test_same_arcs_as_boinor(chunk):
    prograde, numiter, rtol = _IZZO_ARGS
    solved = 0
    for i, (r1, r2, tof, m, low) in enumerate(_cases()):
        if i % 3 != chunk:
            continue
        try:
            expected = boinor_izzo(MU, r1, r2, tof, m, prograde, low, numiter, rtol)
        except (ValueError, RuntimeError, AssertionError, ZeroDivisionError):
            expected = None  # boinor finds no such arc
        got = _izzo(MU, r1, r2, tof, m, low)
        assert (got is None) == (expected is None), (r1, r2, tof, m, low)
        if got is None:
            continue
        solved += 1
        np.testing.assert_allclose(got[0], expected[0], rtol=0, atol=UM_S)
        np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=UM_S)
        r_end, v_end = _kepler(MU, r1, got[0], tof)
        np.testing.assert_allclose(r_end, r2, rtol=0, atol=1 * MM * max(1, m))
    assert solved > 30  # the geometries exercise the solver, not only its refusals


def test_collinear_and_degenerate_inputs_have_no_arc():
    r1 = np.array([7000.0, 0.0, 0.0])
    assert _izzo(MU, r1, 2 * r1, 3000.0, 0, True) is None  # collinear: no plane
    assert _izzo(MU, r1, np.array([0.0, 7000.0, 0.0]), -5.0, 0, True) is None  # tof < 0
    # more revolutions than the time of flight allows (boinor raises the same)
    assert _izzo(MU, r1, np.array([0.0, 7000.0, 0.0]), 3000.0, 3, True) is None
