r"""Full-force targeting: differential correction of a plan's burns.

Newton iterations with minimum-norm steps on the burns' inertial delta-v vectors,
until the chaser arrives within 100 m and 0.1 m/s of the hand-over state: with DOP853
dynamics a compiled loop (:func:`._newton._newton_stm`) whose Jacobian comes from the
variational equations integrated with the trajectory (Montenbruck & Gill 2000, sec.
7.1-7.2; ``propagator._variational``), otherwise quasi-Newton steps through
``Propagator.propagate_rv`` with the two-body state-transition matrices between the
burns (Battin 1999, sec. 9.7) corrected by the force model's Jacobian where the
minimum-delta-v steps need it (:class:`_Jacobian`); then (optionally) the minimum sum |dv| at the burn epochs by a compiled
SQP on a two-body surrogate corrected by the measured full-force differences
(:func:`_min_dv`), and linearised minimum-delta-v steps over the delta-v's and the burn
epochs (Vallado 2013, sec. 7.6.2 "differential correction"; Fehse 2003, sec. 2.2.2 for
the hand-over).
"""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np

from ..errors import PropagationError
from ._kernels import _impulse_chain_jac, _kepler_rv, _min_dv_sqp
from ._newton import _newton_stm, _variational_jac
from .core import ARRIVAL_POSITION_TOL_KM, ARRIVAL_VELOCITY_TOL_KM_S, CorrectionReport

__all__: list[str] = []

# units built once (astropy composes a unit on every u.m / u.s: ~10 us)
_M_S = u.m / u.s

# Newton keeps iterating towards these tighter goals (so that an independent
# re-propagation, with its own integration error, still lands inside the tolerances).
_GOAL_POSITION_KM = 2e-3

_GOAL_VELOCITY_KM_S = 2e-6

# A miss larger than this (km, km/s) means the trial left Earth orbit.
_UNPHYSICAL_MISS = 1e6
# Finite-difference step of the Jacobian, 1 mm/s.
_FD_STEP_KM_S = 1e-6

# Analytic (two-body STM) Jacobian of the final state w.r.t. the burns, on/off (a
# one-element list, so that a test can compare it with finite differences only).
_ANALYTIC = [True]

# Velocity residuals are weighted by this time so that 1 km and 1 km / T count alike.
_VEL_WEIGHT_S = 1000.0

# |dv| is smoothed as sqrt(|dv|^2 + eps^2) in the minimum-delta-v steps (m/s).
_SMOOTH_M_S = 1e-4
# Finite-difference Jacobians of the minimum-delta-v stage, at most (the Jacobian
# difference is measured again at the surrogate's optimum while the total drops by
# more than 0.1 mm/s) ...
_REFRESHES = 3
# ... and only after the optimum moved more than this (km/s) from where the Jacobian was
# measured: after smaller moves (1.85 h re-plans from the predicted optimum: 2-23 mm/s)
# a second Jacobian changed the totals by at most 0.002 mm/s; on 6.5 h arcs the first
# move is 0.2-0.8 m/s and the second Jacobian is worth 0.4 mm/s.
_REFRESH_MOVE_KM_S = 5e-5
# The prediction of the minimum-delta-v stage (without the finite-difference Jacobian)
# stops when an SQP iteration lowers the total by less than this (m/s).
_PREDICT_FTOL_M_S = 1e-6


def _norm1(x: np.ndarray) -> float:
    """``float(np.linalg.norm(x))`` of a real 1-D array: its operations (``x.dot(x)``,
    then the square root) without its call overhead (~3 us; the corrections take
    dozens of norms a re-plan)."""
    x = x.ravel(order="K")
    return math.sqrt(x.dot(x))


