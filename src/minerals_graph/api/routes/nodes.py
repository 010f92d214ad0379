from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from minerals_graph.api.deps import State, json_list, plain, require_commodity, require_country
from minerals_graph.api.models import ISO3, Neighbour, Node, NodeDetail, NodeKindName, Page, Source, StageName
from minerals_graph.api.state import AppState
from minerals_graph.io import NODE_FIRST_COLUMNS
from minerals_graph.lookup import bounding_box, find_nodes, neighbours, node_sources

router = APIRouter(tags=["nodes"])
_BASE = tuple(c for c in NODE_FIRST_COLUMNS if c != "id")
MAX_NEIGHBOURS = 500


def to_node(n: str, d: dict[str, Any]) -> Node:
    attrs = {k: plain(v) for k, v in d.items() if k not in _BASE and plain(v) is not None}
    return Node.model_validate({"id": n, **{k: plain(d.get(k)) for k in _BASE}, "attributes": attrs})


@router.get("/nodes", response_model=Page[Node], summary="Nodes with filters and pagination")
def list_nodes(
    state: State,
    kind: NodeKindName | None = None,
    stage: StageName | None = None,
    country: Annotated[
        ISO3 | None,
        Query(
            description="where the node is (ISO3 of a country in the graph)",
            json_schema_extra={"x-choices": "countries"},
        ),
    ] = None,
    control: Annotated[
        ISO3 | None,
        Query(
            description="country of control of a place (largest owner; ISO3 of a country in the graph)",
            json_schema_extra={"x-choices": "countries"},
        ),
    ] = None,
    commodity: Annotated[
        str | None,
        Query(max_length=60, pattern=r"^[a-z_]+$", json_schema_extra={"x-choices": "commodities"}),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1, max_length=100, description="a part of the node's name, case-insensitive", examples=["lynas"]
        ),
    ] = None,
    min_lon: Annotated[
        float | None,
        Query(
            ge=-180,
            le=180,
            description="bounding box with min_lat, max_lon, max_lat: a missing bound is unbounded; each "
            "minimum must not be above its maximum (422 otherwise; split a box across the antimeridian in two)",
        ),
    ] = None,
    min_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    max_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    max_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    require_commodity(state, commodity)
    require_country(state, country, "country")
    require_country(state, control, "control")
    G = state.G
    bbox = bounding_box(min_lon, min_lat, max_lon, max_lat)
    filters = {"kind": kind, "stage": stage, "country": country, "control": control, "commodity": commodity}
    hits = state.derived(
        ("find_nodes", *filters.values(), bbox, q), lambda: find_nodes(G, **filters, bbox=bbox, name=q)
    )
    page = [node_json(state, n) for n in hits[offset : offset + limit]]
    return json_list(page, total=len(hits), limit=limit, offset=offset)


def node_json(state: AppState, n: str) -> bytes:
    """Node ``n`` serialised by :class:`Node`, once per node."""
    return state.derived(("node-json", n), lambda: to_node(n, state.G.nodes[n]).model_dump_json().encode())


@router.get("/nodes/{node_id}", response_model=NodeDetail, summary="One node with its neighbours and sources")
def get_node(state: State, node_id: Annotated[str, Path(max_length=200, examples=["country:CHN"])]) -> NodeDetail:
    G = state.G
    if node_id not in G:
        raise HTTPException(
            404,
            f"node {node_id!r} not found; list nodes at /api/v1/nodes (ids look like "
            "country:CHN, facility:fac_…, port:wpi-1234)",
        )
    neigh = neighbours(G, node_id)
    out = [
        Neighbour.model_validate(
            {
                "id": o,
                "kind": G.nodes[o].get("kind", ""),
                "name": G.nodes[o].get("name"),
                "direction": dirn,
                "edge_kind": d.get("kind", ""),
                "edge": {k: plain(v) for k, v in d.items() if plain(v) is not None},
            }
        )
        for dirn, o, d in neigh[:MAX_NEIGHBOURS]
    ]
    srcs = [
        Source.model_validate({**s, "year": plain(s["year"])})
        for s in node_sources(G, node_id, (d for _, _, d in neigh))
    ]
    return NodeDetail(
        node=to_node(node_id, G.nodes[node_id]), neighbours=out, neighbours_total=len(neigh), sources=srcs
    )
