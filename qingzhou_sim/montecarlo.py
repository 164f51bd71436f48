r"""Dispersion campaigns: Monte Carlo of the whole mission on a process pool or a Dask cluster.

Each sample *k* draws its dispersions from ``numpy.random.default_rng([seed, k])`` (a
``SeedSequence`` of the campaign seed and the sample index), so a sample's result does
not depend on which worker ran it, on the chunking, or on the executor: the same seed
gives bit-identical rows on one process, a pool, or a Dask cluster.

Every sample re-plans its phasing from its own dispersed insertion, starting from the
nominal plan as a ground segment would (one local optimisation and a full-force
correction instead of the nominal planner's multi-start search), flies the burns with execution errors through the full-force truth, and flies
the approach with its own navigation noise. A sample that fails (infeasible plan, abort,
solver error) is a row with ``docked = False`` and the reason in ``failure``: never a
lost row, never a crashed campaign.
"""

from __future__ import annotations

import math
import os
import re
import signal
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import InputError

__all__ = [
    "CampaignResult",
    "Dispersions",
    "draw_perturbations",
    "run_campaign",
    "sweep_dispersion_scale",
]


@dataclass(frozen=True, slots=True)
class Dispersions:
    """One-sigma dispersions of a campaign, each with its source or assumption.

    Every term is multiplied by ``scale`` (and by its own switch: set a sigma to 0 to
    turn it off). :meth:`none` gives a campaign that must reproduce the nominal mission.

    Attributes
    ----------
    insertion : float
        Multiplier on the launch vehicle's insertion covariance
        (``qingzhou_sim.vehicles.KINETICA_2.insertion_covariance``; see its source there).
    burn_magnitude_frac : float
        Burn magnitude error, 1-sigma fraction of the commanded delta-v. Default 1 %:
        assumption, typical of bipropellant thrusters with accelerometer cut-off
        (Fehse 2003, sec. 5.6 quotes 1-5 % for thruster-level execution errors).
    burn_pointing_deg : float
        Burn pointing error, 1-sigma per axis (deg). Default 1 deg: assumption, an
        attitude-control dead band of the order of Fehse 2003, sec. 5.6.
    navigation : float
        Multiplier on the approach navigation sensor sigmas (docking module's
        ``NavigationConfig``; relative GNSS / radar-lidar / camera regimes).
    density_frac : float
        Atmospheric density error, 1-sigma fraction, drawn separately for chaser and
        station. Default 0.12: MSF-2014 reports 11.44 % NRLMSISE-00 error uncorrected
        (mission-facts.md sec. 7).
    cd_frac : float
        Drag coefficient error, 1-sigma fraction, chaser and station separately.
        Default 0.10: assumption between the conventional 2.2 and fitted 2.9-3.0
        values (CHAMP-CD, mission-facts.md sec. 7), scaled to a 1-sigma band.
    station_position_m, station_velocity_m_s : float
        Station state knowledge error, 1-sigma per LVLH axis. Defaults 50 m and
        0.05 m/s: assumption, GNSS-based orbit determination of a crewed station.
    scale : float
        Global multiplier applied to every term.
    """

    insertion: float = 1.0
    burn_magnitude_frac: float = 0.01
    burn_pointing_deg: float = 1.0
    navigation: float = 1.0
    density_frac: float = 0.12
    cd_frac: float = 0.10
    station_position_m: float = 50.0
    station_velocity_m_s: float = 0.05
    scale: float = 1.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not (math.isfinite(value) and value >= 0):
                raise InputError(
                    f"dispersion {name} = {value!r} must be a finite number >= 0",
                    name=name,
                    value=value,
                    valid=">= 0",
                )

    @classmethod
    def none(cls) -> Dispersions:
        """All dispersions off: every sample equals the nominal mission."""
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)

    @classmethod
    def only(cls, *names: str, scale: float = 1.0) -> Dispersions:
        """Only the named terms at their defaults, everything else off."""
        default = cls()
        off = cls.none()
        unknown = [n for n in names if n not in asdict(default) or n == "scale"]
        if unknown:
            from .errors import UnknownNameError

            raise UnknownNameError(
                "dispersion", unknown[0], [n for n in asdict(default) if n != "scale"]
            )
        return replace(off, scale=scale, **{n: getattr(default, n) for n in names})

    def scaled(self, scale: float) -> Dispersions:
        return replace(self, scale=scale)


