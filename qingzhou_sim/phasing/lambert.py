r"""Two-impulse phasing by multi-revolution Lambert arcs (Izzo 2015, boinor), minimum
total delta-v over burn epochs and revolution counts."""

from __future__ import annotations

import math

import astropy.units as u
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from scipy.optimize import minimize

from ..constants import as_duration_s
from ..errors import InfeasiblePlanError, PropagationError
from ..frames import _relative_to_inertial
from ..state import State, _rv_to_elements
from ._common import _finish, _setup
from ._kernels import _kepler
from .core import (
    PhasingPlan,
    _make_dynamics,
)

__all__ = ["plan_lambert"]


# ----------------------------------------------------------------- Lambert
# The solver as the scans call it: prograde, at most 35 iterations, rtol 1e-8.
_IZZO_ARGS = (True, 35, 1e-8)
_SQRT_06, _SQRT_14 = math.sqrt(0.6), math.sqrt(1.4)


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's ``llvm.fma``)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        f64 = ir.DoubleType()
        fnty = ir.FunctionType(f64, [f64, f64, f64])
        return builder.call(builder.module.declare_intrinsic("llvm.fma", [f64], fnty), args)

    return sig, codegen


_inlined = numba.njit(cache=True, error_model="numpy", inline="always")


@_inlined
def _norm3(d0, d1, d2):
    """|(d0, d1, d2)|, the squares added by fused multiply-adds in order (as
    OpenBLAS's ddot does on x86-64 with FMA, so the same bits as ``math.sqrt(d @ d)``
    in numpy and in boinor's ``norm``, which this solver's results used to be computed
    with)."""
    return math.sqrt(_fma(d2, d2, _fma(d1, d1, d0 * d0)))


@_inlined
def _dv_norm(a, b):
    """|a - b| for 3-vectors (:func:`_norm3`)."""
    return _norm3(a[0] - b[0], a[1] - b[1], a[2] - b[2])


@numba.njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _tof_eq(x, y, ll, m):
    """Izzo (2015) non-dimensional time of flight T(x) (eq. 18, psi from eq. 17), by
    Battin's hypergeometric series near x = 1 on the single-revolution branch (eq. 20);
    NaN for x = 1 off it. ``m`` a float. (Called from compiled code only: numba builds
    no Python entry point for it.)"""
    if m == 0.0 and _SQRT_06 < x < _SQRT_14:
        eta = y - ll * x
        s1 = (1 - ll - x * eta) * 0.5
        # 2F1(3, 1, 5/2, s1) (Battin 1999), summed until it stops changing
        q = np.inf
        if s1 < 1.0:
            q = 1.0
            term = 1.0
            ii = 0
            while True:
                term = term * (3 + ii) * (1 + ii) / (5 / 2 + ii) * s1 / (ii + 1)
                q_old = q
                q += term
                if q_old == q:
                    break
                ii += 1
        q = 4 / 3 * q
        return (eta**3 * q + 4 * ll * eta) * 0.5
    if -1 <= x < 1:
        psi = math.acos(x * y + ll * (1 - x**2))
    elif x > 1:
        psi = math.asinh((y - x * ll) * math.sqrt(x**2 - 1))
    else:
        psi = 0.0
    return ((psi + m * math.pi) / math.sqrt(abs(1 - x**2)) - x + ll * y) / (1 - x**2)


@_inlined
def _tof_derivs(x, y, t, ll):
    """dT/dx, d2T/dx2, d3T/dx3 at x (Izzo 2015, eq. 22)."""
    d1 = (3 * t * x - 2 + 2 * ll**3 * x / y) / (1 - x**2)
    d2 = (3 * t + 5 * x * d1 + 2 * (1 - ll**2) * ll**3 / y**3) / (1 - x**2)
    d3 = (7 * x * d2 + 8 * d1 - 6 * (1 - ll**2) * ll**5 * x / y**5) / (1 - x**2)
    return d1, d2, d3


