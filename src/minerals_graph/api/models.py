"""Request and response models (pydantic). Lists are ``{data, count}``; values are plain
JSON types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from minerals_graph.analysis.flow import REAL_ROLES
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, STAGES

T = TypeVar("T")

# Enums derived from the schema (the one source of truth): adding a stage or a kind there
# adds it here. They are built at runtime, so a type checker cannot read their values: it
# sees each as a ``str`` alias.
if TYPE_CHECKING:
    StageName: TypeAlias = str
    NetworkStage: TypeAlias = str
    NodeKindName: TypeAlias = str
    GeoNodeKind: TypeAlias = str
    GeoEdgeKind: TypeAlias = str
    RoleName: TypeAlias = str
else:
    #: A supply-chain stage (schema.STAGES).
    StageName = Literal[STAGES]
    #: A stage of a supply-network node: a schema stage, or ``port``.
    NetworkStage = Literal[(*STAGES, "port")]
    #: A node kind (schema.NODE_KINDS).
    NodeKindName = Literal[tuple(NODE_KINDS)]
    #: Node kinds with a location (points in GeoJSON).
    GeoNodeKind = Literal[tuple(k for k, v in NODE_KINDS.items() if v.geometry)]
    #: Edge kinds joining located nodes (lines in GeoJSON).
    GeoEdgeKind = Literal[
        tuple(
            k
            for k, e in EDGE_KINDS.items()
            if any(NODE_KINDS[n].geometry for n in e.source_kinds)
            and any(NODE_KINDS[n].geometry for n in e.target_kinds)
        )
    ]
    #: Role of a real supply-network node (analysis.flow.REAL_ROLES).
    RoleName = Literal[REAL_ROLES]
Scalar = str | int | float | bool
ISO3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["CHN"])]
Ident = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_:\-.]+$")]


class ListOf(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="number of items in data")


class Page(ListOf[T], Generic[T]):
    total: int = Field(description="number of items matching the filters")
    limit: int
    offset: int


class Source(BaseModel):
    source: str
    publisher: str
    dataset: str
    year: int | None
    url: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    nodes: int
    edges: int
    origin: str
    sources: list[Source]
    modelled_commodities: list[str]


class Commodity(BaseModel):
    id: str = Field(examples=["rare_earths"])
    name: str
    usgs_code: str | None = None
    group: str | None = None
    critical_2022: bool


class Country(BaseModel):
    iso3: str = Field(examples=["CHN"])
    name: str
    continent: str | None = None
    lon: float | None = None
    lat: float | None = None
    aggregate: bool = False


class Node(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "facility:fac_mys_lynas_kuantan",
                    "kind": "Facility",
                    "name": "Lynas Malaysia",
                    "iso3": "MYS",
                    "lon": 103.37,
                    "lat": 4.0,
                    "source_url": "https://lynasrareearths.com/",
                    "attributes": {"status": "operating"},
                }
            ]
        }
    )
    id: str
    kind: str
    name: str | None = None
    iso3: str | None = None
    lon: float | None = None
    lat: float | None = None
    source: str | None = None
    source_publisher: str | None = None
    source_dataset: str | None = None
    source_year: int | None = None
    source_url: str | None = None
    attributes: dict[str, Scalar] = Field(default_factory=dict)


class Neighbour(BaseModel):
    id: str
    kind: str
    name: str | None = None
    direction: Literal["out", "in"]
    edge_kind: str
    edge: dict[str, Scalar]


class NodeDetail(BaseModel):
    node: Node
    neighbours: list[Neighbour]
    neighbours_total: int
    sources: list[Source]


class Chokepoint(BaseModel):
    commodity: str
    year: int | None
    node: str
    label: str
    role: str
    stage: str | None
    iso3: str | None
    control_iso3: str | None
    graph_id: str | None
    demand_t: float | None
    supply_t: float | None
    n1_loss_t: float
    n1_loss_pct_of_demand: float | None
    spof: bool
    in_min_node_cut: bool
    betweenness: float
    stage_hhi_country: float | None
    stage_top1_country: str | None
    stage_top1_share_pct: float | None
    rank: int


class NIRRow(BaseModel):
    edition: int | None = Field(None, description="MCS edition: 2024 (2019-2023) or 2026 (2021-2025)")
    commodity: str
    year: int
    form: str
    published_pct: float | None
    published_qualifier: str
    recomputed_pct: float | None
    difference_pp: float | None
    agreement: str
    explanation: str
    imports_t: float | None = None
    exports_t: float | None = None
    stock_change_t: float | None = None
    consumption_t: float | None = None
    consumption_column: str | None = None
    fig2_pct: float | None = None
    fig2_qualifier: str | None = None


class BandRow(BaseModel):
    mineral: str
    year: int
    via: str
    label: str
    pct: float | None
    qualifier: str
    band: str
    primary_import_source: str | None = Field(None, description="first of USGS's ranked import sources (Fig. 2)")
    salient_import_source: str | None = Field(None, description="'primary import source' of the salient table")
    leading_producer: str | None = Field(None, description="leading producing country (salient table)")
    source: str | None


class BandCount(BaseModel):
    band: str
    minerals: int


class Bands(BaseModel):
    year: int
    minerals: list[BandRow]
    counts: list[BandCount]


class ExportControl(BaseModel):
    iso3: str = Field(description="the controlling country")
    commodity: str
    control_type: str | None
    year: int | None = Field(description="year the control took effect")
    official_url: str | None = Field(description="the official notice USGS cites")


class PRCExposure(BaseModel):
    commodity: str
    import_rank_2019_2022: int | None
    import_rank_2020_2023: int | None
    import_rank_2021_2024: int | None = None
    import_share_pct: float | None
    import_share_period: str | None = None
    import_share_form: str | None = None
    import_share_source: str | None = None
    processing_basis: str | None = None
    mine_share_pct: float | None
    processing_stage: str | None
    processing_share_pct: float | None
    embodied_share_pct: float | None
    registered: dict[str, float] = Field(
        default_factory=dict, description="registered_<stage>_located_pct / _controlled_pct"
    )
    assumptions: str


#: What-if body values checked against the served data; the OpenAPI document lists the valid
#: values as an enum (``x-choices``, filled by ``api.app``), and the route answers 422.
CountryChoice = Annotated[str, Field(pattern=r"^[A-Z]{3}$", json_schema_extra={"x-choices": "countries"})]
ModelledChoice = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[a-z_]+$", json_schema_extra={"x-choices": "modelled"})
]


class NodeFilterModel(BaseModel):
    """Nodes matching every given criterion (each: any of its values)."""

    model_config = ConfigDict(extra="forbid")
    countries: list[CountryChoice] = Field(default_factory=list, max_length=60)
    control: list[CountryChoice] = Field(default_factory=list, max_length=60)
    stages: list[StageName] = Field(default_factory=list, max_length=len(STAGES))
    roles: list[RoleName] = Field(default_factory=list, max_length=len(REAL_ROLES))
    ids: list[Ident] = Field(default_factory=list, max_length=200)
    commodities: list[ModelledChoice] = Field(default_factory=list, max_length=60)


class AdditionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commodity: ModelledChoice = Field(examples=["rare_earths"])
    iso3: CountryChoice
    capacity_t: float = Field(gt=0, le=1e9, description="t/yr in the USGS basis of the commodity")
    stage: StageName = "refining"
    name: Annotated[str, Field(max_length=120)] = "hypothetical plant"
    dest: CountryChoice | None = Field(
        None, description="ISO3 receiving the output after the own demand; none: export partners by trade share"
    )


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "remove": [{"countries": ["CHN"], "stages": ["separation"]}],
                    "add": [{"commodity": "rare_earths", "iso3": "USA", "capacity_t": 5000, "stage": "separation"}],
                    "commodities": ["rare_earths"],
                }
            ]
        },
    )
    remove: list[NodeFilterModel] = Field(default_factory=list, max_length=20)
    add: list[AdditionModel] = Field(default_factory=list, max_length=20)
    commodities: list[ModelledChoice] = Field(
        default_factory=list, max_length=60, description="default: every modelled commodity"
    )


class Carrier(BaseModel):
    id: str = Field(description="supply-network id (fac:<graph id>, port:wpi-N, out:ISO3, rest:ISO3 ...)")
    label: str
    flow_t: float


class WhatIfRow(BaseModel):
    commodity: str
    year: int | None
    demand: str
    demand_t: float | None
    demand_basis: str | None
    supply_before_t: float | None
    supply_after_t: float | None
    shortfall_t: float | None
    shortfall_pct_of_demand: float | None
    shortfall_low_t: float | None = Field(None, description="optimistic bound of the shortfall")
    shortfall_low_pct_of_demand: float | None = None
    shortfall_high_t: float | None = Field(None, description="pessimistic bound of the shortfall")
    shortfall_high_pct_of_demand: float | None = None
    reason: str = Field("", description="one line: which stage was removed and whose share")
    evidence: str = Field("", description="trade evidence of the shares: baci, usgs-share, rank")
    evidence_basis: str = ""
    supply_after_priority_t: float | None = None
    supply_after_proportional_t: float | None
    shortfall_proportional_t: float | None
    removed_nodes: int
    removed: str
    carriers_after: str | None
    status: str
    assumptions: str
    removed_ids: list[str] = Field(default_factory=list, description="supply-network ids of the removed nodes")
    carriers: list[Carrier] = Field(
        default_factory=list, description="nodes carrying the most flow to the demand afterwards"
    )


class Citation(BaseModel):
    label: str
    url: str


class Preset(BaseModel):
    name: str
    description: str
    kind: str = Field("removal", description="removal (nodes taken out) or export-control (exports stopped)")
    date: str | None = Field(None, description="date the control took effect (export controls)")
    commodities: list[str] = Field(default_factory=list, description="commodities it concerns; empty = all")
    citations: list[Citation] = Field(default_factory=list)


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Scalar | None]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    count: int


class Problem(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="where: ['query', name], ['path', name] or ['body', …]")
    msg: str = Field(description="what is wrong, with the nearest valid value when there is one")
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationProblem(BaseModel):
    detail: list[FieldProblem]
