from collections import Counter

import pandas as pd
import pytest

from minerals_graph.build import clean_attrs, graph_from_tables
from minerals_graph.tables import COLUMNS, SOURCE_COLUMNS, Tables, company_key

SRC = {"source": "t", "source_publisher": "P", "source_dataset": "D", "source_year": 2024, "source_url": "http://x"}


def _df(name, rows):
    df = pd.DataFrame([{**SRC, **r} for r in rows])
    for c in COLUMNS[name] + SOURCE_COLUMNS:
        if c not in df.columns:
            df[c] = None
    return df[COLUMNS[name] + SOURCE_COLUMNS]


def tiny_tables() -> Tables:
    """Two countries, one commodity, a mine in AUS feeding a refinery in CHN that ships via a port."""
    return Tables(
        countries=_df("countries", [{"iso3": "AUS", "name": "Australia", "lon": 134.0, "lat": -25.0},
                                    {"iso3": "CHN", "name": "China", "lon": 104.0, "lat": 35.0},
                                    {"iso3": "USA", "name": "United States", "lon": -98.0, "lat": 39.0}]),
        commodities=_df("commodities", [{"id": "lithium", "name": "Lithium", "critical_2022": True}]),
        ports=_df("ports", [{"wpi_number": 1, "name": "Port A", "iso3": "CHN", "harbor_size": "Large",
                             "solid_bulk": "Yes", "lon": 121.0, "lat": 31.0}]),
        places=_df("places", [
            {"id": "site:m1", "node_kind": "Site", "kind": "mine", "name": "Mine 1", "iso3": "AUS",
             "lon": 116.0, "lat": -33.9, "commodities": "lithium", "stages": "mining", "status": "operating"},
            {"id": "facility:r1", "node_kind": "Facility", "kind": "refinery", "name": "Refinery 1", "iso3": "CHN",
             "lon": 120.5, "lat": 31.3, "commodities": "lithium", "stages": "refining", "capacity": 40000.0,
             "capacity_unit": "t/yr", "status_year": 2024.0}]),
        ownership=_df("ownership", [
            {"place_id": "facility:r1", "company": "Tianqi Lithium Co., Ltd.", "control_iso3": "CHN",
             "share_pct": 100.0, "role": "owner"},
            {"place_id": "site:m1", "company": "Tianqi Lithium Corp", "control_iso3": "CHN", "share_pct": 51.0,
             "role": "owner"}]),
        production=_df("production", [
            {"producer_id": "country:AUS", "commodity": "lithium", "stage": "mining", "measure": "production",
             "quantity": 86000.0, "unit": "t", "year": 2023},
            {"producer_id": "country:AUS", "commodity": "lithium", "stage": "mining", "measure": "reserves",
             "quantity": 6200000.0, "unit": "t", "year": 2023},
            {"producer_id": "country:CHN", "commodity": "lithium", "stage": "mining", "measure": "production",
             "quantity": None, "qualifier": "W", "unit": "t", "year": 2023}]),
        trades=_df("trades", [{"exporter": "CHN", "importer": "USA", "commodity": "lithium", "rank": 1}]),
        import_reliance=_df("import_reliance", [{"iso3": "USA", "commodity": "lithium", "year": 2023,
                                                 "pct": 25.0, "qualifier": ">"}]),
        statistics=_df("statistics", []),
        supplies=_df("supplies", [{"from_id": "site:m1", "to_id": "facility:r1", "commodity": "lithium"}]),
        ships_via=_df("ships_via", [{"place_id": "facility:r1", "wpi_number": 1, "inferred": True,
                                     "distance_km": 55.2}]),
        companies=_df("companies", [{"id": "company:tianqi-lithium", "name": "Tianqi Lithium Corp",
                                     "control_iso3": "CHN"}]),
    )


def test_tiny_graph_has_exactly_the_expected_nodes_and_edges():
    G = graph_from_tables(tiny_tables())
    kinds = Counter(d["kind"] for _, d in G.nodes(data=True))
    assert kinds == {"Country": 3, "Commodity": 1, "Port": 1, "Site": 1, "Facility": 1, "Company": 1}
    edges = Counter(d["kind"] for _, _, d in G.edges(data=True))
    assert edges == {"LOCATED_IN": 3, "OWNED_BY": 2, "CONTROLLED_FROM": 1, "PRODUCES": 2, "HOLDS_RESERVES": 1,
                     "TRADES": 1, "IMPORT_RELIANCE": 1, "SUPPLIES": 1, "SHIPS_VIA": 1}
    # the two spellings of Tianqi are one company
    assert set(G.successors("facility:r1")) >= {"company:tianqi-lithium", "port:wpi-1", "country:CHN"}
    withheld = [d for u, v, d in G.edges("country:CHN", data=True) if d["kind"] == "PRODUCES"][0]
    assert withheld["qualifier"] == "W" and "quantity" not in withheld  # withheld is not zero
    assert G.nodes["facility:r1"]["status_year"] == 2024 and isinstance(G.nodes["facility:r1"]["status_year"], int)
    assert G.nodes["facility:r1"]["source_url"] == "http://x"


def test_edge_to_unknown_node_raises():
    t = tiny_tables()
    t.trades = _df("trades", [{"exporter": "XXX", "importer": "USA", "commodity": "lithium"}])
    with pytest.raises(KeyError, match="country:XXX"):
        graph_from_tables(t)


def test_clean_attrs_drops_missing_and_coerces_types():
    assert clean_attrs({"a": None, "b": float("nan"), "c": "", "year": 2019.0, "lon": 1}) == {"year": 2019, "lon": 1.0}


def test_company_key_folds_legal_forms():
    assert company_key("Tianqi Lithium Co., Ltd.") == company_key("Tianqi Lithium Corp") == "tianqi-lithium"


def test_embedded_default_builds_with_every_kind(data_graph):
    kinds = Counter(d["kind"] for _, d in data_graph.nodes(data=True))
    assert set(kinds) == {"Country", "Commodity", "Site", "Facility", "Port", "Company"}
    assert kinds["Facility"] + kinds["Site"] >= 800
    ekinds = {d["kind"] for _, _, d in data_graph.edges(data=True)}
    assert {"PRODUCES", "TRADES", "SHIPS_VIA", "OWNED_BY", "CONTROLLED_FROM", "SUPPLIES"} <= ekinds


@pytest.mark.shared
def test_full_graph_from_raw_files_has_every_source(raw_graph):
    sources = {d.get("source") for _, d in raw_graph.nodes(data=True)}
    assert {"nga-wpi", "natural-earth-admin0-110m", "usgs-nmic-indopac", "usgs-usmin-lithium",
            "usgs-mineplant-2003", "register"} <= sources
    esources = {d.get("source") for _, _, d in raw_graph.edges(data=True)}
    assert {"usgs-mcs2024-world", "usgs-mcs2024-salient", "usgs-mcs2024-fig2", "usgs-mcs2025-fig2",
            "usgs-mcs2024-t5", "usgs-mcs2025-t5"} <= esources
    assert sum(1 for _, d in raw_graph.nodes(data=True) if d["kind"] == "Port") == 3798
