"""Image comparison of figures against stored baselines (tests/baseline/*.png).

An equivalent of pytest-mpl's ``--mpl`` check with matplotlib's own
:func:`matplotlib.testing.compare.compare_images`: a figure is rendered with
matplotlib's default style at a fixed size and dpi and compared with its baseline by
RMS pixel difference. ``RMS_TOLERANCE`` is what a lost curve, patch or legend exceeds
(removing one 1-px line from a figure of this size gives an RMS of about 10) while
anti-aliasing noise stays far below it.

Regenerate every baseline (after a deliberate change of a figure, or of the mission
that the figures show) with ``python tests/baseline/regenerate.py``, then open each
changed PNG and look at it before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import matplotlib.style

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"
RMS_TOLERANCE = 6.0  # 0-255 grey levels, RMS over the image
DPI = 60
REGENERATE = os.environ.get("QZ_REGENERATE_BASELINES") == "1"


def assert_matches_baseline(fig, name: str, tmp_path: Path) -> None:
    """Save ``fig`` as ``name``.png and compare it with the stored baseline."""
    from matplotlib.testing.compare import compare_images

    baseline = BASELINE_DIR / f"{name}.png"
    if REGENERATE:
        BASELINE_DIR.mkdir(exist_ok=True)
        fig.savefig(baseline, dpi=DPI)
        return
    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=DPI)
    assert baseline.exists(), (
        f"no baseline {baseline}; run python tests/baseline/regenerate.py and look at it"
    )
    diff = compare_images(str(baseline), str(actual), tol=RMS_TOLERANCE)
    assert diff is None, diff


def default_style():
    """matplotlib's default style, whatever the user's matplotlibrc says."""
    return matplotlib.style.context("default")
