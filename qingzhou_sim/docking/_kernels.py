r"""Compiled kernels of the docking approach: truth translation plant, CW guidance
model, the old loop's sensor noise law, main-engine burn execution, speed schedule (the
six-degree-of-freedom loop that uses them is :mod:`qingzhou_sim.docking.loop`; the
safety monitor :mod:`~qingzhou_sim.docking.safety`).

Plain float64 in km, km/s, s, rad, kg; no astropy. Everything runs inside numba so that
a whole approach (hand-over to contact, ~10^3-10^4 GNC steps) costs milliseconds.

Relative states are in the station's LVLH frame (Fehse 2003, sec. 3.1): x V-bar,
y H-bar (= -orbit normal), z R-bar (toward the Earth), velocities seen in the rotating
frame. The *truth* is two absolute states (station and chaser) integrated with a
fixed-step RK4 under two-body + J2 + drag, never the CW model the guidance uses.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP: ch. 3 (CW
equations, eqs. 3.22-3.25), ch. 4 (safety, CAM), ch. 5-6 (GNC, navigation sensors).
Vallado, D. (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed.:
eq. 8-30 (drag), Table 8-4 (exponential atmosphere).
Hablani, Tapper & Dana-Bashian (2002), J. Guid. Control Dyn. 25(3): glideslope and
impulsive proximity-operations control.
"""

from __future__ import annotations

import math
import types
from typing import NamedTuple

import numpy as np
from numba import njit
from numba import types as nb_types
from numba.np.random.distributions import random_standard_normal

from ..relative._kernels import _cw_stm_fill

__all__: list[str] = []

G0_KM_S2 = 9.80665e-3

# The decorator of a part of the loop called from one place: numba inlines it into its
# caller before compiling (``inline="always"``) instead of compiling it separately,
# linking it into the caller and letting LLVM optimise it again there, at every level
# of the call tree (that re-optimisation was most of the first run's compile time).
# Called from Python, such a function compiles (and is cached) as usual. Inlining
# everything into run_segment was slower still (104 s against 68 s of CPU on the loaded
# machine): LLVM's cost grows faster than the size of one function, so the parts with
# their own closures (the filter's update and time update, sensors, guidance, control,
# safety) stay compiled functions.
_inlined = njit(cache=True, inline="always", error_model="numpy")

# The decorator of a private kernel called only from other compiled functions: numba
# builds no Python entry point (``no_cpython_wrapper``) or C callback (``no_cfunc_wrapper``)
# for it. Those wrappers (argument unboxing and boxing, one more function to optimise)
# were about a third of a small kernel's compilation, ~0.08 s each (issue 16). Such a
# kernel cannot be called from Python (the interpreter would crash): only private
# functions (a leading underscore) that no Python code calls take it.
KERNEL_OPTIONS = dict(
    cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True
)
_kernel = njit(**KERNEL_OPTIONS)

# The decorator of a private kernel that allocates nothing and returns no array (only
# scalars or tuples of scalars; its results go into arrays it is given): compiled
# without numba's reference counting (``_nrt=False``), which otherwise increments and
# decrements each array argument on entry and exit of every call (~10-15 % of the
# loop's time, issue 16). numba refuses to compile an allocation in such a kernel; an
# array it returned would be counted by its caller without having been counted here,
# so it must not return one (or a view of one). Called only from compiled code, as
# :data:`_kernel`.
LEAF_OPTIONS = dict(KERNEL_OPTIONS, _nrt=False)
_leaf = njit(**LEAF_OPTIONS)

# numba compiles a callee with its caller's reference-counting flag unless the callee
# sets its own: a kernel that allocates and is called from a :data:`_leaf` (a rare
# branch of the loop: a transfer burn, the CAM, ...) says so with this decorator.
_kernel_alloc = njit(**KERNEL_OPTIONS, _nrt=True)


def _signed(signature, **options):
    """``njit(signature, **options)``: one compiled copy whatever literals its callers
    pass (numba compiles one copy per literal argument otherwise), compiled when its
    module is imported, as numba does with a signature; except while a first run
    executes the kernels as Python (:func:`qingzhou_sim._jit.first_run`), which needs
    no compiled copy (one is compiled, for its callers' types, if compiled code calls
    it)."""
    from .._jit import python_tier_active

    def decorate(func):
        if python_tier_active():
            return njit(**options)(func)
        return njit(signature, **options)(func)

    return decorate


