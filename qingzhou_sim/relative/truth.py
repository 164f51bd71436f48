r"""Nonlinear truth for relative motion: two absolute propagations converted to LVLH.

The target and the chaser are propagated separately with the full nonlinear equations
(the project's :class:`~qingzhou_sim.propagator.Propagator`: J2-J4 and drag by
default), then the chaser is expressed in the target's LVLH frame at every sample with
:func:`qingzhou_sim.frames._inertial_to_relative`. Every linear model of this package
is validated against it.
"""

from __future__ import annotations

import importlib.util

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..constants import EARTH, EarthModel, as_array
from ..errors import EpochOrderError, InputError, PropagationError
from ..frames import _inertial_to_relative
from .stm import RelativeTrajectory

__all__ = ["relative_truth"]


def _zonal_accel_np(r: np.ndarray, earth: EarthModel, degree: int) -> np.ndarray:
    """Point mass + zonal J2..J4 acceleration, km/s^2 (Vallado 2013, eqs. 8-30 ff.;
    used only when the project propagator is not installed)."""
    mu, re = earth.mu_km3_s2, earth.radius_km
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    a = -mu * r / (r2 * rn)
    if degree >= 2:
        f = -1.5 * earth.j2 * mu * re**2 / rn**5
        zz = 5.0 * z * z / r2
        a = a + f * np.array([x * (1.0 - zz), y * (1.0 - zz), z * (3.0 - zz)])
    if degree >= 3:
        f = -2.5 * earth.j3 * mu * re**3 / rn**7
        g = 3.0 * z - 7.0 * z**3 / r2
        a = a + f * np.array([x * g, y * g, 6.0 * z * z - 7.0 * z**4 / r2 - 0.6 * r2])
    if degree >= 4:
        f = 1.875 * earth.j4 * mu * re**4 / rn**7
        g = 1.0 - 14.0 * z * z / r2 + 21.0 * z**4 / r2**2
        a = a + f * np.array(
            [x * g, y * g, z * (5.0 - 70.0 * z * z / (3.0 * r2) + 21.0 * z**4 / r2**2)]
        )
    return a


def _fallback_truth_rv(
    rv0: np.ndarray, t_s: np.ndarray, earth: EarthModel, degree: int
) -> np.ndarray:
    """Private stand-in for ``Propagator.propagate_rv`` (scipy DOP853, rtol 1e-12)."""
    from scipy.integrate import solve_ivp

    def rhs(_t, y):
        return np.concatenate([y[3:], _zonal_accel_np(y[:3], earth, degree)])

    sol = solve_ivp(
        rhs, (0.0, float(t_s[-1])), rv0, method="DOP853", t_eval=t_s, rtol=1e-12, atol=1e-12
    )
    if not sol.success:
        raise PropagationError(f"truth propagation failed: {sol.message}", last_epoch=None)
    return sol.y.T


def _have_project_propagator() -> bool:
    return importlib.util.find_spec("qingzhou_sim.propagator") is not None


def _zonal_propagator(degree: int):
    from ..forces import ForceModel, ZonalGravity
    from ..propagator import Propagator

    if degree == 0:
        return Propagator(force_model=ForceModel.two_body())
    return Propagator(force_model=ForceModel(gravity=ZonalGravity(max_degree=degree), drag=None))


def relative_truth(
    target,
    chaser,
    t: u.Quantity | Time,
    *,
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
    t : Quantity (m,) or Time (m,)
        Output times since the common epoch (sorted, >= 0) or output epochs.
    propagator : Propagator, optional
        Propagator of the chaser (anything with ``propagate_rv(rv0_km, t_s)``).
        Default: the project's ``Propagator()`` (J2-J4 + drag), or the zonal model of
        ``max_degree`` when that is given.
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
    if propagator is None and _have_project_propagator():
        if max_degree is None:
            from ..propagator import Propagator

            propagator = Propagator()
        else:
            propagator = _zonal_propagator(max_degree)
    if propagator is not None:
        tp = target_propagator if target_propagator is not None else propagator
        traj_t = np.asarray(tp.propagate_rv(rv_t, t_s))
        traj_c = np.asarray(propagator.propagate_rv(rv_c, t_s))
    else:
        degree = 4 if max_degree is None else max_degree
        traj_t = _fallback_truth_rv(rv_t, t_s, earth, degree)
        traj_c = _fallback_truth_rv(rv_c, t_s, earth, degree)
    rel = _inertial_to_relative("LVLH", traj_t, traj_c)
    return RelativeTrajectory(
        t_s, rel[:, :3] * u.km, rel[:, 3:] * (u.km / u.s), "LVLH", "truth", target.epoch
    )