def _final_residual(dyn, rv0, t_end, imp_t, dv, target):
    """Final state minus target; NaN when a trial trajectory re-enters (the line
    searches then shorten the step)."""
    try:
        y = dyn.chaser(rv0, np.array([t_end]), imp_t, dv.reshape(-1, 3))[0]
    except PropagationError:
        return np.full(6, np.nan)
    f = y - target
    # a trial step that throws the chaser out of Earth orbit is rejected as a re-entry is
    if not (np.abs(f) < _UNPHYSICAL_MISS).all():
        return np.full(6, np.nan)
    return f


class _Jacobian:
    """d(final state)/d(dv) (6, 3k) of one correction.

    Two-body dynamics: the analytic STM Jacobian (:func:`_stm_jacobian`), exact. Full
    force, ``exact`` (the minimum-delta-v steps, whose optimum the Jacobian sets): from
    the variational equations (:func:`_variational_jacobian`, one propagation) with
    DOP853 dynamics, else forward differences, 3k propagations. Full force, Newton
    iterations outside the compiled loop of :func:`_newton` (quasi-Newton;
    only the convergence rate depends on the Jacobian, the residuals are propagated in
    full force, so a converged solve is the full-force solution): the two-body STM
    Jacobian at the current delta-v's, plus the difference (full force minus two-body)
    measured at the last exact point at these epochs when there is one,
    J(x) = J_2b(x) + [J_F - J_2b](x_0): that difference (the J2 and drag part)
    changes slowly with the burns. Vallado (2013), sec. 7.6.2; Battin (1999), sec. 9.7.
    """

    def __init__(self, dyn, rv0, t_end, target):
        self.dyn, self.rv0, self.t_end, self.target = dyn, rv0, t_end, target
        self._epochs = None
        self._diff = None
        # whether the Newton iterations' Jacobian differs from the exact one
        self.approximate = _ANALYTIC[0] and not dyn.two_body

    def __call__(self, imp_t, x, f, *, exact=False):
        dyn = self.dyn
        ordered = imp_t.size > 0 and (np.diff(imp_t) >= 0).all() and imp_t[0] >= 0.0
        if not (_ANALYTIC[0] and ordered and imp_t[-1] <= self.t_end):
            return _fd_jacobian(dyn, self.rv0, self.t_end, imp_t, x, self.target, f)
        j2b = _stm_jacobian(dyn.mu, self.rv0, self.t_end, imp_t, x)
        if not np.isfinite(j2b).all():
            return _fd_jacobian(dyn, self.rv0, self.t_end, imp_t, x, self.target, f)
        if dyn.two_body:
            return j2b
        if not exact:
            if self._epochs is not None and np.array_equal(self._epochs, imp_t):
                return j2b + self._diff
            return j2b
        jfd = _variational_jacobian(dyn, self.rv0, self.t_end, imp_t, x)
        if jfd is None:
            jfd = _fd_jacobian(dyn, self.rv0, self.t_end, imp_t, x, self.target, f)
        if np.isfinite(jfd).all():
            self._epochs, self._diff = imp_t.copy(), jfd - j2b
        return jfd


def _variational_jacobian(dyn, rv0, t_end, imp_t, x):
    """d(final state)/d(dv) (6, 3k) in the force model from the variational equations
    integrated with the trajectory (:func:`._newton._variational_jac`; Montenbruck &
    Gill 2000, sec. 7.1-7.2): the derivative of the propagation itself, one propagation
    instead of the 3k of finite differences. None when the dynamics offer no DOP853
    kernel inputs or the propagation stops (sorted epochs inside [0, t_end] assumed)."""
    if dyn.dop853 is None:
        return None
    _, jac, ok = _variational_jac(
        np.ascontiguousarray(rv0, dtype=float).reshape(6),
        float(t_end),
        np.ascontiguousarray(imp_t, dtype=float),
        np.ascontiguousarray(x, dtype=float).reshape(-1, 3),
        *dyn.dop853(),
    )
    return jac if ok and np.isfinite(jac).all() else None


