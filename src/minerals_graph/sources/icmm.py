"""ICMM Global Mining Dataset, September 2025 (V1): mines, smelters, refineries and plants.

One row of the ``External`` sheet is one asset (``ICMMID`` unique); the ``About`` and
``Supplemental Sheet`` sheets are documentation and are not read. The dataset has no
status, owner or capacity columns, and it includes historical mines, so ``status`` is
``unknown``. ``Group Names`` (the names of the source sites merged into the record) become
``alt_names``.

Fates: a row is rejected for an empty or repeated ``ICMMID``, an unknown ``Country``, an
unknown ``Asset Type`` or unreadable coordinates; excluded when its country is outside
``countries``, when it is a steel plant only, or when none of its commodities is in the
commodity scope (:data:`minerals_graph.matching.DEFAULT_SCOPE`: coal, iron ore, gold … only).

Kinds (deliberate choices for combined asset types): any ``Mine`` makes the record a
``Site`` of kind ``mine`` (the extraction site; co-located plants stay in ``stages``);
otherwise a ``Facility`` of the most downstream kind: ``Refinery`` -> ``refinery``, else
``Smelter`` -> ``smelter``, else ``Plant`` -> ``concentrator`` (ICMM defines a plant as
"directly processing mined raw materials (e.g., by crushing, grinding, washing, leaching,
flotation)"), except ferroalloy plants (``metal_alloy_plant``) and alumina plants
(``refinery``). ``Steel Plant`` in a combination (``Smelter;Steel Plant``) is dropped with a
note; a steel plant alone is excluded. Stages: the kind's stage first, then the others in
:data:`~minerals_graph.schema.STAGES` order.

Cleaning: the header ``Mine Name `` has a trailing space; one latitude (``ICMM07721``) is text
with a Unicode minus sign; commodity values carry stray spaces (``gold ``, `` silver``) and
typos (:data:`COMMODITY_MAP`); ``Refinery; Steel Plant`` has a space after ``;``; some names
are UTF-8 read as cp1252 (``EisenhÃ¼ttenstadt``) and are repaired
(:func:`~minerals_graph.matching.repair_text`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection
from pathlib import Path

import openpyxl
import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.matching import RECORD_COLUMNS, repair_text, resolve_scope
from minerals_graph.schema import KIND_STAGE, STAGES, commodity_id
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, clean_text, parse_number

__all__ = [
    "SOURCE",
    "FILE",
    "SHEET",
    "DATASET",
    "URL",
    "COMMODITY_MAP",
    "load_icmm",
    "map_commodity",
    "kind_and_stages",
    "parse_coordinate",
]

DATASET = "icmm"
URL = "https://www.icmm.com/en-gb/research/data/2025/global-mining-dataset"
SOURCE = SourceInfo(
    key=DATASET,
    publisher="International Council on Mining and Metals (ICMM)",
    dataset="ICMM Global Mining Dataset, September 2025 (V1) release",
    year=2025,
    url=URL,
    licence='CC BY 4.0; attribution: "ICMM Global Mining Dataset, September 2025 (V1) release."',
)
FILE = "icmm_global_mining/global-mining-dataset.xlsx"
SHEET = "External"

COLUMNS = (
    "ICMMID",
    "Confidence Factor",
    "Mine Name",
    "Group Names",
    "Latitude",
    "Longitude",
    "Asset Type",
    "Country",
    "Primary Commodity",
    "Secondary Commodity",
    "Other Commodities",
)

#: Every commodity name ICMM uses (lower case, stripped) -> schema commodity ids; an empty
#: tuple means "known, no schema commodity". Names not listed fall back to
#: :func:`~minerals_graph.schema.commodity_id` (``copper``, ``lithium`` …). Typos as published.
COMMODITY_MAP: dict[str, tuple[str, ...]] = {
    # typos in the file
    "aresnic": ("arsenic",),
    "bopper": ("copper",),
    "cadimium": ("cadmium",),
    "cadmiuum": ("cadmium",),
    "chormite": ("chromium",),
    "zicron": ("zirconium",),
    "fertilizedr": (),
    # names and products
    "alumina": ("bauxite",),
    "aluminium": ("aluminum",),
    "barium": ("barite",),
    "borates": ("boron",),
    "caesium": ("cesium",),
    "chromite": ("chromium",),
    "clay": ("clays",),
    "kaolin": ("clays",),
    "coal": ("coal",),
    "thermal coal": ("coal",),
    "metallurgical coal": ("coal",),
    "diamond": ("industrial_diamond",),
    "opal": ("gemstones",),
    "corundum": (),
    "ferrochrome": ("chromium",),
    "ferromanganese": ("manganese",),
    "ferromolybdenum": ("molybdenum",),
    "ferronickel": ("nickel",),
    "ferroniobium": ("niobium",),
    "ferrosilicon": ("silicon",),
    "ferrosilicon manganese": ("manganese",),
    "silicomanganese": ("manganese",),
    "ferrite strontium powder": ("strontium",),
    "heavy mineral sands": ("titanium_mineral_concentrates", "zirconium"),
    "ilmenite": ("titanium_mineral_concentrates",),
    "rutile": ("titanium_mineral_concentrates",),
    "leucoxene": ("titanium_mineral_concentrates",),
    "iron": ("iron_ore",),
    "iron ore": ("iron_ore",),
    "steel": ("iron_steel",),
    "lanthanides": ("rare_earths",),
    "monazite": ("rare_earths",),
    "petalite": ("lithium",),
    "spodumene": ("lithium",),
    "pgm": ("platinum_group_metals",),
    "platinum group elements": ("platinum_group_metals",),
    "platinum group metals": ("platinum_group_metals",),
    "osmium": ("platinum_group_metals",),
    "phosphate": ("phosphate_rock",),
    "phosphates": ("phosphate_rock",),
    "phosphoric acid": ("phosphate_rock",),
    "potassium oxide": ("potash",),
    "potassium sulfate": ("potash",),
    "pyrite": ("sulfur",),
    "sulfuric acid": ("sulfur",),
    "sulphuric acid": ("sulfur",),
    "silica": ("sand_gravel_industrial",),
    "calcined soda": ("soda_ash",),
    "zircon": ("zirconium",),
    # intermediates and by-products with no one commodity
    "ammonium sulfate": (),
    "anode slime": (),
    "calcine": (),
    "sulphate": (),
}

_ASSET_STAGE = {"Mine": "mining", "Plant": "concentrating", "Smelter": "smelting", "Refinery": "refining"}
_FERROALLOY = ("ferro", "silicomanganese")


@functools.lru_cache(maxsize=1024)  # pure; a hundred-odd distinct names, met again and again
def map_commodity(name: str) -> tuple[str, ...] | None:
    """Schema ids of one ICMM commodity name; () if known but not a schema commodity;
    None if unknown."""
    key = clean_text(name).lower()
    if key in COMMODITY_MAP:
        return COMMODITY_MAP[key]
    try:
        return (commodity_id(key),)
    except UnknownCommodityError:
        return None


def parse_coordinate(value: object) -> float:
    """A latitude or longitude cell: a number, or text (Unicode minus signs allowed)."""
    if type(value) is float and math.isfinite(value):
        return value  # what almost every cell is, and what parse_number returns for it
    if isinstance(value, bool):
        raise ValueError(f"expected decimal degrees, got {value!r}")
    if isinstance(value, (int, float)):
        return parse_number(value)
    text = clean_text(value).replace("\u2212", "-").replace("\u2013", "-")
    return parse_number(text)


def kind_and_stages(asset_types: list[str], primary: str) -> tuple[str, str, list[str]]:
    """(node kind, kind, stages) of an asset with ``asset_types`` (``Steel Plant`` removed).

    Examples
    --------
    >>> kind_and_stages(["Mine", "Smelter"], "copper")
    ('Site', 'mine', ['mining', 'smelting'])
    >>> kind_and_stages(["Smelter", "Refinery"], "copper")
    ('Facility', 'refinery', ['refining', 'smelting'])
    >>> kind_and_stages(["Plant"], "ferromanganese")
    ('Facility', 'metal_alloy_plant', ['metal_alloy'])
    """
    p = primary.lower()
    if "Mine" in asset_types:
        node_kind, kind = "Site", "mine"
    elif "Refinery" in asset_types:
        node_kind, kind = "Facility", "refinery"
    elif "Smelter" in asset_types:
        node_kind, kind = "Facility", "smelter"
    elif p.startswith(_FERROALLOY):
        node_kind, kind = "Facility", "metal_alloy_plant"
    elif p == "alumina":
        node_kind, kind = "Facility", "refinery"
    else:
        node_kind, kind = "Facility", "concentrator"
    first = KIND_STAGE[kind]
    others = {_ASSET_STAGE[a] for a in asset_types} - {first}
    if kind in ("metal_alloy_plant", "refinery") and asset_types == ["Plant"]:
        others = set()  # the plant is the alloy plant / alumina refinery itself
    return node_kind, kind, [first, *[s for s in STAGES if s in others]]


@functools.lru_cache(maxsize=1024, typed=True)  # typed: the cells 1, 1.0 and True read differently
def _asset_types(cell: object) -> tuple[str, list[str], list[str]]:
    """(cleaned text, asset types, the unknown ones) of an ``Asset Type`` cell
    ('Smelter;Steel Plant'); memoised: a few dozen distinct cells over ~8,500 rows.

    The lists are shared between calls (memoised): callers must not change them.
    """
    text = clean_text(cell)
    assets = [clean_text(a) for a in text.split(";") if clean_text(a)]
    return text, assets, [a for a in assets if a not in (*_ASSET_STAGE, "Steel Plant")]


@functools.lru_cache(maxsize=4096, typed=True)  # typed: the cells 1, 1.0 and True read differently
def _commodities(
    primary: object, secondary: object, other: object
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(published names, schema ids, unknown names) of a row's three commodity cells.

    The names are the cleaned ``;``-separated parts of the cells, in order, empty parts
    dropped; the ids are their :func:`map_commodity` ids in order, without repeats; the
    unknown names (repeats kept, in order) are the names it does not know. Memoised: the
    ~3,800 rows of the focus countries hold a few hundred distinct combinations.
    """
    names = [
        clean_text(x) for cell in (primary, secondary, other) for x in clean_text(cell).split(";") if clean_text(x)
    ]
    ids: list[str] = []
    unknown: list[str] = []
    for name in names:
        mapped = map_commodity(name)
        if mapped is None:
            unknown.append(name)
        else:
            ids += [c for c in mapped if c not in ids]
    return tuple(names), tuple(ids), tuple(unknown)


