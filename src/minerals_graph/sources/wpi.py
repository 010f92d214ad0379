"""NGA World Port Index (Pub. 150), ``UpdatedPub150.csv`` as published.

Quirks handled: UTF-8 BOM; ``Country Code`` holds country *names*; empty text cells are a
single space; numbers are written as floats (``7950.0``); ``UN/LOCODE`` is ``"CC LLL"``
with a space (sometimes without); the same port can appear twice under one WPI number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCountryError
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    parse_number,
    read_csv_text,
)

__all__ = ["SOURCE", "FILE", "load_ports"]

SOURCE = SourceInfo(
    key="nga-wpi",
    publisher="U.S. National Geospatial-Intelligence Agency",
    dataset="World Port Index (Pub. 150), UpdatedPub150.csv",
    year=2025,
    url="https://msi.nga.mil/Publications/WPI",
)
FILE = "nga_world_port_index/UpdatedPub150.csv"

_COLUMNS = {
    "World Port Index Number": "wpi_number",
    "Main Port Name": "name",
    "Alternate Port Name": "alt_name",
    "UN/LOCODE": "unlocode",
    "Country Code": "country_name",
    "Region Name": "region_name",
    "Harbor Size": "harbor_size",
    "Harbor Type": "harbor_type",
    "Facilities - Solid Bulk": "solid_bulk",
    "Facilities - Container": "container",
    "Facilities - Breakbulk": "breakbulk",
    "Channel Depth (m)": "channel_depth_m",
    "Cargo Pier Depth (m)": "cargo_pier_depth_m",
    "Maximum Vessel Draft (m)": "max_vessel_draft_m",
    "Latitude": "lat",
    "Longitude": "lon",
}
_FLOATS = ("channel_depth_m", "cargo_pier_depth_m", "max_vessel_draft_m")
_PUBLISHED = {key: col for col, key in _COLUMNS.items()}


def load_ports(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Every port of the World Port Index.

    Columns: ``row, wpi_number, name, alt_name, unlocode, iso3, admin, region_name,
    harbor_size, harbor_type, solid_bulk, container, breakbulk, channel_depth_m,
    cargo_pier_depth_m, max_vessel_draft_m, lon, lat``. Depths of ``0`` mean unknown in
    the WPI and are kept as missing.
    """
    path = Path(sources_dir) / FILE
    header, rows = read_csv_text(path, "utf-8-sig")
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(FILE, 0, ", ".join(missing), "expected World Port Index columns")
    idx = {name: header.index(name) for name in _COLUMNS}
    ledger = RowLedger(FILE)
    seen: dict[int, int] = {}
    records: list[dict[str, Any]] = []
    for i, raw in enumerate(rows, start=1):
        rec = {key: clean_text(raw[idx[col]]) for col, key in _COLUMNS.items()}
        try:
            as_float = parse_number(rec["wpi_number"])
        except ValueError:
            ledger.reject(i, "World Port Index Number", rec["wpi_number"], "expected an integer")
            continue
        number = int(as_float)
        # 49454.5 (Kattupalli, as published) is not an integer: rejected, never read as 49454
        fraction = "" if as_float == number else f" (published as {rec['wpi_number']}, not an integer)"
        if fraction and number not in seen:
            ledger.reject(i, "World Port Index Number", rec["wpi_number"], "expected an integer")
            continue
        try:
            lat, lon = parse_number(rec["lat"]), parse_number(rec["lon"])
        except ValueError:
            ledger.reject(i, "Latitude/Longitude", f"{rec['lat']},{rec['lon']}", "expected decimal degrees")
            continue
        if number in seen:
            first = records[seen[number]]
            same = first["name"].lower().replace("h", "") == rec["name"].lower().replace("h", "") or (
                abs(float(first["lat"]) - lat) < 0.01 and abs(float(first["lon"]) - lon) < 0.01
            )
            ledger.reject(
                i,
                "World Port Index Number",
                number,
                f"true duplicate: a copy of row {first['row']} (same port, same place); the first row is kept{fraction}"
                if same
                else f"number already used by row {first['row']} for another port "
                f"({first['name']}); the second record is rejected{fraction}",
            )
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180")
            continue
        try:
            m = crosswalk.match(rec["country_name"], f"{FILE}, row {i}, field 'Country Code'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country Code", rec["country_name"], str(exc))
            continue
        if m.iso3 is None:
            ledger.reject(i, "Country Code", rec["country_name"], m.note)
            continue
        seen[number] = len(records)
        out: dict[str, object] = {"row": i, **rec, "wpi_number": number, "lat": lat, "lon": lon}
        out["iso3"] = m.iso3
        out["admin"] = rec["country_name"]
        out["unlocode"] = rec["unlocode"].replace(" ", "")
        for key in _FLOATS:
            try:
                v = parse_number(rec[key]) if rec[key] else None
            except ValueError:
                ledger.reject_cell(i, _PUBLISHED[key], rec[key], "expected metres as a number")
                v = None
            out[key] = v if v else None  # 0.0 means unknown in the WPI
        del out["country_name"]
        records.append(out)
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(records))
