"""Files in and out: CCSDS OEM ephemerides (KVN), CZML for Cesium (``czml3``), JSON
summaries, TOML mission files, and atomic writes (temporary file, then rename) for every output.

Nothing here drives the simulation; it reads and writes plain data. No ``eval``, no
``pickle``: mission files are TOML parsed by :mod:`tomllib`, ephemerides are text.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import EARTH, as_quantity, as_time, check_geocentric
from .errors import EpochOrderError, InputError, MissionFileError, UnknownNameError

__all__ = [
    "OEM_VERSION",
    "OemSegment",
    "atomic_write",
    "read_oem",
    "read_toml",
    "to_json",
    "toml_dumps",
    "mission_czml",
    "write_czml",
    "write_oem",
]


def atomic_write(path, write) -> Path:
    """Write ``path`` atomically: ``write(tmp)`` fills a temporary file in the same
    directory, which is flushed to disk and renamed over ``path`` (``os.replace``).

    Readers see the old file or the new one, never a truncated one (a full disk or an
    interrupt while writing leaves ``path`` as it was and removes the temporary file).

    Parameters
    ----------
    path : str or Path
        The file to write.
    write : callable
        ``write(tmp_path)`` writes the whole content to ``tmp_path`` (a ``Path``).

    Returns
    -------
    Path

    Raises
    ------
    OSError
        From the file system, with the file name (nothing is left behind).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an output file is not
        write(Path(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


OEM_VERSION = "3.0"
"""The OEM version written: CCSDS 502.0-B-3 (Orbit Data Messages, Blue Book, 2023)."""

# Time systems read and written, as astropy scales (CCSDS 502.0-B-3, annex A, table A-2).
_OEM_TIME_SCALES = {"UTC": "utc", "TAI": "tai", "TT": "tt", "TDB": "tdb", "TCB": "tcb",
                    "TCG": "tcg", "UT1": "ut1"}  # fmt: skip
_HALF_US = 0.5e-6  # s: half the printed resolution of an epoch
_LAGRANGE_DEGREE = 7  # 8 samples 60 s apart: sub-millimetre in LEO (checked in the tests)


@dataclass(frozen=True, repr=False)
class OemSegment:
    """One segment of an OEM file: its metadata (keyword -> text) and its states.

    Attributes
    ----------
    metadata : dict
        The segment's metadata keywords (``OBJECT_NAME``, ``REF_FRAME``, ...) as text;
        the states are as in the file (``REF_FRAME``, ``CENTER_NAME``: no rotation).
    epochs : Time (n,)
    r_km : ndarray (n, 3)
        Positions in km (the unit of OEM files).
    v_km_s : ndarray (n, 3)
        Velocities in km/s.
    """

    metadata: dict
    epochs: Time
    r_km: np.ndarray
    v_km_s: np.ndarray

    @property
    def r(self) -> u.Quantity:
        return self.r_km * u.km

    @property
    def v(self) -> u.Quantity:
        return self.v_km_s * (u.km / u.s)

    def __len__(self) -> int:
        return len(self.r_km)

    def __repr__(self) -> str:
        meta = self.metadata
        span = f"{self.epochs[0].isot} to {self.epochs[-1].isot}" if len(self) else "empty"
        return (
            f"OemSegment({meta.get('OBJECT_NAME', '?')}, {meta.get('REF_FRAME', '?')}, "
            f"{meta.get('TIME_SYSTEM', '?')}: {len(self)} states, {span})"
        )


def write_oem(
    path,
    epochs: Time,
    r: u.Quantity,
    v: u.Quantity,
    *,
    object_name: str,
    object_id: str,
    breaks=None,
    originator: str = "qingzhou_sim",
    time_system: str = "UTC",
    comment: str | None = None,
) -> Path:
    """Write a CCSDS Orbit Ephemeris Message, version 3.0 (CCSDS 502.0-B-3), KVN form.

    ``REF_FRAME = GCRF``, ``CENTER_NAME = EARTH``: qingzhou_sim's inertial frame is the
    geocentric celestial reference system (astropy's GCRS, ICRF-aligned axes); GCRF is
    its CCSDS/SANA name (the names CCSDS allows do not include "GCRS"). Positions are
    written in km, velocities in km/s (the units OEM requires, 502.0-B-3 sec. 5.2.4).

    A new segment starts at each epoch of ``breaks`` (the burns: an impulsive burn makes
    the velocity jump, which no interpolation across it can follow), so that each
    segment is one coast arc; a burn epoch's sample (the post-burn state) opens its
    segment. Each segment of at least two samples says how to interpolate it:
    ``INTERPOLATION = LAGRANGE`` with ``INTERPOLATION_DEGREE`` 7 (or the number of
    samples minus one).

    Epochs are printed in ``time_system`` to the microsecond (the resolution the
    independent ``oem`` reader keeps) and each state is moved to its printed epoch by a
    second-order Taylor step in point-mass gravity, so that state and stamp agree
    (the step is under 0.5 us: the error is below 1e-15 km).

    Parameters
    ----------
    path : str or Path
    epochs : Time (n,)
        Strictly increasing (after rounding to the microsecond) within each segment;
        a sample that repeats the one before (same epoch and state) is written once.
    r : Quantity (n, 3)
        Positions (any length unit; converted to km), GCRS.
    v : Quantity (n, 3)
        Velocities (any speed unit; converted to km/s), GCRS.
    object_name, object_id : str
    breaks : Time, optional
        Epochs at which a new segment starts (burn epochs). Epochs at or before the
        first sample or after the last one are ignored.
    originator : str
    time_system : {"UTC", "TAI", "TT", "TDB", "TCB", "TCG", "UT1"}
    comment : str, optional
        Written as COMMENT lines in the header.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        ``r`` or ``v`` without a unit or with the wrong one, wrong shapes, or
        non-finite values; :class:`~qingzhou_sim.errors.OrbitRangeError` for a position
        that is not geocentric (``|r|`` outside 1 km to 1e8 km: zero, overflowing);
        :class:`~qingzhou_sim.errors.EpochOrderError` for epochs
        that do not increase within a segment; :class:`UnknownNameError` for an
        unsupported ``time_system``.

    References
    ----------
    CCSDS 502.0-B-3, Orbit Data Messages (2023), sec. 5 (OEM) and annex A (frames and
    time systems).
    """
    path = Path(path)
    epochs = as_time(epochs, "epochs")
    epochs = epochs.reshape(-1) if epochs.shape else epochs.reshape(1)
    r_km = check_geocentric(_state_array(r, u.km, "r", len(epochs)), "r")
    v_km_s = _state_array(v, u.km / u.s, "v", len(epochs))
    if time_system not in _OEM_TIME_SCALES:
        raise UnknownNameError("OEM time system", time_system, tuple(_OEM_TIME_SCALES))
    stamps, dt_s = _oem_stamps(epochs, _OEM_TIME_SCALES[time_system])
    r_km, v_km_s = _taylor_shift(r_km, v_km_s, dt_s)
    keep = _not_repeated(stamps, r_km, v_km_s)
    epochs, stamps, r_km, v_km_s = epochs[keep], stamps[keep], r_km[keep], v_km_s[keep]
    lines = [
        f"CCSDS_OEM_VERS = {OEM_VERSION}",
        *(f"COMMENT {line}" for line in (comment or "").splitlines()),
        f"CREATION_DATE = {_oem_stamps(Time.now(), 'utc')[0][0]}",
        f"ORIGINATOR = {originator}",
    ]
    for lo, hi in _segment_bounds(epochs, breaks):
        _check_increasing(stamps[lo:hi], lo)
        lines += ["", "META_START", f"OBJECT_NAME = {object_name}", f"OBJECT_ID = {object_id}",
                  "CENTER_NAME = EARTH", "REF_FRAME = GCRF", f"TIME_SYSTEM = {time_system}",
                  f"START_TIME = {stamps[lo]}", f"STOP_TIME = {stamps[hi - 1]}"]  # fmt: skip
        if hi - lo >= 2:
            lines += ["INTERPOLATION = LAGRANGE",
                      f"INTERPOLATION_DEGREE = {min(_LAGRANGE_DEGREE, hi - lo - 1)}"]  # fmt: skip
        lines += ["META_STOP", ""]
        lines += [
            f"{stamps[k]} {r[0]:.9f} {r[1]:.9f} {r[2]:.9f} {v[0]:.12f} {v[1]:.12f} {v[2]:.12f}"
            for k, r, v in zip(range(lo, hi), r_km[lo:hi], v_km_s[lo:hi])
        ]
    text = "\n".join(lines) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text))


