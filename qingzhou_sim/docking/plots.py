"""Figures of an approach: LVLH views with the safety zones, range and range rate.

Takes an :class:`~qingzhou_sim.docking.ApproachResult` (or a mission result, for its
approach); never drives the simulation.
Views follow Fehse (2003), fig. 3.4 convention: V-bar to the right, R-bar (toward the
Earth) downward, so "below the station" is drawn below; the LVLH figure is drawn by
:func:`qingzhou_sim.plotting.plot_lvlh`.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
from matplotlib.patches import Rectangle

__all__ = ["plot_approach", "plot_attitude", "plot_range", "plot_thrusters"]


def _approach_parts(result):
    """The pieces of an approach figure: path, hold points, burn positions (km, LVLH)
    and the safety zones of the profile."""
    from ..relative import ApproachCorridor, ApproachEllipsoid, KeepOutSphere

    prof = result.profile
    axis = np.array(prof.axis_vector)
    com_off = np.array(prof.port_position_m) + axis * prof.chaser_port_arm_m
    holds_km = (np.array(prof.hold_points_m()) + com_off) / 1e3
    r_km = result.r_true.to_value(u.km)
    burn_idx = [
        min(int(np.searchsorted(result.t_s, e.t_s)), len(result.t_s) - 1)
        for e in result.events
        if e.name in ("burn", "collision avoidance manoeuvre")
    ]
    corridor = ApproachCorridor(
        axis=prof.docking_axis,
        half_angle=prof.corridor_half_angle_deg * u.deg,
        apex=np.array(prof.port_position_m) * u.m,
    )
    return dict(
        path=r_km,
        holds=holds_km.reshape(-1, 3),
        burns=r_km[burn_idx].reshape(-1, 3),
        keep_out=KeepOutSphere(),
        ellipsoid=ApproachEllipsoid(),
        corridor=corridor,
    )


def _as_approach(result, func: str):
    from ..plotting._common import _require

    kind = _require(result, func, ("approach", "mission"))
    return result.approach if kind == "mission" else result


def plot_approach(result, *, zoom: u.Quantity | None = None, unit: str = "auto"):
    """Trajectory in the station's LVLH frame with the hold points, transfer burns and
    CAM, the approach corridor, keep-out sphere and approach ellipsoid.

    Parameters
    ----------
    result : ApproachResult or MissionResult
    zoom : Quantity, optional
        Half-width of one region around the station to draw instead (e.g.
        ``500 * u.m``): two panels, V-bar/R-bar and V-bar/H-bar.
    unit : {"auto", "m", "km"}
        Axis unit of the zoomed figure.

    Returns
    -------
    matplotlib.figure.Figure
        Without ``zoom``: four panels, the whole approach in km (``axes[0]``
        V-bar/R-bar, ``axes[1]`` V-bar/H-bar) and the last 400 m in metres
        (``axes[2]``, ``axes[3]``), where the corridor and the keep-out sphere show;
        one legend below them.

    Raises
    ------
    InputError
        ``result`` is neither an ApproachResult nor a MissionResult.
    """
    from ..plotting._common import CLOSE_RANGE_M, SUPTITLE_Y, _figure_legend, _fixed_grid
    from ..plotting.lvlh import _draw_lvlh_panel

    result = _as_approach(result, "plot_approach")
    if zoom is not None:
        return _plot_approach_zoomed(result, zoom, unit)
    parts = _approach_parts(result)
    prof = result.profile
    fig, grid = _fixed_grid(
        (12, 9.6), 2, 2, left=0.046, right=0.985, bottom=0.099, top=0.948, wspace=0.115,
        hspace=0.2,
    )  # fmt: skip
    axes = grid.subplots().ravel()
    close_km = CLOSE_RANGE_M / 1e3
    # the close-range window: 500 m square along the docking axis, the port near an edge
    half_m = 0.625 * CLOSE_RANGE_M
    centre_m = np.array(prof.axis_vector) * (half_m - 0.15 * CLOSE_RANGE_M)
    for k, ax in enumerate(axes):
        view = ("VR", "VH")[k % 2]
        ih, iv = (0, 2) if view == "VR" else (0, 1)
        close = k >= 2
        scale, unit_k = (1e3, "m") if close else (1.0, "km")
        _draw_lvlh_panel(
            ax,
            view,
            scale,
            unit_k,
            paths=[parts["path"]],
            labels=[f"chaser ({result.status})"],
            holds=parts["holds"],
            burn_pos=parts["burns"],
            keep_out=parts["keep_out"],
            ellipsoid=None if close else parts["ellipsoid"],
            corridor=parts["corridor"] if close else None,
            corridor_length_km=close_km,
        )
        if close:
            ax.set_xlim(centre_m[ih] - half_m, centre_m[ih] + half_m)
            ax.set_ylim(centre_m[iv] - half_m, centre_m[iv] + half_m)
            ax.set_aspect("equal", adjustable="box")
            ax.set_title(f"last {CLOSE_RANGE_M:.0f} m, {ax.get_title()}")
        else:
            ax.set_aspect("equal", adjustable="datalim")
            corner = (centre_m[[ih, iv]] - half_m) / 1e3
            ax.add_patch(
                Rectangle(
                    tuple(corner),
                    2 * half_m / 1e3,
                    2 * half_m / 1e3,
                    fill=False,
                    lw=0.8,
                    color="0.3",
                    label="close-range panel",
                )
            )
        if view == "VR":
            ax.invert_yaxis()  # R-bar (toward the Earth) points down
    _figure_legend(fig, axes, ncol=4)
    fig.suptitle(
        f"{prof.name} approach to the {prof.port} port in Tiangong's LVLH frame", y=SUPTITLE_Y
    )
    return fig


def _plot_approach_zoomed(result, zoom, unit):
    from ..plotting import plot_lvlh

    parts = _approach_parts(result)
    half = float(zoom.to_value(u.km))
    r_km = parts["path"]
    r_km = np.where(np.all(np.abs(r_km) <= 1.5 * half, axis=1)[:, None], r_km, np.nan)
    holds = parts["holds"][np.all(np.abs(parts["holds"]) <= 1.5 * half, axis=1)]
    burns = parts["burns"][np.all(np.abs(parts["burns"]) <= 1.5 * half, axis=1)]
    prof = result.profile
    fig = plot_lvlh(
        r_km * u.km,
        labels=[f"chaser ({result.status})"],
        hold_points=holds * u.km if holds.size else None,
        burns=burns * u.km if burns.size else None,
        keep_out=parts["keep_out"],
        ellipsoid=parts["ellipsoid"],
        corridor=parts["corridor"],
        corridor_length=zoom,
        unit=unit,
        title=f"{prof.name} approach to the {prof.port} port in Tiangong's LVLH frame",
    )
    scale = 1.0 if fig.axes[0].get_xlabel().endswith("[km]") else 1e3
    lim = half * scale
    for ax in fig.axes:
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    fig.axes[0].invert_yaxis()
    return fig


def plot_range(result, *, liftoff=None):
    """Range and range rate against time, and range rate against range on log axes
    (:func:`qingzhou_sim.plotting.plot_range`).

    Parameters
    ----------
    result : ApproachResult or MissionResult
    liftoff : Time, optional
        Count time from this liftoff epoch (default: from the hand-over point).

    Returns
    -------
    matplotlib.figure.Figure
        ``axes[0]`` range [km] (log), ``axes[1]`` range rate [m/s] against time,
        ``axes[2]`` |range rate| against range (log-log).
    """
    from ..plotting import plot_range as _plot_range

    fig = _plot_range(result, liftoff=liftoff)
    if _as_approach(result, "plot_range") is result:
        fig.axes[0].set_title(
            f"Range and range rate: {result.profile.name} approach ({result.status})"
        )
    return fig


# ----------------------------------------------- six-degree-of-freedom figures (issue 14)
def _final_window(result, last_s):
    """Indices of the samples in the last ``last_s`` seconds before the end (contact)."""
    t = result.t_s
    return np.nonzero(t >= t[-1] - last_s)[0]


def plot_attitude(result, *, last_s: float = 1200.0):
    """The chaser's attitude over the end of the approach: pointing error from its
    guidance target (deg) and body rates relative to LVLH (deg/s), per body axis
    (x roll about the docking axis, y pitch, z yaw), with the mechanism's contact limits.

    Parameters
    ----------
    result : ApproachResult or MissionResult
    last_s : float
        Length of the window before the end of the approach, s.

    Returns
    -------
    matplotlib.figure.Figure
        ``axes[0]`` attitude error [deg], ``axes[1]`` body rate [deg/s] against the
        time to the end [s].
    """
    from ..plotting._common import _new_figure

    res = _as_approach(result, "plot_attitude")
    idx = _final_window(res, last_s)
    t = res.t_s[idx] - res.t_s[-1]
    err = res.attitude_error.to_value(u.deg)[idx]
    rate = res.rate_chaser.to_value(u.deg / u.s)[idx]
    fig = _new_figure(figsize=(8, 6))
    ax_e, ax_w = fig.subplots(2, 1, sharex=True)
    from .config import ContactLimits

    lim = ContactLimits()
    for k, name in enumerate(("roll (x)", "pitch (y)", "yaw (z)")):
        ax_e.plot(t, err[:, k], lw=0.9, label=name)
        ax_w.plot(t, rate[:, k], lw=0.9, label=name)
    for sign in (1, -1):
        ax_e.axhline(sign * lim.pitch_yaw_deg, color="0.5", ls="--", lw=0.8)
        ax_w.axhline(sign * lim.angular_rate_deg_s, color="0.5", ls="--", lw=0.8)
    ax_e.set_ylabel("Attitude error [deg]")
    ax_w.set_ylabel("Body rate rel. LVLH [deg/s]")
    ax_w.set_xlabel("Time to the end of the approach [s]")
    ax_e.set_title(f"Chaser attitude: {res.profile.name} approach ({res.status})")
    ax_e.legend(loc="upper left", fontsize="small", ncol=3)
    ax_e.text(
        0.99, 0.97, "dashed: pitch/yaw and rate limits at contact", transform=ax_e.transAxes,
        ha="right", va="top", fontsize="x-small", color="0.4",
    )  # fmt: skip
    return fig


def plot_thrusters(result, *, last_s: float = 1200.0):
    """RCS firings over the end of the approach: thrusters fired per control step, the
    impulse they delivered (N s, summed) and the angular impulse on the chaser (N m s).

    Parameters
    ----------
    result : ApproachResult or MissionResult
    last_s : float
        Length of the window before the end of the approach, s.

    Returns
    -------
    matplotlib.figure.Figure
        ``axes[0]`` thrusters fired [count], ``axes[1]`` impulse [N s] and angular
        impulse [N m s] against the time to the end [s].
    """
    from ..plotting._common import _new_figure

    res = _as_approach(result, "plot_thrusters")
    idx = _final_window(res, last_s)
    t = res.t_s[idx] - res.t_s[-1]
    fig = _new_figure(figsize=(8, 5))
    ax_n, ax_i = fig.subplots(2, 1, sharex=True)
    ax_n.vlines(t, 0, res.thrusters_fired[idx], lw=0.8)
    ax_n.set_ylabel("Thrusters fired [count]")
    ax_i.plot(t, res.rcs_impulse.to_value(u.N * u.s)[idx], ".", ms=3, label="impulse [N s]")
    ax_i.plot(
        t, res.angular_impulse.to_value(u.N * u.m * u.s)[idx], "x", ms=3,
        label="angular impulse [N m s]",
    )  # fmt: skip
    ax_i.set_ylabel("Per step [N s], [N m s]")
    ax_i.set_xlabel("Time to the end of the approach [s]")
    ax_i.legend(loc="upper left", fontsize="small")
    total = float(np.sum(res.rcs_impulse.to_value(u.N * u.s)[idx]))
    ax_n.set_title(
        f"RCS firings: {res.profile.name} approach, last {last_s:.0f} s "
        f"(total impulse {total:.0f} N s)"
    )
    return fig