def _kernel_of(public, inline=False):
    """The kernel of a public compiled function, for compiled callers: the same Python
    function compiled again as ``_<name>`` with :data:`KERNEL_OPTIONS` (no Python entry
    points; its own cache entry). The public function keeps its entry points for Python
    callers and is compiled only when Python calls it, so the loop's first compilation
    builds no wrappers it never runs. With ``inline``, ``_<name>_inline``, inlined into
    its one caller (as :data:`_inlined`): one compiled function fewer."""
    f = public.py_func
    name = "_" + f.__name__ + ("_inline" if inline else "")
    g = types.FunctionType(f.__code__, f.__globals__, name, f.__defaults__, f.__closure__)
    g.__qualname__ = name
    g.__module__ = f.__module__
    g.__doc__ = f.__doc__
    if inline:
        return njit(cache=True, inline="always", error_model="numpy")(g)
    return njit(**KERNEL_OPTIONS)(g)


# Event codes written by the loop (decoded in simulate.py).
EV_AE_ENTRY = 1
EV_AE_EXIT = 2
EV_KOS_ENTRY = 3
EV_KOS_EXIT = 4
EV_BURN = 5
EV_PASSIVE = 6
EV_CAM = 7
EV_ABORT = 8
EV_CONTACT = 9
EV_GATE = 10

# Abort reasons.
AB_NONE = 0
AB_CORRIDOR = 1
AB_KOS_OUTSIDE_CORRIDOR = 2
AB_PASSIVE = 3
AB_NAV_CROSSCHECK = 4
AB_GATE = 5
AB_AE_ENTRY = 6
AB_TIMEOUT = 7
AB_PROPELLANT = 8
AB_TRACKING = 9
AB_COLLISION = 10

# Segment status.
ST_DONE = 0
ST_CONTACT = 1
ST_ABORT = 2

# Guidance modes.
MODE_TRANSFER = 0
MODE_HOLD = 1
MODE_STRAIGHT = 2
MODE_DRIFT = 3

# History columns (the loop appends the attitude ones): t, true rel (6), estimate (6),
# dv commanded (3), dv applied (3), mass.
H_T = 0
H_TRUE = 1
H_EST = 7
H_DVC = 13
H_DVA = 16
H_MASS = 19
MAX_EVENTS = 256

# Vallado (2013), Table 8-4: base altitude (km), nominal density (kg/m^3), scale height (km).
_ATM = np.array(
    [
        [150.0, 2.070e-9, 22.523],
        [180.0, 5.464e-10, 29.740],
        [200.0, 2.789e-10, 37.105],
        [250.0, 7.248e-11, 45.546],
        [300.0, 2.418e-11, 53.628],
        [350.0, 9.518e-12, 53.298],
        [400.0, 3.725e-12, 58.515],
        [450.0, 1.585e-12, 60.828],
        [500.0, 6.967e-13, 63.822],
        [600.0, 1.454e-13, 71.835],
        [700.0, 3.614e-14, 88.667],
        [800.0, 1.170e-14, 124.64],
        [900.0, 5.245e-15, 181.05],
        [1000.0, 3.019e-15, 268.00],
    ]
)


class Cfg(NamedTuple):
    """Every scalar setting of the loop, in kernel units (built by simulate.py)."""

    n: float  # guidance mean motion, rad/s
    r_curv: float  # station radius for curvilinear guidance, km (0: rectilinear)
    mu: float
    re: float
    j2: float
    we: float
    drag_on: float
    dens_scale_st: float
    dens_scale_ch: float
    bc_st: float  # station m/(Cd A), kg/m^2
    cda_ch: float  # chaser Cd A, m^2
    plant_step: float  # s
    noise_on: float
    gnss_range: float  # km: relative GNSS beyond
    cam_range: float  # km: camera inside
    sg_gnss: float  # km
    sg_rad_a: float  # km
    sg_rad_b: float  # fraction of range
    sg_cam_a: float
    sg_cam_b: float
    sg_vel0: float  # initial velocity sigma km/s
    q_a: float  # process-noise accel floor, km/s^2
    q_b: float  # accel per km of range, km/s^2 / km
    mon_scale: float
    xchk_k: float
    xchk_abs: float  # km
    xchk_n: float
    bias_x: float
    bias_y: float
    bias_z: float
    bias_t0: float
    f_main: float  # N
    f_rcs: float  # N per axis
    mib: float  # N s
    quantum: float  # N s
    isp: float  # s
    mag_sig: float
    pnt_sig: float  # rad
    exec_on: float
    stuck_t0: float
    stuck_t1: float
    prop_min: float  # kg: dry mass
    kos: float  # km
    ae_a: float
    ae_b: float
    ae_c: float
    cor_tan: float
    cor_rmin: float  # km
    ae_ax: float
    ae_ay: float
    ae_az: float
    ae_cos: float
    ps_horizon: float  # s
    ps_step: float  # s
    ps_enforce: float  # s
    cam_dv: float  # km/s
    gate: float  # km
    gate_lat: float  # km
    gate_latrate: float  # km/s
    vmin: float  # km/s
    vmax: float  # km/s
    ax: float  # docking axis (outward, unit)
    ay: float
    az: float
    px: float  # CoM target offset c = port + arm * axis, km
    py: float
    pz: float
    track_abs: float  # km
    track_rel: float
    collide: float  # km: CoM distance counted as a collision outside the final approach

    def array(self) -> np.ndarray:
        """The settings as the compiled kernels take them: a float64 array in field
        order, read with the index constants ``CF_*`` (one flat array instead of a
        70-field tuple, which numba unpacks into 70 arguments at every call)."""
        return np.array(self, dtype=np.float64)


