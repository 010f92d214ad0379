"""Neo4j: load a built graph into a database, read it back, run the Cypher library.

Every statement comes from ``cypher/`` (shipped with the package) and takes parameters; no
data is ever formatted into Cypher text. Labels and relationship types cannot be
parameters in Cypher, so there is one load file per node label and relationship type,
chosen by name from the schema, never built from data.

A load makes the database equal the graph (:func:`export_graph` with ``sync=True``, the
CLI's ``neo4j load``): it compares what the database holds under the project's label
``:MGNode`` with the graph, deletes the nodes and relationships the graph no longer has,
and MERGEs the new and changed ones. Relationships are matched on their key, which
``build.py`` derives from content (:func:`minerals_graph.build.edge_key`), so the same
relationship has the same key in every build.

Connection settings come from the environment: ``NEO4J_URI`` (e.g. ``bolt://localhost:7687``
or ``neo4j+s://<id>.databases.neo4j.io``), ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` (no
default is baked in) and ``NEO4J_DATABASE`` (default: the server's default database).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from minerals_graph import settings
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS

__all__ = [
    "Neo4jSettings",
    "cypher_dir",
    "read_cypher",
    "statements",
    "get_driver",
    "close_driver",
    "apply_schema",
    "LoadPlan",
    "plan_load",
    "apply_load",
    "export_graph",
    "import_graph",
    "graph_checksum",
    "run_query",
    "QueryParam",
    "query_parameters",
    "query_examples",
    "parse_params",
    "bind_params",
    "counts",
    "query_names",
    "BATCH_SIZE",
]

log = logging.getLogger(__name__)
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str | None
    password: str | None
    database: str | None

    @classmethod
    def from_env(cls) -> Neo4jSettings:
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            raise MineralsGraphError(
                "NEO4J_URI is not set (e.g. bolt://localhost:7687); set NEO4J_USERNAME and NEO4J_PASSWORD too"
            )
        return cls(
            uri=uri,
            user=os.environ.get("NEO4J_USERNAME"),
            password=os.environ.get("NEO4J_PASSWORD"),
            database=os.environ.get("NEO4J_DATABASE") or None,
        )


def cypher_dir() -> Path:
    """The ``cypher/`` folder: the package's copy (``minerals_graph.cypher``, mapped onto the
    repository's ``cypher/``), else the checkout's."""
    try:
        packaged = Path(str(resources.files("minerals_graph.cypher")))
        if (packaged / "schema.cypher").is_file():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return settings.REPO_ROOT / "cypher"


def read_cypher(relpath: str) -> str:
    """The text of ``cypher/<relpath>`` (comments included)."""
    path = cypher_dir() / relpath
    if not path.is_file():
        raise MineralsGraphError(f"no Cypher file {relpath!r} in {cypher_dir()}")
    return path.read_text(encoding="utf-8")


def statements(text: str) -> list[str]:
    """Split a Cypher file into statements on ``;`` at line ends; drop ``//`` comment lines."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", body) if s.strip()]


def query_names() -> list[str]:
    """Names of the analysis queries (``cypher/queries/<name>.cypher``)."""
    return sorted(p.stem for p in (cypher_dir() / "queries").glob("*.cypher"))


# -- errors ----------------------------------------------------------------------------------


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


@contextmanager
def _errors(what: str) -> Iterator[None]:
    """Turn a driver or server error into one :class:`MineralsGraphError` line naming
    ``what`` (the query or the step) and the server's code and message."""
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        yield
    except Neo4jError as exc:
        code = getattr(exc, "code", None)
        msg = getattr(exc, "message", None) or str(exc)
        raise MineralsGraphError(f"{what}: server error{f' {code}' if code else ''}: {_one_line(msg)}") from exc
    except DriverError as exc:
        raise MineralsGraphError(f"{what}: {type(exc).__name__}: {_one_line(exc) or 'driver error'}") from exc


