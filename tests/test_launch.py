"""Unit tests of qingzhou_sim.launch: TLE input, sites, windows, insertion, errors, CLI."""

import datetime as dt
import json
import re

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st

from qingzhou_sim.cli import main
from qingzhou_sim.constants import EARTH, J2, MU_EARTH_KM3_S2, OMEGA_EARTH_RAD_S, R_EARTH_KM
from qingzhou_sim.errors import InfeasiblePlanError, InputError, UnknownNameError
from qingzhou_sim.launch import (
    SITES,
    LaunchSite,
    Target,
    get_site,
    insertion_state,
    launch_windows,
    nominal_tiangong,
    station_from_tle,
    validate_tle,
)
from qingzhou_sim.state import State

L1 = "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993"
L2 = "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304"
START = "2026-12-01T00:00:00Z"
US = 1e-6  # s
M = 1e-3  # km
SECOND = 1.0  # s
# Sidereal rotation rate of the Earth relative to the precessing node: the period of
# same-direction windows is 2 pi / (omega_E - raan_dot), ~84,700 s at i = 41.5 deg.
# Precession-nutation and the ~0.02 s root tolerance keep it within a second.
DEG_LOOSE = 0.2  # deg, spherical (mission-facts) vs geocentric-latitude azimuths at Wenchang


# ------------------------------------------------------------------ TLE validation
def test_validate_tle_accepts_real_tle_and_strips_newlines():
    assert validate_tle(L1 + "\n", L2 + "  \r\n") == (L1, L2)


@pytest.mark.parametrize(
    ("l1", "l2", "match"),
    [
        (L1[:-1], L2, "TLE line 1 has 68 characters; expected 69"),
        (L1, L2 + "0", "TLE line 2 has 70 characters"),
        (L1[:-1] + "4", L2, "TLE line 1 fails its checksum"),
        (L1, L2[:-1] + "0", "TLE line 2 fails its checksum"),
        ("3" + L1[1:], L2, "TLE line 1 starts with '3 '"),
        (L2, L1, "TLE line 1 starts with '2 '"),
        (L1, L2.replace("48274", "48275", 1)[:-1] + "5", "catalog number"),
        (None, L2, "TLE line 1 is NoneType"),
    ],
)
def test_validate_tle_errors_name_the_line(l1, l2, match):
    with pytest.raises(InputError, match=match):
        validate_tle(l1, l2)


def test_target_from_tle_and_file(tmp_path):
    t = Target.from_tle(L1, L2)
    assert t.name == "NORAD 48274"
    assert t.inc.to_value(u.deg) == pytest.approx(41.4713, abs=1e-9)  # TLE line 2 field
    assert abs((t.epoch - Time("2021-06-01T22:02:51.408", scale="utc")).to_value(u.s)) < 1e-3
    f = tmp_path / "css.tle"
    f.write_text(f"CSS (TIANHE)\n{L1}\n{L2}\n")
    tf = Target.from_tle_file(f)
    assert tf.name == "CSS (TIANHE)" and tf.tle == t.tle
    (tmp_path / "two.tle").write_text(f"{L1}\n{L2}\n")
    assert Target.from_tle_file(tmp_path / "two.tle").name == "NORAD 48274"
    (tmp_path / "bad.tle").write_text("no elements here\n")
    with pytest.raises(InputError, match="no line starting with '1 '"):
        Target.from_tle_file(tmp_path / "bad.tle")
    with pytest.raises(InputError, match="cannot read TLE file"):
        Target.from_tle_file(tmp_path / "missing.tle")


def test_tle_state_at_is_near_the_station_altitude():
    t = Target.from_tle(L1, L2)
    s = t.state_at(t.epoch + np.arange(0, 6000, 600) * u.s)
    alt = s.altitude.to_value(u.km)
    # mission-facts sec. 1: Jun 2021 example orbit 367 x 397 km (spherical altitude
    # differs from the geodetic by up to ~20 km at 41 deg latitude).
    assert np.all((alt > 340) & (alt < 420))


