"""Canonical tables -> one property graph (a networkx MultiDiGraph).

Node attribute ``kind`` holds the node kind (Country, Commodity, Site, Facility, Port,
Company); edge attribute ``kind`` the edge kind (LOCATED_IN, PRODUCES, …), and edge keys
are unique strings, so a graph round-trips through GraphML and node-link JSON unchanged.
Missing values are simply absent from a node or edge (never NaN, never 0).

Edge keys are derived from content (:func:`edge_key`), never from a counter: the same data
gives the same keys in every build, whatever the order of the rows, and a key names the same
relationship across builds (what ``neo4j load`` syncs on).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import operator
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, repeat
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from minerals_graph.errors import GraphBuildError
from minerals_graph.runtime import gc_paused, release_free_memory
from minerals_graph.schema import EDGE_KINDS, NODE_KINDS, SOURCE_ATTRS, EdgeKind, NodeKind, node_id
from minerals_graph.tables import SOURCE_COLUMNS, Tables, load_tables

__all__ = ["build_graph", "graph_from_tables", "clean_attrs", "edge_key", "assign_edge_keys", "EDGE_IDENTITY"]

log = logging.getLogger(__name__)


def _declared_types() -> dict[str, str]:
    types: dict[str, str] = {a.name: a.type for a in SOURCE_ATTRS}
    kinds: list[NodeKind | EdgeKind] = [*NODE_KINDS.values(), *EDGE_KINDS.values()]
    for k in kinds:
        for a in k.attrs:
            types.setdefault(a.name, a.type)
    return types


#: Attribute name -> declared type, from the schema (the single source of truth).
ATTR_TYPES = _declared_types()


def clean_attrs(d: dict[str, object]) -> dict[str, object]:
    """Drop None/NaN/'' values, turn numpy scalars into Python types and coerce every
    attribute the schema declares to its declared type (``year`` 2019.0 -> 2019)."""
    out: dict[str, object] = {}
    for k, v in d.items():
        if v is None or (isinstance(v, str) and v == ""):
            continue
        if isinstance(v, float) and math.isnan(v):
            continue
        if hasattr(v, "item") and not isinstance(v, (str, bytes)):
            v = v.item()  # numpy scalar -> Python
            if isinstance(v, float) and math.isnan(v):
                continue
        t = ATTR_TYPES.get(k)
        if t == "int" and isinstance(v, float) and v.is_integer():
            v = int(v)
        elif t == "float" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        elif t == "str" and not isinstance(v, str):
            v = str(v)
        out[k] = v
    return out


_MISSING = object()  # a cell that clean_attrs would drop


def _clean_column(
    name: str,
    values: list[object],
    pool: dict[object, object] | None = None,
    numbers: tuple[dict[object, object], dict[float, float]] | None = None,
) -> list[object]:
    """:func:`clean_attrs` applied to one column: each value cleaned and coerced to the type
    the schema declares for ``name``, or ``_MISSING`` where clean_attrs would drop it.

    ``pool``: equal ``str`` and ``int`` values (exact types) become one shared object, so
    that a value repeated on many rows (a source, a commodity, a year) is stored once; so do
    equal ``float`` values of the column (zeros excepted: ``0.0 == -0.0``), pooled in
    ``numbers`` (ints, floats) when given (one column read in several calls)."""
    t = ATTR_TYPES.get(name)
    out: list[object] = []
    append = out.append
    strs: dict[object, object] = {} if pool is None else pool
    ints, floats = numbers if numbers is not None else ({}, {})
    for v in values:
        if isinstance(v, str):  # the common case: text is kept as it is, '' dropped
            if v == "":
                append(_MISSING)
            elif type(v) is str:
                append(strs.setdefault(v, v))
            else:
                append(v)
            continue
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):  # to_dict gives NA as None
            append(_MISSING)
            continue
        if hasattr(v, "item") and not isinstance(v, bytes):
            v = v.item()  # numpy scalar -> Python
            if isinstance(v, float) and math.isnan(v):
                append(_MISSING)
                continue
        if t == "int" and isinstance(v, float) and v.is_integer():
            v = int(v)
        elif t == "float" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        elif t == "str" and not isinstance(v, str):
            v = str(v)
        if type(v) is int:
            v = ints.setdefault(v, v)
        elif type(v) is float and v != 0.0:
            v = floats.setdefault(v, v)
        append(v)
    return out


def _clean_object_column(
    name: str,
    values: list[object],
    pool: dict[object, object] | None,
    numbers: tuple[dict[object, object], dict[float, float]],
) -> list[object]:
    """:func:`_clean_column` of a column of Python objects, each distinct object cleaned once:
    such a column repeats a few objects over many rows (a source's year, a rank), as the
    frame was built from them. A column of mostly distinct objects is cleaned row by row."""
    ids = list(map(id, values))
    distinct = dict(zip(ids, values, strict=True))
    if 2 * len(distinct) > len(values):
        return _clean_column(name, values, pool, numbers)
    cleaned = dict(zip(distinct, _clean_column(name, list(distinct.values()), pool, numbers), strict=True))
    return list(map(cleaned.__getitem__, ids))


def _clean_number_column(
    name: str,
    values: pd.Series,
    pool: dict[object, object] | None,
    numbers: tuple[dict[object, object], dict[float, float]],
) -> list[object]:
    """:func:`_clean_column` of a numpy column of numbers or booleans, each distinct value
    cleaned once (``pd.factorize``, in C; NaN is missing): a year, a source's year or a flag
    repeats over thousands of rows. A column of mostly distinct values, or holding -0.0
    (which factorize would merge with 0.0), is cleaned row by row."""
    arr = values.to_numpy()
    if arr.dtype.kind == "f" and bool((np.signbit(arr) & (arr == 0)).any()):
        return _clean_column(name, values.tolist(), pool, numbers)
    codes, uniques = pd.factorize(arr)
    if 2 * len(uniques) > len(arr):
        return _clean_column(name, values.tolist(), pool, numbers)
    cleaned = _clean_column(name, uniques.tolist(), pool, numbers)
    cleaned.append(_MISSING)  # code -1: NaN
    return _take(cleaned, codes)


def _take(values: list[object], codes: np.ndarray) -> list[object]:
    """``[values[c] for c in codes]`` (``-1``: the last value), the lookup done by numpy."""
    table = np.fromiter(values, dtype=object, count=len(values))  # each value one item, sequences too
    return table[codes].tolist()


def _is_text(dtype: object) -> bool:
    """Whether a column of ``dtype`` holds only text and missing values (pandas ``str``, or a
    categorical of it): its cells come out of ``tolist()`` as ``str`` or NaN."""
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    return isinstance(dtype, pd.StringDtype)


def _clean_text_column(values: pd.Series, pool: dict[object, object]) -> list[object]:
    """:func:`_clean_column` of a text column (:func:`_is_text`): NaN and '' are missing,
    every text is kept as it is (whatever type the schema declares: as there) and shared
    through ``pool``. Each distinct text is cleaned once (``pd.factorize``, in C) and the rows
    then read their value by its code: a column repeats a few texts over thousands of rows."""
    codes, uniques = pd.factorize(values)
    share = pool.setdefault
    cleaned = [share(u, u) if type(u) is str and u else _MISSING for u in uniques.tolist()]
    cleaned.append(_MISSING)  # a missing value's code is -1: the last item
    return _take(cleaned, codes)


class _Const:
    """A value repeated on every row of a :func:`_attr_rows` spec."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _attr_rows(
    df: pd.DataFrame,
    spec: dict[str, object],
    pool: dict[object, object] | None = None,
    chunk: int = 65536,
    ends: tuple[Sequence[object], Sequence[object], list[str]] | None = None,
) -> list[dict[str, object]]:
    """``clean_attrs`` of one dict per row of ``df``, built column by column.

    ``spec`` maps each attribute, in the order of the dict the row would give, to a column
    of ``df`` (a str) or a :class:`_Const`. Equal to ``[clean_attrs({k: row[col] ...})]``;
    ``pool``: see :func:`_clean_column`. The rows are read ``chunk`` at a time, so that only
    that many values per column are held as Python objects at once on a large table.

    ``ends``, when given, is ``(us, vs, keys)``: the rows are the edges ``us[i] -> vs[i]``,
    and ``keys`` receives the :func:`edge_key` of each, its identity read from the same
    columns (:func:`_identity_tails`), a chunk at a time.
    """
    n = len(df)
    consts: dict[str, object] = {}
    for k, src in spec.items():
        if isinstance(src, _Const):
            (consts[k],) = _clean_column(k, [src.value], pool)
    keys = [k for k in spec if consts.get(k) is not _MISSING]
    if not keys:
        if ends is not None:
            ends[2].extend(_keys_of(ends[0], ends[1], _identity_tails([], [], n)))
        return [{} for _ in range(n)]
    miss = _MISSING
    new = _key_sharing_dicts(keys)
    strs: dict[object, object] = {} if pool is None else pool
    numbers: dict[str, tuple[dict[object, object], dict[float, float]]] = {k: ({}, {}) for k in keys}
    out: list[dict[str, object]] = []
    for start in range(0, n, chunk):
        part = df.iloc[start : start + chunk] if n > chunk else df
        m = len(part)
        cols: list[list[object]] = []
        for k in keys:
            src = spec[k]
            if isinstance(src, _Const):
                cols.append([consts[k]] * m)
                continue
            column = part[src]
            if _is_text(column.dtype):
                cols.append(_clean_text_column(column, strs))
            elif column.dtype == object:
                cols.append(_clean_object_column(k, column.tolist(), pool, numbers[k]))
            elif isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf":
                cols.append(_clean_number_column(k, column, pool, numbers[k]))
            else:
                cols.append(_clean_column(k, column.tolist(), pool, numbers[k]))
        dicts = [new() for _ in range(m)]
        for k, col in zip(keys, cols, strict=True):  # column by column: each dict gets its keys in spec order
            if col.count(miss):
                keep = [v is not miss for v in col]
                fill = map(operator.setitem, compress(dicts, keep), repeat(k), compress(col, keep))
            else:
                fill = map(operator.setitem, dicts, repeat(k), col)
            deque(fill, maxlen=0)  # runs the map: d[k] = v for each row, without a Python-level loop
        if ends is not None:
            us, vs, edge_keys = ends
            tails = _identity_tails(keys, cols, m)
            edge_keys += _keys_of(us[start : start + m], vs[start : start + m], tails)
            del tails
        out += dicts
    return out


