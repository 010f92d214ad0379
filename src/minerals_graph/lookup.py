"""Finding things in the property graph: nodes by filters, a node's neighbours and
sources, the sources of the whole graph. Plain functions returning data; the API and the
CLI only format what they return.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import place_control
from minerals_graph.errors import InvalidInputError

__all__ = [
    "bounding_box",
    "check_choice",
    "check_country",
    "check_commodity",
    "country_codes",
    "commodity_ids",
    "find_nodes",
    "neighbours",
    "node_sources",
    "graph_sources",
    "commodity_records",
    "select_rows",
]

BBox = tuple[float, float, float, float]
T = TypeVar("T")


def bounding_box(
    min_lon: float | None = None,
    min_lat: float | None = None,
    max_lon: float | None = None,
    max_lat: float | None = None,
) -> BBox | None:
    """``(lon0, lat0, lon1, lat1)``, or None when no bound is given. A missing bound is
    unbounded (±180, ±90); a bound may equal its opposite (a line of the grid). Raise
    :class:`~minerals_graph.errors.InvalidInputError` when a minimum is above its maximum
    (an inverted box is a mistake, not a request for the complement; a box across the
    antimeridian is two requests).

    >>> bounding_box(min_lon=-125, max_lon=-66, min_lat=24)
    (-125.0, 24.0, -66.0, 90.0)
    """
    if all(v is None for v in (min_lon, min_lat, max_lon, max_lat)):
        return None
    x0 = -180.0 if min_lon is None else float(min_lon)
    x1 = 180.0 if max_lon is None else float(max_lon)
    y0 = -90.0 if min_lat is None else float(min_lat)
    y1 = 90.0 if max_lat is None else float(max_lat)
    for name, lo, hi in (("lon", x0, x1), ("lat", y0, y1)):
        if lo > hi:
            raise InvalidInputError(
                f"min_{name}", lo, expected=f"the bounding box's min_{name} must not be above max_{name} {hi:g}"
            )
    return (x0, y0, x1, y1)


def check_choice(value: T, choices: Iterable[T], param: str, *, hint: str = "") -> T:
    """``value`` if it is one of ``choices``, else :class:`InvalidInputError` naming the
    nearest choice (or the choices).

    >>> check_choice("refining", ["mining", "refining"], "--stage")
    'refining'
    """
    opts = list(choices)
    if value not in opts:
        raise InvalidInputError(param, value, opts, expected="not one of the valid values", hint=hint)
    return value


def country_codes(G: nx.MultiDiGraph) -> list[str]:
    """ISO3 codes of the graph's ``Country`` nodes (with the aggregates ``WLD``, ``ROW``), sorted."""
    return sorted(str(d["iso3"]) for _, d in G.nodes(data=True) if d.get("kind") == "Country" and d.get("iso3"))


def check_country(G: nx.MultiDiGraph, iso3: str, param: str = "country", *, hint: str = "") -> str:
    """``iso3`` if the graph has that country, else :class:`InvalidInputError` with the
    nearest code, or the code of a country whose name was given (``China`` -> ``CHN``)."""
    if G.has_node(f"country:{iso3}") and G.nodes[f"country:{iso3}"].get("kind") == "Country":
        return iso3
    codes = country_codes(G)
    by_name = {
        str(d.get("name", "")).lower(): str(d["iso3"])
        for _, d in G.nodes(data=True)
        if d.get("kind") == "Country" and d.get("iso3")
    }
    named = by_name.get(str(iso3).strip().lower()) or (str(iso3).upper() if str(iso3).upper() in codes else None)
    if named:
        raise InvalidInputError(param, iso3, expected=f"expected an ISO3 code: did you mean {named!r}?")
    raise InvalidInputError(param, iso3, codes, expected="not an ISO3 code of a country in the graph", hint=hint)


def commodity_ids(G: nx.MultiDiGraph) -> list[str]:
    """Ids of the graph's ``Commodity`` nodes (``lithium``, ``rare_earths`` …), sorted."""
    return sorted(n.split(":", 1)[1] for n, d in G.nodes(data=True) if d.get("kind") == "Commodity")


def check_commodity(
    G: nx.MultiDiGraph, cid: str, param: str = "commodity", *, modelled: Iterable[str] | None = None, hint: str = ""
) -> str:
    """``cid`` if the graph has that commodity (and, when ``modelled`` is given, it is one
    of them), else :class:`InvalidInputError` with the nearest id."""
    known = commodity_ids(G)
    if cid not in known:
        raise InvalidInputError(param, cid, known, expected="not a commodity id of the graph", hint=hint)
    if modelled is not None:
        ok = sorted(modelled)
        if cid not in ok:
            raise InvalidInputError(
                param, cid, ok, expected="not modelled (no USGS production data to build its supply network)"
            )
    return cid


def _has(listed: object, value: str) -> bool:
    return value in str(listed or "").split(";")


