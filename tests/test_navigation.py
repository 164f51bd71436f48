"""Navigation filters: time updates against matrix exponentials, measurement updates
against closed forms, sensor-to-filter geometry round trips, input errors."""

from dataclasses import replace

import numpy as np
import pytest
from numba import njit
from scipy.linalg import expm
from scipy.spatial.transform import Rotation

from qingzhou_sim.docking import navigation as nav
from qingzhou_sim.docking import sensors as sen
from qingzhou_sim.docking._quat import qconj, qmul, qto_rotvec
from qingzhou_sim.errors import InputError

N_MEAN = 1.13e-3  # rad/s, a ~390 km orbit
ID = np.array([1.0, 0.0, 0.0, 0.0])
W0 = np.zeros(3)
ZERO_P = np.zeros((nav.N_ERR, nav.N_ERR))
OMEGA_LVLH = np.array([0.0, -N_MEAN, 0.0])
MM = 1e-6  # km
NRAD = 1e-9  # rad
QUIET = {
    "noise_sigma": (0.0,) * 6,
    "noise_sigma_per_km": (0.0,) * 6,
    "bias_sigma": (0.0,) * 6,
    "misalignment_sigma_deg": 0.0,
    "dropout_probability": 0.0,
}
GEOMETRY = {
    "mount_position_m": (1.5, -0.4, 0.3),
    "mount_q_body_sensor": tuple(np.roll(Rotation.from_rotvec([0.01, 0.03, -0.02]).as_quat(), 1)),
    "target_position_m": (-5.0, 0.6, 1.2),
    "target_q_station_target": tuple(np.roll(Rotation.from_rotvec([0.2, 0.1, 3.0]).as_quat(), 1)),
}


def _q(rotvec):
    return np.roll(Rotation.from_rotvec(rotvec).as_quat(), 1)


def _fp(**kw):
    sp = sen.SensorSuite().params()
    cfg = nav.FilterConfig(**kw)
    return sp, cfg.params(sp, dv_magnitude_sigma=0.01, dv_pointing_sigma_deg=1.0)


def _cw_matrix(n):
    """CW system matrix (Fehse 2003, eq. 3.22), LVLH x V-bar, y H-bar, z R-bar."""
    a = np.zeros((6, 6))
    a[:3, 3:] = np.eye(3)
    a[3, 5] = 2 * n
    a[4, 1] = -n * n
    a[5, 2] = 3 * n * n
    a[5, 3] = -2 * n
    return a


# ---------------------------------------------------------------------- translation
def test_translation_time_update_is_the_cw_flow_after_the_fired_impulse():
    _, fp = _fp(process_accel_m_s2=0.0, process_accel_per_km_m_s2=0.0)
    x0 = np.array([-1.0, 0.02, 0.05, 1e-4, -2e-5, 3e-5])
    dv = np.array([2e-5, 0.0, -1e-5])
    x, _, _, p = nav.predict_navigation(x0, ID, np.zeros(3), ZERO_P, dv, W0, 300.0, N_MEAN, W0, fp)
    expected = expm(_cw_matrix(N_MEAN) * 300.0) @ (x0 + np.r_[0, 0, 0, dv])
    np.testing.assert_allclose(x, expected, atol=1e-3 * MM)


def test_execution_error_of_the_fired_impulse_enters_the_velocity_covariance():
    _, fp = _fp(process_accel_m_s2=0.0, process_accel_per_km_m_s2=0.0)
    dv = np.array([1e-4, 0.0, 0.0])  # 0.1 m/s along V-bar, fired at the start
    _, _, _, p = nav.predict_navigation(np.zeros(6), ID, W0, ZERO_P, dv, W0, 0.0, N_MEAN, W0, fp)
    # magnitude 1 % along the impulse, pointing 1 deg across it
    along, across = 0.01 * 1e-4, np.deg2rad(1.0) * 1e-4
    np.testing.assert_allclose(np.diag(p)[3:6], [along**2, across**2, across**2], rtol=1e-12)


def test_process_noise_grows_with_range():
    _, fp = _fp()

    def velocity_variance(x_km):
        x0 = np.array([x_km, 0, 0, 0, 0, 0.0])
        p = nav.predict_navigation(x0, ID, W0, ZERO_P, W0, W0, 60.0, N_MEAN, W0, fp)[3]
        return p[3, 3]

    assert velocity_variance(-10.0) > 10 * velocity_variance(-0.1) > 0


