"""What numba is doing on a first run: a progress line while kernels compile, and the
first run's kernels run as Python while a background process compiles them.

The compiled kernels are cached on disk (see ``qingzhou_sim/__init__.py``), so a
machine compiles them once; that first run would otherwise sit for about a minute.
:func:`compile_progress` listens to numba's compilation events and keeps one status
line up to date on a stream (stderr by default); with a warm cache nothing is compiled
and nothing is printed.

On a cold cache, :func:`first_run` runs the kernels the mission calls as Python
(:mod:`qingzhou_sim._interpret`: the same operations, numba's arithmetic, the same
results to the last bit; a few seconds for a whole mission) and starts a detached,
low-priority process that compiles them into the disk cache for the runs after this
one (about a minute of CPU on another core; :func:`background_compile_pid`).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

__all__ = [
    "background_compile_pid",
    "compile_kernels",
    "compile_progress",
    "first_run",
    "wait_for_background_compile",
]

# The approach loop's entry point: whether the cache holds it tells a cold cache (or
# sources edited since they were cached) from a warm one.
_APPROACH_LOOP = ("qingzhou_sim.docking.loop", "run_segment")


class _Progress:
    """numba event listener: counts top-level compilations and reports them.

    On a terminal one status line is redrawn in place, also while one long kernel
    compiles (a ticker thread: the elapsed time keeps moving); elsewhere (a log file, a
    notebook's captured stream) one plain line per compiled kernel, so nothing piles up
    on a single line of carriage returns.
    """

    def __init__(self, stream, min_interval_s: float = 0.25):
        self.stream = stream
        self.min_interval_s = min_interval_s
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.width = shutil.get_terminal_size((80, 24)).columns - 1 if self.tty else 78
        self.depth = 0
        self.count = 0
        self.compile_s = 0.0  # wall seconds spent compiling (top-level compilations)
        self.compiling_since = 0.0
        self.started = None
        self.last_draw = 0.0
        self.name = ""
        self.background = False  # the other kernels compile in a background process
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def on_start(self, event) -> None:
        if self.depth == 0:
            dispatcher = event.data["dispatcher"]
            self.name = getattr(dispatcher.py_func, "__qualname__", "?")
            self._begin()
            self.compiling_since = time.perf_counter()
            if self.tty:
                self._draw(force=True)
        self.depth += 1

    def on_end(self, event) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.count += 1
            self.compile_s += time.perf_counter() - self.compiling_since
            self._draw(force=not self.tty)

    def _begin(self) -> None:
        if self.started is not None:
            return
        self.started = time.perf_counter()
        cache = os.environ.get("NUMBA_CACHE_DIR", "numba's cache")
        self.stream.write(f"compiling numba kernels (first run only; cached in {cache})\n")
        self.stream.flush()
        if self.tty:
            threading.Thread(target=self._tick, name="compile-progress", daemon=True).start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            if self.depth > 0:  # (between compilations the line stays, tqdm may draw)
                self._draw(force=True)

    def waiting(self, waited_s: float) -> None:
        """Report a wait for the background compilation (every 10 s off a terminal)."""
        self._begin()
        self.name = f"waiting {waited_s:.0f} s for the background compilation"
        if self.tty:
            self._draw()
        elif waited_s - getattr(self, "_last_wait", -10.0) >= 10.0:
            self._last_wait = waited_s
            self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        with self._lock:
            now = time.perf_counter()
            if self._stop.is_set() or (not force and now - self.last_draw < self.min_interval_s):
                return
            self.last_draw = now
            line = f"{self.count} kernels compiled, {now - self.started:5.1f} s  {self.name}"
            if self.tty:
                spin = "|/-\\"[int(2 * (now - self.started)) % 4]
                self.stream.write("\r" + f"  {spin} {line}"[: self.width].ljust(self.width))
            else:
                self.stream.write(f"  {line}\n")
            self.stream.flush()

    def finish(self) -> None:
        self._stop.set()
        if self.started is not None:
            with self._lock:
                also = ", the others in the background" if self.background else ""
                line = f"  {self.count} kernels compiled in {self.compile_s:.1f} s{also}"
                if self.tty:
                    line = "\r" + line.ljust(self.width)
                self.stream.write(line + "\n")
                self.stream.flush()


@contextlib.contextmanager
def compile_progress(stream=None):
    """Report numba compilations on ``stream`` (default ``sys.stderr``) while the block
    runs: a header line, then the count, the elapsed time and the kernel's name, on one
    line redrawn in place on a terminal, one line per compiled kernel elsewhere; a last
    line with the total. Nothing at all when nothing compiles (a warm cache).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with compile_progress(out):
    ...     pass
    >>> out.getvalue()  # nothing compiled, nothing printed
    ''
    """
    from numba.core import event

    progress = _Progress(sys.stderr if stream is None else stream)

    class _Listener(event.Listener):
        def on_start(self, ev):
            progress.on_start(ev)

        def on_end(self, ev):
            progress.on_end(ev)

    listener = _Listener()
    event.register("numba:compile", listener)
    try:
        yield progress
    finally:
        event.unregister("numba:compile", listener)
        progress.finish()
        if progress.count:  # compiled: a new cache folder, perhaps, so old ones can go
            with contextlib.suppress(OSError):
                prune_cache_folders()


# Cache folders kept beside the current one (kernel sources of other versions or
# branches): each holds tens of MB, and a new one is made whenever the sources change.
_KEEP_CACHE_FOLDERS = 2


def prune_cache_folders(keep: int = _KEEP_CACHE_FOLDERS) -> list[str]:
    """Remove the package's numba cache folders made for other versions of the kernel
    sources, except the ``keep`` most recently made, and return their paths.

    Only folders this package named (12 hex digits beside the current one, see
    ``qingzhou_sim/__init__.py``); nothing when numba's cache is elsewhere (a
    NUMBA_CACHE_DIR set by the user)."""
    from numba.core import config

    from . import _user_cache_dir

    current = os.path.abspath(_user_cache_dir())
    if os.path.abspath(str(config.CACHE_DIR or "")) != current:
        return []
    base = os.path.dirname(current)
    others = sorted(
        (
            (os.path.getmtime(path), path)
            for path in (os.path.join(base, name) for name in os.listdir(base))
            if path != current
            and re.fullmatch(r"[0-9a-f]{12}", os.path.basename(path))
            and os.path.isdir(path)
        ),
        reverse=True,
    )
    removed = [path for _, path in others[keep:]]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def warm_numba() -> None:
    """Make numba's typing and target contexts (their registries of typing and
    lowering rules, which import numba's numpy support and scipy.linalg, and LLVM's
    start-up) as the first compiled-kernel load would: ~0.3 s once per process. A
    process that forks helpers does it first, so that they inherit it. Does nothing
    when numba's internals differ (the first kernel load then does it)."""
    try:
        from numba.core.registry import cpu_target

        cpu_target.typing_context.refresh()
        cpu_target.target_context.refresh()
    except Exception:  # noqa: BLE001 - only a head start
        pass