# Index constants of ``Cfg.array()`` (field order of :class:`Cfg`).
CF_N = 0
CF_R_CURV = 1
CF_MU = 2
CF_RE = 3
CF_J2 = 4
CF_WE = 5
CF_DRAG_ON = 6
CF_DENS_SCALE_ST = 7
CF_DENS_SCALE_CH = 8
CF_BC_ST = 9
CF_CDA_CH = 10
CF_PLANT_STEP = 11
CF_NOISE_ON = 12
CF_GNSS_RANGE = 13
CF_CAM_RANGE = 14
CF_SG_GNSS = 15
CF_SG_RAD_A = 16
CF_SG_RAD_B = 17
CF_SG_CAM_A = 18
CF_SG_CAM_B = 19
CF_SG_VEL0 = 20
CF_Q_A = 21
CF_Q_B = 22
CF_MON_SCALE = 23
CF_XCHK_K = 24
CF_XCHK_ABS = 25
CF_XCHK_N = 26
CF_BIAS_X = 27
CF_BIAS_Y = 28
CF_BIAS_Z = 29
CF_BIAS_T0 = 30
CF_F_MAIN = 31
CF_F_RCS = 32
CF_MIB = 33
CF_QUANTUM = 34
CF_ISP = 35
CF_MAG_SIG = 36
CF_PNT_SIG = 37
CF_EXEC_ON = 38
CF_STUCK_T0 = 39
CF_STUCK_T1 = 40
CF_PROP_MIN = 41
CF_KOS = 42
CF_AE_A = 43
CF_AE_B = 44
CF_AE_C = 45
CF_COR_TAN = 46
CF_COR_RMIN = 47
CF_AE_AX = 48
CF_AE_AY = 49
CF_AE_AZ = 50
CF_AE_COS = 51
CF_PS_HORIZON = 52
CF_PS_STEP = 53
CF_PS_ENFORCE = 54
CF_CAM_DV = 55
CF_GATE = 56
CF_GATE_LAT = 57
CF_GATE_LATRATE = 58
CF_VMIN = 59
CF_VMAX = 60
CF_AX = 61
CF_AY = 62
CF_AZ = 63
CF_PX = 64
CF_PY = 65
CF_PZ = 66
CF_TRACK_ABS = 67
CF_TRACK_REL = 68
CF_COLLIDE = 69
CF_LEN = 70

for _i, _name in enumerate(Cfg._fields):
    if globals()["CF_" + _name.upper()] != _i:
        raise RuntimeError(f"CF_{_name.upper()} does not match Cfg's field order")


class Seg(NamedTuple):
    """Guidance of one segment."""

    mode: int
    dt: float
    n_max: int
    final: int
    tgt: np.ndarray  # (6,) target state (CoM, LVLH) for transfer / hold
    burn_steps: np.ndarray  # int (k,): retargeting steps; last = arrival
    line0: np.ndarray  # (3,) start of the straight line (CoM)
    line_u: np.ndarray  # (3,) unit direction of motion
    line_len: float  # km
    sched_d: np.ndarray  # distance to go, km (ascending)
    sched_v: np.ndarray  # speed, km/s
    tau_p: float
    tau_v: float
    deadband: float  # km/s
    settle_tol: float  # km; <= 0: hold for the full duration
    min_time: float  # s: earliest end of a hold "until settled"
    check_passive: int


# ------------------------------------------------------------------ small linear algebra
@_leaf
def _norm3(a):
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


@_leaf
def _dist3(a, b):
    """``_norm3(_vsub(a[:3], b[:3]))`` without the temporary (the same operations)."""
    d0 = a[0] - b[0]
    d1 = a[1] - b[1]
    d2 = a[2] - b[2]
    return math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)


@_kernel
def _cross(a, b):
    out = np.empty(3)
    out[0] = a[1] * b[2] - a[2] * b[1]
    out[1] = a[2] * b[0] - a[0] * b[2]
    out[2] = a[0] * b[1] - a[1] * b[0]
    return out


# numba's ``@`` calls BLAS, whose per-call overhead is many times the arithmetic of a
# 3 x 3 product; the loop does dozens per step, so they are written out.
# A slice assignment (``a[i:j] = b``, ``a[i:j] += b``) compiles numba's general
# broadcasting code (shape checks, error paths) at every site; the loop's many small
# ones use these plain loops instead (less code for LLVM to optimise at first run).
# Explicit signatures: the offsets are literals at the call sites, and numba would
# otherwise compile one copy per literal (15 in the loop).
@_signed("void(float64[:], int64, float64[:])", **LEAF_OPTIONS)
def _put(dst, i0, src):
    """``dst[i0 : i0 + len(src)] = src`` for 1-D arrays."""
    for j in range(src.shape[0]):
        dst[i0 + j] = src[j]


