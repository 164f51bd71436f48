r"""Port-to-port contact geometry: separation along the capture axis (the first-contact
event is its zero), the nine contact figures, and the capture check.

Everything comes from the two bodies' simulated states: the chaser's centre of mass
relative to the station's (LVLH, rotating-frame velocity) and both attitude states of
:mod:`.bodies`. Ports are given in their body frames by a ``ports`` array (4, 3) with
named rows: :data:`P_ST_POS` / :data:`P_ST_AX` the station port's position (km, from
its centre of mass) and outward axis, :data:`P_CH_POS` / :data:`P_CH_AX` the chaser's;
``q_dock`` is ``q_station_chaser`` when docked (:func:`.bodies.docked_quat`).

The capture axis is the station port's outward axis. Figures (kernel units, named
indices ``C_*``): closing speed (km/s, along the capture axis, positive when closing),
lateral offset (km) and lateral rate (km/s) of the chaser's port centre across it, the
attitude misalignment of the chaser from its docked attitude relative to the station
as yaw, pitch, roll of a 3-2-1 sequence in the chaser's body axes (roll about the
capture axis; rad) and the chaser's angular velocity relative to the station in the
same axes (rad/s).

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, sec. 8.1
(contact conditions and reception range of docking mechanisms).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import (
    _cross,
    _inlined,
    _kernel_of,
    _leaf,
    _mtv3,
    _mv3,
    _norm3,
    _vadd,
    _vscale,
    _vsub,
)
from ._quat import _euler_321, _qconj, _qdcm_into, qdcm, qmul
from .bodies import A_Q, A_W, lvlh_rate_body
from .config import ContactLimits
from .result import ContactCheck, ContactConditions

__all__: list[str] = []

P_ST_POS = 0
P_ST_AX = 1
P_CH_POS = 2
P_CH_AX = 3

C_VCL = 0
C_LAT = 1
C_LATR = 2
C_PITCH = 3
C_YAW = 4
C_ROLL = 5
C_PITCH_RATE = 6
C_YAW_RATE = 7
C_ROLL_RATE = 8
C_N = 9


@njit(cache=True, error_model="numpy")
def port_states(rel, xs, xc, ports, w_orb):
    """Port centres and their velocities in LVLH (km, km/s, rotating frame), and the
    capture axis: (p_station, v_station, p_chaser, v_chaser, axis)."""
    rs = qdcm(xs[A_Q : A_Q + 4])
    rc = qdcm(xc[A_Q : A_Q + 4])
    ws = _vsub(xs[A_W : A_W + 3], lvlh_rate_body(xs[A_Q : A_Q + 4], w_orb))
    wc = _vsub(xc[A_W : A_W + 3], lvlh_rate_body(xc[A_Q : A_Q + 4], w_orb))
    ps = _mv3(rs, ports[P_ST_POS])
    vs = _mv3(rs, _cross(ws, ports[P_ST_POS]))
    pc = _vadd(rel[:3], _mv3(rc, ports[P_CH_POS]))
    vc = _vadd(rel[3:], _mv3(rc, _cross(wc, ports[P_CH_POS])))
    return ps, vs, pc, vc, _mv3(rs, ports[P_ST_AX])


@njit(cache=True, error_model="numpy")
def separation(rel, xs, xc, ports, w_orb):
    """Distance (km) of the chaser's port centre in front of the station's port plane,
    along the capture axis: the first-contact event is its zero."""
    ps, _, pc, _, ax = _port_states(rel, xs, xc, ports, w_orb)
    return (pc[0] - ps[0]) * ax[0] + (pc[1] - ps[1]) * ax[1] + (pc[2] - ps[2]) * ax[2]


@_leaf
def _separation_into(rel, xs, xc, ports, rs, rc):
    """:func:`separation` with the rotation matrices in the work arrays ``rs``, ``rc``
    (3, 3): the same operations as :func:`port_states` for the three vectors it reads
    (station port, chaser port, axis), no temporaries."""
    _qdcm_into(xs[A_Q : A_Q + 4], rs)
    _qdcm_into(xc[A_Q : A_Q + 4], rc)
    d0 = _port_term(rel, rs, rc, ports, 0)
    d1 = _port_term(rel, rs, rc, ports, 1)
    d2 = _port_term(rel, rs, rc, ports, 2)
    return d0 + d1 + d2


@_inlined
def _port_term(rel, rs, rc, ports, i):
    """``(pc[i] - ps[i]) * ax[i]`` of :func:`separation`."""
    p_s, a_s, p_c = ports[P_ST_POS], ports[P_ST_AX], ports[P_CH_POS]
    ps = rs[i, 0] * p_s[0] + rs[i, 1] * p_s[1] + rs[i, 2] * p_s[2]
    pc = rel[i] + (rc[i, 0] * p_c[0] + rc[i, 1] * p_c[1] + rc[i, 2] * p_c[2])
    ax = rs[i, 0] * a_s[0] + rs[i, 1] * a_s[1] + rs[i, 2] * a_s[2]
    return (pc - ps) * ax


@njit(cache=True, error_model="numpy")
def figures(rel, xs, xc, ports, q_dock, w_orb):
    """The nine contact figures (C_N,) at the current states (kernel units)."""
    ps, vs, pc, vc, ax = _port_states(rel, xs, xc, ports, w_orb)
    dp = _vsub(pc, ps)
    dv = _vsub(vc, vs)
    d = dp[0] * ax[0] + dp[1] * ax[1] + dp[2] * ax[2]
    vd = dv[0] * ax[0] + dv[1] * ax[1] + dv[2] * ax[2]
    out = np.empty(C_N)
    out[C_VCL] = -vd
    lat = _vsub(dp, _vscale(ax, d))
    latr = _vsub(dv, _vscale(ax, vd))
    out[C_LAT] = _norm3(lat)
    out[C_LATR] = _norm3(latr)
    # chaser attitude relative to the station, against the docked one (chaser axes)
    q_sc = qmul(_qconj(xs[A_Q : A_Q + 4]), xc[A_Q : A_Q + 4])
    ypr = _euler_321(qmul(_qconj(q_dock), q_sc))
    out[C_YAW] = ypr[0]
    out[C_PITCH] = ypr[1]
    out[C_ROLL] = ypr[2]
    # station rate in chaser axes: R_lvlh_chaser^T R_lvlh_station w_station
    w_st = _mtv3(qdcm(xc[A_Q : A_Q + 4]), _mv3(qdcm(xs[A_Q : A_Q + 4]), xs[A_W : A_W + 3]))
    w_rel = _vsub(xc[A_W : A_W + 3], w_st)
    out[C_ROLL_RATE] = w_rel[0]
    out[C_PITCH_RATE] = w_rel[1]
    out[C_YAW_RATE] = w_rel[2]
    return out


def capture_check(fig: np.ndarray, limits: ContactLimits) -> ContactConditions:
    """The contact figures (kernel units) in m, m/s, deg, deg/s, checked against the
    mechanism's initial-contact envelope."""
    vcl, lat, latr = fig[C_VCL] * 1e3, fig[C_LAT] * 1e3, fig[C_LATR] * 1e3
    ang = np.degrees(fig[[C_PITCH, C_YAW, C_ROLL, C_PITCH_RATE, C_YAW_RATE, C_ROLL_RATE]])
    lim = limits
    checks = (
        ContactCheck(
            "closing speed",
            float(vcl),
            lim.closing_speed_max_m_s,
            "m/s",
            bool(lim.closing_speed_min_m_s <= vcl <= lim.closing_speed_max_m_s),
            lim.closing_speed_min_m_s,
        ),
        *(
            ContactCheck(name, float(value), limit, unit, bool(value <= limit))
            for name, value, limit, unit in (
                ("lateral offset", lat, lim.lateral_offset_m, "m"),
                ("lateral rate", latr, lim.lateral_rate_m_s, "m/s"),
                ("pitch", abs(ang[0]), lim.pitch_yaw_deg, "deg"),
                ("yaw", abs(ang[1]), lim.pitch_yaw_deg, "deg"),
                ("roll", abs(ang[2]), lim.roll_deg, "deg"),
                ("pitch rate", abs(ang[3]), lim.angular_rate_deg_s, "deg/s"),
                ("yaw rate", abs(ang[4]), lim.angular_rate_deg_s, "deg/s"),
                ("roll rate", abs(ang[5]), lim.angular_rate_deg_s, "deg/s"),
            )
        ),
    )
    return ContactConditions(
        closing_speed_m_s=float(vcl),
        lateral_offset_m=float(lat),
        lateral_rate_m_s=float(latr),
        pitch_deg=float(ang[0]),
        yaw_deg=float(ang[1]),
        roll_deg=float(ang[2]),
        pitch_rate_deg_s=float(ang[3]),
        yaw_rate_deg_s=float(ang[4]),
        roll_rate_deg_s=float(ang[5]),
        checks=checks,
    )


def ports_array(station_port, chaser_port) -> np.ndarray:
    """The (4, 3) ``ports`` array (km) from two :class:`~qingzhou_sim.vehicles.DockingPort`."""
    out = np.empty((4, 3))
    out[P_ST_POS] = np.asarray(station_port.position_m) / 1e3
    out[P_ST_AX] = station_port.axis
    out[P_CH_POS] = np.asarray(chaser_port.position_m) / 1e3
    out[P_CH_AX] = chaser_port.axis
    return out


# kernels of the public functions above for compiled callers (no Python entry points)
_figures_inline = _kernel_of(figures, inline=True)
_port_states = _kernel_of(port_states)
