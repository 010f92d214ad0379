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
    flow_through,
    max_supply,
    network_of,
)
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import PROCESSING_STAGES

__all__ = [
    "NodeFilter",
    "Addition",
    "PRESETS",
    "PRESET_DESCRIPTIONS",
    "parse_filter",
    "parse_addition",
    "select_nodes",
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
            raise MineralsGraphError(f"filter key {k!r}: expected one of {sorted(set(_KEYS))}")
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


def parse_addition(text: str) -> Addition:
    """``"commodity=lithium,iso3=USA,capacity_t=20000,stage=refining,name=New plant"``."""
    kw = dict(p.split("=", 1) for p in text.split(",") if "=" in p)
    try:
        return Addition(
            commodity=kw["commodity"].strip(),
            iso3=kw["iso3"].strip(),
            capacity_t=float(kw["capacity_t"]),
            stage=kw.get("stage", "refining").strip(),
            name=kw.get("name", "hypothetical plant").strip(),
        )
    except (KeyError, ValueError) as exc:
        raise MineralsGraphError(
            f"addition {text!r}: expected commodity=…,iso3=…,capacity_t=<number>[,stage=…][,name=…] ({exc})"
        ) from None


def select_nodes(net: nx.DiGraph, filters: Iterable[NodeFilter]) -> frozenset[str]:
    """Supply-network nodes matched by any filter."""
    c = net.graph.get("commodity", "")
    return frozenset(n for n, a in net.nodes(data=True) for f in filters if f.matches(n, a, c))


def _with_additions(net: nx.DiGraph, additions: Iterable[Addition]) -> nx.DiGraph:
    adds = [a for a in additions if a.commodity == net.graph.get("commodity")]
    if not adds:
        return net
    H = net.copy()
    for i, a in enumerate(adds, start=1):
        n = f"add:{i}"
        H.add_node(n, role="facility", iso3=a.iso3, control_iso3=a.iso3, stage=a.stage, label=a.name)
        feed = "pool:mined" if "pool:mined" in H else SOURCE
        H.add_edge(feed, n, capacity=a.capacity_t)
        if f"cap:{a.iso3}" in H:  # new capacity beside the country's capped output
            H.add_edge(n, f"cap:{a.iso3}")
        if a.iso3 == "USA" and "demand:USA" in H:
            H.add_edge(n, "demand:USA")
    return H


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


def run_whatif(
    G: nx.MultiDiGraph,
    remove: Iterable[NodeFilter] = (),
    add: Iterable[Addition] = (),
    commodities: Iterable[str] = (),
    *,
    params: FlowParams | None = None,
    networks: Mapping[str, nx.DiGraph] | None = None,
) -> pd.DataFrame:
    """Supply before and after the scenario, per commodity and demand.

    ``networks``: prebuilt supply networks by commodity (built from ``G`` with
    ``params``; never changed here); a commodity missing from it is built here.

    ``supply_after_t`` assumes the U.S. can draw on any remaining capacity of its import
    sources ("U.S. priority": the optimistic bound); ``supply_after_proportional_t``
    assumes the U.S. keeps its share of the world's remaining supply (the pessimistic
    bound). ``carriers_after`` names the nodes carrying the most flow after the removal
    (text); ``carriers`` gives the same as data (``[{"id", "label", "flow_t"}]``, the
    ids are supply-network ids, see :func:`minerals_graph.convert.network_point`) and
    ``removed_ids`` the removed supply-network ids.
    Canada and Mexico have no published demand in the sources: their rows say so, and the
    USMCA row equals the U.S. one.
    """
    filters = tuple(remove)
    additions = tuple(add)
    rows = []
    for c in commodities:
        base = network_of(G, c, params, networks)
        net = _with_additions(base, additions)
        removed = select_nodes(net, filters)
        d = net.graph["demand"].get("USA")
        common = {
            "commodity": c,
            "year": net.graph.get("year"),
            "assumptions": " | ".join(net.graph["assumptions"]),
            "removed_nodes": len(removed),
            "removed": "; ".join(sorted(net.nodes[n].get("label", n) for n in removed))[:2000],
            "removed_ids": sorted(removed),
            "carriers": [],
        }
        if net.graph.get("not_modelled"):
            rows.append(
                {
                    **common,
                    "demand": "USA",
                    "status": f"not modelled: {net.graph['not_modelled']}",
                    "demand_basis": net.graph["demand_basis"].get("USA", ""),
                }
            )
        elif "demand:USA" not in net:
            rows.append(
                {
                    **common,
                    "demand": "USA",
                    "status": "demand not published: shortfall unknown",
                    "demand_basis": net.graph["demand_basis"].get("USA", ""),
                }
            )
        else:
            before = max_supply(base, "demand:USA")
            after = max_supply(net, "demand:USA", removed)
            w0, w1 = _world_supply(base, frozenset()), _world_supply(net, removed)
            prop = before * (w1 / w0) if w0 > 0 else 0.0
            prop = min(prop, after, d)  # never above what the U.S. can reach at all
            through = flow_through(net, "demand:USA", removed)
            carriers = sorted(
                (
                    (f, n)
                    for n, f in through.items()
                    if net.nodes[n].get("role") in ("facility", "rest", "country", "port")
                ),
                key=lambda x: (-x[0], x[1]),
            )[:8]
            rows.append(
                {
                    **common,
                    "demand": "USA",
                    "demand_t": round(d, 3),
                    "demand_basis": net.graph["demand_basis"]["USA"],
                    "supply_before_t": round(before, 3),
                    "supply_after_t": round(after, 3),
                    "shortfall_t": round(d - after, 3),
                    "shortfall_pct_of_demand": round(100 * (d - after) / d, 2) if d else None,
                    "supply_after_proportional_t": round(prop, 3),
                    "shortfall_proportional_t": round(d - prop, 3),
                    "carriers_after": "; ".join(f"{net.nodes[n].get('label', n)} ({f:,.0f} t)" for f, n in carriers),
                    "carriers": [
                        {"id": n, "label": str(net.nodes[n].get("label", n)), "flow_t": round(float(f), 3)}
                        for f, n in carriers
                    ],
                    "status": "modelled",
                }
            )
        for other in ("CAN", "MEX"):
            rows.append({**common, "demand": other, "status": "demand not published in the sources"})
        usmca = dict(rows[-3])
        usmca["demand"] = "USMCA"
        usmca["status"] = usmca["status"] + "; equals U.S. (Canada and Mexico demand unknown)"
        rows.append(usmca)
    df = pd.DataFrame(rows, columns=WHATIF_COLUMNS)
    # a commodity without USGS quantities has no year: keep the others plain ints, not floats
    df["year"] = pd.Series([None if y is None or pd.isna(y) else int(y) for y in df["year"]], dtype=object)
    return df
