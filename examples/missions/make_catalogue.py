"""Write the mission catalogue: one mission file per flown rendezvous scheme.

Each file flies the scheme with the real liftoff time. Where no Tiangong TLE of the date
is available (offline project: only the 2021 Tianhe sets of
``tests/validation/test_launch_sz12_vs_tle.py`` are), the station is given by elements
2 days before the liftoff: 386 x 391 km at 41.47 deg (mission-facts sec. 1, April 2024
figures), the node placed so that the pad crosses the plane at the site's practice
instant for the real liftoff (Jiuquan: at liftoff; Wenchang: 300 s after it), the
position along the orbit so that the station's phase at insertion is the centre of the
profile's window (the real station was phased for these flights; its true phase is
unknown here).

Run from the repository root: ``python examples/missions/make_catalogue.py``.
Generated with qingzhou_sim at the commit that added this script.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from qingzhou_sim.launch import SITES, insertion_state, launch_windows
from qingzhou_sim.launch._kernels import _phase_angle
from qingzhou_sim.mission import Mission, StationOrbit
from qingzhou_sim.mission.launching import phasing_profile, station_target
from qingzhou_sim.phasing import phase_angle_windows

HERE = Path(__file__).parent
OMEGA_EARTH_DEG_S = np.rad2deg(7.292115e-5)  # DESIGN.md Earth model
TIANHE_2021_06_01 = (  # CSS (TIANHE), NORAD 48274; see test_launch_sz12_vs_tle.py
    "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993",
    "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304",
)

FLIGHTS = [
    dict(
        file="tianzhou-5.toml",
        flight="Tianzhou-5",
        site="wenchang",
        liftoff="2022-11-12T02:03:00Z",
        docking="2022-11-12T04:10:00Z",
        profile="2-hour",
        port="aft",
        source="CMSA via Xinhua 12 Nov 2022 (10:03 -> 12:10 BJT); CAST 502 Institute "
        "via Xinhua 13 Nov 2022 (scheme); minute precision",
    ),
    dict(
        file="tianzhou-7.toml",
        flight="Tianzhou-7",
        site="wenchang",
        liftoff="2024-01-17T14:27:00Z",
        docking="2024-01-17T17:46:00Z",
        profile="3-hour",
        port="aft",
        source="TZ7-CN, TZ7-WIKI (22:27 -> 01:46 BJT, 3 h 19 min); minute precision",
    ),
    dict(
        file="shenzhou-12.toml",
        flight="Shenzhou-12",
        site="jiuquan",
        liftoff="2021-06-17T01:22:27Z",
        docking="2021-06-17T07:54:00Z",
        profile="6.5-hour",
        port="forward",
        launcher=(
            "long-march-2f",
            "Long March 2F's nominal insertion (Shenzhou-12's own is not in the references)",
        ),
        source="SZ12, SZ12-EDA (6 h 32 min); TLE: Tianhe 2021-06-01 (16 days old)",
        tle=TIANHE_2021_06_01,
    ),
    dict(
        file="shenzhou-21.toml",
        flight="Shenzhou-21",
        site="jiuquan",
        liftoff="2025-10-31T15:44:00Z",
        docking="2025-10-31T19:22:00Z",
        profile="3.5-hour",
        port="forward",
        launcher=(
            "long-march-2f",
            "insertion 200 x 363 km at 41.5 deg, Beijing Aerospace "
            "Control Center (mission-facts, second round)",
        ),
        source="SZ21, SZ21-CCTV (23:44 -> 03:22 BJT); minute precision",
    ),
    dict(
        file="shenzhou-8.toml",
        flight="Shenzhou-8",
        site="jiuquan",
        liftoff="2011-10-31T21:58:10Z",
        docking="2011-11-02T17:58:10Z",
        profile="two-day",
        port="aft",
        launcher=("long-march-2f", "insertion 200 x 329 km (CD-SZ8-ORBIT)"),
        insertion_km=(200.0, 329.0),
        source="China News Service via mission-facts: docked on rev 30 about 44 h after launch "
        "(the docking time here is liftoff + 44 h); "
        "flown to Tiangong-1, whose orbit is not modelled: today's Tiangong stands in",
    ),
]


def _base(f) -> Mission:
    epoch = (Time(f["liftoff"].rstrip("Z"), scale="utc") - 2 * u.day).utc.isot[:19] + "Z"
    station = StationOrbit(
        epoch=epoch, perigee_altitude_km=386.0, apogee_altitude_km=391.0, inc_deg=41.47
    )
    perigee, apogee = f.get("insertion_km", (None, None))
    return Mission(
        name=f["flight"].lower(),
        site=f["site"],
        launch_vehicle=f.get("launcher", ("kinetica-2",))[0],
        liftoff=f["liftoff"],
        phasing_profile=f["profile"],
        port=f["port"],
        station=station,
        insertion_perigee_km=perigee,
        insertion_apogee_km=apogee,
    )


def _place_node(m: Mission) -> Mission:
    """RAAN such that the pad is in the plane at the practice instant of the liftoff."""
    liftoff = Time(m.liftoff.rstrip("Z"), scale="utc")
    wanted = liftoff - SITES[m.site].liftoff_offset_s * u.s
    for _ in range(4):
        ws = launch_windows(wanted - 13 * u.h, 26 * u.h, target=station_target(m), site=m.site)
        w = min(ws, key=lambda w: abs((w.in_plane - wanted).to_value(u.s)))
        dt = (wanted - w.in_plane).to_value(u.s)
        raan = (m.station.raan_deg + OMEGA_EARTH_DEG_S * dt) % 360.0
        m = replace(m, station=replace(m.station, raan_deg=raan))
    return m


def _place_phase(m: Mission) -> Mission:
    """True anomaly such that the phase at insertion is the profile window's centre."""
    for _ in range(3):
        target = station_target(m)
        chaser = insertion_state(m.liftoff, target, site=m.site, vehicle=m.launcher())
        station = target.state_at(chaser.epoch)
        prof = phasing_profile(m)
        centre = phase_angle_windows(chaser, station, profiles=(prof,))[prof.name].centre
        s = station.rv_km
        phase = np.rad2deg(_phase_angle(chaser.r_km, s[:3], np.cross(s[:3], s[3:])))
        shift = (float(phase) - centre.to_value(u.deg) + 180.0) % 360.0 - 180.0
        m = replace(m, station=replace(m.station, nu_deg=(m.station.nu_deg - shift) % 360.0))
    return m


