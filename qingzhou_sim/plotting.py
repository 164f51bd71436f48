"""Matplotlib figures of qingzhou_sim results.

A flat module of independent functions: each takes result objects (or arrays with
units), builds a :class:`matplotlib.figure.Figure` without touching pyplot's global
state (so it is safe headless and in parallel workers), and returns it. Save with
``fig.savefig(path)``; show in a notebook by leaving the figure as the cell's value.
"""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse

__all__ = [
    "plot_altitude_phase",
    "plot_contact_conditions",
    "plot_delta_v_distributions",
    "plot_success_vs_scale",
    "plot_delta_v_budget",
    "plot_ground_track",
    "plot_lvlh",
    "plot_mission_approach",
    "plot_range",
]

# view name -> (horizontal LVLH index, vertical LVLH index, axis labels)
_LVLH_VIEWS = {
    "VR": (0, 2, "V-bar x", "R-bar z (toward Earth, down)"),
    "VH": (0, 1, "V-bar x", "H-bar y (-orbit normal)"),
}


def _lvlh_km(obj) -> np.ndarray:
    """(m, 3) km from a RelativeTrajectory, a plan, or a Quantity / array in km."""
    if hasattr(obj, "trajectory") and callable(obj.trajectory):
        obj = obj.trajectory()
    if hasattr(obj, "r_km"):
        arr = np.asarray(obj.r_km, dtype=float)
    elif isinstance(obj, u.Quantity):
        arr = obj.to_value(u.km)
    elif hasattr(obj, "r"):
        arr = u.Quantity(obj.r).to_value(u.km)
    else:
        arr = np.asarray(obj, dtype=float)
    arr = np.atleast_2d(arr)
    if arr.shape[-1] != 3:
        raise ValueError(f"LVLH positions must have shape (m, 3); got {arr.shape}")
    return arr.reshape(-1, 3)


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, list | tuple):
        return list(x)
    return [x]


