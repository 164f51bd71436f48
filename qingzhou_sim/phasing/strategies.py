r"""Phasing strategies: co-elliptic (Hohmann-type) sequence, multi-revolution Lambert,
N-impulse optimum. Each public function returns a :class:`~.core.PhasingPlan`.

All three share the end conditions: the chaser must be at the hand-over state (an
offset from the station in the station's LVLH frame) at the hand-over epoch. They
differ in how the burns are found:

* :func:`plan_coelliptic` -- the classic ground-guided scheme (perigee raise on the
  phasing orbit, height adjust, co-elliptic burn, plane correction at the relative
  node), solved analytically in a two-body + J2 secular (mean-motion) model.
* :func:`plan_lambert` -- two impulses; Izzo's (2015) Lambert solver (boinor) over a
  grid of burn epochs and revolution counts, minimum total delta-v, then refined.
* :func:`plan_n_impulse` -- N = 3..6 impulses, minimum total delta-v with scipy's
  SLSQP subject to arrival at the hand-over state, warm-started from the other two.

With ``correct=True`` every plan is then corrected through the force model
(:func:`~.core._correct`), epochs fixed, until it arrives within 100 m and 0.1 m/s.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time
from scipy.optimize import brentq, minimize

from ..constants import as_array, as_duration_s
from ..errors import InfeasiblePlanError, InputError, OrbitRangeError, PropagationError
from ..frames import _relative_to_inertial
from ..state import State, _rv_to_elements
from ._kernels import _kepler, _kepler_rv, _phase_angle, _secular_rates
from .core import (
    ARRIVAL_POSITION_TOL_KM,
    ARRIVAL_VELOCITY_TOL_KM_S,
    PhasingPlan,
    _build_plan,
    _coelliptic_velocity,
    _correct,
    _Dynamics,
    _make_dynamics,
)

__all__ = [
    "CoellipticSchedule",
    "MIN_INSERTION_PERIGEE",
    "plan_coelliptic",
    "plan_lambert",
    "plan_n_impulse",
]

# An insertion orbit with a perigee below 150 km re-enters within about one day
# (Vallado 2013, Table 8-4 densities: at 150 km the decay per revolution of a
# 266 kg/m^2 ballistic coefficient is kilometres); the planner rejects it.
MIN_INSERTION_PERIGEE = 150.0 * u.km
# Smallest time between two impulses of a plan, s.
_MIN_GAP_S = 120.0


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
        t_end = as_duration_s(handover_time, "handover_time")
    if not t_end > 0:
        raise InfeasiblePlanError(
            f"hand-over time {t_end / 3600:.4f} h after insertion is not after the insertion "
            f"epoch {chaser.epoch.utc.isot} UTC; expected a hand-over time > 0 h",
            name="handover_time",
            value=t_end * u.s,
            valid="> 0 s after insertion",
        )
    hp = float(chaser.perigee_altitude.to_value(u.km))
    if hp < MIN_INSERTION_PERIGEE.to_value(u.km):
        raise OrbitRangeError(
            f"insertion perigee altitude {hp:.1f} km re-enters (decays within about a day); "
            f"expected a perigee altitude >= {MIN_INSERTION_PERIGEE.to_value(u.km):.0f} km",
            name="perigee_altitude",
            value=hp * u.km,
            valid=f">= {MIN_INSERTION_PERIGEE}",
        )
    el = _rv_to_elements(398600.4418, chaser.r_km, chaser.v_km_s)
    if el[1] >= 1:
        raise OrbitRangeError(
            f"insertion orbit eccentricity {el[1]:.4f} is not a closed orbit; expected < 1",
            name="ecc",
            value=float(el[1]),
        )
    hs = float(station.perigee_altitude.to_value(u.km))
    if hs < MIN_INSERTION_PERIGEE.to_value(u.km):
        raise OrbitRangeError(
            f"station perigee altitude {hs:.1f} km is below {MIN_INSERTION_PERIGEE}",
            name="station",
            value=hs * u.km,
        )
    if dyn is None:
        dyn = _make_dynamics(force_model, epoch0=chaser.epoch)
    dt_s = float((chaser.epoch - station.epoch).to_value(u.s))
    srv = station.rv_km
    if dt_s != 0.0:
        srv = dyn.station(srv, np.array([dt_s]))[0]
    r = as_array(handover_r_lvlh, u.km, "handover_r_lvlh", shape=(3,))
    a_s = float(_rv_to_elements(dyn.mu, srv[:3], srv[3:])[0])
    n_s = float(np.sqrt(dyn.mu / a_s**3))
    if handover_v_lvlh is None:
        v = _coelliptic_velocity(n_s, r)
    else:
        v = as_array(handover_v_lvlh, u.km / u.s, "handover_v_lvlh", shape=(3,))
    return _Problem(dyn, chaser, chaser.rv_km, srv, t_end, np.concatenate([r, v]), n_s)


def _target_at_end(pb: _Problem) -> tuple[np.ndarray, np.ndarray]:
    s_end = pb.dyn.station(pb.station_rv0, np.array([pb.t_end_s]))[0]
    return s_end, _relative_to_inertial("LVLH", s_end, pb.rel6)


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


# ------------------------------------------------------------ co-elliptic
def _mean_sma(mu, re, j2, r_km, v_km_s):
    """Mean semi-major axis from an osculating state (first order in J2).

    a_mean = a_osc - (J2 Re^2 / a) [(a/r)^3 - (1 - e^2)^(-3/2)] (1 - 3/2 sin^2 i)
             - (3 J2 Re^2 / (2 a)) sin^2 i (a/r)^3 cos 2u

    References
    ----------
    Kozai (1959), AJ 64, 367, eq. for the short-periodic part of a; Vallado (2013),
    sec. 9.6.
    """
    el = _rv_to_elements(mu, r_km, v_km_s)
    a, e, i, u = el[..., 0], el[..., 1], el[..., 2], el[..., 6]
    r = np.linalg.norm(r_km, axis=-1)
    s2 = np.sin(i) ** 2
    ar3 = (a / r) ** 3
    da = (j2 * re**2 / a) * (
        (ar3 - (1.0 - e**2) ** -1.5) * (1.0 - 1.5 * s2) + 1.5 * s2 * ar3 * np.cos(2.0 * u)
    )
    return a - da, el


@dataclass(frozen=True, slots=True)
class CoellipticSchedule:
    """Burn schedule of the co-elliptic sequence.

    Parameters
    ----------
    apogee : int
        NC1 (perigee raise) at the chaser's ``apogee``-th apogee passage after insertion
        (1 = the first).
    phasing_revs : int
        Full revolutions on the phasing orbit before NH (height adjust, at its perigee,
        half a revolution more).
    height_revs : int
        Full revolutions on the height-adjust orbit before NCC (co-elliptic burn at its
        apogee, half a revolution more).
    plane_margin_s : float
        The plane correction NPC is made at the last crossing of the station's plane
        that comes at least this long before the hand-over.
    """

    apogee: int = 1
    phasing_revs: int = 1
    height_revs: int = 0
    plane_margin_s: float = 300.0

    def __post_init__(self):
        if self.apogee < 1 or self.phasing_revs < 0 or self.height_revs < 0:
            raise InputError(
                f"CoellipticSchedule({self.apogee}, {self.phasing_revs}, {self.height_revs}): "
                "expected apogee >= 1 and revolution counts >= 0",
                name="schedule",
                value=(self.apogee, self.phasing_revs, self.height_revs),
            )


def _nu_to_m(nu, e):
    ea = 2.0 * np.arctan2(np.sqrt(1 - e) * np.sin(nu / 2), np.sqrt(1 + e) * np.cos(nu / 2))
    return (ea - e * np.sin(ea)) % (2 * np.pi)


class _CoellipticModel:
    """Two-body + J2 secular model of the co-elliptic sequence (mean elements, Kozai
    1959 mean semi-major axes, Vallado 2013 eqs. 9-41 to 9-45 for the rates)."""

    def __init__(self, pb: _Problem, schedule: CoellipticSchedule):
        dyn = pb.dyn
        self.mu, self.re, self.j2 = dyn.mu, dyn.earth.radius_km, dyn.j2
        a_m, el = _mean_sma(self.mu, self.re, self.j2, pb.rv0[:3], pb.rv0[3:])
        self.e0 = float(el[1])
        if self.e0 < 1e-3:
            raise InfeasiblePlanError(
                f"co-elliptic strategy needs an elliptical insertion orbit (apsides to burn "
                f"at); got eccentricity {self.e0:.2e} < 1e-3. Use strategy='lambert'",
                name="ecc",
                value=self.e0,
                valid=">= 1e-3",
            )
        self.inc, self.raan0, self.argp0, self.nu0 = (float(x) for x in el[2:6])
        self.m0 = float(_nu_to_m(self.nu0, self.e0))
        self.rp0, self.ra0 = a_m * (1 - self.e0), a_m * (1 + self.e0)
        a_s, els = _mean_sma(self.mu, self.re, self.j2, pb.station_rv0[:3], pb.station_rv0[3:])
        self.a_s = float(a_s)
        x_ho, z_ho = pb.rel6[0], pb.rel6[2]
        self.r_f = self.a_s - z_ho
        self.theta_ho = float(np.arctan2(-x_ho, self.a_s - z_ho))
        rd, wd, md = _secular_rates(
            self.mu, self.re, self.j2, self.a_s, float(els[1]), float(els[2])
        )
        self.lam_rate_s = float(wd + md + np.cos(els[2]) * rd)
        self.raan_rate_s = float(rd)
        self.phi0 = float(_phase_angle(pb.station_rv0, pb.rv0) % (2 * np.pi))
        self.T = pb.t_end_s
        self.sch = schedule
        if not self.r_f > self.ra0 - 1e-9 and not self.r_f > self.rp0:
            raise InfeasiblePlanError(
                "co-elliptic strategy: the hand-over orbit is below the insertion perigee",
                name="handover_r_lvlh",
                value=z_ho,
            )

    def _rates(self, rp, ra):
        a, e = 0.5 * (rp + ra), abs(ra - rp) / (ra + rp)
        return _secular_rates(self.mu, self.re, self.j2, a, e, self.inc)

    def sequence(self, rp1):
        """Burn times, tangential dv magnitudes (km/s) and the phase gain G (rad):
        station-ahead angle at the hand-over minus that at insertion."""
        sch, mu = self.sch, self.mu
        rd0, wd0, md0 = self._rates(self.rp0, self.ra0)
        t1 = (((np.pi - self.m0) % (2 * np.pi)) + 2 * np.pi * (sch.apogee - 1)) / md0
        du = wd0 * t1 + ((np.pi - self.nu0) % (2 * np.pi)) + 2 * np.pi * (sch.apogee - 1)
        draan = rd0 * t1
        rd1, wd1, md1 = self._rates(rp1, self.ra0)
        dt1 = (2 * np.pi * sch.phasing_revs + np.pi) / md1
        du += wd1 * dt1 + 2 * np.pi * sch.phasing_revs + np.pi
        draan += rd1 * dt1
        rd2, wd2, md2 = self._rates(rp1, self.r_f)
        dt2 = (2 * np.pi * sch.height_revs + np.pi) / md2
        du += wd2 * dt2 + 2 * np.pi * sch.height_revs + np.pi
        draan += rd2 * dt2
        t2, t3 = t1 + dt1, t1 + dt1 + dt2
        rd3, wd3, md3 = self._rates(self.r_f, self.r_f)
        dt3 = self.T - t3
        du += (wd3 + md3) * dt3
        draan += rd3 * dt3
        gain = self.lam_rate_s * self.T - (du + np.cos(self.inc) * draan)
        self.raan_drift = draan - self.raan_rate_s * self.T  # chaser minus station, rad

        def vis(r, a):
            return np.sqrt(mu * (2.0 / r - 1.0 / a))

        a0, a1, a2 = 0.5 * (self.rp0 + self.ra0), 0.5 * (rp1 + self.ra0), 0.5 * (rp1 + self.r_f)
        dvs = (
            vis(self.ra0, a1) - vis(self.ra0, a0),
            vis(rp1, a2) - vis(rp1, a1),
            np.sqrt(mu / self.r_f) - vis(self.r_f, a2),
        )
        return (t1, t2, t3), dvs, gain, dt3

    def window(self):
        """(lo, hi) station phase angle at insertion (rad, lo <= hi, may exceed 2 pi)
        that the schedule can fly with prograde burns (perigee raised between the
        insertion perigee and apogee)."""
        g_lo = self.sequence(self.rp0)[2]
        g_hi = self.sequence(self.ra0)[2]
        return self.theta_ho - g_hi, self.theta_ho - g_lo

    def solve(self):
        (t_lo, *_), _, _, dt3_lo = self.sequence(self.ra0)
        _, _, _, dt3_hi = self.sequence(self.rp0)
        if min(dt3_lo, dt3_hi) < 0:
            raise InfeasiblePlanError(
                f"co-elliptic schedule {self.sch} ends after the hand-over time "
                f"({self.T / 3600:.2f} h); shorten the schedule or move the hand-over later",
                name="schedule",
                value=self.sch,
            )
        lo, hi = self.window()
        # phase at insertion must equal theta_ho - G(rp1) modulo 2 pi
        k = np.ceil((lo - self.phi0) / (2 * np.pi))
        phi = self.phi0 + 2 * np.pi * k
        if phi > hi:
            raise InfeasiblePlanError(
                f"station phase angle at insertion {np.rad2deg(self.phi0):.2f} deg is outside "
                f"the window [{np.rad2deg(lo) % 360:.2f}, {np.rad2deg(hi) % 360:.2f}] deg "
                f"(width {np.rad2deg(hi - lo):.2f} deg) of this co-elliptic schedule",
                name="phase_angle",
                value=np.rad2deg(self.phi0) * u.deg,
                valid=(np.rad2deg(lo) % 360 * u.deg, np.rad2deg(hi) % 360 * u.deg),
            )
        f = lambda rp: self.theta_ho - self.sequence(rp)[2] - phi  # noqa: E731
        rp1 = (
            brentq(f, self.rp0, self.ra0, xtol=1e-7)
            if f(self.rp0) * f(self.ra0) < 0
            else (self.rp0 if abs(f(self.rp0)) < abs(f(self.ra0)) else self.ra0)
        )
        return rp1, self.sequence(rp1)


def _plane_burn(pb: _Problem, imp_t, dv, margin_s):
    """Epoch and inertial delta-v of the plane correction at the last crossing of the
    station's plane at least ``margin_s`` before the hand-over (not within 2 min of
    another burn)."""
    dyn = pb.dyn
    grid = np.arange(0.0, pb.t_end_s - margin_s, 20.0)
    c = dyn.chaser(pb.rv0, grid, imp_t, dv)
    s = dyn.station(pb.station_rv0, grid)
    h = np.cross(s[:, :3], s[:, 3:])
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    d = np.einsum("ij,ij->i", c[:, :3], h)
    idx = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]
    for i in idx[::-1]:
        t = grid[i] + (grid[i + 1] - grid[i]) * d[i] / (d[i] - d[i + 1])
        if np.all(np.abs(np.asarray(imp_t) - t) > _MIN_GAP_S):
            break
    else:
        return None
    k = int(np.searchsorted(imp_t, t))
    y = dyn.chaser(pb.rv0, np.array([t]), np.asarray(imp_t[:k]), dv[:k])[0]
    ys = dyn.station(pb.station_rv0, np.array([t]))[0]
    hs = np.cross(ys[:3], ys[3:])
    hs /= np.linalg.norm(hs)
    v = y[3:]
    vp = v - np.dot(v, hs) * hs
    return t, vp * np.linalg.norm(v) / np.linalg.norm(vp) - v


def plan_coelliptic(
    chaser: State,
    station: State,
    *,
    handover_time,
    handover_r_lvlh: u.Quantity = [-52.0, 0.0, 5.0] * u.km,
    handover_v_lvlh: u.Quantity | None = None,
    schedule: CoellipticSchedule = CoellipticSchedule(),
    force_model=None,
    correct: bool = True,
    plane_correction: bool = True,
    optimise: bool = True,
    correct_epochs: bool = False,
    profile: str | None = None,
    _dyn=None,
) -> PhasingPlan:
    r"""Co-elliptic (Hohmann-type) phasing sequence, solved analytically.

    Burns: NC1 raises the perigee at an apogee of the insertion orbit (to the height
    that gives the right phase at the hand-over), NH raises the apogee to the
    co-elliptic height at the next-but-``phasing_revs`` perigee, NCC circularises
    there, and NPC removes the relative inclination at the last crossing of the
    station's plane. The perigee of the phasing orbit is found by root finding on
    the phase gain in a two-body + J2 secular model (mean motion and nodal/apsidal
    rates); ``correct=True`` then targets the hand-over state with the force model.

    Parameters
    ----------
    chaser, station : State
        Chaser at insertion; station at any epoch (propagated to the chaser's).
    handover_time : Quantity (duration after insertion) or Time
    handover_r_lvlh : Quantity (3,)
        Hand-over point in the station's LVLH frame (x V-bar, y H-bar, z R-bar = down).
    handover_v_lvlh : Quantity (3,), optional
        Rotating-frame velocity there; default the co-elliptic drift (3/2 n z, 0, 0).
    schedule : CoellipticSchedule
    force_model : ForceModel, "two-body" or None (J2-J4 + drag)
    correct : bool
        Differential correction through the force model.
    plane_correction : bool
        Include NPC.
    optimise : bool
        After targeting, lower the total delta-v with the epochs fixed (see
        :func:`~qingzhou_sim.phasing.core._correct`).
    correct_epochs : bool
        Then also move the burn epochs (within 10 min per step) to lower it further.
    profile : str, optional
        Name recorded in the plan.

    Returns
    -------
    PhasingPlan

    Raises
    ------
    InfeasiblePlanError
        Phase angle outside the schedule's window; schedule longer than the
        hand-over time; hand-over before insertion; near-circular insertion.
    OrbitRangeError
        Insertion perigee below :data:`MIN_INSERTION_PERIGEE`.
    PropagationError
        The correction does not converge.

    References
    ----------
    Fehse (2003), sec. 2.2 (phasing, co-elliptic approach); Vallado (2013), eqs. 9-41 to
    9-45 (J2 secular rates); Kozai (1959) (mean semi-major axis); Curtis (2014),
    sec. 6.2-6.3 (Hohmann, vis-viva).
    """
    pb = _setup(chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, _dyn)
    model = _CoellipticModel(pb, schedule)
    rp1, (times, dvs, _, _) = model.solve()
    imp_t = np.array(times)
    dv = _tangential_impulses(pb.dyn, pb.rv0, imp_t, dvs)
    labels = ["NC1", "NH", "NCC"]
    notes = [
        f"phasing-orbit perigee altitude {rp1 - pb.dyn.earth.radius_km:.2f} km (mean), "
        f"co-elliptic height {model.r_f - pb.dyn.earth.radius_km:.2f} km (mean)"
    ]
    if model.j2:
        drift = np.rad2deg(model.raan_drift)
        notes.append(
            f"differential nodal regression chaser - station over the plan {drift:+.3f} deg "
            f"(J2 secular); an insertion with its RAAN offset by {-drift:+.3f} deg from the "
            "station's would remove most of the NPC plane correction"
        )
    if plane_correction:
        pc = _plane_burn(pb, imp_t, dv, schedule.plane_margin_s)
        if pc is not None:
            k = int(np.searchsorted(imp_t, pc[0]))
            imp_t = np.insert(imp_t, k, pc[0])
            dv = np.insert(dv, k, pc[1], axis=0)
            labels.insert(k, "NPC")
    bases = _coelliptic_bases(pb, imp_t, dv, labels)
    return _finish(
        pb,
        "coelliptic",
        profile,
        imp_t,
        dv,
        labels,
        correct,
        notes,
        bases,
        optimise,
        correct_epochs,
    )


def _coelliptic_bases(pb, imp_t, dv, labels):
    """Correction directions: tangential for NC1 and NH, tangential + orbit normal for
    NCC, all three axes for NPC."""
    out = []
    for k, lab in enumerate(labels):
        y = pb.dyn.chaser(pb.rv0, np.array([imp_t[k]]), imp_t[:k], dv[:k])[0]
        t_hat = y[3:] / np.linalg.norm(y[3:])
        h_hat = np.cross(y[:3], y[3:])
        h_hat /= np.linalg.norm(h_hat)
        if lab == "NPC":
            out.append(np.eye(3))
        elif lab == "NCC":
            out.append(np.stack([t_hat, h_hat], axis=1))
        else:
            out.append(t_hat[:, None])
    return out


# ----------------------------------------------------------------- Lambert
def _izzo(mu, r1, r2, tof, m, lowpath):
    from boinor.core.iod import izzo

    try:
        return izzo(mu, r1, r2, tof, m, True, lowpath, 35, 1e-8)
    except (ValueError, AssertionError, ZeroDivisionError):
        return None


def _lambert_pair(mu, c1, tgt2, tof, m_max):
    """Best (total dv, M, lowpath, dv1, dv2) over revolution counts and branches."""
    best = None
    for m in range(0, m_max + 1):
        for low in (True, False) if m > 0 else (True,):
            sol = _izzo(mu, c1[:3], tgt2[:3], tof, m, low)
            if sol is None:
                continue
            v1, v2 = sol
            d1, d2 = v1 - c1[3:], tgt2[3:] - v2
            tot = np.linalg.norm(d1) + np.linalg.norm(d2)
            if np.isfinite(tot) and (best is None or tot < best[0]):
                best = (tot, m, low, d1, d2)
    return best


def _lambert_search(
    mu, rv0, target_T, t_end, t_min, n_grid=24, m_max=None, refine=True, arrive_at_end=False
):
    """Grid search over (t1, t2) and revolutions, then Nelder-Mead refinement.

    Returns (total dv km/s, t1, t2, dv1, dv2, M) with the target state at t2 obtained
    by propagating the hand-over state back from ``t_end`` (two-body). With
    ``arrive_at_end`` the arc ends at the hand-over epoch (t2 = t_end)."""
    a = float(_rv_to_elements(mu, rv0[:3], rv0[3:])[0])
    period_min = 2 * np.pi * np.sqrt(a**3 / mu)
    tof_min = 0.1 * period_min
    if t_end - t_min < tof_min:
        raise InfeasiblePlanError(
            f"Lambert phasing: only {(t_end - t_min) / 60:.1f} min between the earliest burn "
            f"and the hand-over; expected at least {tof_min / 60:.1f} min",
            name="handover_time",
            value=t_end * u.s,
        )

    def c_at(t):
        return np.concatenate(_kepler(mu, rv0[:3], rv0[3:], t))

    def tgt_at(t):
        return np.concatenate(_kepler(mu, target_T[:3], target_T[3:], t - t_end))

    def evaluate(t1, t2):
        tof = t2 - t1
        if t1 < t_min or t2 > t_end or tof < tof_min:
            return None
        mm = int(tof / period_min) if m_max is None else min(m_max, int(tof / period_min))
        return _lambert_pair(mu, c_at(t1), tgt_at(t2), tof, mm)

    t1s = np.linspace(t_min, t_end - tof_min, n_grid)
    best = None
    for t1 in t1s:
        t2s = [t_end] if arrive_at_end else np.linspace(t1 + tof_min, t_end, n_grid)
        for t2 in t2s:
            r = evaluate(t1, t2)
            if r is not None and (best is None or r[0] < best[0]):
                best = (r[0], t1, t2)
    if best is None:
        raise InfeasiblePlanError(
            "Lambert phasing: no transfer found between insertion and hand-over",
            name="handover_time",
            value=t_end * u.s,
        )
    if not refine:
        return best[0], best[1], best[2], None, None, None
    scale = (t_end - t_min) / n_grid

    def obj(x):
        t2 = t_end if arrive_at_end else best[2] + x[1] * scale
        r = evaluate(best[1] + x[0] * scale, t2)
        return 1e3 if r is None else r[0]

    res = minimize(
        obj,
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-9, "maxiter": 200},
    )
    t1 = best[1] + res.x[0] * scale
    t2 = t_end if arrive_at_end else best[2] + res.x[1] * scale
    r = evaluate(t1, t2)
    if r is None or r[0] > best[0]:
        t1, t2 = best[1], best[2]
        r = evaluate(t1, t2)
    return r[0], t1, t2, r[3], r[4], r[1]


def plan_lambert(
    chaser: State,
    station: State,
    *,
    handover_time,
    handover_r_lvlh: u.Quantity = [-5.0, 0.0, 0.0] * u.km,
    handover_v_lvlh: u.Quantity | None = None,
    earliest_burn: u.Quantity = 10 * u.min,
    max_revs: int | None = None,
    grid: int = 24,
    force_model=None,
    correct: bool = True,
    correct_epochs: bool = False,
    profile: str | None = None,
    _dyn=None,
) -> PhasingPlan:
    r"""Two-impulse phasing by multi-revolution Lambert arcs, minimum total delta-v.

    The first burn at ``t1`` puts the chaser on a Lambert arc (``M`` full revolutions,
    either branch) that meets, at ``t2``, the hand-over trajectory (the hand-over state
    propagated back from the hand-over epoch); the second burn matches its velocity.
    ``t1``, ``t2`` and ``M`` are searched on a grid, then refined (Nelder-Mead).

    Parameters
    ----------
    chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model,
    correct, profile
        As in :func:`plan_coelliptic` (default hand-over 5 km behind on V-bar, at rest).
    earliest_burn : Quantity
        First burn no earlier than this after insertion.
    max_revs : int, optional
        Upper bound of the revolution count (default: what the time of flight allows).
    grid : int
        Grid points per epoch axis.
    correct_epochs : bool
        Let the correction move the two epochs as well (minimum delta-v).

    Returns
    -------
    PhasingPlan

    Raises
    ------
    InfeasiblePlanError, OrbitRangeError, PropagationError
        As :func:`plan_coelliptic`.

    References
    ----------
    Izzo (2015), "Revisiting Lambert's problem", CMDA 121, 1-15 (boinor's
    ``boinor.core.iod.izzo``); Vallado (2013), sec. 7.6.
    """
    pb = _setup(chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, _dyn)
    mu = pb.dyn.mu
    kepler = _make_dynamics("two-body")
    s_end = kepler.station(pb.station_rv0, np.array([pb.t_end_s]))[0]
    target_T = _relative_to_inertial("LVLH", s_end, pb.rel6)
    t_min = as_duration_s(earliest_burn, "earliest_burn")
    found = [_lambert_search(mu, pb.rv0, target_T, pb.t_end_s, t_min, grid, max_revs)]
    if correct and not pb.dyn.two_body and found[0][2] < pb.t_end_s - 1.0:
        # In two-body an early arrival at the hand-over point and a coast there cost the
        # same as arriving at the hand-over epoch; with J2 and drag the coast does not
        # stay at the point, so the arc that ends at the hand-over epoch is also tried.
        found.append(
            _lambert_search(
                mu, pb.rv0, target_T, pb.t_end_s, t_min, grid, max_revs, arrive_at_end=True
            )
        )
    plans = []
    for _, t1, t2, d1, d2, m in found:
        notes = [f"Lambert arc of {m} full revolution(s), {(t2 - t1) / 60:.1f} min"]
        try:
            plans.append(
                _finish(
                    pb,
                    "lambert",
                    profile,
                    np.array([t1, t2]),
                    np.array([d1, d2]),
                    ["TI", "TF"],
                    correct,
                    notes,
                    epochs=correct_epochs,
                )
            )
        except PropagationError:
            if len(found) == 1:
                raise
    if not plans:
        raise PropagationError(
            "lambert plan: full-force targeting did not converge", last_epoch=pb.chaser.epoch
        )
    return min(plans, key=lambda p: float(p.total_dv.to_value(u.m / u.s)))


# --------------------------------------------------------------- N-impulse
def _optimise_impulses(mu, rv0, target_T, t_end, t_min, t0_guess, dv0_guess):
    """SLSQP: minimum sum |dv| over epochs and vectors, arrival at ``target_T``
    (two-body). Returns (times, dv (N, 3)) or None."""
    n = len(t0_guess)
    scale_t = t_end
    x0 = np.concatenate([np.asarray(t0_guess) / scale_t, np.asarray(dv0_guess).ravel() * 1e3])
    eps = 1e-4  # m/s, smooths |dv| at zero

    def unpack(x):
        t = x[:n] * scale_t
        dv = x[n:].reshape(n, 3) * 1e-3
        order = np.argsort(t, kind="stable")
        return t[order], dv[order]

    def obj(x):
        d = x[n:].reshape(n, 3)
        return float(np.sum(np.sqrt(np.sum(d * d, axis=1) + eps**2)))

    def jac(x):
        d = x[n:].reshape(n, 3)
        g = np.zeros_like(x)
        g[n:] = (d / np.sqrt(np.sum(d * d, axis=1) + eps**2)[:, None]).ravel()
        return g

    def cons(x):
        t, dv = unpack(x)
        y = _kepler_rv(mu, rv0, np.array([t_end]), t, dv)[0]
        return np.concatenate([(y[:3] - target_T[:3]), (y[3:] - target_T[3:]) * 1e3])

    gap = _MIN_GAP_S / scale_t
    ineq = [{"type": "ineq", "fun": (lambda x, i=i: x[i + 1] - x[i] - gap)} for i in range(n - 1)]
    bounds = [(t_min / scale_t, 1.0)] * n + [(-500.0, 500.0)] * (3 * n)
    res = minimize(
        obj,
        x0,
        jac=jac,
        method="SLSQP",
        bounds=bounds,
        constraints=[{"type": "eq", "fun": cons}, *ineq],
        options={"maxiter": 400, "ftol": 1e-10},
    )
    t, dv = unpack(res.x)
    if np.max(np.abs(cons(res.x))) > 1e-3:
        return None
    return t, dv


def _polish_two_body(mu, rv0, t, dv, target_T, t_end):
    dyn = _make_dynamics("two-body")
    dv, rep, _ = _correct(dyn, rv0, t_end, t, dv, target_T)
    return dv if rep.converged else None


def _pad(t, dv, n, t_min, t_end):
    """Warm start with exactly n impulses: add zero impulses in the largest gaps."""
    t, dv = list(t), [np.asarray(d) for d in dv]
    while len(t) < n:
        pts = np.sort(np.array([t_min, *t, t_end]))
        k = int(np.argmax(np.diff(pts)))
        t.append(0.5 * (pts[k] + pts[k + 1]))
        dv.append(np.zeros(3))
    order = np.argsort(t)
    return np.array(t)[order], np.array(dv)[order]


def plan_n_impulse(
    chaser: State,
    station: State,
    *,
    handover_time,
    n_impulses: int = 4,
    handover_r_lvlh: u.Quantity = [-5.0, 0.0, 0.0] * u.km,
    handover_v_lvlh: u.Quantity | None = None,
    earliest_burn: u.Quantity = 10 * u.min,
    warm_starts=(),
    schedule: CoellipticSchedule | None = None,
    force_model=None,
    correct: bool = True,
    correct_epochs: bool = False,
    profile: str | None = None,
    _dyn=None,
) -> PhasingPlan:
    r"""Minimum-delta-v N-impulse phasing (N = 3..6), the benchmark of the other
    strategies.

    Minimises :math:`\sum_i |\Delta v_i|` over the N epochs and delta-v vectors with
    scipy's SLSQP, subject to arriving at the hand-over state at the hand-over epoch
    (two-body arcs between impulses, universal-variable Kepler propagation) and to
    epochs at least 2 min apart. Warm starts: the two-body Lambert optimum, the
    co-elliptic sequence (when ``schedule`` is given or ``warm_starts`` contains
    plans) padded with zero impulses; the best feasible optimum is kept, and never
    one worse than its warm start. ``correct=True`` then targets the force model.

    Parameters
    ----------
    n_impulses : int
        3 to 6.
    warm_starts : sequence of PhasingPlan
        Extra starting points (their burns, in inertial form).
    schedule : CoellipticSchedule, optional
        Also warm-start from the co-elliptic sequence with this schedule.
    (others)
        As :func:`plan_lambert`.

    Returns
    -------
    PhasingPlan

    References
    ----------
    Prussing (1995), "Optimal impulsive linear systems", in *Spacecraft Trajectory
    Optimization* (Conway ed.), ch. 2 (primer-vector optimality of N-impulse
    rendezvous); Kraft (1988), SLSQP (scipy.optimize.minimize).
    """
    if not isinstance(n_impulses, int | np.integer) or not 3 <= n_impulses <= 6:
        raise InputError(
            f"n_impulses = {n_impulses!r}; expected an integer from 3 to 6",
            name="n_impulses",
            value=n_impulses,
            valid="3..6",
        )
    pb = _setup(chaser, station, handover_time, handover_r_lvlh, handover_v_lvlh, force_model, _dyn)
    mu = pb.dyn.mu
    kepler = _make_dynamics("two-body")
    s_end = kepler.station(pb.station_rv0, np.array([pb.t_end_s]))[0]
    target_T = _relative_to_inertial("LVLH", s_end, pb.rel6)
    t_min = as_duration_s(earliest_burn, "earliest_burn")
    starts = []
    try:
        _, t1, t2, d1, d2, _ = _lambert_search(mu, pb.rv0, target_T, pb.t_end_s, t_min)
        starts.append((np.array([t1, t2]), np.array([d1, d2])))
    except InfeasiblePlanError:
        pass
    plans = list(warm_starts)
    if schedule is not None:
        try:
            plans.append(
                plan_coelliptic(
                    chaser,
                    station,
                    handover_time=pb.t_end_s * u.s,
                    handover_r_lvlh=pb.rel6[:3] * u.km,
                    handover_v_lvlh=pb.rel6[3:] * (u.km / u.s),
                    schedule=schedule,
                    force_model="two-body",
                    correct=True,
                )
            )
        except (InfeasiblePlanError, PropagationError):
            pass
    for p in plans:
        t = np.array([(b.epoch - pb.chaser.epoch).to_value(u.s) for b in p.burns], float)
        starts.append((t, p.dv_inertial.to_value(u.km / u.s)))
    candidates = []
    for t, dv in starts:
        if len(t) > n_impulses:
            continue
        dv = _polish_two_body(mu, pb.rv0, t, dv, target_T, pb.t_end_s)
        if dv is None:
            continue
        t, dv = _pad(t, dv, n_impulses, t_min, pb.t_end_s)
        cand = [(t, dv)]
        opt = _optimise_impulses(mu, pb.rv0, target_T, pb.t_end_s, t_min, t, dv)
        if opt is not None:
            pol = _polish_two_body(mu, pb.rv0, opt[0], opt[1], target_T, pb.t_end_s)
            if pol is not None:
                cand.append((opt[0], pol))
        for tc, dc in cand:
            candidates.append((float(np.sum(np.linalg.norm(dc, axis=1))), tc, dc))
    if not candidates:
        raise InfeasiblePlanError(
            "N-impulse phasing: no feasible warm start (Lambert and co-elliptic both failed)",
            name="handover_time",
            value=pb.t_end_s * u.s,
        )
    candidates.sort(key=lambda c: c[0])
    notes = [f"{n_impulses}-impulse SLSQP optimum (two-body), warm-started"]
    if not correct or pb.dyn.two_body:
        _, t, dv = candidates[0]
        return _finish(
            pb, "n-impulse", profile, t, dv, [f"I{k + 1}" for k in range(len(t))], correct, notes
        )
    # Force model: the two-body ranking can change once each candidate is corrected;
    # correct the best few and keep the cheapest converged one.
    _, target = _target_at_end(pb)
    best = None
    for _, t, dv in candidates[:3]:
        try:
            dvc, rep, t = _correct(pb.dyn, pb.rv0, pb.t_end_s, t, dv, target, epochs=correct_epochs)
        except PropagationError:
            continue
        tot = float(np.sum(np.linalg.norm(dvc, axis=1)))
        if rep.converged and (best is None or tot < best[0]):
            best = (tot, t, dvc, rep)
    if best is None:
        raise PropagationError(
            "n-impulse plan: full-force targeting did not converge for any candidate",
            last_epoch=pb.chaser.epoch,
        )
    _, t, dv, rep = best
    return _build_plan(
        dyn=pb.dyn,
        strategy="n-impulse",
        profile=profile,
        chaser=pb.chaser,
        station_rv0=pb.station_rv0,
        t_end_s=pb.t_end_s,
        rel_lvlh6=pb.rel6,
        imp_t=t,
        dv_inertial=dv,
        labels=[f"I{k + 1}" for k in range(len(t))],
        correction=rep,
        notes=notes,
    )
