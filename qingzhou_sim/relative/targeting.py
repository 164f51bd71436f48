r"""Relative targeting in the target's LVLH frame: two-impulse transfers (CW and YA),
V-bar hops (tangential and radial), forced straight-line motion, Hablani multi-pulse
glideslopes and fly-arounds between approach axes.

Every plan is a :class:`ManeuverPlan`: burn times (s since the initial state), delta-v
vectors **in the target's LVLH frame** (x V-bar, y H-bar, z R-bar), the waypoints, and
enough of the model to sample the trajectory. ``plan.burns(epoch0)`` turns it into
:class:`~qingzhou_sim.maneuvers.Burn` objects that execute the plan in the target's
LVLH: a Burn's LVLH is the chaser's own, rotated from the target's by ``|r| / R`` rad
(1.5e-4 rad per km of separation, 9-36 m of miss on a 5-10 km transfer if ignored), so
each delta-v is rotated into it (or given in GCRS with ``burns(target=...)``).

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, sec. 3.3
(eqs. 3.25-3.44). Hablani, H. B., Tapper, M. L., Dana-Bashian, D. J. (2002), "Guidance
and relative navigation for autonomous rendezvous in a circular orbit", J. Guid.
Control Dyn. 25(3), 553-562. Yamanaka & Ankersen (2002), JGCD 25(1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import (
    EARTH,
    EarthModel,
    as_array,
    as_count,
    as_duration_s,
    as_quantity,
    as_time,
)
from ..errors import InputError, UnknownNameError
from ._kernels import (
    MAX_CONDITION,
    _cw_forced_acceleration,
    _cw_stm,
    _glideslope_profile,
    _radial_hop,
    _two_impulse_from_stm,
    _vbar_hop,
    _ya_stm,
)
from .safety import _axis_vector
from .stm import (
    _MAX_REL_KM,
    _MAX_REL_KM_S,
    RelativeTrajectory,
    _bounded,
    _mean_motion_rad_s,
    _target_elements,
)

__all__ = [
    "ForcedMotionPlan",
    "ManeuverPlan",
    "fly_around",
    "glideslope",
    "radial_hop",
    "straight_line",
    "tangential_hop",
    "two_impulse_transfer",
]


# ------------------------------------------------------------------- dynamics holder
@dataclass(frozen=True, slots=True)
class _Dynamics:
    """Which linear model a plan was made with (kernel units)."""

    model: str
    n_rad_s: float
    mu: float = EARTH.mu_km3_s2
    a_km: float = 0.0
    ecc: float = 0.0
    nu0_rad: float = 0.0

    @property
    def period_s(self) -> float:
        return 2.0 * math.pi / self.n_rad_s

    def stm(self, t0_s: float, t_s) -> np.ndarray:
        """STM from ``t0_s`` to ``t_s`` (array) since the plan's start."""
        dt = np.asarray(t_s, dtype=float) - t0_s
        if self.model == "CW":
            return _cw_stm(self.n_rad_s, dt)
        # YA from an intermediate time: the target's true anomaly at t0
        nu_t0 = _nu_at(self, t0_s)
        return _ya_stm(self.mu, self.a_km, self.ecc, nu_t0, dt)


def _target_motion(dyn: _Dynamics, t_s: np.ndarray):
    """Radius (km), radial rate (km/s) and angular rate (rad/s) of the plan's Keplerian
    target at ``t_s`` (circular for CW). Vallado (2013), eqs. 2-83 and 2-86."""
    t_s = np.asarray(t_s, dtype=float)
    if dyn.model == "CW":
        r = (dyn.mu / dyn.n_rad_s**2) ** (1.0 / 3.0)
        return np.full(t_s.shape, r), np.zeros(t_s.shape), np.full(t_s.shape, dyn.n_rad_s)
    nu = np.array([_nu_at(dyn, t) for t in t_s])
    p = dyn.a_km * (1.0 - dyn.ecc**2)
    r = p / (1.0 + dyn.ecc * np.cos(nu))
    return r, np.sqrt(dyn.mu / p) * dyn.ecc * np.sin(nu), np.sqrt(dyn.mu * p) / r**2


