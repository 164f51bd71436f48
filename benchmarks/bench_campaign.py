"""Speed of dispersion campaigns (issue 9: 1,000 samples of the default mission in under
2 minutes on 2 cores).

Measures samples per second per core with 1 worker (in-process) and 2 worker processes on
the same seeds, the scaling from 1 to 2 workers, the projected time of 1,000 samples, and
where a sample's time goes (cProfile of a few samples).

Run: ``python benchmarks/bench_campaign.py [N]`` (default N = 60 samples per measurement).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time

TARGET_1000_S = 120.0


def main(n: int = 60) -> None:
    import qingzhou_sim as qz
    from qingzhou_sim.montecarlo import (
        Dispersions,
        _nominal_phasing_plan,
        _run_sample,
        run_campaign,
    )

    mission = qz.Mission.default().with_liftoff()  # the window search is once per campaign
    run_campaign(mission, 2, seed=0, workers=1, progress=False)  # warm-up (numba cache)
    timings = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        result = run_campaign(mission, n, seed=1, workers=workers, progress=False)
        timings[workers] = time.perf_counter() - t0
        print(
            f"{workers} worker(s): {n} samples in {timings[workers]:6.2f} s = {n / timings[workers]:5.2f} samples/s "
            f"({n / timings[workers] / workers:5.2f} per core); docked {result.success_rate:.0%}"
        )
    speedup = timings[1] / timings[2]
    per_1000 = 1000 * timings[2] / n
    print(f"scaling 1 -> 2 workers: {speedup:.2f}x (ideal 2x)")
    print(
        f"projected 1,000 samples on 2 workers: {per_1000:6.1f} s   target {TARGET_1000_S:.0f} s   ratio {TARGET_1000_S / per_1000:4.1f}x under"
    )

    reference = _nominal_phasing_plan(mission)
    prof = cProfile.Profile()
    prof.enable()
    for k in range(5):
        _run_sample(mission, Dispersions(), 1, k, reference)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
    print("\nWhere a sample's time goes (cProfile of 5 samples, by own time):")
    print("\n".join(out.getvalue().splitlines()[6:26]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
