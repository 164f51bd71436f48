r"""Control laws of the approach: translation (PD tracking of a reference with CW
feed-forward, as impulses) and attitude (rate-command law on the quaternion error, as
an angular impulse). Outputs are commands; the thruster selection
(:mod:`.thrusters`) decides what can be fired.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, sec. 6.2-6.4.
Wie, B. (2008), *Space Vehicle Dynamics and Control*, 2nd ed., AIAA, sec. 7.3
(quaternion feedback).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import _cw_accel, _kernel_of, _mv3, _norm3
from .bodies import A_Q, A_W, _attitude_error

__all__: list[str] = []


@njit(cache=True, error_model="numpy")
def translation_dv(xhat, r_ref, v_ref, seg, n):
    """Delta-v (km/s LVLH) of the PD tracking law: desired velocity
    ``v_ref + (r_ref - r) / tau_p`` reached over ``tau_v``, minus the CW free-motion
    acceleration (feed-forward) over the step; zero inside the deadband."""
    xd = xhat.copy()
    for i in range(3):
        xd[3 + i] = v_ref[i] + (r_ref[i] - xhat[i]) / seg.tau_p
    acc = _cw_accel(n, xd)
    dv = np.empty(3)
    for i in range(3):
        dv[i] = (xd[3 + i] - xhat[3 + i]) * (seg.dt / seg.tau_v) - acc[i] * seg.dt
    if _norm3(dv) < seg.deadband:
        dv[:] = 0.0
    return dv


@njit(cache=True, error_model="numpy")
def attitude_impulse(x, q_ref, w_ref, inertia, tau, max_rate):
    """Angular impulse (N m s, body axes) that sets the body rate to the commanded
    ``w_ref - err / tau`` (``err`` the small-angle error from ``q_ref``, its correction
    rate capped at ``max_rate`` rad/s); ``w_ref`` in the target axes, which differ from
    the body axes by the error only (small-angle)."""
    err = _attitude_error(x[A_Q : A_Q + 4], q_ref)
    corr = np.empty(3)
    for i in range(3):
        corr[i] = -err[i] / tau
    nc = _norm3(corr)
    cap = max_rate / nc if nc > max_rate else 1.0
    dw = np.empty(3)
    for i in range(3):
        c = corr[i] * cap if nc > max_rate else corr[i]
        dw[i] = (w_ref[i] + c) - x[A_W + i]
    return _mv3(inertia, dw)


# kernels of the public functions above for compiled callers (no Python entry points)
_attitude_impulse = _kernel_of(attitude_impulse)
_translation_dv = _kernel_of(translation_dv)
