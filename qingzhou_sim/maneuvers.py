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

# built once (astropy composes a unit on every u.km / u.s: ~10 us)
_KM_S = u.km / u.s

__all__ = ["BURN_FRAMES", "Burn", "propellant_mass", "rocket_equation_dv"]

BURN_FRAMES = ("LVLH", "RSW", "GCRS")


def _dv_to_inertial(frame: str, r_km: np.ndarray, v_km_s: np.ndarray, dv: np.ndarray) -> np.ndarray:
    """Delta-v expressed in ``frame`` of the spacecraft at (r, v) -> inertial, (..., 3)."""
    if frame == "GCRS":
        return np.asarray(dv, dtype=float)
    basis = _lvlh_basis(r_km, v_km_s) if frame == "LVLH" else _rsw_basis(r_km, v_km_s)
    return np.einsum("...ji,...j->...i", basis, dv)


def _dv_from_inertial(
    frame: str, r_km: np.ndarray, v_km_s: np.ndarray, dv: np.ndarray
) -> np.ndarray:
    """Inertial delta-v -> expressed in ``frame`` of the spacecraft at (r, v)."""
    if frame == "GCRS":
        return np.asarray(dv, dtype=float)
    basis = _lvlh_basis(r_km, v_km_s) if frame == "LVLH" else _rsw_basis(r_km, v_km_s)
    return np.einsum("...ij,...j->...i", basis, dv)


def _dv_target_to_chaser_lvlh(
    rel_lvlh: np.ndarray, r_t_km, rdot_t_km_s, nudot_rad_s, dv_lvlh: np.ndarray
) -> np.ndarray:
    """Delta-v's given in the target's LVLH frame, expressed in the chaser's own LVLH.

    ``rel_lvlh`` (..., 6): chaser relative to the target in the target's LVLH (km,
    km/s, rotating-frame velocity); the target on a Keplerian orbit of radius
    ``r_t_km``, radial rate ``rdot_t_km_s`` and angular rate ``nudot_rad_s``. In the
    target's LVLH the Earth's centre is at (0, 0, r_t), the target moves at
    (r_t nudot, 0, -rdot) and the frame turns at (0, -nudot, 0) (y = -orbit normal),
    so the chaser's inertial position and velocity there give its own LVLH axes
    (Fehse 2003, sec. 3.2: rho_dot_inertial = rho_dot + omega x rho).
    """
    rel = np.asarray(rel_lvlh, dtype=float)
    r_t = np.asarray(r_t_km, dtype=float)
    zeros = np.zeros_like(r_t)
    p = rel[..., :3] - np.stack([zeros, zeros, r_t], axis=-1)
    omega = np.stack([zeros, -np.asarray(nudot_rad_s, float), zeros], axis=-1)
    v_t = np.stack([r_t * nudot_rad_s, zeros, -np.asarray(rdot_t_km_s, float)], axis=-1)
    v_c = v_t + np.cross(omega, rel[..., :3]) + rel[..., 3:]
    return np.einsum("...ij,...j->...i", _lvlh_basis(p, v_c), dv_lvlh)


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
        if not isinstance(self.frame, str) or self.frame not in BURN_FRAMES:
            raise UnknownNameError("burn frame", self.frame, BURN_FRAMES)
        if not isinstance(self.label, str):
            raise InputError(
                f"burn label {self.label!r} of type {type(self.label).__name__}; expected a string",
                name="label",
                value=self.label,
                valid="str",
            )
        object.__setattr__(self, "epoch", epoch)
        object.__setattr__(self, "dv", dv)

    @classmethod
    def _checked_already(cls, epoch: Time, dv_m_s: u.Quantity, frame: str, label: str) -> Burn:
        """A Burn from inputs the caller guarantees valid (a scalar finite Time, a
        finite (3,) Quantity in m/s, a frame of ``BURN_FRAMES``, a str): the object the
        constructor would make, without its checks (~50 us; the planners make several
        a campaign sample)."""
        self = object.__new__(cls)
        for name, value in (("epoch", epoch), ("dv", dv_m_s), ("frame", frame), ("label", label)):
            object.__setattr__(self, name, value)
        return self

    @property
    def dv_m_s(self) -> float:
        """Magnitude of the delta-v in m/s."""
        return float(np.linalg.norm(self.dv.value))

    @property
    def dv_km_s(self) -> np.ndarray:
        """The delta-v vector in km/s, in :attr:`frame` (kernel form)."""
        return self.dv.to_value(_KM_S)

    def dv_inertial(self, r_km, v_km_s) -> u.Quantity:
        """The delta-v vector in GCRS for the spacecraft state (r, v) at the burn."""
        return _dv_to_inertial(self.frame, np.asarray(r_km), np.asarray(v_km_s), self.dv_km_s) * (
            u.km / u.s
        )

    def __str__(self) -> str:
        comps = ", ".join(f"{x:+.4f}" for x in self.dv.to_value(u.m / u.s))
        return f"Burn {self.label or '(unnamed)'} at {self.epoch.utc.isot} UTC: [{comps}] m/s {self.frame} (|dv| = {self.dv_m_s:.4f} m/s)"


