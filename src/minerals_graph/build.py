"""Canonical tables -> one property graph (a networkx MultiDiGraph).

Node attribute ``kind`` holds the node kind (Country, Commodity, Site, Facility, Port,
Company); edge attribute ``kind`` the edge kind (LOCATED_IN, PRODUCES, …), and edge keys
are unique strings, so a graph round-trips through GraphML and node-link JSON unchanged.
Missing values are simply absent from a node or edge (never NaN, never 0).

Edge keys are derived from content (:func:`edge_key`), never from a counter: the same data
gives the same keys in every build, whatever the order of the rows, and a key names the same
relationship across builds (what ``neo4j load`` syncs on).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import networkx as nx
import pandas as pd

from minerals_graph.errors import GraphBuildError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, SOURCE_ATTRS, EdgeKind, NodeKind, node_id
from minerals_graph.tables import SOURCE_COLUMNS, Tables, load_tables

__all__ = ["build_graph", "graph_from_tables", "clean_attrs", "edge_key", "assign_edge_keys", "EDGE_IDENTITY"]

log = logging.getLogger(__name__)


def _declared_types() -> dict[str, str]:
    types: dict[str, str] = {a.name: a.type for a in SOURCE_ATTRS}
    kinds: list[NodeKind | EdgeKind] = [*NODE_KINDS.values(), *EDGE_KINDS.values()]
    for k in kinds:
        for a in k.attrs:
            types.setdefault(a.name, a.type)
    return types


#: Attribute name -> declared type, from the schema (the single source of truth).
ATTR_TYPES = _declared_types()


def clean_attrs(d: dict[str, object]) -> dict[str, object]:
    """Drop None/NaN/'' values, turn numpy scalars into Python types and coerce every
    attribute the schema declares to its declared type (``year`` 2019.0 -> 2019)."""
    out: dict[str, object] = {}
    for k, v in d.items():
        if v is None or (isinstance(v, str) and v == ""):
            continue
        if isinstance(v, float) and math.isnan(v):
            continue
        if hasattr(v, "item") and not isinstance(v, (str, bytes)):
            v = v.item()  # numpy scalar -> Python
            if isinstance(v, float) and math.isnan(v):
                continue
        t = ATTR_TYPES.get(k)
        if t == "int" and isinstance(v, float) and v.is_integer():
            v = int(v)
        elif t == "float" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        elif t == "str" and not isinstance(v, str):
            v = str(v)
        out[k] = v
    return out


def _src(row: dict[str, object]) -> dict[str, object]:
    return {k: row.get(k) for k in SOURCE_COLUMNS}


def _records(df: pd.DataFrame) -> Iterable[dict[str, Any]]:
    return cast("list[dict[str, Any]]", df.to_dict("records")) if len(df) else []


def build_graph(sources: Path | None = None, *, data_dir: Path | None = None) -> nx.MultiDiGraph:
    """Build the graph from ``sources`` (raw files or curated data; default: bundled data/)."""
    return graph_from_tables(load_tables(sources, data_dir=data_dir))


def graph_from_tables(t: Tables) -> nx.MultiDiGraph:
    """Build the graph from canonical tables.

    Edges that point at an unknown node (e.g. a trade partner missing from the country
    table) are not added silently: they raise, because the tables stage guarantees them.
    """
    G = nx.MultiDiGraph(name="minerals-graph", origin=t.origin)
    pending: list[tuple[str, str, dict[str, object]]] = []

    def add_edge(u: str, v: str, kind: str, attrs: dict[str, object]) -> None:
        for n in (u, v):
            if n not in G:
                raise GraphBuildError(f"{kind} edge {u} -> {v}: node {n} is not in the graph")
        pending.append((u, v, clean_attrs({"kind": kind, **attrs})))

    for r in _records(t.countries):
        G.add_node(node_id("Country", r["iso3"]), **clean_attrs({"kind": "Country", **r}))
    for r in _records(t.commodities):
        G.add_node(node_id("Commodity", r["id"]), **clean_attrs({"kind": "Commodity", **r, "id": None}))
    for r in _records(t.commodities):
        if r.get("group"):
            add_edge(node_id("Commodity", r["id"]), node_id("Commodity", r["group"]), "PART_OF", _src(r))
    for r in _records(t.ports):
        pid = node_id("Port", f"wpi-{int(r['wpi_number'])}")
        G.add_node(pid, **clean_attrs({"kind": "Port", **r}))
        add_edge(pid, node_id("Country", r["iso3"]), "LOCATED_IN", _src(r))
    for r in _records(t.places):
        # the table's node_kind is the node's kind; its kind column is the place's type (place_kind)
        attrs = {k: v for k, v in r.items() if k not in ("id", "node_kind", "kind")}
        G.add_node(r["id"], **clean_attrs({"kind": r["node_kind"], "place_kind": r["kind"], **attrs}))
        add_edge(r["id"], node_id("Country", r["iso3"]), "LOCATED_IN", _src(r))
    for r in _records(t.companies):
        cid = r["id"]
        G.add_node(cid, **clean_attrs({"kind": "Company", **{k: v for k, v in r.items() if k != "id"}}))
        if r.get("control_iso3"):
            add_edge(cid, node_id("Country", r["control_iso3"]), "CONTROLLED_FROM", _src(r))
    if len(t.ownership):
        from minerals_graph.tables import company_key

        for r in _records(t.ownership):
            cid = node_id("Company", company_key(str(r["company"])))
            kind = "OWNED_BY" if r["role"] == "owner" else "OPERATED_BY"
            attrs = (
                {"share_pct": r.get("share_pct"), "position": r.get("position"), **_src(r)}
                if kind == "OWNED_BY"
                else _src(r)
            )
            add_edge(str(r["place_id"]), cid, kind, attrs)
    for r in _records(t.production):
        if not r.get("commodity"):
            continue
        kind = "HOLDS_RESERVES" if r["measure"] == "reserves" else "PRODUCES"
        attrs = {k: v for k, v in r.items() if k not in ("producer_id", "commodity")}
        if kind == "HOLDS_RESERVES":
            attrs = {k: attrs.get(k) for k in ("quantity", "qualifier", "unit", "year", "note", *SOURCE_COLUMNS)}
        add_edge(str(r["producer_id"]), node_id("Commodity", str(r["commodity"])), kind, attrs)
    for r in _records(t.trades):
        attrs = {k: v for k, v in r.items() if k not in ("exporter", "importer")}
        add_edge(node_id("Country", r["exporter"]), node_id("Country", r["importer"]), "TRADES", attrs)
    for r in _records(t.import_reliance):
        attrs = {k: v for k, v in r.items() if k not in ("iso3", "commodity", "label")}
        add_edge(
            node_id("Country", r["iso3"]),
            node_id("Commodity", r["commodity"]),
            "IMPORT_RELIANCE",
            {"form": r.get("label"), **attrs},
        )
    for r in _records(t.statistics):
        attrs = {k: v for k, v in r.items() if k not in ("iso3", "commodity")}
        add_edge(node_id("Country", r["iso3"]), node_id("Commodity", r["commodity"]), "STATISTIC", attrs)
    for r in _records(t.export_controls):
        attrs = {k: v for k, v in r.items() if k not in ("iso3", "commodity")}
        add_edge(node_id("Country", r["iso3"]), node_id("Commodity", r["commodity"]), "EXPORT_CONTROL", attrs)
    for r in _records(t.supplies):
        add_edge(
            str(r["from_id"]),
            str(r["to_id"]),
            "SUPPLIES",
            {k: v for k, v in r.items() if k not in ("from_id", "to_id")},
        )
    for r in _records(t.ships_via):
        add_edge(
            str(r["place_id"]),
            node_id("Port", f"wpi-{int(r['wpi_number'])}"),
            "SHIPS_VIA",
            {k: v for k, v in r.items() if k not in ("place_id", "wpi_number")},
        )
    for (u, v, d), k in zip(pending, assign_edge_keys(pending), strict=True):
        G.add_edge(u, v, key=k, **d)
    log.info("built graph: %s nodes, %s edges", G.number_of_nodes(), G.number_of_edges())
    return G


#: Edge kind -> the attributes that, with the two endpoints and the kind, identify one
#: relationship (its key). Other attributes (quantities, values, notes) are the
#: relationship's content: when they change, the key stays and the relationship is updated.
#: ``hs6`` is the HS6 code in a trade's note ("HS 811010 (refining)"). Kinds not listed are
#: identified by their source.
EDGE_IDENTITY: dict[str, tuple[str, ...]] = {
    "PRODUCES": ("stage", "measure", "year", "product", "type_text", "basis", "unit", "source"),
    "HOLDS_RESERVES": ("year", "unit", "source"),
    "TRADES": ("commodity", "period", "label", "form", "hs6", "source"),
    "IMPORT_RELIANCE": ("form", "year", "source"),
    "STATISTIC": ("measure", "detail", "label", "unit", "column", "year", "source"),
    "EXPORT_CONTROL": ("control_type", "item", "year", "source"),
    "SUPPLIES": ("commodity", "source"),
    "SHIPS_VIA": ("commodity", "source"),
    "OWNED_BY": ("source",),
    "OPERATED_BY": ("source",),
    "CONTROLLED_FROM": ("source",),
    "LOCATED_IN": ("source",),
    "PART_OF": ("source",),
}
_HS6 = re.compile(r"\bHS\s*(\d{6})\b")
KEY_PREFIX = "r"


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _canonical(obj: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text (reproducible in any language)."""
    return _CANONICAL.encode(obj)


