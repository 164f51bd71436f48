"""The ``qingzhou-sim`` command: the cases named in issue 13 (generated command lines
are in tests/properties/test_props_cli.py)."""

import json
import os
import subprocess
import sys

import pytest

from qingzhou_sim import __version__
from qingzhou_sim.cli import main
from qingzhou_sim.plotting import _files


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qingzhou-sim: error: "), err
    return lines[0]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"qingzhou-sim {__version__}"


@pytest.mark.parametrize("command", ["states", "windows", "run", "profiles", "montecarlo"])
def test_help_has_a_description_an_example_and_json(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "example:\n  qingzhou-sim " + command in out
    assert "--json" in out


def test_states_json(capsys):
    assert main(["states", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["frame"] for r in rows] == ["GCRS", "GCRS"]
    # 390 km circular station: a = 6378.137 + 390 km (the command's nominal orbit)
    assert rows[0]["a_km"] == pytest.approx(6768.137, abs=1e-9)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["montecarlo", "-n", "2", "--seed", "-1"], "--seed: -1 is out of range"),
        (["montecarlo", "-n", "2", "--seed", "x"], "--seed: 'x' is not an integer"),
        (["run", "--out", ""], "--out: the output directory is empty"),
        (["windows", "--start", "2026-12-01T00:00:00Z", "--hours", "1e9"], "more than 744 h"),
        (["windows", "--start", "2026-12-01T00:00:00Z", "--hours", "1e5"], "more than 744 h"),
        (["windows", "--start", "garbageZ", "--hours", "1"], "not a valid ISO-8601"),
        (["windows", "--start", "2026-13-01T00:00:00Z", "--hours", "1"], "not a valid ISO-8601"),
        (["run", "missing-file.toml"], "cannot read mission file"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, match, capsys):
    assert main(argv) == 2
    assert match in _one_error_line(capsys)


def test_bad_mission_file_names_the_key_and_line(tmp_path, capsys):
    path = tmp_path / "m.toml"
    path.write_text('name = "x"\nstation = "junk"\n')
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"{path}, line 2: key 'station'" in _one_error_line(capsys)


def test_debug_shows_the_traceback(capsys):
    assert main(["--debug", "windows", "--start", "garbageZ", "--hours", "1"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_piped_into_head_without_broken_pipe_error():
    shell = f"{sys.executable} -m qingzhou_sim.cli profiles --json | head -n 1"
    done = subprocess.run(shell, shell=True, capture_output=True, timeout=120)
    assert done.stdout.strip() == b"["
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr


def test_main_from_python_returns_and_leaves_the_collector_on(capsys):
    # main([...]) is a function call: it returns, and the collector is as it was (the
    # command's own process runs without it and ends itself, see cli._ONE_SHOT_COMMANDS)
    import gc

    assert gc.isenabled()
    assert main(["profiles"]) == 0
    assert main(["windows", "--start", "2026-12-01T00:00:00Z", "--hours", "-1"]) == 2
    assert gc.isenabled()
    assert "3-hour" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "status"), [(["profiles", "--json"], 0), (["states", "--x"], 2)])
def test_command_process_ends_with_its_status_and_whole_output(argv, status):
    done = subprocess.run(
        [sys.executable, "-m", "qingzhou_sim.cli", *argv], capture_output=True, timeout=120
    )
    assert done.returncode == status
    if status == 0:  # all of stdout arrives although the process skips the teardown
        names = [row["name"] for row in json.loads(done.stdout)]
        assert "3-hour" in names and "aft-3h" in names
    else:
        assert done.stderr.startswith(b"qingzhou-sim: error: ")


needs_fork = pytest.mark.skipif(
    not _files.can_fork(),
    reason="no fork here (not Linux, one core, or other threads)",
)


@pytest.fixture
def forks_ahead():
    """``run`` forks its launch child only with a warm numba cache (on a cold one the
    kernels run as Python while a background process compiles them): these tests fork
    whatever the cache holds (their own patch, which a test's ``monkeypatch.undo()``
    leaves in place)."""
    from qingzhou_sim import cli

    patch = pytest.MonkeyPatch()
    patch.setattr(cli, "_forks_ahead", lambda: True)
    yield
    patch.undo()


@needs_fork
@pytest.mark.usefixtures("forks_ahead")
def test_launch_stage_from_the_forked_child_is_the_one_computed_here(monkeypatch):
    # `run` computes the launch stage in a forked child while it imports the docking
    # package; the stage it hands back must be this process's to the last bit
    from qingzhou_sim import cli
    from qingzhou_sim.mission import Mission, launching

    mission = Mission.default()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    child_plan = cli._take_launch_ahead(cli._start_launch_ahead(mission), mission)
    child = launching._LAUNCH_CACHE.pop(repr(mission))
    here = launching.launch_stage(mission)
    assert child is not here
    assert (child.liftoff.jd1, child.liftoff.jd2) == (here.liftoff.jd1, here.liftoff.jd2)
    for name in ("chaser_nominal", "station0"):
        a, b = getattr(child, name), getattr(here, name)
        assert a.rv_km.tobytes() == b.rv_km.tobytes()
        assert (a.epoch.jd1, a.epoch.jd2) == (b.epoch.jd1, b.epoch.jd2)
    assert child.window.phase_angle == here.window.phase_angle
    # ... and so must the nominal phasing plan it sends after the stage
    from qingzhou_sim.mission.stages import nominal_plan

    here_plan = nominal_plan(mission)
    assert child_plan is not None and child_plan is not here_plan
    assert child_plan.dv.value.tobytes() == here_plan.dv.value.tobytes()
    assert child_plan.epoch_offsets_s == here_plan.epoch_offsets_s
    for a, b in zip(child_plan.burns, here_plan.burns, strict=True):
        assert a.label == b.label and (a.epoch.jd1, a.epoch.jd2) == (b.epoch.jd1, b.epoch.jd2)
        assert a.dv.value.tobytes() == b.dv.value.tobytes()
    assert child_plan.arrival.rv_km.tobytes() == here_plan.arrival.rv_km.tobytes()


@needs_fork
@pytest.mark.usefixtures("forks_ahead")
def test_earth_orientation_from_the_forked_process_is_used_and_the_one_computed_here(
    monkeypatch,
):
    # `run` forks a process that computes the launch search's Earth orientation while it
    # imports numba; the launch child uses it: the same bits as computed here, and the
    # launch stage is the same
    from qingzhou_sim import cli, frames
    from qingzhou_sim.mission import Mission, launching

    mission = Mission.default()
    epochs = launching.search_epochs(mission)
    here = frames._earth_orientation(epochs)
    orientation = cli._start_orientation_ahead(mission)
    assert orientation is not None
    monkeypatch.setattr(frames, "_ORIENTATION_AHEAD", {})
    cli._take_orientation_ahead(orientation)  # (what the launch child does first)
    os.waitpid(orientation[0], 0)
    (key,) = frames._ORIENTATION_AHEAD
    assert key == frames._orientation_key(epochs)
    ahead = frames._earth_orientation(epochs)
    assert frames._ORIENTATION_AHEAD == {}  # used once
    for a, b in zip(ahead, here, strict=True):
        assert a is not b and a.tobytes() == b.tobytes()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    ahead = cli._start_launch_ahead(mission, cli._start_orientation_ahead(mission))
    cli._take_launch_ahead(ahead, mission)
    child = launching._LAUNCH_CACHE.pop(repr(mission))
    stage = launching.launch_stage(mission)
    assert (child.liftoff.jd1, child.liftoff.jd2) == (stage.liftoff.jd1, stage.liftoff.jd2)
    assert child.chaser_nominal.rv_km.tobytes() == stage.chaser_nominal.rv_km.tobytes()


@needs_fork
@pytest.mark.usefixtures("forks_ahead")
def test_orientation_process_that_dies_leaves_it_to_the_launch_child(monkeypatch):
    # killed before it sends (here: os._exit): the launch child computes the Earth
    # orientation itself, and nothing hangs
    from qingzhou_sim import cli, frames
    from qingzhou_sim.mission import Mission, launching

    mission = Mission.default()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    monkeypatch.setattr(frames, "_earth_orientation", lambda epochs: os._exit(9))
    orientation = cli._start_orientation_ahead(mission)
    monkeypatch.undo()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    plan = cli._take_launch_ahead(cli._start_launch_ahead(mission, orientation), mission)
    assert plan is not None and repr(mission) in launching._LAUNCH_CACHE


@needs_fork
@pytest.mark.usefixtures("forks_ahead")
def test_launch_child_that_dies_after_the_stage_leaves_the_plan_to_this_process(monkeypatch):
    # killed (here: os._exit) between the stage and the plan: the stage is used, the
    # plan is None (the run plans itself), and nothing hangs
    import os

    from qingzhou_sim import cli
    from qingzhou_sim.mission import Mission, launching, stages

    mission = Mission.default()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    monkeypatch.setattr(stages, "nominal_plan", lambda m: os._exit(9))  # (in the child)
    plan = cli._take_launch_ahead(cli._start_launch_ahead(mission), mission)
    assert plan is None
    assert repr(mission) in launching._LAUNCH_CACHE


@needs_fork
@pytest.mark.usefixtures("forks_ahead")
def test_failing_launch_child_leaves_the_stage_to_this_process(monkeypatch):
    from qingzhou_sim import cli
    from qingzhou_sim.mission import Mission, launching

    def broken(mission):
        raise RuntimeError("broken on purpose")

    mission = Mission.default()
    monkeypatch.setattr(launching, "_LAUNCH_CACHE", {})
    monkeypatch.setattr(launching, "launch_stage", broken)  # the child forks after this
    cli._take_launch_ahead(cli._start_launch_ahead(mission), mission)
    assert launching._LAUNCH_CACHE == {}


@pytest.mark.parametrize(
    ("words", "preset", "expected"),
    [
        (["run", "--out", "x"], None, 1),
        (["run", "--out", "x"], "2", 2),
    ],
)
def test_one_shot_commands_start_blas_on_one_thread(words, preset, expected):
    # OpenBLAS's thread pools are never started for a one-shot command (a mission runs
    # with BLAS on one thread anyway), unless the user asked for threads
    import os

    code = (
        "import sys; from qingzhou_sim import cli; cli._one_blas_thread(sys.argv[1:]); "
        "import numpy, threadpoolctl; "
        "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() "
        "if i['internal_api'] == 'openblas'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    done = subprocess.run(
        [sys.executable, "-c", code, *words], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == min(expected, os.cpu_count())


def test_compile_compiles_the_missions_kernels(monkeypatch, capsys):
    from qingzhou_sim import _jit

    flown = []
    monkeypatch.setattr(_jit, "compile_kernels", lambda mission: flown.append(mission.name))
    monkeypatch.setattr(_jit, "background_compile_pid", lambda: None)
    assert main(["compile"]) == 0
    assert flown == ["qingzhou-default"]
    assert (
        "numba's cache holds the kernels of mission 'qingzhou-default'" in capsys.readouterr().out
    )
