"""Run every benchmark in turn: ``python benchmarks/run_all.py``."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    for name in (
        "bench_propagation",
        "bench_relative",
        "bench_phasing",
        "bench_docking",
        "bench_mission",
        "bench_campaign",
    ):
        print(f"\n===== {name} =====", flush=True)
        sys.argv = [str(HERE / f"{name}.py")]
        try:
            runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
        except SystemExit as stop:  # a benchmark that ends with sys.exit() must not end the rest
            if stop.code not in (None, 0):
                raise
