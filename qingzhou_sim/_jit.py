"""What numba is doing on a first run: a progress line while kernels compile.

The compiled kernels are cached on disk (see ``qingzhou_sim/__init__.py``), so a
machine compiles them once; that first run would otherwise sit silent for tens of
seconds. :func:`compile_progress` listens to numba's compilation events and keeps one
status line up to date on a stream (stderr by default); with a warm cache nothing is
compiled and nothing is printed.

On a cold cache, :func:`compile_ahead` also hands the approach's kernels (the docking
loop: most of a first run's compilation) to a second process, which compiles them into
the disk cache while this one compiles and flies launch and phasing; this process loads
them from the cache when it reaches the approach (waiting for the second process if it
is not done, compiling them itself if it failed).
"""

from __future__ import annotations

import contextlib
import glob
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

__all__ = ["compile_ahead", "compile_progress"]

# The approach's compiled kernels live in these modules; the loop's entry point tells
# whether the cache holds them (a cold cache, or sources edited since they were cached).
_APPROACH_PACKAGE = "qingzhou_sim.docking"
_APPROACH_LOOP = ("qingzhou_sim.docking.loop", "run_segment")
# Give up on the second process after this long (it compiles in about a minute of CPU)
# and compile here instead.
_MAX_WAIT_S = 900.0


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
        self.started = None
        self.last_draw = 0.0
        self.name = ""
        self.background = False  # the approach's kernels compile in a second process
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def on_start(self, event) -> None:
        if self.depth == 0:
            dispatcher = event.data["dispatcher"]
            self.name = getattr(dispatcher.py_func, "__qualname__", "?")
            self._begin()
            if self.tty:
                self._draw(force=True)
        self.depth += 1

    def on_end(self, event) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.count += 1
            self._draw(force=not self.tty)

    def _begin(self) -> None:
        if self.started is not None:
            return
        self.started = time.perf_counter()
        cache = os.environ.get("NUMBA_CACHE_DIR", "numba's cache")
        self.stream.write(f"compiling numba kernels (first run only; cached in {cache})\n")
        if self.background:
            self.stream.write("  the approach's kernels compile meanwhile in a second process\n")
        self.stream.flush()
        if self.tty:
            threading.Thread(target=self._tick, name="compile-progress", daemon=True).start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            if self.depth > 0:  # (between compilations the line stays, tqdm may draw)
                self._draw(force=True)

    def waiting(self, waited_s: float) -> None:
        """Report that this process waits for the second one (every 10 s off a terminal)."""
        self._begin()
        self.name = f"waiting {waited_s:.0f} s for the approach's kernels"
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
                took = time.perf_counter() - self.started
                also = ", the approach's in a second process" if self.background else ""
                line = f"  {self.count} kernels compiled in {took:.1f} s{also}"
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


class _Background:
    """The second process that compiles the approach's kernels (see :func:`compile_ahead`)."""

    def __init__(self, mission):
        from numba.core import config

        # The child must write where this process reads: numba's cache folder as resolved
        # here (qingzhou_sim/__init__.py may have chosen it).
        env = dict(os.environ, NUMBA_CACHE_DIR=str(config.CACHE_DIR or ""))
        self.log = tempfile.TemporaryFile()
        code = "from qingzhou_sim._jit import _background_main; _background_main()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env=env,
        )
        with contextlib.suppress(OSError):  # (a child that died at once: waited for below)
            self.proc.stdin.write(pickle.dumps(mission))
        with contextlib.suppress(OSError):
            self.proc.stdin.close()

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(self, progress=None) -> bool:
        """Wait until the second process exits (redrawing ``progress``); True if it
        succeeded. After ``_MAX_WAIT_S`` it is stopped and this process compiles."""
        t0 = time.perf_counter()
        while self.running:
            waited = time.perf_counter() - t0
            if waited > _MAX_WAIT_S:
                self.stop()
                break
            if progress is not None:
                progress.waiting(waited)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.25)
        return self.proc.returncode == 0

    def stop(self) -> None:
        """Stop the second process if it still runs, and reap it."""
        if self.running:
            self.proc.terminate()
        self.proc.wait()
        self.log.close()


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
    """True when numba's cache folder holds an index of the approach loop (the cache
    is warm), by a file-name search that imports nothing of the docking package. The
    cache folder's name covers the kernel sources (``qingzhou_sim/__init__.py``), so an
    index there is one of the current sources unless the user set NUMBA_CACHE_DIR."""
    from numba.core.config import CACHE_DIR

    module, name = _APPROACH_LOOP
    pattern = os.path.join(CACHE_DIR or "", "*", f"{module.rsplit('.', 1)[1]}.{name}-*.nbi")
    return bool(CACHE_DIR) and bool(glob.glob(pattern))


