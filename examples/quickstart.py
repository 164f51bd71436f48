"""Quickstart: the default mission
===============================

Fly the default mission (Jiuquan -> Tiangong, 3-hour profile, aft port), print its
timeline and delta-v budget, fly it again to the forward port and compare the two
budgets in a figure.

Run: ``python examples/quickstart.py [output_dir]`` (writes quickstart_budget.png).
"""

import sys
import tempfile
from pathlib import Path

import qingzhou_sim as qz
from qingzhou_sim import plotting


def main(out_dir: str | Path | None = None) -> Path:
    result = qz.Mission.default().run()  # launch window, insertion, phasing, approach, docking
    print(result.summary())  # timeline and delta-v budget as tables
    forward = qz.Mission.default().replace(port="forward").run()  # one more line: another port
    print(f"\nforward port: {forward.total_delta_v:.2f}, docked: {forward.docked}")

    fig = plotting.plot_delta_v_budget([result, forward], labels=["aft port", "forward port"])
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="quickstart_"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "quickstart_budget.png"
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