def plot_lvlh(
    trajectories=None,
    *,
    labels=None,
    hold_points=None,
    hold_labels=None,
    burns=None,
    keep_out=None,
    ellipsoid=None,
    corridor=None,
    corridor_length: u.Quantity | None = None,
    views=("VR", "VH"),
    unit: str = "auto",
    title: str = "Relative motion in the target's LVLH frame",
) -> Figure:
    """Trajectories in the target's LVLH frame, as in the rendezvous literature:
    V-bar horizontal, R-bar positive **down** (toward the Earth), target at the origin.

    Parameters
    ----------
    trajectories : RelativeTrajectory, ManeuverPlan, Quantity (m, 3), or a list of them
        Chaser paths (a plan is sampled with its ``trajectory()``).
    labels : list of str, optional
        Legend entries of the trajectories.
    hold_points : Quantity (k, 3), optional
        Hold points to mark (LVLH).
    hold_labels : list of str, optional
    burns : Quantity (k, 3) or ManeuverPlan, optional
        Burn positions to mark (a plan gives its ``waypoints``).
    keep_out : KeepOutSphere, optional
    ellipsoid : ApproachEllipsoid, optional
    corridor : ApproachCorridor, optional
        Drawn in the views that contain its axis, ``corridor_length`` long (default:
        the largest plotted extent).
    views : sequence of {"VR", "VH"}
        V-bar/R-bar (in-plane) and V-bar/H-bar (out-of-plane) panels.
    unit : {"auto", "m", "km"}
        Axis unit; "auto" uses metres when everything fits within 2 km.
    title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import astropy.units as u
    >>> from qingzhou_sim.relative import KeepOutSphere, propagate_relative
    >>> tr = propagate_relative([-0.4, 0, 0.05] * u.km, [0, 0, 0] * u.m / u.s,
    ...                         range(0, 3000, 30) * u.s, mean_motion=1.1339e-3 * u.rad / u.s)
    >>> fig = plot_lvlh(tr, keep_out=KeepOutSphere())
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['V-bar x [m]', 'V-bar x [m]']
    """
    for v in views:
        if v not in _LVLH_VIEWS:
            raise ValueError(f"unknown LVLH view {v!r}; choose one of: 'VR', 'VH'")
    paths = [_lvlh_km(t) for t in _as_list(trajectories)]
    labels = list(labels) if labels is not None else [None] * len(paths)
    holds = None if hold_points is None else _lvlh_km(hold_points)
    burn_pos = None
    if burns is not None:
        burn_pos = _lvlh_km(burns.waypoints if hasattr(burns, "waypoints") else burns)

    extent = 0.0
    for arr in paths + [a for a in (holds, burn_pos) if a is not None]:
        if arr.size:
            extent = max(extent, float(np.max(np.abs(arr))))
    if keep_out is not None:
        extent = max(extent, keep_out.radius.to_value(u.km))
    if ellipsoid is not None:
        extent = max(extent, float(np.max(ellipsoid.semi_axes.to_value(u.km))))
    extent = extent or 1.0
    if unit == "auto":
        unit = "m" if extent <= 2.0 else "km"
    if unit not in ("m", "km"):
        raise ValueError(f"unknown unit {unit!r}; choose one of: 'auto', 'm', 'km'")
    scale = 1000.0 if unit == "m" else 1.0

    fig = Figure(figsize=(6.5 * len(views), 5.2), layout="constrained")
    axes = fig.subplots(1, len(views), squeeze=False)[0]
    for ax, view in zip(axes, views):
        ih, iv, xlab, ylab = _LVLH_VIEWS[view]
        for k, arr in enumerate(paths):
            line = ax.plot(arr[:, ih] * scale, arr[:, iv] * scale, lw=1.5, label=labels[k])[0]
            ax.plot(arr[0, ih] * scale, arr[0, iv] * scale, "o", ms=4, color=line.get_color())
        ax.plot(0.0, 0.0, marker="s", ms=8, color="k", ls="none", label="target")
        if keep_out is not None:
            rad = keep_out.radius.to_value(u.km) * scale
            ax.add_patch(
                Circle((0, 0), rad, fill=False, ls="--", color="tab:red", label="keep-out sphere")
            )
        if ellipsoid is not None:
            ax_km = ellipsoid.semi_axes.to_value(u.km) * scale
            ax.add_patch(
                Ellipse(
                    (0, 0),
                    2 * ax_km[ih],
                    2 * ax_km[iv],
                    fill=False,
                    ls=":",
                    color="tab:orange",
                    label="approach ellipsoid",
                )
            )
        if corridor is not None:
            axis = corridor.axis_vector
            in_plane = np.array([axis[ih], axis[iv]])
            if np.linalg.norm(in_plane) > 1e-9:
                in_plane = in_plane / np.linalg.norm(in_plane)
                length = (
                    extent if corridor_length is None else corridor_length.to_value(u.km)
                ) * scale
                half = corridor.half_angle.to_value(u.rad)
                apex = corridor.apex.to_value(u.km)[[ih, iv]] * scale
                for sgn in (-1.0, 1.0):
                    c, s = math.cos(sgn * half), math.sin(sgn * half)
                    d = np.array(
                        [c * in_plane[0] - s * in_plane[1], s * in_plane[0] + c * in_plane[1]]
                    )
                    ax.plot(
                        [apex[0], apex[0] + length * d[0]],
                        [apex[1], apex[1] + length * d[1]],
                        color="tab:olive",
                        lw=1,
                        label="approach corridor" if sgn < 0 else None,
                    )
        if holds is not None:
            ax.plot(
                holds[:, ih] * scale,
                holds[:, iv] * scale,
                "D",
                color="tab:purple",
                ls="none",
                label="hold points",
            )
            for j, name in enumerate(hold_labels or []):
                ax.annotate(
                    name,
                    (holds[j, ih] * scale, holds[j, iv] * scale),
                    textcoords="offset points",
                    xytext=(4, 6 if j % 2 == 0 else -14),
                    fontsize=8,
                )
        if burn_pos is not None:
            ax.plot(
                burn_pos[:, ih] * scale,
                burn_pos[:, iv] * scale,
                "^",
                color="tab:red",
                ls="none",
                ms=6,
                label="burns",
            )
        ax.set_xlabel(f"{xlab} [{unit}]")
        ax.set_ylabel(f"{ylab} [{unit}]")
        ax.set_aspect("equal", adjustable="datalim")
        ax.grid(True, alpha=0.3)
        if view == "VR" and not ax.yaxis_inverted():
            ax.invert_yaxis()  # R-bar (toward the Earth) points down
        ax.set_title("in-plane (V-bar / R-bar)" if view == "VR" else "out-of-plane (V-bar / H-bar)")
        ax.legend(loc="best", fontsize=8)
    fig.suptitle(title)
    return fig


