"""Unit tests of the propagator: API, interpolation, burns, events, batch, errors."""

import pickle

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st

from qingzhou_sim.constants import EARTH
from qingzhou_sim.errors import EpochOrderError, InputError, PropagationError, UnknownNameError
from qingzhou_sim.forces import ForceModel, ZonalGravity
from qingzhou_sim.maneuvers import Burn
from qingzhou_sim.propagator import (
    METHODS,
    BatchHistory,
    Propagator,
    altitude_event,
    apsis_event,
    arglat_event,
    node_event,
    propagate_batch,
    specific_energy,
)
from qingzhou_sim.state import State, StateBatch

MM = 1e-6  # km
CM = 1e-5  # km
MM_S = 1e-6  # km/s
MS = 1e-3  # s
DEG = np.pi / 180
EPOCH = Time("2026-05-01T00:00:00", scale="utc")
STATION = State.from_elements(
    EPOCH, a=(EARTH.radius_km + 390) * u.km, inc=41.47 * u.deg, nu=5 * u.deg
)
INSERTION = State.from_altitudes(
    EPOCH,
    perigee_altitude=200 * u.km,
    apogee_altitude=380 * u.km,
    inc=41.47 * u.deg,
    argp=30 * u.deg,
)
J2 = ForceModel(gravity=ZonalGravity(max_degree=2))


def test_default_propagator_settings():
    prop = Propagator()
    assert prop.method == "dop853"
    assert prop.force_model == ForceModel.default()
    assert Propagator(method="kepler").force_model == ForceModel.two_body()


def test_unknown_method_lists_valid_keys():
    with pytest.raises(UnknownNameError, match="'dop853', 'kepler', 'rk4'") as info:
        Propagator(method="rk45")
    assert info.value.choices == METHODS


def test_kepler_refuses_perturbed_force_models():
    with pytest.raises(InputError, match="two_body"):
        Propagator(J2, method="kepler")


@pytest.mark.parametrize(
    "kw", [{"rtol": 0.0}, {"atol": -1.0}, {"rtol": 1e-16}, {"step_s": float("nan")}]
)
def test_bad_tolerances_rejected(kw):
    with pytest.raises(InputError):
        Propagator(**kw)


def test_propagate_to_epoch_duration_and_backward():
    prop = Propagator(J2)
    a = prop.propagate(STATION, EPOCH + 2 * u.h)
    b = prop.propagate(STATION, 2 * u.h)
    assert a.status == "success" and a.final_state.epoch == EPOCH + 2 * u.h
    np.testing.assert_allclose(a.final_state.r_km, b.final_state.r_km, atol=1 * MM)
    back = prop.propagate(a.final_state, -2 * u.h)
    assert back.t_s[0] == pytest.approx(-7200.0) and back.t_s[-1] == 0.0
    np.testing.assert_allclose(back.final_state.r_km, STATION.r_km, atol=1 * MM)
    assert abs((back.final_state.epoch - EPOCH).to_value(u.s)) < 1e-6


def test_output_epochs_straddling_the_initial_epoch():
    prop = Propagator(J2)
    epochs = EPOCH + np.array([-5400.0, -100.0, 0.0, 250.0, 5400.0]) * u.s
    traj = prop.propagate(STATION, epochs)
    np.testing.assert_allclose(traj.t_s, [-5400.0, -100.0, 0.0, 250.0, 5400.0], atol=1e-6)
    np.testing.assert_allclose(traj.rv_km[2], STATION.rv_km, atol=1e-12)
    fwd = prop.propagate(STATION, epochs[-1]).final_state
    bwd = prop.propagate(STATION, epochs[0]).final_state
    np.testing.assert_allclose(traj.r_km[-1], fwd.r_km, atol=1 * MM)
    np.testing.assert_allclose(traj.r_km[0], bwd.r_km, atol=1 * MM)


def test_unordered_output_epochs_rejected():
    with pytest.raises(EpochOrderError, match="increasing order"):
        Propagator(J2).propagate(STATION, EPOCH + [100.0, 50.0] * u.s)


def test_nan_states_and_bad_inputs_rejected():
    prop = Propagator(J2)
    with pytest.raises(InputError, match="NaN"):
        prop.propagate_rv(np.array([7000.0, 0, 0, 0, np.nan, 0]), np.array([10.0]))
    with pytest.raises(InputError, match="State"):
        prop.propagate(STATION.rv_km, 1 * u.h)
    with pytest.raises(InputError, match="no unit"):
        prop.propagate(STATION, 3600.0)
    with pytest.raises(EpochOrderError):
        prop.propagate_rv(STATION.rv_km, np.array([20.0, 10.0]))


