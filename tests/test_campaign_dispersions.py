"""Each six-degree-of-freedom dispersion term of a campaign sample (issue 14 item 6)
reaches the simulation: switched on alone it changes the sample, and doubling it
changes the sample again (so the change is the term's own, not that of the noise it
switches on)."""

import math
from dataclasses import replace

import numpy as np
import pytest

from qingzhou_sim.errors import InputError
from qingzhou_sim.mission import Mission, Perturbations
from qingzhou_sim.montecarlo import (
    _NEEDS_SENSOR_NOISE,
    Dispersions,
    _nominal_phasing_plan,
    _run_sample,
    draw_perturbations,
)

NEW_TERMS = (
    "sensor_bias",
    "sensor_misalignment",
    "thruster_magnitude_frac",
    "thruster_misalignment_deg",
    "inertia_frac",
    "chaser_attitude_deg",
    "chaser_rate_deg_s",
)
SEED, INDEX = 3, 0


@pytest.fixture(scope="module")
def setup():
    mission = Mission.default().with_liftoff()
    return mission, _nominal_phasing_plan(mission)


@pytest.fixture(scope="module")
def quiet(setup):
    mission, reference = setup
    return _run_sample(mission, Dispersions.none(), SEED, INDEX, reference)


def _differs(a: dict, b: dict) -> bool:
    for key in a:
        if key == "index":
            continue
        x, y = a[key], b[key]
        both_nan = isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        if not both_nan and x != y:
            return True
    return False


@pytest.fixture(scope="module")
def noisy(setup):
    mission, reference = setup
    return _run_sample(mission, Dispersions.only("navigation"), SEED, INDEX, reference)


@pytest.mark.parametrize("term", NEW_TERMS)
def test_each_approach_term_reaches_the_sample(setup, quiet, noisy, term):
    mission, reference = setup
    # the sensor and thruster terms need the sensors' white noise on (the filter
    # cannot run on noiseless sensors): compare them with the noise alone
    with_noise = term in _NEEDS_SENSOR_NOISE
    alone = Dispersions.only(term, "navigation") if with_noise else Dispersions.only(term)
    doubled = replace(alone, **{term: 2 * getattr(alone, term)})
    a = _run_sample(mission, alone, SEED, INDEX, reference)
    b = _run_sample(mission, doubled, SEED, INDEX, reference)
    assert a["docked"], a["failure"]
    base = noisy if with_noise else quiet
    assert base["docked"], base["failure"]
    assert _differs(a, base), f"{term} on leaves the sample as it was without it"
    assert _differs(a, b), f"doubling {term} leaves the sample unchanged"


@pytest.mark.parametrize("term", _NEEDS_SENSOR_NOISE)
def test_sensor_and_thruster_terms_need_the_sensor_noise(term):
    with pytest.raises(InputError, match="navigation"):
        Dispersions.only(term)


def test_new_terms_are_drawn_per_sample_and_reproducibly(setup):
    mission, _ = setup
    d = Dispersions.only("inertia_frac", "chaser_attitude_deg", "chaser_rate_deg_s")
    p0 = draw_perturbations(mission, d, SEED, 0)
    p1 = draw_perturbations(mission, d, SEED, 1)
    assert p0 == draw_perturbations(mission, d, SEED, 0)
    for name in ("inertia_scale", "chaser_attitude_error_rad", "chaser_rate_error_rad_s"):
        assert getattr(p0, name) != getattr(p1, name)
    # 1-sigma 2 deg and 0.05 deg/s: a draw beyond 6 sigma would be a unit slip
    assert np.all(np.abs(p0.chaser_attitude_error_rad) < np.deg2rad(6 * 2.0))
    assert np.all(np.abs(p0.chaser_rate_error_rad_s) < np.deg2rad(6 * 0.05))
    assert np.all(np.abs(np.array(p0.inertia_scale) - 1) < 6 * 0.05)
    # the older terms are those that did not exist: nominal
    assert p0.insertion_lvlh == (0.0,) * 6 and p0.navigation_scale == 0.0


def test_new_terms_do_not_move_the_older_draws(setup):
    mission, _ = setup
    old_only = replace(Dispersions(), **{t: 0.0 for t in NEW_TERMS})
    full = draw_perturbations(mission, Dispersions(), SEED, 4)
    old = draw_perturbations(mission, old_only, SEED, 4)
    assert full.insertion_lvlh == old.insertion_lvlh
    assert full.seed == old.seed
    assert full.density_scale_chaser == old.density_scale_chaser


def test_all_off_is_the_nominal_perturbation(setup):
    mission, _ = setup
    p = draw_perturbations(mission, Dispersions.none(), SEED, 2)
    assert replace(p, seed=0) == Perturbations()
