"""Force-model settings (frozen, plain data) and public helpers."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from ..constants import EARTH, EarthModel
from ..errors import InputError, UnknownNameError
from ._kernels import (
    GM_MOON_KM3_S2,
    GM_SUN_KM3_S2,
    N_PARAMS,
    P_ATM,
    P_DEGREE,
    P_DRAG,
    P_DRAG_K,
    P_FLAT,
    P_GM_MOON,
    P_GM_SUN,
    P_HP_LAG,
    P_HP_N,
    P_J2,
    P_J3,
    P_J4,
    P_JD0,
    P_MOON,
    P_MU,
    P_OMEGA,
    P_POLE_DX,
    P_POLE_DY,
    P_POLE_DZ,
    P_POLE_X,
    P_POLE_Y,
    P_POLE_Z,
    P_RE,
    P_SUN,
    _density_exponential,
    _density_harris_priester,
    _moon_position,
    _rhs,
    _sun_position,
)

__all__ = [
    "POLES",
    "Drag",
    "ExponentialAtmosphere",
    "ForceModel",
    "HarrisPriester",
    "PointMass",
    "ThirdBody",
    "ZonalGravity",
    "build_rhs",
    "density_kg_m3",
    "earth_pole_gcrs",
    "moon_position_km",
    "sun_position_km",
    "zonal_potential",
]


@dataclass(frozen=True, slots=True)
class ExponentialAtmosphere:
    """Piecewise exponential atmosphere, 0-1000 km, static (no solar or diurnal terms).

    References
    ----------
    Vallado, D. A. (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed.,
    Table 8-4 (after CIRA-72 and U.S. Standard Atmosphere 1976).
    """

    kind = "exponential"

    def to_dict(self) -> dict:
        return {"kind": self.kind}


@dataclass(frozen=True, slots=True)
class HarrisPriester:
    """Harris-Priester atmosphere for mean solar activity, with the diurnal bulge.

    Parameters
    ----------
    n : float
        Exponent of the cos^n(psi/2) bulge term: 2 for low-inclination orbits, up to 6
        for polar orbits (Montenbruck & Gill 2000, p. 91).
    lag_deg : float
        Lag of the bulge apex behind the Sun in right ascension, degrees (30 deg).

    References
    ----------
    Montenbruck, O. & Gill, E. (2000), *Satellite Orbits*, sec. 3.5.2, eq. 3.99-3.104 and
    Table 3.8; the Sun direction from their low-precision series (sec. 3.3.2).
    """

    n: float = 2.0
    lag_deg: float = 30.0
    kind = "harris-priester"

    def __post_init__(self):
        if not (math.isfinite(self.n) and 2.0 <= self.n <= 6.0):
            raise InputError(
                f"HarrisPriester n = {self.n!r}; expected 2 <= n <= 6",
                name="n",
                value=self.n,
                valid="[2, 6]",
            )
        if not math.isfinite(self.lag_deg):
            raise InputError(
                "HarrisPriester lag_deg must be finite", name="lag_deg", value=self.lag_deg
            )

    def to_dict(self) -> dict:
        return {"kind": self.kind, "n": self.n, "lag_deg": self.lag_deg}


_ATMOSPHERES = {"exponential": ExponentialAtmosphere, "harris-priester": HarrisPriester}


@dataclass(frozen=True, slots=True)
class PointMass:
    """Central point-mass gravity, a = -mu r / |r|^3 (Newton)."""

    kind = "point-mass"

    def to_dict(self) -> dict:
        return {"kind": self.kind}


@dataclass(frozen=True, slots=True)
class ZonalGravity:
    """Point mass plus zonal harmonics J2 .. J``max_degree`` of the Earth model.

    Parameters
    ----------
    max_degree : int
        2, 3 or 4. The coefficients come from the :class:`~qingzhou_sim.constants.EarthModel`
        of the :class:`ForceModel` (EGM-96 by default).

    References
    ----------
    Vallado (2013), eq. 8-19 (zonal potential); Montenbruck & Gill (2000), eq. 3.7.
    """

    max_degree: int = 4
    kind = "zonal"

    def __post_init__(self):
        if isinstance(self.max_degree, bool) or self.max_degree not in (2, 3, 4):
            raise InputError(
                f"ZonalGravity max_degree = {self.max_degree!r}; expected 2, 3 or 4",
                name="max_degree",
                value=self.max_degree,
                valid=(2, 3, 4),
            )

    def to_dict(self) -> dict:
        return {"kind": self.kind, "max_degree": self.max_degree}


@dataclass(frozen=True, slots=True)
class Drag:
    """Atmospheric drag, a = -1/2 rho (cd A / m) |v_rel| v_rel, atmosphere co-rotating.

    Parameters
    ----------
    cd : float
        Drag coefficient (2.2 is the conventional value for a compact spacecraft).
    area_m2 : float
        Drag (cross-section) area in m^2. Default 8.55 m^2: Qingzhou end-on, a 3.3 m
        diameter (``mission-facts.md`` sec. 6; the attitude is not published).
    mass_kg : float
        Spacecraft mass in kg (default 5000 kg, Qingzhou launch mass).
    atmosphere : ExponentialAtmosphere | HarrisPriester
    density_scale : float
        Multiplier of the model density (solar activity, model error; dispersions).

    References
    ----------
    Vallado (2013), eq. 8-28 (drag acceleration) and 8-29 (relative velocity);
    Montenbruck & Gill (2000), eq. 3.97.

    Examples
    --------
    >>> round(Drag(cd=2.2, area_m2=8.55, mass_kg=5000.0).ballistic_coefficient_kg_m2, 1)
    265.8
    """

    cd: float = 2.2
    area_m2: float = 8.55
    mass_kg: float = 5000.0
    atmosphere: ExponentialAtmosphere | HarrisPriester = field(
        default_factory=ExponentialAtmosphere
    )
    density_scale: float = 1.0

    def __post_init__(self):
        for name in ("cd", "area_m2", "mass_kg"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(
                    f"Drag {name} = {value!r}; expected a finite number > 0",
                    name=name,
                    value=value,
                    valid="> 0",
                )
        if not (math.isfinite(self.density_scale) and self.density_scale >= 0):
            raise InputError(
                f"Drag density_scale = {self.density_scale!r}; expected a finite number >= 0",
                name="density_scale",
                value=self.density_scale,
                valid=">= 0",
            )
        if not isinstance(self.atmosphere, ExponentialAtmosphere | HarrisPriester):
            raise InputError(
                f"Drag atmosphere {self.atmosphere!r} is not an atmosphere model; "
                "use ExponentialAtmosphere() or HarrisPriester()",
                name="atmosphere",
                value=self.atmosphere,
            )

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        """m / (cd A) in kg/m^2."""
        return self.mass_kg / (self.cd * self.area_m2)

    def to_dict(self) -> dict:
        return {
            "cd": self.cd,
            "area_m2": self.area_m2,
            "mass_kg": self.mass_kg,
            "density_scale": self.density_scale,
            "atmosphere": self.atmosphere.to_dict(),
        }


THIRD_BODIES = ("sun", "moon")


@dataclass(frozen=True, slots=True)
class ThirdBody:
    """Point-mass attraction of the Sun or the Moon, from a low-precision ephemeris.

    References
    ----------
    Montenbruck & Gill (2000), eq. 3.37 and sec. 3.3.2 (analytic Sun and Moon series).
    """

    body: str = "sun"

    def __post_init__(self):
        if self.body not in THIRD_BODIES:
            raise UnknownNameError("third body", self.body, THIRD_BODIES)


def _table(value, where: str) -> dict:
    """A copy of the mapping ``value``; anything else is an :class:`InputError`."""
    if not isinstance(value, Mapping):
        raise InputError(
            f"{where} = {value!r} of type {type(value).__name__}; expected a table "
            "(a mapping of setting names to values)",
            name=where,
            value=value,
            valid="table",
        )
    return dict(value)


def _settings(cls, values: dict, where: str):
    """``cls(**values)``, with unknown keys reported as an :class:`InputError`."""
    values = _table(values, where)
    valid = sorted(f.name for f in fields(cls))
    extra = sorted(set(values) - set(valid))
    if extra:
        raise InputError(
            f"unknown {where} key(s) {extra}; valid keys: {valid}",
            name=where,
            value=extra,
            valid=valid,
        )
    return cls(**values)


@dataclass(frozen=True, slots=True)
class ForceModel:
    """Declarative force-model settings: gravity, optional drag, optional third bodies.

    Parameters
    ----------
    gravity : PointMass | ZonalGravity
    drag : Drag or None
    third_bodies : tuple of ThirdBody
    earth : EarthModel
        mu, radius, J2-J4, rotation rate and flattening used by every term.
    pole : {"true", "gcrs-z"}
        Axis of the zonal field, the ellipsoid and the co-rotating atmosphere:
        ``"true"`` (default) the Earth's rotation axis of the epoch of t = 0
        (:func:`earth_pole_gcrs`, evaluated once per :meth:`build`, i.e. once per
        propagation); ``"gcrs-z"`` the GCRS z axis (the pole of J2000, ~0.15 deg
        from the true pole in 2026: about 44 m after a day of phasing), for
        comparisons with tools that put J2 about z.

    Examples
    --------
    >>> fm = ForceModel(gravity=ZonalGravity(max_degree=2), drag=None)
    >>> ForceModel.from_dict(fm.to_dict()) == fm
    True
    """

    gravity: PointMass | ZonalGravity = field(default_factory=ZonalGravity)
    drag: Drag | None = None
    third_bodies: tuple = ()
    earth: EarthModel = EARTH
    pole: str = "true"

    def __post_init__(self):
        if self.pole not in POLES:
            raise UnknownNameError("Earth pole", self.pole, POLES)
        if not isinstance(self.gravity, PointMass | ZonalGravity):
            raise InputError(
                f"gravity {self.gravity!r} is not a gravity model; use PointMass() or "
                "ZonalGravity(max_degree=...)",
                name="gravity",
                value=self.gravity,
            )
        if self.drag is not None and not isinstance(self.drag, Drag):
            raise InputError(
                f"drag {self.drag!r} is not a Drag or None", name="drag", value=self.drag
            )
        tb = tuple(self.third_bodies)
        for b in tb:
            if not isinstance(b, ThirdBody):
                raise InputError(
                    f"third body {b!r} is not a ThirdBody", name="third_bodies", value=b
                )
        if len({b.body for b in tb}) != len(tb):
            raise InputError("third_bodies lists a body twice", name="third_bodies", value=tb)
        object.__setattr__(self, "third_bodies", tb)

    @classmethod
    def two_body(cls, earth: EarthModel = EARTH) -> ForceModel:
        """Point-mass Earth only."""
        return cls(gravity=PointMass(), drag=None, earth=earth)

    @classmethod
    def default(cls) -> ForceModel:
        """J2-J4 plus drag of a Qingzhou-like spacecraft (5 t, 8.55 m^2, cd 2.2) in the
        Vallado exponential atmosphere."""
        return cls(gravity=ZonalGravity(max_degree=4), drag=Drag())

    @property
    def is_zonal_only(self) -> bool:
        """True when the field is conservative and axisymmetric (no drag, no third body)."""
        return self.drag is None and not self.third_bodies

    @property
    def needs_epoch(self) -> bool:
        """True when the right-hand side depends on the absolute epoch: Sun, Moon, bulge,
        or the Earth's true pole (zonal gravity or drag with ``pole="true"``)."""
        axis = isinstance(self.gravity, ZonalGravity) or self.drag is not None
        return self.needs_ephemerides or (self.pole == "true" and axis)

    @property
    def needs_ephemerides(self) -> bool:
        """True when the right-hand side needs the Sun or the Moon (third bodies or the
        Harris-Priester bulge): without an epoch there is no sensible default."""
        hp = self.drag is not None and isinstance(self.drag.atmosphere, HarrisPriester)
        return bool(self.third_bodies) or hp

    def to_dict(self) -> dict:
        """Plain data (str, float, int, dict, list) for TOML/JSON mission files."""
        return {
            "gravity": self.gravity.to_dict(),
            "drag": None if self.drag is None else self.drag.to_dict(),
            "third_bodies": [b.body for b in self.third_bodies],
            "earth": asdict(self.earth),
            "pole": self.pole,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ForceModel:
        """Inverse of :meth:`to_dict`; unknown keys raise :class:`InputError`."""
        data = _table(data, "force_model")
        known = {"gravity", "drag", "third_bodies", "earth", "pole"}
        extra = set(data) - known
        if extra:
            raise InputError(
                f"unknown force-model key(s) {sorted(extra)}; valid keys: {sorted(known)}",
                name="force_model",
                value=sorted(extra),
                valid=sorted(known),
            )
        g = _table(data.get("gravity", {"kind": "zonal", "max_degree": 4}), "gravity")
        kind = g.pop("kind", "zonal")
        if kind == "point-mass":
            gravity = _settings(PointMass, g, "gravity")
        elif kind == "zonal":
            gravity = _settings(ZonalGravity, g, "gravity")
        else:
            raise UnknownNameError("gravity model", kind, ("point-mass", "zonal"))
        drag = None
        if data.get("drag") is not None:
            d = _table(data["drag"], "drag")
            atm = _table(d.pop("atmosphere", {"kind": "exponential"}), "drag.atmosphere")
            akind = atm.pop("kind", "exponential")
            if not isinstance(akind, str) or akind not in _ATMOSPHERES:
                raise UnknownNameError("atmosphere model", akind, tuple(_ATMOSPHERES))
            d["atmosphere"] = _settings(_ATMOSPHERES[akind], atm, "drag.atmosphere")
            drag = _settings(Drag, d, "drag")
        bodies = data.get("third_bodies", ())
        if not isinstance(bodies, list | tuple):
            raise InputError(
                f"third_bodies = {bodies!r}; expected a list of names from {THIRD_BODIES}",
                name="third_bodies",
                value=bodies,
                valid=THIRD_BODIES,
            )
        tb = tuple(ThirdBody(b) for b in bodies)
        earth = _settings(EarthModel, data["earth"], "earth") if data.get("earth") else EARTH
        pole = data.get("pole", "true")
        return cls(gravity=gravity, drag=drag, third_bodies=tb, earth=earth, pole=pole)

    def build(self, jd_tt0: float | None = None) -> np.ndarray:
        """Parameter array ``p`` (float64, length ``N_PARAMS``) for :func:`_rhs`.

        Parameters
        ----------
        jd_tt0 : float, optional
            Julian date (TT) of t = 0 (one float is ample for the low-precision Sun
            and Moon series and for the pole). It sets the Earth's pole
            (``pole="true"``), the Sun, the Moon and the Harris-Priester bulge.
            Without it: J2000 for those, and the pole is the GCRS z axis.
        """
        pole, rate = (0.0, 0.0, 1.0), (0.0, 0.0, 0.0)
        if jd_tt0 is None:
            jd_tt0 = 2451545.0
        elif self.pole == "true":
            pole, rate = _pole_and_rate(float(jd_tt0))
        e = self.earth
        p = np.zeros(N_PARAMS)
        p[P_MU] = e.mu_km3_s2
        p[P_RE] = e.radius_km
        p[P_J2] = e.j2
        p[P_J3] = e.j3
        p[P_J4] = e.j4
        p[P_DEGREE] = self.gravity.max_degree if isinstance(self.gravity, ZonalGravity) else 0
        p[P_OMEGA] = e.omega_rad_s
        p[P_FLAT] = e.flattening
        if self.drag is not None:
            d = self.drag
            p[P_DRAG] = 1.0
            p[P_DRAG_K] = 0.5 * d.cd * d.area_m2 / d.mass_kg * d.density_scale * 1000.0
            if isinstance(d.atmosphere, HarrisPriester):
                p[P_ATM] = 2.0
                p[P_HP_N] = d.atmosphere.n
                p[P_HP_LAG] = math.radians(d.atmosphere.lag_deg)
            else:
                p[P_ATM] = 1.0
        bodies = {b.body for b in self.third_bodies}
        p[P_SUN] = 1.0 if "sun" in bodies else 0.0
        p[P_MOON] = 1.0 if "moon" in bodies else 0.0
        p[P_JD0] = jd_tt0
        p[P_GM_SUN] = GM_SUN_KM3_S2
        p[P_GM_MOON] = GM_MOON_KM3_S2
        p[P_POLE_X], p[P_POLE_Y], p[P_POLE_Z] = pole
        p[P_POLE_DX], p[P_POLE_DY], p[P_POLE_DZ] = rate
        return p


POLES = ("true", "gcrs-z")


@functools.lru_cache(maxsize=1024)
def _pole_of(jd_tt: float) -> tuple[float, float, float]:
    """CIP unit vector in GCRS at ``jd_tt`` (IAU 2006/2000A through ERFA's ``xys06a``,
    the routine astropy's GCRS <-> ITRS uses; IERS Conventions 2010, sec. 5.4.4:
    X and Y are the CIP's GCRS direction cosines)."""
    import erfa

    x, y, _ = erfa.xys06a(jd_tt, 0.0)
    return float(x), float(y), math.sqrt(1.0 - x * x - y * y)


@functools.lru_cache(maxsize=1024)
def _pole_and_rate(jd_tt: float):
    """The pole at jd_tt and its rate (1/s) by a central difference over +-3 h."""
    k0 = _pole_of(jd_tt)
    kp = _pole_of(jd_tt + 0.125)
    km = _pole_of(jd_tt - 0.125)
    return k0, tuple((a - b) / (0.25 * 86400.0) for a, b in zip(kp, km, strict=True))


def earth_pole_gcrs(epoch) -> np.ndarray:
    """Unit vector (3,) of the Earth's rotation axis in GCRS at ``epoch`` (a Time).

    The Celestial Intermediate Pole of IAU 2006/2000A precession-nutation, the z axis
    of the CIRS and TIRS; the ITRS z axis differs from it by polar motion (below
    0.5 arcsec, not modelled: 15 m at the Earth's surface, no measurable effect on
    J2 dynamics).

    References
    ----------
    Petit & Luzum (2010), IERS Conventions, Technical Note 36, sec. 5.4.4 and 5.5.4.

    Examples
    --------
    >>> from astropy.time import Time
    >>> k = earth_pole_gcrs(Time("2026-01-01", scale="utc"))
    >>> round(float(np.degrees(np.arccos(k[2]))), 2)  # precession since J2000
    0.15
    """
    return np.array(_pole_of(float(epoch.tt.jd)))


def build_rhs(force_model: ForceModel, jd_tt0: float | None = None):
    """The compiled right-hand side and its parameters: ``(rhs, p)`` with
    ``rhs(t_s, y, p) -> dy/dt`` (one numba function for every force model)."""
    return _rhs, force_model.build(jd_tt0)


# --------------------------------------------------------------------------- public helpers
def density_kg_m3(atmosphere, altitude_km, *, r_km=None, jd_tt: float = 2451545.0) -> np.ndarray:
    """Density of an atmosphere model (kg/m^3) at heights ``altitude_km`` (any shape).

    For :class:`HarrisPriester` the bulge needs the position ``r_km`` (..., 3) and the
    Julian date (TT); without ``r_km`` the night-side minimum direction is not known and
    the density midway between minimum and maximum is not what you want, so ``r_km``
    is required.

    Examples
    --------
    >>> float(density_kg_m3(ExponentialAtmosphere(), 400.0))  # Vallado (2013), Table 8-4
    3.725e-12
    """
    h = np.asarray(altitude_km, dtype=float)
    if isinstance(atmosphere, ExponentialAtmosphere):
        flat = h.ravel()
        out = np.array([_density_exponential(float(x)) for x in flat])
        return out.reshape(h.shape)
    if isinstance(atmosphere, HarrisPriester):
        if r_km is None:
            raise InputError(
                "Harris-Priester density needs r_km (the position) for the bulge", name="r_km"
            )
        r = np.broadcast_to(np.asarray(r_km, dtype=float), h.shape + (3,)).reshape(-1, 3)
        flat = h.ravel()
        lag = math.radians(atmosphere.lag_deg)
        out = np.array(
            [
                _density_harris_priester(
                    r[i, 0], r[i, 1], r[i, 2], flat[i], jd_tt, atmosphere.n, lag
                )
                for i in range(flat.size)
            ]
        )
        return out.reshape(h.shape)
    raise InputError(
        f"{atmosphere!r} is not an atmosphere model", name="atmosphere", value=atmosphere
    )


def sun_position_km(jd_tt: float) -> np.ndarray:
    """Low-precision geocentric Sun position (km, EME2000; Montenbruck & Gill 2000, sec. 3.3.2)."""
    return np.array(_sun_position(float(jd_tt)))


def moon_position_km(jd_tt: float) -> np.ndarray:
    """Low-precision geocentric Moon position (km, EME2000; Montenbruck & Gill 2000, sec. 3.3.2)."""
    return np.array(_moon_position(float(jd_tt)))


def zonal_potential(
    r_km, earth: EarthModel = EARTH, max_degree: int = 4, pole=(0.0, 0.0, 1.0)
) -> np.ndarray:
    r"""Gravitational potential U (km^2/s^2, positive convention) of the zonal field.

    :math:`U = \frac{\mu}{r}\left[1 - \sum_{n=2}^{N} J_n (R/r)^n P_n(\sin\phi)\right]`
    (Vallado 2013, eq. 8-19), latitude phi about ``pole`` (GCRS unit vector, e.g.
    :func:`earth_pole_gcrs`). ``max_degree = 0`` gives the point mass.
    """
    r = np.asarray(r_km, dtype=float)
    rn = np.sqrt(np.einsum("...i,...i->...", r, r))
    s = (r @ np.asarray(pole, dtype=float)) / rn
    q = earth.radius_km / rn
    legendre = {
        2: 1.5 * s**2 - 0.5,
        3: 2.5 * s**3 - 1.5 * s,
        4: (35.0 * s**4 - 30.0 * s**2 + 3.0) / 8.0,
    }
    jn = {2: earth.j2, 3: earth.j3, 4: earth.j4}
    total = np.ones_like(rn)
    for n in range(2, max_degree + 1):
        total = total - jn[n] * q**n * legendre[n]
    return earth.mu_km3_s2 / rn * total
