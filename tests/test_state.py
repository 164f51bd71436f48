import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st

from qingzhou_sim.constants import EARTH
from qingzhou_sim.errors import InputError, OrbitRangeError
from qingzhou_sim.state import State, StateBatch, _elements_to_rv, _rv_to_elements

EPOCH = Time("2026-05-01T00:00:00", scale="utc")
MM = 1e-6  # km
UM_S = 1e-9  # km/s
ANGLE_TOL = 1e-9  # rad; state round trips at 7000 km keep ~1e-13 relative precision
MU = EARTH.mu_km3_s2


def _angle_diff(a, b):
    return np.abs((a - b + np.pi) % (2 * np.pi) - np.pi)


angles = st.floats(0, 2 * np.pi, exclude_max=True)
eccs = st.one_of(st.just(0.0), st.floats(0, 0.95, exclude_max=True))
incs = st.one_of(st.just(0.0), st.just(np.pi), st.floats(0, np.pi))


@given(
    perigee_alt=st.floats(150, 2000),
    ecc=eccs,
    inc=incs,
    raan=angles,
    argp=angles,
    nu=angles,
)
def test_elements_state_elements_round_trip(perigee_alt, ecc, inc, raan, argp, nu):
    a = (EARTH.radius_km + perigee_alt) / (1 - ecc)
    r, v = _elements_to_rv(MU, a, ecc, inc, raan, argp, nu)
    el = _rv_to_elements(MU, r, v)
    # The state is the invariant: elements -> state -> elements -> state is exact.
    r2, v2 = _elements_to_rv(MU, *el[:6])
    np.testing.assert_allclose(r2, r, atol=1 * MM)
    np.testing.assert_allclose(v2, v, atol=1 * UM_S)
    np.testing.assert_allclose(el[0], a, rtol=1e-10)
    np.testing.assert_allclose(el[1], ecc, atol=1e-10)
    np.testing.assert_allclose(el[2], inc, atol=1e-7)  # arccos near 0/pi loses digits
    equatorial = min(inc, np.pi - inc) < 1e-6
    circular = ecc < 1e-6
    if not equatorial:
        assert _angle_diff(el[3], raan) < 1e-7
        assert _angle_diff(el[6], argp + nu) < 1e-7  # argument of latitude
    if not circular and not equatorial:
        assert _angle_diff(el[4], argp) < 1e-5
        assert _angle_diff(el[5], nu) < 1e-5
    if circular and not equatorial:
        assert _angle_diff(el[5], el[6]) < ANGLE_TOL  # nu is the argument of latitude


def test_exactly_circular_equatorial_orbit_uses_true_longitude():
    r, v = _elements_to_rv(MU, 7000.0, 0.0, 0.0, 0.3, 0.4, 0.5)
    el = _rv_to_elements(MU, r, v)
    assert el[1] < 1e-15
    assert el[3] == 0.0 and el[4] == 0.0  # Vallado Algorithm 9 conventions
    assert _angle_diff(el[5], 1.2) < ANGLE_TOL
    assert _angle_diff(el[7], 1.2) < ANGLE_TOL
    assert np.all(np.isfinite(el))


def test_retrograde_equatorial_orbit_is_finite():
    r, v = _elements_to_rv(MU, 7000.0, 0.1, np.pi, 0.0, 0.4, 0.5)
    el = _rv_to_elements(MU, r, v)
    assert np.all(np.isfinite(el))
    np.testing.assert_allclose(el[2], np.pi, atol=1e-7)


def test_state_derived_quantities():
    s = State.from_altitudes(
        EPOCH, perigee_altitude=200 * u.km, apogee_altitude=380 * u.km, inc=41.5 * u.deg
    )
    assert s.perigee_altitude.to_value(u.km) == pytest.approx(200.0, abs=1e-9)
    assert s.apogee_altitude.to_value(u.km) == pytest.approx(380.0, abs=1e-9)
    a = EARTH.radius_km + 290.0
    # Kepler's third law, T = 2 pi sqrt(a^3 / mu)
    assert s.period.to_value(u.s) == pytest.approx(2 * np.pi * np.sqrt(a**3 / MU), rel=1e-12)
    assert s.altitude.to_value(u.km) == pytest.approx(200.0, abs=1e-9)  # nu = 0 is perigee
    el = s.elements()
    assert el.inc.to_value(u.deg) == pytest.approx(41.5, abs=1e-9)
    assert "a=" in str(el) and "UTC" in str(s)


def test_reference_circular_orbit_figures():
    # mission-facts.md sec. 1: period at 390 km circular 92.36 min, speed 7.674 km/s.
    s = State.from_elements(EPOCH, a=(EARTH.radius_km + 390) * u.km, inc=41.5 * u.deg)
    assert s.period.to_value(u.min) == pytest.approx(92.36, abs=0.005)
    assert np.linalg.norm(s.v_km_s) == pytest.approx(7.674, abs=0.0005)
    assert s.mean_motion.to_value(u.rad / u.s) == pytest.approx(1.1339e-3, abs=5e-8)


def test_boinor_round_trip():
    s = State.from_elements(
        EPOCH,
        a=7000 * u.km,
        ecc=0.01 * u.one,
        inc=41.5 * u.deg,
        raan=20 * u.deg,
        argp=30 * u.deg,
        nu=40 * u.deg,
    )
    orbit = s.to_orbit()
    back = State.from_orbit(orbit)
    np.testing.assert_allclose(back.r_km, s.r_km, atol=MM)
    np.testing.assert_allclose(back.v_km_s, s.v_km_s, atol=UM_S)
    assert abs((back.epoch - s.epoch).to_value(u.s)) < 1e-6


