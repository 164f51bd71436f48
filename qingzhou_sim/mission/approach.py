"""Approach and docking stage of a mission: the six-degree-of-freedom approach from the
hand-over point (:func:`qingzhou_sim.docking.simulate_approach`), and the joined
ephemerides of both vehicles from insertion to the end of the approach."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.time import Time

from .result import Ephemeris

__all__ = ["Trajectories", "approach_stage", "joined_trajectories"]


def approach_stage(mission, flight, p, chaser_sc, station_sc):
    """Fly the approach from the chaser's and the station's states at the hand-over.

    The sample's dispersions reach the approach as follows (their 1-sigma values and
    sources: :class:`qingzhou_sim.montecarlo.Dispersions`):

    - ``navigation_scale`` scales the relative sensors' white noise
      (:meth:`NavigationConfig.scaled`);
    - ``sensor_bias_scale`` and ``sensor_misalignment_scale`` scale the sensor suite's
      per-run bias (and initial gyro bias) and mounting-misalignment sigmas
      (:class:`~qingzhou_sim.docking.sensors.SensorSuite` defaults); the approach draws
      them from the sample's seed;
    - ``thruster_magnitude_frac`` and ``thruster_misalignment_rad`` are the approach's
      per-thruster static execution errors and its transfer burns' execution errors
      (:class:`~qingzhou_sim.docking.ThrusterConfig`), drawn from the sample's seed;
    - ``chaser_attitude_error_rad``, ``chaser_rate_error_rad_s`` and ``inertia_scale``
      are the chaser's attitude and rate at hand-over and its true / flight-software
      principal inertia (:class:`~qingzhou_sim.docking.AttitudeConfig`).

    With all of the sensor and thruster terms at zero the approach runs without noise
    (no draw at all; the filter starts from the truth). When any of them is on, the
    approach's noise is on: the navigation filter's initial estimate errors (its
    ``FilterConfig`` sigmas), the gyro's and star tracker's white noise and the
    sensors' dropouts are then drawn too (``SensorSuite`` defaults).

    Parameters
    ----------
    mission : Mission
        Gives the approach profile and the control rate.
    flight : PhasingFlight
        The phasing stage (its last samples are the hand-over states).
    p : Perturbations
        The sample's dispersions (above) and drag scales.
    chaser_sc, station_sc : Spacecraft

    Returns
    -------
    ApproachResult

    Raises
    ------
    InputError
        A sensor or thruster term is on while ``navigation_scale`` is 0.
    """
    from ..docking import AttitudeConfig, PlantConfig, simulate_approach
    from ..errors import InputError
    from ..state import State

    t_ho = flight.plan.handover_epoch
    c, s = flight.chaser, flight.station
    chaser_ho = State.from_vectors(t_ho, c.r_km[-1], c.v_km_s[-1])
    station_ho = State.from_vectors(t_ho, s.r_km[-1], s.v_km_s[-1])
    noisy = {
        "sensor_bias_scale": p.sensor_bias_scale,
        "sensor_misalignment_scale": p.sensor_misalignment_scale,
        "thruster_magnitude_frac": p.thruster_magnitude_frac,
        "thruster_misalignment_rad": p.thruster_misalignment_rad,
    }
    on = [name for name, value in noisy.items() if value]
    if on and not p.navigation_scale:
        raise InputError(
            f"perturbation {on[0]} = {noisy[on[0]]!r} needs navigation_scale > 0: the "
            "navigation filter cannot run on noiseless sensors",
            name=on[0],
            value=noisy[on[0]],
            valid="navigation_scale > 0, or this term 0",
        )
    quiet = not p.navigation_scale and not on
    return simulate_approach(
        station_ho,
        chaser_ho,
        profile=mission.approach_profile_name,
        rng=np.random.default_rng([p.seed, 1]),
        noise=False if quiet else _navigation(p.navigation_scale),
        sensors=_sensor_suite(p.sensor_bias_scale, p.sensor_misalignment_scale),
        thrusters=_thrusters(p.thruster_magnitude_frac, p.thruster_misalignment_rad),
        attitude=AttitudeConfig(
            chaser_error_deg=tuple(np.rad2deg(p.chaser_attitude_error_rad)),
            chaser_rate_deg_s=tuple(np.rad2deg(p.chaser_rate_error_rad_s)),
            inertia_scale=p.inertia_scale,
        ),
        plant=PlantConfig(
            chaser=chaser_sc,
            station=station_sc,
            density_scale_chaser=p.density_scale_chaser,
            density_scale_station=p.density_scale_station,
            cd_scale_chaser=p.cd_scale_chaser,
            cd_scale_station=p.cd_scale_station,
        ),
        control_rate_hz=mission.control_rate_hz,
    )


# The configurations below depend on a campaign's dispersion scales only (the same for
# all its samples): made once each (frozen dataclasses, ~0.3 ms a sample otherwise).
@functools.lru_cache(maxsize=8)
def _navigation(scale: float):
    """The approach's navigation configuration, sensor white noise times ``scale``."""
    from ..docking import NavigationConfig

    return NavigationConfig().scaled(scale)


