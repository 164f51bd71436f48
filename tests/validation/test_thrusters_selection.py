"""Thruster selection (docking/thrusters.py): the commanded force and torque are
reproduced within the minimum-impulse quantisation; the NNLS core agrees with scipy's;
a pure translation with an offset centre of mass produces the torque -c x F."""

import numpy as np
import pytest
from scipy.optimize import nnls

from qingzhou_sim.docking import thrusters as T
from qingzhou_sim.vehicles import QINGZHOU

POS, DIRS, THRUST = T.qingzhou_rcs_layout()
B = T.effectiveness(POS, DIRS, np.ones(len(THRUST)), np.zeros(3))
TABLE = T.selection_table(B)
MIB = T.thruster_minimum_impulse_n_s(QINGZHOU.min_impulse_bit_m_s, QINGZHOU.mass_kg)
QUANTUM = 0.05  # N s, ThrusterConfig.impulse_quantum_n_s default
DT = 10.0  # s, control period: impulse limit thrust * dt
UMAX = THRUST * DT
COL = np.linalg.norm(B, axis=0)  # wrench of 1 N s of each thruster


def _quantisation_bound(w):
    """Largest wrench error of the pulse-width quantisation: an axis whose thruster
    group would fire a pulse below the minimum impulse is not fired (error: that
    component), the fired thrusters are rounded to half an on-time quantum."""
    dropped = 0.0
    for k in range(6):
        row = TABLE[2 * k if w[k] >= 0 else 2 * k + 1]
        if abs(w[k]) * row[row > 0].min() < MIB:
            dropped += abs(w[k])
    return dropped + float(COL.sum() * QUANTUM / 2) + 1e-9


def test_layout_controls_all_six_axes():
    assert B.shape == (6, 32)
    assert np.linalg.matrix_rank(B) == 6


@pytest.mark.parametrize("seed", range(20))
def test_nnls_matches_scipy(seed):
    w = np.random.default_rng(seed).normal(0, 100.0, 6)
    u = T._nnls(B, w)
    u_ref, res_ref = nnls(B, w)  # scipy.optimize.nnls, Lawson-Hanson
    assert np.all(u >= 0)
    assert abs(np.linalg.norm(B @ u - w) - res_ref) <= 1e-9 * np.linalg.norm(w)


@pytest.mark.parametrize("seed", range(20))
def test_selection_reproduces_force_and_torque_within_the_minimum_impulse(seed):
    w = np.random.default_rng(100 + seed).normal(0, 150.0, 6)  # N s, N m s
    exact = T.select(TABLE, w, np.full(32, np.inf), 0.0, 0.0)
    assert np.all(exact >= 0)
    np.testing.assert_allclose(B @ exact, w, atol=1e-9 * np.linalg.norm(w))
    u = T.select(TABLE, w, UMAX, MIB, QUANTUM)
    fired = u[u > 0]
    assert np.all(fired >= MIB) and np.all(u <= UMAX)
    assert np.allclose(fired / QUANTUM, np.round(fired / QUANTUM))
    assert np.linalg.norm(B @ u - w) <= _quantisation_bound(w)


def test_one_minimum_translation_pulse_is_the_vehicle_figure():
    # an axial pulse fires the four end-face thrusters: 4 x MIB = 0.01 m/s on 5 t
    u = T.select(TABLE, np.array([4 * MIB, 0, 0, 0, 0, 0]), UMAX, MIB, QUANTUM)
    dv = (B @ u)[0] / QINGZHOU.mass_kg
    assert abs(dv - QINGZHOU.min_impulse_bit_m_s) < 1e-12


def test_below_the_minimum_impulse_nothing_fires():
    w = np.array([0.9 * 4 * MIB, 0, 0, 0, 0, 0])  # four axial thrusters share it
    assert not np.any(T.select(TABLE, w, UMAX, MIB, QUANTUM))


def test_a_torque_couple_never_fires_unbalanced():
    # a roll command just above one couple's minimum plus a small sideways force: the
    # force group stays off instead of firing one thruster of it
    w = np.array([0.0, 5.0, 0.0, 60.0, 0.0, 0.0])
    u = T.select(TABLE, w, UMAX, MIB, QUANTUM)
    np.testing.assert_allclose((B @ u)[:3], 0.0, atol=1e-9)
    assert (B @ u)[3] > 0


def test_offset_centre_of_mass_turns_a_translation_into_a_torque():
    # pure +x force through the nominal centre of mass, flown with the centre of mass
    # off the axis: torque about the true centre = (0 - c) x F (moment arm, r x F)
    force = np.array([400.0, 0.0, 0.0])  # N s
    u = T.select(TABLE, np.concatenate([force, np.zeros(3)]), UMAX, MIB, QUANTUM)
    np.testing.assert_allclose(B @ u, [*force, 0, 0, 0], atol=1e-9)
    com = np.array([0.0, 0.03, -0.04])  # m
    wrench = T.effectiveness(POS, DIRS, np.ones(len(THRUST)), com) @ u
    np.testing.assert_allclose(wrench[3:], np.cross(-com, force), atol=1e-9 * 400.0)
    assert np.linalg.norm(wrench[3:]) > 10.0  # N m s: 400 N s on a 5 cm arm
