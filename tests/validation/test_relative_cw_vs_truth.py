"""Clohessy-Wiltshire against the nonlinear truth (two propagations, J2-J4 + drag).

Target: Tiangong-like 390 km circular orbit, i = 41.5 deg (mission-facts.md sec. 1),
RAAN 30 deg, argument of latitude 20 deg, 2026-06-01T00:00Z. Chaser placed in the
target's LVLH with zero rotating-frame velocity; truth from
:func:`qingzhou_sim.relative.relative_truth` with the project's Propagator (DOP853,
rtol = atol = 1e-12, ``ForceModel.default()``: J2-J4 + drag of the same spacecraft for
both, so differential drag is zero). Maximum position error of CW over the arc,
measured when this test was written (601 samples over three orbits):

==================  ===================  ====================
initial offset      error after 1 orbit  error after 3 orbits
==================  ===================  ====================
1 km behind         6.9 m                16.8 m
10 km behind        201 m                604 m
1 km below          126 m                971 m
==================  ===================  ====================

Reading: behind on V-bar, the error is the curvature of the orbit (a point on the
straight V-bar line x km behind sits x^2 / (2 R) above the circular orbit, and CW drifts
it at 6 pi z per orbit) plus J2, growing with x^2 and linearly with time. One km below,
the chaser drifts 19 km per orbit and the error is the quadratic term of the
gravity-gradient expansion (~ 0.7 % of the drift). The assertions below pin the order of
magnitude (a factor ~3 either side), not the digits.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.frames import lvlh_to_gcrs
from qingzhou_sim.relative import propagate_relative, relative_truth
from qingzhou_sim.state import State

EPOCH = Time("2026-06-01T00:00:00", scale="utc")
M = 1e-3  # km

# (initial LVLH offset km, (lower, upper) bound of the 1-orbit error, same after 3 orbits), km
CASES = {
    "1 km behind": ([-1.0, 0.0, 0.0], (2 * M, 20 * M), (5 * M, 50 * M)),
    "10 km behind": ([-10.0, 0.0, 0.0], (70 * M, 600 * M), (200 * M, 1800 * M)),
    "1 km below": ([0.0, 0.0, 1.0], (40 * M, 400 * M), (300 * M, 3000 * M)),
}


@pytest.fixture(scope="module")
def target():
    return State.from_elements(
        EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg, raan=30 * u.deg, argp=0 * u.deg, nu=20 * u.deg
    )


@pytest.mark.parametrize("name", list(CASES))
def test_cw_error_against_truth_has_the_documented_order(target, name):
    r0, one, three = CASES[name]
    period = target.period.to_value(u.s)
    t = np.linspace(0.0, 3 * period, 601) * u.s
    chaser = lvlh_to_gcrs(target, r0 * u.km, [0, 0, 0] * u.km / u.s)
    truth = relative_truth(target, chaser, t)
    cw = propagate_relative(r0 * u.km, [0, 0, 0] * u.km / u.s, t, target=target)
    err = np.linalg.norm(truth.r_km - cw.r_km, axis=-1)
    e1, e3 = err[:201].max(), err.max()
    print(f"{name}: CW error {e1 * 1e3:.1f} m after 1 orbit, {e3 * 1e3:.1f} m after 3 orbits")
    assert one[0] < e1 < one[1]
    assert three[0] < e3 < three[1]
    # the truth starts where the chaser was put (frame round trip)
    np.testing.assert_allclose(truth.r_km[0], r0, atol=1e-9)
