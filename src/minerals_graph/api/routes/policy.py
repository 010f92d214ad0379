"""The review's policy tools: transshipment flags, the product-passport trace and the
joint-investment ranking (read-only: POST /invest computes, it stores nothing)."""

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from minerals_graph.analysis.invest import Candidate
from minerals_graph.analysis.trace import trace_table
from minerals_graph.api.deps import State, invalid, records, require_commodity, require_country
from minerals_graph.api.models import CountryChoice, Ident, ListOf, ModelledChoice, StageName
from minerals_graph.api.settings import WHATIF_TIMEOUT_S
from minerals_graph.errors import MineralsGraphError

router = APIRouter(tags=["policy tools"])

Test = Literal["mass-balance", "rise", "source-gap"]


class TransshipmentFlag(BaseModel):
    model_config = ConfigDict(extra="allow")
    test: Test
    country: str
    commodity: str
    hs6: str | None
    year: int | None
    flag: bool
    evidence: str | None
    reading: str | None


@router.get(
    "/transshipment",
    response_model=ListOf[TransshipmentFlag],
    summary="Possible pass-through countries: mass balance, export rises matched by PRC imports, source gaps",
)
def transshipment(
    state: State,
    test: Test | None = None,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Z]{3}$", examples=["VNM"], json_schema_extra={"x-choices": "countries"})
    ] = None,
    commodity: Annotated[
        str | None, Query(max_length=60, pattern=r"^[a-z_]+$", json_schema_extra={"x-choices": "commodities"})
    ] = None,
    flagged: Annotated[bool, Query(description="only flagged rows (false: every tested row)")] = True,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> ListOf[TransshipmentFlag]:
    require_country(state, country)
    require_commodity(state, commodity)
    df = state.model.transshipment()
    if test:
        df = df[df["test"] == test]
    if country:
        df = df[df["country"] == country]
    if commodity:
        df = df[df["commodity"] == commodity]
    if flagged:
        df = df[df["flag"].astype(bool)]
    rows = records(df.head(limit))
    return ListOf[TransshipmentFlag].model_validate({"data": rows, "count": len(rows)})


class TraceStage(BaseModel):
    level: int
    stage: str
    basis: str
    tonnes: float
    location: dict[str, float] = Field(description="share (%) by country of location")
    control: dict[str, float] = Field(description="share (%) by country of control")


class Passport(BaseModel):
    model_config = ConfigDict(extra="allow")
    commodity: str
    start: str = Field(alias="from")
    year: int | None
    status: str | None = None
    stages: list[TraceStage]
    assumptions: list[str]
    rows: list[dict[str, Any]] = Field(description="the same as a long table (the CSV form)")


@router.get(
    "/trace",
    response_model=Passport,
    response_model_by_alias=True,
    summary="Product passport: upstream supply by stage, country of location and of control",
)
def trace(
    state: State,
    commodity: Annotated[
        str,
        Query(
            max_length=60, pattern=r"^[a-z_]+$", examples=["rare_earths"], json_schema_extra={"x-choices": "modelled"}
        ),
    ],
    start: Annotated[
        str,
        Query(
            alias="from",
            min_length=3,
            max_length=200,
            pattern=r"^[A-Za-z0-9_:\-.]+$",
            examples=["USA"],
            description="USA, CAN, MEX, USMCA or a plant id (facility:…)",
        ),
    ],
) -> dict[str, Any]:
    require_commodity(state, commodity, modelled=True)
    try:
        p = state.model.trace(commodity, start)
    except MineralsGraphError as exc:
        raise HTTPException(404, str(exc)) from None
    return {**p, "rows": records(trace_table(p))}


class CandidateModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Ident
    name: str = Field(min_length=1, max_length=200)
    iso3: CountryChoice
    commodity: ModelledChoice
    stage: StageName
    capacity_t: float = Field(gt=0, le=1e9, description="t/yr on the commodity's USGS basis")


class InvestRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"scenario": "prc-refining-cutoff", "budget_count": 3}]},
    )
    scenario: str = Field("prc-refining-cutoff", max_length=80, pattern=r"^[a-z0-9\-]+$")
    budget_count: int | None = Field(5, ge=1, le=50)
    budget_capacity_t: float | None = Field(None, gt=0, le=1e9)
    commodities: list[ModelledChoice] = Field(default_factory=list, max_length=60)
    candidates: list[CandidateModel] = Field(default_factory=list, max_length=50)


class InvestResult(BaseModel):
    data: list[dict[str, Any]]
    count: int
    combination: dict[str, Any]


@router.post("/invest", response_model=InvestResult, summary="Rank North American projects under a scenario")
async def invest(state: State, body: InvestRequest) -> InvestResult:
    if body.scenario not in state.model.presets():
        raise HTTPException(404, f"preset {body.scenario!r} not found; list presets at /api/v1/whatif/presets")
    extra = tuple(
        Candidate(c.id, c.name, c.iso3, c.commodity, c.stage, "user", c.capacity_t, control_iso3=c.iso3)
        for c in body.candidates
    )
    try:
        with anyio.fail_after(WHATIF_TIMEOUT_S):
            df, summary = await anyio.to_thread.run_sync(
                lambda: state.model.invest(
                    body.scenario,
                    budget_count=body.budget_count,
                    budget_capacity_t=body.budget_capacity_t,
                    extra=extra,
                    commodities=body.commodities or None,
                ),
                abandon_on_cancel=True,
            )
    except TimeoutError:
        raise HTTPException(
            504, f"investment ranking exceeded {WHATIF_TIMEOUT_S:g} s; narrow it with 'commodities'"
        ) from None
    except MineralsGraphError as exc:  # a candidate the model refuses (country, stage …)
        raise invalid(("body", "candidates"), str(exc)) from None
    rows = records(df)
    return InvestResult(data=rows, count=len(rows), combination=summary)