# -- connection ------------------------------------------------------------------------------

_DRIVER: Any = None
_DRIVER_KEY: tuple | None = None


def get_driver(cfg: Neo4jSettings | None = None) -> Any:
    """The process's one driver (created on first use, connectivity verified)."""
    global _DRIVER, _DRIVER_KEY
    from neo4j import GraphDatabase

    cfg = cfg or Neo4jSettings.from_env()
    key = (cfg.uri, cfg.user)
    if _DRIVER is not None and key == _DRIVER_KEY:
        return _DRIVER
    close_driver()
    auth = (cfg.user, cfg.password or "") if cfg.user else None
    try:
        driver = GraphDatabase.driver(cfg.uri, auth=auth)
    except Exception as exc:  # a malformed URI raises ValueError or ConfigurationError
        raise MineralsGraphError(f"NEO4J_URI {cfg.uri!r}: {_one_line(exc)}") from exc
    try:
        driver.verify_connectivity()
    except Exception as exc:  # the driver raises several kinds; report one clear line
        driver.close()
        raise MineralsGraphError(f"cannot connect to Neo4j at {cfg.uri}: {_one_line(exc)}") from exc
    _DRIVER, _DRIVER_KEY = driver, key
    return driver


def close_driver() -> None:
    global _DRIVER, _DRIVER_KEY
    if _DRIVER is not None:
        _DRIVER.close()
    _DRIVER, _DRIVER_KEY = None, None


def _session(driver: Any, database: str | None):
    return driver.session(database=database) if database else driver.session()


def apply_schema(driver: Any, database: str | None = None) -> int:
    """Run ``cypher/schema.cypher`` (constraints and indexes); returns the statement count.

    ``CREATE … IF NOT EXISTS`` cannot run inside an explicit transaction in Neo4j: each
    statement runs in its own auto-commit transaction.
    """
    stmts = statements(read_cypher("schema.cypher"))
    with _errors("neo4j schema"), _session(driver, database) as s:
        for st in stmts:
            s.run(st).consume()
    return len(stmts)


# -- load and sync ---------------------------------------------------------------------------

Codec = Callable[[Any], Any]


def _props(d: dict, encode: Codec | None = None) -> dict:
    if encode is None:
        return {k: v for k, v in d.items() if v is not None}
    return {k: encode(v) for k, v in d.items() if v is not None}


