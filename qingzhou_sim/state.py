r"""Spacecraft states in the inertial frame (GCRS) and classical orbital elements.

Kernels (``_rv_to_elements``, ``_elements_to_rv``) work on plain float64 arrays in km,
km/s and rad with a leading batch axis; :class:`State`, :class:`StateBatch` and
:class:`Elements` are the public, unit-carrying layer.

Angles that are undefined for circular or equatorial orbits follow Vallado (2013),
*Fundamentals of Astrodynamics and Applications*, 4th ed., Algorithm 9 (RV2COE):
for a circular orbit ``argp = 0`` and ``nu`` is the argument of latitude; for an
equatorial orbit ``raan = 0`` and ``argp`` is the longitude of periapsis; for a
circular equatorial orbit both are zero and ``nu`` is the true longitude. ``arglat``
(argument of latitude) and ``true_longitude`` are always defined.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import EARTH, EarthModel, as_array, as_time, check_finite, check_geocentric
from .errors import InputError, OrbitRangeError

__all__ = ["Elements", "State", "StateBatch"]

# Eccentricity / inclination below which the orbit is treated as circular / equatorial
# (the classical angle would be numerical noise). 1e-11 keeps round trips exact to
# well below a millimetre while e = 1e-10 orbits keep a meaningful perigee.
_ECC_CIRCULAR = 1e-11
_INC_EQUATORIAL = 1e-11  # rad


def _norm(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...i,...i->...", x, x))


def _rv_to_elements(mu: float, r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Classical elements of Cartesian states.

    Parameters
    ----------
    mu : float  (km^3/s^2)
    r, v : (..., 3) arrays in km and km/s

    Returns
    -------
    (..., 8) array: a [km], ecc, inc, raan, argp, nu, arglat, true_longitude [rad].

    References
    ----------
    Vallado (2013), Algorithm 9 (RV2COE), with the special cases of its eq. 2-86 to 2-92.
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    rn = _norm(r)
    vn2 = np.einsum("...i,...i->...", v, v)
    h = np.cross(r, v)
    hn = _norm(h)
    node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], axis=-1)  # k x h
    nn = _norm(node)
    rv = np.einsum("...i,...i->...", r, v)
    e_vec = ((vn2 - mu / rn)[..., None] * r - rv[..., None] * v) / mu
    ecc = _norm(e_vec)
    energy = 0.5 * vn2 - mu / rn
    # a from the energy (vis-viva); infinite only on an exact parabola (zero energy).
    # A test on ecc ~ 1 would also make a nearly rectilinear ellipse infinite.
    with np.errstate(divide="ignore"):
        a = np.where(energy != 0, -mu / (2.0 * np.where(energy != 0, energy, 1.0)), np.inf)
    inc = np.arccos(np.clip(h[..., 2] / hn, -1.0, 1.0))

    equatorial = (inc < _INC_EQUATORIAL) | (np.pi - inc < _INC_EQUATORIAL)
    circular = ecc < _ECC_CIRCULAR
    # Reference direction in the orbit plane from which arglat is measured: the
    # ascending node, or the x axis for equatorial orbits (then arglat = true longitude
    # measured in the sense of motion).
    safe_nn = np.where(equatorial, 1.0, nn)
    n_hat = np.where(equatorial[..., None], np.array([1.0, 0.0, 0.0]), node / safe_nn[..., None])
    h_hat = h / hn[..., None]
    m_hat = np.cross(h_hat, n_hat)  # 90 deg ahead of the reference in the sense of motion

    raan = np.where(equatorial, 0.0, np.arctan2(node[..., 1], node[..., 0]) % (2 * np.pi))
    arglat = np.arctan2(
        np.einsum("...i,...i->...", r, m_hat), np.einsum("...i,...i->...", r, n_hat)
    ) % (2 * np.pi)
    argp = np.where(
        circular,
        0.0,
        np.arctan2(
            np.einsum("...i,...i->...", e_vec, m_hat), np.einsum("...i,...i->...", e_vec, n_hat)
        )
        % (2 * np.pi),
    )
    nu = (arglat - argp) % (2 * np.pi)
    # True longitude: raan + arglat for prograde, raan - arglat for retrograde orbits
    # (Vallado eq. 2-92 measures it from the x axis in the equatorial plane).
    true_longitude = np.where(h[..., 2] >= 0, raan + arglat, raan - arglat) % (2 * np.pi)
    return np.stack([a, ecc, inc, raan, argp, nu, arglat, true_longitude], axis=-1)


def _elements_to_rv(
    mu: float,
    a: np.ndarray,
    ecc: np.ndarray,
    inc: np.ndarray,
    raan: np.ndarray,
    argp: np.ndarray,
    nu: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cartesian state of classical elements (closed orbits), broadcast over all inputs.

    References
    ----------
    Vallado (2013), Algorithm 10 (COE2RV), eqs. 2-94 to 2-97.
    """
    a, ecc, inc, raan, argp, nu = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (a, ecc, inc, raan, argp, nu))
    )
    p = a * (1.0 - ecc**2)
    cnu, snu = np.cos(nu), np.sin(nu)
    rmag = p / (1.0 + ecc * cnu)
    r_pqw = np.stack([rmag * cnu, rmag * snu, np.zeros_like(rmag)], axis=-1)
    sq = np.sqrt(mu / p)
    v_pqw = np.stack([-sq * snu, sq * (ecc + cnu), np.zeros_like(rmag)], axis=-1)
    cO, sO = np.cos(raan), np.sin(raan)
    cw, sw = np.cos(argp), np.sin(argp)
    ci, si = np.cos(inc), np.sin(inc)
    rot = np.empty(rmag.shape + (3, 3))
    rot[..., 0, 0] = cO * cw - sO * sw * ci
    rot[..., 0, 1] = -cO * sw - sO * cw * ci
    rot[..., 0, 2] = sO * si
    rot[..., 1, 0] = sO * cw + cO * sw * ci
    rot[..., 1, 1] = -sO * sw + cO * cw * ci
    rot[..., 1, 2] = -cO * si
    rot[..., 2, 0] = sw * si
    rot[..., 2, 1] = cw * si
    rot[..., 2, 2] = ci
    r = np.einsum("...ij,...j->...i", rot, r_pqw)
    v = np.einsum("...ij,...j->...i", rot, v_pqw)
    return r, v


