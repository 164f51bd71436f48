"""Vehicle parameters: reference values, derived figures, validation and registries."""

import math
from dataclasses import replace

import astropy.units as u
import numpy as np
import pytest

from qingzhou_sim.errors import InputError, UnknownNameError
from qingzhou_sim.vehicles import (
    KINETICA_2,
    QINGZHOU,
    TIANGONG,
    LaunchVehicle,
    Spacecraft,
    get_launch_vehicle,
    get_spacecraft,
)

KG = 1e-9  # kg
BC_TOL = 1.0  # kg/m^2, mission-facts quotes ballistic coefficients to ~2 digits


def test_qingzhou_reference_values():
    # mission-facts sec. 6: 5,000 kg launch mass, 3.3 m diameter, 4 x 490 N, Isp 300 s.
    assert QINGZHOU.mass_kg == 5000.0
    assert QINGZHOU.drag_area_m2 == pytest.approx(8.55, abs=0.01)  # pi * 1.65^2
    assert QINGZHOU.cd == 2.2
    assert QINGZHOU.thrust_n == 4 * 490.0
    assert QINGZHOU.isp_s == 300.0
    # mission-facts sec. 6, derived: BC ~ 266 kg/m^2.
    assert QINGZHOU.ballistic_coefficient_kg_m2 == pytest.approx(266.0, abs=BC_TOL)
    assert QINGZHOU.dry_mass_kg == pytest.approx(5000.0 - QINGZHOU.propellant_capacity_kg, abs=KG)


def test_qingzhou_delta_v_is_tsiolkovsky():
    m0, mf = QINGZHOU.mass_kg, QINGZHOU.dry_mass_kg
    expected = 300.0 * 9.80665 * math.log(m0 / mf)  # Tsiolkovsky, g0 = 9.80665 m/s^2
    assert QINGZHOU.max_delta_v.to_value(u.m / u.s) == pytest.approx(expected, rel=1e-12)
    # The assumption must cover the 56-72 m/s minimum rendezvous delta-v (mission-facts sec. 8).
    assert QINGZHOU.max_delta_v.to_value(u.m / u.s) > 72.0


def test_tiangong_mass_and_iss_scaled_drag():
    assert TIANGONG.mass_kg == pytest.approx(22_500 + 23_000 + 23_300, abs=KG)  # sec. 1
    # sec. 7: ISS ballistic coefficient ~82 kg/m^2 (4.5e5 kg, 2.5e3 m^2, Cd 2.2).
    assert TIANGONG.ballistic_coefficient_kg_m2 == pytest.approx(82.0, abs=BC_TOL)
    assert TIANGONG.max_delta_v.to_value(u.m / u.s) == 0.0


def test_sources_flag_assumptions():
    for obj in (QINGZHOU, TIANGONG, KINETICA_2):
        assert obj.sources
        assert any("assumption" in s for s in obj.sources)
    assert "Qingzhou" in str(QINGZHOU) and "kg" in str(QINGZHOU)
    assert "Kinetica-2" in str(KINETICA_2)


def test_kinetica2_reference_values():
    assert KINETICA_2.payload_leo_kg == 12_000.0  # CDA-K2
    assert (KINETICA_2.insertion_perigee_km, KINETICA_2.insertion_apogee_km) == (200.0, 380.0)
    assert KINETICA_2.insertion_inc_deg == 41.5
    assert KINETICA_2.window_lead_s == pytest.approx(KINETICA_2.ascent_duration_s / 2)


def test_check_payload():
    KINETICA_2.check_payload(QINGZHOU.mass_kg * u.kg)
    KINETICA_2.check_payload(12 * u.t)
    with pytest.raises(InputError, match="exceeds Kinetica-2's capability"):
        KINETICA_2.check_payload(12_001 * u.kg)
    with pytest.raises(InputError, match="no unit"):
        KINETICA_2.check_payload(5000)
    with pytest.raises(InputError, match="positive"):
        KINETICA_2.check_payload(-1 * u.kg)
    with pytest.raises(InputError, match="cannot be converted"):
        KINETICA_2.check_payload(5 * u.m)


def test_insertion_covariance():
    cov = KINETICA_2.insertion_covariance_lvlh()
    assert cov.shape == (6, 6)
    np.testing.assert_array_equal(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), KINETICA_2.insertion_sigma_lvlh)


def test_registries():
    assert get_spacecraft("QINGZHOU") is QINGZHOU
    assert get_spacecraft(" tiangong ") is TIANGONG
    assert get_launch_vehicle("Kinetica-2") is KINETICA_2
    assert get_launch_vehicle("kinetica2") is KINETICA_2
    assert get_launch_vehicle("KINETICA_2") is KINETICA_2
    with pytest.raises(UnknownNameError, match="unknown spacecraft 'tianzhou'; choose one of"):
        get_spacecraft("tianzhou")
    with pytest.raises(UnknownNameError, match="unknown launch vehicle"):
        get_launch_vehicle("long march 7")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("mass_kg", -1.0, "mass_kg"),
        ("mass_kg", float("nan"), "mass_kg"),
        ("drag_area_m2", 0.0, "drag_area_m2"),
        ("propellant_capacity_kg", 6000.0, "propellant capacity"),
        ("isp_s", -300.0, "isp_s"),
    ],
)
def test_spacecraft_rejects_bad_values(field, value, match):
    with pytest.raises(InputError, match=match):
        replace(QINGZHOU, **{field: value})


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("insertion_apogee_km", 150.0, "apogee"),
        ("downrange_angle_deg", 200.0, "downrange"),
        ("window_lead_s", -1.0, "window_lead_s"),
        ("insertion_sigma_lvlh", (1.0, 2.0), "insertion_sigma_lvlh"),
        ("payload_leo_kg", 0.0, "payload_leo_kg"),
    ],
)
def test_launch_vehicle_rejects_bad_values(field, value, match):
    with pytest.raises(InputError, match=match):
        replace(KINETICA_2, **{field: value})


def test_types_are_frozen():
    with pytest.raises(AttributeError):
        QINGZHOU.mass_kg = 1.0
    assert isinstance(QINGZHOU, Spacecraft) and isinstance(KINETICA_2, LaunchVehicle)
