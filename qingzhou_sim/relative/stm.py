r"""Public state-transition matrices and linear relative propagation.

Three linear models of the chaser's motion in the target's LVLH frame:

- ``"CW"``: Clohessy-Wiltshire, circular target (Fehse 2003, eq. 3.25; RSW form in
  Vallado 2013, eq. 6-66);
- ``"YA"``: Yamanaka-Ankersen (2002), eccentric Keplerian target, reduces to CW at e = 0;
- ``"SS"``: Schweighart-Sedwick (2002), J2-linearised, for drift over many orbits.

STMs are plain ``(..., 6, 6)`` float64 arrays acting on ``[x, y, z, vx, vy, vz]`` in
km and km/s (time in s); the frame is LVLH unless ``frame="RSW"`` is asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import EARTH, EarthModel, as_array, as_rv_km
from ..errors import InputError, OrbitRangeError, UnknownNameError
from ._kernels import (
    _P6,
    _apply_stm,
    _cw_propagate,
    _cw_stm,
    _cw_stm_rsw,
    _ss_j2_at,
    _ss_j2_propagate,
    _ss_reference,
    _ss_stm,
    _ya_stm,
)

__all__ = [
    "MODELS",
    "RelativeTrajectory",
    "cw_stm",
    "propagate_relative",
    "relative_stm",
    "ss_stm",
    "ya_stm",
]

MODELS = ("CW", "YA", "SS")
_STM_FRAMES = ("LVLH", "RSW")


@dataclass(frozen=True, slots=True)
class RelativeTrajectory:
    """Chaser states relative to the target, sampled at times ``t_s``.

    Attributes
    ----------
    t_s : ndarray (m,)
        Seconds since ``epoch0`` (or since the initial state if ``epoch0`` is None).
    r, v : Quantity (..., m, 3)
        Relative position (km) and rotating-frame velocity (km/s).
    frame : str
        ``"LVLH"`` (target's LVLH) or ``"RSW"``.
    model : str
        ``"CW"``, ``"YA"``, ``"SS"`` or ``"truth"``.
    epoch0 : Time or None
        Epoch of ``t_s = 0``.
    """

    t_s: np.ndarray
    r: u.Quantity
    v: u.Quantity
    frame: str = "LVLH"
    model: str = "CW"
    epoch0: Time | None = None

    @property
    def r_km(self) -> np.ndarray:
        return self.r.to_value(u.km)

    @property
    def v_km_s(self) -> np.ndarray:
        return self.v.to_value(u.km / u.s)

    @property
    def rv_km(self) -> np.ndarray:
        """(..., m, 6) km, km/s."""
        return np.concatenate([self.r_km, self.v_km_s], axis=-1)

    @property
    def range(self) -> u.Quantity:
        """Distance to the target, (..., m)."""
        return np.linalg.norm(self.r_km, axis=-1) * u.km

    @property
    def epochs(self) -> Time:
        if self.epoch0 is None:
            raise InputError("this relative trajectory has no epoch0", name="epoch0")
        return self.epoch0 + self.t_s * u.s

    def __str__(self) -> str:
        rng = np.linalg.norm(self.r_km, axis=-1)
        return (
            f"RelativeTrajectory ({self.model}, {self.frame}): {self.t_s.size} samples over "
            f"{self.t_s[-1] - self.t_s[0]:.1f} s, range {rng.min() * 1e3:.1f} - "
            f"{rng.max() * 1e3:.1f} m"
        )


# ------------------------------------------------------------------ input helpers
# Linear relative motion: beyond 1e5 km (~15 Earth radii) from the target, 100 km/s or
# 1e7 s (~4 months) the linearisation means nothing; the bounds also keep products finite.
_MAX_REL_KM, _MAX_REL_KM_S, _MAX_REL_S = 1e5, 100.0, 1e7


def _bounded(values: np.ndarray, limit: float, name: str, unit: str) -> np.ndarray:
    """``values`` (floats or (..., 3) vectors) whose magnitudes are at most ``limit``."""
    values = np.asarray(values, dtype=float)
    size = np.abs(values) if values.ndim == 0 or values.shape[-1] != 3 else None
    if size is None:
        size = np.sqrt(np.einsum("...i,...i->...", values, values))
    if np.any(size > limit):
        raise InputError(
            f"{name} of {float(np.max(size)):g} {unit} is beyond the range of linear relative "
            f"motion; expected at most {limit:g} {unit}",
            name=name,
            value=float(np.max(size)),
            valid=f"<= {limit:g} {unit}",
        )
    return values


def _relative_rv(r, v, r_name: str = "r_lvlh", v_name: str = "v_lvlh") -> np.ndarray:
    """(..., 6) km, km/s of a relative state, within the range of linear relative motion."""
    x = as_rv_km(r, v, r_name, v_name)
    _bounded(x[..., :3], _MAX_REL_KM, r_name, "km")
    _bounded(x[..., 3:], _MAX_REL_KM_S, v_name, "km/s")
    return x


def _times_s(t, name: str = "t") -> np.ndarray:
    return _bounded(as_array(t, u.s, name), _MAX_REL_S, name, "s")


def _mean_motion_rad_s(mean_motion=None, target=None, earth: EarthModel = EARTH) -> float:
    """n in rad/s from an explicit Quantity or from the target's osculating semi-major
    axis (:math:`n = \\sqrt{\\mu/a^3}`)."""
    if mean_motion is not None:
        n = float(as_array(mean_motion, u.rad / u.s, "mean_motion", shape=()))
    elif target is not None:
        el = _target_elements(target, earth)
        n = math.sqrt(earth.mu_km3_s2 / el[0] ** 3)
    else:
        raise InputError(
            "give the target's mean motion (mean_motion=... * u.rad / u.s) "
            "or its State (target=...)",
            name="mean_motion",
        )
    if not n > 0:
        raise InputError(f"mean motion {n} rad/s must be > 0", name="mean_motion", value=n)
    return n


def _target_rv(target, earth: EarthModel = EARTH) -> np.ndarray:
    """Inertial (6,) km, km/s of a target given as a State or as osculating Elements."""
    from ..state import _elements_to_rv

    if hasattr(target, "rv_km"):
        rv = np.asarray(target.rv_km, dtype=float)
    elif all(hasattr(target, k) for k in ("a", "ecc", "inc", "raan", "argp", "nu")):
        el = [
            float(as_array(getattr(target, k), unit, k, shape=()))
            for k, unit in (
                ("a", u.km),
                ("ecc", u.one),
                ("inc", u.rad),
                ("raan", u.rad),
                ("argp", u.rad),
                ("nu", u.rad),
            )
        ]
        r, v = _elements_to_rv(earth.mu_km3_s2, *el)
        rv = np.concatenate([np.asarray(r, dtype=float), np.asarray(v, dtype=float)])
    else:
        raise InputError(
            f"target must be a State or Elements, got {type(target).__name__}", name="target"
        )
    if rv.shape != (6,):
        raise InputError(f"target must be a single state, got shape {rv.shape}", name="target")
    return rv


def _target_elements(target, earth: EarthModel = EARTH) -> np.ndarray:
    """Osculating elements ``[a, e, i, raan, argp, nu, arglat, true_lon]`` of a State
    (or of Elements)."""
    from ..state import _rv_to_elements

    rv = _target_rv(target, earth)
    el = _rv_to_elements(earth.mu_km3_s2, rv[:3], rv[3:])
    if not 0 <= el[1] < 1:
        raise OrbitRangeError(
            f"target eccentricity {el[1]:.6f} is not that of a closed orbit; expected 0 <= e < 1",
            name="target",
            value=el[1],
            valid="[0, 1)",
        )
    return el


# --------------------------------------------------------------------- public STMs
def cw_stm(mean_motion: u.Quantity, t: u.Quantity, frame: str = "LVLH") -> np.ndarray:
    r"""Clohessy-Wiltshire state-transition matrix, vectorised over ``t``.

    Parameters
    ----------
    mean_motion : Quantity
        Target mean motion (rad/s or 1/s).
    t : Quantity, any shape
        Times since the initial state.
    frame : {"LVLH", "RSW"}
        LVLH as in Fehse (x V-bar, y H-bar, z R-bar down) or RSW (radial, along-track,
        orbit normal).

    Returns
    -------
    ndarray (*t.shape, 6, 6)
        Acts on ``[r (km), v (km/s)]`` in ``frame``.

    References
    ----------
    Fehse (2003), eq. 3.25 (LVLH); Vallado (2013), sec. 6.8, eq. 6-66 and Curtis (2014),
    eq. 7.53 (RSW); Clohessy & Wiltshire (1960).

    Examples
    --------
    >>> import astropy.units as u
    >>> phi = cw_stm(1.1339e-3 * u.rad / u.s, [0, 600, 1200] * u.s)
    >>> phi.shape
    (3, 6, 6)
    """
    n = _mean_motion_rad_s(mean_motion)
    ts = _times_s(t)
    if frame == "LVLH":
        return _cw_stm(n, ts)
    if frame == "RSW":
        return _cw_stm_rsw(n, ts)
    raise UnknownNameError("relative frame", frame, _STM_FRAMES)


def ya_stm(target, t: u.Quantity, *, earth: EarthModel = EARTH, frame: str = "LVLH") -> np.ndarray:
    r"""Yamanaka-Ankersen state-transition matrix for an eccentric target orbit.

    Parameters
    ----------
    target : State or Elements
        Target at ``t = 0`` (its osculating Keplerian elements define the orbit).
    t : Quantity, any shape
        Times since the target's epoch.
    frame : {"LVLH", "RSW"}

    Returns
    -------
    ndarray (*t.shape, 6, 6)

    References
    ----------
    Yamanaka & Ankersen (2002), J. Guid. Control Dyn. 25(1), eqs. 81-84.
    """
    el = _target_elements(target, earth)
    phi = _ya_stm(earth.mu_km3_s2, el[0], el[1], el[5], _times_s(t))
    return _to_frame(phi, frame)


def ss_stm(target, t: u.Quantity, *, earth: EarthModel = EARTH, frame: str = "LVLH") -> np.ndarray:
    r"""Schweighart-Sedwick J2-linearised state-transition matrix.

    The reference orbit is circular, with the target's mean inclination and the mean
    radius :math:`r_{ref} = \bar a(1 - s)` (:math:`\bar a` the first-order mean
    semi-major axis from the target's exact J2 energy and polar angular momentum), which
    makes the model's frequencies :math:`nc`, :math:`k`, :math:`q` equal Brouwer's
    secular rates. This is the pure STM; :func:`propagate_relative` with
    ``model="SS"`` adds the secular drift and nodal regression fixed by both
    spacecraft's integrals (see :func:`~qingzhou_sim.relative._kernels._ss_j2_propagate`).

    References
    ----------
    Schweighart & Sedwick (2002), "High-fidelity linearized J2 model for satellite
    formation flight", J. Guid. Control Dyn. 25(6), eqs. 17-18, 26 and 41-42.
    """
    return _to_frame(_ss_stm_of(target, _times_s(t), earth), frame)


def _ss_stm_of(target, t_s, earth: EarthModel) -> np.ndarray:
    _target_elements(target, earth)
    mu, j2, re = earth.mu_km3_s2, earth.j2, earth.radius_km
    r_ref, inc, _ = _ss_reference(mu, j2, re, _target_rv(target, earth))
    return _ss_stm(mu, r_ref, inc, t_s, j2=j2, r_earth=re)


def _to_frame(phi: np.ndarray, frame: str) -> np.ndarray:
    if frame == "LVLH":
        return phi
    if frame == "RSW":
        return _P6.T @ phi @ _P6
    raise UnknownNameError("relative frame", frame, _STM_FRAMES)


def _model_stm(model: str, t_s: np.ndarray, *, n=None, target=None, earth=EARTH) -> np.ndarray:
    """LVLH STMs of a named model at times ``t_s`` (kernel units)."""
    _check_model(model)
    if model == "CW":
        return _cw_stm(n if n is not None else _mean_motion_rad_s(None, target, earth), t_s)
    if target is None:
        raise InputError(f"model {model!r} needs the target State (target=...)", name="target")
    el = _target_elements(target, earth)
    if model == "YA":
        return _ya_stm(earth.mu_km3_s2, el[0], el[1], el[5], t_s)
    if model == "SS":
        return _ss_stm_of(target, t_s, earth)
    raise UnknownNameError("relative-motion model", model, MODELS)


def _check_model(model) -> None:
    if not isinstance(model, str) or model not in MODELS:
        raise UnknownNameError("relative-motion model", model, MODELS)


class _FreeDrift:
    """Free drift of fixed initial LVLH states ``x0 (..., 6)`` under a named model:
    ``grid(t (m,)) -> (..., m, 6)`` and ``at(t (...)) -> (..., 6)``."""

    def __init__(self, model: str, x0: np.ndarray, *, n=None, target=None, earth=EARTH):
        if model not in MODELS:
            raise UnknownNameError("relative-motion model", model, MODELS)
        if model != "CW" and target is None:
            raise InputError(f"model {model!r} needs the target State (target=...)", name="target")
        self.model, self.x0, self.n, self.target, self.earth = model, x0, n, target, earth

    def grid(self, t_s: np.ndarray) -> np.ndarray:
        e = self.earth
        if self.model == "SS":
            rv = _target_rv(self.target, e)
            return _ss_j2_propagate(e.mu_km3_s2, e.j2, e.radius_km, rv, self.x0, t_s)
        if self.model == "CW" and self.n is not None:
            return _cw_propagate(self.n, self.x0, t_s)
        phi = _model_stm(self.model, t_s, n=self.n, target=self.target, earth=e)
        return _apply_stm(phi, self.x0)

    def at(self, t_s: np.ndarray) -> np.ndarray:
        e = self.earth
        if self.model == "SS":
            rv = _target_rv(self.target, e)
            return _ss_j2_at(e.mu_km3_s2, e.j2, e.radius_km, rv, self.x0, t_s)
        phi = _model_stm(self.model, t_s, n=self.n, target=self.target, earth=e)
        return np.einsum("...ij,...j->...i", phi, self.x0)


def relative_stm(
    model: str,
    t: u.Quantity,
    *,
    mean_motion: u.Quantity | None = None,
    target=None,
    earth: EarthModel = EARTH,
) -> np.ndarray:
    """LVLH STM of ``model`` in ``{"CW", "YA", "SS"}`` (CW needs ``mean_motion`` or
    ``target``; YA and SS need ``target``)."""
    n = None if mean_motion is None else _mean_motion_rad_s(mean_motion)
    return _model_stm(model, _times_s(t), n=n, target=target, earth=earth)


def propagate_relative(
    r_lvlh: u.Quantity,
    v_lvlh: u.Quantity,
    t: u.Quantity,
    *,
    model: str = "CW",
    mean_motion: u.Quantity | None = None,
    target=None,
    earth: EarthModel = EARTH,
) -> RelativeTrajectory:
    """Free drift of one or many LVLH relative states under a linear model.

    Parameters
    ----------
    r_lvlh, v_lvlh : Quantity (..., 3)
        Initial relative position and rotating-frame velocity in the target's LVLH.
    t : Quantity (m,)
        Times since the initial state.
    model : {"CW", "YA", "SS"}
        ``"SS"`` is the J2-aware model: the Schweighart-Sedwick STM about the target's
        mean orbit plus the secular along-track drift and differential nodal
        regression fixed by the exact J2 integrals of both spacecraft.
    mean_motion, target
        Target mean motion (CW) or target State at ``t = 0`` (all models).

    Returns
    -------
    RelativeTrajectory with ``r``, ``v`` of shape ``(..., m, 3)``.

    Examples
    --------
    >>> import astropy.units as u
    >>> tr = propagate_relative([-0.4, 0, 0] * u.km, [0, 0, 0] * u.m / u.s,
    ...                         [0, 3000] * u.s, mean_motion=1.1339e-3 * u.rad / u.s)
    >>> (tr.r_km[-1].round(6) + 0.0).tolist()  # + 0.0 turns a -0.0 into 0.0
    [-0.4, 0.0, 0.0]
    """
    x0 = _relative_rv(r_lvlh, v_lvlh)
    t_s = np.atleast_1d(_times_s(t))
    _check_model(model)
    n = None if mean_motion is None else _mean_motion_rad_s(mean_motion)
    if model == "CW" and n is None:
        n = _mean_motion_rad_s(None, target, earth)
    out = _FreeDrift(model, x0, n=n, target=target, earth=earth).grid(t_s)
    epoch0 = getattr(target, "epoch", None)
    return RelativeTrajectory(
        t_s, out[..., :3] * u.km, out[..., 3:] * (u.km / u.s), "LVLH", model, epoch0
    )


def _check_state6(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.shape != (6,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be a finite (6,) LVLH state", name=name, value=x)
    return arr


def _rel_state_km(r_lvlh, v_lvlh, name: str = "r_lvlh") -> np.ndarray:
    x = _relative_rv(r_lvlh, v_lvlh, name, name.replace("r_", "v_"))
    if x.shape != (6,):
        raise InputError(
            f"{name} has shape {x[..., :3].shape}; expected (3,)", name=name, value=x.shape
        )
    return x
