r"""Nonlinear truth for relative motion: two absolute propagations converted to LVLH.

The target and the chaser are propagated separately with the full nonlinear equations
(the project's :class:`~qingzhou_sim.propagator.Propagator`: J2-J4 and drag by
default), then the chaser is expressed in the target's LVLH frame at every sample with
:func:`qingzhou_sim.frames._inertial_to_relative`. Every linear model of this package
is validated against it.
"""

from __future__ import annotations

import inspect

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from ..constants import EARTH, EarthModel, as_array, as_duration_s
from ..errors import EpochOrderError, InputError
from ..frames import _inertial_to_relative
from .stm import RelativeTrajectory

__all__ = ["relative_truth"]


# Tighter than the Propagator defaults: the truth is a difference of two absolute
# propagations, so their errors must stay well below the relative errors measured.
_TRUTH_RTOL = 1e-12
_TRUTH_ATOL = 1e-12


def _truth_propagator(max_degree: int | None, earth: EarthModel):
    from ..forces import ForceModel, ZonalGravity
    from ..propagator import Propagator

    if max_degree is None:
        fm = ForceModel.default()
    elif max_degree == 0:
        fm = ForceModel.two_body(earth)
    else:
        fm = ForceModel(gravity=ZonalGravity(max_degree=max_degree), drag=None, earth=earth)
    return Propagator(force_model=fm, rtol=_TRUTH_RTOL, atol=_TRUTH_ATOL)


def _propagate_rv(prop, rv0: np.ndarray, t_s: np.ndarray, epoch) -> np.ndarray:
    params = inspect.signature(prop.propagate_rv).parameters
    if "epoch" in params:
        return np.asarray(prop.propagate_rv(rv0, t_s, epoch=epoch), dtype=float)
    return np.asarray(prop.propagate_rv(rv0, t_s), dtype=float)


def relative_truth(
    target,
    chaser,
    t: u.Quantity | Time,
    *,
    step: u.Quantity = 60 * u.s,
    propagator=None,
    target_propagator=None,
    max_degree: int | None = None,
    earth: EarthModel = EARTH,
) -> RelativeTrajectory:
    """Chaser relative to target in the target's LVLH, from two nonlinear propagations.

    Parameters
    ----------
    target, chaser : State
        Inertial (GCRS) states at the same epoch.
    t : Quantity (m,), Time (m,), or scalar Quantity / TimeDelta
        Output times since the common epoch (sorted, >= 0), output epochs, or a
        duration sampled every ``step`` (end included).
    step : Quantity
        Sampling step when ``t`` is a scalar duration (default 60 s).
    propagator : Propagator, optional
        Propagator of the chaser (anything with ``propagate_rv(rv0_km, t_s)``).
        Default: the project's :class:`~qingzhou_sim.propagator.Propagator` (DOP853,
        rtol = atol = 1e-12) with ``ForceModel.default()`` (J2-J4 + drag of a
        Qingzhou-like spacecraft), or the zonal model of ``max_degree`` when given.
    target_propagator : Propagator, optional
        Propagator of the target (station); default: the chaser's.
    max_degree : {0, 2, 3, 4}, optional
        Zonal-only truth (0 = two-body), no drag. Ignored when ``propagator`` is given.

    Returns
    -------
    RelativeTrajectory
        ``model="truth"``, LVLH states ``(m, 3)``.

    Raises
    ------
    EpochOrderError
        If the two states are not at the same epoch or the times are unsorted/negative.
    """
    lag_s = (chaser.epoch - target.epoch).to_value(u.s)
    if abs(lag_s) > 1e-6:
        raise EpochOrderError(
            f"target and chaser epochs differ by {lag_s:.6f} s; give both states at the same epoch",
            name="chaser.epoch",
            value=chaser.epoch,
        )
    if isinstance(t, Time):
        t_s = np.atleast_1d((t - target.epoch).to_value(u.s))
    elif isinstance(t, TimeDelta) or (isinstance(t, u.Quantity) and t.isscalar):
        dur = as_duration_s(t, "t")
        dt = as_duration_s(step, "step")
        if not (dur > 0 and dt > 0):
            raise InputError(
                f"duration {dur} s and step {dt} s must be > 0", name="t", value=(dur, dt)
            )
        t_s = np.union1d(np.arange(0.0, dur, dt), [dur])
    else:
        t_s = np.atleast_1d(as_array(t, u.s, "t"))
    if t_s.ndim != 1 or np.any(np.diff(t_s) <= 0) or t_s[0] < 0:
        raise EpochOrderError(
            "relative_truth times must be strictly increasing and >= 0 s since the epoch",
            name="t",
            value=t_s,
        )
    if max_degree is not None and max_degree not in (0, 2, 3, 4):
        raise InputError(
            f"max_degree {max_degree!r}; expected 0, 2, 3 or 4", name="max_degree", value=max_degree
        )

    rv_t = np.asarray(target.rv_km, dtype=float)
    rv_c = np.asarray(chaser.rv_km, dtype=float)
    if propagator is None:
        propagator = _truth_propagator(max_degree, earth)
    tp = target_propagator if target_propagator is not None else propagator
    traj_t = _propagate_rv(tp, rv_t, t_s, target.epoch)
    traj_c = _propagate_rv(propagator, rv_c, t_s, target.epoch)
    rel = _inertial_to_relative("LVLH", traj_t, traj_c)
    return RelativeTrajectory(
        t_s, rel[:, :3] * u.km, rel[:, 3:] * (u.km / u.s), "LVLH", "truth", target.epoch
    )
