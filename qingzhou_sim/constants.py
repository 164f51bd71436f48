"""Earth model and unit helpers.

All values are the defaults of ``DESIGN.md``; each carries its source. Kernels use the
plain float constants (km, km/s, s, rad); the public layer uses :class:`EarthModel`, a
frozen dataclass whose fields can be overridden with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from .errors import InputError, OrbitRangeError

__all__ = [
    "EARTH",
    "EarthModel",
    "FLATTENING",
    "G0_M_S2",
    "J2",
    "J3",
    "J4",
    "MU_EARTH_KM3_S2",
    "OMEGA_EARTH_RAD_S",
    "R_EARTH_KM",
    "GEOCENTRIC_RANGE_KM",
    "as_array",
    "as_count",
    "as_quantity",
    "as_duration_s",
    "as_rv_km",
    "as_time",
    "check_finite",
    "check_geocentric",
]

# Earth's gravitational parameter incl. atmosphere, WGS-84 (NIMA TR8350.2, 3rd ed., 2000, Table 3.1).
MU_EARTH_KM3_S2 = 398600.4418
# Equatorial radius, WGS-84 defining parameter (NIMA TR8350.2, Table 3.1).
R_EARTH_KM = 6378.137
# Flattening, WGS-84 defining parameter 1/298.257223563 (NIMA TR8350.2, Table 3.1).
FLATTENING = 1.0 / 298.257223563
# Earth's angular velocity, WGS-84 (NIMA TR8350.2, Table 3.1), rad/s.
OMEGA_EARTH_RAD_S = 7.292115e-5
# Un-normalised zonal coefficients J_n = -C_n0 of EGM-96 (Lemoine et al. 1998, NASA/TP-1998-206861),
# as tabulated in Vallado, Fundamentals of Astrodynamics and Applications, 4th ed., Table D-1.
J2 = 1.08262668e-3
J3 = -2.53265649e-6
J4 = -1.61962159e-6
# Standard gravity for the rocket equation (CGPM 1901; ISO 80000-3).
G0_M_S2 = 9.80665


@dataclass(frozen=True, slots=True)
class EarthModel:
    """Earth constants used by the force models and frame conversions.

    Defaults: WGS-84 for mu, radius, flattening and rotation rate; EGM-96 for J2-J4.

    Examples
    --------
    >>> from dataclasses import replace
    >>> spherical = replace(EARTH, j2=0.0, j3=0.0, j4=0.0)
    >>> spherical.mu_km3_s2
    398600.4418
    """

    mu_km3_s2: float = MU_EARTH_KM3_S2
    radius_km: float = R_EARTH_KM
    j2: float = J2
    j3: float = J3
    j4: float = J4
    omega_rad_s: float = OMEGA_EARTH_RAD_S
    flattening: float = FLATTENING

    def __repr__(self) -> str:
        # the default prints by its name, so that signatures in help() stay one line
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        if all(v == self.__dataclass_fields__[f].default for f, v in values.items()):
            return "EARTH"
        return "EarthModel(" + ", ".join(f"{f}={v!r}" for f, v in values.items()) + ")"

    def __post_init__(self):
        for name in ("mu_km3_s2", "radius_km", "j2", "j3", "j4", "omega_rad_s", "flattening"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
                raise InputError(
                    f"EarthModel.{name} = {_short(value)} of type {type(value).__name__}; "
                    "expected a float",
                    name=name,
                    value=value,
                    valid="float",
                )
            if not math.isfinite(value):
                raise InputError(
                    f"EarthModel.{name} = {value!r} is not finite; expected a finite number",
                    name=name,
                    value=value,
                    valid="finite",
                )
            object.__setattr__(self, name, float(value))
        for name in ("mu_km3_s2", "radius_km", "omega_rad_s"):
            value = getattr(self, name)
            if not value > 0:
                raise InputError(
                    f"EarthModel.{name} = {value!r} must be a finite positive number",
                    name=name,
                    value=value,
                    valid="> 0",
                )
        for name in ("j2", "j3", "j4"):
            # |J_n| of a planet is far below 1 (the Earth's J2 is 1.08e-3); a zonal
            # expansion with |J_n| >= 1 is not a gravity field.
            if not abs(getattr(self, name)) < 1:
                raise InputError(
                    f"EarthModel.{name} = {getattr(self, name)!r}; expected |{name}| < 1",
                    name=name,
                    value=getattr(self, name),
                    valid="(-1, 1)",
                )
        if not 0 <= self.flattening < 1:
            raise InputError(
                f"EarthModel.flattening = {self.flattening!r}; expected 0 <= f < 1",
                name="flattening",
                value=self.flattening,
                valid="[0, 1)",
            )


EARTH = EarthModel()


def check_finite(values, name: str) -> np.ndarray:
    """Return ``values`` as a float64 array, raising :class:`InputError` on NaN or inf,
    on non-numbers (``None``, strings, ragged lists) and on complex numbers."""
    try:
        raw = np.asarray(values)
        if np.iscomplexobj(raw):
            raise TypeError("complex")
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(
            f"{name} = {_short(values)} of type {type(values).__name__} is not a real number "
            "or array of real numbers; expected finite floats",
            name=name,
            value=values,
            valid="finite real numbers",
        ) from None
    if not np.all(np.isfinite(arr)):
        raise InputError(
            f"{name} contains NaN or infinite values: {_short(arr)}; expected finite numbers",
            name=name,
            value=arr,
            valid="finite numbers",
        )
    return arr


def _short(value, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters, so that an error message stays one line."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_shape(q, shape, name: str):
    """``shape``: a tuple of sizes where ``None`` is any size; a leading ``...`` allows
    any number of leading (batch) axes."""
    want = tuple(shape)
    lead = bool(want) and want[0] is Ellipsis
    tail = want[1:] if lead else want
    got = np.shape(q)
    ok = (len(got) >= len(tail) if lead else len(got) == len(tail)) and all(
        w is None or g == w for g, w in zip(got[len(got) - len(tail) :], tail)
    )
    if not ok:
        text = (
            "("
            + ", ".join("n" if w is None else "..." if w is Ellipsis else str(w) for w in want)
            + (",)" if len(want) == 1 else ")")
        )
        raise InputError(
            f"{name} has shape {got}; expected {'a scalar' if want == () else text}",
            name=name,
            value=got,
            valid=f"shape {text}",
        )


def as_quantity(
    value, unit: u.UnitBase, name: str, *, shape=None, bare: bool = False
) -> u.Quantity:
    """Check that ``value`` is a finite Quantity convertible to ``unit``; return it in ``unit``.

    The one door of the public API: metres become kilometres, a wrong dimension
    (seconds given as a length) or a bare number is rejected with a message that names
    the parameter and the expected unit, so that ``altitude=400`` cannot silently mean
    metres in one place and km in another. A bare number is accepted only where
    ``unit`` is dimensionless. ``shape``: the expected shape (``()`` for a scalar,
    ``None`` for any size on an axis, a leading ``...`` for any batch axes). ``bare``:
    a bare number is taken in ``unit``; only for parameters whose name carries the unit
    (``r_km``, ``dv_m_s``), where a Quantity is still converted.

    Raises
    ------
    InputError
        No unit, a unit of another dimension, NaN or inf, not a real number, wrong shape.

    Examples
    --------
    >>> import astropy.units as u
    >>> as_quantity(400 * u.km, u.km, "altitude")
    <Quantity 400. km>
    >>> as_quantity(6778000 * u.m, u.km, "r")
    <Quantity 6778. km>
    """
    unit = u.Unit(unit)
    if not isinstance(value, u.Quantity):
        if unit != u.one and not bare:
            raise InputError(
                f"{name} = {_short(value)} has no unit; pass an astropy Quantity in "
                f"{_unit_text(unit)} (e.g. {name}=... * u.{unit.to_string().replace(' ', ' * u.')})",
                name=name,
                value=value,
                valid=f"Quantity convertible to {unit}",
            )
        value = check_finite(value, name) * unit
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN are rejected below
            q = value.to(unit)
    except (u.UnitsError, TypeError, ValueError):
        raise InputError(
            f"{name} = {_short(value)} has unit {value.unit}, which cannot be converted to "
            f"{_unit_text(unit)}",
            name=name,
            value=value,
            valid=f"Quantity convertible to {unit}",
        ) from None
    q = check_finite(q.value, name) * unit
    if shape is not None:
        _check_shape(q, shape, name)
    return q


def _unit_text(unit) -> str:
    kind = str(unit.physical_type)
    return str(unit) if kind in ("unknown", "dimensionless") else f"{unit} (a {kind})"


def as_array(value, unit: u.UnitBase, name: str, *, shape=None, bare: bool = False) -> np.ndarray:
    """``as_quantity(value, unit, name).value`` as float64: the one-way door into kernels."""
    return np.asarray(as_quantity(value, unit, name, shape=shape, bare=bare).value, dtype=float)


def as_rv_km(r, v, r_name: str = "r", v_name: str = "v") -> np.ndarray:
    """Position and velocity Quantities of the same shape (3,) or (n, 3) as one
    (..., 6) float64 array in km and km/s (the kernel form of a state).

    Raises
    ------
    InputError
        Either is not a length / speed Quantity, not finite, not (..., 3), or the
        shapes differ.
    """
    r_km = as_array(r, u.km, r_name, shape=(..., 3))
    v_km_s = as_array(v, u.km / u.s, v_name, shape=(..., 3))
    if r_km.shape != v_km_s.shape:
        raise InputError(
            f"{r_name} has shape {r_km.shape} and {v_name} has shape {v_km_s.shape}; "
            "expected the same shape, (3,) or (n, 3)",
            name=v_name,
            value=v_km_s.shape,
            valid=str(r_km.shape),
        )
    return np.concatenate([r_km, v_km_s], axis=-1)


# Range of a geocentric position (km): beyond ~100 Hill-sphere radii of the Earth
# (1.5e6 km) a geocentric position means nothing; below 1 km it is the geocentre.
GEOCENTRIC_RANGE_KM = (1.0, 1.0e8)


def check_geocentric(r_km: np.ndarray, name: str) -> np.ndarray:
    """``r_km`` (..., 3) with every |r| in :data:`GEOCENTRIC_RANGE_KM`, else OrbitRangeError."""
    low, high = GEOCENTRIC_RANGE_KM
    with np.errstate(over="ignore"):
        rn = np.sqrt(np.einsum("...i,...i->...", r_km, r_km))
    bad = ~((rn >= low) & (rn <= high))
    if np.any(bad):
        value = float(np.ravel(rn)[np.argmax(np.ravel(bad))])
        raise OrbitRangeError(
            f"|{name}| = {value:g} km is outside the range of a geocentric position; expected "
            f"{low:g} km <= |{name}| <= {high:g} km",
            name=name,
            value=value,
            valid=f"[{low:g}, {high:g}] km",
        )
    return r_km


def as_count(value, name: str, low: int = 1, high: int = 10_000) -> int:
    """An integer count in [low, high] (``True`` and ``2.5`` are not counts).

    Raises
    ------
    InputError
        Not an integer, or outside the bounds (which keep sizes finite up front).
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(
            f"{name} = {_short(value)} of type {type(value).__name__} is not an integer; "
            f"expected an integer from {low} to {high}",
            name=name,
            value=value,
            valid=f"integer in [{low}, {high}]",
        )
    if not low <= value <= high:
        raise InputError(
            f"{name} = {value}; expected an integer from {low} to {high}",
            name=name,
            value=int(value),
            valid=f"[{low}, {high}]",
        )
    return int(value)


