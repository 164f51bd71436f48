r"""Launch sites, the station as a target, in-plane launch windows and Kinetica-2 insertion.

A rendezvous launch is "zero-window" (mission-facts sec. 2, CD-SZ8): the pad must lift
off when the Earth's rotation carries it through the station's orbital plane. This
module finds those instants and the state in which the launcher leaves the chaser.

* :class:`Target` — the station: from a :class:`~qingzhou_sim.state.State`, from
  classical elements, or from a real two-line element set (SGP4, TEME -> GCRS through
  astropy). :func:`nominal_tiangong` is the default reference orbit.
* :class:`LaunchSite` and :data:`SITES` — Jiuquan (default), Wenchang, Taiyuan, Xichang.
* :func:`launch_windows` — the pad's plane crossings over a span (site ITRS -> GCRS
  through astropy, the plane's node regressing at the J2 secular rate), with launch
  azimuth, ground-track direction, liftoff time and the station's phase angle at
  insertion.
* :func:`insertion_state` — the chaser's :class:`State` at insertion for a liftoff time.

Conventions
-----------
* The target plane is the **mean** plane: mean inclination fixed, right ascension of
  the ascending node regressing at the J2 secular rate (Vallado 2013, eq. 9-41; SGP4's
  own secular rate for a TLE) about the Earth's true pole, i.e. in TEME (true equator,
  mean equinox of date, the frame of SGP4), rotated to GCRS by astropy. Regressing
  about the GCRS pole instead would tilt the plane ~0.2 deg within two weeks, because
  precession has moved the pole ~0.15 deg since J2000.
* For a TLE the station's *position* (for phase angles) comes from SGP4 itself. A
  :class:`Target` built from a ``State`` or elements is propagated with the J2
  secular rates of eq. 9-41, its elements being read as mean elements. That is exact
  for the nominal orbit (defined by its mean elements) and a few degrees per day of
  along-track drift for an osculating state; use a TLE for real-data phase angles.
* **Phase angle** at insertion: the angle, in the station's orbital plane and about
  its angular momentum, from the chaser (projected into that plane) to the station;
  positive when the station is ahead, reported in [0, 360) deg (the Soyuz/Fehse
  convention: a chaser below and behind catches up by this angle).
* **Azimuth**: the inertial launch azimuth from north, ``cos i = cos(lat) sin(beta)``
  (Napier's rule in the right spherical triangle node - pad - foot of the pad's
  meridian on the equator; ORBITERWIKI-AZ) with the pad's *geocentric*
  latitude (the plane contains the geocentre; the geodetic latitude would shift the
  azimuth by ~1 deg near the ground track's vertex at Jiuquan, so mission-facts'
  82.6/97.4 deg become 81.4/98.6 deg) and the plane's inclination over the Earth's
  true equator of date (its normal taken GCRS -> ITRS), and the value corrected for
  the Earth's rotation (the azimuth the rocket flies relative to the ground).
  "northbound" windows have the station's ground track heading north-east over the
  pad (ascending half of the orbit), "southbound" heading south-east.

Layout: ``_kernels.py`` (float64 kernels, no astropy), ``target.py`` (TLE validation,
:class:`Target`, :func:`nominal_tiangong`), ``sites.py`` (:class:`LaunchSite`,
:data:`SITES`), ``windows.py`` (:func:`launch_windows`, :func:`insertion_state`).

References
----------
Vallado, D. A. (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed.,
eq. 9-41 (J2 secular rates), Algorithm 2 (Kepler's equation), Algorithms 9/10 (elements).
ORBITERWIKI-AZ, "Launch Azimuth", https://www.orbiterwiki.org/index.php?title=Launch_Azimuth&oldid=7537.
Fehse, W. (2003), *Automated Rendezvous and Docking of Spacecraft*, ch. 2 (launch, phasing).
Vallado, D. A., Crawford, P., Hujsak, R., Kelso, T. S. (2006), "Revisiting Spacetrack
Report #3", AIAA 2006-6753 (SGP4 and the TEME frame).
"""

from __future__ import annotations

from .sites import SITES, LaunchSite, get_site
from .target import Target, nominal_tiangong, station_from_tle, validate_tle
from .windows import LaunchWindow, LaunchWindows, insertion_state, launch_windows

__all__ = [
    "LaunchSite",
    "LaunchWindow",
    "LaunchWindows",
    "SITES",
    "Target",
    "get_site",
    "insertion_state",
    "launch_windows",
    "nominal_tiangong",
    "station_from_tle",
    "validate_tle",
]
