r"""Orbit propagation: compiled DOP853 with dense output, analytic Kepler, fixed-step RK4;
burns at exact epochs, events located on the dense output, batch propagation.

Layers
------
Kernels (numba, ``cache=True``) integrate plain float64 states ``y = [r (km), v (km/s)]``
in seconds since the initial epoch; the whole integration of an arc runs in one compiled
call that returns the accepted steps and, for DOP853, the coefficients of Hairer's
7th-order continuous extension. :class:`Propagator` and :class:`Trajectory` are the
unit-carrying public layer.

References
----------
Hairer, E., Norsett, S. P. & Wanner, G. (1993), *Solving Ordinary Differential Equations
I*, 2nd ed., sec. II.5 (DOP853, dense output of order 7) and II.4 (initial step size).
The coefficients below are those of Hairer's ``dop853.f`` as distributed with SciPy
(``scipy/integrate/_ivp/dop853_coefficients.py``, BSD licence).
Curtis, H. D. (2014), *Orbital Mechanics for Engineering Students*, 3rd ed.,
Algorithm 3.4 (universal-variable Kepler problem); Vallado (2013), Algorithm 8.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta
from numba import njit, prange

from .constants import EARTH, EarthModel, as_duration_s, as_time, check_finite
from .errors import EpochOrderError, InputError, PropagationError, UnknownNameError
from .forces import (
    P_DEGREE,
    P_DRAG,
    P_J2,
    P_J3,
    P_J4,
    P_MOON,
    P_MU,
    P_RE,
    P_SUN,
    ForceModel,
    _rhs_into,
    _zonal_accel,
    zonal_potential,
)
from .maneuvers import Burn, _dv_to_inertial
from .state import State, StateBatch

__all__ = [
    "METHODS",
    "REENTRY_ALTITUDE_KM",
    "Event",
    "EventRecord",
    "Propagator",
    "Trajectory",
    "altitude_event",
    "apsis_event",
    "arglat_event",
    "node_event",
    "propagate_batch",
    "specific_energy",
    "zonal_jacobi_integral",
]

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
_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 10.0
_ERR_EXP = -1.0 / 8.0  # error estimator of order 7 (Hairer et al. 1993, eq. II.4.13)
_EPS = 2.220446049250313e-16


# --------------------------------------------------------------------------- DOP853 kernels
@njit(cache=True)
def _rk_stages(t, y, f, h, p, K, ytmp, ynew):
    """One DOP853 step of size h: stages K[0..12] (K[12] = f(t+h, ynew)), ynew."""
    for j in range(6):
        K[0, j] = f[j]
    for s in range(1, 12):
        for j in range(6):
            acc = 0.0
            for m in range(s):
                acc += _A[s, m] * K[m, j]
            ytmp[j] = y[j] + h * acc
        _rhs_into(t + _C[s] * h, ytmp, p, K[s])
    for j in range(6):
        acc = 0.0
        for m in range(12):
            acc += _B[m] * K[m, j]
        ynew[j] = y[j] + h * acc
    _rhs_into(t + h, ynew, p, K[12])


@njit(cache=True)
def _error_norm(K, h, y, ynew, rtol, atol):
    """Hairer's combined 5th/3rd-order error norm of DOP853 (dop853.f, SciPy's DOP853)."""
    e5 = 0.0
    e3 = 0.0
    for j in range(6):
        sc = atol + rtol * max(abs(y[j]), abs(ynew[j]))
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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
    h0 = min(h0, span)
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
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 8.0)
    return min(100.0 * h0, h1, span)


@njit(cache=True)
def _finite6(y):
    for j in range(6):
        if not math.isfinite(y[j]):
            return False
    return True


@njit(cache=True)
def _radius(y):
    return math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])


@njit(cache=True)
def _advance(t, y, f, h_abs, t1, direction, p, rtol, atol, K, ytmp, ynew):
    """Attempt steps from (t, y) toward t1 until one is accepted.

    Returns (t_new, h_used, h_abs_next, status); the accepted state is in ``ynew`` and
    K holds its stages (K[12] = f(t_new, ynew))."""
    min_step = 16.0 * _EPS * max(abs(t), 1.0)
    rejected = False
    while True:
        if h_abs < min_step:
            return t, 0.0, h_abs, _STEP_TOO_SMALL
        t_new = t + h_abs * direction
        if direction * (t_new - t1) > 0.0:
            t_new = t1
        h = t_new - t
        h_abs = abs(h)
        _rk_stages(t, y, f, h, p, K, ytmp, ynew)
        err = _error_norm(K, h, y, ynew, rtol, atol)
        if not math.isfinite(err):
            h_abs *= _MIN_FACTOR
            rejected = True
            continue
        if err < 1.0:
            if err == 0.0:
                factor = _MAX_FACTOR
            else:
                factor = min(_MAX_FACTOR, _SAFETY * err**_ERR_EXP)
            if rejected:
                factor = min(1.0, factor)
            return t_new, h, h_abs * factor, _OK
        h_abs *= max(_MIN_FACTOR, _SAFETY * err**_ERR_EXP)
        rejected = True


@njit(cache=True)
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


@njit(cache=True)
def _dop853_arc(t0, y0, t1, p, rtol, atol, max_steps, stop_radius):
    """Integrate from t0 to t1 storing every accepted step and its dense coefficients.

    Returns (ts (m+1,), ys (m+1, 6), Fs (m, 7, 6), status). On re-entry (|r| falls below
    ``stop_radius``) the last step ends exactly at the crossing, located by bisection
    on the dense output, and the status is 1.
    """
    cap = 64
    ts = np.empty(cap)
    ys = np.empty((cap, 6))
    Fs = np.empty((cap, 7, 6))
    ts[0] = t0
    ys[0, :] = y0
    n = 0
    status = _OK
    if t1 == t0:
        return ts[:1], ys[:1], Fs[:0], status
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((16, 6))
    ytmp = np.empty(6)
    ynew = np.empty(6)
    y = y0.copy()
    f = np.empty(6)
    _rhs_into(t0, y, p, f)
    h_abs = _initial_step(t0, y, f, direction, abs(t1 - t0), p, rtol, atol)
    t = t0
    while direction * (t1 - t) > 0.0:
        if n >= max_steps:
            status = _TOO_MANY_STEPS
            break
        t_new, h, h_abs, st = _advance(t, y, f, h_abs, t1, direction, p, rtol, atol, K, ytmp, ynew)
        if st != _OK:
            status = st
            break
        if n + 1 >= cap:
            cap *= 2
            ts2 = np.empty(cap)
            ys2 = np.empty((cap, 6))
            Fs2 = np.empty((cap, 7, 6))
            ts2[: n + 1] = ts[: n + 1]
            ys2[: n + 1] = ys[: n + 1]
            Fs2[:n] = Fs[:n]
            ts, ys, Fs = ts2, ys2, Fs2
        _dense_coeffs(t, y, ynew, h, p, K, ytmp, Fs[n])
        if not _finite6(ynew):
            status = _NOT_FINITE
            break
        if stop_radius > 0.0 and _radius(ynew) < stop_radius:
            # End the arc at the crossing: redo the step with the shorter h so that the
            # stored polynomial spans exactly [t, t_crossing].
            t_new = _locate_radius(Fs[n], y, t, h, stop_radius, ynew)
            h = t_new - t
            _rk_stages(t, y, f, h, p, K, ytmp, ynew)
            _dense_coeffs(t, y, ynew, h, p, K, ytmp, Fs[n])
            n += 1
            ts[n] = t + h
            ys[n, :] = ynew
            status = _REENTRY
            break
        n += 1
        ts[n] = t_new
        ys[n, :] = ynew
        t = t_new
        for j in range(6):
            y[j] = ynew[j]
            f[j] = K[12, j]
    return ts[: n + 1], ys[: n + 1], Fs[:n], status


@njit(cache=True)
def _dop853_to_times(t0, y0, t1, t_out, k0, inclusive, out, p, rtol, atol, max_steps, stop_radius):
    """Integrate from t0 to t1 without storing steps; write the dense-output state at each
    t_out[k] (k >= k0, sorted in the direction of integration) reached before t1
    (or at t1 when ``inclusive``) into out[k].

    Returns (k_next, t_end, y_end, status)."""
    y = y0.copy()
    k = k0
    nout = t_out.shape[0]
    if t1 == t0:
        while k < nout and inclusive and t_out[k] == t0:
            out[k, :] = y
            k += 1
        return k, t0, y, _OK
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((16, 6))
    F = np.empty((7, 6))
    ytmp = np.empty(6)
    ynew = np.empty(6)
    f = np.empty(6)
    _rhs_into(t0, y, p, f)
    # Outputs exactly at the start.
    while k < nout and t_out[k] == t0 and (inclusive or t1 != t0):
        out[k, :] = y
        k += 1
    h_abs = _initial_step(t0, y, f, direction, abs(t1 - t0), p, rtol, atol)
    t = t0
    nsteps = 0
    while direction * (t1 - t) > 0.0:
        if nsteps >= max_steps:
            return k, t, y, _TOO_MANY_STEPS
        t_new, h, h_abs, st = _advance(t, y, f, h_abs, t1, direction, p, rtol, atol, K, ytmp, ynew)
        if st != _OK:
            return k, t, y, st
        nsteps += 1
        if not _finite6(ynew):
            return k, t, y, _NOT_FINITE
        if stop_radius > 0.0 and _radius(ynew) < stop_radius:
            _dense_coeffs(t, y, ynew, h, p, K, ytmp, F)
            tc = _locate_radius(F, y, t, h, stop_radius, ytmp)
            while k < nout and direction * (t_out[k] - tc) <= 0.0:
                _dense_eval(F, y, (t_out[k] - t) / h, out[k])
                k += 1
            return k, tc, ytmp.copy(), _REENTRY
        have_dense = False
        while k < nout:
            dt_end = direction * (t_out[k] - t_new)
            if dt_end < 0.0:
                if not have_dense:
                    _dense_coeffs(t, y, ynew, h, p, K, ytmp, F)
                    have_dense = True
                _dense_eval(F, y, (t_out[k] - t) / h, out[k])
                k += 1
            elif dt_end == 0.0 and (inclusive or t_new != t1):
                out[k, :] = ynew
                k += 1
            else:
                break
        t = t_new
        for j in range(6):
            y[j] = ynew[j]
            f[j] = K[12, j]
    return k, t, y, _OK


# --------------------------------------------------------------------------- RK4 kernels
@njit(cache=True)
def _rk4_step(t, y, h, p, k1, k2, k3, k4, ytmp, ynew):
    _rhs_into(t, y, p, k1)
    for j in range(6):
        ytmp[j] = y[j] + 0.5 * h * k1[j]
    _rhs_into(t + 0.5 * h, ytmp, p, k2)
    for j in range(6):
        ytmp[j] = y[j] + 0.5 * h * k2[j]
    _rhs_into(t + 0.5 * h, ytmp, p, k3)
    for j in range(6):
        ytmp[j] = y[j] + h * k3[j]
    _rhs_into(t + h, ytmp, p, k4)
    for j in range(6):
        ynew[j] = y[j] + h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


@njit(cache=True)
def _hermite_eval(y0, y1, f0, f1, h, x, out):
    """Cubic Hermite interpolation of a step from its end states and derivatives."""
    h00 = (1.0 + 2.0 * x) * (1.0 - x) ** 2
    h10 = x * (1.0 - x) ** 2
    h01 = x * x * (3.0 - 2.0 * x)
    h11 = x * x * (x - 1.0)
    for j in range(6):
        out[j] = h00 * y0[j] + h10 * h * f0[j] + h01 * y1[j] + h11 * h * f1[j]


@njit(cache=True)
def _rk4_arc(t0, y0, t1, step_s, p, stop_radius):
    """Classical RK4 with a fixed step (last step shortened to land on t1).

    Returns (ts, ys, fs (derivatives at each node, for Hermite interpolation), status)."""
    span = abs(t1 - t0)
    nstep = int(math.ceil(span / step_s - 1e-9)) if span > 0.0 else 0
    ts = np.empty(nstep + 1)
    ys = np.empty((nstep + 1, 6))
    fs = np.empty((nstep + 1, 6))
    ts[0] = t0
    ys[0, :] = y0
    _rhs_into(t0, y0, p, fs[0])
    direction = 1.0 if t1 >= t0 else -1.0
    k1 = np.empty(6)
    k2 = np.empty(6)
    k3 = np.empty(6)
    k4 = np.empty(6)
    ytmp = np.empty(6)
    for i in range(nstep):
        t = ts[i]
        t_new = t1 if i == nstep - 1 else t0 + direction * step_s * (i + 1)
        _rk4_step(t, ys[i], t_new - t, p, k1, k2, k3, k4, ytmp, ys[i + 1])
        ts[i + 1] = t_new
        _rhs_into(t_new, ys[i + 1], p, fs[i + 1])
        if not _finite6(ys[i + 1]):
            return ts[: i + 1], ys[: i + 1], fs[: i + 1], _NOT_FINITE
        if stop_radius > 0.0 and _radius(ys[i + 1]) < stop_radius:
            return ts[: i + 2], ys[: i + 2], fs[: i + 2], _REENTRY
    return ts, ys, fs, _OK


# --------------------------------------------------------------------------- Kepler kernels
@njit(cache=True)
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


@njit(cache=True)
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
    if alpha <= 1e-12:
        chi = smu * dt / r0
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
            break
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


@njit(cache=True)
def _kepler_many(mu, y0s, dts):
    """:func:`_kepler` for states y0s (n, 6) and times dts (n,)."""
    out = np.empty((dts.shape[0], 6))
    for i in range(dts.shape[0]):
        _kepler(mu, y0s[i], dts[i], out[i])
    return out


# --------------------------------------------------------------------------- drivers
@njit(cache=True)
def _arc_to_times(
    method, t0, y0, t1, t_out, k0, inclusive, out, p, rtol, atol, step_s, max_steps, stop_radius
):
    """Dispatch of the storage-free arc driver for every method; see _dop853_to_times."""
    if method == 0:
        return _dop853_to_times(
            t0, y0, t1, t_out, k0, inclusive, out, p, rtol, atol, max_steps, stop_radius
        )
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
        if stop_radius > 0.0 and min(_radius(y0), _radius(y1)) < stop_radius:
            return k, t1, y1, _REENTRY
        return k, t1, y1, _OK
    # RK4: march, interpolate outputs by cubic Hermite.
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
            out[k, :] = ys[0]
        else:
            h = ts[i + 1] - ts[i]
            _hermite_eval(ys[i], ys[i + 1], fs[i], fs[i + 1], h, (tk - ts[i]) / h, out[k])
        k += 1
    return k, ts[m - 1], ys[m - 1].copy(), st


@njit(cache=True)
def _propagate_rv_kernel(
    method, y0, t_out, imp_t, imp_dv, p, rtol, atol, step_s, max_steps, stop_radius
):
    """States at t_out (sorted in one direction from 0) with inertial impulses imp_dv
    (k, 3) applied at imp_t (sorted the same way). Forward: impulses at t in [0, t_end]
    are added when reached and outputs at an impulse time are post-impulse. Backward:
    impulses at t in [t_end, 0) are subtracted, outputs there are post-impulse too.

    Returns (out (n, 6), n_filled, t_stop, status)."""
    n = t_out.shape[0]
    out = np.empty((n, 6))
    if n == 0:
        return out, 0, 0.0, _OK
    t_end = t_out[n - 1]
    direction = 1.0 if t_end >= 0.0 else -1.0
    y = y0.copy()
    t = 0.0
    k = 0
    for i in range(imp_t.shape[0]):
        tb = imp_t[i]
        if direction > 0.0:
            if tb < 0.0 or tb > t_end:
                continue
            k, t, y, st = _arc_to_times(
                method,
                t,
                y,
                tb,
                t_out,
                k,
                False,
                out,
                p,
                rtol,
                atol,
                step_s,
                max_steps,
                stop_radius,
            )
            if st != _OK:
                return out, k, t, st
            for j in range(3):
                y[3 + j] += imp_dv[i, j]
        else:
            if tb >= 0.0 or tb < t_end:
                continue
            k, t, y, st = _arc_to_times(
                method, t, y, tb, t_out, k, True, out, p, rtol, atol, step_s, max_steps, stop_radius
            )
            if st != _OK:
                return out, k, t, st
            for j in range(3):
                y[3 + j] -= imp_dv[i, j]
    k, t, y, st = _arc_to_times(
        method, t, y, t_end, t_out, k, True, out, p, rtol, atol, step_s, max_steps, stop_radius
    )
    return out, k, t, st


@njit(cache=True)
def _rhs_block(t, Y, p, out, y, f):
    """Right-hand side of a block of states stored component-major, Y (6, m) -> out."""
    m = Y.shape[1]
    if p[P_DRAG] == 0.0 and p[P_SUN] == 0.0 and p[P_MOON] == 0.0:
        # Conservative zonal field: a branch-free loop over samples that LLVM vectorises.
        mu = p[P_MU]
        re = p[P_RE]
        j2 = p[P_J2]
        j3 = p[P_J3]
        j4 = p[P_J4]
        degree = int(p[P_DEGREE])
        for i in range(m):
            ax, ay, az = _zonal_accel(mu, re, j2, j3, j4, degree, Y[0, i], Y[1, i], Y[2, i])
            out[0, i] = Y[3, i]
            out[1, i] = Y[4, i]
            out[2, i] = Y[5, i]
            out[3, i] = ax
            out[4, i] = ay
            out[5, i] = az
        return
    for i in range(m):
        for j in range(6):
            y[j] = Y[j, i]
        _rhs_into(t, y, p, f)
        for j in range(6):
            out[j, i] = f[j]


@njit(cache=True)
def _lockstep_block(Y, t0, t1, p, rtol, atol, max_steps, stop_radius):
    """DOP853 with one step size shared by a block of states Y (6, m), updated in place.

    The step is accepted when every sample's error norm is below one (the block moves
    at the pace of its most demanding sample), so each sample meets its tolerance.
    Returns a status; anything but OK (re-entry of any sample, failure) means the
    caller redoes the block sample by sample."""
    m = Y.shape[1]
    if t1 == t0:
        return _OK
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((13, 6, m))
    Yt = np.empty((6, m))
    Yn = np.empty((6, m))
    e5 = np.empty(m)
    e3 = np.empty(m)
    y = np.empty(6)
    f = np.empty(6)
    _rhs_block(t0, Y, p, K[0], y, f)
    h_abs = abs(t1 - t0)
    for i in range(m):
        for j in range(6):
            y[j] = Y[j, i]
            f[j] = K[0, j, i]
        h_abs = min(h_abs, _initial_step(t0, y, f, direction, abs(t1 - t0), p, rtol, atol))
    t = t0
    nsteps = 0
    while direction * (t1 - t) > 0.0:
        if nsteps >= max_steps:
            return _TOO_MANY_STEPS
        min_step = 16.0 * _EPS * max(abs(t), 1.0)
        rejected = False
        while True:
            if h_abs < min_step:
                return _STEP_TOO_SMALL
            t_new = t + h_abs * direction
            if direction * (t_new - t1) > 0.0:
                t_new = t1
            h = t_new - t
            h_abs = abs(h)
            for s in range(1, 13):
                dst = Yt if s < 12 else Yn
                for j in range(6):
                    for i in range(m):
                        dst[j, i] = Y[j, i]
                for q in range(s):
                    c = h * (_A[s, q] if s < 12 else _B[q])
                    if c != 0.0:
                        for j in range(6):
                            for i in range(m):
                                dst[j, i] += c * K[q, j, i]
                _rhs_block(t + _C[s] * h, dst, p, K[s], y, f)
            for i in range(m):
                e5[i] = 0.0
                e3[i] = 0.0
            for j in range(6):
                for i in range(m):
                    a5 = 0.0
                    a3 = 0.0
                    for q in range(13):
                        a5 += _E5[q] * K[q, j, i]
                        a3 += _E3[q] * K[q, j, i]
                    sc = atol + rtol * max(abs(Y[j, i]), abs(Yn[j, i]))
                    e5[i] += (a5 / sc) ** 2
                    e3[i] += (a3 / sc) ** 2
            err = 0.0
            for i in range(m):
                if e5[i] != 0.0 or e3[i] != 0.0:
                    err = max(err, h_abs * e5[i] / math.sqrt((e5[i] + 0.01 * e3[i]) * 6.0))
            if not math.isfinite(err):
                h_abs *= _MIN_FACTOR
                rejected = True
                continue
            if err < 1.0:
                if err == 0.0:
                    factor = _MAX_FACTOR
                else:
                    factor = min(_MAX_FACTOR, _SAFETY * err**_ERR_EXP)
                if rejected:
                    factor = min(1.0, factor)
                h_abs *= factor
                break
            h_abs *= max(_MIN_FACTOR, _SAFETY * err**_ERR_EXP)
            rejected = True
        nsteps += 1
        for i in range(m):
            if stop_radius > 0.0:
                rr = math.sqrt(Yn[0, i] ** 2 + Yn[1, i] ** 2 + Yn[2, i] ** 2)
                if rr < stop_radius:
                    return _REENTRY
        for j in range(6):
            for i in range(m):
                Y[j, i] = Yn[j, i]
                K[0, j, i] = K[12, j, i]
        t = t_new
    return _OK


_BLOCK = 64  # samples per lock-step block: K (13 x 6 x 64 floats) stays in cache


@njit(cache=True, parallel=True)
def _batch_final_lockstep(y0s, t_end, p, rtol, atol, max_steps, stop_radius):
    """Final states of n propagations from 0 to t_end, DOP853 in lock-step blocks run in
    parallel; a block where any sample re-enters or fails is redone per sample.
    Returns (y (n, 6), t_stop (n,), status (n,)); memory O(n)."""
    n = y0s.shape[0]
    nb = (n + _BLOCK - 1) // _BLOCK
    yout = np.empty((n, 6))
    tstop = np.full(n, t_end)
    status = np.zeros(n, dtype=np.int64)
    t_out = np.array([t_end])
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        Y = np.empty((6, hi - lo))
        for i in range(lo, hi):
            for j in range(6):
                Y[j, i - lo] = y0s[i, j]
        st = _lockstep_block(Y, 0.0, t_end, p, rtol, atol, max_steps, stop_radius)
        if st == _OK:
            for i in range(lo, hi):
                for j in range(6):
                    yout[i, j] = Y[j, i - lo]
        else:
            buf = np.empty((1, 6))
            for i in range(lo, hi):
                k, t, y, st1 = _dop853_to_times(
                    0.0, y0s[i], t_end, t_out, 0, True, buf, p, rtol, atol, max_steps, stop_radius
                )
                yout[i, :] = y
                tstop[i] = t
                status[i] = st1
    return yout, tstop, status


@njit(cache=True, parallel=True)
def _batch_final(method, y0s, t_end, p, rtol, atol, step_s, max_steps, stop_radius):
    """Final states of n independent propagations from 0 to t_end (one thread per
    sample block). Returns (y (n, 6), t_stop (n,), status (n,)); memory O(n)."""
    n = y0s.shape[0]
    yout = np.empty((n, 6))
    tstop = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    t_out = np.array([t_end])
    for i in prange(n):
        buf = np.empty((1, 6))
        k, t, y, st = _arc_to_times(
            method,
            0.0,
            y0s[i],
            t_end,
            t_out,
            0,
            True,
            buf,
            p,
            rtol,
            atol,
            step_s,
            max_steps,
            stop_radius,
        )
        yout[i, :] = y
        tstop[i] = t
        status[i] = st
    return yout, tstop, status


@njit(cache=True, parallel=True)
def _batch_history(method, y0s, t_out, p, rtol, atol, step_s, max_steps, stop_radius):
    """States of n propagations at the common times t_out (m,): (n, m, 6), filled counts."""
    n = y0s.shape[0]
    m = t_out.shape[0]
    res = np.full((n, m, 6), np.nan)
    filled = np.empty(n, dtype=np.int64)
    status = np.empty(n, dtype=np.int64)
    for i in prange(n):
        buf = np.empty((m, 6))
        k, t, y, st = _arc_to_times(
            method,
            0.0,
            y0s[i],
            t_out[m - 1],
            t_out,
            0,
            True,
            buf,
            p,
            rtol,
            atol,
            step_s,
            max_steps,
            stop_radius,
        )
        res[i, :k, :] = buf[:k]
        filled[i] = k
        status[i] = st
    return res, filled, status


# --------------------------------------------------------------------------- events
@dataclass(frozen=True, slots=True)
class Event:
    r"""A built-in event: a scalar function g(t_s, y) whose zeros are located.

    ``t_s`` is seconds since the propagation's initial epoch and ``y`` the state
    [r (km), v (km/s)], one (6,) or many (..., 6). A crossing counts when g changes sign
    in the sense of ``direction`` in increasing time (+1: from negative to positive,
    -1: from positive to negative, 0: both); a ``terminal`` event ends the propagation.
    Built with :func:`altitude_event`, :func:`apsis_event`, :func:`arglat_event`,
    :func:`node_event`; any other callable with optional ``terminal``, ``direction``
    and ``name`` attributes is accepted as a user event.
    """

    name: str
    kind: str
    value: float = 0.0
    direction: int = 0
    terminal: bool = False

    def __post_init__(self):
        if self.direction not in (-1, 0, 1):
            raise InputError(
                f"event direction {self.direction!r}; expected -1, 0 or +1",
                name="direction",
                value=self.direction,
                valid=(-1, 0, 1),
            )

    def __call__(self, t_s, y):
        y = np.asarray(y, dtype=float)
        r = y[..., :3]
        v = y[..., 3:]
        if self.kind == "radius":
            return np.sqrt(np.einsum("...i,...i->...", r, r)) - self.value
        if self.kind == "radial-velocity":
            return np.einsum("...i,...i->...", r, v) / np.sqrt(np.einsum("...i,...i->...", r, r))
        if self.kind == "z":
            return r[..., 2]
        if self.kind == "arglat":
            h = np.cross(r, v)
            node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(h[..., 0])], axis=-1)
            n_hat = node / np.sqrt(np.einsum("...i,...i->...", node, node))[..., None]
            h_hat = h / np.sqrt(np.einsum("...i,...i->...", h, h))[..., None]
            m_hat = np.cross(h_hat, n_hat)
            rn = np.sqrt(np.einsum("...i,...i->...", r, r))
            su = np.einsum("...i,...i->...", r, m_hat) / rn
            cu = np.einsum("...i,...i->...", r, n_hat) / rn
            return su * math.cos(self.value) - cu * math.sin(self.value)
        raise UnknownNameError(
            "event kind", self.kind, ("radius", "radial-velocity", "z", "arglat")
        )


class EventRecord(NamedTuple):
    """An event that occurred: its name, epoch, the state there, and whether it ended
    the propagation."""

    name: str
    epoch: Time
    state: State
    terminal: bool


def altitude_event(
    altitude: u.Quantity, direction: int = 0, terminal: bool = False, *, earth: EarthModel = EARTH
) -> Event:
    """Crossing of an altitude above the equatorial radius, |r| - R (as
    :attr:`State.altitude`). ``direction=-1`` for descending through it."""
    from .constants import as_array

    h = float(as_array(altitude, u.km, "altitude"))
    return Event(
        f"altitude {h:g} km", "radius", earth.radius_km + h, int(direction), bool(terminal)
    )


def apsis_event(kind: str = "perigee", terminal: bool = False) -> Event:
    """Perigee (radial velocity crossing zero upward) or apogee (downward) passage."""
    if kind not in ("perigee", "apogee"):
        raise UnknownNameError("apsis", kind, ("perigee", "apogee"))
    return Event(kind, "radial-velocity", 0.0, 1 if kind == "perigee" else -1, bool(terminal))


def arglat_event(angle: u.Quantity, terminal: bool = False) -> Event:
    """Passage through an argument of latitude (angle from the ascending node, in the
    sense of motion). Undefined for an exactly equatorial orbit."""
    from .constants import as_array

    a = float(as_array(angle, u.rad, "angle")) % (2 * math.pi)
    return Event(f"arglat {math.degrees(a):g} deg", "arglat", a, 1, bool(terminal))


def node_event(kind: str = "ascending", terminal: bool = False) -> Event:
    """Equator crossing: ascending (z rising through 0) or descending node."""
    if kind not in ("ascending", "descending"):
        raise UnknownNameError("node", kind, ("ascending", "descending"))
    return Event(f"{kind} node", "z", 0.0, 1 if kind == "ascending" else -1, bool(terminal))


def _event_meta(ev):
    if isinstance(ev, Event):
        return ev.name, ev.direction, ev.terminal
    if not callable(ev):
        raise InputError(
            f"event {ev!r} is not callable; pass altitude_event(...), apsis_event(...), "
            "arglat_event(...), node_event(...) or a function g(t_s, y) -> float",
            name="events",
            value=ev,
        )
    name = getattr(ev, "name", None) or getattr(ev, "__name__", "user event")
    direction = int(getattr(ev, "direction", 0))
    if direction not in (-1, 0, 1):
        raise InputError(
            f"event direction {direction}; expected -1, 0 or +1", name="direction", value=direction
        )
    return str(name), direction, bool(getattr(ev, "terminal", False))


def _g_values(ev, t, Y):
    if isinstance(ev, Event):
        return np.asarray(ev(t, Y), dtype=float)
    return np.array([float(ev(float(ti), yi)) for ti, yi in zip(t, Y)])


# --------------------------------------------------------------------------- segments
@dataclass(frozen=True, slots=True)
class _Segment:
    """One arc between burns: nodes in integration order and what interpolates them."""

    kind: str  # "dop853" | "rk4" | "kepler"
    ts: np.ndarray
    ys: np.ndarray
    coef: np.ndarray | None  # DOP853 (m, 7, 6) or RK4 derivatives (m+1, 6)
    mu: float

    @property
    def lo(self) -> float:
        return float(min(self.ts[0], self.ts[-1]))

    @property
    def hi(self) -> float:
        return float(max(self.ts[0], self.ts[-1]))

    def eval(self, t) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        ts = self.ts
        m = ts.shape[0] - 1
        if m == 0:
            if self.kind == "kepler":
                return _kepler_many(self.mu, np.repeat(self.ys[:1], t.size, 0), t - ts[0])
            return np.repeat(self.ys[:1], t.size, axis=0)
        if ts[-1] >= ts[0]:
            k = np.searchsorted(ts, t, side="right") - 1
        else:
            k = np.searchsorted(-ts, -t, side="right") - 1
        k = np.clip(k, 0, m - 1)
        if self.kind == "kepler":
            return _kepler_many(self.mu, self.ys[k], t - ts[k])
        h = ts[k + 1] - ts[k]
        x = ((t - ts[k]) / h)[:, None]
        if self.kind == "rk4":
            y0, y1, f0, f1 = self.ys[k], self.ys[k + 1], self.coef[k], self.coef[k + 1]
            hh = h[:, None]
            return (
                (1 + 2 * x) * (1 - x) ** 2 * y0
                + x * (1 - x) ** 2 * hh * f0
                + x * x * (3 - 2 * x) * y1
                + x * x * (x - 1) * hh * f1
            )
        F = self.coef[k]
        y = np.zeros((t.size, 6))
        for i in range(7):
            y += F[:, 6 - i, :]
            y *= x if i % 2 == 0 else (1.0 - x)
        return y + self.ys[k]

    def truncated(self, t_end: float, y_end: np.ndarray) -> _Segment:
        """This arc ending at t_end (inside it): nodes after t_end dropped, the step
        containing t_end kept so that its interpolant stays valid."""
        ts = self.ts
        d = 1.0 if ts[-1] >= ts[0] else -1.0
        keep = int(np.searchsorted(d * ts, d * t_end, side="left"))  # first node >= t_end
        keep = max(1, min(keep, ts.shape[0] - 1))
        if self.kind == "kepler":
            return _Segment(
                self.kind,
                np.append(ts[:keep], t_end),
                np.vstack([self.ys[:keep], y_end]),
                None,
                self.mu,
            )
        # Keep the step [ts[keep-1], ts[keep]] whole; the span is limited by the caller.
        coef = self.coef[:keep] if self.kind == "dop853" else self.coef[: keep + 1]
        return _Segment(self.kind, ts[: keep + 1], self.ys[: keep + 1], coef, self.mu)


def _find_events(seg: _Segment, events, t_limit=None):
    """Crossings of every event inside a segment, sorted in integration order:
    list of (t, y, name, terminal)."""
    if not events or seg.ts.shape[0] < 2:
        return []
    from scipy.optimize import brentq

    ts = seg.ts
    frac = np.array([0.0, 0.25, 0.5, 0.75])
    grid = (ts[:-1, None] + frac * (ts[1:] - ts[:-1])[:, None]).ravel()
    grid = np.append(grid, ts[-1])
    if t_limit is not None:
        d = 1.0 if ts[-1] >= ts[0] else -1.0
        grid = grid[d * grid <= d * t_limit]
        if grid[-1] != t_limit:
            grid = np.append(grid, t_limit)
    Y = seg.eval(grid)
    forward = ts[-1] >= ts[0]
    found = []
    for ev in events:
        name, direction, terminal = _event_meta(ev)
        g = _g_values(ev, grid, Y)
        for i in range(grid.size - 1):
            g0, g1 = g[i], g[i + 1]
            if g0 == 0.0 or not (g0 * g1 < 0.0 or g1 == 0.0):
                continue
            rising_in_time = (g1 > g0) if forward else (g0 > g1)
            if direction == 1 and not rising_in_time or direction == -1 and rising_in_time:
                continue

            def fun(t, ev=ev):
                return float(_g_values(ev, np.array([t]), seg.eval(t))[0])

            a, b = grid[i], grid[i + 1]
            tc = b if g1 == 0.0 else brentq(fun, min(a, b), max(a, b), xtol=1e-7, rtol=1e-15)
            found.append((tc, seg.eval(tc)[0], name, terminal))
    found.sort(key=lambda e: e[0] if forward else -e[0])
    return found


# --------------------------------------------------------------------------- trajectory
@dataclass(frozen=True, slots=True)
class Trajectory:
    """Result of :meth:`Propagator.propagate`.

    Attributes
    ----------
    epoch0 : Time
        The initial epoch; every time below is seconds since it (TT seconds).
    t_s : ndarray (n,)
        Sample times, ascending. A burn epoch appears once, with the post-burn state.
    rv_km : ndarray (n, 6)
        Sample states in km and km/s (GCRS).
    events : tuple of EventRecord
        Events found, in time order (re-entry included, always terminal).
    burns : tuple of Burn
        Burns applied, in time order.
    status : str
        "success", "reentry" or "terminated" (a terminal event ended it).
    message : str
        What happened, in words.
    method : str
        Integration method.

    ``state_at(epoch)`` evaluates the integrator's dense output (DOP853's 7th-order
    continuous extension, cubic Hermite for RK4, the analytic solution for Kepler);
    at a burn epoch it returns the post-burn state.
    """

    epoch0: Time
    t_s: np.ndarray
    rv_km: np.ndarray
    events: tuple
    burns: tuple
    status: str
    message: str
    method: str
    _segments: tuple
    _span: tuple
    _initial: State

    # -- samples
    @property
    def epochs(self) -> Time:
        return self.epoch0 + TimeDelta(self.t_s, format="sec")

    @property
    def r_km(self) -> np.ndarray:
        return self.rv_km[:, :3]

    @property
    def v_km_s(self) -> np.ndarray:
        return self.rv_km[:, 3:]

    @property
    def r(self) -> u.Quantity:
        return self.r_km * u.km

    @property
    def v(self) -> u.Quantity:
        return self.v_km_s * (u.km / u.s)

    @property
    def initial_state(self) -> State:
        """The state given to :meth:`Propagator.propagate` (before any burn at epoch0)."""
        return self._initial

    @property
    def start(self) -> Time:
        return self.epoch0 + TimeDelta(self._span[0], format="sec")

    @property
    def end(self) -> Time:
        return self.epoch0 + TimeDelta(self._span[1], format="sec")

    @property
    def final_state(self) -> State:
        """The state where the propagation ended: at the end epoch, at a terminal event,
        or (backward propagation) at the earliest epoch."""
        t = self._span[0] if self._backward_only else self._span[1]
        return State.from_vectors(
            self.epoch0 + TimeDelta(t, format="sec"), *np.split(self._eval(np.array([t]))[0], 2)
        )

    @property
    def _backward_only(self) -> bool:
        return self._span[1] == 0.0 and self._span[0] < 0.0

    def __len__(self) -> int:
        return self.t_s.shape[0]

    # -- interpolation
    def _eval(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        lo, hi = self._span
        tol = 1e-6  # s: a microsecond of slack for epochs built by Time arithmetic
        if np.any(t < lo - tol) or np.any(t > hi + tol):
            bad = t[(t < lo - tol) | (t > hi + tol)][0]
            raise InputError(
                f"epoch {bad:.6f} s after epoch0 is outside the trajectory span "
                f"[{lo:.6f}, {hi:.6f}] s; propagate further first",
                name="epoch",
                value=bad,
                valid=f"[{lo}, {hi}] s after {self.epoch0.utc.isot} UTC",
            )
        t = np.clip(t, lo, hi)
        out = np.empty((t.size, 6))
        chosen = np.full(t.size, -1)
        for i, seg in enumerate(self._segments):
            inside = (t >= seg.lo) & (t <= seg.hi)
            chosen[inside] = i  # later segments (in time) win at burn epochs: post-burn
        for i, seg in enumerate(self._segments):
            mask = chosen == i
            if np.any(mask):
                out[mask] = seg.eval(t[mask])
        if np.any(chosen < 0):
            raise InputError("epoch falls in no propagated arc", name="epoch")
        return out

    def _seconds(self, epochs) -> np.ndarray:
        epochs = as_time(epochs, "epoch")
        return np.atleast_1d((epochs - self.epoch0).to_value(u.s))

    def state_at(self, epoch) -> State:
        """The state at ``epoch`` from the dense output (never the nearest sample)."""
        ep = as_time(epoch, "epoch")
        if not ep.isscalar:
            raise InputError("state_at takes one epoch; use states_at for many", name="epoch")
        y = self._eval(self._seconds(ep))[0]
        return State.from_vectors(ep, y[:3], y[3:])

    def states_at(self, epochs) -> StateBatch:
        """States at many epochs (dense output), as a :class:`StateBatch`."""
        ep = as_time(epochs, "epochs")
        y = self._eval(self._seconds(ep))
        return StateBatch.from_vectors(
            ep if not ep.isscalar else ep.reshape((1,)), y[:, :3], y[:, 3:]
        )

    def rv_at(self, t_s) -> np.ndarray:
        """Kernel-level :meth:`state_at`: states (n, 6) at seconds since epoch0."""
        return self._eval(np.atleast_1d(np.asarray(t_s, dtype=float)))

    # -- views
    def slice(self, start=None, stop=None) -> Trajectory:
        """The part of the trajectory between two epochs (None: from the start / to the
        end); samples, events and burns outside are dropped and ``state_at`` is limited."""
        lo, hi = self._span
        a = lo if start is None else max(lo, float(self._seconds(start)[0]))
        b = hi if stop is None else min(hi, float(self._seconds(stop)[0]))
        if b < a:
            raise EpochOrderError(
                f"slice stop is before start ({a:.3f} s > {b:.3f} s after epoch0)",
                name="stop",
                value=b,
            )
        tol = 1e-6  # s: Time arithmetic rounds at the picosecond-to-nanosecond level
        m = (self.t_s >= a - tol) & (self.t_s <= b + tol)

        def sec(ep):
            return float((ep - self.epoch0).to_value(u.s))

        return Trajectory(
            self.epoch0,
            self.t_s[m],
            self.rv_km[m],
            tuple(e for e in self.events if a <= sec(e.epoch) <= b),
            tuple(x for x in self.burns if a <= sec(x.epoch) <= b),
            self.status,
            self.message,
            self.method,
            self._segments,
            (a, b),
            self._initial,
        )

    def to_dataframe(self):
        """pandas DataFrame: epoch (UTC), t_s, x/y/z in km, vx/vy/vz in km/s."""
        import pandas as pd

        return pd.DataFrame(
            {
                "epoch_utc": self.epochs.utc.datetime64,
                "t_s": self.t_s,
                "x_km": self.rv_km[:, 0],
                "y_km": self.rv_km[:, 1],
                "z_km": self.rv_km[:, 2],
                "vx_km_s": self.rv_km[:, 3],
                "vy_km_s": self.rv_km[:, 4],
                "vz_km_s": self.rv_km[:, 5],
            }
        )

    def __str__(self) -> str:
        lo, hi = self._span
        lines = [
            f"Trajectory ({self.method}) from {self.start.utc.isot} to {self.end.utc.isot} UTC "
            f"({(hi - lo) / 3600.0:.3f} h), {len(self)} samples, status: {self.status}",
            f"  {self.message}",
        ]
        for b in self.burns:
            lines.append(f"  {b}")
        for e in self.events:
            alt = float(np.linalg.norm(e.state.r_km)) - EARTH.radius_km
            lines.append(
                f"  event {e.name!r} at {e.epoch.utc.isot} UTC, altitude {alt:.3f} km"
                + (" (terminal)" if e.terminal else "")
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- propagator
def _parse_to(state: State, to):
    """-> (t_out or None, t_lo, t_hi) in seconds since state.epoch."""
    if isinstance(to, int | float | np.number | np.ndarray) and not isinstance(to, u.Quantity):
        raise InputError(
            f"to = {to!r} has no unit; pass an end epoch (Time), output epochs (Time array) "
            "or a duration (e.g. 90 * u.min or a TimeDelta)",
            name="to",
            value=to,
            valid="Time, TimeDelta or time Quantity",
        )
    if isinstance(to, TimeDelta) or isinstance(to, u.Quantity):
        t = as_duration_s(to, "to")
        return None, min(t, 0.0), max(t, 0.0)
    ep = as_time(to, "to")
    if ep.isscalar:
        t = float((ep - state.epoch).to_value(u.s))
        return None, min(t, 0.0), max(t, 0.0)
    t_out = np.atleast_1d((ep - state.epoch).to_value(u.s)).astype(float)
    if t_out.ndim != 1 or t_out.size == 0:
        raise InputError(
            "output epochs must be a non-empty 1-d Time array", name="to", value=ep.shape
        )
    if np.any(np.diff(t_out) < 0):
        i = int(np.argmax(np.diff(t_out) < 0))
        raise EpochOrderError(
            f"output epochs are not in increasing order: {ep[i + 1].utc.isot} comes after "
            f"{ep[i].utc.isot}; sort them first",
            name="to",
            value=ep,
            valid="non-decreasing epochs",
        )
    return t_out, min(float(t_out[0]), 0.0), max(float(t_out[-1]), 0.0)


@dataclass(frozen=True, slots=True)
class Propagator:
    """Frozen propagation settings: force model, method and tolerances.

    Parameters
    ----------
    force_model : ForceModel
        Forces (default :meth:`ForceModel.default`, J2-J4 + drag; for ``method="kepler"``
        the default is :meth:`ForceModel.two_body`, and any other model is an error).
    method : {"dop853", "kepler", "rk4"}
        Compiled adaptive Dormand-Prince 8(5,3) with dense output; analytic two-body
        (universal variables); classical RK4 with a fixed step ``step_s``.
    rtol, atol : float
        DOP853 relative and absolute tolerances (atol in km and km/s). The defaults keep
        the position error of a day of LEO propagation at the millimetre-to-centimetre
        level (see ``tests/validation/test_propagator_vs_kepler.py``).
    step_s : float
        RK4 step in seconds.
    max_steps : int
        Steps per arc before :class:`PropagationError`.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> s = State.from_elements(Time("2026-01-01T00:00:00", scale="utc"),
    ...                         a=6768.137 * u.km, inc=41.47 * u.deg)
    >>> traj = Propagator().propagate(s, 1 * u.h)
    >>> traj.status
    'success'
    """

    force_model: ForceModel | None = None
    method: str = "dop853"
    rtol: float = 1e-10
    atol: float = 1e-10
    step_s: float = 10.0
    max_steps: int = 1_000_000

    def __post_init__(self):
        if self.method not in METHODS:
            raise UnknownNameError("propagation method", self.method, METHODS)
        fm = self.force_model
        if fm is None:
            fm = ForceModel.two_body() if self.method == "kepler" else ForceModel.default()
            object.__setattr__(self, "force_model", fm)
        if not isinstance(fm, ForceModel):
            raise InputError(
                f"force_model {fm!r} is not a ForceModel", name="force_model", value=fm
            )
        if self.method == "kepler" and (fm.gravity.kind != "point-mass" or not fm.is_zonal_only):
            raise InputError(
                "method 'kepler' is analytic two-body motion; use force_model="
                "ForceModel.two_body() or method='dop853' for perturbed motion",
                name="method",
                value=self.method,
            )
        for name in ("rtol", "atol", "step_s"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(
                    f"{name} = {value!r}; expected a finite number > 0", name=name, value=value
                )
        if self.rtol < 1e-14:
            raise InputError(
                f"rtol = {self.rtol!r} is below what float64 can deliver; expected >= 1e-14",
                name="rtol",
                value=self.rtol,
                valid=">= 1e-14",
            )
        if int(self.max_steps) < 1:
            raise InputError("max_steps must be >= 1", name="max_steps", value=self.max_steps)

    # -- kernel-level
    @property
    def _code(self) -> int:
        return _METHOD_CODE[self.method]

    @property
    def _stop_radius(self) -> float:
        return self.force_model.earth.radius_km + REENTRY_ALTITUDE_KM

    def _params(self, epoch: Time | None) -> np.ndarray:
        if epoch is None:
            if self.force_model.needs_epoch:
                raise InputError(
                    "this force model (Sun, Moon or Harris-Priester bulge) needs the epoch; "
                    "pass epoch=...",
                    name="epoch",
                )
            return self.force_model.build()
        return self.force_model.build(float(epoch.tt.jd))

    def propagate_rv(
        self, rv0_km, t_s, *, impulses_t_s=None, impulses_dv_km_s=None, epoch=None
    ) -> np.ndarray:
        """Kernel-level fast path: states (len(t_s), 6) in km, km/s at ``t_s`` seconds
        after the initial state (sorted; may straddle 0), with inertial impulses.

        Parameters
        ----------
        rv0_km : array (6,)
        t_s : array (n,), non-decreasing seconds from the initial epoch.
        impulses_t_s : array (k,), impulse times (s); an output at an impulse time gets
            the post-impulse state.
        impulses_dv_km_s : array (k, 3), inertial delta-v's (km/s).
        epoch : Time, optional
            Initial epoch; needed only for Sun, Moon or Harris-Priester.

        Raises
        ------
        PropagationError
            Re-entry below 100 km before the last output time (``last_epoch`` is the
            re-entry time in seconds), or a solver failure.
        """
        y0 = check_finite(rv0_km, "rv0_km").reshape(-1)
        if y0.shape != (6,):
            raise InputError(f"rv0_km has shape {y0.shape}; expected (6,)", name="rv0_km")
        t = check_finite(np.atleast_1d(t_s), "t_s").astype(float).ravel()
        if np.any(np.diff(t) < 0):
            raise EpochOrderError("t_s is not sorted in increasing order", name="t_s", value=t)
        if impulses_t_s is None:
            it = np.zeros(0)
            idv = np.zeros((0, 3))
        else:
            it = check_finite(np.atleast_1d(impulses_t_s), "impulses_t_s").astype(float).ravel()
            idv = check_finite(impulses_dv_km_s, "impulses_dv_km_s").reshape(-1, 3)
            if idv.shape[0] != it.shape[0]:
                raise InputError(
                    f"{it.shape[0]} impulse times but {idv.shape[0]} delta-v vectors",
                    name="impulses_dv_km_s",
                    value=idv.shape,
                )
        p = self._params(None if epoch is None else as_time(epoch))
        out = np.empty((t.size, 6))
        neg = t < 0
        for mask, sign in ((neg, -1.0), (~neg, 1.0)):
            if not np.any(mask):
                continue
            tt = t[mask] if sign > 0 else t[mask][::-1]
            order = np.argsort(sign * it, kind="stable")
            res, filled, t_stop, st = _propagate_rv_kernel(
                self._code,
                y0,
                np.ascontiguousarray(tt),
                it[order],
                np.ascontiguousarray(idv[order]),
                p,
                float(self.rtol),
                float(self.atol),
                float(self.step_s),
                int(self.max_steps),
                self._stop_radius,
            )
            if st != _OK or filled < tt.size:
                what = (
                    "re-entered (altitude < 100 km)"
                    if st == _REENTRY
                    else _STATUS_TEXT.get(st, "stopped")
                )
                raise PropagationError(
                    f"propagation {what} at t = {t_stop:.3f} s, before the last output time "
                    f"{tt[-1]:.3f} s",
                    last_epoch=t_stop,
                )
            out[mask] = res if sign > 0 else res[::-1]
        return out

    # -- arcs
    def _arc(self, t0: float, y0: np.ndarray, t1: float, p: np.ndarray):
        """One arc as a _Segment and the kernel status."""
        mu = self.force_model.earth.mu_km3_s2
        if self.method == "dop853":
            ts, ys, Fs, st = _dop853_arc(
                t0,
                y0,
                t1,
                p,
                float(self.rtol),
                float(self.atol),
                int(self.max_steps),
                self._stop_radius,
            )
            return _Segment("dop853", ts, ys, Fs, mu), int(st)
        if self.method == "rk4":
            ts, ys, fs, st = _rk4_arc(t0, y0, t1, float(self.step_s), p, self._stop_radius)
            seg = _Segment("rk4", ts, ys, fs, mu)
            if st == _REENTRY:
                # Locate the crossing on the Hermite interpolant of the last step.
                from scipy.optimize import brentq

                a, b = ts[-2], ts[-1]
                tc = brentq(
                    lambda t: np.linalg.norm(seg.eval(t)[0, :3]) - self._stop_radius,
                    min(a, b),
                    max(a, b),
                    xtol=1e-7,
                )
                seg = seg.truncated(tc, seg.eval(tc)[0])
                seg = _Segment(
                    "rk4",
                    np.append(seg.ts[:-1], tc),
                    np.vstack([seg.ys[:-1], seg.eval(tc)]),
                    seg.coef,
                    mu,
                )
            return seg, int(st)
        # Kepler: nodes every 1/64 period, evaluated analytically.
        r0 = np.linalg.norm(y0[:3])
        energy = 0.5 * np.dot(y0[3:], y0[3:]) - mu / r0
        period = 2 * np.pi * np.sqrt((-mu / (2 * energy)) ** 3 / mu) if energy < 0 else abs(t1 - t0)
        n = max(1, int(np.ceil(abs(t1 - t0) / (period / 64.0))))
        ts = np.linspace(t0, t1, n + 1)
        ys = _kepler_many(mu, np.repeat(y0[None], n + 1, 0), ts - t0)
        rn = np.linalg.norm(ys[:, :3], axis=1)
        if np.any(rn < self._stop_radius):
            # Perigee below the re-entry altitude: stop at the first crossing.
            from scipy.optimize import brentq

            i = int(np.argmax(rn < self._stop_radius))
            if i == 0:
                return _Segment("kepler", ts[:1], ys[:1], None, mu), _REENTRY
            seg = _Segment("kepler", ts, ys, None, mu)
            tc = brentq(
                lambda t: np.linalg.norm(seg.eval(t)[0, :3]) - self._stop_radius,
                min(ts[i - 1], ts[i]),
                max(ts[i - 1], ts[i]),
                xtol=1e-7,
            )
            return seg.truncated(tc, seg.eval(tc)[0]), _REENTRY
        return _Segment("kepler", ts, ys, None, mu), _OK

    def _leg(self, epoch0, y0, t_end, burns, events, p):
        """Propagate from 0 to t_end through the burns (sorted in integration order)."""
        segments, records, applied = [], [], []
        t, y = 0.0, y0.copy()
        backward = t_end < 0
        stops = [(tb, b) for tb, b in burns] + [(t_end, None)]

        def record(tc, yc, name, terminal):
            ep = epoch0 + TimeDelta(tc, format="sec")
            return EventRecord(name, ep, State.from_vectors(ep, yc[:3], yc[3:]), terminal)

        for t_stop, burn in stops:
            if t_stop != t:
                seg, st = self._arc(t, y, t_stop, p)
                if st not in (_OK, _REENTRY):
                    t_last = float(seg.ts[-1])
                    raise PropagationError(
                        f"propagation failed: {_STATUS_TEXT[st]} at {t_last:.3f} s after "
                        f"{epoch0.utc.isot} UTC (method {self.method}, rtol {self.rtol}, "
                        f"atol {self.atol})",
                        last_epoch=epoch0 + TimeDelta(t_last, format="sec"),
                    )
                t_reentry = float(seg.ts[-1]) if st == _REENTRY else None
                found = _find_events(seg, events, t_reentry)
                term = next((e for e in found if e[3]), None)
                if term is not None:
                    tc, yc, name, _ = term
                    seg = seg.truncated(tc, yc)
                    keep = [e for e in found if (e[0] <= tc if not backward else e[0] >= tc)]
                    records += [record(*e) for e in keep]
                    segments.append((seg, (min(t, tc), max(t, tc))))
                    return (
                        segments,
                        records,
                        applied,
                        "terminated",
                        f"terminal event {name!r} at {tc:.3f} s",
                    )
                records += [record(*e) for e in found]
                segments.append((seg, (seg.lo, seg.hi)))
                y = seg.ys[-1].copy()
                if st == _REENTRY:
                    tc = float(seg.ts[-1])
                    records.append(record(tc, y, "reentry", True))
                    ep = epoch0 + TimeDelta(tc, format="sec")
                    return (
                        segments,
                        records,
                        applied,
                        "reentry",
                        (
                            f"re-entry: altitude fell below {REENTRY_ALTITUDE_KM:g} km at "
                            f"{ep.utc.isot} UTC "
                            f"({tc:.3f} s after the initial epoch)"
                        ),
                    )
                t = t_stop
            if burn is not None:
                dv = burn.dv_km_s
                if not backward:
                    y[3:] += _dv_to_inertial(burn.frame, y[:3], y[3:], dv)
                else:
                    # y is post-burn; the frame is the pre-burn state's: fixed-point iteration.
                    pre = y.copy()
                    for _ in range(4):
                        pre[3:] = y[3:] - _dv_to_inertial(burn.frame, pre[:3], pre[3:], dv)
                    y = pre
                applied.append(burn)
        return segments, records, applied, "success", "propagation completed"

    def propagate(self, state: State, to, *, burns=(), events=(), output_step=None) -> Trajectory:
        """Propagate ``state`` to ``to``, applying ``burns`` and locating ``events``.

        Parameters
        ----------
        state : State
        to : Time (end epoch), Time array (output epochs, non-decreasing; may straddle
            the initial epoch), or a TimeDelta / time Quantity (negative = backward).
        burns : sequence of Burn
            Applied at their exact epochs (the arc is split and the integrator
            restarted); all must lie inside the propagation span.
        events : sequence of Event or callables g(t_s, y)
            ``t_s`` is seconds since ``state.epoch``. Re-entry (altitude < 100 km) is
            always detected and terminal.
        output_step : TimeDelta or time Quantity, optional
            Uniform sampling of the result; by default the samples are the integrator's
            steps (or the requested epochs).

        Returns
        -------
        Trajectory

        Raises
        ------
        InputError
            Bad state, unordered output epochs, burns outside the span.
        PropagationError
            The integrator failed (``last_epoch`` says where).
        """
        if not isinstance(state, State):
            raise InputError(
                f"state must be a State, got {type(state).__name__}", name="state", value=state
            )
        epoch0 = state.epoch
        t_out, t_lo, t_hi = _parse_to(state, to)
        events = tuple(events)
        for ev in events:
            _event_meta(ev)
        bl = []
        for b in tuple(burns):
            if not isinstance(b, Burn):
                raise InputError(f"burn {b!r} is not a Burn", name="burns", value=b)
            tb = float((b.epoch - epoch0).to_value(u.s))
            if not (t_lo <= tb <= t_hi):
                raise InputError(
                    f"burn {b.label or '(unnamed)'} at {b.epoch.utc.isot} UTC is outside the "
                    f"propagation span [{t_lo:.3f}, {t_hi:.3f}] s from {epoch0.utc.isot} UTC",
                    name="burns",
                    value=b.epoch,
                )
            bl.append((tb, b))
        p = self._params(epoch0)
        y0 = state.rv_km.astype(float)
        if np.linalg.norm(y0[:3]) < self._stop_radius:
            seg = _Segment(
                "kepler" if self.method == "kepler" else "rk4",
                np.array([0.0]),
                y0[None],
                y0[None],
                0.0,
            )
            rec = EventRecord("reentry", epoch0, state, True)
            return Trajectory(
                epoch0,
                np.array([0.0]),
                y0[None],
                (rec,),
                (),
                "reentry",
                f"re-entry: the initial altitude is below {REENTRY_ALTITUDE_KM:g} km",
                self.method,
                (seg,),
                (0.0, 0.0),
                state,
            )
        legs = []
        if t_lo < 0:
            back = sorted([x for x in bl if x[0] < 0], key=lambda x: -x[0])
            legs.append(self._leg(epoch0, y0, t_lo, back, events, p))
        if t_hi > 0 or t_lo == 0:
            fwd = sorted([x for x in bl if x[0] >= 0], key=lambda x: x[0])
            legs.append(self._leg(epoch0, y0, t_hi, fwd, events, p))
        segs, records, applied, status, messages = [], [], [], "success", []
        for lseg, lrec, lapp, lstat, lmsg in legs:
            segs += lseg
            records += lrec
            applied += lapp
            if lstat != "success":
                status = lstat
            messages.append(lmsg)
        segs.sort(key=lambda s: (s[1][0], s[1][1]))
        span = (
            min(s[1][0] for s in segs) if segs else 0.0,
            max(s[1][1] for s in segs) if segs else 0.0,
        )
        segments = tuple(s[0] for s in segs)
        if not segments:  # zero-length propagation
            segments = (_Segment("rk4", np.array([0.0]), y0[None], y0[None], 0.0),)
        traj = Trajectory(
            epoch0,
            np.zeros(0),
            np.zeros((0, 6)),
            (),
            (),
            status,
            "",
            self.method,
            segments,
            span,
            state,
        )
        if t_out is not None:
            ts = t_out[(t_out >= span[0]) & (t_out <= span[1])]
        elif output_step is not None:
            dt = as_duration_s(output_step, "output_step")
            if dt <= 0:
                raise InputError(
                    f"output_step {dt} s must be positive", name="output_step", value=dt
                )
            ts = np.arange(span[0], span[1], dt)
            ts = np.append(ts, span[1]) if ts.size == 0 or ts[-1] < span[1] else ts
        else:
            nodes = []
            for seg, (a, b) in segs:
                tt = seg.ts[(seg.ts >= a) & (seg.ts <= b)]
                tt = np.sort(np.unique(np.concatenate([tt, [a, b]])))
                nodes.append(tt)
            ts = np.unique(np.concatenate(nodes))
        rv = traj._eval(ts) if ts.size else np.zeros((0, 6))
        records.sort(key=lambda r: float((r.epoch - epoch0).to_value(u.s)))
        applied.sort(key=lambda b: float((b.epoch - epoch0).to_value(u.s)))
        message = "; ".join(m for m in messages)
        if t_out is not None and ts.size < t_out.size:
            message += (
                f"; {t_out.size - ts.size} requested epoch(s) beyond the end were not reached"
            )
        return Trajectory(
            epoch0,
            ts,
            rv,
            tuple(records),
            tuple(applied),
            status,
            message,
            self.method,
            segments,
            span,
            state,
        )


# --------------------------------------------------------------------------- batch
@dataclass(frozen=True, slots=True)
class BatchHistory:
    """States of a batch at common epochs: ``rv_km`` (n_samples, n_epochs, 6); rows of a
    sample that re-entered are NaN after its re-entry (``status`` 1)."""

    epochs: Time
    rv_km: np.ndarray
    status: np.ndarray


def propagate_batch(
    states: StateBatch,
    duration,
    *,
    force_model: ForceModel | None = None,
    step=None,
    output: str = "final",
    output_step=None,
    rtol: float = 1e-9,
    atol: float = 1e-9,
):
    """Propagate N states (one common epoch) together, in parallel compiled code.

    Parameters
    ----------
    states : StateBatch
        n states at one epoch (N up to 1e5 and more: memory is O(n) for ``"final"``).
    duration : TimeDelta or time Quantity (negative = backward)
    force_model : ForceModel, default ForceModel.default()
    step : time Quantity, optional
        If given, fixed-step RK4 with this step; otherwise adaptive DOP853 per sample
        with ``rtol``/``atol`` (the defaults are tuned for metre-level accuracy).
    output : {"final", "history"}
        "final": a StateBatch of final states. A sample that re-entered (altitude
        < 100 km) ends at its re-entry, so the batch then carries one epoch per sample.
        "history": a :class:`BatchHistory` at every ``output_step``.

    Raises
    ------
    PropagationError
        If any sample's integration failed (the indices are in the message).
    """
    if not isinstance(states, StateBatch):
        raise InputError(f"states must be a StateBatch, got {type(states).__name__}", name="states")
    epoch0 = states.epochs
    if not epoch0.isscalar:
        if np.any(np.abs((epoch0 - epoch0[0]).to_value(u.s)) > 0.0):
            raise InputError(
                "propagate_batch needs states at one common epoch; propagate each group "
                "of equal epochs separately",
                name="states",
            )
        epoch0 = epoch0[0]
    if output not in ("final", "history"):
        raise UnknownNameError("batch output", output, ("final", "history"))
    prop = Propagator(
        force_model=force_model,
        method="dop853" if step is None else "rk4",
        rtol=rtol,
        atol=atol,
        step_s=10.0 if step is None else as_duration_s(step, "step"),
    )
    t_end = as_duration_s(duration, "duration")
    y0s = np.ascontiguousarray(states.rv_km, dtype=float)
    p = prop._params(epoch0)
    args = (
        float(prop.rtol),
        float(prop.atol),
        float(prop.step_s),
        int(prop.max_steps),
        prop._stop_radius,
    )
    if output == "final":
        if prop.method == "dop853":
            y, tstop, st = _batch_final_lockstep(y0s, t_end, p, *args[:2], *args[3:])
        else:
            y, tstop, st = _batch_final(prop._code, y0s, t_end, p, *args)
        bad = np.flatnonzero((st != _OK) & (st != _REENTRY))
        if bad.size:
            raise PropagationError(
                f"{bad.size} sample(s) failed ({_STATUS_TEXT[int(st[bad[0]])]}), indices "
                f"{bad[:10].tolist()}",
                last_epoch=epoch0 + TimeDelta(float(tstop[bad[0]]), format="sec"),
            )
        if np.all(st == _OK):
            ep = epoch0 + TimeDelta(t_end, format="sec")
        else:
            ep = epoch0 + TimeDelta(tstop, format="sec")
        return StateBatch.from_vectors(ep, y[:, :3], y[:, 3:])
    if output_step is None:
        raise InputError("output='history' needs output_step", name="output_step")
    dt = as_duration_s(output_step, "output_step")
    if dt <= 0:
        raise InputError(f"output_step {dt} s must be positive", name="output_step", value=dt)
    n = int(math.floor(abs(t_end) / dt + 1e-9))
    t_out = np.sign(t_end) * dt * np.arange(1, n + 1) if t_end else np.zeros(0)
    if t_out.size == 0 or t_out[-1] != t_end:
        t_out = np.append(t_out, t_end)
    res, filled, st = _batch_history(prop._code, y0s, t_out, p, *args)
    bad = np.flatnonzero((st != _OK) & (st != _REENTRY))
    if bad.size:
        raise PropagationError(f"{bad.size} sample(s) failed, indices {bad[:10].tolist()}")
    return BatchHistory(epoch0 + TimeDelta(t_out, format="sec"), res, st)


# --------------------------------------------------------------------------- diagnostics
def _rv_of(rv) -> np.ndarray:
    if hasattr(rv, "rv_km"):
        return np.asarray(rv.rv_km, dtype=float)
    return check_finite(rv, "rv")


def specific_energy(rv, mu_km3_s2: float = EARTH.mu_km3_s2) -> u.Quantity:
    """Two-body specific orbital energy v^2/2 - mu/r (km^2/s^2), conserved by point-mass
    motion. ``rv``: (..., 6) km and km/s, a State, StateBatch or Trajectory."""
    y = _rv_of(rv)
    r = np.sqrt(np.einsum("...i,...i->...", y[..., :3], y[..., :3]))
    return (0.5 * np.einsum("...i,...i->...", y[..., 3:], y[..., 3:]) - mu_km3_s2 / r) * (
        u.km**2 / u.s**2
    )


def zonal_jacobi_integral(rv, earth: EarthModel = EARTH, max_degree: int = 4) -> u.Quantity:
    r"""Jacobi-like integral of an axisymmetric, uniformly rotating field (km^2/s^2).

    :math:`C = v^2/2 - U(r) - \omega_\oplus (x v_y - y v_x)`, inertial r and v: the
    energy in the frame rotating with the Earth, conserved exactly by zonal gravity
    (U time-independent in that frame); for a zonal-only field the rotation term is
    itself constant (h_z is conserved), so C and the inertial energy are both integrals.

    References
    ----------
    Landau & Lifshitz, *Mechanics*, 3rd ed., sec. 39 (energy in a rotating frame);
    Montenbruck & Gill (2000), eq. 3.7 (zonal potential).
    """
    y = _rv_of(rv)
    v2 = np.einsum("...i,...i->...", y[..., 3:], y[..., 3:])
    hz = y[..., 0] * y[..., 4] - y[..., 1] * y[..., 3]
    return (0.5 * v2 - zonal_potential(y[..., :3], earth, max_degree) - earth.omega_rad_s * hz) * (
        u.km**2 / u.s**2
    )