@_inlined
def _izzo_x(ll, t, m, lowpath, numiter, rtol):
    """Izzo's variable x of the transfer with ``m`` revolutions on the given branch
    (Izzo 2015, sec. 3: initial guess eq. 30 and after it, Householder iterations), NaN
    where there is none (more revolutions than the time of flight allows, no
    convergence in ``numiter`` iterations, |ll| >= 1). The operations of boinor's
    ``izzo._find_xy``, whose exceptions are NaN here."""
    if not (abs(ll) < 1 and t > 0):
        return math.nan
    # Largest feasible revolution count: T_min of the m_max branch by Halley iterations
    m_max = np.floor(t / math.pi)
    t00 = math.acos(ll) + ll * math.sqrt(1 - ll**2)
    if t < t00 + m_max * math.pi and m_max > 0:
        x = 0.1
        y = math.sqrt(1 - ll**2 * (1 - x**2))
        tx = _tof_eq(x, y, ll, m_max)
        found = False
        for _ in range(numiter):
            y = math.sqrt(1 - ll**2 * (1 - x**2))
            d1, d2, d3 = _tof_derivs(x, y, tx, ll)
            if d2 == 0:
                return math.nan
            xn = x - 2 * d1 * d2 / (2 * d2**2 - d1 * d3)
            if abs(xn - x) < rtol:
                x, found = xn, True
                break
            x = xn
        if not found:
            return math.nan
        t_min = _tof_eq(x, math.sqrt(1 - ll**2 * (1 - x**2)), ll, m_max)
        if t < t_min:
            m_max -= 1
    if m > m_max:
        return math.nan
    # Initial guess
    if m == 0:
        t0 = math.acos(ll) + ll * math.sqrt(1 - ll**2) + m * math.pi  # eq. 19
        t1 = 2 * (1 - ll**3) / 3  # eq. 21
        if t >= t0:
            x = (t0 / t) ** (2 / 3) - 1
        elif t < t1:
            x = 5 / 2 * t1 / t * (t1 - t) / (1 - ll**5) + 1
        else:
            # the corrected guess (poliastro issue 1362)
            x = math.exp(math.log(2) * math.log(t / t0) / math.log(t1 / t0)) - 1
    else:
        a = ((m * math.pi + math.pi) / (8 * t)) ** (2 / 3)
        b = ((8 * t) / (m * math.pi)) ** (2 / 3)
        x0l = (a - 1) / (a + 1)
        x0r = (b - 1) / (b + 1)
        if math.isnan(x0l) or math.isnan(x0r):
            x = math.nan
        elif lowpath:
            x = x0l if x0l >= x0r else x0r
        else:
            x = x0l if x0l <= x0r else x0r
    # Householder iterations (quartic)
    for _ in range(numiter):
        y = math.sqrt(1 - ll**2 * (1 - x**2))
        fval = _tof_eq(x, y, ll, float(m)) - t
        d1, d2, d3 = _tof_derivs(x, y, fval + t, ll)
        xn = x - fval * ((d1**2 - fval * d2 / 2) / (d1 * (d1**2 - fval * d2) + d3 * fval**2 / 6))
        if abs(xn - x) < rtol:
            return xn
        x = xn
    return math.nan