def as_time(value, name: str = "epoch") -> Time:
    """Check an epoch: an astropy ``Time``, an aware ``datetime``, or an ISO string in UTC
    that says so (``...Z`` or ``...+00:00``).

    A naive ``datetime`` or an ISO string without a zone is rejected: its time scale
    would be a guess, and a wrong guess is a 69 s (TAI-UTC + 32.184 s) error.

    Raises
    ------
    InputError
        Not an epoch, no time zone, not a valid date (``"garbageZ"``, month 13), NaN.

    Examples
    --------
    >>> as_time("2026-01-01T00:00:00Z").isot
    '2026-01-01T00:00:00.000'
    """
    if isinstance(value, Time):
        jd1, jd2 = value.jd1, value.jd2
        if type(jd1) is float and type(jd2) is float:
            # one epoch (every propagation checks its epoch): NaN or inf in either part
            # makes the sum non-finite; half the time of the array test
            finite = math.isfinite(jd1 + jd2)
        else:
            finite = np.all(np.isfinite(np.asarray(jd1)) & np.isfinite(np.asarray(jd2)))
        if not finite:
            raise InputError(f"{name} contains NaN epochs", name=name, value=value)
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise InputError(
                f"{name} = {value!r} is a naive datetime without tzinfo; its time scale "
                "is ambiguous. Pass an astropy Time or a timezone-aware datetime",
                name=name,
                value=value,
                valid="astropy Time or aware datetime",
            )
        utc = value.astimezone(_dt.UTC).replace(tzinfo=None)
        return Time(utc, scale="utc")
    if isinstance(value, str):
        return _parse_utc(value, name)
    raise InputError(
        f"{name} = {_short(value)} of type {type(value).__name__} is not an epoch; pass an "
        "astropy Time or an ISO-8601 UTC string ending in 'Z'",
        name=name,
        value=value,
        valid="astropy Time",
    )


