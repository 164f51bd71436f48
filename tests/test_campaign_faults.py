"""Campaigns that lose nothing: a worker process that dies, an output directory that is
missing, unwritable or removed mid-run, an interrupted run, a bad seed.

The faults are real (a worker process killed with SIGKILL, a file where the output
directory should be); the samples are the real mission where the bit-identity of the
rows is the point, and a cheap stand-in row elsewhere so that the tests stay fast. The
stand-in replaces ``montecarlo._run_sample`` before the pool starts, so that the forked
worker processes run it too.
"""

import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time

import pandas as pd
import pytest

from qingzhou_sim import montecarlo
from qingzhou_sim.errors import InputError, QingzhouWarning
from qingzhou_sim.mission import Mission, MissionResult
from qingzhou_sim.montecarlo import run_campaign

N = 4
forked = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the sample hook reaches the workers only through fork",
)


@pytest.fixture(scope="module")
def mission():
    return Mission.default().with_liftoff()


@pytest.fixture(scope="module")
def undisturbed(mission):
    return run_campaign(mission, N, seed=11, workers=1, progress=False)


def _stand_in_row(index: int) -> dict:
    row = {"index": int(index), **MissionResult.empty_record()}
    row.update(docked=True, total_delta_v_m_s=100.0 + index)
    return row


@pytest.fixture
def cheap(monkeypatch):
    """Stand-in samples (no mission run, no nominal plan); returns a setter for the
    sample function."""
    monkeypatch.setattr(montecarlo, "_nominal_phasing_plan", lambda mission: None)

    def use(sample):
        monkeypatch.setattr(montecarlo, "_run_sample", sample)

    use(lambda mission, dispersions, seed, index, reference=None: _stand_in_row(index))
    return use


def _kill_this_process():
    os.kill(os.getpid(), signal.SIGKILL)


@forked
def test_a_killed_worker_loses_no_sample_and_changes_no_bit(mission, undisturbed, tmp_path):
    real = montecarlo._run_sample
    out = tmp_path / "out"
    killed = tmp_path / "killed"

    def sample(mission, dispersions, seed, index, reference=None):
        if index == 2 and not killed.exists():
            # die once, after at least one sample has finished and been written
            deadline = time.monotonic() + 120.0
            while not any((out / "samples.parts").glob("samples-*")):
                assert time.monotonic() < deadline, "no sample finished"
                time.sleep(0.01)
            killed.touch()
            _kill_this_process()
        return real(mission, dispersions, seed, index, reference)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(montecarlo, "_run_sample", sample)
        got = run_campaign(
            mission, N, seed=11, workers=2, chunk_size=1, progress=False, out=out, figures=False
        )
    assert killed.exists()  # the worker did die
    pd.testing.assert_frame_equal(undisturbed.samples, got.samples)
    pd.testing.assert_frame_equal(pd.read_parquet(got.paths["samples"]), got.samples)


def test_a_worker_killed_from_outside_loses_no_sample(mission, undisturbed, tmp_path):
    # The fault of the issue: SIGKILL sent to one process of the default pool while the
    # campaign runs (no hook in the workers: any start method).
    out = tmp_path / "out"
    before = {p.pid for p in multiprocessing.active_children()}
    seen = {}

    def kill_one_worker():
        deadline = time.monotonic() + 300.0
        while time.monotonic() < deadline:
            finished = list((out / "samples.parts").glob("samples-*"))
            workers = [p for p in multiprocessing.active_children() if p.pid not in before]
            if finished and workers:
                seen["finished_at_kill"] = len(finished)
                os.kill(workers[0].pid, signal.SIGKILL)
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    got = run_campaign(
        mission, N, seed=11, workers=2, chunk_size=1, progress=False, out=out, figures=False
    )
    killer.join()
    assert 1 <= seen["finished_at_kill"] < N  # killed mid-run
    pd.testing.assert_frame_equal(undisturbed.samples, got.samples)


@forked
def test_a_sample_that_always_kills_its_worker_is_a_failed_row(mission, cheap):
    def sample(mission, dispersions, seed, index, reference=None):
        if index == 1:
            _kill_this_process()
        return _stand_in_row(index)

    cheap(sample)
    got = run_campaign(mission, 5, seed=3, workers=2, chunk_size=2, progress=False)
    assert list(got.samples["index"]) == [0, 1, 2, 3, 4]
    lost = got.samples.set_index("index").loc[1]
    assert not lost["docked"]
    assert lost["failure"].startswith("worker lost: the process running this sample died")
    assert "BrokenProcessPool" in lost["failure"]
    kept = got.samples[got.samples["index"] != 1]
    assert kept["docked"].all()
    assert list(kept["total_delta_v_m_s"]) == [100.0, 102.0, 103.0, 104.0]


