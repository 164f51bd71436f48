r"""Two-impulse phasing by multi-revolution Lambert arcs (Izzo 2015, boinor), minimum
total delta-v over burn epochs and revolution counts."""

from __future__ import annotations

import functools
import math

import astropy.units as u
import numba
import numpy as np
from boinor.core.iod import izzo as _izzo_nb
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
@functools.cache
def _izzo_kernel():
    """boinor's Izzo (2015) solver with numba's on-disk cache switched on.

    boinor compiles its kernels without ``cache=True``, which costs ~8 s of JIT in every
    new process (each CLI run, each campaign worker); the cache makes it ~0.1 s after the
    first compile on a machine.
    """
    import boinor.core.iod as iod

    for obj in vars(iod).values():
        if hasattr(obj, "enable_caching") and not getattr(obj, "signatures", ()):
            try:
                obj.enable_caching()
            except Exception:  # an unwritable location: compile in memory as before
                pass
    return iod.izzo


# boinor's Izzo solver as called here: prograde, 35 iterations, rtol 1e-8
_IZZO_ARGS = (True, 35, 1e-8)


def _izzo(mu, r1, r2, tof, m, lowpath):
    izzo = _izzo_kernel()
    prograde, numiter, rtol = _IZZO_ARGS
    try:
        return izzo(mu, r1, r2, tof, m, prograde, lowpath, numiter, rtol)
    except (ValueError, AssertionError, ZeroDivisionError):
        return None


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's ``llvm.fma``)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        f64 = ir.DoubleType()
        fnty = ir.FunctionType(f64, [f64, f64, f64])
        return builder.call(builder.module.declare_intrinsic("llvm.fma", [f64], fnty), args)

    return sig, codegen


@numba.njit(cache=True, inline="always")
def _dv_norm(a, b):
    """|a - b| for 3-vectors, the squares added by fused multiply-adds in order (as
    OpenBLAS's ddot does on x86-64 with FMA, so the same bits as ``math.sqrt(d @ d)``
    in numpy here, which this solver's results used to be computed with)."""
    d0, d1, d2 = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return math.sqrt(_fma(d2, d2, _fma(d1, d1, d0 * d0)))


@numba.njit(cache=True)
def _lambert_cell(mu, r1, v1, r2, v2, tof, m_max, prograde, numiter, rtol):
    """Cheapest Lambert arc from (r1, v1) to (r2, v2) in ``tof`` s over revolutions
    0..``m_max`` and both branches: (total delta-v km/s, revolutions, branch; 0 = low
    path), (inf, -1, -1) if none. A branch on which boinor's solver raises is skipped,
    whatever the error; the first of equal totals wins."""
    best, best_m, best_branch = np.inf, -1, -1
    for m in range(m_max + 1):
        for branch in range(2 if m > 0 else 1):
            try:
                w1, w2 = _izzo_nb(mu, r1, r2, tof, m, prograde, branch == 0, numiter, rtol)
            except Exception:  # noqa: BLE001 (no transfer on this branch)
                continue
            tot = _dv_norm(w1, v1) + _dv_norm(v2, w2)
            if math.isfinite(tot) and tot < best:
                best, best_m, best_branch = tot, m, branch
    return best, best_m, best_branch


def _lambert_pair(mu, c1, tgt2, tof, m_max):
    """Best (total dv, M, lowpath, dv1, dv2) over revolution counts and branches (the
    compiled :func:`_lambert_cell`; the chosen arc's impulses from one more solve), or
    None if no branch has a transfer."""
    _izzo_kernel()  # boinor's solver with numba's disk cache on, before it is linked
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
