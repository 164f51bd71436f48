"""The mission catalogue flown end to end against the flights' published times and
structure.

Each file in ``examples/missions/`` holds a flight's real liftoff and its published
docking time (``[flown]``, with sources). Here the whole simulation flies it once
(module-scoped fixture): ascent, the station's pre-launch phasing, the closed-loop
phasing flight and the six-degree-of-freedom approach to first contact. Issue 15 asks
for liftoff-to-contact within 5 minutes of the flown time (two-day scheme: 1 hour). The
flown times are published to the minute (CMSA via Xinhua; see each file's ``source``),
so 5 min is the resolution of the claim, not of the data.

The same simulated results are then checked against each scheme's published structure
(``../shared/reference/mission-facts.md`` sec. 2 and its second-round notes): the burns
as flown (count, revolutions), the hand-over range, the hold points actually reached
and the published intervals. Nothing here is read from the plan or the profiles: the
burns and holds are the timeline's events, the revolutions are counted on the chaser's
simulated ephemeris.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.time import Time

import qingzhou_sim as qz
from qingzhou_sim.docking import get_approach_profile
from qingzhou_sim.docking.profiles import AXES
from qingzhou_sim.state import State
from qingzhou_sim.vehicles import QINGZHOU, TIANGONG

CATALOGUE = Path(__file__).resolve().parents[2] / "examples" / "missions"
FIVE_MIN_S = 300.0  # issue 15
ONE_HOUR_S = 3600.0  # issue 15, two-day scheme
MIN_S = 60.0
# A hold point is reached when the chaser's port is within this of it at the hold's
# start: the straight lines stop on their point within ~1 m, the settled holds hold
# 1 m (0.1 m at 19 m); 3 m leaves room for the arrival transient.
HOLD_TOL_M = 3.0
# A hold point reached by a CW transfer (beyond the 200 m keep-out sphere): the
# transfer's closed-loop arrival miss, ~1 % of the distance (3 m at 400 m, 25-40 m at
# 5 km in these runs), bounded at 2 %.
TRANSFER_MISS_FRAC = 0.02
# Insertion orbit as the launcher puts it (altitudes, km): the osculating apsides of
# the inserted state; 1 km covers the J2 short-period difference to the nominal.
INSERTION_TOL_KM = 1.0

FLIGHTS = {
    "tianzhou-5": FIVE_MIN_S,
    "tianzhou-7": FIVE_MIN_S,
    "shenzhou-21": FIVE_MIN_S,
    "shenzhou-12": FIVE_MIN_S,
    "shenzhou-8": ONE_HOUR_S,
}
IDS = {
    "tianzhou-5": "tianzhou-5 (2-hour, aft)",
    "tianzhou-7": "tianzhou-7 (3-hour, aft)",
    "shenzhou-21": "shenzhou-21 (3.5-hour, forward)",
    "shenzhou-12": "shenzhou-12 (6.5-hour, forward)",
    "shenzhou-8": "shenzhou-8 (two-day, aft)",
}


RADIAL_6P5H = "default mission, 6.5-hour, radial"


@pytest.fixture(scope="module")
def flown():
    """name -> (mission, result), each mission flown once for the whole module."""
    cache = {}

    def get(name):
        if name not in cache:
            if name == RADIAL_6P5H:  # no catalogue file: the default mission at the radial port
                mission = qz.Mission.default().replace(phasing_profile="6.5-hour", port="radial")
            else:
                mission = qz.Mission.from_toml(CATALOGUE / f"{name}.toml")
            cache[name] = (mission, mission.run())
        return cache[name]

    return get


def _t(result, name) -> float:
    return result.event(name).elapsed_s


def _phasing_burns(result):
    return [e for e in result.events if e.name.startswith("burn ") and e.phase == "phasing"]


def _approach_burns(result, t0_s, t1_s):
    """Approach impulses between two times (s after liftoff), one per distinct epoch
    (a leg's arrival and the next leg's departure are one firing)."""
    times = sorted(
        {
            round(e.elapsed_s, 1)
            for e in result.events
            if e.name.startswith("burn (") and t0_s - 1 <= e.elapsed_s <= t1_s + 1
        }
    )
    return times


def _holds_m(result, mission):
    """Port-to-port distance (m) at each hold the chaser reached, in order: the
    timeline's range is between the centres of mass, so the station's port position
    and the chaser's port arm (vehicle definitions) are taken off along the docking
    axis."""
    prof = get_approach_profile(result.approach.profile.name)
    axis = np.asarray(AXES[prof.docking_axis])
    port = np.asarray(TIANGONG.port(mission.port).position_m)
    arm = QINGZHOU.port("front").position_m[0]
    out = []
    for e in result.events:
        if e.name.startswith("hold arrival"):
            # range = |port + (d + arm) axis|: solve for d on the docking axis
            b, c = float(port @ axis), float(port @ port) - (e.range_km * 1e3) ** 2
            out.append(-b + np.sqrt(b * b - c) - arm)
    return out


def _revolution(result, elapsed_s):
    """Revolution number at ``elapsed_s`` after liftoff: 1 + the chaser's ascending
    node crossings (GCRS equator) since liftoff, the usual orbit count of the flight
    reports. The ascent from Jiuquan (41 deg N, near the northern tip of a 41.5 deg
    orbit) crosses no ascending node before insertion."""
    eph = result.chaser
    t = (eph.epochs - result.liftoff).to_value("s")
    z = eph.r_km[:, 2]
    up = t[1:][(z[:-1] < 0) & (z[1:] >= 0)]
    return 1 + int(np.sum(up <= elapsed_s))


def _check_holds(result, mission, published_m):
    holds = _holds_m(result, mission)
    assert len(holds) == len(published_m), holds
    for got, want in zip(holds, published_m, strict=True):
        tol = TRANSFER_MISS_FRAC * want if want > 200.0 else HOLD_TOL_M
        assert abs(got - want) < tol, (holds, published_m)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FLIGHTS), ids=list(IDS.values()))
def test_liftoff_to_contact_matches_the_flight(flown, name):
    mission, result = flown(name)
    flown_s = (Time(mission.flown["docking"]) - Time(mission.flown["liftoff"])).sec
    assert result.docked
    contact_s = _t(result, "contact")
    assert abs(contact_s - flown_s) < FLIGHTS[name], (contact_s / 3600, flown_s / 3600)


@pytest.mark.slow
def test_tianzhou_5_two_combined_manoeuvres_and_a_40_min_close_range(flown):
    mission, result = flown("tianzhou-5")
    # CAST 502 Institute via Xinhua, 13 Nov 2022: far range in less than one orbit with
    # two combined manoeuvres, close range ~40 min with the confirmation holds dropped
    assert len(_phasing_burns(result)) == 2
    orbit_s = 92.3 * MIN_S  # Tiangong, April 2024 (mission-facts, second round)
    assert _t(result, "hand-over") - _t(result, "insertion") < orbit_s
    assert abs(_t(result, "contact") - _t(result, "hand-over") - 40 * MIN_S) < FIVE_MIN_S
    _check_holds(result, mission, [19.0])  # only the last go/no-go before contact


@pytest.mark.slow
def test_tianzhou_7_burns_on_two_revolutions_and_tianhe_holds(flown):
    mission, result = flown("tianzhou-7")
    burns = _phasing_burns(result)
    # burn counts of the 3-hour mode are unpublished; "two-orbit" (TZ9-2ORB)
    assert 2 <= len(burns) <= 4
    revs = [_revolution(result, e.elapsed_s) for e in burns]
    assert max(revs) - min(revs) <= 1, revs
    _check_holds(result, mission, [5000.0, 200.0, 19.0])  # Tianhe-era holds (SZ19)


@pytest.mark.slow
def test_shenzhou_21_insertion_burns_homing_and_holds(flown):
    mission, result = flown("shenzhou-21")
    # Beijing Aerospace Control Center: inserted into 200 x 363 km
    c = result.chaser
    ins = State.from_vectors(c.epochs[0], c.r_km[0], c.v_km_s[0])
    assert abs(ins.perigee_altitude.to_value("km") - 200.0) < INSERTION_TOL_KM
    assert abs(ins.apogee_altitude.to_value("km") - 363.0) < INSERTION_TOL_KM
    # CCTV, 1 Nov 2025: four orbit-control burns; homing from 02:15 BJT, 2 h 31 min
    # after liftoff; holds and go/no-go at 200 m and 19 m; docking 1 h 07 min after
    # homing began
    assert len(_phasing_burns(result)) == 4
    assert abs(_t(result, "hand-over") - (2 * 3600 + 31 * 60)) < FIVE_MIN_S
    assert abs(_t(result, "contact") - _t(result, "hand-over") - 67 * MIN_S) < FIVE_MIN_S
    _check_holds(result, mission, [200.0, 19.0])


@pytest.mark.slow
def test_shenzhou_12_six_burns_in_three_orbits_to_50_km(flown):
    mission, result = flown("shenzhou-12")
    # CCTV (Shenzhou-16, mission-facts second round): six orbit-control burns over about
    # three orbits (~4.5 h) to about 50 km, where the relative sensors take over
    burns = _phasing_burns(result)
    assert len(burns) == 6
    assert max(_revolution(result, e.elapsed_s) for e in burns) <= 3
    ho = result.event("hand-over")
    assert abs(ho.range_km - 50.0) < 5.0  # "about 50 km"
    assert abs(ho.elapsed_s - _t(result, "insertion") - 4.5 * 3600) < 0.5 * 3600  # "~4.5 h"
    # forward port, Tianhe era: the aim point 5 km in front, 200 m and 19 m holds
    # (SZ12-HK, SZ19); the 400 m hold before the forced line is this model's
    holds = _holds_m(result, mission)
    assert abs(holds[0] - 5000.0) < TRANSFER_MISS_FRAC * 5000.0
    assert all(any(abs(h - w) < HOLD_TOL_M for h in holds) for w in (200.0, 19.0)), holds


@pytest.mark.slow
def test_shenzhou_8_revolutions_handover_and_holds(flown):
    mission, result = flown("shenzhou-8")
    # China News Service via mission-facts (second round): ground-commanded burns on
    # revolutions 5, 13, 16, 19 and 24; hand-over to autonomy at 52 km; 55 min and four
    # burns to the 5 km hold; 85 min to contact with holds at 400, 140 and 30 m
    revs = [_revolution(result, e.elapsed_s) for e in _phasing_burns(result)]
    assert revs == [5, 13, 16, 19, 24]
    ho = result.event("hand-over")
    assert abs(ho.range_km - 52.0) < 1.0
    at_5km = next(e for e in result.events if e.name.startswith("hold arrival"))
    assert len(_approach_burns(result, ho.elapsed_s, at_5km.elapsed_s)) == 4
    assert abs(at_5km.elapsed_s - ho.elapsed_s - 55 * MIN_S) < FIVE_MIN_S
    leave_5km = next(e for e in result.events if e.name.startswith("hold departure"))
    assert abs(_t(result, "contact") - leave_5km.elapsed_s - 85 * MIN_S) < FIVE_MIN_S
    _check_holds(result, mission, [5000.0, 400.0, 140.0, 30.0])


@pytest.mark.slow
def test_6_5_hour_radial_aim_point_below_and_shenzhou_13_time(flown):
    mission, result = flown(RADIAL_6P5H)
    # Shenzhou-13, radial port: 6 h 33 min (SZ13); CCTV (Shenzhou-16): ~50 km hand-over,
    # an aim point about 2 km below before the approach from below; Tianhe-era 200 m and
    # 19 m holds (SZ19). The default mission's station stands in for 2021's.
    assert result.docked
    assert abs(_t(result, "contact") - (6 * 3600 + 33 * 60)) < FIVE_MIN_S
    assert abs(result.event("hand-over").range_km - 50.0) < 5.0
    assert len(_phasing_burns(result)) == 6
    _check_holds(result, mission, [5000.0, 2000.0, 200.0, 19.0])