@_signed("void(float64[:], int64, float64[:])", **LEAF_OPTIONS)
def _add(dst, i0, src):
    """``dst[i0 : i0 + len(src)] += src`` for 1-D arrays."""
    for j in range(src.shape[0]):
        dst[i0 + j] += src[j]


# Array expressions (``a + b``, ``s * a`` on arrays) compile numba's broadcasting
# machinery into every function that has one (~40 ms of compilation each, and more
# code for LLVM at every level above it); the loop's small vectors use these.
@_kernel
def _vadd(a, b):
    """``a + b`` for 1-D arrays of one length."""
    out = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]
    return out


@_kernel
def _vsub(a, b):
    """``a - b`` for 1-D arrays of one length."""
    out = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i] - b[i]
    return out


@_kernel
def _vscale(a, s):
    """``a * s`` for a 1-D array and a scalar."""
    out = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i] * s
    return out


@_kernel
def _vdiv(a, s):
    """``a / s`` for a 1-D array and a scalar."""
    out = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i] / s
    return out


@_kernel
def _mv3(m, v):
    """``m @ v`` for a (3, 3) matrix and a (3,) vector."""
    out = np.empty(3)
    for i in range(3):
        out[i] = m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2]
    return out


@_kernel
def _mtv3(m, v):
    """``m.T @ v`` for a (3, 3) matrix and a (3,) vector."""
    out = np.empty(3)
    for i in range(3):
        out[i] = m[0, i] * v[0] + m[1, i] * v[1] + m[2, i] * v[2]
    return out


# --------------------------------------------------------------------------- CW model
@njit(cache=True, error_model="numpy")
def _cw_stm_nb(n, t):
    """CW state-transition matrix in LVLH at one time (Fehse 2003, eq. 3.25): the
    relative-motion kernel :func:`qingzhou_sim.relative._kernels._cw_stm_fill`."""
    out = np.empty((1, 6, 6))
    _cw_stm_fill(n, np.array([t]), out)
    return out[0]


@_kernel
def _cw_accel(n, x):
    """CW acceleration of the free motion (Fehse 2003, eq. 3.22), (3,) km/s^2."""
    a = np.empty(3)
    a[0] = 2.0 * n * x[5]
    a[1] = -n * n * x[1]
    a[2] = -2.0 * n * x[3] + 3.0 * n * n * x[2]
    return a


@njit(cache=True, error_model="numpy")
def _two_impulse_nb(n, x0, xf, tof, max_cond=100.0):
    """First and second impulse of the CW two-impulse transfer x0 -> xf in ``tof`` s
    (Fehse 2003, sec. 3.3.4), in-plane (x, z) and out-of-plane (y) blocks solved
    separately. ``ok`` is False near the singular transfer times (multiples of the
    period in-plane); at multiples of half a period the out-of-plane rate is kept."""
    p = _cw_stm_nb(n, tof)
    dv1 = np.zeros(3)
    dv2 = np.zeros(3)
    # in-plane: [x, z](t) = A [x0, z0] + B [vx0, vz0] + (coupling of y: none in CW)
    b00 = p[0, 3]
    b01 = p[0, 5]
    b10 = p[2, 3]
    b11 = p[2, 5]
    det = b00 * b11 - b01 * b10
    # condition number of the dimensionless in-plane block (n * Phi_rv): large near
    # whole periods, where the arrival height hardly depends on the first impulse
    s1 = (b00 * b00 + b01 * b01 + b10 * b10 + b11 * b11) * n * n
    dn = abs(det) * n * n
    smax2 = 0.5 * (s1 + math.sqrt(max(s1 * s1 - 4.0 * dn * dn, 0.0)))
    if dn == 0.0 or smax2 / dn > max_cond:
        return dv1, dv2, False
    rx = xf[0] - (p[0, 0] * x0[0] + p[0, 2] * x0[2])
    rz = xf[2] - (p[2, 0] * x0[0] + p[2, 2] * x0[2])
    v0 = x0[3:].copy()
    v0[0] = (b11 * rx - b01 * rz) / det
    v0[2] = (-b10 * rx + b00 * rz) / det
    # near half-periods y(t) = -y0 whatever the rate: keep the rate (holds null it)
    if abs(p[1, 4] * n) > 0.25:
        v0[1] = (xf[1] - p[1, 1] * x0[1]) / p[1, 4]
    xs = np.empty(6)
    for i in range(3):
        xs[i] = x0[i]
        xs[3 + i] = v0[i]
    arr = np.zeros(6)
    for i in range(6):
        for j in range(6):
            arr[i] += p[i, j] * xs[j]
    return _vsub(v0, x0[3:]), _vsub(xf[3:], arr[3:]), True


