"""Unit tests of the force-model settings and kernels."""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingzhou_sim.constants import EARTH
from qingzhou_sim.errors import InputError, UnknownNameError
from qingzhou_sim.forces import (
    Drag,
    ExponentialAtmosphere,
    ForceModel,
    HarrisPriester,
    PointMass,
    ThirdBody,
    ZonalGravity,
    _rhs,
    build_rhs,
    density_kg_m3,
    moon_position_km,
    sun_position_km,
    zonal_potential,
)

AU_KM = 149597870.7  # IAU 2012 Resolution B2


def _accel(fm, r, v=(0.0, 0.0, 0.0), t=0.0, jd=None):
    # Without jd the Earth's axis is the GCRS z axis (and the Sun and Moon at J2000).
    y = np.concatenate([np.asarray(r, float), np.asarray(v, float)])
    return _rhs(t, y, fm.build(jd))[3:]


def test_zonal_field_and_atmosphere_turn_with_the_pole():
    # The force about a tilted pole k = R z is R (force about z) (R^T r, R^T v): the
    # zonal field, the ellipsoid and the co-rotating atmosphere all use the same axis.
    from scipy.spatial.transform import Rotation

    from qingzhou_sim.forces import P_POLE_X, P_POLE_Z

    rot = Rotation.from_rotvec([0.3, -0.2, 0.1]).as_matrix()
    fm = ForceModel.default()
    p_z = fm.build()
    p_k = p_z.copy()
    p_k[P_POLE_X : P_POLE_Z + 1] = rot[:, 2]
    r = np.array([5000.0, -3000.0, 4000.0])
    r *= (EARTH.radius_km + 250.0) / np.linalg.norm(r)
    v = np.array([1.0, 6.0, 4.0])
    a_k = _rhs(0.0, np.concatenate([r, v]), p_k)[3:]
    a_z = _rhs(0.0, np.concatenate([rot.T @ r, rot.T @ v]), p_z)[3:]
    np.testing.assert_allclose(a_k, rot @ a_z, rtol=1e-12, atol=1e-18)


positions = st.tuples(
    st.floats(6500, 42000),
    st.floats(-math.pi / 2 + 0.01, math.pi / 2 - 0.01),
    st.floats(0, 2 * math.pi),
).map(
    lambda x: (
        x[0]
        * np.array(
            [math.cos(x[1]) * math.cos(x[2]), math.cos(x[1]) * math.sin(x[2]), math.sin(x[1])]
        )
    )
)


@given(positions, st.sampled_from([2, 3, 4]))
def test_zonal_acceleration_is_the_gradient_of_the_potential(r, degree):
    # Compare the zonal perturbation alone (point mass removed on both sides), so that
    # the central differences do not drown J3 and J4 in the rounding of mu/r.
    mu = EARTH.mu_km3_s2
    fm = ForceModel(gravity=ZonalGravity(max_degree=degree))

    def du(x):
        return zonal_potential(x, max_degree=degree) - mu / np.linalg.norm(x)

    h = 0.5  # km: truncation (~h^2 a_J2 / r^2) and rounding (~1e-16 U / h) both < 1e-14
    grad = np.array([(du(r + h * e) - du(r - h * e)) / (2 * h) for e in np.eye(3)])
    a = _accel(fm, r) + mu * r / np.linalg.norm(r) ** 3
    np.testing.assert_allclose(a, grad, rtol=0, atol=1e-7 * np.linalg.norm(a) + 1e-14)


def test_j2_acceleration_matches_vallado_closed_form():
    # Vallado (2013), eq. 8-30:
    # a_J2 = -3/2 J2 mu R^2 / r^5 [x (1 - 5 z^2/r^2), y (...), z (3 - 5 z^2/r^2)].
    r = np.array([5000.0, -3000.0, 4000.0])
    rn = np.linalg.norm(r)
    mu, re, j2 = EARTH.mu_km3_s2, EARTH.radius_km, EARTH.j2
    s2 = (r[2] / rn) ** 2
    expected = (
        -1.5
        * j2
        * mu
        * re**2
        / rn**5
        * np.array([r[0] * (1 - 5 * s2), r[1] * (1 - 5 * s2), r[2] * (3 - 5 * s2)])
    )
    expected += -mu * r / rn**3
    np.testing.assert_allclose(_accel(ForceModel(gravity=ZonalGravity(2)), r), expected, rtol=1e-14)


