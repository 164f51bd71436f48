r"""RKN12(10) for a block of independent samples ("ensemble"): the batch engine of
``propagate_batch(method="rkn")``.

As :mod:`._ensemble` does for DOP853: samples are stored component-major, Y (6, m), so
that every loop runs over the samples with unit stride and vectorises; each sample
(lane) keeps its own time, step size and accept/reject decision, and follows the
operations of the scalar kernel :func:`._rkn._rkn_advance` in the same order, so its
result is bit-identical to a propagation of that sample alone (zero tableau entries are
skipped: adding 0 * k leaves a finite sum unchanged). Same tableau and references as
:mod:`._rkn` (Dormand, El-Mikkawy & Prince 1987).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._dop853 import _OK, _copy6
from ._ensemble import _lane_control, _lane_finished, _propose_steps, _rhs_block
from ._rkn import (
    _A,
    _B,
    _BP,
    _C,
    _EB,
    _EBP,
    _ERR_EXP,
    _S,
    _W_STAGES,
    _rkn_initial_step,
    _rkn_to_times,
)

_BLOCK = 64  # lanes per block: K (17 x 3 x 64 floats) stays in cache


@njit(cache=True, error_model="numpy")
def _stage_positions(s, Y, H, K, acc, dst):
    """dst[:3] = r + H (c_s v + H sum_q a_sq k_q) for every lane (rows 3-5 of dst, the
    velocities, are set by the caller); same summation order as _rkn._rkn_step."""
    m = Y.shape[1]
    for j in range(3):
        for i in range(m):
            acc[i] = 0.0
        for q in range(s):
            a = _A[s, q]
            if a != 0.0:
                for i in range(m):
                    acc[i] += a * K[q, j, i]
        for i in range(m):
            dst[j, i] = Y[j, i] + H[i] * (_C[s] * Y[3 + j, i] + H[i] * acc[i])


@njit(cache=True, error_model="numpy")
def _solution_and_error(Y, H, K, rtol, atol, Yn, err, sb, sbp, er, ev):
    """The 12th-order states Yn and the scaled error norm of every lane (as _rkn_step and
    _rkn_error, term for term)."""
    m = Y.shape[1]
    for i in range(m):
        err[i] = 0.0
    for j in range(3):
        for i in range(m):
            sb[i] = 0.0
            sbp[i] = 0.0
            er[i] = 0.0
            ev[i] = 0.0
        for q in _W_STAGES:
            b = _B[q]
            bp = _BP[q]
            eb = _EB[q]
            ebp = _EBP[q]
            for i in range(m):
                k = K[q, j, i]
                sb[i] += b * k
                sbp[i] += bp * k
                er[i] += eb * k
                ev[i] += ebp * k
        for i in range(m):
            h = H[i]
            Yn[j, i] = Y[j, i] + h * (Y[3 + j, i] + h * sb[i])
            Yn[3 + j, i] = Y[3 + j, i] + h * sbp[i]
            sc = atol + rtol * max(abs(Y[j, i]), abs(Yn[j, i]))
            err[i] += (h * h * er[i] / sc) ** 2
            sc = atol + rtol * max(abs(Y[3 + j, i]), abs(Yn[3 + j, i]))
            err[i] += (h * ev[i] / sc) ** 2
    for i in range(m):
        err[i] = math.sqrt(err[i] / 6.0)


@njit(cache=True, error_model="numpy")
def _rkn_ensemble_block(Y, t0, t1, p, rtol, atol, max_steps, stop_radius, status):
    """RKN12(10) on a block of independent samples Y (6, m), advanced in place from t0
    to t1 (see the module docstring). ``status[i]`` gets the lane's status; a lane that
    re-enters or fails stops there and is redone by the caller with the scalar kernel,
    which locates its re-entry."""
    m = Y.shape[1]
    for i in range(m):
        status[i] = _OK
    if t1 == t0:
        return
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((_S, 3, m))
    F = np.empty((6, m))  # force kernel output (rows 3-5: the accelerations)
    Ys = np.empty((6, m))  # stage states: positions, and the step's initial velocities
    Yn = np.empty((6, m))
    T = np.full(m, t0)
    Tn = np.empty(m)  # end of the step being attempted
    Ts = np.empty(m)
    H = np.empty(m)
    Habs = np.empty(m)
    rejected = np.zeros(m, dtype=np.bool_)
    active = np.ones(m, dtype=np.bool_)
    nsteps = np.zeros(m, dtype=np.int64)
    nrej = np.zeros(m, dtype=np.int64)
    err = np.empty(m)
    acc = np.empty(m)
    sb = np.empty(m)
    sbp = np.empty(m)
    er = np.empty(m)
    ev = np.empty(m)
    y = np.empty(6)
    a = np.empty(3)
    _rhs_block(T, Y, p, F)
    for i in range(m):
        for j in range(3):
            y[j] = Y[j, i]
            a[j] = F[3 + j, i]
            K[0, j, i] = F[3 + j, i]
        Habs[i] = _rkn_initial_step(y, a, rtol, abs(t1 - t0))
    n_active = m
    while n_active > 0:
        n_active -= _propose_steps(T, Habs, nrej, direction, t1, active, status, Tn, H)
        if n_active == 0:
            break
        for j in range(3):
            for i in range(m):
                Ys[3 + j, i] = Y[3 + j, i]
        for s in range(1, _S):
            _stage_positions(s, Y, H, K, acc, Ys)
            for i in range(m):
                Ts[i] = T[i] + _C[s] * H[i]
            _rhs_block(Ts, Ys, p, F)
            for j in range(3):
                for i in range(m):
                    K[s, j, i] = F[3 + j, i]
        _solution_and_error(Y, H, K, rtol, atol, Yn, err, sb, sbp, er, ev)
        accepted = False
        for i in range(m):
            if not active[i]:
                continue
            if not _lane_control(i, err[i], _ERR_EXP, Habs, rejected, nrej, Tn, T, nsteps):
                continue
            for j in range(6):
                Y[j, i] = Yn[j, i]
            accepted = True
            n_active -= _lane_finished(
                Y, i, t1, direction, T, nsteps, max_steps, stop_radius, active, status
            )
        if accepted:
            # First stage of the next step: f(t, r) of the lanes that moved (the others
            # keep theirs; evaluating every lane keeps the loop vectorised).
            _rhs_block(T, Y, p, F)
            for j in range(3):
                for i in range(m):
                    K[0, j, i] = F[3 + j, i]


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_final_rkn_ensemble(y0s, t_end, p, rtol, atol, max_steps, stop_radius):
    """Final states of n RKN12(10) propagations from 0 to t_end, in ensemble blocks run
    in parallel; a lane that re-enters or fails is redone alone by the scalar kernel.
    Returns (y (n, 6), t_stop (n,), status (n,))."""
    n = y0s.shape[0]
    nb = (n + _BLOCK - 1) // _BLOCK
    yout = np.empty((n, 6))
    tstop = np.full(n, t_end)
    status = np.zeros(n, dtype=np.int64)
    t_out = np.array([t_end])
    k0 = np.int64(0)
    yes = np.bool_(True)
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        Y = np.empty((6, hi - lo))
        lane = np.empty(hi - lo, dtype=np.int64)
        for i in range(lo, hi):
            for j in range(6):
                Y[j, i - lo] = y0s[i, j]
        _rkn_ensemble_block(Y, 0.0, t_end, p, rtol, atol, max_steps, stop_radius, lane)
        buf = np.empty((1, 6))
        for i in range(lo, hi):
            if lane[i - lo] == _OK:
                for j in range(6):
                    yout[i, j] = Y[j, i - lo]
            else:
                k, t, y, st1 = _rkn_to_times(
                    0.0, y0s[i], t_end, t_out, k0, yes, buf, p, rtol, atol, max_steps, stop_radius
                )
                _copy6(yout[i], y)
                tstop[i] = t
                status[i] = st1
    return yout, tstop, status
