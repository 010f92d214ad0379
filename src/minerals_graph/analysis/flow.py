"""The flow model: per commodity, a capacity network from mines through processing and
ports to demand, built from the property graph.

Layers (node ``role`` in brackets; ``S``, pools and demand nodes are model artefacts):

``S`` -> ``mine:<ISO3>`` [mine] -> ``pool:mined`` [pool] -> ``fac:<place id>`` [facility] and
``rest:<ISO3>`` [rest] -> (``port:wpi-N`` [port]) -> ``out:<ISO3>`` [country] -> ``demand:USA``.

* Mining capacity of a country = its USGS mine production (MCS world table, latest year).
* Processing capacity of a country = its USGS refinery/smelter production where the MCS
  world table publishes one; otherwise its cited share of world processing
  (``data/processing_shares.csv``) times world mine production (mass balance); the part of
  the world no cited share covers is ``rest:ROW``. If neither exists the processing layer is
  skipped and mined material goes straight to ``out:<ISO3>`` (flagged).
* Registered facilities of the commodity (the register, USGS layers) whose published
  capacity converts to the USGS basis (:func:`capacity_tonnes`) are split out of their
  country as ``fac:`` nodes; ``rest:<ISO3>`` carries the difference so that country totals
  match USGS. ``out:<ISO3>`` is capped at the country total. Facilities ship through their
  cited or inferred port (``SHIPS_VIA``).
* Mined material forms one world pool (no bilateral ore trade data is available).
* U.S. demand = apparent consumption (salient statistics; fallbacks in
  :func:`us_demand`). A country can supply the U.S. only if USGS lists it as a major import
  source of the commodity (either MCS edition), or it is the U.S. itself.

Every assumption is a field of :class:`FlowParams`, and :func:`build_supply_network`
records which ones it applied in ``net.graph["assumptions"]``.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from minerals_graph.schema import PROCESSING_STAGES, commodity_by_id, group_members

__all__ = [
    "FlowParams",
    "UNIT_TONNES",
    "capacity_tonnes",
    "us_demand",
    "world_production",
    "cited_processing_shares",
    "place_control",
    "build_supply_network",
    "network_of",
    "max_supply",
    "flow_through",
    "ARTEFACT_ROLES",
    "REAL_ROLES",
    "SOURCE",
]

SOURCE = "S"
ARTEFACT_ROLES = frozenset({"source", "pool", "demand"})
#: Roles of the supply-network nodes that stand for something real (what-if filters select them).
REAL_ROLES: tuple[str, ...] = ("mine", "facility", "rest", "country", "port")

#: Tonnes per published unit.
UNIT_TONNES: dict[str, float] = {"t": 1.0, "kt": 1_000.0, "mmt": 1_000_000.0, "mt": 1.0, "kg": 0.001, "Mt": 1_000_000.0}


@dataclass(frozen=True)
class FlowParams:
    """Documented assumptions of the flow model (see docs/methods.md)."""

    #: Data year; ``None`` = the latest year with mine production for the commodity.
    year: int | None = None
    #: Include USGS 'Other countries' production as a mining node ``mine:ROW``.
    include_other_countries: bool = True
    #: Cap of ``out:USA -> demand:USA`` and of imports: no cap (the U.S. can take any
    #: available capacity of its import sources: an upper bound, "U.S. priority").
    us_priority: bool = True
    #: Only countries USGS lists as major U.S. import sources may supply the U.S.
    restrict_to_import_sources: bool = True
    #: Individual facilities are split out only if their capacity converts to the USGS basis.
    split_registered_facilities: bool = True
    #: Statuses of facilities that carry capacity in the model.
    operating_statuses: tuple[str, ...] = ("operating",)
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------
# Units and bases

_RATE = {
    "t/yr": 1.0,
    "t/a": 1.0,
    "tpa": 1.0,
    "t": 1.0,
    "kt/yr": 1e3,
    "kt": 1e3,
    "ktpa": 1e3,
    "mt/yr": 1e6,
    "mlb/yr": 453.59237,
    "lb/yr": 0.00045359237,
    "t/month": 12.0,
    "oz/yr": 3.11034768e-5,
}
#: Stoichiometric content factors (mass of element per mass of compound).
CONTENT_FACTORS = {
    ("lithium", "carbonate"): 2 * 6.94 / 73.89,  # Li2CO3 -> Li = 0.1879
    ("lithium", "lce"): 2 * 6.94 / 73.89,  # lithium carbonate equivalent
    ("lithium", "hydroxide"): 6.94 / 41.96,  # LiOH.H2O -> Li = 0.1654 (battery grade is the monohydrate)
    ("lithium", "lioh"): 6.94 / 41.96,  # "LiOH" in capacity statements = battery-grade monohydrate
    ("lithium", "li2co3"): 2 * 6.94 / 73.89,  # lithium carbonate by formula
    ("cobalt", "sulfate"): 58.93 / 281.10,  # CoSO4.7H2O -> Co = 0.2096
    ("nickel", "sulfate"): 58.69 / 262.85,  # NiSO4.6H2O -> Ni = 0.2233
}
#: Lithium per Li2O (2 x 6.94 / 29.88), for spodumene concentrates of a published grade.
LI_PER_LI2O = 2 * 6.94 / 29.88
_LI2O_GRADE = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*li2o")
_NOT_CONVERTIBLE = re.compile(
    r"\bore\b|spodumene|concentrate(?!.*contained)|feed|unclear|not specified|magnet|"
    r"cathode|precursor|ncm|u3o8|apt|paratungstate|ndpr|pig iron|npi(?!.*contained)|"
    r"hydroxide \(mhp\)|t/d",
    re.I,
)
_METAL = re.compile(
    r"contained|\bmetal\b|electrolytic|ingot|primary alumin|refined|\bt?reo\b|tre2o3|"
    r"rare-earth oxide|oxide equivalent|sponge|gallium|germanium|antimony|anode|spherical|"
    r"graphite|\bproduct\b",
    re.I,
)


def capacity_tonnes(capacity: float | None, unit: str, basis: str, commodity: str) -> tuple[float | None, str]:
    """Convert a published capacity to tonnes per year of the USGS basis of ``commodity``.

    Returns ``(tonnes, note)``; ``tonnes`` is None (with the reason in ``note``) when the
    unit or basis cannot be converted without an assumption about grade or product mix.

    >>> round(capacity_tonnes(40000, "t/yr", "lithium carbonate", "lithium")[0])
    7514
    >>> capacity_tonnes(1, "t/yr", "spodumene concentrate", "lithium")[0] is None
    True
    >>> round(capacity_tonnes(311000, "t/yr", "spodumene concentrate (5.6% Li2O)", "lithium")[0])
    8090
    """
    if capacity is None or (isinstance(capacity, float) and math.isnan(capacity)):
        return None, "capacity not published"
    u = (unit or "").strip().lower()
    rate = _RATE.get(u)
    if rate is None:
        return None, f"unit {unit!r} not convertible to t/yr"
    b = (basis or "").lower()
    grade = _LI2O_GRADE.search(b)
    if commodity == "lithium" and "spodumene" in b and grade:
        # a published Li2O grade converts spodumene concentrate to lithium content by formula
        factor = float(grade.group(1)) / 100 * LI_PER_LI2O
        return capacity * rate * factor, f"{basis} x {factor:.4f} (Li in {grade.group(1)}% Li2O)"
    if commodity == "graphite" and re.search(r"graphite concentrate|flake concentrate", b):
        # USGS reports natural graphite production as tonnes of concentrate: the same basis
        return capacity * rate, f"{basis} counted as natural graphite (USGS reports concentrate tonnes)"
    if _NOT_CONVERTIBLE.search(b):
        return None, f"basis {basis!r} needs a grade or product-mix assumption"
    for (com, word), factor in CONTENT_FACTORS.items():
        if com == commodity and word in b:
            return capacity * rate * factor, f"{basis} x {factor:.4f} ({com} content)"
    if commodity == "lithium" and ("liOH".lower() in b or "carbonate" in b):
        return None, f"basis {basis!r}: lithium compound without a known factor"
    if _METAL.search(b):
        return capacity * rate, f"{basis} counted as {commodity} content"
    return None, f"basis {basis!r} not recognised as {commodity} content"


# ---------------------------------------------------------------------------------------
# Reading the property graph


#: The edge kinds the analyses read through :func:`_edges` (indexed once per graph); the
#: others (location, ownership, shipping: most edges of a large graph) are scanned on request.
_INDEXED_KINDS = frozenset({"PRODUCES", "STATISTIC", "TRADES", "IMPORT_RELIANCE", "HOLDS_RESERVES", "SUPPLIES"})


class _Columns(Sequence[tuple[Any, ...]]):
    """Rows of equal length stored as parallel lists (one per field), read as tuples.

    An index over millions of edges holds one pointer per field and edge this way, instead
    of one tuple object per edge (a tuple costs 64 bytes; three pointers 24)."""

    __slots__ = ("cols",)

    def __init__(self, width: int) -> None:
        self.cols: tuple[list[Any], ...] = tuple([] for _ in range(width))

    def append(self, *row: Any) -> None:
        for col, x in zip(self.cols, row, strict=True):
            col.append(x)

    def __len__(self) -> int:
        return len(self.cols[0])

    def __getitem__(self, i):  # an index or a slice, as a list of tuples reads
        if isinstance(i, slice):
            return list(zip(*(c[i] for c in self.cols), strict=True))
        return tuple(c[i] for c in self.cols)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self.cols, strict=True)


_NO_ROWS = _Columns(3)  # an empty index entry (never appended to)


class _GraphIndex:
    """The property graph's edges of :data:`_INDEXED_KINDS` by kind (and by commodity) and
    nodes by kind, each in the graph's own iteration order, so that sums over them add up
    in the same order as a scan of ``G.edges``/``G.nodes`` would. Edges read as
    ``(u, v, attrs)`` and nodes as ``(n, attrs)`` (:class:`_Columns`)."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.n_nodes = G.number_of_nodes()
        self.edges: dict[object, _Columns] = {}
        self.by_commodity: dict[object, dict[str, _Columns]] = {}
        self.nodes: dict[object, _Columns] = {}
        #: Facility and Site nodes, in the graph's order
        self.places = _Columns(2)
        for n, d in G.nodes(data=True):
            kind = d.get("kind")
            nodes = self.nodes.get(kind)
            if nodes is None:
                nodes = self.nodes[kind] = _Columns(2)
            nodes.append(n, d)
            if kind in ("Facility", "Site"):
                self.places.append(n, d)
        #: commodity token of a place's ``commodities`` -> positions in :attr:`places`
        self.places_by_commodity: dict[str, list[int]] = {}
        for i, d in enumerate(self.places.cols[1]):
            for c in set(str(d.get("commodities", "")).split(";")):
                self.places_by_commodity.setdefault(c, []).append(i)

        for u, v, d in G.edges(data=True):
            kind = d.get("kind")
            if kind not in _INDEXED_KINDS:
                continue
            edges = self.edges.get(kind)
            if edges is None:
                edges = self.edges[kind] = _Columns(3)
                self.by_commodity[kind] = {}
            edges.append(u, v, d)
            coms = self.by_commodity[kind]
            c = d.get("commodity")
            if isinstance(c, str) and c:
                coms.setdefault(c, _Columns(3)).append(u, v, d)
            if isinstance(v, str) and v.startswith("commodity:"):
                t = v[len("commodity:") :]
                if t and t != c:
                    coms.setdefault(t, _Columns(3)).append(u, v, d)

    def places_of(self, commodities: set[str]) -> list[tuple[Any, dict]]:
        """Places whose ``commodities`` name one of ``commodities``, in the graph's order."""
        pos = sorted({i for c in commodities for i in self.places_by_commodity.get(c, [])})
        ids, attrs = self.places.cols
        return [(ids[i], attrs[i]) for i in pos]


