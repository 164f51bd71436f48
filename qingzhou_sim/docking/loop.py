r"""The closed six-degree-of-freedom loop of one approach segment, compiled with numba.

One step reads like the block diagram, one line per part::

    bodies (truth zones) -> sensors + navigation -> safety monitor -> guidance
    -> control -> thruster selection -> bodies (impulses, then propagation)

Parts: :mod:`.bodies` (truth attitude of both vehicles; translation in
:mod:`._kernels`), :mod:`.sensors` (relative GNSS far, lidar medium, camera pose close,
gyro, star tracker; run errors drawn once per run) and :mod:`.navigation` (one
error-state filter: relative translation on CW fed the impulses actually fired, MEKF of
the chaser's attitude with gyro bias). Guidance, control and the safety monitor read
only the estimates: the relative state, the chaser's attitude and rates (MEKF and gyro
less its estimated bias), the station's port at its nominal pose (the camera measures
relative to the real port); the monitor cross-checks the estimate with the raw fix of
the finest sensor (:func:`.navigation.position_fix`) within the filter's covariance
plus :func:`.navigation.bias_covariance` (computed only when the check's outcome
depends on it). Then :mod:`.safety`,
:mod:`.guidance`, :mod:`.control`, :mod:`.thrusters`, :mod:`.contact`. A broken rule
means a collision-avoidance manoeuvre and the end of the segment with an abort status.

Transfer burns and the CAM are executed by the main engines as impulses along the
commanded direction (the attitude slew to the burn direction is not modelled); all
other translation and all attitude control goes through the RCS layout, so an offset
centre of mass or a misaligned thruster disturbs the attitude.

:func:`fly_segment` (Python) makes a segment's arrays and :func:`run_segment` (compiled
without reference counting) flies its steps in place on them: a step allocates
nothing, and every part writes its results into arrays it is given (issue 16).

References
----------
Fehse (2003), ch. 4-6; Hablani, Tapper & Dana-Bashian (2002), sec. 3-5; Wie (2008),
ch. 7.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ._kernels import (
    AB_NONE,
    AB_TIMEOUT,
    CF_BIAS_T0,
    CF_BIAS_X,
    CF_BIAS_Y,
    CF_BIAS_Z,
    CF_EXEC_ON,
    CF_F_MAIN,
    CF_GNSS_RANGE,
    CF_MIB,
    CF_MU,
    CF_N,
    CF_PLANT_STEP,
    CF_STUCK_T0,
    CF_STUCK_T1,
    CF_XCHK_ABS,
    CF_XCHK_K,
    EV_ABORT,
    EV_BURN,
    EV_CAM,
    EV_CONTACT,
    G0_KM_S2,
    MAX_EVENTS,
    MODE_DRIFT,
    MODE_TRANSFER,
    ST_ABORT,
    ST_CONTACT,
    ST_DONE,
    _add,
    _add_inertial_dv,
    _burn_mass,
    _dist3,
    _inlined,
    _kernel_alloc,
    _norm3,
    _normals,
    _propagate_truth_into,
    _put,
    _thruster,
    _thruster_into,
    _to_lvlh_into,
)
from ._quat import _qdcm_into
from .bodies import (
    A_N,
    A_Q,
    A_W,
    _propagate_attitude_into,
    _propagate_station_into,
    attitude_error3,
    rate_rel_into,
)
from .contact import C_N, _figures_inline, _separation_into
from .control import _attitude_impulse_into, _translation_dv_into
from .guidance import G_BURN, G_N, _attitude_target_into, _reference_into, _transfer_inline
from .navigation import (
    V_POS,
    W_COV,
    _bias_covariance_inline,
    _position_fix_into,
    _predict_into,
    _update_navigation_into,
    _work,
)
from .safety import _choose_cam_inline, _event, _gate, _monitor, zone_events
from .sensors import (
    N_NOISE,
    NZ_GYRO,
    SF_GYRO,
    _draw_step_bg,
    _gyro_into,
    _sample_flat_into,
    _select_flat_into,
    _select_sensors_inline,
)
from .thrusters import _fire_into

__all__: list[str] = []

# History columns: t, true rel (6), estimate (6), dv commanded (3), dv applied (3), mass,
# chaser q_lvlh_body (4), chaser rate relative to LVLH (3, body), chaser attitude error
# from its target (3, rad), station q_lvlh_body (4), station rate relative to LVLH (3),
# thrusters fired (count), RCS impulse (N s, sum over thrusters), angular impulse
# applied (N m s, norm).
H_T = 0
H_TRUE = 1
H_EST = 7
H_DVC = 13
H_DVA = 16
H_MASS = 19
H_QC = 20
H_WC = 24
H_ERR = 27
H_QS = 30
H_WS = 34
H_NFIRE = 37
H_IMP = 38
H_ANG = 39
H_COLS = 40


class Att(NamedTuple):
    """Attitude, thruster and contact parameters of the loop (built by simulate.py)."""

    inertia_ch: np.ndarray  # (3, 3) kg m^2, true
    inertia_ch_inv: np.ndarray
    inertia_fsw: np.ndarray  # (3, 3) the flight software's value
    inertia_st: np.ndarray
    inertia_st_inv: np.ndarray
    q_hold_st: np.ndarray  # (4,) station hold attitude q_lvlh_body
    kp_st: np.ndarray  # (3,) N m / rad
    kd_st: np.ndarray  # (3,) N m s / rad
    q_dock: np.ndarray  # (4,) q_station_chaser docked
    ports: np.ndarray  # (4, 3) contact.ports_array, km
    table: np.ndarray  # (12, n) thruster groups
    group_min: np.ndarray  # (12,) their smallest pulses (thrusters.group_minimums)
    b_nominal: np.ndarray  # (6, n)
    b_true: np.ndarray  # (6, n)
    thrust: np.ndarray  # (n,) N
    mib: float  # N s per thruster
    quantum: float  # N s
    isp_rcs: float  # s
    tau: float  # s, attitude correction time constant
    max_rate: float  # rad/s, largest commanded correction rate
    step: float  # s, attitude integration step


class Nav(NamedTuple):
    """Sensor and navigation-filter parameters of the loop (built by simulate.py):
    :mod:`.sensors` arrays, the run's sensor errors (drawn once per run), the filter
    parameters of :mod:`.navigation` and the station's nominal attitude."""

    sp: object  # sensors.SensorParams
    err: object  # sensors.RunErrors
    fp: np.ndarray  # navigation.FilterConfig.params
    q_nom: np.ndarray  # (4,) the station's nominal q_lvlh_body (LVLH hold)
    xs_nom: np.ndarray  # (A_N,) the station's attitude known on board (nominal, LVLH hold)
    sf: np.ndarray  # sp and err in one array (sensors._flat_params, offsets SF_*)


