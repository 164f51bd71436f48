"""Integrator choice: optional backends fail clearly; the Runge-Kutta-Nystrom pair."""

from __future__ import annotations

import sys

import pytest

from qingzhou_sim.errors import InputError
from qingzhou_sim.forces import ForceModel, ZonalGravity
from qingzhou_sim.propagator import Propagator


def test_taylor_without_heyoka_is_a_clear_input_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "heyoka", None)  # "import heyoka" now fails
    with pytest.raises(InputError, match=r"needs heyoka: pip install"):
        Propagator(ForceModel(gravity=ZonalGravity(2)), method="taylor")
