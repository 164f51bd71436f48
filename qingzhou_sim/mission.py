r"""The mission timeline: Kinetica-2 liftoff -> insertion -> phasing -> approach ->
contact -> capture -> hard dock, in one call.

:class:`Mission` is frozen plain configuration (loadable from and savable to TOML);
:meth:`Mission.run` composes :mod:`~qingzhou_sim.launch`, :mod:`~qingzhou_sim.propagator`,
:mod:`~qingzhou_sim.phasing` and :mod:`~qingzhou_sim.docking` and returns a
:class:`MissionResult` with the ordered timeline, the delta-v and propellant budget,
the trajectories, a text summary and ``save()`` for JSON/CSV/OEM/PNG outputs.

Examples
--------
>>> import qingzhou_sim as qz
>>> mission = qz.Mission.default()
>>> mission.port, mission.phasing_profile
('aft', '3-hour')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import as_time
from .errors import InputError, MissionFileError, UnknownNameError

__all__ = [
    "Ephemeris",
    "Mission",
    "MissionResult",
    "PhaseSummary",
    "Perturbations",
    "StationOrbit",
    "TimelineEvent",
]

PORTS = ("aft", "forward", "radial")
_DEFAULT_EPOCH = "2026-12-01T00:00:00Z"


def _utc(t: Time) -> str:
    return t.utc.isot + "Z"


@dataclass(frozen=True, slots=True)
class StationOrbit:
    """The station's orbit: classical elements at an epoch, or a TLE.

    Defaults are the nominal Tiangong orbit of ``mission-facts.md`` sec. 1: near-circular
    at a typical 386 x 391 km (ORION-TZ7, Jan 2024), inclination 41.5 deg (TZ5-WIKI).
    RAAN and argument of latitude are arbitrary (nominal); pass a TLE for a real date.
    """

    epoch: str = _DEFAULT_EPOCH
    perigee_altitude_km: float = 386.0
    apogee_altitude_km: float = 391.0
    inc_deg: float = 41.5
    raan_deg: float = 0.0
    argp_deg: float = 0.0
    nu_deg: float = 0.0
    tle: tuple[str, ...] = ()

    def __post_init__(self):
        as_time(self.epoch, "station.epoch")
        if self.tle and len(self.tle) != 2:
            raise MissionFileError(
                f"station.tle has {len(self.tle)} lines; expected 2 (line 1 and line 2)",
                name="station.tle",
                value=len(self.tle),
                valid="2 lines",
            )
        object.__setattr__(self, "tle", tuple(self.tle))

    def state(self):
        """The station's GCRS state at :attr:`epoch` (from the TLE, if given)."""
        from .state import State

        if self.tle:
            from .launch import station_from_tle

            return station_from_tle(*self.tle)
        return State.from_altitudes(
            as_time(self.epoch, "station.epoch"),
            perigee_altitude=self.perigee_altitude_km * u.km,
            apogee_altitude=self.apogee_altitude_km * u.km,
            inc=self.inc_deg * u.deg,
            raan=self.raan_deg * u.deg,
            argp=self.argp_deg * u.deg,
            nu=self.nu_deg * u.deg,
        )


@dataclass(frozen=True, slots=True)
class Perturbations:
    """Drawn dispersions of one Monte Carlo sample (see :mod:`qingzhou_sim.montecarlo`).

    All zeros / ones (the default) is the nominal mission. Offsets are in the LVLH frame
    of the body they apply to, km and km/s.
    """

    insertion_lvlh: tuple[float, ...] = (0.0,) * 6
    station_knowledge_lvlh: tuple[float, ...] = (0.0,) * 6
    density_scale_chaser: float = 1.0
    density_scale_station: float = 1.0
    cd_scale_chaser: float = 1.0
    cd_scale_station: float = 1.0
    burn_magnitude_frac: float = 0.0
    burn_pointing_rad: float = 0.0
    navigation_scale: float = 0.0
    seed: int = 0

    @property
    def is_nominal(self) -> bool:
        return self == Perturbations(seed=self.seed)