def _check_closed_orbit_elements(a_km, ecc, earth: EarthModel, what="orbit") -> None:
    a_km = np.asarray(a_km, dtype=float)
    ecc = np.asarray(ecc, dtype=float)
    if np.any(ecc < 0) or np.any(ecc >= 1):
        bad = ecc[(ecc < 0) | (ecc >= 1)].ravel()[0]
        raise OrbitRangeError(
            f"{what} eccentricity {bad} is not a closed orbit; expected 0 <= ecc < 1",
            name="ecc",
            value=float(bad),
            valid="[0, 1)",
        )
    perigee_alt = a_km * (1 - ecc) - earth.radius_km
    if np.any(a_km <= 0) or np.any(perigee_alt <= 0):
        bad = perigee_alt.ravel()[np.argmin(perigee_alt.ravel())]
        raise OrbitRangeError(
            f"{what} perigee altitude {bad:.3f} km is below the surface; expected > 0 km",
            name="perigee_altitude",
            value=float(bad),
            valid="> 0 km",
        )


# A speed must stay below that of light (km/s).
_C_KM_S = 299792.458
_KM_S = u.km / u.s  # made once (a composite unit each time otherwise)


def _plain_vector(x) -> bool:
    return type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (3,)


def _check_vectors(r_km, v_km_s, *, batch: bool) -> tuple[np.ndarray, np.ndarray]:
    r = check_finite(r_km, "r")
    v = check_finite(v_km_s, "v")
    want = "(n, 3)" if batch else "(3,)"
    ok = (r.ndim == 2 and r.shape[1] == 3) if batch else r.shape == (3,)
    if not ok or r.shape != v.shape:
        raise InputError(
            f"r has shape {r.shape} and v has shape {v.shape}; expected both {want}",
            name="r, v",
            value=(r.shape, v.shape),
            valid=want,
        )
    check_geocentric(r, "r")
    vn = _norm(v)
    if np.any(vn >= _C_KM_S):
        bad = float(np.max(vn))
        raise OrbitRangeError(
            f"|v| = {bad:g} km/s is not below the speed of light; expected |v| < {_C_KM_S} km/s",
            name="v",
            value=bad,
            valid=f"< {_C_KM_S} km/s",
        )
    return r, v


