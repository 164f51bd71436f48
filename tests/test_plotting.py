"""Figures of qingzhou_sim.plotting, docking.plots and phasing.plot on Agg: labels with
units, the artists each figure must draw, the inputs each accepts, and an image
comparison against tests/baseline/ (see tests/plotting_baseline.py)."""

import astropy.units as u
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from plotting_baseline import assert_matches_baseline, default_style

import qingzhou_sim as qz
from qingzhou_sim import plotting
from qingzhou_sim.docking import plot_approach
from qingzhou_sim.docking import plot_range as plot_approach_range
from qingzhou_sim.errors import InputError
from qingzhou_sim.frames import ground_track
from qingzhou_sim.mission.result import MissionResult
from qingzhou_sim.montecarlo import CampaignResult, Dispersions
from qingzhou_sim.phasing import plot_phasing

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def mission():
    with default_style():
        yield qz.Mission.default().run()


@pytest.fixture(autouse=True)
def _style():
    with default_style():
        yield


def _labels(ax):
    return ax.get_xlabel(), ax.get_ylabel()


def _legend_texts(container):
    legend = container.get_legend() if hasattr(container, "get_legend") else None
    legends = [legend] if legend is not None else list(getattr(container, "legends", []))
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def test_delta_v_budget_one_colour_per_phase(mission, tmp_path):
    fig = plotting.plot_delta_v_budget(mission)
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Delta-v [m/s]"
    bars = [p for p in ax.patches]
    phases_with_dv = [p for p in mission.phases if p.delta_v_m_s > 0]
    assert len(bars) == len(phases_with_dv)
    colours = {tuple(b.get_facecolor()) for b in bars}
    assert len(colours) == len(bars)  # no two phases share a colour
    texts = _legend_texts(ax)
    assert [t.split(" (")[0] for t in texts] == [p.name for p in phases_with_dv][::-1]
    # the legend sits outside the axes: it covers no bar
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 > ax.get_window_extent().x1
    assert_matches_baseline(fig, "delta_v_budget", tmp_path)


def test_delta_v_budget_several_results(mission):
    fig = plotting.plot_delta_v_budget([mission, mission], labels=["a", "b"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert len(ax.patches) == 2 * sum(p.delta_v_m_s > 0 for p in mission.phases)


def test_ground_track_both_tracks_coastlines_markers(mission, tmp_path):
    fig = plotting.plot_ground_track(mission)
    (ax,) = fig.axes
    assert _labels(ax) == ("Longitude [deg]", "Geodetic latitude [deg]")
    assert len(ax.collections) == 1 and len(ax.collections[0].get_paths()) > 200  # land
    legend = _legend_texts(fig)
    for name in ("Tiangong", "Qingzhou", "start", "end"):
        assert name in legend
    assert any("launch site" in t for t in legend)
    tiangong = [ln for ln in ax.lines if ln.get_label() == "Tiangong"]
    qingzhou = [ln for ln in ax.lines if ln.get_label() == "Qingzhou"]
    # the station is drawn wider, under the chaser, so both show where they coincide
    assert tiangong[0].get_linewidth() > 2 * qingzhou[0].get_linewidth()
    assert tiangong[0].get_zorder() <= qingzhou[0].get_zorder()
    markers = [ln.get_marker() for ln in ax.lines if len(ln.get_xdata()) == 1]
    assert markers.count("o") == 2 and markers.count("s") == 2  # start and end, two tracks
    assert_matches_baseline(fig, "ground_track", tmp_path)


def test_ground_track_of_a_trajectory_and_an_ephemeris(mission):
    state = qz.State.from_elements(mission.insertion, a=6768.137 * u.km, inc=41.5 * u.deg)
    traj = qz.Propagator().propagate(state, 2 * u.h)
    gt = ground_track(traj)
    assert gt.lat.shape == (len(traj.t_s),)
    fig = plotting.plot_ground_track(traj)
    assert "track" in _legend_texts(fig)
    fig = plotting.plot_ground_track(mission.chaser)
    assert isinstance(fig, Figure)


def test_altitude_is_geodetic_and_time_since_liftoff(mission, tmp_path):
    fig = plotting.plot_altitude_phase(mission)
    ax1, ax2 = fig.axes
    assert ax1.get_ylabel() == "Geodetic altitude [km]"
    assert ax2.get_xlabel() == "Time since liftoff [h:mm]"
    chaser = next(ln for ln in ax1.lines if ln.get_label() == "Qingzhou")
    # first sample is insertion, 10 min after liftoff, at the Kinetica-2 perigee
    # altitude of about 200 km above the ellipsoid (not |r| - R_eq)
    assert chaser.get_xdata()[0] == pytest.approx(
        (mission.insertion - mission.liftoff).to_value(u.h)
    )
    # one label per burn or group of nearby burns, none overlapping
    labels = [t for t in ax1.texts]
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j])
    text = " ".join(t.get_text() for t in labels)
    for burn in mission.burns_phasing:
        assert burn.label in text
    assert_matches_baseline(fig, "altitude_phase", tmp_path)