# ------------------------------------------------------------------ targets
def test_nominal_tiangong_is_386_by_391_km():
    t = nominal_tiangong()
    s = t.state_at(t.epoch)
    # Perigee placed at the node, arglat 0: at epoch the station is at perigee.
    np.testing.assert_allclose(s.perigee_altitude.to_value(u.km), 386.0, atol=M)
    np.testing.assert_allclose(s.apogee_altitude.to_value(u.km), 391.0, atol=M)
    # J2 node rate, Vallado eq. 9-41, written out independently.
    a = R_EARTH_KM + 388.5
    e = 2.5 / a
    p = a * (1 - e**2)
    rate = (
        -1.5
        * np.sqrt(MU_EARTH_KM3_S2 / a**3)
        * J2
        * (R_EARTH_KM / p) ** 2
        * np.cos(np.deg2rad(41.5))
    )
    assert t.raan_rate.to_value(u.deg / u.day) == pytest.approx(
        np.rad2deg(rate) * 86400,
        rel=1e-12,
    )
    assert "nominal" in str(t)


def test_target_from_state_round_trip():
    nom = nominal_tiangong(raan=30 * u.deg, arglat=50 * u.deg)
    s = nom.state_at(nom.epoch)
    back = Target.from_state(s)
    np.testing.assert_allclose(back.state_at(nom.epoch).r_km, s.r_km, atol=M)
    later = nom.epoch + 2 * u.hour
    np.testing.assert_allclose(back.plane_normal(later), nom.plane_normal(later), atol=1e-12)
    # A State is accepted wherever a target is.
    w = launch_windows(START, 24 * u.hour, target=s)
    assert len(w) == 2
    with pytest.raises(InputError, match="target must be a Target or a State"):
        launch_windows(START, 24 * u.hour, target="tiangong")
    with pytest.raises(InputError, match="state must be a qingzhou_sim State"):
        Target.from_state("x")


def test_target_state_at_shapes():
    t = nominal_tiangong()
    assert isinstance(t.state_at(t.epoch), State)
    assert len(t.state_at(t.epoch + [0, 60, 120] * u.s)) == 3
    assert t.plane_normal(t.epoch + [0, 60] * u.s).shape == (2, 3)


# ------------------------------------------------------------------ sites
def test_sites_have_coordinates_and_sources():
    assert set(SITES) == {"jiuquan", "wenchang", "taiyuan", "xichang"}
    jq = get_site("Jiuquan")
    assert (jq.lat_deg, jq.lon_deg) == (40.9581, 100.2912)  # mission-facts sec. 5, SN-JSLC
    assert "SN-JSLC" in jq.source
    for site in SITES.values():
        assert site.source and "http" in site.source
        assert site.name in str(site)
    with pytest.raises(UnknownNameError, match="unknown launch site 'baikonur'; choose one of"):
        get_site("baikonur")
    with pytest.raises(InputError, match="latitude"):
        LaunchSite("north pole+", 91.0, 0.0, 0.0)


# ------------------------------------------------------------------ windows
@pytest.mark.parametrize("site", sorted(SITES))
def test_two_windows_per_day_one_each_direction(site):
    w = launch_windows(START, 24 * u.hour, site=site)
    assert len(w) == 2
    assert {x.direction for x in w} == {"northbound", "southbound"}
    az = sorted(x.azimuth.to_value(u.deg) for x in w)
    # beta and 180 - beta; the inclination over the true equator of date differs between
    # the two crossings by polar motion (~1e-5 deg, amplified near the vertex).
    assert az[0] + az[1] == pytest.approx(180.0, abs=1e-3)
    for x in w:
        # the site's practice (SITES[site].liftoff_offset_s: Jiuquan at the crossing)
        assert abs((x.liftoff - x.in_plane).to_value(u.s) - SITES[site].liftoff_offset_s) < US
        assert abs((x.insertion - x.liftoff).to_value(u.s) - 600.0) < US
        assert 0 <= x.phase_angle.to_value(u.deg) < 360
        assert x.cross_plane_speed.to_value(u.km / u.s) > 0