@numba.njit(cache=True, error_model="numpy")
def _izzo_solve(mu, r1, r2, tof, m, prograde, lowpath, numiter, rtol, w1, w2):
    """Velocities ``w1`` at r1 and ``w2`` at r2 (written in place) of the transfer from
    r1 to r2 in ``tof`` s with ``m`` full revolutions; False (w1, w2 untouched) where
    there is none. Izzo (2015), "Revisiting Lambert's problem", CMDA 121, 1-15: the
    operations of boinor's ``boinor.core.iod.izzo`` on scalars, so the same bits."""
    if not (tof > 0 and mu > 0):
        return False
    h0 = r1[1] * r2[2] - r1[2] * r2[1]
    h1 = r1[2] * r2[0] - r1[0] * r2[2]
    h2 = r1[0] * r2[1] - r1[1] * r2[0]
    if h0 == 0.0 and h1 == 0.0 and h2 == 0.0:
        return False  # collinear: the plane of the transfer is undefined
    c_norm = _norm3(r2[0] - r1[0], r2[1] - r1[1], r2[2] - r1[2])
    r1n = _norm3(r1[0], r1[1], r1[2])
    r2n = _norm3(r2[0], r2[1], r2[2])
    s = (r1n + r2n + c_norm) * 0.5
    a0, a1, a2 = r1[0] / r1n, r1[1] / r1n, r1[2] / r1n
    b0, b1, b2 = r2[0] / r2n, r2[1] / r2n, r2[2] / r2n
    h0 = a1 * b2 - a2 * b1
    h1 = a2 * b0 - a0 * b2
    h2 = a0 * b1 - a1 * b0
    hn = _norm3(h0, h1, h2)
    h0, h1, h2 = h0 / hn, h1 / hn, h2 / hn
    cs = c_norm / s
    ll = math.sqrt(1 - (cs if cs < 1.0 else 1.0))
    # tangential directions: i_t = i_h x i_r (or i_r x i_h with ll < 0 when i_h
    # points south), both reversed for a retrograde transfer
    sgn = 1.0
    if h2 < 0:
        ll = -ll
        sgn = -1.0
    if not prograde:
        ll = -ll
        sgn = -sgn
    t = math.sqrt(2 * mu / s**3) * tof
    x = _izzo_x(ll, t, m, lowpath, numiter, rtol)
    if math.isnan(x):
        return False
    y = math.sqrt(1 - ll**2 * (1 - x**2))
    gamma = math.sqrt(mu * s / 2)
    rho = (r1n - r2n) / c_norm
    sigma = math.sqrt(1 - rho**2)
    vr1 = gamma * ((ll * y - x) - rho * (ll * y + x)) / r1n
    vr2 = -gamma * ((ll * y - x) + rho * (ll * y + x)) / r2n
    vt1 = gamma * sigma * (y + ll * x) / r1n
    vt2 = gamma * sigma * (y + ll * x) / r2n
    # i_t1 = sgn (i_h x i_r1), i_t2 = sgn (i_h x i_r2)
    t1x, t1y, t1z = sgn * (h1 * a2 - h2 * a1), sgn * (h2 * a0 - h0 * a2), sgn * (h0 * a1 - h1 * a0)
    t2x, t2y, t2z = sgn * (h1 * b2 - h2 * b1), sgn * (h2 * b0 - h0 * b2), sgn * (h0 * b1 - h1 * b0)
    w1[0] = vr1 * (r1[0] / r1n) + vt1 * t1x
    w1[1] = vr1 * (r1[1] / r1n) + vt1 * t1y
    w1[2] = vr1 * (r1[2] / r1n) + vt1 * t1z
    w2[0] = vr2 * (r2[0] / r2n) + vt2 * t2x
    w2[1] = vr2 * (r2[1] / r2n) + vt2 * t2y
    w2[2] = vr2 * (r2[2] / r2n) + vt2 * t2z
    return True


@numba.njit(cache=True, error_model="numpy")
def _lambert_cell(mu, r1, v1, r2, v2, tof, m_max, prograde, numiter, rtol):
    """Cheapest Lambert arc from (r1, v1) to (r2, v2) in ``tof`` s over revolutions
    0..``m_max`` and both branches: (total delta-v km/s, revolutions, branch; 0 = low
    path), (inf, -1, -1) if none. The first of equal totals wins."""
    best, best_m, best_branch = np.inf, -1, -1
    w1, w2 = np.empty(3), np.empty(3)
    for m in range(m_max + 1):
        for branch in range(2 if m > 0 else 1):
            if not _izzo_solve(mu, r1, r2, tof, m, prograde, branch == 0, numiter, rtol, w1, w2):
                continue
            tot = _dv_norm(w1, v1) + _dv_norm(v2, w2)
            if math.isfinite(tot) and tot < best:
                best, best_m, best_branch = tot, m, branch
    return best, best_m, best_branch


