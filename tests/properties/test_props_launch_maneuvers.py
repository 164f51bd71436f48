"""Generated inputs for launch sites, targets, windows and burns (launch/*, maneuvers.py)."""

import astropy.units as u
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCH, EPOCHS, GARBAGE, PROFILE, SLOW, any_value, outcome, quantities

from qingzhou_sim import launch, maneuvers

# Tiangong TLE of 2024 (the repository's launch tests use the same public element set).
TLE1 = "1 48274U 21035A   24001.51041667  .00020137  00000-0  22629-3 0  9995"
TLE2 = "2 48274  41.4729 338.0227 0005862 323.1567 140.2938 15.60532419152330"


# Load astropy's Earth-orientation tables before the timed calls.
launch.launch_windows(EPOCH, 1 * u.h)


def _mutate(line, pos, char):
    pos = pos % (len(line) + 1)
    return line[:pos] + char + line[pos + 1 :]


@PROFILE
@given(
    which=st.integers(0, 1),
    pos=st.integers(0, 80),
    char=st.one_of(st.characters(), st.sampled_from("0123456789 .-+")),
    garbage=st.one_of(st.none(), GARBAGE),
)
def test_tle_mutated_character_by_character(which, pos, char, garbage):
    lines = [TLE1, TLE2]
    lines[which] = _mutate(lines[which], pos, char)
    outcome(launch.validate_tle, *lines)
    outcome(launch.Target.from_tle, *lines)
    outcome(launch.validate_tle, TLE1, garbage)


@PROFILE
@given(site=st.one_of(st.sampled_from(["jiuquan", "wenchang", "JIUQUAN", "", "mars"]), GARBAGE))
def test_get_site(site):
    outcome(launch.get_site, site)


@SLOW
@given(
    start=st.one_of(st.just(EPOCH), EPOCHS),
    duration=any_value(st.sampled_from([1 * u.h, 6 * u.h, 1e9 * u.h, 0 * u.s, -1 * u.h])),
    site=st.one_of(st.just("jiuquan"), GARBAGE),
)
def test_launch_windows(start, duration, site):
    w, err = outcome(launch.launch_windows, start, duration, site=site)
    if err is None:
        for d in w.to_dicts():
            assert 0 <= d["azimuth_deg"] <= 360


@SLOW
@given(liftoff=st.one_of(st.just(EPOCH), EPOCHS), target=st.one_of(st.none(), GARBAGE))
def test_insertion_state(liftoff, target):
    s, err = outcome(launch.insertion_state, liftoff, target)
    if err is None:
        assert float(s.perigee_altitude.to_value(u.km)) > 0


@PROFILE
@given(
    raan=any_value(st.floats(-360, 360).map(lambda x: x * u.deg)),
    arglat=any_value(st.floats(-360, 360).map(lambda x: x * u.deg)),
    epoch=st.one_of(st.none(), EPOCHS),
)
def test_nominal_tiangong(raan, arglat, epoch):
    outcome(launch.nominal_tiangong, epoch, raan=raan, arglat=arglat)


@PROFILE
@given(
    epoch=st.one_of(st.just(EPOCH), EPOCHS),
    dv=any_value(st.just(np.array([0.4, 0.0, 0.0]) * u.m / u.s)),
    frame=st.one_of(st.sampled_from(["LVLH", "RSW", "GCRS", "lvlh"]), GARBAGE),
    label=st.one_of(st.text(max_size=5), GARBAGE),
)
def test_burn(epoch, dv, frame, label):
    b, err = outcome(maneuvers.Burn, epoch, dv, frame, label)
    if err is None:
        assert b.dv_m_s >= 0 and isinstance(b.label, str)


MASS = any_value(st.floats(-10, 1e5).map(lambda x: x * u.kg))
ISP = any_value(st.floats(-10, 500).map(lambda x: x * u.s))


@PROFILE
@given(m0=MASS, m1=MASS, isp=ISP)
def test_rocket_equation(m0, m1, isp):
    dv, err = outcome(maneuvers.rocket_equation_dv, m0, m1, isp)
    if err is None:
        assert dv.to_value(u.m / u.s) >= 0


@PROFILE
@given(dv=any_value(quantities()), m0=MASS, isp=ISP)
def test_propellant_mass(dv, m0, isp):
    mp, err = outcome(maneuvers.propellant_mass, dv, m0, isp)
    if err is None:
        assert np.all(mp.to_value(u.kg) >= 0) and np.all(mp.to_value(u.kg) <= m0.to_value(u.kg))


@PROFILE
@given(
    thrust=any_value(st.floats(-10, 1e4).map(lambda x: x * u.N)),
    mass=MASS,
    isp=ISP,
    rate=st.one_of(st.none(), any_value(st.just(1e-3 * u.rad / u.s))),
)
def test_to_finite(thrust, mass, isp, rate):
    burn = maneuvers.Burn(EPOCH, [20.0, 0.0, 0.0] * u.m / u.s)
    fb, err = outcome(maneuvers.to_finite, burn, thrust, mass, isp, orbit_rate=rate)
    if err is None:
        assert fb.duration.to_value(u.s) >= 0


@SLOW
@given(
    a=any_value(st.floats(6000, 8000).map(lambda x: x * u.km)),
    inc=any_value(st.floats(-10, 190).map(lambda x: x * u.deg)),
    when=st.one_of(st.just(EPOCH + 1 * u.h), EPOCHS),
)
def test_target_from_elements_and_state_at(a, inc, when):
    target, err = outcome(launch.Target.from_elements, EPOCH, a=a, inc=inc)
    if err is None:
        s, err = outcome(target.state_at, when)
        if err is None:
            assert float(s.perigee_altitude.to_value(u.km)) > 0
