"""Trajectory: the result of a propagation, with dense-output interpolation."""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from ..constants import EARTH, as_time
from ..errors import EpochOrderError, InputError
from ..state import State, StateBatch
from ._dop853 import _dense_from_stages
from ._kernels import _kepler_many

__all__ = ["Trajectory"]


@dataclass(frozen=True, slots=True)
class _Segment:
    """One arc between burns: nodes in integration order and what interpolates them."""

    kind: str  # "dop853" | "rk4" | "kepler"
    ts: np.ndarray
    ys: np.ndarray
    coef: np.ndarray | None  # DOP853 (m, 7, 6) or RK4 derivatives (m+1, 6)
    mu: float
    # DOP853 straight from the integrator: the force parameters, and ``coef`` holds the
    # steps' stages (m, 13, 6) until the first evaluation turns them into the dense
    # coefficients (then None).
    params: np.ndarray | None = None

    def _dense(self) -> np.ndarray:
        """The DOP853 dense-output coefficients (m, 7, 6), made on first use."""
        if self.params is not None:
            coef = _dense_from_stages(self.ts, self.ys, self.coef, self.params)
            object.__setattr__(self, "coef", coef)
            object.__setattr__(self, "params", None)
        return self.coef

    @property
    def lo(self) -> float:
        return float(min(self.ts[0], self.ts[-1]))

    @property
    def hi(self) -> float:
        return float(max(self.ts[0], self.ts[-1]))

    def eval(self, t) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        ts = self.ts
        m = ts.shape[0] - 1
        if m == 0:
            if self.kind == "kepler":
                return _kepler_many(self.mu, np.repeat(self.ys[:1], t.size, 0), t - ts[0])
            return np.repeat(self.ys[:1], t.size, axis=0)
        if ts[-1] >= ts[0]:
            k = np.searchsorted(ts, t, side="right") - 1
        else:
            k = np.searchsorted(-ts, -t, side="right") - 1
        k = np.clip(k, 0, m - 1)
        if self.kind == "kepler":
            return _kepler_many(self.mu, self.ys[k], t - ts[k])
        h = ts[k + 1] - ts[k]
        x = ((t - ts[k]) / h)[:, None]
        if self.kind == "rk4":
            y0, y1, f0, f1 = self.ys[k], self.ys[k + 1], self.coef[k], self.coef[k + 1]
            hh = h[:, None]
            return (
                (1 + 2 * x) * (1 - x) ** 2 * y0
                + x * (1 - x) ** 2 * hh * f0
                + x * x * (3 - 2 * x) * y1
                + x * x * (x - 1) * hh * f1
            )
        F = self._dense()[k]
        y = np.zeros((t.size, 6))
        for i in range(7):
            y += F[:, 6 - i, :]
            y *= x if i % 2 == 0 else (1.0 - x)
        return y + self.ys[k]

    def truncated(self, t_end: float, y_end: np.ndarray) -> _Segment:
        """This arc ending at t_end (inside it): nodes after t_end dropped, the step
        containing t_end kept so that its interpolant stays valid."""
        ts = self.ts
        d = 1.0 if ts[-1] >= ts[0] else -1.0
        keep = int(np.searchsorted(d * ts, d * t_end, side="left"))  # first node >= t_end
        keep = max(1, min(keep, ts.shape[0] - 1))
        if self.kind == "kepler":
            return _Segment(
                self.kind,
                np.append(ts[:keep], t_end),
                np.vstack([self.ys[:keep], y_end]),
                None,
                self.mu,
            )
        # Keep the step [ts[keep-1], ts[keep]] whole; the span is limited by the caller.
        coef = self._dense()[:keep] if self.kind == "dop853" else self.coef[: keep + 1]
        return _Segment(self.kind, ts[: keep + 1], self.ys[: keep + 1], coef, self.mu)


