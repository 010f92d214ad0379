"""Graph <-> GeoDataFrames (EPSG:4326): nodes as points, edges as lines.

:func:`graph_to_gdfs` gives every node with coordinates as a point (countries at their
label point) and every edge whose two ends have coordinates as a straight line; every
attribute becomes a column. :func:`node_point` resolves any supply-network id too.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point

__all__ = ["unlocated_places", "graph_to_gdfs", "node_point", "network_point"]


def node_point(G: nx.MultiDiGraph, n: str) -> tuple[float, float] | None:
    """(lon, lat) of a graph node, or None."""
    d = G.nodes.get(n)
    if d is None or d.get("lon") is None or d.get("lat") is None:
        return None
    return float(d["lon"]), float(d["lat"])


def network_point(G: nx.MultiDiGraph, net_id: str) -> tuple[float, float] | None:
    """(lon, lat) of a supply-network node id (``fac:<graph id>``, ``port:wpi-N``,
    ``mine:ISO3``, ``rest:ISO3``, ``out:ISO3``), or None."""
    kind, _, key = net_id.partition(":")
    if kind == "fac":
        return node_point(G, key)
    if kind == "port":
        return node_point(G, f"port:{key}")
    if kind in ("mine", "rest", "out", "cap"):
        return node_point(G, f"country:{key}")
    return None


def unlocated_places(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Sites and facilities with no coordinates, which maps and GeoJSON cannot show:
    ``id, kind, name, iso3, source, reason`` (the reason the register gives after
    ``UNLOCATED:``, else "no coordinates in the source"), sorted by id."""
    recs = []
    for n, d in G.nodes(data=True):
        if d.get("kind") in ("Site", "Facility") and node_point(G, n) is None:
            notes = str(d.get("notes", ""))
            why = notes.split("UNLOCATED:", 1)[1].strip().split(". ")[0][:200] if "UNLOCATED:" in notes else ""
            recs.append({"id": n, "kind": d["kind"], "name": d.get("name", ""), "iso3": d.get("iso3", ""),
                         "source": d.get("source", ""), "reason": why or "no coordinates in the source"})
    return pd.DataFrame(recs, columns=["id", "kind", "name", "iso3", "source", "reason"]).sort_values(
        "id", kind="stable").reset_index(drop=True)


def graph_to_gdfs(G: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(nodes, edges) GeoDataFrames in EPSG:4326 with every attribute.

    Nodes without coordinates are left out; so are edges with an end without
    coordinates. Columns ``id`` (nodes) and ``source_id, target_id, key`` (edges) identify
    them.
    """
    nrec, npts = [], []
    for n, d in G.nodes(data=True):
        p = node_point(G, n)
        if p is None:
            continue
        nrec.append({"id": n, **d})
        npts.append(Point(p))
    erec, elines = [], []
    for u, v, k, d in G.edges(keys=True, data=True):
        a, b = node_point(G, u), node_point(G, v)
        if a is None or b is None or a == b:
            continue
        erec.append({"source_id": u, "target_id": v, "key": k, **d})
        elines.append(LineString([a, b]))
    nodes = gpd.GeoDataFrame(pd.DataFrame(nrec), geometry=npts, crs=4326)
    edges = gpd.GeoDataFrame(pd.DataFrame(erec), geometry=elines, crs=4326)
    return nodes, edges
