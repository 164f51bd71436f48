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

from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from ..constants import as_array, as_quantity
from ..errors import InputError, UnknownNameError
from ._kernels import _in_cone, _in_ellipsoid

__all__ = [
    "ApproachCorridor",
    "ApproachEllipsoid",
    "KeepOutSphere",
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


def _positions_km(r_lvlh) -> np.ndarray:
    r = as_array(r_lvlh, u.km, "r_lvlh")
    if r.shape[-1:] != (3,):
        raise InputError(
            f"r_lvlh has shape {r.shape}; expected (..., 3)", name="r_lvlh", value=r.shape
        )
    return r


def _axis_vector(axis) -> np.ndarray:
    if isinstance(axis, str):
        if axis not in _AXES:
            raise UnknownNameError("corridor axis", axis, tuple(_AXES))
        return np.array(_AXES[axis])
    vec = np.asarray(axis, dtype=float)
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
