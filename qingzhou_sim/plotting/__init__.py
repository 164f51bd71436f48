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

import importlib

# The plot functions load with their module, and matplotlib with them, on first use
# (module __getattr__): a run that only saves data, or that hands its figures to a
# forked process (plotting._files.start_writer), never imports matplotlib (~0.5 s).
_MODULES = {
    "plot_contact_conditions": "campaign",
    "plot_delta_v_distributions": "campaign",
    "plot_success_vs_scale": "campaign",
    "plot_lvlh": "lvlh",
    "plot_altitude_phase": "mission",
    "plot_delta_v_budget": "mission",
    "plot_ground_track": "mission",
    "plot_mission_approach": "mission",
    "plot_range": "mission",
    "_new_figure": "_common",
}


def __getattr__(name: str):
    if name in _MODULES:
        value = getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
        globals()[name] = value  # later look-ups (and monkeypatching) see a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
