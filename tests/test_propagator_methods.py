"""Integrator choice: optional backends fail clearly; the Runge-Kutta-Nystrom pair."""

from __future__ import annotations

import sys

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.errors import InputError, PropagationError, UnknownNameError
from qingzhou_sim.forces import ForceModel, ThirdBody, ZonalGravity
from qingzhou_sim.propagator import Propagator, propagate_batch
from qingzhou_sim.state import State, StateBatch


def test_taylor_without_heyoka_is_a_clear_input_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "heyoka", None)  # "import heyoka" now fails
    with pytest.raises(InputError, match=r"needs heyoka: pip install"):
        Propagator(ForceModel(gravity=ZonalGravity(2)), method="taylor")


# --------------------------------------------------------------------------- RKN12(10)
MM = 1e-6  # km
EPS = np.finfo(float).eps
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
STATION = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.47 * u.deg, raan=30 * u.deg)


def test_rkn_tableau_satisfies_the_order_conditions():
    # Hairer et al. (1993), sec. II.14: quadrature conditions of a Nystrom method of
    # order p: sum b_i c_i^k = 1 / ((k + 1)(k + 2)) for k <= p - 2 (position weights),
    # sum b'_i c_i^k = 1 / (k + 1) for k <= p - 1 (velocity weights); rows sum to c_i^2/2;
    # and sum b_i a_ij c_j^k = k! / (k + 4)! (a tree of order k + 4).
    from math import factorial

    from qingzhou_sim.propagator import _rkn as R

    bh = R._B - R._EB
    bph = R._BP - R._EBP
    c = R._C

    def holds(weights, values, expected):
        # Round-off of a float64 sum: a few ulps of the sum of |terms| (row 15 of the
        # tableau has entries in the thousands that cancel).
        terms = weights * values
        return abs(terms.sum() - expected) <= 8 * EPS * max(np.abs(terms).sum(), 1.0)

    for i in range(17):
        assert holds(R._A[i], np.ones(17), c[i] ** 2 / 2), i
    for k in range(11):
        assert holds(R._B, c**k, 1 / ((k + 1) * (k + 2))), k
        assert holds(R._BP, c**k, 1 / (k + 1)), k
    assert holds(R._BP, c**11, 1 / 12)
    for k in range(9):  # trees of order k + 4 <= 12
        assert holds(R._B @ R._A, c**k, factorial(k) / factorial(k + 4)), k
    for k in range(9):  # the embedded solution: order 10
        assert holds(bh, c**k, 1 / ((k + 1) * (k + 2))), k
        assert holds(bph, c**k, 1 / (k + 1)), k
    # ... and not order 11: the estimate measures the error of order 11.
    assert not holds(bph, c**10, 1 / 11)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_rkn_matches_dop853_with_impulses_zonal_and_true_pole(sign):
    fm = ForceModel(gravity=ZonalGravity(max_degree=4), third_bodies=(ThirdBody("moon"),))
    t = np.sort(sign * np.array([0.0, 10.0, 600.0, 1000.0, 5000.0, 43200.0]))
    kw = {
        "impulses_t_s": sign * np.array([1000.0, 20000.0]),
        "impulses_dv_km_s": [[1e-3, -2e-3, 0.5e-3], [0.0, 1e-3, 0.0]],
        "epoch": EPOCH,
    }
    y0 = STATION.rv_km
    dop = Propagator(fm, rtol=1e-13, atol=1e-13).propagate_rv(y0, t, **kw)
    rkn = Propagator(fm, method="rkn", rtol=1e-12, atol=1e-12).propagate_rv(y0, t, **kw)
    np.testing.assert_allclose(rkn[:, :3], dop[:, :3], atol=1 * MM)
    np.testing.assert_allclose(rkn[:, 3:], dop[:, 3:], atol=1e-3 * MM)


def test_rkn_outputs_do_not_change_the_integration():
    # Outputs inside steps come from separate steps: asking for more outputs leaves the
    # final state unchanged, bit for bit.
    prop = Propagator(ForceModel(gravity=ZonalGravity(max_degree=4)), method="rkn")
    end = prop.propagate_rv(STATION.rv_km, [86400.0], epoch=EPOCH)
    dense = prop.propagate_rv(STATION.rv_km, np.linspace(0.0, 86400.0, 97), epoch=EPOCH)
    np.testing.assert_array_equal(dense[-1], end[0])


def test_rkn_with_drag_is_dop853():
    fm = ForceModel.default()
    t = [3600.0, 86400.0]
    rkn = Propagator(fm, method="rkn").propagate_rv(STATION.rv_km, t, epoch=EPOCH)
    dop = Propagator(fm).propagate_rv(STATION.rv_km, t, epoch=EPOCH)
    np.testing.assert_array_equal(rkn, dop)


def test_rkn_and_taylor_refuse_trajectories():
    prop = Propagator(ForceModel(gravity=ZonalGravity(2)), method="rkn")
    with pytest.raises(InputError, match="'rkn' serves propagate_rv only"):
        prop.propagate(STATION, 1 * u.h)


