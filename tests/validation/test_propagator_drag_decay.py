"""Drag: decay of a 390 km circular orbit against the analytic estimate, and re-entry.

Analytic estimate for a circular orbit (King-Hele 1987, *Satellite Orbits in an
Atmosphere*, ch. 3, and the decay-rate check of mission-facts.md
sec. 7): da/dt = -rho sqrt(mu a) cd A / m, multiplied by King-Hele's factor
F = (1 - r omega cos(i) / v)^2 for the co-rotating atmosphere (the velocity relative to
the air is smaller than the inertial velocity), with rho the orbit average of the same
density model at the same (ellipsoidal) height.
"""

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim.constants import EARTH
from qingzhou_sim.forces import Drag, ExponentialAtmosphere, ForceModel, PointMass, density_kg_m3
from qingzhou_sim.propagator import Propagator, propagate_batch
from qingzhou_sim.state import State, StateBatch

REL = 0.05  # 5 %, issue 3
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
DRAG = Drag(cd=2.2, area_m2=8.55, mass_kg=5000.0, atmosphere=ExponentialAtmosphere())


def _semi_major_axis(rv):
    r = np.linalg.norm(rv[..., :3], axis=-1)
    v2 = np.sum(rv[..., 3:] ** 2, axis=-1)
    return 1.0 / (2.0 / r - v2 / EARTH.mu_km3_s2)


def test_decay_of_390_km_circular_orbit_over_a_day():
    inc = np.deg2rad(41.47)
    state = State.from_elements(EPOCH, a=(EARTH.radius_km + 390) * u.km, inc=inc * u.rad)
    # Point-mass gravity + drag: the osculating a then changes by drag only.
    fm = ForceModel(gravity=PointMass(), drag=DRAG)
    traj = Propagator(fm).propagate(state, 1 * u.day)
    a = _semi_major_axis(traj.rv_km)
    decay_km = a[-1] - a[0]

    # Orbit-averaged density of the same model at the ellipsoidal height used by the
    # drag kernel, h = |r| - R (1 - f sin^2(lat)).
    a0 = a[0]
    u_arg = np.linspace(0, 2 * np.pi, 721)[:-1]
    sin_lat = np.sin(inc) * np.sin(u_arg)
    h = a0 - EARTH.radius_km * (1 - EARTH.flattening * sin_lat**2)
    rho = density_kg_m3(ExponentialAtmosphere(), h).mean()
    v = np.sqrt(EARTH.mu_km3_s2 / a0)
    king_hele = (1 - a0 * EARTH.omega_rad_s * np.cos(inc) / v) ** 2
    cda_m = DRAG.cd * DRAG.area_m2 / DRAG.mass_kg * 1e3  # km^-1 per kg/m^3
    dadt = -rho * np.sqrt(EARTH.mu_km3_s2 * a0) * cda_m * king_hele  # km/s
    expected_km = dadt * 86400.0

    assert decay_km < 0
    np.testing.assert_allclose(decay_km, expected_km, rtol=REL)


def test_state_below_100_km_ends_with_reentry_event():
    state = State.from_elements(EPOCH, a=(EARTH.radius_km + 95) * u.km, inc=41.47 * u.deg)
    traj = Propagator().propagate(state, 1 * u.h)
    assert traj.status == "reentry"
    assert [e.name for e in traj.events] == ["reentry"]
    assert traj.events[0].terminal
    assert np.all(np.isfinite(traj.rv_km))


def test_decaying_orbit_reenters_cleanly():
    # 200 x 130 km: drag brings the perigee below 100 km within hours.
    state = State.from_altitudes(
        EPOCH, perigee_altitude=130 * u.km, apogee_altitude=200 * u.km, inc=41.47 * u.deg
    )
    traj = Propagator().propagate(state, 2 * u.day)
    assert traj.status == "reentry"
    assert "re-entry" in traj.message
    ev = traj.events[-1]
    assert ev.name == "reentry" and ev.terminal
    assert abs(float(ev.state.altitude.to_value(u.km)) - 100.0) < 1e-6  # located on the crossing
    assert np.all(np.isfinite(traj.rv_km))
    assert traj.end < EPOCH + 2 * u.day
    # The batch path stops the same sample at the same epoch.
    batch = propagate_batch(StateBatch.from_states([state]), 2 * u.day, rtol=1e-10, atol=1e-10)
    assert abs((batch.epochs[0] - ev.epoch).to_value(u.s)) < 1e-3
