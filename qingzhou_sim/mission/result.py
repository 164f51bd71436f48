"""Mission results: :class:`MissionResult` with its timeline, budget, reports and files."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..docking.result import CONTACT_FIGURES
from ..errors import UnknownNameError
from .config import Mission, _utc

__all__ = ["Ephemeris", "MissionResult", "PhaseSummary", "TimelineEvent"]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One event of the mission timeline.

    ``elapsed_s`` counts from liftoff; ``range_km`` is the chaser's distance to the
    station; ``delta_v_m_s`` and ``propellant_kg`` are those of the event itself (a
    burn), ``cumulative_delta_v_m_s`` and ``cumulative_propellant_kg`` the totals after it.
    """

    name: str
    epoch: Time
    elapsed_s: float
    phase: str
    range_km: float
    delta_v_m_s: float = 0.0
    propellant_kg: float = 0.0
    cumulative_delta_v_m_s: float = 0.0
    cumulative_propellant_kg: float = 0.0
    detail: str = ""

    def to_record(self) -> dict:
        return {
            "name": self.name,
            "utc": _utc(self.epoch),
            "elapsed_s": self.elapsed_s,
            "elapsed": _hms(self.elapsed_s),
            "phase": self.phase,
            "range_km": self.range_km,
            "delta_v_m_s": self.delta_v_m_s,
            "propellant_kg": self.propellant_kg,
            "cumulative_delta_v_m_s": self.cumulative_delta_v_m_s,
            "cumulative_propellant_kg": self.cumulative_propellant_kg,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    """Delta-v, propellant and duration of one mission phase."""

    name: str
    start: Time
    end: Time
    delta_v_m_s: float
    propellant_kg: float
    duration_s: float


@dataclass(frozen=True)
class Ephemeris:
    """Sampled absolute states (GCRS): ``epochs`` (n,), ``r_km`` and ``v_km_s`` (n, 3)."""

    epochs: Time
    r_km: np.ndarray
    v_km_s: np.ndarray

    @property
    def r(self) -> u.Quantity:
        return self.r_km * u.km

    @property
    def v(self) -> u.Quantity:
        return self.v_km_s * (u.km / u.s)

    def __len__(self) -> int:
        return len(self.r_km)

    def to_dataframe(self):
        """pandas DataFrame: ``epoch_utc`` (datetime64, UTC), ``x_km`` .. ``z_km``,
        ``vx_km_s`` .. ``vz_km_s`` (GCRS)."""
        import pandas as pd

        columns = {"epoch_utc": _datetime_utc(self.epochs)}
        for k, axis in enumerate("xyz"):
            columns[f"{axis}_km"] = self.r_km[:, k]
        for k, axis in enumerate("xyz"):
            columns[f"v{axis}_km_s"] = self.v_km_s[:, k]
        return pd.DataFrame(columns)


_ISO_Z = "%Y-%m-%dT%H:%M:%S.%fZ"  # datetime columns in CSV files, as in the JSON summary


def _iso_z_us(epochs: Time) -> list[str]:
    """Epochs as ``_ISO_Z`` text, microseconds truncated from the nanoseconds of
    ``Time.datetime64``: what pandas writes for :func:`_datetime_utc` with ``_ISO_Z``."""
    us = np.atleast_1d(epochs.utc.datetime64).astype("datetime64[ns]").astype("datetime64[us]")
    return [f"{text}Z" for text in np.datetime_as_string(us, unit="us")]


def _csv_column(values: list) -> list[str]:
    """One column as pandas ``to_csv`` writes it after ``DataFrame(records)``: a column
    of numbers with a float or a missing value among them is float64 (integers written
    as ``5.0``, NaN and None as empty fields, floats by their shortest repr); anything
    else is written with ``str`` (None as an empty field)."""
    numbers = all(
        v is None
        or (
            isinstance(v, int | float | np.integer | np.floating)
            and not isinstance(v, bool | np.bool_)
        )
        for v in values
    )
    if numbers and any(v is None or isinstance(v, float | np.floating) for v in values):
        return ["" if v is None or math.isnan(v) else repr(float(v)) for v in values]
    return ["" if v is None else str(v) for v in values]


def _csv_text(rows: list[dict], columns: dict[str, list[str]]) -> str:
    """CSV of ``rows`` (dicts with the same keys), with the given columns already as
    text, in the format of ``pandas.DataFrame(rows).to_csv(index=False)`` (minimal
    quoting, the platform's line ending), without importing pandas."""
    import csv
    import io

    keys = list(rows[0]) if rows else []
    text = {k: columns[k] if k in columns else _csv_column([r[k] for r in rows]) for k in keys}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=os.linesep)
    writer.writerow(keys)  # an empty header line for no rows, as pandas writes
    for k in range(len(rows)):
        writer.writerow([text[key][k] for key in keys])
    return out.getvalue()


