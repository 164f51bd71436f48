"""Figures of a campaign: delta-v distributions, contact conditions against the capture
box, success rate against the dispersion scale. Each takes a CampaignResult
(qingzhou_sim.montecarlo) or a sweep of them."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ._common import _figure, _figure_legend, _new_figure

__all__ = ["plot_contact_conditions", "plot_delta_v_distributions", "plot_success_vs_scale"]


def plot_delta_v_distributions(campaign, *, columns=None):
    """Delta-v histogram and empirical CDF per phase, with the 95th and 99th percentiles
    marked (one row of panels per phase; by default every phase whose delta-v varies
    between samples: a constant one, such as no collision avoidance at all, is in the
    summary table instead)."""
    frame = campaign.samples

    def varies(column):
        values = frame[column].to_numpy(float)
        values = values[np.isfinite(values)]
        return values.size > 0 and np.ptp(values) > 0

    columns = (
        columns
        or [c for c in frame.columns if c.endswith("delta_v_m_s") and varies(c)]
        or ["total_delta_v_m_s"]
    )
    fig = _new_figure(figsize=(10, 2.8 * len(columns) + 0.8))
    axes = fig.subplots(len(columns), 2, squeeze=False)
    for (ax_h, ax_c), column in zip(axes, columns):
        values = frame[column].to_numpy(float)
        values = np.sort(values[np.isfinite(values)])
        label = column.removesuffix("_delta_v_m_s").replace("_", " ")
        p95, p99 = np.percentile(values, [95, 99])
        ax_h.hist(values, bins=min(40, max(5, values.size // 5)), color="tab:blue", alpha=0.8)
        ax_c.plot(
            values,
            np.arange(1, values.size + 1) / values.size,
            color="tab:blue",
            drawstyle="steps-post",
        )
        for ax in (ax_h, ax_c):
            ax.axvline(p95, color="tab:orange", ls="--", label=f"p95 {p95:.2f} m/s")
            ax.axvline(p99, color="tab:red", ls=":", label=f"p99 {p99:.2f} m/s")
            ax.set_xlabel(f"{label} delta-v [m/s]")
            ax.grid(True, lw=0.3)
            # few ticks, no offset text: long decimals collided at 10 inches
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax_h.set_ylabel("Samples")
        ax_c.set_ylabel("Cumulative fraction")
        ax_c.legend(loc="lower right", fontsize="small")
        ax_h.set_title(f"{label}: histogram ({values.size} samples)")
        ax_c.set_title(f"{label}: empirical CDF")
    fig.suptitle(f"Delta-v dispersion, {campaign.n} samples, seed {campaign.seed}")
    return fig


def plot_contact_conditions(campaign, *, limits=None):
    """Contact conditions of the samples (closing speed against lateral offset, and
    lateral rate against lateral offset) with the docking mechanism's capture box
    (SAST-APAS limits: closing 0.08-0.18 m/s, lateral offset <= 0.16 m, lateral rate
    <= 0.10 m/s)."""

    if limits is None:
        from ..docking import ContactLimits

        limits = ContactLimits()
    frame = campaign.samples
    ok = frame["docked"].to_numpy(bool)
    lat = frame["lateral_offset_m"].to_numpy(float)
    vcl = frame["closing_speed_m_s"].to_numpy(float)
    latr = frame["lateral_rate_m_s"].to_numpy(float)
    fig = _new_figure(figsize=(11, 5.0))
    ax1, ax2 = fig.subplots(1, 2)
    for ax, y, ylabel, box in (
        (
            ax1,
            vcl,
            "Closing speed [m/s]",
            (limits.closing_speed_min_m_s, limits.closing_speed_max_m_s),
        ),
        (ax2, latr, "Lateral rate [m/s]", (0.0, limits.lateral_rate_m_s)),
    ):
        ax.add_patch(
            Rectangle(
                (0.0, box[0]),
                limits.lateral_offset_m,
                box[1] - box[0],
                fill=False,
                ec="tab:green",
                lw=1.5,
                label="capture box",
            )
        )
        ax.plot(lat[ok], y[ok], "o", ms=3, color="tab:blue", label="docked")
        if np.any(~ok & np.isfinite(y)):
            ax.plot(lat[~ok], y[~ok], "x", ms=5, color="tab:red", label="not docked")
        ax.set_xlabel("Lateral offset [m]")
        ax.set_ylabel(ylabel)
        ax.grid(True, lw=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    _figure_legend(fig, (ax1, ax2), ncol=3)
    ax1.set_title("Closing speed at contact")
    ax2.set_title("Lateral rate at contact")
    fig.suptitle(f"Contact conditions against the capture box ({campaign.n} samples)")
    return fig


def plot_success_vs_scale(sweep, *, ax=None):
    """Docking success rate (with its 95 % Wilson interval) against the dispersion scale,
    from :func:`qingzhou_sim.montecarlo.sweep_dispersion_scale`."""
    fig, ax = _figure(ax, figsize=(6.5, 4.5))
    scales = np.array(sorted(sweep))
    rates = np.array([sweep[s].success_rate for s in scales])
    ci = np.array([sweep[s].success_interval() for s in scales])
    ax.plot(scales, 100 * rates, "o-", color="tab:blue", label="success rate")
    ax.fill_between(
        scales,
        100 * ci[:, 0],
        100 * ci[:, 1],
        color="tab:blue",
        alpha=0.2,
        label="95 % Wilson interval",
    )
    ax.set_xlabel("Dispersion scale (x default 1-sigma)")
    ax.set_ylabel("Docked [%]")
    ax.set_ylim(-2, 102)
    ax.set_title("Docking success against dispersion scale")
    ax.grid(True, lw=0.3)
    ax.legend(loc="lower left", fontsize="small")
    return fig
