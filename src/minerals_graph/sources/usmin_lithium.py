"""USGS "Lithium Deposits in the United States" (Karl et al., 2019), USMIN CSV tables.

Read: ``Site.csv`` (one row per site: name, commodities, approximate location),
``Loc_Pt.csv`` (point features of the sites: wells, pits, workings …, with WGS84
coordinates), ``History.csv`` (status per feature over time) and ``References.csv``
(cp1252-encoded; the full citation of each ``Ref_ID``). Column names carry the ArcGIS
``" *"`` suffixes and are kept as published; ``<Null>`` means empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    first_copies,
    parse_number,
    read_csv_text,
)

__all__ = ["SOURCE", "FOLDER", "load_sites", "load_points", "load_history", "load_references"]

SOURCE = SourceInfo(
    key="usgs-usmin-lithium",
    publisher="U.S. Geological Survey",
    dataset="Lithium Deposits in the United States (Karl, Mauk, Reyes and Scott), USMIN data release",
    year=2019,
    url="https://doi.org/10.5066/P9ZKRWQF",
)
FOLDER = "usgs_lithium_deposits_us"
_ENCODINGS = {"Descr_Sum.csv": "cp1252", "GeolMinOcc.csv": "cp1252", "References.csv": "cp1252"}


def _v(text: str) -> str:
    t = clean_text(text)
    return "" if t == "<Null>" else t


def _table(sources_dir: Path, name: str, required: tuple[str, ...]) -> tuple[str, list[str], list[list[str]]]:
    rel = f"{FOLDER}/{name}"
    header, rows = read_csv_text(Path(sources_dir) / rel, _ENCODINGS.get(name, "utf-8-sig"))
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFormatError(rel, 0, ", ".join(missing), f"expected USMIN columns {list(required)}")
    return rel, header, rows


def _float(text: str) -> float | None:
    """A number, or None when the cell is empty or ``<Null>``; a non-number is None too
    (callers that keep the row check :func:`_bad_number` and reject the cell)."""
    t = _v(text)
    try:
        return parse_number(t) if t else None
    except ValueError:
        return None


def _bad_number(text: str) -> bool:
    return bool(_v(text)) and _float(text) is None


def load_sites(sources_dir: Path) -> LoadResult:
    """``Site.csv``: ``row, site_id, name, other_name, commodities, lon, lat, remarks``.

    Coordinates are the release's approximate site location (``Approx_Lon/Lat``).
    """
    req = ("Site_ID *", "Site_Name", "Commodity", "Approx_Lon", "Approx_Lat")
    rel, header, rows = _table(sources_dir, "Site.csv", (*req, "Other_Name", "Remarks"))
    ix = {c: header.index(c) for c in (*req, "Other_Name", "Remarks")}
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        sid = _v(raw[ix["Site_ID *"]])
        lon, lat = _float(raw[ix["Approx_Lon"]]), _float(raw[ix["Approx_Lat"]])
        if not sid:
            ledger.reject(i, "Site_ID *", "", "empty Site_ID")
            continue
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            ledger.reject(
                i,
                "Approx_Lon/Approx_Lat",
                f"{raw[ix['Approx_Lon']]},{raw[ix['Approx_Lat']]}",
                "expected decimal degrees",
            )
            continue
        recs.append(
            {
                "row": i,
                "site_id": sid,
                "name": _v(raw[ix["Site_Name"]]),
                "other_name": _v(raw[ix["Other_Name"]]),
                "commodities": [c.strip() for c in _v(raw[ix["Commodity"]]).split(";") if c.strip()],
                "lon": lon,
                "lat": lat,
                "remarks": _v(raw[ix["Remarks"]]),
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))


#: USMIN feature types -> place kind.
_FEATURE_KIND = {
    "well": "well",
    "pit": "mine",
    "mine": "mine",
    "open pit": "mine",
    "underground mine": "mine",
    "evaporation pond": "brine",
    "pond": "brine",
    "plant": "processing_plant",
    "mill": "concentrator",
}


def load_points(sources_dir: Path) -> LoadResult:
    """``Loc_Pt.csv``: ``row, site_id, ftr_id, name, ftr_type, kind, commodities, state,
    county, lon, lat, ref_id``."""
    req = (
        "Site_ID *",
        "Ftr_ID *",
        "Ftr_Name",
        "Ftr_Type",
        "Commodity",
        "Lat_WGS84",
        "Long_WGS84",
        "State",
        "County",
        "Ref_ID",
    )
    rel, header, rows = _table(sources_dir, "Loc_Pt.csv", req)
    ix = {c: header.index(c) for c in req}
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        lon, lat = _float(raw[ix["Long_WGS84"]]), _float(raw[ix["Lat_WGS84"]])
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            ledger.reject(
                i,
                "Lat_WGS84/Long_WGS84",
                f"{raw[ix['Lat_WGS84']]},{raw[ix['Long_WGS84']]}",
                "expected WGS84 decimal degrees",
            )
            continue
        ftype = _v(raw[ix["Ftr_Type"]])
        recs.append(
            {
                "row": i,
                "site_id": _v(raw[ix["Site_ID *"]]),
                "ftr_id": _v(raw[ix["Ftr_ID *"]]),
                "name": _v(raw[ix["Ftr_Name"]]),
                "ftr_type": ftype,
                "kind": _FEATURE_KIND.get(ftype.lower(), "deposit"),
                "commodities": [c.strip() for c in _v(raw[ix["Commodity"]]).split(";") if c.strip()],
                "state": _v(raw[ix["State"]]),
                "county": _v(raw[ix["County"]]),
                "lon": lon,
                "lat": lat,
                "ref_id": _v(raw[ix["Ref_ID"]]),
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))


def load_history(sources_dir: Path) -> LoadResult:
    """``History.csv``: ``row, site_id, ftr_id, status, detail, year_from, year_to``."""
    req = ("Site_ID *", "Ftr_ID *", "Status", "StatDetail", "Year_From", "Year_To")
    rel, header, rows = _table(sources_dir, "History.csv", req)
    ix = {c: header.index(c) for c in req}
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        status = _v(raw[ix["Status"]])
        if not status:
            ledger.reject(i, "Status", "", "empty status")
            continue
        yf, yt = _float(raw[ix["Year_From"]]), _float(raw[ix["Year_To"]])
        for col, y in (("Year_From", yf), ("Year_To", yt)):
            if _bad_number(raw[ix[col]]) or (y is not None and y != int(y)):
                ledger.reject_cell(i, col, raw[ix[col]], "expected a year (or empty / <Null>)")
        yf = yf if yf is not None and yf == int(yf) else None
        yt = yt if yt is not None and yt == int(yt) else None
        recs.append(
            {
                "row": i,
                "site_id": _v(raw[ix["Site_ID *"]]),
                "ftr_id": _v(raw[ix["Ftr_ID *"]]),
                "status": status,
                "detail": _v(raw[ix["StatDetail"]]),
                "year_from": int(yf) if yf else None,
                "year_to": int(yt) if yt else None,
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))


def load_references(sources_dir: Path) -> LoadResult:
    """``References.csv`` (cp1252): ``row, ref_id, reference``."""
    req = ("Ref_ID", "Reference")
    rel, header, rows = _table(sources_dir, "References.csv", req)
    ix = {c: header.index(c) for c in req}
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        rid = _v(raw[ix["Ref_ID"]])
        if not rid:
            ledger.reject(i, "Ref_ID", "", "empty Ref_ID")
            continue
        recs.append({"row": i, "ref_id": rid, "reference": _v(raw[ix["Reference"]])})
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))
