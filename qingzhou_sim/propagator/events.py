"""Events: built-in event functions, user events, and their location on dense output.

An event is a function g(t_s, y) -> float of the time (seconds since the propagation's
initial epoch) and the state [r (km), v (km/s)]; its zeros are bracketed on a grid of
four points per integration step and refined by Brent's method on the dense output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import EARTH, EarthModel, as_array
from ..errors import InputError, UnknownNameError
from ..state import State

__all__ = [
    "Event",
    "EventRecord",
    "altitude_event",
    "apsis_event",
    "arglat_event",
    "node_event",
]


@dataclass(frozen=True, slots=True)
class Event:
    r"""A built-in event: a scalar function g(t_s, y) whose zeros are located.

    ``t_s`` is seconds since the propagation's initial epoch and ``y`` the state
    [r (km), v (km/s)], one (6,) or many (..., 6). A crossing counts when g changes sign
    in the sense of ``direction`` in increasing time (+1: from negative to positive,
    -1: from positive to negative, 0: both); a ``terminal`` event ends the propagation.
    Built with :func:`altitude_event`, :func:`apsis_event`, :func:`arglat_event`,
    :func:`node_event`; any other callable with optional ``terminal``, ``direction``
    and ``name`` attributes is accepted as a user event.
    """

    name: str
    kind: str
    value: float = 0.0
    direction: int = 0
    terminal: bool = False

    def __post_init__(self):
        if self.direction not in (-1, 0, 1):
            raise InputError(
                f"event direction {self.direction!r}; expected -1, 0 or +1",
                name="direction",
                value=self.direction,
                valid=(-1, 0, 1),
            )

    def __call__(self, t_s, y):
        y = np.asarray(y, dtype=float)
        r = y[..., :3]
        v = y[..., 3:]
        if self.kind == "radius":
            return np.sqrt(np.einsum("...i,...i->...", r, r)) - self.value
        if self.kind == "radial-velocity":
            return np.einsum("...i,...i->...", r, v) / np.sqrt(np.einsum("...i,...i->...", r, r))
        if self.kind == "z":
            return r[..., 2]
        if self.kind == "arglat":
            h = np.cross(r, v)
            node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(h[..., 0])], axis=-1)
            n_hat = node / np.sqrt(np.einsum("...i,...i->...", node, node))[..., None]
            h_hat = h / np.sqrt(np.einsum("...i,...i->...", h, h))[..., None]
            m_hat = np.cross(h_hat, n_hat)
            rn = np.sqrt(np.einsum("...i,...i->...", r, r))
            su = np.einsum("...i,...i->...", r, m_hat) / rn
            cu = np.einsum("...i,...i->...", r, n_hat) / rn
            return su * math.cos(self.value) - cu * math.sin(self.value)
        raise UnknownNameError(
            "event kind", self.kind, ("radius", "radial-velocity", "z", "arglat")
        )


class EventRecord(NamedTuple):
    """An event that occurred: its name, epoch, the state there, and whether it ended
    the propagation."""

    name: str
    epoch: Time
    state: State
    terminal: bool


def altitude_event(
    altitude: u.Quantity, direction: int = 0, terminal: bool = False, *, earth: EarthModel = EARTH
) -> Event:
    """Crossing of an altitude above the equatorial radius, |r| - R (as
    :attr:`State.altitude`). ``direction=-1`` for descending through it.

    Examples
    --------
    >>> import astropy.units as u
    >>> ev = altitude_event(300 * u.km, direction=-1, terminal=True)
    >>> ev.name, ev.terminal
    ('altitude 300 km', True)
    """
    h = float(as_array(altitude, u.km, "altitude"))
    return Event(
        f"altitude {h:g} km", "radius", earth.radius_km + h, int(direction), bool(terminal)
    )


def apsis_event(kind: str = "perigee", terminal: bool = False) -> Event:
    """Perigee (radial velocity crossing zero upward) or apogee (downward) passage."""
    if kind not in ("perigee", "apogee"):
        raise UnknownNameError("apsis", kind, ("perigee", "apogee"))
    return Event(kind, "radial-velocity", 0.0, 1 if kind == "perigee" else -1, bool(terminal))


def arglat_event(angle: u.Quantity, terminal: bool = False) -> Event:
    """Passage through an argument of latitude (angle from the ascending node, in the
    sense of motion). Undefined for an exactly equatorial orbit."""
    a = float(as_array(angle, u.rad, "angle")) % (2 * math.pi)
    return Event(f"arglat {math.degrees(a):g} deg", "arglat", a, 1, bool(terminal))


def node_event(kind: str = "ascending", terminal: bool = False) -> Event:
    """Equator crossing: ascending (z rising through 0) or descending node."""
    if kind not in ("ascending", "descending"):
        raise UnknownNameError("node", kind, ("ascending", "descending"))
    return Event(f"{kind} node", "z", 0.0, 1 if kind == "ascending" else -1, bool(terminal))


def _event_meta(ev):
    if isinstance(ev, Event):
        return ev.name, ev.direction, ev.terminal
    if not callable(ev):
        raise InputError(
            f"event {ev!r} is not callable; pass altitude_event(...), apsis_event(...), "
            "arglat_event(...), node_event(...) or a function g(t_s, y) -> float",
            name="events",
            value=ev,
        )
    name = getattr(ev, "name", None) or getattr(ev, "__name__", "user event")
    direction = int(getattr(ev, "direction", 0))
    if direction not in (-1, 0, 1):
        raise InputError(
            f"event direction {direction}; expected -1, 0 or +1", name="direction", value=direction
        )
    return str(name), direction, bool(getattr(ev, "terminal", False))


def _g_values(ev, t, Y):
    if isinstance(ev, Event):
        return np.asarray(ev(t, Y), dtype=float)
    return np.array([float(ev(float(ti), yi)) for ti, yi in zip(t, Y)])


def _find_events(seg, events, t_limit=None):
    """Crossings of every event inside a segment (``trajectory._Segment``), sorted in
    integration order:
    list of (t, y, name, terminal)."""
    if not events or seg.ts.shape[0] < 2:
        return []
    from scipy.optimize import brentq

    ts = seg.ts
    frac = np.array([0.0, 0.25, 0.5, 0.75])
    grid = (ts[:-1, None] + frac * (ts[1:] - ts[:-1])[:, None]).ravel()
    grid = np.append(grid, ts[-1])
    if t_limit is not None:
        d = 1.0 if ts[-1] >= ts[0] else -1.0
        grid = grid[d * grid <= d * t_limit]
        if grid[-1] != t_limit:
            grid = np.append(grid, t_limit)
    Y = seg.eval(grid)
    forward = ts[-1] >= ts[0]
    found = []
    for ev in events:
        name, direction, terminal = _event_meta(ev)
        g = _g_values(ev, grid, Y)
        for i in range(grid.size - 1):
            g0, g1 = g[i], g[i + 1]
            if g0 == 0.0 or not (g0 * g1 < 0.0 or g1 == 0.0):
                continue
            rising_in_time = (g1 > g0) if forward else (g0 > g1)
            if direction == 1 and not rising_in_time or direction == -1 and rising_in_time:
                continue

            def fun(t, ev=ev):
                return float(_g_values(ev, np.array([t]), seg.eval(t))[0])

            a, b = grid[i], grid[i + 1]
            tc = b if g1 == 0.0 else brentq(fun, min(a, b), max(a, b), xtol=1e-7, rtol=1e-15)
            found.append((tc, seg.eval(tc)[0], name, terminal))
    found.sort(key=lambda e: e[0] if forward else -e[0])
    return found