def test_azimuths_against_reference():
    # mission-facts sec. 5 (derived, spherical): Wenchang 52.7 / 127.3 deg.
    az = sorted(
        x.azimuth.to_value(u.deg) for x in launch_windows(START, 24 * u.hour, site="wenchang")
    )
    np.testing.assert_allclose(az, [52.7, 127.3], atol=DEG_LOOSE)
    # mission-facts sec. 5: the Earth-rotation correction at Jiuquan is < 0.5 deg.
    for x in launch_windows(START, 24 * u.hour):
        assert abs((x.azimuth_rotating - x.azimuth).to_value(u.deg)) < 0.5


def test_same_direction_windows_repeat_at_the_nodal_day():
    nom = nominal_tiangong()
    w = launch_windows(START, 72 * u.hour, target=nom)
    north = Time([x.in_plane for x in w if x.direction == "northbound"])
    assert len(north) == 3
    spacing = np.diff((north - north[0]).to_value(u.s))
    period = 2 * np.pi / (OMEGA_EARTH_RAD_S - nom.raan_rate.to_value(u.rad / u.s))
    np.testing.assert_allclose(spacing, period, atol=SECOND)


@settings(max_examples=8, deadline=None)
@given(raan_deg=st.floats(0.0, 360.0), site=st.sampled_from(sorted(SITES)))
def test_pad_is_in_the_plane_at_every_window(raan_deg, site):
    tgt = nominal_tiangong(raan=raan_deg * u.deg)
    for x in launch_windows(START, 24 * u.hour, target=tgt, site=site):
        d = tgt.plane_normal(x.in_plane) @ get_site(site).gcrs_km(x.in_plane)
        assert abs(d) < M


def test_ascent_lead_and_outputs():
    w = launch_windows(START, 24 * u.hour, ascent_lead=0 * u.s)
    assert all(x.liftoff == x.in_plane for x in w)
    df = w.to_dataframe()
    assert list(df.columns[:3]) == ["site", "in_plane_utc", "liftoff_utc"]
    assert len(df) == 2 and df["liftoff_utc"].str.endswith("Z").all()
    assert "liftoff" in str(w) and "azimuth" in str(w[0])
    assert launch_windows(START, 10 * u.min).windows == ()  # short span: legitimately empty


def test_datetime_start_is_accepted_when_aware():
    aware = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert len(launch_windows(aware, 24 * u.hour)) == 2


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"start": dt.datetime(2026, 12, 1)}, InputError, "naive datetime"),
        ({"start": "2026-12-01T00:00:00"}, InputError, "no time zone"),
        ({"duration": 0 * u.hour}, InputError, "not positive"),
        ({"duration": -2 * u.hour}, InputError, "not positive"),
        ({"duration": 24}, InputError, "no unit"),
        ({"site": "kourou"}, UnknownNameError, "unknown launch site 'kourou'"),
        ({"payload_mass": 13 * u.t}, InputError, "exceeds Kinetica-2's capability"),
        ({"ascent_lead": -5 * u.s}, InputError, "ascent_lead"),
        (
            {"site": LaunchSite("Plesetsk-like", 62.9, 40.6, 100.0, "test")},
            InfeasiblePlanError,
            "never crosses the plane.*yaw steering",
        ),
    ],
)
def test_launch_windows_errors(kwargs, exc, match):
    args = {"start": START, "duration": 24 * u.hour, **kwargs}
    start, duration = args.pop("start"), args.pop("duration")
    with pytest.raises(exc, match=match):
        launch_windows(start, duration, **args)


def test_latitude_just_above_inclination_reports_plane_error():
    site = LaunchSite("high", 42.0, 100.0, 0.0, "test")
    with pytest.raises(InfeasiblePlanError, match=r"smallest plane error.*0\.\d+ deg") as info:
        launch_windows(START, 24 * u.hour, site=site)
    assert info.value.name == "site"