def _digest(obj: object, n: int = 16) -> str:
    return hashlib.sha1(_canonical(obj).encode("utf-8")).hexdigest()[:n]


def edge_identity(attrs: dict[str, object]) -> dict[str, object]:
    """The identifying attributes of an edge (``attrs`` as stored, ``kind`` included)."""
    kind = attrs.get("kind")
    fields = EDGE_IDENTITY.get(kind, ("source",)) if isinstance(kind, str) else ("source",)
    out: dict[str, object] = {f: attrs[f] for f in fields if attrs.get(f) is not None}
    if "hs6" in fields:
        m = _HS6.search(str(attrs.get("note") or ""))
        if m:
            out["hs6"] = m.group(1)
    return out


def edge_key(u: str, v: str, attrs: dict[str, object]) -> str:
    """``r`` + the first 16 hex digits of the SHA-1 of the canonical JSON of
    ``[u, v, kind, identifying attributes]``: equal for the same relationship in every build."""
    return KEY_PREFIX + _digest([u, v, attrs.get("kind"), edge_identity(attrs)])


def assign_edge_keys(edges: list[tuple[str, str, dict[str, object]]]) -> list[str]:
    """Keys for ``edges`` (``(u, v, attrs)``, attrs cleaned), in the same order, all distinct.

    The key is :func:`edge_key`. Two distinct edges can share it (the data has two rows with the
    same identity but different content, e.g. two values for one statistic): each of them then
    gets ``<key>-<8 hex digits of the SHA-1 of all its attributes>``, and edges identical in
    every attribute are numbered ``-1``, ``-2``, …  Every rule depends on content only, so the
    keys do not depend on the order of the rows. Collisions are logged.
    """
    base = [edge_key(u, v, d) for u, v, d in edges]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(base):
        groups.setdefault(k, []).append(i)
    keys = list(base)
    collided = 0
    for k, idx in groups.items():
        if len(idx) == 1:
            continue
        collided += len(idx)
        by_content: dict[str, list[int]] = {}
        for i in idx:
            u, v, d = edges[i]
            by_content.setdefault(f"{k}-{_digest([u, v, d], 8)}", []).append(i)
        for ck, same in by_content.items():
            if len(same) == 1:
                keys[same[0]] = ck
            else:  # identical in every attribute: interchangeable, so any order gives the same graph
                same.sort(key=lambda i: _canonical(list(edges[i])))
                for n, i in enumerate(same, 1):
                    keys[i] = f"{ck}-{n}"
    if collided:
        log.info("edge keys: %s edges share their identity with another edge; keyed by content", collided)
    if len(set(keys)) != len(keys):  # a SHA-1 prefix collision of the content digests: never seen
        raise RuntimeError("edge keys are not unique after disambiguation")
    return keys
