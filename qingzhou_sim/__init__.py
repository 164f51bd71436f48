"""qingzhou_sim: orbital rendezvous simulation of a Qingzhou cargo spacecraft, from
Kinetica-2 insertion to berthing at the Tiangong space station.

The handful of names a newcomer needs are available here; everything else lives in
its module (``qingzhou_sim.frames``, ``qingzhou_sim.propagator``, ...).

Public names
------------
Mission, MissionResult
    A mission configuration (``Mission.default()``, ``Mission.from_toml(path)``) and
    what ``Mission.run()`` returns: timeline, delta-v budget, ephemerides, figures.
run_campaign, Dispersions
    Monte Carlo dispersion campaigns and their 1-sigma dispersions.
State, StateBatch, Elements
    Inertial (GCRS) states, batches of states, orbital elements.
Propagator, Trajectory, ForceModel
    Numerical propagation (compiled DOP853), its result, force-model settings.
Burn
    A dated, framed, labelled impulsive manoeuvre.
EARTH, EarthModel
    The Earth model (WGS-84 / EGM-96 constants); a custom one.
QingzhouError, InputError, InfeasiblePlanError, MissionFileError,
PropagationError, UnknownNameError
    The errors the library raises on purpose.

Modules: ``constants``, ``state``, ``frames``, ``forces``, ``propagator``,
``maneuvers``, ``relative``, ``vehicles``, ``launch``, ``phasing``, ``docking``,
``mission``, ``montecarlo``, ``plotting``, ``io``, ``errors``.

>>> import qingzhou_sim as qz
>>> qz.Mission.default().phasing_profile
'3-hour'
"""

from __future__ import annotations

import importlib
import os as _os
import sys as _sys


def _user_cache_dir() -> str:
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    return _os.path.join(base, "qingzhou_sim", "numba")


# numba's on-disk cache goes to a user cache folder, not next to the sources: cache files
# written into site-packages are not in pip's record, so an uninstall (e.g. `pip install .`
# followed by `pip install -e .`) left a `qingzhou_sim/` folder of them behind that
# shadowed the package. A NUMBA_CACHE_DIR set by the user wins.
if "NUMBA_CACHE_DIR" not in _os.environ:
    if "numba" in _sys.modules:
        from numba.core import config as _numba_config

        if not _numba_config.CACHE_DIR:
            _numba_config.CACHE_DIR = _user_cache_dir()
    else:
        _os.environ["NUMBA_CACHE_DIR"] = _user_cache_dir()

# The library never touches the network: use the IERS tables bundled with
# astropy-iers-data and never try to download newer ones. Dates beyond the tables'
# predictions get a degraded-accuracy warning rather than an error.
from astropy.utils import iers as _iers  # noqa: E402

_iers.conf.auto_download = False
_iers.conf.auto_max_age = None
_iers.conf.iers_degraded_accuracy = "warn"

from .constants import EARTH, EarthModel  # noqa: E402
from .errors import (  # noqa: E402
    InfeasiblePlanError,
    InputError,
    MissionFileError,
    PropagationError,
    QingzhouError,
    UnknownNameError,
)
from .maneuvers import Burn  # noqa: E402
from .state import Elements, State, StateBatch  # noqa: E402

__version__ = "0.1.0"

# Heavier names (numba kernels, the mission stack) load on first use so that
# ``import qingzhou_sim`` stays fast.
_LAZY = {
    "Mission": "mission",
    "MissionResult": "mission",
    "Propagator": "propagator",
    "Trajectory": "propagator",
    "ForceModel": "forces",
    "run_campaign": "montecarlo",
    "Dispersions": "montecarlo",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'qingzhou_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the lazy names are public too: list them for dir(), help() and tab completion
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "EARTH",
    "Burn",
    "Dispersions",
    "EarthModel",
    "Elements",
    "ForceModel",
    "InfeasiblePlanError",
    "InputError",
    "Mission",
    "MissionFileError",
    "MissionResult",
    "PropagationError",
    "Propagator",
    "QingzhouError",
    "State",
    "StateBatch",
    "Trajectory",
    "UnknownNameError",
    "__version__",
    "run_campaign",
]
