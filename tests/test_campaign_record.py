"""The campaign's record-only path (``montecarlo.sample_record``) gives, bit for bit,
the row of a full ``Mission.run(...).to_record()`` of the same perturbed mission:
docked samples, an aborted one (collision-avoidance manoeuvre, post-CAM drift) and
one whose plan is infeasible (both raise the same error)."""

import math

import pytest

from qingzhou_sim.errors import InfeasiblePlanError
from qingzhou_sim.mission import Mission
from qingzhou_sim.montecarlo import (
    Dispersions,
    _nominal_phasing_plan,
    draw_perturbations,
    sample_record,
)

SEED = 1
# seed 1, default dispersions: 0 and 1 dock; 170 aborts on the straight-line tracking
# check after a truncated arrival burn (benchmarks/campaign_contact_share.py)
INDICES = (0, 1, 170)
INFEASIBLE = 282  # phase angle at insertion outside the profile's window


@pytest.fixture(scope="module")
def setup():
    mission = Mission.default().with_liftoff()
    return mission, _nominal_phasing_plan(mission)


def _same(a, b) -> bool:
    return (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("index", INDICES)
def test_record_path_equals_the_full_run(setup, index):
    mission, reference = setup
    p = draw_perturbations(mission, Dispersions(), SEED, index)
    full = mission.run(perturbations=p, phasing_reference=reference).to_record()
    fast = sample_record(mission, p, reference)
    assert list(fast) == list(full)
    different = {k: (fast[k], full[k]) for k in full if not _same(fast[k], full[k])}
    assert not different


def test_the_aborted_sample_is_covered(setup):
    mission, reference = setup
    p = draw_perturbations(mission, Dispersions(), SEED, 170)
    rec = sample_record(mission, p, reference)
    assert not rec["docked"] and rec["n_collision_avoidance"] >= 1
    assert rec["collision_avoidance_delta_v_m_s"] > 0


def test_an_infeasible_plan_raises_the_same_error(setup):
    mission, reference = setup
    p = draw_perturbations(mission, Dispersions(), SEED, INFEASIBLE)
    with pytest.raises(InfeasiblePlanError) as full:
        mission.run(perturbations=p, phasing_reference=reference)
    with pytest.raises(InfeasiblePlanError) as fast:
        sample_record(mission, p, reference)
    assert str(fast.value) == str(full.value)
