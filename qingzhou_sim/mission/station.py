"""Station phasing stage of a mission: the station's own orbit-adjust burns in the days
before a fast-rendezvous launch, flown so that the chaser can launch "zero-window" into
a phase angle its phasing profile can fly (Murtazin & Petrov 2012, Acta Astronautica
77, 77-82; Fehse 2003, sec. 2.2.1).

The burns are planned by :func:`qingzhou_sim.phasing.plan_station_phasing` (a Hohmann
pair from the station's epoch, refined through the force model) and flown in the same
force model; their delta-v is the station's cost, outside the chaser's budget.

Lowering or raising the station by up to 15 km speeds its node regression by up to
~0.8 % (J2: the rate goes as a^-3.5, Vallado 2013, eq. 9-41), ~0.04 deg a day, so the
launch is re-aimed at the plane of the phased station: the window is searched again
near the first one with the phased station as the target, and the burns re-planned
for that insertion.

Takes the mission as an argument and never imports :mod:`.config`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import astropy.units as u
import numpy as np

if TYPE_CHECKING:
    from .config import Mission
    from .launching import LaunchStage

__all__ = ["STATION_PHASING_MODES", "fits_profile", "phase_station", "profile_window"]

STATION_PHASING_MODES = ("auto", "wait", "none")

# Window re-search span about the first window once the station is phased: the
# crossing moves by seconds (a 0.04 deg plane change at Jiuquan's ~50 m/s cross-plane
# speed), so +-30 min brackets it.
_RESEARCH_S = 1800.0


def profile_window(mission: Mission, chaser, station):
    """The mission's phasing-profile window of phase angles at insertion
    (``phasing.phase_angle_windows``)."""
    from ..phasing import phase_angle_windows
    from .launching import phasing_profile

    prof = phasing_profile(mission)
    return phase_angle_windows(chaser, station, profiles=(prof,))[prof.name]


def fits_profile(mission: Mission, chaser, station) -> bool:
    """True when the station's phase angle at the chaser's insertion lies in the
    mission's phasing-profile window."""
    from ..launch._kernels import _phase_angle

    s = station.rv_km
    phase = float(np.rad2deg(_phase_angle(chaser.r_km, s[:3], np.cross(s[:3], s[3:]))))
    return profile_window(mission, chaser, station).contains(phase * u.deg)


def _plan(mission: Mission, chaser):
    from ..phasing import plan_station_phasing
    from .launching import phasing_profile

    return plan_station_phasing(
        mission.station_state(), chaser, phasing_profile(mission), force_model=None
    )


def phase_station(mission: Mission, stage: LaunchStage) -> LaunchStage:
    """The launch stage with the station phased for it: the station's burns, the
    window re-aimed at the phased station's plane, the station at insertion after its
    burns.

    Raises
    ------
    InfeasiblePlanError
        The station cannot be phased for this launch (altitude change beyond 15 km or
        out of the 340-450 km band, or too little time between the station's epoch and
        the insertion).
    """
    from dataclasses import replace

    from astropy.time import TimeDelta

    from ..launch import Target, insertion_state, launch_windows

    vehicle = mission.launcher()
    first = _plan(mission, stage.chaser_nominal)
    target = Target.from_state(first.station_at_insertion, name="Tiangong (phased)")
    liftoff, window = stage.liftoff, stage.window
    if window is not None:
        around = launch_windows(
            window.in_plane - TimeDelta(_RESEARCH_S * u.s),
            2 * _RESEARCH_S * u.s,
            target=target,
            site=stage.site,
            vehicle=vehicle,
        )
        window = min(around, key=lambda w: abs((w.in_plane - window.in_plane).to_value(u.s)))
        liftoff = window.liftoff
    chaser = insertion_state(liftoff, target, site=stage.site, vehicle=vehicle)
    plan = _plan(mission, chaser)
    return replace(
        stage,
        target=target,
        liftoff=liftoff,
        window=window,
        chaser_nominal=chaser,
        station0=plan.station_at_insertion,
        station_phasing=plan,
    )
