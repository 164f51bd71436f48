"""Finite-burn delta-v loss (maneuvers.to_finite, Robbins 1966) against a numerical
integration of the inertially fixed finite burn in two-body (scipy DOP853)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from scipy.integrate import solve_ivp

from qingzhou_sim.maneuvers import Burn, to_finite

MU = 398600.4418  # km^3/s^2
R = 6378.137 + 390.0  # km, Tiangong-like circular orbit (mission-facts sec. 1)
G0 = 9.80665e-3  # km/s^2 (CGPM 1901)
LOSS_REL_TOL = 0.05  # the sinc model neglects the orbit's change during the burn


def kepler_circle(t):
    n = np.sqrt(MU / R**3)
    v = np.sqrt(MU / R)
    return np.array(
        [R * np.cos(n * t), R * np.sin(n * t), 0.0, -v * np.sin(n * t), v * np.cos(n * t), 0.0]
    )


@pytest.mark.parametrize(("dv_m_s", "thrust_n"), [(50.0, 200.0), (30.0, 100.0)])
def test_inertially_fixed_burn_loss(dv_m_s, thrust_n):
    mass, isp = 5000.0, 300.0  # kg, s (Qingzhou defaults, vehicles.QINGZHOU)
    b = Burn(Time("2026-12-01T00:00:00", scale="utc"), [dv_m_s, 0, 0] * (u.m / u.s), "LVLH")
    f = to_finite(b, thrust_n * u.N, mass * u.kg, isp * u.s)
    tb = f.duration.to_value(u.s)
    direction = np.array([0.0, 1.0, 0.0])  # velocity direction at the impulsive epoch t = 0

    def rhs(_t, y):
        r, v, m = y[:3], y[3:6], y[6]
        a = -MU * r / np.linalg.norm(r) ** 3 + thrust_n * 1e-3 / m * direction
        return np.concatenate([v, a, [-thrust_n / (isp * G0 * 1e3)]])

    y0 = np.concatenate([kepler_circle(-tb / 2), [mass]])
    sol = solve_ivp(rhs, (-tb / 2, tb / 2), y0, method="DOP853", rtol=1e-12, atol=1e-12)
    y = sol.y[:, -1]
    # final mass is the rocket equation's (same propellant as the impulsive burn)
    assert y[6] == pytest.approx(f.mass_final.to_value(u.kg), rel=1e-9)
    # energy-equivalent impulsive delta-v at t = 0: 1/2 (v + dv)^2 - 1/2 v^2 = dE
    energy = 0.5 * np.dot(y[3:6], y[3:6]) - MU / np.linalg.norm(y[:3])
    e0 = -MU / (2 * R)
    v = np.sqrt(MU / R)
    dv_eq = np.sqrt(v**2 + 2 * (energy - e0)) - v
    loss_integrated = dv_m_s - dv_eq * 1e3
    assert loss_integrated > 0
    assert f.dv_loss.to_value(u.m / u.s) == pytest.approx(loss_integrated, rel=LOSS_REL_TOL)
