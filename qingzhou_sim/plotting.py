"""Matplotlib figures of qingzhou_sim results, fit for a report.

A flat module of independent functions: each takes result objects (a
:class:`~qingzhou_sim.mission.MissionResult`, an
:class:`~qingzhou_sim.docking.ApproachResult`, a
:class:`~qingzhou_sim.propagator.Trajectory` or an
:class:`~qingzhou_sim.mission.Ephemeris` where that makes sense; anything else raises
:class:`~qingzhou_sim.errors.InputError`) and returns a new
:class:`matplotlib.figure.Figure`. Nothing here runs a simulation.

Conventions of every figure: units on every axis; time in hours since liftoff, as in
the mission timeline (since the hand-over point for an approach result alone); range in
km, metres only in the close-range panels; legends outside the data.

Figures are created through :mod:`matplotlib.pyplot` only in an interactive session
(IPython or Jupyter), so that a notebook shows them without further incantation; in
scripts, tests and worker processes they are plain ``Figure`` objects, safe headless
and in parallel, that ``fig.savefig(path)`` writes.
"""

from __future__ import annotations

import math
import sys
from functools import cache

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from .errors import InputError

__all__ = [
    "plot_altitude_phase",
    "plot_contact_conditions",
    "plot_delta_v_budget",
    "plot_delta_v_distributions",
    "plot_ground_track",
    "plot_lvlh",
    "plot_mission_approach",
    "plot_range",
    "plot_success_vs_scale",
]

CLOSE_RANGE_M = 400.0  # half-width of the close-range panels (the last 400 m)

