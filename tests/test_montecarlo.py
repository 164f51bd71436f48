"""Dispersion campaigns: determinism across executors, nominal equality, failures
recorded, statistical sanity."""

import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from qingzhou_sim.errors import InputError, UnknownNameError
from qingzhou_sim.mission import Mission
from qingzhou_sim.montecarlo import Dispersions, draw_perturbations, run_campaign

N = 4


@pytest.fixture(scope="module")
def mission():
    return Mission.default()


@pytest.fixture(scope="module")
def serial(mission):
    return run_campaign(mission, N, seed=11, workers=1, progress=False)


def test_rows_in_index_order_with_all_columns(serial):
    frame = serial.samples
    assert list(frame["index"]) == list(range(N))
    for column in (
        "docked",
        "failure",
        "total_delta_v_m_s",
        "phasing_delta_v_m_s",
        "propellant_kg",
        "closing_speed_m_s",
        "lateral_offset_m",
        "n_collision_avoidance",
        "phasing_duration_s",
    ):
        assert column in frame.columns


def test_same_seed_same_rows_on_two_processes(mission, serial):
    pooled = run_campaign(mission, N, seed=11, workers=2, chunk_size=1, progress=False)
    pd.testing.assert_frame_equal(serial.samples, pooled.samples)


def test_same_seed_same_rows_on_any_executor_and_chunking(mission, serial):
    with ProcessPoolExecutor(max_workers=2) as pool:
        other = run_campaign(mission, N, seed=11, executor=pool, chunk_size=3, progress=False)
    pd.testing.assert_frame_equal(serial.samples, other.samples)


def test_same_seed_same_rows_on_a_dask_cluster(mission, serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_campaign(mission, N, seed=11, executor=client, progress=False)
    pd.testing.assert_frame_equal(serial.samples, on_dask.samples)


def test_dispersions_off_reproduce_the_nominal_mission(mission):
    # The campaign fixes the launch window once; the nominal run with that liftoff:
    nominal = mission.with_liftoff().run().to_record()
    off = run_campaign(
        mission, 2, seed=5, dispersions=Dispersions.none(), workers=1, progress=False
    )
    for row in off.samples.to_dict("records"):
        for key, value in nominal.items():
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(row[key]), key
            else:
                assert row[key] == value, key


def test_a_failing_sample_is_recorded_and_the_campaign_goes_on(mission):
    # Ten times the navigation and execution errors break the approach's safety checks
    # (or the plan) in some samples; every sample must still be a row.
    wild = run_campaign(
        mission, 3, seed=2, dispersions=Dispersions(scale=25.0), workers=1, progress=False
    )
    assert len(wild.samples) == 3
    failed = wild.samples[~wild.samples["docked"]]
    assert len(failed) >= 1
    assert all(isinstance(r, str) and r for r in failed["failure"])
    assert "Docked" in wild.summary()


def test_insertion_spread_grows_with_scale(mission):
    # Only the launcher's insertion errors: the phasing delta-v spread grows with them.
    spreads = []
    for scale in (0.5, 3.0):
        c = run_campaign(
            mission,
            6,
            seed=3,
            dispersions=Dispersions.only("insertion", scale=scale),
            workers=1,
            progress=False,
        )
        spreads.append(np.std(c.samples["phasing_delta_v_m_s"].to_numpy(float)))
    assert spreads[1] > 2.0 * spreads[0]


def test_draws_do_not_depend_on_other_terms(mission):
    a = draw_perturbations(mission, Dispersions(), seed=1, index=7)
    b = draw_perturbations(mission, Dispersions.only("insertion"), seed=1, index=7)
    assert a.insertion_lvlh == b.insertion_lvlh
    assert b.density_scale_chaser == 1.0


def test_summary_statistics_and_json(serial, tmp_path):
    stats = serial.delta_v_stats()["total_delta_v_m_s"]
    values = serial.samples["total_delta_v_m_s"].to_numpy(float)
    assert stats["mean"] == pytest.approx(values.mean())
    assert stats["p99"] >= stats["p95"] >= values.min()
    lo, hi = serial.success_interval()
    assert 0 <= lo <= serial.success_rate <= hi <= 1
    js = serial.to_json_dict()
    assert {"n", "seed", "success_rate", "delta_v_m_s", "samples"} <= set(js)
    assert [s["index"] for s in js["samples"]] == list(range(N))
    assert all(s["failure"] is None or isinstance(s["failure"], str) for s in js["samples"])
    assert all(s["failure"] is None for s in js["samples"] if s["docked"])
    paths = serial.save(tmp_path)
    for key in ("samples", "summary", "summary_txt", "delta_v", "contact"):
        assert paths[key].exists() and paths[key].stat().st_size > 0
    assert len(pd.read_parquet(paths["samples"])) == N
    assert "Docked:" in paths["summary_txt"].read_text()


def test_bad_campaign_inputs(mission):
    with pytest.raises(InputError, match="n = 0"):
        run_campaign(mission, 0)
    with pytest.raises(InputError, match="workers = 0"):
        run_campaign(mission, 2, workers=0)
    with pytest.raises(InputError, match="must be a finite number >= 0"):
        Dispersions(insertion=-1.0)
    with pytest.raises(UnknownNameError, match="unknown dispersion 'gravity'"):
        Dispersions.only("gravity")
    with pytest.raises(InputError, match="neither a concurrent.futures.Executor"):
        run_campaign(mission, 2, executor=object())


def test_failures_are_summarised_by_kind():
    from qingzhou_sim.montecarlo import _failure_kind

    a = "InfeasiblePlanError: station phase angle at insertion 4.82 deg is outside x"
    b = "InfeasiblePlanError: station phase angle at insertion 5.00 deg is outside y"
    assert (
        _failure_kind(a)
        == _failure_kind(b)
        == ("InfeasiblePlanError: station phase angle at insertion ...")
    )
    reason = "approach ellipsoid entered outside the entry corridor"
    assert _failure_kind(reason) == reason
    assert _failure_kind(None) == "unknown"


def test_delta_v_figure_has_a_row_per_varying_phase(serial):
    from qingzhou_sim.plotting import plot_delta_v_distributions

    fig = plot_delta_v_distributions(serial)
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("total: histogram") for t in titles)
    assert any(t.startswith("phasing: histogram") for t in titles)
    # no sample needed a collision-avoidance manoeuvre: a constant 0 is not drawn
    assert serial.samples["collision_avoidance_delta_v_m_s"].eq(0).all()
    assert not any(t.startswith("collision avoidance") for t in titles)


def test_blas_is_pinned_once_per_chunk(mission, monkeypatch):
    """threadpoolctl's pin costs milliseconds: a chunk pins BLAS to one thread once, and
    every sample of it runs inside that pin (what makes rows bit-identical)."""
    import threadpoolctl

    import qingzhou_sim.montecarlo as mc
    from qingzhou_sim.mission._guard import _RUN_GUARD

    pins, depths = [], []
    real = threadpoolctl.threadpool_limits

    def counting(*args, **kwargs):
        pins.append(kwargs.get("limits"))
        return real(*args, **kwargs)

    def stub(mission, perturbations, reference=None):
        depths.append(_RUN_GUARD._depth)
        return {}

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", counting)
    monkeypatch.setattr(mc, "sample_record", stub)
    rows = mc._run_samples(mission, Dispersions(), 3, [0, 1, 2], None)
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert pins == [1]
    assert depths == [1, 1, 1]