def _cleaned(cells: tuple[object, ...]) -> list[str]:
    """:func:`~minerals_graph.sources._common.clean_text` of each cell, a text cell cleaned
    directly (``str.split`` also breaks at non-breaking spaces), without clean_text's memo of
    texts: for columns whose cells are all different (ids, names) it only costs."""
    return [" ".join(c.split()) if type(c) is str else clean_text(c) for c in cells]


def _columns(rows: list[tuple[object, ...]], width: int) -> list[tuple[object, ...]]:
    """The cells of ``rows`` column by column (``zip(*rows)``), every row first padded with
    None to the longest row, and to at least ``width`` cells (a short row's missing cells
    are empty)."""
    length = max([width, *map(len, rows)])
    if set(map(len, rows)) - {length}:  # openpyxl gives every row the sheet's width: rare
        rows = [(*r, *(None,) * (length - len(r))) for r in rows]
    return list(zip(*rows, strict=True)) if rows else [()] * length


def _extra_cells(columns: list[tuple[object, ...]]) -> dict[int, list[object]]:
    """Row number (from 1) -> its non-blank cells in ``columns`` (those beyond the header's
    last column), in column order; rows with none are left out. The sheet pads its rows
    with None, so a column of None only (the usual case) is skipped in one pass."""
    extra: dict[int, list[object]] = {}
    for column in columns:
        if column.count(None) == len(column):
            continue
        for i, v in enumerate(column, start=1):
            if v is not None and clean_text(v):
                extra.setdefault(i, []).append(v)
    return extra


