"""Flying a mission: launch window, insertion, phasing, approach, timeline assembly."""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import as_time
from .config import Mission, Perturbations, _utc
from .flight import NULL_BURN_M_S, execution_error_draws, fly_phasing_burns
from .result import Ephemeris, MissionResult, PhaseSummary, TimelineEvent


class _RunGuard:
    """Held while a mission runs: one run at a time per process, BLAS on one thread.

    BLAS is pinned to one thread because multi-threaded BLAS sums in a
    thread-count-dependent order and the phasing optimiser can turn those last bits into
    a different local optimum, which would break bit-identical campaign rows between
    the main process, pool workers and Dask workers (which start with
    OPENBLAS_NUM_THREADS=1). threadpoolctl's limit is process-wide, so concurrent runs in
    threads of one process are serialised with a lock (and even then OpenBLAS does not
    always honour the limit in a new thread: thread pools are not bit-reproducible).
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._limiter = None
        self._depth = 0

    def __enter__(self):
        self._lock.acquire()
        if self._depth == 0:
            from threadpoolctl import threadpool_limits

            self._limiter = threadpool_limits(limits=1)
        self._depth += 1
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0 and self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
        self._lock.release()
        return False


_RUN_GUARD = _RunGuard()


def single_thread_blas() -> _RunGuard:
    """Context manager held by :meth:`Mission.run` (see :class:`_RunGuard`)."""
    return _RUN_GUARD


_APPROACH_PHASES = {
    "homing": "homing",
    "closing": "closing",
    "fly-around": "fly-around",
    "final": "final approach",
    "hold": "holds",
}


def _station_target(mission: Mission):
    """The station as a launch target (``qingzhou_sim.launch.Target``)."""
    from ..launch import Target

    orbit = mission.station
    if orbit.tle:
        return Target.from_tle(*orbit.tle)
    return Target.from_state(orbit.state(), name="Tiangong (mission file elements)")


def _vehicle_force_model(settings: dict | None, spacecraft, *, density_scale=1.0, cd_scale=1.0):
    """The mission's force model with the drag parameters of ``spacecraft``."""
    from ..forces import Drag, ForceModel

    base = ForceModel.default() if settings is None else ForceModel.from_dict(settings)
    if base.drag is None:
        return base
    drag = Drag(
        cd=spacecraft.cd * cd_scale,
        area_m2=spacecraft.drag_area_m2,
        mass_kg=spacecraft.mass_kg,
        atmosphere=base.drag.atmosphere,
        density_scale=base.drag.density_scale * density_scale,
    )
    return replace(base, drag=drag)


def _offset_lvlh(state, offset_lvlh):
    """``state`` moved by an offset (km, km/s) given in its own LVLH frame."""
    from ..frames import _relative_to_inertial
    from ..state import State

    offset = np.asarray(offset_lvlh, dtype=float)
    if not np.any(offset):
        return state
    rv = _relative_to_inertial("LVLH", state.rv_km, offset)
    return State.from_vectors(state.epoch, rv[:3], rv[3:])


def _choose_liftoff(mission: Mission, target, site, vehicle, station_state):
    """Liftoff epoch (and its LaunchWindow if one was searched)."""
    from ..errors import InfeasiblePlanError
    from ..launch import insertion_state, launch_windows
    from ..phasing import PROFILES, phase_angle_windows

    if mission.liftoff is not None:
        return as_time(mission.liftoff, "liftoff"), None
    start = as_time(mission.window_search_start or mission.station.epoch, "window_search_start")
    windows = launch_windows(
        start, mission.window_search_hours * u.h, target=target, site=site, vehicle=vehicle
    )
    if len(windows) == 0:
        raise InfeasiblePlanError(
            f"no in-plane launch window from {site.name} in {mission.window_search_hours} h from {_utc(start)}; "
            "lengthen window_search_hours",
            name="window_search_hours",
            value=mission.window_search_hours,
        )
    example = insertion_state(windows[0].liftoff, target, site=site, vehicle=vehicle)
    station_at = target.state_at(example.epoch)
    wanted = phase_angle_windows(example, station_at, profiles=(mission.phasing_profile,))[
        mission.phasing_profile
    ]
    for w in windows:
        if wanted.contains(w.phase_angle):
            return w.liftoff, w
    phase_windows = phase_angle_windows(example, station_at, profiles=tuple(PROFILES))
    listing = "; ".join(
        f"{_utc(w.liftoff)} phase {w.phase_angle.to_value(u.deg):.1f} deg" for w in windows
    )
    others = [
        name
        for name, pw in phase_windows.items()
        if name != mission.phasing_profile and any(pw.contains(w.phase_angle) for w in windows)
    ]
    raise InfeasiblePlanError(
        f"no launch window in {mission.window_search_hours:g} h from {_utc(start)} gives a phase angle that the "
        f"{mission.phasing_profile!r} profile can fly ({wanted}); windows: {listing}. "
        + (
            f"Profiles that would work in this span: {', '.join(others)}."
            if others
            else "Lengthen the search or adjust the station phasing."
        ),
        name="phasing_profile",
        value=mission.phasing_profile,
        valid=others,
    )


