"""What-if: remove nodes by filter, optionally add hypothetical capacity, and report the
supply of each commodity to each demand before and after.

The base graph and the supply networks are never changed: removals are restricted views
and additions are made on a copy. Deterministic for the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import (
    ARTEFACT_ROLES,
    SOURCE,
    FlowParams,
    max_supply,
    network_of,
)
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import PROCESSING_STAGES

__all__ = [
    "NodeFilter",
    "Addition",
    "ExportBlock",
    "Preset",
    "PRESETS",
    "all_presets",
    "export_control_presets",
    "PRESET_DESCRIPTIONS",
    "parse_filter",
    "parse_addition",
    "select_nodes",
    "validate_request",
    "run_whatif",
    "WHATIF_COLUMNS",
    "STRUCTURED_COLUMNS",
]


@dataclass(frozen=True)
class NodeFilter:
    """Nodes matching every given criterion (each criterion: any of its values).

    ``countries``: where the node is (ISO3); ``control``: country of control;
    ``stages``: supply-chain stage; ``roles``: mine, facility, rest, country, port;
    ``ids``: supply-network ids (``fac:…``, ``port:wpi-…``) or property-graph ids
    (``facility:…``, ``port:wpi-…``); ``commodities``: only these commodities' networks.
    """

    countries: frozenset[str] = frozenset()
    control: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    commodities: frozenset[str] = frozenset()

    def matches(self, node: str, attrs: dict, commodity: str) -> bool:
        if attrs.get("role") in ARTEFACT_ROLES or node.startswith("cap:"):
            return False
        checks = [
            (self.countries, attrs.get("iso3")),
            (self.control, attrs.get("control_iso3")),
            (self.roles, attrs.get("role")),
            (self.commodities, commodity),
        ]
        if any(vals and value not in vals for vals, value in checks):
            return False
        stages = set(str(attrs.get("stages") or attrs.get("stage", "")).split(";"))
        if self.stages and not self.stages & stages:
            return False
        return not self.ids or node in self.ids or attrs.get("graph_id") in self.ids


@dataclass(frozen=True)
class Addition:
    """Hypothetical new capacity: ``capacity_t`` t/yr of ``commodity`` at ``stage`` in ``iso3``."""

    commodity: str
    iso3: str
    capacity_t: float
    stage: str = "refining"
    name: str = "hypothetical plant"
    #: Where the output goes after the country's own demand (ISO3); "" = its export partners by trade share.
    dest: str = ""


@dataclass(frozen=True)
class ExportBlock:
    """Stop ``exporter``'s exports of ``commodities`` to ``destinations`` (ISO3): an export
    control. The exporter's output stays in the world (it still serves other countries and
    third-country processors); only its direct shipments to the destinations stop, at the
    stage the commodity's network trades (its output stage)."""

    exporter: str
    commodities: frozenset[str]
    destinations: frozenset[str] = frozenset({"USA", "CAN", "MEX"})
    label: str = ""


@dataclass(frozen=True)
class Preset:
    """A named scenario: what it removes or blocks, the commodities it concerns (empty:
    every modelled one), a description and its citations (``{"label", "url"}``)."""

    name: str
    description: str
    remove: tuple[NodeFilter | ExportBlock, ...]
    commodities: tuple[str, ...] = ()
    citations: tuple[tuple[str, str], ...] = ()
    date: str = ""
    kind: str = "removal"


#: Named scenarios: a list of filters whose matches are removed together.
PRESETS: dict[str, tuple[NodeFilter, ...]] = {
    "prc-refining-cutoff": (
        NodeFilter(countries=frozenset({"CHN"}), stages=frozenset(PROCESSING_STAGES)),
        NodeFilter(control=frozenset({"CHN"}), stages=frozenset(PROCESSING_STAGES)),
    ),
    "prc-mining-cutoff": (NodeFilter(countries=frozenset({"CHN"}), stages=frozenset({"mining"})),),
    "prc-all-cutoff": (NodeFilter(countries=frozenset({"CHN"})), NodeFilter(control=frozenset({"CHN"}))),
}
PRESET_DESCRIPTIONS = {
    "prc-refining-cutoff": "remove every processing, refining, separation, metal and magnet node located in "
    "the PRC or controlled from it",
    "prc-mining-cutoff": "remove PRC mine supply",
    "prc-all-cutoff": "remove every node located in or controlled from the PRC",
}


