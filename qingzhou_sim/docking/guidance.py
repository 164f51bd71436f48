r"""Guidance of the approach: translation references (re-targeted CW two-impulse
transfers, station-keeping holds, forced straight lines with a speed schedule) and
attitude targets (LVLH hold far away, alignment with the station's port axis in the
final approach).

Kernels in km, km/s, s, rad (numba). A segment's guidance state is a float array
``gs`` with named indices: :data:`G_SREF` (distance flown along the straight line,
km) and :data:`G_BURN` (index of the next transfer burn).

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP: sec. 3.3.4
(two-impulse transfers), sec. 4.3 (passive safety), sec. 5.3 (straight-line
approaches), sec. 6.4 (attitude during the final approach).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import (
    AB_NONE,
    AB_PASSIVE,
    AB_TRACKING,
    CF_KOS,
    CF_MIB,
    CF_N,
    CF_PROP_MIN,
    CF_PS_ENFORCE,
    CF_PS_HORIZON,
    CF_PS_STEP,
    CF_R_CURV,
    CF_TRACK_ABS,
    CF_TRACK_REL,
    EV_PASSIVE,
    MODE_HOLD,
    MODE_STRAIGHT,
    _dist3,
    _kernel,
    _kernel_of,
    _leaf,
    _passive,
    _sched,
    _two_impulse_curv,
    _vsub,
)
from ._quat import _qdcm_into, qmul4
from .bodies import A_Q, A_W
from .safety import _event, port_geometry

__all__: list[str] = []

G_SREF = 0
G_BURN = 1
G_N = 2

# Retiming factors tried when a transfer's departure burn is not passively safe.
_RETIME = (0.9, 1.1, 0.8, 1.2, 0.7, 1.3, 1.4, 1.5)


@_kernel
def _retime(seg, cfg, k, xhat, nb):
    """Try other transfer times for a departure burn that is not passively safe; on
    success re-scale the burn schedule in place. Returns (dv, rmin, tmin, found)."""
    tof0 = (seg.burn_steps[nb - 1] - k) * seg.dt
    for f in _RETIME:
        steps2 = int(round(f * tof0 / seg.dt))
        if k + steps2 >= seg.n_max:
            continue
        d1, ok = _two_impulse_curv(cfg[CF_N], cfg[CF_R_CURV], xhat, seg.tgt, steps2 * seg.dt, 100.0)
        if not ok:
            continue
        y = xhat.copy()
        for i in range(3):
            y[3 + i] += d1[i]
        rmin, tmin, _, unsafe = _passive(
            cfg[CF_N], y, cfg[CF_PS_HORIZON], cfg[CF_PS_STEP], cfg[CF_KOS], cfg[CF_PS_ENFORCE]
        )
        if not unsafe:
            for j in range(1, nb):
                seg.burn_steps[j] = k + int(
                    round((seg.burn_steps[j] - k) * steps2 / (tof0 / seg.dt))
                )
            seg.burn_steps[nb - 1] = k + steps2
            return d1, rmin, tmin, True
    return np.zeros(3), 0.0, 0.0, False


@njit(cache=True, error_model="numpy")
def transfer(seg, cfg, k, t, xhat, gs, ev, ne):
    """Re-targeted CW two-impulse transfer: the departure burn, mid-course corrections
    (only when well conditioned) and the arrival burn at the scheduled steps; each
    departure is checked for passive safety and re-timed or refused. Returns
    (dv km/s LVLH, done, abort code, ne)."""
    dv = np.zeros(3)
    nb = seg.burn_steps.shape[0]
    ib = int(gs[G_BURN])
    if ib >= nb or k < seg.burn_steps[ib]:
        return dv, False, AB_NONE, ne
    gs[G_BURN] = ib + 1
    if ib == nb - 1:
        return _vsub(seg.tgt[3:], xhat[3:]), True, AB_NONE, ne
    tof = (seg.burn_steps[nb - 1] - k) * seg.dt
    d1, ok = _two_impulse_curv(
        cfg[CF_N], cfg[CF_R_CURV], xhat, seg.tgt, tof, 100.0 if ib == 0 else 30.0
    )
    if ok:
        dv = d1
    if seg.check_passive == 0:
        return dv, False, AB_NONE, ne
    y = xhat.copy()
    for i in range(3):
        y[3 + i] += dv[i]
    rmin, tmin, _, unsafe = _passive(
        cfg[CF_N], y, cfg[CF_PS_HORIZON], cfg[CF_PS_STEP], cfg[CF_KOS], cfg[CF_PS_ENFORCE]
    )
    # enforced on the burn that starts the arc (first trying other transfer times);
    # mid-course trims of an arc verified at departure are reported only
    if unsafe and ib == 0:
        d2, rmin2, tmin2, found = _retime(seg, cfg, k, xhat, nb)
        if found:
            dv, rmin, tmin, unsafe = d2, rmin2, tmin2, False
    ne = _event(ev, ne, t, EV_PASSIVE, rmin, tmin)
    if unsafe and ib == 0:
        return np.zeros(3), False, AB_PASSIVE, ne
    return dv, False, AB_NONE, ne


@njit(cache=True, error_model="numpy")
def reference(seg, cfg, k, xhat, gs):
    """Position and velocity reference (km, km/s LVLH) of a hold or straight line, and
    whether the segment is done; straight lines advance ``gs[G_SREF]`` along the speed
    schedule. Returns (r_ref, v_ref, done, abort code)."""
    r_ref, v_ref = np.empty(3), np.empty(3)
    done, reason = _reference_into(seg, cfg, k, xhat, gs, r_ref, v_ref)
    return r_ref, v_ref, done, reason


@_leaf
def _reference_into(seg, cfg, k, xhat, gs, r_ref, v_ref):
    """:func:`reference` into ``r_ref``, ``v_ref`` (3,); returns (done, abort code)."""
    done = False
    reason = AB_NONE
    if seg.mode == MODE_STRAIGHT:
        s_ref = gs[G_SREF]
        togo = seg.line_len - s_ref
        spd = _sched(max(togo, 0.0), seg.sched_d, seg.sched_v)
        if togo <= 0.0 and seg.final == 0:
            done = True
        for i in range(3):  # line0 + s_ref line_u, spd line_u
            r_ref[i] = seg.line0[i] + seg.line_u[i] * s_ref
            v_ref[i] = seg.line_u[i] * spd
        gs[G_SREF] = s_ref + spd * seg.dt
        dport, _, _, _ = port_geometry(xhat, cfg)
        if _dist3(xhat, r_ref) > cfg[CF_TRACK_ABS] + cfg[CF_TRACK_REL] * max(dport, 0.0):
            reason = AB_TRACKING
    else:
        for i in range(3):
            r_ref[i] = seg.tgt[i]
            v_ref[i] = seg.tgt[3 + i]
        if seg.settle_tol > 0.0:
            # velocity settled to within the tolerance / 300 s, or to within one minimum
            # impulse (at the dry mass): finer is not what the thrusters can hold
            v_tol = max(seg.settle_tol / 300.0, cfg[CF_MIB] / cfg[CF_PROP_MIN] * 1e-3)
            if (
                _dist3(xhat, r_ref) < seg.settle_tol
                and _dist3(xhat[3:], v_ref) < v_tol
                and k * seg.dt >= seg.min_time
            ):
                done = True
    if seg.mode == MODE_HOLD and k >= seg.n_max:
        done = True
    return done, reason


@njit(cache=True, error_model="numpy")
def attitude_target(xs, align, q_dock, w_orb):
    """Attitude target of the chaser (``q_lvlh_body``) and its inertial body rate
    (rad/s, target axes): ``align`` false, the docked attitude relative to LVLH (LVLH
    hold, turning with the orbit); true, the docked attitude relative to the station's
    actual attitude (port-axis alignment), turning with the station."""
    q_ref, w_ref = np.empty(4), np.empty(3)
    _attitude_target_into(xs, align, q_dock, w_orb, q_ref, w_ref, np.empty((3, 3)))
    return q_ref, w_ref


@_leaf
def _attitude_target_into(xs, align, q_dock, w_orb, q_ref, w_ref, m):
    """:func:`attitude_target` into ``q_ref`` (4,) and ``w_ref`` (3,) with the work
    array ``m`` (3, 3): the operations of ``qmul``, ``_mtv3(qdcm(.))`` and
    ``lvlh_rate_body`` written out."""
    if align:
        q = xs[A_Q : A_Q + 4]
        q_ref[0], q_ref[1], q_ref[2], q_ref[3] = qmul4(
            q[0], q[1], q[2], q[3], q_dock[0], q_dock[1], q_dock[2], q_dock[3]
        )
        # station rate (station axes) expressed in the target axes
        _qdcm_into(q_dock, m)
        for i in range(3):
            w_ref[i] = m[0, i] * xs[A_W] + m[1, i] * xs[A_W + 1] + m[2, i] * xs[A_W + 2]
    else:
        for i in range(4):
            q_ref[i] = q_dock[i]
        w, x, y, z = q_ref[0], q_ref[1], q_ref[2], q_ref[3]
        w_ref[0] = -w_orb * 2.0 * (x * y + w * z)
        w_ref[1] = -w_orb * (1.0 - 2.0 * (x * x + z * z))
        w_ref[2] = -w_orb * 2.0 * (y * z - w * x)


# kernels of the public functions above for compiled callers (no Python entry points)
_transfer_inline = _kernel_of(transfer, inline=True)
