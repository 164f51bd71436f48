r"""Navigation filter of the six-degree-of-freedom approach: the relative translation
on the Clohessy-Wiltshire model, fed the impulses the thrusters actually fired, and a
multiplicative extended Kalman filter (MEKF) of the chaser's attitude quaternion with
gyro-bias states, in one error-state filter.

Estimate: ``x`` (6,) = chaser centre of mass relative to the station's, in the
station's LVLH frame (x V-bar, y H-bar, z R-bar), km and km/s (velocity seen in the
rotating frame); ``q`` = estimated ``q_lvlh_body`` (:mod:`qingzhou_sim.docking._quat`
convention); ``b`` (3,) gyro bias, rad/s. Covariance ``p`` (12, 12) of the error state
``[dr, dv, delta_theta, delta_b]`` (index constants ``I_R, I_V, I_TH, I_B``) with
``q_true = q ⊗ exp(delta_theta)`` (body frame) and ``b_true = b + delta_b``
(Lefferts, Markley & Shuster 1982; Markley & Crassidis 2014, sec. 6.2.4). The
translation block ``p[:6, :6]`` and the attitude block ``p[6:, 6:]`` are the two
filters; they are kept in one covariance because the lidar and camera fixes are
converted to LVLH with the attitude estimate, so their errors are correlated (filters
kept apart were 6 % overconfident at 1 km on the lidar: NEES 6.35 over 400 runs for 6
states).

Time update: the fired impulse at the start of the step with its execution-error
covariance, then the CW transition matrix (Fehse 2003, eq. 3.25) with
white-acceleration process noise that grows with range (unmodelled differential J2 and
drag); given the station's orbit radius, the estimate itself follows the nonlinear
relative two-body motion (no curvature error of the rectilinear frame at tens of km).
The gyro drives the attitude; the LVLH frame's own rotation ``omega_lvlh`` (rad/s in
LVLH; ``[0, -n, 0]`` on a circular orbit) is removed exactly.

Sensor updates. Every update is a short compiled function of the estimate and one
measurement from :mod:`qingzhou_sim.docking.sensors`. The lidar and camera measure in
the chaser's sensor frame: their updates convert the measurement to an LVLH position
with the attitude estimate (a converted-measurement update, Bar-Shalom, Li &
Kirubarajan 2001, sec. 10.4.3) whose sensitivity to the attitude error is part of the
measurement matrix. The station's attitude is taken as its nominal ``q_lvlh_st_nom``
(LVLH hold: the identity); a real attitude error of the station therefore appears as a
measurement bias, as it does on board. With ``include_bias_in_r`` each sensor's bias
and misalignment variances are added to its noise (a conservative inflation for errors
the filter does not estimate); :func:`bias_covariance` bounds what they leave in the
estimate. Chi-square consistency holds exactly only when they are zero.

How the loop calls this
-----------------------
Once per approach (Python), with ``sp = suite.params()`` and ``err`` from
:mod:`qingzhou_sim.docking.sensors`, the thruster execution errors from the thruster
configuration (one source) and the station's orbit radius ``a_st_km``::

    fc = FilterConfig()
    fp = fc.params(sp, dv_magnitude_sigma=0.01, dv_pointing_sigma_deg=1.0,
                   reference_radius_km=a_st_km)   # 0: linear CW mean
    x, q, b, p = init_navigation(x0_est, q0_est, fc.initial_position_sigma_m * 1e-3,
                                 fc.initial_velocity_sigma_m_s * 1e-3,
                                 np.deg2rad(fc.initial_attitude_sigma_deg),
                                 sp.gyro[sensors.G_BIAS0])
    q_nom = np.array([1.0, 0.0, 0.0, 0.0])   # the station's nominal q_lvlh_st (LVLH hold)

``x0_est`` and ``q0_est`` are the truth plus errors drawn with those sigmas from the
run's generator. Every GNC step of ``dt`` s (compiled), two lines around guidance and
control::

    ok, z_g, z_l, z_c, q_st, omega_m, gyro_bias = sample_sensors(...)   # sensors.py
    x, q, b, p = update_navigation(x, q, b, p, ok, z_g, z_l, z_c, q_st, sp, q_nom, fp)
    # guidance, safety and control read the estimates:
    #   x (6,) relative state (km, km/s, LVLH), p[:6, :6] its covariance (white errors),
    #   p[:3, :3] + bias_covariance(x, q, sp, q_nom, use, fp) with use =
    #       select_sensors(norm(x[:3]), sp.gnss, sp.lidar, sp.camera): the bound of the
    #       total position error, sensor biases included (for the safety cross-check),
    #   position_fix(ok, z_g, z_l, z_c, sp, q, q_nom, fp): the raw fix of the finest
    #       valid sensor (valid, LVLH position, covariance with biases) for the monitor,
    #   q (4,) q_lvlh_body, p[6:9, 6:9] its covariance (rad^2),
    #   w_inertial, w_rel = body_rates(q, b, omega_m, omega_lvlh)   (rad/s, body)
    # ... thruster selection fires dv_fired_lvlh (km/s, LVLH): after selection, minimum
    # impulse and quantisation, i.e. what the valves did; NEVER the commanded dv ...
    x, q, b, p = predict_navigation(x, q, b, p, dv_fired_lvlh, omega_m, dt, n,
                                    omega_lvlh, fp)

``n`` is the station's orbital rate (rad/s) and ``omega_lvlh = (0, -n, 0)`` the LVLH
frame's rate in LVLH (:mod:`qingzhou_sim.docking.bodies`: ``w_orb``). The single-sensor
updates (``update_gnss``, ``update_lidar``, ``update_camera_position``,
``update_star_tracker``, ``update_camera_attitude``, all ``(x, q, b, p, z, sensor
params, [q_nom,] fp) -> (x, q, b, p)``) are the parts of :func:`update_navigation`; a
new sensor is one update function plus one line there. The loop itself calls the
in-place forms (``_update_navigation_into``, ``_predict_into``) on its own arrays,
with work arrays made once per segment (:func:`_work`): the same operations, no
temporaries per step.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP: eq. 3.25, ch. 6.
Lefferts, E. J., Markley, F. L. and Shuster, M. D. (1982), Kalman filtering for
spacecraft attitude estimation, J. Guid. Control Dyn. 5(5), 417-429.
Markley, F. L. and Crassidis, J. L. (2014), *Fundamentals of Spacecraft Attitude
Determination and Control*, Springer: sec. 6.2.4 (MEKF), eqs. 6.83-6.93.
Bar-Shalom, Y., Li, X. R. and Kirubarajan, T. (2001), *Estimation with Applications to
Tracking and Navigation*, Wiley: sec. 5.2 (Joseph form), 5.4 (consistency), 10.4.3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import InputError
from ..relative._kernels import _cw_stm_fill
from ._kernels import (
    LEAF_OPTIONS,
    _inlined,
    _kernel,
    _kernel_of,
    _leaf,
    _mtv3,
    _mv3,
    _signed,
    _vsub,
)
from ._quat import (
    _qdcm_into,
    qdcm,
    qfrom_rotvec4,
    qmul4,
    qnormalize,
    qnormalize4,
    qto_rotvec3,
)
from .sensors import (
    G_ARW,
    G_RRW,
    R_BIAS,
    R_MIS,
    R_MOUNT_Q,
    R_MOUNT_R,
    R_SIGA,
    R_SIGB,
    R_TGT_Q,
    R_TGT_R,
    S_MIS,
    S_SIG,
    SensorParams,
)

__all__ = [
    "FilterConfig",
    "bias_covariance",
    "body_rates",
    "init_navigation",
    "position_fix",
    "predict_navigation",
    "update_camera_attitude",
    "update_camera_position",
    "update_gnss",
    "update_lidar",
    "update_navigation",
    "update_star_tracker",
]

# filter parameter array
F_QA = 0  # white-acceleration process noise, km/s^2
F_QB = 1  # its growth per km of range, km/s^2 / km
F_DV_MAG = 2  # 1-sigma execution error of a fired impulse, fraction of its size
F_DV_PNT = 3  # 1-sigma pointing error of a fired impulse, rad per axis
F_ARW = 4  # gyro angle random walk, rad/s^0.5
F_RRW = 5  # gyro rate random walk, rad/s^1.5
F_RBIAS = 6  # 1.0: sensor bias and misalignment variances added to R
F_RREF = 7  # km: radius of the station's circular reference orbit (0: linear CW mean)
F_LEN = 8

# error state of the joint filter: position, velocity (LVLH, km, km/s), attitude error
# delta_theta (body, rad), gyro-bias error (rad/s)
I_R = 0
I_V = 3
I_TH = 6
I_B = 9
N_ERR = 12
_SUBSTEP_S = 10.0  # longest RK4 step of the nonlinear mean, s (error ~ (n h)^5 / 120)


# --------------------------------------------------------------------- linear algebra
@_kernel
def _skew(v):
    m = np.empty((3, 3))
    _skew_into(v, m)
    return m


@_leaf
def _skew_into(v, m):
    """``[v x]`` into ``m`` (3, 3)."""
    for i in range(3):
        for j in range(3):
            m[i, j] = 0.0
    m[0, 1] = -v[2]
    m[0, 2] = v[1]
    m[1, 0] = v[2]
    m[1, 2] = -v[0]
    m[2, 0] = -v[1]
    m[2, 1] = v[0]


@_leaf
def _skew_at(v, i, j):
    """Entry ``(i, j)`` of the cross-product matrix of ``v`` (:func:`_skew_into`)."""
    if i == j:
        return 0.0
    if i == 0:
        return -v[2] if j == 1 else v[1]
    if i == 1:
        return v[2] if j == 0 else -v[0]
    return -v[1] if j == 0 else v[0]


@_kernel
def _mul(a, b):
    """``a @ b`` for the filter's small matrices, written out: numba's ``@`` calls BLAS,
    whose per-call cost dominates at 3 x 3 to 12 x 12 (zeros of ``a`` are skipped)."""
    out = np.empty((a.shape[0], b.shape[1]))
    _mul_into(a, b, out)
    return out


@_leaf
def _mul_into(a, b, out):
    """:func:`_mul` into ``out``."""
    n, k = a.shape
    m = b.shape[1]
    for i in range(n):
        for c in range(m):
            out[i, c] = 0.0
    for i in range(n):
        for j in range(k):
            aij = a[i, j]
            if aij != 0.0:
                for c in range(m):
                    out[i, c] += aij * b[j, c]


@_kernel
def _mul_t(a, b):
    """``a @ b.T`` (see :func:`_mul`)."""
    out = np.empty((a.shape[0], b.shape[0]))
    _mul_t_into(a, b, out)
    return out


@_leaf
def _mul_t_into(a, b, out):
    """:func:`_mul_t` into ``out``."""
    n, k = a.shape
    m = b.shape[0]
    for i in range(n):
        for c in range(m):
            acc = 0.0
            for j in range(k):
                acc += a[i, j] * b[c, j]
            out[i, c] = acc


@_leaf
def _mul33_into(a, b, out):
    """:func:`_mul_into` for 3 x 3 matrices (loops of known length: unrolled)."""
    for i in range(3):
        for c in range(3):
            out[i, c] = 0.0
    for i in range(3):
        for j in range(3):
            aij = a[i, j]
            if aij != 0.0:
                for c in range(3):
                    out[i, c] += aij * b[j, c]


@_leaf
def _mul_t33_into(a, b, out):
    """:func:`_mul_t_into` for 3 x 3 matrices."""
    for i in range(3):
        for c in range(3):
            acc = 0.0
            for j in range(3):
                acc += a[i, j] * b[c, j]
            out[i, c] = acc


@_kernel
def _sandwich(a, c):
    """``a @ c @ a.T``."""
    return _mul_t(_mul(a, c), a)


@_kernel
def _inv3(m):
    """Inverse of a 3 x 3 matrix by its adjugate (Cramer's rule)."""
    out = np.empty((3, 3))
    out[0, 0] = m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]
    out[0, 1] = m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]
    out[0, 2] = m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]
    out[1, 0] = m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]
    out[1, 1] = m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]
    out[1, 2] = m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]
    out[2, 0] = m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]
    out[2, 1] = m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]
    out[2, 2] = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    det = m[0, 0] * out[0, 0] + m[0, 1] * out[1, 0] + m[0, 2] * out[2, 0]
    for i in range(3):
        for j in range(3):
            out[i, j] /= det
    return out


