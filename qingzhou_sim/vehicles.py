r"""Spacecraft, station and launch-vehicle parameters: Qingzhou, Tiangong, Kinetica-2.

Every figure carries its source key from ``../shared/reference/mission-facts.md`` or is
marked **assumption** with the reasoning. Unpublished values are defaults, not facts:
vary them with :func:`dataclasses.replace`, e.g.
``replace(QINGZHOU, propellant_capacity_kg=800.0)``.

Units are carried in the field names (``mass_kg``, ``thrust_n``, ``isp_s``,
``drag_area_m2``); the covariance of the insertion dispersions is in the kernel units
km and km/s.

References
----------
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, Cambridge
University Press, ch. 2 (launch and insertion) and sec. 3.1 (LVLH frame).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from .constants import EARTH, G0_M_S2, EarthModel
from .errors import InputError, UnknownNameError

__all__ = [
    "DockingPort",
    "KINETICA_2",
    "LONG_MARCH_2F",
    "LAUNCH_VEHICLES",
    "LaunchVehicle",
    "QINGZHOU",
    "SPACECRAFT",
    "Spacecraft",
    "TIANGONG",
    "get_launch_vehicle",
    "get_spacecraft",
]


def _positive(obj, *names: str, allow_zero: bool = False) -> None:
    for name in names:
        value = getattr(obj, name)
        ok = isinstance(value, int | float) and math.isfinite(value)
        ok = ok and (value >= 0 if allow_zero else value > 0)
        if not ok:
            raise InputError(
                f"{type(obj).__name__}.{name} = {value!r} must be a finite "
                f"{'non-negative' if allow_zero else 'positive'} number",
                name=name,
                value=value,
                valid=">= 0" if allow_zero else "> 0",
            )


@dataclass(frozen=True, slots=True)
class DockingPort:
    """A docking port in its vehicle's body frame.

    Parameters
    ----------
    name : str
    position_m : (x, y, z)
        Centre of the port's interface plane relative to the vehicle's centre of mass,
        body frame, m.
    axis : (x, y, z)
        Unit outward normal of the interface plane (the capture axis), body frame.
    """

    name: str
    position_m: tuple
    axis: tuple

    def __post_init__(self):
        pos = tuple(float(x) for x in self.position_m)
        ax = tuple(float(x) for x in self.axis)
        norm = math.sqrt(sum(x * x for x in ax)) if len(ax) == 3 else 0.0
        if len(pos) != 3 or not all(math.isfinite(x) for x in pos) or abs(norm - 1.0) > 1e-9:
            raise InputError(
                f"docking port {self.name!r}: position_m = {self.position_m!r}, axis = "
                f"{self.axis!r}; expected three finite numbers and a unit axis",
                name="axis",
                value=self.axis,
            )
        object.__setattr__(self, "position_m", pos)
        object.__setattr__(self, "axis", ax)


def _check_inertia(name: str, inertia) -> tuple:
    """Validate a 3x3 inertia tensor (kg m^2): symmetric, positive definite and
    satisfying the triangle inequalities of its principal moments (Hughes 2004, sec. 3.3)."""
    if len(inertia) == 0:
        return ()
    m = np.asarray(inertia, float)
    ok = m.shape == (3, 3) and bool(np.all(np.isfinite(m))) and np.allclose(m, m.T)
    if ok:
        ev = np.linalg.eigvalsh(m)
        ok = ev[0] > 0 and ev[2] <= ev[0] + ev[1] * (1 + 1e-12)
    if not ok:
        raise InputError(
            f"{name}: inertia_kg_m2 = {inertia!r}; expected a symmetric 3x3 tensor with "
            "positive principal moments, each at most the sum of the other two",
            name="inertia_kg_m2",
            value=inertia,
        )
    return tuple(tuple(float(x) for x in row) for row in m)


@dataclass(frozen=True, slots=True)
class Spacecraft:
    """Mass, drag and propulsion parameters of a spacecraft or station.

    Parameters
    ----------
    name : str
    mass_kg : float
        Mass at the start of the simulation (launch mass for a visiting vehicle).
    drag_area_m2 : float
        Reference area for drag, m^2.
    cd : float
        Drag coefficient (dimensionless).
    propellant_capacity_kg : float
        Usable propellant loaded at launch; ``mass_kg - propellant_capacity_kg`` is the
        dry mass (cargo included). 0 for a body that is not manoeuvred here.
    thrust_n : float
        Total thrust of the main (orbit-change) engines, N; 0 if not modelled.
    isp_s : float
        Specific impulse of the main engines, s; 0 if not modelled.
    min_impulse_bit_m_s : float
        Smallest velocity change the attitude/orbit thrusters execute reliably, m/s.
    docking_mechanism : str
    inertia_kg_m2 : 3x3 tuple
        Inertia tensor about the centre of mass, body axes, kg m^2 (empty: attitude not
        modelled). The centre of mass is fixed: propellant use does not move it.
    ports : tuple of DockingPort
        Docking ports in the body frame, positions from the centre of mass.
    sources : tuple of str
        One line per figure: its source key or "assumption: ..." with the reasoning.

    Examples
    --------
    >>> round(QINGZHOU.ballistic_coefficient_kg_m2, 1)
    265.7
    """

    name: str
    mass_kg: float
    drag_area_m2: float
    cd: float = 2.2
    propellant_capacity_kg: float = 0.0
    thrust_n: float = 0.0
    isp_s: float = 0.0
    min_impulse_bit_m_s: float = 0.0
    docking_mechanism: str = ""
    inertia_kg_m2: tuple = ()
    ports: tuple = ()
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        _positive(self, "mass_kg", "drag_area_m2", "cd")
        _positive(
            self,
            "propellant_capacity_kg",
            "thrust_n",
            "isp_s",
            "min_impulse_bit_m_s",
            allow_zero=True,
        )
        if self.propellant_capacity_kg >= self.mass_kg:
            raise InputError(
                f"{self.name}: propellant capacity {self.propellant_capacity_kg} kg is not below "
                f"the total mass {self.mass_kg} kg; expected propellant < mass",
                name="propellant_capacity_kg",
                value=self.propellant_capacity_kg,
                valid=f"< {self.mass_kg} kg",
            )
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "inertia_kg_m2", _check_inertia(self.name, self.inertia_kg_m2))
        object.__setattr__(self, "ports", tuple(self.ports))

    def port(self, name: str) -> DockingPort:
        """The docking port called ``name``.

        Raises
        ------
        UnknownNameError
            If the vehicle has no such port.
        """
        for p in self.ports:
            if p.name == name:
                return p
        raise UnknownNameError(f"{self.name} docking port", name, tuple(p.name for p in self.ports))

    @property
    def dry_mass_kg(self) -> float:
        """Mass without propellant (structure and cargo), kg."""
        return self.mass_kg - self.propellant_capacity_kg

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        """m / (C_D A), kg/m^2 (Vallado 2013, eq. 8-30 convention)."""
        return self.mass_kg / (self.cd * self.drag_area_m2)

    @property
    def max_delta_v(self) -> u.Quantity:
        """Ideal delta-v of the full propellant load, Tsiolkovsky (m/s)."""
        if self.isp_s == 0 or self.propellant_capacity_kg == 0:
            return 0.0 * (u.m / u.s)
        return self.isp_s * G0_M_S2 * math.log(self.mass_kg / self.dry_mass_kg) * (u.m / u.s)

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.mass_kg:.0f} kg "
            f"({self.propellant_capacity_kg:.0f} kg propellant), "
            f"drag area {self.drag_area_m2:.2f} m2, Cd {self.cd}, "
            f"BC {self.ballistic_coefficient_kg_m2:.1f} kg/m2, "
            f"thrust {self.thrust_n:.0f} N, Isp {self.isp_s:.0f} s"
        )


# Qingzhou: 3.3 m diameter flying end-on, A = pi * 1.65^2 (mission-facts sec. 6, derived).
_QZ_AREA_M2 = math.pi * 1.65**2
# Assumption: length 8 m (unpublished; the approach profiles put the front port 4 m
# ahead of the centre of mass) and a uniform solid cylinder of radius 1.65 m, 5,000 kg,
# body x along the long axis toward the front port: axial m r^2 / 2, transverse
# m (3 r^2 + L^2) / 12 (Hughes 2004, Appendix B). Centre of mass on the axis at
# mid-length, fixed (propellant motion not modelled).
_QZ_LENGTH_M = 8.0
_QZ_IAX = 5000.0 * 1.65**2 / 2.0
_QZ_ITR = 5000.0 * (3.0 * 1.65**2 + _QZ_LENGTH_M**2) / 12.0


def _rod_stack_inertia(rods) -> tuple:
    """Inertia (kg m^2, about the common centre of mass) of thin cylinders given as
    (mass kg, length m, radius m, centre (3,) m, unit axis (3,)): each m L^2 / 12
    across and m r^2 / 2 along its axis, shifted by the parallel-axis theorem."""
    mass = sum(r[0] for r in rods)
    com = sum(r[0] * np.asarray(r[3], float) for r in rods) / mass
    total = np.zeros((3, 3))
    for m, length, radius, centre, axis in rods:
        a = np.asarray(axis, float)
        i_across = m * (3 * radius**2 + length**2) / 12.0
        local = i_across * np.eye(3) + (m * radius**2 / 2.0 - i_across) * np.outer(a, a)
        d = np.asarray(centre, float) - com
        total += local + m * (d @ d * np.eye(3) - np.outer(d, d))
    return tuple(tuple(float(x) for x in row) for row in total)


QINGZHOU = Spacecraft(
    name="Qingzhou",
    mass_kg=5000.0,
    drag_area_m2=_QZ_AREA_M2,
    cd=2.2,
    propellant_capacity_kg=600.0,
    thrust_n=4 * 490.0,
    isp_s=300.0,
    min_impulse_bit_m_s=0.01,
    docking_mechanism="Chinese androgynous peripheral (assumed)",
    inertia_kg_m2=((_QZ_IAX, 0.0, 0.0), (0.0, _QZ_ITR, 0.0), (0.0, 0.0, _QZ_ITR)),
    ports=(DockingPort("front", (_QZ_LENGTH_M / 2, 0.0, 0.0), (1.0, 0.0, 0.0)),),
    sources=(
        "mass 5,000 kg launch mass: SPACECOM-QZ, XH-QZ (firm)",
        "diameter 3.3 m -> end-on area 8.55 m2: SPACECOM-QZ (derived)",
        "Cd 2.2: CHAMP-CD conventional value",
        "assumption: propellant 600 kg; Tianzhou carries 1.75 t for 14 t (TZ6-PD), i.e. "
        "~12 %; 600 kg is 12 % of 5 t and gives ~390 m/s at Isp 300 s, several times the "
        "56-72 m/s minimum rendezvous delta-v (mission-facts sec. 8)",
        "assumption: main engines 4 x 490 N, Isp 300 s, Tianzhou analogue (TZ-SPEC); "
        "unpublished for Qingzhou",
        "assumption: minimum impulse bit 0.01 m/s (order of 25 N thrusters firing ~2 s on 5 t)",
        "assumption: docking mechanism = Chinese androgynous peripheral (SAST-APAS envelope)",
        "assumption: inertia of a uniform 8 m x 3.3 m cylinder of 5 t (length unpublished); "
        "front port on the axis 4 m ahead of the centre of mass; centre of mass fixed",
    ),
)

# Tiangong: no published drag area. Scale the ISS ballistic coefficient
# m / (Cd A) ~ 82 kg/m2 (PHORS-ISS: 4.5e5 kg, ~2.5e3 m2, Cd 2.2) to the 68.8 t stack:
# A = m / (Cd * BC) ~ 381 m2 (mission-facts sec. 7).
_ISS_BC_KG_M2 = 4.5e5 / (2.2 * 2.5e3)
_TG_MASS_KG = 68_800.0

# Assumption (unpublished): the T-shaped stack as three thin cylinders, body axes = LVLH
# when the station holds its attitude (x V-bar, y H-bar, z R-bar): Tianhe 22.5 t,
# 16.6 m x 4.2 m (CAS) along x, its forward node at x = 0; Wentian 23.0 t and Mengtian
# 23.3 t, 17.9 m x 4.2 m, along -y and +y from the node. Visiting vehicles excluded.
_TG_INERTIA = _rod_stack_inertia(
    (
        (22_500.0, 16.6, 2.1, (-8.3, 0.0, 0.0), (1.0, 0.0, 0.0)),
        (23_000.0, 17.9, 2.1, (0.0, -11.05, 0.0), (0.0, 1.0, 0.0)),
        (23_300.0, 17.9, 2.1, (0.0, 11.05, 0.0), (0.0, 1.0, 0.0)),
    )
)
# Port positions from the stack's centre of mass (the profiles' assumption: aft ~15 m
# behind it, forward ~4 m ahead, nadir ~2.5 m below); axes outward.
TIANGONG_PORTS = (
    DockingPort("aft", (-15.0, 0.0, 0.0), (-1.0, 0.0, 0.0)),
    DockingPort("forward", (4.0, 0.0, 0.0), (1.0, 0.0, 0.0)),
    DockingPort("radial", (0.0, 0.0, 2.5), (0.0, 0.0, 1.0)),
)

TIANGONG = Spacecraft(
    name="Tiangong",
    mass_kg=_TG_MASS_KG,
    drag_area_m2=_TG_MASS_KG / (2.2 * _ISS_BC_KG_M2),
    cd=2.2,
    docking_mechanism="Chinese androgynous peripheral (SAST-APAS)",
    inertia_kg_m2=_TG_INERTIA,
    ports=TIANGONG_PORTS,
    sources=(
        "mass 68.8 t: sum of Tianhe 22.5 t (CAS), Wentian 23.0 t (WENTIAN), "
        "Mengtian 23.3 t (MENGTIAN); visiting ships excluded",
        "assumption: drag area from the ISS ballistic coefficient ~82 kg/m2 (PHORS-ISS) "
        "scaled to 68.8 t with Cd 2.2 -> ~381 m2; Tiangong's area is unpublished",
        "assumption: inertia of three thin cylinders (Tianhe along x, the two laboratory "
        "modules along y), module sizes CAS / WENTIAN / MENGTIAN; ports as the approach "
        "profiles (aft 15 m behind, forward 4 m ahead, nadir 2.5 m below the centre of mass)",
    ),
)

SPACECRAFT = {"qingzhou": QINGZHOU, "tiangong": TIANGONG}


def get_spacecraft(name: str) -> Spacecraft:
    """Look up a spacecraft by (case-insensitive) name.

    Raises
    ------
    UnknownNameError
        If the name is not in :data:`SPACECRAFT`.
    """
    key = str(name).strip().lower()
    if key not in SPACECRAFT:
        raise UnknownNameError("spacecraft", name, tuple(SPACECRAFT))
    return SPACECRAFT[key]


@dataclass(frozen=True, slots=True)
class LaunchVehicle:
    r"""Launch vehicle model for in-plane launch windows and insertion.

    Parameters
    ----------
    name : str
    payload_leo_kg : float
        Payload capability to the insertion orbit, kg.
    ascent_duration_s : float
        Liftoff to payload separation (insertion), s.
    downrange_angle_deg : float
        Geocentric angle from the pad (at liftoff) to the insertion point, measured in
        the target plane in the direction of motion, deg.
    window_lead_s : float
        Liftoff is this long before the pad crosses the target plane (the default of
        :func:`qingzhou_sim.launch.launch_windows`), s.
    insertion_perigee_km, insertion_apogee_km : float
        Nominal insertion orbit, altitudes above the equatorial radius, km. Insertion
        takes place at perigee.
    insertion_inc_deg : float
        Nominal inclination; the actual insertion takes the target's plane.
    insertion_sigma_lvlh : tuple of 6 floats
        1-sigma insertion dispersions in the inserted chaser's own LVLH frame
        (x V-bar, y H-bar, z R-bar): positions in km, velocities in km/s. The
        covariance (:meth:`insertion_covariance_lvlh`) is diagonal,
        ``np.diag(np.square(sigma))``.
    sources : tuple of str

    Examples
    --------
    >>> KINETICA_2.check_payload(5000 * u.kg)
    >>> KINETICA_2.insertion_covariance_lvlh().shape
    (6, 6)
    """

    name: str
    payload_leo_kg: float
    ascent_duration_s: float
    downrange_angle_deg: float
    window_lead_s: float
    insertion_perigee_km: float
    insertion_apogee_km: float
    insertion_inc_deg: float
    insertion_sigma_lvlh: tuple[float, ...] = (2.0, 1.0, 0.5, 2e-3, 2e-3, 2e-3)
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self):
        _positive(
            self,
            "payload_leo_kg",
            "ascent_duration_s",
            "downrange_angle_deg",
            "insertion_perigee_km",
            "insertion_apogee_km",
            "insertion_inc_deg",
        )
        _positive(self, "window_lead_s", allow_zero=True)
        if self.insertion_apogee_km < self.insertion_perigee_km:
            raise InputError(
                f"{self.name}: insertion apogee {self.insertion_apogee_km} km is below the "
                f"perigee {self.insertion_perigee_km} km; expected apogee >= perigee",
                name="insertion_apogee_km",
                value=self.insertion_apogee_km,
                valid=f">= {self.insertion_perigee_km} km",
            )
        if not 0 < self.downrange_angle_deg < 180:
            raise InputError(
                f"{self.name}: downrange angle {self.downrange_angle_deg} deg; "
                "expected (0, 180) deg",
                name="downrange_angle_deg",
                value=self.downrange_angle_deg,
                valid="(0, 180) deg",
            )
        sigma = np.asarray(self.insertion_sigma_lvlh, dtype=float)
        if sigma.shape != (6,) or not np.all(np.isfinite(sigma)) or np.any(sigma < 0):
            raise InputError(
                f"{self.name}: insertion_sigma_lvlh = {self.insertion_sigma_lvlh!r}; expected "
                "6 finite non-negative numbers (km, km, km, km/s, km/s, km/s)",
                name="insertion_sigma_lvlh",
                value=self.insertion_sigma_lvlh,
                valid="6 non-negative floats",
            )
        object.__setattr__(self, "insertion_sigma_lvlh", tuple(float(s) for s in sigma))
        object.__setattr__(self, "sources", tuple(self.sources))

    def insertion_covariance_lvlh(self) -> np.ndarray:
        """6x6 insertion covariance in the chaser's own LVLH frame at insertion
        (x V-bar, y H-bar, z R-bar), km^2 and km^2/s^2; diagonal."""
        return np.diag(np.square(self.insertion_sigma_lvlh))

    def insertion_radii_km(self, earth: EarthModel = EARTH) -> tuple[float, float]:
        """(perigee radius, apogee radius) of the nominal insertion orbit, km."""
        return (
            earth.radius_km + self.insertion_perigee_km,
            earth.radius_km + self.insertion_apogee_km,
        )

    def check_payload(self, mass: u.Quantity) -> None:
        """Raise if ``mass`` exceeds the payload capability to the insertion orbit.

        Raises
        ------
        InputError
            If the mass is not a positive mass Quantity or exceeds ``payload_leo_kg``.
        """
        from .constants import as_quantity

        m = float(as_quantity(mass, u.kg, "payload mass").value)
        if m <= 0:
            raise InputError(
                f"payload mass {m} kg must be positive",
                name="payload mass",
                value=m,
                valid="> 0 kg",
            )
        if m > self.payload_leo_kg:
            raise InputError(
                f"payload mass {m:.0f} kg exceeds {self.name}'s capability "
                f"{self.payload_leo_kg:.0f} kg to the insertion orbit; expected <= "
                f"{self.payload_leo_kg:.0f} kg",
                name="payload mass",
                value=m,
                valid=f"<= {self.payload_leo_kg} kg",
            )

    def __repr__(self) -> str:
        # short (no sources text), so that signatures in help() stay one line
        return f"<LaunchVehicle {self.name!r}>"

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.payload_leo_kg:.0f} kg to LEO, "
            f"ascent {self.ascent_duration_s:.0f} s, "
            f"downrange {self.downrange_angle_deg:.1f} deg, insertion "
            f"{self.insertion_perigee_km:.0f} x {self.insertion_apogee_km:.0f} km "
            f"i={self.insertion_inc_deg:.1f} deg, window lead {self.window_lead_s:.0f} s"
        )


KINETICA_2 = LaunchVehicle(
    name="Kinetica-2",
    payload_leo_kg=12_000.0,
    ascent_duration_s=600.0,
    downrange_angle_deg=20.0,
    window_lead_s=300.0,
    insertion_perigee_km=200.0,
    insertion_apogee_km=380.0,
    insertion_inc_deg=41.5,
    insertion_sigma_lvlh=(2.0, 1.0, 0.5, 2e-3, 2e-3, 2e-3),
    sources=(
        "payload 12,000 kg to LEO: CDA-K2, INSTALLSAT-K2 (firm; reference orbit unpublished)",
        "assumption: ascent 600 s, analogue of Tianzhou separation at 604 s on Long March 7 (TZ2)",
        "assumption: downrange angle 20 deg; a ~600 s ascent covers ~2,000-2,500 km of ground "
        "track (mean ground speed ~4 km/s over the second half), i.e. 18-22 deg of arc",
        "assumption: window lead = ascent / 2 = 300 s; a vehicle that starts off-plane by the "
        "pad's inherited cross-plane drift and cancels it with a constant cross-range "
        "acceleration over the ascent reaches the plane with zero cross-track velocity when "
        "liftoff precedes the pad's in-plane instant by half the ascent time",
        "insertion orbit 200 x 380 km, i = 41.5 deg: mission-facts sec. 5 default "
        "(unpublished; cf. LM-7 200 x 394 km, CGWIC-LM7)",
        "assumption: 1-sigma insertion dispersions in LVLH: 2 km along-track, 1 km "
        "cross-track, 0.5 km radial, 2 m/s per velocity axis; 2 m/s cross-track ~ 0.015 deg "
        "of inclination, 2 m/s along-track ~ 7 km of apogee height, the order of liquid "
        "upper-stage injection accuracies; unpublished for Kinetica-2",
    ),
)

# Long March 2F, the Shenzhou launcher from Jiuquan. Its insertion is mission-specific
# (the launcher targets the orbit each rendezvous scheme needs): the nominal here is
# the latest published one, Shenzhou-21's 200 x 363 km at 41.5 deg for the 3.5-hour
# scheme; a mission file sets another with insertion_perigee_km / insertion_apogee_km
# (Shenzhou-8: 200 x 329 km, CD-SZ8-ORBIT). The ascent, downrange and window lead are
# not in the references: Kinetica-2's assumptions are kept, so that the two launchers
# differ only in what is published.
LONG_MARCH_2F = LaunchVehicle(
    name="Long March 2F",
    payload_leo_kg=8_000.0,
    ascent_duration_s=KINETICA_2.ascent_duration_s,
    downrange_angle_deg=KINETICA_2.downrange_angle_deg,
    window_lead_s=KINETICA_2.window_lead_s,
    insertion_perigee_km=200.0,
    insertion_apogee_km=363.0,
    insertion_inc_deg=41.5,
    insertion_sigma_lvlh=KINETICA_2.insertion_sigma_lvlh,
    sources=(
        "payload 8,000 kg to 200-350 km at 42.4-42.7 deg: LM2F-CN (firm)",
        "insertion 200 x 363 km at 41.5 deg: Shenzhou-21, Beijing Aerospace Control Center "
        "via anewz.tv, 31 Oct 2025 (mission-facts, second round; firm)",
        "other Shenzhou insertions differ per mission: Shenzhou-8 200 x 329 km (CD-SZ8-ORBIT)",
        "assumption: ascent, downrange angle, window lead and insertion dispersions as "
        "Kinetica-2's (unpublished for Long March 2F in the references)",
    ),
)

LAUNCH_VEHICLES = {"kinetica-2": KINETICA_2, "long-march-2f": LONG_MARCH_2F}


def get_launch_vehicle(name: str) -> LaunchVehicle:
    """Look up a launch vehicle by (case-insensitive) name; ``kinetica2`` also works.

    Raises
    ------
    UnknownNameError
        If the name is not in :data:`LAUNCH_VEHICLES`.
    """
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = {"kinetica2": "kinetica-2", "lm-2f": "long-march-2f", "cz-2f": "long-march-2f"}.get(
        key, key
    )
    if key not in LAUNCH_VEHICLES:
        raise UnknownNameError("launch vehicle", name, tuple(LAUNCH_VEHICLES))
    return LAUNCH_VEHICLES[key]
