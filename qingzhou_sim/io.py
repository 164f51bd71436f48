"""Files in and out: CCSDS OEM ephemerides (KVN), JSON summaries, TOML mission files.

Nothing here drives the simulation; it reads and writes plain data. No ``eval``, no
``pickle``: mission files are TOML parsed by :mod:`tomllib`, ephemerides are text.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import as_time
from .errors import MissionFileError

__all__ = ["OemSegment", "read_oem", "read_toml", "to_json", "toml_dumps", "write_oem"]


class OemSegment:
    """One segment of an OEM file: metadata and (epochs, r [km], v [km/s])."""

    def __init__(self, metadata: dict, epochs: Time, r_km: np.ndarray, v_km_s: np.ndarray):
        self.metadata = metadata
        self.epochs = epochs
        self.r_km = r_km
        self.v_km_s = v_km_s


def write_oem(
    path,
    epochs: Time,
    r_km: np.ndarray,
    v_km_s: np.ndarray,
    *,
    object_name: str,
    object_id: str,
    originator: str = "qingzhou_sim",
    center_name: str = "EARTH",
    ref_frame: str = "GCRS",
    time_system: str = "UTC",
    comment: str | None = None,
) -> Path:
    """Write a CCSDS Orbit Ephemeris Message (OEM 2.0, KVN form; CCSDS 502.0-B-3, sec. 5).

    Epochs are written in UTC with microsecond digits (sub-millimetre at LEO speeds is
    not needed for an ephemeris exchange, 1 us is 7.7 mm).
    """
    path = Path(path)
    epochs = as_time(epochs, "epochs")
    r_km = np.atleast_2d(np.asarray(r_km, dtype=float))
    v_km_s = np.atleast_2d(np.asarray(v_km_s, dtype=float))
    if time_system != "UTC":
        raise MissionFileError(
            f"time_system {time_system!r} not supported; use 'UTC'", name="time_system"
        )
    stamps = _iso_us(epochs)
    lines = [
        "CCSDS_OEM_VERS = 2.0",
        f"CREATION_DATE = {Time.now().utc.isot}",
        f"ORIGINATOR = {originator}",
        "",
        "META_START",
        f"OBJECT_NAME = {object_name}",
        f"OBJECT_ID = {object_id}",
        f"CENTER_NAME = {center_name}",
        f"REF_FRAME = {ref_frame}",
        f"TIME_SYSTEM = {time_system}",
        f"START_TIME = {stamps[0]}",
        f"STOP_TIME = {stamps[-1]}",
        "META_STOP",
        "",
    ]
    if comment:
        lines += [f"COMMENT {line}" for line in comment.splitlines()]
    for stamp, r, v in zip(stamps, r_km, v_km_s):
        lines.append(
            f"{stamp} {r[0]: .9f} {r[1]: .9f} {r[2]: .9f} {v[0]: .12f} {v[1]: .12f} {v[2]: .12f}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _iso_us(epochs: Time) -> np.ndarray:
    t = epochs.utc
    t = Time(t, precision=6)
    return np.atleast_1d(t.isot)


def read_oem(path) -> list[OemSegment]:
    """Read the segments of an OEM file in KVN form (the subset :func:`write_oem` writes:
    metadata blocks and ephemeris lines; covariance blocks are skipped)."""
    path = Path(path)
    segments: list[OemSegment] = []
    meta: dict | None = None
    rows: list[list[str]] = []
    in_meta = in_cov = False

    def flush():
        if meta is not None and rows:
            stamps = [r[0] for r in rows]
            data = np.array([[float(x) for x in r[1:7]] for r in rows])
            scale = meta.get("TIME_SYSTEM", "UTC").lower()
            segments.append(
                OemSegment(
                    dict(meta), Time(stamps, format="isot", scale=scale), data[:, :3], data[:, 3:]
                )
            )

    for lineno, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        if line == "META_START":
            flush()
            meta, rows, in_meta = {}, [], True
        elif line == "META_STOP":
            in_meta = False
        elif line == "COVARIANCE_START":
            in_cov = True
        elif line == "COVARIANCE_STOP":
            in_cov = False
        elif in_meta:
            key, _, value = line.partition("=")
            meta[key.strip()] = value.strip()
        elif in_cov or "=" in line:
            continue
        else:
            parts = line.split()
            if len(parts) < 7:
                raise MissionFileError(
                    f"{path}:{lineno}: ephemeris line has {len(parts)} fields; expected 7 or 10",
                    name="line",
                    value=lineno,
                )
            rows.append(parts)
    flush()
    return segments


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


def read_toml(path) -> dict:
    """Parse a TOML file, turning syntax errors into :class:`MissionFileError` with the
    file name and the parser's line and column."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise MissionFileError(
            f"cannot read mission file {path}: {exc.strerror}", name="path", value=str(path)
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionFileError(
            f"{path}: malformed TOML: {exc}", name="path", value=str(path)
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