def draw_perturbations(mission, dispersions: Dispersions, seed: int, index: int):
    """Draw the perturbations of sample ``index`` of a campaign with ``seed``.

    The generator is ``default_rng([seed, index])``: independent of chunking and worker.
    The draws are made in a fixed order whether or not a term is switched off, so that
    switching one term off does not change the others' values.
    """
    from .mission import Perturbations

    rng = np.random.default_rng([int(seed), int(index)])
    s = dispersions.scale
    z_insertion = rng.standard_normal(6)
    z_station = rng.standard_normal(6)
    z_drag = rng.standard_normal(4)
    sample_seed = int(rng.integers(0, 2**63 - 1))
    chol = mission.insertion_cholesky()
    station_sigma = np.array(
        [dispersions.station_position_m * 1e-3] * 3 + [dispersions.station_velocity_m_s * 1e-3] * 3
    )
    return Perturbations(
        insertion_lvlh=tuple((s * dispersions.insertion) * (chol @ z_insertion)),
        station_knowledge_lvlh=tuple(s * station_sigma * z_station),
        density_scale_chaser=float(max(0.05, 1.0 + s * dispersions.density_frac * z_drag[0])),
        density_scale_station=float(max(0.05, 1.0 + s * dispersions.density_frac * z_drag[1])),
        cd_scale_chaser=float(max(0.05, 1.0 + s * dispersions.cd_frac * z_drag[2])),
        cd_scale_station=float(max(0.05, 1.0 + s * dispersions.cd_frac * z_drag[3])),
        burn_magnitude_frac=s * dispersions.burn_magnitude_frac,
        burn_pointing_rad=s * np.deg2rad(dispersions.burn_pointing_deg),
        navigation_scale=s * dispersions.navigation,
        seed=sample_seed,
    )


def _run_chunk(
    mission, dispersions: Dispersions, seed: int, indices: list[int], reference=None
) -> list[dict]:
    """Worker entry point: run the samples ``indices`` and return one row each."""
    # A worker ignores Ctrl-C: the parent decides what to keep.
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not in the main thread (threads, some Dask workers)
        pass
    return [_run_sample(mission, dispersions, seed, k, reference) for k in indices]


def _run_sample(mission, dispersions: Dispersions, seed: int, index: int, reference=None) -> dict:
    row: dict = {"index": int(index)}
    try:
        perturbations = draw_perturbations(mission, dispersions, seed, index)
        result = mission.run(
            perturbations=perturbations, progress=False, phasing_reference=reference
        )
        row.update(result.to_record())
    except Exception as exc:  # a failed sample is a recorded failure, never a lost row
        row.update(_failure_record(exc))
    return row


def _nominal_phasing_plan(mission):
    """The nominal mission's phasing plan, from which every sample re-plans (None if
    the nominal mission cannot be planned: each sample then searches on its own and
    records why it fails)."""
    try:
        return mission.run(progress=False).phasing_plan
    except Exception:  # noqa: BLE001 - the samples will record the reason
        return None


def _failure_kind(reason) -> str:
    """A failure reason without its numbers (which differ from sample to sample), so
    that the summary counts failures of one kind together: the text up to its first
    digit, "station phase angle at insertion 4.82 deg is outside ..." -> "station
    phase angle at insertion ..."."""
    if not isinstance(reason, str) or not reason:
        return "unknown"
    match = re.search(r"[-+]?\d", reason)
    if match is None:
        return reason
    return reason[: match.start()].rstrip(" ([:=,") + " ..."


def _failure_record(exc: Exception) -> dict:
    from .mission import MissionResult

    record = MissionResult.empty_record()
    record["docked"] = False
    record["failure"] = f"{type(exc).__name__}: {exc}"
    return record


