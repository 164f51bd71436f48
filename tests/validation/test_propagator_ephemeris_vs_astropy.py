"""The low-precision Sun and Moon series used by the third-body and Harris-Priester
models (Montenbruck & Gill 2000, sec. 3.3.2) against astropy's built-in ephemerides
(ERFA epv00 for the Sun, Meeus/ELP for the Moon; offline).

The tolerances are what the force models need: a 0.2 deg error in direction and 0.5 %
in distance change the third-body tidal acceleration on a LEO satellite by well under
1 % of itself (about 1e-11 km/s^2), and move the Harris-Priester bulge by a negligible
fraction of its ~90 deg width.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import GCRS, get_body
from astropy.time import Time

from qingzhou_sim.forces import moon_position_km, sun_position_km

DIRECTION_DEG = 0.2
DISTANCE_REL = 0.005
EPOCHS = Time(["2024-01-01T00:00:00", "2026-05-01T00:00:00", "2026-12-01T06:00:00", "2030-03-15T12:00:00", "2035-07-04T18:00:00"], scale="utc")  # fmt: skip


@pytest.mark.parametrize("body, fn", [("sun", sun_position_km), ("moon", moon_position_km)])
def test_low_precision_ephemeris_matches_astropy(body, fn):
    for t in EPOCHS:
        ref = get_body(body, t).transform_to(GCRS(obstime=t)).cartesian.xyz.to_value(u.km)
        ours = fn(t.tt.jd)
        cos = np.dot(ref, ours) / (np.linalg.norm(ref) * np.linalg.norm(ours))
        assert np.degrees(np.arccos(min(cos, 1.0))) < DIRECTION_DEG
        assert abs(np.linalg.norm(ours) / np.linalg.norm(ref) - 1) < DISTANCE_REL
