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
    _pole_at,
    _sun_position,
    _third_body,
    _zonal_accel,
)
from ._dop853 import (
    _C,
    _ERR_EXP,
    _NOT_FINITE,
    _OK,
    _REENTRY,
    _STEP_TOO_SMALL,
    _TOO_MANY_STEPS,
    _initial_step,
)
from ._stepsize import _MAX_REJECTS, _control, _inlined, _min_step, _step_end


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
    # One force kernel: the same _zonal_accel as the single-state path. The degree is
    # passed as a constant, one loop per degree, so that LLVM drops the degree tests
    # from the loop and vectorises it (7x faster than with the degree a variable).
    if degree == 0:
        _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, 0)
    elif degree == 2:
        _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, 2)
    elif degree == 3:
        _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, 3)
    elif degree == 4:
        _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, 4)
    else:
        _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, degree)
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
            px, py, pz = _pole_at(T[i], p)
            dx, dy, dz = _drag_accel(
                Y[0, i], Y[1, i], Y[2, i], Y[3, i], Y[4, i], Y[5, i], p, ebx, eby, ebz, px, py, pz
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


@njit(cache=True, error_model="numpy", inline="always")
def _zonal_lanes(T, Y, p, out, mu, re, j2, j3, j4, degree):
    """out = (v, point mass + zonal acceleration) of every lane (inlined where called,
    so that a constant ``degree`` reaches the loop)."""
    for i in range(Y.shape[1]):
        px, py, pz = _pole_at(T[i], p)
        ax, ay, az = _zonal_accel(mu, re, j2, j3, j4, degree, px, py, pz, Y[0, i], Y[1, i], Y[2, i])
        out[0, i] = Y[3, i]
        out[1, i] = Y[4, i]
        out[2, i] = Y[5, i]
        out[3, i] = ax
        out[4, i] = ay
        out[5, i] = az


@njit(cache=True, error_model="numpy")
def _body_position(body, jd):
    """Sun (body 0) or Moon (body 1) low-precision position, km."""
    if body == 0:
        return _sun_position(jd)
    return _moon_position(jd)


@njit(cache=True, error_model="numpy")
def _stage_input(s, Y, H, K, dst):
    """dst = Y + H * sum_q a[s, q] K[q] for stage s (s = 12: the 8th-order solution),
    one pass per stage with the tableau's non-zero coefficients written out (generated
    from _dop853._A and _B; same summation order as the scalar kernel, so the result is
    bit-identical)."""
    m = Y.shape[1]
    if s == 1:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (0.05260015195876773 * K[0, j, i])
    elif s == 2:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.0197250569845379 * K[0, j, i] + 0.0591751709536137 * K[1, j, i]
                )
    elif s == 3:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.02958758547680685 * K[0, j, i] + 0.08876275643042054 * K[2, j, i]
                )
    elif s == 4:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.2413651341592667 * K[0, j, i]
                    + -0.8845494793282861 * K[2, j, i]
                    + 0.924834003261792 * K[3, j, i]
                )
    elif s == 5:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.037037037037037035 * K[0, j, i]
                    + 0.17082860872947386 * K[3, j, i]
                    + 0.12546768756682242 * K[4, j, i]
                )
    elif s == 6:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.037109375 * K[0, j, i]
                    + 0.17025221101954405 * K[3, j, i]
                    + 0.06021653898045596 * K[4, j, i]
                    + -0.017578125 * K[5, j, i]
                )
    elif s == 7:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.03709200011850479 * K[0, j, i]
                    + 0.17038392571223998 * K[3, j, i]
                    + 0.10726203044637328 * K[4, j, i]
                    + -0.015319437748624402 * K[5, j, i]
                    + 0.008273789163814023 * K[6, j, i]
                )
    elif s == 8:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.6241109587160757 * K[0, j, i]
                    + -3.3608926294469414 * K[3, j, i]
                    + -0.868219346841726 * K[4, j, i]
                    + 27.59209969944671 * K[5, j, i]
                    + 20.154067550477894 * K[6, j, i]
                    + -43.48988418106996 * K[7, j, i]
                )
    elif s == 9:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.47766253643826434 * K[0, j, i]
                    + -2.4881146199716677 * K[3, j, i]
                    + -0.590290826836843 * K[4, j, i]
                    + 21.230051448181193 * K[5, j, i]
                    + 15.279233632882423 * K[6, j, i]
                    + -33.28821096898486 * K[7, j, i]
                    + -0.020331201708508627 * K[8, j, i]
                )
    elif s == 10:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    -0.9371424300859873 * K[0, j, i]
                    + 5.186372428844064 * K[3, j, i]
                    + 1.0914373489967295 * K[4, j, i]
                    + -8.149787010746927 * K[5, j, i]
                    + -18.52006565999696 * K[6, j, i]
                    + 22.739487099350505 * K[7, j, i]
                    + 2.4936055526796523 * K[8, j, i]
                    + -3.0467644718982196 * K[9, j, i]
                )
    elif s == 11:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    2.273310147516538 * K[0, j, i]
                    + -10.53449546673725 * K[3, j, i]
                    + -2.0008720582248625 * K[4, j, i]
                    + -17.9589318631188 * K[5, j, i]
                    + 27.94888452941996 * K[6, j, i]
                    + -2.8589982771350235 * K[7, j, i]
                    + -8.87285693353063 * K[8, j, i]
                    + 12.360567175794303 * K[9, j, i]
                    + 0.6433927460157636 * K[10, j, i]
                )
    elif s == 12:
        for j in range(6):
            for i in range(m):
                dst[j, i] = Y[j, i] + H[i] * (
                    0.054293734116568765 * K[0, j, i]
                    + 4.450312892752409 * K[5, j, i]
                    + 1.8915178993145003 * K[6, j, i]
                    + -5.801203960010585 * K[7, j, i]
                    + 0.3111643669578199 * K[8, j, i]
                    + -0.1521609496625161 * K[9, j, i]
                    + 0.20136540080403034 * K[10, j, i]
                    + 0.04471061572777259 * K[11, j, i]
                )


