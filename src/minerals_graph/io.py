"""Saving, loading and exporting graphs: GraphML, node-link JSON, node and edge tables.

Paired names: :func:`save_graphml` / :func:`load_graphml`, :func:`save_json` /
:func:`load_json`, :func:`graph_to_frames` / :func:`graph_from_frames`. A save followed
by a load gives back the same nodes, edges, keys and attributes (see
:func:`graphs_equal`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import networkx as nx
import pandas as pd

from minerals_graph.errors import InvalidInputError
from minerals_graph.schema import SOURCE_ATTRS

log = logging.getLogger(__name__)

__all__ = [
    "save_graphml",
    "load_graphml",
    "save_json",
    "load_json",
    "save_graph",
    "load_graph",
    "graph_to_frames",
    "graph_from_frames",
    "export_nodes",
    "export_edges",
    "graphs_equal",
    "flat_table",
    "write_table",
    "NODE_FIRST_COLUMNS",
    "EDGE_FIRST_COLUMNS",
]

#: Leading columns of node and edge tables: identity, kind, place, then the source
#: attributes of the schema (:data:`minerals_graph.schema.SOURCE_ATTRS`).
NODE_FIRST_COLUMNS = ["id", "kind", "name", "iso3", "lon", "lat", *(a.name for a in SOURCE_ATTRS)]
EDGE_FIRST_COLUMNS = ["source_id", "target_id", "key", "kind", *(a.name for a in SOURCE_ATTRS)]


def save_graphml(G: nx.MultiDiGraph, path: Path) -> Path:
    """Write GraphML (every attribute typed; ``None`` values are never stored)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(G, path, named_key_ids=True, edge_id_from_attribute=None)
    return path


def load_graphml(path: Path) -> nx.MultiDiGraph:
    """Read a GraphML file written by :func:`save_graphml`."""
    G = nx.read_graphml(Path(path), force_multigraph=True)
    return nx.MultiDiGraph(G)


def save_json(G: nx.MultiDiGraph, path: Path) -> Path:
    """Write node-link JSON (``{"nodes": [...], "edges": [...]}``; edge ends are ``u``/``v``,
    because ``source`` is an attribute of every edge)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = nx.node_link_data(G, edges="edges", source="u", target="v")
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return path


def load_json(path: Path) -> nx.MultiDiGraph:
    """Read node-link JSON written by :func:`save_json`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    G = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges", source="u", target="v")
    return nx.MultiDiGraph(G)


def save_graph(G: nx.MultiDiGraph, path: Path) -> Path:
    """Save by extension: ``.graphml`` or ``.json``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".graphml":
        return save_graphml(G, path)
    if suffix == ".json":
        return save_json(G, path)
    raise InvalidInputError("graph file", str(path), expected="expected a .graphml or .json file name")


def load_graph(path: Path) -> nx.MultiDiGraph:
    """Load by extension: ``.graphml`` or ``.json``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".graphml":
        return load_graphml(path)
    if suffix == ".json":
        return load_json(path)
    raise InvalidInputError("graph file", str(path), expected="expected a .graphml or .json file name")


def _order(columns: list[str], first: list[str]) -> list[str]:
    return [c for c in first if c in columns] + sorted(c for c in columns if c not in first)


def graph_to_frames(G: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) tables: one row per node (``id`` first) and per edge."""
    nodes = pd.DataFrame([{"id": n, **d} for n, d in G.nodes(data=True)])
    edges = pd.DataFrame(
        [{"source_id": u, "target_id": v, "key": k, **d} for u, v, k, d in G.edges(keys=True, data=True)]
    )
    if len(nodes):
        nodes = nodes[_order(list(nodes.columns), NODE_FIRST_COLUMNS)].sort_values("id", kind="stable")
    if len(edges):
        edges = edges[_order(list(edges.columns), EDGE_FIRST_COLUMNS)]
    return nodes.reset_index(drop=True), edges.reset_index(drop=True)


def graph_from_frames(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.MultiDiGraph:
    """Inverse of :func:`graph_to_frames` (missing cells are absent attributes)."""
    from minerals_graph.build import clean_attrs

    G = nx.MultiDiGraph()
    for r in nodes.to_dict("records"):
        G.add_node(r.pop("id"), **clean_attrs(r))
    for r in edges.to_dict("records"):
        u, v, k = r.pop("source_id"), r.pop("target_id"), r.pop("key")
        G.add_edge(u, v, key=k, **clean_attrs(r))
    return G


def export_nodes(G: nx.MultiDiGraph, path: Path, fmt: str = "csv", *, kind: str | None = None) -> int:
    """Write every node (or every node of ``kind``) as CSV or JSON records; return the count."""
    nodes, _ = graph_to_frames(G)
    if kind:
        nodes = nodes[nodes["kind"] == kind]
    _write(nodes, Path(path), fmt)
    return len(nodes)


def export_edges(G: nx.MultiDiGraph, path: Path, fmt: str = "csv", *, kind: str | None = None) -> int:
    """Write every edge (or every edge of ``kind``) as CSV or JSON records; return the count."""
    _, edges = graph_to_frames(G)
    if kind:
        edges = edges[edges["kind"] == kind]
    _write(edges, Path(path), fmt)
    return len(edges)


def _flat(v: object) -> object:
    if isinstance(v, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in v):
            return ";".join(str(x) for x in v)
        return json.dumps(list(v), ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    return v


def flat_table(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every list or dict cell made a string, for CSV: a list of scalars is
    ``;``-joined, anything nested is JSON. Tables stay structured everywhere else; this is
    only the CSV form of them."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, (list, tuple, dict))).any():
            out[c] = out[c].map(_flat)
    return out


def write_table(df: pd.DataFrame, path: Path, fmt: str = "csv") -> Path:
    """Write an analysis table as CSV (list cells flattened by :func:`flat_table`) or as
    JSON records (lists kept); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        flat_table(df).to_csv(path, index=False, lineterminator="\n")
    elif fmt == "json":
        path.write_text(df.to_json(orient="records", force_ascii=False, indent=1), encoding="utf-8")
    else:
        raise InvalidInputError("format", fmt, expected="expected csv or json")
    return path