def _identity_tails(keys: list[str], cols: list[list[object]], m: int) -> list[str]:
    """For each of the ``m`` rows whose cleaned attributes are the columns ``cols`` (named
    ``keys``; ``_MISSING`` where a row lacks one), the end of the text its edge key hashes
    (:func:`edge_key`): ``,<kind>,<identity>]``, the identity in canonical JSON.

    Built column by column: the canonical JSON of a dict is its ``"name":value`` items in
    sorted order, so each identifying column becomes its items (``""`` where the value is
    absent), each distinct value object encoded once (a column repeats a few values, shared
    through the build's pool), and a row's identity is its items joined."""
    col = dict(zip(keys, cols, strict=True))
    absent: list[object] = [None] * m

    def read(k: str) -> list[object]:  # the column as ``d.get(k)`` reads it
        c = col.get(k)
        if c is None:
            return absent
        return [None if v is _MISSING else v for v in c] if _MISSING in c else c

    enc = _CANONICAL.encode
    kinds = read("kind")
    kind = kinds[0] if m else None
    if any(k is not kind for k in kinds):  # kinds differ (never within one table of edges): row by row
        rows = [{k: v for k, v in zip(keys, r, strict=True) if v is not _MISSING} for r in zip(*cols, strict=True)]
        return [_identity_tail(d) for d in rows]
    fields = EDGE_IDENTITY.get(kind, ("source",)) if type(kind) is str else ("source",)
    values = {f: read(f) for f in fields}
    if "hs6" in fields:  # the code in the note, else the attribute itself (as edge_identity reads it)
        codes: dict[int, str | None] = {}
        for note in read("note"):
            if id(note) not in codes:
                found = _HS6.search(str(note or ""))
                codes[id(note)] = found.group(1) if found else None
        in_note = map(codes.__getitem__, map(id, read("note")))
        values["hs6"] = [a if a is not None else b for a, b in zip(in_note, values["hs6"], strict=True)]

    def items(name: str, column: list[object]) -> list[str]:  # '"name":<value>,' per row, '' if absent
        head = f"{enc(name)}:"
        ids = list(map(id, column))
        text = {i: "" if v is None else f"{head}{enc(v)}," for i, v in dict(zip(ids, column, strict=True)).items()}
        return list(map(text.__getitem__, ids))

    head = f",{enc(kind)},{{"
    bodies = map("".join, zip(*(items(f, values[f]) for f in sorted(values)), strict=True))
    return [f"{head}{b[:-1]}}}]" for b in bodies] if values else [f"{head}}}]"] * m