@dataclass(frozen=True, slots=True)
class Elements:
    """Classical orbital elements (boinor names) plus the always-defined angles.

    ``arglat`` (argument of latitude, argp + nu) and ``true_longitude`` stay defined for
    circular and equatorial orbits, where ``argp`` or ``raan`` are set to zero by
    convention (Vallado 2013, Algorithm 9).
    """

    a: u.Quantity
    ecc: u.Quantity
    inc: u.Quantity
    raan: u.Quantity
    argp: u.Quantity
    nu: u.Quantity
    arglat: u.Quantity
    true_longitude: u.Quantity
    mean_motion: u.Quantity
    period: u.Quantity

    @classmethod
    def _from_array(cls, el: np.ndarray, mu: float) -> Elements:
        a = el[..., 0]
        # Open orbits never return: period inf; the mean motion of a hyperbola is
        # sqrt(mu / |a|^3) (Vallado 2013, eq. 2-109).
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            n = np.sqrt(mu / np.abs(a) ** 3)
            period = np.where(a > 0, 2 * np.pi / n, np.inf)
        return cls(
            a=a * u.km,
            ecc=el[..., 1] * u.one,
            inc=(el[..., 2] * u.rad).to(u.deg),
            raan=(el[..., 3] * u.rad).to(u.deg),
            argp=(el[..., 4] * u.rad).to(u.deg),
            nu=(el[..., 5] * u.rad).to(u.deg),
            arglat=(el[..., 6] * u.rad).to(u.deg),
            true_longitude=(el[..., 7] * u.rad).to(u.deg),
            mean_motion=n * u.rad / u.s,
            period=period * u.s,
        )

    def __str__(self) -> str:
        def f(q, unit, fmt):
            return np.array2string(np.atleast_1d(q.to_value(unit)), formatter={"float": fmt.format})

        return (
            f"a={f(self.a, u.km, '{:.3f}')} km e={f(self.ecc, u.one, '{:.6f}')} "
            f"i={f(self.inc, u.deg, '{:.4f}')} deg raan={f(self.raan, u.deg, '{:.4f}')} deg "
            f"argp={f(self.argp, u.deg, '{:.4f}')} deg nu={f(self.nu, u.deg, '{:.4f}')} deg "
            f"arglat={f(self.arglat, u.deg, '{:.4f}')} deg"
        )


