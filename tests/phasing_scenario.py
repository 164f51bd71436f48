"""The phasing tests' common scenario: a Kinetica-2 insertion and a station on a 390 km
circle at a chosen phase angle ahead (mission-facts.md sec. 1 and 5).

Importable from ``tests/`` and ``tests/validation/`` (pytest puts ``tests/`` on the path
because of ``tests/conftest.py``).
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim.state import State

R_EQ = 6378.137  # km (WGS-84)
T0 = Time("2026-12-01T04:00:00", scale="utc")
# Insertion at perigee (200 x 380 km, i = 41.5 deg, mission-facts.md sec. 5) with the
# argument of latitude 45 deg, where J2's short-period term in the semi-major axis
# (proportional to cos 2u) vanishes, so osculating and mean altitudes agree at the
# start (Kozai 1959).
CHASER = State.from_altitudes(
    T0,
    perigee_altitude=200 * u.km,
    apogee_altitude=380 * u.km,
    inc=41.5 * u.deg,
    raan=120 * u.deg,
    argp=45 * u.deg,
    nu=0 * u.deg,
)


def station_at(phase_deg: float) -> State:
    """Station on the 390 km osculating circle, ``phase_deg`` ahead of the chaser."""
    return State.from_elements(
        T0,
        a=(R_EQ + 390.0) * u.km,
        inc=41.5 * u.deg,
        raan=120 * u.deg,
        nu=(45.0 + phase_deg) * u.deg,
    )


def station_on_j2_orbit(phase) -> State:
    """The reference station state moved ``phase`` (deg, float or Quantity) along its own
    J2-J4 orbit and re-dated to T0: every phase is the same physical orbit (re-creating an
    osculating circle at another argument of latitude would change the mean altitude by
    up to +-4 km, the J2 short-period term, Kozai 1959)."""
    from qingzhou_sim.forces import ForceModel, ZonalGravity
    from qingzhou_sim.propagator import Propagator

    reference = station_at(0.0)
    n = np.sqrt(398600.4418 / (R_EQ + 390.0) ** 3)
    dt = u.Quantity(phase, u.deg).to_value(u.rad) / n
    propagator = Propagator(ForceModel(gravity=ZonalGravity(max_degree=4), drag=None))
    rv = propagator.propagate_rv(reference.rv_km, np.array([dt]))[0]
    return State.from_vectors(T0, rv[:3], rv[3:])
