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
  (d) the command's own processes, each run in a fresh interpreter with the package's
      modules read as compiled bytecode (as a user's ``pip install .`` does; this
      environment's PYTHONDONTWRITEBYTECODE=1 with an editable install would compile
      them from source at every run, ~0.1-0.2 s; see bytecode_env): CPU seconds of the
      orientation child, of the parent up to the launch child's fork, while the child
      computes and after its data, of the launch child (launch stage and phasing
      plan), of the writer's warm-up, of the writer and its second process after the
      result, and the wall time they imply on two free cores (_two_core_schedule: the
      result is ready when the parent has both the child's data and its own imports,
      and has flown the rest; the writers start drawing once the result is there and
      the writer is warmed up; _shared_cores replays the same CPU seconds with the
      runnable processes sharing the two cores, which tells when three at once slow
      each other), which a loaded machine's wall time cannot show;
  (e) a cProfile summary of one run in a fresh process (top entries by cumulative time;
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

Second session (04:00-05:00 UTC, 2026-11-30, the other two sessions running: load 2.4-4
on the 2 cores, so wall times are the machine's, not the code's). What changed: the
launch search's Lambert scans compiled with the same results to the last bit
(phasing.profiles: the 180-phase coarse scan in one call, the ~19 refined searches'
grids and Nelder-Mead evaluations compiled), the IERS and leap-second tables loaded
before the mission's modules and the writer's fork (the writer no longer loads them;
astropy's configuration items scan 400 modules instead of 1200), the collector off from
main's first line (cli imports no astropy at module level), the process ending without
the interpreter's teardown (os._exit after the atexit handlers), the CZML file written
by the writer's second process. Side by side, session start (8597cfe plus the other
sessions' commits of the same hour) vs now, -n 3, alternated twice, 04:48-04:53 UTC:
``run`` min wall 8.94 / 5.15 -> 4.36 / 4.37 s, CPU 5.64 / 5.40 -> 4.86 / 4.55 s;
``--no-figures`` 5.26 / 2.64 -> 2.48 / 2.73 s wall, 3.50 / 3.80 -> 3.01 / 2.73 s CPU;
parent to the result 2.70 / 2.67 -> 2.31 / 2.30 s CPU (stage breakdown: launch stage
0.62 -> 0.25-0.28), writer warm-up 0.85 / 0.70 -> 0.60 / 0.61, writers after the result
0.96-1.03 / 0.75-0.89 -> 0.85-0.97 / 0.82-0.93; the estimate on two free cores 3.66 /
3.70 -> 3.22 / 3.33 s (these CPU figures run ~10 % high under this load: quiet, about
2.9-3.0 s). Outputs byte-identical (OEM files differ in CREATION_DATE only). Not reached:
2 s. What is left, all of it in the parent before the result or in matplotlib: imports
~1.4 s CPU (numba's start-up and first cached kernel ~0.45, scipy.optimize ~0.27 for the
phasing plan, astropy ~0.25, the docking package's eager kernels), the phasing plan
0.28 s and the approach 0.14 s (other sessions' modules), the launch window's Earth
orientation at 4323 epochs (0.13 s of erfa.c2i06a, which the liftoff's bits depend on),
and the figures (~1.6 s CPU of matplotlib in two processes, about half of it
constrained layout and tick updates: ~0.8 s of wall after the result).

Third session (06:30-07:30 UTC, 2026-11-30, three other sessions compiling and testing:
load 3.3-5 on the 2 cores, so again CPU time is the measure). What changed, all in
the figures' processes: fixed layouts (GridSpec positions read off constrained layout)
instead of constrained layout, which measured every tick label twice per drawing; the
range figure's log-axis minor grid at 2 and 5 times the powers of ten (136 minor ticks
-> 34); axes titles at y=1 without matplotlib's automatic title placement (it measured
every y tick label of a titled axes per drawing); PNG files at zlib level 3 (the same
pixels, two thirds of the encoding time, files 4 % larger); the writer no longer
imports the propagator package for a mission result (plotting._common._kind); a
disabled progress bar does not import tqdm. Drawing and PNG of the five figures in one
process, CPU s, min of 4: 1.35-1.48 -> 0.85-0.88 (range 0.52-0.58 -> 0.23, approach
0.38-0.41 -> 0.25-0.28, altitude 0.19-0.21 -> 0.14, ground track 0.16-0.17 -> 0.13,
delta-v 0.10), before the PNG level and the titles. Side by side, 07:22-07:24 UTC, the
same HEAD with this session's plotting files and the base commit 6dffc63's,
alternated, 5 runs each (load 3.3-4.4): ``run`` wall min / median 3.32 / 4.44 -> 2.58
/ 3.80 s, CPU min / median 4.11 / 4.66 -> 3.72 / 3.89 s; ``--no-figures`` unchanged
(2.73-2.87 -> 2.57-3.42 s CPU); the processes (4 runs): writer after the result
0.89-1.07 -> 0.50-0.60 s CPU, second writer 0.87-1.01 -> 0.43-0.49, parent to the
result 2.19-2.32 -> 2.18-2.26 (unchanged), estimate on two free cores 3.12-3.39 ->
2.72-2.80 s. All outputs identical but the PNGs (JSON, text, CSV, CZML; OEM less its
CREATION_DATE). Not reached: 2 s. What is left is the parent before the result (~2.2
s CPU loaded, ~2.0 quiet), none of it in the figures: imports (numba's start-up and
cached-kernel loads, scipy.optimize, astropy's IERS tables), launch window 0.29-0.36,
phasing plan 0.31-0.36 (SLSQP), approach 0.11-0.17; after the result the two writers
take ~0.45 s each. In this environment PYTHONDONTWRITEBYTECODE=1 with an editable
install makes every run compile the package's modules from source (~0.1-0.2 s CPU in
the parent); the 'bytecode cached' rows measure the run as an installed package.

Fourth session (08:00-08:40 UTC, 2026-11-30; one other helper compiling and testing:
load 2-3 on the 2 cores). What changed, all in the parent before the result: the
launch stage (window search, 0.23-0.30 s) is computed in a forked child while the
parent imports the docking package and loads the compiled kernels the later stages
call from numba's disk cache (cli._start_launch_ahead, _jit.preload_cached); numba's
typing and target contexts are made before that fork (_jit.warm_numba), and building
a Mission no longer imports the docking package (mission/__init__ loads the result's
names on first use). Outputs bit-identical (PNGs included). This script at 08:10
(load 2.6): parent to the result 1.87-1.91 s CPU (07:53, quiet: 2.34), launch child
0.30, writer warm-up 0.51-0.53 (0.82 s on the second core before the result), writers
after the result 0.44 / 0.38, estimate on two free cores 2.33-2.37 s (07:53: ~2.8);
``run`` 3.42-3.44 s wall under this load (07:53, quiet: 2.46). HEAD before these
commits and after, alternated (08:05-08:07, load 2.4-3.3): result ready 1.82-2.81 ->
1.47-2.32 s wall, parent CPU to the result 1.94-2.10 -> 1.62-1.82 s; whole command
wall within the load's noise (writers after the result ~0.5-1.1 s under load).
Forking the writer before the launch child was tried and not kept (three processes on
two cores: result 0.4-0.6 s later under load). Not reached: 2 s. What is left: the
parent's imports (~1.1 s CPU: astropy units and IERS tables, numba and its registries,
scipy.optimize), the phasing plan (0.25 s, SLSQP multi-start in phasing/nimpulse.py),
the writers after the result (~0.45 s), and the writer's warm-up, which now starts
after the launch child is back and may end after the result on a quiet machine.

Fifth session (08:50-10:50 UTC, 2026-11-30; two other helpers compiling and testing:
load 2-4 on the 2 cores all along, so wall times are the machine's and CPU is the
measure). What changed: the launch child computes the nominal phasing plan after the
launch stage and sends both (length-framed: a child that dies after the stage leaves
the plan to the parent), and the run flies it as its phasing_reference; meanwhile the
parent imports what the stages after the plan need and preloads only their kernels
(docking, propagator, forces, relative), and forks the writer before it waits; the
CZML file is written from plain data in czml3's exact format (no czml3 or pydantic
import in the writer: its warm-up 0.55 -> 0.40 s); the one-shot commands start
OpenBLAS on one thread (numpy's and scipy's thread pools each spun ~0.1 s CPU). This
script, HEAD before this session (6909fa6, copy with its own cache) and after, one
after the other at 09:26-09:28 (load 2.9-3.1), -n 3: ``run`` min wall 3.44 -> 3.18 s,
min CPU 3.45 -> 3.23 s; ``--no-figures`` 3.94 -> 2.35 s wall, 2.75 -> 2.39 s CPU;
processes (CPU s): parent to the launch fork 1.06 -> 0.93 (no BLAS threads), after
the fork before the wait 0.42 -> 0.40, launch child 0.31 -> 0.63 (+ the plan), parent
after the child's data 0.42 -> 0.07, writer warm-up 0.56 -> 0.42, writers after the
result 0.47 / 0.40 -> 0.50 / 0.42 (load); result ready on two free cores 1.90 -> 1.63,
writer ready 2.04 -> 1.75, estimate on two free cores 2.56 -> 2.26 s (an earlier
alternated pair at load 3.2: 2.70 -> 2.51; at load 2.9: 2.15 for this tree). Outputs
byte-identical (PNGs included; OEM less CREATION_DATE). A first run (empty cache, load
2.8): 73.4 s wall / 52.1 s user before, 64.7 / 53.7 after (the child is forked only on
a warm cache; within noise). Tried and not kept: the writer forked before the
parent's kernel preload (three processes on two cores; 0.02-0.05 s at best on paper,
not measurable here); a compiled Nelder-Mead for the launch search's Lambert
refinement (~0.05 s CPU in the child, but a new compiled kernel on the first run's
launch path, which must not get slower). Not reached: 2 s. What is left, on the
critical path of two free cores (~2.2 s): the imports before the launch child's fork
(~0.93 s CPU: astropy units and time ~0.3, its IERS and leap-second tables ~0.1,
numba and its compiler context ~0.25 with scipy.linalg, which numba imports and
which imports numpy.f2py and numpy.testing through scipy's array-API layer, scipy
.optimize ~0.1, the phasing package), the launch stage (0.30: 0.13 of it erfa's
c2i06a at 4323 epochs, which the liftoff's bits depend on) and the plan (0.32, SLSQP
multi-start, phasing/nimpulse.py) in the child, the writer's matplotlib import and
warm-up (0.40, on the parent's core while it imports the docking package), and the
figures after the result (0.85 s CPU in two processes: Agg text and tick rendering,
zlib at level 3, all needed for byte-identical PNGs). With the package's bytecode
cached (PYTHONDONTWRITEBYTECODE unset, or an installed package) ~0.1-0.2 s less.

Sixth session (09:37-10:50 UTC, 2026-11-30; two other helpers editing and testing: load
2.5-3.5). The processes' rows (d) now run the command as a user's installed package
does, its modules read as bytecode (PYTHONDONTWRITEBYTECODE removed from the child's
environment, PYTHONPYCACHEPREFIX in a temporary folder, so the checkout stays clean):
the previous session's 2.26 s estimate was 1.87-1.97 s measured so. What changed: (1)
the launch search's Earth orientation (erfa.c2i06a at 4323 epochs, 0.14 s CPU) is
computed by an orientation child forked once the mission is built, on the core that is
idle while the parent makes numba's compiler context, and read by the launch child
(cli._start_orientation_ahead; the same function on the same epochs, so the same
bits; nothing is sent if it warns or fails, and the child computes it); (2) the parent
loads only the 14 cached kernels its stages after the plan call, not all 216 entry
points of those modules (cli._AFTER_PLAN_CALLED); (3) the writer leaves matplotlib's
Artist.set docstring tables empty (matplotlib.artist.kwdoc, ~0.08 s of its warm-up;
the PNG bytes are the same); (4) the altitude-and-phase and ground-track figures
swapped between the two writer processes (~0.02 s on paper, within noise). This
script's rows, the session's start (its files in this tree as of 10:00) and after,
alternated, 5 runs each, 10:10-10:12 UTC (load 2.7-3.4), CPU s: launch child 0.58-0.61
-> 0.44-0.47 (+ orientation child 0.14, before the launch fork), parent after the fork
0.26-0.28 -> 0.21-0.23, writer warm-up 0.36-0.40 -> 0.28-0.30, parent to the fork
0.80-0.85 -> 0.79-0.86, writers after the result 0.43-0.45 / 0.37-0.38 -> 0.42-0.44 /
0.36-0.39; result ready on two free cores 1.44-1.52 -> 1.29-1.37, writer ready 1.42-1.52
-> 1.28-1.38, estimate on two free cores 1.87-1.97 (median 1.89) -> 1.72-1.82 (median
1.77) s; the shared-cores replay gives the same (two processes at a time). One run of
this script at 10:09 (load 2.7-3.1): ``run, bytecode cached`` 2.73 s min wall (the
load's), estimate (minimum of each row) 1.68 s. Outputs byte-identical (summary.json,
text, CSV, CZML, PNGs; OEM less CREATION_DATE) for the default mission, ``--port
forward`` and ``--profile two-day``. Tried and not kept: the writer forked before the
parent's kernel loads (three processes on two cores slow the launch child: result ready
in the shared-cores replay 1.34-1.61 -> 1.50-1.65 s, estimate 1.92/1.96/2.29 ->
1.96/1.99/2.11); no kernel preload at all (the parent then loads ~0.10 s after the
child's data: estimate 1.91-2.10 with the preload -> 2.01-2.09 without, same minutes).
What is left, ~1.75 s on two free cores:
the imports before the launch fork (~0.8 s CPU, on both lines: astropy ~0.2, its IERS
and leap-second tables 0.1, the mission's build 0.36, which imports the phasing
package, scipy.optimize 0.24 with linprog, shgo and scipy's array-API layer, and numba
0.14; numba's compiler context 0.13-0.16); in the launch child (0.45) the plan's SLSQP
multi-start 0.17 (~0.06 of it scipy's Python wrappers: a loop over scipy's private
_slsqplib would keep the bits, not done for a private API) and its 13 kernel loads
~0.1; on the writer's line the docking package's import and kernel loads (0.21-0.23)
and the warm-up (0.28: matplotlib's import, the mathtext parser, text metrics, all
used by the figures); after the result 0.42-0.44 s in two writers (Agg rendering and
zlib, which byte-identical PNGs need). The two lines (result, writer) are now equal,
so a cut helps only when made on both.

Seventh session (11:14-13:10 UTC, 2026-11-30; the lead compiling and testing, load
0.5-3.5; figures below from quiet minutes, load 0.6-1.3). Where the time goes now (rows
(d), bytecode cached): the parent to the launch fork 0.79-0.85 s CPU (astropy 0.19,
IERS and leap-second tables 0.10, numba 0.13, scipy.linalg 0.10, which numba's
arraymath imports for its BLAS check when its contexts are made, scipy.optimize 0.12
through the phasing package, numba's contexts 0.14); the launch child 0.41-0.44 (launch
stage 0.17, plan 0.31 of which SLSQP 0.16; 14 kernel loads 0.13 in all); the parent
after the fork 0.20, the writer's warm-up 0.25, the writers after the result 0.38-0.39
and 0.34-0.36. After the fork both cores are busy (the launch child on one; the parent's
imports and kernel loads, then the writer's warm-up, on the other) and so are both
during the figures: the only idle stretch is the second core during the parent's
imports before the fork (less the orientation child's 0.14). A cut pays only where it
removes CPU before the fork or from both lines at once. What changed: the writer
shares one mathtext parser across its figures and parses the log-axis tick labels in
its warm-up, which no longer draws a figure (plotting._files._share_mathtext_parser):
range figure 0.21 -> 0.165 s CPU, warm-up 0.27-0.30 -> 0.24-0.25, writer after the
result 0.41-0.48 -> 0.38-0.41 (5 runs alternated); this script once each, 11:50-11:52:
``run`` 1.88 -> 1.82 s wall, bytecode cached 1.77 -> 1.74 (the rows' run-to-run spread
is ~0.05 s). PNGs and every other output byte-identical. Tried and not kept, measured
alternated against the same tree (4 rounds, load 0.8-1.3): (1) the phasing package
without scipy.optimize at import (planners loaded on first use, the profiles in a
module of their own): the parent forks 0.12-0.15 s sooner, but the launch child then
imports them 0.15-0.18 s slower than the parent did (a forked process pays page copies
for every inherited page it writes) and it is on the critical path: result ready
1.29-1.37 -> 1.34-1.42 s, ``run`` 1.75-1.90 -> 1.89-2.00 s wall; (2) on top of it, half
of the N-impulse plan's SLSQP starts in a process the launch child forks (the same
plan to the last bit): launch child 0.60 -> 0.51-0.56 s, but that process's 0.13 s
competes with the writer's warm-up on the other core (shared-cores estimate 1.68-1.90
against 1.68-1.80, CPU +0.15 s, wall 1.80-2.05). What is left: a real margin needs CPU
out of the parent before the fork (numba's scipy.linalg import, scipy.optimize) or the
writer's matplotlib import moved into the idle stretch before it, which needs a
writer forked first that draws from plain arrays (it cannot unpickle a result without
importing numba, scipy and the docking package itself: ~0.6 s, more than the idle
stretch); SLSQP's Python wrappers are ~40 % of its 0.16 s.
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
timed("approach", "qingzhou_sim.mission.approach", "approach_stage")
timed("result tables", "qingzhou_sim.mission.approach", "joined_trajectories")
timed("result tables", "qingzhou_sim.mission.timeline", "assemble_result")
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

# The command itself (GC off, writer processes, fast exit), in a fresh interpreter, with
# each process's CPU time reported on stderr at its milestones: the parent when the
# result is ready and at exit, the writer when warmed up and when done, the writer's
# second process when done. On two free cores the wall time is about the parent's CPU
# to the result plus the longer of the two writers' work after it (the writer warms up
# meanwhile): an estimate that a loaded machine's wall time cannot give.
PROCESSES_CHILD = r"""
import atexit, importlib.abc, importlib.machinery, json, os, sys, time
def mark(what):
    sys.stderr.write("@@" + json.dumps([what, os.getpid(), time.process_time()]) + "\n")
    sys.stderr.flush()
def wrap(owner, name, before=None, after=None):
    func = getattr(owner, name, None)
    if func is None:
        return
    def wrapper(*a, **k):
        if before:
            mark(before)
        try:
            return func(*a, **k)
        finally:
            if after:
                mark(after)
    setattr(owner, name, wrapper)
class _OnImport(importlib.abc.MetaPathFinder):
    # MissionResult.save marks the result once its module is imported (importing it
    # here would move the docking package's import before the launch child's fork)
    def find_spec(self, name, path=None, target=None):
        if name != "qingzhou_sim.mission.result":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            wrap(module.MissionResult, "save", before="result")
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, _OnImport())
from qingzhou_sim import cli
from qingzhou_sim.plotting import _files
wrap(_files, "_warm_up", after="writer warmed up")
wrap(_files, "_run_and_report", after="writer done")
wrap(_files, "start_writer", after="writer forked")
wrap(cli, "_orientation_child", after="orientation child done")
wrap(cli, "_start_orientation_ahead", after="orientation child forked")
wrap(cli, "_launch_child", after="launch child done")
wrap(cli, "_start_launch_ahead", after="launch child forked")
wrap(cli, "_take_launch_ahead", before="waits for the launch child", after="launch child taken")
atexit.register(mark, "exit")
sys.argv = ["qingzhou-sim", "run", "--out"] + sys.argv[1:]
sys.exit(cli.main())
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


def time_command(cmd: list[str], repeat: int, env: dict | None = None) -> tuple[float, float]:
    """Minimum wall and minimum CPU (user + system) over ``repeat`` runs of ``cmd``
    (``env``: variables added to this process's environment)."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        base = os.environ if env is None else _user_env()
        proc = subprocess.run(
            cmd, capture_output=True, env={**base, "MPLBACKEND": "Agg", **(env or {})}
        )
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-3000:]}")
    return min(walls), min(cpus)


def time_alternated(variants: dict, repeat: int) -> dict:
    """``{label: (min wall, min CPU)}`` of the ``{label: (cmd, env)}`` variants, run in
    turn ``repeat`` times (alternated, so that a change of the machine's load falls on
    all of them alike)."""
    runs = {label: [] for label in variants}
    for _ in range(repeat):
        for label, (cmd, env) in variants.items():
            runs[label].append(time_command(cmd, 1, env))
    return {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in runs.items()}


def bytecode_env(tmp: str) -> dict:
    """Environment of a run that reads compiled bytecode of every module from a cache
    under ``tmp`` (filled here once). Without it, where PYTHONDONTWRITEBYTECODE is set
    and the package is installed in editable mode (as in this project's environment),
    every run compiles the package's ~80 modules from source; an installed package
    (pip compiles it) or an editable one without that variable does not."""
    env = {"PYTHONPYCACHEPREFIX": os.path.join(tmp, "pycache")}
    subprocess.run(
        _command(os.path.join(tmp, "out"), True), capture_output=True, env={**_user_env(), **env}
    )
    return env


def _user_env() -> dict:
    """This process's environment less PYTHONDONTWRITEBYTECODE (an installed package's
    modules are read as bytecode; see :func:`bytecode_env`)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_import(repeat: int) -> tuple[float, float]:
    """Minimum wall and CPU of ``import qingzhou_sim`` in a fresh interpreter, less the
    bare interpreter's start-up (measured the same way)."""
    bare = [time_command([sys.executable, "-c", "pass"], 1) for _ in range(repeat)]
    full = [time_command([sys.executable, "-c", "import qingzhou_sim"], 1) for _ in range(repeat)]
    return (
        min(w for w, _ in full) - min(w for w, _ in bare),
        min(c for _, c in full) - min(c for _, c in bare),
    )


def process_cpu(out_dir: str, repeat: int, env: dict | None = None) -> dict:
    """CPU seconds of the command's processes (minimum over ``repeat`` runs each) and
    the wall time they imply on two free cores (see :func:`_two_core_schedule`);
    ``env``: variables added to this process's environment (:func:`bytecode_env`)."""
    rows = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", PROCESSES_CHILD, out_dir],
            capture_output=True,
            text=True,
            env={**_user_env(), "MPLBACKEND": "Agg", **(env or {})},
        )
        marks = [json.loads(line[2:]) for line in proc.stderr.splitlines() if line.startswith("@@")]
        cpu = {}
        for what, pid, t in marks:
            cpu.setdefault(what, {})[pid] = t
        if "result" not in cpu or "writer warmed up" not in cpu:  # no writer (one core)
            continue
        rows.append(_two_core_schedule(cpu))
    return {k: min(r[k] for r in rows) for k in rows[0]} if rows else {}


def _two_core_schedule(cpu: dict) -> dict:
    """The processes' CPU seconds at their milestones (``{mark: {pid: s}}``) and the
    wall time they imply on two free cores, each process on a core of its own while it
    has work: the parent forks the launch child (launch stage and phasing plan), goes on
    importing and loading kernels, then waits for the child's data; it forks the writer
    (warm-up) before the wait; the result is ready when the parent has used the
    child's data, and the figures are drawn once the result is there and the writer
    is warmed up, by the writer and its second process (the longer of the two ends the
    run)."""
    (parent,) = cpu["result"]
    (writer,) = cpu["writer warmed up"]
    p = {what: pids[parent] for what, pids in cpu.items() if parent in pids}
    done = cpu.get("writer done", {})
    second = [t for pid, t in done.items() if pid != writer]
    warm = cpu["writer warmed up"][writer]
    after = [done[writer] - warm, *second]
    launch = sum(cpu.get("launch child done", {}).values())
    fork = p.get("launch child forked", 0.0)
    wait, taken = p.get("waits for the launch child"), p.get("launch child taken")
    if wait is None:  # no launch child: the parent's own CPU up to the result
        data, result_at = 0.0, p["result"]
    else:
        data = fork + max(wait - fork, launch)  # the child's data is in the parent
        result_at = data + p["result"] - taken
    writer_at = p.get("writer forked", 0.0)
    if wait is not None and writer_at > wait:  # forked after the wait: shifted by it
        writer_at = data + writer_at - taken
    shared = _shared_cores(cpu, parent, writer, after)
    return {
        "orientation child": sum(cpu.get("orientation child done", {}).values()),
        "parent to the launch fork": fork,
        "parent after the fork, before the wait": (wait or fork) - fork,
        "launch child (launch, plan)": launch,
        "parent after the child's data, to the result": p["result"] - (taken or 0.0),
        "parent to the result (its own CPU)": p["result"],
        "writer warm-up": warm,
        "writer after the result": after[0],
        "second writer": second[0] if second else 0.0,
        "result ready (two free cores)": result_at,
        "writer ready (two free cores)": writer_at + warm,
        "estimate on two free cores": max(result_at, writer_at + warm) + max(after),
        "result ready (two cores shared)": shared["result"],
        "estimate on two cores shared (processes' CPU)": shared["end"],
    }


def _shared_cores(cpu: dict, parent: int, writer: int, after: list) -> dict:
    """The command's processes replayed on two cores that the runnable ones share
    equally (as the kernel's scheduler does; each gets min(1, 2 / n) of a core), from
    their CPU seconds between milestones: the parent forks the orientation child, the
    launch child and the writer at its CPU times of those marks, waits for the launch
    child, then has the result (and waits for the writer's warm-up); the writer and its
    second process then draw. Unlike :func:`_two_core_schedule`, three processes at
    once slow each other. Wall seconds of the result and of the end."""
    p = {what: pids[parent] for what, pids in cpu.items() if parent in pids}
    steps = []
    for what, name in (
        ("orientation child forked", "orientation"),
        ("launch child forked", "launch"),
        ("writer forked", "writer"),
        ("waits for the launch child", None),
    ):
        if what in p:
            steps.append((p[what], what, name))
    steps.sort()
    work = {
        "orientation": sum(cpu.get("orientation child done", {}).values()),
        "launch": sum(cpu.get("launch child done", {}).values()),
        "writer": cpu["writer warmed up"][writer],
    }
    plan = {"parent": []}
    done_cpu = 0.0
    for t, _what, name in steps:
        plan["parent"].append(("run", t - done_cpu))
        done_cpu = t
        if name is not None:
            plan["parent"].append(("spawn", name))
        else:
            plan["parent"].append(("wait", "launch"))
            done_cpu = p.get("launch child taken", t)
    plan["parent"] += [("run", p["result"] - done_cpu), ("mark", "result"), ("wait", "writer")]
    plan["parent"] += [("spawn", "draw"), ("spawn", "draw 2")]
    for name in work:
        plan[name] = [("run", work[name])]
    plan["draw"], plan["draw 2"] = (
        [("run", after[0])],
        [("run", after[1] if len(after) > 1 else 0.0)],
    )
    return _replay(plan)


def _replay(plan: dict, cores: int = 2) -> dict:
    """Replay ``{process: [("run", s) | ("spawn", name) | ("wait", name) | ("mark",
    label)]}`` from "parent" on ``cores`` shared equally; ``{label: wall s, "end": wall
    s}``."""
    now, at, finished, marks = 0.0, {"parent": 0}, set(), {}
    left = {"parent": None}
    while at:
        seen = None
        while seen != (dict(at), set(finished)):  # each process through its instant steps
            seen = (dict(at), set(finished))
            for name in list(at):
                _advance(plan, name, at, left, finished, marks, now)
        running = [n for n in at if plan[n][at[n]][0] == "run"]
        if not running:
            break
        rate = min(1.0, cores / len(running))
        step = min(left[n] for n in running) / rate
        now += step
        for n in running:
            left[n] -= step * rate
    return {**marks, "end": now}


def _advance(plan, name, at, left, finished, marks, now) -> None:
    """Process ``name`` of :func:`_replay` through its steps that take no time."""
    while name in at:
        i = at[name]
        if i == len(plan[name]):
            finished.add(name)
            del at[name]
            return
        kind, arg = plan[name][i]
        if kind == "run":
            if left[name] is None:
                left[name] = arg
            if left[name] > 1e-12:
                return
            left[name] = None
        elif kind == "spawn":
            at[arg], left[arg] = 0, None
        elif kind == "wait" and arg not in finished:
            return
        elif kind == "mark":
            marks[arg] = now
        at[name] += 1


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
        # fill the numba cache: compiled in the foreground (on a cold cache a first
        # ``run`` executes the kernels as Python and compiles them in the background)
        subprocess.run([*_command(out, True)[:-3], "compile"], capture_output=True)
        subprocess.run(_command(out, True), capture_output=True)
        imp_wall, imp_cpu = time_import(max(args.n, 5))
        pyc = bytecode_env(tmp)
        runs = time_alternated(
            {
                "run": (_command(out, True), None),
                "run --no-figures": (_command(out, False), None),
                "run, bytecode cached": (_command(out, True), pyc),
                "run --no-figures, bytecode cached": (_command(out, False), pyc),
            },
            args.n,
        )
        processes = process_cpu(out, args.n, pyc)
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
    print(f"  {'':48} {'min wall':>9} {'min CPU':>9}   target")
    print(
        f"  {'import qingzhou_sim':48} {imp_wall:8.3f}s {imp_cpu:8.3f}s   "
        f"<= {IMPORT_LIMIT_S:.3f} s wall ({IMPORT_LIMIT_S / max(imp_wall, 1e-9):.1f}x under)"
    )
    for label, (wall, cpu) in runs.items():
        target = (
            f"   <= {RUN_LIMIT_S:.1f} s wall (ratio {wall / RUN_LIMIT_S:.2f})"
            if label.startswith("run,") or label == "run"
            else ""
        )
        print(f"  {'qingzhou-sim ' + label:48} {wall:8.3f}s {cpu:8.3f}s{target}")
    print(f"  (best of {args.n}, alternated; import: best of {max(args.n, 5)}, less a bare")
    print("  interpreter; 'bytecode cached': the package's modules read as compiled bytecode,")
    print("  as an installed package does, see bytecode_env)")
    if processes:
        print("\nThe command's processes, bytecode cached (as an installed package), CPU s")
        print("(minimum of each over the runs), and the wall time they imply on two free")
        print("cores (_two_core_schedule):")
        for label, value in processes.items():
            print(f"  {label:<46} {value:7.3f}s")
    _print_stages("Where one run's wall time goes (fresh process, by stage):", stages)
    if profile is not None:
        print("\ncProfile of one run in a fresh process (cumulative; ranking only):")
        lines = profile.splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(lines[start:]))


if __name__ == "__main__":
    main()