def test_state_at_uses_dense_output_not_samples():
    prop = Propagator(J2)
    traj = prop.propagate(STATION, 3 * u.h)
    # An epoch between two samples, far from both.
    i = len(traj) // 2
    t_mid = 0.5 * (traj.t_s[i] + traj.t_s[i + 1])
    assert traj.t_s[i + 1] - traj.t_s[i] > 60.0
    mid = traj.state_at(EPOCH + t_mid * u.s)
    direct = prop.propagate(STATION, EPOCH + t_mid * u.s).final_state
    np.testing.assert_allclose(mid.r_km, direct.r_km, atol=1 * MM)
    np.testing.assert_allclose(mid.v_km_s, direct.v_km_s, atol=1e-3 * MM_S)
    batch = traj.states_at(EPOCH + [t_mid, traj.t_s[i]] * u.s)
    np.testing.assert_allclose(batch.r_km[0], mid.r_km, atol=1e-9)
    np.testing.assert_allclose(batch.r_km[1], traj.r_km[i], atol=1e-9)
    with pytest.raises(InputError, match="outside the trajectory span"):
        traj.state_at(EPOCH + 4 * u.h)


def test_rk4_and_kepler_interpolation():
    rk4 = Propagator(ForceModel.two_body(), method="rk4", step_s=5.0).propagate(STATION, 1 * u.h)
    kep = Propagator(method="kepler").propagate(STATION, 1 * u.h)
    t = EPOCH + 1234.5 * u.s
    np.testing.assert_allclose(rk4.state_at(t).r_km, kep.state_at(t).r_km, atol=1 * CM)
    np.testing.assert_allclose(rk4.final_state.r_km, kep.final_state.r_km, atol=1 * MM)


def test_propagate_rv_matches_propagate_and_handles_impulses():
    prop = Propagator()
    t = np.array([-600.0, 0.0, 1000.0, 2000.0, 5000.0])
    rv = prop.propagate_rv(STATION.rv_km, t, epoch=EPOCH)
    traj = prop.propagate(STATION, EPOCH + t * u.s)
    np.testing.assert_allclose(rv, traj.rv_km, atol=1 * MM)
    dv = np.array([1e-3, -2e-3, 0.5e-3])  # km/s, inertial
    burn = Burn(EPOCH + 1000.0 * u.s, dv * 1e3 * u.m / u.s, "GCRS", "test")
    with_burn = prop.propagate(STATION, EPOCH + t[1:] * u.s, burns=[burn])
    rv_b = prop.propagate_rv(
        STATION.rv_km, t[1:], impulses_t_s=[1000.0], impulses_dv_km_s=[dv], epoch=EPOCH
    )
    np.testing.assert_allclose(rv_b, with_burn.rv_km, atol=1 * MM)
    # The output at the impulse time is the post-impulse state.
    np.testing.assert_allclose(rv_b[1, 3:] - rv[2, 3:], dv, atol=1e-12)


def test_backward_burn_undoes_forward_burn():
    prop = Propagator(J2)
    burn = Burn(EPOCH + 1500 * u.s, [0.0, 0.0, 2.0] * u.m / u.s, "LVLH", "R")
    fwd = prop.propagate(STATION, 1 * u.h, burns=[burn])
    back = prop.propagate(fwd.final_state, -1 * u.h, burns=[burn])
    np.testing.assert_allclose(back.final_state.rv_km, STATION.rv_km, atol=1 * MM)


def test_burn_outside_span_rejected():
    burn = Burn(EPOCH + 2 * u.h, [1.0, 0, 0] * u.m / u.s)
    with pytest.raises(InputError, match="outside the propagation span"):
        Propagator(J2).propagate(STATION, 1 * u.h, burns=[burn])


def test_events_land_on_their_definition():
    traj = Propagator(J2).propagate(
        INSERTION,
        3 * u.h,
        events=[apsis_event("perigee"), apsis_event("apogee"), node_event("ascending"),
                node_event("descending"), arglat_event(90 * u.deg)],
    )  # fmt: skip
    names = [e.name for e in traj.events]
    for n in ("perigee", "apogee", "ascending node", "descending node", "arglat 90 deg"):
        assert names.count(n) in (1, 2)
    times = [(e.epoch - EPOCH).to_value(u.s) for e in traj.events]
    assert times == sorted(times)
    for e in traj.events:
        r, v = e.state.r_km, e.state.v_km_s
        if e.name in ("perigee", "apogee"):
            assert abs(np.dot(r, v) / np.linalg.norm(r)) < 1e-8  # km/s radial velocity
        elif e.name.endswith("node"):
            assert abs(r[2]) < 1e-5
            assert (v[2] > 0) == (e.name == "ascending node")
        else:
            arglat = e.state.elements().arglat.to_value(u.deg)
            assert abs(arglat - 90.0) < 1e-6