_GRAPH_INDEX: weakref.WeakKeyDictionary[nx.MultiDiGraph, _GraphIndex] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def _index(G: nx.MultiDiGraph) -> _GraphIndex:
    """The :class:`_GraphIndex` of ``G``, built once per graph (the property graph is
    read-only once built; an index whose node count no longer matches is rebuilt)."""
    idx = _GRAPH_INDEX.get(G)
    if idx is None or idx.n_nodes != G.number_of_nodes():
        with _INDEX_LOCK:
            idx = _GRAPH_INDEX.get(G)
            if idx is None or idx.n_nodes != G.number_of_nodes():
                idx = _GraphIndex(G)
                _GRAPH_INDEX[G] = idx
    return idx


def _edges(G: nx.MultiDiGraph, kind: str, commodity: str | None = None) -> Sequence[tuple[Any, Any, Any]]:
    """Edges of ``kind`` (into ``commodity:<commodity>`` or with that ``commodity``
    attribute, when given), in the graph's order."""
    if kind not in _INDEXED_KINDS:  # the same edges, in the same order, as the index would hold
        return [
            (u, v, d)
            for u, v, d in G.edges(data=True)
            if d.get("kind") == kind
            and (
                not commodity
                or d.get("commodity") == commodity
                or (isinstance(v, str) and v.startswith("commodity:") and v[len("commodity:") :] == commodity)
            )
        ]
    idx = _index(G)
    if not commodity:
        return idx.edges.get(kind, _NO_ROWS)
    return idx.by_commodity.get(kind, {}).get(commodity, _NO_ROWS)


