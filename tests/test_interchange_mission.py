"""The files of ``MissionResult.save`` read by other tools: every OEM parsed by the
``oem`` package (states checked against the ephemerides), the CZML loaded by ``czml3``
(clock, both vehicles, positions checked against the ephemerides), and the tables as
pandas DataFrames with UTC datetime columns."""

import astropy.units as u
import numpy as np
import pandas as pd
import pytest
from astropy.time import Time
from czml3 import Document
from oem import OrbitEphemerisMessage

from qingzhou_sim.mission import Mission

# write_oem prints km with 9 decimals; the printed epoch is within 0.5 us of the
# ephemeris epoch, and the state is moved there (|v| 7.7 km/s x 0.5 us = 3.9 mm)
R_PRINT = 0.5e-9  # km
EPOCH_SHIFT_KM = 7.8 * 0.5e-6  # km
MM = 1e-6  # km


@pytest.fixture(scope="module")
def result():
    return Mission.default().run(progress=False)


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    return result.save(tmp_path_factory.mktemp("mission"), figures=False)


def _nearest(eph, epoch) -> int:
    return int(np.argmin(np.abs((eph.epochs - epoch).to_value(u.s))))


@pytest.mark.parametrize("key", ["chaser_oem", "station_oem"])
def test_every_oem_parses_with_the_oem_package_and_matches_the_ephemeris(result, saved, key):
    eph = result.chaser if key == "chaser_oem" else result.station
    parsed = OrbitEphemerisMessage.open(saved[key])
    assert parsed.version == "3.0"
    segments = list(parsed.segments)
    n = 0
    for seg in segments:
        assert seg.metadata["REF_FRAME"] == "GCRF"
        assert seg.metadata["CENTER_NAME"] == "EARTH"
        for st in seg.states:
            k = _nearest(eph, st.epoch)
            assert abs((eph.epochs[k] - st.epoch).to_value(u.s)) <= 0.5e-6
            np.testing.assert_allclose(
                st.position, eph.r_km[k], rtol=0, atol=R_PRINT + EPOCH_SHIFT_KM
            )
            n += 1
    # every sample written once (the hand-over sample appears twice in the ephemeris)
    t = (eph.epochs - eph.epochs[0]).to_value(u.s)
    assert n == 1 + np.count_nonzero(np.diff(t) > 1e-6)
    if key == "station_oem":
        assert len(segments) == 1  # the station does not manoeuvre
    else:
        # a new segment at every phasing burn and at the hand-over, none inside a coast arc
        breaks = result.oem_breaks()
        starts = Time([seg.useable_start_time for seg in segments])
        assert len(segments) >= 2
        for start in starts[1:]:
            dt = (breaks - start).to_value(u.s)
            # the segment opens at the first sample at or after a break (60 s output step)
            assert np.any((dt <= 1e-6) & (dt > -result.mission.output_step_s)), start


def test_the_czml_loads_with_czml3_and_replays_the_mission(result, saved):
    doc = Document.load(saved["mission_czml"])
    packets = {p.id: p for p in doc.packets}
    assert list(packets) == ["document", "qingzhou", "tiangong"]
    clock = packets["document"].clock
    start, end = (
        Time(x.rstrip("Z"), scale="utc") for x in (clock.interval.start, clock.interval.end)
    )
    assert abs((start - result.liftoff).to_value(u.s)) < 1e-6
    # to the end of the run: the hard dock when docked
    assert abs((end - result.events[-1].epoch).to_value(u.s)) < 1e-6
    if result.docked:
        assert result.events[-1].name == "hard dock"
    for key, eph in (("qingzhou", result.chaser), ("tiangong", result.station)):
        position = packets[key].position
        assert position.referenceFrame == "INERTIAL"
        epoch0 = Time(position.epoch.rstrip("Z"), scale="utc")
        samples = np.asarray(position.cartesian.values).reshape(-1, 4)
        assert len(samples) >= len(eph) - 1
        for t_s, *r_m in samples[:: max(1, len(samples) // 25)]:
            k = _nearest(eph, epoch0 + t_s * u.s)
            assert abs((eph.epochs[k] - (epoch0 + t_s * u.s)).to_value(u.s)) < 1e-6
            np.testing.assert_allclose(np.array(r_m) * 1e-3, eph.r_km[k], rtol=0, atol=4 * MM)
        assert packets[key].path is not None
    labels = [v.value for v in packets["qingzhou"].label.text.values]
    assert labels[0].endswith("liftoff") and labels[-1].endswith(result.events[-1].name)


def test_the_czml_file_is_what_czml3_writes_for_it(result, saved):
    # write_czml makes the text without czml3: czml3's own models, given the packets,
    # must write the very same bytes (its field order, its number format), and the
    # document czml3 reads back from the file must too
    from qingzhou_sim.io import mission_czml

    text = saved["mission_czml"].read_text(encoding="utf-8")
    assert mission_czml(result).dumps() == text
    assert Document.load(saved["mission_czml"]).dumps() == text


def test_tables_are_dataframes_with_utc_datetimes(result, saved):
    timeline = result.timeline()
    assert str(timeline["utc"].dtype) == "datetime64[ns, UTC]"
    first = timeline["utc"].iloc[0]
    assert (
        abs((first - pd.Timestamp(result.liftoff.utc.datetime64, tz="UTC")).total_seconds()) < 1e-6
    )
    budget = result.budget()
    assert isinstance(budget, pd.DataFrame)
    assert list(budget["phase"])[-1] == "total"
    assert str(budget["start_utc"].dtype) == "datetime64[ns, UTC]"
    assert budget["delta_v_m_s"].iloc[-1] == pytest.approx(result.total_delta_v.to_value(u.m / u.s))
    assert result.budget_records()[-1]["phase"] == "total"
    eph = result.chaser.to_dataframe()
    assert str(eph["epoch_utc"].dtype) == "datetime64[ns, UTC]"
    np.testing.assert_array_equal(eph[["x_km", "y_km", "z_km"]].to_numpy(), result.chaser.r_km)
    assert len(eph) == len(result.chaser)
    # the CSV files keep ISO UTC text with 'Z'
    assert pd.read_csv(saved["timeline_csv"])["utc"].iloc[0].endswith("Z")
