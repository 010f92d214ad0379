import pytest
from tests.conftest import tiny_tables, write

from minerals_graph import validate as v
from minerals_graph.build import graph_from_tables
from minerals_graph.errors import ValidationError


def test_valid_tiny_graph_has_no_problems():
    assert v.check_graph(graph_from_tables(tiny_tables())) == []


def test_every_problem_is_reported_at_once():
    G = graph_from_tables(tiny_tables())
    G.nodes["site:m1"]["kind"] = "Castle"
    del G.nodes["facility:r1"]["source_url"]
    G.nodes["port:wpi-1"]["lat"] = 123.0
    G.add_edge(
        "country:AUS",
        "country:CHN",
        key="x",
        kind="PRODUCES",
        stage="mining",
        **{k: "x" for k in ("source", "source_publisher", "source_dataset", "source_url")},
        source_year=1,
    )
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
    # strict: without the documented list every reject fails; with it, the untouched files pass
    with pytest.raises(ValidationError, match="not in the known-rejects list"):
        v.validate(raw_tables, raw_graph, strict=True)
    from minerals_graph import settings

    known = v.read_known_rejects(settings.DATA_DIR)
    assert (known["note"] != "").all(), "every known reject says why it is expected"
    problems = v.check_manifest(shared, raw_tables, v.read_manifest(settings.DATA_DIR))
    assert problems == []
    v.validate(raw_tables, raw_graph, strict=True, known=known, manifest_problems=problems)
    unread = v.unread_files(shared, raw_tables)
    assert "not read by any loader" not in set(unread["reason"])


def _mini_sources(tmp_path):
    """A raw-sources folder with one small World Port Index file, and its tables."""
    from tests.test_wpi import HEADER

    from minerals_graph.crosswalk import default_crosswalk
    from minerals_graph.sources import wpi
    from minerals_graph.tables import Tables

    row = "1,7950.0,US East,Maurer, ,US BAL,United States,Small,Coastal,Yes,No,Unknown,11.0,0.0,0.0,40.53,-74.25\n"
    base = tmp_path / "raw"
    write(base / "nga_world_port_index" / "UpdatedPub150.csv", HEADER + row + row.replace("7950.0", "7951.0"), bom=True)
    res = wpi.load_ports(base, default_crosswalk())
    empty = {
        n: None
        for n in (
            "countries",
            "commodities",
            "ports",
            "places",
            "ownership",
            "production",
            "trades",
            "import_reliance",
            "statistics",
            "supplies",
            "ships_via",
        )
    }
    return base, Tables(**empty, results=[res])


def test_manifest_catches_truncated_edited_and_new_files(tmp_path):
    base, t = _mini_sources(tmp_path)
    man = v.source_manifest(base, t)
    assert list(man["file"]) == ["nga_world_port_index/UpdatedPub150.csv"] and man["rows"].iloc[0] == 2
    assert v.check_manifest(base, t, man) == []
    f = base / "nga_world_port_index" / "UpdatedPub150.csv"
    f.write_bytes(f.read_bytes()[:-40])  # truncated
    (base / "extra.csv").write_text("a\n1\n")
    problems = v.check_manifest(base, t, man)
    assert any("UpdatedPub150.csv: content differs" in p and "truncated" in p for p in problems)
    assert any(p.startswith("extra.csv: not in the manifest") for p in problems)


def test_strict_fails_only_on_rejects_not_in_the_known_list(tmp_path):
    import pandas as pd

    base, t = _mini_sources(tmp_path)
    r = t.results[0]
    r.cell_rejects.loc[0] = ["nga_world_port_index/UpdatedPub150.csv", 2, "channel_depth_m", "x", "garbled"]
    new = v.new_rejects(t, None)
    assert len(new) == 1 and new.iloc[0]["field"] == "channel_depth_m"
    known = pd.DataFrame(
        [
            {
                "file": "nga_world_port_index/UpdatedPub150.csv",
                "row": "2",
                "field": "channel_depth_m",
                "level": "cell",
                "reason": "garbled",
                "note": "documented",
            }
        ]
    )
    assert len(v.new_rejects(t, known)) == 0
