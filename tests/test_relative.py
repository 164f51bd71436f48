"""Unit and property tests of qingzhou_sim.relative (kernels, STMs, targeting, safety).

Independent references: the CW, Tschauner-Hempel and Schweighart-Sedwick differential
equations integrated numerically with scipy's DOP853 (not the closed forms under test),
and the textbook hop formulas of Fehse (2003), sec. 3.3.
"""

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from qingzhou_sim.errors import EpochOrderError, InfeasiblePlanError, InputError, UnknownNameError
from qingzhou_sim.frames import _lvlh_to_rsw, _rsw_to_lvlh, lvlh_to_rsw
from qingzhou_sim.relative import (
    ApproachCorridor,
    ApproachEllipsoid,
    KeepOutSphere,
    _cw_propagate,
    _cw_stm,
    _cw_stm_rsw,
    _cw_two_impulse,
    _ss_stm,
    _ya_stm,
    collision_avoidance_burn,
    cw_stm,
    fly_around,
    glideslope,
    passive_safety,
    propagate_relative,
    radial_hop,
    relative_truth,
    safety_ellipse,
    ss_stm,
    straight_line,
    tangential_hop,
    two_impulse_transfer,
    ya_stm,
)
from qingzhou_sim.relative._kernels import (
    _kepler_true_anomaly,
    _ya_inplane_forward,
    _ya_inplane_inverse,
)
from qingzhou_sim.state import State

MU = 398600.4418  # km^3/s^2, WGS-84 (constants.py)
# Mean motion of a 390 km circular orbit, mission-facts.md sec. 1 (derived, n = sqrt(mu/a^3)).
N = 1.1339e-3  # rad/s
N_Q = N * u.rad / u.s
PERIOD = 2 * math.pi / N
MM = 1e-6  # km
UM_S = 1e-9  # km/s (1 micrometre per second)
EPOCH = Time("2026-06-01T00:00:00", scale="utc")

finite = st.floats(-5.0, 5.0, allow_nan=False)
states = st.lists(finite, min_size=6, max_size=6).map(
    lambda x: np.array(x[:3] + [v * 1e-3 for v in x[3:]])
)
times = st.floats(1.0, 3.0 * PERIOD)


