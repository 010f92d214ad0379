"""Neo4j path: Cypher checked by Neo4j's own parser; content-derived edge keys; load, sync,
round trip, idempotence, the CLI and the analysis queries over Bolt with the official driver
against a real Cypher server (FalkorDB).
"""

import functools
import json
import shlex
import shutil
import subprocess

import pytest
from tests.bolt_codec import decode, encode
from tests.conftest import _require_shared
from tests.falkordb_server import falkordb_bolt, in_private_netns
from tests.test_build import _df, tiny_tables

from minerals_graph import io, settings
from minerals_graph import neo4j as mg
from minerals_graph.analysis import queries as Q
from minerals_graph.build import EDGE_IDENTITY, assign_edge_keys, edge_key, graph_from_tables
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, PROCESSING_STAGES

LINT = settings.REPO_ROOT / "tests" / "cypher_lint.mjs"


def _lint(files):
    node = shutil.which("node")
    if node is None or not (settings.REPO_ROOT / "node_modules/@neo4j-cypher/language-support").is_dir():
        if _require_shared():
            pytest.fail("node and @neo4j-cypher/language-support are required (scripts/setup.sh)")
        pytest.skip("Neo4j's Cypher parser is not installed")
    out = subprocess.run(
        [node, str(LINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.REPO_ROOT,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_every_cypher_file_passes_neo4js_parser():
    files = sorted((settings.REPO_ROOT / "cypher").rglob("*.cypher"))
    assert len(files) == 1 + len(NODE_KINDS) + len(EDGE_KINDS) + 2 + 7 + 4  # schema, load, export, queries, sync
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
        assert "SET n = row.props" in text  # exactly the graph's properties (the id is in props)
    for t in EDGE_KINDS:
        text = mg.read_cypher(f"load/rels_{t}.cypher")
        assert f"MERGE (a)-[r:{t} {{key: row.key}}]->(b)" in text and "SET r = row.props" in text
    for f in ("delete_nodes", "delete_relationships", "delete_unkeyed", "delete_all"):
        text = mg.read_cypher(f"sync/{f}.cypher")
        assert ":MGNode" in text and "$" in text  # scoped to the project, parameterised
    for p in (settings.REPO_ROOT / "cypher").rglob("*.cypher"):
        head = p.read_text().splitlines()[0]
        assert head.startswith("//"), f"{p.name}: every file starts with a header comment"


def test_statements_split_and_params():
    assert mg.statements("// c\nA;\nB;\n") == ["A", "B"]
    assert mg.parse_params(["country=CHN", "stages=refining,separation", "n=5"]) == {
        "country": "CHN",
        "stages": ["refining", "separation"],
        "n": 5,
    }
    with pytest.raises(MineralsGraphError, match="expected key=value"):
        mg.parse_params(["oops"])


def test_params_take_the_types_the_query_header_declares():
    d = mg.query_parameters("prc_controlled_capacity")
    assert [str(p) for p in d.values()] == ["$country (STRING)", "$stages (LIST<STRING>)"]
    parse = functools.partial(mg.parse_params, declared=d, query="prc_controlled_capacity")
    assert parse(["country=CHN", "stages=refining"]) == {"country": "CHN", "stages": ["refining"]}  # one item
    assert parse(["stages=refining,separation"]) == {"stages": ["refining", "separation"]}
    assert parse(['stages=["refining"]']) == {"stages": ["refining"]}  # JSON
    assert parse(['stages=["refining", "separation"]']) == {"stages": ["refining", "separation"]}
    assert parse(["stages=refining", "stages=separation"]) == {"stages": ["refining", "separation"]}  # repeated
    assert parse(["country=12", "stages=1"]) == {"country": "12", "stages": ["1"]}  # strings stay strings
    assert parse(['country="CHN"']) == {"country": "CHN"}
    for bad, msg in (
        (["nope=1"], r"query prc_controlled_capacity: no parameter \$nope; it takes \$country"),
        (["stages=[refining"], "--param stages: '\\[refining' is not valid JSON"),
        (['stages={"a": 1}'], "not valid JSON|expected a JSON list"),
        (["stages=[1]"], "expected a string, got 1"),
        (["country=CHN", "country=USA"], "given twice"),
    ):
        with pytest.raises(MineralsGraphError, match=msg):
            parse(bad)
    ec = mg.query_parameters("export_controls")
    assert ec["country"].nullable and mg.parse_params(["country=null"], ec) == {"country": None}
    assert mg.query_parameters("single_source") == {}
    with pytest.raises(MineralsGraphError, match="no parameter \\$x; it takes no parameters"):
        mg.parse_params(["x=1"], {}, query="single_source")
    # undeclared (ad hoc) use: JSON values too
    assert mg.parse_params(['ids=["a"]', "x=1.5", "s=a"]) == {"ids": ["a"], "x": 1.5, "s": "a"}


def test_every_query_declares_exactly_the_parameters_it_uses_and_has_examples():
    import re

    for name in mg.query_names():
        text = mg.read_cypher(f"queries/{name}.cypher")
        used = set(re.findall(r"\$(\w+)", "\n".join(mg.statements(text))))
        assert set(mg.query_parameters(name)) == used, name
        examples = mg.query_examples(name)
        assert examples, f"{name}: no example in the header"
        for ex in examples:
            argv = shlex.split(ex)
            assert argv[:4] == ["minerals-graph", "neo4j", "query", name], ex
            pairs = [argv[i + 1] for i, a in enumerate(argv) if a == "--param"]
            mg.parse_params(pairs, mg.query_parameters(name), query=name)  # parses with the declared types


def test_missing_and_unknown_parameters_are_named_before_anything_is_sent():
    with pytest.raises(MineralsGraphError, match=r"query prc_controlled_capacity: missing \$stages \(LIST<STRING>\)"):
        mg.run_query(None, "prc_controlled_capacity", {"country": "CHN"})
    with pytest.raises(MineralsGraphError, match=r"query single_source: no parameter \$limit"):
        mg.run_query(None, "single_source", {"limit": 3})


# -- edge keys -------------------------------------------------------------------------------


def _edges(G):
    return {(u, v, k): d for u, v, k, d in G.edges(keys=True, data=True)}


def test_edge_keys_are_content_derived_and_do_not_depend_on_row_order(data_tables, data_graph):
    import dataclasses

    again = graph_from_tables(data_tables)
    assert _edges(again) == _edges(data_graph)  # identical across two builds
    keys = [k for _, _, k in data_graph.edges(keys=True)]
    assert len(set(keys)) == len(keys) and all(k.startswith("r") for k in keys)
    shuffled = dataclasses.replace(
        data_tables,
        **{
            name: getattr(data_tables, name).sample(frac=1.0, random_state=7).reset_index(drop=True)
            for name in data_tables.table_names()
        },
    )
    assert _edges(graph_from_tables(shuffled)) == _edges(data_graph)  # any row order: the same keys
    assert set(EDGE_IDENTITY) == set(EDGE_KINDS)


def test_a_changed_value_keeps_the_key_and_a_changed_identity_does_not():
    t = tiny_tables()
    G = graph_from_tables(t)
    prod = {d["year"]: k for u, v, k, d in G.edges("country:AUS", keys=True, data=True) if d["kind"] == "PRODUCES"}
    t.production.loc[0, "quantity"] = 90000.0
    assert {
        d["year"]: k
        for u, v, k, d in graph_from_tables(t).edges("country:AUS", keys=True, data=True)
        if d["kind"] == "PRODUCES"
    } == prod
    t.production.loc[0, "year"] = 2024
    changed = {
        d["year"]: k
        for u, v, k, d in graph_from_tables(t).edges("country:AUS", keys=True, data=True)
        if d["kind"] == "PRODUCES"
    }
    assert set(changed.values()).isdisjoint(prod.values())
    d = {"kind": "TRADES", "commodity": "antimony", "period": "2024", "note": "HS 811010 (refining)", "source": "s"}
    assert edge_key("a", "b", d) != edge_key("a", "b", {**d, "note": "HS 811090 (refining)"})  # the HS6 code
    assert edge_key("a", "b", d) == edge_key("a", "b", {**d, "value_usd": 5.0})
    assert edge_key("a", "b", d) != edge_key("b", "a", d)


def test_key_collisions_are_detected_and_disambiguated_deterministically(caplog):
    stat = {
        "iso3": "USA",
        "commodity": "lithium",
        "year": 2021,
        "measure": "imports",
        "detail": "Imports",
        "unit": "kt",
        "column": "Import",
    }
    rows = [
        {**stat, "value": 3880.0},
        {**stat, "value": 1550.0},
        {**stat, "value": 7.0},
        {**stat, "value": 7.0},
        {**stat, "year": 2022, "value": 1.0},
    ]

    def keyed(rs):
        t = tiny_tables()
        t.statistics = _df("statistics", rs)
        G = graph_from_tables(t)
        return sorted((k, d.get("value")) for _, _, k, d in G.edges(keys=True, data=True) if d["kind"] == "STATISTIC")

    with caplog.at_level("INFO", logger="minerals_graph.build"):
        first = keyed(rows)
    assert "4 edges share their identity" in caplog.text  # detected and logged
    keys = [k for k, _ in first]
    assert len(set(keys)) == 5  # all distinct
    base = edge_key(
        "country:USA",
        "commodity:lithium",
        {"kind": "STATISTIC", **{k: v for k, v in stat.items() if k not in ("iso3", "commodity")}, "source": "t"},
    )
    colliding = [k for k in keys if k.startswith(base + "-")]
    assert len(colliding) == 4
    assert sum(k.endswith(("-1", "-2")) and k.count("-") == 2 for k in colliding) == 2  # the two identical rows
    assert keyed(list(reversed(rows))) == first  # independent of row order
    assert keyed(rows[1:] + rows[:1]) == first
    # the same rule on bare edges: a distinct edge with the same identity never shares a key
    e = ("a", "b", {"kind": "SUPPLIES", "commodity": "x", "source": "s"})
    e2 = ("a", "b", {"kind": "SUPPLIES", "commodity": "x", "source": "s", "note": "other"})
    k1, k2 = assign_edge_keys([e, e2])
    assert k1 != k2 and assign_edge_keys([e2, e]) == [k2, k1]
    assert assign_edge_keys([e]) == [edge_key(*e)]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(MineralsGraphError, match="NEO4J_URI is not set"):
        mg.Neo4jSettings.from_env()
    monkeypatch.setenv("NEO4J_URI", "bolt://localhost:7687")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    assert mg.Neo4jSettings.from_env().password is None  # no default password baked in


def test_codec_round_trip():
    for v in ["it's", 'say "x"', "a\\b", "plain", 1.25, 45.216666667, 3, True, "b64:x", "z64:y", 'long "note" ' * 200]:
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


BOLT = {"encode": encode, "max_batch_bytes": 3500}  # FalkorDB's Bolt layer (tests/bolt_codec.py)


@pytest.fixture(scope="module")
def loaded(bolt_driver, data_graph):
    return mg.export_graph(data_graph, bolt_driver, **BOLT)


def _state(driver):
    """(counts, property checksum) of what the database holds."""
    return mg.counts(driver), mg.graph_checksum(mg.import_graph(driver, decode=decode))


def _expect(G):
    return {"nodes": G.number_of_nodes(), "relationships": G.number_of_edges()}, mg.graph_checksum(G)


def test_load_counts_and_idempotence(bolt_driver, loaded, data_graph):
    assert sum(v for k, v in loaded.sent.items() if k in NODE_KINDS) == data_graph.number_of_nodes()
    first = mg.counts(bolt_driver)
    assert first == {"nodes": data_graph.number_of_nodes(), "relationships": data_graph.number_of_edges()}
    mg.export_graph(data_graph, bolt_driver, **BOLT)
    assert mg.counts(bolt_driver) == first
    again = mg.export_graph(data_graph, bolt_driver, sync=True, **BOLT)
    assert again.changes == 0 and again.sent == {} and mg.counts(bolt_driver) == first


def test_round_trip_keeps_every_node_edge_and_attribute(bolt_driver, loaded, data_graph):
    back = mg.import_graph(bolt_driver, decode=decode)
    assert io.graphs_equal(data_graph, back) == []


def _norm(rows):
    return [
        {k: (sorted(v) if isinstance(v, list) else round(v, 6) if isinstance(v, float) else v) for k, v in r.items()}
        for r in rows
    ]


@pytest.mark.parametrize(
    "name, params, twin",
    [
        (
            "prc_controlled_capacity",
            {"country": "CHN", "stages": ["refining", "separation"]},
            lambda G: Q.prc_controlled_capacity(G, "CHN", ["refining", "separation"]),
        ),
        ("paths_to_us", {"commodity": "commodity:lithium"}, lambda G: Q.paths_to_us(G, "commodity:lithium")),
        ("paths_to_us", {"commodity": "commodity:rare_earths"}, lambda G: Q.paths_to_us(G, "commodity:rare_earths")),
        ("single_source", {}, Q.single_source),
        (
            "supply_without_prc_refining",
            {"country": "CHN", "stages": list(PROCESSING_STAGES)},
            lambda G: Q.supply_without_prc_refining(G, "CHN", PROCESSING_STAGES),
        ),
        ("export_controls", {"country": "CHN"}, lambda G: Q.export_controls(G, "CHN")),
        ("export_controls", {"country": None}, Q.export_controls),
        (
            "facility_chain",
            {"id": "site:fac_chn_xikuangshan_antimony_mine_twinkling_star"},
            lambda G: Q.facility_chain(G, "site:fac_chn_xikuangshan_antimony_mine_twinkling_star"),
        ),
        (
            "facility_chain",
            {"id": "facility:fac_mys_lynas_lamp_gebeng_kuantan"},
            lambda G: Q.facility_chain(G, "facility:fac_mys_lynas_lamp_gebeng_kuantan"),
        ),
        (
            "prc_controlled_capacity",
            {"country": "CHN", "stages": ["refining"]},
            lambda G: Q.prc_controlled_capacity(G, "CHN", ["refining"]),
        ),
        (
            "trace_named_suppliers",
            {"id": "facility:fac_mys_lynas_lamp_gebeng_kuantan", "commodity": "rare_earths"},
            lambda G: Q.trace_named_suppliers(G, "facility:fac_mys_lynas_lamp_gebeng_kuantan", "rare_earths"),
        ),
        (  # two steps, owners in other countries: FIN refinery (BEL control) fed by COD mines (CHE control)
            "trace_named_suppliers",
            {"id": "facility:fac_pol_umicore_nysa_cathode_materials", "commodity": "cobalt"},
            lambda G: Q.trace_named_suppliers(G, "facility:fac_pol_umicore_nysa_cathode_materials", "cobalt"),
        ),
    ],
)
def test_cypher_queries_equal_the_python_analyses(bolt_driver, loaded, data_graph, name, params, twin):
    cy = mg.run_query(bolt_driver, name, params)
    py = twin(data_graph)
    assert len(py) > 0
    assert _norm(cy) == _norm(py)


def test_unknown_query_is_named(bolt_driver):
    with pytest.raises(MineralsGraphError, match="unknown query 'nope'"):
        mg.run_query(bolt_driver, "nope")


def test_a_server_error_is_one_line_naming_the_query(bolt_driver, loaded):
    with pytest.raises(MineralsGraphError) as exc:  # a string where the query needs a list
        mg.run_query(bolt_driver, "prc_controlled_capacity", {"country": "CHN", "stages": "refining"})
    msg = str(exc.value)
    assert msg.startswith("query prc_controlled_capacity: server error") and "\n" not in msg


# -- sync ------------------------------------------------------------------------------------


def _graph_b(A):
    """A with nodes and edges removed, values changed, a property dropped, a node relabelled
    and one node and one edge added."""
    from minerals_graph.build import edge_key as ek

    B = A.copy()
    facilities = sorted(n for n, d in A.nodes(data=True) if d["kind"] == "Facility" and A.degree(n) > 2)
    companies = sorted(n for n, d in A.nodes(data=True) if d["kind"] == "Company")
    B.remove_nodes_from(facilities[:3] + companies[:1])
    trades = sorted((u, v, k) for u, v, k, d in B.edges(keys=True, data=True) if d["kind"] == "TRADES")
    B.remove_edges_from(trades[:10])
    site = sorted(n for n, d in B.nodes(data=True) if d["kind"] == "Site")[0]
    B.nodes[site]["name"] = "Renamed site"
    port = next(n for n, d in sorted(B.nodes(data=True)) if d["kind"] == "Port" and "harbor_type" in d)
    del B.nodes[port]["harbor_type"]  # a property the graph no longer has
    relabel = sorted(n for n, d in B.nodes(data=True) if d["kind"] == "Site" and B.degree(n) > 1)[1]
    B.nodes[relabel]["kind"] = "Facility"
    u, v, k = sorted(
        (u, v, k)
        for u, v, k, d in B.edges(keys=True, data=True)
        if d["kind"] == "PRODUCES" and "quantity" in d and relabel not in (u, v)
    )[0]
    B.edges[u, v, k]["quantity"] += 1.0
    B.add_node("company:sync-test", kind="Company", name="Sync Test Co", source="test")
    attrs = {"kind": "OWNED_BY", "share_pct": 10.0, "source": "test"}
    B.add_edge(site, "company:sync-test", key=ek(site, "company:sync-test", attrs), **attrs)
    return B, relabel


def test_sync_makes_the_database_equal_the_graph(bolt_driver, loaded, data_graph):
    A = data_graph
    B, relabel = _graph_b(A)
    ea, eb = _edges(A), _edges(B)
    touching = {e for e in set(ea) & set(eb) if relabel in e[:2]}
    changed = {e for e in set(ea) & set(eb) if ea[e] != eb[e]}

    plan = mg.export_graph(B, bolt_driver, sync=True, dry_run=True, **BOLT)  # dry run: nothing written
    assert _state(bolt_driver) == _expect(A)
    assert plan.total("node", "delete") == 4 and plan.total("node", "create") == 1
    assert plan.total("node", "update") == 3  # renamed, property dropped, relabelled
    assert plan.total("relationship", "delete") == len(set(ea) - set(eb))
    assert plan.total("relationship", "create") == len(set(eb) - set(ea)) == 1
    assert plan.total("relationship", "update") == len(changed | touching) >= 2
    assert plan.total("relationship", "unchanged") == len(set(ea) & set(eb)) - len(changed | touching)
    assert "  create node: company:sync-test" in plan.summary()

    done = mg.export_graph(B, bolt_driver, sync=True, **BOLT)
    assert done.applied and done.changes == plan.changes
    assert _state(bolt_driver) == _expect(B)  # counts and every property equal B's
    port = next(
        n
        for n, d in sorted(B.nodes(data=True))
        if d["kind"] == "Port" and n in A and "harbor_type" in A.nodes[n] and "harbor_type" not in d
    )
    with bolt_driver.session() as s:
        assert s.run("MATCH (n:MGNode {id: $id}) RETURN labels(n) AS l", {"id": relabel}).single()["l"] in (
            ["MGNode", "Facility"],
            ["Facility", "MGNode"],
        )
        assert s.run("MATCH (n:MGNode {id: $id}) RETURN n.harbor_type AS h", {"id": port}).single()["h"] is None

    again = mg.export_graph(B, bolt_driver, sync=True, **BOLT)  # B again: no change
    assert (
        again.changes == 0
        and again.sent == {}
        and again.summary(examples=0)[0].startswith("nodes:          create 0, update 0, delete 0")
    )
    assert _state(bolt_driver) == _expect(B)

    back = mg.export_graph(A, bolt_driver, replace=True, **BOLT)  # replace: delete all, load all
    assert back.total("node", "delete") == B.number_of_nodes()
    assert _state(bolt_driver) == _expect(A)
    assert mg.export_graph(A, bolt_driver, sync=True, dry_run=True, **BOLT).changes == 0


def test_sync_removes_relationships_left_by_another_build(bolt_driver, loaded, data_graph):
    """The reported defect: keys from a build counter differ between builds, so a second load
    duplicated relationships. A sync deletes every relationship whose key the graph lacks."""
    import networkx as nx

    old = nx.MultiDiGraph()
    old.add_nodes_from(data_graph.nodes(data=True))
    for i, (u, v, d) in enumerate(sorted(data_graph.edges(data=True), key=lambda e: (e[0], e[1]))[:2000]):
        old.add_edge(u, v, key=f"e{i + 1}", **d)
    mg.export_graph(old, bolt_driver, **BOLT)  # the old merge-only load: duplicates
    assert mg.counts(bolt_driver)["relationships"] == data_graph.number_of_edges() + 2000
    plan = mg.export_graph(data_graph, bolt_driver, sync=True, **BOLT)
    assert plan.total("relationship", "delete") == 2000 and plan.total("relationship", "create") == 0
    assert _state(bolt_driver) == _expect(data_graph)


# -- the CLI over Bolt (driver shared with the fixture: FalkorDB stops listening when a client closes) --


@pytest.fixture
def cli(bolt_driver, monkeypatch):
    from minerals_graph.cli import main

    monkeypatch.setenv("NEO4J_URI", bolt_driver.test_uri)
    monkeypatch.delenv("NEO4J_USERNAME", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    monkeypatch.setattr(mg, "get_driver", lambda cfg=None: bolt_driver)
    monkeypatch.setattr(mg, "close_driver", lambda: None)
    monkeypatch.setattr(mg, "plan_load", functools.partial(mg.plan_load, encode=encode))
    monkeypatch.setattr(mg, "apply_load", functools.partial(mg.apply_load, max_batch_bytes=3500))
    return main


@pytest.mark.parametrize("name", mg.query_names())
def test_every_header_example_runs_and_returns_rows(cli, loaded, capsys, name):
    for ex in mg.query_examples(name):
        assert cli(shlex.split(ex)[1:] + ["--format", "json"]) == 0, ex
        rows = json.loads(capsys.readouterr().out)
        assert rows, f"{ex}: no rows"
        if name == "facility_chain":
            assert rows[0]["upstream"] or rows[0]["downstream"], ex


def test_cli_one_item_list_and_json_list_equal_the_python_twin(cli, loaded, data_graph, capsys):
    for arg in ("stages=refining", 'stages=["refining"]'):
        assert (
            cli(
                [
                    "neo4j",
                    "query",
                    "prc_controlled_capacity",
                    "--param",
                    "country=CHN",
                    "--param",
                    arg,
                    "--format",
                    "json",
                ]
            )
            == 0
        )
        assert _norm(json.loads(capsys.readouterr().out)) == _norm(
            Q.prc_controlled_capacity(data_graph, "CHN", ["refining"])
        )


def test_cli_params_named_query_and_parameters_reach_the_server(cli, loaded, capsys, monkeypatch, tmp_path):
    shutil.copytree(mg.cypher_dir(), tmp_path / "cypher")
    (tmp_path / "cypher/queries/echo.cypher").write_text(
        "// Echo two parameters whose names clash with the driver's own arguments.\n"
        "// Parameters:\n//   $query       STRING        any text\n//   $parameters  LIST<STRING>  any list\n"
        "// Example: minerals-graph neo4j query echo --param query=x --param parameters=a\n"
        "RETURN $query AS query, $parameters AS parameters\n"
    )
    monkeypatch.setattr(mg, "cypher_dir", lambda: tmp_path / "cypher")
    assert cli(["neo4j", "query", "echo", "--param", "query=x", "--param", "parameters=a", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"query": "x", "parameters": ["a"]}]


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["query", "prc_controlled_capacity", "--param", "country=CH'N", "--param", "stages=refining"],
            "query prc_controlled_capacity: server error",
        ),  # FalkorDB fails on a quote in a string
        (["query", "prc_controlled_capacity", "--param", "nope=1"], "no parameter $nope; it takes $country (STRING)"),
        (["query", "prc_controlled_capacity", "--param", "country=CHN"], "missing $stages (LIST<STRING>)"),
        (["query", "prc_controlled_capacity", "--param", "country=CHN", "--param", "stages=[x"], "is not valid JSON"),
        (["query", "nope"], "unknown query 'nope'"),
        (["query"], "neo4j query: give a NAME"),
        (["load", "--param", "x=1"], "--param is only for 'neo4j query'"),
    ],
)
def test_cli_errors_are_one_line(cli, loaded, capsys, argv, message):
    assert cli(["neo4j", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err, err


def test_cli_load_dry_run_sync_and_replace(cli, loaded, bolt_driver, data_graph, capsys):
    B, _ = _graph_b(data_graph)
    mg.export_graph(B, bolt_driver, sync=True, **BOLT)
    assert cli(["neo4j", "load", "--dry-run"]) == 0  # the CLI's graph is the embedded one (A)
    out = capsys.readouterr().out
    assert out.startswith("dry run (sync): nothing written; the load would change") and "delete node" in out
    assert f"create node: {sorted(set(data_graph) - set(B))[0]}" in out and "delete node: company:sync-test" in out
    assert _state(bolt_driver) == _expect(B)  # nothing written
    assert cli(["neo4j", "load", "--no-schema"]) == 0
    out = capsys.readouterr().out
    assert f"database now holds {data_graph.number_of_nodes()} nodes and {data_graph.number_of_edges()}" in out
    assert _state(bolt_driver) == _expect(data_graph)
    assert cli(["neo4j", "load", "--dry-run"]) == 0
    assert "the database already equals the graph; nothing to change" in capsys.readouterr().out
    assert cli(["neo4j", "load", "--replace", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("dry run (replace)")
    with pytest.raises(SystemExit):  # argparse: --replace and --merge-only exclude each other
        cli(["neo4j", "load", "--replace", "--merge-only"])


def test_cli_query_over_bolt(bolt_driver, loaded, data_graph, monkeypatch, capsys):
    """Last test of the module: the CLI closes its driver when done, and FalkorDB's Bolt
    listener stops accepting connections after a client closes one (a FalkorDB quirk)."""
    from minerals_graph.cli import main

    monkeypatch.setenv("NEO4J_URI", bolt_driver.test_uri)
    monkeypatch.delenv("NEO4J_USERNAME", raising=False)
    assert (
        main(
            [
                "neo4j",
                "query",
                "prc_controlled_capacity",
                "--param",
                "country=CHN",
                "--param",
                "stages=refining,separation",
                "--format",
                "json",
            ]
        )
        == 0
    )  # a real driver, closed
    rows = json.loads(capsys.readouterr().out)
    assert _norm(rows) == _norm(Q.prc_controlled_capacity(data_graph, "CHN", ["refining", "separation"]))
