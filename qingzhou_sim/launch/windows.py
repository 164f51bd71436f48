"""In-plane launch windows and the Kinetica-2 insertion state."""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time, TimeDelta

from ..constants import as_duration_s, as_time
from ..errors import InfeasiblePlanError, InputError
from ..state import State
from ..vehicles import KINETICA_2, QINGZHOU, LaunchVehicle
from ._kernels import _inertial_azimuth, _insertion_rv, _phase_angle, _rotating_azimuth
from .sites import LaunchSite, get_site
from .target import Target, _as_target, _teme_gcrs_matrix

__all__ = ["LaunchWindow", "LaunchWindows", "insertion_state", "launch_windows"]

# Sampling step of the pad's distance to the plane before root refinement: the two
# daily crossings near Jiuquan are ~100 min apart, so 60 s brackets every root with
# wide margins.
_SAMPLE_STEP_S = 60.0
# Brent tolerance on the crossing time, s; the final Newton step on exact positions
# brings the root to the ~1e-5 s level (validated against astropy sampling to < 0.03 s).
_ROOT_XTOL_S = 1e-4


# ------------------------------------------------------------------------ windows
@dataclass(frozen=True, slots=True)
class LaunchWindow:
    """One in-plane launch opportunity.

    Attributes
    ----------
    in_plane : Time
        The pad crosses the target's (mean, J2-regressed) plane.
    liftoff : Time
        ``in_plane`` minus the ascent lead.
    insertion : Time
        ``liftoff`` plus the vehicle's ascent duration.
    azimuth : Quantity
        Inertial launch azimuth from north, deg.
    azimuth_rotating : Quantity
        Launch azimuth relative to the rotating Earth, deg.
    direction : str
        "northbound" (ascending ground track over the pad) or "southbound".
    phase_angle : Quantity
        Station ahead of the inserted chaser, in the station's plane, [0, 360) deg.
    site : str
    cross_plane_speed : Quantity
        Speed of the pad across the plane at the crossing, km/s: a liftoff ``dt`` away
        from the window leaves the pad ``cross_plane_speed * dt`` off the plane, the
        yaw steering the launcher must fly (~0.05 km/s at Jiuquan, ~0.27 at Wenchang).
    """

    in_plane: Time
    liftoff: Time
    insertion: Time
    azimuth: u.Quantity
    azimuth_rotating: u.Quantity
    direction: str
    phase_angle: u.Quantity
    site: str
    cross_plane_speed: u.Quantity = 0.0 * (u.km / u.s)

    def to_dict(self) -> dict:
        """Plain data: ISO-8601 UTC strings ending in 'Z' and floats (JSON-ready)."""

        def iso(t: Time) -> str:
            return t.utc.isot + "Z"

        return {
            "site": self.site,
            "in_plane_utc": iso(self.in_plane),
            "liftoff_utc": iso(self.liftoff),
            "insertion_utc": iso(self.insertion),
            "azimuth_deg": float(self.azimuth.to_value(u.deg)),
            "azimuth_rotating_deg": float(self.azimuth_rotating.to_value(u.deg)),
            "direction": self.direction,
            "phase_angle_deg": float(self.phase_angle.to_value(u.deg)),
            "cross_plane_speed_km_s": float(self.cross_plane_speed.to_value(u.km / u.s)),
        }

    def __str__(self) -> str:
        return (
            f"{self.site} {self.direction} window: liftoff {self.liftoff.utc.isot}Z, in plane "
            f"{self.in_plane.utc.isot}Z, azimuth {self.azimuth.to_value(u.deg):.2f} deg inertial "
            f"({self.azimuth_rotating.to_value(u.deg):.2f} deg rotating), station phase "
            f"{self.phase_angle.to_value(u.deg):.1f} deg ahead at insertion "
            f"{self.insertion.utc.isot}Z"
        )


