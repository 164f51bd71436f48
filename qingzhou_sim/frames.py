r"""Frame conversions: inertial (GCRS) <-> LVLH / RSW, inertial <-> Earth-fixed (ITRS),
geodetic coordinates and ground tracks.

LVLH follows Fehse (2003), *Automated Rendezvous and Docking of Spacecraft*, sec. 3.1:
origin at the target, z (R-bar) toward the Earth's centre, y (H-bar) opposite the
orbit's angular momentum, x (V-bar) = y x z. RSW (Hill) follows Vallado (2013), sec. 3.3:
x radial outward, y along-track, z along the angular momentum. Relative velocities are
the velocities seen in the rotating frame:

.. math:: \dot\rho = R\,[(v_c - v_t) - \omega \times (r_c - r_t)], \quad
          \omega = \frac{r_t \times v_t}{|r_t|^2}

(the Keplerian frame rate; perturbations add a rotation about the radial axis of order
``a_normal / v`` ~ 1e-9 rad/s, which is neglected).

Earth-fixed conversions are astropy's GCRS -> ITRS transform (IAU 2006/2000A, IERS
Earth orientation from the bundled ``astropy-iers-data`` tables; downloads are switched
off when ``qingzhou_sim`` is imported). Positions are rotated by the same ERFA matrices
astropy's transform graph multiplies (``c2i06a``, ``era00``, ``sp00``, ``pom00``; for
TEME ``gmst82``), built here directly: the same numbers (to rounding, checked against
astropy in tests/test_frames.py) without the frame machinery's cost per call. Velocities
still go through astropy (its finite-difference frame rates). The parsed IERS table is
kept in the user cache (see :func:`_use_cached_iers_table`).
"""

from __future__ import annotations

import os
import warnings
from typing import NamedTuple

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import (
    EARTH,
    EarthModel,
    as_array,
    as_rv_km,
    as_time,
    check_finite,
    check_geocentric,
)
from .errors import InputError, UnknownNameError

__all__ = [
    "GroundTrack",
    "RelativeState",
    "gcrs_to_geodetic",
    "gcrs_to_itrs",
    "gcrs_to_lvlh",
    "gcrs_to_rsw",
    "geodetic_to_itrs",
    "ground_track",
    "itrs_to_gcrs",
    "itrs_to_geodetic",
    "lvlh_to_gcrs",
    "lvlh_to_rsw",
    "rsw_to_gcrs",
    "rsw_to_lvlh",
]

_FRAMES = ("LVLH", "RSW")


# --------------------------------------------------------------------------- kernels
def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.einsum("...i,...i->...", x, x))[..., None]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross(a, b)``; for two 3-vectors its element operations (a product, a
    product, a difference each) written out, at a tenth of its call cost (~15 us)."""
    if a.shape == (3,) and b.shape == (3,):
        return np.array(
            [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
        )
    return np.cross(a, b)


def _rsw_basis(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows are the RSW unit axes expressed in the inertial frame, (..., 3, 3)."""
    x = _unit(r)
    z = _unit(_cross(r, v))
    y = _cross(z, x)
    return np.stack([x, y, z], axis=-2)


