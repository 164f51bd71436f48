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

__all__ = ["plot_lvlh"]

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
