"""Neo4j: load a built graph into a database, read it back, run the Cypher library.

Every statement comes from ``cypher/`` (shipped with the package) and takes parameters; no
data is ever formatted into Cypher text. Labels and relationship types cannot be
parameters in Cypher, so there is one load file per node label and relationship type,
chosen by name from the schema, never built from data.

Connection settings come from the environment: ``NEO4J_URI`` (e.g. ``bolt://localhost:7687``
or ``neo4j+s://<id>.databases.neo4j.io``), ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` (no
default is baked in) and ``NEO4J_DATABASE`` (default: the server's default database).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
    "export_graph",
    "import_graph",
    "run_query",
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
            raise MineralsGraphError("NEO4J_URI is not set (e.g. bolt://localhost:7687); set NEO4J_USERNAME and "
                                     "NEO4J_PASSWORD too")
        return cls(uri=uri, user=os.environ.get("NEO4J_USERNAME"), password=os.environ.get("NEO4J_PASSWORD"),
                   database=os.environ.get("NEO4J_DATABASE") or None)


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
    import re

    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", body) if s.strip()]


def query_names() -> list[str]:
    """Names of the analysis queries (``cypher/queries/<name>.cypher``)."""
    return sorted(p.stem for p in (cypher_dir() / "queries").glob("*.cypher"))


_DRIVER: Any = None
_DRIVER_KEY: tuple | None = None


def get_driver(cfg: Neo4jSettings | None = None) -> Any:
    """The process's one driver (created on first use, connectivity verified)."""
    global _DRIVER, _DRIVER_KEY
    from neo4j import GraphDatabase

    cfg = cfg or Neo4jSettings.from_env()
    key = (cfg.uri, cfg.user)
    if _DRIVER is not None and _DRIVER_KEY == key:
        return _DRIVER
    close_driver()
    auth = (cfg.user, cfg.password or "") if cfg.user else None
    driver = GraphDatabase.driver(cfg.uri, auth=auth)
    try:
        driver.verify_connectivity()
    except Exception as exc:  # the driver raises several kinds; report one clear line
        driver.close()
        raise MineralsGraphError(f"cannot connect to Neo4j at {cfg.uri}: {exc}") from exc
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
    with _session(driver, database) as s:
        for st in stmts:
            s.run(st).consume()
    return len(stmts)


Codec = Callable[[Any], Any]


def _props(d: dict, encode: Codec | None = None) -> dict:
    if encode is None:
        return {k: v for k, v in d.items() if v is not None}
    return {k: encode(v) for k, v in d.items() if v is not None}


def _batches(rows: list[dict], size: int, max_bytes: int | None = None) -> Iterator[list[dict]]:
    """Batches of at most ``size`` rows and, if given, about ``max_bytes`` of JSON payload
    (a row larger than that travels alone)."""
    if max_bytes is None:
        for i in range(0, len(rows), size):
            yield rows[i:i + size]
        return
    import json

    batch: list[dict] = []
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


