r"""Burns: impulsive delta-v's with an epoch, a frame and a label; the rocket equation.

A burn's delta-v is stored in the frame it was planned in: the chaser's own LVLH or
RSW frame at the burn epoch, or inertial GCRS. The propagator converts it to inertial
at the exact burn epoch (:func:`_dv_to_inertial`) after splitting the arc there.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from .constants import G0_M_S2, as_array, as_quantity, as_time
from .errors import InputError, UnknownNameError
from .frames import _lvlh_basis, _rsw_basis

__all__ = ["BURN_FRAMES", "Burn", "propellant_mass", "rocket_equation_dv"]

BURN_FRAMES = ("LVLH", "RSW", "GCRS")


def _dv_to_inertial(frame: str, r_km: np.ndarray, v_km_s: np.ndarray, dv: np.ndarray) -> np.ndarray:
    """Delta-v expressed in ``frame`` of the spacecraft at (r, v) -> inertial, (..., 3)."""
    if frame == "GCRS":
        return np.asarray(dv, dtype=float)
    basis = _lvlh_basis(r_km, v_km_s) if frame == "LVLH" else _rsw_basis(r_km, v_km_s)
    return np.einsum("...ji,...j->...i", basis, dv)


def _dv_from_inertial(frame: str, r_km: np.ndarray, v_km_s: np.ndarray, dv: np.ndarray) -> np.ndarray:
    """Inertial delta-v -> expressed in ``frame`` of the spacecraft at (r, v)."""
    if frame == "GCRS":
        return np.asarray(dv, dtype=float)
    basis = _lvlh_basis(r_km, v_km_s) if frame == "LVLH" else _rsw_basis(r_km, v_km_s)
    return np.einsum("...ij,...j->...i", basis, dv)


@dataclass(frozen=True, slots=True)
class Burn:
    """An impulsive burn.

    Parameters
    ----------
    epoch : Time
        When the delta-v is applied (scalar).
    dv : Quantity (3,)
        Delta-v vector, any speed unit (stored in m/s).
    frame : {"LVLH", "RSW", "GCRS"}
        Frame of ``dv``: the chaser's own LVLH (x along-track, y -orbit normal,
        z toward the Earth) or RSW frame at ``epoch``, or inertial.
    label : str
        Name shown in timelines and reports ("NC1", "NH", "TI", ...).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> b = Burn(Time("2026-01-01T00:00:00", scale="utc"), [0.4, 0, 0] * u.m / u.s, "LVLH", "NC1")
    >>> round(float(b.dv_m_s), 3)
    0.4
    """

    epoch: Time
    dv: u.Quantity
    frame: str = "LVLH"
    label: str = ""

    def __post_init__(self):
        epoch = as_time(self.epoch, "burn epoch")
        if not epoch.isscalar:
            raise InputError("Burn.epoch must be a scalar Time", name="epoch", value=epoch.shape)
        dv = as_quantity(self.dv, u.m / u.s, "dv", shape=(3,))
        if self.frame not in BURN_FRAMES:
            raise UnknownNameError("burn frame", self.frame, BURN_FRAMES)
        object.__setattr__(self, "epoch", epoch)
        object.__setattr__(self, "dv", dv)

    @property
    def dv_m_s(self) -> float:
        """Magnitude of the delta-v in m/s."""
        return float(np.linalg.norm(self.dv.value))

    @property
    def dv_km_s(self) -> np.ndarray:
        """The delta-v vector in km/s, in :attr:`frame` (kernel form)."""
        return self.dv.to_value(u.km / u.s)

    def dv_inertial(self, r_km, v_km_s) -> u.Quantity:
        """The delta-v vector in GCRS for the spacecraft state (r, v) at the burn."""
        return _dv_to_inertial(self.frame, np.asarray(r_km), np.asarray(v_km_s), self.dv_km_s) * (u.km / u.s)

    def __str__(self) -> str:
        comps = ", ".join(f"{x:+.4f}" for x in self.dv.to_value(u.m / u.s))
        return f"Burn {self.label or '(unnamed)'} at {self.epoch.utc.isot} UTC: [{comps}] m/s {self.frame} (|dv| = {self.dv_m_s:.4f} m/s)"


def rocket_equation_dv(mass_initial: u.Quantity, mass_final: u.Quantity, isp: u.Quantity) -> u.Quantity:
    r"""Ideal delta-v from the Tsiolkovsky rocket equation, :math:`\Delta v = I_{sp} g_0 \ln(m_0/m_1)`."""
    m0 = float(as_array(mass_initial, u.kg, "mass_initial"))
    m1 = float(as_array(mass_final, u.kg, "mass_final"))
    isp_s = float(as_array(isp, u.s, "isp"))
    if not 0 < m1 <= m0:
        raise InputError(
            f"final mass {m1} kg must be positive and at most the initial mass {m0} kg",
            name="mass_final",
            value=m1,
            valid=f"(0, {m0}] kg",
        )
    return isp_s * G0_M_S2 * np.log(m0 / m1) * (u.m / u.s)


def propellant_mass(dv: u.Quantity, mass_initial: u.Quantity, isp: u.Quantity) -> u.Quantity:
    r"""Propellant burnt for ``dv`` (scalar or array, applied in sequence if cumulative)
    starting from ``mass_initial``: :math:`m_p = m_0 (1 - e^{-\Delta v / (I_{sp} g_0)})`
    (Tsiolkovsky; e.g. Curtis 2014, eq. 6.1)."""
    dv_m_s = as_array(dv, u.m / u.s, "dv")
    m0 = float(as_array(mass_initial, u.kg, "mass_initial"))
    isp_s = float(as_array(isp, u.s, "isp"))
    if np.any(dv_m_s < 0) or m0 <= 0 or isp_s <= 0:
        raise InputError(
            f"propellant_mass needs dv >= 0, mass > 0 and isp > 0; got dv={dv_m_s} m/s, "
            f"mass={m0} kg, isp={isp_s} s",
            name="dv",
            value=dv_m_s,
        )
    return m0 * (1.0 - np.exp(-dv_m_s / (isp_s * G0_M_S2))) * u.kg