def test_rkn_reentry_is_located_like_dop853():
    # A ballistic 50 x 300 km orbit: the re-entry time agrees with DOP853's to 1 ms.
    state = State.from_altitudes(
        EPOCH, perigee_altitude=50 * u.km, apogee_altitude=300 * u.km, inc=41.47 * u.deg,
        nu=180 * u.deg,
    )  # fmt: skip
    fm = ForceModel(gravity=ZonalGravity(2))
    errs = {}
    for method in ("dop853", "rkn"):
        with pytest.raises(PropagationError) as info:
            Propagator(fm, method=method).propagate_rv(state.rv_km, [3 * 3600.0], epoch=EPOCH)
        errs[method] = info.value.last_epoch
    assert abs(errs["rkn"] - errs["dop853"]) < 1e-3


def _batch(n, seed=11):
    rng = np.random.default_rng(seed)
    r = STATION.r_km + rng.uniform(-50, 50, (n, 3))
    v = STATION.v_km_s + rng.uniform(-0.02, 0.02, (n, 3))
    return StateBatch.from_vectors(EPOCH, r, v)


def test_rkn_batch_is_the_scalar_kernel_bit_for_bit():
    # The ensemble (blocks of 64 lanes) follows the scalar kernel's operations: every
    # sample's result is independent of its block-mates, the threads and the chunking,
    # and equal to the scalar kernel's (propagate_rv, and the per-sample history path).
    fm = ForceModel(gravity=ZonalGravity(4), third_bodies=(ThirdBody("sun"),))
    batch = _batch(70)
    kw = {"force_model": fm, "method": "rkn"}
    whole = propagate_batch(batch, 3 * u.h, **kw)
    threaded = propagate_batch(batch, 3 * u.h, parallel=True, **kw)
    np.testing.assert_array_equal(threaded.rv_km, whole.rv_km)
    perm = np.random.default_rng(3).permutation(70)
    shuffled = propagate_batch(
        StateBatch.from_vectors(EPOCH, batch.r_km[perm], batch.v_km_s[perm]), 3 * u.h, **kw
    )
    np.testing.assert_array_equal(shuffled.rv_km, whole.rv_km[perm])
    single = Propagator(fm, method="rkn", rtol=1e-9, atol=1e-9).propagate_rv(
        batch.rv_km[7], [10800.0], epoch=EPOCH
    )
    np.testing.assert_array_equal(single[0], whole.rv_km[7])
    hist = propagate_batch(batch, 3 * u.h, output="history", output_step=1 * u.h, **kw)
    np.testing.assert_array_equal(hist.rv_km[:, -1], whole.rv_km)


def test_rkn_batch_marks_reentered_samples():
    low = State.from_altitudes(
        EPOCH, perigee_altitude=50 * u.km, apogee_altitude=300 * u.km, inc=41.47 * u.deg,
        nu=180 * u.deg,
    )  # fmt: skip
    r = np.vstack([STATION.r_km, low.r_km])
    v = np.vstack([STATION.v_km_s, low.v_km_s])
    fm = ForceModel(gravity=ZonalGravity(2))
    out = propagate_batch(
        StateBatch.from_vectors(EPOCH, r, v), 3 * u.h, force_model=fm, method="rkn"
    )
    alt = np.linalg.norm(out.r_km, axis=1) - 6378.137
    assert alt[1] == pytest.approx(100.0, abs=1e-3)
    assert (out.epochs[1] - EPOCH).to_value(u.s) < 3 * 3600.0


def test_batch_method_is_checked():
    with pytest.raises(UnknownNameError, match="'rk45'"):
        propagate_batch(_batch(2), 1 * u.h, method="rk45")


def test_taylor_batch_matches_rkn_and_routes_low_perigees():
    pytest.importorskip("heyoka")
    low = State.from_altitudes(
        EPOCH, perigee_altitude=50 * u.km, apogee_altitude=300 * u.km, inc=41.47 * u.deg,
        nu=180 * u.deg,
    )  # fmt: skip
    batch = _batch(21)  # not a multiple of heyoka's SIMD width: a padded last block
    r = np.vstack([batch.r_km, low.r_km])
    v = np.vstack([batch.v_km_s, low.v_km_s])
    states = StateBatch.from_vectors(EPOCH, r, v)
    fm = ForceModel(gravity=ZonalGravity(3))
    kw = {"force_model": fm, "rtol": 1e-13, "atol": 1e-13}
    tay = propagate_batch(states, 6 * u.h, method="taylor", **kw)
    rkn = propagate_batch(states, 6 * u.h, method="rkn", **kw)
    np.testing.assert_allclose(tay.r_km, rkn.r_km, atol=1 * MM)
    # The low sample went through the RKN kernel: its re-entry is located.
    np.testing.assert_array_equal(tay.rv_km[-1], rkn.rv_km[-1])
    with pytest.raises(InputError, match="final states only"):
        propagate_batch(
            states, 6 * u.h, method="taylor", output="history", output_step=1 * u.h, **kw
        )
