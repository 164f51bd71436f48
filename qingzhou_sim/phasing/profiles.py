r"""Named phasing profiles mirroring the flown Chinese rendezvous modes, their
phase-angle windows, and the public entry :func:`plan_phasing`.

======== ============ ================================ ================= =====================
profile  strategy     burn schedule                    hand-over (LVLH)  insertion -> hand-over
======== ============ ================================ ================= =====================
two-day  co-elliptic  NC1 at the 5th apogee (rev 5),   52 km behind,     41.0 h (~27 revs)
                      NH 7.5 revs later (rev 13),      5 km below,
                      NCC1 3.5 revs later (rev 16),    co-elliptic drift
                      NCC2 3 revs later (rev 19), NPC
                      at a node >= 5 h before the
                      hand-over (rev 24)
6.5-hour co-elliptic  six burns over three orbits:     50 km behind,     4.08 h (~2.7 revs)
                      NC1, NH1, NC2, NH2 alternately   5 km below (in
                      at apogee and perigee from the   front and above
                      1st apogee, NCC at the 3rd       at the forward
                      apogee, NPC at the last node     port), co-
                                                       elliptic drift
3-hour   N-impulse    4 impulses on revs 1-2, first    5 km behind on    1.85 h (~1.2 revs)
         (N = 4)      >= 10 min after insertion        V-bar, at rest
3.5-hour N-impulse    4 impulses (Shenzhou-21: four    5 km behind (in   2.35 h (~1.5 revs)
         (N = 4)      orbit-control burns)             front at the
                                                       forward port)
2-hour   Lambert      TI >= 10 min after insertion,    5 km behind on    1.25 h (~0.8 rev)
                      TF at the hand-over (two         V-bar, at rest
                      combined manoeuvres)
======== ============ ================================ ================= =====================

Hand-over points. The two-day profile hands over about 52 km behind and below the
station (firm: PD-SZ8, CD-SZ8, CCTV-SZ11); the 6.5-hour profile at about 50 km, where
the microwave radar and the space-to-space link acquire (CCTV, Shenzhou-16, mission-facts
second round); the 5 km heights are assumptions. Burns: Shenzhou-8's ground-commanded
burns were on revolutions 5, 13, 16, 19 and 24 (China News Service, second round; the
roles given to them here -- perigee raise, apogee adjust, co-elliptic burn in two parts,
plane correction -- are assumptions), the 6.5-hour scheme's six burns over about three
orbits (CCTV). Both keep every scheduled burn in its role (``optimise=False``: minimum-
norm corrections through the force model, no re-optimisation that would merge burns).
The other fast profiles (3-hour, 3.5-hour, 2-hour) end at the Tianhe-era 5 km hold point
behind the station (SZ19), on V-bar, at rest in LVLH, where the approach module takes
over for the close range.

Durations (``mission-facts.md`` sec. 2). Launch -> docking = ascent (600 s,
``vehicles.KINETICA_2``) + insertion -> hand-over + nominal approach:

* two-day: 0.17 + 41.0 + 2.5 h (52 km -> contact, CD-SZ8) = 43.7 h, docked on rev ~30
  (Shenzhou-8: about 44 h, rev 30);
* 6.5-hour: 0.17 + 4.08 + 2.3 h = 6.55 h (Shenzhou-12: 6 h 32 min, SZ12); the approach
  from 50 km is 55 min of homing (Shenzhou-8's 52 km -> 5 km) and the Tianhe-era holds;
* 3-hour: 0.17 + 1.85 + 1.3 h = 3.32 h (Tianzhou-7/8/9: 3 h 17-19 min, TZ7-CN, TZ8, TZ9);
* 3.5-hour: 0.17 + 2.35 h = 2.52 h to the start of homing (Shenzhou-21: 2 h 31 min), + 1.12 h
  (homing -> docking 1 h 07 min) = 3.63 h (Shenzhou-21/22: 3 h 38 min, SZ21, SZ22);
* 2-hour: 0.17 + 1.25 + 0.7 h = 2.12 h (Tianzhou-5: 2 h 07 min, TZ5).

The approach times are assumptions (hold durations in the fast modes are unpublished);
1.3 h is what the docking module's ``aft-fast`` profile takes from the 5 km point
(1.28 h). The 2-hour mode needs a faster close range (0.7 h) than that profile flies.

Windows. A profile can fly a range of station phase angles at insertion (angle from the
chaser to the station along the orbit, in the station's plane, positive = station ahead,
in [0, 360) deg, the convention of :mod:`qingzhou_sim.launch`). For the co-elliptic
profiles it is the range over which the perigee of the phasing orbit can be placed
between the insertion perigee and apogee (all burns prograde, delta-v near the Hohmann
minimum); for the fast (N-impulse) profiles it is the range over which the two-impulse
Lambert optimum stays within ``dv_margin`` (25 %) of the coplanar lower bound -- a
conservative window, since the N-impulse plan flown inside it is never worse than the
two-impulse one; :func:`plan_phasing` still flies a (dispersed) insertion just outside
it when the N-impulse optimum fits the same budget. The fast modes are autonomous multi-burn sequences (Shenzhou-14: six
autonomous orbit changes, SZ14), hence N-impulse rather than a fixed schedule. Compare Soyuz: 150 / 22 / 6 deg
for the two-day / four-orbit / two-orbit profiles (RG-PHASE).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import NamedTuple

import astropy.units as u
import numba
import numpy as np

from ..constants import EARTH, as_duration_s, as_quantity
from ..errors import (
    InfeasiblePlanError,
    InputError,
    OrbitRangeError,
    PropagationError,
    UnknownNameError,
)
from ..state import State, _rv_to_elements
from ._common import _a_ecc, _semi_major_axis
from ._kernels import _kepler, _kepler_rv, _phase_angle
from .core import PhasingPlan, _Dynamics, _make_dynamics
from .lambert import _IZZO_ARGS, _lambert_cell
from .strategies import (
    CoellipticSchedule,
    _CoellipticModel,
    _lambert_search,
    _setup,
    plan_coelliptic,
    plan_lambert,
    plan_n_impulse,
)

__all__ = [
    "PROFILES",
    "STRATEGIES",
    "PhaseWindow",
    "PhasingProfile",
    "coplanar_lower_bound",
    "get_profile",
    "phase_angle_windows",
    "plan_phasing",
]

STRATEGIES = ("coelliptic", "lambert", "n-impulse")


@dataclass(frozen=True, slots=True)
class PhasingProfile:
    """A named phasing profile (see the module docstring for the table and sources).

    Parameters
    ----------
    name : str
    strategy : {"coelliptic", "lambert", "n-impulse"}
    handover_time : Quantity
        Insertion -> hand-over.
    handover_r_lvlh : Quantity (3,)
        Hand-over point, station LVLH (x V-bar, y H-bar, z R-bar = down), km.
    handover_v_lvlh : Quantity (3,) or None
        Rotating-frame velocity there; None = co-elliptic drift (3/2 n z, 0, 0).
    schedule : CoellipticSchedule or None
        Burn schedule of the co-elliptic strategy.
    earliest_burn : Quantity
        No burn before this (checkout after separation).
    nominal_approach_time : Quantity
        Hand-over -> docking, assumed, for the timeline.
    dv_margin : float
        Lambert / N-impulse profiles: window = phase angles whose two-impulse optimum
        is within this fraction above the coplanar lower bound.
    n_impulses : int
        For ``strategy="n-impulse"``.
    flown : str
        The flown analogue (mission-facts sec. 2).
    burn_schedule : str
        Which revolutions the burns are on (for reports).
    optimise : bool
        Co-elliptic strategy: after targeting, lower the total delta-v with the epochs
        fixed (True), or keep every burn of the schedule in its role with minimum-norm
        corrections only (False: the published burn structure, flown as scheduled).
    """

    name: str
    strategy: str
    handover_time: u.Quantity
    handover_r_lvlh: u.Quantity
    handover_v_lvlh: u.Quantity | None
    schedule: CoellipticSchedule | None
    earliest_burn: u.Quantity = 10 * u.min
    nominal_approach_time: u.Quantity = 2.5 * u.h
    dv_margin: float = 0.25
    n_impulses: int = 4
    flown: str = ""
    burn_schedule: str = ""
    optimise: bool = True

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise UnknownNameError("phasing strategy", self.strategy, STRATEGIES)


PROFILES = MappingProxyType(
    {
        "two-day": PhasingProfile(
            "two-day",
            "coelliptic",
            41.0 * u.h,
            [-52.0, 0.0, 5.0] * u.km,
            None,
            CoellipticSchedule(
                apogee=5, phasing_revs=7, height_revs=3, ncc_revs=(3,), plane_margin_s=5 * 3600.0
            ),
            nominal_approach_time=2.5 * u.h,
            flown="Shenzhou-8 ~44 h (burns on revs 5, 13, 16, 19, 24; hand-over at 52 km); "
            "Soyuz two-day = 34 orbits",
            burn_schedule="NC1 at the 5th apogee (rev 5), NH 7.5 revs later at perigee "
            "(rev 13), NCC1 3.5 revs later at apogee (rev 16), NCC2 3 revs later (rev 19), "
            "NPC at the last node at least 5 h before the hand-over (rev 24)",
            optimise=False,
        ),
        "6.5-hour": PhasingProfile(
            "6.5-hour",
            "coelliptic",
            (245.0 / 60.0) * u.h,  # 4 h 05 min
            [-50.0, 0.0, 5.0] * u.km,
            None,
            CoellipticSchedule(apogee=1, phasing_revs=0, height_revs=0, split=2),
            nominal_approach_time=2.3 * u.h,
            flown="Shenzhou-12 6 h 32 min, Shenzhou-13 6 h 33 min, Shenzhou-15..20 "
            "6 h 32-34 min, Tianzhou-3 ~6.5 h",
            burn_schedule="six burns over three orbits to ~50 km: NC1 at the 1st apogee, NH1 "
            "at the next perigee, NC2, NH2, NCC at the 3rd apogee, NPC at the last node "
            "before the hand-over (CCTV, Shenzhou-16)",
            optimise=False,
        ),
        "3-hour": PhasingProfile(
            "3-hour",
            "n-impulse",
            1.85 * u.h,
            [-5.0, 0.0, 0.0] * u.km,
            [0.0, 0.0, 0.0] * (u.m / u.s),
            None,
            nominal_approach_time=1.3 * u.h,
            flown="Tianzhou-7 3 h 19 min, Tianzhou-8 3 h 19 min (TZ8-WIKI, issue 15), "
            "Tianzhou-9 ~3 h 18 min",
            burn_schedule="4 impulses on revs 1-2, the first >= 10 min after insertion "
            "(epochs and vectors optimised, warm-started from the two-impulse Lambert optimum)",
        ),
        "3.5-hour": PhasingProfile(
            "3.5-hour",
            "n-impulse",
            2.35 * u.h,
            [-5.0, 0.0, 0.0] * u.km,
            [0.0, 0.0, 0.0] * (u.m / u.s),
            None,
            nominal_approach_time=1.12 * u.h,
            flown="Shenzhou-21 3 h 38 min, Shenzhou-22 3 h 38 min (forward port)",
            burn_schedule="4 orbit-control burns to the end of far-range guidance, homing "
            "from 2 h 31 min after liftoff (SZ21, CCTV 1 Nov 2025)",
        ),
        "2-hour": PhasingProfile(
            "2-hour",
            "lambert",
            1.25 * u.h,
            [-5.0, 0.0, 0.0] * u.km,
            [0.0, 0.0, 0.0] * (u.m / u.s),
            None,
            nominal_approach_time=0.7 * u.h,
            flown="Tianzhou-5 2 h 07 min",
            burn_schedule="two combined orbit-change manoeuvres in less than one orbit: TI "
            ">= 10 min after insertion, TF at the hand-over (CAST 502 Institute via Xinhua, "
            "13 Nov 2022)",
        ),
    }
)


def get_profile(profile) -> PhasingProfile:
    """A :class:`PhasingProfile` by name (or the profile itself).

    Raises
    ------
    UnknownNameError
        Unknown name; the message lists the known ones.
    """
    if isinstance(profile, PhasingProfile):
        return profile
    key = str(profile).strip().lower()
    if key not in PROFILES:
        raise UnknownNameError("phasing profile", str(profile), tuple(PROFILES))
    return PROFILES[key]


class PhaseWindow(NamedTuple):
    """Window of station phase angles at insertion: from ``lo`` (in [0, 360) deg)
    over ``width``; ``hi = lo + width`` may exceed 360 deg."""

    profile: str
    lo: u.Quantity
    hi: u.Quantity

    @property
    def width(self) -> u.Quantity:
        return self.hi - self.lo

    @property
    def centre(self) -> u.Quantity:
        return (0.5 * (self.lo + self.hi).to_value(u.deg) % 360.0) * u.deg

    def contains(self, phase_angle: u.Quantity) -> bool:
        """True when ``phase_angle`` (any branch) lies in the window."""
        d = (phase_angle.to_value(u.deg) - self.lo.to_value(u.deg)) % 360.0
        return bool(d <= self.width.to_value(u.deg) + 1e-9)

    def __str__(self) -> str:
        return (
            f"{self.profile}: station phase at insertion {self.lo.to_value(u.deg):.2f} .. "
            f"{self.hi.to_value(u.deg):.2f} deg (width {self.width.to_value(u.deg):.2f} deg)"
        )


def coplanar_lower_bound(insertion_orbit: State, radius: u.Quantity) -> u.Quantity:
    r"""Minimum two-impulse coplanar delta-v from the insertion ellipse to a circle of
    ``radius`` (tangential burns at the apsides; the better of perigee-first and
    apogee-first). For radius ratios below 11.94 no impulse sequence does better
    (Hohmann optimality, Curtis 2014, sec. 6.4), so this bounds every strategy.

    Parameters
    ----------
    insertion_orbit : State
        The chaser after insertion (its osculating perigee and apogee are used).
    radius : Quantity
        Radius of the target circle (e.g. R_eq + 390 km).

    Returns
    -------
    Quantity
        Delta-v in m/s.

    Raises
    ------
    InputError
        ``insertion_orbit`` not a State, ``radius`` not a finite length.
    OrbitRangeError
        ``radius`` not above the Earth's surface.

    References
    ----------
    Curtis (2014), eqs. 6.2-6.3 (vis-viva, Hohmann).
    """
    if not isinstance(insertion_orbit, State):
        raise InputError(
            f"insertion_orbit must be a State, got {type(insertion_orbit).__name__}",
            name="insertion_orbit",
            value=insertion_orbit,
            valid="State",
        )
    r = float(as_quantity(radius, u.km, "radius", shape=()).value)
    if not r > EARTH.radius_km:
        raise OrbitRangeError(
            f"radius {r} km is not above the Earth's surface; expected > {EARTH.radius_km} km",
            name="radius",
            value=r * u.km,
            valid=f"> {EARTH.radius_km} km",
        )
    mu = EARTH.mu_km3_s2
    el = _rv_to_elements(mu, insertion_orbit.r_km, insertion_orbit.v_km_s)
    rp, ra = el[0] * (1 - el[1]), el[0] * (1 + el[1])
    return _coplanar_bound_km_s(mu, rp, ra, r) * 1e3 * (u.m / u.s)


def _coplanar_bound_km_s(mu, rp, ra, r):
    def vis(rr, a):
        return np.sqrt(mu * (2.0 / rr - 1.0 / a))

    a0 = 0.5 * (rp + ra)
    out = []
    for r1 in (rp, ra):  # burn at r1 moves the other apsis to r, circularise at r
        at = 0.5 * (r1 + r)
        out.append(abs(vis(r1, at) - vis(r1, a0)) + abs(np.sqrt(mu / r) - vis(r, at)))
    return float(min(out))


def _window_dynamics(force_model) -> _Dynamics:
    """Kepler arcs with the J2 value of the force model for the analytic model."""
    from dataclasses import replace

    from ..forces import PointMass

    dyn = _make_dynamics("two-body")
    if hasattr(force_model, "propagate_rv") and hasattr(force_model, "force_model"):
        force_model = force_model.force_model
    if isinstance(force_model, str):
        return dyn
    if force_model is not None and isinstance(force_model.gravity, PointMass):
        return replace(dyn, earth=force_model.earth)
    earth = EARTH if force_model is None else force_model.earth
    return replace(dyn, two_body=False, earth=earth, name="two-body arcs + J2 secular model")


def _shift_station(mu, srv, dphi, n):
    r, v = _kepler(mu, srv[:3], srv[3:], dphi / n)
    return np.concatenate([r, v])


@numba.njit(cache=True)
def _lambert_grid_kernel(mu, targets, c1s, cell_k, cell_t2, cell_m, t1s, t_end, lam):
    """For each target state (row of ``targets``, at ``t_end``): the cheapest cell of
    the grid (departure state ``c1s[cell_k]`` at ``t1s[cell_k]``, arrival at
    ``cell_t2``, revolutions up to ``cell_m``) and its value, the first of equal ones
    (``lambert._lambert_search``'s grid stage). ``lam``: (prograde, numiter, rtol)."""
    best = np.empty(targets.shape[0])
    where = np.empty(targets.shape[0], dtype=np.int64)
    r1, v1 = np.empty(3), np.empty(3)
    rt, vt = np.empty(3), np.empty(3)
    for i in range(targets.shape[0]):
        best[i], where[i] = np.inf, -1
        for j in range(3):
            rt[j], vt[j] = targets[i, j], targets[i, 3 + j]
        for p in range(cell_k.shape[0]):
            k = cell_k[p]
            for j in range(3):
                r1[j], v1[j] = c1s[k, j], c1s[k, 3 + j]
            r2, v2 = _kepler(mu, rt, vt, cell_t2[p] - t_end)
            tof = cell_t2[p] - t1s[k]
            tot = _lambert_cell(mu, r1, v1, r2, v2, tof, cell_m[p], lam[0], lam[1], lam[2])[0]
            if tot < best[i]:
                best[i], where[i] = tot, p
    return best, where


@numba.njit(cache=True)
def _lambert_at(mu, rv0, target, t1, t2, t_end, bounds, lam):
    """The cheapest transfer from ``rv0`` at ``t1`` to ``target`` (at ``t_end``)
    propagated to ``t2``: ``lambert._lambert_search``'s ``evaluate``, inf where it
    gives None. ``bounds``: (t_min, tof_min, period_min)."""
    tof = t2 - t1
    if t1 < bounds[0] or t2 > t_end or tof < bounds[1]:
        return np.inf
    r1, v1 = _kepler(mu, rv0[:3].copy(), rv0[3:].copy(), t1)
    r2, v2 = _kepler(mu, target[:3].copy(), target[3:].copy(), t2 - t_end)
    m_max = int(tof / bounds[2])
    return _lambert_cell(mu, r1, v1, r2, v2, tof, m_max, lam[0], lam[1], lam[2])[0]


class _LambertGrid(NamedTuple):
    """The (t1, t2) grid of ``lambert._lambert_search`` for one insertion state."""

    bounds: tuple  # t_min, tof_min, period_min (s)
    t1s: np.ndarray
    c1s: np.ndarray  # (n, 6) the chaser at t1s
    cell_k: np.ndarray  # (m,) index into t1s
    cell_t2: np.ndarray
    cell_m: np.ndarray  # revolutions up to


def _lambert_grid(pb, prof, n_grid) -> _LambertGrid | None:
    """The search's grid (None where the search raises: no room for a transfer)."""
    mu, t_end = pb.dyn.mu, pb.t_end_s
    t_min = as_duration_s(prof.earliest_burn, "earliest_burn")
    a = float(_rv_to_elements(mu, pb.rv0[:3], pb.rv0[3:])[0])
    period_min = 2 * np.pi * np.sqrt(a**3 / mu)
    tof_min = 0.1 * period_min
    if t_end - t_min < tof_min:
        return None
    t1s = np.linspace(t_min, t_end - tof_min, n_grid)
    c1s = np.array([np.concatenate(_kepler(mu, pb.rv0[:3], pb.rv0[3:], t1)) for t1 in t1s])
    cells = [
        (k, t2, int((t2 - t1) / period_min))
        for k, t1 in enumerate(t1s)
        for t2 in np.linspace(t1 + tof_min, t_end, n_grid)
        if not (t1 < t_min or t2 > t_end or t2 - t1 < tof_min)
    ]
    k, t2, m = (np.array(col) for col in zip(*cells)) if cells else ([], [], [])
    bounds = (t_min, tof_min, period_min)
    return _LambertGrid(
        bounds, t1s, c1s, np.asarray(k, np.int64), np.asarray(t2, float), np.asarray(m, np.int64)
    )


def _handover_targets(pb, station_rv0s):
    """The hand-over states (n, 6) for stations ``station_rv0s`` (n, 6) at insertion."""
    from ..frames import _relative_to_inertial

    mu, t_end = pb.dyn.mu, pb.t_end_s
    s_end = np.array(
        [
            _kepler_rv(mu, s, np.array([t_end]), np.zeros(0), np.zeros((0, 3)))[0]
            for s in station_rv0s
        ]
    )
    return _relative_to_inertial("LVLH", s_end, np.broadcast_to(pb.rel6, s_end.shape))


def _lambert_grid_min(pb, prof, station_rv0s, n_grid):
    """Unrefined Lambert delta-v (km/s) for each of the station states ``station_rv0s``
    (n, 6) at insertion: ``lambert._lambert_search(..., refine=False)[0]`` (inf where
    it finds no transfer), compiled, all stations in one call.

    References
    ----------
    Izzo (2015), "Revisiting Lambert's problem", CMDA 121, 1-15 (boinor's solver).
    """
    grid = _lambert_grid(pb, prof, n_grid)
    if grid is None or grid.cell_k.size == 0:
        return np.full(len(station_rv0s), np.inf)
    best, _ = _lambert_grid_kernel(
        pb.dyn.mu,
        _handover_targets(pb, station_rv0s),
        grid.c1s,
        grid.cell_k,
        grid.cell_t2,
        grid.cell_m,
        grid.t1s,
        pb.t_end_s,
        _IZZO_ARGS,
    )
    return best


def _lambert_refined_dv(pb, prof, station_rv0, n_grid=12) -> float:
    """``lambert._lambert_search(..., refine=True)[0]`` with compiled evaluations: the
    grid's cheapest cell, then Nelder-Mead over (t1, t2) from it with the search's
    options (inf where the search raises). The same delta-v to the last bit (tests)."""
    from scipy.optimize import minimize

    grid = _lambert_grid(pb, prof, n_grid)
    if grid is None or grid.cell_k.size == 0:
        return np.inf
    from ..frames import _relative_to_inertial

    mu, t_end = pb.dyn.mu, pb.t_end_s
    s_end = _kepler_rv(mu, station_rv0, np.array([t_end]), np.zeros(0), np.zeros((0, 3)))[0]
    target = _relative_to_inertial("LVLH", s_end, pb.rel6)  # as _lambert_dv, one state
    best, where = _lambert_grid_kernel(
        mu,
        target[None, :],
        grid.c1s,
        grid.cell_k,
        grid.cell_t2,
        grid.cell_m,
        grid.t1s,
        t_end,
        _IZZO_ARGS,
    )
    if not np.isfinite(best[0]):
        return np.inf
    t1_0, t2_0 = grid.t1s[grid.cell_k[where[0]]], grid.cell_t2[where[0]]
    scale = (t_end - grid.bounds[0]) / n_grid

    def at(t1, t2):
        return _lambert_at(mu, pb.rv0, target, t1, t2, t_end, grid.bounds, _IZZO_ARGS)

    def obj(x):
        tot = at(t1_0 + x[0] * scale, t2_0 + x[1] * scale)
        return 1e3 if tot == np.inf else tot

    res = minimize(
        obj,
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-9, "maxiter": 200},
    )
    tot = at(t1_0 + res.x[0] * scale, t2_0 + res.x[1] * scale)
    return at(t1_0, t2_0) if tot == np.inf or tot > best[0] else tot


