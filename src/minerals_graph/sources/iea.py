"""IEA Critical Minerals Data Explorer: mining and refining supply by country (kt).

Files read, as published (``iea_critical_minerals_explorer/``, see its PROVENANCE.md):

* ``CM_Data_Explorer May 2024 (2).xlsx``, sheet ``2 Total supply for key minerals``
  ("Total supply for key energy transition minerals, base case (kt)"), base year 2023.
  Two blocks side by side per mineral: mining in columns A–E, refining in G–K, each headed
  ``<Mineral> - <Stage>`` and ending with ``Rest of world``, ``Total`` (cobalt refining:
  ``Total clean technologies``) and ``Top 3 share`` (a fraction). The years (2023, 2030,
  2035, 2040) are read from the sheet's header row.
* ``iea.json``: a third-party conversion of the 2025 edition (base year 2024):
  ``supply[<Mineral>].mining|refining`` with ``countries`` ({name: {"2024": kt, …}}),
  ``total`` and ``top3Share``. The converter dropped the refining block labels
  (Chemicals, Battery grade) and stored the two sheet-note sentences of the rare-earth
  mining block as countries with null values: those rows are rejected with that reason.

Mapping (one rule for both files):

* Minerals: Copper, Cobalt, Lithium, Nickel, Graphite -> the schema ids; "Magnet rare
  earth elements" / "Rare Earth Elements" -> ``rare_earths`` with ``scope`` "magnet rare
  earths (Nd, Pr, Dy, Tb)".
* Stages: Mining and Mining (natural) -> ``mining``; Refining, Chemicals (lithium) and
  Battery grade (graphite) -> ``refining``: the IEA places them in its refining column,
  and battery-grade graphite (purified spherical natural graphite plus synthetic graphite)
  is the refined product of graphite, not the anode material the schema's ``anode`` stage
  means. ``block`` keeps the published label.
* Countries through the crosswalk; ``Rest of world`` -> ``ROW``; ``Total`` and ``Total
  clean technologies`` -> ``WLD``. ``Top 3 share`` is excluded (a ratio, not a quantity).

Values are kept as published except that binary floating-point noise of the workbook's
formulas (``47.900000000000034``) is rounded off at 6 decimals. Years after the base year
are IEA projections (base case) and flagged ``projection``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import MineralsGraphError, SourceFormatError, UnknownCountryError
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, clean_text, parse_number

__all__ = [
    "SOURCE",
    "FOLDER",
    "WORKBOOK",
    "SUPPLY_SHEET",
    "JSON_FILE",
    "EDITION_2024",
    "EDITION_2025",
    "NOT_READ",
    "SUPPLY_COLUMNS",
    "SHARE_COLUMNS",
    "load_supply_workbook",
    "load_supply_json",
    "processing_share_rows",
]

SOURCE = SourceInfo(
    key="iea-critical-minerals-explorer",
    publisher="International Energy Agency (IEA)",
    dataset="Critical Minerals Data Explorer (May 2024 edition / 2025 edition via third-party JSON conversion)",
    year=2024,
    url="https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer",
    licence='CC BY 4.0 (attribution: "IEA (2024), Critical Minerals Data Explorer, IEA, Paris")',
)
FOLDER = "iea_critical_minerals_explorer"
WORKBOOK = "CM_Data_Explorer May 2024 (2).xlsx"
SUPPLY_SHEET = "2 Total supply for key minerals"
JSON_FILE = "iea.json"
EDITION_2024 = "May 2024"
EDITION_2025 = "2025 (third-party conversion)"

#: What is deliberately not read, and why (sheets of the workbook, top-level JSON keys).
NOT_READ: dict[str, str] = {
    "Cover": "cover page: no cell values",
    "1 Total demand for key minerals": "demand scenarios (STEPS/APS/NZE) to 2050: the graph models supply",
    "3.1 Cleantech demand by tech": "clean-technology demand scenarios: not supply",
    "3.2 Cleantech demand by mineral": "clean-technology demand scenarios: not supply",
    "4.1 Solar PV": "technology demand scenarios: not supply",
    "4.2 Wind": "technology demand scenarios: not supply",
    "4.3 EV": "technology demand scenarios: not supply",
    "4.4 Battery storage": "technology demand scenarios: not supply",
    "4.5 Electricity networks": "technology demand scenarios: not supply",
    "4.6 Hydrogen": "technology demand scenarios: not supply",
    "Notice": "licence and citation text: recorded in SOURCE, no data",
    "iea.json:source": "the converter's fixed citation string (says 2024 whatever the edition)",
    "iea.json:totalDemand": "demand scenarios: not supply",
    "iea.json:cleantechByTech": "clean-technology demand scenarios: not supply",
    "iea.json:cleantechByMineral": "clean-technology demand scenarios: not supply",
    "iea.json:byTechnology": "technology demand scenarios: not supply",
}

SUPPLY_COLUMNS = [
    "mineral",
    "scope",
    "stage",
    "block",
    "country_iso3",
    "country_name",
    "year",
    "kt",
    "projection",
    "edition",
    "base_year",
    "row",
    "cell",
]
SHARE_COLUMNS = [
    "mineral",
    "scope",
    "stage",
    "iea_stage",
    "country_iso3",
    "year",
    "kt",
    "total_kt",
    "lines_kt",
    "share_pct",
    "edition",
    "base_year",
]

_MINERALS = {
    "copper": "copper",
    "cobalt": "cobalt",
    "lithium": "lithium",
    "nickel": "nickel",
    "graphite": "graphite",
    "magnet rare earth elements": "rare_earths",
    "rare earth elements": "rare_earths",
}
_STAGES = {
    "mining": "mining",
    "mining (natural)": "mining",
    "refining": "refining",
    "chemicals": "refining",
    "battery grade": "refining",
}
_SCOPE = {
    ("rare_earths", "mining"): "magnet rare earths (Nd, Pr, Dy, Tb)",
    ("rare_earths", "refining"): "magnet rare earths (Nd, Pr, Dy, Tb)",
    ("graphite", "mining"): "natural graphite",
    ("graphite", "refining"): "battery-grade graphite",
    ("lithium", "refining"): "lithium chemicals",
}
_AGGREGATES = {"rest of world": "ROW", "total": "WLD", "total clean technologies": "WLD"}
_TOP3 = "top 3 share"
#: Project stage of each mineral's refined output in data/processing_shares.csv: the IEA's
#: refining of magnet rare earths is their separation into oxides (schema stage
#: ``separation``, where the register's separation plants sit).
PROJECT_STAGE = {"rare_earths": "separation"}
_HALVES = (("A", 0), ("G", 6))  # first column of each block, and its 0-based index
_BLOCK = re.compile(r"^(.+?)\s+-\s+(.+)$")


def _noise_free(x: float) -> float:
    return round(float(x), 6)


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return _noise_free(parse_number(value)) if clean_text(value) else None
    except ValueError:  # text that is not a number, inf, nan: no value (a cell reject)
        return None


def _country(cw: Crosswalk, name: str, where: str) -> tuple[str | None, str]:
    """(iso3, '') or (None, reason); aggregates first."""
    key = clean_text(name).lower()
    if key in _AGGREGATES:
        return _AGGREGATES[key], ""
    try:
        return cw.iso3(name, where), ""
    except UnknownCountryError as exc:
        return None, str(exc)


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` of json.loads: refuse an object with a repeated key."""
    out: dict[str, object] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKeyError(k)
        out[k] = v
    return out


