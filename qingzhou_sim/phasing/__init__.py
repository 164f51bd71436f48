"""Phasing planner: from insertion to the hand-over point behind the station.

Strategies (:func:`plan_coelliptic`, :func:`plan_lambert`, :func:`plan_n_impulse`),
named profiles mirroring the flown Chinese modes (:data:`PROFILES`), their phase-angle
windows (:func:`phase_angle_windows`), full-force targeting, and figures
(:func:`plot_phasing`). The entry point is :func:`plan_phasing`.
"""

from .core import CorrectionReport, PhasingPlan, PhasingTrack
from .plot import plot_phasing
from .profiles import (
    PROFILES,
    STRATEGIES,
    PhaseWindow,
    PhasingProfile,
    coplanar_lower_bound,
    get_profile,
    phase_angle_windows,
    plan_phasing,
)
from .station import StationPhasingPlan, plan_station_phasing
from .strategies import (
    MIN_INSERTION_PERIGEE,
    CoellipticSchedule,
    plan_coelliptic,
    plan_lambert,
    plan_n_impulse,
)

__all__ = [
    "MIN_INSERTION_PERIGEE",
    "PROFILES",
    "STRATEGIES",
    "CoellipticSchedule",
    "CorrectionReport",
    "PhaseWindow",
    "PhasingPlan",
    "PhasingProfile",
    "PhasingTrack",
    "StationPhasingPlan",
    "coplanar_lower_bound",
    "get_profile",
    "phase_angle_windows",
    "plan_coelliptic",
    "plan_lambert",
    "plan_n_impulse",
    "plan_phasing",
    "plan_station_phasing",
    "plot_phasing",
]