def _izzo(mu, r1, r2, tof, m, lowpath):
    """Velocities (v1, v2) (km/s) of the Lambert arc from r1 to r2 (km) in ``tof`` s
    with ``m`` revolutions, prograde, on the low (``lowpath``) or high branch, or None
    where there is none (:func:`_izzo_solve`)."""
    prograde, numiter, rtol = _IZZO_ARGS
    w1, w2 = np.empty(3), np.empty(3)
    r1 = np.ascontiguousarray(r1, dtype=float)
    r2 = np.ascontiguousarray(r2, dtype=float)
    ok = _izzo_solve(
        float(mu), r1, r2, float(tof), int(m), prograde, bool(lowpath), numiter, rtol, w1, w2
    )
    return (w1, w2) if ok else None


def _lambert_pair(mu, c1, tgt2, tof, m_max):
    """Best (total dv, M, lowpath, dv1, dv2) over revolution counts and branches (the
    compiled :func:`_lambert_cell`; the chosen arc's impulses from one more solve), or
    None if no branch has a transfer."""
    r1, v1 = np.ascontiguousarray(c1[:3]), np.ascontiguousarray(c1[3:])
    r2, v2 = np.ascontiguousarray(tgt2[:3]), np.ascontiguousarray(tgt2[3:])
    tot, m, branch = _lambert_cell(mu, r1, v1, r2, v2, float(tof), int(m_max), *_IZZO_ARGS)
    if not math.isfinite(tot):
        return None
    low = branch == 0
    w1, w2 = _izzo(mu, c1[:3], tgt2[:3], tof, m, low)
    return (tot, m, low, w1 - c1[3:], tgt2[3:] - w2)


def _lambert_search(
    mu, rv0, target_T, t_end, t_min, n_grid=24, m_max=None, refine=True, arrive_at_end=False
):
    """Grid search over (t1, t2) and revolutions, then Nelder-Mead refinement.

    Returns (total dv km/s, t1, t2, dv1, dv2, M) with the target state at t2 obtained
    by propagating the hand-over state back from ``t_end`` (two-body). With
    ``arrive_at_end`` the arc ends at the hand-over epoch (t2 = t_end)."""
    a = float(_rv_to_elements(mu, rv0[:3], rv0[3:])[0])
    period_min = 2 * np.pi * np.sqrt(a**3 / mu)
    tof_min = 0.1 * period_min
    if t_end - t_min < tof_min:
        raise InfeasiblePlanError(
            f"Lambert phasing: only {(t_end - t_min) / 60:.1f} min between the earliest burn "
            f"and the hand-over; expected at least {tof_min / 60:.1f} min",
            name="handover_time",
            value=t_end * u.s,
        )

    def c_at(t):
        return np.concatenate(_kepler(mu, rv0[:3], rv0[3:], t))

    def tgt_at(t):
        return np.concatenate(_kepler(mu, target_T[:3], target_T[3:], t - t_end))

    def evaluate(t1, t2):
        tof = t2 - t1
        if t1 < t_min or t2 > t_end or tof < tof_min:
            return None
        mm = int(tof / period_min) if m_max is None else min(m_max, int(tof / period_min))
        return _lambert_pair(mu, c_at(t1), tgt_at(t2), tof, mm)

    t1s = np.linspace(t_min, t_end - tof_min, n_grid)
    best = None
    for t1 in t1s:
        t2s = [t_end] if arrive_at_end else np.linspace(t1 + tof_min, t_end, n_grid)
        c1 = c_at(t1)  # the same departure state for every arrival time of this row
        for t2 in t2s:
            tof = t2 - t1
            if t1 < t_min or t2 > t_end or tof < tof_min:
                continue
            mm = int(tof / period_min) if m_max is None else min(m_max, int(tof / period_min))
            r = _lambert_pair(mu, c1, tgt_at(t2), tof, mm)
            if r is not None and (best is None or r[0] < best[0]):
                best = (r[0], t1, t2)
    if best is None:
        raise InfeasiblePlanError(
            "Lambert phasing: no transfer found between insertion and hand-over",
            name="handover_time",
            value=t_end * u.s,
        )
    if not refine:
        return best[0], best[1], best[2], None, None, None
    scale = (t_end - t_min) / n_grid

    def obj(x):
        t2 = t_end if arrive_at_end else best[2] + x[1] * scale
        r = evaluate(best[1] + x[0] * scale, t2)
        return 1e3 if r is None else r[0]

    res = minimize(
        obj,
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-9, "maxiter": 200},
    )
    t1 = best[1] + res.x[0] * scale
    t2 = t_end if arrive_at_end else best[2] + res.x[1] * scale
    r = evaluate(t1, t2)
    if r is None or r[0] > best[0]:
        t1, t2 = best[1], best[2]
        r = evaluate(t1, t2)
    return r[0], t1, t2, r[3], r[4], r[1]


