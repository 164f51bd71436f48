"""Forced faults in the final approach trigger a collision-avoidance manoeuvre and an
abort (never a pretended docking), after which the chaser is passively safe: it
leaves the keep-out sphere and its free drift (truth with J2 and drag, and CW) does not
re-enter it over the passive-safety horizon (Fehse 2003, sec. 4.5; NASA-JSC rule for
uncrewed visitors, mission-facts.md sec. 4)."""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import Fault, SafetyConfig, simulate_approach

STATION_A_KM = R_EARTH_KM + 390.0  # mission-facts.md sec. 1
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
SAFETY = SafetyConfig()
RANGE_TOL = 0.5  # m: the CAM reverses the motion within one control step


@pytest.fixture(scope="module")
def station():
    return State.from_elements(EPOCH, a=STATION_A_KM * u.km, inc=41.5 * u.deg)


FAULTS = {
    "stuck-off": Fault("thruster_stuck_off", segment="final", after_s=30.0),
    "nav-bias": Fault("nav_bias", segment="final", after_s=10.0, bias_m=(0.0, 0.0, 1.0)),
}


@pytest.mark.parametrize("noise", [False, True])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_triggers_cam_and_abort(station, fault, noise):
    res = simulate_approach(station, profile="aft", noise=noise, seed=7, faults=FAULTS[fault])
    assert not res.docked
    assert res.contact is None
    assert res.failure_reason
    cam = res.event("collision avoidance manoeuvre")
    abort = res.event("abort")
    assert cam is not None and abort is not None
    assert cam.t_s == abort.t_s
    assert res.event("contact") is None and res.event("hard dock") is None
    # the fault started in the final approach and was caught there
    final = next(s for s in res.segments if s.kind == "final")
    assert final.t_start_s <= abort.t_s and not final.completed
    # passive safety afterwards
    assert res.post_abort_reenters_keep_out is False
    assert res.post_abort_min_range.to_value(u.m) > SAFETY.keep_out_radius_m
    after = res.t_s >= abort.t_s
    rng = res.range.to_value(u.m)
    assert np.all(rng[after] >= rng[after][0] - RANGE_TOL)
    assert rng[-1] > SAFETY.keep_out_radius_m
    assert "aborted" in res.summary()
