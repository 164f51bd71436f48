"""Relative motion: a V-bar approach and passive safety
====================================================

V-bar approach to Tiangong's aft port with hold points, and a passive-safety check.

Qingzhou arrives at a hold 5 km behind the station (Tianhe-era hold points,
mission-facts.md sec. 2), makes a radial hop to 400 m, a CW two-impulse transfer to
the 200 m hold, and a Hablani glideslope to 19 m. Every hold is then checked for
passive safety over 24 h of free drift (CW), and a collision-avoidance manoeuvre is
designed from the 400 m hold. The figure shows the approach in the LVLH frame with
V-bar horizontal and R-bar down, the keep-out sphere, approach ellipsoid and corridor.

Run: ``python examples/relative_motion.py [output_dir]`` (writes relative_motion.png
and relative_motion_close.png).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim.plotting import plot_lvlh
from qingzhou_sim.relative import (
    ApproachCorridor,
    ApproachEllipsoid,
    KeepOutSphere,
    collision_avoidance_burn,
    glideslope,
    passive_safety,
    propagate_relative,
    radial_hop,
    two_impulse_transfer,
)
from qingzhou_sim.state import State


def main(out_dir: str | Path | None = None) -> Path:
    epoch = Time("2026-06-01T00:00:00", scale="utc")
    station = State.from_elements(epoch, a=6768.137 * u.km, inc=41.5 * u.deg, raan=30 * u.deg)
    n = station.mean_motion
    zero = [0, 0, 0] * u.m / u.s

    hold_names = ["S1 5 km", "S2 400 m", "S3 200 m", "S4 19 m"]
    holds = [[-5.0, 0, 0], [-0.4, 0, 0], [-0.2, 0, 0], [-0.019, 0, 0]] * u.km
    hop = radial_hop(-5 * u.km, -0.4 * u.km, mean_motion=n, epoch0=epoch)
    transfer = two_impulse_transfer(holds[1], zero, holds[2], zero, 20 * u.min, mean_motion=n)
    final = glideslope(holds[2], holds[3], -0.15 * u.m / u.s, -0.03 * u.m / u.s, 6, mean_motion=n)
    for name, plan in (("radial hop", hop), ("transfer", transfer), ("glideslope", final)):
        print(f"{name}: {plan.total_dv:.3f} over {plan.duration.to(u.min):.1f}")

    report = passive_safety((holds, np.zeros((4, 3)) * u.m / u.s), n)
    for name, safe, rmin in zip(hold_names, report.safe, report.min_range):
        print(
            f"hold {name:9s}: {'passively safe' if safe else 'NOT passively safe'} "
            f"(closest approach {rmin:.0f} in 24 h free drift)"
        )
    cam = collision_avoidance_burn((holds[1], zero), n)
    print(cam)

    # trajectory safety: the transfer's second (stop) burn fails -> free drift after TI1
    after_ti1 = transfer.state_after(0.0)
    missed = passive_safety((after_ti1[:3] * u.km, after_ti1[3:] * u.km / u.s), n)
    print(f"transfer 400 -> 200 m with a failed stop burn: {missed}")
    period = station.period.to(u.s)
    drift = propagate_relative(
        after_ti1[:3] * u.km,
        after_ti1[3:] * u.km / u.s,
        np.linspace(0, 0.5, 200) * period,
        mean_motion=n,
    )

    zones = dict(keep_out=KeepOutSphere(), ellipsoid=ApproachEllipsoid())
    far = plot_lvlh(
        [hop, transfer, final],
        labels=["radial hop 5 km -> 400 m", "CW transfer 400 -> 200 m", "glideslope 200 -> 19 m"],
        hold_points=holds[:2],
        hold_labels=hold_names[:2],
        burns=hop,
        title="Qingzhou V-bar approach to Tiangong (aft port), target LVLH",
        **zones,
    )
    close = plot_lvlh(
        [transfer, final, drift],
        labels=["CW transfer 400 -> 200 m", "glideslope 200 -> 19 m", "free drift if TI2 fails"],
        hold_points=holds[1:],
        hold_labels=hold_names[1:],
        corridor=ApproachCorridor("-V-bar"),
        corridor_length=0.45 * u.km,
        unit="m",
        title="Close range: hold points, keep-out sphere, corridor and a passive-safety check",
        keep_out=KeepOutSphere(),
    )
    out = Path(out_dir) if out_dir is not None else Path(tempfile.gettempdir()) / "qingzhou_sim"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "relative_motion.png"
    far.savefig(path, dpi=110)
    close.savefig(out / "relative_motion_close.png", dpi=110)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
