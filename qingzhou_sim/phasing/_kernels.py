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
* :func:`_day_frac` -- astropy's ``time.utils.day_frac`` (exact two-float sums,
  Shewchuk 1997) element by element, compiled: the epochs' (jd1, jd2) arithmetic.
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
    rr = np.empty(3)
    vv = np.empty(3)
    for i in range(3):  # element loops: no broadcasting machinery to compile
        rr[i] = f * r0[i] + g * v0[i]
        vv[i] = fd * r0[i] + gd * v0[i]
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
            # element loops, not array expressions or slice assignments: those compile
            # numba's broadcasting and shape-error machinery (~3 s of a first run)
            for i in range(3):
                v[i] += imp_dv[k, i]
            tc = imp_t[k]
            k += 1
        rr, vv = _kepler(mu, r, v, t_s[j] - tc)
        for i in range(3):
            out[j, i] = rr[i]
            out[j, 3 + i] = vv[i]
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
    rv = rr[0] * vv[0] + rr[1] * vv[1] + rr[2] * vv[2]
    dv = np.empty(3)
    dr = np.empty(3)
    w = np.empty(3)
    for i in range(3):  # element loops: no broadcasting machinery to compile
        dv[i] = vv[i] - v0[i]
        dr[i] = rr[i] - r0[i]
        # (r v^T - v r^T) r = r (v.r) - v r^2, the vector of the last term of V~
        w[i] = rr[i] * rv - vv[i] * r * r
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
        # p @ phi written out: numba's matrix product links its BLAS machinery (~3 s of
        # compilation for a 6x6 product)
        q = np.zeros((6, 6))
        for a in range(6):
            for b in range(6):
                s = 0.0
                for c in range(6):
                    s += p[a, c] * phi[c, b]
                q[a, b] = s
                out[i, a, b] = s
        p = q
    return out


# ------------------------------------------------------------ epochs (jd1, jd2)


@numba.njit(cache=True)
def _two_sum(a, b):
    """``a + b`` exactly as two floats (Shewchuk 1997; astropy.time.utils.two_sum)."""
    x = a + b
    eb = x - a
    ea = x - eb
    eb = b - eb
    ea = a - ea
    return x, ea + eb


@numba.njit(cache=True)
def _two_product(a, b):
    """``a * b`` exactly as two floats (Shewchuk 1997; astropy.time.utils.two_product,
    with its split of each factor in two aligned halves)."""
    x = a * b
    c = 134217729.0 * a  # 2**27 + 1
    ah = c - (c - a)
    al = a - ah
    c = 134217729.0 * b
    bh = c - (c - b)
    bl = b - bh
    y = x - ah * bh
    y -= al * bh
    y -= ah * bl
    y = al * bl - y
    return x, y


@numba.njit(cache=True)
def _day_frac(val1, val2, divisor):
    """astropy's ``day_frac(val1, val2, divisor=divisor)`` (``divisor`` 0.0: None) on
    two float64 arrays (n,): the integer and fractional parts of their exact sum, by
    its operations in its order (np.round of a float is np.rint), element by element;
    ~1 us instead of ~12-20 us a call on a few elements."""
    n = val1.shape[0]
    day = np.empty(n)
    frac = np.empty(n)
    for i in range(n):
        sum12, err12 = _two_sum(val1[i], val2[i])
        if divisor != 0.0:
            q1 = sum12 / divisor
            p1, p2 = _two_product(q1, divisor)
            d1, d2 = _two_sum(sum12, -p1)
            d2 += err12
            d2 -= p2
            q2 = (d1 + d2) / divisor
            sum12, err12 = _two_sum(q1, q2)
        d = np.rint(sum12)
        f, check = _two_sum(sum12 - d, err12)
        if f * np.sign(check) != 0.5:
            d += np.rint(f)
        else:
            d += np.rint(f + 2 * check)
        fr = sum12 - d
        fr += err12
        day[i] = d
        frac[i] = fr
    return day, frac


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
    # (element loops, not array expressions or slice assignments: those compile numba's
    # broadcasting machinery, seconds of a first run; the same products)
    t = np.empty(n)
    for i in range(n):
        t[i] = x[i] * scale_t
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
        for c in range(3):
            dvs[i, c] = x[n + 3 * order[i] + c] * 1e-3
    t_out = np.empty(1)
    t_out[0] = t_end
    y = _kepler_rv(mu, rv0, t_out, ts, dvs)[0]
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


