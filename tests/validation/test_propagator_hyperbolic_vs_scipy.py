"""Analytic Kepler method on hyperbolic escapes vs SciPy's DOP853 on Newton's equation.

The universal-variable solver used to return NaN for escapes longer than a few hours
(Newton diverged from the elliptic starting value); Vallado (2013), Algorithm 8 gives the
hyperbolic starting value. Reference: ``scipy.integrate.solve_ivp`` on r'' = -mu r / r^3,
written here independently of the library.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from qingzhou_sim.constants import EARTH
from qingzhou_sim.propagator import Propagator

MU = EARTH.mu_km3_s2
M = 1e-3  # km
# SciPy at rtol = atol = 1e-12 over 10 days and 4e7 km: its own error is ~1e-5 km.
TOL = 10 * M


def _newton(t, y):
    r = y[:3]
    return np.concatenate([y[3:], -MU * r / np.linalg.norm(r) ** 3])


@pytest.mark.parametrize("v_km_s", [11.0, 13.0, 50.0])
@pytest.mark.parametrize("dt_s", [600.0, 86400.0, 864000.0, -86400.0])
def test_hyperbolic_escape_matches_numerical_integration(v_km_s, dt_s):
    y0 = np.array([6778.0, 0.0, 0.0, 0.0, v_km_s, 1.0])
    kep = Propagator(method="kepler").propagate_rv(y0, [dt_s])[0]
    ref = solve_ivp(_newton, (0, dt_s), y0, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    np.testing.assert_allclose(kep[:3], ref[:3], atol=TOL)
    np.testing.assert_allclose(kep[3:], ref[3:], atol=TOL / 1e4)
