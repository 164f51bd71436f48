r"""Phasing kernels: plain float64 arrays in km, km/s, s, rad; no astropy.

* :func:`_kepler` -- universal-variable two-body propagation (Vallado 2013,
  Algorithm 8; Curtis 2014, Algorithm 3.4), compiled with numba.
* :func:`_kepler_rv` -- two-body propagation through a list of inertial impulses.
* :func:`_kepler_stm` -- two-body state and 6x6 state-transition matrix, closed form in
  universal variables (Battin 1999, sec. 9.7, eqs. 9.74; Goodyear 1965).
* :func:`_impulse_chain_jac` -- Jacobian of the arrival state w.r.t. the impulses'
  delta-v's and epochs from the two-body STMs between the impulses.
* :func:`_phase_angle` -- station phase angle ahead of the chaser.
* :func:`_secular_rates` -- first-order J2 secular rates of RAAN, argument of perigee
  and mean anomaly (Vallado 2013, eqs. 9-41 and 9-43 to 9-45).
"""

from __future__ import annotations

import math

import numba
import numpy as np

# --------------------------------------------------------------------- two-body


@numba.njit(cache=True)
def _stumpff(z):
    if z > 1e-8:
        s = math.sqrt(z)
        return (1.0 - math.cos(s)) / z, (s - math.sin(s)) / (s * z)
    if z < -1e-8:
        s = math.sqrt(-z)
        return (math.cosh(s) - 1.0) / (-z), (math.sinh(s) - s) / (s * (-z))
    return 0.5 - z / 24.0 + z * z / 720.0, 1.0 / 6.0 - z / 120.0 + z * z / 5040.0


@numba.njit(cache=True)
def _kepler(mu, r0, v0, dt):
    """Two-body state after ``dt`` seconds (universal variables, Newton iteration).

    References
    ----------
    Vallado (2013), Algorithm 8 (KEPLER); Curtis (2014), Algorithms 3.3-3.4.
    """
    if dt == 0.0:
        return r0.copy(), v0.copy()
    rn = math.sqrt(r0[0] ** 2 + r0[1] ** 2 + r0[2] ** 2)
    vn2 = v0[0] ** 2 + v0[1] ** 2 + v0[2] ** 2
    rdv = r0[0] * v0[0] + r0[1] * v0[1] + r0[2] * v0[2]
    alpha = 2.0 / rn - vn2 / mu
    sq = math.sqrt(mu)
    if alpha > 1e-12:
        chi = sq * dt * alpha
    else:
        chi = sq * abs(alpha) * dt
        if chi == 0.0:
            chi = 1.0
    for _ in range(60):
        z = alpha * chi * chi
        c2, c3 = _stumpff(z)
        r = chi * chi * c2 + rdv / sq * chi * (1.0 - z * c3) + rn * (1.0 - z * c2)
        f = chi**3 * c3 + rdv / sq * chi * chi * c2 + rn * chi * (1.0 - z * c3) - sq * dt
        dchi = f / r
        chi -= dchi
        if abs(dchi) < 1e-12 * max(1.0, abs(chi)):
            break
    z = alpha * chi * chi
    c2, c3 = _stumpff(z)
    r = chi * chi * c2 + rdv / sq * chi * (1.0 - z * c3) + rn * (1.0 - z * c2)
    f = 1.0 - chi * chi / rn * c2
    g = dt - chi**3 / sq * c3
    gd = 1.0 - chi * chi / r * c2
    fd = sq / (r * rn) * chi * (z * c3 - 1.0)
    rr = f * r0 + g * v0
    vv = fd * r0 + gd * v0
    return rr, vv


@numba.njit(cache=True)
def _kepler_rv(mu, rv0, t_s, imp_t, imp_dv):
    """Two-body states at sorted times ``t_s`` (s from the epoch of ``rv0``), with
    inertial impulses ``imp_dv`` (k, 3) applied at ``imp_t`` (k,). An output time equal
    to an impulse time returns the state after the impulse. Times must be >= 0."""
    n = t_s.shape[0]
    out = np.empty((n, 6))
    r = rv0[:3].copy()
    v = rv0[3:].copy()
    tc = 0.0
    k = 0
    nimp = imp_t.shape[0]
    for j in range(n):
        while k < nimp and imp_t[k] <= t_s[j]:
            r, v = _kepler(mu, r, v, imp_t[k] - tc)
            v = v + imp_dv[k]
            tc = imp_t[k]
            k += 1
        rr, vv = _kepler(mu, r, v, t_s[j] - tc)
        out[j, :3] = rr
        out[j, 3:] = vv
    return out