@njit(cache=True, error_model="numpy")
def _coast_costs(n, c0, cf, tof, coasts):
    """Total delta-v (km/s) of a free CW coast of ``coasts[i]`` s from ``c0``, then the
    two-impulse transfer to ``cf`` in ``tof`` s (:func:`_two_impulse_nb`); inf where
    the transfer is singular. One compiled call for the planner's whole search."""
    out = np.empty(coasts.shape[0])
    for i in range(coasts.shape[0]):
        p = _cw_stm_nb(n, coasts[i])
        xc = np.zeros(6)
        for r in range(6):
            for c in range(6):
                xc[r] += p[r, c] * c0[c]
        d1, d2, ok = _two_impulse_nb(n, xc, cf, tof, 100.0)
        out[i] = _norm3(d1) + _norm3(d2) if ok else np.inf
    return out


@njit(cache=True, error_model="numpy")
def _to_curv(x, rr):
    """Rectilinear LVLH state -> curvilinear (cylindrical) LVLH state about the
    station's radius ``rr`` (km): X = rr * theta along the orbit, Z = rr - rho below
    it, same rotating frame. CW is far more accurate in these coordinates at tens of
    km along-track, where the rectilinear frame's curvature error x^2 / 2a is
    hundreds of metres (e.g. Vallado 2013, sec. 6.8; Fehse 2003, sec. 3.2.2)."""
    xx = x[0]
    zz = rr - x[2]
    rho = math.sqrt(xx * xx + zz * zz)
    th = math.atan2(xx, zz)
    rhod = (xx * x[3] - zz * x[5]) / rho
    thd = (zz * x[3] + xx * x[5]) / (rho * rho)
    out = np.empty(6)
    out[0] = rr * th
    out[1] = x[1]
    out[2] = rr - rho
    out[3] = rr * thd
    out[4] = x[4]
    out[5] = -rhod
    return out


@_kernel
def _dv_curv_to_rect(dvc, xc, rr):
    """Impulse given in curvilinear components at the curvilinear state ``xc`` ->
    rectilinear LVLH components."""
    th = xc[0] / rr
    rho = rr - xc[2]
    s = math.sin(th)
    c = math.cos(th)
    drhod = -dvc[2]
    dthd = dvc[0] / rr
    out = np.empty(3)
    out[0] = drhod * s + rho * dthd * c
    out[1] = dvc[1]
    out[2] = -drhod * c + rho * dthd * s
    return out


@_kernel
def _two_impulse_curv(n, rr, x0, xf, tof, max_cond=100.0):
    """First impulse (rectilinear LVLH, km/s) of the CW two-impulse transfer solved in
    curvilinear coordinates (:func:`_to_curv`); ``rr <= 0`` solves it rectilinear."""
    if rr <= 0.0:
        d1, d2, ok = _two_impulse_nb(n, x0, xf, tof, max_cond)
        return d1, ok
    c0 = _to_curv(x0, rr)
    cf = _to_curv(xf, rr)
    d1, _, ok = _two_impulse_nb(n, c0, cf, tof, max_cond)
    if not ok:
        return d1, ok
    return _dv_curv_to_rect(d1, c0, rr), ok


@njit(cache=True, error_model="numpy")
def _passive(n, x, horizon, step, kos, enforce=1e300):
    """Free drift of the LVLH state ``x`` under CW for ``horizon`` s.

    Returns (min range after leaving the keep-out sphere [km], time of it [s],
    unsafe flag, unsafe-within-``enforce``-seconds flag). If the drift starts inside
    the sphere, the minimum is taken after the first exit; re-entering it (or never
    leaving) is unsafe (Fehse 2003, sec. 4.3).
    """
    m = int(horizon / step) + 1
    p1 = _cw_stm_nb(n, step)
    y = x.copy()
    y1 = np.empty(6)
    # squared ranges in the loop (sqrt is monotonic: the same minimum, one sqrt)
    kos2 = kos * kos
    exited = _norm3(y[:3]) >= kos
    rmin2 = 1e300
    tmin = 0.0
    unsafe = False
    unsafe_enf = False
    for k in range(m):
        rng2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2]
        if not exited:
            if rng2 >= kos2:
                exited = True
        if exited:
            if rng2 < rmin2:
                rmin2 = rng2
                tmin = k * step
            if rng2 < kos2:
                unsafe = True
                if k * step <= enforce:
                    unsafe_enf = True
        for i in range(6):
            acc = 0.0
            for j in range(6):
                acc += p1[i, j] * y[j]
            y1[i] = acc
        y, y1 = y1, y
    rmin = math.sqrt(rmin2) if rmin2 < 1e300 else 1e300
    if not exited:
        unsafe = True
        unsafe_enf = True
        rmin = _norm3(x[:3])
    return rmin, tmin, unsafe, unsafe_enf


