r"""Phasing-plan result objects (:class:`PhasingPlan`, :class:`CorrectionReport`,
:class:`PhasingTrack`) and the dynamics adapter: the project's propagator fast path
``Propagator.propagate_rv`` (a private RK4 on ``forces._rhs`` if it is missing) or the
universal-variable Kepler kernel for two-body plans. The differential correction lives
in :mod:`.targeting`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import NamedTuple

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from ..constants import EARTH, EarthModel
from ..errors import InputError
from ..frames import _cross, _inertial_to_relative, _lvlh_basis, _relative_to_inertial
from ..maneuvers import Burn
from ..state import State
from ._kernels import _day_frac as _day_frac_kernel
from ._kernels import _kepler_rv

__all__ = ["CorrectionReport", "PhasingPlan", "PhasingTrack"]

# units built once (astropy composes a unit on every u.m / u.s: ~10 us)
_M_S = u.m / u.s
_KM_S = u.km / u.s
# Quantity.to_value's scale from m/s to km/s (its value times this)
_M_S_TO_KM_S = _M_S._to(_KM_S)

# Arrival tolerances of the full-force targeting (issue 6): 100 m and 0.1 m/s.
ARRIVAL_POSITION_TOL_KM = 0.1
ARRIVAL_VELOCITY_TOL_KM_S = 1e-4


# --------------------------------------------------------------------- dynamics
@dataclass(frozen=True)
class _Dynamics:
    """What the planner needs from a force model: two kernels and a description."""

    name: str
    two_body: bool
    earth: EarthModel
    chaser: object  # (rv0, t_s, imp_t, imp_dv) -> (n, 6)
    station: object  # (rv0, t_s) -> (n, 6)
    # (t0, y0 (6,), t1) -> the chaser's state (6,) at t1, None if the propagation
    # stopped: one coast of ``chaser`` between impulses (its kernel restarts at each
    # impulse), so that finite differences can share the arcs before a perturbed burn;
    # None when the kernel offers no such arc
    arc: object = None
    # () -> (force parameters (a fresh copy), rtol, atol, max_steps, stop radius): the
    # DOP853 kernel inputs of ``chaser``, for the compiled corrections that integrate
    # the variational equations with the trajectory (:mod:`.targeting`); None when the
    # kernel is not DOP853
    dop853: object = None

    @property
    def mu(self) -> float:
        return self.earth.mu_km3_s2

    @property
    def j2(self) -> float:
        return 0.0 if self.two_body else self.earth.j2


def _kepler_dyn(earth: EarthModel) -> _Dynamics:
    mu = earth.mu_km3_s2
    empty_t, empty_dv = np.zeros(0), np.zeros((0, 3))

    def chaser(rv0, t_s, imp_t, imp_dv):
        return _kepler_rv(
            mu,
            np.asarray(rv0, float),
            np.asarray(t_s, float),
            np.asarray(imp_t, float),
            np.asarray(imp_dv, float).reshape(-1, 3),
        )

    def station(rv0, t_s):
        return _kepler_rv(mu, np.asarray(rv0, float), np.asarray(t_s, float), empty_t, empty_dv)

    return _Dynamics("two-body (Kepler)", True, earth, chaser, station)


def _station_force_model(force_model):
    """The chaser's force model with Tiangong's drag parameters (vehicles.TIANGONG)."""
    from ..vehicles import TIANGONG

    if force_model.drag is None:
        return force_model
    drag = replace(
        force_model.drag, cd=TIANGONG.cd, area_m2=TIANGONG.drag_area_m2, mass_kg=TIANGONG.mass_kg
    )
    return replace(force_model, drag=drag)


def _propagator_kernel(force_model, jd_tt0: float, epoch0=None, template=None):
    """``(rv0, t_s, imp_t, imp_dv) -> (n, 6)`` for a ForceModel: the project
    propagator's fast path when it exists (settings of ``template``, a Propagator, if
    given), else the private RK4 fallback. Returns (that kernel, its description, the
    :attr:`_Dynamics.arc` and :attr:`_Dynamics.dop853` functions or None)."""
    try:
        from ..propagator import Propagator  # noqa: PLC0415

        if template is not None:
            prop = replace(template, force_model=force_model)
        else:
            prop = Propagator(force_model=force_model)
        if not hasattr(prop, "propagate_rv"):
            raise ImportError
    except ImportError:
        from ._fallback import _full_force_rv

        p = force_model.build(jd_tt0)

        def run(rv0, t_s, imp_t=None, imp_dv=None):
            imp_t = np.zeros(0) if imp_t is None else imp_t
            imp_dv = np.zeros((0, 3)) if imp_dv is None else imp_dv
            return _full_force_rv(rv0, t_s, imp_t, imp_dv, p)

        return run, "RK4 10 s on forces._rhs (private fallback)", None, None

    epoch = epoch0 if force_model.needs_epoch else None
    # The planner propagates forward from one epoch some 60 times a plan: the force
    # parameters are built once and the kernels called directly (what propagate_rv does
    # after its input checks and the astropy epoch conversion, ~0.1 ms a call).
    direct = prop.method != "taylor" and hasattr(prop, "_kernel_side")
    params = []

    def run(rv0, t_s, imp_t=None, imp_dv=None):
        t_s = np.asarray(t_s, float)
        if direct and t_s.ndim == 1 and t_s.size and t_s[0] >= 0.0:
            if not params:
                params.append(prop._params(epoch))
            it = np.zeros(0) if imp_t is None else np.asarray(imp_t, float).ravel()
            idv = np.zeros((0, 3)) if imp_dv is None else np.asarray(imp_dv, float)
            y0 = np.asarray(rv0, float).reshape(6)
            return prop._kernel_side(y0, t_s, it, idv.reshape(-1, 3), params[0].copy(), 1.0)
        if imp_t is None or len(imp_t) == 0:
            return np.asarray(prop.propagate_rv(np.asarray(rv0, float), t_s, epoch=epoch))
        return np.asarray(
            prop.propagate_rv(
                np.asarray(rv0, float),
                t_s,
                impulses_t_s=np.asarray(imp_t, float),
                impulses_dv_km_s=np.asarray(imp_dv, float).reshape(-1, 3),
                epoch=epoch,
            )
        )

    arc = _dop853_arc_fn(prop, epoch, params, direct)
    return run, "Propagator.propagate_rv", arc, _dop853_inputs_fn(prop, epoch, params, arc)


def _dop853_inputs_fn(prop, epoch, params, arc):
    """:attr:`_Dynamics.dop853` of a propagator whose coasts are DOP853 arcs (``arc``
    not None): the force parameters of ``epoch``, made once into ``params``."""
    if arc is None:
        return None

    def inputs():
        if not params:
            params.append(prop._params(epoch))
        return _dop853_inputs(prop, params[0])

    return inputs


def _dop853_inputs(prop, p) -> tuple:
    """(p copy, rtol, atol, max_steps, stop radius) of ``prop`` with the parameters p."""
    return p.copy(), float(prop.rtol), float(prop.atol), int(prop.max_steps), prop._stop_radius


def _dop853_arc_fn(prop, epoch, params, direct):
    """The coast ``(t0, y0, t1) -> y(t1) or None`` of :attr:`_Dynamics.arc` for a
    DOP853 propagator: the integrator's arc kernel, whose steps from (t0, y0) are those
    that ``propagate_rv`` takes between two impulses (each coast starts afresh at an
    impulse: initial step, no history), so the states are the same bit for bit."""
    if not (direct and prop.method == "dop853" and prop._code == 0 and not prop._nystrom):
        return None
    from ..propagator._dop853 import _OK, _dop853_arc  # noqa: PLC0415

    tol = (float(prop.rtol), float(prop.atol), int(prop.max_steps), prop._stop_radius)

    def arc(t0, y0, t1):
        if not params:
            params.append(prop._params(epoch))
        _, ys, _, st = _dop853_arc(float(t0), y0, float(t1), params[0].copy(), *tol)
        return ys[-1].copy() if st == _OK else None

    return arc


def _make_dynamics(force_model=None, station_force_model=None, epoch0: Time | None = None):
    """Build the dynamics of a plan. ``force_model``: a ForceModel, ``"two-body"``, a
    ``Propagator`` (its settings and force model are used), or None
    (``ForceModel.default()``: J2-J4 + Qingzhou drag)."""
    from ..forces import ForceModel, PointMass

    template = None
    if hasattr(force_model, "propagate_rv") and hasattr(force_model, "force_model"):
        template, force_model = force_model, force_model.force_model
    if isinstance(force_model, str):
        if force_model.strip().lower() in ("two-body", "kepler", "twobody"):
            return _kepler_dyn(EARTH)
        from ..errors import UnknownNameError

        raise UnknownNameError("force model", force_model, ("two-body",))
    if force_model is None:
        force_model = ForceModel.default()
    if not isinstance(force_model, ForceModel):
        raise InputError(
            f"force_model {force_model!r} is not a ForceModel, 'two-body' or None",
            name="force_model",
            value=force_model,
        )
    if (
        template is None
        and isinstance(force_model.gravity, PointMass)
        and force_model.drag is None
        and not force_model.third_bodies
    ):
        return _kepler_dyn(force_model.earth)
    sfm = _station_force_model(force_model) if station_force_model is None else station_force_model
    try:
        key = (force_model, sfm, template, id(epoch0))
        hit = _DYNAMICS.get(key)
    except TypeError:  # (an unhashable model or template: not kept)
        key = hit = None
    if hit is not None and hit[0] is epoch0:
        return hit[1]
    dyn = _force_dynamics(force_model, sfm, epoch0, template)
    if key is not None:
        if len(_DYNAMICS) >= 16:
            _DYNAMICS.clear()
        _DYNAMICS[key] = (epoch0, dyn)
    return dyn


# The force-model dynamics by (chaser model, station model, template, epoch): a
# campaign's samples plan in the same model from the same insertion epoch (the models
# equal by value, the epoch the same object, kept in the value so that its id is not
# reused); a _Dynamics holds only pure functions (and their force parameters, built
# once from the epoch), so one serves all (~25 us a call otherwise, 2 to 3 a sample).
_DYNAMICS: dict = {}


def _force_dynamics(force_model, sfm, epoch0, template):
    """:func:`_make_dynamics` of a ForceModel that is not two-body."""
    from ..forces import PointMass

    jd0 = 2451545.0 if epoch0 is None else float(epoch0.tt.jd)
    chaser, how, arc, dop853 = _propagator_kernel(force_model, jd0, epoch0, template)
    station_run, _, _, _ = _propagator_kernel(sfm, jd0, epoch0, template)
    terms = [
        "point mass"
        if isinstance(force_model.gravity, PointMass)
        else f"J2-J{force_model.gravity.max_degree}"
    ]
    if force_model.drag is not None:
        terms.append("drag")
    terms += [b.body for b in force_model.third_bodies]
    return _Dynamics(
        f"{' + '.join(terms)} ({how})",
        False,
        force_model.earth,
        chaser,
        lambda rv0, t_s: station_run(rv0, t_s),
        arc,
        dop853,
    )


# ------------------------------------------------------------------ hand-over
def _coelliptic_velocity(n_rad_s: float, r_lvlh_km) -> np.ndarray:
    """LVLH velocity of a co-elliptic drift at the hand-over point: CW along-track rate
    3/2 n z (Fehse 2003, eq. 3.26), zero radial and cross-track rates."""
    r = np.asarray(r_lvlh_km, float)
    return np.array([1.5 * n_rad_s * r[2], 0.0, 0.0])


def _target_rv(dyn: _Dynamics, station_rv0, t_end_s: float, rel_lvlh6) -> tuple:
    """Station state at ``t_end_s`` and the chaser's hand-over target state (inertial)."""
    s_end = dyn.station(station_rv0, np.array([t_end_s]))[0]
    return s_end, _relative_to_inertial("LVLH", s_end, np.asarray(rel_lvlh6, float))


