import pytest

from minerals_graph import validate as v
from minerals_graph.build import graph_from_tables
from minerals_graph.errors import ValidationError
from tests.test_build import tiny_tables


def test_valid_tiny_graph_has_no_problems():
    assert v.check_graph(graph_from_tables(tiny_tables())) == []


def test_every_problem_is_reported_at_once():
    G = graph_from_tables(tiny_tables())
    G.nodes["site:m1"]["kind"] = "Castle"
    del G.nodes["facility:r1"]["source_url"]
    G.nodes["port:wpi-1"]["lat"] = 123.0
    G.add_edge("country:AUS", "country:CHN", key="x", kind="PRODUCES", stage="mining", **{
        k: "x" for k in ("source", "source_publisher", "source_dataset", "source_url")}, source_year=1)
    problems = v.check_graph(G)
    assert any("'Castle'" in p for p in problems)
    assert any("facility:r1" in p and "source_url" in p for p in problems)
    assert any("outside EPSG:4326" in p for p in problems)
    assert any("connects Country->Country" in p for p in problems)
    assert len(problems) >= 4


def test_embedded_default_is_strictly_valid(data_tables, data_graph):
    acc = v.validate(data_tables, data_graph, strict=True)
    assert acc["balanced"].all() and acc["rejected"].sum() == 0


@pytest.mark.shared
def test_raw_files_every_row_accounted(raw_tables, raw_graph, shared):
    acc = v.validate(raw_tables, raw_graph)  # raises if a file does not balance
    assert (acc["loaded"] + acc["excluded"] + acc["rejected"] == acc["read"]).all()
    assert acc["read"].sum() >= 15000
    with pytest.raises(ValidationError, match="row\\(s\\) rejected"):
        v.validate(raw_tables, raw_graph, strict=True)
    unread = v.unread_files(shared, raw_tables)
    assert "not read by any loader" not in set(unread["reason"])
