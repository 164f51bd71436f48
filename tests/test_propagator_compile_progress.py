"""The first-run compilation report, and the first run's kernels run as Python while a
background process compiles them (qingzhou_sim._jit)."""

import importlib
import io
import os
import subprocess
import sys
import time

from numba import njit

from qingzhou_sim import _jit
from qingzhou_sim._jit import compile_progress, first_run


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


def test_warm_cache_changes_nothing(monkeypatch):
    from numba.core.registry import CPUDispatcher

    monkeypatch.setattr(_jit, "cache_is_warm", lambda: True)
    with first_run(object()) as pid:
        assert pid is None and not _jit.python_tier_active()
        assert "__call__" not in vars(CPUDispatcher)


def test_compile_mode_changes_nothing(monkeypatch):
    monkeypatch.setattr(_jit, "cache_is_warm", lambda: False)
    monkeypatch.setenv(_jit.FIRST_RUN_ENV, "compile")
    with first_run(object()) as pid:
        assert pid is None and not _jit.python_tier_active()


def _count_compilations(kernel, *args):
    from numba.core import event

    seen = []

    class _Listener(event.Listener):
        def on_start(self, ev):
            seen.append(ev.data["dispatcher"])

        def on_end(self, ev):
            pass

    listener = _Listener()
    event.register("numba:compile", listener)
    try:
        value = kernel(*args)
    finally:
        event.unregister("numba:compile", listener)
    return value, len(seen)


def test_a_cold_cache_runs_kernels_as_python_and_compiles_in_the_background(monkeypatch):
    from numba.core.registry import CPUDispatcher

    started = []
    monkeypatch.setattr(_jit, "cache_is_warm", lambda: False)
    monkeypatch.delenv(_jit.FIRST_RUN_ENV, raising=False)
    monkeypatch.setattr(_jit, "_start_background_compile", lambda m: started.append(m) or 4242)
    monkeypatch.setattr(_jit, "background_compile_pid", lambda: None)
    monkeypatch.setattr(_jit, "_cached_on_disk", lambda disp: False)
    ours = _fresh_kernel("qingzhou_sim.fake_kernels")
    other = _fresh_kernel("otherpkg.kernels")
    out = io.StringIO()
    with compile_progress(out) as progress, first_run("mission", progress) as pid:
        assert pid == 4242 and started == ["mission"] and _jit.python_tier_active()
        assert _count_compilations(ours, 1.0) == (2.0, 0)  # its Python function ran
        assert _count_compilations(other, 1.0) == (2.0, 1)  # not ours: compiled
    assert not _jit.python_tier_active() and "__call__" not in vars(CPUDispatcher)
    assert "background process (pid 4242" in out.getvalue()
    assert _count_compilations(ours, 1.0) == (2.0, 1)  # after the first run: compiled


def test_a_run_during_the_background_compilation_starts_no_other(monkeypatch):
    monkeypatch.setattr(_jit, "cache_is_warm", lambda: False)
    monkeypatch.delenv(_jit.FIRST_RUN_ENV, raising=False)
    monkeypatch.setattr(_jit, "background_compile_pid", lambda: 5151)
    monkeypatch.setattr(_jit, "_start_background_compile", lambda m: 1 / 0)  # not called
    out = io.StringIO()
    with compile_progress(out) as progress, first_run("mission", progress) as pid:
        assert pid is None and _jit.python_tier_active()
    assert "still compiling the kernels in a background process (pid 5151" in out.getvalue()


def test_the_first_runs_own_compilations_are_the_lambert_scans():
    tier = _jit._PythonTier(cold_only=False)
    from qingzhou_sim.phasing import _kernels, profiles

    assert tier._runs_as_python(_kernels._kepler)
    assert not tier._runs_as_python(profiles._lambert_grid_kernel)
    assert not tier._runs_as_python(_fresh_kernel("otherpkg.kernels"))


def test_the_cold_cache_probe_names_a_cached_kernel():
    module, name = _jit._APPROACH_LOOP
    loop = getattr(importlib.import_module(module), name)
    assert isinstance(loop._cache._cache_file._load_index(), dict)
    assert isinstance(_jit._cached_on_disk(loop), bool)


def test_the_background_pid_file(monkeypatch, tmp_path):
    from numba.core import config

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    assert _jit.background_compile_pid() is None  # no file
    (tmp_path / _jit._PID_FILE).write_text(str(os.getpid()))
    assert _jit.background_compile_pid() == os.getpid()  # a live process
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / _jit._PID_FILE).write_text(str(dead.pid))
    assert _jit.background_compile_pid() is None  # a process that ended


def test_a_failing_background_process_leaves_a_log(monkeypatch, tmp_path):
    from numba.core import config

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    pid = _jit._start_background_compile(None)  # no mission: the child fails at once
    assert pid is not None
    deadline = time.monotonic() + 60.0
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert "Error" in (tmp_path / _jit._LOG_FILE).read_text()
    assert _jit.background_compile_pid() is None


def test_warm_means_the_approach_cached_and_no_background_compilation(monkeypatch, tmp_path):
    from numba.core import config

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_jit, "cache_holds_approach", lambda: True)
    assert _jit.cache_is_warm()
    (tmp_path / _jit._PID_FILE).write_text(str(os.getpid()))  # one compiles now
    assert not _jit.cache_is_warm()
    monkeypatch.setattr(_jit, "cache_holds_approach", lambda: False)
    (tmp_path / _jit._PID_FILE).unlink()
    assert not _jit.cache_is_warm()


def test_a_cache_folder_that_cannot_be_written_starts_nothing(monkeypatch, tmp_path):
    from numba.core import config

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(config, "CACHE_DIR", str(blocker / "cache"))  # (under a file)
    assert _jit._start_background_compile(None) is None


def test_waiting_for_the_background_compilation(monkeypatch, tmp_path):
    from numba.core import config

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    assert _jit.wait_for_background_compile() < 0.5  # none runs
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
    (tmp_path / _jit._PID_FILE).write_text(str(sleeper.pid))
    out = io.StringIO()
    with compile_progress(out) as progress:
        waited = _jit.wait_for_background_compile(progress, poll_s=0.1)
    assert waited >= 1.0 and sleeper.poll() is not None
    assert "waiting 0 s for the background compilation" in out.getvalue()


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a detached child: reaped here once it has ended)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0