# ------------------------------------------------------------------ correction
class CorrectionReport(NamedTuple):
    """Outcome of the differential correction.

    ``history`` holds (position residual m, velocity residual m/s) before each
    iteration and after the last one.
    """

    converged: bool
    iterations: int
    position_residual: u.Quantity
    velocity_residual: u.Quantity
    dynamics: str
    history: tuple
    message: str

    def __str__(self) -> str:
        return (
            f"{'converged' if self.converged else 'NOT converged'} in {self.iterations} "
            f"iteration(s): miss {self.position_residual.to_value(u.m):.3f} m, "
            f"{self.velocity_residual.to_value(u.m / u.s):.5f} m/s ({self.dynamics})"
        )


# ------------------------------------------------------------------ the plan
class PhasingTrack(NamedTuple):
    """Sampled chaser and station states of a plan (kernel form, for plots and the
    mission timeline): ``t_s`` (n,) seconds since insertion, ``chaser_rv_km`` and
    ``station_rv_km`` (n, 6) GCRS km, km/s."""

    t_s: np.ndarray
    chaser_rv_km: np.ndarray
    station_rv_km: np.ndarray


@dataclass(frozen=True, slots=True)
class PhasingPlan:
    """A phasing plan: burns from insertion to the hand-over point and how well the
    chaser arrives there.

    Attributes
    ----------
    strategy : str
        ``"coelliptic"``, ``"lambert"`` or ``"n-impulse"``.
    profile : str or None
        Named profile (``"two-day"``, ``"6.5-hour"``, ``"3-hour"``, ``"2-hour"``).
    insertion_epoch, handover_epoch : Time
    burns : tuple of Burn
        Delta-v in the chaser's own LVLH frame at each burn epoch (x V-bar, y H-bar,
        z R-bar), labelled.
    dv_inertial : Quantity (k, 3), m/s
        The same delta-v vectors in GCRS.
    dv : Quantity (k,), m/s
        Magnitudes.
    arrival : State
        Chaser state at the hand-over epoch (dynamics of ``correction.dynamics``).
    target : State
        Hand-over state: the station, propagated with the same dynamics, plus the
        LVLH offset of the profile.
    station_at_handover : State
    miss_position : Quantity (3,), m
        Arrival minus target position, in the station's LVLH frame.
    miss_velocity : Quantity (3,), m/s
        Arrival minus target rotating-frame velocity, station LVLH.
    handover_r_lvlh, handover_v_lvlh : Quantity (3,)
        The hand-over offset from the station (km, m/s), LVLH.
    phase_angle_at_insertion : Quantity, deg in [0, 360)
        Angle from the chaser to the station along the orbit, in the station's plane,
        positive = station ahead.
    approach_dv_estimate : Quantity, m/s
        Two-impulse Hohmann delta-v from the hand-over orbit radius to the station's
        (what the approach still has to spend to take up the height offset).
    correction : CorrectionReport or None
    track : PhasingTrack
    notes : tuple of str
    epoch_offsets_s : tuple of float
        Seconds from ``insertion_epoch`` to each burn's epoch and then to
        ``handover_epoch``, as ``(epoch - insertion_epoch).to_value(u.s)`` gives them (so
        that the flight and the re-plans need no astropy subtraction).
    """

    strategy: str
    profile: str | None
    insertion_epoch: Time
    handover_epoch: Time
    burns: tuple
    dv_inertial: u.Quantity
    dv: u.Quantity
    arrival: State
    target: State
    station_at_handover: State
    miss_position: u.Quantity
    miss_velocity: u.Quantity
    handover_r_lvlh: u.Quantity
    handover_v_lvlh: u.Quantity
    phase_angle_at_insertion: u.Quantity
    approach_dv_estimate: u.Quantity
    correction: CorrectionReport | None
    track: PhasingTrack
    notes: tuple = field(default=())
    epoch_offsets_s: tuple = field(default=())

    @property
    def total_dv(self) -> u.Quantity:
        """Sum of the burn magnitudes, m/s."""
        return np.sum(self.dv)

    @property
    def in_plane_dv(self) -> u.Quantity:
        """Sum over burns of the in-plane part (LVLH x and z), m/s."""
        d = np.array([b.dv.to_value(u.m / u.s) for b in self.burns]).reshape(-1, 3)
        return float(np.sum(np.hypot(d[:, 0], d[:, 2]))) * (u.m / u.s)

    @property
    def out_of_plane_dv(self) -> u.Quantity:
        """Sum over burns of the out-of-plane part (LVLH y), m/s."""
        d = np.array([b.dv.to_value(u.m / u.s) for b in self.burns]).reshape(-1, 3)
        return float(np.sum(np.abs(d[:, 1]))) * (u.m / u.s)

    @property
    def total_dv_with_approach(self) -> u.Quantity:
        """:attr:`total_dv` plus :attr:`approach_dv_estimate`: the delta-v from insertion
        to the station's orbit, comparable with the coplanar Hohmann lower bound."""
        return self.total_dv + self.approach_dv_estimate

    @property
    def duration(self) -> u.Quantity:
        """Insertion to hand-over, hours."""
        return (self.handover_epoch - self.insertion_epoch).to(u.h)

    @property
    def miss_distance(self) -> u.Quantity:
        return np.linalg.norm(self.miss_position.to_value(u.m)) * u.m

    def to_finite(self, thrust: u.Quantity, mass: u.Quantity, isp: u.Quantity) -> tuple:
        """The burns as finite burns (:func:`qingzhou_sim.maneuvers.to_finite`), in order,
        the mass decreasing by each burn's propellant; the orbit rate at each burn from
        the plan's track (|r x v| / r^2)."""
        from ..maneuvers import to_finite

        m = mass
        out = []
        tr = self.track
        for b in self.burns:
            t = (b.epoch - self.insertion_epoch).to_value(u.s)
            y = tr.chaser_rv_km[int(np.argmin(np.abs(tr.t_s - t)))]
            rate = np.linalg.norm(np.cross(y[:3], y[3:])) / np.dot(y[:3], y[:3])
            fb = to_finite(b, thrust, m, isp, orbit_rate=rate * u.rad / u.s)
            out.append(fb)
            m = fb.mass_final
        return tuple(out)

    def summary(self) -> str:
        """A text table of the burns and the arrival."""
        t0 = self.insertion_epoch
        lines = [
            f"Phasing plan: strategy {self.strategy}"
            + (f", profile {self.profile}" if self.profile else ""),
            f"  insertion {t0.utc.isot} UTC, hand-over {self.handover_epoch.utc.isot} UTC "
            f"({self.duration.to_value(u.h):.3f} h)",
            "  station phase angle at insertion "
            f"{self.phase_angle_at_insertion.to_value(u.deg):.2f} deg (station ahead)",
            "  hand-over offset (LVLH) r = "
            + np.array2string(self.handover_r_lvlh.to_value(u.km), precision=3)
            + " km, v = "
            + np.array2string(self.handover_v_lvlh.to_value(u.m / u.s), precision=3)
            + " m/s",
            f"  {'#':>2} {'label':<8} {'t [h]':>8} {'rev':>6} {'dv_x':>8} {'dv_y':>8} "
            f"{'dv_z':>8} {'|dv|':>8}   (m/s, chaser LVLH; rev = station revolutions)",
        ]
        rs = self.track.station_rv_km[0]
        period_h = (
            2 * np.pi / np.linalg.norm(np.cross(rs[:3], rs[3:])) * (np.dot(rs[:3], rs[:3])) / 3600.0
        )
        for k, b in enumerate(self.burns):
            d = b.dv.to_value(u.m / u.s)
            th = (b.epoch - t0).to_value(u.h)
            lines.append(
                f"  {k + 1:>2} {b.label:<8} {th:8.3f} {th / period_h:6.2f} {d[0]:8.3f} "
                f"{d[1]:8.3f} {d[2]:8.3f} {b.dv_m_s:8.3f}"
            )
        lines += [
            f"  total dv {self.total_dv.to_value(u.m / u.s):.3f} m/s (in-plane "
            f"{self.in_plane_dv.to_value(u.m / u.s):.3f}, out-of-plane "
            f"{self.out_of_plane_dv.to_value(u.m / u.s):.3f}); + approach estimate "
            f"{self.approach_dv_estimate.to_value(u.m / u.s):.3f} = "
            f"{self.total_dv_with_approach.to_value(u.m / u.s):.3f} m/s",
            "  miss at hand-over (station LVLH): r = "
            + np.array2string(self.miss_position.to_value(u.m), precision=3)
            + " m, v = "
            + np.array2string(self.miss_velocity.to_value(u.m / u.s), precision=5)
            + " m/s",
            f"  correction: {self.correction}" if self.correction else "  correction: none",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _hohmann_dv(mu: float, r1: float, r2: float) -> float:
    """Two-impulse Hohmann delta-v between circular radii (Curtis 2014, eq. 6.3), km/s."""
    if r1 == r2:
        return 0.0
    at = 0.5 * (r1 + r2)
    return abs(np.sqrt(mu * (2 / r1 - 1 / at)) - np.sqrt(mu / r1)) + abs(
        np.sqrt(mu / r2) - np.sqrt(mu * (2 / r2 - 1 / at))
    )


def _lvlh_burn(epoch: Time, dv_km_s: np.ndarray, label: str) -> Burn:
    """``Burn(epoch, dv_km_s * 1e3 * (u.m / u.s), "LVLH", label)`` for a scalar epoch:
    the same object, its checks (finite delta-v, a str label) done here in a few
    microseconds instead of the constructor's ~50."""
    dv = dv_km_s * 1e3 * _M_S
    if dv.shape == (3,) and math.isfinite(float(dv_km_s.sum())) and isinstance(label, str):
        return Burn._checked_already(epoch, dv, "LVLH", label)
    return Burn(epoch, dv, "LVLH", label)


# ------------------------------------------------------------------ epochs
# seconds a day as astropy converts a TimeDelta's days (u.day to u.s)
_DAY_TO_S = u.day._to(u.s)


def _utc_scalar(t0) -> bool:
    return type(t0) is Time and t0.scale == "utc" and t0.isscalar


def _day_frac(val1, val2, divisor=None):
    """astropy's ``time.utils.day_frac(val1, val2, divisor=divisor)``, the same numbers:
    compiled (:func:`._kernels._day_frac`) for a float64 array (n,) and an array of
    the same shape or a scalar (~1 us instead of ~12-20 us), astropy's otherwise."""
    a = np.asarray(val1)
    b = np.asarray(val2)
    if a.ndim == 1 and a.dtype == np.float64 and b.dtype == np.float64:
        if b.ndim == 0:
            b = np.full(a.shape, b)
        if b.shape == a.shape:
            return _day_frac_kernel(
                np.ascontiguousarray(a),
                np.ascontiguousarray(b),
                0.0 if divisor is None else float(divisor),
            )
    from astropy.time.utils import day_frac

    return day_frac(val1, val2, divisor=divisor)


def _utc_jd_after(t0: Time, t_s: np.ndarray) -> tuple:
    """The UTC (jd1, jd2) of ``t0 + TimeDelta(t_s * u.s)`` for a scalar UTC ``t0`` and
    seconds ``t_s`` (n,): astropy's own steps on the numbers (``TimeDelta``'s split of
    the seconds into days, ``Time.__add__``'s sum in TAI, ``Time._set_scale``'s ERFA
    conversion back to UTC)."""
    from astropy.time import core as time_core

    # TimeDelta(t_s * u.s): quantity_day_frac (seconds: divisor 86400), then set_jds
    d1, d2 = _day_frac(t_s, 0.0, divisor=86400.0)
    d1, d2 = _day_frac(d1, d2, divisor=1.0)
    tai = t0.tai._time  # (t0.tai: the replicate and _set_scale("tai") of __add__)
    jd1, jd2 = _day_frac(tai.jd1 + d1, tai.jd2 + d2)
    time_core._check_leapsec()
    return _day_frac(*_erfa("taiutc", jd1, jd2))


def _erfa(name: str, jd1, jd2) -> tuple:
    """``erfa.<name>(jd1, jd2)`` (a time-scale conversion), the same numbers: its ufunc
    directly when every status is 0, else ``erfa.<name>`` itself (its warnings and
    errors as they were)."""
    import erfa

    out1, out2, status = getattr(erfa.ufunc, name)(jd1, jd2)
    if np.any(status):
        return getattr(erfa, name)(jd1, jd2)
    return out1, out2


def _epochs_after(t0: Time, t_s: np.ndarray) -> Time:
    """``t0 + TimeDelta(t_s * u.s)`` for seconds ``t_s`` (n,): the same epochs bit for
    bit. For a scalar UTC ``t0`` (the missions' insertion epochs) astropy's own steps
    on the numbers (:func:`_utc_jd_after`) without its object overhead (~0.2 -> 0.1
    ms; the re-plan and the flight each make one such sum a sample); ``Time.__add__``
    itself otherwise."""
    t_s = np.asarray(t_s, dtype=np.float64)
    if not (_utc_scalar(t0) and t_s.ndim == 1):
        return t0 + TimeDelta(t_s * u.s)
    return _utc_time(t0, *_utc_jd_after(t0, t_s))


def _utc_time(t0: Time, jd1: np.ndarray, jd2: np.ndarray) -> Time:
    """The UTC Time of (jd1, jd2) in the format and settings of the scalar UTC ``t0``:
    the object ``t0 + TimeDelta(...)`` makes from those numbers."""
    out = t0.replicate()
    for attr in ("_delta_ut1_utc", "_delta_tdb_tt"):
        if hasattr(out, attr):
            delattr(out, attr)
    out._time = t0.FORMATS[t0.format](
        jd1, jd2, "utc", t0.precision, t0.in_subfmt, t0.out_subfmt, from_jd=True
    )
    return out


def _seconds_since(t0: Time, epochs: Time) -> np.ndarray:
    """``(epochs - t0).to_value(u.s)``, the same numbers: for UTC ``epochs`` and a
    scalar UTC ``t0``, astropy's steps on the numbers (:func:`_seconds_since_jd`)
    without its objects (~0.1-0.3 ms a call -> ~0.03 ms)."""
    if not (_utc_scalar(t0) and type(epochs) is Time and epochs.scale == "utc"):
        return (epochs - t0).to_value(u.s)
    return _seconds_since_jd(t0, epochs._time.jd1, epochs._time.jd2)


def _seconds_since_jd(t0: Time, jd1, jd2) -> np.ndarray:
    """``(epochs - t0).to_value(u.s)`` for the UTC epochs (``jd1``, ``jd2``) (n,) and
    a scalar UTC ``t0`` by astropy's steps (``Time.__sub__``: the epochs in TAI by
    ``_set_scale``, the ``TimeDelta``'s jd split, the differences from ``t0``'s TAI;
    ``to_value``: the days times u.day's scale to u.s)."""
    from astropy.time import core as time_core

    time_core._check_leapsec()
    a1, a2 = _erfa("utctai", jd1, jd2)  # epochs.tai
    tai = t0.tai._time
    a1, a2 = _day_frac(a1, a2)
    a1, a2 = _day_frac(a1, a2, divisor=1.0)  # TimeDelta(jd1, jd2, format="jd")
    d1, d2 = _day_frac(a1 - tai.jd1, a2 - tai.jd2)
    return (d1 + d2) * _DAY_TO_S


def _seconds_between_utc_jd(a1, a2, b1, b2) -> np.ndarray:
    """``(b - a).to_value(u.s)`` for UTC epochs a = (``a1``, ``a2``) and b = (``b1``,
    ``b2``) (arrays (n,)), by astropy's steps (``Time.__sub__``: both in TAI by
    ``_set_scale``, b's ``TimeDelta`` jd split, the differences; ``to_value``: the days
    times u.day's scale to u.s): :func:`_seconds_since_jd` with a's TAI from its numbers."""
    from astropy.time import core as time_core

    time_core._check_leapsec()
    x1, x2 = _day_frac(*_erfa("utctai", b1, b2))  # b.tai
    x1, x2 = _day_frac(x1, x2, divisor=1.0)  # TimeDelta(jd1, jd2, format="jd")
    o1, o2 = _day_frac(*_erfa("utctai", a1, a2))  # a.tai
    d1, d2 = _day_frac(x1 - o1, x2 - o2)
    return (d1 + d2) * _DAY_TO_S


def _seconds_between(t0: Time, t1: Time) -> float:
    """``float((t1 - t0).to_value(u.s))`` of two scalar Times, the same float: for
    UTC ones by :func:`_seconds_since_jd` (~50 -> ~10 us), astropy's otherwise."""
    if _utc_scalar(t0) and _utc_scalar(t1):
        jd1, jd2 = t1._time.jd1, t1._time.jd2
        return float(_seconds_since_jd(t0, np.array([jd1], float), np.array([jd2], float))[0])
    return float((t1 - t0).to_value(u.s))


def _tt_jd(epochs: Time) -> np.ndarray:
    """``epochs.tt.jd``, the same numbers: for UTC epochs ``Time._set_scale``'s ERFA
    chain (UTC -> TAI -> TT) on the numbers without its objects (~0.1 -> 0.04 ms)."""
    if not (type(epochs) is Time and epochs.scale == "utc"):
        return epochs.tt.jd
    return _tt_jd_of(epochs._time.jd1, epochs._time.jd2)


def _tt_jd_of(jd1, jd2) -> np.ndarray:
    """``epochs.tt.jd`` of the UTC epochs (``jd1``, ``jd2``): :func:`_tt_jd`'s steps."""
    from astropy.time import core as time_core

    time_core._check_leapsec()
    jd1, jd2 = _erfa("taitt", *_erfa("utctai", jd1, jd2))
    jd1, jd2 = _day_frac(jd1, jd2)
    return jd1 + jd2


def _build_plan(
    *,
    dyn: _Dynamics,
    strategy: str,
    profile: str | None,
    chaser: State,
    station_rv0: np.ndarray,
    t_end_s: float,
    rel_lvlh6: np.ndarray,
    imp_t: np.ndarray,
    dv_inertial: np.ndarray,
    labels,
    correction: CorrectionReport | None,
    notes=(),
    track_step_s: float = 60.0,
) -> PhasingPlan:
    """Evaluate the burns with ``dyn`` and assemble the :class:`PhasingPlan` (a
    :class:`_LazyPhasingPlan`: its astropy fields are made when first read)."""
    rv0 = chaser.rv_km
    t0 = chaser.epoch
    imp_t = np.asarray(imp_t, float)
    dvi = np.asarray(dv_inertial, float).reshape(-1, 3)
    order = np.argsort(imp_t, kind="stable")
    imp_t, dvi = imp_t[order], dvi[order]
    labels = [labels[k] for k in order]
    track = None
    if dyn.arc is not None and (imp_t.size == 0 or imp_t[0] >= 0.0) and t_end_s >= 0.0:
        # DOP853 (its steps do not depend on the output times; an output at a burn or at
        # the end is the step's own state): the burn epochs and the end alone give the
        # track's states there, bit for bit; the track is made when first read
        grid = np.unique(np.append(imp_t, t_end_s))
        c_track = dyn.chaser(rv0, grid, imp_t, dvi)
        s_track = _handover_target(dyn, station_rv0, float(grid[-1]), rel_lvlh6)[0][None]
    else:
        track = _plan_track(dyn, rv0, station_rv0, t_end_s, imp_t, dvi, track_step_s)
        grid, c_track, s_track = track
    # States just before the burns: the track's (post-burn) state at each burn epoch
    # less the burn (the sum of burns at one epoch when several share it).
    before = c_track[np.searchsorted(grid, imp_t)].reshape(-1, 6)
    for k in range(imp_t.size):
        before[k, 3:] -= dvi[imp_t == imp_t[k]].sum(axis=0)
        before[k, 3:] += dvi[:k][imp_t[:k] == imp_t[k]].sum(axis=0)
    rel6 = np.array(rel_lvlh6, float)
    s_end = s_track[-1]
    numbers = _PlanNumbers(
        t0=t0,
        rv0=np.array(rv0, float),
        station_rv0=np.array(station_rv0, float),
        t_end_s=t_end_s,
        imp_t=imp_t,
        dvi=dvi,
        labels=tuple(labels),
        before=before,
        arrival=c_track[-1].copy(),
        s_end=s_end.copy(),
        target=_handover_target(dyn, station_rv0, float(grid[-1]), rel6, s_end)[1],
        rel6=rel6,
        mu=dyn.mu,
        made={},
        dyn=dyn,
        track_step_s=track_step_s,
    )
    plan = object.__new__(_LazyPhasingPlan)
    for name, value in (
        ("strategy", strategy),
        ("profile", profile),
        ("insertion_epoch", t0),
        ("correction", correction),
        ("notes", tuple(notes)),
        ("_numbers", numbers),
    ):
        object.__setattr__(plan, name, value)
    if track is not None:
        object.__setattr__(plan, "track", track)
    return plan


# The last (dynamics, station state, t_end, hand-over offset) -> (station at t_end,
# hand-over target): a re-plan asks for them before correcting and again for its plan
_HANDOVER: list = []


def _handover_target(dyn, station_rv0, t_end_s: float, rel6, s_end=None) -> tuple:
    """(``dyn.station(station_rv0, [t_end_s])[0]``, the hand-over target
    ``_relative_to_inertial("LVLH", that, rel6)``), copies of the last ones when the
    inputs are the same (``s_end``: the station's state if the caller has it)."""
    srv = np.asarray(station_rv0, float)
    rel = np.asarray(rel6, float)
    key = (srv.tobytes(), float(t_end_s), rel.tobytes())
    if _HANDOVER and _HANDOVER[0][0] is dyn and _HANDOVER[0][1] == key:
        _, _, s_hit, target = _HANDOVER[0]
        if s_end is None or np.array_equal(s_end, s_hit):
            return s_hit.copy(), target.copy()
    if s_end is None:
        s_end = dyn.station(srv, np.array([t_end_s]))[0]
    target = _relative_to_inertial("LVLH", s_end, rel)
    _HANDOVER[:] = [(dyn, key, s_end.copy(), target.copy())]
    return s_end, target


def _plan_track(dyn, rv0, station_rv0, t_end_s, imp_t, dvi, track_step_s) -> PhasingTrack:
    """The plan's sampled track: every ``track_step_s`` and at the burn epochs (so the
    kinks are drawn where they are)."""
    n = max(2, int(np.ceil(t_end_s / track_step_s)) + 1)
    grid = np.unique(np.concatenate([np.linspace(0.0, t_end_s, n), imp_t]))
    c_track = dyn.chaser(rv0, grid, imp_t, dvi)
    s_track = dyn.station(station_rv0, grid)
    return PhasingTrack(grid, c_track, s_track)


class _PlanNumbers(NamedTuple):
    """What :func:`_build_plan` computed, in kernel form (s from ``t0``, km, km/s,
    GCRS; burns sorted by epoch); ``made``: the Time epochs and LVLH delta-v's once
    made."""

    t0: Time
    rv0: np.ndarray
    station_rv0: np.ndarray
    t_end_s: float
    imp_t: np.ndarray
    dvi: np.ndarray
    labels: tuple
    before: np.ndarray
    arrival: np.ndarray
    s_end: np.ndarray
    target: np.ndarray
    rel6: np.ndarray
    mu: float
    made: dict
    dyn: object = None
    track_step_s: float = 60.0


def _plan_epochs(nb: _PlanNumbers) -> Time:
    """The burn epochs and the hand-over in one astropy sum (element by element the
    same arithmetic as one at a time)."""
    if "epochs" not in nb.made:
        nb.made["epochs"] = _epochs_after(nb.t0, np.append(nb.imp_t, nb.t_end_s))
    return nb.made["epochs"]


def _plan_dv_lvlh(nb: _PlanNumbers) -> np.ndarray:
    """The burns' delta-v's (k, 3) km/s in the chaser's LVLH frame just before each
    burn (the LVLH bases in one call: row by row the same numbers)."""
    if "dv_lvlh" not in nb.made:
        bases = _lvlh_basis(nb.before[:, :3], nb.before[:, 3:])
        nb.made["dv_lvlh"] = [bases[k] @ nb.dvi[k] for k in range(nb.imp_t.size)]
    return nb.made["dv_lvlh"]


def _made_burns(nb) -> tuple:
    epochs = _plan_epochs(nb)
    dv_l = _plan_dv_lvlh(nb)
    return tuple(_lvlh_burn(epochs[k], dv_l[k], nb.labels[k]) for k in range(nb.imp_t.size))


def _phase_angle_1(station_rv: np.ndarray, chaser_rv: np.ndarray) -> float:
    """:func:`._kernels._phase_angle` of one pair of states (6,), the same operations
    (np.cross's element products written out, :func:`frames._cross`; np.linalg.norm's
    and np.sum's reductions as the same ``np.add.reduce`` calls) without their call
    overhead (~0.1 ms -> ~0.02 ms)."""
    rs, vs = station_rv[:3], station_rv[3:]
    h = _cross(rs, vs)
    h = h / np.sqrt(np.add.reduce(h * h, axis=-1, keepdims=True))
    rc = chaser_rv[:3]
    rc = rc - np.add.reduce(rc * h, axis=-1, keepdims=True) * h
    sin_ = np.add.reduce(_cross(rc, rs) * h, axis=-1)
    cos_ = np.add.reduce(rc * rs, axis=-1)
    return np.arctan2(sin_, cos_)


def _made_miss(nb) -> np.ndarray:
    return _inertial_to_relative("LVLH", nb.s_end, nb.arrival) - nb.rel6


def _made_approach_dv(nb) -> u.Quantity:
    rs = np.linalg.norm(nb.s_end[:3])
    return _hohmann_dv(nb.mu, rs - nb.rel6[2], rs) * 1e3 * _M_S


def _made_offsets(nb) -> tuple:
    # (one subtraction for all: element by element the same as one at a time)
    return tuple(float(x) for x in _seconds_since(nb.t0, _plan_epochs(nb)))


# each lazy field of a plan from (the plan, its numbers)
_LAZY_FIELDS = {
    "handover_epoch": lambda plan, nb: _plan_epochs(nb)[-1],
    "burns": lambda plan, nb: _made_burns(nb),
    "dv_inertial": lambda plan, nb: nb.dvi * 1e3 * _M_S,
    "dv": lambda plan, nb: np.linalg.norm(nb.dvi, axis=1) * 1e3 * _M_S,
    "arrival": lambda plan, nb: State.from_vectors(
        plan.handover_epoch, nb.arrival[:3], nb.arrival[3:]
    ),
    "target": lambda plan, nb: State.from_vectors(
        plan.handover_epoch, nb.target[:3], nb.target[3:]
    ),
    "station_at_handover": lambda plan, nb: State.from_vectors(
        plan.handover_epoch, nb.s_end[:3], nb.s_end[3:]
    ),
    "miss_position": lambda plan, nb: _made_miss(nb)[:3] * 1e3 * u.m,
    "miss_velocity": lambda plan, nb: _made_miss(nb)[3:] * 1e3 * _M_S,
    "handover_r_lvlh": lambda plan, nb: nb.rel6[:3] * u.km,
    "handover_v_lvlh": lambda plan, nb: nb.rel6[3:] * 1e3 * _M_S,
    "phase_angle_at_insertion": lambda plan, nb: (
        float(np.rad2deg(_phase_angle_1(nb.station_rv0, nb.rv0) % (2 * np.pi))) * u.deg
    ),
    "approach_dv_estimate": lambda plan, nb: _made_approach_dv(nb),
    "epoch_offsets_s": lambda plan, nb: _made_offsets(nb),
    "track": lambda plan, nb: _plan_track(
        nb.dyn, nb.rv0, nb.station_rv0, nb.t_end_s, nb.imp_t, nb.dvi, nb.track_step_s
    ),
}


class _LazyPhasingPlan(PhasingPlan):
    """The :class:`PhasingPlan` of :func:`_build_plan`: its astropy fields (epochs,
    burns, States, Quantities) are made from the planner's numbers when first read,
    each once, by the operations that made them eagerly (so the same objects and
    numbers); a campaign's re-plan reads a few of them (the astropy objects of all
    cost ~1 ms a sample). Pickled it is an ordinary, complete :class:`PhasingPlan`;
    ``dataclasses.replace`` makes a complete one too."""

    __slots__ = ("_numbers",)

    def __getattr__(self, name):
        # called only when the attribute is not set: a field made now
        make = _LAZY_FIELDS.get(name)
        if make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        try:
            nb = object.__getattribute__(self, "_numbers")
        except AttributeError:
            raise AttributeError(name) from None
        value = make(self, nb)
        object.__setattr__(self, name, value)
        return value

    def __reduce__(self):
        return (PhasingPlan, tuple(getattr(self, f.name) for f in fields(PhasingPlan)))

    def __repr__(self) -> str:
        # (the dataclass repr names the class: a plan is a PhasingPlan to its reader)
        return "PhasingPlan" + PhasingPlan.__repr__(self)[len(type(self).__qualname__) :]


def _plan_target_rv_km(plan) -> np.ndarray:
    """``plan.target.rv_km`` (the same numbers) without making the target State."""
    nb = getattr(plan, "_numbers", None)
    return plan.target.rv_km if nb is None else nb.target.copy()


def _plan_burn_count(plan) -> int:
    """``len(plan.burns)`` without making the Burns."""
    nb = getattr(plan, "_numbers", None)
    return len(plan.burns) if nb is None else len(nb.labels)


def _plan_dv_inertial_km_s(plan) -> np.ndarray:
    """``plan.dv_inertial.to_value(u.km / u.s)`` (the same numbers: the m/s values times
    the unit's scale) without making the Quantity."""
    nb = getattr(plan, "_numbers", None)
    if nb is None:
        return plan.dv_inertial.to_value(_KM_S)
    return (nb.dvi * 1e3) * _M_S_TO_KM_S


def _plan_handover_lvlh_km(plan) -> np.ndarray:
    """``plan.handover_r_lvlh`` in km and ``plan.handover_v_lvlh`` in km/s as one (6,)
    array (the same numbers) without making the Quantities."""
    nb = getattr(plan, "_numbers", None)
    if nb is None:
        return np.concatenate(
            [plan.handover_r_lvlh.to_value(u.km), plan.handover_v_lvlh.to_value(_KM_S)]
        )
    return np.concatenate([nb.rel6[:3], (nb.rel6[3:] * 1e3) * _M_S_TO_KM_S])


def _plan_phase_angle_deg(plan) -> float:
    """``float(plan.phase_angle_at_insertion.to_value(u.deg))`` without the Quantity."""
    nb = getattr(plan, "_numbers", None)
    if nb is None:
        return float(plan.phase_angle_at_insertion.to_value(u.deg))
    return float(np.rad2deg(_phase_angle_1(nb.station_rv0, nb.rv0) % (2 * np.pi)))


def _plan_burns_kept(plan, dv_min_m_s: float) -> tuple:
    """(the labels of the plan's burns, the indices of those whose ``dv_m_s`` is at
    least ``dv_min_m_s``): the burns' LVLH magnitudes are their inertial ones within a
    few ulps (a rotation), so those decide unless one is within 1e-9 of the threshold
    (then the LVLH magnitudes of :func:`_plan_burn_table`, as before)."""
    nb = getattr(plan, "_numbers", None)
    if nb is not None:
        mags = np.sqrt(np.add.reduce(nb.dvi * nb.dvi, axis=1)) * 1e3
        if np.all(np.isfinite(mags)) and not np.any(
            np.abs(mags - dv_min_m_s) <= 1e-9 * max(dv_min_m_s, 1e-300)
        ):
            return list(nb.labels), [k for k, m in enumerate(mags) if m >= dv_min_m_s]
    labels, dv_m_s = _plan_burn_table(plan)
    return labels, [k for k, m in enumerate(dv_m_s) if m >= dv_min_m_s]


def _plan_burn_table(plan) -> tuple:
    """The burns' labels and ``dv_m_s`` (lists, in order; the same numbers) without
    making the Burns."""
    nb = getattr(plan, "_numbers", None)
    if nb is None:
        return [b.label for b in plan.burns], [b.dv_m_s for b in plan.burns]
    # (Burn.dv_m_s: the norm of dv.value, the LVLH delta-v x 1e3 of _lvlh_burn)
    return list(nb.labels), [float(np.linalg.norm(d * 1e3)) for d in _plan_dv_lvlh(nb)]