def world_production(
    G: nx.MultiDiGraph, commodity: str, stage: str = "mining", year: int | None = None
) -> tuple[int | None, dict[str, float], dict[str, str]]:
    """(year, {iso3: tonnes}, {iso3: qualifier}) of USGS production at ``stage``.

    Withheld or unavailable values are left out of the tonnes and kept in qualifiers. The
    'World total' is returned under ``WLD``.
    """
    rows = [
        (u.split(":", 1)[1], d)
        for u, v, d in _edges(G, "PRODUCES", commodity)
        if u.startswith("country:") and d.get("measure") == "production" and d.get("stage") == stage
    ]
    years = sorted({d.get("year") for _, d in rows if d.get("year") and d.get("quantity") is not None})
    if not years:
        return None, {}, {}
    y = year if year in years else years[-1]
    tonnes: dict[str, float] = {}
    quals: dict[str, str] = {}
    for iso3, d in rows:
        if d.get("year") != y:
            continue
        q = d.get("quantity")
        if q is not None and d.get("qualifier", "") in ("", "e"):
            tonnes[iso3] = tonnes.get(iso3, 0.0) + float(q) * UNIT_TONNES.get(d.get("unit", "t"), 1.0)
        else:
            quals[iso3] = d.get("qualifier", "")
    return y, tonnes, quals


