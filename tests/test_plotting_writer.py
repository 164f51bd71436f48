"""The figure writer's warm-up (plotting._files): one mathtext parser for every Agg
renderer, its cache filled with the log-axis tick labels before the result comes
(issue 16 item 3). The PNG bytes must not change."""

from __future__ import annotations

import os
import subprocess
import sys

from qingzhou_sim.plotting import _files

DRAW = """
import hashlib, io, sys
from qingzhou_sim.plotting import _files
if sys.argv[1] == "shared":
    _files._share_mathtext_parser()
    _files._parse_log_labels()
from matplotlib.mathtext import MathTextParser
from qingzhou_sim.plotting._common import Figure
digests = []
for scale in ("log", "symlog"):  # two figures: two renderers
    fig = Figure(figsize=(4.0, 3.0))
    ax = fig.subplots()
    ax.plot([1e-3, 1.0, 1e2], [-50.0, 0.0, 20.0])
    ax.set_xscale("log")
    ax.set_yscale(scale, **({"linthresh": 0.1} if scale == "symlog" else {}))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_files.FIGURE_DPI)
    digests.append(hashlib.sha256(buf.getvalue()).hexdigest())
print(*digests, MathTextParser._parse_cached.cache_info().misses)
"""


def _draw(mode: str) -> list[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run(
        [sys.executable, "-c", DRAW, mode], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_shared_mathtext_parser_draws_the_same_bytes():
    *alone, misses_alone = _draw("alone")
    *shared, misses_shared = _draw("shared")
    assert shared == alone
    # without the shared parser each figure parses its labels (16 parses here); with
    # it, only the warm-up parses (the decades -3..3, signed, and "0": 15) and drawing
    # both figures parses nothing
    assert int(misses_alone) > 0
    assert int(misses_shared) == 2 * len(_files._LOG_LABEL_DECADES) + 1


def test_sharing_twice_keeps_one_parser():
    from matplotlib.backends import backend_agg

    before = backend_agg.MathTextParser
    try:
        _files._share_mathtext_parser()
        first = backend_agg.MathTextParser
        _files._share_mathtext_parser()
        assert backend_agg.MathTextParser is first
        assert first("path") is first("path")
        assert first("agg") is not first("agg")  # (other outputs: a parser each, as before)
    finally:
        backend_agg.MathTextParser = before
