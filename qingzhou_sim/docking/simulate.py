r"""Closed-loop simulation of the docking approach: :func:`simulate_approach`.

Guidance gives each segment's reference (CW two-impulse transfers re-targeted
``corrections`` times, station keeping, forced straight lines with a speed schedule)
and the chaser's attitude target (LVLH hold, then alignment with the station's port
axis in the final approach); navigation (:mod:`.navigation`) is one error-state filter
(relative translation on CW, MEKF of the chaser's attitude with gyro bias) fed by the
sensors of :mod:`.sensors` (relative GNSS far, lidar medium, camera pose close, gyro,
star tracker; bias and misalignment drawn once per run) and the fired impulses;
guidance, control and the safety monitor use only its estimates; control is impulsive (main engines for
transfers, RCS elsewhere and for attitude, through a thruster layout and selection);
the truth is the nonlinear motion of both vehicles under J2 and drag and their
rigid-body attitude. A safety monitor checks every step and triggers a
collision-avoidance manoeuvre (CAM) and an abort when a rule is broken. Contact is the
port-to-port event; its nine figures come from both bodies' states. The loop itself is
:mod:`.loop`.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, ch. 2-7.
Hablani, H., Tapper, M. & Dana-Bashian, D. (2002), "Guidance and relative navigation for
autonomous rendezvous in a circular orbit", J. Guid. Control Dyn. 25(3), 553-562.
"""

from __future__ import annotations

import functools
import math
import struct

import astropy.units as u
import numpy as np

from ..constants import EARTH, EarthModel, as_array
from ..errors import InputError
from ..frames import _inertial_to_relative, _relative_to_inertial
from ..state import State
from . import _kernels as K
from . import bodies as B
from . import navigation as NV
from . import sensors as SN
from . import thrusters as T
from ._quat import qdcm, qfrom_rotvec, qmul
from .config import (
    AttitudeConfig,
    BerthingConfig,
    ContactLimits,
    Fault,
    NavigationConfig,
    PlantConfig,
    SafetyConfig,
    ThrusterConfig,
)
from .contact import capture_check, ports_array
from .loop import Att, Nav, fly_segment
from .profiles import (
    AXES,
    ApproachProfile,
    Closing,
    FinalApproach,
    FlyAround,
    Hold,
    Homing,
    get_approach_profile,
)
from .result import (
    ABORT_REASONS,
    ApproachResult,
    SegmentReport,
    _decode_events,
    _LazyApproachResult,
    _stacked,
)
from .safety import F_N, port_geometry

__all__ = [
    "default_handover_lvlh",
    "simulate_approach",
]

# A unit of the result, made once (a composite unit costs ~20 us each time it is built);
# Quantities are made as u.Quantity(value, unit): ``value * unit`` imports astropy's
# quantity module in UnitBase.__rmul__ at every call (~20 us).
_M_S = u.m / u.s

# Default hand-over: ~52 km behind and below (PD-SZ8, CD-SZ8, CCTV-SZ11); the 5 km
# height is an assumption, flown as a co-elliptic drift (Fehse 2003, eq. 3.26).
HANDOVER_BEHIND_KM = 52.0
# Closer than this to its first aim point, homing is a short trim transfer.
_HOMING_NEAR_KM = 0.5
HANDOVER_BELOW_KM = 5.0


# ------------------------------------------------------------------------ helpers
def default_handover_lvlh(n_rad_s: float) -> np.ndarray:
    """Default hand-over LVLH state (km, km/s): 52 km behind, 5 km below, co-elliptic
    drift ``vx = 3/2 n z`` (Fehse 2003, eq. 3.26)."""
    z = HANDOVER_BELOW_KM
    return np.array([-HANDOVER_BEHIND_KM, 0.0, z, 1.5 * n_rad_s * z, 0.0, 0.0])


@functools.cache
def _default(cls):
    """``cls()``: a configuration's defaults, made once per process (a frozen
    dataclass; its checks cost 2-6 us, several a call)."""
    return cls()


def _spacecraft(obj):
    from ..vehicles import get_spacecraft

    return get_spacecraft(obj) if isinstance(obj, str) else obj


def _best_tof(
    n: float, x0: np.ndarray, xf: np.ndarray, cfg, lo: float = 0.2, hi: float = 0.95
) -> float:
    """Transfer time of least total delta-v of the CW two-impulse transfer, searched
    between ``lo`` and ``hi`` orbital periods, among the passively safe ones (the free
    drift after the first burn stays out of the keep-out sphere over the enforcement
    horizon; Fehse 2003, sec. 3.3.4 and 4.3). Falls back to the cheapest."""
    period = 2 * math.pi / n
    best, best_tof = math.inf, 0.5 * period
    for f in np.linspace(lo, hi, 76):
        d1, d2, ok = K._two_impulse_nb(n, x0, xf, f * period, 100.0)
        if ok:
            cost = np.linalg.norm(d1) + np.linalg.norm(d2)
            y = x0.copy()
            y[3:] += d1
            _, _, _, unsafe = K._passive(n, y, cfg.ps_horizon, cfg.ps_step, cfg.kos, cfg.ps_enforce)
            if unsafe:
                cost += 1.0  # km/s: any safe transfer is preferred
            if cost < best:
                best, best_tof = cost, f * period
    return float(best_tof)


