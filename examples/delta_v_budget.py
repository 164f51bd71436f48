"""A delta-v budget figure for a report
====================================

A delta-v budget figure for a report: the default mission on three approach ports,
stacked by phase, with the propellant margin printed below."""

import tempfile
from pathlib import Path

import astropy.units as u

import qingzhou_sim as qz
from qingzhou_sim import plotting


def main(out_dir: Path | None = None) -> Path:
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="qingzhou_budget_"))
    base = qz.Mission.default()
    results = [base.replace(port=port).run() for port in ("aft", "forward", "radial")]
    fig = plotting.plot_delta_v_budget(results, labels=[f"{r.mission.port} port" for r in results])
    path = out_dir / "delta_v_budget.png"
    fig.savefig(path, dpi=150)
    for r in results:
        print(
            f"{r.mission.port:8s} total {r.total_delta_v.to_value(u.m / u.s):7.2f} m/s, "
            f"propellant {r.total_propellant.to_value(u.kg):6.1f} kg, "
            f"margin {r.propellant_margin.to_value(u.kg):6.1f} kg"
        )
    print(f"figure: {path}")
    return path


if __name__ == "__main__":
    main()