def _stm_jacobian(mu, rv0, t_end, imp_t, x):
    """Jacobian of the final state w.r.t. the burns' inertial delta-v's (6, 3k) from
    the two-body state-transition matrices between the burns along the two-body
    trajectory through the same burns (a consistent chain: the product of STMs is
    ill-conditioned when each is taken about a state of another model). Exact for
    two-body dynamics; about 3-6 % off the full-force Jacobian over a 6.5 h phasing
    (J2 turns the along-track direction). Battin (1999), sec. 9.7, eqs. 9.74."""
    dv = np.ascontiguousarray(x.reshape(-1, 3), dtype=float)
    imp_t = np.ascontiguousarray(imp_t, dtype=float)
    post = _kepler_rv(mu, np.ascontiguousarray(rv0, dtype=float), imp_t, imp_t, dv)
    seg = np.diff(np.append(imp_t, t_end))
    p = _impulse_chain_jac(mu, post, seg)
    return np.ascontiguousarray(p[:, :, 3:].transpose(1, 0, 2).reshape(6, -1))


def _fd_jacobian(dyn, rv0, t_end, imp_t, x, target, f):
    """Forward differences (6, 3k) of the final residual w.r.t. the delta-v's: from the
    shared arcs (:func:`_fd_jacobian_arcs`) when the dynamics offer them, otherwise one
    propagation from the start per column."""
    ordered = imp_t.size > 0 and imp_t[0] >= 0.0 and imp_t[-1] <= t_end
    if dyn.arc is not None and ordered and (np.diff(imp_t) >= 0).all():
        jac = _fd_jacobian_arcs(dyn.arc, rv0, t_end, imp_t, x, target, f)
        if jac is not None:
            return jac
    jac = np.empty((6, x.size))
    for j in range(x.size):
        xp = x.copy()
        xp[j] += _FD_STEP_KM_S
        jac[:, j] = (_final_residual(dyn, rv0, t_end, imp_t, xp, target) - f) / _FD_STEP_KM_S
    return jac


def _fd_jacobian_arcs(arc, rv0, t_end, imp_t, x, target, f):
    """:func:`_fd_jacobian` with each column propagated from its burn: a perturbation of
    burn b changes nothing before it, so the coasts up to b are those of the
    unperturbed trajectory, propagated once (the kernel restarts at every impulse, so
    the columns are the full propagations' bit for bit). None if that trajectory stops
    before the last burn."""
    dv = x.reshape(-1, 3)
    k = imp_t.size
    pre = np.empty((k, 6))  # the state just before each burn
    y, t = np.array(rv0, dtype=float).reshape(6), 0.0
    for i in range(k):
        y = arc(t, y, imp_t[i])
        if y is None:
            return None
        pre[i] = y
        y[3:] += dv[i]
        t = imp_t[i]
    jac = np.empty((6, x.size))
    for j in range(x.size):
        b = j // 3
        dvp = dv.copy()
        dvp[b, j % 3] += _FD_STEP_KM_S
        y = pre[b].copy()
        y[3:] += dvp[b]
        for i in range(b + 1, k + 1):
            y = arc(imp_t[i - 1], y, imp_t[i] if i < k else t_end)
            if y is None:
                break
            if i < k:
                y[3:] += dvp[i]
        fj = np.full(6, np.nan) if y is None else y - target
        if not (np.abs(fj) < _UNPHYSICAL_MISS).all():
            fj = np.full(6, np.nan)
        jac[:, j] = (fj - f) / _FD_STEP_KM_S
    return jac


