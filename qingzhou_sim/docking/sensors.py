r"""Navigation sensors of the six-degree-of-freedom approach: relative GNSS, lidar
(range, azimuth, elevation), a camera pose sensor, a gyro and a star tracker.

Each relative sensor has white noise (a constant part plus a part proportional to
range), a bias and a mounting misalignment drawn once per run, a field of view (a cone
about the sensor's +x boresight; outside it the sample is invalid), a dropout
probability per sample, and an operating range window. The windows of neighbouring
sensors overlap: in the overlap both are processed, which is the hand-over (Fehse
2003, sec. 5.1, Fig. 5.2: RGPS far out, rendezvous sensor (radar / laser) at medium
range, optical sensor in the last hundreds of metres). Shenzhou carries microwave
radar, laser radar and CCD imaging sensors (Xinhua, 7 Nov 2011,
http://news.xinhuanet.com/english2010/video/2011-11/07/c_131233226.htm); their
accuracies are not published, so every figure below is an *assumption* of the order
Fehse (2003, sec. 5.2-5.5) gives, and stays a parameter.

Frames. Relative states are the chaser's centre of mass relative to the station's,
in the station's LVLH frame (x V-bar, y H-bar, z R-bar), km and km/s. Attitudes are
:mod:`qingzhou_sim.docking._quat` quaternions ``q_lvlh_body`` (Hamilton, scalar
first). A sensor frame is mounted on the chaser body by ``q_body_sensor`` at
``r_body`` (km from the chaser's centre of mass); its target point (reflector or camera
pattern at the station's port) sits at ``r_station`` in the station body frame with
axes ``q_station_target``.

Randomness. As in the approach loop, nothing draws numbers inside compiled code: the
per-run errors (biases, misalignments, initial gyro bias) come from
:func:`draw_run_errors` and each step's standard normals from :func:`draw_step`
(compiled, inside the loop: only those of the sensors in use) or, for harnesses that
want the whole table up front, :func:`draw_step_noise`; all take a
``numpy.random.Generator`` (numba draws NumPy's stream and advances the generator), so
the same seed gives the same run, bit for bit. A dropout uses the sensor's last
standard-normal column through the normal CDF.

How the loop calls this
-----------------------
Once per approach (Python)::

    suite = SensorSuite().at_ports(QINGZHOU.port("front"), TIANGONG.port("aft"))
    sp = suite.params()                          # SensorParams of float64 arrays
    err = draw_run_errors(sp, gen)               # RunErrors: biases, misalignments
    gyro_bias = err.gyro_bias.copy()             # true gyro bias (rad/s), evolves
    nz = np.zeros(N_NOISE)                       # one step's standard normals

Every GNC step of ``dt`` s (compiled), two lines, with the truth ``rel`` (6,) LVLH,
the attitude states ``xc`` (chaser) and ``xs`` (station) of
:mod:`qingzhou_sim.docking.bodies` and the filter's estimate ``x``::

    draw_step(gen, select_sensors(norm(x[:3]), sp.gnss, sp.lidar, sp.camera), nz)
    ok, z_g, z_l, z_c, q_st, omega_m, gyro_bias = sample_sensors(
        sp, err, norm(x[:3]), rel, xc[A_Q:A_Q + 4], xs[A_Q:A_Q + 4], xc[A_W:A_W + 3],
        gyro_bias, dt, nz)

``ok`` (4,) bool marks the valid samples of (GNSS, lidar, camera, star tracker): a
sensor not selected at the estimated range (:func:`select_sensors`), out of its window,
outside its field of view or dropped gives False and NaN. Outputs: ``z_g`` (6,) = LVLH
position (km) and velocity (km/s); ``z_l`` (3,) = range (km), azimuth, elevation (rad)
in the lidar frame; ``z_c`` (7,) = target position in the camera frame (km) and
``q_camera_target`` (4,); ``q_st`` (4,) = measured ``q_lvlh_body``; ``omega_m`` (3,) =
the gyro's mean body rate over the step (rad/s), the true rate taken as the one at the
start of the step. All of it goes to
:func:`qingzhou_sim.docking.navigation.update_navigation` and ``omega_m`` to
:func:`~qingzhou_sim.docking.navigation.predict_navigation`. Each sensor also has its
own function (``measure_gnss``, ``measure_lidar``, ``measure_camera``,
``measure_star_tracker``, ``measure_gyro``, each wrapping a ``_*_into`` function that
reads its parameters at an offset): a new sensor is one such pair, its block in the
flat array the loop reads (``SF_*``, ``_flat_params``) and one call in ``_sample_flat``.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, ch. 5.
Markley, F. L. and Crassidis, J. L. (2014), *Fundamentals of Spacecraft Attitude
Determination and Control*, Springer, sec. 4.7 (gyro model) and 4.2 (star trackers).
Crassidis, J. L. and Junkins, J. L. (2012), *Optimal Estimation of Dynamic Systems*,
2nd ed., CRC: sec. 7.2 (discrete gyro simulation, example noise values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
from numba import njit
from numba.np.random.distributions import random_standard_normal

from ..errors import InputError, UnknownNameError
from ._kernels import _inlined, _kernel, _kernel_of, _leaf, _norm3
from ._quat import (
    qfrom_rotvec4,
    qfrom_two_vectors,
    qmul4,
    qnormalize4,
    qrotate3,
)

__all__ = [
    "GyroConfig",
    "RelativeSensorConfig",
    "RunErrors",
    "SensorParams",
    "SensorSuite",
    "StarTrackerConfig",
    "draw_run_errors",
    "draw_step",
    "draw_step_noise",
    "measure_camera",
    "measure_gnss",
    "measure_gyro",
    "measure_lidar",
    "measure_star_tracker",
    "sample_sensors",
    "select_sensors",
]

# ------------------------------------------------- parameter layout: relative sensor
R_RMIN = 0  # km: operating range window (true range for validity, estimate for use)
R_RMAX = 1
R_FOV = 2  # rad: half-angle of the field-of-view cone about the sensor's +x axis
R_DROP = 3  # probability of a lost sample
R_SIGA = 4  # (6,) 1-sigma noise per component, constant part (kernel units)
R_SIGB = 10  # (6,) 1-sigma noise per component per km of range
R_BIAS = 16  # (6,) 1-sigma of the per-run bias per component
R_MIS = 22  # rad: 1-sigma of the per-run misalignment about each axis
R_MOUNT_Q = 23  # (4,) q_body_sensor
R_MOUNT_R = 27  # (3,) sensor position in the chaser body frame, km
R_TGT_R = 30  # (3,) target point in the station body frame, km
R_TGT_Q = 33  # (4,) q_station_target (axes of the camera's target pattern)
R_LEN = 37

# per-run errors of a relative sensor
E_BIAS = 0  # (6,) bias per component (kernel units)
E_MIS = 6  # (3,) misalignment rotation vector, rad (true sensor = nominal ⊗ exp(mis))
E_LEN = 9

# gyro
G_ARW = 0  # angle random walk sigma_v, rad/s^0.5
G_RRW = 1  # rate random walk sigma_u, rad/s^1.5
G_BIAS0 = 2  # 1-sigma of the initial bias per axis, rad/s
G_LEN = 3

# star tracker
S_SIG = 0  # (3,) 1-sigma noise about the body axes, rad
S_MIS = 3  # 1-sigma misalignment per axis, rad
S_DROP = 4
S_LEN = 5

# columns of one step's noise row
NZ_REL = 7  # per relative sensor: 6 measurement components + 1 dropout
NZ_GNSS = 0
NZ_LIDAR = NZ_GNSS + NZ_REL
NZ_CAMERA = NZ_LIDAR + NZ_REL
NZ_GYRO = NZ_CAMERA + NZ_REL  # 3 rate noise + 3 bias random walk
NZ_STAR = NZ_GYRO + 6  # 3 noise + 1 dropout
N_NOISE = NZ_STAR + 4

# ----------------------------------------------- the loop's flat sensor array
# SensorParams and RunErrors in one float64 array (_flat_params), read by the loop's
# kernels at these offsets: every array handed to a compiled or inlined function costs
# a reference-count increment and decrement per call (issue 16)
SF_GNSS = 0
SF_LIDAR = SF_GNSS + R_LEN
SF_CAMERA = SF_LIDAR + R_LEN
SF_GYRO = SF_CAMERA + R_LEN
SF_STAR = SF_GYRO + G_LEN
SF_E_GNSS = SF_STAR + S_LEN
SF_E_LIDAR = SF_E_GNSS + E_LEN
SF_E_CAMERA = SF_E_LIDAR + E_LEN
SF_E_STAR = SF_E_CAMERA + E_LEN  # (3,) star-tracker misalignment
SF_E_GYRO = SF_E_STAR + 3  # (3,) initial gyro bias
SF_LEN = SF_E_GYRO + 3

_NO_FOV = math.pi  # a half-angle of pi: no field-of-view limit


# --------------------------------------------------------------------- small helpers
@_kernel
def _dropped(p_drop, nz):
    """True with probability ``p_drop`` for a standard-normal ``nz`` (its CDF is uniform)."""
    if p_drop <= 0.0:
        return False
    return 0.5 * (1.0 + math.erf(nz / math.sqrt(2.0))) < p_drop


@_inlined
def _win_at(p, o, rng_km):
    """:func:`in_window` of the sensor whose parameters start at ``p[o]``."""
    return rng_km >= p[o + R_RMIN] and rng_km <= p[o + R_RMAX]


@_inlined
def _fov_at(p, o, los_sensor):
    """:func:`in_fov` of the sensor whose parameters start at ``p[o]``."""
    return _fov3(p, o, los_sensor[0], los_sensor[1], los_sensor[2])


@_inlined
def _fov3(p, o, l0, l1, l2):
    """:func:`_fov_at` of the line of sight ``(l0, l1, l2)`` (no array)."""
    if p[o + R_FOV] >= _NO_FOV:
        return True
    r = math.sqrt(l0 * l0 + l1 * l1 + l2 * l2)
    if r <= 0.0:
        return False
    return l0 >= r * math.cos(p[o + R_FOV])


@_inlined
def _sigma_at(p, o, i, rng_km):
    """1-sigma noise of component ``i`` at range ``rng_km`` (parameters at ``p[o]``)."""
    return p[o + R_SIGA + i] + p[o + R_SIGB + i] * rng_km


@njit(cache=True, error_model="numpy")
def in_window(p, rng_km):
    """Whether ``rng_km`` lies in the sensor's operating range window."""
    return _win_at(p, 0, rng_km)