# ------------------------------------------------------------------------ truth plant
@_leaf
def _density(h):
    """Exponential atmosphere (Vallado 2013, Table 8-4), kg/m^3."""
    i = 0
    for k in range(_ATM.shape[0]):
        if h >= _ATM[k, 0]:
            i = k
    return _ATM[i, 1] * math.exp(-(h - _ATM[i, 0]) / _ATM[i, 2])


@_leaf
def _accel(rv, bc, dscale, cfg, out):
    """Two-body + J2 (Vallado 2013, eq. 8-37) + drag with a co-rotating atmosphere
    (Vallado 2013, eq. 8-30), km/s^2, into ``out[3:6]`` (``out[:3]`` = velocity:
    ``out`` is the state derivative)."""
    x, y, z = rv[0], rv[1], rv[2]
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    mur3 = cfg[CF_MU] / (r2 * r)
    ax = -mur3 * x
    ay = -mur3 * y
    az = -mur3 * z
    if cfg[CF_J2] != 0.0:
        k = 1.5 * cfg[CF_J2] * cfg[CF_MU] * cfg[CF_RE] * cfg[CF_RE] / (r2 * r2 * r)
        f = 5.0 * z * z / r2
        ax += k * x * (f - 1.0)
        ay += k * y * (f - 1.0)
        az += k * z * (f - 3.0)
    if cfg[CF_DRAG_ON] != 0.0 and bc > 0.0:
        vrx = rv[3] + cfg[CF_WE] * y
        vry = rv[4] - cfg[CF_WE] * x
        vrz = rv[5]
        vr = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        rho = dscale * _density(r - cfg[CF_RE])
        # 0.5 rho v^2 / BC with v in km/s -> m/s (1e6), result m/s^2 -> km/s^2 (1e-3).
        d = 0.5e3 * rho * vr / bc
        ax -= d * vrx
        ay -= d * vry
        az -= d * vrz
    out[0] = rv[3]
    out[1] = rv[4]
    out[2] = rv[5]
    out[3] = ax
    out[4] = ay
    out[5] = az


@_inlined
def _rk4_into(rv, h, bc, dscale, cfg, k, y):
    """One classical RK4 step of :func:`_accel` in place on ``rv`` (6,); ``k`` (4, 6)
    and ``y`` (6,) are work arrays (no temporaries per stage or per step)."""
    _accel(rv, bc, dscale, cfg, k[0])
    for j in range(1, 4):
        c = 0.5 * h if j < 3 else h
        for i in range(6):
            y[i] = rv[i] + c * k[j - 1, i]
        _accel(y, bc, dscale, cfg, k[j])
    for i in range(6):
        rv[i] = rv[i] + (h / 6.0) * (k[0, i] + 2.0 * k[1, i] + 2.0 * k[2, i] + k[3, i])


@_kernel
def _rk4(rv, h, bc, dscale, cfg):
    """One classical RK4 step of :func:`_accel`."""
    out = rv.copy()
    _rk4_into(out, h, bc, dscale, cfg, np.empty((4, 6)), np.empty(6))
    return out


@_leaf
def _basis9(rt):
    """:func:`_basis` as nine floats (rows), the same operations, no arrays."""
    r0, r1, r2 = rt[0], rt[1], rt[2]
    h0 = r1 * rt[5] - r2 * rt[4]  # _cross(r, v)
    h1 = r2 * rt[3] - r0 * rt[5]
    h2 = r0 * rt[4] - r1 * rt[3]
    rn = math.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
    hn = math.sqrt(h0 * h0 + h1 * h1 + h2 * h2)
    b20, b21, b22 = -r0 / rn, -r1 / rn, -r2 / rn
    b10, b11, b12 = -h0 / hn, -h1 / hn, -h2 / hn
    b00 = b11 * b22 - b12 * b21
    b01 = b12 * b20 - b10 * b22
    b02 = b10 * b21 - b11 * b20
    return b00, b01, b02, b10, b11, b12, b20, b21, b22


@njit(cache=True, error_model="numpy")
def _basis(rt):
    """Rows: LVLH unit axes (V-bar, H-bar, R-bar) of the station state ``rt`` (6,)."""
    b = np.empty((3, 3))
    b[0, 0], b[0, 1], b[0, 2], b[1, 0], b[1, 1], b[1, 2], b[2, 0], b[2, 1], b[2, 2] = _basis9(rt)
    return b


