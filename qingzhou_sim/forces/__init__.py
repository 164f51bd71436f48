r"""Force models: declarative settings and the one compiled right-hand side.

Modules: ``_kernels`` (numba kernels and tables), ``models`` (settings). A
:class:`ForceModel` is frozen, plain data (what a mission file stores). Its
:meth:`ForceModel.build` method turns it into a float64 parameter array ``p``; the single
numba kernel :func:`_rhs` ``(t_s, y, p) -> dy/dt`` reads the flags in ``p`` and evaluates
every term. One compiled function serves every force model, so numba's on-disk cache is
hit whatever the settings (no closures, no per-model recompilation).

Kernels work in km, km/s, km/s^2, s, rad and kg; densities in kg/m^3.

Terms and sources
-----------------
- point mass: Newton.
- zonal harmonics J2..J4: gradient of the zonal geopotential,
  Vallado (2013), eq. 8-19 (potential) and eq. 8-30 (J2 acceleration);
  Montenbruck & Gill (2000), eq. 3.7 with the Legendre polynomials of sec. 3.2;
  about the Earth's true rotation axis of the epoch (:func:`earth_pole_gcrs`, the
  IAU 2006/2000A CIP, once per propagation), the axis the launch and ground-track code
  get from astropy's ITRS; ``ForceModel(pole="gcrs-z")`` puts it on the GCRS z axis.
- drag with an atmosphere co-rotating with the Earth: Vallado (2013), eq. 8-28 and 8-29;
  Montenbruck & Gill (2000), eq. 3.97-3.98.
- atmospheres: :class:`ExponentialAtmosphere` (Vallado 2013, Table 8-4) and
  :class:`HarrisPriester` (Montenbruck & Gill 2000, sec. 3.5.2, Table 3.8).
- third bodies: Montenbruck & Gill (2000), eq. 3.37 with the low-precision Sun and Moon
  series of sec. 3.3.2 (eq. 3.38 and 3.47).
"""

from ._kernels import (  # noqa: F401  (kernel names used by the propagator and tests)
    _EXP_H,
    _EXP_H0,
    _EXP_RHO0,
    _HP_H,
    _HP_MAX,
    _HP_MIN,
    GM_MOON_KM3_S2,
    GM_SUN_KM3_S2,
    N_PARAMS,
    P_ATM,
    P_DEGREE,
    P_DRAG,
    P_DRAG_K,
    P_FLAT,
    P_GM_MOON,
    P_GM_SUN,
    P_HP_LAG,
    P_HP_N,
    P_J2,
    P_J3,
    P_J4,
    P_JD0,
    P_MOON,
    P_MU,
    P_OMEGA,
    P_POLE_DX,
    P_POLE_DY,
    P_POLE_DZ,
    P_POLE_X,
    P_POLE_Y,
    P_POLE_Z,
    P_RE,
    P_SUN,
    _apex_of,
    _bulge_apex,
    _density_exponential,
    _density_harris_priester,
    _density_hp_apex,
    _drag_accel,
    _ellipsoid_altitude,
    _moon_position,
    _pole_at,
    _rhs,
    _rhs_into,
    _rhs_many,
    _sun_position,
    _third_body,
    _zonal_accel,
)
from .models import (
    POLES,
    THIRD_BODIES,
    Drag,
    ExponentialAtmosphere,
    ForceModel,
    HarrisPriester,
    PointMass,
    ThirdBody,
    ZonalGravity,
    build_rhs,
    density_kg_m3,
    earth_pole_gcrs,
    moon_position_km,
    sun_position_km,
    zonal_potential,
)

__all__ = [
    "POLES",
    "THIRD_BODIES",
    "Drag",
    "ExponentialAtmosphere",
    "ForceModel",
    "HarrisPriester",
    "PointMass",
    "ThirdBody",
    "ZonalGravity",
    "build_rhs",
    "density_kg_m3",
    "earth_pole_gcrs",
    "moon_position_km",
    "sun_position_km",
    "zonal_potential",
]