def _coast_then_transfer(
    n: float, x0: np.ndarray, xf: np.ndarray, r_curv: float, max_coast_orbits: float = 2.0
) -> tuple[float, float, np.ndarray]:
    """(coast duration, transfer time, state at the end of the coast) of least
    delta-v: free CW drift from ``x0`` for 0-``max_coast_orbits`` orbits, then a half-orbit two-impulse
    transfer to ``xf`` (Fehse 2003, sec. 5.2.2: drift on a lower orbit, then a
    Hohmann-like transfer to the V-bar point). Planned in curvilinear coordinates when
    ``r_curv > 0``."""
    period = 2 * math.pi / n
    tof = 0.5 * period
    c0 = K._to_curv(x0, r_curv) if r_curv > 0 else x0
    cf = K._to_curv(xf, r_curv) if r_curv > 0 else xf
    coasts = np.linspace(0.0, max_coast_orbits * period, max(2, int(200 * max_coast_orbits) + 1))
    costs = K._coast_costs(n, c0, cf, tof, coasts)
    # the first least-cost coast; none solvable: no coast
    best_tc = float(coasts[np.argmin(costs)]) if np.isfinite(costs).any() else 0.0
    end = K._cw_stm_nb(n, best_tc) @ c0
    if r_curv > 0:
        end = _from_curv(end, r_curv)
    return best_tc, tof, end


def _from_curv(xc: np.ndarray, rr: float) -> np.ndarray:
    """Inverse of :func:`_kernels._to_curv` (curvilinear -> rectilinear LVLH)."""
    th = xc[0] / rr
    rho = rr - xc[2]
    thd = xc[3] / rr
    rhod = -xc[5]
    s, c = math.sin(th), math.cos(th)
    return np.array(
        [
            rho * s,
            xc[1],
            rr - rho * c,
            rhod * s + rho * thd * c,
            xc[4],
            -rhod * c + rho * thd * s,
        ]
    )


def _arc_points(start: np.ndarray, end: np.ndarray, radius: float, side: str, legs: int) -> list:
    """Way points (km) on a circle in the x-z plane from ``start`` to ``end``."""
    a0 = math.atan2(start[2], start[0])
    a1 = math.atan2(end[2], end[0])
    # 'below' = through z > 0 (R-bar side): angles in (0, pi).
    da = (a1 - a0) % (2 * math.pi)
    if side == "above":
        da -= 2 * math.pi
    if side == "below" and da > math.pi + 1e-9 and start[2] <= 0 and end[2] <= 0:
        da -= 2 * math.pi
    pts = []
    for k in range(1, legs + 1):
        if k == legs:
            pts.append(np.array(end, float))
        else:
            ang = a0 + da * k / legs
            pts.append(np.array([radius * math.cos(ang), 0.0, radius * math.sin(ang)]))
    return pts


def _empty_seg(dt: float, n_max: int):
    return dict(
        mode=K.MODE_HOLD,
        dt=float(dt),
        n_max=int(n_max),
        final=0,
        tgt=np.zeros(6),
        burn_steps=np.zeros(1, dtype=np.int64),
        line0=np.zeros(3),
        line_u=np.array([1.0, 0.0, 0.0]),
        line_len=0.0,
        sched_d=np.array([0.0]),
        sched_v=np.array([1e-4]),
        tau_p=240.0,
        tau_v=60.0,
        deadband=1e-6,
        settle_tol=0.0,
        min_time=0.0,
        check_passive=0,
    )


def _gains(dt: float) -> tuple[float, float]:
    """PD time constants of the tracking law (critically damped, tau_p = 4 tau_v)."""
    tau_v = max(8.0, 3.0 * dt)
    return 4.0 * tau_v, tau_v


