from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from minerals_graph.api.deps import Model, State, require_commodity
from minerals_graph.api.models import FeatureCollection, GeoEdgeKind, GeoNodeKind
from minerals_graph.convert import gdf_to_geojson, whatif_to_gdf

router = APIRouter(tags=["geo"])


@router.get("/geojson/nodes", response_model=FeatureCollection, summary="Nodes as GeoJSON points (EPSG:4326)")
def geo_nodes(
    model: Model, kind: GeoNodeKind | None = None, limit: Annotated[int, Query(ge=1, le=20000)] = 5000
) -> FeatureCollection:
    nodes, _ = model.gdfs()
    return FeatureCollection.model_validate(gdf_to_geojson(nodes, match={"kind": kind}, limit=limit))


@router.get("/geojson/edges", response_model=FeatureCollection, summary="Edges as GeoJSON lines (EPSG:4326)")
def geo_edges(
    state: State,
    model: Model,
    kind: GeoEdgeKind = "SHIPS_VIA",
    commodity: Annotated[
        str | None, Query(max_length=60, pattern=r"^[a-z_]+$", json_schema_extra={"x-choices": "commodities"})
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
) -> FeatureCollection:
    require_commodity(state, commodity)
    _, edges = model.gdfs()
    return FeatureCollection.model_validate(
        gdf_to_geojson(edges, match={"kind": kind, "commodity": commodity}, limit=limit)
    )


@router.get(
    "/geojson/whatif/{preset}",
    response_model=FeatureCollection,
    summary="A preset scenario as GeoJSON: removed nodes and the nodes carrying U.S. supply afterwards",
)
def geo_scenario(
    state: State,
    preset: str,
    commodity: Annotated[
        str,
        Query(
            max_length=60,
            pattern=r"^[a-z_]+$",
            description="a modelled commodity (see /health)",
            json_schema_extra={"x-choices": "modelled"},
        ),
    ] = "rare_earths",
) -> FeatureCollection:
    if preset not in state.model.presets():
        raise HTTPException(404, f"preset {preset!r} not found; list presets at /api/v1/whatif/presets")
    require_commodity(state, commodity, modelled=True)
    points = whatif_to_gdf(state.G, state.model.preset(preset, [commodity]))
    return FeatureCollection.model_validate(gdf_to_geojson(points))
