"""Regenerate the figure baselines of tests/test_plotting*.py.

    python tests/baseline/regenerate.py

Runs those tests with QZ_REGENERATE_BASELINES=1 (each test then writes its figure
here instead of comparing it). Open every PNG that changed before committing: an
overlap, a hidden artist or a wrong label in a baseline is a bug.
"""

import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QZ_REGENERATE_BASELINES="1", MPLBACKEND="Agg")
    tests = sorted(str(p) for p in (root / "tests").glob("test_plotting*.py"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.call(cmd, cwd=root, env=env)


if __name__ == "__main__":
    sys.exit(main())