_CONS_DETAILS = ("", "Apparent", "Apprnt", "Compounds-Metals", "Total")


def us_demand(G: nx.MultiDiGraph, commodity: str, year: int) -> tuple[float | None, str]:
    """U.S. apparent consumption of ``commodity`` in ``year`` (tonnes) and its basis.

    Order: salient ``consumption`` (apparent, or the commodity's single consumption
    column); Table 5 ``apparent_consumption``; production + imports - exports; imports.
    """
    stats = [d for u, v, d in _edges(G, "STATISTIC", commodity) if u == "country:USA" and d.get("year") == year]

    def pick(measure: str, details=_CONS_DETAILS) -> tuple[float | None, str]:
        cands = [
            d
            for d in stats
            if d.get("measure") == measure and d.get("value") is not None and d.get("qualifier", "") in ("", "e")
        ]
        for det in details:
            for d in cands:
                if (d.get("detail") or "") == det:
                    return float(d["value"]) * UNIT_TONNES.get(d.get("unit", "t"), 1.0), d.get("column", measure)
        if len(cands) == 1 and measure != "consumption":
            d = cands[0]
            return float(d["value"]) * UNIT_TONNES.get(d.get("unit", "t"), 1.0), d.get("column", measure)
        return None, ""

    for measure in ("consumption", "apparent_consumption"):
        v, col = pick(measure)
        if v is not None:
            return v, f"apparent consumption ({col})"
    p, _ = pick("production", ("",))
    i, _ = pick("imports", ("",))
    e, _ = pick("exports", ("",))
    if p is not None and i is not None and e is not None:
        return p + i - e, "production + imports - exports"
    if i is not None:
        return i, "imports only (consumption withheld): a lower bound"
    return None, "not published"


def place_control(G: nx.MultiDiGraph, place: str) -> str:
    """Country of control of a place: the control country of its largest owner whose
    control country is known (equal or unknown stakes: the first listed, ``position``);
    with no such owner, the place's own country. cypher/queries/*.cypher use the same rule."""
    owners = []
    for _, comp, d in G.out_edges(place, data=True):
        if d.get("kind") == "OWNED_BY":
            ctrl = G.nodes[comp].get("control_iso3", "")
            if ctrl:
                share = d.get("share_pct") if d.get("share_pct") is not None else -1.0
                owners.append((-share, d.get("position", 999), ctrl))
    if owners:
        return min(owners)[2]
    return G.nodes[place].get("iso3", "")