def _lambert_dv(pb, prof, station_rv0, grid=12, refine=True):
    mu = pb.dyn.mu
    s_end = _kepler_rv(mu, station_rv0, np.array([pb.t_end_s]), np.zeros(0), np.zeros((0, 3)))[0]
    from ..frames import _relative_to_inertial

    target = _relative_to_inertial("LVLH", s_end, pb.rel6)
    t_min = as_duration_s(prof.earliest_burn, "earliest_burn")
    return _lambert_search(mu, pb.rv0, target, pb.t_end_s, t_min, grid, refine=refine)[0]


# The window's edges are found to this phase tolerance (rad): the step of the outward
# search (0.25 deg) halved ten times, as by the bisection this search replaced.
_EDGE_XTOL_RAD = np.deg2rad(0.25) / 2**10


def _lambert_window(pb, prof):
    """Edges (rad) of the station phase angles at insertion whose Lambert phasing fits
    the delta-v budget, or None.

    A coarse scan (2 deg, unrefined Lambert grids: :func:`_lambert_grid_min`) finds the
    cheapest phase; if its refined delta-v (:func:`_lambert_refined_dv`) is over the
    budget, a 0.25 deg scan around it finds the minimum. From that interior phase, each
    edge is bracketed by 0.25 deg steps outward and located by Brent's method (Brent
    1973, ch. 4) to ``_EDGE_XTOL_RAD``: the edge, where the delta-v reaches the budget,
    to the precision of a ten-step bisection of the last step, with ~6 evaluations
    instead of 10. Both searches are compiled versions of ``lambert._lambert_search``
    with the same results to the last bit (tests/test_launch_phase_windows.py).
    """
    from scipy.optimize import brentq

    mu = pb.dyn.mu
    el = _rv_to_elements(mu, pb.rv0[:3], pb.rv0[3:])
    rp, ra = el[0] * (1 - el[1]), el[0] * (1 + el[1])
    a_s = _rv_to_elements(mu, pb.station_rv0[:3], pb.station_rv0[3:])[0]
    budget = (1 + prof.dv_margin) * _coplanar_bound_km_s(mu, rp, ra, a_s - pb.rel6[2])
    phi_now = float(_phase_angle(pb.station_rv0, pb.rv0) % (2 * np.pi))
    n = pb.n_station

    @functools.cache  # the edge search evaluates its brackets' ends again
    def dv_at(phi):
        srv = _shift_station(mu, pb.station_rv0, phi - phi_now, n)
        return _lambert_refined_dv(pb, prof, srv)

    coarse = np.deg2rad(np.arange(0.0, 360.0, 2.0))
    stations = [_shift_station(mu, pb.station_rv0, float(p) - phi_now, n) for p in coarse]
    vals = _lambert_grid_min(pb, prof, np.array(stations), 8)
    centre = float(coarse[int(np.argmin(vals))])
    if not dv_at(centre) <= budget:
        fine = centre + np.deg2rad(np.arange(-3.0, 3.0001, 0.25))
        fvals = np.array([dv_at(float(p)) for p in fine])
        j = int(np.argmin(fvals))
        if not fvals[j] <= budget:
            return None
        centre = float(fine[j])

    def excess(phi):  # finite where no transfer exists, so that Brent can interpolate
        return min(dv_at(phi) - budget, budget)

    def edge(direction):
        inside, step = centre, np.deg2rad(0.25)
        outside = centre + direction * step
        while dv_at(outside) <= budget and abs(outside - centre) < np.pi:
            inside, outside = outside, outside + direction * step
        if dv_at(outside) <= budget:  # no edge within half a turn
            return inside
        return brentq(excess, inside, outside, xtol=_EDGE_XTOL_RAD)

    return edge(-1.0), edge(+1.0)


