r"""Orbit propagation: compiled DOP853 with dense output, analytic Kepler, fixed-step RK4;
burns at exact epochs, events located on the dense output, batch propagation.

Layers
------
Kernels (:mod:`._kernels`, numba, ``cache=True``) integrate plain float64 states
``y = [r (km), v (km/s)]`` in seconds since the initial epoch; the whole integration of
an arc runs in one compiled call that returns the accepted steps and, for DOP853, the
coefficients of Hairer's 7th-order continuous extension. :class:`Propagator`,
:class:`Trajectory` and the event factories are the unit-carrying public layer.

Modules: ``_dop853``, ``_ensemble`` (batch) and ``_kernels`` (integrators),
``events``, ``trajectory``, ``core`` (Propagator, batch, diagnostics).

Examples
--------
>>> import astropy.units as u
>>> from astropy.time import Time
>>> from qingzhou_sim.state import State
>>> s = State.from_elements(Time("2026-01-01T00:00:00", scale="utc"),
...                         a=6768.137 * u.km, inc=41.47 * u.deg)
>>> traj = Propagator().propagate(s, 100 * u.min, events=[node_event("ascending")])
>>> traj.status, [e.name for e in traj.events]
('success', ['ascending node'])
"""

from ._dop853 import REENTRY_ALTITUDE_KM
from .core import (
    METHODS,
    BatchHistory,
    Propagator,
    propagate_batch,
    specific_energy,
    zonal_jacobi_integral,
)
from .events import Event, EventRecord, altitude_event, apsis_event, arglat_event, node_event
from .trajectory import Trajectory

__all__ = [
    "METHODS",
    "REENTRY_ALTITUDE_KM",
    "BatchHistory",
    "Event",
    "EventRecord",
    "Propagator",
    "Trajectory",
    "altitude_event",
    "apsis_event",
    "arglat_event",
    "node_event",
    "propagate_batch",
    "specific_energy",
    "zonal_jacobi_integral",
]