@functools.lru_cache(maxsize=8)
def _thrusters(magnitude_frac: float, misalignment_rad: float):
    """Approach thrusters with these 1-sigma thrust and misalignment errors."""
    from ..docking import ThrusterConfig

    return ThrusterConfig(
        magnitude_sigma=magnitude_frac,
        pointing_sigma_deg=float(np.rad2deg(misalignment_rad)),
    )


@functools.lru_cache(maxsize=8)
def _sensor_suite(bias: float, mis: float):
    """The default sensor suite with its per-run bias and mounting-misalignment sigmas
    scaled by the sample's ``sensor_bias_scale`` (``bias``) and
    ``sensor_misalignment_scale`` (``mis``) (white noise: ``navigation_scale``,
    through the approach's ``NavigationConfig``)."""
    from dataclasses import replace

    from ..docking.sensors import SensorSuite

    suite = SensorSuite()

    def relative(cfg):
        return replace(
            cfg,
            bias_sigma=tuple(bias * b for b in cfg.bias_sigma),
            misalignment_sigma_deg=mis * cfg.misalignment_sigma_deg,
        )

    return replace(
        suite,
        gnss=relative(suite.gnss),
        lidar=relative(suite.lidar),
        camera=relative(suite.camera),
        gyro=replace(
            suite.gyro, initial_bias_sigma_deg_h=bias * suite.gyro.initial_bias_sigma_deg_h
        ),
        star_tracker=replace(
            suite.star_tracker,
            misalignment_sigma_arcsec=mis * suite.star_tracker.misalignment_sigma_arcsec,
        ),
    )


@dataclass(frozen=True)
class Trajectories:
    """Both vehicles from insertion to the end of the approach, and the relative
    motion in the station's LVLH (``rel_t_s`` seconds after insertion, km, km/s)."""

    chaser: Ephemeris
    station: Ephemeris
    rel_t_s: np.ndarray
    rel: np.ndarray


def joined_trajectories(flight, approach, fm_station, output_step_s: float) -> Trajectories:
    """Phasing trajectories joined with the approach: the station propagated over the
    approach, the chaser placed from its LVLH history. The full-rate approach history
    is kept for the relative plots."""
    from ..frames import _inertial_to_relative, _relative_to_inertial
    from ..propagator import Propagator
    from ..state import State

    c, s = flight.chaser, flight.station
    t_ho = flight.plan.handover_epoch
    station_ho = State.from_vectors(t_ho, s.r_km[-1], s.v_km_s[-1])
    t_app = approach.t_s - approach.t_s[0]
    keep = _thin(t_app, output_step_s)
    app_epochs = t_ho + t_app[keep] * u.s
    station_app = Propagator(fm_station).propagate(station_ho, app_epochs)
    rel_app = np.concatenate(
        [approach.r_true.to_value(u.km), approach.v_true.to_value(u.km / u.s)], axis=1
    )
    chaser_app = _relative_to_inertial("LVLH", station_app.rv_km, rel_app[keep])
    rel_phasing = _inertial_to_relative("LVLH", s.rv_km, c.rv_km)
    chaser_eph = Ephemeris(
        _concat_times(c.epochs, app_epochs[1:]),
        np.vstack([c.r_km, chaser_app[1:, :3]]),
        np.vstack([c.v_km_s, chaser_app[1:, 3:]]),
    )
    station_eph = Ephemeris(
        _concat_times(s.epochs, app_epochs[1:]),
        np.vstack([s.r_km, station_app.r_km[1:]]),
        np.vstack([s.v_km_s, station_app.v_km_s[1:]]),
    )
    span_s = flight.grid_s[-1]
    rel_t_s = np.concatenate([flight.grid_s, span_s + t_app[1:]])
    return Trajectories(chaser_eph, station_eph, rel_t_s, np.vstack([rel_phasing, rel_app[1:]]))


def _thin(t_s: np.ndarray, step_s: float) -> np.ndarray:
    """Indices of samples at least ``step_s`` apart (first and last always kept)."""
    keep = [0]
    for k in range(1, len(t_s)):
        if t_s[k] - t_s[keep[-1]] >= step_s:
            keep.append(k)
    if keep[-1] != len(t_s) - 1:
        keep.append(len(t_s) - 1)
    idx = np.asarray(keep)
    # Drop repeated epochs (segment boundaries share a time stamp).
    _, first = np.unique(t_s[idx], return_index=True)
    return idx[np.sort(first)]


def _concat_times(a: Time, b: Time) -> Time:
    from astropy.time import TimeDelta

    if len(b) == 0:
        return a
    ref = a[0]
    dt = np.concatenate([(a - ref).to_value(u.s), (b - ref).to_value(u.s)])
    return ref + TimeDelta(dt * u.s)