@_leaf
def _to_lvlh_into(st, ch, out):
    """:func:`_to_lvlh` into ``out`` (6,)."""
    b00, b01, b02, b10, b11, b12, b20, b21, b22 = _basis9(st)
    r2 = st[0] * st[0] + st[1] * st[1] + st[2] * st[2]
    # orbit rate vector w = (r x v) / r^2
    wx = (st[1] * st[5] - st[2] * st[4]) / r2
    wy = (st[2] * st[3] - st[0] * st[5]) / r2
    wz = (st[0] * st[4] - st[1] * st[3]) / r2
    dx, dy, dz = ch[0] - st[0], ch[1] - st[1], ch[2] - st[2]
    ux = ch[3] - st[3] - (wy * dz - wz * dy)
    uy = ch[4] - st[4] - (wz * dx - wx * dz)
    uz = ch[5] - st[5] - (wx * dy - wy * dx)
    out[0] = b00 * dx + b01 * dy + b02 * dz
    out[1] = b10 * dx + b11 * dy + b12 * dz
    out[2] = b20 * dx + b21 * dy + b22 * dz
    out[3] = b00 * ux + b01 * uy + b02 * uz
    out[4] = b10 * ux + b11 * uy + b12 * uz
    out[5] = b20 * ux + b21 * uy + b22 * uz


@njit(cache=True, error_model="numpy")
def _to_lvlh(st, ch):
    """Chaser relative to the station in the station's LVLH frame (rotating velocity)."""
    out = np.empty(6)
    _to_lvlh_into(st, ch, out)
    return out


@_leaf
def _add_inertial_dv(st, dv, ch):
    """``ch[3:6] += _lvlh_to_inertial_dv(st, dv)`` without the temporaries."""
    b00, b01, b02, b10, b11, b12, b20, b21, b22 = _basis9(st)
    ch[3] += b00 * dv[0] + b10 * dv[1] + b20 * dv[2]
    ch[4] += b01 * dv[0] + b11 * dv[1] + b21 * dv[2]
    ch[5] += b02 * dv[0] + b12 * dv[1] + b22 * dv[2]


@_kernel
def _lvlh_to_inertial_dv(st, dv):
    """A velocity change given in the station's LVLH axes (km/s) in inertial axes
    (``_basis(st).T @ dv``)."""
    b = _basis(st)
    out = np.empty(3)
    for i in range(3):
        out[i] = b[0, i] * dv[0] + b[1, i] * dv[1] + b[2, i] * dv[2]
    return out


@njit(cache=True, error_model="numpy")
def propagate_truth(st, ch, duration, mass, cfg):
    """Propagate both absolute states by ``duration`` s (fixed-step RK4)."""
    st = st.copy()
    ch = ch.copy()
    _propagate_truth_into(st, ch, duration, mass, cfg, np.empty((4, 6)), np.empty(6))
    return st, ch


@njit(cache=True, error_model="numpy")
def propagate_truth_ws(st, ch, duration, mass, cfg, k, y):
    """:func:`propagate_truth` with the RK4 work arrays ``k`` (4, >= 6) and ``y``
    (>= 6,) given (the loop makes them once per segment)."""
    st = st.copy()
    ch = ch.copy()
    _propagate_truth_into(st, ch, duration, mass, cfg, k, y)
    return st, ch


@_leaf
def _propagate_truth_into(st, ch, duration, mass, cfg, k, y):
    """:func:`propagate_truth_ws` in place on ``st`` and ``ch``."""
    nsub = max(1, int(math.ceil(abs(duration) / cfg[CF_PLANT_STEP] - 1e-9)))
    h = duration / nsub
    bc_ch = mass / cfg[CF_CDA_CH]
    for _ in range(nsub):
        _rk4_into(st, h, cfg[CF_BC_ST], cfg[CF_DENS_SCALE_ST], cfg, k, y)
        _rk4_into(ch, h, bc_ch, cfg[CF_DENS_SCALE_CH], cfg, k, y)


@njit(cache=True, error_model="numpy")
def truth_drift(st, ch, duration, step, mass, cfg):
    """Truth free drift sampled every ``step`` s: LVLH relative states (m, 6)."""
    m = int(duration / step) + 1
    out = np.empty((m, 6))
    out[0] = _to_lvlh(st, ch)
    for k in range(1, m):
        st, ch = propagate_truth(st, ch, step, mass, cfg)
        out[k] = _to_lvlh(st, ch)
    return out


# -------------------------------------------------------------------- sensors, filter
@njit(cache=True, error_model="numpy")
def _sigma(rng, cfg):
    """1-sigma per-axis position noise of the sensor in use at range ``rng`` (km)."""
    if rng > cfg[CF_GNSS_RANGE]:
        return cfg[CF_SG_GNSS]
    if rng > cfg[CF_CAM_RANGE]:
        return cfg[CF_SG_RAD_A] + cfg[CF_SG_RAD_B] * rng
    return cfg[CF_SG_CAM_A] + cfg[CF_SG_CAM_B] * rng


# ------------------------------------------------------------------------- thrusters
# explicit signatures: ``stuck``/``errors`` are literal True/False at most call sites,
# and numba would otherwise compile one copy per combination (4 in the loop).
_F1 = nb_types.float64[::1]
_F8 = nb_types.float64