@njit(cache=True, error_model="numpy")
def in_fov(p, los_sensor):
    """Whether the line of sight (sensor frame) lies in the field-of-view cone."""
    return _fov_at(p, 0, los_sensor)


@_inlined
def _los_at(p, o, e, eo, rel_lvlh, q_lvlh_body, q_lvlh_st):
    """:func:`target_los` in scalars, parameters at ``p[o]`` and errors at ``e[eo]``:
    (los x, y, z km, q_lvlh_sensor w, x, y, z)."""
    s, tr, mr, mq = q_lvlh_st, o + R_TGT_R, o + R_MOUNT_R, o + R_MOUNT_Q
    t0, t1, t2 = qrotate3(s[0], s[1], s[2], s[3], p[tr], p[tr + 1], p[tr + 2])
    b = q_lvlh_body
    m0, m1, m2 = qrotate3(b[0], b[1], b[2], b[3], p[mr], p[mr + 1], p[mr + 2])
    d0, d1, d2 = t0 - (rel_lvlh[0] + m0), t1 - (rel_lvlh[1] + m1), t2 - (rel_lvlh[2] + m2)
    e0, e1, e2, e3 = qfrom_rotvec4(e[eo + E_MIS], e[eo + E_MIS + 1], e[eo + E_MIS + 2])
    c0, c1, c2, c3 = qmul4(p[mq], p[mq + 1], p[mq + 2], p[mq + 3], e0, e1, e2, e3)
    q0, q1, q2, q3 = qmul4(b[0], b[1], b[2], b[3], c0, c1, c2, c3)
    l0, l1, l2 = qrotate3(q0, -q1, -q2, -q3, d0, d1, d2)
    return l0, l1, l2, q0, q1, q2, q3


