"""Kernels of :mod:`qingzhou_sim.launch`: plain float64 arrays in km, km/s, s, rad.

No astropy objects here (STYLE sec. 1): plane normals, J2 secular rates, Kepler's
equation, launch azimuths, the insertion state and the phase angle.
"""

from __future__ import annotations

import numpy as np


def _plane_normal(inc: np.ndarray, raan: np.ndarray) -> np.ndarray:
    """Unit angular-momentum direction of an orbit plane, (..., 3) (Vallado eq. 2-86)."""
    inc, raan = np.broadcast_arrays(np.asarray(inc, float), np.asarray(raan, float))
    si = np.sin(inc)
    return np.stack([si * np.sin(raan), -si * np.cos(raan), np.cos(inc)], axis=-1)


def _secular_rates(
    mu: float, radius: float, j2: float, a: float, ecc: float, inc: float
) -> tuple[float, float, float]:
    """J2 secular rates (raan_dot, argp_dot, mean-anomaly dot), rad/s.

    References
    ----------
    Vallado (2013), eq. 9-41.
    """
    n = np.sqrt(mu / a**3)
    p = a * (1.0 - ecc**2)
    k = j2 * (radius / p) ** 2
    si2 = np.sin(inc) ** 2
    raan_dot = -1.5 * n * k * np.cos(inc)
    argp_dot = 0.75 * n * k * (4.0 - 5.0 * si2)
    m_dot = n * (1.0 + 0.75 * k * np.sqrt(1.0 - ecc**2) * (2.0 - 3.0 * si2))
    return float(raan_dot), float(argp_dot), float(m_dot)


def _kepler_nu(mean_anomaly: np.ndarray, ecc: float) -> np.ndarray:
    """True anomaly from mean anomaly (Newton on Kepler's equation, Vallado Alg. 2)."""
    m = np.asarray(mean_anomaly, float)
    e_anom = m + ecc * np.sin(m)
    for _ in range(8):
        e_anom = e_anom - (e_anom - ecc * np.sin(e_anom) - m) / (1.0 - ecc * np.cos(e_anom))
    return 2.0 * np.arctan2(
        np.sqrt(1 + ecc) * np.sin(e_anom / 2), np.sqrt(1 - ecc) * np.cos(e_anom / 2)
    )


def _mean_anomaly(nu: float, ecc: float) -> float:
    e_anom = 2.0 * np.arctan2(np.sqrt(1 - ecc) * np.sin(nu / 2), np.sqrt(1 + ecc) * np.cos(nu / 2))
    return float(e_anom - ecc * np.sin(e_anom))


def _inertial_azimuth(lat: float, inc: float, northbound: np.ndarray) -> np.ndarray:
    """Inertial launch azimuth from north, rad: sin(beta) = cos(i) / cos(lat).

    References
    ----------
    ORBITERWIKI-AZ (Napier's rule, right spherical triangle node - pad -
    foot of the pad's meridian on the equator).
    """
    beta = np.arcsin(np.clip(np.cos(inc) / np.cos(lat), -1.0, 1.0))
    return np.where(northbound, beta, np.pi - beta)


def _rotating_azimuth(beta: np.ndarray, v_orbit: float, v_site: float) -> np.ndarray:
    """Azimuth relative to the rotating Earth: subtract the pad's eastward speed from
    the inertial velocity at insertion (ORBITERWIKI-AZ, "rotating-Earth" correction)."""
    east = v_orbit * np.sin(beta) - v_site
    north = v_orbit * np.cos(beta)
    return np.arctan2(east, north) % (2 * np.pi)


# Yaw steering of the launcher toward the target plane during the ascent: 1 deg, an
# assumption (unpublished for Kinetica-2) covering the ~0.7 deg that Long March 7 flies
# from Wenchang 300 s before the crossing (80 km at 270 m/s of cross-plane drift;
# Tianzhou-2 still arrived in the station's plane, TZ2).
_YAW_STEERING_RAD = np.deg2rad(1.0)


def _insertion_rv(
    mu: float, r_site: np.ndarray, h_hat: np.ndarray, downrange: float, rp: float, ra: float
) -> tuple[np.ndarray, np.ndarray]:
    """Chaser at the perigee of an (rp, ra) orbit ``downrange`` rad ahead of the pad's
    liftoff position projected into the launcher's plane. (..., 3) km and km/s.

    The launcher's plane: from the pad it can reach the planes through the pad
    (azimuth choice), the closest to the target plane ``h_hat`` being at the angle
    asin(h_hat . r_site / |r_site|), and yaw-steers during the ascent by up to
    ``_YAW_STEERING_RAD`` toward the target plane. The rest is the insertion's plane
    error, kept by the chaser (zero within a launch window; a liftoff hours off the
    window inserts off the station's plane)."""
    p_hat = r_site / np.linalg.norm(r_site, axis=-1, keepdims=True)
    sin_err = np.einsum("...i,...i->...", h_hat, p_hat)
    err = np.arcsin(np.clip(np.abs(sin_err), 0.0, 1.0))
    closest = h_hat - sin_err[..., None] * p_hat
    closest = closest / np.linalg.norm(closest, axis=-1, keepdims=True)
    left = np.maximum(err - _YAW_STEERING_RAD, 0.0)
    # the plane at the angle ``left`` from the target plane toward the closest one
    sin_e = np.where(left > 0, np.sin(err), 1.0)
    tilted = (np.sin(err - left) / sin_e)[..., None] * h_hat + (np.sin(left) / sin_e)[
        ..., None
    ] * closest
    h_hat = np.where((left > 0)[..., None], tilted, h_hat)
    p = r_site - np.einsum("...i,...i->...", r_site, h_hat)[..., None] * h_hat
    p_hat = p / np.linalg.norm(p, axis=-1, keepdims=True)
    r_hat = p_hat * np.cos(downrange) + np.cross(h_hat, p_hat) * np.sin(downrange)
    a = 0.5 * (rp + ra)
    vp = np.sqrt(mu * (2.0 / rp - 1.0 / a))
    return rp * r_hat, vp * np.cross(h_hat, r_hat)


def _phase_angle(r_chaser: np.ndarray, r_target: np.ndarray, h_target: np.ndarray) -> np.ndarray:
    """Angle from the chaser to the target about the target's angular momentum, in the
    target plane, rad in [0, 2 pi)."""
    h_hat = h_target / np.linalg.norm(h_target, axis=-1, keepdims=True)
    c = r_chaser - np.einsum("...i,...i->...", r_chaser, h_hat)[..., None] * h_hat
    sin_ = np.einsum("...i,...i->...", np.cross(c, r_target), h_hat)
    cos_ = np.einsum("...i,...i->...", c, r_target)
    return np.arctan2(sin_, cos_) % (2 * np.pi)


def _tle_checksum(line: str) -> int:
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10