@_inlined
def _orbit(st):
    """(w_orb rad/s, 3 mu / r^3 1/s^2 with mu from the orbit) of the station state:
    the two-body ``3 n^2`` term uses the local ``|r x v| / r^2`` and ``r``."""
    r2 = st[0] * st[0] + st[1] * st[1] + st[2] * st[2]
    hx = st[1] * st[5] - st[2] * st[4]
    hy = st[2] * st[3] - st[0] * st[5]
    hz = st[0] * st[4] - st[1] * st[3]
    return math.sqrt(hx * hx + hy * hy + hz * hz) / r2, r2


# Rows of the loop's work vectors (``lv`` (L_N, 8), made once per segment), read as
# views of their exact lengths: the step allocates nothing.
L_REL = 0  # truth relative state (6)
L_REL2 = 1  # the contact search's (6)
L_SEEN = 2  # relative state the sensors see (6)
L_BIAS = 3  # navigation fault bias (3)
L_MON = 4  # the monitor's position (3)
L_XE = 5  # attitude estimate (A_N)
L_QREF = 6  # attitude target (4)
L_WREF = 7  # its rate (3)
L_DV = 8  # translation command (3)
L_DL = 9  # angular impulse command (3)
L_FIRED = 10  # impulse known on board (3)
L_DVA = 11  # true impulse (3)
L_WRENCH = 12  # wrench command (6)
L_CMD = 13  # command with the carried pulses (3)
L_NOM = 14  # main-engine nominal impulse (3)
L_NZ4 = 15  # execution-error normals (4)
L_ZG = 16  # GNSS sample (6)
L_ZL = 17  # lidar sample (3)
L_ZC = 18  # camera sample (7)
L_QST = 19  # star tracker sample (4)
L_B1 = 20  # the sample's next gyro bias (unused) (3)
L_OM1 = 21  # gyro rate over the step (3)
L_GB1 = 22  # next true gyro bias (3)
L_WLVLH = 23  # LVLH rate (3)
L_RREF = 24  # position reference (3)
L_VREF = 25  # velocity reference (3)
L_ST0 = 26  # the contact search's saved states (6, 6, A_N, A_N)
L_CH0 = 27
L_XS0 = 28
L_XC0 = 29
L_N = 30


