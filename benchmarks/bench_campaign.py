"""Speed of dispersion campaigns (issue 16 item 1: 50 samples per second per core on the
default mission, 10,000 samples in under 2 minutes on 2 cores).

Prints, for the default mission with every dispersion term on:

- the CPU time of one sample (``time.process_time``: the machine may be shared, wall
  time is noisy) through the campaign's record-only path
  (:func:`qingzhou_sim.montecarlo.sample_record`) and through a full
  ``Mission.run(...).to_record()`` (the rows are the same, bit for bit), hence samples
  per second per core against the target;
- the campaign's fixed cost (launch-window search, nominal plan);
- where a sample's CPU goes, by stage (launch, re-planning, phasing flight, approach,
  record) and the largest costs of a cProfile run;
- ``run_campaign`` wall time with 1 worker (in-process) and 2 worker processes on the
  same seeds, and the 1 -> 2 worker scaling: in wall time (which on a shared machine
  says how many cores were free) and in CPU (the 1-worker CPU over this process's plus
  the busiest worker's: what two free cores would give).

The per-sample figures hold BLAS pinned to one thread around all samples, as each
campaign chunk does (threadpoolctl's pin costs milliseconds; a campaign pays it once per
chunk).

Run: ``python benchmarks/bench_campaign.py [N]`` (default N = 40 samples per measurement);
``python benchmarks/bench_campaign.py --campaign 10000`` times a whole 10,000-sample
campaign on 2 worker processes (the issue's "under 2 minutes on 2 cores"; ~2 minutes).

Measured at the end of the seventh round (2026-11-30 10:19-10:22 UTC, quiet machine, load
~1, default numba cache warm): record path 18.8 / 19.7 ms a sample = 53.3 / 50.6
samples/s/core in two runs (approach 10.3, re-plan 4.0, flight 2.4, record 0.7, other
0.5 ms); a whole 10,000-sample campaign on 2 workers 106.6 s wall = 93.8 samples/s
(46.9 per core with the fixed costs and the pool), docked 99.90 %. At the round's start
(6909fa6): 34.7 ms = 28.8 samples/s/core.

Measured in this session (campaign helper; CPU ms per sample, 20-40 dispersed samples,
a snapshot of 59862a4 against the same snapshot with the campaign changes, alternated on
the shared 2-core machine, least-loaded run of each; load 3-6 made the absolute figures
move by up to 30 %):

=====================================  ==========  ==========
stage                                  before      after
=====================================  ==========  ==========
phasing flight                         12.3-14.5   6.6-9.2
other (draws, vehicles, BLAS pin)      3.6         1.0-1.2
record                                 1.1         1.1
whole record path                      144.8       127.8
=====================================  ==========  ==========

The flight: the re-targeting's propagations on force parameters built once per burn
epoch (no astropy epoch per propagation), burn epochs in one astropy call, the
hand-over states alone for the record (``phasing_flight(samples=False)``). Other: BLAS
pinned once per chunk. Both paths' rows stay bit-identical to ``Mission.run``. What is
left of the flight (~7 ms): the re-targeting's differential corrections (~1.5 ms), the
chaser's and the station's propagation to the hand-over through
``Propagator.propagate`` (~2 ms; its dense output keeps the numbers of the full run),
Burn and Time objects (~1 ms). 1 -> 2 workers: 1.8-2.1x by CPU on free cores before
and after (the pool costs ~0.3 s of the parent's CPU for 40 samples); by wall time
0.7-1.2x, which only says that the machine's other processes held a core.

Measured in a later session (replan helper, issue 16 row 1; CPU ms per sample, 30
dispersed samples, a snapshot of 8597cfe and the working tree alternated, two rounds each
time; the record path's total also holds the approach helper's work of the same session):

=====================================  ============  ============
stage                                  before        after
=====================================  ============  ============
phasing re-plan (quiet machine)        13.5 / 14.5   10.0 / 11.1
phasing flight (quiet machine)         7.6 / 8.1     5.2 / 6.0
phasing re-plan (loaded, earlier)      20.3 / 17.5   12.8 / 13.3
phasing flight (loaded, earlier)       11.8 / 9.9    7.6 / 8.1
record path, all stages (quiet)        68.3 / 71.6   48.4 / 49.9
=====================================  ============  ============

Both stages' results are bit-identical to before (and the record rows to
``Mission.run``'s). The re-plan: see ``bench_phasing.py`` section 3. The flight: the
hand-over states of the record path from the propagator's own arcs, burns and dense
output without astropy per burn (``flight._propagated_to``, the numbers of
``Propagator.propagate``), the burn epochs in seconds from the plan's
``epoch_offsets_s`` and one vectorised subtraction, the LVLH bases of single states
without ``np.cross`` (``phasing._common._lvlh_basis_1``, frames' operations), the
finite-difference columns of the re-targeting from their burn. What is left of the
flight (~5 ms): the re-targeting's four to five differential corrections (~1.7 ms, half
of it numpy and Python around ~10 short propagations), Burn and Time objects (~0.6 ms),
the force parameters per burn epoch (~0.2 ms), the hand-over arcs (~0.5 ms).

Measured in a later session (replan2 helper, goal re-plan <= 7 ms and flight <= 4 ms; CPU
ms a sample, 20-30 dispersed samples, a snapshot of 277e2f6 and HEAD + these changes
alternated, the approach helper's unfinished edits left out of both; the machine's load
~2 on 2 cores moved single passes by up to 30 %, so ranges of passes and their minima):

=====================================  ============  ============
stage                                  before        after
=====================================  ============  ============
phasing re-plan (record path alone)    8.6 - 9.5     7.1 - 7.8
phasing flight (record path alone)     4.3 - 4.8     3.6 - 4.1
re-plan, this script's stage column    9.7 / 10.7    8.0 / 8.4
flight, this script's stage column     5.1 / 5.4     3.8 / 4.1
record path, all stages                41.0 / 44.7   38.1 / 42.5
=====================================  ============  ============

(record path alone: 4 passes over 30 samples of the record path with only these two
stages wrapped, two rounds; this script's stage column comes after its interleaved
full runs, and its record path holds the approach, whose figures move with the
machine's load.)

Bit-identical (20 samples' rows, re-plans and flights equal to 277e2f6's, fresh numba
cache). What changed: one-vector frame transforms and LVLH bases without ``np.cross``
(``frames._cross``); the plan's and the flight's burns without the Burn constructor's
checks (``phasing.core._lvlh_burn``); ``Burn.dv_km_s`` with its unit built once;
``_budget_bound`` from (a, ecc) alone; the profile's hand-over inputs converted once per
process; the N-impulse re-plan on ``plan_phasing``'s own problem set-up. The flight
goal (4 ms) is met, the re-plan's (7 ms) nearly: what is left of the re-plan is mostly
compiled work (see ``bench_phasing.py``); of the flight (~4 ms): the re-targeting's four
to five corrections (~1.5 ms), the burn epochs' Time sum, subtraction and TT
conversion (~0.4 ms), the two hand-over arcs (~0.7 ms), the station's hand-over state for
the relative target (~0.2 ms).

Measured in a later session (replan3 helper, goal re-plan <= 4 ms, flight <= 2 ms, record
and other <= 1 ms; not met). The machine's load (4-5 on 2 cores) moved separate runs of
the same code by 20-40 %, so the before/after figures come from one process that imports
the session's starting snapshot (6dffc63) and the changed tree side by side under two
package names and runs them sample by sample, the minimum of 5 repeats a sample, 30
dispersed samples, in both orders (CPU ms a sample):

=====================================  ============  ============
stage                                  before        after
=====================================  ============  ============
phasing re-plan                        8.75 / 8.08   8.54 / 7.88
phasing flight                         4.73 / 4.21   4.42 / 4.03
=====================================  ============  ============

Bit-identical (30 samples' rows, re-plans and flights equal to 6dffc63's). What changed:
the plan's and the flight's burn epochs (``t0 + TimeDelta(t_s * u.s)``, 0.22 -> 0.12 ms)
and the flight's TT dates (``epochs.tt.jd``, 0.10 -> 0.04 ms) by astropy's own steps on
jd1/jd2 (``phasing.core._epochs_after``, ``_tt_jd``; tested against astropy, a leap
second included); the flight's per-epoch dynamics without ``dataclasses.replace``; the
record's launch-phase duration once per launch stage (~0.08 ms) and one m/s unit for the
approach segments. (The record path as a whole could not be compared this way: the
approach, 70 % of it and the same code in both trees, ran 3-6 ms faster in whichever
package ran first.)

Tried and not kept: (1) the fixed-epoch SQP zeroing a vanishing burn as soon as its
primer magnitude says so (22b0524, reverted in cb9fc1f): 19.1 -> 10.3 iterations a call
but only 0.82 -> 0.67 ms a sample, and the plans moved by up to 3.7e-7 m/s, which the 6-DOF
approach turns into noise-level changes of every record; (2) _min_dv_sqp split into
stage functions for its compile time: 7.5-8.1 -> 10.0-11.0 s, since every stage that
calls the arrival partials links and re-optimises their whole Kepler/STM chain.

Where the re-plan's ~8 ms go (dispersed samples, CPU a sample): the free-epoch SQP of
the two-body optimum 1.9 ms (24 iterations a call, 2.1 calls: a start and the
primer-vector re-solves; a quarter stop at the 50-iteration limit in a flat valley of
equally cheap ways to split the transfer, where the result depends on every bit of the
start: when the nominal plan changed in its last bits, some dispersed plans moved to
other local optima by up to 1.5 m/s, so a faster path there cannot keep the plans),
the fixed-epoch SQPs 0.8 ms, force-model propagations ~2 ms (12 full propagations and
~48 arcs, of which the finite-difference Jacobian's 30-34 arcs ~1.4 ms: the STM of the
variational equations would replace them, but needs a variational DOP853 in the
propagator), the plan's assembly ~1.3 ms (astropy Time and State objects the record path
reads), Python around the Newton corrections ~1.5 ms. Of the flight's ~4 ms: the four
re-targeting corrections ~1.6 ms (a third of it two to three propagations each), the
truth propagations between burns ~0.8 ms, the hand-over arcs ~0.6 ms, astropy epochs
~0.3 ms.

Measured in a later session (replan4 helper: the record path's pure overhead, results kept
bit-identical), by the method above (the session's start, 4c8c642, and the changed tree
side by side in one process, min of 5 a sample, 30 dispersed samples, both orders; CPU
ms a sample, load 1.5-2.5). "Re-plan + flight" re-plans and flies a fresh plan each
repeat (the plan's fields are now made when read, so the flight pays for those it reads);
"record less approach" is ``sample_record`` with each sample's approach computed once and
handed back (the approach, the same code in both trees, is ~70 % of the record path and
its noise hides sub-millisecond changes):

=====================================  ==============  ==============
stage                                  before          after
=====================================  ==============  ==============
phasing re-plan                        7.27 / 7.27     6.15 / 6.19
phasing flight (incl. plan fields)     3.57 / 3.56     3.91 / 3.91
re-plan + flight                       10.94 / 10.90   10.15 / 10.17
record path less its approach          11.91 / 12.33   11.03 / 11.64
whole record path (min of 3, 20)       36.74 / 40.76   40.57 / 35.60
=====================================  ==============  ==============

Bit-identical (30 samples' rows, every field of every re-plan, the flights; fresh numba
cache). What changed: the plan's astropy fields are made on first read
(``phasing.core._LazyPhasingPlan``: the arrival, target and station States, the miss
and approach-estimate Quantities and the plan's Burns are no longer made on the record
path; the flight reads the burns' labels and magnitudes and the target's numbers
directly); ``(epochs - t0).to_value(u.s)`` of the plan and the flight by astropy's
steps on jd1/jd2 (``core._seconds_since``); the phase angle at insertion by
``_phase_angle``'s operations on one pair of states (47 -> 11 us); the flight's
corrections without a CorrectionReport. The whole record path's pair of figures moves by
~4.5 ms with the import order (the tree imported first runs its approach faster, as the
previous session saw); the mean of both orders is 38.75 -> 38.09 ms. (An earlier
comparison of the whole record path by this method was biased: the harness pinned BLAS through one tree's guard only, so the
other tree's samples paid threadpoolctl's pin, ~1 ms each.)

Tried and not kept: astropy's ``day_frac`` on Python floats (bit-identical on 20000
random cases, signed zeros included; 25 -> 16 us a call, nine calls a sample): no
measurable change of a sample (10.15 -> 10.14 ms).

What is left, and why: of the re-plan's ~6.2 ms, ~4.5 ms compiled (the SQPs, ~50 DOP853
propagations and arcs, the STM Jacobians); the plan fields a sample still reads (the
epochs and their offsets ~0.2 ms, the rest ~0.1 ms) are needed by the flight, the
approach and the record. Of the flight's ~3.9 ms: the four to five re-targeting
corrections ~1.3 ms (two to three Newton iterations each, a compiled propagation of
35-60 us, a compiled STM Jacobian and a LAPACK least squares per iteration behind ~4
Python layers: ~50-100 us of Python per iteration, which a compiled Newton loop would
remove but which runs through the propagator's private kernels, another helper's files
this session), the truth propagations between burns and the hand-over arcs ~1.2 ms
(compiled), the flight's epochs, offsets and TT dates ~0.4 ms (astropy's ``day_frac`` on
arrays of five to seven elements, ~25 us a call).

Measured in a later session (replan5 helper: analytic Jacobians, goal re-plan + flight
<= 6 ms; not met). Both trees imported side by side in one process (the session's start,
6909fa6, and the changed package under another name, both BLAS guards held), sample by
sample in alternating order, min of 5 a sample, 30 dispersed samples, two runs (CPU ms a
sample, load ~3 on 2 cores):

=====================================  ==============  ==============
stage                                  before          after
=====================================  ==============  ==============
phasing re-plan                        6.19 / 6.11     4.25 / 4.11
phasing flight                         3.96 / 3.78     3.15 / 3.00
re-plan + flight                       10.26 / 9.97    7.51 / 7.19
this script's stage columns (1 pass)   7.0 + 4.3       4.6-5.1 + 3.5-3.8
=====================================  ==============  ==============

What changed: (1) the Jacobians of the force-model corrections come from the
variational equations integrated with the trajectory (``propagator._variational``: one
DOP853 run whose state is the plain run's bit for bit and which also integrates the
sensitivity of the end state to the impulses, d a/d r and d a/d v of the whole force
model: J2-J4 about the moving pole, drag with its density gradient, Sun and Moon),
instead of 3k finite-difference propagations (the minimum-delta-v stage's exact
Jacobian) or the two-body STM plus a stale correction (Newton); (2) the Newton loop is
compiled (``phasing._newton._newton_stm``), its Jacobian kept while steps halve the
residual (chord) and refreshed when one does not; the flight's corrections pass the
Jacobian's columns of the later burns to the next correction (one variational run a
flight); (3) warm starts from the nominal plan: the free-epoch two-body SQP starts from
the two-body optimum of the reference's own problem and the candidate at the
reference's epochs from the reference's own force-model Jacobian (each computed once per
reference and process); (4) the primer magnitude only when an impulse vanishes, with one
two-body STM a grid point (symplectic inverse); the flight's shell dynamics once per kind
of force model. Not bit-identical (a different Jacobian): the default mission's nominal
plan moves by 2e-8 m/s and its printed figures at the approach's noise level (total
delta-v 66.89 -> 66.82 m/s, hard dock 3:32:54.306 -> .433); dispersed re-plans land on
the same or other local optima (150 samples: median change 0, mean plan delta-v +0.007
m/s from the warm start, at most +0.27 / -0.03 m/s), all converged to the same
tolerances; ``campaign_contact_share.py``: 299/300 (sample 108 fails as before).

What is left, and why: of the re-plan's ~4.1 ms, the fixed-epoch SQPs ~1.2 ms (the
predictions run 26 iterations a call on average, a few 200-320: vanishing burns
converge geometrically), the free-epoch SQP and primer scans ~0.6 ms, the variational
runs (~3x a plain propagation: 12 partial evaluations a step) ~0.6 ms, the plan's
assembly and Python ~1.2 ms. Of the flight's ~3.0 ms: the corrections ~0.6 ms (a
variational run, then two plain propagations a correction), the truth propagations and
hand-over arcs ~0.7 ms, astropy epochs and Python ~1.7 ms (burn epochs and their TT
dates, Burn objects, force parameters per burn epoch). Tried and not kept: a looser
tolerance for the variational runs (1e-8: only 255 -> 186 us a run, the step count
falls as tol^(1/8)); exact Jacobians at every Newton iteration (a variational run costs
three plain ones; the chord needs one).

Measured in a later session (record6 helper: the record path's Python and astropy per
sample, bit-identical; goal >= 2.5 ms off, not met: ~1.3 ms). A clean copy of the
session's start (a8f9a9e) and of the changed tree (b23cd80) run alternately, each in its
own process, in the same minutes, BLAS pinned; CPU ms a sample, 40 dispersed samples,
this script's ``_by_stage`` (the approach run for real between the stages), min of 5
passes, four rounds (load ~2.7 on 2 cores; the approach, 12.5 -> 10.5 ms, moved with the
docking helper's commits of the same session, not with these):

=====================================  =========================  =========================
stage                                  before                     after
=====================================  =========================  =========================
phasing re-plan                        4.10 / 4.24 / 4.19 / 4.47  3.79 / 4.14 / 3.94 / 4.12
phasing flight                         2.91 / 3.02 / 2.99 / 3.23  2.21 / 2.54 / 2.38 / 2.51
record                                 1.04 / 1.13 / 1.07 / 1.28  0.62 / 0.94 / 0.78 / 0.91
other (draws, vehicles, force models)  0.67 / 0.71 / 0.68 / 0.82  0.45 / 0.69 / 0.60 / 0.70
all stages but the approach            8.75 / 9.17 / 9.10 / 9.84  7.10 / 8.34 / 7.90 / 8.27
=====================================  =========================  =========================

With each sample's approach computed once and handed back (30 samples, min of 7 passes,
three rounds: caches stay warm, the stages' own costs show): re-plan 4.07 / 4.31 / 4.41
-> 3.68 / 4.12 / 3.74, flight 2.97 / 3.20 / 3.36 -> 2.22 / 2.60 / 2.28, the record path
less its approach 8.11 / 8.66 / 8.98 -> 6.76 / 7.81 / 6.92 ms (the record stage shows
little here: the handed-back approach's event epochs are made already).

Bit-identical: rows of 30 dispersed samples through ``sample_record`` and through
``Mission.run().to_record()``, hashed, equal to the session start's (sha256 313868d3...,
fresh NUMBA_CACHE_DIR; checked after each commit, the final tree on its own files alone).
What changed:
(1) astropy's ``day_frac`` compiled (``phasing._kernels._day_frac``, its operations
element by element; bitwise equal to astropy's on 60,000 random sums in the tests) for
the epochs' (jd1, jd2) steps, ERFA's time-scale ufuncs called directly when every status
is 0; (2) the flight's epochs as UTC (jd1, jd2) floats with their seconds and TT dates
(``flight._flight_epochs``), the Time array made only if indexed, and the flown burns a
``flight._LazyBurns`` sequence (the Burns made when first read; the record and the
hand-over arcs read magnitudes and kernel delta-v's from the numbers); the plan's
inertial delta-v's, hand-over offset and phase angle from its numbers, the burns to fly
decided on their inertial magnitudes (the LVLH ones, as before, only within 1e-9 of the
threshold); (3) the record's durations from the events' seconds
(``montecarlo._EventSpans``: an approach event's epoch is ``epoch0 + TimeDelta(t_s *
u.s)`` of all events at once, ~0.45 ms when first read, and the record was its only
reader) and by ``phasing.core._seconds_between`` instead of Time subtractions; (4) the
force-model dynamics made once per (model, epoch) (a campaign plans in equal models
from one insertion epoch); the station's hand-over state
and target once a re-plan; the plan's sampled track (~180 dense outputs) made when first
read (DOP853's steps do not depend on the output times, so the burn epochs and the end
alone give the same states); the execution-error draws in one Generator call. Tried and
not kept: the epochs' three day_frac steps fused into two more kernels (~15 us a call,
three calls a sample) for 0.61 s more first-run compilation (the one kernel costs
0.56 s cold).

What is left, and why (~7.1-8.3 ms besides the approach, by the profiles of this session):
compiled work ~3.5-4 ms (the fixed-epoch SQPs ~1.0, the compiled Newton ~1.1, DOP853
runs ~0.8, variational runs ~0.3, primer ~0.15); the rest is some forty Python functions
of 20-170 us each, none dominant: the Newton and minimum-delta-v drivers around the
kernels (``_correct_full``, ``_min_dv``, ``_two_body_optimum``, ~0.5 ms), the flight's loop
(~0.4 ms: a kernel call, a basis and an executed burn per burn), the hand-over arcs'
Python (``_propagated_to``, ~0.3 ms), the plan's Time array (the approach reads the
hand-over epoch), the record's corridor minimum (``mission.result``, ~0.1 ms) and
segments, the insertion and station-knowledge offsets and their States
(``launching.offset_lvlh``, ~0.1 ms, another helper's file), ``plan_phasing``'s checks
(another helper's file), the approach's two States at the hand-over (another helper's
file). Going further means compiling the re-plan's and the flight's drivers whole, not
trimming calls.
"""