@njit(cache=True, error_model="numpy")
def _kf_update(p, y, h, r):
    """Linear update of the error state with innovation ``y`` (Bar-Shalom et al. 2001,
    eqs. 5.2.3-11 to 5.2.3-15: ``K = P H^T S^-1``, ``P - K S K^T``): returns
    (correction, covariance); the work is :func:`_kf_update_into`'s."""
    n = p.shape[0]
    m = h.shape[0]
    p1 = p.copy()
    dx = np.empty(n)
    y1, h1 = np.ascontiguousarray(y), np.ascontiguousarray(h)
    _kf_update_into(p1, y1, h1, m, r.copy(), dx, np.empty((n, m)), np.empty(m))
    return dx, p1


# explicit signature: ``m`` is a literal (3 or 6) at the call sites, and numba would
# otherwise compile one copy per value
_C1 = "float64[::1]"
_C2 = "float64[:, ::1]"


@_inlined
def _kf_gain_update(p, y, s, dx, ph, z, m, n, sym):
    """The update's second half, in place and without allocating, once ``ph`` holds
    ``P H^T`` (n, m) and the lower triangle of ``s`` holds ``S = H P H^T + R``: ``dx``
    (n,) becomes the correction and ``p`` (n, n) the updated covariance; ``z`` (>= m,)
    is work.

    With the Cholesky factor ``S = L L^T`` and ``M = P H^T L^-T`` (forward
    substitution), ``K y = M L^-1 y`` and ``K S K^T = M M^T``: no inverse, and the
    updated covariance is symmetric by construction. Writing ``p`` in place is safe:
    entry (i, j) and its mirror are read only for the pair itself. With ``sym`` the
    covariance starts from ``(P + P^T) / 2``; without, from ``P``'s upper triangle (the
    same numbers when ``P`` is exactly symmetric, as the filter keeps it: every update
    and time update writes an entry and its mirror together). Inlined into its
    callers, which give ``m`` and ``n`` as constants where they can (LLVM then unrolls
    the ``m``-long loops).
    """
    # Cholesky factor in place of S's lower triangle (column by column: the entries
    # still to be read are the original ones)
    low = s
    for j in range(m):
        d = low[j, j]
        for c in range(j):
            d -= low[j, c] * low[j, c]
        if d <= 0.0:
            raise ValueError("innovation covariance is not positive definite")
        low[j, j] = math.sqrt(d)
        for i in range(j + 1, m):
            v = low[i, j]
            for c in range(j):
                v -= low[i, c] * low[j, c]
            low[i, j] = v / low[j, j]
    mm = ph  # M L^T = P H^T, row by row, in place of P H^T
    for i in range(n):
        for c in range(m):
            v = mm[i, c]
            for d in range(c):
                v -= low[c, d] * mm[i, d]
            mm[i, c] = v / low[c, c]
    for c in range(m):  # L z = y
        v = y[c]
        for d in range(c):
            v -= low[c, d] * z[d]
        z[c] = v / low[c, c]
    for i in range(n):
        dx[i] = 0.0
        for c in range(m):
            dx[i] += mm[i, c] * z[c]
        for j in range(i, n):
            v = 0.5 * (p[i, j] + p[j, i]) if sym else p[i, j]
            for c in range(m):
                v -= mm[i, c] * mm[j, c]
            p[i, j] = v
            p[j, i] = v


