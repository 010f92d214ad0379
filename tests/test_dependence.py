import pandas as pd
import pytest
from tests.conftest import prc_graph, tiny_nir_graph

from minerals_graph.analysis import dependence as dep


def test_recomputed_nir_by_hand():
    df = dep.net_import_reliance(tiny_nir_graph()).set_index("commodity")
    li, co, ga = df.loc["lithium"], df.loc["cobalt"], df.loc["gallium"]
    assert li.recomputed_pct == 27.7 and li.agreement == "consistent with bound"
    assert co.recomputed_pct == 75.0 and co.difference_pp == -1.0 and co.agreement == "agree"
    assert ga.agreement == "not recomputable" and "Consump_t = W" in ga.explanation


@pytest.mark.parametrize(
    "pct, q, band",
    [
        (100, "", "100%"),
        (99, "", ">75"),
        (95, ">", ">75"),
        (75, ">", ">75"),
        (60, "", ">50"),
        (50, ">", ">50"),
        (26, "", ">25"),
        (25, ">", ">25"),
        (25, "<", "<=25"),
        (20, "", "<=25"),
        (None, "E", "net exporter"),
        (None, "W", "no published value"),
    ],
)
def test_bands(pct, q, band):
    assert dep.band_of(pct, q) == band


def test_band_counts_order_and_totals():
    b = pd.DataFrame({"band": ["100%", "100%", ">50"]})
    c = dep.band_counts(b)
    assert (
        list(c.band) == list(dep.BANDS) and c.minerals.sum() == 3 and c.set_index("band").loc["100%", "minerals"] == 2
    )


@pytest.mark.shared
def test_real_nir_agrees_or_is_explained(raw_graph):
    df = dep.net_import_reliance(raw_graph)
    assert len(df) > 150
    assert set(df.agreement) <= {"agree", "consistent with bound", "disagree", "not recomputable", "no published value"}
    bad = df[df.agreement == "disagree"]
    assert (bad.explanation.str.len() > 0).all()
    assert len(bad) <= len(df[df.agreement.isin(["agree", "consistent with bound"])]) / 3
    re23 = df[(df.commodity == "rare_earths") & (df.year == 2023) & (df.form == "Compounds-Metals")].iloc[0]
    assert re23.published_pct == 95 and re23.published_qualifier == ">"


@pytest.mark.shared
@pytest.mark.parametrize("year", [2023, 2024])
def test_real_bands_for_the_2022_list(raw_graph, year):
    b = dep.nir_bands(raw_graph, year)
    assert len(b) == 50 and b.mineral.is_unique
    ree = b[b.mineral.isin(["neodymium", "dysprosium", "lanthanum"])]
    assert set(ree.via) == {"rare_earths"} and set(ree.label.str[:11]) == {"RARE EARTHS"}
    al = b[b.mineral == "aluminum"].iloc[0]
    assert al.via == "bauxite" and al.band == ">75"  # Table 5: "Aluminum (bauxite)", Fig. 2 BAUXITE >75
    counts = dep.band_counts(b).set_index("band")["minerals"]
    assert counts.sum() == 50 and counts["100%"] >= 10


@pytest.mark.shared
def test_real_prc_exposure(raw_graph):
    df = dep.prc_exposure(raw_graph, ["rare_earths", "gallium", "graphite"]).set_index("commodity")
    # latest data year: MCS 2026, 2025 estimates (China 270,000 t of a rounded world 390,000 t)
    assert df.loc["rare_earths", "mine_share_pct"] == pytest.approx(round(100 * 270000 / 390000, 1))
    assert df.loc["gallium", "processing_share_pct"] > 90
    assert df.loc["graphite", "import_rank_2019_2022"] == 1
    # USGS's own import-source percentages, 2021-24 (MCS 2026 chapter), for every commodity
    assert df.loc["rare_earths", "import_share_pct"] == 71.0
    assert df.loc["rare_earths", "import_share_period"] == "2021-2024"
    assert df.loc["gallium", "import_share_pct"] == 18.0 and df.loc["graphite", "import_share_pct"] == 46.0


