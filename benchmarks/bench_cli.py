"""Start-up and warm run of the command line (issue 16 item 3).

Issue 16 asks for ``import qingzhou_sim`` in at most 150 ms and ``qingzhou-sim run``
(the default mission, with figures, as the README runs it) in at most 2 s with a warm
numba cache. This script measures, each in fresh interpreters:

  (a) ``import qingzhou_sim``: wall time, minimum of several;
  (b) ``qingzhou-sim run --out DIR`` with and without ``--no-figures``: run once to fill
      the numba cache, then N times; minimum wall time and the child's CPU time
      (user + system) of the same runs;
  (c) where one run's time goes, by stage (wall time, in a fresh process): the imports
      the run needs (done first, all at once, so that the stages below exclude them),
      building the mission, the launch window, the phasing plan and flight, the
      approach, the result tables (trajectories, timeline), the figures (drawing and
      PNG writing) and the other files, all in this one process: the command itself
      forks a writer process before the mission runs, which imports matplotlib and
      czml3 meanwhile and then writes the CZML file and the figures in two processes
      (Linux, two free cores), so this is a breakdown of CPU, not of the command's
      wall time;
  (d) a cProfile summary of one run in a fresh process (top entries by cumulative time;
      cProfile's own overhead inflates pure-Python parts, so read it for ranking only).

The machine may be shared: CPU time is printed beside wall time, and the load average
before and after. Run: ``python benchmarks/bench_cli.py [-n 5] [--no-profile]``.

Measured (issue 16 item 3, 2-core machine). Session start, quiet: ``run`` 4.70 s wall
(5.87 s CPU), ``--no-figures`` 3.79 s; imports 1.70 s, launch window 0.63, phasing plan
0.25, approach 0.18, figures 0.15 + 1.47 (PNG), other files 0.19, exit ~0.3-0.5 s.
What changed: the one-shot commands run with the GC off and freeze their objects
before exit (GC passes cost ~0.5 s CPU in a run and 0.4-1 s at exit); a writer process
forked before the mission runs imports matplotlib and czml3 and warms them up on the
other core, then writes the CZML file and the figures in two processes (~0.9 s CPU
each after the result) while the parent writes the data files (the parent never
imports matplotlib or czml3); the Lambert phase windows take 19 refined searches
instead of 55 (window 0.49 -> 0.29 s CPU). Side by side on a loaded machine (load
4-5, the same minutes, before = the same HEAD without these commits): ``run`` min wall
10.4 -> 6.3 s, CPU (all processes) 6.4 -> 5.0 s; ``--no-figures`` 6.5 -> 5.1 s, CPU
4.0 -> 3.4 s. The parent's CPU to the result is ~2.6 s (imports ~1.3, of which numba's
first dispatcher load ~0.6; launch 0.77 with the 72 h window search's Earth
orientation at 4323 epochs, which the liftoff's bits depend on; plan 0.3; approach
0.2), then ~0.9 s of drawing: about 3 s wall on a quiet machine, not yet the 2 s asked.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

IMPORT_LIMIT_S = 0.150
RUN_LIMIT_S = 2.0

# One fresh interpreter: import what the run will import, then run the CLI in-process
# with each stage's function wrapped by a wall-clock timer. A stage whose function does
# not exist (the code moved) is reported as missing rather than failing the benchmark.
STAGES_CHILD = r"""
import gc, importlib, json, sys, time
gc.disable()  # as the command does (cli._ONE_SHOT_COMMANDS); main([...]) would not
out_dir, modules = sys.argv[1], json.loads(sys.argv[2])
clock = lambda: (time.perf_counter(), time.process_time())
t0 = clock()
for name in modules:
    try:
        importlib.import_module(name)
    except Exception:
        pass
t1 = clock()
totals = {"import": [t1[0] - t0[0], t1[1] - t0[1]]}
def timed(label, owner, attr):
    try:
        obj = importlib.import_module(owner) if isinstance(owner, str) else owner
        func = getattr(obj, attr)
    except (ImportError, AttributeError):
        totals.setdefault(label, None)
        return
    def wrapper(*a, **k):
        t = clock()
        try:
            return func(*a, **k)
        finally:
            now, acc = clock(), totals.get(label) or [0.0, 0.0]
            totals[label] = [acc[0] + now[0] - t[0], acc[1] + now[1] - t[1]]
    setattr(obj, attr, wrapper)
from matplotlib.figure import Figure
from qingzhou_sim import cli, plotting
try:  # the breakdown draws every figure in this process (no forked figure process)
    from qingzhou_sim.plotting import _files
    _files.can_fork = lambda: False
except ImportError:
    pass
from qingzhou_sim.mission.result import MissionResult
S = "qingzhou_sim.mission.stages"
timed("mission build", cli, "_load_mission")
timed("launch window", S, "launch_stage")
timed("phasing plan", S, "_plan")
timed("phasing flight", S, "phasing_flight")
timed("approach", S, "approach_stage")
timed("result tables", S, "joined_trajectories")
timed("result tables", S, "assemble_result")
for name in plotting.__all__:
    timed("figures: drawing", plotting, name)