@_signed(f"void({_C2}, {_C1}, {_C2}, int64, {_C2}, {_C1}, {_C2}, {_C1})", **LEAF_OPTIONS)
def _kf_update_into(p, y, h, m, s, dx, ph, z):
    """:func:`_kf_update` in place, without allocating, for any ``H``: ``p`` (n, n)
    becomes the updated covariance (from ``(P + P^T) / 2``), ``dx`` (n,) the
    correction; ``s`` holds the measurement noise ``R`` (m, m) on entry and is
    overwritten; the first ``m`` rows of ``h`` are the measurement matrix (its zeros
    are skipped); ``ph`` (n, >= m) and ``z`` (>= m,) are work arrays
    (:func:`_kf_gain_update`)."""
    n = p.shape[0]
    for i in range(n):  # P H^T
        for c in range(m):
            ph[i, c] = 0.0
    for c in range(m):
        for j in range(n):
            hcj = h[c, j]
            if hcj != 0.0:
                for i in range(n):
                    ph[i, c] += p[i, j] * hcj
    for c in range(m):  # H P H^T + R (its lower triangle is used)
        for j in range(n):
            hcj = h[c, j]
            if hcj != 0.0:
                for d in range(c + 1):
                    s[c, d] += hcj * ph[j, d]
    _kf_gain_update(p, y, s, dx, ph, z, m, n, True)


def _kf_update_fixed(m):
    """:func:`_kf_update_into` for the filter's ``p`` (N_ERR, N_ERR), exactly
    symmetric, and an ``H`` of ``m`` rows with a known structure: an identity block at
    columns ``col .. col + m`` and, with ``att``, the attitude sensitivity in columns
    ``I_TH .. I_TH + 3`` (a position fix). ``P H^T`` and ``H P H^T`` are summed over
    those columns only, in the same order (a product by 1.0 is exact); ``m`` and ``n``
    are constants (LLVM unrolls the ``m``-long loops and interleaves the independent
    entries). Made for m = 3 and 6."""

    def update(p, y, h, s, dx, ph, z, col, att):
        for i in range(N_ERR):  # P H^T: the identity column first, then the attitude's
            for c in range(m):
                v = 0.0 + p[i, col + c]
                if att:
                    for e in range(3):
                        hce = h[c, I_TH + e]
                        if hce != 0.0:
                            v += p[i, I_TH + e] * hce
                ph[i, c] = v
        for c in range(m):  # H P H^T + R (its lower triangle is used)
            for d in range(c + 1):
                v = s[c, d] + ph[col + c, d]
                if att:
                    for e in range(3):
                        hce = h[c, I_TH + e]
                        if hce != 0.0:
                            v += hce * ph[I_TH + e, d]
                s[c, d] = v
        _kf_gain_update(p, y, s, dx, ph, z, m, N_ERR, False)

    update.__qualname__ = update.__name__ = f"_kf_update_{m}"
    sig = f"void({_C2}, {_C1}, {_C2}, {_C2}, {_C1}, {_C2}, {_C1}, int64, boolean)"
    return _signed(sig, **LEAF_OPTIONS)(update)


_kf_update_3 = _kf_update_fixed(3)
_kf_update_6 = _kf_update_fixed(6)


@_leaf
def _correct_into(x, q, b, dx):
    """Fold an error-state correction into the estimate, in place on ``x``, ``q``,
    ``b`` (the MEKF reset, Markley & Crassidis 2014, eq. 6.27)."""
    for i in range(6):
        x[i] = x[i] + dx[I_R + i]
    d0, d1, d2, d3 = qfrom_rotvec4(dx[I_TH], dx[I_TH + 1], dx[I_TH + 2])
    m0, m1, m2, m3 = qmul4(q[0], q[1], q[2], q[3], d0, d1, d2, d3)
    q[0], q[1], q[2], q[3] = qnormalize4(m0, m1, m2, m3)
    for i in range(3):
        b[i] = b[i] + dx[I_B + i]


# slots of the 3 x 3 work matrices (``_work()[7]``): the position fix's rotations and
# products (:func:`_position_from_los_into`), then the fix's sensor-frame covariance,
# LVLH covariance and attitude sensitivity, the sensor covariance's factors, the
# attitude fix's noise
W_ROT = 0  # 5 slots
W_CS = 5
W_COV = 6
W_J = 7
W_A = 8
W_VAR = 9
W_TMP = 10
W_R = 11
W_N3 = 12
# slots of the 3-vectors (``_work()[8]``) and 4-vectors (``_work()[9]``)
V_LOS = 0
V_W = 1
V_POS = 2
V_N = 3
Q_MEAS = 0
Q_CONJ = 1
Q_LT = 2
Q_N = 3


@_inlined
def _work():
    """Work arrays of the in-place updates: (h (6, N_ERR), P H^T (N_ERR, 6), innovation
    (6,), solve (6,), correction (N_ERR,), Phi P (N_ERR, N_ERR), the time update's
    blocks (6, 6, 6): CW transition, its noise, the attitude's noise and transition,
    RK4 stages, small vectors; the measurement updates' 3 x 3 matrices (W_N3, 3, 3),
    3-vectors (V_N, 3) and quaternions (Q_N, 4), slots ``W_*``, ``V_*``, ``Q_*``; the
    GNSS noise (6, 6))."""
    return (
        np.zeros((6, N_ERR)),
        np.zeros((N_ERR, 6)),
        np.zeros(6),
        np.zeros(6),
        np.zeros(N_ERR),
        np.zeros((N_ERR, N_ERR)),
        np.zeros((6, 6, 6)),
        np.zeros((W_N3, 3, 3)),
        np.zeros((V_N, 3)),
        np.zeros((Q_N, 4)),
        np.zeros((6, 6)),
    )


@_kernel
def _kf_apply(x, q, b, p, m, r, ws):
    """Update with the measurement matrix in ``ws[0][:m]`` and the innovation in
    ``ws[2][:m]`` (noise ``r``, overwritten), and fold the correction in, in place."""
    h, ph, y, z, dx = ws[0], ws[1], ws[2], ws[3], ws[4]
    _kf_update_into(p, y, h, m, r, dx, ph, z)
    _correct_into(x, q, b, dx)


@_leaf
def _h_rows(h, m, col):
    """Rows ``0..m`` of ``h`` zero but for an identity block starting at ``col``."""
    for i in range(m):
        for c in range(N_ERR):
            h[i, c] = 0.0
        h[i, col + i] = 1.0


# ------------------------------------------------------------------------ time update
@_leaf
def _relative_deriv(n, rr, s, out):
    """Derivative (6,) of the relative state into ``out``: two-body motion about a
    target on a circular orbit of radius ``rr`` (km) and rate ``n`` (rad/s), in LVLH:
    the nonlinear equations whose linearisation is CW (Fehse 2003, eqs. 3.13-3.22).
    The Earth's centre is at ``(0, 0, rr)`` in LVLH; the frame turns at ``-n`` about
    y."""
    mu = n * n * rr * rr * rr
    cx, cy, cz = s[0], s[1], s[2] - rr
    r = math.sqrt(cx * cx + cy * cy + cz * cz)
    k = mu / (r * r * r)
    out[0] = s[3]
    out[1] = s[4]
    out[2] = s[5]
    out[3] = -k * cx + 2.0 * n * s[5] + n * n * s[0]
    out[4] = -k * cy
    out[5] = -k * cz - mu / (rr * rr) - 2.0 * n * s[3] + n * n * s[2]


@_kernel
def _relative_flow(n, rr, s, dt):
    """Nonlinear relative state after ``dt`` s (fixed-step RK4)."""
    s = s.copy()
    _relative_flow_into(n, rr, s, dt, np.empty((4, 6)), np.empty(6))
    return s


@_leaf
def _relative_flow_into(n, rr, s, dt, k, y):
    """:func:`_relative_flow` in place on ``s``; ``k`` (4, 6), ``y`` (6,) work arrays."""
    m = max(1, int(math.ceil(abs(dt) / _SUBSTEP_S)))
    h = dt / m
    for _ in range(m):
        _relative_deriv(n, rr, s, k[0])
        for j in range(1, 4):
            c = 0.5 * h if j < 3 else h
            for i in range(6):
                y[i] = s[i] + c * k[j - 1, i]
            _relative_deriv(n, rr, y, k[j])
        for i in range(6):
            s[i] += (h / 6.0) * (k[0, i] + 2.0 * k[1, i] + 2.0 * k[2, i] + k[3, i])