def preload_cached(prefix: str | tuple[str, ...] = "qingzhou_sim.", names=None) -> int:
    """Load from numba's disk cache every compiled entry point (a kernel Python can
    call) of the imported modules named ``prefix...`` (or any of the prefixes of a
    tuple), for each signature its cache index holds, as its first call would; nothing
    is compiled (a missing, stale or unreadable entry is left to the first call).
    ``names``: only the kernels of these ``"module.function"`` names (of their Python
    functions), if given. Returns the count loaded.

    ``qingzhou-sim run`` does it while a second process computes the launch stage and
    the phasing plan, for the kernels the stages after them call."""
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.dispatcher import Dispatcher

    seen, count = set(), 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(prefix) or module is None:
            continue
        for disp in list(vars(module).values()):
            if not isinstance(disp, Dispatcher) or id(disp) in seen:
                continue
            seen.add(id(disp))
            if disp._cache is None or not disp._can_compile:
                continue
            if disp.targetoptions.get("no_cpython_wrapper"):
                continue  # linked into its callers' code; Python never calls it
            func = disp.py_func
            if names is not None and f"{func.__module__}.{func.__name__}" not in names:
                continue
            try:
                count += _load_cached(disp, global_compiler_lock)
            except Exception:  # noqa: BLE001 - only a head start: the call loads it
                continue
    return count


def _load_cached(disp, lock) -> int:
    """numba's Dispatcher.compile, its disk-cache branch only, for each signature in
    ``disp``'s cache index."""
    magic = disp.targetctx.codegen().magic_tuple()
    count = 0
    with lock:
        for key in disp._cache._cache_file._load_index():
            sig = key[0]  # the argument types, as _compile_for_args passes them
            args = tuple(getattr(sig, "args", sig))
            if key[1] != magic or args in disp.overloads:
                continue
            cres = disp._cache.load_overload(sig, disp.targetctx)
            if cres is None:
                continue
            if not cres.objectmode:
                disp.targetctx.insert_user_function(cres.entry_point, cres.fndesc, [cres.library])
            disp.add_overload(cres)
            count += 1
    return count