def _window_of(pb, prof) -> PhaseWindow:
    if prof.strategy == "coelliptic":
        lo, hi = _CoellipticModel(pb, prof.schedule).window()
    else:
        w = _lambert_window(pb, prof)
        if w is None:
            return PhaseWindow(prof.name, np.nan * u.deg, np.nan * u.deg)
        lo, hi = w
    lo_deg = np.rad2deg(lo) % 360.0
    return PhaseWindow(prof.name, lo_deg * u.deg, (lo_deg + np.rad2deg(hi - lo)) * u.deg)


def phase_angle_windows(
    insertion_orbit: State, station_orbit: State, *, profiles=None, force_model=None
) -> dict:
    r"""Window of station phase angles at insertion that each profile can fly.

    Parameters
    ----------
    insertion_orbit : State
        The chaser at insertion (its epoch is the insertion epoch).
    station_orbit : State
        The station (any epoch; propagated to the insertion epoch). Only its orbit
        matters: the windows do not depend on where the station actually is.
    profiles : iterable of str, optional
        Default: all of :data:`PROFILES`.
    force_model : ForceModel, "two-body" or None
        Only its J2 value is used (co-elliptic model); Lambert windows are two-body.

    Returns
    -------
    dict
        profile name -> :class:`PhaseWindow` (NaN bounds when no phase angle works).

    References
    ----------
    Fehse (2003), sec. 2.2.1 (phase angle at launch and launch window); Murtazin &
    Petrov (2012), "Short profile for the human spacecraft Soyuz-TMA rendezvous mission
    to the ISS", Acta Astronautica 77 (allowed phase ranges of fast profiles).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> t = Time("2026-12-01T00:00:00", scale="utc")
    >>> station = State.from_elements(t, a=6768.137 * u.km, inc=41.5 * u.deg)
    >>> chaser = State.from_altitudes(t, perigee_altitude=200 * u.km,
    ...                               apogee_altitude=380 * u.km, inc=41.5 * u.deg)
    >>> w = phase_angle_windows(chaser, station, profiles=["6.5-hour"])["6.5-hour"]
    >>> 10 < float(w.width.to_value(u.deg)) < 20
    True
    """
    names = tuple(PROFILES) if profiles is None else tuple(profiles)
    dyn = _window_dynamics(force_model)
    out = {}
    for name in names:
        prof = get_profile(name)
        pb = _setup(
            insertion_orbit,
            station_orbit,
            prof.handover_time,
            prof.handover_r_lvlh,
            prof.handover_v_lvlh,
            None,
            dyn,
        )
        out[prof.name] = _window_of(pb, prof)
    return out


