r"""Station-side phasing: orbit-adjust burns of the station in the days before launch so
that the phase angle at insertion falls inside a profile's window, as fast-rendezvous
missions do (the target adjusts its orbit so that the chaser can launch "zero-window"
into a good phase; Murtazin & Petrov 2012; Fehse 2003, sec. 2.2.1).

A Hohmann pair (two tangential burns half a revolution apart) changes the station's
altitude by ``delta_a``; until insertion it then drifts along-track relative to its
coasting self at :math:`\dot\varphi = -\tfrac32 n\,\Delta a / a` (Vallado 2013,
eq. 6-28 in the phasing form), so ``delta_a = -delta_phi a / (3/2 n D)`` for a drift
time ``D``. The analytic value is refined by secant iterations through the force model.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import TimeDelta

from ..constants import as_array, as_duration_s
from ..errors import InfeasiblePlanError, InputError
from ..frames import _lvlh_basis
from ..maneuvers import Burn
from ..state import State, _rv_to_elements
from ._kernels import _phase_angle
from .core import _make_dynamics, _station_force_model
from .profiles import PhaseWindow, get_profile, phase_angle_windows

__all__ = ["StationPhasingPlan", "plan_station_phasing"]

# Tiangong's operating altitude band (mission-facts sec. 1, CAS, firm).
STATION_ALTITUDE_BAND = (340.0, 450.0) * u.km


@dataclass(frozen=True, slots=True)
class StationPhasingPlan:
    """Station orbit-adjust burns that put the insertion phase angle in a window.

    Attributes
    ----------
    profile : str
    window : PhaseWindow
    phase_coasting : Quantity, deg
        Phase angle at insertion if the station does nothing.
    phase_after : Quantity, deg
        Phase angle at insertion after the burns (force model).
    altitude_change : Quantity, km
        Change of the station's semi-major axis.
    burns : tuple of Burn
        Station burns, in the station's own LVLH frame.
    station_at_insertion : State
    iterations : int
        Secant iterations through the force model.
    """

    profile: str
    window: PhaseWindow
    phase_coasting: u.Quantity
    phase_after: u.Quantity
    altitude_change: u.Quantity
    burns: tuple
    station_at_insertion: State
    iterations: int

    @property
    def total_dv(self) -> u.Quantity:
        return sum((b.dv_m_s for b in self.burns), 0.0) * (u.m / u.s)

    def summary(self) -> str:
        lines = [
            f"Station phasing for the '{self.profile}' profile: window "
            f"{self.window.lo.to_value(u.deg):.2f}..{self.window.hi.to_value(u.deg):.2f} deg",
            f"  phase at insertion: coasting {self.phase_coasting.to_value(u.deg):.2f} deg -> "
            f"{self.phase_after.to_value(u.deg):.2f} deg after the burns",
            f"  altitude change {self.altitude_change.to_value(u.km):+.3f} km, total dv "
            f"{self.total_dv.to_value(u.m / u.s):.3f} m/s ({self.iterations} secant iterations)",
        ]
        lines += [f"  {b}" for b in self.burns]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def plan_station_phasing(
    station: State,
    insertion: State,
    profile="6.5-hour",
    *,
    first_burn_after: u.Quantity = 1 * u.h,
    max_altitude_change: u.Quantity = 15 * u.km,
    force_model=None,
) -> StationPhasingPlan:
    r"""Plan station orbit-adjust burns before a launch so that the station's phase
    angle at the chaser's insertion is at the centre of the profile's window.

    Parameters
    ----------
    station : State
        The station, some time (typically 1-3 days) before the insertion epoch.
    insertion : State
        The chaser's predicted insertion state (e.g. ``launch.insertion_state``).
    profile : str or PhasingProfile
    first_burn_after : Quantity
        First burn this long after the station's epoch.
    max_altitude_change : Quantity
        Largest allowed change of the station's altitude.
    force_model : ForceModel, "two-body" or None
        The station flies this model with Tiangong's ballistic coefficient (default
        J2-J4 + drag).

    Returns
    -------
    StationPhasingPlan
        No burns when the coasting phase is already in the window.

    Raises
    ------
    EpochOrderError / InfeasiblePlanError
        Insertion not after the burns; the needed altitude change exceeds
        ``max_altitude_change`` or leaves the 340-450 km operating band.

    References
    ----------
    Murtazin & Petrov (2012), Acta Astronautica 77, 77-82 (ISS phasing for the short
    Soyuz profile); Vallado (2013), sec. 6.6 (phasing manoeuvres).
    """
    prof = get_profile(profile)
    from ..forces import ForceModel

    fm = ForceModel.default() if force_model is None else force_model
    sfm = fm if isinstance(fm, str) else _station_force_model(fm)
    # The station with its own ballistic coefficient flies through its burns: the
    # "chaser" kernel of a dynamics built on the station's force model.
    dyn = _make_dynamics(sfm, station_force_model=sfm, epoch0=station.epoch)
    t_ins = float((insertion.epoch - station.epoch).to_value(u.s))
    t_b1 = as_duration_s(first_burn_after, "first_burn_after")
    max_da = float(as_array(max_altitude_change, u.km, "max_altitude_change"))
    rv_s = station.rv_km
    el = _rv_to_elements(dyn.mu, rv_s[:3], rv_s[3:])
    a = float(el[0])
    n = np.sqrt(dyn.mu / a**3)
    half = np.pi / n
    if t_ins <= t_b1 + half:
        raise InfeasiblePlanError(
            f"insertion {t_ins / 3600:.2f} h after the station epoch leaves no room for a "
            f"station Hohmann pair starting {t_b1 / 3600:.2f} h after it; expected insertion "
            f"> {(t_b1 + half) / 3600:.2f} h after the station epoch",
            name="insertion",
            value=t_ins * u.s,
        )
    if max_da <= 0:
        raise InputError("max_altitude_change must be > 0", name="max_altitude_change")

    def propagate(da):
        dv_mag = 0.25 * n * da  # each burn of a Hohmann pair between close circles
        burns_t = np.array([t_b1, t_b1 + half])
        dv = np.zeros((2, 3))
        for k in range(2):
            y = dyn.chaser(rv_s, np.array([burns_t[k]]), burns_t[:k], dv[:k])[0]
            dv[k] = dv_mag * y[3:] / np.linalg.norm(y[3:])
        end = dyn.chaser(rv_s, np.array([t_ins]), burns_t, dv)[0]
        return end, burns_t, dv

    def phase(end):
        return float(np.rad2deg(_phase_angle(end, insertion.rv_km) % (2 * np.pi)))

    coast_end = dyn.station(rv_s, np.array([t_ins]))[0]
    phi_coast = phase(coast_end)
    st_ins = State.from_vectors(insertion.epoch, coast_end[:3], coast_end[3:])
    window = phase_angle_windows(insertion, st_ins, profiles=[prof.name], force_model=force_model)[
        prof.name
    ]
    if window.contains(phi_coast * u.deg):
        return StationPhasingPlan(
            prof.name, window, phi_coast * u.deg, phi_coast * u.deg, 0.0 * u.km, (), st_ins, 0
        )
    if not np.isfinite(window.width.to_value(u.deg)):
        raise InfeasiblePlanError(
            f"station phasing for '{prof.name}': the profile's phase-angle window is empty "
            "for this insertion orbit (no station phase angle lets it reach the station "
            "within its budget, e.g. the insertion plane is far from the station's), so "
            "moving the station along its orbit cannot help; choose a liftoff in a launch "
            "window (launch_windows)",
            name="window",
            value=window,
        )
    target = window.centre.to_value(u.deg)

    def err(da):
        end, _, _ = propagate(da)
        return (phase(end) - target + 180.0) % 360.0 - 180.0, end

    drift_s = t_ins - t_b1 - half / 2
    e0 = (phi_coast - target + 180.0) % 360.0 - 180.0
    da0 = np.deg2rad(e0) * a / (1.5 * n * drift_s)  # station drift: dphi/dt = -3/2 n da/a
    x0, f0, x1 = 0.0, e0, da0
    it = 1
    # A change beyond 3 max_da is hopeless and is not flown: a phase error of half a turn
    # over a short drift asks for thousands of km, an orbit that the propagation cannot
    # even follow (it reported a step-size failure instead of this plan's error).
    if abs(x1) <= 3 * max_da:
        f1, end = err(x1)
        for it in range(1, 10):  # noqa: B007
            if abs(f1) < 0.01 * window.width.to_value(u.deg) or f1 == f0:
                break  # converged, or flat (no secant step)
            x0, f0, x1 = x1, f1, x1 - f1 * (x1 - x0) / (f1 - f0)
            if abs(x1) > 3 * max_da:
                break  # hopeless
            f1, end = err(x1)
    alt_new = np.linalg.norm(rv_s[:3]) - dyn.earth.radius_km + x1
    band = STATION_ALTITUDE_BAND.to_value(u.km)
    if abs(x1) > max_da or not band[0] <= alt_new <= band[1]:
        raise InfeasiblePlanError(
            f"station phasing for '{prof.name}': a {x1:+.2f} km altitude change would be "
            f"needed (coasting phase {phi_coast:.2f} deg, window {window.lo.to_value(u.deg):.2f}"
            f"..{window.hi.to_value(u.deg):.2f} deg); allowed |change| <= {max_da:.1f} km within "
            f"{band[0]:.0f}-{band[1]:.0f} km. Start earlier or choose another liftoff",
            name="altitude_change",
            value=x1 * u.km,
            valid=f"|change| <= {max_da} km",
        )
    end, burns_t, dv = propagate(x1)
    burns = []
    for k in range(2):
        y = dyn.chaser(rv_s, np.array([burns_t[k]]), burns_t[:k], dv[:k])[0]
        dv_l = _lvlh_basis(y[:3], y[3:]) @ dv[k]
        burns.append(
            Burn(
                station.epoch + TimeDelta(burns_t[k] * u.s),
                dv_l * 1e3 * (u.m / u.s),
                "LVLH",
                f"STA{k + 1}",
            )
        )
    return StationPhasingPlan(
        prof.name,
        window,
        phi_coast * u.deg,
        phase(end) * u.deg,
        x1 * u.km,
        tuple(burns),
        State.from_vectors(insertion.epoch, end[:3], end[3:]),
        it,
    )