@_inlined
def _navigate(
    rel, x, q, b, p, gb, om, xc, xs, k, nz, bg, draw, dt, mode, cfg, sp, sf, fp, q_nom, t,
    ws, nv, ok, use,
):  # fmt: skip
    """Sensors (:func:`.sensors.sample_sensors`: relative GNSS, lidar, camera pose,
    star tracker, gyro) and the filter's measurement update
    (:func:`.navigation.update_navigation`). A navigation fault (``bias_t0``) biases
    the relative sensors' view of the geometry from then on; the monitor's raw fix
    (:func:`.navigation.position_fix`) stays clean. ``x``, ``q``, ``b``, ``p``: the
    filter's state (updated in place; ``ws`` its work arrays, made once per segment),
    ``gb`` the true gyro bias at the start of the step; the gyro rate goes to ``om``.
    With ``draw`` the step's standard normals are drawn from ``bg`` (the generator's bit generator) into ``nz``
    (:func:`.sensors.draw_step`: only those of the sensors in use). The monitor's
    position goes to ``nv``'s ``mon``; returns its sigma km. ``nv``, ``ok``, ``use``:
    work arrays (:data:`L_N` rows)."""
    seen, bias, mon, z_g, z_l, z_c, q_st, b1 = nv
    if draw:
        _select_flat_into(sf, _norm3(x[:3]), use)
        _draw_step_bg(bg, use, nz)
    for i in range(3):
        bias[i] = 0.0
    if t >= cfg[CF_BIAS_T0]:
        bias[0] = cfg[CF_BIAS_X]
        bias[1] = cfg[CF_BIAS_Y]
        bias[2] = cfg[CF_BIAS_Z]
    for i in range(6):
        seen[i] = rel[i]
    _add(seen, 0, bias)
    _sample_flat_into(
        sf, _norm3(x[:3]), seen, xc[A_Q : A_Q + 4], xs[A_Q : A_Q + 4], xc[A_W : A_W + 3],
        gb, dt, nz, ok, z_g, z_l, z_c, q_st, om, b1,
    )  # fmt: skip
    if mode != MODE_DRIFT or k == 0:
        _update_navigation_into(x, q, b, p, ok, z_g, z_l, z_c, q_st, sp, q_nom, fp, ws)
    if _position_fix_into(ok, z_g, z_l, z_c, sp, q, q_nom, ws[7], ws[8], ws[10]):
        pos, cmon = ws[8][V_POS], ws[7][W_COV]
        for i in range(3):
            mon[i] = pos[i] - bias[i]
        return math.sqrt(max(cmon[0, 0], cmon[1, 1], cmon[2, 2]))
    for i in range(3):
        mon[i] = x[i]
    return 0.0


@_kernel_alloc
def _bias_variance(x, q, p, sp, q_nom, fp):
    """The cross-check's variance with :func:`.navigation.bias_covariance` (rarely
    needed; a compiled function of its own, allocating, called from the loop)."""
    use = _select_sensors_inline(_norm3(x[:3]), sp.gnss, sp.lidar, sp.camera)
    bc = _bias_covariance_inline(x, q, sp, q_nom, use, fp)
    return max(p[0, 0] + bc[0, 0], p[1, 1] + bc[1, 1], p[2, 2] + bc[2, 2])


@_inlined
def _crosscheck_variance(x, q, p, mon, sig_mon, rng_true, sp, q_nom, fp, cfg):
    """Largest variance (km^2) of the estimate's position error for the monitor's
    cross-check (:func:`.safety.monitor`): the diagonal of the filter's ``p`` plus
    :func:`.navigation.bias_covariance`. The bias part (~2 us a step) is computed only
    when the check's outcome depends on it: the check cannot fail beyond the
    relative-GNSS range, and it passes with ``p`` alone when it passes with the larger
    total (a covariance's diagonal is not negative), so the outcome is the same."""
    pvar = max(p[0, 0], p[1, 1], p[2, 2])
    if rng_true > cfg[CF_GNSS_RANGE]:
        return pvar
    if cfg[CF_XCHK_K] >= 0.0:
        thr = cfg[CF_XCHK_K] * math.sqrt(pvar + sig_mon * sig_mon) + cfg[CF_XCHK_ABS]
        if not (_dist3(x, mon) > thr):
            return pvar
    return _bias_variance(x, q, p, sp, q_nom, fp)


