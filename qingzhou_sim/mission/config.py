"""Mission configuration: :class:`Mission`, :class:`StationOrbit`, :class:`Perturbations`
and their TOML form."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import as_time
from ..errors import InputError, MissionFileError, UnknownNameError

if TYPE_CHECKING:  # the result module imports this one
    from .result import MissionResult

__all__ = ["Mission", "Perturbations", "StationOrbit"]

PORTS = ("aft", "forward", "radial")
_DEFAULT_EPOCH = "2026-12-01T00:00:00Z"


def _utc(t: Time) -> str:
    return t.utc.isot + "Z"


@dataclass(frozen=True, slots=True)
class StationOrbit:
    """The station's orbit: classical elements at an epoch, or a TLE.

    Defaults are the nominal Tiangong orbit of ``mission-facts.md`` sec. 1: near-circular
    at a typical 386 x 391 km (ORION-TZ7, Jan 2024), inclination 41.5 deg (TZ5-WIKI).
    The node is arbitrary (nominal); pass a TLE for a real date. The default true
    anomaly (293.2 deg at the epoch, perigee at the node) puts the station 4.7 deg
    ahead of Qingzhou at the first Jiuquan insertion of 2026-12-01 (liftoff at the
    pad's in-plane instant, Jiuquan's practice), the middle of the 3-hour profile's
    phase window (``Mission.with_station_phased``): as real fast-rendezvous missions
    do, the station is assumed phased for the launch by its own orbit adjustments in
    the days before (``Mission.station_phasing`` flies them for other profiles).
    """

    epoch: str = _DEFAULT_EPOCH
    perigee_altitude_km: float = 386.0
    apogee_altitude_km: float = 391.0
    inc_deg: float = 41.5
    raan_deg: float = 0.0
    argp_deg: float = 0.0
    nu_deg: float = 293.2
    tle: tuple[str, ...] = ()

    def __post_init__(self):
        for key, expected in _STATION_TYPES.items():
            value = getattr(self, key)
            if key == "tle":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(x, str) for x in value
                ):
                    raise MissionFileError(
                        f"station.tle = {_short(value)}; expected two TLE lines as strings",
                        name="station.tle",
                        value=value,
                        valid="2 strings",
                    )
            else:
                object.__setattr__(
                    self, key, _check_type("station", f"station.{key}", value, expected)
                )
        as_time(self.epoch, "station.epoch")
        if self.tle and len(self.tle) != 2:
            raise MissionFileError(
                f"station.tle has {len(self.tle)} lines; expected 2 (line 1 and line 2)",
                name="station.tle",
                value=len(self.tle),
                valid="2 lines",
            )
        object.__setattr__(self, "tle", tuple(self.tle))
        if self.tle:
            from ..launch import validate_tle

            validate_tle(*self.tle)
        else:
            self.state()  # checks the elements now (perigee above the surface, ...)

    def state(self):
        """The station's GCRS state at :attr:`epoch` (from the TLE, if given)."""
        from ..state import State

        if self.tle:
            from ..launch import station_from_tle

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
    # approach (six degrees of freedom): sensor-suite bias and misalignment sigmas as
    # multiples of their defaults, per-thruster execution errors, and the chaser's
    # attitude (3-2-1 roll, pitch, yaw) and rate errors at hand-over and true / flight
    # software principal inertia
    sensor_bias_scale: float = 0.0
    sensor_misalignment_scale: float = 0.0
    thruster_magnitude_frac: float = 0.0
    thruster_misalignment_rad: float = 0.0
    chaser_attitude_error_rad: tuple[float, ...] = (0.0,) * 3
    chaser_rate_error_rad_s: tuple[float, ...] = (0.0,) * 3
    inertia_scale: tuple[float, ...] = (1.0,) * 3

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
        Approach profile name (``qingzhou-sim profiles``). None: the built-in profile of
        ``port``, in its fast variant (short holds, ``"<port>-fast"``) for the fast
        phasing profiles and in its classic form for ``"two-day"``.
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
    station_phasing : {"auto", "wait", "none"}
        When no launch window of the search span gives a phase angle the profile can
        fly (or the given ``liftoff`` does not): "auto" (default) flies the station's
        own phasing burns before the launch (from the station epoch; their delta-v is
        the station's cost) for the first window it can be phased for, "wait" searches
        the windows day after day (up to 60 days) without station burns, "none" stops
        with the error that lists the windows and profiles that would work.
    launch_date : str or None
        Launch day, ``"YYYY-MM-DD"`` (UTC): the window search starts at its 00:00 UTC
        (instead of ``window_search_start``).
    insertion_perigee_km, insertion_apogee_km : float or None
        This mission's insertion orbit (altitudes, km), when the launcher targets a
        mission-specific one (Shenzhou-8: 200 x 329 km, CD-SZ8-ORBIT); None: the launch
        vehicle's nominal insertion (``vehicles.LaunchVehicle``).
    flown : dict or None
        The real flight this mission reproduces, for the report: ``flight`` (name),
        ``liftoff`` and ``docking`` (ISO UTC 'Z'), ``source``, ``notes``; the summary
        prints the flown liftoff-to-docking time beside the simulated one.
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
    station_phasing: str = "auto"
    launch_date: str | None = None
    insertion_perigee_km: float | None = None
    insertion_apogee_km: float | None = None
    flown: dict | None = None

    def __post_init__(self):
        # Every field is checked here, when the mission is built, not when it runs.
        if isinstance(self.station, dict):
            object.__setattr__(self, "station", _station_from_dict(self.station))
        if not isinstance(self.station, StationOrbit):
            raise MissionFileError(
                f"station = {_short(self.station)} of type {type(self.station).__name__}; "
                "expected a StationOrbit or a table of its fields",
                name="station",
                value=self.station,
                valid="StationOrbit or dict",
            )
        for key, expected in _FIELD_TYPES.items():
            value = getattr(self, key)
            if key != "station" and not (value is None and key in _OPTIONAL):
                object.__setattr__(self, key, _check_type("mission", key, value, expected))
        _check_label(self.name)
        if self.port not in PORTS:
            raise UnknownNameError("docking port", self.port, PORTS)
        if self.liftoff is not None:
            as_time(self.liftoff, "liftoff")
        if self.window_search_start is not None:
            as_time(self.window_search_start, "window_search_start")
        _check_scheme_keys(self)
        for key, (low, high, unit, why) in _BOUNDS.items():
            value = getattr(self, key)
            if not (math.isfinite(value) and low < value <= high):
                raise MissionFileError(
                    f"{key} = {value!r} {unit}; expected {low:g} < {key} <= {high:g} {unit} ({why})",
                    name=key,
                    value=value,
                    valid=f"({low:g}, {high:g}] {unit}",
                )
        if not 0 <= self.seed < 2**63:
            raise MissionFileError(
                f"seed = {self.seed!r}; expected an integer 0 <= seed < 2**63 (a TOML integer)",
                name="seed",
                value=self.seed,
                valid="[0, 2**63)",
            )
        self._check_names()
        self._check_force_model()
        try:  # a bad insertion orbit raises here, not when the mission runs
            self.launcher()
        except InputError as exc:
            raise MissionFileError(
                f"insertion orbit: {exc}", name=exc.name, value=exc.value, valid=exc.valid
            ) from None

    def _check_force_model(self) -> None:
        if self.force_model is None:
            return
        from ..errors import QingzhouError
        from ..forces import ForceModel

        try:
            ForceModel.from_dict(self.force_model)
        except QingzhouError as exc:
            raise MissionFileError(
                f"force_model: {exc}", name="force_model", value=self.force_model
            ) from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise MissionFileError(
                f"force_model = {_short(self.force_model)} is not valid force-model settings "
                f"({type(exc).__name__}: {exc}); expected the form of ForceModel.to_dict()",
                name="force_model",
                value=self.force_model,
                valid="ForceModel.to_dict() form",
            ) from None

    def _check_names(self) -> None:
        from ..launch import SITES
        from ..phasing import PROFILES
        from ..vehicles import LAUNCH_VEHICLES, SPACECRAFT

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
            from ..docking import APPROACH_PROFILES

            if self.approach_profile not in APPROACH_PROFILES:
                raise UnknownNameError("approach profile", self.approach_profile, APPROACH_PROFILES)
            port = APPROACH_PROFILES[self.approach_profile].port
            if port != self.port:
                raise MissionFileError(
                    f"approach profile {self.approach_profile!r} flies to the {port} port, but port = "
                    f"{self.port!r}; set approach_profile to a {self.port} profile or leave it unset",
                    name="approach_profile",
                    value=self.approach_profile,
                    valid=[n for n, p in APPROACH_PROFILES.items() if p.port == self.port],
                )

    # ------------------------------------------------------------ construction
    @classmethod
    def default(cls) -> Mission:
        """The reference case: Qingzhou on Kinetica-2 from Jiuquan to Tiangong, 3-hour
        fast-rendezvous profile, Tianhe aft port."""
        return cls()

    def replace(self, **changes) -> Mission:
        """A copy with some fields changed (``dataclasses.replace``), validated as a new
        mission.

        Raises
        ------
        MissionFileError
            Unknown field name, or a value the field does not accept.
        """
        allowed = sorted(f.name for f in fields(self))
        unknown = sorted(set(changes) - set(allowed))
        if unknown:
            raise MissionFileError(
                f"Mission has no field {unknown[0]!r}; fields: {', '.join(allowed)}",
                name=unknown[0],
                value=changes[unknown[0]],
                valid=tuple(allowed),
            )
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
        :meth:`default`.

        Raises
        ------
        MissionFileError
            Unreadable, too large, not UTF-8, malformed or too deeply nested TOML; an
            unknown key, a wrong type or a bad value (the message names the key and its
            line).
        """
        from ..io import _read_toml_text

        text, data = _read_toml_text(path)
        try:
            return cls.from_dict(data, source=str(path))
        except MissionFileError as exc:
            line = _key_line(text, exc.name)
            if line is None:
                raise
            raise MissionFileError(
                f"{path}, line {line}: {str(exc).removeprefix(f'{path}: ')}",
                name=exc.name,
                value=exc.value,
                valid=exc.valid,
            ) from None

    def to_toml(self, path=None) -> str:
        """TOML text of the mission (written to ``path`` when given)."""
        from ..io import toml_dumps

        text = toml_dumps(self.to_dict())
        if path is not None:
            Path(path).write_text(text)
        return text

    # ------------------------------------------------------------ running
    def run(
        self,
        *,
        perturbations: Perturbations | None = None,
        progress: bool = False,
        phasing_reference=None,
    ) -> MissionResult:
        """Fly the mission: launch window, insertion, phasing, approach, docking, berthing.

        Parameters
        ----------
        perturbations : Perturbations, optional
            Dispersions of one Monte Carlo sample (default: the nominal mission).
        progress : bool
            Show the stages on the terminal (tqdm).
        phasing_reference : PhasingPlan, optional
            Re-plan the phasing near this plan (usually the nominal run's
            ``phasing_plan``) rather than by the full multi-start search, as a ground
            segment re-plans from its nominal solution once the insertion is measured
            (see ``plan_phasing(reference=...)``). With no insertion or station
            knowledge error the plan is this one. :func:`~qingzhou_sim.run_campaign`
            uses it for every sample.

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
        from ._guard import single_thread_blas
        from .stages import fly_mission

        noise = 1.0 if self.navigation_noise else 0.0
        p = perturbations or Perturbations(
            seed=self.seed,
            navigation_scale=noise,
            sensor_bias_scale=noise,
            sensor_misalignment_scale=noise,
        )
        # One run at a time per process, BLAS on one thread: the same numbers in any
        # process, pool or Dask worker (see _guard._RunGuard).
        with single_thread_blas():
            return fly_mission(self, p, progress, phasing_reference, perturbations is not None)

    def with_liftoff(self) -> Mission:
        """This mission with ``liftoff`` fixed to the launch window that :meth:`run`
        would pick (a campaign searches the windows once, not once per sample),
        including a window that needs the station's phasing (``station_phasing``)."""
        if self.liftoff is not None:
            return self
        from .launching import launch_stage

        liftoff = launch_stage(self).liftoff
        # Nanosecond digits: the fixed liftoff must reproduce the searched one exactly.
        return replace(self, liftoff=Time(liftoff, precision=9).utc.isot + "Z")

    def with_station_phased(self) -> Mission:
        """This mission with the station moved along its orbit so that the first launch
        window of the search puts it in the middle of the phasing profile's window of
        phase angles at insertion.

        Real fast-rendezvous missions get there with station orbit adjustments in the
        days before launch; this is their end result (the adjustments themselves are
        not simulated). Use it to fly a profile other than the one the default station
        is phased for.

        Raises
        ------
        MissionFileError
            If the station is given by a TLE (a real orbit is not moved).
        """
        from ..launch import get_site, insertion_state, launch_windows
        from ..phasing import phase_angle_windows
        from .launching import station_target

        if self.station.tle:
            raise MissionFileError(
                "with_station_phased() needs station elements, not a TLE (a real orbit is not moved)",
                name="station.tle",
            )
        site, vehicle = get_site(self.site), self.launcher()
        start = as_time(self.window_search_start or self.station.epoch, "window_search_start")
        mission = self
        for _ in range(3):  # the phase moves ~1:1 with the station's anomaly; 3 passes converge
            target = station_target(mission)
            window = launch_windows(start, 24 * u.h, target=target, site=site, vehicle=vehicle)[0]
            chaser = insertion_state(window.liftoff, target, site=site, vehicle=vehicle)
            wanted = phase_angle_windows(
                chaser, target.state_at(chaser.epoch), profiles=(self.phasing_profile,)
            )
            shift = float(
                ((window.phase_angle - wanted[self.phasing_profile].centre).to_value(u.deg) + 180)
                % 360
                - 180
            )
            station = replace(mission.station, nu_deg=(mission.station.nu_deg - shift) % 360.0)
            mission = replace(mission, station=station)
        return mission

    # ------------------------------------------------------------ helpers
    @property
    def approach_profile_name(self) -> str:
        """The approach profile that :meth:`run` flies (see ``approach_profile``)."""
        if self.approach_profile is not None:
            return self.approach_profile
        from .schemes import approach_profile_for

        return approach_profile_for(self.phasing_profile, self.port)

    def station_state(self):
        return self.station.state()

    def chaser_vehicle(self):
        from ..vehicles import get_spacecraft

        return get_spacecraft(self.chaser)

    def station_spacecraft(self):
        from ..vehicles import get_spacecraft

        return get_spacecraft(self.station_vehicle)

    def launcher(self):
        """The launch vehicle, with this mission's insertion orbit when it has one."""
        from dataclasses import replace as _replace

        from ..vehicles import get_launch_vehicle

        vehicle = get_launch_vehicle(self.launch_vehicle)
        orbit = {
            key: getattr(self, key)
            for key in ("insertion_perigee_km", "insertion_apogee_km")
            if getattr(self, key) is not None
        }
        return _replace(vehicle, **orbit) if orbit else vehicle

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
    "station_phasing": str,
    "launch_date": str,
    "insertion_perigee_km": float,
    "insertion_apogee_km": float,
    "flown": dict,
}