@_inlined
def _translation_step(x, dt, n, fp, pw):
    """Mean, transition matrix and process noise of the free translation over ``dt``:
    CW (Fehse 2003, eq. 3.25), white acceleration of density ``(F_QA + F_QB range)^2``
    (Bar-Shalom et al. 2001, eq. 6.2.2-12); the nonlinear mean with ``F_RREF`` > 0.
    The mean replaces ``x``; the matrices go to the work array ``pw`` (:func:`_work`):
    returns (phi, q) as views of it. The transition depends on ``dt`` and ``n`` only: it
    is made again only when they change (a segment's steps share it)."""
    stm = pw[0:1]
    qm = pw[1]
    made = pw[5, 2]  # (1, dt, n) once pw[0] holds the transition over dt (pw[1]: zeros)
    if made[0] != 1.0 or made[1] != dt or made[2] != n:
        t = pw[5, 0, 0:1]
        t[0] = dt
        _cw_stm_fill(n, t, stm)
        for i in range(6):
            for j in range(6):
                qm[i, j] = 0.0
        made[0], made[1], made[2] = 1.0, dt, n
    phi = stm[0]
    rng = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    sa = fp[F_QA] + fp[F_QB] * rng
    q = sa * sa
    for i in range(3):
        qm[i, i] = q * dt * dt * dt / 3.0
        qm[i, i + 3] = q * dt * dt / 2.0
        qm[i + 3, i] = q * dt * dt / 2.0
        qm[i + 3, i + 3] = q * dt
    k, y = pw[4, 0:4], pw[4, 4]
    if fp[F_RREF] > 0.0:
        _relative_flow_into(n, fp[F_RREF], x, dt, k, y)
    else:
        for i in range(6):
            y[i] = 0.0
            for j in range(6):
                y[i] += phi[i, j] * x[j]
        for i in range(6):
            x[i] = y[i]
    return phi, qm


@njit(cache=True, error_model="numpy")
def _phi_attitude(w, dt):
    """Error-state transition of the MEKF for a constant rate ``w`` (Markley &
    Crassidis 2014, eqs. 6.83-6.84), series near zero rate."""
    phi = np.empty((6, 6))
    _phi_attitude_into(w, dt, phi)
    return phi


@_leaf
def _phi_attitude_into(w, dt, phi):
    """:func:`_phi_attitude` into ``phi`` (6, 6)."""
    wn = math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2])
    th = wn * dt
    if th < 1e-2:
        c1 = dt * (1.0 - th * th / 6.0)  # sin(th) / wn
        c2 = dt * dt * (0.5 - th * th / 24.0)  # (1 - cos(th)) / wn^2
        c3 = dt * dt * dt * (1.0 / 6.0 - th * th / 120.0)  # (th - sin(th)) / wn^3
    else:
        c1 = math.sin(th) / wn
        c2 = (1.0 - math.cos(th)) / (wn * wn)
        c3 = (th - math.sin(th)) / (wn * wn * wn)
    for i in range(6):
        for j in range(6):
            phi[i, j] = 0.0
    for i in range(3):
        for j in range(3):
            eye = 1.0 if i == j else 0.0
            wx2 = w[i] * w[j] - eye * wn * wn  # [w x]^2 = w w^T - |w|^2 I
            wxij = _skew_at(w, i, j)  # [w x][i, j]
            phi[i, j] = eye - c1 * wxij + c2 * wx2
            phi[i, 3 + j] = -(dt * eye - c2 * wxij + c3 * wx2)
        phi[3 + i, 3 + i] = 1.0


@_inlined
def _attitude_step(q, b, omega_meas, dt, omega_lvlh, fp, pw):
    """Mean, transition and process noise of the attitude over ``dt``:
    ``q(t + dt) = exp(-omega_lvlh dt) ⊗ q ⊗ exp((omega_meas - b) dt)`` (the body turns
    by the bias-corrected gyro rate, the LVLH frame by its own rate, both constant over
    the step); process noise of the gyro's random walks (Markley & Crassidis 2014,
    eq. 6.93). The mean replaces ``q``; returns (phi, q) as views of ``pw`` (the noise
    made again only when ``dt`` or the gyro's noise changes)."""
    w = pw[5, 1, 0:3]
    for i in range(3):
        w[i] = omega_meas[i] - b[i]
    # qnormalize(qmul(qmul(qfrom_rotvec(-omega_lvlh dt), q), qfrom_rotvec(w dt)))
    l0, l1, l2, l3 = qfrom_rotvec4(-omega_lvlh[0] * dt, -omega_lvlh[1] * dt, -omega_lvlh[2] * dt)
    b0, b1, b2, b3 = qfrom_rotvec4(w[0] * dt, w[1] * dt, w[2] * dt)
    m0, m1, m2, m3 = qmul4(l0, l1, l2, l3, q[0], q[1], q[2], q[3])
    n0, n1, n2, n3 = qmul4(m0, m1, m2, m3, b0, b1, b2, b3)
    q[0], q[1], q[2], q[3] = qnormalize4(n0, n1, n2, n3)
    qm = pw[2]
    made = pw[5, 3]  # (1, dt, F_ARW, F_RRW) once pw[2] holds the noise over dt
    if made[0] != 1.0 or made[1] != dt or made[2] != fp[F_ARW] or made[3] != fp[F_RRW]:
        sv2 = fp[F_ARW] * fp[F_ARW]
        su2 = fp[F_RRW] * fp[F_RRW]
        for i in range(6):
            for j in range(6):
                qm[i, j] = 0.0
        for i in range(3):
            qm[i, i] = sv2 * dt + su2 * dt * dt * dt / 3.0
            qm[i, i + 3] = -su2 * dt * dt / 2.0
            qm[i + 3, i] = -su2 * dt * dt / 2.0
            qm[i + 3, i + 3] = su2 * dt
        made[0], made[1], made[2], made[3] = 1.0, dt, fp[F_ARW], fp[F_RRW]
    phi = pw[3]
    _phi_attitude_into(w, dt, phi)
    return phi, qm


@njit(cache=True, error_model="numpy")
def init_navigation(x0, q0, sig_pos_km, sig_vel_km_s, sig_att_rad, sig_bias_rad_s):
    """Initial estimate (x, q, b = 0) and diagonal error covariance (N_ERR, N_ERR)."""
    p = np.zeros((N_ERR, N_ERR))
    for i in range(3):
        p[I_R + i, I_R + i] = sig_pos_km * sig_pos_km
        p[I_V + i, I_V + i] = sig_vel_km_s * sig_vel_km_s
        p[I_TH + i, I_TH + i] = sig_att_rad * sig_att_rad
        p[I_B + i, I_B + i] = sig_bias_rad_s * sig_bias_rad_s
    return x0.copy(), qnormalize(q0), np.zeros(3), p


@njit(cache=True, error_model="numpy")
def predict_navigation(x, q, b, p, dv_fired_lvlh, omega_meas, dt, n, omega_lvlh, fp):
    """Time update over ``dt`` s: the impulse the thrusters fired (km/s, LVLH) at the
    start of the step, then the free translation and the gyro-driven attitude.

    The impulse's execution error enters the velocity covariance: magnitude
    ``F_DV_MAG`` along it, pointing ``F_DV_PNT`` across it. Returns (x, q, b, p);
    the work is :func:`_predict_into`'s.
    """
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    ws = _work()
    _predict_into(x1, q1, b1, p1, dv_fired_lvlh, omega_meas, dt, n, omega_lvlh, fp, ws[5], ws[6])
    return x1, q1, b1, p1


@_leaf
def _predict_into(x, q, b, p, dv_fired_lvlh, omega_meas, dt, n, omega_lvlh, fp, wa, pw):
    """:func:`predict_navigation` in place on ``x``, ``q``, ``p`` (``b`` is not
    changed), with the work arrays ``wa`` and ``pw`` (``_work()[5]`` and ``[6]``: the
    two it uses, not the whole tuple, whose every array would cost a reference-count
    increment and decrement per call)."""
    dv2 = 0.0
    for i in range(3):
        x[3 + i] += dv_fired_lvlh[i]
        dv2 += dv_fired_lvlh[i] * dv_fired_lvlh[i]
    sm2 = fp[F_DV_MAG] * fp[F_DV_MAG]
    sp2 = fp[F_DV_PNT] * fp[F_DV_PNT]
    for i in range(3):
        for j in range(3):
            dd = dv_fired_lvlh[i] * dv_fired_lvlh[j]
            p[I_V + i, I_V + j] += sm2 * dd + sp2 * ((dv2 if i == j else 0.0) - dd)
    phi_t, q_t = _translation_step(x, dt, n, fp, pw)
    phi_a, q_a = _attitude_step(q, b, omega_meas, dt, omega_lvlh, fp, pw)
    _propagate_covariance(p, phi_t, phi_a, q_t, q_a, wa)


