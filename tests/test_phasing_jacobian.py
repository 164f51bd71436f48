"""The full-force differential correction with the analytic Jacobians (the variational
equations integrated with the trajectory, the two-body STM for quasi-Newton steps)
converges to plans at least as good as with the finite-difference Jacobian, on
dispersed insertions."""

from __future__ import annotations

import numpy as np
import pytest

from qingzhou_sim.phasing import targeting
from qingzhou_sim.phasing.core import _make_dynamics

# The minimum-delta-v steps stop at gains below 0.1 mm/s (targeting._min_dv): the two
# plans' totals may differ by that much either way, and no more. (Their burns may lie
# millimetres per second apart along the nearly flat valley of equally cheap ways to
# split the transfer: 6.5 mm/s in the second case, at totals 0.01 mm/s apart.)
TOTAL_TOL_KM_S = 1e-7

RV0 = np.array([6578.137, 0.0, 0.0, 0.0, 5.85, 5.16])  # 200 x 380 km, 41.5 deg
T_END = 6.5 * 3600.0
IMP_T = np.array([1200.0, 6000.0, 13000.0, 20000.0])
DV_NOMINAL = np.array(
    [[0.0, 0.012, 0.006], [0.0, 0.01, -0.004], [0.003, 0.004, 0.0], [0.0, 0.002, 0.003]]
)


@pytest.fixture(scope="module")
def problem():
    dyn = _make_dynamics(None)  # J2-J4 + drag
    target = dyn.chaser(RV0, np.array([T_END]), IMP_T, DV_NOMINAL)[0]
    return dyn, target


def _correct(dyn, rv0, target, analytic):
    saved = targeting._ANALYTIC[0]
    targeting._ANALYTIC[0] = analytic
    try:
        return targeting._correct(dyn, rv0, T_END, IMP_T, DV_NOMINAL, target)
    finally:
        targeting._ANALYTIC[0] = saved


# A burn below this (km/s) is a vanishing one, at the kink of |dv| (its first-order
# condition is an inequality on the primer magnitude): held fixed in the residual below.
VANISHING_KM_S = 1e-6


def _optimality_residual(dyn, rv0, dv):
    """|P g|: the gradient g of sum |dv_i| over the burns that do not vanish, projected
    on the null space of their columns of the arrival Jacobian J (the force model's,
    from the variational equations): zero at a constrained optimum (first-order
    conditions; Nocedal & Wright 2006, eq. 12.34)."""
    jac = targeting._variational_jacobian(dyn, rv0, T_END, IMP_T, dv.ravel())
    keep = np.repeat(np.linalg.norm(dv, axis=1) > VANISHING_KM_S, 3)
    g = (dv / np.linalg.norm(dv, axis=1)[:, None]).ravel()[keep]
    j = jac[:, keep]
    proj = np.eye(g.size) - j.T @ np.linalg.solve(j @ j.T, j)
    return float(np.linalg.norm(proj @ g))


@pytest.mark.parametrize(
    "dispersion",
    [  # insertion errors (km, km/s): 1 km / 1 m/s class, as a campaign draws them
        np.array([1.0, -0.5, 0.3, 0.0, 1e-3, -5e-4]),
        np.array([-0.8, 1.2, 0.0, -5e-4, 0.0, 8e-4]),
        np.array([0.2, 0.0, -1.0, 1e-3, -1e-3, 0.0]),
    ],
)
def test_analytic_jacobian_plan_is_at_least_as_good_as_the_finite_difference_one(
    problem, dispersion
):
    dyn, target = problem
    rv0 = RV0 + dispersion
    dv_fd, rep_fd, _ = _correct(dyn, rv0, target, analytic=False)
    dv_an, rep_an, _ = _correct(dyn, rv0, target, analytic=True)
    assert rep_fd.converged and rep_an.converged
    tot = [np.sum(np.linalg.norm(d, axis=1)) for d in (dv_an, dv_fd)]
    assert abs(tot[0] - tot[1]) < TOTAL_TOL_KM_S
    # the exact Jacobian's plan is no further from the first-order conditions
    assert _optimality_residual(dyn, rv0, dv_an) <= _optimality_residual(dyn, rv0, dv_fd)


@pytest.mark.parametrize("case", range(6))
def test_arrival_chain_is_the_three_calls_it_replaces(case):
    """_arrival_chain (the SQP's arrival state and STM chain in one pass over the arcs)
    gives, bit for bit, what _kepler_rv through the impulses, _impulse_chain_jac on its
    states and _kepler of the last arc give: impulses sharing an epoch, one at t = 0,
    one at the arrival (a zero-length last arc)."""
    from qingzhou_sim.phasing._kernels import (
        _arrival_chain,
        _impulse_chain_jac,
        _kepler,
        _kepler_rv,
    )

    mu = 398600.4418
    rng = np.random.default_rng(case)
    k = 4 + case % 3
    rv0 = np.array([6578.0, 100.0, -50.0, -0.1, 7.4, 2.5]) + rng.normal(size=6) * 1e-2
    imp_t = np.sort(rng.uniform(0.0, 6000.0, k))
    imp_t[2] = imp_t[1]  # two impulses at one epoch
    if case % 2:
        imp_t[0] = 0.0
    t_end = imp_t[-1] if case % 3 == 0 else imp_t[-1] + 900.0
    dv = rng.normal(size=(k, 3)) * 5e-3
    post = _kepler_rv(mu, rv0, imp_t, imp_t, dv)
    seg = np.diff(np.append(imp_t, t_end))
    r, v = _kepler(mu, post[-1, :3].copy(), post[-1, 3:].copy(), seg[-1])
    for with_jac in (True, False):
        rr, vv, chain = _arrival_chain(mu, rv0, t_end, imp_t, dv, with_jac)
        np.testing.assert_array_equal(rr, r)
        np.testing.assert_array_equal(vv, v)
        if with_jac:
            np.testing.assert_array_equal(chain, _impulse_chain_jac(mu, post, seg))