def test_gnss_update_matches_the_scalar_kalman_gain():
    sp, fp = _fp(include_bias_in_r=False)
    x0 = np.array([-2.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    p0 = np.diag([1e-4, 1e-4, 1e-4, 1e-9, 1e-9, 1e-9] + [1e-8] * 6)
    z = x0 + np.array([3e-3, -1e-3, 2e-3, 1e-5, 0.0, -1e-5])
    x, q, _, p = nav.update_gnss(x0, ID, W0, p0, z, sp.gnss, fp)
    r = (sp.gnss[sen.R_SIGA : sen.R_SIGA + 6]) ** 2
    gain = np.diag(p0)[:6] / (np.diag(p0)[:6] + r)
    np.testing.assert_allclose(x, x0 + gain * (z - x0), rtol=1e-10, atol=1e-12 * MM)
    np.testing.assert_allclose(np.diag(p)[:6], (1 - gain) * np.diag(p0)[:6], rtol=1e-10)
    np.testing.assert_array_equal(q, ID)  # uncorrelated attitude: untouched
    np.testing.assert_allclose(p[6:, 6:], p0[6:, 6:], rtol=1e-12)


def test_bias_inflation_widens_the_measurement_covariance():
    sp, fp_in = _fp()
    _, fp_out = _fp(include_bias_in_r=False)
    x0, q0, b0, p0 = nav.init_navigation(np.r_[-2.0, 0, 0, 0, 0, 0.0], ID, 0.05, 1e-4, 1e-3, 1e-6)
    z = x0 + 1e-3
    wide = nav.update_gnss(x0, q0, b0, p0, z, sp.gnss, fp_in)[3][0, 0]
    assert wide > nav.update_gnss(x0, q0, b0, p0, z, sp.gnss, fp_out)[3][0, 0]


@pytest.mark.parametrize("kind", ["lidar", "camera"])
def test_sensor_to_filter_geometry_round_trip(kind):
    # a noise-free sample converted back by the filter gives the true centre of mass
    suite = sen.SensorSuite()
    cfg = replace(getattr(suite, kind), **QUIET, **GEOMETRY)
    p = cfg.params()
    _, fp = _fp()
    rel = np.array([-0.08, 0.003, -0.002, 0.0, 0.0, 0.0])
    q_lb = _q([0.02, -0.01, 0.03])
    q_ls = _q([0.001, -0.002, 0.0015])  # the station's attitude, known to the filter here
    noise = np.zeros(sen.NZ_REL)
    e = np.zeros(sen.E_LEN)
    # attitude known exactly (zero attitude covariance)
    x0, _, b0, p0 = nav.init_navigation(
        rel + np.r_[0.01, -0.01, 0.01, 0, 0, 0], q_lb, 1.0, 1e-3, 0, 0
    )
    if kind == "lidar":
        ok, z = sen.measure_lidar(p, e, rel, q_lb, q_ls, noise)
        x, _, _, _ = nav.update_lidar(x0, q_lb, b0, p0, z, p, q_ls, fp)
    else:
        ok, z = sen.measure_camera(p, e, rel, q_lb, q_ls, noise)
        x, _, _, _ = nav.update_camera_position(x0, q_lb, b0, p0, z, p, q_ls, fp)
    assert ok
    np.testing.assert_allclose(x[:3], rel[:3], atol=1e-3 * MM)


def test_camera_attitude_round_trip():
    cfg = replace(sen.SensorSuite().camera, **QUIET, **GEOMETRY)
    p = cfg.params()
    _, fp = _fp()
    q_lb = _q([0.02, -0.01, 0.03])
    q_ls = _q([0.001, -0.002, 0.0015])
    ok, z = sen.measure_camera(
        p, np.zeros(sen.E_LEN), np.r_[-0.05, 0, 0, 0, 0, 0.0], q_lb, q_ls, np.zeros(7)
    )
    x0, q0, b0, p0 = nav.init_navigation(
        np.r_[-0.05, 0, 0, 0, 0, 0.0], qmul(q_lb, _q([0.01, 0.0, -0.01])), 0.01, 1e-5, 0.05, 1e-6
    )
    _, q, _, p1 = nav.update_camera_attitude(x0, q0, b0, p0, z, p, q_ls, fp)
    pa = p1[6:, 6:]
    assert ok
    np.testing.assert_allclose(qto_rotvec(qmul(qconj(q), q_lb)), 0.0, atol=10 * NRAD)
    assert np.all(np.diag(pa)[:3] < 1e-12)


# ------------------------------------------------------------------------- attitude
def test_attitude_time_update_follows_a_known_spin():
    _, fp = _fp()
    omega = np.deg2rad([0.3, -0.2, 0.5])  # inertial body rate, rad/s
    q0 = _q([0.4, -1.0, 0.2])
    x, q, b, p = nav.init_navigation(np.zeros(6), q0, 0.0, 0.0, 0.01, 1e-6)
    for _ in range(100):
        x, q, b, p = nav.predict_navigation(x, q, b, p, W0, omega, 2.0, N_MEAN, OMEGA_LVLH, fp)
    t = 200.0
    expected = (
        Rotation.from_rotvec(-OMEGA_LVLH * t)
        * Rotation.from_quat(np.roll(q0, -1))
        * Rotation.from_rotvec(omega * t)
    )
    got = Rotation.from_quat(np.roll(q, -1))
    assert (got.inv() * expected).magnitude() < 100 * NRAD


def _f(w):
    """Continuous error dynamics of the MEKF (Markley & Crassidis 2014, eq. 6.60)."""
    wx = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])
    f = np.zeros((6, 6))
    f[:3, :3] = -wx
    f[:3, 3:] = -np.eye(3)
    return f


