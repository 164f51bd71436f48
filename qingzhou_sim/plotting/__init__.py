"""Matplotlib figures of qingzhou_sim results, fit for a report.

Independent functions (``lvlh``, ``mission`` and ``campaign`` figures, re-exported
here): each takes result objects (a
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
(IPython or Jupyter, or with ``QINGZHOU_SIM_PYPLOT=1`` in the environment), so that a
notebook shows them without further incantation; in
scripts, tests and worker processes they are plain ``Figure`` objects, safe headless
and in parallel, that ``fig.savefig(path)`` writes.
"""

from ._common import _new_figure  # noqa: F401 (docking.plots builds its figures with it)
from .campaign import plot_contact_conditions, plot_delta_v_distributions, plot_success_vs_scale
from .lvlh import plot_lvlh
from .mission import (
    plot_altitude_phase,
    plot_delta_v_budget,
    plot_ground_track,
    plot_mission_approach,
    plot_range,
)

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
