"""Realistic allocation (analysis/allocation.py) on tiny graphs, every number computed by hand.

The tiny lithium graph (tests/conftest.py::tiny_property_graph): mines AUS 80 t, CHL 20 t
(world 100 t); processing shares CHN 60%, CHL 30%, unnamed 10% (ROW) -> CHN 60 t (a
registered 37.57 t refinery + 22.43 t rest), CHL 30 t, ROW 10 t; U.S. demand 30 t, no U.S.
output; U.S. import sources CHL (rank 1), CHN (rank 2).
"""

import pytest
from tests.conftest import SRC, tiny_property_graph

from minerals_graph.analysis import allocation as al
from minerals_graph.analysis import whatif as wi
from minerals_graph.analysis.chokepoints import chokepoint_table
from minerals_graph.analysis.flow import build_supply_network
from minerals_graph.errors import MineralsGraphError

CUT = wi.PRESETS["prc-refining-cutoff"]


def _usa(G, remove=CUT, add=()):
    df = wi.run_whatif(G, remove, add, ["lithium"]).set_index("demand")
    return df.loc["USA"], df


def _shares(G, pct: dict[str, float], importer="USA", period="2021-2024"):
    for iso, p in pct.items():
        if f"country:{iso}" not in G:
            G.add_node(f"country:{iso}", kind="Country", iso3=iso, name=iso, **SRC)
        G.add_edge(
            f"country:{iso}",
            f"country:{importer}",
            kind="TRADES",
            commodity="lithium",
            share_pct=p,
            period=period,
            label="Lithium",
            **SRC,
        )


def test_outputs_feed_and_availability():
    net = build_supply_network(tiny_property_graph(), "lithium")
    removed = wi.select_nodes(net, CUT)
    o = al.country_outputs(net, removed)
    assert o.before == pytest.approx({"CHN": 60.0, "CHL": 30.0, "ROW": 10.0})
    # 100 t mined feed only 40 t of standing capacity: every standing plant runs full
    assert o.phi == 1.0 and o.after == pytest.approx({"CHL": 30.0, "ROW": 10.0})
    assert o.world_availability == pytest.approx(0.4)
    # removing Australia's 80 t of mining: 20 t of feed for 100 t of capacity -> each plant at 20%
    o2 = al.country_outputs(net, frozenset({"mine:AUS"}))
    assert o2.phi == pytest.approx(0.2) and o2.after["CHL"] == pytest.approx(6.0)


def test_third_country_refiner_limited_by_feed():
    """USGS shares CHL 50%, JPN 50%; Japan has no processing node (it refines others' material):
    its 15 t follow the world's remaining output (40%) -> 6 t; Chile's 15 t are its own -> 15 t."""
    G = tiny_property_graph()
    _shares(G, {"CHL": 50.0, "JPN": 50.0})
    usa, _ = _usa(G)
    assert usa.evidence == "usgs-share"
    assert usa.supply_after_t == pytest.approx(21.0) and usa.shortfall_t == pytest.approx(9.0)
    assert usa.shortfall_pct_of_demand == pytest.approx(30.0)
    assert "JPN 50% of imports (usgs-share), 40% of its supply left" in usa.reason
    # the headline lies in the range
    assert usa.shortfall_low_t <= usa.shortfall_t <= usa.shortfall_high_t


def test_domestic_addition_serves_domestic_demand_first_in_every_bound():
    G = tiny_property_graph()
    base, _ = _usa(G)
    add = [wi.Addition("lithium", "USA", 5.0, "refining", "US plant")]
    usa, _ = _usa(G, add=add)
    # headline: 20 t (Chile) + 5 t (new plant, fully fed: 100 t mined for 45 t of capacity)
    assert usa.supply_after_t == pytest.approx(base.supply_after_t + 5.0)
    assert usa.shortfall_high_t == pytest.approx(base.shortfall_high_t - 5.0)  # pessimistic: +5, not a share of 5
    assert usa.shortfall_low_t == 0.0
    assert usa.carriers[0] == {"id": "add", "label": "US plant", "flow_t": 5.0}


def test_addition_abroad_reaches_the_demands_it_supplies():
    G = tiny_property_graph()
    base, _ = _usa(G)
    # Canada: no node, no BACI exports, no U.S. imports from it -> reaches no demand
    usa, _ = _usa(G, add=[wi.Addition("lithium", "CAN", 5.0, "refining", "CA plant")])
    assert usa.supply_after_t == pytest.approx(base.supply_after_t)
    # with a destination it reaches the U.S. (capped by the U.S. shortfall)
    usa, _ = _usa(G, add=[wi.Addition("lithium", "CAN", 5.0, "refining", "CA plant", dest="USA")])
    assert usa.supply_after_t == pytest.approx(base.supply_after_t + 5.0)
    # as a U.S. import source (USGS shares), its output goes to the U.S. by the U.S. imports from it
    G2 = tiny_property_graph()
    _shares(G2, {"CHL": 60.0, "CHN": 30.0, "CAN": 10.0})
    b2, _ = _usa(G2)
    u2, _ = _usa(G2, add=[wi.Addition("lithium", "CAN", 5.0, "refining", "CA plant")])
    assert u2.supply_after_t == pytest.approx(b2.supply_after_t + 5.0)


