"""The launch search's phase-angle windows with the compiled coarse scan (issue 16 item
3): the same cheapest phase and the same window edges, to the last bit, as the
Lambert search of ``phasing.lambert`` run from Python, which the scan replaces."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from phasing_scenario import CHASER, station_at

from qingzhou_sim.phasing import PROFILES, phase_angle_windows
from qingzhou_sim.phasing import profiles as profiles_module
from qingzhou_sim.phasing.profiles import (
    _lambert_dv,
    _lambert_grid_min,
    _setup,
    _shift_station,
    _window_dynamics,
)

# Relative agreement of two sums of the same squares added in different orders (the
# search adds them with BLAS): a few units of double rounding.
SUM_ORDER_RTOL = 1e-14
LAMBERT_PROFILES = [name for name, p in PROFILES.items() if p.strategy != "coelliptic"]


def _problem(name: str, phase_deg: float):
    prof = PROFILES[name]
    return (
        _setup(
            CHASER,
            station_at(phase_deg),
            prof.handover_time,
            prof.handover_r_lvlh,
            prof.handover_v_lvlh,
            None,
            _window_dynamics(None),
        ),
        prof,
    )


def _python_grid_min(pb, prof, station_rv0s, n_grid):
    """The coarse scan as it was: one unrefined Python Lambert search per phase."""
    out = []
    for srv in station_rv0s:
        try:
            out.append(_lambert_dv(pb, prof, srv, grid=n_grid, refine=False))
        except profiles_module.InfeasiblePlanError:
            out.append(np.inf)
    return np.array(out)


@pytest.mark.parametrize("name", LAMBERT_PROFILES)
def test_compiled_grid_matches_python_search(name):
    pb, prof = _problem(name, 20.0)
    phases = np.deg2rad(np.arange(0.0, 360.0, 15.0))
    stations = np.array(
        [_shift_station(pb.dyn.mu, pb.station_rv0, p, pb.n_station) for p in phases]
    )
    compiled = _lambert_grid_min(pb, prof, stations, 8)
    python = _python_grid_min(pb, prof, stations, 8)
    np.testing.assert_array_equal(np.isinf(compiled), np.isinf(python))
    finite = np.isfinite(python)
    assert finite.sum() > len(phases) // 2  # most phases have a transfer
    np.testing.assert_allclose(compiled[finite], python[finite], rtol=SUM_ORDER_RTOL, atol=0)
    assert np.argmin(compiled) == np.argmin(python)


@pytest.mark.parametrize("phase_deg", [0.0, 40.0, 200.0])
def test_windows_identical_to_python_coarse_scan(monkeypatch, phase_deg):
    station = station_at(phase_deg)
    compiled = phase_angle_windows(CHASER, station, profiles=LAMBERT_PROFILES)
    monkeypatch.setattr(profiles_module, "_lambert_grid_min", _python_grid_min)
    python = phase_angle_windows(CHASER, station, profiles=LAMBERT_PROFILES)
    for name in LAMBERT_PROFILES:
        for edge in ("lo", "hi"):
            a = getattr(compiled[name], edge).to_value(u.deg)
            b = getattr(python[name], edge).to_value(u.deg)
            assert np.array_equal(a, b, equal_nan=True), (name, edge, a, b)
