r"""``method="taylor"``: heyoka's adaptive Taylor integrator as an optional backend.

heyoka (Biscani & Izzo 2021, MNRAS 504, 2614) integrates the same equations as the
compiled DOP853 when the force model is point-mass or zonal gravity: the right-hand
side of :func:`qingzhou_sim.forces._zonal_accel` is written here as heyoka expressions,
with the Earth's axis k(t) = k0 + t dk/dt as in :func:`qingzhou_sim.forces._pole_at`.
Drag (a tabulated atmosphere) and the Sun and Moon series are not expressed: a force
model with them is rejected. An integrator is compiled once per (field, kind of axis,
tolerance, batch size) and kept for the session: the axis enters as runtime parameters,
so a new epoch only resets them with the time and state. Batches run on heyoka's SIMD
batch integrator (``taylor_adaptive_batch``).

Install with ``pip install qingzhou_sim[heyoka]``.
"""

from __future__ import annotations

import functools

import numpy as np

from ..errors import InputError, PropagationError
from ..forces import (
    P_DEGREE,
    P_J2,
    P_J3,
    P_J4,
    P_MU,
    P_POLE_DZ,
    P_POLE_X,
    P_RE,
)


def check_taylor_model(force_model) -> None:
    """Raise :class:`InputError` unless heyoka is installed and can express the model."""
    if not force_model.is_zonal_only:
        raise InputError(
            "method 'taylor' (heyoka) expresses point-mass and zonal gravity only; this "
            "force model has drag or third bodies: use method='dop853'",
            name="method",
            value="taylor",
            valid="a ForceModel without drag and third bodies",
        )
    try:
        import heyoka  # noqa: F401
    except ImportError:
        raise InputError(
            "method 'taylor' needs heyoka: pip install qingzhou_sim[heyoka]",
            name="method",
            value="taylor",
        ) from None


def _system(mu: float, re: float, js: tuple, degree: int, fixed_axis: bool):
    """heyoka expressions of the right-hand side of :func:`qingzhou_sim.forces._zonal_accel`.

    a = F r - G k with F = (sum_n c_n Q_n(s) / r^n - mu) / r^3, G = sum_n c_n P_n'(s) / r^(n+2),
    c_n = mu J_n R^n, s = r.k / r, Q_n = (n + 1) P_n + s P_n' (Montenbruck & Gill 2000,
    eq. 3.7 with m = 0, regrouped so that heyoka's decomposition stays as short as a
    hand-written J2 field). The axis k is the GCRS z axis (``fixed_axis``) or
    k(t) = k0 + t dk/dt with (k0, dk/dt) the runtime parameters ``par[0..5]``, so that one
    compiled integrator serves every epoch.
    """
    import heyoka as hy

    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    r2 = x * x + y * y + z * z
    r = hy.sqrt(r2)
    pos = (x, y, z)
    if degree < 2:
        acc = [-mu / (r2 * r) * c for c in pos]
    else:
        if fixed_axis:
            k = (None, None, 1.0)
            zk = z
        else:
            k = tuple(hy.par[i] + hy.time * hy.par[3 + i] for i in range(3))
            zk = x * k[0] + y * k[1] + z * k[2]
        s = zk / r
        s2 = zk * zk / r2
        q = {
            2: 7.5 * s2 - 1.5,
            3: s * (17.5 * s2 - 7.5),
            4: (315.0 * s2 * s2 - 210.0 * s2 + 15.0) / 8.0,
        }
        dp = {2: 3.0 * s, 3: 7.5 * s2 - 1.5, 4: s * (35.0 * s2 - 15.0) / 2.0}
        rn = {2: r2, 3: r2 * r, 4: r2 * r2}
        fq, gq = 0.0, 0.0
        for n in range(2, degree + 1):
            cn = mu * js[n - 2] * re**n
            fq = fq + cn * q[n] / rn[n]
            gq = gq + cn * dp[n] / rn[n]
        f = (fq - mu) / (r2 * r)
        g = gq / r2
        acc = [f * c if kc is None else f * c - g * kc for c, kc in zip(pos, k, strict=True)]
    return [(x, vx), (y, vy), (z, vz), (vx, acc[0]), (vy, acc[1]), (vz, acc[2])]