@_inlined
def _propagate_covariance(p, phi_t, phi_a, q_t, q_a, a):
    """``p <- Phi P Phi^T + Q`` (symmetrised) in place for the block-diagonal transition
    ``Phi = diag(phi_t, phi_a)`` and noise ``Q = diag(q_t, q_a)`` (translation and
    attitude, 6 x 6 each), by blocks: half the products of the dense 12 x 12 form,
    and none with zeros of ``phi_a``; ``a`` (N_ERR, N_ERR) is a work array."""
    # a = Phi P: rows 0-5 mix the translation rows of P, rows 6-11 the attitude rows
    for i in range(N_ERR):
        for c in range(N_ERR):
            a[i, c] = 0.0
    for i in range(6):
        for j in range(6):
            ft = phi_t[i, j]
            fa = phi_a[i, j]
            for c in range(N_ERR):
                a[i, c] += ft * p[j, c]
            if fa != 0.0:
                for c in range(N_ERR):
                    a[6 + i, c] += fa * p[6 + j, c]
    # p = a Phi^T + Q, upper triangle, then mirrored (p is no longer read)
    out = p
    for r in range(N_ERR):
        for i in range(r, N_ERR):
            acc = 0.0
            if i < 6:
                for j in range(6):
                    acc += a[r, j] * phi_t[i, j]
                if r < 6:
                    acc += q_t[r, i]
            else:
                for j in range(6):
                    fa = phi_a[i - 6, j]
                    if fa != 0.0:
                        acc += a[r, 6 + j] * fa
                if r >= 6:
                    acc += q_a[r - 6, i - 6]
            out[r, i] = acc
            out[i, r] = acc


# ------------------------------------------------------------------ translation fixes
@_inlined
def update_position(x, q, b, p, z_lvlh, r_cov, j_att):
    """Update with a measured LVLH position (km) of noise covariance ``r_cov`` whose
    error also depends on the attitude error as ``j_att @ delta_theta`` (3, 3)."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_position_into(x1, q1, b1, p1, z_lvlh, r_cov.copy(), j_att, _work())
    return x1, q1, b1, p1


@_kernel
def _update_position_into(x, q, b, p, z_lvlh, r_cov, j_att, ws):
    """:func:`update_position` in place (``r_cov`` is overwritten)."""
    _position_meas(x, z_lvlh, j_att, ws[0], ws[2])
    _kf_apply(x, q, b, p, 3, r_cov, ws)


@_leaf
def _position_meas(x, z_lvlh, j_att, h, y):
    """Measurement matrix (rows 0-2 of ``h``) and innovation (``y``) of a measured LVLH
    position whose error depends on the attitude error as ``j_att``."""
    _h_rows(h, 3, I_R)
    for i in range(3):
        for j in range(3):
            h[i, I_TH + j] = j_att[i, j]
        y[i] = z_lvlh[i] - x[i]


@_kernel
def _gnss_cov(x, sp, noise, bias):
    """Covariance (6, 6) of a GNSS sample near the estimate ``x``: white noise times
    ``noise`` plus per-run bias and misalignment times ``bias`` (0 or 1)."""
    r = np.empty((6, 6))
    _gnss_cov_into(x, sp, noise, bias, r)
    return r


@_leaf
def _gnss_cov_into(x, sp, noise, bias, r):
    """:func:`_gnss_cov` into ``r`` (6, 6)."""
    rng = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    spd = math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5])
    for i in range(6):
        for j in range(6):
            r[i, j] = 0.0
    for i in range(6):
        s = sp[R_SIGA + i] + sp[R_SIGB + i] * rng
        arm = rng if i < 3 else spd
        r[i, i] = noise * s * s + bias * (sp[R_BIAS + i] ** 2 + (sp[R_MIS] * arm) ** 2)


@_inlined
def update_gnss(x, q, b, p, z, sp, fp):
    """Update with a relative-GNSS sample ``z`` (6,) = LVLH position (km), velocity
    (km/s)."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_gnss_into(x1, q1, b1, p1, z, sp, fp, _work())
    return x1, q1, b1, p1


@_kernel
def _update_gnss_into(x, q, b, p, z, sp, fp, ws):
    """:func:`update_gnss` in place."""
    _gnss_meas(x, z, sp, fp, ws[0], ws[2], ws[10])
    _kf_apply(x, q, b, p, 6, ws[10], ws)


@_leaf
def _gnss_meas(x, z, sp, fp, h, y, r):
    """Measurement matrix (rows 0-5 of ``h``), innovation (``y``) and noise (``r``,
    (6, 6)) of a relative-GNSS sample ``z``."""
    _h_rows(h, 6, I_R)
    for i in range(6):
        y[i] = z[i] - x[i]
    _gnss_cov_into(x, sp, 1.0, fp[F_RBIAS], r)


@_kernel
def _position_from_los(los_s, c_s, sp, q, q_nom):
    """LVLH position (km) of the chaser's centre of mass from a line of sight ``los_s``
    (sensor frame, km) to the sensor's target with covariance ``c_s``, converted with
    the attitude estimate ``q``: (position, covariance, d position / d delta_theta).
    The same operations as the matrix helpers (``_mv3``, ``_mul``, ``_sandwich``),
    with one work array instead of their temporaries (three calls a step)."""
    pos, cov, j = np.empty(3), np.empty((3, 3)), np.empty((3, 3))
    _position_from_los_into(los_s, c_s, sp, q, q_nom, np.empty((5, 3, 3)), np.empty(3), pos, cov, j)
    return pos, cov, j


@_leaf
def _position_from_los_into(los_s, c_s, sp, q, q_nom, t, w, pos, cov, j):
    """:func:`_position_from_los` into ``pos`` (3,), ``cov`` and ``j`` (3, 3), with the
    work arrays ``t`` (>= 5, 3, 3) and ``w`` (3,)."""
    r_bs, r_lb, r_n, m, tmp = t[0], t[1], t[2], t[3], t[4]
    _qdcm_into(sp[R_MOUNT_Q : R_MOUNT_Q + 4], r_bs)
    _qdcm_into(q, r_lb)
    _qdcm_into(q_nom, r_n)
    for i in range(3):  # w: sensor position + R_bs los, body frame
        w[i] = sp[R_MOUNT_R + i] + (
            r_bs[i, 0] * los_s[0] + r_bs[i, 1] * los_s[1] + r_bs[i, 2] * los_s[2]
        )
    tg = sp[R_TGT_R : R_TGT_R + 3]
    for i in range(3):
        pos[i] = (r_n[i, 0] * tg[0] + r_n[i, 1] * tg[1] + r_n[i, 2] * tg[2]) - (
            r_lb[i, 0] * w[0] + r_lb[i, 1] * w[1] + r_lb[i, 2] * w[2]
        )
    _mul33_into(r_lb, r_bs, m)
    # the true attitude q ⊗ exp(dth) turns w by dth: the fix moves by -R [w x] dth
    _skew_into(w, tmp)
    _mul33_into(r_lb, tmp, j)
    for r in range(3):
        for c in range(3):
            j[r, c] = -j[r, c]
    _mul33_into(m, c_s, tmp)  # the covariance m c_s m^T
    _mul_t33_into(tmp, m, cov)


@_kernel
def _lidar_cov(los, sp, noise, bias):
    """Covariance (3, 3, lidar frame) of the line of sight ``los`` (km) measured as
    range, azimuth, elevation: white noise times ``noise``, bias and misalignment times
    ``bias``."""
    out = np.empty((3, 3))
    _lidar_cov_into(los, sp, noise, bias, np.empty((3, 3)), np.empty((3, 3)), np.empty((3, 3)), out)
    return out


