"""The mission catalogue flown end to end against the flights' published times.

Each file in ``examples/missions/`` holds a flight's real liftoff and its published
docking time (``[flown]``, with sources). Here the whole simulation flies it: Kinetica-2
ascent, the station's pre-launch phasing, the closed-loop phasing flight and the
six-degree-of-freedom approach to first contact. Issue 15 asks for liftoff-to-contact
within 5 minutes of the flown time (two-day scheme: 1 hour). The flown times are
published to the minute (CMSA via Xinhua; see each file's ``source``), so 5 min is the
resolution of the claim, not of the data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from astropy.time import Time

import qingzhou_sim as qz

CATALOGUE = Path(__file__).resolve().parents[2] / "examples" / "missions"
FIVE_MIN_S = 300.0  # issue 15
ONE_HOUR_S = 3600.0  # issue 15, two-day scheme

FLIGHTS = [
    pytest.param("tianzhou-5", FIVE_MIN_S, id="tianzhou-5 (2-hour, aft)"),
    pytest.param("tianzhou-7", FIVE_MIN_S, id="tianzhou-7 (3-hour, aft)"),
    pytest.param("shenzhou-21", FIVE_MIN_S, id="shenzhou-21 (3.5-hour, forward)"),
    pytest.param("shenzhou-12", FIVE_MIN_S, id="shenzhou-12 (6.5-hour, forward)"),
    pytest.param(
        "shenzhou-8",
        ONE_HOUR_S,
        id="shenzhou-8 (two-day)",
        marks=pytest.mark.xfail(
            strict=True,
            reason="the burns on revolutions 19 and 24 and the 400/140/30 m holds of "
            "Shenzhou-8 are not modelled: the classic profile docks about 2 h late",
        ),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "tolerance_s"), FLIGHTS)
def test_liftoff_to_contact_matches_the_flight(name, tolerance_s):
    mission = qz.Mission.from_toml(CATALOGUE / f"{name}.toml")
    flown_s = (Time(mission.flown["docking"]) - Time(mission.flown["liftoff"])).sec
    result = mission.run()
    assert result.docked
    contact_s = result.event("contact").elapsed_s
    assert abs(contact_s - flown_s) < tolerance_s, (contact_s / 3600, flown_s / 3600)
