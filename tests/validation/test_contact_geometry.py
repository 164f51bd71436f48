"""Contact geometry (docking/contact.py): a hand-built pose of the two port frames with
known offsets, angles and rates gives the expected nine contact figures. The chaser's
attitude is built with scipy's Rotation (an independent library), the expected port
velocities by the rigid-body formula v + w x r written out here."""

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from qingzhou_sim.docking import bodies as B
from qingzhou_sim.docking import contact as C
from qingzhou_sim.vehicles import QINGZHOU, TIANGONG

N_ORB = math.sqrt(398600.4418 / 6768.137**3)  # rad/s, 390 km (mission-facts sec. 1)
TOL_KM = 1e-12  # km (1 nm): exact geometry, rounding only
TOL_RAD = 1e-12


def _q(yaw, pitch, roll):
    x, y, z, w = Rotation.from_euler("ZYX", [yaw, pitch, roll]).as_quat()
    return np.array([w, x, y, z])


def _pose(port_name, ypr_deg, rate_deg_s, offset_m, vel_m_s):
    """Chaser port centre at the station port + offset (LVLH, m), chaser attitude the
    docked one turned by yaw-pitch-roll (chaser axes), rates relative to the station."""
    st_port = TIANGONG.port(port_name)
    ch_port = QINGZHOU.port("front")
    ports = C.ports_array(st_port, ch_port)
    q_dock = B.docked_quat(st_port.axis, ch_port.axis)
    xs = B.initial_state([1, 0, 0, 0], [0, 0, 0], N_ORB)  # station holds LVLH
    dq = _q(*np.radians(ypr_deg))
    rot = Rotation.from_quat([*q_dock[1:], q_dock[0]]) * Rotation.from_quat([*dq[1:], dq[0]])
    x, y, z, w = rot.as_quat()
    w_rel = np.radians(rate_deg_s)  # relative to LVLH = relative to the station here
    xc = B.initial_state([w, x, y, z], w_rel, N_ORB)
    r_port = np.asarray(st_port.position_m) + np.asarray(offset_m)
    arm = rot.apply(ch_port.position_m)  # chaser CoM -> port, LVLH, m
    rel = np.empty(6)
    rel[:3] = (r_port - arm) / 1e3
    # CoM velocity such that the port centre moves at vel_m_s: v_port = v + R (w x p)
    rel[3:] = (np.asarray(vel_m_s) - rot.apply(np.cross(w_rel, ch_port.position_m))) / 1e3
    return rel, xs, xc, ports, q_dock


@pytest.mark.parametrize("port", ["aft", "forward", "radial"])
def test_hand_built_pose_gives_the_nine_figures(port):
    axis = np.asarray(TIANGONG.port(port).axis)
    lateral = np.cross(axis, [0.0, 1.0, 0.0]) if abs(axis[1]) < 0.5 else [1.0, 0, 0]
    lateral = np.asarray(lateral) / np.linalg.norm(lateral)
    offset = 0.07 * lateral + 0.3 * axis  # 7 cm across, 30 cm in front of the port
    vel = -0.11 * axis + 0.02 * np.array([0.0, 1.0, 0.0])  # closing 0.11 m/s
    lat_vel = vel - (vel @ axis) * axis
    ypr = (1.0, -2.0, 3.0)  # deg
    rates = (0.3, -0.2, 0.1)  # deg/s about chaser x (roll), y (pitch), z (yaw)
    rel, xs, xc, ports, q_dock = _pose(port, ypr, rates, offset, vel)
    fig = C.figures(rel, xs, xc, ports, q_dock, N_ORB)
    assert abs(C.separation(rel, xs, xc, ports, N_ORB) - 0.3e-3) < TOL_KM
    assert abs(fig[C.C_VCL] - 0.11e-3) < TOL_KM
    assert abs(fig[C.C_LAT] - 0.07e-3) < TOL_KM
    assert abs(fig[C.C_LATR] - np.linalg.norm(lat_vel) / 1e3) < TOL_KM
    np.testing.assert_allclose(
        fig[[C.C_YAW, C.C_PITCH, C.C_ROLL]], np.radians(ypr), rtol=0, atol=TOL_RAD
    )
    np.testing.assert_allclose(
        fig[[C.C_ROLL_RATE, C.C_PITCH_RATE, C.C_YAW_RATE]],
        np.radians(rates),
        rtol=0,
        atol=TOL_RAD,
    )


def test_rotated_station_and_aligned_chaser_are_not_misaligned():
    # the station 1 deg off LVLH in yaw, the chaser turned with it and sitting on the
    # rotated port axis: no misalignment, no lateral offset
    st_port, ch_port = TIANGONG.port("aft"), QINGZHOU.port("front")
    ports = C.ports_array(st_port, ch_port)
    q_dock = B.docked_quat(st_port.axis, ch_port.axis)
    qs = _q(math.radians(1.0), 0.0, 0.0)
    xs = B.initial_state(qs, [0, 0, 0], N_ORB)
    xc = B.initial_state(qs, [0, 0, 0], N_ORB)
    rot = Rotation.from_quat([*qs[1:], qs[0]])
    port_lvlh = rot.apply(st_port.position_m) + 0.5 * rot.apply(st_port.axis)
    rel = np.zeros(6)
    rel[:3] = (port_lvlh - rot.apply(ch_port.position_m)) / 1e3
    fig = C.figures(rel, xs, xc, ports, q_dock, N_ORB)
    assert fig[C.C_LAT] < TOL_KM
    np.testing.assert_allclose(fig[3:], 0.0, atol=TOL_RAD)
    assert abs(C.separation(rel, xs, xc, ports, N_ORB) - 0.5e-3) < TOL_KM
