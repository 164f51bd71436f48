"""The Earth-orientation rotations built directly from ERFA (frames.py, launch/target.py)
against astropy's own frame transforms (``transform_to``), which they replace on the hot
path of ``qingzhou-sim run`` (issue 16 item 3), and the cached IERS table against
astropy's parse of the bundled files."""

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import GCRS, ITRS, TEME, CartesianRepresentation
from astropy.time import Time
from astropy.utils import iers

from qingzhou_sim import frames
from qingzhou_sim.frames import gcrs_to_itrs, itrs_to_gcrs
from qingzhou_sim.launch.target import _teme_gcrs_matrix

# The same ERFA calls in the same order as astropy's transform: equal to rounding. The
# mission downstream (a closed-loop approach with discrete pulses) turns 1e-16 relative
# differences into different pulse timings, so the bound is rounding, not a metre.
ROUNDING_KM = 1e-9  # 1 micrometre on 7000 km vectors (1.4e-16 relative is ~1e-12 km)

EPOCHS = Time("2026-12-01T17:27:38.538", scale="utc") + np.linspace(0.0, 14.0, 9) * u.day


def _positions(n, seed=1):
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(n, 3))
    return 6800.0 * r / np.linalg.norm(r, axis=1, keepdims=True)


def _astropy(frame_from, frame_to, epochs, r_km):
    rep = CartesianRepresentation(np.moveaxis(r_km, -1, 0) * u.km)
    out = frame_from(rep, obstime=epochs).transform_to(frame_to(obstime=epochs))
    return np.moveaxis(out.cartesian.xyz.to_value(u.km), 0, -1)


@pytest.mark.parametrize("epochs", [EPOCHS, EPOCHS[4]], ids=["array", "scalar"])
def test_gcrs_itrs_positions_equal_astropy(epochs):
    r = _positions(EPOCHS.size)
    ours, none = gcrs_to_itrs(epochs, r * u.km)
    assert none is None
    np.testing.assert_allclose(
        ours.to_value(u.km), _astropy(GCRS, ITRS, epochs, r), rtol=0, atol=ROUNDING_KM
    )
    back, _ = itrs_to_gcrs(epochs, r * u.km)
    np.testing.assert_allclose(
        back.to_value(u.km), _astropy(ITRS, GCRS, epochs, r), rtol=0, atol=ROUNDING_KM
    )


@pytest.mark.parametrize("epochs", [EPOCHS, EPOCHS[2]], ids=["array", "scalar"])
def test_teme_gcrs_matrix_is_astropys_transform_to_the_bit(epochs):
    # the columns astropy gives for the TEME axes, as the code before this path had them
    cols = []
    for k in range(3):
        e = np.zeros(epochs.shape + (3,))
        e[..., k] = 1e4
        cols.append(_astropy(TEME, GCRS, epochs, e) / 1e4)
    np.testing.assert_array_equal(_teme_gcrs_matrix(epochs), np.stack(cols, axis=-1))


def test_beyond_the_iers_table_as_astropy_does():
    # 2045 is past the bundled predictions: astropy extrapolates UT1 (with a warning,
    # iers_degraded_accuracy="warn") and uses the 50-year mean pole; so does the fast path
    late = Time("2045-06-01T00:00:00", scale="utc") + np.linspace(0.0, 1.0, 3) * u.day
    r = _positions(3, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, _ = gcrs_to_itrs(late, r * u.km)
        theirs = _astropy(GCRS, ITRS, late, r)
    np.testing.assert_allclose(ours.to_value(u.km), theirs, rtol=0, atol=ROUNDING_KM)


def test_cached_iers_table_equals_astropys_parse(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(iers.IERS_Auto, "iers_table", None)
    frames._use_cached_iers_table()  # parses the bundled files, writes the cache
    parsed = iers.IERS_Auto.iers_table
    path = frames._iers_cache_file()
    assert path.startswith(str(tmp_path)) and parsed is not None
    monkeypatch.setattr(iers.IERS_Auto, "iers_table", None)
    frames._use_cached_iers_table()  # now from the cache
    cached = iers.IERS_Auto.iers_table
    assert cached is not parsed
    with np.load(path, allow_pickle=False) as z:  # plain arrays: readable without pickle
        assert "~header" in z.files
    assert cached.colnames == parsed.colnames and cached.meta == parsed.meta
    for name in parsed.colnames:
        a, b = np.asarray(parsed[name]), np.asarray(cached[name])
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
        assert getattr(parsed[name], "unit", None) == getattr(cached[name], "unit", None)
    # what the rotations read: UT1-UTC, polar motion and CIP offsets, with their status
    mjd = Time(np.linspace(41700.0, 62000.0, 2000), format="mjd")
    for query in ("ut1_utc", "pm_xy", "dcip_xy"):
        for a, b in zip(
            getattr(parsed, query)(mjd, return_status=True),
            getattr(cached, query)(mjd, return_status=True),
            strict=True,
        ):
            assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True), query


def test_a_corrupt_cache_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = frames._iers_cache_file()
    (tmp_path / "qingzhou_sim" / "iers").mkdir(parents=True)
    with open(path, "wb") as fh:
        fh.write(b"not an npz file")
    monkeypatch.setattr(iers.IERS_Auto, "iers_table", None)
    frames._use_cached_iers_table()
    assert isinstance(iers.IERS_Auto.iers_table, iers.IERS_Auto)
    assert isinstance(frames._read_iers_npz(path), iers.IERS_Auto)  # rewritten
