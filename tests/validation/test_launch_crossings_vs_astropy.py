"""Plane crossings and launch azimuths against an independent code path.

The library samples the pad with ``qingzhou_sim.frames`` (ITRS -> GCRS), splines it and
root-finds. Here the pad's inertial position comes from astropy's
``EarthLocation.get_gcrs`` every 5 s over a day, the plane normal is rebuilt from the
target's mean inclination and node with the J2 node rate written out again from
Vallado (2013), eq. 9-41, and the crossings are the sign changes of the distance,
interpolated linearly inside the 5 s step (curvature error ~1e-4 s).
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import GCRS, ITRS, TEME, CartesianRepresentation, EarthLocation
from astropy.time import Time
from sgp4.api import WGS72, Satrec

from qingzhou_sim.constants import J2, MU_EARTH_KM3_S2, R_EARTH_KM
from qingzhou_sim.launch import SITES, Target, launch_windows, nominal_tiangong

CROSSING_TOL_S = 2.0  # s, issue 5 acceptance
STEP_S = 5.0  # s, independent sampling step
AZIMUTH_TOL_DEG = 1e-3  # deg; ground-track direction from vectors vs the spherical formula

# Tianhe TLE of 2021-06-01, see test_launch_sz12_vs_tle.py for its source.
TLE = (
    "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993",
    "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304",
)


def _independent_normal(target: Target, epochs: Time) -> np.ndarray:
    """Mean-plane normal: node regressing about the Earth's pole (TEME of date, as in
    SGP4), rotated to GCRS by astropy's TEME frame at every epoch."""
    a, ecc, inc, raan0 = target.mean_elements[:4]
    if target.tle is not None:
        # SGP4's own secular node rate (Vallado et al. 2006), rad/min.
        raan_dot = Satrec.twoline2rv(*target.tle, WGS72).nodedot / 60.0
    else:
        n = np.sqrt(MU_EARTH_KM3_S2 / a**3)
        p = a * (1 - ecc**2)
        raan_dot = -1.5 * n * J2 * (R_EARTH_KM / p) ** 2 * np.cos(inc)  # Vallado eq. 9-41
    raan = raan0 + raan_dot * (epochs - target.epoch).to_value(u.s)
    n_teme = np.stack(
        [np.sin(inc) * np.sin(raan), -np.sin(inc) * np.cos(raan), np.cos(inc) * np.ones_like(raan)],
        axis=0,
    )
    rep = CartesianRepresentation(n_teme * 1e4 * u.km)
    gcrs = TEME(rep, obstime=epochs).transform_to(GCRS(obstime=epochs))
    return np.moveaxis(gcrs.cartesian.xyz.to_value(u.km), 0, -1) / 1e4


def _independent_crossings(site, target, start: Time, hours: float) -> Time:
    t_s = np.arange(0.0, hours * 3600.0 + STEP_S, STEP_S)
    epochs = start + t_s * u.s
    loc = EarthLocation.from_geodetic(
        site.lon_deg * u.deg, site.lat_deg * u.deg, site.height_m * u.m, ellipsoid="WGS84"
    )
    r = np.moveaxis(loc.get_gcrs(epochs).cartesian.xyz.to_value(u.km), 0, -1)
    d = np.einsum("ij,ij->i", _independent_normal(target, epochs), r)
    k = np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:]))
    t_cross = t_s[k] - d[k] * (t_s[k + 1] - t_s[k]) / (d[k + 1] - d[k])
    return start + t_cross * u.s


@pytest.mark.parametrize(
    ("site", "target"),
    [
        ("jiuquan", "nominal"),
        ("wenchang", "nominal"),
        ("jiuquan", "tle"),
    ],
)
def test_crossings_agree_with_sampled_astropy(site, target):
    start = Time("2021-06-16T12:00:00", scale="utc")
    tgt = Target.from_tle(*TLE) if target == "tle" else nominal_tiangong(start, raan=123.0 * u.deg)
    windows = launch_windows(start, 24 * u.hour, target=tgt, site=site)
    expected = _independent_crossings(SITES[site], tgt, start, 24.0)
    assert len(windows) == len(expected) >= 2
    got = Time([w.in_plane for w in windows])
    dt = (got - expected).to_value(u.s)
    np.testing.assert_allclose(dt, 0.0, atol=CROSSING_TOL_S)


def test_azimuth_matches_ground_track_direction():
    """Inertial azimuth = direction of h x r in the pad's local geodetic east/north axes."""
    start = Time("2026-12-01T00:00:00", scale="utc")
    tgt = nominal_tiangong(start, raan=40.0 * u.deg)
    site = SITES["jiuquan"]
    windows = launch_windows(start, 24 * u.hour, target=tgt, site=site)
    loc = EarthLocation.from_geodetic(
        site.lon_deg * u.deg, site.lat_deg * u.deg, site.height_m * u.m, ellipsoid="WGS84"
    )
    lat, lon = np.deg2rad(site.lat_deg), np.deg2rad(site.lon_deg)
    for w in windows:
        gcrs = loc.get_gcrs(w.in_plane)
        r = gcrs.cartesian.xyz.to_value(u.km)
        h = _independent_normal(tgt, w.in_plane)
        d = np.cross(h, r)  # direction of the station's motion through the pad's position
        # Local axes in GCRS: rotate ITRS east/north by the GCRS->ITRS rotation, obtained
        # from astropy with three unit vectors transformed as positions (pure rotation).
        basis = GCRS(CartesianRepresentation(np.eye(3) * 1e4 * u.km), obstime=w.in_plane)
        rot = basis.transform_to(ITRS(obstime=w.in_plane)).cartesian.xyz.to_value(u.km) / 1e4
        d_itrs = rot @ d  # columns of rot are the GCRS axes in ITRS
        east = np.array([-np.sin(lon), np.cos(lon), 0.0])
        north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
        az = np.rad2deg(np.arctan2(d_itrs @ east, d_itrs @ north)) % 360
        # Earth rotation seen inertially is not part of an inertial azimuth; the ITRS
        # axes are only used as the local east/north directions at that instant.
        assert w.azimuth.to_value(u.deg) == pytest.approx(az, abs=AZIMUTH_TOL_DEG)
        assert (w.direction == "northbound") == (d_itrs @ north > 0)