class _StateMixin:
    """Derived quantities shared by :class:`State` and :class:`StateBatch`."""

    __slots__ = ()

    @property
    def r_km(self) -> np.ndarray:
        return self.r.to_value(u.km)

    @property
    def v_km_s(self) -> np.ndarray:
        # _KM_S: no unit conversion at all for the velocities from_vectors stores
        return self.v.to_value(_KM_S)

    @property
    def rv_km(self) -> np.ndarray:
        """Position and velocity stacked, (..., 6) in km and km/s: the kernel form."""
        return np.concatenate([self.r_km, self.v_km_s], axis=-1)

    def _el(self, mu: float) -> np.ndarray:
        # Rectilinear when |r x v| is negligible against a circular orbit's sqrt(mu |r|).
        h = _norm(np.cross(self.r_km, self.v_km_s))
        if np.any(h <= 1e-12 * np.sqrt(mu * _norm(self.r_km))):
            raise OrbitRangeError(
                "velocity is zero or parallel to the position (rectilinear motion); the "
                "orbital elements are undefined; expected a non-zero angular momentum r x v",
                name="v",
                value=float(np.min(h)),
                valid="|r x v| > 0",
            )
        return _rv_to_elements(mu, self.r_km, self.v_km_s)

    def elements(self, earth: EarthModel = EARTH) -> Elements:
        """Osculating classical elements (Vallado 2013, Algorithm 9)."""
        return Elements._from_array(self._el(earth.mu_km3_s2), earth.mu_km3_s2)

    @property
    def radius(self) -> u.Quantity:
        return _norm(self.r_km) * u.km

    @property
    def altitude(self) -> u.Quantity:
        """Altitude above the equatorial radius, |r| - R_eq (spherical; see
        :func:`qingzhou_sim.frames.gcrs_to_geodetic` for the geodetic altitude)."""
        return (_norm(self.r_km) - EARTH.radius_km) * u.km

    def _semi_latus_rectum_km(self) -> np.ndarray:
        h = _norm(np.cross(self.r_km, self.v_km_s))
        return h**2 / EARTH.mu_km3_s2

    @property
    def perigee_altitude(self) -> u.Quantity:
        """Perigee radius p / (1 + e) minus R_eq, valid for every conic."""
        ecc = self._el(EARTH.mu_km3_s2)[..., 1]
        return (self._semi_latus_rectum_km() / (1 + ecc) - EARTH.radius_km) * u.km

    @property
    def apogee_altitude(self) -> u.Quantity:
        """Apogee radius 2a - r_p minus R_eq (stable for nearly rectilinear ellipses);
        +inf for an open orbit (no apogee)."""
        el = self._el(EARTH.mu_km3_s2)
        a, ecc = el[..., 0], el[..., 1]
        rp = self._semi_latus_rectum_km() / (1 + ecc)
        closed = (ecc < 1) & (a > 0) & np.isfinite(a)
        ra = np.where(closed, 2 * np.where(closed, a, 0.0) - rp, np.inf)
        return (ra - EARTH.radius_km) * u.km

    @property
    def specific_energy(self) -> u.Quantity:
        r = _norm(self.r_km)
        v2 = np.einsum("...i,...i->...", self.v_km_s, self.v_km_s)
        return (0.5 * v2 - EARTH.mu_km3_s2 / r) * u.km**2 / u.s**2

    def _require_closed(self) -> np.ndarray:
        el = self._el(EARTH.mu_km3_s2)
        # Closed: ecc < 1 and negative energy (a > 0); near ecc = 1 round-off can give
        # one without the other.
        if np.any((el[..., 1] >= 1) | ~(el[..., 0] > 0) | ~np.isfinite(el[..., 0])):
            ecc = float(np.max(el[..., 1]))
            raise OrbitRangeError(
                f"orbit eccentricity {ecc:.6f} is not closed; a period needs ecc < 1",
                name="ecc",
                value=ecc,
                valid="[0, 1)",
            )
        return el

    @property
    def period(self) -> u.Quantity:
        a = self._require_closed()[..., 0]
        return 2 * np.pi * np.sqrt(a**3 / EARTH.mu_km3_s2) * u.s

    @property
    def mean_motion(self) -> u.Quantity:
        a = self._require_closed()[..., 0]
        return np.sqrt(EARTH.mu_km3_s2 / a**3) * u.rad / u.s


