"""Timeline and budget of a mission: the ordered events from liftoff to hard dock, the
delta-v and propellant per phase (rocket equation, one Isp), and the
:class:`~qingzhou_sim.mission.MissionResult`."""

from __future__ import annotations

import math
from dataclasses import replace

import astropy.units as u
import numpy as np

from .result import MissionResult, PhaseSummary, TimelineEvent

__all__ = ["assemble_result"]

_APPROACH_PHASES = {
    "homing": "homing",
    "closing": "closing",
    "fly-around": "fly-around",
    "final": "final approach",
    "hold": "holds",
}
# Approach-loop events that are bookkeeping, not timeline entries.
_SILENT = (
    "segment start",
    "segment end",
    "passive safety check",
    "final gate",
    "approach ellipsoid exit",
    "keep-out sphere exit",
)


def _launch_and_phasing_events(launch, flight, trajectories, approach) -> list:
    """(name, epoch, phase, dv_m_s, detail) of liftoff, insertion, burns, hand-over."""
    chaser = launch.chaser_nominal
    window = launch.window
    raw = [
        (
            "liftoff",
            launch.liftoff,
            "launch",
            0.0,
            f"{launch.site.name}, window {window.direction}"
            if window is not None
            else launch.site.name,
        ),
        (
            "insertion",
            launch.insertion,
            "launch",
            0.0,
            f"{chaser.perigee_altitude.to_value(u.km):.1f} x "
            f"{chaser.apogee_altitude.to_value(u.km):.1f} km",
        ),
    ]
    for b in launch.station_phasing.burns if launch.station_phasing is not None else ():
        # the station's cost: shown, not in the chaser's delta-v and propellant
        raw.append(
            (
                f"station burn {b.label}",
                b.epoch,
                "station phasing",
                0.0,
                f"station {b.dv_m_s:.3f} m/s (its own propellant)",
            )
        )
    for b in flight.burns:
        dv = ", ".join(f"{x:+.3f}" for x in b.dv.to_value(u.m / u.s))
        raw.append((f"burn {b.label}", b.epoch, "phasing", b.dv_m_s, f"LVLH [{dv}] m/s"))
    plan = flight.plan
    at_handover = trajectories.rel[len(trajectories.rel_t_s) - len(approach.t_s), :3]
    miss = np.linalg.norm(at_handover - plan.handover_r_lvlh.to_value(u.km)) * 1e3
    raw.append(
        (
            "hand-over",
            plan.handover_epoch,
            "phasing",
            0.0,
            f"{miss:.0f} m from the planned hand-over point",
        )
    )
    return raw


def _approach_events(approach) -> list:
    """(name, epoch, phase, dv_m_s, detail) of the approach: burns, holds, contact and
    docking, and one "control pulses" entry per segment for its closed-loop
    corrections (so that the events add up to the budget)."""
    kind_of = {s.label: s.kind for s in approach.segments}
    burn_dv: dict[str, float] = {}
    raw = []
    for e in approach.events:
        if e.name in _SILENT:
            continue
        default = "docking" if e.segment == "docking" else e.segment
        phase = _APPROACH_PHASES.get(kind_of.get(e.segment, ""), default)
        if e.name in ("burn", "collision avoidance manoeuvre"):
            dv = float(e.value) if math.isfinite(e.value) else 0.0
            burn_dv[e.segment] = burn_dv.get(e.segment, 0.0) + dv
            if e.name == "burn":
                raw.append((f"burn ({e.segment})", e.epoch, phase, dv, ""))
            else:
                raw.append((e.name, e.epoch, "collision avoidance", dv, ""))
            continue
        held = e.name in ("hold arrival", "hold departure")
        raw.append((f"{e.name} {e.segment}" if held else e.name, e.epoch, phase, 0.0, e.detail))
    for seg in approach.segments:
        rest = float(seg.dv.to_value(u.m / u.s)) - burn_dv.get(seg.label, 0.0)
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
    return raw


def _station_r_before(station0, epoch) -> np.ndarray:
    """Station position (km) at an epoch before insertion, by two-body propagation
    backwards from ``station0`` (used only for the range column at liftoff), with the
    universal-variable Kepler solver the launch search has compiled already (the
    propagator's ``method="kepler"`` would compile its own on a first run: ~0.6 s)."""
    from ..constants import EARTH
    from ..phasing._kernels import _kepler

    dt_s = float((epoch - station0.epoch).to_value(u.s))
    return _kepler(EARTH.mu_km3_s2, station0.r_km, station0.v_km_s, dt_s)[0]


