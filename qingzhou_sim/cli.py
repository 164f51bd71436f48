"""The ``qingzhou-sim`` command.

Sub-commands: ``states``, ``run`` (the default mission), ``windows`` (launch windows),
``compile`` (the numba kernels, into the cache), ``profiles``, ``montecarlo``. Each is a small function ``_cmd_<name>(args) -> int``
registered in :func:`_build_parser`.

Errors: bad input prints one line ``qingzhou-sim: error: ...`` on stderr and exits with
status 2 (no traceback; ``--debug`` shows it); an unexpected failure exits with 3.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import sys
import textwrap
import traceback
from pathlib import Path
from typing import NoReturn

__all__ = ["main"]

# Exit statuses: 0 success, 1 the mission did not dock, 2 bad input, 3 internal error,
# 130 interrupted (as a shell reports SIGINT).
EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 3, 130
# Bounds stated up front (see issue 13): samples per campaign, local workers.
MAX_SAMPLES = 1_000_000
MAX_WORKERS = 1024


def _cmd_states(args) -> int:
    """Print the nominal station and insertion states and their elements."""
    import astropy.units as u
    from astropy.time import Time

    from .state import State

    epoch = Time("2026-12-01T00:00:00", scale="utc")
    station = State.from_elements(epoch, a=(6378.137 + 390.0) * u.km, inc=41.5 * u.deg)
    chaser = State.from_altitudes(
        epoch, perigee_altitude=200 * u.km, apogee_altitude=380 * u.km, inc=41.5 * u.deg
    )
    states = (
        ("Tiangong (nominal 390 km circular)", station),
        ("Qingzhou insertion (200 x 380 km)", chaser),
    )
    if args.json:
        print(json.dumps([_state_dict(name, s) for name, s in states], indent=2))
        return 0
    for name, s in states:
        print(name)
        print("  ", s)
        print("  ", s.elements())
    return 0


def _state_dict(name: str, s) -> dict:
    import astropy.units as u

    el = s.elements()
    return {
        "name": name,
        "epoch_utc": s.epoch.utc.isot + "Z",
        "frame": "GCRS",
        "r_km": s.r_km.tolist(),
        "v_km_s": s.v_km_s.tolist(),
        "a_km": float(el.a.to_value(u.km)),
        "ecc": float(el.ecc.value),
        "inc_deg": float(el.inc.to_value(u.deg)),
        "raan_deg": float(el.raan.to_value(u.deg)),
        "argp_deg": float(el.argp.to_value(u.deg)),
        "nu_deg": float(el.nu.to_value(u.deg)),
        "arglat_deg": float(el.arglat.to_value(u.deg)),
        "period_s": float(el.period.to_value(u.s)),
    }


def _cmd_windows(args) -> int:
    """Print the in-plane launch windows of a site (table, or JSON with --json)."""
    import astropy.units as u

    from .launch import Target, launch_windows

    _check_hours(args.hours)
    if args.tle_file is not None:
        target = Target.from_tle_file(args.tle_file)
    elif args.tle is not None:
        target = Target.from_tle(args.tle[0], args.tle[1])
    elif args.mission is not None:
        from .mission import Mission
        from .mission.launching import station_target

        target = station_target(Mission.from_toml(args.mission))
    else:
        target = None
    windows = launch_windows(args.start, args.hours * u.hour, target=target, site=args.site)
    if args.json:
        # keys: in_plane_utc, liftoff_utc, insertion_utc, azimuth_deg,
        # azimuth_rotating_deg, direction, phase_angle_deg, site
        print(json.dumps(windows.to_dicts(), indent=2))
    else:
        print(windows)
    return 0


def _load_mission(args):
    from .mission import Mission

    mission = Mission.default() if args.mission is None else Mission.from_toml(args.mission)
    changes = {}
    if getattr(args, "profile", None):
        changes["phasing_profile"] = args.profile
    if getattr(args, "port", None):
        changes["port"] = args.port
        changes["approach_profile"] = None
    if getattr(args, "launch_date", None):
        changes["launch_date"], changes["liftoff"] = args.launch_date, None
    for key in ("liftoff", "station_phasing"):
        if getattr(args, key, None):
            changes[key] = getattr(args, key)
    return mission.replace(**changes) if changes else mission


def _cmd_run(args) -> int:
    """Run a mission (the default one without a file), print its summary, save outputs."""
    from ._jit import compile_progress, first_run
    from .frames import _load_time_tables
    from .io import to_json
    from .plotting._files import start_writer

    _check_output_dir(args.out)
    _load_time_tables()  # before the mission's modules and the writer's fork: see there
    mission = _load_mission(args)
    # a forked process computes the launch stage and the phasing plan while this one
    # imports the modules the rest of the run needs (the docking package's compiled
    # kernels) and loads the compiled kernels the stages after the plan call; a first
    # one computes the launch search's Earth orientation meanwhile (no more imports)
    ahead = _start_launch_ahead(mission, _start_orientation_ahead(mission))
    writer = plan = None
    if ahead is not None:
        from ._jit import preload_cached

        for name in _AFTER_PLAN_MODULES:
            importlib.import_module(name)
        preload_cached(_AFTER_PLAN_KERNELS, _AFTER_PLAN_CALLED)
    # says so on stderr while numba compiles; on a first run the kernels run as Python
    # while a background process compiles them for the next runs (the results' lazy
    # parts, computed as they are saved, too)
    with compile_progress() as jit, first_run(mission, jit):
        try:
            # a forked process gets ready to write the CZML file and the figures while
            # the mission runs (Linux, two free cores; otherwise None and this process
            # writes them)
            writer = start_writer()
            if ahead is not None:
                plan = _take_launch_ahead(ahead, mission)
            result = mission.run(
                progress=not args.json and sys.stderr.isatty(), phasing_reference=plan
            )
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        paths = result.save(args.out, figures=not args.no_figures, parallel=True, writer=writer)
    if args.json:
        print(to_json(result.to_json_dict(), indent=2))
    else:
        print(result.summary())
        print(
            f"\nOutputs written to {args.out}/: "
            + ", ".join(sorted(p.name for p in paths.values()))
        )
    return 0 if result.docked else 1


# What the run imports after the phasing plan (flight, approach, result, timeline) and
# the modules whose compiled kernels it calls there: ``run`` imports and loads them
# while the launch child computes the launch stage and the plan (a module missing here
# is imported, a kernel loaded, when the run first needs it).
_AFTER_PLAN_MODULES = (
    "threadpoolctl",
    "qingzhou_sim._progress",
    "qingzhou_sim.forces",
    "qingzhou_sim.propagator",
    "qingzhou_sim.mission._guard",
    "qingzhou_sim.mission.approach",
    "qingzhou_sim.mission.schemes",
    "qingzhou_sim.mission.stages",
    "qingzhou_sim.mission.timeline",
)
_AFTER_PLAN_KERNELS = (
    "qingzhou_sim.docking.",
    "qingzhou_sim.forces.",
    "qingzhou_sim.propagator.",
    "qingzhou_sim.relative.",
)
# ... and of those, the kernels Python calls there in the default mission, the forward
# port and the two-day profile (~0.10 s CPU of loads; all of these modules' kernels
# ~0.16 s: the others, e.g. the re-plan's variational run, are loaded on first call)
_AFTER_PLAN_CALLED = frozenset(
    {
        "qingzhou_sim.docking._kernels._passive",
        "qingzhou_sim.docking._kernels._two_impulse_nb",
        "qingzhou_sim.docking._quat.qdcm",
        "qingzhou_sim.docking._quat.qfrom_rotvec",
        "qingzhou_sim.docking._quat.qfrom_two_vectors",
        "qingzhou_sim.docking._quat.qmul",
        "qingzhou_sim.docking._quat.qnormalize",
        "qingzhou_sim.docking.bodies.lvlh_rate_body",
        "qingzhou_sim.docking.loop.run_segment",
        "qingzhou_sim.docking.navigation.init_navigation",
        "qingzhou_sim.docking.safety.port_geometry",
        "qingzhou_sim.docking.thrusters.effectiveness",
        "qingzhou_sim.propagator._dop853._dense_from_stages",
        "qingzhou_sim.propagator._dop853._dop853_run",
    }
)


def _forks_ahead() -> bool:
    """True where ``run`` computes parts of the mission in forked processes: forking is
    safe (:func:`~qingzhou_sim.plotting._files.can_fork`) and the cache is warm (on a
    first run the kernels compile in a background process from the start, see
    :func:`~qingzhou_sim._jit.first_run`, and a third would delay them)."""
    from ._jit import cache_is_warm
    from .plotting._files import can_fork

    return can_fork() and cache_is_warm()


def _start_orientation_ahead(mission):
    """Fork a process that computes the Earth orientation at the first samples of
    ``mission``'s launch window search (~0.13 s of ``erfa.c2i06a`` at 4323 epochs) on
    the other core while this one imports numba and makes its compiler context, and
    sends it pickled to the launch child (:func:`_launch_child`); ``(pid, read_fd)``,
    or None (no search, or see :func:`_forks_ahead`). The same function on the same
    epochs: the same bits. Nothing is sent if it warns (e.g. epochs beyond the IERS
    table: the launch child then computes it and warns itself) or fails."""
    from .mission.launching import search_epochs
    from .plotting._files import fork_piped

    epochs = search_epochs(mission) if _forks_ahead() else None
    if epochs is None:
        return None
    return fork_piped(lambda write_fd: _orientation_child(epochs, write_fd))


def _orientation_child(epochs, write_fd: int) -> int:
    import pickle
    import warnings

    from .frames import _earth_orientation, _orientation_key

    with os.fdopen(write_fd, "wb") as pipe:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                found = _earth_orientation(epochs)
            key = _orientation_key(epochs)
            if caught or key is None:
                return 1
            pipe.write(_framed(pickle.dumps((key, found), pickle.HIGHEST_PROTOCOL)))
        except BaseException:  # noqa: BLE001 (the launch child computes it)
            return 1
    return 0


def _take_orientation_ahead(orientation) -> None:
    """In the launch child: the Earth orientation the process of
    :func:`_start_orientation_ahead` sends, for the launch search to use (nothing if
    it sent none)."""
    import pickle

    from . import frames

    with os.fdopen(orientation[1], "rb") as pipe:
        data = _read_framed(pipe)
    if data is not None:
        key, found = pickle.loads(data)
        frames._ORIENTATION_AHEAD[key] = found


def _start_launch_ahead(mission, orientation=None):
    """Fork a child that computes ``mission``'s launch stage (the window search) and
    nominal phasing plan and sends them back pickled; ``(pid, read_fd, orientation)``,
    or None (see :func:`_forks_ahead`). ``orientation``: the process of
    :func:`_start_orientation_ahead` (or None), whose data the child reads. numba's
    compiler context is made first (:func:`~qingzhou_sim._jit.warm_numba`), so that
    both processes share it."""
    from ._jit import warm_numba
    from .plotting._files import fork_piped

    if not _forks_ahead():
        _end_orientation_ahead(orientation)
        return None
    warm_numba()
    try:
        pid, read_fd = fork_piped(lambda write_fd: _launch_child(mission, write_fd, orientation))
    except BaseException:
        _end_orientation_ahead(orientation)
        raise
    if orientation is not None:
        os.close(orientation[1])  # (the launch child reads it)
    return pid, read_fd, orientation


def _end_orientation_ahead(orientation) -> None:
    """Close the pipe of the process of :func:`_start_orientation_ahead` (if any; this
    ends it if it is still writing) and reap it."""
    if orientation is not None:
        os.close(orientation[1])
        os.waitpid(orientation[0], 0)


def _launch_child(mission, write_fd: int, orientation=None) -> int:
    """The child's work: ``mission``'s launch stage, pickled with the mission's repr
    (the key of the stage's cache), then its nominal phasing plan; the Earth
    orientation of ``orientation`` (:func:`_start_orientation_ahead`) read first. Nothing
    is sent of a part that fails (the parent then computes it itself and reports the
    error)."""
    import pickle

    with os.fdopen(write_fd, "wb") as pipe:
        try:
            if orientation is not None:
                _take_orientation_ahead(orientation)
            from ._jit import compile_progress
            from .mission.launching import launch_stage
            from .mission.stages import nominal_plan

            with compile_progress():  # (the first run: its kernels compile here)
                stage = launch_stage(mission)
                pipe.write(_framed(pickle.dumps((repr(mission), stage))))
                pipe.flush()
                plan = nominal_plan(mission)
            pipe.write(_framed(pickle.dumps(plan)))
        except BaseException:  # noqa: BLE001 (the parent computes it and reports)
            return 1
    return 0


def _framed(data: bytes) -> bytes:
    """``data`` with its length in front (8 bytes, little-endian), so that the reader
    tells a whole message from one cut short by a child that died."""
    return len(data).to_bytes(8, "little") + data


def _read_framed(pipe) -> bytes | None:
    """The next message of :func:`_framed` on ``pipe``, or None at its end or at a
    message cut short."""
    head = pipe.read(8)
    if len(head) < 8:
        return None
    data = pipe.read(int.from_bytes(head, "little"))
    return data if len(data) == int.from_bytes(head, "little") else None


def _take_launch_ahead(ahead, mission):
    """Wait for the launch child; put its launch stage in the launch stage's cache when
    it is ``mission``'s (otherwise the run computes the stage as usual) and return its
    phasing plan (None if it sent none: the run plans as usual)."""
    import pickle

    from .mission import launching

    pid, read_fd, orientation = ahead
    with os.fdopen(read_fd, "rb") as pipe:
        first = _read_framed(pipe)
        second = _read_framed(pipe) if first is not None else None
    os.waitpid(pid, 0)
    if orientation is not None:  # (done: the launch child has read its data or ended)
        os.waitpid(orientation[0], 0)
    if first is None:
        return None
    key, stage = pickle.loads(first)
    if key != repr(mission):
        return None
    launching._LAUNCH_CACHE[key] = stage
    return None if second is None else pickle.loads(second)


def _cmd_compile(args) -> int:
    """Compile the kernels a mission calls into numba's disk cache now, waiting first
    for a first run's background compilation if one runs."""
    from numba.core.config import CACHE_DIR

    from ._jit import compile_kernels, compile_progress, wait_for_background_compile

    mission = _load_mission(args)
    with compile_progress() as progress:
        wait_for_background_compile(progress)
        compile_kernels(mission)
    print(f"numba's cache holds the kernels of mission {mission.name!r}: {CACHE_DIR}")
    return 0


def _cmd_profiles(args) -> int:
    """List the phasing and approach profiles, one line each."""
    import astropy.units as u

    from .docking import APPROACH_PROFILES, get_approach_profile
    from .phasing import PROFILES

    rows = []
    for name, prof in PROFILES.items():
        ho = prof.handover_r_lvlh.to_value(u.km)
        rows.append(
            (
                "phasing",
                name,
                f"{prof.strategy}, hand-over after {prof.handover_time.to_value(u.h):.2f} h at "
                f"x={ho[0]:+.0f} km z={ho[2]:+.0f} km (LVLH); flown: {prof.flown}",
            )
        )
    for name in APPROACH_PROFILES:
        prof = get_approach_profile(name)
        rows.append(
            (
                "approach",
                name,
                f"{prof.port} port: " + " -> ".join(seg.label for seg in prof.segments),
            )
        )
    if args.json:
        print(json.dumps([{"kind": k, "name": n, "description": d} for k, n, d in rows], indent=2))
        return 0
    width = max(len(n) for _, n, _ in rows)
    for kind, name, desc in rows:
        print(f"{kind:<9} {name:<{width}}  {desc}")
    return 0


def _cmd_montecarlo(args) -> int:
    """Dispersion campaign; Ctrl-C keeps and saves the samples finished so far."""
    from .io import to_json
    from .montecarlo import Dispersions, run_campaign

    _check_output_dir(args.out)
    mission = _load_mission(args)
    executor = None
    client = None
    if args.scheduler:
        client = executor = _dask_client(args.scheduler, args.connect_timeout)
    try:
        result = run_campaign(
            mission,
            args.n,
            args.seed,
            executor,
            dispersions=Dispersions().scaled(args.scale),
            workers=args.workers,
            progress=not args.json,
            out=args.out,  # finished samples on disk as they come; saved at the end
            figures=not args.no_figures,
        )
    finally:
        if client is not None:
            client.close()
    if args.json:
        print(to_json(result.to_json_dict(), indent=2))
    else:
        print(result.summary())
        if result.save_error is None:
            print(f"\nSamples, summary and figures written to {args.out}")
    if result.save_error is not None:  # the QingzhouWarning said where; the run failed
        return 1
    return 130 if result.interrupted else 0


def _check_output_dir(out: str) -> None:
    """Reject an output directory that cannot be written before anything runs."""
    from .errors import InputError

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError(
            f"--out {out!r} exists and is not a directory; expected a directory path",
            name="out",
            value=out,
            valid="directory",
        )
    parent = next(p for p in (path, *path.absolute().parents) if p.exists())
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            f"--out {out!r}: {parent} is not writable; expected a writable directory",
            name="out",
            value=out,
            valid="writable directory",
        )


