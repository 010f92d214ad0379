"""USGS NMIC facility layers ("Compilation of Geospatial Data (GIS) for the Mineral
Industries and Related Infrastructure"): the Indo-Pacific file, and any other edition in
the same schema (China, Latin America and the Caribbean …) — nothing here assumes a region.

One published row is one facility x commodity (``FeatureUID`` repeats); rows of one
``FeatureUID`` become one place with one ``PRODUCES`` record per row. Oil and gas fields
and refineries are excluded (petroleum is not a mineral commodity of this model).
Capacity ``-999`` or unit ``NA`` means unknown and is kept empty. Owners are
``OwnerName1..6`` with stakes written ``Name [60%]``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.schema import commodity_id
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, clean_text, frame_records, parse_number

__all__ = ["SOURCE", "FILE", "load_facility_layer", "parse_owner", "kind_and_stage"]

SOURCE = SourceInfo(
    key="usgs-nmic-indopac",
    publisher="U.S. Geological Survey, National Minerals Information Center",
    dataset="Compilation of Geospatial Data (GIS) for the Mineral Industries and Related "
    "Infrastructure of Selected Countries in the Indo-Pacific (INDOPAC_Mineral_Facilities)",
    year=2024,
    url="https://catalog.data.gov/dataset/compilation-of-geospatial-data-gis-for-the-mineral-"
    "industries-and-related-infrastructure-o-6058f",
)
FILE = "usgs_indopac_mineral_facilities/INDOPAC_Mineral_facilities.geojson"

REQUIRED = (
    "FeatureUID",
    "Country",
    "FeatureNam",
    "FeatureTyp",
    "DsgAttr01",
    "DsgAttr02",
    "DsgAttr06",
    "DsgAttr07",
    "LocOpStat",
    "ADM1",
    "LocConf",
    "Latitude",
    "Longitude",
    "OperateNam",
    "OwnerName1",
)
_EXCLUDED_TYPES = ("oil and gas",)
_STATUS = {
    "assumed active": "operating",
    "active": "operating",
    "suspended": "suspended",
    "c&m": "care_and_maintenance",
    "closed": "closed",
    "inactive": "closed",
    "under construction": "construction",
    "planned": "planned",
}
_UNITS = {
    "kmt": "kt",
    "mt": "t",
    "kg": "kg",
    "million mt": "Mt",
    "thousand carats": "kct",
    "kbbl": "kbbl",
    "mmbbl": "MMbbl",
    "mcm": "mcm",
}
#: (pattern on the product text DsgAttr02, kind of plant, stage); first match wins.
_PRODUCT_RULES: tuple[tuple[str, str, str], ...] = (
    (r"rare-earth compounds|oxide|oxalate", "separation_plant", "separation"),
    (r"^ferro|silicomanganese|alloy", "metal_alloy_plant", "metal_alloy"),
    (r"concentrate|sinter", "concentrator", "concentrating"),
    (r"pig iron|raw steel|direct-reduced|hot-briquetted|slag|matte", "smelter", "smelting"),
    (
        r"metal|refined|cathode|paratungstate|trimethylindium|sulfuric acid|intermediate|"
        r"chemical|carbonate|solution|synthetic graphite|titanium dioxide",
        "refinery",
        "refining",
    ),
)
_OWNER = re.compile(r"^(.*?)\s*\[\s*([0-9.]+)\s*%?\s*\]\s*$")


def parse_owner(text: str) -> tuple[str, float | None]:
    """``"Lynas Rare Earths Ltd. [100%]"`` -> ``("Lynas Rare Earths Ltd.", 100.0)``."""
    t = clean_text(text)
    m = _OWNER.match(t)
    if m:
        return m.group(1).strip(), float(m.group(2))
    return t, None


@functools.lru_cache(maxsize=4096)  # pure; the layers repeat a few dozen (type, product) pairs
def kind_and_stage(feature_type: str, product: str) -> tuple[str, str, str]:
    """(node kind Site|Facility, place kind, stage) of one published row."""
    ft = feature_type.lower()
    if re.search(r"\bmines?\b|\bquarr", ft):  # not 'Mineral Processing Plants'
        return "Site", "mine", "mining"
    if "brine" in ft:
        return "Site", "brine", "mining"
    p = product.lower()
    for pattern, kind, stage in _PRODUCT_RULES:
        if re.search(pattern, p):
            return "Facility", kind, stage
    return "Facility", "processing_plant", "refining"


def _read(path: Path, file: str) -> pd.DataFrame:
    """The layer's attribute table; a file the GIS reader cannot open is a SourceFormatError."""
    try:
        if path.suffix.lower() == ".zip":
            gdf = gpd.read_file(f"zip://{path}")
        else:
            gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio/GDAL raise their own types (DataSourceError, …)
        raise SourceFormatError(
            file,
            None,
            None,
            f"cannot be read as a GIS layer "
            f"(truncated or not GeoJSON/shapefile/GeoPackage?): "
            f"{type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    return pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))


def load_facility_layer(
    sources_dir: Path, crosswalk: Crosswalk, file: str = FILE, source: SourceInfo = SOURCE
) -> LoadResult:
    """Load one NMIC facility layer (GeoJSON, shapefile zip or GeoPackage).

    The table has one row per published row: ``row, uid, node_kind, kind, stage, name,
    iso3, admin1, lon, lat, status, commodity, product, content, capacity, capacity_unit,
    operator, owners (list of (name, pct)), info_urls, loc_conf, location``.
    """
    path = Path(sources_dir) / file
    if not path.exists():
        raise SourceFormatError(str(path), None, None, "file not found")
    df = _read(path, file)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SourceFormatError(file, 0, ", ".join(missing), "expected USGS NMIC facility-layer columns")
    ledger = RowLedger(file)
    records = []
    first: dict[tuple[str, ...], int] = {}
    # the owner and source columns the layer has (every record has the same columns)
    owner_fields = [f for f in (f"OwnerName{k}" for k in range(1, 7)) if f in df.columns]
    url_fields = [f for f in (f"InfSource{k}" for k in range(1, 8)) if f in df.columns]
    for i, r in enumerate(frame_records(df), start=1):
        key = tuple(map(str, r.values()))  # every record has the columns in the same order
        if key in first:
            ledger.reject(i, "(row)", "", f"an exact copy of row {first[key]} (a duplicated feature)")
            continue
        first[key] = i
        ftype = clean_text(r["FeatureTyp"])
        if any(x in ftype.lower() for x in _EXCLUDED_TYPES):
            ledger.exclude(
                i,
                f"out of scope: FeatureTyp {ftype!r} (petroleum and natural gas are not "
                "mineral commodities of this model)",
            )
            continue
        uid = clean_text(r["FeatureUID"])
        if not uid:
            ledger.reject(i, "FeatureUID", "", "empty FeatureUID")
            continue
        try:
            iso3 = crosswalk.iso3(r["Country"], f"{file}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", r["Country"], str(exc))
            continue
        try:
            lat, lon = parse_number(r["Latitude"]), parse_number(r["Longitude"])
        except (TypeError, ValueError):
            ledger.reject(i, "Latitude/Longitude", f"{r['Latitude']},{r['Longitude']}", "expected decimal degrees")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180 or 0,0")
            continue
        commodity_text = clean_text(r["DsgAttr01"])
        try:
            cid = commodity_id(commodity_text, f"{file}, row {i}, field 'DsgAttr01'")
        except UnknownCommodityError as exc:
            ledger.reject(i, "DsgAttr01", commodity_text, str(exc))
            continue
        product = clean_text(r["DsgAttr02"])
        node_kind, kind, stage = kind_and_stage(ftype, product)
        cap_raw = r["DsgAttr06"]
        unit_raw = clean_text(r["DsgAttr07"])
        capacity: float | None
        try:
            capacity = (
                parse_number(cap_raw)
                if cap_raw not in (None, "") and not (isinstance(cap_raw, float) and cap_raw != cap_raw)
                else None
            )
        except (TypeError, ValueError):
            ledger.reject_cell(i, "DsgAttr06", cap_raw, "expected a number")
            capacity = None
        if capacity is not None and (capacity <= 0 or unit_raw.upper() == "NA"):
            capacity = None  # -999 / NA: unknown in the NMIC layers
        unit = _UNITS.get(unit_raw.lower(), unit_raw) if capacity is not None else ""
        status_raw = clean_text(r["LocOpStat"])
        status = _STATUS.get(status_raw.lower())
        if status is None:
            ledger.reject_cell(i, "LocOpStat", status_raw, f"expected one of {sorted(_STATUS)}")
            status = "unknown"
        owners = [parse_owner(r[f]) for f in owner_fields if clean_text(r[f])]
        urls = [clean_text(r[f]) for f in url_fields if clean_text(r[f]).startswith("http")]
        records.append(
            {
                "row": i,
                "uid": uid,
                "node_kind": node_kind,
                "kind": kind,
                "stage": stage,
                "name": clean_text(r["FeatureNam"]),
                "iso3": iso3,
                "admin1": clean_text(r["ADM1"]),
                "lon": lon,
                "lat": lat,
                "status": status,
                "status_raw": status_raw,
                "commodity": cid,
                "product": product,
                "content": clean_text(r.get("DsgAttr03", "")),
                "capacity": capacity,
                "capacity_unit": unit,
                "operator": clean_text(r["OperateNam"]),
                "owners": owners,
                "info_urls": urls,
                "loc_conf": clean_text(r["LocConf"]),
                "location": clean_text(r.get("DsgAttr10", "")),
            }
        )
        ledger.load(i)
    return ledger.finish(source, len(df), pd.DataFrame.from_records(records))
