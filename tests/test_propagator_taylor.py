"""method="taylor" (heyoka backend) against the compiled DOP853 and the Kepler solution."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.errors import InputError
from qingzhou_sim.forces import ForceModel, ZonalGravity
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

pytest.importorskip("heyoka")

EPOCH = Time("2026-05-01T00:00:00", scale="utc")
Y0 = np.array([6768.137, 0.0, 0.0, 0.0, 5.7493, 5.0823])
MM = 1e-6  # km
# DOP853 at 1e-13 and heyoka at 1e-14 agree to ~0.02 mm over a day in LEO.
AGREE = 1 * MM


@pytest.mark.parametrize("t_end, t_burn", [(86400.0, 1000.0), (-86400.0, -1000.0)])
def test_taylor_matches_dop853_with_an_impulse(t_end, t_burn):
    fm = ForceModel(gravity=ZonalGravity(max_degree=4))
    t = np.sort(np.array([0.0, 0.1, 1.0, 100.0, 3600.0, 1.0]) * np.sign(t_end))
    t = np.unique(np.concatenate([t, [t_burn, t_end]]))
    kw = {"impulses_t_s": [t_burn], "impulses_dv_km_s": [[1e-3, -2e-3, 0.5e-3]], "epoch": EPOCH}
    ours = Propagator(fm, rtol=1e-13, atol=1e-13).propagate_rv(Y0, t, **kw)
    heyoka = Propagator(fm, method="taylor", rtol=1e-14).propagate_rv(Y0, t, **kw)
    np.testing.assert_allclose(heyoka[:, :3], ours[:, :3], atol=AGREE)
    np.testing.assert_allclose(heyoka[:, 3:], ours[:, 3:], atol=AGREE / 1e3)


def test_taylor_two_body_matches_kepler():
    t = np.array([600.0, 5400.0, 86400.0])
    kep = Propagator(method="kepler").propagate_rv(Y0, t)
    tay = Propagator(ForceModel.two_body(), method="taylor", rtol=1e-14).propagate_rv(Y0, t)
    np.testing.assert_allclose(tay[:, :3], kep[:, :3], atol=AGREE)


def test_taylor_rejects_what_it_cannot_express():
    with pytest.raises(InputError, match="zonal gravity only"):
        Propagator(ForceModel.default(), method="taylor")
    state = State.from_vectors(EPOCH, Y0[:3] * u.km, Y0[3:] * u.km / u.s)
    prop = Propagator(ForceModel(gravity=ZonalGravity(2)), method="taylor")
    with pytest.raises(InputError, match="propagate_rv only"):
        prop.propagate(state, 1 * u.h)


def test_taylor_integrator_compiled_once_for_every_epoch():
    # The Earth's axis enters heyoka as runtime parameters: a new epoch (a new true
    # pole) reuses the compiled integrator and still matches DOP853 about that pole.
    from qingzhou_sim.propagator._taylor import _compiled

    fm = ForceModel(gravity=ZonalGravity(max_degree=3))
    tay = Propagator(fm, method="taylor", rtol=1e-14)
    dop = Propagator(fm, rtol=1e-13, atol=1e-13)
    t = np.array([5400.0, 43200.0])
    tay.propagate_rv(Y0, t, epoch=EPOCH)
    misses = _compiled.cache_info().misses
    for epoch in (Time("2030-01-01T00:00:00", scale="utc"), Time("2001-06-01", scale="utc")):
        got = tay.propagate_rv(Y0, t, epoch=epoch)
        np.testing.assert_allclose(
            got[:, :3], dop.propagate_rv(Y0, t, epoch=epoch)[:, :3], atol=AGREE
        )
    assert _compiled.cache_info().misses == misses