def _key_sharing_dicts(keys: list[str]) -> Callable[[], dict[str, object]]:
    """A factory of empty ``dict`` objects that share one table of ``keys`` (CPython's
    key-sharing dictionaries, PEP 412): each holds only its values, about 40% of the memory of
    an ordinary dict with the same items, which is what a graph of millions of edges with the
    same dozen attributes needs. They are ordinary dicts in every other respect (equality,
    iteration order, ``json``, ``pickle``, updates).

    CPython gives this layout to the ``__dict__`` of instances of one class (whose attributes
    are set in one order); the instance is dropped at once and its ``__dict__`` kept. One class
    per spec keeps the shared table to the spec's keys. Adding a key the table lacks (or more
    than its 30 slots) quietly turns a dict into an ordinary one: only memory is at stake.
    """

    class _Attrs:  # a new class per call: its own shared key table
        pass

    template = _Attrs().__dict__
    for k in keys:  # the shared key table: the spec's keys, in order
        template[k] = None

    def new() -> dict[str, object]:
        return _Attrs().__dict__

    return new


def _spec(
    df: pd.DataFrame, before: dict[str, object], *, drop: Iterable[str] = (), after: dict[str, object] | None = None
):
    """The spec of ``{**before, **{c: row[c] for c in df if c not in drop}, **after}``
    (same key order as that dict literal); a ``None`` constant drops the attribute."""
    spec: dict[str, object] = {k: v if isinstance(v, (str, _Const)) else _Const(v) for k, v in before.items()}
    skip = set(drop)
    for c in df.columns:
        if c not in skip:
            spec[str(c)] = str(c)
    for k, v in (after or {}).items():
        spec[k] = v if isinstance(v, (str, _Const)) else _Const(v)
    return {k: v for k, v in spec.items() if not (isinstance(v, _Const) and v.value is None)}


