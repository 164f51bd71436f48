r"""DOP853 for a block of independent samples ("ensemble"): the batch engine.

Samples are stored component-major, Y (6, m), so that every loop runs over the samples
with unit stride and LLVM vectorises it; each sample keeps its own time, step size and
accept/reject decision, so its result does not depend on its neighbours. Same tableau,
error norm and step control as :mod:`._dop853` (Hairer et al. 1993, sec. II.5).

Kernels are compiled with ``error_model="numpy"``: a division by zero gives inf or NaN
(caught by the finiteness checks, reported as :class:`PropagationError`) instead of
raising inside compiled code, and the loops over samples vectorise.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..forces import (
    P_DEGREE,
    P_DRAG,
    P_GM_MOON,
    P_GM_SUN,
    P_J2,
    P_J3,
    P_J4,
    P_JD0,
    P_MOON,
    P_MU,
    P_RE,
    P_SUN,
    _apex_of,
    _drag_accel,
    _moon_position,
    _sun_position,
    _third_body,
)
from ._dop853 import (
    _A,
    _B,
    _C,
    _E3,
    _E5,
    _EPS,
    _ERR_EXP,
    _MAX_FACTOR,
    _MIN_FACTOR,
    _NOT_FINITE,
    _OK,
    _REENTRY,
    _SAFETY,
    _STEP_TOO_SMALL,
    _TOO_MANY_STEPS,
    _initial_step,
)


@njit(cache=True, error_model="numpy")
def _rhs_block(T, Y, p, out):
    """Right-hand side of a block of states stored component-major, Y (6, m) at the
    lane times T (m,) -> out: the same function, with the same operations, as
    :func:`qingzhou_sim.forces._rhs_into` for every lane; what depends on t alone
    (bulge apex, Sun, Moon) is computed once when all lanes share one time."""
    m = Y.shape[1]
    mu = p[P_MU]
    re = p[P_RE]
    j2 = p[P_J2]
    j3 = p[P_J3]
    j4 = p[P_J4]
    degree = int(p[P_DEGREE])
    # The zonal acceleration of forces._zonal_accel, written out so that the loop
    # has no call and LLVM vectorises it (same formula, same operation order).
    for i in range(m):
        x = Y[0, i]
        yy = Y[1, i]
        z = Y[2, i]
        r2 = x * x + yy * yy + z * z
        rn = math.sqrt(r2)
        ir = 1.0 / rn
        k0 = -mu * ir * ir * ir
        ax = k0 * x
        ay = k0 * yy
        az = k0 * z
        if degree >= 2:
            s1 = z * ir
            s2 = s1 * s1
            q = re * ir
            base = mu * ir * ir
            qn = q * q
            pn = 1.5 * s2 - 0.5
            dp = 3.0 * s1
            c = base * j2 * qn
            cr = c * (3.0 * pn + s1 * dp)
            cz = c * dp
            if degree >= 3:
                qn = qn * q
                pn = 2.5 * s2 * s1 - 1.5 * s1
                dp = 7.5 * s2 - 1.5
                c = base * j3 * qn
                cr += c * (4.0 * pn + s1 * dp)
                cz += c * dp
            if degree >= 4:
                qn = qn * q
                pn = (35.0 * s2 * s2 - 30.0 * s2 + 3.0) / 8.0
                dp = (35.0 * s2 * s1 - 15.0 * s1) / 2.0
                c = base * j4 * qn
                cr += c * (5.0 * pn + s1 * dp)
                cz += c * dp
            ax += cr * x * ir
            ay += cr * yy * ir
            az += cr * z * ir - cz
        out[0, i] = Y[3, i]
        out[1, i] = Y[4, i]
        out[2, i] = Y[5, i]
        out[3, i] = ax
        out[4, i] = ay
        out[5, i] = az
    same_t = True
    for i in range(1, m):
        if T[i] != T[0]:
            same_t = False
            break
    if p[P_DRAG] != 0.0:
        ebx, eby, ebz = _apex_of(T[0], p)
        for i in range(m):
            if not same_t:
                ebx, eby, ebz = _apex_of(T[i], p)
            dx, dy, dz = _drag_accel(
                Y[0, i], Y[1, i], Y[2, i], Y[3, i], Y[4, i], Y[5, i], p, ebx, eby, ebz
            )
            out[3, i] += dx
            out[4, i] += dy
            out[5, i] += dz
    for body in range(2):
        if p[P_SUN if body == 0 else P_MOON] == 0.0:
            continue
        gm = p[P_GM_SUN] if body == 0 else p[P_GM_MOON]
        sx, sy, sz = _body_position(body, p[P_JD0] + T[0] / 86400.0)
        for i in range(m):
            if not same_t:
                sx, sy, sz = _body_position(body, p[P_JD0] + T[i] / 86400.0)
            bx, by, bz = _third_body(gm, sx, sy, sz, Y[0, i], Y[1, i], Y[2, i])
            out[3, i] += bx
            out[4, i] += by
            out[5, i] += bz


@njit(cache=True, error_model="numpy")
def _body_position(body, jd):
    """Sun (body 0) or Moon (body 1) low-precision position, km."""
    if body == 0:
        return _sun_position(jd)
    return _moon_position(jd)


@njit(cache=True, error_model="numpy")
def _ensemble_block(Y, t0, t1, p, rtol, atol, max_steps, stop_radius, status):
    """DOP853 on a block of independent samples Y (6, m), advanced in place from t0 to t1.

    Every sample (lane) keeps its own time, step size, error estimate and accept/reject
    decision: it follows the same algorithm as :func:`_dop853_to_times`, only the loops
    run over the lanes so that they vectorise. No quantity couples two lanes, so a
    sample's result does not depend on which samples share its block (reproducible on
    one process or many, whatever the chunking). ``status[i]`` gets the lane's status;
    a lane that re-enters or fails stops there and is redone by the caller."""
    m = Y.shape[1]
    for i in range(m):
        status[i] = _OK
    if t1 == t0:
        return
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((13, 6, m))
    Yt = np.empty((6, m))
    Yn = np.empty((6, m))
    T = np.full(m, t0)  # lane times
    Tn = np.empty(m)  # end of the step being attempted
    Ts = np.empty(m)  # stage times
    H = np.empty(m)  # signed step being attempted (0 for finished lanes)
    Habs = np.empty(m)
    rejected = np.zeros(m, dtype=np.bool_)
    active = np.ones(m, dtype=np.bool_)
    nsteps = np.zeros(m, dtype=np.int64)
    e5 = np.empty(m)
    e3 = np.empty(m)
    A5 = np.empty(m)
    A3 = np.empty(m)
    y = np.empty(6)
    f = np.empty(6)
    _rhs_block(T, Y, p, K[0])
    for i in range(m):
        for j in range(6):
            y[j] = Y[j, i]
            f[j] = K[0, j, i]
        Habs[i] = _initial_step(t0, y, f, direction, abs(t1 - t0), p, rtol, atol)
    n_active = m
    while n_active > 0:
        for i in range(m):
            H[i] = 0.0
            Tn[i] = T[i]
            if not active[i]:
                continue
            if Habs[i] < 16.0 * _EPS * max(abs(T[i]), 1.0):
                status[i] = _STEP_TOO_SMALL
                active[i] = False
                n_active -= 1
                continue
            tn = T[i] + Habs[i] * direction
            if direction * (tn - t1) > 0.0:
                tn = t1
            Tn[i] = tn
            H[i] = tn - T[i]
            Habs[i] = abs(H[i])
        if n_active == 0:
            break
        for s in range(1, 13):
            dst = Yt if s < 12 else Yn
            for j in range(6):
                for i in range(m):
                    dst[j, i] = 0.0
            for q in range(s):
                a = _A[s, q] if s < 12 else _B[q]
                if a != 0.0:
                    for j in range(6):
                        for i in range(m):
                            dst[j, i] += a * K[q, j, i]
            for j in range(6):
                for i in range(m):
                    dst[j, i] = Y[j, i] + H[i] * dst[j, i]
            for i in range(m):
                Ts[i] = T[i] + _C[s] * H[i]
            _rhs_block(Ts, dst, p, K[s])
        for i in range(m):
            e5[i] = 0.0
            e3[i] = 0.0
        for j in range(6):
            for i in range(m):
                A5[i] = 0.0
                A3[i] = 0.0
            for q in range(13):
                c5 = _E5[q]
                c3 = _E3[q]
                for i in range(m):
                    A5[i] += c5 * K[q, j, i]
                    A3[i] += c3 * K[q, j, i]
            for i in range(m):
                sc = atol + rtol * max(abs(Y[j, i]), abs(Yn[j, i]))
                e5[i] += (A5[i] / sc) ** 2
                e3[i] += (A3[i] / sc) ** 2
        for i in range(m):
            if not active[i]:
                continue
            err = 0.0
            if e5[i] != 0.0 or e3[i] != 0.0:
                err = Habs[i] * e5[i] / math.sqrt((e5[i] + 0.01 * e3[i]) * 6.0)
            if not math.isfinite(err):
                Habs[i] *= _MIN_FACTOR
                rejected[i] = True
                continue
            if err >= 1.0:
                Habs[i] *= max(_MIN_FACTOR, _SAFETY * err**_ERR_EXP)
                rejected[i] = True
                continue
            factor = _MAX_FACTOR if err == 0.0 else min(_MAX_FACTOR, _SAFETY * err**_ERR_EXP)
            if rejected[i]:
                factor = min(1.0, factor)
            Habs[i] *= factor
            rejected[i] = False
            T[i] = Tn[i]
            for j in range(6):
                Y[j, i] = Yn[j, i]
                K[0, j, i] = K[12, j, i]
            nsteps[i] += 1
            finite = True
            for j in range(6):
                if not math.isfinite(Y[j, i]):
                    finite = False
            rr = math.sqrt(Y[0, i] ** 2 + Y[1, i] ** 2 + Y[2, i] ** 2)
            if not finite:
                status[i] = _NOT_FINITE
            elif stop_radius > 0.0 and rr < stop_radius:
                status[i] = _REENTRY
            elif direction * (t1 - T[i]) <= 0.0:
                status[i] = _OK
            elif nsteps[i] >= max_steps:
                status[i] = _TOO_MANY_STEPS
            else:
                continue
            active[i] = False
            n_active -= 1
