r"""Step-size control shared by the DOP853 and RKN12(10) kernels, scalar and ensemble.

The standard controller of embedded Runge-Kutta pairs: a step is accepted when its
scaled error norm is below 1, and the next step is h * clip(SAFETY err^(-1/(q+1)), MIN,
MAX) with q the order of the error estimate, not grown right after a rejection
(Hairer, Norsett & Wanner 1993, sec. II.4, eq. 4.13 and p. 168). Each integrator passes
its own exponent. Helpers are inlined into their callers (``inline="always"``), so the
loops over ensemble lanes compile as before; min and max are written as the conditional
expressions numba's builtins evaluate (the same values, NaN included), whose overloads
would be compiled on a first run.
"""

from __future__ import annotations

import math

from numba import njit

_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 10.0
_EPS = 2.220446049250313e-16
# Consecutive rejected attempts of one step before giving up: each rejection shrinks the
# step at least 5-fold, so 200 of them span far more than the 1e-16..1e8 s of any step.
_MAX_REJECTS = 200

_inlined = njit(cache=True, error_model="numpy", inline="always")


@_inlined
def _min_step(t):
    """Smallest step at time t that round-off still resolves."""
    at = abs(t)
    return 16.0 * _EPS * (1.0 if 1.0 > at else at)


@_inlined
def _step_end(t, h_abs, direction, t1):
    """End of a step of size h_abs from t in ``direction``, clipped at t1."""
    t_new = t + h_abs * direction
    if direction * (t_new - t1) > 0.0:
        t_new = t1
    return t_new


@_inlined
def _control(err, h_abs, rejected, err_exp):
    """Accept or reject a step of size h_abs with scaled error norm ``err`` (NaN or
    infinite: rejected); ``rejected`` says whether the previous attempt of this step
    was rejected. Returns (accepted, next step size)."""
    if not math.isfinite(err):
        return False, h_abs * _MIN_FACTOR
    if err >= 1.0:
        shrink = _SAFETY * err**err_exp
        return False, h_abs * (shrink if shrink > _MIN_FACTOR else _MIN_FACTOR)
    factor = _SAFETY * err**err_exp if err != 0.0 else _MAX_FACTOR
    factor = factor if factor < _MAX_FACTOR else _MAX_FACTOR
    if rejected:
        factor = factor if factor < 1.0 else 1.0
    return True, h_abs * factor