@_inlined
def _nav_predict(x, q, b, p, gb, om, fired, xc, nz, sf, fp, cfg, dt, w_orb, ws, om1, gb1, w_lvlh):
    """Filter time update over the step (:func:`.navigation.predict_navigation`): the
    impulse the thrusters fired (LVLH km/s, not the command) and the gyro's mean rate
    over the step after this step's attitude pulses (:func:`.sensors.measure_gyro`
    with the step's bias and noise, so the bias walk is the one of
    :func:`.sensors.sample_sensors`); over ``dt`` s (0 at the end of a segment: the
    impulse only). In place on the filter's arrays (``ws``: work arrays), the true
    gyro bias ``gb`` and the gyro rate ``om`` (``om1``, ``gb1``, ``w_lvlh``: work)."""
    if dt > 0.0:
        _gyro_into(sf, SF_GYRO, gb, xc[A_W : A_W + 3], dt, nz, NZ_GYRO, om1, gb1)
        for i in range(3):
            om[i] = om1[i]
            gb[i] = gb1[i]
    w_lvlh[0] = 0.0
    w_lvlh[1] = -w_orb
    w_lvlh[2] = 0.0
    _predict_into(x, q, b, p, fired, om, dt, cfg[CF_N], w_lvlh, fp, ws[5], ws[6])


@_inlined
def _attitude_estimate(xc, q, b, om, xe):
    """The chaser's attitude state as the flight software knows it, into ``xe``: the
    MEKF's quaternion ``q`` and the gyro rate ``om`` less the estimated bias ``b``
    (inertial, body)."""
    for i in range(A_N):
        xe[i] = xc[i]
    _put(xe, A_Q, q)
    for i in range(3):  # body_rates' inertial rate: gyro less the estimated bias
        xe[A_W + i] = om[i] - b[i]


@_inlined
def _record(hist, k, t, rel, xhat, mass, xc, xs, q_ref, w_orb):
    """History row ``k`` (zeroed first: the step's commands are added to it later)."""
    row = hist[k]
    for c in range(H_COLS):
        row[c] = 0.0
    row[H_T] = t
    _put(row, H_TRUE, rel)
    _put(row, H_EST, xhat)
    hist[k, H_MASS] = mass
    for i in range(4):
        row[H_QC + i] = xc[A_Q + i]
        row[H_QS + i] = xs[A_Q + i]
    rate_rel_into(xc, w_orb, row, H_WC)
    e0, e1, e2 = attitude_error3(xc, q_ref)
    row[H_ERR] = e0
    row[H_ERR + 1] = e1
    row[H_ERR + 2] = e2
    rate_rel_into(xs, w_orb, row, H_WS)


@_kernel_alloc
def _transfer_into(seg, cfg, k, t, xhat, gs, ev, ne, dv):
    """:func:`.guidance.transfer` with the command into ``dv`` (3,): (done, abort
    code, ne). Called only at a transfer's burn steps."""
    d, done, reason, ne = _transfer_inline(seg, cfg, k, t, xhat, gs, ev, ne)
    for i in range(3):
        dv[i] = d[i]
    return done, reason, ne


@_inlined
def _translation(seg, cfg, k, t, xhat, gs, flags, ev, ne, dv, r_ref, v_ref):
    """Guidance and translation control: the command (km/s LVLH) into ``dv``; returns
    (done, abort code, ne). Between a transfer's burns the command is zero
    (:func:`.guidance.transfer` returns at once there)."""
    done = False
    reason = AB_NONE
    if seg.mode == MODE_TRANSFER:
        ib = int(gs[G_BURN])
        if ib >= seg.burn_steps.shape[0] or k < seg.burn_steps[ib]:
            for i in range(3):
                dv[i] = 0.0
        else:
            done, reason, ne = _transfer_into(seg, cfg, k, t, xhat, gs, ev, ne, dv)
    else:
        done, reason = _reference_into(seg, cfg, k, xhat, gs, r_ref, v_ref)
        for i in range(3):
            dv[i] = 0.0
        if not done and reason == AB_NONE:
            _translation_dv_into(xhat, r_ref, v_ref, seg, cfg[CF_N], dv)
    if seg.final != 0 and reason == AB_NONE:
        reason, ne = _gate(xhat, flags, cfg, t, ev, ne)
    if k >= seg.n_max and not done and reason == AB_NONE:
        reason = AB_TIMEOUT
    return done, reason, ne


