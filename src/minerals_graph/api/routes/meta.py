from typing import cast

from fastapi import APIRouter

from minerals_graph.api.deps import State, plain
from minerals_graph.api.models import Commodity, Country, Health, ListOf, Source
from minerals_graph.lookup import commodity_records, find_nodes

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Health and data version (sources and their years)")
def health(state: State) -> Health:
    return Health(
        status="ok",
        version=state.version,
        nodes=state.G.number_of_nodes(),
        edges=state.G.number_of_edges(),
        origin=state.model.origin,
        sources=[Source.model_validate(s) for s in state.model.sources()],
        modelled_commodities=state.commodities,
    )


@router.get("/commodities", response_model=ListOf[Commodity], summary="Every commodity, with the 2022 critical flag")
def commodities(state: State, critical: bool | None = None) -> ListOf[Commodity]:
    rows = [Commodity.model_validate(r) for r in commodity_records(state.G, critical=critical)]
    return ListOf[Commodity](data=rows, count=len(rows))


@router.get("/countries", response_model=ListOf[Country], summary="Every country and territory (ISO3)")
def countries(state: State) -> ListOf[Country]:
    G = state.G
    rows = [
        Country(
            iso3=d["iso3"],
            name=d.get("name", ""),
            continent=d.get("continent"),
            lon=cast("float | None", plain(d.get("lon"))),
            lat=cast("float | None", plain(d.get("lat"))),
            aggregate=bool(d.get("aggregate", False)),
        )
        for d in (G.nodes[n] for n in find_nodes(G, kind="Country"))
    ]
    return ListOf[Country](data=rows, count=len(rows))
