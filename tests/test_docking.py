"""Unit tests of qingzhou_sim.docking: profiles as data, kernels, configuration
errors, determinism, result object and figures."""

import math
import struct

import astropy.units as u
import matplotlib
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st

from qingzhou_sim import State
from qingzhou_sim.constants import EARTH, R_EARTH_KM
from qingzhou_sim.docking import (
    APPROACH_PROFILES,
    ApproachProfile,
    Closing,
    Fault,
    FinalApproach,
    FlyAround,
    Hold,
    Homing,
    NavigationConfig,
    PlantConfig,
    ThrusterConfig,
    get_approach_profile,
    plot_approach,
    plot_range,
    simulate_approach,
)
from qingzhou_sim.docking import _kernels as K
from qingzhou_sim.errors import InputError, MissionFileError, UnknownNameError
from qingzhou_sim.relative._kernels import _cw_stm, _cw_two_impulse

matplotlib.use("Agg")

STATION_A_KM = R_EARTH_KM + 390.0  # mission-facts.md sec. 1
N = math.sqrt(EARTH.mu_km3_s2 / STATION_A_KM**3)
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
MM = 1e-6  # km
UM_S = 1e-9  # km/s


@pytest.fixture(scope="module")
def station():
    return State.from_elements(EPOCH, a=STATION_A_KM * u.km, inc=41.5 * u.deg)


@pytest.fixture(scope="module")
def aft(station):
    return simulate_approach(station, profile="aft", noise=False)


# ------------------------------------------------------------------ profiles
def test_registry_and_unknown_name():
    # the built-ins (other modules may register more, e.g. the phasing schemes' ones)
    assert {
        "aft",
        "forward",
        "radial",
        "aft-fast",
        "forward-fast",
        "radial-fast",
    } <= set(APPROACH_PROFILES)
    for port in ("aft", "forward", "radial"):
        fast, classic = get_approach_profile(f"{port}-fast"), get_approach_profile(port)
        assert fast.port == classic.port and fast.docking_axis == classic.docking_axis
        # Same hold points, shorter holds (the fast modes' assumption).
        holds = [s for s in fast.segments if s.kind == "hold"]
        assert all(h.duration_s <= 300.0 for h in holds)
    assert get_approach_profile("aft").docking_axis == "-V-bar"
    assert get_approach_profile("forward").docking_axis == "+V-bar"
    assert get_approach_profile("radial").docking_axis == "+R-bar"
    with pytest.raises(UnknownNameError, match="'aft', 'forward', 'radial'"):
        get_approach_profile("vbar-fast")


@pytest.mark.parametrize("name", sorted(APPROACH_PROFILES))
def test_profile_round_trip(name):
    prof = APPROACH_PROFILES[name]
    data = prof.to_dict()
    assert isinstance(data["segments"], list) and data["segments"][-1]["kind"] == "final"
    assert ApproachProfile.from_dict(data) == prof
    assert prof.references and prof.description


def test_profile_hold_points_cite_the_facts():
    aft = APPROACH_PROFILES["aft"]
    pts = np.array(aft.hold_points_m())
    # 5 km, 400 m, 200 m, 19 m (PD-SZ8, SZ19, mission-facts.md sec. 2)
    assert {-5000.0, -400.0, -200.0, -19.0} <= set(pts[:, 0])
    assert "PD-SZ8" in aft.references and "SAST-APAS" in aft.references


@given(
    x=st.floats(-5000, -250, allow_nan=False),
    z=st.floats(-100, 100, allow_nan=False),
    d=st.floats(1.0, 5000.0, allow_nan=False),
)
def test_custom_profile_round_trip(x, z, d):
    prof = ApproachProfile(
        name="custom",
        port="aft",
        docking_axis="-V-bar",
        segments=(
            Homing(aim_points_m=((x, 0.0, z),)),
            Hold(duration_s=d),
            Closing(to_m=(-19.0, 0.0, 0.0), method="straight"),
            FlyAround(to_m=(0.0, 0.0, 300.0), legs=2) if d > 2500 else Hold(duration_s=10.0),
            FinalApproach(),
        ),
    )
    assert ApproachProfile.from_dict(prof.to_dict()) == prof