_OPTIONAL = {
    "liftoff",
    "window_search_start",
    "approach_profile",
    "force_model",
    "launch_date",
    "insertion_perigee_km",
    "insertion_apogee_km",
    "flown",
}

# Bounds that keep the sizes of a run finite and stated up front: (low, high, unit, why).
_BOUNDS = {
    # 744 h: launch.windows.MAX_SPAN_HOURS, the longest span one search covers.
    "window_search_hours": (0.0, 744.0, "h", "one month of launch windows at most"),
    "control_rate_hz": (0.0, 50.0, "Hz", "at most 50 Hz: ~2e5 GNC steps per hour of approach"),
    "output_step_s": (
        0.5,
        86400.0,
        "s",
        "at least 0.5 s: ~4e5 samples per output over a two-day mission",
    ),
}


def _short(value, limit: int = 60) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_label(name: str) -> None:
    """The mission name labels reports and output files: one printable line, no path."""
    bad = (
        not name.strip()
        or len(name) > 100
        or not name.isprintable()
        or any(c in name for c in '/\\:*?"<>|')
    )
    if bad:
        raise MissionFileError(
            f"name = {_short(name)}; expected 1 to 100 printable characters without "
            'path separators or any of :*?"<>|',
            name="name",
            value=name,
            valid="printable label",
        )


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


