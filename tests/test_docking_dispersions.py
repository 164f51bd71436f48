"""Each six-degree-of-freedom dispersion term reaches the simulation: switching it on
(alone, everything else quiet) changes the contact figures of the approach."""

import astropy.units as u
import pytest
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import AttitudeConfig, ThrusterConfig, simulate_approach

EPOCH = Time("2026-05-01T00:00:00", scale="utc")
STATION_A_KM = R_EARTH_KM + 390.0  # mission-facts.md sec. 1
QUIET_ATT = AttitudeConfig(station_error_deg=(0, 0, 0), com_offset_m=(0, 0, 0))


@pytest.fixture(scope="module")
def station():
    return State.from_elements(EPOCH, a=STATION_A_KM * u.km, inc=41.5 * u.deg)


@pytest.fixture(scope="module")
def quiet(station):
    return simulate_approach(station, profile="aft-fast", noise=False, attitude=QUIET_ATT)


@pytest.mark.parametrize(
    "attitude",
    [
        AttitudeConfig(station_error_deg=(0.3, 0, 0), com_offset_m=(0, 0, 0)),
        AttitudeConfig(
            station_error_deg=(0, 0, 0), chaser_error_deg=(2.0, 0, 0), com_offset_m=(0, 0, 0)
        ),
        AttitudeConfig(
            station_error_deg=(0, 0, 0), chaser_rate_deg_s=(0, 0, 0.05), com_offset_m=(0, 0, 0)
        ),
        AttitudeConfig(station_error_deg=(0, 0, 0), com_offset_m=(0, 0.03, 0)),
        AttitudeConfig(
            station_error_deg=(0, 0, 0), com_offset_m=(0, 0, 0), inertia_scale=(1.05, 0.95, 1.0)
        ),
    ],
    ids=["station error", "chaser error", "chaser rate", "com offset", "inertia"],
)
def test_each_attitude_term_changes_the_contact(station, quiet, attitude):
    res = simulate_approach(station, profile="aft-fast", noise=False, attitude=attitude)
    assert res.contact is not None
    assert res.contact.figures() != quiet.contact.figures()


@pytest.mark.parametrize(
    "thrusters",
    [
        ThrusterConfig(magnitude_sigma=0.01, pointing_sigma_deg=0.0),
        ThrusterConfig(magnitude_sigma=0.0, pointing_sigma_deg=1.0),
    ],
    ids=["thrust error", "thruster misalignment"],
)
def test_each_thruster_term_changes_the_contact(station, thrusters):
    # execution errors are drawn when the noise is on: compare with the same seed and
    # noise, the term off
    off = ThrusterConfig(magnitude_sigma=0.0, pointing_sigma_deg=0.0)
    kw = dict(profile="aft-fast", noise=True, seed=5, attitude=QUIET_ATT)
    a = simulate_approach(station, thrusters=off, **kw)
    b = simulate_approach(station, thrusters=thrusters, **kw)
    assert a.contact is not None and b.contact is not None
    assert a.contact.figures() != b.contact.figures()


def test_station_rate_reaches_the_station(station, quiet):
    # the station's initial rate decays under its own hold (10 min loop) long before
    # contact; it shows in the station's attitude history
    att = AttitudeConfig(
        station_error_deg=(0, 0, 0), station_rate_deg_s=(0, 0.01, 0), com_offset_m=(0, 0, 0)
    )
    res = simulate_approach(station, profile="aft-fast", noise=False, attitude=att)
    assert abs(res.rate_station[0, 1].to_value(u.deg / u.s) - 0.01) < 1e-12
    assert quiet.rate_station[0, 1].to_value(u.deg / u.s) == 0.0
