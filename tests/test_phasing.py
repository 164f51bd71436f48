"""Unit tests of qingzhou_sim.phasing and the finite-burn conversion."""

from __future__ import annotations

import astropy.units as u
import matplotlib
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st
from phasing_scenario import CHASER, R_EQ, T0, station_at

from qingzhou_sim.constants import EARTH
from qingzhou_sim.errors import InfeasiblePlanError, InputError, OrbitRangeError, UnknownNameError
from qingzhou_sim.maneuvers import Burn, FiniteBurn, to_finite
from qingzhou_sim.phasing import (
    PROFILES,
    CoellipticSchedule,
    PhaseWindow,
    PhasingPlan,
    get_profile,
    plan_coelliptic,
    plan_lambert,
    plan_phasing,
    plot_phasing,
)
from qingzhou_sim.phasing._kernels import _kepler, _kepler_rv, _phase_angle
from qingzhou_sim.state import State

matplotlib.use("Agg")

MU = 398600.4418  # km^3/s^2, WGS-84 (constants.py)
MM = 1e-6  # km
MM_S = 1e-9  # km/s
HANDOVER_POS_TOL = 100.0  # m (issue 6)
HANDOVER_VEL_TOL = 0.1  # m/s (issue 6)


# ------------------------------------------------------------------ kernels
def test_kepler_matches_boinor_propagation():
    from boinor.core.propagation import vallado

    r0 = CHASER.r_km
    v0 = CHASER.v_km_s
    for dt in (60.0, 1234.5, 5400.0, 86400.0 * 1.3):
        r, v = _kepler(MU, r0, v0, dt)
        f, g, fd, gd = vallado(MU, r0, v0, dt, 350)  # Lagrange coefficients
        rb, vb = f * r0 + g * v0, fd * r0 + gd * v0
        np.testing.assert_allclose(r, rb, atol=1 * MM)
        np.testing.assert_allclose(v, vb, atol=1 * MM_S)


def test_kepler_rv_applies_impulses_at_their_epochs():
    rv0 = CHASER.rv_km
    dv = np.array([[1e-3, 0, 0], [0, 2e-3, -1e-3]])
    t_imp = np.array([1000.0, 2500.0])
    out = _kepler_rv(MU, rv0, np.array([500.0, 3000.0]), t_imp, dv)
    r, v = _kepler(MU, rv0[:3], rv0[3:], 1000.0)
    r, v = _kepler(MU, r, v + dv[0], 1500.0)
    r, v = _kepler(MU, r, v + dv[1], 500.0)
    np.testing.assert_allclose(out[1], np.concatenate([r, v]), atol=1 * MM)
    r5, v5 = _kepler(MU, rv0[:3], rv0[3:], 500.0)
    np.testing.assert_allclose(out[0], np.concatenate([r5, v5]), atol=1 * MM)


def test_phase_angle_sign_convention():
    # station 10 deg ahead along the orbit -> +10 deg; 10 deg behind -> -10 deg
    for phase in (10.0, -10.0, 170.0):
        got = np.rad2deg(_phase_angle(station_at(phase).rv_km, CHASER.rv_km))
        assert got == pytest.approx(phase, abs=1e-9)


# ------------------------------------------------------------------ profiles
def test_profile_registry():
    assert set(PROFILES) == {"two-day", "6.5-hour", "3.5-hour", "3-hour", "2-hour"}
    assert get_profile("6.5-Hour") is PROFILES["6.5-hour"]
    with pytest.raises(UnknownNameError, match="phasing profile 'one-orbit'"):
        get_profile("one-orbit")


def test_phase_window_contains_wraps_360():
    w = PhaseWindow("x", 350.0 * u.deg, 370.0 * u.deg)
    assert w.contains(355 * u.deg) and w.contains(5 * u.deg) and w.contains(-5 * u.deg)
    assert not w.contains(20 * u.deg)
    assert w.width.to_value(u.deg) == pytest.approx(20.0)
    assert w.centre.to_value(u.deg) == pytest.approx(0.0)


