"""Zonal gravity about the Earth's true rotation axis, checked against astropy.

The reference pole is astropy's: the ITRS z axis transformed to GCRS at the epoch
(IAU 2006/2000A with the bundled IERS tables), the same transform the launch and
ground-track code use. The reference dynamics are point mass + J2 about that axis,
written here from Vallado (2013), eq. 8-30, and integrated by SciPy's DOP853.
The checks have teeth: a pole off by 0.15 deg (the GCRS z axis in 2026 is 0.14 deg
from the true pole) moves the state far beyond the tolerances.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import GCRS, ITRS, CartesianRepresentation
from astropy.time import Time
from scipy.integrate import solve_ivp

from qingzhou_sim.constants import EARTH
from qingzhou_sim.forces import ForceModel, ZonalGravity, earth_pole_gcrs
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

ARCSEC = np.deg2rad(1 / 3600)
M = 1e-3  # km
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
HOURS = 6.0
# Polar motion (ITRS z vs the CIP) is below 0.5 arcsec and not modelled.
POLE_TOL = 1 * ARCSEC
# Position after 6 h: both integrations at 1e-12 agree to well below a metre when the
# axis is the same; a 1 arcsec axis difference moves the state by about 0.1 m.
POS_TOL = 1 * M


def _astropy_pole(epoch: Time) -> np.ndarray:
    z = ITRS(CartesianRepresentation(0 * u.km, 0 * u.km, 1 * u.km), obstime=epoch)
    k = z.transform_to(GCRS(obstime=epoch)).cartesian.xyz.to_value(u.km)
    return k / np.linalg.norm(k)


def _j2_about(k):
    mu, re, j2 = EARTH.mu_km3_s2, EARTH.radius_km, EARTH.j2

    def rhs(t, y):
        r = y[:3]
        rn = np.linalg.norm(r)
        s = r @ k / rn
        # Vallado (2013), eq. 8-30 written for an axis k instead of z.
        a = -mu * r / rn**3 - 1.5 * j2 * mu * re**2 / rn**4 * ((1 - 5 * s**2) * r / rn + 2 * s * k)
        return np.concatenate([y[3:], a])

    return rhs


def _tilted(k, angle_rad):
    """k turned by angle_rad about an axis perpendicular to it."""
    e = np.cross(k, [1.0, 0.0, 0.0])
    e /= np.linalg.norm(e)
    return np.cos(angle_rad) * k + np.sin(angle_rad) * np.cross(e, k)


@pytest.mark.parametrize("iso", ["2000-01-01T12:00:00", "2026-05-01T00:00:00", "2040-07-01"])
def test_pole_matches_astropy_itrs_z(iso):
    epoch = Time(iso, scale="utc")
    k = earth_pole_gcrs(epoch)
    angle = np.arccos(np.clip(k @ _astropy_pole(epoch), -1, 1))
    assert angle < POLE_TOL


def test_j2_propagation_matches_a_reference_about_astropy_pole():
    state = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.47 * u.deg, raan=30 * u.deg)
    prop = Propagator(ForceModel(gravity=ZonalGravity(max_degree=2)), rtol=1e-12, atol=1e-12)
    ours = prop.propagate(state, HOURS * u.h).final_state.r_km
    k = _astropy_pole(EPOCH)
    t1 = HOURS * 3600.0
    ref = solve_ivp(_j2_about(k), (0, t1), state.rv_km, method="DOP853", rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours, ref.y[:3, -1], atol=POS_TOL)
    # Teeth: an axis 0.15 deg off is caught by a wide margin.
    off = solve_ivp(
        _j2_about(_tilted(k, np.deg2rad(0.15))), (0, t1), state.rv_km, method="DOP853",
        rtol=1e-12, atol=1e-12,
    )  # fmt: skip
    assert np.linalg.norm(off.y[:3, -1] - ref.y[:3, -1]) > 20 * POS_TOL
    # ... and so is the old GCRS-z axis.
    z_axis = Propagator(
        ForceModel(gravity=ZonalGravity(max_degree=2), pole="gcrs-z"), rtol=1e-12, atol=1e-12
    )
    old = z_axis.propagate(state, HOURS * u.h).final_state.r_km
    assert np.linalg.norm(old - ref.y[:3, -1]) > 20 * POS_TOL