def _state_array(value, unit, name: str, n: int) -> np.ndarray:
    array = np.asarray(as_quantity(value, unit, name).to_value(unit), dtype=float)
    if array.shape != (n, 3):
        raise InputError(
            f"{name} has shape {array.shape}; expected ({n}, 3), one row per epoch",
            name=name,
            value=array.shape,
            valid=f"shape ({n}, 3)",
        )
    return array


def _oem_stamps(epochs: Time, scale: str) -> tuple[np.ndarray, np.ndarray]:
    """ISO stamps in ``scale`` rounded to the microsecond, and the rounding (printed
    epoch minus true epoch, s)."""
    t = getattr(epochs, scale)
    stamps = np.atleast_1d(Time(t, precision=6).isot)
    printed = Time(list(stamps), format="isot", scale=scale)
    return stamps, np.atleast_1d((printed - t).to_value(u.s))


def _taylor_shift(r_km, v_km_s, dt_s):
    """States moved by ``dt_s`` (sub-microsecond) in point-mass gravity (second order)."""
    rn = np.linalg.norm(r_km, axis=1, keepdims=True)
    a = -EARTH.mu_km3_s2 * r_km / rn**3
    dt = dt_s[:, None]
    return r_km + v_km_s * dt + 0.5 * a * dt**2, v_km_s + a * dt