def find_nodes(
    G: nx.MultiDiGraph,
    *,
    kind: str | None = None,
    stage: str | None = None,
    country: str | None = None,
    control: str | None = None,
    commodity: str | None = None,
    bbox: BBox | None = None,
    name: str | None = None,
) -> list[str]:
    """Ids of the nodes matching every given criterion, sorted.

    ``kind``: node kind (``Facility`` …); ``stage``/``commodity``: one of the node's
    ``stages``/``commodities``; ``country``: the node's ``iso3``; ``control``: the country
    of control of a site or facility (:func:`minerals_graph.analysis.flow.place_control`);
    ``bbox``: ``(lon0, lat0, lon1, lat1)`` from :func:`bounding_box` (nodes without
    coordinates never match); ``name``: a case-insensitive part of the node's name.
    """
    needle = name.strip().casefold() if name else ""
    hits = []
    for n in sorted(G.nodes):
        d = G.nodes[n]
        if kind and d.get("kind") != kind:
            continue
        if country and d.get("iso3") != country:
            continue
        if stage and not _has(d.get("stages"), stage):
            continue
        if commodity and not _has(d.get("commodities"), commodity):
            continue
        if needle and needle not in str(d.get("name") or "").casefold():
            continue
        if bbox and (
            d.get("lon") is None
            or d.get("lat") is None
            or not (bbox[0] <= d["lon"] <= bbox[2] and bbox[1] <= d["lat"] <= bbox[3])
        ):
            continue
        if control and (d.get("kind") not in ("Site", "Facility") or place_control(G, n) != control):
            continue
        hits.append(n)
    return hits


def neighbours(G: nx.MultiDiGraph, node: str) -> list[tuple[str, str, dict]]:
    """``(direction, other node, edge attributes)`` for every edge of ``node``; outgoing
    first, then by edge kind, other node and year."""
    out = [("out", v, d) for _, v, d in G.out_edges(node, data=True)]
    out += [("in", u, d) for u, _, d in G.in_edges(node, data=True)]
    out.sort(key=lambda x: (x[0] != "out", x[2].get("kind", ""), x[1], str(x[2].get("year", ""))))
    return out


def _source_record(d: dict) -> dict[str, object]:
    return {
        "source": str(d.get("source")),
        "publisher": str(d.get("source_publisher", "")),
        "dataset": str(d.get("source_dataset", "")),
        "year": d.get("source_year"),
        "url": str(d["source_url"]),
    }


def node_sources(G: nx.MultiDiGraph, node: str, edges: Iterable[dict] = ()) -> list[dict[str, object]]:
    """The distinct sources (``source, publisher, dataset, year, url``) of a node and of the
    given edge attribute dicts, sorted."""
    seen: dict[tuple[object, object], dict[str, object]] = {}
    for d in [G.nodes[node], *edges]:
        if d.get("source_url"):
            seen[(d.get("source"), d.get("source_url"))] = _source_record(d)
    return [seen[k] for k in sorted(seen, key=str)]


def graph_sources(G: nx.MultiDiGraph) -> list[dict[str, object]]:
    """One record per source key in ``G`` (``source, publisher, dataset, year, url``),
    sorted, with the facility register summarised as one entry (each of its rows cites
    its own page)."""
    seen: dict[str, dict[str, object]] = {}
    items = [d for _, d in G.nodes(data=True)] + [d for _, _, d in G.edges(data=True)]
    for d in items:
        k = d.get("source")
        if k and k != "register" and k not in seen:
            seen[k] = {
                "source": k,
                "publisher": d.get("source_publisher", ""),
                "dataset": d.get("source_dataset", ""),
                "year": d.get("source_year"),
                "url": d.get("source_url", ""),
            }
    reg = sum(1 for _, d in G.nodes(data=True) if d.get("source") == "register")
    out = sorted(seen.values(), key=lambda s: str(s["source"]))
    out.append(
        {
            "source": "register",
            "publisher": "minerals-graph facility register (each row cites its page)",
            "dataset": f"data/register ({reg} cited places)",
            "year": 2026,
            "url": "data/register/FORMAT.md",
        }
    )
    return out


def commodity_records(G: nx.MultiDiGraph, *, critical: bool | None = None) -> list[dict[str, object]]:
    """Every commodity node as ``{id, name, usgs_code, group, critical_2022}``, by id;
    ``critical`` keeps only those on (True) or off (False) the 2022 list."""
    rows = []
    for n, d in sorted(G.nodes(data=True)):
        if d.get("kind") != "Commodity":
            continue
        if critical is not None and bool(d.get("critical_2022")) != critical:
            continue
        rows.append(
            {
                "id": n.split(":", 1)[1],
                "name": d.get("name", ""),
                "usgs_code": d.get("usgs_code"),
                "group": d.get("group"),
                "critical_2022": bool(d.get("critical_2022")),
            }
        )
    return rows


def select_rows(df: pd.DataFrame, **equals: object) -> pd.DataFrame:
    """The rows of an analysis table whose columns equal the given values (``None``:
    no condition), in their order.

    >>> select_rows(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), a=2, b=None)["b"].tolist()
    ['y']
    """
    for col, want in equals.items():
        if want is not None:
            df = df[df[col] == want]
    return df
