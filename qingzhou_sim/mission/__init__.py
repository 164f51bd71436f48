r"""The mission timeline: Kinetica-2 liftoff -> insertion -> phasing -> approach ->
contact -> capture -> hard dock, in one call.

:class:`Mission` is frozen plain configuration (loadable from and savable to TOML);
:meth:`Mission.run` composes :mod:`~qingzhou_sim.launch`, :mod:`~qingzhou_sim.propagator`,
:mod:`~qingzhou_sim.phasing` and :mod:`~qingzhou_sim.docking` and returns a
:class:`MissionResult` with the ordered timeline, the delta-v and propellant budget,
the trajectories, a text summary and ``save()`` for JSON/CSV/OEM/PNG outputs.

Examples
--------
>>> import qingzhou_sim as qz
>>> mission = qz.Mission.default()
>>> mission.port, mission.phasing_profile
('aft', '3-hour')
"""

from .config import Mission, Perturbations, StationOrbit

# The result's names load on first use: the result module imports the docking package
# (its compiled kernels), which a mission's configuration and launch stage do not need
# (``qingzhou-sim run`` computes the launch stage in a second process meanwhile).
_RESULT_NAMES = ("Ephemeris", "MissionResult", "PhaseSummary", "TimelineEvent")


def __getattr__(name: str):
    if name in _RESULT_NAMES:
        from . import result

        return getattr(result, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Ephemeris",
    "Mission",
    "MissionResult",
    "PhaseSummary",
    "Perturbations",
    "StationOrbit",
    "TimelineEvent",
]