def _dv_lvlh_of_target_to_gcrs(target, epochs, dv_km_s, propagator) -> np.ndarray:
    """Delta-v's (k, 3) given in the target's LVLH at ``epochs`` -> GCRS (km/s)."""
    from ..frames import _lvlh_basis
    from ..propagator import Propagator

    prop = Propagator(method="kepler") if propagator is None else propagator
    out = np.empty((len(epochs), 3))
    for i, epoch in enumerate(epochs):
        s = prop.propagate(target, epoch).final_state
        out[i] = _lvlh_basis(s.r_km, s.v_km_s).T @ dv_km_s[i]
    return out


def _nu_at(dyn: _Dynamics, t_s: float) -> float:
    from ._kernels import _kepler_true_anomaly

    return float(_kepler_true_anomaly(dyn.ecc, dyn.nu0_rad, dyn.n_rad_s, np.asarray(t_s)))


def _dynamics(model: str, mean_motion, target, earth: EarthModel) -> _Dynamics:
    if model == "CW":
        return _Dynamics("CW", _mean_motion_rad_s(mean_motion, target, earth), earth.mu_km3_s2)
    if model == "YA":
        if target is None:
            raise InputError("model 'YA' needs the target State (target=...)", name="target")
        el = _target_elements(target, earth)
        n = math.sqrt(earth.mu_km3_s2 / el[0] ** 3)
        return _Dynamics("YA", n, earth.mu_km3_s2, float(el[0]), float(el[1]), float(el[5]))
    raise UnknownNameError("targeting model", model, ("CW", "YA"))


