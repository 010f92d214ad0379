"""Graph <-> GeoDataFrames (EPSG:4326): nodes as points, edges as lines.

:func:`graph_to_gdfs` gives every node with coordinates as a point (countries at their
label point) and every edge whose two ends have coordinates as a straight line; every
attribute becomes a column. :func:`network_point` resolves supply-network ids.
:func:`gdf_to_geojson` turns either into a GeoJSON FeatureCollection of plain JSON values
(the one GeoJSON conversion: files, API and maps use it); :func:`whatif_to_gdf` places a
what-if result (removed nodes and carriers) on the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point, mapping

__all__ = [
    "unlocated_places",
    "graph_to_gdfs",
    "node_point",
    "network_point",
    "gdf_to_geojson",
    "whatif_to_gdf",
    "plain_value",
]


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
            recs.append(
                {
                    "id": n,
                    "kind": d["kind"],
                    "name": d.get("name", ""),
                    "iso3": d.get("iso3", ""),
                    "source": d.get("source", ""),
                    "reason": why or "no coordinates in the source",
                }
            )
    return (
        pd.DataFrame(recs, columns=["id", "kind", "name", "iso3", "source", "reason"])
        .sort_values("id", kind="stable")
        .reset_index(drop=True)
    )


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


def plain_value(v: object) -> object:
    """A JSON-safe plain value: NaN/inf -> None, numpy scalars -> Python."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def gdf_to_geojson(
    gdf: gpd.GeoDataFrame, *, match: Mapping[str, object] | None = None, limit: int | None = None
) -> dict[str, object]:
    """A GeoJSON FeatureCollection (plain dicts, EPSG:4326) of the rows of ``gdf``.

    ``match``: keep only rows whose column equals the value (``None`` values are
    ignored; a missing column matches nothing); ``limit``: at most this many features,
    in the order of ``gdf``. Missing values are left out of ``properties``.
    Returns ``{"type": "FeatureCollection", "features": [...], "count": n}``.
    """
    rows = gdf
    for col, want in (match or {}).items():
        if want is None:
            continue
        rows = rows[rows[col] == want] if col in rows.columns else rows.iloc[0:0]
    if limit is not None:
        rows = rows.head(limit)
    geom = rows.geometry.name
    cols = [c for c in rows.columns if c != geom]
    feats = []
    for rec, g in zip(rows[cols].to_dict("records"), rows.geometry, strict=True):
        props = {k: p for k, p in ((k, plain_value(v)) for k, v in rec.items()) if p is not None}
        gj = mapping(g)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": gj["type"], "coordinates": _lists(gj["coordinates"])},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": feats, "count": len(feats)}


def _lists(c: object) -> object:
    return [_lists(x) for x in c] if isinstance(c, (list, tuple)) else c


def whatif_to_gdf(G: nx.MultiDiGraph, whatif: pd.DataFrame, *, demand: str = "USA") -> gpd.GeoDataFrame:
    """Points of a what-if result (:func:`minerals_graph.analysis.whatif.run_whatif`):
    for each commodity's ``demand`` row, its removed nodes (``role="removed"``) and the
    nodes carrying supply afterwards (``role="carrier"``, with ``flow_t``). Columns
    ``id, role, commodity, label, flow_t, geometry``; ids without a location are left
    out. Sorted by commodity, role (removed first) and id."""
    recs, pts = [], []
    rows = whatif[whatif["demand"] == demand] if len(whatif) else whatif
    for r in rows.to_dict("records"):
        removed = r.get("removed_ids")
        carriers = r.get("carriers")
        for nid in sorted(removed if isinstance(removed, (list, tuple)) else []):
            p = network_point(G, nid)
            if p is not None:
                recs.append({"id": nid, "role": "removed", "commodity": r["commodity"], "label": None, "flow_t": None})
                pts.append(Point(p))
        for c in sorted(carriers if isinstance(carriers, (list, tuple)) else [], key=lambda c: c["id"]):
            p = network_point(G, c["id"])
            if p is not None:
                recs.append(
                    {
                        "id": c["id"],
                        "role": "carrier",
                        "commodity": r["commodity"],
                        "label": c.get("label"),
                        "flow_t": float(c["flow_t"]),
                    }
                )
                pts.append(Point(p))
    df = pd.DataFrame(recs, columns=["id", "role", "commodity", "label", "flow_t"])
    return gpd.GeoDataFrame(df, geometry=pts, crs=4326)
