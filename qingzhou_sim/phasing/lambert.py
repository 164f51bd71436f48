r"""Two-impulse phasing by multi-revolution Lambert arcs (Izzo 2015, boinor), minimum
total delta-v over burn epochs and revolution counts."""

from __future__ import annotations

import functools
import math

import astropy.units as u
import numpy as np
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


def _izzo(mu, r1, r2, tof, m, lowpath):
    izzo = _izzo_kernel()
    try:
        return izzo(mu, r1, r2, tof, m, True, lowpath, 35, 1e-8)
    except (ValueError, AssertionError, ZeroDivisionError):
        return None


def _lambert_pair(mu, c1, tgt2, tof, m_max):
    """Best (total dv, M, lowpath, dv1, dv2) over revolution counts and branches."""
    best = None
    for m in range(0, m_max + 1):
        for low in (True, False) if m > 0 else (True,):
            sol = _izzo(mu, c1[:3], tgt2[:3], tof, m, low)
            if sol is None:
                continue
            v1, v2 = sol
            d1, d2 = v1 - c1[3:], tgt2[3:] - v2
            # what np.linalg.norm computes for a 1-D array, without its dispatch overhead
            tot = math.sqrt(d1 @ d1) + math.sqrt(d2 @ d2)
            if np.isfinite(tot) and (best is None or tot < best[0]):
                best = (tot, m, low, d1, d2)
    return best


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
