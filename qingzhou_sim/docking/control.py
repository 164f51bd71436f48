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

import math

import numpy as np
from numba import njit

from ._kernels import _leaf
from .bodies import A_Q, A_W, attitude_error3

__all__: list[str] = []


@njit(cache=True, error_model="numpy")
def translation_dv(xhat, r_ref, v_ref, seg, n):
    """Delta-v (km/s LVLH) of the PD tracking law: desired velocity
    ``v_ref + (r_ref - r) / tau_p`` reached over ``tau_v``, minus the CW free-motion
    acceleration (feed-forward, Fehse 2003, eq. 3.22) over the step; zero inside the
    deadband."""
    dv = np.empty(3)
    _translation_dv_into(xhat, r_ref, v_ref, seg, n, dv)
    return dv


@_leaf
def _translation_dv_into(xhat, r_ref, v_ref, seg, n, dv):
    """:func:`translation_dv` into ``dv`` (3,), in scalars (no temporaries)."""
    xd3 = v_ref[0] + (r_ref[0] - xhat[0]) / seg.tau_p
    xd4 = v_ref[1] + (r_ref[1] - xhat[1]) / seg.tau_p
    xd5 = v_ref[2] + (r_ref[2] - xhat[2]) / seg.tau_p
    # the CW acceleration of the desired state (position xhat's)
    a0 = 2.0 * n * xd5
    a1 = -n * n * xhat[1]
    a2 = -2.0 * n * xd3 + 3.0 * n * n * xhat[2]
    dv[0] = (xd3 - xhat[3]) * (seg.dt / seg.tau_v) - a0 * seg.dt
    dv[1] = (xd4 - xhat[4]) * (seg.dt / seg.tau_v) - a1 * seg.dt
    dv[2] = (xd5 - xhat[5]) * (seg.dt / seg.tau_v) - a2 * seg.dt
    if math.sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]) < seg.deadband:
        for i in range(3):
            dv[i] = 0.0


@njit(cache=True, error_model="numpy")
def attitude_impulse(x, q_ref, w_ref, inertia, tau, max_rate):
    """Angular impulse (N m s, body axes) that sets the body rate to the commanded
    ``w_ref - err / tau`` (``err`` the small-angle error from ``q_ref``, its correction
    rate capped at ``max_rate`` rad/s); ``w_ref`` in the target axes, which differ from
    the body axes by the error only (small-angle)."""
    out = np.empty(3)
    _attitude_impulse_into(x, q_ref, w_ref, inertia, tau, max_rate, out)
    return out


@_leaf
def _attitude_impulse_into(x, q_ref, w_ref, inertia, tau, max_rate, out):
    """:func:`attitude_impulse` into ``out`` (3,), in scalars (no temporaries)."""
    e0, e1, e2 = attitude_error3(x[A_Q : A_Q + 4], q_ref)
    c0, c1, c2 = -e0 / tau, -e1 / tau, -e2 / tau
    nc = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
    if nc > max_rate:
        cap = max_rate / nc
        c0, c1, c2 = c0 * cap, c1 * cap, c2 * cap
    dw0 = (w_ref[0] + c0) - x[A_W]
    dw1 = (w_ref[1] + c1) - x[A_W + 1]
    dw2 = (w_ref[2] + c2) - x[A_W + 2]
    for i in range(3):
        out[i] = inertia[i, 0] * dw0 + inertia[i, 1] * dw1 + inertia[i, 2] * dw2
