"""The flown schemes' building blocks: the split co-elliptic schedules (6.5-hour,
two-day), the Shenzhou launcher and the per-mission insertion orbit."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from phasing_scenario import CHASER, station_at

from qingzhou_sim.errors import InputError, MissionFileError, UnknownNameError
from qingzhou_sim.mission import Mission
from qingzhou_sim.mission.schemes import SCHEMES, approach_profile_for, phasing_profile_for
from qingzhou_sim.phasing import PROFILES
from qingzhou_sim.phasing._common import _setup
from qingzhou_sim.phasing.coelliptic import CoellipticSchedule, _CoellipticModel
from qingzhou_sim.phasing.profiles import _window_dynamics
from qingzhou_sim.vehicles import KINETICA_2, LONG_MARCH_2F, get_launch_vehicle

MM_S = 1e-6  # km/s


def test_schedule_labels():
    assert CoellipticSchedule().labels() == ["NC1", "NH", "NCC"]
    assert CoellipticSchedule(split=2).labels() == ["NC1", "NH1", "NC2", "NH2", "NCC"]
    assert CoellipticSchedule(ncc_revs=(3,)).labels() == ["NC1", "NH", "NCC1", "NCC2"]


@pytest.mark.parametrize(
    "kwargs", [dict(split=0), dict(split=1.5), dict(ncc_revs=(0,)), dict(ncc_revs=(2.5,))]
)
def test_schedule_rejects_bad_splits(kwargs):
    with pytest.raises(InputError, match="split"):
        CoellipticSchedule(**kwargs)


@pytest.mark.parametrize(
    "schedule",
    [
        CoellipticSchedule(1, 0, 0, split=2),
        CoellipticSchedule(1, 0, 0, split=3),
        CoellipticSchedule(1, 0, 0, ncc_revs=(1, 2)),
    ],
)
def test_split_burns_cost_what_the_classic_sequence_costs(schedule):
    # Tangential burns at the apsides: raising the perigee (at apogee), the apogee (at
    # perigee) and circularising in several steps changes the phasing, not the total
    # delta-v. Expected: the three-burn vis-viva sum (Curtis 2014, eqs. 6.2-6.3).
    dyn = _window_dynamics(None)  # two-body arcs + J2 secular rates
    pb = _setup(CHASER, station_at(20.0), 4 * u.h, [-50, 0, 5] * u.km, None, None, dyn)
    model = _CoellipticModel(pb, schedule)
    mu, rp0, ra0, r_f = model.mu, model.rp0, model.ra0, model.r_f
    rp1 = 0.5 * (rp0 + ra0)

    def vis(r, a):
        return np.sqrt(mu * (2 / r - 1 / a))

    expected = (
        vis(ra0, (rp1 + ra0) / 2)
        - vis(ra0, (rp0 + ra0) / 2)
        + vis(rp1, (rp1 + r_f) / 2)
        - vis(rp1, (rp1 + ra0) / 2)
        + np.sqrt(mu / r_f)
        - vis(r_f, (rp1 + r_f) / 2)
    )
    times, dvs, _, _ = model.sequence(rp1)
    assert len(dvs) == len(schedule.labels())
    assert np.all(np.diff(times) > 0) and min(dvs) > 0  # in order, all prograde
    assert sum(dvs) == pytest.approx(expected, abs=1 * MM_S)


def test_published_schedules_have_the_published_burn_counts():
    # Shenzhou-8: five ground burns (revs 5, 13, 16, 19, 24) plus the plane correction
    # among them; 6.5-hour: six burns (CCTV, Shenzhou-16) with NPC
    assert len(PROFILES["two-day"].schedule.labels()) + 1 == 5
    assert len(PROFILES["6.5-hour"].schedule.labels()) + 1 == 6
    assert not PROFILES["two-day"].optimise and not PROFILES["6.5-hour"].optimise


def test_scheme_pairings():
    assert approach_profile_for("two-day", "aft") == "aft-two-day"
    assert approach_profile_for("6.5-hour", "aft") == "aft-6.5h"
    assert approach_profile_for("6.5-hour", "radial") == "radial-6.5h"
    # the forward port hands over in front and above: the aft hand-over mirrored
    fwd = phasing_profile_for("6.5-hour", "forward")
    np.testing.assert_allclose(fwd.handover_r_lvlh.to_value(u.km), [50.0, 0.0, -5.0])
    assert set(SCHEMES) == set(PROFILES)


def test_long_march_2f_inserts_as_shenzhou_21():
    # Beijing Aerospace Control Center (mission-facts, second round): 200 x 363 km, 41.5 deg
    lm = get_launch_vehicle("Long March 2F")
    assert lm is LONG_MARCH_2F is get_launch_vehicle("lm-2f")
    assert (lm.insertion_perigee_km, lm.insertion_apogee_km, lm.insertion_inc_deg) == (
        200.0,
        363.0,
        41.5,
    )
    assert lm.payload_leo_kg == 8000.0  # LM2F-CN
    with pytest.raises(UnknownNameError, match="long-march-2f"):
        get_launch_vehicle("long-march-3b")


def test_mission_insertion_orbit_overrides_the_launcher(tmp_path):
    # Shenzhou-8: 200 x 329 km (CD-SZ8-ORBIT)
    m = Mission.default().replace(
        launch_vehicle="long-march-2f", insertion_perigee_km=200.0, insertion_apogee_km=329.0
    )
    v = m.launcher()
    assert (v.name, v.insertion_perigee_km, v.insertion_apogee_km) == ("Long March 2F", 200, 329)
    assert Mission.default().launcher() is KINETICA_2  # no keys: the launcher's own
    m.to_toml(tmp_path / "m.toml")
    assert Mission.from_toml(tmp_path / "m.toml") == m


def test_mission_insertion_orbit_errors_name_the_key():
    with pytest.raises(MissionFileError, match="apogee"):
        Mission.default().replace(insertion_apogee_km=150.0)  # below the 200 km perigee
    with pytest.raises(MissionFileError, match="insertion_perigee_km"):
        Mission.from_dict({"insertion_perigee_km": "200"})
