r"""Launch sites, the station as a target, in-plane launch windows and Kinetica-2 insertion.

A rendezvous launch is "zero-window" (mission-facts sec. 2, CD-SZ8): the pad must lift
off when the Earth's rotation carries it through the station's orbital plane. This
module finds those instants and the state in which the launcher leaves the chaser.

* :class:`Target` — the station: from a :class:`~qingzhou_sim.state.State`, from
  classical elements, or from a real two-line element set (SGP4, TEME -> GCRS through
  astropy). :func:`nominal_tiangong` is the default reference orbit.
* :class:`LaunchSite` and :data:`SITES` — Jiuquan (default), Wenchang, Taiyuan, Xichang.
* :func:`launch_windows` — the pad's plane crossings over a span (site ITRS -> GCRS
  through astropy, the plane's node regressing at the J2 secular rate), with launch
  azimuth, ground-track direction, liftoff time and the station's phase angle at
  insertion.
* :func:`insertion_state` — the chaser's :class:`State` at insertion for a liftoff time.

Conventions
-----------
* The target plane is the **mean** plane: inclination fixed, right ascension of the
  ascending node regressing at the J2 secular rate (Vallado 2013, eq. 9-41) from the
  target's reference epoch. For a TLE, the mean inclination and node of the element set
  are rotated from TEME to GCRS; the station's *position* (for phase angles) comes from
  SGP4 itself.
* A :class:`Target` built from a ``State`` or elements is propagated with the J2
  secular rates of eq. 9-41, its elements being read as mean elements. That is exact
  for the nominal orbit (defined by its mean elements) and a few degrees per day of
  along-track drift for an osculating state; use a TLE for real-data phase angles.
* **Phase angle** at insertion: the angle, in the station's orbital plane and about
  its angular momentum, from the chaser (projected into that plane) to the station;
  positive when the station is ahead, reported in [0, 360) deg (the Soyuz/Fehse
  convention: a chaser below and behind catches up by this angle).
* **Azimuth**: the inertial launch azimuth from north, ``cos i = cos(lat) sin(beta)``
  (ORBITERWIKI-AZ; Vallado 2013, eq. 6-19 rearranged) with the pad's *geocentric*
  latitude (the plane contains the geocentre; the geodetic latitude would shift the
  azimuth by ~1 deg near the ground track's vertex at Jiuquan, so mission-facts'
  82.6/97.4 deg become 81.4/98.6 deg) and the plane's inclination over the Earth's
  true equator of date (its normal taken GCRS -> ITRS), and the value corrected for
  the Earth's rotation (the azimuth the rocket flies relative to the ground).
  "northbound" windows have the station's ground track heading north-east over the
  pad (ascending half of the orbit), "southbound" heading south-east.

References
----------
Vallado, D. A. (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed.,
sec. 6.4 (launch windows), eq. 9-41 (J2 secular rates), Algorithm 9/10 (elements).
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, sec. 2.2.
Vallado, D. A., Crawford, P., Hujsak, R., Kelso, T. S. (2006), "Revisiting Spacetrack
Report #3", AIAA 2006-6753 (SGP4 and the TEME frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from .constants import EARTH, EarthModel, as_array, as_duration_s, as_time
from .errors import InfeasiblePlanError, InputError, PropagationError, UnknownNameError
from .state import State, StateBatch, _elements_to_rv, _rv_to_elements
from .vehicles import KINETICA_2, QINGZHOU, LaunchVehicle

__all__ = [
    "LaunchSite",
    "LaunchWindow",
    "LaunchWindows",
    "SITES",
    "Target",
    "get_site",
    "insertion_state",
    "launch_windows",
    "nominal_tiangong",
    "validate_tle",
]

# Sampling step of the pad's plane distance before root refinement: the two crossings
# near Jiuquan are ~85 min apart, so 60 s brackets every root with wide margins.
_SAMPLE_STEP_S = 60.0
# Root-finding tolerance on the crossing time, s (the brief asks "well under 1 s").
_ROOT_XTOL_S = 1e-4


# --------------------------------------------------------------------------- kernels
def _plane_normal(inc: np.ndarray, raan: np.ndarray) -> np.ndarray:
    """Unit angular-momentum direction of an orbit plane, (..., 3) (Vallado eq. 2-86)."""
    inc, raan = np.broadcast_arrays(np.asarray(inc, float), np.asarray(raan, float))
    si = np.sin(inc)
    return np.stack([si * np.sin(raan), -si * np.cos(raan), np.cos(inc)], axis=-1)


def _secular_rates(
    mu: float, radius: float, j2: float, a: float, ecc: float, inc: float
) -> tuple[float, float, float]:
    """J2 secular rates (raan_dot, argp_dot, mean-anomaly dot), rad/s.

    References
    ----------
    Vallado (2013), eq. 9-41.
    """
    n = np.sqrt(mu / a**3)
    p = a * (1.0 - ecc**2)
    k = j2 * (radius / p) ** 2
    si2 = np.sin(inc) ** 2
    raan_dot = -1.5 * n * k * np.cos(inc)
    argp_dot = 0.75 * n * k * (4.0 - 5.0 * si2)
    m_dot = n * (1.0 + 0.75 * k * np.sqrt(1.0 - ecc**2) * (2.0 - 3.0 * si2))
    return float(raan_dot), float(argp_dot), float(m_dot)


def _kepler_nu(mean_anomaly: np.ndarray, ecc: float) -> np.ndarray:
    """True anomaly from mean anomaly (Newton on Kepler's equation, Vallado Alg. 2)."""
    m = np.asarray(mean_anomaly, float)
    e_anom = m + ecc * np.sin(m)
    for _ in range(8):
        e_anom = e_anom - (e_anom - ecc * np.sin(e_anom) - m) / (1.0 - ecc * np.cos(e_anom))
    return 2.0 * np.arctan2(
        np.sqrt(1 + ecc) * np.sin(e_anom / 2), np.sqrt(1 - ecc) * np.cos(e_anom / 2)
    )


def _mean_anomaly(nu: float, ecc: float) -> float:
    e_anom = 2.0 * np.arctan2(np.sqrt(1 - ecc) * np.sin(nu / 2), np.sqrt(1 + ecc) * np.cos(nu / 2))
    return float(e_anom - ecc * np.sin(e_anom))


def _inertial_azimuth(lat: float, inc: float, northbound: np.ndarray) -> np.ndarray:
    """Inertial launch azimuth from north, rad: sin(beta) = cos(i) / cos(lat).

    References
    ----------
    Vallado (2013), eq. 6-19; ORBITERWIKI-AZ.
    """
    beta = np.arcsin(np.clip(np.cos(inc) / np.cos(lat), -1.0, 1.0))
    return np.where(northbound, beta, np.pi - beta)


def _rotating_azimuth(beta: np.ndarray, v_orbit: float, v_site: float) -> np.ndarray:
    """Azimuth relative to the rotating Earth: subtract the pad's eastward speed from
    the inertial velocity at insertion (ORBITERWIKI-AZ, "rotating-Earth" correction)."""
    east = v_orbit * np.sin(beta) - v_site
    north = v_orbit * np.cos(beta)
    return np.arctan2(east, north) % (2 * np.pi)


def _insertion_rv(
    mu: float, r_site: np.ndarray, h_hat: np.ndarray, downrange: float, rp: float, ra: float
) -> tuple[np.ndarray, np.ndarray]:
    """Chaser at the perigee of an (rp, ra) orbit in the plane ``h_hat``, ``downrange``
    rad ahead of the pad's projection into that plane. (..., 3) km and km/s."""
    p = r_site - np.einsum("...i,...i->...", r_site, h_hat)[..., None] * h_hat
    p_hat = p / np.linalg.norm(p, axis=-1, keepdims=True)
    r_hat = p_hat * np.cos(downrange) + np.cross(h_hat, p_hat) * np.sin(downrange)
    a = 0.5 * (rp + ra)
    vp = np.sqrt(mu * (2.0 / rp - 1.0 / a))
    return rp * r_hat, vp * np.cross(h_hat, r_hat)


def _phase_angle(r_chaser: np.ndarray, r_target: np.ndarray, h_target: np.ndarray) -> np.ndarray:
    """Angle from the chaser to the target about the target's angular momentum, in the
    target plane, rad in [0, 2 pi)."""
    h_hat = h_target / np.linalg.norm(h_target, axis=-1, keepdims=True)
    c = r_chaser - np.einsum("...i,...i->...", r_chaser, h_hat)[..., None] * h_hat
    sin_ = np.einsum("...i,...i->...", np.cross(c, r_target), h_hat)
    cos_ = np.einsum("...i,...i->...", c, r_target)
    return np.arctan2(sin_, cos_) % (2 * np.pi)


# ------------------------------------------------------------------------ TLE input
def _tle_checksum(line: str) -> int:
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def validate_tle(line1: str, line2: str) -> tuple[str, str]:
    """Check a two-line element set and return its two lines without trailing blanks.

    Checks, each with an error naming the line: exactly 69 characters, the line number
    ('1' or '2' followed by a blank), the modulo-10 checksum in column 69, and the same
    catalog number on both lines.

    Raises
    ------
    InputError
        On the first failed check.

    References
    ----------
    CelesTrak, "NORAD Two-Line Element Set Format" (T. S. Kelso); Vallado et al. (2006).

    Examples
    --------
    >>> l1 = "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993"
    >>> l2 = "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304"
    >>> validate_tle(l1, l2)[1][:7]
    '2 48274'
    """
    lines = []
    for k, line in ((1, line1), (2, line2)):
        if not isinstance(line, str):
            raise InputError(
                f"TLE line {k} is {type(line).__name__}, not a string",
                name=f"TLE line {k}",
                value=line,
                valid="a 69-character string",
            )
        text = line.rstrip("\r\n ")
        if len(text) != 69:
            raise InputError(
                f"TLE line {k} has {len(text)} characters; expected 69: {text!r}",
                name=f"TLE line {k}",
                value=text,
                valid="69 characters",
            )
        if text[0] != str(k) or text[1] != " ":
            raise InputError(
                f"TLE line {k} starts with {text[:2]!r}; expected '{k} ' (line number {k})",
                name=f"TLE line {k}",
                value=text,
                valid=f"starts with '{k} '",
            )
        if not text[68].isdigit() or _tle_checksum(text) != int(text[68]):
            raise InputError(
                f"TLE line {k} fails its checksum: column 69 is {text[68]!r}, the modulo-10 "
                f"sum of columns 1-68 is {_tle_checksum(text)}",
                name=f"TLE line {k}",
                value=text,
                valid=f"checksum digit {_tle_checksum(text)}",
            )
        lines.append(text)
    if lines[0][2:7] != lines[1][2:7]:
        raise InputError(
            f"TLE line 1 catalog number {lines[0][2:7]!r} differs from line 2 catalog "
            f"number {lines[1][2:7]!r}; expected the same object on both lines",
            name="TLE line 2",
            value=lines[1],
            valid=f"catalog number {lines[0][2:7]}",
        )
    return lines[0], lines[1]


def _teme_to_gcrs(epochs: Time, r_km: np.ndarray, v_km_s: np.ndarray):
    from astropy.coordinates import GCRS, TEME, CartesianDifferential, CartesianRepresentation

    rep = CartesianRepresentation(np.moveaxis(r_km, -1, 0) * u.km).with_differentials(
        CartesianDifferential(np.moveaxis(v_km_s, -1, 0) * (u.km / u.s))
    )
    out = TEME(rep, obstime=epochs).transform_to(GCRS(obstime=epochs)).cartesian
    r = np.moveaxis(out.xyz.to_value(u.km), 0, -1)
    v = np.moveaxis(out.differentials["s"].d_xyz.to_value(u.km / u.s), 0, -1)
    return r, v


def _teme_gcrs_matrix(epochs: Time) -> np.ndarray:
    """Rotation matrices TEME -> GCRS at ``epochs``, (..., 3, 3): ``r_gcrs = M @ r_teme``.

    Columns are the TEME axes expressed in GCRS (astropy's TEME frame; a pure rotation
    about the geocentre, so unit axes transformed as positions give the matrix).
    """
    from astropy.coordinates import GCRS, TEME, CartesianRepresentation

    shape = tuple(epochs.shape)
    cols = []
    for k in range(3):
        e = np.zeros(shape + (3,))
        e[..., k] = 1e4  # km; scale is irrelevant for a rotation
        rep = CartesianRepresentation(np.moveaxis(e, -1, 0) * u.km)
        out = TEME(rep, obstime=epochs).transform_to(GCRS(obstime=epochs)).cartesian
        cols.append(np.moveaxis(out.xyz.to_value(u.km), 0, -1) / 1e4)
    return np.stack(cols, axis=-1)


# ------------------------------------------------------------------------ the target
@dataclass(frozen=True, slots=True)
class Target:
    """The station as a launch target: a mean orbit plane and a way to find the station.

    Build it with :meth:`from_state`, :meth:`from_elements`, :meth:`from_tle`,
    :meth:`from_tle_file` or :func:`nominal_tiangong`; do not call the constructor.

    Attributes
    ----------
    name : str
    epoch : Time
        Reference epoch of the elements (the TLE epoch for a TLE).
    mean_elements : tuple of 6 floats
        a [km], ecc, inc, raan, argp, mean anomaly [rad] at ``epoch``, over the Earth's
        true equator and the mean equinox of date (TEME, the frame of SGP4): J2 turns
        the node about the Earth's actual pole, which 25 years of precession have tilted
        ~0.15 deg from the GCRS pole (regressing about the GCRS pole would put the plane
        ~0.2 deg off after two weeks). Elements and states given in GCRS are rotated
        into this frame at ``epoch``; results are rotated back to GCRS at each epoch.
        For a TLE only ``a``, ``ecc``, ``inc`` and ``raan`` are used (the rest is SGP4's).
    tle : tuple of 2 str or None
    source : str
        Where the orbit comes from.
    earth : EarthModel
    raan_rate_rad_s : float or None
        Secular node rate; None means the J2 rate of Vallado (2013), eq. 9-41, from the
        mean elements. A TLE target takes SGP4's own secular rate (``nodedot``: J2, J2^2
        and J4 terms, Vallado et al. 2006), which keeps the mean plane within ~0.02 deg of
        SGP4's osculating plane over two weeks where eq. 9-41 alone drifts ~0.2 deg.
    """

    name: str
    epoch: Time
    mean_elements: tuple[float, ...]
    tle: tuple[str, str] | None = None
    source: str = ""
    earth: EarthModel = EARTH
    raan_rate_rad_s: float | None = None

    # -- constructors
    @classmethod
    def from_elements(
        cls,
        epoch,
        *,
        a: u.Quantity,
        ecc: u.Quantity = 0 * u.one,
        inc: u.Quantity,
        raan: u.Quantity = 0 * u.deg,
        argp: u.Quantity = 0 * u.deg,
        nu: u.Quantity = 0 * u.deg,
        name: str = "Tiangong",
        source: str = "user elements (read as mean elements)",
        earth: EarthModel = EARTH,
    ) -> Target:
        """From mean classical elements (GCRS) at ``epoch``.

        Raises
        ------
        OrbitRangeError
            If the orbit is not closed or dips below the surface.
        """
        # State.from_elements validates a, ecc and inc with its clear messages.
        st = State.from_elements(
            epoch, a=a, ecc=ecc, inc=inc, raan=raan, argp=argp, nu=nu, earth=earth
        )
        return cls._from_gcrs(st, name=name, source=source, earth=earth)

    @classmethod
    def _from_gcrs(cls, state: State, *, name: str, source: str, earth: EarthModel) -> Target:
        m = _teme_gcrs_matrix(state.epoch)
        r_teme, v_teme = m.T @ state.r_km, m.T @ state.v_km_s
        el = _rv_to_elements(earth.mu_km3_s2, r_teme, v_teme)
        if not el[1] < 1:
            raise InputError(
                f"{name} eccentricity {el[1]:.4f} is not a closed orbit; expected < 1",
                name="ecc",
                value=float(el[1]),
                valid="[0, 1)",
            )
        # For a circular orbit RV2COE sets argp = 0 and nu = arglat (Vallado Alg. 9).
        return cls(
            name=name,
            epoch=state.epoch,
            mean_elements=(
                float(el[0]),
                float(el[1]),
                float(el[2]),
                float(el[3]),
                float(el[4]),
                _mean_anomaly(float(el[5]), float(el[1])) % (2 * np.pi),
            ),
            source=source,
            earth=earth,
        )

    @classmethod
    def from_state(
        cls, state: State, *, name: str = "Tiangong", earth: EarthModel = EARTH
    ) -> Target:
        """From a :class:`State`; its osculating elements are read as mean elements
        (see the module notes on the along-track drift this implies)."""
        if not isinstance(state, State):
            raise InputError(
                f"state must be a qingzhou_sim State, got {type(state).__name__}",
                name="state",
                value=state,
                valid="State",
            )
        return cls._from_gcrs(
            state,
            name=name,
            source=f"State at {state.epoch.utc.isot} UTC (osculating read as mean)",
            earth=earth,
        )

    @classmethod
    def from_tle(
        cls, line1: str, line2: str, *, name: str | None = None, earth: EarthModel = EARTH
    ) -> Target:
        """From a two-line element set (validated by :func:`validate_tle`).

        The station's position comes from SGP4 (WGS-72 constants, as TLEs require)
        rotated from TEME to GCRS by astropy; the mean plane from the element set's
        mean inclination and node, rotated the same way.

        Raises
        ------
        InputError
            For a malformed TLE (length, line number, checksum, catalog number) or one
            SGP4 cannot initialise.
        """
        from sgp4.api import WGS72, Satrec

        line1, line2 = validate_tle(line1, line2)
        sat = Satrec.twoline2rv(line1, line2, WGS72)
        if sat.error != 0:
            raise InputError(
                f"TLE line 2 elements rejected by SGP4 (error code {sat.error})",
                name="TLE line 2",
                value=line2,
            )
        epoch = Time(sat.jdsatepoch, sat.jdsatepochF, format="jd", scale="utc")
        n_rad_s = sat.no / 60.0  # Brouwer (un-Kozai) mean motion, rad/min -> rad/s
        a = (earth.mu_km3_s2 / n_rad_s**2) ** (1.0 / 3.0)
        catalog = line1[2:7].strip()
        return cls(
            name=name or f"NORAD {catalog}",
            epoch=epoch,
            mean_elements=(
                a,
                float(sat.ecco),
                float(sat.inclo),
                float(sat.nodeo),
                float(sat.argpo),
                float(sat.mo),
            ),
            tle=(line1, line2),
            source=f"TLE NORAD {catalog} epoch {epoch.utc.isot} UTC",
            earth=earth,
            raan_rate_rad_s=float(sat.nodedot) / 60.0,  # rad/min -> rad/s
        )

    @classmethod
    def from_tle_file(cls, path, *, name: str | None = None, earth: EarthModel = EARTH) -> Target:
        """From the first element set in a 2- or 3-line TLE text file.

        Raises
        ------
        InputError
            If the file cannot be read or holds no line 1 / line 2 pair.
        """
        p = Path(path)
        try:
            text = p.read_text()
        except OSError as exc:
            raise InputError(
                f"cannot read TLE file {str(p)!r}: {exc.strerror}", name="tle_file", value=str(p)
            ) from None
        lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
        for k in range(len(lines) - 1):
            if lines[k].startswith("1 ") and lines[k + 1].startswith("2 "):
                title = (
                    lines[k - 1].strip() if k > 0 and not lines[k - 1].startswith("2 ") else None
                )
                return cls.from_tle(lines[k], lines[k + 1], name=name or title, earth=earth)
        raise InputError(
            f"TLE file {str(p)!r} has no line starting with '1 ' followed by one starting "
            "with '2 '",
            name="tle_file",
            value=str(p),
            valid="a TLE (line 1 then line 2)",
        )

    # -- geometry
    @property
    def inc(self) -> u.Quantity:
        """Mean inclination (GCRS)."""
        return (self.mean_elements[2] * u.rad).to(u.deg)

    @property
    def raan_rate(self) -> u.Quantity:
        """J2 secular node regression rate (Vallado eq. 9-41), deg/day."""
        return (self._rates()[0] * u.rad / u.s).to(u.deg / u.day)

    def _rates(self) -> tuple[float, float, float]:
        a, e, i = self.mean_elements[:3]
        ea = self.earth
        rates = _secular_rates(ea.mu_km3_s2, ea.radius_km, ea.j2, a, e, i)
        if self.raan_rate_rad_s is not None:
            return (self.raan_rate_rad_s, rates[1], rates[2])
        return rates

    def _dt_s(self, epochs: Time) -> np.ndarray:
        return np.asarray((epochs - self.epoch).to_value(u.s), dtype=float)

    def _normal_at_s(self, dt_s: np.ndarray, teme_to_gcrs: np.ndarray) -> np.ndarray:
        """Mean-plane normal in GCRS ``dt_s`` after the epoch, given the TEME -> GCRS
        matrix (one (3, 3) for a short span, or one per epoch)."""
        raan = self.mean_elements[3] + self._rates()[0] * np.asarray(dt_s, float)
        n_teme = _plane_normal(self.mean_elements[2], raan)
        return np.einsum("...ij,...j->...i", teme_to_gcrs, n_teme)

    def plane_normal(self, epochs) -> np.ndarray:
        """Unit normal (angular-momentum direction) of the mean plane, GCRS, (..., 3)."""
        epochs = as_time(epochs, "epochs")
        return self._normal_at_s(self._dt_s(epochs), _teme_gcrs_matrix(epochs))

    def _rv_at(self, epochs: Time) -> tuple[np.ndarray, np.ndarray]:
        if self.tle is not None:
            from sgp4.api import WGS72, Satrec

            sat = Satrec.twoline2rv(*self.tle, WGS72)
            ep = np.atleast_1d(epochs.utc)
            jd1 = np.asarray(ep.jd1, float)
            jd2 = np.asarray(ep.jd2, float)
            err, r, v = sat.sgp4_array(jd1, jd2)
            if np.any(err != 0):
                k = int(np.flatnonzero(err)[0])
                raise PropagationError(
                    f"SGP4 failed for {self.name} at {ep[k].isot} UTC (error code {err[k]}); "
                    "the element set is too far from its epoch or the object decayed",
                    last_epoch=ep[k],
                )
            r, v = _teme_to_gcrs(ep, r, v)
            if epochs.isscalar:
                return r[0], v[0]
            return r, v
        a, e, i, raan0, argp0, m0 = self.mean_elements
        raan_dot, argp_dot, m_dot = self._rates()
        dt = self._dt_s(epochs)
        nu = _kepler_nu(m0 + m_dot * dt, e)
        r, v = _elements_to_rv(
            self.earth.mu_km3_s2, a, e, i, raan0 + raan_dot * dt, argp0 + argp_dot * dt, nu
        )
        m = _teme_gcrs_matrix(epochs)
        return np.einsum("...ij,...j->...i", m, r), np.einsum("...ij,...j->...i", m, v)

    def state_at(self, epochs) -> State | StateBatch:
        """The station's GCRS state at ``epochs`` (scalar -> State, array -> StateBatch).

        SGP4 for a TLE target; J2 secular mean-element propagation otherwise.
        """
        epochs = as_time(epochs, "epochs")
        r, v = self._rv_at(epochs)
        if epochs.isscalar:
            return State.from_vectors(epochs, r, v)
        return StateBatch.from_vectors(epochs, r, v)

    def __str__(self) -> str:
        a, e, i, raan = self.mean_elements[:4]
        return (
            f"Target {self.name}: mean a={a:.3f} km e={e:.6f} i={np.rad2deg(i):.4f} deg "
            f"raan={np.rad2deg(raan):.4f} deg (TEME) at {self.epoch.utc.isot} UTC "
            f"(node rate {self.raan_rate.to_value(u.deg / u.day):.4f} deg/day; {self.source})"
        )


def nominal_tiangong(
    epoch=None,
    *,
    raan: u.Quantity = 0 * u.deg,
    arglat: u.Quantity = 0 * u.deg,
    earth: EarthModel = EARTH,
) -> Target:
    """The default reference orbit of Tiangong: 386 x 391 km, i = 41.5 deg (nominal).

    Perigee x apogee from the January 2024 example orbit (ORION-TZ7; typical band
    383-390 km, CSS-JP); inclination 41.5 deg (TZ5-WIKI, CSS-JP) over the Earth's true
    equator of date, as published inclinations are (in GCRS it reads 41.35-41.65 deg
    depending on the node, the pole having precessed ~0.15 deg since J2000). The node
    (TEME, mean equinox of date) and the argument of latitude at ``epoch`` are free
    parameters (the real values change daily; use :meth:`Target.from_tle` for a real
    date). Perigee is placed at the ascending node. These are mean elements.

    Parameters
    ----------
    epoch : Time, optional
        Reference epoch; default 2026-12-01T00:00:00 UTC.
    raan, arglat : Quantity (angle)

    Examples
    --------
    >>> import astropy.units as u
    >>> t = nominal_tiangong()
    >>> round(float(t.inc.to_value(u.deg)), 6)
    41.5
    """
    epoch = Time("2026-12-01T00:00:00", scale="utc") if epoch is None else as_time(epoch)
    rp = earth.radius_km + 386.0
    ra = earth.radius_km + 391.0
    a = 0.5 * (rp + ra)
    ecc = (ra - rp) / (ra + rp)
    raan_rad = float(as_array(raan, u.rad, "raan"))
    arglat_rad = float(as_array(arglat, u.rad, "arglat"))
    return Target(
        name="Tiangong (nominal 386 x 391 km, i = 41.5 deg)",
        epoch=epoch,
        mean_elements=(
            a,
            ecc,
            float(np.deg2rad(41.5)),
            raan_rad % (2 * np.pi),
            0.0,
            _mean_anomaly(arglat_rad, ecc) % (2 * np.pi),
        ),
        source="nominal: 386 x 391 km (ORION-TZ7), i = 41.5 deg (TZ5-WIKI, CSS-JP)",
        earth=earth,
    )


def _as_target(target) -> Target:
    if target is None:
        return nominal_tiangong()
    if isinstance(target, Target):
        return target
    if isinstance(target, State):
        return Target.from_state(target)
    raise InputError(
        f"target must be a Target or a State, got {type(target).__name__}",
        name="target",
        value=target,
        valid="Target (from_tle / from_elements / from_state) or State",
    )


# ------------------------------------------------------------------------ launch sites
@dataclass(frozen=True, slots=True)
class LaunchSite:
    """A launch pad: geodetic (WGS-84) latitude, longitude, height and its source."""

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float
    source: str = ""

    def __post_init__(self):
        for name in ("lat_deg", "lon_deg", "height_m"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v)):
                raise InputError(
                    f"LaunchSite.{name} = {v!r} must be a finite number", name=name, value=v
                )
        if not -90 <= self.lat_deg <= 90:
            raise InputError(
                f"launch site latitude {self.lat_deg} deg is outside [-90, 90] deg",
                name="lat_deg",
                value=self.lat_deg,
                valid="[-90, 90] deg",
            )

    def itrs_km(self, earth: EarthModel = EARTH) -> np.ndarray:
        """Earth-fixed (ITRS) position, km (3,)."""
        from .frames import _geodetic_to_ecef

        return _geodetic_to_ecef(
            np.deg2rad(self.lat_deg),
            np.deg2rad(self.lon_deg),
            self.height_m / 1e3,
            earth.radius_km,
            earth.flattening,
        )

    def geocentric_lat_rad(self, earth: EarthModel = EARTH) -> float:
        """Geocentric latitude of the pad (angle of its position above the equator), rad."""
        r = self.itrs_km(earth)
        return float(np.arcsin(r[2] / np.linalg.norm(r)))

    def gcrs_km(self, epochs: Time, earth: EarthModel = EARTH) -> np.ndarray:
        """Inertial (GCRS) position at ``epochs`` through astropy's ITRS -> GCRS."""
        from .frames import _gcrs_itrs_kernel

        epochs = as_time(epochs, "epochs")
        r = np.broadcast_to(self.itrs_km(earth), tuple(epochs.shape) + (3,))
        return _gcrs_itrs_kernel(epochs, np.array(r), None, to_itrs=False)[0]

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.lat_deg:.4f} deg N, {self.lon_deg:.4f} deg E, "
            f"{self.height_m:.0f} m ({self.source})"
        )


