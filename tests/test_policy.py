"""Issue 14's policy tools on tiny graphs with hand-computed results: transshipment flags,
the product-passport trace, the joint-investment ranking and the export-control presets."""

from __future__ import annotations

import networkx as nx
import pytest
from tests.conftest import SRC, prc_graph, tiny_property_graph

from minerals_graph.analysis import invest as inv
from minerals_graph.analysis import whatif as wi
from minerals_graph.analysis.flow import build_supply_network
from minerals_graph.analysis.trace import trace, trace_table
from minerals_graph.analysis.transshipment import transshipment_flags

BACI = {**SRC, "source": "cepii-baci-extract"}


# -- transshipment ------------------------------------------------------------------------


def _barite_graph() -> nx.MultiDiGraph:
    """Barite (HS 251110, same form as USGS mine production), 2024, tonnes:
    LAO exports 1000, imports 100, produces 500 -> surplus 400 (40% > 20%): flagged, robust;
    VNM exports 1000, imports 300, produces 600 -> surplus 100 (10%): not flagged;
    PAK (not a listed producer; 'Other countries' 200) exports 100, imports 0 -> surplus 100
    (100%): flagged, not robust (100 - 200 < 20);
    IND production withheld: not tested."""
    G = nx.MultiDiGraph()
    for iso in ("LAO", "VNM", "PAK", "IND", "ROW", "USA", "CHN"):
        G.add_node(f"country:{iso}", kind="Country", iso3=iso, **SRC)
    G.add_node("commodity:barite", kind="Commodity", **SRC)
    for iso, q, qual in (("LAO", 500.0, ""), ("VNM", 600.0, ""), ("ROW", 200.0, ""), ("IND", None, "W")):
        G.add_edge(
            f"country:{iso}",
            "commodity:barite",
            kind="PRODUCES",
            stage="mining",
            measure="production",
            quantity=q,
            unit="t",
            year=2024,
            qualifier=qual,
            **SRC,
        )
    for iso, exp, imp in (("LAO", 1000.0, 100.0), ("VNM", 1000.0, 300.0), ("PAK", 100.0, 0.0), ("IND", 900.0, 0.0)):
        for measure, value in (("trade_exports_world", exp), ("trade_imports_world", imp)):
            G.add_edge(
                f"country:{iso}",
                "commodity:barite",
                kind="STATISTIC",
                measure=measure,
                detail="HS 251110 (mining)",
                unit="t",
                year=2024,
                value=value,
                **BACI,
            )
    return G


def test_mass_balance_flags_computed_by_hand():
    df = transshipment_flags(_barite_graph(), tests=["mass-balance"]).set_index("country")
    assert df.loc["LAO", "flag"] and df.loc["LAO", "robust"]
    assert df.loc["LAO", "surplus_t"] == 400.0 and df.loc["LAO", "surplus_pct_of_exports"] == 40.0
    assert not df.loc["VNM", "flag"] and df.loc["VNM", "surplus_t"] == 100.0
    assert df.loc["PAK", "flag"] and not df.loc["PAK", "robust"] and df.loc["PAK", "surplus_t"] == 100.0
    assert not df.loc["IND", "flag"] and "withheld" in df.loc["IND", "reading"]
    assert list(df.index[:2]) == ["LAO", "PAK"]  # flagged first, largest surplus first


def _flow(G, e, i, year, usd, hs="810411 (metal_alloy)", com="magnesium"):
    G.add_edge(
        f"country:{e}",
        f"country:{i}",
        kind="TRADES",
        commodity=com,
        period=str(year),
        value_usd=usd,
        note=f"HS {hs}",
        **BACI,
    )


def test_rise_flags_need_a_matching_rise_of_imports_from_the_prc():
    G = nx.MultiDiGraph()
    for iso in ("VNM", "KOR", "THA", "USA", "CHN"):
        G.add_node(f"country:{iso}", kind="Country", iso3=iso, **SRC)
    # VNM: exports to USA 1.0 -> 3.0 M (+200%), imports from CHN 2.0 -> 3.5 M (+75%, 1.5 M >= 25% of 2.0 M): flag
    _flow(G, "VNM", "USA", 2022, 1e6), _flow(G, "VNM", "USA", 2024, 3e6)
    _flow(G, "CHN", "VNM", 2022, 2e6), _flow(G, "CHN", "VNM", 2024, 3.5e6)
    # KOR: exports 1.0 -> 2.5 M (+150%), imports from CHN 4.0 -> 4.4 M (+10%): reported, not flagged
    _flow(G, "KOR", "USA", 2022, 1e6), _flow(G, "KOR", "USA", 2024, 2.5e6)
    _flow(G, "CHN", "KOR", 2022, 4e6), _flow(G, "CHN", "KOR", 2024, 4.4e6)
    # THA: exports 1.0 -> 1.4 M (+40%, below 50%): not reported
    _flow(G, "THA", "USA", 2022, 1e6), _flow(G, "THA", "USA", 2024, 1.4e6)
    _flow(G, "CHN", "THA", 2022, 1e6), _flow(G, "CHN", "THA", 2024, 9e6)
    df = transshipment_flags(G, tests=["rise"]).set_index("country")
    assert set(df.index) == {"VNM", "KOR"}
    assert df.loc["VNM", "flag"] and df.loc["VNM", "exports_na_usd_after"] == 3e6
    assert df.loc["VNM", "imports_prc_usd_before"] == 2e6
    assert not df.loc["KOR", "flag"]