@functools.lru_cache(maxsize=32)
def _compiled(mu, re, js, degree, fixed_axis, tol, batch_size):
    """A heyoka integrator (scalar, or SIMD batch of ``batch_size`` lanes), compiled once
    per (field, axis kind, tolerance) and reused by resetting its time and state."""
    import heyoka as hy

    system = _system(mu, re, js, degree, fixed_axis)
    if batch_size == 0:
        return hy.taylor_adaptive(system, np.zeros(6), tol=tol)
    return hy.taylor_adaptive_batch(system, np.zeros((6, batch_size)), tol=tol)


def _integrator(p: np.ndarray, tol: float, batch_size: int = 0):
    """The cached integrator for the parameter array ``p`` (ForceModel.build), its axis
    parameters set (the Earth's axis at t = 0 and its rate)."""
    degree = int(p[P_DEGREE])
    axis = p[P_POLE_X : P_POLE_DZ + 1]
    fixed_axis = degree < 2 or (
        axis[0] == 0.0 and axis[1] == 0.0 and axis[2] == 1.0 and not np.any(axis[3:])
    )
    ta = _compiled(
        float(p[P_MU]),
        float(p[P_RE]),
        (float(p[P_J2]), float(p[P_J3]), float(p[P_J4])),
        degree,
        bool(fixed_axis),
        float(tol),
        int(batch_size),
    )
    if not fixed_axis:
        if batch_size:
            ta.pars[:] = axis[:, None]
        else:
            ta.pars[:] = axis
    return ta


def taylor_rv(y0, t_s, imp_t, imp_dv, p, tol, stop_radius) -> np.ndarray:
    """States (n, 6) at ``t_s`` (sorted, one side of 0) with inertial impulses applied
    when reached (outputs at an impulse time get the post-impulse state)."""
    ta = _integrator(p, tol)
    out = np.empty((t_s.size, 6))
    if t_s.size == 0:
        return out
    if t_s.size == 1 and imp_t.size == 0:
        # The common call (one end time, no impulse): no bookkeeping.
        ta.time = 0.0
        ta.state[:] = y0
        if t_s[0] != 0.0:
            _check(ta.propagate_until(t_s[0])[0], ta)
        out[0] = ta.state
        _check_radius(out, stop_radius)
        return out
    t_end = t_s[-1]
    d = 1.0 if t_end >= 0.0 else -1.0
    # As the kernels: impulses in [0, t_end] forward, in [t_end, 0) backward.
    stops = [
        (tb, i)
        for i, tb in enumerate(imp_t)
        if ((0.0 <= tb <= t_end) if d > 0.0 else (t_end <= tb < 0.0))
    ]
    stops = sorted(stops, key=lambda s: d * s[0]) + [(t_end, -1)]
    ta.time = 0.0
    ta.state[:] = y0
    k = 0
    for tb, i in stops:
        # Outputs before the stop; at the stop too when it is the end, or when going
        # backward (an output at an impulse time is the state after it in forward time).
        last = i < 0
        upto = last or d < 0.0
        j = k
        while j < t_s.size and (d * (t_s[j] - tb) < 0.0 or (upto and t_s[j] == tb)):
            j += 1
        sel, view = t_s[k:j], out[k:j]
        if j == k + 1 and sel[0] == tb:  # one output, at the stop: no grid needed
            res = ta.propagate_until(tb)
            _check(res[0], ta)
            view[0] = ta.state
            k = j
            if not last:
                ta.state[3:] += d * np.asarray(imp_dv[i])
            continue
        at_stop = sel == tb
        now = (sel == ta.time) & ~at_stop
        view[now] = ta.state
        inner = ~(at_stop | now)
        if np.any(inner):
            # heyoka's grid starts at the integrator's current time.
            res = ta.propagate_grid(np.concatenate([[ta.time], sel[inner]]))
            _check(res[0], ta)
            view[inner] = res[-1][1:]
        res = ta.propagate_until(tb)
        _check(res[0], ta)
        view[at_stop] = ta.state
        k = j
        if not last:
            ta.state[3:] += d * np.asarray(imp_dv[i])
    _check_radius(out, stop_radius)
    return out