def _approach_is_cold() -> bool:
    """True when numba's disk cache holds no approach loop compiled from the current
    sources (numba's index of the loop's entry point is missing, stale or empty). Reads
    one small file; False whenever it cannot tell (then nothing runs in the background)."""
    import importlib

    try:
        loop = getattr(importlib.import_module(_APPROACH_LOOP[0]), _APPROACH_LOOP[1])
        return not loop._cache._cache_file._load_index()  # numba's FunctionCache
    except Exception:  # noqa: BLE001 - any doubt: compile here, as without this module
        return False


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


@contextlib.contextmanager
def compile_ahead(mission, progress=None):
    """While the block runs, let a second process compile the approach's kernels when
    numba's disk cache does not hold them (the first run on a machine).

    The second process flies ``mission``'s approach once from its hand-over point on a
    made-up orbit (:func:`_background_main`), which compiles the docking loop with the
    argument types of the real one and writes it to the cache. Meanwhile this process goes on (launch,
    phasing); the first time it needs to compile a function of ``qingzhou_sim.docking``
    it waits for the second process to exit (redrawing ``progress``, a
    :func:`compile_progress` report), then numba finds the kernels in the cache (it
    reads the cache index anew on every miss, and the child, which numba lets write
    its index and data files only whole, has exited). If the
    second process failed, this one compiles as usual. With a warm cache, or without a
    second free core (other processes keeping the machine busy), nothing starts.

    Parameters
    ----------
    mission : qingzhou_sim.mission.Mission
        The mission about to run (its approach profile, vehicles and control rate).
    progress : optional
        The object :func:`compile_progress` yields.

    Examples
    --------
    >>> from qingzhou_sim.mission import Mission
    >>> mission = Mission.default()
    >>> with compile_progress() as progress, compile_ahead(mission, progress):  # doctest: +SKIP
    ...     result = mission.run()
    """
    if not (_approach_is_cold() and _free_cores() >= 2):
        yield None
        return
    from numba.core.dispatcher import Dispatcher

    job = _Background(mission)
    if progress is not None:
        progress.background = True
    original = Dispatcher._compile_for_args

    def compile_for_args(self, *args, **kws):
        if job.running and self.py_func.__module__.startswith(_APPROACH_PACKAGE + "."):
            job.wait(progress)
        return original(self, *args, **kws)

    Dispatcher._compile_for_args = compile_for_args
    try:
        yield job
    finally:
        Dispatcher._compile_for_args = original
        job.stop()


def _background_main() -> None:
    """The second process of :func:`compile_ahead`: fly the approach of the pickled
    mission on stdin from its phasing profile's hand-over point, the station on a
    390 km circular orbit, compiling and caching the approach's kernels. Only the
    argument types matter, so the orbit is made up and the result thrown away; the
    hand-over point is the mission's so that the same parts of the loop run (from
    elsewhere the approach may abort and compile the abort's extra kernels)."""
    from types import SimpleNamespace

    import astropy.units as u
    import numpy as np
    from astropy.time import Time

    from .constants import EARTH
    from .frames import _relative_to_inertial
    from .mission.approach import approach_stage
    from .mission.config import Perturbations
    from .state import State

    mission = pickle.load(sys.stdin.buffer)
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
