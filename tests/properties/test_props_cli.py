"""Generated command lines for ``qingzhou-sim`` (cli.py), run in-process.

Every command line ends with exit status 0 (or 1: mission not docked) and its output,
or with a non-zero status and exactly one line ``qingzhou-sim: error: ...`` on stderr;
never a traceback. Sub-commands that would fly a mission (run, montecarlo) are always
given one bad argument, so that they stop before running: the suite checks refusals,
not missions.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qz_props import CALLS, PROFILE, time_limit

from qingzhou_sim import cli

_DIR = tempfile.mkdtemp(prefix="qz_cli_")
BAD_FILE = os.path.join(_DIR, "bad.toml")
with open(BAD_FILE, "wb") as _fh:
    _fh.write(b"seed = -1\ncontrol_rate_hz = 1e6\n\xff")
A_FILE = os.path.join(_DIR, "plain.txt")
with open(A_FILE, "w") as _fh:
    _fh.write("x")

WORDS = st.sampled_from(
    ["", "-", "--", "-1", "0", "1e9", "nan", "inf", "-inf", "junk", "\x00", "é", "--json", "1" * 30]
)
CHEAP = st.one_of(
    st.just(["--version"]),
    st.just(["--help"]),
    st.just([]),
    st.tuples(st.just("states"), st.sampled_from([[], ["--json"], ["--help"], ["--bogus"]])).map(
        lambda t: [t[0], *t[1]]
    ),
    st.tuples(st.just("profiles"), st.sampled_from([[], ["--json"], ["x"]])).map(
        lambda t: [t[0], *t[1]]
    ),
    st.tuples(
        st.sampled_from(["2026-12-01T00:00:00Z", "garbageZ", "2026-13-01T00:00:00Z", "2026-12-01"]),
        st.sampled_from(["1", "0", "-3", "1e9", "1e5", "nan", "inf", "x", "745"]),
        st.sampled_from(
            [
                [],
                ["--json"],
                ["--site", "mars"],
                ["--site", "wenchang"],
                ["--tle", "a", "b"],
                ["--mission", BAD_FILE],
                ["--tle-file", A_FILE],
            ]
        ),
    ).map(lambda t: ["windows", "--start", t[0], "--hours", t[1], *t[2]]),
)
BAD_RUN_ARG = st.sampled_from(
    [
        ["--out", ""],
        ["--out", "   "],
        ["--out", A_FILE],
        ["--profile", "junk"],
        ["--port", "junk"],
        ["--bogus"],
        [BAD_FILE],
        [os.path.join(_DIR, "missing.toml")],
        [_DIR],
        ["--liftoff", "garbageZ"],
        ["--liftoff", "2026-13-01T00:00:00Z"],
        ["--launch-date", "2026-13-45"],
        ["--station-phasing", "junk"],
    ]
)
BAD_CAMPAIGN_ARG = st.sampled_from(
    [
        ["-n", "0"],
        ["-n", "-5"],
        ["-n", "1e9"],
        ["-n", "x"],
        ["-n", "2", "--seed", "-1"],
        ["-n", "2", "--seed", "1.5"],
        ["-n", "2", "--seed", "x"],
        ["-n", "2", "--scale", "nan"],
        ["-n", "2", "--scale", "-1"],
        ["-n", "2", "--workers", "0"],
        ["-n", "2", "--workers", "100000"],
        ["-n", "2", "--out", ""],
        ["-n", "2", "--profile", "junk"],
        ["-n", "2", BAD_FILE],
        ["-n", "2", "--scheduler", "tcp://127.0.0.1:1", "--connect-timeout", "0"],
        ["-n", "2", "--workers", "1", "--scheduler", "x"],
    ]
)
EXPENSIVE = st.one_of(
    st.tuples(
        st.just("run"),
        BAD_RUN_ARG,
        st.lists(st.sampled_from(["--json", "--no-figures"]), max_size=2),
    ),
    st.tuples(
        st.just("montecarlo"),
        BAD_CAMPAIGN_ARG,
        st.lists(st.sampled_from(["--json", "--no-figures"]), max_size=2),
    ),
).map(lambda t: [t[0], *t[1], *t[2]])


def _main(argv):
    out, err = io.StringIO(), io.StringIO()
    CALLS["n"] += 1
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit():
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


def _check(argv, status, out, err):
    assert isinstance(status, int), (argv, status)
    assert "Traceback" not in err + out, (argv, err)
    if status in (0, 1):
        if "--json" in argv and "--help" not in argv and out.strip():
            json.loads(out)
        return
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qingzhou-sim: error: "), (argv, err)
    assert status == 2, (argv, status, err)


@PROFILE
@given(argv=CHEAP, noise=st.lists(WORDS, max_size=2))
def test_cheap_commands(argv, noise):
    argv = argv + noise if argv and argv[0] == "windows" and noise else argv
    _check(argv, *_main(argv))


@PROFILE
@given(argv=EXPENSIVE)
def test_run_and_campaign_refuse_bad_arguments_before_running(argv):
    status, out, err = _main(argv)
    _check(argv, status, out, err)
    assert status == 2


def test_every_sub_command_has_a_description_and_an_example():
    for command in ("states", "windows", "run", "profiles", "montecarlo"):
        status, out, _ = _main([command, "--help"])
        assert status == 0 and "example:" in out and "qingzhou-sim " + command in out
        assert "--json" in out


def test_version():
    status, out, _ = _main(["--version"])
    assert status == 0 and out.startswith("qingzhou-sim ")


def test_no_broken_pipe_error_when_the_reader_goes_away():
    # As `qingzhou-sim states | head -0`: the reader closes the pipe before any output.
    proc = subprocess.Popen(
        [sys.executable, "-m", "qingzhou_sim.cli", "states", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"BrokenPipeError" not in err and b"Traceback" not in err, err.decode()


def test_debug_shows_the_traceback():
    status, _, err = _main(["--debug", "windows", "--start", "garbageZ", "--hours", "1"])
    assert status == 2 and "Traceback" in err


def test_unknown_scheduler_address_is_one_clear_line():
    pytest.importorskip("dask.distributed")
    for address in ("not an address", "tcp://127.0.0.1:1"):
        argv = ["montecarlo", "-n", "2", "--scheduler", address, "--connect-timeout", "1"]
        status, out, err = _main([*argv, "--out", os.path.join(_DIR, "campaign")])
        _check(argv, status, out, err)
        assert status == 2 and "--scheduler" in err and address in err