def _build_cfg(n, prof, nav, noise_on, thrusters, plant, safety, limits, earth, r_curv_km=0.0):
    """Kernel configuration (:class:`_kernels.Cfg`) from the public settings; also
    returns the chaser's :class:`~qingzhou_sim.vehicles.Spacecraft`."""
    ch_sc = _spacecraft(plant.chaser)
    st_sc = _spacecraft(plant.station)
    axis = np.array(AXES[prof.docking_axis])
    port = np.array(prof.port_position_m) / 1e3
    com_off = port + axis * prof.chaser_port_arm_m / 1e3  # CoM = port-relative point + com_off
    ae_axis = np.array(AXES[prof.ae_entry_axis])
    main_thrust = thrusters.main_thrust_n if thrusters.main_thrust_n is not None else ch_sc.thrust_n
    isp = thrusters.isp_s if thrusters.isp_s is not None else ch_sc.isp_s
    cfg_kw = dict(
        n=n,
        r_curv=r_curv_km,
        mu=earth.mu_km3_s2,
        re=earth.radius_km,
        j2=earth.j2 if plant.j2 else 0.0,
        we=earth.omega_rad_s,
        drag_on=1.0 if plant.drag else 0.0,
        dens_scale_st=plant.density_scale_station,
        dens_scale_ch=plant.density_scale_chaser,
        bc_st=st_sc.mass_kg / (st_sc.cd * plant.cd_scale_station * st_sc.drag_area_m2),
        cda_ch=ch_sc.cd * plant.cd_scale_chaser * ch_sc.drag_area_m2,
        plant_step=plant.step_s,
        # the monitor reads the filter's covariance with or without noise: the filter
        # always runs (its model differs from the truth's J2 and drag)
        noise_on=1.0,
        gnss_range=nav.gnss_range_m / 1e3,
        cam_range=nav.camera_range_m / 1e3,
        sg_gnss=nav.gnss_sigma_m / 1e3,
        sg_rad_a=nav.radar_sigma_m / 1e3,
        sg_rad_b=nav.radar_sigma_frac,
        sg_cam_a=nav.camera_sigma_m / 1e3,
        sg_cam_b=nav.camera_sigma_frac,
        sg_vel0=nav.initial_velocity_sigma_m_s / 1e3,
        q_a=nav.process_accel_m_s2 / 1e3,
        q_b=nav.process_accel_per_km_m_s2 / 1e3,
        mon_scale=nav.monitor_scale,
        xchk_k=nav.crosscheck_k,
        xchk_abs=nav.crosscheck_abs_m / 1e3,
        xchk_n=float(nav.crosscheck_samples),
        bias_x=0.0,
        bias_y=0.0,
        bias_z=0.0,
        bias_t0=math.inf,
        f_main=float(main_thrust),
        f_rcs=thrusters.rcs_thrust_n,
        mib=ch_sc.min_impulse_bit_m_s * ch_sc.mass_kg,  # the vehicle's figure, N s
        quantum=thrusters.impulse_quantum_n_s,
        isp=float(isp),
        mag_sig=thrusters.magnitude_sigma,
        pnt_sig=math.radians(thrusters.pointing_sigma_deg),
        exec_on=1.0 if noise_on else 0.0,
        stuck_t0=math.inf,
        stuck_t1=math.inf,
        prop_min=ch_sc.dry_mass_kg,
        kos=safety.keep_out_radius_m / 1e3,
        ae_a=safety.approach_ellipsoid_m[0] / 1e3,
        ae_b=safety.approach_ellipsoid_m[1] / 1e3,
        ae_c=safety.approach_ellipsoid_m[2] / 1e3,
        cor_tan=math.tan(math.radians(prof.corridor_half_angle_deg)),
        cor_rmin=prof.corridor_min_radius_m / 1e3,
        ae_ax=ae_axis[0],
        ae_ay=ae_axis[1],
        ae_az=ae_axis[2],
        ae_cos=math.cos(math.radians(prof.ae_entry_half_angle_deg)),
        ps_horizon=safety.passive_horizon_s,
        ps_step=safety.passive_step_s,
        ps_enforce=safety.passive_enforce_horizon_s,
        cam_dv=safety.cam_dv_m_s / 1e3,
        gate=safety.gate_distance_m / 1e3,
        gate_lat=safety.gate_lateral_m / 1e3,
        gate_latrate=safety.gate_lateral_rate_m_s / 1e3,
        vmin=limits.closing_speed_min_m_s / 1e3,
        vmax=limits.closing_speed_max_m_s / 1e3,
        ax=axis[0],
        ay=axis[1],
        az=axis[2],
        px=com_off[0],
        py=com_off[1],
        pz=com_off[2],
        track_abs=safety.tracking_abs_m / 1e3,
        track_rel=safety.tracking_rel,
        collide=safety.collision_distance_m / 1e3,
    )
    return K.Cfg(**cfg_kw), ch_sc


def _q_from_rpy_deg(rpy) -> np.ndarray:
    """``q`` of a 3-2-1 rotation (yaw about z, then pitch about y, then roll about x)."""
    r, p, y = np.radians(np.asarray(rpy, float))
    qz = qfrom_rotvec(np.array([0.0, 0.0, y]))
    qy = qfrom_rotvec(np.array([0.0, p, 0.0]))
    qx = qfrom_rotvec(np.array([r, 0.0, 0.0]))
    return qmul(qz, qmul(qy, qx))


@functools.cache
def _nominal_rcs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Qingzhou's RCS layout (positions, directions), its nominal effectiveness matrix,
    thruster-selection table and the table's group minimums: the same for every
    approach, so built once per process (the table's NNLS solves cost milliseconds;
    the loop never writes them)."""
    pos, dirs, _ = T.qingzhou_rcs_layout()
    b_nom = T.effectiveness(pos, dirs, np.ones(len(pos)), np.zeros(3))
    table = T.selection_table(b_nom)
    return pos, dirs, b_nom, table, T.group_minimums(table)


class _Same:
    """A cache key that is its object itself (identity, not equality: a vehicle equal to
    another but for -0.0 against 0.0 in a figure is another key). The key holds the
    object, so its ``id`` is not reused while the entry lives; the objects are frozen
    dataclasses, which cannot change under it."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


@functools.lru_cache(maxsize=8)
def _vehicle_parts(station: _Same, chaser: _Same, port: str) -> tuple:
    """The loop's parameters that depend on the two vehicles and the station's port
    only: (docked attitude ``q_dock``, ``ports`` array, flight-software inertia of the
    chaser, the station's inertia and its inverse, one thruster's minimum impulse N s),
    made once per process for a campaign's vehicles (~50 us an approach). Callers copy
    the arrays."""
    st_sc, ch_sc = station.obj, chaser.obj
    st_port, ch_port = st_sc.port(port), ch_sc.port("front")
    i_st = np.array(st_sc.inertia_kg_m2)
    return (
        B.docked_quat(st_port.axis, ch_port.axis),
        ports_array(st_port, ch_port),
        np.array(ch_sc.inertia_kg_m2),
        i_st,
        np.linalg.inv(i_st),
        T.thruster_minimum_impulse_n_s(ch_sc.min_impulse_bit_m_s, ch_sc.mass_kg),
    )


@functools.lru_cache(maxsize=8)
def _q_from_rpy_bits(bits: bytes) -> np.ndarray:
    """:func:`_q_from_rpy_deg` of the three float64 angles packed in ``bits`` (a key
    that tells -0.0 from 0.0), once per process for a campaign's station attitude.
    Callers copy it."""
    return _q_from_rpy_deg(struct.unpack("3d", bits))