def _iso_date(d: object) -> str:
    return str(d or "")[:10]


def export_control_presets(
    G: nx.MultiDiGraph, *, country: str = "CHN", modelled: Iterable[str] | None = None
) -> dict[str, Preset]:
    """One preset per export control of ``country`` in force (``EXPORT_CONTROL`` edges: USGS
    MCS 2026 Table 4, each with the announcement where ``data/export_control_announcements.csv``
    found it), named ``prc-export-control-<commodity>``, plus ``prc-export-controls-all``
    (every control at once). Each blocks the country's exports of the controlled commodity
    to the U.S., Canada and Mexico (:class:`ExportBlock`); licences are assumed denied to all
    three (an upper bound where a control covers only some forms, e.g. seven medium and
    heavy rare earths, or some items, e.g. battery technology). ``modelled``: commodities
    with a supply network; the others are listed with no commodity to run."""
    prefix = "prc" if country == "CHN" else country.lower()
    ok = set(modelled) if modelled is not None else None
    rows: dict[str, list[dict]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "EXPORT_CONTROL" and u == f"country:{country}":
            rows.setdefault(v.split(":", 1)[1], []).append(d)
    out: dict[str, Preset] = {}
    every: list[str] = []
    for com in sorted(rows):
        ds = sorted(rows[com], key=lambda d: (int(d.get("year") or 0), str(d.get("item", ""))))
        d = ds[0]
        runnable = ok is None or com in ok
        cites: list[tuple[str, str]] = []
        for x in ds:
            if x.get("announcement"):
                cites.append(
                    (
                        f"{x['announcement']} ({_iso_date(x.get('date_announced'))})",
                        str(x.get("announcement_url") or x.get("announcement_source_url") or ""),
                    )
                )
        cites.append(
            (
                f"USGS MCS 2026 Table 4: {country} {d.get('item', com)}, "
                f"{d.get('control_type', '')}, {d.get('year', '')}",
                str(d.get("source_url") or ""),
            )
        )
        if d.get("official_url"):
            cites.append(("official notice as USGS cites it", str(d["official_url"])))
        date = _iso_date(d.get("date_effective")) or str(d.get("year", ""))
        scope = f" ({d['scope']})" if d.get("scope") else ""
        desc = (
            f"{country} export control on {d.get('item', com)}{scope} in force since {date}: its exports to "
            "the U.S., Canada and Mexico stop (licences denied); its production stays in the world"
            + ("" if runnable else f"; {com} is not modelled (no supply network): nothing to run")
        )
        name = f"{prefix}-export-control-{com.replace('_', '-')}"
        out[name] = Preset(
            name,
            desc,
            (ExportBlock(country, frozenset({com}), label=f"{country} export control on {d.get('item', com)}"),)
            if runnable
            else (),
            (com,) if runnable else (),
            tuple(cites),
            date,
            "export-control",
        )
        if runnable:
            every.append(com)
    if every:
        name = f"{prefix}-export-controls-all"
        out[name] = Preset(
            name,
            f"every {country} export control in force at once ({', '.join(every)}): exports of each to the "
            "U.S., Canada and Mexico stop",
            (ExportBlock(country, frozenset(every), label=f"{country} export controls"),),
            tuple(every),
            tuple(c for p in out.values() for c in p.citations[:1]),
            "",
            "export-control",
        )
    return out


def all_presets(G: nx.MultiDiGraph | None = None, *, modelled: Iterable[str] | None = None) -> dict[str, Preset]:
    """The fixed removal presets (:data:`PRESETS`) and, given the graph, its export-control
    presets (:func:`export_control_presets`)."""
    out = {k: Preset(k, PRESET_DESCRIPTIONS[k], v) for k, v in PRESETS.items()}
    if G is not None:
        out.update(export_control_presets(G, modelled=modelled))
    return out


#: Filter keys of :func:`parse_filter` -> :class:`NodeFilter` fields (singular and plural
#: spellings; ``port`` takes WPI numbers). ``role`` is the supply-network role.
_KEYS = {
    "country": "countries",
    "countries": "countries",
    "control": "control",
    "stage": "stages",
    "stages": "stages",
    "role": "roles",
    "roles": "roles",
    "id": "ids",
    "ids": "ids",
    "port": "ids",
    "commodity": "commodities",
    "commodities": "commodities",
}


def parse_filter(text: str) -> NodeFilter:
    """``"country=CHN;stage=refining,separation"`` -> NodeFilter. Raises with the bad part."""
    kw: dict[str, set[str]] = {}
    for part in (p.strip() for p in text.split(";") if p.strip()):
        if "=" not in part:
            raise MineralsGraphError(f"filter part {part!r}: expected key=value[,value…]")
        k, v = part.split("=", 1)
        key = _KEYS.get(k.strip().lower())
        if key is None:
            raise MineralsGraphError(
                f"filter key {k!r} is unknown{_near(k.strip().lower(), _KEYS)}; keys: {', '.join(sorted(set(_KEYS)))}"
            )
        vals = {x.strip() for x in v.split(",") if x.strip()}
        if key == "ids" and k.strip().lower() == "port":
            vals = {x if x.startswith("port:") else f"port:wpi-{x}" for x in vals}
        if key in ("countries", "control"):
            bad = [x for x in vals if not re.fullmatch(r"[A-Z]{3}", x)]
            if bad:
                raise MineralsGraphError(f"filter {k}={v}: {bad} are not ISO3 codes")
        kw.setdefault(key, set()).update(vals)
    if not kw:
        raise MineralsGraphError(f"filter {text!r} is empty")
    return NodeFilter(**{k: frozenset(v) for k, v in kw.items()})


_ADD_KEYS = ("commodity", "iso3", "capacity_t", "stage", "name", "dest")


def parse_addition(text: str) -> Addition:
    """``"commodity=lithium,iso3=USA,capacity_t=20000,stage=refining,name=New plant[,dest=USA]"``."""
    parts = [p for p in text.split(",") if p.strip()]
    bad = [p for p in parts if "=" not in p]
    kw = {k.strip().lower(): v for k, v in (p.split("=", 1) for p in parts if "=" in p)}
    unknown = [k for k in kw if k not in _ADD_KEYS]
    if bad or unknown:
        what = (
            f"part {bad[0]!r} is not key=value"
            if bad
            else f"key {unknown[0]!r} is unknown{_near(unknown[0], _ADD_KEYS)}"
        )
        raise MineralsGraphError(f"addition {text!r}: {what}; keys: {', '.join(_ADD_KEYS)}")
    try:
        return Addition(
            commodity=kw["commodity"].strip(),
            iso3=kw["iso3"].strip(),
            capacity_t=float(kw["capacity_t"]),
            stage=kw.get("stage", "refining").strip(),
            name=kw.get("name", "hypothetical plant").strip(),
            dest=kw.get("dest", "").strip(),
        )
    except (KeyError, ValueError) as exc:
        raise MineralsGraphError(
            f"addition {text!r}: expected commodity=…,iso3=…,capacity_t=<number>[,stage=…][,name=…][,dest=ISO3] ({exc})"
        ) from None


def _near(value: str, choices: Iterable[str]) -> str:
    import difflib

    m = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {m[0]!r}?)" if m else ""


