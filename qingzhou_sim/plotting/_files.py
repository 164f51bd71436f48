"""The mission figures as PNG files: the five figures ``MissionResult.save`` writes, and
the forked processes that write them beside the parent (issue 16 item 3: the figures
were a third of a warm run, the CZML file's library a tenth).

Two ways: :func:`start_child` forks when the files are saved and hands the child part
of the output; :func:`start_writer` (what ``qingzhou-sim run`` uses) forks before the
mission runs, so that the child imports matplotlib and czml3 and warms them up on the
other core meanwhile, then writes the CZML file and every figure of the result it is
sent, half of the figures in a process of its own.

The children run the same code, so the files are the same; an error in a child is
raised in the parent with its type and message (``OSError`` keeps its errno and file
name).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
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
# zlib level of the PNG files: the same pixels as Pillow's default (6) in two thirds of
# the encoding time (a sixth of writing a figure), files ~4 % larger (all five: 609 ->
# 635 KiB)
PNG_COMPRESS_LEVEL = 3
# The figures a child process draws (with the CZML file, see MissionResult.save): the
# range figure and the CZML library's import and writing are ~45 % of the output time
# (benchmarks/bench_cli.py), the parent drawing the other four figures beside the JSON,
# CSV and OEM files.
CHILD_FIGURES = ("range",)
# The writer's second process (see start_writer): the figures it draws, with the CZML
# file, about half of the work after the result (CPU s, drawing and PNG, one process
# after the warm-up, 3 runs: altitude and phase with the approach panels 0.33-0.35, the
# CZML file 0.01; the first process: range, ground track and delta-v bars 0.38, and it
# unpickles the result and forks the second before drawing; with the ground track here
# and the altitude there, 0.32 / 0.40).
WRITER_SECOND = ("altitude_phase", "approach_lvlh")


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
                lambda tmp, fig=fig: fig.savefig(
                    tmp,
                    dpi=FIGURE_DPI,
                    format="png",
                    pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
                ),
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

    pid, read_fd = fork_piped(lambda write_fd: _run_and_report(tasks, write_fd))
    return _finisher(pid, read_fd, what)


def fork_piped(work: Callable[[int], int]) -> tuple[int, int]:
    """:func:`fork_child` with a pipe from the child: the child runs ``work(write_fd)``;
    returns ``(pid, read_fd)``."""
    read_fd, write_fd = os.pipe()

    def child() -> int:
        os.close(read_fd)
        return work(write_fd)

    pid = fork_child(child)
    os.close(write_fd)
    return pid, read_fd


def fork_child(work: Callable[[], int]) -> int:
    """Fork a child that runs ``work()`` and leaves with the status it returns (1 if it
    raises) by ``os._exit``: it never returns into the parent's code nor runs the
    parent's exit handlers. The standard streams are flushed first, so that nothing
    buffered is written twice. Returns the child's pid."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = work()
        finally:
            os._exit(status)
    return pid


def _run_and_report(tasks, write_fd: int) -> int:
    """Run ``tasks`` in this (forked) process; their paths, or the error, as JSON on
    ``write_fd``. Returns the exit status for ``os._exit``."""
    status = 1
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
    return status


def _finisher(pid: int, read_fd: int, what: str) -> Callable[[bool], dict[str, Path]]:
    """``finish(raise_errors=True)`` of a forked process reporting on ``read_fd``."""

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


class Writer:
    """A forked process that writes the CZML file and the figures of a mission result
    (:func:`start_writer`): :meth:`send` the result once, then :meth:`finish`; or
    :meth:`cancel` if there is no result to send."""

    def __init__(self, pid: int, send_fd: int, report_fd: int):
        self._pid = pid
        self._send_fd = send_fd
        self._finish = _finisher(pid, report_fd, "mission.czml and the figures")

    def send(self, result, directory, names) -> None:
        """Hand over ``result``: the child writes ``mission.czml`` and the figures
        ``names`` (stems of ``FIGURES``) into the existing ``directory``."""
        with os.fdopen(self._send_fd, "wb") as pipe:  # closed even if pickling fails
            pipe.write(pickle.dumps((result, str(directory), list(names)), pickle.HIGHEST_PROTOCOL))

    def finish(self, raise_errors: bool = True) -> dict[str, Path]:
        """Wait for the child; the paths it wrote (``{"mission_czml": ..., "<name>_png":
        ...}``), or its error raised here (unless ``raise_errors`` is False)."""
        return self._finish(raise_errors)

    def cancel(self) -> None:
        """No result will come: the child is stopped (it has written nothing; its
        warm-up need not finish) and waited for."""
        os.close(self._send_fd)
        os.kill(self._pid, signal.SIGKILL)
        self._finish(False)


def start_writer() -> Writer | None:
    """Fork the process that will write the CZML file and the figures, before the
    mission runs (None where :func:`can_fork` is False: the caller saves as usual).

    While the parent flies the mission on one core, the child imports matplotlib and
    czml3 and draws a small figure (fonts, mathtext, the Agg renderer) on the other;
    given the result, it forks once more and the two processes draw half of the
    figures each, the second one the CZML file too (``WRITER_SECOND``).
    """
    if not can_fork():
        return None
    send_r, send_w = os.pipe()
    report_r, report_w = os.pipe()

    def work() -> int:
        os.close(send_w)
        os.close(report_r)
        return _writer_child(send_r, report_w)

    pid = fork_child(work)
    os.close(send_r)
    os.close(report_w)
    return Writer(pid, send_w, report_r)


