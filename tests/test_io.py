import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.errors import MissionFileError
from qingzhou_sim.io import read_oem, read_toml, to_json, toml_dumps, write_oem


def test_oem_round_trip(tmp_path):
    epochs = Time("2026-05-01T00:00:00", scale="utc") + np.arange(4) * 60.0 * u.s
    r = np.arange(12.0).reshape(4, 3) + 6800.0
    v = np.arange(12.0).reshape(4, 3) * 1e-3
    path = write_oem(
        tmp_path / "x.oem", epochs, r, v, object_name="QINGZHOU", object_id="2026-999A"
    )
    text = path.read_text()
    assert text.startswith("CCSDS_OEM_VERS = 2.0")
    assert "REF_FRAME = GCRS" in text and "CENTER_NAME = EARTH" in text
    (seg,) = read_oem(path)
    assert seg.metadata["OBJECT_NAME"] == "QINGZHOU"
    np.testing.assert_allclose(seg.r_km, r, atol=1e-9)
    np.testing.assert_allclose(seg.v_km_s, v, atol=1e-12)
    assert np.max(np.abs((seg.epochs - epochs).to_value(u.s))) < 1e-6


def test_json_handles_numpy_time_and_nan():
    out = to_json(
        {
            "t": Time("2026-05-01T00:00:00", scale="utc"),
            "x": np.float64(np.nan),
            "b": np.bool_(True),
            "a": np.arange(2),
        }
    )
    assert out == '{"t": "2026-05-01T00:00:00.000Z", "x": null, "b": true, "a": [0, 1]}'


def test_toml_round_trip_and_errors(tmp_path):
    data = {"name": "m", "phasing": {"profile": "3-hour", "x": [1.0, 2.0]}, "skip": None}
    path = tmp_path / "m.toml"
    path.write_text(toml_dumps(data))
    assert read_toml(path) == {"name": "m", "phasing": {"profile": "3-hour", "x": [1.0, 2.0]}}
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(MissionFileError, match="malformed TOML"):
        read_toml(bad)
    with pytest.raises(MissionFileError, match="cannot read"):
        read_toml(tmp_path / "missing.toml")
