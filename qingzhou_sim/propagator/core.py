"""The Propagator, batch propagation and conservation diagnostics (public layer)."""

from __future__ import annotations

import functools
import math
from contextlib import contextmanager
from dataclasses import dataclass

import astropy.units as u
import numba
import numpy as np
from astropy.time import Time, TimeDelta

from .._jit import _free_cores
from ..constants import EARTH, EarthModel, as_duration_s, as_time, check_finite
from ..errors import EpochOrderError, InputError, PropagationError, UnknownNameError
from ..forces import ForceModel, _rhs, zonal_potential
from ..maneuvers import Burn, _dv_to_inertial
from ..state import State, StateBatch
from ._dop853 import (
    _METHOD_CODE,
    _OK,
    _REENTRY,
    _STATUS_TEXT,
    REENTRY_ALTITUDE_KM,
    _dop853_arc,
)
from ._dop853 import METHODS as _KERNEL_METHODS
from ._kernels import (
    _batch_final,
    _batch_final_ensemble,
    _batch_history,
    _kepler_many,
    _propagate_rv_dop853,
    _propagate_rv_kernel,
    _rk4_arc,
    _rk4_step,
)
from .events import EventRecord, _event_meta, _find_events
from .trajectory import Trajectory, _Segment

# "rkn": the Runge-Kutta-Nystrom 12(10) pair (propagate_rv and propagate_batch), see ._rkn;
# "taylor": heyoka as an optional backend (propagate_rv and propagate_batch), see ._taylor.
METHODS = (*_KERNEL_METHODS, "rkn", "taylor")

__all__ = [
    "METHODS",
    "BatchHistory",
    "Propagator",
    "propagate_batch",
    "specific_energy",
    "zonal_jacobi_integral",
]


# A burn this close outside the span (round-off of epoch arithmetic, about 1e-9 s for
# epochs decades apart) is taken as at its end.
_BURN_TOL_S = 1e-6
# Samples per output (one trajectory, or one sample of a batch history), and state rows
# in a batch history: ~50 MB and ~2.4 GB of float64 states.
MAX_OUTPUT_SAMPLES = 1_000_000
MAX_BATCH_ROWS = 50_000_000


def _check_samples(dt: float, span_s: float, n_states: int = 1) -> None:
    """Reject a non-positive ``output_step`` or one that asks for too many samples."""
    if not dt > 0:
        raise InputError(
            f"output_step {dt} s must be positive", name="output_step", value=dt, valid="> 0 s"
        )
    n = span_s / dt + 1
    if n > MAX_OUTPUT_SAMPLES or n * n_states > MAX_BATCH_ROWS:
        lo = span_s / (min(MAX_OUTPUT_SAMPLES, MAX_BATCH_ROWS / n_states) - 1)
        raise InputError(
            f"output_step {dt:g} s over {span_s:g} s gives {n:.3g} samples per output"
            f"{f' for {n_states} states' if n_states > 1 else ''}; at most "
            f"{MAX_OUTPUT_SAMPLES:,} per output and {MAX_BATCH_ROWS:,} states in all are "
            f"allowed: use output_step >= {lo:.3g} s",
            name="output_step",
            value=dt,
            valid=f">= {lo:.3g} s",
        )


def _parse_to(state: State, to):
    """-> (t_out or None, t_lo, t_hi) in seconds since state.epoch."""
    if isinstance(to, int | float | np.number | np.ndarray) and not isinstance(to, u.Quantity):
        raise InputError(
            f"to = {to!r} has no unit; pass an end epoch (Time), output epochs (Time array) "
            "or a duration (e.g. 90 * u.min or a TimeDelta)",
            name="to",
            value=to,
            valid="Time, TimeDelta or time Quantity",
        )
    if type(to) is u.Quantity and to.unit is u.s and to.isscalar and math.isfinite(to.value):
        # The common "duration in seconds": what as_duration_s would return, without
        # astropy's unit machinery (tens of microseconds).
        t = float(to.value)
        return None, min(t, 0.0), max(t, 0.0)
    if isinstance(to, TimeDelta) or isinstance(to, u.Quantity):
        t = as_duration_s(to, "to")
        return None, min(t, 0.0), max(t, 0.0)
    ep = as_time(to, "to")
    if ep.isscalar:
        t = float((ep - state.epoch).to_value(u.s))
        return None, min(t, 0.0), max(t, 0.0)
    t_out = np.atleast_1d((ep - state.epoch).to_value(u.s)).astype(float)
    if t_out.ndim != 1 or t_out.size == 0:
        raise InputError(
            "output epochs must be a non-empty 1-d Time array", name="to", value=ep.shape
        )
    if np.any(np.diff(t_out) < 0):
        i = int(np.argmax(np.diff(t_out) < 0))
        raise EpochOrderError(
            f"output epochs are not in increasing order: {ep[i + 1].utc.isot} comes after "
            f"{ep[i].utc.isot}; sort them first",
            name="to",
            value=ep,
            valid="non-decreasing epochs",
        )
    return t_out, min(float(t_out[0]), 0.0), max(float(t_out[-1]), 0.0)