def _build_att(prof, attitude, thrusters, ch_sc, st_sc, noise_on, gen, w_orb):
    """Attitude, thruster and contact parameters of the loop (:class:`loop.Att`) and the
    initial attitude states of station and chaser."""
    parts = _vehicle_parts(_Same(st_sc), _Same(ch_sc), prof.port)
    q_dock, ports, i_fsw, i_st, i_st_inv = (a.copy() for a in parts[:5])
    scale = np.sqrt(np.array(attitude.inertia_scale))
    i_ch = scale[:, None] * i_fsw * scale[None, :]
    wn = 2 * math.pi / attitude.station_period_s
    pos, dirs, b_nom, table, gmin = _nominal_rcs()
    # ThrusterConfig.rcs_thrust_n is the force per lateral axis: six thrusters share it
    thrust = np.full(len(pos), thrusters.rcs_thrust_n / 6.0)
    true_dirs, true_scale = dirs, np.ones(len(pos))
    if noise_on:
        true_dirs, true_scale = T.draw_execution_errors(
            dirs, thrusters.magnitude_sigma, math.radians(thrusters.pointing_sigma_deg), gen
        )
    att = Att(
        inertia_ch=i_ch,
        inertia_ch_inv=np.linalg.inv(i_ch),
        inertia_fsw=i_fsw,
        inertia_st=i_st,
        inertia_st_inv=i_st_inv,
        q_hold_st=_q_from_rpy_bits(struct.pack("3d", *attitude.station_error_deg)).copy(),
        kp_st=np.diag(i_st) * wn**2,
        kd_st=np.diag(i_st) * 2 * attitude.station_damping * wn,
        q_dock=q_dock,
        ports=ports,
        table=table,
        group_min=gmin,
        b_nominal=b_nom,
        b_true=T.effectiveness(pos, true_dirs, true_scale, np.array(attitude.com_offset_m)),
        thrust=thrust,
        mib=parts[5],
        quantum=thrusters.impulse_quantum_n_s,
        isp_rcs=float(thrusters.isp_s if thrusters.isp_s is not None else ch_sc.isp_s),
        tau=attitude.time_constant_s,
        max_rate=math.radians(attitude.max_rate_deg_s),
        step=attitude.step_s,
    )
    xs = B.initial_state(att.q_hold_st, np.radians(attitude.station_rate_deg_s), w_orb)
    qc = qmul(q_dock, _q_from_rpy_deg(attitude.chaser_error_deg))
    xc = B.initial_state(qc, np.radians(attitude.chaser_rate_deg_s), w_orb)
    return att, xs, xc


@functools.lru_cache(maxsize=32)
def _suite_params(suite, chaser_port, station_port):
    """``suite.at_ports(chaser_port, station_port).params()``, once per process for a
    campaign's suite and ports (its checks and arrays were ~0.5 ms of every approach)."""
    return suite.at_ports(chaser_port, station_port).params()


def _build_nav(prof, nav, thrusters, ch_sc, st_sc, noise_on, gen, r_ref_km, w_orb, sensors=None):
    """Sensor suite at the ports of this approach, its run errors (drawn once per run
    from ``gen``; zero without noise), the filter parameters (:class:`Nav`). The
    relative sensors' noise follows ``nav`` as a scale of the defaults (GNSS, lidar /
    radar, camera), so :meth:`NavigationConfig.scaled` keeps working."""
    suite = sensors if sensors is not None else SN.SensorSuite()
    ports = (ch_sc.port("front"), st_sc.port(prof.port))
    try:
        # the arrays are scaled below and read by the loop: each approach its copy
        sp = SN.SensorParams(*(a.copy() for a in _suite_params(suite, *ports)))
    except TypeError:  # a suite or port that cannot be hashed: made every time
        sp = suite.at_ports(*ports).params()
    ref = _default(NavigationConfig)
    for arr, num, den in (
        (sp.gnss, nav.gnss_sigma_m, ref.gnss_sigma_m),
        (sp.lidar, nav.radar_sigma_m, ref.radar_sigma_m),
        (sp.camera, nav.camera_sigma_m, ref.camera_sigma_m),
    ):
        arr[SN.R_SIGA : SN.R_SIGB + 6] *= num / den
    if noise_on:
        err = SN.draw_run_errors(sp, gen)
    else:
        err = SN.RunErrors(*(np.zeros(SN.E_LEN) for _ in range(3)), np.zeros(3), np.zeros(3))
    fp = _default(NV.FilterConfig).params(
        sp,
        dv_magnitude_sigma=thrusters.magnitude_sigma,
        dv_pointing_sigma_deg=thrusters.pointing_sigma_deg,
        reference_radius_km=r_ref_km,
    )
    q_nom = np.array([1.0, 0.0, 0.0, 0.0])  # the station's nominal attitude: LVLH hold
    xs_nom = B.initial_state(q_nom, np.zeros(3), w_orb)
    return Nav(sp, err, fp, q_nom, xs_nom, SN._flat_params(sp, err))


