"""The translation filter's nonlinear mean propagation against two independently
integrated two-body orbits (scipy's DOP853), converted to the station's LVLH frame here
(Fehse 2003, sec. 3.1: x V-bar, y = -orbit normal, z toward the Earth)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from qingzhou_sim.docking import navigation as nav
from qingzhou_sim.docking import sensors as sen

MU = 398600.4418  # km^3/s^2
R_ST = 6378.137 + 390.0  # km, circular station orbit
N_ST = np.sqrt(MU / R_ST**3)
M = 1e-3  # km
DT = 1200.0  # s, one long prediction (the loop's steps are 1-60 s)


def _station(t):
    th = N_ST * t
    r = R_ST * np.array([np.cos(th), np.sin(th), 0.0])
    v = R_ST * N_ST * np.array([-np.sin(th), np.cos(th), 0.0])
    return r, v


def _basis(r):
    z = -r / np.linalg.norm(r)
    y = np.array([0.0, 0.0, -1.0])  # -angular momentum (orbit in the inertial xy plane)
    return np.array([np.cross(y, z), y, z])  # rows: LVLH axes in inertial


def _to_inertial(rel, t):
    r, v = _station(t)
    b = _basis(r)
    w = np.array([0.0, 0.0, N_ST])
    dr = b.T @ rel[:3]
    return r + dr, v + b.T @ rel[3:] + np.cross(w, dr)


def _to_lvlh(rc, vc, t):
    r, v = _station(t)
    b = _basis(r)
    dr = rc - r
    dv = vc - v - np.cross([0.0, 0.0, N_ST], dr)
    return np.concatenate([b @ dr, b @ dv])


def _two_body(t, y):
    return np.concatenate([y[3:], -MU * y[:3] / np.linalg.norm(y[:3]) ** 3])


@pytest.mark.parametrize(
    "rel0",
    [
        np.array([-30.0, 0.0, 0.0, 0.0, 0.0, 0.0]),  # V-bar, 30 km behind
        np.array([-50.0, 0.8, 2.0, 2e-3, -5e-4, 1e-3]),  # far, out of plane, moving
    ],
)
def test_nonlinear_mean_matches_two_body_truth(rel0):
    rc, vc = _to_inertial(rel0, 0.0)
    sol = solve_ivp(
        _two_body, (0.0, DT), np.concatenate([rc, vc]), method="DOP853", rtol=1e-12, atol=1e-12
    )
    truth = _to_lvlh(sol.y[:3, -1], sol.y[3:, -1], DT)
    sp = sen.SensorSuite().params()
    cfg = nav.FilterConfig()
    fp_nl = cfg.params(
        sp, dv_magnitude_sigma=0.0, dv_pointing_sigma_deg=0.0, reference_radius_km=R_ST
    )
    fp_cw = cfg.params(sp, dv_magnitude_sigma=0.0, dv_pointing_sigma_deg=0.0)
    q, w0, p0 = np.array([1.0, 0, 0, 0]), np.zeros(3), np.eye(nav.N_ERR) * 1e-6
    x_nl = nav.predict_navigation(rel0, q, w0, p0, w0, w0, DT, N_ST, w0, fp_nl)[0]
    x_cw = nav.predict_navigation(rel0, q, w0, p0, w0, w0, DT, N_ST, w0, fp_cw)[0]
    err_nl = np.linalg.norm(x_nl[:3] - truth[:3])
    err_cw = np.linalg.norm(x_cw[:3] - truth[:3])
    print(f"after {DT:.0f} s: nonlinear {err_nl * 1e3:.2e} m, CW {err_cw * 1e3:.1f} m")
    # RK4 at 10 s steps: truncation ~(n h)^5 -> far below a millimetre
    assert err_nl < 1e-3 * M
    assert err_cw > 1000 * err_nl  # the linear model's error is what the option removes