@pytest.mark.parametrize("scale", [1.0, 1e-4])  # closed form, and its small-angle series
def test_attitude_error_transition_is_the_matrix_exponential(scale):
    w = scale * np.array([0.02, -0.05, 0.03])
    dt = 3.0
    np.testing.assert_allclose(nav._phi_attitude(w, dt), expm(_f(w) * dt), atol=1e-13)


def test_attitude_process_noise_is_van_loans_at_zero_rate():
    sp, fp = _fp()
    dt = 5.0
    sv, su = sp.gyro[sen.G_ARW], sp.gyro[sen.G_RRW]
    f = _f(np.zeros(3))
    g = np.diag([-1.0, -1, -1, 1, 1, 1])
    qc = np.diag([sv**2] * 3 + [su**2] * 3)
    m = np.zeros((12, 12))
    m[:6, :6] = -f
    m[:6, 6:] = g @ qc @ g.T
    m[6:, 6:] = f.T
    e = expm(m * dt)
    qd = e[6:, 6:].T @ e[:6, 6:]  # Van Loan (1978)
    p = nav.predict_navigation(np.zeros(6), ID, W0, ZERO_P, W0, W0, dt, N_MEAN, W0, fp)[3]
    np.testing.assert_allclose(p[6:, 6:], qd, rtol=1e-9, atol=1e-30)
    np.testing.assert_array_equal(p[:6, 6:], 0.0)  # no cross term from the time update


def test_star_tracker_update_pulls_toward_the_measurement():
    sp, fp = _fp()
    q_true = _q([0.3, 0.2, -0.1])
    x0, q0, b0, p0 = nav.init_navigation(
        np.zeros(6), qmul(q_true, _q([1e-3, -2e-3, 5e-4])), 0.01, 1e-5, 0.01, 1e-6
    )
    pa0 = p0[6:, 6:]
    _, q, _, p = nav.update_star_tracker(x0, q0, b0, p0, q_true, sp.star, fp)
    pa = p[6:, 6:]
    before = np.linalg.norm(qto_rotvec(qmul(qconj(q0), q_true)))
    after = np.linalg.norm(qto_rotvec(qmul(qconj(q), q_true)))
    assert after < 0.01 * before
    assert np.all(np.diag(pa)[:3] < np.diag(pa0)[:3])


def test_body_rates_remove_the_lvlh_rotation():
    w, w_rel = nav.body_rates(
        np.array([1.0, 0, 0, 0]), np.array([1e-6, 0, 0]), OMEGA_LVLH + [1e-6, 0, 0], OMEGA_LVLH
    )
    np.testing.assert_allclose(w, OMEGA_LVLH, atol=1e-18)
    np.testing.assert_allclose(w_rel, 0.0, atol=1e-18)


# ---------------------------------------------------------------------- bad input
def test_bad_filter_configuration_is_rejected():
    with pytest.raises(InputError, match="process_accel_m_s2"):
        nav.FilterConfig(process_accel_m_s2=-1.0)
    sp = sen.SensorSuite().params()
    with pytest.raises(InputError, match="dv_pointing_sigma_deg"):
        nav.FilterConfig().params(sp, dv_magnitude_sigma=0.01, dv_pointing_sigma_deg=float("nan"))


