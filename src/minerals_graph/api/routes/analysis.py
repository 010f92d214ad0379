from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from fastapi import APIRouter, Query, Response

from minerals_graph.analysis.chokepoints import CHOKEPOINT_METRICS, rank_chokepoints
from minerals_graph.analysis.dependence import band_counts
from minerals_graph.api.deps import State, json_list, nir_years, plain, records, require_commodity, require_country
from minerals_graph.api.models import Bands, Chokepoint, ExportControl, ListOf, NetworkStage, NIRRow, PRCExposure
from minerals_graph.lookup import select_rows

router = APIRouter(tags=["analyses"])
if TYPE_CHECKING:
    Metric: TypeAlias = str  # built at runtime from CHOKEPOINT_METRICS: a type checker sees str
else:
    Metric = Literal[tuple(CHOKEPOINT_METRICS)]


@router.get(
    "/chokepoints",
    response_model=ListOf[Chokepoint],
    summary="Ranked chokepoints on U.S. supply paths (N-1 loss, SPOF, min cut, betweenness, HHI)",
)
def chokepoints(
    state: State,
    commodity: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=r"^[a-z_]+$",
            examples=["rare_earths"],
            description="a modelled commodity (see /health)",
            json_schema_extra={"x-choices": "modelled"},
        ),
    ] = None,
    stage: NetworkStage | None = None,
    metric: Metric = "n1_loss",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> Response:
    require_commodity(state, commodity, modelled=True)

    def ranked() -> list[bytes]:  # every row in order, serialised once; a limit is a slice
        df = rank_chokepoints(state.model.chokepoints(), commodity=commodity, stage=stage, metric=metric)
        return [Chokepoint.model_validate(r).model_dump_json().encode() for r in records(df)]

    return json_list(state.derived(("chokepoints", commodity, stage, metric), ranked)[:limit])


@router.get(
    "/dependence/nir",
    response_model=ListOf[NIRRow],
    summary="U.S. net import reliance: published vs recomputed, with qualifiers and explanations",
)
def nir(
    state: State,
    commodity: Annotated[
        str | None, Query(max_length=60, pattern=r"^[a-z_]+$", json_schema_extra={"x-choices": "commodities"})
    ] = None,
    year: Annotated[
        int | None,
        Query(ge=2019, le=2025, description="a data year of the table", json_schema_extra={"x-choices": "nir_years"}),
    ] = None,
) -> ListOf[NIRRow]:
    require_commodity(state, commodity)
    if year is not None:
        from minerals_graph.lookup import check_choice

        check_choice(year, nir_years(state), "year")
    rows = records(select_rows(state.model.nir(), commodity=commodity, year=year))
    for r in rows:
        for k in ("published_qualifier", "explanation", "form", "fig2_qualifier", "consumption_column"):
            r[k] = r.get(k) or ""
    return ListOf[NIRRow].model_validate({"data": rows, "count": len(rows)})


@router.get(
    "/dependence/bands",
    response_model=Bands,
    summary="Net-import-reliance bands of the 2022 critical-minerals list (2023: MCS 2024, 2024: MCS 2025)",
)
def bands(
    state: State,
    year: Annotated[
        int,
        Query(
            ge=2023,
            le=2025,
            description=(
                "data year: 2023 (MCS 2024) and 2024 (MCS 2025) band the 2022 list; 2025 (MCS 2026) the 2025 list"
            ),
        ),
    ] = 2025,
) -> Bands:
    b = state.model.bands(year)
    rows = records(b)
    for r in rows:
        r["label"], r["via"], r["qualifier"] = r["label"] or "", r["via"] or "", r["qualifier"] or ""
    return Bands.model_validate({"year": year, "minerals": rows, "counts": records(band_counts(b))})


@router.get(
    "/dependence/prc-exposure",
    response_model=ListOf[PRCExposure],
    summary="The PRC's weight per commodity: import rank/share, mine and processing shares, embodied share",
)
def prc_exposure(
    state: State,
    commodity: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=r"^[a-z_]+$",
            description="a modelled commodity (see /health)",
            json_schema_extra={"x-choices": "modelled"},
        ),
    ] = None,
) -> ListOf[PRCExposure]:
    require_commodity(state, commodity, modelled=True)
    rows = []
    for r in select_rows(state.model.prc_exposure(), commodity=commodity).to_dict("records"):
        reg = {k: plain(v) for k, v in r.items() if k.startswith("registered_") and plain(v) is not None}
        base = {k: plain(v) for k, v in r.items() if not k.startswith("registered_")}
        base.setdefault("embodied_share_pct", None)
        base["assumptions"] = base.get("assumptions") or ""
        rows.append(PRCExposure.model_validate({**base, "registered": reg}))
    return ListOf[PRCExposure](data=rows, count=len(rows))


@router.get(
    "/export-controls",
    response_model=ListOf[ExportControl],
    summary="Export controls in force by country and commodity (USGS MCS 2026 Table 4), with official links",
)
def export_controls(
    state: State,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Z]{3}$", examples=["CHN"], json_schema_extra={"x-choices": "countries"})
    ] = None,
    commodity: Annotated[
        str | None,
        Query(
            max_length=60, pattern=r"^[a-z_]+$", examples=["gallium"], json_schema_extra={"x-choices": "commodities"}
        ),
    ] = None,
) -> ListOf[ExportControl]:
    require_commodity(state, commodity)
    require_country(state, country)
    rows = state.model.export_controls(country, commodity)
    return ListOf[ExportControl].model_validate({"data": rows, "count": len(rows)})