def _check(what: str, values: Iterable[str], valid: Iterable[str], *, show_all: bool = True) -> None:
    ok = set(valid)
    for v in sorted(set(values)):
        if v not in ok:
            listing = f"; valid: {', '.join(sorted(ok))}" if show_all else ""
            raise MineralsGraphError(f"unknown {what} {v!r}{_near(v, ok)}{listing}")


def validate_request(
    filters: Iterable[NodeFilter | ExportBlock],
    additions: Iterable[Addition],
    *,
    countries: Iterable[str],
    commodities: Iterable[str],
) -> None:
    """Check every filter key value and addition against the valid choices (``countries``:
    ISO3 codes of the model; ``commodities``: the modelled ones). Raises
    :class:`~minerals_graph.errors.MineralsGraphError` naming the bad value with the nearest
    valid one (and the list, where short). The CLI and the API both call this."""
    from minerals_graph.analysis.flow import REAL_ROLES
    from minerals_graph.schema import STAGES

    iso = set(countries)
    coms = set(commodities)
    for f in filters:
        if isinstance(f, ExportBlock):
            _check("country", [f.exporter, *f.destinations], iso, show_all=False)
            _check("commodity", f.commodities, coms)
            continue
        _check("stage", f.stages, STAGES)
        _check("country", f.countries, iso, show_all=False)
        _check("control country", f.control, iso, show_all=False)
        _check("role", f.roles, REAL_ROLES)
        _check("commodity", f.commodities, coms)
    for a in additions:
        _check("commodity", [a.commodity], coms)
        _check("country", [a.iso3], iso, show_all=False)
        if a.dest:
            _check("destination country", [a.dest], iso, show_all=False)
        _check("stage", [a.stage], STAGES)
        if not (a.capacity_t > 0) or a.capacity_t != a.capacity_t or a.capacity_t > 1e9:
            raise MineralsGraphError(f"capacity_t {a.capacity_t!r}: expected a number > 0 and <= 1e9 (t/yr)")