def _newton(dyn, rv0, t_end, imp_t, x, target, w, max_iter, history, jacobian, f=None, jac0=None):
    """Minimum-norm Newton iterations from ``x`` (whose residual is ``f`` when the caller
    has it); returns (x, f, iterations). With DOP853 dynamics, the compiled loop
    :func:`._newton._newton_stm` (its Jacobians from the variational equations, kept
    while they work);
    otherwise the quasi-Newton steps of :func:`_descent_step`. ``jac0``: a Jacobian to
    start the compiled loop from (see :func:`._newton._newton_stm`)."""
    if dyn.dop853 is not None and _ANALYTIC[0] and _inside(imp_t, t_end):
        args = (dyn, rv0, t_end, imp_t, x, target, w, max_iter, history, f, jac0)
        return _newton_compiled(*args)[:3]
    if f is None:
        f = _final_residual(dyn, rv0, t_end, imp_t, x, target)
    it = 0
    for it in range(max_iter + 1):  # noqa: B007
        if not np.isfinite(f).all():
            raise PropagationError(
                "phasing targeting: propagation returned non-finite states "
                "(the trial trajectory may re-enter)"
            )
        pe, ve = _norm1(f[:3]), _norm1(f[3:])
        history.append((pe * 1e3, ve * 1e3))
        if (pe < _GOAL_POSITION_KM and ve < _GOAL_VELOCITY_KM_S) or it == max_iter:
            break
        step = _descent_step(
            lambda z: _final_residual(dyn, rv0, t_end, imp_t, z, target),
            lambda z, fz, exact: jacobian(imp_t, z, fz, exact=exact),
            jacobian.approximate,
            x,
            f,
            w,
        )
        if step is None:
            break  # no descent: stagnated
        x, f = step
    return x, f, it


def _inside(imp_t, t_end) -> bool:
    """Burn epochs sorted and inside [0, t_end] (what the compiled kernels assume)."""
    return (
        imp_t.size > 0
        and imp_t[0] >= 0.0
        and imp_t[-1] <= t_end
        and bool((np.diff(imp_t) >= 0).all())
    )


def _newton_compiled(dyn, rv0, t_end, imp_t, x, target, w, max_iter, history, f, jac0=None):
    """:func:`_newton` by :func:`._newton._newton_stm` (``jac0``: a Jacobian (6, x.size)
    to start from). Returns (x, f, iterations, the last Jacobian)."""
    have_f = f is not None
    have_j = jac0 is not None
    xk, fk, it, hist, status, jac, _ = _newton_stm(
        np.ascontiguousarray(rv0, dtype=float).reshape(6),
        float(t_end),
        np.ascontiguousarray(imp_t, dtype=float),
        np.ascontiguousarray(x, dtype=float).reshape(-1, 3),
        np.ascontiguousarray(target, dtype=float),
        np.ascontiguousarray(f, dtype=float) if have_f else _NO_F,
        have_f,
        np.ascontiguousarray(jac0, dtype=float) if have_j else _NO_J,
        have_j,
        np.ascontiguousarray(w, dtype=float),
        _GOAL_POSITION_KM,
        _GOAL_VELOCITY_KM_S,
        int(max_iter),
        _UNPHYSICAL_MISS,
        *dyn.dop853(),
    )
    history.extend(map(tuple, hist.tolist()))
    if status == 1:
        raise PropagationError(
            "phasing targeting: propagation returned non-finite states "
            "(the trial trajectory may re-enter)"
        )
    return xk.reshape(-1), fk, it, jac


def _correct_chord(dyn, rv0, t_end, imp_t, dv0, target, jac0=None, max_iter=25):
    """The Newton stage of :func:`_correct` (``optimise=False``, no bases) on DOP853
    dynamics, starting from the Jacobian ``jac0`` (6, 3k) when given (e.g. the columns
    of these burns from the correction before the last burn: the trajectory moved by
    one burn's execution error only). Returns (dv (k, 3), converged, the last
    Jacobian), or None when the dynamics have no DOP853 kernel inputs."""
    imp_t = np.asarray(imp_t, float)
    if dyn.dop853 is None or not _ANALYTIC[0] or not _inside(imp_t, t_end):
        return None
    x = np.asarray(dv0, float).reshape(-1)
    x, f, _, jac = _newton_compiled(dyn, rv0, t_end, imp_t, x, target, _W, max_iter, [], None, jac0)
    pe, ve = _norm1(f[:3]), _norm1(f[3:])
    converged = pe <= ARRIVAL_POSITION_TOL_KM and ve <= ARRIVAL_VELOCITY_TOL_KM_S
    return x.reshape(-1, 3), converged, jac