# ----------------------------------------------------------- the documented step
@njit
def _documented_loop(sp, err, fp, rel, steps, dt, n, noise, gyro_bias):
    # the calls of the module texts, compiled as the approach loop compiles them; the
    # chaser rests on V-bar (a CW equilibrium) holding the LVLH attitude
    omega_lvlh = np.array([0.0, -n, 0.0])
    q_nom = np.array([1.0, 0.0, 0.0, 0.0])
    x, q, b, p = nav.init_navigation(rel, q_nom, 0.01, 2e-5, 0.01, 1e-6)
    counts = np.zeros(4)
    for k in range(steps):
        rng_est = np.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
        ok, z_g, z_l, z_c, q_st, om, gyro_bias = sen.sample_sensors(
            sp, err, rng_est, rel, q_nom, q_nom, omega_lvlh, gyro_bias, dt, noise[k]
        )
        x, q, b, p = nav.update_navigation(x, q, b, p, ok, z_g, z_l, z_c, q_st, sp, q_nom, fp)
        for i in range(4):
            counts[i] += ok[i]
        x, q, b, p = nav.predict_navigation(x, q, b, p, np.zeros(3), om, dt, n, omega_lvlh, fp)
    return x, p, q, counts


def test_the_documented_step_runs_compiled_and_converges():
    suite = sen.SensorSuite()
    sp = suite.params()
    err = sen.draw_run_errors(sp, 5)
    _, fp = _fp()
    rel = np.array([-0.1, 0.0, 0.0, 0.0, 0.0, 0.0])  # 100 m on V-bar: lidar and camera
    noise = sen.draw_step_noise(300, 6)
    x, p, q, counts = _documented_loop(
        sp, err, fp, rel, 300, 1.0, N_MEAN, noise, err.gyro_bias.copy()
    )
    assert counts[0] == 0 and counts[1:].min() > 250  # GNSS not selected at 100 m
    # the white-noise covariance alone misses the run's constant sensor biases (default
    # suite: lidar range bias 0.1 m, misalignments 0.05 deg ~ 9 cm at 100 m) ...
    use = sen.select_sensors(0.1, sp.gnss, sp.lidar, sp.camera)
    err_pos = x[:3] - rel[:3]
    assert err_pos @ np.linalg.solve(p[:3, :3], err_pos) > 100.0
    # ... the bias covariance of the blended fixes bounds them (chi-square 3 dof,
    # 99.9 %: 16.3)
    total = p[:3, :3] + nav.bias_covariance(x, q, sp, np.array([1.0, 0, 0, 0]), use, fp)
    assert err_pos @ np.linalg.solve(total, err_pos) < 16.3
    # the star tracker's misalignment is the attitude's (20 arcsec, inside R)
    assert np.linalg.norm(qto_rotvec(q)) < 4 * np.sqrt(np.trace(p[6:9, 6:9]))


def test_position_fix_is_the_finest_valid_sample():
    sp = sen.SensorSuite().params()
    _, fp = _fp()
    q = np.array([1.0, 0, 0, 0])
    rel = np.array([-0.1, 0.001, -0.002, 0, 0, 0.0])
    e = np.zeros(sen.E_LEN)
    quiet = np.zeros(sen.NZ_REL)
    _, z_l = sen.measure_lidar(sp.lidar, e, rel, q, q, quiet)
    _, z_c = sen.measure_camera(sp.camera, e, rel, q, q, quiet)
    z_g = np.full(6, np.nan)
    both = np.array([False, True, True, True])
    ok, pos, cov = nav.position_fix(both, z_g, z_l, z_c, sp, q, q, fp)
    assert ok
    np.testing.assert_allclose(pos, rel[:3], atol=1e-3 * MM)
    # the camera's lateral accuracy at 100 m (3 mm + 1 m/km, plus bias and misalignment)
    lidar_only = np.array([False, True, False, True])
    cov_l = nav.position_fix(lidar_only, z_g, z_l, z_c, sp, q, q, fp)[2]
    assert cov[1, 1] < cov_l[1, 1]
    none = np.array([False, False, False, True])
    assert not nav.position_fix(none, z_g, z_l, z_c, sp, q, q, fp)[0]