_LAUNCH_CACHE: dict[str, tuple] = {}


def _launch_and_insertion(mission: Mission):
    """Site, station target, station state, liftoff, its window, nominal insertion
    state and the station at insertion: the same for every run of one mission (a
    campaign's samples disperse from here), so computed once per process and mission
    (astropy frame transforms and, without a fixed liftoff, the window search). Keyed
    by the mission's repr: a mission with a force-model table is not hashable."""
    key = repr(mission)
    if key not in _LAUNCH_CACHE:
        if len(_LAUNCH_CACHE) >= 8:
            _LAUNCH_CACHE.pop(next(iter(_LAUNCH_CACHE)))
        _LAUNCH_CACHE[key] = _compute_launch_and_insertion(mission)
    return _LAUNCH_CACHE[key]


def _compute_launch_and_insertion(mission: Mission):
    from ..launch import get_site, insertion_state

    vehicle = mission.launcher()
    site = get_site(mission.site)
    target = _station_target(mission)
    station_epoch_state = mission.station_state()
    liftoff, window = _choose_liftoff(mission, target, site, vehicle, station_epoch_state)
    chaser_nominal = insertion_state(liftoff, target, site=site, vehicle=vehicle)
    station0 = target.state_at(chaser_nominal.epoch)
    return site, target, station_epoch_state, liftoff, window, chaser_nominal, station0


