"""Event location: the altitude-crossing epoch found by the propagator matches an
independent bisection on the same dense output to 1 ms."""

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim.constants import EARTH
from qingzhou_sim.propagator import Propagator, altitude_event
from qingzhou_sim.state import State

MS = 1e-3  # s
EPOCH = Time("2026-05-01T00:00:00", scale="utc")


def _bisect(f, a, b, tol=1e-6):
    fa = f(a)
    while b - a > tol:
        m = 0.5 * (a + b)
        fm = f(m)
        if np.sign(fm) == np.sign(fa):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def test_altitude_crossing_matches_bisection_on_dense_output():
    state = State.from_altitudes(
        EPOCH, perigee_altitude=200 * u.km, apogee_altitude=380 * u.km, inc=41.47 * u.deg
    )
    h = 300.0  # km
    traj = Propagator().propagate(state, 3 * u.h, events=[altitude_event(h * u.km)])
    crossings = [e for e in traj.events if e.name.startswith("altitude")]
    assert len(crossings) >= 4  # twice per revolution, ~2 revolutions
    # Coarse sign scan on a 10 s grid, refined by bisection on the dense output.
    t = np.arange(0.0, 3 * 3600.0, 10.0)
    g = np.linalg.norm(traj.rv_at(t)[:, :3], axis=1) - EARTH.radius_km - h
    idx = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))

    def f(x):
        return np.linalg.norm(traj.rv_at(x)[0, :3]) - EARTH.radius_km - h

    roots = np.array([_bisect(f, t[i], t[i + 1]) for i in idx])
    found = np.array([(e.epoch - EPOCH).to_value(u.s) for e in crossings])
    assert found.shape == roots.shape
    np.testing.assert_allclose(found, roots, atol=1 * MS)