SITES = {
    "jiuquan": LaunchSite(
        "Jiuquan",
        40.9581,
        100.2912,
        1000.0,
        "SN-JSLC https://spacenews.com/satellite-image-of-jiuquan-space-launch-center-china/ "
        "(crewed pad area; elevation approx., RR-JSLC)",
    ),
    "wenchang": LaunchSite(
        "Wenchang",
        19.6145,
        110.9511,
        0.0,
        "WIKI-WENCHANG https://en.wikipedia.org/wiki/Wenchang_Spacecraft_Launch_Site "
        "(LM-7 pad; height assumed sea level, coastal site)",
    ),
    "taiyuan": LaunchSite(
        "Taiyuan",
        38.849,
        111.608,
        1500.0,
        "Wikipedia, Taiyuan Satellite Launch Center, 38 deg 50' 56\" N 111 deg 36' 30\" E "
        "https://en.wikipedia.org/wiki/Taiyuan_Satellite_Launch_Center (elevation approx.)",
    ),
    "xichang": LaunchSite(
        "Xichang",
        28.246,
        102.027,
        1800.0,
        "Wikipedia, Xichang Satellite Launch Center, 28 deg 14' 46\" N 102 deg 01' 37\" E "
        "https://en.wikipedia.org/wiki/Xichang_Satellite_Launch_Center (elevation approx.)",
    ),
}