def test_terminal_user_event_truncates_the_trajectory():
    def below_equator(t_s, y):
        return y[2]

    below_equator.terminal = True
    below_equator.direction = -1
    traj = Propagator(J2).propagate(STATION, 3 * u.h, events=[below_equator])
    assert traj.status == "terminated"
    assert traj.events[-1].name == "below_equator" and traj.events[-1].terminal
    assert traj.end == traj.events[-1].epoch
    assert abs(traj.final_state.r_km[2]) < 1e-5
    with pytest.raises(InputError):
        traj.state_at(EPOCH + 3 * u.h)


def test_events_are_picklable_and_validated():
    ev = altitude_event(300 * u.km, direction=-1, terminal=True)
    assert pickle.loads(pickle.dumps(ev)) == ev
    with pytest.raises(InputError, match="direction"):
        altitude_event(300 * u.km, direction=2)
    with pytest.raises(UnknownNameError):
        apsis_event("periapsis")
    with pytest.raises(UnknownNameError):
        node_event("up")
    with pytest.raises(InputError, match="not callable"):
        Propagator(J2).propagate(STATION, 1 * u.h, events=[42])


def test_reentry_in_propagate_rv_is_a_propagation_error():
    low = State.from_elements(
        EPOCH, a=(EARTH.radius_km + 120) * u.km, ecc=0.0 * u.one, inc=10 * u.deg
    )
    with pytest.raises(PropagationError, match="re-entered") as info:
        Propagator().propagate_rv(low.rv_km, np.array([86400.0]))
    assert 0 < info.value.last_epoch < 86400.0


def test_solver_failure_raises_with_last_epoch():
    with pytest.raises(PropagationError, match="maximum number of steps") as info:
        Propagator(J2, max_steps=3).propagate(STATION, 1 * u.day)
    assert isinstance(info.value.last_epoch, Time)


def test_trajectory_views():
    burn = Burn(EPOCH + 1800 * u.s, [0.5, 0, 0] * u.m / u.s, "LVLH", "NC1")
    traj = Propagator(J2).propagate(STATION, 2 * u.h, burns=[burn], output_step=10 * u.min)
    assert len(traj) == 13
    np.testing.assert_allclose(traj.t_s, np.arange(13) * 600.0)
    df = traj.to_dataframe()
    assert list(df.columns) == [
        "epoch_utc",
        "t_s",
        "x_km",
        "y_km",
        "z_km",
        "vx_km_s",
        "vy_km_s",
        "vz_km_s",
    ]
    part = traj.slice(EPOCH + 1 * u.h, EPOCH + 90 * u.min)
    assert part.t_s[0] == 3600.0 and part.t_s[-1] == 5400.0 and part.burns == ()
    text = str(traj)
    assert "status: success" in text and "NC1" in text and "2.000 h" in text
    assert traj.initial_state is STATION
    assert traj.r.unit == u.km and traj.v.unit == u.km / u.s
    assert traj.epochs[-1] == EPOCH + 2 * u.h