from __future__ import annotations

import collections
import cProfile
import io
import pstats
import sys
import time

TARGET_PER_CORE = 50.0  # samples per second per core (issue 16)


def _cpu_per_sample(fn, perturbations) -> float:
    t0 = time.process_time()
    for p in perturbations:
        try:
            fn(p)
        except Exception:  # noqa: BLE001 - a failed sample costs its time too
            pass
    return (time.process_time() - t0) / len(perturbations)


def _by_stage(mission, perturbations, reference) -> dict:
    """CPU per sample of each stage of the record path (wrapped with process_time)."""
    import qingzhou_sim.mission.approach as ap
    import qingzhou_sim.mission.flight as fl
    import qingzhou_sim.mission.launching as la
    import qingzhou_sim.mission.stages as st
    import qingzhou_sim.montecarlo as mc

    spent = collections.Counter()
    saved = []
    for module, name, label in (
        (la, "launch_stage", "launch stage (cached)"),
        (st, "_plan", "phasing re-plan"),
        (fl, "phasing_flight", "phasing flight"),
        (ap, "approach_stage", "6-DOF approach"),
        (mc, "_record", "record"),
    ):
        original = getattr(module, name)
        saved.append((module, name, original))

        def timed(*a, _f=original, _label=label, **k):
            t0 = time.process_time()
            try:
                return _f(*a, **k)
            finally:
                spent[_label] += time.process_time() - t0

        setattr(module, name, timed)
    try:
        total = _cpu_per_sample(lambda p: mc.sample_record(mission, p, reference), perturbations)
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    out = {k: v / len(perturbations) for k, v in spent.items()}
    out["other (draws, vehicles, force models)"] = total - sum(out.values())
    return out


