"""Truth rigid-body attitude (docking/bodies.py) against analytic solutions: torque-free
conservation, axisymmetric nutation, gravity-gradient pitch libration."""

import math

import numpy as np

from qingzhou_sim.docking import bodies as B
from qingzhou_sim.docking._quat import qdcm, qfrom_rotvec

REL = 1e-9  # issue 14: momentum and energy conserved to 1e-9 relative over an hour
HOUR = 3600.0  # s
N_ORB = math.sqrt(398600.4418 / 6768.137**3)  # rad/s, Tiangong at 390 km (mission-facts sec. 1)


def _tensor():
    # an asymmetric body whose principal axes are not the body axes
    rot = qdcm(qfrom_rotvec(np.array([0.3, -0.2, 0.5])))
    return rot @ np.diag([120.0, 200.0, 260.0]) @ rot.T


def test_torque_free_momentum_and_energy_are_conserved():
    inertia = _tensor()
    inv = np.linalg.inv(inertia)
    x = np.zeros(B.A_N)
    x[B.A_Q] = 1.0
    x[B.A_W : B.A_W + 3] = [0.02, -0.035, 0.05]  # rad/s, a few deg/s

    def momentum_energy(y):
        w = y[B.A_W : B.A_W + 3]
        # no orbit (w_orb = 0): LVLH is inertial, q rotates body -> inertial
        return qdcm(y[B.A_Q : B.A_Q + 4]) @ inertia @ w, 0.5 * w @ inertia @ w

    h0, e0 = momentum_energy(x)
    y = B.propagate_attitude(x, HOUR, 0.05, inertia, inv, 0.0, 0.0, np.zeros(3))
    h1, e1 = momentum_energy(y)
    np.testing.assert_allclose(h1, h0, rtol=0, atol=REL * np.linalg.norm(h0))
    assert abs(e1 - e0) <= REL * e0


def test_axisymmetric_nutation_matches_the_analytic_solution():
    # Hughes (2004), ch. 3 / Wie (2008), ch. 5: for I = diag(Ia, It, It) the rate
    # across the symmetry axis turns at lambda = (Ia - It) / It * Omega in body axes, the
    # nutation angle is constant, cos(theta) = Ia Omega / |H|, and the symmetry axis cones
    # about the fixed H at the inertial precession rate |H| / It.
    ia, it = 150.0, 400.0
    inertia = np.diag([ia, it, it])
    inv = np.linalg.inv(inertia)
    omega, w0 = 0.03, 0.004
    x = np.zeros(B.A_N)
    x[B.A_Q] = 1.0
    x[B.A_W : B.A_W + 3] = [omega, w0, 0.0]
    h = inertia @ x[B.A_W : B.A_W + 3]
    hn = np.linalg.norm(h)
    lam = (ia - it) / it * omega
    t_end = 1800.0
    y = B.propagate_attitude(x, t_end, 0.05, inertia, inv, 0.0, 0.0, np.zeros(3))
    w = y[B.A_W : B.A_W + 3]
    expected = [omega, w0 * math.cos(lam * t_end), w0 * math.sin(lam * t_end)]
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-9 * omega)
    axis = qdcm(y[B.A_Q : B.A_Q + 4])[:, 0]
    assert abs(axis @ h / hn - ia * omega / hn) < 1e-9
    # precession: the symmetry axis turned about H by |H| / It * t (mod 2 pi)
    hu = h / hn
    a0 = np.array([1.0, 0.0, 0.0]) - hu[0] * hu
    a1 = axis - (axis @ hu) * hu
    ang = math.atan2(np.cross(a0, a1) @ hu, a0 @ a1)
    expected_ang = math.remainder(hn / it * t_end, 2 * math.pi)
    assert abs(math.remainder(ang - expected_ang, 2 * math.pi)) < 1e-6


def test_gravity_gradient_pitch_libration_period():
    # Wie (2008), ch. 6 / Hughes (2004), ch. 9: in LVLH (x along-track, y -orbit normal,
    # z nadir) small pitch obeys I_y th'' + 3 n^2 (I_x - I_z) th = 0.
    ix, iy, iz = 300.0, 250.0, 100.0
    inertia = np.diag([ix, iy, iz])
    inv = np.linalg.inv(inertia)
    wp = N_ORB * math.sqrt(3 * (ix - iz) / iy)
    x = B.initial_state(qfrom_rotvec(np.array([0.0, 0.01, 0.0])), np.zeros(3), N_ORB)
    step = 10.0
    t = np.arange(0.0, 3 * 2 * math.pi / wp, step)
    pitch = np.empty(t.size)
    for k in range(t.size):
        pitch[k] = 2 * x[B.A_Q + 2]
        x = B.propagate_attitude(x, step, 2.0, inertia, inv, N_ORB, 3 * N_ORB**2, np.zeros(3))
    s = np.sign(pitch)
    idx = np.nonzero(s[1:] != s[:-1])[0]
    # linear interpolation of the zero crossings; period = twice the mean half-period
    tz = t[idx] - pitch[idx] * step / (pitch[idx + 1] - pitch[idx])
    period = 2 * np.mean(np.diff(tz))
    # 0.01 rad amplitude: the nonlinear period shift is ~amp^2 / 16 ~ 6e-6
    assert abs(period / (2 * math.pi / wp) - 1) < 1e-4
    assert np.max(np.abs(pitch)) < 0.0101
