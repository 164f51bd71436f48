"""Generated inputs for relative motion: STMs, targeting, safety (relative/*)."""

import astropy.units as u
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCH, GARBAGE, PROFILE, any_value, outcome, quantities

from qingzhou_sim import relative
from qingzhou_sim.state import State

STATION = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg)
N = 0.0011 * u.rad / u.s
MODELS = st.one_of(st.sampled_from(["CW", "YA", "SS", "cw", "bogus"]), GARBAGE)
TARGETS = st.one_of(st.just(STATION), st.none(), GARBAGE)
T = any_value(st.floats(-1e5, 1e5).map(lambda x: x * u.s))
R3 = any_value(st.just(np.array([-2.0, 0.0, 0.5]) * u.km))
V3 = any_value(st.just(np.array([0.0, 0.0, 0.0]) * u.km / u.s))
MEAN_MOTION = st.one_of(st.just(N), st.none(), any_value(st.just(N)))
FRAMES = st.one_of(st.sampled_from(["LVLH", "RSW", "GCRS"]), GARBAGE)


@PROFILE
@given(n=any_value(st.just(N)), t=T, frame=FRAMES)
def test_cw_stm(n, t, frame):
    phi, err = outcome(relative.cw_stm, n, t, frame)
    if err is None:
        assert phi.shape[-2:] == (6, 6)


@PROFILE
@given(fn=st.sampled_from(["ya_stm", "ss_stm"]), target=TARGETS, t=T, frame=FRAMES)
def test_target_stms(fn, target, t, frame):
    outcome(getattr(relative, fn), target, t, frame=frame)


@PROFILE
@given(r=R3, v=V3, t=T, model=MODELS, n=MEAN_MOTION, target=TARGETS)
def test_propagate_relative(r, v, t, model, n, target):
    outcome(relative.propagate_relative, r, v, t, model=model, mean_motion=n, target=target)


@PROFILE
@given(
    r0=R3,
    v0=V3,
    rf=R3,
    tof=any_value(st.floats(-1e4, 1e5).map(lambda x: x * u.s)),
    model=MODELS,
    n=MEAN_MOTION,
)
def test_two_impulse_transfer(r0, v0, rf, tof, model, n):
    vf = np.zeros(3) * u.km / u.s
    plan, err = outcome(
        relative.two_impulse_transfer, r0, v0, rf, vf, tof, model=model, mean_motion=n
    )
    if err is None:
        assert plan.total_dv.to_value(u.m / u.s) >= 0


@PROFILE
@given(
    fn=st.sampled_from(["tangential_hop", "radial_hop"]),
    xs=any_value(st.floats(-100, 100).map(lambda x: x * u.km)),
    xe=any_value(st.floats(-100, 100).map(lambda x: x * u.km)),
    n=MEAN_MOTION,
)
def test_hops(fn, xs, xe, n):
    outcome(getattr(relative, fn), xs, xe, mean_motion=n)


@PROFILE
@given(
    r0=R3,
    speed=any_value(st.floats(-1, 1).map(lambda x: x * u.m / u.s)),
    distance=any_value(st.floats(-10, 10).map(lambda x: x * u.km)),
    n=MEAN_MOTION,
)
def test_straight_line(r0, speed, distance, n):
    outcome(relative.straight_line, r0, "-V-bar", speed, distance, mean_motion=n)


@PROFILE
@given(
    r0=R3,
    rf=R3,
    rd0=any_value(st.floats(-1, 1).map(lambda x: x * u.m / u.s)),
    n_pulses=st.one_of(st.integers(-2, 12), GARBAGE),
)
def test_glideslope(r0, rf, rd0, n_pulses):
    outcome(relative.glideslope, r0, rf, rd0, -0.05 * u.m / u.s, n_pulses, mean_motion=N)


@PROFILE
@given(
    radius=any_value(st.floats(-1, 1).map(lambda x: x * u.km)),
    start=st.one_of(st.sampled_from(["-V-bar", "+R-bar", "+V-bar", "x"]), GARBAGE),
    duration=any_value(st.just(45 * u.min)),
    n_legs=st.one_of(st.integers(-1, 8), GARBAGE),
)
def test_fly_around(radius, start, duration, n_legs):
    outcome(relative.fly_around, radius, start, "+R-bar", duration, n_legs=n_legs, mean_motion=N)


@PROFILE
@given(
    kind=st.sampled_from(["KeepOutSphere", "ApproachEllipsoid"]),
    size=any_value(quantities(shapes=((), (3,)))),
    point=any_value(quantities(shapes=((3,), (2, 3)))),
)
def test_safety_zones(kind, size, point):
    zone, err = outcome(getattr(relative, kind), size)
    if err is None:
        outcome(zone.contains, point)


@PROFILE
@given(
    a=any_value(st.floats(-1, 1).map(lambda x: x * u.km)),
    b=any_value(st.floats(-1, 1).map(lambda x: x * u.km)),
    xc=any_value(st.floats(-5, 5).map(lambda x: x * u.km)),
)
def test_safety_ellipse(a, b, xc):
    outcome(relative.safety_ellipse, a, b, along_track_center=xc, mean_motion=N)


RELS = st.one_of(
    st.tuples(R3, V3),
    st.just((np.array([[-2.0, 0, 0.5], [1.0, 0, 0]]) * u.km, np.zeros((2, 3)) * u.km / u.s)),
    GARBAGE,
)


@PROFILE
@given(rel=RELS, horizon=any_value(st.floats(-1e4, 1e5).map(lambda x: x * u.s)))
def test_passive_safety(rel, horizon):
    outcome(relative.passive_safety, rel, N, horizon=horizon)


@PROFILE
@given(rel=RELS, dv_max=any_value(st.floats(-1, 5).map(lambda x: x * u.m / u.s)))
def test_collision_avoidance_burn(rel, dv_max):
    outcome(relative.collision_avoidance_burn, rel, N, dv_max=dv_max)
