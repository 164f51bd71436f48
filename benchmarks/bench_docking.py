"""Speed of the docking approach (issue 7: hand-over -> hard dock well under 1 s of CPU,
since it runs inside every Monte Carlo sample).

Times :func:`qingzhou_sim.docking.simulate_approach` for the three built-in profiles,
noise-free and with the default noise, after a warm-up run (JIT compilation excluded),
and reports CPU time per run and per simulated hour. Peer in the same run: the truth
plant alone (two RK4-integrated absolute states, J2 + drag) over the same duration, to
show how much of the cost is GNC, navigation and safety monitoring.

Issue 14 (six degrees of freedom): measured on the three-degree-of-freedom loop before
the change, same machine, same script (best of 5, CPU ms per run, quiet / noise):
aft 14.2 / 21.3, forward 28.3 / 36.4, radial 43.1 / 52.4; truth plant alone 1.7 ms.
The 6-DOF loop should cost at most 3x that. A second peer times the attitude truth of
both bodies alone and the thruster selection alone over the aft run's steps, to say
where the time goes.

The six-degree-of-freedom loop, same script, on the shared machine under load (quiet /
noise, CPU ms per run): as first written, aft 83.7-104 / 116, forward 126 / 136, radial
160 / 178; after the speed work of issue 14 (2026-11-30), aft 44.2 / 50.1 (3.1x / 2.4x
the 3-DOF loop), forward 63.3 / 74.1 (2.2x / 2.0x; the profile gained steps since),
radial 68.1 / 75.6 (1.6x / 1.4x). Old and new code run alternately in one window: aft
quiet 82.6-87.9 ms -> 44.9-46.7 ms. Where the time goes now (aft, per GNC step at
100 m, compiled harness): filter measurement updates (star tracker, camera attitude,
lidar, camera position) 6.2 us, bias covariance for the monitor 1.9 us, sensors 1.5 us,
both bodies' truth over a 1 s step 1.8 us, filter time update 1.1 us, position fix
0.6 us, separation 0.6 us, thruster selection 0.4 us; over the run, about 17 % is
the Python driver (planning, the result's astropy objects) and about 20 % small-array
allocation (malloc / numba's NRT) inside the loop. What made it 2x: no BLAS/LAPACK
calls from numba on 3 x 3 to 12 x 12 arrays (their per-call cost was the arithmetic
many times over), RK4 stages and filter updates without temporaries, the 12-state
covariance time update by blocks, the measurement update by Cholesky factor, the
homing planner's 401-point coast search in one compiled call, and the thruster
selection table built once per process.

Issue 16 (2026-11-30, shared machine under load, CPU ms per run, best of 7, old and new
code alternately in one window; quiet / noise): before, aft 41.9 / 47.8, forward 58.7 /
67.4, radial 61.3 / 69.3; after, aft 40.0 / 43.5, forward 56.2 / 57.6, radial 61.4 /
63.5 (the noisy runs are a different realisation now: aft has 2382 steps instead of
2209). The noise used to be drawn up front, (n_max + 2) x 45 standard normals per
kernel segment (582k / 914k / 898k per aft / forward / radial approach, 5.5 / 8.7 /
8-14 ms), n_max far above the steps flown; each step now draws in the compiled loop
only what it uses (~20 normals: the sensors in use, gyro, star tracker; 4 more for a
burn or CAM that fires), ~0.2-0.3 ms per approach. The first compilation of the loop
(cold cache, ``simulate_approach`` in one process, CPU, same window): 70.6 / 61.6 s ->
52.2 / 43.4 s (two rounds), 182 -> 136 compilations: the 70-field ``Cfg`` passed as one
float array, no array slice assignments or array expressions in compiled code,
``error_model="numpy"``, no literal specialisations.

Issue 16, allocation-free steps (2026-11-30, same script, CPU ms per run, best of 5;
8597cfe (before) and 2f01702 (after) alternated in one window, two rounds; quiet /
noise): aft 40.1-40.5 / 43.9-45.3 -> 22.1-22.4 / 25.0-25.4, forward 58.5-59.8 /
57.9-58.3 -> 31.8-33.5 / 32.9-35.9, radial 59.5-61.8 / 60.3-63.1 -> 34.2-34.6 /
35.7-36.0 (1.7-1.8x). Every result bit-identical (hash of all arrays, events and
contact figures of ten runs: three profiles quiet and noisy, two more seeds, a stuck
thruster, a navigation-bias abort). Allocations per GNC step (aft, quiet) 302 -> 86:
the filter's measurement and time updates in place on the estimate with work arrays
made once per segment (the public ``update_*`` / ``predict_navigation`` wrap the
in-place versions), the RK4 of both bodies in place, the quaternion algebra on
4-tuples of floats (``_quat.qmul4`` ...; the array functions are built on them), the
three position fixes a step with one work array, history rows zeroed as they are
recorded. The monitor's bias covariance (~2 us a step) is computed only when the
cross-check's outcome depends on it (it passes with ``P`` alone whenever it passes with
``P + B``). The driver: event epochs, final states and composite units made on first
use or once, the sensor suite's arrays once per process. Where the time goes now (aft,
perf): numba's reference counting (views and tuples of arrays passed between compiled
functions) ~14 %, the filter's update ~7 % and time update ~4 % (arithmetic), the
Python driver ~5 ms a run (planning, the result's Quantities, argument typing of the
ten ``run_segment`` calls). In the campaign (``bench_campaign.py``, 20 dispersed
samples, same two commits, loaded machine) the approach stage went 49.6 -> 35.7 ms a
sample (another pass, less loaded: 51.0 -> 24.5-32.7 ms, 19.7 -> 9.6-12.3 us a GNC
step): noisy samples compute the monitor's bias covariance more often. The first
compilation (cold cache, import and one ``simulate_approach``, CPU, before and after
alternated, two rounds): 40.0 / 41.0 s -> 43.2 / 40.8 s, 136 -> 144 compilations,
the same within the machine's noise. Inlining (numba ``inline="always"``) is what
costs: the scalar quaternion helpers inlined at every call site had made it 55 s, the
3 x 3 helpers inlined into the position fix 2 s more; they are compiled functions,
and ``_kf_update_into`` has an explicit signature (its ``m`` is a literal 3 or 6 at
the call sites: one copy per value otherwise).

Issue 16, reference counting (2026-11-30, 277e2f6 vs 01c3088, alternated in one
window, loaded shared machine, CPU): numba increments and decrements the reference
count of every array handed to a compiled or inlined function, per call (perf: ~28 %
of the compiled loop's samples are ``NRT_incref`` / ``NRT_decref``). The step now
hands each part only the arrays it reads (``Nav``, ``Att`` and the estimate unpacked
once per segment). Gain 3-7 %: this script, two rounds (quiet / noise), aft
24.7-23.8 / 27.8-26.9 -> 22.7 / 24.9 ms, forward 34.2-36.0 / 35.0-37.6 -> 33.8 /
33.9-35.1 ms, radial 45.3-48.5 / 38.8-45.7 -> 36.3-46.1 / 36.2-51.8 ms (the other
round of "after" ran beside another helper's job: this machine's noise is larger
than the change); best of 6 x 8 noisy runs, three rounds: aft 24.1-25.2 -> 22.8-24.4,
forward 35.9-38.2 -> 33.8-35.4 ms; the campaign's approach stage (20 dispersed
samples, ``bench_campaign``'s record path) 26.5 / 26.3 -> 24.9 / 26.1 ms a sample,
10.1-10.5 -> 9.9-10.1 us a GNC step, the Python driver 3.6-4.1 -> 3.2-3.9 ms.
Bit-identical (the same 10-case hash). The first compilation (cold cache, import and
one ``simulate_approach``, two rounds): 47.8 / 41.9 s -> 43.9 / 43.7 s, unchanged.
Tried and left out: ``_kf_update_into``'s covariance loop with ``c`` outermost
(independent chains across the row instead of one chain of ``m`` subtractions per
entry, bit-identical): 0.96-1.39 -> 1.78 us per 6-row update (loads and stores of
``p`` each time), reverted. What is left towards 15 ms a sample: the remaining
reference counting lives in the bundles the compiled parts take whole (the sensor
parameters and run errors, 5 + 5 arrays, into ``sample_sensors``, the filter's
7 work arrays through each of the 3-4 measurement updates a step, ``Seg``'s 6 arrays
into guidance): one flat array per bundle with index constants (as ``Cfg`` is)
would remove most of it; the filter's update arithmetic (~20 % of the loop) is
latency-bound chains the bits pin.

Issue 16, filter updates and entry points (2026-11-30, 6dffc63 vs 3049e71, alternated
in one window, shared machine at load 4-5, CPU). Where the references were counted:
numba increments and decrements every array argument on entry to a compiled function
whose control flow its pruning pass cannot follow, and every array bound to an
inlined function's argument; the work tuple (7, now 11 arrays) went through
``update_*`` -> ``_update_attitude/position_into`` -> ``_kf_apply`` for each of the
3-4 updates a step (the LLVM IR of ``_update_navigation_into`` had 87 increments and
134 decrements). Each update is now a measurement kernel (H, innovation, noise into
work arrays) plus ``_kf_update_h_into`` and ``_correct_into``, called from
``_update_navigation_into`` with the arrays they read; the position fixes, sensor
covariances and the camera attitude's quaternion algebra use the work arrays (85 ->
58 allocations a GNC step); ``_kf_update_h_into`` sums ``P H^T`` and ``H P H^T`` over
H's identity block and attitude sensitivity only and starts from ``P``'s upper
triangle (the filter keeps ``P`` exactly symmetric): the update went 9.7 -> 5.2 % of
the samples under perf, reference counting 11.4 -> 10.5 % (of a smaller total).
Removing the allocations alone (work arrays as views) gained nothing measurable: a
view costs a reference count too. Moving the loop's inlined parts (``_navigate``,
``_nav_predict``, ``_actuate`` ...) to compiled functions was slower (run_segment
19.7 -> 21.4 ms: their 10-20 array arguments passed by value), reverted. Results
bit-identical (the same 10-case hash). This script, two rounds each, CPU ms per run
(quiet / noise): aft 22.1-27.3 / 25.0-28.9 -> 21.6-23.8 / 22.9-27.0, forward
33.9-34.2 / 34.0 -> 33.6-33.8 / 32.7-34.3, radial 34.6-37.4 / 36.5-37.5 -> 33.6-36.0 /
35.0-35.8 (the machine's noise is as large as the change); aft noisy, seeds 0-7, best
of 5 x 5 alternated: run_segment 20.3 -> 18.8 ms, the approach 25.5 -> 23.7 ms; the
campaign's approach stage (``sample_record`` of 20 dispersed samples of the default
mission, best of 3, three rounds alternated): 24.9 / 25.7 / 25.7 -> 22.6 / 22.7 /
22.4 ms a sample, 11.4-11.8 -> 10.2-10.4 us a GNC step. The first compilation: the
private kernels no Python code calls (``_kernels._kernel``) and kernels of the 30
public functions only compiled code calls in a run (``_kernels._kernel_of``:
``_sample_sensors``, ``_transfer``, ``_fire`` ...) are compiled without numba's
Python wrapper and C callback (~0.08 s of a small kernel's ~0.2 s); the public
functions compile only when Python calls them. Cold cache, import and one
``simulate_approach``, CPU, alternated, two rounds at load ~4: 48.9 / 54.7 s -> 45.0 /
48.0 s (144 -> 164 compilation events: numba's own ``np.empty`` / ``zeros`` / ``max``
overloads compile once more for the wrapper-less flag set); the steps alone:
0e7b828 -> 8b7fb16 49.8 -> 40.6 s, 8b7fb16 -> 3049e71 45.4 / 43.3 -> 38.0 / 42.2 s.

What is left (aft, perf of 3049e71): reference counting ~10 % (the loop's inlined
parts bind 10-20 arrays each, ``sample_sensors`` takes the two 5-array bundles, the
plant step 16 arrays), the Python driver ~4-5 ms a run spread over a hundred small
things (planning, the parameter bundles, the result's Quantities, event decoding:
none above 0.5 ms), the filter's time update ~3 % and update ~5 %, the truth's
acceleration ~3 %. The first compilation is ~150 compiled functions at ~0.1-0.3 s
each plus ``run_segment`` (~11 s with its inlined parts): getting to 15 s needs far
fewer compiled functions (numba links and re-optimises every callee's module into
each caller's).

Issue 16, the sensor bundles (2026-11-30, 26b4d5e vs 674b4b9, alternated in one
window, CPU): the loop's sensors read one flat array (``sensors._flat_params``:
``SensorParams`` and ``RunErrors``, 5 + 5 arrays, at offsets ``SF_*``, made once per
approach), each sensor's arithmetic a ``_*_into`` function reading at offsets (no
views, no per-sensor arrays bound); the public ``measure_*`` / ``sample_sensors``
keep their signatures. One sensor sample: 511-516 -> 424-435 ns at 100 m, 398-414 ->
293-304 ns at 5 km; aft noisy, seeds 0-7, best of 5, 7 rounds: run_segment min 17.35
-> 16.98 ms, median 17.69 -> 17.25 ms; this script (two rounds, quiet / noise):
forward 30.3-30.7 / 30.9-31.6 -> 29.2 / 30.0-30.3, radial 32.1-32.4 / 33.2-33.7 ->
31.5-31.9 / 32.4-32.9 ms (aft within the machine's noise). Bit-identical (the same
10-case hash). Tried and left out: one array for parameters and errors also in the
public ``measure_*`` (no second array bound per sensor): no change (417-421 ns). A
standalone prototype writing the samples in the kernel itself (no ``z`` arrays bound
to inlined functions) reached ~380 ns: ~35 ns a step more, not worth the duplicated
arithmetic. What is left of the bundles: ``sp`` still goes whole to the filter's
update, position fix and bias covariance (``navigation.py`` reads ``sp.gnss`` ...),
the plant step's 16 arrays, the filter's work tuple.

Issue 16, the plant step (2026-11-30, 807216f; clean copies of b4b43f8 and 807216f
alternated, CPU, aft noisy seeds 0-7, best of 5): ``loop._propagate`` (16 arrays) and
the two RK4 steps (``_kernels._rk4_into``, ``bodies._rk4_into``) inlined;
``_nav_predict`` calls ``sensors._gyro_into`` on the flat sensor array. run_segment
min 17.19 / 16.90 / 17.07 -> 16.34 / 16.26 / 16.45 ms (rounds of 4, 8, 10; one round
of 6 at a higher load showed no difference), bit-identical, cold compile unchanged
within noise (10-case hash run 44.5 -> 43.2 s CPU). Tried and left out: inlining the
RK4 stages too (``_rhs``, ``_accel``, the station's torque; eee740e): no gain over 8
rounds, cold compile 45-48 s; the monitor's cross-check selecting on the flat array
(2f06d79, a rarely taken branch): run_segment 0.5 ms slower over 10 rounds, presumably
LLVM optimising ``run_segment`` differently. Differences of 3 % are at this machine's
noise: alternate clean copies over 8-10 rounds before believing one. What is left:
``sp`` whole to the filter's update, position fix and bias covariance, the filter's
work tuple (``ws``) to its update every step, the three ``propagate_*_ws`` kernels
(20 arrays a plant step).

Issue 16, steps without allocation or reference counting (2026-11-30, 6909fa6 ->
6b98c11, d907f02, e55bbbb, 392d0ec; clean copies alternated in the same minutes, CPU,
load 2-3).
Measured first: 56.4 numba (NRT) allocations per GNC step (``NUMBA_NRT_STATS``, the
default mission), ``NRT_incref`` / ``NRT_decref`` 14.7 % and NRT allocation and
``malloc`` / ``free`` ~6 % of a perf profile of replayed default-mission approaches.
What changed: (1) the private kernels that allocate nothing and return no array are
compiled without reference counting (``_kernels._leaf``, numba ``_nrt=False``: the
filter's measurement and time updates, the truth's RK4 right-hand sides ...); (2) the
loop's steps are one such kernel, ``loop.run_segment``, called from Python by
``loop.fly_segment``, which makes the segment's arrays (history, events, work arrays,
copies of the states); every part the step calls writes into arrays it is given
(``_to_lvlh_into``, ``_sample_flat_into``, ``_reference_into``, ``_fire_into``,
``_execute_into``, in-place propagators, the contact search keeping its sub-step's start
states ...), by the same operations in the same order; the rare branches that allocate
(a transfer's burn steps, the CAM, the cross-check's bias covariance, the contact
figures) are kernels with reference counting of their own (``_kernels._kernel_alloc``:
numba otherwise compiles a callee with its caller's flag); the generator goes in as
``gen.bit_generator`` (numba's unboxed ``Generator`` holds a reference only reference
counting releases; ``random_standard_normal(bit_generator)`` is what numba's
``Generator.standard_normal()`` draws); (3) the filter's measurement update with ``m``
and ``n`` constants (``_kf_update_3`` / ``_6``) and 3 x 3 products with fixed loops;
(4) the filter's CW transition and attitude process noise made again only when ``dt``
changes (a segment's steps share them; 392d0ec: the loop 9.0-9.3 -> 8.9-9.2 ms).
Allocations per GNC step 56.4 -> 0.1 (default mission; aft noisy 3.0: its monitor
computes the bias covariance more often), reference counting gone from the profile.
Default-mission approach (the arguments of ``simulate_approach`` captured from the
nominal run and 8 dispersed campaign samples, replayed; best of 5, three rounds of
6909fa6 and 392d0ec): 19.8-20.6 -> 11.2-11.8 ms CPU, the loop 17.0-17.4 -> 8.8-8.9 ms
(9.0-9.4 -> 5.1-5.4 us a GNC step with the driver); this script (quiet / noise, two rounds): aft
20.1-20.2 / 21.6-21.7 -> 12.0-12.1 / 12.7-12.9, forward 29.1-29.2 / 29.9-30.4 ->
17.1-17.3 / 17.9-18.1, radial 31.2-31.3 / 32.3-34.4 -> 19.3-19.6 / 19.6-20.4 ms.
Bit-identical: the hash of every array, event epoch, contact figure and end state of
the ten cases used since 6dffc63 (TOTAL 61d233fd...) and of the ten default-mission
approaches (feb7b5e4...), each change with a fresh ``NUMBA_CACHE_DIR``. The first
compilation (fresh cache, import and one aft noisy ``simulate_approach``, CPU):
42.1 / 42.5 / 42.6 s -> 42.0 / 42.4 s, 121 -> 120 compiled functions. On the way: a thin
allocating ``run_segment`` calling the ``_nrt=False`` steps (d907f02) made numba link
and generate the steps' whole code a second time (48.8 / 49.9 s), hence the
allocation in Python. In the campaign (``bench_campaign.py 40``, copies of 6909fa6 and
e55bbbb, one run each) the 6-DOF approach stage went 20.8 -> 11.3 ms a sample. Tried
and left out: each table group's smallest impulse made once
per process instead of per selection (no measurable change). What is left: the
Python driver ~2.5-3 ms an approach (the segments' arrays and ``Seg`` tuples, the
parameter bundles, the result's Quantities and events: nothing above ~0.3 ms); in the
steps the filter's measurement update (~20 % of the compiled time) and time update
(~15 %) are arithmetic whose order the bits pin; the bias covariance of noisy aft
runs (~15 allocations a call) could go into work arrays too.

Issue 16, the Python driver (2026-11-30, 57f1d0f, f94e758, 9212f55, 4b3b332 against a
clean copy of fb2ced2, alternated in the same minutes, CPU, load 2.4-3.2). Measured
on 30 default-mission campaign approaches (``simulate_approach``'s arguments captured
from ``montecarlo.sample_record``, seed 1, samples 0-29, replayed with the registry's
vehicle objects as a campaign passes them; best of 7): before, 10.7-11.9 ms an
approach, ``run_segment`` 8.5-8.8 ms, the rest (Python) 2.2-2.9 ms. cProfile and
line_profiler inflate small Python calls several times over; a sampling profiler
(py-spy) put the largest items at the result's 16 history Quantities (~0.8 ms), the
hand-over epoch check (an astropy Time subtraction, ~0.3 ms), the attitude and
thruster parameters (~0.3 ms), astropy's ``value * unit`` (``UnitBase.__rmul__`` runs
``from .quantity import Quantity`` at every call: 25-35 us each, eight an approach)
and ``np.cross`` (~15 us a call of array handling). What changed: (1) the result's
history fields are made from the segments' history rows when first read
(``result._LazyApproachResult``; pickled, copied or replaced it is a complete
``ApproachResult``); a campaign's record reads ``r_true`` only; (2) the epoch check
skips the subtraction when chaser and station share one ``Time``; (3) the docked
attitude, ports, inertias and minimum impulse of a pair of vehicles once per process
(``simulate._vehicle_parts``, keyed on the vehicle objects' identity: an equal vehicle
that differs in the sign of a zero is another key), the station's hold quaternion per
float64 bits of its angles (``_q_from_rpy_bits``), default configurations once
(``_default``); each approach copies the arrays; (4) Quantities as
``u.Quantity(value, unit)``, ``np.cross`` written out with its operations, the
segments' |dv| in one pass (``_segment_reports``); (5) in the compiled part, each
thruster group's smallest pulse made once per table (``thrusters.group_minimums``)
instead of searched at every selection: ``run_segment`` 8.52-8.75 -> 8.22-8.66 ms,
lower in 8 of 8 alternated rounds by 0.09-0.34 ms (median ~0.2 ms, ~2 %; the earlier
"no measurable change" of this idea was a shorter comparison). After (four rounds):
9.58-9.81 ms an approach (before 10.73-11.21 in the same rounds), ``run_segment``
8.33-8.41 (8.57-8.79), the rest 1.25-1.40 ms (2.14-2.57): the Python side ~1.0 ms
less, the approach ~1.2-1.4 ms less. In the campaign (``bench_campaign.py 40``, three
runs of each alternated; the other helpers' phasing work is in the "after" tree too)
the 6-DOF approach stage went 11.4 / 12.2 / 12.7 -> 10.3 / 10.8 / 10.7 ms a sample.
Bit-identical: the 10-case hash (TOTAL 61d233fd...) and the 10 default-mission
approaches (feb7b5e4...) with a fresh ``NUMBA_CACHE_DIR`` after the compiled change
(that cold run, compilation included: 38.4 s user, as before), and the 30 samples'
campaign records (two also against ``Mission.run``). Not reached:
the 1.5 ms the Python side was to lose. What is left of it (~1.3 ms, nothing above
~0.2 ms): numba types the bit generator in Python and unboxes it with three
``ctypes.cast`` calls at each of the ~7 ``run_segment`` calls (~25 us each); the
segments' arrays (~25 a call) and ``Seg`` tuples; the per-sample draws and parameter
arrays of ``_build_att`` / ``_build_nav`` (execution errors, the true inertia and its
inverse, the sensors' run errors, the filter parameters, which depend on the sample);
the events (~0.1 ms); the frame conversions of the hand-over states. The Python that
runs right after a ``run_segment`` call is slower in place than timed alone (cold
caches after ~1 ms of compiled code): timeit figures understate it.

Run: ``python benchmarks/bench_docking.py``.
"""

