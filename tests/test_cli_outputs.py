"""The files ``MissionResult.save`` writes (what ``qingzhou-sim run`` leaves in its output
folder): the CSV tables are written without pandas and must stay byte for byte what
``pandas.DataFrame.to_csv`` wrote before; with ``parallel=True`` a forked process draws
part of the figures, and the files and the errors are those of the sequential save
(issue 16 item 3)."""

import errno
import math
import os
import signal

import pandas as pd
import pytest

import qingzhou_sim as qz
from qingzhou_sim import io, plotting
from qingzhou_sim.mission.result import _ISO_Z, _csv_text
from qingzhou_sim.plotting import _files
from qingzhou_sim.plotting._files import FIGURES


@pytest.fixture(scope="module")
def result():
    return qz.Mission.default().run()


def test_timeline_and_budget_csv_are_pandas_to_csv(result):
    assert result._timeline_csv() == result.timeline().to_csv(index=False, date_format=_ISO_Z)
    assert result._budget_csv() == result.budget().to_csv(index=False, date_format=_ISO_Z)


def test_csv_columns_are_typed_as_pandas_types_them():
    # ints beside floats or a missing value become float64 ("5.0"), NaN and None empty
    # fields, text with a comma or a quote is quoted, booleans are True/False
    rows = [
        {"a": 5, "b": 1, "c": "x, y", "d": True, "e": None, "f": 0.1 + 0.2},
        {"a": 2.5, "b": None, "c": 'say "hi"', "d": False, "e": "z", "f": math.nan},
        {"a": 7, "b": 3, "c": "plain", "d": True, "e": None, "f": 1e-20},
    ]
    assert _csv_text(rows, {}) == pd.DataFrame(rows).to_csv(index=False)
    assert _csv_text([], {}) == pd.DataFrame([]).to_csv(index=False)


def test_save_writes_every_file_and_figure(result, tmp_path):
    paths = result.save(tmp_path)
    names = sorted(p.name for p in paths.values())
    expected = {f"{stem}.png" for stem, _ in FIGURES} | {
        "summary.json",
        "summary.txt",
        "timeline.csv",
        "budget.csv",
        "chaser.oem",
        "station.oem",
        "mission.czml",
    }
    assert set(names) == expected
    for path in paths.values():
        assert path.stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


needs_fork = pytest.mark.skipif(
    not _files.can_fork(), reason="no fork here (not Linux, one core, or other threads)"
)


def _bytes(paths):
    # an OEM header carries its creation time: compare the files without that line
    return {
        key: b"".join(
            line for line in path.read_bytes().splitlines(True) if b"CREATION_DATE" not in line
        )
        for key, path in paths.items()
    }


@needs_fork
@pytest.mark.parametrize("figures", [True, False])
def test_parallel_save_writes_the_same_files(result, tmp_path, figures):
    one = result.save(tmp_path / "one", figures=figures)
    two = result.save(tmp_path / "two", figures=figures, parallel=True)
    assert list(one) == list(two)
    assert _bytes(one) == _bytes(two)
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        p.name for p in two.values()
    )


@needs_fork
@pytest.mark.parametrize("figures", [True, False])
def test_a_writer_started_before_the_run_writes_the_same_files(result, tmp_path, figures):
    one = result.save(tmp_path / "one", figures=figures)
    writer = _files.start_writer()  # what `qingzhou-sim run` forks before the mission runs
    two = result.save(tmp_path / "two", figures=figures, writer=writer)
    assert list(one) == list(two)
    assert _bytes(one) == _bytes(two)
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        p.name for p in two.values()
    )
    with pytest.raises(ChildProcessError):  # both writer processes were waited for
        os.waitpid(-1, os.WNOHANG)


