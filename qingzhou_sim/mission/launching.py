"""Launch stage of a mission: the station as a launch target, the liftoff (given or
searched in the launch windows) and the Kinetica-2 insertion.

Takes the mission's configuration as an argument and never imports
:mod:`qingzhou_sim.mission.config` (imports one way: config -> stages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import as_time

if TYPE_CHECKING:
    from .config import Mission

__all__ = [
    "LaunchStage",
    "choose_liftoff",
    "launch_stage",
    "phasing_profile",
    "station_target",
    "utc",
]


def utc(t: Time) -> str:
    """ISO UTC text of an epoch with a trailing 'Z'."""
    return t.utc.isot + "Z"


@dataclass(frozen=True)
class LaunchStage:
    """What the launch stage hands on: the site, the station as a launch target, the
    liftoff and its launch window (None for a given liftoff), the nominal insertion
    state, the station at insertion and the station's pre-launch phasing
    (``StationPhasingPlan`` or None)."""

    site: object
    target: object
    liftoff: Time
    window: object
    chaser_nominal: object
    station0: object
    station_phasing: object = None

    @property
    def insertion(self) -> Time:
        return self.chaser_nominal.epoch


def station_target(mission: Mission):
    """The station as a launch target (``qingzhou_sim.launch.Target``)."""
    from ..launch import Target

    orbit = mission.station
    if orbit.tle:
        return Target.from_tle(*orbit.tle)
    return Target.from_state(orbit.state(), name="Tiangong (mission file elements)")


def phasing_profile(mission: Mission):
    """The ``PhasingProfile`` the mission flies (its scheme's, for its port)."""
    from .schemes import phasing_profile_for

    return phasing_profile_for(mission.phasing_profile, mission.port)


def _search_start(mission: Mission) -> Time:
    if mission.launch_date is not None:
        return as_time(mission.launch_date + "T00:00:00Z", "launch_date")
    return as_time(mission.window_search_start or mission.station.epoch, "window_search_start")


def search_epochs(mission: Mission) -> Time | None:
    """The epochs at which ``mission``'s launch stage samples the pad's position first
    (its window search; the Earth orientation there is most of the stage's time), or
    None when its liftoff is given (no search)."""
    from ..constants import as_duration_s
    from ..launch.windows import _samples

    if mission.liftoff is not None:
        return None
    span_s = as_duration_s(mission.window_search_hours * u.h, "duration")
    return _samples(_search_start(mission), span_s)[1]


def _search(mission: Mission, target, site, vehicle):
    """(first window the profile can fly as the station is, or None; the error to
    raise if None, built only when asked for)."""
    from ..errors import InfeasiblePlanError
    from ..launch import insertion_state, launch_windows
    from ..phasing import phase_angle_windows

    start = _search_start(mission)
    windows = launch_windows(
        start, mission.window_search_hours * u.h, target=target, site=site, vehicle=vehicle
    )
    if len(windows) == 0:
        error = InfeasiblePlanError(
            f"no in-plane launch window from {site.name} in {mission.window_search_hours} h "
            f"from {utc(start)}; lengthen window_search_hours",
            name="window_search_hours",
            value=mission.window_search_hours,
        )
        return None, lambda: error
    example = insertion_state(windows[0].liftoff, target, site=site, vehicle=vehicle)
    station_at = target.state_at(example.epoch)
    prof = phasing_profile(mission)
    wanted = phase_angle_windows(example, station_at, profiles=(prof,))[prof.name]
    for w in windows:
        if wanted.contains(w.phase_angle):
            return w, None
    return None, lambda: _no_window_error(mission, windows, example, station_at, start, wanted)


def choose_liftoff(mission: Mission, target, site, vehicle):
    """Liftoff epoch (and its LaunchWindow if one was searched): the mission's given
    liftoff, or the first window of the search span whose insertion phase angle the
    phasing profile can fly.

    Raises
    ------
    InfeasiblePlanError
        No window in the span, or none with a phase angle the profile can fly (the
        message lists the windows and the profiles that would fly them).
    """
    if mission.liftoff is not None:
        return as_time(mission.liftoff, "liftoff"), None
    window, error = _search(mission, target, site, vehicle)
    if window is None:
        raise error()
    return window.liftoff, window


def _no_window_error(mission: Mission, windows, example, station_at, start, wanted):
    """The error of a window search in which no window suits the phasing profile."""
    from ..errors import InfeasiblePlanError
    from ..phasing import PROFILES, phase_angle_windows

    phase_windows = phase_angle_windows(example, station_at, profiles=tuple(PROFILES))
    listing = "; ".join(
        f"{utc(w.liftoff)} phase {w.phase_angle.to_value(u.deg):.1f} deg" for w in windows
    )
    others = [
        name
        for name, pw in phase_windows.items()
        if name != mission.phasing_profile and any(pw.contains(w.phase_angle) for w in windows)
    ]
    return InfeasiblePlanError(
        f"no launch window in {mission.window_search_hours:g} h from {utc(start)} gives a "
        f"phase angle that the {mission.phasing_profile!r} profile can fly ({wanted}); "
        f"windows: {listing}. "
        + (
            f"Profiles that would work in this span: {', '.join(others)}."
            if others
            else "Lengthen the search or adjust the station phasing."
        ),
        name="phasing_profile",
        value=mission.phasing_profile,
        valid=others,
    )


def with_working_windows(exc, mission: Mission, stage: LaunchStage, vehicle):
    """An infeasible-phase error of a given liftoff, with the launch windows that would
    work for the profile (within -13 h .. +36 h of the liftoff)."""
    from ..errors import InfeasiblePlanError
    from ..launch import insertion_state, launch_windows
    from ..phasing import phase_angle_windows

    target, site, liftoff = stage.target, stage.site, stage.liftoff
    try:
        windows = launch_windows(
            liftoff - 13 * u.h, 49 * u.h, target=target, site=site, vehicle=vehicle
        )
        # the profile's window for an insertion in a window (in the station's plane)
        example = insertion_state(windows[0].liftoff, target, site=site, vehicle=vehicle)
        prof = phasing_profile(mission)
        wanted = phase_angle_windows(example, target.state_at(example.epoch), profiles=(prof,))[
            prof.name
        ]
        good = [w for w in windows if wanted.contains(w.phase_angle)]
    except Exception:  # the hint must never hide the original error
        good = []
    hint = (
        "windows that would work: " + ", ".join(utc(w.liftoff) for w in good)
        if good
        else "no window within -13 h .. +36 h of this liftoff works for this profile"
    )
    return InfeasiblePlanError(
        f"liftoff {utc(liftoff)}: {exc}; {hint}",
        name=exc.name,
        value=exc.value,
        valid=[utc(w.liftoff) for w in good],
    )


# The launch stage is the same for every run of one mission (a campaign's samples
# disperse from the insertion), so it is computed once per process and mission
# (astropy frame transforms and, without a fixed liftoff, the window search). Keyed by
# the mission's repr: a mission with a force-model table is not hashable.
_LAUNCH_CACHE: dict[str, LaunchStage] = {}


def launch_stage(mission: Mission) -> LaunchStage:
    """Site, station target, liftoff, window, nominal insertion and the station there."""
    key = repr(mission)
    if key not in _LAUNCH_CACHE:
        if len(_LAUNCH_CACHE) >= 8:
            _LAUNCH_CACHE.pop(next(iter(_LAUNCH_CACHE)))
        _LAUNCH_CACHE[key] = _compute_launch_stage(mission)
    return _LAUNCH_CACHE[key]


def _stage_at(site, target, vehicle, liftoff, window) -> LaunchStage:
    from ..launch import insertion_state

    chaser_nominal = insertion_state(liftoff, target, site=site, vehicle=vehicle)
    station0 = target.state_at(chaser_nominal.epoch)
    return LaunchStage(site, target, liftoff, window, chaser_nominal, station0)


def _compute_launch_stage(mission: Mission) -> LaunchStage:
    """The launch stage in the mission's ``station_phasing`` mode: the first window
    the profile can fly as the station is; otherwise ("auto") the first window the
    station can be phased for, or ("wait") the first window, day after day, that
    the profile can fly without station burns."""
    from ..launch import get_site
    from .station import fits_profile, phase_station

    vehicle = mission.launcher()
    site = get_site(mission.site)
    target = station_target(mission)
    if mission.liftoff is not None or mission.station_phasing == "none":
        liftoff, window = choose_liftoff(mission, target, site, vehicle)
        stage = _stage_at(site, target, vehicle, liftoff, window)
        if mission.station_phasing != "auto" or fits_profile(
            mission, stage.chaser_nominal, stage.station0
        ):
            return stage
        return phase_station(mission, stage)
    window, _ = _search(mission, target, site, vehicle)
    if window is not None:
        return _stage_at(site, target, vehicle, window.liftoff, window)
    return _search_days(mission, site, target, vehicle)


def _search_days(mission: Mission, site, target, vehicle) -> LaunchStage:
    """Windows day after day from the search start, up to ``MAX_SEARCH_DAYS``: the
    first that the profile flies as it is or ("auto") after station phasing."""
    from ..errors import InfeasiblePlanError
    from ..launch import launch_windows
    from .station import phase_station, profile_window

    start = _search_start(mission)
    wanted = None  # the profile's phase window depends on the orbits' shapes only
    for day in range(MAX_SEARCH_DAYS):
        day_start = start + day * u.day
        for w in launch_windows(day_start, 24 * u.h, target=target, site=site, vehicle=vehicle):
            stage = _stage_at(site, target, vehicle, w.liftoff, w)
            wanted = wanted or profile_window(mission, stage.chaser_nominal, stage.station0)
            if wanted.contains(w.phase_angle):
                return stage
            if mission.station_phasing == "auto":
                try:
                    return phase_station(mission, stage)
                except InfeasiblePlanError:
                    continue
    raise InfeasiblePlanError(
        f"no launch window in {MAX_SEARCH_DAYS} days from {utc(start)} gives a phase angle "
        f"that the {mission.phasing_profile!r} profile can fly with station_phasing = "
        f"{mission.station_phasing!r}",
        name="station_phasing",
        value=mission.station_phasing,
        valid=("auto", "wait"),
    )


# Longest search of the "auto" and "wait" modes: two months, over which the
# insertion phase angle of Jiuquan's windows sweeps every value many times.
MAX_SEARCH_DAYS = 60


def offset_lvlh(state, offset_lvlh):
    """``state`` moved by an offset (km, km/s) given in its own LVLH frame."""
    from ..frames import _relative_to_inertial
    from ..state import State

    offset = np.asarray(offset_lvlh, dtype=float)
    if not np.any(offset):
        return state
    rv = _relative_to_inertial("LVLH", state.rv_km, offset)
    return State.from_vectors(state.epoch, rv[:3], rv[3:])