def test_removals_never_remove_additions():
    G = tiny_property_graph()
    add = [wi.Addition("lithium", "USA", 5.0, "refining", "US plant")]
    usa, _ = _usa(G, remove=[wi.parse_filter("country=USA")], add=add)
    assert not [n for n in usa.removed_ids if n.startswith("add:")]
    assert usa.supply_after_t == pytest.approx(30.0)  # nothing lost, the plant is there


def test_canada_demand_from_usgs_and_baci_and_the_bloc(monkeypatch):
    """CAN apparent consumption = USGS production (not listed: 0) + BACI imports 10 t - exports 2 t = 8 t.
    It imports from CHL only, which keeps its output -> 0 short. MEX = 0 + 2 - 0 = 2 t. USMCA =
    30 + 8 + 2 = 40 t: the 2 t CAN -> MEX count as a CAN export and a MEX import, netting out."""
    monkeypatch.setattr(al, "_SAME_FORM", {"lithium": ("mining", {"283691"})})
    G = tiny_property_graph()
    G.add_node("country:CAN", kind="Country", iso3="CAN", name="CAN", **SRC)
    G.add_node("country:MEX", kind="Country", iso3="MEX", name="MEX", **SRC)
    for e, i, q in (("CHL", "CAN", 10.0), ("CAN", "MEX", 2.0)):
        G.add_edge(
            f"country:{e}",
            f"country:{i}",
            kind="TRADES",
            commodity="lithium",
            value_usd=1000.0 * q,
            quantity=q,
            period="2024",
            note="HS 283691 (refining)",
            **{**SRC, "source": "cepii-baci-extract"},
        )
    _, df = _usa(G)
    can = df.loc["CAN"]
    assert can.demand_t == pytest.approx(8.0) and "imports 10 t - exports 2 t" in can.demand_basis
    assert can.evidence == "baci" and can.shortfall_t == pytest.approx(0.0)
    bloc = df.loc["USMCA"]
    assert bloc.demand_t == pytest.approx(40.0)
    assert bloc.shortfall_t == pytest.approx(df.loc["USA"].shortfall_t + df.loc["MEX"].shortfall_t)
    # MEX: imports 2 t - exports 0 = 2 t, from CAN (no node: world availability 40%)
    mex = df.loc["MEX"]
    assert mex.demand_t == pytest.approx(2.0) and mex.supply_after_t == pytest.approx(0.8)


def test_realistic_n_minus_1_by_hand():
    G = tiny_property_graph()
    t = chokepoint_table(G, ["lithium"]).set_index("node")
    # China's output: its 10 t (1/3 of 30 t) are lost; Chile's output: its 20 t
    assert t.loc["out:CHN", "n1_loss_t"] == pytest.approx(10.0)
    assert t.loc["out:CHL", "n1_loss_t"] == pytest.approx(20.0)
    # Australia's mines: feed 20 of 100 t -> CHL and CHN at 20%: 6 t reach the U.S., 24 t lost
    assert t.loc["mine:AUS", "n1_loss_t"] == pytest.approx(24.0)
    assert t.sort_values("rank").index[0] == "mine:AUS"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("control=CHN;stage=refinery", "unknown stage 'refinery' (did you mean 'refining'?)"),
        ("control=ZZZ", "unknown control country 'ZZZ'"),
        ("country=USA;role=mines", "unknown role 'mines' (did you mean 'mine'?)"),
        ("commodity=lithum", "unknown commodity 'lithum' (did you mean 'lithium'?)"),
    ],
)
def test_bad_filters_are_errors(spec, message):
    with pytest.raises(MineralsGraphError) as e:
        wi.validate_request([wi.parse_filter(spec)], [], countries=["CHN", "USA"], commodities=["lithium"])
    assert message in str(e.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("commodity=lithium,iso3=XXX,capacity_t=5", "unknown country 'XXX'"),
        ("commodity=unobtainium,iso3=USA,capacity_t=5", "unknown commodity 'unobtainium'"),
        ("commodity=lithium,iso3=USA,capacity_t=-5", "expected a number > 0"),
        ("commodity=lithium,iso3=USA,capacity_t=5,stage=refinery", "did you mean 'refining'?"),
    ],
)
def test_bad_additions_are_errors(spec, message):
    with pytest.raises(MineralsGraphError) as e:
        wi.validate_request([], [wi.parse_addition(spec)], countries=["CHN", "USA"], commodities=["lithium"])
    assert message in str(e.value)


def test_unknown_filter_and_addition_keys():
    with pytest.raises(MineralsGraphError, match="did you mean 'stage'"):
        wi.parse_filter("stag=refining")
    with pytest.raises(MineralsGraphError, match="did you mean 'capacity_t'"):
        wi.parse_addition("commodity=lithium,iso3=USA,capacity=5")


def test_api_order_is_the_cli_rank():
    from minerals_graph.analysis.chokepoints import rank_chokepoints

    t = chokepoint_table(tiny_property_graph(), ["lithium"])
    top = rank_chokepoints(t, commodity="lithium", limit=3)
    assert list(top["rank"]) == [1, 2, 3]
    assert list(top["node"]) == list(t.sort_values("rank")["node"][:3])