def _read_sheet(path: Path, file: str) -> tuple[list[str], list[tuple[object, ...]]]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise SourceFormatError(str(path), None, None, "file not found") from exc
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors of a damaged workbook
        raise SourceFormatError(
            file,
            None,
            None,
            f"cannot be read as an .xlsx workbook (truncated or corrupted?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    try:
        if SHEET not in wb.sheetnames:
            raise SourceFormatError(file, None, None, f"no sheet {SHEET!r}; sheets: {wb.sheetnames}")
        try:
            rows = list(wb[SHEET].iter_rows(values_only=True))
        except Exception as exc:  # a damaged sheet part of the zip
            raise SourceFormatError(
                file,
                None,
                SHEET,
                f"the sheet cannot be read (corrupted workbook?): {type(exc).__name__}: {str(exc)[:200]}",
            ) from exc
    finally:
        wb.close()
    if not rows:
        raise SourceFormatError(file, 0, None, f"sheet {SHEET!r} is empty: expected a header row")
    header = [clean_text(h) for h in rows[0]]  # 'Mine Name ' -> 'Mine Name'
    return header, rows[1:]


def load_icmm(
    sources_dir: Path,
    crosswalk: Crosswalk,
    *,
    countries: set[str] | None = None,
    commodities: Collection[str] | None = None,
    file: str = FILE,
) -> LoadResult:
    """Load the ``External`` sheet of the ICMM Global Mining Dataset.

    Parameters
    ----------
    sources_dir
        The folder of the raw public files (``file`` is relative to it).
    crosswalk
        Country names -> ISO3.
    countries
        ISO3 codes in scope; None keeps every country.
    commodities
        Commodity ids in scope; None is :data:`~minerals_graph.matching.DEFAULT_SCOPE`.
    file
        Path of the workbook relative to ``sources_dir``.

    Returns
    -------
    LoadResult
        ``table`` has :data:`~minerals_graph.matching.RECORD_COLUMNS`, one row per loaded
        asset; ``commodities`` lists every mapped schema id (in and out of scope),
        ``raw_commodities`` the published names (primary, secondary, others). Commodity
        names that map to nothing known are listed in ``cell_rejects``.
    """
    path = Path(sources_dir) / file
    if not path.exists():
        raise SourceFormatError(str(path), None, None, "file not found")
    header, rows = _read_sheet(path, file)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(file, 0, ", ".join(missing), f"expected the ICMM columns {list(COLUMNS)}")
    scope = resolve_scope(commodities)
    ledger = RowLedger(file)
    seen: set[str] = set()
    records = []
    # Column-wise: the cells of each column at once, the cells that repeat (countries, asset
    # types, commodities) read once per distinct value; the loop below keeps the checks of
    # each row in their order (the first failing one decides its fate).
    width = max(j for j, h in enumerate(header) if h) + 1
    columns = _columns(rows, width)
    extra_cells = _extra_cells(columns[width:])
    selected = [columns[header.index(c)] for c in COLUMNS]  # in COLUMNS order
    rid_col, confidence_col, name_col, groups_col, lat_col, lon_col, asset_col, country_col, *commodity_cols = selected
    rids = _cleaned(rid_col)
    # repair_text never empties a text: it is applied to the names of the loaded rows only
    names = _cleaned(name_col)

    @functools.lru_cache(maxsize=None, typed=True)  # per distinct cell (~130 countries); typed as above
    def country_iso3(cell: object) -> tuple[str, str | None]:
        """(the cleaned ``Country`` cell, its ISO3 code or None if the crosswalk has none)."""
        country = clean_text(cell)
        try:
            return country, crosswalk.iso3(country)
        except UnknownCountryError:
            return country, None

    cells = zip(rids, names, country_col, lat_col, lon_col, asset_col, *commodity_cols, strict=True)
    for i, (rid, name, country_cell, lat_cell, lon_cell, asset_cell, *commodity_cells) in enumerate(cells, start=1):
        extra = extra_cells.get(i)
        if extra:
            ledger.reject(
                i,
                "(beyond the header)",
                extra[0],
                f"{len(extra)} value(s) in columns without a header: cannot tell which column each value belongs to",
            )
            continue
        # only a row without ICMMID can be empty
        if not rid and all(clean_text(column[i - 1]) == "" for column in selected):
            ledger.exclude(i, "empty row")
            continue
        if not rid:
            ledger.reject(i, "ICMMID", "", "empty ICMMID")
            continue
        if rid in seen:
            ledger.reject(i, "ICMMID", rid, "duplicate ICMMID")
            continue
        seen.add(rid)
        if not name:
            ledger.reject(i, "Mine Name", "", "empty name")
            continue
        country, iso3 = country_iso3(country_cell)
        if iso3 is None:
            try:  # the crosswalk's error again, now naming the row
                crosswalk.iso3(country, f"{file}, row {i}, field 'Country'")
            except UnknownCountryError as exc:
                ledger.reject(i, "Country", country, str(exc))
            continue
        try:
            lat, lon = parse_coordinate(lat_cell), parse_coordinate(lon_cell)
        except (TypeError, ValueError):
            ledger.reject(i, "Latitude/Longitude", f"{lat_cell},{lon_cell}", "expected decimal degrees")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180 or 0,0")
            continue
        asset_text, assets, unknown = _asset_types(asset_cell)
        if not assets or unknown:
            ledger.reject(
                i,
                "Asset Type",
                asset_text,
                f"expected Mine, Smelter, Refinery, Plant or Steel Plant, ';'-joined; got {unknown or asset_text!r}",
            )
            continue
        if countries is not None and iso3 not in countries:
            ledger.exclude(i, f"outside the countries in scope ({iso3})")
            continue
        if set(assets) == {"Steel Plant"}:
            ledger.exclude(i, "steel plant (steel is not a commodity of this model)")
            continue
        raw_names, ids, unknown_names = _commodities(*commodity_cells)
        for cname in unknown_names:
            ledger.reject_cell(i, "commodity", cname, "unknown commodity name (add it to icmm.COMMODITY_MAP)")
        if scope.isdisjoint(ids):
            ledger.exclude(i, f"no commodity in scope ({';'.join(ids) or 'none mapped'})")
            continue
        notes = [f"Asset Type: {asset_text}"]
        if "Steel Plant" in assets:
            notes.append("the co-located steel plant is not modelled")
            assets = [a for a in assets if a != "Steel Plant"]
        primary = raw_names[0] if raw_names else ""
        node_kind, kind, stages = kind_and_stages(assets, primary)
        name = repair_text(name)
        alt: list[str] = []
        known = {name.lower()}  # the names met so far, in lower case
        for a in clean_text(groups_col[i - 1]).split(";"):
            a = repair_text(a.strip())  # a part of a cleaned text needs no more cleaning
            if a and a.lower() not in known:
                alt.append(a)
                known.add(a.lower())
        records.append(
            {
                "record_id": rid,
                "dataset": DATASET,
                "name": name,
                "alt_names": ";".join(alt),
                "iso3": iso3,
                "admin1": "",
                "lon": lon,
                "lat": lat,
                "node_kind": node_kind,
                "kind": kind,
                "stages": ";".join(stages),
                "commodities": ";".join(ids),
                "raw_commodities": ";".join(raw_names),
                "operator": "",
                "status": "unknown",
                "confidence": clean_text(confidence_col[i - 1]),
                "url": URL,
                "note": "; ".join(notes),
                "row": i,
            }
        )
        ledger.load(i)
    table = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    return ledger.finish(SOURCE, len(rows), table)