def test_unusable_output_directory_fails_before_the_first_sample(mission, cheap, tmp_path):
    ran = []
    cheap(lambda mission, dispersions, seed, index, reference=None: ran.append(index))
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory\n")
    with pytest.raises(InputError, match=r"output directory '.*a_file/out' cannot be used"):
        run_campaign(mission, 3, workers=1, progress=False, out=blocker / "out")
    with pytest.raises(InputError, match="output directory '' is empty"):
        run_campaign(mission, 3, workers=1, progress=False, out="")
    assert ran == []


def test_output_directory_removed_mid_run_keeps_every_sample(mission, cheap, tmp_path):
    out = tmp_path / "out"

    def sample(mission, dispersions, seed, index, reference=None):
        if index == 1:
            shutil.rmtree(out)
        return _stand_in_row(index)

    cheap(sample)
    got = run_campaign(mission, 3, workers=1, chunk_size=1, progress=False, out=out, figures=False)
    assert got.save_error is None
    on_disk = pd.read_parquet(got.paths["samples"])
    assert list(on_disk["index"]) == [0, 1, 2]
    assert not (out / "samples.parts").exists()  # merged, then removed


def test_output_directory_lost_mid_run_keeps_the_result_and_says_where(mission, cheap, tmp_path):
    out = tmp_path / "out"

    def sample(mission, dispersions, seed, index, reference=None):
        if index == 1:
            shutil.rmtree(out)
            out.write_text("a file where the output directory was\n")
        return _stand_in_row(index)

    cheap(sample)
    with pytest.warns(QingzhouWarning, match=r"could not save the campaign to .*out.*in memory"):
        got = run_campaign(
            mission, 3, workers=1, chunk_size=1, progress=False, out=out, figures=False
        )
    assert list(got.samples["index"]) == [0, 1, 2]
    assert str(out) in got.save_error
    assert got.paths == {}


def test_a_full_disk_leaves_no_truncated_file_and_keeps_the_result(
    mission, cheap, tmp_path, monkeypatch
):
    def full_disk(frame, path, suffix):
        path.write_bytes(b"PAR1 half a file")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(montecarlo, "_write_samples", full_disk)
    with pytest.warns(QingzhouWarning, match=r"No space left on device.*in memory only"):
        got = run_campaign(
            mission, 3, workers=1, chunk_size=1, progress=False, out=tmp_path, figures=False
        )
    assert list(got.samples["index"]) == [0, 1, 2]
    assert "No space left on device" in got.save_error
    assert not (tmp_path / "samples.parquet").exists()
    assert not list(tmp_path.rglob("*.tmp"))  # no half-written file left behind


def test_finished_samples_are_on_disk_while_the_campaign_runs(mission, cheap, tmp_path):
    out = tmp_path / "out"
    seen = {}

    def sample(mission, dispersions, seed, index, reference=None):
        parts = sorted((out / "samples.parts").glob("samples-*.parquet"))
        seen[index] = (
            sorted(pd.concat([pd.read_parquet(p) for p in parts])["index"]) if parts else []
        )
        return _stand_in_row(index)

    cheap(sample)
    run_campaign(mission, 4, workers=1, chunk_size=1, progress=False, out=out, figures=False)
    assert seen == {0: [], 1: [0], 2: [0, 1], 3: [0, 1, 2]}


def test_an_interrupted_run_leaves_a_readable_file(mission, cheap, tmp_path):
    out = tmp_path / "out"

    def sample(mission, dispersions, seed, index, reference=None):
        if index == 2:
            raise KeyboardInterrupt
        return _stand_in_row(index)

    cheap(sample)
    got = run_campaign(mission, 4, workers=1, chunk_size=1, progress=False, out=out, figures=False)
    assert got.interrupted
    on_disk = pd.read_parquet(out / "samples.parquet")
    assert list(on_disk["index"]) == [0, 1]
    assert "INTERRUPTED" in (out / "summary.txt").read_text()


def test_without_pyarrow_the_samples_are_csv_with_a_warning(mission, cheap, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    with pytest.warns(QingzhouWarning, match="pyarrow is not installed.*CSV"):
        got = run_campaign(mission, 2, workers=1, progress=False, out=tmp_path, figures=False)
    assert got.paths["samples"].name == "samples.csv"
    assert list(pd.read_csv(got.paths["samples"])["index"]) == [0, 1]
    with pytest.warns(QingzhouWarning, match="pyarrow is not installed"):
        got.save(tmp_path / "again", figures=False)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", None])
def test_seed_must_be_a_non_negative_integer(mission, cheap, seed):
    with pytest.raises(InputError, match=r"seed = .*expected an integer >= 0"):
        run_campaign(mission, 2, seed=seed, workers=1, progress=False)