def _finite(values, name: str) -> np.ndarray:
    """check_finite, with a fast path for float64 arrays: a sum is finite only when every
    term is (an overflowing sum of finite values goes the full way)."""
    if type(values) is np.ndarray and values.dtype == np.float64 and math.isfinite(values.sum()):
        return values
    return check_finite(values, name)


def _built(force_model: ForceModel, jd_tt0: float | None) -> np.ndarray:
    """ForceModel.build, kept per (model, epoch): callers copy it (the kernels take
    writeable arrays). A model that cannot be hashed is built every time."""
    try:
        return _built_cached(force_model, jd_tt0)
    except TypeError:
        return force_model.build(jd_tt0)


@functools.lru_cache(maxsize=256)
def _built_cached(force_model: ForceModel, jd_tt0: float | None) -> np.ndarray:
    return force_model.build(jd_tt0)


@dataclass(frozen=True, slots=True)
class Propagator:
    """Frozen propagation settings: force model, method and tolerances.

    Parameters
    ----------
    force_model : ForceModel
        Forces (default :meth:`ForceModel.default`, J2-J4 + drag; for ``method="kepler"``
        the default is :meth:`ForceModel.two_body`, and any other model is an error).
    method : {"dop853", "kepler", "rk4", "rkn", "taylor"}
        Compiled adaptive Dormand-Prince 8(5,3) with dense output; analytic two-body
        (universal variables); classical RK4 with a fixed step ``step_s``; the
        Runge-Kutta-Nystrom 12(10) pair of Dormand, El-Mikkawy & Prince (1987) for
        r'' = f(t, r), 3-4 times faster than DOP853 at equal accuracy in LEO
        (:meth:`propagate_rv` and :func:`propagate_batch`; a force model with drag, which depends on the
        velocity, is integrated by DOP853); heyoka's Taylor integrator (optional
        ``heyoka`` extra; point-mass and zonal gravity; :meth:`propagate_rv` only; its
        tolerance is ``rtol``).
    rtol, atol : float
        DOP853 relative and absolute tolerances (atol in km and km/s). The defaults keep
        the position error of a day of LEO propagation at the millimetre-to-centimetre
        level (see ``tests/validation/test_propagator_vs_kepler.py``).
    step_s : float
        RK4 step in seconds.
    max_steps : int
        Steps per arc before :class:`PropagationError`.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> s = State.from_elements(Time("2026-01-01T00:00:00", scale="utc"),
    ...                         a=6768.137 * u.km, inc=41.47 * u.deg)
    >>> traj = Propagator().propagate(s, 1 * u.h)
    >>> traj.status
    'success'
    """

    force_model: ForceModel | None = None
    method: str = "dop853"
    rtol: float = 1e-10
    atol: float = 1e-10
    step_s: float = 10.0
    max_steps: int = 1_000_000

    def __post_init__(self):
        if self.method not in METHODS:
            raise UnknownNameError("propagation method", self.method, METHODS)
        fm = self.force_model
        if fm is None:
            fm = ForceModel.two_body() if self.method == "kepler" else ForceModel.default()
            object.__setattr__(self, "force_model", fm)
        if not isinstance(fm, ForceModel):
            raise InputError(
                f"force_model {fm!r} is not a ForceModel", name="force_model", value=fm
            )
        if self.method == "taylor":
            from ._taylor import check_taylor_model

            check_taylor_model(fm)
        if self.method == "kepler" and (fm.gravity.kind != "point-mass" or not fm.is_zonal_only):
            raise InputError(
                "method 'kepler' is analytic two-body motion; use force_model="
                "ForceModel.two_body() or method='dop853' for perturbed motion",
                name="method",
                value=self.method,
            )
        for name in ("rtol", "atol", "step_s"):
            value = getattr(self, name)
            ok = isinstance(value, int | float | np.floating) and not isinstance(value, bool)
            if not (ok and math.isfinite(value) and value > 0):
                raise InputError(
                    f"{name} = {value!r}; expected a finite number > 0", name=name, value=value
                )
        if self.rtol < 1e-14:
            raise InputError(
                f"rtol = {self.rtol!r} is below what float64 can deliver; expected >= 1e-14",
                name="rtol",
                value=self.rtol,
                valid=">= 1e-14",
            )
        ms = self.max_steps
        if isinstance(ms, bool) or not isinstance(ms, int | np.integer) or ms < 1:
            raise InputError(
                f"max_steps = {ms!r}; expected an integer >= 1", name="max_steps", value=ms
            )

    # -- kernel-level
    @property
    def _code(self) -> int:
        # "rkn" with drag: DOP853 (see the class docstring).
        return _METHOD_CODE.get(self.method, 0)

    @property
    def _nystrom(self) -> bool:
        """True when the RKN12(10) kernels integrate (method "rkn", no drag)."""
        return self.method == "rkn" and self.force_model.drag is None

    @property
    def _stop_radius(self) -> float:
        return self.force_model.earth.radius_km + REENTRY_ALTITUDE_KM

    def _params(self, epoch: Time | None) -> np.ndarray:
        if epoch is None:
            # Without an epoch the Earth's axis is the GCRS z axis (see propagate_rv).
            if self.force_model.needs_ephemerides:
                raise InputError(
                    "this force model (Sun, Moon or Harris-Priester bulge) needs the epoch; "
                    "pass epoch=...",
                    name="epoch",
                )
            return _built(self.force_model, None).copy()
        if not self.force_model.needs_epoch:
            # The same parameters but for P_JD0, which nothing reads then: skips astropy's
            # UTC -> TT conversion (tens of microseconds a call).
            return _built(self.force_model, None).copy()
        return _built(self.force_model, float(epoch.tt.jd)).copy()

    def propagate_rv(
        self, rv0_km, t_s, *, impulses_t_s=None, impulses_dv_km_s=None, epoch=None
    ) -> np.ndarray:
        """Kernel-level fast path: states (len(t_s), 6) in km, km/s at ``t_s`` seconds
        after the initial state (sorted; may straddle 0), with inertial impulses.

        Parameters
        ----------
        rv0_km : array (6,)
        t_s : array (n,), non-decreasing seconds from the initial epoch.
        impulses_t_s : array (k,), impulse times (s); an output at an impulse time gets
            the post-impulse state.
        impulses_dv_km_s : array (k, 3), inertial delta-v's (km/s).
        epoch : Time, optional
            Initial epoch; needed for Sun, Moon or Harris-Priester, and it sets the
            Earth's true pole of the zonal field (``ForceModel.pole``); without it
            the pole is the GCRS z axis.

        Returns
        -------
        ndarray (n, 6)
            States in km and km/s (GCRS), one row per ``t_s``.

        Raises
        ------
        InputError
            NaN or wrongly shaped state, unsorted ``t_s``, missing epoch.
        PropagationError
            Re-entry below 100 km before the last output time (``last_epoch`` is the
            re-entry time in seconds), or a solver failure.

        Examples
        --------
        >>> import numpy as np
        >>> from qingzhou_sim.forces import ForceModel
        >>> prop = Propagator(ForceModel.two_body())
        >>> rv0 = np.array([6768.137, 0.0, 0.0, 0.0, 5.7493, 5.0823])
        >>> rv = prop.propagate_rv(rv0, [0.0, 600.0], impulses_t_s=[300.0],
        ...                        impulses_dv_km_s=[[0.0, 1e-3, 0.0]])
        >>> rv.shape
        (2, 6)
        """
        y0 = _finite(rv0_km, "rv0_km").reshape(-1)
        if y0.shape != (6,):
            raise InputError(f"rv0_km has shape {y0.shape}; expected (6,)", name="rv0_km")
        t = _finite(np.atleast_1d(t_s), "t_s").astype(float).ravel()
        if t.size == 0:
            return np.empty((0, 6))
        if t.size > 1 and np.any(np.diff(t) < 0):
            raise EpochOrderError("t_s is not sorted in increasing order", name="t_s", value=t)
        if impulses_t_s is None:
            it = np.zeros(0)
            idv = np.zeros((0, 3))
        else:
            it = check_finite(np.atleast_1d(impulses_t_s), "impulses_t_s").astype(float).ravel()
            idv = check_finite(impulses_dv_km_s, "impulses_dv_km_s").reshape(-1, 3)
            if idv.shape[0] != it.shape[0]:
                raise InputError(
                    f"{it.shape[0]} impulse times but {idv.shape[0]} delta-v vectors",
                    name="impulses_dv_km_s",
                    value=idv.shape,
                )
        if epoch is not None and not (isinstance(epoch, Time) and not self.force_model.needs_epoch):
            # (A Time the force model does not read is not checked: tens of microseconds.)
            epoch = as_time(epoch)
        p = self._params(epoch)
        if self.method == "taylor":
            return self._taylor_rv(y0, t, it, idv, p)
        if t[0] >= 0.0:  # the common case: forward only
            return self._kernel_side(y0, t, it, idv, p, 1.0)
        out = np.empty((t.size, 6))
        neg = t < 0
        out[neg] = self._kernel_side(y0, t[neg][::-1], it, idv, p, -1.0)[::-1]
        if not np.all(neg):
            out[~neg] = self._kernel_side(y0, t[~neg], it, idv, p, 1.0)
        return out

    def _kernel_side(self, y0, tt, it, idv, p, sign) -> np.ndarray:
        """One side of 0 of propagate_rv (tt sorted away from 0) through the kernels."""
        tt = np.ascontiguousarray(tt)
        if it.size:
            order = np.argsort(sign * it, kind="stable")
            it, idv = it[order], np.ascontiguousarray(idv[order])
        tol = (float(self.rtol), float(self.atol))
        limits = (int(self.max_steps), self._stop_radius)
        if self._nystrom:
            from ._rkn import _propagate_rv_rkn  # (imported when used: ~7 ms)

            res, filled, t_stop, st = _propagate_rv_rkn(y0, tt, it, idv, p, *tol, *limits)
        elif self._code == 0:
            res, filled, t_stop, st = _propagate_rv_dop853(y0, tt, it, idv, p, *tol, *limits)
        else:
            res, filled, t_stop, st = _propagate_rv_kernel(
                self._code, y0, tt, it, idv, p, *tol, float(self.step_s), *limits
            )
        if st != _OK or filled < tt.size:
            what = (
                "re-entered (altitude < 100 km)"
                if st == _REENTRY
                else _STATUS_TEXT.get(st, "stopped")
            )
            raise PropagationError(
                f"propagation {what} at t = {t_stop:.3f} s, before the last output time "
                f"{tt[-1]:.3f} s",
                last_epoch=t_stop,
            )
        return res

    def _taylor_rv(self, y0, t, it, idv, p) -> np.ndarray:
        """propagate_rv through heyoka: each side of 0 separately, like the kernels."""
        from ._taylor import taylor_rv

        if t[0] >= 0.0:
            return taylor_rv(y0, t, it, idv, p, self.rtol, self._stop_radius)
        out = np.empty((t.size, 6))
        neg = t < 0
        for mask, sign in ((neg, -1.0), (~neg, 1.0)):
            if np.any(mask):
                tt = t[mask] if sign > 0 else t[mask][::-1]
                res = taylor_rv(y0, tt, it, idv, p, self.rtol, self._stop_radius)
                out[mask] = res if sign > 0 else res[::-1]
        return out

    # -- arcs
    def _arc(self, t0: float, y0: np.ndarray, t1: float, p: np.ndarray):
        """One arc as a _Segment and the kernel status."""
        mu = self.force_model.earth.mu_km3_s2
        if self.method == "dop853":
            ts, ys, Fs, st = _dop853_arc(
                t0,
                y0,
                t1,
                p,
                float(self.rtol),
                float(self.atol),
                int(self.max_steps),
                self._stop_radius,
            )
            return _Segment("dop853", ts, ys, Fs, mu, p), int(st)
        if self.method == "rk4":
            if abs(t1 - t0) / self.step_s > self.max_steps:
                raise PropagationError(
                    f"an RK4 arc of {abs(t1 - t0):g} s with step_s {self.step_s:g} s needs "
                    f"more than max_steps = {self.max_steps} steps; use a longer step_s",
                    last_epoch=t0,
                )
            ts, ys, fs, st = _rk4_arc(t0, y0, t1, float(self.step_s), p, self._stop_radius)
            seg = _Segment("rk4", ts, ys, fs, mu)
            if st == _REENTRY:
                # Locate the crossing on the Hermite interpolant of the last step.
                from scipy.optimize import brentq

                a, b = ts[-2], ts[-1]
                tc = brentq(
                    lambda t: np.linalg.norm(seg.eval(t)[0, :3]) - self._stop_radius,
                    min(a, b),
                    max(a, b),
                    xtol=1e-7,
                )
                # Redo the last step as a true RK4 step ending on the crossing.
                k1, k2, k3, k4, ytmp, ynew = (np.empty(6) for _ in range(6))
                _rk4_step(ts[-2], ys[-2].copy(), tc - ts[-2], p, k1, k2, k3, k4, ytmp, ynew)
                ts, ys, fs = ts.copy(), ys.copy(), fs.copy()
                ts[-1], ys[-1], fs[-1] = tc, ynew, _rhs(tc, ynew, p)
                seg = _Segment("rk4", ts, ys, fs, mu)
            return seg, int(st)
        # Kepler: nodes every 1/64 period, evaluated analytically.
        r0 = np.linalg.norm(y0[:3])
        energy = 0.5 * np.dot(y0[3:], y0[3:]) - mu / r0
        period = 2 * np.pi * np.sqrt((-mu / (2 * energy)) ** 3 / mu) if energy < 0 else abs(t1 - t0)
        n = max(1, int(np.ceil(abs(t1 - t0) / (period / 64.0))))
        ts = np.linspace(t0, t1, n + 1)
        if n > self.max_steps:
            raise PropagationError(
                f"a Kepler arc of {abs(t1 - t0):g} s needs {n} nodes, more than max_steps = "
                f"{self.max_steps}",
                last_epoch=t0,
            )
        ys = _kepler_many(mu, np.repeat(y0[None], n + 1, 0), ts - t0)
        if not np.all(np.isfinite(ys)):
            raise PropagationError(
                f"the universal-variable Kepler solver did not converge over {t1 - t0:g} s "
                f"(energy {energy:g} km^2/s^2)",
                last_epoch=t0,
            )
        rn = np.linalg.norm(ys[:, :3], axis=1)
        if np.any(rn < self._stop_radius):
            # Perigee below the re-entry altitude: stop at the first crossing.
            from scipy.optimize import brentq

            i = int(np.argmax(rn < self._stop_radius))
            if i == 0:
                return _Segment("kepler", ts[:1], ys[:1], None, mu), _REENTRY
            seg = _Segment("kepler", ts, ys, None, mu)
            tc = brentq(
                lambda t: np.linalg.norm(seg.eval(t)[0, :3]) - self._stop_radius,
                min(ts[i - 1], ts[i]),
                max(ts[i - 1], ts[i]),
                xtol=1e-7,
            )
            return seg.truncated(tc, seg.eval(tc)[0]), _REENTRY
        return _Segment("kepler", ts, ys, None, mu), _OK

    def _leg(self, epoch0, y0, t_end, burns, events, p):
        """Propagate from 0 to t_end through the burns (sorted in integration order)."""
        segments, records, applied = [], [], []
        t, y = 0.0, y0.copy()
        backward = t_end < 0
        stops = [(tb, b) for tb, b in burns] + [(t_end, None)]

        def record(tc, yc, name, terminal):
            ep = epoch0 + TimeDelta(tc, format="sec")
            return EventRecord(name, ep, State.from_vectors(ep, yc[:3], yc[3:]), terminal)

        for t_stop, burn in stops:
            if t_stop != t:
                try:
                    seg, st = self._arc(t, y, t_stop, p)
                except PropagationError as err:
                    raise PropagationError(
                        str(err), last_epoch=epoch0 + TimeDelta(t, format="sec")
                    ) from None
                if st not in (_OK, _REENTRY):
                    t_last = float(seg.ts[-1])
                    raise PropagationError(
                        f"propagation failed: {_STATUS_TEXT[st]} at {t_last:.3f} s after "
                        f"{epoch0.utc.isot} UTC (method {self.method}, rtol {self.rtol}, "
                        f"atol {self.atol})",
                        last_epoch=epoch0 + TimeDelta(t_last, format="sec"),
                    )
                t_reentry = float(seg.ts[-1]) if st == _REENTRY else None
                found = _find_events(seg, events, t_reentry)
                term = next((e for e in found if e[3]), None)
                if term is not None:
                    tc, yc, name, _ = term
                    seg = seg.truncated(tc, yc)
                    keep = [e for e in found if (e[0] <= tc if not backward else e[0] >= tc)]
                    records += [record(*e) for e in keep]
                    segments.append((seg, (min(t, tc), max(t, tc))))
                    return (
                        segments,
                        records,
                        applied,
                        "terminated",
                        f"terminal event {name!r} at {tc:.3f} s",
                    )
                records += [record(*e) for e in found]
                segments.append((seg, (seg.lo, seg.hi)))
                y = seg.ys[-1].copy()
                if st == _REENTRY:
                    tc = float(seg.ts[-1])
                    records.append(record(tc, y, "reentry", True))
                    ep = epoch0 + TimeDelta(tc, format="sec")
                    return (
                        segments,
                        records,
                        applied,
                        "reentry",
                        (
                            f"re-entry: altitude fell below {REENTRY_ALTITUDE_KM:g} km at "
                            f"{ep.utc.isot} UTC "
                            f"({tc:.3f} s after the initial epoch)"
                        ),
                    )
                t = t_stop
            if burn is not None:
                dv = burn.dv_km_s
                if not backward:
                    y[3:] += _dv_to_inertial(burn.frame, y[:3], y[3:], dv)
                else:
                    # y is post-burn; the frame is the pre-burn state's: fixed-point iteration.
                    pre = y.copy()
                    for _ in range(4):
                        pre[3:] = y[3:] - _dv_to_inertial(burn.frame, pre[:3], pre[3:], dv)
                    y = pre
                applied.append(burn)
                if t_stop == t_end:
                    # A burn at the very end: a one-point arc carries the post-burn
                    # state (later arcs win at burn epochs), so the end state has it.
                    post = _Segment("rk4", np.array([t_end]), y[None].copy(), y[None].copy(), 0.0)
                    segments.append((post, (t_end, t_end)))
        return segments, records, applied, "success", "propagation completed"

    def propagate(self, state: State, to, *, burns=(), events=(), output_step=None) -> Trajectory:
        """Propagate ``state`` to ``to``, applying ``burns`` and locating ``events``.

        Parameters
        ----------
        state : State
        to : Time, Time array, TimeDelta or time Quantity
            The end epoch (a Time); the output epochs (a Time array, non-decreasing;
            it may straddle the initial epoch); or a duration (negative = backward).
        burns : sequence of Burn
            Applied at their exact epochs (the arc is split and the integrator
            restarted); all must lie inside the propagation span.
        events : sequence of Event or callables g(t_s, y)
            ``t_s`` is seconds since ``state.epoch``. Re-entry (altitude < 100 km) is
            always detected and terminal.
        output_step : TimeDelta or time Quantity, optional
            Uniform sampling of the result; by default the samples are the integrator's
            steps (or the requested epochs).

        Returns
        -------
        Trajectory

        Raises
        ------
        InputError
            Bad state, unordered output epochs, burns outside the span.
        PropagationError
            The integrator failed (``last_epoch`` says where).
        """
        if not isinstance(state, State):
            raise InputError(
                f"state must be a State, got {type(state).__name__}", name="state", value=state
            )
        if self.method in ("taylor", "rkn"):
            what = "(heyoka) " if self.method == "taylor" else ""
            raise InputError(
                f"method {self.method!r} {what}serves propagate_rv only for now (no dense "
                "output for trajectories, events or burns by epoch); use method='dop853' here",
                name="method",
                value=self.method,
                valid=tuple(m for m in METHODS if m not in ("taylor", "rkn")),
            )
        epoch0 = state.epoch
        t_out, t_lo, t_hi = _parse_to(state, to)
        events = tuple(events)
        for ev in events:
            _event_meta(ev)
        bl, t_burn = [], {}
        for b in tuple(burns):
            if not isinstance(b, Burn):
                raise InputError(f"burn {b!r} is not a Burn", name="burns", value=b)
            tb = float((b.epoch - epoch0).to_value(u.s))
            t_burn[id(b)] = tb  # for the sort of the applied burns (Time arithmetic once)
            if t_lo - _BURN_TOL_S <= tb < t_lo or t_hi < tb <= t_hi + _BURN_TOL_S:
                # An end given as a duration and a burn dated from sums of durations
                # differ by round-off: the burn is at the end.
                tb = min(max(tb, t_lo), t_hi)
            if not (t_lo <= tb <= t_hi):
                raise InputError(
                    f"burn {b.label or '(unnamed)'} at {b.epoch.utc.isot} UTC is outside the "
                    f"propagation span [{t_lo:.3f}, {t_hi:.3f}] s from {epoch0.utc.isot} UTC",
                    name="burns",
                    value=b.epoch,
                )
            bl.append((tb, b))
        p = self._params(epoch0)
        y0 = state.rv_km.astype(float)
        if np.linalg.norm(y0[:3]) < self._stop_radius:
            seg = _Segment(
                "kepler" if self.method == "kepler" else "rk4",
                np.array([0.0]),
                y0[None],
                y0[None],
                0.0,
            )
            rec = EventRecord("reentry", epoch0, state, True)
            return Trajectory(
                epoch0,
                np.array([0.0]),
                y0[None],
                (rec,),
                (),
                "reentry",
                f"re-entry: the initial altitude is below {REENTRY_ALTITUDE_KM:g} km",
                self.method,
                (seg,),
                (0.0, 0.0),
                state,
            )
        legs = []
        if t_lo < 0:
            back = sorted([x for x in bl if x[0] < 0], key=lambda x: -x[0])
            legs.append(self._leg(epoch0, y0, t_lo, back, events, p))
        if t_hi > 0 or t_lo == 0:
            fwd = sorted([x for x in bl if x[0] >= 0], key=lambda x: x[0])
            legs.append(self._leg(epoch0, y0, t_hi, fwd, events, p))
        segs, records, applied, status, messages = [], [], [], "success", []
        for lseg, lrec, lapp, lstat, lmsg in legs:
            segs += lseg
            records += lrec
            applied += lapp
            if lstat != "success":
                status = lstat
            messages.append(lmsg)
        segs.sort(key=lambda s: (s[1][0], s[1][1]))
        span = (
            min(s[1][0] for s in segs) if segs else 0.0,
            max(s[1][1] for s in segs) if segs else 0.0,
        )
        segments = tuple(s[0] for s in segs)
        if not segments:  # zero-length propagation
            segments = (_Segment("rk4", np.array([0.0]), y0[None], y0[None], 0.0),)
        traj = Trajectory(
            epoch0,
            np.zeros(0),
            np.zeros((0, 6)),
            (),
            (),
            status,
            "",
            self.method,
            segments,
            span,
            state,
        )
        rv = None
        if t_out is not None:
            ts = t_out[(t_out >= span[0]) & (t_out <= span[1])]
        elif output_step is not None:
            dt = as_duration_s(output_step, "output_step")
            _check_samples(dt, span[1] - span[0])
            ts = np.arange(span[0], span[1], dt)
            ts = np.append(ts, span[1]) if ts.size == 0 or ts[-1] < span[1] else ts
        elif len(segs) == 1 and segs[0][1] == (segs[0][0].lo, segs[0][0].hi):
            # One whole arc (the common case): its nodes are the integrator's own states,
            # no interpolation needed.
            seg = segs[0][0]
            order = slice(None) if seg.ts[-1] >= seg.ts[0] else slice(None, None, -1)
            ts, rv = seg.ts[order], seg.ys[order]
        else:
            nodes = []
            for seg, (a, b) in segs:
                tt = seg.ts[(seg.ts >= a) & (seg.ts <= b)]
                tt = np.sort(np.unique(np.concatenate([tt, [a, b]])))
                nodes.append(tt)
            ts = np.unique(np.concatenate(nodes)) if nodes else np.array([0.0])
        if rv is None:
            rv = traj._eval(ts) if ts.size else np.zeros((0, 6))
        records.sort(key=lambda r: float((r.epoch - epoch0).to_value(u.s)))
        applied.sort(key=lambda b: t_burn[id(b)])
        message = "; ".join(m for m in messages)
        if t_out is not None and ts.size < t_out.size:
            message += (
                f"; {t_out.size - ts.size} requested epoch(s) beyond the end were not reached"
            )
        return Trajectory(
            epoch0,
            ts,
            rv,
            tuple(records),
            tuple(applied),
            status,
            message,
            self.method,
            segments,
            span,
            state,
        )