# ------------------------------------------------------------------ mission figures
# Each takes a MissionResult (qingzhou_sim.mission) and returns a new Figure; none of
# them runs any simulation.

_PHASE_COLOURS = {
    "phasing": "tab:blue",
    "homing": "tab:orange",
    "closing": "tab:green",
    "fly-around": "tab:purple",
    "final approach": "tab:red",
    "collision avoidance": "tab:gray",
}


def _hours_since(epochs, epoch0) -> np.ndarray:
    return (epochs - epoch0).to_value(u.h)


def plot_ground_track(result, *, ax=None):
    """Ground track of the chaser (insertion to hard dock) and the station over the same
    span, with the launch site; longitude wraps at +-180 deg."""
    from .frames import ground_track

    fig, ax = _figure(ax, figsize=(10, 5))
    for eph, label, style in (
        (result.station, "Tiangong", dict(color="0.5", lw=1.0)),
        (result.chaser, "Qingzhou", dict(color="tab:red", lw=1.4)),
    ):
        gt = ground_track(eph.epochs, eph.r_km * u.km)
        lon = gt.lon.to_value(u.deg)
        lat = gt.lat.to_value(u.deg)
        breaks = np.where(np.abs(np.diff(lon)) > 180)[0] + 1
        for k, (lo, la) in enumerate(zip(np.split(lon, breaks), np.split(lat, breaks))):
            ax.plot(lo, la, label=label if k == 0 else None, **style)
    site = result.site
    ax.plot(
        site.lon_deg,
        site.lat_deg,
        marker="^",
        color="k",
        ls="none",
        ms=8,
        label=f"{site.name} launch site",
    )
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 60))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.grid(True, lw=0.3)
    ax.set_xlabel("Longitude [deg]")
    ax.set_ylabel("Geodetic latitude [deg]")
    ax.set_title(f"Ground track, insertion to hard dock ({result.mission.phasing_profile} profile)")
    ax.legend(loc="lower left", fontsize="small")
    return fig