@_leaf
def _lidar_cov_into(los, sp, noise, bias, a, var, tmp, out):
    """:func:`_lidar_cov` into ``out`` with the work arrays ``a``, ``var``, ``tmp``
    (3, 3): ``a var a^T``."""
    r = math.sqrt(los[0] * los[0] + los[1] * los[1] + los[2] * los[2])
    rh = math.sqrt(los[0] * los[0] + los[1] * los[1])
    ca, sa = los[0] / rh, los[1] / rh
    ce, se = rh / r, los[2] / r
    # a: d los / d (range, az, el)
    a[0, 0], a[1, 0], a[2, 0] = ce * ca, ce * sa, se
    a[0, 1], a[1, 1], a[2, 1] = -r * ce * sa, r * ce * ca, 0.0
    a[0, 2], a[1, 2], a[2, 2] = -r * se * ca, -r * se * sa, r * ce
    for i in range(3):
        for c in range(3):
            var[i, c] = 0.0
    for i in range(3):
        s = sp[R_SIGA + i] + sp[R_SIGB + i] * r
        mis = sp[R_MIS] ** 2 if i > 0 else 0.0
        var[i, i] = noise * s * s + bias * (sp[R_BIAS + i] ** 2 + mis)
    _mul33_into(a, var, tmp)  # _sandwich(a, var)
    _mul_t33_into(tmp, a, out)


@_kernel
def _camera_cov(los, sp, noise, bias):
    """Covariance (3, 3, camera frame) of the measured target position ``los`` (km)."""
    c = np.empty((3, 3))
    _camera_cov_into(los, sp, noise, bias, c)
    return c


@_leaf
def _camera_cov_into(los, sp, noise, bias, c):
    """:func:`_camera_cov` into ``c`` (3, 3)."""
    r = math.sqrt(los[0] * los[0] + los[1] * los[1] + los[2] * los[2])
    for i in range(3):
        for j in range(3):
            c[i, j] = 0.0
    for i in range(3):
        s = sp[R_SIGA + i] + sp[R_SIGB + i] * r
        c[i, i] = noise * s * s + bias * sp[R_BIAS + i] ** 2
    mis2 = bias * sp[R_MIS] ** 2
    for i in range(3):
        for j in range(3):
            # misalignment turns the line of sight: r^2 I - los los^T
            c[i, j] += mis2 * ((r * r if i == j else 0.0) - los[i] * los[j])


@_inlined
def update_lidar(x, q, b, p, z, sp, q_nom, fp):
    """Update with a lidar sample ``z`` = (range km, azimuth, elevation rad), converted
    to a position with the attitude estimate (the attitude error enters through the
    joint covariance)."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_lidar_into(x1, q1, b1, p1, z, sp, q_nom, fp, _work())
    return x1, q1, b1, p1


@_kernel
def _update_lidar_into(x, q, b, p, z, sp, q_nom, fp, ws):
    """:func:`update_lidar` in place."""
    _lidar_meas(x, q, z, sp, q_nom, fp, ws[0], ws[2], ws[7], ws[8])
    _kf_apply(x, q, b, p, 3, ws[7][W_COV], ws)


@_leaf
def _lidar_meas(x, q, z, sp, q_nom, fp, h, y, mats, vecs):
    """Measurement matrix (rows 0-2 of ``h``), innovation (``y``) and noise
    (``mats[W_COV]``) of a lidar sample ``z`` converted to an LVLH position."""
    los = vecs[V_LOS]
    _lidar_los_into(z, los)
    c_s = mats[W_CS]
    _lidar_cov_into(los, sp, 1.0, fp[F_RBIAS], mats[W_A], mats[W_VAR], mats[W_TMP], c_s)
    pos, c, j = vecs[V_POS], mats[W_COV], mats[W_J]
    _position_from_los_into(los, c_s, sp, q, q_nom, mats, vecs[V_W], pos, c, j)
    _position_meas(x, pos, j, h, y)


@_leaf
def _lidar_los_into(z, los):
    """The lidar's line of sight (km, lidar frame) of a sample ``z`` = (range km,
    azimuth, elevation rad), into ``los`` (3,)."""
    r, az, el = z[0], z[1], z[2]
    los[0] = r * math.cos(el) * math.cos(az)
    los[1] = r * math.cos(el) * math.sin(az)
    los[2] = r * math.sin(el)


@_inlined
def update_camera_position(x, q, b, p, z, sp, q_nom, fp):
    """Update with the position part of a camera sample ``z`` (7,)."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_camera_position_into(x1, q1, b1, p1, z, sp, q_nom, fp, _work())
    return x1, q1, b1, p1


@_kernel
def _update_camera_position_into(x, q, b, p, z, sp, q_nom, fp, ws):
    """:func:`update_camera_position` in place."""
    _camera_position_meas(x, q, z, sp, q_nom, fp, ws[0], ws[2], ws[7], ws[8])
    _kf_apply(x, q, b, p, 3, ws[7][W_COV], ws)


@_leaf
def _camera_position_meas(x, q, z, sp, q_nom, fp, h, y, mats, vecs):
    """Measurement matrix (rows 0-2 of ``h``), innovation (``y``) and noise
    (``mats[W_COV]``) of the position part of a camera sample ``z``."""
    los = vecs[V_LOS]
    for i in range(3):
        los[i] = z[i]
    c_s = mats[W_CS]
    _camera_cov_into(los, sp, 1.0, fp[F_RBIAS], c_s)
    pos, c, j = vecs[V_POS], mats[W_COV], mats[W_J]
    _position_from_los_into(los, c_s, sp, q, q_nom, mats, vecs[V_W], pos, c, j)
    _position_meas(x, pos, j, h, y)


@_inlined
def _covs_lvlh(kind, x, q, sp, q_nom, fp):
    """(R, B): the covariance the filter gives a position fix of sensor ``kind`` (0
    GNSS, 1 lidar, 2 camera) at the estimated geometry, and that of its per-run bias
    and misalignment, both in LVLH (3, 3)."""
    if kind == 0:
        r6 = _gnss_cov(x, sp.gnss, 1.0, fp[F_RBIAS])
        b6 = _gnss_cov(x, sp.gnss, 0.0, 1.0)
        return r6[:3, :3].copy(), b6[:3, :3].copy()
    s = sp.lidar if kind == 1 else sp.camera
    r_bs = qdcm(s[R_MOUNT_Q : R_MOUNT_Q + 4])
    r_lb = qdcm(q)
    d_lvlh = _mv3(qdcm(q_nom), s[R_TGT_R : R_TGT_R + 3]) - x[:3]
    d_body = _mtv3(r_lb, d_lvlh) - s[R_MOUNT_R : R_MOUNT_R + 3]
    los = _mtv3(r_bs, d_body)
    m = _mul(r_lb, r_bs)
    if kind == 1:
        c_r, c_b = _lidar_cov(los, s, 1.0, fp[F_RBIAS]), _lidar_cov(los, s, 0.0, 1.0)
    else:
        c_r, c_b = _camera_cov(los, s, 1.0, fp[F_RBIAS]), _camera_cov(los, s, 0.0, 1.0)
    return _sandwich(m, c_r), _sandwich(m, c_b)


@njit(cache=True, error_model="numpy")
def bias_covariance(x, q, sp, q_nom, use, fp):
    """Covariance (3, 3, LVLH, km^2) of the position error the filter cannot see: the
    per-run biases and misalignments of the relative sensors in use (``use`` from
    :func:`qingzhou_sim.docking.sensors.select_sensors`).

    The filter treats each sample's error as white, so after many samples its estimate
    carries the sensors' constant biases while ``p`` shrinks below them. In steady state
    the estimate is the information-weighted mean of the sensors' fixes, ``W_s =
    (sum_j R_j^-1)^-1 R_s^-1``, so its bias has covariance ``sum_s W_s B_s W_s^T``;
    ``p[:3, :3] + bias_covariance(...)`` bounds the total error (a consider-covariance
    approximation, Bar-Shalom et al. 2001, sec. 5.5).
    """
    info = np.zeros((3, 3))
    r_inv = np.zeros((3, 3, 3))
    bs = np.zeros((3, 3, 3))
    for kind in range(3):
        if use[kind]:
            r_s, b_s = _covs_lvlh(kind, x, q, sp, q_nom, fp)
            ri = _inv3(r_s)
            for i in range(3):
                for j in range(3):
                    bs[kind, i, j] = b_s[i, j]
                    r_inv[kind, i, j] = ri[i, j]
                    info[i, j] += ri[i, j]
    out = np.zeros((3, 3))
    if not (use[0] or use[1] or use[2]):
        return out
    total = _inv3(info)
    for kind in range(3):
        if use[kind]:
            out += _sandwich(_mul(total, r_inv[kind]), bs[kind])
    return out