def _integrate(rhs, x0, t):
    sol = solve_ivp(rhs, (0.0, float(t[-1])), x0, t_eval=t, method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y.T


def _cw_rhs(_t, y):
    # Fehse (2003), eq. 3.22 with no forces
    x, yy, z, vx, vy, vz = y
    return [vx, vy, vz, 2 * N * vz, -N * N * yy, -2 * N * vx + 3 * N * N * z]


# ------------------------------------------------------------------------- CW
def test_cw_stm_identity_at_zero_and_shapes():
    np.testing.assert_array_equal(_cw_stm(N, 0.0), np.eye(6))
    assert _cw_stm(N, np.zeros((4, 5))).shape == (4, 5, 6, 6)
    assert cw_stm(N_Q, [1, 2, 3] * u.min).shape == (3, 6, 6)
    assert _cw_propagate(N, np.zeros((7, 6)), np.arange(11.0)).shape == (7, 11, 6)
    assert _cw_propagate(N, np.zeros(6), np.arange(11.0)).shape == (11, 6)


def test_cw_stm_matches_numerical_integration_of_cw_equations():
    x0 = np.array([-1.0, 0.3, 0.2, 1e-3, -2e-4, 5e-4])
    t = np.linspace(0.0, 2 * PERIOD, 9)
    np.testing.assert_allclose(_cw_propagate(N, x0, t), _integrate(_cw_rhs, x0, t), atol=1 * MM)


@given(states, times, times)
def test_cw_stm_composition(x0, t1, t2):
    lhs = _cw_stm(N, t2) @ _cw_stm(N, t1) @ x0
    rhs = _cw_stm(N, t1 + t2) @ x0
    np.testing.assert_allclose(lhs, rhs, atol=1 * MM)


@given(states, times)
def test_cw_lvlh_and_rsw_forms_are_consistent(x0, t):
    # propagate in LVLH then convert == convert then propagate in RSW (independent forms)
    via_lvlh = _lvlh_to_rsw(_cw_stm(N, t) @ x0)
    via_rsw = _cw_stm_rsw(N, t) @ _lvlh_to_rsw(x0)
    np.testing.assert_allclose(via_lvlh, via_rsw, atol=1 * MM)
    # and through the public Quantity API
    rel = lvlh_to_rsw(x0[:3] * u.km, x0[3:] * u.km / u.s)
    rsw = cw_stm(N_Q, t * u.s, frame="RSW") @ np.concatenate([rel.r.value, rel.v.value])
    np.testing.assert_allclose(rsw, via_lvlh, atol=1 * MM)


def test_cw_unknown_frame_and_unitless_inputs():
    with pytest.raises(UnknownNameError, match="RIC"):
        cw_stm(N_Q, 1 * u.s, frame="RIC")
    with pytest.raises(InputError, match="mean_motion"):
        cw_stm(N, 1 * u.s)
    with pytest.raises(InputError, match="unit"):
        cw_stm(N_Q, 10.0)


# ------------------------------------------------------------------------- YA
def _th_rhs(ecc, a):
    """Tschauner-Hempel linear equations in LVLH (Yamanaka & Ankersen 2002, eq. 73
    in time form), with the target's true anomaly integrated alongside."""
    p = a * (1 - ecc**2)
    h = math.sqrt(MU * p)

    def rhs(_t, y):
        x, yy, z, vx, vy, vz, nu = y
        r = p / (1 + ecc * math.cos(nu))
        nud = h / r**2
        rdot = MU / h * ecc * math.sin(nu)
        nudd = -2 * rdot * nud / r
        k = MU / r**3
        return [
            vx,
            vy,
            vz,
            2 * nud * vz + nudd * z + nud**2 * x - k * x,
            -k * yy,
            -2 * nud * vx - nudd * x + nud**2 * z + 2 * k * z,
            nud,
        ]

    return rhs


@pytest.mark.parametrize("ecc", [0.01, 0.1, 0.4])
def test_ya_matches_tschauner_hempel_integration(ecc):
    a, nu0 = 7000.0, 0.7
    x0 = np.array([1.0, 0.3, -0.5, 1e-3, -2e-4, 5e-4])
    n = math.sqrt(MU / a**3)
    t = np.linspace(0.0, 1.7 * 2 * math.pi / n, 6)
    ref = _integrate(_th_rhs(ecc, a), np.append(x0, nu0), t)[:, :6]
    got = np.einsum("mij,j->mi", _ya_stm(MU, a, ecc, nu0, t), x0)
    np.testing.assert_allclose(got, ref, atol=1 * MM)


@given(st.floats(0.0, 0.7), st.floats(-math.pi, math.pi))
def test_ya_eq82_is_the_inverse_of_eq83(ecc, theta):
    fwd = _ya_inplane_forward(ecc, np.array(theta), 0.0)
    np.testing.assert_allclose(fwd @ _ya_inplane_inverse(ecc, theta), np.eye(4), atol=1e-12)


@given(states, st.floats(0.0, 0.3), st.floats(0.0, 2 * math.pi), times, times)
def test_ya_stm_composition(x0, ecc, nu0, t1, t2):
    a = 6800.0 / (1 - ecc)  # perigee radius 6800 km
    n = math.sqrt(MU / a**3)
    nu1 = float(_kepler_true_anomaly(ecc, nu0, n, np.array(t1)))
    lhs = _ya_stm(MU, a, ecc, nu1, t2) @ (_ya_stm(MU, a, ecc, nu0, t1) @ x0)
    rhs = _ya_stm(MU, a, ecc, nu0, t1 + t2) @ x0
    np.testing.assert_allclose(lhs, rhs, atol=10 * MM, rtol=1e-9)


def test_ya_public_api_and_rsw():
    target = State.from_elements(
        EPOCH, a=6778.137 * u.km, ecc=0.01 * u.one, inc=41.5 * u.deg, nu=30 * u.deg
    )
    phi = ya_stm(target, [0, 100, 200] * u.s)
    assert phi.shape == (3, 6, 6)
    np.testing.assert_allclose(phi[0], np.eye(6), atol=1e-12)
    rsw = ya_stm(target, 100 * u.s, frame="RSW")
    x0 = np.array([0.1, 0.2, 0.3, 1e-4, 0, 0])
    np.testing.assert_allclose(rsw @ _lvlh_to_rsw(x0), _lvlh_to_rsw(phi[1] @ x0), atol=1e-12)


# ------------------------------------------------------------------------- SS
def test_ss_stm_matches_integration_of_ss_equations():
    # Schweighart & Sedwick (2002), eqs. 17-18 and 26 in Hill axes, with this module's
    # reference radius and inclination
    r_ref, inc, j2, re = 6768.0, math.radians(41.5), 1.08262668e-3, 6378.137
    n = math.sqrt(MU / r_ref**3)
    s = 3 * j2 * re**2 / (8 * r_ref**2) * (1 + 3 * math.cos(2 * inc))
    c = math.sqrt(1 + s)
    q = n * c + 1.5 * n * j2 * re**2 / r_ref**2 * math.cos(inc) ** 2

    def rhs(_t, y):
        x, yy, z, vx, vy, vz = y
        return [
            vx,
            vy,
            vz,
            2 * n * c * vy + (5 * c * c - 2) * n * n * x,
            -2 * n * c * vx,
            -q * q * z,
        ]

    x0_rsw = np.array([0.2, -1.0, 0.4, 1e-4, -3e-4, 2e-4])
    t = np.linspace(0.0, 3 * PERIOD, 7)
    ref = _integrate(rhs, x0_rsw, t)
    x0_lvlh = _rsw_to_lvlh(x0_rsw)
    got = _lvlh_to_rsw(
        np.einsum("mij,j->mi", _ss_stm(MU, r_ref, inc, t, j2=j2, r_earth=re), x0_lvlh)
    )
    np.testing.assert_allclose(got, ref, atol=1 * MM)


def test_ss_reduces_to_cw_without_j2():
    t = np.linspace(0, 2 * PERIOD, 5)
    r = (MU / N**2) ** (1 / 3)
    np.testing.assert_allclose(
        _ss_stm(MU, r, 0.7, t, j2=0.0, r_earth=6378.137), _cw_stm(N, t), atol=1e-9
    )


def test_ss_public_api():
    target = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg)
    assert ss_stm(target, [0, 60] * u.s).shape == (2, 6, 6)
    tr = propagate_relative(
        [-1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s, [0, 60] * u.s, model="SS", target=target
    )
    assert tr.r.shape == (2, 3)
    np.testing.assert_allclose(tr.r_km[0], [-1, 0, 0], atol=1 * MM)
    with pytest.raises(InputError, match="target"):
        propagate_relative(
            [-1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s, [0, 60] * u.s, model="SS", mean_motion=N_Q
        )
    with pytest.raises(UnknownNameError, match="HCW"):
        propagate_relative(
            [-1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s, [0, 60] * u.s, model="HCW", target=target
        )


# ------------------------------------------------------------------ targeting
def test_two_impulse_lands_and_raises_near_period_multiples():
    x0 = np.array([-1.0, 0.1, 0.2, 0.0, 0.0, 0.0])
    xf = np.array([-0.4, 0.0, 0.0, 0.0, 0.0, 0.0])
    dv1, dv2 = _cw_two_impulse(N, x0, xf, 2000.0)
    x = _cw_stm(N, 2000.0) @ (x0 + np.r_[0, 0, 0, dv1])
    np.testing.assert_allclose(x + np.r_[0, 0, 0, dv2], xf, atol=1 * MM)
    for k in (1, 2):
        with pytest.raises(InfeasiblePlanError, match=rf"{PERIOD:.1f} s") as exc:
            _cw_two_impulse(N, x0, xf, k * PERIOD * (1 + 1e-4))
        assert "period" in str(exc.value)
    with pytest.raises(InfeasiblePlanError, match="half the period"):
        _cw_two_impulse(N, np.r_[0, 0.1, 0, 0, 0, 0.0], np.r_[-0.4, 0.3, 0, 0, 0, 0.0], PERIOD / 2)
    with pytest.raises(InputError, match="transfer time"):
        _cw_two_impulse(N, x0, xf, -5.0)


def test_two_impulse_public_api_burns():
    plan = two_impulse_transfer(
        [-1, 0, 0] * u.km,
        [0, 0, 0] * u.m / u.s,
        [-0.4, 0, 0] * u.km,
        [0, 0, 0] * u.m / u.s,
        30 * u.min,
        mean_motion=N_Q,
        epoch0=EPOCH,
    )
    burns = plan.burns()
    assert [b.label for b in burns] == ["TI1", "TI2"]
    assert all(b.frame == "LVLH" for b in burns)
    assert abs((burns[1].epoch - EPOCH).to_value(u.s) - 1800.0) < 1e-6
    assert plan.total_dv.unit == u.m / u.s
    assert "TI1" in str(plan)
    np.testing.assert_allclose(plan.state_after(1800.0), [-0.4, 0, 0, 0, 0, 0], atol=1 * MM)
    with pytest.raises(InputError, match="epoch0"):
        two_impulse_transfer(
            [-1, 0, 0] * u.km,
            [0, 0, 0] * u.m / u.s,
            [-0.4, 0, 0] * u.km,
            [0, 0, 0] * u.m / u.s,
            30 * u.min,
            mean_motion=N_Q,
        ).burns()


def test_ya_two_impulse_lands_under_ya():
    target = State.from_elements(
        EPOCH, a=6878.137 * u.km, ecc=0.02 * u.one, inc=41.5 * u.deg, nu=10 * u.deg
    )
    plan = two_impulse_transfer(
        [-2, 0.1, 0.3] * u.km,
        [0, 0, 0] * u.m / u.s,
        [-0.4, 0, 0] * u.km,
        [0, 0, 0] * u.m / u.s,
        40 * u.min,
        model="YA",
        target=target,
    )
    np.testing.assert_allclose(plan.state_after(2400.0), [-0.4, 0, 0, 0, 0, 0], atol=1 * MM)
    assert plan.epoch0 == target.epoch


def test_hops_follow_fehse_formulas_and_land():
    # Fehse (2003), eq. 3.28: tangential hop dv = n dx / (6 pi); eq. 3.30: radial dv = n dx / 4
    tan = tangential_hop(-5 * u.km, -3 * u.km, mean_motion=N_Q)
    np.testing.assert_allclose(tan.dv_km_s[0], [-N * 2.0 / (6 * math.pi), 0, 0], atol=UM_S)
    np.testing.assert_allclose(tan.t_s[-1], PERIOD, rtol=1e-12)
    rad = radial_hop(-3 * u.km, -0.4 * u.km, mean_motion=N_Q)
    np.testing.assert_allclose(rad.dv_km_s, [[0, 0, N * 2.6 / 4]] * 2, atol=UM_S)
    for plan, end in ((tan, -3.0), (rad, -0.4)):
        np.testing.assert_allclose(
            plan.state_after(plan.t_s[-1]), [end, 0, 0, 0, 0, 0], atol=1 * MM
        )


def test_straight_line_acceleration_keeps_the_line():
    # Fehse (2003), eq. 3.41: V-bar motion needs a_z = 2 n vx; check by integrating CW with it
    plan = straight_line(
        [-0.2, 0, 0] * u.km, "+V-bar", 0.2 * u.m / u.s, 0.18 * u.km, mean_motion=N_Q, n_pulses=6
    )
    acc = plan.acceleration_lvlh.to_value(u.km / u.s**2)
    np.testing.assert_allclose(acc[:, 2], 2 * N * 0.2e-3, rtol=1e-12)
    np.testing.assert_allclose(acc[:, :2], 0.0, atol=1e-18)
    vel = plan.velocity_lvlh.to_value(u.km / u.s)

    def rhs(t, y):
        a = np.array([-2 * N * vel[2], N * N * y[1], 2 * N * vel[0] - 3 * N * N * y[2]])
        return np.concatenate([y[3:], np.array(_cw_rhs(t, y)[3:]) + a])

    t = plan.t_s
    traj = _integrate(rhs, np.r_[-0.2, 0, 0, vel], t)
    np.testing.assert_allclose(traj[:, :3], plan.r_lvlh.to_value(u.km), atol=1 * MM)
    np.testing.assert_allclose(
        plan.dv_continuous.to_value(u.m / u.s), 2 * N * 0.2 * 900.0, rtol=1e-9
    )
    end = plan.pulses.state_after(plan.pulses.t_s[-1])
    np.testing.assert_allclose(end, [-0.02, 0, 0, 0, 0, 0], atol=1 * MM)


def test_straight_line_along_r_bar_needs_continuous_thrust():
    plan = straight_line(
        [0, 0, 0.3] * u.km, "-R-bar", 0.1 * u.m / u.s, 0.25 * u.km, mean_motion=N_Q
    )
    acc = plan.acceleration_lvlh.to_value(u.km / u.s**2)
    np.testing.assert_allclose(acc[:, 0], -2 * N * (-0.1e-3), rtol=1e-12)  # a_x = -2 n vz
    assert plan.total_dv > 0.2 * u.m / u.s
    with pytest.raises(UnknownNameError, match="V-bar"):
        straight_line([0, 0, 0.3] * u.km, "up", 0.1 * u.m / u.s, 0.25 * u.km, mean_motion=N_Q)


def test_glideslope_profile_and_arrival():
    r0, rf = np.array([-0.4, 0.0, 0.0]), np.array([-0.02, 0.0, 0.0])
    plan = glideslope(r0 * u.km, rf * u.km, -0.5 * u.m / u.s, -0.05 * u.m / u.s, 8, mean_motion=N_Q)
    # Hablani et al. (2002), eqs. 4-8: rho(t) = rho0 e^{at} + (rho_T/a)(e^{at} - 1)
    rho0, rd0, rdt = 0.38, -0.5e-3, -0.05e-3
    a = (rd0 - rdt) / rho0
    t = plan.t_s
    rho = rho0 * np.exp(a * t) + rdt / a * (np.exp(a * t) - 1)
    wp = plan.waypoints.to_value(u.km)
    np.testing.assert_allclose(np.linalg.norm(wp - rf, axis=-1)[:-1], rho[:-1], atol=1 * MM)
    np.testing.assert_allclose(t[-1], math.log(rdt / rd0) / a, rtol=1e-12)
    end = plan.state_after(t[-1])
    np.testing.assert_allclose(end[:3], rf, atol=1 * MM)
    np.testing.assert_allclose(end[3:], [0.05e-3, 0, 0], atol=UM_S)
    traj = plan.trajectory(t * u.s)
    np.testing.assert_allclose(traj.r_km, wp, atol=1 * MM)
    with pytest.raises(InputError, match="range rates"):
        glideslope(r0 * u.km, rf * u.km, -0.05 * u.m / u.s, -0.5 * u.m / u.s, 8, mean_motion=N_Q)


def test_fly_around_vbar_to_rbar():
    plan = fly_around(0.4 * u.km, "-V-bar", "+R-bar", 45 * u.min, n_legs=4, mean_motion=N_Q)
    wp = plan.waypoints.to_value(u.km)
    np.testing.assert_allclose(np.linalg.norm(wp, axis=-1), 0.4, rtol=1e-12)
    np.testing.assert_allclose(plan.state_after(plan.t_s[-1]), [0, 0, 0.4, 0, 0, 0], atol=1 * MM)
    with pytest.raises(InputError, match="opposite"):
        fly_around(0.4 * u.km, "-V-bar", "+V-bar", mean_motion=N_Q)


# ------------------------------------------------------------------ safety
def test_zone_objects_contain():
    kos, ae = KeepOutSphere(), ApproachEllipsoid()
    assert kos.radius == 200 * u.m  # mission-facts.md sec. 4 (SE-KOS)
    np.testing.assert_allclose(ae.semi_axes.to_value(u.km), [2, 1, 1])  # 4 x 2 x 2 km full axes
    pts = [[0.19, 0, 0], [0, 0.21, 0], [-1.9, 0, 0], [0, 0, 1.01]] * u.km
    assert kos.contains(pts).tolist() == [True, False, False, False]
    assert ae.contains(pts).tolist() == [True, True, True, False]
    assert kos.contains(np.zeros((4, 5, 3)) * u.m).shape == (4, 5)
    cor = ApproachCorridor("+R-bar", 10 * u.deg)
    tan10 = math.tan(math.radians(10))
    assert cor.contains(
        [[0, 0, 1], [0.99 * tan10, 0, 1], [1.01 * tan10, 0, 1], [0, 0, -1]] * u.km
    ).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert ApproachCorridor([1, 1, 0]).contains([[1, 1, 0]] * u.m).tolist() == [True]
    with pytest.raises(InputError, match="radius"):
        KeepOutSphere(-1 * u.m)
    with pytest.raises(InputError, match="half-angle"):
        ApproachCorridor(half_angle=95 * u.deg)
    with pytest.raises(UnknownNameError, match="corridor axis"):
        ApproachCorridor("V-bar")


def test_passive_safety_batch_and_errors():
    r = np.array([[-0.4, 0, 0], [-1.0, 0, 0.025]]) * u.km
    rep = passive_safety((r, np.zeros((2, 3)) * u.m / u.s), N_Q)
    assert rep.safe.tolist() == [True, False]
    assert rep.min_range.shape == (2,)
    assert np.isinf(rep.t_entry[0]) and np.isfinite(rep.t_entry[1])
    assert "of 2 states safe" in str(rep)
    with pytest.raises(InputError, match="LVLH"):
        from qingzhou_sim.frames import RelativeState

        passive_safety(RelativeState([1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s, "RSW"), N_Q)
    with pytest.raises(UnknownNameError, match="YA"):
        passive_safety(([1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s), N_Q, model="YA")


def test_safety_ellipse_never_crosses_vbar():
    se = safety_ellipse(
        0.3 * u.km, 0.2 * u.km, along_track_center=-1 * u.km, phase=40 * u.deg, mean_motion=N_Q
    )
    t = np.linspace(0, 3 * PERIOD, 2001)
    tr = propagate_relative(se.r_lvlh, se.v_lvlh, t * u.s, mean_motion=N_Q)
    dist_vbar = np.hypot(tr.r_km[:, 1], tr.r_km[:, 2])
    assert dist_vbar.min() >= se.min_distance_to_vbar.to_value(u.km) - 1 * MM
    np.testing.assert_allclose(tr.r_km[-1], tr.r_km[0], atol=1 * MM)  # drift-free
    with pytest.raises(InputError, match="amplitudes"):
        safety_ellipse(0 * u.km, 0.2 * u.km, mean_motion=N_Q)


def test_collision_avoidance_burn_exits_ellipsoid_and_is_safe():
    cam = collision_avoidance_burn(([-0.4, 0, 0] * u.km, [0, 0, 0] * u.m / u.s), N_Q)
    assert bool(cam.report.safe)
    assert cam.exit_time <= PERIOD * u.s
    x0 = np.r_[-0.4, 0, 0, cam.dv_lvlh.to_value(u.km / u.s)]
    t = np.linspace(0, 24 * 3600, 5000)
    pos = _cw_propagate(N, x0, t)[:, :3]
    after = t > cam.exit_time.to_value(u.s) + 60
    assert not ApproachEllipsoid().contains(pos[after] * u.km).any()
    assert cam.burn(EPOCH).frame == "LVLH"
    with pytest.raises(InfeasiblePlanError, match="dv_max"):
        collision_avoidance_burn(
            ([-0.4, 0, 0] * u.km, [0, 0, 0] * u.m / u.s), N_Q, dv_max=1 * u.mm / u.s
        )


def test_relative_truth_rejects_mismatched_epochs():
    a = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg)
    b = State.from_elements(EPOCH + 1 * u.s, a=6768.137 * u.km, inc=41.5 * u.deg)
    with pytest.raises(EpochOrderError, match="epochs differ"):
        relative_truth(a, b, [0, 10] * u.s)
    with pytest.raises(EpochOrderError, match="increasing"):
        relative_truth(a, a, [10, 0] * u.s)


def test_cw_kernels_fill_preallocated_out_and_match_the_stm_product():
    t = np.linspace(0.0, PERIOD, 13)
    x0 = np.random.default_rng(3).normal(size=(4, 6)) * [1, 1, 1, 1e-3, 1e-3, 1e-3]
    buf = np.empty((4, 13, 6))
    got = _cw_propagate(N, x0, t, out=buf)
    assert got is buf
    np.testing.assert_allclose(got, np.einsum("mij,kj->kmi", _cw_stm(N, t), x0), atol=1e-12)
    stm_buf = np.empty((13, 6, 6))
    assert _cw_stm(N, t, out=stm_buf) is stm_buf
    with pytest.raises(InputError, match="out"):
        _cw_stm(N, t, out=np.empty((12, 6, 6)))
    with pytest.raises(InputError, match="out"):
        _cw_propagate(N, x0, t, out=np.empty((4, 13, 6), dtype=np.float32))


def test_targets_given_as_elements_and_truth_duration():
    target = State.from_elements(
        EPOCH, a=6778.137 * u.km, ecc=0.01 * u.one, inc=41.5 * u.deg, nu=30 * u.deg
    )
    t = [0, 300, 900] * u.s
    np.testing.assert_allclose(ya_stm(target.elements(), t), ya_stm(target, t), atol=1e-9)
    np.testing.assert_allclose(ss_stm(target.elements(), t), ss_stm(target, t), atol=1e-9)
    tr = relative_truth(target, target, 10 * u.min, step=1 * u.min, max_degree=2)
    assert tr.t_s.tolist() == [60.0 * k for k in range(11)]
    np.testing.assert_allclose(tr.r_km, 0.0, atol=1e-9)
    with pytest.raises(InputError, match="State or Elements"):
        ya_stm("ISS", t)


def test_ya_two_impulse_singular_near_period():
    target = State.from_elements(EPOCH, a=6878.137 * u.km, ecc=0.02 * u.one, inc=41.5 * u.deg)
    with pytest.raises(InfeasiblePlanError, match="period"):
        two_impulse_transfer(
            [-2, 0, 0] * u.km,
            [0, 0, 0] * u.m / u.s,
            [-0.4, 0, 0] * u.km,
            [0, 0, 0] * u.m / u.s,
            target.period,
            model="YA",
            target=target,
        )
