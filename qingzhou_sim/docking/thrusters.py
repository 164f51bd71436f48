r"""Reaction-control thrusters: layout, thruster selection, minimum impulse, execution.

A layout is three arrays in the chaser's body frame (x toward the front port):
positions (n, 3) m from the geometric reference point (the nominal centre of mass),
unit force directions (n, 3) and thrust (n,) N. Thruster selection turns a commanded
force impulse (N s) and angular impulse (N m s) into per-thruster impulses from a table
of thruster groups, one per signed axis, computed once from the 6 x n effectiveness
matrix by non-negative least squares (Lawson & Hanson 1974, ch. 23), then applies the pulse-width quantisation: impulses below the minimum impulse
bit are not fired, the others are rounded to the on-time quantum and limited to the
thrust times the control period (Wie 2008, sec. 7.5: pulse modulation; Fehse 2003,
sec. 6.3).

The minimum impulse bit is the vehicle's own figure (``Spacecraft.min_impulse_bit_m_s``,
the smallest translation delta-v): a translation pulse along one axis fires
:data:`THRUSTERS_PER_TRANSLATION` thrusters together, so one thruster's minimum impulse
is ``min_impulse_bit_m_s * mass_kg / THRUSTERS_PER_TRANSLATION``.

Execution errors are per thruster and static over a run (a mounting misalignment and a
thrust-level error), drawn once by the caller; the truth effectiveness matrix uses the
true directions, the true thrust and the true centre of mass, so a translation command
with an offset centre of mass produces the torque ``(r_i - c) x F_i`` the attitude loop
must absorb.

References
----------
Lawson, C. L. & Hanson, R. J. (1974), *Solving Least Squares Problems*, Prentice-Hall,
ch. 23 (NNLS algorithm).
Wie, B. (2008), *Space Vehicle Dynamics and Control*, 2nd ed., AIAA, sec. 7.5.
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, CUP, sec. 6.3.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import _kernel, _leaf

__all__ = ["THRUSTERS_PER_TRANSLATION", "qingzhou_rcs_layout"]

# An axial translation pulse fires the four thrusters of one end face together.
THRUSTERS_PER_TRANSLATION = 4


def qingzhou_rcs_layout(
    length_m: float = 8.0, radius_m: float = 1.65, thrust_n: float = 25.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RCS layout of Qingzhou (assumption: unpublished; a Tianzhou-like 32-thruster set
    of 25 N thrusters, TZ-SPEC quotes 32 attitude thrusters of 25/120/150 N).

    Two rings ``0.875 * length / 2`` fore and aft of the centre, each with four clusters
    (+y, -y, +z, -z) of three thrusters (one radial, two tangential); four axial
    thrusters on each end face at 0.73 of the radius.

    Returns
    -------
    positions_m : (32, 3) body frame, from the nominal centre of mass
    directions : (32, 3) unit force directions (opposite to the exhaust)
    thrust_n : (32,)
    """
    pos, dirs = [], []
    x_ring = 0.875 * length_m / 2
    for x in (x_ring, -x_ring):
        for ax, sign in ((1, 1.0), (1, -1.0), (2, 1.0), (2, -1.0)):
            p = np.zeros(3)
            p[0] = x
            p[ax] = sign * radius_m
            radial = np.zeros(3)
            radial[ax] = -sign
            tang = np.zeros(3)
            tang[3 - ax] = 1.0
            for d in (radial, tang, -tang):
                pos.append(p.copy())
                dirs.append(d)
    for x, fx in ((-length_m / 2, 1.0), (length_m / 2, -1.0)):
        for ax, sign in ((1, 1.0), (1, -1.0), (2, 1.0), (2, -1.0)):
            p = np.zeros(3)
            p[0] = x
            p[ax] = sign * 0.73 * radius_m
            pos.append(p)
            dirs.append(np.array([fx, 0.0, 0.0]))
    pos = np.array(pos)
    dirs = np.array(dirs)
    return pos, dirs, np.full(len(pos), float(thrust_n))


