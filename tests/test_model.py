"""SupplyModel: one object, each network built once, analyses memoised, what-ifs cached by
their normalised request; the tiny model's numbers are computed by hand (tests/conftest.py)."""

import networkx as nx
import pytest
from tests.conftest import counting_network_builds, tiny_tables

from minerals_graph.analysis import whatif as wi
from minerals_graph.model import ModelConfig, SupplyModel, UnknownPresetError


def test_each_network_is_built_once_and_shared(tiny_model):
    with counting_network_builds() as builds:
        ck = tiny_model.chokepoints()
        pe = tiny_model.prc_exposure()
        tiny_model.preset("prc-refining-cutoff")
        tiny_model.whatif([wi.NodeFilter(countries=frozenset({"AUS"}))])
    assert dict(builds) == {"lithium": 1}
    assert tiny_model.chokepoints() is ck and tiny_model.prc_exposure() is pe  # memoised
    assert tiny_model.network("lithium") is tiny_model.networks()["lithium"]


def test_whatif_cache_is_keyed_by_the_normalised_request(tiny_graph):
    m = SupplyModel.from_graph(tiny_graph, config=ModelConfig(whatif_cache_size=2))
    a, b = wi.NodeFilter(countries=frozenset({"AUS"})), wi.NodeFilter(roles=frozenset({"mine"}))
    first = m.whatif([a, b], (), ["lithium"])
    assert m.whatif([b, a], (), ["lithium", "lithium"]) is first  # same request, other spelling
    usa = first.set_index("demand").loc["USA"]
    assert (usa.supply_before_t, usa.supply_after_t, usa.removed_ids) == (3000.0, 0.0, ["mine:AUS", "out:AUS"])
    assert usa.carriers == []
    m.preset("prc-all-cutoff")
    m.preset("prc-mining-cutoff")
    assert m.cached_whatifs() == 2  # bounded: the least recently used is dropped
    assert m.whatif([a, b], (), ["lithium"]) is not first


def test_carriers_are_data(tiny_model):
    usa = tiny_model.preset("prc-refining-cutoff").set_index("demand").loc["USA"]
    # ranks AUS 2, CHN 1 -> weights 1/3, 2/3 of the 3,000 t imported; the PRC (no node of its
    # own here) is cut off as an exporter, Australia keeps its 1,000 t
    assert usa.carriers == [{"id": "out:AUS", "label": "imports from AUS", "flow_t": 1000.0}]
    assert usa.carriers_after == "imports from AUS (1,000 t)"
    assert usa.shortfall_t == 2000.0


def test_model_never_changes_the_graph(tiny_model):
    before = nx.to_dict_of_dicts(tiny_model.G)
    tiny_model.preset("prc-all-cutoff")
    tiny_model.whatif([], [wi.Addition("lithium", "USA", 500.0)])
    tiny_model.chokepoints()
    assert nx.to_dict_of_dicts(tiny_model.G) == before


def test_unknown_preset_is_a_lookup_error(tiny_model):
    with pytest.raises(UnknownPresetError, match="unknown preset 'nope'; presets: prc-all-cutoff") as e:
        tiny_model.preset("nope")
    assert isinstance(e.value, LookupError)


def test_a_model_from_a_graph_alone_has_no_tables(tiny_graph):
    from minerals_graph.errors import MineralsGraphError

    with pytest.raises(MineralsGraphError, match="no tables"):
        SupplyModel.from_graph(tiny_graph).accounting()


def test_report_is_text_from_the_model(tiny_model):
    from minerals_graph.report import report_markdown

    md = report_markdown(tiny_model, origin="tiny")
    assert md.startswith("# Critical minerals and the PRC")
    assert "### prc-refining-cutoff:" in md
    assert "| lithium | 3 kt | 2 kt (67%) | 0 t–2 kt (0%–67%) |" in md
    assert "## 1. Where the chokepoints are" in md


def test_polygons_honour_the_sources_dir(tmp_path, monkeypatch, caplog):
    from minerals_graph import settings

    monkeypatch.setattr(settings, "SHARED_DATA_DIR", tmp_path / "nowhere")
    raw = tmp_path / "raw"
    (raw / "nga_world_port_index").mkdir(parents=True)  # a raw-files folder without Natural Earth
    m = SupplyModel.from_graph(nx.MultiDiGraph(), config=ModelConfig(sources=raw))
    assert m.polygons() is None and str(raw) in caplog.text


@pytest.mark.shared
def test_polygons_read_from_a_raw_sources_dir(shared, tmp_path, monkeypatch):
    import shutil

    from minerals_graph import settings
    from minerals_graph.sources.natural_earth import FILE

    monkeypatch.setattr(settings, "SHARED_DATA_DIR", tmp_path / "nowhere")
    raw = tmp_path / "raw"
    (raw / "nga_world_port_index").mkdir(parents=True)
    (raw / FILE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared / FILE, raw / FILE)
    m = SupplyModel.from_graph(nx.MultiDiGraph(), tiny_tables(), ModelConfig(sources=raw))
    assert len(m.polygons()) == 177
