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

# Every module with compiled (numba) functions. numba keys its disk cache on the
# calling file's own contents only, so a kernel that calls (links, inlines) one from
# another file would keep a stale copy of it after that file is edited: the cache
# folder is named by a hash of these sources, and editing one of them starts a fresh
# cache. tests/test_package.py checks that the list names every such module.
_CALLEE_SOURCES = (
    ("forces", "_kernels.py"),
    ("propagator", "_dop853.py"),
    ("propagator", "_ensemble.py"),
    ("propagator", "_kernels.py"),
    ("propagator", "_rkn.py"),
    ("propagator", "_rkn_ensemble.py"),
    ("propagator", "_stepsize.py"),
    ("propagator", "_variational.py"),
    ("relative", "_kernels.py"),
    ("docking", "_kernels.py"),
    ("docking", "_quat.py"),
    ("docking", "bodies.py"),
    ("docking", "contact.py"),
    ("docking", "control.py"),
    ("docking", "guidance.py"),
    ("docking", "loop.py"),
    ("docking", "navigation.py"),
    ("docking", "safety.py"),
    ("docking", "sensors.py"),
    ("docking", "thrusters.py"),
    ("phasing", "_fallback.py"),
    ("phasing", "_kernels.py"),
    ("phasing", "_newton.py"),
    ("phasing", "lambert.py"),
    ("phasing", "profiles.py"),
)


def _user_cache_dir() -> str:
    import hashlib

    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    digest = hashlib.sha1()
    here = _os.path.dirname(__file__)
    for parts in _CALLEE_SOURCES:
        path = _os.path.join(here, *parts)
        try:
            with open(path, "rb") as fh:
                digest.update(fh.read())
        except OSError:
            pass
    return _os.path.join(base, "qingzhou_sim", "numba", digest.hexdigest()[:12])


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
# predictions get a degraded-accuracy warning rather than an error. The settings go into
# astropy's configuration section of ``astropy.utils.iers.iers`` just before that module
# is first imported (its ``conf`` reads the section), so that neither astropy nor its
# IERS machinery is imported by ``import qingzhou_sim``: the first frame conversion
# pays for them.
_IERS = "astropy.utils.iers.iers"
_IERS_SETTINGS = {"auto_download": False, "auto_max_age": None, "iers_degraded_accuracy": "warn"}


class _ConfigureIersOnImport:
    """A meta-path hook that never finds a module: it applies the IERS settings when
    ``astropy.utils.iers.iers`` is about to be imported, then removes itself."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == _IERS:
            _configure_iers()
        return None


def _configure_iers() -> None:
    if _IERS in _sys.modules:
        conf = _sys.modules[_IERS].conf
        for key, value in _IERS_SETTINGS.items():
            setattr(conf, key, value)
    else:
        from astropy.config.configuration import get_config

        get_config(_IERS).update(_IERS_SETTINGS)
    _sys.meta_path[:] = [f for f in _sys.meta_path if f is not _ConfigureIersOnImport]


if "astropy" in _sys.modules:
    _configure_iers()
else:
    _sys.meta_path.insert(0, _ConfigureIersOnImport)

from .errors import (  # noqa: E402
    InfeasiblePlanError,
    InputError,
    MissionFileError,
    PropagationError,
    QingzhouError,
    UnknownNameError,
)

__version__ = "0.1.0"

# Every name but the errors loads on first use (astropy, numba kernels, the mission
# stack), so that ``import qingzhou_sim`` stays fast.
_LAZY = {
    "EARTH": "constants",
    "EarthModel": "constants",
    "Burn": "maneuvers",
    "Elements": "state",
    "State": "state",
    "StateBatch": "state",
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
