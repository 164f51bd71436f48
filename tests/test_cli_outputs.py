"""The files ``MissionResult.save`` writes (what ``qingzhou-sim run`` leaves in its output
folder): the CSV tables are written without pandas and must stay byte for byte what
``pandas.DataFrame.to_csv`` wrote before (issue 16 item 3)."""

import math

import pandas as pd
import pytest

import qingzhou_sim as qz
from qingzhou_sim.mission.result import _ISO_Z, FIGURES, _csv_text


@pytest.fixture(scope="module")
def result():
    return qz.Mission.default().run()


def test_timeline_and_budget_csv_are_pandas_to_csv(result):
    assert result._timeline_csv() == result.timeline().to_csv(index=False, date_format=_ISO_Z)
    assert result._budget_csv() == result.budget().to_csv(index=False, date_format=_ISO_Z)


def test_csv_columns_are_typed_as_pandas_types_them():
    # ints beside floats or a missing value become float64 ("5.0"), NaN and None empty
    # fields, text with a comma or a quote is quoted, booleans are True/False
    rows = [
        {"a": 5, "b": 1, "c": "x, y", "d": True, "e": None, "f": 0.1 + 0.2},
        {"a": 2.5, "b": None, "c": 'say "hi"', "d": False, "e": "z", "f": math.nan},
        {"a": 7, "b": 3, "c": "plain", "d": True, "e": None, "f": 1e-20},
    ]
    assert _csv_text(rows, {}) == pd.DataFrame(rows).to_csv(index=False)
    assert _csv_text([], {}) == pd.DataFrame([]).to_csv(index=False)


def test_save_writes_every_file_and_figure(result, tmp_path):
    paths = result.save(tmp_path)
    names = sorted(p.name for p in paths.values())
    expected = {f"{stem}.png" for stem, _ in FIGURES} | {
        "summary.json",
        "summary.txt",
        "timeline.csv",
        "budget.csv",
        "chaser.oem",
        "station.oem",
        "mission.czml",
    }
    assert set(names) == expected
    for path in paths.values():
        assert path.stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