def main(n: int = 40) -> None:
    from qingzhou_sim.mission._guard import single_thread_blas

    # as a campaign's chunk does: BLAS pinned to one thread once for all its samples
    with single_thread_blas():
        _per_sample(n)


def _per_sample(n: int) -> None:
    import qingzhou_sim as qz
    from qingzhou_sim.montecarlo import (
        Dispersions,
        _nominal_phasing_plan,
        draw_perturbations,
        sample_record,
    )

    t0 = time.process_time()
    mission = qz.Mission.default().with_liftoff()
    t1 = time.process_time()
    reference = _nominal_phasing_plan(mission)
    t2 = time.process_time()
    perturbations = [draw_perturbations(mission, Dispersions(), 1, k) for k in range(n)]
    print(
        f"campaign fixed cost (CPU): launch-window search {t1 - t0:.2f} s, "
        f"nominal plan {t2 - t1:.2f} s (includes numba compilation if the cache is cold)"
    )

    def record(p):
        return sample_record(mission, p, reference)

    def full_run(p):
        return mission.run(perturbations=p, phasing_reference=reference).to_record()

    # warm-up: numba compiles some approach paths (abort, drift) on first use
    for p in perturbations[:3]:
        _cpu_per_sample(record, [p])
        _cpu_per_sample(full_run, [p])
    # interleaved, so that a change in the machine's load affects both alike
    fast = full = 0.0
    for p in perturbations:
        fast += _cpu_per_sample(record, [p]) / n
        full += _cpu_per_sample(full_run, [p]) / n
    verdict = "met" if 1 / fast >= TARGET_PER_CORE else f"{TARGET_PER_CORE * fast:.2f}x short"
    print(
        f"CPU per sample ({n} samples): record path {fast * 1e3:6.1f} ms = "
        f"{1 / fast:5.2f} samples/s/core (target {TARGET_PER_CORE:.0f}: {verdict}); "
        f"full Mission.run {full * 1e3:6.1f} ms"
    )
    budget = 1.0 / TARGET_PER_CORE
    print(
        f"where a sample's CPU goes (record path, by stage; the target's whole budget is "
        f"{budget * 1e3:.0f} ms per sample):"
    )
    print(f"  {'stage':<40s}{'CPU':>9s}{'share':>7s}{'x budget':>10s}{'alone':>14s}")
    for label, cpu in sorted(
        _by_stage(mission, perturbations, reference).items(), key=lambda kv: -kv[1]
    ):
        alone = f"{1 / cpu:8.0f} /s" if cpu > 0 else "       - /s"
        print(f"  {label:<40s}{cpu * 1e3:6.1f} ms{cpu / fast:7.0%}{cpu / budget:9.2f}x{alone:>14s}")
    print(
        "  (x budget: the stage's CPU over the 20 ms a whole sample may take at 50/s/core; "
        "alone: samples/s/core if a sample were only this stage)"
    )

    prof = cProfile.Profile()
    prof.enable()
    for p in perturbations[:10]:
        try:
            sample_record(mission, p, reference)
        except Exception:  # noqa: BLE001
            pass
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(12)
    print("largest own costs (cProfile of 10 samples; its overhead inflates Python calls):")
    print("\n".join(line for line in text.getvalue().splitlines()[6:20] if line.strip()))


