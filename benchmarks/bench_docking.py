"""Speed of the docking approach (issue 7: hand-over -> hard dock well under 1 s of CPU,
since it runs inside every Monte Carlo sample).

Times :func:`qingzhou_sim.docking.simulate_approach` for the three built-in profiles,
noise-free and with the default noise, after a warm-up run (JIT compilation excluded),
and reports CPU time per run and per simulated hour. Peer in the same run: the truth
plant alone (two RK4-integrated absolute states, J2 + drag) over the same duration, to
show how much of the cost is GNC, navigation and safety monitoring.

Run: ``python benchmarks/bench_docking.py``.
"""

from __future__ import annotations

import time

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import simulate_approach


def cpu_best_of(fn, repeat: int = 5) -> tuple[float, object]:
    out = fn()  # warm-up: numba compilation / cache load
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def main() -> dict:
    station = State.from_elements(
        Time("2026-05-01T00:00:00", scale="utc"), a=(R_EARTH_KM + 390.0) * u.km, inc=41.5 * u.deg
    )
    rows = {}
    for profile in ("aft", "forward", "radial"):
        for noise in (False, True):
            cpu, res = cpu_best_of(
                lambda p=profile, z=noise: simulate_approach(station, profile=p, noise=z, seed=1)
            )
            hours = res.duration.to_value(u.h)
            rows[(profile, noise)] = (cpu, hours, res.docked, len(res.t_s), res.total_dv.value)
    # peer: truth plant only, over the aft profile's duration
    from qingzhou_sim.constants import EARTH
    from qingzhou_sim.docking import (
        ContactLimits,
        NavigationConfig,
        PlantConfig,
        SafetyConfig,
        ThrusterConfig,
    )
    from qingzhou_sim.docking import _kernels as K
    from qingzhou_sim.docking.profiles import get_approach_profile
    from qingzhou_sim.docking.simulate import _build_cfg

    n = np.sqrt(EARTH.mu_km3_s2 / (R_EARTH_KM + 390.0) ** 3)
    cfg, _ = _build_cfg(
        n,
        get_approach_profile("aft"),
        NavigationConfig(),
        False,
        ThrusterConfig(),
        PlantConfig(),
        SafetyConfig(),
        ContactLimits(),
        EARTH,
    )
    st = station.rv_km
    ch = st + np.array([1.0, 0, 0, 0, 0, 0])
    dur = rows[("aft", False)][1] * 3600.0
    cpu_plant, _ = cpu_best_of(lambda: K.propagate_truth(st, ch, dur, 5000.0, cfg))

    print(
        f"{'profile':<8} {'noise':<6} {'CPU/run ms':>11} {'sim h':>6} {'CPU ms/sim h':>13} "
        f"{'steps':>6} {'dv m/s':>7} docked"
    )
    for (profile, noise), (cpu, hours, docked, steps, dv) in rows.items():
        print(
            f"{profile:<8} {str(noise):<6} {cpu * 1e3:11.1f} {hours:6.2f} {cpu * 1e3 / hours:13.2f} "
            f"{steps:6d} {dv:7.2f} {docked}"
        )
    print(f"peer: truth plant alone (aft duration, 10 s RK4 steps): {cpu_plant * 1e3:.1f} ms CPU")
    return {f"{p}/{'noise' if z else 'quiet'}": v[0] for (p, z), v in rows.items()}


if __name__ == "__main__":
    main()
