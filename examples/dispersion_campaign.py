"""A dispersion campaign
=====================

A dispersion campaign of the default mission: delta-v statistics, contact conditions
against the capture box, and docking success as every dispersion is scaled up.

Run: ``python examples/dispersion_campaign.py [N]`` (default 24 samples, enough to see
the shape of the figures, not for margins: use 1,000 or more; the figures go to a
temporary directory, printed at the end).
"""

import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import qingzhou_sim as qz
from qingzhou_sim import plotting
from qingzhou_sim.montecarlo import Dispersions, sweep_dispersion_scale


def main(n: int = 24, out_dir: Path | None = None) -> Path:
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="qingzhou_campaign_"))
    mission = qz.Mission.default()
    # One process pool for every campaign below: starting workers (imports, compiled
    # kernels from numba's cache) costs more than a few dozen samples.
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        # Every dispersion at its documented 1-sigma (Dispersions' docstring gives sources).
        campaign = qz.run_campaign(mission, n, seed=1, executor=pool)
        print(campaign.summary())
        campaign.save(out_dir)  # samples.parquet, summary.json/.txt, delta_v.png, contact.png

        # Only the launcher's insertion errors: how much phasing delta-v do they cost?
        insertion_only = qz.run_campaign(
            mission,
            n // 2,
            seed=1,
            executor=pool,
            dispersions=Dispersions.only("insertion"),
            progress=False,
        )
        print("\nInsertion errors only:")
        print(insertion_only.delta_v_stats()["phasing_delta_v_m_s"])

        # Where does the mission stop docking? Every dispersion times 1, 4, 8, 12.
        sweep = sweep_dispersion_scale(
            mission, [1, 4, 8, 12], n // 3, seed=2, executor=pool, progress=False
        )
    plotting.plot_success_vs_scale(sweep).savefig(out_dir / "success_vs_scale.png", dpi=110)
    for scale, result in sweep.items():
        lo, hi = result.success_interval()
        print(f"scale {scale:4.1f}: docked {result.success_rate:6.1%}  (95 % {lo:.0%}-{hi:.0%})")
    print(f"figures and samples: {out_dir}")
    return out_dir


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 24)