def test_unknown_keys_are_named():
    data = APPROACH_PROFILES["aft"].to_dict()
    bad = dict(data, hold_pionts=[1, 2])
    with pytest.raises(MissionFileError, match="hold_pionts") as exc:
        ApproachProfile.from_dict(bad)
    assert exc.value.name == "hold_pionts"
    segs = [dict(s) for s in data["segments"]]
    segs[1]["duraton_s"] = 5.0
    with pytest.raises(MissionFileError, match="duraton_s.*segment 1"):
        ApproachProfile.from_dict(dict(data, segments=segs))
    segs = [dict(s) for s in data["segments"]]
    segs[0]["kind"] = "teleport"
    with pytest.raises(UnknownNameError, match="teleport"):
        ApproachProfile.from_dict(dict(data, segments=segs))
    with pytest.raises(MissionFileError, match="docking_axis"):
        ApproachProfile.from_dict({k: v for k, v in data.items() if k != "docking_axis"})


def test_invalid_segments():
    with pytest.raises(InputError, match="duration_s"):
        Hold(duration_s=-1.0)
    with pytest.raises(InputError, match="speed_schedule"):
        FinalApproach(speed_schedule=((0.0, 0.1), (0.0, 0.2)))
    with pytest.raises(UnknownNameError, match="closing method"):
        Closing(method="teleport")
    with pytest.raises(InputError, match="to_m"):
        Closing(to_m=(1.0, 2.0))
    with pytest.raises(InputError, match="FinalApproach"):
        ApproachProfile("x", "aft", "-V-bar", segments=(Hold(),))
    with pytest.raises(UnknownNameError, match="docking port"):
        ApproachProfile("x", "zenith", "-V-bar", segments=(FinalApproach(),))
    with pytest.raises(InputError, match="max_duration_s"):
        Hold(duration_s=100.0, until="settled", max_duration_s=50.0)