def cache_holds_approach() -> bool:
    """True when numba's cache folder holds an index of the approach loop of this
    installation (the cache is warm), by a file-name search that imports nothing of
    the docking package. The cache folder's name covers the kernel sources
    (``qingzhou_sim/__init__.py``), so an index there is one of the current sources
    unless the user set NUMBA_CACHE_DIR; its subfolder is this installation's
    (:func:`_cache_subfolder`: another copy of the same sources keeps its own)."""
    from numba.core.config import CACHE_DIR

    module, name = _APPROACH_LOOP
    parts = module.split(".")
    source = os.path.join(os.path.dirname(__file__), *parts[1:]) + ".py"
    pattern = os.path.join(CACHE_DIR or "", _cache_subfolder(source), f"{parts[-1]}.{name}-*.nbi")
    return bool(CACHE_DIR) and bool(glob.glob(pattern))


def _cache_subfolder(source: str) -> str:
    """The subfolder of numba's cache folder that holds the kernels of the module file
    ``source``: its folder's name and the SHA-1 of that folder's absolute path (numba's
    ``_CacheLocator.get_suitable_cache_subpath``, for a cache folder the user or this
    package set)."""
    folder = os.path.dirname(os.path.abspath(source))
    return f"{os.path.basename(folder)}_{hashlib.sha1(folder.encode()).hexdigest()}"


def cache_is_warm() -> bool:
    """True when a run needs no first-run tier: numba's cache holds the approach loop
    (:func:`cache_holds_approach`) and no background compilation runs (a run started
    meanwhile finds the cache half filled: with the tier, it runs the kernels not yet
    cached as Python instead of compiling them)."""
    return cache_holds_approach() and background_compile_pid() is None


def _free_cores() -> int:
    """Cores this process may use that no other process is keeping busy: the CPUs of
    its affinity mask minus the 1-minute load average of the others (this process
    counted once). A thread sharing a core with another busy process makes every
    thread of a parallel loop wait for it, which is slower than one thread; a second
    compiling process on a busy machine only slows both."""
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n_cpu = os.cpu_count() or 1
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)
    except (AttributeError, OSError):
        return 1
    return max(1, int(math.floor(n_cpu - others + 0.5)))


# Kernels a first run compiles even so: the launch search's Lambert scans, whose Python
# runs would take minutes (~10^5 Lambert solutions; ~3 s to compile).
_COMPILED_ON_FIRST_RUN = frozenset(
    {
        "qingzhou_sim.phasing.profiles._lambert_grid_kernel",
        "qingzhou_sim.phasing.profiles._lambert_at",
    }
)
# QINGZHOU_SIM_FIRST_RUN=compile: a first run compiles every kernel itself, waiting
FIRST_RUN_ENV = "QINGZHOU_SIM_FIRST_RUN"
# The background compilation's pid and log files beside the cache, one pair per
# installation of the package (two copies of the same sources share the cache folder)
_INSTALLATION = hashlib.sha1(os.path.dirname(os.path.abspath(__file__)).encode()).hexdigest()
_PID_FILE = f"qingzhou-sim-compile-{_INSTALLATION[:12]}.pid"
_LOG_FILE = f"qingzhou-sim-compile-{_INSTALLATION[:12]}.log"


_ACTIVE_TIERS: list = []


def python_tier_active() -> bool:
    """True while :func:`first_run` runs this package's kernels as Python."""
    return bool(_ACTIVE_TIERS)


class _PythonTier:
    """While installed, a call from Python of one of this package's kernels that numba
    has neither compiled in this process nor cached on disk runs the kernel's Python
    twin (:mod:`qingzhou_sim._interpret`: the same results) instead of compiling it;
    the kernels of :data:`_COMPILED_ON_FIRST_RUN` and kernels without a twin compile.
    numba's dispatcher class gets a Python ``__call__`` for that time (the C call
    otherwise, and again once removed)."""

    def __init__(self, cold_only: bool = True):
        self.decided: dict[int, bool] = {}
        self.count = 0
        self.cold_only = cold_only  # False: compiled kernels run as Python too (tests)

    def call(self, dispatcher, args, kwargs):
        from . import _interpret

        key = id(dispatcher)
        as_python = self.decided.get(key)
        if as_python is None:
            as_python = self.decided[key] = self._runs_as_python(dispatcher)
            self.count += as_python
        if as_python:
            try:
                return _interpret.call_as_python(dispatcher, args, kwargs)
            except _interpret.TwinUnavailable:
                self.decided[key] = False
        return _c_call()(dispatcher, *args, **kwargs)

    def _runs_as_python(self, dispatcher) -> bool:
        func = dispatcher.py_func
        name = f"{func.__module__}.{func.__qualname__}"
        if not name.startswith("qingzhou_sim.") or name in _COMPILED_ON_FIRST_RUN:
            return False
        if not self.cold_only:
            return True
        # not compiled or loaded in this process already, nor in numba's disk cache
        return not dispatcher.overloads and not _cached_on_disk(dispatcher)

    def install(self) -> None:
        from numba.core.registry import CPUDispatcher

        tier = self

        def __call__(self, *args, **kwargs):
            return tier.call(self, args, kwargs)

        CPUDispatcher.__call__ = __call__
        _ACTIVE_TIERS.append(self)

    def remove(self) -> None:
        from numba.core.registry import CPUDispatcher

        _ACTIVE_TIERS.remove(self)
        if "__call__" in vars(CPUDispatcher):
            del CPUDispatcher.__call__