def _src_spec(df: pd.DataFrame, kind: str) -> dict[str, object]:
    """``{"kind": kind, **{k: row.get(k) for k in SOURCE_COLUMNS}}`` as a spec."""
    return {"kind": _Const(kind), **{k: k for k in SOURCE_COLUMNS if k in df.columns}}


def _col(df: pd.DataFrame, name: str) -> list[Any]:
    return df[name].tolist()


def build_graph(sources: Path | None = None, *, data_dir: Path | None = None) -> nx.MultiDiGraph:
    """Build the graph from ``sources`` (raw files or curated data; default: bundled data/)."""
    return graph_from_tables(load_tables(sources, data_dir=data_dir))


def graph_from_tables(t: Tables) -> nx.MultiDiGraph:
    """Build the graph from canonical tables.

    Edges that point at an unknown node (e.g. a trade partner missing from the country
    table) are not added silently: they raise, because the tables stage guarantees them.

    Notes
    -----
    Tables are turned into node and edge attributes column by column (:func:`_attr_rows`,
    the same values as :func:`clean_attrs` of each row) and added in bulk, in the order of
    the rows, so the graph (its iteration order included) is that of a row-by-row build.
    The memory the build's temporaries held goes back to the system at the end
    (:func:`minerals_graph.runtime.release_free_memory`).
    """
    G = _graph_from_tables(t)
    release_free_memory()
    return G


