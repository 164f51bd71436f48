"""The station as a launch target: TLE validation, :class:`Target`, the nominal orbit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import EARTH, EarthModel, as_array, as_time
from ..errors import InputError, PropagationError
from ..state import State, StateBatch, _elements_to_rv, _rv_to_elements
from ._kernels import _kepler_nu, _mean_anomaly, _plane_normal, _secular_rates, _tle_checksum

__all__ = ["Target", "nominal_tiangong", "station_from_tle", "validate_tle"]


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
        if not (text.isascii() and text.isprintable()):
            raise InputError(
                f"TLE line {k} contains non-ASCII or control characters: {text[:80]!r}; "
                "expected the 69 ASCII characters of the format",
                name=f"TLE line {k}",
                value=text,
                valid="ASCII",
            )
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

    from ..frames import _use_cached_iers_table

    _use_cached_iers_table()
    rep = CartesianRepresentation(np.moveaxis(r_km, -1, 0) * u.km).with_differentials(
        CartesianDifferential(np.moveaxis(v_km_s, -1, 0) * (u.km / u.s))
    )
    out = TEME(rep, obstime=epochs).transform_to(GCRS(obstime=epochs)).cartesian
    r = np.moveaxis(out.xyz.to_value(u.km), 0, -1)
    v = np.moveaxis(out.differentials["s"].d_xyz.to_value(u.km / u.s), 0, -1)
    return r, v


def _teme_gcrs_matrix(epochs: Time) -> np.ndarray:
    """Rotation matrices TEME -> GCRS at ``epochs``, (..., 3, 3): ``r_gcrs = M @ r_teme``.

    astropy's TEME -> ITRS -> CIRS -> GCRS chain for positions, its three ERFA rotations
    (``teme_to_itrs_mat``, ``cirs_to_itrs_mat`` transposed, ``gcrs_to_cirs_mat``
    transposed; see :mod:`qingzhou_sim.frames`) applied without the frame machinery
    (equal to astropy's transform: tests/test_frames.py).

    References
    ----------
    Vallado et al. (2006), AIAA 2006-6753, sec. on TEME; Petit & Luzum (2010), IERS
    Technical Note 36, eq. 5.1.
    """
    import erfa

    from ..frames import _earth_orientation, _teme_itrs_matrix

    c2i, c2t = _earth_orientation(epochs)
    teme_to_itrs = _teme_itrs_matrix(epochs)
    # Columns: the TEME axes (scaled to 1e4 km) rotated step by step, with the same
    # operations in the same order as astropy's transform, so the matrix is astropy's to
    # the last bit (the closed-loop approach downstream amplifies 1e-16 differences).
    axes = np.broadcast_to(1e4 * np.eye(3), np.shape(c2i)[:-2] + (3, 3))
    cols = [
        erfa.rxp(
            np.swapaxes(c2i, -1, -2),
            erfa.rxp(np.swapaxes(c2t, -1, -2), erfa.rxp(teme_to_itrs, axes[..., k, :])),
        )
        / 1e4
        for k in range(3)
    ]
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
        and J4 terms, Vallado et al. 2006), which keeps the mean plane within 0.003 deg
        of SGP4's orbit-averaged plane over 15 days (validated), where first-order J2
        alone would drift 0.17 deg.
    """

    name: str
    epoch: Time
    mean_elements: tuple[float, ...]
    tle: tuple[str, str] | None = None
    source: str = ""
    earth: EarthModel = EARTH
    raan_rate_rad_s: float | None = None

    def __post_init__(self):
        epoch = as_time(self.epoch, "epoch")
        if not epoch.isscalar:
            raise InputError("Target.epoch must be a scalar Time", name="epoch", value=epoch.shape)
        el = np.asarray(self.mean_elements, dtype=float)
        if el.shape != (6,) or not np.all(np.isfinite(el)):
            raise InputError(
                f"Target.mean_elements = {self.mean_elements!r}; expected 6 finite numbers "
                "(a km, ecc, inc, raan, argp, mean anomaly rad)",
                name="mean_elements",
                value=self.mean_elements,
            )
        if not (0 <= el[1] < 1 and el[0] * (1 - el[1]) > self.earth.radius_km):
            raise InputError(
                f"Target orbit a = {el[0]:.3f} km, ecc = {el[1]:.6f} is not a closed orbit "
                "above the surface",
                name="mean_elements",
                value=self.mean_elements,
                valid="0 <= ecc < 1 and perigee above the equatorial radius",
            )
        object.__setattr__(self, "epoch", epoch)
        object.__setattr__(self, "mean_elements", tuple(float(x) for x in el))

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
    raan_rad = float(as_array(raan, u.rad, "raan", shape=()))
    arglat_rad = float(as_array(arglat, u.rad, "arglat", shape=()))
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


def station_from_tle(line1: str, line2: str, epoch=None) -> State:
    """The station's GCRS :class:`State` from a TLE (SGP4, TEME -> GCRS by astropy).

    Parameters
    ----------
    line1, line2 : str
        The element set (validated by :func:`validate_tle`).
    epoch : Time, optional
        Epoch of the state; default the TLE's own epoch.

    Raises
    ------
    InputError
        For a malformed TLE (the message names the line).

    Examples
    --------
    >>> s = station_from_tle(
    ...     "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993",
    ...     "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304")
    >>> 340 < float(s.altitude.to_value("km")) < 420
    True
    """
    target = Target.from_tle(line1, line2)
    return target.state_at(target.epoch if epoch is None else epoch)


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
