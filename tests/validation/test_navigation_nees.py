"""Navigation filter consistency: normalised estimation error squared (NEES) over 100
noisy runs against an independent truth lies within the chi-square 95 % bounds
(Bar-Shalom, Li & Kirubarajan 2001, sec. 5.4.2: N times the N-run average NEES of an
n-state filter is chi-square with N n degrees of freedom).

Truths, computed here without the code under test:

- translation: the Clohessy-Wiltshire equations (Fehse 2003, eq. 3.22) as a linear ODE,
  advanced with scipy's matrix exponential; white acceleration noise drawn from the
  exact discrete covariance of Van Loan (1978) (also a matrix exponential);
- attitude: a rigid body spinning at a known constant inertial rate,
  ``q_lvlh_body(t) = exp(-omega_lvlh t) ⊗ q0 ⊗ exp(omega t)`` in closed form.

The per-run sensor biases and misalignments are switched off here (the filter does not
estimate them, so no filter can be chi-square consistent with them); their effect is
tested in tests/test_sensors.py.
"""

from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.stats import chi2

from qingzhou_sim.docking import navigation as nav
from qingzhou_sim.docking import sensors as sen
from qingzhou_sim.docking._quat import qconj, qfrom_rotvec, qmul, qto_rotvec

pytestmark = pytest.mark.slow  # 100-run campaigns, ~1 min

RUNS = 100
MU = 398600.4418  # km^3/s^2
N_MEAN = np.sqrt(MU / (6378.137 + 390.0) ** 3)  # rad/s, Tiangong's ~390 km orbit
OMEGA_LVLH = np.array([0.0, -N_MEAN, 0.0])  # LVLH rate in LVLH (y = -orbit normal)
# Share of time steps whose 100-run average NEES may lie outside the two-sided 95 %
# interval: 5 % expected, but the averages of neighbouring steps are strongly
# correlated (the same 100 runs), so whole stretches leave together: over five
# independent seed sets of these scenarios the consistent filter had up to 21 % of its
# steps outside (means always inside). A filter whose sensor sigmas are 30 % off has
# 100 % outside (test_a_mistuned_filter_fails_the_check).
OUTSIDE_MAX = 0.25
MIB_M_S = 0.01  # Qingzhou's minimum impulse bit (vehicles.QINGZHOU), m/s
SIG_ATT0 = 1e-4  # rad, initial attitude error of the translation scenarios


def _cw_matrix(n):
    """Continuous CW system matrix, LVLH x V-bar, y H-bar, z R-bar (Fehse 2003, eq. 3.22)."""
    a = np.zeros((6, 6))
    a[:3, 3:] = np.eye(3)
    a[3, 5] = 2 * n
    a[4, 1] = -n * n
    a[5, 2] = 3 * n * n
    a[5, 3] = -2 * n
    return a


def _van_loan(a, qc, dt):
    """Exact discrete transition and process-noise covariance of dx = A x dt + G dw
    (Van Loan 1978), G = [0; I] with white acceleration of density qc."""
    g = np.zeros((6, 3))
    g[3:] = np.eye(3)
    m = np.zeros((12, 12))
    m[:6, :6] = -a
    m[:6, 6:] = g @ g.T * qc
    m[6:, 6:] = a.T
    e = expm(m * dt)
    phi = e[6:, 6:].T
    return phi, phi @ e[:6, 6:]


def _unbiased(cfg, **extra):
    return replace(cfg, bias_sigma=(0.0,) * 6, misalignment_sigma_deg=0.0, **extra)


def _suite(**rel_geometry):
    base = sen.SensorSuite()
    return sen.SensorSuite(
        gnss=_unbiased(base.gnss),
        lidar=_unbiased(base.lidar, **rel_geometry),
        camera=_unbiased(base.camera, **rel_geometry),
        star_tracker=sen.StarTrackerConfig(misalignment_sigma_arcsec=0.0),
    )


def _bounds(dof):
    lo, hi = chi2.ppf([0.025, 0.975], RUNS * dof) / RUNS
    return lo, hi


def _outside(nees, dof):
    avg = nees.mean(axis=0)
    lo, hi = _bounds(dof)
    return float(np.mean((avg < lo) | (avg > hi))), float(avg.mean())


def _nees(err, cov):
    return float(err @ np.linalg.solve(cov, err))


# ------------------------------------------------------------------------- attitude
def _spin_truth(q0, omega_body, t):
    return qmul(qmul(qfrom_rotvec(-OMEGA_LVLH * t), q0), qfrom_rotvec(omega_body * t))


