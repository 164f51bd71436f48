"""Shared set-up of the phasing strategies: input checks, the hand-over target,
correction and assembly of the plan."""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import EARTH, as_array, as_duration_s
from ..errors import InfeasiblePlanError, InputError, OrbitRangeError, PropagationError
from ..frames import _unit
from ..state import State, _norm
from .core import (
    ARRIVAL_POSITION_TOL_KM,
    ARRIVAL_VELOCITY_TOL_KM_S,
    _build_plan,
    _coelliptic_velocity,
    _Dynamics,
    _handover_target,
    _make_dynamics,
    _plan_burn_count,
)
from .targeting import _correct

__all__ = ["MIN_INSERTION_PERIGEE"]


# An insertion orbit with a perigee below 150 km re-enters within about one day
# (Vallado 2013, Table 8-4 densities: at 150 km the decay per revolution of a
# 266 kg/m^2 ballistic coefficient is kilometres); the planner rejects it.
MIN_INSERTION_PERIGEE = 150.0 * u.km


# Smallest time between two impulses of a plan, s.
_MIN_GAP_S = 120.0
# A burn this close to the hand-over epoch is the hand-over burn, which matches the
# hand-over velocity (s).
_HANDOVER_BURN_TOL_S = 1.0


# ------------------------------------------------------------------ set-up
@dataclass(frozen=True)
class _Problem:
    dyn: _Dynamics
    chaser: State
    rv0: np.ndarray
    station_rv0: np.ndarray  # at the chaser's epoch
    t_end_s: float
    rel6: np.ndarray  # hand-over offset, station LVLH, km and km/s
    n_station: float  # rad/s


def _setup(chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, dyn=None):
    if not isinstance(chaser, State) or not isinstance(station, State):
        raise InputError("chaser and station must be State objects (GCRS)", name="chaser/station")
    if isinstance(handover_time, Time):
        t_end = float((handover_time - chaser.epoch).to_value(u.s))
    else:
        t_end = _converted(handover_time, u.s, "handover_time", ())
    if not t_end > 0:
        raise InfeasiblePlanError(
            f"hand-over time {t_end / 3600:.4f} h after insertion is not after the insertion "
            f"epoch {chaser.epoch.utc.isot} UTC; expected a hand-over time > 0 h",
            name="handover_time",
            value=t_end * u.s,
            valid="> 0 s after insertion",
        )
    hp, ecc = _perigee_altitude_ecc(chaser.rv_km)
    if hp < MIN_INSERTION_PERIGEE.to_value(u.km):
        raise OrbitRangeError(
            f"insertion perigee altitude {hp:.1f} km re-enters (decays within about a day); "
            f"expected a perigee altitude >= {MIN_INSERTION_PERIGEE.to_value(u.km):.0f} km",
            name="perigee_altitude",
            value=hp * u.km,
            valid=f">= {MIN_INSERTION_PERIGEE}",
        )
    if ecc >= 1:
        raise OrbitRangeError(
            f"insertion orbit eccentricity {ecc:.4f} is not a closed orbit; expected < 1",
            name="ecc",
            value=ecc,
        )
    hs, _ = _perigee_altitude_ecc(station.rv_km)
    if hs < MIN_INSERTION_PERIGEE.to_value(u.km):
        raise OrbitRangeError(
            f"station perigee altitude {hs:.1f} km is below {MIN_INSERTION_PERIGEE}",
            name="station",
            value=hs * u.km,
        )
    if dyn is None:
        dyn = _make_dynamics(force_model, epoch0=chaser.epoch)
    # (one Time object for both in a campaign: no astropy subtraction)
    same = chaser.epoch is station.epoch
    dt_s = 0.0 if same else float((chaser.epoch - station.epoch).to_value(u.s))
    srv = station.rv_km
    if dt_s != 0.0:
        srv = dyn.station(srv, np.array([dt_s]))[0]
    r = _converted(handover_r_lvlh, u.km, "handover_r_lvlh", (3,))
    a_s = _semi_major_axis(dyn.mu, srv)
    n_s = float(np.sqrt(dyn.mu / a_s**3))
    if handover_v_lvlh is None:
        v = _coelliptic_velocity(n_s, r)
    else:
        v = _converted(handover_v_lvlh, _KM_S, "handover_v_lvlh", (3,))
    return _Problem(dyn, chaser, chaser.rv_km, srv, t_end, np.concatenate([r, v]), n_s)


# units built once (astropy composes a unit on every u.km / u.s: ~10 us)
_KM_S = u.km / u.s
# (unit, shape, value's unit, value's bytes) -> the checked value of _converted
_CONVERTED: dict = {}


def _converted(value, unit, name: str, shape: tuple):
    """``as_duration_s(value, name)`` (``shape`` ``()``, ``unit`` s) or ``as_array(value,
    unit, name, shape=shape)``: the same numbers, remembered for a Quantity already
    checked (the profiles' hand-over offsets and times come back every re-plan of a
    campaign; ~50 us each through the checks); a copy of the array each time."""
    if type(value) is not u.Quantity or value.dtype != np.float64:
        if shape == ():
            return as_duration_s(value, name)
        return as_array(value, unit, name, shape=shape)
    key = (unit, shape, value.unit, value.shape, value.value.tobytes())
    if key not in _CONVERTED:
        if len(_CONVERTED) > 64:
            _CONVERTED.clear()
        if shape == ():
            _CONVERTED[key] = as_duration_s(value, name)
        else:
            _CONVERTED[key] = as_array(value, unit, name, shape=shape)
    out = _CONVERTED[key]
    return out if shape == () else out.copy()