def _cached_on_disk(dispatcher) -> bool:
    """True if numba's disk cache indexes a compiled copy of ``dispatcher`` (or if
    that cannot be told: numba's usual call then)."""
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # noqa: BLE001 - any doubt: numba's usual call
        return True


def _c_call():
    from numba._dispatcher import Dispatcher

    return Dispatcher.__call__


def _cache_file(name: str) -> str:
    from numba.core.config import CACHE_DIR

    return os.path.join(str(CACHE_DIR or tempfile.gettempdir()), name)


def background_compile_pid() -> int | None:
    """The process id of a background compilation of this package's kernels that is
    still running (:func:`first_run`), or None."""
    try:
        with open(_cache_file(_PID_FILE)) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:  # this process's own child that has ended (a zombie until reaped)?
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return None
    except ChildProcessError:  # (another process's: alive, as kill found it)
        pass
    return pid


def _start_background_compile(mission) -> int | None:
    """Start a detached, low-priority process that compiles the kernels ``mission``
    calls into numba's disk cache (:func:`_compile_main`) and goes on after this
    process exits; its pid, or None if one is running already or it cannot start."""
    from numba.core import config

    running = background_compile_pid()
    if running is not None:
        return None
    env = dict(os.environ, NUMBA_CACHE_DIR=str(config.CACHE_DIR or ""))
    env.pop(FIRST_RUN_ENV, None)
    code = "from qingzhou_sim._jit import _compile_main; _compile_main()"
    try:
        os.makedirs(os.path.dirname(_cache_file(_LOG_FILE)), exist_ok=True)
        with open(_cache_file(_LOG_FILE), "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
                start_new_session=True,  # (a Ctrl-C of this run does not stop it)
            )
    except OSError:  # (a cache folder it cannot write: numba cannot cache there either)
        return None
    with contextlib.suppress(OSError):
        proc.stdin.write(pickle.dumps(mission))
        proc.stdin.close()
    proc.returncode = 0  # (detached: never reaped here, no warning when this one exits)
    return proc.pid


@contextlib.contextmanager
def first_run(mission, progress=None):
    """On a cold numba cache (the first run on a machine), run this package's kernels
    as Python while the block runs (:class:`_PythonTier`: the same results, a few
    seconds instead of about a minute of compilation) and compile them meanwhile in a
    background process that goes on after this one exits, for the runs after it.
    Nothing changes with a warm cache, or with ``QINGZHOU_SIM_FIRST_RUN=compile`` in
    the environment (then this process compiles what it calls, as numba does).

    Parameters
    ----------
    mission : qingzhou_sim.mission.Mission
        The mission about to run: the background process flies it to compile what
        it calls.
    progress : optional
        The object :func:`compile_progress` yields: the header goes to its stream.

    Yields
    ------
    int or None
        The background process's id (None: a warm cache, or one already running).

    Examples
    --------
    >>> from qingzhou_sim.mission import Mission
    >>> mission = Mission.default()
    >>> with compile_progress() as progress, first_run(mission, progress):  # doctest: +SKIP
    ...     result = mission.run()
    """
    if cache_is_warm() or os.environ.get(FIRST_RUN_ENV, "") == "compile":
        yield None
        return
    running = background_compile_pid()
    pid = None if running else _start_background_compile(mission)
    if progress is not None:
        progress.stream.write(_first_run_header(pid, running))
        progress.stream.flush()
        progress.background = True
    tier = _PythonTier()
    tier.install()
    try:
        yield pid
    finally:
        tier.remove()