# --------------------------------------------------------------------------- batch
@dataclass(frozen=True, slots=True)
class BatchHistory:
    """States of a batch at common epochs: ``rv_km`` (n_samples, n_epochs, 6); rows of a
    sample that re-entered are NaN after its re-entry (``status`` 1)."""

    epochs: Time
    rv_km: np.ndarray
    status: np.ndarray


@contextmanager
def _threads(parallel: bool):
    """Run numba's parallel loops on the free cores (at most numba's thread count), or
    on the calling thread only (``numba.set_num_threads`` is per calling thread)."""
    previous = numba.get_num_threads()
    n = min(previous, _free_cores()) if parallel else 1
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def propagate_batch(
    states: StateBatch,
    duration,
    *,
    force_model: ForceModel | None = None,
    step=None,
    output: str = "final",
    output_step=None,
    rtol: float = 1e-9,
    atol: float = 1e-9,
    parallel: bool = False,
    method: str = "dop853",
):
    """Propagate N states (one common epoch) together in compiled code.

    Parameters
    ----------
    states : StateBatch
        n states at one epoch (N up to 1e5 and more: memory is O(n) for ``"final"``).
    duration : TimeDelta or time Quantity (negative = backward)
    force_model : ForceModel, default ForceModel.default()
    step : time Quantity, optional
        If given, fixed-step RK4 with this step (one sample per thread). Otherwise
        adaptive DOP853 with ``rtol``/``atol`` (the defaults give decimetre accuracy
        over a day in LEO), vectorised over blocks of 64 samples that each keep their
        own step size. A sample's result does not depend on the other samples, on
        how a campaign is chunked or on the number of threads.
    output : {"final", "history"}
        "final": a StateBatch of final states. A sample that re-entered (altitude
        < 100 km) ends at its re-entry, so the batch then carries one epoch per sample.
        "history": a :class:`BatchHistory` at every ``output_step``.
    method : {"dop853", "rkn", "taylor"}
        The adaptive integrator (ignored when ``step`` is given): DOP853 in vectorised
        blocks; the Runge-Kutta-Nystrom 12(10) pair, one sample at a time (a force
        model with drag falls back to DOP853); heyoka's SIMD batch Taylor integrator
        (``heyoka`` extra; point-mass and zonal gravity; ``output="final"``; its
        tolerance is ``rtol``). See :class:`Propagator`.
    parallel : bool
        Spread the samples over numba's threads, as many as there are free cores
        (the CPUs this process may use minus the 1-minute load average of the other
        processes; one when the machine is busy), so that it is never slower than one
        thread. Off by default: campaigns scale with processes (``montecarlo.py``
        takes an Executor), and threads inside every process would oversubscribe the
        cores.

    Returns
    -------
    StateBatch (``output="final"``) or BatchHistory (``output="history"``)

    Raises
    ------
    InputError
        Not a StateBatch, several epochs, unknown output, missing output_step.
    PropagationError
        If any sample's integration failed (the indices are in the message).

    Examples
    --------
    >>> import astropy.units as u
    >>> import numpy as np
    >>> from astropy.time import Time
    >>> from qingzhou_sim.state import StateBatch
    >>> r = np.array([[6768.137, 0.0, 0.0], [6769.137, 0.0, 0.0]])
    >>> v = np.array([[0.0, 5.7493, 5.0823], [0.0, 5.7493, 5.0823]])
    >>> final = propagate_batch(StateBatch.from_vectors(Time("2026-01-01", scale="utc"), r, v),
    ...                         6 * u.h)
    >>> len(final), final.epochs.isot
    (2, '2026-01-01T06:00:00.000')
    """
    if not isinstance(states, StateBatch):
        raise InputError(f"states must be a StateBatch, got {type(states).__name__}", name="states")
    epoch0 = states.epochs
    if not epoch0.isscalar:
        if np.any(np.abs((epoch0 - epoch0[0]).to_value(u.s)) > 0.0):
            raise InputError(
                "propagate_batch needs states at one common epoch; propagate each group "
                "of equal epochs separately",
                name="states",
            )
        epoch0 = epoch0[0]
    if output not in ("final", "history"):
        raise UnknownNameError("batch output", output, ("final", "history"))
    if method not in ("dop853", "rkn", "taylor"):
        raise UnknownNameError("batch propagation method", method, ("dop853", "rkn", "taylor"))
    if method == "taylor" and output != "final":
        raise InputError(
            "method 'taylor' in propagate_batch gives final states only; use "
            "output='final' or method='rkn'",
            name="output",
            value=output,
            valid="final",
        )
    prop = Propagator(
        force_model=force_model,
        method=method if step is None else "rk4",
        rtol=rtol,
        atol=atol,
        step_s=10.0 if step is None else as_duration_s(step, "step"),
    )
    t_end = as_duration_s(duration, "duration")
    y0s = np.ascontiguousarray(states.rv_km, dtype=float)
    p = prop._params(epoch0)
    args = (
        float(prop.rtol),
        float(prop.atol),
        float(prop.step_s),
        int(prop.max_steps),
        prop._stop_radius,
    )
    if output == "final":
        with _threads(parallel):
            if prop.method == "taylor":
                from ._taylor import taylor_batch_final

                y, tstop, st = taylor_batch_final(y0s, t_end, p, prop.rtol, prop._stop_radius)
            elif prop._nystrom:
                from ._rkn_ensemble import _batch_final_rkn_ensemble

                y, tstop, st = _batch_final_rkn_ensemble(y0s, t_end, p, *args[:2], *args[3:])
            elif prop._code == 0:
                y, tstop, st = _batch_final_ensemble(y0s, t_end, p, *args[:2], *args[3:])
            else:
                y, tstop, st = _batch_final(prop._code, y0s, t_end, p, *args)
        bad = np.flatnonzero((st != _OK) & (st != _REENTRY))
        if bad.size:
            raise PropagationError(
                f"{bad.size} sample(s) failed ({_STATUS_TEXT[int(st[bad[0]])]}), indices "
                f"{bad[:10].tolist()}",
                last_epoch=epoch0 + TimeDelta(float(tstop[bad[0]]), format="sec"),
            )
        if np.all(st == _OK):
            ep = epoch0 + TimeDelta(t_end, format="sec")
        else:
            ep = epoch0 + TimeDelta(tstop, format="sec")
        return StateBatch.from_vectors(ep, y[:, :3], y[:, 3:])
    if output_step is None:
        raise InputError("output='history' needs output_step", name="output_step")
    dt = as_duration_s(output_step, "output_step")
    _check_samples(dt, abs(t_end), len(states))
    n = int(math.floor(abs(t_end) / dt + 1e-9))
    t_out = np.sign(t_end) * dt * np.arange(1, n + 1) if t_end else np.zeros(0)
    if t_out.size == 0 or t_out[-1] != t_end:
        t_out = np.append(t_out, t_end)
    with _threads(parallel):
        if prop._nystrom:
            from ._rkn import _batch_rkn

            res, filled, _, _, st = _batch_rkn(y0s, t_out, p, *args[:2], *args[3:])
        else:
            res, filled, st = _batch_history(prop._code, y0s, t_out, p, *args)
    bad = np.flatnonzero((st != _OK) & (st != _REENTRY))
    if bad.size:
        raise PropagationError(f"{bad.size} sample(s) failed, indices {bad[:10].tolist()}")
    return BatchHistory(epoch0 + TimeDelta(t_out, format="sec"), res, st)


