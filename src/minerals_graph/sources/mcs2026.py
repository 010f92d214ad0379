"""USGS Mineral Commodity Summaries 2026 data release (data year 2025).

Files read from ``<sources_dir>/usgs_mcs2026/``, as published (see its PROVENANCE.md):

* ``MCS2026_Commodities_Data.csv`` (cp1252) — one long table of every chapter, split here
  by ``Section`` into world production/capacity/reserves by country, U.S. salient
  statistics 2021–2025 and U.S. import sources 2021–24 (:func:`load_commodities_data`).
* ``MCS2026_Fig2_Net_Import_Reliance.csv`` — net import reliance 2025 and the ranked major
  import sources (:func:`load_fig2`).
* ``MCS2026_Fig3_Major_Import_Sources.csv`` — import shares per commodity and source
  country (:func:`load_fig3`).
* ``MCS2026_T4_Country_Export_Control.csv`` — export bans, quotas and licensing
  requirements (:func:`load_export_controls`).
* ``MCS2026_T5_Trade_Agreements.csv`` — U.S. critical-mineral agreements
  (:func:`load_trade_agreements`).
* ``MCS2026_T6_Critical_Minerals_End_Use.csv`` — the 2025 list of 60 critical minerals
  (:func:`load_critical_list_2025`).
* ``MCS2026_T7_Critical_Minerals_Salient.csv`` — critical-mineral salient statistics
  (:func:`load_critical_salient_2025`).

The other figure and table files are not read; :data:`NOT_READ` gives the reason per file.
The figure and table files are UTF-8 with a byte-order mark.

Quirks handled: ``W``/``E``/``NA``/``XX``/``—``/``>50``/``<1,000``/ranges (``50–300``,
``10,000 - 15,000``) kept as value + qualifier by :func:`~._common.parse_qvalue`; the
symbol ``s`` whose meaning is in the row's ``Notes`` ("Less than ½ unit." -> ``<`` 0.5,
"Included in “World total.”" -> that text, anything else -> qualifier ``s``); a minus sign
lost to ``?`` by the cp1252 encoding (``?1``, ``?10``: rejected naming file, row and field);
a section name with a trailing colon (``World Mine Production and Reserves:``); combined
country names (``China, Germany, and Russia``: excluded, not attributable); footnote digits
and trailing spaces in names (T7 ``Rare earths (compounds and metals)9``, T6 ``Ytterbium``);
a duplicated ``Signing_date`` header in T5 (text and ISO form, which disagree once).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import CountryMatch, Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.schema import commodity_by_id, commodity_id
from minerals_graph.sources._common import (
    LoadResult,
    QValue,
    RowLedger,
    SourceInfo,
    ValueMemo,
    clean_text,
    first_copies,
    parse_qvalue,
    read_csv_text,
)

__all__ = [
    "DATA_YEAR",
    "IMPORT_PERIOD",
    "SOURCES",
    "NOT_READ",
    "WORLD_SECTION_STAGES",
    "WORLD_MEASURES",
    "DETAIL_STAGE_RULES",
    "COMMODITY_NAMES",
    "EXPORT_CONTROL_ITEMS",
    "WORLD_COLUMNS",
    "SALIENT_COLUMNS",
    "IMPORT_COLUMNS",
    "CommoditiesData",
    "source_info",
    "world_stage",
    "commodity_of",
    "load_commodities_data",
    "load_fig2",
    "load_fig3",
    "load_export_controls",
    "load_trade_agreements",
    "load_critical_list_2025",
    "load_critical_salient_2025",
]

log = logging.getLogger(__name__)

#: The data year of the edition: its figures are USGS estimates.
DATA_YEAR = 2025
#: The period of the import-source shares, as written in this project (``2021–24`` published).
IMPORT_PERIOD = "2021-24"

_FOLDER = "usgs_mcs2026"
#: DOI of the data release, confirmed from its USGS metadata record (data.usgs.gov catalog,
#: "Mineral Commodity Summaries 2026", pubdate 2026-02-06, onlink https://doi.org/10.5066/P1WKQ63T).
_URL = "https://doi.org/10.5066/P1WKQ63T"


def source_info(table: str) -> SourceInfo:
    """The SourceInfo of one table of the MCS 2026 data release.

    Parameters
    ----------
    table
        Table name as used in :data:`SOURCES` (``world``, ``salient``, ``Fig2`` …).

    Returns
    -------
    SourceInfo
        ``key`` is ``usgs-mcs2026-<table>`` in lower case.
    """
    return SourceInfo(
        key=f"usgs-mcs2026-{table.lower()}",
        publisher="U.S. Geological Survey",
        dataset=f"Mineral Commodity Summaries 2026 data release: {table}",
        year=2026,
        url=_URL,
    )


#: One SourceInfo per table. ``commodities_data`` is the whole long file (its row
#: accounting); ``world``, ``salient`` and ``import_sources`` are the tables split from it.
SOURCES: dict[str, SourceInfo] = {
    t: source_info(t)
    for t in ("commodities_data", "world", "salient", "import_sources", "Fig2", "Fig3", "T4", "T5", "T6", "T7")
}

#: Files of the release that are not loaded, by file-name prefix, with the reason.
NOT_READ: dict[str, str] = {
    "MCS2026_Fig1_": "economy-wide figure (value of nonfuel mineral raw materials, processed "
    "materials and their share of GDP): no commodity or country dimension",
    "MCS2026_Fig4_": "economy-wide figure (value of U.S. mine production by type: metals, "
    "aggregates, industrial minerals): no commodity or country dimension",
    "MCS2026_Fig10_": "price growth rates of priced critical minerals: derived from the salient "
    "prices, which are loaded from Commodities_Data",
    "MCS2026_Fig11_": "percent change in U.S. apparent consumption 2024–25: derived from the "
    "salient statistics, which are loaded from Commodities_Data",
    "MCS2026_Fig12_": "percent change in U.S. apparent consumption 2021–25: derived from the "
    "salient statistics, which are loaded from Commodities_Data",
    "MCS2026_Fig13_": "value of U.S. scrap by metal and destination: U.S. totals without a "
    "trade partner, outside the graph's scope",
    "MCS2026_T1_": "U.S. mineral-industry trends (value of mine production, employment, "
    "earnings): economy-wide, no commodity or country dimension",
    "MCS2026_T2_": "U.S. economic indicators (GDP, production indexes, housing starts): "
    "economy-wide, no commodity or country dimension",
    "MCS2026_T3_": "value of nonfuel mineral production by U.S. State: sub-national, with the "
    "principal commodities as free text",
}

# ---------------------------------------------------------------------------------------
# Commodity names

#: Published names the schema's aliases do not cover, normalised (lower case, single
#: spaces) -> schema commodity id. Names listed with ``None`` are commodities the schema
#: lacks: their rows are excluded with that reason.
COMMODITY_NAMES: dict[str, str | None] = {
    # Titanium chapter ("Titanium and titanium dioxide"): sponge metal and TiO2 pigment forms
    "tio2 pigment": "titanium",
    "titanium sponge metal": "titanium",
    # Stone (dimension) chapter: the granite sub-table
    "granite only": "dimension_stone",
    # Quartz (high-purity and industrial cultured crystal) chapter: its two forms
    "ground high-purity quartz": "quartz_crystal",
    "industrial cultured quartz crystal": "quartz_crystal",
    # the chapter name of helium; the rare gases have no schema commodity
    "helium and rare gases": "helium",
    # Fig. 3 writes "<commodity>, <form>"; the head alone would pick the wrong commodity
    "magnesium, compounds": "magnesium_compounds",
    "titanium, mineral concentrates": "titanium_mineral_concentrates",
    # T6/Fig. 3: on the 2025 list, no MCS chapter
    "metallurgical coal": "coal",
    # not in the schema
    "argon": None,
    "krypton": None,
    "neon": None,
    "xenon": None,
    "neon, krypton, and xenon": None,
    "osmium": None,
}


@functools.lru_cache(maxsize=4096)  # pure; the long table repeats each value thousands of times
def commodity_of(name: str) -> str | None:
    """The schema commodity id of a published MCS 2026 commodity name.

    Looks the name up in :data:`COMMODITY_NAMES` first, then in the schema's aliases
    (:func:`minerals_graph.schema.commodity_id`).

    Parameters
    ----------
    name
        The name as published (case, footnote digits and spacing are tolerated).

    Returns
    -------
    str or None
        The commodity id; ``None`` when the name is a commodity the schema lacks (either
        listed as such in :data:`COMMODITY_NAMES` or unknown to the schema).

    Examples
    --------
    >>> commodity_of("Tio2 Pigment")
    'titanium'
    >>> commodity_of("Rare earths (compounds and metals)9")
    'rare_earths'
    >>> commodity_of("Xenon") is None
    True
    """
    text = _strip_footnote(clean_text(name))
    key = text.lower()
    if key in COMMODITY_NAMES:
        return COMMODITY_NAMES[key]
    try:
        return commodity_id(text)
    except UnknownCommodityError:
        return None


def _strip_footnote(text: str) -> str:
    """'Rare earths (compounds and metals)9' -> 'Rare earths (compounds and metals)'."""
    return re.sub(r"(?<=[^\d\s])\d{1,2}$", "", text).strip()


def _not_in_schema(name: str) -> str:
    return (
        f"commodity {clean_text(name)!r} is not in the schema (schema.COMMODITIES) nor in "
        "mcs2026.COMMODITY_NAMES: out of scope"
    )


# ---------------------------------------------------------------------------------------
# World sections: stage and measure

#: Every ``World …`` Section name of Commodities_Data -> the default supply-chain stage of
#: its production and capacity rows. Reserves are always stage ``mining`` (ore in the
#: ground). :data:`DETAIL_STAGE_RULES` on the row's ``Statistics_detail`` win over this
#: default; ``_SECTION_COMMODITY_STAGES`` refines the one mixed section.
WORLD_SECTION_STAGES: dict[str, str] = {
    "World Mine Production and Reserves": "mining",
    "World Mine Production and Reserves:": "mining",  # gold; trailing colon as published
    "World Mine Production (manganese content) and Reserves": "mining",
    "World Magnesite Mine Production and Reserves (gross weight)": "mining",
    "World Gem-Quality Natural Diamond Mine Production and Reserves": "mining",
    "World Natural Industrial Diamond Mine Production and Reserves": "mining",
    # copper: 'Mine production' -> mining, 'Refinery production' -> refining (detail rules)
    "World Mine and Refinery Production and Reserves": "mining",
    # bauxite mine production -> mining; alumina refinery production -> refining of the
    # schema commodity 'bauxite' ("Bauxite and alumina", alias 'alumina'), not of aluminum
    "World Alumina Refinery and Bauxite Mine Production and Bauxite Reserves": "mining",
    "World Refinery Production and Capacity": "refining",  # bismuth, indium, Se, Te
    "World Refinery Production and Reserves": "refining",  # cadmium
    "World Smelter Production and Capacity": "smelting",  # aluminum
    "World Primary Production and Reserves": "smelting",  # magnesium metal, smelter
    # titanium sponge -> metal_alloy (as mcs.stage_from_type); TiO2 pigment -> refining
    "World Sponge Metal Production and Sponge and Pigment Capacity": "metal_alloy",
    "World Production": "smelting",  # pig iron, raw steel, ferrosilicon, silicon metal
    "World Production Capacity": "refining",  # abrasives plant capacity (as MCS 2024)
    "World Production and Capacity": "refining",  # arsenic trioxide; cement and clinker
    "World Ammonia Production and Reserves": "refining",  # plant production (as MCS 2024)
    "World Lime Production and Limestone Reserves": "refining",  # calcining (as MCS 2024)
    "World Low-Purity Production and Production Capacity": "refining",  # gallium
    # mixed: boron (ores), helium, salt -> mining; bromine, sulfur, slag: see below
    "World Production and Reserves": "mining",
}

#: (Section, commodity id) -> stage, for the mixed ``World Production and Reserves`` and
#: the scandium oxide figures filed under ``World Mine Production and Reserves``.
_SECTION_COMMODITY_STAGES: dict[tuple[str, str], str] = {
    ("World Production and Reserves", "bromine"): "refining",  # plant production (MCS 2024)
    ("World Production and Reserves", "sulfur"): "refining",  # 'all forms', mostly recovered
    ("World Production and Reserves", "iron_steel_slag"): "smelting",  # by-product of smelting
    # scandium oxide is recovered at refineries (TiO2 pigment, nickel HPAL), not mined as such
    ("World Mine Production and Reserves", "scandium"): "refining",
}

#: Rules on the lower-cased ``Statistics_detail`` text, first match wins; they override
#: the Section's default stage.
DETAIL_STAGE_RULES: tuple[tuple[str, str], ...] = (
    (r"refinery|refined", "refining"),
    (r"smelter", "smelting"),
    (r"sponge", "metal_alloy"),
    (r"pigment", "refining"),
    (r"pig iron|raw steel|ferrosilicon|silicon metal", "smelting"),
    (r"mine production", "mining"),
)

#: ``Statistics`` of a World row -> measure.
WORLD_MEASURES: dict[str, str] = {
    "Production": "production",
    "Capacity": "capacity",
    "Reserves": "reserves",
}


@functools.lru_cache(maxsize=4096)  # pure; the long table repeats each value thousands of times
def world_stage(section: str, measure: str, detail: str, commodity: str) -> str | None:
    """The supply-chain stage of one World row of Commodities_Data.

    Parameters
    ----------
    section
        The published ``Section`` (a key of :data:`WORLD_SECTION_STAGES`).
    measure
        ``production``, ``capacity`` or ``reserves`` (see :data:`WORLD_MEASURES`).
    detail
        The published ``Statistics_detail`` (e.g. ``Refinery production``).
    commodity
        The schema commodity id of the row.

    Returns
    -------
    str or None
        A stage of :data:`minerals_graph.schema.STAGES`; ``None`` if the section is unknown.

    Notes
    -----
    Order: reserves are ``mining``; then :data:`DETAIL_STAGE_RULES`; then the
    (section, commodity) overrides; then the section's default.

    Examples
    --------
    >>> world_stage("World Mine and Refinery Production and Reserves", "production",
    ...             "Refinery production", "copper")
    'refining'
    """
    section = clean_text(section)
    if section not in WORLD_SECTION_STAGES:
        return None
    if measure == "reserves":
        return "mining"
    d = clean_text(detail).lower()
    for pattern, stage in DETAIL_STAGE_RULES:
        if re.search(pattern, d):
            return stage
    return _SECTION_COMMODITY_STAGES.get((section, commodity), WORLD_SECTION_STAGES[section])


# ---------------------------------------------------------------------------------------
# Units and values

_UNIT_CODES = {
    "metric tons": "t",
    "tons": "t",
    "thousand metric tons": "kt",
    "thousand metric dry tons": "kt",
    "million metric tons": "mmt",
    "kilograms": "kg",
    "thousands of carats": "kct",
    "million carats": "mct",
    "million cubic meters": "mcm",
    "percent": "pct",
    "number": "num",
}


@functools.lru_cache(maxsize=4096)  # pure; the long table repeats each value thousands of times
def _unit_code(text: str) -> str:
    """Short unit code as in the MCS 2024 loaders (``t``, ``kt`` …); other units as published."""
    t = clean_text(text)
    return _UNIT_CODES.get(t.lower(), t)


def _note_parts(notes: str) -> list[str]:
    return [p for p in (clean_text(x) for x in clean_text(notes).split("--")) if p]


def _notes_say_estimated(notes: str) -> bool:
    """Whether a part of a row's Notes (parts separated by ``--``) starts with "Estimated"."""
    return any(p.lower().startswith("estimated") for p in _note_parts(notes))


