"""Re-planning a dispersed insertion near the nominal plan (what a campaign sample and a
ground segment do) against the full multi-start search from scratch, and against an
independent re-propagation (issue 9: every sample re-plans its phasing).

The two may end in different local optima of the same problem: re-planning starts
next to the nominal optimum, the search from Lambert, co-elliptic and random starts. Over
30 dispersed insertions of the default mission (first round, J2 about the GCRS z axis)
re-planning was never more than 0.43 m/s dearer and up to 4.8 m/s cheaper (mean 0.63 m/s
cheaper); with the true pole, one of the six insertions below costs 1.35 m/s more.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from phasing_scenario import CHASER, station_at
from test_phasing_fullforce_vs_scipy import (
    HANDOVER_POS_TOL_M,
    HANDOVER_VEL_TOL_M_S,
    repropagated_miss,
)

from qingzhou_sim.phasing import plan_phasing
from qingzhou_sim.state import State

PROFILE, PHASE_DEG = "3-hour", 5.0
# LVLH insertion offsets (x V-bar, z R-bar: km; velocities km/s) of the size of the
# Kinetica-2 3-sigma insertion errors (launch.Kinetica2 covariance: ~1 km, ~1 m/s)
OFFSETS = [
    (1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (-2.0, 0.0, 0.5, 0.0, 0.0, 0.0),
    (0.0, 0.0, -0.8, 0.0, 0.0, 0.0),
    (0.0, 0.0, 0.0, 1.5e-3, 0.0, 0.0),
    (0.0, 0.3, 0.0, -1.0e-3, 0.0, 0.5e-3),
    (3.0, 0.0, 0.0, 0.0, 0.0, -1.0e-3),
]
# Extra cost of re-planning over the search, m/s (of a ~60 m/s plan): on average, and
# for any single insertion (2.5 %, about two burns' execution noise). Since the Earth's
# true pole and the launcher's own insertion plane (issue 15), the nominal optimum puts
# all of the second manoeuvre into one burn; for the 0.8 km R-bar offset the search
# splits it over two burns 2 min apart and saves 1.35 m/s (2.2 %), an optimum the local
# re-plan, started from the one-burn structure, does not reach.
MEAN_EXTRA_M_S = 0.3
SINGLE_EXTRA_M_S = 1.5


def offset(state: State, rel6) -> State:
    from qingzhou_sim.frames import _relative_to_inertial

    rv = _relative_to_inertial("LVLH", state.rv_km, np.asarray(rel6, float))
    return State.from_vectors(state.epoch, rv[:3], rv[3:])


@pytest.fixture(scope="module")
def nominal():
    return plan_phasing(CHASER, station_at(PHASE_DEG), PROFILE)


@pytest.fixture(scope="module")
def pairs(nominal):
    station = station_at(PHASE_DEG)
    out = []
    for rel in OFFSETS:
        chaser = offset(CHASER, rel)
        out.append(
            (
                chaser,
                plan_phasing(chaser, station, PROFILE, reference=nominal),
                plan_phasing(chaser, station, PROFILE),
            )
        )
    return out


def test_replanned_costs_no_more_than_the_search_on_average(pairs):
    replanned = np.array([p.total_dv.to_value(u.m / u.s) for _, p, _ in pairs])
    searched = np.array([s.total_dv.to_value(u.m / u.s) for _, _, s in pairs])
    assert np.all(replanned - searched < SINGLE_EXTRA_M_S)
    assert np.mean(replanned - searched) < MEAN_EXTRA_M_S
    # the insertions really are different problems (the check has teeth)
    assert np.ptp(searched) > 0.5


def test_replanned_plans_hit_the_handover_when_repropagated(pairs):
    station = station_at(PHASE_DEG)
    for chaser, plan, _ in pairs:
        assert plan.correction.converged
        assert "reference" in plan.notes[0]
        miss_m, miss_v = repropagated_miss(plan, chaser, station)
        assert miss_m < HANDOVER_POS_TOL_M and miss_v < HANDOVER_VEL_TOL_M_S


def test_replanning_the_nominal_insertion_keeps_the_nominal_plan(nominal):
    again = plan_phasing(CHASER, station_at(PHASE_DEG), PROFILE, reference=nominal)
    assert again.total_dv.to_value(u.m / u.s) == pytest.approx(
        nominal.total_dv.to_value(u.m / u.s), abs=0.05
    )
    shifts = [(a.epoch - b.epoch).to_value(u.s) for a, b in zip(again.burns, nominal.burns)]
    assert np.max(np.abs(shifts)) < 60.0