@gc_paused  # millions of long-lived dicts: automatic collections would walk them again and again
def _graph_from_tables(t: Tables) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name="minerals-graph", origin=t.origin)
    pending = _EdgeList()  # three flat lists, not one tuple per edge: less memory while building

    pool: dict[object, object] = {}  # one object per distinct text (ids and values)

    def shared(ids: list[Any]) -> list[Any]:
        if set(map(type, ids)) <= {str}:  # node ids are text: one C-level pass
            return list(map(pool.setdefault, ids, ids))
        return [pool.setdefault(x, x) if type(x) is str else x for x in ids]

    edge_keys: list[str] = []  # the key of each pending edge (made unique at the end)

    Attrs = tuple[list[Any], list[Any], list[Any], list[Any]]  # edges: us, vs, attribute dicts, keys (str)

    def edges(us: list[Any], vs: list[Any], df: pd.DataFrame, spec: dict[str, object]) -> Attrs:
        """The edges ``us[i] -> vs[i]`` with the attributes of row i of ``df`` (``spec``), keyed."""
        keys: list[str] = []
        us, vs = shared(us), shared(vs)
        return us, vs, _attr_rows(df, spec, pool, ends=(us, vs, keys)), keys

    def split_edges(
        us: list[Any],
        vs: list[Any],
        df: pd.DataFrame,
        first: list[bool],
        spec: dict[str, object],
        other: dict[str, object],
    ) -> Attrs:
        """:func:`edges` of the rows where ``first`` (attributes ``spec``) and of the rest
        (``other``), back in row order; the subsets live only while this runs."""
        rest = [not x for x in first]
        a = edges(list(compress(us, first)), list(compress(vs, first)), where(df, first), spec)
        b = edges(list(compress(us, rest)), list(compress(vs, rest)), where(df, rest), other)
        merged: list[list[Any]] = []
        for la, lb in zip(a, b, strict=True):  # us, vs, rows, keys
            ia, ib = iter(la), iter(lb)
            merged.append([next(ia) if x else next(ib) for x in first])
        return merged[0], merged[1], merged[2], merged[3]

    def add_edges(attrs: Attrs) -> None:
        """Queue edges (:func:`edges`) after checking that their ends are nodes."""
        us, vs, rows, keys = attrs
        rows = _shared_dicts(rows)
        known = G._node.__contains__  # noqa: SLF001 - membership test only
        if not (all(map(known, us)) and all(map(known, vs))):  # find the first edge at fault
            for u, v, d in zip(us, vs, rows, strict=True):
                for n in (u, v):
                    if not known(n):
                        raise GraphBuildError(f"{d.get('kind')} edge {u} -> {v}: node {n} is not in the graph")
        pending.extend(us, vs, rows)
        edge_keys.extend(keys)

    def add_nodes(ids: list[Any], rows: list[dict[str, object]]) -> None:
        _insert_nodes(G, shared(ids), rows)

    def nid(kind: str, values: list[Any]) -> list[str]:
        prefix = node_id(kind, "")  # "<prefix>:", as node_id writes each id
        return [f"{prefix}{v}" for v in values]

    def where(df: pd.DataFrame, mask: list[bool]) -> pd.DataFrame:
        return df[pd.Series(mask, index=df.index, dtype=bool)] if not all(mask) else df

    c = t.countries
    if len(c):
        add_nodes(nid("Country", _col(c, "iso3")), _attr_rows(c, _spec(c, {"kind": _Const("Country")}), pool))
    c = t.commodities
    if len(c):
        add_nodes(
            nid("Commodity", _col(c, "id")),
            _attr_rows(c, _spec(c, {"kind": _Const("Commodity")}, after={"id": None}), pool),
        )
        part = where(c, [bool(g) for g in _col(c, "group")]) if "group" in c.columns else c.iloc[:0]
        if len(part):
            add_edges(
                edges(
                    nid("Commodity", _col(part, "id")),
                    nid("Commodity", _col(part, "group")),
                    part,
                    _src_spec(part, "PART_OF"),
                )
            )
    p = t.ports
    if len(p):
        pids = [node_id("Port", f"wpi-{int(w)}") for w in _col(p, "wpi_number")]
        add_nodes(pids, _attr_rows(p, _spec(p, {"kind": _Const("Port")}), pool))
        add_edges(edges(pids, nid("Country", _col(p, "iso3")), p, _src_spec(p, "LOCATED_IN")))
    p = t.places
    if len(p):
        # the table's node_kind is the node's kind; its kind column is the place's type (place_kind)
        ids = _col(p, "id")
        add_nodes(
            ids,
            _attr_rows(
                p, _spec(p, {"kind": "node_kind", "place_kind": "kind"}, drop=("id", "node_kind", "kind")), pool
            ),
        )
        add_edges(edges(ids, nid("Country", _col(p, "iso3")), p, _src_spec(p, "LOCATED_IN")))
    c = t.companies
    if len(c):
        ids = _col(c, "id")
        add_nodes(ids, _attr_rows(c, _spec(c, {"kind": _Const("Company")}, drop=("id",)), pool))
        if "control_iso3" in c.columns:
            ctl = where(c, [bool(x) for x in _col(c, "control_iso3")])
            if len(ctl):
                add_edges(
                    edges(
                        _col(ctl, "id"),
                        nid("Country", _col(ctl, "control_iso3")),
                        ctl,
                        _src_spec(ctl, "CONTROLLED_FROM"),
                    )
                )
    o = t.ownership
    if len(o):
        from minerals_graph.tables import company_key

        keys: dict[str, str] = {}
        cids = []
        for name in _col(o, "company"):
            s = str(name)
            if s not in keys:
                keys[s] = node_id("Company", company_key(s))
            cids.append(keys[s])
        owner = [r == "owner" for r in _col(o, "role")]
        own_spec = {"kind": _Const("OWNED_BY"), **{k: k for k in ("share_pct", "position") if k in o.columns}}
        places = [str(x) for x in _col(o, "place_id")]
        add_edges(
            split_edges(places, cids, o, owner, {**own_spec, **_src_spec(o, "OWNED_BY")}, _src_spec(o, "OPERATED_BY"))
        )
        del places, cids
    pr = t.production
    if len(pr):
        pr = where(pr, [bool(x) for x in _col(pr, "commodity")])
    if len(pr):
        res_keys = ("quantity", "qualifier", "unit", "year", "note", *SOURCE_COLUMNS)
        add_edges(
            split_edges(
                [str(x) for x in _col(pr, "producer_id")],
                [node_id("Commodity", str(x)) for x in _col(pr, "commodity")],
                pr,
                [m == "reserves" for m in _col(pr, "measure")],
                {"kind": _Const("HOLDS_RESERVES"), **{k: k for k in res_keys if k in pr.columns}},
                _spec(pr, {"kind": _Const("PRODUCES")}, drop=("producer_id", "commodity")),
            )
        )
    del pr  # a filtered copy of the production table, on a large graph
    tr = t.trades
    if len(tr):
        add_edges(
            edges(
                nid("Country", _col(tr, "exporter")),
                nid("Country", _col(tr, "importer")),
                tr,
                _spec(tr, {"kind": _Const("TRADES")}, drop=("exporter", "importer")),
            )
        )
    ir = t.import_reliance
    if len(ir):
        form = "label" if "label" in ir.columns else _Const(None)
        add_edges(
            edges(
                nid("Country", _col(ir, "iso3")),
                nid("Commodity", _col(ir, "commodity")),
                ir,
                _spec(ir, {"kind": _Const("IMPORT_RELIANCE"), "form": form}, drop=("iso3", "commodity", "label")),
            )
        )
    for df, kind in ((t.statistics, "STATISTIC"), (t.export_controls, "EXPORT_CONTROL")):
        if len(df):
            add_edges(
                edges(
                    nid("Country", _col(df, "iso3")),
                    nid("Commodity", _col(df, "commodity")),
                    df,
                    _spec(df, {"kind": _Const(kind)}, drop=("iso3", "commodity")),
                )
            )
    s = t.supplies
    if len(s):
        add_edges(
            edges(
                [str(x) for x in _col(s, "from_id")],
                [str(x) for x in _col(s, "to_id")],
                s,
                _spec(s, {"kind": _Const("SUPPLIES")}, drop=("from_id", "to_id")),
            )
        )
    s = t.ships_via
    if len(s):
        add_edges(
            edges(
                [str(x) for x in _col(s, "place_id")],
                [node_id("Port", f"wpi-{int(w)}") for w in _col(s, "wpi_number")],
                s,
                _spec(s, {"kind": _Const("SHIPS_VIA")}, drop=("place_id", "wpi_number")),
            )
        )
    pool.clear()  # every attribute is built: the pool's table is not needed while the edges go in
    n_edges = len(edge_keys)
    _insert_edges(G, pending, _unique_keys(pending, edge_keys))
    log.info("built graph: %s nodes, %s edges", G.number_of_nodes(), n_edges)  # every edge went in (no key twice)
    return G


