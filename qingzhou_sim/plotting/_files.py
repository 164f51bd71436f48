"""The mission figures as PNG files: the five figures ``MissionResult.save`` writes, and
the forked process that ``qingzhou-sim run`` hands part of its output to (issue 16 item
3: the figures were a third of a warm run, the CZML file's library a tenth).

The child runs the same code, so the files are the same; an error in the child is
raised in the parent with its type and message (``OSError`` keeps its errno and file
name).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

# The figures ``save`` writes: file stem and the name of the plotting function.
FIGURES = (
    ("ground_track", "plot_ground_track"),
    ("altitude_phase", "plot_altitude_phase"),
    ("approach_lvlh", "plot_mission_approach"),
    ("range", "plot_range"),
    ("delta_v_budget", "plot_delta_v_budget"),
)
FIGURE_DPI = 120
# The figures a child process draws (with the CZML file, see MissionResult.save): the
# range figure and the CZML library's import and writing are ~45 % of the output time
# (benchmarks/bench_cli.py), the parent drawing the other four figures beside the JSON,
# CSV and OEM files.
CHILD_FIGURES = ("range",)


def save_figures(result, directory, names=None) -> dict[str, Path]:
    """Draw the mission figures of ``result`` and write them as PNG files (atomically)
    into ``directory``; returns ``{"<name>_png": path}`` in the order of ``FIGURES``.

    Parameters
    ----------
    result : MissionResult
    directory : path-like
        An existing directory.
    names : sequence of str, optional
        File stems out of ``FIGURES`` (default: all of them).
    """
    from .. import plotting
    from ..io import atomic_write

    wanted = [name for name, _ in FIGURES] if names is None else list(names)
    paths = {}
    for name, func in FIGURES:
        if name not in wanted:
            continue
        fig = getattr(plotting, func)(result)
        try:
            paths[f"{name}_png"] = atomic_write(
                Path(directory) / f"{name}.png",
                lambda tmp, fig=fig: fig.savefig(tmp, dpi=FIGURE_DPI, format="png"),
            )
        finally:
            if "matplotlib.pyplot" in sys.modules:  # a figure made through pyplot (IPython)
                sys.modules["matplotlib.pyplot"].close(fig)
    return paths


def can_fork() -> bool:
    """True where a forked child can draw figures safely: Linux (fork after the
    libraries macOS loads is not safe), at least two usable cores, and no Python thread
    but the main one (a lock held by another thread at the fork would stay held in the
    child), tqdm's idle monitor thread excepted."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    if len(os.sched_getaffinity(0)) < 2:
        return False
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return all(type(t).__name__ == "TMonitor" for t in others)


def start_child(tasks, what: str) -> Callable[[bool], dict[str, Path]]:
    """Fork a child that runs ``tasks`` (callables returning ``{key: path}``) in order.

    Returns ``finish(raise_errors=True)``, which waits for the child and returns the
    paths its tasks returned, raising the child's error (if ``raise_errors``; a caller
    that is already failing passes False and only reaps the child). ``what`` names the
    work in error messages.
    """
    from . import mission  # noqa: F401 (matplotlib imported once, before the fork)

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, report, and leave without running the parent's exit code
        status = 1
        try:
            os.close(read_fd)
            try:
                paths = {}
                for task in tasks:
                    paths.update(task())
                report = {"paths": {k: str(v) for k, v in paths.items()}}
                status = 0
            except BaseException as exc:  # noqa: BLE001 (reported to the parent)
                report = {
                    "error": type(exc).__name__,
                    "message": str(exc),
                    "errno": getattr(exc, "errno", None) if isinstance(exc, OSError) else None,
                    "filename": getattr(exc, "filename", None),
                }
            with os.fdopen(write_fd, "w") as pipe:
                pipe.write(json.dumps(report))
        finally:
            os._exit(status)
    os.close(write_fd)

    def finish(raise_errors: bool = True) -> dict[str, Path]:
        with os.fdopen(read_fd) as pipe:
            text = pipe.read()
        _, wait_status = os.waitpid(pid, 0)
        if not raise_errors:
            return {}
        try:
            report = json.loads(text)
        except ValueError:
            report = {"error": "RuntimeError", "message": f"exit status {wait_status}"}
        if "paths" in report:
            return {k: Path(v) for k, v in report["paths"].items()}
        message = f"writing {what}: {report['message']}"
        if report.get("errno") is not None:
            raise OSError(report["errno"], message, report.get("filename"))
        raise RuntimeError(f"{report['error']} in the forked process {message}")

    return finish