def test_source_gaps_on_the_bundled_data_are_third_countries_beyond_the_threshold(data_graph):
    df = transshipment_flags(data_graph, tests=["source-gap"])
    assert len(df) > 0
    assert (df["gap_pp"].abs() >= 15).all()
    assert not df["country"].isin(["CHN", "USA", "CAN", "MEX", "ROW"]).any()


# -- trace --------------------------------------------------------------------------------


def _owned_tiny() -> nx.MultiDiGraph:
    G = tiny_property_graph()
    G.add_node("company:a", kind="Company", name="A Corp", control_iso3="AUS", **SRC)
    G.add_edge("facility:r1", "company:a", kind="OWNED_BY", share_pct=100.0, **SRC)
    return G


def test_trace_from_the_usa_by_hand():
    """Imports 30 t by 1/rank weights: CHL 20 t, CHN 10 t (both within their own output).
    CHN's 60 t of refining: the registered refinery 200 t LCE = 37.569 t Li, controlled from
    AUS; the rest 22.431 t from CHN. Mining: AUS 80%, CHL 20%."""
    G = _owned_tiny()
    p = trace(G, build_supply_network(G, "lithium"), "USA")
    s1, s2 = p["stages"]
    assert s1["location"] == {"CHL": 66.67, "CHN": 33.33}
    assert s1["control"] == {"CHL": 66.67, "AUS": pytest.approx(20.87, abs=0.01), "CHN": pytest.approx(12.46, abs=0.01)}
    assert s2["stage"] == "mining" and s2["location"] == {"AUS": 80.0, "CHL": 20.0}
    assert p["chn_located_any_stage_pct"] == 33.33
    assert p["chn_controlled_any_stage_pct"] == pytest.approx(12.46, abs=0.01)
    t = trace_table(p)
    assert set(t["by"]) == {"location", "control"} and t[t["level"] == 1]["tonnes"].sum() == pytest.approx(60.0)


def test_trace_from_a_plant_and_unknown_starts():
    G = _owned_tiny()
    net = build_supply_network(G, "lithium")
    p = trace(G, net, "facility:r1")
    assert p["stages"][0]["location"] == {"CHN": 100.0} and p["stages"][0]["control"] == {"AUS": 100.0}
    assert p["named_suppliers"] == []
    with pytest.raises(Exception, match="not USA, CAN, MEX, USMCA or a plant"):
        trace(G, net, "facility:nope")


# -- joint investments --------------------------------------------------------------------


def _cand(cid, cap, stage="refining"):
    return inv.Candidate(cid, cid, "USA", "lithium", stage, "user", cap, control_iso3="USA")


def test_invest_alone_together_and_overlap_by_hand():
    """PRC refining cut-off on the tiny lithium graph: U.S. shortfall 10 t (CHN's 10 t of
    imports). A (5 t) removes 5, B (8 t) removes 8, C (a 50 t mine) removes 0 (feed is
    not short); A and B together remove 10 < 13: they fix the same gap. Greedy, 2 projects:
    B, then A with a marginal 2 t."""
    G = tiny_property_graph()
    nets = {"lithium": build_supply_network(G, "lithium")}
    cands = [_cand("A", 5.0), _cand("B", 8.0), _cand("C", 50.0, "mining")]
    df, summary = inv.rank_investments(G, nets, wi.PRESETS["prc-refining-cutoff"], cands, budget_count=2)
    df = df.set_index("id")
    assert df.loc["B", "rank"] == 1 and df.loc["B", "reduction_t"] == 8.0
    assert df.loc["B", "reduction_pct_of_demand"] == pytest.approx(26.67)
    assert df.loc["A", "reduction_t"] == 5.0 and df.loc["C", "reduction_t"] == 0.0
    assert df.loc["A", "overlaps_with"] == "B" and df.loc["B", "overlaps_with"] == "A"
    assert [c["id"] for c in summary["chosen"]] == ["B", "A"]
    assert df.loc["A", "marginal_reduction_t"] == 2.0
    assert summary["by_commodity"]["lithium"]["shortfall_after_t"] == 0.0
    # a capacity budget of 6 t admits A only
    _, s6 = inv.rank_investments(
        G, nets, wi.PRESETS["prc-refining-cutoff"], cands, budget_count=None, budget_capacity_t=6
    )
    assert [c["id"] for c in s6["chosen"]] == ["A"]