@dataclass(frozen=True, slots=True)
class Mission:
    """Everything a mission run needs, as plain frozen data (TOML-serialisable).

    Parameters
    ----------
    name : str
        Label used in reports and file names.
    site : str
        Launch site key (``qingzhou_sim.launch.SITES``; default ``"jiuquan"``).
    launch_vehicle : str
        Launch vehicle key (``qingzhou_sim.vehicles``; default ``"kinetica-2"``).
    chaser, station_vehicle : str
        Spacecraft keys for the chaser (``"qingzhou"``) and the station (``"tiangong"``).
    station : StationOrbit
        The station's orbit (elements at an epoch, or a TLE).
    liftoff : str or None
        Liftoff epoch, ISO UTC with 'Z'. None: search the launch windows from
        ``window_search_start`` over ``window_search_hours`` and take the first whose
        insertion phase angle the phasing profile can fly.
    window_search_start : str
        Start of the window search (ISO UTC 'Z'); default: the station epoch.
    window_search_hours : float
        Length of the window search.
    phasing_profile : str
        Named phasing profile (``qingzhou-sim profiles``): ``"two-day"``,
        ``"6.5-hour"``, ``"3-hour"`` (default: Tianzhou-7/8/9 practice), ``"2-hour"``.
    port : str
        Tianhe docking port: ``"aft"`` (default for cargo), ``"forward"``, ``"radial"``.
    approach_profile : str or None
        Approach profile name; None means the built-in profile of ``port``.
    force_model : dict
        Force-model settings as plain data (``ForceModel.to_dict()``); None: the default
        J2-J4 + drag model with the chaser's and station's drag parameters.
    control_rate_hz : float
        GNC rate in final approach (coarser in homing).
    output_step_s : float
        Sampling of the output ephemerides.
    navigation_noise : bool
        Fly the approach with the navigation sensors' noise (seeded by ``seed``). The
        nominal mission is noise-free; campaigns switch noise on per sample.
    seed : int
        Seed of the nominal run's random numbers (navigation noise when switched on).
    """

    name: str = "qingzhou-default"
    site: str = "jiuquan"
    launch_vehicle: str = "kinetica-2"
    chaser: str = "qingzhou"
    station_vehicle: str = "tiangong"
    station: StationOrbit = field(default_factory=StationOrbit)
    liftoff: str | None = None
    window_search_start: str | None = None
    window_search_hours: float = 72.0
    phasing_profile: str = "3-hour"
    port: str = "aft"
    approach_profile: str | None = None
    force_model: dict | None = None
    control_rate_hz: float = 1.0
    output_step_s: float = 60.0
    navigation_noise: bool = False
    seed: int = 0

    def __post_init__(self):
        if isinstance(self.station, dict):
            object.__setattr__(self, "station", _station_from_dict(self.station))
        if self.port not in PORTS:
            raise UnknownNameError("docking port", self.port, PORTS)
        if self.liftoff is not None:
            as_time(self.liftoff, "liftoff")
        if self.window_search_start is not None:
            as_time(self.window_search_start, "window_search_start")
        for name in ("window_search_hours", "control_rate_hz", "output_step_s"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise MissionFileError(
                    f"{name} = {value!r}; expected a positive number",
                    name=name,
                    value=value,
                    valid="> 0",
                )
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise MissionFileError(
                f"seed = {self.seed!r}; expected an integer >= 0", name="seed", value=self.seed
            )
        self._check_names()

    def _check_names(self) -> None:
        from .launch import SITES
        from .phasing import PROFILES
        from .vehicles import LAUNCH_VEHICLES, SPACECRAFT

        if self.site not in SITES:
            raise UnknownNameError("launch site", self.site, SITES)
        if self.launch_vehicle not in LAUNCH_VEHICLES:
            raise UnknownNameError("launch vehicle", self.launch_vehicle, LAUNCH_VEHICLES)
        for key in (self.chaser, self.station_vehicle):
            if key not in SPACECRAFT:
                raise UnknownNameError("spacecraft", key, SPACECRAFT)
        if self.phasing_profile not in PROFILES:
            raise UnknownNameError("phasing profile", self.phasing_profile, PROFILES)
        if self.approach_profile is not None:
            from .docking import APPROACH_PROFILES

            if self.approach_profile not in APPROACH_PROFILES:
                raise UnknownNameError("approach profile", self.approach_profile, APPROACH_PROFILES)

    # ------------------------------------------------------------ construction
    @classmethod
    def default(cls) -> Mission:
        """The reference case: Qingzhou on Kinetica-2 from Jiuquan to Tiangong, 3-hour
        fast-rendezvous profile, Tianhe aft port."""
        return cls()

    def replace(self, **changes) -> Mission:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain data of every field (the TOML structure)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "station":
                value = {
                    g.name: (
                        list(getattr(value, g.name)) if g.name == "tle" else getattr(value, g.name)
                    )
                    for g in fields(value)
                }
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "mission") -> Mission:
        """Validate plain data (e.g. parsed TOML) into a Mission.

        Raises
        ------
        MissionFileError
            Unknown key (naming it and the allowed keys), wrong type, bad value.
        """
        if not isinstance(data, dict):
            raise MissionFileError(
                f"{source}: expected a table of mission settings, got {type(data).__name__}"
            )
        allowed = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise MissionFileError(
                f"{source}: unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}",
                name=unknown[0],
                value=data[unknown[0]],
                valid=tuple(sorted(allowed)),
            )
        kwargs = {}
        for key, value in data.items():
            kwargs[key] = _check_type(source, key, value, _FIELD_TYPES[key])
        if "station" in kwargs:
            kwargs["station"] = _station_from_dict(kwargs["station"], source)
        try:
            return cls(**kwargs)
        except MissionFileError:
            raise
        except InputError as exc:
            raise MissionFileError(
                f"{source}: {exc}", name=exc.name, value=exc.value, valid=exc.valid
            ) from None

    @classmethod
    def from_toml(cls, path) -> Mission:
        """Load a mission file (TOML); every key is optional and defaults as
        :meth:`default`."""
        from .io import read_toml

        return cls.from_dict(read_toml(path), source=str(path))

    def to_toml(self, path=None) -> str:
        """TOML text of the mission (written to ``path`` when given)."""
        from .io import toml_dumps

        text = toml_dumps(self.to_dict())
        if path is not None:
            Path(path).write_text(text)
        return text

    # ------------------------------------------------------------ running
    def run(
        self, *, perturbations: Perturbations | None = None, progress: bool = False
    ) -> MissionResult:
        """Fly the mission: launch window, insertion, phasing, approach, docking, berthing.

        Parameters
        ----------
        perturbations : Perturbations, optional
            Dispersions of one Monte Carlo sample (default: the nominal mission).
        progress : bool
            Show the stages on the terminal (tqdm).

        Returns
        -------
        MissionResult

        Raises
        ------
        InfeasiblePlanError
            No launch window in the search span gives a phase angle that the phasing
            profile can fly, or the given liftoff does not; the message lists the
            windows and profiles that would work.
        """
        return _run_mission(self, perturbations, progress)

    # ------------------------------------------------------------ helpers
    def station_state(self):
        return self.station.state()

    def chaser_vehicle(self):
        from .vehicles import get_spacecraft

        return get_spacecraft(self.chaser)

    def station_spacecraft(self):
        from .vehicles import get_spacecraft

        return get_spacecraft(self.station_vehicle)

    def launcher(self):
        from .vehicles import get_launch_vehicle

        return get_launch_vehicle(self.launch_vehicle)

    def insertion_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of the launcher's 1-sigma insertion covariance (LVLH km, km/s)."""
        cov = np.asarray(self.launcher().insertion_covariance_lvlh(), dtype=float)
        return np.linalg.cholesky(cov + 1e-30 * np.eye(6))