@_inlined
def _thruster(dv_cmd, mass, dt, fmax, cfg, nz, stuck, errors):
    """Executed delta-v (km/s, LVLH) of a command: per axis minimum impulse bit,
    quantisation of the impulse, saturation at ``fmax`` N over ``dt`` s; then the
    magnitude and pointing execution errors (Fehse 2003, sec. 6.3). The settings come
    from ``cfg``; the work is :func:`_execute`'s."""
    return _execute(
        dv_cmd,
        mass,
        dt,
        fmax,
        cfg[CF_MIB],
        cfg[CF_QUANTUM],
        cfg[CF_MAG_SIG],
        cfg[CF_PNT_SIG],
        nz,
        stuck,
        errors,
    )


@_signed(
    nb_types.void(
        _F1, _F8, _F8, _F8, _F8, _F8, _F8, _F8, _F1, nb_types.boolean, nb_types.boolean, _F1
    ),
    **LEAF_OPTIONS,
)  # fmt: skip
def _execute_into(dv_cmd, mass, dt, fmax, mib, quantum, mag_sig, pnt_sig, nz, stuck, errors, out):
    """:func:`_execute` into ``out`` (3,) (``dv_cmd`` may be ``out``)."""
    if stuck:
        for i in range(3):
            out[i] = 0.0
        return
    if errors:
        for i in range(3):
            out[i] = dv_cmd[i]
    else:
        for i in range(3):
            imp = dv_cmd[i] * 1e3 * mass  # N s
            a = abs(imp)
            if a < mib:
                out[i] = 0.0
                continue
            if quantum > 0.0:
                a = round(a / quantum) * quantum
            lim = fmax * dt
            if a > lim:
                a = lim
            out[i] = math.copysign(a, imp) / mass * 1e-3
    if errors and _norm3(out) > 0.0:
        th0 = pnt_sig * nz[1]
        th1 = pnt_sig * nz[2]
        th2 = pnt_sig * nz[3]
        sc = 1.0 + mag_sig * nz[0]
        o0, o1, o2 = out[0], out[1], out[2]
        # _vadd(_vscale(out, sc), _cross(th, out))
        out[0] = o0 * sc + (th1 * o2 - th2 * o1)
        out[1] = o1 * sc + (th2 * o0 - th0 * o2)
        out[2] = o2 * sc + (th0 * o1 - th1 * o0)


# scalars rather than the 70-field Cfg: a signature with Cfg cost ~4 s to compile
@_signed(
    _F1(_F1, _F8, _F8, _F8, _F8, _F8, _F8, _F8, _F1, nb_types.boolean, nb_types.boolean),
    cache=True,
    error_model="numpy",
)  # fmt: skip
def _execute(dv_cmd, mass, dt, fmax, mib, quantum, mag_sig, pnt_sig, nz, stuck, errors):
    """:func:`_thruster` with its settings as scalars (N s, N s, fraction, rad)."""
    out = np.empty(3)
    _execute_into(dv_cmd, mass, dt, fmax, mib, quantum, mag_sig, pnt_sig, nz, stuck, errors, out)
    return out


@_inlined
def _thruster_into(dv_cmd, mass, dt, fmax, cfg, nz, stuck, errors, out):
    """:func:`_thruster` into ``out`` (3,) (:func:`_execute_into`)."""
    _execute_into(
        dv_cmd, mass, dt, fmax, cfg[CF_MIB], cfg[CF_QUANTUM], cfg[CF_MAG_SIG],
        cfg[CF_PNT_SIG], nz, stuck, errors, out,
    )  # fmt: skip


@_leaf
def _normals(bg, out):
    """Fill ``out`` with standard normals from the bit generator ``bg`` of a
    ``numpy.random.Generator`` (``gen.bit_generator``): numba's
    ``Generator.standard_normal()`` is ``random_standard_normal(gen.bit_generator)``, so
    these are the draws NumPy makes, and the generator's state advances (a seed still
    gives the same run). The loop takes the bit generator, not the ``Generator``, whose
    argument numba cannot release in a kernel without reference counting."""
    for i in range(out.shape[0]):
        out[i] = random_standard_normal(bg)


@_leaf
def _burn_mass(mass, dv, cfg):
    return mass * (1.0 - math.exp(-_norm3(dv) / (cfg[CF_ISP] * G0_KM_S2)))


# ------------------------------------------------------------------- speed schedule
@_leaf
def _sched(d, sd, sv):
    if d <= sd[0]:
        return sv[0]
    for i in range(1, sd.shape[0]):
        if d <= sd[i]:
            f = (d - sd[i - 1]) / (sd[i] - sd[i - 1])
            return sv[i - 1] + f * (sv[i] - sv[i - 1])
    return sv[sv.shape[0] - 1]
