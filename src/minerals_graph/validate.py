"""Checks: row accounting per source file, and the graph against the schema.

:func:`accounting` says for each file read how many rows were read, loaded, excluded
(deliberately out of scope, with the reason) and rejected (bad input, with the reason),
and lists the files of a raw sources folder that no loader reads, with why.
:func:`check_graph` collects every schema problem of a graph at once.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from minerals_graph.errors import ValidationError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, SOURCE_ATTRS
from minerals_graph.tables import Tables, is_raw_sources_dir

__all__ = ["accounting", "rejects", "unread_files", "check_graph", "validate", "UNREAD_REASONS"]

ACCOUNTING_COLUMNS = ["source", "file", "read", "loaded", "excluded", "rejected", "cells_rejected", "balanced"]

#: Why a file of the raw sources folder is not read by any loader (by name pattern).
UNREAD_REASONS: tuple[tuple[str, str], ...] = (
    ("PROVENANCE.md", "documentation of the copy"),
    ("README.md", "documentation of the copy"),
    ("_meta.xml", "FGDC metadata (field definitions), documentation"),
    ("_Statistics.xml", "FGDC metadata, documentation"),
    ("Revision File", "USGS revision notes (already applied in the CSVs)"),
    ("INDOPAC_Mineral_facilities.zip", "same 1,573 features as the GeoJSON, which is read"),
    ("00Readme_Lithium.txt", "USGS readme of the release"),
    ("MCS2024_Fig1_", "economy-wide figure, no commodity or country rows"),
    ("MCS2024_Fig4_", "economy-wide figure, no commodity or country rows"),
    ("MCS2024_Fig10_", "price growth rates: not modelled"),
    ("MCS2024_Fig11_", "consumption change: not modelled"),
    ("MCS2024_Fig12_", "consumption change: not modelled"),
    ("MCS2024_T1_", "economy-wide trends: not modelled"),
    ("MCS2024_T2_", "economy-wide trends: not modelled"),
    ("MCS2024_T3_", "U.S. state values: not modelled"),
    ("Dep_Model.csv", "USMIN deposit models: not modelled"),
    ("Descr_Sum.csv", "USMIN descriptions: not modelled"),
    ("GeolMinOcc.csv", "USMIN geology: not modelled"),
    ("Loc_Poly.csv", "USMIN polygon attributes without geometry"),
    ("Loc_Poly_Sw.csv", "USMIN polygon attributes without geometry"),
    ("Production.csv", "USMIN historical production by well: not modelled yet"),
    ("Resources.csv", "USMIN resources: not modelled yet"),
)


def accounting(tables: Tables) -> pd.DataFrame:
    """One row per file read: read / loaded / excluded / rejected / cells_rejected."""
    recs = []
    for r in tables.results:
        recs.append({
            "source": r.source.key, "file": r.file, "read": r.rows_read, "loaded": r.rows_loaded,
            "excluded": r.rows_excluded, "rejected": r.rows_rejected, "cells_rejected": len(r.cell_rejects),
            "balanced": r.rows_loaded + r.rows_excluded + r.rows_rejected == r.rows_read,
        })
    return pd.DataFrame(recs, columns=ACCOUNTING_COLUMNS)


def rejects(tables: Tables, *, cells: bool = True, excluded: bool = True) -> pd.DataFrame:
    """Every rejected row (and optionally cell and excluded row) with its reason."""
    frames = []
    for r in tables.results:
        if len(r.rejects):
            frames.append(r.rejects.assign(level="row"))
        if cells and len(r.cell_rejects):
            frames.append(r.cell_rejects.assign(level="cell"))
        if excluded and len(r.excluded):
            frames.append(r.excluded.assign(level="excluded", field="", value=""))
    cols = ["level", "file", "row", "field", "value", "reason"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


def unread_files(sources_dir: Path, tables: Tables) -> pd.DataFrame:
    """Files of a raw sources folder that no loader read, each with the reason."""
    if not is_raw_sources_dir(sources_dir):
        return pd.DataFrame(columns=["file", "reason"])
    read = {r.file for r in tables.results}
    recs = []
    base = Path(sources_dir)
    for p in sorted(base.rglob("*")):
        if not p.is_file():
            continue
        rel = str(p.relative_to(base))
        if rel in read:
            continue
        reason = next((why for pat, why in UNREAD_REASONS if pat in p.name), "not read by any loader")
        recs.append({"file": rel, "reason": reason})
    return pd.DataFrame(recs, columns=["file", "reason"])


def check_graph(G: nx.MultiDiGraph) -> list[str]:
    """Every schema problem of ``G``: kinds, required attributes, sources, coordinates,
    edge endpoints. Empty when the graph is valid."""
    problems: list[str] = []
    source_names = [a.name for a in SOURCE_ATTRS]
    for n, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind not in NODE_KINDS:
            problems.append(f"node {n}: kind {kind!r} is not one of {sorted(NODE_KINDS)}")
            continue
        missing = [a.name for a in NODE_KINDS[kind].attrs if a.required and a.name not in d]
        missing += [s for s in source_names if s not in d]
        if missing:
            problems.append(f"node {n} ({kind}): missing {missing}")
        lon, lat = d.get("lon"), d.get("lat")
        if (lon is None) != (lat is None):
            problems.append(f"node {n}: lon and lat must be given together")
        elif lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(f"node {n}: coordinates {lon},{lat} outside EPSG:4326 range")
    for u, v, k, d in G.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind not in EDGE_KINDS:
            problems.append(f"edge {u}->{v} ({k}): kind {kind!r} is not one of {sorted(EDGE_KINDS)}")
            continue
        spec = EDGE_KINDS[kind]
        ku, kv = G.nodes[u].get("kind"), G.nodes[v].get("kind")
        if ku not in spec.source_kinds or kv not in spec.target_kinds:
            problems.append(f"edge {u}->{v} ({kind}): connects {ku}->{kv}, expected "
                            f"{spec.source_kinds}->{spec.target_kinds}")
        missing = [a.name for a in spec.attrs if a.required and a.name not in d]
        missing += [s for s in source_names if s not in d]
        if missing:
            problems.append(f"edge {u}->{v} ({kind}, {k}): missing {missing}")
    return problems


def validate(tables: Tables, G: nx.MultiDiGraph, *, strict: bool = False) -> pd.DataFrame:
    """Accounting table; raise ValidationError if rows do not balance, the graph has
    schema problems, or (``strict``) anything was rejected."""
    acc = accounting(tables)
    problems = [f"{r.file}: read {r.read} != loaded {r.loaded} + excluded {r.excluded} + rejected {r.rejected}"
                for r in acc.itertuples() if not r.balanced]
    problems += check_graph(G)
    if strict:
        for r in acc.itertuples():
            if r.rejected:
                problems.append(f"{r.file}: {r.rejected} row(s) rejected")
    if problems:
        raise ValidationError(problems)
    return acc
