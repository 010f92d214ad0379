import pytest

from minerals_graph.errors import UnknownCommodityError
from minerals_graph.schema import COMMODITIES, EDGE_KINDS, NODE_KINDS, commodity_id, group_members


@pytest.mark.parametrize(
    "name, cid",
    [
        ("RARE EARTHS, compounds and metals", "rare_earths"),
        ("Rare earths (compounds and metals)", "rare_earths"),
        ("GRAPHITE (NATURAL)", "graphite"),
        ("NIOBIUM (COLUMBIUM)", "niobium"),
        ("ZINC, refined", "zinc"),
        ("ALUMINA", "bauxite"),
        ("Aluminum (bauxite)", "bauxite"),
        ("TITANIUM, sponge metal", "titanium"),
        ("TITANIUM MINERAL CONCENTRATES", "titanium_mineral_concentrates"),
        ("Ytterbium ", "ytterbium"),
        ("MICA (NATURAL), scrap and flake", "mica"),
        ("DIAMOND (INDUSTRIAL), stones", "industrial_diamond"),
        ("raree", "rare_earths"),
        ("Platinum Group Elements", "platinum_group_metals"),
        ("Columbium and(or) tantalum", "niobium"),
    ],
)
def test_commodity_names_of_every_source_map_to_ids(name, cid):
    assert commodity_id(name) == cid


def test_unknown_commodity_names_the_value():
    with pytest.raises(UnknownCommodityError, match="'unobtainium'"):
        commodity_id("unobtainium")


def test_rare_earths_group_is_14_lanthanides_plus_y_and_sc():
    members = group_members("rare_earths")
    assert len(members) == 16
    assert {"yttrium", "scandium", "neodymium", "dysprosium", "lutetium"} <= set(members)
    assert "promethium" not in members


def test_pgm_group_members():
    assert group_members("platinum_group_metals") == ["platinum", "palladium", "iridium", "rhodium", "ruthenium"]


def test_schema_tables_are_consistent():
    ids = [c.id for c in COMMODITIES]
    assert len(ids) == len(set(ids))
    for e in EDGE_KINDS.values():
        assert set(e.source_kinds) <= set(NODE_KINDS) and set(e.target_kinds) <= set(NODE_KINDS)
    for c in COMMODITIES:
        if c.group:
            assert c.group in ids


def _undeclared(G):
    from minerals_graph.schema import declared_attrs

    found = set()
    for _, d in G.nodes(data=True):
        found |= {(d["kind"], k) for k in d if k not in declared_attrs(d["kind"])}
    for _, _, d in G.edges(data=True):
        found |= {(d["kind"], k) for k in d if k not in declared_attrs(d["kind"])}
    return sorted(found)


def test_every_graph_attribute_is_declared_in_the_schema(data_graph, tiny_graph):
    """Every attribute of every node and edge of the embedded graph (and the tiny one) is
    declared for its kind: its own attributes, the source attributes or ``kind``."""
    assert _undeclared(data_graph) == []
    assert _undeclared(tiny_graph) == []


def test_an_undeclared_attribute_is_caught(tiny_graph):
    tiny_graph.nodes["site:m1"]["colour"] = "red"
    assert _undeclared(tiny_graph) == [("Site", "colour")]


def test_one_name_one_type():
    """An attribute name has one type wherever the schema declares it (tables included)."""
    from minerals_graph.schema import SOURCE_ATTRS, STRUCTURAL_ATTRS, TABLES

    types: dict[str, set[str]] = {}
    attrs = [
        *SOURCE_ATTRS,
        *STRUCTURAL_ATTRS,
        *(a for k in (*NODE_KINDS.values(), *EDGE_KINDS.values()) for a in k.attrs),
        *(a for t in TABLES.values() for a in t),
    ]
    for a in attrs:
        types.setdefault(a.name, set()).add(a.type)
    assert {n: t for n, t in types.items() if len(t) > 1} == {}
    # kind means the node or edge kind only: the type of place is place_kind
    assert "kind" not in {a.name for a in NODE_KINDS["Site"].attrs} and "place_kind" in {
        a.name for a in NODE_KINDS["Facility"].attrs
    }


def test_tables_and_api_enums_derive_from_the_schema():
    import typing

    from minerals_graph.api import models
    from minerals_graph.schema import STAGES, TABLES
    from minerals_graph.tables import _CURATED_TYPES, COLUMNS

    assert {name: [a.name for a in cols] for name, cols in TABLES.items()} == COLUMNS
    assert _CURATED_TYPES["places"] == {
        "lon": float,
        "lat": float,
        "status_year": int,
        "capacity": float,
        "capacity_year": int,
    }
    assert typing.get_args(models.StageName) == STAGES
    assert typing.get_args(models.NodeKindName) == tuple(NODE_KINDS)
    assert set(typing.get_args(models.GeoEdgeKind)) == {"LOCATED_IN", "SUPPLIES", "SHIPS_VIA", "TRADES"}
