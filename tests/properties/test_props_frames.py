"""Generated inputs for the frame conversions (frames.py)."""

import astropy.units as u
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCH, EPOCHS, PROFILE, SLOW, any_value, outcome, quantities

from qingzhou_sim import frames
from qingzhou_sim.state import State

STATION = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg)
# Load astropy's Earth-orientation tables before the timed calls.
frames.gcrs_to_itrs(EPOCH, STATION.r)
TARGETS = st.one_of(st.just(STATION), st.none(), st.just("station"), st.just(1.0))
REL_R = st.just(np.array([-1.0, 0.0, 0.1]) * u.km)
REL_V = st.just(np.array([0.001, 0.0, 0.0]) * u.km / u.s)


@PROFILE
@given(target=TARGETS, chaser=TARGETS, frame=st.sampled_from(["gcrs_to_lvlh", "gcrs_to_rsw"]))
def test_to_relative(target, chaser, frame):
    rel, err = outcome(getattr(frames, frame), target, chaser)
    if err is None:
        assert rel.r.unit == u.km


@PROFILE
@given(
    target=TARGETS,
    r=any_value(REL_R),
    v=any_value(REL_V),
    fn=st.sampled_from(["lvlh_to_gcrs", "rsw_to_gcrs"]),
)
def test_from_relative(target, r, v, fn):
    outcome(getattr(frames, fn), target, r, v)


@PROFILE
@given(r=any_value(REL_R), v=any_value(REL_V), fn=st.sampled_from(["lvlh_to_rsw", "rsw_to_lvlh"]))
def test_relative_permutations(r, v, fn):
    rel, err = outcome(getattr(frames, fn), r, v)
    if err is None and isinstance(r, u.Quantity):
        np.testing.assert_allclose(
            np.sort(np.abs(rel.r.to_value(u.km)).ravel()),
            np.sort(np.abs(r.to_value(u.km)).ravel()),
            rtol=1e-15,
        )


@SLOW
@given(
    epochs=st.one_of(st.just(EPOCH), EPOCHS),
    r=any_value(st.just(np.array([6778.0, 0, 0]) * u.km)),
    fn=st.sampled_from(["gcrs_to_itrs", "itrs_to_gcrs", "gcrs_to_geodetic", "ground_track"]),
)
def test_earth_fixed(epochs, r, fn):
    outcome(getattr(frames, fn), epochs, r)


@PROFILE
@given(
    lat=any_value(st.floats(-90, 90).map(lambda x: x * u.deg)),
    lon=any_value(st.floats(-360, 360).map(lambda x: x * u.deg)),
    h=any_value(st.floats(-10, 1000).map(lambda x: x * u.km)),
)
def test_geodetic_round_trip(lat, lon, h):
    r, err = outcome(frames.geodetic_to_itrs, lat, lon, h)
    if err is not None:
        return
    back, err = outcome(frames.itrs_to_geodetic, r)
    if err is None:
        np.testing.assert_allclose(back[2].to_value(u.km), h.to_value(u.km), atol=1e-6)


@PROFILE
@given(r=any_value(quantities(shapes=((3,), (2, 3), (3, 2)))))
def test_itrs_to_geodetic(r):
    outcome(frames.itrs_to_geodetic, r)
