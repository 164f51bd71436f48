"""Cross-check against boinor's CowellPropagator with its J2 perturbation.

boinor's Earth has R = 6378.1366 km and J2 = 1.08263e-3; we pass our R and J2
explicitly to its ``J2_perturbation`` so both sides integrate the same field
(mu = 398600.4418 km^3/s^2 on both sides).
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.constants import EARTH
from qingzhou_sim.forces import ForceModel, ZonalGravity
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

M = 1e-3  # km
EPOCH = Time("2026-05-01T00:00:00", scale="utc")


@pytest.mark.parametrize("method", ["dop853", "rkn"])
def test_j2_agrees_with_boinor_cowell_after_a_day(method):
    from boinor.core.perturbations import J2_perturbation
    from boinor.core.propagation import func_twobody
    from boinor.twobody.propagation import CowellPropagator

    def f(t0, y, k):
        du = func_twobody(t0, y, k)
        ax, ay, az = J2_perturbation(t0, y, k, J2=EARTH.j2, R=EARTH.radius_km)
        return du + np.array([0.0, 0.0, 0.0, ax, ay, az])

    state = State.from_elements(
        EPOCH, a=(EARTH.radius_km + 390) * u.km, inc=41.47 * u.deg, nu=5 * u.deg
    )
    theirs = state.to_orbit().propagate(1 * u.day, method=CowellPropagator(rtol=1e-12, f=f))
    # boinor's J2 is about the z axis of its frame: compare with ours about GCRS z.
    fm = ForceModel(gravity=ZonalGravity(max_degree=2), pole="gcrs-z")
    ours = Propagator(fm, method=method).propagate_rv(state.rv_km, [86400.0], epoch=EPOCH)
    err = np.linalg.norm(ours[0, :3] - theirs.r.to_value(u.km))
    assert err < 1 * M
