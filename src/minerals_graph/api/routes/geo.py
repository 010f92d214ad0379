from typing import Annotated, Literal

from fastapi import APIRouter, Query

from minerals_graph.api.deps import State, plain
from minerals_graph.api.models import Feature, FeatureCollection
from minerals_graph.convert import node_point

router = APIRouter(tags=["geo"])
_NODE_KINDS = Literal["Country", "Site", "Facility", "Port"]
_EDGE_KINDS = Literal["SHIPS_VIA", "SUPPLIES", "TRADES", "LOCATED_IN"]


def _props(d: dict) -> dict:
    return {k: plain(v) for k, v in d.items() if plain(v) is not None}


@router.get("/geojson/nodes", response_model=FeatureCollection, summary="Nodes as GeoJSON points (EPSG:4326)")
def geo_nodes(state: State, kind: _NODE_KINDS | None = None,
              limit: Annotated[int, Query(ge=1, le=20000)] = 5000) -> FeatureCollection:
    feats = []
    for n, d in sorted(state.G.nodes(data=True)):
        if kind and d.get("kind") != kind:
            continue
        p = node_point(state.G, n)
        if p is None:
            continue
        feats.append(Feature(geometry={"type": "Point", "coordinates": list(p)}, properties={"id": n, **_props(d)}))
        if len(feats) >= limit:
            break
    return FeatureCollection(features=feats, count=len(feats))


@router.get("/geojson/edges", response_model=FeatureCollection, summary="Edges as GeoJSON lines (EPSG:4326)")
def geo_edges(state: State, kind: _EDGE_KINDS = "SHIPS_VIA",
              commodity: Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_]+$")] = None,
              limit: Annotated[int, Query(ge=1, le=20000)] = 5000) -> FeatureCollection:
    feats = []
    for u, v, k, d in sorted(state.G.edges(keys=True, data=True), key=lambda e: e[2]):
        if d.get("kind") != kind or (commodity and d.get("commodity") != commodity):
            continue
        a, b = node_point(state.G, u), node_point(state.G, v)
        if a is None or b is None:
            continue
        feats.append(Feature(geometry={"type": "LineString", "coordinates": [list(a), list(b)]},
                             properties={"source_id": u, "target_id": v, "key": k, **_props(d)}))
        if len(feats) >= limit:
            break
    return FeatureCollection(features=feats, count=len(feats))


@router.get("/geojson/whatif/{preset}", response_model=FeatureCollection,
            summary="A preset scenario as GeoJSON: removed nodes and the nodes carrying U.S. supply afterwards")
def geo_scenario(state: State, preset: str,
                 commodity: Annotated[str, Query(max_length=60, pattern=r"^[a-z_]+$")] = "rare_earths"
                 ) -> FeatureCollection:
    from fastapi import HTTPException

    from minerals_graph.analysis import whatif as wi
    from minerals_graph.api.deps import check_modelled
    from minerals_graph.convert import network_point

    if preset not in wi.PRESETS:
        raise HTTPException(404, f"preset {preset!r} not found; list presets at /api/v1/whatif/presets")
    check_modelled(state, commodity)
    df = state.cached({"geo": preset, "c": commodity}, lambda: wi.run_whatif(state.G, wi.PRESETS[preset], (),
                                                                            [commodity]))
    row = df[df["demand"] == "USA"].iloc[0]
    feats = []
    for nid in sorted(filter(None, str(row.get("removed_ids") or "").split(";"))):
        p = network_point(state.G, nid)
        if p:
            feats.append(Feature(geometry={"type": "Point", "coordinates": list(p)},
                                 properties={"id": nid, "role": "removed", "commodity": commodity}))
    for item in filter(None, str(row.get("carrier_ids") or "").split(";")):
        nid, flow = item.rsplit("=", 1)
        p = network_point(state.G, nid)
        if p:
            feats.append(Feature(geometry={"type": "Point", "coordinates": list(p)},
                                 properties={"id": nid, "role": "carrier", "flow_t": float(flow), "commodity": commodity}))
    return FeatureCollection(features=feats, count=len(feats))
