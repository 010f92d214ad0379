"""NGA World Port Index (Pub. 150), ``UpdatedPub150.csv`` as published.

Quirks handled: UTF-8 BOM; ``Country Code`` holds country *names*; empty text cells are a
single space; numbers are written as floats (``7950.0``); ``UN/LOCODE`` is ``"CC LLL"``
with a space (sometimes without); the same port can appear twice under one WPI number.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCountryError
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    ValueMemo,
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
#: Columns of the table that are the cleaned published text, in the table's order.
_AS_PUBLISHED = ("region_name", "harbor_size", "harbor_type", "solid_bulk", "container", "breakbulk")
_PUBLISHED = {key: col for col, key in _COLUMNS.items()}


def load_ports(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Every port of the World Port Index.

    Columns: ``row, wpi_number, name, alt_name, unlocode, iso3, admin, region_name,
    harbor_size, harbor_type, solid_bulk, container, breakbulk, channel_depth_m,
    cargo_pier_depth_m, max_vessel_draft_m, lon, lat``. Depths of ``0`` mean unknown in
    the WPI and are kept as missing.

    The sixteen columns read are cleaned a whole column at a time (:func:`_clean_column`)
    and the table is built from columns: the rows are only walked to decide each row's fate
    and to parse its numbers.
    """
    path = Path(sources_dir) / FILE
    header, rows = read_csv_text(path, "utf-8-sig")
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(FILE, 0, ", ".join(missing), "expected World Port Index columns")
    col = _clean_columns(rows, [header.index(name) for name in _COLUMNS])
    ledger = RowLedger(FILE)
    seen: dict[int, int] = {}  # WPI number -> its position in ``kept``
    kept: list[int] = []  # positions (0-based) of the loaded rows
    numbers: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    iso3s: list[str] = []
    depths: dict[str, list[float | None]] = {key: [] for key in _FLOATS}
    metres = ValueMemo(_metres)  # depths repeat (12.2, 0.0 …); a text that raises is not stored
    texts = zip(col["wpi_number"], col["name"], col["lat"], col["lon"], col["country_name"], strict=True)
    for k, (wpi_text, name, lat_text, lon_text, country) in enumerate(texts):
        i = k + 1
        try:
            as_float = parse_number(wpi_text)
        except ValueError:
            ledger.reject(i, "World Port Index Number", wpi_text, "expected an integer")
            continue
        number = int(as_float)
        # 49454.5 (Kattupalli, as published) is not an integer: rejected, never read as 49454
        fraction = "" if as_float == number else f" (published as {wpi_text}, not an integer)"
        if fraction and number not in seen:
            ledger.reject(i, "World Port Index Number", wpi_text, "expected an integer")
            continue
        try:
            lat, lon = parse_number(lat_text), parse_number(lon_text)
        except ValueError:
            ledger.reject(i, "Latitude/Longitude", f"{lat_text},{lon_text}", "expected decimal degrees")
            continue
        if number in seen:
            first = seen[number]
            first_row, first_name = kept[first] + 1, col["name"][kept[first]]
            same = first_name.lower().replace("h", "") == name.lower().replace("h", "") or (
                abs(lats[first] - lat) < 0.01 and abs(lons[first] - lon) < 0.01
            )
            ledger.reject(
                i,
                "World Port Index Number",
                number,
                f"true duplicate: a copy of row {first_row} (same port, same place); the first row is kept{fraction}"
                if same
                else f"number already used by row {first_row} for another port "
                f"({first_name}); the second record is rejected{fraction}",
            )
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180")
            continue
        try:
            m = crosswalk.match(country, f"{FILE}, row {i}, field 'Country Code'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country Code", country, str(exc))
            continue
        if m.iso3 is None:
            ledger.reject(i, "Country Code", country, m.note)
            continue
        seen[number] = len(kept)
        kept.append(k)
        numbers.append(number)
        lats.append(lat)
        lons.append(lon)
        iso3s.append(m.iso3)
        for key in _FLOATS:
            text = col[key][k]
            try:
                v = metres[text]
            except ValueError:
                ledger.reject_cell(i, _PUBLISHED[key], text, "expected metres as a number")
                v = None
            depths[key].append(v)
        ledger.load(i)
    if not kept:
        return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records([]))

    def loaded(key: str) -> list[str]:
        return [col[key][k] for k in kept]

    table = pd.DataFrame(
        {
            "row": [k + 1 for k in kept],
            "wpi_number": numbers,
            "name": loaded("name"),
            "alt_name": loaded("alt_name"),
            "unlocode": [u.replace(" ", "") for u in loaded("unlocode")],
            **{key: loaded(key) for key in _AS_PUBLISHED},
            **depths,
            "lat": lats,
            "lon": lons,
            "iso3": iso3s,
            "admin": loaded("country_name"),
        }
    )
    return ledger.finish(SOURCE, len(rows), table)


def _metres(text: str) -> float | None:
    """A depth in metres; None if empty or 0 (unknown in the WPI). Raises ``ValueError``."""
    value = parse_number(text) if text else None
    return value if value else None


def _clean_columns(rows: list[list[str]], positions: list[int]) -> dict[str, list[str]]:
    """The columns of ``rows`` at ``positions`` (those of :data:`_COLUMNS`, in its order),
    each cell as :func:`clean_text` gives it, by the keys of :data:`_COLUMNS`."""
    columns = list(zip(*map(itemgetter(*positions), rows), strict=True)) if rows else [()] * len(positions)
    return {key: _clean_column(values) for key, values in zip(_COLUMNS.values(), columns, strict=True)}


def _clean_column(values: tuple[str, ...]) -> list[str]:
    """``[clean_text(v) for v in values]``, computed on the whole column at once.

    The cells are joined with NUL (which no published cell holds, and which is not white
    space), white space is folded on the joined text (``" ".join(text.split())``: the
    rule of :func:`clean_text`, NBSP included) and the spaces left next to a separator are
    a cell's leading or trailing space: dropped. A few C-level passes over the column
    instead of a Python call per cell (most WPI names, codes and coordinates are distinct:
    a memo would not help). A column with a NUL in a cell is cleaned a cell at a time.
    """
    joined = "\x00".join(values)
    if joined.count("\x00") != max(len(values) - 1, 0):
        return [clean_text(v) for v in values]
    folded = " ".join(joined.split()).replace(" \x00", "\x00").replace("\x00 ", "\x00")
    return folded.split("\x00") if values else []
