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
