import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st

from qingzhou_sim.constants import EARTH
from qingzhou_sim.errors import InputError, UnknownNameError
from qingzhou_sim.frames import (
    _inertial_to_relative,
    _lvlh_to_rsw,
    _relative_to_inertial,
    _rsw_to_lvlh,
    gcrs_to_geodetic,
    gcrs_to_itrs,
    gcrs_to_lvlh,
    gcrs_to_rsw,
    geodetic_to_itrs,
    ground_track,
    itrs_to_gcrs,
    itrs_to_geodetic,
    lvlh_to_gcrs,
    lvlh_to_rsw,
    rsw_to_lvlh,
)
from qingzhou_sim.state import State, StateBatch, _elements_to_rv

EPOCH = Time("2026-05-01T00:00:00", scale="utc")
MM = 1e-6  # km
A_STATION = EARTH.radius_km + 390.0
MU = EARTH.mu_km3_s2


def _station(**kw):
    return State.from_elements(EPOCH, a=A_STATION * u.km, inc=41.5 * u.deg, raan=30 * u.deg, **kw)


def test_lvlh_chaser_ahead_has_positive_vbar():
    target = _station()
    # 1 km of arc ahead along the same circular orbit.
    chaser = _station(nu=(1.0 / A_STATION) * u.rad)
    rel = gcrs_to_lvlh(target, chaser)
    x, y, z = rel.r.to_value(u.km)
    assert x == pytest.approx(1.0, abs=1e-6)  # chord vs arc: 1 km * (1 - th^2/24) ~ 1e-9 km off
    assert abs(y) < MM
    # The chord of a 1 km arc sits 1^2 / (2 a) = 74 mm below the target's local horizontal,
    # i.e. at positive z (R-bar points down).
    assert z == pytest.approx(1.0 / (2 * A_STATION), rel=1e-6)
    # Same orbit: zero velocity seen in the rotating frame.
    np.testing.assert_allclose(rel.v.to_value(u.km / u.s), 0.0, atol=1e-9)


def test_lvlh_higher_chaser_has_negative_rbar():
    target = _station()
    chaser = State.from_vectors(EPOCH, target.r_km * (1 + 1.0 / A_STATION), target.v_km_s)
    rel = gcrs_to_lvlh(target, chaser)
    np.testing.assert_allclose(rel.r.to_value(u.km), [0.0, 0.0, -1.0], atol=1e-9)


def test_lvlh_hbar_is_opposite_angular_momentum():
    target = _station()
    h = np.cross(target.r_km, target.v_km_s)
    chaser = State.from_vectors(EPOCH, target.r_km + h / np.linalg.norm(h), target.v_km_s)
    rel = gcrs_to_lvlh(target, chaser)
    np.testing.assert_allclose(rel.r.to_value(u.km), [0.0, -1.0, 0.0], atol=1e-9)


def test_rsw_axes():
    target = _station()
    higher = State.from_vectors(EPOCH, target.r_km * (1 + 1.0 / A_STATION), target.v_km_s)
    np.testing.assert_allclose(
        gcrs_to_rsw(target, higher).r.to_value(u.km), [1.0, 0.0, 0.0], atol=1e-9
    )


rel_states = st.lists(st.floats(-50, 50), min_size=3, max_size=3).flatmap(
    lambda r: st.lists(st.floats(-0.05, 0.05), min_size=3, max_size=3).map(
        lambda v: np.array(r + v)
    )
)


@given(
    rel=rel_states,
    ecc=st.floats(0, 0.2),
    inc=st.floats(0.01, np.pi - 0.01),
    nu=st.floats(0, 2 * np.pi),
    frame=st.sampled_from(["LVLH", "RSW"]),
)
def test_relative_round_trip(rel, ecc, inc, nu, frame):
    r, v = _elements_to_rv(MU, 7000.0, ecc, inc, 0.4, 0.7, nu)
    target = np.concatenate([r, v])
    chaser = _relative_to_inertial(frame, target, rel)
    back = _inertial_to_relative(frame, target, chaser)
    np.testing.assert_allclose(back[:3], rel[:3], atol=1e-9)
    np.testing.assert_allclose(back[3:], rel[3:], atol=1e-12)


@given(rel=rel_states, nu=st.floats(0, 2 * np.pi))
def test_lvlh_and_rsw_agree(rel, nu):
    r, v = _elements_to_rv(MU, 7000.0, 0.05, 0.9, 0.4, 0.7, nu)
    target = np.concatenate([r, v])
    chaser = _relative_to_inertial("LVLH", target, rel)
    rsw = _inertial_to_relative("RSW", target, chaser)
    np.testing.assert_allclose(_rsw_to_lvlh(rsw), rel, atol=1e-9)
    np.testing.assert_allclose(_lvlh_to_rsw(rel), rsw, atol=1e-9)


def test_public_relative_round_trip_batch():
    target = _station()
    r = np.array([[-5.0, 0.1, 1.0], [0.2, 0.0, -0.3]]) * u.km
    v = np.array([[0.001, 0.0, 0.0], [0.0, 0.0001, 0.0]]) * u.km / u.s
    targets = StateBatch.from_vectors(
        EPOCH, np.stack([target.r_km] * 2), np.stack([target.v_km_s] * 2)
    )
    chasers = lvlh_to_gcrs(targets, r, v)
    back = gcrs_to_lvlh(targets, chasers)
    np.testing.assert_allclose(back.r.to_value(u.km), r.value, atol=1e-9)
    rsw = lvlh_to_rsw(r, v)
    again = rsw_to_lvlh(rsw.r, rsw.v)
    np.testing.assert_allclose(again.r.value, r.value)