# One colour per mission phase, the same in every figure (no two phases share one).
_PHASE_COLOURS = {
    "launch": "tab:gray",
    "phasing": "tab:blue",
    "homing": "tab:cyan",
    "holds": "tab:orange",
    "closing": "tab:green",
    "fly-around": "tab:purple",
    "final approach": "tab:red",
    "berthing": "tab:brown",
    "collision avoidance": "tab:pink",
}
_SPARE_COLOURS = ("tab:olive", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")

# view name -> (horizontal LVLH index, vertical LVLH index, axis labels)
_LVLH_VIEWS = {
    "VR": (0, 2, "V-bar x", "R-bar z (toward Earth, down)"),
    "VH": (0, 1, "V-bar x", "H-bar y (-orbit normal)"),
}
_VIEW_TITLES = {"VR": "in-plane (V-bar / R-bar)", "VH": "out-of-plane (V-bar / H-bar)"}


# ------------------------------------------------------------------ figures and inputs
def _in_interactive_session() -> bool:
    """True inside IPython/Jupyter (where figures should be managed by pyplot)."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _new_figure(**kwargs) -> Figure:
    """A constrained-layout Figure; through pyplot (so it displays) only in IPython."""
    kwargs.setdefault("layout", "constrained")
    if _in_interactive_session():
        import matplotlib.pyplot as plt

        return plt.figure(**kwargs)
    return Figure(**kwargs)


def _figure(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(figsize=figsize)
    return fig, fig.subplots()


def _kind(obj) -> str | None:
    """'mission', 'approach', 'trajectory', 'ephemeris' or None."""
    from .docking.result import ApproachResult
    from .mission.result import Ephemeris, MissionResult
    from .propagator.trajectory import Trajectory

    for cls, name in (
        (MissionResult, "mission"),
        (ApproachResult, "approach"),
        (Trajectory, "trajectory"),
        (Ephemeris, "ephemeris"),
    ):
        if isinstance(obj, cls):
            return name
    return None


_KIND_NAMES = {
    "mission": "MissionResult",
    "approach": "ApproachResult",
    "trajectory": "Trajectory",
    "ephemeris": "Ephemeris",
}


def _require(obj, func: str, accepted: tuple[str, ...], argument: str = "result") -> str:
    """The kind of ``obj``; InputError naming the accepted types otherwise."""
    kind = _kind(obj)
    if kind not in accepted:
        names = ", ".join(_KIND_NAMES[k] for k in accepted)
        raise InputError(
            f"{func}() cannot plot {argument} of type {type(obj).__name__}; "
            f"expected one of: {names}",
            name=argument,
            value=type(obj).__name__,
            valid=tuple(_KIND_NAMES[k] for k in accepted),
        )
    return kind


def _hours_since(epochs, epoch0) -> np.ndarray:
    return np.atleast_1d((epochs - epoch0).to_value(u.h))


def _time_axis(ax, t_h: np.ndarray, since: str = "liftoff") -> None:
    """Hours on the axis, ticks as h:mm like the timeline's T+ column."""
    span_min = 60.0 * float(np.nanmax(t_h) - np.nanmin(t_h)) if np.size(t_h) else 60.0
    step_min = next((s for s in (5, 10, 15, 20, 30, 60, 120, 240) if span_min / s <= 9), 480)
    ax.xaxis.set_major_locator(MultipleLocator(step_min / 60.0))

    def hmm(x, _pos):
        minutes = round(x * 60.0)
        sign = "-" if minutes < 0 else ""
        return f"{sign}{abs(minutes) // 60:d}:{abs(minutes) % 60:02d}"

    ax.xaxis.set_major_formatter(FuncFormatter(hmm))
    ax.set_xlabel(f"Time since {since} [h:mm]")


def _group_labels(x: list[float], labels: list[str], min_gap: float):
    """Merge labels of marks closer than ``min_gap`` (x units) into one 'A, B' label."""
    groups: list[tuple[list[float], list[str]]] = []
    for xi, lab in sorted(zip(x, labels)):
        if groups and xi - groups[-1][0][-1] < min_gap:
            groups[-1][0].append(xi)
            groups[-1][1].append(lab)
        else:
            groups.append(([xi], [lab]))
    return [(float(np.mean(xs)), ", ".join(ls)) for xs, ls in groups]


def _figure_legend(fig, axes, *, ncol: int = 4) -> None:
    """One legend below all panels, each label once (hides no data)."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels and not lab.startswith("_"):
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, fontsize="small")


# ------------------------------------------------------------------ LVLH views
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
    ax.set_title(_VIEW_TITLES[view])


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


# ------------------------------------------------------------------ mission figures
def plot_ground_track(result, *, ax=None) -> Figure:
    """Ground track over a land outline (Natural Earth 1:110m, public domain; bundled).

    Parameters
    ----------
    result : MissionResult, Trajectory or Ephemeris
        A mission gives both tracks (Qingzhou from insertion to the end of the run,
        Tiangong over the same span) and the launch site; a trajectory or ephemeris
        gives its own track.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Longitude and geodetic latitude in degrees; start (circle) and end (square)
        markers on every track; longitude wraps at +-180 deg.

    Raises
    ------
    InputError
        ``result`` is none of the accepted types.
    """
    kind = _require(result, "plot_ground_track", ("mission", "trajectory", "ephemeris"))
    fig, ax = _figure(ax, figsize=(10, 6.0))
    _draw_land(ax)
    if kind == "mission":
        tracks = [
            (result.station, "Tiangong", dict(color="tab:blue", lw=5.0, alpha=0.35), 12.0),
            (result.chaser, "Qingzhou", dict(color="tab:red", lw=1.3), 7.0),
        ]
    else:
        tracks = [(result, "track", dict(color="tab:red", lw=1.3), 7.0)]
    for eph, label, style, ms in tracks:
        _draw_track(ax, eph, label, style, ms)
    if kind == "mission":
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
    ax.plot([], [], "o", color="k", mfc="none", label="start")
    ax.plot([], [], "s", color="k", mfc="none", label="end")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(-180, 181, 60))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.grid(True, lw=0.3)
    ax.set_xlabel("Longitude [deg]")
    ax.set_ylabel("Geodetic latitude [deg]")
    if kind == "mission":
        ax.set_title(
            f"Ground tracks from insertion to the end of the run "
            f"({result.mission.phasing_profile} profile)"
        )
    else:
        ax.set_title("Ground track")
    fig.legend(loc="outside lower center", ncol=5, fontsize="small")
    return fig


@cache
def _land_rings() -> tuple:
    from importlib.resources import files

    with (files("qingzhou_sim") / "data" / "land_110m.npz").open("rb") as fh:
        data = np.load(fh)
        lonlat = data["lonlat_deg"].astype(float)
        starts = data["ring_starts"]
    return tuple(lonlat[a:b] for a, b in zip(starts[:-1], starts[1:]))


def _draw_land(ax) -> None:
    from matplotlib.collections import PolyCollection

    ax.add_collection(
        PolyCollection(
            _land_rings(),
            facecolor="0.88",
            edgecolor="0.6",
            linewidth=0.4,
            zorder=0,
            label="_land",
        )
    )


def _draw_track(ax, eph, label, style, ms: float = 8.0) -> None:
    from .frames import ground_track

    gt = ground_track(eph)
    lon = gt.lon.to_value(u.deg)
    lat = gt.lat.to_value(u.deg)
    breaks = np.where(np.abs(np.diff(lon)) > 180)[0] + 1
    colour = None
    for k, (lo, la) in enumerate(zip(np.split(lon, breaks), np.split(lat, breaks))):
        line = ax.plot(lo, la, label=label if k == 0 else None, **style)[0]
        colour = line.get_color()
    ax.plot(lon[0], lat[0], "o", ms=ms, mfc="white", mec=colour, mew=2, zorder=5)
    ax.plot(lon[-1], lat[-1], "s", ms=ms, mfc="white", mec=colour, mew=2, zorder=5)


def _geodetic_altitude_km(eph) -> np.ndarray:
    from .frames import gcrs_to_geodetic

    return gcrs_to_geodetic(eph.epochs, eph.r_km * u.km)[2].to_value(u.km)


def plot_altitude_phase(result) -> Figure:
    """Geodetic altitude of chaser and station, and the station's phase angle ahead of
    the chaser, from insertion to the hand-over point; burns marked and labelled.

    Parameters
    ----------
    result : MissionResult

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing the time axis (hours since liftoff): altitude [km] above the
        WGS-84 ellipsoid, phase angle [deg].
    """
    _require(result, "plot_altitude_phase", ("mission",))
    fig = _new_figure(figsize=(9, 6.4))
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    t0 = result.liftoff
    end = result.phasing_end
    for eph, label, colour in (
        (result.station, "Tiangong", "tab:blue"),
        (result.chaser, "Qingzhou", "tab:red"),
    ):
        mask = (eph.epochs - end).to_value(u.s) <= 1e-6
        part = type(eph)(eph.epochs[mask], eph.r_km[mask], eph.v_km_s[mask])
        ax1.plot(
            _hours_since(part.epochs, t0), _geodetic_altitude_km(part), color=colour, label=label
        )
    rel_t, phase = result.phase_angle_history()
    mask = (rel_t - end).to_value(u.s) <= 1e-6
    ax2.plot(
        _hours_since(rel_t[mask], t0),
        phase[mask],
        color="tab:green",
        label="station phase angle ahead of chaser",
    )
    burn_h = [float(_hours_since(b.epoch, t0)[0]) for b in result.burns_phasing]
    for th in burn_h:
        for ax in (ax1, ax2):
            ax.axvline(th, color="0.3", lw=0.8, ls="--")
    span = _hours_since(end, t0)[0] - _hours_since(result.insertion, t0)[0]
    for x, text in _group_labels(burn_h, [b.label for b in result.burns_phasing], 0.06 * span):
        ax1.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    ax1.set_ylabel("Geodetic altitude [km]")
    ax1.set_title(
        f"Phasing ({result.mission.phasing_profile} profile): altitude and phase angle; "
        "dashed lines: burns",
        pad=16,
    )
    ax1.legend(loc="lower right", fontsize="small")
    ax2.set_ylabel("Phase angle, station ahead [deg]")
    ax2.axhline(0, color="k", lw=0.5)
    ax2.legend(loc="upper right", fontsize="small")
    for ax in (ax1, ax2):
        ax.grid(True, lw=0.3)
    _time_axis(ax2, _hours_since(result.chaser.epochs[result.chaser.epochs <= end], t0))
    return fig


def _range_history(result, kind, liftoff):
    """(t_h, range_km, range_rate_m_s, events [(t_h, name)], time origin name)."""
    if kind == "mission":
        t, r_km, v_km_s = result.relative_history()
        t0, since = result.liftoff, "liftoff"
        events = [
            (float(_hours_since(ev.epoch, t0)[0]), ev.name)
            for ev in result.events
            if ev.name in ("insertion", "hand-over", "contact")
        ]
        t_h = _hours_since(t, t0)
    else:
        r_km = result.r_true.to_value(u.km)
        v_km_s = result.v_true.to_value(u.km / u.s)
        t0, since = (liftoff, "liftoff") if liftoff is not None else (result.epoch0, "hand-over")
        off = float(_hours_since(result.epoch0, t0)[0])
        t_h = off + result.t_s / 3600.0
        events = [(off + e.t_s / 3600.0, e.name) for e in result.events if e.name == "contact"]
    rng = np.linalg.norm(r_km, axis=1)
    rate = np.einsum("ij,ij->i", r_km, v_km_s) / np.maximum(rng, 1e-12) * 1e3
    return t_h, rng, rate, events, since


def plot_range(result, *, liftoff=None) -> Figure:
    """Range and range rate to the station against time, and range rate against range
    on log axes (the rendezvous engineer's approach plot: a straight line is a
    constant ratio of range rate to range).

    Parameters
    ----------
    result : MissionResult or ApproachResult
        A mission gives the whole run from insertion; an approach result the approach
        from the hand-over point.
    liftoff : Time, optional
        For an approach result: the liftoff epoch, so that time counts from liftoff as
        in the mission timeline (default: time since the hand-over point).

    Returns
    -------
    matplotlib.figure.Figure
        ``axes[0]`` range [km] (log) and ``axes[1]`` range rate [m/s] (symmetric log)
        against time [h:mm]; ``axes[2]`` |range rate| [m/s] against range [km], both
        logarithmic, closing and opening drawn apart.
    """
    kind = _require(result, "plot_range", ("mission", "approach"))
    t_h, rng, rate, events, since = _range_history(result, kind, liftoff)
    fig = _new_figure(figsize=(12, 6.4))
    gs = fig.add_gridspec(2, 2, width_ratios=(1.25, 1.0))
    ax1 = fig.add_subplot(gs[0, 0])
    ax2 = fig.add_subplot(gs[1, 0], sharex=ax1)
    ax3 = fig.add_subplot(gs[:, 1])
    ax1.semilogy(t_h, np.maximum(rng, 1e-5), color="tab:red", label="range")
    ax1.set_ylabel("Range [km]")
    ax2.plot(t_h, rate, color="tab:blue", label="range rate")
    ax2.set_yscale("symlog", linthresh=0.1)
    ax2.set_ylabel("Range rate [m/s] (symlog; < 0 closing)")
    for x, name in events:
        for ax in (ax1, ax2):
            ax.axvline(x, color="0.5", lw=0.8, ls=":")
        ax1.annotate(
            name,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -4),
            textcoords="offset points",
            rotation=90,
            va="top",
            fontsize="small",
        )
    _time_axis(ax2, t_h, since)
    ax1.tick_params(labelbottom=False)
    closing = np.where(rate < 0, -rate, np.nan)
    opening = np.where(rate > 0, rate, np.nan)
    ax3.loglog(rng, closing, color="tab:blue", lw=1.2, label="closing")
    ax3.loglog(rng, opening, color="tab:orange", lw=1.0, label="opening")
    ax3.set_xlabel("Range [km]")
    ax3.set_ylabel("|Range rate| [m/s]")
    top = float(np.nanmax(np.abs(rate))) if np.any(np.isfinite(rate)) else 1.0
    # rates below 1 mm/s are turnarounds (range extremes), not approach speeds
    ax3.set_ylim(1e-3, 2.0 * max(top, 1e-2))
    ax3.invert_xaxis()  # time runs left to right as the range shrinks
    ax3.legend(loc="upper right", fontsize="small")
    ax3.set_title("Range rate against range")
    for ax in (ax1, ax2, ax3):
        ax.grid(True, which="major", lw=0.4)
        ax.grid(True, which="minor", lw=0.2, alpha=0.4)
    name = "Tiangong" if kind == "mission" else "the station"
    ax1.set_title(f"Range and range rate to {name}")
    return fig


def plot_delta_v_budget(results, *, labels=None, ax=None) -> Figure:
    """Delta-v budget as a stacked bar per phase (one colour per phase), for one
    result or several side by side.

    Parameters
    ----------
    results : MissionResult or sequence of MissionResult
    labels : sequence of str, optional
        Bar labels (default: "profile / port").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Delta-v [m/s] per bar, totals above the bars; the legend, to the right of the
        axes, lists the phases from top to bottom as stacked (with their delta-v when
        there is one bar).
    """
    if not isinstance(results, list | tuple):
        results = [results]
    for r in results:
        _require(r, "plot_delta_v_budget", ("mission",), argument="results")
    labels = list(labels or [f"{r.mission.phasing_profile} / {r.mission.port}" for r in results])
    fig, ax = _figure(ax, figsize=(max(6.5, 1.4 * len(results) + 4.5), 5))
    names: list[str] = []
    for r in results:
        for p in r.phases:
            if p.name not in names:
                names.append(p.name)
    colours = _phase_colours(names)
    x = np.arange(len(results))
    bottom = np.zeros(len(results))
    for name in names:
        vals = np.array([sum(p.delta_v_m_s for p in r.phases if p.name == name) for r in results])
        if not np.any(vals > 0):
            continue
        text = f"{name} ({vals[0]:.2f} m/s)" if len(results) == 1 else name
        ax.bar(
            x,
            vals,
            0.6,
            bottom=bottom,
            label=text,
            color=colours[name],
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += vals
    for k, total in enumerate(bottom):
        ax.annotate(
            f"{total:.1f} m/s",
            (k, total),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, len(results) - 0.4)
    ax.set_ylim(0, 1.1 * max(float(bottom.max()), 1e-3))
    ax.set_ylabel("Delta-v [m/s]")
    ax.set_title("Delta-v budget per phase")
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        texts[::-1],
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize="small",
        title="phase",
    )
    ax.grid(True, axis="y", lw=0.3)
    return fig


def _phase_colours(names) -> dict[str, str]:
    spare = iter(_SPARE_COLOURS)
    return {n: _PHASE_COLOURS.get(n) or next(spare, "k") for n in names}


def plot_mission_approach(result) -> Figure:
    """The approach of a mission in the station's LVLH frame, from the hand-over point
    to contact (:func:`qingzhou_sim.docking.plot_approach`: the whole approach in km
    and the last 400 m in metres, with corridor and keep-out sphere).

    Parameters
    ----------
    result : MissionResult

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(result, "plot_mission_approach", ("mission",))
    from .docking.plots import plot_approach

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
    fig = _new_figure(figsize=(10, 2.8 * len(columns) + 0.8))
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
            # few ticks, no offset text: long decimals collided at 10 inches
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax_h.set_ylabel("Samples")
        ax_c.set_ylabel("Cumulative fraction")
        ax_c.legend(loc="lower right", fontsize="small")
        ax_h.set_title(f"{label}: histogram ({values.size} samples)")
        ax_c.set_title(f"{label}: empirical CDF")
    fig.suptitle(f"Delta-v dispersion, {campaign.n} samples, seed {campaign.seed}")
    return fig


def plot_contact_conditions(campaign, *, limits=None):
    """Contact conditions of the samples (closing speed against lateral offset, and
    lateral rate against lateral offset) with the docking mechanism's capture box
    (SAST-APAS limits: closing 0.08-0.18 m/s, lateral offset <= 0.16 m, lateral rate
    <= 0.10 m/s)."""

    if limits is None:
        from .docking import ContactLimits

        limits = ContactLimits()
    frame = campaign.samples
    ok = frame["docked"].to_numpy(bool)
    lat = frame["lateral_offset_m"].to_numpy(float)
    vcl = frame["closing_speed_m_s"].to_numpy(float)
    latr = frame["lateral_rate_m_s"].to_numpy(float)
    fig = _new_figure(figsize=(11, 5.0))
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
        ax.xaxis.set_major_locator(MaxNLocator(5))
    _figure_legend(fig, (ax1, ax2), ncol=3)
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
    ax.legend(loc="lower left", fontsize="small")
    return fig
