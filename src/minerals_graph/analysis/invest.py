"""Joint-investment ranking: which North American projects would remove the most of a
scenario's shortfall (docs/methods.md §13).

Candidates: every register place in the U.S., Canada and Mexico with status ``planned``
or ``construction`` (plus user candidates), each with its stage, capacity converted to
the commodity's USGS basis (:func:`~minerals_graph.analysis.flow.capacity_tonnes`) and
owners. A candidate is **ranked** when its capacity converts and its stage is a layer of
the commodity's network (the processing layer, or mining/concentrating, which adds feed);
the others are listed with the reason.

1. **Alone.** For the scenario (default: the PRC refining cut-off), each ranked candidate
   is added as new capacity (:class:`~minerals_graph.analysis.whatif.Addition`) and the
   realistic USMCA headline shortfall of its commodity is recomputed: the reduction in
   tonnes and in % of USMCA demand.
2. **Together.** Greedy with exact marginal re-evaluation: at each step, every remaining
   candidate is evaluated with the ones already chosen (the whole what-if recomputed, not
   the sum of single gains) and the one with the largest marginal reduction in % of demand
   (ties: tonnes, then id) is taken, until the budget (a number of projects, or total added
   t/yr) is used or no candidate reduces the shortfall further. Greedy is not guaranteed
   optimal; with overlapping gaps it is what an analyst can check by hand.
3. **Overlap.** Candidates of one commodity *fix the same gap* when their joint reduction
   is smaller than the sum of their single reductions (shown per candidate as
   ``overlaps_with``: the others whose pairwise joint gain falls short of the sum).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import FlowParams, capacity_tonnes, place_control
from minerals_graph.analysis.whatif import Addition, ExportBlock, NodeFilter, run_whatif
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import USMCA_MEMBERS

__all__ = ["Candidate", "candidates", "read_candidates", "rank_investments", "CANDIDATE_STATUSES", "INVEST_COLUMNS"]

CANDIDATE_STATUSES = ("planned", "construction", "development")
INVEST_COLUMNS = [
    "rank",
    "id",
    "name",
    "iso3",
    "commodity",
    "stage",
    "status",
    "capacity_t",
    "capacity_basis",
    "owners",
    "control_iso3",
    "shortfall_before_t",
    "reduction_t",
    "reduction_pct_of_demand",
    "demand_t",
    "overlaps_with",
    "chosen",
    "marginal_reduction_t",
    "marginal_reduction_pct",
    "ranked",
    "reason",
    "source_url",
]


@dataclass(frozen=True)
class Candidate:
    """A project: ``capacity_t`` t/yr of ``commodity`` on the USGS basis at ``stage``."""

    id: str
    name: str
    iso3: str
    commodity: str
    stage: str
    status: str
    capacity_t: float | None
    capacity_basis: str = ""
    owners: str = ""
    control_iso3: str = ""
    source_url: str = ""
    reason: str = ""


def _layers(net: nx.DiGraph) -> set[str]:
    layers = {str(a.get("stage")) for _, a in net.nodes(data=True) if a.get("role") in ("facility", "rest", "country")}
    if "pool:mined" in net:
        layers |= {"mining", "concentrating"}
    return layers - {"", "None"}


def candidates(
    G: nx.MultiDiGraph, networks: Mapping[str, nx.DiGraph], *, statuses: Iterable[str] = CANDIDATE_STATUSES
) -> list[Candidate]:
    """Register places in North America with one of ``statuses``, one candidate per
    (place, modelled commodity it handles)."""
    sts = set(statuses)
    out = []
    for n, d in sorted(G.nodes(data=True)):
        if (
            d.get("kind") not in ("Facility", "Site")
            or d.get("iso3") not in USMCA_MEMBERS
            or d.get("status") not in sts
        ):
            continue
        owners = sorted(
            (G.nodes[c].get("name", c) for _, c, e in G.out_edges(n, data=True) if e.get("kind") == "OWNED_BY"),
        )
        stages = [s for s in str(d.get("stages", "")).split(";") if s]
        for com in [c for c in str(d.get("commodities", "")).split(";") if c in networks]:
            net = networks[com]
            layers = _layers(net)
            stage = next((s for s in stages if s in layers and s not in ("mining", "concentrating")), None) or next(
                (s for s in stages if s in layers), None
            )
            cap_com = d.get("capacity_commodity") or ""
            reason = ""
            t: float | None = None
            if net.graph.get("not_modelled"):
                reason = f"not modelled: {net.graph['not_modelled']}"
            elif cap_com and cap_com != com:
                reason = f"published capacity is for {cap_com}"
            elif d.get("capacity") is None:
                reason = "no published capacity"
            else:
                t, note = capacity_tonnes(
                    d.get("capacity"), d.get("capacity_unit", ""), d.get("capacity_basis", ""), com
                )
                if t is None:
                    reason = f"capacity not convertible to the USGS basis: {note}"
            if not reason and stage is None:
                reason = (
                    f"stage {'/'.join(stages) or 'unknown'} is not a layer of the {com} network "
                    f"({', '.join(sorted(layers))})"
                )
            out.append(
                Candidate(
                    id=n,
                    name=str(d.get("name", n)),
                    iso3=str(d["iso3"]),
                    commodity=com,
                    stage=stage or "/".join(stages),
                    status=str(d.get("status")),
                    capacity_t=t if not reason else None,
                    capacity_basis=str(d.get("capacity_basis") or ""),
                    owners="; ".join(owners),
                    control_iso3=place_control(G, n),
                    source_url=str(d.get("source_url") or ""),
                    reason=reason,
                )
            )
    return out


def read_candidates(path: Path) -> list[Candidate]:
    """User candidates from a CSV with columns ``id,name,iso3,commodity,stage,capacity_t``
    (t/yr on the commodity's USGS basis) and optional ``status,owners,source_url``. Raises
    :class:`~minerals_graph.errors.MineralsGraphError` naming the file, row and field."""
    need = ("id", "name", "iso3", "commodity", "stage", "capacity_t")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rd = csv.DictReader(fh)
        missing = [c for c in need if c not in (rd.fieldnames or [])]
        if missing:
            raise MineralsGraphError(f"{path}: missing columns {missing}; expected {', '.join(need)}")
        out = []
        for i, r in enumerate(rd, start=1):
            try:
                cap = float(r["capacity_t"])
            except (TypeError, ValueError):
                raise MineralsGraphError(
                    f"{path}, row {i}, field capacity_t: {r['capacity_t']!r} is not a number (t/yr)"
                ) from None
            if not cap > 0:
                raise MineralsGraphError(f"{path}, row {i}, field capacity_t: expected a number > 0 (t/yr)")
            out.append(
                Candidate(
                    id=r["id"].strip(),
                    name=r["name"].strip(),
                    iso3=r["iso3"].strip(),
                    commodity=r["commodity"].strip(),
                    stage=r["stage"].strip(),
                    status=(r.get("status") or "user").strip(),
                    capacity_t=cap,
                    owners=(r.get("owners") or "").strip(),
                    control_iso3=r["iso3"].strip(),
                    source_url=(r.get("source_url") or "").strip(),
                )
            )
    return out


def _usmca(df: pd.DataFrame) -> tuple[float | None, float | None]:
    r = df[df["demand"] == "USMCA"]
    if not len(r) or pd.isna(r["shortfall_t"].iloc[0]):
        return None, None
    return float(r["shortfall_t"].iloc[0]), float(r["demand_t"].iloc[0])


def rank_investments(
    G: nx.MultiDiGraph,
    networks: Mapping[str, nx.DiGraph],
    scenario: Sequence[NodeFilter | ExportBlock],
    cands: Sequence[Candidate],
    *,
    budget_count: int | None = 5,
    budget_capacity_t: float | None = None,
    params: FlowParams | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rank ``cands`` by the USMCA headline shortfall each removes alone under ``scenario``,
    then choose a combination within the budget (module docstring). Returns the candidate
    table (ranked first, by reduction in % of demand) and a summary of the combination."""
    scen = tuple(scenario)
    ok = [c for c in cands if not c.reason and c.capacity_t and c.commodity in networks]
    coms = sorted({c.commodity for c in ok})
    nets = {c: networks[c] for c in coms}

    memo: dict[tuple[str, tuple[Candidate, ...]], tuple[float | None, float | None]] = {}

    def shortfall(chosen: Sequence[Candidate], com: str) -> tuple[float | None, float | None]:
        """USMCA (shortfall, demand) of ``com`` with ``chosen`` added, each set computed once
        (the greedy rounds and the overlap pairs ask for the same sets again)."""
        key = (com, tuple(x for x in chosen if x.commodity == com))
        if key not in memo:
            adds = [Addition(x.commodity, x.iso3, float(x.capacity_t or 0), x.stage, x.name) for x in key[1]]
            memo[key] = _usmca(run_whatif(G, scen, adds, [com], params=params, networks=nets))
        return memo[key]

    base = {c: shortfall([], c) for c in coms}
    alone: dict[str, tuple[float, float]] = {}
    for c in ok:
        sf0, dem = base[c.commodity]
        sf1, _ = shortfall([c], c.commodity)
        if sf0 is None or sf1 is None or not dem:
            continue
        alone[c.id + "|" + c.commodity] = (sf0 - sf1, 100 * (sf0 - sf1) / dem)
    # overlaps: pairs of one commodity whose joint gain falls short of the sum
    overlaps: dict[str, list[str]] = {}
    by_com: dict[str, list[Candidate]] = {}
    for c in ok:
        if alone.get(c.id + "|" + c.commodity, (0.0, 0.0))[0] > 1e-6:
            by_com.setdefault(c.commodity, []).append(c)
    for com, cs in by_com.items():
        for i, a in enumerate(cs):
            for b in cs[i + 1 :]:
                sf0, _ = base[com]
                sf2, _ = shortfall([a, b], com)
                ga, gb = alone[a.id + "|" + com][0], alone[b.id + "|" + com][0]
                if sf0 is not None and sf2 is not None and (sf0 - sf2) < ga + gb - 1e-6:
                    overlaps.setdefault(a.id, []).append(b.name)
                    overlaps.setdefault(b.id, []).append(a.name)
    # greedy with exact marginal re-evaluation
    chosen: list[Candidate] = []
    marginal: dict[str, tuple[float, float]] = {}
    pool = [c for c in ok if alone.get(c.id + "|" + c.commodity, (0.0, 0.0))[0] > 1e-6]
    used_cap = 0.0
    while pool and (budget_count is None or len(chosen) < budget_count):
        best: tuple[float, float, str, Candidate] | None = None
        for c in pool:
            if budget_capacity_t is not None and used_cap + float(c.capacity_t or 0) > budget_capacity_t:
                continue
            now, dem = shortfall([x for x in chosen if x.commodity == c.commodity], c.commodity)
            after, _ = shortfall([*[x for x in chosen if x.commodity == c.commodity], c], c.commodity)
            if now is None or after is None or not dem:
                continue
            gain_t, gain_pct = now - after, 100 * (now - after) / dem
            key = (gain_pct, gain_t, c.id, c)
            if gain_t > 1e-6 and (
                best is None
                or (key[0], key[1]) > (best[0], best[1])
                or ((key[0], key[1]) == (best[0], best[1]) and c.id < best[2])
            ):
                best = key
        if best is None:
            break
        c = best[3]
        chosen.append(c)
        marginal[c.id + "|" + c.commodity] = (best[1], best[0])
        used_cap += float(c.capacity_t or 0)
        pool.remove(c)
    rows = []
    for c in cands:
        k = c.id + "|" + c.commodity
        sf0, dem = base.get(c.commodity, (None, None))
        al = alone.get(k)
        m = marginal.get(k)
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "iso3": c.iso3,
                "commodity": c.commodity,
                "stage": c.stage,
                "status": c.status,
                "capacity_t": round(c.capacity_t, 3) if c.capacity_t else None,
                "capacity_basis": c.capacity_basis,
                "owners": c.owners,
                "control_iso3": c.control_iso3,
                "shortfall_before_t": round(sf0, 3) if sf0 is not None else None,
                "reduction_t": round(al[0], 3) if al else None,
                "reduction_pct_of_demand": round(al[1], 2) if al else None,
                "demand_t": round(dem, 3) if dem else None,
                "overlaps_with": "; ".join(sorted(overlaps.get(c.id, []))),
                "chosen": m is not None,
                "marginal_reduction_t": round(m[0], 3) if m else None,
                "marginal_reduction_pct": round(m[1], 2) if m else None,
                "ranked": al is not None,
                "reason": c.reason
                or (
                    ""
                    if al is not None
                    else ("no USMCA shortfall to reduce (demand or evidence unknown)" if sf0 is None else "")
                ),
                "source_url": c.source_url,
            }
        )
    df = pd.DataFrame(rows, columns=INVEST_COLUMNS)
    df["_r"] = ~df["ranked"].astype(bool)
    df = df.sort_values(
        ["_r", "reduction_pct_of_demand", "reduction_t", "id"], ascending=[True, False, False, True], na_position="last"
    ).drop(columns="_r")
    df["rank"] = [i + 1 if r else None for i, r in enumerate(df["ranked"])]
    df = df.reset_index(drop=True)
    summary = {
        "chosen": [{"id": c.id, "name": c.name, "commodity": c.commodity} for c in chosen],
        "budget_count": budget_count,
        "budget_capacity_t": budget_capacity_t,
        "capacity_used_t": round(used_cap, 3),
        "by_commodity": {
            com: {
                "shortfall_before_t": round(b0, 3) if (b0 := base[com][0]) is not None else None,
                "shortfall_after_t": round(v, 3) if (v := shortfall(chosen, com)[0]) is not None else None,
                "demand_t": base[com][1],
            }
            for com in sorted({c.commodity for c in chosen})
        },
    }
    return df, summary