def test_range_km_log_axes_and_time_since_liftoff(mission, tmp_path):
    fig = plotting.plot_range(mission)
    ax1, ax2, ax3 = fig.axes
    assert ax1.get_ylabel() == "Range [km]" and ax1.get_yscale() == "log"
    assert ax2.get_xlabel() == "Time since liftoff [h:mm]"
    assert ax2.get_ylabel().startswith("Range rate [m/s]")
    assert (ax3.get_xscale(), ax3.get_yscale()) == ("log", "log")
    assert _labels(ax3) == ("Range [km]", "|Range rate| [m/s]")
    assert [t.get_text() for t in ax1.texts] == ["insertion", "hand-over", "contact"]
    assert_matches_baseline(fig, "range", tmp_path)


def test_mission_approach_close_range_panels(mission, tmp_path):
    fig = plotting.plot_mission_approach(mission)
    assert len(fig.axes) == 4
    assert fig.axes[0].get_ylabel().endswith("[km]")
    assert fig.axes[2].get_xlabel() == "V-bar x [m]"
    legend = _legend_texts(fig)
    for name in ("approach corridor", "keep-out sphere", "approach ellipsoid", "hold points"):
        assert name in legend
    close = fig.axes[2]
    corridor = [p for p in close.patches if p.get_label() == "approach corridor"]
    assert corridor and corridor[0].get_fill()  # filled, so that it shows
    assert any(p.get_label() == "keep-out sphere" for p in close.patches)
    lo, hi = sorted(close.get_xlim())
    assert hi - lo == pytest.approx(500.0)  # the last 400 m with a margin, in metres
    assert close.yaxis_inverted()  # R-bar down
    assert_matches_baseline(fig, "approach_lvlh", tmp_path)


def test_approach_result_figures(mission, tmp_path):
    fig = plot_approach(mission.approach)
    assert "V-bar / R-bar" in fig.axes[0].get_title()
    assert "V-bar / H-bar" in fig.axes[1].get_title()
    zoomed = plot_approach(mission.approach, zoom=300 * u.m, unit="m")
    assert zoomed.axes[0].get_xlim() == pytest.approx((-300.0, 300.0))
    fig = plot_approach_range(mission.approach)
    assert fig.axes[1].get_xlabel() == "Time since hand-over [h:mm]"
    fig = plot_approach_range(mission.approach, liftoff=mission.liftoff)
    assert fig.axes[1].get_xlabel() == "Time since liftoff [h:mm]"
    assert fig.axes[0].get_ylabel() == "Range [km]"
    assert_matches_baseline(fig, "approach_range", tmp_path)


def test_plot_lvlh_takes_results(mission):
    fig = plotting.plot_lvlh(mission)
    assert "chaser" in _legend_texts(fig.axes[0])
    fig = plotting.plot_lvlh(mission.approach, views=("VR",))
    line = fig.axes[0].lines[0]
    assert len(line.get_xdata()) == len(mission.approach.t_s)


def test_phasing_figure(mission, tmp_path):
    fig = plot_phasing(mission)
    ax_alt, ax_ph, ax_rel = fig.axes
    assert ax_alt.get_ylabel() == "geodetic altitude [km]"
    assert ax_ph.get_xlabel() == "Time since liftoff [h:mm]"
    assert ax_rel.get_xlabel().endswith("[km]") and ax_rel.get_ylabel().endswith("[km]")
    assert len(ax_alt.lines) == 2 + len(mission.phasing_plan.burns)
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax_alt.texts]
    axes_box = ax_alt.get_window_extent()
    for box in boxes:
        assert axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1  # labels inside the axes
    assert_matches_baseline(fig, "phasing", tmp_path)
    fig = plot_phasing(mission.phasing_plan)
    assert fig.axes[1].get_xlabel() == "Time since insertion [h:mm]"