def _check_hours(hours: float) -> None:
    from .errors import InputError

    high = _max_hours()
    why = (
        "is not a finite number"
        if not math.isfinite(hours)
        else "is not positive"
        if hours <= 0
        else f"is more than {high:g} h"
    )
    if not (math.isfinite(hours) and 0 < hours <= high):
        raise InputError(
            f"--hours {hours} {why}; expected a span 0 < hours <= {high:g} (one month; "
            "split longer searches)",
            name="hours",
            value=hours,
            valid=f"(0, {high:g}]",
        )


def _dask_client(address: str, timeout_s: float):
    """A ``dask.distributed`` client of the scheduler at ``address``, or a clear error."""
    from .errors import InputError

    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler needs dask.distributed; install qingzhou_sim[dask]",
            name="scheduler",
            value=address,
        ) from None
    try:
        return Client(address, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise InputError(
            f"--scheduler {address!r}: cannot connect within {timeout_s:g} s "
            f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]}); expected the address "
            "of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
            name="scheduler",
            value=address,
            valid="tcp://host:port of a running scheduler",
        ) from None


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``qingzhou-sim: error: ...``) and exit status 2."""

    def error(self, message: str):
        self.exit(
            EXIT_INPUT,
            f"qingzhou-sim: error: {' '.join(message.split())} (see {self.prog} --help)\n",
        )


def _sub(sub, name: str, help: str, description: str, example: str):
    return sub.add_parser(
        name,
        help=help,
        description=textwrap.fill(description, 88),
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="qingzhou-sim",
        description="Simulate a Qingzhou rendezvous with the Tiangong space station.",
        epilog="example:\n  qingzhou-sim run --profile 3-hour --out qingzhou_out",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"qingzhou-sim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of an error"
    )
    sub = parser.add_subparsers(dest="command")
    p = _sub(
        sub,
        "states",
        "print the nominal station and insertion states",
        "Print the nominal Tiangong state (390 km circular, 41.5 deg) and the Kinetica-2 "
        "insertion state (200 x 380 km) at 2026-12-01T00:00:00Z, GCRS, with their elements.",
        "qingzhou-sim states --json",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    p.set_defaults(func=_cmd_states)
    p = _sub(
        sub,
        "windows",
        "in-plane launch windows of a site into the station's plane",
        "List the instants when a launch site passes through the station's orbit plane, "
        "with liftoff time, azimuth and phase angle, over a span of at most "
        f"{_max_hours():g} h.",
        "qingzhou-sim windows --start 2026-12-01T00:00:00Z --hours 24 --json",
    )
    p.add_argument("--site", default="jiuquan", help="launch site name (default: jiuquan)")
    tle = p.add_mutually_exclusive_group()
    tle.add_argument("--tle-file", metavar="PATH", help="station TLE file (2- or 3-line format)")
    tle.add_argument("--tle", nargs=2, metavar=("LINE1", "LINE2"), help="station TLE lines")
    tle.add_argument(
        "--mission",
        metavar="FILE",
        help="the station of this mission file (the windows its 'run' chooses from)",
    )
    p.add_argument("--start", required=True, help="start of the span, ISO-8601 UTC ending in Z")
    p.add_argument(
        "--hours",
        type=float,
        required=True,
        help=f"length of the span in hours, 0 < hours <= {_max_hours():g}",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=_cmd_windows)
    p = _sub(
        sub,
        "run",
        "run a mission (the default mission when no file is given)",
        "Fly a mission from liftoff to berthing, print its summary and write the "
        "ephemerides, timeline, budget and figures. Exit status 1 if it does not dock.",
        "qingzhou-sim run examples/missions/default.toml --out out --no-figures",
    )
    p.add_argument(
        "mission", nargs="?", help="mission file (TOML); default: the built-in default mission"
    )
    p.add_argument(
        "--profile",
        help="phasing profile (overrides the file): two-day, 6.5-hour, 3.5-hour, 3-hour, 2-hour",
    )
    p.add_argument(
        "--port", choices=("aft", "forward", "radial"), help="docking port (overrides the file)"
    )
    p.add_argument("--liftoff", help="liftoff epoch, ISO-8601 UTC ending in Z (overrides the file)")
    p.add_argument(
        "--launch-date",
        metavar="YYYY-MM-DD",
        help="launch day (UTC): search the launch windows from its 00:00 (overrides the file)",
    )
    p.add_argument(
        "--station-phasing",
        choices=("auto", "wait", "none"),
        help="no window fits the profile: phase the station before launch (auto, default), "
        "search the windows day after day (wait), or stop with the list of windows (none)",
    )
    p.add_argument(
        "--out",
        type=_out_dir,
        default="qingzhou_out",
        help="output directory (default: qingzhou_out)",
    )
    p.add_argument("--json", action="store_true", help="print a machine-readable JSON summary")
    p.add_argument("--no-figures", action="store_true", help="do not write the PNG figures")
    p.set_defaults(func=_cmd_run)

    p = _sub(
        sub,
        "compile",
        "compile the numba kernels into the cache now",
        "Compile the kernels a mission calls (the default mission without a file) into "
        "numba's disk cache now, with a progress line, so that the next run starts warm "
        "(a first run executes them as Python and compiles them in the background; this "
        "waits for that background compilation first). Nothing to do with a warm cache.",
        "qingzhou-sim compile",
    )
    p.add_argument(
        "mission", nargs="?", help="mission file (TOML); default: the built-in default mission"
    )
    p.set_defaults(func=_cmd_compile)

    p = _sub(
        sub,
        "profiles",
        "list the phasing and approach profiles",
        "List the named phasing profiles (hand-over time and point) and approach "
        "profiles (port and segments), one line each.",
        "qingzhou-sim profiles --json",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=_cmd_profiles)

    p = _sub(
        sub,
        "montecarlo",
        "dispersion campaign of a mission",
        "Run a mission N times with dispersed insertion, drag, burns and navigation, on "
        "local processes or a Dask cluster; save the samples, a summary and figures. "
        "Ctrl-C keeps the finished samples.",
        "qingzhou-sim montecarlo -n 100 --seed 1 --workers 2 --out campaign",
    )
    p.add_argument(
        "mission", nargs="?", help="mission file (TOML); default: the built-in default mission"
    )
    p.add_argument(
        "-n",
        type=_sample_count,
        required=True,
        help=f"number of samples, 1 to {MAX_SAMPLES}",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="campaign seed, a non-negative integer (default 0)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_worker_count,
        help=f"local worker processes, 1 to {MAX_WORKERS} (default: all cores)",
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (needs the dask extra)"
    )
    p.add_argument(
        "--connect-timeout",
        type=_timeout_s,
        default=10.0,
        metavar="SECONDS",
        help="seconds to wait for the Dask scheduler (default 10)",
    )
    p.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help="multiplier on every dispersion, 0 to 100 (default 1)",
    )
    p.add_argument("--profile", help="phasing profile (overrides the file)")
    p.add_argument(
        "--port", choices=("aft", "forward", "radial"), help="docking port (overrides the file)"
    )
    p.add_argument(
        "--out",
        type=_out_dir,
        default="qingzhou_campaign",
        help="output directory (default: qingzhou_campaign)",
    )
    p.add_argument("--json", action="store_true", help="print a machine-readable JSON summary")
    p.add_argument("--no-figures", action="store_true", help="do not write the PNG figures")
    p.set_defaults(func=_cmd_montecarlo)
    return parser


def _max_hours() -> float:
    from .launch.windows import MAX_SPAN_HOURS

    return MAX_SPAN_HOURS


def _int_in(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text, 10)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer; expected {what}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is out of range; expected {what}")
    return value


def _float_in(text: str, low: float, high: float, what: str, *, open_low: bool = False) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; expected {what}") from None
    if not (math.isfinite(value) and (value > low if open_low else value >= low) and value <= high):
        raise argparse.ArgumentTypeError(f"{text} is out of range; expected {what}")
    return value


def _positive_int(text: str) -> int:
    return _int_in(text, 1, sys.maxsize, "an integer >= 1")


def _sample_count(text: str) -> int:
    return _int_in(text, 1, MAX_SAMPLES, f"an integer from 1 to {MAX_SAMPLES}")


def _worker_count(text: str) -> int:
    return _int_in(text, 1, MAX_WORKERS, f"an integer from 1 to {MAX_WORKERS}")


def _seed(text: str) -> int:
    return _int_in(text, 0, 2**63 - 1, "a non-negative integer below 2**63")


def _scale(text: str) -> float:
    return _float_in(text, 0.0, 100.0, "a multiplier from 0 to 100")


def _timeout_s(text: str) -> float:
    return _float_in(text, 0.0, 3600.0, "seconds, 0 < s <= 3600", open_low=True)


def _out_dir(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the output directory is empty; expected a path")
    if "\0" in text:
        raise argparse.ArgumentTypeError("the output directory contains a NUL character")
    return text


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Commands that end with their process when run from the shell (not ``montecarlo``,
# which may run for hours, nor ``main([...])`` called from Python): the cyclic garbage
# collector is off while they run (from main's first line: this module imports nothing
# heavy itself, so that the libraries import without it), and the process ends as soon
# as the command is done
# (atexit handlers run, streams are flushed), without the interpreter's teardown. Full
# collection passes over the ~300k long-lived objects of numba, astropy, scipy and
# matplotlib cost ~0.5 s CPU of a warm ``run``, and the teardown (freeing every module
# and object one by one) ~0.06 s more (issue 16 item 3); the run's peak memory is the
# same without them (310 MB), and the process returns it all when it ends.
_ONE_SHOT_COMMANDS = ("states", "windows", "run", "compile", "profiles")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (never raises, never prints a
    traceback unless ``--debug`` is given). With ``argv=None`` (the ``qingzhou-sim``
    command itself) the one-shot commands end the process with that status instead of
    returning (see ``_ONE_SHOT_COMMANDS``)."""
    collecting = gc.isenabled()
    if argv is None:  # (from the first import on: see _ONE_SHOT_COMMANDS)
        gc.disable()
        _one_blas_thread(sys.argv[1:])
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        args = exc
    one_shot = argv is None and getattr(args, "command", None) in _ONE_SHOT_COMMANDS
    if collecting and not one_shot:
        gc.enable()
    if isinstance(args, SystemExit):
        return args.code if isinstance(args.code, int) else EXIT_INPUT
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    status = _dispatch(args)
    if one_shot:
        _end_process(status)
    return status