def select_nodes(net: nx.DiGraph, filters: Iterable[NodeFilter | ExportBlock]) -> frozenset[str]:
    """Supply-network nodes matched by any filter (export blocks remove no node)."""
    c = net.graph.get("commodity", "")
    fs = [f for f in filters if isinstance(f, NodeFilter)]
    return frozenset(n for n, a in net.nodes(data=True) for f in fs if f.matches(n, a, c))


def _with_additions(net: nx.DiGraph, additions: Iterable[Addition]) -> nx.DiGraph:
    adds = [a for a in additions if a.commodity == net.graph.get("commodity")]
    if not adds:
        return net
    H = net.copy()
    for i, a in enumerate(adds, start=1):
        n = f"add:{i}"
        H.add_node(
            n, role="facility", iso3=a.iso3, control_iso3=a.iso3, stage=a.stage, label=a.name, dest=a.dest, added=True
        )
        if a.stage in ("mining", "concentrating") and "pool:mined" in H:
            # new mine output: more feed for the processors still standing (not a processor)
            H.nodes[n]["role"] = "mine"
            H.add_edge(SOURCE, n, capacity=a.capacity_t)
            H.add_edge(n, "pool:mined")
            continue
        feed = "pool:mined" if "pool:mined" in H else SOURCE
        H.add_edge(feed, n, capacity=a.capacity_t)
        # optimistic bound (U.S. priority): the U.S. may draw on new capacity in any country
        if "demand:USA" in H and (a.dest in ("", "USA")):
            H.add_edge(n, "demand:USA")
    return H


def _removed_suppliers(G: nx.MultiDiGraph, net: nx.DiGraph, filters: tuple[NodeFilter, ...]) -> frozenset[str]:
    """Countries without a node in ``net`` that a filter would remove as a country node of
    the network's output stage (e.g. the PRC as an exporter where its processing is not
    published: the PRC refining cut-off stops its exports too)."""
    if not filters:
        return frozenset()
    c = str(net.graph.get("commodity", ""))
    ref: dict = next((a for _, a in net.nodes(data=True) if a.get("role") == "country"), {})
    stage, stages = ref.get("stage", ""), ref.get("stages", "")
    have = {a.get("iso3") for _, a in net.nodes(data=True) if a.get("role") == "country"}
    out = set()
    for n in G:
        if not str(n).startswith("country:"):
            continue
        iso = str(n).split(":", 1)[1]
        if iso in have:
            continue
        attrs = {"role": "country", "iso3": iso, "control_iso3": iso, "stage": stage, "stages": stages}
        if any(f.matches(f"out:{iso}", attrs, c) for f in filters):
            out.add(iso)
    return frozenset(out)