# ------------------------------------------------------------------- kernels
@pytest.mark.parametrize("t", [1.0, 600.0, 2770.0, 8000.0])
def test_compiled_cw_stm_equals_the_relative_module(t):
    np.testing.assert_allclose(K._cw_stm_nb(N, t), _cw_stm(N, t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("frac", [0.3, 0.45, 0.7, 1.3])
def test_two_impulse_equals_the_relative_module_and_hits_the_target(frac):
    x0 = np.array([-5.0, 0.1, 0.3, 0.001, -0.0002, 0.0005])
    xf = np.array([-0.4, 0.0, 0.0, 0.0, 0.0, 0.0])
    tof = frac * 2 * math.pi / N
    d1, d2, ok = K._two_impulse_nb(N, x0, xf, tof)
    assert ok
    r1, r2 = _cw_two_impulse(N, x0, xf, tof)
    np.testing.assert_allclose(d1, r1, atol=1 * UM_S)
    np.testing.assert_allclose(d2, r2, atol=1 * UM_S)
    y = x0.copy()
    y[3:] += d1
    arrive = _cw_stm(N, tof) @ y
    arrive[3:] += d2
    np.testing.assert_allclose(arrive, xf, atol=1 * MM)


def test_two_impulse_flags_a_full_period():
    x0 = np.array([-5.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    _, _, ok = K._two_impulse_nb(N, x0, np.zeros(6), 2 * math.pi / N)
    assert not ok


def test_passive_safety_kernel():
    kos = 0.2
    # at rest on V-bar: an equilibrium, closest approach = its range, safe
    rmin, _, unsafe, _ = K._passive(N, np.array([-0.3, 0, 0, 0, 0, 0.0]), 86400.0, 60.0, kos)
    assert rmin == pytest.approx(0.3) and not unsafe
    # 1 m/s straight at the station from 300 m: unsafe within minutes
    x = np.array([-0.3, 0, 0, 0.001, 0, 0.0])
    _, _, unsafe, unsafe_early = K._passive(N, x, 86400.0, 10.0, kos, 600.0)
    assert unsafe and unsafe_early


def _cfg(**kw):
    base = {f: 0.0 for f in K.Cfg._fields}
    base.update(mib=0.5, quantum=0.05, isp=300.0)
    base.update(kw)
    return K.Cfg(**base).array()


def test_thruster_minimum_impulse_bit_quantisation_and_saturation():
    cfg = _cfg()
    nz = np.zeros(4)
    mass = 5000.0
    # 0.05 mm/s on 5 t = 0.25 N s < MIB 0.5 N s: not executed
    out = K._thruster(np.array([5e-8, 0, 0]), mass, 1.0, 150.0, cfg, nz, False, False)
    assert np.all(out == 0)
    # 1.23 N s is quantised to 1.25 N s
    dv = 1.23 / mass * 1e-3
    out = K._thruster(np.array([0, dv, 0]), mass, 1.0, 150.0, cfg, nz, False, False)
    assert out[1] * 1e3 * mass == pytest.approx(1.25)
    # 1 m/s in 1 s needs 5 kN: saturated at 150 N s
    out = K._thruster(np.array([0, 0, -1e-3]), mass, 1.0, 150.0, cfg, nz, False, False)
    assert out[2] * 1e3 * mass == pytest.approx(-150.0)
    # stuck off: nothing
    assert np.all(K._thruster(np.array([1e-3, 0, 0]), mass, 1.0, 150.0, cfg, nz, True, False) == 0)


def test_thruster_group_minimums():
    # the loop reads each group's smallest pulse from thrusters.group_minimums (made
    # once per table); select() computes it in compiled code: a group fires when its
    # smallest pulse reaches the minimum impulse, by either
    import qingzhou_sim.docking.simulate as S
    from qingzhou_sim.docking import thrusters as T

    table = S._nominal_rcs()[3]
    gmin = T.group_minimums(table)
    np.testing.assert_array_equal(gmin, np.where(table > 0, table, np.inf).min(axis=1))
    mib, n = 0.5, table.shape[1]
    big = np.full(n, 1e9)
    for row in range(12):
        axis, sign = divmod(row, 2)
        for factor, fires in ((1.0 + 1e-6, True), (1.0 - 1e-6, False)):
            wrench = np.zeros(6)
            wrench[axis] = (-1.0 if sign else 1.0) * factor * mib / gmin[row]
            assert bool(np.any(T.select(table, wrench, big, mib, 0.0) > 0)) is fires
    assert np.all(np.isinf(T.group_minimums(np.zeros((12, 4)))))


def test_sensor_regimes():
    nav = NavigationConfig()
    cfg = _cfg(
        gnss_range=nav.gnss_range_m / 1e3,
        cam_range=nav.camera_range_m / 1e3,
        sg_gnss=nav.gnss_sigma_m / 1e3,
        sg_rad_a=nav.radar_sigma_m / 1e3,
        sg_rad_b=nav.radar_sigma_frac,
        sg_cam_a=nav.camera_sigma_m / 1e3,
        sg_cam_b=nav.camera_sigma_frac,
    )
    far, mid, near = K._sigma(50.0, cfg), K._sigma(1.0, cfg), K._sigma(0.019, cfg)
    assert far == pytest.approx(nav.gnss_sigma_m / 1e3)
    assert mid == pytest.approx((nav.radar_sigma_m + nav.radar_sigma_frac * 1000.0) / 1e3)
    assert near == pytest.approx((nav.camera_sigma_m + nav.camera_sigma_frac * 19.0) / 1e3)
    assert far > mid > near
    scaled = nav.scaled(2.0)
    assert scaled.gnss_sigma_m == 2 * nav.gnss_sigma_m
    assert scaled.camera_sigma_frac == 2 * nav.camera_sigma_frac


# ------------------------------------------------------------ simulate_approach
def test_deterministic_given_the_seed(station):
    a = simulate_approach(station, seed=11)
    b = simulate_approach(station, rng=np.random.default_rng(11))
    c = simulate_approach(station, seed=12)
    np.testing.assert_array_equal(a.r_true.value, b.r_true.value)
    assert a.contact.pitch_deg == b.contact.pitch_deg
    assert not np.array_equal(a.r_est.value[: len(c.t_s)], c.r_est.value[: len(a.t_s)])


def test_chaser_state_input_equals_relative_input(station, aft):
    from qingzhou_sim.docking import default_handover_lvlh
    from qingzhou_sim.frames import lvlh_to_gcrs

    rel = default_handover_lvlh(N)
    chaser = lvlh_to_gcrs(station, rel[:3] * u.km, rel[3:] * (u.km / u.s))
    res = simulate_approach(station, chaser, profile="aft", noise=False)
    np.testing.assert_allclose(res.r_true.to_value(u.m), aft.r_true.to_value(u.m), atol=1e-6)
    res2 = simulate_approach(
        station, handover_r_lvlh=rel[:3] * u.km, handover_v_lvlh=rel[3:] * (u.km / u.s), noise=False
    )
    np.testing.assert_allclose(res2.r_true.to_value(u.m), aft.r_true.to_value(u.m), atol=1e-6)


def test_input_errors(station):
    later = State.from_vectors(EPOCH + 10 * u.s, station.r_km, station.v_km_s)
    with pytest.raises(InputError, match="epoch"):
        simulate_approach(station, later)
    with pytest.raises(InputError, match="control_rate_hz"):
        simulate_approach(station, control_rate_hz=-1.0)
    with pytest.raises(UnknownNameError, match="approach profile"):
        simulate_approach(station, profile="zenith")
    with pytest.raises(UnknownNameError, match="fault kind"):
        Fault("meteor")
    with pytest.raises(InputError, match="fault segment"):
        simulate_approach(station, faults=Fault("nav_bias", segment="nowhere"))
    with pytest.raises(InputError, match="handover_r_lvlh"):
        simulate_approach(station, handover_r_lvlh=[1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="rcs_thrust_n"):
        ThrusterConfig(rcs_thrust_n=0.0)
    with pytest.raises(InputError, match="step_s"):
        PlantConfig(step_s=-1.0)


def test_result_object(aft):
    n = len(aft.t_s)
    assert aft.r_true.shape == aft.r_est.shape == aft.dv_applied.shape == (n, 3)
    assert aft.epochs.shape == (n,)
    assert np.all(np.diff(aft.t_s) >= 0)
    assert aft.propellant_used[-1] > 0 * u.kg
    assert aft.total_dv.unit == u.m / u.s
    # propellant: at least the rocket equation on the executed delta-v (Isp 300 s); at
    # most that plus every RCS pulse counted in full (attitude couples and opposed
    # thrusters spend propellant without a net delta-v)
    m0 = aft.mass[0].to_value(u.kg)
    dv_each = np.linalg.norm(aft.dv_applied.to_value(u.m / u.s), axis=1)
    m_rocket = m0 * np.exp(-np.sum(dv_each) / (300.0 * 9.80665))
    m_rcs = np.sum(aft.rcs_impulse.to_value(u.N * u.s)) / (300.0 * 9.80665)
    assert m_rocket - m_rcs <= aft.mass[-1].to_value(u.kg) <= m_rocket * (1 + 1e-9)
    n_att = len(aft.t_s)
    assert aft.q_chaser.shape == aft.q_station.shape == (n_att, 4)
    assert aft.rate_chaser.unit == u.deg / u.s and aft.attitude_error.shape == (n_att, 3)
    kinds = [s.kind for s in aft.segments]
    assert kinds[0] == "homing" and kinds[-1] == "final"
    text = aft.summary()
    assert "hard docked" in text and "closing speed" in text and "lateral offset" in text
    names = [e.name for e in aft.events]
    for name in ("segment start", "hold arrival", "hold departure", "contact", "hard dock"):
        assert name in names
    check = {c.name: c for c in aft.contact.checks}
    assert check["lateral offset"].limit == 0.16 and check["closing speed"].lower == 0.08


def test_result_history_fields_made_when_read(aft):
    # simulate_approach's result makes its history fields when first read; pickled,
    # copied or replaced it is a complete ApproachResult with the same fields
    import copy
    import dataclasses
    import pickle

    from qingzhou_sim.docking import ApproachResult
    from qingzhou_sim.docking.result import _history_fields

    res = simulate_approach(aft.final_station, profile="radial", noise=True, seed=4)
    assert isinstance(res, ApproachResult) and repr(res).startswith("ApproachResult(")
    assert res.r_true is res.r_true  # made once
    made = {name: getattr(res, name) for name in _history_fields()}
    n = len(res.t_s)
    assert all(len(v) == n for v in made.values()) and n > 1000
    for other in (
        pickle.loads(pickle.dumps(res)),
        copy.deepcopy(res),
        dataclasses.replace(res, status="x"),
    ):
        assert type(other) is ApproachResult or other.status == "x"
        for name, value in made.items():
            theirs = getattr(other, name)
            assert type(theirs) is type(value) and getattr(theirs, "unit", None) == getattr(
                value, "unit", None
            )
            np.testing.assert_array_equal(np.asarray(theirs), np.asarray(value))
    # every history field has one row per recorded step; the rows of a segment
    # boundary share their epoch
    assert res.t_s[0] == 0.0 and res.t_s[-1] == res.segments[-1].t_end_s
    assert res.thrusters_fired.dtype.kind == "i"
    with pytest.raises(AttributeError, match="ApproachResult"):
        res.no_such_field  # noqa: B018


def test_vehicle_caches_follow_the_vehicles(station):
    # the vehicles' and the station attitude's loop parameters are made once per
    # process: a changed vehicle or attitude gets its own, equal to a run without
    # the caches
    from dataclasses import replace

    import qingzhou_sim.docking.simulate as S
    from qingzhou_sim.docking import AttitudeConfig
    from qingzhou_sim.vehicles import QINGZHOU

    heavier = replace(
        QINGZHOU, inertia_kg_m2=tuple(tuple(1.5 * x for x in row) for row in QINGZHOU.inertia_kg_m2)
    )
    tilted = AttitudeConfig(station_error_deg=(0.3, -0.2, 0.0))

    def run(chaser=QINGZHOU, attitude=None):
        return simulate_approach(
            station, noise=False, plant=PlantConfig(chaser=chaser), attitude=attitude
        )

    S._vehicle_parts.cache_clear()
    S._q_from_rpy_bits.cache_clear()
    first = run(heavier), run(attitude=tilted)
    default = run()
    again = run(heavier), run(attitude=tilted), run(replace(heavier))  # an equal copy
    for a, b in zip(first + first[:1], again):
        np.testing.assert_array_equal(a.q_chaser, b.q_chaser)
        np.testing.assert_array_equal(a.q_station, b.q_station)
    assert not np.array_equal(first[0].q_chaser, default.q_chaser)
    assert not np.array_equal(first[1].q_station[0], default.q_station[0])
    # -0.0 and 0.0 are two keys (equal floats, not the same bits)
    S._q_from_rpy_bits.cache_clear()
    for rpy in ((0.0, 0.0, 0.0), (-0.0, 0.0, 0.0)):
        S._q_from_rpy_bits(struct.pack("3d", *rpy))
    assert S._q_from_rpy_bits.cache_info().currsize == 2


def test_control_rate_option(station):
    res = simulate_approach(station, noise=False, control_rate_hz=2.0)
    assert res.docked
    final = next(s for s in res.segments if s.kind == "final")
    t = res.t_s[(res.t_s >= final.t_start_s) & (res.t_s < final.t_end_s)]
    assert np.median(np.diff(t)) == pytest.approx(0.5)


def test_plots(aft):
    fig = plot_approach(aft)
    ax1, ax2 = fig.axes[:2]
    assert "V-bar / R-bar" in ax1.get_title() and "V-bar / H-bar" in ax2.get_title()
    assert "R-bar" in ax1.get_ylabel() and "[km]" in ax1.get_ylabel()
    assert "aft approach" in fig.get_suptitle()
    zoomed = plot_approach(aft, zoom=300 * u.m, unit="m")
    assert zoomed.axes[0].get_xlim() == pytest.approx((-300.0, 300.0))
    fig2 = plot_range(aft)
    assert fig2.axes[0].get_yscale() == "log"
    assert fig2.axes[0].get_ylabel() == "Range [km]"
    assert fig2.axes[1].get_ylabel().startswith("Range rate [m/s]")
    assert fig2.axes[1].get_xlabel() == "Time since hand-over [h:mm]"


def test_curvilinear_coordinates_round_trip():
    from qingzhou_sim.docking.simulate import _from_curv

    rr = STATION_A_KM
    x = np.array([-52.0, 0.3, 5.0, 0.0085, -0.0001, 0.0002])
    c = K._to_curv(x, rr)
    np.testing.assert_allclose(_from_curv(c, rr), x, atol=1 * MM)
    # the along-track arc of a point on the station's circle is its V-bar coordinate
    # and its height is zero (no x^2 / 2a curvature term)
    theta = -52.0 / rr
    on_circle = np.array([rr * math.sin(theta), 0.0, rr - rr * math.cos(theta), 0, 0, 0])
    np.testing.assert_allclose(K._to_curv(on_circle, rr)[[0, 2]], [-52.0, 0.0], atol=1 * MM)


def test_rectilinear_guidance_option(station):
    res = simulate_approach(station, noise=False, curvilinear=False)
    assert res.docked
    assert res.contact.ok


def test_attitude_and_thruster_figures(aft):
    from qingzhou_sim.docking import plot_attitude, plot_thrusters

    fig = plot_attitude(aft, last_s=600.0)
    assert fig.axes[0].get_ylabel() == "Attitude error [deg]"
    assert fig.axes[1].get_ylabel() == "Body rate rel. LVLH [deg/s]"
    assert "aft approach" in fig.axes[0].get_title()
    assert len(fig.axes[0].lines) >= 3
    fig = plot_thrusters(aft, last_s=600.0)
    assert fig.axes[0].get_ylabel() == "Thrusters fired [count]"
    assert "RCS firings" in fig.axes[0].get_title()