_NO_F = np.zeros(6)
_NO_J = np.zeros((6, 0))
_W = np.array([1, 1, 1, _VEL_WEIGHT_S, _VEL_WEIGHT_S, _VEL_WEIGHT_S], float)


def _descent_step(residual, jac_at, approximate, p, f, w):
    """One Newton step on the parameters ``p``: minimum-norm, halved (8 times at most)
    until it reduces the weighted residual. With an ``approximate`` (quasi-Newton)
    Jacobian, a step that does not halve the residual is tried again with the exact
    one. Returns (p, f) or None (no descent)."""
    fnorm = _norm1(w * f)
    best = None
    for exact in (False, True) if approximate else (True,):
        jac = jac_at(p, f, exact)
        if not np.isfinite(jac).all():
            return best
        step = np.linalg.lstsq(w[:, None] * jac, -w * f, rcond=None)[0]
        lam = 1.0
        for _ in range(8):
            pn = p + lam * step
            fn = residual(pn)
            if np.isfinite(fn).all() and _norm1(w * fn) < fnorm:
                break
            lam *= 0.5
        else:
            continue  # no descent with this Jacobian
        if best is None or _norm1(w * fn) < _norm1(w * best[1]):
            best = (pn, fn)
        if _norm1(w * fn) < 0.5 * fnorm:
            break
    return best


def _min_dv(dyn, rv0, t_end, imp_t, x, f, target, jacobian, history, ok, x_pred=None):
    """Minimum sum |dv| at fixed epochs through the force model, from the feasible
    ``x``: the compiled SQP (:func:`._kernels._min_dv_sqp`) on a surrogate of the
    arrival state, the two-body arcs through the burns plus the full-force difference
    measured at the last propagated point, F(x_r) - G(x_r), plus the Jacobian
    difference (J_F - J_G)(dv - dv_r) (J_F by finite differences, the exact Jacobian
    that sets the optimum); each surrogate optimum propagated in the force model and
    the surrogate re-anchored there until the arrival is within the goals, then the
    Jacobian difference measured again while the total still drops by more than
    0.1 mm/s and the optimum moved by more than ``_REFRESH_MOVE_KM_S`` (``_REFRESHES``
    times at most). Kept only if the total delta-v drops.
    Returns (x, f, propagations)."""
    ordered = (np.diff(imp_t) >= 0).all() and imp_t[0] >= 0.0 and imp_t[-1] <= t_end
    if not ordered:
        return x, f, 0
    mu = dyn.mu
    rv0c = np.ascontiguousarray(rv0, dtype=float)
    tc = np.ascontiguousarray(imp_t, dtype=float)
    tgt = np.ascontiguousarray(target, dtype=float)
    n_prop = 0
    # the first Jacobian is measured at the predicted optimum when there is one (closer
    # to the optimum than x, so fewer refreshes and SQP iterations)
    xa, fa = x, f
    if x_pred is not None:
        fp = _final_residual(dyn, rv0, t_end, imp_t, x_pred, target)
        n_prop += 1
        if np.isfinite(fp).all():
            xa, fa = x_pred, fp
            if ok(fp) and _total(x_pred) < _total(x):
                x, f = x_pred, fp
    for _refresh in range(_REFRESHES):
        jac = jacobian(imp_t, xa, fa, exact=True)
        n_prop += 0 if dyn.two_body else x.size
        if not np.isfinite(jac).all():
            break
        d_off = np.ascontiguousarray(jac - _stm_jacobian(mu, rv0, t_end, imp_t, xa))
        xr, fr = xa, fa
        best = None
        for _ in range(5):
            xn = _surrogate_optimum(mu, rv0c, t_end, tc, xr, fr, tgt, d_off)
            if xn is None:
                break
            fn = _final_residual(dyn, rv0, t_end, imp_t, xn, target)
            n_prop += 1
            if not np.isfinite(fn).all():
                break
            xr, fr = xn, fn
            if ok(fn):
                best = (xn, fn)
                break
        if best is None:
            break
        gain = _total(x) - _total(best[0])
        if gain <= 0.0:
            break
        moved = float(np.max(np.abs(best[0] - xa)))
        x, f = best
        xa, fa = best
        history.append((np.linalg.norm(f[:3]) * 1e3, np.linalg.norm(f[3:]) * 1e3))
        if gain < 1e-7 or moved < _REFRESH_MOVE_KM_S:
            break
    return x, f, n_prop