def _timeline(raw, launch, trajectories, chaser_sc) -> list:
    """TimelineEvents in time order with range, propagellant and running totals."""
    from ..constants import G0_M_S2

    c_m_s = chaser_sc.isp_s * G0_M_S2
    liftoff, t_ins = launch.liftoff, launch.insertion
    rel_range = np.linalg.norm(trajectories.rel[:, :3], axis=1)
    raw = sorted(raw, key=lambda r: float((r[1] - liftoff).to_value(u.s)))
    events, cum_dv, mass = [], 0.0, chaser_sc.mass_kg
    for name, epoch, phase, dv, detail in raw:
        prop = mass * (1.0 - math.exp(-dv / c_m_s)) if dv > 0 else 0.0
        mass -= prop
        cum_dv += dv
        if epoch >= t_ins:
            t = float((epoch - t_ins).to_value(u.s))
            rng_km = float(np.interp(t, trajectories.rel_t_s, rel_range))
        else:
            station_r = _station_r_before(launch.station0, epoch)
            rng_km = float(np.linalg.norm(launch.site.gcrs_km(epoch) - station_r))
        t_liftoff = float((epoch - liftoff).to_value(u.s))
        used = chaser_sc.mass_kg - mass
        events.append(
            TimelineEvent(name, epoch, t_liftoff, phase, rng_km, dv, prop, cum_dv, used, detail)
        )
    return events


def _approach_phases(approach) -> list:
    """Approach segments aggregated by kind, in order of appearance."""
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
        a[0], a[1] = min(a[0], start), max(a[1], end)
        a[2] += float(seg.dv.to_value(u.m / u.s))
        a[3] += seg.t_end_s - seg.t_start_s
    # a skipped segment (homing from the hold point) is no phase
    return [
        PhaseSummary(name, start, end, dv, 0.0, float(dur))
        for name, (start, end, dv, dur) in ((n, agg[n]) for n in order)
        if dur > 0 or dv > 0
    ]


def _phases(launch, flight, approach, events, chaser_sc) -> tuple:
    """Phase budget: launch, phasing, approach kinds, collision avoidance, berthing, with
    the propellant of each from the running mass (rocket equation, one Isp)."""
    from ..constants import G0_M_S2

    liftoff, t_ins, t_ho = launch.liftoff, launch.insertion, flight.plan.handover_epoch
    phases = [
        PhaseSummary("launch", liftoff, t_ins, 0.0, 0.0, float((t_ins - liftoff).to_value(u.s))),
        PhaseSummary(
            "phasing",
            t_ins,
            t_ho,
            float(sum(b.dv_m_s for b in flight.burns)),
            0.0,
            float((t_ho - t_ins).to_value(u.s)),
        ),
    ]
    phases += _approach_phases(approach)
    cam = [e for e in events if e.phase == "collision avoidance"]
    cam_dv = sum(e.delta_v_m_s for e in cam)
    if cam_dv > 0:
        span = float((cam[-1].epoch - cam[0].epoch).to_value(u.s))
        phases.append(
            PhaseSummary("collision avoidance", cam[0].epoch, cam[-1].epoch, cam_dv, 0.0, span)
        )
    contact = next((e for e in events if e.name == "contact"), None)
    hard = next((e for e in events if e.name == "hard dock"), None)
    if contact is not None and hard is not None:
        span = float((hard.epoch - contact.epoch).to_value(u.s))
        phases.append(PhaseSummary("berthing", contact.epoch, hard.epoch, 0.0, 0.0, span))
    c_m_s = chaser_sc.isp_s * G0_M_S2
    mass, out = chaser_sc.mass_kg, []
    for ph in phases:
        prop = mass * (1.0 - math.exp(-ph.delta_v_m_s / c_m_s))
        mass -= prop
        out.append(replace(ph, propellant_kg=prop))
    return tuple(out)


def assemble_result(mission, launch, flight, approach, trajectories, chaser_sc) -> MissionResult:
    """The :class:`MissionResult` of the stages: timeline, phase budget, trajectories."""
    raw = _launch_and_phasing_events(launch, flight, trajectories, approach)
    raw += _approach_events(approach)
    events = _timeline(raw, launch, trajectories, chaser_sc)
    phases = _phases(launch, flight, approach, events, chaser_sc)
    hard = next((e for e in events if e.name == "hard dock"), None)
    end = hard.epoch if hard is not None else approach.epochs[-1]
    failure = None if approach.docked else (approach.failure_reason or approach.status)
    t_ins = launch.insertion
    return MissionResult(
        mission=mission,
        liftoff=launch.liftoff,
        insertion=t_ins,
        end=end,
        events=tuple(events),
        phases=phases,
        chaser=trajectories.chaser,
        station=trajectories.station,
        relative_t=t_ins + trajectories.rel_t_s * u.s,
        relative_r_km=trajectories.rel[:, :3],
        relative_v_km_s=trajectories.rel[:, 3:],
        phasing_plan=flight.plan,
        approach=approach,
        docked=bool(approach.docked),
        failure=failure,
        site=launch.site,
        propellant_capacity_kg=float(chaser_sc.propellant_capacity_kg),
        initial_mass_kg=float(chaser_sc.mass_kg),
        isp_s=float(chaser_sc.isp_s),
        phasing_end=flight.plan.handover_epoch,
        burns_phasing=tuple(flight.burns),
        launch_window=launch.window,
        station_phasing=launch.station_phasing,
    )
