r"""``method="taylor"``: heyoka's adaptive Taylor integrator as an optional backend.

heyoka (Biscani & Izzo 2021, MNRAS 504, 2614) integrates the same equations as the
compiled DOP853 when the force model is point-mass or zonal gravity: the right-hand
side of :func:`qingzhou_sim.forces._zonal_accel` is written here as heyoka expressions,
with the Earth's axis k(t) = k0 + t dk/dt as in :func:`qingzhou_sim.forces._pole_at`.
Drag (a tabulated atmosphere) and the Sun and Moon series are not expressed: a force
model with them is rejected. Integrators are compiled once per (parameters, tolerance)
and kept for the session.

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
    P_POLE_DX,
    P_POLE_DY,
    P_POLE_DZ,
    P_POLE_X,
    P_POLE_Y,
    P_POLE_Z,
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


@functools.lru_cache(maxsize=32)
def _integrator(params: bytes, tol: float):
    """A compiled heyoka integrator for the parameter array's bytes (ForceModel.build)."""
    import heyoka as hy

    p = np.frombuffer(params, dtype=np.float64)
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    mu, re = p[P_MU], p[P_RE]
    r2 = x * x + y * y + z * z
    ir = 1.0 / hy.sqrt(r2)
    k0 = -mu * ir * ir * ir
    ax, ay, az = k0 * x, k0 * y, k0 * z
    degree = int(p[P_DEGREE])
    if degree >= 2:
        # k(t) = k0 + t dk/dt; zero terms left out so that heyoka's expression (and
        # its Taylor recursion) is as short as the z-axis formula when the axis is z.
        k = [
            _lin(p[P_POLE_X], p[P_POLE_DX], hy.time),
            _lin(p[P_POLE_Y], p[P_POLE_DY], hy.time),
            _lin(p[P_POLE_Z], p[P_POLE_DZ], hy.time),
        ]
        kx, ky, kz = k
        # Montenbruck & Gill (2000), eq. 3.7 restricted to m = 0, as in _zonal_accel.
        s = sum(c * kc for c, kc in zip((x, y, z), k, strict=True) if kc is not None) * ir
        q = re * ir
        base = mu * ir * ir
        terms = [
            (2, p[P_J2], 1.5 * s * s - 0.5, 3.0 * s),
            (3, p[P_J3], 2.5 * s * s * s - 1.5 * s, 7.5 * s * s - 1.5),
            (4, p[P_J4], (35.0 * s**4 - 30.0 * s * s + 3.0) / 8.0, (35.0 * s**3 - 15.0 * s) / 2.0),
        ]
        cr, cz = 0.0, 0.0
        for n, jn, pn, dpn in terms[: degree - 1]:
            c = base * jn * q**n
            cr = cr + c * ((n + 1) * pn + s * dpn)
            cz = cz + c * dpn
        ax, ay, az = (
            a + cr * c * ir - (cz * kc if kc is not None else 0.0)
            for a, c, kc in zip((ax, ay, az), (x, y, z), (kx, ky, kz), strict=True)
        )
    system = [(x, vx), (y, vy), (z, vz), (vx, ax), (vy, ay), (vz, az)]
    return hy.taylor_adaptive(system, np.zeros(6), tol=tol)


def _lin(value: float, rate: float, t):
    """value + t rate as a heyoka expression, None when zero."""
    if rate != 0.0:
        return value + t * rate
    return None if value == 0.0 else (1.0 if value == 1.0 else value)


def taylor_rv(y0, t_s, imp_t, imp_dv, p, tol, stop_radius) -> np.ndarray:
    """States (n, 6) at ``t_s`` (sorted, one side of 0) with inertial impulses applied
    when reached (outputs at an impulse time get the post-impulse state)."""
    ta = _integrator(np.ascontiguousarray(p, dtype=np.float64).tobytes(), float(tol))
    out = np.empty((t_s.size, 6))
    if t_s.size == 0:
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
    if np.any(np.linalg.norm(out[:, :3], axis=1) < stop_radius):
        raise PropagationError(
            "re-entry (altitude < 100 km) with method 'taylor'; use method='dop853', which "
            "locates it"
        )
    return out


def _check(outcome, ta) -> None:
    import heyoka as hy

    if outcome not in (hy.taylor_outcome.time_limit, hy.taylor_outcome.success):
        raise PropagationError(f"heyoka stopped: {outcome} at t = {ta.time:.3f} s")
