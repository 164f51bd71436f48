"""Approach profiles: aft, forward and radial ports
================================================

Compare the three Tianhe docking approaches: aft (V-bar from behind), forward
(fly-around to +V-bar) and radial (R-bar from below).

Each profile is flown from the same hand-over point (52 km behind and 5 km below the
station, mission-facts.md sec. 2) with the default navigation noise, thruster errors
and attitude errors, on a J2 + drag truth. The script prints each approach's
delta-v, duration and contact conditions, then flies the aft approach with a
thruster failure in the final approach to show the collision-avoidance manoeuvre.
Figures: LVLH views and range plots of every profile.

Run: ``python examples/approach_profiles.py [output_dir]`` (PNG files; a temporary
directory by default).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import astropy.units as u
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.docking import Fault, plot_approach, plot_range, simulate_approach


def main(out_dir: str | Path | None = None) -> Path:
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="approach_profiles_"))
    out.mkdir(parents=True, exist_ok=True)
    # Tiangong at 390 km, 41.5 deg (mission-facts.md sec. 1)
    station = State.from_elements(
        Time("2026-05-01T00:00:00", scale="utc"), a=6768.137 * u.km, inc=41.5 * u.deg
    )
    print(
        f"{'profile':<8} {'docked':<7} {'dv m/s':>7} {'hours':>6} {'v_close m/s':>11} {'lateral cm':>10}"
    )
    for name in ("aft", "forward", "radial"):
        res = simulate_approach(station, profile=name, seed=2026)
        c = res.contact
        print(
            f"{name:<8} {str(res.docked):<7} {res.total_dv.to_value(u.m / u.s):7.2f} "
            f"{res.duration.to_value(u.h):6.2f} "
            f"{c.closing_speed_m_s if c else float('nan'):11.3f} "
            f"{100 * c.lateral_offset_m if c else float('nan'):10.2f}"
        )
        figs = (
            (plot_approach(res), "lvlh"),
            (plot_approach(res, zoom=600 * u.m, unit="m"), "lvlh_close"),
            (plot_range(res), "range"),
        )
        for fig, tag in figs:
            fig.savefig(out / f"approach_{name}_{tag}.png", dpi=90)
    failed = simulate_approach(
        station, profile="aft", seed=2026, faults=Fault("thruster_stuck_off", after_s=30.0)
    )
    print()
    print(failed.summary().split("  events:")[0])
    fig = plot_approach(failed, zoom=600 * u.m, unit="m")
    fig.savefig(out / "approach_aft_cam.png", dpi=90)
    print(f"figures in {out}")
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
