"""Private full-force propagation through impulses: fixed-step RK4 on the project's
compiled right-hand side :func:`qingzhou_sim.forces._rhs`.

Used by the phasing planner only when ``qingzhou_sim.propagator.Propagator.propagate_rv``
is not available. RK4 at a 10 s step keeps the truncation error around a metre per day
in LEO (Montenbruck & Gill 2000, sec. 4.1: global error O(h^4)), far below the 100 m
hand-over tolerance.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..forces import _rhs


@numba.njit(cache=True)
def _rk4_arc(t, y, dt, step, p):
    if dt == 0.0:
        return y.copy()
    nstep = max(1, int(math.ceil(abs(dt) / step)))
    h = dt / nstep
    out = y.copy()
    for _ in range(nstep):
        k1 = _rhs(t, out, p)
        k2 = _rhs(t + 0.5 * h, out + 0.5 * h * k1, p)
        k3 = _rhs(t + 0.5 * h, out + 0.5 * h * k2, p)
        k4 = _rhs(t + h, out + h * k3, p)
        out = out + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        t += h
    return out


@numba.njit(cache=True)
def _rk4_rv(rv0, t_s, imp_t, imp_dv, p, step):
    n = t_s.shape[0]
    out = np.empty((n, 6))
    y = rv0.copy()
    tc = 0.0
    k = 0
    nimp = imp_t.shape[0]
    for j in range(n):
        while k < nimp and imp_t[k] <= t_s[j]:
            y = _rk4_arc(tc, y, imp_t[k] - tc, step, p)
            for i in range(3):
                y[3 + i] += imp_dv[k, i]
            tc = imp_t[k]
            k += 1
        y = _rk4_arc(tc, y, t_s[j] - tc, step, p)
        tc = t_s[j]
        out[j] = y
    return out


def _full_force_rv(rv0, t_s, imp_t, imp_dv, p, step_s=10.0):
    """States at sorted times ``t_s`` >= 0 (s) through inertial impulses ``imp_dv``
    (k, 3) km/s applied at ``imp_t`` (k,); an output time equal to an impulse time
    returns the state after it."""
    return _rk4_rv(
        np.ascontiguousarray(rv0, dtype=float),
        np.ascontiguousarray(t_s, dtype=float).reshape(-1),
        np.ascontiguousarray(imp_t, dtype=float).reshape(-1),
        np.ascontiguousarray(imp_dv, dtype=float).reshape(-1, 3),
        np.asarray(p, dtype=float),
        float(step_s),
    )