def _writer_child(send_fd: int, report_fd: int) -> int:
    """The writer's work: warm up, wait for the result, write, report."""
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 (only a head start; the real work reports errors)
        pass
    with os.fdopen(send_fd, "rb") as pipe:
        data = pipe.read()
    if not data:  # cancelled: the parent has no result
        os.close(report_fd)
        return 0
    result, directory, names = pickle.loads(data)
    second = [n for n in names if n in WRITER_SECOND] if can_fork() else []
    czml = [lambda: result._save_czml(Path(directory))]
    finish_second = None
    if second:
        finish_second = start_child(
            [*czml, lambda: save_figures(result, directory, second)],
            f"mission.czml and the figures {second}",
        )
        czml = []

    def write() -> dict[str, Path]:
        try:
            paths = {}
            for task in czml:
                paths.update(task())
            paths.update(save_figures(result, directory, [n for n in names if n not in second]))
        except BaseException:
            if finish_second is not None:
                finish_second(False)
            raise
        if finish_second is not None:
            paths.update(finish_second())
        return paths

    return _run_and_report([write], report_fd)


def _warm_up() -> None:
    """Import what the figures and the CZML file need (matplotlib, the figure modules,
    astropy's leap seconds and Earth orientation table) and parse the log-axis tick
    labels into the shared mathtext parser (:func:`_parse_log_labels`, which also loads
    the fonts and makes an Agg renderer), so that none of it waits for the result.
    No figure is drawn: a small one (fonts, mathtext, Agg) cost the warm-up ~0.05 s
    more than it saved the drawing after the result."""
    from astropy.time import Time

    _skip_artist_docstrings()
    from ..docking import plots  # noqa: F401
    from ..frames import _load_time_tables
    from ..mission import schemes  # noqa: F401 (MissionResult.mission.approach_profile_name)
    from . import _common, campaign, lvlh, mission  # noqa: F401

    _load_time_tables()  # (loaded already when the parent loaded them before the fork)
    Time("2026-12-01T00:00:00", scale="utc").tt.utc  # noqa: B018
    _share_mathtext_parser()
    _parse_log_labels()


# Decades whose log-axis tick labels (10^k, and -10^k on a symmetric log axis) the
# writer parses during its warm-up (the default mission's range figure labels 10^-3 ..
# 10^2; a label outside is parsed when drawn, as before)
_LOG_LABEL_DECADES = range(-3, 4)


def _share_mathtext_parser() -> None:
    """In the writer process: one mathtext parser for every Agg renderer, so that its
    cache of parsed expressions serves every figure. matplotlib gives each renderer (a
    figure's canvas at one size and dpi) a parser of its own, whose cache is keyed on
    the parser too, so that each figure parses its log-axis tick labels again (the
    range figure: 11 labels, ~0.04 s of the writer's CPU after the result); a parse
    depends only on the expression, dpi, font and hinting (``MathTextParser.parse``),
    and drawing sets each glyph's size itself, so the pixels are the same. Not done
    where matplotlib's Agg backend is missing or differs."""
    try:
        from matplotlib.backends import backend_agg
        from matplotlib.mathtext import MathTextParser
    except ImportError:
        return
    current = getattr(backend_agg, "MathTextParser", None)
    if current is None or getattr(current, "_qingzhou_shared", False):
        return
    shared = MathTextParser("path")

    def parser(output):
        return shared if output == "path" else MathTextParser(output)

    parser._qingzhou_shared = True
    backend_agg.MathTextParser = parser


def _parse_log_labels() -> None:
    """Parse the log-axis tick labels of ``_LOG_LABEL_DECADES`` at the figures' dpi and
    tick-label font (their size in the rcParams) into the shared parser's cache
    (:func:`_share_mathtext_parser`), as the first figure drawing them would."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure

    prop = Figure().add_subplot().xaxis.get_major_ticks()[0].label1.get_fontproperties()
    parse = RendererAgg(1, 1, FIGURE_DPI).mathtext_parser.parse
    for k in _LOG_LABEL_DECADES:
        for sign in ("", "-"):
            parse(f"$\\mathdefault{{{sign}10^{{{k}}}}}$", FIGURE_DPI, prop)
    parse("$\\mathdefault{0}$", FIGURE_DPI, prop)


def _skip_artist_docstrings() -> None:
    """In the writer process, before matplotlib's artists are defined: their ``set``
    docstrings left without the property table. matplotlib writes that table for every
    Artist subclass as it is defined (``matplotlib.artist.kwdoc``: every setter's
    docstring parsed, ~0.08 s CPU of the writer's warm-up, which is on the command's
    critical path); the writer draws and exits and never shows a docstring, and nothing
    drawn depends on them. Not done where matplotlib's artists exist already."""
    if "matplotlib.artist" in sys.modules:
        return
    try:
        import matplotlib.artist as artist
    except ImportError:
        return
    if callable(getattr(artist, "kwdoc", None)):
        artist.kwdoc = lambda artist: ""