def _init_estimate(rel0, qc, navp, noise_on, gen):
    """Initial navigation state (x, q, b, p, true gyro bias, gyro rate): the truth plus
    errors drawn with :class:`navigation.FilterConfig`'s initial sigmas."""
    fc = _default(NV.FilterConfig)
    sr, sv = fc.initial_position_sigma_m * 1e-3, fc.initial_velocity_sigma_m_s * 1e-3
    sa = math.radians(fc.initial_attitude_sigma_deg)
    x0, q0 = rel0.copy(), np.array(qc, float)
    if noise_on:
        x0[:3] += sr * gen.standard_normal(3)
        x0[3:] += sv * gen.standard_normal(3)
        q0 = qmul(q0, qfrom_rotvec(sa * gen.standard_normal(3)))
    x, q, b, p = NV.init_navigation(x0, q0, sr, sv, sa, navp.sp.gyro[SN.G_BIAS0])
    return (x, q, b, p, navp.err.gyro_bias.copy(), np.zeros(3))


def _segment_reports(flown: list, parts: list) -> tuple:
    """The :class:`SegmentReport` of each flown segment ``(label, kind, t_start,
    t_end, first part, end part, completed)``: its delta-v the executed |dv| of the
    rows of its history parts ``parts[first:end]``, summed per part (np.sum's pairwise
    reduction) and over the parts in order, m/s. The rows' |dv| of all parts in one
    pass (as np.linalg.norm(axis=1) computes it: the same operations, the same bits);
    a pass per part was ~15 us each."""
    dva = _stacked(parts, K.H_DVA, K.H_DVA + 3) if parts else np.zeros((0, 3))
    norm = np.sqrt(dva[:, 0] * dva[:, 0] + dva[:, 1] * dva[:, 1] + dva[:, 2] * dva[:, 2])
    ends = np.cumsum([len(p) for p in parts]).tolist()
    reports = []
    for label, kind, t_start, t_end, first, end, completed in flown:
        dv = 0.0
        for i in range(first, end):
            dv += float(np.add.reduce(norm[ends[i] - len(parts[i]) : ends[i]]))
        dv = u.Quantity(dv * 1e3, _M_S)
        reports.append(SegmentReport(label, kind, t_start, t_end, dv, completed))
    return tuple(reports)


def _line_start(plan_pt, x_est, cfg):
    """Start of a straight closing line: the planned point, or the estimated position
    when the chaser is farther from the planned point than the line's own tracking
    tolerance (``track_abs + track_rel * distance``). A two-impulse transfer arriving
    at a couple of m/s misses its aim point by its arrival dispersion (~10-20 m after a
    5 km hop); the line is then planned from where the chaser is (the guidance
    re-plans from its estimate), not flagged as a tracking failure at its first step."""
    d0, _, _, _ = port_geometry(x_est, cfg.array())
    if np.linalg.norm(x_est[:3] - plan_pt) > cfg.track_abs + cfg.track_rel * max(d0, 0.0):
        return np.array(x_est[:3], float)
    return plan_pt


def _port_cfg(cfg, att, xs, arm_km):
    """The loop configuration with the station's port axis and the chaser's
    centre-of-mass aim point turned with the station's actual attitude (port-axis
    alignment of the final approach; the port pose known on board, as the camera
    pose sensor gives it)."""
    rs = qdcm(xs[B.A_Q : B.A_Q + 4])
    axis = rs @ att.ports[1]
    aim = rs @ att.ports[0] + axis * arm_km
    return cfg._replace(ax=axis[0], ay=axis[1], az=axis[2], px=aim[0], py=aim[1], pz=aim[2]), aim