def _attitude_runs(steps=600, dt=1.0, star_every=10):
    sp = _suite().params()
    fp = nav.FilterConfig(include_bias_in_r=False).params(
        sp, dv_magnitude_sigma=0.0, dv_pointing_sigma_deg=0.0
    )
    omega = np.deg2rad([0.05, -0.1, 0.2])  # rad/s, inertial, body frame
    sig0 = np.deg2rad(0.5)
    out = np.zeros((RUNS, steps, 2))  # attitude (3 dof), attitude + bias (6 dof)
    for run in range(RUNS):
        gen = np.random.default_rng(1000 + run)
        err = sen.draw_run_errors(sp, gen)
        bias = err.gyro_bias.copy()
        noise = sen.draw_step_noise(steps, gen)
        q0 = qfrom_rotvec(gen.standard_normal(3))
        q_est = qmul(q0, qfrom_rotvec(sig0 * gen.standard_normal(3)))
        # translation at rest at the origin, known: only the attitude is estimated here
        x, q, b, p = nav.init_navigation(np.zeros(6), q_est, 0.0, 0.0, sig0, sp.gyro[sen.G_BIAS0])
        for k in range(steps):
            qt = _spin_truth(q0, omega, k * dt)
            if k % star_every == 0:
                ok, qm = sen.measure_star_tracker(sp.star, err.star, qt, noise[k, sen.NZ_STAR :])
                if ok:
                    x, q, b, p = nav.update_star_tracker(x, q, b, p, qm, sp.star, fp)
            e = np.concatenate([qto_rotvec(qmul(qconj(q), qt)), bias - b])
            out[run, k, 0] = _nees(e[:3], p[6:9, 6:9])
            out[run, k, 1] = _nees(e, p[6:, 6:])
            om, bias = sen.measure_gyro(sp.gyro, bias, omega, dt, noise[k, sen.NZ_GYRO :])
            x, q, b, p = nav.predict_navigation(
                x, q, b, p, np.zeros(3), om, dt, N_MEAN, OMEGA_LVLH, fp
            )
    return out


@pytest.fixture(scope="module")
def attitude_nees():
    return _attitude_runs()


def test_attitude_mekf_nees_within_chi2_bounds(attitude_nees):
    for col, dof in ((0, 3), (1, 6)):
        outside, mean = _outside(attitude_nees[:, :, col], dof)
        lo, hi = _bounds(dof)
        print(
            f"attitude NEES ({dof} dof): mean {mean:.3f}, 95 % bounds [{lo:.3f}, {hi:.3f}], "
            f"steps outside {outside:.1%}"
        )
        assert outside <= OUTSIDE_MAX
        assert lo <= mean <= hi


# ---------------------------------------------------------------------- translation
# sensor mount on the chaser and target at the station's port (m): offsets exercise the
# conversion of lidar and camera samples to a centre-of-mass position
GEOMETRY = {
    "mount_position_m": (2.0, 0.3, -0.2),
    "target_position_m": (-5.0, 0.4, 1.0),
    "target_q_station_target": tuple(qfrom_rotvec(np.array([0.1, -0.2, 0.3]))),
}
EXEC_MAG = 0.01  # 1-sigma magnitude error of a firing (ThrusterConfig default)
EXEC_PNT_DEG = 1.0  # 1-sigma pointing error per axis, deg (ThrusterConfig default)
SCENARIOS = {  # hold point (km, LVLH), step (s), steps
    "gnss": (np.array([-2.0, 0.0, 0.0]), 10.0, 180),
    "lidar": (np.array([-1.0, 0.0, 0.0]), 5.0, 240),
    "camera": (np.array([-0.1, 0.0, 0.0]), 2.0, 300),
}


def _fire(dv_cmd_km_s):
    """Thruster stand-in: each axis rounded to whole minimum impulse bits."""
    q = MIB_M_S * 1e-3
    return np.round(dv_cmd_km_s / q) * q


def _execute(dv_fired, gen):
    """Truth of a firing: magnitude and pointing errors (Fehse 2003, sec. 6.3)."""
    th = np.deg2rad(EXEC_PNT_DEG) * gen.standard_normal(3)
    return dv_fired * (1.0 + EXEC_MAG * gen.standard_normal()) + np.cross(th, dv_fired)


def _scaled_noise(sp, factor):
    """Sensor parameters with every white-noise sigma times ``factor``."""
    rel = []
    for p in (sp.gnss, sp.lidar, sp.camera):
        p = p.copy()
        p[sen.R_SIGA : sen.R_SIGB + 6] *= factor
        rel.append(p)
    star = sp.star.copy()
    star[sen.S_SIG : sen.S_SIG + 3] *= factor
    return sen.SensorParams(*rel, sp.gyro, star)