def get_site(site) -> LaunchSite:
    """A :class:`LaunchSite` from itself or its (case-insensitive) name in :data:`SITES`.

    Raises
    ------
    UnknownNameError
        If the name is not in :data:`SITES`.
    """
    if isinstance(site, LaunchSite):
        return site
    key = str(site).strip().lower()
    if key not in SITES:
        raise UnknownNameError("launch site", site, tuple(SITES))
    return SITES[key]


# ------------------------------------------------------------------------ windows
@dataclass(frozen=True, slots=True)
class LaunchWindow:
    """One in-plane launch opportunity.

    Attributes
    ----------
    in_plane : Time
        The pad crosses the target's (mean, J2-regressed) plane.
    liftoff : Time
        ``in_plane`` minus the ascent lead.
    insertion : Time
        ``liftoff`` plus the vehicle's ascent duration.
    azimuth : Quantity
        Inertial launch azimuth from north, deg.
    azimuth_rotating : Quantity
        Launch azimuth relative to the rotating Earth, deg.
    direction : str
        "northbound" (ascending ground track over the pad) or "southbound".
    phase_angle : Quantity
        Station ahead of the inserted chaser, in the station's plane, [0, 360) deg.
    site : str
    cross_plane_speed : Quantity
        Speed of the pad across the plane at the crossing, km/s: a liftoff ``dt`` away
        from the window leaves the pad ``cross_plane_speed * dt`` off the plane, the
        yaw steering the launcher must fly (~0.05 km/s at Jiuquan, ~0.27 at Wenchang).
    """

    in_plane: Time
    liftoff: Time
    insertion: Time
    azimuth: u.Quantity
    azimuth_rotating: u.Quantity
    direction: str
    phase_angle: u.Quantity
    site: str
    cross_plane_speed: u.Quantity = 0.0 * (u.km / u.s)

    def to_dict(self) -> dict:
        """Plain data: ISO-8601 UTC strings ending in 'Z' and floats (JSON-ready)."""

        def iso(t: Time) -> str:
            return t.utc.isot + "Z"

        return {
            "site": self.site,
            "in_plane_utc": iso(self.in_plane),
            "liftoff_utc": iso(self.liftoff),
            "insertion_utc": iso(self.insertion),
            "azimuth_deg": float(self.azimuth.to_value(u.deg)),
            "azimuth_rotating_deg": float(self.azimuth_rotating.to_value(u.deg)),
            "direction": self.direction,
            "phase_angle_deg": float(self.phase_angle.to_value(u.deg)),
            "cross_plane_speed_km_s": float(self.cross_plane_speed.to_value(u.km / u.s)),
        }

    def __str__(self) -> str:
        return (
            f"{self.site} {self.direction} window: liftoff {self.liftoff.utc.isot}Z, in plane "
            f"{self.in_plane.utc.isot}Z, azimuth {self.azimuth.to_value(u.deg):.2f} deg inertial "
            f"({self.azimuth_rotating.to_value(u.deg):.2f} deg rotating), station phase "
            f"{self.phase_angle.to_value(u.deg):.1f} deg ahead at insertion "
            f"{self.insertion.utc.isot}Z"
        )


