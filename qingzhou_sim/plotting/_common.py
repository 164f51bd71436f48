"""Shared machinery of the figures: inputs, figures through pyplot in IPython, time axes
since liftoff, one colour per mission phase, legends outside the data."""

from __future__ import annotations

import os
import sys

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from ..errors import InputError

CLOSE_RANGE_M = 400.0  # half-width of the close-range panels (the last 400 m)
SUPTITLE_Y = 0.996  # top of a figure title above a _fixed_grid, figure fraction

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


def _in_interactive_session() -> bool:
    """True inside IPython/Jupyter (where figures should be managed by pyplot), or when
    the environment sets ``QINGZHOU_SIM_PYPLOT=1`` (the documentation's gallery does, so
    that its matplotlib scraper finds the figures)."""
    if os.environ.get("QINGZHOU_SIM_PYPLOT") == "1":
        return True
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _new_figure(**kwargs) -> Figure:
    """A constrained-layout Figure; through pyplot (so it displays) only in IPython."""
    kwargs.setdefault("layout", "constrained")
    if _in_interactive_session():
        import matplotlib.pyplot as plt

        return plt.figure(**kwargs)
    return Figure(**kwargs)


def _fixed_grid(figsize, nrows: int, ncols: int, **spacing):
    """A Figure without a layout engine and a GridSpec at fixed figure fractions
    (``left``, ``right``, ``bottom``, ``top``, ``wspace``, ``hspace``, ratios).

    For the figures ``MissionResult.save`` writes: their positions are the ones
    matplotlib's constrained layout chose for them (read off once, rounded), with room
    at the right edge for half a tick label (a tick at the end of an axis); constrained
    layout measures every tick label of every axis twice per drawing, ~40 % of drawing
    these figures (issue 16 item 3).
    """
    fig = _new_figure(figsize=figsize, layout=None)
    return fig, fig.add_gridspec(nrows, ncols, **spacing)


def _set_title(ax, text: str, **kwargs) -> None:
    """``ax.set_title`` at the top of the axes (and its pad), where matplotlib's automatic
    placement puts a title when no tick label is above the axes (none of these figures
    has any), without that placement's measuring every y tick label of the axes at each
    drawing (~5-15 % of drawing a figure; the pixels are the same)."""
    ax.set_title(text, y=1.0, **kwargs)


def _figure(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(figsize=figsize)
    return fig, fig.subplots()


def _kind(obj) -> str | None:
    """'mission', 'approach', 'trajectory', 'ephemeris' or None. The propagator package
    is imported only for an object that is none of the others: the figure process of
    ``qingzhou-sim run`` (plotting._files.start_writer) draws mission results without it."""
    from ..docking.result import ApproachResult
    from ..mission.result import Ephemeris, MissionResult

    for cls, name in (
        (MissionResult, "mission"),
        (ApproachResult, "approach"),
        (Ephemeris, "ephemeris"),
    ):
        if isinstance(obj, cls):
            return name
    from ..propagator.trajectory import Trajectory

    return "trajectory" if isinstance(obj, Trajectory) else None


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


def _phase_colours(names) -> dict[str, str]:
    spare = iter(_SPARE_COLOURS)
    return {n: _PHASE_COLOURS.get(n) or next(spare, "k") for n in names}
