"""The ``qingzhou-sim`` command.

Sub-commands: ``run`` (the default mission), ``windows`` (launch windows), ``profiles``,
``montecarlo``. Each is a small function ``_cmd_<name>(args) -> int`` registered in
:func:`_build_parser`.
"""

from __future__ import annotations

import argparse
import json
import sys

import astropy.units as u

__all__ = ["main"]


def _cmd_states(args) -> int:
    """Print the nominal station and insertion states and their elements."""
    import astropy.units as u
    from astropy.time import Time

    from .state import State

    epoch = Time("2026-12-01T00:00:00", scale="utc")
    station = State.from_elements(epoch, a=(6378.137 + 390.0) * u.km, inc=41.5 * u.deg)
    chaser = State.from_altitudes(
        epoch, perigee_altitude=200 * u.km, apogee_altitude=380 * u.km, inc=41.5 * u.deg
    )
    for name, s in (
        ("Tiangong (nominal 390 km circular)", station),
        ("Qingzhou insertion (200 x 380 km)", chaser),
    ):
        print(name)
        print("  ", s)
        print("  ", s.elements())
    return 0


def _cmd_windows(args) -> int:
    """Print the in-plane launch windows of a site (table, or JSON with --json)."""
    import astropy.units as u

    from .errors import InputError
    from .launch import Target, launch_windows

    if args.hours is None or not args.hours > 0:
        raise InputError(
            f"--hours {args.hours} is not positive; expected a span > 0 h",
            name="hours",
            value=args.hours,
            valid="> 0",
        )
    if args.tle_file is not None:
        target = Target.from_tle_file(args.tle_file)
    elif args.tle is not None:
        target = Target.from_tle(args.tle[0], args.tle[1])
    else:
        target = None
    windows = launch_windows(args.start, args.hours * u.hour, target=target, site=args.site)
    if args.json:
        # keys: in_plane_utc, liftoff_utc, insertion_utc, azimuth_deg,
        # azimuth_rotating_deg, direction, phase_angle_deg, site
        print(json.dumps(windows.to_dicts(), indent=2))
    else:
        print(windows)
    return 0


def _load_mission(args):
    from .mission import Mission

    mission = Mission.default() if args.mission is None else Mission.from_toml(args.mission)
    changes = {}
    if getattr(args, "profile", None):
        changes["phasing_profile"] = args.profile
    if getattr(args, "port", None):
        changes["port"] = args.port
        changes["approach_profile"] = None
    return mission.replace(**changes) if changes else mission


def _cmd_run(args) -> int:
    """Run a mission (the default one without a file), print its summary, save outputs."""
    from .io import to_json

    mission = _load_mission(args)
    result = mission.run(progress=not args.json and sys.stderr.isatty())
    paths = result.save(args.out, figures=not args.no_figures)
    if args.json:
        print(to_json(result.to_json_dict(), indent=2))
    else:
        print(result.summary())
        print(
            f"\nOutputs written to {args.out}/: "
            + ", ".join(sorted(p.name for p in paths.values()))
        )
    return 0 if result.docked else 1


def _cmd_profiles(args) -> int:
    """List the phasing and approach profiles, one line each."""
    from .docking import APPROACH_PROFILES, get_approach_profile
    from .phasing import PROFILES

    rows = []
    for name, prof in PROFILES.items():
        ho = prof.handover_r_lvlh.to_value(u.km)
        rows.append(
            (
                "phasing",
                name,
                f"{prof.strategy}, hand-over after {prof.handover_time.to_value(u.h):.2f} h at "
                f"x={ho[0]:+.0f} km z={ho[2]:+.0f} km (LVLH); flown: {prof.flown}",
            )
        )
    for name in APPROACH_PROFILES:
        prof = get_approach_profile(name)
        rows.append(
            (
                "approach",
                name,
                f"{prof.port} port: " + " -> ".join(seg.label for seg in prof.segments),
            )
        )
    if args.json:
        print(json.dumps([{"kind": k, "name": n, "description": d} for k, n, d in rows], indent=2))
        return 0
    width = max(len(n) for _, n, _ in rows)
    for kind, name, desc in rows:
        print(f"{kind:<9} {name:<{width}}  {desc}")
    return 0