# --------------------------------------------------------------------------- diagnostics
def _rv_of(rv) -> np.ndarray:
    if hasattr(rv, "rv_km"):
        return np.asarray(rv.rv_km, dtype=float)
    return check_finite(rv, "rv")


def specific_energy(rv, mu_km3_s2: float = EARTH.mu_km3_s2) -> u.Quantity:
    """Two-body specific orbital energy v^2/2 - mu/r (km^2/s^2), conserved by point-mass
    motion. ``rv``: (..., 6) km and km/s, a State, StateBatch or Trajectory.

    Examples
    --------
    >>> import numpy as np
    >>> e = specific_energy(np.array([7000.0, 0, 0, 0, 7.546049, 0]))
    >>> round(float(e.value), 3)
    -28.471
    """
    y = _rv_of(rv)
    r = np.sqrt(np.einsum("...i,...i->...", y[..., :3], y[..., :3]))
    return (0.5 * np.einsum("...i,...i->...", y[..., 3:], y[..., 3:]) - mu_km3_s2 / r) * (
        u.km**2 / u.s**2
    )


def zonal_jacobi_integral(
    rv, earth: EarthModel = EARTH, max_degree: int = 4, pole=(0.0, 0.0, 1.0)
) -> u.Quantity:
    r"""Jacobi-like integral of an axisymmetric, uniformly rotating field (km^2/s^2).

    :math:`C = v^2/2 - U(r) - \omega_\oplus \hat k \cdot (r \times v)`, inertial r
    and v, :math:`\hat k` the field's axis (``pole``, GCRS): the
    energy in the frame rotating with the Earth, conserved exactly by zonal gravity
    (U time-independent in that frame) about a fixed axis (``ForceModel(pole="gcrs-z")``;
    the true pole precesses, 0.14 arcsec a day); for a zonal-only field the rotation term is
    itself constant (h.k is conserved), so C and the inertial energy are both integrals.

    References
    ----------
    Landau & Lifshitz, *Mechanics*, 3rd ed., sec. 39 (energy in a rotating frame);
    Montenbruck & Gill (2000), eq. 3.7 (zonal potential).

    Examples
    --------
    >>> import astropy.units as u
    >>> from qingzhou_sim.forces import ForceModel, ZonalGravity
    >>> from astropy.time import Time
    >>> from qingzhou_sim.state import State
    >>> s = State.from_elements(Time("2026-01-01", scale="utc"), a=6768.137 * u.km,
    ...                         inc=41.47 * u.deg)
    >>> fm = ForceModel(gravity=ZonalGravity(4), pole="gcrs-z")  # a fixed axis
    >>> prop = Propagator(fm, rtol=1e-11, atol=1e-11)
    >>> c = zonal_jacobi_integral(prop.propagate(s, 6 * u.h).rv_km).value
    >>> bool(abs(c.max() - c.min()) < 1e-10 * abs(c[0]))
    True
    """
    y = _rv_of(rv)
    v2 = np.einsum("...i,...i->...", y[..., 3:], y[..., 3:])
    k = np.asarray(pole, dtype=float)
    hk = np.cross(y[..., :3], y[..., 3:]) @ k
    u_zonal = zonal_potential(y[..., :3], earth, max_degree, k)
    return (0.5 * v2 - u_zonal - earth.omega_rad_s * hk) * (u.km**2 / u.s**2)
