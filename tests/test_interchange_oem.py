"""OEM files that other tools read: every file written by ``write_oem`` is parsed by an
independent reader (the ``oem`` package, PyPI), and ``read_oem`` reads the files that
reader's own writer produces.

The trajectory is analytic (Kepler, one impulsive burn), so that every state in the
file can be checked against the exact state at its printed epoch.
"""

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from oem import OrbitEphemerisMessage

from qingzhou_sim.io import read_oem, write_oem
from qingzhou_sim.maneuvers import Burn
from qingzhou_sim.propagator import Propagator
from qingzhou_sim.state import State

MM = 1e-6  # km
# Print precision of write_oem (half the last digit: 9 decimals of km, 12 of km/s) plus
# the round-off of the Kepler solution at 7000 km (~1e-15 relative)
R_TOL = 0.5e-9 + 1e-11  # km
V_TOL = 0.5e-12 + 1e-14  # km/s
# Nanosecond digits: the printed epoch (microseconds) differs from the true one
EPOCH0 = Time("2026-05-01T00:00:00.123456789", scale="utc", precision=9)
BURN_AT_S = 1830.5  # between two output samples (60 s apart)


@pytest.fixture(scope="module")
def trajectory():
    state = State.from_vectors(EPOCH0, [6778.0, 0.0, 0.0] * u.km, [0.0, 6.0, 4.64] * u.km / u.s)
    burn = Burn(EPOCH0 + BURN_AT_S * u.s, [2.0, 0.0, 0.5] * u.m / u.s, frame="LVLH", label="B")
    # one sample more than is written: the last printed epoch is 0.2 us after its sample
    grid = EPOCH0 + np.arange(0.0, 3660.0 + 1.0, 60.0) * u.s
    return Propagator(method="kepler").propagate(state, grid, burns=[burn])


@pytest.fixture(scope="module")
def written(trajectory, tmp_path_factory):
    path = tmp_path_factory.mktemp("oem") / "chaser.oem"
    return write_oem(
        path,
        trajectory.epochs[:-1],
        trajectory.r[:-1],
        trajectory.v[:-1],
        object_name="QINGZHOU",
        object_id="TEST-1",
        breaks=trajectory.burns[0].epoch,
        comment="test",
    )


def test_the_oem_package_reads_our_file_as_version_3_in_gcrf(written):
    parsed = OrbitEphemerisMessage.open(written)
    assert parsed.version == "3.0"
    segments = list(parsed.segments)
    assert len(segments) == 2  # one coast arc before the burn, one after
    for seg in segments:
        assert seg.metadata["REF_FRAME"] == "GCRF"
        assert seg.metadata["CENTER_NAME"] == "EARTH"
        assert seg.metadata["TIME_SYSTEM"] == "UTC"
        assert seg.metadata["INTERPOLATION"] == "LAGRANGE"
        assert seg.metadata["INTERPOLATION_DEGREE"] == 7


def test_every_state_in_the_file_is_the_trajectory_at_its_printed_epoch(written, trajectory):
    segments = list(OrbitEphemerisMessage.open(written).segments)
    burn_epoch = trajectory.burns[0].epoch
    n = 0
    for k, seg in enumerate(segments):
        for st in seg.states:
            truth = trajectory.state_at(st.epoch)
            np.testing.assert_allclose(st.position, truth.r.to_value(u.km), rtol=0, atol=R_TOL)
            np.testing.assert_allclose(
                st.velocity, truth.v.to_value(u.km / u.s), rtol=0, atol=V_TOL
            )
            # the burn splits the segments: nothing before it in the second, nothing after it in the first
            assert (st.epoch < burn_epoch) if k == 0 else (st.epoch >= burn_epoch)
            n += 1
    assert n == len(trajectory) - 1


def test_the_interpolation_keywords_are_usable(written, trajectory):
    # The oem package interpolates with the file's own keywords (Lagrange, degree 7)
    # between the samples 60 s apart: the trajectory to within a millimetre (about
    # 0.2 mm here; a straight chord would be off by up to ~4 km).
    worst = 0.0
    for seg in OrbitEphemerisMessage.open(written).segments:
        epochs = [st.epoch for st in seg.states]
        for a, b in zip(epochs[:-1], epochs[1:]):
            mid = a + (b - a) / 2
            got = seg(mid)
            truth = trajectory.state_at(mid)
            worst = max(worst, np.max(np.abs(got.position - truth.r.to_value(u.km))))
    assert worst < 1 * MM


def test_read_oem_reads_the_oem_package_writer(written, tmp_path):
    theirs = tmp_path / "theirs.oem"
    OrbitEphemerisMessage.open(written).save_as(theirs)  # their writer: exponent numbers
    assert "e+03" in theirs.read_text()
    ours, back = read_oem(written), read_oem(theirs)
    assert [len(s) for s in back] == [len(s) for s in ours]
    for a, b in zip(ours, back):
        assert b.metadata["REF_FRAME"] == "GCRF"
        assert np.max(np.abs((a.epochs - b.epochs).to_value(u.s))) < 1e-9
        # their 15 significant digits: 1e-11 km at 7000 km
        np.testing.assert_allclose(b.r_km, a.r_km, rtol=0, atol=1e-10)
        np.testing.assert_allclose(b.v_km_s, a.v_km_s, rtol=0, atol=1e-14)