def _s_value(notes: str) -> QValue:
    """The value of a cell holding the symbol ``s``, whose meaning the row's Notes give."""
    for part in _note_parts(notes):
        p = re.sub(r"½\s*unit", "½ unit", re.sub(r"[“”\"]", "", part))
        try:
            q = parse_qvalue(p)
        except ValueError:
            continue
        if q == QValue(0.5, "<") or (q.value is None and q.qualifier):
            return q  # 'Less than ½ unit.' or 'Included in World total.'
    return QValue(None, "s")  # e.g. 'Less than 500 carats.' in a table of million carats


def _rel(path: Path, sources_dir: Path) -> str:
    try:
        return str(path.relative_to(sources_dir))
    except ValueError:
        return str(path)


def _read(sources_dir: Path, name: str, encoding: str = "utf-8-sig") -> tuple[str, list[str], list[list[str]]]:
    path = Path(sources_dir) / _FOLDER / name
    header, rows = read_csv_text(path, encoding)
    return _rel(path, Path(sources_dir)), [clean_text(h) for h in header], rows


def _cols(header: list[str], names: tuple[str, ...], rel: str) -> dict[str, int]:
    """Index of each expected column (first occurrence); raise naming the missing ones."""
    missing = [n for n in names if n not in header]
    if missing:
        raise SourceFormatError(rel, 0, ", ".join(missing), f"expected columns {list(names)}; got {header}")
    return {n: header.index(n) for n in names}