@njit(cache=True, error_model="numpy")
def target_los(p, e, rel_lvlh, q_lvlh_body, q_lvlh_st):
    """Line of sight from the (misaligned) sensor to its target, in the sensor frame
    (km), and the true ``q_lvlh_sensor`` (the quaternion algebra on scalars,
    :func:`._quat.qmul4` ...: the same operations without temporaries)."""
    los = np.empty(3)
    q_ls = np.empty(4)
    los[0], los[1], los[2], q_ls[0], q_ls[1], q_ls[2], q_ls[3] = _los_at(
        p, 0, e, 0, rel_lvlh, q_lvlh_body, q_lvlh_st
    )
    return los, q_ls


# ------------------------------------------------------------------------- selector
@njit(cache=True, error_model="numpy")
def select_sensors(rng_est_km, p_gnss, p_lidar, p_camera):
    """Relative sensors to process at the estimated range: (gnss, lidar, camera).

    Every sensor whose operating window contains the range is used; the windows
    overlap, so the filter blends two sensors through each hand-over instead of
    switching at one range (Fehse 2003, sec. 5.1).
    """
    out = np.zeros(3, dtype=np.bool_)
    out[0] = _win_at(p_gnss, 0, rng_est_km)
    out[1] = _win_at(p_lidar, 0, rng_est_km)
    out[2] = _win_at(p_camera, 0, rng_est_km)
    return out


@_inlined
def _select_flat(f, rng_est_km):
    """:func:`select_sensors` on the flat array of :func:`_flat_params`."""
    out = np.zeros(3, dtype=np.bool_)
    _select_flat_into(f, rng_est_km, out)
    return out


@_inlined
def _select_flat_into(f, rng_est_km, out):
    """:func:`_select_flat` into ``out`` (3,) bool."""
    out[0] = _win_at(f, SF_GNSS, rng_est_km)
    out[1] = _win_at(f, SF_LIDAR, rng_est_km)
    out[2] = _win_at(f, SF_CAMERA, rng_est_km)


# -------------------------------------------------------------- relative sensors
# Each sensor's arithmetic is a ``_*_into`` function reading its parameters at
# ``p[o]``, its errors at ``e[eo]`` and its normals at ``nz[no]`` (the loop passes
# one flat array for ``p`` and ``e``, see _flat_params), writing the sample into ``z``
# and returning whether it is valid; the public ``measure_*`` wrap them.
@_inlined
def _gnss_into(p, o, e, eo, rel_lvlh, nz, no, z):
    """:func:`measure_gnss` into ``z`` (6,); returns ok."""
    rng = _norm3(rel_lvlh[:3])
    if not _win_at(p, o, rng) or _dropped(p[o + R_DROP], nz[no + 6]):
        z[:] = np.nan
        return False
    m0, m1, m2, m3 = qfrom_rotvec4(e[eo + E_MIS], e[eo + E_MIS + 1], e[eo + E_MIS + 2])
    r = rel_lvlh
    z[0], z[1], z[2] = qrotate3(m0, m1, m2, m3, r[0], r[1], r[2])
    z[3], z[4], z[5] = qrotate3(m0, m1, m2, m3, r[3], r[4], r[5])
    for i in range(6):
        z[i] += e[eo + E_BIAS + i] + _sigma_at(p, o, i, rng) * nz[no + i]
    return True


@_inlined
def measure_gnss(p, e, rel_lvlh, nz):
    """Relative GNSS: LVLH position (km) and velocity (km/s) of the chaser relative to
    the station (differenced receiver solutions sent over the inter-satellite link).

    Misalignment rotates the LVLH solution (an error of the frame computed on board);
    no field of view (antenna visibility not modelled). Returns (ok, z (6,)).
    """
    z = np.empty(6)
    ok = _gnss_into(p, 0, e, 0, rel_lvlh, nz, 0, z)
    return ok, z


@_inlined
def _lidar_into(p, o, e, eo, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, no, z):
    """:func:`measure_lidar` into ``z`` (3,); returns ok."""
    l0, l1, l2, _, _, _, _ = _los_at(p, o, e, eo, rel_lvlh, q_lvlh_body, q_lvlh_st)
    r = math.sqrt(l0 * l0 + l1 * l1 + l2 * l2)
    if not _win_at(p, o, r) or not _fov3(p, o, l0, l1, l2) or _dropped(p[o + R_DROP], nz[no + 6]):
        z[:] = np.nan
        return False
    z[0] = r
    z[1] = math.atan2(l1, l0)
    z[2] = math.asin(l2 / r)
    for i in range(3):
        z[i] += e[eo + E_BIAS + i] + _sigma_at(p, o, i, r) * nz[no + i]
    return True