def _cmd_montecarlo(args) -> int:
    """Dispersion campaign; Ctrl-C keeps and saves the samples finished so far."""
    from .io import to_json
    from .montecarlo import Dispersions, run_campaign

    mission = _load_mission(args)
    executor = None
    client = None
    if args.scheduler:
        from dask.distributed import Client

        client = executor = Client(args.scheduler)
    try:
        result = run_campaign(
            mission,
            args.n,
            args.seed,
            executor,
            dispersions=Dispersions().scaled(args.scale),
            workers=args.workers,
            progress=not args.json,
        )
    finally:
        if client is not None:
            client.close()
    paths = result.save(args.out, figures=not args.no_figures)
    if args.json:
        print(to_json(result.to_json_dict(), indent=2))
    else:
        print(result.summary())
        print(f"\nSamples, summary and figures written to {paths['samples'].parent}")
    return 130 if result.interrupted else 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qingzhou-sim",
        description="Simulate a Qingzhou rendezvous with the Tiangong space station.",
    )
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("states", help="print the nominal station and insertion states")
    p.set_defaults(func=_cmd_states)
    p = sub.add_parser("windows", help="in-plane launch windows of a site into the station's plane")
    p.add_argument("--site", default="jiuquan", help="launch site name (default: jiuquan)")
    tle = p.add_mutually_exclusive_group()
    tle.add_argument("--tle-file", metavar="PATH", help="station TLE file (2- or 3-line format)")
    tle.add_argument("--tle", nargs=2, metavar=("LINE1", "LINE2"), help="station TLE lines")
    p.add_argument("--start", required=True, help="start of the span, ISO-8601 UTC ending in Z")
    p.add_argument("--hours", type=float, required=True, help="length of the span in hours")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=_cmd_windows)
    p = sub.add_parser("run", help="run a mission (the default mission when no file is given)")
    p.add_argument(
        "mission", nargs="?", help="mission file (TOML); default: the built-in default mission"
    )
    p.add_argument(
        "--profile", help="phasing profile (overrides the file): two-day, 6.5-hour, 3-hour, 2-hour"
    )
    p.add_argument(
        "--port", choices=("aft", "forward", "radial"), help="docking port (overrides the file)"
    )
    p.add_argument("--out", default="qingzhou_out", help="output directory (default: qingzhou_out)")
    p.add_argument("--json", action="store_true", help="print a machine-readable JSON summary")
    p.add_argument("--no-figures", action="store_true", help="do not write the PNG figures")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("profiles", help="list the phasing and approach profiles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_profiles)

    p = sub.add_parser("montecarlo", help="dispersion campaign of a mission")
    p.add_argument(
        "mission", nargs="?", help="mission file (TOML); default: the built-in default mission"
    )
    p.add_argument("-n", type=_positive_int, required=True, help="number of samples")
    p.add_argument("--seed", type=int, default=0, help="campaign seed (default 0)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_positive_int, help="local worker processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (needs the dask extra)"
    )
    p.add_argument(
        "--scale", type=float, default=1.0, help="multiplier on every dispersion (default 1)"
    )
    p.add_argument("--profile", help="phasing profile (overrides the file)")
    p.add_argument(
        "--port", choices=("aft", "forward", "radial"), help="docking port (overrides the file)"
    )
    p.add_argument(
        "--out", default="qingzhou_campaign", help="output directory (default: qingzhou_campaign)"
    )
    p.add_argument("--json", action="store_true", help="print a machine-readable JSON summary")
    p.add_argument("--no-figures", action="store_true", help="do not write the PNG figures")
    p.set_defaults(func=_cmd_montecarlo)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except Exception as exc:  # report library input errors in one clean line
        from .errors import QingzhouError

        if isinstance(exc, QingzhouError):
            if getattr(args, "json", False):
                print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
            else:
                print(f"qingzhou-sim: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
