from fastapi import APIRouter

from minerals_graph.api.deps import State, plain
from minerals_graph.api.models import Commodity, Country, Health, ListOf

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Health and data version (sources and their years)")
def health(state: State) -> Health:
    return Health(status="ok", version=state.version, nodes=state.G.number_of_nodes(), edges=state.G.number_of_edges(),
                  origin=state.origin, sources=state.sources, modelled_commodities=state.commodities)


@router.get("/commodities", response_model=ListOf[Commodity], summary="Every commodity, with the 2022 critical flag")
def commodities(state: State, critical: bool | None = None) -> ListOf[Commodity]:
    rows = []
    for n, d in sorted(state.G.nodes(data=True)):
        if d.get("kind") != "Commodity":
            continue
        if critical is not None and bool(d.get("critical_2022")) != critical:
            continue
        rows.append(Commodity(id=n.split(":", 1)[1], name=d.get("name", ""), usgs_code=d.get("usgs_code"),
                              group=d.get("group"), critical_2022=bool(d.get("critical_2022"))))
    return ListOf[Commodity](data=rows, count=len(rows))


@router.get("/countries", response_model=ListOf[Country], summary="Every country and territory (ISO3)")
def countries(state: State) -> ListOf[Country]:
    rows = [Country(iso3=d["iso3"], name=d.get("name", ""), continent=d.get("continent"), lon=plain(d.get("lon")),
                    lat=plain(d.get("lat")), aggregate=bool(d.get("aggregate", False)))
            for n, d in sorted(state.G.nodes(data=True)) if d.get("kind") == "Country"]
    return ListOf[Country](data=rows, count=len(rows))
