r"""Compiled differential correction of impulsive burns in the force model.

* :func:`_variational_jac` -- the arrival state and its Jacobian w.r.t. the burns'
  delta-v's from one DOP853 propagation that integrates the variational equations
  (:func:`..propagator._variational._dop853_sens_run`).
* :func:`_newton_stm` -- minimum-norm Newton iterations on the burns' inertial delta-v's
  until the arrival is within the goals, each Jacobian from the variational equations,
  each trial point propagated by the DOP853 driver itself: the loop of
  :func:`.targeting._newton` (same steps, same halving, same stopping rules) without a
  Python call per propagation.

Plain float64 arrays in km, km/s and s; no astropy.

References
----------
Vallado (2013), sec. 7.6.2 (differential correction); Montenbruck & Gill (2000), sec.
7.1-7.2 (state-transition matrix from the variational equations); Nocedal & Wright
(2006), sec. 10.2-10.3 (minimum-norm Gauss-Newton step of an underdetermined system).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..propagator._dop853 import _OK, _dop853_run
from ..propagator._variational import _dop853_sens_run
from ._kernels import _solve_dense


@njit(cache=True, error_model="numpy")
def _variational_jac(rv0, t_end, imp_t, dv, p, rtol, atol, max_steps, stop_radius):
    """(arrival state (6,), d arrival / d dv (6, 3k), ok) through the impulses ``dv``
    (k, 3) at the sorted ``imp_t`` inside [0, t_end]; ok False when the propagation
    stopped (re-entry, step failure)."""
    y, st, _, jac = _dop853_sens_run(
        0.0, rv0, t_end, imp_t, dv, p, rtol, atol, max_steps, stop_radius, False
    )
    return y, jac, st == _OK


@njit(cache=True, error_model="numpy")
def _residual(rv0, t_end, imp_t, dv, target, miss_max, p, rtol, atol, max_steps, stop_radius):
    """Arrival state minus ``target`` by the DOP853 driver (the numbers of
    ``Propagator.propagate_rv``); NaN when the propagation stops before t_end or the
    miss exceeds ``miss_max`` (a trial thrown out of Earth orbit)."""
    out = np.empty((1, 6))
    t_out = np.empty(1)
    t_out[0] = t_end
    k, _, _, st, _, _, _ = _dop853_run(
        0.0, rv0, t_end, t_out, 0, True, out, imp_t, dv, p, rtol, atol, max_steps,
        stop_radius, False,
    )  # fmt: skip
    f = np.empty(6)
    bad = st != _OK or k != 1
    for a in range(6):
        f[a] = out[0, a] - target[a]
        bad = bad or not abs(f[a]) < miss_max
    if bad:
        for a in range(6):
            f[a] = np.nan
    return f


@njit(cache=True, error_model="numpy")
def _wnorm(w, f):
    s = 0.0
    for a in range(6):
        s += (w[a] * f[a]) ** 2
    return math.sqrt(s)


@njit(cache=True, error_model="numpy")
def _step(x, f, jac, w, rv0, t_end, imp_t, target, miss_max, p, rtol, atol, max_steps, sr):
    """One minimum-norm Newton step d = (WJ)^T [(WJ)(WJ)^T]^-1 (-W f) from ``x``, halved
    (8 times at most) until the weighted residual drops. Returns (x_new, f_new, ok)."""
    n = jac.shape[1]
    m = np.zeros((6, 6))
    rhs = np.empty(6)
    for a in range(6):
        rhs[a] = -w[a] * f[a]
        for b in range(6):
            s = 0.0
            for c in range(n):
                s += jac[a, c] * jac[b, c]
            m[a, b] = w[a] * w[b] * s
    y6, ok = _solve_dense(m, rhs)
    xn = x.copy()
    if not ok:
        return xn, f, False
    d = np.zeros(n)
    for c in range(n):
        for a in range(6):
            d[c] += w[a] * jac[a, c] * y6[a]
    fnorm = _wnorm(w, f)
    lam = 1.0
    for _ in range(8):
        for c in range(n):
            xn[c // 3, c % 3] = x[c // 3, c % 3] + lam * d[c]
        fn = _residual(rv0, t_end, imp_t, xn, target, miss_max, p, rtol, atol, max_steps, sr)
        if math.isfinite(fn[0]) and _wnorm(w, fn) < fnorm:
            return xn, fn, True
        lam *= 0.5
    return xn, f, False


@njit(cache=True, error_model="numpy")
def _newton_stm(
    rv0, t_end, imp_t, dv0, target, f0, have_f0, jac0, have_jac0, w, goal_p, goal_v,
    max_iter, miss_max, p, rtol, atol, max_steps, stop_radius,
):  # fmt: skip
    """Minimum-norm Newton iterations on the delta-v's ``dv0`` (k, 3) km/s at the fixed
    sorted epochs ``imp_t`` so that the state at ``t_end`` reaches ``target``: each step
    the minimum-norm solution of W J d = -W f (W = diag(``w``)), halved (8 times at most)
    until the weighted residual drops; stops at |f_r| < ``goal_p`` km and |f_v| <
    ``goal_v`` km/s, after ``max_iter`` steps, or when no step descends. ``f0``: the
    residual at ``dv0`` when ``have_f0``.

    J from the variational equations (:func:`_variational_jac`), kept while it works
    (the chord method): made at the start unless ``jac0`` is given (``have_jac0``, e.g.
    the columns of these burns from a correction before), and made again at the current
    point when a step with the kept one does not halve the weighted residual (as
    :func:`.targeting._descent_step` does with its quasi-Newton Jacobian).

    Returns (dv (k, 3), f (6,), iterations, history (iterations + 1, 2) of (position m,
    velocity m/s) residuals, status: 0 stopped normally, 1 non-finite residual, the last
    Jacobian (6, 3k), whether it was made at the returned point).
    """
    k = imp_t.shape[0]
    n = 3 * k
    x = dv0.copy()
    hist = np.empty((max_iter + 1, 2))
    have_jac = have_jac0
    fresh = False
    jac = jac0.copy() if have_jac0 else np.empty((6, n))
    if have_f0:
        f = f0.copy()
    elif have_jac:
        f = _residual(rv0, t_end, imp_t, x, target, miss_max, p, rtol, atol, max_steps, stop_radius)
    else:
        y, jac, ok = _variational_jac(rv0, t_end, imp_t, x, p, rtol, atol, max_steps, stop_radius)
        have_jac = ok
        fresh = ok
        f = np.empty(6)
        bad = not ok
        for a in range(6):
            f[a] = y[a] - target[a]
            bad = bad or not abs(f[a]) < miss_max
        if bad:
            for a in range(6):
                f[a] = np.nan
    it = 0
    status = 0
    for it in range(max_iter + 1):
        finite = True
        for a in range(6):
            if not math.isfinite(f[a]):
                finite = False
        if not finite:
            status = 1
            break
        pe = math.sqrt(f[0] ** 2 + f[1] ** 2 + f[2] ** 2)
        ve = math.sqrt(f[3] ** 2 + f[4] ** 2 + f[5] ** 2)
        hist[it, 0] = pe * 1e3
        hist[it, 1] = ve * 1e3
        if (pe < goal_p and ve < goal_v) or it == max_iter:
            break
        best_x, best_f, found = x, f, False
        for _attempt in range(2):
            if not have_jac or _attempt == 1:
                if fresh:
                    break
                _, jac, ok = _variational_jac(
                    rv0, t_end, imp_t, x, p, rtol, atol, max_steps, stop_radius
                )
                if not ok:
                    break
                have_jac = True
                fresh = True
            xn, fn, ok = _step(
                x, f, jac, w, rv0, t_end, imp_t, target, miss_max, p, rtol, atol,
                max_steps, stop_radius,
            )  # fmt: skip
            if ok and (not found or _wnorm(w, fn) < _wnorm(w, best_f)):
                best_x, best_f, found = xn, fn, True
            if ok and _wnorm(w, fn) < 0.5 * _wnorm(w, f):
                break
        if not found:
            break  # no descent: stagnated
        x = best_x
        f = best_f
        fresh = False
    return x, f, it, hist[: it + 1], status, jac, fresh
