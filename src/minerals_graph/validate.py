"""Checks: row accounting per source file, and the graph against the schema.

:func:`accounting` says for each file read how many rows were read, loaded, excluded
(deliberately out of scope, with the reason) and rejected (bad input, with the reason),
and lists the files of a raw sources folder that no loader reads, with why.
:func:`check_graph` collects every schema problem of a graph at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import pandas as pd

from minerals_graph.errors import ValidationError
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, SOURCE_ATTRS
from minerals_graph.sources import mcs2026
from minerals_graph.tables import Tables, is_raw_sources_dir

__all__ = [
    "accounting",
    "rejects",
    "unread_files",
    "check_graph",
    "validate",
    "UNREAD_REASONS",
    "source_manifest",
    "check_manifest",
    "read_manifest",
    "read_known_rejects",
    "new_rejects",
    "write_known_rejects",
    "MANIFEST_FILE",
    "KNOWN_REJECTS_FILE",
]

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
    *mcs2026.NOT_READ.items(),
    ("critical_codes.json", "the extracting project's HS code notes; the HS mapping used is data/hs_commodities.csv"),
    ("LICENSE", "licence text of the MinMod conversion (MIT), documentation"),
)


def accounting(tables: Tables) -> pd.DataFrame:
    """One row per file read: read / loaded / excluded / rejected / cells_rejected."""
    recs = []
    for r in tables.results:
        recs.append(
            {
                "source": r.source.key,
                "file": r.file,
                "read": r.rows_read,
                "loaded": r.rows_loaded,
                "excluded": r.rows_excluded,
                "rejected": r.rows_rejected,
                "cells_rejected": len(r.cell_rejects),
                "balanced": r.rows_loaded + r.rows_excluded + r.rows_rejected == r.rows_read,
            }
        )
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
    read = {r.file.split("!", 1)[0] for r in tables.results}  # "book.xlsx!Sheet": the workbook was read
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
    source_names = [a.name for a in SOURCE_ATTRS if a.required]
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
            problems.append(
                f"edge {u}->{v} ({kind}): connects {ku}->{kv}, expected {spec.source_kinds}->{spec.target_kinds}"
            )
        missing = [a.name for a in spec.attrs if a.required and a.name not in d]
        missing += [s for s in source_names if s not in d]
        if missing:
            problems.append(f"edge {u}->{v} ({kind}, {k}): missing {missing}")
    return problems


def validate(
    tables: Tables,
    G: nx.MultiDiGraph,
    *,
    strict: bool = False,
    known: pd.DataFrame | None = None,
    manifest_problems: list[str] | None = None,
) -> pd.DataFrame:
    """Accounting table; raise ValidationError if rows do not balance, the graph has
    schema problems, or (``strict``) a row or cell was rejected that is not in ``known``
    (the documented list of rejects of the untouched public files, see
    :func:`read_known_rejects`), or the raw files differ from their manifest
    (``manifest_problems``, from :func:`check_manifest`)."""
    acc = accounting(tables)
    problems = [
        f"{r.file}: read {r.read} != loaded {r.loaded} + excluded {r.excluded} + rejected {r.rejected}"
        for r in acc.itertuples()
        if not r.balanced
    ]
    problems += check_graph(G)
    if strict:
        problems += list(manifest_problems or [])
        new = new_rejects(tables, known)
        for (file, level), g in new.groupby(["file", "level"], sort=True):
            first = g.iloc[0]
            what = "row(s) rejected" if level == "row" else "value(s) rejected"
            problems.append(
                f"{file}: {len(g)} {what} not in the known-rejects list, e.g. row {first['row']} "
                f"field {first['field']!r} value {str(first['value'])[:60]!r}: {first['reason']}"
            )
    if problems:
        raise ValidationError(problems)
    return acc


# ---------------------------------------------------------------------------------------
# Inputs that cannot drift silently: the manifest of the raw files and the known rejects

#: In the data folder: every raw file's path, size, sha256 and rows read.
MANIFEST_FILE = "sources_manifest.csv"
#: In the data folder: every reject of the untouched raw files, with why it is expected.
KNOWN_REJECTS_FILE = "known_rejects.csv"
_KNOWN_KEY = ["file", "row", "field", "level"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_manifest(sources_dir: Path, tables: Tables) -> pd.DataFrame:
    """``file, bytes, sha256, rows``: every file of a raw sources folder (``rows`` = data
    rows read by the loaders; empty for files no loader reads)."""
    base = Path(sources_dir)
    rows_read: dict[str, int] = {}
    for r in tables.results:
        rows_read[r.file] = rows_read.get(r.file, 0) + r.rows_read
    recs = []
    for p in sorted(base.rglob("*")):
        if p.is_file():
            rel = str(p.relative_to(base))
            recs.append({"file": rel, "bytes": p.stat().st_size, "sha256": _sha256(p), "rows": rows_read.get(rel)})
    return pd.DataFrame(recs, columns=["file", "bytes", "sha256", "rows"]).astype({"rows": "Int64"})


def read_manifest(data_dir: Path) -> pd.DataFrame | None:
    """The manifest bundled in ``data_dir`` (None if there is none)."""
    path = Path(data_dir) / MANIFEST_FILE
    if not path.exists():
        return None
    return pd.read_csv(path, dtype={"file": str, "sha256": str}, keep_default_na=False)


def check_manifest(sources_dir: Path, tables: Tables, expected: pd.DataFrame) -> list[str]:
    """Each way the raw files differ from ``expected``: a file missing, added, of another
    size or content (truncated or edited), or read with another number of rows."""
    now = source_manifest(sources_dir, tables).set_index("file")
    exp = expected.set_index("file")
    problems = []
    for f, e in exp.iterrows():
        if f not in now.index:
            problems.append(f"{f}: missing (the manifest lists it)")
            continue
        n = now.loc[f]
        if n["sha256"] != e["sha256"]:
            size = (
                f"{n['bytes']} bytes, expected {e['bytes']}: truncated or extended"
                if int(n["bytes"]) != int(e["bytes"])
                else "same size: edited"
            )
            problems.append(
                f"{f}: content differs from the manifest (sha256 {n['sha256'][:12]}…, expected "
                f"{str(e['sha256'])[:12]}…; {size})"
            )
        exp_rows = str(e["rows"]).strip()
        got_rows = "" if pd.isna(n["rows"]) else str(int(n["rows"]))
        if exp_rows != got_rows:
            problems.append(f"{f}: {got_rows or 'no'} rows read, the manifest expects {exp_rows or 'none'}")
    for f in sorted(set(now.index) - set(exp.index)):
        problems.append(f"{f}: not in the manifest (a new file: read it or list it, then update the manifest)")
    return problems


def read_known_rejects(data_dir: Path) -> pd.DataFrame:
    """The documented rejects of the untouched raw files: ``file, row, field, level,
    reason, note`` (``note`` says why the reject is expected and what the project does)."""
    path = Path(data_dir) / KNOWN_REJECTS_FILE
    cols = [*_KNOWN_KEY, "reason", "note"]
    if not path.exists():
        return pd.DataFrame(columns=cols)
    return pd.read_csv(path, dtype=str, keep_default_na=False)[cols]


def new_rejects(tables: Tables, known: pd.DataFrame | None) -> pd.DataFrame:
    """Rejected rows and cells that ``known`` does not list (matched on file, row, field, level)."""
    r = rejects(tables, excluded=False)
    if not len(r):
        return r
    r = r.astype({"row": str})
    if known is None or not len(known):
        return r
    keys = set(map(tuple, known[_KNOWN_KEY].astype(str).to_numpy()))
    mask = [tuple(x) not in keys for x in r[_KNOWN_KEY].astype(str).to_numpy()]
    return r[mask].reset_index(drop=True)


def write_known_rejects(tables: Tables, data_dir: Path) -> pd.DataFrame:
    """Write every current reject to the known list, keeping the notes already written;
    a new entry's note is empty until someone explains it. Returns the table written."""
    old = read_known_rejects(data_dir)
    notes = {tuple(k): n for k, n in zip(old[_KNOWN_KEY].astype(str).to_numpy(), old["note"], strict=True)}
    r = rejects(tables, excluded=False).astype({"row": str})
    r["note"] = [notes.get(tuple(k), "") for k in r[_KNOWN_KEY].astype(str).to_numpy()]
    out = r[[*_KNOWN_KEY, "reason", "note"]].sort_values(["file", "level", "row", "field"], kind="stable")
    out.to_csv(Path(data_dir) / KNOWN_REJECTS_FILE, index=False, lineterminator="\n")
    return out
