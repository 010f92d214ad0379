"""Natural Earth admin-0 countries, 1:110m (the official shapefile zip)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, clean_text, parse_number

__all__ = ["SOURCE", "FILE", "load_countries", "read_country_polygons"]

SOURCE = SourceInfo(
    key="natural-earth-admin0-110m",
    publisher="Natural Earth",
    dataset="Admin 0 - Countries, 1:110m, v5.1.1",
    year=2022,
    url="https://www.naturalearthdata.com/downloads/110m-cultural-vectors/110m-admin-0-countries/",
    licence="Public domain",
)
FILE = "natural_earth_admin0_110m/ne_110m_admin_0_countries.zip"
_NAME_COLUMNS = (
    "ADMIN",
    "NAME",
    "NAME_LONG",
    "FORMAL_EN",
    "NAME_EN",
    "BRK_NAME",
    "GEOUNIT",
    "SUBUNIT",
    "NAME_SORT",
    "NAME_CIAWF",
    "NAME_ALT",
)
_REQUIRED = ("ADMIN", "ISO_A3", "ISO_A3_EH", "ADM0_A3", "CONTINENT", "REGION_UN", "SUBREGION", "LABEL_X", "LABEL_Y")


def read_country_polygons(sources_dir: Path) -> gpd.GeoDataFrame:
    """The raw layer (EPSG:4326) with an ``iso3`` column; see :func:`load_countries`."""
    path = Path(sources_dir) / FILE
    if not path.exists():
        raise SourceFormatError(str(path), None, None, "file not found")
    try:
        gdf = gpd.read_file(f"zip://{path}")
    except Exception as exc:  # pyogrio/GDAL raise their own types (DataSourceError, …)
        raise SourceFormatError(
            FILE,
            None,
            None,
            f"cannot be read as a zipped shapefile (truncated or corrupted?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    missing = [c for c in _REQUIRED if c not in gdf.columns]
    if missing:
        raise SourceFormatError(FILE, 0, ",".join(missing), "expected Natural Earth admin-0 columns")
    gdf = gdf.to_crs(4326)
    gdf["iso3"] = [_iso3(r) for r in gdf[["ISO_A3", "ISO_A3_EH", "ADM0_A3"]].itertuples(index=False)]
    return gdf


def _iso3(row: object) -> str:
    # ISO_A3 is -99 for France and Norway; ISO_A3_EH fixes those; ADM0_A3 covers the rest
    # (Northern Cyprus, Somaliland, Kosovo), which have no ISO code.
    for col in ("ISO_A3", "ISO_A3_EH", "ADM0_A3"):
        v = str(getattr(row, col))
        if v and v != "-99":
            return v
    return ""


def load_countries(sources_dir: Path) -> LoadResult:
    """One row per country: iso3, name, alternative names, region, label point.

    Columns: ``row, iso3, name, alt_names, continent, region_un, subregion, lon, lat``
    (lon/lat: Natural Earth's label point, EPSG:4326).
    """
    gdf = read_country_polygons(sources_dir)
    ledger = RowLedger(FILE)
    records = []
    first: dict[str, int] = {}
    names_read = [c for c in _NAME_COLUMNS if c in gdf.columns]
    # Only the columns read below (the layer has ~170): a row tuple is built per feature.
    used = list(
        dict.fromkeys(
            ["iso3", "ISO_A3", "LABEL_X", "LABEL_Y", "ADMIN", "CONTINENT", "REGION_UN", "SUBREGION", *names_read]
        )
    )
    for i, r in enumerate(gdf[used].itertuples(index=False), start=1):
        if not r.iso3:
            ledger.reject(i, "ISO_A3", r.ISO_A3, "no ISO_A3, ISO_A3_EH or ADM0_A3 code")
            continue
        if r.iso3 in first:
            ledger.reject(i, "ISO_A3", r.iso3, f"country already read from row {first[r.iso3]} (a duplicated feature)")
            continue
        first[r.iso3] = i
        try:
            lon, lat = parse_number(r.LABEL_X), parse_number(r.LABEL_Y)
        except ValueError:
            ledger.reject(i, "LABEL_X/LABEL_Y", f"{r.LABEL_X},{r.LABEL_Y}", "expected decimal degrees")
            continue
        names = sorted({clean_text(getattr(r, c)) for c in names_read} - {"", clean_text(r.ADMIN)})
        records.append(
            {
                "row": i,
                "iso3": r.iso3,
                "name": clean_text(r.ADMIN),
                "alt_names": ";".join(names),
                "continent": clean_text(r.CONTINENT),
                "region_un": clean_text(r.REGION_UN),
                "subregion": clean_text(r.SUBREGION),
                "lon": lon,
                "lat": lat,
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCE, len(gdf), pd.DataFrame.from_records(records))