def _perigee_altitude_ecc(rv: np.ndarray) -> tuple[float, float]:
    """(perigee altitude km, eccentricity) of a GCRS state (km, km/s): the numbers of
    ``State.perigee_altitude`` and of ``_rv_to_elements(...)[1]`` (the same operations
    on one state, Vallado 2013, Algorithm 9) without the other elements, for the input
    checks (~0.2 ms each through the full element set)."""
    mu = EARTH.mu_km3_s2
    r, v = rv[:3], rv[3:]
    h = _norm(_cross(r, v))
    if h <= 1e-12 * np.sqrt(mu * _norm(r)):
        raise OrbitRangeError(
            "velocity is zero or parallel to the position (rectilinear motion); the "
            "orbital elements are undefined; expected a non-zero angular momentum r x v",
            name="v",
            value=float(h),
            valid="|r x v| > 0",
        )
    rn = _norm(r)
    vn2 = np.einsum("...i,...i->...", v, v)
    rdv = np.einsum("...i,...i->...", r, v)
    ecc = _norm(((vn2 - mu / rn) * r - rdv * v) / mu)
    return float(h**2 / mu / (1 + ecc) - EARTH.radius_km), float(ecc)


def _semi_major_axis(mu: float, rv: np.ndarray) -> float:
    """Semi-major axis (km) from the energy, the operations of ``_rv_to_elements``
    (bit for bit) for one bound state."""
    energy = 0.5 * np.einsum("...i,...i->...", rv[3:], rv[3:]) - mu / _norm(rv[:3])
    return float(-mu / (2.0 * energy)) if energy != 0 else float("inf")


def _a_ecc(mu: float, rv: np.ndarray) -> tuple[float, float]:
    """(semi-major axis km, eccentricity) of one bound state: the operations of
    ``_rv_to_elements(mu, r, v)[:2]`` (bit for bit) without the other elements (Vallado
    2013, Algorithm 9)."""
    r, v = rv[:3], rv[3:]
    rn = _norm(r)
    vn2 = np.einsum("...i,...i->...", v, v)
    rdv = np.einsum("...i,...i->...", r, v)
    return _semi_major_axis(mu, rv), float(_norm(((vn2 - mu / rn) * r - rdv * v) / mu))


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x b of two 3-vectors: the element operations of ``np.cross`` (a product, a
    product, a difference each) at a tenth of its call cost."""
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


def _seconds_after_insertion(plan, t0) -> np.ndarray:
    """Seconds from ``t0`` to each burn of ``plan`` and to its hand-over: the plan's
    :attr:`~.core.PhasingPlan.epoch_offsets_s` when ``t0`` is its insertion epoch (the
    same numbers), else one astropy subtraction per epoch."""
    n_burns = _plan_burn_count(plan)
    if t0 is plan.insertion_epoch and len(plan.epoch_offsets_s) == n_burns + 1:
        return np.array(plan.epoch_offsets_s, float)
    epochs = [b.epoch for b in plan.burns] + [plan.handover_epoch]
    return np.array([(e - t0).to_value(u.s) for e in epochs], float)


def _lvlh_basis_1(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``frames._lvlh_basis`` for one state (rows V-bar, H-bar, R-bar in GCRS, (3, 3)):
    the same operations, with the cross products written out (:func:`_cross`), at a
    quarter of its cost for a single vector."""
    z = -_unit(r)
    y = -_unit(_cross(r, v))
    return np.array([_cross(y, z), y, z])


def _target_at_end(pb: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """(the station at the hand-over, the hand-over target) of ``pb``."""
    return _handover_target(pb.dyn, pb.station_rv0, pb.t_end_s, pb.rel6)


def _finish(
    pb,
    strategy,
    profile,
    imp_t,
    dv,
    labels,
    correct,
    notes=(),
    bases=None,
    optimise=True,
    epochs=False,
):
    """Correct (optionally) and build the plan."""
    report = None
    if correct:
        _, target = _target_at_end(pb)
        dv, report, imp_t = _correct(
            pb.dyn,
            pb.rv0,
            pb.t_end_s,
            imp_t,
            dv,
            target,
            bases=bases,
            optimise=optimise,
            epochs=epochs,
        )
        if not report.converged:
            raise PropagationError(
                f"{strategy} plan: full-force targeting did not converge after "
                f"{report.iterations} iterations (miss {report.position_residual:.1f}, "
                f"{report.velocity_residual:.4f}; tolerances "
                f"{ARRIVAL_POSITION_TOL_KM * 1e3:.0f} m, {ARRIVAL_VELOCITY_TOL_KM_S * 1e3} m/s)",
                last_epoch=pb.chaser.epoch,
            )
    return _build_plan(
        dyn=pb.dyn,
        strategy=strategy,
        profile=profile,
        chaser=pb.chaser,
        station_rv0=pb.station_rv0,
        t_end_s=pb.t_end_s,
        rel_lvlh6=pb.rel6,
        imp_t=imp_t,
        dv_inertial=dv,
        labels=labels,
        correction=report,
        notes=notes,
    )


def _tangential_impulses(dyn, rv0, imp_t, mags):
    """Inertial impulses along the velocity of the (propagated) chaser."""
    dv = np.zeros((len(imp_t), 3))
    for k, (t, m) in enumerate(zip(imp_t, mags)):
        y = dyn.chaser(rv0, np.array([t]), np.asarray(imp_t[:k]), dv[:k])[0]
        dv[k] = m * y[3:] / np.linalg.norm(y[3:])
    return dv