def _check_radius(out, stop_radius) -> None:
    if np.any(np.einsum("ij,ij->i", out[:, :3], out[:, :3]) < stop_radius * stop_radius):
        raise PropagationError(
            "re-entry (altitude < 100 km) with method 'taylor'; use method='dop853', which "
            "locates it"
        )


def _check(outcome, ta) -> None:
    import heyoka as hy

    if outcome not in (hy.taylor_outcome.time_limit, hy.taylor_outcome.success):
        raise PropagationError(f"heyoka stopped: {outcome} at t = {ta.time:.3f} s")


# Samples whose osculating perigee is less than this above the re-entry radius are
# integrated by the RKN12(10) kernel, which locates a re-entry (heyoka's batch here has
# no event): zonal terms move a LEO perigee by ~10 km at most over a revolution.
_PERIGEE_MARGIN_KM = 50.0


def taylor_batch_final(y0s, t_end, p, tol, stop_radius):
    """Final states of n propagations from 0 to t_end by heyoka's SIMD batch integrator
    (lanes of ``heyoka.recommended_simd_size()``); returns (y (n, 6), t_stop (n,),
    status (n,)) as the compiled batch kernels do."""
    import heyoka as hy

    from ._rkn import _batch_rkn

    n = y0s.shape[0]
    y = np.empty((n, 6))
    tstop = np.full(n, float(t_end))
    status = np.zeros(n, dtype=np.int64)
    risky = _osculating_perigee_km(y0s, p[P_MU]) < stop_radius + _PERIGEE_MARGIN_KM
    safe = np.flatnonzero(~risky)
    bs = hy.recommended_simd_size()
    ta = _integrator(p, tol, bs)
    for lo in range(0, safe.size, bs):
        idx = safe[lo : lo + bs]
        # A short last block is padded with copies of its last sample.
        lanes = np.concatenate([idx, np.full(bs - idx.size, idx[-1])])
        ta.set_time(0.0)
        ta.state[:] = y0s[lanes].T
        ta.propagate_until(float(t_end))
        for res in ta.propagate_res:
            if res[0] != hy.taylor_outcome.time_limit and t_end != 0.0:
                raise PropagationError(f"heyoka stopped: {res[0]} in a batch of samples {idx}")
        y[idx] = ta.state[:, : idx.size].T
    if np.any(risky):
        # Max steps as the Propagator's default.
        _, _, yr, tr, sr = _batch_rkn(
            y0s[risky], np.array([float(t_end)]), p, float(tol), float(tol), 1_000_000, stop_radius
        )
        y[risky], tstop[risky], status[risky] = yr, tr, sr
    return y, tstop, status


def _osculating_perigee_km(y, mu):
    """Two-body perigee radius h^2 / (mu (1 + e)) of states (n, 6), any conic (the orbit
    equation at true anomaly 0, e from the eccentricity vector: Curtis 2014, ch. 2)."""
    r, v = y[:, :3], y[:, 3:]
    h2 = np.sum(np.cross(r, v) ** 2, axis=1)
    rn = np.linalg.norm(r, axis=1)
    e_vec = np.cross(v, np.cross(r, v)) / mu - r / rn[:, None]
    return h2 / (mu * (1.0 + np.linalg.norm(e_vec, axis=1)))