# ------------------------------------------------- minimum-delta-v N-impulse SQP
# Velocity residuals are weighted by this time (s) so that 1 km and 1 km / T count alike.
_SQP_VEL_WEIGHT_S = 1000.0


@numba.njit(cache=True)
def _arrival_chain(mu, rv0, t_end, imp_t, dv, with_jac):
    """Arrival state (r (3,), v (3,)) of the two-body arcs through the impulses ``dv``
    (k, 3) at sorted ``imp_t`` (as :func:`_min_dv_sqp` keeps them) and (``with_jac``,
    else zeros) the chain P_i (k, 6, 6)
    of :func:`_impulse_chain_jac`: the numbers of ``_kepler_rv(mu, rv0, imp_t, imp_t,
    dv)``, ``_impulse_chain_jac`` on its states and ``_kepler`` of the last arc, bit for
    bit (the same calls on the same inputs), each arc solved once instead of twice
    (:func:`_kepler_stm` returns the arc's end state with its STM)."""
    k = imp_t.shape[0]
    phis = np.empty((k, 6, 6))
    r = rv0[:3].copy()
    v = rv0[3:].copy()
    r, v = _kepler(mu, r, v, imp_t[0] - 0.0)
    i = 0
    while i < k:
        # the impulses at this epoch, then the arc to the next epoch (or the arrival)
        j = i
        while j < k and imp_t[j] <= imp_t[i]:
            for e in range(3):
                v[e] += dv[j, e]
            j += 1
        # (element loops, not slice assignments: those compile numba's broadcasting
        # machinery, seconds of a first run)
        for m in range(i, j - 1):  # zero-length arcs between impulses at one epoch
            for a in range(6):
                for b in range(6):
                    phis[m, a, b] = 1.0 if a == b else 0.0
        dt = (imp_t[j] if j < k else t_end) - imp_t[i]
        if with_jac:
            r, v, phi = _kepler_stm(mu, r, v, dt)
            for a in range(6):
                for b in range(6):
                    phis[j - 1, a, b] = phi[a, b]
        else:
            r, v = _kepler(mu, r, v, dt)
        i = j
    out = np.zeros((k, 6, 6))
    if not with_jac:
        return r, v, out
    # P_i = P_{i+1} Phi_i, the product written out as in _impulse_chain_jac
    p = np.eye(6)
    for i in range(k - 1, -1, -1):
        q = np.zeros((6, 6))
        for a in range(6):
            for b in range(6):
                s = 0.0
                for c in range(6):
                    s += p[a, c] * phis[i, c, b]
                q[a, b] = s
                out[i, a, b] = s
        p = q
    return r, v, out


