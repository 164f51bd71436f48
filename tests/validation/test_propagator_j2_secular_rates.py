"""J2 secular drift of the node and the perigee against the first-order analytic rates.

Vallado (2013), eq. 9-41: dRAAN/dt = -3 n J2 R^2 cos(i) / (2 p^2),
dargp/dt = 3 n J2 R^2 (4 - 5 sin^2 i) / (4 p^2), with the mean elements n, p, i.
Mean elements are obtained from the integration itself: the straight-line fit of the
osculating angles over 10 days (about 150 revolutions) averages out the short-period
terms, and a, e, i are the time averages of their osculating values.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.constants import EARTH
from qingzhou_sim.forces import ForceModel, ZonalGravity
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import _rv_to_elements

REL = 0.005  # 0.5 %, the tolerance asked for in issue 3
EPOCH = Time("2026-05-01T00:00:00", scale="utc")


@pytest.mark.parametrize("method", ["dop853", "rkn"])
def test_j2_node_and_perigee_rates_over_ten_days(method):
    from qingzhou_sim.state import State

    # i = 41.47 deg as in issue 3; e = 0.02 so that the perigee is well defined.
    state = State.from_elements(
        EPOCH, a=7000 * u.km, ecc=0.02 * u.one, inc=41.47 * u.deg, raan=20 * u.deg, argp=30 * u.deg
    )
    prop = Propagator(ForceModel(gravity=ZonalGravity(max_degree=2)), method=method)
    t = np.arange(0.0, 10 * 86400.0, 120.0)
    rv = prop.propagate_rv(state.rv_km, t, epoch=EPOCH)
    el = _rv_to_elements(EARTH.mu_km3_s2, rv[:, :3], rv[:, 3:])
    raan = np.unwrap(el[:, 3])
    argp = np.unwrap(el[:, 4])
    raan_rate = np.polyfit(t, raan, 1)[0]
    argp_rate = np.polyfit(t, argp, 1)[0]

    a, e, i = el[:, 0].mean(), el[:, 1].mean(), el[:, 2].mean()
    n = np.sqrt(EARTH.mu_km3_s2 / a**3)
    p = a * (1 - e**2)
    k = n * EARTH.j2 * (EARTH.radius_km / p) ** 2
    raan_rate_vallado = -1.5 * k * np.cos(i)
    argp_rate_vallado = 0.75 * k * (4 - 5 * np.sin(i) ** 2)

    np.testing.assert_allclose(raan_rate, raan_rate_vallado, rtol=REL)
    np.testing.assert_allclose(argp_rate, argp_rate_vallado, rtol=REL)