@numba.njit(cache=True)
def _stumpff45(z):
    """c4(z), c5(z) (series below |z| = 0.01, where the closed forms cancel)."""
    if abs(z) < 1e-2:
        return (
            1.0 / 24.0 - z / 720.0 + z * z / 40320.0 - z**3 / 3628800.0,
            1.0 / 120.0 - z / 5040.0 + z * z / 362880.0 - z**3 / 39916800.0,
        )
    c2, c3 = _stumpff(z)
    return (0.5 - c2) / z, (1.0 / 6.0 - c3) / z


@numba.njit(cache=True)
def _kepler_stm(mu, r0, v0, dt):
    """Two-body state after ``dt`` seconds and the state-transition matrix
    d(r, v)/d(r0, v0) (6, 6), in closed form.

    References
    ----------
    Battin (1999), *An Introduction to the Mathematics and Methods of Astrodynamics*,
    rev. ed., sec. 9.7, eqs. 9.74 (the matrices R~, R, V~, V in universal functions
    U0..U5 and C = (3 U5 - chi U4) / sqrt(mu) - dt U2); Goodyear (1965), AJ 70, 189.
    """
    phi = np.eye(6)
    if dt == 0.0:
        return r0.copy(), v0.copy(), phi
    sq = math.sqrt(mu)
    rn = math.sqrt(r0[0] ** 2 + r0[1] ** 2 + r0[2] ** 2)
    vn2 = v0[0] ** 2 + v0[1] ** 2 + v0[2] ** 2
    sig0 = (r0[0] * v0[0] + r0[1] * v0[1] + r0[2] * v0[2]) / sq
    alpha = 2.0 / rn - vn2 / mu
    rr, vv = _kepler(mu, r0, v0, dt)
    r = math.sqrt(rr[0] ** 2 + rr[1] ** 2 + rr[2] ** 2)
    sig = (rr[0] * vv[0] + rr[1] * vv[1] + rr[2] * vv[2]) / sq
    # universal anomaly from the end states, chi = alpha sqrt(mu) dt + sigma - sigma0
    # (Battin 1999, ch. 4, universal form of Kepler's equation): exact for the solution
    chi = alpha * sq * dt + sig - sig0
    z = alpha * chi * chi
    c2, c3 = _stumpff(z)
    c4, c5 = _stumpff45(z)
    u1 = chi * (1.0 - z * c3)
    u2 = chi * chi * c2
    u4 = chi**4 * c4
    u5 = chi**5 * c5
    f = 1.0 - u2 / rn
    g = (rn * u1 + sig0 * u2) / sq
    ft = -sq * u1 / (r * rn)
    gt = 1.0 - u2 / r
    c = (3.0 * u5 - chi * u4) / sq - dt * u2
    dv = vv - v0
    dr = rr - r0
    rv = rr[0] * vv[0] + rr[1] * vv[1] + rr[2] * vv[2]
    # (r v^T - v r^T) r = r (v.r) - v r^2, the vector of the last term of V~
    w = rr * rv - vv * r * r
    for i in range(3):
        for j in range(3):
            d = 1.0 if i == j else 0.0
            # R~ = dr/dr0
            phi[i, j] = (
                r / mu * dv[i] * dv[j]
                + (rn * (1.0 - f) * rr[i] * r0[j] + c * vv[i] * r0[j]) / rn**3
                + f * d
            )
            # R = dr/dv0
            phi[i, 3 + j] = (
                rn / mu * (1.0 - f) * (dr[i] * v0[j] - dv[i] * r0[j])
                + c / mu * vv[i] * v0[j]
                + g * d
            )
            # V~ = dv/dr0
            phi[3 + i, j] = (
                -dv[i] * r0[j] / rn**2
                - rr[i] * dv[j] / r**2
                + ft * (d - rr[i] * rr[j] / r**2 + w[i] * dv[j] / (mu * r))
                - mu * c / (r**3 * rn**3) * rr[i] * r0[j]
            )
            # V = dv/dv0
            phi[3 + i, 3 + j] = (
                rn / mu * dv[i] * dv[j]
                + (rn * (1.0 - f) * rr[i] * r0[j] - c * rr[i] * v0[j]) / r**3
                + gt * d
            )
    return rr, vv, phi