def _first_run_header(started: int | None, running: int | None) -> str:
    """What :func:`first_run` says: the background process it ``started``, or the one
    already ``running`` (a run started while a first run's compilation goes on)."""
    log = _cache_file(_LOG_FILE)
    if running:
        return (
            f"numba is still compiling the kernels in a background process (pid {running}, "
            f"log {log}); this run executes those not yet compiled as Python (the same "
            "results)\n"
        )
    where = f"pid {started}, " if started else ""
    return (
        "first run on this machine: numba compiles the kernels once, in a background "
        f"process ({where}log {log}); this run executes them as Python meanwhile (the "
        "same results)\n"
    )


def _compile_main() -> None:
    """The background process of :func:`first_run`: fly the pickled mission on stdin
    (its approach first, the largest part, then the whole mission), compiling the
    kernels it calls into numba's disk cache; its pid in a file beside them meanwhile."""
    import resource

    started = time.perf_counter()
    mission = pickle.load(sys.stdin.buffer)
    with contextlib.suppress(OSError):
        os.nice(19)  # (the foreground's run keeps its core)
    pid_file = _cache_file(_PID_FILE)
    with open(pid_file, "w") as f:
        f.write(str(os.getpid()))
    try:
        with compile_progress():  # (into the log: one line per kernel)
            compile_kernels(mission)
    finally:
        with contextlib.suppress(OSError):
            os.remove(pid_file)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(
        f"background compilation done: {usage.ru_utime + usage.ru_stime:.1f} s CPU, "
        f"{time.perf_counter() - started:.1f} s wall\n"
    )


def compile_kernels(mission) -> None:
    """Compile into numba's disk cache the kernels ``mission``'s run calls (loading
    those cached already): fly its approach first (the largest part,
    :func:`_fly_approach`), then the whole mission, and write its files and figures
    into a temporary folder (they sample the trajectories: kernels of their own)."""
    _fly_approach(mission)
    result = mission.run()
    with tempfile.TemporaryDirectory() as out:
        result.save(out)


def wait_for_background_compile(progress=None, poll_s: float = 0.5) -> float:
    """Wait until no background compilation (:func:`first_run`) runs; the seconds
    waited. ``progress``: a :func:`compile_progress` report, redrawn meanwhile."""
    t0 = time.perf_counter()
    while background_compile_pid() is not None:
        if progress is not None:
            progress.waiting(time.perf_counter() - t0)
        time.sleep(poll_s)
    return time.perf_counter() - t0


def _fly_approach(mission) -> None:
    """Fly ``mission``'s approach once from its phasing profile's hand-over point, the
    station on a 390 km circular orbit: this compiles the approach's kernels with the
    argument types of the real one. Only the types matter, so the orbit is made up
    and the result thrown away; the hand-over point is the mission's so that the same
    parts of the loop run (from elsewhere the approach may abort and compile the
    abort's extra kernels)."""
    from types import SimpleNamespace

    import astropy.units as u
    import numpy as np
    from astropy.time import Time

    from .constants import EARTH
    from .frames import _relative_to_inertial
    from .mission.approach import approach_stage
    from .mission.config import Perturbations
    from .state import State

    epoch = Time("2026-01-01T00:00:00", scale="utc")
    a_km = EARTH.radius_km + 390.0
    station = State.from_elements(epoch, a=a_km * u.km, inc=41.47 * u.deg)
    n = (EARTH.mu_km3_s2 / a_km**3) ** 0.5
    chaser_rv = _relative_to_inertial("LVLH", station.rv_km, _handover_lvlh(mission, n))

    def leg(rv):
        return SimpleNamespace(r_km=np.asarray(rv)[None, :3], v_km_s=np.asarray(rv)[None, 3:])

    flight = SimpleNamespace(
        plan=SimpleNamespace(handover_epoch=epoch),
        chaser=leg(chaser_rv),
        station=leg(station.rv_km),
    )
    p = Perturbations()
    approach_stage(mission, flight, p, mission.chaser_vehicle(), mission.station_spacecraft())


def _handover_lvlh(mission, n_rad_s: float):
    """The LVLH state (km, km/s) at which ``mission``'s phasing hands over to the
    approach (its profile's hand-over point, at rest when the profile gives no
    velocity); the docking module's default hand-over if the mission does not say."""
    import astropy.units as u
    import numpy as np

    try:
        from .mission.schemes import phasing_profile_for

        prof = phasing_profile_for(mission.phasing_profile, mission.port)
        r = prof.handover_r_lvlh.to_value(u.km)
        v = (
            np.zeros(3)
            if prof.handover_v_lvlh is None
            else prof.handover_v_lvlh.to_value(u.km / u.s)
        )
        return np.concatenate([r, v]).astype(float)
    except Exception:  # noqa: BLE001 - a custom mission: any hand-over compiles the loop
        from .docking.simulate import default_handover_lvlh

        return default_handover_lvlh(n_rad_s)