@needs_fork
@pytest.mark.parametrize("figure", ["plot_range", "plot_ground_track"])
def test_an_error_in_a_writer_process_is_raised_here(result, tmp_path, monkeypatch, figure):
    def broken(_result):
        raise ValueError("no figure today")

    monkeypatch.setattr(plotting, figure, broken)  # the writer forks after the patch
    writer = _files.start_writer()
    with pytest.raises(RuntimeError, match=r"ValueError.*no figure today"):
        result.save(tmp_path, writer=writer)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_a_writer_is_reaped_when_the_folder_cannot_be_made(result, tmp_path):
    (tmp_path / "a-file").write_text("")
    writer = _files.start_writer()
    with pytest.raises(OSError):
        result.save(tmp_path / "a-file" / "out", writer=writer)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_a_writer_that_died_before_the_result_leaves_the_files_to_this_process(result, tmp_path):
    # a dead writer's pipe raised BrokenPipeError in send(), which the command took for a
    # closed stdout: exit status 1 and no files at all
    one = result.save(tmp_path / "one")
    writer = _files.start_writer()
    os.kill(writer._pid, signal.SIGKILL)
    os.waitid(os.P_PID, writer._pid, os.WEXITED | os.WNOWAIT)  # dead, not yet reaped
    two = result.save(tmp_path / "two", writer=writer)
    assert list(one) == list(two)
    assert _bytes(one) == _bytes(two)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_a_cancelled_writer_leaves_no_file_and_no_process(tmp_path):
    writer = _files.start_writer()
    writer.cancel()  # the mission failed: no result to write
    assert not list(tmp_path.iterdir())
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_an_error_in_the_forked_process_is_raised_here(result, tmp_path, monkeypatch):
    def broken(_result):
        raise ValueError("no range today")

    monkeypatch.setattr(plotting, "plot_range", broken)  # the child inherits the patch
    with pytest.raises(RuntimeError, match=r"ValueError.*range.*no range today"):
        result.save(tmp_path, parallel=True)


@needs_fork
def test_an_os_error_in_the_forked_process_keeps_its_errno(result, tmp_path, monkeypatch):
    def full(_result):
        raise OSError(errno.ENOSPC, "No space left on device", "range.png")

    monkeypatch.setattr(plotting, "plot_range", full)
    with pytest.raises(OSError, match="No space left") as info:
        result.save(tmp_path, parallel=True)
    assert info.value.errno == errno.ENOSPC and info.value.filename == "range.png"


@needs_fork
def test_a_failing_parent_still_reaps_the_forked_process(result, tmp_path, monkeypatch):
    def no_oem(*_args, **_kwargs):
        raise OSError(errno.EACCES, "Permission denied", "chaser.oem")

    monkeypatch.setattr(io, "write_oem", no_oem)  # written by the parent
    with pytest.raises(OSError, match="Permission denied"):
        result.save(tmp_path, parallel=True)
    with pytest.raises(ChildProcessError):  # no child left to wait for
        os.waitpid(-1, os.WNOHANG)


DRAW_PNG = """
import hashlib, io, sys
from qingzhou_sim.plotting import _files
if sys.argv[1] == "skip":
    _files._skip_artist_docstrings()  # (the writer's warm-up, before matplotlib loads)
import matplotlib.artist
from matplotlib.lines import Line2D
from qingzhou_sim.plotting._common import Figure
fig = Figure(figsize=(3.0, 2.0))
ax = fig.subplots()
ax.semilogy([0.0, 1.0, 2.0], [1e-2, 1.0, 1e2], label="range [km]")
ax.set_title("approach")
ax.legend()
buf = io.BytesIO()
fig.savefig(buf, format="png", dpi=60)
print(hashlib.sha256(buf.getvalue()).hexdigest(), "Properties" in (Line2D.set.__doc__ or ""))
"""


def test_writer_without_artist_docstrings_draws_the_same_bytes():
    # the writer skips matplotlib's Artist.set docstring tables (~0.08 s of its warm-up);
    # drawing is unchanged to the byte
    import subprocess
    import sys

    def draw(mode):
        env = {**os.environ, "MPLBACKEND": "Agg"}
        out = subprocess.run(
            [sys.executable, "-c", DRAW_PNG, mode], capture_output=True, text=True, env=env
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.split()

    (plain, plain_doc), (skip, skip_doc) = draw("plain"), draw("skip")
    assert plain == skip
    assert plain_doc == "True" and skip_doc == "False"  # (the skip did take effect)