@njit(cache=True, error_model="numpy")
def _error_sums(Y, Yn, K, rtol, atol, e5, e3):
    """Per-lane sums of squared scaled 5th- and 3rd-order error estimates (Hairer's
    DOP853 norm), one pass with the non-zero weights of _dop853._E5 and _E3 written out
    (same summation order as the scalar kernel)."""
    m = Y.shape[1]
    for i in range(m):
        e5[i] = 0.0
        e3[i] = 0.0
    for j in range(6):
        for i in range(m):
            a5 = (
                0.01312004499419488 * K[0, j, i]
                + -1.2251564463762044 * K[5, j, i]
                + -0.4957589496572502 * K[6, j, i]
                + 1.6643771824549864 * K[7, j, i]
                + -0.35032884874997366 * K[8, j, i]
                + 0.3341791187130175 * K[9, j, i]
                + 0.08192320648511571 * K[10, j, i]
                + -0.022355307863886294 * K[11, j, i]
            )
            a3 = (
                -0.18980075407240762 * K[0, j, i]
                + 4.450312892752409 * K[5, j, i]
                + 1.8915178993145003 * K[6, j, i]
                + -5.801203960010585 * K[7, j, i]
                + -0.4226823213237919 * K[8, j, i]
                + -0.1521609496625161 * K[9, j, i]
                + 0.20136540080403034 * K[10, j, i]
                + 0.02265179219836082 * K[11, j, i]
            )
            sc = atol + rtol * max(abs(Y[j, i]), abs(Yn[j, i]))
            e5[i] += (a5 / sc) ** 2
            e3[i] += (a3 / sc) ** 2


@njit(cache=True, error_model="numpy")
def _propose_steps(T, Habs, nrej, direction, t1, active, status, Tn, H):
    """The next attempt of every active lane: its end Tn (clipped at t1) and signed step
    H (0 for the other lanes). A lane whose step fell below the round-off limit ("not
    >=" also stops a NaN step size) or that was rejected _MAX_REJECTS times in a row
    stops with _STEP_TOO_SMALL, so that no input makes the loop run forever. Returns
    the number of lanes stopped."""
    stopped = 0
    for i in range(T.shape[0]):
        H[i] = 0.0
        Tn[i] = T[i]
        if not active[i]:
            continue
        if not Habs[i] >= _min_step(T[i]) or nrej[i] >= _MAX_REJECTS:
            status[i] = _STEP_TOO_SMALL
            active[i] = False
            stopped += 1
            continue
        Tn[i] = _step_end(T[i], Habs[i], direction, t1)
        H[i] = Tn[i] - T[i]
        Habs[i] = abs(H[i])
    return stopped


@_inlined
def _lane_control(i, err, err_exp, Habs, rejected, nrej, Tn, T, nsteps):
    """Step control of lane i with scaled error norm ``err``: next step size, rejection
    counts and, when the step is accepted, the lane's time and step count (the caller
    copies the state). Returns whether the step is accepted."""
    accepted, h_next = _control(err, Habs[i], rejected[i], err_exp)
    Habs[i] = h_next
    rejected[i] = not accepted
    if not accepted:
        nrej[i] += 1
        return False
    nrej[i] = 0
    T[i] = Tn[i]
    nsteps[i] += 1
    return True


@_inlined
def _lane_finished(Y, i, t1, direction, T, nsteps, max_steps, stop_radius, active, status):
    """After an accepted step of lane i of Y (6, m): whether it stops there (not finite,
    re-entered below stop_radius, at t1, or out of steps); if so its status is set and
    it is made inactive. Returns 1 if it stopped, else 0."""
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
        return 0
    active[i] = False
    return 1


@njit(cache=True, error_model="numpy")
def _ensemble_block(Y, t0, t1, p, rtol, atol, max_steps, stop_radius, status):
    """DOP853 on a block of independent samples Y (6, m), advanced in place from t0 to t1.

    Every sample (lane) keeps its own time, step size, error estimate and accept/reject
    decision: it follows the same algorithm as :func:`._dop853._dop853_run`, only the loops
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
    nrej = np.zeros(m, dtype=np.int64)
    e5 = np.empty(m)
    e3 = np.empty(m)
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
        n_active -= _propose_steps(T, Habs, nrej, direction, t1, active, status, Tn, H)
        if n_active == 0:
            break
        for s in range(1, 13):
            dst = Yt if s < 12 else Yn
            _stage_input(s, Y, H, K, dst)
            for i in range(m):
                Ts[i] = T[i] + _C[s] * H[i]
            _rhs_block(Ts, dst, p, K[s])
        _error_sums(Y, Yn, K, rtol, atol, e5, e3)
        for i in range(m):
            if not active[i]:
                continue
            err = 0.0
            if e5[i] != 0.0 or e3[i] != 0.0:
                err = Habs[i] * e5[i] / math.sqrt((e5[i] + 0.01 * e3[i]) * 6.0)
            if not _lane_control(i, err, _ERR_EXP, Habs, rejected, nrej, Tn, T, nsteps):
                continue
            for j in range(6):
                Y[j, i] = Yn[j, i]
                K[0, j, i] = K[12, j, i]
            n_active -= _lane_finished(
                Y, i, t1, direction, T, nsteps, max_steps, stop_radius, active, status
            )