def test_candidates_csv_errors_name_file_row_and_field(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,name,iso3,commodity,stage,capacity_t\nx,X,USA,lithium,refining,lots\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"c.csv, row 1, field capacity_t"):
        inv.read_candidates(p)
    p.write_text("id,name,iso3,commodity,stage,capacity_t\nx,X,USA,lithium,refining,12.5\n", encoding="utf-8")
    assert inv.read_candidates(p)[0].capacity_t == 12.5


# -- export-control presets ---------------------------------------------------------------


def test_export_control_preset_stops_prc_exports_not_prc_output():
    """Tungsten: mines CHN 80, VNM 20 (processing where mined); U.S. demand 10 t, all
    imported by 1/rank weights CHN 2/3, VNM 1/3. Blocking CHN -> USA: realistic supply
    10/3 t (shortfall 6.667 t); optimistic: VNM's 20 t can serve all 10 t (0); pessimistic:
    imports x the world share left to the U.S. (20/100): shortfall 8 t."""
    G = prc_graph()
    G.add_edge(
        "country:CHN",
        "commodity:tungsten",
        kind="EXPORT_CONTROL",
        control_type="Export licensing requirement",
        item="tungsten",
        year=2025,
        **SRC,
    )
    presets = wi.export_control_presets(G, modelled=["tungsten"])
    p = presets["prc-export-control-tungsten"]
    assert p.kind == "export-control" and p.commodities == ("tungsten",)
    df = wi.run_whatif(G, p.remove, commodities=["tungsten"]).set_index("demand")
    usa = df.loc["USA"]
    assert usa["shortfall_t"] == pytest.approx(6.667, abs=1e-3)
    assert usa["shortfall_low_t"] == pytest.approx(0.0, abs=1e-9)
    assert usa["shortfall_high_t"] == pytest.approx(8.0, abs=1e-9)
    assert "CHN -> CAN, MEX, USA stopped" in usa["removed"]
    assert "prc-export-controls-all" in presets


@pytest.mark.parametrize(
    "capacity, basis, commodity, tonnes",
    [
        # 311,000 t of spodumene concentrate at 5.6% Li2O: x 0.056 x (2 x 6.94 / 29.88) = 8,090.2 t Li
        (311_000, "spodumene concentrate (5.6% Li2O), FS average", "lithium", 8090.16),
        (40_000, "battery-grade Li2CO3 (planned)", "lithium", 7513.87),  # x 2 x 6.94 / 73.89
        (2_000, "TREO, initial phase", "rare_earths", 2000.0),  # total rare-earth oxide = USGS REO basis
        (103_328, "graphite concentrate (97% Cg), LoM average", "graphite", 103_328.0),
        (1, "spodumene concentrate", "lithium", None),  # no grade: not convertible
    ],
)
def test_capacity_conversions_that_rank_more_projects(capacity, basis, commodity, tonnes):
    from minerals_graph.analysis.flow import capacity_tonnes

    t, _ = capacity_tonnes(capacity, "t/yr", basis, commodity)
    assert (t is None) if tonnes is None else t == pytest.approx(tonnes, abs=0.01)


def test_invest_ranks_at_least_ten_real_projects_on_the_bundled_data(data_tables, data_graph):
    from minerals_graph.model import ModelConfig, SupplyModel

    m = SupplyModel.from_graph(data_graph, data_tables, ModelConfig(with_maps=False))
    df, summary = m.invest()
    ranked = df[df["ranked"].astype(bool)]
    assert len(ranked) >= 10 and set(ranked["iso3"]) <= {"USA", "CAN", "MEX"}
    assert ranked["reduction_t"].is_monotonic_decreasing or ranked["reduction_pct_of_demand"].is_monotonic_decreasing
    assert len(summary["chosen"]) <= 5 and summary["chosen"][0]["id"] == ranked.iloc[0]["id"]
