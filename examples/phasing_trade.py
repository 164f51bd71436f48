"""Phasing trade: delta-v against rendezvous time
==============================================

Phasing trade: total delta-v against time from launch to docking for the named
profiles (two-day, 6.5-hour, 3-hour, 2-hour).

Qingzhou is inserted by Kinetica-2 into a 200 x 380 km orbit (mission-facts.md sec. 5
default) in Tiangong's plane; the station flies a 390 km circle. For each profile the
station phase angle at insertion is swept across the profile's window and each plan is
corrected through J2-J4 + drag to the hand-over point. The figure shows the total
delta-v (phasing + the approach's remaining height change) against launch -> docking
time (ascent + phasing + nominal approach), with the coplanar lower bound; a second
figure shows the 6.5-hour plan.

Run: ``python examples/phasing_trade.py [output_dir]`` (writes phasing_trade.png and
phasing_6p5h.png; about 15 s).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import astropy.units as u
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from astropy.time import Time  # noqa: E402

from qingzhou_sim.forces import ForceModel, ZonalGravity  # noqa: E402
from qingzhou_sim.phasing import (  # noqa: E402
    PROFILES,
    coplanar_lower_bound,
    phase_angle_windows,
    plan_phasing,
    plot_phasing,
)
from qingzhou_sim.propagator import Propagator  # noqa: E402
from qingzhou_sim.state import State  # noqa: E402
from qingzhou_sim.vehicles import KINETICA_2  # noqa: E402

R_EQ = 6378.137  # km


def main(out_dir: str | Path | None = None) -> Path:
    t0 = Time("2026-12-01T04:00:00", scale="utc")
    chaser = State.from_altitudes(
        t0,
        perigee_altitude=200 * u.km,
        apogee_altitude=380 * u.km,
        inc=41.5 * u.deg,
        raan=120 * u.deg,
        argp=45 * u.deg,
        nu=0 * u.deg,
    )

    # The station at a phase angle ahead of the chaser: one reference state moved along
    # its own J2 orbit and re-dated, so that every phase is the same physical orbit.
    j2 = Propagator(ForceModel(gravity=ZonalGravity(max_degree=4), drag=None))
    ref = State.from_elements(
        t0, a=(R_EQ + 390.0) * u.km, inc=41.5 * u.deg, raan=120 * u.deg, nu=45 * u.deg
    )
    n = np.sqrt(398600.4418 / (R_EQ + 390.0) ** 3)

    def station_at(phase):
        rv = j2.propagate_rv(ref.rv_km, np.array([phase.to_value(u.rad) / n]))[0]
        return State.from_vectors(t0, rv[:3], rv[3:])

    windows = phase_angle_windows(chaser, station_at(0 * u.deg))
    bound = coplanar_lower_bound(chaser, (R_EQ + 390.0) * u.km).to_value(u.m / u.s)
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    plan_65 = None
    print(
        f"{'profile':<9} {'launch->dock [h]':>16} {'window [deg]':>16} "
        f"{'dv min..max [m/s]':>18} {'in-plane [m/s]':>15}"
    )
    for k, (name, prof) in enumerate(PROFILES.items()):
        w = windows[name]
        total_h = (
            KINETICA_2.ascent_duration_s / 3600
            + prof.handover_time.to_value(u.h)
            + prof.nominal_approach_time.to_value(u.h)
        )
        lo, hi = w.lo.to_value(u.deg), w.hi.to_value(u.deg)
        phases = np.linspace(lo + 0.2 * (hi - lo), hi - 0.2 * (hi - lo), 5)
        dv, dv_in = [], []
        for ph in phases:
            p = plan_phasing(chaser, station_at(ph * u.deg), name)
            dv.append(p.total_dv_with_approach.to_value(u.m / u.s))
            dv_in.append((p.in_plane_dv + p.approach_dv_estimate).to_value(u.m / u.s))
            if name == "6.5-hour" and plan_65 is None:
                plan_65 = p
        x = np.full(len(dv), total_h)
        ax.plot(
            x,
            dv,
            "o",
            color=f"C{k}",
            alpha=0.6,
            label=f"{name}: total ({lo:.1f}-{hi:.1f} deg window)",
        )
        ax.plot(x, dv_in, "x", color=f"C{k}", label=f"{name}: in-plane")
        print(
            f"{name:<9} {total_h:16.2f} {lo:7.2f}..{hi:7.2f} "
            f"{min(dv):8.2f}..{max(dv):8.2f} {np.mean(dv_in):15.2f}"
        )
    ax.axhline(bound, color="k", ls="--", lw=1, label=f"coplanar lower bound {bound:.1f} m/s")
    ax.set_xscale("log")
    ax.set_xticks([2, 3, 4, 6.5, 12, 24, 48], labels=["2", "3", "4", "6.5", "12", "24", "48"])
    ax.minorticks_off()
    ax.set_xlabel("launch to docking [h] (ascent + phasing + nominal approach)")
    ax.set_ylabel("total delta-v incl. approach height change [m/s]")
    ax.set_title("Phasing trade, 200 x 380 km insertion to Tiangong at 390 km (J2-J4 + drag)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)

    out = Path(out_dir) if out_dir is not None else Path(tempfile.gettempdir()) / "qingzhou_sim"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "phasing_trade.png"
    fig.savefig(path, dpi=120)
    fig2 = plot_phasing(plan_65)
    fig2.savefig(out / "phasing_6p5h.png", dpi=110)
    print(plan_65.summary())
    print(f"wrote {path} and {out / 'phasing_6p5h.png'}")
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
