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
from .result import Ephemeris, MissionResult, PhaseSummary, TimelineEvent

__all__ = [
    "Ephemeris",
    "Mission",
    "MissionResult",
    "PhaseSummary",
    "Perturbations",
    "StationOrbit",
    "TimelineEvent",
]