@dataclass(frozen=True, slots=True)
class LaunchWindows:
    """The in-plane windows of a site over a span, in time order."""

    windows: tuple[LaunchWindow, ...]
    site: LaunchSite
    target: Target
    vehicle: LaunchVehicle
    start: Time
    stop: Time

    def __len__(self) -> int:
        return len(self.windows)

    def __iter__(self):
        return iter(self.windows)

    def __getitem__(self, k: int) -> LaunchWindow:
        return self.windows[k]

    def to_dicts(self) -> list[dict]:
        """One :meth:`LaunchWindow.to_dict` per window."""
        return [w.to_dict() for w in self.windows]

    def to_dataframe(self):
        """A pandas DataFrame, one row per window (epochs as UTC ISO strings)."""
        import pandas as pd

        cols = [
            "site",
            "in_plane_utc",
            "liftoff_utc",
            "insertion_utc",
            "azimuth_deg",
            "azimuth_rotating_deg",
            "direction",
            "phase_angle_deg",
            "cross_plane_speed_km_s",
        ]
        return pd.DataFrame(self.to_dicts(), columns=cols)

    def summary(self) -> str:
        """A fixed-width table of the windows."""
        head = (
            f"{'liftoff (UTC)':<24} {'in plane (UTC)':<24} {'az [deg]':>8} {'az rot':>7} "
            f"{'direction':<10} {'phase [deg]':>11}"
        )
        rows = [
            f"{w.liftoff.utc.isot + 'Z':<24} {w.in_plane.utc.isot + 'Z':<24} "
            f"{w.azimuth.to_value(u.deg):8.2f} {w.azimuth_rotating.to_value(u.deg):7.2f} "
            f"{w.direction:<10} {w.phase_angle.to_value(u.deg):11.2f}"
            for w in self.windows
        ]
        return "\n".join([head, "-" * len(head), *rows])

    def __str__(self) -> str:
        return (
            f"{len(self)} launch windows from {self.site.name} into {self.target.name} "
            f"between {self.start.utc.isot}Z and {self.stop.utc.isot}Z "
            f"({self.vehicle.name})\n{self.summary()}"
        )


