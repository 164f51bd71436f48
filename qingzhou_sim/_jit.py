"""What numba is doing on a first run: a progress line while kernels compile.

The compiled kernels are cached on disk (see ``qingzhou_sim/__init__.py``), so a
machine compiles them once; that first run would otherwise sit silent for tens of
seconds. :func:`compile_progress` listens to numba's compilation events and keeps one
status line up to date on a stream (stderr by default); with a warm cache nothing is
compiled and nothing is printed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

__all__ = ["compile_progress"]


class _Progress:
    """numba event listener: counts top-level compilations, redraws one line."""

    def __init__(self, stream, min_interval_s: float = 0.25):
        self.stream = stream
        self.min_interval_s = min_interval_s
        self.depth = 0
        self.count = 0
        self.started = None
        self.last_draw = 0.0
        self.name = ""

    def on_start(self, event) -> None:
        if self.depth == 0:
            dispatcher = event.data["dispatcher"]
            self.name = getattr(dispatcher.py_func, "__qualname__", "?")
            if self.started is None:
                self.started = time.perf_counter()
                cache = os.environ.get("NUMBA_CACHE_DIR", "numba's cache")
                self.stream.write(f"compiling numba kernels (first run only; cached in {cache})\n")
            self._draw(force=True)
        self.depth += 1

    def on_end(self, event) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.count += 1
            self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last_draw < self.min_interval_s:
            return
        self.last_draw = now
        spin = "|/-\\"[self.count % 4]
        line = f"  {spin} {self.count} kernels compiled, {now - self.started:5.1f} s  {self.name}"
        self.stream.write("\r" + line[:78].ljust(78))
        self.stream.flush()

    def finish(self) -> None:
        if self.started is not None:
            took = time.perf_counter() - self.started
            self.stream.write(f"\r  {self.count} kernels compiled in {took:.1f} s".ljust(79) + "\n")
            self.stream.flush()


@contextlib.contextmanager
def compile_progress(stream=None):
    """Report numba compilations on ``stream`` (default ``sys.stderr``) while the block
    runs: a header line, then one line redrawn with the count and elapsed time.

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
