"""plot_lvlh on Agg: titles, labels with units, R-bar pointing down, zones drawn."""

import astropy.units as u
import numpy as np
import pytest
from matplotlib.figure import Figure

from qingzhou_sim.plotting import plot_lvlh
from qingzhou_sim.relative import (
    ApproachCorridor,
    ApproachEllipsoid,
    KeepOutSphere,
    propagate_relative,
    radial_hop,
)

N_Q = 1.1339e-3 * u.rad / u.s  # 390 km circular (mission-facts.md sec. 1, derived)


def test_plot_lvlh_views_labels_and_rbar_down():
    hop = radial_hop(-2 * u.km, -0.4 * u.km, mean_motion=N_Q)
    drift = propagate_relative(
        [-0.4, 0.05, 0.02] * u.km,
        [0, 0, 0] * u.m / u.s,
        np.arange(0, 3000, 30) * u.s,
        mean_motion=N_Q,
    )
    fig = plot_lvlh(
        [hop, drift],
        labels=["hop", "drift"],
        hold_points=[[-2, 0, 0], [-0.4, 0, 0]] * u.km,
        hold_labels=["S2", "S3"],
        burns=hop,
        keep_out=KeepOutSphere(),
        ellipsoid=ApproachEllipsoid(),
        corridor=ApproachCorridor("-V-bar"),
        title="test approach",
    )
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "test approach"
    vr, vh = fig.axes
    assert vr.get_xlabel() == "V-bar x [m]"
    assert vr.get_ylabel().startswith("R-bar z") and vr.get_ylabel().endswith("[m]")
    assert vh.get_ylabel().startswith("H-bar y")
    assert vr.yaxis_inverted() and not vh.yaxis_inverted()  # R-bar positive down
    legend = [t.get_text() for t in vr.get_legend().get_texts()]
    for name in (
        "hop",
        "drift",
        "keep-out sphere",
        "approach ellipsoid",
        "approach corridor",
        "hold points",
        "burns",
        "target",
    ):
        assert name in legend
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_plot_lvlh_km_units_single_view_and_errors():
    fig = plot_lvlh(np.array([[-5.0, 0, 0], [-3.0, 0, 0.2]]) * u.km, views=("VR",))
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "V-bar x [km]"
    with pytest.raises(ValueError, match="VR"):
        plot_lvlh(np.zeros((2, 3)) * u.km, views=("XY",))
    with pytest.raises(ValueError, match="unit"):
        plot_lvlh(np.zeros((2, 3)) * u.km, unit="ft")