@_inlined
def measure_lidar(p, e, rel_lvlh, q_lvlh_body, q_lvlh_st, nz):
    """Lidar / radar: range (km), azimuth ``atan2(y, x)`` and elevation ``asin(z / r)``
    (rad) of the station's reflector in the lidar frame (boresight +x).

    Returns (ok, z (3,)); ok is False outside the range window or the field of view, or
    on a dropout.
    """
    z = np.empty(3)
    ok = _lidar_into(p, 0, e, 0, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, 0, z)
    return ok, z


@_inlined
def _camera_into(p, o, e, eo, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, no, z):
    """:func:`measure_camera` into ``z`` (7,); returns ok."""
    l0, l1, l2, a0, a1, a2, a3 = _los_at(p, o, e, eo, rel_lvlh, q_lvlh_body, q_lvlh_st)
    r = math.sqrt(l0 * l0 + l1 * l1 + l2 * l2)
    if not _win_at(p, o, r) or not _fov3(p, o, l0, l1, l2) or _dropped(p[o + R_DROP], nz[no + 6]):
        z[:] = np.nan
        return False
    z[0] = l0 + e[eo + E_BIAS] + _sigma_at(p, o, 0, r) * nz[no]
    z[1] = l1 + e[eo + E_BIAS + 1] + _sigma_at(p, o, 1, r) * nz[no + 1]
    z[2] = l2 + e[eo + E_BIAS + 2] + _sigma_at(p, o, 2, r) * nz[no + 2]
    s, tq = q_lvlh_st, o + R_TGT_Q
    b0, b1, b2, b3 = qmul4(s[0], s[1], s[2], s[3], p[tq], p[tq + 1], p[tq + 2], p[tq + 3])
    c0, c1, c2, c3 = qmul4(a0, -a1, -a2, -a3, b0, b1, b2, b3)
    e0, e1, e2, e3 = qfrom_rotvec4(
        e[eo + E_BIAS + 3] + _sigma_at(p, o, 3, r) * nz[no + 3],
        e[eo + E_BIAS + 4] + _sigma_at(p, o, 4, r) * nz[no + 4],
        e[eo + E_BIAS + 5] + _sigma_at(p, o, 5, r) * nz[no + 5],
    )
    m0, m1, m2, m3 = qmul4(c0, c1, c2, c3, e0, e1, e2, e3)
    z[3], z[4], z[5], z[6] = qnormalize4(m0, m1, m2, m3)
    return True


@_inlined
def measure_camera(p, e, rel_lvlh, q_lvlh_body, q_lvlh_st, nz):
    """Camera pose sensor: position of the station's target pattern in the camera frame
    (km) and its attitude ``q_camera_target``.

    Noise and bias on the position per camera axis; on the attitude as a rotation
    vector in the target frame (``q_meas = q_true ⊗ exp(bias + noise)``). Returns
    (ok, z (7,)) = (position (3), q_camera_target (4)).
    """
    z = np.empty(7)
    ok = _camera_into(p, 0, e, 0, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, 0, z)
    return ok, z


# ---------------------------------------------------------------- attitude sensors
@_inlined
def _gyro_into(g, go, bias, omega_body, dt, nz, no, om, b1):
    """:func:`measure_gyro` into ``om``, ``b1`` (3,) (parameters at ``g[go]``)."""
    sv = g[go + G_ARW]
    su = g[go + G_RRW]
    s_rate = math.sqrt(sv * sv / dt + su * su * dt / 12.0)
    s_bias = su * math.sqrt(dt)
    for i in range(3):
        b1[i] = bias[i] + s_bias * nz[no + 3 + i]
        om[i] = omega_body[i] + 0.5 * (bias[i] + b1[i]) + s_rate * nz[no + i]


@njit(cache=True, error_model="numpy")
def measure_gyro(g, bias, omega_body, dt, nz):
    """Mean body rate over a step of ``dt`` s and the next true bias.

    Farrenkopf's model: rate = truth + bias + white noise (angle random walk
    ``sigma_v``), bias a random walk (``sigma_u``); discrete form with the bias
    averaged over the step (Crassidis & Junkins 2012, eq. 7.32; Markley & Crassidis
    2014, eq. 4.31). ``omega_body``: true inertial rate in the body frame (rad/s).
    Returns (omega_meas (3,), bias_next (3,)).
    """
    om = np.empty(3)
    b1 = np.empty(3)
    _gyro_into(g, 0, bias, omega_body, dt, nz, 0, om, b1)
    return om, b1


@_inlined
def _star_into(s, so, e_mis, eo, q_lvlh_body, nz, no, q):
    """:func:`measure_star_tracker` into ``q`` (4,); returns ok."""
    if _dropped(s[so + S_DROP], nz[no + 3]):
        q[:] = np.nan
        return False
    b = q_lvlh_body
    e0, e1, e2, e3 = qfrom_rotvec4(
        e_mis[eo] + s[so + S_SIG] * nz[no],
        e_mis[eo + 1] + s[so + S_SIG + 1] * nz[no + 1],
        e_mis[eo + 2] + s[so + S_SIG + 2] * nz[no + 2],
    )
    m0, m1, m2, m3 = qmul4(b[0], b[1], b[2], b[3], e0, e1, e2, e3)
    q[0], q[1], q[2], q[3] = qnormalize4(m0, m1, m2, m3)
    return True


@_inlined
def measure_star_tracker(s, e_mis, q_lvlh_body, nz):
    """Star tracker: measured ``q_lvlh_body = q_true ⊗ exp(mis + noise)`` (body-frame
    rotation vector; the inertial-to-LVLH rotation is taken as known from the chaser's
    own orbit). Returns (ok, q (4,)); ok False on a dropout (Sun / Earth blinding not
    modelled geometrically)."""
    q = np.empty(4)
    ok = _star_into(s, 0, e_mis, 0, q_lvlh_body, nz, 0, q)
    return ok, q


