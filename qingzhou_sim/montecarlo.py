r"""Dispersion campaigns: Monte Carlo of the whole mission on a process pool or a Dask cluster.

Each sample *k* draws its dispersions from ``numpy.random.default_rng([seed, k])`` (a
``SeedSequence`` of the campaign seed and the sample index), so a sample's result does
not depend on which worker ran it, on the chunking, or on the executor: the same seed
gives bit-identical rows on one process, a pool, or a Dask cluster.

Every sample re-plans its phasing from its own dispersed insertion, starting from the
nominal plan as a ground segment would (one local optimisation and a full-force
correction instead of the nominal planner's multi-start search), flies the burns with execution errors through the full-force truth, and flies
the approach with its own navigation noise. A sample that fails (infeasible plan, abort,
solver error) is a row with ``docked = False`` and the reason in ``failure``: never a
lost row, never a crashed campaign. A worker process that dies takes no finished sample
with it: its unfinished samples run again on a fresh pool (bit-identical, by the seeding
above), and one that keeps killing its worker becomes a "worker lost" row. With an output
directory, finished samples are on disk (written atomically) as soon as they finish.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import re
import shutil
import signal
import tempfile
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import InputError, QingzhouWarning

__all__ = [
    "CampaignResult",
    "Dispersions",
    "draw_perturbations",
    "run_campaign",
    "sample_record",
    "sweep_dispersion_scale",
]


# Terms that switch the approach's noise on: its filter then needs noisy sensors.
_NEEDS_SENSOR_NOISE = (
    "sensor_bias",
    "sensor_misalignment",
    "thruster_magnitude_frac",
    "thruster_misalignment_deg",
)


@dataclass(frozen=True, slots=True)
class Dispersions:
    """One-sigma dispersions of a campaign, each with its source or assumption.

    Every term is multiplied by ``scale`` (and by its own switch: set a sigma to 0 to
    turn it off). :meth:`none` gives a campaign that must reproduce the nominal mission.

    Attributes
    ----------
    insertion : float
        Multiplier on the launch vehicle's insertion covariance
        (``qingzhou_sim.vehicles.KINETICA_2.insertion_covariance``; see its source there).
    burn_magnitude_frac : float
        Burn magnitude error, 1-sigma fraction of the commanded delta-v. Default 1 %:
        assumption, typical of bipropellant thrusters with accelerometer cut-off
        (Fehse 2003, sec. 5.6 quotes 1-5 % for thruster-level execution errors).
    burn_pointing_deg : float
        Burn pointing error, 1-sigma per axis (deg). Default 1 deg: assumption, an
        attitude-control dead band of the order of Fehse 2003, sec. 5.6.
    navigation : float
        Multiplier on the approach navigation sensor sigmas (docking module's
        ``NavigationConfig``; relative GNSS / radar-lidar / camera regimes).
    density_frac : float
        Atmospheric density error, 1-sigma fraction, drawn separately for chaser and
        station. Default 0.12: MSF-2014 reports 11.44 % NRLMSISE-00 error uncorrected
        (mission-facts.md sec. 7).
    cd_frac : float
        Drag coefficient error, 1-sigma fraction, chaser and station separately.
        Default 0.10: assumption between the conventional 2.2 and fitted 2.9-3.0
        values (CHAMP-CD, mission-facts.md sec. 7), scaled to a 1-sigma band.
    station_position_m, station_velocity_m_s : float
        Station state knowledge error, 1-sigma per LVLH axis. Defaults 50 m and
        0.05 m/s: assumption, GNSS-based orbit determination of a crewed station.
    sensor_bias : float
        Multiplier on the approach sensors' per-run bias sigmas and the gyro's initial
        bias sigma (``qingzhou_sim.docking.sensors.SensorSuite`` defaults, assumptions
        of the order Fehse 2003, sec. 5.3-5.5 gives: GNSS 1 m and 5 mm/s, lidar 10 cm
        and 0.01 deg, camera 5 mm and 0.05 deg; gyro 0.1 deg/h, Crassidis & Junkins
        2012, sec. 7.2.1). The biases are drawn once per sample.
    sensor_misalignment : float
        Multiplier on the mounting-misalignment sigmas of the lidar and the camera
        (0.05 deg per axis) and the star tracker (20 arcsec; SensorSuite defaults,
        assumptions), drawn once per sample.
    thruster_magnitude_frac : float
        Thrust error of each approach thruster (static over the approach) and of the
        approach's transfer burns, 1-sigma fraction. Default 1 %: the same assumption
        as ``burn_magnitude_frac`` (Fehse 2003, sec. 5.6).
    thruster_misalignment_deg : float
        Misalignment of each approach thruster's direction (static), and pointing error
        of the approach's transfer burns, 1-sigma per axis (deg). Default 1 deg:
        assumption (``ThrusterConfig`` default), as ``burn_pointing_deg``.
    inertia_frac : float
        True / flight-software principal inertia, 1-sigma fraction per axis. Default
        5 %: assumption (cargo loading; Qingzhou's mass properties are unpublished).
    chaser_attitude_deg : float
        Chaser attitude error at hand-over about each body axis (3-2-1 angles), 1-sigma
        (deg). Default 2 deg: assumption (an LVLH hold far from the station, not yet
        aligned with the port; unpublished).
    chaser_rate_deg_s : float
        Chaser rate error at hand-over per body axis, 1-sigma (deg/s). Default
        0.05 deg/s: assumption (the rate dead band of a thruster-controlled hold).
    scale : float
        Global multiplier applied to every term.

    The sensor and thruster terms of the approach switch its noise on; they need the
    sensors' white noise on too (``navigation > 0``), since a navigation filter
    cannot run on noiseless sensors: ``Dispersions.only("sensor_bias", "navigation")``.

    Raises
    ------
    InputError
        A term is negative or not finite, or a sensor or thruster term is on while
        ``navigation`` is 0.
    """

    insertion: float = 1.0
    burn_magnitude_frac: float = 0.01
    burn_pointing_deg: float = 1.0
    navigation: float = 1.0
    density_frac: float = 0.12
    cd_frac: float = 0.10
    station_position_m: float = 50.0
    station_velocity_m_s: float = 0.05
    sensor_bias: float = 1.0
    sensor_misalignment: float = 1.0
    thruster_magnitude_frac: float = 0.01
    thruster_misalignment_deg: float = 1.0
    inertia_frac: float = 0.05
    chaser_attitude_deg: float = 2.0
    chaser_rate_deg_s: float = 0.05
    scale: float = 1.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not (math.isfinite(value) and value >= 0)
            ):
                raise InputError(
                    f"dispersion {name} = {value!r} must be a finite number >= 0",
                    name=name,
                    value=value,
                    valid=">= 0",
                )
        needs_noise = [n for n in _NEEDS_SENSOR_NOISE if getattr(self, n) > 0]
        if needs_noise and self.navigation == 0:
            raise InputError(
                f"dispersion {needs_noise[0]} = {getattr(self, needs_noise[0])!r} needs the "
                "sensor noise on (navigation > 0): the approach's navigation filter cannot "
                "run on noiseless sensors (its innovation covariance is singular); e.g. "
                f"Dispersions.only({needs_noise[0]!r}, 'navigation')",
                name=needs_noise[0],
                value=getattr(self, needs_noise[0]),
                valid="navigation > 0, or this term 0",
            )

    @classmethod
    def none(cls) -> Dispersions:
        """All dispersions off: every sample equals the nominal mission."""
        return cls(**{name: 0.0 for name in asdict(cls()) if name != "scale"})

    @classmethod
    def only(cls, *names: str, scale: float = 1.0) -> Dispersions:
        """Only the named terms at their defaults, everything else off."""
        default = cls()
        off = cls.none()
        unknown = [n for n in names if n not in asdict(default) or n == "scale"]
        if unknown:
            from .errors import UnknownNameError

            raise UnknownNameError(
                "dispersion", unknown[0], [n for n in asdict(default) if n != "scale"]
            )
        return replace(off, scale=scale, **{n: getattr(default, n) for n in names})

    def scaled(self, scale: float) -> Dispersions:
        return replace(self, scale=scale)


def draw_perturbations(mission, dispersions: Dispersions, seed: int, index: int):
    """Draw the perturbations of sample ``index`` of a campaign with ``seed``.

    The generator is ``default_rng([seed, index])``: independent of chunking and worker.
    The draws are made in a fixed order whether or not a term is switched off, so that
    switching one term off does not change the others' values. The approach's
    per-sample errors that come in numbers of their own layout (sensor biases and
    misalignments, per-thruster errors) are drawn by the approach from the sample's
    ``seed`` with the sigmas given here (see
    :func:`qingzhou_sim.mission.approach.approach_stage`).
    """
    from .mission import Perturbations

    rng = np.random.default_rng([int(seed), int(index)])
    s = dispersions.scale
    z_insertion = rng.standard_normal(6)
    z_station = rng.standard_normal(6)
    z_drag = rng.standard_normal(4)
    sample_seed = int(rng.integers(0, 2**63 - 1))
    # drawn after the older terms, so that their values are those of earlier versions
    z_attitude = rng.standard_normal(3)
    z_rate = rng.standard_normal(3)
    z_inertia = rng.standard_normal(3)
    chol = mission.insertion_cholesky()
    station_sigma = np.array(
        [dispersions.station_position_m * 1e-3] * 3 + [dispersions.station_velocity_m_s * 1e-3] * 3
    )
    return Perturbations(
        insertion_lvlh=tuple((s * dispersions.insertion) * (chol @ z_insertion)),
        station_knowledge_lvlh=tuple(s * station_sigma * z_station),
        density_scale_chaser=float(max(0.05, 1.0 + s * dispersions.density_frac * z_drag[0])),
        density_scale_station=float(max(0.05, 1.0 + s * dispersions.density_frac * z_drag[1])),
        cd_scale_chaser=float(max(0.05, 1.0 + s * dispersions.cd_frac * z_drag[2])),
        cd_scale_station=float(max(0.05, 1.0 + s * dispersions.cd_frac * z_drag[3])),
        burn_magnitude_frac=s * dispersions.burn_magnitude_frac,
        burn_pointing_rad=s * np.deg2rad(dispersions.burn_pointing_deg),
        navigation_scale=s * dispersions.navigation,
        seed=sample_seed,
        sensor_bias_scale=s * dispersions.sensor_bias,
        sensor_misalignment_scale=s * dispersions.sensor_misalignment,
        thruster_magnitude_frac=s * dispersions.thruster_magnitude_frac,
        thruster_misalignment_rad=s * np.deg2rad(dispersions.thruster_misalignment_deg),
        chaser_attitude_error_rad=tuple(
            s * np.deg2rad(dispersions.chaser_attitude_deg) * z_attitude
        ),
        chaser_rate_error_rad_s=tuple(s * np.deg2rad(dispersions.chaser_rate_deg_s) * z_rate),
        # floored like the drag scales: an inertia must stay positive
        inertia_scale=tuple(np.maximum(0.05, 1.0 + s * dispersions.inertia_frac * z_inertia)),
    )


def _run_chunk(
    mission, dispersions: Dispersions, seed: int, indices: list[int], reference=None
) -> list[dict]:
    """Worker entry point: run the samples ``indices`` and return one row each."""
    # A worker ignores Ctrl-C: the parent decides what to keep.
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not in the main thread (threads, some Dask workers)
        pass
    return _run_samples(mission, dispersions, seed, indices, reference)


def _run_samples(mission, dispersions, seed, indices, reference) -> list[dict]:
    """The rows of samples ``indices``, BLAS pinned to one thread once for all of them
    (each sample's own pin is then a counter: threadpoolctl takes milliseconds)."""
    from .mission._guard import single_thread_blas

    with single_thread_blas():
        return [_run_sample(mission, dispersions, seed, k, reference) for k in indices]


def _run_sample(mission, dispersions: Dispersions, seed: int, index: int, reference=None) -> dict:
    row: dict = {"index": int(index)}
    try:
        perturbations = draw_perturbations(mission, dispersions, seed, index)
        row.update(sample_record(mission, perturbations, reference))
    except Exception as exc:  # a failed sample is a recorded failure, never a lost row
        row.update(_failure_record(exc))
    return row


def sample_record(mission, perturbations, reference=None) -> dict:
    """``mission.run(perturbations=..., phasing_reference=reference).to_record()``,
    bit for bit, without what only the full result needs: the phasing trajectories'
    samples before the hand-over (``phasing_flight(samples=False)``), the joined
    ephemerides of both vehicles, the timeline (its ranges need a frame conversion per
    event) and the :class:`~qingzhou_sim.mission.MissionResult`. BLAS is pinned to one
    thread here, or once per chunk by the campaign. The stages are the same functions as
    :meth:`Mission.run`'s; the phase budget is that of ``mission.timeline`` (same
    order of sums, same epochs), checked against ``Mission.run`` in
    ``tests/test_campaign_record.py``."""
    import astropy.units as u

    from .mission._guard import single_thread_blas
    from .mission.approach import approach_stage
    from .mission.flight import phasing_flight, vehicle_force_model
    from .mission.launching import launch_stage, offset_lvlh
    from .mission.stages import _plan

    p = perturbations
    with single_thread_blas():
        chaser_sc, station_sc = mission.chaser_vehicle(), mission.station_spacecraft()
        mission.launcher().check_payload(chaser_sc.mass_kg * u.kg)
        launch = launch_stage(mission)
        chaser0 = offset_lvlh(launch.chaser_nominal, p.insertion_lvlh)
        station_known = offset_lvlh(launch.station0, p.station_knowledge_lvlh)
        fm = mission.force_model
        fm_plan = vehicle_force_model(fm, chaser_sc)
        fm_chaser = vehicle_force_model(
            fm, chaser_sc, density_scale=p.density_scale_chaser, cd_scale=p.cd_scale_chaser
        )
        fm_station = vehicle_force_model(
            fm, station_sc, density_scale=p.density_scale_station, cd_scale=p.cd_scale_station
        )
        plan = _plan(mission, launch, chaser0, station_known, fm_plan, p, reference, True)
        models = (fm_plan, fm_chaser, fm_station)
        flight = phasing_flight(
            plan, chaser0, launch.station0, p, models, mission.output_step_s, samples=False
        )
        approach = approach_stage(mission, flight, p, chaser_sc, station_sc)
    return _record(launch, flight, approach, chaser_sc)


def _record(launch, flight, approach, chaser_sc) -> dict:
    """The campaign row of :meth:`MissionResult.to_record` from the stages' outputs."""

    from .constants import G0_M_S2
    from .mission import MissionResult
    from .mission.flight import _burns_dv_m_s
    from .mission.result import _min_range_outside_corridor_m
    from .mission.timeline import _APPROACH_PHASES
    from .phasing.core import _M_S, _plan_phase_angle_deg, _seconds_between

    liftoff = launch.liftoff
    m_s = _M_S  # (built once: astropy composes a unit on every u.m / u.s, ~10 us)
    # (name, delta-v m/s, duration s) in the order of mission.timeline._phases; the
    # flight's last sample is at (hand-over - insertion).to_value(u.s), the same float
    phases = [
        ("launch", 0.0, _launch_span_s(launch)),
        ("phasing", float(sum(_burns_dv_m_s(flight.burns))), float(flight.grid_s[-1])),
    ]
    order, agg = [], {}
    for seg in approach.segments:
        name = _APPROACH_PHASES.get(seg.kind, seg.kind)
        if name not in agg:
            order.append(name)
            agg[name] = [0.0, 0.0]
        agg[name][0] += float(seg.dv.to_value(m_s))
        agg[name][1] += seg.t_end_s - seg.t_start_s
    phases += [(n, agg[n][0], float(agg[n][1])) for n in order if agg[n][1] > 0 or agg[n][0] > 0]
    cams = [e for e in approach.events if e.name == "collision avoidance manoeuvre"]
    cam_dv = sum(float(e.value) if math.isfinite(e.value) else 0.0 for e in cams)
    contact = next((e for e in approach.events if e.name == "contact"), None)
    hard = next((e for e in approach.events if e.name == "hard dock"), None)
    span = _EventSpans(approach, liftoff)
    if cam_dv > 0:
        phases.append(("collision avoidance", cam_dv, span.between(cams[0], cams[-1])))
    if contact is not None and hard is not None:
        phases.append(("berthing", 0.0, span.between(contact, hard)))
    c_m_s = chaser_sc.isp_s * G0_M_S2
    mass, props = chaser_sc.mass_kg, []
    for _, dv, _ in phases:
        props.append(mass * (1.0 - math.exp(-dv / c_m_s)))
        mass -= props[-1]

    rec = MissionResult.empty_record()
    rec["docked"] = bool(approach.docked)
    rec["failure"] = None if approach.docked else (approach.failure_reason or approach.status)
    rec["total_delta_v_m_s"] = float(sum(dv for _, dv, _ in phases))
    rec["propellant_kg"] = float(sum(props))
    if hard is not None:
        rec["duration_s"] = span.since_liftoff(hard)
    else:
        rec["duration_s"] = _seconds_between(liftoff, approach.epochs[-1])
    rec["phase_angle_deg"] = _plan_phase_angle_deg(flight.plan)
    for column in MissionResult._PHASE_COLUMNS:
        key = column.replace(" ", "_").replace("-", "_")
        matching = [(dv, dur) for name, dv, dur in phases if name == column]
        if matching:
            rec[f"{key}_delta_v_m_s"] = float(sum(dv for dv, _ in matching))
            rec[f"{key}_duration_s"] = float(sum(dur for _, dur in matching))
    if approach.contact is not None:
        rec.update(approach.contact.figures())
    for column in ("collision_avoidance_delta_v_m_s", "collision_avoidance_duration_s"):
        if math.isnan(rec[column]):
            rec[column] = 0.0
    rec["min_range_outside_corridor_m"] = _min_range_outside_corridor_m(approach)
    rec["n_collision_avoidance"] = int(
        sum(1 for e in approach.events if "collision avoidance" in e.name or e.name == "CAM")
    )
    return rec


class _EventSpans:
    """Seconds between the approach's events, and from liftoff to one, as
    ``(e2.epoch - e1.epoch).to_value(u.s)`` gives them, the same floats: an event's
    epoch is ``epoch0 + TimeDelta(t_s * u.s)`` (``docking.result._EventEpochs``, one
    astropy sum for all events, ~0.45 ms when first read), so for a UTC ``epoch0`` the
    two or three epochs needed are made as numbers by astropy's steps
    (``phasing.core``'s ``_utc_jd_after``, ``_seconds_between_utc_jd``,
    ``_seconds_since_jd``); the events' own epochs otherwise."""

    def __init__(self, approach, liftoff):
        from .phasing.core import _utc_scalar

        self.epoch0, self.liftoff = approach.epoch0, liftoff
        self.fast = _utc_scalar(self.epoch0) and _utc_scalar(liftoff)

    def _jd(self, *events):
        from .phasing.core import _utc_jd_after

        return _utc_jd_after(self.epoch0, np.array([e.t_s for e in events], float))

    def between(self, first, last) -> float:
        from .phasing.core import _seconds_between, _seconds_between_utc_jd

        if not self.fast:
            return _seconds_between(first.epoch, last.epoch)
        jd1, jd2 = self._jd(first, last)
        return float(_seconds_between_utc_jd(jd1[:1], jd2[:1], jd1[1:], jd2[1:])[0])

    def since_liftoff(self, event) -> float:
        from .phasing.core import _seconds_between, _seconds_since_jd

        if not self.fast:
            return _seconds_between(self.liftoff, event.epoch)
        jd1, jd2 = self._jd(event)
        return float(_seconds_since_jd(self.liftoff, jd1, jd2)[0])


# id(launch stage) -> (the stage, its launch phase's duration s): a campaign's samples
# share one launch stage (mission.launching.launch_stage's cache)
_LAUNCH_SPANS: dict = {}


def _launch_span_s(launch) -> float:
    """``float((launch.insertion - launch.liftoff).to_value(u.s))``, the same float,
    computed once per launch stage (~80 us of astropy arithmetic a sample otherwise)."""
    import astropy.units as u

    hit = _LAUNCH_SPANS.get(id(launch))
    if hit is not None and hit[0] is launch:
        return hit[1]
    if len(_LAUNCH_SPANS) >= 8:
        _LAUNCH_SPANS.clear()
    span = float((launch.insertion - launch.liftoff).to_value(u.s))
    _LAUNCH_SPANS[id(launch)] = (launch, span)
    return span


def _nominal_phasing_plan(mission):
    """The nominal mission's phasing plan, from which every sample re-plans (None if
    the nominal mission cannot be planned: each sample then searches on its own and
    records why it fails)."""
    try:
        return mission.run(progress=False).phasing_plan
    except Exception:  # noqa: BLE001 - the samples will record the reason
        return None


def _failure_kind(reason) -> str:
    """A failure reason without its numbers (which differ from sample to sample), so
    that the summary counts failures of one kind together: the text up to its first
    digit, "station phase angle at insertion 4.82 deg is outside ..." -> "station
    phase angle at insertion ..."."""
    if not isinstance(reason, str) or not reason:
        return "unknown"
    match = re.search(r"[-+]?\d", reason)
    if match is None:
        return reason
    return reason[: match.start()].rstrip(" ([:=,") + " ..."


def _failure_record(exc: Exception) -> dict:
    from .mission import MissionResult

    record = MissionResult.empty_record()
    record["docked"] = False
    record["failure"] = f"{type(exc).__name__}: {exc}"
    return record


@dataclass(frozen=True)
class CampaignResult:
    """The rows of a campaign (one per finished sample, in index order) and its summary.

    ``interrupted`` is True when the campaign was stopped (Ctrl-C) before all samples
    finished; the rows are then the finished ones. ``paths`` are the files written by
    ``run_campaign(..., out=...)``; ``save_error`` says where they could not be written
    (None when they were, or when no ``out`` was given).
    """

    samples: object  # pandas.DataFrame
    n_requested: int
    seed: int
    dispersions: Dispersions
    interrupted: bool = False
    stats: dict = field(default_factory=dict)
    paths: dict = field(default_factory=dict)
    save_error: str | None = None

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def success_rate(self) -> float:
        return float(self.samples["docked"].mean()) if self.n else float("nan")

    def success_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Wilson score interval of the success rate (Wilson 1927; Brown, Cai &
        DasGupta 2001, eq. 4)."""
        from scipy.stats import norm

        n = self.n
        if n == 0:
            return (0.0, 1.0)
        p = self.success_rate
        z = norm.ppf(0.5 + confidence / 2)
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return (max(0.0, centre - half), min(1.0, centre + half))

    def delta_v_stats(self) -> dict:
        """Mean, standard deviation, 95th and 99th percentiles of each delta-v column
        (m/s), over the samples where it is defined."""
        out = {}
        for column in [c for c in self.samples.columns if c.endswith("delta_v_m_s")]:
            values = self.samples[column].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size == 0:
                out[column] = {"mean": None, "std": None, "p95": None, "p99": None}
                continue
            out[column] = {
                "mean": float(np.mean(values)),
                "std": float(np.std(values, ddof=1)) if values.size > 1 else 0.0,
                "p95": float(np.percentile(values, 95)),
                "p99": float(np.percentile(values, 99)),
            }
        return out

    def summary(self) -> str:
        lo, hi = self.success_interval()
        lines = [
            f"Campaign: {self.n} of {self.n_requested} samples, seed {self.seed}"
            + ("  (INTERRUPTED)" if self.interrupted else ""),
            f"Docked: {self.success_rate:.1%}  (95 % Wilson interval {lo:.1%} - {hi:.1%})",
            "",
            f"{'delta-v [m/s]':<28}{'mean':>10}{'std':>10}{'p95':>10}{'p99':>10}",
        ]
        for name, s in self.delta_v_stats().items():
            if s["mean"] is None:
                continue
            label = name.removesuffix("_delta_v_m_s").replace("_", " ")
            lines.append(
                f"{label:<28}{s['mean']:>10.2f}{s['std']:>10.2f}{s['p95']:>10.2f}{s['p99']:>10.2f}"
            )
        failures = (
            self.samples.loc[~self.samples["docked"], "failure"].map(_failure_kind).value_counts()
        )
        if len(failures):
            lines += ["", "Failures (by kind; the full reasons are in the samples' 'failure'):"]
            lines += [f"  {count:>5} x {reason}" for reason, count in failures.items()]
        return "\n".join(lines)

    def to_json_dict(self) -> dict:
        from .docking.result import CONTACT_FIGURES

        stats = self.delta_v_stats().get("total_delta_v_m_s", {})
        lo, hi = self.success_interval()
        return {
            "n": self.n,
            "n_requested": self.n_requested,
            "seed": self.seed,
            "interrupted": self.interrupted,
            "success_rate": self.success_rate,
            "success_rate_95ci": [lo, hi],
            "delta_v_m_s": stats,
            "delta_v_by_phase_m_s": self.delta_v_stats(),
            "samples": [
                {
                    "index": int(r["index"]),
                    "docked": bool(r["docked"]),
                    "total_delta_v_m_s": None
                    if not np.isfinite(r["total_delta_v_m_s"])
                    else float(r["total_delta_v_m_s"]),
                    # pandas stores a missing reason as NaN in an object column
                    "failure": r["failure"]
                    if isinstance(r["failure"], str) and r["failure"]
                    else None,
                    # the nine contact figures; null when the sample did not dock
                    "contact": {k: float(r[k]) for k in CONTACT_FIGURES}
                    if bool(r["docked"]) and all(k in r for k in CONTACT_FIGURES)
                    else None,
                }
                for r in self.samples.to_dict("records")
            ],
        }

    def save(self, directory, *, figures: bool = True) -> dict[str, Path]:
        """Write ``samples.parquet`` (``samples.csv`` without pyarrow, with a
        :class:`~qingzhou_sim.errors.QingzhouWarning`), ``summary.json``, ``summary.txt``
        and (``figures``) ``delta_v.png`` and ``contact.png`` into ``directory``
        (created if needed); return the paths.

        Each file is written atomically (a temporary file in ``directory``, then a
        rename): a failed save leaves no truncated file behind.

        Raises
        ------
        InputError
            ``directory`` cannot be created or written to.
        OSError
            A file could not be written (disk full, ...); the message names it.
        """
        return _save_files(self, _check_output_directory(directory), figures, warn=True)


def _save_files(result: CampaignResult, directory: Path, figures: bool, warn: bool) -> dict:
    import matplotlib.pyplot as plt

    from .io import atomic_write, to_json

    suffix = _samples_suffix(warn=warn)
    paths = {"samples": directory / f"samples{suffix}"}
    atomic_write(paths["samples"], lambda tmp: _write_samples(result.samples, tmp, suffix))
    summary = result.to_json_dict()
    summary.pop("samples")
    paths["summary"] = atomic_write(
        directory / "summary.json", lambda tmp: tmp.write_text(to_json(summary, indent=2))
    )
    paths["summary_txt"] = atomic_write(
        directory / "summary.txt", lambda tmp: tmp.write_text(result.summary() + "\n")
    )
    if figures and result.n:
        from . import plotting

        for name, make in (
            ("delta_v", plotting.plot_delta_v_distributions),
            ("contact", plotting.plot_contact_conditions),
        ):
            fig = make(result)
            try:
                paths[name] = atomic_write(
                    directory / f"{name}.png",
                    lambda tmp, fig=fig: fig.savefig(tmp, dpi=110, format="png"),
                )
            finally:
                plt.close(fig)
    return paths


def _samples_suffix(*, warn: bool) -> str:
    """'.parquet' with pyarrow; without it '.csv' and (``warn``) a visible warning,
    since the documentation promises Parquet."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        if warn:
            warnings.warn(
                "pyarrow is not installed: campaign samples are written as CSV "
                "(samples.csv) instead of Parquet; install it with "
                "pip install 'qingzhou_sim[parquet]'",
                QingzhouWarning,
                stacklevel=4,
            )
        return ".csv"
    return ".parquet"


def _write_samples(frame, path: Path, suffix: str) -> None:
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def _check_output_directory(directory) -> Path:
    """``directory`` created if missing and proved writable (a temporary file is made
    and removed there), before any work is done."""
    if isinstance(directory, str) and not directory.strip():
        raise InputError(
            "output directory '' is empty; expected a directory path",
            name="out",
            value=directory,
            valid="a writable directory path",
        )
    try:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except (OSError, TypeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(
            f"output directory {str(directory)!r} cannot be used: {reason}; expected a "
            "writable directory (created if missing)",
            name="out",
            value=str(directory),
            valid="a writable directory",
        ) from None
    return path


class _SampleStore:
    """Finished samples on disk as they arrive: one file per finished chunk in
    ``<directory>/samples.parts/``, each written atomically, so that a campaign stopped
    at any moment (even killed) leaves every finished sample in a readable file
    (``pandas.read_parquet(directory / "samples.parts")``). The final save merges them
    into ``samples.parquet`` and removes the parts."""

    def __init__(self, directory: Path, suffix: str):
        self.parts = directory / "samples.parts"
        self.suffix = suffix
        self.error: str | None = None
        try:
            # parts of an earlier campaign in this directory would mix with ours
            shutil.rmtree(self.parts, ignore_errors=True)
            self.parts.mkdir()
        except OSError as exc:
            raise InputError(
                f"output directory {str(directory)!r} cannot be used: cannot create "
                f"{self.parts}: {exc.strerror or exc}",
                name="out",
                value=str(directory),
                valid="a writable directory",
            ) from None

    def add(self, rows: list[dict]) -> None:
        """Write one finished chunk; a failure is remembered (and said at the end), the
        campaign goes on with the rows in memory."""
        import pandas as pd

        from .io import atomic_write

        path = self.parts / f"samples-{min(r['index'] for r in rows):09d}{self.suffix}"
        frame = pd.DataFrame(rows)
        if self.suffix == ".parquet":
            # one column type in every part (an all-None 'failure' column would be 'null')
            frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
        try:
            atomic_write(path, lambda tmp: _write_samples(frame, tmp, self.suffix))
        except OSError as exc:
            self.error = self.error or _where(exc, path)

    def remove(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)


def _where(exc: Exception, path) -> str:
    """'<file>: <reason>' of a failed write."""
    if isinstance(exc, OSError):
        return f"{exc.filename or path}: {exc.strerror or exc}"
    return f"{path}: {exc}"


def _save_campaign(result: CampaignResult, directory: Path, store: _SampleStore, figures: bool):
    """The final save of ``run_campaign(..., out=...)``. A failure keeps the result in
    memory (and the finished samples in ``samples.parts/`` if they could be written
    there) and says where it could not write, with a warning: never a lost campaign."""
    try:
        # re-checked: the directory may have been removed while the samples ran
        paths = _save_files(result, _check_output_directory(directory), figures, warn=False)
    except (OSError, InputError) as exc:
        where = _where(exc, directory)
        kept = (
            f"in memory, and every finished sample is in {store.parts}"
            if store.error is None
            else f"in memory only (the samples could not be written as they came: {store.error})"
        )
        warnings.warn(
            f"could not save the campaign to {directory}: {where}; the result is kept {kept}",
            QingzhouWarning,
            stacklevel=3,
        )
        return replace(result, save_error=where)
    store.remove()
    return replace(result, paths=paths)


def _chunks(indices: list[int], n_workers: int, chunk_size: int | None) -> list[list[int]]:
    if chunk_size is None:
        # Eight chunks per worker balance the load (a worker that draws the last chunk
        # finishes up to a chunk later than the others: with four, ~10 % of a 40-sample
        # campaign); each chunk costs a few ms (pickling, BLAS pin). Capped at 25 samples
        # (a few seconds of work) so the progress bar moves, while 1e5 samples make 4e3
        # tasks, not 1e5.
        chunk_size = max(1, min(25, math.ceil(len(indices) / (8 * max(1, n_workers)))))
    return [indices[i : i + chunk_size] for i in range(0, len(indices), chunk_size)]


def _as_executor(executor):
    """A concurrent.futures-compatible executor: Executors as they are, a Dask
    ``distributed.Client`` through its ``get_executor()``."""
    if executor is None or isinstance(executor, Executor):
        return executor
    if hasattr(executor, "get_executor") and hasattr(executor, "scheduler_info"):
        return executor.get_executor()
    raise InputError(
        f"executor {executor!r} is neither a concurrent.futures.Executor nor a dask.distributed.Client",
        name="executor",
        value=repr(executor),
        valid="concurrent.futures.Executor or dask.distributed.Client",
    )


def _executor_workers(executor, client) -> int:
    if client is not None and hasattr(client, "scheduler_info"):
        try:
            return max(
                1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
            )
        except Exception:
            return 2
    return int(getattr(executor, "_max_workers", os.cpu_count() or 1))


# Pools lost (a worker process died) after which the unfinished samples run one at a
# time, so that a sample that kills its worker every time is found and recorded.
_POOL_RETRIES = 2


class _Pool:
    """The executor of a campaign. A concurrent.futures process pool whose worker died
    is broken for good (every pending future raises ``BrokenProcessPool``):
    :meth:`renew` replaces it by a fresh local pool (a caller's pool is left to the
    caller). Other executors (Dask re-runs a lost worker's tasks itself) are kept."""

    def __init__(self, executor, own: bool, n_workers: int):
        self.executor, self.own, self.n_workers = executor, own, n_workers

    def renew(self, max_workers: int | None = None) -> None:
        if not isinstance(self.executor, ProcessPoolExecutor):
            return
        self.close(wait=False)
        self.executor = ProcessPoolExecutor(max_workers=max_workers or self.n_workers)
        self.own = True

    def close(self, wait: bool) -> None:
        if self.own:
            self.executor.shutdown(wait=wait, cancel_futures=True)


def _run_round(executor, chunks, task, collect) -> list[tuple[list[int], str]]:
    """Submit every chunk, ``collect`` the rows of each as it finishes; return the
    chunks that did not finish (their worker died) with the reason."""
    futures, lost, collected = {}, [], set()
    for chunk in chunks:
        try:
            futures[executor.submit(task, chunk)] = chunk
        except Exception as exc:  # noqa: BLE001 - the pool broke while submitting
            lost.append((chunk, f"{type(exc).__name__}: {exc}"))
    try:
        for future in as_completed(futures):
            try:
                rows = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, whatever its executor calls it
                lost.append((futures[future], f"{type(exc).__name__}: {exc}"))
            else:
                collected.add(future)
                collect(rows)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        # what finished before the interrupt is kept
        for future in futures:
            done = future.done() and not future.cancelled() and future.exception() is None
            if done and future not in collected:
                collect(future.result())
        raise
    return lost


def _run_pooled(pool: _Pool, chunks, task, collect) -> None:
    """Run ``chunks`` on ``pool``. The chunks that a dead worker took with it run again
    on a fresh pool; after ``_POOL_RETRIES`` lost pools, the samples still unfinished
    run one at a time on a one-process pool: one that still kills its worker is a
    failed row ("worker lost ...") and takes no other sample with it."""
    pending = chunks
    for _ in range(_POOL_RETRIES + 1):
        lost = _run_round(pool.executor, pending, task, collect)
        if not lost:
            return
        pool.renew()
        pending = [chunk for chunk, _ in lost]
    pool.renew(max_workers=1)
    for k in (k for chunk in pending for k in chunk):
        again = _run_round(pool.executor, [[k]], task, collect)
        if again:
            collect([_worker_lost_record(k, again[0][1])])
            pool.renew(max_workers=1)


def _worker_lost_record(index: int, reason: str) -> dict:
    from .mission import MissionResult

    row = {"index": int(index), **MissionResult.empty_record()}
    row["failure"] = (
        f"worker lost: the process running this sample died {_POOL_RETRIES + 2} times, "
        f"the last time running it alone ({reason})"
    )
    return row


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            f"seed = {seed!r}; expected an integer >= 0",
            name="seed",
            value=seed,
            valid="integer >= 0",
        )
    return int(seed)


def run_campaign(
    mission,
    n: int,
    seed: int = 0,
    executor=None,
    *,
    dispersions: Dispersions | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    out=None,
    figures: bool = True,
) -> CampaignResult:
    """Run ``n`` dispersed samples of ``mission``.

    Nothing finished is lost: a sample whose worker process dies runs again on a fresh
    pool (after two lost pools, alone; if it still kills its worker it is a failed row
    whose ``failure`` starts with "worker lost"); with ``out``, every finished chunk is
    on disk as soon as it finishes, and Ctrl-C or a failed save keep the result.

    Parameters
    ----------
    mission : qingzhou_sim.mission.Mission
    n : int
        Number of samples (indices 0 .. n-1).
    seed : int
        Campaign seed, an integer >= 0; sample k uses ``default_rng([seed, k])``.
    executor : concurrent.futures.Executor, dask.distributed.Client, or None
        Where to run. None: a local process pool of ``workers`` processes (default:
        the number of cores); ``workers=1`` runs in this process. A thread pool is
        accepted but gains nothing (mission runs in one process are serialised) and
        its rows are not guaranteed bit-identical: OpenBLAS does not always honour the
        one-thread limit in a new thread. Use processes or Dask.
    dispersions : Dispersions
        Default :class:`Dispersions()` (every term at its documented 1-sigma).
    chunk_size : int, optional
        Samples per task (default: about eight tasks per worker, at most 25 samples).
    progress : bool
        Show a progress bar on the terminal (tqdm).
    out : str or Path, optional
        Output directory, checked (created if missing, writable) before the first
        sample. Finished samples are written as they come to ``out/samples.parts/``
        (one file per chunk, each written atomically: readable whenever the run stops);
        at the end :meth:`CampaignResult.save` writes ``samples.parquet``, the summary
        and (``figures``) the figures, and the parts are removed. A failed final save
        keeps the result, sets ``save_error`` and warns (QingzhouWarning) where it
        could not write.
    figures : bool
        With ``out``, also save the PNG figures.

    Returns
    -------
    CampaignResult
        Rows in index order. On Ctrl-C the finished rows are kept and
        ``interrupted`` is set.

    Raises
    ------
    InputError
        ``n``, ``seed`` or ``workers`` is not a valid integer, ``executor`` is not an
        executor, or ``out`` cannot be created or written to.
    """
    import pandas as pd

    if not isinstance(n, int | np.integer) or n < 1:
        raise InputError(
            f"number of samples n = {n!r}; expected an integer >= 1",
            name="n",
            value=n,
            valid=">= 1",
        )
    if workers is not None and (not isinstance(workers, int | np.integer) or workers < 1):
        raise InputError(
            f"workers = {workers!r}; expected an integer >= 1",
            name="workers",
            value=workers,
            valid=">= 1",
        )
    seed = _check_seed(seed)
    dispersions = Dispersions() if dispersions is None else dispersions
    out_dir = None if out is None else _check_output_directory(out)
    store = None if out_dir is None else _SampleStore(out_dir, _samples_suffix(warn=True))
    # Dispersions do not move the launch window: search it once for all samples. Each
    # sample re-plans its phasing near the nominal plan, as a ground segment would.
    mission = mission.with_liftoff()
    reference = _nominal_phasing_plan(mission)
    client = executor if executor is not None and not isinstance(executor, Executor) else None
    executor = _as_executor(executor)
    own_pool = False
    if executor is None and (workers or os.cpu_count() or 1) > 1:
        executor = ProcessPoolExecutor(max_workers=workers or os.cpu_count())
        own_pool = True
    n_workers = 1 if executor is None else _executor_workers(executor, client)
    pool = _Pool(executor, own_pool, n_workers)
    chunks = _chunks(list(range(int(n))), n_workers, chunk_size)

    from ._progress import tqdm

    bar = tqdm(total=int(n), desc="samples", unit="sample", disable=not progress, leave=True)
    rows: list[dict] = []

    def collect(chunk_rows: list[dict]) -> None:
        rows.extend(chunk_rows)
        bar.update(len(chunk_rows))
        if store is not None:
            store.add(chunk_rows)

    interrupted = False
    try:
        if executor is None:
            for chunk in chunks:
                collect(_run_samples(mission, dispersions, seed, chunk, reference))
        else:
            task = functools.partial(_run_chunk, mission, dispersions, seed, reference=reference)
            _run_pooled(pool, chunks, task, collect)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        pool.close(wait=not interrupted)

    frame = pd.DataFrame(rows)
    if len(frame):
        frame = frame.sort_values("index", kind="stable").reset_index(drop=True)
    else:
        from .mission import MissionResult

        frame = pd.DataFrame(columns=["index", *MissionResult.empty_record()])
    result = CampaignResult(frame, int(n), seed, dispersions, interrupted)
    if out_dir is not None:
        result = _save_campaign(result, out_dir, store, figures)
    return result


def sweep_dispersion_scale(
    mission,
    scales,
    n: int,
    seed: int = 0,
    executor=None,
    *,
    dispersions: Dispersions | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> dict[float, CampaignResult]:
    """Run one campaign per dispersion scale (same seeds): the data behind
    :func:`qingzhou_sim.plotting.plot_success_vs_scale`."""
    dispersions = Dispersions() if dispersions is None else dispersions
    return {
        float(s): run_campaign(
            mission,
            n,
            seed,
            executor,
            dispersions=dispersions.scaled(float(s)),
            workers=workers,
            progress=progress,
        )
        for s in scales
    }