def test_point_mass_acceleration():
    r = np.array([7000.0, 0.0, 0.0])
    np.testing.assert_allclose(
        _accel(ForceModel.two_body(), r), [-EARTH.mu_km3_s2 / 7000.0**2, 0, 0]
    )


def test_exponential_atmosphere_reproduces_vallado_table():
    # Vallado (2013), Table 8-4: base densities at 400, 500 and 1000 km, kg/m^3.
    rho = density_kg_m3(ExponentialAtmosphere(), [400.0, 500.0, 1000.0])
    np.testing.assert_allclose(rho, [3.725e-12, 6.967e-13, 3.019e-15], rtol=1e-12)
    # One scale height above 400 km (H = 58.515 km) the density falls by e.
    np.testing.assert_allclose(
        density_kg_m3(ExponentialAtmosphere(), 458.515 - 1e-9), 3.725e-12 / math.e, rtol=0.2
    )
    h = np.linspace(0, 1200, 2401)
    assert np.all(np.diff(density_kg_m3(ExponentialAtmosphere(), h)) < 0)


def test_harris_priester_between_its_minimum_and_maximum():
    # Montenbruck & Gill (2000), Table 3.8 at 400 km: 2.249 and 7.492 g/km^3 (1e-12 kg/m^3).
    hp = HarrisPriester(n=2)
    jd = 2461000.5
    sun = sun_position_km(jd)
    lag = math.radians(hp.lag_deg)
    ra, dec = math.atan2(sun[1], sun[0]), math.asin(sun[2] / np.linalg.norm(sun))
    apex = np.array(
        [math.cos(dec) * math.cos(ra + lag), math.cos(dec) * math.sin(ra + lag), math.sin(dec)]
    )
    r = 6778.0 * apex
    rho_apex = density_kg_m3(hp, 400.0, r_km=r, jd_tt=jd)
    rho_anti = density_kg_m3(hp, 400.0, r_km=-r, jd_tt=jd)
    np.testing.assert_allclose(rho_apex, 7.492e-12, rtol=1e-12)
    np.testing.assert_allclose(rho_anti, 2.249e-12, rtol=1e-12)
    with pytest.raises(InputError, match="r_km"):
        density_kg_m3(hp, 400.0)


def test_sun_and_moon_low_precision_ephemeris():
    jd = 2451545.0  # J2000: the Sun's geometric longitude is about 280.46 deg (Meeus 1998, ch. 25)
    sun = sun_position_km(jd)
    assert abs(np.linalg.norm(sun) / AU_KM - 0.9833) < 0.002  # near perihelion in early January
    lon = (
        math.degrees(
            math.atan2(
                sun[1] * math.cos(math.radians(23.439)) + sun[2] * math.sin(math.radians(23.439)),
                sun[0],
            )
        )
        % 360
    )
    assert abs(lon - 280.46) < 0.1
    # The Moon stays between perigee and apogee distances, 356,000 - 407,000 km.
    for d in np.linspace(0, 30, 31):
        assert 356000 < np.linalg.norm(moon_position_km(jd + d)) < 407000


def test_third_body_tidal_acceleration_magnitude():
    fm0 = ForceModel(gravity=PointMass())
    fm = ForceModel(gravity=PointMass(), third_bodies=(ThirdBody("sun"), ThirdBody("moon")))
    r = np.array([6778.0, 0, 0])
    extra = np.linalg.norm(_accel(fm, r, jd=2461000.5) - _accel(fm0, r, jd=2461000.5))
    # Tidal order of magnitude: 2 GM r / d^3 is 5.4e-10 (Sun) and 1.2e-9 km/s^2 (Moon).
    assert 1e-10 < extra < 3e-9


