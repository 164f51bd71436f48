"""Contact figures of the six-degree-of-freedom approach with the noise and dispersions
off (deterministic) and on (200 dispersed approaches: closing-speed spread and the
share inside every mechanism limit, with its Wilson interval from scipy).

Dispersions of one sample (each an assumption, none is published for Qingzhou):
navigation sensor noise (NavigationConfig defaults), per-thruster misalignment 1 deg and
thrust error 1 % (ThrusterConfig defaults, Fehse 2003 sec. 5.6), main-engine execution
errors (same sigmas), chaser attitude error at hand-over 2 deg and rate 0.05 deg/s per
axis, centre-of-mass offset 2 cm per axis, principal inertia 5 %, station hold offset
0.2 deg per axis.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from scipy.stats import binomtest

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import AttitudeConfig, ContactLimits, simulate_approach
from qingzhou_sim.docking.result import CONTACT_FIGURES

# Tiangong at 390 km, 41.5 deg (mission-facts.md sec. 1)
STATION_A_KM = R_EARTH_KM + 390.0
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
N_SAMPLES = 200  # issue 14
LIMITS = ContactLimits()
MM_S = 1e-3  # m/s
CM_S = 1e-2  # m/s
TARGET_SHARE = 0.997  # issue 14: report which limit binds below 99.7 %


@pytest.fixture(scope="module")
def station():
    return State.from_elements(EPOCH, a=STATION_A_KM * u.km, inc=41.5 * u.deg)


def _dispersed_attitude(gen) -> AttitudeConfig:
    return AttitudeConfig(
        station_error_deg=tuple(0.2 * gen.standard_normal(3)),
        chaser_error_deg=tuple(2.0 * gen.standard_normal(3)),
        chaser_rate_deg_s=tuple(0.05 * gen.standard_normal(3)),
        com_offset_m=tuple(0.02 * gen.standard_normal(3)),
        inertia_scale=tuple(1.0 + 0.05 * gen.standard_normal(3)),
    )


def test_quiet_contact_figures_are_deterministic(station):
    a = simulate_approach(station, profile="aft", noise=False)
    b = simulate_approach(station, profile="aft", noise=False, seed=99)
    assert a.docked and b.docked
    fa, fb = a.contact.figures(), b.contact.figures()
    assert all(np.isfinite(v) for v in fa.values())
    assert fa == fb  # bit for bit: no random draw anywhere with the noise off


@pytest.fixture(scope="module")
def campaign(station):
    rows = []
    for seed in range(N_SAMPLES):
        gen = np.random.default_rng([14, seed])
        res = simulate_approach(
            station, profile="aft", seed=seed, noise=True, attitude=_dispersed_attitude(gen)
        )
        if res.contact is None:
            rows.append(({}, {}, res.failure_reason))
            continue
        rows.append(
            (res.contact.figures(), {c.name: c.ok for c in res.contact.checks}, res.failure_reason)
        )
    return rows


def test_dispersed_contact_spread_and_success_share(campaign):
    contacts = [f for f, _, _ in campaign if f]
    vcl = np.array([f["closing_speed_m_s"] for f in contacts])
    ok = [bool(c) and all(c.values()) for _, c, _ in campaign]
    k = int(np.sum(ok))
    ci = binomtest(k, N_SAMPLES).proportion_ci(confidence_level=0.95, method="wilson")
    fails: dict[str, int] = {}
    for _, checks, reason in campaign:
        for name, good in checks.items():
            if not good:
                fails[name] = fails.get(name, 0) + 1
        if not checks:
            fails[reason] = fails.get(reason, 0) + 1
    spread = {
        name: (np.mean([f[name] for f in contacts]), np.std([f[name] for f in contacts], ddof=1))
        for name in CONTACT_FIGURES
    }
    print(
        f"\n{N_SAMPLES} dispersed aft approaches: {len(contacts)} contacts, {k} inside every limit"
    )
    print(f"share {k / N_SAMPLES:.4f}, Wilson 95 % [{ci.low:.4f}, {ci.high:.4f}]; failures {fails}")
    for name, (m, s) in spread.items():
        print(f"  {name:<20s} mean {m:9.4f}  std {s:9.4f}")
    # the expectation: mm/s to cm/s, not tenths of a mm/s
    assert 1 * MM_S <= np.std(vcl, ddof=1) <= 5 * CM_S
    assert ci.low <= k / N_SAMPLES <= ci.high
    assert len(contacts) >= 0.9 * N_SAMPLES
