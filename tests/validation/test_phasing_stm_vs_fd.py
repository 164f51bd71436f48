"""The analytic two-body state-transition matrix of the re-planner (Battin 1999,
sec. 9.7) against central finite differences of two propagators nobody here wrote the
STM for: our universal-variable Kepler propagator and boinor's (Vallado's algorithm, its own
implementation, Newton iterations run to convergence);
and the Jacobian of the arrival state w.r.t. the burns (the STMs chained across the
impulses) against finite differences of the phasing's two-body dynamics."""

from __future__ import annotations

import numpy as np
import pytest
from boinor.core.propagation.vallado import vallado

from qingzhou_sim.phasing._kernels import _impulse_chain_jac, _kepler, _kepler_stm
from qingzhou_sim.phasing.core import _make_dynamics
from qingzhou_sim.phasing.targeting import _fd_jacobian, _stm_jacobian

MU = 398600.4418  # km^3/s^2
# Central-difference steps: 1 m in position, 1 mm/s in velocity (truncation error
# ~ step^2, round-off ~ 1e-16 |r| / step: both below 1e-8 of the entries here).
H_R_KM, H_V_KM_S = 1e-3, 1e-6
# Agreement, relative to the largest entry of each column: a 1e-6 error in the Jacobian
# changes a 10 m/s Newton step by 10 um/s, far below the targeting goal of 2 mm/s.
STM_REL_TOL = 1e-6
# boinor's Newton iterations on the universal Kepler equation (a fixed count, no
# tolerance): the default of its ``ValladoPropagator``.
BOINOR_ITERATIONS = 350

CASES = [
    # (r0 km, v0 km/s, dt s): 200 x 380 km Qingzhou insertion orbit over 4.3 revs,
    # an inclined eccentric LEO, a short coast, and a hyperbola
    (np.array([6578.137, 0.0, 0.0]), np.array([0.0, 5.85, 5.16]), 4.3 * 5300.0),
    (np.array([6800.0, 1200.0, -300.0]), np.array([-1.0, 7.2, 1.5]), 20000.0),
    (np.array([6778.0, 0.0, 0.0]), np.array([0.0, 7.67, 0.0]), 120.0),
    (np.array([7000.0, 0.0, 0.0]), np.array([0.0, 10.9, 0.0]), 3000.0),
]


def _central_stm(propagate, r0, v0, dt):
    x0 = np.concatenate([r0, v0])
    stm = np.empty((6, 6))
    for j in range(6):
        h = H_R_KM if j < 3 else H_V_KM_S
        xp, xm = x0.copy(), x0.copy()
        xp[j] += h
        xm[j] -= h
        rp, vp = propagate(xp[:3], xp[3:], dt)
        rm, vm = propagate(xm[:3], xm[3:], dt)
        stm[:, j] = (np.concatenate([rp, vp]) - np.concatenate([rm, vm])) / (2 * h)
    return stm


def _rel_err(a, b):
    return float(np.max(np.abs(a - b) / np.max(np.abs(b), axis=0)))


@pytest.mark.parametrize(("r0", "v0", "dt"), CASES)
def test_stm_matches_finite_differences_of_our_kepler(r0, v0, dt):
    _, _, stm = _kepler_stm(MU, r0, v0, dt)
    fd = _central_stm(lambda r, v, t: _kepler(MU, r, v, t), r0, v0, dt)
    assert _rel_err(stm, fd) < STM_REL_TOL


@pytest.mark.parametrize(("r0", "v0", "dt"), CASES)
def test_stm_matches_finite_differences_of_boinor(r0, v0, dt):
    _, _, stm = _kepler_stm(MU, r0, v0, dt)

    def boinor_rv(r, v, t):
        f, g, fdot, gdot = vallado(MU, r, v, t, BOINOR_ITERATIONS)
        return f * r + g * v, fdot * r + gdot * v

    fd = _central_stm(boinor_rv, r0, v0, dt)
    assert _rel_err(stm, fd) < STM_REL_TOL


def test_stm_is_symplectic():
    """A Hamiltonian flow's STM is symplectic: Phi^T J Phi = J (Battin 1999, sec. 9.7)."""
    r0, v0, dt = CASES[0]
    _, _, phi = _kepler_stm(MU, r0, v0, dt)
    j = np.block([[np.zeros((3, 3)), np.eye(3)], [-np.eye(3), np.zeros((3, 3))]])
    assert np.max(np.abs(phi.T @ j @ phi - j)) < 1e-8 * np.max(np.abs(phi)) ** 2


def test_burn_jacobian_matches_finite_differences_of_two_body_dynamics():
    """d(arrival state)/d(burn dv) of four burns over 6.5 h: the STM chain against the
    targeting's own forward differences (1 mm/s steps; their truncation error, ~1e-5
    of the entries, sets the tolerance)."""
    dyn = _make_dynamics("two-body")
    rv0 = np.array([6578.137, 0.0, 0.0, 0.0, 5.85, 5.16])
    t_end = 6.5 * 3600.0
    imp_t = np.array([600.0, 5000.0, 12000.0, 20000.0])
    dv = np.array([[0.0, 0.02, 0.01], [0.0, 0.015, -0.01], [0.005, 0.0, 0.0], [0.0, 0.0, 0.01]])
    x = dv.ravel()
    f = dyn.chaser(rv0, np.array([t_end]), imp_t, dv)[0]
    fd = _fd_jacobian(dyn, rv0, t_end, imp_t, x, np.zeros(6), f)
    jac = _stm_jacobian(dyn.mu, rv0, t_end, imp_t, x)
    assert _rel_err(jac, fd) < 1e-4


def test_burn_epoch_partials_match_finite_differences():
    """d(arrival state)/d(burn epoch) = -P_i[:, :3] dv_i (the partial the STM chain
    gives for a burn moved in time) against central differences of 1 s."""
    dyn = _make_dynamics("two-body")
    rv0 = np.array([6578.137, 0.0, 0.0, 0.0, 5.85, 5.16])
    t_end = 6.5 * 3600.0
    imp_t = np.array([600.0, 5000.0, 12000.0])
    dv = np.array([[0.0, 0.02, 0.01], [0.0, 0.015, -0.01], [0.005, 0.0, 0.0]])
    post = dyn.chaser(rv0, imp_t, imp_t, dv)
    p = _impulse_chain_jac(MU, post, np.diff(np.append(imp_t, t_end)))
    for i in range(imp_t.size):
        tp, tm = imp_t.copy(), imp_t.copy()
        tp[i] += 1.0
        tm[i] -= 1.0
        fd = (dyn.chaser(rv0, [t_end], tp, dv)[0] - dyn.chaser(rv0, [t_end], tm, dv)[0]) / 2.0
        analytic = -p[i][:, :3] @ dv[i]
        assert np.max(np.abs(analytic - fd)) < 1e-5 * np.max(np.abs(fd))
