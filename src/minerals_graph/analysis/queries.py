"""Python twins of the Cypher analysis library (``cypher/queries/*.cypher``).

Each function answers the same question as the query of the same name, on a networkx
graph, with the same rules; the test suite checks that the Cypher query run over Bolt
returns exactly these rows on the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from minerals_graph.analysis.flow import place_control

__all__ = [
    "prc_controlled_capacity",
    "paths_to_us",
    "single_source",
    "supply_without_prc_refining",
    "facility_chain",
    "export_controls",
    "trace_named_suppliers",
]


def _produces(G: nx.MultiDiGraph, p: str):
    for _, c, d in G.out_edges(p, data=True):
        if d.get("kind") == "PRODUCES":
            yield c, d


def prc_controlled_capacity(G: nx.MultiDiGraph, country: str, stages: Iterable[str]) -> list[dict]:
    """Per commodity and stage: operating places, how many located in / controlled from
    ``country``, and their t/yr capacity of that commodity (all and controlled)."""
    stages = set(stages)
    acc: dict[tuple[str, str], dict] = {}
    for p, d in G.nodes(data=True):
        if d.get("kind") not in ("Site", "Facility") or d.get("status") != "operating":
            continue
        control = place_control(G, p)
        for c, e in _produces(G, p):
            if e.get("stage") not in stages:
                continue
            row = acc.setdefault(
                (c, e["stage"]),
                {
                    "commodity": c,
                    "stage": e["stage"],
                    "places": 0,
                    "located": 0,
                    "controlled": 0,
                    "capacity_t": 0.0,
                    "controlled_capacity_t": 0.0,
                },
            )
            cap = (
                d.get("capacity")
                if (d.get("capacity_unit") == "t/yr" and d.get("capacity_commodity") == c.split(":", 1)[1])
                else None
            )
            row["places"] += 1
            row["located"] += int(d.get("iso3") == country)
            row["controlled"] += int(control == country)
            row["capacity_t"] += cap or 0.0
            row["controlled_capacity_t"] += (cap or 0.0) if control == country else 0.0
    return [acc[k] for k in sorted(acc)]


def paths_to_us(G: nx.MultiDiGraph, commodity: str) -> list[dict]:
    """Plants of ``commodity`` (a commodity node id; members of a group count) in a country
    that supplies the U.S., with their ports and the registered mines that feed them."""
    key = commodity.split(":", 1)[1]
    members = {commodity} | {u for u, v, d in G.in_edges(commodity, data=True) if d.get("kind") == "PART_OF"}
    suppliers = {
        u for u, v, d in G.in_edges("country:USA", data=True) if d.get("kind") == "TRADES" and d.get("commodity") == key
    }
    rows = []
    for f, d in G.nodes(data=True):
        if d.get("kind") != "Facility" or not any(c in members for c, _ in _produces(G, f)):
            continue
        for _, k, e in G.out_edges(f, data=True):
            if e.get("kind") != "LOCATED_IN":
                continue
            if k != "country:USA" and k not in suppliers:
                continue
            ports = sorted({v for _, v, x in G.out_edges(f, data=True) if x.get("kind") == "SHIPS_VIA"})
            fed = sorted({u for u, _, x in G.in_edges(f, data=True) if x.get("kind") == "SUPPLIES"})
            rows.append({"facility": f, "country": G.nodes[k]["iso3"], "ports": ports, "fed_by": fed})
    return sorted(rows, key=lambda r: r["facility"])


def single_source(G: nx.MultiDiGraph) -> list[dict]:
    """Commodities and periods for which USGS lists exactly one major U.S. import source."""
    acc: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "TRADES" and v == "country:USA" and d.get("rank") is not None:
            acc[(d["commodity"], d.get("period"))].add(G.nodes[u]["iso3"])
    return [
        {"commodity": c, "period": p, "exporter": next(iter(e))} for (c, p), e in sorted(acc.items()) if len(e) == 1
    ]


def supply_without_prc_refining(G: nx.MultiDiGraph, country: str, stages: Iterable[str]) -> list[dict]:
    """Per commodity and country: operating processing plants neither located in nor
    controlled from ``country``."""
    stages = set(stages)
    acc: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p, d in G.nodes(data=True):
        if d.get("kind") != "Facility" or d.get("status") != "operating" or d.get("iso3") == country:
            continue
        if place_control(G, p) == country:
            continue
        for c, e in _produces(G, p):
            if e.get("stage") in stages:
                acc[(c, d.get("iso3"))].add(p)
    return [{"commodity": c, "country": k, "plants": len(v)} for (c, k), v in sorted(acc.items())]


def facility_chain(G: nx.MultiDiGraph, id: str, depth: int = 5) -> list[dict]:  # noqa: A002 - query parameter
    """Upstream and downstream places through SUPPLIES (up to ``depth`` steps) and ports."""
    if id not in G:
        return []
    sup = nx.DiGraph((u, v) for u, v, d in G.edges(data=True) if d.get("kind") == "SUPPLIES")
    up = (
        set(nx.single_source_shortest_path_length(sup.reverse(copy=False), id, cutoff=depth)) - {id}
        if id in sup
        else set()
    )
    down = set(nx.single_source_shortest_path_length(sup, id, cutoff=depth)) - {id} if id in sup else set()
    ports = sorted({v for _, v, d in G.out_edges(id, data=True) if d.get("kind") == "SHIPS_VIA"})
    return [{"id": id, "upstream": sorted(up), "downstream": sorted(down), "ports": ports}]


def export_controls(G: nx.MultiDiGraph, country: str | None = None) -> list[dict]:
    """Export controls in force (``EXPORT_CONTROL`` edges, USGS MCS 2026 Table 4): one row
    per country, commodity, year and control type, optionally for one ``country`` (ISO3),
    sorted by ISO3, commodity, year and control type."""
    rows = []
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "EXPORT_CONTROL":
            continue
        iso3 = G.nodes[u].get("iso3", u.split(":", 1)[1])
        if country is not None and iso3 != country:
            continue
        rows.append(
            {
                "iso3": iso3,
                "commodity": v.split(":", 1)[1],
                "control_type": d.get("control_type"),
                "year": d.get("year"),
                "official_url": d.get("official_url"),
            }
        )
    return sorted(rows, key=lambda r: (r["iso3"], r["commodity"], r["year"] or 0, r["control_type"] or ""))


def trace_named_suppliers(G: nx.MultiDiGraph, id: str, commodity: str) -> list[dict]:  # noqa: A002 - query parameter
    """Places feeding ``id`` through ``SUPPLIES`` of ``commodity`` (up to 4 steps), counted
    per step by country of location and of control
    (:func:`minerals_graph.analysis.trace.named_suppliers`)."""
    from minerals_graph.analysis.trace import named_suppliers

    return named_suppliers(G, id, commodity, depth=4)