@cache
def _translation_runs(scenario, feed="fired", sigma_scale=1.0):
    r_ref, dt, steps = SCENARIOS[scenario]
    sp = _suite(**GEOMETRY).params()
    spf = _scaled_noise(sp, sigma_scale)  # what the filter believes
    fc = nav.FilterConfig(process_accel_per_km_m_s2=0.0, include_bias_in_r=False)
    fp = fc.params(sp, dv_magnitude_sigma=EXEC_MAG, dv_pointing_sigma_deg=EXEC_PNT_DEG)
    a = _cw_matrix(N_MEAN)
    qc = (fc.process_accel_m_s2 * 1e-3) ** 2
    phi, qd = _van_loan(a, qc, dt)
    lq = np.linalg.cholesky(qd + 1e-30 * np.eye(6))
    q_nom = np.array([1.0, 0, 0, 0])  # station and chaser hold LVLH
    sig_p, sig_v = fc.initial_position_sigma_m * 1e-3, fc.initial_velocity_sigma_m_s * 1e-3
    out = np.zeros((RUNS, steps, 2))  # translation (6 dof), attitude (3 dof)
    for run in range(RUNS):
        gen = np.random.default_rng(2000 + run)
        err = sen.draw_run_errors(sp, gen)
        bias = err.gyro_bias.copy()
        noise = sen.draw_step_noise(steps, gen)
        xt = np.concatenate([r_ref, np.zeros(3)])
        xt += np.concatenate([sig_p * gen.standard_normal(3), sig_v * gen.standard_normal(3)])
        q0_est = qmul(q_nom, qfrom_rotvec(SIG_ATT0 * gen.standard_normal(3)))
        x, q, b, p = nav.init_navigation(
            np.concatenate([r_ref, np.zeros(3)]),
            q0_est,
            sig_p,
            sig_v,
            SIG_ATT0,
            sp.gyro[sen.G_BIAS0],
        )
        for k in range(steps):
            nz = noise[k]
            ok, qm = sen.measure_star_tracker(sp.star, err.star, q_nom, nz[sen.NZ_STAR :])
            if ok:
                x, q, b, p = nav.update_star_tracker(x, q, b, p, qm, spf.star, fp)
            if scenario == "gnss":
                ok, z = sen.measure_gnss(sp.gnss, err.gnss, xt, nz[sen.NZ_GNSS :])
                if ok:
                    x, q, b, p = nav.update_gnss(x, q, b, p, z, spf.gnss, fp)
            elif scenario == "lidar":
                ok, z = sen.measure_lidar(sp.lidar, err.lidar, xt, q_nom, q_nom, nz[sen.NZ_LIDAR :])
                if ok:
                    x, q, b, p = nav.update_lidar(x, q, b, p, z, spf.lidar, q_nom, fp)
            else:
                ok, z = sen.measure_camera(
                    sp.camera, err.camera, xt, q_nom, q_nom, nz[sen.NZ_CAMERA :]
                )
                if ok:
                    x, q, b, p = nav.update_camera_attitude(x, q, b, p, z, spf.camera, q_nom, fp)
                    x, q, b, p = nav.update_camera_position(x, q, b, p, z, spf.camera, q_nom, fp)
            out[run, k, 0] = _nees(xt - x, p[:6, :6])
            out[run, k, 1] = _nees(qto_rotvec(qmul(qconj(q), q_nom)), p[6:9, 6:9])
            # hold the point on the estimate (velocity command toward it, 200 s)
            dv_cmd = (r_ref - x[:3]) / 200.0 - x[3:]
            dv_fired = _fire(dv_cmd)
            xt = phi @ (xt + np.concatenate([np.zeros(3), _execute(dv_fired, gen)]))
            xt += lq @ gen.standard_normal(6)
            om, bias = sen.measure_gyro(sp.gyro, bias, OMEGA_LVLH, dt, nz[sen.NZ_GYRO :])
            dv_nav = dv_fired if feed == "fired" else dv_cmd
            x, q, b, p = nav.predict_navigation(x, q, b, p, dv_nav, om, dt, N_MEAN, OMEGA_LVLH, fp)
    return out


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_translation_filter_nees_within_chi2_bounds(scenario):
    nees = _translation_runs(scenario)
    # attitude: star tracker, plus the camera's pose in the camera scenario
    for col, dof, name in ((0, 6, "translation"), (1, 3, "attitude")):
        outside, mean = _outside(nees[:, :, col], dof)
        lo, hi = _bounds(dof)
        print(
            f"{scenario}: {name} NEES mean {mean:.3f}, 95 % bounds [{lo:.3f}, {hi:.3f}], "
            f"steps outside {outside:.1%}"
        )
        assert outside <= OUTSIDE_MAX
        assert lo <= mean <= hi