def _datetime_utc(epochs: Time):
    """Epochs as a pandas datetime64[ns, UTC] series (a scalar Time gives one row)."""
    import pandas as pd

    return pd.Series(pd.to_datetime(np.atleast_1d(epochs.utc.datetime64), utc=True))


def _hms(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-"
    sign = "-" if seconds < 0 else ""
    ms = round(abs(seconds) * 1000.0)
    s, ms = divmod(ms, 1000)
    return f"{sign}{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}.{ms:03d}"


@dataclass(frozen=True)
class MissionResult:
    """Everything a mission run produced.

    Attributes
    ----------
    mission : Mission
    liftoff, insertion, end : Time
    events : tuple of TimelineEvent, in time order
    phases : tuple of PhaseSummary (launch, phasing, approach segments, berthing)
    chaser, station : Ephemeris
        Absolute GCRS ephemerides from insertion to the end of the run.
    relative_t : Time (n,); relative_r_km, relative_v_km_s : (n, 3)
        The chaser in the station's LVLH frame over the whole run.
    phasing_plan : qingzhou_sim.phasing.PhasingPlan
    approach : qingzhou_sim.docking.ApproachResult
    docked : bool
    failure : str or None
        Why the chaser did not dock (abort reason), None when it docked.
    site : LaunchSite
    propellant_capacity_kg, initial_mass_kg, isp_s : float
    phasing_end : Time
        Arrival at the hand-over point.
    burns_phasing : tuple of Burn (as executed)
    """

    mission: Mission
    liftoff: Time
    insertion: Time
    end: Time
    events: tuple
    phases: tuple
    chaser: Ephemeris
    station: Ephemeris
    relative_t: Time
    relative_r_km: np.ndarray
    relative_v_km_s: np.ndarray
    phasing_plan: object
    approach: object
    docked: bool
    failure: str | None
    site: object
    propellant_capacity_kg: float
    initial_mass_kg: float
    isp_s: float
    phasing_end: Time
    burns_phasing: tuple
    launch_window: object = None
    station_phasing: object = None

    # ------------------------------------------------------------ figures of merit
    @property
    def total_delta_v(self) -> u.Quantity:
        return sum(p.delta_v_m_s for p in self.phases) * (u.m / u.s)

    @property
    def total_propellant(self) -> u.Quantity:
        return sum(p.propellant_kg for p in self.phases) * u.kg

    @property
    def propellant_margin(self) -> u.Quantity:
        """Propellant left against the chaser's capacity (negative: over budget)."""
        return (self.propellant_capacity_kg - self.total_propellant.to_value(u.kg)) * u.kg

    @property
    def delta_v_margin(self) -> u.Quantity:
        """Delta-v the remaining propellant still gives (rocket equation)."""
        from ..constants import G0_M_S2

        m_now = self.initial_mass_kg - self.total_propellant.to_value(u.kg)
        m_dry = self.initial_mass_kg - self.propellant_capacity_kg
        if m_now <= m_dry:
            return 0.0 * (u.m / u.s)
        return self.isp_s * G0_M_S2 * math.log(m_now / m_dry) * (u.m / u.s)

    @property
    def contact(self):
        """The approach's contact conditions (None if the chaser never reached contact)."""
        return None if self.approach is None else self.approach.contact

    def event(self, name: str) -> TimelineEvent:
        for ev in self.events:
            if ev.name == name:
                return ev
        raise UnknownNameError("timeline event", name, sorted({e.name for e in self.events}))

    @property
    def duration(self) -> u.Quantity:
        """Liftoff to the last event (hard dock when docked)."""
        return (self.end - self.liftoff).to(u.h)

    def relative_history(self):
        """(epochs, r_lvlh_km (n, 3), v_lvlh_km_s (n, 3)) over the whole run."""
        return self.relative_t, self.relative_r_km, self.relative_v_km_s

    def phase_angle_history(self):
        """(epochs, station phase angle ahead of the chaser in deg, in (-180, 180])."""
        from ..frames import _unit

        r_s, v_s = self.station.r_km, self.station.v_km_s
        h = _unit(np.cross(r_s, v_s))
        r_c = self.chaser.r_km
        r_c_in = r_c - np.einsum("ij,ij->i", r_c, h)[:, None] * h
        ang = np.arctan2(
            np.einsum("ij,ij->i", h, np.cross(r_c_in, r_s)), np.einsum("ij,ij->i", r_c_in, r_s)
        )
        return self.station.epochs, np.rad2deg(ang)

    # ------------------------------------------------------------ tables
    def records(self) -> list[dict]:
        """The timeline as plain records (one dict per event)."""
        return [ev.to_record() for ev in self.events]

    def timeline(self):
        """The timeline as a pandas DataFrame, one row per event: the columns of
        :meth:`records`, with ``utc`` as datetime64[ns, UTC] (a text column in
        :meth:`records`)."""
        import pandas as pd

        frame = pd.DataFrame(self.records())
        if len(frame):
            frame["utc"] = _datetime_utc(Time([ev.epoch for ev in self.events]))
        return frame

    def budget(self):
        """Delta-v, propellant and duration per phase, plus the total, as a pandas
        DataFrame: ``phase``, ``delta_v_m_s``, ``propellant_kg``, ``duration_s``,
        ``start_utc`` and ``end_utc`` (datetime64[ns, UTC]). :meth:`budget_records` gives
        the same rows as plain dicts."""
        import pandas as pd

        frame = pd.DataFrame(self.budget_records())
        frame["start_utc"] = _datetime_utc(Time([p.start for p in self.phases] + [self.liftoff]))
        frame["end_utc"] = _datetime_utc(Time([p.end for p in self.phases] + [self.end]))
        return frame

    def budget_records(self) -> list[dict]:
        """The rows of :meth:`budget` as plain dicts (epochs as ISO text with 'Z')."""
        rows = [
            {
                "phase": p.name,
                "delta_v_m_s": p.delta_v_m_s,
                "propellant_kg": p.propellant_kg,
                "duration_s": p.duration_s,
                "start_utc": _utc(p.start),
                "end_utc": _utc(p.end),
            }
            for p in self.phases
        ]
        rows.append(
            {
                "phase": "total",
                "delta_v_m_s": float(self.total_delta_v.to_value(u.m / u.s)),
                "propellant_kg": float(self.total_propellant.to_value(u.kg)),
                "duration_s": float((self.end - self.liftoff).to_value(u.s)),
                "start_utc": _utc(self.liftoff),
                "end_utc": _utc(self.end),
            }
        )
        return rows

    def _timeline_csv(self) -> str:
        """``timeline.csv``: :meth:`timeline` as pandas writes it with ``_ISO_Z``."""
        utc = _iso_z_us(Time([ev.epoch for ev in self.events])) if self.events else []
        return _csv_text(self.records(), {"utc": utc})

    def _budget_csv(self) -> str:
        """``budget.csv``: :meth:`budget` as pandas writes it with ``_ISO_Z``."""
        starts = Time([p.start for p in self.phases] + [self.liftoff])
        ends = Time([p.end for p in self.phases] + [self.end])
        columns = {"start_utc": _iso_z_us(starts), "end_utc": _iso_z_us(ends)}
        return _csv_text(self.budget_records(), columns)

    def summary(self) -> str:
        """A readable report: the mission, the timeline and the budget as aligned tables."""
        m = self.mission
        lines = [
            f"Mission {m.name!r}: {m.chaser} on {m.launch_vehicle} from {self.site.name} to {m.station_vehicle}",
            f"  phasing profile {m.phasing_profile}, approach {m.approach_profile_name} to the {m.port} port",
            f"  liftoff {_utc(self.liftoff)}   insertion {_utc(self.insertion)}",
        ]
        if self.phasing_plan is not None:
            lines.append(
                f"  station phase angle at insertion {self.phasing_plan.phase_angle_at_insertion.to_value(u.deg):.2f} deg ahead"
            )
        lines += _scheme_lines(self)
        outcome = (
            f"DOCKED, hard dock {_hms((self.end - self.liftoff).to_value(u.s))} after liftoff"
            if self.docked
            else f"NOT DOCKED: {self.failure}"
        )
        lines += [f"  outcome: {outcome}", "", "Timeline"]
        header = f"  {'event':<34}{'UTC':<26}{'T+ [h:mm:ss]':>14}{'phase':>18}{'range [km]':>12}{'dv [m/s]':>10}{'prop [kg]':>11}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for ev in self.events:
            lines.append(
                f"  {ev.name[:33]:<34}{_utc(ev.epoch)[:23]:<26}{_hms(ev.elapsed_s)[:-4]:>14}{ev.phase[:17]:>18}"
                f"{ev.range_km:>12.3f}{(f'{ev.delta_v_m_s:.3f}' if ev.delta_v_m_s else ''):>10}"
                f"{(f'{ev.propellant_kg:.2f}' if ev.propellant_kg else ''):>11}"
            )
        lines += ["", "Delta-v budget"]
        header = f"  {'phase':<24}{'delta-v [m/s]':>15}{'propellant [kg]':>17}{'duration':>14}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for row in self.budget_records():
            if row["phase"] == "total":
                lines.append("  " + "-" * (len(header) - 2))
            lines.append(
                f"  {row['phase']:<24}{row['delta_v_m_s']:>15.2f}{row['propellant_kg']:>17.2f}{_hms(row['duration_s'])[:-4]:>14}"
            )
        lines.append(
            f"  propellant margin {self.propellant_margin.to_value(u.kg):.1f} kg of {self.propellant_capacity_kg:.0f} kg "
            f"(delta-v still available {self.delta_v_margin.to_value(u.m / u.s):.1f} m/s)"
        )
        contact = self.contact
        if contact is not None:
            lines += ["", "Contact conditions (docking mechanism limits)"]
            for check in contact.checks:
                lo = "" if not math.isfinite(check.lower) else f"{check.lower:g} .. "
                lines.append(
                    f"  {check.name:<28}{check.value:>10.4f} {check.unit:<6} limit {lo}{check.limit:g} {check.unit:<6} {'ok' if check.ok else 'VIOLATED'}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # ------------------------------------------------------------ machine-readable
    def to_json_dict(self) -> dict:
        """The machine-readable summary (what ``qingzhou-sim run --json`` prints)."""
        contact = self.contact
        contact_dict = None
        if contact is not None:
            contact_dict = {
                **contact.figures(),  # the nine contact figures
                "checks": [
                    {
                        "name": c.name,
                        "value": c.value,
                        "limit": c.limit,
                        "unit": c.unit,
                        "ok": bool(c.ok),
                    }
                    for c in contact.checks
                ],
            }

        def utc_of(name):
            try:
                return _utc(self.event(name).epoch)
            except UnknownNameError:
                return None

        return {
            "mission": self.mission.name,
            "profile": self.mission.phasing_profile,
            "port": self.mission.port,
            "approach_profile": self.mission.approach_profile_name,
            "docked": bool(self.docked),
            "failure": self.failure,
            "liftoff_utc": _utc(self.liftoff),
            "insertion_utc": _utc(self.insertion),
            "contact_utc": utc_of("contact"),
            "hard_dock_utc": utc_of("hard dock"),
            "duration_s": float((self.end - self.liftoff).to_value(u.s)),
            "total_delta_v_m_s": float(self.total_delta_v.to_value(u.m / u.s)),
            "total_propellant_kg": float(self.total_propellant.to_value(u.kg)),
            "propellant_margin_kg": float(self.propellant_margin.to_value(u.kg)),
            "phase_angle_at_insertion_deg": None
            if self.phasing_plan is None
            else float(self.phasing_plan.phase_angle_at_insertion.to_value(u.deg)),
            "phases": [
                {
                    "name": p.name,
                    "delta_v_m_s": p.delta_v_m_s,
                    "propellant_kg": p.propellant_kg,
                    "duration_s": p.duration_s,
                    "start_utc": _utc(p.start),
                    "end_utc": _utc(p.end),
                }
                for p in self.phases
            ],
            "contact": contact_dict,
            "events": [
                {
                    "name": e.name,
                    "utc": _utc(e.epoch),
                    "elapsed_s": e.elapsed_s,
                    "phase": e.phase,
                    "range_km": e.range_km,
                    "delta_v_m_s": e.delta_v_m_s,
                }
                for e in self.events
            ],
        }

    _PHASE_COLUMNS = (
        "phasing",
        "homing",
        "closing",
        "fly-around",
        "holds",
        "final approach",
        "collision avoidance",
    )

    @staticmethod
    def empty_record() -> dict:
        """The columns of :meth:`to_record` with missing values (for failed samples)."""
        rec = {
            "docked": False,
            "failure": None,
            "total_delta_v_m_s": math.nan,
            "propellant_kg": math.nan,
            "duration_s": math.nan,
            "phase_angle_deg": math.nan,
            **dict.fromkeys(CONTACT_FIGURES, math.nan),
            "min_range_outside_corridor_m": math.nan,
            "n_collision_avoidance": 0,
        }
        for name in MissionResult._PHASE_COLUMNS:
            key = name.replace(" ", "_").replace("-", "_")
            rec[f"{key}_delta_v_m_s"] = math.nan
            rec[f"{key}_duration_s"] = math.nan
        return rec

    def to_record(self) -> dict:
        """One flat row for a campaign table: delta-v and duration per phase, outcome,
        contact conditions, safety figures."""
        rec = self.empty_record()
        rec["docked"] = bool(self.docked)
        rec["failure"] = self.failure
        rec["total_delta_v_m_s"] = float(self.total_delta_v.to_value(u.m / u.s))
        rec["propellant_kg"] = float(self.total_propellant.to_value(u.kg))
        rec["duration_s"] = float((self.end - self.liftoff).to_value(u.s))
        if self.phasing_plan is not None:
            rec["phase_angle_deg"] = float(
                self.phasing_plan.phase_angle_at_insertion.to_value(u.deg)
            )
        for name in self._PHASE_COLUMNS:
            key = name.replace(" ", "_").replace("-", "_")
            matching = [p for p in self.phases if p.name == name]
            if matching:
                rec[f"{key}_delta_v_m_s"] = float(sum(p.delta_v_m_s for p in matching))
                rec[f"{key}_duration_s"] = float(sum(p.duration_s for p in matching))
        contact = self.contact
        if contact is not None:
            rec.update(contact.figures())
        if self.approach is not None:
            # a contingency that was not needed cost nothing (not "undefined", which
            # would put only the aborted samples in its statistics)
            for column in ("collision_avoidance_delta_v_m_s", "collision_avoidance_duration_s"):
                if math.isnan(rec[column]):
                    rec[column] = 0.0
            rec["min_range_outside_corridor_m"] = _min_range_outside_corridor_m(self.approach)
            rec["n_collision_avoidance"] = int(
                sum(
                    1
                    for e in self.approach.events
                    if "collision avoidance" in e.name or e.name == "CAM"
                )
            )
        return rec

    # ------------------------------------------------------------ files
    def oem_breaks(self) -> Time | None:
        """Where the chaser's ephemeris is not one smooth arc: the phasing burns (as
        executed) and the hand-over to the closed-loop approach (None if neither)."""
        epochs = [b.epoch for b in self.burns_phasing] + [self.phasing_end]
        epochs = [e for e in epochs if e is not None]
        return Time(epochs) if epochs else None

    def save(
        self, directory, *, figures: bool = True, parallel: bool = False, writer=None
    ) -> dict[str, Path]:
        """Write the outputs into ``directory`` (created if needed): ``summary.json``,
        ``summary.txt``, ``timeline.csv``, ``budget.csv``, CCSDS OEM 3.0 ephemerides
        ``chaser.oem`` and ``station.oem`` (one segment per coast arc), ``mission.czml``
        (replay in Cesium) and the figures as PNG. Returns the paths.

        With ``parallel=True`` (what ``qingzhou-sim run`` does) a forked process writes
        ``mission.czml`` and part of the figures while this one writes the rest, on Linux
        with two free cores and no other thread running (otherwise everything is written
        here); the files are the same either way. A ``writer`` (what
        ``plotting._files.start_writer`` forked before the run, as ``qingzhou-sim run``
        does) writes ``mission.czml`` and all the figures instead, this process the rest.

        Every file is written atomically (temporary file, then rename): a failed save
        leaves no truncated file. Raises ``OSError`` (naming the file) if one cannot be
        written."""
        from ..plotting import _files

        directory = Path(directory)
        names = [name for name, _ in _files.FIGURES] if figures else []
        if writer is not None:
            return self._save_with(writer, directory, names)
        directory.mkdir(parents=True, exist_ok=True)
        child = [name for name in names if name in _files.CHILD_FIGURES]
        czml = [lambda: self._save_czml(directory)]
        figs = [lambda: _files.save_figures(self, directory, child)] if child else []
        finish = None
        if parallel and _files.can_fork():
            finish = _files.start_child(czml + figs, f"mission.czml and the figures {child}")
            czml = figs = []
        try:
            paths = self._save_files(directory)
            for task in czml + figs:
                paths.update(task())
            paths.update(_files.save_figures(self, directory, [n for n in names if n not in child]))
        except BaseException:
            if finish is not None:
                finish(False)
            raise
        if finish is not None:
            paths.update(finish())
        order = [*_SAVED_FILES, *(f"{name}_png" for name in names)]
        return {key: paths[key] for key in order}

    def _save_with(self, writer, directory: Path, names) -> dict[str, Path]:
        """:meth:`save` with a writer process: it gets the CZML file and the figures."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.send(self, directory, names)
        except BrokenPipeError:
            # the writer process is gone (killed, or died before the result came): it
            # wrote nothing, so everything is written here, as without a writer
            writer.finish(False)
            return self.save(directory, figures=bool(names), parallel=True)
        except BaseException:
            writer.finish(False)
            raise
        try:
            paths = self._save_files(directory)
        except BaseException:
            writer.finish(False)
            raise
        paths.update(writer.finish())
        order = [*_SAVED_FILES, *(f"{name}_png" for name in names)]
        return {key: paths[key] for key in order}

    def _save_czml(self, directory: Path) -> dict[str, Path]:
        from ..io import write_czml

        path = directory / "mission.czml"
        write_czml(path, self)
        return {"mission_czml": path}

    def _save_files(self, directory: Path) -> dict[str, Path]:
        """The JSON, text, CSV and OEM files of :meth:`save`."""
        from ..io import atomic_write, to_json, write_oem

        paths = {
            "summary_json": directory / "summary.json",
            "summary_txt": directory / "summary.txt",
            "timeline_csv": directory / "timeline.csv",
            "budget_csv": directory / "budget.csv",
            "chaser_oem": directory / "chaser.oem",
            "station_oem": directory / "station.oem",
        }
        summary_json = to_json(self.to_json_dict(), indent=2)
        atomic_write(paths["summary_json"], lambda tmp: tmp.write_text(summary_json))
        atomic_write(paths["summary_txt"], lambda tmp: tmp.write_text(self.summary() + "\n"))
        for key, text in (
            ("timeline_csv", self._timeline_csv()),
            ("budget_csv", self._budget_csv()),
        ):
            atomic_write(paths[key], lambda tmp, text=text: tmp.write_text(text, newline=""))
        write_oem(
            paths["chaser_oem"],
            self.chaser.epochs,
            self.chaser.r,
            self.chaser.v,
            object_name=self.mission.chaser.upper(),
            object_id="QINGZHOU-SIM-1",
            breaks=self.oem_breaks(),
            comment=f"qingzhou_sim mission {self.mission.name}, simulated\n"
            "one segment per coast arc between phasing burns (the post-burn state opens a "
            "segment); the last segment, from the hand-over point, is the closed-loop "
            "approach (RCS pulses inside it, sampled at the output step)",
        )
        write_oem(
            paths["station_oem"],
            self.station.epochs,
            self.station.r,
            self.station.v,
            object_name=self.mission.station_vehicle.upper(),
            object_id="2021-035A",
            comment="Tiangong (CSS), simulated (no manoeuvre: one coast arc)",
        )
        return paths


# The files of MissionResult.save besides the figures, in the order it returns them.
_SAVED_FILES = (
    "summary_json",
    "summary_txt",
    "timeline_csv",
    "budget_csv",
    "chaser_oem",
    "station_oem",
    "mission_czml",
)


def _min_range_outside_corridor_m(approach) -> float:
    """Closest approach to the station (m, from its centre of mass) while the chaser is
    outside the approach corridor: the cone of the profile's half-angle about the
    docking axis, apex at the station's port (Fehse 2003, sec. 4.2)."""
    prof = approach.profile
    r_m = approach.r_true.to_value(u.m)
    rel = r_m - np.asarray(prof.port_position_m, dtype=float)
    axis = np.asarray(prof.axis_vector, dtype=float)
    dist = np.linalg.norm(rel, axis=1)
    cos_angle = np.einsum("ij,j->i", rel, axis) / np.maximum(dist, 1e-12)
    outside = cos_angle < math.cos(math.radians(prof.corridor_half_angle_deg))
    if not np.any(outside):
        return math.nan
    return float(np.min(np.linalg.norm(r_m[outside], axis=1)))


def _scheme_lines(result) -> list:
    """Summary lines of the station's pre-launch phasing and of the flown mission this
    one reproduces (``Mission.flown``), simulated beside flown (issue 15)."""
    lines = []
    sp = result.station_phasing
    if sp is not None:
        lines.append(
            f"  station phasing before launch: {len(sp.burns)} burns, "
            f"{sp.total_dv.to_value(u.m / u.s):.2f} m/s of the station's propellant, "
            f"altitude {sp.altitude_change.to_value(u.km):+.2f} km"
        )
    flown = result.mission.flown or {}
    contact = next((e for e in result.events if e.name == "contact"), None)
    if "liftoff" in flown and "docking" in flown:
        from astropy.time import Time

        real = (
            Time(flown["docking"].rstrip("Z"), scale="utc")
            - Time(flown["liftoff"].rstrip("Z"), scale="utc")
        ).to_value(u.s)
        sim = _hms(contact.elapsed_s) if contact is not None else "no contact"
        lines.append(
            f"  flown {flown.get('flight', '')}: liftoff to docking {_hms(real)}; "
            f"simulated liftoff to contact {sim}"
            + (f" ({flown['source']})" if "source" in flown else "")
        )
    return lines
