"""Share of dispersed default-mission samples inside every docking-mechanism limit
(issue 14): a campaign with every dispersion term at its default, the share with its
Wilson 95 % interval (scipy's ``binomtest``), the closing speed at contact, how close
each contact figure comes to its limit, and the reasons of the samples that fail.

Run: ``python benchmarks/campaign_contact_share.py [N] [SEED] [WORKERS]`` (default 300
samples, seed 1, 1 worker). About 0.3 s of CPU per sample.
"""

from __future__ import annotations

import sys
import time

import numpy as np

TARGET_SHARE = 0.997  # issue 14


def _limits_table():
    """(figure, limit) pairs of the mechanism envelope (ContactLimits, SAST-APAS)."""
    from qingzhou_sim.docking import ContactLimits

    lim = ContactLimits()
    return [
        ("lateral_offset_m", lim.lateral_offset_m),
        ("lateral_rate_m_s", lim.lateral_rate_m_s),
        ("pitch_deg", lim.pitch_yaw_deg),
        ("yaw_deg", lim.pitch_yaw_deg),
        ("roll_deg", lim.roll_deg),
        ("pitch_rate_deg_s", lim.angular_rate_deg_s),
        ("yaw_rate_deg_s", lim.angular_rate_deg_s),
        ("roll_rate_deg_s", lim.angular_rate_deg_s),
    ], lim


def main(n: int = 300, seed: int = 1, workers: int = 1) -> None:
    from scipy.stats import binomtest

    import qingzhou_sim as qz
    from qingzhou_sim.montecarlo import _failure_kind

    t0 = time.process_time()
    campaign = qz.run_campaign(qz.Mission.default(), n, seed=seed, workers=workers, progress=False)
    cpu = time.process_time() - t0
    rows = campaign.samples
    docked = rows["docked"].to_numpy(bool)
    k = int(docked.sum())
    ci = binomtest(k, len(rows)).proportion_ci(confidence_level=0.95, method="wilson")
    print(f"{len(rows)} dispersed default-mission samples, seed {seed} ({cpu:.0f} s CPU here)")
    print(
        f"inside every mechanism limit: {k}/{len(rows)} = {k / len(rows):.2%}, "
        f"Wilson 95 % [{ci.low:.2%}, {ci.high:.2%}]; target {TARGET_SHARE:.1%}"
    )
    contact = rows[np.isfinite(rows["closing_speed_m_s"].to_numpy(float))]
    v = contact["closing_speed_m_s"].to_numpy(float)
    print(
        f"closing speed over {len(v)} contacts: {v.mean() * 1e3:.1f} +- {v.std(ddof=1) * 1e3:.1f} mm/s "
        f"(min {v.min() * 1e3:.1f}, max {v.max() * 1e3:.1f})"
    )
    table, lim = _limits_table()
    print("use of each limit over the contacts (|figure| / limit): p50, p99, max")
    lo, hi = lim.closing_speed_min_m_s, lim.closing_speed_max_m_s
    print(
        f"  closing speed in [{lo}, {hi}] m/s: margin to the nearer bound min "
        f"{min((v - lo).min(), (hi - v).min()) * 1e3:.1f} mm/s"
    )
    for name, limit in table:
        use = np.abs(contact[name].to_numpy(float)) / limit
        print(
            f"  {name:<18s} limit {limit:6.2f}: {np.median(use):5.2f} {np.percentile(use, 99):5.2f} {use.max():5.2f}"
        )
    failures = rows.loc[~rows["docked"], ["index", "failure"]]
    if len(failures):
        print("failures:")
        for kind, count in failures["failure"].map(_failure_kind).value_counts().items():
            print(f"  {count:4d} x {kind}")
        print("  samples:", ", ".join(str(int(i)) for i in failures["index"]))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