# ------------------------------------------------------------------ main entry
def simulate_approach(
    station: State,
    chaser: State | None = None,
    profile: str | ApproachProfile = "aft",
    *,
    handover_r_lvlh: u.Quantity | None = None,
    handover_v_lvlh: u.Quantity | None = None,
    rng: np.random.Generator | int | None = None,
    seed: int | None = None,
    noise: bool | NavigationConfig = True,
    thrusters: ThrusterConfig | None = None,
    plant: PlantConfig | None = None,
    safety: SafetyConfig | None = None,
    limits: ContactLimits | None = None,
    attitude: AttitudeConfig | None = None,
    berthing: BerthingConfig | None = None,
    faults: tuple | list | Fault | None = None,
    sensors: SN.SensorSuite | None = None,
    control_rate_hz: float | None = None,
    curvilinear: bool = True,
    earth: EarthModel = EARTH,
) -> ApproachResult:
    r"""Fly the approach from the hand-over point to contact, capture and hard dock.

    Parameters
    ----------
    station : State
        Station state at the hand-over epoch (GCRS).
    chaser : State, optional
        Chaser state at the same epoch. If None, the hand-over is given relative to the
        station by ``handover_r_lvlh``/``handover_v_lvlh`` (LVLH), by default 52 km
        behind and 5 km below on a co-elliptic drift (:func:`default_handover_lvlh`).
    profile : str or ApproachProfile
        ``"aft"`` (default), ``"forward"``, ``"radial"`` or a custom profile.
    rng, seed : numpy Generator or int
        Random numbers of the navigation noise, execution errors and attitude errors;
        the same seed gives the same result.
    noise : bool or NavigationConfig
        False: no sensor noise, sensor biases or misalignments, no execution or
        attitude errors (the filter still runs, from the true initial state). True:
        the sensor suite's defaults; or a configuration whose relative-sensor sigmas
        scale the suite's noise (e.g. ``.scaled(2.0)``) and whose cross-check settings
        the monitor uses.
    thrusters, plant, safety, limits, attitude, berthing
        Configurations (see :mod:`qingzhou_sim.docking.config`).
    faults : Fault or sequence of Fault
        Forced failures (thruster stuck off, navigation bias).
    sensors : SensorSuite, optional
        The navigation sensors (default :class:`~.sensors.SensorSuite`, mounted at the
        ports of the profile); its relative-sensor noise is scaled by ``noise``.
    control_rate_hz : float, optional
        GNC rate of the final approach (default: the profile's, 1 Hz).
    curvilinear : bool
        Solve the transfers' CW targeting in curvilinear (cylindrical) coordinates,
        which removes the rectilinear frame's curvature error at tens of km
        (default); False: rectilinear CW throughout.

    Returns
    -------
    ApproachResult

    Raises
    ------
    InputError
        On inconsistent epochs or invalid settings.

    References
    ----------
    Fehse (2003), ch. 2-7; Hablani, Tapper & Dana-Bashian (2002).
    """
    for name, value in (("station", station), ("chaser", chaser)):
        if not isinstance(value, State) and not (name == "chaser" and value is None):
            raise InputError(
                f"{name} = {value!r} is not a State; expected a qingzhou_sim.State "
                "(GCRS position and velocity at the hand-over epoch)",
                name=name,
                value=value,
            )
    prof = get_approach_profile(profile)
    thrusters = thrusters or _default(ThrusterConfig)
    plant = plant or _default(PlantConfig)
    safety = safety or _default(SafetyConfig)
    limits = limits or _default(ContactLimits)
    attitude = attitude or _default(AttitudeConfig)
    berthing = berthing or _default(BerthingConfig)
    if isinstance(noise, NavigationConfig):
        nav, noise_on = noise, True
    else:
        nav, noise_on = _default(NavigationConfig), bool(noise)
    if isinstance(faults, Fault):
        faults = (faults,)
    faults = tuple(faults or ())
    if control_rate_hz is not None and not (math.isfinite(control_rate_hz) and control_rate_hz > 0):
        raise InputError(
            f"control_rate_hz = {control_rate_hz!r}; expected > 0",
            name="control_rate_hz",
            value=control_rate_hz,
        )
    if rng is None:
        rng = seed if seed is not None else 0
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    st_rv = np.asarray(station.rv_km, float)
    a_st = 1.0 / (2.0 / np.linalg.norm(st_rv[:3]) - np.dot(st_rv[3:], st_rv[3:]) / earth.mu_km3_s2)
    n = math.sqrt(earth.mu_km3_s2 / a_st**3)
    if chaser is not None:
        # (one Time for both, as the mission's hand-over gives them: no astropy
        # subtraction, ~0.3 ms)
        same = chaser.epoch is station.epoch
        if not same and abs((chaser.epoch - station.epoch).to_value(u.s)) > 1e-3:
            raise InputError(
                f"chaser epoch {chaser.epoch.utc.isot} differs from the station epoch "
                f"{station.epoch.utc.isot}; give both states at the hand-over epoch",
                name="chaser",
                value=chaser.epoch,
            )
        rel0 = _inertial_to_relative("LVLH", st_rv, np.asarray(chaser.rv_km, float))
    elif handover_r_lvlh is not None:
        r = as_array(handover_r_lvlh, u.km, "handover_r_lvlh", shape=(3,))
        v = (
            as_array(handover_v_lvlh, u.km / u.s, "handover_v_lvlh", shape=(3,))
            if handover_v_lvlh is not None
            else np.array([1.5 * n * r[2], 0.0, 0.0])
        )
        rel0 = np.concatenate([r, v])
    else:
        rel0 = default_handover_lvlh(n)
    ch_rv = _relative_to_inertial("LVLH", st_rv, rel0)

    base_cfg, ch_sc = _build_cfg(
        n,
        prof,
        nav,
        noise_on,
        thrusters,
        plant,
        safety,
        limits,
        earth,
        a_st if curvilinear else 0.0,
    )
    axis = np.array(AXES[prof.docking_axis])
    port = np.array(prof.port_position_m) / 1e3
    com_off = port + axis * prof.chaser_port_arm_m / 1e3  # CoM = port-relative point + com_off

    # expand the profile into kernel segments
    labels = [s.label for s in prof.segments]

    def seg_index(fault: Fault) -> int:
        if isinstance(fault.segment, int):
            return fault.segment
        if fault.segment == "final":
            return len(prof.segments) - 1
        if fault.segment in labels:
            return labels.index(fault.segment)
        raise InputError(
            f"fault segment {fault.segment!r} is not in profile {prof.name!r}; choose an index, "
            f"'final' or one of {labels}",
            name="segment",
            value=fault.segment,
        )

    fault_at = {}
    for f in faults:
        fault_at.setdefault(seg_index(f), []).append(f)

    t = 0.0
    mass = ch_sc.mass_kg
    flags = np.zeros(F_N, dtype=np.int64)
    zones = np.zeros(2, dtype=np.int64)
    resid = np.zeros(3)
    w_orb, _ = B.orbit_rates(st_rv, earth.mu_km3_s2)
    st_sc = _spacecraft(plant.station)
    att, xs, xc = _build_att(prof, attitude, thrusters, ch_sc, st_sc, noise_on, gen, w_orb)
    navp = _build_nav(
        prof, nav, thrusters, ch_sc, st_sc, noise_on, gen, a_st if curvilinear else 0.0, w_orb,
        sensors,
    )  # fmt: skip
    est = _init_estimate(rel0, xc[B.A_Q : B.A_Q + 4], navp, noise_on, gen)
    contact_fig = None
    plan_pt = rel0[:3].copy()
    hist_parts, seg_reports = [], []
    raw_events = []  # (t, code, v1, v2, segment label)
    status, reason = K.ST_DONE, K.AB_NONE
    passive_ranges = []
    cfg = base_cfg
    for iseg, sgm in enumerate(prof.segments):
        for f in fault_at.get(iseg, ()):
            if f.kind == "thruster_stuck_off":
                cfg = cfg._replace(stuck_t0=t + f.after_s, stuck_t1=t + f.after_s + f.duration_s)
            else:
                b = np.array(f.bias_m) / 1e3
                cfg = cfg._replace(bias_x=b[0], bias_y=b[1], bias_z=b[2], bias_t0=t + f.after_s)
        kseg = []  # list of kernel Seg
        if isinstance(sgm, Homing | Closing | FlyAround) and not (
            isinstance(sgm, Closing) and sgm.method == "straight"
        ):
            dt = sgm.control_period_s
            if isinstance(sgm, Homing):
                pts = [np.array(p) / 1e3 + com_off for p in sgm.aim_points_m]
                tofs = list(sgm.tof_s) if sgm.tof_s else [None] * len(pts)
            elif isinstance(sgm, Closing):
                pts = [np.array(sgm.to_m) / 1e3 + com_off]
                tofs = [sgm.tof_s if sgm.tof_s is not None else math.pi / n]
            else:
                end = np.array(sgm.to_m) / 1e3 + com_off
                radius = sgm.radius_m / 1e3 if sgm.radius_m else float(np.linalg.norm(end))
                pts = _arc_points(plan_pt, end, radius, sgm.side, sgm.legs)
                tofs = [sgm.tof_s] * len(pts)
            x_from = np.concatenate([plan_pt, np.zeros(3)])
            if isinstance(sgm, Homing):
                x_from = est[0].copy()
            legs = []
            for p, tof in zip(pts, tofs):
                xf = np.concatenate([p, np.zeros(3)])
                near = np.linalg.norm(x_from[:3] - xf[:3]) < _HOMING_NEAR_KM
                if tof is None and isinstance(sgm, Homing) and near:
                    # Already at the aim point (a fast profile hands over at the first
                    # hold point): no transfer; the following hold takes up the rest.
                    x_from = xf
                    continue
                if tof is None and isinstance(sgm, Homing):
                    tc, tof, x_coast = _coast_then_transfer(
                        n, x_from, xf, base_cfg.r_curv, sgm.max_coast_orbits
                    )
                    if tc >= 4 * dt:
                        legs.append((x_coast, tc))
                elif tof is None:
                    tof = _best_tof(n, x_from, xf, base_cfg)
                legs.append((xf, tof))
                x_from = xf
            for xf, tof in legs:
                nsteps = max(1, int(round(tof / dt)))
                ncorr = sgm.corrections
                steps = sorted(
                    {0, *[int(round(nsteps * (j + 1) / (ncorr + 1))) for j in range(ncorr)]}
                    - {nsteps}
                )
                # room for a longer transfer chosen at departure for passive safety
                kw = _empty_seg(dt, int(1.6 * nsteps) + 2)
                kw.update(
                    mode=K.MODE_TRANSFER,
                    tgt=xf,
                    burn_steps=np.array([*steps, nsteps], dtype=np.int64),
                    check_passive=1,
                )
                kseg.append(K.Seg(**kw))
            plan_pt = pts[-1]
        elif isinstance(sgm, Hold):
            dt = sgm.control_period_s
            if sgm.at_m is not None:
                plan_pt = np.array(sgm.at_m) / 1e3 + com_off
            tau_p, tau_v = _gains(dt)
            settled = sgm.until == "settled"
            longest = sgm.max_duration_s if settled else sgm.duration_s
            kw = _empty_seg(dt, max(1, int(round(longest / dt))))
            kw.update(
                mode=K.MODE_HOLD,
                tgt=np.concatenate([plan_pt, np.zeros(3)]),
                tau_p=tau_p,
                tau_v=tau_v,
                deadband=(5e-4 if dt >= 5 else 1e-4) / 1e3,
                settle_tol=sgm.tolerance_m / 1e3 if settled else 0.0,
                min_time=sgm.duration_s,
                check_passive=0,
            )
            kseg.append(K.Seg(**kw))
        else:  # straight closing or final approach
            final = isinstance(sgm, FinalApproach)
            dt = sgm.control_period_s
            if final and control_rate_hz is not None:
                dt = 1.0 / control_rate_hz
            end = np.array(sgm.to_m) / 1e3 + com_off if not final else com_off.copy()
            if final:
                cfg, end = _port_cfg(cfg, att, navp.xs_nom, prof.chaser_port_arm_m / 1e3)
            start = plan_pt if final else _line_start(plan_pt, est[0], cfg)
            line = end - start
            length = float(np.linalg.norm(line))
            sched = np.array(sgm.speed_schedule, float) / 1e3
            vmin = float(sched[:, 1].min())
            nmax = (
                int(sgm.max_duration_s / dt)
                if final
                else int(1.5 * length / vmin / dt + 600.0 / dt)
            )
            tau_p, tau_v = _gains(dt)
            kw = _empty_seg(dt, nmax)
            kw.update(
                mode=K.MODE_STRAIGHT,
                final=1 if final else 0,
                tgt=np.concatenate([end, np.zeros(3)]),
                line0=start.copy(),
                line_u=line / max(length, 1e-12),
                line_len=length,
                sched_d=np.ascontiguousarray(sched[:, 0]),
                sched_v=np.ascontiguousarray(sched[:, 1]),
                tau_p=tau_p,
                tau_v=tau_v,
                deadband=1e-7,
            )
            kseg.append(K.Seg(**kw))
            plan_pt = end
        # fly the kernel segments of this profile segment
        t_start, first_part = t, len(hist_parts)
        raw_events.append((t, "segment start", math.nan, sgm.label))
        if isinstance(sgm, Hold):
            raw_events.append((t, "hold arrival", math.nan, sgm.label))
        cfg_arr = cfg.array()
        for ks in kseg:
            out = fly_segment(
                ks, cfg_arr, att, navp, t, st_rv, ch_rv, xs, xc, est, mass,
                gen, noise_on, flags, zones, resid,
            )  # fmt: skip
            status, reason, t, st_rv, ch_rv, xs, xc, est, mass, hist, ev, fig = out
            if status == K.ST_CONTACT:
                contact_fig = fig
            hist_parts.append(hist)
            for row in ev:
                raw_events.append((row[0], int(row[1]), (row[2], row[3]), sgm.label))
                if int(row[1]) == K.EV_PASSIVE:
                    passive_ranges.append(row[2])
            if status != K.ST_DONE:
                break
        completed = status == K.ST_DONE or (
            status == K.ST_CONTACT and isinstance(sgm, FinalApproach)
        )
        seg_reports.append(
            (sgm.label, sgm.kind, t_start, t, first_part, len(hist_parts), completed)
        )
        if isinstance(sgm, Hold) and status == K.ST_DONE:
            raw_events.append((t, "hold departure", math.nan, sgm.label))
        raw_events.append((t, "segment end", math.nan, sgm.label))
        if status != K.ST_DONE:
            break

    seg_reports = _segment_reports(seg_reports, hist_parts)

    # ---- contact, capture, berthing or abort
    contact = None
    docked = False
    failure = None
    post_min = None
    post_reenter = None
    if status == K.ST_CONTACT:
        contact = capture_check(contact_fig, limits)
        if contact.ok:
            docked = True
            raw_events.append((t, "capture", math.nan, "docking"))
            raw_events.append((t + berthing.capture_s, "buffering start", math.nan, "docking"))
            raw_events.append(
                (
                    t + berthing.capture_s + berthing.buffering_s,
                    "retraction start",
                    math.nan,
                    "docking",
                )
            )
            raw_events.append(
                (
                    t + berthing.capture_s + berthing.buffering_s + berthing.retraction_s,
                    "latching start",
                    math.nan,
                    "docking",
                )
            )
            raw_events.append((t + berthing.total_s, "hard dock", math.nan, "docking"))
            status_text = "hard docked"
        else:
            bad = ", ".join(c.name for c in contact.checks if not c.ok)
            failure = f"contact conditions out of limits: {bad}"
            raw_events.append((t, "capture failed", math.nan, "docking"))
            status_text = "contact without capture"
    elif status == K.ST_ABORT:
        failure = ABORT_REASONS.get(reason, f"abort code {reason}")
        status_text = "aborted (CAM executed)"
        # one orbit of recorded free drift after the CAM, then the 24 h passive check
        # of the truth (J2 + drag) and of CW from the true post-CAM state.
        dt = 30.0
        kw = _empty_seg(dt, int(2 * math.pi / n / dt))
        kw.update(mode=K.MODE_DRIFT)
        drift_seg = K.Seg(**kw)
        rel_after = K._to_lvlh(st_rv, ch_rv)
        rmin_cw, _, unsafe_cw, _ = K._passive(
            n, rel_after, cfg.ps_horizon, cfg.ps_step, cfg.kos, 1e300
        )
        truth = K.truth_drift(st_rv, ch_rv, cfg.ps_horizon, cfg.ps_step, mass, cfg.array())
        rng_truth = np.linalg.norm(truth[:, :3], axis=1)
        outside = np.nonzero(rng_truth >= cfg.kos)[0]
        if outside.size:
            after = rng_truth[outside[0] :]
            reenter_truth = bool(np.any(after < cfg.kos))
            rmin_truth = float(after.min())
        else:
            reenter_truth, rmin_truth = True, float(rng_truth.min())
        post_min = min(rmin_truth, rmin_cw) * 1e3 * u.m
        post_reenter = bool(reenter_truth or unsafe_cw)
        out = fly_segment(
            drift_seg, cfg.array(), att, navp, t, st_rv, ch_rv, xs, xc, est, mass,
            gen, noise_on, flags, zones, resid,
        )  # fmt: skip
        _, _, t_end, st_rv, ch_rv, xs, xc, est, mass, hist, ev, _ = out
        hist_parts.append(hist)
        for row in ev:
            raw_events.append((row[0], int(row[1]), (row[2], row[3]), "post-CAM drift"))
        t = t_end
    else:
        status_text = "completed without contact"
        failure = "profile ended without contact"

    epoch0 = station.epoch
    ev_objs = _decode_events(raw_events, epoch0)
    passive_min = u.Quantity(min(passive_ranges) * 1e3 if passive_ranges else math.inf, u.m)
    # the history fields are made when first read (result._LazyApproachResult)
    return _LazyApproachResult.made(
        tuple(hist_parts),
        profile=prof,
        epoch0=epoch0,
        events=ev_objs,
        segments=seg_reports,
        contact=contact,
        docked=docked,
        status=status_text,
        failure_reason=failure,
        passive_min_range=passive_min,
        post_abort_min_range=post_min,
        post_abort_reenters_keep_out=post_reenter,
        end_rv=(t, st_rv.copy(), ch_rv.copy()),
    )
