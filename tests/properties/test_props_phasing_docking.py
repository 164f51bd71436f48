"""Generated inputs for phasing, vehicles and the approach simulator (owners: schemes,
6dof-core). Only refusals are tried here (each call has at least one bad argument), so
that no phasing plan or approach is flown; failures are xfails naming the owner."""

import astropy.units as u
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCH, GARBAGE, PROFILE, any_value, outcome

from qingzhou_sim import docking, phasing, vehicles
from qingzhou_sim.state import State

STATION = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg)
NAMES = st.one_of(st.sampled_from(["", "QINGZHOU", "tianzhou", "3 hour", "x" * 50]), GARBAGE)
NOT_STATES = st.one_of(GARBAGE, st.just(STATION.r))


@PROFILE
@given(name=NAMES)
def test_phasing_profile_names(name):
    outcome(phasing.get_profile, name)


@PROFILE
@given(name=NAMES)
def test_vehicle_names(name):
    outcome(vehicles.get_spacecraft, name)
    outcome(vehicles.get_launch_vehicle, name)


@PROFILE
@given(chaser=NOT_STATES, profile=st.one_of(st.just("3-hour"), NAMES))
def test_plan_phasing_refuses_non_states(chaser, profile):
    outcome(phasing.plan_phasing, chaser, STATION, profile)


@PROFILE
@given(station=NOT_STATES)
def test_phase_angle_windows_refuses_non_states(station):
    outcome(phasing.phase_angle_windows, STATION, station)


@PROFILE
@given(radius=any_value(st.sampled_from([6778 * u.km, -1 * u.km, 0 * u.km])))
def test_coplanar_lower_bound(radius):
    outcome(phasing.coplanar_lower_bound, STATION, radius)


@PROFILE
@given(station=NOT_STATES, profile=st.one_of(st.sampled_from(["", "AFT", "nadir"]), GARBAGE))
def test_simulate_approach_refuses_bad_arguments(station, profile):
    outcome(docking.simulate_approach, station, None, profile)
    outcome(docking.simulate_approach, STATION, None, profile)


@PROFILE
@given(profile=st.sampled_from(["", "AFT", "nadir", "aft-fast "]))
def test_simulate_approach_refuses_unknown_profile_names(profile):
    _, err = outcome(docking.simulate_approach, STATION, None, profile)
    assert err is not None
