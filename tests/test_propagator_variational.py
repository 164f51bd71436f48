"""The variational DOP853 run (``propagator._variational``): its state is the plain
driver's to the bit, and the acceleration partials are the derivatives of the force
kernel (central differences of ``forces._rhs``)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.forces import Drag, ForceModel, HarrisPriester, ThirdBody
from qingzhou_sim.forces._kernels import _rhs
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.propagator._kernels import _propagate_rv_dop853
from qingzhou_sim.propagator._variational import _accel_partials, _dop853_sens_run

EPOCH = Time("2026-12-01T04:00:00", scale="utc")
RV0 = np.array([6578.137, 0.0, 0.0, 0.0, 5.85, 5.16])  # 200 x 380 km, 41.5 deg
# Central-difference steps for the partials: 100 m, 10 cm/s (truncation ~1e-9 relative)
H_R_KM, H_V_KM_S = 1e-1, 1e-4
# Partials against central differences, relative to the largest entry: the differences
# of a force sum whose drag part is ~1e-3 of J2's carry ~1e-6 of round-off; the drag
# density is scaled up 100-fold so that its partials stand above that.
PARTIALS_REL_TOL = 1e-5


def _tol(prop):
    return float(prop.rtol), float(prop.atol), int(prop.max_steps), prop._stop_radius


@pytest.mark.parametrize(
    ("imp_t", "imp_dv"),
    [
        (np.zeros(0), np.zeros((0, 3))),
        # an impulse at t = 0, two at one epoch, one at the end
        (
            np.array([0.0, 1500.0, 1500.0, 5000.0]),
            np.array([[0.0, 0.01, 0.0], [0.001, 0.0, 0.0], [0.0, -0.002, 0.001], [0, 0, 0.003]]),
        ),
    ],
)
def test_state_is_the_plain_driver_bit_for_bit(imp_t, imp_dv):
    prop = Propagator(ForceModel.default())
    p = prop._params(EPOCH)
    y, st, t, s = _dop853_sens_run(0.0, RV0, 5000.0, imp_t, imp_dv, p.copy(), *_tol(prop), True)
    out, k, _, st2 = _propagate_rv_dop853(RV0, np.array([5000.0]), imp_t, imp_dv, p, *_tol(prop))
    assert st == st2 == 0 and k == 1 and t == 5000.0
    assert np.array_equal(y, out[0])
    assert s.shape == (6, 6 + 3 * imp_t.size)
    if imp_t.size:  # the last impulse is at the end: its columns are (0, I)
        np.testing.assert_array_equal(s[:, -3:], np.vstack([np.zeros((3, 3)), np.eye(3)]))


@pytest.mark.parametrize(
    "force_model",
    [
        ForceModel(drag=Drag(density_scale=100.0)),
        ForceModel(drag=Drag(density_scale=100.0, atmosphere=HarrisPriester())),
        ForceModel(drag=None, third_bodies=(ThirdBody("sun"), ThirdBody("moon"))),
    ],
    ids=["exponential", "harris-priester", "sun+moon"],
)
def test_partials_are_the_derivatives_of_the_force_kernel(force_model):
    p = Propagator(force_model)._params(EPOCH)
    rng = np.random.default_rng(7)
    for _ in range(20):
        r = 6378.137 + rng.uniform(190.0, 390.0)
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        v = rng.normal(size=3)
        v -= v.dot(u) * u
        y = np.concatenate([r * u, 7.7 * v / np.linalg.norm(v)])
        g, d = np.empty((3, 3)), np.empty((3, 3))
        _accel_partials(60.0, y, p, g, d)
        fd = np.empty((3, 6))
        for j in range(6):
            h = H_R_KM if j < 3 else H_V_KM_S
            e = np.zeros(6)
            e[j] = h
            fd[:, j] = (_rhs(60.0, y + e, p)[3:] - _rhs(60.0, y - e, p)[3:]) / (2 * h)
        np.testing.assert_allclose(
            g, fd[:, :3], rtol=0, atol=PARTIALS_REL_TOL * abs(fd[:, :3]).max()
        )
        np.testing.assert_allclose(
            d, fd[:, 3:], rtol=0, atol=PARTIALS_REL_TOL * abs(fd[:, 3:]).max()
        )
