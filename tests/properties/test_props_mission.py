"""Generated inputs for Mission, its TOML files and Mission.replace (mission/config.py).

Mutated mission files: the default mission's TOML text, changed one key at a time (a
new value of every TOML type, a deleted or duplicated line, a renamed key, garbage), and
raw bytes. Every bad file must be refused when it is loaded, with MissionFileError or
InputError; a good one must survive a to_toml / from_toml round trip.
"""

import math
import os
import tempfile
from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st
from qz_props import GARBAGE, PROFILE, outcome

from qingzhou_sim.errors import InputError
from qingzhou_sim.mission import Mission, StationOrbit

FIELDS = [f.name for f in fields(Mission)]
STATION_FIELDS = [f.name for f in fields(StationOrbit)]
DEFAULT_TEXT = Mission.default().to_toml()
LINES = DEFAULT_TEXT.splitlines()
KEY_LINES = [k for k, line in enumerate(LINES) if "=" in line]

TOML_VALUES = st.one_of(
    st.sampled_from(
        [
            '"junk"',
            '""',
            "nan",
            "inf",
            "-inf",
            "-1",
            "0",
            "1e6",
            "1e-9",
            "1e308",
            "9223372036854775807",
            "true",
            "[]",
            '["a", "b"]',
            "[[1], [2]]",
            "{}",
            "{ a = 1 }",
            '"2026-13-01T00:00:00Z"',
            '"garbageZ"',
            "2026-12-01T00:00:00Z",
            '"aft"',
            '"two-day"',
            "0.5",
            "[" * 50 + "]" * 50,
        ]
    ),
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=10).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    st.text(max_size=10),
)

_DIR = tempfile.mkdtemp(prefix="qz_props_")


def _load(data: bytes):
    path = os.path.join(_DIR, "mission.toml")
    with open(path, "wb") as fh:
        fh.write(data)
    return outcome(Mission.from_toml, path)


@PROFILE
@given(
    line=st.sampled_from(KEY_LINES),
    how=st.sampled_from(["value", "delete", "duplicate", "rename"]),
    value=TOML_VALUES,
    name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
)
def test_mission_file_mutated_key_by_key(line, how, value, name):
    lines = list(LINES)
    key = lines[line].split("=", 1)[0].strip()
    if how == "value":
        lines[line] = f"{key} = {value}"
    elif how == "delete":
        del lines[line]
    elif how == "duplicate":
        lines.insert(line, lines[line])
    else:
        lines[line] = f"{name} = {lines[line].split('=', 1)[1]}"
    mission, err = _load("\n".join(lines).encode())
    if err is not None:
        assert isinstance(err, InputError)
        return
    again, err = _load(mission.to_toml().encode())
    assert err is None and again == mission


@PROFILE
@given(data=st.binary(max_size=200))
def test_mission_file_of_random_bytes(data):
    _load(data)


@PROFILE
@given(
    prefix=st.sampled_from([b"\xff\xfe", b'name = "\xc3\x28"\n', b"\x00", b"a = " + b"{b=" * 2000])
)
def test_mission_file_not_utf8_or_deeply_nested(prefix):
    _, err = _load(prefix + DEFAULT_TEXT.encode())
    assert err is not None


@PROFILE
@given(field=st.sampled_from(FIELDS), value=st.one_of(GARBAGE, st.floats(), st.text(max_size=8)))
def test_mission_fields_checked_when_built(field, value):
    mission, err = outcome(Mission, **{field: value})
    if err is None:
        _assert_plausible(mission)


@PROFILE
@given(
    field=st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)),
    value=st.one_of(GARBAGE, st.floats(), st.sampled_from(["two-day", "forward", "wenchang"])),
)
def test_mission_replace(field, value):
    mission, err = outcome(Mission.default().replace, **{field: value})
    if err is None:
        _assert_plausible(mission)


@PROFILE
@given(field=st.sampled_from(STATION_FIELDS), value=st.one_of(GARBAGE, st.floats()))
def test_station_orbit_fields(field, value):
    outcome(StationOrbit, **{field: value})


@PROFILE
@given(
    data=st.one_of(
        GARBAGE, st.dictionaries(st.sampled_from(FIELDS + ["junk"]), GARBAGE, max_size=3)
    )
)
def test_mission_from_dict(data):
    outcome(Mission.from_dict, data)


def _assert_plausible(m: Mission) -> None:
    assert isinstance(m.name, str) and m.name.strip()
    assert isinstance(m.station, StationOrbit)
    assert isinstance(m.navigation_noise, bool)
    for key in ("window_search_hours", "control_rate_hz", "output_step_s"):
        assert math.isfinite(getattr(m, key)) and getattr(m, key) > 0
    assert isinstance(m.seed, int) and m.seed >= 0