def _key_line(text: str, name) -> int | None:
    """Line (1-based) where the key ``name`` (``"seed"`` or ``"station.tle"``) is set."""
    if not isinstance(name, str) or not name:
        return None
    parts = name.split(".")
    table = ".".join(parts[:-1])
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip()
            continue
        if current == table and re.match(rf"\s*[\"']?{re.escape(parts[-1])}[\"']?\s*=", line):
            return number
    return None


def _check_type(source: str, key: str, value, expected):
    ok = isinstance(value, expected) and not (expected in (int, float) and isinstance(value, bool))
    if expected is float and isinstance(value, int | np.integer) and not isinstance(value, bool):
        if abs(value) > 2**63:
            ok = False
        else:
            return float(value)
    if expected is float and isinstance(value, np.floating):
        return float(value)
    if expected is int and isinstance(value, np.integer):
        return int(value)
    if not ok:
        raise MissionFileError(
            f"{source}: key {key!r} has value {_short(value)} of type {type(value).__name__}; expected {expected.__name__}",
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


_STATION_PHASING_MODES = ("auto", "wait", "none")
_FLOWN_KEYS = ("flight", "liftoff", "docking", "source", "notes")


def _check_scheme_keys(mission) -> None:
    """``station_phasing``, ``launch_date`` and ``flown`` (issue 15)."""
    if mission.station_phasing not in _STATION_PHASING_MODES:
        raise UnknownNameError(
            "station_phasing mode", mission.station_phasing, _STATION_PHASING_MODES
        )
    if mission.launch_date is not None:
        text = str(mission.launch_date)
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise MissionFileError(
                f"launch_date = {text!r}; expected a UTC day as 'YYYY-MM-DD'",
                name="launch_date",
                value=text,
                valid="YYYY-MM-DD",
            )
        as_time(text + "T00:00:00Z", "launch_date")
    if mission.flown is not None:
        unknown = sorted(set(mission.flown) - set(_FLOWN_KEYS))
        if unknown:
            raise MissionFileError(
                f"unknown key 'flown.{unknown[0]}'; allowed keys in [flown]: {', '.join(_FLOWN_KEYS)}",
                name=f"flown.{unknown[0]}",
                value=mission.flown[unknown[0]],
                valid=_FLOWN_KEYS,
            )
        for key in ("liftoff", "docking"):
            if key in mission.flown:
                as_time(mission.flown[key], f"flown.{key}")
