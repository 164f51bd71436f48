"""Share of dispersed default-mission samples inside every docking-mechanism limit
(issue 14): a campaign with every dispersion term at its default, the share with its
Wilson 95 % interval (scipy's ``binomtest``), the closing speed at contact, how close
each contact figure comes to its limit, and the reasons of the samples that fail.

Run: ``python benchmarks/campaign_contact_share.py [N] [SEED] [WORKERS]`` (default 300
samples, seed 1, 1 worker). About 0.3 s of CPU per sample.

Result (2026-11-30, 300 samples, seed 1, every term of ``Dispersions()`` on): 297 of 300
inside every limit, 99.0 % (Wilson 95 % 97.1-99.66 %), below issue 14's 99.7 %. No
mechanism limit binds: every one of the 297 contacts is inside all nine limits, the
nearest being the roll rate (at most 56 % of 0.6 deg/s) and the lateral offset (45 % of
0.16 m); closing speed 116.4 +- 4.5 mm/s, at least 29 mm/s inside [0.08, 0.18] m/s. The
three failures happen before contact, upstream of the mechanism:

- sample 108: the phasing flight (burn execution errors, mid-course corrections) hands
  over 5.9 km from the planned point, inside the approach ellipsoid and outside its entry
  corridor; the safety monitor aborts at once (a physical consequence of the dispersions);
- sample 170: a dispersed hand-over asks for a 4.9 m/s departure and a 5.8 m/s arrival
  burn; each is cut to one control step of main-engine thrust (about 3.9 m/s), the
  1.1 m/s left after the arrival burn is more than the straight line's RCS control
  absorbs before the tracking error passes 1 m + 5 % of range (a limitation of the
  guidance: an impulsive burn cut by the thrust is not continued);
- sample 282: the insertion error puts the phase angle (4.71 deg) outside the 3-hour
  profile's window; the re-plan would cost 73.4 m/s, over the 71.9 m/s budget.

Before the straight-line fix of 9164ba3 the README's 100-sample campaign (seed 1, older
dispersions) lost samples 21, 72 and 85 to the tracking check at the first step of the
400 m -> 200 m line: the two-impulse transfer arrives ~20 m from its aim point at
2.4 m/s and the line started at the aim point, so the arrival dispersion counted as a
tracking error; the line now starts where the chaser is when it is outside that
tolerance, and the three dock.
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