def _import_sources(G: nx.MultiDiGraph, commodity: str) -> dict[str, int]:
    """USGS's major U.S. import sources (country -> best rank); when bilateral flows from a
    user's trade file (BACI) are in the graph, the exporters with U.S. imports in the latest
    year replace them (rank by value)."""
    observed = [
        (u.split(":", 1)[1], d)
        for u, v, d in _edges(G, "TRADES", commodity)
        if v == "country:USA"
        and d.get("commodity") == commodity
        and d.get("source") == "cepii-baci"
        and (d.get("value_usd") or 0) > 0
    ]
    if observed:
        year = max(int(d["period"]) for _, d in observed)
        by_value: dict[str, float] = {}
        for iso3, d in observed:
            if int(d["period"]) == year:
                by_value[iso3] = by_value.get(iso3, 0.0) + float(d["value_usd"])
        ranked = sorted(by_value, key=lambda k: (-by_value[k], k))
        return {iso3: i + 1 for i, iso3 in enumerate(ranked)}
    best: dict[str, int] = {}
    for u, v, d in _edges(G, "TRADES", commodity):
        if v == "country:USA" and d.get("commodity") == commodity:
            iso3 = u.split(":", 1)[1]
            best[iso3] = min(best.get(iso3, 99), int(d.get("rank") or 99))
    return best


#: Preference among cited processing tables of the same year: the stages the mass balance
#: models (refining, separation) first.
_CITED_STAGE_ORDER = ("refining", "separation", "smelting", "metal_alloy", "anode", "magnet", "precursor_cathode")


def cited_processing_shares(G: nx.MultiDiGraph, commodity: str) -> dict | None:
    """The cited table of country shares of world processing that the model uses, or None.

    Cited shares are ``PRODUCES`` edges with ``measure="world_share_pct"`` at a processing
    stage (``data/processing_shares.csv``); one table per (stage, year, source URL).
    Selection: the **latest year** first; among tables of that year, refining and
    separation before other stages (``_CITED_STAGE_ORDER``), then the table naming the
    largest part of world output, then the source URL (deterministic).

    Returns ``{"stage", "year", "source_url", "shares": {iso3: pct}}`` (``ROW`` = the
    source's rest of world).
    """
    rows = [
        (u.split(":", 1)[1], d)
        for u, v, d in _edges(G, "PRODUCES", commodity)
        if u.startswith("country:")
        and d.get("measure") == "world_share_pct"
        and d.get("quantity") is not None
        and d.get("stage") in PROCESSING_STAGES
    ]
    if not rows:
        return None
    groups: dict[tuple[str, int, str], list[tuple[str, dict]]] = {}
    for iso3, d in rows:
        groups.setdefault((str(d.get("stage")), int(d.get("year") or 0), str(d.get("source_url", ""))), []).append(
            (iso3, d)
        )

    def score(key: tuple[str, int, str]) -> tuple[int, int, float, str]:
        named = sum(float(d["quantity"]) for i, d in groups[key] if i != "ROW")
        order = _CITED_STAGE_ORDER
        stage_rank = order.index(key[0]) if key[0] in order else len(order)
        return (key[1], -stage_rank, named, key[2])

    key = max(groups, key=score)
    return {
        "stage": key[0],
        "year": key[1],
        "source_url": key[2],
        "shares": {i: float(d["quantity"]) for i, d in groups[key]},
    }


