"""Impulsive burns: a burn applied mid-arc by the propagator equals propagating to the
burn epoch, adding the delta-v by hand, and propagating on."""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.maneuvers import Burn
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

MM = 1e-6  # km
EPOCH = Time("2026-05-01T00:00:00", scale="utc")


@pytest.mark.parametrize("method", ["dop853", "rk4"])
def test_prograde_burn_mid_arc_equals_split_propagation(method):
    prop = Propagator(method=method, step_s=5.0)  # J2-J4 + drag (default force model)
    state = State.from_altitudes(
        EPOCH, perigee_altitude=200 * u.km, apogee_altitude=380 * u.km, inc=41.47 * u.deg
    )
    t_burn = EPOCH + 2345.678 * u.s
    t_end = EPOCH + 3 * u.h
    burn = Burn(t_burn, [3.0, 0.0, 0.0] * u.m / u.s, "LVLH", "prograde")

    whole = prop.propagate(state, t_end, burns=[burn])

    before = prop.propagate(state, t_burn).final_state
    # LVLH x is along the velocity for this near-circular orbit's local horizontal.
    x_lvlh = np.cross(np.cross(before.r_km, before.v_km_s), before.r_km)
    x_lvlh /= np.linalg.norm(x_lvlh)
    after = State.from_vectors(t_burn, before.r_km, before.v_km_s + 3e-3 * x_lvlh)
    split = prop.propagate(after, t_end).final_state

    assert np.linalg.norm(whole.final_state.r_km - split.r_km) < 1 * MM
    assert whole.burns == (burn,)
    # At the burn epoch the trajectory gives the post-burn state.
    np.testing.assert_allclose(whole.state_at(t_burn).v_km_s, after.v_km_s, atol=1e-9)
