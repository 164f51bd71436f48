"""The Runge-Kutta-Nystrom 12(10) pair (method="rkn") against two-body motion.

References: boinor's Farnocchia propagator (an independent Kepler solution) and the
order of the Dormand, El-Mikkawy & Prince (1987) pair, observed with fixed steps.
"""

import astropy.units as u
import numpy as np
import pytest
from test_propagator_vs_kepler import CM, DAY_S, EPOCH, MM
from test_propagator_vs_kepler import ORBITS as STATION_ORBITS

from qingzhou_sim.forces import ForceModel
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

# The station's orbit and the Kinetica-2 insertion ellipse (test_propagator_vs_kepler),
# and a Molniya-like e = 0.7 orbit whose perigee pass forces the step size down 30-fold.
ORBITS = {
    **STATION_ORBITS,
    "e = 0.7": State.from_elements(
        EPOCH, a=26600 * u.km, ecc=0.7 * u.one, inc=63.4 * u.deg, argp=270 * u.deg, nu=30 * u.deg,
    ),
}  # fmt: skip


def _farnocchia(state, t_s):
    from boinor.twobody.propagation import FarnocchiaPropagator

    orbit = state.to_orbit()
    prop = FarnocchiaPropagator()
    return np.array([orbit.propagate(t * u.s, method=prop).r.to_value(u.km) for t in t_s])


@pytest.mark.parametrize(
    "tol, limit_km",
    [(None, 1 * CM), (1e-12, 1 * MM)],  # default tolerances, and tight ones
    ids=["default-tolerances", "rtol-1e-12"],
)
@pytest.mark.parametrize("name", list(ORBITS))
def test_rkn_two_body_matches_boinor_kepler_over_a_day(name, tol, limit_km):
    state = ORBITS[name]
    # 25 outputs: most fall inside steps (a separate step to each).
    t = np.linspace(0.0, DAY_S, 25)
    kw = {} if tol is None else {"rtol": tol, "atol": tol}
    rv = Propagator(ForceModel.two_body(), method="rkn", **kw).propagate_rv(state.rv_km, t)
    err = np.linalg.norm(rv[:, :3] - _farnocchia(state, t), axis=1)
    assert err.max() < limit_km


def test_rkn_pair_has_order_twelve_on_the_kepler_problem():
    # Fixed steps over one revolution of the e = 0.7 orbit: halving the step divides the
    # global error by 2^12 for an order-12 method (Hairer et al. 1993, sec. II.3).
    from qingzhou_sim.forces import _rhs
    from qingzhou_sim.propagator._rkn import _rkn_step

    state = ORBITS["e = 0.7"]
    p = ForceModel.two_body().build()
    period = 2 * np.pi * np.sqrt(26600.0**3 / p[0])
    ref = _farnocchia(state, [period])[0]
    errs = []
    for n in (50, 100):  # above 1 m and below the round-off floor (~1e-10 km)
        y = state.rv_km.astype(float)
        h = period / n
        K, ytmp, ftmp, ynew = np.empty((17, 3)), np.empty(6), np.empty(6), np.empty(6)
        for i in range(n):
            _rkn_step(i * h, y, _rhs(i * h, y, p)[3:], h, p, K, ytmp, ftmp, ynew)
            y = ynew.copy()
        errs.append(np.linalg.norm(y[:3] - ref))  # about 2e-4 and 3e-8 km
    order = np.log2(errs[0] / errs[1])
    assert 11.0 < order < 13.5, (errs, order)
