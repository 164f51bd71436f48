"""A week of launch windows from Jiuquan
=====================================

A week of Jiuquan launch windows into the Tiangong plane, with the station's phase
angle at Kinetica-2 insertion.

Every day the pad at Jiuquan crosses the station's orbital plane twice (a northbound
and a southbound ground-track window, ~1.5 h apart because Jiuquan lies just below the
plane's northernmost latitude). Each window gives a liftoff time and a phase angle: how
far the station is ahead of Qingzhou when Kinetica-2 leaves it in orbit. The phasing
strategy that can be flown (a 2-orbit, 3 h rendezvous needs a small phase angle, a
2-day one tolerates almost any) depends on that angle, so mission planners pick the
window by phase, not only by plane.

Run: ``python examples/launch_window.py [output_dir]`` (writes launch_window.png).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import astropy.units as u
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from astropy.time import Time  # noqa: E402

from qingzhou_sim.launch import launch_windows, nominal_tiangong  # noqa: E402


def main(out_dir: str | Path | None = None) -> Path:
    start = Time("2026-12-01T00:00:00", scale="utc")
    # The nominal station orbit (386 x 391 km, i = 41.5 deg) with a fixed node and
    # position at the start epoch: a reproducible stand-in for a real TLE.
    station = nominal_tiangong(start, raan=120.0 * u.deg, arglat=0.0 * u.deg)
    windows = launch_windows(start, 7 * u.day, target=station, site="jiuquan")
    print(windows)

    days = [(w.liftoff - start).to_value(u.day) for w in windows]
    phase = [w.phase_angle.to_value(u.deg) for w in windows]
    north = [w.direction == "northbound" for w in windows]

    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    for flag, marker, label in ((True, "^", "northbound"), (False, "v", "southbound")):
        xs = [d for d, n in zip(days, north) if n == flag]
        ys = [p for p, n in zip(phase, north) if n == flag]
        ax.plot(xs, ys, marker, ms=8, label=f"{label} window")
    # Soyuz 4-orbit launches target a 30-35 deg phase (mission-facts sec. 3, RESP-MURTAZIN).
    ax.axhspan(0.0, 35.0, color="tab:green", alpha=0.15, label="< 35 deg: fast-rendezvous class")
    ax.set_xlabel(f"liftoff [days after {start.utc.isot[:10]} 00:00 UTC]")
    ax.set_ylabel("station phase angle at insertion [deg]")
    ax.set_ylim(0.0, 360.0)
    ax.set_title("Jiuquan -> Tiangong in-plane windows (Kinetica-2), one week")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=8)
    ax.grid(alpha=0.3)

    out = Path(out_dir) if out_dir is not None else Path(tempfile.gettempdir()) / "qingzhou_sim"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "launch_window.png"
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