@dataclass(frozen=True, slots=True)
class LaunchWindows:
    """The in-plane windows of a site over a span, in time order."""

    windows: tuple[LaunchWindow, ...]
    site: LaunchSite
    target: Target
    vehicle: LaunchVehicle
    start: Time
    stop: Time

    def __len__(self) -> int:
        return len(self.windows)

    def __iter__(self):
        return iter(self.windows)

    def __getitem__(self, k: int) -> LaunchWindow:
        return self.windows[k]

    def to_dicts(self) -> list[dict]:
        """One :meth:`LaunchWindow.to_dict` per window."""
        return [w.to_dict() for w in self.windows]

    def to_dataframe(self):
        """A pandas DataFrame, one row per window (epochs as UTC ISO strings)."""
        import pandas as pd

        cols = [
            "site",
            "in_plane_utc",
            "liftoff_utc",
            "insertion_utc",
            "azimuth_deg",
            "azimuth_rotating_deg",
            "direction",
            "phase_angle_deg",
            "cross_plane_speed_km_s",
        ]
        return pd.DataFrame(self.to_dicts(), columns=cols)

    def summary(self) -> str:
        """A fixed-width table of the windows."""
        head = (
            f"{'liftoff (UTC)':<24} {'in plane (UTC)':<24} {'az [deg]':>8} {'az rot':>7} "
            f"{'direction':<10} {'phase [deg]':>11}"
        )
        rows = [
            f"{w.liftoff.utc.isot + 'Z':<24} {w.in_plane.utc.isot + 'Z':<24} "
            f"{w.azimuth.to_value(u.deg):8.2f} {w.azimuth_rotating.to_value(u.deg):7.2f} "
            f"{w.direction:<10} {w.phase_angle.to_value(u.deg):11.2f}"
            for w in self.windows
        ]
        return "\n".join([head, "-" * len(head), *rows])

    def __str__(self) -> str:
        return (
            f"{len(self)} launch windows from {self.site.name} into {self.target.name} "
            f"between {self.start.utc.isot}Z and {self.stop.utc.isot}Z "
            f"({self.vehicle.name})\n{self.summary()}"
        )


def _check_reachable(site: LaunchSite, target: Target) -> None:
    inc = np.rad2deg(target.mean_elements[2])
    reach = min(inc, 180.0 - inc)
    lat_c = np.rad2deg(site.geocentric_lat_rad(target.earth))
    if abs(lat_c) >= reach:
        raise InfeasiblePlanError(
            f"launch site {site.name} at latitude {site.lat_deg:.4f} deg (geocentric "
            f"{lat_c:.4f} deg) never crosses the plane of {target.name} (inclination "
            f"{inc:.4f} deg): there is no in-plane window; the smallest plane error, at the "
            f"plane's northernmost point, is {abs(lat_c) - reach:.4f} deg of yaw steering "
            f"(dogleg). Expected |geocentric latitude| < {reach:.4f} deg",
            name="site",
            value=site.lat_deg,
            valid=f"|geocentric latitude| < {reach:.4f} deg",
        )


def _samples(start: Time, span_s: float) -> tuple[np.ndarray, Time]:
    """The search's sample times (s after ``start``) and epochs: every 60 s, one step
    beyond both ends so that the spline is accurate at the edges."""
    n = int(np.ceil(span_s / _SAMPLE_STEP_S))
    t = np.linspace(-_SAMPLE_STEP_S, (n + 1) * _SAMPLE_STEP_S, n + 3)
    return t, start + TimeDelta(t * u.s)


