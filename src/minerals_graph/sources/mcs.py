"""USGS Mineral Commodity Summaries data releases (MCS 2024 and the MCS 2025 tables).

Files read, as published:

* ``usgs_mcs2024/salient/mcs2024-<code>_salient.csv`` — U.S. salient statistics, one file
  per commodity, columns that differ per commodity (``USprod_Concentrate_t``, ``NIR_pct`` …).
* ``usgs_mcs2024/world/mcs2024-<code>_world.csv`` — world mine/refinery production and
  reserves by country; units and years in the column names (``Prod_kt_est_2023``).
* ``MCS20xx_Fig2_Net_Import_Reliance.csv`` — net import reliance and major import sources.
* ``MCS2024_Fig3_Major_Import_Sources.csv`` — how many commodities each country is a
  major U.S. import source for.
* ``MCS20xx_T4_Critical_Minerals_End_Use.csv`` — the 2022 list of critical minerals.
* ``MCS20xx_T5_Critical_Minerals_Salient.csv`` — critical-mineral salient statistics.

Quirks handled: UTF-8 BOM (2024) or none with CRLF (2025); ``W``/``NA``/``E``/``>50``/
``<25`` codes (kept as qualifiers, never zeros); quoted numbers with thousands separators;
footnote digits and an ``e`` (estimated) glued to country names; trailing empty columns
and rows of empty fields; a ``Type`` column that is sometimes named after its content
(fluorspar); upper-case file prefixes (``MCS2024-bismu``); commodity names with trailing
spaces; salient files that hold a world table instead (cobalt, gypsum, kyanite: rejected
with that reason).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.schema import commodity_by_id, commodity_id
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    finish_ledgers,
    first_copies,
    frames_from_records,
    parse_qvalue,
    read_csv_text,
)

__all__ = [
    "SOURCES",
    "source_info",
    "load_salient",
    "load_world",
    "load_nir",
    "load_import_source_counts",
    "load_critical_list",
    "load_critical_salient",
    "stage_from_type",
]

_MCS_URL = {
    2024: "https://doi.org/10.5066/P144BA54",
    2025: "https://doi.org/10.5066/P13XCP3R",
}


def source_info(year: int, table: str) -> SourceInfo:
    """The SourceInfo for one table of an MCS edition."""
    return SourceInfo(
        key=f"usgs-mcs{year}-{table.lower()}",
        publisher="U.S. Geological Survey",
        dataset=f"Mineral Commodity Summaries {year} data release: {table}",
        year=year,
        url=_MCS_URL[year],
    )


SOURCES = {(y, t): source_info(y, t) for y in (2024, 2025) for t in ("salient", "world", "Fig2", "Fig3", "T4", "T5")}

_NUMBERISH = re.compile(r"^\s*[<>]?\s*[0-9][0-9,.]*\s*$")
_FILE_CODE = re.compile(r"^mcs(\d{4})-([a-z_]+?)_(salient|world)\.csv$", re.IGNORECASE)


def _code_of(path: Path) -> str:
    m = _FILE_CODE.match(path.name)
    if not m:
        raise SourceFormatError(str(path), None, None, "expected a name like mcs2024-<code>_salient.csv")
    return m.group(2).lower()


def _rel(path: Path, sources_dir: Path) -> str:
    try:
        return str(path.relative_to(sources_dir))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------
# Salient statistics

_MEASURES = {
    "usprod": "production",
    "imports": "imports",
    "exports": "exports",
    "consump": "consumption",
    "price": "price",
    "employment": "employment",
    "stocks": "stocks",
    "nir": "net_import_reliance",
    "shipments": "shipments",
    "recycled": "recycled",
}
_UNITS = {"t", "kt", "kg", "mmt", "dt", "dkg", "dlb", "dst", "num", "pct", "m", "mt", "mct", "mcm"}


def _salient_column(col: str) -> tuple[str, str, str]:
    """``USprod_Concentrate_t`` -> ("production", "Concentrate", "t")."""
    parts = col.split("_")
    measure = _MEASURES.get(parts[0].lower(), parts[0].lower())
    unit = parts[-1] if len(parts) > 1 and parts[-1].lower() in _UNITS else ""
    detail = "_".join(parts[1:-1] if unit else parts[1:])
    if measure == "net_import_reliance":
        unit = "pct"  # the 'NIR_Compounds-Metals_t' columns are percentages too
    return measure, detail, unit


def load_salient(sources_dir: Path, year: int = 2024) -> list[LoadResult]:
    """U.S. salient statistics of every commodity file, as one long table per file.

    Columns: ``row, commodity, usgs_code, year, measure, detail, unit, value, qualifier,
    column``. ``value`` is missing when the cell is a code (W, NA, E …); ``qualifier``
    keeps the code or bound.
    """
    folder = Path(sources_dir) / f"usgs_mcs{year}" / "salient"
    if not folder.is_dir():
        raise SourceFormatError(str(folder), None, None, "folder not found")
    results = []
    for path in sorted(folder.glob("*_salient.csv"), key=lambda p: p.name.lower()):
        results.append(_load_salient_file(path, sources_dir, year))
    return results


def _load_salient_file(path: Path, sources_dir: Path, year: int) -> LoadResult:
    rel = _rel(path, sources_dir)
    overflow: dict[int, list[str]] = {}
    header, rows = read_csv_text(path, overflow=overflow)
    ledger = RowLedger(rel)
    code = _code_of(path)
    records: list[dict[str, object]] = []
    if "Year" not in header:
        for i, _ in enumerate(rows, start=1):
            if not any(c.strip() for c in _):
                ledger.exclude(i, "empty row")
            else:
                ledger.reject(
                    i,
                    "Year",
                    "",
                    "not a salient-statistics table: the header has no Year "
                    "column (the file holds a world-production table; known defect of the copy)",
                )
        return ledger.finish(SOURCES[(year, "salient")], len(rows), pd.DataFrame(records))
    try:
        cid = commodity_id(code, rel)
    except UnknownCommodityError as exc:
        raise SourceFormatError(rel, None, None, str(exc)) from exc
    y_idx = header.index("Year")
    value_cols = [(j, c) for j, c in enumerate(header) if j > y_idx and c.strip()]
    seen: dict[str, int] = {}
    parsed_cols = []
    for j, col in value_cols:
        seen[col] = seen.get(col, 0) + 1
        measure, detail, unit = _salient_column(col)
        if seen[col] > 1:  # e.g. graphite's 'Consump_t' twice, as published
            detail = f"{detail}#{seen[col]}" if detail else f"#{seen[col]}"
        parsed_cols.append((j, col, measure, detail, unit))
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        if i in overflow:  # feldspar, fluorspar (MCS 2024): values shifted against the header
            ledger.reject(
                i,
                "(row)",
                ",".join(overflow[i]),
                f"{len(header) + len(overflow[i])} values for {len(header)} named columns: "
                "cannot tell which column each value belongs to",
            )
            continue
        ytext = clean_text(raw[y_idx])
        if not re.fullmatch(r"\d{4}", ytext):
            ledger.reject(i, "Year", ytext, "expected a four-digit year")
            continue
        for j, col, measure, detail, unit in parsed_cols:
            try:
                q = parse_qvalue(raw[j])
            except ValueError as exc:
                ledger.reject_cell(i, col, raw[j], str(exc))
                continue
            if q.is_blank:
                continue
            bad = _domain_problem(measure, q.value, q.qualifier)
            if bad:
                ledger.reject_cell(i, col, raw[j], bad)
                continue
            records.append(
                {
                    "row": i,
                    "commodity": cid,
                    "usgs_code": code,
                    "year": int(ytext),
                    "measure": measure,
                    "detail": detail,
                    "unit": unit,
                    "value": q.value,
                    "qualifier": q.qualifier,
                    "column": col,
                }
            )
        ledger.load(i)
    return ledger.finish(SOURCES[(year, "salient")], len(rows), pd.DataFrame.from_records(records))


# ---------------------------------------------------------------------------------------
# World production and reserves

#: How the stage is read from the world tables' ``Type`` text: first match wins.
_STAGE_RULES: tuple[tuple[str, str], ...] = (
    (r"refinery|refined", "refining"),
    (r"smelter", "smelting"),
    (r"sponge", "metal_alloy"),
    (r"pig iron|raw steel", "smelting"),
    (r"plant production, silicon", "smelting"),
    (r"soda ash, synthetic|synthetic", "refining"),
    (r"m(i)?ne\s+p|mine production|mine poduction|mne production|world mine", "mining"),
    (
        r"plant production|plant capacity|primary production|cement production|clinker|"
        r"production, all forms",
        "refining",
    ),
    (
        r"^(borates|crude borates|boron, crude ore|datolite ore|ulexite|boric oxide eqivalent|"
        r"boron total all types|boron compounds)$",
        "mining",
    ),
    (r"soda ash, natural|soda ash, total", "mining"),
    (r"^mine production$|kyanite|^mine production,", "mining"),
)


def stage_from_type(type_text: str) -> str | None:
    """The supply-chain stage of a world-table ``Type`` text, or None if unknown.

    >>> stage_from_type("Mine production, contained antimony")
    'mining'
    >>> stage_from_type("Refinery production, alumina - calcined equivalent weights")
    'refining'
    """
    t = clean_text(type_text).lower()
    for pattern, stage in _STAGE_RULES:
        if re.search(pattern, t):
            return stage
    return None


_PROD_COL = re.compile(
    r"^(?P<kind>Prod|Cap)_(?:(?P<detail>[A-Za-z]+)_)?(?P<unit>t|kt|kg|mmt|mct|mcm|kct)_(?P<est>est_)?"
    r"(?P<year>\d{4})$",
    re.IGNORECASE,
)
_RES_COL = re.compile(r"^Reserves_(t|kt|kg|mmt|mct|mcm|kct)(?:_(\d{4}))?$", re.IGNORECASE)
_MEMBER_IN_TYPE = {"palladium": "palladium", "platinum": "platinum"}


def load_world(sources_dir: Path, crosswalk: Crosswalk, year: int = 2024) -> list[LoadResult]:
    """World production and reserves by country for every commodity file.

    Returns one LoadResult per file whose table has columns ``row, commodity, usgs_code,
    country_raw, iso3, country_qualifier, country_estimated, footnote, type_text, stage,
    measure (production|capacity|reserves), year, estimated, quantity, qualifier, unit,
    product, note``. Capacity columns (``Cap_t_est_2023``, abrasives and titanium) are kept
    as measure ``capacity``.
    """
    folder = Path(sources_dir) / f"usgs_mcs{year}" / "world"
    if not folder.is_dir():
        raise SourceFormatError(str(folder), None, None, "folder not found")
    read = [
        _read_world_file(p, sources_dir, year, crosswalk)
        for p in sorted(folder.glob("*_world.csv"), key=lambda p: p.name.lower())
    ]
    # One frame for the ~80 small files, cut per file: a frame per file cost more than the
    # rest of the loading. A file without records, or whose quantities are all missing,
    # gets a frame of its own, as pandas gives it other dtypes (no columns; object).
    parts = [records for _, _, records in read]
    tables = frames_from_records(parts, _WORLD_COLUMNS)
    for k, records in enumerate(parts):
        if all(r["quantity"] is None for r in records):
            tables[k] = pd.DataFrame.from_records(records)
    return finish_ledgers(
        [
            (ledger, SOURCES[(year, "world")], rows_read, table)
            for (ledger, rows_read, _), table in zip(read, tables, strict=True)
        ]
    )


#: Columns of the tables of :func:`load_world` (the keys of each record, in order).
_WORLD_COLUMNS = [
    "row",
    "commodity",
    "usgs_code",
    "country_raw",
    "iso3",
    "country_qualifier",
    "country_estimated",
    "footnote",
    "type_text",
    "stage",
    "measure",
    "year",
    "estimated",
    "quantity",
    "qualifier",
    "unit",
    "product",
    "note",
]


def _read_world_file(
    path: Path, sources_dir: Path, year: int, cw: Crosswalk
) -> tuple[RowLedger, int, list[dict[str, object]]]:
    """(ledger, rows read, records of :data:`_WORLD_COLUMNS`) of one world-table file."""
    rel = _rel(path, sources_dir)
    overflow: dict[int, list[str]] = {}
    header, rows = read_csv_text(path, overflow=overflow)
    code = _code_of(path)
    cid = commodity_id(code, rel)
    if len(header) < 3 or header[0] != "Source" or header[1] != "Country":
        raise SourceFormatError(rel, 0, "Source,Country", f"expected a world table header, got {header[:3]}")
    type_header = header[2]
    prod_matches = [(j, _PROD_COL.match(c)) for j, c in enumerate(header)]
    prod_cols = [(j, m) for j, m in prod_matches if m]
    res_matches = [(j, _RES_COL.match(c)) for j, c in enumerate(header)]
    res_cols = [(j, m) for j, m in res_matches if m]
    if not prod_cols:
        raise SourceFormatError(
            rel, 0, "Prod_*", "expected production or capacity columns like Prod_t_2022 or Cap_t_est_2023"
        )
    unread = [
        c
        for c in header
        if re.match(r"^(prod|cap)_", c, re.IGNORECASE) and "note" not in c.lower() and not _PROD_COL.match(c)
    ]
    if unread:  # a damaged year or unit: its values would be lost and the reserves year misread
        raise SourceFormatError(
            rel,
            0,
            unread[0],
            "expected a production or capacity column like Prod_t_2022 or Cap_t_est_2023 (unit and year in the name)",
        )
    notes_idx = next((j for j, c in enumerate(header) if c.lower().startswith("prod_note")), None)
    rnotes_idx = next((j for j, c in enumerate(header) if c.lower().startswith("reserves_note")), None)
    ledger = RowLedger(rel)
    records: list[dict[str, object]] = []
    # Reserves without a year in their name are those of the edition's data year (MCS 2024:
    # 2023), not the latest production column, which a damaged header could change.
    latest_year = year - 1
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        if i in overflow:
            # Kept only when every extra value is a note's text that spilled over (no
            # number) or repeats a value of the row (barite's reserves twice); else rejected.
            extra = overflow[i]
            harmless = all(not _NUMBERISH.search(x) or x in raw for x in extra)
            if not harmless:
                ledger.reject(
                    i,
                    "(row)",
                    ",".join(extra),
                    f"{len(header) + len(extra)} values for "
                    f"{len(header)} named columns: cannot tell which column each value belongs to",
                )
                continue
            ledger.reject_cell(
                i,
                "(beyond header)",
                " | ".join(extra)[:200],
                "values beyond the named columns ignored: a spilled note or a repeated value",
            )
        country_raw = raw[1]
        type_text = clean_text(raw[2]) if type_header == "Type" else clean_text(type_header)
        if not clean_text(country_raw):
            ledger.reject(i, "Country", country_raw, "empty country name")
            continue
        try:
            m = cw.match(country_raw, f"{rel}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", country_raw, str(exc))
            continue
        if m.iso3 is None:
            ledger.reject(i, "Country", country_raw, m.note)
            continue
        stage = stage_from_type(type_text)
        if stage is None:
            ledger.reject(i, "Type", type_text, "cannot read a supply-chain stage from this Type text")
            continue
        row_cid = cid
        for word, member in _MEMBER_IN_TYPE.items():
            if word in type_text.lower():
                row_cid = member
        base = {
            "row": i,
            "commodity": row_cid,
            "usgs_code": code,
            "country_raw": clean_text(country_raw),
            "iso3": m.iso3,
            "country_qualifier": m.qualifier,
            "country_estimated": m.estimated,
            "footnote": m.footnote,
            "type_text": type_text,
            "stage": stage,
        }
        note = clean_text(raw[notes_idx]) if notes_idx is not None else ""
        for j, pm in prod_cols:
            try:
                q = parse_qvalue(raw[j])
            except ValueError as exc:
                ledger.reject_cell(i, header[j], raw[j], str(exc))
                continue
            if q.is_blank:
                continue
            measure = "capacity" if pm.group("kind").lower() == "cap" else "production"
            records.append(
                {
                    **base,
                    "measure": measure,
                    "year": int(pm.group("year")),
                    "estimated": bool(pm.group("est")) or m.estimated,
                    "quantity": q.value,
                    "qualifier": q.qualifier,
                    "unit": pm.group("unit").lower(),
                    "product": pm.group("detail") or "",
                    "note": note,
                }
            )
        for j, rm in res_cols:
            try:
                q = parse_qvalue(raw[j])
            except ValueError as exc:
                ledger.reject_cell(i, header[j], raw[j], str(exc))
                continue
            if q.is_blank:
                continue
            records.append(
                {
                    **base,
                    "measure": "reserves",
                    "year": int(rm.group(2)) if rm.group(2) else latest_year,
                    "estimated": False,
                    "quantity": q.value,
                    "qualifier": q.qualifier,
                    "unit": rm.group(1).lower(),
                    "product": "",
                    "note": clean_text(raw[rnotes_idx]) if rnotes_idx is not None else "",
                }
            )
        ledger.load(i)
    return ledger, len(rows), records


# ---------------------------------------------------------------------------------------
# Industry-trend tables


def _trend_path(sources_dir: Path, year: int, stem: str) -> Path:
    folder = Path(sources_dir) / f"usgs_mcs{year}"
    if (folder / "industry_trends").is_dir():
        folder = folder / "industry_trends"
    return folder / f"MCS{year}_{stem}.csv"


def _col(header: list[str], prefix: str, rel: str) -> int:
    for j, c in enumerate(header):
        if c.strip().lower().startswith(prefix.lower()):
            return j
    raise SourceFormatError(rel, 0, prefix, f"expected a column starting with {prefix!r}; got {header}")


def load_nir(sources_dir: Path, crosswalk: Crosswalk, year: int) -> tuple[LoadResult, pd.DataFrame]:
    """Fig. 2: net import reliance per commodity and its major import sources.

    Returns ``(result, trades)``. ``result.table`` columns: ``row, commodity, label, year,
    pct, qualifier, order, note``; ``trades`` (exporter -> USA): ``row, commodity, label,
    exporter, importer, rank, period, note``.
    """
    path = _trend_path(sources_dir, year, "Fig2_Net_Import_Reliance")
    rel = _rel(path, sources_dir)
    header, rows = read_csv_text(path)
    j_com = _col(header, "Commodity", rel)
    j_nir = _col(header, "Net_Import_Reliance_pct", rel)
    j_src = _col(header, "Major_Import_Sources", rel)
    j_ord = _col(header, "Import_Share_Order", rel)
    j_note = _col(header, "Notes", rel)
    ym = re.search(r"(\d{4})$", header[j_nir].strip())
    if ym is None:
        raise SourceFormatError(
            rel,
            0,
            header[j_nir],
            "expected the data year at the end of the column name, e.g. Net_Import_Reliance_pct_2024",
        )
    data_year = int(ym.group(1))
    period = "-".join(re.findall(r"\d{4}", header[j_src]))
    ledger = RowLedger(rel)
    nir, trades = [], []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        label = clean_text(raw[j_com])
        try:
            cid = commodity_id(label, f"{rel}, row {i}")
        except UnknownCommodityError as exc:
            ledger.reject(i, "Commodity", label, str(exc))
            continue
        try:
            q = parse_qvalue(raw[j_nir])
        except ValueError as exc:
            ledger.reject(i, header[j_nir], raw[j_nir], str(exc))
            continue
        bad = _domain_problem("net_import_reliance", q.value, q.qualifier)
        if bad:
            ledger.reject(i, header[j_nir], raw[j_nir], bad)
            continue
        note = clean_text(raw[j_note])
        nir.append(
            {
                "row": i,
                "commodity": cid,
                "label": label,
                "year": data_year,
                "pct": q.value,
                "qualifier": q.qualifier,
                "order": clean_text(raw[j_ord]),
                "note": note,
            }
        )
        names = [n for n in (clean_text(x) for x in raw[j_src].split(",")) if n]
        for rank, name in enumerate(names, start=1):
            try:
                m = crosswalk.match(name, f"{rel}, row {i}, field {header[j_src]!r}")
            except UnknownCountryError as exc:
                ledger.reject_cell(i, header[j_src], name, str(exc))
                continue
            if m.iso3 is None:
                ledger.reject_cell(i, header[j_src], name, m.note)
                continue
            trades.append(
                {
                    "row": i,
                    "commodity": cid,
                    "label": label,
                    "exporter": m.iso3,
                    "importer": "USA",
                    "rank": rank,
                    "period": period,
                    "note": "Imports from Hong Kong are included with China"
                    if "hong kong" in note.lower() and m.iso3 == "CHN"
                    else "",
                }
            )
        ledger.load(i)
    result = ledger.finish(SOURCES[(year, "Fig2")], len(rows), pd.DataFrame.from_records(nir))
    return result, pd.DataFrame.from_records(trades)


def load_import_source_counts(sources_dir: Path, crosswalk: Crosswalk, year: int = 2024) -> LoadResult:
    """Fig. 3: for each country, how many commodities it is a major U.S. import source of.

    Columns: ``row, iso3, country_raw, commodity_count, map_class``.
    """
    path = _trend_path(sources_dir, year, "Fig3_Major_Import_Sources")
    rel = _rel(path, sources_dir)
    header, rows = read_csv_text(path)
    j_c, j_n, j_m = _col(header, "Country", rel), _col(header, "Commodity_Count", rel), _col(header, "Map_Class", rel)
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        try:
            iso3 = crosswalk.iso3(raw[j_c], f"{rel}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", raw[j_c], str(exc))
            continue
        try:
            if not clean_text(raw[j_n]).isdigit():
                raise ValueError(raw[j_n])
            n = int(clean_text(raw[j_n]))
        except ValueError:
            ledger.reject(i, "Commodity_Count", raw[j_n], "expected an integer")
            continue
        recs.append(
            {
                "row": i,
                "iso3": iso3,
                "country_raw": clean_text(raw[j_c]),
                "commodity_count": n,
                "map_class": clean_text(raw[j_m]),
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCES[(year, "Fig3")], len(rows), pd.DataFrame.from_records(recs))


def load_critical_list(sources_dir: Path, year: int) -> LoadResult:
    """Table 4: the 2022 list of critical minerals.

    Columns: ``row, commodity, label, applications, group`` — ``group`` is the grouped
    commodity whose chapter covers it (``rare_earths``, ``platinum_group_metals``) when
    the table says "Included in the … chapter".
    """
    path = _trend_path(sources_dir, year, "T4_Critical_Minerals_End_Use")
    rel = _rel(path, sources_dir)
    header, rows = read_csv_text(path)
    j_m, j_a, j_n = (
        _col(header, "Critical Mineral", rel),
        _col(header, "Primary Applications", rel),
        _col(header, "Category_Note", rel),
    )
    ledger = RowLedger(rel)
    recs = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        label = clean_text(raw[j_m])
        try:
            cid = commodity_id(label, f"{rel}, row {i}")
        except UnknownCommodityError as exc:
            ledger.reject(i, "Critical Mineral", label, str(exc))
            continue
        note = clean_text(raw[j_n]).lower()
        group = ""
        if "rare earth" in note:
            group = "rare_earths"
        elif "platinum" in note:
            group = "platinum_group_metals"
        recs.append(
            {
                "row": i,
                "commodity": cid,
                "label": label,
                "applications": clean_text(raw[j_a]),
                "group": group,
                "schema_group": commodity_by_id(cid).group,
            }
        )
        ledger.load(i)
    return ledger.finish(SOURCES[(year, "T4")], len(rows), pd.DataFrame.from_records(recs))


_T5_FIELDS = {
    "Primary_prod": ("primary_production", "t"),
    "Secondary_prod": ("secondary_production", "t"),
    "Apparent_Consu": ("apparent_consumption", "t"),
    "Net_Import_Reliance": ("net_import_reliance", "pct"),
    "Leading_country_prod": ("leading_country_production", "t"),
    "Leading_source_precent_world": ("leading_country_share_of_world", "pct"),
    "World_total_prod": ("world_production", "t"),
}


def load_critical_salient(sources_dir: Path, crosswalk: Crosswalk, year: int) -> LoadResult:
    """Table 5: salient statistics of critical minerals, long format.

    Columns: ``row, commodity, label, year, measure, unit, value, qualifier, iso3, note,
    column``. ``iso3`` is USA for U.S. measures, the leading producer for
    ``leading_country_*`` and WLD for ``world_production``. Two text columns are kept as
    measures with a country: ``primary_import_source`` (value empty) and
    ``leading_source_country``.
    """
    path = _trend_path(sources_dir, year, "T5_Critical_Minerals_Salient")
    rel = _rel(path, sources_dir)
    header, rows = read_csv_text(path)
    j_label = _col(header, "Critical_mineral", rel)
    j_year = _col(header, "Year", rel)
    j_imp = _col(header, "Primary_import_source", rel)
    j_lead = _col(header, "Leading_source_country", rel)
    cols = {key: _col(header, key, rel) for key in _T5_FIELDS}
    notes = {
        key: next((j for j, c in enumerate(header) if c.lower().startswith(p)), None)
        for key, p in (
            ("prod", "prod_notes"),
            ("cons", "con"),
            ("imp", "import_source_notes"),
            ("world", "world_prod_notes"),
        )
    }
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not any(c.strip() for c in raw):
            ledger.exclude(i, "empty row")
            continue
        label = clean_text(raw[j_label])
        try:
            cid = commodity_id(label, f"{rel}, row {i}")
        except UnknownCommodityError as exc:
            ledger.reject(i, "Critical_mineral", label, str(exc))
            continue
        ytext = clean_text(raw[j_year])
        ym = re.match(r"(\d{4})", ytext)
        if not ym:
            ledger.reject(i, "Year", ytext, "expected a year such as 2024_estimated")
            continue
        yr, est = int(ym.group(1)), "estimated" in ytext.lower()
        try:
            lead = _country_or_none(crosswalk, raw[j_lead], f"{rel}, row {i}, field 'Leading_source_country'")
            imp = _country_or_none(crosswalk, raw[j_imp], f"{rel}, row {i}, field 'Primary_import_source'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Leading_source_country/Primary_import_source", "", str(exc))
            continue
        base = {"row": i, "commodity": cid, "label": label, "year": yr, "estimated": est}
        for key, (measure, unit) in _T5_FIELDS.items():
            j = cols[key]
            try:
                q = parse_qvalue(raw[j])
            except ValueError as exc:
                ledger.reject_cell(i, header[j], raw[j], str(exc))
                continue
            if q.is_blank:
                continue
            bad = _domain_problem(measure, q.value, q.qualifier)
            if bad:
                ledger.reject_cell(i, header[j], raw[j], bad)
                continue
            iso3 = lead if measure.startswith("leading") else ("WLD" if measure == "world_production" else "USA")
            if iso3 is None:  # leading country published as NA
                ledger.reject_cell(i, header[j], raw[j], "no leading country (published as NA)")
                continue
            note_key = {
                "primary_production": "prod",
                "secondary_production": "prod",
                "apparent_consumption": "cons",
                "world_production": "world",
            }.get(measure)
            note_idx = notes[note_key] if note_key else None
            note = clean_text(raw[note_idx]) if note_idx is not None else ""
            recs.append(
                {
                    **base,
                    "measure": measure,
                    "unit": unit,
                    "value": q.value,
                    "qualifier": q.qualifier,
                    "iso3": iso3,
                    "note": note,
                    "column": header[j],
                }
            )
        imp_note = clean_text(raw[notes["imp"]]) if notes["imp"] is not None else ""
        if imp is not None:
            recs.append(
                {
                    **base,
                    "measure": "primary_import_source",
                    "unit": "",
                    "value": None,
                    "qualifier": "",
                    "iso3": imp,
                    "note": imp_note,
                    "column": header[j_imp],
                }
            )
        ledger.load(i)
    return ledger.finish(SOURCES[(year, "T5")], len(rows), pd.DataFrame.from_records(recs))


def _country_or_none(crosswalk: Crosswalk, raw: str, where: str) -> str | None:
    """ISO3 of a published country name; None where USGS wrote NA or nothing."""
    if clean_text(raw).upper() in ("", "NA"):
        return None
    return crosswalk.iso3(raw, where)


#: Measures that are percentages of a whole: a published value outside 0..100 is an error
#: of the file, not a fact (a net exporter is coded ``E``, never a number above 100).
_PERCENT_MEASURES = frozenset({"net_import_reliance", "leading_country_share_of_world"})


def _domain_problem(measure: str, value: float | None, qualifier: str) -> str | None:
    """Why a parsed value is outside its domain, or None (NIR and shares: 0..100 %)."""
    if measure in _PERCENT_MEASURES and value is not None and qualifier != "E" and not 0 <= value <= 100:
        return f"{measure} {value:g}% is outside 0..100 (a net exporter is published as E)"
    return None