def _check_reachable(site: LaunchSite, target: Target) -> None:
    inc = np.rad2deg(target.mean_elements[2])
    reach = min(inc, 180.0 - inc)
    lat_c = np.rad2deg(site.geocentric_lat_rad(target.earth))
    if abs(lat_c) >= reach:
        raise InfeasiblePlanError(
            f"launch site {site.name} at latitude {site.lat_deg:.4f} deg (geocentric "
            f"{lat_c:.4f} deg) never crosses the plane of {target.name} (inclination "
            f"{inc:.4f} deg): there is no in-plane window; the smallest plane error, at the "
            f"plane's northernmost point, is {abs(lat_c) - reach:.4f} deg of yaw steering "
            f"(dogleg). Expected |geocentric latitude| < {reach:.4f} deg",
            name="site",
            value=site.lat_deg,
            valid=f"|latitude| <= {reach:.4f} deg",
        )


def _crossings(site: LaunchSite, target: Target, start: Time, span_s: float) -> np.ndarray:
    """Seconds after ``start`` at which the pad crosses the mean plane, refined."""
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq

    n = int(np.ceil(span_s / _SAMPLE_STEP_S))
    # Sample one step beyond both ends so the spline is accurate at the edges.
    t = np.linspace(-_SAMPLE_STEP_S, (n + 1) * _SAMPLE_STEP_S, n + 3)
    epochs = start + TimeDelta(t * u.s)
    dt0 = float((start - target.epoch).to_value(u.s))
    r_site = site.gcrs_km(epochs, target.earth)
    spline = CubicSpline(t, r_site, axis=0)
    # TEME -> GCRS drifts by precession-nutation only (< 2e-6 rad per week): one matrix
    # at mid-span moves a crossing by < 0.02 s.
    mat = _teme_gcrs_matrix(start + TimeDelta(0.5 * span_s * u.s))

    def dist(ts):
        return np.einsum("...i,...i->...", target._normal_at_s(dt0 + ts, mat), spline(ts))

    d = dist(t)
    idx = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) <= 0)
    roots = []
    for k in idx:
        if d[k] == 0 and k > 0 and roots and abs(roots[-1] - t[k]) < 1e-6:
            continue
        roots.append(brentq(lambda x: float(dist(x)), t[k], t[k + 1], xtol=_ROOT_XTOL_S))
    roots = np.unique(np.asarray(roots, float))
    if roots.size == 0:
        return roots
    # One Newton step on the exact astropy positions removes the (sub-mm) spline error.
    r_exact = site.gcrs_km(start + TimeDelta(roots * u.s), target.earth)
    h = target._normal_at_s(dt0 + roots, mat)
    d_exact = np.einsum("...i,...i->...", h, r_exact)
    eps = 0.5
    slope = (dist(roots + eps) - dist(roots - eps)) / (2 * eps)
    roots = roots - d_exact / slope
    return roots[(roots >= 0.0) & (roots <= span_s)]