@njit(cache=True, error_model="numpy")
def effectiveness(positions, directions, scale, com):
    """6 x n matrix: force (rows 0-2, N s) and angular impulse about ``com`` (rows 3-5,
    N m s) per N s of commanded impulse of each thruster; ``scale`` (n,) the delivered
    fraction (1 nominal)."""
    n = positions.shape[0]
    b = np.empty((6, n))
    for i in range(n):
        d = directions[i] * scale[i]
        r = positions[i] - com
        b[0, i] = d[0]
        b[1, i] = d[1]
        b[2, i] = d[2]
        b[3, i] = r[1] * d[2] - r[2] * d[1]
        b[4, i] = r[2] * d[0] - r[0] * d[2]
        b[5, i] = r[0] * d[1] - r[1] * d[0]
    return b


def _nnls(a, b):
    """min |a x - b| subject to x >= 0 (Lawson & Hanson 1974, ch. 23, algorithm NNLS).

    Plain numpy: it runs a few dozen times per process to build the selection table,
    where compiling it (with LAPACK's least squares) cost more than it ever saves."""
    m, n = a.shape
    x = np.zeros(n)
    passive = np.zeros(n, dtype=np.bool_)
    tol = 1e-12 * (np.abs(a).max() * max(np.abs(b).max(), 1e-300)) * n
    for _outer in range(3 * n):
        w = a.T @ (b - a @ x)
        j = -1
        wmax = tol
        for i in range(n):
            if not passive[i] and w[i] > wmax:
                wmax = w[i]
                j = i
        if j < 0:
            break
        passive[j] = True
        for _inner in range(3 * n):
            idx = np.nonzero(passive)[0]
            ap = np.ascontiguousarray(a[:, idx])
            zp = np.linalg.lstsq(ap, b, rcond=-1)[0]
            if zp.min() > 0.0:
                x[:] = 0.0
                x[idx] = zp
                break
            alpha = 1.0
            for k in range(idx.size):
                if zp[k] <= 0.0:
                    xi = x[idx[k]]
                    alpha = min(alpha, xi / (xi - zp[k]))
            for k in range(idx.size):
                i = idx[k]
                x[i] = x[i] + alpha * (zp[k] - x[i])
                if x[i] <= 1e-15 * (1.0 + abs(zp[k])):
                    x[i] = 0.0
                    passive[i] = False
    return x


def _nnls_spread(b, wrench, allowed, eps):
    """NNLS over the ``allowed`` thrusters with a small Tikhonov term ``eps |u|^2``
    (augmented rows), which spreads the impulse over symmetric thrusters instead of
    one basic solution (e.g. four axial thrusters rather than one plus a torque trim)."""
    idx = np.nonzero(allowed)[0]
    m = idx.size
    if eps == 0.0:
        u = np.zeros(b.shape[1])
        u[idx] = _nnls(np.ascontiguousarray(b[:, idx]), wrench)
        return u
    a = np.zeros((6 + m, m))
    rhs = np.zeros(6 + m)
    rhs[:6] = wrench
    for k in range(m):
        a[:6, k] = b[:, idx[k]]
        a[6 + k, k] = eps
    z = _nnls(a, rhs)
    u = np.zeros(b.shape[1])
    u[idx] = z
    return u


@_kernel
def _quantise(u, impulse_max, mib, quantum):
    """Scale the set down together if one thruster exceeds ``impulse_max`` (keeps the
    wrench's direction); impulses below the minimum impulse ``mib`` are not fired (the
    control laws carry or re-command them); the rest rounded to the on-time quantum."""
    out = np.empty(u.shape[0])
    _quantise_into(u, impulse_max, mib, quantum, out)
    return out


@_leaf
def _quantise_into(u, impulse_max, mib, quantum, out):
    """:func:`_quantise` into ``out`` (n,)."""
    n = u.shape[0]
    factor = 1.0
    for i in range(n):
        if u[i] > impulse_max[i]:
            factor = min(factor, impulse_max[i] / u[i])
    for i in range(n):
        out[i] = 0.0
        ui = u[i] * factor
        # a relative 1e-9 tolerance so that exactly one bit is not lost to rounding
        if ui < mib * (1.0 - 1e-9):
            continue
        if quantum > 0.0:
            ui = max(mib, round(ui / quantum) * quantum)
        out[i] = min(ui, impulse_max[i])