def _processing_totals(
    G: nx.MultiDiGraph, commodity: str, world_mined: float, year: int | None, assumptions: list[str]
) -> tuple[str | None, dict[str, float]]:
    """(stage, {iso3: tonnes}) of the processing layer, or (None, {})."""
    for stage in ("refining", "smelting"):
        y, tonnes, _ = world_production(G, commodity, stage, year)
        tonnes = {k: v for k, v in tonnes.items() if k != "WLD"}
        if tonnes:
            assumptions.append(f"processing = USGS {stage} production by country ({y})")
            return stage, tonnes
    cited = cited_processing_shares(G, commodity)
    if cited is not None:
        stage_pref, y, src, table = cited["stage"], cited["year"], cited["source_url"], cited["shares"]
        out = {i: world_mined * pct / 100.0 for i, pct in table.items() if i != "ROW"}
        covered = sum(out.values())
        if covered < world_mined:
            out["ROW"] = out.get("ROW", 0.0) + world_mined - covered
        assumptions.append(
            f"processing = cited {stage_pref} shares ({y}: "
            + ", ".join(f"{i} {pct:g}%" for i, pct in sorted(table.items()))
            + f"; {src}) "
            "x world mine production (mass balance); the share no source names is rest:ROW; "
            "of several cited tables the latest year is used"
        )
        return stage_pref, out
    assumptions.append("no processing data: mined material goes straight to export (processing not modelled)")
    return None, {}


def _facilities(G: nx.MultiDiGraph, commodity: str, stage: str, params: FlowParams) -> list[dict]:
    members = {commodity, *group_members(commodity)}
    out = []
    for n, d in _index(G).places_of(members):  # the places with one of the members
        stages = str(d.get("stages", "")).split(";")
        if stage not in stages and not (stage == "refining" and d.get("place_kind") == "refinery"):
            continue
        status = d.get("status", "unknown")
        cap_com = d.get("capacity_commodity") or ""
        t, note = (
            (None, "capacity is for another commodity")
            if cap_com and cap_com != commodity
            else capacity_tonnes(d.get("capacity"), d.get("capacity_unit", ""), d.get("capacity_basis", ""), commodity)
        )
        ports = [v for _, v, e in G.out_edges(n, data=True) if e.get("kind") == "SHIPS_VIA"]
        out.append(
            {
                "id": n,
                "name": d.get("name", n),
                "iso3": d.get("iso3", ""),
                "tonnes": t,
                "note": note,
                "status": status,
                "control_iso3": place_control(G, n),
                "ports": sorted(ports)[:1],
                "operating": status in params.operating_statuses,
            }
        )
    return out


