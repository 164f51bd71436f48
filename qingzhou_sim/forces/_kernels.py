r"""Force kernels: parameter layout, atmosphere tables, ephemerides, the one RHS.

Plain float64 in km, km/s, km/s^2, s, rad and kg (densities in kg/m^3); no astropy.
Sources are cited on each kernel; see :mod:`qingzhou_sim.forces` for the overview.

Maintenance note: numba's on-disk cache of a function is invalidated only by changes
to the contents of its own source file, not to the functions it calls. The
propagator's kernels inline these, so ``qingzhou_sim/__init__.py`` names the cache
folder by a hash of this file (and the other callee modules it lists): editing it
starts a fresh cache. A ``NUMBA_CACHE_DIR`` set by the user is used as it is.

Kernels are compiled with ``error_model="numpy"``: a division by zero gives inf or NaN
(caught by the finiteness checks, reported as :class:`PropagationError`) instead of
raising inside compiled code, and the loops over samples vectorise.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# --------------------------------------------------------------------------- parameter layout
P_MU = 0
P_RE = 1
P_J2 = 2
P_J3 = 3
P_J4 = 4
P_DEGREE = 5  # 0 = point mass only, else maximum zonal degree (2..4)
P_OMEGA = 6
P_FLAT = 7
P_DRAG = 8  # 1.0 when drag is on
P_DRAG_K = 9  # 0.5 * cd * A / m * density_scale * 1000  (km^-1 per kg/m^3)
P_ATM = 10  # 1 = exponential (Vallado), 2 = Harris-Priester
P_HP_N = 11
P_HP_LAG = 12
P_SUN = 13
P_MOON = 14
P_JD0 = 15  # Julian date (TT) of t = 0, for the Sun and Moon
P_GM_SUN = 16
P_GM_MOON = 17
# Unit vector of the Earth's rotation axis in GCRS (the CIP at t = 0) and its rate
# (1/s): the axis of the zonal field, of the ellipsoid and of the co-rotating
# atmosphere is k(t) = k0 + t dk/dt (see _pole_at).
P_POLE_X = 18
P_POLE_Y = 19
P_POLE_Z = 20
P_POLE_DX = 21
P_POLE_DY = 22
P_POLE_DZ = 23
N_PARAMS = 24

# GM of the Sun and the Moon (DE405 values, Montenbruck & Gill 2000, Table 3.1 / sec. 3.3).
GM_SUN_KM3_S2 = 1.32712440018e11
GM_MOON_KM3_S2 = 4902.800066

# Vallado (2013), Table 8-4: base altitude h0 [km], nominal density rho0 [kg/m^3],
# scale height H [km]. rho = rho0 exp(-(h - h0) / H) in the band starting at h0.
_EXP_H0 = np.array(
    [0.0, 25.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0, 120.0, 130.0, 140.0,
     150.0, 180.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 600.0, 700.0, 800.0,
     900.0, 1000.0]
)  # fmt: skip
_EXP_RHO0 = np.array(
    [1.225, 3.899e-2, 1.774e-2, 3.972e-3, 1.057e-3, 3.206e-4, 8.770e-5, 1.905e-5, 3.396e-6,
     5.297e-7, 9.661e-8, 2.438e-8, 8.484e-9, 3.845e-9, 2.070e-9, 5.464e-10, 2.789e-10,
     7.248e-11, 2.418e-11, 9.518e-12, 3.725e-12, 1.585e-12, 6.967e-13, 1.454e-13, 3.614e-14,
     1.170e-14, 5.245e-15, 3.019e-15]
)  # fmt: skip
_EXP_H = np.array(
    [7.249, 6.349, 6.682, 7.554, 8.382, 7.714, 6.549, 5.799, 5.382, 5.877, 7.263, 9.473,
     12.636, 16.149, 22.523, 29.740, 37.105, 45.546, 53.628, 53.298, 58.515, 60.828, 63.822,
     71.835, 88.667, 124.64, 181.05, 268.00]
)  # fmt: skip

# Montenbruck & Gill (2000), Table 3.8: Harris-Priester minimum (night) and maximum
# (bulge apex) densities in g/km^3 (= 1e-12 kg/m^3) for mean solar activity.
_HP_H = np.array(
    [100.0, 120.0, 130.0, 140.0, 150.0, 160.0, 170.0, 180.0, 190.0, 200.0, 210.0, 220.0,
     230.0, 240.0, 250.0, 260.0, 270.0, 280.0, 290.0, 300.0, 320.0, 340.0, 360.0, 380.0,
     400.0, 420.0, 440.0, 460.0, 480.0, 500.0, 520.0, 540.0, 560.0, 580.0, 600.0, 620.0,
     640.0, 660.0, 680.0, 700.0, 720.0, 740.0, 760.0, 780.0, 800.0, 840.0, 880.0, 920.0,
     960.0, 1000.0]
)  # fmt: skip
_HP_MIN = np.array(
    [497400.0, 24900.0, 8377.0, 3899.0, 2122.0, 1263.0, 800.8, 528.3, 361.7, 255.7, 183.9,
     134.1, 99.49, 74.88, 57.09, 44.03, 34.30, 26.97, 21.39, 17.08, 10.99, 7.214, 4.824,
     3.274, 2.249, 1.558, 1.091, 0.7701, 0.5474, 0.3916, 0.2819, 0.2042, 0.1488, 0.1092,
     0.08070, 0.06012, 0.04519, 0.03430, 0.02632, 0.02043, 0.01607, 0.01281, 0.01036,
     0.008496, 0.007069, 0.004680, 0.003200, 0.002210, 0.001560, 0.001150]
)  # fmt: skip
_HP_MAX = np.array(
    [497400.0, 24900.0, 8710.0, 4059.0, 2215.0, 1344.0, 875.8, 601.0, 429.7, 316.2, 239.6,
     185.3, 145.5, 115.7, 93.08, 75.55, 61.82, 50.95, 42.26, 35.26, 25.11, 18.19, 13.37,
     9.955, 7.492, 5.684, 4.355, 3.362, 2.612, 2.042, 1.605, 1.267, 1.005, 0.7997, 0.6390,
     0.5123, 0.4121, 0.3325, 0.2691, 0.2185, 0.1779, 0.1452, 0.1190, 0.09776, 0.08059,
     0.05741, 0.04210, 0.03130, 0.02360, 0.01810]
)  # fmt: skip

_ARCSEC = math.pi / (180.0 * 3600.0)
_DEG = math.pi / 180.0
# Obliquity of the ecliptic at J2000 (Montenbruck & Gill 2000, eq. 3.39).
_EPS_J2000 = 23.43929111 * _DEG


# --------------------------------------------------------------------------- kernels
# The helpers that only compiled code calls: numba builds no Python or C-callable
# wrapper for them (less code to compile on a first run).
_internal = njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)


@_internal
def _ellipsoid_altitude(
    x: float, y: float, z: float, radius_km: float, flattening: float, px=0.0, py=0.0, pz=1.0
):
    """Height above the reference ellipsoid to first order in the flattening (km).

    h = |r| - R (1 - f sin^2 phi), phi the geocentric latitude (about the pole
    (px, py, pz)); the neglected O(f^2 R) terms are below 50 m, far below the
    uncertainty of any density model.
    """
    rn = math.sqrt(x * x + y * y + z * z)
    s = (x * px + y * py + z * pz) / rn
    return rn - radius_km * (1.0 - flattening * s * s)


@_internal
def _bracket(table, x: float) -> int:
    """The index ``lo`` of the interval ``table[lo] <= x < table[lo + 1]`` of an
    ascending table, by bisection (``x`` below the first entry gives 0, at or above
    the last ``len(table) - 2``)."""
    lo = 0
    hi = table.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if table[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@_internal
def _exp_band(h_km: float) -> int:
    """The band of Vallado's (2013) Table 8-4 that holds ``h_km``: the sea-level band
    below 0 km, the last band from its base up."""
    n = _EXP_H0.shape[0]
    if h_km >= _EXP_H0[n - 1]:
        return n - 1
    if h_km > 0.0:
        return _bracket(_EXP_H0, h_km)
    return 0


@njit(cache=True, error_model="numpy")
def _density_exponential(h_km: float) -> float:
    """Vallado (2013), Table 8-4 piecewise exponential density (kg/m^3).

    Below 0 km the sea-level band is used; above 1000 km the last band continues.
    """
    k = _exp_band(h_km)
    return _EXP_RHO0[k] * math.exp(-(h_km - _EXP_H0[k]) / _EXP_H[k])


@njit(cache=True, error_model="numpy")
def _sun_position(jd_tt: float):
    """Low-precision geocentric Sun position (km), mean equator and equinox of J2000.

    Montenbruck & Gill (2000), sec. 3.3.2, eq. 3.43-3.46; about 0.1-1 % accuracy.
    """
    t = (jd_tt - 2451545.0) / 36525.0
    m = (357.5256 + 35999.049 * t) * _DEG
    lam = (
        (282.9400 * _DEG)
        + m
        + (6892.0 * _ARCSEC) * math.sin(m)
        + (72.0 * _ARCSEC) * math.sin(2.0 * m)
    )
    r = (149.619 - 2.499 * math.cos(m) - 0.021 * math.cos(2.0 * m)) * 1.0e6
    ce = math.cos(_EPS_J2000)
    se = math.sin(_EPS_J2000)
    return r * math.cos(lam), r * math.sin(lam) * ce, r * math.sin(lam) * se


@njit(cache=True, error_model="numpy")
def _moon_position(jd_tt: float):
    """Low-precision geocentric Moon position (km), mean equator and equinox of J2000.

    Montenbruck & Gill (2000), sec. 3.3.2, eq. 3.47-3.49 (Brown's theory, truncated);
    a few arcminutes in longitude, about 500 km in distance.
    """
    t = (jd_tt - 2451545.0) / 36525.0
    l0 = (218.31617 + 481267.88088 * t - 1.3972 * t) * _DEG
    l = (134.96292 + 477198.86753 * t) * _DEG
    lp = (357.52543 + 35999.04944 * t) * _DEG
    f = (93.27283 + 483202.01873 * t) * _DEG
    d = (297.85027 + 445267.11135 * t) * _DEG
    lam = l0 + _ARCSEC * (
        22640.0 * math.sin(l)
        + 769.0 * math.sin(2.0 * l)
        - 4586.0 * math.sin(l - 2.0 * d)
        + 2370.0 * math.sin(2.0 * d)
        - 668.0 * math.sin(lp)
        - 412.0 * math.sin(2.0 * f)
        - 212.0 * math.sin(2.0 * l - 2.0 * d)
        - 206.0 * math.sin(l + lp - 2.0 * d)
        + 192.0 * math.sin(l + 2.0 * d)
        - 165.0 * math.sin(lp - 2.0 * d)
        + 148.0 * math.sin(l - lp)
        - 125.0 * math.sin(d)
        - 110.0 * math.sin(l + lp)
        - 55.0 * math.sin(2.0 * f - 2.0 * d)
    )
    beta = _ARCSEC * (
        18520.0
        * math.sin(f + lam - l0 + _ARCSEC * (412.0 * math.sin(2.0 * f) + 541.0 * math.sin(lp)))
        - 526.0 * math.sin(f - 2.0 * d)
        + 44.0 * math.sin(l + f - 2.0 * d)
        - 31.0 * math.sin(-l + f - 2.0 * d)
        - 25.0 * math.sin(-2.0 * l + f)
        - 23.0 * math.sin(lp + f - 2.0 * d)
        + 21.0 * math.sin(-l + f)
        + 11.0 * math.sin(-lp + f - 2.0 * d)
    )
    r = (
        385000.0
        - 20905.0 * math.cos(l)
        - 3699.0 * math.cos(2.0 * d - l)
        - 2956.0 * math.cos(2.0 * d)
        - 570.0 * math.cos(2.0 * l)
        + 246.0 * math.cos(2.0 * l - 2.0 * d)
        - 205.0 * math.cos(lp - 2.0 * d)
        - 171.0 * math.cos(l + 2.0 * d)
        - 152.0 * math.cos(l + lp - 2.0 * d)
    )
    ce = math.cos(_EPS_J2000)
    se = math.sin(_EPS_J2000)
    xe = r * math.cos(lam) * math.cos(beta)
    ye = r * math.sin(lam) * math.cos(beta)
    ze = r * math.sin(beta)
    return xe, ce * ye - se * ze, se * ye + ce * ze


@_internal
def _bulge_apex(jd_tt: float, lag_rad: float):
    """Unit vector of the Harris-Priester bulge apex: the Sun's declination, its right
    ascension plus the lag (Montenbruck & Gill 2000, eq. 3.103)."""
    sx, sy, sz = _sun_position(jd_tt)
    ra = math.atan2(sy, sx)
    dec = math.atan2(sz, math.sqrt(sx * sx + sy * sy))
    cd = math.cos(dec)
    return cd * math.cos(ra + lag_rad), cd * math.sin(ra + lag_rad), math.sin(dec)


@_internal
def _hp_min_max(lo: int, h_km: float):
    """Harris-Priester's antapex and apex densities at ``h_km`` from the table's band
    ``lo`` (g/km^3 as tabulated), each exponential between the band's nodes, and their
    scale heights (km): (rho_min, rho_max, H_min, H_max) (Montenbruck & Gill 2000,
    sec. 3.5.2, eq. 3.99-3.104 and Table 3.8)."""
    dh = _HP_H[lo + 1] - _HP_H[lo]
    hmin = dh / math.log(_HP_MIN[lo] / _HP_MIN[lo + 1])
    hmax = dh / math.log(_HP_MAX[lo] / _HP_MAX[lo + 1])
    rho_min = _HP_MIN[lo] * math.exp((_HP_H[lo] - h_km) / hmin)
    rho_max = _HP_MAX[lo] * math.exp((_HP_H[lo] - h_km) / hmax)
    return rho_min, rho_max, hmin, hmax


@_internal
def _density_hp_apex(
    x: float, y: float, z: float, h_km: float, ebx: float, eby: float, ebz: float, n_exp: float
) -> float:
    """Harris-Priester density (kg/m^3) for a given bulge-apex direction (see
    :func:`_density_harris_priester`)."""
    nh = _HP_H.shape[0]
    if h_km >= _HP_H[nh - 1]:
        return 0.0
    lo = _bracket(_HP_H, h_km if h_km > _HP_H[0] else _HP_H[0])
    rho_min, rho_max, _, _ = _hp_min_max(lo, h_km)
    rn = math.sqrt(x * x + y * y + z * z)
    c_psi = (x * ebx + y * eby + z * ebz) / rn
    c2 = 0.5 + 0.5 * c_psi
    if c2 < 0.0:
        c2 = 0.0
    cosn = c2 ** (0.5 * n_exp)
    return (rho_min + (rho_max - rho_min) * cosn) * 1.0e-12


@njit(cache=True, error_model="numpy")
def _density_harris_priester(
    x: float, y: float, z: float, h_km: float, jd_tt: float, n_exp: float, lag_rad: float
) -> float:
    """Harris-Priester density (kg/m^3) with the diurnal bulge.

    Montenbruck & Gill (2000), sec. 3.5.2, eq. 3.99-3.104 and Table 3.8: exponential
    interpolation of the minimum and maximum densities in height, blended by
    cos^n(psi/2) of the angle psi between the satellite and the bulge apex, which lags
    the Sun by ``lag_rad`` in right ascension. Zero above 1000 km.
    """
    ebx, eby, ebz = _bulge_apex(jd_tt, lag_rad)
    return _density_hp_apex(x, y, z, h_km, ebx, eby, ebz, n_exp)


@_internal
def _drag_accel(x, y, z, vx, vy, vz, p, ebx, eby, ebz, px, py, pz):
    """Drag acceleration (km/s^2) relative to the co-rotating atmosphere
    (Vallado 2013, eq. 8-28, 8-29); (ebx, eby, ebz) is the bulge apex when the
    atmosphere is Harris-Priester (unused otherwise). The atmosphere turns with the
    Earth about the pole (px, py, pz)."""
    h = _ellipsoid_altitude(x, y, z, p[P_RE], p[P_FLAT], px, py, pz)
    if p[P_ATM] == 2.0:
        rho = _density_hp_apex(x, y, z, h, ebx, eby, ebz, p[P_HP_N])
    else:
        rho = _density_exponential(h)
    w = p[P_OMEGA]
    # v_rel = v - w pole x r
    vrx = vx - w * (py * z - pz * y)
    vry = vy - w * (pz * x - px * z)
    vrz = vz - w * (px * y - py * x)
    vr = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    k = -p[P_DRAG_K] * rho * vr
    return k * vrx, k * vry, k * vrz


@_internal
def _pole_at(t, p):
    """The Earth's axis at t: k0 + t dk/dt, linear over an arc. Precession and nutation
    curve it by less than 0.1 arcsec over a day, and an arc split at a burn gets the
    same axis as the whole arc to second order in the split time (no jump at burns).
    Exactly (0, 0, 1) for the GCRS z axis (zero rate)."""
    return (
        p[P_POLE_X] + t * p[P_POLE_DX],
        p[P_POLE_Y] + t * p[P_POLE_DY],
        p[P_POLE_Z] + t * p[P_POLE_DZ],
    )


@_internal
def _apex_of(t, p):
    """Bulge apex at t seconds after the epoch of p (zeros unless Harris-Priester drag)."""
    if p[P_DRAG] != 0.0 and p[P_ATM] == 2.0:
        return _bulge_apex(p[P_JD0] + t / 86400.0, p[P_HP_LAG])
    return 0.0, 0.0, 0.0


@_internal
def _zonal_accel(mu, re, j2, j3, j4, degree, px, py, pz, x, y, z):
    r"""Point mass plus zonal J2..J``degree`` acceleration (km/s^2), a tuple (ax, ay, az).

    With k = (px, py, pz) the unit vector of the Earth's axis and s = r.k / r, the
    gradient of U_n = -mu J_n R^n r^-(n+1) P_n(s) is
    a_n = mu J_n R^n / r^(n+2) [((n+1) P_n + s P_n') r_hat - P_n' k]
    (Montenbruck & Gill 2000, eq. 3.7 restricted to m = 0; Vallado 2013, eq. 8-19).
    With k = (0, 0, 1) every operation gives the bits of the z-axis formula.
    """
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    ir = 1.0 / rn
    k0 = -mu * ir * ir * ir
    ax = k0 * x
    ay = k0 * y
    az = k0 * z
    if degree >= 2:
        s = (x * px + y * py + z * pz) * ir
        s2 = s * s
        q = re * ir
        base = mu * ir * ir  # mu / r^2
        # n = 2
        qn = q * q
        p = 1.5 * s2 - 0.5
        dp = 3.0 * s
        c = base * j2 * qn
        cr = c * (3.0 * p + s * dp)
        cz = c * dp
        if degree >= 3:
            qn = qn * q
            p = 2.5 * s2 * s - 1.5 * s
            dp = 7.5 * s2 - 1.5
            c = base * j3 * qn
            cr += c * (4.0 * p + s * dp)
            cz += c * dp
        if degree >= 4:
            qn = qn * q
            p = (35.0 * s2 * s2 - 30.0 * s2 + 3.0) / 8.0
            dp = (35.0 * s2 * s - 15.0 * s) / 2.0
            c = base * j4 * qn
            cr += c * (5.0 * p + s * dp)
            cz += c * dp
        ax += cr * x * ir - cz * px
        ay += cr * y * ir - cz * py
        az += cr * z * ir - cz * pz
    return ax, ay, az


@_internal
def _third_body(gm, sx, sy, sz, x, y, z):
    """Third-body point-mass perturbation (Montenbruck & Gill 2000, eq. 3.37), km/s^2."""
    dx = sx - x
    dy = sy - y
    dz = sz - z
    d3 = (dx * dx + dy * dy + dz * dz) ** 1.5
    s3 = (sx * sx + sy * sy + sz * sz) ** 1.5
    return gm * (dx / d3 - sx / s3), gm * (dy / d3 - sy / s3), gm * (dz / d3 - sz / s3)


@njit(cache=True, error_model="numpy")
def _rhs_into(t, y, p, out):
    """Right-hand side dy/dt of y = [r (km), v (km/s)] at t seconds after the epoch of
    ``p[P_JD0]``, written into ``out`` (6,). One kernel for every :class:`ForceModel`."""
    x = y[0]
    yy = y[1]
    z = y[2]
    px, py, pz = _pole_at(t, p)
    ax, ay, az = _zonal_accel(
        p[P_MU], p[P_RE], p[P_J2], p[P_J3], p[P_J4], int(p[P_DEGREE]), px, py, pz, x, yy, z
    )
    if p[P_DRAG] != 0.0:
        ebx, eby, ebz = _apex_of(t, p)
        dx, dy, dz = _drag_accel(x, yy, z, y[3], y[4], y[5], p, ebx, eby, ebz, px, py, pz)
        ax += dx
        ay += dy
        az += dz
    if p[P_SUN] != 0.0 or p[P_MOON] != 0.0:
        jd = p[P_JD0] + t / 86400.0
        if p[P_SUN] != 0.0:
            sx, sy, sz = _sun_position(jd)
            bx, by, bz = _third_body(p[P_GM_SUN], sx, sy, sz, x, yy, z)
            ax += bx
            ay += by
            az += bz
        if p[P_MOON] != 0.0:
            sx, sy, sz = _moon_position(jd)
            bx, by, bz = _third_body(p[P_GM_MOON], sx, sy, sz, x, yy, z)
            ax += bx
            ay += by
            az += bz
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = ax
    out[4] = ay
    out[5] = az


@njit(cache=True, error_model="numpy")
def _rhs(t, y, p):
    """Allocating form of :func:`_rhs_into`: returns dy/dt (6,)."""
    out = np.empty(6)
    _rhs_into(t, y, p, out)
    return out


@njit(cache=True, error_model="numpy")
def _rhs_many(t, ys, p):
    """:func:`_rhs` over a batch of states (n, 6) at one time."""
    out = np.empty_like(ys)
    for i in range(ys.shape[0]):
        _rhs_into(t, ys[i], p, out[i])
    return out
