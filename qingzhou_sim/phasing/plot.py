"""Figures of a phasing plan (matplotlib; the caller chooses the backend)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.time import TimeDelta

from ..frames import _inertial_to_relative, gcrs_to_geodetic
from ._kernels import _phase_angle
from .core import PhasingPlan

__all__ = ["plot_phasing"]


def _plan_and_liftoff(plan, liftoff):
    """(PhasingPlan, liftoff Time or None) from a plan or a MissionResult."""
    from ..errors import InputError

    if hasattr(plan, "phasing_plan") and hasattr(plan, "liftoff"):  # a MissionResult
        return plan.phasing_plan, plan.liftoff if liftoff is None else liftoff
    if not isinstance(plan, PhasingPlan):
        raise InputError(
            f"plot_phasing() cannot plot an object of type {type(plan).__name__}; "
            "expected a PhasingPlan or a MissionResult",
            name="plan",
            value=type(plan).__name__,
            valid=("PhasingPlan", "MissionResult"),
        )
    return plan, liftoff


def plot_phasing(plan, *, liftoff=None, figsize=(12.0, 8.0)):
    """Geodetic altitude and phase angle against time with the burns marked, and the
    chaser's path in the station's LVLH frame from insertion to hand-over.

    Parameters
    ----------
    plan : PhasingPlan or MissionResult
        A mission result gives its plan and its liftoff.
    liftoff : Time, optional
        Count time from this epoch, as the mission timeline does (default: from the
        mission's liftoff, or from insertion for a plan alone).
    figsize : (float, float)
        Inches.

    Returns
    -------
    matplotlib.figure.Figure
        Three axes: ``fig.axes[0]`` geodetic altitude [km] vs time [h:mm],
        ``fig.axes[1]`` phase angle [deg] vs time, ``fig.axes[2]`` the path in the
        station's curvilinear LVLH frame, V-bar x [km] vs R-bar z [km] (z down, as in
        Fehse 2003, fig. 3.3).

    Raises
    ------
    InputError
        ``plan`` is neither a PhasingPlan nor a MissionResult.
    """
    from ..plotting._common import _group_labels, _new_figure, _time_axis

    plan, liftoff = _plan_and_liftoff(plan, liftoff)
    t0, since = (liftoff, "liftoff") if liftoff is not None else (plan.insertion_epoch, "insertion")
    tr = plan.track
    epochs = plan.insertion_epoch + TimeDelta(tr.t_s * u.s)
    t_h = (epochs - t0).to_value(u.h)
    alt_c = gcrs_to_geodetic(epochs, tr.chaser_rv_km[:, :3] * u.km)[2].to_value(u.km)
    alt_s = gcrs_to_geodetic(epochs, tr.station_rv_km[:, :3] * u.km)[2].to_value(u.km)
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
    burn_h = [(b.epoch - t0).to_value(u.h) for b in plan.burns]

    fig = _new_figure(figsize=figsize)
    gs = fig.add_gridspec(2, 2)
    ax_alt = fig.add_subplot(gs[0, 0])
    ax_ph = fig.add_subplot(gs[1, 0], sharex=ax_alt)
    ax_rel = fig.add_subplot(gs[:, 1])
    ax_alt.plot(t_h, alt_c, lw=1.2, color="tab:red", label="chaser")
    ax_alt.plot(t_h, alt_s, lw=1.2, color="tab:blue", label="station")
    ax_ph.plot(t_h, phase, lw=1.2, color="tab:green")
    for ax in (ax_alt, ax_ph):
        for th in burn_h:
            ax.axvline(th, color="0.3", ls="--", lw=0.8)
        ax.grid(alpha=0.3)
    span = float(t_h[-1] - t_h[0]) or 1.0
    texts = [f"{b.label} {b.dv_m_s:.1f} m/s" for b in plan.burns]
    for k, (x, text) in enumerate(_group_labels(burn_h, texts, 0.12 * span)):
        right = x > t_h[0] + 0.75 * span  # labels near the right edge extend leftward
        ax_alt.annotate(
            text.replace(", ", "\n"),
            (x, 0.02 + 0.16 * (k % 2)),
            xycoords=("data", "axes fraction"),
            xytext=(-3 if right else 3, 0),
            textcoords="offset points",
            ha="right" if right else "left",
            va="bottom",
            fontsize=7,
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.7", alpha=0.9),
        )
    ax_alt.set_ylabel("geodetic altitude [km]")
    ax_alt.set_title(f"Phasing plan: {plan.profile or plan.strategy} ({plan.strategy})")
    ax_alt.legend(loc="center right", fontsize=8)
    ax_alt.tick_params(labelbottom=False)
    _time_axis(ax_ph, t_h, since)
    ax_ph.set_ylabel("phase angle, station ahead [deg]")
    ax_ph.set_title("Phase angle (dashed lines: burns)")
    ax_rel.plot(rel[:, 0], rel[:, 2], lw=1.0, label="chaser path")
    ax_rel.plot(rel[0, 0], rel[0, 2], "o", color="C1", label="insertion")
    ax_rel.plot(rel_end[0], rel_end[2], "*", color="C3", ms=12, zorder=4, label="hand-over")
    ax_rel.plot(0.0, 0.0, "s", color="k", label="station")
    idx = [int(np.argmin(np.abs(t_h - th))) for th in burn_h]
    ax_rel.plot(rel[idx, 0], rel[idx, 2], "k^", ms=5, ls="none", label="burns")
    ax_rel.invert_yaxis()
    ax_rel.set_xlabel("x, V-bar (arc length along the station orbit) [km]")
    ax_rel.set_ylabel("z, R-bar (height below the station) [km]")
    ax_rel.set_title("Chaser in the station's LVLH frame")
    ax_rel.legend(loc="lower right", fontsize=8)
    ax_rel.grid(alpha=0.3)
    return fig
