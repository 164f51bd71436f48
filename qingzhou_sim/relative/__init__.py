"""Relative motion and proximity operations in the target's LVLH frame.

Clohessy-Wiltshire, Yamanaka-Ankersen and Schweighart-Sedwick state-transition
matrices (:mod:`.stm`), nonlinear truth from two absolute propagations (:mod:`.truth`),
two-impulse targeting, hops, forced straight-line motion, glideslopes and fly-arounds
(:mod:`.targeting`), and approach safety: keep-out sphere, approach ellipsoid,
corridor, passive safety, safety ellipses, collision avoidance (:mod:`.safety`).

LVLH follows Fehse (2003): x V-bar, y H-bar (-orbit normal), z R-bar (toward the
Earth); relative velocities are seen in the rotating frame. Kernels for other modules
(km, km/s, s, rad; no astropy) are re-exported here:

- ``_cw_stm(n_rad_s, t_s) -> (..., 6, 6)``
- ``_cw_stm_rsw(n_rad_s, t_s) -> (..., 6, 6)``
- ``_cw_propagate(n_rad_s, x0 (..., 6), t_s (m,)) -> (..., m, 6)``
- ``_cw_two_impulse(n_rad_s, x0 (6,), xf (6,), tof_s) -> (dv1 (3,), dv2 (3,))``
- ``_ya_stm(mu, a_km, ecc, nu0_rad, t_s) -> (..., 6, 6)``
- ``_ya_two_impulse(mu, a_km, ecc, nu0_rad, x0, xf, tof_s) -> (dv1, dv2)``
- ``_ss_stm(mu, r_ref_km, inc_rad, t_s, *, j2, r_earth)`` (pure SS STM) and
  ``_ss_j2_propagate(mu, j2, r_earth, target_rv, x0, t_s)`` (J2-aware propagation)
- numba-compiled fillers usable inside other ``@njit`` code:
  ``_kernels._cw_stm_fill(n, t (m,), out (m, 6, 6))`` and
  ``_kernels._cw_propagate_fill(n, x0 (k, 6), t (m,), out (k, m, 6))``
"""

from __future__ import annotations

from ._kernels import (
    _apply_stm,
    _cw_forced_acceleration,
    _cw_propagate,
    _cw_stm,
    _cw_stm_rsw,
    _cw_two_impulse,
    _radial_hop,
    _ss_j2_propagate,
    _ss_stm,
    _two_impulse_from_stm,
    _vbar_hop,
    _ya_stm,
    _ya_two_impulse,
)
from .safety import (
    APPROACH_ELLIPSOID_SEMI_AXES,
    CORRIDOR_HALF_ANGLE,
    KEEP_OUT_RADIUS,
    PASSIVE_SAFETY_HORIZON,
    ApproachCorridor,
    ApproachEllipsoid,
    CollisionAvoidanceResult,
    KeepOutSphere,
    PassiveSafetyReport,
    SafetyEllipse,
    collision_avoidance_burn,
    passive_safety,
    safety_ellipse,
)
from .stm import (
    MODELS,
    RelativeTrajectory,
    cw_stm,
    propagate_relative,
    relative_stm,
    ss_stm,
    ya_stm,
)
from .targeting import (
    ForcedMotionPlan,
    ManeuverPlan,
    fly_around,
    glideslope,
    radial_hop,
    straight_line,
    tangential_hop,
    two_impulse_transfer,
)
from .truth import relative_truth

__all__ = [
    "APPROACH_ELLIPSOID_SEMI_AXES",
    "CORRIDOR_HALF_ANGLE",
    "KEEP_OUT_RADIUS",
    "MODELS",
    "PASSIVE_SAFETY_HORIZON",
    "ApproachCorridor",
    "ApproachEllipsoid",
    "CollisionAvoidanceResult",
    "ForcedMotionPlan",
    "KeepOutSphere",
    "ManeuverPlan",
    "PassiveSafetyReport",
    "RelativeTrajectory",
    "SafetyEllipse",
    "collision_avoidance_burn",
    "cw_stm",
    "fly_around",
    "glideslope",
    "passive_safety",
    "propagate_relative",
    "radial_hop",
    "relative_stm",
    "relative_truth",
    "safety_ellipse",
    "ss_stm",
    "straight_line",
    "tangential_hop",
    "two_impulse_transfer",
    "ya_stm",
]

# kernels imported by other modules (docking, phasing, Monte Carlo)
_KERNELS = (
    _apply_stm,
    _cw_forced_acceleration,
    _cw_propagate,
    _cw_stm,
    _cw_stm_rsw,
    _cw_two_impulse,
    _radial_hop,
    _ss_j2_propagate,
    _ss_stm,
    _two_impulse_from_stm,
    _vbar_hop,
    _ya_stm,
    _ya_two_impulse,
)
