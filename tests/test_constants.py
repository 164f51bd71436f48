import datetime as dt

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.constants import EARTH, EarthModel, as_duration_s, as_quantity, as_time
from qingzhou_sim.errors import InputError


def test_earth_model_matches_design_values():
    # DESIGN.md "Conventions": WGS-84 / EGM-96 defaults.
    assert EARTH.mu_km3_s2 == 398600.4418
    assert EARTH.radius_km == 6378.137
    assert EARTH.j2 == 1.08262668e-3
    assert EARTH.j3 == -2.53265649e-6
    assert EARTH.j4 == -1.61962159e-6
    assert EARTH.omega_rad_s == 7.292115e-5
    assert EARTH.flattening == pytest.approx(1 / 298.257223563, rel=1e-15)


def test_earth_model_rejects_bad_values():
    with pytest.raises(InputError, match="mu_km3_s2"):
        EarthModel(mu_km3_s2=-1.0)
    with pytest.raises(InputError, match="flattening"):
        EarthModel(flattening=1.5)


def test_as_quantity_converts_and_rejects_bare_numbers():
    assert as_quantity(400_000 * u.m, u.km, "altitude").value == pytest.approx(400.0)
    with pytest.raises(InputError, match="altitude = 400 has no unit"):
        as_quantity(400, u.km, "altitude")
    with pytest.raises(InputError, match="cannot be converted"):
        as_quantity(4 * u.s, u.km, "altitude")
    with pytest.raises(InputError, match="NaN"):
        as_quantity(np.nan * u.km, u.km, "altitude")
    with pytest.raises(InputError, match="shape"):
        as_quantity([1, 2] * u.km, u.km, "r", shape=(3,))


def test_as_time_rejects_ambiguous_epochs():
    with pytest.raises(InputError, match="naive datetime"):
        as_time(dt.datetime(2026, 1, 1))
    with pytest.raises(InputError, match="no time zone"):
        as_time("2026-01-01T00:00:00")
    with pytest.raises(InputError, match="not an epoch"):
        as_time(2461041.5)
    aware = as_time(dt.datetime(2026, 1, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert abs((aware - Time("2026-01-01T00:00:00", scale="utc")).to_value(u.s)) < 1e-6
    assert as_time("2026-01-01T00:00:00Z").scale == "utc"


def test_as_duration():
    assert as_duration_s(2 * u.h) == 7200.0
    with pytest.raises(InputError, match="no unit"):
        as_duration_s(3600)
