"""LVLH views of relative motion: V-bar horizontal, R-bar down, safety zones drawn."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, Polygon

from ..errors import InputError
from ._common import _KIND_NAMES, _kind, _new_figure, _set_title

__all__ = ["plot_lvlh"]

# view name -> (horizontal LVLH index, vertical LVLH index, axis labels)
_LVLH_VIEWS = {
    "VR": (0, 2, "V-bar x", "R-bar z (toward Earth, down)"),
    "VH": (0, 1, "V-bar x", "H-bar y (-orbit normal)"),
}
_VIEW_TITLES = {"VR": "in-plane (V-bar / R-bar)", "VH": "out-of-plane (V-bar / H-bar)"}


def _lvlh_km(obj) -> np.ndarray:
    """(m, 3) km from a RelativeTrajectory, a plan, an approach or mission result (its
    approach path), or a Quantity / array in km."""
    kind = _kind(obj)
    if kind in ("trajectory", "ephemeris"):
        raise InputError(
            f"plot_lvlh() takes relative positions in the LVLH frame; a {_KIND_NAMES[kind]} "
            "holds absolute GCRS states: convert with qingzhou_sim.frames.gcrs_to_lvlh "
            "first, or pass a MissionResult or an ApproachResult",
            name="trajectories",
            value=_KIND_NAMES[kind],
            valid=("MissionResult", "ApproachResult", "RelativeTrajectory", "Quantity (m, 3)"),
        )
    if kind == "mission":
        obj = obj.approach.r_true
    elif kind == "approach":
        obj = obj.r_true
    if hasattr(obj, "trajectory") and callable(obj.trajectory):
        obj = obj.trajectory()
    if hasattr(obj, "r_km"):
        arr = np.asarray(obj.r_km, dtype=float)
    elif isinstance(obj, u.Quantity):
        arr = obj.to_value(u.km)
    elif hasattr(obj, "r"):
        arr = u.Quantity(obj.r).to_value(u.km)
    else:
        try:
            arr = np.asarray(obj, dtype=float)
        except (TypeError, ValueError):
            raise InputError(
                f"plot_lvlh() cannot plot an object of type {type(obj).__name__}; expected "
                "a MissionResult, an ApproachResult, a RelativeTrajectory, a ManeuverPlan "
                "or LVLH positions (m, 3) in km",
                name="trajectories",
                value=type(obj).__name__,
                valid=("MissionResult", "ApproachResult", "RelativeTrajectory", "Quantity"),
            ) from None
    arr = np.atleast_2d(arr)
    if arr.shape[-1] != 3:
        raise InputError(
            f"LVLH positions must have shape (m, 3); got {arr.shape}",
            name="trajectories",
            value=arr.shape,
            valid="(m, 3)",
        )
    return arr.reshape(-1, 3)


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, list | tuple):
        return list(x)
    return [x]


def _draw_corridor(ax, corridor, ih, iv, length_km, scale) -> None:
    """The approach cone's cut through this view, filled so that it shows."""
    axis = corridor.axis_vector
    in_plane = np.array([axis[ih], axis[iv]])
    if np.linalg.norm(in_plane) < 1e-9:
        return
    in_plane = in_plane / np.linalg.norm(in_plane)
    half = corridor.half_angle.to_value(u.rad)
    apex = corridor.apex.to_value(u.km)[[ih, iv]] * scale
    length = length_km * scale
    edges = []
    for sgn in (-1.0, 1.0):
        c, s = math.cos(sgn * half), math.sin(sgn * half)
        d = np.array([c * in_plane[0] - s * in_plane[1], s * in_plane[0] + c * in_plane[1]])
        edges.append(apex + length * d)
    ax.add_patch(
        Polygon(
            [apex, edges[0], edges[1]],
            closed=True,
            facecolor="tab:olive",
            edgecolor="tab:olive",
            alpha=0.25,
            lw=1.0,
            label="approach corridor",
        )
    )


