"""Relative motion and proximity operations in the target's LVLH frame.

Clohessy-Wiltshire, Yamanaka-Ankersen and Schweighart-Sedwick state-transition
matrices, nonlinear truth from two absolute propagations, two-impulse targeting,
hops, forced straight-line motion, glideslopes, fly-arounds, and approach safety
(keep-out sphere, approach ellipsoid, corridor, passive safety, collision avoidance).

LVLH follows Fehse (2003): x V-bar, y H-bar (-orbit normal), z R-bar (toward the
Earth). Kernels (``_cw_stm``, ``_cw_propagate``, ``_cw_two_impulse``, ...) live in
:mod:`qingzhou_sim.relative._kernels` and are re-exported here for other modules.
"""

from __future__ import annotations

from ._kernels import (
    _cw_propagate,
    _cw_stm,
    _cw_stm_rsw,
    _cw_two_impulse,
    _ss_stm,
    _ya_stm,
    _ya_two_impulse,
)
from .safety import (
    ApproachCorridor,
    ApproachEllipsoid,
    KeepOutSphere,
)

__all__ = [
    "ApproachCorridor",
    "ApproachEllipsoid",
    "KeepOutSphere",
]

_KERNELS = (_cw_propagate, _cw_stm, _cw_stm_rsw, _cw_two_impulse, _ss_stm, _ya_stm, _ya_two_impulse)
