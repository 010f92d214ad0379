import networkx as nx
import pandas as pd
import pytest

from minerals_graph.analysis import dependence as dep

SRC = {"source": "usgs-mcs2024-salient", "source_publisher": "P", "source_dataset": "D", "source_year": 2024,
       "source_url": "http://x"}


def _stat(G, com, year, column, measure, value, qualifier="", detail="", unit="t"):
    G.add_edge("country:USA", f"commodity:{com}", kind="STATISTIC", measure=measure, detail=detail, unit=unit,
               year=year, value=value, qualifier=qualifier, column=column, **SRC)


def tiny():
    G = nx.MultiDiGraph()
    G.add_node("country:USA", kind="Country")
    for c in ("lithium", "cobalt", "gallium"):
        G.add_node(f"commodity:{c}", kind="Commodity", critical_2022=True)
    # lithium 2022: imports 3270, exports 2440, consumption 3000 -> (3270-2440)/3000 = 27.7 %, published >25
    for col, m, v in (("Imports_t", "imports", 3270), ("Exports_t", "exports", 2440), ("Consump_t", "consumption", 3000)):
        _stat(G, "lithium", 2022, col, m, v)
    _stat(G, "lithium", 2022, "NIR_pct", "net_import_reliance", 25, ">")
    # cobalt 2023: imports 9000, exports 3000, consumption 8000 -> 75.0 %; published 76 -> agree (1 pp)
    for col, m, v in (("Imports_t", "imports", 9000), ("Exports_t", "exports", 3000), ("Consump_t", "consumption", 8000)):
        _stat(G, "cobalt", 2023, col, m, v)
    _stat(G, "cobalt", 2023, "NIR_pct", "net_import_reliance", 76)
    # gallium 2023: consumption withheld -> not recomputable
    for col, m, v in (("Imports_t", "imports", 20), ("Exports_t", "exports", 0)):
        _stat(G, "gallium", 2023, col, m, v)
    _stat(G, "gallium", 2023, "Consump_t", "consumption", None, "W")
    _stat(G, "gallium", 2023, "NIR_pct", "net_import_reliance", 100)
    return G


def test_recomputed_nir_by_hand():
    df = dep.net_import_reliance(tiny()).set_index("commodity")
    li, co, ga = df.loc["lithium"], df.loc["cobalt"], df.loc["gallium"]
    assert li.recomputed_pct == 27.7 and li.agreement == "consistent with bound"
    assert co.recomputed_pct == 75.0 and co.difference_pp == -1.0 and co.agreement == "agree"
    assert ga.agreement == "not recomputable" and "Consump_t = W" in ga.explanation


@pytest.mark.parametrize("pct, q, band", [(100, "", "100%"), (99, "", ">75"), (95, ">", ">75"), (75, ">", ">75"),
                                          (60, "", ">50"), (50, ">", ">50"), (26, "", ">25"), (25, ">", ">25"),
                                          (25, "<", "<=25"), (20, "", "<=25"), (None, "E", "net exporter"),
                                          (None, "W", "no published value")])
def test_bands(pct, q, band):
    assert dep.band_of(pct, q) == band


def test_band_counts_order_and_totals():
    b = pd.DataFrame({"band": ["100%", "100%", ">50"]})
    c = dep.band_counts(b)
    assert list(c.band) == list(dep.BANDS) and c.minerals.sum() == 3 and c.set_index("band").loc["100%", "minerals"] == 2


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
    assert al.via == "aluminum"  # Fig. 2 has an ALUMINUM row of its own
    counts = dep.band_counts(b).set_index("band")["minerals"]
    assert counts.sum() == 50 and counts["100%"] >= 10


@pytest.mark.shared
def test_real_prc_exposure(raw_graph):
    df = dep.prc_exposure(raw_graph, ["rare_earths", "gallium", "graphite"]).set_index("commodity")
    assert df.loc["rare_earths", "mine_share_pct"] == pytest.approx(round(100 * 240000 / 350000, 1))
    assert df.loc["gallium", "processing_share_pct"] > 90
    assert df.loc["graphite", "import_rank_2019_2022"] == 1
    assert df.loc["rare_earths", "import_share_pct"] == 70.0
