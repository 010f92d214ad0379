"""The flow model built from a tiny property graph, every number computed by hand."""

import networkx as nx
import pytest
from tests.conftest import SRC, tiny_property_graph

from minerals_graph.analysis import flow
from minerals_graph.analysis.flow import build_supply_network, capacity_tonnes, max_supply


def test_network_layers_and_totals():
    net = build_supply_network(tiny_property_graph(), "lithium")
    assert net.graph["year"] == 2023 and net.graph["demand"] == {"USA": 30.0}
    assert net.edges[flow.SOURCE, "mine:AUS"]["capacity"] == 80 and net.edges[flow.SOURCE, "mine:CHL"]["capacity"] == 20
    # processing totals: shares x world mined (100 t); the unnamed 10% is rest:ROW
    assert net.edges["out:CHN", "cap:CHN"]["capacity"] == pytest.approx(60.0)
    assert net.edges["out:CHL", "cap:CHL"]["capacity"] == pytest.approx(30.0)
    assert net.edges["out:ROW", "cap:ROW"]["capacity"] == pytest.approx(10.0)
    # the refinery is split out of China; the rest of China carries the difference
    li = 200 * 2 * 6.94 / 73.89
    assert net.edges["pool:mined", "fac:facility:r1"]["capacity"] == pytest.approx(li)
    assert net.edges["pool:mined", "rest:CHN"]["capacity"] == pytest.approx(60.0 - li)
    assert ("fac:facility:r1", "port:wpi-1") in net.edges and ("port:wpi-1", "out:CHN") in net.edges
    assert net.nodes["fac:facility:r1"]["control_iso3"] == "CHN"
    # only import sources (and the U.S.) can supply the U.S.; ROW cannot (all sources are named)
    assert set(net.predecessors("demand:USA")) == {"cap:CHL", "cap:CHN"}
    assert max_supply(net) == 30.0


def test_prc_refining_cutoff_by_hand():
    from minerals_graph.analysis.whatif import PRESETS, run_whatif

    G = tiny_property_graph()
    before = nx.to_dict_of_dicts(G)
    df = run_whatif(G, PRESETS["prc-refining-cutoff"], commodities=["lithium"]).set_index("demand")
    usa = df.loc["USA"]
    # realistic (headline): import weights from USGS ranks 1/rank -> CHL 2/3, CHN 1/3 of the
    # 30 t imported; China's 10 t are lost, Chile's 20 t stay (its 30 t output is still fed)
    assert usa.supply_before_t == 30.0 and usa.supply_after_t == pytest.approx(20.0)
    assert usa.shortfall_t == pytest.approx(10.0) and usa.shortfall_pct_of_demand == pytest.approx(33.33)
    assert usa.evidence == "rank"
    # optimistic (U.S. priority max flow): Chile's 30 t reach the U.S. -> 0 short
    assert usa.shortfall_low_t == 0.0 and usa.supply_after_priority_t == 30.0
    # pessimistic: world supply falls from 100 to 40 t, so the U.S. keeps 30 x 0.4 = 12 t
    assert usa.supply_after_proportional_t == pytest.approx(12.0) and usa.shortfall_high_t == pytest.approx(18.0)
    assert "CHN 33% of imports" in usa.reason and "60% of world refining removed" in usa.reason
    assert usa.removed_nodes == 3  # out:CHN, rest:CHN and the refinery; the port is not a processing node
    assert df.loc["CAN"].status.startswith("demand unknown")
    assert nx.to_dict_of_dicts(G) == before  # the base graph is untouched


def test_capacity_conversions():
    assert capacity_tonnes(100, "t/yr", "LCE", "lithium")[0] == pytest.approx(18.785, abs=0.01)
    assert capacity_tonnes(100, "t/yr", "LiOH monohydrate", "lithium")[0] == pytest.approx(16.54, abs=0.01)
    assert capacity_tonnes(2, "kt/yr", "contained Co", "cobalt")[0] == 2000
    assert capacity_tonnes(1, "Mlb/yr", "metal", "antimony")[0] == pytest.approx(453.59237)
    for unit, basis in (("t/d", "ore"), ("t/yr", "spodumene concentrate"), ("t/yr", "NdPr oxide"), ("lb/h", "metal")):
        t, note = capacity_tonnes(10, unit, basis, "lithium")
        assert t is None and note