def _crossings(site: LaunchSite, target: Target, start: Time, span_s: float) -> np.ndarray:
    """Seconds after ``start`` at which the pad crosses the mean plane, refined."""
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq

    t, epochs = _samples(start, span_s)
    dt0 = float((start - target.epoch).to_value(u.s))
    r_site = site.gcrs_km(epochs, target.earth)
    spline = CubicSpline(t, r_site, axis=0)
    # TEME -> GCRS drifts by precession-nutation only (< 2e-6 rad per week): one matrix
    # at mid-span moves a crossing by < 0.02 s.
    mat = _teme_gcrs_matrix(start + TimeDelta(0.5 * span_s * u.s))

    def dist(ts):
        return np.einsum("...i,...i->...", target._normal_at_s(dt0 + ts, mat), spline(ts))

    d = dist(t)
    idx = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) <= 0)
    roots = []
    for k in idx:
        if d[k] == 0 and k > 0 and roots and abs(roots[-1] - t[k]) < 1e-6:
            continue
        roots.append(brentq(lambda x: float(dist(x)), t[k], t[k + 1], xtol=_ROOT_XTOL_S))
    roots = np.unique(np.asarray(roots, float))
    if roots.size == 0:
        return roots
    # One Newton step on the exact positions and plane normals removes the (sub-mm)
    # spline error and the mid-span matrix's precession-nutation drift (~1 mm in 12 h).
    at_roots = start + TimeDelta(roots * u.s)
    r_exact = site.gcrs_km(at_roots, target.earth)
    h = target._normal_at_s(dt0 + roots, _teme_gcrs_matrix(at_roots))
    d_exact = np.einsum("...i,...i->...", h, r_exact)
    eps = 0.5
    slope = (dist(roots + eps) - dist(roots - eps)) / (2 * eps)
    roots = roots - d_exact / slope
    return roots[(roots >= 0.0) & (roots <= span_s)]


# Longest span searched in one call: one month (~3 s of search, 60 s samples of astropy
# Earth orientation); longer spans are split by the caller.
MAX_SPAN_HOURS = 744.0