@numba.njit(cache=True)
def _impulse_chain_jac(mu, post_rv, seg_t):
    """Partials of the arrival state w.r.t. k impulses, from the two-body STMs between
    the impulses.

    ``post_rv`` (k, 6): the states just after each impulse; ``seg_t`` (k,): the coast
    from each impulse to the next (the last one to the arrival). Returns
    P_i = Phi(t_end, t_i) = Phi_{k-1} ... Phi_i (k, 6, 6) (Battin 1999, sec. 9.7: coast
    STMs chained across impulses, whose jump x+ = x- + (0, dv) has identity partials):
    d y / d dv_i = P_i[:, 3:], and d y / d t_i = -P_i[:, :3] dv_i (moving an impulse
    later by dt leaves the post-impulse state short of (dv dt, 0) when the acceleration
    depends on position only).
    """
    k = post_rv.shape[0]
    out = np.empty((k, 6, 6))
    p = np.eye(6)
    for i in range(k - 1, -1, -1):
        _, _, phi = _kepler_stm(mu, post_rv[i, :3].copy(), post_rv[i, 3:].copy(), seg_t[i])
        p = p @ phi
        out[i] = p
    return out


# --------------------------------------------------------- analytic J2 model


def _secular_rates(mu, re, j2, a, ecc, inc):
    """J2 secular rates (raan_dot, argp_dot, mean-anomaly rate) in rad/s.

    References
    ----------
    Vallado (2013), eqs. 9-41 (RAAN), 9-43 (argument of perigee), 9-44/9-45 (mean
    anomaly); Kozai (1959).
    """
    a = np.asarray(a, dtype=float)
    ecc = np.asarray(ecc, dtype=float)
    n = np.sqrt(mu / a**3)
    p = a * (1.0 - ecc**2)
    k = 0.75 * n * j2 * (re / p) ** 2
    ci = np.cos(inc)
    raan_dot = -2.0 * k * ci
    argp_dot = k * (5.0 * ci**2 - 1.0)
    m_dot = n + k * np.sqrt(1.0 - ecc**2) * (3.0 * ci**2 - 1.0)
    return raan_dot, argp_dot, m_dot


def _phase_angle(station_rv, chaser_rv):
    """Angle from the chaser to the station along the station's orbit, measured in the
    station's plane, in (-pi, pi]; positive = station ahead of the chaser."""
    rs, vs = station_rv[..., :3], station_rv[..., 3:]
    h = np.cross(rs, vs)
    h = h / np.linalg.norm(h, axis=-1, keepdims=True)
    rc = chaser_rv[..., :3]
    rc = rc - np.sum(rc * h, axis=-1, keepdims=True) * h
    sin_ = np.sum(np.cross(rc, rs) * h, axis=-1)
    cos_ = np.sum(rc * rs, axis=-1)
    return np.arctan2(sin_, cos_)


@numba.njit(cache=True)
def _nimpulse_residual(x, n, scale_t, mu, rv0, t_end, target):
    """Arrival residual of the N-impulse problem (position km, velocity m/s) for the
    optimiser's variables ``x`` = (epochs / scale_t, dv in m/s): the compiled form of
    the SLSQP equality constraint (impulses sorted by epoch, ties kept in order)."""
    t = x[:n] * scale_t
    dv = x[n:].reshape((n, 3)) * 1e-3
    order = np.arange(n)
    for i in range(1, n):  # insertion sort: stable, n <= 6
        j = i
        while j > 0 and t[order[j - 1]] > t[order[j]]:
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    ts = np.empty(n)
    dvs = np.empty((n, 3))
    for i in range(n):
        ts[i] = t[order[i]]
        dvs[i] = dv[order[i]]
    y = _kepler_rv(mu, rv0, np.array([t_end]), ts, dvs)[0]
    out = np.empty(6)
    for i in range(3):
        out[i] = y[i] - target[i]
        out[3 + i] = (y[3 + i] - target[3 + i]) * 1e3
    return out


@numba.njit(cache=True)
def _nimpulse_residual_jac(x, n, scale_t, mu, rv0, t_end, target):
    """Forward-difference Jacobian (6, x.size) of :func:`_nimpulse_residual`
    (steps 1e-7 on the scaled epochs, 1e-5 m/s on the delta-v's)."""
    f0 = _nimpulse_residual(x, n, scale_t, mu, rv0, t_end, target)
    jm = np.empty((6, x.size))
    for j in range(x.size):
        xp = x.copy()
        h = 1e-7 if j < n else 1e-5
        xp[j] += h
        fj = _nimpulse_residual(xp, n, scale_t, mu, rv0, t_end, target)
        for i in range(6):
            jm[i, j] = (fj[i] - f0[i]) / h
    return jm