@pytest.fixture(scope="module")
def plan_65() -> PhasingPlan:
    return plan_phasing(CHASER, station_at(13.0), "6.5-hour")


def test_plan_fields_made_when_read_are_a_complete_plan(plan_65):
    # _build_plan's plan makes its astropy fields when first read; its shortcuts for the
    # flight give the numbers of those fields; pickled or replaced it is a whole plan
    import dataclasses
    import pickle

    from qingzhou_sim.phasing.core import (
        _plan_burn_count,
        _plan_burn_table,
        _plan_target_rv_km,
        _seconds_since,
    )

    p = plan_phasing(CHASER, station_at(13.0), "6.5-hour")
    labels, dv_m_s = _plan_burn_table(p)
    np.testing.assert_array_equal(_plan_target_rv_km(p), p.target.rv_km)
    assert _plan_burn_count(p) == len(p.burns) == len(labels)
    assert labels == [b.label for b in p.burns]
    assert dv_m_s == [b.dv_m_s for b in p.burns]
    epochs = Time([b.epoch for b in p.burns] + [p.handover_epoch])
    offsets = _seconds_since(p.insertion_epoch, epochs)
    np.testing.assert_array_equal(p.epoch_offsets_s, offsets)
    for q in (pickle.loads(pickle.dumps(p)), dataclasses.replace(p, notes=("x",))):
        assert isinstance(q, PhasingPlan)
        for f in dataclasses.fields(PhasingPlan):
            if f.name not in ("notes", "burns", "correction", "track"):
                a, b = getattr(p, f.name), getattr(q, f.name)
                if isinstance(a, State):
                    a, b = a.rv_km, b.rv_km
                if isinstance(a, Time):
                    a, b = a.jd1 + a.jd2, b.jd1 + b.jd2
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=f.name)
        assert [b.dv_m_s for b in q.burns] == dv_m_s
    assert plan_65.summary()  # every field readable
    assert repr(p).startswith("PhasingPlan(strategy=")


def test_plan_phasing_default_profile_arrives(plan_65):
    p = plan_65
    assert p.profile == "6.5-hour" and p.strategy == "coelliptic"
    # six burns (CCTV, Shenzhou-16): NC1, NH1, NC2, NH2 alternately at the apsides, NCC,
    # and the plane correction at the last node crossing, before or after NCC
    assert sorted(b.label for b in p.burns) == ["NC1", "NC2", "NCC", "NH1", "NH2", "NPC"]
    assert p.correction.converged
    assert p.miss_distance.to_value(u.m) < HANDOVER_POS_TOL
    assert np.linalg.norm(p.miss_velocity.to_value(u.m / u.s)) < HANDOVER_VEL_TOL
    assert p.duration.to_value(u.h) == pytest.approx(PROFILES["6.5-hour"].handover_time.value)
    np.testing.assert_allclose(p.handover_r_lvlh.to_value(u.km), [-50.0, 0.0, 5.0])


def test_station_at_another_epoch_is_propagated(plan_65):
    from qingzhou_sim.forces import ForceModel
    from qingzhou_sim.phasing.core import _station_force_model
    from qingzhou_sim.propagator import Propagator

    # the station given 30 min earlier, propagated by the planner (Tiangong's drag),
    # gives the same plan
    st = station_at(13.0)
    prop = Propagator(force_model=_station_force_model(ForceModel.default()))
    rv = prop.propagate_rv(st.rv_km, np.array([-1800.0]), epoch=st.epoch)[0]
    earlier = State.from_vectors(T0 - 30 * u.min, rv[:3], rv[3:])
    p = plan_phasing(CHASER, earlier, "6.5-hour")
    assert p.total_dv.to_value(u.m / u.s) == pytest.approx(
        plan_65.total_dv.to_value(u.m / u.s), abs=1e-3
    )


def test_propagator_argument_is_used(plan_65):
    from qingzhou_sim.forces import ForceModel
    from qingzhou_sim.propagator import Propagator

    # the same force model through an explicit RK4 propagator: same plan to ~ mm/s
    prop = Propagator(force_model=ForceModel.default(), method="rk4", step_s=10.0)
    p = plan_phasing(CHASER, station_at(13.0), "6.5-hour", propagator=prop)
    assert p.correction.converged
    assert p.total_dv.to_value(u.m / u.s) == pytest.approx(
        plan_65.total_dv.to_value(u.m / u.s), abs=0.05
    )