def test_unknown_frame_name():
    with pytest.raises(UnknownNameError, match="unknown relative frame 'VVLH'"):
        _inertial_to_relative("VVLH", np.ones(6), np.ones(6))


def test_jiuquan_geodetic_round_trip_to_one_millimetre():
    # Jiuquan SLC, mission-facts.md sec. 5 (SN-JSLC): 40.9581 N, 100.2912 E, ~1000 m.
    r = geodetic_to_itrs(40.9581 * u.deg, 100.2912 * u.deg, 1.0 * u.km)
    lat, lon, h = itrs_to_geodetic(r)
    # 1 mm on the ground is 1.6e-10 rad of latitude.
    assert abs(lat.to_value(u.rad) - np.deg2rad(40.9581)) * EARTH.radius_km < MM
    assert abs(lon.to_value(u.rad) - np.deg2rad(100.2912)) * EARTH.radius_km < MM
    assert abs(h.to_value(u.km) - 1.0) < MM


def test_geodetic_round_trip_poles_and_equator():
    lat = np.array([90.0, -90.0, 0.0, 45.0]) * u.deg
    lon = np.array([0.0, 10.0, -179.0, 179.0]) * u.deg
    h = np.array([0.0, 400.0, -1.0, 35786.0]) * u.km
    la, lo, hh = itrs_to_geodetic(geodetic_to_itrs(lat, lon, h))
    np.testing.assert_allclose(la.to_value(u.deg), lat.value, atol=1e-10)
    np.testing.assert_allclose(hh.to_value(u.km), h.value, atol=MM)
    np.testing.assert_allclose(lo.to_value(u.deg)[2:], lon.value[2:], atol=1e-10)


def test_geodetic_rejects_bad_latitude():
    with pytest.raises(InputError, match="latitude"):
        geodetic_to_itrs(91 * u.deg, 0 * u.deg, 0 * u.km)


def test_itrs_round_trip_with_velocity():
    s = _station()
    epochs = EPOCH + np.arange(3) * u.h
    r = np.stack([s.r_km] * 3) * u.km
    v = np.stack([s.v_km_s] * 3) * u.km / u.s
    r_itrs, v_itrs = gcrs_to_itrs(epochs, r, v)
    r_back, v_back = itrs_to_gcrs(epochs, r_itrs, v_itrs)
    np.testing.assert_allclose(r_back.to_value(u.km), r.value, atol=MM)
    np.testing.assert_allclose(v_back.to_value(u.km / u.s), v.value, atol=1e-9)
    # Earth-fixed speed differs by omega x r (~0.4 km/s at 41.5 deg inclination).
    assert np.all(np.abs(np.linalg.norm(v_itrs.value, axis=1) - 7.674) < 0.6)


def test_ground_track_shapes_and_ranges():
    s = _station()
    epochs = EPOCH + np.linspace(0, 92, 50) * u.min
    r = np.stack([s.r_km] * 50) * u.km
    gt = ground_track(epochs, r)
    assert gt.lat.shape == (50,)
    assert np.all(np.abs(gt.lat.to_value(u.deg)) <= 41.5 + 0.3)
    assert np.all((gt.lon.to_value(u.deg) >= -180) & (gt.lon.to_value(u.deg) < 180))
    lat, _, h = gcrs_to_geodetic(EPOCH, s.r)
    assert 380 < h.to_value(u.km) < 400


_VEC = st.tuples(*[st.floats(-8000.0, 8000.0, allow_nan=False)] * 3)
_VEL = st.tuples(*[st.floats(-9.0, 9.0, allow_nan=False)] * 3)


@given(_VEC, _VEL, _VEC, _VEL)
def test_one_state_transforms_are_the_batch_ones_bit_for_bit(r, v, dr, dv):
    """The one-state paths (cross products written out, frames._cross) give the numbers
    of the batch paths (np.cross) row for row, to the last bit."""
    from qingzhou_sim.frames import (
        _cross,
        _frame_rate,
        _inertial_to_relative,
        _lvlh_basis,
        _relative_to_inertial,
        _rsw_basis,
    )

    target = np.array(r + v)
    other = target + np.array(dr + dv) * 1e-3
    rel = np.array(dr + dv) * 1e-3
    if np.linalg.norm(target[:3]) < 1.0 or np.linalg.norm(np.cross(target[:3], target[3:])) < 1e-6:
        return  # (no frame: the position or the angular momentum vanishes)
    a, b = target[:3], target[3:]
    np.testing.assert_array_equal(_cross(a, b), np.cross(a, b))
    np.testing.assert_array_equal(_frame_rate(a, b), _frame_rate(a[None], b[None])[0])
    np.testing.assert_array_equal(_lvlh_basis(a, b), _lvlh_basis(a[None], b[None])[0])
    np.testing.assert_array_equal(_rsw_basis(a, b), _rsw_basis(a[None], b[None])[0])
    for frame in ("LVLH", "RSW"):
        one = _relative_to_inertial(frame, target, rel)
        np.testing.assert_array_equal(one, _relative_to_inertial(frame, target[None], rel[None])[0])
        one = _inertial_to_relative(frame, target, other)
        batch = _inertial_to_relative(frame, target[None], other[None])[0]
        np.testing.assert_array_equal(one, batch)