def _blank(raw: list[str]) -> bool:
    return not "".join(raw).strip()  # no cell with text (one join: cheaper than a strip per cell)


# ---------------------------------------------------------------------------------------
# Commodities_Data: the long table

_COMMODITIES_FILE = "MCS2026_Commodities_Data.csv"
_LONG_COLUMNS = (
    "MCS chapter",
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
    "Is critical mineral 2025",
    "Other notes",
)
_SALIENT_SECTION = "Salient Statistics—United States"
_IMPORT_SECTION = "Import Sources"
_SALIENT_MEASURES = {
    "production": "production",
    "import": "imports",
    "export": "exports",
    "consumption": "consumption",
    "price": "price",
    "net import reliance": "net_import_reliance",
    "employment": "employment",
    "stock": "stocks",
    "shipment": "shipments",
    "sold or used": "sold_or_used",
    "sales": "sales",
    "sold": "sold",
    "supply": "supply",
}
_FOUR_DIGITS = re.compile(r"\d{4}")
_PERIOD = re.compile(r"(\d{4})\s*[–-]\s*(\d{2})")  # of import sources: 2021–24
_ROUNDED = re.compile(r"(?:^|[,:]\s*)rounded$", re.IGNORECASE)
_GENERIC_DETAIL = {"mine production", "production", "reserves"}

WORLD_COLUMNS = [
    "row",
    "commodity",
    "label",
    "chapter",
    "country_raw",
    "iso3",
    "country_qualifier",
    "country_estimated",
    "footnote",
    "section",
    "type_text",
    "stage",
    "measure",
    "year",
    "estimated",
    "quantity",
    "qualifier",
    "unit",
    "unit_text",
    "product",
    "rounded",
    "note",
]
SALIENT_COLUMNS = [
    "row",
    "commodity",
    "label",
    "chapter",
    "iso3",
    "year",
    "estimated",
    "measure",
    "detail",
    "unit",
    "unit_text",
    "value",
    "qualifier",
    "note",
    "column",
]
IMPORT_COLUMNS = [
    "row",
    "commodity",
    "label",
    "form",
    "exporter",
    "importer",
    "country_raw",
    "rank",
    "share_pct",
    "qualifier",
    "period",
    "note",
]