def test_batch_matches_single_propagations():
    rng = np.random.default_rng(3)
    r = STATION.r_km + rng.uniform(-1, 1, (20, 3))
    v = STATION.v_km_s + rng.uniform(-1e-3, 1e-3, (20, 3))
    batch = StateBatch.from_vectors(EPOCH, r, v)
    final = propagate_batch(batch, 1 * u.h, rtol=1e-10, atol=1e-10)
    assert len(final) == 20 and final.epochs.isscalar and final.epochs == EPOCH + 1 * u.h
    prop = Propagator(rtol=1e-10, atol=1e-10)
    for k in (0, 7, 19):
        single = prop.propagate(batch[k], 1 * u.h).final_state
        np.testing.assert_allclose(final.r_km[k], single.r_km, atol=1 * MM)
    rk4 = propagate_batch(batch, 1 * u.h, step=5 * u.s)
    np.testing.assert_allclose(rk4.r_km, final.r_km, atol=1 * CM)
    hist = propagate_batch(batch, 1 * u.h, output="history", output_step=20 * u.min)
    assert isinstance(hist, BatchHistory) and hist.rv_km.shape == (20, 3, 6)
    np.testing.assert_allclose(hist.rv_km[:, -1, :3], final.r_km, atol=1 * CM)
    back = propagate_batch(final, -1 * u.h, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(back.r_km, r, atol=1 * MM)


def test_batch_errors():
    batch = StateBatch.from_vectors(EPOCH, STATION.r_km[None], STATION.v_km_s[None])
    with pytest.raises(UnknownNameError):
        propagate_batch(batch, 1 * u.h, output="all")
    with pytest.raises(InputError, match="output_step"):
        propagate_batch(batch, 1 * u.h, output="history")
    two = StateBatch.from_states(
        [STATION, State.from_vectors(EPOCH + 1 * u.s, STATION.r_km, STATION.v_km_s)]
    )
    with pytest.raises(InputError, match="common epoch"):
        propagate_batch(two, 1 * u.h)


@settings(max_examples=15)
@given(
    st.floats(6600.0, 8000.0),
    st.floats(0.0, 0.05),
    st.floats(0.0, np.pi),
    st.floats(0.0, 2 * np.pi),
    st.floats(-3 * 3600.0, 3 * 3600.0).filter(lambda t: abs(t) > 1.0),
)
def test_dop853_two_body_agrees_with_kepler_property(a, ecc, inc, nu, dt):
    state = State.from_elements(EPOCH, a=a * u.km, ecc=ecc * u.one, inc=inc * u.rad, nu=nu * u.rad)
    num = Propagator(ForceModel.two_body()).propagate_rv(state.rv_km, np.array([dt]))[0]
    kep = Propagator(method="kepler").propagate_rv(state.rv_km, np.array([dt]))[0]
    np.testing.assert_allclose(num[:3], kep[:3], atol=1 * MM)
    e = specific_energy(np.stack([state.rv_km, num])).value
    assert abs(e[1] - e[0]) < 1e-9 * abs(e[0])


def test_batch_with_a_reentering_sample_gives_it_its_own_epoch():
    low = State.from_altitudes(
        EPOCH, perigee_altitude=105 * u.km, apogee_altitude=140 * u.km, inc=41.47 * u.deg
    )
    batch = StateBatch.from_states([STATION, low, STATION])
    final = propagate_batch(batch, 6 * u.h)
    dt = (final.epochs - EPOCH).to_value(u.s)
    assert dt.shape == (3,)
    assert dt[0] == pytest.approx(6 * 3600.0) and dt[2] == pytest.approx(6 * 3600.0)
    assert 0 < dt[1] < 6 * 3600.0
    assert final[1].altitude.to_value(u.km) == pytest.approx(100.0, abs=1e-6)
    np.testing.assert_allclose(final.r_km[0], final.r_km[2], atol=1e-9)


def test_epoch_dependent_forces_need_the_epoch():
    from qingzhou_sim.forces import Drag, HarrisPriester, ThirdBody

    fm = ForceModel(
        drag=Drag(atmosphere=HarrisPriester()), third_bodies=(ThirdBody("sun"), ThirdBody("moon"))
    )
    prop = Propagator(fm)
    with pytest.raises(InputError, match="epoch"):
        prop.propagate_rv(STATION.rv_km, np.array([600.0]))
    rv = prop.propagate_rv(STATION.rv_km, np.array([600.0]), epoch=EPOCH)
    traj = prop.propagate(STATION, 600 * u.s)
    np.testing.assert_allclose(rv[0], traj.final_state.rv_km, atol=1e-9)
    # Sun and Moon move the station by metres over a day, not kilometres.
    no_3b = Propagator(ForceModel(drag=Drag(atmosphere=HarrisPriester()))).propagate(
        STATION, 1 * u.day
    )
    d = np.linalg.norm(prop.propagate(STATION, 1 * u.day).final_state.r_km - no_3b.final_state.r_km)
    assert 1e-4 < d < 1.0  # km


def _force_models_for_block_test():
    from qingzhou_sim.forces import Drag, HarrisPriester, PointMass, ThirdBody

    both = (ThirdBody("sun"), ThirdBody("moon"))
    return {
        "point-mass": ForceModel(gravity=PointMass()),
        "J2": ForceModel(gravity=ZonalGravity(2)),
        "J3": ForceModel(gravity=ZonalGravity(3)),
        "J2-J4 + drag": ForceModel.default(),
        "HP drag + Sun + Moon": ForceModel(
            drag=Drag(atmosphere=HarrisPriester()), third_bodies=both
        ),
    }


@pytest.mark.parametrize("name", list(_force_models_for_block_test()))
def test_block_rhs_equals_the_force_kernel(name):
    # The lock-step batch evaluates the forces for a block of samples at once; it must be
    # the same function as forces._rhs, term for term.
    from qingzhou_sim.forces import _rhs
    from qingzhou_sim.propagator._ensemble import _rhs_block

    p = _force_models_for_block_test()[name].build(2461000.5)
    rng = np.random.default_rng(7)
    r = rng.normal(size=(3, 50))
    r *= (EARTH.radius_km + rng.uniform(150.0, 900.0, 50)) / np.linalg.norm(r, axis=0)
    Y = np.vstack([r, rng.normal(size=(3, 50)) * 4.0])
    out = np.empty_like(Y)
    _rhs_block(np.full(50, 1234.5), Y, p, out)
    expected = np.array([_rhs(1234.5, Y[:, i].copy(), p) for i in range(50)]).T
    np.testing.assert_array_equal(out, expected)  # same operations: bit for bit
    # Lanes at different times (after rejections the lanes drift apart).
    T = 1234.5 + np.arange(50.0) * 37.0
    _rhs_block(T, Y, p, out)
    expected = np.array([_rhs(T[i], Y[:, i].copy(), p) for i in range(50)]).T
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("method", ["rk4", "kepler"])
def test_reentry_located_for_every_method(method):
    # A ballistic 50 x 300 km orbit: perigee below 100 km, so even two-body motion re-enters.
    state = State.from_altitudes(
        EPOCH,
        perigee_altitude=50 * u.km,
        apogee_altitude=300 * u.km,
        inc=41.47 * u.deg,
        nu=180 * u.deg,
    )
    prop = Propagator(ForceModel.two_body(), method=method, step_s=5.0)
    traj = prop.propagate(state, 3 * u.h)
    ref = Propagator(ForceModel.two_body()).propagate(state, 3 * u.h)
    assert traj.status == "reentry" == ref.status
    t = (traj.events[-1].epoch - ref.events[-1].epoch).to_value(u.s)
    assert abs(t) < 10 * MS
    assert traj.final_state.altitude.to_value(u.km) == pytest.approx(100.0, abs=1e-3)


def test_batch_results_do_not_depend_on_chunking():
    # A Monte Carlo campaign may be split over processes in any way: each sample's result
    # must be the same whichever samples share its block (bit for bit), and equal to the
    # single-state kernel.
    rng = np.random.default_rng(11)
    n = 150
    r = STATION.r_km + rng.uniform(-50, 50, (n, 3))
    v = STATION.v_km_s + rng.uniform(-0.02, 0.02, (n, 3))
    whole = propagate_batch(StateBatch.from_vectors(EPOCH, r, v), 3 * u.h)
    perm = rng.permutation(n)
    shuffled = propagate_batch(StateBatch.from_vectors(EPOCH, r[perm], v[perm]), 3 * u.h)
    np.testing.assert_array_equal(shuffled.rv_km, whole.rv_km[perm])
    threaded = propagate_batch(StateBatch.from_vectors(EPOCH, r, v), 3 * u.h, parallel=True)
    np.testing.assert_array_equal(threaded.rv_km, whole.rv_km)
    part = propagate_batch(StateBatch.from_vectors(EPOCH, r[37:41], v[37:41]), 3 * u.h)
    np.testing.assert_array_equal(part.rv_km, whole.rv_km[37:41])
    single = Propagator(rtol=1e-9, atol=1e-9).propagate_rv(
        np.concatenate([r[5], v[5]]), [10800.0], epoch=EPOCH
    )
    np.testing.assert_array_equal(single[0], whole.rv_km[5])


def test_settings_and_results_pickle_for_process_pools():
    from qingzhou_sim.forces import Drag, HarrisPriester, ThirdBody

    fm = ForceModel(drag=Drag(atmosphere=HarrisPriester(n=4)), third_bodies=(ThirdBody("moon"),))
    prop = Propagator(fm, rtol=1e-9, atol=1e-9)
    assert pickle.loads(pickle.dumps(prop)) == prop
    traj = Propagator(J2).propagate(STATION, 1 * u.h, events=[node_event("ascending")])
    back = pickle.loads(pickle.dumps(traj))
    t = EPOCH + 1234.5 * u.s
    np.testing.assert_array_equal(back.state_at(t).rv_km, traj.state_at(t).rv_km)
