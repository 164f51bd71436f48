"""Earth-fixed and geodetic conversions against astropy's independent implementations
(``EarthLocation``, which wraps ERFA's gd2gc/gc2gd on the WGS-84 ellipsoid)."""

import astropy.units as u
import numpy as np
from astropy.coordinates import GCRS, EarthLocation
from astropy.time import Time

from qingzhou_sim.frames import gcrs_to_geodetic, geodetic_to_itrs, itrs_to_geodetic

MM = 1e-6  # km


def test_geodetic_to_itrs_matches_erfa():
    rng = np.random.default_rng(7)
    lat = rng.uniform(-89.9, 89.9, 200)
    lon = rng.uniform(-180, 180, 200)
    h = rng.uniform(-0.5, 1000.0, 200)
    ours = geodetic_to_itrs(lat * u.deg, lon * u.deg, h * u.km).to_value(u.km)
    ref = EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, h * u.km, ellipsoid="WGS84")
    theirs = np.stack([ref.x, ref.y, ref.z], axis=-1).to_value(u.km)
    np.testing.assert_allclose(ours, theirs, atol=MM)
    la, lo, hh = itrs_to_geodetic(theirs * u.km)
    geo = ref.to_geodetic("WGS84")
    np.testing.assert_allclose(la.to_value(u.deg), geo.lat.to_value(u.deg), atol=1e-9)
    np.testing.assert_allclose(hh.to_value(u.km), geo.height.to_value(u.km), atol=MM)


def test_site_gcrs_position_matches_earthlocation():
    # The Jiuquan pad's inertial position from our ITRS -> GCRS path equals astropy's
    # EarthLocation.get_gcrs at the same epochs (an independent code path in astropy).
    epochs = Time("2026-05-01T00:00:00", scale="utc") + np.linspace(0, 1, 7) * u.day
    site = EarthLocation.from_geodetic(100.2912 * u.deg, 40.9581 * u.deg, 1.0 * u.km)
    ref = site.get_gcrs(epochs).cartesian.xyz.to_value(u.km).T
    lat, lon, h = gcrs_to_geodetic(epochs, ref * u.km)
    np.testing.assert_allclose(lat.to_value(u.deg), 40.9581, atol=1e-8)
    np.testing.assert_allclose(lon.to_value(u.deg), 100.2912, atol=1e-8)
    np.testing.assert_allclose(h.to_value(u.km), 1.0, atol=1e-5)  # 1 cm: ERFA polar-motion details
    assert GCRS  # imported for clarity of the frame under test