def launch_windows(
    start,
    duration: u.Quantity,
    *,
    target=None,
    site="jiuquan",
    vehicle: LaunchVehicle = KINETICA_2,
    ascent_lead: u.Quantity | None = None,
    payload_mass: u.Quantity | None = None,
) -> LaunchWindows:
    r"""In-plane launch windows of a site into the target's plane over a span.

    The pad's inertial position (ITRS -> GCRS through astropy, IAU 2006/2000A with IERS
    Earth orientation) is sampled every 60 s; its signed distance to the target's mean
    plane (node regressing at the J2 rate) is bracketed at each sign change and solved
    with Brent's method to 1e-4 s, then polished with one Newton step on exact astropy
    positions.

    Parameters
    ----------
    start : Time or aware datetime or ISO string ending in 'Z'
        Start of the span (in-plane instants are searched in [start, start + duration]).
    duration : Quantity (time)
        Length of the span, > 0.
    target : Target or State, optional
        The station; default :func:`nominal_tiangong`.
    site : str or LaunchSite
        Default "jiuquan".
    vehicle : LaunchVehicle
        Provides the default ascent lead, the ascent duration and the insertion orbit.
    ascent_lead : Quantity (time), optional
        Liftoff precedes the in-plane instant by this; default the site's practice,
        ``-site.liftoff_offset_s`` (Jiuquan 0 s, Wenchang 300 s; see ``SITES``).
    payload_mass : Quantity (mass), optional
        Checked against the vehicle's capability; default Qingzhou's launch mass.

    Returns
    -------
    LaunchWindows

    Raises
    ------
    InputError
        Duration not in (0, ``MAX_SPAN_HOURS``] (744 h), naive datetime, negative ascent lead, payload too heavy.
    UnknownNameError
        Unknown site name.
    InfeasiblePlanError
        The site's latitude exceeds the plane's inclination (message gives the minimum
        plane error to be flown as yaw steering).

    References
    ----------
    Launch azimuth: cos i = cos(lat) sin(beta), Napier's rule for the right spherical
    triangle node - pad - meridian foot (ORBITERWIKI-AZ).
    Node regression: Vallado (2013), eq. 9-41.

    Examples
    --------
    >>> import astropy.units as u
    >>> w = launch_windows("2026-12-01T00:00:00Z", 24 * u.hour)
    >>> len(w), w[0].direction in ("northbound", "southbound")
    (2, True)
    """
    start = as_time(start, "start")
    if not start.isscalar:
        raise InputError("start must be a scalar epoch", name="start", value=start.shape)
    span_s = as_duration_s(duration, "duration")
    if not 0 < span_s <= MAX_SPAN_HOURS * 3600:
        raise InputError(
            f"duration {span_s / 3600:.6g} h is {'not positive' if span_s <= 0 else 'too long'}; expected "
            f"0 h < duration <= {MAX_SPAN_HOURS:g} h (one month, a few seconds of search; split longer spans)",
            name="duration",
            value=span_s,
            valid=f"(0, {MAX_SPAN_HOURS:g}] h",
        )
    target = _as_target(target)
    site = get_site(site)
    vehicle.check_payload(QINGZHOU.mass_kg * u.kg if payload_mass is None else payload_mass)
    # The site's practice sets the liftoff relative to the crossing (Jiuquan: at it,
    # Wenchang: half an ascent before it); an explicit lead overrides it.
    lead_s = (
        -site.liftoff_offset_s if ascent_lead is None else as_duration_s(ascent_lead, "ascent_lead")
    )
    if ascent_lead is not None and lead_s < 0:
        raise InputError(
            f"ascent_lead {lead_s} s is negative; expected >= 0 s",
            name="ascent_lead",
            value=lead_s,
            valid=">= 0 s",
        )
    _check_reachable(site, target)

    stop = start + TimeDelta(span_s * u.s)
    roots = _crossings(site, target, start, span_s)
    if roots.size == 0:
        if span_s >= 86400.0:
            raise InfeasiblePlanError(
                f"no in-plane window from {site.name} into {target.name} in "
                f"{span_s / 3600:.1f} h: the pad's latitude is too close to the plane's "
                "inclination to cross it; a launch needs yaw steering",
                name="site",
                value=site.lat_deg,
            )
        return LaunchWindows((), site, target, vehicle, start, stop)

    in_plane = start + TimeDelta(roots * u.s)
    liftoff = in_plane - TimeDelta(lead_s * u.s)
    insertion = liftoff + TimeDelta(vehicle.ascent_duration_s * u.s)

    # Ground-track direction at the crossing: the station's in-plane velocity
    # direction at the pad's position, h x r, heading north or south.
    r_cross = site.gcrs_km(in_plane, target.earth)
    h_cross = target.plane_normal(in_plane)
    r_pm = site.gcrs_km(in_plane[:, None] + TimeDelta([-1.0, 1.0] * u.s), target.earth)
    v_cross = 0.5 * (r_pm[:, 1] - r_pm[:, 0])  # central difference over +-1 s, km/s
    cross_speed = np.abs(np.einsum("...i,...i->...", h_cross, v_cross))
    northbound = np.cross(h_cross, r_cross)[..., 2] > 0
    # The spherical relation holds for the geocentric latitude of the pad (the plane
    # passes through the geocentre; the geodetic latitude would be ~1 deg off near the
    # vertex of the ground track at Jiuquan, 40.96 deg geodetic = 40.77 deg geocentric)
    # and for the inclination over the Earth's true equator of date, not GCRS's: 25
    # years of precession tilt the two by up to ~0.15 deg, ~0.5 deg of azimuth here.
    from ..frames import _gcrs_itrs_kernel

    h_itrs = _gcrs_itrs_kernel(in_plane, h_cross * 1e4, None, to_itrs=True)[0] / 1e4
    inc_of_date = np.arccos(np.clip(h_itrs[..., 2], -1.0, 1.0))
    beta = _inertial_azimuth(site.geocentric_lat_rad(target.earth), inc_of_date, northbound)
    ea = target.earth
    rp, ra = vehicle.insertion_radii_km(ea)
    v_orbit = np.sqrt(ea.mu_km3_s2 * (2.0 / rp - 2.0 / (rp + ra)))
    v_site = ea.omega_rad_s * np.linalg.norm(site.itrs_km(ea)[:2])
    beta_rot = _rotating_azimuth(beta, v_orbit, v_site)

    r_ins, _ = _insertion_vectors(site, target, vehicle, liftoff, insertion)
    r_tgt, v_tgt = target._rv_at(insertion)
    phase = _phase_angle(r_ins, r_tgt, np.cross(r_tgt, v_tgt))

    windows = tuple(
        LaunchWindow(
            in_plane=in_plane[k],
            liftoff=liftoff[k],
            insertion=insertion[k],
            azimuth=np.rad2deg(beta[k]) * u.deg,
            azimuth_rotating=np.rad2deg(beta_rot[k]) * u.deg,
            direction="northbound" if northbound[k] else "southbound",
            phase_angle=np.rad2deg(phase[k]) * u.deg,
            site=site.name,
            cross_plane_speed=cross_speed[k] * (u.km / u.s),
        )
        for k in range(roots.size)
    )
    return LaunchWindows(windows, site, target, vehicle, start, stop)


