r"""DOP853 kernels: Hairer's tableau, steps, dense output, arcs.

Plain float64 arrays in km, km/s and s; no astropy objects. Every kernel is compiled
with ``cache=True`` so a new interpreter loads them from numba's on-disk cache.

Kernels are compiled with ``error_model="numpy"``: a division by zero gives inf or NaN
(caught by the finiteness checks, reported as :class:`PropagationError`) instead of
raising inside compiled code, and the loops over samples vectorise.

References
----------
Hairer, E., Norsett, S. P. & Wanner, G. (1993), *Solving Ordinary Differential Equations
I*, 2nd ed., sec. II.5 (DOP853, dense output of order 7) and II.4 (initial step size).
The coefficients below are those of Hairer's ``dop853.f`` as distributed with SciPy
(``scipy/integrate/_ivp/dop853_coefficients.py``, BSD licence).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..forces import (
    _rhs_into,
)
from ._stepsize import _MAX_REJECTS, _control, _min_step, _step_end

METHODS = ("dop853", "kepler", "rk4")
_METHOD_CODE = {"dop853": 0, "rk4": 1, "kepler": 2}
# Altitude (above the equatorial radius) below which a propagation always stops with a
# terminal "reentry" event: the 100 km Karman line; below it the drag models of this
# module are no longer meant to be used.
REENTRY_ALTITUDE_KM = 100.0

# Status codes returned by the kernels.
_OK, _REENTRY, _STEP_TOO_SMALL, _TOO_MANY_STEPS, _NOT_FINITE = 0, 1, 2, 3, 4
_STATUS_TEXT = {
    _STEP_TOO_SMALL: "step size fell below the round-off limit",
    _TOO_MANY_STEPS: "maximum number of steps exceeded",
    _NOT_FINITE: "the state became NaN or infinite",
}

# --------------------------------------------------------------------------- DOP853 tableau
# fmt: off
_C = np.array([
    0.0, 0.05260015195876773, 0.0789002279381516, 0.1183503419072274, 0.2816496580927726,
    0.3333333333333333, 0.25, 0.3076923076923077, 0.6512820512820513, 0.6, 0.8571428571428571,
    1.0, 1.0, 0.1, 0.2, 0.7777777777777778
])
_A = np.zeros((16, 16))
_A[1, :1] = [
    0.05260015195876773
]
_A[2, :2] = [
    0.0197250569845379, 0.0591751709536137
]
_A[3, :3] = [
    0.02958758547680685, 0.0, 0.08876275643042054
]
_A[4, :4] = [
    0.2413651341592667, 0.0, -0.8845494793282861, 0.924834003261792
]
_A[5, :5] = [
    0.037037037037037035, 0.0, 0.0, 0.17082860872947386, 0.12546768756682242
]
_A[6, :6] = [
    0.037109375, 0.0, 0.0, 0.17025221101954405, 0.06021653898045596, -0.017578125
]
_A[7, :7] = [
    0.03709200011850479, 0.0, 0.0, 0.17038392571223998, 0.10726203044637328,
    -0.015319437748624402, 0.008273789163814023
]
_A[8, :8] = [
    0.6241109587160757, 0.0, 0.0, -3.3608926294469414, -0.868219346841726, 27.59209969944671,
    20.154067550477894, -43.48988418106996
]
_A[9, :9] = [
    0.47766253643826434, 0.0, 0.0, -2.4881146199716677, -0.590290826836843, 21.230051448181193,
    15.279233632882423, -33.28821096898486, -0.020331201708508627
]
_A[10, :10] = [
    -0.9371424300859873, 0.0, 0.0, 5.186372428844064, 1.0914373489967295, -8.149787010746927,
    -18.52006565999696, 22.739487099350505, 2.4936055526796523, -3.0467644718982196
]
_A[11, :11] = [
    2.273310147516538, 0.0, 0.0, -10.53449546673725, -2.0008720582248625, -17.9589318631188,
    27.94888452941996, -2.8589982771350235, -8.87285693353063, 12.360567175794303,
    0.6433927460157636
]
_A[12, :12] = [
    0.054293734116568765, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,
    -5.801203960010585, 0.3111643669578199, -0.1521609496625161, 0.20136540080403034,
    0.04471061572777259
]
_A[13, :13] = [
    0.056167502283047954, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25350021021662483, -0.2462390374708025,
    -0.12419142326381637, 0.15329179827876568, 0.00820105229563469, 0.007567897660545699,
    -0.008298
]
_A[14, :14] = [
    0.03183464816350214, 0.0, 0.0, 0.0, 0.0, 0.028300909672366776, 0.053541988307438566,
    -0.05492374857139099, 0.0, 0.0, -0.00010834732869724932, 0.0003825710908356584,
    -0.00034046500868740456, 0.1413124436746325
]
_A[15, :15] = [
    -0.42889630158379194, 0.0, 0.0, 0.0, 0.0, -4.697621415361164, 7.683421196062599,
    4.06898981839711, 0.3567271874552811, 0.0, 0.0, 0.0, -0.0013990241651590145,
    2.9475147891527724, -9.15095847217987
]
_E3 = np.array([
    -0.18980075407240762, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,
    -5.801203960010585, -0.4226823213237919, -0.1521609496625161, 0.20136540080403034,
    0.02265179219836082, 0.0
])
_E5 = np.array([
    0.01312004499419488, 0.0, 0.0, 0.0, 0.0, -1.2251564463762044, -0.4957589496572502,
    1.6643771824549864, -0.35032884874997366, 0.3341791187130175, 0.08192320648511571,
    -0.022355307863886294, 0.0
])
_D = np.zeros((4, 16))
_D[0] = [
    -8.428938276109013, 0.0, 0.0, 0.0, 0.0, 0.5667149535193777, -3.0689499459498917,
    2.38466765651207, 2.117034582445028, -0.871391583777973, 2.2404374302607883,
    0.6315787787694688, -0.08899033645133331, 18.148505520854727, -9.194632392478356,
    -4.436036387594894
]
_D[1] = [
    10.427508642579134, 0.0, 0.0, 0.0, 0.0, 242.28349177525817, 165.20045171727028,
    -374.5467547226902, -22.113666853125306, 7.733432668472264, -30.674084731089398,
    -9.332130526430229, 15.697238121770845, -31.139403219565178, -9.35292435884448,
    35.81684148639408
]
_D[2] = [
    19.985053242002433, 0.0, 0.0, 0.0, 0.0, -387.0373087493518, -189.17813819516758,
    527.8081592054236, -11.57390253995963, 6.8812326946963, -1.0006050966910838,
    0.7777137798053443, -2.778205752353508, -60.19669523126412, 84.32040550667716,
    11.99229113618279
]
_D[3] = [
    -25.69393346270375, 0.0, 0.0, 0.0, 0.0, -154.18974869023643, -231.5293791760455,
    357.6391179106141, 93.40532418362432, -37.45832313645163, 104.0996495089623,
    29.8402934266605, -43.53345659001114, 96.32455395918828, -39.17726167561544,
    -149.72683625798564
]
# fmt: on
_B = _A[12, :12].copy()
_ERR_EXP = -1.0 / 8.0  # error estimator of order 7 (Hairer et al. 1993, eq. II.4.13)


# --------------------------------------------------------------------------- DOP853 kernels
# Helpers called only from compiled code: numba builds no Python or C-callable wrapper
# for them (less code to compile on a first run).
_internal = njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)


@_internal
def _rk_stages(t, y, f, h, p, K, ytmp, ynew):
    """One DOP853 step of size h: stages K[0..12] (K[12] = f(t+h, ynew)), ynew."""
    for j in range(6):
        K[0, j] = f[j]
    # Stage 12 is the 8th-order solution itself (_A[12] = _B, _C[12] = 1): one loop,
    # one call site of the force kernel, which keeps the compiled code (and the
    # first-run compilation) small.
    for s in range(1, 13):
        dst = ytmp if s < 12 else ynew
        for j in range(6):
            acc = 0.0
            for m in range(s):
                acc += _A[s, m] * K[m, j]
            dst[j] = y[j] + h * acc
        _rhs_into(t + _C[s] * h, dst, p, K[s])


@_internal
def _error_norm(K, h, y, ynew, rtol, atol):
    """Hairer's combined 5th/3rd-order error norm of DOP853 (dop853.f, SciPy's DOP853)."""
    e5 = 0.0
    e3 = 0.0
    for j in range(6):
        ay, an = abs(y[j]), abs(ynew[j])
        sc = atol + rtol * (an if an > ay else ay)  # max(ay, an) as numba's builtin
        a5 = 0.0
        a3 = 0.0
        for m in range(13):
            a5 += _E5[m] * K[m, j]
            a3 += _E3[m] * K[m, j]
        e5 += (a5 / sc) ** 2
        e3 += (a3 / sc) ** 2
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    return abs(h) * e5 / math.sqrt((e5 + 0.01 * e3) * 6.0)


@_internal
def _dense_coeffs(t, y, ynew, h, p, K, ytmp, F):
    """Coefficients F (7, 6) of the 7th-order continuous extension of the last step
    (three extra stages; Hairer et al. 1993, sec. II.6, dop853.f ``CONTD8``)."""
    for s in range(13, 16):
        for j in range(6):
            acc = 0.0
            for m in range(s):
                acc += _A[s, m] * K[m, j]
            ytmp[j] = y[j] + h * acc
        _rhs_into(t + _C[s] * h, ytmp, p, K[s])
    for j in range(6):
        dy = ynew[j] - y[j]
        F[0, j] = dy
        F[1, j] = h * K[0, j] - dy
        F[2, j] = 2.0 * dy - h * (K[12, j] + K[0, j])
        for r in range(4):
            acc = 0.0
            for m in range(16):
                acc += _D[r, m] * K[m, j]
            F[3 + r, j] = h * acc


@_internal
def _dense_eval(F, y_old, x, out):
    """Evaluate the continuous extension at x = (t - t_old) / h in [0, 1]."""
    for j in range(6):
        v = 0.0
        for i in range(7):
            v += F[6 - i, j]
            if i % 2 == 0:
                v *= x
            else:
                v *= 1.0 - x
        out[j] = v + y_old[j]


@_internal
def _initial_step(t0, y0, f0, direction, span, p, rtol, atol):
    """Starting step size (Hairer et al. 1993, sec. II.4, p. 169)."""
    d0 = 0.0
    d1 = 0.0
    for j in range(6):
        sc = atol + abs(y0[j]) * rtol
        d0 += (y0[j] / sc) ** 2
        d1 += (f0[j] / sc) ** 2
    d0 = math.sqrt(d0 / 6.0)
    d1 = math.sqrt(d1 / 6.0)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    # min and max as numba's builtins evaluate them (its overloads cost compile time)
    h0 = span if span < h0 else h0
    y1 = np.empty(6)
    for j in range(6):
        y1[j] = y0[j] + h0 * direction * f0[j]
    f1 = np.empty(6)
    _rhs_into(t0 + h0 * direction, y1, p, f1)
    d2 = 0.0
    for j in range(6):
        sc = atol + abs(y0[j]) * rtol
        d2 += ((f1[j] - f0[j]) / sc) ** 2
    d2 = math.sqrt(d2 / 6.0) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = h0 * 1e-3 if h0 * 1e-3 > 1e-6 else 1e-6
    else:
        h1 = (0.01 / (d2 if d2 > d1 else d1)) ** (1.0 / 8.0)
    h = h1 if h1 < 100.0 * h0 else 100.0 * h0
    return span if span < h else h


@_internal
def _copy6(dst, src):
    """dst[:6] = src[:6] as a loop: a slice assignment compiles numba's shape-mismatch
    error path (about 2 s of first-run compilation per kernel)."""
    for j in range(6):
        dst[j] = src[j]


@_internal
def _finite6(y):
    for j in range(6):
        if not math.isfinite(y[j]):
            return False
    return True


@_internal
def _radius(y):
    return math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])


@_internal
def _advance(t, y, f, h_abs, t1, direction, p, rtol, atol, K, ytmp, ynew):
    """Attempt steps from (t, y) toward t1 until one is accepted.

    Returns (t_new, h_used, h_abs_next, status); the accepted state is in ``ynew`` and
    K holds its stages (K[12] = f(t_new, ynew))."""
    min_step = _min_step(t)
    rejected = False
    for _ in range(_MAX_REJECTS):
        # "not >=" also stops a NaN step size (NaN or infinite force parameters),
        # which would otherwise be rejected forever.
        if not h_abs >= min_step:
            return t, 0.0, h_abs, _STEP_TOO_SMALL
        t_new = _step_end(t, h_abs, direction, t1)
        h = t_new - t
        h_abs = abs(h)
        _rk_stages(t, y, f, h, p, K, ytmp, ynew)
        err = _error_norm(K, h, y, ynew, rtol, atol)
        accepted, h_abs = _control(err, h_abs, rejected, _ERR_EXP)
        if accepted:
            return t_new, h, h_abs, _OK
        rejected = True
    return t, 0.0, h_abs, _TOO_MANY_STEPS


@_internal
def _locate_radius(F, y_old, t_old, h, stop_radius, out):
    """Bisection on the dense output for |r| = stop_radius inside a step whose start is
    above and end below; returns the crossing time, state in ``out``."""
    lo = 0.0
    hi = 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        _dense_eval(F, y_old, mid, out)
        if _radius(out) > stop_radius:
            lo = mid
        else:
            hi = mid
    _dense_eval(F, y_old, hi, out)
    return t_old + hi * h


@_internal
def _copy_stages(K, dst):
    """dst (13, 6) = the stages K[0..12] of an accepted step."""
    for s in range(13):
        for j in range(6):
            dst[s, j] = K[s, j]


@njit(cache=True, error_model="numpy")
def _dense_from_stages(ts, ys, Ks, p):
    """Dense-output coefficients Fs (m, 7, 6) of the steps of an arc from their stages
    (:func:`_dop853_arc`): the same operations as computing them step by step."""
    m = Ks.shape[0]
    Fs = np.empty((m, 7, 6))
    K = np.empty((16, 6))
    ytmp = np.empty(6)
    for n in range(m):
        for s in range(13):
            for j in range(6):
                K[s, j] = Ks[n, s, j]
        _dense_coeffs(ts[n], ys[n], ys[n + 1], ts[n + 1] - ts[n], p, K, ytmp, Fs[n])
    return Fs


@njit(cache=True, error_model="numpy", inline="always")
def _next_impulse(imp_t, i, t0, t1, direction):
    """Index of the first impulse from ``i`` on inside the span: t0 <= t <= t1 forward,
    t1 <= t < t0 backward (``imp_t`` in the order of integration); imp_t.size if none."""
    while i < imp_t.shape[0]:
        tb = imp_t[i]
        if (t0 <= tb <= t1) if direction > 0.0 else (t1 <= tb < t0):
            return i
        i += 1
    return i


@njit(cache=True, error_model="numpy")
def _dop853_run(
    t0, y0, t1, t_out, k0, inclusive, out, imp_t, imp_dv, p, rtol, atol, max_steps, stop_radius,
    store,
):  # fmt: skip
    """The DOP853 driver: integrate from t0 to t1, adding the inertial impulses ``imp_dv``
    (k, 3) at ``imp_t`` inside the span (see :func:`_next_impulse`; backward: subtracted);
    write the dense-output state at each t_out[k] (k >= k0, sorted in the direction of
    integration) reached before t1 (or at t1 when ``inclusive``) into out[k]. Outputs at
    an impulse time are post-impulse. Each coast between impulses starts afresh (its
    own initial step and step count, ``max_steps``).

    With ``store`` (an arc without impulses) it also keeps every accepted step and its 13
    stages, from which :func:`_dense_from_stages` makes the dense output when it is first
    needed (its three extra stages per step are a quarter of the integration's cost); on
    re-entry (|r| falls below ``stop_radius``) the last step is then redone to end exactly
    at the crossing (located by bisection on the dense output).

    One compiled function for every DOP853 use (propagation with impulses, arcs, batches),
    so that a first run compiles it once. Returns (k_next, t_end, y_end, status, ts (m+1,),
    ys (m+1, 6), Ks (m, 13, 6)); the last three are empty without ``store``.
    """
    y = y0.copy()
    k = k0
    nout = t_out.shape[0]
    cap = 64 if store else 0
    ts = np.empty(cap)
    ys = np.empty((cap, 6))
    Ks = np.empty((cap, 13, 6))
    n = np.int64(0)  # (not the literal 0: _grown would compile twice)
    if store:
        ts[0] = t0
        _copy6(ys[0], y0)
    K = np.empty((16, 6))
    F = np.empty((7, 6))
    ytmp = np.empty(6)
    ynew = np.empty(6)
    f = np.empty(6)
    span_dir = 1.0 if t1 >= t0 else -1.0
    i = _next_impulse(imp_t, 0, t0, t1, span_dir)
    t = t0
    st = _OK
    while True:
        # ---- one coast, from t to the next impulse (or t1)
        t_stop = imp_t[i] if i < imp_t.shape[0] else t1
        incl = inclusive if i >= imp_t.shape[0] else span_dir < 0.0
        if t_stop == t:
            while k < nout and incl and t_out[k] == t:
                _copy6(out[k], y)
                k += 1
        else:
            direction = 1.0 if t_stop > t else -1.0
            _rhs_into(t, y, p, f)
            # outputs exactly at the start
            while k < nout and t_out[k] == t:
                _copy6(out[k], y)
                k += 1
            h_abs = _initial_step(t, y, f, direction, abs(t_stop - t), p, rtol, atol)
            nsteps = 0
            while direction * (t_stop - t) > 0.0:
                if nsteps >= max_steps:
                    st = _TOO_MANY_STEPS
                    break
                t_new, h, h_abs, st = _advance(
                    t, y, f, h_abs, t_stop, direction, p, rtol, atol, K, ytmp, ynew
                )
                if st != _OK:
                    break
                nsteps += 1
                if store and n + 1 >= ts.shape[0]:
                    ts, ys, Ks = _grown(ts, ys, Ks, n)
                if not _finite6(ynew):
                    st = _NOT_FINITE
                    break
                if stop_radius > 0.0 and _radius(ynew) < stop_radius:
                    _dense_coeffs(t, y, ynew, h, p, K, ytmp, F)
                    tc = _locate_radius(F, y, t, h, stop_radius, ytmp)
                    while k < nout and direction * (t_out[k] - tc) <= 0.0:
                        _dense_eval(F, y, (t_out[k] - t) / h, out[k])
                        k += 1
                    if store:
                        # end the arc at the crossing: redo the step with the shorter h
                        # so that the stored stages span exactly [t, t_crossing]
                        h = tc - t
                        _rk_stages(t, y, f, h, p, K, ytmp, ynew)
                        _copy_stages(K, Ks[n])
                        n += 1
                        ts[n] = t + h
                        _copy6(ys[n], ynew)
                        tc = t + h
                        _copy6(ytmp, ynew)
                    t = tc
                    _copy6(y, ytmp)
                    st = _REENTRY
                    break
                if store:
                    _copy_stages(K, Ks[n])
                    ts[n + 1] = t_new
                    _copy6(ys[n + 1], ynew)
                    n += 1
                have_dense = False
                while k < nout:
                    dt_end = direction * (t_out[k] - t_new)
                    if dt_end < 0.0:
                        if not have_dense:
                            _dense_coeffs(t, y, ynew, h, p, K, ytmp, F)
                            have_dense = True
                        _dense_eval(F, y, (t_out[k] - t) / h, out[k])
                        k += 1
                    elif dt_end == 0.0 and (incl or t_new != t_stop):
                        _copy6(out[k], ynew)
                        k += 1
                    else:
                        break
                t = t_new
                for j in range(6):
                    y[j] = ynew[j]
                    f[j] = K[12, j]
        # ---- the impulse that ends the coast
        if st != _OK or i >= imp_t.shape[0]:
            break
        for j in range(3):
            y[3 + j] += span_dir * imp_dv[i, j]
        i = _next_impulse(imp_t, i + 1, t0, t1, span_dir)
    return k, t, y, st, ts[: n + 1 if store else 0], ys[: n + 1 if store else 0], Ks[:n]


@_internal
def _grown(ts, ys, Ks, n):
    """The step store of :func:`_dop853_run` with twice the room, its n + 1 steps copied
    (loops, not slice assignments: numba's broadcasting error path costs ~4 s to compile)."""
    cap = 2 * ts.shape[0]
    ts2 = np.empty(cap)
    ys2 = np.empty((cap, 6))
    Ks2 = np.empty((cap, 13, 6))
    for i in range(n + 1):
        ts2[i] = ts[i]
        _copy6(ys2[i], ys[i])
    for i in range(n):
        _copy_stages(Ks[i], Ks2[i])
    return ts2, ys2, Ks2


# The empty inputs of :func:`_dop853_arc` (no impulses, no output times; writeable, as
# numba types read-only arrays apart: they would compile the driver a second time).
_NO_T = np.zeros(0)
_NO_DV = np.zeros((0, 3))
_NO_OUT = np.zeros((0, 6))


def _dop853_arc(t0, y0, t1, p, rtol, atol, max_steps, stop_radius):
    """Integrate from t0 to t1 storing every accepted step and its 13 stages
    (:func:`_dop853_run` with ``store``, no impulses, no output times).

    Returns (ts (m+1,), ys (m+1, 6), Ks (m, 13, 6), status). On re-entry the last step
    ends exactly at the crossing and the status is 1 (``_REENTRY``).
    """
    _, _, _, st, ts, ys, Ks = _dop853_run(
        t0, y0, t1, _NO_T, 0, True, _NO_OUT, _NO_T, _NO_DV, p, rtol, atol, max_steps,
        stop_radius, True,
    )  # fmt: skip
    return ts, ys, Ks, st