def _not_repeated(stamps, r_km, v_km_s) -> np.ndarray:
    """Indices without the samples that repeat the one before (same printed epoch, same
    state to the printed digits): the same sample given twice is written once."""
    same = (stamps[1:] == stamps[:-1]) & np.all(
        np.abs(np.hstack([r_km[1:] - r_km[:-1], (v_km_s[1:] - v_km_s[:-1]) * 1e3])) < 1e-9,
        axis=1,
    )
    return np.flatnonzero(np.concatenate([[True], ~same]))


def _segment_bounds(epochs: Time, breaks) -> list[tuple[int, int]]:
    """(first, end) sample indices of the segments: a new one at each break epoch."""
    n = len(epochs)
    if breaks is None:
        return [(0, n)]
    breaks = as_time(breaks, "breaks")
    t = (epochs - epochs[0]).to_value(u.s)
    tb = np.atleast_1d((breaks - epochs[0]).to_value(u.s))
    # The last sample at a break epoch (to the printed microsecond) opens the new
    # segment: before a burn's post-burn state may come its pre-burn state.
    cuts = np.searchsorted(t, tb + _HALF_US, side="right")
    at_break = (cuts > 0) & (np.abs(t[np.maximum(cuts - 1, 0)] - tb) <= _HALF_US)
    cuts = np.unique(cuts - at_break)
    edges = [0, *(int(c) for c in cuts if 0 < c < n), n]
    return list(zip(edges[:-1], edges[1:]))


def _check_increasing(stamps: np.ndarray, offset: int) -> None:
    bad = np.flatnonzero(stamps[1:] <= stamps[:-1])
    if bad.size:
        k = int(bad[0]) + offset
        raise EpochOrderError(
            f"epochs[{k + 1}] = {stamps[bad[0] + 1]} does not follow epochs[{k}] = "
            f"{stamps[bad[0]]} in its OEM segment (to the microsecond); expected strictly "
            "increasing epochs within a segment (a burn starts a new one: pass its epoch "
            "in breaks)",
            name="epochs",
            value=str(stamps[bad[0] + 1]),
            valid="strictly increasing within a segment",
        )