def _blocked(blocks: Iterable[ExportBlock], commodity: str) -> dict[str, frozenset[str]]:
    """``{importer: exporters}`` stopped for ``commodity`` by ``blocks``."""
    out: dict[str, set[str]] = {}
    for b in blocks:
        if commodity in b.commodities:
            for d in b.destinations:
                out.setdefault(d, set()).add(b.exporter)
    return {k: frozenset(v) for k, v in out.items()}


def _without_links(net: nx.DiGraph, exporters: frozenset[str], demand: str) -> nx.DiGraph:
    """``net`` without the links from the ``exporters``' output to ``demand`` (a view)."""
    if not exporters or demand not in net:
        return net
    cut = [(u, demand) for u in net.predecessors(demand) if net.nodes[u].get("iso3") in exporters]
    return nx.restricted_view(net, [], cut) if cut else net


def _world_supply(net: nx.DiGraph, removed: frozenset[str]) -> float:
    H = nx.DiGraph(nx.restricted_view(net, list(removed), [])) if removed else nx.DiGraph(net)
    caps = [n for n in H if n.startswith("cap:")]
    for c in caps:
        H.add_edge(c, "T*")
    if not caps or SOURCE not in H:
        return 0.0
    return float(nx.maximum_flow_value(H, SOURCE, "T*", capacity="capacity"))


WHATIF_COLUMNS = [
    "commodity",
    "year",
    "demand",
    "demand_t",
    "demand_basis",
    "supply_before_t",
    "supply_after_t",
    "shortfall_t",
    "shortfall_pct_of_demand",
    "shortfall_low_t",
    "shortfall_low_pct_of_demand",
    "shortfall_high_t",
    "shortfall_high_pct_of_demand",
    "reason",
    "evidence",
    "evidence_basis",
    "supply_after_priority_t",
    "supply_after_proportional_t",
    "shortfall_proportional_t",
    "removed_nodes",
    "removed",
    "carriers_after",
    "status",
    "assumptions",
    "removed_ids",
    "carriers",
]
#: Columns holding data rather than scalars: ``removed_ids`` (list of supply-network ids,
#: sorted) and ``carriers`` (list of ``{"id", "label", "flow_t"}``, largest flow first).
STRUCTURED_COLUMNS = ("removed_ids", "carriers")


def _pct(x: float | None, d: float | None) -> float | None:
    return round(100 * x / d, 2) if x is not None and d else None


