"""Canonical tables: every source turned into the project's schema, one table per kind.

Two ways in, one way out:

* :func:`tables_from_sources` runs every loader of ``sources/`` on the raw public files
  (``../shared/data``);
* :func:`tables_from_data` reads the project's curated tables (``data/*.csv``), which
  :func:`write_curated` derives from the raw files (critical minerals and the focus
  countries' ports: compact, each row with its source).

Both then add the project's own register (``data/register``) and derive companies,
ownership and the inferred port links in :func:`assemble`, so the graph builder sees the
same :class:`Tables` either way. Every row of every table carries the source columns
``source, source_publisher, source_dataset, source_year, source_url``.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minerals_graph import ports as ports_mod
from minerals_graph import settings
from minerals_graph.compact import compact_tables
from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import DataSourceNotFoundError, SourceFormatError
from minerals_graph.runtime import gc_paused, memo_dict
from minerals_graph.schema import (
    COMMODITIES,
    KIND_STAGE,
    TABLES,
    USGS_LIST_RELATED,
    USMCA_MEMBERS,
    WORLD_EXPORTS,
    WORLD_IMPORTS,
    commodity_by_id,
    node_id,
)
from minerals_graph.sources import iea, mcs, mcs2026, mineplant, natural_earth, nmic, register, usmin_lithium, wpi
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, frame_records, read_csv_text

__all__ = [
    "Tables",
    "load_tables",
    "tables_from_sources",
    "tables_from_data",
    "add_trade_files",
    "assemble",
    "write_curated",
    "is_raw_sources_dir",
    "company_key",
    "SOURCE_COLUMNS",
    "CURATED_FILES",
]

log = logging.getLogger(__name__)

SOURCE_COLUMNS = ["source", "source_publisher", "source_dataset", "source_year", "source_url"]

#: Columns of each canonical table (source columns are added to every one), from the
#: schema (:data:`minerals_graph.schema.TABLES`).
COLUMNS: dict[str, list[str]] = {name: [a.name for a in cols] for name, cols in TABLES.items()}
#: Tables written to data/ by :func:`write_curated` (companies are derived at build time).
CURATED_FILES = (
    "countries",
    "commodities",
    "ports",
    "places",
    "ownership",
    "production",
    "trades",
    "import_reliance",
    "statistics",
    "supplies",
    "ships_via",
    "export_controls",
)

PROJECT_SOURCE = SourceInfo(
    key="minerals-graph",
    publisher="minerals-graph project",
    dataset="Schema and derived links (src/minerals_graph)",
    year=2026,
    url="https://github.com/minerals-graph/minerals-graph",
    licence="MIT",
)
INFERRED_PORT_SOURCE = SourceInfo(
    key="minerals-graph-inferred-port",
    publisher="minerals-graph project (derived from the NGA World Port Index)",
    dataset="Same-country World Port Index port by size-weighted great-circle distance (minerals_graph.ports)",
    year=2026,
    url="https://msi.nga.mil/Publications/WPI",
    licence="Derived",
)


@dataclass
class Tables:
    """All canonical tables and the row accounting of every file read."""

    countries: pd.DataFrame
    commodities: pd.DataFrame
    ports: pd.DataFrame
    places: pd.DataFrame
    ownership: pd.DataFrame
    production: pd.DataFrame
    trades: pd.DataFrame
    import_reliance: pd.DataFrame
    statistics: pd.DataFrame
    supplies: pd.DataFrame
    ships_via: pd.DataFrame
    export_controls: pd.DataFrame = field(default_factory=lambda: _empty("export_controls"))
    companies: pd.DataFrame = field(default_factory=lambda: _empty("companies"))
    results: list[LoadResult] = field(default_factory=list)
    origin: str = ""

    def table_names(self) -> list[str]:
        return [f.name for f in fields(self) if f.name not in ("results", "origin")]


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS[name] + SOURCE_COLUMNS)


def _with_source(df: pd.DataFrame, name: str, src: SourceInfo | None = None) -> pd.DataFrame:
    """Select a table's columns in order, adding the source columns from ``src``."""
    cols = COLUMNS[name] + SOURCE_COLUMNS
    attrs = src.attrs() if src is not None else {}
    n = len(df)
    if n >= 2 and not df.columns.has_duplicates:
        # One frame built from the columns (what the assignments below give, without
        # inserting a column at a time).
        data = {c: _repeat(attrs[c], n) if c in attrs else df[c].array if c in df.columns else [None] * n for c in cols}
        return pd.DataFrame(data, index=pd.RangeIndex(n))
    df = df.copy()
    for k, v in attrs.items():
        df[k] = v
    for col in cols:
        if col not in df.columns:
            df[col] = None
    return df[COLUMNS[name] + SOURCE_COLUMNS].reset_index(drop=True)


def _repeat(value: object, n: int) -> object:
    """What ``df[col] = value`` stores for a text ``value`` in a frame of ``n`` rows: the same
    values and dtype, converted once and repeated (pandas converts the text ``n`` times)."""
    if not isinstance(value, str) or n < 2:
        return value
    one = _ONE_TEXT.get(value)
    if one is None:
        frame = pd.DataFrame(index=range(1))
        frame["v"] = value
        one = _ONE_TEXT[value] = frame["v"].array
    return one.take(np.zeros(n, dtype=np.intp))


_ONE_TEXT: dict[str, Any] = memo_dict()  # source texts (a few dozen) -> their one-value column


def _joined(results: list[LoadResult]) -> list[tuple[pd.DataFrame, SourceInfo]]:
    """The non-empty tables of ``results`` in order, each run of consecutive results with the
    same source concatenated into one frame.

    A loader of many files of one source (MCS world and salient tables: ~80 files each)
    gives a table per file; the steps that turn them into a canonical table then run once,
    not once per file (their cost is mostly per frame). The rows and dtypes are those of
    the per-file frames concatenated.
    """
    runs: list[tuple[list[pd.DataFrame], SourceInfo]] = []
    for r in results:
        if not len(r.table):
            continue
        if runs and runs[-1][1] == r.source:
            runs[-1][0].append(r.table)
        else:
            runs.append(([r.table], r.source))
    return [(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], src) for frames, src in runs]


