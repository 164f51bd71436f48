"""The first-run compilation report and the second process that compiles the approach's
kernels on a cold cache (qingzhou_sim._jit)."""

import importlib
import io
import os
import time

from numba import njit
from numba.core.dispatcher import Dispatcher

from qingzhou_sim import _jit
from qingzhou_sim._jit import compile_ahead, compile_progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _fresh_kernel(module="fakepkg.kernels"):
    """A new (never compiled) njit function whose ``__module__`` is ``module``."""
    namespace = {"__name__": module}
    exec("def add_one(x):\n    return x + 1.0\n", namespace)
    return njit(cache=False)(namespace["add_one"])


def test_compilation_is_reported_and_a_warm_run_is_silent():
    @njit(cache=False)
    def add_one(x):
        return x + 1.0

    out = io.StringIO()
    with compile_progress(out):
        add_one(1.0)
    text = out.getvalue()
    assert text.startswith("compiling numba kernels (first run only")
    assert text.rstrip().endswith("s") and "1 kernels compiled in" in text
    quiet = io.StringIO()
    with compile_progress(quiet):
        add_one(2.0)  # already compiled
    assert quiet.getvalue() == ""


def test_off_a_terminal_one_plain_line_per_kernel():
    kernels = [_fresh_kernel() for _ in range(3)]
    out = io.StringIO()
    with compile_progress(out):
        for k in kernels:
            k(1.0)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert all("add_one" in line for line in lines[1:4])
    assert lines[-1].strip().startswith("3 kernels compiled in")


def test_on_a_terminal_one_line_redrawn_and_closed():
    out = _Terminal()
    with compile_progress(out):
        _fresh_kernel()(1.0)
    text = out.getvalue()
    body = text.split("\n", 1)[1]
    assert body.count("\n") == 1 and body.endswith("\n")  # one line, ended once
    assert "\r" in body and body.rstrip().endswith("s")
    after = len(out.getvalue())
    time.sleep(1.2)  # the ticker thread has stopped: nothing drawn after the last line
    assert len(out.getvalue()) == after


def test_waiting_for_the_second_process_is_reported():
    out = io.StringIO()
    with compile_progress(out) as progress:
        progress.background = True
        progress.waiting(0.0)
        progress.waiting(5.0)  # off a terminal: every 10 s
        progress.waiting(12.0)
    text = out.getvalue()
    assert "the approach's kernels compile meanwhile in a second process" in text
    assert text.count("for the approach's kernels") == 2
    assert "waiting 12 s" in text and "in a second process" in text.splitlines()[-1]


def test_warm_cache_starts_nothing(monkeypatch):
    monkeypatch.setattr(_jit, "_approach_is_cold", lambda: False)
    original = Dispatcher._compile_for_args
    with compile_ahead(object()) as job:
        assert job is None
        assert Dispatcher._compile_for_args is original


class _FakeJob:
    """Stands in for the second process: 'running' until waited for."""

    def __init__(self, mission):
        self.running = True
        self.waits = 0
        self.stopped = False

    def wait(self, progress=None):
        self.waits += 1
        self.running = False
        return False  # failed: this process compiles itself

    def stop(self):
        self.stopped = True


def test_a_busy_machine_starts_nothing(monkeypatch):
    monkeypatch.setattr(_jit, "_approach_is_cold", lambda: True)
    n_cpu = len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0 + n_cpu, 0.0, 0.0))  # all cores busy
    with compile_ahead(object()) as job:
        assert job is None


def test_the_approach_kernels_wait_for_the_second_process(monkeypatch):
    monkeypatch.setattr(_jit, "_approach_is_cold", lambda: True)
    monkeypatch.setattr(_jit, "_free_cores", lambda: 2)
    monkeypatch.setattr(_jit, "_Background", _FakeJob)
    monkeypatch.setattr(_jit, "_APPROACH_PACKAGE", "fakepkg")
    other = _fresh_kernel("otherpkg.kernels")
    approach = _fresh_kernel("fakepkg.loop")
    original = Dispatcher._compile_for_args
    with compile_ahead(object()) as job:
        assert other(1.0) == 2.0 and job.waits == 0  # not an approach kernel: no wait
        assert approach(1.0) == 2.0 and job.waits == 1  # waited, then compiled here
        assert approach(2.5) == 3.5 and job.waits == 1
    assert job.stopped and Dispatcher._compile_for_args is original


def test_the_cold_cache_probe_names_a_cached_kernel():
    module, name = _jit._APPROACH_LOOP
    loop = getattr(importlib.import_module(module), name)
    assert isinstance(loop._cache._cache_file._load_index(), dict)
    assert isinstance(_jit._approach_is_cold(), bool)


def test_a_failing_second_process_is_reported_as_failed():
    job = _jit._Background(None)  # no mission: the child fails at once
    assert job.wait() is False
    job.stop()
    assert not job.running


def test_wait_gives_up_after_the_limit(monkeypatch):
    monkeypatch.setattr(_jit, "_MAX_WAIT_S", 0.0)
    job = _jit._Background(None)
    assert job.wait() is False  # stopped (or failed) without waiting for it
    job.stop()
    assert job.proc.returncode is not None