@njit(cache=True, error_model="numpy")
def position_fix(ok, z_gnss, z_lidar, z_camera, sp, q, q_nom, fp):
    """The raw LVLH position (km) of the finest valid relative sample of this step and
    its covariance (3, 3), without the filter: the independent reading a safety
    monitor compares the estimate with (Fehse 2003, sec. 4.4). Returns (valid,
    position, covariance); not valid when no relative sample is."""
    ws = _work()
    valid = _position_fix_into(ok, z_gnss, z_lidar, z_camera, sp, q, q_nom, ws[7], ws[8], ws[10])
    return valid, ws[8][V_POS].copy(), ws[7][W_COV].copy()


@_leaf
def _position_fix_into(ok, z_gnss, z_lidar, z_camera, sp, q, q_nom, mats, vecs, r6):
    """:func:`position_fix` on the work arrays ``mats``, ``vecs`` and ``r6``
    (``_work()[7]``, ``[8]`` and ``[10]``): returns ``valid``; the position goes to
    ``vecs[V_POS]``, its covariance to ``mats[W_COV]`` (valid until the next update;
    no array returned: a kernel without reference counting, :data:`._kernels._leaf`)."""
    los, c_s, w = vecs[V_LOS], mats[W_CS], vecs[V_W]
    pos, c, j = vecs[V_POS], mats[W_COV], mats[W_J]
    if ok[2]:
        for i in range(3):
            los[i] = z_camera[i]
        _camera_cov_into(los, sp.camera, 1.0, 1.0, c_s)
        _position_from_los_into(los, c_s, sp.camera, q, q_nom, mats, w, pos, c, j)
        return True
    if ok[1]:
        _lidar_los_into(z_lidar, los)
        _lidar_cov_into(los, sp.lidar, 1.0, 1.0, mats[W_A], mats[W_VAR], mats[W_TMP], c_s)
        _position_from_los_into(los, c_s, sp.lidar, q, q_nom, mats, w, pos, c, j)
        return True
    if ok[0]:
        _gnss_cov_into(z_gnss, sp.gnss, 1.0, 1.0, r6)
        for i in range(3):
            pos[i] = z_gnss[i]
            for k in range(3):
                c[i, k] = r6[i, k]
        return True
    for i in range(3):
        pos[i] = np.nan
        for k in range(3):
            c[i, k] = np.nan
    return False


# --------------------------------------------------------------------- attitude fixes
@_inlined
def update_attitude(x, q, b, p, q_meas, r_cov):
    """MEKF update with a measured ``q_lvlh_body`` whose body-frame error has
    covariance ``r_cov`` (3, 3) (Markley & Crassidis 2014, eqs. 6.62-6.65); the
    translation is corrected too through the joint covariance."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_attitude_into(x1, q1, b1, p1, q_meas, r_cov.copy(), _work())
    return x1, q1, b1, p1


@_kernel
def _update_attitude_into(x, q, b, p, q_meas, r_cov, ws):
    """:func:`update_attitude` in place (``r_cov`` is overwritten)."""
    _attitude_meas(q, q_meas, ws[0], ws[2])
    _kf_apply(x, q, b, p, 3, r_cov, ws)


@_leaf
def _attitude_meas(q, q_meas, h, y):
    """Measurement matrix (rows 0-2 of ``h``) and innovation (``y``) of a measured
    ``q_lvlh_body``."""
    # qto_rotvec(qmul(qconj(q), q_meas)) on scalars
    e0, e1, e2, e3 = qmul4(q[0], -q[1], -q[2], -q[3], q_meas[0], q_meas[1], q_meas[2], q_meas[3])
    y[0], y[1], y[2] = qto_rotvec3(e0, e1, e2, e3)
    _h_rows(h, 3, I_TH)


@_inlined
def update_star_tracker(x, q, b, p, q_meas, stp, fp):
    """MEKF update with a star-tracker ``q_lvlh_body``."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_star_tracker_into(x1, q1, b1, p1, q_meas, stp, fp, _work())
    return x1, q1, b1, p1


@_kernel
def _update_star_tracker_into(x, q, b, p, q_meas, stp, fp, ws):
    """:func:`update_star_tracker` in place."""
    _star_tracker_meas(q, q_meas, stp, fp, ws[0], ws[2], ws[7][W_R])
    _kf_apply(x, q, b, p, 3, ws[7][W_R], ws)


@_leaf
def _star_tracker_meas(q, q_meas, stp, fp, h, y, r):
    """Measurement matrix (rows 0-2 of ``h``), innovation (``y``) and noise (``r``) of
    a star-tracker sample ``q_meas``."""
    for i in range(3):
        for j in range(3):
            r[i, j] = 0.0
    for i in range(3):
        r[i, i] = stp[S_SIG + i] ** 2
        if fp[F_RBIAS] != 0.0:
            r[i, i] += stp[S_MIS] ** 2
    _attitude_meas(q, q_meas, h, y)


@_inlined
def update_camera_attitude(x, q, b, p, z, sp, q_nom, fp):
    """MEKF update with the attitude part of a camera sample ``z`` (7,).

    ``q_lvlh_body = q_lvlh_target ⊗ conj(q_camera_target) ⊗ q_camera_body`` with the
    station's nominal attitude ``q_nom``: relative to the port, so the estimate
    follows the real port when the station is off its nominal attitude.
    """
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_camera_attitude_into(x1, q1, b1, p1, z, sp, q_nom, fp, _work())
    return x1, q1, b1, p1


@_kernel
def _update_camera_attitude_into(x, q, b, p, z, sp, q_nom, fp, ws):
    """:func:`update_camera_attitude` in place."""
    _camera_attitude_meas(q, z, sp, q_nom, fp, ws[0], ws[2], ws[7], ws[9])
    _kf_apply(x, q, b, p, 3, ws[7][W_COV], ws)


@_leaf
def _camera_attitude_meas(q, z, sp, q_nom, fp, h, y, mats, quats):
    """Measurement matrix (rows 0-2 of ``h``), innovation (``y``) and noise
    (``mats[W_COV]``) of the attitude part of a camera sample ``z`` (the quaternion
    algebra on scalars, the matrices in the work arrays: the same operations as
    ``qmul``, ``qdcm``, ``_sandwich``)."""
    tq, mq = R_TGT_Q, R_MOUNT_Q
    # q_lt = q_nom ⊗ q_target; q_m = q_lt ⊗ conj(z_q) ⊗ conj(q_mount)
    l0, l1, l2, l3 = qmul4(
        q_nom[0], q_nom[1], q_nom[2], q_nom[3], sp[tq], sp[tq + 1], sp[tq + 2], sp[tq + 3]
    )
    a0, a1, a2, a3 = qmul4(l0, l1, l2, l3, z[3], -z[4], -z[5], -z[6])
    q_m, q_c, q_lt = quats[Q_MEAS], quats[Q_CONJ], quats[Q_LT]
    q_m[0], q_m[1], q_m[2], q_m[3] = qmul4(
        a0, a1, a2, a3, sp[mq], -sp[mq + 1], -sp[mq + 2], -sp[mq + 3]
    )
    q_c[0], q_c[1], q_c[2], q_c[3] = q[0], -q[1], -q[2], -q[3]
    q_lt[0], q_lt[1], q_lt[2], q_lt[3] = l0, l1, l2, l3
    _qdcm_into(q_c, mats[W_A])
    _qdcm_into(q_lt, mats[W_VAR])
    r_pt = mats[W_CS]  # target frame -> body frame
    _mul33_into(mats[W_A], mats[W_VAR], r_pt)
    d = mats[W_J]  # diagonal noise
    for i in range(3):
        for j in range(3):
            d[i, j] = 0.0
    rng = math.sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2])
    for i in range(3):
        s = sp[R_SIGA + 3 + i] + sp[R_SIGB + 3 + i] * rng
        d[i, i] = s * s
        if fp[F_RBIAS] != 0.0:
            d[i, i] += sp[R_BIAS + 3 + i] ** 2 + sp[R_MIS] ** 2
    _mul33_into(r_pt, d, mats[W_TMP])  # _sandwich(r_pt, diag)
    _mul_t33_into(mats[W_TMP], r_pt, mats[W_COV])
    _attitude_meas(q, q_m, h, y)


