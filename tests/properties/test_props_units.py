"""Generated inputs for the unit and epoch helpers and the Earth model (constants.py)."""

import astropy.units as u
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCHS, GARBAGE, PROFILE, UNITS, any_value, outcome, quantities

from qingzhou_sim.constants import EarthModel, as_array, as_duration_s, as_quantity, as_time


@PROFILE
@given(value=any_value(quantities()), unit=UNITS, shape=st.sampled_from([None, (), (3,), (..., 3)]))
def test_as_quantity_converts_or_names_the_parameter(value, unit, shape):
    q, err = outcome(as_quantity, value, unit, "alt", shape=shape)
    if err is not None:
        assert "alt" in str(err)
        return
    assert q.unit == unit
    if isinstance(value, u.Quantity):
        # the value converted, not relabelled: metres become kilometres
        np.testing.assert_allclose(q.value, value.to_value(unit), rtol=1e-15)
    else:
        assert unit == u.one  # a bare number only where the unit is dimensionless


@PROFILE
@given(value=any_value(quantities()), unit=UNITS)
def test_as_array_bare_numbers_only_when_the_name_carries_the_unit(value, unit):
    arr, err = outcome(as_array, value, unit, "r_km", bare=True)
    if err is None and isinstance(value, u.Quantity):
        np.testing.assert_allclose(arr, value.to_value(unit), rtol=1e-15)


@PROFILE
@given(value=st.one_of(EPOCHS, st.datetimes()))
def test_as_time_accepts_epochs_or_says_why_not(value):
    t, err = outcome(as_time, value, "start")
    if err is not None:
        assert "start" in str(err)
    else:
        assert np.all(np.isfinite(t.jd))


@PROFILE
@given(value=any_value(quantities(shapes=((), (2,)))))
def test_as_duration(value):
    s, err = outcome(as_duration_s, value, "tof")
    if err is None:
        assert isinstance(s, float)


EARTH_FIELDS = ("mu_km3_s2", "radius_km", "j2", "j3", "j4", "omega_rad_s", "flattening")


@PROFILE
@given(field=st.sampled_from(EARTH_FIELDS), value=st.one_of(GARBAGE, st.floats()))
def test_earth_model_rejects_non_finite_and_wrong_types(field, value):
    model, err = outcome(EarthModel, **{field: value})
    if err is None:
        assert all(np.isfinite(float(getattr(model, f))) for f in EARTH_FIELDS)