def _scaling_main(n: int) -> None:
    import qingzhou_sim as qz
    from qingzhou_sim.montecarlo import run_campaign

    _scaling(qz.Mission.default().with_liftoff(), n, run_campaign)


def _scaling(mission, n: int, run_campaign) -> None:
    """``run_campaign`` wall time with 1 worker (in this process) and 2 worker
    processes, and the CPU each used: on a shared machine the wall-time ratio says
    how many cores were free; the CPU of the busiest worker says what two free cores
    would give (pool start, pickling, imbalance of the chunks included)."""
    from concurrent.futures import ProcessPoolExecutor

    t0, c0 = time.perf_counter(), time.process_time()
    result = run_campaign(mission, n, seed=1, workers=1, progress=False)
    wall1, cpu1 = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"run_campaign, 1 worker:  {n} samples in {wall1:6.2f} s wall, {cpu1:6.2f} s CPU = "
        f"{n / wall1:5.2f} samples/s; docked {result.success_rate:.0%}"
    )
    pool = ProcessPoolExecutor(max_workers=2)
    workers_cpu = {}
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        result = run_campaign(mission, n, seed=1, executor=pool, progress=False)
        wall2, parent2 = time.perf_counter() - t0, time.process_time() - c0
        workers_cpu = _workers_cpu(pool)
    finally:
        pool.shutdown()
    # on free cores: the parent's part (nominal plan, collecting rows) then the workers
    # side by side, the busiest one last
    busiest = parent2 + max(workers_cpu.values(), default=float("nan"))
    print(
        f"run_campaign, 2 workers: {n} samples in {wall2:6.2f} s wall = {n / wall2:5.2f} "
        f"samples/s ({n / wall2 / 2:5.2f} per core); CPU {parent2:.2f} s here, workers "
        f"{' + '.join(f'{c:.2f}' for c in workers_cpu.values())} s; docked "
        f"{result.success_rate:.0%}"
    )
    print(
        f"scaling 1 -> 2 workers: {wall1 / wall2:.2f}x wall (ideal 2x; shared machine); "
        f"{cpu1 / busiest:.2f}x on two free cores (1-worker CPU over this process's CPU "
        "plus the busiest worker's: pool start, pickling and chunk imbalance included)"
    )


def _workers_cpu(pool) -> dict:
    """CPU seconds (user + system) each live worker process of ``pool`` has used."""
    try:
        import psutil
    except ImportError:
        return {}
    out = {}
    for pid in list(getattr(pool, "_processes", {}) or {}):
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        out[pid] = times.user + times.system
    return out


def _whole_campaign(n: int) -> None:
    """The issue's own yardstick: ``n`` samples of the default mission through
    ``run_campaign`` on 2 worker processes, wall clock from the call (launch-window
    search, nominal plan, pool start and collection included; no figures)."""
    import qingzhou_sim as qz
    from qingzhou_sim.montecarlo import run_campaign

    t0 = time.perf_counter()
    result = run_campaign(qz.Mission.default(), n, seed=7, workers=2, progress=False, figures=False)
    wall = time.perf_counter() - t0
    print(
        f"run_campaign({n} samples, 2 workers): {wall:.1f} s wall = {n / wall:.1f} samples/s "
        f"({n / wall / 2:.1f} per core, fixed costs included); docked {result.success_rate:.2%}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--campaign":
        _whole_campaign(int(sys.argv[2]))
        sys.exit()
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    main(N)
    # outside the BLAS pin: run_campaign pins its own chunks
    _scaling_main(N)