def plan_lambert(
    chaser: State,
    station: State,
    *,
    handover_time,
    handover_r_lvlh: u.Quantity = [-5.0, 0.0, 0.0] * u.km,
    handover_v_lvlh: u.Quantity | None = None,
    earliest_burn: u.Quantity = 10 * u.min,
    max_revs: int | None = None,
    grid: int = 24,
    force_model=None,
    correct: bool = True,
    correct_epochs: bool = False,
    profile: str | None = None,
    _dyn=None,
) -> PhasingPlan:
    r"""Two-impulse phasing by multi-revolution Lambert arcs, minimum total delta-v.

    The first burn at ``t1`` puts the chaser on a Lambert arc (``M`` full revolutions,
    either branch) that meets, at ``t2``, the hand-over trajectory (the hand-over state
    propagated back from the hand-over epoch); the second burn matches its velocity.
    ``t1``, ``t2`` and ``M`` are searched on a grid, then refined (Nelder-Mead).

    Parameters
    ----------
    chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, correct, profile
        As in :func:`plan_coelliptic` (default hand-over 5 km behind on V-bar, at rest).
    earliest_burn : Quantity
        First burn no earlier than this after insertion.
    max_revs : int, optional
        Upper bound of the revolution count (default: what the time of flight allows).
    grid : int
        Grid points per epoch axis.
    correct_epochs : bool
        Let the correction move the two epochs as well (minimum delta-v).

    Returns
    -------
    PhasingPlan

    Raises
    ------
    InfeasiblePlanError, OrbitRangeError, PropagationError
        As :func:`plan_coelliptic`.

    References
    ----------
    Izzo (2015), "Revisiting Lambert's problem", CMDA 121, 1-15 (boinor's
    ``boinor.core.iod.izzo``); Vallado (2013), sec. 7.6.
    """
    pb = _setup(chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, _dyn)
    mu = pb.dyn.mu
    kepler = _make_dynamics("two-body")
    s_end = kepler.station(pb.station_rv0, np.array([pb.t_end_s]))[0]
    target_T = _relative_to_inertial("LVLH", s_end, pb.rel6)
    t_min = as_duration_s(earliest_burn, "earliest_burn")
    found = [_lambert_search(mu, pb.rv0, target_T, pb.t_end_s, t_min, grid, max_revs)]
    if correct and not pb.dyn.two_body and found[0][2] < pb.t_end_s - 1.0:
        # In two-body an early arrival at the hand-over point and a coast there cost the
        # same as arriving at the hand-over epoch; with J2 and drag the coast does not
        # stay at the point, so the arc that ends at the hand-over epoch is also tried.
        found.append(
            _lambert_search(
                mu, pb.rv0, target_T, pb.t_end_s, t_min, grid, max_revs, arrive_at_end=True
            )
        )
    plans = []
    for _, t1, t2, d1, d2, m in found:
        notes = [f"Lambert arc of {m} full revolution(s), {(t2 - t1) / 60:.1f} min"]
        try:
            plans.append(
                _finish(
                    pb,
                    "lambert",
                    profile,
                    np.array([t1, t2]),
                    np.array([d1, d2]),
                    ["TI", "TF"],
                    correct,
                    notes,
                    epochs=correct_epochs,
                )
            )
        except PropagationError:
            if len(found) == 1:
                raise
    if not plans:
        raise PropagationError(
            "lambert plan: full-force targeting did not converge", last_epoch=pb.chaser.epoch
        )
    return min(plans, key=lambda p: float(p.total_dv.to_value(u.m / u.s)))
