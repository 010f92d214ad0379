"""Chokepoints: where the supply of a commodity to a demand node can be cut.

Definitions (see docs/methods.md):

* **Concentration** of a set of producers with quantities ``q_i`` and shares
  ``s_i = 100 q_i / sum(q)``: HHI = sum s_i^2 (0..10,000); top-1 and top-3 shares.
* **Single point of failure** (SPOF): a node that every supply path from ``S`` to the
  demand passes through — a dominator of the demand node in the supply network restricted
  to nodes on such paths (Lengauer–Tarjan via :func:`networkx.immediate_dominators`).
* **Minimum node cut**: the fewest real nodes (model artefacts excluded) whose removal
  disconnects the demand from all supply; by max-flow/min-cut on the node-split graph.
* **Betweenness on supply paths**: :func:`networkx.betweenness_centrality_subset` from
  ``S`` to the demand.
* **N-1 impact**: supply to the demand lost when one node is removed, recomputed by
  maximum flow for every node on a supply path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import (
    ARTEFACT_ROLES,
    SOURCE,
    FlowParams,
    max_supply,
    network_of,
    world_production,
)

__all__ = [
    "concentration",
    "country_concentration",
    "on_supply_paths",
    "single_points_of_failure",
    "minimum_node_cut",
    "supply_betweenness",
    "n_minus_1",
    "n_minus_1_naive",
    "n_minus_1_realistic",
    "chokepoint_table",
    "rank_chokepoints",
    "CHOKEPOINT_METRICS",
    "CHOKEPOINT_COLUMNS",
]

CHOKEPOINT_COLUMNS = [
    "commodity",
    "year",
    "node",
    "label",
    "role",
    "stage",
    "iso3",
    "control_iso3",
    "graph_id",
    "demand_t",
    "supply_t",
    "n1_loss_t",
    "n1_loss_pct_of_demand",
    "n1_loss_maxflow_t",
    "spof",
    "in_min_node_cut",
    "betweenness",
    "stage_hhi_country",
    "stage_top1_country",
    "stage_top1_share_pct",
    "rank",
]


def concentration(quantities: dict[str, float]) -> dict[str, object]:
    """HHI (0..10,000), top-1 holder and share, top-3 share, number of holders.

    >>> concentration({"A": 60, "B": 30, "C": 10})["hhi"]
    4600.0
    """
    q = {k: float(v) for k, v in quantities.items() if v and v > 0}
    total = sum(q.values())
    if total <= 0:
        return {"hhi": None, "top1": None, "top1_share_pct": None, "top3_share_pct": None, "n": 0}
    shares = sorted(((100.0 * v / total, k) for k, v in q.items()), key=lambda x: (-x[0], x[1]))
    return {
        "hhi": round(sum(s * s for s, _ in shares), 1),
        "top1": shares[0][1],
        "top1_share_pct": round(shares[0][0], 2),
        "top3_share_pct": round(sum(s for s, _ in shares[:3]), 2),
        "n": len(shares),
    }


def country_concentration(
    G: nx.MultiDiGraph, commodity: str, stage: str = "mining", year: int | None = None
) -> dict[str, object]:
    """Concentration of USGS production of ``commodity`` at ``stage`` by country
    (aggregates 'World total' and 'Other countries' excluded)."""
    y, tonnes, _ = world_production(G, commodity, stage, year)
    tonnes = {k: v for k, v in tonnes.items() if k not in ("WLD", "ROW")}
    return {"year": y, **concentration(tonnes)}


def on_supply_paths(net: nx.DiGraph, demand: str) -> set[str]:
    """Nodes on some path from ``S`` to ``demand`` through edges of positive capacity."""
    if demand not in net or SOURCE not in net:
        return set()

    def reach(start: str, adj) -> set[str]:  # along edges of positive capacity (absent = unbounded)
        seen, todo = {start}, [start]
        while todo:
            for m, d in adj[todo.pop()].items():
                if m not in seen and d.get("capacity", math.inf) > 0:
                    seen.add(m)
                    todo.append(m)
        return seen

    fwd = reach(SOURCE, net.succ)
    if demand not in fwd:
        return set()
    if demand == SOURCE and not any(  # S alone is on a path only if it has a usable edge
        d.get("capacity", math.inf) > 0 for adj in (net.succ, net.pred) for d in adj[SOURCE].values()
    ):
        return set()
    return fwd & reach(demand, net.pred)


def _real(net: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    return sorted(n for n in nodes if net.nodes[n].get("role") not in ARTEFACT_ROLES and not n.startswith("cap:"))


def single_points_of_failure(net: nx.DiGraph, demand: str = "demand:USA") -> list[str]:
    """Real nodes that dominate ``demand`` from ``S`` (every supply path passes through)."""
    nodes = on_supply_paths(net, demand)
    if not nodes:
        return []
    sub = net.subgraph(nodes)
    idom = nx.immediate_dominators(sub, SOURCE)
    chain, n = [], demand
    while n != SOURCE and n in idom and idom[n] != n:
        n = idom[n]
        chain.append(n)
    return _real(net, chain)


def minimum_node_cut(net: nx.DiGraph, demand: str = "demand:USA") -> list[str]:
    """Fewest real nodes whose removal cuts ``demand`` off from ``S`` ([] if impossible).

    Each node ``v`` is split into ``v_in -> v_out`` with capacity 1 (real) or infinity
    (artefact); a minimum ``S``–demand cut of that graph is a minimum node cut.
    """
    nodes = on_supply_paths(net, demand)
    if not nodes:
        return []
    H = nx.DiGraph()
    for v in nodes:
        real = net.nodes[v].get("role") not in ARTEFACT_ROLES and not v.startswith("cap:")
        H.add_edge((v, "in"), (v, "out"), capacity=1 if real else math.inf)
    for u, v, d in net.subgraph(nodes).edges(data=True):
        if d.get("capacity", math.inf) > 0:
            H.add_edge((u, "out"), (v, "in"), capacity=math.inf)
    try:
        value, (reach, _) = nx.minimum_cut(H, (SOURCE, "out"), (demand, "in"))
    except nx.NetworkXUnbounded:
        return []
    if math.isinf(value):
        return []
    cut = [v for v in nodes if (v, "in") in reach and (v, "out") not in reach]
    return sorted(cut)


def supply_betweenness(net: nx.DiGraph, demand: str = "demand:USA") -> dict[str, float]:
    """Betweenness of real nodes on shortest supply paths from ``S`` to ``demand``."""
    nodes = on_supply_paths(net, demand)
    if not nodes:
        return {}
    sub = net.subgraph(nodes)
    b = nx.betweenness_centrality_subset(sub, sources=[SOURCE], targets=[demand], normalized=False)
    return {n: round(float(b[n]), 6) for n in _real(net, b)}


def n_minus_1(net: nx.DiGraph, demand: str = "demand:USA") -> dict[str, float]:
    """Supply lost at ``demand`` when each real node on a supply path is removed alone.

    Notes
    -----
    Two exact shortcuts make this much faster than recomputing every maximum flow from
    scratch (:func:`n_minus_1_naive`, which gives the same numbers):

    * a node that carries no flow in one maximum flow cannot reduce the maximum when
      removed (that flow stays feasible without it): its loss is 0;
    * for the others, the network is built once in igraph (C max-flow,
      push-relabel) and a removal sets the capacities of the node's edges to zero.
    """
    nodes = _real(net, on_supply_paths(net, demand))
    if not nodes:
        return {}
    solver = _IGraphFlow(net, demand)
    base, through = solver.flow()
    out = {n: 0.0 for n in nodes}
    for n in nodes:
        if through.get(n, 0.0) > 1e-9:
            out[n] = round(base - solver.value(without=n), 6)
    return out


def n_minus_1_realistic(
    G: nx.MultiDiGraph, net: nx.DiGraph, nodes: Iterable[str], demand: str = "USA"
) -> dict[str, float]:
    """Supply lost at ``demand`` under the realistic allocation
    (:func:`minerals_graph.analysis.allocation.allocate`) when each node is removed alone:
    the demand a node actually serves, directly or through the feed it processes."""
    from minerals_graph.analysis.allocation import USMCA_MEMBERS, allocate

    skip = {m: (None, "not computed") for m in USMCA_MEMBERS if m != demand}
    base = allocate(G, net, frozenset(), demands=skip)[demand].supply_t
    out: dict[str, float] = {}
    for n in nodes:
        after = allocate(G, net, frozenset({n}), demands=skip)[demand].supply_t
        out[n] = round(max(0.0, (base or 0.0) - (after or 0.0)), 6) if base is not None else 0.0
    return out


def n_minus_1_naive(net: nx.DiGraph, demand: str = "demand:USA") -> dict[str, float]:
    """The baseline: remove each node from a copy and recompute the maximum flow from
    scratch with networkx (what :func:`n_minus_1` must equal)."""
    base = max_supply(net, demand)
    out = {}
    for n in _real(net, on_supply_paths(net, demand)):
        H = net.copy()
        H.remove_node(n)
        out[n] = round(base - max_supply(H, demand), 6)
    return out


class _IGraphFlow:
    """The supply network in igraph, with the demand cap as a sink edge."""

    def __init__(self, net: nx.DiGraph, demand: str) -> None:
        import igraph

        cap = net.graph.get("demand", {}).get(demand.split(":", 1)[1])
        finite = [d["capacity"] for _, _, d in net.edges(data=True) if "capacity" in d]
        big = (sum(finite) + (cap or 0.0)) * 2 + 1.0
        names = list(net.nodes) + ["T*"]
        index = {n: i for i, n in enumerate(names)}
        edges: list[tuple[int, int]] = []
        caps: list[float] = []
        self.incident: dict[str, list[int]] = {n: [] for n in names}
        for u, v, d in net.edges(data=True):
            self.incident[u].append(len(edges))
            self.incident[v].append(len(edges))
            edges.append((index[u], index[v]))
            caps.append(float(d.get("capacity", big)))
        edges.append((index[demand], index["T*"]))
        caps.append(float(cap) if cap is not None else big)
        self.g = igraph.Graph(n=len(names), edges=edges, directed=True)
        self.caps = caps
        self.names = names
        self.s, self.t = index[SOURCE], index["T*"]

    def flow(self) -> tuple[float, dict[str, float]]:
        """(maximum flow value, flow entering each node) of one maximum flow."""
        f = self.g.maxflow(self.s, self.t, capacity=self.caps)
        through: dict[str, float] = {}
        for (_, v), x in zip(self.g.get_edgelist(), f.flow, strict=True):
            if x > 0:
                through[self.names[v]] = through.get(self.names[v], 0.0) + x
        return float(f.value), through

    def value(self, without: str | None = None) -> float:
        caps = self.caps
        if without is not None:
            caps = list(caps)
            for e in self.incident[without]:
                caps[e] = 0.0
        return float(self.g.maxflow_value(self.s, self.t, capacity=caps))


def chokepoint_table(
    G: nx.MultiDiGraph,
    commodities: Iterable[str],
    *,
    demand: str = "USA",
    params: FlowParams | None = None,
    networks: Mapping[str, nx.DiGraph] | None = None,
) -> pd.DataFrame:
    """One ranked table of every real node on U.S. supply paths of each commodity.

    ``networks``: prebuilt supply networks by commodity (built from ``G`` with
    ``params``); a commodity missing from it is built here
    (:func:`minerals_graph.analysis.flow.network_of`).

    Ranked within each commodity by N-1 loss (desc), then SPOF, min-cut membership and
    betweenness; ``rank`` restarts at 1 per commodity. The stage's country concentration
    (HHI, top country and share) is attached to every row for context.
    """
    rows = []
    target = f"demand:{demand}"
    for c in commodities:
        net = network_of(G, c, params, networks)
        if target not in net:
            continue
        d = net.graph["demand"].get(demand)
        supply = max_supply(net, target)
        flow_losses = n_minus_1(net, target)
        losses = n_minus_1_realistic(G, net, flow_losses, demand)
        spof = set(single_points_of_failure(net, target))
        cut = set(minimum_node_cut(net, target))
        btw = supply_betweenness(net, target)
        conc: dict[str, dict[str, object]] = {}
        for n in losses:
            a = net.nodes[n]
            stage = a.get("stage", "")
            if stage not in conc:
                conc[stage] = _stage_concentration(net, stage)
            k = conc[stage]
            rows.append(
                {
                    "commodity": c,
                    "year": net.graph.get("year"),
                    "node": n,
                    "label": a.get("label", n),
                    "role": a.get("role"),
                    "stage": stage,
                    "iso3": a.get("iso3", ""),
                    "control_iso3": a.get("control_iso3", ""),
                    "graph_id": a.get("graph_id", ""),
                    "demand_t": d,
                    "supply_t": round(supply, 3),
                    "n1_loss_t": losses[n],
                    "n1_loss_pct_of_demand": round(100 * losses[n] / d, 2) if d else None,
                    "n1_loss_maxflow_t": flow_losses[n],
                    "spof": n in spof,
                    "in_min_node_cut": n in cut,
                    "betweenness": btw.get(n, 0.0),
                    "stage_hhi_country": k["hhi"],
                    "stage_top1_country": k["top1"],
                    "stage_top1_share_pct": k["top1_share_pct"],
                }
            )
    df = pd.DataFrame(rows, columns=CHOKEPOINT_COLUMNS[:-1])
    if not len(df):
        return pd.DataFrame(columns=CHOKEPOINT_COLUMNS)
    df = df.sort_values(
        ["commodity", "n1_loss_t", "n1_loss_maxflow_t", "spof", "in_min_node_cut", "betweenness", "node"],
        ascending=[True, False, False, False, False, False, True],
        kind="stable",
    )
    df["rank"] = df.groupby("commodity").cumcount() + 1
    return df.reset_index(drop=True)


#: Ranking metrics of :func:`rank_chokepoints` -> the column they sort by (descending).
CHOKEPOINT_METRICS = {
    "n1_loss": "n1_loss_t",
    "betweenness": "betweenness",
    "spof": "spof",
    "min_cut": "in_min_node_cut",
}


def rank_chokepoints(
    table: pd.DataFrame,
    *,
    commodity: str | None = None,
    stage: str | None = None,
    metric: str = "n1_loss",
    limit: int | None = None,
) -> pd.DataFrame:
    """Rows of a :func:`chokepoint_table` across commodities, for one ``commodity`` and
    ``stage`` when given, ordered by ``metric`` (:data:`CHOKEPOINT_METRICS`, descending),
    then N-1 loss, commodity and node; the first ``limit`` rows."""
    col = CHOKEPOINT_METRICS[metric]
    df = table
    if commodity is not None:
        df = df[df["commodity"] == commodity]
    if stage is not None:
        df = df[df["stage"] == stage]
    if metric == "n1_loss":  # the table's own ranking (the CLI's order)
        df = df.sort_values(["n1_loss_t", "commodity", "rank"], ascending=[False, True, True], kind="stable")
    else:
        df = df.sort_values(
            [col, "n1_loss_t", "commodity", "rank"], ascending=[False, False, True, True], kind="stable"
        )
    return df.head(limit) if limit is not None else df


def _stage_concentration(net: nx.DiGraph, stage: str) -> dict[str, object]:
    """Country concentration of a layer of the supply network (mine or country capacity)."""
    if stage == "mining":
        q = {net.nodes[v]["iso3"]: d.get("capacity", 0.0) for _, v, d in net.out_edges(SOURCE, data=True)}
    else:
        q = {}
        for _, a in net.nodes(data=True):
            if a.get("role") == "country" and a.get("stage") == stage:
                q[a["iso3"]] = a.get("total", 0.0)
    q = {k: v for k, v in q.items() if k not in ("ROW", "WLD")}
    return concentration(q)
