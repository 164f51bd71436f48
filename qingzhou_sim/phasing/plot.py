"""Figures of a phasing plan (matplotlib; the caller chooses the backend)."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from ..frames import _inertial_to_relative
from ._kernels import _phase_angle
from .core import PhasingPlan

__all__ = ["plot_phasing"]


def plot_phasing(plan: PhasingPlan, *, figsize=(11.0, 8.0)):
    """Altitude and phase angle against time with the burns marked, and the chaser's
    path in the station's LVLH frame from insertion to hand-over.

    Parameters
    ----------
    plan : PhasingPlan
    figsize : (float, float)
        Inches.

    Returns
    -------
    matplotlib.figure.Figure
        Three axes: ``fig.axes[0]`` altitude [km] vs time [h], ``fig.axes[1]`` phase
        angle [deg] vs time [h], ``fig.axes[2]`` the path in the station's curvilinear
        LVLH frame, V-bar x [km] vs R-bar z [km] (z down, as in Fehse 2003, fig. 3.3).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    """
    from matplotlib.figure import Figure

    tr = plan.track
    t_h = tr.t_s / 3600.0
    re = 6378.137
    alt_c = np.linalg.norm(tr.chaser_rv_km[:, :3], axis=1) - re
    alt_s = np.linalg.norm(tr.station_rv_km[:, :3], axis=1) - re
    phase = np.rad2deg(np.unwrap(_phase_angle(tr.station_rv_km, tr.chaser_rv_km)))
    # Curvilinear LVLH (arc length along the station's orbit, radial height
    # difference): the rectilinear frame distorts separations of thousands of km; the
    # two agree near the station (Fehse 2003, sec. 3.1).
    rs = np.linalg.norm(tr.station_rv_km[:, :3], axis=1)
    rel = np.stack(
        [
            -rs * np.deg2rad(phase),
            np.zeros_like(rs),
            rs - np.linalg.norm(tr.chaser_rv_km[:, :3], axis=1),
        ],
        axis=1,
    )
    rel_end = _inertial_to_relative("LVLH", tr.station_rv_km[-1], tr.chaser_rv_km[-1])
    burn_h = [(b.epoch - plan.insertion_epoch).to_value(u.h) for b in plan.burns]

    fig = Figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(2, 2)
    ax_alt = fig.add_subplot(gs[0, 0])
    ax_ph = fig.add_subplot(gs[1, 0], sharex=ax_alt)
    ax_rel = fig.add_subplot(gs[:, 1])
    ax_alt.plot(t_h, alt_c, lw=0.9, label="chaser")
    ax_alt.plot(t_h, alt_s, lw=0.9, label="station")
    ax_ph.plot(t_h, phase, lw=1.0, color="C2")
    for ax in (ax_alt, ax_ph):
        for th in burn_h:
            ax.axvline(th, color="k", ls=":", lw=0.8)
        ax.grid(alpha=0.3)
    for th, b in zip(burn_h, plan.burns):
        ax_alt.annotate(
            f"{b.label} {b.dv_m_s:.1f} m/s",
            (th, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=7,
        )
    ax_alt.set_ylabel("altitude above R_eq [km]")
    ax_alt.set_title(f"Phasing plan: {plan.profile or plan.strategy} ({plan.strategy})")
    ax_alt.legend(loc="lower right", fontsize=8)
    ax_ph.set_xlabel("time from insertion [h]")
    ax_ph.set_ylabel("phase angle, station ahead [deg]")
    ax_ph.set_title("Phase angle")
    ax_rel.plot(rel[:, 0], rel[:, 2], lw=0.9)
    ax_rel.plot(rel[0, 0], rel[0, 2], "o", color="C1", label="insertion")
    ax_rel.plot(rel_end[0], rel_end[2], "*", color="C3", ms=10, label="hand-over")
    ax_rel.plot(0.0, 0.0, "s", color="k", label="station")
    for th in burn_h:
        k = int(np.argmin(np.abs(t_h - th)))
        ax_rel.plot(rel[k, 0], rel[k, 2], "k^", ms=5)
    ax_rel.invert_yaxis()
    ax_rel.set_xlabel("x, V-bar (arc length along the station orbit) [km]")
    ax_rel.set_ylabel("z, R-bar (height below the station) [km]")
    ax_rel.set_title("Chaser in the station's LVLH frame")
    ax_rel.legend(fontsize=8)
    ax_rel.grid(alpha=0.3)
    return fig