class _EdgeList(Sequence[tuple[Any, Any, dict[str, object]]]):
    """The edges ``(u, v, attrs)`` waiting to be inserted, as three parallel lists."""

    __slots__ = ("us", "vs", "rows")

    def __init__(self) -> None:
        self.us: list[Any] = []
        self.vs: list[Any] = []
        self.rows: list[dict[str, object]] = []

    def extend(self, us: list[Any], vs: list[Any], rows: list[dict[str, object]]) -> None:
        if not len(us) == len(vs) == len(rows):
            raise ValueError("edge lists of different lengths")
        self.us += us
        self.vs += vs
        self.rows += rows

    def __len__(self) -> int:
        return len(self.us)

    def __getitem__(self, i: int) -> tuple[Any, Any, dict[str, object]]:  # type: ignore[override]
        return self.us[i], self.vs[i], self.rows[i]

    def __iter__(self) -> Iterator[tuple[Any, Any, dict[str, object]]]:
        return zip(self.us, self.vs, self.rows, strict=True)


def _shared_dicts(rows: list[dict[str, object]], probe: int = 65536) -> list[dict[str, object]]:
    """``rows`` with every dict equal to an earlier one (same keys in the same order, each value
    the very same object) replaced by that earlier dict: the edges of a large graph whose
    attributes are all equal (the same source, kind and values) share one attribute dict.
    The graph is read-only after the build, so the edges still read exactly what they did.

    When almost every row is distinct after ``probe`` rows (e.g. trade flows), the rest is
    returned unchanged: nothing to share, and the lookup table would cost more than it saves.
    """
    if len(rows) < 2:
        return rows
    seen: dict[int, dict[str, object]] = {}
    out: list[dict[str, object]] = []
    append = out.append
    for i, d in enumerate(rows):
        if i == probe and len(seen) > 0.9 * probe:
            out.extend(rows[i:])
            break
        vals = tuple(d.values())
        try:
            h = hash(vals)
        except TypeError:  # an unhashable value: kept as it is
            append(d)
            continue
        e = seen.get(h)
        if e is None:
            seen[h] = d
            append(d)
        elif len(e) == len(d) and all(map(operator.is_, e.values(), vals)) and all(map(operator.eq, e, d)):
            append(e)
        else:  # a hash collision between different contents: not shared
            append(d)
    return out


def _insert_nodes(G: nx.MultiDiGraph, ids: list[Any], rows: list[dict[str, object]]) -> None:
    """``G.add_nodes_from(zip(ids, rows))``, keeping each (fresh) attribute dict itself
    instead of copying it into a new one (a copy would lose the compact layout of
    :func:`_key_sharing_dicts`). A node seen before gets its attributes updated, as there."""
    node, succ, pred = G._node, G._succ, G._pred  # noqa: SLF001 - what add_nodes_from does, without the copy
    for n, d in zip(ids, rows, strict=True):
        if n is None:
            raise ValueError("None cannot be a node")
        old = node.get(n)
        if old is None:
            succ[n] = {}
            pred[n] = {}
            node[n] = d
        else:
            old.update(d)
    clear = getattr(nx, "_clear_cache", None)  # networkx >= 3.3 caches per graph
    if clear is not None:
        clear(G)