def _budget_bound(pb) -> float:
    """Coplanar vis-viva bound (km/s) from the insertion orbit to the hand-over radius."""
    a, ecc = _a_ecc(pb.dyn.mu, pb.rv0)  # (_rv_to_elements' numbers)
    a_s = _semi_major_axis(pb.dyn.mu, pb.station_rv0)
    return _coplanar_bound_km_s(pb.dyn.mu, a * (1 - ecc), a * (1 + ecc), a_s - pb.rel6[2])


def _with_dynamics(pb, chaser, station, force_model):
    """``_setup(chaser, station, <pb's hand-over>, force_model)``, the set-up that
    :func:`plan_n_impulse` would make again, from ``pb`` (the same inputs set up with
    the window's dynamics): the same problem with the force model's dynamics when the
    station needs no propagation to the chaser's epoch and both dynamics share mu (so
    that the station's state, mean motion and hand-over velocity are the same numbers);
    None (plan_n_impulse sets up) otherwise."""
    if chaser.epoch is not station.epoch:
        return None
    dyn = _make_dynamics(force_model, epoch0=chaser.epoch)
    return replace(pb, dyn=dyn) if dyn.mu == pb.dyn.mu else None


def plan_phasing(
    chaser: State,
    station: State,
    profile="6.5-hour",
    *,
    strategy: str | None = None,
    force_model=None,
    propagator=None,
    correct: bool = True,
    correct_epochs: bool = False,
    n_impulses: int | None = None,
    reference: PhasingPlan | None = None,
) -> PhasingPlan:
    r"""Plan the phasing from insertion to the hand-over point of a named profile.

    Parameters
    ----------
    chaser : State
        Chaser at insertion (GCRS).
    station : State
        Station at any epoch (propagated to the insertion epoch with the force model).
    profile : str or PhasingProfile
        ``"two-day"``, ``"6.5-hour"`` (default), ``"3.5-hour"``, ``"3-hour"`` or
        ``"2-hour"``.
    strategy : {"coelliptic", "lambert", "n-impulse"}, optional
        Override the profile's strategy (same hand-over point and time).
    force_model : ForceModel, "two-body" or None
        Dynamics of the correction and of the reported arrival; None =
        ``ForceModel.default()`` (J2-J4 + drag, Qingzhou), the station flying the same
        model with Tiangong's ballistic coefficient.
    propagator : Propagator, optional
        Use this propagator (method, tolerances and force model) instead of
        ``force_model``; the station flies the same settings with Tiangong's drag.
    correct : bool
        Differential correction to 100 m / 0.1 m/s at the hand-over (default True).
    correct_epochs : bool
        Let the correction also move the burn epochs to lower the delta-v.
    n_impulses : int, optional
        For the N-impulse strategy (default the profile's).
    reference : PhasingPlan, optional
        N-impulse strategy only: re-plan near this plan (typically the nominal one)
        with a single local optimisation instead of the multi-start search, as a
        ground segment re-plans after measuring a dispersed insertion; several times
        faster. Used when the result fits the profile's delta-v budget; otherwise
        the usual window check and search follow.

    Returns
    -------
    PhasingPlan

    Raises
    ------
    UnknownNameError
        Unknown profile or strategy.
    InfeasiblePlanError
        Station phase angle at insertion outside the profile's window (the message
        names the window and the angle; for the N-impulse profiles only when the
        N-impulse optimum also exceeds the delta-v budget); hand-over before insertion.
    OrbitRangeError
        Insertion orbit re-enters (perigee below 150 km) or is not closed.
    PropagationError
        Targeting did not converge.

    References
    ----------
    Fehse (2003), ch. 2; Murtazin & Petrov (2012), Acta Astronautica 77, 77-82 (fast
    rendezvous); Baranov (1990) (multi-impulse phasing).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> t = Time("2026-12-01T00:00:00", scale="utc")
    >>> station = State.from_elements(t, a=6768.137 * u.km, inc=41.5 * u.deg, nu=12 * u.deg)
    >>> chaser = State.from_altitudes(t, perigee_altitude=200 * u.km,
    ...                               apogee_altitude=380 * u.km, inc=41.5 * u.deg)
    >>> plan = plan_phasing(chaser, station, "6.5-hour")
    >>> plan.correction.converged, len(plan.burns)
    (True, 6)
    """
    prof = get_profile(profile)
    if propagator is not None:
        force_model = propagator
    strat = prof.strategy if strategy is None else str(strategy).strip().lower()
    if strat not in STRATEGIES:
        raise UnknownNameError("phasing strategy", strat, STRATEGIES)
    common = dict(
        handover_time=prof.handover_time,
        handover_r_lvlh=prof.handover_r_lvlh,
        handover_v_lvlh=prof.handover_v_lvlh,
        force_model=force_model,
        correct=correct,
        correct_epochs=correct_epochs,
        profile=prof.name,
    )
    pb = _setup(
        chaser,
        station,
        prof.handover_time,
        prof.handover_r_lvlh,
        prof.handover_v_lvlh,
        None,
        _window_dynamics(force_model),
    )
    n_imp = n_impulses or prof.n_impulses
    if reference is not None and strat == "n-impulse" and prof.strategy != "coelliptic":
        try:
            plan = plan_n_impulse(
                chaser,
                station,
                n_impulses=n_imp,
                earliest_burn=prof.earliest_burn,
                reference=reference,
                _problem=_with_dynamics(pb, chaser, station, force_model),
                **common,
            )
        except (InfeasiblePlanError, PropagationError):
            plan = None
        if plan is not None and plan.total_dv <= (1 + prof.dv_margin) * _budget_bound(pb) * (
            u.km / u.s
        ):
            return plan
    phi = float(np.rad2deg(_phase_angle(pb.station_rv0, pb.rv0) % (2 * np.pi)))
    if prof.strategy == "coelliptic":
        w = _window_of(pb, prof)
        reason = "prograde co-elliptic sequence"
        feasible = w.contains(phi * u.deg)
    else:
        # Lambert profiles: the window is where the two-impulse optimum fits the budget.
        budget = (1 + prof.dv_margin) * _budget_bound(pb)
        dv = _lambert_dv(pb, prof, pb.station_rv0, grid=16)
        feasible = dv <= budget
        reason = f"two-impulse optimum {dv * 1e3:.1f} m/s > budget {budget * 1e3:.1f} m/s"
        if not feasible and strat == "n-impulse":
            # The window is the conservative two-impulse one (for choosing a liftoff); a
            # dispersed insertion just outside it is still flown if the N-impulse
            # optimum fits the budget.
            try:
                trial = plan_n_impulse(
                    chaser,
                    station,
                    handover_time=prof.handover_time,
                    n_impulses=n_imp,
                    handover_r_lvlh=prof.handover_r_lvlh,
                    handover_v_lvlh=prof.handover_v_lvlh,
                    earliest_burn=prof.earliest_burn,
                    force_model="two-body",
                    correct=False,
                )
                dv_n = float(trial.total_dv.to_value(u.km / u.s))
            except InfeasiblePlanError:
                dv_n = np.inf
            feasible = dv_n <= budget
            reason = f"{n_imp}-impulse optimum {dv_n * 1e3:.1f} m/s > budget {budget * 1e3:.1f} m/s"
        if not feasible:
            w = _window_of(pb, prof)
    if not feasible:
        lo_deg, hi_deg = w.lo.to_value(u.deg), w.hi.to_value(u.deg)
        if np.isfinite(lo_deg) and np.isfinite(hi_deg):
            window = f"window [{lo_deg:.2f}, {hi_deg % 360.0:.2f}] deg"
        else:
            window = "window, which is empty for this insertion orbit,"
        raise InfeasiblePlanError(
            f"station phase angle at insertion {phi:.2f} deg is outside the '{prof.name}' "
            f"profile's {window} ({reason}); choose a liftoff that puts the phase angle "
            "inside it (phase_angle_windows)",
            name="phase_angle",
            value=phi * u.deg,
            valid=(w.lo, w.hi),
        )
    if strat == "coelliptic":
        schedule = prof.schedule or CoellipticSchedule()
        return plan_coelliptic(chaser, station, schedule=schedule, optimise=prof.optimise, **common)
    if strat == "lambert":
        return plan_lambert(chaser, station, earliest_burn=prof.earliest_burn, **common)
    return plan_n_impulse(
        chaser,
        station,
        n_impulses=n_imp,
        earliest_burn=prof.earliest_burn,
        schedule=prof.schedule,
        **common,
    )
