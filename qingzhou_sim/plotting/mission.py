"""Figures of a mission result: ground track, altitude and phase angle, range, delta-v
budget, approach. Each takes a MissionResult (some also an ApproachResult, Trajectory or
Ephemeris) and returns a new Figure; none of them runs any simulation."""

from __future__ import annotations

from functools import cache

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator

from ._common import (
    SUPTITLE_Y,
    _figure,
    _fixed_grid,
    _group_labels,
    _hours_since,
    _phase_colours,
    _require,
    _set_title,
    _time_axis,
)

__all__ = [
    "plot_altitude_phase",
    "plot_delta_v_budget",
    "plot_ground_track",
    "plot_mission_approach",
    "plot_range",
]


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
    if ax is None:
        fig, grid = _fixed_grid((10, 6.0), 1, 1, left=0.064, right=0.982, bottom=0.142, top=0.907)
        ax = fig.add_subplot(grid[0, 0])
    fig = ax.figure
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
        _set_title(
            ax,
            f"Ground tracks from insertion to the end of the run "
            f"({result.mission.phasing_profile} profile)",
        )
    else:
        _set_title(ax, "Ground track")
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
    from ..frames import ground_track

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
    from ..frames import gcrs_to_geodetic

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
    fig, grid = _fixed_grid(
        (9, 6.4), 2, 1, left=0.068, right=0.975, bottom=0.074, top=0.939, hspace=0.062
    )
    ax1, ax2 = grid.subplots(sharex=True)
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
    _set_title(
        ax1,
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
    fig, gs = _fixed_grid(
        (12, 6.4), 2, 2, width_ratios=(1.25, 1.0), left=0.066, right=0.983, bottom=0.079,
        top=0.961, wspace=0.143, hspace=0.071,
    )  # fmt: skip
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
    _set_title(ax3, "Range rate against range")
    for axis in (ax1.yaxis, ax3.xaxis, ax3.yaxis):
        # minor grid lines at 2 and 5 times the powers of ten (every integer multiple
        # made 136 minor ticks, a third of the time to draw this figure)
        axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    for ax in (ax1, ax2, ax3):
        ax.grid(True, which="major", lw=0.4)
        ax.grid(True, which="minor", lw=0.2, alpha=0.4)
    name = "Tiangong" if kind == "mission" else "the station"
    _set_title(ax1, f"Range and range rate to {name}")
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
    _set_title(ax, "Delta-v budget per phase")
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
    from ..docking.plots import plot_approach

    fig = plot_approach(result.approach)
    fig.suptitle(
        f"Approach to the {result.mission.port} port in Tiangong's LVLH frame "
        f"({result.mission.approach_profile_name} profile)",
        y=SUPTITLE_Y,
    )
    return fig
