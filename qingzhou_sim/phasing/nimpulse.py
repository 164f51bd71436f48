r"""N-impulse (N = 3..6) minimum-delta-v phasing with scipy SLSQP, warm-started from
the Lambert and co-elliptic plans; the benchmark of the other strategies. Re-planning
near a reference plan (the campaign's path) uses the compiled SQP of
:func:`._kernels._min_dv_sqp` instead."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from scipy.optimize import minimize

from ..constants import as_duration_s
from ..errors import InfeasiblePlanError, InputError, PropagationError
from ..frames import _relative_to_inertial
from ..state import State
from ._common import (
    _HANDOVER_BURN_TOL_S,
    _MIN_GAP_S,
    _finish,
    _seconds_after_insertion,
    _setup,
    _target_at_end,
)
from ._kernels import (
    _kepler_rv,
    _min_dv_sqp,
    _nimpulse_residual,
    _nimpulse_residual_jac,
    _primer_magnitude,
)
from .coelliptic import CoellipticSchedule, plan_coelliptic
from .core import (
    PhasingPlan,
    _build_plan,
    _make_dynamics,
)
from .lambert import _lambert_search
from .targeting import (
    _SMOOTH_M_S,
    _correct,
    _correct_full,
    _inside,
    _predicted_min_dv,
    _variational_jacobian,
)

__all__ = ["plan_n_impulse"]

# units built once (astropy composes a unit on every u.m / u.s: ~10 us)
_KM_S = u.km / u.s

# Two corrected candidates whose totals differ by less than this (km/s, 0.1 mm/s, the
# minimum-delta-v optimiser's resolution) are equally good: the earlier one is kept.
_TIE_KM_S = 1e-7

# The two-body epoch optimisation stops when an iteration lowers the total by less than
# this (m/s): the epochs are then within about a second of the optimum, and the delta-v's
# are optimised again at those epochs in the force model.
_EPOCH_FTOL_M_S = 1e-5
# A candidate whose optimum, predicted without the finite-difference Jacobian, exceeds the
# best corrected total by more than this (km/s) is not optimised: the prediction's
# error was -8 .. +11 mm/s over 30 of the default mission's dispersed re-plans.
_SCREEN_MARGIN_KM_S = 5e-5
# Points of the primer-magnitude search (over [earliest burn, hand-over]: ~30 s apart).
_PRIMER_GRID = 241


# --------------------------------------------------------------- N-impulse
def _optimise_impulses(mu, rv0, target_T, t_end, t_min, t0_guess, dv0_guess):
    """SLSQP: minimum sum |dv| over epochs and vectors, arrival at ``target_T``
    (two-body). Returns (times, dv (N, 3)) or None."""
    n = len(t0_guess)
    scale_t = t_end
    x0 = np.concatenate([np.asarray(t0_guess) / scale_t, np.asarray(dv0_guess).ravel() * 1e3])
    eps = 1e-4  # m/s, smooths |dv| at zero

    def unpack(x):
        t = x[:n] * scale_t
        dv = x[n:].reshape(n, 3) * 1e-3
        order = np.argsort(t, kind="stable")
        return t[order], dv[order]

    def obj(x):
        d = x[n:].reshape(n, 3)
        return float(np.sum(np.sqrt(np.sum(d * d, axis=1) + eps**2)))

    def jac(x):
        d = x[n:].reshape(n, 3)
        g = np.zeros_like(x)
        g[n:] = (d / np.sqrt(np.sum(d * d, axis=1) + eps**2)[:, None]).ravel()
        return g

    rv0_c = np.ascontiguousarray(rv0, dtype=float)
    target_c = np.ascontiguousarray(target_T, dtype=float)

    def cons(x):
        return _nimpulse_residual(x, n, scale_t, mu, rv0_c, t_end, target_c)

    gap = _MIN_GAP_S / scale_t
    # epochs in order, at least _MIN_GAP_S apart: a linear constraint with its Jacobian
    d_mat = np.zeros((max(n - 1, 0), 4 * n))
    for i in range(n - 1):
        d_mat[i, i], d_mat[i, i + 1] = -1.0, 1.0

    def cons_jac(x):
        # forward differences, one Kepler propagation per variable (compiled)
        return _nimpulse_residual_jac(x, n, scale_t, mu, rv0_c, t_end, target_c)

    bounds = [(t_min / scale_t, 1.0)] * n + [(-500.0, 500.0)] * (3 * n)
    constraints = [{"type": "eq", "fun": cons, "jac": cons_jac}]
    if n > 1:
        constraints.append(
            {"type": "ineq", "fun": lambda x: d_mat @ x - gap, "jac": lambda x: d_mat}
        )
    res = minimize(
        obj,
        x0,
        jac=jac,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": 200, "ftol": 1e-10},
    )
    t, dv = unpack(res.x)
    if np.max(np.abs(cons(res.x))) > 1e-3:
        return None
    return t, dv


def _two_body_optimum(mu, rv0, target_T, t_end, t_min, t0, dv0):
    """Minimum sum |dv| over epochs and vectors, arrival at ``target_T`` (two-body),
    from (t0, dv0) (need not arrive): the compiled SQP (:func:`._kernels._min_dv_sqp`),
    then up to three primer-vector moves: every vanishing impulse (under 2 % of the
    total, whose epoch no gradient can move) goes where the primer magnitude is largest
    if it exceeds 1 (Lion & Handelsman 1968), and the SQP runs again; kept while the
    total drops. Returns (epochs, dv (k, 3) km/s) or None."""
    rv0 = np.ascontiguousarray(rv0, dtype=float)
    target = np.ascontiguousarray(target_T, dtype=float)
    k = len(t0)
    zeros = (np.zeros(6), np.zeros((6, 3 * k)), np.zeros((k, 3)))

    def solve(t, dv):
        return _min_dv_sqp(
            mu,
            rv0,
            float(t_end),
            np.asarray(t, float),
            np.ascontiguousarray(dv, dtype=float),
            target,
            *zeros,
            float(t_min),
            float(t_end),
            _MIN_GAP_S,
            True,
            _SMOOTH_M_S,
            _EPOCH_FTOL_M_S,
        )

    t, dv, lam, status, _ = solve(t0, dv0)
    if status == 2:
        return None
    total = float(np.sum(np.linalg.norm(dv, axis=1)))
    grid = np.linspace(t_min, t_end, _PRIMER_GRID)
    for _ in range(3):
        vanishing = np.linalg.norm(dv, axis=1) < 0.02 * total
        if not np.any(vanishing):
            break  # (the primer is needed only to move a vanishing impulse)
        pm = _primer_magnitude(mu, rv0, float(t_end), t, dv, lam, grid)
        if pm.max() <= 1.0 + 1e-4:
            break
        tn, dn = list(t[~vanishing]), list(dv[~vanishing])
        for i in np.flatnonzero(vanishing):
            free = pm.copy()
            for tk in tn:
                free[np.abs(grid - tk) < _MIN_GAP_S] = 0.0
            g = int(np.argmax(free))
            moved = free[g] > 1.0 + 1e-4
            tn.append(grid[g] if moved else t[i])
            dn.append(np.zeros(3) if moved else dv[i])
        order = np.argsort(tn, kind="stable")
        t2, dv2, lam2, status2, _ = solve(np.array(tn)[order], np.array(dn)[order])
        total2 = float(np.sum(np.linalg.norm(dv2, axis=1)))
        if status2 == 2 or not total2 < total:
            break
        t, dv, lam, total = t2, dv2, lam2, total2
    y = _kepler_rv(mu, rv0, np.array([float(t_end)]), t, dv)[0]
    if np.max(np.abs(y[:3] - target[:3])) > 1e-3 or np.max(np.abs(y[3:] - target[3:])) > 1e-6:
        return None
    return t, dv


def _polish_two_body(mu, rv0, t, dv, target_T, t_end):
    dyn = _make_dynamics("two-body")
    dv, rep, _ = _correct(dyn, rv0, t_end, t, dv, target_T, optimise=False)
    return dv if rep.converged else None


def _pad(t, dv, n, t_min, t_end):
    """Warm start with exactly n impulses: add zero impulses in the largest gaps."""
    t, dv = list(t), [np.asarray(d) for d in dv]
    while len(t) < n:
        pts = np.sort(np.array([t_min, *t, t_end]))
        k = int(np.argmax(np.diff(pts)))
        t.append(0.5 * (pts[k] + pts[k + 1]))
        dv.append(np.zeros(3))
    order = np.argsort(t)
    return np.array(t)[order], np.array(dv)[order]


def plan_n_impulse(
    chaser: State,
    station: State,
    *,
    handover_time,
    n_impulses: int = 4,
    handover_r_lvlh: u.Quantity = [-5.0, 0.0, 0.0] * u.km,
    handover_v_lvlh: u.Quantity | None = None,
    earliest_burn: u.Quantity = 10 * u.min,
    warm_starts=(),
    schedule: CoellipticSchedule | None = None,
    force_model=None,
    correct: bool = True,
    correct_epochs: bool = False,
    n_random_starts: int = 3,
    profile: str | None = None,
    reference: PhasingPlan | None = None,
    _dyn=None,
    _problem=None,
) -> PhasingPlan:
    r"""Minimum-delta-v N-impulse phasing (N = 3..6), the benchmark of the other
    strategies.

    Minimises :math:`\sum_i |\Delta v_i|` over the N epochs and delta-v vectors with
    scipy's SLSQP, subject to arriving at the hand-over state at the hand-over epoch
    (two-body arcs between impulses, universal-variable Kepler propagation) and to
    epochs at least 2 min apart. Warm starts: the two-body Lambert optimum, the
    co-elliptic sequence (when ``schedule`` is given or ``warm_starts`` contains
    plans) padded with zero impulses; the best feasible optimum is kept, and never
    one worse than its warm start. ``correct=True`` then targets the force model.

    Parameters
    ----------
    n_impulses : int
        3 to 6.
    warm_starts : sequence of PhasingPlan
        Extra starting points (their burns, in inertial form).
    schedule : CoellipticSchedule, optional
        Also warm-start from the co-elliptic sequence with this schedule.
    n_random_starts : int
        Extra starts from seeded random epochs (deterministic).
    reference : PhasingPlan, optional
        Re-plan around this plan (typically the nominal one, for a dispersed
        insertion, as a ground segment re-plans after the insertion is measured):
        a single local two-body optimisation over the epochs and delta-v's started
        from its burns (a compiled SQP, with primer-vector moves of the impulses that
        vanish), and that optimum and the reference's own epochs corrected in the force
        model. Falls back to the full multi-start search when this fails. Several
        times faster; the optimum is a local one near the reference rather than the
        best of all starts.
    (others)
        As :func:`plan_lambert`.

    Returns
    -------
    PhasingPlan

    References
    ----------
    Prussing (1995), "Optimal impulsive linear systems", in *Spacecraft Trajectory
    Optimization* (Conway ed.), ch. 2 (primer-vector optimality of N-impulse
    rendezvous); Kraft (1988), SLSQP (scipy.optimize.minimize); Nocedal & Wright
    (2006), ch. 16 and 18 (the compiled SQP of the re-plan); Lion & Handelsman (1968),
    AIAA J. 6, 127 (primer-vector impulse moves).
    """
    if not isinstance(n_impulses, int | np.integer) or not 3 <= n_impulses <= 6:
        raise InputError(
            f"n_impulses = {n_impulses!r}; expected an integer from 3 to 6",
            name="n_impulses",
            value=n_impulses,
            valid="3..6",
        )
    if _problem is None:
        pb = _setup(
            chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, _dyn
        )
    else:  # (plan_phasing's own set-up of these inputs, with these dynamics)
        pb = _problem
    mu = pb.dyn.mu
    kepler = _make_dynamics("two-body")
    s_end = kepler.station(pb.station_rv0, np.array([pb.t_end_s]))[0]
    target_T = _relative_to_inertial("LVLH", s_end, pb.rel6)
    t_min = as_duration_s(earliest_burn, "earliest_burn")
    if reference is not None:
        try:
            return _replan_near(
                reference, pb, n_impulses, t_min, target_T, correct, correct_epochs, profile
            )
        except (InfeasiblePlanError, PropagationError):
            pass  # the full multi-start search below
    starts = []
    try:
        _, t1, t2, d1, d2, _ = _lambert_search(mu, pb.rv0, target_T, pb.t_end_s, t_min)
        starts.append((np.array([t1, t2]), np.array([d1, d2])))
    except InfeasiblePlanError:
        pass
    plans = list(warm_starts)
    if schedule is not None:
        try:
            plans.append(
                plan_coelliptic(
                    chaser,
                    station,
                    handover_time=pb.t_end_s * u.s,
                    handover_r_lvlh=pb.rel6[:3] * u.km,
                    handover_v_lvlh=pb.rel6[3:] * (u.km / u.s),
                    schedule=schedule,
                    force_model="two-body",
                    correct=True,
                )
            )
        except (InfeasiblePlanError, PropagationError):
            pass
    for p in plans:
        t = np.array([(b.epoch - pb.chaser.epoch).to_value(u.s) for b in p.burns], float)
        starts.append((t, p.dv_inertial.to_value(u.km / u.s)))
    # Multi-start (SLSQP is local): the Lambert transfer with its first burn split in
    # two, and seeded random epochs whose delta-v's come from a minimum-norm two-body
    # fit; deterministic (fixed seed).
    if starts and len(starts[0][0]) == 2 and n_impulses >= 3:
        (t1, t2), (d1, d2) = starts[0]
        for shift in (-600.0, 600.0):
            ta = min(max(t1 + shift, t_min), t2 - 2 * _MIN_GAP_S)
            if abs(ta - t1) > _MIN_GAP_S:
                starts.append((np.sort(np.array([t1, ta, t2])), np.array([d1, 0 * d1, d2])))
    rng = np.random.default_rng(20261201)
    for _ in range(n_random_starts):
        t = np.sort(rng.uniform(t_min, pb.t_end_s - _MIN_GAP_S, n_impulses))
        if np.all(np.diff(t) >= _MIN_GAP_S):
            starts.append((t, np.zeros((n_impulses, 3))))
    candidates = []
    for t, dv in starts:
        if len(t) > n_impulses:
            continue
        dv = _polish_two_body(mu, pb.rv0, t, dv, target_T, pb.t_end_s)
        if dv is None:
            continue
        t, dv = _pad(t, dv, n_impulses, t_min, pb.t_end_s)
        cand = [(t, dv)]
        opt = _optimise_impulses(mu, pb.rv0, target_T, pb.t_end_s, t_min, t, dv)
        if opt is not None:
            pol = _polish_two_body(mu, pb.rv0, opt[0], opt[1], target_T, pb.t_end_s)
            if pol is not None:
                cand.append((opt[0], pol))
        for tc, dc in cand:
            candidates.append((float(np.sum(np.linalg.norm(dc, axis=1))), tc, dc))
    if not candidates:
        raise InfeasiblePlanError(
            "N-impulse phasing: no feasible warm start (Lambert and co-elliptic both failed)",
            name="handover_time",
            value=pb.t_end_s * u.s,
        )
    candidates.sort(key=lambda c: c[0])
    notes = [f"{n_impulses}-impulse SLSQP optimum (two-body), warm-started"]
    if not correct or pb.dyn.two_body:
        _, t, dv = candidates[0]
        return _finish(
            pb, "n-impulse", profile, t, dv, [f"I{k + 1}" for k in range(len(t))], correct, notes
        )
    # Force model: the two-body ranking can change once each candidate is corrected;
    # correct the best few and keep the cheapest converged one.
    return _cheapest_corrected(
        pb, [(t, dv) for _, t, dv in candidates[:3]], correct_epochs, notes, profile
    )


def _cheapest_corrected(pb, candidates, correct_epochs, notes, profile, jacobians=()):
    """Correct each (epochs, inertial dv) candidate in the force model; the plan of the
    cheapest converged one (the earliest candidate, e.g. the reference's epochs, when
    the totals differ by less than the optimiser's resolution ``_TIE_KM_S``).

    Each candidate is first brought onto the constraint (Newton), and its optimum
    predicted without the finite-difference Jacobian; then they are optimised in the
    order of the predictions, a candidate whose prediction is dearer than the best
    optimised total by more than ``_SCREEN_MARGIN_KM_S`` only brought onto the
    constraint (it cannot win). ``jacobians``: for the first candidates, a Jacobian of
    the arrival w.r.t. their delta-v's near them (or None), to start the Newton
    iterations from."""
    _, target = _target_at_end(pb)
    dyn, rv0, t_end = pb.dyn, pb.rv0, pb.t_end_s
    feasible = []
    for i, (t, dv) in enumerate(candidates):
        try:
            jac0 = jacobians[i] if i < len(jacobians) else None
            dvc, rep, t, f, _ = _correct_full(
                dyn, rv0, t_end, t, dv, target, optimise=False, jac0=jac0
            )
        except PropagationError:
            continue
        if not rep.converged:
            continue
        # (f: the residual at dvc; the correction below starts from both)
        prediction = _predicted_min_dv(dyn, rv0, t_end, t, dvc.ravel(), f, target)
        feasible.append((prediction[0], i, t, dvc, rep, f, prediction))
    feasible.sort(key=lambda c: (c[0], c[1]))
    done = []
    for _, i, t, dvc, rep0, f, prediction in feasible:
        best = min((c[0] for c in done), default=None)
        cutoff = None if best is None or correct_epochs else best + _SCREEN_MARGIN_KM_S
        try:
            dvc, rep, t, _, _ = _correct_full(
                dyn, rv0, t_end, t, dvc, target, epochs=correct_epochs, cutoff=cutoff,
                f0=f, predicted=prediction,
            )  # fmt: skip
        except PropagationError:
            continue
        if rep.converged:
            rep = rep._replace(
                iterations=rep0.iterations + rep.iterations, history=rep0.history + rep.history[1:]
            )
            done.append((float(np.sum(np.linalg.norm(dvc, axis=1))), i, t, dvc, rep))
    best = None
    if done:
        lowest = min(c[0] for c in done)
        _, _, t, dvc, rep = min((c for c in done if c[0] <= lowest + _TIE_KM_S), key=lambda c: c[1])
        best = (t, dvc, rep)
    if best is None:
        raise PropagationError(
            "n-impulse plan: full-force targeting did not converge for any candidate",
            last_epoch=pb.chaser.epoch,
        )
    t, dv, rep = best
    return _build_plan(
        dyn=pb.dyn,
        strategy="n-impulse",
        profile=profile,
        chaser=pb.chaser,
        station_rv0=pb.station_rv0,
        t_end_s=pb.t_end_s,
        rel_lvlh6=pb.rel6,
        imp_t=t,
        dv_inertial=dv,
        labels=[f"I{k + 1}" for k in range(len(t))],
        correction=rep,
        notes=notes,
    )


# The two-body optimum of each reference plan's own problem, by id (the plan kept
# alive beside it, so that the id is not reused): a few references a process.
_REFERENCE_OPTIMA: dict = {}


def _reference_start(reference, pb, t_min, t_ref, dv_ref, t, dv):
    """What a re-plan near ``reference`` can start from, the same for every re-plan near
    it (the warm start of issue 16), computed once per reference and problem shape:
    (the minimum-delta-v two-body transfer (epochs, dv (k, 3)) of ``reference``'s own
    problem (its insertion state and station, ``pb``'s hand-over offset and duration)
    from its padded burns ``t``, ``dv``, or None; the force model's Jacobian (6, 3k) of
    its arrival w.r.t. its burns ``dv_ref`` at ``t_ref`` along its own trajectory, from
    the variational equations, or None). A re-plan's insertion differs from the
    reference's by a dispersion, so both are near the re-plan's own."""
    key = (id(reference), float(pb.t_end_s), float(t_min), pb.rel6.tobytes(), t_ref.tobytes())
    if key in _REFERENCE_OPTIMA:
        return _REFERENCE_OPTIMA[key][1]
    tr = getattr(reference, "track", None)
    out = (None, None)
    if tr is not None and len(tr.t_s) and tr.t_s[0] == 0.0:
        kepler = _make_dynamics("two-body")
        s_end = kepler.station(tr.station_rv_km[0], np.array([pb.t_end_s]))[0]
        target = _relative_to_inertial("LVLH", s_end, pb.rel6)
        rv0 = np.array(tr.chaser_rv_km[0], float)
        opt = _two_body_optimum(pb.dyn.mu, rv0, target, pb.t_end_s, t_min, t, dv)
        jac = None
        if _inside(t_ref, pb.t_end_s):
            jac = _variational_jacobian(pb.dyn, rv0, pb.t_end_s, t_ref, dv_ref.ravel())
        out = (opt, jac)
    if len(_REFERENCE_OPTIMA) >= 8:
        _REFERENCE_OPTIMA.clear()
    _REFERENCE_OPTIMA[key] = (reference, out)
    return out


def _replan_near(reference, pb, n_impulses, t_min, target_T, correct, correct_epochs, profile):
    """Re-plan near ``reference`` (see ``plan_n_impulse(reference=...)``): two
    candidates, the reference's burns corrected directly in the force model (Newton
    then the minimum-delta-v stage at their epochs), and the two-body optimum over
    epochs and delta-v's started from them (:func:`_two_body_optimum`, compiled SQP with
    primer-vector moves) then corrected likewise; the cheaper converged one
    (:func:`_cheapest_corrected`)."""
    mu = pb.dyn.mu
    t_ref = _seconds_after_insertion(reference, pb.chaser.epoch)[:-1]
    if t_ref.size > n_impulses:
        raise InfeasiblePlanError(
            f"reference plan has {t_ref.size} burns, more than n_impulses = {n_impulses}",
            name="reference",
            value=t_ref.size,
        )
    t_ref = np.clip(t_ref, t_min, pb.t_end_s)
    dv_ref = reference.dv_inertial.to_value(_KM_S)
    starts = [(t_ref, dv_ref)]
    t, dv = _pad(t_ref, dv_ref, n_impulses, t_min, pb.t_end_s)
    # warm start: the two-body optimum of the reference's own problem (its insertion and
    # station), the same for every re-plan near it
    ref_opt, ref_jac = _reference_start(reference, pb, t_min, t_ref, dv_ref, t, dv)
    t2, dv2 = ref_opt or (t, dv)
    opt = _two_body_optimum(mu, pb.rv0, target_T, pb.t_end_s, t_min, t2, dv2)
    # A reference whose last burn is at the hand-over (it matches the hand-over
    # velocity) lets the flight add mid-course corrections before it
    # (mission.flight.fly_phasing_burns); an optimum that moves that burn earlier saves
    # a little delta-v on paper but leaves the error of the burn before it uncorrected
    # (kilometres at the hand-over), so it is not a candidate.
    at_handover = abs(t_ref[-1] - pb.t_end_s) < _HANDOVER_BURN_TOL_S
    if opt is not None and (not at_handover or abs(opt[0][-1] - pb.t_end_s) < _HANDOVER_BURN_TOL_S):
        starts.append(opt)
    notes = [f"{n_impulses}-impulse plan re-planned from a reference plan (local optimum)"]
    if not correct or pb.dyn.two_body:
        t, dv = starts[-1]
        labels = [f"I{k + 1}" for k in range(len(t))]
        return _finish(pb, "n-impulse", profile, t, dv, labels, correct, notes)
    return _cheapest_corrected(pb, starts, correct_epochs, notes, profile, (ref_jac,))