# ------------------------------------------------------------------ insertion
def test_insertion_state_defaults_and_errors():
    s = insertion_state(START)
    assert isinstance(s, State)
    assert s.perigee_altitude.to_value(u.km) == pytest.approx(200.0, abs=M)
    with pytest.raises(InputError, match="naive datetime"):
        insertion_state(dt.datetime(2026, 12, 1))
    with pytest.raises(InputError, match="scalar"):
        insertion_state(Time(["2026-12-01T00:00:00", "2026-12-02T00:00:00"], scale="utc"))
    with pytest.raises(UnknownNameError):
        insertion_state(START, site="nowhere")


def test_insertion_state_earth_model_default_is_wgs84():
    assert nominal_tiangong().earth is EARTH


# ------------------------------------------------------------------ CLI
def test_cli_windows_json(capsys):
    rc = main(
        [
            "windows",
            "--site",
            "jiuquan",
            "--tle",
            L1,
            L2,
            "--start",
            "2021-06-16T12:00:00Z",
            "--hours",
            "24",
            "--json",
        ]
    )
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    for row in rows:
        assert {
            "in_plane_utc",
            "liftoff_utc",
            "azimuth_deg",
            "direction",
            "phase_angle_deg",
        } <= set(row)
        assert row["in_plane_utc"].endswith("Z") and row["liftoff_utc"].endswith("Z")
        Time(row["liftoff_utc"][:-1], format="isot", scale="utc")
        assert isinstance(row["azimuth_deg"], float)
        assert isinstance(row["phase_angle_deg"], float)
        assert row["direction"] in ("northbound", "southbound")


def test_cli_windows_table_and_file(capsys, tmp_path):
    f = tmp_path / "css.tle"
    f.write_text(f"CSS (TIANHE)\n{L1}\n{L2}\n")
    assert main(["windows", "--tle-file", str(f), "--start", START, "--hours", "12"]) == 0
    out = capsys.readouterr().out
    assert "liftoff (UTC)" in out and "CSS (TIANHE)" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--tle", L1[:-1] + "4", L2], "TLE line 1 fails its checksum"),
        (["--tle", L1, L2[:-3]], "TLE line 2 has 66 characters"),
        (["--hours", "0"], "--hours 0.0 is not positive"),
        (["--site", "kourou"], "unknown launch site"),
    ],
)
def test_cli_windows_errors_exit_2(capsys, argv, match):
    base = ["windows", "--start", START, "--hours", "24"]
    rc = main(base + argv)
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("qingzhou-sim: error:") and len(err.strip().splitlines()) == 1
    assert re.search(match, err)


def test_station_from_tle_matches_target_state():
    s = station_from_tle(L1, L2)
    t = Target.from_tle(L1, L2)
    assert abs((s.epoch - t.epoch).to_value(u.s)) < US
    np.testing.assert_allclose(s.r_km, t.state_at(t.epoch).r_km, atol=M)
    later = t.epoch + 1 * u.hour
    np.testing.assert_allclose(station_from_tle(L1, L2, later).r_km, t.state_at(later).r_km, atol=M)
    with pytest.raises(InputError, match="TLE line 2 fails its checksum"):
        station_from_tle(L1, L2[:-1] + "0")


def test_target_rejects_bad_elements():
    epoch = Time("2026-12-01T00:00:00", scale="utc")
    with pytest.raises(InputError, match="6 finite numbers"):
        Target("x", epoch, (6778.0, 0.0, 0.7))
    with pytest.raises(InputError, match="not a closed orbit"):
        Target("x", epoch, (6000.0, 0.0, 0.7, 0.0, 0.0, 0.0))
    with pytest.raises(InputError, match="naive datetime"):
        Target("x", dt.datetime(2026, 12, 1), (6778.0, 0.0, 0.7, 0.0, 0.0, 0.0))
    with pytest.raises(InputError, match="below the surface"):
        Target.from_elements(epoch, a=6000 * u.km, inc=41.5 * u.deg)