@pytest.mark.shared
def test_real_2025_list_counts_under_the_stated_rule(raw_graph):
    b = dep.nir_bands(raw_graph, 2025, dep.critical_minerals(raw_graph, 2025))
    assert len(b) == 60
    s = dep.list_summary(b)  # lanthanides counted once, as USGS's rare-earths chapter
    assert (s["counted"], s["at_100"], s["over_50"]) == (47, 13, 33)
    assert s["over_50_first_import_source_CHN"] == 10 and s["over_50_leading_producer_CHN"] == 16
    every = dep.list_summary(b, group_lanthanides=False)
    assert (every["counted"], every["over_50"]) == (60, 46)
    # the 2022 list in MCS 2024 (data year 2023), every mineral counted: 12 at 100%, 29 more above 50%
    s23 = dep.list_summary(dep.nir_bands(raw_graph, 2023), group_lanthanides=False)
    assert (s23["at_100"], s23["over_50"] - s23["at_100"]) == (12, 29)


def test_germanium_tungsten_indium_in_prc_exposure():
    G = prc_graph()
    assert dep.modelled_commodities(G) == ["germanium", "indium", "tungsten"]
    df = dep.prc_exposure(G).set_index("commodity")
    ge, w, ind = df.loc["germanium"], df.loc["tungsten"], df.loc["indium"]
    assert ge.processing_stage == "refining" and pd.isna(ge.processing_share_pct)
    assert "without quantities" in ge.processing_basis
    assert w.mine_share_pct == 80.0 and w.processing_share_pct == 80.0 and w.processing_stage == "refining"
    assert "assumed where the ore is mined" in w.processing_basis
    assert ind.processing_share_pct == 70.0 and ind.processing_stage == "refining"
    assert ind.processing_basis.startswith("cited refining shares (2024")


def test_germanium_tungsten_in_prc_refining_cutoff():
    from minerals_graph.analysis.whatif import PRESETS, run_whatif

    G = prc_graph()
    df = run_whatif(G, PRESETS["prc-refining-cutoff"], commodities=dep.modelled_commodities(G))
    usa = df[df.demand == "USA"].set_index("commodity")
    assert set(usa.index) == {"germanium", "indium", "tungsten"}
    assert usa.loc["germanium", "status"].startswith("not modelled: USGS publishes refining production")
    assert usa.loc["indium", "status"].startswith("not modelled")
    # tungsten: the PRC's mine-and-refining node (80 t) goes. Realistic: import weights from the
    # ranks (CHN 1, VNM 2 -> 2/3, 1/3): Vietnam's 3.333 t stay, 6.667 t short. Optimistic (U.S.
    # priority): Vietnam's 20 t serve the whole 10 t demand
    w = usa.loc["tungsten"]
    assert (w.supply_before_t, w.supply_after_t, w.shortfall_t) == (10.0, 3.333, 6.667)
    assert (w.supply_after_priority_t, w.shortfall_low_t) == (10.0, 0.0)
    assert w.removed_nodes == 2 and "out:CHN" in w.removed_ids and "mine:CHN" in w.removed_ids
    # proportional: world supply 100 -> 20 t, so the U.S. keeps 10 x 0.2 = 2 t
    assert w.supply_after_proportional_t == pytest.approx(2.0)


@pytest.mark.shared
def test_real_band_counts_match_usgs(raw_graph):
    """MCS 2024 (data year 2023): 12 list minerals at 100 % and 29 more above 50 %
    (aluminum banded via bauxite, >75, as Table 5's "Aluminum (bauxite)"). MCS 2025 (data
    year 2024), same rules, counted by hand from MCS2025_Fig2: 12 at 100 %, 23 above 75 %,
    5 above 50 %, 3 above 25 %, 3 at or below 25 %, 1 net exporter (beryllium), 3 without a
    value (iridium, rhodium, ruthenium)."""
    c23 = dep.band_counts(dep.nir_bands(raw_graph, 2023)).set_index("band")["minerals"]
    assert c23["100%"] == 12 and c23[">75"] + c23[">50"] == 29
    c24 = dep.band_counts(dep.nir_bands(raw_graph, 2024)).set_index("band")["minerals"]
    assert c24.to_dict() == {
        "100%": 12,
        ">75": 23,
        ">50": 5,
        ">25": 3,
        "<=25": 3,
        "net exporter": 1,
        "bound <50 (band unresolved)": 0,
        "no published value": 3,
    }