def _batches(rows: list, size: int, max_bytes: int | None = None) -> Iterator[list]:
    """Batches of at most ``size`` rows and, if given, about ``max_bytes`` of JSON payload
    (a row larger than that travels alone)."""
    if max_bytes is None:
        for i in range(0, len(rows), size):
            yield rows[i : i + size]
        return
    batch: list = []
    total = 0
    for r in rows:
        n = len(json.dumps(r, ensure_ascii=False, default=str).encode("utf-8"))
        if batch and (len(batch) >= size or total + n > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(r)
        total += n
    if batch:
        yield batch


def _node_rows(G: nx.MultiDiGraph, encode: Codec | None) -> dict[str, dict[str, dict]]:
    """label -> node id -> load row ``{id, props}`` (props hold the id too: ``SET n = props``)."""
    out: dict[str, dict[str, dict]] = {}
    for n, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind not in NODE_KINDS:
            raise MineralsGraphError(f"node {n}: kind {kind!r} is not a node kind of the schema")
        props = _props({k: v for k, v in d.items() if k != "id"}, encode)
        out.setdefault(kind, {})[str(n)] = {"id": str(n), "props": {**props, "id": str(n)}}
    return out


RelId = tuple[str, str, str, str]  # source id, target id, type, key


def _rel_rows(G: nx.MultiDiGraph, encode: Codec | None) -> dict[str, dict[RelId, dict]]:
    """type -> (source, target, type, key) -> load row ``{source_id, target_id, key, props}``."""
    out: dict[str, dict[RelId, dict]] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind not in EDGE_KINDS:
            raise MineralsGraphError(f"edge {u}->{v}: kind {kind!r} is not an edge kind of the schema")
        rid = (str(u), str(v), kind, str(k))
        props = _props({a: b for a, b in d.items() if a != "key"}, encode)
        out.setdefault(kind, {})[rid] = {
            "source_id": rid[0],
            "target_id": rid[1],
            "key": rid[3],
            "props": {**props, "key": rid[3]},
        }
    return out


ACTIONS = ("create", "update", "delete", "unchanged")


@dataclass
class LoadPlan:
    """What a load sends and deletes, with counts per label / relationship type.

    ``mode``: ``"merge"`` (MERGE every node and relationship, delete nothing), ``"sync"``
    (make the database equal the graph: delete what the graph no longer has, MERGE only new
    and changed items) or ``"replace"`` (delete every project node first, then load all).
    ``counts[("node" | "relationship", label_or_type)][action]``; in merge mode nothing is
    read from the database, so every row counts as ``"create"`` (created or updated).
    """

    mode: str
    node_rows: dict[str, list[dict]] = field(default_factory=dict)
    rel_rows: dict[str, list[dict]] = field(default_factory=dict)
    delete_node_ids: list[str] = field(default_factory=list)
    delete_rels: list[dict] = field(default_factory=list)
    delete_unkeyed: int = 0
    delete_all: bool = False
    counts: dict[tuple[str, str], Counter] = field(default_factory=dict)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    applied: bool = False

    def _count(self, entity: str, kind: str, action: str, ident: str | None = None, n: int = 1) -> None:
        self.counts.setdefault((entity, kind), Counter())[action] += n
        if ident is not None and action != "unchanged":
            self.examples.setdefault((entity, action), []).append(ident)

    def total(self, entity: str, action: str) -> int:
        return sum(c[action] for (e, _), c in self.counts.items() if e == entity)

    @property
    def changes(self) -> int:
        """Nodes and relationships created, updated or deleted (0: the database equals the graph)."""
        return sum(self.total(e, a) for e in ("node", "relationship") for a in ("create", "update", "delete"))

    @property
    def sent(self) -> dict[str, int]:
        """Rows sent (or to send) per label and relationship type."""
        return {k: len(v) for k, v in {**self.node_rows, **self.rel_rows}.items() if v}

    @property
    def operations(self) -> int:
        """Rows to send plus items to delete (for a progress bar)."""
        return (
            sum(self.sent.values())
            + len(self.delete_node_ids)
            + len(self.delete_rels)
            + (self.total("node", "delete") if self.delete_all else 0)
        )

    def summary(self, examples: int = 5) -> list[str]:
        """Human-readable lines: totals, then per label/type, then a few ids per action."""
        lines = []
        for entity, title in (("node", "nodes"), ("relationship", "relationships")):
            t = {a: self.total(entity, a) for a in ACTIONS}
            lines.append(
                f"{title + ':':15s} create {t['create']}, update {t['update']}, delete {t['delete']}, "
                f"unchanged {t['unchanged']}"
            )
        for (entity, kind), c in sorted(self.counts.items()):
            if c["create"] or c["update"] or c["delete"]:
                lines.append(
                    f"  {entity:12s} {kind:16s} create {c['create']:6d}  update {c['update']:6d}  "
                    f"delete {c['delete']:6d}  unchanged {c['unchanged']:6d}"
                )
        if examples:
            for (entity, action), ids in sorted(self.examples.items()):
                shown = sorted(ids)[:examples]
                more = f" … and {len(ids) - len(shown)} more" if len(ids) > len(shown) else ""
                lines.append(f"  {action} {entity}: {', '.join(shown)}{more}")
        return lines


def _read_all(driver: Any, database: str | None, relpath: str, page: int = 10_000) -> list[dict]:
    stmt = statements(read_cypher(relpath))[0]
    out: list[dict] = []
    skip = 0
    with _session(driver, database) as s:
        while True:
            rows = s.execute_read(lambda tx, sk=skip: tx.run(stmt, {"skip": sk, "limit": page}).data())
            out += rows
            if len(rows) < page:
                return out
            skip += page


def _rel_ident(rid: RelId) -> str:
    return f"{rid[2]} {rid[0]}->{rid[1]} [{rid[3]}]"


def plan_load(
    G: nx.MultiDiGraph,
    driver: Any = None,
    database: str | None = None,
    *,
    mode: str = "sync",
    encode: Codec | None = None,
) -> LoadPlan:
    """Compare the graph with the database and return what a load of ``mode`` would do
    (nothing is written). ``merge`` needs no ``driver``: it reads nothing.

    Nodes are matched by id and label (a node whose label changed is deleted and created
    again, with its relationships); relationships by both ends, type and key. An item is
    "update"d when its properties differ from the graph's (compared after ``encode``, i.e. as
    stored). Only :MGNode nodes and the schema's relationship types between them are in scope.
    """
    if mode not in ("merge", "sync", "replace"):
        raise MineralsGraphError(f"load mode {mode!r}: expected merge, sync or replace")
    nodes = _node_rows(G, encode)
    rels = _rel_rows(G, encode)
    plan = LoadPlan(mode=mode)
    if mode == "merge":
        for label, rows in nodes.items():
            plan.node_rows[label] = list(rows.values())
            plan._count("node", label, "create", n=len(rows))
        for t, by_rid in rels.items():
            plan.rel_rows[t] = list(by_rid.values())
            plan._count("relationship", t, "create", n=len(by_rid))
        return plan
    if driver is None:
        raise MineralsGraphError(f"load mode {mode!r} compares with the database: give a driver")
    with _errors("neo4j load: reading the database"):
        db_nodes = _read_all(driver, database, "export/nodes.cypher")
        db_rels = _read_all(driver, database, "export/relationships.cypher")

    label_of = {n: label for label, rows in nodes.items() for n in rows}
    if mode == "replace":
        plan.delete_all = True
        for r in db_nodes:
            plan._count("node", _db_label(r.get("labels")), "delete")
        for r in db_rels:
            plan._count("relationship", str(r.get("type")), "delete")
        for label, rows in nodes.items():
            plan.node_rows[label] = list(rows.values())
            plan._count("node", label, "create", n=len(rows))
        for t, by_rid in rels.items():
            plan.rel_rows[t] = list(by_rid.values())
            plan._count("relationship", t, "create", n=len(by_rid))
        return plan

    # sync: nodes
    seen: dict[str, list[dict]] = {}
    for r in db_nodes:
        if r.get("id") is None:
            plan.delete_unkeyed += 1
            plan._count("node", _db_label(r.get("labels")), "delete", "(node without id)")
            continue
        seen.setdefault(str(r["id"]), []).append(r)
    recreate: set[str] = set()
    for nid, found in seen.items():
        graph_label = label_of.get(nid)
        if graph_label is None:
            plan.delete_node_ids.append(nid)
            for r in found:
                plan._count("node", _db_label(r.get("labels")), "delete", nid)
            continue
        row = nodes[graph_label][nid]
        if len(found) > 1 or _db_label(found[0].get("labels")) != graph_label:
            recreate.add(nid)  # a duplicate or a changed label: delete, then create again
            plan.delete_node_ids.append(nid)
            plan.node_rows.setdefault(graph_label, []).append(row)
            plan._count("node", graph_label, "update", nid)
        elif found[0].get("props") != row["props"]:
            plan.node_rows.setdefault(graph_label, []).append(row)
            plan._count("node", graph_label, "update", nid)
        else:
            plan._count("node", graph_label, "unchanged")
    for label, rows in nodes.items():
        for nid, row in rows.items():
            if nid not in seen:
                plan.node_rows.setdefault(label, []).append(row)
                plan._count("node", label, "create", nid)

    # sync: relationships (only the schema's types; others are not the project's)
    db_by_id: dict[RelId, list[dict]] = {}
    for r in db_rels:
        rtype = r.get("type")
        if not isinstance(rtype, str) or rtype not in EDGE_KINDS:
            continue
        key = (r.get("props") or {}).get("key")
        if key is None:
            plan.delete_unkeyed += 1
            plan._count("relationship", rtype, "delete", f"{rtype} {r['source_id']}->{r['target_id']} (no key)")
            continue
        db_by_id.setdefault((str(r["source_id"]), str(r["target_id"]), rtype, str(key)), []).append(r)
    deleted_nodes = set(plan.delete_node_ids)
    for rid, found in db_by_id.items():
        in_graph = rels.get(rid[2], {}).get(rid)
        gone_with_node = rid[0] in deleted_nodes or rid[1] in deleted_nodes
        if in_graph is None:
            if not gone_with_node:
                plan.delete_rels.append({"source_id": rid[0], "target_id": rid[1], "type": rid[2], "key": rid[3]})
            plan._count("relationship", rid[2], "delete", _rel_ident(rid))
        elif gone_with_node or len(found) > 1:
            if len(found) > 1 and not gone_with_node:
                plan.delete_rels.append({"source_id": rid[0], "target_id": rid[1], "type": rid[2], "key": rid[3]})
            plan.rel_rows.setdefault(rid[2], []).append(in_graph)
            plan._count("relationship", rid[2], "update", _rel_ident(rid))
        elif found[0].get("props") != in_graph["props"]:
            plan.rel_rows.setdefault(rid[2], []).append(in_graph)
            plan._count("relationship", rid[2], "update", _rel_ident(rid))
        else:
            plan._count("relationship", rid[2], "unchanged")
    for t, by_rid in rels.items():
        for rid, row in by_rid.items():
            if rid not in db_by_id:
                plan.rel_rows.setdefault(t, []).append(row)
                plan._count("relationship", t, "create", _rel_ident(rid))
    return plan


def _db_label(labels: Iterable[str] | None) -> str:
    """The schema label of a node read back (its labels other than :MGNode)."""
    own = sorted(x for x in (labels or []) if x in NODE_KINDS)
    return own[0] if len(own) == 1 else "+".join(own) or "(none)"


def apply_load(
    plan: LoadPlan,
    driver: Any,
    database: str | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    max_batch_bytes: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> LoadPlan:
    """Carry out ``plan``: deletions first (relationships, then nodes), then MERGE the nodes
    and the relationships, each in batches of ``batch_size`` rows (and at most about
    ``max_batch_bytes`` of parameters, if given). Every write is parameterised; labels and
    types are chosen from the schema's lists. An interrupted load is completed by running
    it again."""

    def write(what: str, stmt: str, params: dict) -> Any:
        with _errors(f"neo4j load: {what}"), _session(driver, database) as s:
            return s.execute_write(lambda tx: tx.run(stmt, params).data())

    if plan.delete_all:
        stmt = statements(read_cypher("sync/delete_all.cypher"))[0]
        while True:
            rows = write("deleting every :MGNode", stmt, {"limit": batch_size})
            n = int(rows[0]["deleted"]) if rows else 0
            if progress and n:
                progress("delete", n)
            if n < batch_size:
                break
    if plan.delete_unkeyed:
        for st in statements(read_cypher("sync/delete_unkeyed.cypher")):
            write("deleting relationships without a key", st, {"types": sorted(EDGE_KINDS)})
    stmt = statements(read_cypher("sync/delete_relationships.cypher"))[0]
    for batch in _batches(plan.delete_rels, batch_size, max_batch_bytes):
        write("deleting relationships", stmt, {"rows": batch})
        if progress:
            progress("delete", len(batch))
    stmt = statements(read_cypher("sync/delete_nodes.cypher"))[0]
    for batch in _batches(plan.delete_node_ids, batch_size, max_batch_bytes):
        write("deleting nodes", stmt, {"ids": batch})
        if progress:
            progress("delete", len(batch))
    jobs = [(f"load/nodes_{k}.cypher", k, plan.node_rows[k]) for k in sorted(plan.node_rows) if k in NODE_KINDS]
    jobs += [(f"load/rels_{k}.cypher", k, plan.rel_rows[k]) for k in sorted(plan.rel_rows) if k in EDGE_KINDS]
    for path, kind, rows in jobs:  # nodes first, then relationships
        stmt = statements(read_cypher(path))[0]
        for batch in _batches(rows, batch_size, max_batch_bytes):
            write(kind, stmt, {"rows": batch})
            if progress:
                progress(kind, len(batch))
    plan.applied = True
    return plan


def export_graph(
    G: nx.MultiDiGraph,
    driver: Any,
    database: str | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
    encode: Codec | None = None,
    max_batch_bytes: int | None = None,
    sync: bool = False,
    replace: bool = False,
    dry_run: bool = False,
) -> LoadPlan:
    """Load ``G`` into the database and return the :class:`LoadPlan` carried out.

    - default: MERGE every node and relationship (idempotent; deletes nothing);
    - ``sync=True``: make the database equal the graph: delete the :MGNode nodes and the
      project's relationships the graph does not have, MERGE only new and changed ones
      (a second sync of the same graph changes nothing: ``plan.changes == 0``);
    - ``replace=True``: delete every :MGNode node first, then load everything;
    - ``dry_run=True``: only compare and return the plan; nothing is written.

    Nodes first, then relationships, in batches of ``batch_size`` rows (and at most
    ``max_batch_bytes`` of parameters per batch, if given: a server may cap the size of one
    request). A loaded node or relationship gets exactly the graph's properties (``SET n =``).

    ``encode`` transforms each property value before it is sent, for servers whose Bolt
    layer mishandles some values (FalkorDB 4.16 fails on any string parameter containing a
    quote); :func:`import_graph` takes the matching ``decode``. Neo4j needs neither.
    """
    mode = "replace" if replace else "sync" if sync else "merge"
    plan = plan_load(G, driver, database, mode=mode, encode=encode)
    if dry_run:
        return plan
    return apply_load(plan, driver, database, batch_size=batch_size, max_batch_bytes=max_batch_bytes, progress=progress)


def import_graph(driver: Any, database: str | None = None, *, decode: Codec | None = None) -> nx.MultiDiGraph:
    """Read the whole minerals-graph back into networkx (ids, keys and every property)."""
    G = nx.MultiDiGraph(name="minerals-graph")
    dec = decode or (lambda v: v)
    with _errors("neo4j export"):
        db_nodes = _read_all(driver, database, "export/nodes.cypher")
        db_rels = _read_all(driver, database, "export/relationships.cypher")
    for r in db_nodes:
        props = {k: dec(v) for k, v in r["props"].items() if k != "id"}
        G.add_node(r["id"], **props)
    for r in db_rels:
        props = {k: dec(v) for k, v in r["props"].items()}
        key = props.pop("key", None)
        G.add_edge(r["source_id"], r["target_id"], key=key, **props)
    return G


def graph_checksum(G: nx.MultiDiGraph) -> str:
    """SHA-256 of every node (id, properties) and edge (ends, key, properties) in a canonical
    order: equal for two graphs with the same content, whatever their insertion order."""
    h = hashlib.sha256()
    items = [
        json.dumps(["n", str(n), d], sort_keys=True, ensure_ascii=False, default=str) for n, d in G.nodes(data=True)
    ]
    items += [
        json.dumps(["e", str(u), str(v), str(k), d], sort_keys=True, ensure_ascii=False, default=str)
        for u, v, k, d in G.edges(keys=True, data=True)
    ]
    for line in sorted(items):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def counts(driver: Any, database: str | None = None) -> dict[str, int]:
    """Number of :MGNode nodes and of relationships between them (read-only)."""
    with _errors("neo4j counts"), _session(driver, database) as s:
        n = s.execute_read(lambda tx: tx.run("MATCH (n:MGNode) RETURN count(n) AS c").single()["c"])
        e = s.execute_read(lambda tx: tx.run("MATCH (:MGNode)-[r]->(:MGNode) RETURN count(r) AS c").single()["c"])
    return {"nodes": int(n), "relationships": int(e)}


# -- the query library -----------------------------------------------------------------------

_PARAM_LINE = re.compile(
    r"^//\s+\$(\w+)\s+(STRING|INTEGER|FLOAT|BOOLEAN|LIST<(?:STRING|INTEGER|FLOAT|BOOLEAN)>)"
    r"(\s+OR\s+NULL)?(?:\s+(.*))?$"
)


@dataclass(frozen=True)
class QueryParam:
    """A parameter a query declares in its header (``//   $stages  LIST<STRING>  …``)."""

    name: str
    type: str  # STRING, INTEGER, FLOAT, BOOLEAN or LIST<one of those>
    nullable: bool = False
    description: str = ""

    @property
    def item_type(self) -> str | None:
        return self.type[5:-1] if self.type.startswith("LIST<") else None

    def __str__(self) -> str:
        return f"${self.name} ({self.type}{' OR NULL' if self.nullable else ''})"


def _header(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.strip().startswith("//"):
            break
        out.append(line.strip())
    return out


def _query_text(name: str) -> str:
    if name not in query_names():
        raise MineralsGraphError(f"unknown query {name!r}; queries: {', '.join(query_names())}")
    return read_cypher(f"queries/{name}.cypher")


def query_parameters(name: str) -> dict[str, QueryParam]:
    """The parameters ``cypher/queries/<name>.cypher`` declares in its header, in order."""
    out: dict[str, QueryParam] = {}
    for line in _header(_query_text(name)):
        m = _PARAM_LINE.match(line)
        if m:
            out[m.group(1)] = QueryParam(m.group(1), m.group(2), bool(m.group(3)), (m.group(4) or "").strip())
    return out


def query_examples(name: str) -> list[str]:
    """The example command lines of a query's header (``// Example: minerals-graph …``)."""
    return [line.split(":", 1)[1].strip() for line in _header(_query_text(name)) if line.startswith("// Example:")]


def _scalar(raw: Any, typ: str, where: str) -> Any:
    """``raw`` (a command-line string or a JSON value) as a value of Cypher type ``typ``."""
    if typ == "STRING":
        if isinstance(raw, str):
            return raw
        raise MineralsGraphError(f"{where}: expected a string, got {json.dumps(raw)}")
    if typ == "BOOLEAN":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise MineralsGraphError(f"{where}: expected true or false, got {raw!r}")
    if typ == "INTEGER":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        try:
            return int(str(raw).strip())
        except ValueError:
            raise MineralsGraphError(f"{where}: expected an integer, got {raw!r}") from None
    try:  # FLOAT
        if isinstance(raw, bool):
            raise ValueError
        return float(raw if not isinstance(raw, str) else raw.strip())
    except (TypeError, ValueError):
        raise MineralsGraphError(f"{where}: expected a number, got {raw!r}") from None


def _json(v: str, where: str) -> Any:
    try:
        return json.loads(v)
    except json.JSONDecodeError as exc:
        raise MineralsGraphError(f"{where}: {v!r} is not valid JSON ({exc.msg} at character {exc.pos})") from None


def _convert(v: str, p: QueryParam, where: str) -> Any:
    """A command-line value for the declared parameter ``p``. Lists: ``a,b``, one item ``a``,
    or JSON ``["a"]``; ``null`` for a nullable parameter; a JSON-quoted string is unquoted."""
    s = v.strip()
    if p.nullable and s == "null":
        return None
    item = p.item_type
    if item is not None:
        if s.startswith(("[", "{")):
            val = _json(s, where)
            if not isinstance(val, list):
                raise MineralsGraphError(f"{where}: expected a JSON list, got {s!r}")
            return [_scalar(x, item, where) for x in val]
        return [_scalar(x.strip(), item, where) for x in s.split(",") if x.strip()] if s else []
    if p.type == "STRING" and len(s) >= 2 and s[0] == s[-1] == '"':
        return _scalar(_json(s, where), "STRING", where)
    return _scalar(v if p.type == "STRING" else s, p.type, where)


def _untyped(v: str, where: str) -> Any:
    """A value for an undeclared parameter: JSON for ``[…]``/``{…}``, ``a,b`` a list, numbers converted."""
    s = v.strip()
    if s[:1] in ("[", "{"):
        return _json(s, where)
    if "," in v:
        return [_typed(x) for x in v.split(",")]
    return _typed(v)


def parse_params(
    pairs: Iterable[str], declared: dict[str, QueryParam] | None = None, query: str | None = None
) -> dict[str, Any]:
    """``--param`` values (``key=value``) -> one dict of typed parameters.

    With ``declared`` (a query's :func:`query_parameters`) each value takes its declared type:
    a LIST parameter accepts ``a,b``, one item ``a`` or JSON ``["a", "b"]`` (and repeating the
    parameter appends); STRING values are taken as given (commas included); ``null`` is None
    for a nullable parameter; an undeclared name is an error. Without it (ad hoc use), a value
    with a comma becomes a list, ``[…]`` is JSON, and integers and floats are converted.
    """
    out: dict[str, Any] = {}
    what = f"query {query}: " if query else ""
    for p in pairs:
        if "=" not in p:
            raise MineralsGraphError(f"{what}--param {p!r}: expected key=value")
        k, v = p.split("=", 1)
        k = k.strip()
        if not k.isidentifier():
            raise MineralsGraphError(f"{what}--param {p!r}: {k!r} is not a parameter name")
        where = f"{what}--param {k}"
        if declared is None:
            out[k] = _untyped(v, where)
            continue
        if k not in declared:
            takes = ", ".join(str(d) for d in declared.values()) or "no parameters"
            raise MineralsGraphError(f"{what}no parameter ${k}; it takes {takes}")
        val = _convert(v, declared[k], where)
        if k in out:
            if declared[k].item_type is None or out[k] is None or val is None:
                raise MineralsGraphError(f"{where}: given twice")
            out[k] = out[k] + val
        else:
            out[k] = val
    return out


def _typed(v: str) -> Any:
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v


def bind_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked against the query's declared parameters: unknown names and missing
    required ones are errors; a missing nullable parameter is null."""
    declared = query_parameters(name)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        takes = ", ".join(str(d) for d in declared.values()) or "no parameters"
        names = ", ".join("$" + u for u in unknown)
        raise MineralsGraphError(f"query {name}: no parameter {names}; it takes {takes}")
    out = dict(params)
    for p in declared.values():
        if p.name not in out:
            if not p.nullable:
                example = "a,b" if p.item_type else "…"
                raise MineralsGraphError(f"query {name}: missing {p}; give --param {p.name}={example}")
            out[p.name] = None
    return out


def run_query(driver: Any, name: str, params: dict[str, Any] | None = None, database: str | None = None) -> list[dict]:
    """Run ``cypher/queries/<name>.cypher`` with ``params`` in a read-only transaction.

    The parameters travel as one dict (a parameter may be called ``query`` or
    ``parameters``); driver and server errors become one :class:`MineralsGraphError` line
    naming the query."""
    stmt = statements(_query_text(name))[0]
    bound = bind_params(name, params or {})
    with _errors(f"query {name}"), _session(driver, database) as s:
        return s.execute_read(lambda tx: tx.run(stmt, bound).data())
