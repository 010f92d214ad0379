"""USGS global deposit databases in the DARPA CriticalMAAS MinMod JSON conversion.

Three sets, each a folder of ``bNNN.json`` files holding a JSON array of mineral-site records:

* ``umn_mrdata_major_deposits`` — "Major mineral deposits of the world" (USGS OFR 2005-1294);
* ``umn_mrdata_ree`` — "Rare earth element mines, deposits, and occurrences" (USGS, 2002);
* ``umn_mrdata_pp1802`` — deposit locations of USGS Professional Paper 1802 (2017), U.S. only.

A record becomes one ``Site`` of kind ``deposit`` (stage ``mining``): the sets mix mines,
deposits, districts and occurrences and carry no status (``unknown``) and no owners.
``location_info.location`` is WKT ``POINT (lon lat)``; a record without it is rejected
("no location"). Commodities are element symbols (``Cu``), element names (``Lanthanum``) or
mineral names (``phosphate``) mapped by :data:`SYMBOLS` and :data:`NAMES`. Every REE record
lists the same 15 rare-earth elements (the source's boilerplate), so in that set they are
read as the one commodity ``rare_earths``. The country name ``Côte D`` U+0092 ``Ivoire``
(a cp1252 apostrophe read as Latin-1) is repaired before the crosswalk.

Row accounting is per file: ``row`` is the 1-based position of the record in the file's
array, and :func:`load_minmod` returns one :class:`LoadResult` per file read.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterable
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError, UnknownCommodityError, UnknownCountryError
from minerals_graph.matching import RECORD_COLUMNS, repair_text, resolve_scope
from minerals_graph.schema import commodity_id
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    finish_ledgers,
    frame_and_parts,
)

__all__ = [
    "FOLDER",
    "SETS",
    "SOURCES",
    "SYMBOLS",
    "NAMES",
    "REE_ELEMENTS",
    "load_minmod",
    "load_minmod_table",
    "load_minmod_file",
    "map_commodity",
    "parse_point",
    "record_url",
]

FOLDER = "usgs_mineral_sites_minmod"
_PUBLISHER = "U.S. Geological Survey (MinMod JSON conversion by DARPA CriticalMAAS TA2, 'UMN Matching System v1')"
_LICENCE = "Public domain (U.S. Government work); MinMod conversion under the MIT licence"

#: dataset id -> folder under :data:`FOLDER`.
SETS: dict[str, str] = {
    "usgs-major-deposits": "umn_mrdata_major_deposits",
    "usgs-ree": "umn_mrdata_ree",
    "usgs-pp1802": "umn_mrdata_pp1802",
}
SOURCES: dict[str, SourceInfo] = {
    "usgs-major-deposits": SourceInfo(
        "usgs-major-deposits",
        _PUBLISHER,
        "Major mineral deposits of the world (USGS Open-File Report 2005-1294)",
        2005,
        "https://mrdata.usgs.gov/major-deposits",
        _LICENCE,
    ),
    "usgs-ree": SourceInfo(
        "usgs-ree",
        _PUBLISHER,
        "Rare earth element mines, deposits, and occurrences",
        2002,
        "https://mrdata.usgs.gov/ree",
        _LICENCE,
    ),
    "usgs-pp1802": SourceInfo(
        "usgs-pp1802",
        _PUBLISHER,
        "Critical mineral resources of the United States (USGS Professional Paper 1802): deposit locations",
        2017,
        "https://mrdata.usgs.gov/pp1802",
        _LICENCE,
    ),
}
#: Record page per set (from the MinMod repository's data_source.csv). PP1802 has no record
#: page there: its records point to the dataset page.
_RECORD_URL = {
    "usgs-major-deposits": "https://mrdata.usgs.gov/major-deposits/show-ofr20051294.php?rec_id={}",
    "usgs-ree": "https://mrdata.usgs.gov/ree/show-ree.php?rec_id={}",
    "usgs-pp1802": "https://mrdata.usgs.gov/pp1802/",
}

#: Element symbols (exact case, major deposits) -> schema ids. For an ore deposit the ore
#: commodity is used where the schema has one: Al -> bauxite, Fe -> iron_ore,
#: Ti -> titanium_mineral_concentrates, Mg -> magnesium_compounds (magnesite), K -> potash,
#: P -> phosphate_rock, Na -> soda_ash, F -> fluorspar, Ba -> barite.
SYMBOLS: dict[str, tuple[str, ...]] = {
    "Ag": ("silver",),
    "Al": ("bauxite",),
    "As": ("arsenic",),
    "Au": ("gold",),
    "B": ("boron",),
    "Ba": ("barite",),
    "Be": ("beryllium",),
    "Br": ("bromine",),
    "Cd": ("cadmium",),
    "Co": ("cobalt",),
    "Cr": ("chromium",),
    "Cs": ("cesium",),
    "Cu": ("copper",),
    "F": ("fluorspar",),
    "Fe": ("iron_ore",),
    "Hg": ("mercury",),
    "I": ("iodine",),
    "K": ("potash",),
    "Li": ("lithium",),
    "Mg": ("magnesium_compounds",),
    "Mn": ("manganese",),
    "Mo": ("molybdenum",),
    "Na": ("soda_ash",),
    "Nb": ("niobium",),
    "Ni": ("nickel",),
    "P": ("phosphate_rock",),
    "PGE": ("platinum_group_metals",),
    "Pb": ("lead",),
    "Pd": ("palladium",),
    "Pt": ("platinum",),
    "REE": ("rare_earths",),
    "Rb": ("rubidium",),
    "S": ("sulfur",),
    "Sb": ("antimony",),
    "Sc": ("scandium",),
    "Se": ("selenium",),
    "Sn": ("tin",),
    "Sr": ("strontium",),
    "Ta": ("tantalum",),
    "Te": ("tellurium",),
    "Th": ("thorium",),
    "Ti": ("titanium_mineral_concentrates",),
    "U": ("uranium",),
    "V": ("vanadium",),
    "W": ("tungsten",),
    "Zn": ("zinc",),
    "Zr": ("zirconium",),
}
#: Names (lower case) -> schema ids; () = known, no schema commodity. Element names not
#: listed fall back to :func:`~minerals_graph.schema.commodity_id` (``cobalt`` …).
NAMES: dict[str, tuple[str, ...]] = {
    # gemstones
    **{
        g: ("gemstones",)
        for g in (
            "amber",
            "amethyst",
            "aquamarine",
            "emerald",
            "gem",
            "jade",
            "kunzite",
            "lapis lazuli",
            "opal",
            "peridot",
            "rhodochrosite",
            "ruby",
            "sapphire",
            "spinel",
            "topaz",
            "tourmaline",
        )
    },
    # clays
    **{
        c: ("clays",)
        for c in ("bentonite", "clay", "halloysite", "hectorite", "kaolinite", "palygorskite", "saponite", "sepiolite")
    },
    "andalusite": ("kyanite",),
    "sillimanite": ("kyanite",),
    "anhydrite": ("gypsum",),
    "beryl": ("beryllium",),
    "diamond": ("industrial_diamond",),
    "feldspathic sand": ("feldspar",),
    "fluorite": ("fluorspar",),
    "iron": ("iron_ore",),
    "magnetite": ("iron_ore",),
    "lithium mica": ("lithium",),
    "magnesia": ("magnesium_compounds",),
    "magnesite": ("magnesium_compounds",),
    "marble": ("dimension_stone",),
    "muscovite": ("mica",),
    "phlogopite": ("mica",),
    "nepheline syenite": ("nepheline_syenite",),
    "nitrate": ("nitrogen",),
    "phosphate": ("phosphate_rock",),
    "potassium": ("potash",),
    "sylvite": ("potash",),
    "silica sand": ("sand_gravel_industrial",),
    "sodium carbonate": ("soda_ash",),
    "zeolite": ("zeolites",),
    "zircon": ("zirconium",),
    # PP1802 grouped names
    "niobium and tantalum": ("niobium", "tantalum"),
    "platinum-group elements": ("platinum_group_metals",),
    "rare-earth elements": ("rare_earths",),
    "zirconium and hafnium": ("zirconium", "hafnium"),
    # no one schema commodity (gangue and rock names, associated minerals)
    **{
        x: ()
        for x in (
            "alunite",
            "calcite",
            "corundum",
            "cryolite",
            "dolomite",
            "limestone",
            "pyrite",
            "quartz",
            "sand",
            "staurolite",
            "sulfides",
        )
    },
}
#: The 15 elements every REE-set record lists (read as ``rare_earths`` in that set).
REE_ELEMENTS: frozenset[str] = frozenset(
    {
        "lanthanum",
        "cerium",
        "praseodymium",
        "neodymium",
        "samarium",
        "europium",
        "gadolinium",
        "terbium",
        "dysprosium",
        "holmium",
        "erbium",
        "thulium",
        "ytterbium",
        "lutetium",
        "yttrium",
    }
)

_NUM = r"(-?[0-9.]+(?:[eE]-?[0-9]+)?)"
_POINT = re.compile(rf"^\s*POINT\s*\(\s*{_NUM}\s+{_NUM}\s*\)\s*$", re.IGNORECASE)


def map_commodity(name: str, dataset: str = "") -> tuple[str, ...] | None:
    """Schema ids of one MinMod commodity name; () if known but no schema commodity; None if
    unknown."""
    text = clean_text(name)
    if text in SYMBOLS:
        return SYMBOLS[text]
    key = text.lower()
    if dataset == "usgs-ree" and key in REE_ELEMENTS:
        return ("rare_earths",)
    if key in NAMES:
        return NAMES[key]
    try:
        return (commodity_id(key),)
    except UnknownCommodityError:
        return None


@functools.lru_cache(maxsize=4096)
def _mapped_commodity(name: str, dataset: str) -> tuple[str, ...] | None:
    """:func:`map_commodity` of a cleaned name, once per (name, set): records repeat a few
    dozen names (every REE record lists the same 15 elements)."""
    return map_commodity(name, dataset)


def parse_point(wkt: str) -> tuple[float, float]:
    """``"POINT (141.9167 -12.6667)"`` -> ``(141.9167, -12.6667)`` (lon, lat).

    Raises ``ValueError`` for anything else.
    """
    m = _POINT.match(str(wkt))
    if not m:
        raise ValueError(f"expected WKT 'POINT (lon lat)', got {wkt!r}")
    return float(m.group(1)), float(m.group(2))


def record_url(dataset: str, record_id: str) -> str:
    """The USGS page of one record (PP1802: the dataset page)."""
    return _RECORD_URL[dataset].format(record_id)


def _observed(entries: object) -> str:
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return clean_text(entries[0].get("observed_name"))
    return ""


def load_minmod_file(
    sources_dir: Path,
    crosswalk: Crosswalk,
    file: str,
    *,
    dataset: str,
    countries: set[str] | None = None,
    commodities: Collection[str] | None = None,
    seen: set[str] | None = None,
) -> LoadResult:
    """Load one ``bNNN.json`` file of one set.

    Parameters
    ----------
    sources_dir
        The folder of the raw public files.
    crosswalk
        Country names -> ISO3.
    file
        Path of the JSON file relative to ``sources_dir``.
    dataset
        One of :data:`SETS` (selects the source, the record URL and the REE rule).
    countries
        ISO3 codes in scope; None keeps every country.
    commodities
        Commodity ids in scope; None is :data:`~minerals_graph.matching.DEFAULT_SCOPE`.
    seen
        Record ids already read from other files of the same set (updated in place):
        a repeated id is rejected.

    Returns
    -------
    LoadResult
        ``table`` has :data:`~minerals_graph.matching.RECORD_COLUMNS`.
    """
    ledger, records, rows_read = _read_file(
        sources_dir, crosswalk, file, dataset=dataset, countries=countries, commodities=commodities, seen=seen
    )
    table = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    return ledger.finish(SOURCES[dataset], rows_read, table)


def _read_file(
    sources_dir: Path,
    crosswalk: Crosswalk,
    file: str,
    *,
    dataset: str,
    countries: set[str] | None,
    commodities: Collection[str] | None,
    seen: set[str] | None,
    known: dict[str, str] | None = None,
) -> tuple[RowLedger, list[dict[str, object]], int]:
    """What :func:`load_minmod_file` reads, before any frame is built: the file's ledger, its
    records (dicts of :data:`RECORD_COLUMNS`) and its number of records.

    ``known`` maps the country names (as observed) already matched by ``crosswalk`` to their
    ISO3 code, updated in place: a caller reading many files with one crosswalk passes the
    same dict, so that each name is repaired and matched once.
    """
    if dataset not in SETS:
        raise ValueError(f"unknown MinMod set {dataset!r}; expected one of {sorted(SETS)}")
    path = Path(sources_dir) / file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceFormatError(str(path), None, None, "file not found") from exc
    except json.JSONDecodeError as exc:
        raise SourceFormatError(file, None, None, f"not valid JSON (truncated?): {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceFormatError(file, None, None, f"cannot be decoded as UTF-8: {exc}") from exc
    if not isinstance(data, list):
        raise SourceFormatError(file, None, None, "expected a JSON array of mineral-site records")
    scope = resolve_scope(commodities)
    seen = set() if seen is None else seen
    ledger = RowLedger(file)
    records = []
    known = {} if known is None else known
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            ledger.reject(i, "record", type(rec).__name__, "expected a JSON object")
            continue
        rid = clean_text(rec.get("record_id"))
        if not rid:
            ledger.reject(i, "record_id", "", "empty record_id")
            continue
        if rid in seen:
            ledger.reject(i, "record_id", rid, f"duplicate record_id in {dataset}")
            continue
        seen.add(rid)
        name = clean_text(rec.get("name"))
        if not name:
            ledger.reject(i, "name", "", "empty name")
            continue
        loc = rec.get("location_info")
        if not isinstance(loc, dict):
            loc = {}
        observed = _observed(loc.get("country"))
        iso3 = known.get(observed)
        if iso3 is None:
            country = repair_text(observed)
            try:
                iso3 = known[observed] = crosswalk.iso3(country, f"{file}, record {i}, field 'location_info.country'")
            except UnknownCountryError as exc:
                ledger.reject(i, "location_info.country", country, str(exc))
                continue
        wkt = loc.get("location")
        # blank as clean_text sees it; a WKT text is tested, not cleaned (each is distinct: no memo)
        if not (wkt.strip() if isinstance(wkt, str) else clean_text(wkt)):
            ledger.reject(i, "location_info.location", "", "no location")
            continue
        crs_entry = loc.get("crs")
        crs = clean_text(crs_entry.get("observed_name")) if isinstance(crs_entry, dict) else ""
        if crs and crs.upper() != "EPSG:4326":  # absent CRS: WGS84, as in every record with one
            ledger.reject(i, "location_info.crs", crs, "expected EPSG:4326")
            continue
        try:
            lon, lat = parse_point(str(wkt))
        except ValueError as exc:
            ledger.reject(i, "location_info.location", wkt, str(exc))
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            ledger.reject(i, "location_info.location", wkt, "outside -90..90 / -180..180 or 0,0")
            continue
        if countries is not None and iso3 not in countries:
            ledger.exclude(i, f"outside the countries in scope ({iso3})")
            continue
        raw_names: list[str] = []
        for inv in rec.get("mineral_inventory") or []:
            com = inv.get("commodity") if isinstance(inv, dict) else None
            cname = clean_text(com.get("observed_name")) if isinstance(com, dict) else ""
            if cname and cname not in raw_names:
                raw_names.append(cname)
        ids: list[str] = []
        for cname in raw_names:
            mapped = _mapped_commodity(cname, dataset)
            if mapped is None:
                ledger.reject_cell(
                    i, "mineral_inventory.commodity", cname, "unknown commodity name (add it to minmod.NAMES)"
                )
                continue
            ids += [c for c in mapped if c not in ids]
        if not any(c in scope for c in ids):
            ledger.exclude(i, f"no commodity in scope ({';'.join(ids) or 'none mapped'})")
            continue
        notes = []
        dtype = _observed(rec.get("deposit_type_candidate"))
        if dtype:
            notes.append(f"deposit type: {dtype}")
        if dataset == "usgs-ree" and REE_ELEMENTS.issubset(n.lower() for n in raw_names):
            notes.append("the 15 rare-earth elements every record of this set lists are read as rare_earths")
        records.append(
            {
                "record_id": rid,
                "dataset": dataset,
                "name": name,
                "alt_names": "",
                "iso3": iso3,
                "admin1": repair_text(_observed(loc.get("state_or_province"))),
                "lon": lon,
                "lat": lat,
                "node_kind": "Site",
                "kind": "deposit",
                "stages": "mining",
                "commodities": ";".join(ids),
                "raw_commodities": ";".join(raw_names),
                "operator": "",
                "status": "unknown",
                "confidence": "",
                "url": record_url(dataset, rid),
                "note": "; ".join(notes),
                "row": i,
            }
        )
        ledger.load(i)
    return ledger, records, len(data)


def load_minmod(
    sources_dir: Path,
    crosswalk: Crosswalk,
    *,
    countries: set[str] | None = None,
    commodities: Collection[str] | None = None,
    datasets: Iterable[str] = tuple(SETS),
) -> list[LoadResult]:
    """Load every ``bNNN.json`` file of the MinMod sets, one :class:`LoadResult` per file.

    Parameters are those of :func:`load_minmod_file`; ``datasets`` selects sets of
    :data:`SETS`. Files are read in name order; record ids are checked for repeats across
    the files of a set. ``pd.concat([r.table for r in results])`` is the combined table.

    The tables and row reports of all files are built at once and cut per file
    (:func:`~minerals_graph.sources._common.frames_from_records`): a frame per small file
    cost more than reading the files.
    """
    return load_minmod_table(sources_dir, crosswalk, countries=countries, commodities=commodities, datasets=datasets)[0]


def load_minmod_table(
    sources_dir: Path,
    crosswalk: Crosswalk,
    *,
    countries: set[str] | None = None,
    commodities: Collection[str] | None = None,
    datasets: Iterable[str] = tuple(SETS),
) -> tuple[list[LoadResult], pd.DataFrame]:
    """:func:`load_minmod` and the records of all its files as one table: the rows of the
    results' tables in order, with their dtypes (the frame they are cut from, for a caller
    that would otherwise concatenate ~190 small tables again)."""
    read: list[tuple[RowLedger, SourceInfo, int, list[dict[str, object]]]] = []
    known: dict[str, str] = {}  # country names matched (one crosswalk for every file)
    for dataset in datasets:
        folder = Path(sources_dir) / FOLDER / SETS[dataset]
        files = sorted(folder.glob("b*.json"))
        if not files:
            raise SourceFormatError(str(folder), None, None, "no bNNN.json files")
        seen: set[str] = set()
        for f in files:
            rel = f.relative_to(Path(sources_dir)).as_posix()
            ledger, records, rows_read = _read_file(
                sources_dir,
                crosswalk,
                rel,
                dataset=dataset,
                countries=countries,
                commodities=commodities,
                seen=seen,
                known=known,
            )
            read.append((ledger, SOURCES[dataset], rows_read, records))
    whole, tables = frame_and_parts([records for _, _, _, records in read], RECORD_COLUMNS)
    results = finish_ledgers(
        [(ledger, source, rows_read, table) for (ledger, source, rows_read, _), table in zip(read, tables, strict=True)]
    )
    return results, whole