@njit(cache=True, error_model="numpy")
def draw_step(gen, use, nz):
    """One GNC step's standard normals into ``nz`` (N_NOISE,), drawn from ``gen`` only
    for what the step uses: the relative sensors selected (``use``, from
    :func:`select_sensors`; the other blocks set to zero), then the gyro and the star
    tracker, in column order."""
    for s in range(3):
        i0 = NZ_GNSS + s * NZ_REL
        for i in range(i0, i0 + NZ_REL):
            nz[i] = gen.standard_normal() if use[s] else 0.0
    for i in range(NZ_GYRO, N_NOISE):
        nz[i] = gen.standard_normal()


@_leaf
def _draw_step_bg(bg, use, nz):
    """:func:`draw_step` from the generator's bit generator ``bg`` (the same draws:
    :func:`._kernels._normals`), for the loop."""
    for s in range(3):
        i0 = NZ_GNSS + s * NZ_REL
        for i in range(i0, i0 + NZ_REL):
            nz[i] = random_standard_normal(bg) if use[s] else 0.0
    for i in range(NZ_GYRO, N_NOISE):
        nz[i] = random_standard_normal(bg)


@njit(cache=True, error_model="numpy")
def sample_sensors(
    sp, err, rng_est_km, rel_lvlh, q_lvlh_body, q_lvlh_st, omega_body, gyro_bias, dt, nz
):
    """All sensors of one GNC step of ``dt`` s: the relative sensors selected at the
    estimated range (:func:`select_sensors`), the star tracker and the gyro.

    Parameters
    ----------
    sp, err : SensorParams, RunErrors
    rng_est_km : float
        Estimated range, km (selects the relative sensors).
    rel_lvlh : (6,) truth relative state; q_lvlh_body, q_lvlh_st : (4,) truth attitudes
    omega_body : (3,) the chaser's true inertial rate in body axes, rad/s
    gyro_bias : (3,) true gyro bias, rad/s
    nz : (N_NOISE,) this step's standard normals

    Returns
    -------
    ok : (4,) bool
        Valid samples of (GNSS, lidar, camera, star tracker).
    z_gnss (6,), z_lidar (3,), z_camera (7,), q_star (4,)
        The samples (NaN where not valid).
    omega_meas (3,), gyro_bias_next (3,)
        Gyro output over the step and the next true bias.
    """
    f = np.concatenate(
        (sp.gnss, sp.lidar, sp.camera, sp.gyro, sp.star)
        + (err.gnss, err.lidar, err.camera, err.star, err.gyro_bias)
    )
    return _sample_flat(
        f, rng_est_km, rel_lvlh, q_lvlh_body, q_lvlh_st, omega_body, gyro_bias, dt, nz
    )


@_kernel
def _sample_flat(f, rng_est_km, rel_lvlh, q_lvlh_body, q_lvlh_st, omega_body, gyro_bias, dt, nz):
    """:func:`sample_sensors` on the flat array ``f`` of :func:`_flat_params` (one array
    argument instead of the two five-array bundles)."""
    ok = np.zeros(4, dtype=np.bool_)
    z_g = np.empty(6)
    z_l = np.empty(3)
    z_c = np.empty(7)
    q_st = np.empty(4)
    omega_m = np.empty(3)
    b1 = np.empty(3)
    _sample_flat_into(
        f, rng_est_km, rel_lvlh, q_lvlh_body, q_lvlh_st, omega_body, gyro_bias, dt, nz,
        ok, z_g, z_l, z_c, q_st, omega_m, b1,
    )  # fmt: skip
    return ok, z_g, z_l, z_c, q_st, omega_m, b1


@_leaf
def _sample_flat_into(
    f, rng_est_km, rel_lvlh, q_lvlh_body, q_lvlh_st, omega_body, gyro_bias, dt, nz,
    ok, z_g, z_l, z_c, q_st, omega_m, b1,
):  # fmt: skip
    """:func:`_sample_flat` into ``ok`` (4,) bool, ``z_g`` (6,), ``z_l`` (3,), ``z_c``
    (7,), ``q_st`` (4,), ``omega_m`` and ``b1`` (3,) (what the loop calls: nothing
    allocated)."""
    # a sensor not in use (select_sensors): not valid, NaN
    if _win_at(f, SF_GNSS, rng_est_km):
        ok[0] = _gnss_into(f, SF_GNSS, f, SF_E_GNSS, rel_lvlh, nz, NZ_GNSS, z_g)
    else:
        ok[0] = False
        _fill(z_g, np.nan)
    if _win_at(f, SF_LIDAR, rng_est_km):
        ok[1] = _lidar_into(
            f, SF_LIDAR, f, SF_E_LIDAR, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, NZ_LIDAR, z_l
        )
    else:
        ok[1] = False
        _fill(z_l, np.nan)
    if _win_at(f, SF_CAMERA, rng_est_km):
        ok[2] = _camera_into(
            f, SF_CAMERA, f, SF_E_CAMERA, rel_lvlh, q_lvlh_body, q_lvlh_st, nz, NZ_CAMERA, z_c
        )
    else:
        ok[2] = False
        _fill(z_c, np.nan)
    ok[3] = _star_into(f, SF_STAR, f, SF_E_STAR, q_lvlh_body, nz, NZ_STAR, q_st)
    _gyro_into(f, SF_GYRO, gyro_bias, omega_body, dt, nz, NZ_GYRO, omega_m, b1)


@_inlined
def _fill(z, value):
    """``z[:] = value`` for a 1-D array (a plain loop)."""
    for i in range(z.shape[0]):
        z[i] = value


