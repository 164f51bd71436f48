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

from numba import njit

from ._kernels import _cw_accel, _mv3, _norm3
from .bodies import A_Q, A_W, attitude_error

__all__: list[str] = []


@njit(cache=True, error_model="numpy")
def translation_dv(xhat, r_ref, v_ref, seg, n):
    """Delta-v (km/s LVLH) of the PD tracking law: desired velocity
    ``v_ref + (r_ref - r) / tau_p`` reached over ``tau_v``, minus the CW free-motion
    acceleration (feed-forward) over the step; zero inside the deadband."""
    v_des = v_ref + (r_ref - xhat[:3]) / seg.tau_p
    xd = xhat.copy()
    for i in range(3):
        xd[3 + i] = v_des[i]
    dv = (v_des - xhat[3:]) * (seg.dt / seg.tau_v) - _cw_accel(n, xd) * seg.dt
    if _norm3(dv) < seg.deadband:
        dv[:] = 0.0
    return dv


@njit(cache=True, error_model="numpy")
def attitude_impulse(x, q_ref, w_ref, inertia, tau, max_rate):
    """Angular impulse (N m s, body axes) that sets the body rate to the commanded
    ``w_ref - err / tau`` (``err`` the small-angle error from ``q_ref``, its correction
    rate capped at ``max_rate`` rad/s); ``w_ref`` in the target axes, which differ from
    the body axes by the error only (small-angle)."""
    err = attitude_error(x[A_Q : A_Q + 4], q_ref)
    corr = -err / tau
    nc = _norm3(corr)
    if nc > max_rate:
        corr *= max_rate / nc
    w_cmd = w_ref + corr
    return _mv3(inertia, w_cmd - x[A_W : A_W + 3])
