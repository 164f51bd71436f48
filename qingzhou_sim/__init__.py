"""qingzhou_sim: orbital rendezvous simulation of a Qingzhou cargo spacecraft, from
Kinetica-2 insertion to berthing at the Tiangong space station.

The handful of names a newcomer needs are re-exported here; everything else lives in
its module (``qingzhou_sim.frames``, ``qingzhou_sim.propagator``, ...).
"""

from __future__ import annotations

# The library never touches the network: use the IERS tables bundled with
# astropy-iers-data and never try to download newer ones. Dates beyond the tables'
# predictions get a degraded-accuracy warning rather than an error.
from astropy.utils import iers as _iers

_iers.conf.auto_download = False
_iers.conf.auto_max_age = None
_iers.conf.iers_degraded_accuracy = "warn"

from .constants import EARTH, EarthModel  # noqa: E402
from .errors import (  # noqa: E402
    InfeasiblePlanError,
    InputError,
    PropagationError,
    QingzhouError,
)
from .state import Elements, State, StateBatch  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "EARTH",
    "EarthModel",
    "Elements",
    "InfeasiblePlanError",
    "InputError",
    "PropagationError",
    "QingzhouError",
    "State",
    "StateBatch",
    "__version__",
]
