r"""The flown Chinese rendezvous schemes: each a phasing profile
(:data:`qingzhou_sim.phasing.PROFILES`) paired with an approach profile per docking
port (:data:`qingzhou_sim.docking.APPROACH_PROFILES`), with the flights that flew it.

========== ======================= =========================== ========================
scheme     flights (liftoff->dock) phasing                     close range (paired)
========== ======================= =========================== ========================
2-hour     Tianzhou-5 2 h 07 min   two combined manoeuvres in  aft-2h: no intermediate
           (aft)                   < 1 orbit, ~1 h              holds, ~40 min
3-hour     Tianzhou-7/8/9 3 h 19 / 4 impulses on revs 1-2      aft-3h: 5 km, 200 m,
           3 h 19 / 3 h 18 (aft)                               19 m holds
3.5-hour   Shenzhou-21/22 3 h 38   4 impulses to 5 km in       forward-3.5h: homing
           (forward)               front, homing at 2 h 31      from 2 h 31, 200 m and
                                                               19 m holds, 1 h 07
6.5-hour   Shenzhou-12..20         co-elliptic, 6 burns over   forward-6.5h /
           6 h 32-34 (forward,     ~3 orbits to ~50 km, where  radial-6.5h: homing
           radial)                 the relative sensors take   55 min to the aim
                                   over                        point (radial: 2 km
                                                               below), 200 m, 19 m
two-day    Shenzhou-8 ~44 h        co-elliptic, burns on revs  aft-two-day: 55 min,
                                   5, 13, 16, 19, 24; 52 km    4 burns to 5 km; 400,
                                   hand-over                   140, 30 m holds, 85 min
========== ======================= =========================== ========================

Sources: ``../shared/reference/mission-facts.md`` sec. 2 and its second-round notes;
Tianzhou-8 is 3 h 19 min (15:13 -> 18:32 UTC, TZ8-WIKI; issue 15 corrects the reference
file's earlier 3 h 17 min); Shenzhou-21 insertion, burns and homing from CCTV via the
reference file (SZ21, 1 Nov 2025); Tianzhou-5 from the CAST 502 Institute via Xinhua,
13 Nov 2022.

A port without a published scheme-specific close range flies the port's fast variant
(``"<port>-fast"``; two-day: the classic ``"<port>"``). The 3.5-hour scheme hands over
5 km in front of the station at the forward port (the forward-port aim point in front,
SZ12-HK) and 5 km behind at the other ports; the 6.5-hour scheme hands over 50 km in
front (5 km above) at the forward port, 50 km behind (5 km below) at the others.

Assumptions: the roles of the published burns (which burn raises the perigee, which
corrects the plane) and the hold durations of every scheme (unpublished, mission-facts
sec. 2); the two-day scheme's forward and radial ports keep the classic profiles.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import astropy.units as u
import numpy as np

__all__ = [
    "SCHEMES",
    "FlownMission",
    "Scheme",
    "approach_profile_for",
    "phasing_profile_for",
    "scheduled_approach_time",
]

# Mean motion of the station at 390 km (mission-facts sec. 1, derived): the default
# transfer time of a two-impulse hop without one is half its period.
_HALF_ORBIT_S = np.pi / 1.1339e-3


@dataclass(frozen=True, slots=True)
class FlownMission:
    """One flight of a scheme: liftoff to docking (s) and the port, with its source."""

    flight: str
    liftoff_to_docking_s: float
    port: str
    source: str


@dataclass(frozen=True, slots=True)
class Scheme:
    """A flown scheme: phasing profile name, approach profile per port, flights."""

    name: str
    approach: tuple  # ((port, approach profile name), ...)
    flights: tuple
    handover_front_ports: tuple = ()

    def approach_for(self, port: str) -> str:
        return dict(self.approach).get(port, f"{port}-fast")


def _hm(hours: int, minutes: int) -> float:
    return 3600.0 * hours + 60.0 * minutes


SCHEMES = MappingProxyType(
    {
        "2-hour": Scheme(
            "2-hour",
            (("aft", "aft-2h"),),
            (FlownMission("Tianzhou-5", _hm(2, 7), "aft", "TZ5"),),
        ),
        "3-hour": Scheme(
            "3-hour",
            (("aft", "aft-3h"),),
            (
                FlownMission("Tianzhou-7", _hm(3, 19), "aft", "TZ7-CN"),
                FlownMission("Tianzhou-8", _hm(3, 19), "aft", "TZ8-WIKI (issue 15)"),
                FlownMission("Tianzhou-9", _hm(3, 18), "aft", "TZ9"),
            ),
        ),
        "3.5-hour": Scheme(
            "3.5-hour",
            (("forward", "forward-3.5h"),),
            (
                FlownMission("Shenzhou-21", _hm(3, 38), "forward", "SZ21"),
                FlownMission("Shenzhou-22", _hm(3, 38), "forward", "SZ22"),
            ),
            handover_front_ports=("forward",),
        ),
        "6.5-hour": Scheme(
            "6.5-hour",
            (("forward", "forward-6.5h"), ("radial", "radial-6.5h"), ("aft", "aft-6.5h")),
            (
                FlownMission("Shenzhou-12", _hm(6, 32), "forward", "SZ12"),
                FlownMission("Shenzhou-13", _hm(6, 33), "radial", "SZ13"),
            ),
            handover_front_ports=("forward",),
        ),
        "two-day": Scheme(
            "two-day",
            (("aft", "aft-two-day"), ("forward", "forward"), ("radial", "radial")),
            (FlownMission("Shenzhou-8", 44 * 3600.0, "aft", "CNS via mission-facts"),),
        ),
    }
)


def approach_profile_for(phasing_profile: str, port: str) -> str:
    """The approach profile a mission pairs with a phasing profile at a port."""
    scheme = SCHEMES.get(phasing_profile)
    if scheme is None:
        return f"{port}-fast"
    return scheme.approach_for(port)


def phasing_profile_for(phasing_profile: str, port: str):
    """The phasing profile flown to ``port``: the named one, with its hand-over point
    moved 5 km in front of the station (on V-bar, at rest) where the scheme hands over
    in front."""
    from ..phasing import get_profile

    prof = get_profile(phasing_profile)
    scheme = SCHEMES.get(prof.name)
    if scheme is None or port not in scheme.handover_front_ports:
        return prof
    return replace(prof, handover_r_lvlh=-prof.handover_r_lvlh)


def _straight_time_s(length_m: float, schedule) -> float:
    """Time to fly ``length_m`` along a (distance to go, speed) schedule: the integral
    of ds / v(s), speeds interpolated linearly (as the guidance does)."""
    d = np.array([p[0] for p in schedule])
    v = np.array([p[1] for p in schedule])
    s = np.linspace(0.0, length_m, 4001)
    speed = np.interp(s, d, v)
    return float(np.trapezoid(1.0 / speed, s))


def scheduled_approach_time(profile, start_m=(-5000.0, 0.0, 0.0)) -> u.Quantity:
    """Scheduled duration of an approach profile from the hand-over to contact: the
    transfer times, the straight lines at their speed schedules, the holds' minimum
    durations, the final approach from the last hold point. What the mission designers
    plan, not what the closed loop flies (holds that wait to settle last longer).

    Parameters
    ----------
    profile : ApproachProfile or str
    start_m : (3,)
        Hand-over point, LVLH m (default 5 km behind).

    Returns
    -------
    Quantity
        Seconds.
    """
    from ..docking import get_approach_profile

    prof = get_approach_profile(profile)
    here = np.asarray(start_m, float)
    total = 0.0
    for seg in prof.segments:
        kind = seg.kind
        if kind == "hold":
            total += seg.duration_s
        elif kind == "homing":
            aims = [np.asarray(a, float) for a in seg.aim_points_m]
            tofs = seg.tof_s or (_HALF_ORBIT_S,) * len(aims)
            for aim, tof in zip(aims, tofs, strict=True):
                if np.linalg.norm(aim - here) > 1.0:  # homing from its aim point is skipped
                    total += tof
                here = aim
        elif kind == "fly-around":
            total += (seg.tof_s or _HALF_ORBIT_S) * (seg.legs if seg.tof_s is None else 1)
            here = np.asarray(seg.to_m, float)
        elif kind == "closing":
            to = np.asarray(seg.to_m, float)
            if seg.method == "straight":
                # the schedule is keyed by the distance to go to the segment's end point
                total += _straight_time_s(float(np.linalg.norm(to - here)), seg.speed_schedule)
            else:
                total += seg.tof_s or _HALF_ORBIT_S
            here = to
        elif kind == "final":
            total += _straight_time_s(float(np.linalg.norm(here)), seg.speed_schedule)
    return total * u.s