def _parse_utc(value: str, name: str) -> Time:
    text = value.strip()
    for suffix in ("Z", "+00:00"):
        if text.endswith(suffix):
            try:
                return Time(text[: -len(suffix)], format="isot", scale="utc")
            except (ValueError, TypeError, OverflowError):
                raise InputError(
                    f"{name} = {_short(value)} is not a valid ISO-8601 date and time; expected "
                    "e.g. '2026-05-01T12:00:00Z'",
                    name=name,
                    value=value,
                    valid="ISO-8601 UTC string ending in 'Z'",
                ) from None
    raise InputError(
        f"{name} = {_short(value)} has no time zone; write it as UTC with a 'Z' suffix "
        "(e.g. '2026-05-01T12:00:00Z') or pass an astropy Time",
        name=name,
        value=value,
        valid="ISO-8601 UTC string ending in 'Z', or astropy Time",
    )


def as_duration_s(value, name: str = "duration") -> float:
    """A scalar duration (``Quantity`` of time or ``TimeDelta``) in seconds, as a float.

    Raises
    ------
    InputError
        No unit, not a time, not a scalar, NaN or inf.
    """
    if isinstance(value, TimeDelta):
        if not value.isscalar:
            raise InputError(
                f"{name} has shape {value.shape}; expected a scalar", name=name, value=value.shape
            )
        seconds = float(value.to_value(u.s))
        if not math.isfinite(seconds):
            raise InputError(f"{name} = {seconds} s is not finite", name=name, value=seconds)
        return seconds
    return float(as_quantity(value, u.s, name, shape=()).value)