def test_plan_burn_frames_consistent(plan_65):
    p = plan_65
    # |dv| is frame independent; the inertial and LVLH vectors must agree in length
    np.testing.assert_allclose(
        [b.dv_m_s for b in p.burns],
        np.linalg.norm(p.dv_inertial.to_value(u.m / u.s), axis=1),
        rtol=1e-12,
    )
    assert p.total_dv.to_value(u.m / u.s) == pytest.approx(float(np.sum(p.dv.value)))
    assert all(b.frame == "LVLH" for b in p.burns)
    epochs = [b.epoch for b in p.burns]
    assert all(a < b for a, b in zip(epochs, epochs[1:]))
    assert p.insertion_epoch < epochs[0] and epochs[-1] < p.handover_epoch


def test_plan_summary_has_units(plan_65):
    text = plan_65.summary()
    for word in ("m/s", "km", "NC1", "hand-over", "converged"):
        assert word in text
    assert str(plan_65) == text


def test_plot_phasing_labels(plan_65):
    fig = plot_phasing(plan_65)
    ax_alt, ax_ph, ax_rel = fig.axes[:3]
    assert "[km]" in ax_alt.get_ylabel() and "[h:mm]" in ax_ph.get_xlabel()
    assert "[deg]" in ax_ph.get_ylabel()
    assert "[km]" in ax_rel.get_xlabel() and "[km]" in ax_rel.get_ylabel()
    assert "6.5-hour" in ax_alt.get_title()


def test_two_body_coelliptic_is_nearly_exact_without_correction():
    # In two-body the analytic sequence is exact up to the curvature of the
    # rectilinear hand-over point: 52^2 / (2 * 6768) = 0.2 km (classic 52 km point).
    p = plan_coelliptic(
        CHASER,
        station_at(13.0),
        handover_time=4.05 * u.h,
        schedule=CoellipticSchedule(1, 1, 0),
        force_model="two-body",
        correct=False,
        plane_correction=False,
    )
    assert p.correction is None
    assert p.miss_distance.to_value(u.km) < 0.25


def test_lambert_strategy_two_impulses():
    p = plan_lambert(CHASER, station_at(4.0), handover_time=1.25 * u.h, force_model="two-body")
    assert [b.label for b in p.burns] == ["TI", "TF"]
    assert p.miss_distance.to_value(u.m) < 1.0


# ------------------------------------------------------------------ errors
def test_unknown_strategy():
    with pytest.raises(UnknownNameError, match="phasing strategy 'hohmann'"):
        plan_phasing(CHASER, station_at(13.0), "6.5-hour", strategy="hohmann")


def test_handover_time_needs_units():
    with pytest.raises(InputError, match="handover_time"):
        plan_lambert(CHASER, station_at(4.0), handover_time=4.0)


def test_n_impulse_count_checked():
    from qingzhou_sim.phasing import plan_n_impulse

    with pytest.raises(InputError, match="n_impulses"):
        plan_n_impulse(CHASER, station_at(4.0), handover_time=2 * u.h, n_impulses=8)


def test_reentering_insertion_rejected():
    low = State.from_altitudes(
        T0, perigee_altitude=120 * u.km, apogee_altitude=380 * u.km, inc=41.5 * u.deg
    )
    with pytest.raises(OrbitRangeError, match="perigee altitude 120.0 km re-enters"):
        plan_phasing(low, station_at(13.0), "6.5-hour")