def launch_windows(
    start,
    duration: u.Quantity,
    *,
    target=None,
    site="jiuquan",
    vehicle: LaunchVehicle = KINETICA_2,
    ascent_lead: u.Quantity | None = None,
    payload_mass: u.Quantity | None = None,
) -> LaunchWindows:
    r"""In-plane launch windows of a site into the target's plane over a span.

    The pad's inertial position (ITRS -> GCRS through astropy, IAU 2006/2000A with IERS
    Earth orientation) is sampled every 60 s; its signed distance to the target's mean
    plane (node regressing at the J2 rate) is bracketed at each sign change and solved
    with Brent's method to 1e-4 s, then polished with one Newton step on exact astropy
    positions.

    Parameters
    ----------
    start : Time or aware datetime or ISO string ending in 'Z'
        Start of the span (in-plane instants are searched in [start, start + duration]).
    duration : Quantity (time)
        Length of the span, > 0.
    target : Target or State, optional
        The station; default :func:`nominal_tiangong`.
    site : str or LaunchSite
        Default "jiuquan".
    vehicle : LaunchVehicle
        Provides the default ascent lead, the ascent duration and the insertion orbit.
    ascent_lead : Quantity (time), optional
        Liftoff precedes the in-plane instant by this; default ``vehicle.window_lead_s``.
    payload_mass : Quantity (mass), optional
        Checked against the vehicle's capability; default Qingzhou's launch mass.

    Returns
    -------
    LaunchWindows

    Raises
    ------
    InputError
        Non-positive duration, naive datetime, negative ascent lead, payload too heavy.
    UnknownNameError
        Unknown site name.
    InfeasiblePlanError
        The site's latitude exceeds the plane's inclination (message gives the minimum
        plane error to be flown as yaw steering).

    References
    ----------
    Vallado (2013), sec. 6.4 and eq. 6-19 (launch azimuth), eq. 9-41 (node regression).

    Examples
    --------
    >>> import astropy.units as u
    >>> w = launch_windows("2026-12-01T00:00:00Z", 24 * u.hour)
    >>> len(w), w[0].direction in ("northbound", "southbound")
    (2, True)
    """
    start = as_time(start, "start")
    if not start.isscalar:
        raise InputError("start must be a scalar epoch", name="start", value=start.shape)
    span_s = as_duration_s(duration, "duration")
    if not span_s > 0:
        raise InputError(
            f"duration {span_s / 3600:.6g} h is not positive; expected > 0 h",
            name="duration",
            value=span_s,
            valid="> 0",
        )
    target = _as_target(target)
    site = get_site(site)
    vehicle.check_payload(QINGZHOU.mass_kg * u.kg if payload_mass is None else payload_mass)
    lead_s = (
        vehicle.window_lead_s if ascent_lead is None else as_duration_s(ascent_lead, "ascent_lead")
    )
    if lead_s < 0:
        raise InputError(
            f"ascent_lead {lead_s} s is negative; expected >= 0 s",
            name="ascent_lead",
            value=lead_s,
            valid=">= 0 s",
        )
    _check_reachable(site, target)

    stop = start + TimeDelta(span_s * u.s)
    roots = _crossings(site, target, start, span_s)
    if roots.size == 0:
        if span_s >= 86400.0:
            raise InfeasiblePlanError(
                f"no in-plane window from {site.name} into {target.name} in "
                f"{span_s / 3600:.1f} h: the pad's latitude is too close to the plane's "
                "inclination to cross it; a launch needs yaw steering",
                name="site",
                value=site.lat_deg,
            )
        return LaunchWindows((), site, target, vehicle, start, stop)

    in_plane = start + TimeDelta(roots * u.s)
    liftoff = in_plane - TimeDelta(lead_s * u.s)
    insertion = liftoff + TimeDelta(vehicle.ascent_duration_s * u.s)

    # Ground-track direction at the crossing: the station's in-plane velocity
    # direction at the pad's position, h x r, heading north or south.
    r_cross = site.gcrs_km(in_plane, target.earth)
    h_cross = target.plane_normal(in_plane)
    r_pm = site.gcrs_km(in_plane[:, None] + TimeDelta([-1.0, 1.0] * u.s), target.earth)
    v_cross = 0.5 * (r_pm[:, 1] - r_pm[:, 0])  # central difference over +-1 s, km/s
    cross_speed = np.abs(np.einsum("...i,...i->...", h_cross, v_cross))
    northbound = np.cross(h_cross, r_cross)[..., 2] > 0
    # The spherical relation holds for the geocentric latitude of the pad (the plane
    # passes through the geocentre; the geodetic latitude would be ~1 deg off near the
    # vertex of the ground track at Jiuquan, 40.96 deg geodetic = 40.77 deg geocentric)
    # and for the inclination over the Earth's true equator of date, not GCRS's: 25
    # years of precession tilt the two by up to ~0.15 deg, ~0.5 deg of azimuth here.
    from .frames import _gcrs_itrs_kernel

    h_itrs = _gcrs_itrs_kernel(in_plane, h_cross * 1e4, None, to_itrs=True)[0] / 1e4
    inc_of_date = np.arccos(np.clip(h_itrs[..., 2], -1.0, 1.0))
    beta = _inertial_azimuth(site.geocentric_lat_rad(target.earth), inc_of_date, northbound)
    ea = target.earth
    rp, ra = vehicle.insertion_radii_km(ea)
    v_orbit = np.sqrt(ea.mu_km3_s2 * (2.0 / rp - 2.0 / (rp + ra)))
    v_site = ea.omega_rad_s * np.linalg.norm(site.itrs_km(ea)[:2])
    beta_rot = _rotating_azimuth(beta, v_orbit, v_site)

    r_ins, _ = _insertion_vectors(site, target, vehicle, liftoff, insertion)
    r_tgt, v_tgt = target._rv_at(insertion)
    phase = _phase_angle(r_ins, r_tgt, np.cross(r_tgt, v_tgt))

    windows = tuple(
        LaunchWindow(
            in_plane=in_plane[k],
            liftoff=liftoff[k],
            insertion=insertion[k],
            azimuth=np.rad2deg(beta[k]) * u.deg,
            azimuth_rotating=np.rad2deg(beta_rot[k]) * u.deg,
            direction="northbound" if northbound[k] else "southbound",
            phase_angle=np.rad2deg(phase[k]) * u.deg,
            site=site.name,
            cross_plane_speed=cross_speed[k] * (u.km / u.s),
        )
        for k in range(roots.size)
    )
    return LaunchWindows(windows, site, target, vehicle, start, stop)


