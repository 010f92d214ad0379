"""USGS "Active mines and mineral plants in the US" (2003), ``mineplant.csv``.

A historical snapshot: status is recorded as ``unknown`` with the note "active in 2003".
Construction aggregates (sand and gravel, crushed and dimension stone, common clay) make
up most rows and are excluded as out of scope; every other row becomes a place.
Column names are the 10-character shapefile names as published (``COMPANY_NA``,
``STATE_LOCA``, ``PLANT_MIN``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minerals_graph.errors import SourceFormatError, UnknownCommodityError
from minerals_graph.schema import commodity_id
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    first_copies,
    parse_number,
    read_csv_text,
)

__all__ = ["SOURCE", "FILE", "load_mineplants", "OUT_OF_SCOPE"]

SOURCE = SourceInfo(
    key="usgs-mineplant-2003",
    publisher="U.S. Geological Survey",
    dataset="Active mines and mineral plants in the US (2003)",
    year=2003,
    url="https://mrdata.usgs.gov/mineplant/",
)
FILE = "usgs_mineplant_us_2003/mineplant.csv"
REQUIRED = ("id", "COMMODITY", "SITE_NAME", "COMPANY_NA", "STATE_LOCA", "COUNTY", "LATITUDE", "LONGITUDE", "PLANT_MIN")
#: Construction materials: not mineral commodities this model follows.
OUT_OF_SCOPE = ("Sand and Gravel", "Crushed Stone", "Dimension Stone", "Common Clay and Shale")
_KIND = {
    "M": ("Site", "mine", "mining"),
    "P": ("Facility", "processing_plant", "refining"),
    "M/P": ("Site", "mine", "mining"),
}
_STATE_ABBR = {"WV": "West Virginia"}


def load_mineplants(sources_dir: Path) -> LoadResult:
    """Columns: ``row, usgs_row_id, commodity, commodity_raw, name, company, admin1, county,
    lon, lat, plant_min, node_kind, kind, stage``."""
    header, rows = read_csv_text(Path(sources_dir) / FILE, "utf-8-sig")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceFormatError(FILE, 0, ", ".join(missing), "expected mineplant.csv columns")
    ix = {c: header.index(c) for c in REQUIRED}
    ledger = RowLedger(FILE)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        com = clean_text(raw[ix["COMMODITY"]])
        if com in OUT_OF_SCOPE:
            ledger.exclude(i, f"out of scope: construction material {com!r}")
            continue
        try:
            cid = commodity_id(com, f"{FILE}, row {i}, field 'COMMODITY'")
        except UnknownCommodityError as exc:
            ledger.reject(i, "COMMODITY", com, str(exc))
            continue
        try:
            lat, lon = parse_number(raw[ix["LATITUDE"]]), parse_number(raw[ix["LONGITUDE"]])
        except ValueError:
            ledger.reject(
                i, "LATITUDE/LONGITUDE", f"{raw[ix['LATITUDE']]},{raw[ix['LONGITUDE']]}", "expected decimal degrees"
            )
            continue
        if not clean_text(raw[ix["SITE_NAME"]]):
            ledger.reject(i, "SITE_NAME", "", "empty site name: the row cannot be identified")
            continue
        pm = clean_text(raw[ix["PLANT_MIN"]])
        if pm not in _KIND:
            ledger.reject(i, "PLANT_MIN", pm, f"expected one of {sorted(_KIND)}")
            continue
        node_kind, kind, stage = _KIND[pm]
        state = clean_text(raw[ix["STATE_LOCA"]])
        recs.append(
            {
                "row": i,
                "usgs_row_id": clean_text(raw[ix["id"]]),
                "commodity": cid,
                "commodity_raw": com,
                "name": clean_text(raw[ix["SITE_NAME"]]),
                "company": clean_text(raw[ix["COMPANY_NA"]]),
                "admin1": _STATE_ABBR.get(state, state),
                "county": clean_text(raw[ix["COUNTY"]]),
                "lon": lon,
                "lat": lat,
                "plant_min": pm,
                "node_kind": node_kind,
                "kind": kind,
                "stage": stage,
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))