def _group(b_nominal: np.ndarray, w: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Thruster group for the unit wrench ``w``: the basic NNLS solution (fewest
    thrusters, so each pulse stays above the minimum impulse) when its thrusters share
    the work equally (a symmetric couple or pair), else the spread solution (e.g. the
    four axial thrusters rather than one plus a torque trim); impulses solved exactly
    on the chosen set (minimum norm), removing the spreading term's small bias."""
    basic = _nnls_spread(b_nominal, w, allowed, 0.0)
    on = basic > 1e-9
    if np.ptp(basic[on]) <= 1e-9 * basic[on].max():
        u = basic
    else:
        u = _nnls_spread(b_nominal, w, allowed, 1e-3)
        on = u > 1e-9
    exact = np.linalg.pinv(b_nominal[:, on]) @ w
    out = np.zeros_like(u)
    out[on] = exact if np.all(exact > 0) else u[on]
    return out


def selection_table(b_nominal: np.ndarray) -> np.ndarray:
    """Thruster groups (12, n): row ``2 k`` (``2 k + 1``) holds the per-thruster impulses
    producing a unit positive (negative) wrench along axis ``k`` (Fx, Fy, Fz, Tx, Ty,
    Tz) and nothing on the other five, from NNLS with a small spreading term so that
    symmetric thrusters share the work (the table-driven selection logic of Wie 2008,
    sec. 7.5, computed here from the layout instead of written by hand).

    Raises
    ------
    InputError
        If the layout cannot produce a pure wrench along one axis and sign.
    """
    from ..errors import InputError

    n = b_nominal.shape[1]
    table = np.zeros((12, n))
    allowed = np.ones(n, dtype=np.bool_)
    for k in range(6):
        for j, sign in enumerate((1.0, -1.0)):
            w = np.zeros(6)
            w[k] = sign
            u = _group(b_nominal, w, allowed)
            if np.linalg.norm(b_nominal @ u - w) > 1e-6:
                raise InputError(
                    f"thruster layout cannot produce a pure wrench along axis {k} "
                    f"(sign {sign:+.0f}); expected a layout with full 6-DOF authority",
                    name="layout",
                    value=k,
                )
            table[2 * k + j] = u
    return table


@njit(cache=True, error_model="numpy")
def select(table, wrench, impulse_max, mib, quantum):
    """Per-thruster impulses (n,) N s for a commanded wrench impulse (6,) = force N s,
    angular impulse N m s (body axes).

    Each axis's thruster group (a row of the table) fires as a unit, scaled by the
    command's component: a group whose smallest pulse would be below the minimum
    impulse ``mib`` does not fire at all (so a group never fires unbalanced, e.g. one
    thruster of a torque couple, which would push the vehicle sideways); the sum of the
    groups then goes through :func:`_quantise` (on-time ``quantum``, saturation
    ``impulse_max`` (n,)). Exact, before quantisation, for the groups that fire.
    """
    out = np.empty(table.shape[1])
    gmin = np.empty(table.shape[0])
    _group_min_into(table, gmin)
    _select_into(table, gmin, wrench, impulse_max, mib, quantum, np.empty(table.shape[1]), out)
    return out


@_leaf
def _group_min_into(table, gmin):
    """The smallest pulse of each thruster group (a row of the table: its smallest
    positive impulse; inf for an empty row) into ``gmin`` (12,)."""
    for row in range(table.shape[0]):
        g = np.inf
        for i in range(table.shape[1]):
            if table[row, i] > 0.0:
                g = min(g, table[row, i])
        gmin[row] = g


def group_minimums(table: np.ndarray) -> np.ndarray:
    """The smallest pulse of each thruster group of a selection table (12,): what
    :func:`select` compares with the minimum impulse (made once per table: the loop
    reads it, ~0.1 us a step otherwise)."""
    gmin = np.empty(table.shape[0])
    for row in range(table.shape[0]):
        on = table[row][table[row] > 0.0]
        gmin[row] = on.min() if on.size else np.inf
    return gmin


@_leaf
def _select_into(table, gmin, wrench, impulse_max, mib, quantum, u, out):
    """:func:`select` into ``out`` (n,), with the groups' smallest pulses ``gmin``
    (12,) (:func:`group_minimums`) and the work array ``u`` (n,)."""
    n = table.shape[1]
    for i in range(n):
        u[i] = 0.0
    for k in range(6):
        wk = wrench[k]
        row = 2 * k if wk >= 0.0 else 2 * k + 1
        a = abs(wk)
        if a == 0.0:
            continue
        if a * gmin[row] < mib * (1.0 - 1e-9):
            continue
        for i in range(n):
            u[i] += a * table[row, i]
    _quantise_into(u, impulse_max, mib, quantum, out)


def thruster_minimum_impulse_n_s(min_impulse_bit_m_s: float, mass_kg: float) -> float:
    """One thruster's minimum impulse (N s) from the vehicle's minimum delta-v."""
    return min_impulse_bit_m_s * mass_kg / THRUSTERS_PER_TRANSLATION


def draw_execution_errors(
    directions: np.ndarray, magnitude_sigma: float, misalignment_sigma_rad: float, gen
) -> tuple[np.ndarray, np.ndarray]:
    """Static per-thruster execution errors: true unit directions (each tilted by a
    Gaussian angle of 1-sigma ``misalignment_sigma_rad`` per perpendicular axis) and
    thrust scale ``1 + magnitude_sigma * N(0, 1)`` (Fehse 2003, sec. 5.6)."""
    n = directions.shape[0]
    tilt = misalignment_sigma_rad * gen.standard_normal((n, 3))
    tilt -= np.einsum("ij,ij->i", tilt, directions)[:, None] * directions
    # directions + tilt x directions, the cross product by np.cross's operations (its
    # array handling cost ~15 us)
    (t0, t1, t2), (d0, d1, d2) = tilt.T, directions.T
    true_dirs = np.empty_like(tilt)
    true_dirs[:, 0] = t1 * d2 - t2 * d1
    true_dirs[:, 1] = t2 * d0 - t0 * d2
    true_dirs[:, 2] = t0 * d1 - t1 * d0
    true_dirs += directions
    true_dirs /= np.linalg.norm(true_dirs, axis=1)[:, None]
    scale = 1.0 + magnitude_sigma * gen.standard_normal(n)
    return true_dirs, np.maximum(scale, 0.0)


def minimum_impulse_wrench(b_nominal: np.ndarray, mib: float) -> float:
    """Largest wrench (N s or N m s, any component) one minimum-impulse pulse of one
    thruster produces: the resolution of the selection."""
    return float(np.abs(b_nominal).max() * mib)


@njit(cache=True, error_model="numpy")
def fire(table, b_nominal, b_true, wrench, thrust_n, dt, mib, quantum, stuck):
    """Fire the RCS for one control period ``dt`` s.

    Returns (impulses (n,) N s ordered by the flight software, nominal wrench (6,) it
    believes fired, true wrench (6,) about the true centre of mass). With ``stuck`` the
    translation part of the command delivers nothing (the valves of the translation
    groups do not open; attitude control still works), unknown to the flight software.
    """
    n = table.shape[1]
    tw, w6 = np.empty((4, n)), np.empty((3, 6))
    gmin = np.empty(table.shape[0])
    _group_min_into(table, gmin)
    _fire_into(
        table, gmin, b_nominal, b_true, wrench, thrust_n, dt, mib, quantum, stuck, tw, w6
    )  # fmt: skip
    return tw[2].copy(), w6[1].copy(), w6[2].copy()


@_leaf
def _fire_into(
    table, gmin, b_nominal, b_true, wrench, thrust_n, dt, mib, quantum, stuck, tw, w6
):  # fmt: skip
    """:func:`fire` into the work arrays ``tw`` (4, n): rows impulse limit, selection
    work, impulses ``u``, true impulses; and ``w6`` (3, 6): rows the stuck command, the
    nominal wrench, the true wrench. ``gmin``: the groups' smallest pulses
    (:func:`group_minimums`)."""
    impulse_max, work, u, u_true = tw[0], tw[1], tw[2], tw[3]
    rot, w_nominal, w_true = w6[0], w6[1], w6[2]
    for i in range(thrust_n.shape[0]):
        impulse_max[i] = thrust_n[i] * dt
    _select_into(table, gmin, wrench, impulse_max, mib, quantum, work, u)
    if stuck:
        for i in range(6):
            rot[i] = wrench[i] if i >= 3 else 0.0
        _select_into(table, gmin, rot, impulse_max, mib, quantum, work, u_true)
    else:
        for i in range(u.shape[0]):
            u_true[i] = u[i]
    # b @ u written out, skipping the thrusters that do not fire (most of them)
    for j in range(6):
        w_nominal[j] = 0.0
        w_true[j] = 0.0
    for i in range(u.shape[0]):
        if u[i] != 0.0:
            for j in range(6):
                w_nominal[j] += b_nominal[j, i] * u[i]
        if u_true[i] != 0.0:
            for j in range(6):
                w_true[j] += b_true[j, i] * u_true[i]