def _run_mission(
    mission: Mission,
    perturbations: Perturbations | None,
    progress: bool,
    phasing_reference=None,
) -> MissionResult:
    from tqdm.auto import tqdm

    from ..docking import NavigationConfig, PlantConfig, ThrusterConfig, simulate_approach
    from ..errors import InfeasiblePlanError
    from ..frames import _inertial_to_relative, _relative_to_inertial
    from ..maneuvers import Burn  # noqa: F401  (type of the executed burns)
    from ..phasing import plan_phasing
    from ..propagator import Propagator
    from ..state import State

    p = perturbations or Perturbations(
        seed=mission.seed, navigation_scale=1.0 if mission.navigation_noise else 0.0
    )
    bar = tqdm(total=5, desc="mission", unit="stage", disable=not progress, leave=False)

    def stage(text):
        bar.set_postfix_str(text)
        bar.update(1)

    chaser_sc, station_sc, vehicle = (
        mission.chaser_vehicle(),
        mission.station_spacecraft(),
        mission.launcher(),
    )
    vehicle.check_payload(chaser_sc.mass_kg * u.kg)

    # ---- launch and insertion
    site, target, station_epoch_state, liftoff, window, chaser_nominal, station0 = (
        _launch_and_insertion(mission)
    )
    t_ins = chaser_nominal.epoch
    chaser0 = _offset_lvlh(chaser_nominal, p.insertion_lvlh)
    station_known = _offset_lvlh(station0, p.station_knowledge_lvlh)
    stage("launch window and insertion")

    # ---- phasing: planned on the ground with the nominal models, flown in the truth
    fm_chaser_plan = _vehicle_force_model(mission.force_model, chaser_sc)
    fm_chaser = _vehicle_force_model(
        mission.force_model,
        chaser_sc,
        density_scale=p.density_scale_chaser,
        cd_scale=p.cd_scale_chaser,
    )
    fm_station = _vehicle_force_model(
        mission.force_model,
        station_sc,
        density_scale=p.density_scale_station,
        cd_scale=p.cd_scale_station,
    )
    undispersed = not np.any(p.insertion_lvlh) and not np.any(p.station_knowledge_lvlh)
    try:
        if phasing_reference is not None and undispersed:
            # the planner's inputs are the nominal ones, so is its plan
            plan = phasing_reference
        else:
            plan = plan_phasing(
                chaser0,
                station_known,
                mission.phasing_profile,
                force_model=fm_chaser_plan,
                reference=phasing_reference,
            )
    except InfeasiblePlanError as exc:
        if mission.liftoff is not None and perturbations is None:
            raise _with_working_windows(
                exc, mission, target, site, vehicle, station_epoch_state, liftoff
            ) from None
        raise
    stage("phasing plan")
    draws = execution_error_draws(len(plan.burns) + 2, np.random.default_rng(p.seed))
    flown_as_planned = (
        p.burn_magnitude_frac == 0
        and p.burn_pointing_rad == 0
        and not np.any(p.station_knowledge_lvlh)
        and p.density_scale_chaser == p.density_scale_station == 1.0
        and p.cd_scale_chaser == p.cd_scale_station == 1.0
    )
    if flown_as_planned:
        # flown exactly as planned: nothing to re-target
        burns = tuple(b for b in plan.burns if b.dv_m_s >= NULL_BURN_M_S)
    else:
        t_end_s = float((plan.handover_epoch - t_ins).to_value(u.s))
        station_end = Propagator(fm_station).propagate_rv(
            station0.rv_km, np.array([t_end_s]), epoch=t_ins
        )[0]
        relative_target = _relative_to_inertial(
            "LVLH",
            station_end,
            np.concatenate(
                [plan.handover_r_lvlh.to_value(u.km), plan.handover_v_lvlh.to_value(u.km / u.s)]
            ),
        )
        burns = fly_phasing_burns(
            plan,
            chaser0,
            fm_chaser,
            fm_chaser_plan,
            p.burn_magnitude_frac,
            p.burn_pointing_rad,
            draws,
            relative_target,
        )
    t_ho = plan.handover_epoch
    span_s = float((t_ho - t_ins).to_value(u.s))
    grid_s = np.unique(np.concatenate([np.arange(0.0, span_s, mission.output_step_s), [span_s]]))
    grid = t_ins + grid_s * u.s
    chaser_traj = Propagator(fm_chaser).propagate(chaser0, grid, burns=burns)
    station_traj = Propagator(fm_station).propagate(station0, grid)
    if chaser_traj.status != "success":
        raise InfeasiblePlanError(
            f"the chaser did not reach the hand-over point: {chaser_traj.message}",
            name="phasing",
            value=chaser_traj.status,
        )
    stage("phasing flight")

    # ---- approach from the hand-over point, flown in the station's LVLH frame
    chaser_ho = State.from_vectors(t_ho, chaser_traj.r_km[-1], chaser_traj.v_km_s[-1])
    station_ho = State.from_vectors(t_ho, station_traj.r_km[-1], station_traj.v_km_s[-1])
    quiet = p.navigation_scale == 0 and p.burn_magnitude_frac == 0 and p.burn_pointing_rad == 0
    approach = simulate_approach(
        station_ho,
        chaser_ho,
        profile=mission.approach_profile_name,
        rng=np.random.default_rng([p.seed, 1]),
        noise=False if quiet else NavigationConfig().scaled(p.navigation_scale),
        thrusters=ThrusterConfig(
            magnitude_sigma=p.burn_magnitude_frac,
            pointing_sigma_deg=float(np.rad2deg(p.burn_pointing_rad)),
        ),
        plant=PlantConfig(
            chaser=chaser_sc,
            station=station_sc,
            density_scale_chaser=p.density_scale_chaser,
            density_scale_station=p.density_scale_station,
            cd_scale_chaser=p.cd_scale_chaser,
            cd_scale_station=p.cd_scale_station,
        ),
        control_rate_hz=mission.control_rate_hz,
    )
    stage("approach and docking")

    # ---- station and chaser over the approach (station propagated, chaser from LVLH)
    t_app = approach.t_s - approach.t_s[0]
    keep = _thin(t_app, mission.output_step_s)
    app_epochs = t_ho + t_app[keep] * u.s
    station_app = Propagator(fm_station).propagate(station_ho, app_epochs)
    rel_app = np.concatenate(
        [approach.r_true.to_value(u.km), approach.v_true.to_value(u.km / u.s)], axis=1
    )
    chaser_app = _relative_to_inertial("LVLH", station_app.rv_km, rel_app[keep])
    rel_phasing = _inertial_to_relative("LVLH", station_traj.rv_km, chaser_traj.rv_km)
    # The full-rate approach history is kept for the relative plots; the station there
    # is interpolated from its dense propagation.
    chaser_eph = Ephemeris(
        _concat_times(chaser_traj.epochs, app_epochs[1:]),
        np.vstack([chaser_traj.r_km, chaser_app[1:, :3]]),
        np.vstack([chaser_traj.v_km_s, chaser_app[1:, 3:]]),
    )
    station_eph = Ephemeris(
        _concat_times(station_traj.epochs, app_epochs[1:]),
        np.vstack([station_traj.r_km, station_app.r_km[1:]]),
        np.vstack([station_traj.v_km_s, station_app.v_km_s[1:]]),
    )
    rel_t_s = np.concatenate([grid_s, span_s + t_app[1:]])
    rel_all = np.vstack([rel_phasing, rel_app[1:]])

    result = _assemble(
        mission,
        site,
        window,
        liftoff,
        t_ins,
        plan,
        burns,
        approach,
        chaser_sc,
        chaser_eph,
        station_eph,
        t_ins + rel_t_s * u.s,
        rel_all,
        rel_t_s,
        chaser_nominal,
        station0,
    )
    stage("timeline")
    bar.close()
    return result


