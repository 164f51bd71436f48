"""Launch sites: geodetic coordinates with a source line each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from astropy.time import Time

from ..constants import EARTH, EarthModel, as_time
from ..errors import InputError, UnknownNameError

__all__ = ["LaunchSite", "SITES", "get_site"]


# ------------------------------------------------------------------------ launch sites
@dataclass(frozen=True, slots=True)
class LaunchSite:
    """A launch pad: geodetic (WGS-84) latitude, longitude, height and its source, and
    the site's practice of liftoff timing: ``liftoff_offset_s``, liftoff minus the
    instant the pad crosses the target's plane (negative: liftoff before the crossing),
    with ``practice`` saying where it comes from."""

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float
    source: str = ""
    liftoff_offset_s: float = 0.0
    practice: str = "assumption: liftoff at the pad's in-plane instant"

    def __post_init__(self):
        for name in ("lat_deg", "lon_deg", "height_m", "liftoff_offset_s"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v)):
                raise InputError(
                    f"LaunchSite.{name} = {v!r} must be a finite number", name=name, value=v
                )
        if not -90 <= self.lat_deg <= 90:
            raise InputError(
                f"launch site latitude {self.lat_deg} deg is outside [-90, 90] deg",
                name="lat_deg",
                value=self.lat_deg,
                valid="[-90, 90] deg",
            )

    def itrs_km(self, earth: EarthModel = EARTH) -> np.ndarray:
        """Earth-fixed (ITRS) position, km (3,)."""
        from ..frames import _geodetic_to_ecef

        return _geodetic_to_ecef(
            np.deg2rad(self.lat_deg),
            np.deg2rad(self.lon_deg),
            self.height_m / 1e3,
            earth.radius_km,
            earth.flattening,
        )

    def geocentric_lat_rad(self, earth: EarthModel = EARTH) -> float:
        """Geocentric latitude of the pad (angle of its position above the equator), rad."""
        r = self.itrs_km(earth)
        return float(np.arcsin(r[2] / np.linalg.norm(r)))

    def gcrs_km(self, epochs: Time, earth: EarthModel = EARTH) -> np.ndarray:
        """Inertial (GCRS) position at ``epochs`` through astropy's ITRS -> GCRS."""
        from ..frames import _gcrs_itrs_kernel

        epochs = as_time(epochs, "epochs")
        r = np.broadcast_to(self.itrs_km(earth), tuple(epochs.shape) + (3,))
        return _gcrs_itrs_kernel(epochs, np.array(r), None, to_itrs=False)[0]

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.lat_deg:.4f} deg N, {self.lon_deg:.4f} deg E, "
            f"{self.height_m:.0f} m ({self.source})"
        )


SITES = {
    "jiuquan": LaunchSite(
        "Jiuquan",
        40.9581,
        100.2912,
        1000.0,
        "SN-JSLC https://spacenews.com/satellite-image-of-jiuquan-space-launch-center-china/ "
        "(crewed pad area; elevation approx., RR-JSLC)",
        0.0,
        "liftoff at the in-plane instant: Shenzhou-12 lifted off 40 s after and Shenzhou-13 "
        "34 s before the crossing computed from Tianhe TLEs (tests/validation/"
        "test_launch_sz12_vs_tle.py), mean +3 s; the pad drifts across the plane at only "
        "~50 m/s near the vertex of the ground track",
    ),
    "wenchang": LaunchSite(
        "Wenchang",
        19.6145,
        110.9511,
        0.0,
        "WIKI-WENCHANG https://en.wikipedia.org/wiki/Wenchang_Spacecraft_Launch_Site "
        "(LM-7 pad; height assumed sea level, coastal site)",
        -300.0,
        "liftoff 300 s (half a 600 s ascent) before the in-plane instant: Tianzhou-2 lifted "
        "off 312 s before the crossing computed from a Tianhe TLE (test_launch_sz12_vs_tle."
        "py); at ~270 m/s of cross-plane drift the launcher leads the plane",
    ),
    "taiyuan": LaunchSite(
        "Taiyuan",
        38.849,
        111.608,
        1500.0,
        "Wikipedia, Taiyuan Satellite Launch Center, 38 deg 50' 56\" N 111 deg 36' 30\" E "
        "https://en.wikipedia.org/wiki/Taiyuan_Satellite_Launch_Center (elevation approx.)",
    ),
    "xichang": LaunchSite(
        "Xichang",
        28.246,
        102.027,
        1800.0,
        "Wikipedia, Xichang Satellite Launch Center, 28 deg 14' 46\" N 102 deg 01' 37\" E "
        "https://en.wikipedia.org/wiki/Xichang_Satellite_Launch_Center (elevation approx.)",
    ),
}


def get_site(site) -> LaunchSite:
    """A :class:`LaunchSite` from itself or its (case-insensitive) name in :data:`SITES`.

    Raises
    ------
    UnknownNameError
        If the name is not in :data:`SITES`.
    """
    if isinstance(site, LaunchSite):
        return site
    key = str(site).strip().lower()
    if key not in SITES:
        raise UnknownNameError("launch site", site, tuple(SITES))
    return SITES[key]
