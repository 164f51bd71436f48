"""The launch search's phase-angle windows with compiled Lambert searches (issue 16
item 3): the same delta-v values, the same cheapest phase and the same window edges, to
the last bit, as the Lambert search of ``phasing.lambert`` run from Python (its grid,
revolution bounds and Nelder-Mead refinement; both sides solve each cell with
``lambert._lambert_cell``), which they replace in ``phasing.profiles._lambert_window``.
The fused sum of squares is checked against exact rational arithmetic and numpy's."""

from __future__ import annotations

from fractions import Fraction

import astropy.units as u
import numpy as np
import pytest
from phasing_scenario import CHASER, station_at

from qingzhou_sim.phasing import PROFILES, phase_angle_windows
from qingzhou_sim.phasing import profiles as profiles_module
from qingzhou_sim.phasing.profiles import (
    _lambert_dv,
    _lambert_grid_min,
    _lambert_refined_dv,
    _setup,
    _shift_station,
    _window_dynamics,
)

LAMBERT_PROFILES = [name for name, p in PROFILES.items() if p.strategy != "coelliptic"]
# Relative agreement of two sums of the same squares rounded differently (numpy's BLAS
# without fused multiply-adds): a few units of double rounding.
SUM_ORDER_RTOL = 1e-14


def _fused_sum_of_squares(d) -> float:
    """d0^2 + d1^2 + d2^2 by fused multiply-adds in order, exactly rounded."""
    acc = float(Fraction(d[0]) ** 2)
    for x in d[1:]:
        acc = float(Fraction(x) ** 2 + Fraction(acc))
    return acc


# The compiled searches add squares as numpy's BLAS does on x86-64 with FMA (OpenBLAS's
# ddot); where numpy adds them otherwise, the values agree to SUM_ORDER_RTOL instead.
_PROBES = np.random.default_rng(16).normal(size=(200, 3))
NUMPY_DOT_FUSED = all(float(d @ d) == _fused_sum_of_squares(d) for d in _PROBES)
needs_fused_numpy_dot = pytest.mark.skipif(
    not NUMPY_DOT_FUSED, reason="numpy's dot does not add by fused multiply-adds here"
)


def _problem(name: str, phase_deg: float):
    prof = PROFILES[name]
    pb = _setup(
        CHASER,
        station_at(phase_deg),
        prof.handover_time,
        prof.handover_r_lvlh,
        prof.handover_v_lvlh,
        None,
        _window_dynamics(None),
    )
    return pb, prof


def _stations(pb, step_deg: float):
    phases = np.deg2rad(np.arange(0.0, 360.0, step_deg))
    return np.array([_shift_station(pb.dyn.mu, pb.station_rv0, p, pb.n_station) for p in phases])


def _python_dv(pb, prof, srv, **kw):
    try:
        return _lambert_dv(pb, prof, srv, **kw)
    except profiles_module.InfeasiblePlanError:
        return np.inf


def _python_grid_min(pb, prof, station_rv0s, n_grid):
    """The coarse scan as it was: one unrefined Python Lambert search per phase."""
    return np.array([_python_dv(pb, prof, s, grid=n_grid, refine=False) for s in station_rv0s])


def _python_refined_dv(pb, prof, srv, n_grid=12):
    return _python_dv(pb, prof, srv, grid=n_grid)


def _assert_same_values(compiled, python):
    np.testing.assert_array_equal(np.isinf(compiled), np.isinf(python))
    finite = np.isfinite(python)
    assert finite.sum() > len(python) // 2  # most phases have a transfer
    if NUMPY_DOT_FUSED:
        np.testing.assert_array_equal(compiled[finite], python[finite])
    else:
        np.testing.assert_allclose(compiled[finite], python[finite], rtol=SUM_ORDER_RTOL)


def test_fused_reference_rounds_once():
    # 0.1^2 + 0.2^2 + 0.2^2 = 0.09 + tiny representation errors: rounding each product
    # and sum separately ends one unit in the last place higher than rounding the fused
    # multiply-adds (values from exact rational arithmetic)
    assert _fused_sum_of_squares([0.1, 0.2, 0.2]) == 0.09000000000000001
    assert (0.1 * 0.1 + 0.2 * 0.2) + 0.2 * 0.2 == 0.09000000000000002


@pytest.mark.parametrize("name", LAMBERT_PROFILES)
def test_compiled_grid_matches_python_search(name):
    pb, prof = _problem(name, 20.0)
    stations = _stations(pb, 15.0)
    compiled = _lambert_grid_min(pb, prof, stations, 8)
    python = _python_grid_min(pb, prof, stations, 8)
    _assert_same_values(compiled, python)
    assert np.argmin(compiled) == np.argmin(python)


@pytest.mark.parametrize("name", LAMBERT_PROFILES)
def test_compiled_refined_search_matches_python_search(name):
    pb, prof = _problem(name, 100.0)
    stations = _stations(pb, 30.0)
    compiled = np.array([_lambert_refined_dv(pb, prof, s) for s in stations])
    python = np.array([_python_refined_dv(pb, prof, s) for s in stations])
    _assert_same_values(compiled, python)


@needs_fused_numpy_dot
@pytest.mark.parametrize("phase_deg", [0.0, 40.0, 200.0])
def test_windows_identical_to_python_searches(monkeypatch, phase_deg):
    station = station_at(phase_deg)
    compiled = phase_angle_windows(CHASER, station, profiles=LAMBERT_PROFILES)
    monkeypatch.setattr(profiles_module, "_lambert_grid_min", _python_grid_min)
    monkeypatch.setattr(profiles_module, "_lambert_refined_dv", _python_refined_dv)
    python = phase_angle_windows(CHASER, station, profiles=LAMBERT_PROFILES)
    for name in LAMBERT_PROFILES:
        for edge in ("lo", "hi"):
            a = getattr(compiled[name], edge).to_value(u.deg)
            b = getattr(python[name], edge).to_value(u.deg)
            assert np.array_equal(a, b, equal_nan=True), (name, edge, a, b)