@dataclass(frozen=True, slots=True)
class State(_StateMixin):
    """Position and velocity of one body at one epoch, inertial (GCRS).

    Parameters
    ----------
    epoch : astropy.time.Time
        Scalar epoch.
    r : Quantity (3,)
        Position, any length unit (stored in km).
    v : Quantity (3,)
        Velocity, any speed unit (stored in km/s).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> s = State.from_elements(Time("2026-01-01T00:00:00", scale="utc"),
    ...                         a=6768.137 * u.km, ecc=0 * u.one, inc=41.5 * u.deg)
    >>> round(float(s.altitude.to_value(u.km)), 6)
    390.0
    """

    epoch: Time
    r: u.Quantity
    v: u.Quantity

    def __post_init__(self):
        epoch = as_time(self.epoch, "epoch")
        if not epoch.isscalar:
            raise InputError(
                f"State.epoch must be a scalar Time, got shape {epoch.shape}; "
                "use StateBatch for many epochs",
                name="epoch",
                value=epoch.shape,
            )
        r, v = _check_vectors(
            as_array(self.r, u.km, "r"), as_array(self.v, u.km / u.s, "v"), batch=False
        )
        object.__setattr__(self, "epoch", epoch)
        object.__setattr__(self, "r", r * u.km)
        object.__setattr__(self, "v", v * (u.km / u.s))

    @classmethod
    def from_vectors(cls, epoch: Time, r_km, v_km_s) -> State:
        """From plain arrays in km and km/s (the kernel form); Quantities are converted
        (metres become kilometres), other dimensions rejected."""
        if _plain_vector(r_km) and _plain_vector(v_km_s):
            # float64 (3,) arrays: the same checks in the same order without four unit
            # conversions (~0.15 ms; campaigns make several States per sample)
            r, v = check_finite(r_km, "r_km"), check_finite(v_km_s, "v_km_s")
            epoch = as_time(epoch, "epoch")
            if epoch.isscalar:
                r, v = _check_vectors(r, v, batch=False)
                state = object.__new__(cls)
                object.__setattr__(state, "epoch", epoch)
                object.__setattr__(state, "r", r * u.km)
                object.__setattr__(state, "v", v * _KM_S)
                return state
        return cls(
            epoch,
            as_array(r_km, u.km, "r_km", bare=True) * u.km,
            as_array(v_km_s, u.km / u.s, "v_km_s", bare=True) * (u.km / u.s),
        )

    @classmethod
    def from_elements(
        cls,
        epoch: Time,
        *,
        a: u.Quantity,
        ecc: u.Quantity = 0 * u.one,
        inc: u.Quantity = 0 * u.deg,
        raan: u.Quantity = 0 * u.deg,
        argp: u.Quantity = 0 * u.deg,
        nu: u.Quantity = 0 * u.deg,
        earth: EarthModel = EARTH,
    ) -> State:
        """From classical elements of a closed orbit (Vallado 2013, Algorithm 10).

        Raises
        ------
        OrbitRangeError
            If ``ecc`` is outside [0, 1) or the perigee is below the surface.
        """
        a_km = float(as_array(a, u.km, "a", shape=()))
        e = float(as_array(ecc, u.one, "ecc", shape=()))
        _check_closed_orbit_elements(a_km, e, earth)
        ang = [
            float(as_array(x, u.rad, n, shape=()))
            for x, n in ((inc, "inc"), (raan, "raan"), (argp, "argp"), (nu, "nu"))
        ]
        if not 0 <= ang[0] <= np.pi + 1e-15:
            raise InputError(
                f"inclination {np.rad2deg(ang[0]):.6f} deg is outside [0, 180] deg",
                name="inc",
                value=np.rad2deg(ang[0]),
                valid="[0, 180] deg",
            )
        r, v = _elements_to_rv(earth.mu_km3_s2, a_km, e, *ang)
        return cls.from_vectors(epoch, r, v)

    @classmethod
    def from_altitudes(
        cls,
        epoch: Time,
        *,
        perigee_altitude: u.Quantity,
        apogee_altitude: u.Quantity,
        inc: u.Quantity,
        raan: u.Quantity = 0 * u.deg,
        argp: u.Quantity = 0 * u.deg,
        nu: u.Quantity = 0 * u.deg,
        earth: EarthModel = EARTH,
    ) -> State:
        """From perigee and apogee altitudes above the equatorial radius.

        Raises
        ------
        OrbitRangeError
            If an altitude is not above the surface or the apogee is below the perigee.
        """
        hp = float(as_array(perigee_altitude, u.km, "perigee_altitude", shape=()))
        ha = float(as_array(apogee_altitude, u.km, "apogee_altitude", shape=()))
        if hp <= 0:
            raise OrbitRangeError(
                f"perigee altitude {hp} km is below the surface; expected > 0 km",
                name="perigee_altitude",
                value=hp,
                valid="> 0 km",
            )
        if ha < hp:
            raise OrbitRangeError(
                f"apogee altitude {ha} km is below the perigee altitude {hp} km; "
                "expected apogee >= perigee",
                name="apogee_altitude",
                value=ha,
                valid=f">= {hp} km",
            )
        rp, ra = hp + earth.radius_km, ha + earth.radius_km
        return cls.from_elements(
            epoch,
            a=0.5 * (rp + ra) * u.km,
            ecc=((ra - rp) / (ra + rp)) * u.one,
            inc=inc,
            raan=raan,
            argp=argp,
            nu=nu,
            earth=earth,
        )

    @classmethod
    def from_orbit(cls, orbit) -> State:
        """From a boinor ``Orbit`` around the Earth (its GCRS state and epoch)."""
        return cls(orbit.epoch, orbit.r, orbit.v)

    def to_orbit(self):
        """As a boinor ``Orbit`` around the Earth, for boinor's tools and plots."""
        from boinor.bodies import Earth
        from boinor.twobody import Orbit

        return Orbit.from_vectors(Earth, self.r, self.v, epoch=self.epoch)

    def __str__(self) -> str:
        r = np.array2string(self.r_km, precision=3, floatmode="fixed")
        v = np.array2string(self.v_km_s, precision=6, floatmode="fixed")
        return f"State at {self.epoch.utc.isot} UTC: r = {r} km, v = {v} km/s (GCRS)"


