"""The ``qingzhou-sim`` command.

Sub-commands: ``run`` (the default mission), ``windows`` (launch windows), ``profiles``,
``montecarlo``. Each is a small function ``_cmd_<name>(args) -> int`` registered in
:func:`_build_parser`.
"""

from __future__ import annotations

import argparse
import json
import sys

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
    for name, s in (("Tiangong (nominal 390 km circular)", station), ("Qingzhou insertion (200 x 380 km)", chaser)):
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        args = parser.parse_args(["states", *(argv or [])])
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
