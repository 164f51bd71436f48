"""Regenerate the parts of README.md that the code prints, so that the README cannot drift.

    python tools/update_readme.py          # rewrite the generated blocks of README.md
    python tools/update_readme.py --check  # exit 1, with a diff, if README.md is stale

Each generated block sits between ``<!-- readme-sync: NAME -->`` and
``<!-- /readme-sync: NAME -->``:

- ``run``: what ``qingzhou-sim run`` prints (run in a temporary folder);
- ``contact``: the time from liftoff to contact, from that run's ``summary.json``;
- ``windows``: the command ``qingzhou-sim windows --mission examples/missions/default.toml``
  over the day of the default mission's liftoff, and what it prints; the script fails
  if the liftoff that ``run`` flew is not one of those windows.

The README quotes no test count: one would go stale with every test added.

Without ``--check`` it also copies the run's approach figure to
``docs/images/approach_lvlh.png`` (an image is not compared: its bytes depend on the
matplotlib build).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MISSION_FILE = "examples/missions/default.toml"
LIFTOFF_MATCH_S = 1.0  # a window "is" the run's liftoff within this (ms-level refinement)


def _cli(args: list[str], cwd: Path) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "qingzhou_sim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"qingzhou-sim {' '.join(args)} failed:\n{proc.stderr}")
    return proc.returncode, proc.stdout


def _fenced(text: str) -> str:
    return "```text\n" + text.rstrip("\n") + "\n```"


def _hours_minutes(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _seconds(utc: str) -> float:
    from astropy.time import Time

    return float(Time(utc.rstrip("Z"), scale="utc").unix)


def generate(work: Path) -> tuple[dict[str, str], Path]:
    """The generated blocks, and the folder the run wrote its outputs to."""
    _, run_out = _cli(["run", "--out", "qingzhou_out"], work)
    summary = json.loads((work / "qingzhou_out" / "summary.json").read_text())
    liftoff = summary["liftoff_utc"]
    if summary.get("contact_utc"):
        contact = _hours_minutes(_seconds(summary["contact_utc"]) - _seconds(liftoff))
        contact_text = f"Contact comes {contact} after liftoff"
    else:
        contact_text = f"This run does not reach contact ({summary.get('failure')})"
    windows_args = ["--site", "jiuquan", "--start", liftoff[:10] + "T00:00:00Z", "--hours", "24"]
    _, windows_out = _cli(["windows", *windows_args, "--mission", str(ROOT / MISSION_FILE)], work)
    command = f"qingzhou-sim windows {' '.join(windows_args)} --mission {MISSION_FILE}"
    listed = re.findall(r"^(\d{4}-\d\d-\d\dT[\d:.]+Z)", windows_out, flags=re.M)
    if not any(abs(_seconds(t) - _seconds(liftoff)) < LIFTOFF_MATCH_S for t in listed):
        raise SystemExit(
            f"the default mission lifts off at {liftoff}, which is not one of the windows "
            f"'{command}' lists: {listed}"
        )
    blocks = {
        "run": _fenced(run_out),
        "contact": contact_text,
        "windows": f"```bash\n{command}\n```\n\n" + _fenced(windows_out),
    }
    return blocks, work / "qingzhou_out"


def apply(text: str, blocks: dict[str, str]) -> str:
    for name, body in blocks.items():
        pattern = re.compile(
            rf"(<!-- readme-sync: {name} -->)(.*?)(<!-- /readme-sync: {name} -->)", flags=re.S
        )
        if not pattern.search(text):
            raise SystemExit(f"README.md has no '<!-- readme-sync: {name} -->' block")
        inline = "\n" not in body
        sep = "" if inline else "\n"
        text = pattern.sub(lambda m, b=body, s=sep: m.group(1) + s + b + s + m.group(3), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is stale")
    args = parser.parse_args(argv)
    old = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        blocks, outputs = generate(Path(tmp))
        new = apply(old, blocks)
        if args.check:
            if new != old:
                diff = difflib.unified_diff(
                    old.splitlines(), new.splitlines(), "README.md", "generated", lineterm=""
                )
                print("\n".join(diff))
                print("README.md differs from what the code prints: run tools/update_readme.py")
                return 1
            print("README.md agrees with what the code prints")
            return 0
        README.write_text(new, encoding="utf-8")
        shutil.copyfile(
            outputs / "approach_lvlh.png", ROOT / "docs" / "images" / "approach_lvlh.png"
        )
    print("README.md and docs/images/approach_lvlh.png regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