@pytest.mark.parametrize(
    "func",
    [
        plotting.plot_range,
        plotting.plot_altitude_phase,
        plotting.plot_mission_approach,
        plotting.plot_delta_v_budget,
        plotting.plot_ground_track,
        plot_approach,
        plot_approach_range,
        plot_phasing,
    ],
)
def test_wrong_input_raises_input_error(func):
    with pytest.raises(InputError, match="expected"):
        func("not a result")


def test_wrong_result_types(mission):
    with pytest.raises(InputError, match="MissionResult"):
        plotting.plot_range(mission.chaser)
    with pytest.raises(InputError, match="gcrs_to_lvlh"):
        plotting.plot_lvlh(mission.chaser)
    with pytest.raises(InputError, match="r_gcrs"):
        ground_track(mission.liftoff)


# ------------------------------------------------------------------ campaign figures
def _campaign(n=80, seed=7):
    """A campaign table with the columns of a real one (MissionResult.empty_record)
    filled with seeded normal draws: plot input only, no physics."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        rec = MissionResult.empty_record()
        for key in rec:
            if key.endswith("_delta_v_m_s"):
                rec[key] = abs(rng.normal(5.0, 0.5))
        rec["phasing_delta_v_m_s"] = rng.normal(60.03, 0.013)  # long decimals
        rec["total_delta_v_m_s"] = rng.normal(67.61, 0.02)
        rec["collision_avoidance_delta_v_m_s"] = 0.0
        rec["docked"] = k % 10 != 0
        rec["failure"] = None if rec["docked"] else "approach ellipsoid entered"
        rec["closing_speed_m_s"] = rng.normal(0.12, 0.02)
        rec["lateral_offset_m"] = abs(rng.normal(0.05, 0.04))
        rec["lateral_rate_m_s"] = abs(rng.normal(0.02, 0.02))
        rows.append(rec)
    return CampaignResult(
        samples=pd.DataFrame(rows), n_requested=n, seed=seed, dispersions=Dispersions()
    )


def _no_overlapping_ticks(fig):
    fig.canvas.draw()
    for ax in fig.axes:
        boxes = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
        for a, b in zip(boxes[:-1], boxes[1:]):
            assert not a.overlaps(b)


def test_delta_v_distributions(tmp_path):
    fig = plotting.plot_delta_v_distributions(_campaign())
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("phasing: histogram") for t in titles)
    assert not any(t.startswith("collision avoidance") for t in titles)
    for ax in fig.axes:
        assert ax.get_xlabel().endswith("delta-v [m/s]")
        assert len(ax.lines) >= 2  # p95 and p99 marks
    _no_overlapping_ticks(fig)
    assert_matches_baseline(fig, "campaign_delta_v", tmp_path)


def test_contact_conditions(tmp_path):
    fig = plotting.plot_contact_conditions(_campaign())
    ax1, ax2 = fig.axes
    assert _labels(ax1) == ("Lateral offset [m]", "Closing speed [m/s]")
    assert _labels(ax2) == ("Lateral offset [m]", "Lateral rate [m/s]")
    legend = _legend_texts(fig)
    assert legend == ["capture box", "docked", "not docked"]
    _no_overlapping_ticks(fig)
    assert_matches_baseline(fig, "campaign_contact", tmp_path)


def test_success_vs_scale(tmp_path):
    sweep = {s: _campaign(40, seed=int(10 * s)) for s in (0.5, 1.0, 2.0)}
    fig = plotting.plot_success_vs_scale(sweep)
    (ax,) = fig.axes
    assert _labels(ax) == ("Dispersion scale (x default 1-sigma)", "Docked [%]")
    assert len(ax.lines) == 1 and len(ax.collections) == 1
    assert_matches_baseline(fig, "campaign_success", tmp_path)


def test_figures_use_pyplot_only_in_ipython(monkeypatch):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    fig = plotting.plot_lvlh(np.zeros((2, 3)) * u.km)
    assert len(plt.get_fignums()) == before  # headless: a plain Figure
    monkeypatch.setattr(plotting._common, "_in_interactive_session", lambda: True)
    fig = plotting.plot_lvlh(np.zeros((2, 3)) * u.km)
    assert fig.number in plt.get_fignums()  # in IPython: managed, so it displays
    plt.close(fig)
