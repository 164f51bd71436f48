r"""Result objects of the approach: events, segment reports, contact conditions and
:class:`ApproachResult`; decoding of the kernel's event codes."""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from ..state import State
from . import _kernels as K
from .profiles import ApproachProfile

__all__ = [
    "ABORT_REASONS",
    "CONTACT_FIGURES",
    "ApproachEvent",
    "ApproachResult",
    "ContactCheck",
    "ContactConditions",
    "SegmentReport",
]

ABORT_REASONS = {
    K.AB_CORRIDOR: "corridor violation",
    K.AB_KOS_OUTSIDE_CORRIDOR: "keep-out sphere entered outside the approach corridor",
    K.AB_PASSIVE: (
        "planned free drift not passively safe (enters the keep-out sphere within the horizon)"
    ),
    K.AB_NAV_CROSSCHECK: (
        "navigation or propulsion failure (estimate disagrees with the independent monitor sensor)"
    ),
    K.AB_GATE: "final gate: contact conditions predicted out of limits",
    K.AB_AE_ENTRY: "approach ellipsoid entered outside the entry corridor",
    K.AB_TIMEOUT: "segment not completed in its maximum duration",
    K.AB_PROPELLANT: "propellant depleted",
    K.AB_TRACKING: "straight-line tracking error above its limit",
    K.AB_COLLISION: "collision (chaser centre within the collision distance)",
}


class _EventEpochs:
    """The epochs of an approach's events, made on first use with one astropy call for
    all of them: a campaign's record reads two or three, a full result all (a ``Time``
    per event built up front was ~2 ms of every approach)."""

    __slots__ = ("_epoch0", "_t_s", "_epochs")

    def __init__(self, epoch0: Time, t_s: np.ndarray):
        self._epoch0 = epoch0
        self._t_s = t_s
        self._epochs = None

    def __getitem__(self, i: int) -> Time:
        if self._epochs is None:
            self._epochs = self._epoch0 + TimeDelta(self._t_s * u.s)
        return self._epochs[i]


@dataclass(frozen=True, slots=True, init=False)
class ApproachEvent:
    """One event of the approach: ``name``, time since the start ``t_s`` and ``epoch``,
    the segment it happened in, a ``value`` (meaning given in ``detail``).

    ``ApproachEvent(name, t_s, epoch, segment, value=nan, detail="")``; the epoch is
    made when first read (the approach's events share one vector of epochs)."""

    name: str
    t_s: float
    segment: str
    value: float
    detail: str
    _epoch: object = field(repr=False, compare=False)

    def __init__(self, name, t_s, epoch, segment, value=math.nan, detail=""):
        # epoch: a Time, or (_EventEpochs, index) from _decode_events
        put = object.__setattr__
        put(self, "name", name)
        put(self, "t_s", t_s)
        put(self, "segment", segment)
        put(self, "value", value)
        put(self, "detail", detail)
        put(self, "_epoch", epoch)

    @property
    def epoch(self) -> Time:
        """Epoch of the event (in the time scale of the approach's start epoch)."""
        ep = self._epoch
        if isinstance(ep, tuple):
            ep = ep[0][ep[1]]
            object.__setattr__(self, "_epoch", ep)
        return ep

    def __str__(self) -> str:
        val = "" if math.isnan(self.value) else f" {self.value:.4g}"
        return f"{self.t_s:9.1f} s  {self.name}{val}  [{self.segment}] {self.detail}"


@dataclass(frozen=True, slots=True)
class SegmentReport:
    """Delta-v and duration of one flown segment."""

    label: str
    kind: str
    t_start_s: float
    t_end_s: float
    dv: u.Quantity
    completed: bool

    @property
    def duration(self) -> u.Quantity:
        return (self.t_end_s - self.t_start_s) * u.s


@dataclass(frozen=True, slots=True)
class ContactCheck:
    """One docking-mechanism condition: value, limits and verdict."""

    name: str
    value: float
    limit: float
    unit: str
    ok: bool
    lower: float = math.nan

    def __str__(self) -> str:
        lim = (
            f"<= {self.limit:g}"
            if math.isnan(self.lower)
            else f"in [{self.lower:g}, {self.limit:g}]"
        )
        verdict = "ok" if self.ok else "VIOLATED"
        return f"{self.name:<22s} {self.value:10.4f} {self.unit:<6s} {lim:<16s} {verdict}"


# The nine contact figures (field names of ContactConditions, campaign columns).
CONTACT_FIGURES = (
    "closing_speed_m_s",
    "lateral_offset_m",
    "lateral_rate_m_s",
    "pitch_deg",
    "yaw_deg",
    "roll_deg",
    "pitch_rate_deg_s",
    "yaw_rate_deg_s",
    "roll_rate_deg_s",
)


