r"""Quaternion algebra shared by every part of the six-degree-of-freedom approach.

Convention (one for the whole package, stated once here):

- Hamilton product, scalar first: ``q = [w, x, y, z]``, unit norm.
- ``q_a_b`` rotates vectors from frame *b* to frame *a*: ``v_a = rotate(q_a_b, v_b)``
  (i.e. ``q ⊗ [0, v_b] ⊗ q*``). The attitude of a body is ``q_lvlh_body``: body axes
  expressed in the station's LVLH frame (Fehse 2003 convention, x V-bar, y H-bar,
  z R-bar).
- Small-angle error vectors are ``delta_theta = 2 * vec(dq)`` with
  ``q_true = q_est ⊗ dq`` (body-frame, "right" error), as in Markley & Crassidis
  (2014), *Fundamentals of Spacecraft Attitude Determination and Control*, sec. 6.2.

Plain float64 arrays; every function is compiled with numba and also callable from
Python.

References
----------
Markley, F. L. and Crassidis, J. L. (2014), Springer: eqs. 2.82-2.85 (product),
2.124-2.129 (rotation vector), 3.20 (kinematics).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import _kernel_of

__all__: list[str] = []

# The same algebra on 4-tuples of floats (no arrays: nothing to allocate); the array
# functions below are built on them, so both give the same bits. Compiled functions
# rather than numba-inlined ones: inlined at every call site they made the filter's
# update take three times as long to compile (LLVM still inlines them when it links).
# (compiled without Python entry points, as ``_kernels._kernel``: called only from
# compiled code)
_tup = njit(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
_inl = njit(cache=True, inline="always", error_model="numpy")


@_tup
def qmul4(p0, p1, p2, p3, q0, q1, q2, q3):
    """:func:`qmul` on scalars: ``p ⊗ q`` as a 4-tuple."""
    return (
        p0 * q0 - p1 * q1 - p2 * q2 - p3 * q3,
        p0 * q1 + p1 * q0 + p2 * q3 - p3 * q2,
        p0 * q2 - p1 * q3 + p2 * q0 + p3 * q1,
        p0 * q3 + p1 * q2 - p2 * q1 + p3 * q0,
    )


@_tup
def qnormalize4(q0, q1, q2, q3):
    """:func:`qnormalize` on scalars."""
    n = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
    s = 1.0 / n if q0 >= 0.0 else -1.0 / n
    return q0 * s, q1 * s, q2 * s, q3 * s


@_tup
def qfrom_rotvec4(p0, p1, p2):
    """:func:`qfrom_rotvec` on scalars."""
    angle = math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
    if angle < 1e-12:
        # second-order series keeps the norm to 1e-24
        return qnormalize4(1.0 - angle * angle / 8.0, 0.5 * p0, 0.5 * p1, 0.5 * p2)
    s = math.sin(0.5 * angle) / angle
    return math.cos(0.5 * angle), s * p0, s * p1, s * p2


@_tup
def qto_rotvec3(q0, q1, q2, q3):
    """:func:`qto_rotvec` on scalars: a 3-tuple."""
    w, x, y, z = qnormalize4(q0, q1, q2, q3)
    s = math.sqrt(x * x + y * y + z * z)
    if s < 1e-12:
        return 2.0 * x, 2.0 * y, 2.0 * z
    angle = 2.0 * math.atan2(s, w)
    return angle * x / s, angle * y / s, angle * z / s


@_tup
def qrotate3(q0, q1, q2, q3, v0, v1, v2):
    """:func:`qrotate` on scalars: ``R(q) v`` as a 3-tuple (the rows of :func:`qdcm`)."""
    w, x, y, z = q0, q1, q2, q3
    m00 = 1.0 - 2.0 * (y * y + z * z)
    m01 = 2.0 * (x * y - w * z)
    m02 = 2.0 * (x * z + w * y)
    m10 = 2.0 * (x * y + w * z)
    m11 = 1.0 - 2.0 * (x * x + z * z)
    m12 = 2.0 * (y * z - w * x)
    m20 = 2.0 * (x * z - w * y)
    m21 = 2.0 * (y * z + w * x)
    m22 = 1.0 - 2.0 * (x * x + y * y)
    return (
        m00 * v0 + m01 * v1 + m02 * v2,
        m10 * v0 + m11 * v1 + m12 * v2,
        m20 * v0 + m21 * v1 + m22 * v2,
    )


@_inl
def _arr4(t):
    out = np.empty(4)
    out[0], out[1], out[2], out[3] = t
    return out


@njit(cache=True, error_model="numpy")
def qmul(p, q):
    """Hamilton product ``p ⊗ q`` (scalar first)."""
    return _arr4(qmul4(p[0], p[1], p[2], p[3], q[0], q[1], q[2], q[3]))


@njit(cache=True, error_model="numpy")
def qconj(q):
    """Conjugate (the inverse rotation for a unit quaternion)."""
    out = np.empty(4)
    out[0] = q[0]
    out[1] = -q[1]
    out[2] = -q[2]
    out[3] = -q[3]
    return out


@njit(cache=True, error_model="numpy")
def qnormalize(q):
    """Unit quaternion with a non-negative scalar part (one of the two signs)."""
    return _arr4(qnormalize4(q[0], q[1], q[2], q[3]))


@njit(cache=True, error_model="numpy")
def qdcm(q):
    """Rotation matrix ``R`` with ``v_a = R @ v_b`` for ``q = q_a_b``."""
    m = np.empty((3, 3))
    _qdcm_into(q, m)
    return m


@njit(cache=True, error_model="numpy")
def qdcm_into(q, m):
    """:func:`qdcm` into ``m`` (3, 3)."""
    w, x, y, z = q[0], q[1], q[2], q[3]
    m[0, 0] = 1.0 - 2.0 * (y * y + z * z)
    m[0, 1] = 2.0 * (x * y - w * z)
    m[0, 2] = 2.0 * (x * z + w * y)
    m[1, 0] = 2.0 * (x * y + w * z)
    m[1, 1] = 1.0 - 2.0 * (x * x + z * z)
    m[1, 2] = 2.0 * (y * z - w * x)
    m[2, 0] = 2.0 * (x * z - w * y)
    m[2, 1] = 2.0 * (y * z + w * x)
    m[2, 2] = 1.0 - 2.0 * (x * x + y * y)


@njit(cache=True, error_model="numpy")
def qrotate(q, v):
    """Rotate ``v`` from frame b to frame a for ``q = q_a_b``."""
    out = np.empty(3)
    out[0], out[1], out[2] = qrotate3(q[0], q[1], q[2], q[3], v[0], v[1], v[2])
    return out


@njit(cache=True, error_model="numpy")
def qfrom_rotvec(phi):
    """Quaternion of a rotation by ``|phi|`` rad about ``phi / |phi|``."""
    return _arr4(qfrom_rotvec4(phi[0], phi[1], phi[2]))


@njit(cache=True, error_model="numpy")
def qto_rotvec(q):
    """Rotation vector (rad) of a unit quaternion, angle in [0, pi]."""
    out = np.empty(3)
    out[0], out[1], out[2] = qto_rotvec3(q[0], q[1], q[2], q[3])
    return out


@njit(cache=True, error_model="numpy")
def qpropagate(q, omega_body, dt):
    """Advance ``q_a_body`` by a constant body rate ``omega_body`` (rad/s) over ``dt``:
    ``q(t + dt) = q(t) ⊗ exp(omega dt / 2)`` (Markley & Crassidis 2014, eq. 3.20)."""
    phi = np.empty(3)
    for i in range(3):
        phi[i] = omega_body[i] * dt
    return qnormalize(qmul(q, qfrom_rotvec(phi)))


@njit(cache=True, error_model="numpy")
def euler_321(q):
    """Yaw, pitch, roll (rad) of a 3-2-1 sequence for ``q = q_ref_body``.

    Used to report attitude misalignments: roll about x (the docking axis), pitch
    about y, yaw about z.
    """
    m = qdcm(q)
    yaw = math.atan2(m[1, 0], m[0, 0])
    sp = -m[2, 0]
    sp = min(1.0, max(-1.0, sp))
    pitch = math.asin(sp)
    roll = math.atan2(m[2, 1], m[2, 2])
    out = np.empty(3)
    out[0] = yaw
    out[1] = pitch
    out[2] = roll
    return out


@njit(cache=True, error_model="numpy")
def qfrom_two_vectors(a, b):
    """Shortest rotation taking the direction of ``a`` to that of ``b``: ``q`` with
    ``rotate(q, a / |a|) = b / |b|``. For unit vectors at angle ``th``,
    ``[1 + a.b, a x b] = 2 cos(th / 2) [cos(th / 2), sin(th / 2) n]`` with
    ``n = a x b / |a x b|``, so its normalisation is the rotation by ``th`` about ``n``;
    opposite vectors get a half turn about an axis normal to ``a``."""
    na = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
    nb = math.sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2])
    out = np.empty(4)
    d = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (na * nb)
    if d < -1.0 + 1e-12:
        # any axis normal to a: cross with the coordinate axis least aligned with it
        k = 0
        if abs(a[1]) < abs(a[k]):
            k = 1
        if abs(a[2]) < abs(a[k]):
            k = 2
        e = np.zeros(3)
        e[k] = 1.0
        out[0] = 0.0
        out[1] = a[1] * e[2] - a[2] * e[1]
        out[2] = a[2] * e[0] - a[0] * e[2]
        out[3] = a[0] * e[1] - a[1] * e[0]
        n = math.sqrt(out[1] * out[1] + out[2] * out[2] + out[3] * out[3])
        for i in range(1, 4):
            out[i] /= n
        return out
    out[0] = 1.0 + d
    out[1] = (a[1] * b[2] - a[2] * b[1]) / (na * nb)
    out[2] = (a[2] * b[0] - a[0] * b[2]) / (na * nb)
    out[3] = (a[0] * b[1] - a[1] * b[0]) / (na * nb)
    return qnormalize(out)


# kernels of the public functions above for compiled callers (no Python entry points)
_euler_321 = _kernel_of(euler_321)
_qconj = _kernel_of(qconj)
_qdcm_into = _kernel_of(qdcm_into)