def read_oem(path) -> list[OemSegment]:
    """Read the segments of a CCSDS OEM file in KVN form (versions 1.0 to 3.0).

    Reads what other tools write: COMMENT lines anywhere, any number of fractional
    digits, calendar or day-of-year epochs (``2026-05-01T00:00:00.5``,
    ``2026-121T00:00:00``) with or without a trailing ``Z``, numbers in fixed or
    exponent form, optional accelerations (ignored), covariance blocks (skipped).
    States are returned as written (km, km/s, in the segment's ``REF_FRAME``).

    Raises
    ------
    MissionFileError
        The file cannot be read, is not a KVN OEM, has a malformed data line or an
        unsupported ``TIME_SYSTEM``; the message names the file and line.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionFileError(
            f"cannot read OEM file {path}: {getattr(exc, 'strerror', None) or exc}",
            name="path",
            value=str(path),
        ) from None
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first.startswith("CCSDS_OEM_VERS"):
        raise MissionFileError(
            f"{path}: not a KVN OEM file (it must start with CCSDS_OEM_VERS; XML OEMs are "
            "not read)",
            name="path",
            value=str(path),
        )
    segments: list[OemSegment] = []
    meta: dict | None = None
    rows: list[tuple[int, list[str]]] = []
    in_meta = in_cov = False
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        if line == "META_START":
            _flush_segment(path, meta, rows, segments)
            meta, rows, in_meta = {}, [], True
        elif line == "META_STOP":
            in_meta = False
        elif line in ("COVARIANCE_START", "COVARIANCE_STOP"):
            in_cov = line == "COVARIANCE_START"
        elif in_meta:
            key, _, value = line.partition("=")
            meta[key.strip()] = value.strip()
        elif in_cov or meta is None or "=" in line:
            continue  # header keywords, covariance data
        else:
            rows.append((lineno, line.split()))
    _flush_segment(path, meta, rows, segments)
    return segments


def _flush_segment(path, meta, rows, segments) -> None:
    if meta is None or not rows:
        return
    system = meta.get("TIME_SYSTEM", "UTC").upper()
    if system not in _OEM_TIME_SCALES:
        raise MissionFileError(
            f"{path}: TIME_SYSTEM = {system} (segment starting at line {rows[0][0]}) is not "
            f"read; expected one of: {', '.join(_OEM_TIME_SCALES)}",
            name="TIME_SYSTEM",
            value=system,
            valid=tuple(_OEM_TIME_SCALES),
        )
    stamps, data = [], []
    for lineno, parts in rows:
        try:
            if len(parts) not in (7, 10):
                raise ValueError(f"{len(parts)} fields; expected 7 (epoch, r, v) or 10")
            data.append([float(x) for x in parts[1:7]])
            stamps.append(_isot(parts[0]))
        except ValueError as exc:
            raise MissionFileError(
                f"{path}:{lineno}: malformed ephemeris line: {exc}", name="line", value=lineno
            ) from None
    try:
        epochs = Time(stamps, format="isot", scale=_OEM_TIME_SCALES[system])
    except ValueError as exc:
        raise MissionFileError(
            f"{path}: bad epoch in the segment starting at line {rows[0][0]}: {exc}",
            name="line",
            value=rows[0][0],
        ) from None
    array = np.array(data)
    segments.append(OemSegment(dict(meta), epochs, array[:, :3], array[:, 3:]))


def _isot(stamp: str) -> str:
    """A CCSDS epoch as astropy 'isot' text: day-of-year form converted, 'Z' dropped."""
    stamp = stamp.removesuffix("Z")
    date, sep, clock = stamp.partition("T")
    if not sep:
        raise ValueError(f"epoch {stamp!r} has no 'T'")
    if date.count("-") == 1:  # YYYY-DDD
        year, doy = date.split("-")
        day = datetime.date(int(year), 1, 1) + datetime.timedelta(days=int(doy) - 1)
        date = day.isoformat()
    return f"{date}T{clock}"


def write_czml(path, result) -> Path:
    """Write a mission as CZML (checked with ``czml3``) so that it can be replayed in
    Cesium.

    One document: the clock runs from liftoff to the end of the run (hard dock when
    docked); Qingzhou and Tiangong each have a sampled position (inertial, metres, from
    their ephemerides: Cesium's ``INERTIAL`` frame is ICRF-aligned and geocentric, as
    our GCRS), a path, a point and a label; the chaser's label names the last timeline
    event and its description lists the whole timeline. For display: the OEM files are
    the exchange format (CZML interpolates across the burns).

    The file is the text ``czml3`` writes for :func:`mission_czml` (its field order and
    number format, compact), made here from the packets' plain data without importing
    czml3 and pydantic (~0.15 s of a ``qingzhou-sim run``); tests check the two equal.

    Parameters
    ----------
    path : str or Path
    result : qingzhou_sim.mission.MissionResult

    Returns
    -------
    Path

    References
    ----------
    CZML Guide and Packet reference, github.com/AnalyticalGraphicsInc/czml-writer/wiki.
    """
    text = _czml_text(_czml_packets(result))
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def mission_czml(result):
    """The CZML document of :func:`write_czml` as a ``czml3.Document`` (validated by
    czml3's models)."""
    from czml3 import Document

    return Document.model_validate(_czml_packets(result))


def _czml_packets(result) -> list:
    """The packets of :func:`write_czml` as plain data: each key in the order of
    czml3's models (``czml3.Packet`` and the property models), no None values."""
    start, end = _czml_time(result.liftoff), _czml_time(result.end)
    timeline = [(ev.name, ev.epoch) for ev in result.events]
    document = {
        "id": "document",
        "name": f"qingzhou_sim mission {result.mission.name}",
        "version": "1.0",
        "clock": {
            "currentTime": start,
            "multiplier": 60.0,
            "range": "CLAMPED",
            "step": "SYSTEM_CLOCK_MULTIPLIER",
            "interval": f"{start}/{end}",
        },
    }
    duration_s = float((result.end - result.liftoff).to_value(u.s))
    chaser = _vehicle_packet(
        "qingzhou",
        result.mission.chaser.title(),
        result.chaser,
        (255, 140, 0),
        duration_s,
        timeline,
    )
    station = _vehicle_packet(
        "tiangong",
        result.mission.station_vehicle.title(),
        result.station,
        (0, 200, 255),
        5600.0,
        None,
    )
    return [document, chaser, station]


def _czml_time(epoch: Time) -> str:
    return Time(epoch.utc, precision=6).isot + "Z"


def _vehicle_packet(key, name, eph, rgb, trail_s, timeline) -> dict:
    """One vehicle: sampled inertial position (m), path trailing ``trail_s`` seconds,
    point, label (with the timeline: the last event's name, and the list as HTML)."""
    t_s = (eph.epochs - eph.epochs[0]).to_value(u.s)
    keep = np.concatenate([[True], np.diff(t_s) > _HALF_US])  # a repeated sample once
    samples = np.column_stack([t_s[keep], eph.r_km[keep] * 1e3])
    first, last = _czml_time(eph.epochs[0]), _czml_time(eph.epochs[-1])
    packet = {"id": key, "name": name}
    text = name
    if timeline:
        stops = [_czml_time(t) for _, t in timeline[1:]] + [last]
        text = [
            {"interval": f"{_czml_time(t)}/{stop}", "string": f"{name}: {event}"}
            for (event, t), stop in zip(timeline, stops)
        ]
        rows = "".join(f"<tr><td>{e}</td><td>{_czml_time(t)}</td></tr>" for e, t in timeline)
        packet["description"] = f"<table><tr><th>event</th><th>UTC</th></tr>{rows}</table>"
    color = {"rgba": [*rgb, 255]}
    packet.update(
        availability=f"{first}/{last}",
        position={
            "epoch": first,
            "interpolationAlgorithm": "LAGRANGE",
            "interpolationDegree": 5,
            "referenceFrame": "INERTIAL",
            "cartesian": samples.ravel().tolist(),
        },
        label={"text": text, "font": "12pt sans-serif", "fillColor": color},
        path={
            "show": True,
            "leadTime": 0.0,
            "trailTime": float(trail_s),
            "width": 2.0,
            "resolution": 60.0,
            "material": {"solidColor": {"color": color}},
        },
        point={"pixelSize": 8.0, "color": color},
    )
    return packet


def _czml_text(obj) -> str:
    """Compact JSON of ``obj`` (dicts, lists, str, bool, int, float) with the number
    format of pydantic's JSON (what czml3 writes): :func:`_json_float`."""
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_czml_text(k)}:{_czml_text(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        if all(type(v) is float for v in obj):
            return "[" + ",".join(map(_json_float, obj)) + "]"
        return "[" + ",".join(map(_czml_text, obj)) + "]"
    if isinstance(obj, float):
        return _json_float(obj)
    return json.dumps(obj, ensure_ascii=False)


def _json_float(x: float) -> str:
    """``x`` as pydantic's JSON writes a float (Rust's shortest round trip): Python's
    ``repr`` except 1e-5 <= |x| < 1e-4 written out (``0.000015``), negative exponents
    without their leading zero (``1e-7``), and NaN and infinities as ``null``."""
    if not math.isfinite(x):
        return "null"
    text = repr(x)
    if "e-" not in text:
        return text
    mantissa, exponent = text.split("e-")
    if int(exponent) != 5:
        return f"{mantissa}e-{int(exponent)}"
    sign, digits = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
    return f"{sign}0.0000{digits.replace('.', '')}"


def _jsonable(obj):
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Time):
        return obj.utc.isot + "Z" if obj.isscalar else [t + "Z" for t in obj.utc.isot]
    if isinstance(obj, u.Quantity):
        return _jsonable(obj.value.tolist())
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj


def to_json(obj, **kwargs) -> str:
    """JSON text of plain data, numpy values and astropy Times (ISO UTC with 'Z');
    non-finite floats become ``null`` so that the output is valid JSON."""
    return json.dumps(_jsonable(obj), **kwargs)


# A mission file is a few kilobytes; a megabyte is not a mission file.
_MAX_TOML_BYTES = 1 << 20


def read_toml(path) -> dict:
    """Parse a TOML file, turning every failure into :class:`MissionFileError`: an
    unreadable or too large file, bytes that are not UTF-8 (with their line), a syntax
    error (with the parser's line and column), nesting deeper than the parser handles."""
    return _read_toml_text(path)[1]


def _read_toml_text(path) -> tuple[str, dict]:
    """``(text, data)`` of a TOML file: as :func:`read_toml`, also returning the text
    (for callers that report the line of a key)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > _MAX_TOML_BYTES:
            raise MissionFileError(
                f"{path}: {size} bytes; a mission file is at most {_MAX_TOML_BYTES} bytes",
                name="path",
                value=str(path),
                valid=f"<= {_MAX_TOML_BYTES} bytes",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise MissionFileError(
            f"cannot read mission file {path}: {exc.strerror or exc}", name="path", value=str(path)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MissionFileError(
            f"{path}, line {line}: byte {raw[exc.start : exc.start + 1]!r} is not UTF-8; "
            "TOML files are UTF-8 text",
            name="path",
            value=str(path),
            valid="UTF-8",
        ) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionFileError(
            f"{path}: malformed TOML: {exc}", name="path", value=str(path)
        ) from None
    except RecursionError:
        raise MissionFileError(
            f"{path}: TOML nested too deeply (the parser stops at ~1000 levels); "
            "a mission file nests a few tables",
            name="path",
            value=str(path),
            valid="a few levels of nesting",
        ) from None


def toml_dumps(data: Mapping) -> str:
    """TOML text of a nested mapping (via ``tomli_w``, the writer paired with tomllib)."""
    import tomli_w

    return tomli_w.dumps(_jsonable(_drop_none(data)))


def _drop_none(data):
    if isinstance(data, Mapping):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list | tuple):
        return [_drop_none(v) for v in data]
    return data
