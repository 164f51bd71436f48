r"""Docking approach: from the hand-over point through the hold points to contact,
capture and hard dock, with closed-loop GNC on a nonlinear truth and safety checks.

- :mod:`~qingzhou_sim.docking.profiles`: approach profiles as data (built-ins
  ``"aft"``, ``"forward"``, ``"radial"``; :func:`get_approach_profile`).
- :mod:`~qingzhou_sim.docking.config`: navigation, thrusters, plant, safety, contact
  limits, attitude, berthing, faults.
- :mod:`~qingzhou_sim.docking.simulate`: :func:`simulate_approach`;
  :mod:`~qingzhou_sim.docking.result`: :class:`ApproachResult` and its parts.
- :mod:`~qingzhou_sim.docking.plots`: :func:`plot_approach`, :func:`plot_range`,
  :func:`plot_attitude`, :func:`plot_thrusters`.
- The six-degree-of-freedom loop, one module per part: :mod:`~.bodies` (truth attitude
  of both vehicles), :mod:`~.safety`, :mod:`~.guidance`, :mod:`~.control`,
  :mod:`~.thrusters` (RCS layout and selection), :mod:`~.contact` (port-to-port
  geometry, the nine contact figures), composed by :mod:`~.loop`;
  :mod:`~qingzhou_sim.docking._kernels`: translation truth plant, CW model, Kalman
  filter, main-engine burns.

Examples
--------
>>> import astropy.units as u
>>> from astropy.time import Time
>>> from qingzhou_sim import State
>>> from qingzhou_sim.docking import simulate_approach
>>> station = State.from_elements(Time("2026-05-01T00:00:00", scale="utc"),
...                               a=6768.137 * u.km, inc=41.5 * u.deg)
>>> result = simulate_approach(station, profile="aft", noise=False)
>>> result.docked
True
"""

from __future__ import annotations

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
from .profiles import (
    APPROACH_PROFILES,
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
    ApproachEvent,
    ApproachResult,
    ContactCheck,
    ContactConditions,
    SegmentReport,
)
from .simulate import default_handover_lvlh, simulate_approach

# The figures import matplotlib (~0.1 s): loaded on first use, so that a run without
# figures (and every campaign worker) does not pay for it.
_PLOTS = ("plot_approach", "plot_attitude", "plot_range", "plot_thrusters")


def __getattr__(name: str):
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ABORT_REASONS",
    "APPROACH_PROFILES",
    "ApproachEvent",
    "ApproachProfile",
    "ApproachResult",
    "AttitudeConfig",
    "BerthingConfig",
    "Closing",
    "ContactCheck",
    "ContactConditions",
    "ContactLimits",
    "Fault",
    "FinalApproach",
    "FlyAround",
    "Hold",
    "Homing",
    "NavigationConfig",
    "PlantConfig",
    "SafetyConfig",
    "SegmentReport",
    "ThrusterConfig",
    "default_handover_lvlh",
    "get_approach_profile",
    "plot_approach",
    "plot_attitude",
    "plot_range",
    "plot_thrusters",
    "simulate_approach",
]
