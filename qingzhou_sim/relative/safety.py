r"""Approach safety: keep-out sphere, approach ellipsoid, approach corridor, passive
safety of free drift, safety ellipses and collision-avoidance manoeuvres.

All positions are in the target's LVLH frame (x V-bar, y H-bar, z R-bar toward the
Earth). Default zone sizes are those of the ISS rules, the only published ones
(``../shared/reference/mission-facts.md`` sec. 4: keep-out sphere 200 m and approach
ellipsoid 4 x 2 x 2 km, sources SE-KOS and NASA-JSC); Tiangong's are unpublished, so
every size is a parameter.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, Cambridge
University Press, ch. 4 (approach safety and collision avoidance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from ..constants import (
    EARTH,
    EarthModel,
    as_array,
    as_duration_s,
    as_quantity,
    check_finite,
)
from ..errors import InputError, UnknownNameError
from ._kernels import _in_cone, _in_ellipsoid

__all__ = [
    "ApproachCorridor",
    "ApproachEllipsoid",
    "CollisionAvoidanceResult",
    "KeepOutSphere",
    "PassiveSafetyReport",
    "SafetyEllipse",
    "collision_avoidance_burn",
    "passive_safety",
    "safety_ellipse",
]

# ISS keep-out sphere radius (mission-facts.md sec. 4, SE-KOS / NASA-JSC).
KEEP_OUT_RADIUS = 200.0 * u.m
# ISS approach ellipsoid full axes 4 x 2 x 2 km (V-bar x R-bar x H-bar), so semi-axes
# 2 km V-bar, 1 km H-bar, 1 km R-bar (mission-facts.md sec. 4, SE-KOS / NASA-JSC).
APPROACH_ELLIPSOID_SEMI_AXES = (2.0, 1.0, 1.0) * u.km
# Final-approach corridor half-angle: unpublished, default 10 deg (mission-facts.md sec. 4).
CORRIDOR_HALF_ANGLE = 10.0 * u.deg
# Passive-safety horizon: unpublished, default 24 h (mission-facts.md sec. 4).
PASSIVE_SAFETY_HORIZON = 24.0 * u.h

_AXES = {
    "+V-bar": (1.0, 0.0, 0.0),
    "-V-bar": (-1.0, 0.0, 0.0),
    "+H-bar": (0.0, 1.0, 0.0),
    "-H-bar": (0.0, -1.0, 0.0),
    "+R-bar": (0.0, 0.0, 1.0),
    "-R-bar": (0.0, 0.0, -1.0),
}


# Samples of one drift grid: 2e6 (a 24 h horizon at 1/200 of an orbit is ~3,000).
_MAX_GRID_SAMPLES = 2_000_000
# Collision-avoidance search: magnitudes from 0.01 m/s to dv_max, at most 1 km/s (km/s).
_CAM_DV_MIN_KM_S, _CAM_DV_MAX_KM_S = 1e-5, 1.0


def _time_grid(horizon_s: float, step_s: float, step_name: str) -> np.ndarray:
    """Times 0, step, ..., horizon (s), bounded in size."""
    if not horizon_s > 0:
        raise InputError(
            f"horizon {horizon_s} s must be > 0", name="horizon", value=horizon_s, valid="> 0 s"
        )
    if not step_s > 0 or horizon_s / step_s > _MAX_GRID_SAMPLES:
        raise InputError(
            f"horizon {horizon_s:g} s with a step of {step_s:g} s needs "
            f"{horizon_s / step_s if step_s > 0 else math.inf:.3g} samples; expected a step > 0 "
            f"and at most {_MAX_GRID_SAMPLES:g} samples (lengthen the step or shorten the horizon)",
            name=step_name,
            value=step_s,
            valid=f"> {horizon_s / _MAX_GRID_SAMPLES:g} s",
        )
    return np.union1d(np.arange(0.0, horizon_s, step_s), [horizon_s])


def _positions_km(r_lvlh) -> np.ndarray:
    return as_array(r_lvlh, u.km, "r_lvlh", shape=(..., 3))


def _axis_vector(axis) -> np.ndarray:
    if isinstance(axis, str):
        if axis not in _AXES:
            raise UnknownNameError("corridor axis", axis, tuple(_AXES))
        return np.array(_AXES[axis])
    vec = check_finite(axis, "axis")
    norm = float(np.linalg.norm(vec)) if vec.shape == (3,) else 0.0
    if not (vec.shape == (3,) and np.isfinite(norm) and norm > 0):
        raise InputError(
            f"corridor axis {axis!r} must be a non-zero 3-vector in LVLH or one of {tuple(_AXES)}",
            name="axis",
            value=axis,
        )
    return vec / norm


@dataclass(frozen=True, slots=True)
class KeepOutSphere:
    """Sphere around the target that no free-flying chaser may enter unless cleared
    for the final approach (default 200 m, ISS rule; SE-KOS, NASA-JSC).

    Examples
    --------
    >>> import astropy.units as u
    >>> kos = KeepOutSphere()
    >>> kos.contains([[0.1, 0, 0], [0.3, 0, 0]] * u.km).tolist()
    [True, False]
    """

    radius: u.Quantity = KEEP_OUT_RADIUS

    def __post_init__(self):
        r = as_quantity(self.radius, u.m, "radius")
        if not r.isscalar or r.value <= 0:
            raise InputError(
                f"keep-out radius {r} must be a positive scalar length", name="radius", value=r
            )
        object.__setattr__(self, "radius", r)

    @property
    def radius_km(self) -> float:
        return float(self.radius.to_value(u.km))

    def contains(self, r_lvlh: u.Quantity) -> np.ndarray:
        """True where the LVLH positions ``(..., 3)`` are strictly inside the sphere."""
        r = _positions_km(r_lvlh)
        return np.einsum("...i,...i->...", r, r) < self.radius_km**2


@dataclass(frozen=True, slots=True)
class ApproachEllipsoid:
    """Axis-aligned ellipsoid centred on the target, semi-axes (V-bar, H-bar, R-bar).

    The default 2 x 1 x 1 km semi-axes are the ISS approach ellipsoid of 4 x 2 x 2 km
    full axes (SE-KOS, NASA-JSC).

    Examples
    --------
    >>> import astropy.units as u
    >>> ae = ApproachEllipsoid()
    >>> ae.contains([[-1.9, 0, 0], [0, 0, 1.1]] * u.km).tolist()
    [True, False]
    """

    semi_axes: u.Quantity = APPROACH_ELLIPSOID_SEMI_AXES

    def __post_init__(self):
        ax = as_quantity(self.semi_axes, u.km, "semi_axes", shape=(3,))
        if np.any(ax.value <= 0):
            raise InputError(
                f"ellipsoid semi-axes {ax} must be positive", name="semi_axes", value=ax
            )
        object.__setattr__(self, "semi_axes", ax)

    @property
    def semi_axes_km(self) -> np.ndarray:
        return self.semi_axes.to_value(u.km)

    def contains(self, r_lvlh: u.Quantity) -> np.ndarray:
        """True where the LVLH positions ``(..., 3)`` are strictly inside."""
        return _in_ellipsoid(_positions_km(r_lvlh), self.semi_axes_km)


@dataclass(frozen=True, slots=True)
class ApproachCorridor:
    """Cone with its apex at the docking port (here: the target's centre, or ``apex``)
    opening along ``axis``: the final approach must stay inside it.

    Parameters
    ----------
    axis : str or (3,) array
        Direction from the target toward the approaching chaser, in LVLH: one of
        ``"-V-bar"`` (from behind, aft port; default), ``"+V-bar"`` (forward port),
        ``"+R-bar"`` (from below, nadir port), ``"-R-bar"``, ``"+H-bar"``, ``"-H-bar"``,
        or any non-zero vector.
    half_angle : Quantity
        Cone half-angle (default 10 deg; unpublished for Tiangong, mission-facts.md sec. 4).
    apex : Quantity (3,)
        Apex position in LVLH (default the origin).

    Examples
    --------
    >>> import astropy.units as u
    >>> c = ApproachCorridor("-V-bar")
    >>> c.contains([[-0.1, 0.0, 0.01], [-0.1, 0.0, 0.05]] * u.km).tolist()
    [True, False]
    """

    axis: object = "-V-bar"
    half_angle: u.Quantity = CORRIDOR_HALF_ANGLE
    apex: u.Quantity = field(default_factory=lambda: np.zeros(3) * u.km)

    def __post_init__(self):
        ha = as_quantity(self.half_angle, u.deg, "half_angle")
        if not (ha.isscalar and 0 < ha.value < 90):
            raise InputError(
                f"corridor half-angle {ha} must be in (0, 90) deg", name="half_angle", value=ha
            )
        _axis_vector(self.axis)
        object.__setattr__(self, "half_angle", ha)
        object.__setattr__(self, "apex", as_quantity(self.apex, u.km, "apex", shape=(3,)))

    @property
    def axis_vector(self) -> np.ndarray:
        """Unit axis in LVLH, (3,)."""
        return _axis_vector(self.axis)

    def contains(self, r_lvlh: u.Quantity) -> np.ndarray:
        """True where the LVLH positions ``(..., 3)`` are inside the cone."""
        r = _positions_km(r_lvlh) - self.apex.to_value(u.km)
        return _in_cone(r, self.axis_vector, float(self.half_angle.to_value(u.rad)))


# --------------------------------------------------------------------- passive safety
def _rel_state_arrays(rel_state) -> np.ndarray:
    """(..., 6) km, km/s from a RelativeState / (r, v) pair of Quantities in LVLH."""
    frame = getattr(rel_state, "frame", "LVLH")
    if frame != "LVLH":
        raise InputError(
            f"relative state is in {frame!r}; passive safety works in 'LVLH' "
            "(convert with frames.rsw_to_lvlh)",
            name="rel_state",
            value=frame,
        )
    if not isinstance(rel_state, tuple | list) or len(rel_state) < 2:
        raise InputError(
            f"rel_state = {type(rel_state).__name__}; expected a frames.RelativeState or a "
            "(r_lvlh, v_lvlh) pair of Quantities",
            name="rel_state",
        )
    from .stm import _relative_rv

    return _relative_rv(rel_state[0], rel_state[1])


@dataclass(frozen=True, slots=True)
class PassiveSafetyReport:
    """Free-drift safety of relative states over a horizon.

    Attributes
    ----------
    min_range : Quantity (...)
        Closest approach to the target during the free drift.
    t_min : Quantity (...)
        Time of the closest approach after the initial state.
    enters_keep_out : ndarray of bool (...)
        Whether the drift enters the keep-out sphere.
    t_entry : Quantity (...)
        First time inside the keep-out sphere (``inf`` when it never enters).
    safe : ndarray of bool (...)
        ``~enters_keep_out``.
    horizon : Quantity
    keep_out_radius : Quantity
    model : str
        Dynamics used (``"CW"`` or ``"SS"``).
    """

    min_range: u.Quantity
    t_min: u.Quantity
    enters_keep_out: np.ndarray
    t_entry: u.Quantity
    safe: np.ndarray
    horizon: u.Quantity
    keep_out_radius: u.Quantity
    model: str

    def __str__(self) -> str:
        if np.ndim(self.safe) == 0:
            verdict = "SAFE" if bool(self.safe) else "UNSAFE (enters keep-out sphere)"
            return (
                f"Passive safety over {self.horizon.to(u.h):.1f} ({self.model}): {verdict}; "
                f"closest approach {self.min_range.to(u.m):.1f} at {self.t_min.to(u.min):.1f} "
                f"(keep-out radius {self.keep_out_radius.to(u.m):.0f})"
            )
        return (
            f"Passive safety over {self.horizon.to(u.h):.1f} ({self.model}): "
            f"{int(np.sum(self.safe))} of {np.size(self.safe)} states safe"
        )


def passive_safety(
    rel_state,
    mean_motion: u.Quantity | None = None,
    *,
    target=None,
    horizon: u.Quantity = PASSIVE_SAFETY_HORIZON,
    keep_out: KeepOutSphere | None = None,
    model: str = "CW",
    step: u.Quantity | None = None,
    earth: EarthModel = EARTH,
) -> PassiveSafetyReport:
    r"""Free-drift (no thrust) passive-safety check of one or many LVLH states.

    The drift is sampled every ``step`` (default 1/200 of an orbit) over ``horizon``
    (default 24 h, mission-facts.md sec. 4); the closest sample of each state is then
    refined by golden-section search on the analytic solution between its neighbours.
    A trajectory is passively safe when it never enters the keep-out sphere
    (Fehse 2003, sec. 4.2: trajectory safety under loss of thrust).

    Parameters
    ----------
    rel_state : RelativeState or (r_lvlh, v_lvlh)
        Chaser relative position and rotating-frame velocity, shapes ``(..., 3)``.
    mean_motion : Quantity, optional
        Target mean motion (CW); or give ``target``.
    target : State, optional
        Target state (needed for ``model="SS"``).
    model : {"CW", "SS"}
        Clohessy-Wiltshire, or the J2-aware Schweighart-Sedwick model with secular
        drift (needs ``target``); see :func:`~qingzhou_sim.relative.propagate_relative`.

    Returns
    -------
    PassiveSafetyReport

    Examples
    --------
    >>> import astropy.units as u
    >>> rep = passive_safety(([-0.4, 0, 0] * u.km, [0, 0, 0] * u.m / u.s),
    ...                      1.1339e-3 * u.rad / u.s)
    >>> bool(rep.safe)
    True
    """
    from .stm import _FreeDrift, _mean_motion_rad_s

    if model not in ("CW", "SS"):
        raise UnknownNameError("passive-safety model", model, ("CW", "SS"))
    keep_out = KeepOutSphere() if keep_out is None else keep_out
    x0 = _rel_state_arrays(rel_state)
    n = _mean_motion_rad_s(mean_motion, target, earth)
    hz = as_duration_s(horizon, "horizon")
    dt = (2.0 * math.pi / n) / 200.0 if step is None else as_duration_s(step, "step")
    t = _time_grid(hz, dt, "step")
    drift = _FreeDrift(model, x0, n=n, target=target, earth=earth)
    pos = drift.grid(t)[..., :3]
    rng = np.sqrt(np.einsum("...i,...i->...", pos, pos))
    del pos
    i = np.argmin(rng, axis=-1)
    # golden-section refinement of the closest approach in [t[i-1], t[i+1]]
    lo = t[np.maximum(i - 1, 0)]
    hi = t[np.minimum(i + 1, t.size - 1)]
    g = (math.sqrt(5.0) - 1.0) / 2.0

    def f(tt):
        p = drift.at(tt)[..., :3]
        return np.sqrt(np.einsum("...i,...i->...", p, p))

    for _ in range(40):
        c = hi - g * (hi - lo)
        d = lo + g * (hi - lo)
        left = f(c) < f(d)
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
    t_ref = 0.5 * (lo + hi)
    r_ref = f(t_ref)
    r_samp = np.take_along_axis(rng, i[..., None], axis=-1)[..., 0]
    better = r_ref < r_samp
    min_r = np.where(better, r_ref, r_samp)
    t_min = np.where(better, t_ref, t[i])
    rk = keep_out.radius_km
    inside = rng < rk
    enters = np.any(inside, axis=-1) | (min_r < rk)
    first = np.where(np.any(inside, axis=-1), t[np.argmax(inside, axis=-1)], t_min)
    t_entry = np.where(enters, first, np.inf)
    return PassiveSafetyReport(
        (min_r * u.km).to(u.m),
        t_min * u.s,
        enters,
        t_entry * u.s,
        ~enters,
        (hz * u.s).to(u.h),
        keep_out.radius,
        model,
    )


# --------------------------------------------------------------------- safety ellipse
@dataclass(frozen=True, slots=True)
class SafetyEllipse:
    r"""A drift-free CW relative orbit whose in-plane and out-of-plane motions are
    phased so that it never crosses the V-bar line:

    .. math::
        z = A\cos u,\quad x = x_c + 2A\sin u,\quad y = B\sin u,\quad u = nt + u_0,

    so the distance to V-bar, :math:`\sqrt{A^2\cos^2u + B^2\sin^2u}`, never drops
    below ``min(A, B)`` (e/i-vector separation; D'Amico & Montenbruck 2006, sec. 3;
    Fehse 2003, sec. 4.3).

    Attributes
    ----------
    r_lvlh, v_lvlh : Quantity (3,)
        State at ``u = u0`` (the initial state to fly).
    radial_amplitude, cross_track_amplitude : Quantity
    along_track_center : Quantity
    min_distance_to_vbar : Quantity
    mean_motion : Quantity
    """

    r_lvlh: u.Quantity
    v_lvlh: u.Quantity
    radial_amplitude: u.Quantity
    cross_track_amplitude: u.Quantity
    along_track_center: u.Quantity
    min_distance_to_vbar: u.Quantity
    mean_motion: u.Quantity

    @property
    def rel_state(self) -> tuple:
        return (self.r_lvlh, self.v_lvlh)


def safety_ellipse(
    radial_amplitude: u.Quantity,
    cross_track_amplitude: u.Quantity,
    *,
    along_track_center: u.Quantity = 0 * u.km,
    phase: u.Quantity = 0 * u.deg,
    mean_motion: u.Quantity | None = None,
    target=None,
    earth: EarthModel = EARTH,
) -> SafetyEllipse:
    """Design a passively safe drift-free relative ellipse (see :class:`SafetyEllipse`).

    Parameters
    ----------
    radial_amplitude : Quantity
        R-bar amplitude ``A`` (along-track semi-axis is ``2 A``).
    cross_track_amplitude : Quantity
        H-bar amplitude ``B``, in quadrature with the radial motion.
    along_track_center : Quantity
        V-bar centre of the ellipse.
    phase : Quantity
        Initial phase ``u0``.

    Examples
    --------
    >>> import astropy.units as u
    >>> se = safety_ellipse(0.3 * u.km, 0.3 * u.km, mean_motion=1.1339e-3 * u.rad / u.s)
    >>> round(float(se.min_distance_to_vbar.to_value(u.m)), 3)
    300.0
    """
    from .stm import _mean_motion_rad_s

    n = _mean_motion_rad_s(mean_motion, target, earth)
    a = float(as_array(radial_amplitude, u.km, "radial_amplitude", shape=()))
    b = float(as_array(cross_track_amplitude, u.km, "cross_track_amplitude", shape=()))
    if not (a > 0 and b > 0):
        raise InputError(
            f"safety ellipse amplitudes must be > 0 km; got radial {a} km, cross-track {b} km",
            name="radial_amplitude",
            value=(a, b),
        )
    xc = float(as_array(along_track_center, u.km, "along_track_center", shape=()))
    u0 = float(as_array(phase, u.rad, "phase", shape=()))
    s, c = math.sin(u0), math.cos(u0)
    r = np.array([xc + 2 * a * s, b * s, a * c])
    v = np.array([2 * a * n * c, b * n * c, -a * n * s])
    return SafetyEllipse(
        r * u.km,
        v * (u.km / u.s),
        a * u.km,
        b * u.km,
        xc * u.km,
        (min(a, b) * u.km).to(u.m),
        n * u.rad / u.s,
    )


# ----------------------------------------------------------------- collision avoidance
@dataclass(frozen=True, slots=True)
class CollisionAvoidanceResult:
    """A collision-avoidance manoeuvre (CAM) applied at the current state.

    Attributes
    ----------
    dv_lvlh : Quantity (3,)
        Delta-v in the target's LVLH (m/s).
    exit_time : Quantity
        When the chaser leaves the approach ellipsoid (0 if already outside).
    report : PassiveSafetyReport
        Passive safety of the post-burn drift.
    """

    dv_lvlh: u.Quantity
    exit_time: u.Quantity
    report: PassiveSafetyReport

    @property
    def dv_m_s(self) -> float:
        return float(np.linalg.norm(self.dv_lvlh.to_value(u.m / u.s)))

    def burn(self, epoch, label: str = "CAM"):
        """As a :class:`~qingzhou_sim.maneuvers.Burn` (frame ``"LVLH"``) at ``epoch``."""
        from ..maneuvers import Burn

        return Burn(epoch, self.dv_lvlh, "LVLH", label)

    def __str__(self) -> str:
        d = self.dv_lvlh.to_value(u.m / u.s)
        return (
            f"CAM dv = [{d[0]:+.4f}, {d[1]:+.4f}, {d[2]:+.4f}] m/s LVLH "
            f"(|dv| = {self.dv_m_s:.4f} m/s), leaves the approach ellipsoid after "
            f"{self.exit_time.to(u.min):.1f}; {self.report}"
        )


def _cam_directions() -> np.ndarray:
    ang = np.deg2rad(np.arange(0.0, 360.0, 15.0))
    dirs = []
    for tilt in np.deg2rad([0.0, 30.0, -30.0]):
        dirs.append(
            np.stack(
                [
                    np.cos(ang) * np.cos(tilt),
                    np.full_like(ang, np.sin(tilt)),
                    np.sin(ang) * np.cos(tilt),
                ],
                axis=-1,
            )
        )
    return np.concatenate(dirs)


def collision_avoidance_burn(
    rel_state,
    mean_motion: u.Quantity | None = None,
    *,
    target=None,
    ellipsoid: ApproachEllipsoid | None = None,
    keep_out: KeepOutSphere | None = None,
    horizon: u.Quantity = PASSIVE_SAFETY_HORIZON,
    exit_within: u.Quantity | None = None,
    dv_max: u.Quantity = 2.0 * u.m / u.s,
    model: str = "CW",
    earth: EarthModel = EARTH,
) -> CollisionAvoidanceResult:
    r"""Smallest impulsive CAM that leaves the approach ellipsoid and stays passively safe.

    Candidate burns (72 directions: 24 in the orbit plane, the same tilted +-30 deg out
    of plane; 48 magnitudes from 1 cm/s to ``dv_max``) are screened in one vectorised
    pass per magnitude. A burn is accepted when its free drift (``model``) leaves the
    ellipsoid within ``exit_within`` (default one orbit), does not re-enter it before
    ``horizon``, and never enters the keep-out sphere; among the accepted burns of the
    smallest magnitude the one with the largest closest approach wins. This is the
    uncrewed-visitor rule: fail-safe, or a CAM while free-flying (NASA-JSC; Fehse 2003,
    sec. 4.4).

    Raises
    ------
    InfeasiblePlanError
        If no burn up to ``dv_max`` satisfies the constraints.
    """
    from ..errors import InfeasiblePlanError
    from .stm import _FreeDrift, _mean_motion_rad_s

    if model not in ("CW", "SS"):
        raise UnknownNameError("collision-avoidance model", model, ("CW", "SS"))
    ellipsoid = ApproachEllipsoid() if ellipsoid is None else ellipsoid
    keep_out = KeepOutSphere() if keep_out is None else keep_out
    x0 = _rel_state_arrays(rel_state)
    if x0.shape != (6,):
        raise InputError("collision_avoidance_burn takes one relative state", name="rel_state")
    n = _mean_motion_rad_s(mean_motion, target, earth)
    period = 2.0 * math.pi / n
    hz = as_duration_s(horizon, "horizon")
    t_exit_max = period if exit_within is None else as_duration_s(exit_within, "exit_within")
    dvm = float(as_array(dv_max, u.km / u.s, "dv_max", shape=()))
    if not 0 < dvm <= _CAM_DV_MAX_KM_S:
        raise InputError(
            f"dv_max = {dvm * 1e3:g} m/s; expected 0 m/s < dv_max <= {_CAM_DV_MAX_KM_S * 1e3:g} m/s",
            name="dv_max",
            value=dvm * 1e3,
            valid=f"(0, {_CAM_DV_MAX_KM_S * 1e3:g}] m/s",
        )
    t = _time_grid(hz, period / 100.0, "mean_motion")
    dirs = _cam_directions()
    axes = ellipsoid.semi_axes_km
    for mag in np.geomspace(_CAM_DV_MIN_KM_S, dvm, 48):
        cand = np.repeat(x0[None, :], len(dirs), axis=0)
        cand[:, 3:] += mag * dirs
        pos = _FreeDrift(model, cand, n=n, target=target, earth=earth).grid(t)[..., :3]
        inside = _in_ellipsoid(pos, axes)
        rng = np.sqrt(np.einsum("kmi,kmi->km", pos, pos))
        # last sample inside the ellipsoid must come before exit_within
        any_in = np.any(inside, axis=-1)
        last_in = np.where(any_in, t.size - 1 - np.argmax(inside[:, ::-1], axis=-1), -1)
        exit_t = np.where(any_in, t[np.minimum(last_in + 1, t.size - 1)], 0.0)
        ok = (
            (exit_t <= t_exit_max)
            & (last_in < t.size - 1)
            & (rng.min(axis=-1) > keep_out.radius_km)
        )
        if np.any(ok):
            best = np.argmax(np.where(ok, rng.min(axis=-1), -np.inf))
            dv = mag * dirs[best]
            xb = cand[best]
            rep = passive_safety(
                (xb[:3] * u.km, xb[3:] * (u.km / u.s)),
                n * u.rad / u.s,
                target=target,
                horizon=horizon,
                keep_out=keep_out,
                model=model,
                earth=earth,
            )
            return CollisionAvoidanceResult(
                (dv * (u.km / u.s)).to(u.m / u.s), (exit_t[best] * u.s).to(u.min), rep
            )
    raise InfeasiblePlanError(
        f"no collision-avoidance burn up to {dvm * 1e3:.3f} m/s leaves the approach ellipsoid "
        f"within {t_exit_max:.0f} s and stays outside the keep-out sphere for {hz / 3600:.1f} h; "
        "raise dv_max or exit_within",
        name="dv_max",
        value=dvm * 1e3,
    )
