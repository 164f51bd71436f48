r"""The state-transition matrix of the force model, integrated with the trajectory.

* :func:`_accel_partials` -- d(acceleration)/d(r) and d(acceleration)/d(v) (3, 3 each)
  of the force model of ``forces._rhs_into``: point mass and zonal J2..J4 about the
  Earth's axis, drag in a co-rotating atmosphere, Sun and Moon as point masses.
* :func:`_dop853_sens_run` -- a DOP853 propagation through inertial impulses that also
  integrates the variational equations dS/dt = A(t) S, A = [[0, I], [G, D]], of the
  sensitivity S of the state to the impulses (and to the initial state: the
  state-transition matrix).

The variational equations are integrated by the same Runge-Kutta stages on the same
accepted steps as the state (the steps are chosen by the state's error alone), so the
state is that of :func:`._dop853._dop853_run` bit for bit and S is the derivative of
the numerical solution map with respect to the impulses and the initial state
(Runge-Kutta methods commute with linearisation: "internal numerical differentiation",
Bock 1981; Hairer, Norsett & Wanner 1993, sec. I.14 and II.4): the Jacobian that Newton
iterations on the propagated residuals need.

References
----------
Montenbruck, O. & Gill, E. (2000), *Satellite Orbits*, sec. 7.1 (state-transition
matrix, variational equations) and sec. 7.2 (partial derivatives of the acceleration:
geopotential, drag, third bodies); Vallado (2013), eq. 8-19 (the zonal acceleration
whose gradient is taken here); Hairer, Norsett & Wanner (1993), *Solving Ordinary
Differential Equations I*, 2nd ed., sec. I.14 (variational equation) and II.5 (DOP853).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..forces._kernels import (
    _EXP_H,
    _EXP_H0,
    _EXP_RHO0,
    _HP_H,
    P_ATM,
    P_DEGREE,
    P_DRAG,
    P_DRAG_K,
    P_FLAT,
    P_GM_MOON,
    P_GM_SUN,
    P_HP_N,
    P_J2,
    P_J3,
    P_J4,
    P_JD0,
    P_MOON,
    P_MU,
    P_OMEGA,
    P_RE,
    P_SUN,
    _apex_of,
    _bracket,
    _density_hp_apex,
    _ellipsoid_altitude,
    _exp_band,
    _hp_min_max,
    _moon_position,
    _pole_at,
    _rhs_into,
    _sun_position,
)
from ._dop853 import (
    _A,
    _C,
    _NOT_FINITE,
    _OK,
    _REENTRY,
    _TOO_MANY_STEPS,
    _advance,
    _finite6,
    _initial_step,
    _radius,
)

_internal = njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)


@_internal
def _zonal_gradient(mu, re, j2, j3, j4, degree, px, py, pz, x, y, z, G):
    r"""G (3, 3) += d a / d r of the point mass and the zonal terms J2..J``degree`` about
    the axis k = (px, py, pz).

    With r_hat = r / r, s = r_hat . k and a_n = c_n [A_n r_hat - P_n' k], c_n = mu J_n
    R^n / r^(n+2), A_n = (n+1) P_n + s P_n' (the acceleration of ``forces._zonal_accel``,
    Vallado 2013 eq. 8-19 about an arbitrary axis): d r_hat / d r = (I - r_hat
    r_hat^T) / r, d s / d r = (k - s r_hat) / r, d c_n / d r = -(n+2) c_n r_hat / r, so
    G_n = c_n / r [A_n I - (A_n (n+3) + s A_n') r_hat r_hat^T + A_n' r_hat k^T
    + (s P_n'' + (n+2) P_n') k r_hat^T - P_n'' k k^T], A_n' = (n+2) P_n' + s P_n''; the
    point mass mu / r^3 (3 r_hat r_hat^T - I) (Montenbruck & Gill 2000, sec. 7.2.1).
    Summed as five scalar coefficients of I, r_hat r_hat^T, r_hat k^T, k r_hat^T, k k^T.
    """
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    ir = 1.0 / rn
    u0, u1, u2 = x * ir, y * ir, z * ir
    c0 = mu * ir * ir * ir
    ci = -c0  # I
    cuu = 3.0 * c0  # r_hat r_hat^T
    cuk = 0.0  # r_hat k^T
    cku = 0.0  # k r_hat^T
    ckk = 0.0  # k k^T
    if degree >= 2:
        s = u0 * px + u1 * py + u2 * pz
        s2 = s * s
        q = re * ir
        qn = q
        for n in range(2, degree + 1):
            qn = qn * q
            if n == 2:
                pn, dp, ddp = 1.5 * s2 - 0.5, 3.0 * s, 3.0
            elif n == 3:
                pn, dp, ddp = 2.5 * s2 * s - 1.5 * s, 7.5 * s2 - 1.5, 15.0 * s
            else:
                pn = (35.0 * s2 * s2 - 30.0 * s2 + 3.0) / 8.0
                dp = (35.0 * s2 * s - 15.0 * s) / 2.0
                ddp = (105.0 * s2 - 15.0) / 2.0
            c = c0 * (j2 if n == 2 else (j3 if n == 3 else j4)) * qn  # c_n / r
            an = (n + 1) * pn + s * dp
            dan = (n + 2) * dp + s * ddp
            ci += c * an
            cuu -= c * (an * (n + 3) + s * dan)
            cuk += c * dan
            cku += c * (s * ddp + (n + 2) * dp)
            ckk -= c * ddp
    # (written out: a loop would index tuples by a variable)
    G[0, 0] += ci + cuu * u0 * u0 + cuk * u0 * px + cku * px * u0 + ckk * px * px
    G[0, 1] += cuu * u0 * u1 + cuk * u0 * py + cku * px * u1 + ckk * px * py
    G[0, 2] += cuu * u0 * u2 + cuk * u0 * pz + cku * px * u2 + ckk * px * pz
    G[1, 0] += cuu * u1 * u0 + cuk * u1 * px + cku * py * u0 + ckk * py * px
    G[1, 1] += ci + cuu * u1 * u1 + cuk * u1 * py + cku * py * u1 + ckk * py * py
    G[1, 2] += cuu * u1 * u2 + cuk * u1 * pz + cku * py * u2 + ckk * py * pz
    G[2, 0] += cuu * u2 * u0 + cuk * u2 * px + cku * pz * u0 + ckk * pz * px
    G[2, 1] += cuu * u2 * u1 + cuk * u2 * py + cku * pz * u1 + ckk * pz * py
    G[2, 2] += ci + cuu * u2 * u2 + cuk * u2 * pz + cku * pz * u2 + ckk * pz * pz


@_internal
def _density_slope(x, y, z, h, p, ebx, eby, ebz):
    """(rho, d rho / d h, d rho / d r at a fixed height (3-tuple)) of the drag model's
    atmosphere (kg/m^3, per km): the exponential bands' -rho / H (Vallado 2013, Table
    8-4); Harris-Priester's height interpolation and its cos^n(psi / 2) blend in the
    angle psi to the bulge apex e_b, cos psi = r_hat . e_b (Montenbruck & Gill 2000,
    eq. 3.99-3.104)."""
    if p[P_ATM] != 2.0:
        # the band of forces._density_exponential, its density and -rho / H
        k = _exp_band(h)
        rho = _EXP_RHO0[k] * math.exp(-(h - _EXP_H0[k]) / _EXP_H[k])
        return rho, -rho / _EXP_H[k], (0.0, 0.0, 0.0)
    rho = _density_hp_apex(x, y, z, h, ebx, eby, ebz, p[P_HP_N])
    nh = _HP_H.shape[0]
    if h >= _HP_H[nh - 1] or h <= _HP_H[0]:
        return rho, 0.0, (0.0, 0.0, 0.0)
    rmin, rmax, hmin, hmax = _hp_min_max(_bracket(_HP_H, h), h)
    rn = math.sqrt(x * x + y * y + z * z)
    c_psi = (x * ebx + y * eby + z * ebz) / rn
    c2 = 0.5 + 0.5 * c_psi
    nexp = p[P_HP_N]
    if c2 <= 0.0:
        return rho, -rmin / hmin * 1e-12, (0.0, 0.0, 0.0)
    cosn = c2 ** (0.5 * nexp)
    slope = (-rmin / hmin + (rmin / hmin - rmax / hmax) * cosn) * 1e-12
    # d cos^n / d r = (n / 2) c2^(n/2 - 1) (1/2) (e_b - cos psi r_hat) / r
    g = (rmax - rmin) * 1e-12 * 0.25 * nexp * cosn / c2 / rn
    return (
        rho,
        slope,
        (
            g * (ebx - c_psi * x / rn),
            g * (eby - c_psi * y / rn),
            g * (ebz - c_psi * z / rn),
        ),
    )


@_internal
def _drag_partials(t, y, p, px, py, pz, G, D):
    """G += d a_drag / d r, D += d a_drag / d v for a = -K rho(h) |v_r| v_r, v_r = v -
    w k x r (``forces._drag_accel``; Montenbruck & Gill 2000, sec. 7.2.3): with M =
    |v_r| I + v_r v_r^T / |v_r|, D = -K rho M and G = -K |v_r| v_r (grad rho)^T + w K
    rho M [k x], grad rho = rho'(h) grad h (+ the bulge term), grad h = r_hat + 2 R f s (k - s r_hat) / r
    (the first-order ellipsoid height of ``forces._ellipsoid_altitude``)."""
    x, yy, z = y[0], y[1], y[2]
    h = _ellipsoid_altitude(x, yy, z, p[P_RE], p[P_FLAT], px, py, pz)
    ebx, eby, ebz = _apex_of(t, p)
    rho, slope, ga = _density_slope(x, yy, z, h, p, ebx, eby, ebz)
    w = p[P_OMEGA]
    vr0 = y[3] - w * (py * z - pz * yy)
    vr1 = y[4] - w * (pz * x - px * z)
    vr2 = y[5] - w * (px * yy - py * x)
    vn = math.sqrt(vr0 * vr0 + vr1 * vr1 + vr2 * vr2)
    kd = p[P_DRAG_K]
    rn = math.sqrt(x * x + yy * yy + z * z)
    u0, u1, u2 = x / rn, yy / rn, z / rn
    s = u0 * px + u1 * py + u2 * pz
    fr = 2.0 * p[P_RE] * p[P_FLAT] * s / rn
    gh0 = u0 + fr * (px - s * u0)
    gh1 = u1 + fr * (py - s * u1)
    gh2 = u2 + fr * (pz - s * u2)
    # M [k x] = |v_r| [k x] - v_r (k x v_r)^T / |v_r|  ([k x] r = k x r); written out
    ivn = 1.0 / vn if vn > 0.0 else 0.0
    kv0 = py * vr2 - pz * vr1
    kv1 = pz * vr0 - px * vr2
    kv2 = px * vr1 - py * vr0
    cd = kd * rho
    a0 = -kd * vn
    wc = w * cd
    gr0 = slope * gh0 + ga[0]
    gr1 = slope * gh1 + ga[1]
    gr2 = slope * gh2 + ga[2]
    cv = cd * ivn
    D[0, 0] -= cv * vr0 * vr0 + cd * vn
    D[0, 1] -= cv * vr0 * vr1
    D[0, 2] -= cv * vr0 * vr2
    D[1, 0] -= cv * vr1 * vr0
    D[1, 1] -= cv * vr1 * vr1 + cd * vn
    D[1, 2] -= cv * vr1 * vr2
    D[2, 0] -= cv * vr2 * vr0
    D[2, 1] -= cv * vr2 * vr1
    D[2, 2] -= cv * vr2 * vr2 + cd * vn
    G[0, 0] += a0 * vr0 * gr0 + wc * (-vr0 * kv0 * ivn)
    G[0, 1] += a0 * vr0 * gr1 + wc * (vn * -pz - vr0 * kv1 * ivn)
    G[0, 2] += a0 * vr0 * gr2 + wc * (vn * py - vr0 * kv2 * ivn)
    G[1, 0] += a0 * vr1 * gr0 + wc * (vn * pz - vr1 * kv0 * ivn)
    G[1, 1] += a0 * vr1 * gr1 + wc * (-vr1 * kv1 * ivn)
    G[1, 2] += a0 * vr1 * gr2 + wc * (vn * -px - vr1 * kv2 * ivn)
    G[2, 0] += a0 * vr2 * gr0 + wc * (vn * -py - vr2 * kv0 * ivn)
    G[2, 1] += a0 * vr2 * gr1 + wc * (vn * px - vr2 * kv1 * ivn)
    G[2, 2] += a0 * vr2 * gr2 + wc * (-vr2 * kv2 * ivn)


@_internal
def _third_body_gradient(gm, sx, sy, sz, x, y, z, G):
    """G += gm (3 d d^T / |d|^5 - I / |d|^3), d = s - r: the gradient of the third-body
    perturbation (Montenbruck & Gill 2000, eq. 3.37 and sec. 7.2)."""
    d = (sx - x, sy - y, sz - z)
    dn2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    dn = math.sqrt(dn2)
    i3 = 1.0 / (dn2 * dn)
    for i in range(3):
        for j in range(3):
            G[i, j] += gm * (3.0 * d[i] * d[j] * i3 / dn2 - (i3 if i == j else 0.0))


@njit(cache=True, error_model="numpy")
def _accel_partials(t, y, p, G, D):
    """d a / d r into ``G`` (3, 3) and d a / d v into ``D`` (3, 3) (1/s^2 and 1/s) at
    t seconds after the epoch of ``p``: the partials of ``forces._rhs_into``'s
    acceleration, term by term (see the module docstring)."""
    for i in range(3):
        for j in range(3):
            G[i, j] = 0.0
            D[i, j] = 0.0
    px, py, pz = _pole_at(t, p)
    _zonal_gradient(
        p[P_MU], p[P_RE], p[P_J2], p[P_J3], p[P_J4], int(p[P_DEGREE]), px, py, pz,
        y[0], y[1], y[2], G,
    )  # fmt: skip
    if p[P_DRAG] != 0.0:
        _drag_partials(t, y, p, px, py, pz, G, D)
    if p[P_SUN] != 0.0 or p[P_MOON] != 0.0:
        jd = p[P_JD0] + t / 86400.0
        if p[P_SUN] != 0.0:
            sx, sy, sz = _sun_position(jd)
            _third_body_gradient(p[P_GM_SUN], sx, sy, sz, y[0], y[1], y[2], G)
        if p[P_MOON] != 0.0:
            sx, sy, sz = _moon_position(jd)
            _third_body_gradient(p[P_GM_MOON], sx, sy, sz, y[0], y[1], y[2], G)


@_internal
def _sens_step(t, y, h, p, K, S, ncol, P, KS, ys, G, D):
    """Advance the first ``ncol`` columns of the sensitivity, held transposed in ``S``
    (m, 6), over the accepted step (t, y, h) whose state stages are ``K`` (13, 6): the
    DOP853 stages of the variational equations, KS_s = A(t + c_s h, Y_s) (S + h sum_m
    a_sm KS_m), Y_s the step's stage states (recomputed from K by the state's own sums);
    S becomes the stage-12 value (b = a_12), as the state does. (Transposed, the active
    columns are one contiguous block: the stage sums vectorise.)"""
    nk = 6 * ncol
    Sf = S.reshape(-1)
    Pf = P.reshape(-1)
    for s in range(13):
        if s == 0:
            for j in range(6):
                ys[j] = y[j]
        else:
            for j in range(6):
                acc = 0.0
                for m in range(s):
                    acc += _A[s, m] * K[m, j]
                ys[j] = y[j] + h * acc
        for i in range(nk):
            Pf[i] = Sf[i]
        for m in range(s):
            ham = h * _A[s, m]
            if ham != 0.0:
                KSf = KS[m].reshape(-1)
                for i in range(nk):
                    Pf[i] += ham * KSf[i]
        if s == 12:
            break
        _accel_partials(t + _C[s] * h, ys, p, G, D)
        for c in range(ncol):
            for a in range(3):
                KS[s, c, a] = P[c, 3 + a]
                KS[s, c, 3 + a] = (
                    G[a, 0] * P[c, 0] + G[a, 1] * P[c, 1] + G[a, 2] * P[c, 2]
                    + D[a, 0] * P[c, 3] + D[a, 1] * P[c, 4] + D[a, 2] * P[c, 5]
                )  # fmt: skip
    for i in range(nk):
        Sf[i] = Pf[i]


@njit(cache=True, error_model="numpy")
def _dop853_sens_run(t0, y0, t1, imp_t, imp_dv, p, rtol, atol, max_steps, stop_radius, with_y0):
    """DOP853 from t0 to t1 > t0 through the inertial impulses ``imp_dv`` (k, 3) at the
    sorted ``imp_t`` (k,), all inside [t0, t1], with the sensitivity of the state at t1
    to the impulses (and, ``with_y0``, to the initial state: the state-transition
    matrix).

    The steps, coasts and impulses are those of :func:`._dop853._dop853_run` (each coast
    starts afresh at an impulse), so ``y_end`` is its state at t1 bit for bit. Only the
    columns of the impulses already applied are integrated (an impulse x+ = x- + (0, dv)
    starts its columns at (0, I); Battin 1999, sec. 9.7). Returns (y_end (6,), status
    (``_dop853`` codes), t reached, S (6, 6 + 3k) with ``with_y0`` else (6, 3k)):
    S = [d y_end / d y0, d y_end / d dv_0, ..., d y_end / d dv_{k-1}].
    """
    nimp = imp_t.shape[0]
    off = 6 if with_y0 else 0
    m = off + 3 * nimp
    S = np.zeros((m, 6))  # transposed: column c of the sensitivity is S[c]
    for a in range(off):
        S[a, a] = 1.0
    ncol = off
    y = y0.copy()
    K = np.empty((16, 6))
    ytmp = np.empty(6)
    ynew = np.empty(6)
    f = np.empty(6)
    P = np.empty((m, 6))
    KS = np.empty((12, m, 6))
    ys = np.empty(6)
    G = np.empty((3, 3))
    D = np.empty((3, 3))
    t = t0
    st = _OK
    for c in range(nimp + 1):
        t_stop = imp_t[c] if c < nimp else t1
        if t_stop != t:
            _rhs_into(t, y, p, f)
            h_abs = _initial_step(t, y, f, 1.0, t_stop - t, p, rtol, atol)
            nsteps = 0
            while t_stop - t > 0.0:
                if nsteps >= max_steps:
                    st = _TOO_MANY_STEPS
                    break
                t_new, h, h_abs, st = _advance(
                    t, y, f, h_abs, t_stop, 1.0, p, rtol, atol, K, ytmp, ynew
                )
                if st != _OK:
                    break
                nsteps += 1
                if not _finite6(ynew):
                    st = _NOT_FINITE
                    break
                if stop_radius > 0.0 and _radius(ynew) < stop_radius:
                    st = _REENTRY
                    break
                if ncol > 0:
                    _sens_step(t, y, h, p, K, S, ncol, P, KS, ys, G, D)
                t = t_new
                for j in range(6):
                    y[j] = ynew[j]
                    f[j] = K[12, j]
        if st != _OK or c >= nimp:
            break
        for j in range(3):
            y[3 + j] += imp_dv[c, j]
            S[off + 3 * c + j, 3 + j] = 1.0
        ncol = off + 3 * (c + 1)
    out = np.empty((6, m))
    for a in range(6):
        for c in range(m):
            out[a, c] = S[c, a]
    return y, st, t, out