def _draw_lvlh_panel(
    ax,
    view: str,
    scale: float,
    unit: str,
    *,
    paths=(),
    labels=(),
    holds=None,
    hold_labels=None,
    burn_pos=None,
    keep_out=None,
    ellipsoid=None,
    corridor=None,
    corridor_length_km: float = 1.0,
) -> None:
    """One LVLH view (V-bar horizontal, R-bar down) with the safety zones."""
    ih, iv, xlab, ylab = _LVLH_VIEWS[view]
    if corridor is not None:
        _draw_corridor(ax, corridor, ih, iv, corridor_length_km, scale)
    if ellipsoid is not None:
        semi = ellipsoid.semi_axes.to_value(u.km) * scale
        ax.add_patch(
            Ellipse(
                (0, 0),
                2 * semi[ih],
                2 * semi[iv],
                fill=False,
                ls=":",
                lw=1.2,
                color="tab:orange",
                label="approach ellipsoid",
            )
        )
    if keep_out is not None:
        rad = keep_out.radius.to_value(u.km) * scale
        ax.add_patch(
            Circle(
                (0, 0), rad, fill=False, ls="--", lw=1.2, color="tab:red", label="keep-out sphere"
            )
        )
    for arr, label in zip(paths, labels):
        line = ax.plot(arr[:, ih] * scale, arr[:, iv] * scale, lw=1.5, label=label)[0]
        ax.plot(arr[0, ih] * scale, arr[0, iv] * scale, "o", ms=4, color=line.get_color())
    if holds is not None and holds.size:
        ax.plot(
            holds[:, ih] * scale,
            holds[:, iv] * scale,
            "D",
            ms=5,
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
    if burn_pos is not None and burn_pos.size:
        ax.plot(
            burn_pos[:, ih] * scale,
            burn_pos[:, iv] * scale,
            "^",
            color="tab:red",
            ls="none",
            ms=6,
            label="burns",
        )
    ax.plot(0.0, 0.0, marker="s", ms=7, color="k", ls="none", label="target")
    ax.set_xlabel(f"{xlab} [{unit}]")
    ax.set_ylabel(f"{ylab} [{unit}]")
    ax.grid(True, alpha=0.3)
    _set_title(ax, _VIEW_TITLES[view])


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
    V-bar horizontal, R-bar positive **down** (toward the Earth), target at the origin
    (Fehse 2003, fig. 3.4).

    Parameters
    ----------
    trajectories : MissionResult, ApproachResult, RelativeTrajectory, ManeuverPlan, Quantity (m, 3), or a list of them
        Chaser paths (a plan is sampled with its ``trajectory()``; a mission or
        approach result gives its approach from the hand-over point). A
        ``Trajectory`` or ``Ephemeris`` (absolute GCRS states) raises
        :class:`~qingzhou_sim.errors.InputError`.
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
        Drawn (filled) in the views that contain its axis, ``corridor_length`` long
        (default: the largest plotted extent).
    views : sequence of {"VR", "VH"}
        V-bar/R-bar (in-plane) and V-bar/H-bar (out-of-plane) panels.
    unit : {"auto", "m", "km"}
        Axis unit; "auto" uses metres when everything fits within 2 km.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        One axes per view; each has its legend outside the data, to its right.

    Raises
    ------
    InputError
        Unknown view or unit; a trajectory of a type that holds no LVLH positions.

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
            raise InputError(
                f"unknown LVLH view {v!r}; choose one of: 'VR', 'VH'",
                name="views",
                value=v,
                valid=("VR", "VH"),
            )
    if unit not in ("auto", "m", "km"):
        raise InputError(
            f"unknown unit {unit!r}; choose one of: 'auto', 'm', 'km'",
            name="unit",
            value=unit,
            valid=("auto", "m", "km"),
        )
    items = _as_list(trajectories)
    paths = [_lvlh_km(t) for t in items]
    if labels is None:
        labels = ["chaser" if _kind(t) in ("mission", "approach") else None for t in items]
    labels = list(labels)
    holds = None if hold_points is None else _lvlh_km(hold_points)
    burn_pos = None
    if burns is not None:
        burn_pos = _lvlh_km(burns.waypoints if hasattr(burns, "waypoints") else burns)

    extent = 0.0
    for arr in paths + [a for a in (holds, burn_pos) if a is not None]:
        if arr.size:
            extent = max(extent, float(np.nanmax(np.abs(arr))))
    if keep_out is not None:
        extent = max(extent, keep_out.radius.to_value(u.km))
    if ellipsoid is not None:
        extent = max(extent, float(np.max(ellipsoid.semi_axes.to_value(u.km))))
    extent = extent or 1.0
    if unit == "auto":
        unit = "m" if extent <= 2.0 else "km"
    scale = 1000.0 if unit == "m" else 1.0
    length_km = extent if corridor_length is None else corridor_length.to_value(u.km)

    fig = _new_figure(figsize=(7.2 * len(views), 5.0))
    axes = fig.subplots(1, len(views), squeeze=False)[0]
    for ax, view in zip(axes, views):
        _draw_lvlh_panel(
            ax,
            view,
            scale,
            unit,
            paths=paths,
            labels=labels,
            holds=holds,
            hold_labels=hold_labels,
            burn_pos=burn_pos,
            keep_out=keep_out,
            ellipsoid=ellipsoid,
            corridor=corridor,
            corridor_length_km=length_km,
        )
        ax.set_aspect("equal", adjustable="datalim")
        if view == "VR":
            ax.invert_yaxis()  # R-bar (toward the Earth) points down
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(title)
    return fig
