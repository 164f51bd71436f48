"""Figures of an approach: LVLH views with the safety zones, range and range rate.

Takes an :class:`~qingzhou_sim.docking.ApproachResult`; never drives the simulation.
Views follow Fehse (2003), fig. 3.4 convention: V-bar to the right, R-bar (toward the
Earth) downward, so "below the station" is drawn below; the LVLH figure is drawn by
:func:`qingzhou_sim.plotting.plot_lvlh`.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np

__all__ = ["plot_approach", "plot_range"]


def plot_approach(result, *, zoom: u.Quantity | None = None, unit: str = "auto"):
    """Trajectory in the station's LVLH frame: V-bar/R-bar and V-bar/H-bar views with
    the hold points, transfer burns and CAM, the approach corridor, keep-out sphere and
    approach ellipsoid (drawn by :func:`qingzhou_sim.plotting.plot_lvlh`).

    Parameters
    ----------
    result : ApproachResult
    zoom : Quantity, optional
        Half-width of the plotted region around the station (e.g. ``500 * u.m``);
        default: the whole approach.
    unit : {"auto", "m", "km"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import plot_lvlh
    from ..relative import ApproachCorridor, ApproachEllipsoid, KeepOutSphere

    prof = result.profile
    axis = np.array(prof.axis_vector)
    com_off = np.array(prof.port_position_m) + axis * prof.chaser_port_arm_m
    holds = np.array(prof.hold_points_m()) + com_off
    r_km = result.r_true.to_value(u.km)
    burn_idx = [
        min(int(np.searchsorted(result.t_s, e.t_s)), len(result.t_s) - 1)
        for e in result.events
        if e.name in ("burn", "collision avoidance manoeuvre")
    ]
    burns = r_km[burn_idx] * u.km if burn_idx else None
    if zoom is not None:
        half = float(zoom.to_value(u.km))
        keep = np.all(np.abs(r_km) <= 1.5 * half, axis=1)
        r_km = np.where(keep[:, None], r_km, np.nan)
        holds = holds[np.all(np.abs(holds) <= 1.5e3 * half, axis=1)]
        if burns is not None:
            b = burns.to_value(u.km)
            b = b[np.all(np.abs(b) <= 1.5 * half, axis=1)]
            burns = b * u.km if b.size else None
    fig = plot_lvlh(
        r_km * u.km,
        labels=[f"chaser ({result.status})"],
        hold_points=holds * u.m if holds.size else None,
        burns=burns,
        keep_out=KeepOutSphere(),
        ellipsoid=ApproachEllipsoid(),
        corridor=ApproachCorridor(
            axis=prof.docking_axis,
            half_angle=prof.corridor_half_angle_deg * u.deg,
            apex=np.array(prof.port_position_m) * u.m,
        ),
        corridor_length=0.3 * u.km,
        unit=unit,
        title=f"{prof.name} approach to the {prof.port} port in Tiangong's LVLH frame",
    )
    if zoom is not None:
        scale = 1.0 if fig.axes[0].get_xlabel().endswith("[km]") else 1e3
        lim = float(zoom.to_value(u.km)) * scale
        for ax in fig.axes:
            ax.set_aspect("equal", adjustable="box")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
        fig.axes[0].invert_yaxis()
    return fig


def plot_range(result, *, fig=None):
    """Range (log scale) and range rate versus time, with the segment boundaries.

    Returns the matplotlib ``Figure`` (two axes sharing the time axis).
    """
    from matplotlib.figure import Figure

    if fig is None:
        fig = Figure(figsize=(9, 6), layout="constrained")
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
    return fig