@_kernel_alloc
def _cam(xhat, cfg, mass, bg, st, ch, row, ev, ne, t, reason):
    """Collision-avoidance manoeuvre (main engines) at the end of a segment: the
    command and its execution into the history ``row``, the events; ``ch`` and the
    estimate's velocity take the impulse. Returns (mass, ne). Rare: a compiled
    function of its own (it allocates), called from the loop."""
    dv = _choose_cam_inline(xhat, cfg)
    nz_cam = np.zeros(4)
    dva = _thruster(dv, mass, 1e3, 1e9, cfg, nz_cam, False, False)
    if cfg[CF_EXEC_ON] != 0.0:
        _normals(bg, nz_cam)
        dva = _thruster(dva, mass, 1e3, 1e9, cfg, nz_cam, False, True)
    _add_inertial_dv(st, dva, ch)
    mass -= _burn_mass(mass, dva, cfg)
    _put(row, H_DVC, dv)
    _put(row, H_DVA, dva)
    ne = _event(ev, ne, t, EV_CAM, _norm3(dva), 0.0)
    ne = _event(ev, ne, t, EV_ABORT, reason, 0.0)
    _add(xhat, 3, _thruster(dv, mass, 1e3, 1e9, cfg, nz_cam, False, False))
    return mass, ne


@_inlined
def _actuate(mode, dt, cfg, rcs, dv, dl, resid, mass, st, ch, xc, q_est, bg, stuck, aw, tw, w6, rm):
    """Thruster selection and execution of one step: RCS for attitude and (outside
    transfers) translation, with pulse accumulation below the minimum impulse; main
    engines for transfer burns. The flight software turns the LVLH command into body
    axes and the fired impulse back with its attitude estimate ``q_est``; the true
    impulses (true attitude, true thrusters) go to the chaser (velocity, body rate,
    mass). The fired dv known on board (km/s LVLH) and the true dv go to ``aw``'s
    ``fired`` and ``dva``; returns (mass, thrusters fired, RCS impulse N s, angular
    impulse N m s). ``rcs``: what it reads of :class:`Att` (:func:`_rcs_part`);
    ``aw``, ``tw``, ``w6``, ``rm``: work arrays."""
    table, gmin, b_nominal, b_true, thrust, ii, mib, quantum, isp_rcs = rcs
    wrench, fired, dva, cmd, nom, nz = aw
    rc, re = rm[0], rm[1]
    _qdcm_into(xc[A_Q : A_Q + 4], rc)
    _qdcm_into(q_est, re)
    for i in range(3):
        wrench[i] = 0.0
        fired[i] = 0.0
        dva[i] = 0.0
    _put(wrench, 3, dl)
    if mode == MODE_TRANSFER:
        for i in range(4):  # execution errors: drawn only for a burn that executes
            nz[i] = 0.0
        _thruster_into(dv, mass, dt, cfg[CF_F_MAIN], cfg, nz, stuck, False, nom)
        _thruster_into(dv, mass, dt, cfg[CF_F_MAIN], cfg, nz, False, False, fired)
        for i in range(3):
            dva[i] = nom[i]
        if cfg[CF_EXEC_ON] != 0.0 and _norm3(nom) > 0.0:
            _normals(bg, nz)
            _thruster_into(nom, mass, dt, 1e12, cfg, nz, stuck, True, dva)
        mass -= _burn_mass(mass, dva, cfg)
    else:
        for i in range(3):
            cmd[i] = dv[i] + resid[i]
        s = mass * 1e3
        for i in range(3):  # the command in body axes, N s: R_e^T cmd * mass
            wrench[i] = (re[0, i] * cmd[0] + re[1, i] * cmd[1] + re[2, i] * cmd[2]) * s
    _fire_into(table, gmin, b_nominal, b_true, wrench, thrust, dt, mib, quantum, stuck, tw, w6)
    u, w_nom, w_true = tw[2], w6[1], w6[2]
    if mode != MODE_TRANSFER:
        s = mass * 1e3
        for i in range(3):  # the forces' impulses in LVLH, km/s: R w / mass
            fired[i] = (re[i, 0] * w_nom[0] + re[i, 1] * w_nom[1] + re[i, 2] * w_nom[2]) / s
            dva[i] = (rc[i, 0] * w_true[0] + rc[i, 1] * w_true[1] + rc[i, 2] * w_true[2]) / s
        mib_dv = cfg[CF_MIB] / mass * 1e-3
        for i in range(3):
            ri = cmd[i] - fired[i]
            resid[i] = ri if (abs(ri) < mib_dv and not stuck) else 0.0
    if _norm3(dva) > 0.0:
        _add_inertial_dv(st, dva, ch)
    for i in range(3):  # the angular impulse's rate change, I^-1 h
        xc[A_W + i] += ii[i, 0] * w_true[3] + ii[i, 1] * w_true[4] + ii[i, 2] * w_true[5]
    total = 0.0  # u.sum()
    nfire = 0
    for i in range(u.shape[0]):
        total += u[i]
        if u[i] > 0.0:
            nfire += 1
    mass -= total / (isp_rcs * G0_KM_S2 * 1e3)
    return mass, nfire, total, _norm3(w_true[3:])