def _thin(t_s: np.ndarray, step_s: float) -> np.ndarray:
    """Indices of samples at least ``step_s`` apart (first and last always kept)."""
    keep = [0]
    for k in range(1, len(t_s)):
        if t_s[k] - t_s[keep[-1]] >= step_s:
            keep.append(k)
    if keep[-1] != len(t_s) - 1:
        keep.append(len(t_s) - 1)
    idx = np.asarray(keep)
    # Drop repeated epochs (segment boundaries share a time stamp).
    _, first = np.unique(t_s[idx], return_index=True)
    return idx[np.sort(first)]


def _concat_times(a: Time, b: Time) -> Time:
    from astropy.time import TimeDelta

    if len(b) == 0:
        return a
    ref = a[0]
    dt = np.concatenate([(a - ref).to_value(u.s), (b - ref).to_value(u.s)])
    return ref + TimeDelta(dt * u.s)


def _with_working_windows(exc, mission, target, site, vehicle, station_state, liftoff):
    """Re-raise an infeasible-phase error with the launch windows that would work."""
    from ..errors import InfeasiblePlanError
    from ..launch import insertion_state, launch_windows
    from ..phasing import phase_angle_windows

    try:
        windows = launch_windows(
            liftoff - 12 * u.h, 48 * u.h, target=target, site=site, vehicle=vehicle
        )
        example = insertion_state(liftoff, target, site=site, vehicle=vehicle)
        wanted = phase_angle_windows(
            example, target.state_at(example.epoch), profiles=(mission.phasing_profile,)
        )[mission.phasing_profile]
        good = [w for w in windows if wanted.contains(w.phase_angle)]
    except Exception:  # the hint must never hide the original error
        good = []
    hint = (
        "windows that would work: " + ", ".join(_utc(w.liftoff) for w in good)
        if good
        else "no window within -12 h .. +36 h of this liftoff works for this profile"
    )
    return InfeasiblePlanError(
        f"liftoff {_utc(liftoff)}: {exc}; {hint}",
        name=exc.name,
        value=exc.value,
        valid=[_utc(w.liftoff) for w in good],
    )


