r"""Truth rigid-body attitude of both vehicles in the station's LVLH frame.

The translation of both centres of mass is integrated in :mod:`._kernels`
(``propagate_truth``: two-body + J2 + drag, RK4). This module adds the rotation:
quaternion kinematics and Euler's equations with the gravity-gradient torque, plus the
station's own attitude controller (control-moment gyroscopes, modelled as a continuous
PD torque holding a configurable offset from LVLH).

Attitude state: a float64 array of 7 with named index constants: ``x[A_Q:A_Q + 4]`` is
``q_lvlh_body`` (Hamilton, scalar first, :mod:`._quat`), ``x[A_W:A_W + 3]`` the body's
angular velocity relative to inertial space in body axes, rad/s.

The LVLH frame (x V-bar, y H-bar = -orbit normal, z R-bar) turns at the orbital rate
about -y: its angular velocity in LVLH is ``(0, -w_orb, 0)`` with
``w_orb = |r x v| / r^2`` of the station.

References
----------
Hughes, P. C. (2004), *Spacecraft Attitude Dynamics*, Dover: ch. 3 (Euler's equations,
torque-free motion), ch. 8-9 (gravity-gradient torque ``3 mu / r^3  c x I c``, pitch
libration frequency ``n sqrt(3 (I_x - I_z) / I_y)`` in these LVLH axes).
Wie, B. (2008), *Space Vehicle Dynamics and Control*, 2nd ed., AIAA: ch. 6 (gravity
gradient in the LVLH roll-pitch-yaw axes), ch. 7 (PD attitude control).
Markley & Crassidis (2014), eq. 3.20 (quaternion kinematics).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import _cross, _inlined, _kernel, _leaf
from ._quat import qdcm, qnormalize

__all__: list[str] = []

# Index constants of an attitude state (7,).
A_Q = 0
A_W = 4
A_N = 7


@njit(cache=True, error_model="numpy")
def lvlh_rate_body(q, w_orb):
    """Angular velocity of the LVLH frame (inertial), in body axes, rad/s."""
    # R^T (0, -w_orb, 0): minus w_orb times the second row of R = qdcm(q)
    w, x, y, z = q[0], q[1], q[2], q[3]
    out = np.empty(3)
    out[0] = -w_orb * 2.0 * (x * y + w * z)
    out[1] = -w_orb * (1.0 - 2.0 * (x * x + z * z))
    out[2] = -w_orb * 2.0 * (y * z - w * x)
    return out


@njit(cache=True, error_model="numpy")
def gravity_gradient_torque(q, inertia, gg):
    """Gravity-gradient torque (N m) in body axes: ``gg * c x (I c)`` with ``c`` the
    local vertical in body axes and ``gg = 3 mu / r^3`` (1/s^2) (Hughes 2004, ch. 8)."""
    c = np.ascontiguousarray(qdcm(q)[2, :])
    ic = np.empty(3)
    for i in range(3):
        ic[i] = inertia[i, 0] * c[0] + inertia[i, 1] * c[1] + inertia[i, 2] * c[2]
    return gg * _cross(c, ic)


@_leaf
def _rhs(x, inertia, inertia_inv, w_orb, gg, torque, out):
    """Time derivative of the attitude state into ``out`` (A_N,): quaternion
    kinematics relative to LVLH (Markley & Crassidis 2014, eq. 3.20) and Euler's
    equations with the gravity-gradient torque (Hughes 2004, ch. 8). Written out in
    scalars (the rows of :func:`._quat.qdcm` it needs, no matrix products): it runs
    four times per RK4 step of both bodies at every GNC step."""
    qw, qx, qy, qz = x[0], x[1], x[2], x[3]
    wx, wy, wz = x[A_W], x[A_W + 1], x[A_W + 2]
    # LVLH rate in body axes (-w_orb times the second row of qdcm(q), as in
    # lvlh_rate_body) and the local vertical (its third row)
    lx = -w_orb * 2.0 * (qx * qy + qw * qz)
    ly = -w_orb * (1.0 - 2.0 * (qx * qx + qz * qz))
    lz = -w_orb * 2.0 * (qy * qz - qw * qx)
    cx = 2.0 * (qx * qz - qw * qy)
    cy = 2.0 * (qy * qz + qw * qx)
    cz = 1.0 - 2.0 * (qx * qx + qy * qy)
    rx, ry, rz = wx - lx, wy - ly, wz - lz
    # 0.5 q ⊗ [0, w_rel]
    out[0] = 0.5 * (-qx * rx - qy * ry - qz * rz)
    out[1] = 0.5 * (qw * rx + qy * rz - qz * ry)
    out[2] = 0.5 * (qw * ry - qx * rz + qz * rx)
    out[3] = 0.5 * (qw * rz + qx * ry - qy * rx)
    # I c and I w in scalars (no temporaries: this runs four times per RK4 step)
    ic0 = inertia[0, 0] * cx + inertia[0, 1] * cy + inertia[0, 2] * cz
    ic1 = inertia[1, 0] * cx + inertia[1, 1] * cy + inertia[1, 2] * cz
    ic2 = inertia[2, 0] * cx + inertia[2, 1] * cy + inertia[2, 2] * cz
    iw0 = inertia[0, 0] * wx + inertia[0, 1] * wy + inertia[0, 2] * wz
    iw1 = inertia[1, 0] * wx + inertia[1, 1] * wy + inertia[1, 2] * wz
    iw2 = inertia[2, 0] * wx + inertia[2, 1] * wy + inertia[2, 2] * wz
    # torque + gg c x (I c) - w x (I w)
    t0 = torque[0] + gg * (cy * ic2 - cz * ic1) - (wy * iw2 - wz * iw1)
    t1 = torque[1] + gg * (cz * ic0 - cx * ic2) - (wz * iw0 - wx * iw2)
    t2 = torque[2] + gg * (cx * ic1 - cy * ic0) - (wx * iw1 - wy * iw0)
    for i in range(3):
        out[A_W + i] = inertia_inv[i, 0] * t0 + inertia_inv[i, 1] * t1 + inertia_inv[i, 2] * t2


@_inlined
def _rk4_into(x, h, inertia, inertia_inv, w_orb, gg, torque, k, y):
    """One classical RK4 step of :func:`_rhs` in place on ``x`` (A_N,), the quaternion
    renormalised (as :func:`._quat.qnormalize`); ``k`` (4, A_N) and ``y`` (A_N,) are
    work arrays (no allocation per step)."""
    _rhs(x, inertia, inertia_inv, w_orb, gg, torque, k[0])
    for j in range(1, 4):
        c = 0.5 * h if j < 3 else h
        for i in range(A_N):
            y[i] = x[i] + c * k[j - 1, i]
        _rhs(y, inertia, inertia_inv, w_orb, gg, torque, k[j])
    for i in range(A_N):
        x[i] = x[i] + (h / 6.0) * (k[0, i] + 2.0 * k[1, i] + 2.0 * k[2, i] + k[3, i])
    n = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + x[3] * x[3])
    s = 1.0 / n if x[0] >= 0.0 else -1.0 / n
    for i in range(4):
        x[A_Q + i] = x[A_Q + i] * s


@_kernel
def _rk4(x, h, inertia, inertia_inv, w_orb, gg, torque):
    """One classical RK4 step of :func:`_rhs`, the quaternion renormalised."""
    out = x.copy()
    _rk4_into(out, h, inertia, inertia_inv, w_orb, gg, torque, np.empty((4, A_N)), np.empty(A_N))
    return out


@njit(cache=True, error_model="numpy")
def propagate_attitude(x, duration, step, inertia, inertia_inv, w_orb, gg, torque):
    """Integrate an attitude state over ``duration`` s with a constant body torque
    (N m) in RK4 sub-steps of at most ``step`` s."""
    k, y = np.empty((4, A_N)), np.empty(A_N)
    x = x.copy()
    _propagate_attitude_into(x, duration, step, inertia, inertia_inv, w_orb, gg, torque, k, y)
    return x


@njit(cache=True, error_model="numpy")
def propagate_attitude_ws(x, duration, step, inertia, inertia_inv, w_orb, gg, torque, k, y):
    """:func:`propagate_attitude` with the RK4 work arrays ``k`` (4, A_N) and ``y``
    (A_N,) given (the loop makes them once per segment)."""
    x = x.copy()
    _propagate_attitude_into(x, duration, step, inertia, inertia_inv, w_orb, gg, torque, k, y)
    return x


@_leaf
def _propagate_attitude_into(x, duration, step, inertia, inertia_inv, w_orb, gg, torque, k, y):
    """:func:`propagate_attitude_ws` in place on ``x``."""
    nsub = max(1, int(math.ceil(abs(duration) / step - 1e-9)))
    h = duration / nsub
    for _ in range(nsub):
        _rk4_into(x, h, inertia, inertia_inv, w_orb, gg, torque, k, y)


@njit(cache=True, error_model="numpy")
def attitude_error(q, q_ref):
    """Small-angle error vector (rad, body axes) of ``q`` from ``q_ref``:
    ``2 vec(q_ref^* q)`` with the scalar part made non-negative (Markley & Crassidis
    2014, sec. 6.2)."""
    e0, e1, e2 = attitude_error3(q, q_ref)
    out = np.empty(3)
    out[0] = e0
    out[1] = e1
    out[2] = e2
    return out


@_inlined
def attitude_error3(q, q_ref):
    """:func:`attitude_error` as three floats (no arrays): the operations of
    ``2 * qnormalize(qmul(qconj(q_ref), q))[1:]`` written out."""
    qw, qx, qy, qz = q[0], q[1], q[2], q[3]
    pw, px, py, pz = q_ref[0], -q_ref[1], -q_ref[2], -q_ref[3]
    dw = pw * qw - px * qx - py * qy - pz * qz
    dx = pw * qx + px * qw + py * qz - pz * qy
    dy = pw * qy - px * qz + py * qw + pz * qx
    dz = pw * qz + px * qy - py * qx + pz * qw
    n = math.sqrt(dw * dw + dx * dx + dy * dy + dz * dz)
    s = 1.0 / n if dw >= 0.0 else -1.0 / n
    return (dx * s) * 2.0, (dy * s) * 2.0, (dz * s) * 2.0


@_inlined
def rate_rel_into(x, w_orb, out, i0):
    """``out[i0 : i0 + 3]`` = the body rate relative to LVLH of the attitude state
    ``x`` (:func:`rate_of`, the operations of :func:`lvlh_rate_body` written out)."""
    w, qx, qy, qz = x[0], x[1], x[2], x[3]
    out[i0] = x[A_W] - (-w_orb * 2.0 * (qx * qy + w * qz))
    out[i0 + 1] = x[A_W + 1] - (-w_orb * (1.0 - 2.0 * (qx * qx + qz * qz)))
    out[i0 + 2] = x[A_W + 2] - (-w_orb * 2.0 * (qy * qz - w * qx))


@_leaf
def _station_torque_into(x, q_hold, kp, kd, w_orb, out):
    """:func:`station_torque` into ``out`` (3,), in scalars: the same operations as
    :func:`attitude_error` and :func:`lvlh_rate_body` without their temporaries."""
    e0, e1, e2 = attitude_error3(x, q_hold)
    rate_rel_into(x, w_orb, out, 0)  # body rate relative to LVLH
    out[0] = -kp[0] * e0 - kd[0] * out[0]
    out[1] = -kp[1] * e1 - kd[1] * out[1]
    out[2] = -kp[2] * e2 - kd[2] * out[2]


@njit(cache=True, error_model="numpy")
def station_torque(x, q_hold, kp, kd, w_orb):
    """Control-moment-gyroscope torque (N m, body) of the station holding ``q_hold``
    (``q_lvlh_body``): PD on the attitude error and the rate relative to LVLH
    (Wie 2008, ch. 7); ``kp``, ``kd`` (3,) per body axis."""
    out = np.empty(3)
    _station_torque_into(x, q_hold, kp, kd, w_orb, out)
    return out


@njit(cache=True, error_model="numpy")
def propagate_station(x, duration, step, inertia, inertia_inv, w_orb, gg, q_hold, kp, kd):
    """The station's attitude under gravity gradient and its own PD hold, the torque
    re-evaluated every RK4 sub-step of at most ``step`` s."""
    k, y, tq = np.empty((4, A_N)), np.empty(A_N), np.empty(3)
    x = x.copy()
    _propagate_station_into(
        x, duration, step, inertia, inertia_inv, w_orb, gg, q_hold, kp, kd, k, y, tq
    )
    return x


@njit(cache=True, error_model="numpy")
def propagate_station_ws(
    x, duration, step, inertia, inertia_inv, w_orb, gg, q_hold, kp, kd, k, y, tq
):
    """:func:`propagate_station` with the work arrays ``k`` (4, A_N), ``y`` (A_N,) and
    ``tq`` (3,) given."""
    x = x.copy()
    _propagate_station_into(
        x, duration, step, inertia, inertia_inv, w_orb, gg, q_hold, kp, kd, k, y, tq
    )
    return x


@_leaf
def _propagate_station_into(
    x, duration, step, inertia, inertia_inv, w_orb, gg, q_hold, kp, kd, k, y, tq
):
    """:func:`propagate_station_ws` in place on ``x``."""
    nsub = max(1, int(math.ceil(abs(duration) / step - 1e-9)))
    h = duration / nsub
    for _ in range(nsub):
        _station_torque_into(x, q_hold, kp, kd, w_orb, tq)
        _rk4_into(x, h, inertia, inertia_inv, w_orb, gg, tq, k, y)


def orbit_rates(station_rv_km: np.ndarray, mu_km3_s2: float) -> tuple[float, float]:
    """(``w_orb`` rad/s, ``gg = 3 mu / r^3`` 1/s^2) of the station state (km, km/s)."""
    r = station_rv_km[:3]
    r2 = float(r @ r)
    # r x v by np.cross's operations on floats (np.cross: ~15 us of array handling)
    x, y, z, vx, vy, vz = station_rv_km[:6].tolist()
    h = np.array([y * vz - z * vy, z * vx - x * vz, x * vy - y * vx])
    w_orb = float(np.linalg.norm(h)) / r2
    return w_orb, 3.0 * mu_km3_s2 / r2**1.5


def docked_quat(station_port_axis_body, chaser_port_axis_body) -> np.ndarray:
    """``q_station_chaser`` when docked: the chaser's port axis anti-parallel to the
    station's (ports face each other), by the smallest rotation; for exactly parallel
    axes a half-turn about the station's body z (or x if the axis is z)."""
    a = np.asarray(chaser_port_axis_body, float)
    b = -np.asarray(station_port_axis_body, float)
    c = np.cross(a, b)
    d = float(a @ b)
    if np.linalg.norm(c) < 1e-12 and d < 0:
        perp = np.array([0.0, 0.0, 1.0]) if abs(a[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        perp = perp - (perp @ a) * a
        perp /= np.linalg.norm(perp)
        return np.array([0.0, *perp])
    q = np.array([1.0 + d, *c])
    return q / np.linalg.norm(q)


def rate_of(x: np.ndarray, w_orb: float) -> np.ndarray:
    """Body rate relative to LVLH (rad/s, body axes) of an attitude state."""
    return x[A_W : A_W + 3] - lvlh_rate_body(x[A_Q : A_Q + 4], w_orb)


def initial_state(q_lvlh_body, rate_rel_lvlh_body, w_orb: float) -> np.ndarray:
    """Attitude state (7,) from an attitude and a body rate relative to LVLH (rad/s)."""
    x = np.empty(A_N)
    x[A_Q : A_Q + 4] = qnormalize(np.asarray(q_lvlh_body, float))
    x[A_W : A_W + 3] = np.asarray(rate_rel_lvlh_body, float) + lvlh_rate_body(
        x[A_Q : A_Q + 4], w_orb
    )
    return x