def export_graph(G: nx.MultiDiGraph, driver: Any, database: str | None = None, *, batch_size: int = BATCH_SIZE,
                 progress: Callable[[str, int], None] | None = None, encode: Codec | None = None,
                 max_batch_bytes: int | None = None) -> dict[str, int]:
    """Load every node and relationship of ``G`` (MERGE: idempotent). Returns rows sent per
    label/type. Nodes first, then relationships, in batches of ``batch_size`` rows (and at
    most ``max_batch_bytes`` of parameters per batch, if given: a server may cap the size of
    one request).

    ``encode`` transforms each property value before it is sent, for servers whose Bolt
    layer mishandles some values (FalkorDB 4.16 fails on any string parameter containing a
    quote); :func:`import_graph` takes the matching ``decode``. Neo4j needs neither.
    """
    sent: dict[str, int] = {}
    by_label: dict[str, list[dict]] = {}
    for n, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind not in NODE_KINDS:
            raise MineralsGraphError(f"node {n}: kind {kind!r} is not a node kind of the schema")
        by_label.setdefault(kind, []).append({"id": n, "props": _props(d, encode)})
    by_type: dict[str, list[dict]] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind not in EDGE_KINDS:
            raise MineralsGraphError(f"edge {u}->{v}: kind {kind!r} is not an edge kind of the schema")
        by_type.setdefault(kind, []).append({"source_id": u, "target_id": v, "key": str(k),
                                             "props": _props(d, encode)})
    jobs = [(f"load/nodes_{k}.cypher", k, by_label[k]) for k in sorted(by_label)]
    jobs += [(f"load/rels_{k}.cypher", k, by_type[k]) for k in sorted(by_type)]
    with _session(driver, database) as s:
        for path, kind, rows in jobs:  # nodes first, then relationships
            stmt = statements(read_cypher(path))[0]
            for batch in _batches(rows, batch_size, max_batch_bytes):
                s.execute_write(lambda tx, b=batch: tx.run(stmt, rows=b).consume())
                if progress:
                    progress(kind, len(batch))
            sent[kind] = len(rows)
    return sent


def _read_all(driver: Any, database: str | None, relpath: str, page: int = 10_000) -> list[dict]:
    stmt = statements(read_cypher(relpath))[0]
    out: list[dict] = []
    skip = 0
    with _session(driver, database) as s:
        while True:
            rows = s.execute_read(lambda tx, sk=skip: tx.run(stmt, skip=sk, limit=page).data())
            out += rows
            if len(rows) < page:
                return out
            skip += page


def import_graph(driver: Any, database: str | None = None, *, decode: Codec | None = None) -> nx.MultiDiGraph:
    """Read the whole minerals-graph back into networkx (ids, keys and every property)."""
    G = nx.MultiDiGraph(name="minerals-graph")
    dec = decode or (lambda v: v)
    for r in _read_all(driver, database, "export/nodes.cypher"):
        props = {k: dec(v) for k, v in r["props"].items() if k != "id"}
        G.add_node(r["id"], **props)
    for r in _read_all(driver, database, "export/relationships.cypher"):
        props = {k: dec(v) for k, v in r["props"].items()}
        key = props.pop("key")
        G.add_edge(r["source_id"], r["target_id"], key=key, **props)
    return G


def counts(driver: Any, database: str | None = None) -> dict[str, int]:
    """Number of :MGNode nodes and of relationships between them (read-only)."""
    with _session(driver, database) as s:
        n = s.execute_read(lambda tx: tx.run("MATCH (n:MGNode) RETURN count(n) AS c").single()["c"])
        e = s.execute_read(lambda tx: tx.run("MATCH (:MGNode)-[r]->(:MGNode) RETURN count(r) AS c").single()["c"])
    return {"nodes": int(n), "relationships": int(e)}


def run_query(driver: Any, name: str, params: dict[str, Any] | None = None, database: str | None = None
              ) -> list[dict]:
    """Run ``cypher/queries/<name>.cypher`` with ``params`` in a read-only transaction."""
    if name not in query_names():
        raise MineralsGraphError(f"unknown query {name!r}; queries: {', '.join(query_names())}")
    stmt = statements(read_cypher(f"queries/{name}.cypher"))[0]
    with _session(driver, database) as s:
        return s.execute_read(lambda tx: tx.run(stmt, **(params or {})).data())


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``["country=CHN", "stages=refining,separation", "limit=5"]`` -> typed parameters
    (a value with a comma becomes a list; integers and floats are converted)."""
    out: dict[str, Any] = {}
    for p in pairs:
        if "=" not in p:
            raise MineralsGraphError(f"--param {p!r}: expected key=value")
        k, v = p.split("=", 1)
        if not k.isidentifier():
            raise MineralsGraphError(f"--param {p!r}: {k!r} is not a parameter name")
        out[k] = [_typed(x) for x in v.split(",")] if "," in v else _typed(v)
    return out


def _typed(v: str) -> Any:
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v