def test_drag_opposes_the_velocity_relative_to_the_air():
    drag = Drag(cd=2.2, area_m2=10.0, mass_kg=1000.0)
    fm0 = ForceModel(gravity=PointMass())
    fm = ForceModel(gravity=PointMass(), drag=drag)
    r = np.array([EARTH.radius_km + 300.0, 0.0, 0.0])
    v = np.array([0.0, 7.7, 0.0])
    a = _accel(fm, r, v) - _accel(fm0, r, v)
    v_rel = v - np.cross([0, 0, EARTH.omega_rad_s], r)
    rho = density_kg_m3(ExponentialAtmosphere(), 300.0)
    # Vallado (2013), eq. 8-28, in km/s^2 (the 1e3 turns rho A / m from 1/m into 1/km).
    expected = -0.5 * rho * 2.2 * 10.0 / 1000.0 * 1e3 * np.linalg.norm(v_rel) * v_rel
    np.testing.assert_allclose(a, expected, rtol=1e-12)
    assert drag.ballistic_coefficient_kg_m2 == pytest.approx(1000.0 / 22.0)


@given(
    st.sampled_from([PointMass(), ZonalGravity(2), ZonalGravity(3), ZonalGravity(4)]),
    st.none()
    | st.builds(
        Drag,
        cd=st.floats(1.0, 3.0),
        area_m2=st.floats(0.1, 100.0),
        mass_kg=st.floats(10.0, 1e5),
        atmosphere=st.sampled_from(
            [ExponentialAtmosphere(), HarrisPriester(), HarrisPriester(n=6)]
        ),
        density_scale=st.floats(0.0, 5.0),
    ),
    st.sampled_from([(), (ThirdBody("sun"),), (ThirdBody("sun"), ThirdBody("moon"))]),
)
def test_force_model_round_trips_through_plain_data(gravity, drag, bodies):
    fm = ForceModel(gravity=gravity, drag=drag, third_bodies=bodies)
    data = json.loads(json.dumps(fm.to_dict()))  # plain data only
    assert ForceModel.from_dict(data) == fm
    np.testing.assert_array_equal(ForceModel.from_dict(data).build(2461000.5), fm.build(2461000.5))


def test_default_force_model_and_builder():
    fm = ForceModel.default()
    assert fm.gravity == ZonalGravity(4) and fm.drag == Drag()
    rhs, p = build_rhs(fm)
    assert rhs is _rhs and p.dtype == np.float64
    assert not fm.is_zonal_only and ForceModel(gravity=ZonalGravity(2)).is_zonal_only


def test_invalid_settings_raise_clear_errors():
    with pytest.raises(InputError, match="max_degree"):
        ZonalGravity(max_degree=5)
    with pytest.raises(InputError, match="cd"):
        Drag(cd=-1.0)
    with pytest.raises(InputError, match="density_scale"):
        Drag(density_scale=float("nan"))
    with pytest.raises(InputError, match="n ="):
        HarrisPriester(n=8)
    with pytest.raises(UnknownNameError, match="'sun', 'moon'"):
        ThirdBody("jupiter")
    with pytest.raises(UnknownNameError, match="atmosphere"):
        ForceModel.from_dict({"drag": {"atmosphere": {"kind": "jacchia"}}})
    with pytest.raises(InputError, match="unknown force-model key"):
        ForceModel.from_dict({"gravity": {"kind": "zonal"}, "solar_pressure": True})
    with pytest.raises(InputError, match="unknown drag key"):
        ForceModel.from_dict({"drag": {"cd": 2.2, "area": 8.0}})
    with pytest.raises(InputError, match="unknown earth key"):
        ForceModel.from_dict({"earth": {"mu": 398600.0}})
    with pytest.raises(InputError, match="unknown gravity key"):
        ForceModel.from_dict({"gravity": {"kind": "zonal", "degree": 2}})
    with pytest.raises(InputError, match="twice"):
        ForceModel(third_bodies=(ThirdBody("sun"), ThirdBody("sun")))