# ------------------------------------------------------------------ finite burns
def test_finite_burn_duration_from_rocket_equation():
    g0 = 9.80665  # m/s^2, CGPM 1901
    b = Burn(T0, [20.0, 0.0, 0.0] * (u.m / u.s), "LVLH", "NC1")
    f = to_finite(b, 4 * 490 * u.N, 5000 * u.kg, 300 * u.s)
    assert isinstance(f, FiniteBurn)
    m_f = 5000 * np.exp(-20.0 / (300 * g0))
    assert f.mass_final.to_value(u.kg) == pytest.approx(m_f, rel=1e-12)
    assert f.duration.to_value(u.s) == pytest.approx((5000 - m_f) * 300 * g0 / 1960, rel=1e-12)
    assert (f.start + f.duration / 2 - b.epoch).to_value(u.s) == pytest.approx(0.0, abs=1e-6)
    # short burn: loss ~ dv (n T)^2 / 24 (Robbins 1966)
    n = np.sqrt(MU / (R_EQ + 390.0) ** 3)
    expect = 20.0 * (n * f.duration.to_value(u.s)) ** 2 / 24
    assert f.dv_loss.to_value(u.m / u.s) == pytest.approx(expect, rel=1e-3)
    assert 0 < f.efficiency < 1


def test_finite_burn_rejects_bad_thrust():
    b = Burn(T0, [1.0, 0.0, 0.0] * (u.m / u.s))
    with pytest.raises(InputError, match="thrust"):
        to_finite(b, 0 * u.N, 5000 * u.kg, 300 * u.s)


