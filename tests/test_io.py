import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given
from hypothesis import strategies as st

from qingzhou_sim.errors import EpochOrderError, InputError, MissionFileError, UnknownNameError
from qingzhou_sim.io import atomic_write, read_oem, read_toml, to_json, toml_dumps, write_oem

# Print precision of write_oem: 9 decimals of km, 12 of km/s (half a unit of the last digit)
R_PRINT = 0.5e-9  # km
V_PRINT = 0.5e-12  # km/s


def _states(n=4):
    epochs = Time("2026-05-01T00:00:00", scale="utc") + np.arange(n) * 60.0 * u.s
    r = (np.arange(3.0 * n).reshape(n, 3) + 6800.0) * u.km
    v = np.arange(3.0 * n).reshape(n, 3) * 1e-3 * u.km / u.s
    return epochs, r, v


def test_oem_round_trip(tmp_path):
    epochs, r, v = _states()
    path = write_oem(
        tmp_path / "x.oem", epochs, r, v, object_name="QINGZHOU", object_id="2026-999A"
    )
    text = path.read_text()
    assert text.startswith("CCSDS_OEM_VERS = 3.0")
    assert "REF_FRAME = GCRF" in text and "CENTER_NAME = EARTH" in text
    assert "INTERPOLATION = LAGRANGE" in text and "INTERPOLATION_DEGREE = 3" in text
    (seg,) = read_oem(path)
    assert seg.metadata["OBJECT_NAME"] == "QINGZHOU"
    assert repr(seg).startswith("OemSegment(QINGZHOU, GCRF, UTC: 4 states, 2026-05-01T00:00:00")
    # whole-second epochs: no rounding shift, the states are the given ones
    np.testing.assert_allclose(seg.r_km, r.to_value(u.km), rtol=0, atol=R_PRINT)
    np.testing.assert_allclose(seg.v_km_s, v.to_value(u.km / u.s), rtol=0, atol=V_PRINT)
    assert np.max(np.abs((seg.epochs - epochs).to_value(u.s))) < 1e-6


def test_oem_converts_units_and_rejects_bare_numbers(tmp_path):
    epochs, r, v = _states()
    path = write_oem(
        tmp_path / "m.oem", epochs, r.to(u.m), v.to(u.m / u.s), object_name="A", object_id="1"
    )
    (seg,) = read_oem(path)
    np.testing.assert_allclose(seg.r_km, r.to_value(u.km), rtol=0, atol=R_PRINT)
    np.testing.assert_allclose(seg.v_km_s, v.to_value(u.km / u.s), rtol=0, atol=V_PRINT)
    with pytest.raises(InputError, match=r"^r = .* has no unit.*km"):
        write_oem(tmp_path / "b.oem", epochs, r.value, v, object_name="A", object_id="1")
    with pytest.raises(InputError, match=r"^v = .*cannot be converted|^v = .*km / s"):
        write_oem(tmp_path / "b.oem", epochs, r, v.value * u.s, object_name="A", object_id="1")
    with pytest.raises(InputError, match=r"r has shape \(3, 3\); expected \(4, 3\)"):
        write_oem(tmp_path / "b.oem", epochs, r[:3], v, object_name="A", object_id="1")
    with pytest.raises(UnknownNameError, match="unknown OEM time system 'GPS'"):
        write_oem(
            tmp_path / "b.oem", epochs, r, v, object_name="A", object_id="1", time_system="GPS"
        )
    assert not (tmp_path / "b.oem").exists()


def test_oem_segments_split_at_breaks_and_reject_repeated_epochs(tmp_path):
    epochs, r, v = _states(5)
    path = write_oem(
        tmp_path / "s.oem", epochs, r, v, object_name="A", object_id="1", breaks=epochs[2]
    )
    segs = read_oem(path)
    assert [len(s) for s in segs] == [2, 3]
    assert segs[0].metadata["INTERPOLATION_DEGREE"] == "1"
    assert segs[1].metadata["START_TIME"] == segs[1].metadata["START_TIME"]
    assert segs[1].metadata["START_TIME"].startswith(epochs[2].utc.isot)
    twice = epochs[[0, 1, 2, 2, 3]]
    with pytest.raises(EpochOrderError, match=r"epochs\[3\] = .* does not follow epochs\[2\]"):
        write_oem(tmp_path / "d.oem", twice, r, v, object_name="A", object_id="1")
    # the same repeated epoch as a segment boundary is what a burn looks like: accepted
    write_oem(tmp_path / "d.oem", twice, r, v, object_name="A", object_id="1", breaks=epochs[2])
    assert [len(s) for s in read_oem(tmp_path / "d.oem")] == [3, 2]