@dataclass(frozen=True, slots=True)
class Trajectory:
    """Result of :meth:`Propagator.propagate`.

    ``state_at(epoch)`` evaluates the integrator's dense output (DOP853's 7th-order
    continuous extension, cubic Hermite for RK4, the analytic solution for Kepler);
    at a burn epoch it returns the post-burn state.

    Attributes
    ----------
    epoch0 : Time
        The initial epoch; every time below is seconds since it (TT seconds).
    t_s : ndarray (n,)
        Sample times, ascending. A burn epoch appears once, with the post-burn state.
    rv_km : ndarray (n, 6)
        Sample states in km and km/s (GCRS).
    events : tuple of EventRecord
        Events found, in time order (re-entry included, always terminal).
    burns : tuple of Burn
        Burns applied, in time order.
    status : str
        "success", "reentry" or "terminated" (a terminal event ended it).
    message : str
        What happened, in words.
    method : str
        Integration method.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> from qingzhou_sim.propagator import Propagator
    >>> from qingzhou_sim.state import State
    >>> t0 = Time("2026-01-01T00:00:00", scale="utc")
    >>> s = State.from_elements(t0, a=6768.137 * u.km, inc=41.47 * u.deg)
    >>> traj = Propagator().propagate(s, 2 * u.h)
    >>> mid = traj.state_at(t0 + 1234.5 * u.s)  # between samples: dense output
    >>> mid.epoch.isot, traj.status
    ('2026-01-01T00:20:34.500', 'success')
    """

    epoch0: Time
    t_s: np.ndarray
    rv_km: np.ndarray
    events: tuple
    burns: tuple
    status: str
    message: str
    method: str
    _segments: tuple
    _span: tuple
    _initial: State

    # -- samples
    @property
    def epochs(self) -> Time:
        return self.epoch0 + TimeDelta(self.t_s, format="sec")

    @property
    def r_km(self) -> np.ndarray:
        return self.rv_km[:, :3]

    @property
    def v_km_s(self) -> np.ndarray:
        return self.rv_km[:, 3:]

    @property
    def r(self) -> u.Quantity:
        return self.r_km * u.km

    @property
    def v(self) -> u.Quantity:
        return self.v_km_s * (u.km / u.s)

    @property
    def initial_state(self) -> State:
        """The state given to :meth:`Propagator.propagate` (before any burn at epoch0)."""
        return self._initial

    @property
    def start(self) -> Time:
        return self.epoch0 + TimeDelta(self._span[0], format="sec")

    @property
    def end(self) -> Time:
        return self.epoch0 + TimeDelta(self._span[1], format="sec")

    @property
    def final_state(self) -> State:
        """The state where the propagation ended: at the end epoch, at a terminal event,
        or (backward propagation) at the earliest epoch."""
        t = self._span[0] if self._backward_only else self._span[1]
        return State.from_vectors(
            self.epoch0 + TimeDelta(t, format="sec"), *np.split(self._eval(np.array([t]))[0], 2)
        )

    @property
    def _backward_only(self) -> bool:
        return self._span[1] == 0.0 and self._span[0] < 0.0

    def __len__(self) -> int:
        return self.t_s.shape[0]

    # -- interpolation
    def _eval(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        lo, hi = self._span
        tol = 1e-6  # s: a microsecond of slack for epochs built by Time arithmetic
        if np.any(t < lo - tol) or np.any(t > hi + tol):
            bad = t[(t < lo - tol) | (t > hi + tol)][0]
            raise InputError(
                f"epoch {bad:.6f} s after epoch0 is outside the trajectory span "
                f"[{lo:.6f}, {hi:.6f}] s; propagate further first",
                name="epoch",
                value=bad,
                valid=f"[{lo}, {hi}] s after {self.epoch0.utc.isot} UTC",
            )
        t = np.clip(t, lo, hi)
        out = np.empty((t.size, 6))
        chosen = np.full(t.size, -1)
        for i, seg in enumerate(self._segments):
            inside = (t >= seg.lo) & (t <= seg.hi)
            chosen[inside] = i  # later segments (in time) win at burn epochs: post-burn
        for i, seg in enumerate(self._segments):
            mask = chosen == i
            if np.any(mask):
                out[mask] = seg.eval(t[mask])
        if np.any(chosen < 0):
            raise InputError("epoch falls in no propagated arc", name="epoch")
        return out

    def _seconds(self, epochs) -> np.ndarray:
        epochs = as_time(epochs, "epoch")
        return np.atleast_1d((epochs - self.epoch0).to_value(u.s))

    def state_at(self, epoch) -> State:
        """The state at ``epoch`` from the dense output (never the nearest sample)."""
        ep = as_time(epoch, "epoch")
        if not ep.isscalar:
            raise InputError("state_at takes one epoch; use states_at for many", name="epoch")
        y = self._eval(self._seconds(ep))[0]
        return State.from_vectors(ep, y[:3], y[3:])

    def states_at(self, epochs) -> StateBatch:
        """States at many epochs (dense output), as a :class:`StateBatch`."""
        ep = as_time(epochs, "epochs")
        y = self._eval(self._seconds(ep))
        return StateBatch.from_vectors(
            ep if not ep.isscalar else ep.reshape((1,)), y[:, :3], y[:, 3:]
        )

    def rv_at(self, t_s) -> np.ndarray:
        """Kernel-level :meth:`state_at`: states (n, 6) at seconds since epoch0."""
        return self._eval(np.atleast_1d(np.asarray(t_s, dtype=float)))

    # -- views
    def slice(self, start=None, stop=None) -> Trajectory:
        """The part of the trajectory between two epochs (None: from the start / to the
        end); samples, events and burns outside are dropped and ``state_at`` is limited."""
        lo, hi = self._span
        a = lo if start is None else max(lo, float(self._seconds(start)[0]))
        b = hi if stop is None else min(hi, float(self._seconds(stop)[0]))
        if b < a:
            raise EpochOrderError(
                f"slice stop is before start ({a:.3f} s > {b:.3f} s after epoch0)",
                name="stop",
                value=b,
            )
        tol = 1e-6  # s: Time arithmetic rounds at the picosecond-to-nanosecond level
        m = (self.t_s >= a - tol) & (self.t_s <= b + tol)

        def sec(ep):
            return float((ep - self.epoch0).to_value(u.s))

        return Trajectory(
            self.epoch0,
            self.t_s[m],
            self.rv_km[m],
            tuple(e for e in self.events if a <= sec(e.epoch) <= b),
            tuple(x for x in self.burns if a <= sec(x.epoch) <= b),
            self.status,
            self.message,
            self.method,
            self._segments,
            (a, b),
            self._initial,
        )

    def to_dataframe(self):
        """pandas DataFrame: epoch (UTC), t_s, x/y/z in km, vx/vy/vz in km/s."""
        import pandas as pd

        return pd.DataFrame(
            {
                "epoch_utc": self.epochs.utc.datetime64,
                "t_s": self.t_s,
                "x_km": self.rv_km[:, 0],
                "y_km": self.rv_km[:, 1],
                "z_km": self.rv_km[:, 2],
                "vx_km_s": self.rv_km[:, 3],
                "vy_km_s": self.rv_km[:, 4],
                "vz_km_s": self.rv_km[:, 5],
            }
        )

    def __str__(self) -> str:
        lo, hi = self._span
        lines = [
            f"Trajectory ({self.method}) from {self.start.utc.isot} to {self.end.utc.isot} UTC "
            f"({(hi - lo) / 3600.0:.3f} h), {len(self)} samples, status: {self.status}",
            f"  {self.message}",
        ]
        for b in self.burns:
            lines.append(f"  {b}")
        for e in self.events:
            alt = float(np.linalg.norm(e.state.r_km)) - EARTH.radius_km
            lines.append(
                f"  event {e.name!r} at {e.epoch.utc.isot} UTC, altitude {alt:.3f} km"
                + (" (terminal)" if e.terminal else "")
            )
        return "\n".join(lines)