def _surrogate_optimum(mu, rv0, t_end, imp_t, xr, fr, target, d_off, ftol=1e-8):
    """The delta-v's (3k,) km/s of the surrogate's minimum (see :func:`_min_dv`)
    anchored at ``xr`` where the full-force residual is ``fr``; None on failure."""
    dvr = np.ascontiguousarray(xr.reshape(-1, 3))
    g_r = _kepler_rv(mu, rv0, np.array([float(t_end)]), imp_t, dvr)[0]
    c_off = (fr + target) - g_r
    _, dvn, _, status, _ = _min_dv_sqp(
        mu, rv0, float(t_end), imp_t, dvr, target, c_off, d_off, dvr, 0.0, 0.0, 0.0, False,
        _SMOOTH_M_S, ftol,
    )  # fmt: skip
    if status == 2 or not np.isfinite(dvn).all():
        return None
    return dvn.ravel()


def _predicted_min_dv(dyn, rv0, t_end, imp_t, x, f, target):
    """What the minimum-delta-v stage will reach from the feasible ``x``, predicted
    without its finite-difference Jacobian (the surrogate with J_F = J_G): (total
    delta-v km/s, the delta-v's (3k,)), (inf, None) when unavailable."""
    ordered = (np.diff(imp_t) >= 0).all() and imp_t[0] >= 0.0 and imp_t[-1] <= t_end
    if not ordered:
        return np.inf, None
    c = np.ascontiguousarray
    xn = _surrogate_optimum(
        dyn.mu, c(rv0, dtype=float), t_end, c(imp_t, dtype=float), x, f,
        c(target, dtype=float), np.zeros((6, x.size)), _PREDICT_FTOL_M_S,
    )  # fmt: skip
    return (np.inf, None) if xn is None else (_total(xn), xn)


def _total(x):
    return float(np.sum(np.linalg.norm(x.reshape(-1, 3), axis=1)))


def _epoch_step(dyn, rv0, t_end, imp_t, x, target, f, w, jac, trust_dv, trust_t):
    """Linearised minimum-sum-|dv| step over the delta-v's and the burn epochs: the
    epoch columns of the Jacobian by finite differences (1 s), epochs kept in order
    (2 min apart) and inside (0, t_end)."""
    from scipy.optimize import minimize

    k = imp_t.size
    jt = np.empty((6, k))
    for j in range(k):
        tp = imp_t.copy()
        tp[j] += 1.0
        jt[:, j] = _final_residual(dyn, rv0, t_end, tp, x, target) - f
    if not np.isfinite(jt).all():
        return None
    a_eq = w[:, None] * np.hstack([jac, jt / trust_t])
    b_eq = -w * f
    n = x.size
    eps = 1e-7

    def obj(z):
        y = (x + z[:n]).reshape(-1, 3)
        return float(np.sum(np.sqrt(np.sum(y * y, axis=1) + eps**2))) * 1e3

    def grad(z):
        y = (x + z[:n]).reshape(-1, 3)
        g = np.zeros_like(z)
        g[:n] = (y / np.sqrt(np.sum(y * y, axis=1) + eps**2)[:, None]).ravel() * 1e3
        return g

    gap = 120.0
    cons = [
        {
            "type": "eq",
            "fun": lambda z: (a_eq @ z - b_eq) / np.max(np.abs(a_eq)),
            "jac": lambda z: a_eq / np.max(np.abs(a_eq)),
        }
    ]
    for j in range(k - 1):
        cons.append(
            {
                "type": "ineq",
                "fun": lambda z, j=j: (
                    imp_t[j + 1] + z[n + j + 1] * trust_t - imp_t[j] - z[n + j] * trust_t - gap
                ),
            }
        )
    bounds = [(-trust_dv, trust_dv)] * n + [(-1.0, 1.0)] * k
    for j in range(k):
        lo = max(-1.0, (1.0 - imp_t[j]) / trust_t)
        hi = min(1.0, (t_end - 1.0 - imp_t[j]) / trust_t)
        bounds[n + j] = (lo, hi)
    z0 = np.zeros(n + k)
    res = minimize(
        obj,
        z0,
        jac=grad,
        method="SLSQP",
        bounds=bounds,
        constraints=cons,
        options={"maxiter": 200, "ftol": 1e-12},
    )
    if not np.isfinite(res.x).all():
        return None
    return res.x[:n], imp_t + res.x[n:] * trust_t