@dataclass(frozen=True, slots=True)
class ContactConditions:
    """Relative state of the docking ports at first contact, from both bodies'
    simulated positions, velocities, attitudes and rates (:mod:`.contact`): closing
    speed, lateral offset and rate of the port centres; pitch, yaw, roll misalignment of
    the chaser from its docked attitude relative to the station and the relative rates
    (chaser body axes, roll about the capture axis); checked against
    :class:`~qingzhou_sim.docking.ContactLimits`."""

    closing_speed_m_s: float
    lateral_offset_m: float
    lateral_rate_m_s: float
    pitch_deg: float
    yaw_deg: float
    roll_deg: float
    pitch_rate_deg_s: float
    yaw_rate_deg_s: float
    roll_rate_deg_s: float
    checks: tuple

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def figures(self) -> dict:
        """The nine figures by name (:data:`CONTACT_FIGURES`), plain floats."""
        return {name: float(getattr(self, name)) for name in CONTACT_FIGURES}

    def __str__(self) -> str:
        return "\n".join(str(c) for c in self.checks)


@dataclass(frozen=True, slots=True)
class ApproachResult:
    r"""Outcome of :func:`simulate_approach`.

    Time histories are sampled at the GNC steps (rows at a segment boundary share
    their epoch): ``t_s`` seconds since ``epoch0``; ``r_true``/``v_true`` and
    ``r_est``/``v_est`` the chaser relative to the station in the station's LVLH frame
    (centres of mass); ``dv_commanded``/``dv_applied`` per step (LVLH, m/s);
    ``mass`` and ``propellant_used`` (kg).

    Attitude (truth, :mod:`~qingzhou_sim.docking.bodies`): ``q_chaser`` and
    ``q_station`` (n, 4) ``q_lvlh_body`` (Hamilton, scalar first); ``rate_chaser`` and
    ``rate_station`` (deg/s, body axes) relative to LVLH; ``attitude_error`` (deg,
    chaser body axes x roll, y pitch, z yaw) the small-angle error from the guidance
    target. Thrusters, per step: ``thrusters_fired`` (count), ``rcs_impulse`` (N s,
    summed over thrusters) and ``angular_impulse`` (N m s) delivered to the chaser.
    """

    profile: ApproachProfile
    epoch0: Time
    t_s: np.ndarray
    r_true: u.Quantity
    v_true: u.Quantity
    r_est: u.Quantity
    v_est: u.Quantity
    dv_commanded: u.Quantity
    dv_applied: u.Quantity
    mass: u.Quantity
    events: tuple
    segments: tuple
    contact: ContactConditions | None
    docked: bool
    status: str
    failure_reason: str | None
    passive_min_range: u.Quantity
    post_abort_min_range: u.Quantity | None
    post_abort_reenters_keep_out: bool | None
    # (t_s, station rv, chaser rv) at the end: final_station / final_chaser are made
    # from them when read (two States and an epoch were ~1 ms of every approach)
    end_rv: tuple = field(repr=False, compare=False)
    q_chaser: np.ndarray | None = None
    rate_chaser: u.Quantity | None = None
    attitude_error: u.Quantity | None = None
    q_station: np.ndarray | None = None
    rate_station: u.Quantity | None = None
    thrusters_fired: np.ndarray | None = None
    rcs_impulse: u.Quantity | None = None
    angular_impulse: u.Quantity | None = None

    @property
    def epochs(self) -> Time:
        return self.epoch0 + TimeDelta(self.t_s * u.s)

    @property
    def final_chaser(self) -> State:
        """The chaser's state (GCRS) at the end of the approach."""
        t, _, ch = self.end_rv
        return State.from_vectors(self.epoch0 + TimeDelta(t * u.s), ch[:3], ch[3:])

    @property
    def final_station(self) -> State:
        """The station's state (GCRS) at the end of the approach."""
        t, st, _ = self.end_rv
        return State.from_vectors(self.epoch0 + TimeDelta(t * u.s), st[:3], st[3:])

    @property
    def propellant_used(self) -> u.Quantity:
        return self.mass[0] - self.mass

    @property
    def total_dv(self) -> u.Quantity:
        """Sum of the executed delta-v magnitudes (m/s)."""
        return np.sum(np.linalg.norm(self.dv_applied.to_value(u.m / u.s), axis=1)) * (u.m / u.s)

    @property
    def range(self) -> u.Quantity:
        return np.linalg.norm(self.r_true.to_value(u.m), axis=1) * u.m

    @property
    def range_rate(self) -> u.Quantity:
        r = self.r_true.to_value(u.m)
        v = self.v_true.to_value(u.m / u.s)
        rn = np.maximum(np.linalg.norm(r, axis=1), 1e-9)
        return np.einsum("ij,ij->i", r, v) / rn * (u.m / u.s)

    @property
    def duration(self) -> u.Quantity:
        return (self.t_s[-1] - self.t_s[0]) * u.s

    def event(self, name: str) -> ApproachEvent | None:
        """First event called ``name`` (None if it did not happen)."""
        for e in self.events:
            if e.name == name:
                return e
        return None

    def summary(self) -> str:
        lines = [
            f"Approach '{self.profile.name}' ({self.profile.port} port): {self.status}"
            + (f" - {self.failure_reason}" if self.failure_reason else ""),
            f"  start {self.epoch0.utc.isot} UTC, duration {self.duration.to_value(u.h):.2f} h, "
            f"total dv {self.total_dv.to_value(u.m / u.s):.3f} m/s, "
            f"propellant {self.propellant_used[-1].to_value(u.kg):.2f} kg",
            "  closest 24 h free-drift approach after the transfer burns: "
            f"{self.passive_min_range.to_value(u.m):.1f} m",
            "  segments:",
        ]
        for s in self.segments:
            lines.append(
                f"    {s.label:<32s} {s.kind:<10s} {s.duration.to_value(u.min):7.1f} min "
                f"{s.dv.to_value(u.m / u.s):7.3f} m/s{'' if s.completed else '  (not completed)'}"
            )
        if self.contact is not None:
            lines.append("  contact conditions:")
            lines.extend("    " + str(c) for c in self.contact.checks)
        if self.post_abort_min_range is not None:
            lines.append(
                f"  after the CAM: min range {self.post_abort_min_range.to_value(u.m):.1f} m over "
                "the passive-safety horizon, re-enters the keep-out sphere: "
                f"{self.post_abort_reenters_keep_out}"
            )
        lines.append("  events:")
        lines.extend("    " + str(e) for e in self.events if e.name not in ("burn",))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# Units of the history fields, made once (a composite unit costs ~20 us each time)