def _col(i: int) -> str:
    return chr(ord("A") + i)


def load_supply_workbook(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """The May 2024 workbook's supply sheet: one table row per country, stage and year.

    A data row of the file is one half of a sheet row (the mining block in A–E or the
    refining block in G–K) with any non-empty cell, numbered in sheet order (left half
    first); ``cell`` names its first cell (``G18``). Title, year header, block headers,
    ``Top 3 share`` lines and the sheet notes are excluded with the reason. Table columns:
    ``SUPPLY_COLUMNS``.
    """
    from openpyxl import load_workbook

    rel = f"{FOLDER}/{WORKBOOK}"
    path = Path(sources_dir) / rel
    if not path.exists():
        raise SourceFormatError(rel, None, None, "file not found")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors of a damaged workbook
        raise SourceFormatError(
            rel,
            None,
            None,
            f"cannot be read as an .xlsx workbook (truncated or corrupted?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    try:
        return _load_supply_sheet(wb, rel, crosswalk)
    except MineralsGraphError:
        raise
    except Exception as exc:  # a damaged sheet part of the zip (XML, zlib errors)
        raise SourceFormatError(
            rel,
            None,
            SUPPLY_SHEET,
            f"the sheet cannot be read (corrupted workbook?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    finally:
        wb.close()


def _load_supply_sheet(wb, rel: str, crosswalk: Crosswalk) -> LoadResult:
    if SUPPLY_SHEET not in wb.sheetnames:
        raise SourceFormatError(rel, None, SUPPLY_SHEET, f"sheet not found; sheets: {wb.sheetnames}")
    ws = wb[SUPPLY_SHEET]
    ledger = RowLedger(f"{rel}!{SUPPLY_SHEET}")
    recs: list[dict[str, object]] = []
    years: list[int] = []
    block: list[tuple[str | None, str, str]] = [(None, "", ""), (None, "", "")]  # per half
    n = 0
    title_seen = False
    listed: dict[tuple[int, str, str], str] = {}  # (half, block, iso3) -> first cell
    for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = list(values) + [None] * max(0, 13 - len(values))
        extra = [c for c in [cells[5], *cells[11:]] if c not in (None, "")]  # column F or beyond K
        for side, (letter, start) in enumerate(_HALVES):
            part = cells[start : start + 5]
            if side == 1 and extra:
                part = part + extra
            if all(c in (None, "") for c in part):
                continue
            n += 1
            ref = f"{letter}{r}"
            label = clean_text(part[0])
            nums = part[1:5]
            if side == 1 and extra:
                ledger.reject(n, "cell", extra[0], f"row {r}: a value outside the two blocks (A–E, G–K)")
                continue
            if not title_seen and label and all(c in (None, "") for c in nums):
                title_seen = True
                ledger.exclude(n, f"{ref}: sheet title {label!r}")
                continue
            if not label and all(isinstance(c, int) and 1990 < c < 2100 for c in nums):
                if not years:
                    years = [int(c) for c in nums]
                ledger.exclude(n, f"{ref}: column header (years {', '.join(str(c) for c in nums)})")
                continue
            if label.lower().startswith("notes:"):
                ledger.exclude(n, f"{ref}: sheet note")
                continue
            m = _BLOCK.match(label)
            if m and all(c in (None, "") for c in nums):
                mineral = _MINERALS.get(m.group(1).strip().lower())
                stage = _STAGES.get(m.group(2).strip().lower(), "")
                block[side] = (mineral, stage, label)
                if mineral is None or not stage:
                    ledger.reject(n, "block", label, "block of an unknown mineral or stage: its lines are rejected")
                else:
                    ledger.exclude(n, f"{ref}: block header {label!r}")
                continue
            if label and all(c in (None, "") for c in nums):
                ledger.exclude(n, f"{ref}: sheet note")
                continue
            mineral, stage, block_label = block[side]
            if label.lower() == _TOP3:
                ledger.exclude(n, f"{ref}: 'Top 3 share' is a fraction of the block total, not a quantity")
                continue
            if mineral is None or not stage:
                ledger.reject(n, "block", block_label or label, f"{ref}: line outside a known mineral block")
                continue
            if not years:
                raise SourceFormatError(rel, r, SUPPLY_SHEET, "no year header row before the first block")
            iso3, why = _country(crosswalk, label, f"{rel} {ref}")
            if iso3 is None:
                ledger.reject(n, "country", label, why)
                continue
            if (side, block_label, iso3) in listed:
                ledger.reject(
                    n,
                    "country",
                    label,
                    f"{ref}: {iso3} is already a line of block {block_label!r} "
                    f"(cell {listed[(side, block_label, iso3)]}): a duplicated line",
                )
                continue
            listed[(side, block_label, iso3)] = ref
            got = 0
            for j, (year, raw) in enumerate(zip(years, nums, strict=False)):
                kt = _number(raw)
                if kt is None:
                    ledger.reject_cell(n, str(year), raw, f"{_col(start + 1 + j)}{r}: expected a number (kt)")
                    continue
                got += 1
                recs.append(_rec(mineral, stage, block_label, iso3, label, year, kt, EDITION_2024, years[0], n, ref))
            if got:
                ledger.load(n)
            else:
                ledger.reject(n, "kt", "", f"{ref}: no number in any year column")
    return ledger.finish(SOURCE, n, _table(recs))


def _rec(
    mineral: str,
    stage: str,
    block: str,
    iso3: str,
    name: str,
    year: int,
    kt: float,
    edition: str,
    base_year: int,
    row: int,
    cell: str,
) -> dict[str, object]:
    return {
        "mineral": mineral,
        "scope": _SCOPE.get((mineral, stage), ""),
        "stage": stage,
        "block": block,
        "country_iso3": iso3,
        "country_name": name,
        "year": int(year),
        "kt": kt,
        "projection": int(year) > base_year,
        "edition": edition,
        "base_year": int(base_year),
        "row": row,
        "cell": cell,
    }


def _table(recs: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(recs, columns=SUPPLY_COLUMNS)
    return df.sort_values(["mineral", "stage", "year", "row"], kind="stable").reset_index(drop=True)


def load_supply_json(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """``iea.json`` ``supply``: one table row per country, stage and year (2025 edition).

    A data row of the file is one entry of a block's ``countries``, its ``total`` (->
    ``WLD``) or its ``top3Share`` (excluded), in file order; ``cell`` is its JSON path.
    Table columns: ``SUPPLY_COLUMNS``. The base year is the earliest year key.
    """
    rel = f"{FOLDER}/{JSON_FILE}"
    path = Path(sources_dir) / rel
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except FileNotFoundError as exc:
        raise SourceFormatError(rel, None, None, "file not found") from exc
    except _DuplicateKeyError as exc:
        raise SourceFormatError(
            rel, None, str(exc), "the key appears twice in one object: a duplicated entry (JSON keeps only the last)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceFormatError(rel, None, None, f"line {exc.lineno}: not valid JSON (truncated?): {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise SourceFormatError(rel, None, None, f"cannot be decoded as UTF-8: {exc}") from exc
    supply = data.get("supply") if isinstance(data, dict) else None
    if not isinstance(supply, dict):
        raise SourceFormatError(rel, None, "supply", "expected an object 'supply' {mineral: {mining, refining}}")
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    n = 0
    for name, stages in supply.items():
        mineral = _MINERALS.get(clean_text(name).lower())
        if not isinstance(stages, dict):
            n += 1
            ledger.reject(n, f"supply.{name}", type(stages).__name__, "expected an object {mining, refining}")
            continue
        for stage_key, blk in stages.items():
            stage = _STAGES.get(clean_text(stage_key).lower(), "")
            prefix = f"supply.{name}.{stage_key}"
            if not isinstance(blk, dict) or not isinstance(blk.get("countries") or {}, dict):
                n += 1
                ledger.reject(
                    n,
                    prefix,
                    type(blk).__name__,
                    "expected an object {countries: {name: {year: kt}}, total, top3Share}",
                )
                continue
            entries = [(c, v, f"{prefix}.countries[{c[:40]!r}]") for c, v in (blk.get("countries") or {}).items()]
            entries += [
                ("Total", blk.get("total") or {}, f"{prefix}.total"),
                ("Top 3 share", blk.get("top3Share") or {}, f"{prefix}.top3Share"),
            ]
            yrs = sorted(
                {int(y) for _, v, _ in entries if isinstance(v, dict) for y in v if re.fullmatch(r"\d{4}", str(y))}
            )
            base = yrs[0] if yrs else 0
            listed: dict[str, str] = {}  # iso3 -> first JSON path in this block
            for country, values, where in entries:
                n += 1
                if mineral is None or not stage:
                    ledger.reject(n, "mineral", f"{name}.{stage_key}", "not one of the six supply minerals")
                    continue
                if clean_text(country).lower() == _TOP3:
                    ledger.exclude(n, f"{where}: top-3 share is a fraction of the total, not a quantity")
                    continue
                vals = values if isinstance(values, dict) else {}
                if (
                    vals
                    and all(v is None for v in vals.values())
                    and (len(country) > 60 or " " in country.strip() and country.rstrip().endswith("."))
                ):
                    ledger.reject(
                        n,
                        "country",
                        country[:80],
                        "converter defect: a sheet-note sentence stored as a country with null values",
                    )
                    continue
                iso3, why = _country(crosswalk, country, f"{rel} {where}")
                if iso3 is None:
                    ledger.reject(n, "country", country[:80], why)
                    continue
                if iso3 in listed:
                    ledger.reject(
                        n,
                        "country",
                        country[:80],
                        f"{where}: {iso3} is already listed in this block ({listed[iso3]}): a duplicated entry",
                    )
                    continue
                listed[iso3] = where
                got = 0
                for y, raw in vals.items():
                    kt = _number(raw)
                    if kt is None or not re.fullmatch(r"\d{4}", str(y)):
                        ledger.reject_cell(n, str(y), raw, f"{where}: expected a year key and a number (kt)")
                        continue
                    got += 1
                    recs.append(
                        _rec(
                            mineral,
                            stage,
                            f"{name} - {stage_key}",
                            iso3,
                            country,
                            int(y),
                            kt,
                            EDITION_2025,
                            base,
                            n,
                            where,
                        )
                    )
                if got:
                    ledger.load(n)
                else:
                    ledger.reject(n, "kt", "", f"{where}: no number in any year")
    return ledger.finish(SOURCE, n, _table(recs))


def processing_share_rows(result: LoadResult | pd.DataFrame, *, stage: str = "refining") -> pd.DataFrame:
    """Country shares of world refining in the base year of each edition.

    ``share_pct`` = country kt / block ``Total`` (``WLD``) kt x 100, rounded to 1 decimal;
    ``Rest of world`` is kept as ``ROW``. Only the base year (not the projections).
    ``lines_kt`` is the sum of the block's lines: the IEA's Total is not always that sum
    (nickel refining: Total 3,796.1 kt, lines 3,932.0 kt in 2023), so the shares of a
    block can add to more than 100; they are kept as published, over the IEA's Total.
    ``stage`` is the project stage (``PROJECT_STAGE``: separation for rare earths),
    ``iea_stage`` the IEA's. Columns: ``SHARE_COLUMNS``; sorted by edition, mineral,
    share (descending), country. Pure: reads nothing, writes nothing.

    Examples
    --------
    >>> t = pd.DataFrame({"mineral": ["cobalt"] * 3, "scope": "", "stage": "refining",
    ...                   "country_iso3": ["CHN", "ROW", "WLD"], "year": 2023, "kt": [171.7, 52.1, 223.8],
    ...                   "edition": "May 2024", "base_year": 2023})
    >>> processing_share_rows(t)[["country_iso3", "share_pct"]].values.tolist()
    [['CHN', 76.7], ['ROW', 23.3]]
    """
    t = result.table if isinstance(result, LoadResult) else result
    t = t[(t["stage"] == stage) & (t["year"] == t["base_year"])]
    rows = []
    for (edition, mineral), g in t.groupby(["edition", "mineral"], sort=True):
        total = g.loc[g["country_iso3"] == "WLD", "kt"]
        if total.empty or not float(total.iloc[0]) > 0:
            continue
        tot = float(total.iloc[0])
        lines = g[g["country_iso3"] != "WLD"]
        lines_kt = round(float(lines["kt"].sum()), 6)
        for r in lines.itertuples(index=False):
            rows.append(
                {
                    "mineral": mineral,
                    "scope": r.scope,
                    "stage": PROJECT_STAGE.get(mineral, stage),
                    "iea_stage": stage,
                    "country_iso3": r.country_iso3,
                    "year": int(r.year),
                    "kt": float(r.kt),
                    "total_kt": tot,
                    "lines_kt": lines_kt,
                    "share_pct": round(100.0 * float(r.kt) / tot, 1),
                    "edition": edition,
                    "base_year": int(r.base_year),
                }
            )
    df = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    if len(df):
        df = df.sort_values(
            ["edition", "mineral", "share_pct", "country_iso3"], ascending=[True, True, False, True], kind="stable"
        ).reset_index(drop=True)
    return df