def _insertion_vectors(site, target, vehicle, liftoff: Time, insertion: Time):
    ea = target.earth
    r_site = site.gcrs_km(liftoff, ea)
    h_hat = target.plane_normal(insertion)
    rp, ra = vehicle.insertion_radii_km(ea)
    return _insertion_rv(
        ea.mu_km3_s2, r_site, h_hat, np.deg2rad(vehicle.downrange_angle_deg), rp, ra
    )


def insertion_state(
    liftoff,
    target=None,
    *,
    site="jiuquan",
    vehicle: LaunchVehicle = KINETICA_2,
) -> State:
    r"""The chaser's GCRS state at insertion for a liftoff time (Kinetica-2 model).

    Insertion happens ``vehicle.ascent_duration_s`` after liftoff, at the perigee of
    the nominal insertion orbit (``insertion_perigee_km`` x ``insertion_apogee_km``),
    ``downrange_angle_deg`` ahead (in the direction of motion) of the pad's liftoff
    position projected into the launcher's plane. That plane is the one the launcher
    reaches from the pad: the planes through the pad at liftoff (azimuth choice), the
    closest at asin(pad distance to the target plane / radius) from the target's mean
    plane at the insertion epoch, yaw-steered up to 1 deg toward the target plane
    (``launch._kernels._YAW_STEERING_RAD``, an assumption). The chaser keeps what is
    left as its plane error, and the phase that goes with it: zero in a launch window
    (Jiuquan's pad is ~2 km off the plane 40 s from the crossing, Wenchang's 80 km 300
    s before it), growing for liftoffs hours away from one. Dispersions are not applied
    (see ``vehicle.insertion_covariance_lvlh``).

    Insertion orbit: Kinetica-2's is unpublished; Qingzhou is assumed to get 200 x
    380 km at 41.5 deg (``vehicles.KINETICA_2``, mission-facts sec. 5 default), between
    Long March 7's Tianzhou insertions (200 x 394 km, CGWIC-LM7) and Long March 2F's
    Shenzhou-21 insertion (200 x 363 km at 41.5 deg, Beijing Aerospace Control Center,
    31 Oct 2025).

    Parameters
    ----------
    liftoff : Time or aware datetime or ISO string ending in 'Z' (scalar)
    target : Target or State, optional
        Default :func:`nominal_tiangong`.
    site : str or LaunchSite
    vehicle : LaunchVehicle

    Returns
    -------
    State

    Raises
    ------
    InputError
        Naive datetime or non-scalar liftoff; unknown site (UnknownNameError).

    References
    ----------
    Fehse (2003), ch. 2 (launch into the target plane, insertion and phasing).

    Examples
    --------
    >>> s = insertion_state("2026-12-01T05:00:00Z")
    >>> round(float(s.perigee_altitude.to_value(u.km)), 6)
    200.0
    """
    liftoff = as_time(liftoff, "liftoff")
    if not liftoff.isscalar:
        raise InputError(
            f"liftoff must be a scalar epoch, got shape {liftoff.shape}",
            name="liftoff",
            value=liftoff.shape,
        )
    target = _as_target(target)
    site = get_site(site)
    insertion = liftoff + TimeDelta(vehicle.ascent_duration_s * u.s)
    r, v = _insertion_vectors(site, target, vehicle, liftoff, insertion)
    return State.from_vectors(insertion, r, v)