# ============================================================== public configuration
_KINDS = ("gnss", "lidar", "camera")
_DEG = math.pi / 180.0
_ARCSEC = _DEG / 3600.0
# kernel units per configuration unit of each measurement component (m, m/s -> km,
# km/s; deg -> rad); unused components of a kind are 0
_UNIT = {
    "gnss": (1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3),
    "lidar": (1e-3, _DEG, _DEG, 0.0, 0.0, 0.0),
    "camera": (1e-3, 1e-3, 1e-3, _DEG, _DEG, _DEG),
}
_IDENTITY = (1.0, 0.0, 0.0, 0.0)


def _vector(obj, name: str, length: int, *, nonneg: bool = True, unit: bool = False):
    value = getattr(obj, name)
    try:
        vec = tuple(float(x) for x in value)
    except TypeError:
        vec = ()
    bad = len(vec) != length or not all(math.isfinite(x) for x in vec)
    bad = bad or (nonneg and min(vec, default=0.0) < 0)
    norm = math.sqrt(sum(x * x for x in vec)) if not bad else 0.0
    if bad or (unit and abs(norm - 1.0) > 1e-6):
        what = "a unit quaternion (w, x, y, z)" if unit else f"{length} finite numbers"
        raise InputError(
            f"{type(obj).__name__}.{name} = {value!r}; expected {what}"
            + (" >= 0" if nonneg and not unit else ""),
            name=name,
            value=value,
            valid=what,
        )
    if unit:
        vec = tuple(x / norm for x in vec)
    object.__setattr__(obj, name, vec)


def _scalar(obj, name: str, *, upper: float = math.inf) -> None:
    value = getattr(obj, name)
    if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= upper):
        raise InputError(
            f"{type(obj).__name__}.{name} = {value!r}; expected a finite number in [0, {upper}]",
            name=name,
            value=value,
            valid=f"[0, {upper}]",
        )


@dataclass(frozen=True, slots=True)
class RelativeSensorConfig:
    r"""One relative navigation sensor.

    Parameters
    ----------
    kind : {"gnss", "lidar", "camera"}
        Measurement components: GNSS (x, y, z in m, vx, vy, vz in m/s; LVLH); lidar
        (range m, azimuth deg, elevation deg); camera (x, y, z in m in the camera frame,
        then the target attitude as a rotation vector in deg).
    range_min_m, range_max_m : float
        Operating range window; overlapping windows make the hand-over.
    fov_half_angle_deg : float
        Field-of-view cone about the sensor's +x axis (180: no limit).
    dropout_probability : float
        Probability that a sample is lost.
    noise_sigma, noise_sigma_per_km : tuple of 6 float
        White noise 1-sigma per component: constant part and part per km of range.
    bias_sigma : tuple of 6 float
        1-sigma of the bias drawn once per run, per component.
    misalignment_sigma_deg : float
        1-sigma of the mounting misalignment drawn once per run, about each axis.
    mount_position_m, mount_q_body_sensor : tuple
        Sensor position in the chaser body frame (m from its centre of mass) and the
        quaternion rotating sensor-frame vectors to the body frame.
    target_position_m, target_q_station_target : tuple
        The sensor's target (reflector, camera pattern) in the station body frame (m
        from its centre of mass), and the pattern's axes.
    """

    kind: str
    range_min_m: float
    range_max_m: float
    fov_half_angle_deg: float = 180.0
    dropout_probability: float = 0.0
    noise_sigma: tuple = (0.0,) * 6
    noise_sigma_per_km: tuple = (0.0,) * 6
    bias_sigma: tuple = (0.0,) * 6
    misalignment_sigma_deg: float = 0.0
    mount_position_m: tuple = (0.0, 0.0, 0.0)
    mount_q_body_sensor: tuple = _IDENTITY
    target_position_m: tuple = (0.0, 0.0, 0.0)
    target_q_station_target: tuple = _IDENTITY

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise UnknownNameError("sensor kind", self.kind, _KINDS)
        for name in ("range_min_m", "range_max_m", "misalignment_sigma_deg"):
            _scalar(self, name)
        _scalar(self, "fov_half_angle_deg", upper=180.0)
        _scalar(self, "dropout_probability", upper=1.0)
        if self.range_max_m <= self.range_min_m:
            raise InputError(
                f"range window [{self.range_min_m}, {self.range_max_m}] m of the "
                f"{self.kind} is empty; expected range_min_m < range_max_m",
                name="range_max_m",
                value=self.range_max_m,
            )
        for name in ("noise_sigma", "noise_sigma_per_km", "bias_sigma"):
            _vector(self, name, 6)
        for name in ("mount_position_m", "target_position_m"):
            _vector(self, name, 3, nonneg=False)
        for name in ("mount_q_body_sensor", "target_q_station_target"):
            _vector(self, name, 4, nonneg=False, unit=True)

    def params(self) -> np.ndarray:
        """Float64 parameter array in kernel units (index constants ``R_*``)."""
        unit = np.array(_UNIT[self.kind])
        p = np.zeros(R_LEN)
        p[R_RMIN] = self.range_min_m * 1e-3
        p[R_RMAX] = self.range_max_m * 1e-3
        p[R_FOV] = min(self.fov_half_angle_deg * _DEG, _NO_FOV)
        p[R_DROP] = self.dropout_probability
        p[R_SIGA : R_SIGA + 6] = unit * np.array(self.noise_sigma)
        p[R_SIGB : R_SIGB + 6] = unit * np.array(self.noise_sigma_per_km)
        p[R_BIAS : R_BIAS + 6] = unit * np.array(self.bias_sigma)
        p[R_MIS] = self.misalignment_sigma_deg * _DEG
        p[R_MOUNT_Q : R_MOUNT_Q + 4] = self.mount_q_body_sensor
        p[R_MOUNT_R : R_MOUNT_R + 3] = np.array(self.mount_position_m) * 1e-3
        p[R_TGT_R : R_TGT_R + 3] = np.array(self.target_position_m) * 1e-3
        p[R_TGT_Q : R_TGT_Q + 4] = self.target_q_station_target
        return p