def _insert_edges(G: nx.MultiDiGraph, edges: _EdgeList, keys: list[str]) -> None:
    """``G.add_edge(u, v, key=k, **d)`` for each edge, in order, between nodes already in
    ``G``, storing each (fresh) attribute dict itself instead of a copy: the same graph,
    without holding every attribute twice while it is built.

    ``edges`` and ``keys`` are consumed: they are reversed and popped from their ends, so
    their lists shrink while the graph grows (on a graph of millions of edges, tens of MB
    less at the peak of the build)."""
    succ, pred = G._succ, G._pred  # noqa: SLF001 - what MultiDiGraph.add_edge does, without the copy
    us, vs, rows = edges.us, edges.vs, edges.rows
    if not len(us) == len(vs) == len(rows) == len(keys):
        raise ValueError("edge lists and keys of different lengths")
    for lst in (us, vs, rows, keys):
        lst.reverse()
    while us:
        u, v, d, k = us.pop(), vs.pop(), rows.pop(), keys.pop()
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = G.edge_key_dict_factory()
            succ[u][v] = keydict
            pred[v][u] = keydict
        elif k in keydict:
            raise RuntimeError(f"edge {u} -> {v}: key {k} given twice")
        keydict[k] = d
    clear = getattr(nx, "_clear_cache", None)  # networkx >= 3.3 caches per graph; add_edge clears it
    if clear is not None:
        clear(G)


#: Edge kind -> the attributes that, with the two endpoints and the kind, identify one
#: relationship (its key). Other attributes (quantities, values, notes) are the
#: relationship's content: when they change, the key stays and the relationship is updated.
#: ``hs6`` is the HS6 code in a trade's note ("HS 811010 (refining)"). Kinds not listed are
#: identified by their source.
EDGE_IDENTITY: dict[str, tuple[str, ...]] = {
    "PRODUCES": ("stage", "measure", "year", "product", "type_text", "basis", "unit", "source"),
    "HOLDS_RESERVES": ("year", "unit", "source"),
    "TRADES": ("commodity", "period", "label", "form", "hs6", "source"),
    "IMPORT_RELIANCE": ("form", "year", "source"),
    "STATISTIC": ("measure", "detail", "label", "unit", "column", "year", "source"),
    "EXPORT_CONTROL": ("control_type", "item", "year", "source"),
    "SUPPLIES": ("commodity", "source"),
    "SHIPS_VIA": ("commodity", "source"),
    "OWNED_BY": ("source",),
    "OPERATED_BY": ("source",),
    "CONTROLLED_FROM": ("source",),
    "LOCATED_IN": ("source",),
    "PART_OF": ("source",),
}
_HS6 = re.compile(r"\bHS\s*(\d{6})\b")
KEY_PREFIX = "r"


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str, check_circular=False
)


