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
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.schema import commodity_id
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    ValueMemo,
    clean_text,
    frame_records,
    parse_number,
)

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

    The layer is read a column at a time (:func:`_columns`), its text columns cleaned a
    column at a time and the table built from columns: the rows are only walked to decide
    each row's fate and its derived values.
    """
    path = Path(sources_dir) / file
    if not path.exists():
        raise SourceFormatError(str(path), None, None, "file not found")
    df = _read(path, file)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SourceFormatError(file, 0, ", ".join(missing), "expected USGS NMIC facility-layer columns")
    ledger = RowLedger(file)
    raw = _columns(df)
    blank = [""] * len(df)  # an optional column the layer does not have: read as ""
    text = {name: list(map(clean_text, raw[name])) if name in raw else blank for name in _TEXT}
    # the owner and source columns the layer has (every record has the same columns)
    owner_fields = [f for f in (f"OwnerName{k}" for k in range(1, 7)) if f in raw]
    url_fields = [f for f in (f"InfSource{k}" for k in range(1, 8)) if f in raw]
    owners = ValueMemo(parse_owner)  # of the cleaned text (parse_owner cleans it again: the same)
    commodity_ids = ValueMemo(_commodity_or_none)
    first: dict[tuple[str, ...], int] = {}
    # a row's published values as text, in column order: an exact copy has the same
    keys = zip(*(list(map(str, values)) for values in raw.values()), strict=True)
    kept: list[int] = []  # positions (0-based) of the loaded rows
    derived: dict[str, list[object]] = {name: [] for name in _DERIVED}
    for k, key in enumerate(keys):
        i = k + 1
        if key in first:
            ledger.reject(i, "(row)", "", f"an exact copy of row {first[key]} (a duplicated feature)")
            continue
        first[key] = i
        ftype = text["FeatureTyp"][k]
        if any(x in ftype.lower() for x in _EXCLUDED_TYPES):
            ledger.exclude(
                i,
                f"out of scope: FeatureTyp {ftype!r} (petroleum and natural gas are not "
                "mineral commodities of this model)",
            )
            continue
        if not text["FeatureUID"][k]:
            ledger.reject(i, "FeatureUID", "", "empty FeatureUID")
            continue
        country = raw["Country"][k]
        try:
            iso3 = crosswalk.iso3(country, f"{file}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", country, str(exc))
            continue
        lat_raw, lon_raw = raw["Latitude"][k], raw["Longitude"][k]
        try:
            lat, lon = parse_number(lat_raw), parse_number(lon_raw)
        except (TypeError, ValueError):
            ledger.reject(i, "Latitude/Longitude", f"{lat_raw},{lon_raw}", "expected decimal degrees")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180 or 0,0")
            continue
        commodity_text = text["DsgAttr01"][k]
        cid = commodity_ids[commodity_text]
        if cid is None:  # unknown: the error again, naming the row
            try:
                commodity_id(commodity_text, f"{file}, row {i}, field 'DsgAttr01'")
            except UnknownCommodityError as exc:
                ledger.reject(i, "DsgAttr01", commodity_text, str(exc))
                continue
        node_kind, kind, stage = kind_and_stage(ftype, text["DsgAttr02"][k])
        cap_raw = raw["DsgAttr06"][k]
        unit_raw = text["DsgAttr07"][k]
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
        status_raw = text["LocOpStat"][k]
        status = _STATUS.get(status_raw.lower())
        if status is None:
            ledger.reject_cell(i, "LocOpStat", status_raw, f"expected one of {sorted(_STATUS)}")
            status = "unknown"
        kept.append(k)
        derived["node_kind"].append(node_kind)
        derived["kind"].append(kind)
        derived["stage"].append(stage)
        derived["iso3"].append(iso3)
        derived["lon"].append(lon)
        derived["lat"].append(lat)
        derived["status"].append(status)
        derived["commodity"].append(cid)
        derived["capacity"].append(capacity)
        derived["capacity_unit"].append(_UNITS.get(unit_raw.lower(), unit_raw) if capacity is not None else "")
        derived["owners"].append([owners[text[f][k]] for f in owner_fields if text[f][k]])
        derived["info_urls"].append([text[f][k] for f in url_fields if text[f][k].startswith("http")])
        ledger.load(i)
    if not kept:
        return ledger.finish(source, len(df), pd.DataFrame.from_records([]))

    def loaded(name: str) -> list[str]:
        return [text[name][k] for k in kept]

    table = pd.DataFrame(
        {
            "row": [k + 1 for k in kept],
            "uid": loaded("FeatureUID"),
            **{name: derived[name] for name in ("node_kind", "kind", "stage")},
            "name": loaded("FeatureNam"),
            "iso3": derived["iso3"],
            "admin1": loaded("ADM1"),
            **{name: derived[name] for name in ("lon", "lat", "status")},
            "status_raw": loaded("LocOpStat"),
            "commodity": derived["commodity"],
            "product": loaded("DsgAttr02"),
            "content": loaded("DsgAttr03"),
            **{name: derived[name] for name in ("capacity", "capacity_unit")},
            "operator": loaded("OperateNam"),
            **{name: derived[name] for name in ("owners", "info_urls")},
            "loc_conf": loaded("LocConf"),
            "location": loaded("DsgAttr10"),
        }
    )
    return ledger.finish(source, len(df), table)


#: Columns read as cleaned text (those absent from a layer read as "").
_TEXT = (
    "FeatureUID",
    "FeatureNam",
    "FeatureTyp",
    "DsgAttr01",
    "DsgAttr02",
    "DsgAttr03",
    "DsgAttr07",
    "LocOpStat",
    "DsgAttr10",
    "ADM1",
    "LocConf",
    "OperateNam",
    *(f"OwnerName{k}" for k in range(1, 7)),
    *(f"InfSource{k}" for k in range(1, 8)),
)
#: Columns of the table computed per loaded row (the others are cleaned text as published).
_DERIVED = (
    "node_kind",
    "kind",
    "stage",
    "iso3",
    "lon",
    "lat",
    "status",
    "commodity",
    "capacity",
    "capacity_unit",
    "owners",
    "info_urls",
)


def _columns(df: pd.DataFrame) -> dict[str, list[Any]]:
    """The values :func:`frame_records` gives for ``df``, a column at a time (name -> values).

    ``frame_records`` converts each column with ``Series.tolist`` and zips the rows into
    dicts; the loader reads columns, so they are taken as converted. A frame with object
    or extension columns, or repeated names, is converted by ``frame_records`` itself and
    its records taken apart again (the same values, by construction).
    """
    names = df.columns.tolist()
    typed = all((isinstance(t, np.dtype) and t.kind != "O") or isinstance(t, pd.StringDtype) for t in df.dtypes)
    plain = typed and len(set(names)) == len(names)
    if plain:
        return {name: df.iloc[:, j].tolist() for j, name in enumerate(names)}
    records = frame_records(df)
    keys = list(records[0]) if records else list(dict.fromkeys(names))
    return {name: [r[name] for r in records] for name in keys}


def _commodity_or_none(text: str) -> str | None:
    """:func:`commodity_id` of a cleaned DsgAttr01, None if unknown (the caller raises the
    error again, naming the row)."""
    try:
        return commodity_id(text)
    except UnknownCommodityError:
        return None
