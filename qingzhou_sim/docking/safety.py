r"""Safety monitor of the approach: approach-ellipsoid and keep-out-sphere zones,
final-approach corridor, navigation cross-check with an independent sensor, final
gate, collision distance, propellant; and the collision-avoidance manoeuvre (CAM).

Decisions are taken on the navigation estimate and the independent monitor sensor,
never on the truth; the truth's zone crossings are only recorded as events. Plain
float64 kernels in km, km/s, s (numba).

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, ch. 4 (safety
zones, passive safety, CAM), sec. 4.4 (independent monitoring), sec. 5.3 (corridor).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import (
    AB_AE_ENTRY,
    AB_COLLISION,
    AB_CORRIDOR,
    AB_GATE,
    AB_KOS_OUTSIDE_CORRIDOR,
    AB_NAV_CROSSCHECK,
    AB_NONE,
    AB_PROPELLANT,
    CF_AE_A,
    CF_AE_AX,
    CF_AE_AY,
    CF_AE_AZ,
    CF_AE_B,
    CF_AE_C,
    CF_AE_COS,
    CF_AX,
    CF_AY,
    CF_AZ,
    CF_CAM_DV,
    CF_COLLIDE,
    CF_COR_RMIN,
    CF_COR_TAN,
    CF_GATE,
    CF_GATE_LAT,
    CF_GATE_LATRATE,
    CF_GNSS_RANGE,
    CF_KOS,
    CF_N,
    CF_NOISE_ON,
    CF_PROP_MIN,
    CF_PS_HORIZON,
    CF_PS_STEP,
    CF_PX,
    CF_PY,
    CF_PZ,
    CF_VMAX,
    CF_VMIN,
    CF_XCHK_ABS,
    CF_XCHK_K,
    CF_XCHK_N,
    EV_AE_ENTRY,
    EV_AE_EXIT,
    EV_GATE,
    EV_KOS_ENTRY,
    EV_KOS_EXIT,
    LEAF_OPTIONS,
    MAX_EVENTS,
    MODE_STRAIGHT,
    _dist3,
    _inlined,
    _kernel_of,
    _leaf,
    _norm3,
    _passive,
    _signed,
    _vscale,
)

__all__: list[str] = []

# Monitor flags carried across segments (int64 array): estimate inside the approach
# ellipsoid, estimate inside the keep-out sphere, final gate passed, consecutive
# cross-check failures.
F_EST_AE = 0
F_EST_KOS = 1
F_GATE = 2
F_XCHK = 3
F_N = 4


@_leaf
def _port_offset(r, cfg):
    """(distance along the docking axis, lateral offset) of the chaser's port relative
    to the station's port for the centre-of-mass position ``r`` (LVLH, km; the first
    three entries of a state), the chaser assumed aligned with the axis."""
    rx = r[0] - cfg[CF_PX]
    ry = r[1] - cfg[CF_PY]
    rz = r[2] - cfg[CF_PZ]
    d = rx * cfg[CF_AX] + ry * cfg[CF_AY] + rz * cfg[CF_AZ]
    lx = rx - d * cfg[CF_AX]
    ly = ry - d * cfg[CF_AY]
    lz = rz - d * cfg[CF_AZ]
    return d, math.sqrt(lx * lx + ly * ly + lz * lz)


@njit(cache=True, error_model="numpy")
def port_geometry(x, cfg):
    """(distance along the docking axis, lateral offset, closing speed, lateral rate)
    of the chaser's port relative to the station's port for the centre-of-mass state
    ``x`` (LVLH), the chaser assumed aligned with the axis; km and km/s."""
    d, lat = _port_offset(x, cfg)
    vd = x[3] * cfg[CF_AX] + x[4] * cfg[CF_AY] + x[5] * cfg[CF_AZ]
    wx = x[3] - vd * cfg[CF_AX]
    wy = x[4] - vd * cfg[CF_AY]
    wz = x[5] - vd * cfg[CF_AZ]
    return d, lat, -vd, math.sqrt(wx * wx + wy * wy + wz * wz)


@njit(cache=True, error_model="numpy")
def in_corridor(x, cfg, margin):
    """Inside the final-approach cone (apex at the station's port, ``cor_tan``,
    minimum radius ``cor_rmin``) widened by ``margin`` km, for the position (or
    state) ``x``."""
    d, lat = _port_offset(x, cfg)
    if d < -0.002:
        return False
    return lat <= max(cfg[CF_COR_RMIN], d * cfg[CF_COR_TAN]) + margin


@njit(cache=True, error_model="numpy")
def in_ae(r, cfg):
    """Inside the approach ellipsoid (semi-axes ``ae_a``, ``ae_b``, ``ae_c`` km)."""
    return (r[0] / cfg[CF_AE_A]) ** 2 + (r[1] / cfg[CF_AE_B]) ** 2 + (
        r[2] / cfg[CF_AE_C]
    ) ** 2 < 1.0


# explicit signature: the event codes are literals at every call site, and numba
# would otherwise compile one copy per literal (8 copies in the loop).
@_signed("int64(float64[:, ::1], int64, float64, int64, float64, float64)", **LEAF_OPTIONS)
def _event(ev, ne, t, code, v1, v2):
    if ne < MAX_EVENTS:
        ev[ne, 0] = t
        ev[ne, 1] = code
        ev[ne, 2] = v1
        ev[ne, 3] = v2
        ne += 1
    return ne


# inlined into the loop (one caller): an explicit signature with the 70-field Cfg
# (against the literal ``ne = 0`` specialisation) cost ~1.4 s of compilation at import
@_inlined
def zone_events(rel, zones, cfg, t, ev, ne):
    """Record the truth's entries into and exits from the approach ellipsoid and the
    keep-out sphere; ``zones`` (int64 (2,)) holds the previous inside flags."""
    rng = _norm3(rel[:3])
    inside_ae = _in_ae(rel[:3], cfg)
    inside_kos = rng < cfg[CF_KOS]
    if inside_ae != (zones[0] != 0):
        cosang = (rel[0] * cfg[CF_AE_AX] + rel[1] * cfg[CF_AE_AY] + rel[2] * cfg[CF_AE_AZ]) / max(
            rng, 1e-12
        )
        code = EV_AE_ENTRY if inside_ae else EV_AE_EXIT
        ne = _event(ev, ne, t, code, 1.0 if cosang >= cfg[CF_AE_COS] else 0.0, 0.0)
    if inside_kos != (zones[1] != 0):
        code = EV_KOS_ENTRY if inside_kos else EV_KOS_EXIT
        ne = _event(ev, ne, t, code, 1.0 if _in_corridor(rel, cfg, 0.0) else 0.0, 0.0)
    zones[0] = 1 if inside_ae else 0
    zones[1] = 1 if inside_kos else 0
    return ne


@njit(cache=True, error_model="numpy")
def monitor(xhat, pvar, mon, sig_mon, rng_true, mass, mode, final, flags, cfg):
    """Rules checked on the estimate ``xhat`` and the monitor sensor ``mon`` (km):
    approach-ellipsoid entry direction, keep-out-sphere entry inside the corridor,
    corridor (estimate and monitor with a 3-sigma margin), collision distance outside
    the final approach, navigation cross-check (``pvar``: the largest variance of the
    estimate's position error, km^2, biases included), propellant. Returns an abort
    code (``AB_NONE`` when all hold); updates ``flags`` (:data:`F_EST_AE` ...)."""
    reason = AB_NONE
    est_rng = _norm3(xhat[:3])
    est_ae = _in_ae(xhat[:3], cfg)
    est_kos = est_rng < cfg[CF_KOS]
    if est_ae and flags[F_EST_AE] == 0:
        cosang = (
            xhat[0] * cfg[CF_AE_AX] + xhat[1] * cfg[CF_AE_AY] + xhat[2] * cfg[CF_AE_AZ]
        ) / max(est_rng, 1e-12)
        if cosang < cfg[CF_AE_COS]:
            reason = AB_AE_ENTRY
    flags[F_EST_AE] = 1 if est_ae else 0
    if est_kos and flags[F_EST_KOS] == 0:
        if mode != MODE_STRAIGHT or not _in_corridor(xhat, cfg, 0.0):
            reason = AB_KOS_OUTSIDE_CORRIDOR
    flags[F_EST_KOS] = 1 if est_kos else 0
    if est_kos and reason == AB_NONE:
        if not _in_corridor(xhat, cfg, 0.0) or not _in_corridor(mon, cfg, 3.0 * sig_mon):
            reason = AB_CORRIDOR
    if rng_true < cfg[CF_COLLIDE] and final == 0 and reason == AB_NONE:
        reason = AB_COLLISION
    pvar = pvar if cfg[CF_NOISE_ON] != 0.0 else 0.0
    thr = cfg[CF_XCHK_K] * math.sqrt(pvar + sig_mon * sig_mon) + cfg[CF_XCHK_ABS]
    # the independent monitor (lidar / camera) exists inside the relative-GNSS range
    if _dist3(xhat, mon) > thr and rng_true <= cfg[CF_GNSS_RANGE]:
        flags[F_XCHK] += 1
    else:
        flags[F_XCHK] = 0
    if flags[F_XCHK] >= cfg[CF_XCHK_N] and reason == AB_NONE:
        reason = AB_NAV_CROSSCHECK
    if mass <= cfg[CF_PROP_MIN] and reason == AB_NONE:
        reason = AB_PROPELLANT
    return reason


@njit(cache=True, error_model="numpy")
def gate(xhat, flags, cfg, t, ev, ne):
    """Final go/no-go gate at ``cfg[CF_GATE]`` km from the port: estimated lateral offset,
    lateral rate and closing speed inside their limits. Returns (abort code, ne)."""
    if flags[F_GATE] != 0:
        return AB_NONE, ne
    dport, lat, vcl, latr = port_geometry(xhat, cfg)
    if dport > cfg[CF_GATE]:
        return AB_NONE, ne
    flags[F_GATE] = 1
    ok = (
        lat <= cfg[CF_GATE_LAT]
        and latr <= cfg[CF_GATE_LATRATE]
        and cfg[CF_VMIN] <= vcl <= cfg[CF_VMAX]
    )
    ne = _event(ev, ne, t, EV_GATE, 1.0 if ok else 0.0, lat)
    return (AB_NONE if ok else AB_GATE), ne


@njit(cache=True, error_model="numpy")
def choose_cam(x, cfg):
    """Collision-avoidance delta-v (km/s LVLH) for the estimated state ``x``.

    First choice: ``cam_dv`` along the outward docking axis (Fehse 2003, sec. 4.5: a
    fixed boost away from the target); if its 24 h CW drift re-enters the keep-out
    sphere, the safest of eight in-plane directions (largest minimum range)."""
    best = np.zeros(3)
    best_r = -1.0
    for k in range(9):
        d = np.zeros(3)
        if k == 0:
            d[0] = cfg[CF_AX]
            d[1] = cfg[CF_AY]
            d[2] = cfg[CF_AZ]
        else:
            ang = (k - 1) * math.pi / 4.0
            d[0] = math.cos(ang)
            d[2] = math.sin(ang)
        y = x.copy()
        for i in range(3):
            y[3 + i] += cfg[CF_CAM_DV] * d[i]
        rmin, _, unsafe, _ = _passive(
            cfg[CF_N], y, cfg[CF_PS_HORIZON], cfg[CF_PS_STEP], cfg[CF_KOS], 1e300
        )
        score = rmin if not unsafe else -1.0 / (1.0 + rmin)
        if k == 0 and not unsafe:
            return _vscale(d, cfg[CF_CAM_DV])
        if score > best_r:
            best_r = score
            best = _vscale(d, cfg[CF_CAM_DV])
    return best


# kernels of the public functions above for compiled callers (no Python entry points)
_choose_cam_inline = _kernel_of(choose_cam, inline=True)
_gate = _kernel_of(gate)
_in_ae = _kernel_of(in_ae)
_in_corridor = _kernel_of(in_corridor)
_monitor = _kernel_of(monitor)
