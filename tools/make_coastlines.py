"""Generate ``qingzhou_sim/data/land_110m.npz``, the low-resolution land outline drawn
under ground tracks.

Source: Natural Earth 1:110m Admin 0 countries (https://www.naturalearthdata.com/),
public domain ("All versions of Natural Earth raster + vector map data found on this
website are in the public domain"), as shipped offline in the ``pyogrio`` wheel
(``pyogrio/tests/fixtures/naturalearth_lowres``, pyogrio 0.13.0). Read with ``pyshp``.

Every polygon ring of every country is kept (country borders included: at this scale
they are drawn as thin lines inside the land fill), rounded to 0.01 deg.

Run once (needs ``pip install pyogrio pyshp``, neither a dependency of the library):

    python tools/make_coastlines.py
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "qingzhou_sim" / "data" / "land_110m.npz"


def main() -> None:
    import pyogrio
    import shapefile  # pyshp

    shp = (
        files("pyogrio") / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    )
    points: list[np.ndarray] = []
    starts = [0]
    with shapefile.Reader(str(shp)) as reader:
        for shape in reader.shapes():
            parts = list(shape.parts) + [len(shape.points)]
            pts = np.asarray(shape.points, dtype=float)
            for a, b in zip(parts[:-1], parts[1:]):
                ring = np.round(pts[a:b], 2)
                points.append(ring)
                starts.append(starts[-1] + len(ring))
    lonlat = np.concatenate(points).astype(np.float32)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        lonlat_deg=lonlat,
        ring_starts=np.asarray(starts, dtype=np.int32),
        source=np.array(
            "Natural Earth 1:110m Admin 0 countries (public domain), "
            f"from pyogrio {pyogrio.__version__} test fixtures; tools/make_coastlines.py"
        ),
    )
    print(f"{OUT}: {len(starts) - 1} rings, {len(lonlat)} points, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