def plot_altitude_phase(result):
    """Altitude of chaser and station, and the station's phase angle ahead of the chaser,
    against time from insertion through phasing; burns marked."""
    fig = Figure(figsize=(9, 6), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    t0 = result.insertion
    end = result.phasing_end
    for eph, label, colour in (
        (result.station, "Tiangong", "0.4"),
        (result.chaser, "Qingzhou", "tab:red"),
    ):
        mask = (eph.epochs - end).to_value(u.s) <= 0
        t = _hours_since(eph.epochs[mask], t0)
        ax1.plot(t, np.linalg.norm(eph.r_km[mask], axis=1) - 6378.137, color=colour, label=label)
    rel = result.phase_angle_history()
    ax2.plot(
        _hours_since(rel[0], t0),
        rel[1],
        color="tab:blue",
        label="station phase angle ahead of chaser",
    )
    for burn in result.burns_phasing:
        for ax in (ax1, ax2):
            ax.axvline(_hours_since(burn.epoch, t0), color="tab:green", lw=0.8, ls="--")
        ax1.annotate(
            burn.label,
            (_hours_since(burn.epoch, t0), ax1.get_ylim()[1]),
            fontsize="x-small",
            rotation=90,
            va="top",
            ha="right",
        )
    ax1.set_ylabel("Altitude |r| - R_eq [km]")
    ax1.set_title(
        f"Phasing: altitude and phase angle ({result.mission.phasing_profile} profile; dashed = burns)"
    )
    ax1.legend(fontsize="small")
    ax2.set_ylabel("Phase angle [deg]")
    ax2.set_xlabel("Time since insertion [h]")
    ax2.axhline(0, color="k", lw=0.5)
    ax2.legend(fontsize="small")
    for ax in (ax1, ax2):
        ax.grid(True, lw=0.3)
    return fig


def plot_range(result):
    """Range (log scale) and range rate to the station against time from insertion."""
    fig = Figure(figsize=(9, 6), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    t, r_km, v_km_s = result.relative_history()
    rng_m = np.linalg.norm(r_km, axis=1) * 1e3
    rate = (
        np.einsum("ij,ij->i", r_km, v_km_s) / np.maximum(np.linalg.norm(r_km, axis=1), 1e-12) * 1e3
    )
    th = _hours_since(t, result.insertion)
    ax1.semilogy(th, np.maximum(rng_m, 1e-2), color="tab:red")
    ax1.set_ylabel("Range to station [m]")
    ax1.set_title("Range and range rate to Tiangong")
    ax2.plot(th, rate, color="tab:blue")
    ax2.set_yscale("symlog", linthresh=0.1)
    ax2.set_ylabel("Range rate [m/s] (symlog)")
    ax2.set_xlabel("Time since insertion [h]")
    for ev in result.events:
        if ev.name in ("hand-over", "contact"):
            for ax in (ax1, ax2):
                ax.axvline(_hours_since(ev.epoch, result.insertion), color="0.5", lw=0.8, ls=":")
            ax1.annotate(
                ev.name,
                (_hours_since(ev.epoch, result.insertion), rng_m.max()),
                fontsize="x-small",
                rotation=90,
                va="top",
            )
    for ax in (ax1, ax2):
        ax.grid(True, which="both", lw=0.3)
    return fig


def plot_delta_v_budget(results, *, labels=None, ax=None):
    """Delta-v budget as a stacked bar per phase, for one result or several (side by side)."""
    if not isinstance(results, list | tuple):
        results = [results]
    labels = labels or [f"{r.mission.phasing_profile} / {r.mission.port}" for r in results]
    fig, ax = _figure(ax, figsize=(max(5, 1.6 * len(results) + 3), 5))
    names: list[str] = []
    for r in results:
        for p in r.phases:
            if p.name not in names:
                names.append(p.name)
    bottom = np.zeros(len(results))
    for name in names:
        vals = np.array([sum(p.delta_v_m_s for p in r.phases if p.name == name) for r in results])
        if not np.any(vals > 0):
            continue
        ax.bar(labels, vals, bottom=bottom, label=name, color=_PHASE_COLOURS.get(name))
        bottom += vals
    for k, total in enumerate(bottom):
        ax.annotate(f"{total:.1f}", (k, total), ha="center", va="bottom", fontsize="small")
    ax.set_ylabel("Delta-v [m/s]")
    ax.set_title("Delta-v budget per phase")
    ax.legend(fontsize="small")
    ax.grid(True, axis="y", lw=0.3)
    return fig


def _figure(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def plot_mission_approach(result):
    """The approach of a mission in the station's LVLH frame (V-bar/R-bar and V-bar/H-bar),
    from the hand-over point to contact, with hold points, corridor, keep-out sphere and
    approach ellipsoid (:func:`qingzhou_sim.docking.plot_approach`)."""
    from .docking import plot_approach

    fig = plot_approach(result.approach)
    fig.suptitle(
        f"Approach to the {result.mission.port} port in Tiangong's LVLH frame "
        f"({result.mission.approach_profile_name} profile)"
    )
    return fig


# ------------------------------------------------------------------ campaign figures
# Each takes a CampaignResult (qingzhou_sim.montecarlo) or a sweep of them.


def plot_delta_v_distributions(campaign, *, columns=None):
    """Delta-v histogram and empirical CDF per phase, with the 95th and 99th percentiles
    marked (one row of panels per phase; by default every phase whose delta-v varies
    between samples: a constant one, such as no collision avoidance at all, is in the
    summary table instead)."""
    frame = campaign.samples

    def varies(column):
        values = frame[column].to_numpy(float)
        values = values[np.isfinite(values)]
        return values.size > 0 and np.ptp(values) > 0

    columns = (
        columns
        or [c for c in frame.columns if c.endswith("delta_v_m_s") and varies(c)]
        or ["total_delta_v_m_s"]
    )
    fig = Figure(figsize=(10, 2.6 * len(columns) + 0.6), layout="constrained")
    axes = fig.subplots(len(columns), 2, squeeze=False)
    for (ax_h, ax_c), column in zip(axes, columns):
        values = frame[column].to_numpy(float)
        values = np.sort(values[np.isfinite(values)])
        label = column.removesuffix("_delta_v_m_s").replace("_", " ")
        p95, p99 = np.percentile(values, [95, 99])
        ax_h.hist(values, bins=min(40, max(5, values.size // 5)), color="tab:blue", alpha=0.8)
        ax_c.plot(
            values,
            np.arange(1, values.size + 1) / values.size,
            color="tab:blue",
            drawstyle="steps-post",
        )
        for ax in (ax_h, ax_c):
            ax.axvline(p95, color="tab:orange", ls="--", label=f"p95 {p95:.2f} m/s")
            ax.axvline(p99, color="tab:red", ls=":", label=f"p99 {p99:.2f} m/s")
            ax.set_xlabel(f"{label} delta-v [m/s]")
            ax.grid(True, lw=0.3)
        ax_h.set_ylabel("Samples")
        ax_c.set_ylabel("Cumulative fraction")
        ax_h.legend(fontsize="small")
        ax_h.set_title(f"{label}: histogram ({values.size} samples)")
        ax_c.set_title(f"{label}: empirical CDF")
    fig.suptitle(f"Delta-v dispersion, {campaign.n} samples, seed {campaign.seed}")
    return fig


def plot_contact_conditions(campaign, *, limits=None):
    """Contact conditions of the samples (closing speed against lateral offset, and
    lateral rate against lateral offset) with the docking mechanism's capture box
    (SAST-APAS limits: closing 0.08-0.18 m/s, lateral offset <= 0.16 m, lateral rate
    <= 0.10 m/s)."""
    from matplotlib.patches import Rectangle

    if limits is None:
        from .docking import ContactLimits

        limits = ContactLimits()
    frame = campaign.samples
    ok = frame["docked"].to_numpy(bool)
    lat = frame["lateral_offset_m"].to_numpy(float)
    vcl = frame["closing_speed_m_s"].to_numpy(float)
    latr = frame["lateral_rate_m_s"].to_numpy(float)
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for ax, y, ylabel, box in (
        (
            ax1,
            vcl,
            "Closing speed [m/s]",
            (limits.closing_speed_min_m_s, limits.closing_speed_max_m_s),
        ),
        (ax2, latr, "Lateral rate [m/s]", (0.0, limits.lateral_rate_m_s)),
    ):
        ax.add_patch(
            Rectangle(
                (0.0, box[0]),
                limits.lateral_offset_m,
                box[1] - box[0],
                fill=False,
                ec="tab:green",
                lw=1.5,
                label="capture box",
            )
        )
        ax.plot(lat[ok], y[ok], "o", ms=3, color="tab:blue", label="docked")
        if np.any(~ok & np.isfinite(y)):
            ax.plot(lat[~ok], y[~ok], "x", ms=5, color="tab:red", label="not docked")
        ax.set_xlabel("Lateral offset [m]")
        ax.set_ylabel(ylabel)
        ax.grid(True, lw=0.3)
        ax.legend(fontsize="small")
    ax1.set_title("Closing speed at contact")
    ax2.set_title("Lateral rate at contact")
    fig.suptitle(f"Contact conditions against the capture box ({campaign.n} samples)")
    return fig


def plot_success_vs_scale(sweep, *, ax=None):
    """Docking success rate (with its 95 % Wilson interval) against the dispersion scale,
    from :func:`qingzhou_sim.montecarlo.sweep_dispersion_scale`."""
    fig, ax = _figure(ax, figsize=(6.5, 4.5))
    scales = np.array(sorted(sweep))
    rates = np.array([sweep[s].success_rate for s in scales])
    ci = np.array([sweep[s].success_interval() for s in scales])
    ax.plot(scales, 100 * rates, "o-", color="tab:blue", label="success rate")
    ax.fill_between(
        scales,
        100 * ci[:, 0],
        100 * ci[:, 1],
        color="tab:blue",
        alpha=0.2,
        label="95 % Wilson interval",
    )
    ax.set_xlabel("Dispersion scale (x default 1-sigma)")
    ax.set_ylabel("Docked [%]")
    ax.set_ylim(-2, 102)
    ax.set_title("Docking success against dispersion scale")
    ax.grid(True, lw=0.3)
    ax.legend(fontsize="small")
    return fig