@pytest.mark.parametrize("module", ["qingzhou_sim.phasing.profiles", "qingzhou_sim.maneuvers"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------ station-side phasing
def test_station_phasing_puts_the_phase_in_the_window():
    from qingzhou_sim.phasing import plan_station_phasing

    early = State.from_elements(
        T0 - 2 * u.day,
        a=(R_EQ + 390.0) * u.km,
        inc=41.5 * u.deg,
        raan=132.1 * u.deg,
        nu=-20 * u.deg,
    )
    sp = plan_station_phasing(early, CHASER, "6.5-hour")
    assert not sp.window.contains(sp.phase_coasting)
    assert sp.window.contains(sp.phase_after)
    assert [b.label for b in sp.burns] == ["STA1", "STA2"]
    assert 0 < abs(sp.altitude_change.to_value(u.km)) <= 15.0
    # Hohmann pair between close circles: total dv = n |da| / 2 (Vallado 2013, sec. 6.3)
    n = np.sqrt(MU / (R_EQ + 390.0) ** 3)
    expect = 0.5 * n * abs(sp.altitude_change.to_value(u.km)) * 1e3
    assert sp.total_dv.to_value(u.m / u.s) == pytest.approx(expect, rel=0.02)
    plan = plan_phasing(CHASER, sp.station_at_insertion, "6.5-hour")
    assert plan.correction.converged
    assert "altitude change" in sp.summary()


def test_station_phasing_refuses_large_altitude_changes():
    from qingzhou_sim.phasing import plan_station_phasing

    early = State.from_elements(
        T0 - 1 * u.day,
        a=(R_EQ + 390.0) * u.km,
        inc=41.5 * u.deg,
        raan=126 * u.deg,
        nu=150 * u.deg,
    )
    with pytest.raises(InfeasiblePlanError, match="altitude change would be needed"):
        plan_station_phasing(early, CHASER, "3-hour", max_altitude_change=5 * u.km)


def test_correct_epochs_never_costs_more(plan_65):
    p = plan_phasing(CHASER, station_at(13.0), "6.5-hour", correct_epochs=True)
    assert p.correction.converged
    assert p.total_dv <= plan_65.total_dv + 1e-6 * (u.m / u.s)
    assert p.miss_distance.to_value(u.m) < HANDOVER_POS_TOL


def test_plan_to_finite_burns(plan_65):
    fbs = plan_65.to_finite(4 * 490 * u.N, 5000 * u.kg, 300 * u.s)
    assert len(fbs) == len(plan_65.burns)
    # masses chain: each burn starts with the previous burn's final mass
    for a, b in zip(fbs, fbs[1:]):
        assert b.mass_initial == a.mass_final
    propellant = sum(f.propellant.to_value(u.kg) for f in fbs)
    g0 = 9.80665  # m/s^2
    expect = 5000 * (1 - np.exp(-plan_65.total_dv.to_value(u.m / u.s) / (300 * g0)))
    assert propellant == pytest.approx(expect, rel=1e-9)
    assert all(f.dv_loss.to_value(u.m / u.s) < 0.01 * f.burn.dv_m_s + 1e-12 for f in fbs)


def test_coplanar_lower_bound_refuses_bad_input():
    from qingzhou_sim.errors import InputError, OrbitRangeError
    from qingzhou_sim.phasing import coplanar_lower_bound

    with pytest.raises(OrbitRangeError, match="radius"):
        coplanar_lower_bound(CHASER, 0 * u.km)
    with pytest.raises(InputError, match="insertion_orbit"):
        coplanar_lower_bound(None, 6768 * u.km)
    with pytest.raises(InputError, match="radius"):
        coplanar_lower_bound(CHASER, 6768.0)


@given(
    st.tuples(*[st.floats(-500.0, 500.0, allow_nan=False)] * 3),
    st.tuples(*[st.floats(-0.5, 0.5, allow_nan=False)] * 3),
)
def test_one_state_a_ecc_are_the_element_sets(dr, dv):
    """The re-plan's budget bound reads (a, ecc) of one bound state from
    _common._a_ecc and _semi_major_axis: _rv_to_elements' numbers to the last bit."""
    from qingzhou_sim.phasing._common import _a_ecc, _semi_major_axis
    from qingzhou_sim.state import _rv_to_elements

    rv = np.array([6700.0, 0.0, 0.0, 0.0, 7.6, 0.5]) + np.array(dr + dv)
    mu = EARTH.mu_km3_s2
    el = _rv_to_elements(mu, rv[:3], rv[3:])
    assert _a_ecc(mu, rv) == (el[0], el[1])
    assert _semi_major_axis(mu, rv) == el[0]


def test_plan_burns_and_converted_inputs_are_the_checked_ones():
    """The planner's unchecked LVLH burns equal the Burn constructor's, and a non-finite
    delta-v still raises; the memo of checked hand-over inputs gives as_array's and
    as_duration_s' numbers (a copy each time) and still rejects a wrong unit."""
    from qingzhou_sim.constants import as_array, as_duration_s
    from qingzhou_sim.phasing._common import _converted
    from qingzhou_sim.phasing.core import _lvlh_burn

    t = Time("2026-12-01T00:00:00", scale="utc")
    dv = np.array([1.5e-3, -2e-4, 3e-5])
    fast, checked = _lvlh_burn(t, dv, "I1"), Burn(t, dv * 1e3 * (u.m / u.s), "LVLH", "I1")
    assert (fast.epoch, fast.frame, fast.label) == (checked.epoch, checked.frame, checked.label)
    np.testing.assert_array_equal(fast.dv.value, checked.dv.value)
    assert fast.dv.unit == checked.dv.unit
    with pytest.raises(InputError):
        _lvlh_burn(t, np.array([np.nan, 0.0, 0.0]), "I1")
    r = [-5.0, 0.0, 0.2] * u.km
    for _ in range(2):
        got = _converted(r, u.km, "handover_r_lvlh", (3,))
        np.testing.assert_array_equal(got, as_array(r, u.km, "r", shape=(3,)))
        got[0] = 99.0  # (the memo hands out copies)
    assert _converted(6.5 * u.h, u.s, "handover_time", ()) == as_duration_s(6.5 * u.h)
    with pytest.raises(InputError):
        _converted([1.0, 2.0, 3.0] * u.s, u.km, "handover_r_lvlh", (3,))


@given(
    st.floats(-400.0, 400.0, allow_nan=False),
    st.lists(st.floats(0.0, 3.0e5, allow_nan=False), min_size=1, max_size=8),
    st.sampled_from(["isot", "jd", "mjd"]),
)
def test_epoch_arithmetic_on_the_numbers_equals_astropys(day, seconds, fmt):
    # core._epochs_after and core._tt_jd do astropy's own steps on jd1/jd2 (the plan's
    # and the flight's burn epochs): the same epochs, format and TT dates, bit for bit
    from astropy.time import TimeDelta

    from qingzhou_sim.phasing.core import _epochs_after, _seconds_since, _tt_jd

    t0 = Time(Time("2026-11-30T00:00:00", scale="utc") + TimeDelta(day * u.day), format=fmt)
    t_s = np.sort(np.array(seconds))
    ref = t0 + TimeDelta(t_s * u.s)
    mine = _epochs_after(t0, t_s)
    assert mine.format == ref.format and mine.scale == ref.scale and mine.shape == ref.shape
    np.testing.assert_array_equal(mine.jd1, ref.jd1)
    np.testing.assert_array_equal(mine.jd2, ref.jd2)
    np.testing.assert_array_equal(_tt_jd(ref), ref.tt.jd)
    np.testing.assert_array_equal(_seconds_since(t0, mine), (ref - t0).to_value(u.s))


@given(
    st.lists(st.floats(-8000.0, 8000.0), min_size=6, max_size=6),
    st.lists(st.floats(-8000.0, 8000.0), min_size=6, max_size=6),
)
def test_phase_angle_of_one_pair_equals_the_array_kernel(station, chaser):
    # core._phase_angle_1 (the lazy plan's phase angle) does _phase_angle's operations
    from qingzhou_sim.phasing.core import _phase_angle_1

    s, c = np.array(station), np.array(chaser)
    s[3:] *= 1e-3  # km/s
    c[3:] *= 1e-3
    with np.errstate(all="ignore"):
        expected, got = _phase_angle(s, c), _phase_angle_1(s, c)
    np.testing.assert_array_equal(got, expected)


def test_epoch_arithmetic_across_a_leap_second():
    # 2016-12-31T23:59:60 UTC (IERS Bulletin C 52): the ERFA conversions handle it
    from astropy.time import TimeDelta

    from qingzhou_sim.phasing.core import _epochs_after, _seconds_since, _tt_jd

    t0 = Time("2016-12-31T23:59:00", scale="utc")
    t_s = np.array([10.0, 59.5, 60.0, 61.0, 120.0])
    ref = t0 + TimeDelta(t_s * u.s)
    mine = _epochs_after(t0, t_s)
    np.testing.assert_array_equal(mine.jd1, ref.jd1)
    np.testing.assert_array_equal(mine.jd2, ref.jd2)
    np.testing.assert_array_equal(_tt_jd(mine), ref.tt.jd)
    assert mine[2].isot == "2016-12-31T23:59:60.000"
    np.testing.assert_array_equal(_seconds_since(t0, mine), (ref - t0).to_value(u.s))


def test_compiled_day_frac_equals_astropys_bit_for_bit():
    # phasing._kernels._day_frac (the epochs' jd arithmetic of the plan and the flight)
    # does astropy's day_frac operations: the same two floats, signed zeros included,
    # on sums of every size, on halves (rounding to even) and with each divisor in use
    from astropy.time.utils import day_frac

    from qingzhou_sim.phasing.core import _day_frac

    rng = np.random.default_rng(16)
    n = 4000
    cases = [
        (rng.uniform(-1e5, 1e5, n), rng.uniform(-1.0, 1.0, n)),
        (
            np.round(rng.uniform(2.4e6, 2.5e6, n)) + rng.choice([0.5, -0.5, 0.0], n),
            rng.uniform(-1e-9, 1e-9, n) * rng.choice([0.0, 1.0], n),
        ),  # fmt: skip
        (
            rng.standard_normal(n) * 10 ** rng.uniform(-5, 9, n),
            rng.standard_normal(n) * 10 ** rng.uniform(-20, 0, n),
        ),  # fmt: skip
        (np.round(rng.uniform(-100, 100, n) * 2) / 2, rng.uniform(-1e-17, 1e-17, n)),
        (rng.uniform(0.0, 3e5, n), 0.0),
    ]
    for a, b in cases:
        for divisor in (None, 86400.0, 1.0):
            expected = day_frac(a, b, divisor=divisor)
            got = _day_frac(a, b, divisor=divisor)
            for e, g in zip(expected, got):
                np.testing.assert_array_equal(g.view(np.int64), e.view(np.int64))


def test_seconds_between_two_epochs_equals_astropys():
    # core._seconds_between (the record's durations) is (t1 - t0).to_value(u.s), the
    # same float, across a leap second (2016-12-31T23:59:60) and in other formats
    from astropy.time import TimeDelta

    from qingzhou_sim.phasing.core import _seconds_between

    rng = np.random.default_rng(7)
    t0s = [Time("2016-12-31T23:59:00", scale="utc"), Time("2026-11-30T08:46:00.123", scale="utc")]
    t0s.append(Time(t0s[1], format="jd"))
    for t0 in t0s:
        for dt in [*rng.uniform(-2e5, 2e5, 40), 59.5, 60.0, 61.0, 0.0]:
            t1 = t0 + TimeDelta(dt * u.s)
            assert _seconds_between(t0, t1) == float((t1 - t0).to_value(u.s))
    t_tt = Time("2026-11-30T08:46:00", scale="tt")
    assert _seconds_between(t0s[1], t_tt) == float((t_tt - t0s[1]).to_value(u.s))


def test_plan_burns_kept_are_those_of_the_burn_table():
    # core._plan_burns_kept decides on the inertial magnitudes (a rotation of the LVLH
    # ones) away from the threshold, and on _plan_burn_table's near it: the same burns
    from qingzhou_sim.phasing.core import _plan_burn_table, _plan_burns_kept

    plan = plan_phasing(CHASER, station_at(13.0), "6.5-hour")
    labels, dv_m_s = _plan_burn_table(plan)
    for threshold in [1e-3, *dv_m_s, *(np.array(dv_m_s) * (1 + 1e-12))]:
        got = _plan_burns_kept(plan, threshold)
        assert got == (labels, [k for k, m in enumerate(dv_m_s) if m >= threshold])


def test_plan_states_from_burn_epochs_alone_are_the_tracks(plan_65):
    # _build_plan evaluates a DOP853 plan at its burn epochs and hand-over alone and
    # makes the sampled track when first read: the track's states at those epochs (the
    # post-burn states, the arrival, the station at the end) are the plan's, bit for bit
    nb = plan_65._numbers
    assert nb.dyn.arc is not None  # (the DOP853 planner: the track made when read)
    track = plan_65.track
    assert track.t_s.size > 100
    at = np.searchsorted(track.t_s, nb.imp_t)
    np.testing.assert_array_equal(track.t_s[at], nb.imp_t)
    post = nb.before.copy()
    for k in range(nb.imp_t.size):
        post[k, 3:] += nb.dvi[nb.imp_t == nb.imp_t[k]].sum(axis=0)
        post[k, 3:] -= nb.dvi[:k][nb.imp_t[:k] == nb.imp_t[k]].sum(axis=0)
    np.testing.assert_array_equal(track.chaser_rv_km[at], post)
    np.testing.assert_array_equal(track.chaser_rv_km[-1], nb.arrival)
    np.testing.assert_array_equal(track.station_rv_km[-1], nb.s_end)


def test_seconds_between_epochs_made_as_numbers_equal_astropys():
    # core._seconds_between_utc_jd (the record's berthing and CAM spans from the events'
    # seconds) is (b - a).to_value(u.s) of the epochs epoch0 + TimeDelta(t_s * u.s),
    # the same floats, across a leap second too
    from astropy.time import TimeDelta

    from qingzhou_sim.phasing.core import _seconds_between_utc_jd, _utc_jd_after

    rng = np.random.default_rng(3)
    for t0 in (Time("2016-12-31T23:50:00", scale="utc"), Time(2461375.25, format="jd")):
        t_s = np.concatenate([rng.uniform(0.0, 4e4, 30), [540.0, 599.5, 600.0, 601.0]])
        epochs = t0 + TimeDelta(t_s * u.s)
        jd1, jd2 = _utc_jd_after(t0, t_s)
        for i, j in rng.integers(0, t_s.size, (40, 2)):
            got = _seconds_between_utc_jd(
                jd1[i : i + 1], jd2[i : i + 1], jd1[j : j + 1], jd2[j : j + 1]
            )
            assert float(got[0]) == float((epochs[j] - epochs[i]).to_value(u.s))