def _correct(dyn, rv0, t_end, imp_t, dv0, target, **options) -> tuple:
    """:func:`_correct_full` (same arguments and options) without the final residual and
    prediction: returns (dv (k, 3), CorrectionReport, epochs (k,) s)."""
    dv, report, imp_t, _, _ = _correct_full(dyn, rv0, t_end, imp_t, dv0, target, **options)
    return dv, report, imp_t


def _correct_full(
    dyn,
    rv0,
    t_end,
    imp_t,
    dv0,
    target,
    *,
    bases=None,
    max_iter=25,
    optimise=True,
    epochs=False,
    cutoff=None,
    f0=None,
    predicted=None,
    report=True,
    jac0=None,
) -> tuple:
    """Differential correction of the burns' inertial delta-v (k, 3), epochs fixed, so
    that the state at ``t_end`` equals ``target``.

    Stage 1 (only with ``bases``): Newton on the burns' structured parameters, dv_k =
    dv0_k + B_k p_k (e.g. tangential-only magnitudes for the co-elliptic burns), so the
    plan keeps its shape. Stage 2: Newton on all components with minimum-norm steps,
    halved while they do not reduce the weighted residual. Stage 3 (``optimise``):
    linearised minimum-sum-|dv| steps inside a trust region (5 m/s), each followed by
    Newton iterations back onto the constraint; kept only if the total delta-v drops.
    Stage 4 (``epochs``): the same with the burn epochs free as well (trust region
    10 min), the differential correction "on the delta-v's and the epochs". With
    ``cutoff`` (km/s), stage 3 is skipped when its prediction (:func:`_predicted_min_dv`)
    exceeds it: a candidate that cannot beat a plan already in hand.

    ``f0``: the residual at ``dv0`` when the caller has it (a previous correction's
    :attr:`f`); ``predicted``: the prediction (total, delta-v's) at ``dv0``, used when
    Newton leaves ``dv0`` as it is (both are then what this function would compute).
    ``jac0``: a Jacobian (6, 3k) near ``dv0`` to start the compiled Newton loop from.
    ``report=False``: the converged flag (bool) in place of the CorrectionReport (whose
    Quantities cost ~20 us; the phasing flight makes four to five corrections a sample).
    Returns (dv (k, 3), CorrectionReport, epochs (k,) s, the final residual f (6,), the
    prediction (total km/s, delta-v's) at the Newton point or None when not made).
    """
    imp_t = np.asarray(imp_t, float)
    x = np.asarray(dv0, float).reshape(-1).copy()
    w = np.array([1, 1, 1, _VEL_WEIGHT_S, _VEL_WEIGHT_S, _VEL_WEIGHT_S], float)
    history: list = []
    total_it = 0
    jacobian = _Jacobian(dyn, rv0, t_end, target)
    if bases is not None:
        bmat = np.zeros((x.size, sum(b.shape[1] for b in bases)))
        c = 0
        for k, b in enumerate(bases):
            bmat[3 * k : 3 * k + 3, c : c + b.shape[1]] = b
            c += b.shape[1]
        x0 = x.copy()
        p = np.zeros(bmat.shape[1])
        f = _final_residual(dyn, rv0, t_end, imp_t, x0, target)
        for _ in range(max_iter):
            if not np.isfinite(f).all():
                break
            history.append((np.linalg.norm(f[:3]) * 1e3, np.linalg.norm(f[3:]) * 1e3))
            if np.linalg.norm(f[:3]) < _GOAL_POSITION_KM and np.linalg.norm(f[3:]) < (
                _GOAL_VELOCITY_KM_S
            ):
                break
            step = _descent_step(
                lambda q: _final_residual(dyn, rv0, t_end, imp_t, x0 + bmat @ q, target),
                lambda q, fq, exact: jacobian(imp_t, x0 + bmat @ q, fq, exact=exact) @ bmat,
                jacobian.approximate,
                p,
                f,
                w,
            )
            if step is None:
                break
            p, f = step
            total_it += 1
        x = x0 + bmat @ p
    f_in = f0 if bases is None else None
    x, f, it = _newton(
        dyn, rv0, t_end, imp_t, x, target, w, max_iter, history, jacobian, f_in, jac0
    )
    total_it += it
    kept = f_in is not None and it == 0  # Newton's start, unchanged

    def total(z):
        return float(np.sum(np.linalg.norm(z.reshape(-1, 3), axis=1)))

    def ok(ff):
        return np.linalg.norm(ff[:3]) < _GOAL_POSITION_KM and np.linalg.norm(ff[3:]) < (
            _GOAL_VELOCITY_KM_S
        )

    prediction = None
    if optimise and x.size > 6 and ok(f):
        if kept and predicted is not None:
            pred, x_pred = predicted
        else:
            pred, x_pred = _predicted_min_dv(dyn, rv0, t_end, imp_t, x, f, target)
        prediction = (pred, x_pred)
        if cutoff is None or pred <= cutoff:
            x, f, n_prop = _min_dv(
                dyn, rv0, t_end, imp_t, x, f, target, jacobian, history, ok, x_pred
            )
            total_it += n_prop
    if epochs and ok(f) and imp_t.size > 0:
        trust_dv, trust_t = 5e-3, 600.0
        for _ in range(15):
            jac = jacobian(imp_t, x, f, exact=True)
            if not np.isfinite(jac).all():
                break
            step = _epoch_step(dyn, rv0, t_end, imp_t, x, target, f, w, jac, trust_dv, trust_t)
            if step is None:
                break
            d, tn = step
            order = np.argsort(tn)
            hist2 = []
            xn, fn, it2 = _newton(
                dyn,
                rv0,
                t_end,
                tn[order],
                (x + d).reshape(-1, 3)[order].ravel(),
                target,
                w,
                8,
                hist2,
                jacobian,
            )
            total_it += 1 + it2
            gain = total(x) - total(xn)
            if ok(fn) and gain > 0:
                x, f, imp_t = xn, fn, tn[order]
                history.extend(hist2)
                if gain < 1e-6:
                    break
            else:
                trust_dv *= 0.3
                trust_t *= 0.3
                if trust_t < 1.0:
                    break
    pe, ve = _norm1(f[:3]), _norm1(f[3:])
    converged = pe <= ARRIVAL_POSITION_TOL_KM and ve <= ARRIVAL_VELOCITY_TOL_KM_S
    if not report:
        return x.reshape(-1, 3), converged, imp_t, f, prediction
    report = CorrectionReport(
        converged,
        total_it,
        pe * 1e3 * u.m,
        ve * 1e3 * _M_S,
        dyn.name,
        tuple(history),
        "ok" if converged else "did not reach 100 m / 0.1 m/s",
    )
    return x.reshape(-1, 3), report, imp_t, f, prediction