def test_read_oem_reads_other_writers_forms(tmp_path):
    # day-of-year epochs with 'Z', exponent numbers, accelerations, a covariance block,
    # comments in every place (CCSDS 502.0-B-3 sec. 5, 7.8)
    path = tmp_path / "other.oem"
    path.write_text(
        "CCSDS_OEM_VERS = 2.0\nCOMMENT other tool\nCREATION_DATE = 2026-121T00:00:00\n"
        "ORIGINATOR = ELSEWHERE\n\nMETA_START\nCOMMENT meta\nOBJECT_NAME = X\nOBJECT_ID = 1\n"
        "CENTER_NAME = EARTH\nREF_FRAME = EME2000\nTIME_SYSTEM = TAI\n"
        "START_TIME = 2026-121T00:00:00.5Z\nSTOP_TIME = 2026-121T00:01:00.5Z\nMETA_STOP\n"
        "COMMENT data\n"
        "2026-121T00:00:00.5Z 6.8e+03 0 0 0 7.6e+00 0 0 0 0\n"
        "2026-121T00:01:00.5Z 6799.0 456.0 0.0 -0.1 7.6 0.0 1e-3 0 0\n"
        "COVARIANCE_START\nEPOCH = 2026-121T00:00:00\nCOV_REF_FRAME = RTN\n1.0\n"
        "COVARIANCE_STOP\n"
    )
    (seg,) = read_oem(path)
    assert seg.metadata["REF_FRAME"] == "EME2000"
    assert seg.epochs.scale == "tai"
    assert seg.epochs[0].isot == "2026-05-01T00:00:00.500"
    np.testing.assert_array_equal(seg.r_km[0], [6800.0, 0.0, 0.0])
    np.testing.assert_array_equal(seg.v_km_s[1], [-0.1, 7.6, 0.0])


def test_read_oem_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.oem"
    bad.write_text(
        "CCSDS_OEM_VERS = 3.0\nMETA_START\nTIME_SYSTEM = UTC\nMETA_STOP\n2026-05-01T00:00:00 1 2\n"
    )
    with pytest.raises(MissionFileError, match=r"bad.oem:5: malformed ephemeris line: 3 fields"):
        read_oem(bad)
    bad.write_text(
        "CCSDS_OEM_VERS = 3.0\nMETA_START\nTIME_SYSTEM = GPS\nMETA_STOP\n2026-05-01T00:00:00 1 2 3 4 5 6\n"
    )
    with pytest.raises(MissionFileError, match="TIME_SYSTEM = GPS .* is not read"):
        read_oem(bad)
    bad.write_text("<?xml version='1.0'?>\n<oem/>\n")
    with pytest.raises(MissionFileError, match="not a KVN OEM file"):
        read_oem(bad)
    with pytest.raises(MissionFileError, match="cannot read OEM file"):
        read_oem(tmp_path / "missing.oem")


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old\n")

    def fails(tmp):
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        atomic_write(path, fails)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # no temporary file left
    atomic_write(path, lambda tmp: tmp.write_text("new\n"))
    assert path.read_text() == "new\n"


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


@given(
    st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([1e-5, -1.5e-5, 9.99e-5, 1e-4, 1e-6, 1e15, 1e16, 0.0, -0.0, 5e-324])
)
def test_czml_numbers_are_written_as_pydantic_writes_them(x):
    # (czml3's JSON, which write_czml reproduces without importing czml3)
    import pydantic_core

    from qingzhou_sim.io import _json_float

    # (NaN and infinities as a pydantic model writes them by default: null)
    assert _json_float(x) == pydantic_core.to_json(x, inf_nan_mode="null").decode()