def test_commanded_impulses_make_the_filter_inconsistent():
    # issue 14: the filter was fed the commanded delta-v; with a 0.01 m/s minimum
    # impulse bit the fired impulses differ from it by up to 5 mm/s per axis and step
    fired = _translation_runs("camera", feed="fired")
    commanded = _translation_runs("camera", feed="commanded")
    lo, hi = _bounds(6)
    out_fired, mean_fired = _outside(fired[:, :, 0], 6)
    out_cmd, mean_cmd = _outside(commanded[:, :, 0], 6)
    print(
        f"fired: mean NEES {mean_fired:.2f} ({out_fired:.0%} of steps outside); "
        f"commanded: {mean_cmd:.2f} ({out_cmd:.0%} outside), bounds [{lo:.2f}, {hi:.2f}]"
    )
    assert out_fired <= OUTSIDE_MAX
    assert mean_cmd > hi and out_cmd > 0.5


@pytest.mark.parametrize("factor", [1.3, 1 / 1.3])
def test_a_mistuned_filter_fails_the_check(factor):
    # the same runs with the filter believing every sensor sigma 30 % larger / smaller
    nees = _translation_runs("gnss", sigma_scale=factor)
    outside, mean = _outside(nees[:, :, 0], 6)
    lo, hi = _bounds(6)
    print(f"sigmas x {factor:.2f}: mean NEES {mean:.2f}, steps outside {outside:.0%}")
    assert outside > OUTSIDE_MAX
    assert not lo <= mean <= hi


# ----------------------------------------------------- per-run biases switched on
def _biased_runs(steps=300, dt=2.0):
    """The documented step (sample_sensors, update_navigation, predict_navigation) at a
    100 m V-bar hold with the default suite's biases and misalignments (lidar and
    camera blended). Returns the position NEES with and without bias_covariance."""
    sp = sen.SensorSuite(
        lidar=replace(sen.SensorSuite().lidar, **GEOMETRY),
        camera=replace(sen.SensorSuite().camera, **GEOMETRY),
    ).params()
    fc = nav.FilterConfig(process_accel_per_km_m_s2=0.0)
    fp = fc.params(sp, dv_magnitude_sigma=EXEC_MAG, dv_pointing_sigma_deg=EXEC_PNT_DEG)
    phi = expm(_cw_matrix(N_MEAN) * dt)
    q_nom = np.array([1.0, 0, 0, 0])
    r_ref = np.array([-0.1, 0.0, 0.0])
    sig_p, sig_v = fc.initial_position_sigma_m * 1e-3, fc.initial_velocity_sigma_m_s * 1e-3
    out = np.zeros((RUNS, steps, 2))
    for run in range(RUNS):
        gen = np.random.default_rng(3000 + run)
        err = sen.draw_run_errors(sp, gen)
        bias = err.gyro_bias.copy()
        noise = sen.draw_step_noise(steps, gen)
        xt = np.concatenate(
            [r_ref + sig_p * gen.standard_normal(3), sig_v * gen.standard_normal(3)]
        )
        q0_est = qmul(q_nom, qfrom_rotvec(SIG_ATT0 * gen.standard_normal(3)))
        x, q, b, p = nav.init_navigation(
            np.concatenate([r_ref, np.zeros(3)]),
            q0_est,
            sig_p,
            sig_v,
            SIG_ATT0,
            sp.gyro[sen.G_BIAS0],
        )
        for k in range(steps):
            rng_est = np.linalg.norm(x[:3])
            ok, z_g, z_l, z_c, q_st, om, bias = sen.sample_sensors(
                sp, err, rng_est, xt, q_nom, q_nom, OMEGA_LVLH, bias, dt, noise[k]
            )
            x, q, b, p = nav.update_navigation(x, q, b, p, ok, z_g, z_l, z_c, q_st, sp, q_nom, fp)
            use = sen.select_sensors(rng_est, sp.gnss, sp.lidar, sp.camera)
            e = xt[:3] - x[:3]
            out[run, k, 0] = _nees(e, p[:3, :3])
            out[run, k, 1] = _nees(e, p[:3, :3] + nav.bias_covariance(x, q, sp, q_nom, use, fp))
            dv_fired = _fire((r_ref - x[:3]) / 200.0 - x[3:])
            xt = phi @ (xt + np.concatenate([np.zeros(3), _execute(dv_fired, gen)]))
            x, q, b, p = nav.predict_navigation(
                x, q, b, p, dv_fired, om, dt, N_MEAN, OMEGA_LVLH, fp
            )
    return out


def test_bias_covariance_bounds_the_error_of_a_biased_run():
    nees = _biased_runs()
    lo, hi = _bounds(3)
    late = slice(nees.shape[1] // 2, None)  # after the filter has settled on the biases
    white = nees[:, late, 0].mean()
    total = nees[:, late, 1].mean()
    print(
        f"biased runs, position NEES (3 dof): with p alone {white:.1f}, with p + "
        f"bias_covariance {total:.2f}; 95 % bounds [{lo:.2f}, {hi:.2f}]"
    )
    assert white > hi  # the white-noise covariance alone is overconfident ...
    assert total <= hi  # ... the consider bound is not