@dataclass(frozen=True)
class CampaignResult:
    """The rows of a campaign (one per finished sample, in index order) and its summary.

    ``interrupted`` is True when the campaign was stopped (Ctrl-C) before all samples
    finished; the rows are then the finished ones.
    """

    samples: object  # pandas.DataFrame
    n_requested: int
    seed: int
    dispersions: Dispersions
    interrupted: bool = False
    stats: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def success_rate(self) -> float:
        return float(self.samples["docked"].mean()) if self.n else float("nan")

    def success_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Wilson score interval of the success rate (Wilson 1927; Brown, Cai &
        DasGupta 2001, eq. 4)."""
        from scipy.stats import norm

        n = self.n
        if n == 0:
            return (0.0, 1.0)
        p = self.success_rate
        z = norm.ppf(0.5 + confidence / 2)
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return (max(0.0, centre - half), min(1.0, centre + half))

    def delta_v_stats(self) -> dict:
        """Mean, standard deviation, 95th and 99th percentiles of each delta-v column
        (m/s), over the samples where it is defined."""
        out = {}
        for column in [c for c in self.samples.columns if c.endswith("delta_v_m_s")]:
            values = self.samples[column].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size == 0:
                out[column] = {"mean": None, "std": None, "p95": None, "p99": None}
                continue
            out[column] = {
                "mean": float(np.mean(values)),
                "std": float(np.std(values, ddof=1)) if values.size > 1 else 0.0,
                "p95": float(np.percentile(values, 95)),
                "p99": float(np.percentile(values, 99)),
            }
        return out

    def summary(self) -> str:
        lo, hi = self.success_interval()
        lines = [
            f"Campaign: {self.n} of {self.n_requested} samples, seed {self.seed}"
            + ("  (INTERRUPTED)" if self.interrupted else ""),
            f"Docked: {self.success_rate:.1%}  (95 % Wilson interval {lo:.1%} - {hi:.1%})",
            "",
            f"{'delta-v [m/s]':<28}{'mean':>10}{'std':>10}{'p95':>10}{'p99':>10}",
        ]
        for name, s in self.delta_v_stats().items():
            if s["mean"] is None:
                continue
            label = name.removesuffix("_delta_v_m_s").replace("_", " ")
            lines.append(
                f"{label:<28}{s['mean']:>10.2f}{s['std']:>10.2f}{s['p95']:>10.2f}{s['p99']:>10.2f}"
            )
        failures = (
            self.samples.loc[~self.samples["docked"], "failure"].map(_failure_kind).value_counts()
        )
        if len(failures):
            lines += ["", "Failures (by kind; the full reasons are in the samples' 'failure'):"]
            lines += [f"  {count:>5} x {reason}" for reason, count in failures.items()]
        return "\n".join(lines)

    def to_json_dict(self) -> dict:
        stats = self.delta_v_stats().get("total_delta_v_m_s", {})
        lo, hi = self.success_interval()
        return {
            "n": self.n,
            "n_requested": self.n_requested,
            "seed": self.seed,
            "interrupted": self.interrupted,
            "success_rate": self.success_rate,
            "success_rate_95ci": [lo, hi],
            "delta_v_m_s": stats,
            "delta_v_by_phase_m_s": self.delta_v_stats(),
            "samples": [
                {
                    "index": int(r["index"]),
                    "docked": bool(r["docked"]),
                    "total_delta_v_m_s": None
                    if not np.isfinite(r["total_delta_v_m_s"])
                    else float(r["total_delta_v_m_s"]),
                    # pandas stores a missing reason as NaN in an object column
                    "failure": r["failure"]
                    if isinstance(r["failure"], str) and r["failure"]
                    else None,
                }
                for r in self.samples.to_dict("records")
            ],
        }

    def save(self, directory, *, figures: bool = True) -> dict[str, Path]:
        """Write ``samples.parquet`` (or ``samples.csv`` without pyarrow),
        ``summary.json``, ``summary.txt`` and (``figures``) ``delta_v.png`` and
        ``contact.png`` into ``directory``; return the paths."""
        from .io import to_json

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {}
        try:
            import pyarrow  # noqa: F401

            paths["samples"] = directory / "samples.parquet"
            self.samples.to_parquet(paths["samples"], index=False)
        except ImportError:
            paths["samples"] = directory / "samples.csv"
            self.samples.to_csv(paths["samples"], index=False)
        paths["summary"] = directory / "summary.json"
        summary = self.to_json_dict()
        summary.pop("samples")
        paths["summary"].write_text(to_json(summary, indent=2))
        paths["summary_txt"] = directory / "summary.txt"
        paths["summary_txt"].write_text(self.summary() + "\n")
        if figures and self.n:
            from . import plotting

            for name, make in (
                ("delta_v", plotting.plot_delta_v_distributions),
                ("contact", plotting.plot_contact_conditions),
            ):
                paths[name] = directory / f"{name}.png"
                make(self).savefig(paths[name], dpi=110)
        return paths


def _chunks(indices: list[int], n_workers: int, chunk_size: int | None) -> list[list[int]]:
    if chunk_size is None:
        # A few chunks per worker balance the load; capped at 25 samples (a few seconds
        # of work) so the progress bar moves, while 1e5 samples make 4e3 tasks, not 1e5.
        chunk_size = max(1, min(25, math.ceil(len(indices) / (4 * max(1, n_workers)))))
    return [indices[i : i + chunk_size] for i in range(0, len(indices), chunk_size)]


def _as_executor(executor):
    """A concurrent.futures-compatible executor: Executors as they are, a Dask
    ``distributed.Client`` through its ``get_executor()``."""
    if executor is None or isinstance(executor, Executor):
        return executor
    if hasattr(executor, "get_executor") and hasattr(executor, "scheduler_info"):
        return executor.get_executor()
    raise InputError(
        f"executor {executor!r} is neither a concurrent.futures.Executor nor a dask.distributed.Client",
        name="executor",
        value=repr(executor),
        valid="concurrent.futures.Executor or dask.distributed.Client",
    )


def _executor_workers(executor, client) -> int:
    if client is not None and hasattr(client, "scheduler_info"):
        try:
            return max(
                1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
            )
        except Exception:
            return 2
    return int(getattr(executor, "_max_workers", os.cpu_count() or 1))


def run_campaign(
    mission,
    n: int,
    seed: int = 0,
    executor=None,
    *,
    dispersions: Dispersions | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> CampaignResult:
    """Run ``n`` dispersed samples of ``mission``.

    Parameters
    ----------
    mission : qingzhou_sim.mission.Mission
    n : int
        Number of samples (indices 0 .. n-1).
    seed : int
        Campaign seed; sample k uses ``default_rng([seed, k])``.
    executor : concurrent.futures.Executor, dask.distributed.Client, or None
        Where to run. None: a local process pool of ``workers`` processes (default:
        the number of cores); ``workers=1`` runs in this process. A thread pool is
        accepted but gains nothing (mission runs in one process are serialised) and
        its rows are not guaranteed bit-identical: OpenBLAS does not always honour the
        one-thread limit in a new thread. Use processes or Dask.
    dispersions : Dispersions
        Default :class:`Dispersions()` (every term at its documented 1-sigma).
    chunk_size : int, optional
        Samples per task (default: about four tasks per worker, at most 25 samples).
    progress : bool
        Show a progress bar on the terminal (tqdm).

    Returns
    -------
    CampaignResult
        Rows in index order. On Ctrl-C the finished rows are kept and
        ``interrupted`` is set.
    """
    import pandas as pd

    if not isinstance(n, int | np.integer) or n < 1:
        raise InputError(
            f"number of samples n = {n!r}; expected an integer >= 1",
            name="n",
            value=n,
            valid=">= 1",
        )
    if workers is not None and (not isinstance(workers, int | np.integer) or workers < 1):
        raise InputError(
            f"workers = {workers!r}; expected an integer >= 1",
            name="workers",
            value=workers,
            valid=">= 1",
        )
    dispersions = Dispersions() if dispersions is None else dispersions
    # Dispersions do not move the launch window: search it once for all samples. Each
    # sample re-plans its phasing near the nominal plan, as a ground segment would.
    mission = mission.with_liftoff()
    reference = _nominal_phasing_plan(mission)
    client = executor if executor is not None and not isinstance(executor, Executor) else None
    pool = _as_executor(executor)
    own_pool = False
    if pool is None and (workers or os.cpu_count() or 1) > 1:
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count())
        own_pool = True
    n_workers = 1 if pool is None else _executor_workers(pool, client)
    chunks = _chunks(list(range(int(n))), n_workers, chunk_size)

    from tqdm.auto import tqdm

    bar = tqdm(total=int(n), desc="samples", unit="sample", disable=not progress, leave=True)
    rows: list[dict] = []
    interrupted = False
    futures = []
    try:
        if pool is None:
            for chunk in chunks:
                rows.extend(_run_chunk(mission, dispersions, seed, chunk, reference))
                bar.update(len(chunk))
        else:
            futures = [
                pool.submit(_run_chunk, mission, dispersions, seed, chunk, reference)
                for chunk in chunks
            ]
            for future in as_completed(futures):
                rows.extend(future.result())
                bar.update(len(rows) - bar.n)
    except KeyboardInterrupt:
        interrupted = True
        for future in futures:
            future.cancel()
        # Collect what finished before the interrupt: finished work is never lost.
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                got = future.result()
                if not any(r["index"] == got[0]["index"] for r in rows):
                    rows.extend(got)
    finally:
        bar.close()
        if own_pool:
            pool.shutdown(wait=not interrupted, cancel_futures=True)

    frame = pd.DataFrame(rows)
    if len(frame):
        frame = frame.sort_values("index", kind="stable").reset_index(drop=True)
    else:
        from .mission import MissionResult

        frame = pd.DataFrame(columns=["index", *MissionResult.empty_record()])
    return CampaignResult(frame, int(n), int(seed), dispersions, interrupted)


def sweep_dispersion_scale(
    mission,
    scales,
    n: int,
    seed: int = 0,
    executor=None,
    *,
    dispersions: Dispersions | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> dict[float, CampaignResult]:
    """Run one campaign per dispersion scale (same seeds): the data behind
    :func:`qingzhou_sim.plotting.plot_success_vs_scale`."""
    dispersions = Dispersions() if dispersions is None else dispersions
    return {
        float(s): run_campaign(
            mission,
            n,
            seed,
            executor,
            dispersions=dispersions.scaled(float(s)),
            workers=workers,
            progress=progress,
        )
        for s in scales
    }
