r"""Approach profiles as data: segments from the hand-over point to contact.

A profile is a frozen tuple of segments flown in order by
:func:`~qingzhou_sim.docking.simulate_approach`:

- :class:`Homing`: hand-over -> first hold point, a multi-impulse CW transfer through
  aim points (Fehse 2003, sec. 2.3 and 5.2);
- :class:`Closing`: hold point -> hold point, a two-impulse transfer (half an orbit by
  default: the radial hop, Fehse 2003, sec. 3.3.3 and fig. 3.12, passively safe if the
  second burn fails) or a forced straight line with a speed schedule;
- :class:`FlyAround`: an arc of two-impulse legs from one approach axis to another
  (behind -> in front, or behind -> below for the R-bar port; Fehse 2003, sec. 5.3.3);
- :class:`FinalApproach`: straight line along the docking axis with a speed schedule
  that reaches the contact speed (Fehse 2003, sec. 5.4);
- :class:`Hold`: station keeping for a duration or until settled.

Positions are in the station's LVLH frame (x V-bar, y H-bar, z R-bar toward the
Earth), in metres, and are those of the **chaser's docking port relative to the
station's docking port** (for km-scale points the difference is immaterial). Plain
floats with the unit in the name, so that a profile round-trips through a TOML
mission file (:meth:`ApproachProfile.to_dict` / :meth:`ApproachProfile.from_dict`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import ClassVar

from ..errors import InputError, MissionFileError, UnknownNameError
from ..vehicles import QINGZHOU, TIANGONG

__all__ = [
    "APPROACH_PROFILES",
    "ApproachProfile",
    "Closing",
    "FinalApproach",
    "FlyAround",
    "Hold",
    "Homing",
    "get_approach_profile",
]

AXES = {
    "-V-bar": (-1.0, 0.0, 0.0),
    "+V-bar": (1.0, 0.0, 0.0),
    "+R-bar": (0.0, 0.0, 1.0),
    "-R-bar": (0.0, 0.0, -1.0),
    "+H-bar": (0.0, 1.0, 0.0),
    "-H-bar": (0.0, -1.0, 0.0),
}


def _point(value, name: str) -> tuple[float, float, float]:
    try:
        p = tuple(float(x) for x in value)
    except (TypeError, ValueError, OverflowError):
        p = ()
    if len(p) != 3 or not all(math.isfinite(x) for x in p):
        raise InputError(
            f"{name} = {value!r}; expected three finite numbers (LVLH x, y, z in m)",
            name=name,
            value=value,
            valid="(x_m, y_m, z_m)",
        )
    return p


def _positive(value, name: str, *, allow_zero: bool = False) -> float:
    try:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        ok = False
    ok = ok and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise InputError(
            f"{name} = {value!r}; expected a finite number {'>=' if allow_zero else '>'} 0",
            name=name,
            value=value,
            valid=">= 0" if allow_zero else "> 0",
        )
    return float(value)


def _schedule(value, name: str) -> tuple[tuple[float, float], ...]:
    try:
        sched = tuple((float(d), float(v)) for d, v in value)
    except (TypeError, ValueError, OverflowError):
        sched = ()
    ok = len(sched) >= 1 and all(
        math.isfinite(d) and math.isfinite(v) and d >= 0 and v > 0 for d, v in sched
    )
    ok = ok and all(b[0] > a[0] for a, b in zip(sched[:-1], sched[1:]))
    if not ok:
        raise InputError(
            f"{name} = {value!r}; expected pairs (distance to go m >= 0, speed m/s > 0) "
            "with increasing distances",
            name=name,
            value=value,
            valid="((d0_m, v0_m_s), (d1_m, v1_m_s), ...)",
        )
    return sched


@dataclass(frozen=True, slots=True)
class Homing:
    """Hand-over -> first hold point: CW two-impulse legs through ``aim_points_m``.

    Parameters
    ----------
    aim_points_m : tuple of (x, y, z)
        Aim points in LVLH (m); the last one is the first hold point.
    tof_s : tuple of float
        Transfer time of each leg (s). Empty: each leg is a free coast on the current
        drift followed by a half-orbit two-impulse transfer (Hohmann-like, Fehse 2003,
        sec. 5.2.2), the coast duration (0-2 orbits) chosen for the least delta-v.
    corrections : int
        Mid-course re-targeting burns per leg (closed-loop guidance).
    control_period_s : float
        GNC step (s).
    """

    kind: ClassVar[str] = "homing"
    aim_points_m: tuple = ((-5000.0, 0.0, 0.0),)
    tof_s: tuple = ()
    corrections: int = 2
    control_period_s: float = 30.0
    max_coast_orbits: float = 2.0
    label: str = "homing"

    def __post_init__(self):
        for name in ("aim_points_m", "tof_s"):
            value = getattr(self, name)
            if not isinstance(value, tuple | list):
                raise InputError(
                    f"{name} = {value!r}; expected a sequence (tuple or list) of "
                    + ("points (x_m, y_m, z_m)" if name == "aim_points_m" else "times > 0 s"),
                    name=name,
                    value=value,
                    valid="tuple",
                )
        pts = tuple(_point(p, "aim_points_m") for p in self.aim_points_m)
        if not pts:
            raise InputError("homing needs at least one aim point", name="aim_points_m", value=pts)
        tofs = tuple(_positive(t, "tof_s") for t in self.tof_s)
        if tofs and len(tofs) != len(pts):
            raise InputError(
                f"homing has {len(pts)} aim points but {len(tofs)} transfer times; "
                "give one per aim point or none",
                name="tof_s",
                value=tofs,
            )
        object.__setattr__(self, "aim_points_m", pts)
        object.__setattr__(self, "tof_s", tofs)
        _positive(self.max_coast_orbits, "max_coast_orbits", allow_zero=True)
        _check_common(self)


@dataclass(frozen=True, slots=True)
class Closing:
    """Hold point -> hold point.

    Parameters
    ----------
    to_m : (x, y, z)
        End point in LVLH (m).
    method : {"two-impulse", "straight"}
        Two-impulse CW transfer in ``tof_s`` (default half an orbit: a radial hop,
        Fehse 2003, eq. 3.30), or forced straight-line motion along the line with
        ``speed_schedule`` ((distance to go m, speed m/s), ...).
    """

    kind: ClassVar[str] = "closing"
    to_m: tuple = (-400.0, 0.0, 0.0)
    method: str = "two-impulse"
    tof_s: float | None = None
    speed_schedule: tuple = ((0.0, 0.05), (20.0, 0.2), (100.0, 0.4))
    corrections: int = 1
    control_period_s: float = 10.0
    label: str = "closing"

    def __post_init__(self):
        object.__setattr__(self, "to_m", _point(self.to_m, "to_m"))
        if self.method not in ("two-impulse", "straight"):
            raise UnknownNameError("closing method", self.method, ("two-impulse", "straight"))
        if self.tof_s is not None:
            object.__setattr__(self, "tof_s", _positive(self.tof_s, "tof_s"))
        object.__setattr__(self, "speed_schedule", _schedule(self.speed_schedule, "speed_schedule"))
        _check_common(self)


@dataclass(frozen=True, slots=True)
class FlyAround:
    """Arc from the current point to ``to_m`` in the orbital plane, flown as ``legs``
    two-impulse CW transfers through points on a circle of radius ``radius_m`` about the
    station (the radius of the end point by default), passing on ``side``.
    """

    kind: ClassVar[str] = "fly-around"
    to_m: tuple = (400.0, 0.0, 0.0)
    radius_m: float | None = None
    side: str = "below"
    legs: int = 2
    tof_s: float | None = None
    corrections: int = 1
    control_period_s: float = 10.0
    label: str = "fly-around"

    def __post_init__(self):
        object.__setattr__(self, "to_m", _point(self.to_m, "to_m"))
        if self.radius_m is not None:
            object.__setattr__(self, "radius_m", _positive(self.radius_m, "radius_m"))
        if self.side not in ("below", "above"):
            raise UnknownNameError("fly-around side", self.side, ("below", "above"))
        if not isinstance(self.legs, int) or self.legs < 1:
            raise InputError(
                f"legs = {self.legs!r}; expected an integer >= 1", name="legs", value=self.legs
            )
        if self.tof_s is not None:
            object.__setattr__(self, "tof_s", _positive(self.tof_s, "tof_s"))
        _check_common(self)


@dataclass(frozen=True, slots=True)
class FinalApproach:
    """Straight line along the docking axis from the last hold point to contact.

    ``speed_schedule``: (distance between the docking ports m, closing speed m/s)
    pairs, interpolated linearly; the speed at distance 0 is the contact speed, which
    must lie in the mechanism's 0.08-0.18 m/s window (SAST-APAS) for a capture.
    """

    kind: ClassVar[str] = "final"
    speed_schedule: tuple = ((0.0, 0.12), (3.0, 0.12), (10.0, 0.15), (19.0, 0.15))
    control_period_s: float = 1.0
    max_duration_s: float = 3600.0
    label: str = "final approach"

    def __post_init__(self):
        object.__setattr__(self, "speed_schedule", _schedule(self.speed_schedule, "speed_schedule"))
        _positive(self.max_duration_s, "max_duration_s")
        _check_common(self)


@dataclass(frozen=True, slots=True)
class Hold:
    """Station keeping at a hold point (the end point of the previous segment, or
    ``at_m``) for ``duration_s``; with ``until="settled"`` the hold lasts at least
    ``duration_s`` and then until the position is within ``tolerance_m`` of the point
    and the chaser is at rest (speed below ``tolerance_m`` per 300 s), at most
    ``max_duration_s``. Settling matters before a transfer: a residual radial offset
    turns the next hop into a drifting, not passively safe, arc."""

    kind: ClassVar[str] = "hold"
    duration_s: float = 600.0
    until: str = "duration"
    tolerance_m: float = 1.0
    max_duration_s: float = 3600.0
    at_m: tuple | None = None
    control_period_s: float = 10.0
    label: str = "hold"

    def __post_init__(self):
        _positive(self.duration_s, "duration_s")
        if self.until not in ("duration", "settled"):
            raise UnknownNameError("hold condition", self.until, ("duration", "settled"))
        _positive(self.tolerance_m, "tolerance_m")
        if (
            self.until == "settled"
            and not _positive(self.max_duration_s, "max_duration_s") >= self.duration_s
        ):
            raise InputError(
                f"max_duration_s = {self.max_duration_s} s is below "
                f"duration_s = {self.duration_s} s",
                name="max_duration_s",
                value=self.max_duration_s,
                valid=f">= {self.duration_s} s",
            )
        if self.at_m is not None:
            object.__setattr__(self, "at_m", _point(self.at_m, "at_m"))
        _check_common(self)


def _check_common(seg) -> None:
    _positive(seg.control_period_s, "control_period_s")
    if hasattr(seg, "corrections") and (
        not isinstance(seg.corrections, int) or seg.corrections < 0
    ):
        raise InputError(
            f"corrections = {seg.corrections!r}; expected an integer >= 0",
            name="corrections",
            value=seg.corrections,
        )


SEGMENT_KINDS = {cls.kind: cls for cls in (Homing, Closing, FlyAround, FinalApproach, Hold)}


def _to_plain(value):
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    return value


def _to_tuple(value):
    if isinstance(value, list | tuple):
        return tuple(_to_tuple(v) for v in value)
    return value


def _segment_to_dict(seg) -> dict:
    out = {"kind": seg.kind}
    for f in fields(seg):
        value = getattr(seg, f.name)
        if value is not None:
            out[f.name] = _to_plain(value)
    return out


def _segment_from_dict(data: dict, where: str):
    if not isinstance(data, dict) or "kind" not in data:
        raise MissionFileError(
            f"{where}: expected a table with a 'kind' key (one of {tuple(SEGMENT_KINDS)})",
            name="kind",
            value=data,
        )
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in SEGMENT_KINDS:
        raise UnknownNameError("approach segment kind", kind, SEGMENT_KINDS)
    cls = SEGMENT_KINDS[kind]
    names = {f.name for f in fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key == "kind":
            continue
        if key not in names:
            raise MissionFileError(
                f"unknown key {key!r} in {where} ({kind}); valid keys: {sorted(names)}",
                name=key,
                value=value,
                valid=sorted(names),
            )
        kwargs[key] = _to_tuple(value)
    try:
        return cls(**kwargs)
    except InputError as exc:
        raise MissionFileError(f"{where} ({kind}): {exc}", name=exc.name, value=exc.value) from None


@dataclass(frozen=True, slots=True)
class ApproachProfile:
    """A docking approach: the port, its geometry and the segments to fly.

    Parameters
    ----------
    name : str
    port : str
        Tianhe port: ``"aft"``, ``"forward"`` or ``"radial"``.
    docking_axis : str
        Direction from the station's port toward the approaching chaser, LVLH:
        ``"-V-bar"`` (aft), ``"+V-bar"`` (forward), ``"+R-bar"`` (nadir).
    port_position_m : (x, y, z)
        Station docking port relative to the station's centre of mass, LVLH (m).
    chaser_port_arm_m : float
        Chaser centre of mass to its docking port (m), along the docking axis.
    ae_entry_axis : str
        Side from which the approach ellipsoid may be entered (the planned corridor of
        the far approach), and ``ae_entry_half_angle_deg`` its half-angle.
    corridor_half_angle_deg : float
        Final-approach cone about the docking axis, apex at the station's port
        (default 10 deg, mission-facts.md sec. 4, unpublished), widened near the port
        to ``corridor_min_radius_m``.
    segments : tuple
        :class:`Homing`, :class:`Closing`, :class:`FlyAround`, :class:`Hold`,
        :class:`FinalApproach`; the last one must be a :class:`FinalApproach`.
    references : tuple of str
        Source keys of ``../shared/reference/mission-facts.md`` for the hold points.
    """

    name: str
    port: str
    docking_axis: str
    segments: tuple
    port_position_m: tuple = (0.0, 0.0, 0.0)
    chaser_port_arm_m: float = QINGZHOU.port("front").position_m[0]
    ae_entry_axis: str = "-V-bar"
    ae_entry_half_angle_deg: float = 45.0
    corridor_half_angle_deg: float = 10.0
    corridor_min_radius_m: float = 0.5
    references: tuple = ()
    description: str = ""

    def __post_init__(self):
        if self.port not in ("aft", "forward", "radial"):
            raise UnknownNameError("docking port", self.port, ("aft", "forward", "radial"))
        for name in ("docking_axis", "ae_entry_axis"):
            if not isinstance(getattr(self, name), str) or getattr(self, name) not in AXES:
                raise UnknownNameError(name.replace("_", " "), getattr(self, name), AXES)
        object.__setattr__(self, "port_position_m", _point(self.port_position_m, "port_position_m"))
        _positive(self.chaser_port_arm_m, "chaser_port_arm_m", allow_zero=True)
        _positive(self.corridor_min_radius_m, "corridor_min_radius_m")
        for name in ("ae_entry_half_angle_deg", "corridor_half_angle_deg"):
            value = _positive(getattr(self, name), name)
            if value >= 90:
                raise InputError(
                    f"{name} = {value} deg; expected (0, 90) deg", name=name, value=value
                )
        segs = tuple(self.segments)
        if not segs or not isinstance(segs[-1], FinalApproach):
            raise InputError(
                f"profile {self.name!r} must end with a FinalApproach segment",
                name="segments",
                value=segs,
            )
        for i, s in enumerate(segs):
            if type(s) not in SEGMENT_KINDS.values():
                raise InputError(
                    f"segment {i} of profile {self.name!r} is a {type(s).__name__}; "
                    f"expected one of {[c.__name__ for c in SEGMENT_KINDS.values()]}",
                    name="segments",
                    value=s,
                )
        object.__setattr__(self, "segments", segs)
        object.__setattr__(self, "references", tuple(self.references))

    @property
    def axis_vector(self) -> tuple[float, float, float]:
        """Unit docking axis in LVLH (from the station's port toward the chaser)."""
        return AXES[self.docking_axis]

    def hold_points_m(self) -> tuple[tuple[float, float, float], ...]:
        """Nominal hold/aim points (port-relative LVLH, m) in flight order."""
        pts = []
        for s in self.segments:
            if isinstance(s, Homing):
                pts.extend(s.aim_points_m)
            elif isinstance(s, Closing | FlyAround):
                pts.append(s.to_m)
            elif isinstance(s, Hold) and s.at_m is not None:
                pts.append(s.at_m)
        return tuple(pts)

    def to_dict(self) -> dict:
        """Plain data (lists, floats, strings) for TOML/JSON."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "segments":
                out["segments"] = [_segment_to_dict(s) for s in value]
            else:
                out[f.name] = _to_plain(value)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> ApproachProfile:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        MissionFileError
            On an unknown key (named in the message) or an invalid value.
        """
        if not isinstance(data, dict):
            raise MissionFileError(
                f"approach profile must be a table, got {type(data).__name__}", name="profile"
            )
        names = {f.name for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key not in names:
                raise MissionFileError(
                    f"unknown key {key!r} in approach profile; valid keys: {sorted(names)}",
                    name=key,
                    value=value,
                    valid=sorted(names),
                )
            if key == "segments":
                if not isinstance(value, list | tuple):
                    raise MissionFileError(
                        f"approach profile segments = {value!r}; expected an array of "
                        f"tables, each with a 'kind' key (one of {tuple(SEGMENT_KINDS)})",
                        name="segments",
                        value=value,
                        valid="array of tables",
                    )
                kwargs[key] = tuple(
                    _segment_from_dict(s, f"approach profile segment {i}")
                    for i, s in enumerate(value)
                )
            else:
                kwargs[key] = _to_tuple(value)
        for key in ("name", "port", "docking_axis", "segments"):
            if key not in kwargs:
                raise MissionFileError(f"approach profile is missing the key {key!r}", name=key)
        try:
            return cls(**kwargs)
        except InputError as exc:
            if isinstance(exc, MissionFileError):
                raise
            raise MissionFileError(
                f"approach profile: {exc}", name=exc.name, value=exc.value
            ) from None


# --------------------------------------------------------------------- built-ins
# Geometry (assumptions, unpublished): Tianhe is 16.6 m long (CAS); with the two
# laboratory modules on the node the stack's centre of mass sits near the node, so the
# aft port is ~15 m behind it, the forward port ~4 m ahead and the nadir port ~2.5 m
# below. The chaser's port is 4 m ahead of its centre of mass (Qingzhou's length is
# unpublished).
# The figures live with the vehicles (one source): TIANGONG.ports, QINGZHOU.ports.
_AFT_PORT_M = TIANGONG.port("aft").position_m
_FORWARD_PORT_M = TIANGONG.port("forward").position_m
_RADIAL_PORT_M = TIANGONG.port("radial").position_m

# Final-approach speed schedules (port-to-port distance m, speed m/s): ~0.15-0.2 m/s
# from the last hold point, slowing to 0.12 m/s over the last metres, inside the
# 0.08-0.18 m/s contact window (SAST-APAS); ATV flew ~0.07 m/s at contact (ESA-ATV).
_FINAL_SCHEDULE = ((0.0, 0.12), (3.0, 0.12), (10.0, 0.15), (19.0, 0.15))
# 200 m -> 19 m forced straight line (inside the keep-out sphere): up to 0.3 m/s,
# slowing to 0.05 m/s at the hold (ATV ~0.4 m/s before S3, ESA-ATV).
_INNER_SCHEDULE = ((0.0, 0.05), (10.0, 0.1), (60.0, 0.3), (200.0, 0.3))

AFT = ApproachProfile(
    name="aft",
    port="aft",
    docking_axis="-V-bar",
    ae_entry_axis="-V-bar",
    port_position_m=_AFT_PORT_M,
    segments=(
        Homing(aim_points_m=((-5000.0, 0.0, 0.0),), corrections=2, label="homing to 5 km"),
        Hold(duration_s=1200.0, until="settled", tolerance_m=5.0, label="hold at 5 km"),
        Closing(to_m=(-400.0, 0.0, 0.0), label="closing to 400 m"),
        Hold(duration_s=600.0, until="settled", tolerance_m=1.0, label="hold at 400 m"),
        Closing(to_m=(-200.0, 0.0, 0.0), label="closing to 200 m"),
        Hold(duration_s=900.0, until="settled", tolerance_m=1.0, label="hold at 200 m"),
        Closing(
            to_m=(-19.0, 0.0, 0.0),
            method="straight",
            speed_schedule=_INNER_SCHEDULE,
            control_period_s=1.0,
            label="approach to 19 m",
        ),
        Hold(
            duration_s=120.0,
            until="settled",
            tolerance_m=0.1,
            max_duration_s=900.0,
            control_period_s=1.0,
            label="hold at 19 m",
        ),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("TZ5-WIKI", "TZ9", "SZ13", "PD-SZ8", "SZ19", "SE-KOS", "NASA-JSC", "SAST-APAS"),
    description=(
        "Tianhe aft port, V-bar from behind (Tianzhou practice): hand-over ~52 km behind "
        "and below (PD-SZ8) -> 5 km hold (PD-SZ8, SZ19; placed on V-bar so that the hold "
        "is passively stable) -> radial hop to 400 m (PD-SZ8) -> radial hop to 200 m, "
        "passively stable V-bar hold (TZ5-WIKI, SZ13) -> straight line to 19 m (SZ19) -> "
        "contact at 0.12 m/s (SAST-APAS window)."
    ),
)

FORWARD = ApproachProfile(
    name="forward",
    port="forward",
    docking_axis="+V-bar",
    ae_entry_axis="+V-bar",
    port_position_m=_FORWARD_PORT_M,
    segments=(
        Homing(aim_points_m=((-5000.0, 0.0, 0.0),), corrections=2, label="homing to 5 km"),
        Hold(duration_s=600.0, until="settled", tolerance_m=5.0, label="hold at 5 km behind"),
        FlyAround(
            to_m=(5000.0, 0.0, 0.0),
            legs=1,
            tof_s=None,
            corrections=2,
            label="fly-around to the front",
        ),
        Hold(
            duration_s=600.0, until="settled", tolerance_m=5.0, label="hold at aim point in front"
        ),
        Closing(to_m=(400.0, 0.0, 0.0), label="closing to 400 m"),
        Hold(duration_s=300.0, until="settled", tolerance_m=1.0, label="hold at 400 m"),
        # a forced line, not the radial hop: in front of the station the half-orbit hop
        # arcs above and meets the 200 m keep-out sphere off the 10 deg corridor
        Closing(
            to_m=(200.0, 0.0, 0.0),
            method="straight",
            speed_schedule=((0.0, 0.05), (20.0, 0.2), (100.0, 0.3)),
            control_period_s=1.0,
            label="closing to 200 m",
        ),
        Hold(duration_s=900.0, until="settled", tolerance_m=1.0, label="hold at 200 m"),
        Closing(
            to_m=(19.0, 0.0, 0.0),
            method="straight",
            speed_schedule=_INNER_SCHEDULE,
            control_period_s=1.0,
            label="approach to 19 m",
        ),
        Hold(
            duration_s=120.0,
            until="settled",
            tolerance_m=0.1,
            max_duration_s=900.0,
            control_period_s=1.0,
            label="hold at 19 m",
        ),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("SZ12-HK", "SZ19", "PD-SZ8", "SE-KOS", "NASA-JSC", "SAST-APAS"),
    description=(
        "Tianhe forward port, +V-bar from ahead (Shenzhou practice): 5 km behind "
        "(SZ19) -> fly-around below the station to an aim point 5 km in front (SZ12-HK) "
        "-> 400 m -> straight line to the 200 m hold -> 19 m hold (SZ19, SZ12-HK) -> "
        "contact."
    ),
)

RADIAL = ApproachProfile(
    name="radial",
    port="radial",
    docking_axis="+R-bar",
    ae_entry_axis="-V-bar",
    ae_entry_half_angle_deg=60.0,
    port_position_m=_RADIAL_PORT_M,
    segments=(
        Homing(aim_points_m=((-5000.0, 0.0, 0.0),), corrections=2, label="homing to 5 km"),
        Hold(duration_s=600.0, until="settled", tolerance_m=5.0, label="hold at 5 km"),
        Closing(to_m=(-400.0, 0.0, 0.0), label="closing to 400 m"),
        Hold(duration_s=300.0, until="settled", tolerance_m=1.0, label="hold at 400 m behind"),
        FlyAround(to_m=(0.0, 0.0, 400.0), legs=2, side="below", label="fly-around to R-bar"),
        Hold(duration_s=300.0, control_period_s=5.0, label="R-bar hold at 400 m (active)"),
        Closing(
            to_m=(0.0, 0.0, 200.0),
            method="straight",
            speed_schedule=((0.0, 0.05), (20.0, 0.2), (200.0, 0.3)),
            control_period_s=1.0,
            label="R-bar approach to 200 m",
        ),
        Hold(duration_s=300.0, control_period_s=5.0, label="R-bar hold at 200 m (active)"),
        Closing(
            to_m=(0.0, 0.0, 19.0),
            method="straight",
            speed_schedule=_INNER_SCHEDULE,
            control_period_s=1.0,
            label="R-bar approach to 19 m",
        ),
        Hold(
            duration_s=120.0,
            until="settled",
            tolerance_m=0.1,
            max_duration_s=900.0,
            control_period_s=1.0,
            label="hold at 19 m",
        ),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("SZ13", "SZ14", "SZ19", "PD-SZ8", "SE-KOS", "NASA-JSC", "SAST-APAS"),
    description=(
        "Tianhe nadir (radial) port, R-bar from below (Shenzhou-13/-14 practice, SZ13, "
        "SZ14): 5 km behind -> 400 m behind -> fly-around below to an R-bar point 400 m "
        "under the station -> 200 m and 19 m R-bar holds, actively controlled against "
        "the CW radial drift (SZ13) -> contact."
    ),
)


def _fast_variant(profile: ApproachProfile) -> ApproachProfile:
    """The same hold points flown with short holds (the fast-rendezvous modes).

    The 6.5-hour, 3-hour and 2-hour missions dock 2.3 h, 1.2 h and 0.7 h after the
    hand-over at the latest (mission-facts.md sec. 2: launch-to-dock 6 h 32 min, 3 h 17
    min, 2 h 07 min), so the 10-20 min holds of the classic profile cannot all be
    flown; the hold durations of the fast modes are unpublished (mission-facts.md sec. 2),
    so these are assumptions: 5 min at 5 km and at 400 m, 5 min at 200 m, 2 min at
    19 m (each still waits until settled), and the 400 m -> 200 m radial hop (half an
    orbit) replaced by a forced straight line on the approach axis at up to 0.3 m/s.
    """
    segments = []
    for seg in profile.segments:
        if isinstance(seg, Hold):
            seg = replace(seg, duration_s=min(seg.duration_s, 300.0))
        elif isinstance(seg, Homing):
            seg = replace(seg, max_coast_orbits=1.0)
        elif (
            isinstance(seg, Closing)
            and seg.method == "two-impulse"
            and max(abs(c) for c in seg.to_m) > 250.0
        ):
            seg = replace(seg, tof_s=_FAST_HOP_S)
        elif isinstance(seg, Closing) and seg.method == "two-impulse":
            seg = replace(
                seg,
                method="straight",
                speed_schedule=((0.0, 0.05), (20.0, 0.2), (100.0, 0.3)),
                control_period_s=1.0,
            )
        segments.append(seg)
    return replace(
        profile,
        name=f"{profile.name}-fast",
        segments=tuple(segments),
        description=profile.description
        + " Fast variant: short holds (assumed), 400 m -> 200 m on a straight line.",
    )


# Transfer time of the long closing hop (5 km -> 400 m) in the fast variants: about a
# third of an orbit instead of half (assumption; trades ~1 m/s for ~15 min).
_FAST_HOP_S = 1800.0

AFT_FAST, FORWARD_FAST, RADIAL_FAST = (_fast_variant(p) for p in (AFT, FORWARD, RADIAL))

# ---- the flown fast-rendezvous schemes' close range (issue 15; paired with their
# phasing profiles by qingzhou_sim.mission.schemes). Hold durations in the fast modes
# are unpublished (mission-facts.md sec. 2): the durations below are assumptions that
# make the scheduled close range last as published.
_SCHEME_HOP_S = 1500.0  # 5 km -> 200-400 m two-impulse hop, ~0.27 orbit (assumption)
_SCHEME_STRAIGHT = ((0.0, 0.05), (20.0, 0.2), (100.0, 0.3))


def _scheme_hold(duration_s: float, label: str, tolerance_m: float = 1.0, **kw) -> Hold:
    return Hold(duration_s=duration_s, until="settled", tolerance_m=tolerance_m, label=label, **kw)


def _hold_19m() -> Hold:
    return _scheme_hold(120.0, "hold at 19 m", 0.1, max_duration_s=900.0, control_period_s=1.0)


def _straight(to_m, label, schedule=_INNER_SCHEDULE) -> Closing:
    return Closing(
        to_m=to_m, method="straight", speed_schedule=schedule, control_period_s=1.0, label=label
    )


AFT_2H = ApproachProfile(
    name="aft-2h",
    port="aft",
    docking_axis="-V-bar",
    ae_entry_axis="-V-bar",
    port_position_m=_AFT_PORT_M,
    segments=(
        Closing(to_m=(-200.0, 0.0, 0.0), tof_s=_SCHEME_HOP_S, label="closing to 200 m"),
        _straight((-19.0, 0.0, 0.0), "approach to 19 m"),
        _hold_19m(),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("TZ5", "SZ19", "SAST-APAS"),
    description=(
        "2-hour scheme (Tianzhou-5, aft port): close range of about 40 min with the "
        "intermediate confirmation holds dropped (CAST 502 Institute via Xinhua, 13 Nov "
        "2022): 5 km -> 200 m in one two-impulse hop, straight line to 19 m, contact."
    ),
)

AFT_3H = ApproachProfile(
    name="aft-3h",
    port="aft",
    docking_axis="-V-bar",
    ae_entry_axis="-V-bar",
    port_position_m=_AFT_PORT_M,
    segments=(
        _scheme_hold(300.0, "hold at 5 km", 5.0),
        Closing(to_m=(-400.0, 0.0, 0.0), tof_s=1800.0, label="closing to 400 m"),
        _straight((-200.0, 0.0, 0.0), "closing to 200 m", _SCHEME_STRAIGHT),
        _scheme_hold(600.0, "hold at 200 m"),
        _straight((-19.0, 0.0, 0.0), "approach to 19 m"),
        _hold_19m(),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("TZ7-CN", "TZ8", "TZ9", "SZ19", "SAST-APAS"),
    description=(
        "3-hour scheme (Tianzhou-7/8/9, aft port): 5 km hold -> 400 m -> 200 m hold "
        "-> 19 m hold -> contact, about 1 h 15 min from the hand-over (holds assumed)."
    ),
)

FORWARD_3P5H = ApproachProfile(
    name="forward-3.5h",
    port="forward",
    docking_axis="+V-bar",
    ae_entry_axis="+V-bar",
    port_position_m=_FORWARD_PORT_M,
    segments=(
        Closing(to_m=(400.0, 0.0, 0.0), tof_s=1800.0, label="homing to 400 m in front"),
        _straight((200.0, 0.0, 0.0), "closing to 200 m", _SCHEME_STRAIGHT),
        _scheme_hold(300.0, "hold at 200 m"),
        _straight((19.0, 0.0, 0.0), "approach to 19 m"),
        _hold_19m(),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("SZ21", "SZ22", "SZ19", "SAST-APAS"),
    description=(
        "3.5-hour forward-port scheme (Shenzhou-21/22): homing from the aim point 5 km "
        "in front, holds and go/no-go at 200 m and 19 m, docking 1 h 07 min after homing "
        "began (CCTV, 1 Nov 2025)."
    ),
)

# The 6.5-hour scheme hands over at ~50 km, where the microwave radar and the
# space-to-space link acquire (CCTV, Shenzhou-16, mission-facts second round); the
# homing from there to the first aim point is a closed-loop CW transfer in 55 min, as
# Shenzhou-8's 52 km -> 5 km (China News Service, second round): its two burns and two
# mid-course corrections are the "four burns" of that record.
_HOMING_50KM_S = 55 * 60.0
# After a 50 km homing the 5 km hold settles (5 m, at rest) in 6-20 min in the closed
# loop; the schemes' timelines allow 14 min at most there (assumption), after which the
# next transfer corrects the rest.
_AIM_HOLD_MAX_S = 840.0


def _homing_from_50km(aim_m, label: str) -> Homing:
    return Homing(aim_points_m=(aim_m,), tof_s=(_HOMING_50KM_S,), corrections=2, label=label)


FORWARD_6P5H = replace(
    FORWARD_3P5H,
    name="forward-6.5h",
    segments=(
        _homing_from_50km((5000.0, 0.0, 0.0), "homing to the aim point 5 km in front"),
        _scheme_hold(600.0, "hold at 5 km in front", 5.0, max_duration_s=_AIM_HOLD_MAX_S),
        Closing(to_m=(400.0, 0.0, 0.0), tof_s=1800.0, label="closing to 400 m in front"),
        _scheme_hold(120.0, "hold at 400 m in front"),
        _straight((200.0, 0.0, 0.0), "closing to 200 m", _SCHEME_STRAIGHT),
        _scheme_hold(300.0, "hold at 200 m"),
        _straight((19.0, 0.0, 0.0), "approach to 19 m"),
        _hold_19m(),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("SZ12", "SZ12-HK", "SZ19", "SAST-APAS"),
    description=(
        "6.5-hour scheme at the forward port (Shenzhou-12, -15, -17..-20): from the "
        "hand-over ~50 km in front (radar acquisition, CCTV) homing to the aim point "
        "5 km in front (SZ12-HK), 200 m hold and 19 m hold (SZ19), contact."
    ),
)

RADIAL_6P5H = ApproachProfile(
    name="radial-6.5h",
    port="radial",
    docking_axis="+R-bar",
    ae_entry_axis="+R-bar",
    ae_entry_half_angle_deg=60.0,
    port_position_m=_RADIAL_PORT_M,
    segments=(
        _homing_from_50km((-5000.0, 0.0, 0.0), "homing to 5 km behind"),
        _scheme_hold(300.0, "hold at 5 km behind", 5.0, max_duration_s=_AIM_HOLD_MAX_S),
        Closing(to_m=(0.0, 0.0, 2000.0), tof_s=_SCHEME_HOP_S, label="to the aim point 2 km below"),
        _scheme_hold(300.0, "R-bar hold at 2 km (active)", 5.0, control_period_s=5.0),
        Closing(to_m=(0.0, 0.0, 400.0), tof_s=900.0, label="R-bar closing to 400 m"),
        _straight((0.0, 0.0, 200.0), "R-bar approach to 200 m", _SCHEME_STRAIGHT),
        _scheme_hold(120.0, "R-bar hold at 200 m (active)", control_period_s=5.0),
        _straight((0.0, 0.0, 19.0), "R-bar approach to 19 m"),
        _hold_19m(),
        FinalApproach(speed_schedule=_FINAL_SCHEDULE),
    ),
    references=("SZ13", "SZ14", "SZ19", "SAST-APAS"),
    description=(
        "6.5-hour scheme at the radial port (Shenzhou-13/-16): from the hand-over ~50 km "
        "behind homing to 5 km behind, then to an aim point about 2 km below the station "
        "and the approach from below along R-bar (CCTV via mission-facts, second round), "
        "200 m and 19 m holds (SZ19). The R-bar holds are active (3 n^2 z: ~0.8 m/s per "
        "100 s at 2 km), so they are kept short."
    ),
)

AFT_6P5H = replace(
    AFT_3H,
    name="aft-6.5h",
    segments=(_homing_from_50km((-5000.0, 0.0, 0.0), "homing to 5 km"), *AFT_3H.segments),
    references=("TZ3", "TZ6", "SZ19", "SAST-APAS"),
    description=(
        "6.5-hour scheme at the aft port (Tianzhou-3 ~6.5 h, TZ3): from the hand-over "
        "~50 km behind homing to 5 km in 55 min, then the 3-hour scheme's close range "
        "(5 km, 200 m and 19 m holds)."
    ),
)

# Shenzhou-8 (China News Service via mission-facts, second round): hand-over to
# autonomy at 52 km, 55 min and four burns to the 5 km hold, 85 min from there to
# contact with holds at 400, 140 and 30 m; the autonomous segment 52 km -> contact
# took about 2.5 h (CD-SZ8), which leaves ~10 min at 5 km. Hold durations at 400, 140
# and 30 m are unpublished (assumptions that make the 85 min).
_SZ8_SCHEDULE = ((0.0, 0.05), (20.0, 0.15), (100.0, 0.3), (400.0, 0.3))
AFT_TWO_DAY = ApproachProfile(
    name="aft-two-day",
    port="aft",
    docking_axis="-V-bar",
    ae_entry_axis="-V-bar",
    port_position_m=_AFT_PORT_M,
    segments=(
        Homing(
            aim_points_m=((-5000.0, 0.0, 0.0),),
            tof_s=(_HOMING_50KM_S,),
            corrections=2,
            label="homing to 5 km",
        ),
        _scheme_hold(600.0, "hold at 5 km", 5.0, max_duration_s=_AIM_HOLD_MAX_S),
        Closing(to_m=(-400.0, 0.0, 0.0), tof_s=2400.0, label="closing to 400 m"),
        _scheme_hold(300.0, "hold at 400 m"),
        _straight((-140.0, 0.0, 0.0), "approach to 140 m", _SZ8_SCHEDULE),
        _scheme_hold(300.0, "hold at 140 m"),
        _straight((-30.0, 0.0, 0.0), "approach to 30 m"),
        _scheme_hold(300.0, "hold at 30 m", 0.1, max_duration_s=900.0, control_period_s=1.0),
        FinalApproach(speed_schedule=((0.0, 0.12), (3.0, 0.12), (10.0, 0.15), (30.0, 0.2))),
    ),
    references=("PD-SZ8", "CD-SZ8", "CNORG-SZ8", "SAST-APAS"),
    description=(
        "Two-day scheme (Shenzhou-8), aft port from behind along V-bar: hand-over at 52 km, "
        "homing to the 5 km hold in 55 min with four burns, 5 km -> 400 m -> 140 m -> "
        "30 m holds -> contact in 85 min (China News Service; PD-SZ8)."
    ),
)

APPROACH_PROFILES = {
    p.name: p
    for p in (
        *(AFT, FORWARD, RADIAL, AFT_FAST, FORWARD_FAST, RADIAL_FAST),
        *(AFT_2H, AFT_3H, FORWARD_3P5H, FORWARD_6P5H, RADIAL_6P5H, AFT_6P5H, AFT_TWO_DAY),
    )
}


def get_approach_profile(name: str) -> ApproachProfile:
    """Built-in approach profile by name.

    Raises
    ------
    UnknownNameError
        If ``name`` is not one of :data:`APPROACH_PROFILES` (the message lists them).

    Examples
    --------
    >>> get_approach_profile("aft").docking_axis
    '-V-bar'
    """
    if isinstance(name, ApproachProfile):
        return name
    # a non-string (a list, None) is not a name: the same error, not a raw TypeError
    if not isinstance(name, str) or name not in APPROACH_PROFILES:
        raise UnknownNameError("approach profile", name, APPROACH_PROFILES)
    return APPROACH_PROFILES[name]
