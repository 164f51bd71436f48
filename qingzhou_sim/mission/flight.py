"""Flying the phasing plan: burn execution errors and the re-targeting that corrects them.

A plan is computed once, on the ground, from the measured insertion. Flown as computed,
a 1 % magnitude or 1 deg pointing error on a 20 m/s burn (0.2-0.35 m/s) grows to
kilometres at the hand-over point two hours later. Operations therefore re-target the
remaining burns after each one from the newly determined orbit (Fehse 2003, sec. 2.2.2
and 2.3: the phasing burns' "correction boosts"; Vallado 2013, sec. 7.6.2: differential
correction). That is what :func:`fly_phasing_burns` does. The chaser's orbit
determination between burns is taken as exact. The ground targets the hand-over point
of the station it knows (with the station-knowledge error); the last correction before
the hand-over is flown on relative navigation (relative GNSS over the inter-satellite
link, Fehse 2003, sec. 7.1), so it targets the hand-over point of the true station.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import PropagationError
from ..phasing._common import (
    _HANDOVER_BURN_TOL_S,
    _MIN_GAP_S,
    _lvlh_basis_1,
    _seconds_after_insertion,
)

__all__ = [
    "PhasingFlight",
    "execution_error_draws",
    "executed_dv",
    "fly_phasing_burns",
    "phasing_flight",
    "vehicle_force_model",
]

# units built once (astropy composes a unit on every u.m / u.s: ~10 us)
_KM_S = u.km / u.s

# Below this a planned impulse is numerical zero for the ground, not flown: 1 mm/s is
# under the main engines' minimum impulse (4 x 490 N on 5 t for 10 ms is 4 mm/s).
NULL_BURN_M_S = 1e-3
# Mid-course corrections on the coast to the hand-over burn, as fractions of it: the
# second corrects the first's own execution error.
_MCC_AT = (0.5, 0.8)


def execution_error_draws(n_burns: int, rng: np.random.Generator) -> list:
    """Standard-normal draws (magnitude, pointing (3,)) for each planned burn, in plan
    order: made for every burn, so the sequence does not depend on which errors are on
    or on which burns are null."""
    # (one call: NumPy's Generator fills an array with the draws that one at a time
    # would give, in order)
    z = rng.standard_normal(4 * n_burns).reshape(n_burns, 4)
    return [(float(row[0]), row[1:].copy()) for row in z]


def executed_dv(dv: np.ndarray, draw, magnitude_frac: float, pointing_rad: float) -> np.ndarray:
    """A commanded delta-v as executed: magnitude error ``magnitude_frac`` x N(0, 1)
    and a pointing error of ``pointing_rad`` per axis perpendicular to the command
    (any units; the error scales with the magnitude)."""
    z_mag, z_point = draw
    mag = float(np.linalg.norm(dv))
    if mag == 0.0 or (magnitude_frac == 0 and pointing_rad == 0):
        return np.array(dv, float)
    unit = dv / mag
    perp = z_point - np.dot(z_point, unit) * unit
    return dv * (1.0 + magnitude_frac * z_mag) + mag * pointing_rad * perp


def fly_phasing_burns(
    plan,
    chaser0,
    truth_model,
    plan_model,
    magnitude_frac,
    pointing_rad,
    draws,
    relative_target=None,
    *,
    handover_s: float | None = None,
):
    """The phasing burns as flown, with the remaining burns re-targeted after each one.

    Before burn k the chaser's true state (``truth_model``) is taken as known and burns
    k..N-1 are re-solved by differential correction in ``plan_model`` (epochs fixed) to
    reach the plan's hand-over state; burn k is then executed with its errors. When the
    last burn is at the hand-over epoch (it matches the hand-over velocity) nothing
    after the burn before it could correct that burn's error, so mid-course corrections
    "MCC1" and "MCC2" are added at 50 % and 80 % of that coast (each at least 2 min
    from its neighbours); they and the hand-over burn aim at ``relative_target`` when
    given. If a correction
    does not converge the delta-v's are kept as they were.

    Parameters
    ----------
    plan : PhasingPlan
    chaser0 : State
        True chaser state at insertion.
    truth_model, plan_model : ForceModel
        Dynamics flown, and those of the plan.
    magnitude_frac, pointing_rad : float
        One-sigma execution errors.
    draws : list
        :func:`execution_error_draws` for the plan's burns and two more (the MCCs).
    relative_target : array (6,), optional
        Hand-over state (km, km/s, GCRS) relative to the true station, for the MCC and
        the hand-over burn (default: the plan's target).
    handover_s : float, optional
        ``(plan.handover_epoch - chaser0.epoch).to_value(u.s)`` when the caller has it.

    Returns
    -------
    tuple of Burn
        Executed burns, delta-v in the chaser's LVLH frame at each epoch.
    """
    return tuple(
        _fly(
            plan, chaser0, truth_model, plan_model, magnitude_frac, pointing_rad, draws,
            relative_target, handover_s,
        )[0]
    )  # fmt: skip


def _fly(
    plan, chaser0, truth_model, plan_model, magnitude_frac, pointing_rad, draws,
    relative_target, handover_s,
):  # fmt: skip
    """:func:`fly_phasing_burns`, returning (burns (a :class:`_LazyBurns`), each burn's
    epoch and then the hand-over epoch in seconds after ``chaser0.epoch`` (what
    ``Propagator.propagate`` computes from those epochs, by the same astropy
    arithmetic))."""
    from ..phasing.core import _plan_burns_kept, _plan_dv_inertial_km_s, _plan_target_rv_km
    from ..phasing.targeting import _correct, _correct_chord

    t0 = chaser0.epoch
    # (the plan's burns' labels and magnitudes: no Burn objects needed)
    plan_labels, keep = _plan_burns_kept(plan, NULL_BURN_M_S)
    offsets = _seconds_after_insertion(plan, t0)
    t_b = offsets[keep]
    dv_i = _plan_dv_inertial_km_s(plan)[keep]
    labels = [plan_labels[k] for k in keep]
    t_end = float(offsets[-1]) if handover_s is None else handover_s
    n_planned = len(keep)
    if n_planned >= 2 and abs(t_b[-1] - t_end) < _HANDOVER_BURN_TOL_S:
        t_a, coast = t_b[-2], t_b[-1] - t_b[-2]
        for m, frac in enumerate(_MCC_AT):
            if coast * min(frac, 1 - frac) < _MIN_GAP_S:
                continue
            t_b = np.insert(t_b, -1, t_a + frac * coast)
            dv_i = np.insert(dv_i, -1, np.zeros(3), axis=0)
            labels.insert(-1, f"MCC{m + 1}")
            keep.insert(-1, len(plan_labels) + m)  # their draws follow the plan's
    # burns targeted by the ground; the MCCs and the hand-over burn use relative navigation
    n_ground = n_planned - 1 if len(keep) > n_planned else n_planned
    target = _plan_target_rv_km(plan)
    # the insertion and every burn epoch in one astropy sum (element-wise the same
    # arithmetic as one epoch at a time); epochs[j] is t = 0 of the coast to burn j;
    # seconds: (epochs - t0) element by element as Propagator.propagate computes it for
    # each burn and for its end epoch t0 + t_end s (the same Time sums)
    needs_tt = truth_model.needs_epoch or plan_model.needs_epoch
    epochs, seconds, jd_tt = _flight_epochs(t0, np.append(t_b, t_end), needs_tt)
    truth = _EpochKernels(truth_model, epochs, jd_tt)
    planner = _EpochKernels(plan_model, epochs, jd_tt)
    rv, t_now = np.array(chaser0.rv_km, float), 0.0
    out, out_s = [], []
    jac = None
    for j, k in enumerate(keep):
        if j >= n_ground and relative_target is not None:
            target = relative_target
        rv = truth.at(j).chaser(rv, np.array([t_b[j] - t_now]), _NO_TIMES, _NO_DV)[0]
        t_now = t_b[j]
        if len(keep) - j >= 2:
            try:
                dyn, t_rel = planner.at(j + 1), t_b[j:] - t_now
                res = _correct_chord(dyn, rv, t_end - t_now, t_rel, dv_i[j:], target, jac)
                if res is None:
                    dv_new, converged, _ = _correct(
                        dyn, rv, t_end - t_now, t_rel, dv_i[j:], target, optimise=False,
                        report=False,
                    )  # fmt: skip
                else:
                    # the Jacobian's columns of the later burns start the next correction
                    dv_new, converged, jac = res
                    jac = jac[:, 3:]
                if converged:
                    dv_i[j:] = dv_new
            except PropagationError:
                jac = None
        elif abs(t_end - t_now) < 1.0:
            dv_i[j] = target[3:] - rv[3:]
        if np.linalg.norm(dv_i[j]) * 1e3 < NULL_BURN_M_S:
            continue
        dv_exec = executed_dv(dv_i[j], draws[k], magnitude_frac, pointing_rad)
        dv_lvlh = _lvlh_basis_1(rv[:3], rv[3:]) @ dv_exec
        rv = rv + np.concatenate([np.zeros(3), dv_exec])
        out.append((j + 1, dv_lvlh, labels[j]))
        out_s.append(float(seconds[j + 1]))
    return _LazyBurns(epochs, tuple(out)), np.array(out_s), float(seconds[-1])


_NO_TIMES, _NO_DV = np.zeros(0), np.zeros((0, 3))
# Burn.dv_km_s's conversion of the Burns' m/s (Quantity.to_value: value * scale)
_M_S_TO_KM_S = (u.m / u.s)._to(_KM_S)


class _Epochs:
    """The flight's epochs (the insertion, each burn, the hand-over) as UTC (jd1, jd2):
    the Time array (:func:`phasing.core._epochs_after`'s object) made when first
    indexed (the record path needs none)."""

    def __init__(self, t0, jd1, jd2, time=None):
        self.t0, self.jd1, self.jd2, self._time = t0, jd1, jd2, time

    def __getitem__(self, i):
        if self._time is None:
            from ..phasing.core import _utc_time

            self._time = _utc_time(self.t0, self.jd1, self.jd2)
        return self._time[i]


def _flight_epochs(t0, t_s, needs_tt: bool) -> tuple:
    """(:class:`_Epochs` of ``t0`` and ``t0 + t_s`` s, their seconds since ``t0`` as
    ``Propagator.propagate`` computes them, their TT Julian dates or None): by
    astropy's steps on the numbers for a scalar UTC ``t0`` (``phasing.core``'s
    ``_utc_jd_after``, ``_seconds_since_jd``, ``_tt_jd_of``), the same numbers as
    with Time objects."""
    from ..phasing.core import (
        _seconds_since,
        _seconds_since_jd,
        _tt_jd,
        _tt_jd_of,
        _utc_jd_after,
        _utc_scalar,
    )

    t_all = np.concatenate([[0.0], np.asarray(t_s, dtype=np.float64)])
    if not _utc_scalar(t0):
        epochs = _epochs_after(t0, t_s)
        jd_tt = _tt_jd(epochs) if needs_tt else None
        return _Epochs(t0, None, None, epochs), _seconds_since(t0, epochs), jd_tt
    jd1, jd2 = _utc_jd_after(t0, t_all)
    jd_tt = _tt_jd_of(jd1, jd2) if needs_tt else None
    return _Epochs(t0, jd1, jd2), _seconds_since_jd(t0, jd1, jd2), jd_tt


class _LazyBurns(Sequence):
    """The flown burns: the tuple of :class:`~qingzhou_sim.maneuvers.Burn` that the
    flight made eagerly before (``_lvlh_burn(epochs[i], dv_lvlh, label)``), made when
    first read; their magnitudes and kernel delta-v's from the numbers without them
    (the campaign's record path reads only those). Equal to, and pickled as, the tuple."""

    def __init__(self, epochs: _Epochs, specs: tuple):
        self._epochs, self._specs, self._made = epochs, specs, None

    def _burns(self) -> tuple:
        if self._made is None:
            from ..phasing.core import _lvlh_burn

            self._made = tuple(_lvlh_burn(self._epochs[i], d, lab) for i, d, lab in self._specs)
        return self._made

    def __len__(self) -> int:
        return len(self._specs)

    def __getitem__(self, k):
        return self._burns()[k]

    def __iter__(self):
        return iter(self._burns())

    def __eq__(self, other):
        return self._burns() == (other._burns() if isinstance(other, _LazyBurns) else other)

    def __hash__(self):
        return hash(self._burns())

    def __repr__(self) -> str:
        return repr(self._burns())

    def __reduce__(self):
        return (tuple, (self._burns(),))

    def dv_m_s(self) -> list:
        """Each burn's ``Burn.dv_m_s`` (the norm of its m/s values), the same floats."""
        return [float(np.linalg.norm(d * 1e3)) for _, d, _ in self._specs]

    def frames_dv_km_s(self) -> list:
        """Each burn's (``frame``, ``dv_km_s``), the same numbers."""
        return [("LVLH", (d * 1e3) * _M_S_TO_KM_S) for _, d, _ in self._specs]


def _burns_dv_m_s(burns) -> list:
    """``[b.dv_m_s for b in burns]`` without making lazy burns."""
    if isinstance(burns, _LazyBurns):
        return burns.dv_m_s()
    return [b.dv_m_s for b in burns]


def _epochs_after(t0, t_s) -> Time:
    """``t0`` and ``t0 + t_s`` (s) as one Time array (element by element the same
    arithmetic, hence the same epochs, as one ``t0 + TimeDelta(t * u.s)`` at a time;
    :func:`phasing.core._epochs_after`)."""
    from ..phasing.core import _epochs_after as after

    return after(t0, np.concatenate([[0.0], t_s]))


class _EpochKernels:
    """The planner's dynamics of one force model (:func:`phasing.core._make_dynamics`)
    with t = 0 at each of a few fixed epochs: the force parameters (the Earth's pole of
    the epoch) built once per epoch, and the kernel called without an astropy epoch per
    propagation. Bit-identical to ``_make_dynamics(model, epoch0=epochs[i])``."""

    def __init__(self, model, epochs: Time, jd_tt):
        from ..propagator import Propagator

        self.model, self.epochs = model, epochs
        self.jd_tt = jd_tt if model.needs_epoch else None
        # its kernels are replaced below (its epoch does not matter: no astropy here)
        self.shell = _shell(model)
        self.prop = Propagator(model)
        self._made: dict = {}

    def at(self, i: int):
        """The dynamics with t = 0 at ``epochs[i]``."""
        if self.shell.two_body:
            return self.shell  # Kepler: no epoch
        if i not in self._made:
            from ..phasing.core import _dop853_inputs

            p = self.model.build(None if self.jd_tt is None else float(self.jd_tt[i]))
            chaser = functools.partial(_kernel_rv, self.prop, p, self.epochs, i)
            shell = self.shell
            # (the shell's fields with these kernels: dataclasses.replace's object,
            # without its ~20 us of introspection, some ten times a flight)
            self._made[i] = type(shell)(
                shell.name,
                shell.two_body,
                shell.earth,
                chaser,
                functools.partial(self._station, i),
                functools.partial(_arc_rv, self.prop, p) if shell.arc else None,
                functools.partial(_dop853_inputs, self.prop, p) if shell.dop853 else None,
            )
        return self._made[i]

    def _station(self, i, rv0, t_s):
        # (not used by the flight's corrections; made exactly, when asked)
        from ..phasing.core import _make_dynamics

        return _make_dynamics(self.model, epoch0=self.epochs[i]).station(rv0, t_s)


# The shells of :class:`_EpochKernels` by what they depend on (a handful a process).
_SHELLS: dict = {}


def _shell(model):
    """``phasing.core._make_dynamics(model, epoch0=None)`` for :class:`_EpochKernels`,
    which reads only its name, whether it is two-body (then its Kepler kernels, which
    depend on the Earth model alone) and whether it has arcs and DOP853 inputs: the
    same for every model of one kind of gravity, drag presence, third bodies, pole and
    Earth, so made once for each (a sample's drag scales do not make a new one)."""
    from ..phasing.core import _make_dynamics

    gravity = model.gravity
    key = (
        type(gravity),
        getattr(gravity, "max_degree", 0),
        model.drag is None,
        model.drag is not None and type(model.drag.atmosphere),
        model.third_bodies,
        model.pole,
        model.earth,
    )
    if key not in _SHELLS:
        if len(_SHELLS) >= 16:
            _SHELLS.clear()
        _SHELLS[key] = _make_dynamics(model, epoch0=None)
    return _SHELLS[key]


def _kernel_rv(prop, p, epochs, i, rv0, t_s, imp_t=None, imp_dv=None):
    """``prop.propagate_rv(rv0, t_s, impulses..., epoch=epochs[i])`` with the force
    parameters ``p`` of that epoch already built: the kernel directly on the common
    inputs (finite, sorted, forward), ``propagate_rv`` itself (its checks, its errors)
    on any other."""
    y0 = np.asarray(rv0, float).reshape(-1)
    t = np.asarray(t_s, float).ravel()
    it = _NO_TIMES if imp_t is None else np.asarray(imp_t, float).ravel()
    idv = _NO_DV if imp_dv is None else np.asarray(imp_dv, float).reshape(-1, 3)
    common = (
        y0.shape == (6,)
        and t.size > 0
        and t[0] >= 0.0
        and it.shape[0] == idv.shape[0]
        and math.isfinite(y0.sum() + t.sum() + it.sum() + idv.sum())
        and (t.size == 1 or bool(np.all(np.diff(t) >= 0)))
    )
    if not common:
        epoch = epochs[i]
        return prop.propagate_rv(y0, t, impulses_t_s=it, impulses_dv_km_s=idv, epoch=epoch)
    return prop._kernel_side(y0, t.copy(), it.copy(), idv, p.copy(), 1.0)


def _arc_rv(prop, p, t0, y0, t1):
    """The coast of :attr:`phasing.core._Dynamics.arc` with the force parameters ``p``
    of one epoch (DOP853, the propagator's settings)."""
    from ..propagator._dop853 import _OK, _dop853_arc

    tol = (float(prop.rtol), float(prop.atol), int(prop.max_steps), prop._stop_radius)
    _, ys, _, st = _dop853_arc(float(t0), y0, float(t1), p.copy(), *tol)
    return ys[-1].copy() if st == _OK else None


def _propagated_to(prop, state, t_end: float, burns, burns_s):
    """``prop.propagate(state, [epoch t_end s after state.epoch], burns=burns)`` for the
    phasing flight's case (forward, no events, ``burns_s``: each burn's epoch in seconds
    as ``propagate`` computes it): the same arcs (``Propagator._arc``), the same burns
    and the same dense output at ``t_end``, bit for bit, without the astropy arithmetic
    per burn and per output epoch. None when an arc does not end normally (the caller
    then lets ``propagate`` raise or report it)."""
    from ..maneuvers import _dv_to_inertial
    from ..propagator._dop853 import _OK
    from ..propagator.core import _BURN_TOL_S
    from ..propagator.trajectory import Trajectory, _Segment

    if prop.method != "dop853" or t_end <= 0.0:
        return None
    y = state.rv_km.astype(float)
    if np.linalg.norm(y[:3]) < prop._stop_radius:
        return None
    stops = []
    numbers = (
        burns.frames_dv_km_s()
        if isinstance(burns, _LazyBurns)
        else [(b.frame, b.dv_km_s) for b in burns]
    )
    for k, tb in enumerate(burns_s):
        if -_BURN_TOL_S <= tb < 0.0 or t_end < tb <= t_end + _BURN_TOL_S:
            tb = min(max(tb, 0.0), t_end)  # (propagate's tolerance at the span's ends)
        if not 0.0 <= tb <= t_end:
            return None
        stops.append((tb, k))
    stops.sort(key=lambda x: x[0])
    # the burns in time order (the flight's are: then the lazy ones as they are)
    in_order = [k for _, k in stops] == list(range(len(stops)))
    applied = burns if in_order and len(stops) == len(burns) else tuple(burns[k] for _, k in stops)
    p = prop._params(state.epoch)
    t, segments = 0.0, []
    for t_stop, k in [*stops, (t_end, None)]:
        if t_stop != t:
            seg, st = prop._arc(t, y, t_stop, p)
            if st != _OK:
                return None
            segments.append(seg)
            y = seg.ys[-1].copy()
            t = t_stop
        if k is not None:
            frame, dv_km_s = numbers[k]
            if frame == "LVLH":  # maneuvers._dv_to_inertial's operations, one state
                y[3:] += np.einsum("...ji,...j->...i", _lvlh_basis_1(y[:3], y[3:]), dv_km_s)
            else:
                y[3:] += _dv_to_inertial(frame, y[:3], y[3:], dv_km_s)
            if t_stop == t_end:
                # propagate's one-point arc after a burn at the end: its state is the end
                post = y[None].copy()
                segments.append(_Segment("rk4", np.array([t_end]), post, post.copy(), 0.0))
    if not segments:
        return None
    last = segments[-1]
    if last.ts.shape[0] == 1:
        rv = last.ys[:1].copy()
    else:
        # the dense output of the arc's last step alone (each step's coefficients are
        # made from its own stages: the same numbers as the whole arc's at t_end)
        step = _Segment(last.kind, last.ts[-2:], last.ys[-2:], last.coef[-1:], last.mu, p)
        rv = step.eval(np.array([t_end]))
    return Trajectory(
        state.epoch,
        np.array([t_end]),
        rv,
        (),
        applied,
        "success",
        "propagation completed",
        prop.method,
        tuple(segments),
        (0.0, t_end),
        state,
    )


def vehicle_force_model(settings: dict | None, spacecraft, *, density_scale=1.0, cd_scale=1.0):
    """The mission's force model with the drag parameters of ``spacecraft``."""
    from ..forces import Drag, ForceModel

    base = ForceModel.default() if settings is None else ForceModel.from_dict(settings)
    if base.drag is None:
        return base
    drag = Drag(
        cd=spacecraft.cd * cd_scale,
        area_m2=spacecraft.drag_area_m2,
        mass_kg=spacecraft.mass_kg,
        atmosphere=base.drag.atmosphere,
        density_scale=base.drag.density_scale * density_scale,
    )
    return replace(base, drag=drag)


@dataclass(frozen=True)
class PhasingFlight:
    """The phasing stage: the plan, the burns as flown and both trajectories from
    insertion to the hand-over (sampled on ``grid_s`` seconds after insertion)."""

    plan: object
    burns: tuple
    chaser: object
    station: object
    grid_s: np.ndarray


def _flown_as_planned(p) -> bool:
    return (
        p.burn_magnitude_frac == 0
        and p.burn_pointing_rad == 0
        and not np.any(p.station_knowledge_lvlh)
        and p.density_scale_chaser == p.density_scale_station == 1.0
        and p.cd_scale_chaser == p.cd_scale_station == 1.0
    )


def _flown_burns(plan, chaser0, station0, p, models, t_end_s: float) -> tuple:
    """The plan's burns as executed: as planned, or re-targeted after each burn
    (:func:`fly_phasing_burns`) when execution errors or model errors are drawn;
    ``t_end_s``: seconds from insertion to the hand-over. Returns (burns, their epochs
    and the hand-over epoch in seconds as ``Propagator.propagate`` computes them, or
    (burns, None, None) when flown as planned)."""
    from ..frames import _relative_to_inertial
    from ..phasing.core import _plan_burn_count, _plan_handover_lvlh_km
    from ..propagator import Propagator

    fm_plan, fm_chaser, fm_station = models
    if _flown_as_planned(p):
        # flown exactly as planned: nothing to re-target
        return tuple(b for b in plan.burns if b.dv_m_s >= NULL_BURN_M_S), None, None
    t_ins = chaser0.epoch
    draws = execution_error_draws(_plan_burn_count(plan) + 2, np.random.default_rng(p.seed))
    station_end = Propagator(fm_station).propagate_rv(
        station0.rv_km, np.array([t_end_s]), epoch=t_ins
    )[0]
    relative_target = _relative_to_inertial("LVLH", station_end, _plan_handover_lvlh_km(plan))
    return _fly(
        plan,
        chaser0,
        fm_chaser,
        fm_plan,
        p.burn_magnitude_frac,
        p.burn_pointing_rad,
        draws,
        relative_target,
        t_end_s,
    )


def phasing_flight(
    plan, chaser0, station0, p, models, output_step_s: float, *, samples: bool = True
) -> PhasingFlight:
    """Fly the phasing plan from insertion to the hand-over in the truth models.

    Parameters
    ----------
    plan : PhasingPlan
        Planned on the ground with the nominal models.
    chaser0, station0 : State
        True chaser and station at insertion.
    p : Perturbations
        The sample's dispersions (execution and model errors).
    models : tuple of ForceModel
        (plan, chaser truth, station truth).
    output_step_s : float
        Sampling of the trajectories.
    samples : bool
        False: the trajectories hold only their last sample, the hand-over states
        (what a campaign's record needs), the same numbers as the last sample of the
        full trajectories.

    Raises
    ------
    InfeasiblePlanError
        The chaser's propagation failed before the hand-over.
    """
    from ..errors import InfeasiblePlanError
    from ..propagator import Propagator

    t_ins = chaser0.epoch
    span_s = float(_seconds_after_insertion(plan, t_ins)[-1])
    burns, burns_s, end_s = _flown_burns(plan, chaser0, station0, p, models, span_s)
    grid_s = np.unique(np.concatenate([np.arange(0.0, span_s, output_step_s), [span_s]]))
    if not samples:
        # the dense output at the last epoch: arcs and burns do not depend on the others
        grid_s = grid_s[-1:]
        if burns_s is not None and station0.epoch is t_ins:
            chaser_traj = _propagated_to(Propagator(models[1]), chaser0, end_s, burns, burns_s)
            station_traj = _propagated_to(Propagator(models[2]), station0, end_s, (), ())
            if chaser_traj is not None and station_traj is not None:
                return PhasingFlight(plan, burns, chaser_traj, station_traj, grid_s)
    burns = tuple(burns)  # (the Burns themselves: Propagator.propagate reads them)
    grid = t_ins + grid_s * u.s
    chaser_traj = Propagator(models[1]).propagate(chaser0, grid, burns=burns)
    station_traj = Propagator(models[2]).propagate(station0, grid)
    if chaser_traj.status != "success" and not samples:
        # the message counts the samples not reached: that of the full trajectories
        return phasing_flight(plan, chaser0, station0, p, models, output_step_s)
    if chaser_traj.status != "success":
        raise InfeasiblePlanError(
            f"the chaser did not reach the hand-over point: {chaser_traj.message}",
            name="phasing",
            value=chaser_traj.status,
        )
    return PhasingFlight(plan, burns, chaser_traj, station_traj, grid_s)