timed("figures: PNG writing", Figure, "savefig")
timed("save (files and figures)", MissionResult, "save")
t0 = clock()
status = cli.main(["run", "--out", out_dir] + sys.argv[3:])
t1 = clock()
totals["run"] = [t1[0] - t0[0], t1[1] - t0[1]]
print("@@" + json.dumps({"status": status, **totals}))
"""

# The modules a run loads (names only), read from one run in a fresh interpreter that
# writes everything itself (the command's writer process imports matplotlib and czml3).
MODULES_CHILD = r"""
import json, sys
from qingzhou_sim.plotting import _files
_files.can_fork = lambda: False
from qingzhou_sim.cli import main
main(["run", "--out", sys.argv[1]] + sys.argv[2:])
print("@@" + json.dumps(sorted(sys.modules)))
"""

PROFILE_CHILD = r"""
import cProfile, io, pstats, sys
prof = cProfile.Profile()
prof.enable()
from qingzhou_sim.cli import main
main(["run", "--out", sys.argv[1]])
prof.disable()
text = io.StringIO()
pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(int(sys.argv[2]))
print("@@" + text.getvalue())
"""


def _child(code: str, *args: str) -> tuple[str, float, float]:
    """Run ``code`` in a fresh interpreter; (stdout, wall s, CPU s of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):  # 1: the mission did not dock (still a run)
        raise SystemExit(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout, wall, cpu


def _payload(stdout: str) -> str:
    return stdout.split("@@", 1)[1]


def _command(out_dir: str, figures: bool) -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "qingzhou-sim")
    head = [exe] if os.path.exists(exe) else [sys.executable, "-m", "qingzhou_sim.cli"]
    return [*head, "run", "--out", out_dir] + ([] if figures else ["--no-figures"])


def time_command(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Minimum wall and minimum CPU (user + system) over ``repeat`` runs of ``cmd``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env={**os.environ, "MPLBACKEND": "Agg"})
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-3000:]}")
    return min(walls), min(cpus)


def time_import(repeat: int) -> tuple[float, float]:
    """Minimum wall and CPU of ``import qingzhou_sim`` in a fresh interpreter, less the
    bare interpreter's start-up (measured the same way)."""
    bare = [time_command([sys.executable, "-c", "pass"], 1) for _ in range(repeat)]
    full = [time_command([sys.executable, "-c", "import qingzhou_sim"], 1) for _ in range(repeat)]
    return (
        min(w for w, _ in full) - min(w for w, _ in bare),
        min(c for _, c in full) - min(c for _, c in bare),
    )


def stage_breakdown(out_dir: str, extra: list[str]) -> dict:
    stdout, _, _ = _child(MODULES_CHILD, out_dir, *extra)
    modules = [m for m in json.loads(_payload(stdout)) if not m.startswith("__")]
    stdout, _, _ = _child(STAGES_CHILD, out_dir, json.dumps(modules), *extra)
    return json.loads(_payload(stdout))


def _print_stages(title: str, stages: dict) -> None:
    """Wall and CPU seconds per stage; 'other files' is the save less the figures."""
    print(f"\n{title}")
    print(f"  {'':30} {'wall':>8} {'CPU':>8}")
    skip = {"status", "run", "save (files and figures)"}
    rows = [(k, v) for k, v in stages.items() if k not in skip]
    figures = [
        sum((v or [0.0, 0.0])[i] for k, v in rows if k.startswith("figures")) for i in (0, 1)
    ]
    save = stages.get("save (files and figures)")
    if save is not None:
        rows.append(("other files", [save[0] - figures[0], save[1] - figures[1]]))
    accounted = [sum(v[i] for k, v in rows if v is not None and k != "import") for i in (0, 1)]
    run = stages["run"]
    rows.append(("rest (summary, printing, CLI)", [run[0] - accounted[0], run[1] - accounted[1]]))
    rows.append(("total", [stages["import"][0] + run[0], stages["import"][1] + run[1]]))
    for label, value in rows:
        label = "imports the run needs" if label == "import" else label
        text = "  (not found)" if value is None else f"{value[0]:7.3f}s {value[1]:7.3f}s"
        print(f"  {label:<30} {text}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile summary")
    parser.add_argument("--top", type=int, default=30, help="cProfile entries to print")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        subprocess.run(_command(out, True), capture_output=True)  # fills the numba cache
        imp_wall, imp_cpu = time_import(max(args.n, 5))
        with_fig = time_command(_command(out, True), args.n)
        without = time_command(_command(out, False), args.n)
        stages = stage_breakdown(out, [])
        profile = (
            None if args.no_profile else _payload(_child(PROFILE_CHILD, out, str(args.top))[0])
        )
    load_after = os.getloadavg()

    print("qingzhou-sim start-up and warm run (fresh interpreters, numba cache warm)")
    print(
        f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"(cores: {os.cpu_count()})"
    )
    print(f"  {'':34} {'min wall':>9} {'min CPU':>9}   target")
    print(
        f"  {'import qingzhou_sim':34} {imp_wall:8.3f}s {imp_cpu:8.3f}s   "
        f"<= {IMPORT_LIMIT_S:.3f} s wall ({IMPORT_LIMIT_S / max(imp_wall, 1e-9):.1f}x under)"
    )
    print(
        f"  {'qingzhou-sim run':34} {with_fig[0]:8.3f}s {with_fig[1]:8.3f}s   "
        f"<= {RUN_LIMIT_S:.1f} s wall (ratio {with_fig[0] / RUN_LIMIT_S:.2f})"
    )
    print(f"  {'qingzhou-sim run --no-figures':34} {without[0]:8.3f}s {without[1]:8.3f}s")
    print(f"  (best of {args.n}; import: best of {max(args.n, 5)}, less a bare interpreter)")
    _print_stages("Where one run's wall time goes (fresh process, by stage):", stages)
    if profile is not None:
        print("\ncProfile of one run in a fresh process (cumulative; ranking only):")
        lines = profile.splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(lines[start:]))


if __name__ == "__main__":
    main()