def _toml(f, m: Mission) -> str:
    st = m.station
    lines = [
        f"# {f['flight']}: the {f['profile']} scheme to the {f['port']} port, flown with the "
        "real liftoff time.",
        f"# Run it with:  qingzhou-sim run examples/missions/{f['file']}",
    ]
    if "launcher" in f:
        lines += [
            f"# Qingzhou stands in for the real vehicle on {m.launcher().name}:",
            f"# {f['launcher'][1]}.",
            "# Written by make_catalogue.py.",
        ]
    else:
        lines += [
            "# Qingzhou on Kinetica-2 stands in for the real vehicle and launcher (the insertion",
            "# model is Kinetica-2's, launch.insertion_state). Written by make_catalogue.py.",
        ]
    if "tle" in f:
        lines.append("# Station: a real Tianhe TLE (the closest one available offline).")
    else:
        lines += [
            "# Station: no Tiangong TLE of this date is available offline, so it is left out;",
            "# elements 2 days before liftoff (386 x 391 km, 41.47 deg), node placed so that the",
            "# pad is in the plane at the liftoff (site practice), phase at the centre of the",
            "# profile's window at insertion (see make_catalogue.py).",
        ]
    lines += [
        "",
        f'name = "{m.name}"',
        f'site = "{m.site}"',
        f'launch_vehicle = "{m.launch_vehicle}"',
        f'liftoff = "{m.liftoff}"',
        f'phasing_profile = "{m.phasing_profile}"',
        f'port = "{m.port}"',
        'station_phasing = "auto"',
    ]
    if m.insertion_perigee_km is not None:
        lines += [
            f"insertion_perigee_km = {m.insertion_perigee_km}",
            f"insertion_apogee_km = {m.insertion_apogee_km}",
        ]
    lines += ["", "[station]"]
    if "tle" in f:
        lines.append(f'tle = ["{f["tle"][0]}", "{f["tle"][1]}"]')
    else:
        lines += [
            f'epoch = "{st.epoch}"',
            f"perigee_altitude_km = {st.perigee_altitude_km}",
            f"apogee_altitude_km = {st.apogee_altitude_km}",
            f"inc_deg = {st.inc_deg}",
            f"raan_deg = {st.raan_deg:.4f}",
            f"argp_deg = {st.argp_deg}",
            f"nu_deg = {st.nu_deg:.4f}",
        ]
    lines += [
        "",
        "[flown]",
        f'flight = "{f["flight"]}"',
        f'liftoff = "{f["liftoff"]}"',
        f'docking = "{f["docking"]}"',
        f'source = "{f["source"]}"',
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    for f in FLIGHTS:
        if "tle" in f:
            m = replace(_base(f), station=StationOrbit(tle=f["tle"]))
        else:
            m = _place_phase(_place_node(_base(f)))
        (HERE / f["file"]).write_text(_toml(f, m))
        Mission.from_toml(HERE / f["file"])  # the file loads
        print("wrote", f["file"])


if __name__ == "__main__":
    main()
