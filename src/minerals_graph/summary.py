"""Counts that describe a built graph: by kind, by source, places by country x stage."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd

__all__ = ["summarise", "to_markdown"]


def _count(pairs: Counter, cols: list[str]) -> pd.DataFrame:
    rows = [(*k, n) if isinstance(k, tuple) else (k, n) for k, n in pairs.items()]
    df = pd.DataFrame(rows, columns=[*cols, "count"])
    return df.sort_values([*cols], kind="stable").reset_index(drop=True)


def summarise(G: nx.MultiDiGraph, *, focus: tuple[str, ...] = ("USA", "CAN", "MEX", "CHN")) -> dict[str, pd.DataFrame]:
    """Tables: nodes by kind; edges by kind; nodes by kind and source; edges by kind and
    source; sites and facilities by country and primary stage (focus countries, then the
    rest as one row per country)."""
    nk = Counter(d.get("kind") for _, d in G.nodes(data=True))
    ek = Counter(d.get("kind") for _, _, d in G.edges(data=True))
    ns = Counter((d.get("kind"), d.get("source")) for _, d in G.nodes(data=True))
    es = Counter((d.get("kind"), d.get("source")) for _, _, d in G.edges(data=True))
    places: Counter[tuple[object, str]] = Counter()
    for _, d in G.nodes(data=True):
        if d.get("kind") in ("Site", "Facility"):
            stage = str(d.get("stages", "")).split(";")[0] or "unknown"
            places[(d.get("iso3"), stage)] += 1
    grid = _count(places, ["iso3", "stage"])
    if len(grid):
        grid = grid.pivot_table(index="iso3", columns="stage", values="count", fill_value=0, aggfunc="sum")
        grid["total"] = grid.sum(axis=1)
        order = [c for c in focus if c in grid.index] + sorted(c for c in grid.index if c not in focus)
        grid = grid.loc[order].reset_index()
        grid.columns.name = None
    reg: Counter[tuple[object, str]] = Counter()
    for _, d in G.nodes(data=True):
        if d.get("kind") in ("Site", "Facility") and d.get("source") == "register":
            reg[(d.get("iso3"), str(d.get("stages", "")).split(";")[0])] += 1
    reg_grid = _count(reg, ["iso3", "stage"])
    if len(reg_grid):
        reg_grid = reg_grid.pivot_table(index="iso3", columns="stage", values="count", fill_value=0, aggfunc="sum")
        reg_grid["total"] = reg_grid.sum(axis=1)
        reg_grid = reg_grid.reset_index()
        reg_grid.columns.name = None
    return {
        "nodes by kind": _count(nk, ["kind"]),
        "edges by kind": _count(ek, ["kind"]),
        "nodes by kind and source": _count(ns, ["kind", "source"]),
        "edges by kind and source": _count(es, ["kind", "source"]),
        "sites and facilities by country x stage (all sources)": grid,
        "register facilities by country x stage": reg_grid,
    }


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of ``df`` (no extra dependency)."""
    if not len(df):
        return "(no rows)"
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |")
    return "\n".join(lines)


def _mineral(cid: str) -> str:
    from minerals_graph.schema import commodity_by_id

    group = commodity_by_id(cid).group
    return group if group in ("rare_earths", "platinum_group_metals") else cid


def register_counts(places: pd.DataFrame) -> pd.DataFrame:
    """Register places by country x mineral x primary stage (long table).

    A place counts once per mineral it handles; individual rare earths and platinum-group
    metals count under their group. Columns: ``iso3, mineral, stage, facilities``.
    """
    reg = places[places["source"] == "register"]
    rows: Counter[tuple[object, str, str]] = Counter()
    for r in reg.itertuples(index=False):
        stage = str(r.stages).split(";")[0]
        for m in {_mineral(c) for c in str(r.commodities).split(";") if c}:
            rows[(r.iso3, m, stage)] += 1
    df = pd.DataFrame([(*k, n) for k, n in rows.items()], columns=["iso3", "mineral", "stage", "facilities"])
    return df.sort_values(["iso3", "mineral", "stage"], kind="stable").reset_index(drop=True)


def register_markdown(places: pd.DataFrame) -> dict[str, str]:
    """The generated count tables of data/README.md and data/register/COUNTS.md."""
    long = register_counts(places)
    reg = places[places["source"] == "register"]
    by_country = reg.assign(stage=reg["stages"].str.split(";").str[0]).pivot_table(
        index="iso3", columns="stage", values="id", aggfunc="count", fill_value=0
    )
    by_country["total"] = by_country.sum(axis=1)
    by_mineral = long.pivot_table(index="mineral", columns="stage", values="facilities", aggfunc="sum", fill_value=0)
    by_mineral["total"] = by_mineral.sum(axis=1)
    for t in (by_country, by_mineral):
        t.columns.name = None
    located = reg["lon"].notna() & reg["lat"].notna()
    unlocated = reg[~located].assign(
        reason=lambda d: [
            n.split("UNLOCATED:", 1)[1].strip().split(". ")[0].rstrip(".")[:200]
            if "UNLOCATED:" in str(n)
            else "no cited coordinates"
            for n in d["notes"]
        ]
    )
    precision = reg[located]["coord_precision"].fillna("").value_counts()
    coords = (
        f"{int(located.sum())} of {len(reg)} register rows located "
        f"({100 * located.sum() / len(reg):.1f}%): "
        + ", ".join(f"{k or 'unspecified'} {int(v)}" for k, v in precision.items())
        + " (coord_precision)."
    )
    return {
        "country_stage": to_markdown(by_country.reset_index()),
        "mineral_stage": to_markdown(by_mineral.reset_index()),
        "long": to_markdown(long),
        "total": str(len(reg)),
        "located": coords,
        "unlocated": to_markdown(unlocated[["id", "iso3", "name", "reason"]].sort_values("id").reset_index(drop=True))
        if len(unlocated)
        else "(none)",
    }
