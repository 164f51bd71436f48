r"""Settings of the approach simulation: navigation sensors, thrusters, truth plant,
safety rules, contact limits, attitude pointing errors, berthing sequence, faults.

Every default that is not a published figure is marked *assumption* and stays a
parameter. Lengths in m, speeds in m/s, angles in deg, times in s (unit in the name).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from ..errors import InputError, UnknownNameError

__all__ = [
    "AttitudeConfig",
    "BerthingConfig",
    "ContactLimits",
    "Fault",
    "NavigationConfig",
    "PlantConfig",
    "SafetyConfig",
    "ThrusterConfig",
]


def _check_nonneg(obj, *, positive: tuple = ()) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(value) or value < 0 or (f.name in positive and value == 0):
            raise InputError(
                f"{type(obj).__name__}.{f.name} = {value!r}; expected a finite number "
                f"{'>' if f.name in positive else '>='} 0",
                name=f.name,
                value=value,
                valid="> 0" if f.name in positive else ">= 0",
            )


@dataclass(frozen=True, slots=True)
class NavigationConfig:
    r"""Relative-navigation sensors and Kalman filter.

    Sensor regimes by range (Fehse 2003, sec. 7.1-7.3): relative GNSS beyond
    ``gnss_range_m``, radar/lidar down to ``camera_range_m``, camera close in. Each gives
    the relative position with per-axis white noise of 1-sigma

    - relative GNSS: ``gnss_sigma_m`` (assumption: 5 m, code-differential GNSS);
    - radar/lidar: ``radar_sigma_m + radar_sigma_frac * range`` (assumption: 0.1 m +
      0.1 % of range, i.e. ~3 m at 3 km from a ~0.05 deg line-of-sight error);
    - camera: ``camera_sigma_m + camera_sigma_frac * range`` (assumption: 3 mm + 0.1 %
      of range, ~2 cm at 19 m).

    The filter is a linear Kalman filter on the CW dynamics with white-acceleration
    process noise ``process_accel_m_s2 + process_accel_per_km_m_s2 * range_km``
    (unmodelled differential J2 and drag grow with separation). Inside the
    relative-GNSS range an independent monitor sensor (same sigmas times ``monitor_scale``, unaffected by navigation faults) is
    cross-checked with the filter: ``crosscheck_samples`` consecutive differences above
    ``crosscheck_k`` sigma + ``crosscheck_abs_m`` declare a navigation failure
    (Fehse 2003, sec. 4.4: independent safety monitoring).

    In the six-degree-of-freedom loop the sensors and the filter are those of
    :mod:`.sensors` and :mod:`.navigation`: the sigmas here scale the suite's
    relative-sensor noise (ratio to these defaults: GNSS, radar/lidar, camera), the
    monitor reads the raw fix of the finest valid sensor
    (:func:`.navigation.position_fix`) and bounds the estimate's error by the filter's
    covariance plus :func:`.navigation.bias_covariance`; ``gnss_range_m`` and the
    ``crosscheck_*`` settings still set the cross-check.
    """

    gnss_range_m: float = 3000.0
    camera_range_m: float = 150.0
    gnss_sigma_m: float = 5.0
    radar_sigma_m: float = 0.1
    radar_sigma_frac: float = 1e-3
    camera_sigma_m: float = 0.003
    camera_sigma_frac: float = 1e-3
    initial_velocity_sigma_m_s: float = 0.02
    process_accel_m_s2: float = 1e-6
    process_accel_per_km_m_s2: float = 1e-5
    monitor_scale: float = 1.0
    crosscheck_k: float = 6.0
    crosscheck_abs_m: float = 0.05
    crosscheck_samples: int = 5

    def __post_init__(self):
        _check_nonneg(self, positive=("crosscheck_samples", "crosscheck_k"))

    def scaled(self, factor: float) -> NavigationConfig:
        """A copy with every sensor sigma multiplied by ``factor`` (Monte Carlo scale)."""
        if not (math.isfinite(factor) and factor >= 0):
            raise InputError(f"factor = {factor!r}; expected >= 0", name="factor", value=factor)
        return replace(
            self,
            gnss_sigma_m=self.gnss_sigma_m * factor,
            radar_sigma_m=self.radar_sigma_m * factor,
            radar_sigma_frac=self.radar_sigma_frac * factor,
            camera_sigma_m=self.camera_sigma_m * factor,
            camera_sigma_frac=self.camera_sigma_frac * factor,
        )


@dataclass(frozen=True, slots=True)
class ThrusterConfig:
    """Thruster model.

    ``main_thrust_n`` (None: the chaser's ``thrust_n``, 4 x 490 N) executes transfer
    burns; ``rcs_thrust_n`` is the RCS force along one lateral axis, shared by the six
    thrusters of the layout (:func:`~qingzhou_sim.docking.thrusters.qingzhou_rcs_layout`)
    that push that way: 150 N -> 25 N each (assumption: Tianzhou's smallest attitude
    thrusters, TZ-SPEC). The RCS executes attitude control, holds and straight lines;
    execution errors of its thrusters are static per thruster over a run.
    The minimum impulse bit is not a setting here: it is the chaser's own
    ``Spacecraft.min_impulse_bit_m_s`` (one figure, :mod:`qingzhou_sim.vehicles`), times
    its mass for the impulse in N s; ``impulse_quantum_n_s``: on-time
    resolution (assumption: 2 ms -> 0.05 N s). Execution errors (applied only when the
    simulation's noise is on): magnitude 1-sigma fraction and pointing 1-sigma per axis
    (defaults 1 % and 1 deg, as the Monte Carlo defaults; Fehse 2003, sec. 5.6).
    ``isp_s`` None: the chaser's ``isp_s``.
    """

    main_thrust_n: float | None = None
    rcs_thrust_n: float = 150.0
    impulse_quantum_n_s: float = 0.05
    magnitude_sigma: float = 0.01
    pointing_sigma_deg: float = 1.0
    isp_s: float | None = None

    def __post_init__(self):
        _check_nonneg(self, positive=("rcs_thrust_n",))
        for name in ("main_thrust_n", "isp_s"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise InputError(
                    f"ThrusterConfig.{name} = {value!r}; expected > 0", name=name, value=value
                )


@dataclass(frozen=True, slots=True)
class PlantConfig:
    """Truth dynamics: both absolute states integrated with fixed-step RK4 under
    two-body + J2 (switch ``j2``) + drag (switch ``drag``) with the exponential
    atmosphere of Vallado (2013), Table 8-4, scaled by ``density_scale_*``.
    ``chaser`` and ``station`` are :class:`~qingzhou_sim.vehicles.Spacecraft` keys or
    objects (mass, drag area, Cd)."""

    j2: bool = True
    drag: bool = True
    chaser: object = "qingzhou"
    station: object = "tiangong"
    density_scale_chaser: float = 1.0
    density_scale_station: float = 1.0
    cd_scale_chaser: float = 1.0
    cd_scale_station: float = 1.0
    step_s: float = 10.0

    def __post_init__(self):
        _check_nonneg(self, positive=("step_s",))


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """Safety zones and rules (Fehse 2003, ch. 4; ISS sizes, mission-facts.md sec. 4:
    keep-out sphere 200 m and approach ellipsoid 4 x 2 x 2 km, SE-KOS, NASA-JSC).

    ``passive_horizon_s``: free-drift horizon of the passive-safety check (24 h,
    unpublished default): the closest approach over it is computed and reported for
    every transfer burn; a collision-avoidance manoeuvre replaces the departure burn of
    a transfer when its drift would enter the keep-out sphere within
    ``passive_enforce_horizon_s``
    (assumption: 3 h, two orbits; a secular drift of a fraction of a mm/s, which any
    mid-course correction leaves, takes about a day to cross the last tens of metres
    and is caught by the next hold's station keeping); ``cam_dv_m_s``:
    collision-avoidance boost (assumption 0.5 m/s,
    Dragon's close-range burns are 0.31-0.37 m/s, NSF-CRS9); ``gate_distance_m``: the
    final go/no-go gate, where the estimated lateral offset must be below
    ``gate_lateral_m`` and the lateral rate below ``gate_lateral_rate_m_s``;
    ``tracking_abs_m + tracking_rel * distance`` is the largest tolerated deviation from
    the straight-line reference.
    """

    keep_out_radius_m: float = 200.0
    approach_ellipsoid_m: tuple = (2000.0, 1000.0, 1000.0)
    passive_horizon_s: float = 86400.0
    passive_step_s: float = 60.0
    passive_enforce_horizon_s: float = 10800.0
    cam_dv_m_s: float = 0.5
    gate_distance_m: float = 1.5
    gate_lateral_m: float = 0.10
    gate_lateral_rate_m_s: float = 0.05
    tracking_abs_m: float = 1.0
    tracking_rel: float = 0.05
    collision_distance_m: float = 10.0

    def __post_init__(self):
        _check_nonneg(self, positive=("keep_out_radius_m", "passive_horizon_s", "passive_step_s"))
        ae = tuple(float(x) for x in self.approach_ellipsoid_m)
        if len(ae) != 3 or min(ae) <= 0:
            raise InputError(
                f"approach_ellipsoid_m = {self.approach_ellipsoid_m!r}; "
                "expected three positive semi-axes",
                name="approach_ellipsoid_m",
                value=self.approach_ellipsoid_m,
            )
        object.__setattr__(self, "approach_ellipsoid_m", ae)


@dataclass(frozen=True, slots=True)
class ContactLimits:
    """Initial-contact envelope of the Chinese androgynous peripheral docking mechanism
    (SAST-APAS; mission-facts.md sec. 2)."""

    closing_speed_min_m_s: float = 0.08
    closing_speed_max_m_s: float = 0.18
    lateral_offset_m: float = 0.16
    lateral_rate_m_s: float = 0.10
    pitch_yaw_deg: float = 3.0
    roll_deg: float = 5.0
    angular_rate_deg_s: float = 0.6

    def __post_init__(self):
        _check_nonneg(self)


@dataclass(frozen=True, slots=True)
class AttitudeConfig:
    """Attitude of both vehicles (the truth of :mod:`~qingzhou_sim.docking.bodies`) and
    the chaser's attitude control; angles as (roll about x, pitch about y, yaw about z)
    of each body, deg and deg/s.

    - ``station_error_deg``: the station's hold attitude relative to LVLH, held by its
      control-moment gyroscopes as a PD loop of natural period ``station_period_s`` and
      damping ``station_damping``; ``station_rate_deg_s`` its initial rate relative to
      LVLH. Assumption (unpublished for Tiangong): a few tenths of a degree, as a
      station flying near a torque-equilibrium attitude; a 10 min, 0.7 loop.
    - ``chaser_error_deg`` / ``chaser_rate_deg_s``: the chaser's attitude and rate
      errors at hand-over (zero by default; Monte Carlo dispersions).
    - ``com_offset_m``: the chaser's true centre of mass minus the flight software's
      value (body axes, m). Assumption: 2 cm off the axis (cargo loading; unpublished).
    - ``inertia_scale``: true / flight-software principal inertia (1: known).
    - ``time_constant_s``: attitude correction time constant (at least two control
      periods are used, for a stable sampled loop); ``max_rate_deg_s`` the largest
      correction rate commanded. It must exceed the rate one minimum roll pulse gives
      (a couple of two 12.5 N s pulses on 1.65 m arms: ~0.35 deg/s on Qingzhou's
      6,800 kg m^2), or the roll loop could never fire.
    - ``step_s``: integration step of the attitude dynamics.
    """

    station_error_deg: tuple = (0.1, 0.2, 0.1)
    station_rate_deg_s: tuple = (0.0, 0.0, 0.0)
    station_period_s: float = 600.0
    station_damping: float = 0.7
    chaser_error_deg: tuple = (0.0, 0.0, 0.0)
    chaser_rate_deg_s: tuple = (0.0, 0.0, 0.0)
    com_offset_m: tuple = (0.0, 0.02, -0.02)
    inertia_scale: tuple = (1.0, 1.0, 1.0)
    time_constant_s: float = 4.0
    max_rate_deg_s: float = 0.5
    step_s: float = 10.0

    def __post_init__(self):
        _check_nonneg(
            self,
            positive=("station_period_s", "time_constant_s", "max_rate_deg_s", "step_s"),
        )
        for f in fields(self):
            if f.type != "tuple":
                continue
            value = getattr(self, f.name)
            vec = tuple(float(x) for x in value)
            bad = len(vec) != 3 or not all(math.isfinite(x) for x in vec)
            if f.name == "inertia_scale" and not bad:
                bad = min(vec) <= 0
            if bad:
                raise InputError(
                    f"AttitudeConfig.{f.name} = {value!r}; expected three finite numbers"
                    + (" > 0" if f.name == "inertia_scale" else ""),
                    name=f.name,
                    value=value,
                )
            object.__setattr__(self, f.name, vec)


@dataclass(frozen=True, slots=True)
class BerthingConfig:
    """Capture -> buffering -> retraction -> latching durations (s). Total ~15 min
    (PD-SZ8, mission-facts.md sec. 2); the split is an assumption."""

    capture_s: float = 30.0
    buffering_s: float = 240.0
    retraction_s: float = 330.0
    latching_s: float = 300.0

    def __post_init__(self):
        _check_nonneg(self)

    @property
    def total_s(self) -> float:
        return self.capture_s + self.buffering_s + self.retraction_s + self.latching_s


FAULT_KINDS = ("thruster_stuck_off", "nav_bias")


@dataclass(frozen=True, slots=True)
class Fault:
    """A forced failure.

    Parameters
    ----------
    kind : {"thruster_stuck_off", "nav_bias"}
        Translation thrusters deliver nothing (the collision-avoidance chain is
        independent, Fehse 2003, sec. 4.5), or the primary navigation sensor gets a
        constant bias ``bias_m`` (LVLH, m).
    segment : str or int
        Segment label or index when the fault starts (``"final"``: the final approach).
    after_s : float
        Delay after the start of that segment.
    duration_s : float
        How long a thruster fault lasts (inf: for good).
    """

    kind: str
    segment: object = "final"
    after_s: float = 0.0
    duration_s: float = math.inf
    bias_m: tuple = (0.0, 0.0, 0.0)

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise UnknownNameError("fault kind", self.kind, FAULT_KINDS)
        if not (math.isfinite(self.after_s) and self.after_s >= 0) or not self.duration_s > 0:
            raise InputError(
                f"fault after_s = {self.after_s!r}, duration_s = {self.duration_s!r}; "
                "expected after_s >= 0 and duration_s > 0",
                name="after_s",
                value=self.after_s,
            )
        bias = tuple(float(x) for x in self.bias_m)
        if len(bias) != 3 or not all(math.isfinite(x) for x in bias):
            raise InputError(
                f"bias_m = {self.bias_m!r}; expected 3 finite numbers (m)",
                name="bias_m",
                value=self.bias_m,
            )
        object.__setattr__(self, "bias_m", bias)