def _default_gnss() -> RelativeSensorConfig:
    # Assumptions (Fehse 2003, sec. 5.3: RGPS, metre-level position, cm/s velocity):
    # code-differential position 5 m, velocity 2 cm/s per axis, 1 m / 5 mm/s of
    # uncancelled common-mode bias; from the inter-satellite link's acquisition
    # (~50-100 km, mission-facts.md: SZ-16 link at ~50 km) down to 500 m, where
    # multipath and shadowing by the station set in (Fehse 2003, sec. 5.3.3).
    return RelativeSensorConfig(
        "gnss",
        range_min_m=500.0,
        range_max_m=150_000.0,
        dropout_probability=0.01,
        noise_sigma=(5.0, 5.0, 5.0, 0.02, 0.02, 0.02),
        bias_sigma=(1.0, 1.0, 1.0, 0.005, 0.005, 0.005),
    )


def _default_lidar() -> RelativeSensorConfig:
    # Assumptions (Fehse 2003, sec. 5.4: scanning laser range finders, cm-to-dm range
    # and ~0.01-0.05 deg angle accuracy): range 5 cm + 0.05 % of range, angles
    # 0.03 deg; bias 10 cm and 0.01 deg; mount misalignment 0.05 deg; +-20 deg field
    # of view; 2 m to 15 km. Shenzhou's laser radar acquires at ~20 km (not firm).
    return RelativeSensorConfig(
        "lidar",
        range_min_m=2.0,
        range_max_m=15_000.0,
        fov_half_angle_deg=20.0,
        dropout_probability=0.02,
        noise_sigma=(0.05, 0.03, 0.03, 0.0, 0.0, 0.0),
        noise_sigma_per_km=(0.5, 0.0, 0.0, 0.0, 0.0, 0.0),
        bias_sigma=(0.1, 0.01, 0.01, 0.0, 0.0, 0.0),
        misalignment_sigma_deg=0.05,
    )


def _default_camera() -> RelativeSensorConfig:
    # Assumptions (Fehse 2003, sec. 5.5: videometers / camera pose sensors, mm-to-cm
    # and 0.1 deg class close in, accuracy degrading with range): along the boresight
    # (range from the pattern's apparent size) 1 cm + 2 m per km, across 3 mm + 0.2 m
    # per km (0.2 mrad: a fraction of a pixel of a ~1000-pixel, 30 deg imager),
    # attitude 0.1 deg + 1 deg per km;
    # +-15 deg field of view; 0.3 m to 250 m (ATV's videometer took over at 250 m,
    # mission-facts.md sec. ATV; Shenzhou's CCD sensor at ~100-140 m, not firm).
    return RelativeSensorConfig(
        "camera",
        range_min_m=0.3,
        range_max_m=250.0,
        fov_half_angle_deg=15.0,
        dropout_probability=0.02,
        noise_sigma=(0.01, 0.003, 0.003, 0.1, 0.1, 0.1),
        noise_sigma_per_km=(2.0, 0.2, 0.2, 1.0, 1.0, 1.0),
        bias_sigma=(0.005, 0.002, 0.002, 0.05, 0.05, 0.05),
        misalignment_sigma_deg=0.05,
    )


@dataclass(frozen=True, slots=True)
class GyroConfig:
    """Rate-integrating gyro (Farrenkopf model). Defaults: the example values of
    Crassidis & Junkins (2012), sec. 7.2.1 (sigma_v = sqrt(10) 1e-7 rad/s^0.5,
    sigma_u = sqrt(10) 1e-10 rad/s^1.5, initial bias 0.1 deg/h): a navigation-grade
    unit; Qingzhou's is not published (assumption). Scale factor and misalignment not
    modelled."""

    angle_random_walk_rad_sqrt_s: float = math.sqrt(10.0) * 1e-7
    rate_random_walk_rad_s_sqrt_s: float = math.sqrt(10.0) * 1e-10
    initial_bias_sigma_deg_h: float = 0.1

    def __post_init__(self):
        for name in self.__slots__:
            _scalar(self, name)

    def params(self) -> np.ndarray:
        """Float64 parameter array (index constants ``G_*``)."""
        g = np.zeros(G_LEN)
        g[G_ARW] = self.angle_random_walk_rad_sqrt_s
        g[G_RRW] = self.rate_random_walk_rad_s_sqrt_s
        g[G_BIAS0] = self.initial_bias_sigma_deg_h * _DEG / 3600.0
        return g


@dataclass(frozen=True, slots=True)
class StarTrackerConfig:
    """Star tracker giving the chaser's attitude. Assumptions (Markley & Crassidis
    2014, sec. 4.2: a few arcsec across the boresight, several times worse about it):
    10 arcsec about body x and y, 60 arcsec about body z (the assumed boresight);
    20 arcsec mounting misalignment; 1 % of samples lost."""

    noise_sigma_arcsec: tuple = (10.0, 10.0, 60.0)
    misalignment_sigma_arcsec: float = 20.0
    dropout_probability: float = 0.01

    def __post_init__(self):
        _vector(self, "noise_sigma_arcsec", 3)
        _scalar(self, "misalignment_sigma_arcsec")
        _scalar(self, "dropout_probability", upper=1.0)

    def params(self) -> np.ndarray:
        """Float64 parameter array (index constants ``S_*``)."""
        s = np.zeros(S_LEN)
        s[S_SIG : S_SIG + 3] = np.array(self.noise_sigma_arcsec) * _ARCSEC
        s[S_MIS] = self.misalignment_sigma_arcsec * _ARCSEC
        s[S_DROP] = self.dropout_probability
        return s


