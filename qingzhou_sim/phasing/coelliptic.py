r"""Co-elliptic (Hohmann-type) phasing sequence, solved analytically in a two-body +
J2 secular model, then targeted through the force model."""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from scipy.optimize import brentq

from ..errors import InfeasiblePlanError, InputError
from ..state import State, _rv_to_elements
from ._common import _MIN_GAP_S, _finish, _Problem, _setup, _tangential_impulses
from ._kernels import _phase_angle, _secular_rates
from .core import (
    PhasingPlan,
)

__all__ = ["CoellipticSchedule", "plan_coelliptic"]


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
    split : int
        The perigee raise and the apogee adjust are each made in ``split`` equal steps
        of apsis radius, alternately at apogee (``NC1``, ``NC2``, ...) and at the next
        perigee (``NH1``, ``NH2``, ...); the phasing revolutions come before the last
        NH, the height revolutions after it. Tangential burns at the apsides, so the
        split costs (to first order) no extra delta-v; 1 = the classic NC1, NH.
    ncc_revs : tuple of int
        The co-elliptic burn made in ``1 + len(ncc_revs)`` equal steps of perigee
        radius at successive apogee passages, ``ncc_revs[k]`` full revolutions apart
        (``NCC1``, ``NCC2``, ...); empty = one NCC.
    """

    apogee: int = 1
    phasing_revs: int = 1
    height_revs: int = 0
    plane_margin_s: float = 300.0
    split: int = 1
    ncc_revs: tuple = ()

    def __post_init__(self):
        bad = self.apogee < 1 or self.phasing_revs < 0 or self.height_revs < 0
        bad = bad or not isinstance(self.split, int) or self.split < 1
        bad = bad or any(not isinstance(r, int) or r < 1 for r in self.ncc_revs)
        if bad:
            raise InputError(
                f"CoellipticSchedule({self.apogee}, {self.phasing_revs}, {self.height_revs}, "
                f"split={self.split}, ncc_revs={self.ncc_revs}): expected apogee >= 1, "
                "revolution counts >= 0, split >= 1 and ncc_revs of integers >= 1",
                name="schedule",
                value=(self.apogee, self.phasing_revs, self.height_revs),
            )
        object.__setattr__(self, "ncc_revs", tuple(self.ncc_revs))

    def labels(self) -> list:
        """Names of the in-plane burns in order (NPC, at a node, is added separately)."""
        if self.split == 1:
            out = ["NC1", "NH"]
        else:
            out = [f"{n}{k + 1}" for k in range(self.split) for n in ("NC", "NH")]
        m = 1 + len(self.ncc_revs)
        return out + (["NCC"] if m == 1 else [f"NCC{j + 1}" for j in range(m)])


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

    def _steps(self, rp1):
        """In-plane burns as (apsis, perigee radius after, apogee radius after, coast
        angle after in rad or None for the co-elliptic coast to the hand-over)."""
        sch, rp0, ra0, r_f = self.sch, self.rp0, self.ra0, self.r_f
        s = sch.split
        steps = []
        for k in range(1, s + 1):
            last = k == s
            rp_k, ra_k = rp0 + (rp1 - rp0) * k / s, ra0 + (r_f - ra0) * k / s
            ra_before = ra0 + (r_f - ra0) * (k - 1) / s
            steps.append(("apo", rp_k, ra_before, np.pi + 2 * np.pi * (sch.phasing_revs * last)))
            steps.append(("peri", rp_k, ra_k, np.pi + 2 * np.pi * (sch.height_revs * last)))
        m = 1 + len(sch.ncc_revs)
        for j in range(1, m + 1):
            coast = 2 * np.pi * sch.ncc_revs[j - 1] if j < m else None
            steps.append(("apo", rp1 + (r_f - rp1) * j / m, r_f, coast))
        return steps

    def sequence(self, rp1):
        """Burn times, tangential dv magnitudes (km/s), the phase gain G (rad):
        station-ahead angle at the hand-over minus that at insertion, and the
        co-elliptic coast before the hand-over (s)."""
        sch, mu = self.sch, self.mu

        def vis(r, a):
            return np.sqrt(mu * (2.0 / r - 1.0 / a))

        rd0, wd0, md0 = self._rates(self.rp0, self.ra0)
        t = (((np.pi - self.m0) % (2 * np.pi)) + 2 * np.pi * (sch.apogee - 1)) / md0
        du = wd0 * t + ((np.pi - self.nu0) % (2 * np.pi)) + 2 * np.pi * (sch.apogee - 1)
        draan = rd0 * t
        rp, ra = self.rp0, self.ra0
        times, dvs = [], []
        for apsis, rp_new, ra_new, coast in self._steps(rp1):
            r = ra if apsis == "apo" else rp
            dvs.append(vis(r, 0.5 * (rp_new + ra_new)) - vis(r, 0.5 * (rp + ra)))
            times.append(t)
            rp, ra = rp_new, ra_new
            rd, wd, md = self._rates(rp, ra)
            if coast is None:  # co-elliptic coast to the hand-over
                dt = self.T - t
                du += (wd + md) * dt
            else:
                dt = coast / md
                du += wd * dt + coast
            draan += rd * dt
            t += dt
        gain = self.lam_rate_s * self.T - (du + np.cos(self.inc) * draan)
        self.raan_drift = draan - self.raan_rate_s * self.T  # chaser minus station, rad
        return tuple(times), tuple(dvs), gain, self.T - times[-1]

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
        :func:`~qingzhou_sim.phasing.targeting._correct`).
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
    labels = schedule.labels()
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
        elif lab.startswith("NCC"):
            out.append(np.stack([t_hat, h_hat], axis=1))
        else:
            out.append(t_hat[:, None])
    return out