@_inlined
def _propagate(st, ch, xs, xc, duration, mass, cfg, pl, w_orb, gg, pws):
    """Both bodies over ``duration`` s, in place: translation (J2 + drag, RK4), the
    station's attitude under its own hold, the chaser's free between impulses (no
    torque). ``pl``: what it reads of :class:`Att` (:func:`_plant_part`); ``pws``: the
    plant's work arrays (:func:`fly_segment`: RK4 stages (4, A_N) and stage state (A_N,)
    shared by the translation (first six entries) and the attitude, the station's
    torque (3,), a zero torque)."""
    k, y, tq, zero = pws
    i_ch, i_ch_inv, i_st, i_st_inv, q_hold, kp, kd, step = pl
    _propagate_truth_into(st, ch, duration, mass, cfg, k, y)
    _propagate_station_into(xs, duration, step, i_st, i_st_inv, w_orb, gg, q_hold, kp, kd, k, y, tq)
    _propagate_attitude_into(xc, duration, step, i_ch, i_ch_inv, w_orb, gg, zero, k, y)


@_inlined
def _copy(src, dst):
    for i in range(src.shape[0]):
        dst[i] = src[i]


@_inlined
def _find_contact(st, ch, xs, xc, dt, mass, cfg, ports, pl, w_orb, gg, pws, rel, saved, rm):
    """Propagate over ``dt`` in plant sub-steps, in place, stopping at the first
    port-to-port contact (separation along the capture axis reaching zero, located by
    linear interpolation in the sub-step: the sub-step is flown again from its start,
    kept in ``saved``, to the contact). Returns (hit, time flown)."""
    st0, ch0, xs0, xc0 = saved
    nsub = max(1, int(math.ceil(dt / cfg[CF_PLANT_STEP] - 1e-9)))
    h = dt / nsub
    _to_lvlh_into(st, ch, rel)
    dprev = _separation_into(rel, xs, xc, ports, rm[2], rm[3])
    flown = 0.0
    for _ in range(nsub):
        _copy(st, st0)
        _copy(ch, ch0)
        _copy(xs, xs0)
        _copy(xc, xc0)
        _propagate(st, ch, xs, xc, h, mass, cfg, pl, w_orb, gg, pws)
        _to_lvlh_into(st, ch, rel)
        dnew = _separation_into(rel, xs, xc, ports, rm[2], rm[3])
        if dnew <= 0.0:
            f = dprev / (dprev - dnew)
            _copy(st0, st)
            _copy(ch0, ch)
            _copy(xs0, xs)
            _copy(xc0, xc)
            _propagate(st, ch, xs, xc, f * h, mass, cfg, pl, w_orb, gg, pws)
            return True, flown + f * h
        flown += h
        dprev = dnew
    return False, flown


@_kernel_alloc
def _figures_into(rel, xs, xc, ports, q_dock, w_orb, out):
    """:func:`.contact.figures` into ``out`` (C_N,) (once per approach)."""
    fig = _figures_inline(rel, xs, xc, ports, q_dock, w_orb)
    for i in range(C_N):
        out[i] = fig[i]


def _plant_part(ac):
    """The parts of :class:`Att` the plant's propagation reads."""
    return (
        ac.inertia_ch, ac.inertia_ch_inv, ac.inertia_st, ac.inertia_st_inv,
        ac.q_hold_st, ac.kp_st, ac.kd_st, ac.step,
    )  # fmt: skip


def _rcs_part(ac):
    """The parts of :class:`Att` the thruster selection and execution read."""
    return (
        ac.table, ac.group_min, ac.b_nominal, ac.b_true, ac.thrust, ac.inertia_ch_inv,
        ac.mib, ac.quantum, ac.isp_rcs,
    )  # fmt: skip


# the navigation filter's work arrays, made in Python by the same function compiled code
# calls (numba keeps the plain function as ``py_func``)
_work_arrays = _work.py_func