_KM_S = u.km / u.s
_M_S = u.m / u.s
_DEG_S = u.deg / u.s
_N_S = u.N * u.s
_N_M_S = u.N * u.m * u.s


def _fresh(values: np.ndarray, unit) -> u.Quantity:
    """``values * unit`` for an array nobody else holds: the Quantity takes it as it is
    (``values * unit`` copies it; ~40 us for an approach's history column)."""
    return u.Quantity(values, unit, copy=False)


def _stacked(parts: tuple, a: int, b: int | None = None) -> np.ndarray:
    """Column ``a`` (``b`` None) or columns ``a:b`` of the loop's history rows, the
    segments' parts (k_i, ``loop.H_COLS``) stacked: a new array, the values of
    ``np.concatenate(parts)[:, a:b]``."""
    cols = a if b is None else slice(a, b)
    return np.concatenate([p[:, cols] for p in parts], axis=0)


@functools.cache
def _history_fields() -> dict:
    """The history fields of an ApproachResult, each made from the segments' history
    rows: :func:`.simulate.simulate_approach` made all of them up front (~0.8 ms of
    every approach), where a campaign's record reads one (``r_true``). The same values
    as ``column * unit`` of the stacked rows. (A function: ``loop`` imports this
    module.)"""
    from .loop import H_ANG, H_ERR, H_IMP, H_NFIRE, H_QC, H_QS, H_WC, H_WS

    def vec(a):
        return lambda h: _stacked(h, a, a + 3)

    return {
        "t_s": lambda h: _stacked(h, K.H_T),
        "r_true": lambda h: _fresh(_stacked(h, K.H_TRUE, K.H_TRUE + 3), u.km),
        "v_true": lambda h: _fresh(_stacked(h, K.H_TRUE + 3, K.H_TRUE + 6), _KM_S),
        "r_est": lambda h: _fresh(_stacked(h, K.H_EST, K.H_EST + 3), u.km),
        "v_est": lambda h: _fresh(_stacked(h, K.H_EST + 3, K.H_EST + 6), _KM_S),
        "dv_commanded": lambda h: _fresh(vec(K.H_DVC)(h) * 1e3, _M_S),
        "dv_applied": lambda h: _fresh(vec(K.H_DVA)(h) * 1e3, _M_S),
        "mass": lambda h: _fresh(_stacked(h, K.H_MASS), u.kg),
        "q_chaser": lambda h: _stacked(h, H_QC, H_QC + 4),
        "rate_chaser": lambda h: _fresh(np.degrees(vec(H_WC)(h)), _DEG_S),
        "attitude_error": lambda h: _fresh(np.degrees(vec(H_ERR)(h)), u.deg),
        "q_station": lambda h: _stacked(h, H_QS, H_QS + 4),
        "rate_station": lambda h: _fresh(np.degrees(vec(H_WS)(h)), _DEG_S),
        "thrusters_fired": lambda h: _stacked(h, H_NFIRE).astype(int),
        "rcs_impulse": lambda h: _fresh(_stacked(h, H_IMP), _N_S),
        "angular_impulse": lambda h: _fresh(_stacked(h, H_ANG), _N_M_S),
    }


