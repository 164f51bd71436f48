r"""Relative-motion kernels: plain float64 arrays in km, km/s, s, rad. No astropy.

Every relative state is in the target's **LVLH** frame (Fehse 2003, sec. 3.1), ordered
``[x, y, z, vx, vy, vz]``: x along V-bar, y along H-bar (= -orbit normal), z along
R-bar (toward the Earth's centre); velocities are seen in the rotating frame. The RSW
(Hill) variants say so in their name. State-transition matrices are ``(..., 6, 6)``
with the time axis first, so ``x(t) = Phi(t) @ x0`` broadcasts over any batch.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..errors import InfeasiblePlanError, InputError

__all__: list[str] = []

# Fixed permutation LVLH <- RSW for positions (and velocities): x_L = y_R (S),
# y_L = -z_R (-W), z_L = -x_R (-R). Fehse (2003), sec. 3.1; exact for any orbit.
_P_RSW_TO_LVLH = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]])
_P6 = np.zeros((6, 6))
_P6[:3, :3] = _P_RSW_TO_LVLH
_P6[3:, 3:] = _P_RSW_TO_LVLH

# Largest accepted condition number of the dimensionless in-plane block n * Phi_rv of a
# two-impulse transfer. For CW it is ~3 / |tof / (k T) - 1| near k periods, so 300
# rejects transfer times within ~1 % of a period multiple (55 s at 390 km), where the
# delta-v for a 100 m radial mismatch would already exceed ~10 m/s.
MAX_CONDITION = 300.0

# In-plane (x, z) and out-of-plane (y) index sets of an LVLH state.
_IN_R = np.array([0, 2])
_IN_V = np.array([3, 5])


# ----------------------------------------------------------------- Clohessy-Wiltshire
@njit(cache=True)
def _cw_stm_fill(n, t, out):  # pragma: no cover - compiled
    """Fill ``out (m, 6, 6)`` with the CW STMs at ``t (m,)``, one contiguous pass."""
    for k in range(t.shape[0]):
        tk = t[k]
        nt = n * tk
        s = math.sin(nt)
        c = math.cos(nt)
        o = out[k]
        for i in range(6):
            for j in range(6):
                o[i, j] = 0.0
        o[0, 0] = 1.0
        o[0, 2] = 6.0 * (nt - s)
        o[0, 3] = 4.0 * s / n - 3.0 * tk
        o[0, 5] = 2.0 * (1.0 - c) / n
        o[1, 1] = c
        o[1, 4] = s / n
        o[2, 2] = 4.0 - 3.0 * c
        o[2, 3] = 2.0 * (c - 1.0) / n
        o[2, 5] = s / n
        o[3, 2] = 6.0 * n * (1.0 - c)
        o[3, 3] = 4.0 * c - 3.0
        o[3, 5] = 2.0 * s
        o[4, 1] = -n * s
        o[4, 4] = c
        o[5, 2] = 3.0 * n * s
        o[5, 3] = -2.0 * s
        o[5, 5] = c


@njit(cache=True)
def _cw_propagate_fill(n, x0, t, out):  # pragma: no cover - compiled
    """``out (k, m, 6)``: CW states of ``x0 (k, 6)`` at ``t (m,)`` (Fehse 2003, eq. 3.25)."""
    m = t.shape[0]
    sn = np.empty(m)
    cs = np.empty(m)
    for j in range(m):
        sn[j] = math.sin(n * t[j])
        cs[j] = math.cos(n * t[j])
    for i in range(x0.shape[0]):
        x, y, z, vx, vy, vz = x0[i, 0], x0[i, 1], x0[i, 2], x0[i, 3], x0[i, 4], x0[i, 5]
        for j in range(m):
            s = sn[j]
            c = cs[j]
            tj = t[j]
            nt = n * tj
            o = out[i, j]
            o[0] = x + 6.0 * (nt - s) * z + (4.0 * s / n - 3.0 * tj) * vx + 2.0 * (1.0 - c) / n * vz
            o[1] = c * y + s / n * vy
            o[2] = (4.0 - 3.0 * c) * z + 2.0 * (c - 1.0) / n * vx + s / n * vz
            o[3] = 6.0 * n * (1.0 - c) * z + (4.0 * c - 3.0) * vx + 2.0 * s * vz
            o[4] = -n * s * y + c * vy
            o[5] = 3.0 * n * s * z - 2.0 * s * vx + c * vz


def _cw_stm(n: float, t, *, out: np.ndarray | None = None) -> np.ndarray:
    r"""Clohessy-Wiltshire state-transition matrix in LVLH, ``(*t.shape, 6, 6)``.

    Closed-form solution of the CW equations in the Fehse convention
    (Fehse 2003, eqs. 3.22 and 3.25):

    .. math::
        \ddot x - 2n\dot z = 0,\quad \ddot y + n^2 y = 0,\quad
        \ddot z + 2n\dot x - 3n^2 z = 0.

    ``n`` in rad/s, ``t`` in s (any shape), state in km and km/s. ``out`` (C-contiguous
    float64 of the result's shape) is filled in place and returned: reusing it avoids the
    page-faulting of a fresh 288 MB array for 10^6 times.
    """
    t = np.asarray(t, dtype=float)
    shape = t.shape + (6, 6)
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise InputError(f"out must be a C-contiguous float64 array of shape {shape}", name="out")
    _cw_stm_fill(float(n), np.ascontiguousarray(t.reshape(-1)), out.reshape(-1, 6, 6))
    return out


def _cw_stm_rsw(n: float, t) -> np.ndarray:
    r"""Clohessy-Wiltshire STM in RSW/Hill axes ``[R, S, W]`` (Vallado 2013, eq. 6-66;
    Curtis 2014, eq. 7.53), ``(*t.shape, 6, 6)``; written out independently of
    :func:`_cw_stm` so that the two can check each other."""
    t = np.asarray(t, dtype=float)
    nt = n * t
    s, c = np.sin(nt), np.cos(nt)
    phi = np.zeros(t.shape + (6, 6))
    phi[..., 0, 0] = 4.0 - 3.0 * c
    phi[..., 0, 3] = s / n
    phi[..., 0, 4] = 2.0 * (1.0 - c) / n
    phi[..., 1, 0] = 6.0 * (s - nt)
    phi[..., 1, 1] = 1.0
    phi[..., 1, 3] = -2.0 * (1.0 - c) / n
    phi[..., 1, 4] = (4.0 * s - 3.0 * nt) / n
    phi[..., 2, 2] = c
    phi[..., 2, 5] = s / n
    phi[..., 3, 0] = 3.0 * n * s
    phi[..., 3, 3] = c
    phi[..., 3, 4] = 2.0 * s
    phi[..., 4, 0] = -6.0 * n * (1.0 - c)
    phi[..., 4, 3] = -2.0 * s
    phi[..., 4, 4] = 4.0 * c - 3.0
    phi[..., 5, 2] = -n * s
    phi[..., 5, 5] = c
    return phi


def _apply_stm(phi: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """States ``(..., m, 6)`` from STMs ``(m, 6, 6)`` and initial states ``(..., 6)``.

    One BLAS matrix product: ``x0 (N, 6) @ Phi^T (6, m*6)``.
    """
    x0 = np.asarray(x0, dtype=float)
    m = phi.shape[0]
    lead = x0.shape[:-1]
    flat = x0.reshape(-1, 6)
    big = np.ascontiguousarray(phi.transpose(2, 0, 1)).reshape(6, m * 6)
    return (flat @ big).reshape(lead + (m, 6))


def _cw_propagate(n: float, x0, t, *, out: np.ndarray | None = None) -> np.ndarray:
    """CW free drift of LVLH states ``x0 (..., 6)`` to times ``t (m,)`` -> ``(..., m, 6)``
    (closed form, Fehse 2003, eq. 3.25, evaluated in one compiled pass; ``out`` may be a
    preallocated C-contiguous float64 result array)."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    x0 = np.asarray(x0, dtype=float)
    shape = x0.shape[:-1] + (t.shape[0], 6)
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise InputError(f"out must be a C-contiguous float64 array of shape {shape}", name="out")
    _cw_propagate_fill(
        float(n), np.ascontiguousarray(x0.reshape(-1, 6)), t, out.reshape(-1, t.shape[0], 6)
    )
    return out


# -------------------------------------------------------------------- two impulses
def _two_impulse_from_stm(
    phi: np.ndarray, x0, xf, tof_s: float, period_s: float, *, max_condition: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-impulse transfer from the STM ``phi`` (6, 6) of the free arc.

    Solves :math:`r_f = \Phi_{rr} r_0 + \Phi_{rv} v_0^+` for :math:`v_0^+`, in-plane
    (x, z) and out-of-plane (y) blocks separately since they decouple in every model
    used here (Fehse 2003, sec. 3.3.4; Yamanaka & Ankersen 2002, eq. 83). The blocks
    are scaled to be dimensionless (``Phi_rv * n``) before their condition number is
    compared with ``max_condition``: the transfer is singular at multiples of the
    orbital period, where the drift cannot be controlled by the first impulse.
    """
    x0 = np.asarray(x0, dtype=float)
    xf = np.asarray(xf, dtype=float)
    n = 2.0 * math.pi / period_s
    v_req = x0[3:].copy()
    # in-plane block
    a_rv = phi[np.ix_(_IN_R, _IN_V)]
    cond = np.linalg.cond(a_rv * n)
    if not np.isfinite(cond) or cond > max_condition:
        k = tof_s / period_s
        raise InfeasiblePlanError(
            f"two-impulse transfer time {tof_s:.1f} s ({k:.4f} orbital periods of "
            f"{period_s:.1f} s) is too close to a singular transfer time (multiples of "
            f"the period): the in-plane transfer matrix has condition number {cond:.3g} "
            f"> {max_condition:g}; choose a transfer time away from k * {period_s:.1f} s",
            name="tof",
            value=tof_s,
            valid=f"not within ~{300.0 / max_condition:.2g}% of k * {period_s:.1f} s",
        )
    rhs = xf[_IN_R] - phi[np.ix_(_IN_R, _IN_R)] @ x0[_IN_R] - phi[np.ix_(_IN_R, [1])] @ x0[[1]]
    v_in = np.linalg.solve(a_rv, rhs)
    v_req[0], v_req[2] = v_in
    # out-of-plane block: singular at multiples of half the period, where y(t) = +-y0
    # whatever the velocity; only an error if the aim then needs an impossible y.
    a_y = phi[1, 4]
    y_free = phi[1, 1] * x0[1]
    if abs(a_y * n) > 3.0 / max_condition:
        v_req[1] = (xf[1] - y_free) / a_y
    elif abs(xf[1] - y_free) > 1e-9 + 1e-6 * max(abs(x0[1]), abs(xf[1])):
        raise InfeasiblePlanError(
            f"two-impulse transfer time {tof_s:.1f} s ({tof_s / period_s:.4f} periods of "
            f"{period_s:.1f} s) is a multiple of half the period: the out-of-plane "
            f"position at arrival is {y_free:.6f} km whatever the first burn, but "
            f"{xf[1]:.6f} km is asked; choose a transfer time away from k * "
            f"{period_s / 2:.1f} s or matching out-of-plane positions",
            name="tof",
            value=tof_s,
            valid=f"not a multiple of {period_s / 2:.1f} s",
        )
    xs = np.concatenate([x0[:3], v_req])
    arrive = phi @ xs
    dv1 = v_req - x0[3:]
    dv2 = xf[3:] - arrive[3:]
    return dv1, dv2


def _cw_two_impulse(n: float, x0, xf, tof_s: float, *, max_condition: float = MAX_CONDITION):
    r"""CW two-impulse transfer between LVLH states in ``tof_s`` seconds.

    Returns ``(dv1, dv2)`` in km/s, LVLH of the target. Raises
    :class:`~qingzhou_sim.errors.InfeasiblePlanError` near the singular transfer times
    (multiples of the orbital period). Fehse (2003), sec. 3.3.4, eqs. 3.25 inverted.
    """
    if not tof_s > 0:
        raise InputError(
            f"transfer time {tof_s} s must be > 0 s", name="tof", value=tof_s, valid="> 0 s"
        )
    phi = _cw_stm(n, np.asarray(tof_s, dtype=float))
    return _two_impulse_from_stm(phi, x0, xf, tof_s, 2.0 * math.pi / n, max_condition=max_condition)


# ------------------------------------------------------------- Yamanaka-Ankersen
def _kepler_true_anomaly(ecc: float, nu0: float, n: float, t) -> np.ndarray:
    """True anomaly after ``t`` s on a Keplerian ellipse starting at ``nu0`` (vectorised
    Newton iteration on Kepler's equation, converged to 1e-15 rad for e < 0.9)."""
    t = np.asarray(t, dtype=float)
    e0 = 2.0 * math.atan2(
        math.sqrt(1.0 - ecc) * math.sin(nu0 / 2), math.sqrt(1.0 + ecc) * math.cos(nu0 / 2)
    )
    m0 = e0 - ecc * math.sin(e0)
    m = m0 + n * t
    big_e = m + ecc * np.sin(m)
    for _ in range(50):
        f = big_e - ecc * np.sin(big_e) - m
        step = f / (1.0 - ecc * np.cos(big_e))
        big_e = big_e - step
        if np.all(np.abs(step) < 1e-15):
            break
    # continuous (unwrapped) true anomaly: same number of revolutions as E
    nu = 2.0 * np.arctan2(
        np.sqrt(1.0 + ecc) * np.sin(big_e / 2), np.sqrt(1.0 - ecc) * np.cos(big_e / 2)
    )
    return nu + 2.0 * np.pi * np.round((big_e - nu) / (2.0 * np.pi))


def _ya_inplane_forward(ecc: float, theta, j) -> np.ndarray:
    """Yamanaka & Ankersen (2002), eq. 83, in-plane: maps the pseudo-initial constants
    to ``[x~, z~, x~', z~']`` at true anomaly ``theta``; ``j = k^2 (t - t0)``."""
    rho = 1.0 + ecc * np.cos(theta)
    s = rho * np.sin(theta)
    c = rho * np.cos(theta)
    sp = np.cos(theta) + ecc * np.cos(2.0 * theta)
    cp = -(np.sin(theta) + ecc * np.sin(2.0 * theta))
    out = np.zeros(np.shape(theta) + (4, 4))
    out[..., 0, 0] = 1.0
    out[..., 0, 1] = -c * (1.0 + 1.0 / rho)
    out[..., 0, 2] = s * (1.0 + 1.0 / rho)
    out[..., 0, 3] = 3.0 * rho**2 * j
    out[..., 1, 1] = s
    out[..., 1, 2] = c
    out[..., 1, 3] = 2.0 - 3.0 * ecc * s * j
    out[..., 2, 1] = 2.0 * s
    out[..., 2, 2] = 2.0 * c - ecc
    out[..., 2, 3] = 3.0 * (1.0 - 2.0 * ecc * s * j)
    out[..., 3, 1] = sp
    out[..., 3, 2] = cp
    out[..., 3, 3] = -3.0 * ecc * (sp * j + s / rho**2)
    return out


def _ya_inplane_inverse(ecc: float, theta0: float) -> np.ndarray:
    """Yamanaka & Ankersen (2002), eq. 82: pseudo-initial constants from
    ``[x~0, z~0, x~0', z~0']`` at ``theta0`` (the inverse of eq. 83 at ``j = 0``)."""
    rho = 1.0 + ecc * math.cos(theta0)
    s = rho * math.sin(theta0)
    c = rho * math.cos(theta0)
    eta2 = 1.0 - ecc**2
    m = np.array(
        [
            [
                eta2,
                3.0 * ecc * s * (1.0 / rho + 1.0 / rho**2),
                -ecc * s * (1.0 + 1.0 / rho),
                -ecc * c + 2.0,
            ],
            [0.0, -3.0 * s * (1.0 / rho + ecc**2 / rho**2), s * (1.0 + 1.0 / rho), c - 2.0 * ecc],
            [0.0, -3.0 * (c / rho + ecc), c * (1.0 + 1.0 / rho) + ecc, -s],
            [0.0, 3.0 * rho + ecc**2 - 1.0, -(rho**2), ecc * s],
        ]
    )
    return m / eta2


def _ya_stm(mu: float, a: float, ecc: float, nu0: float, t) -> np.ndarray:
    r"""Yamanaka-Ankersen STM for an eccentric target, LVLH, ``(*t.shape, 6, 6)``.

    Target orbit: semi-major axis ``a`` km, eccentricity ``ecc``, true anomaly ``nu0``
    rad at ``t = 0``. Physical LVLH states are mapped to the transformed variables
    :math:`\tilde x = \rho x`, :math:`\tilde x' = -e\sin\theta\,x + \dot x/(k^2\rho)`
    (Yamanaka & Ankersen 2002, eq. 81), propagated with eqs. 82-83 and the harmonic
    out-of-plane solution (eq. 84), and mapped back. Reduces to CW at ``ecc = 0``.

    References
    ----------
    Yamanaka, K. and Ankersen, F. (2002), "New state transition matrix for relative
    motion on an arbitrary elliptical orbit", J. Guidance, Control, and Dynamics 25(1),
    eqs. 81-84.
    """
    t = np.asarray(t, dtype=float)
    p = a * (1.0 - ecc**2)
    n = math.sqrt(mu / a**3)
    k2 = math.sqrt(mu / p**3)
    theta = _kepler_true_anomaly(ecc, nu0, n, t)
    rho0 = 1.0 + ecc * math.cos(nu0)
    rho = 1.0 + ecc * np.cos(theta)

    # physical -> transformed at theta0 (eq. 81), in-plane rows [x, z] and [vx, vz]
    t0 = np.zeros((4, 4))
    t0[0, 0] = t0[1, 1] = rho0
    t0[2, 0] = t0[3, 1] = -ecc * math.sin(nu0)
    t0[2, 2] = t0[3, 3] = 1.0 / (k2 * rho0)
    # transformed -> physical at theta: x = x~/rho; xdot = k^2 (rho x~' + e sin(theta) x~)
    tf = np.zeros(t.shape + (4, 4))
    tf[..., 0, 0] = tf[..., 1, 1] = 1.0 / rho
    tf[..., 2, 0] = tf[..., 3, 1] = k2 * ecc * np.sin(theta)
    tf[..., 2, 2] = tf[..., 3, 3] = k2 * rho
    inplane = tf @ _ya_inplane_forward(ecc, theta, k2 * t) @ (_ya_inplane_inverse(ecc, nu0) @ t0)

    # out of plane: y~'' + y~ = 0 (eq. 84 with the 1/rho_{theta-theta0} factors cancelled)
    dth = theta - nu0
    cy, sy = np.cos(dth), np.sin(dth)
    phi = np.zeros(t.shape + (6, 6))
    idx_in = [0, 2, 3, 5]
    for i, ii in enumerate(idx_in):
        for j_, jj in enumerate(idx_in):
            phi[..., ii, jj] = inplane[..., i, j_]
    # y = y~/rho, y~ = cy*y~0 + sy*y~0', y~0 = rho0*y0, y~0' = -e sin(nu0) y0 + ydot0/(k2 rho0)
    yt_y0 = cy * rho0 - sy * ecc * math.sin(nu0)
    yt_v0 = sy / (k2 * rho0)
    ytp_y0 = -sy * rho0 - cy * ecc * math.sin(nu0)
    ytp_v0 = cy / (k2 * rho0)
    phi[..., 1, 1] = yt_y0 / rho
    phi[..., 1, 4] = yt_v0 / rho
    es = k2 * ecc * np.sin(theta)
    phi[..., 4, 1] = k2 * rho * ytp_y0 + es * yt_y0
    phi[..., 4, 4] = k2 * rho * ytp_v0 + es * yt_v0
    return phi


def _ya_two_impulse(
    mu: float,
    a: float,
    ecc: float,
    nu0: float,
    x0,
    xf,
    tof_s: float,
    *,
    max_condition: float = MAX_CONDITION,
):
    """Two-impulse transfer under Yamanaka-Ankersen dynamics (same conventions as
    :func:`_cw_two_impulse`)."""
    if not tof_s > 0:
        raise InputError(
            f"transfer time {tof_s} s must be > 0 s", name="tof", value=tof_s, valid="> 0 s"
        )
    phi = _ya_stm(mu, a, ecc, nu0, np.asarray(tof_s, dtype=float))
    return _two_impulse_from_stm(
        phi, x0, xf, tof_s, 2.0 * math.pi * math.sqrt(a**3 / mu), max_condition=max_condition
    )


# ------------------------------------------------------------ Schweighart-Sedwick
def _ss_coefficients(mu: float, r_ref: float, inc: float, j2: float, r_earth: float):
    """Schweighart & Sedwick (2002) constants: ``n, c, k, s`` of eqs. 17-20 and the
    out-of-plane frequency ``q`` of the reference orbit (eq. 42 with zero differential
    inclination: ``q = n c`` corrected by the nodal regression)."""
    n = math.sqrt(mu / r_ref**3)
    s = 3.0 * j2 * r_earth**2 / (8.0 * r_ref**2) * (1.0 + 3.0 * math.cos(2.0 * inc))
    c = math.sqrt(1.0 + s)
    k = n * math.sqrt(1.0 - s)
    return n, c, k, s


def _ss_stm(
    mu: float, r_ref: float, inc: float, t, *, j2: float, r_earth: float, q=None
) -> np.ndarray:
    r"""Schweighart-Sedwick J2 linearised STM in LVLH, ``(*t.shape, 6, 6)``.

    In Hill axes (x radial, y along-track, z cross-track) the model is
    (Schweighart & Sedwick 2002, eqs. 17-18 and 26):

    .. math::
        \ddot x - 2nc\,\dot y - (5c^2 - 2)n^2 x = 0,\quad
        \ddot y + 2nc\,\dot x = 0,\quad \ddot z + q^2 z = 0,

    :math:`c = \sqrt{1+s}`, :math:`s = \tfrac{3J_2R_\oplus^2}{8r^2}(1 + 3\cos 2i)`.
    The in-plane solution is integrated here in closed form
    (:math:`\ddot x + n^2(1-s)x = 2nc(\dot y_0 + 2nc\,x_0)`), then rotated to LVLH.
    ``q`` defaults to the cross-track frequency of two orbits of equal inclination,
    :math:`q = nc - \dot\Omega\cos i = nc + \tfrac{3nJ_2R^2}{2r^2}\cos^2 i`
    (eq. 42 with the differential-inclination terms set to zero).
    """
    t = np.asarray(t, dtype=float)
    n, c, k, _ = _ss_coefficients(mu, r_ref, inc, j2, r_earth)
    if q is None:
        # nodal regression of the reference orbit (eq. 41): -3 n J2 R^2 cos(i) / (2 r^2)
        domega = -1.5 * n * j2 * r_earth**2 / r_ref**2 * math.cos(inc)
        q = n * c - domega * math.cos(inc)
    kt = k * t
    sk, ck = np.sin(kt), np.cos(kt)
    w = 2.0 * n * c
    g = w * w / (k * k)  # x_p = (w / k^2) (ydot0 + w x0) = g x0 + (w/k^2) ydot0
    h = w / (k * k)
    phi = np.zeros(t.shape + (6, 6))  # RSW ordering [x, y, z, vx, vy, vz]
    # x(t) = x_p + (x0 - x_p) cos kt + xdot0/k sin kt
    phi[..., 0, 0] = g + (1.0 - g) * ck
    phi[..., 0, 3] = sk / k
    phi[..., 0, 4] = h * (1.0 - ck)
    phi[..., 3, 0] = -(1.0 - g) * k * sk
    phi[..., 3, 3] = ck
    phi[..., 3, 4] = h * k * sk
    # ydot(t) = ydot0 - w (x(t) - x0); y(t) = y0 + (ydot0 + w x0) t - w int_0^t x
    # int_0^t x = x_p t + (x0 - x_p) sin(kt)/k + xdot0 (1 - cos kt)/k^2
    phi[..., 1, 0] = w * t - w * (g * t + (1.0 - g) * sk / k)
    phi[..., 1, 1] = 1.0
    phi[..., 1, 3] = -w * (1.0 - ck) / k**2
    phi[..., 1, 4] = t - w * (h * t - h * sk / k)
    phi[..., 4, 0] = w - w * phi[..., 0, 0]
    phi[..., 4, 3] = -w * phi[..., 0, 3]
    phi[..., 4, 4] = 1.0 - w * phi[..., 0, 4]
    # cross-track harmonic motion at q
    qt = q * t
    phi[..., 2, 2] = np.cos(qt)
    phi[..., 2, 5] = np.sin(qt) / q
    phi[..., 5, 2] = -q * np.sin(qt)
    phi[..., 5, 5] = np.cos(qt)
    return _P6 @ phi @ _P6.T


# ----------------------------------------------------------------- safety zones
def _in_ellipsoid(r, semi_axes) -> np.ndarray:
    """True where ``r (..., 3)`` is strictly inside the axis-aligned ellipsoid."""
    q = np.asarray(r, dtype=float) / np.asarray(semi_axes, dtype=float)
    return np.einsum("...i,...i->...", q, q) < 1.0


def _in_cone(r, axis, half_angle_rad: float) -> np.ndarray:
    """True where the direction of ``r`` is within ``half_angle`` of the unit ``axis``
    (the apex at the origin is inside)."""
    r = np.asarray(r, dtype=float)
    rn = np.sqrt(np.einsum("...i,...i->...", r, r))
    along = r @ np.asarray(axis, dtype=float)
    return (rn == 0.0) | (along >= rn * math.cos(half_angle_rad))


# ---------------------------------------------------------------- manoeuvre kernels
def _vbar_hop(n: float, dx_km: float):
    """Tangential (V-bar) hop of ``dx`` km along V-bar in one orbit (Fehse 2003,
    eq. 3.28 and Fig. 3.10): ``dv1 = -n dx / (6 pi)`` along x, ``dv2 = -dv1``.
    Returns ``(times (2,), dvs (2, 3))`` in s and km/s LVLH."""
    period = 2.0 * math.pi / n
    dvx = -n * dx_km / (6.0 * math.pi)
    return np.array([0.0, period]), np.array([[dvx, 0.0, 0.0], [-dvx, 0.0, 0.0]])


def _radial_hop(n: float, dx_km: float):
    """Radial hop of ``dx`` km along V-bar in half an orbit (Fehse 2003, eq. 3.30 and
    Fig. 3.12): two equal radial impulses ``dv_z = n dx / 4``."""
    period = 2.0 * math.pi / n
    dvz = n * dx_km / 4.0
    return np.array([0.0, period / 2.0]), np.array([[0.0, 0.0, dvz], [0.0, 0.0, dvz]])


def _cw_forced_acceleration(n: float, r0, vel, t) -> np.ndarray:
    r"""Acceleration ``(m, 3)`` km/s^2 that keeps a straight line ``r0 + vel t`` at
    constant rotating-frame velocity under CW dynamics (Fehse 2003, eqs. 3.22 and
    3.40-3.41): :math:`a = [-2n\dot z,\ n^2 y,\ 2n\dot x - 3n^2 z]`."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    r = np.asarray(r0, dtype=float) + np.multiply.outer(t, np.asarray(vel, dtype=float))
    vx, vy, vz = vel
    a = np.empty(r.shape)
    a[:, 0] = -2.0 * n * vz
    a[:, 1] = n * n * r[:, 1]
    a[:, 2] = 2.0 * n * vx - 3.0 * n * n * r[:, 2]
    return a


def _glideslope_profile(
    rho0: float, rho_dot0: float, rho_dot_t: float, duration: float, n_pulses: int
):
    r"""Hablani, Tapper & Dana-Bashian (2002), eqs. 4-8: range at the pulse times of an
    exponential glideslope :math:`\dot\rho = a\rho + \dot\rho_T`,
    :math:`a = (\dot\rho_0 - \dot\rho_T)/\rho_0`.

    Returns ``(t (N+1,), rho (N+1,))``; ``rho`` ends at 0 when the duration is chosen
    by the caller (Hablani's :math:`T = \ln(\dot\rho_T/\dot\rho_0)/a`).
    """
    a = (rho_dot0 - rho_dot_t) / rho0
    t = np.linspace(0.0, duration, n_pulses + 1)
    rho = rho0 * np.exp(a * t) + (rho_dot_t / a) * (np.exp(a * t) - 1.0)
    return t, rho


# ------------------------------------------------- J2 mean rates from exact integrals
def _j2_integrals(mu: float, j2: float, r_earth: float, rv) -> tuple[np.ndarray, np.ndarray]:
    """Energy and polar angular momentum of ``rv (..., 6)`` in the J2 field: the two
    exact integrals of the axisymmetric, non-rotating J2 problem (Damaren 2007)."""
    rv = np.asarray(rv, dtype=float)
    r = rv[..., :3]
    v = rv[..., 3:]
    rn = np.sqrt(np.einsum("...i,...i->...", r, r))
    sphi = r[..., 2] / rn
    p2 = 1.5 * sphi**2 - 0.5
    energy = (
        0.5 * np.einsum("...i,...i->...", v, v) - mu / rn + mu / rn * j2 * (r_earth / rn) ** 2 * p2
    )
    hz = r[..., 0] * v[..., 1] - r[..., 1] * v[..., 0]
    return energy, hz


def _j2_mean_a_inc(mu: float, j2: float, r_earth: float, rv) -> tuple[np.ndarray, np.ndarray]:
    r"""First-order mean semi-major axis and inclination of a near-circular orbit from
    the exact integrals: :math:`E = -\mu/(2\bar a) + (\mu/\bar a) J_2 (R/\bar a)^2
    (\tfrac34\sin^2\bar\imath - \tfrac12)` (the secular part of Brouwer's 1959
    Hamiltonian at e = 0) and :math:`H_z = \sqrt{\mu\bar a}\cos\bar\imath`."""
    energy, hz = _j2_integrals(mu, j2, r_earth, rv)
    a = -mu / (2.0 * energy)
    for _ in range(30):
        cosi2 = np.clip(hz**2 / (mu * a), 0.0, 1.0)
        sec = mu / a * j2 * (r_earth / a) ** 2 * (0.75 * (1.0 - cosi2) - 0.5)
        a_new = -mu / (2.0 * (energy - sec))
        if np.all(np.abs(a_new - a) < 1e-12 * np.abs(a)):
            a = a_new
            break
        a = a_new
    inc = np.arccos(np.clip(hz / np.sqrt(mu * a), -1.0, 1.0))
    return a, inc


def _j2_secular_rates(mu: float, j2: float, r_earth: float, a, inc):
    r"""Secular rates of the argument of latitude and of the node of a circular orbit,
    first order in J2 (Brouwer 1959; Vallado 2013, eqs. 9-41 and 9-42 at e = 0):
    :math:`\dot u = \bar n[1 + \tfrac34 J_2(R/\bar a)^2(8\cos^2 i - 2)]`,
    :math:`\dot\Omega = -\tfrac32 \bar n J_2 (R/\bar a)^2\cos i`."""
    n = np.sqrt(mu / np.asarray(a, dtype=float) ** 3)
    f = j2 * (r_earth / a) ** 2
    c2 = np.cos(inc) ** 2
    udot = n * (1.0 + 0.75 * f * (8.0 * c2 - 2.0))
    raandot = -1.5 * n * f * np.cos(inc)
    return udot, raandot


def _ss_reference(mu: float, j2: float, r_earth: float, target_rv):
    """Schweighart-Sedwick reference radius and inclination for a target state: the
    mean radius ``r_ref = a (1 - s)`` that makes the model's rates (``n c``, ``k``,
    ``q``) equal Brouwer's secular rates to first order in J2."""
    a, inc = _j2_mean_a_inc(mu, j2, r_earth, target_rv)
    a, inc = float(a), float(inc)
    s = 3.0 * j2 * r_earth**2 / (8.0 * a**2) * (1.0 + 3.0 * math.cos(2.0 * inc))
    return a * (1.0 - s), inc, a


def _ss_j2_setup(mu: float, j2: float, r_earth: float, target_rv, x0):
    """Initial data of :func:`_ss_j2_propagate`: ``(r_ref, inc, xs, amp, u0, q)`` with
    ``xs`` the SS initial states carrying the secular drift and ``amp`` (...) the
    cross-track growth rate factor in km/s."""
    from ..frames import _relative_to_inertial

    target_rv = np.asarray(target_rv, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    r_ref, inc, a_t = _ss_reference(mu, j2, r_earth, target_rv)
    n, c, k, _ = _ss_coefficients(mu, r_ref, inc, j2, r_earth)
    w = 2.0 * n * c
    chaser_rv = _relative_to_inertial("LVLH", target_rv, x0)
    a_c, i_c = _j2_mean_a_inc(mu, j2, r_earth, chaser_rv)
    ud_t, od_t = _j2_secular_rates(mu, j2, r_earth, a_t, inc)
    ud_c, od_c = _j2_secular_rates(mu, j2, r_earth, a_c, i_c)
    d_raan = od_c - od_t
    drift = a_t * ((ud_c - ud_t) + math.cos(inc) * d_raan)  # km/s along +V-bar
    # SS in-plane: along-track drift rate = D (1 - w^2/k^2), D = vx + w * x_radial
    d_star = drift / (1.0 - w * w / (k * k))
    xs = x0.copy()
    xs[..., 3] = d_star + w * x0[..., 2]
    # target's argument of latitude at t = 0, from the ascending node
    r = target_rv[:3]
    h = np.cross(r, target_rv[3:])
    h = h / np.linalg.norm(h)
    node = np.cross([0.0, 0.0, 1.0], h)
    nn = np.linalg.norm(node)
    node = node / nn if nn > 0 else np.array([1.0, 0.0, 0.0])
    u0 = math.atan2(float(np.dot(np.cross(node, r), h)), float(np.dot(node, r)))
    q = _ss_q(mu, r_ref, inc, j2, r_earth)
    amp = a_t * math.sin(inc) * np.asarray(d_raan, dtype=float)
    xs[..., 4] = x0[..., 4] - amp * math.cos(u0)
    return r_ref, inc, xs, amp, u0, q


def _ss_j2_propagate(mu: float, j2: float, r_earth: float, target_rv, x0, t) -> np.ndarray:
    r"""J2-aware linear relative propagation of ``x0 (..., 6)`` to ``t (m,)``:
    ``(..., m, 6)`` LVLH.

    Schweighart & Sedwick (2002) STM (:func:`_ss_stm`) about the target's mean orbit,
    with the two secular effects that a linear map of the osculating relative state
    cannot see, fixed by the exact J2 integrals (energy and polar angular momentum,
    Damaren 2007) of both spacecraft and Brouwer's (1959) secular rates:

    - the along-track drift :math:`\bar a(\Delta\dot u + \cos i\,\Delta\dot\Omega)`,
      imposed through the SS drift condition on the initial along-track velocity;
    - the differential nodal regression, which makes the cross-track oscillation grow
      as :math:`\bar a\sin i\,\Delta\dot\Omega\,t\cos u(t)` (the
      :math:`2lq\cos(qt+\phi)` forcing of SS 2002, eq. 40).
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    r_ref, inc, xs, amp, u0, q = _ss_j2_setup(mu, j2, r_earth, target_rv, x0)
    out = _apply_stm(_ss_stm(mu, r_ref, inc, t, j2=j2, r_earth=r_earth), xs)
    ph = u0 + q * t
    amp = np.asarray(amp)[..., None]
    out[..., 1] += amp * t * np.cos(ph)
    out[..., 4] += amp * (np.cos(ph) - q * t * np.sin(ph))
    return out


def _ss_j2_at(mu: float, j2: float, r_earth: float, target_rv, x0, t) -> np.ndarray:
    """As :func:`_ss_j2_propagate` but one time per state: ``x0 (..., 6)``,
    ``t (...)`` -> ``(..., 6)``."""
    t = np.asarray(t, dtype=float)
    r_ref, inc, xs, amp, u0, q = _ss_j2_setup(mu, j2, r_earth, target_rv, x0)
    out = np.einsum("...ij,...j->...i", _ss_stm(mu, r_ref, inc, t, j2=j2, r_earth=r_earth), xs)
    ph = u0 + q * t
    out[..., 1] += amp * t * np.cos(ph)
    out[..., 4] += amp * (np.cos(ph) - q * t * np.sin(ph))
    return out


def _ss_q(mu: float, r_ref: float, inc: float, j2: float, r_earth: float) -> float:
    """SS cross-track frequency for equal inclinations, ``q = n c - dOmega cos i``
    (Schweighart & Sedwick 2002, eq. 42 with the differential terms set to zero)."""
    n, c, _, _ = _ss_coefficients(mu, r_ref, inc, j2, r_earth)
    domega = -1.5 * n * j2 * r_earth**2 / r_ref**2 * math.cos(inc)
    return n * c - domega * math.cos(inc)