def run_whatif(
    G: nx.MultiDiGraph,
    remove: Iterable[NodeFilter | ExportBlock] = (),
    add: Iterable[Addition] = (),
    commodities: Iterable[str] = (),
    *,
    params: FlowParams | None = None,
    networks: Mapping[str, nx.DiGraph] | None = None,
) -> pd.DataFrame:
    """Supply before and after the scenario, per commodity and demand (USA, CAN, MEX, USMCA).

    ``networks``: prebuilt supply networks by commodity (built from ``G`` with
    ``params``; never changed here); a commodity missing from it is built here.

    The headline ``shortfall_t`` (and ``supply_after_t``) is the realistic allocation of
    :mod:`minerals_graph.analysis.allocation` (domestic output first, imports by
    pre-disruption trade shares, third-country processors limited by the feed still
    reaching them); ``shortfall_low_t``/``shortfall_high_t`` are the optimistic and
    pessimistic bounds, each with its % of demand; ``reason`` says in one line which stage
    and whose share; ``evidence`` which trade evidence gave the shares (``baci``,
    ``usgs-share``, ``rank``). ``supply_after_priority_t`` is the U.S.-priority maximum
    flow and ``supply_after_proportional_t`` the old proportional bound (kept for
    comparison). User additions are never removed by a filter.
    """
    from minerals_graph.analysis.allocation import DEMANDS, allocate

    items = tuple(remove)
    filters = tuple(f for f in items if isinstance(f, NodeFilter))
    blocks = tuple(b for b in items if isinstance(b, ExportBlock))
    additions = tuple(add)
    rows = []
    for c in commodities:
        base = network_of(G, c, params, networks)
        net = _with_additions(base, additions)
        removed = frozenset(n for n in select_nodes(net, filters) if not n.startswith("add:"))
        blocked = _blocked(blocks, c)
        stopped = [
            f"{b.label or b.exporter + ' exports'}: {b.exporter} -> {', '.join(sorted(b.destinations))} stopped"
            for b in blocks
            if c in b.commodities
        ]
        common = {
            "commodity": c,
            "year": net.graph.get("year"),
            "assumptions": " | ".join(net.graph["assumptions"]),
            "removed_nodes": len(removed),
            "removed": "; ".join([*sorted(net.nodes[n].get("label", n) for n in removed), *stopped])[:2000],
            "removed_ids": sorted(removed),
            "carriers": [],
        }
        if net.graph.get("not_modelled"):
            for dem in DEMANDS:
                rows.append(
                    {
                        **common,
                        "demand": dem,
                        "status": f"not modelled: {net.graph['not_modelled']}",
                        "demand_basis": net.graph["demand_basis"].get("USA", "") if dem == "USA" else "",
                    }
                )
            continue
        priority = prop = None
        if "demand:USA" in net:
            d = net.graph["demand"]["USA"]
            before = max_supply(base, "demand:USA")
            priority = max_supply(
                _without_links(net, blocked.get("USA", frozenset()), "demand:USA"), "demand:USA", removed
            )
            w0, w1 = _world_supply(base, frozenset()), _world_supply(net, removed)
            prop = min(before * (w1 / w0) if w0 > 0 else 0.0, priority, d)
        allocs = allocate(
            G,
            net,
            removed,
            optimistic_usa=priority,
            removed_suppliers=_removed_suppliers(G, net, filters),
            blocked=blocked,
        )
        for dem in DEMANDS:
            al = allocs[dem]
            d = al.demand_t
            row = {**common, "demand": dem, "demand_basis": al.demand_basis, "status": al.status}
            if al.supply_t is not None and d:
                sf, lo, hi = d - al.supply_t, d - (al.supply_high_t or 0.0), d - (al.supply_low_t or 0.0)
                row.update(
                    {
                        "demand_t": round(d, 3),
                        "supply_before_t": round(al.supply_before_t or 0.0, 3),
                        "supply_after_t": round(al.supply_t, 3),
                        "shortfall_t": round(sf, 3),
                        "shortfall_pct_of_demand": _pct(sf, d),
                        "shortfall_low_t": round(lo, 3),
                        "shortfall_low_pct_of_demand": _pct(lo, d),
                        "shortfall_high_t": round(hi, 3),
                        "shortfall_high_pct_of_demand": _pct(hi, d),
                        "reason": al.reason,
                        "evidence": al.evidence,
                        "evidence_basis": al.evidence_basis,
                        "carriers_after": "; ".join(f"{x['label']} ({x['flow_t']:,.0f} t)" for x in al.carriers),
                        "carriers": al.carriers,
                    }
                )
                if dem == "USA" and priority is not None and prop is not None:
                    row.update(
                        {
                            "supply_after_priority_t": round(priority, 3),
                            "supply_after_proportional_t": round(prop, 3),
                            "shortfall_proportional_t": round(d - prop, 3),
                        }
                    )
            elif d:
                row["demand_t"] = round(d, 3)
            rows.append(row)
    df = pd.DataFrame(rows, columns=WHATIF_COLUMNS)
    # a commodity without USGS quantities has no year: keep the others plain ints, not floats
    df["year"] = pd.Series([None if y is None or pd.isna(y) else int(y) for y in df["year"]], dtype=object)
    return df