def _one_blas_thread(words: list[str]) -> None:
    """Before numpy is imported: OpenBLAS on one thread for a one-shot command (unless
    the user set OPENBLAS_NUM_THREADS). A mission runs with BLAS on one thread anyway
    (``mission/_guard.py``, for bit-identical runs) and nothing else here is large
    enough for BLAS threads, but each OpenBLAS library (numpy's and scipy's) would
    start a thread pool whose workers spin ~0.1 s CPU each before they sleep: ~0.25 s
    CPU of a ``run`` on two cores (issue 16 item 3)."""
    command = next((w for w in words if not w.startswith("-")), None)
    if command in _ONE_SHOT_COMMANDS and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _dispatch(args) -> int:
    """Run the sub-command; its exit status (errors reported, not raised)."""
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        # The reader (e.g. `head`) closed the pipe: stop quietly, as `cat` does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("qingzhou-sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        return _report(exc, args)


def _end_process(status: int) -> NoReturn:
    """End the process with ``status`` as the interpreter's exit would, less its
    teardown: the atexit handlers (logging, weakref finalizers, ...), then the
    standard streams flushed (a reader that closed the pipe is ignored, as above)."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def _report(exc: Exception, args) -> int:
    """One line on stderr (and a JSON object on stdout with ``--json``)."""
    from .errors import QingzhouError

    if args.debug:
        traceback.print_exc()
    known = isinstance(exc, QingzhouError)
    message = _one_line(exc) if known else _one_line(f"{type(exc).__name__}: {exc}")
    if getattr(args, "json", False):
        print(json.dumps({"error": type(exc).__name__, "message": message}))
    if known:
        print(f"qingzhou-sim: error: {message}", file=sys.stderr)
        return EXIT_INPUT
    print(
        f"qingzhou-sim: internal error: {message} (please report it; --debug shows the traceback)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