def fly_segment(seg, cfg, ac, nav, t0, st, ch, xs, xc, est, mass, gen, draw, flags, zones, resid):
    """Fly one segment in closed loop at ``seg.dt``.

    ``st``/``ch`` absolute states (km, km/s), ``xs``/``xc`` attitude states of station
    and chaser (:mod:`.bodies`), ``flags`` monitor flags (:mod:`.safety`), ``zones``
    truth zone flags, ``resid`` translation pulses carried below the minimum impulse,
    ``est`` the navigation state (x, q, b, p, true gyro bias, gyro rate). With
    ``draw`` (noise on) each step draws its sensors' standard normals from the
    ``numpy.random.Generator`` ``gen``, only those it uses (sensors in use, execution
    errors of a burn that fires); without, they are zero.
    Returns (status, abort reason, t, st, ch, xs, xc, est, mass, history rows
    (k, H_COLS), events (m, 4), contact figures (C_N,), NaN without contact).

    This function makes the segment's arrays (the states are copied: the steps work
    in place on them; ``est``'s ``x``, ``q``, ``b``, ``p`` are updated in place) and the
    compiled :func:`run_segment` flies it.
    """
    # rows are zeroed as they are recorded (_record): a segment's room for its longest
    # duration is mostly never touched (zeroing it all was ~3 % of the loop's time)
    hist = np.empty((seg.n_max + 2, H_COLS))
    ev = np.zeros((MAX_EVENTS, 4))
    contact = np.full(C_N, np.nan)
    n_thr = ac.table.shape[1]
    work = (
        np.zeros(G_N),  # guidance state
        np.zeros(N_NOISE),  # this step's sensor standard normals
        _work_arrays(),  # the navigation filter's
        (np.empty((4, A_N)), np.empty(A_N), np.empty(3), np.zeros(3)),  # the plant's
        np.zeros((L_N, 8)),  # the loop's vectors
        np.zeros((4, 3, 3)),  # rotations: chaser true, estimated; two more
        np.zeros(4, dtype=np.bool_),  # samples valid
        np.zeros(3, dtype=np.bool_),  # sensors in use
        np.zeros((4, n_thr)),  # thruster selection
        np.zeros((3, 6)),  # its wrenches
    )
    sp, _, fp, q_nom, xs_nom, sf = nav
    x, q, b, p, gb, om = est
    st, ch, xs, xc, gb, om = st.copy(), ch.copy(), xs.copy(), xc.copy(), gb.copy(), om.copy()
    parts = (
        _plant_part(ac), _rcs_part(ac), ac.ports, ac.q_dock, ac.inertia_fsw,
        max(ac.tau, 2.0 * seg.dt), ac.max_rate,
    )  # fmt: skip
    status, reason, t, k, ne, mass = run_segment(
        seg, cfg, parts, (sp, fp, q_nom, xs_nom, sf), float(t0),
        (st, ch, xs, xc, x, q, b, p, gb, om), float(mass), gen.bit_generator, bool(draw),
        flags, zones, resid, hist, ev, contact, work,
    )  # fmt: skip
    est = (x, q, b, p, gb, om)
    return status, reason, t, st, ch, xs, xc, est, mass, hist[: k + 1], ev[:ne], contact


