"""Propagator edge cases (issue 13): zero length, burns at the end, unbounded sizes,
NaN force parameters, bad settings. Each must give a result or a library error, never a
raw exception or a hang."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from qingzhou_sim.errors import InputError, PropagationError
from qingzhou_sim.forces import P_J2, ForceModel
from qingzhou_sim.maneuvers import Burn
from qingzhou_sim.propagator import Propagator, propagate_batch
from qingzhou_sim.propagator._dop853 import _OK
from qingzhou_sim.propagator._kernels import (
    _batch_final_ensemble,
    _propagate_rv_dop853,
    _propagate_rv_kernel,
)
from qingzhou_sim.state import State, StateBatch

EPOCH = Time("2026-01-01T00:00:00", scale="utc")
STATION = State.from_elements(EPOCH, a=6768.137 * u.km, inc=41.47 * u.deg)


@pytest.mark.parametrize("method", ["dop853", "kepler", "rk4"])
@pytest.mark.parametrize("to", [0 * u.s, EPOCH])
def test_zero_length_propagation_returns_the_initial_state(method, to):
    traj = Propagator(method=method).propagate(STATION, to)
    assert traj.status == "success"
    np.testing.assert_array_equal(traj.final_state.rv_km, STATION.rv_km)
    assert traj.final_state.epoch == EPOCH


def test_zero_length_propagation_with_a_burn_applies_it():
    burn = Burn(EPOCH, dv=[1.0, 0.0, 0.0] * u.m / u.s, frame="LVLH", label="now")
    traj = Propagator().propagate(STATION, 0 * u.s, burns=[burn])
    dv = np.linalg.norm(traj.final_state.v_km_s - STATION.v_km_s)
    assert dv == pytest.approx(1e-3, rel=1e-12)


def test_burn_at_the_end_by_a_sum_of_durations_is_accepted():
    # 0.1 h + 0.2 h != 0.3 h in floating point: the burn is at the end, not outside.
    burn = Burn(EPOCH + 0.1 * u.h + 0.2 * u.h, dv=[1.0, 0, 0] * u.m / u.s, frame="LVLH")
    traj = Propagator().propagate(STATION, 0.3 * u.h, burns=[burn])
    assert traj.status == "success" and len(traj.burns) == 1
    coast = Propagator().propagate(STATION, 0.3 * u.h)
    dv = np.linalg.norm(traj.final_state.v_km_s - coast.final_state.v_km_s)
    assert dv == pytest.approx(1e-3, rel=1e-6)


def test_burn_a_second_outside_the_span_is_still_rejected():
    burn = Burn(EPOCH + 1 * u.h + 1 * u.s, dv=[1.0, 0, 0] * u.m / u.s, frame="LVLH")
    with pytest.raises(InputError, match="outside the propagation span"):
        Propagator().propagate(STATION, 1 * u.h, burns=[burn])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_force_parameters_stop_the_compiled_loops(bad):
    # EarthModel rejects them at construction; the kernels must stop anyway (they were
    # reported to loop forever), with a failure status.
    p = ForceModel.default().build(2461000.5)
    p[P_J2] = bad
    y0 = STATION.rv_km
    *_, st = _propagate_rv_kernel(
        0, y0, np.array([86400.0]), np.zeros(0), np.zeros((0, 3)), p, 1e-10, 1e-10, 10.0,
        1_000_000, 6478.0,
    )  # fmt: skip
    assert st != _OK
    *_, st = _propagate_rv_dop853(
        y0, np.array([86400.0]), np.zeros(0), np.zeros((0, 3)), p, 1e-10, 1e-10, 1_000_000,
        6478.0,
    )  # fmt: skip
    assert st != _OK
    status = _batch_final_ensemble(np.tile(y0, (3, 1)), 86400.0, p, 1e-9, 1e-9, 10_000, 6478.0)[2]
    assert np.all(status != _OK)


def test_output_step_is_bounded_with_the_bound_in_the_message():
    with pytest.raises(InputError, match=r"at most 1,000,000 per output.*output_step >="):
        Propagator().propagate(STATION, 1 * u.day, output_step=1e-9 * u.s)
    batch = StateBatch.from_vectors(
        EPOCH, np.tile(STATION.r_km, (1000, 1)), np.tile(STATION.v_km_s, (1000, 1))
    )
    with pytest.raises(InputError, match="50,000,000 states"):
        propagate_batch(batch, 1 * u.day, output="history", output_step=1 * u.s)
    with pytest.raises(InputError, match="must be positive"):
        Propagator().propagate(STATION, 1 * u.h, output_step=-1 * u.s)


def test_rk4_step_count_is_bounded():
    with pytest.raises(PropagationError, match="max_steps"):
        Propagator(method="rk4", step_s=1e-6).propagate(STATION, 1 * u.day)


@pytest.mark.parametrize(
    "kw",
    [
        {"rtol": np.nan},
        {"atol": -1.0},
        {"atol": np.inf},
        {"rtol": True},
        {"rtol": "1e-9"},
        {"max_steps": np.nan},
        {"max_steps": 0},
        {"step_s": 0.0},
    ],
)
def test_bad_settings_raise_input_error(kw):
    with pytest.raises(InputError, match=next(iter(kw))):
        Propagator(**kw)


def test_max_steps_gives_a_propagation_error_with_the_last_epoch():
    with pytest.raises(PropagationError, match="maximum number of steps") as info:
        Propagator(max_steps=5).propagate(STATION, 1 * u.day)
    assert EPOCH < info.value.last_epoch < EPOCH + 1 * u.day


def test_parallel_batches_use_only_the_free_cores(monkeypatch):
    import os

    import numba

    from qingzhou_sim.propagator import core

    n_cpu = len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # this process alone
    assert core._free_cores() == n_cpu
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0 + n_cpu, 0.0, 0.0))  # all busy
    assert core._free_cores() == 1
    with core._threads(True):
        assert numba.get_num_threads() == 1
    with core._threads(False):
        assert numba.get_num_threads() == 1