class SensorParams(NamedTuple):
    """Parameter arrays of the whole suite, as the compiled loop takes them."""

    gnss: np.ndarray  # (R_LEN,)
    lidar: np.ndarray  # (R_LEN,)
    camera: np.ndarray  # (R_LEN,)
    gyro: np.ndarray  # (G_LEN,)
    star: np.ndarray  # (S_LEN,)


class RunErrors(NamedTuple):
    """Errors drawn once per run."""

    gnss: np.ndarray  # (E_LEN,) bias (6), misalignment (3)
    lidar: np.ndarray  # (E_LEN,)
    camera: np.ndarray  # (E_LEN,)
    star: np.ndarray  # (3,) star-tracker misalignment, rad
    gyro_bias: np.ndarray  # (3,) initial gyro bias, rad/s


@dataclass(frozen=True, slots=True)
class SensorSuite:
    """The chaser's navigation sensors.

    Examples
    --------
    >>> from qingzhou_sim.docking.sensors import SensorSuite, select_sensors
    >>> sp = SensorSuite().params()
    >>> select_sensors(0.1, sp.gnss, sp.lidar, sp.camera).tolist()  # at 100 m
    [False, True, True]
    """

    gnss: RelativeSensorConfig = field(default_factory=_default_gnss)
    lidar: RelativeSensorConfig = field(default_factory=_default_lidar)
    camera: RelativeSensorConfig = field(default_factory=_default_camera)
    gyro: GyroConfig = field(default_factory=GyroConfig)
    star_tracker: StarTrackerConfig = field(default_factory=StarTrackerConfig)

    def __post_init__(self):
        for name in _KINDS:
            sensor = getattr(self, name)
            if not isinstance(sensor, RelativeSensorConfig) or sensor.kind != name:
                raise InputError(
                    f"SensorSuite.{name} = {sensor!r}; expected a RelativeSensorConfig "
                    f"of kind {name!r}",
                    name=name,
                    value=sensor,
                )

    def at_ports(self, chaser_port, station_port) -> SensorSuite:
        """A copy with the lidar and the camera at the chaser's docking port, looking
        along its outward axis, and their targets at the station's port.

        Parameters
        ----------
        chaser_port, station_port : qingzhou_sim.vehicles.DockingPort
            Ports in their vehicles' body frames (``position_m`` from the centre of
            mass, unit outward ``axis``). The target pattern's x axis is the station
            port's outward axis.

        Returns
        -------
        SensorSuite
            The camera then measures the port-to-port vector and the station port's
            attitude relative to the chaser's port (Fehse 2003, sec. 5.5).
        """
        x_axis = np.array([1.0, 0.0, 0.0])
        mount = {
            "mount_position_m": tuple(chaser_port.position_m),
            "mount_q_body_sensor": tuple(
                qfrom_two_vectors(x_axis, np.array(chaser_port.axis, dtype=float))
            ),
            "target_position_m": tuple(station_port.position_m),
            "target_q_station_target": tuple(
                qfrom_two_vectors(x_axis, np.array(station_port.axis, dtype=float))
            ),
        }
        return replace(
            self, lidar=replace(self.lidar, **mount), camera=replace(self.camera, **mount)
        )

    def params(self) -> SensorParams:
        """Float64 parameter arrays for the compiled kernels."""
        return SensorParams(
            self.gnss.params(),
            self.lidar.params(),
            self.camera.params(),
            self.gyro.params(),
            self.star_tracker.params(),
        )


def _generator(rng) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def draw_run_errors(sp: SensorParams, rng: np.random.Generator | int) -> RunErrors:
    """Biases, misalignments and the initial gyro bias of one run.

    Parameters
    ----------
    sp : SensorParams
        From :meth:`SensorSuite.params`.
    rng : numpy.random.Generator or int
        Random source; 21 standard normals are drawn, in a fixed order (GNSS, lidar,
        camera, star tracker, gyro), so the same seed gives the same errors.

    Returns
    -------
    RunErrors
    """
    gen = _generator(rng)
    rel = []
    for p in (sp.gnss, sp.lidar, sp.camera):
        nz = gen.standard_normal(E_LEN)
        e = np.empty(E_LEN)
        e[E_BIAS : E_BIAS + 6] = p[R_BIAS : R_BIAS + 6] * nz[:6]
        e[E_MIS : E_MIS + 3] = p[R_MIS] * nz[6:9]
        rel.append(e)
    star = sp.star[S_MIS] * gen.standard_normal(3)
    gyro_bias = sp.gyro[G_BIAS0] * gen.standard_normal(3)
    return RunErrors(rel[0], rel[1], rel[2], star, gyro_bias)


def _flat_params(sp: SensorParams, err: RunErrors) -> np.ndarray:
    """``sp`` and ``err`` in one float64 array (offsets ``SF_*``), what the loop's
    :func:`_sample_flat` reads; made once per approach."""
    return np.concatenate((*sp, *err))


def draw_step_noise(n_steps: int, rng: np.random.Generator | int) -> np.ndarray:
    """Standard normals of ``n_steps`` GNC steps, (n_steps, N_NOISE); column blocks
    ``NZ_GNSS``, ``NZ_LIDAR``, ``NZ_CAMERA`` (7 each), ``NZ_GYRO`` (6), ``NZ_STAR`` (4)."""
    if int(n_steps) != n_steps or n_steps < 0:
        raise InputError(
            f"n_steps = {n_steps!r}; expected an integer >= 0", name="n_steps", value=n_steps
        )
    return _generator(rng).standard_normal((int(n_steps), N_NOISE))


# kernels of the public functions above for compiled callers (no Python entry points)
_select_sensors_inline = _kernel_of(select_sensors, inline=True)