from __future__ import annotations

import time

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim import State
from qingzhou_sim.constants import R_EARTH_KM
from qingzhou_sim.docking import simulate_approach


def cpu_best_of(fn, repeat: int = 5) -> tuple[float, object]:
    out = fn()  # warm-up: numba compilation / cache load
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def main() -> dict:
    station = State.from_elements(
        Time("2026-05-01T00:00:00", scale="utc"), a=(R_EARTH_KM + 390.0) * u.km, inc=41.5 * u.deg
    )
    rows = {}
    for profile in ("aft", "forward", "radial"):
        for noise in (False, True):
            cpu, res = cpu_best_of(
                lambda p=profile, z=noise: simulate_approach(station, profile=p, noise=z, seed=1)
            )
            hours = res.duration.to_value(u.h)
            rows[(profile, noise)] = (cpu, hours, res.docked, len(res.t_s), res.total_dv.value)
    # peer: truth plant only, over the aft profile's duration
    from qingzhou_sim.constants import EARTH
    from qingzhou_sim.docking import (
        ContactLimits,
        NavigationConfig,
        PlantConfig,
        SafetyConfig,
        ThrusterConfig,
    )
    from qingzhou_sim.docking import _kernels as K
    from qingzhou_sim.docking.profiles import get_approach_profile
    from qingzhou_sim.docking.simulate import _build_cfg

    n = np.sqrt(EARTH.mu_km3_s2 / (R_EARTH_KM + 390.0) ** 3)
    cfg, _ = _build_cfg(
        n,
        get_approach_profile("aft"),
        NavigationConfig(),
        False,
        ThrusterConfig(),
        PlantConfig(),
        SafetyConfig(),
        ContactLimits(),
        EARTH,
    )
    st = station.rv_km
    ch = st + np.array([1.0, 0, 0, 0, 0, 0])
    dur = rows[("aft", False)][1] * 3600.0
    cpu_plant, _ = cpu_best_of(lambda: K.propagate_truth(st, ch, dur, 5000.0, cfg.array()))
    # peers of the 6-DOF parts over the aft run: attitude truth of both bodies (10 s
    # RK4 steps, the AttitudeConfig default) and one thruster selection per GNC step
    from qingzhou_sim.docking import bodies as B
    from qingzhou_sim.docking import thrusters as T

    inertia = np.diag([6806.0, 30070.0, 30070.0])
    inv = np.linalg.inv(inertia)
    x0 = B.initial_state(np.array([1.0, 0, 0, 0]), np.zeros(3), n)
    cpu_att, _ = cpu_best_of(
        lambda: B.propagate_attitude(x0, 2 * dur, 10.0, inertia, inv, n, 3 * n * n, np.zeros(3))
    )
    pos, dirs, thrust = T.qingzhou_rcs_layout()
    b = T.effectiveness(pos, dirs, np.ones(len(pos)), np.zeros(3))
    table = T.selection_table(b)
    steps = rows[("aft", False)][3]
    w = np.array([40.0, 10.0, -20.0, 50.0, 90.0, -90.0])

    def select_all():
        for _ in range(steps):
            T.select(table, w, thrust * 10.0, 12.5, 0.05)

    cpu_sel, _ = cpu_best_of(select_all)

    print(
        f"{'profile':<8} {'noise':<6} {'CPU/run ms':>11} {'sim h':>6} {'CPU ms/sim h':>13} "
        f"{'steps':>6} {'dv m/s':>7} docked"
    )
    for (profile, noise), (cpu, hours, docked, steps, dv) in rows.items():
        print(
            f"{profile:<8} {str(noise):<6} {cpu * 1e3:11.1f} {hours:6.2f} {cpu * 1e3 / hours:13.2f} "
            f"{steps:6d} {dv:7.2f} {docked}"
        )
    print(f"peer: truth plant alone (aft duration, 10 s RK4 steps): {cpu_plant * 1e3:.1f} ms CPU")
    print(
        f"peer: attitude truth of both bodies alone (aft duration, 10 s RK4): "
        f"{cpu_att * 1e3:.1f} ms CPU; thruster selection x {steps} steps (from Python, "
        f"call overhead included): {cpu_sel * 1e3:.1f} ms CPU"
    )
    return {f"{p}/{'noise' if z else 'quiet'}": v[0] for (p, z), v in rows.items()}


if __name__ == "__main__":
    main()