_FIELD_TYPES = {
    "name": str,
    "site": str,
    "launch_vehicle": str,
    "chaser": str,
    "station_vehicle": str,
    "station": dict,
    "liftoff": str,
    "window_search_start": str,
    "window_search_hours": float,
    "phasing_profile": str,
    "port": str,
    "approach_profile": str,
    "force_model": dict,
    "control_rate_hz": float,
    "output_step_s": float,
    "navigation_noise": bool,
    "seed": int,
}

_STATION_TYPES = {
    "epoch": str,
    "perigee_altitude_km": float,
    "apogee_altitude_km": float,
    "inc_deg": float,
    "raan_deg": float,
    "argp_deg": float,
    "nu_deg": float,
    "tle": list,
}


def _check_type(source: str, key: str, value, expected):
    ok = isinstance(value, expected) and not (expected in (int, float) and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise MissionFileError(
            f"{source}: key {key!r} has value {value!r} of type {type(value).__name__}; expected {expected.__name__}",
            name=key,
            value=value,
            valid=expected.__name__,
        )
    return value


def _station_from_dict(data: dict, source: str = "mission") -> StationOrbit:
    unknown = sorted(set(data) - set(_STATION_TYPES))
    if unknown:
        raise MissionFileError(
            f"{source}: unknown key 'station.{unknown[0]}'; allowed keys in [station]: {', '.join(sorted(_STATION_TYPES))}",
            name=f"station.{unknown[0]}",
            value=data[unknown[0]],
            valid=tuple(sorted(_STATION_TYPES)),
        )
    kwargs = {k: _check_type(source, f"station.{k}", v, _STATION_TYPES[k]) for k, v in data.items()}
    if "tle" in kwargs:
        kwargs["tle"] = tuple(str(x) for x in kwargs["tle"])
    try:
        return StationOrbit(**kwargs)
    except MissionFileError:
        raise
    except InputError as exc:
        raise MissionFileError(
            f"{source}: station: {exc}", name=exc.name, value=exc.value
        ) from None


# ====================================================================== results
@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One event of the mission timeline.

    ``elapsed_s`` counts from liftoff; ``range_km`` is the chaser's distance to the
    station; ``delta_v_m_s`` and ``propellant_kg`` are those of the event itself (a
    burn), ``cumulative_delta_v_m_s`` and ``cumulative_propellant_kg`` the totals after it.
    """

    name: str
    epoch: Time
    elapsed_s: float
    phase: str
    range_km: float
    delta_v_m_s: float = 0.0
    propellant_kg: float = 0.0
    cumulative_delta_v_m_s: float = 0.0
    cumulative_propellant_kg: float = 0.0
    detail: str = ""

    def to_record(self) -> dict:
        return {
            "name": self.name,
            "utc": _utc(self.epoch),
            "elapsed_s": self.elapsed_s,
            "elapsed": _hms(self.elapsed_s),
            "phase": self.phase,
            "range_km": self.range_km,
            "delta_v_m_s": self.delta_v_m_s,
            "propellant_kg": self.propellant_kg,
            "cumulative_delta_v_m_s": self.cumulative_delta_v_m_s,
            "cumulative_propellant_kg": self.cumulative_propellant_kg,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    """Delta-v, propellant and duration of one mission phase."""

    name: str
    start: Time
    end: Time
    delta_v_m_s: float
    propellant_kg: float
    duration_s: float


@dataclass(frozen=True)
class Ephemeris:
    """Sampled absolute states (GCRS): ``epochs`` (n,), ``r_km`` and ``v_km_s`` (n, 3)."""

    epochs: Time
    r_km: np.ndarray
    v_km_s: np.ndarray

    @property
    def r(self) -> u.Quantity:
        return self.r_km * u.km

    @property
    def v(self) -> u.Quantity:
        return self.v_km_s * (u.km / u.s)

    def __len__(self) -> int:
        return len(self.r_km)


def _hms(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-"
    sign = "-" if seconds < 0 else ""
    ms = round(abs(seconds) * 1000.0)
    s, ms = divmod(ms, 1000)
    return f"{sign}{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}.{ms:03d}"


@dataclass(frozen=True)
class MissionResult:
    """Everything a mission run produced.

    Attributes
    ----------
    mission : Mission
    liftoff, insertion, end : Time
    events : tuple of TimelineEvent, in time order
    phases : tuple of PhaseSummary (launch, phasing, approach segments, berthing)
    chaser, station : Ephemeris
        Absolute GCRS ephemerides from insertion to the end of the run.
    relative_t : Time (n,); relative_r_km, relative_v_km_s : (n, 3)
        The chaser in the station's LVLH frame over the whole run.
    phasing_plan : qingzhou_sim.phasing.PhasingPlan
    approach : qingzhou_sim.docking.ApproachResult
    docked : bool
    failure : str or None
        Why the chaser did not dock (abort reason), None when it docked.
    site : LaunchSite
    propellant_capacity_kg, initial_mass_kg, isp_s : float
    phasing_end : Time
        Arrival at the hand-over point.
    burns_phasing : tuple of Burn (as executed)
    """

    mission: Mission
    liftoff: Time
    insertion: Time
    end: Time
    events: tuple
    phases: tuple
    chaser: Ephemeris
    station: Ephemeris
    relative_t: Time
    relative_r_km: np.ndarray
    relative_v_km_s: np.ndarray
    phasing_plan: object
    approach: object
    docked: bool
    failure: str | None
    site: object
    propellant_capacity_kg: float
    initial_mass_kg: float
    isp_s: float
    phasing_end: Time
    burns_phasing: tuple
    launch_window: object = None

    # ------------------------------------------------------------ figures of merit
    @property
    def total_delta_v(self) -> u.Quantity:
        return sum(p.delta_v_m_s for p in self.phases) * (u.m / u.s)

    @property
    def total_propellant(self) -> u.Quantity:
        return sum(p.propellant_kg for p in self.phases) * u.kg

    @property
    def propellant_margin(self) -> u.Quantity:
        """Propellant left against the chaser's capacity (negative: over budget)."""
        return (self.propellant_capacity_kg - self.total_propellant.to_value(u.kg)) * u.kg

    @property
    def delta_v_margin(self) -> u.Quantity:
        """Delta-v the remaining propellant still gives (rocket equation)."""
        from .constants import G0_M_S2

        m_now = self.initial_mass_kg - self.total_propellant.to_value(u.kg)
        m_dry = self.initial_mass_kg - self.propellant_capacity_kg
        if m_now <= m_dry:
            return 0.0 * (u.m / u.s)
        return self.isp_s * G0_M_S2 * math.log(m_now / m_dry) * (u.m / u.s)

    @property
    def contact(self):
        """The approach's contact conditions (None if the chaser never reached contact)."""
        return None if self.approach is None else self.approach.contact

    def event(self, name: str) -> TimelineEvent:
        for ev in self.events:
            if ev.name == name:
                return ev
        raise UnknownNameError("timeline event", name, sorted({e.name for e in self.events}))

    @property
    def duration(self) -> u.Quantity:
        """Liftoff to the last event (hard dock when docked)."""
        return (self.end - self.liftoff).to(u.h)

    def relative_history(self):
        """(epochs, r_lvlh_km (n, 3), v_lvlh_km_s (n, 3)) over the whole run."""
        return self.relative_t, self.relative_r_km, self.relative_v_km_s

    def phase_angle_history(self):
        """(epochs, station phase angle ahead of the chaser in deg, in (-180, 180])."""
        from .frames import _unit

        r_s, v_s = self.station.r_km, self.station.v_km_s
        h = _unit(np.cross(r_s, v_s))
        r_c = self.chaser.r_km
        r_c_in = r_c - np.einsum("ij,ij->i", r_c, h)[:, None] * h
        ang = np.arctan2(
            np.einsum("ij,ij->i", h, np.cross(r_c_in, r_s)), np.einsum("ij,ij->i", r_c_in, r_s)
        )
        return self.station.epochs, np.rad2deg(ang)

    # ------------------------------------------------------------ tables
    def records(self) -> list[dict]:
        """The timeline as plain records (one dict per event)."""
        return [ev.to_record() for ev in self.events]

    def timeline(self):
        """The timeline as a pandas DataFrame (one row per event)."""
        import pandas as pd

        return pd.DataFrame(self.records())

    def budget(self) -> list[dict]:
        """Delta-v, propellant and duration per phase, plus the total."""
        rows = [
            {
                "phase": p.name,
                "delta_v_m_s": p.delta_v_m_s,
                "propellant_kg": p.propellant_kg,
                "duration_s": p.duration_s,
            }
            for p in self.phases
        ]
        rows.append(
            {
                "phase": "total",
                "delta_v_m_s": float(self.total_delta_v.to_value(u.m / u.s)),
                "propellant_kg": float(self.total_propellant.to_value(u.kg)),
                "duration_s": float((self.end - self.liftoff).to_value(u.s)),
            }
        )
        return rows

    def summary(self) -> str:
        """A readable report: the mission, the timeline and the budget as aligned tables."""
        m = self.mission
        lines = [
            f"Mission {m.name!r}: {m.chaser} on {m.launch_vehicle} from {self.site.name} to {m.station_vehicle}",
            f"  phasing profile {m.phasing_profile}, approach {m.approach_profile or m.port} to the {m.port} port",
            f"  liftoff {_utc(self.liftoff)}   insertion {_utc(self.insertion)}",
        ]
        if self.phasing_plan is not None:
            lines.append(
                f"  station phase angle at insertion {self.phasing_plan.phase_angle_at_insertion.to_value(u.deg):.2f} deg ahead"
            )
        outcome = (
            f"DOCKED, hard dock {_hms((self.end - self.liftoff).to_value(u.s))} after liftoff"
            if self.docked
            else f"NOT DOCKED: {self.failure}"
        )
        lines += [f"  outcome: {outcome}", "", "Timeline"]
        header = f"  {'event':<34}{'UTC':<26}{'T+ [h:mm:ss]':>14}{'phase':>18}{'range [km]':>12}{'dv [m/s]':>10}{'prop [kg]':>11}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for ev in self.events:
            lines.append(
                f"  {ev.name[:33]:<34}{_utc(ev.epoch)[:23]:<26}{_hms(ev.elapsed_s)[:-4]:>14}{ev.phase[:17]:>18}"
                f"{ev.range_km:>12.3f}{(f'{ev.delta_v_m_s:.3f}' if ev.delta_v_m_s else ''):>10}"
                f"{(f'{ev.propellant_kg:.2f}' if ev.propellant_kg else ''):>11}"
            )
        lines += ["", "Delta-v budget"]
        header = f"  {'phase':<24}{'delta-v [m/s]':>15}{'propellant [kg]':>17}{'duration':>14}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for row in self.budget():
            if row["phase"] == "total":
                lines.append("  " + "-" * (len(header) - 2))
            lines.append(
                f"  {row['phase']:<24}{row['delta_v_m_s']:>15.2f}{row['propellant_kg']:>17.2f}{_hms(row['duration_s'])[:-4]:>14}"
            )
        lines.append(
            f"  propellant margin {self.propellant_margin.to_value(u.kg):.1f} kg of {self.propellant_capacity_kg:.0f} kg "
            f"(delta-v still available {self.delta_v_margin.to_value(u.m / u.s):.1f} m/s)"
        )
        contact = self.contact
        if contact is not None:
            lines += ["", "Contact conditions (docking mechanism limits)"]
            for check in contact.checks:
                lo = "" if not math.isfinite(check.lower) else f"{check.lower:g} .. "
                lines.append(
                    f"  {check.name:<28}{check.value:>10.4f} {check.unit:<6} limit {lo}{check.limit:g} {check.unit:<6} {'ok' if check.ok else 'VIOLATED'}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # ------------------------------------------------------------ machine-readable
    def to_json_dict(self) -> dict:
        """The machine-readable summary (what ``qingzhou-sim run --json`` prints)."""
        contact = self.contact
        contact_dict = None
        if contact is not None:
            contact_dict = {
                "closing_speed_m_s": contact.closing_speed_m_s,
                "lateral_offset_m": contact.lateral_offset_m,
                "lateral_rate_m_s": contact.lateral_rate_m_s,
                "checks": [
                    {
                        "name": c.name,
                        "value": c.value,
                        "limit": c.limit,
                        "unit": c.unit,
                        "ok": bool(c.ok),
                    }
                    for c in contact.checks
                ],
            }

        def utc_of(name):
            try:
                return _utc(self.event(name).epoch)
            except UnknownNameError:
                return None

        return {
            "mission": self.mission.name,
            "profile": self.mission.phasing_profile,
            "port": self.mission.port,
            "approach_profile": self.mission.approach_profile or self.mission.port,
            "docked": bool(self.docked),
            "failure": self.failure,
            "liftoff_utc": _utc(self.liftoff),
            "insertion_utc": _utc(self.insertion),
            "contact_utc": utc_of("contact"),
            "hard_dock_utc": utc_of("hard dock"),
            "duration_s": float((self.end - self.liftoff).to_value(u.s)),
            "total_delta_v_m_s": float(self.total_delta_v.to_value(u.m / u.s)),
            "total_propellant_kg": float(self.total_propellant.to_value(u.kg)),
            "propellant_margin_kg": float(self.propellant_margin.to_value(u.kg)),
            "phase_angle_at_insertion_deg": None
            if self.phasing_plan is None
            else float(self.phasing_plan.phase_angle_at_insertion.to_value(u.deg)),
            "phases": [
                {
                    "name": p.name,
                    "delta_v_m_s": p.delta_v_m_s,
                    "propellant_kg": p.propellant_kg,
                    "duration_s": p.duration_s,
                    "start_utc": _utc(p.start),
                    "end_utc": _utc(p.end),
                }
                for p in self.phases
            ],
            "contact": contact_dict,
            "events": [
                {
                    "name": e.name,
                    "utc": _utc(e.epoch),
                    "elapsed_s": e.elapsed_s,
                    "phase": e.phase,
                    "range_km": e.range_km,
                    "delta_v_m_s": e.delta_v_m_s,
                }
                for e in self.events
            ],
        }

    _PHASE_COLUMNS = (
        "phasing",
        "homing",
        "closing",
        "fly-around",
        "final approach",
        "collision avoidance",
    )

    @staticmethod
    def empty_record() -> dict:
        """The columns of :meth:`to_record` with missing values (for failed samples)."""
        rec = {
            "docked": False,
            "failure": None,
            "total_delta_v_m_s": math.nan,
            "propellant_kg": math.nan,
            "duration_s": math.nan,
            "phase_angle_deg": math.nan,
            "closing_speed_m_s": math.nan,
            "lateral_offset_m": math.nan,
            "lateral_rate_m_s": math.nan,
            "min_range_outside_corridor_m": math.nan,
            "n_collision_avoidance": 0,
        }
        for name in MissionResult._PHASE_COLUMNS:
            key = name.replace(" ", "_").replace("-", "_")
            rec[f"{key}_delta_v_m_s"] = math.nan
            rec[f"{key}_duration_s"] = math.nan
        return rec

    def to_record(self) -> dict:
        """One flat row for a campaign table: delta-v and duration per phase, outcome,
        contact conditions, safety figures."""
        rec = self.empty_record()
        rec["docked"] = bool(self.docked)
        rec["failure"] = self.failure
        rec["total_delta_v_m_s"] = float(self.total_delta_v.to_value(u.m / u.s))
        rec["propellant_kg"] = float(self.total_propellant.to_value(u.kg))
        rec["duration_s"] = float((self.end - self.liftoff).to_value(u.s))
        if self.phasing_plan is not None:
            rec["phase_angle_deg"] = float(
                self.phasing_plan.phase_angle_at_insertion.to_value(u.deg)
            )
        for name in self._PHASE_COLUMNS:
            key = name.replace(" ", "_").replace("-", "_")
            matching = [p for p in self.phases if p.name == name]
            if matching:
                rec[f"{key}_delta_v_m_s"] = float(sum(p.delta_v_m_s for p in matching))
                rec[f"{key}_duration_s"] = float(sum(p.duration_s for p in matching))
        contact = self.contact
        if contact is not None:
            rec["closing_speed_m_s"] = float(contact.closing_speed_m_s)
            rec["lateral_offset_m"] = float(contact.lateral_offset_m)
            rec["lateral_rate_m_s"] = float(contact.lateral_rate_m_s)
        if self.approach is not None:
            rec["min_range_outside_corridor_m"] = _min_range_outside_corridor_m(self.approach)
            rec["n_collision_avoidance"] = int(
                sum(
                    1
                    for e in self.approach.events
                    if "collision avoidance" in e.name or e.name == "CAM"
                )
            )
        return rec

    # ------------------------------------------------------------ files
    def save(self, directory, *, figures: bool = True) -> dict[str, Path]:
        """Write the outputs into ``directory`` (created if needed): ``summary.json``,
        ``summary.txt``, ``timeline.csv``, ``budget.csv``, CCSDS OEM ephemerides
        ``chaser.oem`` and ``station.oem``, and the figures as PNG. Returns the paths."""
        import matplotlib.pyplot as plt
        import pandas as pd

        from . import plotting
        from .io import to_json, write_oem

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "summary_json": directory / "summary.json",
            "summary_txt": directory / "summary.txt",
            "timeline_csv": directory / "timeline.csv",
            "budget_csv": directory / "budget.csv",
            "chaser_oem": directory / "chaser.oem",
            "station_oem": directory / "station.oem",
        }
        paths["summary_json"].write_text(to_json(self.to_json_dict(), indent=2))
        paths["summary_txt"].write_text(self.summary() + "\n")
        self.timeline().to_csv(paths["timeline_csv"], index=False)
        pd.DataFrame(self.budget()).to_csv(paths["budget_csv"], index=False)
        write_oem(
            paths["chaser_oem"],
            self.chaser.epochs,
            self.chaser.r_km,
            self.chaser.v_km_s,
            object_name=self.mission.chaser.upper(),
            object_id="QINGZHOU-SIM-1",
            comment=f"qingzhou_sim mission {self.mission.name}",
        )
        write_oem(
            paths["station_oem"],
            self.station.epochs,
            self.station.r_km,
            self.station.v_km_s,
            object_name=self.mission.station_vehicle.upper(),
            object_id="2021-035A",
            comment="Tiangong (CSS), simulated",
        )
        if figures:
            for name, func in (
                ("ground_track", plotting.plot_ground_track),
                ("altitude_phase", plotting.plot_altitude_phase),
                ("approach_lvlh", plotting.plot_mission_approach),
                ("range", plotting.plot_range),
                ("delta_v_budget", plotting.plot_delta_v_budget),
            ):
                fig = func(self)
                paths[f"{name}_png"] = directory / f"{name}.png"
                fig.savefig(paths[f"{name}_png"], dpi=120)
                plt.close(fig)
        return paths


def _min_range_outside_corridor_m(approach) -> float:
    """Closest approach to the station while outside the approach corridor (m)."""
    value = getattr(approach, "min_range_outside_corridor", None)
    if value is not None:
        return float(u.Quantity(value).to_value(u.m))
    return math.nan


# ====================================================================== the run
_APPROACH_PHASES = {
    "homing": "homing",
    "closing": "closing",
    "fly-around": "fly-around",
    "final": "final approach",
    "hold": "holds",
}


def _station_target(mission: Mission):
    """The station as a launch target (``qingzhou_sim.launch.Target``)."""
    from .launch import Target

    orbit = mission.station
    if orbit.tle:
        return Target.from_tle(*orbit.tle)
    return Target.from_state(orbit.state(), name="Tiangong (mission file elements)")


def _vehicle_force_model(settings: dict | None, spacecraft, *, density_scale=1.0, cd_scale=1.0):
    """The mission's force model with the drag parameters of ``spacecraft``."""
    from .forces import Drag, ForceModel

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
    from .frames import _relative_to_inertial
    from .state import State

    offset = np.asarray(offset_lvlh, dtype=float)
    if not np.any(offset):
        return state
    rv = _relative_to_inertial("LVLH", state.rv_km, offset)
    return State.from_vectors(state.epoch, rv[:3], rv[3:])


def _executed_burns(burns, p: Perturbations, rng: np.random.Generator):
    """Burns as executed: magnitude error (fraction) and pointing error (per axis,
    perpendicular to the commanded direction). Draws are made for every burn so the
    sequence does not depend on which errors are switched on."""
    from .maneuvers import Burn

    out = []
    for burn in burns:
        z_mag, z_point = rng.standard_normal(), rng.standard_normal(3)
        dv = burn.dv.to_value(u.m / u.s)
        mag = np.linalg.norm(dv)
        if mag == 0 or (p.burn_magnitude_frac == 0 and p.burn_pointing_rad == 0):
            out.append(burn)
            continue
        unit = dv / mag
        perp = z_point - np.dot(z_point, unit) * unit
        executed = dv * (1.0 + p.burn_magnitude_frac * z_mag) + mag * p.burn_pointing_rad * perp
        out.append(Burn(burn.epoch, executed * (u.m / u.s), burn.frame, burn.label))
    return tuple(out)


def _choose_liftoff(mission: Mission, target, site, vehicle, station_state):
    """Liftoff epoch (and its LaunchWindow if one was searched)."""
    from .errors import InfeasiblePlanError
    from .launch import insertion_state, launch_windows
    from .phasing import PROFILES, phase_angle_windows

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
    phase_windows = phase_angle_windows(example, station_state, profiles=tuple(PROFILES))
    wanted = phase_windows[mission.phasing_profile]
    for w in windows:
        if wanted.contains(w.phase_angle):
            return w.liftoff, w
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


def _run_mission(
    mission: Mission, perturbations: Perturbations | None, progress: bool
) -> MissionResult:
    from tqdm.auto import tqdm

    from .docking import NavigationConfig, PlantConfig, ThrusterConfig, simulate_approach
    from .errors import InfeasiblePlanError
    from .frames import _inertial_to_relative, _relative_to_inertial
    from .launch import get_site, insertion_state
    from .maneuvers import Burn  # noqa: F401  (type of the executed burns)
    from .phasing import plan_phasing
    from .propagator import Propagator
    from .state import State

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
    site = get_site(mission.site)
    target = _station_target(mission)
    station_epoch_state = mission.station_state()

    # ---- launch and insertion
    liftoff, window = _choose_liftoff(mission, target, site, vehicle, station_epoch_state)
    chaser_nominal = insertion_state(liftoff, target, site=site, vehicle=vehicle)
    t_ins = chaser_nominal.epoch
    station0 = target.state_at(t_ins)
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
    try:
        plan = plan_phasing(
            chaser0, station_known, mission.phasing_profile, force_model=fm_chaser_plan
        )
    except InfeasiblePlanError as exc:
        if mission.liftoff is not None and perturbations is None:
            raise _with_working_windows(
                exc, mission, target, site, vehicle, station_epoch_state, liftoff
            ) from None
        raise
    stage("phasing plan")
    rng = np.random.default_rng(p.seed)
    burns = _executed_burns(plan.burns, p, rng)
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
        profile=mission.approach_profile or mission.port,
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
    from .errors import InfeasiblePlanError
    from .launch import insertion_state, launch_windows
    from .phasing import phase_angle_windows

    try:
        windows = launch_windows(
            liftoff - 12 * u.h, 48 * u.h, target=target, site=site, vehicle=vehicle
        )
        example = insertion_state(liftoff, target, site=site, vehicle=vehicle)
        wanted = phase_angle_windows(example, station_state, profiles=(mission.phasing_profile,))[
            mission.phasing_profile
        ]
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
    from .constants import G0_M_S2
    from .launch import insertion_state  # noqa: F401  (documentation of the insertion model)

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
    from .propagator import Propagator

    traj = Propagator(method="kepler").propagate(station0, epoch)
    return traj.final_state.r_km