@dataclass(frozen=True, slots=True)
class StateBatch(_StateMixin):
    """Many states: ``r`` and ``v`` of shape (n, 3), at one epoch or at n epochs.

    The batch form is what vectorised kernels, Monte Carlo campaigns and trajectories
    use; ``batch[k]`` is the :class:`State` of sample ``k``.
    """

    epochs: Time
    r: u.Quantity
    v: u.Quantity

    def __post_init__(self):
        epochs = as_time(self.epochs, "epochs")
        r, v = _check_vectors(
            as_array(self.r, u.km, "r"), as_array(self.v, u.km / u.s, "v"), batch=True
        )
        if not epochs.isscalar and epochs.shape != (r.shape[0],):
            raise InputError(
                f"epochs has shape {epochs.shape} but there are {r.shape[0]} states; "
                "expected a scalar Time or one epoch per state",
                name="epochs",
                value=epochs.shape,
            )
        object.__setattr__(self, "epochs", epochs)
        object.__setattr__(self, "r", r * u.km)
        object.__setattr__(self, "v", v * (u.km / u.s))

    @classmethod
    def from_vectors(cls, epochs: Time, r_km, v_km_s) -> StateBatch:
        """From plain (n, 3) arrays in km and km/s; Quantities are converted."""
        return cls(
            epochs,
            as_array(r_km, u.km, "r_km", bare=True) * u.km,
            as_array(v_km_s, u.km / u.s, "v_km_s", bare=True) * (u.km / u.s),
        )

    @classmethod
    def from_states(cls, states) -> StateBatch:
        states = tuple(states)
        if not states:
            raise InputError("from_states needs at least one State", name="states", value=0)
        bad = [type(s).__name__ for s in states if not isinstance(s, State)]
        if bad:
            raise InputError(
                f"from_states got a {bad[0]}; expected State objects",
                name="states",
                value=bad[0],
                valid="State",
            )
        epochs = Time([s.epoch for s in states])
        return cls.from_vectors(
            epochs, np.stack([s.r_km for s in states]), np.stack([s.v_km_s for s in states])
        )

    def __len__(self) -> int:
        return self.r.shape[0]

    def __getitem__(self, index: int) -> State:
        epoch = self.epochs if self.epochs.isscalar else self.epochs[index]
        return State.from_vectors(epoch, self.r_km[index], self.v_km_s[index])

    def __iter__(self):
        return (self[k] for k in range(len(self)))

    def __str__(self) -> str:
        return f"StateBatch of {len(self)} states (GCRS)"
