"""Neo4j path: Cypher checked by Neo4j's own parser; load, round trip, idempotence and the
analysis queries over Bolt with the official driver against a real Cypher server (FalkorDB).
"""

import json
import shutil
import subprocess

import pytest

from minerals_graph import io
from minerals_graph import neo4j as mg
from minerals_graph import settings
from minerals_graph.analysis import queries as Q
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, PROCESSING_STAGES
from tests.bolt_codec import decode, encode
from tests.conftest import _require_shared
from tests.falkordb_server import falkordb_bolt, in_private_netns

LINT = settings.REPO_ROOT / "tests" / "cypher_lint.mjs"


def _lint(files):
    node = shutil.which("node")
    if node is None or not (settings.REPO_ROOT / "node_modules/@neo4j-cypher/language-support").is_dir():
        if _require_shared():
            pytest.fail("node and @neo4j-cypher/language-support are required (scripts/setup.sh)")
        pytest.skip("Neo4j's Cypher parser is not installed")
    out = subprocess.run([node, str(LINT), *map(str, files)], capture_output=True, text=True, timeout=120,
                         cwd=settings.REPO_ROOT, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_every_cypher_file_passes_neo4js_parser():
    files = sorted((settings.REPO_ROOT / "cypher").rglob("*.cypher"))
    assert len(files) == 1 + len(NODE_KINDS) + len(EDGE_KINDS) + 2 + 6
    results = _lint(files)
    assert len(results) == len(files)
    bad = [(r["file"], e["line"], e["column"], e["message"]) for r in results for e in r["errors"]]
    assert bad == []


def test_a_broken_statement_is_reported_with_line_and_column(tmp_path):
    f = tmp_path / "broken.cypher"
    f.write_text("// comment\nMATCH (n:Country\nRETURN n\n")
    [r] = _lint([f])
    assert r["errors"] and r["errors"][0]["line"] == 3 and r["errors"][0]["column"] == 1
    assert "Invalid input" in r["errors"][0]["message"]


def test_one_load_file_per_label_and_type_all_parameterised():
    for k in NODE_KINDS:
        text = mg.read_cypher(f"load/nodes_{k}.cypher")
        assert "UNWIND $rows AS row" in text and f"MERGE (n:MGNode:{k} {{id: row.id}})" in text
    for t in EDGE_KINDS:
        text = mg.read_cypher(f"load/rels_{t}.cypher")
        assert f"MERGE (a)-[r:{t} {{key: row.key}}]->(b)" in text and "SET r += row.props" in text
    for p in (settings.REPO_ROOT / "cypher").rglob("*.cypher"):
        head = p.read_text().splitlines()[0]
        assert head.startswith("//"), f"{p.name}: every file starts with a header comment"


def test_statements_split_and_params():
    assert mg.statements("// c\nA;\nB;\n") == ["A", "B"]
    assert mg.parse_params(["country=CHN", "stages=refining,separation", "n=5"]) == {
        "country": "CHN", "stages": ["refining", "separation"], "n": 5}
    with pytest.raises(MineralsGraphError, match="expected key=value"):
        mg.parse_params(["oops"])


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(MineralsGraphError, match="NEO4J_URI is not set"):
        mg.Neo4jSettings.from_env()
    monkeypatch.setenv("NEO4J_URI", "bolt://localhost:7687")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    assert mg.Neo4jSettings.from_env().password is None  # no default password baked in


def test_codec_round_trip():
    for v in ["it's", 'say "x"', "a\\b", "plain", 1.25, 45.216666667, 3, True, "b64:x", "z64:y", "long \"note\" " * 200]:
        assert decode(encode(v)) == v


@pytest.fixture(scope="module")
def bolt_driver():
    if not in_private_netns():
        if _require_shared():
            pytest.fail("Bolt tests must run in a private network namespace (scripts/test.sh uses unshare -n)")
        pytest.skip("FalkorDB's Bolt listener binds every interface: run via scripts/test.sh (unshare -n)")
    from neo4j import GraphDatabase

    with falkordb_bolt() as uri:
        driver = GraphDatabase.driver(uri, auth=None, max_transaction_retry_time=5)
        driver.test_uri = uri
        driver.verify_connectivity()
        with driver.session() as s:  # FalkorDB's own index syntax (Neo4j's constraints: parser test)
            s.run("CREATE INDEX FOR (n:MGNode) ON (n.id)").consume()
        yield driver
        driver.close()


@pytest.fixture(scope="module")
def loaded(bolt_driver, data_graph):
    sent = mg.export_graph(data_graph, bolt_driver, encode=encode, max_batch_bytes=3500)
    return sent


def test_load_counts_and_idempotence(bolt_driver, loaded, data_graph):
    assert sum(v for k, v in loaded.items() if k in NODE_KINDS) == data_graph.number_of_nodes()
    first = mg.counts(bolt_driver)
    assert first == {"nodes": data_graph.number_of_nodes(), "relationships": data_graph.number_of_edges()}
    mg.export_graph(data_graph, bolt_driver, encode=encode, max_batch_bytes=3500)
    assert mg.counts(bolt_driver) == first


def test_round_trip_keeps_every_node_edge_and_attribute(bolt_driver, loaded, data_graph):
    back = mg.import_graph(bolt_driver, decode=decode)
    assert io.graphs_equal(data_graph, back) == []


def _norm(rows):
    return [{k: (sorted(v) if isinstance(v, list) else round(v, 6) if isinstance(v, float) else v)
             for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("name, params, twin", [
    ("prc_controlled_capacity", {"country": "CHN", "stages": ["refining", "separation"]},
     lambda G: Q.prc_controlled_capacity(G, "CHN", ["refining", "separation"])),
    ("paths_to_us", {"commodity": "commodity:lithium"}, lambda G: Q.paths_to_us(G, "commodity:lithium")),
    ("paths_to_us", {"commodity": "commodity:rare_earths"}, lambda G: Q.paths_to_us(G, "commodity:rare_earths")),
    ("single_source", {}, Q.single_source),
    ("supply_without_prc_refining", {"country": "CHN", "stages": list(PROCESSING_STAGES)},
     lambda G: Q.supply_without_prc_refining(G, "CHN", PROCESSING_STAGES)),
    ("export_controls", {"country": "CHN"}, lambda G: Q.export_controls(G, "CHN")),
    ("export_controls", {"country": None}, Q.export_controls),
    ("facility_chain", {"id": "site:fac_chn_xikuangshan_antimony_mine_twinkling_star"},
     lambda G: Q.facility_chain(G, "site:fac_chn_xikuangshan_antimony_mine_twinkling_star")),
])
def test_cypher_queries_equal_the_python_analyses(bolt_driver, loaded, data_graph, name, params, twin):
    cy = mg.run_query(bolt_driver, name, params)
    py = twin(data_graph)
    assert len(py) > 0
    assert _norm(cy) == _norm(py)


def test_unknown_query_is_named(bolt_driver):
    with pytest.raises(MineralsGraphError, match="unknown query 'nope'"):
        mg.run_query(bolt_driver, "nope")


def test_cli_query_over_bolt(bolt_driver, loaded, data_graph, monkeypatch, capsys):
    """Last test of the module: the CLI closes its driver when done, and FalkorDB's Bolt
    listener stops accepting connections after a client closes one (a FalkorDB quirk)."""
    from minerals_graph.cli import main

    monkeypatch.setenv("NEO4J_URI", bolt_driver.test_uri)
    monkeypatch.delenv("NEO4J_USERNAME", raising=False)
    assert main(["neo4j", "query", "prc_controlled_capacity", "--param", "country=CHN",
                 "--param", "stages=refining,separation", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert _norm(rows) == _norm(Q.prc_controlled_capacity(data_graph, "CHN", ["refining", "separation"]))