def rocket_equation_dv(
    mass_initial: u.Quantity, mass_final: u.Quantity, isp: u.Quantity
) -> u.Quantity:
    r"""Ideal delta-v from the Tsiolkovsky rocket equation, :math:`\Delta v = I_{sp} g_0 \ln(m_0/m_1)`."""
    m0 = float(as_array(mass_initial, u.kg, "mass_initial", shape=()))
    m1 = float(as_array(mass_final, u.kg, "mass_final", shape=()))
    isp_s = float(as_array(isp, u.s, "isp", shape=()))
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
    m0 = float(as_array(mass_initial, u.kg, "mass_initial", shape=()))
    isp_s = float(as_array(isp, u.s, "isp", shape=()))
    if np.any(dv_m_s < 0) or m0 <= 0 or isp_s <= 0:
        raise InputError(
            f"propellant_mass needs dv >= 0, mass > 0 and isp > 0; got dv={dv_m_s} m/s, "
            f"mass={m0} kg, isp={isp_s} s",
            name="dv",
            value=dv_m_s,
        )
    return m0 * (1.0 - np.exp(-dv_m_s / (isp_s * G0_M_S2))) * u.kg


# ------------------------------------------------------------------ finite burns
# (appended by the phasing planner, issue 6)

# Angular rate of the velocity vector on a 390 km circular orbit (sqrt(mu / a^3)),
# the default when no state is given to :func:`to_finite`.
_DEFAULT_ORBIT_RATE_RAD_S = float(np.sqrt(398600.4418 / (6378.137 + 390.0) ** 3))


def _finite_burn_kernel(
    dv_km_s: float, thrust_n: float, mass_kg: float, isp_s: float, rate_rad_s: float
):
    """Burn duration (s), final mass (kg) and delta-v loss (km/s) of an inertially
    fixed finite burn centred on the impulsive epoch.

    The thrust direction stays fixed while the velocity turns at ``rate_rad_s``, so
    the useful component over the arc is sinc(rate * T / 2) of the ideal delta-v:
    loss = dv (1 - sin(x) / x), x = rate T / 2, ~ dv (rate T)^2 / 24 for short burns
    (Robbins 1966, eq. 12; Vallado 2013, sec. 6.7)."""
    ve = isp_s * G0_M_S2 * 1e-3  # km/s
    m_f = mass_kg * np.exp(-dv_km_s / ve)
    duration = (mass_kg - m_f) * ve * 1e3 / thrust_n
    x = 0.5 * rate_rad_s * duration
    sinc = np.sinc(x / np.pi)
    return duration, m_f, dv_km_s * (1.0 - sinc)