@numba.njit(cache=True)
def _arrival_partials(mu, rv0, t_end, imp_t, dv, c_off, d_off, dv_ref, target, with_jac):
    """Weighted arrival residual c (6,) of the two-body arc through impulses ``dv`` (k, 3)
    km/s at sorted ``imp_t`` (k,), plus the affine correction ``c_off + d_off (dv -
    dv_ref)`` (the full-force surrogate of :func:`_min_dv_sqp`), and (``with_jac``, else
    zeros) its partials (6, 4k) w.r.t. (dv in m/s, epochs in s):
    :func:`_impulse_chain_jac`."""
    k = imp_t.shape[0]
    rr, vv, p = _arrival_chain(mu, rv0, t_end, imp_t, dv, with_jac)
    c = np.empty(6)
    jac = np.zeros((6, 4 * k))
    for a in range(6):
        w = 1.0 if a < 3 else _SQP_VEL_WEIGHT_S
        y = rr[a] if a < 3 else vv[a - 3]
        s = y - target[a] + c_off[a]
        for j in range(3 * k):
            s += d_off[a, j] * (dv[j // 3, j % 3] - dv_ref[j // 3, j % 3])
        c[a] = w * s
        for i in range(k if with_jac else 0):
            for b in range(3):
                jac[a, 3 * i + b] = w * 1e-3 * (p[i, a, 3 + b] + d_off[a, 3 * i + b])
                jac[a, 3 * k + i] -= w * p[i, a, b] * dv[i, b]
    return c, jac


@numba.njit(cache=True)
def _solve_dense(a, b):
    """Solve a x = b in place (Gaussian elimination, partial pivoting; no LAPACK, so
    nothing to load at compile time). Returns (x, ok)."""
    m = b.shape[0]
    for col in range(m):
        piv = col
        for r in range(col + 1, m):
            if abs(a[r, col]) > abs(a[piv, col]):
                piv = r
        if abs(a[piv, col]) < 1e-300:
            return b, False
        if piv != col:
            for e in range(m):
                a[col, e], a[piv, e] = a[piv, e], a[col, e]
            b[col], b[piv] = b[piv], b[col]
        for r in range(col + 1, m):
            fct = a[r, col] / a[col, col]
            if fct != 0.0:
                for e in range(col, m):
                    a[r, e] -= fct * a[col, e]
                b[r] -= fct * b[col]
    x = np.zeros(m)
    for r in range(m - 1, -1, -1):
        s = b[r]
        for e in range(r + 1, m):
            s -= a[r, e] * x[e]
        x[r] = s / a[r, r]
    return x, True


@numba.njit(cache=True)
def _merit_terms(dv, c, eps):
    """The two terms of :func:`_min_dv_sqp`'s l1 merit function: the smoothed total
    sum_i sqrt(|dv_i|^2 + eps^2) and the constraint residual's l1 norm sum_a |c_a|."""
    f = 0.0
    for i in range(dv.shape[0]):
        f += math.sqrt(dv[i, 0] ** 2 + dv[i, 1] ** 2 + dv[i, 2] ** 2 + eps * eps)
    c1 = 0.0
    for a in range(6):
        c1 += abs(c[a])
    return f, c1


@numba.njit(cache=True)
def _scaled(a, s):
    """a * s for a 2-d array in element loops: an array expression compiles numba's
    broadcasting machinery (1-2 s of :func:`_min_dv_sqp`'s first compilation); the same
    products."""
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * s
    return out


@numba.njit(cache=True)
def _scaled1(a, s):
    """a * s for a 1-d array (see :func:`_scaled`); s = -1 negates exactly."""
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] * s
    return out


@numba.njit(cache=True)
def _min_dv_sqp(
    mu, rv0, t_end, t0, dv0, target, c_off, d_off, dv_ref, t_lo, t_hi, gap, free_t, eps, ftol
):
    r"""Minimum :math:`\sum_i |\Delta v_i|` N-impulse transfer to ``target`` (two-body
    arcs plus the affine correction ``c_off + d_off (dv - dv_ref)``), over the
    delta-v's (k, 3) km/s and, when ``free_t``, the epochs (s), kept in
    ``[t_lo, t_hi]`` and ``gap`` apart.

    SQP: the objective's Hessian in closed form (a burn below a tenth of the total
    with the reweighted-least-squares majoriser instead), the constraints' curvature
    by forward differences of the analytic two-body STM partials when the epochs are
    free; each quadratic subproblem solved by a primal active-set method on the
    linear epoch constraints; an l1 merit line search with a second-order correction.
    |dv| is smoothed as sqrt(|dv|^2 + eps^2) (eps in m/s). Stops when the step or the
    decrease of the total falls below 1e-7 / ``ftol`` m/s with the residual below 1e-7 (km, and
    km/s x 1000 s). Returns (epochs (k,), dv (k, 3) km/s, the multipliers of the
    arrival (6,) (for :func:`_primer_magnitude`), status: 0 converged, 1 iteration
    limit, 2 no descent, iterations).

    References
    ----------
    Nocedal & Wright (2006), *Numerical Optimization*, 2nd ed.: Algorithm 18.3 (SQP
    with an l1 merit line search), sec. 18.3 (second-order correction), Algorithm
    16.3 (primal active-set method for the convex quadratic subproblem); Daubechies
    et al. (2010), Comm. Pure Appl. Math. 63, 1 (iteratively reweighted least squares
    for l1); Prussing (1995) for the problem.
    """
    k = t0.shape[0]
    nv = 3 * k
    n = nv + k if free_t else nv
    # typed flags, not the literals True and False: those would compile the arrival
    # partials twice (one specialisation per literal, ~1 s of a first run)
    jac_on = np.bool_(True)
    jac_off = np.bool_(False)
    # -- a start inside the epoch constraints (pushed forward, then back)
    t = t0.copy()
    if free_t:
        t[0] = max(t[0], t_lo)
        for i in range(1, k):
            t[i] = max(t[i], t[i - 1] + gap)
        t[k - 1] = min(t[k - 1], t_hi)
        for i in range(k - 2, -1, -1):
            t[i] = min(t[i], t[i + 1] - gap)
    dvm = _scaled(dv0, 1e3)  # m/s
    # linear epoch constraints a_j . t >= b_j: t_0 >= t_lo, t_j - t_{j-1} >= gap,
    # -t_{k-1} >= -t_hi; the working set of the quadratic subproblems
    na = k + 1 if free_t else 0
    amat = np.zeros((k + 1, k))
    bvec = np.empty(k + 1)
    amat[0, 0] = 1.0
    bvec[0] = t_lo
    for j in range(1, k):
        amat[j, j] = 1.0
        amat[j, j - 1] = -1.0
        bvec[j] = gap
    amat[k, k - 1] = -1.0
    bvec[k] = -t_hi
    work = np.zeros(k + 1, dtype=np.bool_)
    for j in range(na):
        sl = -bvec[j]
        for i in range(k):
            sl += amat[j, i] * t[i]
        work[j] = sl <= 1e-9
    mu_pen = 0.0
    status = 1
    it = 0
    c, jac = _arrival_partials(
        mu, rv0, t_end, t, _scaled(dvm, 1e-3), c_off, d_off, dv_ref, target, jac_on
    )
    # first multipliers: least squares on the delta-v rows of grad f + J^T lam = 0
    g = np.zeros(n)
    for i in range(k):
        s = math.sqrt(dvm[i, 0] ** 2 + dvm[i, 1] ** 2 + dvm[i, 2] ** 2 + eps * eps)
        for b in range(3):
            g[3 * i + b] = dvm[i, b] / s
    jj = np.zeros((6, 6))
    jg = np.zeros(6)
    for a in range(6):
        for i in range(nv):
            jg[a] -= jac[a, i] * g[i]
            for b in range(6):
                jj[a, b] += jac[a, i] * jac[b, i]
    lam, _ = _solve_dense(jj.copy(), jg)
    f_prev = np.inf
    f_now = np.inf
    for it in range(50 if free_t else 400):  # noqa: B007
        # -- gradient and Hessian of the Lagrangian at z = (dv m/s, epochs s)
        g = np.zeros(n)
        h = np.zeros((n, n))
        # |dv_i|'s Hessian (I - u u^T) / |dv_i|, or for a burn whose primer magnitude
        # (-J_i^T lam) is below 0.99, one that is vanishing, the majoriser I / |dv_i|
        # (iteratively reweighted least squares), which shrinks it geometrically where
        # Newton's step would overshoot zero
        tot = 0.0
        for i in range(k):
            tot += math.sqrt(dvm[i, 0] ** 2 + dvm[i, 1] ** 2 + dvm[i, 2] ** 2)
        for i in range(k):
            q = eps * eps + dvm[i, 0] ** 2 + dvm[i, 1] ** 2 + dvm[i, 2] ** 2
            s = math.sqrt(q)
            pn = 0.0
            for b in range(3):
                pb = 0.0
                for a in range(6):
                    pb += jac[a, 3 * i + b] * lam[a]
                pn += pb * pb
            theta = 0.0 if 10.0 * eps < s and pn < 0.98 else 1.0
            for b in range(3):
                g[3 * i + b] = dvm[i, b] / s
                for e in range(3):
                    h[3 * i + b, 3 * i + e] = ((b == e) - theta * dvm[i, b] * dvm[i, e] / q) / s
        # the constraints' curvature, lam . d2c, by differences of the partials (with
        # the epochs free; at fixed epochs the arcs are nearly linear in the dv's)
        base = np.zeros(n)
        for j in range(n):
            for a in range(6):
                base[j] += jac[a, j] * lam[a]
        for j in range(nv, n):
            step = 1e-4 if j < nv else 1e-3
            tp = t.copy()
            dp = dvm.copy()
            if j < nv:
                dp[j // 3, j % 3] += step
            else:
                tp[j - nv] += step
            _, jp = _arrival_partials(
                mu, rv0, t_end, tp, _scaled(dp, 1e-3), c_off, d_off, dv_ref, target, jac_on
            )
            for m in range(n):
                s = 0.0
                for a in range(6):
                    s += jp[a, m] * lam[a]
                h[m, j] += 0.5 * (s - base[m]) / step
                h[j, m] += 0.5 * (s - base[m]) / step
        # -- quadratic subproblem: min 1/2 d'Hd + g'd, J d = -c, working set held,
        # from the minimum-norm delta-v step (feasible for the epoch constraints)
        reg = 0.0
        for _attempt in range(10):
            d = np.zeros(n)
            jj = np.zeros((6, 6))
            for a in range(6):
                for b in range(6):
                    for i in range(nv):
                        jj[a, b] += jac[a, i] * jac[b, i]
            y6, ok = _solve_dense(jj.copy(), _scaled1(c, -1.0))
            for i in range(nv):
                for a in range(6):
                    d[i] += jac[a, i] * y6[a]
            qp_ok = ok
            for _inner in range(3 * (k + 1) + 2):
                m = n + 6
                for j in range(na):
                    m += work[j]
                kk = np.zeros((m, m))
                rhs = np.zeros(m)
                for i in range(n):
                    for j in range(n):
                        kk[i, j] = h[i, j]
                        rhs[i] -= h[i, j] * d[j]
                    kk[i, i] += reg
                    rhs[i] -= g[i] + reg * d[i]
                for a in range(6):
                    for j in range(n):
                        kk[n + a, j] = jac[a, j]
                        kk[j, n + a] = jac[a, j]
                r = n + 6
                for j in range(na):
                    if work[j]:
                        for i in range(k):
                            kk[r, nv + i] = amat[j, i]
                            kk[nv + i, r] = amat[j, i]
                        r += 1
                sol, ok = _solve_dense(kk, rhs)
                curv = 0.0
                pmax = 0.0
                for i in range(n):
                    pmax = max(pmax, abs(sol[i]) * (1.0 if i < nv else 0.01))
                    for j in range(n):
                        curv += sol[i] * (h[i, j] + reg * (i == j)) * sol[j]
                if not ok or curv < 0.0:
                    qp_ok = False
                    break
                lam = sol[n : n + 6].copy()
                if pmax < 1e-10:
                    # at the working set's minimiser: leave the constraint whose
                    # multiplier has the wrong sign, or stop
                    worst, wj, r = 1e-12, -1, n + 6
                    for j in range(na):
                        if work[j]:
                            if sol[r] > worst:
                                worst, wj = sol[r], j
                            r += 1
                    if wj < 0:
                        break
                    work[wj] = False
                    continue
                amax, block = 1.0, -1
                for j in range(na):
                    if work[j]:
                        continue
                    ap, sl = 0.0, -bvec[j]
                    for i in range(k):
                        ap += amat[j, i] * sol[nv + i]
                        sl += amat[j, i] * (t[i] + d[nv + i])
                    if ap < 0.0 and sl + amax * ap < 0.0:
                        amax, block = max(sl / -ap, 0.0), j
                for i in range(n):
                    d[i] += amax * sol[i]
                if block < 0:
                    break
                work[block] = True
            if qp_ok:
                break
            reg = 1e-6 if reg == 0.0 else 10.0 * reg
        # -- converged?
        dmax = 0.0
        for i in range(n):
            dmax = max(dmax, abs(d[i]) * (1.0 if i < nv else 0.01))
        cmax = 0.0
        for a in range(6):
            cmax = max(cmax, abs(c[a]))
        if (dmax < 1e-7 or f_prev - f_now < ftol) and cmax < 1e-7:
            status = 0
            break
        # -- step length on the l1 merit, with a second-order correction
        lmax = 0.0
        for a in range(6):
            lmax = max(lmax, abs(lam[a]))
        mu_pen = max(mu_pen, 2.0 * lmax + 1e-9)
        f0, c1 = _merit_terms(dvm, c, eps)
        phi0 = f0 + mu_pen * c1
        slope = -mu_pen * c1
        for i in range(n):
            slope += g[i] * d[i]
        alpha = 1.0
        accepted = False
        tn = t
        dn = dvm
        cn = c.copy()
        for ls in range(30):
            for soc in range(2 if ls == 0 else 1):
                tn = t.copy()
                dn = dvm.copy()
                for i in range(nv):
                    dn[i // 3, i % 3] += alpha * d[i]
                for i in range(n - nv):
                    tn[i] += alpha * d[nv + i]
                if soc == 1:
                    # the minimum-norm delta-v change that removes the trial point's
                    # constraint residual (against the Maratos effect)
                    y6, _ = _solve_dense(jj.copy(), _scaled1(cn, -1.0))
                    for i in range(nv):
                        for a in range(6):
                            dn[i // 3, i % 3] += jac[a, i] * y6[a]
                cn, _ = _arrival_partials(
                    mu, rv0, t_end, tn, _scaled(dn, 1e-3), c_off, d_off, dv_ref, target, jac_off
                )
                fn, cn1 = _merit_terms(dn, cn, eps)
                if fn + mu_pen * cn1 <= phi0 + 1e-4 * alpha * slope:
                    accepted = True
                    break
            if accepted:
                break
            alpha *= 0.5
        if not accepted:
            status = 2
            break
        # a burn that shrank by a fifth or more is tried at zero (the others changed by
        # the minimum-norm correction back onto the constraint): the reweighted steps
        # would take it there only geometrically
        for i in range(k):
            m_new = math.sqrt(dn[i, 0] ** 2 + dn[i, 1] ** 2 + dn[i, 2] ** 2)
            m_old = math.sqrt(dvm[i, 0] ** 2 + dvm[i, 1] ** 2 + dvm[i, 2] ** 2)
            if not (10.0 * eps < m_new < 0.1 * tot and m_new < 0.8 * m_old):
                continue
            dz = dn.copy()
            dz[i, 0] = 0.0
            dz[i, 1] = 0.0
            dz[i, 2] = 0.0
            cz, jz = _arrival_partials(
                mu, rv0, t_end, tn, _scaled(dz, 1e-3), c_off, d_off, dv_ref, target, jac_on
            )
            jjz = np.zeros((6, 6))
            for a in range(6):
                for b in range(6):
                    for e in range(nv):
                        if e // 3 != i:
                            jjz[a, b] += jz[a, e] * jz[b, e]
            y6, ok = _solve_dense(jjz, _scaled1(cz, -1.0))
            if not ok:
                continue
            for e in range(nv):
                if e // 3 != i:
                    for a in range(6):
                        dz[e // 3, e % 3] += jz[a, e] * y6[a]
            cz, _ = _arrival_partials(
                mu, rv0, t_end, tn, _scaled(dz, 1e-3), c_off, d_off, dv_ref, target, jac_off
            )
            fz, cz1 = _merit_terms(dz, cz, eps)
            if fz + mu_pen * cz1 < fn + mu_pen * cn1:
                dn, fn, cn1 = dz, fz, cz1
        f_prev, f_now = f0, fn
        t, dvm = tn, dn
        c, jac = _arrival_partials(
            mu, rv0, t_end, t, _scaled(dvm, 1e-3), c_off, d_off, dv_ref, target, jac_on
        )
    return t, _scaled(dvm, 1e-3), lam, status, it


@numba.njit(cache=True)
def _primer_magnitude(mu, rv0, t_end, imp_t, dv, lam, t_grid):
    r"""Magnitude of the primer vector on the sorted ``t_grid`` of the impulses ``dv``
    (k, 3) km/s at sorted ``imp_t`` with the arrival multipliers ``lam`` of
    :func:`_min_dv_sqp`: p(t) = -1e-3 (W Phi(t_end, t)[:, 3:])^T lam, the unit vector
    of each impulse at its epoch at an optimum; where |p(t)| > 1 an impulse would lower
    the total.

    References
    ----------
    Lawden (1963), *Optimal Trajectories for Space Navigation*, ch. 3 (primer vector);
    Lion & Handelsman (1968), AIAA J. 6, 127 (adding an impulse where |p| > 1);
    Prussing (1995), ch. 2.
    """
    k = imp_t.shape[0]
    post = _kepler_rv(mu, rv0, imp_t, imp_t, dv)
    seg = np.empty(k)
    for i in range(k):
        seg[i] = (t_end if i == k - 1 else imp_t[i + 1]) - imp_t[i]
    chain = _impulse_chain_jac(mu, post, seg)
    out = np.empty(t_grid.shape[0])
    # Each grid point on the coast from the impulse before it (or t = 0) at t_a: one
    # two-body STM Phi(t, t_a), whose symplectic inverse gives Phi(t_next, t) =
    # Phi(t_next, t_a) Phi(t, t_a)^-1 (Battin 1999, sec. 9.7: Phi^-1 = [[D^T, -B^T],
    # [-C^T, A^T]] for Phi = [[A, B], [C, D]]); M = P_next Phi(t_next, t_a) once a coast.
    m = np.empty((6, 6))
    j = -1
    g = 0
    ng = t_grid.shape[0]
    while g < ng:
        while j + 1 < k and imp_t[j + 1] <= t_grid[g]:
            j += 1
        # the coast [t_a, t_next] holding grid point g
        if j < 0:
            t_a = 0.0
            ra = rv0[:3].copy()
            va = rv0[3:].copy()
        else:
            t_a = imp_t[j]
            ra = post[j, :3].copy()
            va = post[j, 3:].copy()
        t_next = imp_t[j + 1] if j + 1 < k else t_end
        _, _, phi_c = _kepler_stm(mu, ra, va, t_next - t_a)
        for a in range(6):
            for b in range(6):
                if j + 1 < k:
                    acc = 0.0
                    for e in range(6):
                        acc += chain[j + 1, a, e] * phi_c[e, b]
                    m[a, b] = acc
                else:
                    m[a, b] = phi_c[a, b]
        while g < ng and (j + 1 >= k or t_grid[g] < imp_t[j + 1]):
            _, _, phi = _kepler_stm(mu, ra, va, t_grid[g] - t_a)
            q = 0.0
            for b in range(3):
                pb = 0.0
                for a in range(6):
                    # row a, velocity column b of Phi(t_end, t) = M Phi(t, t_a)^-1
                    col = 0.0
                    for e in range(3):
                        col -= m[a, e] * phi[b, 3 + e]  # -B^T
                        col += m[a, 3 + e] * phi[b, e]  # A^T
                    pb -= 1e-3 * (1.0 if a < 3 else _SQP_VEL_WEIGHT_S) * col * lam[a]
                q += pb * pb
            out[g] = math.sqrt(q)
            g += 1
    return out
