"""Speed of the default mission (issue 8: ``qingzhou-sim run`` under 10 s on 2 cores).

Measures, in one run:
  (a) the command as a user types it, ``qingzhou-sim run --out DIR`` in a fresh process
      (import, numba cache load, window search, phasing, approach at 1 Hz, the files and
      figures), wall time, median of 3;
  (b) ``Mission.default().run()`` in a warm process (what a script or a notebook pays
      per run), and the same with the launch window fixed (what a campaign sample pays);
  (c) where the warm run's time goes (cProfile, top entries by cumulative time).

Run: ``python benchmarks/bench_mission.py``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 10.0


def _median_wall(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    import qingzhou_sim as qz

    exe = Path(sys.executable).with_name("qingzhou-sim")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = (
            [str(exe), "run", "--out", tmp]
            if exe.exists()
            else [sys.executable, "-m", "qingzhou_sim.cli", "run", "--out", tmp]
        )
        subprocess.run(cmd, check=True, capture_output=True)  # fills the numba cache
        cli = _median_wall(lambda: subprocess.run(cmd, check=True, capture_output=True))
    mission = qz.Mission.default()
    mission.run()  # warm-up in this process
    warm = _median_wall(mission.run)
    fixed = mission.with_liftoff()
    warm_fixed = _median_wall(fixed.run, repeat=5)

    print("Default mission (Jiuquan -> Tiangong, 3-hour profile, aft port, 1 Hz final approach)")
    print(
        f"  qingzhou-sim run (fresh process, files + figures) {cli:7.2f} s   target {TARGET_S:.0f} s   ratio {TARGET_S / cli:5.1f}x under"
    )
    print(f"  Mission.run() warm, with the window search      {warm:7.2f} s")
    print(
        f"  Mission.run() warm, launch window fixed         {warm_fixed:7.3f} s   (one campaign sample)"
    )

    prof = cProfile.Profile()
    prof.enable()
    mission.run()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(12)
    print("\nWhere a warm run's time goes (cProfile, cumulative):")
    print(
        "\n".join(
            line
            for line in out.getvalue().splitlines()
            if "qingzhou_sim" in line or "ncalls" in line
        )
    )


if __name__ == "__main__":
    main()
