"""With the default navigation noise, execution errors and attitude errors, the aft
approach still docks, never leaves the corridor and meets every contact condition."""

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import ContactLimits, SafetyConfig, simulate_approach

STATION_A_KM = R_EARTH_KM + 390.0  # mission-facts.md sec. 1
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
SAFETY = SafetyConfig()
LIMITS = ContactLimits()


@pytest.fixture(scope="module")
def station():
    return State.from_elements(EPOCH, a=STATION_A_KM * u.km, inc=41.5 * u.deg)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aft_docks_with_default_noise(station, seed):
    res = simulate_approach(station, profile="aft", seed=seed)
    assert res.docked, res.summary()
    c = res.contact
    assert c.ok
    assert LIMITS.closing_speed_min_m_s <= c.closing_speed_m_s <= LIMITS.closing_speed_max_m_s
    assert c.lateral_offset_m <= LIMITS.lateral_offset_m
    assert abs(c.pitch_deg) <= LIMITS.pitch_yaw_deg and abs(c.roll_deg) <= LIMITS.roll_deg
    # attitude errors are drawn when the noise is on
    assert c.pitch_deg != 0.0
    assert "abort" not in [e.name for e in res.events]
    # corridor never violated by the truth inside the keep-out sphere
    prof = res.profile
    axis = np.array(prof.axis_vector)
    com_off = np.array(prof.port_position_m) + axis * prof.chaser_port_arm_m
    r = res.r_true.to_value(u.m)
    rel = r[np.linalg.norm(r, axis=1) < SAFETY.keep_out_radius_m] - com_off
    d = rel @ axis
    lat = np.linalg.norm(rel - d[:, None] * axis, axis=1)
    allowed = np.maximum(
        prof.corridor_min_radius_m, d * math.tan(math.radians(prof.corridor_half_angle_deg))
    )
    assert rel.shape[0] > 100
    assert np.all(lat <= allowed)
    # the estimate differs from the truth (the noise is really on)
    assert np.max(np.abs((res.r_est - res.r_true).to_value(u.m))) > 0.01