def _canonical(obj: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text (reproducible in any language)."""
    return _CANONICAL.encode(obj)


def _digest(obj: object, n: int = 16) -> str:
    return hashlib.sha1(_canonical(obj).encode("utf-8")).hexdigest()[:n]


def edge_identity(attrs: dict[str, object]) -> dict[str, object]:
    """The identifying attributes of an edge (``attrs`` as stored, ``kind`` included)."""
    kind = attrs.get("kind")
    fields = EDGE_IDENTITY.get(kind, ("source",)) if isinstance(kind, str) else ("source",)
    out: dict[str, object] = {f: attrs[f] for f in fields if attrs.get(f) is not None}
    if "hs6" in fields:
        m = _HS6.search(str(attrs.get("note") or ""))
        if m:
            out["hs6"] = m.group(1)
    return out


def edge_key(u: str, v: str, attrs: dict[str, object]) -> str:
    """``r`` + the first 16 hex digits of the SHA-1 of the canonical JSON of
    ``[u, v, kind, identifying attributes]``: equal for the same relationship in every build."""
    return KEY_PREFIX + _digest([u, v, attrs.get("kind"), edge_identity(attrs)])


def _identity_tail(attrs: dict[str, object]) -> str:
    """``,<kind>,<identity>]``: the end of the canonical JSON an edge's key hashes
    (:func:`edge_key`), after its two node ids (:func:`_keys_of`)."""
    return f",{_canonical(attrs.get('kind'))},{_canonical(edge_identity(attrs))}]"


def _edge_keys(edges: Iterable[tuple[str, str, dict[str, object]]]) -> list[str]:
    """``[edge_key(u, v, d) for u, v, d in edges]``, encoding each node id and each distinct
    identity once: the canonical JSON of ``[u, v, kind, identity]`` is the JSON of its four
    items joined by commas in brackets, and a graph's edges repeat a few thousand node ids and
    identities (one source, one kind) across tens of thousands of edges.

    An identity is looked up by its kind, the values of its attributes and their types (2019
    and 2019.0 are equal but not the same JSON; floats by their text: 0.0 and -0.0 too), and
    for kinds identified by an HS code (``hs6``) by the note it is read from. (The build reads
    the identities from its columns instead: :func:`_identity_tails`.)"""
    tails: dict[tuple[object, ...], str] = {}  # identity lookup key -> ``,<kind>,<identity>]``
    us: list[object] = []
    vs: list[object] = []
    out: list[str] = []
    for u, v, d in edges:
        us.append(u)
        vs.append(v)
        kind = d.get("kind")
        fields = EDGE_IDENTITY.get(kind, ("source",)) if type(kind) is str else ("source",)
        vals = tuple(map(d.get, fields))
        types = tuple(map(type, vals))
        if float in types:
            vals = tuple(repr(x) if type(x) is float else x for x in vals)
        look: tuple[object, ...] | None = (kind, vals, types, d.get("note") if "hs6" in fields else None)
        try:
            tail = tails.get(look)  # type: ignore[arg-type]
        except TypeError:  # an unhashable value: encoded as it is
            tail, look = None, None
        if tail is None:
            tail = _identity_tail(d)
            if look is not None:
                if len(tails) >= 65536:  # bounded: on a large graph most identities are met once
                    tails.clear()
                tails[look] = tail
        out.append(tail)
    return _keys_of(us, vs, out)


def _keys_of(us: Sequence[object], vs: Sequence[object], tails: Sequence[str]) -> list[str]:
    """:func:`edge_key` of each edge ``us[i] -> vs[i]`` whose kind and identity are
    ``tails[i]`` (``,<kind>,<identity>]`` in canonical JSON): the SHA-1 of
    ``[<u>,<v>,<kind>,<identity>]``, each node id encoded as the canonical JSON encodes it."""
    enc = _CANONICAL.encode
    text = json.encoder.encode_basestring  # what enc does with a str (ensure_ascii=False), without a memo of every id
    sha1 = hashlib.sha1
    return [
        KEY_PREFIX
        + sha1(
            f"[{text(u) if type(u) is str else enc(u)},{text(v) if type(v) is str else enc(v)}{t}".encode()
        ).hexdigest()[:16]
        for u, v, t in zip(us, vs, tails, strict=True)
    ]


def assign_edge_keys(edges: Sequence[tuple[str, str, dict[str, object]]]) -> list[str]:
    """Keys for ``edges`` (``(u, v, attrs)``, attrs cleaned), in the same order, all distinct.

    The key is :func:`edge_key`. Two distinct edges can share it (the data has two rows with the
    same identity but different content, e.g. two values for one statistic): each of them then
    gets ``<key>-<8 hex digits of the SHA-1 of all its attributes>``, and edges identical in
    every attribute are numbered ``-1``, ``-2``, …  Every rule depends on content only, so the
    keys do not depend on the order of the rows. Collisions are logged.
    """
    return _unique_keys(edges, _edge_keys(edges))


def _unique_keys(edges: Sequence[tuple[str, str, dict[str, object]]], keys: list[str]) -> list[str]:
    """``keys`` (the :func:`edge_key` of each edge of ``edges``), made distinct as
    :func:`assign_edge_keys` says; the list is updated in place and returned."""
    seen: set[str] = set()
    shared: set[str] = set()  # keys of more than one edge
    for k in keys:
        if k in seen:
            shared.add(k)
        else:
            seen.add(k)
    del seen
    groups: dict[str, list[int]] = {}
    if shared:
        for i, k in enumerate(keys):
            if k in shared:
                groups.setdefault(k, []).append(i)
    collided = 0
    for k, idx in groups.items():
        collided += len(idx)
        by_content: dict[str, list[int]] = {}
        for i in idx:
            u, v, d = edges[i]
            by_content.setdefault(f"{k}-{_digest([u, v, d], 8)}", []).append(i)
        for ck, same in by_content.items():
            if len(same) == 1:
                keys[same[0]] = ck
            else:  # identical in every attribute: interchangeable, so any order gives the same graph
                same.sort(key=lambda i: _canonical(list(edges[i])))
                for n, i in enumerate(same, 1):
                    keys[i] = f"{ck}-{n}"
    if collided:
        log.info("edge keys: %s edges share their identity with another edge; keyed by content", collided)
    if len(set(keys)) != len(keys):  # a SHA-1 prefix collision of the content digests: never seen
        raise RuntimeError("edge keys are not unique after disambiguation")
    return keys
