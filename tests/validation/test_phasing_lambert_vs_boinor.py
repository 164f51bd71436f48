"""The Lambert strategy against boinor's own Izzo solver on the same inputs."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from boinor.iod.izzo import lambert

from qingzhou_sim.phasing import plan_lambert
from qingzhou_sim.phasing._kernels import _kepler
from qingzhou_sim.phasing.strategies import _izzo, _lambert_pair
from qingzhou_sim.state import State

MU = 398600.4418  # km^3/s^2
R_EQ = 6378.137  # km
MM_S = 1e-6  # km/s
K = MU * u.km**3 / u.s**2

T0 = Time("2026-12-01T04:00:00", scale="utc")
CHASER = State.from_altitudes(
    T0,
    perigee_altitude=200 * u.km,
    apogee_altitude=380 * u.km,
    inc=41.5 * u.deg,
    raan=120 * u.deg,
    argp=45 * u.deg,
    nu=0 * u.deg,
)


@pytest.mark.parametrize(
    ("tof_s", "revs", "lowpath"),
    [
        (2400.0, 0, True),
        (9000.0, 1, True),
        (9000.0, 1, False),
        (15000.0, 2, True),
        (15000.0, 2, False),
    ],
)
def test_kernel_wrapper_equals_boinor(tof_s, revs, lowpath):
    r1 = CHASER.r_km
    r2, _ = _kepler(MU, CHASER.r_km, CHASER.v_km_s * 1.004, 2000.0)
    v1, v2 = _izzo(MU, r1, r2, tof_s, revs, lowpath)
    b1, b2 = lambert(K, r1 * u.km, r2 * u.km, tof_s * u.s, M=revs, lowpath=lowpath)
    np.testing.assert_allclose(v1, b1.to_value(u.km / u.s), atol=MM_S)
    np.testing.assert_allclose(v2, b2.to_value(u.km / u.s), atol=MM_S)
    # and the arc really joins r1 to r2 in tof (independent two-body propagation)
    r_end, _ = _kepler(MU, r1, v1, tof_s)
    np.testing.assert_allclose(r_end, r2, atol=1e-3)


def test_multi_rev_selection_is_boinor_minimum():
    r1, v1c = CHASER.r_km, CHASER.v_km_s
    r2, v2t = _kepler(MU, CHASER.r_km, CHASER.v_km_s * 1.004, 2000.0)
    tof = 15000.0
    best = _lambert_pair(MU, np.concatenate([r1, v1c]), np.concatenate([r2, v2t]), tof, 2)
    totals = []
    for m in range(3):
        for low in (True, False) if m else (True,):
            b1, b2 = lambert(K, r1 * u.km, r2 * u.km, tof * u.s, M=m, lowpath=low)
            totals.append(
                np.linalg.norm(b1.to_value(u.km / u.s) - v1c)
                + np.linalg.norm(v2t - b2.to_value(u.km / u.s))
            )
    assert best[0] == pytest.approx(min(totals), abs=MM_S)


def test_plan_burns_are_boinor_lambert_arc():
    station = State.from_elements(
        T0, a=(R_EQ + 390.0) * u.km, inc=41.5 * u.deg, raan=120 * u.deg, nu=50 * u.deg
    )
    p = plan_lambert(
        CHASER, station, handover_time=1.9 * u.h, force_model="two-body", correct=False
    )
    t1, t2 = ((b.epoch - T0).to_value(u.s) for b in p.burns)
    r1, v1c = _kepler(MU, CHASER.r_km, CHASER.v_km_s, t1)
    dv1 = p.dv_inertial[0].to_value(u.km / u.s)
    r2, v2 = _kepler(MU, r1, v1c + dv1, t2 - t1)
    m = int(p.notes[0].split()[3])
    hits = []
    for low in (True, False):
        b1, _ = lambert(K, r1 * u.km, r2 * u.km, (t2 - t1) * u.s, M=m, lowpath=low)
        hits.append(np.linalg.norm(b1.to_value(u.km / u.s) - (v1c + dv1)))
    assert min(hits) < MM_S
