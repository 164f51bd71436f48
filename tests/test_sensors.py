"""Navigation sensors: field of view, dropouts, biases and misalignments, hand-over
windows, gyro noise, geometry against scipy's Rotation, input errors."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from qingzhou_sim.docking import sensors as sen
from qingzhou_sim.docking._quat import qfrom_rotvec
from qingzhou_sim.errors import InputError, UnknownNameError

MM = 1e-6  # km
UM_S = 1e-9  # km/s
URAD = 1e-6  # rad
IDENTITY = np.array([1.0, 0.0, 0.0, 0.0])
NO_NOISE = np.zeros(sen.NZ_REL)  # a sample with every noise draw 0 (and no dropout)


def _quiet(cfg, **changes):
    """The sensor without noise, bias, misalignment or dropout (then ``changes``)."""
    base = {
        "noise_sigma": (0.0,) * 6,
        "noise_sigma_per_km": (0.0,) * 6,
        "bias_sigma": (0.0,) * 6,
        "misalignment_sigma_deg": 0.0,
        "dropout_probability": 0.0,
    }
    base.update(changes)
    return replace(cfg, **base)


def _errors(bias=(0.0,) * 6, mis=(0.0,) * 3):
    e = np.zeros(sen.E_LEN)
    e[sen.E_BIAS : sen.E_BIAS + 6] = bias
    e[sen.E_MIS : sen.E_MIS + 3] = mis
    return e


def _rel(x_km, y_km=0.0, z_km=0.0):
    return np.array([x_km, y_km, z_km, 0.0, 0.0, 0.0])


def _yawed(deg):
    """Chaser attitude turned by ``deg`` about LVLH z (its boresight leaves +x)."""
    return np.roll(Rotation.from_euler("z", deg, degrees=True).as_quat(), 1)


# ------------------------------------------------------------------- field of view
@pytest.mark.parametrize("kind", ["lidar", "camera"])
def test_field_of_view_limits_the_samples(kind):
    cfg = _quiet(getattr(sen.SensorSuite(), kind))
    p = cfg.params()
    measure = sen.measure_lidar if kind == "lidar" else sen.measure_camera
    rel = _rel(-0.1)  # 100 m behind the station, boresight (+x) toward it
    half = cfg.fov_half_angle_deg
    for deg, visible in (
        (0.0, True),
        (half - 0.5, True),
        (half + 0.5, False),
        (-half - 0.5, False),
    ):
        ok, z = measure(p, _errors(), rel, _yawed(deg), IDENTITY, NO_NOISE)
        assert ok is visible, deg
        assert bool(np.all(np.isfinite(z))) is visible


def test_gnss_has_no_field_of_view():
    p = _quiet(sen.SensorSuite().gnss).params()
    ok, z = sen.measure_gnss(p, _errors(), _rel(-2.0, 0.5, 0.3), NO_NOISE)
    assert ok
    np.testing.assert_allclose(z, _rel(-2.0, 0.5, 0.3), atol=MM)


# -------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("prob", [0.0, 0.05, 0.3])
def test_dropout_rate(prob):
    p = _quiet(sen.SensorSuite().gnss, dropout_probability=prob).params()
    noise = sen.draw_step_noise(20_000, 7)[:, sen.NZ_GNSS : sen.NZ_GNSS + sen.NZ_REL]
    lost = np.mean([not sen.measure_gnss(p, _errors(), _rel(-2.0), nz)[0] for nz in noise])
    # binomial standard error of the observed share over 20 000 samples, 4 sigma
    tol = 4.0 * np.sqrt(max(prob * (1 - prob), 1e-12) / len(noise))
    assert abs(lost - prob) <= tol


def test_star_tracker_dropout_rate():
    s = sen.StarTrackerConfig(noise_sigma_arcsec=(0.0,) * 3, dropout_probability=0.1).params()
    noise = sen.draw_step_noise(20_000, 8)[:, sen.NZ_STAR : sen.NZ_STAR + 4]
    lost = np.mean([not sen.measure_star_tracker(s, np.zeros(3), IDENTITY, nz)[0] for nz in noise])
    assert abs(lost - 0.1) <= 4.0 * np.sqrt(0.1 * 0.9 / len(noise))


# ------------------------------------------------------------ bias and misalignment
def test_gnss_bias_is_added():
    p = _quiet(sen.SensorSuite().gnss).params()
    bias = np.array([1e-3, -2e-3, 0.5e-3, 1e-6, 0.0, -2e-6])
    ok, z = sen.measure_gnss(p, _errors(bias=bias), _rel(-2.0, 0.1), NO_NOISE)
    assert ok
    np.testing.assert_allclose(z[:3], _rel(-2.0, 0.1)[:3] + bias[:3], atol=MM * 1e-3)
    np.testing.assert_allclose(z[3:], bias[3:], atol=UM_S * 1e-3)


def test_lidar_bias_and_misalignment_shift_range_and_angles():
    p = _quiet(sen.SensorSuite().lidar).params()
    bias = np.array([0.2e-3, 1e-4, -2e-4, 0, 0, 0])  # 0.2 m, 0.1 and -0.2 mrad
    mis = np.array([0.0, 0.0, 2e-3])  # the lidar turned 2 mrad about its z axis
    rel = _rel(-1.0)  # target 1 km along the boresight
    ok, z = sen.measure_lidar(p, _errors(bias, mis), rel, IDENTITY, IDENTITY, NO_NOISE)
    assert ok
    # turned by +2 mrad about z, the sensor sees the target at azimuth -2 mrad
    np.testing.assert_allclose(z, [1.0 + 0.2e-3, -2e-3 + 1e-4, -2e-4], atol=1e-3 * URAD)


def test_star_tracker_misalignment_is_a_constant_rotation():
    s = sen.StarTrackerConfig(noise_sigma_arcsec=(0.0,) * 3).params()
    mis = np.array([1e-4, -2e-4, 3e-4])
    q = np.roll(Rotation.from_rotvec([0.3, -0.2, 1.0]).as_quat(), 1)
    ok, qm = sen.measure_star_tracker(s, mis, q, np.zeros(4))
    expected = Rotation.from_rotvec([0.3, -0.2, 1.0]) * Rotation.from_rotvec(mis)
    assert ok
    np.testing.assert_allclose(np.roll(qm, -1), expected.as_quat(), atol=1e-12)


def test_run_errors_follow_their_sigmas_and_the_seed():
    sp = sen.SensorSuite().params()
    draws = [sen.draw_run_errors(sp, seed) for seed in range(4000)]
    lidar = np.array([d.lidar for d in draws])
    # sample standard deviation of 4000 normals: relative standard error 1.1 %, 5 sigma
    np.testing.assert_allclose(
        lidar[:, sen.E_BIAS : sen.E_BIAS + 3].std(axis=0),
        sp.lidar[sen.R_BIAS : sen.R_BIAS + 3],
        rtol=0.06,
    )
    np.testing.assert_allclose(lidar[:, sen.E_MIS :].std(axis=0), sp.lidar[sen.R_MIS], rtol=0.06)
    np.testing.assert_allclose(
        np.array([d.gyro_bias for d in draws]).std(axis=0), sp.gyro[sen.G_BIAS0], rtol=0.06
    )
    again = sen.draw_run_errors(sp, 17)
    for a, b in zip(again, draws[17], strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------ hand-over
def test_handover_windows_overlap_and_cover_the_approach():
    sp = sen.SensorSuite().params()
    use = {r: sen.select_sensors(r, sp.gnss, sp.lidar, sp.camera) for r in (100.0, 5.0, 0.3, 0.1)}
    np.testing.assert_array_equal(use[100.0], [True, False, False])  # far: GNSS only
    np.testing.assert_array_equal(use[5.0], [True, True, False])  # GNSS -> lidar hand-over
    np.testing.assert_array_equal(use[0.3], [False, True, False])
    np.testing.assert_array_equal(use[0.1], [False, True, True])  # lidar -> camera hand-over
    grid = np.geomspace(sp.camera[sen.R_RMIN], sp.gnss[sen.R_RMAX], 2000)
    assert all(sen.select_sensors(r, sp.gnss, sp.lidar, sp.camera).any() for r in grid)


def test_sensor_outside_its_window_gives_nothing():
    sp = sen.SensorSuite().params()
    e = _errors()
    assert not sen.measure_gnss(sp.gnss, e, _rel(-0.2), NO_NOISE)[0]  # 200 m: too close
    assert not sen.measure_camera(sp.camera, e, _rel(-1.0), IDENTITY, IDENTITY, NO_NOISE)[0]
    assert not sen.measure_lidar(sp.lidar, e, _rel(-20.0), IDENTITY, IDENTITY, NO_NOISE)[0]


# ------------------------------------------------------------------------ geometry
def test_camera_pose_against_scipy():
    r_body = (1.0, 0.4, -0.3)  # camera on the chaser, m
    r_st = (-6.0, 0.5, 0.8)  # pattern on the station, m
    q_bs = Rotation.from_rotvec([0.02, -0.03, 0.05])
    q_st_t = Rotation.from_rotvec([0.0, 0.1, 3.0])
    q_lb = Rotation.from_rotvec([0.01, 0.02, -0.03])
    q_ls = Rotation.from_rotvec([-0.004, 0.003, 0.002])
    cfg = _quiet(
        sen.SensorSuite().camera,
        mount_position_m=r_body,
        mount_q_body_sensor=tuple(np.roll(q_bs.as_quat(), 1)),
        target_position_m=r_st,
        target_q_station_target=tuple(np.roll(q_st_t.as_quat(), 1)),
    )
    rel = _rel(-0.05, 0.001, -0.002)
    ok, z = sen.measure_camera(
        cfg.params(),
        _errors(),
        rel,
        np.roll(q_lb.as_quat(), 1),
        np.roll(q_ls.as_quat(), 1),
        NO_NOISE,
    )
    los_lvlh = q_ls.apply(np.array(r_st) / 1e3) - (rel[:3] + q_lb.apply(np.array(r_body) / 1e3))
    q_lc = q_lb * q_bs
    assert ok
    np.testing.assert_allclose(z[:3], q_lc.inv().apply(los_lvlh), atol=1e-3 * MM)
    expected = (q_lc.inv() * q_ls * q_st_t).as_quat()
    got = np.roll(z[3:], -1)
    np.testing.assert_allclose(got * np.sign(got @ expected), expected, atol=1e-12)


# ---------------------------------------------------------------------------- gyro
def test_gyro_angle_and_rate_random_walks():
    g = sen.GyroConfig().params()
    dt, steps, runs = 1.0, 200, 3000
    noise = np.random.default_rng(3).standard_normal((runs, steps, 6))
    angle = np.zeros((runs, 3))
    bias = np.zeros((runs, 3))
    for i in range(runs):
        b = np.zeros(3)
        for k in range(steps):
            om, b = sen.measure_gyro(g, b, np.zeros(3), dt, noise[i, k])
            angle[i] += om * dt
        bias[i] = b
    t = steps * dt
    # Farrenkopf model (Markley & Crassidis 2014, sec. 4.7): bias variance su^2 t;
    # integrated angle variance sv^2 t + su^2 t^3 / 3. Standard error of a variance from
    # 3 x 3000 samples: 1.5 %; tolerance 6 %.
    np.testing.assert_allclose(bias.var(axis=0).mean(), g[sen.G_RRW] ** 2 * t, rtol=0.06)
    expected = g[sen.G_ARW] ** 2 * t + g[sen.G_RRW] ** 2 * t**3 / 3.0
    np.testing.assert_allclose(angle.var(axis=0).mean(), expected, rtol=0.06)


def test_gyro_without_noise_reads_truth_plus_bias():
    g = sen.GyroConfig(0.0, 0.0, 0.0).params()
    bias = np.array([1e-6, -2e-6, 3e-6])
    om, b1 = sen.measure_gyro(g, bias, np.array([0.01, 0.0, -0.02]), 0.5, np.ones(6))
    np.testing.assert_allclose(om, [0.01 + 1e-6, -2e-6, -0.02 + 3e-6], atol=1e-15)
    np.testing.assert_array_equal(b1, bias)


# --------------------------------------------------------------------- bad input
def test_bad_configuration_is_rejected():
    lidar = sen.SensorSuite().lidar
    with pytest.raises(InputError, match="range window"):
        replace(lidar, range_min_m=100.0, range_max_m=10.0)
    with pytest.raises(InputError, match="dropout_probability"):
        replace(lidar, dropout_probability=1.5)
    with pytest.raises(InputError, match="unit quaternion"):
        replace(lidar, mount_q_body_sensor=(1.0, 1.0, 0.0, 0.0))
    with pytest.raises(InputError, match="noise_sigma"):
        replace(lidar, noise_sigma=(1.0, -1.0, 0, 0, 0, 0))
    with pytest.raises(UnknownNameError, match="sensor kind"):
        replace(lidar, kind="sonar")
    with pytest.raises(InputError, match="kind 'camera'"):
        sen.SensorSuite(camera=lidar)
    with pytest.raises(InputError, match="angle_random_walk"):
        sen.GyroConfig(angle_random_walk_rad_sqrt_s=float("nan"))
    with pytest.raises(InputError, match="n_steps"):
        sen.draw_step_noise(-1, 0)


def test_quaternions_are_normalised_on_entry():
    q = qfrom_rotvec(np.array([0.1, 0.2, 0.3])) * (1 + 1e-8)
    cfg = replace(sen.SensorSuite().camera, mount_q_body_sensor=tuple(q))
    assert abs(np.linalg.norm(cfg.mount_q_body_sensor) - 1.0) < 1e-15


def test_sensors_at_the_ports_measure_the_port_to_port_vector():
    from qingzhou_sim.vehicles import QINGZHOU, TIANGONG

    front, aft = QINGZHOU.port("front"), TIANGONG.port("aft")
    suite = sen.SensorSuite().at_ports(front, aft)
    cfg = _quiet(suite.camera)
    # chaser behind the station on V-bar, front port (body +x) toward the aft port
    # (station -x): 50 m between the two interface planes
    gap_m = 50.0
    x_m = aft.position_m[0] - gap_m - front.position_m[0]
    ok, z = sen.measure_camera(
        cfg.params(), _errors(), _rel(x_m / 1e3), IDENTITY, IDENTITY, NO_NOISE
    )
    assert ok
    np.testing.assert_allclose(z[:3], [gap_m / 1e3, 0.0, 0.0], atol=1e-3 * MM)
    # the pattern's x axis is the aft port's outward normal, opposite the camera's
    pattern_x = Rotation.from_quat(np.roll(z[3:], -1)).apply([1.0, 0.0, 0.0])
    np.testing.assert_allclose(pattern_x, [-1.0, 0.0, 0.0], atol=1e-12)
    assert suite.lidar.mount_position_m == front.position_m
    assert suite.gnss == sen.SensorSuite().gnss


def test_draw_step_draws_numpys_stream_for_the_sensors_in_use_only():
    # the compiled draw takes the same numbers as NumPy's Generator with the same seed,
    # in column order, for the blocks in use (here the lidar), the gyro and the star
    # tracker; the others are zero and the generator advances by what was drawn
    use = np.array([False, True, False])
    nz = np.full(sen.N_NOISE, 7.0)
    gen = np.random.default_rng(3)
    sen.draw_step(gen, use, nz)
    n = sen.NZ_REL + sen.N_NOISE - sen.NZ_GYRO
    ref = np.random.default_rng(3).standard_normal(n + 1)
    np.testing.assert_array_equal(nz[sen.NZ_LIDAR : sen.NZ_LIDAR + sen.NZ_REL], ref[: sen.NZ_REL])
    np.testing.assert_array_equal(nz[sen.NZ_GYRO :], ref[sen.NZ_REL : n])
    assert not nz[sen.NZ_GNSS : sen.NZ_GNSS + sen.NZ_REL].any()
    assert not nz[sen.NZ_CAMERA : sen.NZ_CAMERA + sen.NZ_REL].any()
    assert gen.standard_normal() == ref[n]


def test_loop_draws_from_the_bit_generator_as_the_generator():
    """The compiled loop draws its normals from ``gen.bit_generator`` (its kernels run
    without reference counting, which cannot release a ``Generator`` argument): the
    same numbers as NumPy's ``Generator.standard_normal`` and the same state after."""
    from numba import njit

    @njit
    def draw_bg(bg, use, nz):
        sen._draw_step_bg(bg, use, nz)

    use = np.array([True, False, True])
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    za, zb = np.zeros(sen.N_NOISE), np.zeros(sen.N_NOISE)
    drawn = []
    for _ in range(4):
        sen.draw_step(a, use, za)
        draw_bg(b.bit_generator, use, zb)
        np.testing.assert_array_equal(za, zb)
        drawn.append(zb[np.r_[0:7, 14 : sen.N_NOISE]].copy())
    # NumPy's own stream: the used blocks in column order, step after step
    expected = np.random.default_rng(3).standard_normal(len(drawn) * drawn[0].size)
    np.testing.assert_array_equal(np.concatenate(drawn), expected)
    assert a.standard_normal() == b.standard_normal()