def _write(df: pd.DataFrame, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False, lineterminator="\n")
    elif fmt == "json":
        records = [
            {k: v for k, v in r.items() if not (isinstance(v, float) and pd.isna(v))} for r in df.to_dict("records")
        ]
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    else:
        raise InvalidInputError("format", fmt, expected="expected csv or json")


def graphs_equal(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> list[str]:
    """Differences between two graphs (nodes, edge keys, attributes); empty when equal."""
    diffs: list[str] = []
    if set(G.nodes) != set(H.nodes):
        only_g = sorted(set(G.nodes) - set(H.nodes))[:5]
        only_h = sorted(set(H.nodes) - set(G.nodes))[:5]
        diffs.append(f"nodes differ: only in first {only_g}, only in second {only_h}")
    for n, d in G.nodes(data=True):
        if n in H and H.nodes[n] != d:
            diffs.append(f"node {n}: {_dict_diff(d, H.nodes[n])}")
    ge = {(u, v, k): d for u, v, k, d in G.edges(keys=True, data=True)}
    he = {(u, v, k): d for u, v, k, d in H.edges(keys=True, data=True)}
    if set(ge) != set(he):
        diffs.append(f"edges differ: {len(set(ge) - set(he))} only in first, {len(set(he) - set(ge))} only in second")
    for e, d in ge.items():
        if e in he and he[e] != d:
            diffs.append(f"edge {e}: {_dict_diff(d, he[e])}")
    return diffs[:50]


def _dict_diff(a: dict, b: dict) -> str:
    keys = sorted(set(a) | set(b))
    return "; ".join(f"{k}: {a.get(k)!r} != {b.get(k)!r}" for k in keys if a.get(k) != b.get(k))[:300]


def write_register_docs(places: pd.DataFrame, data_dir: Path) -> list[Path]:
    """Rewrite the generated count sections of ``data/README.md`` (between
    ``<!-- counts:NAME -->`` and ``<!-- /counts:NAME -->``) and ``data/register/COUNTS.md``."""
    import re

    from minerals_graph.summary import register_markdown

    md = register_markdown(places)
    readme = Path(data_dir) / "README.md"
    text = readme.read_text(encoding="utf-8")
    for name in ("country_stage", "mineral_stage", "total"):
        pattern = re.compile(rf"(<!-- counts:{name} -->).*?(<!-- /counts:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{readme}: marker <!-- counts:{name} --> not found")
        sep = "" if name == "total" else "\n"
        body = md[name]

        def repl(m: re.Match[str], sep: str = sep, body: str = body) -> str:
            return f"{m.group(1)}{sep}{body}{sep}{m.group(2)}"

        text = pattern.sub(repl, text)
    readme.write_text(text, encoding="utf-8")
    counts = Path(data_dir) / "register" / "COUNTS.md"
    counts.write_text(
        "# Register: facilities by country x mineral x primary stage\n\n"
        "Generated by `minerals-graph curate` from `data/register/facilities_*.csv`; "
        "a place counts once per mineral (individual rare earths and platinum-group "
        "metals under their group).\n\n" + md["long"] + "\n\n"
        "## Coordinates\n\n" + md["located"] + "\n\n"
        "Rows still without coordinates, with the reason the register gives (maps and GeoJSON "
        "leave them off and say so):\n\n" + md["unlocated"] + "\n",
        encoding="utf-8",
    )
    return [readme, counts]


def export_geo(G: nx.MultiDiGraph, out_dir: Path, fmt: str = "geojson") -> dict[str, Path]:
    """Write nodes (points) and edges (lines) as GeoJSON files or one GeoPackage with two
    layers (``nodes``, ``edges``); EPSG:4326, every attribute. Returns the paths."""
    from minerals_graph.convert import graph_to_gdfs, unlocated_places

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nodes, edges = graph_to_gdfs(G)
    left_off = unlocated_places(G)
    if len(left_off):
        log.warning(
            "export geo: %d sites/facilities left off for lack of coordinates (listed in %s)",
            len(left_off),
            out_dir / "unlocated.csv",
        )
    left_off.to_csv(out_dir / "unlocated.csv", index=False, lineterminator="\n")
    if fmt == "geojson":
        paths = {"nodes": out_dir / "nodes.geojson", "edges": out_dir / "edges.geojson"}
        for name, gdf in (("nodes", nodes), ("edges", edges)):
            paths[name].unlink(missing_ok=True)
            gdf.to_file(paths[name], driver="GeoJSON")
        return paths
    if fmt == "gpkg":
        path = out_dir / "minerals-graph.gpkg"
        path.unlink(missing_ok=True)
        nodes.to_file(path, layer="nodes", driver="GPKG")
        edges.to_file(path, layer="edges", driver="GPKG")
        return {"nodes": path, "edges": path}
    raise InvalidInputError("format", fmt, expected="expected geojson or gpkg")