def test_batch_matches_individual_states():
    states = [
        State.from_elements(
            EPOCH + k * u.min, a=(7000 + k) * u.km, ecc=0.001 * k * u.one, inc=10 * k * u.deg
        )
        for k in range(5)
    ]
    batch = StateBatch.from_states(states)
    assert len(batch) == 5
    el = batch.elements()
    assert el.a.shape == (5,)
    for k, s in enumerate(states):
        np.testing.assert_allclose(batch[k].r_km, s.r_km)
        assert el.a[k].to_value(u.km) == pytest.approx(7000 + k, rel=1e-12)
    assert [s.epoch.isot for s in batch] == [s.epoch.isot for s in states]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"a": 6000 * u.km}, "below the surface"),
        ({"a": 7000 * u.km, "ecc": 1.2 * u.one}, "eccentricity 1.2 is not a closed orbit"),
        ({"a": 7000 * u.km, "ecc": -0.1 * u.one}, "not a closed orbit"),
        ({"a": np.nan * u.km}, "NaN"),
        ({"a": 7000}, "has no unit"),
        ({"a": 7000 * u.km, "inc": 200 * u.deg}, "outside \\[0, 180\\] deg"),
    ],
)
def test_from_elements_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        State.from_elements(EPOCH, **kwargs)


def test_from_altitudes_errors():
    with pytest.raises(OrbitRangeError, match="perigee altitude -12.0 km is below the surface"):
        State.from_altitudes(
            EPOCH, perigee_altitude=-12 * u.km, apogee_altitude=300 * u.km, inc=0 * u.deg
        )
    with pytest.raises(OrbitRangeError, match="apogee altitude 100.0 km is below the perigee"):
        State.from_altitudes(
            EPOCH, perigee_altitude=200 * u.km, apogee_altitude=100 * u.km, inc=0 * u.deg
        )


def test_state_rejects_bad_vectors_and_epochs():
    with pytest.raises(InputError, match="shape"):
        State(EPOCH, [1, 2] * u.km, [1, 2, 3] * u.km / u.s)
    with pytest.raises(InputError, match="NaN"):
        State(EPOCH, [7000, np.nan, 0] * u.km, [0, 7.5, 0] * u.km / u.s)
    with pytest.raises(InputError, match="naive datetime"):
        import datetime as dt

        State(dt.datetime(2026, 1, 1), [7000, 0, 0] * u.km, [0, 7.5, 0] * u.km / u.s)
    with pytest.raises(InputError, match="scalar Time"):
        State(EPOCH + [0, 1] * u.s, [7000, 0, 0] * u.km, [0, 7.5, 0] * u.km / u.s)


def test_hyperbolic_state_has_no_period():
    s = State(EPOCH, [7000, 0, 0] * u.km, [0, 12.0, 0] * u.km / u.s)
    with pytest.raises(OrbitRangeError, match="not closed"):
        _ = s.period


def test_from_vectors_converts_quantities_and_rejects_other_dimensions():
    # Issue 13: metres given to from_vectors were read as kilometres (6,771,621 km altitude).
    t = Time("2026-01-01T00:00:00", scale="utc")
    s = State.from_vectors(t, [6778000, 0, 0] * u.m, [0, 7668, 0] * u.m / u.s)
    assert s.r_km[0] == pytest.approx(6778.0, rel=1e-15)
    assert s.v_km_s[1] == pytest.approx(7.668, rel=1e-15)
    with pytest.raises(InputError, match="r_km .* cannot be converted to km"):
        State.from_vectors(t, [6778, 0, 0] * u.s, [0, 7.668, 0])
    with pytest.raises(InputError, match="v_km_s .* cannot be converted"):
        State.from_vectors(t, [6778, 0, 0], [0, 7.668, 0] * u.kg)


def test_state_rejects_bad_shapes_values_and_rectilinear_elements():
    t = Time("2026-01-01T00:00:00", scale="utc")
    with pytest.raises(InputError, match="not a real number"):
        State.from_vectors(t, ["a", 0, 0], [0, 7.6, 0])
    with pytest.raises(InputError, match="shape"):
        State.from_vectors(t, [6778, 0], [0, 7.6])
    with pytest.raises(InputError, match="outside the range"):
        State.from_vectors(t, [1e300, 0, 0], [0, 7.6, 0])
    with pytest.raises(InputError, match="speed of light"):
        State.from_vectors(t, [6778, 0, 0], [0, 3e5, 0])
    with pytest.raises(InputError, match="rectilinear"):
        State.from_vectors(t, [6778, 0, 0], [7.6, 0, 0]).elements()
    with pytest.raises(InputError, match="a has shape"):
        State.from_elements(t, a=[7000, 7100] * u.km)


def test_open_orbit_period_is_infinite_not_nan():
    # A hyperbola never returns; its mean motion is sqrt(mu/|a|^3) (Vallado 2013, eq. 2-109).
    t = Time("2026-01-01T00:00:00", scale="utc")
    el = State.from_vectors(t, [6778, 0, 0], [0, 12.0, 0]).elements()
    assert np.isinf(el.period.value) and np.isfinite(el.mean_motion.value)
