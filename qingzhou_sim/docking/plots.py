"""Figures of an approach: LVLH views with the safety zones, range and range rate.

Takes an :class:`~qingzhou_sim.docking.ApproachResult`; never drives the simulation.
Views follow Fehse (2003), fig. 3.4 convention: V-bar to the right, R-bar (toward the
Earth) downward, so "below the station" is drawn below.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np

__all__ = ["plot_approach", "plot_range"]


def _zones(ax, result, horizontal: int, vertical: int, scale: float, unit: str) -> None:
    from matplotlib.patches import Circle, Ellipse, Polygon

    prof = result.profile
    semi = np.array([2000.0, 1000.0, 1000.0])  # SafetyConfig default (SE-KOS, NASA-JSC)
    ax.add_patch(
        Ellipse(
            (0, 0),
            2 * semi[horizontal] / scale,
            2 * semi[vertical] / scale,
            fill=False,
            ls="--",
            color="tab:orange",
            label="approach ellipsoid",
        )
    )
    ax.add_patch(
        Circle((0, 0), 200.0 / scale, fill=False, color="tab:red", label="keep-out sphere")
    )
    axis = np.array(prof.axis_vector)
    port = np.array(prof.port_position_m)
    length = 300.0
    tan = np.tan(np.radians(prof.corridor_half_angle_deg))
    perp = np.zeros(3)
    perp[vertical if abs(axis[vertical]) < 0.5 else horizontal] = 1.0
    tip = port
    far = port + axis * length
    pts = np.array([tip, far + perp * length * tan, far - perp * length * tan])
    ax.add_patch(
        Polygon(
            pts[:, [horizontal, vertical]] / scale,
            closed=True,
            alpha=0.2,
            color="tab:green",
            label="approach corridor",
        )
    )
    holds = np.array(prof.hold_points_m())
    if holds.size:
        ax.plot(
            holds[:, horizontal] / scale,
            holds[:, vertical] / scale,
            "k^",
            ms=5,
            label="hold / aim points",
        )
    ax.plot([0], [0], "ks", ms=6, label="station")
    ax.set_xlabel(f"{'V-bar' if horizontal == 0 else 'H-bar'} x ({unit})")


def plot_approach(result, *, scale_km: bool = True, fig=None):
    """Trajectory in the station's LVLH frame: V-bar/R-bar and V-bar/H-bar views with
    hold points, approach corridor, keep-out sphere and approach ellipsoid.

    Returns the matplotlib ``Figure`` (two axes).
    """
    import matplotlib.pyplot as plt

    if fig is None:
        fig = plt.figure(figsize=(11, 5))
    scale, unit = (1000.0, "km") if scale_km else (1.0, "m")
    r = result.r_true.to_value(u.m) / scale
    ax1 = fig.add_subplot(1, 2, 1)
    ax1.plot(r[:, 0], r[:, 2], lw=1, label="chaser (truth)")
    _zones(ax1, result, 0, 2, scale, unit)
    ax1.set_ylabel(f"R-bar z ({unit}, toward the Earth)")
    ax1.invert_yaxis()
    ax1.set_title(f"V-bar / R-bar plane: {result.profile.name} approach")
    ax1.set_aspect("equal", adjustable="datalim")
    ax1.legend(fontsize=7, loc="best")
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(r[:, 0], r[:, 1], lw=1, label="chaser (truth)")
    _zones(ax2, result, 0, 1, scale, unit)
    ax2.set_ylabel(f"H-bar y ({unit})")
    ax2.set_title("V-bar / H-bar plane")
    ax2.set_aspect("equal", adjustable="datalim")
    for ev in result.events:
        if ev.name in ("collision avoidance manoeuvre", "contact"):
            i = int(np.searchsorted(result.t_s, ev.t_s))
            i = min(i, len(result.t_s) - 1)
            ax1.plot(r[i, 0], r[i, 2], "r*" if ev.name != "contact" else "g*", ms=10)
    fig.tight_layout()
    return fig


def plot_range(result, *, fig=None):
    """Range (log scale) and range rate versus time, with the segment boundaries.

    Returns the matplotlib ``Figure`` (two axes sharing the time axis).
    """
    import matplotlib.pyplot as plt

    if fig is None:
        fig = plt.figure(figsize=(9, 6))
    t_h = result.t_s / 3600.0
    rng = np.maximum(result.range.to_value(u.m), 1e-3)
    ax1 = fig.add_subplot(2, 1, 1)
    ax1.semilogy(t_h, rng, lw=1)
    ax1.set_ylabel("range (m)")
    ax1.set_title(f"Range and range rate: {result.profile.name} approach ({result.status})")
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
    ax2.plot(t_h, result.range_rate.to_value(u.m / u.s), lw=1)
    ax2.set_ylabel("range rate (m/s)")
    ax2.set_xlabel("time since hand-over (h)")
    for seg in result.segments:
        for ax in (ax1, ax2):
            ax.axvline(seg.t_start_s / 3600.0, color="0.8", lw=0.5)
    fig.tight_layout()
    return fig
