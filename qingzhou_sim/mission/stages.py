"""A mission as a sequence of stages: launch -> phasing flight -> approach and
docking -> berthing -> timeline.

Each stage is a function of its own module (:mod:`.launching`, :mod:`.flight`,
:mod:`.approach`, :mod:`.timeline`); this module only calls them in order. None of
them imports :mod:`.config`: :meth:`Mission.run` calls :func:`fly_mission` (imports
one way, config -> stages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import astropy.units as u
import numpy as np

from .flight import phasing_flight, vehicle_force_model
from .launching import launch_stage, offset_lvlh, phasing_profile, with_working_windows

if TYPE_CHECKING:
    from .config import Mission, Perturbations
    from .result import MissionResult

__all__ = ["fly_mission", "nominal_plan"]


def _plan(mission: Mission, launch, chaser0, station_known, fm_plan, p, reference, dispersed):
    """The phasing plan, computed on the ground from the (measured) insertion."""
    from ..errors import InfeasiblePlanError
    from ..phasing import plan_phasing

    undispersed = not np.any(p.insertion_lvlh) and not np.any(p.station_knowledge_lvlh)
    if reference is not None and undispersed:
        return reference  # the planner's inputs are the nominal ones, so is its plan
    try:
        return plan_phasing(
            chaser0,
            station_known,
            phasing_profile(mission),
            force_model=fm_plan,
            reference=reference,
        )
    except InfeasiblePlanError as exc:
        if mission.liftoff is not None and not dispersed:
            raise with_working_windows(exc, mission, launch, mission.launcher()) from None
        raise


def nominal_plan(mission: Mission):
    """The phasing plan of ``mission``'s nominal run (no insertion or station-knowledge
    error), as :func:`fly_mission` makes it; a nominal run given it as ``reference``
    flies it as it is. ``qingzhou-sim run`` computes it in a second process beside the
    launch stage (see ``cli._launch_child``)."""
    from ._guard import single_thread_blas

    launch = launch_stage(mission)
    fm_plan = vehicle_force_model(mission.force_model, mission.chaser_vehicle())
    nominal = _NominalOffsets()
    with single_thread_blas():  # as Mission.run: the same bits in any process
        return _plan(
            mission, launch, launch.chaser_nominal, launch.station0, fm_plan, nominal, None, False
        )


class _NominalOffsets:
    """The insertion and station-knowledge offsets of a nominal run (all zero), as
    :func:`_plan` reads them from a ``Perturbations``."""

    insertion_lvlh = station_knowledge_lvlh = (0.0,) * 6


def fly_mission(
    mission: Mission, p: Perturbations, progress: bool, reference, dispersed: bool
) -> MissionResult:
    """Fly ``mission`` with the dispersions ``p`` (see :meth:`Mission.run`)."""
    from .._progress import tqdm

    # (imported here: the approach's and the result's modules import the docking
    # package, which planning alone, as in nominal_plan, does not need)
    from .approach import approach_stage, joined_trajectories
    from .timeline import assemble_result

    bar = tqdm(total=5, desc="mission", unit="stage", disable=not progress, leave=False)

    def done(text):
        bar.set_postfix_str(text)
        bar.update(1)

    chaser_sc, station_sc = mission.chaser_vehicle(), mission.station_spacecraft()
    mission.launcher().check_payload(chaser_sc.mass_kg * u.kg)

    launch = launch_stage(mission)
    chaser0 = offset_lvlh(launch.chaser_nominal, p.insertion_lvlh)
    station_known = offset_lvlh(launch.station0, p.station_knowledge_lvlh)
    done("launch window and insertion")

    # planned on the ground with the nominal models, flown in the dispersed truth
    fm_plan = vehicle_force_model(mission.force_model, chaser_sc)
    fm_chaser = vehicle_force_model(
        mission.force_model,
        chaser_sc,
        density_scale=p.density_scale_chaser,
        cd_scale=p.cd_scale_chaser,
    )
    fm_station = vehicle_force_model(
        mission.force_model,
        station_sc,
        density_scale=p.density_scale_station,
        cd_scale=p.cd_scale_station,
    )
    plan = _plan(mission, launch, chaser0, station_known, fm_plan, p, reference, dispersed)
    done("phasing plan")
    models = (fm_plan, fm_chaser, fm_station)
    flight = phasing_flight(plan, chaser0, launch.station0, p, models, mission.output_step_s)
    done("phasing flight")

    approach = approach_stage(mission, flight, p, chaser_sc, station_sc)
    done("approach and docking")

    trajectories = joined_trajectories(flight, approach, fm_station, mission.output_step_s)
    result = assemble_result(mission, launch, flight, approach, trajectories, chaser_sc)
    done("timeline")
    bar.close()
    return result
