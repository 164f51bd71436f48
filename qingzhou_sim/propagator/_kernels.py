r"""Numba kernels of the propagator besides DOP853: RK4, Kepler, drivers, batch.

Plain float64 arrays in km, km/s and s; no astropy objects; ``cache=True`` throughout.

Kernels are compiled with ``error_model="numpy"``: a division by zero gives inf or NaN
(caught by the finiteness checks, reported as :class:`PropagationError`) instead of
raising inside compiled code, and the loops over samples vectorise.

References
----------
Curtis, H. D. (2014), *Orbital Mechanics for Engineering Students*, 3rd ed.,
Algorithm 3.4 (universal-variable Kepler problem) and 2.3 (Lagrange coefficients);
Vallado (2013), Algorithm 8 (KEPLER).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..forces import _rhs_into
from ._dop853 import (
    _NOT_FINITE,
    _OK,
    _REENTRY,
    _TOO_MANY_STEPS,
    _copy6,
    _dop853_run,
    _finite6,
    _next_impulse,
    _radius,
)
from ._ensemble import _ensemble_block


# --------------------------------------------------------------------------- RK4 kernels
@njit(cache=True, error_model="numpy")
def _rk4_step(t, y, h, p, k1, k2, k3, k4, ytmp, ynew):
    """Classical fourth-order Runge-Kutta step (Hairer et al. 1993, sec. II.1, Table 1.2),
    stages in a loop so that the force kernel has one call site (small compiled code)."""
    for s in range(4):
        dst = k1 if s == 0 else (k2 if s == 1 else (k3 if s == 2 else k4))
        if s == 0:
            _rhs_into(t, y, p, dst)
            continue
        c = 0.5 if s < 3 else 1.0
        src = k1 if s == 1 else (k2 if s == 2 else k3)
        for j in range(6):
            ytmp[j] = y[j] + c * h * src[j]
        _rhs_into(t + c * h, ytmp, p, dst)
    for j in range(6):
        ynew[j] = y[j] + h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


@njit(cache=True, error_model="numpy")
def _hermite_eval(y0, y1, f0, f1, h, x, out):
    """Cubic Hermite interpolation of a step from its end states and derivatives."""
    h00 = (1.0 + 2.0 * x) * (1.0 - x) ** 2
    h10 = x * (1.0 - x) ** 2
    h01 = x * x * (3.0 - 2.0 * x)
    h11 = x * x * (x - 1.0)
    for j in range(6):
        out[j] = h00 * y0[j] + h10 * h * f0[j] + h01 * y1[j] + h11 * h * f1[j]


@njit(cache=True, error_model="numpy")
def _rk4_arc(t0, y0, t1, step_s, p, stop_radius):
    """Classical RK4 with a fixed step (last step shortened to land on t1).

    Returns (ts, ys, fs (derivatives at each node, for Hermite interpolation), status)."""
    span = abs(t1 - t0)
    nstep = int(math.ceil(span / step_s - 1e-9)) if span > 0.0 else 0
    ts = np.empty(nstep + 1)
    ys = np.empty((nstep + 1, 6))
    fs = np.empty((nstep + 1, 6))
    ts[0] = t0
    _copy6(ys[0], y0)
    direction = 1.0 if t1 >= t0 else -1.0
    k1 = np.empty(6)
    k2 = np.empty(6)
    k3 = np.empty(6)
    k4 = np.empty(6)
    ytmp = np.empty(6)
    for i in range(nstep + 1):
        _rhs_into(ts[i], ys[i], p, fs[i])
        if i > 0 and not _finite6(ys[i]):
            return ts[:i], ys[:i], fs[:i], _NOT_FINITE
        if i > 0 and stop_radius > 0.0 and _radius(ys[i]) < stop_radius:
            return ts[: i + 1], ys[: i + 1], fs[: i + 1], _REENTRY
        if i == nstep:
            break
        t = ts[i]
        t_new = t1 if i == nstep - 1 else t0 + direction * step_s * (i + 1)
        _rk4_step(t, ys[i], t_new - t, p, k1, k2, k3, k4, ytmp, ys[i + 1])
        ts[i + 1] = t_new
    return ts, ys, fs, _OK


# --------------------------------------------------------------------------- Kepler kernels
@njit(cache=True, error_model="numpy")
def _stumpff(z):
    """Stumpff functions C(z), S(z) (Curtis 2014, eq. 3.52-3.53), series near z = 0."""
    if z > 1e-3:
        sz = math.sqrt(z)
        return (1.0 - math.cos(sz)) / z, (sz - math.sin(sz)) / (sz * sz * sz)
    if z < -1e-3:
        sz = math.sqrt(-z)
        return (math.cosh(sz) - 1.0) / (-z), (math.sinh(sz) - sz) / (sz * sz * sz)
    return (
        0.5 - z / 24.0 + z * z / 720.0 - z * z * z / 40320.0,
        1.0 / 6.0 - z / 120.0 + z * z / 5040.0 - z * z * z / 362880.0,
    )


@njit(cache=True, error_model="numpy")
def _kepler(mu, y0, dt, out):
    """Two-body state after dt seconds by the universal-variable method.

    Curtis (2014), Algorithm 3.4 (Newton on the universal anomaly) and 2.3 (Lagrange
    coefficients); elliptic dt is first reduced modulo the period, which is exact in
    two-body motion and keeps the universal anomaly small."""
    r0 = math.sqrt(y0[0] ** 2 + y0[1] ** 2 + y0[2] ** 2)
    v2 = y0[3] ** 2 + y0[4] ** 2 + y0[5] ** 2
    rv = y0[0] * y0[3] + y0[1] * y0[4] + y0[2] * y0[5]
    vr0 = rv / r0
    alpha = 2.0 / r0 - v2 / mu
    smu = math.sqrt(mu)
    if alpha > 1e-12:
        period = 2.0 * math.pi / math.sqrt(mu * alpha**3)
        dt = dt - period * round(dt / period)
    chi = smu * abs(alpha) * dt
    if alpha < -1e-12 and dt != 0.0:
        # Hyperbola: Vallado (2013), Algorithm 8 starting value; the elliptic one makes
        # Newton diverge (cosh overflow) for escapes longer than a few hours.
        a = 1.0 / alpha
        sdt = 1.0 if dt > 0.0 else -1.0
        arg = (-2.0 * mu * alpha * dt) / (rv + sdt * math.sqrt(-mu * a) * (1.0 - r0 * alpha))
        chi = sdt * math.sqrt(-a) * math.log(arg) if arg > 0.0 else smu * dt / r0
    elif alpha <= 1e-12:
        chi = smu * dt / r0
    converged = False
    for _ in range(100):
        z = alpha * chi * chi
        c, s = _stumpff(z)
        fval = (
            r0 * vr0 / smu * chi * chi * c + (1.0 - alpha * r0) * chi**3 * s + r0 * chi - smu * dt
        )
        fder = (
            r0 * vr0 / smu * chi * (1.0 - alpha * chi * chi * s)
            + (1.0 - alpha * r0) * chi * chi * c
            + r0
        )
        dchi = fval / fder
        chi -= dchi
        if abs(dchi) <= 1e-14 * max(1.0, abs(chi)):
            converged = True
            break
    if not converged:
        # Reported by the callers' finiteness checks, never returned as a state.
        for j in range(6):
            out[j] = math.nan
        return
    z = alpha * chi * chi
    c, s = _stumpff(z)
    f = 1.0 - chi * chi / r0 * c
    g = dt - chi**3 * s / smu
    for j in range(3):
        out[j] = f * y0[j] + g * y0[3 + j]
    r = math.sqrt(out[0] ** 2 + out[1] ** 2 + out[2] ** 2)
    fdot = smu / (r * r0) * (alpha * chi**3 * s - chi)
    gdot = 1.0 - chi * chi / r * c
    for j in range(3):
        out[3 + j] = fdot * y0[j] + gdot * y0[3 + j]


@njit(cache=True, error_model="numpy")
def _kepler_many(mu, y0s, dts):
    """:func:`_kepler` for states y0s (n, 6) and times dts (n,)."""
    out = np.empty((dts.shape[0], 6))
    for i in range(dts.shape[0]):
        _kepler(mu, y0s[i], dts[i], out[i])
    return out


# --------------------------------------------------------------------------- drivers
@njit(cache=True, error_model="numpy")
def _arc_to_times(
    method,
    t0,
    y0,
    t1,
    t_out,
    k0,
    inclusive,
    out,
    p,
    rtol,
    atol,
    step_s,
    max_steps,
    stop_radius,
):
    """Dispatch of the storage-free arc driver for every method (as :func:`._dop853._dop853_run`
    without impulses): returns (k_next, t_end, y_end, status)."""
    if method == 0:
        no = np.bool_(False)
        k, t, y, st, _, _, _ = _dop853_run(
            t0, y0, t1, t_out, k0, inclusive, out, np.zeros(0), np.zeros((0, 3)), p, rtol, atol,
            max_steps, stop_radius, no,
        )  # fmt: skip
        return k, t, y, st
    k = k0
    nout = t_out.shape[0]
    direction = 1.0 if t1 >= t0 else -1.0
    if method == 2:
        mu = p[0]
        while k < nout and (direction * (t_out[k] - t1) < 0.0 or (inclusive and t_out[k] == t1)):
            _kepler(mu, y0, t_out[k] - t0, out[k])
            k += 1
        y1 = np.empty(6)
        _kepler(mu, y0, t1 - t0, y1)
        if not _finite6(y1) or (k > k0 and not _finite6(out[k - 1])):
            return k0, t0, y0.copy(), _NOT_FINITE
        if stop_radius > 0.0 and min(_radius(y0), _radius(y1)) < stop_radius:
            return k, t1, y1, _REENTRY
        return k, t1, y1, _OK
    # RK4: march, interpolate outputs by cubic Hermite.
    if abs(t1 - t0) / step_s > max_steps:
        return k, t0, y0.copy(), _TOO_MANY_STEPS
    ts, ys, fs, st = _rk4_arc(t0, y0, t1, step_s, p, stop_radius)
    m = ts.shape[0]
    i = 0
    while k < nout:
        tk = t_out[k]
        if direction * (tk - ts[m - 1]) > 0.0 or (tk == t1 and not inclusive):
            break
        while i < m - 2 and direction * (tk - ts[i + 1]) > 0.0:
            i += 1
        if m == 1:
            _copy6(out[k], ys[0])
        else:
            h = ts[i + 1] - ts[i]
            _hermite_eval(ys[i], ys[i + 1], fs[i], fs[i + 1], h, (tk - ts[i]) / h, out[k])
        k += 1
    return k, ts[m - 1], ys[m - 1].copy(), st


@njit(cache=True, error_model="numpy")
def _propagate_rv_kernel(
    method, y0, t_out, imp_t, imp_dv, p, rtol, atol, step_s, max_steps, stop_radius
):
    """States at t_out (sorted in one direction from 0) with inertial impulses imp_dv
    (k, 3) applied at imp_t (sorted the same way), by any method (0 DOP853, 1 RK4,
    2 Kepler; :meth:`Propagator.propagate_rv` calls :func:`_propagate_rv_dop853` for
    DOP853, which compiles that method alone). Forward: impulses at t in [0, t_end]
    are added when reached and outputs at an impulse time are post-impulse. Backward:
    impulses at t in [t_end, 0) are subtracted, outputs there are post-impulse too.
    DOP853 runs its own driver (:func:`._dop853._dop853_run`, the same coasts).

    Returns (out (n, 6), n_filled, t_stop, status)."""
    n = t_out.shape[0]
    out = np.empty((n, 6))
    if n == 0:
        return out, 0, 0.0, _OK
    t_end = t_out[n - 1]
    k = np.int64(0)  # not the literal 0: that would compile the arc driver twice
    if method == 0:
        k, t, _, st, _, _, _ = _dop853_run(
            0.0, y0, t_end, t_out, k, np.bool_(True), out, imp_t, imp_dv, p, rtol, atol,
            max_steps, stop_radius, np.bool_(False),
        )  # fmt: skip
        return out, k, t, st
    direction = 1.0 if t_end >= 0.0 else -1.0
    i = _next_impulse(imp_t, 0, 0.0, t_end, direction)
    y = y0.copy()
    t = 0.0
    while True:
        last = i >= imp_t.shape[0]
        k, t, y, st = _arc_to_times(
            method,
            t,
            y,
            t_end if last else imp_t[i],
            t_out,
            k,
            last or direction < 0.0,
            out,
            p,
            rtol,
            atol,
            step_s,
            max_steps,
            stop_radius,
        )
        if st != _OK or last:
            break
        for j in range(3):
            y[3 + j] += direction * imp_dv[i, j]
        i = _next_impulse(imp_t, i + 1, 0.0, t_end, direction)
    return out, k, t, st


def _propagate_rv_dop853(y0, t_out, imp_t, imp_dv, p, rtol, atol, max_steps, stop_radius):
    """:func:`_propagate_rv_kernel` for DOP853 alone (the method every mission uses), by
    the one DOP853 driver :func:`._dop853._dop853_run`, so that a first run compiles
    neither RK4 nor Kepler. Same arithmetic, same results.

    Returns (out (n, 6), n_filled, t_stop, status)."""
    out = np.empty((t_out.shape[0], 6))
    if t_out.shape[0] == 0:
        return out, 0, 0.0, _OK
    k, t, _, st, _, _, _ = _dop853_run(
        0.0, y0, float(t_out[-1]), t_out, 0, True, out, imp_t, imp_dv, p, rtol, atol,
        max_steps, stop_radius, False,
    )  # fmt: skip
    return out, k, t, st


_BLOCK = 64  # samples per ensemble block: K (13 x 6 x 64 floats) stays in cache


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_final_ensemble(y0s, t_end, p, rtol, atol, max_steps, stop_radius):
    """Final states of n DOP853 propagations from 0 to t_end, in ensemble blocks
    (:func:`._ensemble._ensemble_block`) run in parallel; a sample that re-enters or
    fails is redone alone by the scalar kernel, which locates its re-entry exactly.
    Returns (y (n, 6), t_stop (n,), status (n,)); memory O(n)."""
    n = y0s.shape[0]
    nb = (n + _BLOCK - 1) // _BLOCK
    yout = np.empty((n, 6))
    tstop = np.full(n, t_end)
    status = np.zeros(n, dtype=np.int64)
    t_out = np.array([t_end])
    # Typed arguments, not the literals 0 and True: those would compile a second
    # specialisation of the arc drivers.
    k0 = np.int64(0)
    yes = np.bool_(True)
    no = np.bool_(False)
    no_t, no_dv = np.zeros(0), np.zeros((0, 3))
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        Y = np.empty((6, hi - lo))
        lane = np.empty(hi - lo, dtype=np.int64)
        for i in range(lo, hi):
            for j in range(6):
                Y[j, i - lo] = y0s[i, j]
        _ensemble_block(Y, 0.0, t_end, p, rtol, atol, max_steps, stop_radius, lane)
        buf = np.empty((1, 6))
        for i in range(lo, hi):
            if lane[i - lo] == _OK:
                for j in range(6):
                    yout[i, j] = Y[j, i - lo]
            else:
                k, t, y, st1, _, _, _ = _dop853_run(
                    0.0, y0s[i], t_end, t_out, k0, yes, buf, no_t, no_dv, p, rtol, atol,
                    max_steps, stop_radius, no,
                )  # fmt: skip
                _copy6(yout[i], y)
                tstop[i] = t
                status[i] = st1
    return yout, tstop, status


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_final(method, y0s, t_end, p, rtol, atol, step_s, max_steps, stop_radius):
    """Final states of n independent propagations from 0 to t_end (one thread per
    sample block). Returns (y (n, 6), t_stop (n,), status (n,)); memory O(n)."""
    n = y0s.shape[0]
    yout = np.empty((n, 6))
    tstop = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    t_out = np.array([t_end])
    # Typed arguments, not the literals 0 and True: those would compile a second
    # specialisation of the arc drivers.
    k0 = np.int64(0)
    yes = np.bool_(True)
    for i in prange(n):
        buf = np.empty((1, 6))
        k, t, y, st = _arc_to_times(
            method,
            0.0,
            y0s[i],
            t_end,
            t_out,
            k0,
            yes,
            buf,
            p,
            rtol,
            atol,
            step_s,
            max_steps,
            stop_radius,
        )
        _copy6(yout[i], y)
        tstop[i] = t
        status[i] = st
    return yout, tstop, status


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_history(method, y0s, t_out, p, rtol, atol, step_s, max_steps, stop_radius):
    """States of n propagations at the common times t_out (m,): (n, m, 6), filled counts."""
    n = y0s.shape[0]
    m = t_out.shape[0]
    res = np.full((n, m, 6), np.nan)
    filled = np.empty(n, dtype=np.int64)
    status = np.empty(n, dtype=np.int64)
    k0 = np.int64(0)
    yes = np.bool_(True)
    for i in prange(n):
        buf = np.empty((m, 6))
        k, t, y, st = _arc_to_times(
            method,
            0.0,
            y0s[i],
            t_out[m - 1],
            t_out,
            k0,
            yes,
            buf,
            p,
            rtol,
            atol,
            step_s,
            max_steps,
            stop_radius,
        )
        for r in range(k):
            _copy6(res[i, r], buf[r])
        filled[i] = k
        status[i] = st
    return res, filled, status