def build_supply_network(G: nx.MultiDiGraph, commodity: str, params: FlowParams | None = None) -> nx.DiGraph:
    """The supply network of ``commodity`` (see the module docstring).

    Node attributes: ``role``, ``iso3``, ``control_iso3``, ``stage``, ``label`` and, for
    facilities and ports, ``graph_id`` (the property-graph node). Edge attribute
    ``capacity`` (t/yr; absent = unbounded). Graph attributes: ``commodity``, ``year``,
    ``demand`` ({"USA": tonnes}), ``demand_basis``, ``assumptions``, ``excluded``
    (facilities without convertible capacity, with reasons), ``supply_stage`` (stage of the
    first layer; ``None`` when unknown) and ``not_modelled`` (empty, or why the commodity
    has no network: e.g. USGS publishes no quantities).
    """
    params = params or FlowParams()
    commodity_by_id(commodity)
    assumptions: list[str] = list(params.notes)
    first_stage: str | None = "mining"
    year, mined, quals = world_production(G, commodity, "mining", params.year)
    if year is None:  # e.g. gallium: USGS publishes refinery production only
        first_stage = None
        for layer in ("refining", "smelting", "metal_alloy"):
            year, mined, quals = world_production(G, commodity, layer, params.year)
            if year is not None:
                first_stage = layer
                assumptions.append(f"no USGS mine production: the supply layer is USGS {layer} production")
                break
    net = nx.DiGraph(
        commodity=commodity,
        year=year,
        assumptions=assumptions,
        excluded=[],
        demand={},
        demand_basis={},
        supply_stage=first_stage,
        not_modelled="",
    )
    net.add_node(SOURCE, role="source", label="supply")
    if year is None:
        # e.g. germanium: USGS publishes a refinery table whose every value is NA or W
        published = sorted(
            {
                d.get("stage")
                for u, v, d in _edges(G, "PRODUCES", commodity)
                if u.startswith("country:") and d.get("measure") == "production"
            }
        )
        net.graph["supply_stage"] = published[0] if len(published) == 1 else None
        why = (
            f"USGS publishes {'/'.join(published)} production by country without quantities (NA/W)"
            if published
            else "no USGS production for this commodity"
        )
        net.graph["not_modelled"] = why
        assumptions.append(f"{why}: not modelled")
        return net
    assert first_stage is not None  # a year was found for one of the stages, which set it
    world_total = mined.pop("WLD", None)
    if not params.include_other_countries:
        mined.pop("ROW", None)
    if quals:
        assumptions.append(
            f"withheld/NA {first_stage} production left out: "
            + ", ".join(f"{k} ({v})" for k, v in sorted(quals.items()))
        )
    world_mined = sum(mined.values())
    assumptions.append(
        f"{first_stage} = USGS production by country ({year}); sum {world_mined:,.0f} t"
        + (f", USGS world total {world_total:,.0f} t" if world_total else "")
    )
    for iso3, t in sorted(mined.items()):
        m = f"mine:{iso3}"
        net.add_node(
            m,
            role="mine",
            iso3=iso3,
            control_iso3=iso3,
            stage=first_stage,
            label=f"{iso3} {'mines' if first_stage == 'mining' else first_stage}",
        )
        net.add_edge(SOURCE, m, capacity=t)
    if first_stage == "mining":
        stage, proc = _processing_totals(G, commodity, world_mined, params.year, assumptions)
    else:
        stage, proc = None, {}
    net.add_node("pool:mined", role="pool", label="world mined supply")
    for iso3 in mined:
        net.add_edge(f"mine:{iso3}", "pool:mined")
    countries: dict[str, float] = {}
    if stage is None:
        if first_stage == "mining":
            assumptions.append(
                "without processing data, processing is assumed to take place where the ore is "
                "mined: country supply nodes carry both stages (mining;refining)"
            )
        for iso3, t in mined.items():
            countries[iso3] = t
            _country(net, iso3, first_stage)
            net.nodes[f"mine:{iso3}"]["stages"] = f"{first_stage};refining" if first_stage == "mining" else first_stage
            net.nodes[f"out:{iso3}"]["stages"] = net.nodes[f"mine:{iso3}"]["stages"]
            net.add_edge(f"mine:{iso3}", f"out:{iso3}")
        net.remove_node("pool:mined")
    else:
        facs = _facilities(G, commodity, stage, params) if params.split_registered_facilities else []
        for iso3, total in sorted(proc.items()):
            countries[iso3] = total
            _country(net, iso3, stage)
            mine_fac = [f for f in facs if f["iso3"] == iso3 and f["operating"] and f["tonnes"]]
            split = 0.0
            for f in sorted(mine_fac, key=lambda f: f["id"]):
                fid = f"fac:{f['id']}"
                net.add_node(
                    fid,
                    role="facility",
                    iso3=iso3,
                    control_iso3=f["control_iso3"],
                    stage=stage,
                    label=f["name"],
                    graph_id=f["id"],
                )
                net.add_edge("pool:mined", fid, capacity=f["tonnes"])
                split += f["tonnes"]
                if f["ports"]:
                    p = f["ports"][0]
                    pn = f"port:{p.split(':', 1)[1]}"
                    net.add_node(
                        pn,
                        role="port",
                        iso3=G.nodes[p].get("iso3", ""),
                        control_iso3="",
                        stage="port",
                        label=G.nodes[p].get("name", p),
                        graph_id=p,
                    )
                    net.add_edge(fid, pn)
                    net.add_edge(pn, f"out:{iso3}")
                else:
                    net.add_edge(fid, f"out:{iso3}")
            rest = max(0.0, total - split)
            if rest > 0:
                r = f"rest:{iso3}"
                net.add_node(
                    r,
                    role="rest",
                    iso3=iso3,
                    control_iso3=iso3,
                    stage=stage,
                    label=f"rest of {iso3} {stage} (unregistered)",
                )
                net.add_edge("pool:mined", r, capacity=rest)
                net.add_edge(r, f"out:{iso3}")
            if split > total:
                assumptions.append(
                    f"{iso3}: registered capacity {split:,.0f} t exceeds the country total "
                    f"{total:,.0f} t; out:{iso3} caps it"
                )
        net.graph["excluded"] = [
            {"id": f["id"], "iso3": f["iso3"], "reason": f["note"] if not f["tonnes"] else f"status {f['status']}"}
            for f in facs
            if not (f["operating"] and f["tonnes"] and f["iso3"] in proc)
        ]
    # Country outputs -> U.S. demand
    demand, basis = us_demand(G, commodity, year)
    net.graph["demand_basis"]["USA"] = basis
    sources = _import_sources(G, commodity)
    if demand is not None:
        net.graph["demand"]["USA"] = demand
        net.add_node("demand:USA", role="demand", iso3="USA", label="U.S. apparent consumption")
        unnamed = sorted(set(sources) - set(countries) - {"ROW"})
        for iso3 in countries:
            if iso3 == "USA" or not params.restrict_to_import_sources or iso3 in sources or (iso3 == "ROW" and unnamed):
                net.add_edge(f"out:{iso3}", "demand:USA")
        if unnamed and "ROW" in countries:
            assumptions.append(
                f"import sources without their own node ({', '.join(unnamed)}) are served by the "
                "unnamed rest of world (out:ROW)"
            )
        assumptions.append(
            f"U.S. demand {demand:,.0f} t ({basis}); suppliers: U.S. + USGS major import sources {sorted(sources)}"
        )
    else:
        assumptions.append("U.S. demand not published: shortfalls cannot be computed")
    for iso3, total in countries.items():
        net.nodes[f"out:{iso3}"]["total"] = total
        # cap each country's output at its published total
        _cap_country(net, iso3, total)
    return net