class _LazyApproachResult(ApproachResult):
    """The :class:`ApproachResult` of :func:`.simulate.simulate_approach`: each history
    field (:func:`_history_fields`) is made from the segments' history rows when first
    read, once, with the values it had when made up front. Equal to the complete
    result with the same fields; pickled or copied it is an ordinary, complete
    :class:`ApproachResult`; ``dataclasses.replace`` makes a complete one too."""

    __slots__ = ("_hist",)

    @classmethod
    def made(cls, hist: tuple, **given) -> _LazyApproachResult:
        """The result of the segments' history rows ``hist`` (a tuple of (k_i,
        ``loop.H_COLS``) arrays, in order) and the other fields ``given`` (every field
        of ApproachResult that is not a history field)."""
        res = object.__new__(cls)
        for name, value in given.items():
            object.__setattr__(res, name, value)
        object.__setattr__(res, "_hist", hist)
        return res

    def __getattr__(self, name):
        # called only when the attribute is not set: a history field, made now
        make = _history_fields().get(name)
        if make is None:
            raise AttributeError(f"'ApproachResult' object has no attribute {name!r}")
        value = make(object.__getattribute__(self, "_hist"))
        object.__setattr__(self, name, value)
        return value

    def __eq__(self, other):
        # the dataclass's comparison, which wants the same class on both sides
        if not isinstance(other, ApproachResult):
            return NotImplemented
        names = [f.name for f in dataclasses.fields(ApproachResult) if f.compare]
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    __hash__ = ApproachResult.__hash__

    def __reduce__(self):
        return (
            ApproachResult,
            tuple(getattr(self, f.name) for f in dataclasses.fields(ApproachResult)),
        )

    def __repr__(self) -> str:
        # the dataclass's repr names the class: to its reader it is an ApproachResult
        return "ApproachResult" + ApproachResult.__repr__(self)[len(type(self).__qualname__) :]


_EVENT_NAMES = {
    K.EV_AE_ENTRY: "approach ellipsoid entry",
    K.EV_AE_EXIT: "approach ellipsoid exit",
    K.EV_KOS_ENTRY: "keep-out sphere entry",
    K.EV_KOS_EXIT: "keep-out sphere exit",
    K.EV_BURN: "burn",
    K.EV_PASSIVE: "passive safety check",
    K.EV_CAM: "collision avoidance manoeuvre",
    K.EV_ABORT: "abort",
    K.EV_CONTACT: "contact",
    K.EV_GATE: "final gate",
}


def _decode_events(raw, epoch0: Time) -> tuple:
    epochs = _EventEpochs(epoch0, np.array([r[0] for r in raw], float))
    out = []
    for i, (t, code, vals, seg) in enumerate(raw):
        ep = (epochs, i)
        if isinstance(code, str):
            out.append(ApproachEvent(code, float(t), ep, seg))
            continue
        name = _EVENT_NAMES[code]
        v1, v2 = vals
        if code in (K.EV_AE_ENTRY, K.EV_AE_EXIT):
            detail = "inside the entry corridor" if v1 > 0.5 else "outside the entry corridor"
            out.append(ApproachEvent(name, float(t), ep, seg, math.nan, detail))
        elif code in (K.EV_KOS_ENTRY, K.EV_KOS_EXIT):
            detail = (
                "inside the final-approach corridor"
                if v1 > 0.5
                else "outside the final-approach corridor"
            )
            out.append(ApproachEvent(name, float(t), ep, seg, math.nan, detail))
        elif code == K.EV_BURN or code == K.EV_CAM:
            out.append(ApproachEvent(name, float(t), ep, seg, v1 * 1e3, "executed |dv| (m/s)"))
        elif code == K.EV_PASSIVE:
            out.append(
                ApproachEvent(
                    name,
                    float(t),
                    ep,
                    seg,
                    v1 * 1e3,
                    f"closest approach of the free drift (m) at +{v2 / 3600:.2f} h",
                )
            )
        elif code == K.EV_ABORT:
            out.append(ApproachEvent(name, float(t), ep, seg, v1, ABORT_REASONS.get(int(v1), "")))
        elif code == K.EV_GATE:
            out.append(
                ApproachEvent(
                    name,
                    float(t),
                    ep,
                    seg,
                    v2 * 1e3,
                    "go" if v1 > 0.5 else "no-go; lateral offset (m)",
                )
            )
        else:
            out.append(ApproachEvent(name, float(t), ep, seg))
    return tuple(out)
