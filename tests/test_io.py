import json

import pytest
from tests.conftest import tiny_tables

from minerals_graph import io
from minerals_graph.build import graph_from_tables


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_tiny_round_trip_keeps_every_attribute(tmp_path, suffix):
    G = graph_from_tables(tiny_tables())
    H = io.load_graph(io.save_graph(G, tmp_path / f"g{suffix}"))
    assert io.graphs_equal(G, H) == []


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_embedded_graph_round_trip(data_graph, tmp_path, suffix):
    H = io.load_graph(io.save_graph(data_graph, tmp_path / f"g{suffix}"))
    assert io.graphs_equal(data_graph, H) == []


def test_frames_round_trip(data_graph):
    nodes, edges = io.graph_to_frames(data_graph)
    assert list(nodes.columns[:6]) == ["id", "kind", "name", "iso3", "lon", "lat"]
    assert io.graphs_equal(data_graph, io.graph_from_frames(nodes, edges)) == []


def test_export_nodes_csv_and_json(data_graph, tmp_path):
    n = io.export_nodes(data_graph, tmp_path / "f.json", "json", kind="Facility")
    recs = json.loads((tmp_path / "f.json").read_text())
    assert len(recs) == n > 300
    assert all(r["source_url"] for r in recs)
    m = io.export_edges(data_graph, tmp_path / "e.csv", "csv")
    assert m == data_graph.number_of_edges()
    with pytest.raises(ValueError, match="expected csv or json"):
        io.export_nodes(data_graph, tmp_path / "x", "xml")


def test_graphs_equal_reports_a_difference():
    G = graph_from_tables(tiny_tables())
    H = G.copy()
    H.nodes["site:m1"]["name"] = "Other"
    assert io.graphs_equal(G, H) and "name" in io.graphs_equal(G, H)[0]
