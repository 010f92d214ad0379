"""Natural Resources Canada: mineral processing facilities in Canada (``export.csv``).

31 active plants (smelters, refineries, ferroalloy, pelletizing, conversion plants) with
operator/owners, province, products, plant type and a point. Every field is quoted; the file
has no newline after the last row. All plants are in Canada (``iso3`` ``CAN``) and
``Active`` (``status`` ``operating``).

``Development Stage`` is in fact the plant type; it gives the kind and stages
(:data:`PLANT_TYPES`). ``Commodities`` is free text of products separated by commas outside
parentheses (``Uranium (hexafluoride, dioxide, metals, alloys)`` is one product), mapped by
:data:`PRODUCTS`. Operator names are cleaned: the non-breaking space after ``Vale S.A.`` and
the full stop in ``Rio Tinto Group.``; several operators/owners stay joined with `` / ``.

Fates: rejected for an empty or repeated identifier, empty name or unreadable coordinates;
excluded outside ``countries`` (i.e. when ``CAN`` is not in it), for steel plants, and when no
product is in the commodity scope (iron ore pellets, magnesium oxide …).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from minerals_graph.crosswalk import Crosswalk
from minerals_graph.errors import SourceFormatError
from minerals_graph.matching import RECORD_COLUMNS, resolve_scope
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    clean_text,
    parse_number,
    read_csv_text,
)

__all__ = [
    "SOURCE",
    "FILE",
    "DATASET",
    "URL",
    "PLANT_TYPES",
    "PRODUCTS",
    "load_nrcan",
    "split_products",
    "clean_operator",
]

DATASET = "nrcan"
URL = "https://open.canada.ca/data/en/dataset/22b2db8a-dc12-47f2-9737-99d3da921751"
SOURCE = SourceInfo(
    key=DATASET,
    publisher="Natural Resources Canada",
    dataset="Critical minerals processing facilities in Canada (Government of Canada Open "
    "Government Portal; Operation Group 'Processing', last updated 2026-02-05)",
    year=2026,
    url=URL,
    licence="Open Government Licence – Canada",
)
FILE = "nrcan_processing_facilities/export.csv"
COLUMNS = (
    "Operation Group",
    "Property Name",
    "Operator Owners",
    "Province/Territory",
    "Commodities",
    "Development Stage",
    "Activity Status",
    "Latitude",
    "Longitude",
    "Website",
    "Unique identifier",
)

#: ``Development Stage`` (lower case) -> (kind, stages, primary first). ``plant`` in a
#: combination is the mill/concentrator of the complex; a secondary smelter of recycled
#: aluminum is a recycling plant; the electric arc furnace (Rio Tinto Iron and Titanium,
#: Sorel-Tracy) smelts ilmenite to titanium slag and iron.
PLANT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "smelter": ("smelter", ("smelting",)),
    "refinery": ("refinery", ("refining",)),
    "ferroalloy plant": ("metal_alloy_plant", ("metal_alloy",)),
    "pelletizing plant": ("concentrator", ("concentrating",)),
    "smelter, refinery, plant": ("refinery", ("refining", "concentrating", "smelting")),
    "smelter, plant": ("smelter", ("smelting", "concentrating")),
    "electric arc furnace": ("smelter", ("smelting",)),
    "conversion facility": ("processing_plant", ("refining",)),
    "secondary refinery": ("refinery", ("refining", "recycling")),
    "secondary smelter": ("recycling_plant", ("recycling", "smelting")),
    "plant": ("processing_plant", ("refining",)),
}
_STEEL_TYPES = ("steel plant", "steel mill")

#: Every product NRCan lists (lower case, whitespace folded) -> schema ids; () = known, no
#: schema commodity (``precious metals`` is not resolved into gold, silver and PGMs).
PRODUCTS: dict[str, tuple[str, ...]] = {
    "nickel": ("nickel",),
    "copper": ("copper",),
    "cobalt": ("cobalt",),
    "high-purity iron ore pellets (direct reduction grade)": ("iron_ore",),
    "aluminum (pure)": ("aluminum",),
    "aluminum (pure or alloyed)": ("aluminum",),
    "alumina": ("bauxite",),
    "aluminum chemicals": ("aluminum",),
    "composites": (),
    "ferroniobium": ("niobium",),
    "silicon metal": ("silicon",),
    "ferrosilicon": ("silicon",),
    "steel": ("iron_steel",),
    "titanium dioxide": ("titanium",),
    "scandium": ("scandium",),
    "copper (cathodes)": ("copper",),
    "gold": ("gold",),
    "silver": ("silver",),
    "tellurium": ("tellurium",),
    "selenium": ("selenium",),
    "nickel sulfate": ("nickel",),
    "copper sulfate": ("copper",),
    "platinum group metals": ("platinum_group_metals",),
    "cadmium": ("cadmium",),
    "zinc": ("zinc",),
    "liquid sulfur dioxide": ("sulfur",),
    "sulfuric acid": ("sulfur",),
    "copper anodes": ("copper",),
    "precious metals": (),
    "ferrovanadium": ("vanadium",),
    "ferromolybdenum": ("molybdenum",),
    "uranium (hexafluoride, dioxide, metals, alloys)": ("uranium",),
    "gallium": ("gallium",),
    "indium": ("indium",),
    "electrolytic cobalt": ("cobalt",),
    "platinum group metals (in residues)": ("platinum_group_metals",),
    "recycled aluminum": ("aluminum",),
    "nickel-copper matte containing cobalt": ("nickel", "copper", "cobalt"),
    "nickel (oxide sinter, pellets, powder, sulfide)": ("nickel",),
    "copper cathodes": ("copper",),
    "selenium cake": ("selenium",),
    "tellurium dioxide cake": ("tellurium",),
    "uranium (trioxide)": ("uranium",),
    "copper sulfide": ("copper",),
    "ammonium sulfate": (),
    "magnesium oxide": ("magnesium_compounds",),
    "lead": ("lead",),
    "bismuth": ("bismuth",),
    "germanium": ("germanium",),
}
_STATUS = {"active": "operating"}
_TRAILING_STOP = re.compile(r"(\b[A-Za-z]{4,})\.$")


def split_products(text: str) -> list[str]:
    """Split NRCan's product text on commas outside parentheses.

    Examples
    --------
    >>> split_products("Uranium (hexafluoride, dioxide), gold")
    ['Uranium (hexafluoride, dioxide)', 'gold']
    """
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in clean_text(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def clean_operator(text: str) -> str:
    """Clean ``Operator Owners``: fold white space per name, drop a full stop after a word
    (``Rio Tinto Group.``) but not after an abbreviation (``Vale S.A.``, ``Inc.``).

    Examples
    --------
    >>> clean_operator("Rio Tinto Group. / Vale S.A.\\u00a0")
    'Rio Tinto Group / Vale S.A.'
    """
    names = [clean_text(n) for n in clean_text(text).split(" / ")]
    return " / ".join(_TRAILING_STOP.sub(r"\1", n) for n in names if n)


def load_nrcan(
    sources_dir: Path,
    crosswalk: Crosswalk | None = None,
    *,
    countries: set[str] | None = None,
    commodities: Collection[str] | None = None,
    file: str = FILE,
) -> LoadResult:
    """Load the NRCan processing-facility export.

    Parameters
    ----------
    sources_dir
        The folder of the raw public files.
    crosswalk
        Unused (every plant is in Canada); accepted so that the loaders share a signature.
    countries
        ISO3 codes in scope; None keeps every row. Without ``CAN`` every row is excluded.
    commodities
        Commodity ids in scope; None is :data:`~minerals_graph.matching.DEFAULT_SCOPE`.
    file
        Path of the CSV relative to ``sources_dir``.

    Returns
    -------
    LoadResult
        ``table`` has :data:`~minerals_graph.matching.RECORD_COLUMNS`; unknown products and
        plant types are listed in ``cell_rejects``.
    """
    path = Path(sources_dir) / file
    header, rows = read_csv_text(path, encoding="utf-8-sig", final_newline=False)  # as published
    header = [clean_text(h) for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(file, 0, ", ".join(missing), f"expected the NRCan columns {list(COLUMNS)}")
    scope = resolve_scope(commodities)
    ledger = RowLedger(file)
    seen: set[str] = set()
    records = []
    for i, raw in enumerate(rows, start=1):
        r = {h: raw[j] for j, h in enumerate(header)}
        if all(clean_text(v) == "" for v in raw):
            ledger.exclude(i, "empty row")
            continue
        rid = clean_text(r["Unique identifier"])
        if not rid:
            ledger.reject(i, "Unique identifier", "", "empty identifier")
            continue
        if rid in seen:
            ledger.reject(i, "Unique identifier", rid, "duplicate identifier")
            continue
        seen.add(rid)
        name = clean_text(r["Property Name"])
        if not name:
            ledger.reject(i, "Property Name", "", "empty name")
            continue
        try:
            lat, lon = parse_number(r["Latitude"]), parse_number(r["Longitude"])
        except ValueError:
            ledger.reject(i, "Latitude/Longitude", f"{r['Latitude']},{r['Longitude']}", "expected decimal degrees")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            ledger.reject(i, "Latitude/Longitude", f"{lat},{lon}", "outside -90..90 / -180..180 or 0,0")
            continue
        iso3 = "CAN"
        if countries is not None and iso3 not in countries:
            ledger.exclude(i, f"outside the countries in scope ({iso3})")
            continue
        ptype = clean_text(r["Development Stage"])
        if ptype.lower() in _STEEL_TYPES:
            ledger.exclude(i, f"steel plant ({ptype})")
            continue
        raw_products = split_products(r["Commodities"])
        ids: list[str] = []
        for prod in raw_products:
            mapped = PRODUCTS.get(prod.lower())
            if mapped is None:
                ledger.reject_cell(i, "Commodities", prod, "unknown product (add it to nrcan.PRODUCTS)")
                continue
            ids += [c for c in mapped if c not in ids]
        if not any(c in scope for c in ids):
            ledger.exclude(i, f"no commodity in scope ({';'.join(ids) or 'none mapped'})")
            continue
        if ptype.lower() in PLANT_TYPES:
            kind, stages = PLANT_TYPES[ptype.lower()]
        else:
            ledger.reject_cell(i, "Development Stage", ptype, f"expected one of {sorted(PLANT_TYPES)}")
            kind, stages = "processing_plant", ("refining",)
        status_raw = clean_text(r["Activity Status"])
        status = _STATUS.get(status_raw.lower())
        if status is None:
            ledger.reject_cell(i, "Activity Status", status_raw, f"expected one of {sorted(_STATUS)}")
            status = "unknown"
        notes = [f"Development Stage: {ptype}"]
        website = clean_text(r["Website"])
        if website:
            notes.append(f"website: {website}")
        records.append(
            {
                "record_id": rid,
                "dataset": DATASET,
                "name": name,
                "alt_names": "",
                "iso3": iso3,
                "admin1": clean_text(r["Province/Territory"]),
                "lon": lon,
                "lat": lat,
                "node_kind": "Facility",
                "kind": kind,
                "stages": ";".join(stages),
                "commodities": ";".join(ids),
                "raw_commodities": ";".join(raw_products),
                "operator": clean_operator(r["Operator Owners"]),
                "status": status,
                "confidence": "",
                "url": URL,
                "note": "; ".join(notes),
                "row": i,
            }
        )
        ledger.load(i)
    table = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    return ledger.finish(SOURCE, len(rows), table)
