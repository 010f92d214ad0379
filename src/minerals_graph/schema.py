"""The schema as data: node and edge kinds, their attributes, stages and commodities.

This module is the single source of truth. Loaders, validation, exports (CSV, GeoJSON,
GraphML), the Neo4j loader and the API models all derive from these tables.

Node ids are ``"<prefix>:<key>"`` strings, e.g. ``country:CHN``, ``commodity:lithium``,
``port:wpi-7950``, ``facility:fac_chn_baotou_…``, ``company:tianqi-lithium``.
Coordinates are ``lon``/``lat`` in EPSG:4326.

One name, one meaning (tables, graph, Cypher and API use the same words):

* ``kind`` on a node is its node kind (``Country`` … ``Company``; the Neo4j label) and on an
  edge its edge kind (``PRODUCES`` …; the Neo4j relationship type). Nothing else is called
  ``kind`` in the graph.
* ``place_kind`` is the type of a site or facility (one of :data:`SITE_KINDS` /
  :data:`FACILITY_KINDS`: mine, refinery …). In the ``places`` table it is the ``kind``
  column, next to ``node_kind`` (Site or Facility); the graph builder maps them.
* ``stage`` / ``stages`` are supply-chain stages (:data:`STAGES`).
* ``role`` is the role of a node in a commodity's supply network (mine, facility, rest,
  country, port, and the model's source, pool and demand artefacts), never a graph attribute.
* ``label`` is the published row label of a trade or salient statistic (the table's and the
  edge's); ``form`` the commodity form it is about.

:data:`TABLES` lists the columns of each canonical table with their types, reusing the
graph attribute a column becomes, so table dtypes and graph types cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minerals_graph.errors import UnknownCommodityError

__all__ = [
    "Attr",
    "NodeKind",
    "EdgeKind",
    "NODE_KINDS",
    "EDGE_KINDS",
    "SOURCE_ATTRS",
    "STAGES",
    "PROCESSING_STAGES",
    "SITE_KINDS",
    "FACILITY_KINDS",
    "KIND_STAGE",
    "STATUSES",
    "COORD_PRECISIONS",
    "Commodity",
    "COMMODITIES",
    "commodity_id",
    "USGS_LIST_RELATED",
    "commodity_by_id",
    "group_members",
    "node_id",
    "TABLES",
    "STRUCTURAL_ATTRS",
    "declared_attrs",
]


@dataclass(frozen=True)
class Attr:
    """One attribute of a node or edge kind."""

    name: str
    type: str  # "str", "float", "int", "bool"
    unit: str = ""
    required: bool = False
    description: str = ""


#: Every node and edge carries these: where the fact comes from.
SOURCE_ATTRS: tuple[Attr, ...] = (
    Attr("source", "str", required=True, description="short key of the source, e.g. usgs-mcs2024-world"),
    Attr("source_publisher", "str", required=True, description="publisher, e.g. U.S. Geological Survey"),
    Attr("source_dataset", "str", required=True, description="dataset, table or page title"),
    Attr(
        "source_year",
        "int",
        description="publication year of the dataset or page; absent when the page "
        "shows none (never the date it was read)",
    ),
    Attr("source_url", "str", required=True, description="URL of the dataset or page"),
)


@dataclass(frozen=True)
class NodeKind:
    name: str
    prefix: str
    description: str
    attrs: tuple[Attr, ...]
    geometry: bool = False


@dataclass(frozen=True)
class EdgeKind:
    name: str
    source_kinds: tuple[str, ...]
    target_kinds: tuple[str, ...]
    description: str
    attrs: tuple[Attr, ...] = ()


_LOC = (
    Attr("lon", "float", "degrees", description="longitude, EPSG:4326"),
    Attr("lat", "float", "degrees", description="latitude, EPSG:4326"),
)

NODE_KINDS: dict[str, NodeKind] = {
    k.name: k
    for k in (
        NodeKind(
            "Country",
            "country",
            "A country or territory by ISO 3166-1 alpha-3 code; WLD and ROW are the USGS "
            "'World total' and 'Other countries' aggregates (aggregate=True).",
            (
                Attr("iso3", "str", required=True),
                Attr("name", "str", required=True),
                Attr("continent", "str"),
                Attr("region_un", "str"),
                Attr("subregion", "str"),
                Attr("aggregate", "bool", description="True for WLD / ROW pseudo-countries"),
                Attr("alt_names", "str", description="other names of the country in the sources (';'-separated)"),
                *_LOC,
            ),
            geometry=True,
        ),
        NodeKind(
            "Commodity",
            "commodity",
            "A mineral commodity (USGS MCS chapter) or a member of a grouped one "
            "(individual rare earths, platinum-group metals).",
            (
                Attr("name", "str", required=True),
                Attr("usgs_code", "str", description="MCS 5-letter file code"),
                Attr("group", "str", description="id of the grouped commodity it belongs to"),
                Attr("critical_2022", "bool", required=True, description="on the 2022 USGS list of critical minerals"),
                Attr(
                    "critical_2025",
                    "bool",
                    description="on the 2025 U.S. list of 60 critical minerals (MCS 2026 Table 6)",
                ),
                Attr("applications", "str", description="end uses, as the list's source gives them"),
            ),
        ),
        NodeKind(
            "Site",
            "site",
            "A mine, deposit, brine operation or well field.",
            (
                Attr("name", "str", required=True),
                Attr(
                    "place_kind",
                    "str",
                    required=True,
                    description="type of place: one of SITE_KINDS (sites) or FACILITY_KINDS (facilities); "
                    "the places table's kind column",
                ),
                Attr("iso3", "str", required=True),
                Attr("admin1", "str"),
                *_LOC,
                Attr("coord_precision", "str", description="site / town / region"),
                Attr(
                    "coord_source",
                    "str",
                    description="who gave the coordinates (publisher and dataset or page, "
                    "with a dataset's record id); empty: the node's own source",
                ),
                Attr("coord_source_url", "str", description="URL of the coordinates' evidence"),
                Attr("source_date_read", "str", description="date the cited page was read (yyyy-mm-dd)"),
                Attr("status", "str", description="one of STATUSES or unknown"),
                Attr("status_year", "int"),
                Attr("commodities", "str", description="';'-separated commodity ids"),
                Attr("stages", "str", description="';'-separated stages"),
                Attr("operator", "str"),
                Attr("capacity", "float"),
                Attr("capacity_unit", "str"),
                Attr("capacity_basis", "str"),
                Attr("capacity_commodity", "str"),
                Attr("capacity_year", "int"),
                Attr("notes", "str"),
                Attr(
                    "corroborated_by",
                    "str",
                    description="records of other datasets that are the same "
                    "facility ('dataset-record_id, distance'; ';'-separated)",
                ),
                Attr("other_source_urls", "str", description="further pages citing the place (';'-separated)"),
            ),
            geometry=True,
        ),
        NodeKind(
            "Facility",
            "facility",
            "A processing plant: concentrator, smelter, refinery, separation, metal/alloy, "
            "magnet, precursor/cathode, anode or recycling plant.",
            (),  # same attributes as Site, filled in below
            geometry=True,
        ),
        NodeKind(
            "Port",
            "port",
            "A port of the NGA World Port Index.",
            (
                Attr("name", "str", required=True),
                Attr("iso3", "str", required=True),
                Attr("wpi_number", "int", required=True),
                Attr("alt_name", "str", description="the WPI's alternate port name"),
                Attr("region_name", "str", description="the WPI's region (world port index region name)"),
                Attr("unlocode", "str"),
                Attr("harbor_size", "str"),
                Attr("harbor_type", "str"),
                Attr("solid_bulk", "str", description="Facilities - Solid Bulk: Yes/No/Unknown"),
                Attr("gateway", "bool", description="cited as a gateway port (data/gateway_ports.csv)"),
                Attr("gateway_role", "str", description="the gateway's role, as its source describes it"),
                Attr("gateway_coast", "str", description="Pacific, Atlantic, Gulf, Arctic, ..."),
                Attr("gateway_source_url", "str", description="the page citing the port as a gateway"),
                Attr("container", "str", description="Facilities - Container: Yes/No/Unknown"),
                Attr("breakbulk", "str"),
                Attr("channel_depth_m", "float", "m"),
                Attr("cargo_pier_depth_m", "float", "m"),
                Attr("max_vessel_draft_m", "float", "m"),
                Attr("admin", "str", description="the country name exactly as the WPI gives it"),
                *_LOC,
            ),
            geometry=True,
        ),
        NodeKind(
            "Company",
            "company",
            "An operator or owner.",
            (
                Attr("name", "str", required=True),
                Attr("control_iso3", "str", description="country of ultimate control, when known"),
                Attr(
                    "control_conflict",
                    "str",
                    description="other countries of control the sources give, when they disagree",
                ),
            ),
        ),
    )
}
# Facility shares Site's attributes (they come from the same kinds of tables).
NODE_KINDS["Facility"] = NodeKind(
    "Facility",
    "facility",
    NODE_KINDS["Facility"].description,
    NODE_KINDS["Site"].attrs,
    geometry=True,
)

_PLACES = ("Site", "Facility", "Port")
_PRODUCERS = ("Country", "Site", "Facility")

EDGE_KINDS: dict[str, EdgeKind] = {
    k.name: k
    for k in (
        EdgeKind("LOCATED_IN", (*_PLACES, "Company"), ("Country",), "Where a place is; a company's headquarters."),
        EdgeKind(
            "PRODUCES",
            _PRODUCERS,
            ("Commodity",),
            "Production (Country, from USGS world tables) or capacity/product (Site, Facility).",
            (
                Attr("stage", "str", required=True, description="one of STAGES"),
                Attr("quantity", "float", description="value; empty when withheld or not available"),
                Attr("qualifier", "str", description="W, NA, E, >50, <25, est … as published"),
                Attr("unit", "str", description="t, kt, kg, … as published"),
                Attr("year", "int"),
                Attr("estimated", "bool"),
                Attr("measure", "str", description="production or capacity"),
                Attr("basis", "str", description="what the quantity counts (contained metal, REO, gross weight …)"),
                Attr("type_text", "str", description="the USGS Type text the stage was read from"),
                Attr("product", "str"),
                Attr("note", "str"),
            ),
        ),
        EdgeKind(
            "HOLDS_RESERVES",
            ("Country",),
            ("Commodity",),
            "Reserves by country (USGS world tables).",
            (
                Attr("quantity", "float"),
                Attr("qualifier", "str"),
                Attr("unit", "str"),
                Attr("year", "int"),
                Attr("note", "str"),
            ),
        ),
        EdgeKind(
            "SUPPLIES",
            ("Site", "Facility"),
            ("Site", "Facility"),
            "A cited feed or offtake relation.",
            (Attr("commodity", "str", required=True), Attr("note", "str")),
        ),
        EdgeKind(
            "SHIPS_VIA",
            ("Site", "Facility"),
            ("Port",),
            "A place ships through a port: cited, or inferred as the nearest suitable port.",
            (
                Attr("commodity", "str"),
                Attr("inferred", "bool", required=True),
                Attr("distance_km", "float", "km"),
                Attr("note", "str"),
            ),
        ),
        EdgeKind(
            "TRADES",
            ("Country",),
            ("Country",),
            "Exporter -> importer for a commodity (USGS major import sources: rank order).",
            (
                Attr("commodity", "str", required=True),
                Attr("label", "str", description="the published row label (USGS form, or the BACI HS6 product)"),
                Attr("form", "str"),
                Attr("rank", "int", description="1 = largest import source"),
                Attr("share_pct", "float"),
                Attr("value_usd", "float"),
                Attr("quantity", "float"),
                Attr("period", "str", description="e.g. 2019-2022"),
                Attr("note", "str"),
            ),
        ),
        EdgeKind(
            "IMPORT_RELIANCE",
            ("Country",),
            ("Commodity",),
            "Net import reliance of a country on a commodity as published (USGS).",
            (
                Attr("form", "str"),
                Attr("year", "int", required=True),
                Attr("pct", "float"),
                Attr("qualifier", "str"),
                Attr("note", "str"),
            ),
        ),
        EdgeKind(
            "STATISTIC",
            ("Country",),
            ("Commodity",),
            "One U.S. salient statistic (production, imports, exports, consumption, price, …), or a "
            "country's world exports/imports of one HS6 code summed from BACI (measures "
            "trade_exports_world, trade_imports_world; detail 'HS <code> (<stage>)').",
            (
                Attr("measure", "str", required=True),
                Attr("label", "str", description="the published row label (commodity as the table names it)"),
                Attr("detail", "str"),
                Attr("unit", "str"),
                Attr("year", "int", required=True),
                Attr("value", "float"),
                Attr("qualifier", "str"),
                Attr("column", "str", description="the published column name"),
            ),
        ),
        EdgeKind(
            "OWNED_BY",
            ("Site", "Facility"),
            ("Company",),
            "Ownership.",
            (
                Attr("share_pct", "float"),
                Attr(
                    "position",
                    "int",
                    description="order in which the source lists the owner (1 = first); breaks ties in stakes",
                ),
            ),
        ),
        EdgeKind("OPERATED_BY", ("Site", "Facility"), ("Company",), "Operator."),
        EdgeKind("CONTROLLED_FROM", ("Company",), ("Country",), "Country of ultimate control."),
        EdgeKind("PART_OF", ("Commodity",), ("Commodity",), "Member of a grouped commodity."),
        EdgeKind(
            "EXPORT_CONTROL",
            ("Country",),
            ("Commodity",),
            "An export control in force (ban, quota or licensing) of a country on a commodity, as "
            "USGS MCS 2026 Table 4 lists it.",
            (
                Attr("control_type", "str", required=True, description="ban, quota, licensing requirement ..."),
                Attr("year", "int", required=True, description="year the control took effect"),
                Attr("item", "str", description="the item as published (e.g. 'synthesized diamond')"),
                Attr("official_url", "str", description="the official notice USGS cites"),
                Attr("note", "str"),
                Attr(
                    "announcement",
                    "str",
                    description="the announcement that imposed it (data/export_control_announcements.csv)",
                ),
                Attr("date_announced", "str", description="YYYY-MM-DD"),
                Attr("date_effective", "str", description="YYYY-MM-DD"),
                Attr("scope", "str", description="the controlled items, in short"),
                Attr("announcement_url", "str", description="the official announcement page, where read"),
                Attr("announcement_source_url", "str", description="the page the announcement was read on"),
                Attr("history", "str", description="every announcement on it in date order, with status and source"),
            ),
        ),
    )
}

# ---------------------------------------------------------------------------------------
# Stages and kinds of places

#: Stages of the supply chain, upstream first.
STAGES: tuple[str, ...] = (
    "mining",
    "concentrating",
    "smelting",
    "refining",
    "separation",
    "metal_alloy",
    "magnet",
    "precursor_cathode",
    "anode",
    "recycling",
)
#: Stages that count as processing (everything after mining).
PROCESSING_STAGES: tuple[str, ...] = STAGES[1:]

SITE_KINDS: tuple[str, ...] = ("mine", "deposit", "brine", "well")
FACILITY_KINDS: tuple[str, ...] = (
    "concentrator",
    "smelter",
    "refinery",
    "separation_plant",
    "metal_alloy_plant",
    "magnet_plant",
    "precursor_cathode_plant",
    "anode_plant",
    "recycling_plant",
    "processing_plant",
)
#: Default stage of each kind of place.
KIND_STAGE: dict[str, str] = {
    "mine": "mining",
    "deposit": "mining",
    "brine": "mining",
    "well": "mining",
    "concentrator": "concentrating",
    "smelter": "smelting",
    "refinery": "refining",
    "separation_plant": "separation",
    "metal_alloy_plant": "metal_alloy",
    "magnet_plant": "magnet",
    "precursor_cathode_plant": "precursor_cathode",
    "anode_plant": "anode",
    "recycling_plant": "recycling",
    "processing_plant": "refining",
}
STATUSES: tuple[str, ...] = (
    "operating",
    "construction",
    "care_and_maintenance",
    "planned",
    "closed",
    "suspended",
    "unknown",
)
COORD_PRECISIONS: tuple[str, ...] = ("site", "town", "region")

# ---------------------------------------------------------------------------------------
# Commodities


@dataclass(frozen=True)
class Commodity:
    """A commodity: a USGS MCS chapter or a member of a grouped chapter."""

    id: str
    name: str
    usgs_code: str = ""
    group: str = ""
    aliases: tuple[str, ...] = field(default=())


def _c(id: str, name: str, code: str = "", group: str = "", *aliases: str) -> Commodity:
    return Commodity(id, name, code, group, tuple(aliases))


_RE = "rare_earths"
_PGM = "platinum_group_metals"

#: Every commodity the project knows. Aliases are matched case-insensitively after
#: normalisation (see :func:`commodity_id`); they cover the names used by every source.
COMMODITIES: tuple[Commodity, ...] = (
    _c("abrasives", "Abrasives (manufactured)", "abras"),
    _c("aluminum", "Aluminum", "alumi", "", "alum", "aluminium"),
    _c("antimony", "Antimony", "antim"),
    _c("arsenic", "Arsenic", "arsen"),
    _c("asbestos", "Asbestos", "asbes"),
    _c("barite", "Barite", "barit"),
    _c("bauxite", "Bauxite and alumina", "bauxi", "", "bauxite and alumina", "alumina", "aluminum (bauxite)"),
    _c("beryllium", "Beryllium", "beryl"),
    _c("bismuth", "Bismuth", "bismu"),
    _c("boron", "Boron", "boron", "", "trona"),
    _c("bromine", "Bromine", "bromi"),
    _c("cadmium", "Cadmium", "cadmi"),
    _c("cement", "Cement", "cemen"),
    _c("cesium", "Cesium", "", "", "caesium"),
    _c("chromium", "Chromium", "chrom", "", "chromite"),
    _c(
        "clays",
        "Clays",
        "clays",
        "",
        "clay",
        "common clay and shale",
        "bentonite",
        "ball clay",
        "kaolin",
        "fullers earth",
    ),
    _c("coal", "Coal", "", "", "coke"),
    _c("cobalt", "Cobalt", "cobal"),
    _c("copper", "Copper", "coppe"),
    _c("industrial_diamond", "Diamond (industrial)", "diamo", "", "diamond"),
    _c("diatomite", "Diatomite", "diato"),
    _c("feldspar", "Feldspar and nepheline syenite", "felds", "", "feldspar and nepheline syenite"),
    _c("nepheline_syenite", "Nepheline syenite", "", "feldspar"),
    _c("ferroalloys", "Ferroalloys"),
    _c("fluorspar", "Fluorspar", "fluor"),
    _c("gallium", "Gallium", "galli"),
    _c("garnet", "Garnet (industrial)", "garne"),
    _c("gemstones", "Gemstones", "gemst", "", "gemstone"),
    _c("germanium", "Germanium", "germa"),
    _c("gold", "Gold", "gold"),
    _c("graphite", "Graphite (natural)", "graph", "", "graphite (natural)"),
    _c("gypsum", "Gypsum", "gypsu"),
    _c("hafnium", "Hafnium", "", "zirconium"),
    _c("helium", "Helium", "heliu"),
    _c("indium", "Indium", "indiu"),
    _c("iodine", "Iodine", "iodin"),
    _c("iron_ore", "Iron ore", "feore", "", "iron"),
    _c("iron_oxide_pigments", "Iron oxide pigments", "fepig"),
    _c("iron_steel", "Iron and steel", "feste", "", "iron and steel", "pig iron"),
    _c("iron_steel_scrap", "Iron and steel scrap", "fescr"),
    _c("iron_steel_slag", "Iron and steel slag", "fesla"),
    _c("kyanite", "Kyanite and related minerals", "kyani"),
    _c("lead", "Lead", "lead"),
    _c("lime", "Lime", "lime"),
    _c("lithium", "Lithium", "lithi"),
    _c("magnesium", "Magnesium metal", "mgmet", "", "magnesium metal"),
    _c("magnesium_compounds", "Magnesium compounds", "mgcomp", "", "olivine"),
    _c("manganese", "Manganese", "manga"),
    _c("mercury", "Mercury", "mercu"),
    _c("mica", "Mica", "mica"),
    _c("molybdenum", "Molybdenum", "molyb"),
    _c("natural_gas", "Natural gas"),
    _c("nickel", "Nickel", "nicke"),
    _c("niobium", "Niobium (columbium)", "niobi", "", "columbium", "niobium (columbium)", "columbium and(or) tantalum"),
    _c("nitrogen", "Nitrogen (fixed)-ammonia", "nitro", "", "nitrogen (fixed)--ammonia"),
    _c("peat", "Peat", "peat"),
    _c("perlite", "Perlite", "perli"),
    _c("petroleum", "Petroleum"),
    _c("phosphate_rock", "Phosphate rock", "phosp", "", "phosphate"),
    _c(_PGM, "Platinum-group metals", "plati", "", "platinum group elements", "pgm", "pgms"),
    _c("platinum", "Platinum", "", _PGM),
    _c("palladium", "Palladium", "", _PGM),
    _c("iridium", "Iridium", "", _PGM),
    _c("rhodium", "Rhodium", "", _PGM),
    _c("ruthenium", "Ruthenium", "", _PGM),
    _c("potash", "Potash", "potas"),
    _c("pumice", "Pumice and pumicite", "pumic"),
    _c("pyrophyllite", "Pyrophyllite", "", "talc"),
    _c("quartz_crystal", "Quartz crystal (industrial)", "quartz"),
    _c(_RE, "Rare earths", "raree", "", "rare earth elements", "ree", "rare-earth"),
    _c("lanthanum", "Lanthanum", "", _RE),
    _c("cerium", "Cerium", "", _RE),
    _c("praseodymium", "Praseodymium", "", _RE),
    _c("neodymium", "Neodymium", "", _RE),
    _c("samarium", "Samarium", "", _RE),
    _c("europium", "Europium", "", _RE),
    _c("gadolinium", "Gadolinium", "", _RE),
    _c("terbium", "Terbium", "", _RE),
    _c("dysprosium", "Dysprosium", "", _RE),
    _c("holmium", "Holmium", "", _RE),
    _c("erbium", "Erbium", "", _RE),
    _c("thulium", "Thulium", "", _RE),
    _c("ytterbium", "Ytterbium", "", _RE),
    _c("lutetium", "Lutetium", "", _RE),
    _c("yttrium", "Yttrium", "yttri", _RE),
    _c("scandium", "Scandium", "scand", _RE),
    _c("rhenium", "Rhenium", "rheni"),
    _c("rubidium", "Rubidium"),
    _c("salt", "Salt", "salt"),
    _c("sand_gravel_construction", "Sand and gravel (construction)", "sandc", "", "sand and gravel"),
    _c("sand_gravel_industrial", "Sand and gravel (industrial)", "sandi", "", "silica sand", "silica"),
    _c("selenium", "Selenium", "selen"),
    _c("silicon", "Silicon", "simet", "", "ferrosilicon"),
    _c("silver", "Silver", "silve"),
    _c("soda_ash", "Soda ash", "sodaa", "", "sodium sulfate"),
    _c("dimension_stone", "Stone (dimension)", "stond", "", "stone (dimension)"),
    _c("crushed_stone", "Stone (crushed)", "stonec", "", "stone", "stone (crushed)"),
    _c("strontium", "Strontium", "stron", "", "celestite"),
    _c("sulfur", "Sulfur", "sulfu"),
    _c("talc", "Talc and pyrophyllite", "talc", "", "talc and pyrophyllite"),
    _c("tantalum", "Tantalum", "tanta"),
    _c("tellurium", "Tellurium", "tellu"),
    _c("thallium", "Thallium", "thall"),
    _c("thorium", "Thorium", "thori"),
    _c("tin", "Tin", "tin"),
    _c(
        "titanium",
        "Titanium",
        "titan",
        "",
        "titanium and titanium dioxide",
        "titanium metal",
        "titanium (metal)",
        "titanium dioxide pigment",
        "titanium dioxide",
    ),
    _c(
        "titanium_mineral_concentrates",
        "Titanium mineral concentrates",
        "timin",
        "titanium",
        "titanium minerals",
        "ilmenite",
        "rutile",
    ),
    _c("tungsten", "Tungsten", "tungs"),
    _c("uranium", "Uranium"),
    _c("vanadium", "Vanadium", "vanad"),
    _c("vermiculite", "Vermiculite", "vermi"),
    _c("wollastonite", "Wollastonite", "wolla"),
    _c("zeolites", "Zeolites (natural)", "zeoli", "", "zeolites (natural)"),
    _c("zinc", "Zinc", "zinc"),
    _c(
        "zirconium",
        "Zirconium and hafnium",
        "zirco",
        "",
        "zirconium and hafnium",
        "zircon",
        "zirconium (ores and concentrates)",
    ),
)

_BY_ID: dict[str, Commodity] = {c.id: c for c in COMMODITIES}

#: Commodities USGS reports a list member through (MCS Table 5: "Aluminum (bauxite)").
USGS_LIST_RELATED: dict[str, tuple[str, ...]] = {"aluminum": ("bauxite",)}


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("_", " ").split()).strip().lower()


_ALIASES: dict[str, str] = {}
for _com in COMMODITIES:
    for _name in (_com.id, _com.name, *_com.aliases, *((_com.usgs_code,) if _com.usgs_code else ())):
        _alias = _norm(_name)
        if _alias in _ALIASES and _ALIASES[_alias] != _com.id:  # pragma: no cover - schema bug
            raise RuntimeError(f"commodity alias {_alias!r} used twice")
        _ALIASES[_alias] = _com.id


def commodity_by_id(cid: str) -> Commodity:
    """Return the :class:`Commodity` with id ``cid``; raise UnknownCommodityError."""
    try:
        return _BY_ID[cid]
    except KeyError:
        raise UnknownCommodityError(cid) from None


def commodity_id(name: str, where: str = "") -> str:
    """Map any commodity name used by a source to the project's commodity id.

    Tries, in order: the whole name; the name before a comma (``"ZINC, refined"``); the
    name without a parenthesised qualifier (``"GRAPHITE (NATURAL)"``); the same without a
    trailing plural ``s``. Raises :class:`UnknownCommodityError` naming ``where``.
    """
    text = _norm(name)
    candidates = [text]
    head = text.split(",")[0].strip()
    candidates.append(head)
    if "(" in head:
        candidates.append(head.split("(")[0].strip())
    candidates += [c[:-1] for c in list(candidates) if c.endswith("s")]
    for cand in candidates:
        if cand in _ALIASES:
            return _ALIASES[cand]
    raise UnknownCommodityError(name.strip(), where)


def group_members(group_id: str) -> list[str]:
    """Ids of the commodities whose ``group`` is ``group_id``, in schema order."""
    return [c.id for c in COMMODITIES if c.group == group_id]


def node_id(kind: str, key: str) -> str:
    """The graph id of a node of ``kind`` (a NODE_KINDS name) with key ``key``."""
    return f"{NODE_KINDS[kind].prefix}:{key}"


# ---------------------------------------------------------------------------------------
# Attributes and canonical tables

#: Attributes every node or edge has besides the declared ones: its kind.
STRUCTURAL_ATTRS: tuple[Attr, ...] = (
    Attr("kind", "str", required=True, description="node kind (the Neo4j label) or edge kind (relationship type)"),
)


def declared_attrs(kind: str) -> dict[str, Attr]:
    """Every attribute a node or edge of ``kind`` may carry: its own, the source
    attributes and the structural ones, by name."""
    spec = NODE_KINDS.get(kind) or EDGE_KINDS.get(kind)
    if spec is None:
        raise KeyError(f"kind {kind!r}: expected one of {sorted(NODE_KINDS) + sorted(EDGE_KINDS)}")
    return {a.name: a for a in (*STRUCTURAL_ATTRS, *SOURCE_ATTRS, *spec.attrs)}


#: The USMCA members (the demands the allocation serves besides the bloc itself).
USMCA_MEMBERS: tuple[str, ...] = ("USA", "CAN", "MEX")
#: STATISTIC measures of a country's world exports and imports of one HS6 code (BACI sums).
WORLD_EXPORTS, WORLD_IMPORTS = "trade_exports_world", "trade_imports_world"

#: EXPORT_CONTROL attributes taken from data/export_control_announcements.csv (not written by curate).
ANNOUNCEMENT_ATTRS = (
    "announcement",
    "date_announced",
    "date_effective",
    "scope",
    "announcement_url",
    "announcement_source_url",
    "history",
)


def _cols(kind: str, *names: str | Attr) -> tuple[Attr, ...]:
    """Table columns: a name is the graph attribute of ``kind`` it becomes; an Attr is a
    column the graph stores otherwise (an id, an endpoint, a renamed column)."""
    attrs = declared_attrs(kind)
    return tuple(n if isinstance(n, Attr) else attrs[n] for n in names)


def _key(name: str, type_: str = "str", description: str = "") -> Attr:
    return Attr(name, type_, description=description)


_ISO3 = _key("iso3", description="ISO3 code of the country the row is about")
_COMMODITY = _key("commodity", description="commodity id (the edge's target node)")

#: The canonical tables (``minerals_graph.tables``, ``data/*.csv``): their columns, in
#: order, and types; the source columns (:data:`SOURCE_ATTRS`) follow each table's own.
TABLES: dict[str, tuple[Attr, ...]] = {
    "countries": _cols(
        "Country", "iso3", "name", "alt_names", "continent", "region_un", "subregion", "lon", "lat", "aggregate"
    ),
    "commodities": _cols(
        "Commodity",
        _key("id", description="commodity id (node commodity:<id>)"),
        "name",
        "usgs_code",
        "group",
        "critical_2022",
        "critical_2025",
        "applications",
    ),
    "ports": _cols(
        "Port",
        "wpi_number",
        "name",
        "alt_name",
        "unlocode",
        "iso3",
        "admin",
        "region_name",
        "harbor_size",
        "harbor_type",
        "solid_bulk",
        "container",
        "breakbulk",
        "channel_depth_m",
        "cargo_pier_depth_m",
        "max_vessel_draft_m",
        "lon",
        "lat",
    ),
    "places": _cols(
        "Site",
        _key("id", description="graph node id (site:… or facility:…)"),
        _key("node_kind", description="Site or Facility: the node's kind"),
        _key("kind", description="type of place: the node's place_kind"),
        "name",
        "iso3",
        "admin1",
        "lon",
        "lat",
        "coord_precision",
        "coord_source",
        "coord_source_url",
        "source_date_read",
        "status",
        "status_year",
        "commodities",
        "stages",
        "operator",
        "capacity",
        "capacity_unit",
        "capacity_basis",
        "capacity_commodity",
        "capacity_year",
        "notes",
        "other_source_urls",
        "corroborated_by",
    ),
    "ownership": _cols(
        "OWNED_BY",
        _key("place_id"),
        _key("company", description="company name as published"),
        _key("control_iso3", description="the company's country of control"),
        "share_pct",
        _key("role", description="owner (OWNED_BY) or operator (OPERATED_BY)"),
        "position",
    ),
    "production": _cols(
        "PRODUCES",
        _key("producer_id", description="graph id of the producing node"),
        _COMMODITY,
        "stage",
        "measure",
        "quantity",
        "qualifier",
        "unit",
        "year",
        "estimated",
        "basis",
        "type_text",
        "product",
        "note",
    ),
    "trades": _cols(
        "TRADES",
        _key("exporter"),
        _key("importer"),
        "commodity",
        "label",
        "rank",
        "share_pct",
        "value_usd",
        "quantity",
        "period",
        "note",
    ),
    "import_reliance": _cols(
        "IMPORT_RELIANCE",
        _ISO3,
        _COMMODITY,
        _key("label", description="the published row label: the edge's form"),
        "year",
        "pct",
        "qualifier",
        "note",
    ),
    "statistics": _cols(
        "STATISTIC", _ISO3, _COMMODITY, "label", "year", "measure", "detail", "unit", "value", "qualifier", "column"
    ),
    "supplies": _cols("SUPPLIES", _key("from_id"), _key("to_id"), "commodity", "note"),
    "ships_via": _cols(
        "SHIPS_VIA",
        _key("place_id"),
        _key("wpi_number", "int", "the port's WPI number"),
        "commodity",
        "inferred",
        "distance_km",
        "note",
    ),
    "companies": _cols(
        "Company", _key("id", description="graph node id (company:<key>)"), "name", "control_iso3", "control_conflict"
    ),
    "export_controls": _cols(
        "EXPORT_CONTROL",
        _ISO3,
        _COMMODITY,
        "item",
        "control_type",
        "year",
        "official_url",
        "note",
        *ANNOUNCEMENT_ATTRS,
    ),
}