def _concat(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty(name)
    return pd.concat(frames, ignore_index=True)


def is_raw_sources_dir(path: Path) -> bool:
    """True when ``path`` holds the raw public files (``../shared/data`` layout)."""
    p = Path(path)
    return (p / "nga_world_port_index").is_dir() or (p / "usgs_mcs2024").is_dir()


#: Steps :func:`load_tables` reports to its ``progress`` callback, for raw files and for curated tables.
RAW_STEPS = ("countries", "USGS, NGA and facility files", "BACI trade extract", "register, matching and ports")
CURATED_STEPS = ("curated tables", "register, matching and ports")


def load_steps(sources: Path | None = None) -> tuple[str, ...]:
    """The steps :func:`load_tables` will report for ``sources`` (for a progress bar)."""
    src = Path(sources) if sources is not None else Path(settings.DATA_DIR)
    return RAW_STEPS if src.is_dir() and is_raw_sources_dir(src) else CURATED_STEPS


def _noop(_: str) -> None:
    return None


@gc_paused  # one pass of the collector over all the load made, after it (the entry points below pause too)
def load_tables(
    sources: Path | None = None,
    *,
    data_dir: Path | None = None,
    trade_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Tables:
    """The canonical tables from ``sources``: a raw-files folder or a curated data folder.

    ``sources=None`` means the project's bundled ``data/`` (embedded default). The
    register is always read from ``data_dir`` (default: the bundled ``data/``).
    ``trade_dir``: a folder of user-supplied CEPII BACI files (``BACI_*.csv`` and
    ``country_codes_*.csv``); their flows are added as ``TRADES`` rows with values,
    quantities and shares, and replace USGS's rank-only import sources in the flow model.
    ``progress`` is called with the name of each step of :func:`load_steps` once it is done.
    """
    data_dir = Path(data_dir or settings.DATA_DIR)
    src = Path(sources) if sources is not None else data_dir
    if not src.is_dir():
        raise DataSourceNotFoundError(f"sources directory not found: {src}")
    if is_raw_sources_dir(src):
        t = tables_from_sources(src, data_dir=data_dir, progress=progress)
    else:
        t = tables_from_data(src, register_dir=data_dir if sources is None else src, progress=progress)
    if trade_dir:
        t = add_trade_files(t, Path(trade_dir), data_dir)
    return compact_tables(t)  # large tables only: repeated text stored once


def add_trade_files(t: Tables, trade_dir: Path, data_dir: Path) -> Tables:
    """Add the flows of the BACI files in ``trade_dir`` to ``t.trades`` (a new Tables).

    ``share_pct`` is each exporter's share of the importer's imports of the commodity in
    that year, by value (values are additive across HS codes; tonnages of ores and metals
    are not).
    """
    from minerals_graph.sources import baci

    files, codes_file = baci.find_baci_files(trade_dir)
    if not files:
        raise DataSourceNotFoundError(f"{trade_dir}: no BACI_*.csv file")
    if codes_file is None:
        raise DataSourceNotFoundError(f"{trade_dir}: no country_codes*.csv file beside the BACI files")
    codes = baci.read_country_codes(codes_file)
    hs = baci.read_hs_map(data_dir)
    fold = _fold_codes(pd.read_csv(data_dir / "country_aliases.csv", dtype=str, keep_default_na=False))
    known = set(t.countries["iso3"])
    results, frames = [], []
    for f in files:
        r = baci.load_baci(f, codes, hs, known, fold=fold)
        results.append(r)
        if len(r.table):
            frames.append(r.table)
    if frames:
        flows = pd.concat(frames, ignore_index=True)
        total = flows.groupby(["importer", "commodity", "year"])["value_usd"].transform("sum")
        flows["share_pct"] = (100 * flows["value_usd"] / total).round(3)
        rows = flows.rename(columns={"value_usd": "value_usd", "quantity_t": "quantity", "description": "label"})
        rows["period"] = rows["year"].astype(str)
        rows["note"] = "HS " + rows["hs6"] + " (" + rows["stage"] + ")"
        new = _with_source(rows, "trades", baci.SOURCE)
        trades = _concat([t.trades, new], "trades")
    else:
        trades = t.trades
    return Tables(
        **{**{n: getattr(t, n) for n in t.table_names()}, "trades": trades},
        results=[*t.results, *results],
        origin=t.origin,
    )


# ---------------------------------------------------------------------------------------
# From the raw public files


def _fold_codes(aliases: pd.DataFrame) -> dict[str, str]:
    """ISO3 codes the alias table folds into another country (HKG -> CHN, MAC -> CHN)."""
    return {
        a: i
        for a, i in zip(aliases["alias"], aliases["iso3"], strict=True)
        if len(a) == 3 and a.isupper() and i and a != i
    }


def _country_lookups(countries: pd.DataFrame, data_dir: Path) -> tuple[Crosswalk, dict[str, str]]:
    """The crosswalk of ``countries`` and the folded ISO3 codes (:func:`_fold_codes`), from
    one reading of ``data_dir``'s alias table: the loaders, the BACI flows and the register
    all use them."""
    aliases = pd.read_csv(data_dir / "country_aliases.csv", dtype=str, keep_default_na=False)
    return Crosswalk.from_tables(countries, aliases), _fold_codes(aliases)


def _countries_from_ne(raw_dir: Path, data_dir: Path) -> tuple[pd.DataFrame, list[LoadResult]]:
    ne = natural_earth.load_countries(raw_dir)
    extras, extras_result = _read_country_extras(data_dir)
    t = ne.table.assign(aggregate=False)
    countries = _concat([_with_source(t, "countries", ne.source), extras], "countries")
    dup = countries["iso3"].duplicated()
    if dup.any():
        raise SourceFormatError(
            "data/country_extras.csv",
            None,
            "iso3",
            f"codes already in Natural Earth: {sorted(countries.loc[dup, 'iso3'])}",
        )
    return countries, [ne, extras_result]


def _read_country_extras(data_dir: Path) -> tuple[pd.DataFrame, LoadResult]:
    rel = "data/country_extras.csv"
    header, rows = read_csv_text(data_dir / "country_extras.csv")
    ledger = RowLedger(rel)
    recs = []
    for i, raw in enumerate(rows, start=1):
        r = dict(zip(header, raw, strict=True))
        if not re.fullmatch(r"[A-Z]{3}", r["iso3"]) or not r["name"] or not r["source_url"].startswith("http"):
            ledger.reject(i, "iso3/name/source_url", r["iso3"], "expected an ISO3 code, a name and a source URL")
            continue
        recs.append(
            {
                "iso3": r["iso3"],
                "name": r["name"],
                "alt_names": "",
                "aggregate": r["iso3"] in ("WLD", "ROW"),
                "source": "iso-3166-m49",
                "source_publisher": "United Nations Statistics Division",
                "source_dataset": "Standard country or area codes for statistical use (M49)"
                + (f"; {r['note']}" if r["note"] else ""),
                "source_year": 2026,
                "source_url": r["source_url"],
            }
        )
        ledger.load(i)
    src = SourceInfo(
        "iso-3166-m49",
        "United Nations Statistics Division",
        "M49 country codes",
        2026,
        "https://unstats.un.org/unsd/methodology/m49/",
    )
    df = _with_source(pd.DataFrame.from_records(recs), "countries")
    return df, ledger.finish(src, len(rows), df)


def _commodities(t4: list[LoadResult], t6: LoadResult | None = None) -> pd.DataFrame:
    """Every schema commodity with its flags on the 2022 list (MCS 2024/2025 Table 4) and
    the 2025 list (MCS 2026 Table 6); the source is the newest list that names it."""
    critical: dict[str, str] = {}
    src = None
    for r in t4:
        src = r.source
        for row in r.table.itertuples(index=False):
            critical.setdefault(row.commodity, row.applications)
    critical_2025: dict[str, str] = {}
    if t6 is not None and len(t6.table):
        critical_2025 = dict(zip(t6.table["commodity"], t6.table["applications"], strict=True))
    recs = []
    for c in COMMODITIES:
        is_crit = c.id in critical
        in_2025 = c.id in critical_2025
        source = (
            t6.source.attrs()
            if in_2025 and t6 is not None
            else src.attrs()
            if is_crit and src
            else PROJECT_SOURCE.attrs()
        )
        recs.append(
            {
                "id": c.id,
                "name": c.name,
                "usgs_code": c.usgs_code,
                "group": c.group,
                "critical_2022": is_crit,
                "critical_2025": in_2025,
                "applications": critical_2025.get(c.id) or critical.get(c.id, ""),
                **source,
            }
        )
    return _with_source(pd.DataFrame.from_records(recs), "commodities")


@gc_paused  # its steps make the rows, records and tables that stay: collected once, after
def tables_from_sources(
    raw_dir: Path, *, data_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> Tables:
    """Run every loader on the raw public files and assemble the canonical tables
    (``progress``: called after each of :data:`RAW_STEPS`)."""
    done = progress or _noop
    data_dir = Path(data_dir or settings.DATA_DIR)
    raw_dir = Path(raw_dir)
    results: list[LoadResult] = []
    countries, res = _countries_from_ne(raw_dir, data_dir)
    results += res
    done(RAW_STEPS[0])
    cw, fold = _country_lookups(countries, data_dir)
    t = _load_raw(raw_dir, cw, results)
    t["countries"] = countries
    done(RAW_STEPS[1])
    world: list[tuple] = []
    t["trades"] = _concat(
        [t["trades"], _baci_extract_trades(raw_dir, data_dir, set(countries["iso3"]), fold, results, world)], "trades"
    )
    t["statistics"] = _concat([t["statistics"], _world_trade_totals(world, data_dir)], "statistics")
    done(RAW_STEPS[2])
    tables = Tables(**t, results=results, origin=str(raw_dir))
    out = _assemble(tables, data_dir, cw, fold)
    done(RAW_STEPS[3])
    return out


def _load_raw(raw_dir: Path, cw: Crosswalk, results: list[LoadResult]) -> dict[str, pd.DataFrame]:
    # Ports
    ports_r = wpi.load_ports(raw_dir, cw)
    results.append(ports_r)
    ports = _with_source(ports_r.table, "ports", ports_r.source)

    # MCS: critical list, world production/reserves, salient, NIR + import sources, T5, Fig3
    t4 = [mcs.load_critical_list(raw_dir, y) for y in (2024, 2025)]
    results += t4
    has_2026 = (raw_dir / "usgs_mcs2026").is_dir()
    t6 = mcs2026.load_critical_list_2025(raw_dir) if has_2026 else None
    if t6 is not None:
        results.append(t6)
    commodities = _commodities(t4, t6)

    production_frames, stat_frames, nir_frames, trade_frames = [], [], [], []
    world = mcs.load_world(raw_dir, cw, 2024)
    results += world
    for table, source in _joined(world):
        p = table.assign(producer_id=[node_id("Country", c) for c in table["iso3"]], basis="", note=table["note"])
        production_frames.append(_with_source(p, "production", source))
    salient = mcs.load_salient(raw_dir, 2024)
    results += salient
    for table, source in _joined(salient):
        stat_frames.append(_with_source(table.assign(iso3="USA", label=""), "statistics", source))
    for y in (2024, 2025):
        r, trades = mcs.load_nir(raw_dir, cw, y)
        results.append(r)
        nir_frames.append(_with_source(r.table.assign(iso3="USA"), "import_reliance", r.source))
        trade_frames.append(_with_source(trades, "trades", r.source))
        t5 = mcs.load_critical_salient(raw_dir, cw, y)
        results.append(t5)
        stat_frames.append(_with_source(t5.table.assign(detail=""), "statistics", t5.source))
    results.append(mcs.load_import_source_counts(raw_dir, cw, 2024))
    export_controls = _empty("export_controls")
    if has_2026:
        export_controls = _mcs2026_tables(
            raw_dir, cw, results, production_frames, stat_frames, nir_frames, trade_frames
        )
    for load in (iea.load_supply_workbook, iea.load_supply_json):
        if (raw_dir / iea.FOLDER).is_dir():
            results.append(load(raw_dir, cw))  # read and accounted; the shares reach the graph through
            # data/processing_shares.csv, which tests regenerate from these files

    # Places: NMIC facility layer, USMIN lithium, USGS mine/plant 2003
    places_frames, own_frames = [], []
    nm = nmic.load_facility_layer(raw_dir, cw)
    results.append(nm)
    p, o, pr = _places_from_nmic(nm)
    places_frames.append(p)
    own_frames.append(o)
    production_frames.append(pr)
    li = [
        usmin_lithium.load_sites(raw_dir),
        usmin_lithium.load_points(raw_dir),
        usmin_lithium.load_history(raw_dir),
        usmin_lithium.load_references(raw_dir),
    ]
    results += li
    places_frames.append(_places_from_usmin(*li))
    mp = mineplant.load_mineplants(raw_dir)
    results.append(mp)
    p, o = _places_from_mineplant(mp)
    places_frames.append(p)
    own_frames.append(o)
    # Facility datasets: the focus countries' critical-mineral records (deduplicated against
    # the register, and against each other in this order of trust, at assembly)
    p, o = _places_from_datasets(raw_dir, cw, results)
    places_frames.append(p)
    own_frames.append(o)

    return {
        "commodities": commodities,
        "ports": ports,
        "places": _concat(places_frames, "places"),
        "ownership": _concat(own_frames, "ownership"),
        "production": _concat(production_frames, "production"),
        "trades": _concat(trade_frames, "trades"),
        "import_reliance": _concat(nir_frames, "import_reliance"),
        "statistics": _concat(stat_frames, "statistics"),
        "supplies": _empty("supplies"),
        "ships_via": _empty("ships_via"),
        "export_controls": export_controls,
    }


def _mcs2026_tables(
    raw_dir: Path,
    cw: Crosswalk,
    results: list[LoadResult],
    production: list[pd.DataFrame],
    stats: list[pd.DataFrame],
    nir: list[pd.DataFrame],
    trades: list[pd.DataFrame],
) -> pd.DataFrame:
    """MCS 2026 (data year 2025) into the canonical tables; returns the export controls.

    World production/capacity/reserves by country (2024 revised, 2025 estimated) join
    ``production``; U.S. salient statistics 2021–2025 and Table 7 join ``statistics``;
    Fig. 2 (NIR 2025, import sources ranked) joins ``import_reliance`` and ``trades``; the
    chapters' import-source percentages (2021–24, by form) join ``trades`` with
    ``share_pct``. Fig. 3 repeats those percentages and Table 5 lists agreements: both
    are read and accounted for, not added again.
    """
    data = mcs2026.load_commodities_data(raw_dir, cw)
    results.append(data.result)
    w = data.world
    if len(w):
        p = w.assign(producer_id=[node_id("Country", c) for c in w["iso3"]], basis="")
        production.append(_with_source(p, "production", mcs2026.SOURCES["world"]))
    if len(data.salient):
        s = data.salient.assign(label="")
        stats.append(_with_source(s, "statistics", mcs2026.SOURCES["salient"]))
    imp = data.import_sources
    if len(imp):
        t = imp.assign(label=imp["label"] + imp["form"].map(lambda f: f" ({f})" if f else ""), period="2021-2024")
        trades.append(_with_source(t, "trades", mcs2026.SOURCES["import_sources"]))
    r, ranked = mcs2026.load_fig2(raw_dir, cw)
    results.append(r)
    nir.append(_with_source(r.table.assign(iso3="USA"), "import_reliance", r.source))
    trades.append(_with_source(ranked.assign(period="2021-2024"), "trades", r.source))
    t7 = mcs2026.load_critical_salient_2025(raw_dir, cw)
    results.append(t7)
    stats.append(_with_source(t7.table.assign(detail=""), "statistics", t7.source))
    results.append(mcs2026.load_fig3(raw_dir, cw))
    results.append(mcs2026.load_trade_agreements(raw_dir, cw))
    t4 = mcs2026.load_export_controls(raw_dir, cw)
    results.append(t4)
    ec = t4.table[t4.table["commodity"] != ""]
    ec = ec.assign(
        official_url=ec["data_source"],
        note=[f"{n}; {m}".strip("; ") for n, m in zip(ec["notes"], ec["note"], strict=True)],
    )
    return _with_source(ec.drop_duplicates(["iso3", "commodity", "control_type", "year"]), "export_controls", t4.source)


def _world_trade_totals(world: list[tuple], data_dir: Path) -> pd.DataFrame:
    """Each country's exports to and imports from the whole world per HS6 code and year
    (``STATISTIC`` rows, measures ``trade_exports_world`` / ``trade_imports_world``, in USD
    and, where every flow has tonnes, in t), for the countries outside North America that
    export the code to the U.S., Canada or Mexico in a year of the extract (the possible
    pass-through countries of :mod:`minerals_graph.analysis.transshipment`).

    The output is built column-wise from the kept groups (a USD row per group, then its t
    row when the group's tonnes are complete), not a dict per row.
    """
    from minerals_graph.sources import baci

    if not world:
        return _empty("statistics")
    f = pd.DataFrame(world, columns=baci.WORLD_FLOW_COLUMNS)
    to_na = f[f["importer"].isin(USMCA_MEMBERS) & ~f["exporter"].isin(USMCA_MEMBERS)]
    keep = set(zip(to_na["exporter"].tolist(), to_na["hs6"].tolist(), strict=True))
    hs = {r["hs6"]: r for r in baci.read_hs_map(data_dir).to_dict("records")}
    parts = []
    for side, col, measure in (("exports", "exporter", WORLD_EXPORTS), ("imports", "importer", WORLD_IMPORTS)):
        gb = f.groupby([col, "hs6", "year"], sort=True)
        value, partners = gb["value_usd"].sum(), gb.size()  # both in the groups' order
        tonnes = _sum_if_complete(gb, f["quantity_t"])
        wanted = np.array([(iso3, hs6) in keep and hs6 in hs for iso3, hs6, _ in value.index], dtype=bool)
        totals = value.index[wanted], value.to_numpy()[wanted], partners.to_numpy()[wanted], tonnes[wanted]
        parts.append(_world_total_rows(*totals, hs, side, measure))
    cols = {c: [v for p in parts for v in p[c]] for c in parts[0]}
    if not cols["iso3"]:
        return _empty("statistics")
    return _with_source(pd.DataFrame(cols), "statistics", baci.EXTRACT_SOURCE)


def _world_total_rows(
    groups: pd.MultiIndex,
    value: np.ndarray,
    partners: np.ndarray,
    tonnes: np.ndarray,
    hs: dict[str, dict],
    side: str,
    measure: str,
) -> dict[str, list]:
    """The statistics columns of one side's totals: per group of ``groups`` (country, HS6,
    year), a USD row of its ``value``, then a t row of its ``tonnes`` where that is not NaN
    (values rounded as Python's ``round(v, 3)``); the rows :func:`_world_trade_totals` built
    a dict at a time."""
    iso3s, codes, years = (groups.get_level_values(i).tolist() for i in range(3))
    per = list(zip(value.tolist(), partners.tolist(), tonnes.tolist(), strict=True))
    # at[k]: the group of output row k; each group gives a USD row, then a t row right
    # after it when its tonnes are known.
    at = [i for i, (_, _, t) in enumerate(per) for _ in range(1 if pd.isna(t) else 2)]
    unit = ["t" if k and at[k - 1] == i else "USD" for k, i in enumerate(at)]
    maps = [hs[codes[i]] for i in at]
    return {
        "iso3": [iso3s[i] for i in at],
        "commodity": [m["commodity"] for m in maps],
        "label": [m["description"] for m in maps],
        "year": [int(years[i]) for i in at],
        "measure": [measure] * len(at),
        "detail": [f"HS {codes[i]} ({m['stage']})" for i, m in zip(at, maps, strict=True)],
        "qualifier": [""] * len(at),
        "column": [f"sum of {int(per[i][1])} BACI flows ({side}, all partners)" for i in at],
        "unit": unit,
        "value": [round(float(per[i][2] if u == "t" else per[i][0]), 3) for i, u in zip(at, unit, strict=True)],
    }


def _sum_if_complete(groups, values: pd.Series) -> np.ndarray:
    """Per group of ``groups`` (in its order), the sum of ``values`` when no value is
    missing, else NaN: ``values.groupby(...).agg(lambda q: q.sum(min_count=len(q)))``
    without a Python call per group. Each group is summed as that lambda sums it (numpy's
    reduction over the group's values in row order), so the results are the same bits."""
    n = groups.ngroups
    codes = groups.ngroup().fillna(-1).to_numpy(dtype=np.int64)  # -1: a row of no group (a missing key)
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    arr = values.to_numpy()[order]
    missing = pd.isna(arr)
    valid = codes >= 0
    sizes = np.bincount(codes[valid], minlength=n)
    n_missing = np.bincount(codes[valid & missing], minlength=n)
    ends = np.cumsum(sizes) + int((~valid).sum())
    starts = ends - sizes
    out = np.full(n, np.nan)
    complete = (n_missing == 0) & (sizes > 0)
    if arr.dtype == np.float64 or arr.dtype == object:
        # Most groups have one value. numpy's sum of one value is 0.0 + value for floats
        # (-0.0 gives 0.0) and the value itself for objects.
        one = complete & (sizes == 1)
        single = arr[starts[one]]
        out[one] = 0.0 + single if arr.dtype == np.float64 else single
        complete &= ~one
    for g in np.flatnonzero(complete).tolist():
        out[g] = arr[starts[g] : ends[g]].sum()
    return out


def _baci_extract_trades(
    raw_dir: Path,
    data_dir: Path,
    known: set[str],
    fold: dict[str, str],
    results: list[LoadResult],
    world: list[tuple] | None = None,
) -> pd.DataFrame:
    """Bilateral flows of the BACI extract as ``TRADES`` rows (value, tonnes; no shares:
    those are computed by the analyses, so that USGS's shares stay the cited ones)."""
    from minerals_graph.sources import baci

    if not (raw_dir / baci.EXTRACT_DIR).is_dir():
        return _empty("trades")
    res = baci.load_extract(raw_dir, baci.read_hs_map(data_dir), known, fold=fold, world=world)
    results += res
    flows = _concat([r.table for r in res if len(r.table)], "trades")
    if not len(flows):
        return _empty("trades")
    # Flows that fold into one pair (HKG and MAC into CHN) are summed: one row per exporter,
    # importer, HS6 code and year. A summed quantity is known only when every part has one.
    keys = ["year", "exporter", "importer", "hs6", "commodity", "stage", "description"]
    parts = flows.groupby(keys, sort=True, dropna=False)
    rows = parts.agg(value_usd=("value_usd", "sum"), n=("value_usd", "size"))
    rows.insert(1, "quantity", _sum_if_complete(parts, flows["quantity_t"]))
    rows = rows.reset_index()
    rows = rows.rename(columns={"description": "label"})
    rows["period"] = rows["year"].astype(str)
    rows["note"] = (
        "HS "
        + rows["hs6"]
        + " ("
        + rows["stage"]
        + ")"
        + rows["n"].map(lambda n: f"; sum of {n} BACI flows (Hong Kong/Macau folded into China)" if n > 1 else "")
    )
    return _with_source(rows.drop(columns=["n"]), "trades", baci.EXTRACT_SOURCE)


#: Facility datasets in order of trust: when two records are the same facility, the first kept.
DATASET_ORDER = ("nrcan", "icmm", "usgs-pp1802", "usgs-major-deposits", "usgs-ree")


def _places_from_datasets(raw_dir: Path, cw: Crosswalk, results: list[LoadResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Places from NRCan, ICMM and the USGS deposit sets, for the four focus countries."""
    from minerals_graph.sources import icmm, minmod, nrcan

    focus = {*settings.USMCA, settings.PRC}
    loaded: list[LoadResult] = []
    tables: list[pd.DataFrame] = []  # the rows of ``loaded``'s tables, in order
    if (raw_dir / nrcan.FILE).exists():
        loaded.append(nrcan.load_nrcan(raw_dir, cw, countries=focus))
        tables.append(loaded[-1].table)
    if (raw_dir / icmm.FILE).exists():
        loaded.append(icmm.load_icmm(raw_dir, cw, countries=focus))
        tables.append(loaded[-1].table)
    if (raw_dir / minmod.FOLDER).is_dir():
        minmod_results, minmod_table = minmod.load_minmod_table(raw_dir, cw, countries=focus)
        loaded += minmod_results
        tables.append(minmod_table)  # its ~190 files as one table, not concatenated again
    results += loaded
    # The records of all files read as one table (one conversion instead of one per file),
    # each row with the source of its file.
    with_rows = [t for t in tables if len(t)]
    rows = frame_records(pd.concat(with_rows, ignore_index=True)) if with_rows else []
    sources = [r.source for r in loaded for _ in range(len(r.table))]
    places, owners = [], []
    for row, source in zip(rows, sources, strict=True):
        pid = node_id(row["node_kind"], f"{row['dataset']}-{row['record_id']}")
        note = "; ".join(
            x
            for x in (
                f"{row['dataset']} record {row['record_id']}",
                row["note"],
                f"also named: {row['alt_names']}" if row["alt_names"] else "",
                f"confidence: {row['confidence']}" if row["confidence"] else "",
                f"published commodities: {row['raw_commodities']}",
            )
            if x
        )
        places.append(
            {
                "id": pid,
                "node_kind": row["node_kind"],
                "kind": row["kind"],
                "name": row["name"],
                "iso3": row["iso3"],
                "admin1": row["admin1"],
                "lon": row["lon"],
                "lat": row["lat"],
                "coord_precision": "site",
                "status": row["status"],
                "commodities": row["commodities"],
                "stages": row["stages"],
                "operator": row["operator"],
                "notes": note,
                **source.attrs(),
                "source_url": row["url"] or source.url,
            }
        )
        if row["operator"]:
            owners.append(
                {
                    "place_id": pid,
                    "company": row["operator"],
                    "control_iso3": "",
                    "share_pct": None,
                    "role": "operator",
                    **source.attrs(),
                    "source_url": row["url"] or source.url,
                }
            )
    return _with_source(pd.DataFrame(places), "places"), _with_source(pd.DataFrame(owners), "ownership")


def _dedupe_dataset_places(places: pd.DataFrame, ownership: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One node per real facility: a dataset record that is the same facility as a register
    row (or as a record of a more trusted dataset, :data:`DATASET_ORDER`) is not a node of
    its own; it is kept on the node it matches, in ``corroborated_by`` (dataset, record id,
    distance), as evidence. Matching rules: :func:`minerals_graph.matching.match_places`."""
    from minerals_graph.matching import match_place_records

    ds_key = places["source"]  # the datasets' source keys are their ids
    if not ds_key.isin(DATASET_ORDER).any():
        return places.assign(corroborated_by=""), ownership
    # Rows are handled by position in ``places`` (one selection of the frame at the end,
    # instead of a concatenation and selections per dataset).
    sources = ds_key.tolist()
    ids = places["id"].tolist()
    match_cols = ["id", "name", "iso3", "admin1", "lon", "lat", "commodities", "stages"]
    records = frame_records(places[match_cols])
    others = [i for i, s in enumerate(sources) if s not in DATASET_ORDER and s != "register"]
    accepted = [i for i, s in enumerate(sources) if s == "register"]
    corroborated = [""] * len(places)
    dropped: set[str] = set()
    for ds in DATASET_ORDER:
        cand = [i for i, s in enumerate(sources) if s == ds]
        if not cand or not accepted:
            accepted += cand
            continue
        rec = [{**records[i], "record_id": ids[i], "dataset": ds, "alt_names": ""} for i in cand]
        matches = match_place_records([records[i] for i in accepted], rec)
        note: dict[str, list[str]] = {}
        for m in sorted(matches, key=lambda m: m["register_id"]):  # stable, as match_places sorts
            dist = m["distance_km"]
            dist_text = "" if math.isnan(dist) else f", {dist:.1f} km"
            note.setdefault(m["register_id"], []).append(f"{m['record_id'].split(':', 1)[1]}{dist_text}")
            dropped.add(m["record_id"])
        for i in accepted:
            if ids[i] in note:
                corroborated[i] = "; ".join(x for x in (corroborated[i], *note[ids[i]]) if x)
        accepted += [i for i in cand if ids[i] not in dropped]
    order = others + accepted
    out = places.iloc[order].reset_index(drop=True)
    out["corroborated_by"] = [corroborated[i] for i in order]
    return out, ownership[~ownership["place_id"].isin(dropped)]


def _places_from_nmic(r: LoadResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    t = r.table
    if not len(t):
        return _empty("places"), _empty("ownership"), _empty("production")
    key = r.source.key.replace("usgs-", "")
    places, owners, prod = [], [], []
    col = {c: t[c].tolist() for c in t.columns}
    groups: dict[str, list[int]] = {}
    for i, uid in enumerate(col["uid"]):
        if isinstance(uid, str):  # groupby drops missing keys
            groups.setdefault(uid, []).append(i)
    for uid in sorted(groups):
        idx = groups[uid]
        first = {c: v[idx[0]] for c, v in col.items()}
        kinds = [col["node_kind"][i] for i in idx]
        node_kind = "Facility" if "Facility" in kinds else "Site"
        kind = col["kind"][idx[kinds.index(node_kind)]]
        pid = node_id(node_kind, f"{key}-{uid}")
        urls = sorted({u for i in idx for u in col["info_urls"][i]})
        places.append(
            {
                "id": pid,
                "node_kind": node_kind,
                "kind": kind,
                "name": first["name"],
                "iso3": first["iso3"],
                "admin1": first["admin1"],
                "lon": first["lon"],
                "lat": first["lat"],
                "coord_precision": "",
                "status": first["status"],
                "status_year": None,
                "commodities": ";".join(dict.fromkeys(col["commodity"][i] for i in idx)),
                "stages": ";".join(dict.fromkeys(col["stage"][i] for i in idx)),
                "operator": first["operator"],
                "capacity": None,
                "capacity_unit": "",
                "capacity_basis": "",
                "capacity_commodity": "",
                "capacity_year": None,
                "notes": f"USGS FeatureUID {uid}; LocOpStat {first['status_raw']!r}; LocConf {first['loc_conf']!r}"
                + (f"; {first['location']}" if first["location"] else ""),
                "other_source_urls": ";".join(urls),
            }
        )
        seen_owners: list[tuple[str, float | None]] = []
        for i in idx:
            for name, pct in col["owners"][i]:
                if (name, pct) in seen_owners:
                    continue
                seen_owners.append((name, pct))
                owners.append(
                    {
                        "place_id": pid,
                        "company": name,
                        "control_iso3": "",
                        "share_pct": pct,
                        "role": "owner",
                        "position": len(seen_owners),
                    }
                )
        if first["operator"]:
            owners.append(
                {
                    "place_id": pid,
                    "company": first["operator"],
                    "control_iso3": "",
                    "share_pct": None,
                    "role": "operator",
                }
            )
        for i in idx:
            prod.append(
                {
                    "producer_id": pid,
                    "commodity": col["commodity"][i],
                    "stage": col["stage"][i],
                    "measure": "capacity",
                    "quantity": col["capacity"][i],
                    "qualifier": "" if col["capacity"][i] is not None else "NA",
                    "unit": col["capacity_unit"][i],
                    "year": None,
                    "estimated": False,
                    "basis": col["content"][i],
                    "type_text": "",
                    "product": col["product"][i],
                    "note": "",
                }
            )
    return (
        _with_source(pd.DataFrame(places), "places", r.source),
        _with_source(pd.DataFrame(owners), "ownership", r.source),
        _with_source(pd.DataFrame(prod).drop_duplicates(), "production", r.source),
    )


_USMIN_COMMODITY = {
    "lithium": "lithium",
    "bromine": "bromine",
    "potash": "potash",
    "boron": "boron",
    "magnesium": "magnesium_compounds",
    "cesium": "cesium",
    "beryllium": "beryllium",
    "tin": "tin",
    "tantalum": "tantalum",
    "niobium": "niobium",
    "rubidium": "rubidium",
    "iodine": "iodine",
    "calcium": "",
    "sodium": "",
    "clay": "clays",
    "feldspar": "feldspar",
    "mica": "mica",
    "quartz": "",
    "uranium": "uranium",
    "tungsten": "tungsten",
    "rare earth elements": "rare_earths",
    "rare earths": "rare_earths",
    "thorium": "thorium",
    "silver": "silver",
    "gold": "gold",
    "lead": "lead",
    "zinc": "zinc",
    "copper": "copper",
    "manganese": "manganese",
    "gallium": "gallium",
    "strontium": "strontium",
    "molybdenum": "molybdenum",
    "gemstones": "gemstones",
    "borates": "boron",
}


def _usmin_commodities(names: list[str]) -> str:
    out = [_USMIN_COMMODITY.get(n.lower().strip(), "") for n in names]
    return ";".join(dict.fromkeys(c for c in out if c)) or "lithium"


def _places_from_usmin(sites: LoadResult, points: LoadResult, history: LoadResult, refs: LoadResult) -> pd.DataFrame:
    status_of: dict[str, str] = {}
    if len(history.table):
        h = history.table.sort_values(["year_from"], na_position="first", kind="stable")
        for row in h.itertuples(index=False):
            status_of[row.ftr_id or row.site_id] = row.status
            status_of.setdefault(row.site_id, row.status)
    ref_text = dict(zip(refs.table.get("ref_id", []), refs.table.get("reference", []), strict=False))
    recs = []
    for row in sites.table.itertuples(index=False):
        recs.append(
            {
                "id": node_id("Site", f"usmin-li-{row.site_id}"),
                "node_kind": "Site",
                "kind": "deposit",
                "name": row.name,
                "iso3": "USA",
                "admin1": "",
                "lon": row.lon,
                "lat": row.lat,
                "coord_precision": "region",
                "status": _usmin_status(status_of.get(row.site_id, "")),
                "status_year": 2019,
                "commodities": _usmin_commodities(row.commodities),
                "stages": "mining",
                "notes": f"USMIN site {row.site_id}; approximate site location (Approx_Lon/Lat)"
                + (f"; {row.other_name}" if row.other_name else ""),
            }
        )
    for row in points.table.itertuples(index=False):
        ref = ref_text.get(row.ref_id, "")
        recs.append(
            {
                "id": node_id("Site", f"usmin-li-{row.ftr_id}"),
                "node_kind": "Site",
                "kind": row.kind,
                "name": row.name,
                "iso3": "USA",
                "admin1": row.state,
                "lon": row.lon,
                "lat": row.lat,
                "coord_precision": "site",
                "status": _usmin_status(status_of.get(row.ftr_id, "")),
                "status_year": 2019,
                "commodities": _usmin_commodities(row.commodities),
                "stages": "mining",
                "notes": f"USMIN feature {row.ftr_id} ({row.ftr_type}) of site {row.site_id}; "
                f"county {row.county}" + (f"; reference: {ref[:200]}" if ref else ""),
            }
        )
    return _with_source(pd.DataFrame(recs), "places", sites.source)


def _usmin_status(text: str) -> str:
    t = text.lower()
    if "produc" in t or "active" in t or "operat" in t:
        return "operating"
    if "past" in t or "inactive" in t or "closed" in t or "abandon" in t:
        return "closed"
    if "develop" in t or "explor" in t or "prospect" in t:
        return "planned"
    return "unknown"


def _places_from_mineplant(r: LoadResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = r.table
    if not len(t):
        return _empty("places"), _empty("ownership")
    places, owners = [], []
    col = {c: t[c].tolist() for c in t.columns}
    keys = ["name", "company", "lat", "lon", "node_kind"]
    groups: dict[tuple, list[int]] = {}  # one place per key, in order of first appearance
    missing = t[keys].isna().any(axis=1).tolist()  # groupby drops rows with a missing key
    for i, key in enumerate(zip(*(col[k] for k in keys), strict=True)):
        if not missing[i]:
            groups.setdefault(key, []).append(i)
    for idx in groups.values():
        first = {c: v[idx[0]] for c, v in col.items()}
        pid = node_id(first["node_kind"], f"mineplant2003-{first['usgs_row_id']}")
        places.append(
            {
                "id": pid,
                "node_kind": first["node_kind"],
                "kind": first["kind"],
                "name": first["name"],
                "iso3": "USA",
                "admin1": first["admin1"],
                "lon": first["lon"],
                "lat": first["lat"],
                "coord_precision": "site",
                "status": "unknown",
                "status_year": 2003,
                "commodities": ";".join(dict.fromkeys(col["commodity"][i] for i in idx)),
                "stages": ";".join(dict.fromkeys(col["stage"][i] for i in idx)),
                "operator": first["company"],
                "notes": f"Active in 2003 (USGS); PLANT_MIN {first['plant_min']}; county {first['county']}; "
                f"rows {','.join(col['usgs_row_id'][i] for i in idx)}",
            }
        )
        if first["company"]:
            owners.append(
                {
                    "place_id": pid,
                    "company": first["company"],
                    "control_iso3": "",
                    "share_pct": None,
                    "role": "operator",
                }
            )
    return (
        _with_source(pd.DataFrame(places), "places", r.source),
        _with_source(pd.DataFrame(owners), "ownership", r.source),
    )


# ---------------------------------------------------------------------------------------
# From the curated data/ folder

_PY_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool}
#: Typed (non-text) columns of each curated table, from the schema.
_CURATED_TYPES: dict[str, dict[str, type]] = {
    name: {a.name: _PY_TYPES[a.type] for a in TABLES[name] if a.type != "str"} for name in CURATED_FILES
}
_REQUIRED_CURATED = {
    "countries": ["iso3", "name"],
    "commodities": ["id", "name"],
    "ports": ["wpi_number", "name", "iso3"],
    "places": ["id", "node_kind", "kind", "name", "iso3"],
    "ownership": ["place_id", "company", "role"],
    "production": ["producer_id", "commodity", "stage", "measure"],
    "trades": ["exporter", "importer", "commodity"],
    "import_reliance": ["iso3", "commodity", "year"],
    "statistics": ["iso3", "commodity", "year", "measure"],
    "supplies": ["from_id", "to_id"],
    "ships_via": ["place_id", "wpi_number"],
    "export_controls": ["iso3", "commodity", "year"],
}


def _read_curated(data_dir: Path, name: str) -> tuple[pd.DataFrame, LoadResult]:
    """Read ``data/<name>.csv`` with types; reject rows missing a required field or source."""
    rel = f"data/{name}.csv"
    path = data_dir / f"{name}.csv"
    if not path.exists():
        raise DataSourceNotFoundError(f"{path}: curated table not found (run `minerals-graph curate`)")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS[name] + SOURCE_COLUMNS if c not in df.columns]
    if missing:
        raise SourceFormatError(rel, 0, ", ".join(missing), f"expected the columns of the {name} table")
    ledger = RowLedger(rel)
    keep = []
    types = _CURATED_TYPES[name]
    for i, row in enumerate(frame_records(df), start=1):
        bad = [c for c in _REQUIRED_CURATED[name] + ["source", "source_url"] if not row[c]]
        if bad:
            ledger.reject(i, bad[0], "", "required field is empty")
            continue
        ok = True
        for col, typ in types.items():
            v = row[col]
            if v == "":
                continue
            try:
                if typ is bool:
                    if v not in ("True", "False"):
                        raise ValueError
                else:
                    typ(float(v)) if typ is int else typ(v)
            except ValueError:
                ledger.reject(i, col, v, f"expected {typ.__name__}")
                ok = False
                break
        if ok:
            keep.append(i - 1)
            ledger.load(i)
    out = df.iloc[keep].copy()
    for col, typ in types.items():
        if typ is bool:
            out[col] = out[col].map({"True": True, "False": False, "": None})
        elif typ is int:
            out[col] = [int(float(v)) if v != "" else None for v in out[col]]
        else:
            out[col] = [float(v) if v != "" else None for v in out[col]]
    out["source_year"] = [int(float(v)) if v else None for v in out["source_year"]]
    src = SourceInfo(f"data-{name}", "minerals-graph project", f"curated table data/{name}.csv", 2026, rel)
    return out.reset_index(drop=True), ledger.finish(src, len(df), out)


@gc_paused
def tables_from_data(
    data_dir: Path, *, register_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> Tables:
    """Read the curated tables of ``data_dir`` and assemble them with the register
    (``progress``: called after each of :data:`CURATED_STEPS`)."""
    done = progress or _noop
    data_dir = Path(data_dir)
    results = []
    t: dict[str, pd.DataFrame] = {}
    for name in CURATED_FILES:
        df, res = _read_curated(data_dir, name)
        t[name] = df
        results.append(res)
    done(CURATED_STEPS[0])
    tables = Tables(**t, results=results, origin=str(data_dir))
    out = assemble(tables, Path(register_dir or data_dir))
    done(CURATED_STEPS[1])
    return out


# ---------------------------------------------------------------------------------------
# Assembly: register, companies, inferred ports


_SUFFIXES = {
    "ltd",
    "limited",
    "co",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "plc",
    "llc",
    "sa",
    "ag",
    "ab",
    "asa",
    "nv",
    "bv",
    "pty",
    "tbk",
    "pt",
    "jsc",
    "oyj",
    "spa",
    "sdn",
    "bhd",
    "the",
    "company",
    "s",
    "a",
    "de",
    "cv",
    "l",
    "c",
    "lp",
    "gmbh",
    "kg",
}


def company_key(name: str) -> str:
    """A stable key for a company name: lower-case words without legal-form suffixes.

    >>> company_key("Lynas Rare Earths Ltd.")
    'lynas-rare-earths'
    """
    words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
    core = [w for w in words if w not in _SUFFIXES]
    return "-".join(core or words) or "unnamed"


def _register_tables(
    data_dir: Path, countries: pd.DataFrame, ports: pd.DataFrame, cw: Crosswalk, fold: dict[str, str]
) -> tuple[list[LoadResult], pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The register's tables; ``cw`` and ``fold``: :func:`_country_lookups` of ``countries``."""
    known = set(countries["iso3"])
    fac = register.load_facilities(data_dir, known, fold)
    t = _concat([r.table for r in fac], "places")
    places, owners, prod = [], [], []
    facilities = frame_records(t) if len(t) else []
    for r in facilities:
        pid = node_id(r["node_kind"], r["id"])
        src = _row_source(r)
        places.append({**r, "id": pid, "iso3": r["country_iso3"], **src})
        for pos, (name, iso3, pct) in enumerate(r["owner_list"], start=1):
            owners.append(
                {
                    "place_id": pid,
                    "company": name,
                    "control_iso3": iso3,
                    "share_pct": pct,
                    "role": "owner",
                    "position": pos,
                    **src,
                }
            )
        if r["operator"]:
            owners.append(
                {
                    "place_id": pid,
                    "company": r["operator"],
                    "control_iso3": "",
                    "share_pct": None,
                    "role": "operator",
                    **src,
                }
            )
        stage = r["stage_list"][0] if r["stage_list"] else KIND_STAGE[r["kind"]]
        for c in r["commodity_list"]:
            is_cap = c == r["capacity_commodity"] and r["capacity"] is not None
            prod.append(
                {
                    "producer_id": pid,
                    "commodity": c,
                    "stage": stage,
                    "measure": "capacity",
                    "quantity": r["capacity"] if is_cap else None,
                    "qualifier": "" if is_cap else "NA",
                    "unit": r["capacity_unit"] if is_cap else "",
                    "year": r["capacity_year"] if is_cap else None,
                    "estimated": False,
                    "basis": r["capacity_basis"] if is_cap else "",
                    "type_text": "",
                    "product": "",
                    "note": "",
                    **src,
                }
            )
    ids = {r["id"] for r in facilities}
    numbers = {int(x) for x in ports["wpi_number"].tolist()} if len(ports) else None
    links = register.load_links(data_dir, ids, numbers)
    lt = _concat([r.table for r in links], "supplies")
    supplies, ships = [], []
    kind_of = {r["id"]: r["node_kind"] for r in facilities}
    for r in frame_records(lt) if len(lt) else []:
        src = _row_source(r)
        frm = node_id(kind_of[r["from_id"]], r["from_id"])
        if r["relation"] == "SUPPLIES":
            supplies.append(
                {
                    "from_id": frm,
                    "to_id": node_id(kind_of[r["to_id"]], r["to_id"]),
                    "commodity": r["commodity"],
                    "note": r["notes"],
                    **src,
                }
            )
        else:
            ships.append(
                {
                    "place_id": frm,
                    "wpi_number": int(r["wpi_number"]),
                    "commodity": r["commodity"],
                    "inferred": False,
                    "distance_km": None,
                    "note": r["notes"],
                    **src,
                }
            )
    shares_prod, share_trades, extra = [], [], []
    ps = register.load_processing_shares(data_dir, known)
    if ps is not None:
        extra.append(ps)
        for r in frame_records(ps.table) if len(ps.table) else []:
            src = _row_source(r)
            shares_prod.append(
                {
                    "producer_id": node_id("Country", r["country_iso3"]),
                    "commodity": r["commodity"],
                    "stage": r["stage"],
                    "measure": "world_share_pct",
                    "quantity": r["share_pct"],
                    "qualifier": "",
                    "unit": "%",
                    "year": int(r["year"]),
                    "estimated": False,
                    "basis": r["basis"],
                    "type_text": "",
                    "product": "",
                    "note": r["notes"],
                    **src,
                }
            )
    us = register.load_import_shares(data_dir)
    if us is not None:
        extra.append(us)
        for r in frame_records(us.table) if len(us.table) else []:
            name = r["exporter_name"]
            iso3 = (
                "ROW" if name.lower() in ("other", "others") else cw.iso3(name, f"us_import_shares.csv row {r['row']}")
            )
            share_trades.append(
                {
                    "exporter": iso3,
                    "importer": "USA",
                    "commodity": r["commodity"],
                    "label": r["form"],
                    "rank": None,
                    "share_pct": r["share_pct"],
                    "period": r["period"],
                    "note": r["notes"],
                    **_row_source(r),
                }
            )
    return (
        [*fac, *links, *extra],
        _with_source(pd.DataFrame(places), "places"),
        _with_source(pd.DataFrame(owners), "ownership"),
        _with_source(pd.DataFrame(prod + shares_prod), "production"),
        _with_source(pd.DataFrame(supplies), "supplies"),
        _with_source(pd.DataFrame(ships), "ships_via"),
        _with_source(pd.DataFrame(share_trades), "trades"),
    )


def _row_source(r: dict) -> dict[str, object]:
    """Source columns of a row of a hand-curated, cited table. ``source_year`` is the page's
    publication year (its ``source_year`` column), never the date it was read; tables
    without that column (links, shares) give none."""
    year = str(r.get("source_year", "") or "")
    return {
        "source": "register",
        "source_publisher": r["source_publisher"],
        "source_dataset": r["source_title"],
        "source_year": int(year) if year.isdigit() else None,
        "source_url": r["source_url"],
    }


def _companies(ownership: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One company per name key; control country = the one the sources give most often
    (ties: the first given); name = the spelling given most often (ties: the first)."""
    if not len(ownership):
        return _empty("companies"), ownership
    own = ownership.copy()
    keys: dict[object, str] = {}
    cids = []
    for n in own["company"].tolist():
        if n not in keys:
            keys[n] = node_id("Company", company_key(n))
        cids.append(keys[n])
    own["company_id"] = cids
    names, ctrls = own["company"].tolist(), own["control_iso3"].tolist()
    src = {k: own[k].tolist() for k in SOURCE_COLUMNS}
    rows: dict[str, list[int]] = {}
    for i, cid in enumerate(cids):
        rows.setdefault(cid, []).append(i)
    recs = []
    for cid in sorted(rows):
        idx = rows[cid]
        if len(idx) == 1:  # most companies are named once: nothing to vote on
            first = idx[0]
            control = ctrls[first] if isinstance(ctrls[first], str) else ""
            name, conflict = names[first], ""
        else:
            votes = Counter(ctrls[i] for i in idx if isinstance(ctrls[i], str) and ctrls[i])
            control = votes.most_common(1)[0][0] if votes else ""
            conflict = ";".join(sorted(votes)) if len(votes) > 1 else ""
            # The company's source is the row that gave its control country, if any.
            first = next(i for i in idx if ctrls[i] == control) if control else idx[0]
            name = Counter(names[i] for i in idx).most_common(1)[0][0]
        recs.append(
            {
                "id": cid,
                "name": name,
                "control_iso3": control,
                "control_conflict": conflict,
                **{k: src[k][first] for k in SOURCE_COLUMNS},
            }
        )
    return _with_source(pd.DataFrame(recs), "companies"), own


def infer_ports(
    places: pd.DataFrame, ports: pd.DataFrame, cited: pd.DataFrame, *, max_km: float | None = None
) -> pd.DataFrame:
    """Inferred ``SHIPS_VIA`` rows (see :mod:`minerals_graph.ports`), with their source columns."""
    out = ports_mod.infer_ports(places, ports, cited, max_km=max_km)
    if not len(out):
        return _empty("ships_via")
    return _with_source(out, "ships_via", INFERRED_PORT_SOURCE)


def _with_announcements(controls: pd.DataFrame, data_dir: Path) -> tuple[pd.DataFrame, LoadResult | None]:
    """Export controls with the attributes of their announcements
    (:func:`minerals_graph.sources.announcements.summarise`), where the file has them."""
    from minerals_graph.schema import ANNOUNCEMENT_ATTRS
    from minerals_graph.sources import announcements

    pairs = set(zip(controls["iso3"], controls["commodity"], strict=True)) if len(controls) else set()
    res = announcements.load_announcements(data_dir, pairs)
    out = controls.copy()
    for col in ANNOUNCEMENT_ATTRS:
        out[col] = None
    if res is None or not len(res.table):
        return out, res
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}  # a control's rows, in file order
    for rec in frame_records(res.table):
        rows.setdefault((rec["iso3"], rec["commodity"]), []).append(rec)
    summaries = {key: announcements.summarise(recs) for key, recs in rows.items()}
    keys = list(zip(out["iso3"], out["commodity"], strict=True))
    for col in ANNOUNCEMENT_ATTRS:  # a column at a time, not a .loc per control and attribute
        values = [(summaries[k][col] or None) if k in summaries else None for k in keys]
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out, res


def _flag_gateways(ports: pd.DataFrame, data_dir: Path) -> tuple[pd.DataFrame, LoadResult | None]:
    """Ports with ``gateway`` (bool), ``gateway_role``, ``gateway_coast`` and
    ``gateway_source_url`` from the cited ``data/gateway_ports.csv``."""
    nums = (
        {int(n): str(i) for n, i in zip(ports["wpi_number"].tolist(), ports["iso3"].tolist(), strict=True)}
        if len(ports)
        else {}
    )
    res = register.load_gateway_ports(data_dir, nums)
    out = ports.copy()
    out["gateway"] = False
    for col in ("gateway_role", "gateway_coast", "gateway_source_url"):
        out[col] = ""
    if res is None or not len(res.table):
        return out, res
    g = res.table.set_index("wpi_number")
    hit = out["wpi_number"].astype(int).isin(g.index)
    nums_hit = out.loc[hit, "wpi_number"].astype(int)
    out.loc[hit, "gateway"] = True
    out.loc[hit, "gateway_role"] = nums_hit.map(g["role"]).to_numpy()
    out.loc[hit, "gateway_coast"] = nums_hit.map(g["coast"]).to_numpy()
    out.loc[hit, "gateway_source_url"] = nums_hit.map(g["source_url"]).to_numpy()
    return out, res


def assemble(tables: Tables, data_dir: Path) -> Tables:
    """Add the register, derive companies and inferred port links. Returns a new Tables."""
    return _assemble(tables, Path(data_dir), *_country_lookups(tables.countries, Path(data_dir)))


@gc_paused
def _assemble(tables: Tables, data_dir: Path, cw: Crosswalk, fold: dict[str, str]) -> Tables:
    """:func:`assemble` given :func:`_country_lookups` of ``tables.countries`` and ``data_dir``
    (the raw load has them already)."""
    res, rplaces, rown, rprod, rsup, rship, rtrades = _register_tables(
        data_dir, tables.countries, tables.ports, cw, fold
    )
    places, ownership = _dedupe_dataset_places(
        _concat([tables.places, rplaces], "places"), _concat([tables.ownership, rown], "ownership")
    )
    companies, _ = _companies(ownership)
    cited = _concat(
        [
            tables.ships_via[~tables.ships_via["inferred"].astype(bool)] if len(tables.ships_via) else tables.ships_via,
            rship,
        ],
        "ships_via",
    )
    inferred = infer_ports(places, tables.ports, cited)
    ports, gw = _flag_gateways(tables.ports, Path(data_dir))
    if gw is not None:
        res = [*res, gw]
    export_controls, ann = _with_announcements(tables.export_controls, Path(data_dir))
    if ann is not None:
        res = [*res, ann]
    return Tables(
        countries=tables.countries,
        commodities=tables.commodities,
        ports=ports,
        places=places,
        ownership=ownership,
        production=_concat([tables.production, rprod], "production"),
        trades=_concat([tables.trades, rtrades], "trades"),
        import_reliance=tables.import_reliance,
        statistics=tables.statistics,
        supplies=_concat([tables.supplies, rsup], "supplies"),
        ships_via=_concat([cited, inferred], "ships_via"),
        export_controls=export_controls,
        companies=companies,
        results=[*tables.results, *res],
        origin=tables.origin,
    )


# ---------------------------------------------------------------------------------------
# Writing the curated data/ tables


def _critical_ids(commodities: pd.DataFrame) -> set[str]:
    crit = set(commodities.loc[commodities["critical_2022"].astype(bool), "id"])
    groups = {commodity_by_id(c).group for c in crit} - {""}
    related = {r for c in crit for r in USGS_LIST_RELATED.get(c, ())}
    return crit | groups | related | {c.id for c in COMMODITIES if c.group in crit}


def write_curated(
    tables: Tables, out_dir: Path, *, focus: tuple[str, ...] = ("USA", "CAN", "MEX", "CHN")
) -> dict[str, int]:
    """Write the compact curated tables the embedded default builds from.

    Keeps: all countries and commodities; ports of the focus countries and every port a
    place ships through; USGS places handling a critical mineral (register rows stay in
    ``data/register``); production, reserves and statistics of critical minerals; all
    import-reliance and trade rows. Returns rows written per table.
    """
    from minerals_graph.schema import ANNOUNCEMENT_ATTRS

    out_dir = Path(out_dir)
    crit = _critical_ids(tables.commodities)
    usgs_places = tables.places[tables.places["source"] != "register"]
    keep_place = usgs_places["commodities"].fillna("").map(lambda s: any(c in crit for c in s.split(";")))
    places = usgs_places[keep_place]
    pids = set(places["id"])
    ownership = tables.ownership[tables.ownership["place_id"].isin(pids)]
    production = tables.production[
        (tables.production["source"] != "register")
        & (tables.production["measure"] != "world_share_pct")
        & tables.production["commodity"].isin(crit)
        & (tables.production["producer_id"].str.startswith("country:") | tables.production["producer_id"].isin(pids))
    ]
    statistics = tables.statistics[tables.statistics["commodity"].isin(crit)]
    port_numbers = set(tables.ships_via["wpi_number"].dropna().astype(int))
    ports = tables.ports[tables.ports["iso3"].isin(focus) | tables.ports["wpi_number"].isin(port_numbers)]
    out = {
        "countries": tables.countries,
        "commodities": tables.commodities,
        "ports": ports,
        "places": places,
        "ownership": ownership.drop(columns=["company_id"], errors="ignore"),
        "production": production,
        "trades": tables.trades[tables.trades["source"] != "register"],
        "import_reliance": tables.import_reliance,
        "statistics": statistics,
        "supplies": _empty("supplies"),
        "ships_via": _empty("ships_via"),
        "export_controls": tables.export_controls.assign(**{c: None for c in ANNOUNCEMENT_ATTRS}),
    }
    counts = {}
    for name, df in out.items():
        df = _with_source(df, name)
        df.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
        counts[name] = len(df)
    return counts