def network_of(
    G: nx.MultiDiGraph,
    commodity: str,
    params: FlowParams | None = None,
    networks: Mapping[str, nx.DiGraph] | None = None,
) -> nx.DiGraph:
    """The supply network of ``commodity``: the prebuilt one from ``networks`` when given
    (e.g. :attr:`minerals_graph.model.SupplyModel.network`, built once per commodity),
    else :func:`build_supply_network` of ``G`` with ``params``.

    Analyses take ``networks`` so that several of them share one build; a prebuilt
    network must have been built from ``G`` with the same ``params``.
    """
    if networks is not None and commodity in networks:
        return networks[commodity]
    return build_supply_network(G, commodity, params)


def _country(net: nx.DiGraph, iso3: str, stage: str = "mining") -> None:
    net.add_node(f"out:{iso3}", role="country", iso3=iso3, control_iso3=iso3, stage=stage, label=f"{iso3} output")


def _cap_country(net: nx.DiGraph, iso3: str, total: float) -> None:
    """Split ``out:X`` into ``out:X`` -> ``cap:X`` with capacity ``total`` (a node capacity)."""
    o, c = f"out:{iso3}", f"cap:{iso3}"
    succ = list(net.successors(o))
    net.add_node(c, role="pool", iso3=iso3, label=f"{iso3} output cap")
    for s in succ:
        net.add_edge(c, s, **net.edges[o, s])
        net.remove_edge(o, s)
    net.add_edge(o, c, capacity=total)


def max_supply(
    net: nx.DiGraph,
    demand: str = "demand:USA",
    removed: frozenset[str] = frozenset(),
) -> float:
    """Maximum flow from ``S`` to ``demand`` with ``removed`` nodes taken out (the network
    is not changed: a restricted view is used), capped by the demand itself."""
    if demand not in net or SOURCE in removed or demand in removed:
        return 0.0
    view = nx.restricted_view(net, list(removed), []) if removed else net
    value = nx.maximum_flow_value(view, SOURCE, demand, capacity="capacity")
    cap = net.graph.get("demand", {}).get(demand.split(":", 1)[1])
    return float(min(value, cap) if cap is not None else value)


def flow_through(
    net: nx.DiGraph, demand: str = "demand:USA", removed: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Flow through each node in one maximum flow to ``demand`` (deterministic for a given
    network). Used to say which nodes carry the supply."""
    if demand not in net or demand in removed:
        return {}
    view = nx.DiGraph(nx.restricted_view(net, list(removed), [])) if removed else nx.DiGraph(net)
    cap = net.graph.get("demand", {}).get(demand.split(":", 1)[1])
    if cap is not None:  # a sink edge caps the flow at the demand
        view.add_edge(demand, "T*", capacity=cap)
        target = "T*"
    else:
        target = demand
    _, flows = nx.maximum_flow(view, SOURCE, target, capacity="capacity")
    through: dict[str, float] = {}
    for _, outs in flows.items():
        for v, f in outs.items():
            if f > 0:
                through[v] = through.get(v, 0.0) + f
    through.pop("T*", None)
    return through