@dataclass(frozen=True, slots=True)
class FiniteBurn:
    """A finite burn equivalent to an impulsive :class:`Burn`: same ideal delta-v,
    spread over the burn time that the thrust and mass give, centred on the
    impulsive epoch, inertially fixed attitude along the impulsive delta-v.

    Attributes
    ----------
    burn : Burn
        The impulsive burn it replaces.
    start, stop : Time
    duration : Quantity, s
    thrust : Quantity, N
    mass_initial, mass_final, propellant : Quantity, kg
    isp : Quantity, s
    dv_loss : Quantity, m/s
        Delta-v lost to the turning of the velocity during the burn (the finite burn
        must be lengthened by about this much to match the impulsive one).
    """

    burn: Burn
    start: Time
    stop: Time
    duration: u.Quantity
    thrust: u.Quantity
    mass_initial: u.Quantity
    mass_final: u.Quantity
    isp: u.Quantity
    dv_loss: u.Quantity

    @property
    def propellant(self) -> u.Quantity:
        return self.mass_initial - self.mass_final

    @property
    def efficiency(self) -> float:
        """Useful fraction of the ideal delta-v, 1 - dv_loss / dv."""
        dv = self.burn.dv_m_s
        return 1.0 if dv == 0 else 1.0 - float(self.dv_loss.to_value(u.m / u.s)) / dv

    def __str__(self) -> str:
        return (
            f"FiniteBurn {self.burn.label or '(unnamed)'}: {self.burn.dv_m_s:.3f} m/s over "
            f"{self.duration.to_value(u.s):.1f} s from {self.start.utc.isot} UTC, "
            f"{self.propellant.to_value(u.kg):.2f} kg, loss "
            f"{self.dv_loss.to_value(u.m / u.s):.4f} m/s"
        )


def to_finite(
    burn: Burn,
    thrust: u.Quantity,
    mass: u.Quantity,
    isp: u.Quantity,
    *,
    orbit_rate: u.Quantity | None = None,
) -> FiniteBurn:
    r"""Convert an impulsive burn to a finite burn centred on its epoch.

    Parameters
    ----------
    burn : Burn
    thrust : Quantity
        Total thrust (e.g. 4 x 490 N for Qingzhou's assumed main engines).
    mass : Quantity
        Spacecraft mass at the start of the burn.
    isp : Quantity
        Specific impulse, s.
    orbit_rate : Quantity, optional
        Rate at which the velocity vector turns (the orbital rate, rad/s); default
        that of a 390 km circular orbit.

    Returns
    -------
    FiniteBurn
        Duration from the rocket equation, :math:`t_b = (m_0 - m_f) I_{sp} g_0 / F`,
        and the delta-v loss of an inertially fixed burn,
        :math:`\Delta v \,(1 - \sin x / x)`, :math:`x = n t_b / 2`.

    Raises
    ------
    InputError
        Non-positive thrust, mass or Isp.

    References
    ----------
    Robbins (1966), "An analytical study of the impulsive approximation", AIAA J. 4(8),
    1417-1423; Curtis (2014), eq. 6.1 (rocket equation).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> b = Burn(Time("2026-12-01T00:00:00", scale="utc"), [20, 0, 0] * u.m / u.s)
    >>> f = to_finite(b, 1960 * u.N, 5000 * u.kg, 300 * u.s)
    >>> round(float(f.duration.to_value(u.s)), 1)
    50.8
    """
    f_n = float(as_array(thrust, u.N, "thrust", shape=()))
    m0 = float(as_array(mass, u.kg, "mass", shape=()))
    isp_s = float(as_array(isp, u.s, "isp", shape=()))
    for name, value in (("thrust", f_n), ("mass", m0), ("isp", isp_s)):
        if not value > 0:
            raise InputError(
                f"to_finite: {name} = {value} must be > 0", name=name, value=value, valid="> 0"
            )
    rate = (
        _DEFAULT_ORBIT_RATE_RAD_S
        if orbit_rate is None
        else float(as_array(orbit_rate, u.rad / u.s, "orbit_rate", shape=()))
    )
    dur, m_f, loss = _finite_burn_kernel(burn.dv_m_s * 1e-3, f_n, m0, isp_s, rate)
    half = dur / 2 * u.s
    return FiniteBurn(
        burn=burn,
        start=burn.epoch - half,
        stop=burn.epoch + half,
        duration=dur * u.s,
        thrust=f_n * u.N,
        mass_initial=m0 * u.kg,
        mass_final=m_f * u.kg,
        isp=isp_s * u.s,
        dv_loss=loss * 1e3 * (u.m / u.s),
    )


__all__ += ["FiniteBurn", "to_finite"]
