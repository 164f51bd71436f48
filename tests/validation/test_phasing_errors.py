"""Bad inputs of the phasing planner raise their named errors (issue 6)."""

from __future__ import annotations

from dataclasses import replace

import astropy.units as u
import pytest
from phasing_scenario import CHASER, R_EQ, T0, station_at

from qingzhou_sim.errors import InfeasiblePlanError, OrbitRangeError, UnknownNameError
from qingzhou_sim.phasing import PROFILES, plan_coelliptic, plan_lambert, plan_phasing
from qingzhou_sim.state import State


@pytest.mark.parametrize("when", [-1.0 * u.h, 0.0 * u.h, T0 - 10 * u.min])
def test_handover_before_insertion(when):
    with pytest.raises(InfeasiblePlanError, match="hand-over time .* not after the insertion"):
        plan_lambert(CHASER, station_at(5.0), handover_time=when)
    with pytest.raises(InfeasiblePlanError, match="hand-over time"):
        plan_coelliptic(CHASER, station_at(13.0), handover_time=when)


def test_handover_before_insertion_in_a_profile():
    bad = replace(PROFILES["3-hour"], handover_time=-0.5 * u.h)
    with pytest.raises(InfeasiblePlanError, match="hand-over time"):
        plan_phasing(CHASER, station_at(5.0), bad)


def test_reentering_insertion_orbit():
    # MIN_INSERTION_PERIGEE = 150 km: below it the orbit decays within about a day
    low = State.from_altitudes(
        T0, perigee_altitude=140 * u.km, apogee_altitude=380 * u.km, inc=41.5 * u.deg
    )
    with pytest.raises(OrbitRangeError, match="perigee altitude 140.0 km re-enters"):
        plan_phasing(low, station_at(13.0), "6.5-hour")


def test_unknown_profile():
    with pytest.raises(UnknownNameError, match="unknown phasing profile '1-hour'"):
        plan_phasing(CHASER, station_at(13.0), "1-hour")


@pytest.mark.parametrize(
    ("name", "phase"), [("6.5-hour", 100.0), ("two-day", 10.0), ("2-hour", 90.0)]
)
def test_infeasible_phase_angle_names_window_and_angle(name, phase):
    with pytest.raises(InfeasiblePlanError, match=f"outside the '{name}' profile's window") as e:
        plan_phasing(CHASER, station_at(phase), name)
    assert f"{phase:.2f} deg" in str(e.value)
    lo, hi = e.value.valid
    assert lo.unit == u.deg and hi > lo
    assert e.value.name == "phase_angle"


def test_coelliptic_needs_an_elliptical_insertion():
    circ = State.from_elements(T0, a=(R_EQ + 300.0) * u.km, inc=41.5 * u.deg, raan=120 * u.deg)
    with pytest.raises(InfeasiblePlanError, match="elliptical insertion orbit"):
        plan_coelliptic(circ, station_at(13.0), handover_time=4 * u.h)


def test_coelliptic_schedule_longer_than_handover_time():
    from qingzhou_sim.phasing import CoellipticSchedule

    with pytest.raises(InfeasiblePlanError, match="ends after the hand-over time"):
        plan_coelliptic(
            CHASER, station_at(13.0), handover_time=2 * u.h, schedule=CoellipticSchedule(1, 1, 0)
        )


def test_lambert_needs_time_between_burn_and_handover():
    with pytest.raises(InfeasiblePlanError, match="between the earliest burn and the hand-over"):
        plan_lambert(CHASER, station_at(5.0), handover_time=15 * u.min)


def test_station_phasing_needs_time_before_insertion():
    from qingzhou_sim.phasing import plan_station_phasing

    with pytest.raises(InfeasiblePlanError, match="leaves no room for a station Hohmann pair"):
        plan_station_phasing(station_at(100.0), CHASER, "6.5-hour")


def test_unknown_force_model_name():
    with pytest.raises(UnknownNameError, match="unknown force model 'j2'"):
        plan_phasing(CHASER, station_at(13.0), "6.5-hour", force_model="j2")