@njit(cache=True, error_model="numpy")
def body_rates(q, b, omega_meas, omega_lvlh):
    """Estimated body rates (rad/s, body frame): inertial ``omega_meas - b`` and
    relative to LVLH (the inertial rate less the LVLH frame's own rotation)."""
    w = _vsub(omega_meas, b)
    return w, _vsub(w, _mtv3(qdcm(q), omega_lvlh))


# ------------------------------------------------------------------------ one step
@njit(cache=True, error_model="numpy")
def update_navigation(x, q, b, p, ok, z_gnss, z_lidar, z_camera, q_star, sp, q_nom, fp):
    """Every valid sample of one step (``ok`` and the samples of
    :func:`qingzhou_sim.docking.sensors.sample_sensors`): star tracker, camera attitude,
    GNSS, lidar, camera position. ``p`` must be exactly symmetric (as
    :func:`init_navigation`, the updates and :func:`predict_navigation` keep it: the
    updates read its upper triangle). Returns (x, q, b, p); the work is
    :func:`_update_navigation_into`'s."""
    x1, q1, b1, p1 = x.copy(), q.copy(), b.copy(), p.copy()
    _update_navigation_into(
        x1, q1, b1, p1, ok, z_gnss, z_lidar, z_camera, q_star, sp, q_nom, fp, _work()
    )
    return x1, q1, b1, p1


@_leaf
def _update_navigation_into(x, q, b, p, ok, z_gnss, z_lidar, z_camera, q_star, sp, q_nom, fp, ws):
    """:func:`update_navigation` in place on ``x``, ``q``, ``b``, ``p``, with the work
    arrays ``ws`` of :func:`_work` (the loop makes them once per segment).

    Each update is its measurement (``_*_meas``: H, innovation, noise into the work
    arrays), :func:`_kf_update_into` and :func:`_correct_into`, called from here with
    the arrays they read rather than through ``update_*`` with the whole work tuple:
    every array handed to a compiled function costs a reference-count increment and
    decrement, per call (the same operations in the same order). The updates use the
    structure of ``H`` and take ``p`` as exactly symmetric (:func:`_kf_update_fixed`):
    ``p`` must be a symmetric matrix."""
    h, ph, y, zz, dx = ws[0], ws[1], ws[2], ws[3], ws[4]
    mats, vecs, quats, r6 = ws[7], ws[8], ws[9], ws[10]
    if ok[3]:
        r = mats[W_R]
        _star_tracker_meas(q, q_star, sp.star, fp, h, y, r)
        _kf_update_3(p, y, h, r, dx, ph, zz, I_TH, False)
        _correct_into(x, q, b, dx)
    if ok[2]:
        _camera_attitude_meas(q, z_camera, sp.camera, q_nom, fp, h, y, mats, quats)
        _kf_update_3(p, y, h, mats[W_COV], dx, ph, zz, I_TH, False)
        _correct_into(x, q, b, dx)
    if ok[0]:
        _gnss_meas(x, z_gnss, sp.gnss, fp, h, y, r6)
        _kf_update_6(p, y, h, r6, dx, ph, zz, I_R, False)
        _correct_into(x, q, b, dx)
    if ok[1]:
        _lidar_meas(x, q, z_lidar, sp.lidar, q_nom, fp, h, y, mats, vecs)
        _kf_update_3(p, y, h, mats[W_COV], dx, ph, zz, I_R, True)
        _correct_into(x, q, b, dx)
    if ok[2]:
        _camera_position_meas(x, q, z_camera, sp.camera, q_nom, fp, h, y, mats, vecs)
        _kf_update_3(p, y, h, mats[W_COV], dx, ph, zz, I_R, True)
        _correct_into(x, q, b, dx)


# ============================================================== public configuration
@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Tuning of the navigation filters.

    ``process_accel_m_s2 + process_accel_per_km_m_s2 * range_km``: 1-sigma white
    acceleration of the translation filter (the same defaults as
    :class:`~qingzhou_sim.docking.config.NavigationConfig`: unmodelled differential
    J2, drag and, with the linear mean, frame curvature grow with separation;
    assumption). Initial 1-sigma
    errors of the estimate (assumptions: the hand-over accuracy of the ground orbit
    determination and a coarse attitude acquisition). ``include_bias_in_r``: add the
    sensors' bias and misalignment variances to their noise (see the module text).
    The gyro noise comes from the sensor suite and the execution errors of the
    impulses from the thruster configuration (one source each, :meth:`params`).

    Examples
    --------
    >>> from qingzhou_sim.docking.navigation import F_LEN, FilterConfig
    >>> from qingzhou_sim.docking.sensors import SensorSuite
    >>> fp = FilterConfig().params(
    ...     SensorSuite().params(), dv_magnitude_sigma=0.01, dv_pointing_sigma_deg=1.0
    ... )
    >>> fp.shape == (F_LEN,)
    True
    """

    process_accel_m_s2: float = 1e-6
    process_accel_per_km_m_s2: float = 1e-5
    initial_position_sigma_m: float = 10.0
    initial_velocity_sigma_m_s: float = 0.02
    initial_attitude_sigma_deg: float = 0.5
    include_bias_in_r: bool = True

    def __post_init__(self):
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, bool):
                continue
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InputError(
                    f"FilterConfig.{name} = {value!r}; expected a finite number >= 0",
                    name=name,
                    value=value,
                    valid=">= 0",
                )

    def params(
        self,
        sensors: SensorParams,
        *,
        dv_magnitude_sigma: float,
        dv_pointing_sigma_deg: float,
        reference_radius_km: float = 0.0,
    ) -> np.ndarray:
        """Float64 parameter array (index constants ``F_*``).

        Parameters
        ----------
        sensors : SensorParams
            The suite's arrays (the gyro noise is taken from them).
        dv_magnitude_sigma : float
            1-sigma magnitude error of a fired impulse (fraction).
        dv_pointing_sigma_deg : float
            1-sigma pointing error of a fired impulse per axis (deg).
        reference_radius_km : float
            Radius of the station's (circular) reference orbit: the estimate is then
            propagated with the nonlinear relative motion about it, consistent with the
            ``n`` given to :func:`predict_navigation` (``n = sqrt(mu / a^3)``); 0 keeps
            the linear CW model.
        """
        for name, value in (
            ("dv_magnitude_sigma", dv_magnitude_sigma),
            ("dv_pointing_sigma_deg", dv_pointing_sigma_deg),
            ("reference_radius_km", reference_radius_km),
        ):
            if not (math.isfinite(value) and value >= 0):
                raise InputError(
                    f"{name} = {value!r}; expected a finite number >= 0", name=name, value=value
                )
        fp = np.zeros(F_LEN)
        fp[F_QA] = self.process_accel_m_s2 * 1e-3
        fp[F_QB] = self.process_accel_per_km_m_s2 * 1e-3
        fp[F_DV_MAG] = dv_magnitude_sigma
        fp[F_DV_PNT] = math.radians(dv_pointing_sigma_deg)
        fp[F_ARW] = sensors.gyro[G_ARW]
        fp[F_RRW] = sensors.gyro[G_RRW]
        fp[F_RBIAS] = 1.0 if self.include_bias_in_r else 0.0
        fp[F_RREF] = reference_radius_km
        return fp


# kernels of the public functions above for compiled callers (no Python entry points)
_bias_covariance_inline = _kernel_of(bias_covariance, inline=True)