# ---------------------------------------------------------------------- result types
@dataclass(frozen=True, slots=True)
class ManeuverPlan:
    """Impulsive manoeuvres planned in the target's LVLH frame.

    Attributes
    ----------
    t_s : ndarray (k,)
        Burn times, seconds since the plan's initial state.
    dv_lvlh : Quantity (k, 3)
        Delta-v vectors in the target's LVLH (m/s).
    labels : tuple of str
    waypoints : Quantity (k, 3)
        LVLH positions of the chaser at the burns (km).
    x0 : ndarray (6,)
        Initial LVLH state before the first burn (km, km/s).
    frame : str
        Always ``"LVLH"`` (the target's).
    model : str
        ``"CW"`` or ``"YA"``.
    epoch0 : Time or None
        Epoch of ``t_s = 0`` when known.
    """

    t_s: np.ndarray
    dv_lvlh: u.Quantity
    labels: tuple
    waypoints: u.Quantity
    x0: np.ndarray
    frame: str
    model: str
    _dyn: _Dynamics
    epoch0: Time | None = None

    @property
    def dv_km_s(self) -> np.ndarray:
        return self.dv_lvlh.to_value(u.km / u.s)

    @property
    def total_dv(self) -> u.Quantity:
        """Sum of the burn magnitudes (m/s)."""
        return float(np.linalg.norm(self.dv_lvlh.to_value(u.m / u.s), axis=-1).sum()) * (u.m / u.s)

    @property
    def duration(self) -> u.Quantity:
        return float(self.t_s[-1] - self.t_s[0]) * u.s

    def burns(self, epoch0: Time | None = None, *, target=None, propagator=None) -> tuple:
        """The burns as :class:`~qingzhou_sim.maneuvers.Burn`, executing the plan's
        delta-v in the frame it was computed in, the target's LVLH.

        A Burn's ``"LVLH"`` is the chaser's own frame, rotated from the target's by
        about ``|r| / R`` (1.5e-4 rad per km of separation). Without ``target`` each
        delta-v is rotated into the chaser's LVLH at the planned relative state (the
        plan's Keplerian target: circular for CW, its ellipse for YA); with ``target``
        (the target's State) it is given in GCRS from the target's LVLH at the burn
        epoch, the target propagated by ``propagator`` (default two-body Kepler).

        References
        ----------
        Fehse (2003), sec. 3.2 (LVLH of the target; relative velocity in the rotating
        frame: an impulse is the same vector in both).
        """
        from ..maneuvers import Burn, _dv_target_to_chaser_lvlh

        ep = self.epoch0 if epoch0 is None else as_time(epoch0, "epoch0")
        if ep is None:
            raise InputError(
                "give epoch0 (the epoch of t_s = 0) to make Burn objects", name="epoch0"
            )
        epochs = [ep + float(t) * u.s for t in self.t_s]
        if target is not None:
            dv_gcrs = _dv_lvlh_of_target_to_gcrs(target, epochs, self.dv_km_s, propagator)
            return tuple(
                Burn(e, dv_gcrs[i] * 1e3 * (u.m / u.s), "GCRS", self.labels[i])
                for i, e in enumerate(epochs)
            )
        rel = self.trajectory(self.t_s).rv_km
        rel[:, 3:] -= self.dv_km_s  # the state just before each burn
        r_t, rdot_t, nudot = _target_motion(self._dyn, self.t_s)
        dv = _dv_target_to_chaser_lvlh(rel, r_t, rdot_t, nudot, self.dv_km_s) * 1e3
        return tuple(
            Burn(e, dv[i] * (u.m / u.s), "LVLH", self.labels[i]) for i, e in enumerate(epochs)
        )

    def state_after(self, t_s: float) -> np.ndarray:
        """LVLH state (6,) at ``t_s`` with the burns at times <= ``t_s`` applied."""
        return self.trajectory(np.array([t_s])).rv_km[-1]

    def trajectory(self, t=None, *, step: u.Quantity = 10 * u.s) -> RelativeTrajectory:
        """The planned free-flight trajectory sampled at times ``t`` (Quantity, since the
        initial state) or every ``step``; a burn at a sample time is applied before it."""
        if t is None:
            dt = float(as_array(step, u.s, "step", shape=()))
            ts = np.arange(0.0, self.t_s[-1], dt)
            ts = np.union1d(ts, self.t_s)
        else:
            ts = np.atleast_1d(
                as_array(t, u.s, "t") if isinstance(t, u.Quantity) else np.asarray(t, float)
            )
        out = np.empty((ts.size, 6))
        dv = self.dv_km_s
        edges = np.append(self.t_s, np.inf)
        x = self.x0.copy()
        t_prev = 0.0
        sel = ts < edges[0]
        if np.any(sel):
            out[sel] = np.einsum("mij,j->mi", self._dyn.stm(t_prev, ts[sel]), x)
        for i, tb in enumerate(self.t_s):
            x = self._dyn.stm(t_prev, np.array(tb)) @ x
            x[3:] += dv[i]
            t_prev = float(tb)
            sel = (ts >= tb) & (ts < edges[i + 1])
            if np.any(sel):
                out[sel] = np.einsum("mij,j->mi", self._dyn.stm(t_prev, ts[sel]), x)
        return RelativeTrajectory(
            ts, out[:, :3] * u.km, out[:, 3:] * (u.km / u.s), "LVLH", self.model, self.epoch0
        )

    def __str__(self) -> str:
        lines = [f"ManeuverPlan ({self.model}, dv in target LVLH), total {self.total_dv:.4f}"]
        for i, t in enumerate(self.t_s):
            d = self.dv_lvlh[i].to_value(u.m / u.s)
            lines.append(
                f"  {self.labels[i]:>8s}  t = {t:9.1f} s  dv = [{d[0]:+.4f}, {d[1]:+.4f}, "
                f"{d[2]:+.4f}] m/s"
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ForcedMotionPlan:
    """Straight-line motion at constant rotating-frame velocity.

    Attributes
    ----------
    t_s : ndarray (m,)
        Sample times (s).
    r_lvlh : Quantity (m, 3)
        Positions on the line.
    velocity_lvlh : Quantity (3,)
        The constant rotating-frame velocity.
    acceleration_lvlh : Quantity (m, 3)
        Continuous acceleration that keeps the chaser on the line (m/s^2), CW.
    dv_start, dv_stop : Quantity (3,)
        Impulses to start from rest and stop at the end (m/s).
    dv_continuous : Quantity
        Integral of the acceleration magnitude (m/s).
    total_dv : Quantity
        ``|dv_start| + dv_continuous + |dv_stop|`` (m/s).
    pulses : ManeuverPlan or None
        Multi-pulse approximation (CW transfers between equally spaced points on the
        line) when ``n_pulses`` was given.
    """

    t_s: np.ndarray
    r_lvlh: u.Quantity
    velocity_lvlh: u.Quantity
    acceleration_lvlh: u.Quantity
    dv_start: u.Quantity
    dv_stop: u.Quantity
    dv_continuous: u.Quantity
    total_dv: u.Quantity
    pulses: ManeuverPlan | None = None

    def __str__(self) -> str:
        return (
            f"ForcedMotionPlan: {self.t_s[-1]:.1f} s at "
            f"{np.linalg.norm(self.velocity_lvlh.to_value(u.m / u.s)):.3f} m/s, total dv "
            f"{self.total_dv:.4f} (continuous {self.dv_continuous:.4f})"
        )


# --------------------------------------------------------------------- core helpers
def _state6(r, v, rname: str, vname: str) -> np.ndarray:
    return np.concatenate(
        [
            _bounded(as_array(r, u.km, rname, shape=(3,)), _MAX_REL_KM, rname, "km"),
            _bounded(as_array(v, u.km / u.s, vname, shape=(3,)), _MAX_REL_KM_S, vname, "km/s"),
        ]
    )


def _chain(
    dyn: _Dynamics,
    waypoints: np.ndarray,
    times: np.ndarray,
    v_start: np.ndarray,
    v_end: np.ndarray,
    *,
    max_condition: float,
) -> np.ndarray:
    """Delta-v's (k, 3) to fly through ``waypoints`` (k, 3) at ``times`` (k,) with two-
    impulse arcs, starting with velocity ``v_start`` and ending with ``v_end``."""
    k = len(times)
    dvs = np.zeros((k, 3))
    v_arr = np.asarray(v_start, dtype=float)
    for i in range(k - 1):
        x0 = np.concatenate([waypoints[i], v_arr])
        xf = np.concatenate([waypoints[i + 1], np.zeros(3)])
        phi = dyn.stm(times[i], np.array(times[i + 1]))
        dv1, dv2 = _two_impulse_from_stm(
            phi, x0, xf, times[i + 1] - times[i], dyn.period_s, max_condition=max_condition
        )
        dvs[i] += dv1
        v_arr = xf[3:] - dv2  # arrival velocity
    dvs[k - 1] += np.asarray(v_end, dtype=float) - v_arr
    return dvs


def _epoch0(epoch0, target):
    """The plan's epoch: the one given, else the target State's."""
    return epoch0 if epoch0 is not None else getattr(target, "epoch", None)


def _plan(dyn, t, dvs, labels, waypoints, x0, epoch0) -> ManeuverPlan:
    return ManeuverPlan(
        np.asarray(t, dtype=float),
        (np.asarray(dvs) * (u.km / u.s)).to(u.m / u.s),
        tuple(labels),
        np.asarray(waypoints) * u.km,
        np.asarray(x0, dtype=float),
        "LVLH",
        dyn.model,
        dyn,
        None if epoch0 is None else as_time(epoch0, "epoch0"),
    )


# ---------------------------------------------------------------------- public API
def two_impulse_transfer(
    r0_lvlh: u.Quantity,
    v0_lvlh: u.Quantity,
    rf_lvlh: u.Quantity,
    vf_lvlh: u.Quantity,
    tof: u.Quantity,
    *,
    model: str = "CW",
    mean_motion: u.Quantity | None = None,
    target=None,
    epoch0: Time | None = None,
    max_condition: float = MAX_CONDITION,
    earth: EarthModel = EARTH,
) -> ManeuverPlan:
    r"""Two-impulse transfer between two LVLH relative states in a given time.

    Parameters
    ----------
    r0_lvlh, v0_lvlh : Quantity (3,)
        Initial relative position and rotating-frame velocity (target LVLH).
    rf_lvlh, vf_lvlh : Quantity (3,)
        Aim position and the velocity wanted after the second burn.
    tof : Quantity
        Transfer time.
    model : {"CW", "YA"}
        Clohessy-Wiltshire (needs ``mean_motion`` or ``target``) or Yamanaka-Ankersen
        (needs ``target``: the target State at the first burn).
    max_condition : float
        Largest accepted condition number of the dimensionless in-plane block
        :math:`n\,\Phi_{rv}`; the default 300 rejects transfer times within about 1 %
        of a period multiple (the condition number is ~3 / |tof / kT - 1| there).

    Returns
    -------
    ManeuverPlan
        Two burns at ``t = 0`` and ``t = tof``, delta-v in the target's LVLH.

    Raises
    ------
    InfeasiblePlanError
        Near the singular transfer times (multiples of the orbital period), with the
        transfer time and the period in the message.

    References
    ----------
    Fehse (2003), sec. 3.3.4 (CW, eq. 3.25 solved for the initial velocity);
    Yamanaka & Ankersen (2002), eq. 83.

    Examples
    --------
    >>> import astropy.units as u
    >>> plan = two_impulse_transfer([-1, 0, 0] * u.km, [0, 0, 0] * u.m / u.s,
    ...                             [-0.4, 0, 0] * u.km, [0, 0, 0] * u.m / u.s, 2000 * u.s,
    ...                             mean_motion=1.1339e-3 * u.rad / u.s)
    >>> len(plan.burns(epoch0="2026-06-01T00:00:00Z"))
    2
    """
    dyn = _dynamics(model, mean_motion, target, earth)
    x0 = _state6(r0_lvlh, v0_lvlh, "r0_lvlh", "v0_lvlh")
    xf = _state6(rf_lvlh, vf_lvlh, "rf_lvlh", "vf_lvlh")
    tof_s = as_duration_s(tof, "tof")
    if not tof_s > 0:
        raise InputError(
            f"transfer time {tof_s} s must be > 0 s", name="tof", value=tof_s, valid="> 0 s"
        )
    dv1, dv2 = _two_impulse_from_stm(
        dyn.stm(0.0, np.array(tof_s)), x0, xf, tof_s, dyn.period_s, max_condition=max_condition
    )
    return _plan(
        dyn,
        [0.0, tof_s],
        [dv1, dv2],
        ("TI1", "TI2"),
        [x0[:3], xf[:3]],
        x0,
        _epoch0(epoch0, target),
    )


def tangential_hop(
    x_start: u.Quantity,
    x_end: u.Quantity,
    *,
    mean_motion: u.Quantity | None = None,
    target=None,
    epoch0: Time | None = None,
    earth: EarthModel = EARTH,
) -> ManeuverPlan:
    r"""Tangential (V-bar) hop from ``x_start`` to ``x_end`` on V-bar in one orbit.

    :math:`\Delta v_{x,1} = -\Delta v_{x,2} = -n\,\Delta x / (6\pi)` (Fehse 2003,
    sec. 3.3.2, eq. 3.28): a forward hop starts with a retrograde burn.
    """
    n = _mean_motion_rad_s(mean_motion, target, earth)
    xs = float(as_array(x_start, u.km, "x_start", shape=()))
    xe = float(as_array(x_end, u.km, "x_end", shape=()))
    t, dvs = _vbar_hop(n, xe - xs)
    dyn = _Dynamics("CW", n, earth.mu_km3_s2)
    x0 = np.array([xs, 0, 0, 0, 0, 0], dtype=float)
    return _plan(
        dyn,
        t,
        dvs,
        ("HOP1", "HOP2"),
        [[xs, 0, 0], [xe, 0, 0]],
        x0,
        _epoch0(epoch0, target),
    )


def radial_hop(
    x_start: u.Quantity,
    x_end: u.Quantity,
    *,
    mean_motion: u.Quantity | None = None,
    target=None,
    epoch0: Time | None = None,
    earth: EarthModel = EARTH,
) -> ManeuverPlan:
    r"""Radial hop from ``x_start`` to ``x_end`` on V-bar in half an orbit.

    Two equal radial impulses :math:`\Delta v_z = n\,\Delta x / 4` (Fehse 2003,
    sec. 3.3.2, eq. 3.30); passively safer than a tangential hop since a failed
    second burn gives a closed loop back to the start.
    """
    n = _mean_motion_rad_s(mean_motion, target, earth)
    xs = float(as_array(x_start, u.km, "x_start", shape=()))
    xe = float(as_array(x_end, u.km, "x_end", shape=()))
    t, dvs = _radial_hop(n, xe - xs)
    dyn = _Dynamics("CW", n, earth.mu_km3_s2)
    x0 = np.array([xs, 0, 0, 0, 0, 0], dtype=float)
    return _plan(
        dyn,
        t,
        dvs,
        ("RHOP1", "RHOP2"),
        [[xs, 0, 0], [xe, 0, 0]],
        x0,
        _epoch0(epoch0, target),
    )


def straight_line(
    r0_lvlh: u.Quantity,
    direction,
    speed: u.Quantity,
    distance: u.Quantity,
    *,
    mean_motion: u.Quantity | None = None,
    target=None,
    n_pulses: int | None = None,
    step: u.Quantity = 10 * u.s,
    epoch0: Time | None = None,
    earth: EarthModel = EARTH,
) -> ForcedMotionPlan:
    r"""Forced straight-line motion from ``r0_lvlh`` along ``direction`` at ``speed``.

    The chaser starts and ends at rest in LVLH. Under CW dynamics the continuous
    acceleration :math:`a = [-2n\dot z,\ n^2 y,\ 2n\dot x - 3n^2 z]` keeps it on the
    line (Fehse 2003, sec. 3.3.3, eqs. 3.40-3.41: along V-bar only
    :math:`a_z = 2n\dot x` is needed). With ``n_pulses`` the same line is also flown
    as ``n_pulses`` CW two-impulse arcs between equally spaced points.

    Parameters
    ----------
    direction : str or (3,) array
        Axis name (``"+V-bar"``, ``"-R-bar"``, ...) or LVLH vector of the motion.
    speed : Quantity
        Constant speed along the line (> 0).
    distance : Quantity
        Length of the line (> 0).
    """
    n = _mean_motion_rad_s(mean_motion, target, earth)
    r0 = _bounded(as_array(r0_lvlh, u.km, "r0_lvlh", shape=(3,)), _MAX_REL_KM, "r0_lvlh", "km")
    e = _axis_vector(direction)
    sp = float(as_array(speed, u.km / u.s, "speed", shape=()))
    d = float(as_array(distance, u.km, "distance", shape=()))
    if not (sp > 0 and d > 0):
        raise InputError(
            f"speed {sp * 1e3} m/s and distance {d} km must be > 0", name="speed", value=sp
        )
    duration = d / sp
    dt = float(as_array(step, u.s, "step", shape=()))
    t = np.union1d(np.arange(0.0, duration, dt), [duration])
    vel = sp * e
    acc = _cw_forced_acceleration(n, r0, vel, t)
    # trapezoid of |a| over the samples
    amag = np.linalg.norm(acc, axis=-1)
    dv_cont = float(np.sum(0.5 * (amag[1:] + amag[:-1]) * np.diff(t)))
    total = 2.0 * sp + dv_cont
    pulses = None
    if n_pulses is not None:
        n_pulses = as_count(n_pulses, "n_pulses")
        dyn = _Dynamics("CW", n, earth.mu_km3_s2)
        tp = np.linspace(0.0, duration, n_pulses + 1)
        wp = r0 + np.multiply.outer(tp, vel)
        dvs = _chain(dyn, wp, tp, np.zeros(3), np.zeros(3), max_condition=MAX_CONDITION)
        labels = [f"SL{i}" for i in range(len(tp))]
        pulses = _plan(
            dyn,
            tp,
            dvs,
            labels,
            wp,
            np.concatenate([r0, np.zeros(3)]),
            _epoch0(epoch0, target),
        )
    return ForcedMotionPlan(
        t,
        (r0 + np.multiply.outer(t, vel)) * u.km,
        (vel * (u.km / u.s)).to(u.m / u.s),
        (acc * (u.km / u.s**2)).to(u.m / u.s**2),
        (vel * (u.km / u.s)).to(u.m / u.s),
        (-vel * (u.km / u.s)).to(u.m / u.s),
        (dv_cont * (u.km / u.s)).to(u.m / u.s),
        (total * (u.km / u.s)).to(u.m / u.s),
        pulses,
    )


def glideslope(
    r0_lvlh: u.Quantity,
    rf_lvlh: u.Quantity,
    range_rate0: u.Quantity,
    range_rate_final: u.Quantity,
    n_pulses: int,
    *,
    v0_lvlh: u.Quantity | None = None,
    mean_motion: u.Quantity | None = None,
    target=None,
    epoch0: Time | None = None,
    max_condition: float = MAX_CONDITION,
    earth: EarthModel = EARTH,
) -> ManeuverPlan:
    r"""Hablani multi-pulse inbound glideslope from ``r0_lvlh`` to ``rf_lvlh``.

    The range to the aim point follows :math:`\dot\rho = a\rho + \dot\rho_T` with
    :math:`a = (\dot\rho_0 - \dot\rho_T)/\rho_0` and lasts
    :math:`T = \ln(\dot\rho_T/\dot\rho_0)/a` (Hablani, Tapper & Dana-Bashian 2002,
    eqs. 4-8). The chaser is put on the slope at ``n_pulses + 1`` equally spaced times
    and flies CW arcs between them (eq. 14); the last pulse leaves it with
    :math:`\dot\rho_T` along the slope.

    Parameters
    ----------
    range_rate0, range_rate_final : Quantity
        Initial and final range rates, both negative (closing), with
        :math:`|\dot\rho_T| < |\dot\rho_0|`.
    n_pulses : int
        Number of CW arcs (>= 1).
    v0_lvlh : Quantity (3,), optional
        Chaser velocity before the first pulse (default at rest).
    """
    n = _mean_motion_rad_s(mean_motion, target, earth)
    r0 = _bounded(as_array(r0_lvlh, u.km, "r0_lvlh", shape=(3,)), _MAX_REL_KM, "r0_lvlh", "km")
    rf = _bounded(as_array(rf_lvlh, u.km, "rf_lvlh", shape=(3,)), _MAX_REL_KM, "rf_lvlh", "km")
    rd0 = float(as_array(range_rate0, u.km / u.s, "range_rate0", shape=()))
    rdt = float(as_array(range_rate_final, u.km / u.s, "range_rate_final", shape=()))
    v0 = (
        np.zeros(3)
        if v0_lvlh is None
        else as_quantity(v0_lvlh, u.km / u.s, "v0_lvlh", shape=(3,)).value
    )
    rho0 = float(np.linalg.norm(r0 - rf))
    if rho0 <= 0:
        raise InputError("glideslope start and aim points coincide", name="rf_lvlh", value=rf)
    if not (rd0 < rdt < 0):
        raise InputError(
            f"glideslope range rates must be negative with |final| < |initial|; got "
            f"{rd0 * 1e3:.4f} m/s and {rdt * 1e3:.4f} m/s",
            name="range_rate0",
            value=(rd0, rdt),
            valid="range_rate0 < range_rate_final < 0",
        )
    n_pulses = as_count(n_pulses, "n_pulses")
    a = (rd0 - rdt) / rho0
    duration = math.log(rdt / rd0) / a
    t, rho = _glideslope_profile(rho0, rd0, rdt, duration, int(n_pulses))
    rho[-1] = 0.0
    e = (r0 - rf) / rho0
    wp = rf + np.multiply.outer(rho, e)
    dyn = _Dynamics("CW", n, earth.mu_km3_s2)
    dvs = _chain(dyn, wp, t, v0, rdt * e, max_condition=max_condition)
    labels = [f"GS{i}" for i in range(len(t))]
    return _plan(
        dyn,
        t,
        dvs,
        labels,
        wp,
        np.concatenate([r0, v0]),
        _epoch0(epoch0, target),
    )


def fly_around(
    radius: u.Quantity,
    start_axis: str = "-V-bar",
    end_axis: str = "+R-bar",
    duration: u.Quantity = 45 * u.min,
    *,
    n_legs: int = 4,
    mean_motion: u.Quantity | None = None,
    target=None,
    epoch0: Time | None = None,
    max_condition: float = MAX_CONDITION,
    earth: EarthModel = EARTH,
) -> ManeuverPlan:
    r"""Fly-around at constant ``radius`` from one approach axis to another (port change),
    e.g. from a V-bar hold point behind the station to an R-bar hold point below it.

    The arc is cut into ``n_legs`` equal angles; the chaser hops between the points with
    CW two-impulse arcs, starting and ending at rest (Fehse 2003, sec. 3.3.4 transfers
    applied to fly-around, sec. 5.3).

    Raises
    ------
    InputError
        If the axes are equal or opposite (the plane of the arc is undefined).
    """
    n = _mean_motion_rad_s(mean_motion, target, earth)
    rad = float(as_array(radius, u.km, "radius", shape=()))
    if not rad > 0:
        raise InputError(f"fly-around radius {rad} km must be > 0", name="radius", value=rad)
    a0, a1 = _axis_vector(start_axis), _axis_vector(end_axis)
    ang = math.acos(float(np.clip(a0 @ a1, -1.0, 1.0)))
    if ang < 1e-6 or ang > math.pi - 1e-6:
        raise InputError(
            f"fly-around axes {start_axis!r} and {end_axis!r} are parallel or opposite; "
            "go through an intermediate axis in two calls",
            name="end_axis",
            value=end_axis,
        )
    n_legs = as_count(n_legs, "n_legs")
    tot = as_duration_s(duration, "duration")
    frac = np.linspace(0.0, 1.0, n_legs + 1)
    # spherical interpolation between the two axes
    s = math.sin(ang)
    dirs = (np.sin((1 - frac) * ang)[:, None] * a0 + np.sin(frac * ang)[:, None] * a1) / s
    wp = rad * dirs
    t = frac * tot
    dyn = _Dynamics("CW", n, earth.mu_km3_s2)
    dvs = _chain(dyn, wp, t, np.zeros(3), np.zeros(3), max_condition=max_condition)
    labels = [f"FA{i}" for i in range(len(t))]
    return _plan(
        dyn,
        t,
        dvs,
        labels,
        wp,
        np.concatenate([wp[0], np.zeros(3)]),
        _epoch0(epoch0, target),
    )