def _assemble(
    mission,
    site,
    window,
    liftoff,
    t_ins,
    plan,
    burns,
    approach,
    chaser_sc,
    chaser_eph,
    station_eph,
    rel_epochs,
    rel_all,
    rel_t_s,
    chaser_nominal,
    station0,
) -> MissionResult:
    """Timeline events, phase budget (rocket equation) and the result object."""
    from ..constants import G0_M_S2
    from ..launch import insertion_state  # noqa: F401  (documentation of the insertion model)

    c_m_s = chaser_sc.isp_s * G0_M_S2
    m0 = chaser_sc.mass_kg
    rel_range = np.linalg.norm(rel_all[:, :3], axis=1)

    def range_at(epoch) -> float:
        t = float((epoch - t_ins).to_value(u.s))
        return float(np.interp(t, rel_t_s, rel_range))

    # ---- raw events (name, epoch, phase, dv_m_s, detail) in time order
    raw = [
        (
            "liftoff",
            liftoff,
            "launch",
            0.0,
            f"{site.name}, window {window.direction}" if window is not None else site.name,
        )
    ]
    raw.append(
        (
            "insertion",
            t_ins,
            "launch",
            0.0,
            f"{chaser_nominal.perigee_altitude.to_value(u.km):.1f} x {chaser_nominal.apogee_altitude.to_value(u.km):.1f} km",
        )
    )
    for b in burns:
        raw.append(
            (
                f"burn {b.label}",
                b.epoch,
                "phasing",
                b.dv_m_s,
                f"LVLH [{', '.join(f'{x:+.3f}' for x in b.dv.to_value(u.m / u.s))}] m/s",
            )
        )
    miss = (
        np.linalg.norm(
            rel_all[len(rel_t_s) - len(approach.t_s), :3] - plan.handover_r_lvlh.to_value(u.km)
        )
        * 1e3
    )
    raw.append(
        (
            "hand-over",
            plan.handover_epoch,
            "phasing",
            0.0,
            f"{miss:.0f} m from the planned hand-over point",
        )
    )

    kind_of = {s.label: s.kind for s in approach.segments}
    burn_dv_by_segment: dict[str, float] = {}
    contact_epoch = None
    for e in approach.events:
        phase = _APPROACH_PHASES.get(
            kind_of.get(e.segment, ""), "docking" if e.segment == "docking" else e.segment
        )
        if e.name in (
            "segment start",
            "segment end",
            "passive safety check",
            "final gate",
            "approach ellipsoid exit",
            "keep-out sphere exit",
        ):
            continue
        if e.name in ("burn", "collision avoidance manoeuvre"):
            dv = float(e.value) if math.isfinite(e.value) else 0.0
            burn_dv_by_segment[e.segment] = burn_dv_by_segment.get(e.segment, 0.0) + dv
            name = "collision avoidance manoeuvre" if e.name != "burn" else f"burn ({e.segment})"
            raw.append(
                (name, e.epoch, "collision avoidance" if e.name != "burn" else phase, dv, "")
            )
            continue
        name = (
            e.name if e.name not in ("hold arrival", "hold departure") else f"{e.name} {e.segment}"
        )
        if e.name == "contact":
            contact_epoch = e.epoch
        raw.append((name, e.epoch, phase, 0.0, e.detail))
    # Control pulses (straight-line tracking, hold keeping) are not individual timeline
    # events; their delta-v appears as one event at the end of each segment so that the
    # events add up to the budget.
    for seg in approach.segments:
        seg_dv = float(seg.dv.to_value(u.m / u.s))
        rest = seg_dv - burn_dv_by_segment.get(seg.label, 0.0)
        if rest > 1e-9:
            raw.append(
                (
                    f"control pulses ({seg.label})",
                    approach.epoch0 + seg.t_end_s * u.s,
                    _APPROACH_PHASES.get(seg.kind, seg.kind),
                    rest,
                    "sum of closed-loop corrections in the segment",
                )
            )
    if any(r[0] == "collision avoidance manoeuvre" for r in raw):
        # A CAM's delta-v is not in any segment's report when the approach aborts.
        pass
    raw.sort(key=lambda r: float((r[1] - liftoff).to_value(u.s)))

    events = []
    cum_dv = 0.0
    mass = m0
    for name, epoch, phase, dv, detail in raw:
        prop = mass * (1.0 - math.exp(-dv / c_m_s)) if dv > 0 else 0.0
        mass -= prop
        cum_dv += dv
        rng_km = (
            range_at(epoch)
            if epoch >= t_ins
            else float(np.linalg.norm(site.gcrs_km(epoch) - mission_station_r(station0, epoch)))
        )
        events.append(
            TimelineEvent(
                name,
                epoch,
                float((epoch - liftoff).to_value(u.s)),
                phase,
                rng_km,
                dv,
                prop,
                cum_dv,
                m0 - mass,
                detail,
            )
        )

    # ---- phases (budget); approach segments aggregated by kind, in order of appearance
    phases = [
        PhaseSummary("launch", liftoff, t_ins, 0.0, 0.0, float((t_ins - liftoff).to_value(u.s)))
    ]
    phasing_dv = float(sum(b.dv_m_s for b in burns))
    phases.append(
        PhaseSummary(
            "phasing",
            t_ins,
            plan.handover_epoch,
            phasing_dv,
            0.0,
            float((plan.handover_epoch - t_ins).to_value(u.s)),
        )
    )
    order: list[str] = []
    agg: dict[str, list] = {}
    for seg in approach.segments:
        name = _APPROACH_PHASES.get(seg.kind, seg.kind)
        start = approach.epoch0 + seg.t_start_s * u.s
        end = approach.epoch0 + seg.t_end_s * u.s
        if name not in agg:
            order.append(name)
            agg[name] = [start, end, 0.0, 0.0]
        a = agg[name]
        a[0] = min(a[0], start)
        a[1] = max(a[1], end)
        a[2] += float(seg.dv.to_value(u.m / u.s))
        a[3] += seg.t_end_s - seg.t_start_s
    cam_dv = sum(e.delta_v_m_s for e in events if e.phase == "collision avoidance")
    for name in order:
        start, end, dv, dur = agg[name]
        if dur > 0 or dv > 0:  # a skipped segment (homing from the hold point) is no phase
            phases.append(PhaseSummary(name, start, end, dv, 0.0, float(dur)))
    if cam_dv > 0:
        cam_ev = [e for e in events if e.phase == "collision avoidance"]
        phases.append(
            PhaseSummary(
                "collision avoidance",
                cam_ev[0].epoch,
                cam_ev[-1].epoch,
                cam_dv,
                0.0,
                float((cam_ev[-1].epoch - cam_ev[0].epoch).to_value(u.s)),
            )
        )
    hard = next((e for e in events if e.name == "hard dock"), None)
    if contact_epoch is not None and hard is not None:
        phases.append(
            PhaseSummary(
                "berthing",
                contact_epoch,
                hard.epoch,
                0.0,
                0.0,
                float((hard.epoch - contact_epoch).to_value(u.s)),
            )
        )
    # Propellant per phase with the running mass (rocket equation, one Isp).
    mass = m0
    with_prop = []
    for ph in phases:
        prop = mass * (1.0 - math.exp(-ph.delta_v_m_s / c_m_s))
        mass -= prop
        with_prop.append(replace(ph, propellant_kg=prop))

    end = hard.epoch if hard is not None else approach.epochs[-1]
    failure = None if approach.docked else (approach.failure_reason or approach.status)
    return MissionResult(
        mission=mission,
        liftoff=liftoff,
        insertion=t_ins,
        end=end,
        events=tuple(events),
        phases=tuple(with_prop),
        chaser=chaser_eph,
        station=station_eph,
        relative_t=rel_epochs,
        relative_r_km=rel_all[:, :3],
        relative_v_km_s=rel_all[:, 3:],
        phasing_plan=plan,
        approach=approach,
        docked=bool(approach.docked),
        failure=failure,
        site=site,
        propellant_capacity_kg=float(chaser_sc.propellant_capacity_kg),
        initial_mass_kg=float(m0),
        isp_s=float(chaser_sc.isp_s),
        phasing_end=plan.handover_epoch,
        burns_phasing=tuple(burns),
        launch_window=window,
    )


def mission_station_r(station0, epoch) -> np.ndarray:
    """Station position (km) at an epoch before insertion, by two-body propagation
    backwards from ``station0`` (used only for the range column at liftoff)."""
    from ..propagator import Propagator

    traj = Propagator(method="kepler").propagate(station0, epoch)
    return traj.final_state.r_km