def _lvlh_basis(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows are the LVLH unit axes (V-bar, H-bar, R-bar) in the inertial frame."""
    z = -_unit(r)
    y = -_unit(_cross(r, v))
    x = _cross(y, z)
    if x.ndim == 1:  # one state: the same rows, without np.stack's axis handling
        return np.array([x, y, z])
    return np.stack([x, y, z], axis=-2)


def _basis(frame: str, r: np.ndarray, v: np.ndarray) -> np.ndarray:
    if frame == "LVLH":
        return _lvlh_basis(r, v)
    if frame == "RSW":
        return _rsw_basis(r, v)
    raise UnknownNameError("relative frame", frame, _FRAMES)


def _frame_rate(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Inertial angular velocity of the orbital frame, h / r^2 (Keplerian), (..., 3)."""
    h = _cross(r, v)
    return h / np.einsum("...i,...i->...", r, r)[..., None]


def _inertial_to_relative(frame: str, target_rv: np.ndarray, chaser_rv: np.ndarray) -> np.ndarray:
    """Chaser relative to target in the target's rotating frame, (..., 6) km, km/s."""
    rt, vt = target_rv[..., :3], target_rv[..., 3:]
    dr = chaser_rv[..., :3] - rt
    dv = chaser_rv[..., 3:] - vt - _cross(_frame_rate(rt, vt), dr)
    m = _basis(frame, rt, vt)
    return np.concatenate(
        [np.einsum("...ij,...j->...i", m, dr), np.einsum("...ij,...j->...i", m, dv)], axis=-1
    )


def _relative_to_inertial(frame: str, target_rv: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_inertial_to_relative`: chaser inertial state, (..., 6)."""
    rt, vt = target_rv[..., :3], target_rv[..., 3:]
    m = _basis(frame, rt, vt)
    dr = np.einsum("...ji,...j->...i", m, rel[..., :3])
    dv = np.einsum("...ji,...j->...i", m, rel[..., 3:]) + _cross(_frame_rate(rt, vt), dr)
    return np.concatenate([rt + dr, vt + dv], axis=-1)


# Fixed permutation between the two rotating frames (Fehse 2003, sec. 3.1; exact for any
# orbit because both frames share the radial and orbit-normal axes):
# x_LVLH = y_RSW, y_LVLH = -z_RSW, z_LVLH = -x_RSW.
_RSW_TO_LVLH = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]])


def _rsw_to_lvlh(x: np.ndarray) -> np.ndarray:
    return np.concatenate([x[..., :3] @ _RSW_TO_LVLH.T, x[..., 3:] @ _RSW_TO_LVLH.T], axis=-1)


def _lvlh_to_rsw(x: np.ndarray) -> np.ndarray:
    return np.concatenate([x[..., :3] @ _RSW_TO_LVLH, x[..., 3:] @ _RSW_TO_LVLH], axis=-1)


def _geodetic_to_ecef(lat_rad, lon_rad, h_km, radius_km: float, flattening: float) -> np.ndarray:
    """WGS-84 geodetic -> Earth-fixed Cartesian (Vallado 2013, eqs. 3-14 and 7-1)."""
    e2 = flattening * (2.0 - flattening)
    slat, clat = np.sin(lat_rad), np.cos(lat_rad)
    c = radius_km / np.sqrt(1.0 - e2 * slat**2)
    s = c * (1.0 - e2)
    return np.stack(
        [
            (c + h_km) * clat * np.cos(lon_rad),
            (c + h_km) * clat * np.sin(lon_rad),
            (s + h_km) * slat,
        ],
        axis=-1,
    )


def _ecef_to_geodetic(r: np.ndarray, radius_km: float, flattening: float) -> np.ndarray:
    """Earth-fixed Cartesian -> geodetic (lat, lon [rad], h [km]), (..., 3).

    Bowring's (1976) iteration; three passes give sub-micrometre accuracy in LEO
    (Vallado 2013, Algorithm 13 uses the same fixed point).
    """
    e2 = flattening * (2.0 - flattening)
    b = radius_km * (1.0 - flattening)
    ep2 = e2 / (1.0 - e2)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    beta = np.arctan2(z, (1.0 - flattening) * p)
    for _ in range(4):
        lat = np.arctan2(z + ep2 * b * np.sin(beta) ** 3, p - e2 * radius_km * np.cos(beta) ** 3)
        beta = np.arctan2((1.0 - flattening) * np.sin(lat), np.cos(lat))
    slat = np.sin(lat)
    n = radius_km / np.sqrt(1.0 - e2 * slat**2)
    # Height formula that stays well conditioned at the poles and on the equator.
    h = p * np.cos(lat) + (z + e2 * n * slat) * slat - n
    return np.stack([lat, lon, h], axis=-1)


# ----------------------------------------------------------------------- public API
class RelativeState(NamedTuple):
    """Relative position and velocity in a named rotating frame (LVLH or RSW)."""

    r: u.Quantity
    v: u.Quantity
    frame: str


def _rv_of(state) -> np.ndarray:
    """(…, 6) km, km/s of a State, StateBatch, or anything with ``rv_km``."""
    try:
        return np.asarray(state.rv_km, dtype=float)
    except AttributeError:
        raise InputError(
            f"expected a State or StateBatch, got {type(state).__name__}", name="state"
        ) from None


def _to_relative(frame: str, target, chaser) -> RelativeState:
    rel = _inertial_to_relative(frame, _rv_of(target), _rv_of(chaser))
    return RelativeState(rel[..., :3] * u.km, rel[..., 3:] * (u.km / u.s), frame)


def _broadcast(name: str, *shapes) -> tuple:
    """The broadcast shape of ``shapes``, or an InputError naming them."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise InputError(
            f"{name} have shapes {', '.join(map(str, shapes))} that do not broadcast; "
            "expected one value or one per sample",
            name=name,
            value=shapes,
        ) from None


def _from_relative(frame: str, target, r, v):
    from .state import State, StateBatch

    rel = as_rv_km(r, v, "r", "v")
    out = _relative_to_inertial(frame, _rv_of(target), rel)
    epoch = target.epoch if hasattr(target, "epoch") else target.epochs
    if out.ndim == 1:
        return State.from_vectors(epoch, out[:3], out[3:])
    return StateBatch.from_vectors(epoch, out[..., :3], out[..., 3:])


def gcrs_to_lvlh(target, chaser) -> RelativeState:
    """Chaser position and rotating-frame velocity in the target's LVLH frame.

    ``target`` and ``chaser`` are :class:`~qingzhou_sim.state.State` or
    :class:`~qingzhou_sim.state.StateBatch` at the same epochs (broadcast).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> from qingzhou_sim.state import State
    >>> t = Time("2026-01-01T00:00:00", scale="utc")
    >>> station = State.from_elements(t, a=6768.137 * u.km, inc=41.5 * u.deg)
    >>> higher = State.from_elements(t, a=6769.137 * u.km, inc=41.5 * u.deg)
    >>> rel = gcrs_to_lvlh(station, higher)
    >>> round(float(rel.r[2].to_value(u.km)), 9)   # R-bar points down
    -1.0
    """
    return _to_relative("LVLH", target, chaser)


def gcrs_to_rsw(target, chaser) -> RelativeState:
    """Chaser position and rotating-frame velocity in the target's RSW (Hill) frame."""
    return _to_relative("RSW", target, chaser)


def lvlh_to_gcrs(target, r_lvlh: u.Quantity, v_lvlh: u.Quantity):
    """Inertial state of a chaser given relative to ``target`` in its LVLH frame."""
    return _from_relative("LVLH", target, r_lvlh, v_lvlh)


def rsw_to_gcrs(target, r_rsw: u.Quantity, v_rsw: u.Quantity):
    """Inertial state of a chaser given relative to ``target`` in its RSW frame."""
    return _from_relative("RSW", target, r_rsw, v_rsw)


def lvlh_to_rsw(r_lvlh: u.Quantity, v_lvlh: u.Quantity) -> RelativeState:
    """Re-express an LVLH relative state in RSW (a fixed axis permutation)."""
    x = _lvlh_to_rsw(as_rv_km(r_lvlh, v_lvlh, "r_lvlh", "v_lvlh"))
    return RelativeState(x[..., :3] * u.km, x[..., 3:] * (u.km / u.s), "RSW")


def rsw_to_lvlh(r_rsw: u.Quantity, v_rsw: u.Quantity) -> RelativeState:
    """Re-express an RSW relative state in LVLH (a fixed axis permutation)."""
    x = _rsw_to_lvlh(as_rv_km(r_rsw, v_rsw, "r_rsw", "v_rsw"))
    return RelativeState(x[..., :3] * u.km, x[..., 3:] * (u.km / u.s), "LVLH")


# ------------------------------------------------------------- Earth orientation
def _iers_cache_file() -> str | None:
    """Path of the cached IERS table for the installed IERS files and library versions
    (None if a file cannot be read: then astropy reads its tables as usual)."""
    import hashlib

    import astropy
    from astropy.utils import iers

    digest = hashlib.sha1(f"{astropy.__version__} {np.__version__}".encode())
    files = (iers.IERS_A_FILE, iers.IERS_A_README, iers.IERS_B_FILE, iers.IERS_B_README)
    try:
        for path in files:
            st = os.stat(path)
            digest.update(f"{os.path.abspath(path)} {st.st_size} {st.st_mtime_ns}".encode())
    except (OSError, TypeError):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "qingzhou_sim", "iers", digest.hexdigest()[:16] + ".npz")


def _write_iers_npz(table, path: str) -> None:
    """Write an IERS table's columns as plain arrays (no pickle), units and column kinds
    in a JSON header, atomically."""
    import json

    from astropy.table import MaskedColumn

    arrays, spec = {}, []
    for name in table.colnames:
        col = table[name]
        if isinstance(col, u.Quantity):
            arrays[name] = col.value
            spec.append([name, "quantity", col.unit.to_string()])
        elif isinstance(col, MaskedColumn):
            arrays[name] = np.asarray(col.data.data)
            arrays[name + "~mask"] = np.asarray(col.mask)
            spec.append([name, "masked", None])
        else:
            arrays[name] = np.asarray(col)
            spec.append([name, "column", None])
    meta = {k: v.item() if isinstance(v, np.generic) else v for k, v in table.meta.items()}
    arrays["~header"] = np.array(json.dumps({"columns": spec, "meta": meta}))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _read_iers_npz(path: str):
    """The IERS table written by :func:`_write_iers_npz` (``allow_pickle=False``)."""
    import json

    from astropy.table import Column, MaskedColumn
    from astropy.utils import iers

    with np.load(path, allow_pickle=False) as z:
        header = json.loads(str(z["~header"]))
        cols, names = [], []
        for name, kind, unit in header["columns"]:
            if kind == "quantity":
                cols.append(u.Quantity(z[name], unit, copy=False))
            elif kind == "masked":
                cols.append(MaskedColumn(z[name], mask=z[name + "~mask"], name=name))
            else:
                cols.append(Column(z[name], name=name))
            names.append(name)
    return iers.IERS_Auto(cols, names=names, meta=header["meta"])


def _use_cached_iers_table() -> None:
    """Give astropy its IERS-A/B Earth orientation table from the user cache.

    astropy parses the bundled ``finals2000A.all`` and ``eopc04`` text tables (~0.5 s)
    in every new process; the parsed table (what ``IERS_Auto.open()`` returns) is saved
    once as plain arrays (``.npz``, read without pickle) into
    ``~/.cache/qingzhou_sim/iers/`` under a key of the files' sizes and modification
    times and the astropy and numpy versions, and loaded from there in ~10 ms. Nothing
    changes when astropy has already opened its table, when a ``finals2000A.all`` in the
    working directory overrides the bundled one (astropy's rule), or when the cache
    cannot be read or written.
    """
    from astropy.utils import iers

    if iers.IERS_Auto.iers_table is not None or os.path.exists("finals2000A.all"):
        return
    path = _iers_cache_file()
    if path is None:
        return
    try:
        iers.IERS_Auto.iers_table = _read_iers_npz(path)
        return
    except Exception:  # missing, truncated or from another build: read and rewrite
        pass
    table = iers.IERS_Auto.open()
    try:
        _write_iers_npz(table, path)
    except OSError:
        pass


def _load_time_tables() -> None:
    """Load what astropy reads on a process's first Earth orientation and UTC
    conversion: the IERS table (:func:`_use_cached_iers_table`) and the leap-second
    table (its first UTC -> TAI conversion). ``qingzhou-sim run`` calls this first: its
    writer process, forked later, then has both too, and astropy's configuration items
    (created as ``astropy.utils.iers`` imports ``astropy.table``) look their module up
    among ~400 loaded modules instead of ~1200 after numba and scipy (``inspect.getmodule``
    scans every new module once: ~0.05 s less)."""
    _use_cached_iers_table()
    Time("2026-12-01T00:00:00", scale="utc").tai  # noqa: B018 (the leap-second check)


def _jd12(epochs: Time, scale: str):
    """(jd1, jd2) of ``epochs`` in ``scale``; astropy's rule beyond the IERS table: UT1
    falls back to the epochs' own scale with a warning
    (``astropy.coordinates.builtin_frames.utils.get_jd12``)."""
    from astropy.utils import iers

    try:
        t = getattr(epochs, scale)
    except iers.IERSRangeError as exc:
        from astropy.utils.exceptions import AstropyWarning

        warnings.warn(f"{exc}; using {epochs.scale} for {scale}", AstropyWarning, stacklevel=3)
        t = epochs
    return t.jd1, t.jd2


# The 50-year mean pole astropy uses outside the IERS table (arcsec; IERS Conventions
# 2010, sec. 7.1.4), as in astropy.coordinates.builtin_frames.utils._DEFAULT_PM.
_DEFAULT_PM_RAD = np.deg2rad(np.array([0.035, 0.29]) / 3600.0)


def _polar_motion(epochs: Time):
    """Polar motion (xp, yp) in rad from the IERS table, as astropy's
    ``get_polar_motion`` (the mean pole, with a warning, outside the table)."""
    from astropy.utils import iers
    from astropy.utils.exceptions import AstropyWarning

    xp, yp, status = iers.earth_orientation_table.get().pm_xy(epochs, return_status=True)
    xp, yp = np.array(xp.to_value(u.rad)), np.array(yp.to_value(u.rad))
    outside = (status == iers.TIME_BEFORE_IERS_RANGE) | (status == iers.TIME_BEYOND_IERS_RANGE)
    if np.any(outside):
        xp[outside], yp[outside] = _DEFAULT_PM_RAD
        warnings.warn(
            "polar motion requested outside the IERS table; using the 50-year mean pole",
            AstropyWarning,
            stacklevel=3,
        )
    return xp, yp


# Earth orientations computed ahead by another process (``qingzhou-sim run``: the
# launch search's samples, see cli._start_orientation_ahead): {key: (c2i, c2t)}, each
# used once; key: :func:`_orientation_key` of the epochs.
_ORIENTATION_AHEAD: dict = {}


def _orientation_key(epochs: Time):
    """What :func:`_earth_orientation` depends on (its epochs' scale and two-part Julian
    dates), or None for epochs with a location."""
    if epochs.location is not None:
        return None
    jd1, jd2 = np.asarray(epochs.jd1), np.asarray(epochs.jd2)
    return (epochs.scale, jd1.shape, jd1.tobytes(), jd2.tobytes())


def _earth_orientation(epochs: Time):
    """The two rotations of astropy's GCRS -> ITRS at ``epochs`` (..., 3, 3):
    ``c2i`` GCRS -> CIRS (IAU 2006/2000A, ``erfa.c2i06a``) and ``c2t`` CIRS -> ITRS
    (Earth rotation angle and polar motion with the TIO locator, ``erfa.c2tcio``).

    References
    ----------
    Petit & Luzum (2010), IERS Conventions, Technical Note 36, sec. 5.4.4 (eq. 5.1);
    astropy ``gcrs_to_cirs_mat`` and ``cirs_to_itrs_mat``.
    """
    import erfa

    if _ORIENTATION_AHEAD:
        ahead = _ORIENTATION_AHEAD.pop(_orientation_key(epochs), None)
        if ahead is not None:
            return ahead
    _use_cached_iers_table()
    tt1, tt2 = _jd12(epochs, "tt")
    xp, yp = _polar_motion(epochs)
    pom = erfa.pom00(xp, yp, erfa.sp00(tt1, tt2))
    c2t = erfa.c2tcio(np.eye(3), erfa.era00(*_jd12(epochs, "ut1")), pom)
    return erfa.c2i06a(tt1, tt2), c2t


def _teme_itrs_matrix(epochs: Time) -> np.ndarray:
    """TEME -> ITRS rotation (..., 3, 3) as astropy's ``teme_to_itrs_mat``: GMST 1982
    and polar motion without the TIO locator (Vallado et al. 2006, AIAA 2006-6753)."""
    import erfa

    _use_cached_iers_table()
    xp, yp = _polar_motion(epochs)
    return erfa.c2tcio(np.eye(3), erfa.gmst82(*_jd12(epochs, "ut1")), erfa.pom00(xp, yp, 0.0))


def _gcrs_itrs_kernel(epochs: Time, r_km: np.ndarray, v_km_s: np.ndarray | None, *, to_itrs: bool):
    if v_km_s is None:
        import erfa

        c2i, c2t = _earth_orientation(epochs)
        r = np.asarray(r_km, dtype=float)
        if to_itrs:
            return erfa.rxp(c2t, erfa.rxp(c2i, r)), None
        return erfa.rxp(np.swapaxes(c2i, -1, -2), erfa.rxp(np.swapaxes(c2t, -1, -2), r)), None
    return _gcrs_itrs_astropy(epochs, r_km, v_km_s, to_itrs=to_itrs)


def _gcrs_itrs_astropy(epochs: Time, r_km: np.ndarray, v_km_s: np.ndarray, *, to_itrs: bool):
    """Positions and velocities through astropy's transform graph (its velocities are
    finite differences of the frame transformation)."""
    from astropy.coordinates import GCRS, ITRS, CartesianDifferential, CartesianRepresentation

    _use_cached_iers_table()
    rep = CartesianRepresentation(np.moveaxis(r_km, -1, 0) * u.km).with_differentials(
        CartesianDifferential(np.moveaxis(v_km_s, -1, 0) * (u.km / u.s))
    )
    if to_itrs:
        out = GCRS(rep, obstime=epochs).transform_to(ITRS(obstime=epochs))
    else:
        out = ITRS(rep, obstime=epochs).transform_to(GCRS(obstime=epochs))
    cart = out.cartesian
    r = np.moveaxis(cart.xyz.to_value(u.km), 0, -1)
    v = np.moveaxis(cart.differentials["s"].d_xyz.to_value(u.km / u.s), 0, -1)
    return r, v


def _earth_fixed_args(epochs, r, v, frame: str):
    """Checked (epochs, r km, v km/s or None): epochs scalar or one per position."""
    epochs = as_time(epochs, "epochs")
    if v is None:
        r_km, v_km_s = as_array(r, u.km, f"r_{frame}", shape=(..., 3)), None
    else:
        rv = as_rv_km(r, v, f"r_{frame}", f"v_{frame}")
        r_km, v_km_s = rv[..., :3], rv[..., 3:]
    if not epochs.isscalar and epochs.shape != r_km.shape[:-1]:
        raise InputError(
            f"epochs has shape {epochs.shape} but r_{frame} has shape {r_km.shape}; "
            "expected a scalar epoch or one epoch per position",
            name="epochs",
            value=epochs.shape,
            valid=f"() or {r_km.shape[:-1]}",
        )
    return epochs, check_geocentric(r_km, f"r_{frame}"), v_km_s


def gcrs_to_itrs(epochs: Time, r_gcrs: u.Quantity, v_gcrs: u.Quantity | None = None):
    """Inertial (GCRS) -> Earth-fixed (ITRS) positions (and velocities), vectorised.

    Parameters
    ----------
    epochs : Time, scalar or (n,)
    r_gcrs : Quantity (3,) or (n, 3)
    v_gcrs : Quantity, same shape, optional

    Returns
    -------
    (r_itrs, v_itrs) Quantities; ``v_itrs`` is None when no velocity was given.
    """
    epochs, r, v = _earth_fixed_args(epochs, r_gcrs, v_gcrs, "gcrs")
    r_out, v_out = _gcrs_itrs_kernel(epochs, r, v, to_itrs=True)
    return r_out * u.km, None if v_out is None else v_out * (u.km / u.s)


def itrs_to_gcrs(epochs: Time, r_itrs: u.Quantity, v_itrs: u.Quantity | None = None):
    """Earth-fixed (ITRS) -> inertial (GCRS), the inverse of :func:`gcrs_to_itrs`."""
    epochs, r, v = _earth_fixed_args(epochs, r_itrs, v_itrs, "itrs")
    r_out, v_out = _gcrs_itrs_kernel(epochs, r, v, to_itrs=False)
    return r_out * u.km, None if v_out is None else v_out * (u.km / u.s)


def geodetic_to_itrs(
    lat: u.Quantity, lon: u.Quantity, height: u.Quantity, earth: EarthModel = EARTH
) -> u.Quantity:
    """Geodetic latitude, longitude and height above the ellipsoid -> ITRS position.

    Raises
    ------
    InputError
        If the latitude is outside [-90, 90] deg or a value is not finite.
    """
    lat_rad = as_array(lat, u.rad, "lat")
    if np.any(np.abs(lat_rad) > np.pi / 2 + 1e-12):
        raise InputError(
            f"latitude {np.rad2deg(lat_rad)} deg is outside [-90, 90] deg",
            name="lat",
            value=np.rad2deg(lat_rad),
            valid="[-90, 90] deg",
        )
    lon_rad, h_km = as_array(lon, u.rad, "lon"), as_array(height, u.km, "height")
    _broadcast("lat, lon, height", lat_rad.shape, lon_rad.shape, h_km.shape)
    r = _geodetic_to_ecef(
        lat_rad,
        lon_rad,
        h_km,
        earth.radius_km,
        earth.flattening,
    )
    return r * u.km


def itrs_to_geodetic(r_itrs: u.Quantity, earth: EarthModel = EARTH):
    """ITRS position -> (lat, lon, height) Quantities on the WGS-84 ellipsoid."""
    r_km = check_geocentric(as_array(r_itrs, u.km, "r_itrs", shape=(..., 3)), "r_itrs")
    g = _ecef_to_geodetic(r_km, earth.radius_km, earth.flattening)
    return (g[..., 0] * u.rad).to(u.deg), (g[..., 1] * u.rad).to(u.deg), g[..., 2] * u.km


def gcrs_to_geodetic(epochs: Time, r_gcrs: u.Quantity, earth: EarthModel = EARTH):
    """Inertial positions -> geodetic (lat, lon, height) via ITRS."""
    r_itrs, _ = gcrs_to_itrs(epochs, r_gcrs)
    return itrs_to_geodetic(r_itrs, earth)


class GroundTrack(NamedTuple):
    """Sub-satellite points: epochs, geodetic latitude, longitude in (-180, 180] deg,
    and height above the ellipsoid."""

    epochs: Time
    lat: u.Quantity
    lon: u.Quantity
    height: u.Quantity


def ground_track(
    epochs, r_gcrs: u.Quantity | None = None, earth: EarthModel = EARTH
) -> GroundTrack:
    """Ground track of inertial positions ``r_gcrs`` (n, 3) at ``epochs`` (n,).

    A Trajectory or an Ephemeris (anything with ``epochs`` and ``r_km``) can be passed
    alone: ``ground_track(traj)``.
    """
    if r_gcrs is None:
        if not (hasattr(epochs, "epochs") and hasattr(epochs, "r_km")):
            raise InputError(
                f"ground_track() needs r_gcrs with epochs of type {type(epochs).__name__}; "
                "pass (epochs, r_gcrs) or a Trajectory or Ephemeris alone",
                name="r_gcrs",
                value=None,
                valid="Quantity (n, 3), or a Trajectory/Ephemeris as the only argument",
            )
        epochs, r_gcrs = epochs.epochs, np.asarray(epochs.r_km, dtype=float) * u.km
    epochs = as_time(epochs, "epochs")
    check_finite(as_array(r_gcrs, u.km, "r_gcrs", shape=(..., 3)), "r_gcrs")
    lat, lon, h = gcrs_to_geodetic(epochs, r_gcrs, earth)
    lon = ((lon.to_value(u.deg) + 180.0) % 360.0 - 180.0) * u.deg
    return GroundTrack(epochs, lat, lon, h)