@njit(cache=True, error_model="numpy", _nrt=False)
def run_segment(
    seg, cfg, parts, navp, t0, state, mass, bg, draw, flags, zones, resid, hist, ev, contact,
    work,
):  # fmt: skip
    """The steps of one segment (:func:`fly_segment`, which makes the arrays): in place
    on the states ``state`` (st, ch, xs, xc, x, q, b, p, gb, om), the monitor's
    ``flags``, ``zones``, ``resid``, the history ``hist``, the events ``ev``, the contact
    figures ``contact`` and the work arrays ``work``; nothing allocated, no reference
    counting (compiled with ``_nrt=False``, as :data:`._kernels._leaf`; the generator
    comes as its bit generator ``bg``, :func:`._kernels._normals`). ``parts``: what
    the steps read of :class:`Att`; ``navp``: of :class:`Nav`. Returns (status, abort
    reason, t, last step k, number of events, mass)."""
    pl, rcs, ports, q_dock, inertia_fsw, tau, max_rate = parts
    sp, fp, q_nom, xs_nom, sf = navp
    st, ch, xs, xc, x, q, b, p, gb, om = state
    gs, nz, ws, pws, lv, rm, ok, use, tw, w6 = work
    rel, rel2 = lv[L_REL, 0:6], lv[L_REL2, 0:6]
    nv = (
        lv[L_SEEN, 0:6], lv[L_BIAS, 0:3], lv[L_MON, 0:3], lv[L_ZG, 0:6], lv[L_ZL, 0:3],
        lv[L_ZC, 0:7], lv[L_QST, 0:4], lv[L_B1, 0:3],
    )  # fmt: skip
    mon = lv[L_MON, 0:3]
    xe, q_ref, w_ref = lv[L_XE, 0:A_N], lv[L_QREF, 0:4], lv[L_WREF, 0:3]
    dv, dl = lv[L_DV, 0:3], lv[L_DL, 0:3]
    aw = (
        lv[L_WRENCH, 0:6], lv[L_FIRED, 0:3], lv[L_DVA, 0:3], lv[L_CMD, 0:3],
        lv[L_NOM, 0:3], lv[L_NZ4, 0:4],
    )  # fmt: skip
    fired, dva = lv[L_FIRED, 0:3], lv[L_DVA, 0:3]
    om1, gb1, w_lvlh = lv[L_OM1, 0:3], lv[L_GB1, 0:3], lv[L_WLVLH, 0:3]
    r_ref, v_ref = lv[L_RREF, 0:3], lv[L_VREF, 0:3]
    saved = lv[L_ST0, 0:6], lv[L_CH0, 0:6], lv[L_XS0, 0:A_N], lv[L_XC0, 0:A_N]
    dt, mode = seg.dt, seg.mode
    ne = 0
    status = ST_DONE
    reason = AB_NONE
    t = t0
    k = 0
    for k in range(seg.n_max + 1):
        t = t0 + k * dt
        w_orb, r2 = _orbit(st)
        gg = 3.0 * cfg[CF_MU] / (r2 * math.sqrt(r2))
        _to_lvlh_into(st, ch, rel)
        # ---- bodies (truth zone events), sensors and navigation
        ne = zone_events(rel, zones, cfg, t, ev, ne)
        sig_mon = _navigate(
            rel, x, q, b, p, gb, om, xc, xs, k, nz, bg, draw, dt, mode, cfg, sp, sf, fp,
            q_nom, t, ws, nv, ok, use,
        )  # fmt: skip
        xhat = x
        _attitude_estimate(xc, q, b, om, xe)
        _attitude_target_into(xs_nom, seg.final != 0, q_dock, w_orb, q_ref, w_ref, rm[2])
        _record(hist, k, t, rel, xhat, mass, xc, xs, q_ref, w_orb)
        if mode == MODE_DRIFT:
            if k == seg.n_max:
                break
            _propagate(st, ch, xs, xc, dt, mass, cfg, pl, w_orb, gg, pws)
            continue
        # ---- safety monitor, guidance, control
        stuck = t >= cfg[CF_STUCK_T0] and t < cfg[CF_STUCK_T1]
        rng_true = _norm3(rel[:3])
        pvar = _crosscheck_variance(xhat, q, p, mon, sig_mon, rng_true, sp, q_nom, fp, cfg)
        reason = _monitor(xhat, pvar, mon, sig_mon, rng_true, mass, mode, seg.final, flags, cfg)
        done, r_g, ne = _translation(seg, cfg, k, t, xhat, gs, flags, ev, ne, dv, r_ref, v_ref)
        reason = reason if reason != AB_NONE else r_g
        _attitude_impulse_into(xe, q_ref, w_ref, inertia_fsw, tau, max_rate, dl)
        if reason != AB_NONE:
            # ---- collision-avoidance manoeuvre (main engines), end of the segment
            mass, ne = _cam(xhat, cfg, mass, bg, st, ch, hist[k], ev, ne, t, reason)
            status = ST_ABORT
            break
        # ---- thruster selection and execution
        mass, nfire, imp, ang = _actuate(
            mode, dt, cfg, rcs, dv, dl, resid, mass, st, ch, xc, xe[A_Q : A_Q + 4], bg,
            stuck, aw, tw, w6, rm,
        )  # fmt: skip
        _put(hist[k], H_DVC, dv)
        _put(hist[k], H_DVA, dva)
        hist[k, H_NFIRE] = nfire
        hist[k, H_IMP] = imp
        hist[k, H_ANG] = ang
        if mode == MODE_TRANSFER and _norm3(dv) > 0.0:
            ne = _event(ev, ne, t, EV_BURN, _norm3(dva), 0.0)
        # ---- navigation time update, bodies propagated to the next step
        _nav_predict(
            x, q, b, p, gb, om, fired, xc, nz, sf, fp, cfg, 0.0 if done else dt, w_orb, ws,
            om1, gb1, w_lvlh,
        )  # fmt: skip
        if done:
            break
        if seg.final == 0:
            _propagate(st, ch, xs, xc, dt, mass, cfg, pl, w_orb, gg, pws)
            continue
        hit, flown = _find_contact(
            st, ch, xs, xc, dt, mass, cfg, ports, pl, w_orb, gg, pws, rel2, saved, rm
        )
        if hit:
            t += flown
            status = ST_CONTACT
            _to_lvlh_into(st, ch, rel)
            _figures_into(rel, xs, xc, ports, q_dock, w_orb, contact)
            k += 1
            _record(hist, k, t, rel, x, mass, xc, xs, q_ref, w_orb)
            ne = _event(ev, ne, t, EV_CONTACT, 0.0, 0.0)
            break
    return status, reason, t, k, ne, mass
