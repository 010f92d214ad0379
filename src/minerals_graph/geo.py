"""Geometry helpers: coordinates against country polygons (Natural Earth)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from minerals_graph import settings
from minerals_graph.sources.natural_earth import read_country_polygons

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "places_outside_country"]

#: Mean Earth radius (km) of the great-circle distances.
EARTH_RADIUS_KM = 6371.0088

_Coord = float | npt.NDArray[np.float64]


def haversine_km(lon1: _Coord, lat1: _Coord, lon2: _Coord, lat2: _Coord) -> Any:
    """Great-circle distance in km between lon/lat points in degrees: a float for scalar
    points, an array (element-wise) for arrays.

    Examples
    --------
    >>> round(haversine_km(0.0, 0.0, 1.0, 0.0), 3)
    111.195
    """
    lo1, la1, lo2, la2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    d = np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))))
    return float(d) if d.ndim == 0 else d


def places_outside_country(places: pd.DataFrame, sources_dir: Path, *, buffer_deg: float | None = None) -> pd.DataFrame:
    """Places whose lon/lat is not inside their country's polygon (plus ``buffer_deg``).

    Countries missing from Natural Earth 1:110m (small islands) cannot be checked and are
    skipped; a point off its country's generalised outline passes when that country is still
    the nearest polygon, within ``settings.ISLAND_TOLERANCE_DEG`` (islands the outline lacks).
    Returns the offending rows with ``distance_deg`` to the polygon.
    """
    buffer_deg = settings.COUNTRY_POLYGON_BUFFER_DEG if buffer_deg is None else buffer_deg
    polys = read_country_polygons(sources_dir).dissolve(by="iso3")
    pts = places.dropna(subset=["lon", "lat"])
    pts = pts[pts["iso3"].isin(polys.index)]
    if not len(pts):
        return pts.assign(distance_deg=[])
    g = gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs=4326, index=pts.index)
    dist = [float(polys.geometry[iso].distance(pt)) for iso, pt in zip(pts["iso3"], g, strict=True)]
    out = pts.assign(distance_deg=dist)
    out = out[out["distance_deg"] > buffer_deg]
    # Small islands (Obi, Indonesia) are missing from the 1:110m outlines: a point still
    # passes when its own country is the nearest polygon and it lies within
    # settings.ISLAND_TOLERANCE_DEG of it (a swapped lon/lat or a wrong country still fails).
    keep = []
    for idx, row in out.iterrows():
        pt = g[idx]
        with warnings.catch_warnings():  # degrees on purpose: the tolerance is in degrees too
            warnings.filterwarnings("ignore", message="Geometry is in a geographic CRS")
            nearest = polys.geometry.distance(pt).idxmin()
        keep.append(not (nearest == row["iso3"] and row["distance_deg"] <= settings.ISLAND_TOLERANCE_DEG))
    return out[keep] if len(out) else out
