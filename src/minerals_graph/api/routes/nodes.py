from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from minerals_graph.analysis.flow import place_control
from minerals_graph.api.deps import State, check_commodity, plain
from minerals_graph.api.models import ISO3, Neighbour, Node, NodeDetail, Page, Source

router = APIRouter(tags=["nodes"])
_BASE = ("kind", "name", "iso3", "lon", "lat", "source", "source_publisher", "source_dataset", "source_year",
         "source_url")
MAX_NEIGHBOURS = 500


def to_node(n: str, d: dict) -> Node:
    attrs = {k: plain(v) for k, v in d.items() if k not in _BASE and plain(v) is not None}
    return Node(id=n, **{k: plain(d.get(k)) for k in _BASE}, attributes=attrs)


@router.get("/nodes", response_model=Page[Node], summary="Nodes with filters and pagination")
def list_nodes(
    state: State,
    kind: Literal["Country", "Commodity", "Site", "Facility", "Port", "Company"] | None = None,
    stage: Literal["mining", "concentrating", "smelting", "refining", "separation", "metal_alloy", "magnet",
                   "precursor_cathode", "anode", "recycling"] | None = None,
    country: Annotated[ISO3 | None, Query(description="where the node is (ISO3)")] = None,
    control: Annotated[ISO3 | None, Query(description="country of control of a place (largest owner)")] = None,
    commodity: Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_]+$")] = None,
    min_lon: Annotated[float | None, Query(ge=-180, le=180, description="bounding box with min_lat, max_lon, "
                                           "max_lat: a missing bound is unbounded; min/max order is free")] = None,
    min_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    max_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    max_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[Node]:
    check_commodity(state, commodity)
    box = None
    if any(v is not None for v in (min_lon, min_lat, max_lon, max_lat)):
        # a missing bound is unbounded; min/max may come in either order
        (x0, x1) = sorted((-180.0 if min_lon is None else min_lon, 180.0 if max_lon is None else max_lon))
        (y0, y1) = sorted((-90.0 if min_lat is None else min_lat, 90.0 if max_lat is None else max_lat))
        box = (x0, y0, x1, y1)
    G = state.G
    hits = []
    for n in sorted(G.nodes):
        d = G.nodes[n]
        if kind and d.get("kind") != kind:
            continue
        if country and d.get("iso3") != country:
            continue
        if stage and stage not in str(d.get("stages", "")).split(";"):
            continue
        if commodity and commodity not in str(d.get("commodities", "")).split(";"):
            continue
        if box and (d.get("lon") is None or not (box[0] <= d["lon"] <= box[2] and box[1] <= d["lat"] <= box[3])):
            continue
        if control and (d.get("kind") not in ("Site", "Facility") or place_control(G, n) != control):
            continue
        hits.append(n)
    page = [to_node(n, G.nodes[n]) for n in hits[offset:offset + limit]]
    return Page[Node](data=page, count=len(page), total=len(hits), limit=limit, offset=offset)


@router.get("/nodes/{node_id}", response_model=NodeDetail, summary="One node with its neighbours and sources")
def get_node(state: State, node_id: Annotated[str, Path(max_length=200, examples=["country:CHN"])]) -> NodeDetail:
    G = state.G
    if node_id not in G:
        raise HTTPException(404, f"node {node_id!r} not found; list nodes at /api/v1/nodes (ids look like "
                                 "country:CHN, facility:fac_…, port:wpi-1234)")
    neigh = []
    for u, v, d in G.out_edges(node_id, data=True):
        neigh.append(("out", v, d))
    for u, v, d in G.in_edges(node_id, data=True):
        neigh.append(("in", u, d))
    neigh.sort(key=lambda x: (x[0] != "out", x[2].get("kind", ""), x[1], str(x[2].get("year", ""))))
    out = [Neighbour(id=o, kind=G.nodes[o].get("kind", ""), name=G.nodes[o].get("name"), direction=dirn,
                     edge_kind=d.get("kind", ""), edge={k: plain(v) for k, v in d.items() if plain(v) is not None})
           for dirn, o, d in neigh[:MAX_NEIGHBOURS]]
    srcs = {}
    for d in [G.nodes[node_id], *(x[2] for x in neigh)]:
        if d.get("source_url"):
            srcs[(d.get("source"), d.get("source_url"))] = Source(
                source=str(d.get("source")), publisher=str(d.get("source_publisher", "")),
                dataset=str(d.get("source_dataset", "")), year=plain(d.get("source_year")), url=str(d["source_url"]))
    return NodeDetail(node=to_node(node_id, G.nodes[node_id]), neighbours=out, neighbours_total=len(neigh),
                      sources=[srcs[k] for k in sorted(srcs, key=str)])