def _insertion_vectors(site, target, vehicle, liftoff: Time, insertion: Time):
    ea = target.earth
    r_site = site.gcrs_km(liftoff, ea)
    h_hat = target.plane_normal(insertion)
    rp, ra = vehicle.insertion_radii_km(ea)
    return _insertion_rv(
        ea.mu_km3_s2, r_site, h_hat, np.deg2rad(vehicle.downrange_angle_deg), rp, ra
    )


def insertion_state(
    liftoff,
    target=None,
    *,
    site="jiuquan",
    vehicle: LaunchVehicle = KINETICA_2,
) -> State:
    r"""The chaser's GCRS state at insertion for a liftoff time (Kinetica-2 model).

    Insertion happens ``vehicle.ascent_duration_s`` after liftoff, at the perigee of
    the nominal insertion orbit (``insertion_perigee_km`` x ``insertion_apogee_km``),
    in the target's mean plane at the insertion epoch, ``downrange_angle_deg`` ahead
    (in the direction of motion) of the pad's liftoff position projected into that
    plane. The insertion is always in the target plane: the yaw steering that a liftoff
    away from a window would need is the launcher's problem, not a plane error of the
    chaser. Dispersions are not applied (see ``vehicle.insertion_covariance_lvlh``).

    Parameters
    ----------
    liftoff : Time or aware datetime or ISO string ending in 'Z' (scalar)
    target : Target or State, optional
        Default :func:`nominal_tiangong`.
    site : str or LaunchSite
    vehicle : LaunchVehicle

    Returns
    -------
    State

    Raises
    ------
    InputError
        Naive datetime or non-scalar liftoff; unknown site (UnknownNameError).

    References
    ----------
    Fehse (2003), sec. 2.2.1 (launch into the target plane, insertion at perigee).

    Examples
    --------
    >>> s = insertion_state("2026-12-01T05:00:00Z")
    >>> round(float(s.perigee_altitude.to_value(u.km)), 6)
    200.0
    """
    liftoff = as_time(liftoff, "liftoff")
    if not liftoff.isscalar:
        raise InputError(
            f"liftoff must be a scalar epoch, got shape {liftoff.shape}",
            name="liftoff",
            value=liftoff.shape,
        )
    target = _as_target(target)
    site = get_site(site)
    insertion = liftoff + TimeDelta(vehicle.ascent_duration_s * u.s)
    r, v = _insertion_vectors(site, target, vehicle, liftoff, insertion)
    return State.from_vectors(insertion, r, v)