@dataclass
class CommoditiesData:
    """Commodities_Data split by section, with the row accounting of the whole file.

    Attributes
    ----------
    result
        The file's LoadResult (``rows_read`` = every data row). ``result.table`` indexes
        the loaded rows: ``row, part, section, commodity`` (``part`` is ``world``,
        ``salient`` or ``import_sources``).
    world
        World production, capacity and reserves by country (source ``SOURCES["world"]``):
        ``row, commodity, label, chapter, country_raw, iso3, country_qualifier,
        country_estimated, footnote, section, type_text, stage, measure, year, estimated,
        quantity, qualifier, unit, unit_text, product, rounded, note``.
    salient
        U.S. salient statistics 2021–2025 (``SOURCES["salient"]``): ``row, commodity,
        label, chapter, iso3, year, estimated, measure, detail, unit, unit_text, value,
        qualifier, note, column``.
    import_sources
        U.S. import sources 2021–24 in percent (``SOURCES["import_sources"]``): ``row,
        commodity, label, form, exporter, importer, country_raw, rank, share_pct,
        qualifier, period, note``.
    """

    result: LoadResult
    world: pd.DataFrame
    salient: pd.DataFrame
    import_sources: pd.DataFrame

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The three split tables by name (``world``, ``salient``, ``import_sources``)."""
        return {"world": self.world, "salient": self.salient, "import_sources": self.import_sources}


def load_commodities_data(sources_dir: Path, crosswalk: Crosswalk) -> CommoditiesData:
    """Read ``MCS2026_Commodities_Data.csv`` and split it by ``Section``.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3 (``World total`` -> WLD, ``Other countries`` -> ROW).

    Returns
    -------
    CommoditiesData
        The split tables and one LoadResult for the file.

    Notes
    -----
    Each data row is loaded into exactly one table, excluded (commodity not in the schema,
    a country figure that cannot be attributed to one country, an empty row or value) or
    rejected (unknown section or Statistics, unreadable year or value, unknown country),
    with file, row, field and reason.

    * World rows: ``measure`` from ``Statistics`` (:data:`WORLD_MEASURES`), ``stage`` from
      :func:`world_stage`. ``type_text`` is ``Statistics_detail`` as published; the part
      after its first ``:`` (or ``—``) is the ``product`` (``Iron content``, ``Kaolin``),
      with ``rounded`` set when USGS marks the figure as rounded. ``estimated`` is true for
      production and capacity of the data year 2025 and for rows whose notes say
      "Estimated" (reserves only then).
    * Import sources: ``form`` is ``Statistics_detail`` (``Ore and concentrates``, ``All``);
      ``rank`` is the order of the named countries within (commodity, form), empty for the
      ``Other countries`` (ROW) residual.
    """
    rel, header, rows = _read(sources_dir, _COMMODITIES_FILE, "cp1252")
    j = _cols(header, _LONG_COLUMNS, rel)
    ledger = RowLedger(rel)
    # records as tuples of WORLD_COLUMNS, SALIENT_COLUMNS, IMPORT_COLUMNS (cheaper than dicts)
    world: list[tuple] = []
    salient: list[tuple] = []
    imports: list[tuple] = []
    index: list[tuple] = []
    copies = first_copies(rows)
    cells = _clean_columns(rows, {c: j[c] for c in _READ_COLUMNS})
    ranks = _import_ranks(cells, crosswalk, copies)
    # Per-value work, done once per distinct cell text: the file repeats a few hundred
    # sections, names, units and notes over ~9,000 rows (see _LongTableMemos).
    memo = _LongTableMemos()
    for i, (chapter, section, label, country_raw, stat, detail, unit_text, ytext, vtext, notes, flag) in enumerate(
        zip(*(cells[c] for c in _READ_COLUMNS), strict=True), start=1
    ):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if not section and _blank(rows[i - 1]):  # a row with a Section is never blank
            ledger.exclude(i, "empty row")
            continue
        part = memo.part[section]
        if part is None:
            ledger.reject(
                i,
                "Section",
                section,
                "unknown Section: expected "
                f"{_SALIENT_SECTION!r}, {_IMPORT_SECTION!r} or a World section of "
                "mcs2026.WORLD_SECTION_STAGES",
            )
            continue
        cid = memo.commodity[label]
        if cid is None:
            cid = memo.commodity[chapter] if not label else None
        if cid is None:
            ledger.exclude(i, _not_in_schema(label or chapter))
            continue
        if flag not in ("Yes", "No"):
            ledger.reject_cell(i, "Is critical mineral 2025", flag, "expected Yes or No")
        if not vtext:
            ledger.exclude(i, "no value published")
            continue
        q = _s_value(notes) if vtext == "s" else memo.qvalue[vtext]
        if isinstance(q, str):  # the reason the text is no value
            ledger.reject(i, "Value", rows[i - 1][j["Value"]], q)
            continue
        m = memo.country.get(country_raw)
        if m is None:
            try:
                m = crosswalk.match(country_raw, f"{rel}, row {i}, field 'Country'")
            except UnknownCountryError as exc:
                ledger.reject(i, "Country", country_raw, str(exc))
                continue
            memo.country[country_raw] = m
        if m.iso3 is None:
            ledger.exclude(i, f"country {country_raw!r} cannot be attributed to one ISO3 code ({m.note})")
            continue
        if part == "import_sources":
            if not memo.import_period[ytext]:
                ledger.reject(i, "Year", ytext, "expected the period 2021–24 of import sources")
                continue
            imports.append(
                (
                    i,
                    cid,
                    label,
                    detail,  # form
                    m.iso3,  # exporter
                    "USA",  # importer
                    country_raw,
                    ranks.get(i),
                    q.value,  # share_pct
                    q.qualifier,
                    IMPORT_PERIOD,
                    notes,
                )
            )
        else:
            year = memo.year[ytext]
            if year is None:
                ledger.reject(i, "Year", ytext, "expected a four-digit year")
                continue
            if part == "salient":
                salient.append(
                    (
                        i,
                        cid,
                        label,
                        chapter,
                        m.iso3,
                        year,
                        year == DATA_YEAR or memo.estimated_note[notes],  # the data year's are estimates
                        memo.salient_measure[stat],
                        detail,
                        memo.unit[unit_text],
                        unit_text,
                        q.value,
                        q.qualifier,
                        notes,
                        stat,  # column
                    )
                )
            else:
                measure_w = WORLD_MEASURES.get(stat)
                if measure_w is None:
                    ledger.reject(i, "Statistics", stat, f"expected one of {sorted(WORLD_MEASURES)} in a World section")
                    continue
                _, product, rounded = memo.split_detail[detail]
                world.append(
                    (
                        i,
                        cid,
                        label,
                        chapter,
                        country_raw,
                        m.iso3,
                        m.qualifier,
                        m.estimated,
                        m.footnote,
                        section,
                        detail,  # type_text
                        world_stage(section, measure_w, detail, cid),
                        measure_w,
                        year,
                        # production and capacity of the data year, or what the notes call estimated
                        m.estimated or (measure_w != "reserves" and year == DATA_YEAR) or memo.estimated_note[notes],
                        q.value,  # quantity
                        q.qualifier,
                        memo.unit[unit_text],
                        unit_text,
                        product,
                        rounded,
                        notes,
                    )
                )
        index.append((i, part, section, cid))
        ledger.load(i)
    result = ledger.finish(
        SOURCES["commodities_data"], len(rows), pd.DataFrame(index, columns=["row", "part", "section", "commodity"])
    )
    log.info(
        "%s: read %s, loaded %s (world %s, salient %s, import sources %s), excluded %s, rejected %s",
        rel,
        result.rows_read,
        result.rows_loaded,
        len(world),
        len(salient),
        len(imports),
        result.rows_excluded,
        result.rows_rejected,
    )
    return CommoditiesData(
        result=result,
        world=pd.DataFrame(world, columns=WORLD_COLUMNS),
        salient=pd.DataFrame(salient, columns=SALIENT_COLUMNS),
        import_sources=pd.DataFrame(imports, columns=IMPORT_COLUMNS).astype({"rank": "Int64"}),
    )


#: The columns of Commodities_Data the loader reads, in the order it unpacks them
#: (``Other notes`` is not read).
_READ_COLUMNS = _LONG_COLUMNS[:-1]


def _clean_columns(rows: list[list[str]], columns: dict[str, int]) -> dict[str, list[str]]:
    """Column name -> the :func:`clean_text` of that column's cells, row by row.

    The cells of a column repeat (22 distinct Sections, 6 years, ~2,000 values over ~9,000
    rows): each distinct text is cleaned once (:class:`ValueMemo`) and the column is
    transposed with ``zip`` in C, instead of ~100,000 calls of :func:`clean_text`.
    """
    if not rows:
        return {name: [] for name in columns}
    by_index = list(zip(*rows, strict=True))  # rows have the header's width (read_csv_text)
    return {name: list(map(ValueMemo(clean_text).__getitem__, by_index[k])) for name, k in columns.items()}


def _part_of(section: str) -> str | None:
    """The table a (cleaned) Section goes to: ``salient``, ``import_sources``, ``world``; None if unknown."""
    if section == _SALIENT_SECTION:
        return "salient"
    if section == _IMPORT_SECTION:
        return "import_sources"
    return "world" if section in WORLD_SECTION_STAGES else None


def _qvalue_or_reason(text: str) -> QValue | str:
    """:func:`parse_qvalue` of a cell, or the reason (its ValueError's text) it is no value."""
    try:
        return parse_qvalue(text)
    except ValueError as exc:
        return str(exc)


def _year_or_none(text: str) -> int | None:
    """A four-digit year, or None for any other (cleaned) Year text."""
    return int(text) if _FOUR_DIGITS.fullmatch(text) else None


def _is_import_period(text: str) -> bool:
    """Whether a (cleaned) Year text is the import-source period 2021–24 (any dash, spacing)."""
    ym = _PERIOD.fullmatch(text)
    return ym is not None and f"{ym.group(1)}-{ym.group(2)}" == IMPORT_PERIOD


class _LongTableMemos:
    """The per-value work of :func:`load_commodities_data`, one memo per kind of cell.

    Each is a :class:`ValueMemo` over cleaned cell texts, computed on first use; ``country``
    is filled by the loader (a failed match is not stored: each row that holds the name is
    rejected with its own row number). Local to one call, so that the crosswalk and the
    tables of the module are read afresh by each load.
    """

    def __init__(self) -> None:
        self.part = ValueMemo(_part_of)
        self.commodity = ValueMemo(commodity_of)
        self.qvalue = ValueMemo(_qvalue_or_reason)  # of every cell but 's' (its meaning is in the notes)
        self.country: dict[str, CountryMatch] = {}
        self.year = ValueMemo(_year_or_none)
        self.import_period = ValueMemo(_is_import_period)
        self.estimated_note = ValueMemo(_notes_say_estimated)
        self.salient_measure = ValueMemo(
            lambda stat: _SALIENT_MEASURES.get(stat.lower(), re.sub(r"\W+", "_", stat.lower()))
        )
        self.unit = ValueMemo(_unit_code)
        self.split_detail = ValueMemo(_split_detail)


def _import_ranks(cells: dict[str, list[str]], crosswalk: Crosswalk, copies: dict[int, int]) -> dict[int, int]:
    """Row -> rank of each named import source within (commodity, form), in published order.

    ``cells`` are the cleaned columns of the file (:func:`_clean_columns`). Counted over
    the published rows, whatever their fate, so that a rejected row (an unreadable share,
    an unknown country) keeps its place and never moves the countries after it up a rank.
    Not counted: the ``Other countries`` residual (ROW), combined names that are not one
    country, rows without a value, and exact copies (``copies``, from
    :func:`~minerals_graph.sources._common.first_copies`) of an earlier row.
    """
    counter: dict[tuple[str, str, str], int] = {}
    out: dict[int, int] = {}
    for i, (section, value, country, label, chapter, detail) in enumerate(
        zip(
            cells["Section"],
            cells["Value"],
            cells["Country"],
            cells["Commodity"],
            cells["MCS chapter"],
            cells["Statistics_detail"],
            strict=True,
        ),
        start=1,
    ):
        if section != _IMPORT_SECTION or not value or i in copies:
            continue
        try:
            iso3 = crosswalk.match(country).iso3
        except UnknownCountryError:
            iso3 = "?"  # a named country, rejected: it keeps its place
        if iso3 in (None, "ROW"):
            continue
        key = (label, chapter, detail)
        counter[key] = counter.get(key, 0) + 1
        out[i] = counter[key]
    return out


@functools.lru_cache(maxsize=4096)  # pure; the long table repeats each value thousands of times
def _split_detail(detail: str) -> tuple[str, str, bool]:
    """``Mine production: Iron content, rounded`` -> (``Mine production``, ``Iron content``, True).

    The product is the text after the first ``:`` or ``—``; when that is a generic word
    (``Mica (Sheet): Mine production``) the head is the product. ``rounded`` marks USGS's
    rounded totals.
    """
    parts = re.split(r"\s*[:—]\s*", detail, maxsplit=1)
    head = parts[0]
    tail = parts[1] if len(parts) > 1 else ""
    rounded = bool(_ROUNDED.search(tail))
    tail = _ROUNDED.sub("", tail).strip(" ,:")
    if tail.lower() in _GENERIC_DETAIL:
        tail = head
    return head, tail, rounded


# ---------------------------------------------------------------------------------------
# Fig. 2: net import reliance and ranked major import sources

_FIG2_FILE = "MCS2026_Fig2_Net_Import_Reliance.csv"


def load_fig2(sources_dir: Path, crosswalk: Crosswalk) -> tuple[LoadResult, pd.DataFrame]:
    """Fig. 2: U.S. net import reliance 2025 and the major import sources 2021–24.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3.

    Returns
    -------
    result : LoadResult
        ``result.table`` columns: ``row, commodity, label, year, pct, qualifier, order,
        note`` (``year`` 2025, ``pct`` the published percentage or empty for a code).
    trades : pandas.DataFrame
        Exporter -> USA, one row per listed source: ``row, commodity, label, exporter,
        importer, rank, period, note`` (``rank`` 1 = largest share; ``NA`` lists none).

    Notes
    -----
    Rows for commodities the schema lacks (xenon, krypton, neon) are excluded with that
    reason; a source name the crosswalk does not know is a cell reject of its row.
    """
    rel, header, rows = _read(sources_dir, _FIG2_FILE)
    j = _cols(
        header,
        ("Import_Share_Order", "Commodity", "Net_Import_Reliance_pct_2025", "Major_Import_Sources_2021_24", "Notes"),
        rel,
    )
    ledger = RowLedger(rel)
    nir: list[dict[str, object]] = []
    trades: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        label = clean_text(raw[j["Commodity"]])
        cid = commodity_of(label)
        if cid is None:
            ledger.exclude(i, _not_in_schema(label))
            continue
        try:
            q = parse_qvalue(raw[j["Net_Import_Reliance_pct_2025"]])
        except ValueError as exc:
            ledger.reject(i, "Net_Import_Reliance_pct_2025", raw[j["Net_Import_Reliance_pct_2025"]], str(exc))
            continue
        note = clean_text(raw[j["Notes"]])
        nir.append(
            {
                "row": i,
                "commodity": cid,
                "label": label,
                "year": DATA_YEAR,
                "pct": q.value,
                "qualifier": q.qualifier,
                "order": clean_text(raw[j["Import_Share_Order"]]),
                "note": note,
            }
        )
        src = clean_text(raw[j["Major_Import_Sources_2021_24"]])
        names = [] if src.upper() in ("", "NA") else [n for n in map(clean_text, src.split(",")) if n]
        for rank, name in enumerate(names, start=1):
            try:
                iso3 = crosswalk.iso3(name, f"{rel}, row {i}, field 'Major_Import_Sources_2021_24'")
            except UnknownCountryError as exc:
                ledger.reject_cell(i, "Major_Import_Sources_2021_24", name, str(exc))
                continue
            hk = "hong kong" in note.lower() and iso3 == "CHN"
            trades.append(
                {
                    "row": i,
                    "commodity": cid,
                    "label": label,
                    "exporter": iso3,
                    "importer": "USA",
                    "rank": rank,
                    "period": IMPORT_PERIOD,
                    "note": "Imports from Hong Kong are included with China" if hk else "",
                }
            )
        ledger.load(i)
    result = ledger.finish(
        SOURCES["Fig2"],
        len(rows),
        pd.DataFrame(nir, columns=["row", "commodity", "label", "year", "pct", "qualifier", "order", "note"]),
    )
    return result, pd.DataFrame(
        trades, columns=["row", "commodity", "label", "exporter", "importer", "rank", "period", "note"]
    )


# ---------------------------------------------------------------------------------------
# Fig. 3: import shares by source

_FIG3_FILE = "MCS2026_Fig3_Major_Import_Sources.csv"


def load_fig3(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Fig. 3: share of U.S. imports 2021–24 by source country, per commodity.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3 (``Other`` -> ROW).

    Returns
    -------
    LoadResult
        Table columns: ``row, commodity, label, exporter, importer, country_raw, rank,
        share_pct, qualifier, nir_pct, nir_qualifier, critical_flag, period``. ``rank``
        is the order of the named sources within the commodity (empty for ROW);
        ``critical_flag`` is the published ``Critical_Mineral`` Y/N as a bool.

    Notes
    -----
    Rows whose source is ``NA`` (no import source published, e.g. cesium, rhodium) are
    excluded with that reason.
    """
    rel, header, rows = _read(sources_dir, _FIG3_FILE)
    j = _cols(header, ("Commodity", "Import_Source_2021_24", "Percent", "NIR", "Critical_Mineral"), rel)
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    ranks: dict[str, int] = {}
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        label = clean_text(raw[j["Commodity"]])
        cid = commodity_of(label)
        if cid is None:
            ledger.exclude(i, _not_in_schema(label))
            continue
        country_raw = clean_text(raw[j["Import_Source_2021_24"]])
        if country_raw.upper() == "NA":
            ledger.exclude(i, "no import source published (NA)")
            continue
        try:
            iso3: str | None = crosswalk.iso3(country_raw, f"{rel}, row {i}, field 'Import_Source_2021_24'")
            problem = ""
        except UnknownCountryError as exc:
            iso3, problem = None, str(exc)
        rank = None
        if iso3 != "ROW":  # published order: a rejected row keeps its place
            ranks[label] = ranks.get(label, 0) + 1
            rank = ranks[label]
        if iso3 is None:
            ledger.reject(i, "Import_Source_2021_24", country_raw, problem)
            continue
        try:
            share = parse_qvalue(raw[j["Percent"]])
            nir = parse_qvalue(raw[j["NIR"]])
        except ValueError as exc:
            field = "Percent" if "Percent" in str(exc) else "Percent/NIR"
            ledger.reject(i, field, f"{raw[j['Percent']]}/{raw[j['NIR']]}", str(exc))
            continue
        flag = clean_text(raw[j["Critical_Mineral"]]).upper()
        if flag not in ("Y", "N"):
            ledger.reject(i, "Critical_Mineral", flag, "expected Y or N")
            continue
        recs.append(
            {
                "row": i,
                "commodity": cid,
                "label": label,
                "exporter": iso3,
                "importer": "USA",
                "country_raw": country_raw,
                "rank": rank,
                "share_pct": share.value,
                "qualifier": share.qualifier,
                "nir_pct": nir.value,
                "nir_qualifier": nir.qualifier,
                "critical_flag": flag == "Y",
                "period": IMPORT_PERIOD,
            }
        )
        ledger.load(i)
    table = pd.DataFrame(
        recs,
        columns=[
            "row",
            "commodity",
            "label",
            "exporter",
            "importer",
            "country_raw",
            "rank",
            "share_pct",
            "qualifier",
            "nir_pct",
            "nir_qualifier",
            "critical_flag",
            "period",
        ],
    )
    return ledger.finish(SOURCES["Fig3"], len(rows), table.astype({"rank": "Int64"}))


# ---------------------------------------------------------------------------------------
# T4: export controls

_T4_FILE = "MCS2026_T4_Country_Export_Control.csv"

#: Export-control items (lower case, as split from ``Commodity_Year``) whose commodity
#: the schema's aliases do not give, -> schema ids. An empty tuple keeps the item with
#: commodity ``""`` (no schema commodity fits); the reason is in the row's ``note``.
EXPORT_CONTROL_ITEMS: dict[str, tuple[tuple[str, ...], str]] = {
    "diamonds": (("gemstones", "industrial_diamond"), "rough diamonds: both gem-quality and industrial"),
    "steel waste and scrap": (("iron_steel_scrap",), ""),
    "ferrous metal waste and scrap": (("iron_steel_scrap",), ""),
    "ferrous ingot": (("iron_steel",), ""),
    "potassium": (("potash",), "potassium minerals: the potash commodity"),
    "apatite": (("phosphate_rock",), "apatite: the phosphate rock mineral"),
    "lead-zinc": (("lead", "zinc"), "lead-zinc raw materials: both metals"),
    "columbite-tantalite": (("niobium", "tantalum"), "coltan: niobium and tantalum ore"),
    "cassiterite": (("tin",), "cassiterite: tin ore"),
    "items related to lithium batteries": (("lithium",), "lithium-battery items"),
    "quartz": ((), "raw quartz: not the schema's quartz_crystal (cultured/industrial crystal)"),
    "natural sand": ((), "natural sand: construction or industrial sand not specified"),
    "metal waste and scrap": ((), "mixed metal waste and scrap: no single commodity"),
    "catalysts and waste containing precious metals": ((), "precious-metal catalysts and waste: no single commodity"),
    "artificial graphite anode materials": ((), "synthetic graphite: the schema's graphite is natural graphite"),
}
_T4_GROUP = re.compile(r"(.+?)\s*\((\d{4})\)")
_T4_FORM = re.compile(
    r"^(raw minerals, including|raw materials of|ores and concentrates of|"
    r"ore concentrates of|raw)\s+",
    re.IGNORECASE,
)
_T4_PROTECT = ("waste and scrap", "catalysts and waste")


def _split_items(text: str) -> list[str]:
    """Split 'iron, lead-zinc, and rare earths and deeply processed titanium' into items."""
    s = re.sub(r"\(([^()]*)\)", lambda m: "(" + m.group(1).replace(" and ", "&") + ")", text)
    for phrase in _T4_PROTECT:
        s = re.sub(re.escape(phrase), phrase.replace(" and ", "&"), s, flags=re.IGNORECASE)
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", s)
    return [p.replace("&", " and ").strip() for p in parts if p.strip()]


def _item_commodities(item: str) -> tuple[tuple[str, ...], str]:
    """Schema ids of one export-control item and a note; () when none fits."""
    key = item.lower()
    if key in EXPORT_CONTROL_ITEMS:
        return EXPORT_CONTROL_ITEMS[key]
    cid = commodity_of(item)
    if cid is not None:
        return (cid,), ""
    words = key.split()
    for n in range(len(words) - 1, 0, -1):  # longest sub-phrase first: 'nickel ore' -> nickel
        for k in range(len(words) - n + 1):
            cid = commodity_of(" ".join(words[k : k + n]))
            if cid is not None:
                return (cid,), ""
    return (), "no schema commodity for this item"


def _parse_commodity_year(text: str) -> list[tuple[str, str, int]]:
    """``Commodity_Year`` text -> [(form, item, year)]; raise ValueError if unreadable."""
    s = clean_text(text).rstrip(".")
    groups = list(_T4_GROUP.finditer(s))
    rest = _T4_GROUP.sub("", s)
    if not groups or re.sub(r"[\s,]|\band\b", "", rest):
        raise ValueError(
            "expected items each followed by a year in parentheses, e.g. 'Antimony (2024), bismuth (2025)'"
        )
    out = []
    for g in groups:
        seg = re.sub(r"^(?:,\s*)?(?:and\s+)?", "", g.group(1).strip())
        fm = _T4_FORM.match(seg)
        form = fm.group(1).lower() if fm else ""
        seg = seg[fm.end() :] if fm else seg
        out += [(form, item, int(g.group(2))) for item in _split_items(seg)]
    return out


def load_export_controls(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Table 4: export controls in force, one row per (country, commodity, year).

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3.

    Returns
    -------
    LoadResult
        Table columns: ``row, country_raw, iso3, control_type, commodity, item, form,
        year, data_source, notes, note``. ``item`` is the item as published (``nickel
        ore``), ``form`` a leading qualifier that applies to a whole list (``ores and
        concentrates of``, ``raw``), ``year`` the year the control took effect,
        ``data_source`` the official source URL.

    Notes
    -----
    Items are split out of ``Commodity_Year`` at commas and "and" (not inside
    parentheses nor in "waste and scrap"), and mapped to commodities by
    :data:`EXPORT_CONTROL_ITEMS`, then the schema's aliases, then the longest sub-phrase
    that is a commodity name (``enriched uranium`` -> uranium). Items no schema commodity
    fits (raw quartz, natural sand, metal waste and scrap …) are KEPT with commodity
    ``""`` and the reason in ``note``: a control on them is still a fact about the
    exporting country. One item can give two rows (``columbite-tantalite``).
    """
    rel, header, rows = _read(sources_dir, _T4_FILE)
    j = _cols(header, ("Country", "Control_Type", "Commodity_Year", "Data_source", "Notes"), rel)
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        country_raw = clean_text(raw[j["Country"]])
        try:
            iso3 = crosswalk.iso3(country_raw, f"{rel}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", country_raw, str(exc))
            continue
        try:
            items = _parse_commodity_year(raw[j["Commodity_Year"]])
        except ValueError as exc:
            ledger.reject(i, "Commodity_Year", raw[j["Commodity_Year"]], str(exc))
            continue
        base = {"row": i, "country_raw": country_raw, "iso3": iso3, "control_type": clean_text(raw[j["Control_Type"]])}
        for form, item, year in items:
            ids, note = _item_commodities(item)
            for cid in ids or ("",):
                recs.append(
                    {
                        **base,
                        "commodity": cid,
                        "item": item,
                        "form": form,
                        "year": year,
                        "data_source": clean_text(raw[j["Data_source"]]),
                        "notes": clean_text(raw[j["Notes"]]),
                        "note": note,
                    }
                )
        ledger.load(i)
    return ledger.finish(
        SOURCES["T4"],
        len(rows),
        pd.DataFrame(
            recs,
            columns=[
                "row",
                "country_raw",
                "iso3",
                "control_type",
                "commodity",
                "item",
                "form",
                "year",
                "data_source",
                "notes",
                "note",
            ],
        ),
    )


# ---------------------------------------------------------------------------------------
# T5: trade agreements

_T5_FILE = "MCS2026_T5_Trade_Agreements.csv"
_TEXT_DATE_FORMATS = ("%d-%b-%y", "%y-%b", "%d-%b")


def load_trade_agreements(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Table 5: U.S. critical-mineral agreements with other countries.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3.

    Returns
    -------
    LoadResult
        Table columns: ``row, country_raw, iso3, agreement, signing_date,
        signing_date_text, focus_area, source_url``; one row per partner country (``Japan
        and Republic of Korea`` gives two rows).

    Notes
    -----
    The header holds ``Signing_date`` twice: a text date (``20-Oct-25``, ``25-Feb``) and
    an ISO date (``2025-10-20``, ``2025-02``). The ISO one is ``signing_date``; where the
    text date contradicts it, a cell reject names both (the row is still loaded).
    """
    rel, header, rows = _read(sources_dir, _T5_FILE)
    j = _cols(header, ("Country", "Agreement", "Focus_area", "Source"), rel)
    dates = [k for k, h in enumerate(header) if h == "Signing_date"]
    if len(dates) != 2:
        raise SourceFormatError(
            rel, 0, "Signing_date", f"expected two Signing_date columns (text and ISO); got {header}"
        )
    j_text, j_iso = dates
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        country_raw = clean_text(raw[j["Country"]])
        try:
            isos = _partners(crosswalk, country_raw, f"{rel}, row {i}, field 'Country'")
        except UnknownCountryError as exc:
            ledger.reject(i, "Country", country_raw, str(exc))
            continue
        iso_date = clean_text(raw[j_iso])
        if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", iso_date):
            ledger.reject(i, "Signing_date", iso_date, "expected an ISO date YYYY-MM[-DD]")
            continue
        text_date = clean_text(raw[j_text])
        if not _dates_agree(text_date, iso_date):
            ledger.reject_cell(
                i, "Signing_date", text_date, f"text date disagrees with the ISO date {iso_date}; ISO kept"
            )
        for iso3 in isos:
            recs.append(
                {
                    "row": i,
                    "country_raw": country_raw,
                    "iso3": iso3,
                    "agreement": clean_text(raw[j["Agreement"]]),
                    "signing_date": iso_date,
                    "signing_date_text": text_date,
                    "focus_area": clean_text(raw[j["Focus_area"]]),
                    "source_url": clean_text(raw[j["Source"]]),
                }
            )
        ledger.load(i)
    return ledger.finish(
        SOURCES["T5"],
        len(rows),
        pd.DataFrame(
            recs,
            columns=[
                "row",
                "country_raw",
                "iso3",
                "agreement",
                "signing_date",
                "signing_date_text",
                "focus_area",
                "source_url",
            ],
        ),
    )


def _partners(crosswalk: Crosswalk, name: str, where: str) -> list[str]:
    """ISO3 of one country, or of each of 'A and B' when the whole name is not a country."""
    try:
        return [crosswalk.iso3(name, where)]
    except UnknownCountryError:
        parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", name) if p.strip()]
        if len(parts) < 2:
            raise
        return [crosswalk.iso3(p, where) for p in parts]


def _dates_agree(text: str, iso: str) -> bool:
    """Whether a text date like '20-Oct-25' or '25-Feb' can mean the ISO date."""
    from datetime import datetime

    for fmt in _TEXT_DATE_FORMATS:
        try:
            d = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%d-%b-%y" and d.strftime("%Y-%m-%d") == iso:
            return True
        if fmt == "%y-%b" and d.strftime("%Y-%m") == iso[:7]:
            return True
        if fmt == "%d-%b" and len(iso) == 10 and d.strftime("%m-%d") == iso[5:]:
            return True
    return False


# ---------------------------------------------------------------------------------------
# T6: the 2025 list of critical minerals

_T6_FILE = "MCS2026_T6_Critical_Minerals_End_Use.csv"


def load_critical_list_2025(sources_dir: Path) -> LoadResult:
    """Table 6: the 2025 U.S. list of 60 critical minerals and their applications.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.

    Returns
    -------
    LoadResult
        Table columns: ``row, commodity, label, applications, group, schema_group,
        critical_2025, category_note``. ``group`` is the grouped chapter that covers the
        mineral when the table says so (``rare_earths``, ``platinum_group_metals``);
        ``critical_2025`` is True for every listed mineral.

    Notes
    -----
    Names are matched after dropping trailing spaces and footnote digits. "Metallurgical
    coal" maps to ``coal``. A name the schema lacks is rejected (the list is the
    reference: every member must be known).
    """
    rel, header, rows = _read(sources_dir, _T6_FILE)
    j = _cols(header, ("Critical_Mineral", "Primary_Applications", "Category_Note"), rel)
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        label = _strip_footnote(clean_text(raw[j["Critical_Mineral"]]))
        cid = commodity_of(label)
        if cid is None:
            ledger.reject(i, "Critical_Mineral", label, _not_in_schema(label))
            continue
        note = clean_text(raw[j["Category_Note"]])
        group = ""
        if "rare earth" in note.lower():
            group = "rare_earths"
        elif "platinum" in note.lower():
            group = "platinum_group_metals"
        recs.append(
            {
                "row": i,
                "commodity": cid,
                "label": label,
                "applications": clean_text(raw[j["Primary_Applications"]]),
                "group": group,
                "schema_group": commodity_by_id(cid).group,
                "critical_2025": True,
                "category_note": note,
            }
        )
        ledger.load(i)
    return ledger.finish(
        SOURCES["T6"],
        len(rows),
        pd.DataFrame(
            recs,
            columns=[
                "row",
                "commodity",
                "label",
                "applications",
                "group",
                "schema_group",
                "critical_2025",
                "category_note",
            ],
        ),
    )


# ---------------------------------------------------------------------------------------
# T7: critical-mineral salient statistics

_T7_FILE = "MCS2026_T7_Critical_Minerals_Salient.csv"
_T7_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
    # column -> (measure, unit or None = the row's Units, notes column)
    "Primary_prod": ("primary_production", None, "Prod_notes"),
    "Secondary_prod": ("secondary_production", None, "Prod_notes"),
    "Apparent_Consumption": ("apparent_consumption", None, "Consumption_Notes"),
    "Net_Import_Reliance": ("net_import_reliance", "pct", None),
    "Leading_country_prod": ("leading_country_production", None, None),
    "Leading_source_precent_world": ("leading_country_share_of_world", "pct", None),
    "World_total_prod": ("world_production", None, "World_prod_notes"),
}
_T7_IMPORT = "Primary_import_sources_2021-24"


def load_critical_salient_2025(sources_dir: Path, crosswalk: Crosswalk) -> LoadResult:
    """Table 7: salient statistics of critical minerals for 2025, long format.

    Parameters
    ----------
    sources_dir
        The folder holding ``usgs_mcs2026/``.
    crosswalk
        Country names -> ISO3.

    Returns
    -------
    LoadResult
        Table columns (as :func:`minerals_graph.sources.mcs.load_critical_salient`):
        ``row, commodity, label, year, estimated, measure, unit, value, qualifier, iso3,
        note, column``. ``iso3`` is USA for U.S. measures, the leading producer for
        ``leading_country_*`` and WLD for ``world_production``; the primary import source
        is a measure ``primary_import_source`` with an empty value.

    Notes
    -----
    A value that cannot be read is a cell reject (the rest of the row loads); an ``NA``
    leading country drops that country's two measures as cell rejects.
    """
    rel, header, rows = _read(sources_dir, _T7_FILE)
    notes_cols = ("Prod_notes", "Consumption_Notes", "Import_source_notes", "World_prod_notes")
    j = _cols(
        header,
        ("Year", "Units", "Critical_mineral", "Leading_source_country", _T7_IMPORT, *_T7_FIELDS, *notes_cols),
        rel,
    )
    ledger = RowLedger(rel)
    recs: list[dict[str, object]] = []
    copies = first_copies(rows)
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        if _blank(raw):
            ledger.exclude(i, "empty row")
            continue
        label = _strip_footnote(clean_text(raw[j["Critical_mineral"]]))
        cid = commodity_of(label)
        if cid is None:
            ledger.exclude(i, _not_in_schema(label))
            continue
        ytext = clean_text(raw[j["Year"]])
        ym = re.match(r"(\d{4})", ytext)
        if not ym:
            ledger.reject(i, "Year", ytext, "expected a year such as 2025_estimated")
            continue
        try:
            lead = _country_or_none(
                crosswalk, raw[j["Leading_source_country"]], f"{rel}, row {i}, field 'Leading_source_country'"
            )
            imp = _country_or_none(crosswalk, raw[j[_T7_IMPORT]], f"{rel}, row {i}, field {_T7_IMPORT!r}")
        except UnknownCountryError as exc:
            ledger.reject(i, f"Leading_source_country/{_T7_IMPORT}", "", str(exc))
            continue
        unit = _unit_code(raw[j["Units"]])
        base = {
            "row": i,
            "commodity": cid,
            "label": label,
            "year": int(ym.group(1)),
            "estimated": "estimated" in ytext.lower(),
        }
        for col, (measure, unit_override, notes_col) in _T7_FIELDS.items():
            try:
                q = parse_qvalue(raw[j[col]])
            except ValueError as exc:
                ledger.reject_cell(i, col, raw[j[col]], str(exc))
                continue
            if q.is_blank:
                continue
            if measure.startswith("leading"):
                iso3 = lead
            else:
                iso3 = "WLD" if measure == "world_production" else "USA"
            if iso3 is None:
                ledger.reject_cell(i, col, raw[j[col]], "no leading country (published as NA)")
                continue
            recs.append(
                {
                    **base,
                    "measure": measure,
                    "unit": unit_override or unit,
                    "value": q.value,
                    "qualifier": q.qualifier,
                    "iso3": iso3,
                    "note": clean_text(raw[j[notes_col]]) if notes_col else "",
                    "column": col,
                }
            )
        if imp is not None:
            recs.append(
                {
                    **base,
                    "measure": "primary_import_source",
                    "unit": "",
                    "value": None,
                    "qualifier": "",
                    "iso3": imp,
                    "note": clean_text(raw[j["Import_source_notes"]]),
                    "column": _T7_IMPORT,
                }
            )
        ledger.load(i)
    return ledger.finish(
        SOURCES["T7"],
        len(rows),
        pd.DataFrame(
            recs,
            columns=[
                "row",
                "commodity",
                "label",
                "year",
                "estimated",
                "measure",
                "unit",
                "value",
                "qualifier",
                "iso3",
                "note",
                "column",
            ],
        ),
    )


def _country_or_none(crosswalk: Crosswalk, raw: str, where: str) -> str | None:
    """ISO3 of a published country name; None where USGS wrote NA or nothing."""
    if clean_text(raw).upper() in ("", "NA"):
        return None
    return crosswalk.iso3(raw, where)