def test_demand_fallback_and_unknown():
    G = tiny_property_graph()
    for u, v, k, d in list(G.edges(keys=True, data=True)):
        if d["kind"] == "STATISTIC":
            G.remove_edge(u, v, k)
    net = build_supply_network(G, "lithium")
    assert "demand:USA" not in net and net.graph["demand_basis"]["USA"] == "not published"


def test_cited_tables_latest_year_first():
    """Two cited tables: 2019 (CHN 60, CHL 30: names 90 %) and 2024 (CHN 70: names 70 %).
    The model uses the latest year, not the table naming most of world output."""
    G = tiny_property_graph()
    G.add_edge(
        "country:CHN",
        "commodity:lithium",
        kind="PRODUCES",
        stage="refining",
        measure="world_share_pct",
        quantity=70.0,
        unit="%",
        year=2024,
        qualifier="",
        **{**SRC, "source_url": "http://iea"},
    )
    cited = flow.cited_processing_shares(G, "lithium")
    assert (cited["year"], cited["source_url"], cited["shares"]) == (2024, "http://iea", {"CHN": 70.0})
    net = build_supply_network(G, "lithium")
    # 70 % x 100 t mined = 70 t in China; the 30 % no 2024 source names is rest:ROW
    assert net.edges["out:CHN", "cap:CHN"]["capacity"] == pytest.approx(70.0)
    assert net.edges["out:ROW", "cap:ROW"]["capacity"] == pytest.approx(30.0)
    assert "out:CHL" not in net
    assert any("latest year" in a for a in net.graph["assumptions"])


def test_same_year_prefers_refining_over_magnet_stage():
    G = tiny_property_graph()
    for stage, iso, q in (("magnet", "CHN", 90.0), ("refining", "CHN", 65.0)):
        G.add_edge(
            f"country:{iso}",
            "commodity:lithium",
            kind="PRODUCES",
            stage=stage,
            measure="world_share_pct",
            quantity=q,
            unit="%",
            year=2024,
            qualifier="",
            **SRC,
        )
    assert flow.cited_processing_shares(G, "lithium")["stage"] == "refining"


def test_refinery_table_without_quantities_is_not_modelled_and_says_why():
    """Germanium as USGS publishes it: a refinery table whose every value is NA or W."""
    G = nx.MultiDiGraph()
    G.add_node("commodity:germanium", kind="Commodity", critical_2022=True, **SRC)
    for iso, q in (("CHN", "NA"), ("USA", "W"), ("WLD", "NA")):
        G.add_node(f"country:{iso}", kind="Country", iso3=iso, **SRC)
        G.add_edge(
            f"country:{iso}",
            "commodity:germanium",
            kind="PRODUCES",
            stage="refining",
            measure="production",
            quantity=None,
            unit="kg",
            year=2023,
            qualifier=q,
            **SRC,
        )
    net = build_supply_network(G, "germanium")
    assert net.graph["year"] is None and net.graph["supply_stage"] == "refining"
    assert "without quantities" in net.graph["not_modelled"]


def test_edge_index_equals_a_scan_of_the_graph_in_order():
    """The per-graph index returns exactly the edges a scan of G.edges selects, in its order,
    and is rebuilt when a node is added."""
    G = tiny_property_graph()

    def scan(kind, commodity=None):
        t = f"commodity:{commodity}" if commodity else None
        return [
            (u, v, d)
            for u, v, d in G.edges(data=True)
            if d.get("kind") == kind and (t is None or v == t or d.get("commodity") == commodity)
        ]

    for kind in ("PRODUCES", "STATISTIC", "TRADES", "SHIPS_VIA"):
        for com in (None, "lithium", "cobalt"):
            assert list(flow._edges(G, kind, com)) == scan(kind, com)
    assert flow._edges(G, "TRADES", "lithium")  # the tiny graph has lithium trades
    G.add_node("country:NEW", kind="Country", iso3="NEW", **SRC)
    G.add_edge("country:NEW", "commodity:lithium", kind="PRODUCES", measure="production", **SRC)
    assert list(flow._edges(G, "PRODUCES", "lithium")) == scan("PRODUCES", "lithium")
    assert flow._edges(G, "PRODUCES", "lithium")[-1][0] == "country:NEW"
