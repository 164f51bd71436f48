"""Generated inputs for State, StateBatch and Elements (state.py)."""

import astropy.units as u
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from qz_props import EPOCH, EPOCHS, FLOATS, PROFILE, any_value, outcome, quantities

from qingzhou_sim.constants import EARTH
from qingzhou_sim.state import State, StateBatch

GOOD_R = st.just(np.array([6778.0, 0.0, 0.0]) * u.km)
GOOD_V = st.just(np.array([0.0, 7.668, 0.0]) * u.km / u.s)


def _valid_state(s):
    assert 1.0 <= float(s.radius.to_value(u.km)) <= 1e8
    el, err = outcome(s.elements)
    if err is None:
        assert 0 <= float(el.ecc) and 0 <= float(el.inc.to_value(u.deg)) <= 180
        assert float(el.period.to_value(u.s)) > 0


@PROFILE
@given(epoch=st.one_of(st.just(EPOCH), EPOCHS), r=any_value(GOOD_R), v=any_value(GOOD_V))
def test_state_constructor(epoch, r, v):
    s, err = outcome(State, epoch, r, v)
    if err is None:
        _valid_state(s)


@PROFILE
@given(
    r=st.one_of(st.lists(FLOATS, min_size=0, max_size=4), any_value(GOOD_R)),
    v=st.one_of(st.lists(FLOATS, min_size=0, max_size=4), any_value(GOOD_V)),
)
def test_state_from_vectors_converts_units(r, v):
    s, err = outcome(State.from_vectors, EPOCH, r, v)
    if err is None:
        _valid_state(s)
        if isinstance(r, u.Quantity):
            np.testing.assert_allclose(s.r_km, r.to_value(u.km), rtol=1e-15)


@PROFILE
@given(
    a=any_value(st.floats(6500, 50000).map(lambda x: x * u.km)),
    ecc=any_value(st.floats(0, 0.99).map(lambda x: x * u.one)),
    inc=any_value(st.floats(0, 180).map(lambda x: x * u.deg)),
    nu=any_value(st.floats(-720, 720).map(lambda x: x * u.deg)),
)
def test_state_from_elements(a, ecc, inc, nu):
    s, err = outcome(State.from_elements, EPOCH, a=a, ecc=ecc, inc=inc, nu=nu)
    if err is None:
        _valid_state(s)
        assert float(s.perigee_altitude.to_value(u.km)) > -1e-6


@PROFILE
@given(
    hp=any_value(st.floats(-100, 2000).map(lambda x: x * u.km)),
    ha=any_value(st.floats(-100, 2000).map(lambda x: x * u.km)),
    inc=any_value(st.just(41.5 * u.deg)),
)
def test_state_from_altitudes(hp, ha, inc):
    s, err = outcome(State.from_altitudes, EPOCH, perigee_altitude=hp, apogee_altitude=ha, inc=inc)
    if err is None:
        _valid_state(s)


@PROFILE
@given(
    r=any_value(quantities(shapes=((2, 3), (3,), (0, 3), (2, 2)))),
    v=any_value(quantities(shapes=((2, 3), (3,), (0, 3)))),
    epochs=st.one_of(st.just(EPOCH), EPOCHS, st.just(EPOCH + np.arange(3) * u.s)),
)
def test_state_batch(r, v, epochs):
    b, err = outcome(StateBatch, epochs, r, v)
    if err is None:
        assert len(b) == b.r.shape[0]
        for s in b:
            _valid_state(s)


@PROFILE
@given(states=st.lists(st.one_of(st.just(None), st.just(1.0), st.just("x")), max_size=3))
def test_state_batch_from_states_rejects_non_states(states):
    outcome(StateBatch.from_states, states)


@PROFILE
@given(
    r=st.lists(st.floats(-1e5, 1e5), min_size=3, max_size=3),
    v=st.lists(st.floats(-20, 20), min_size=3, max_size=3),
)
def test_derived_quantities_are_finite_or_refused(r, v):
    s, err = outcome(State.from_vectors, EPOCH, r, v)
    if err is not None:
        return
    for name in (
        "altitude",
        "perigee_altitude",
        "apogee_altitude",
        "specific_energy",
        "period",
        "mean_motion",
    ):
        outcome(_getter(name), s)
    outcome(s.elements, EARTH)


def _getter(name):
    def get(state):
        return getattr(state, name)

    get.__qualname__ = f"State.{name}"
    return get
