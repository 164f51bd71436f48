"""The state-transition matrix and burn sensitivities of the variational equations
integrated with the trajectory (``propagator._variational``, Montenbruck & Gill 2000,
sec. 7.1-7.2) against central finite differences of an integrator nobody here wrote
(scipy's ``solve_ivp`` DOP853 at tight tolerance, on the force model's right-hand side),
and, with J2 and drag off, against the closed-form two-body STM (Battin 1999, sec. 9.7;
``phasing._kernels._kepler_stm``, itself checked against boinor in
``test_phasing_stm_vs_fd.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time
from scipy.integrate import solve_ivp

from qingzhou_sim.forces import (
    Drag,
    ForceModel,
    HarrisPriester,
    PointMass,
    ThirdBody,
    ZonalGravity,
)
from qingzhou_sim.forces._kernels import _rhs
from qingzhou_sim.phasing._kernels import _kepler_stm
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.propagator._variational import _dop853_sens_run

MU = 398600.4418  # km^3/s^2
EPOCH = Time("2026-12-01T04:00:00", scale="utc")
# Central-difference steps: 100 m in position, 10 cm/s in velocity (truncation error
# ~ (step / scale)^2 ~ 1e-10 for these near-linear maps). scipy's DOP853 at rtol = atol
# = 1e-13 keeps each end state to ~1e-9 km, ~1e-8 of an entry after the division.
H_R_KM, H_V_KM_S = 1e-1, 1e-4
SCIPY_TOL = 1e-13
# Agreement, relative to the largest entry of each column. Smooth force models: 1e-7
# (1e-7 of a 10 m/s Newton step is 1 um/s). With drag: 2e-5, since the atmospheres
# are piecewise exponential in height, their density gradient jumps at the band edges
# (200, 250, 300, 350 km here), and the finite differences of any adaptive integrator
# then carry noise that grows as the step shrinks (1e-4 at 1 m / 1 mm/s steps, 3e-6 to
# 2e-5 at these); still 0.2 mm/s of a 10 m/s step against the targeting goal of 2 mm/s.
# (Leaving the drag partials out would be ~1e-4: the density gradient alone is ~1e-4
# of the gravity gradient at these heights; tests/test_propagator_variational.py
# checks them directly.)
SMOOTH_REL_TOL = 1e-7
DRAG_REL_TOL = 2e-5

# 200 x 380 km Qingzhou insertion orbit at 41.5 deg (perigee on the x axis)
RV0 = np.array([6578.137, 0.0, 0.0, 0.0, 5.85, 5.16])
T_END = 2.0 * 3600.0
IMP_T = np.array([900.0, 3000.0, 6500.0])
IMP_DV = np.array([[0.0, 0.012, 0.004], [0.002, -0.006, 0.0], [0.0, 0.003, -0.002]])


def _scipy_end(p, y0, imp_t, imp_dv, t_end):
    """The state at t_end through the impulses (coasts integrated by scipy DOP853)."""
    y, t = np.array(y0, float), 0.0
    for tb, dv in [*zip(imp_t, imp_dv), (t_end, None)]:
        if tb > t:
            sol = solve_ivp(
                lambda tt, yy: _rhs(tt, yy, p), (t, tb), y, method="DOP853",
                rtol=SCIPY_TOL, atol=SCIPY_TOL,
            )  # fmt: skip
            y, t = sol.y[:, -1].copy(), tb
        if dv is not None:
            y[3:] += dv
    return y


def _central(p, imp_t, imp_dv, t_end):
    """[d y_end / d y0, d y_end / d dv_i ...] (6, 6 + 3k) by central differences."""
    cols = []
    for j in range(6 + 3 * len(imp_t)):
        h = H_R_KM if j < 3 else H_V_KM_S
        ends = []
        for sign in (1.0, -1.0):
            y0, dv = RV0.copy(), np.array(imp_dv, float).copy()
            if j < 6:
                y0[j] += sign * h
            else:
                dv[(j - 6) // 3, (j - 6) % 3] += sign * h
            ends.append(_scipy_end(p, y0, imp_t, dv, t_end))
        cols.append((ends[0] - ends[1]) / (2 * h))
    return np.array(cols).T


def _sens(prop, p, imp_t, imp_dv, t_end):
    tol = (float(prop.rtol), float(prop.atol), int(prop.max_steps), prop._stop_radius)
    y, st, t, s = _dop853_sens_run(
        0.0, RV0, t_end, np.asarray(imp_t, float), np.asarray(imp_dv, float).reshape(-1, 3),
        p.copy(), *tol, True,
    )  # fmt: skip
    assert st == 0 and t == t_end
    return y, s


def _rel_err(a, b):
    return float(np.max(np.abs(a - b) / np.max(np.abs(b), axis=0)))


@pytest.mark.parametrize(
    ("force_model", "tol"),
    [
        # J2-J4 + drag (exponential atmosphere), the phasing model
        (ForceModel.default(), DRAG_REL_TOL),
        # J2-J4 about the true pole, the Sun and the Moon
        (ForceModel(drag=None, third_bodies=(ThirdBody("sun"), ThirdBody("moon"))), SMOOTH_REL_TOL),
        # J2 about the GCRS z axis
        (ForceModel(gravity=ZonalGravity(max_degree=2), drag=None, pole="gcrs-z"), SMOOTH_REL_TOL),
        # Harris-Priester drag with its bulge
        (ForceModel(drag=Drag(atmosphere=HarrisPriester())), DRAG_REL_TOL),
    ],
    ids=["J2-J4+drag", "J2-J4+sun+moon", "J2-z", "harris-priester"],
)
def test_sensitivities_match_central_differences_of_scipy_dop853(force_model, tol):
    prop = Propagator(force_model, rtol=1e-12, atol=1e-12)
    p = prop._params(EPOCH)
    _, s = _sens(prop, p, IMP_T, IMP_DV, T_END)
    fd = _central(p, IMP_T, IMP_DV, T_END)
    assert _rel_err(s, fd) < tol


def test_two_body_stm_is_the_closed_form():
    # Point mass only: Battin's closed-form STM of the same arc (no impulses)
    prop = Propagator(ForceModel(gravity=PointMass(), drag=None), rtol=1e-13, atol=1e-13)
    p = prop._params(EPOCH)
    _, s = _sens(prop, p, np.zeros(0), np.zeros((0, 3)), T_END)
    _, _, stm = _kepler_stm(MU, RV0[:3].copy(), RV0[3:].copy(), T_END)
    assert _rel_err(s, stm) < SMOOTH_REL_TOL
