"""Product-passport trace: where the material that reaches a country or a plant comes from,
stage by stage, by country of location and country of control (docs/methods.md §12).

From a demand (USA, CAN, MEX or USMCA), on the commodity's supply network before any
disruption:

1. **Supply stage** (the network's output stage, e.g. separation for rare earths). The
   demand's own output serves it first (``min(output, demand)``); imports are split over
   suppliers by the trade shares the realistic allocation uses
   (:func:`~minerals_graph.analysis.allocation.import_weights`). The part of a supplier's
   share that exceeds its own output (re-exports) is attributed to the world's output mix
   at that stage. Within a country, control follows its processing nodes' capacity: each
   registered plant's country of control (its largest owner's, the rule of
   :func:`~minerals_graph.analysis.flow.place_control`); the unregistered rest is
   controlled from the country itself.
2. **Feed stage** (mining), where the network has one: the world mine mix (USGS mine
   production by country), since mined material forms one world pool (no bilateral ore
   trade data); mine control is by country of location (no company-level split of
   national mine output in the model).

From a plant: the plant itself, then its feed: the world mine mix as above, and its named
suppliers in the register (``SUPPLIES``), counted by location and control (their feed
shares are not published). :func:`named_suppliers` is the Python twin of
``cypher/queries/trace_named_suppliers.cypher``.

The share of what reaches the start that passed through the PRC at any stage is
``1 - prod(1 - s_i)`` over the stages' PRC shares (stages independent under the pool
assumption).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pandas as pd

from minerals_graph.analysis.allocation import USMCA_MEMBERS, _output_stage, country_outputs, import_weights
from minerals_graph.analysis.flow import SOURCE, place_control
from minerals_graph.errors import MineralsGraphError

__all__ = ["trace", "trace_table", "named_suppliers", "TRACE_COLUMNS"]

TRACE_COLUMNS = ["commodity", "start", "level", "stage", "basis", "by", "country", "share_pct", "tonnes"]


def _shares(amounts: dict[str, float]) -> dict[str, float]:
    tot = sum(v for v in amounts.values() if v > 0)
    return (
        {k: 100 * v / tot for k, v in sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0} if tot else {}
    )


def _control_split(net: nx.DiGraph) -> dict[str, dict[str, float]]:
    """{location ISO3: {control ISO3: share of the country's capacity (0-1)}} of the
    processing layer (fed by ``pool:mined``); a country with none: itself."""
    caps: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if "pool:mined" in net:
        for _, p, d in net.out_edges("pool:mined", data=True):
            a = net.nodes[p]
            if a.get("role") in ("facility", "rest") and not p.startswith("add:"):
                caps[a["iso3"]][a.get("control_iso3") or a["iso3"]] += float(d.get("capacity", 0.0))
    out = {}
    for iso, by in caps.items():
        tot = sum(by.values())
        if tot > 0:
            out[iso] = {k: v / tot for k, v in by.items()}
    return out


def _control_notes(G: nx.MultiDiGraph, net: nx.DiGraph, countries: set[str]) -> list[str]:
    """Operating plants of the processing layer in ``countries`` that the model could not
    split out (no convertible capacity) and that are controlled from another country: their
    output is inside the country's unregistered rest, counted as controlled where located."""
    notes = []
    for f in net.graph.get("excluded", []):
        iso = f.get("iso3")
        if iso not in countries or f["id"] not in G or G.nodes[f["id"]].get("status") != "operating":
            continue
        ctrl = place_control(G, f["id"])
        if ctrl and ctrl != iso:
            name = G.nodes[f["id"]].get("name", f["id"])
            notes.append(
                f"{iso}: {name} is controlled from {ctrl} but has no convertible capacity, so its output counts "
                f"as controlled from {iso}"
            )
    return sorted(notes)


def _mine_mix(net: nx.DiGraph) -> dict[str, float]:
    return {
        net.nodes[m]["iso3"]: float(d.get("capacity", 0.0))
        for _, m, d in net.out_edges(SOURCE, data=True)
        if not m.startswith("add:")
    }


def _located_control(located: dict[str, float], split: dict[str, dict[str, float]]) -> dict[str, float]:
    ctrl: dict[str, float] = defaultdict(float)
    for iso, t in located.items():
        for c, w in split.get(iso, {iso: 1.0}).items():
            ctrl[c] += t * w
    return dict(ctrl)


def _demand_supply(G: nx.MultiDiGraph, net: nx.DiGraph, D: str) -> tuple[dict[str, float], dict[str, Any]]:
    """Tonnes reaching demand ``D`` by country of location at the supply stage."""
    from minerals_graph.analysis.allocation import country_demand

    commodity = str(net.graph.get("commodity"))
    if D == "USA":
        d, basis = net.graph.get("demand", {}).get("USA"), str(net.graph.get("demand_basis", {}).get("USA", ""))
    else:
        d, basis = country_demand(G, net, D)
    info: dict[str, Any] = {"demand_t": d, "demand_basis": basis}
    if d is None or d <= 0:
        info["status"] = f"demand {basis or 'not published'}"
        return {}, info
    outs = country_outputs(net)
    stage = _output_stage(net)
    w, ev, ev_basis = import_weights(G, commodity, D, stage)
    info.update(evidence=ev, evidence_basis=ev_basis)
    dom = min(outs.before.get(D, 0.0), d)
    imports = d - dom
    located: dict[str, float] = defaultdict(float)
    located[D] += dom
    wsum = sum(v for k, v in w.items() if k != D)
    if imports > 1e-9 and not wsum:
        info["status"] = "no import evidence: imports cannot be traced"
        return {}, info
    world = outs.world_before
    for s, ws in w.items():
        if s == D:
            continue
        x = ws / wsum * imports
        own = min(x, outs.before.get(s, 0.0))
        located[s] += own
        if x - own > 1e-9 and world > 0:  # re-exports: the world's output mix at this stage
            for k, t in outs.before.items():
                located[k] += (x - own) * t / world
    info["status"] = "traced"
    return dict(located), info


def named_suppliers(G: nx.MultiDiGraph, id: str, commodity: str, depth: int = 4) -> list[dict]:  # noqa: A002
    """Named upstream suppliers of a place through ``SUPPLIES`` of ``commodity`` (up to
    ``depth`` steps): per step, how many distinct places by country of location and of
    control. Python twin of ``cypher/queries/trace_named_suppliers.cypher``."""
    seen: dict[str, int] = {}
    frontier = {id}
    for level in range(1, depth + 1):
        nxt = set()
        for n in frontier:
            for u, _, d in G.in_edges(n, data=True):
                if d.get("kind") == "SUPPLIES" and d.get("commodity") == commodity and u not in seen and u != id:
                    seen[u] = level
                    nxt.add(u)
        frontier = nxt
    acc: dict[tuple[int, str, str], int] = defaultdict(int)
    for u, level in seen.items():
        acc[(level, str(G.nodes[u].get("iso3", "")), place_control(G, u))] += 1
    return [{"level": lv, "location": loc, "control": ctl, "places": n} for (lv, loc, ctl), n in sorted(acc.items())]


def _stage(level: int, stage: str, basis: str, located: dict[str, float], control: dict[str, float]) -> dict:
    return {
        "level": level,
        "stage": stage,
        "basis": basis,
        "tonnes": round(sum(located.values()), 3),
        "location": {k: round(v, 2) for k, v in _shares(located).items()},
        "control": {k: round(v, 2) for k, v in _shares(control).items()},
        "location_t": {k: round(v, 3) for k, v in located.items() if v > 0},
    }


def trace(G: nx.MultiDiGraph, net: nx.DiGraph, start: str, *, focus: str = "CHN") -> dict[str, Any]:
    """The passport of ``net``'s commodity from ``start`` (USA, CAN, MEX, USMCA, or a
    plant's property-graph id ``facility:…``/``site:…`` or supply-network id ``fac:…``).
    Returns a JSON-ready dict (see the module docstring); raises
    :class:`~minerals_graph.errors.MineralsGraphError` for an unknown start."""
    commodity = str(net.graph.get("commodity"))
    out: dict[str, Any] = {
        "commodity": commodity,
        "from": start,
        "year": net.graph.get("year"),
        "focus": focus,
        "stages": [],
        "assumptions": [],
    }
    if net.graph.get("not_modelled"):
        out["status"] = f"not modelled: {net.graph['not_modelled']}"
        return out
    split = _control_split(net)
    stage = _output_stage(net) or str(net.graph.get("supply_stage") or "")
    if start in (*USMCA_MEMBERS, "USMCA"):
        members = USMCA_MEMBERS if start == "USMCA" else (start,)
        located: dict[str, float] = defaultdict(float)
        infos = {}
        for D in members:
            loc, info = _demand_supply(G, net, D)
            infos[D] = info
            for k, v in loc.items():
                located[k] += v
        out["demand"] = infos
        if not located:
            out["status"] = "; ".join(f"{k}: {v.get('status')}" for k, v in infos.items())
            return out
        out["status"] = "traced" + "".join(f"; {k}: {v['status']}" for k, v in infos.items() if v["status"] != "traced")
        basis = "; ".join(
            f"{k}: {v.get('evidence_basis') or 'own output'}" for k, v in infos.items() if v.get("evidence")
        )
        out["stages"].append(
            _stage(
                1,
                stage,
                f"own output first, then imports by trade shares ({basis})",
                located,
                _located_control(located, split),
            )
        )
        out["stages"][-1]["control_notes"] = _control_notes(G, net, {k for k, v in located.items() if v > 0})
        total = sum(located.values())
    else:
        node = start if start in net else (f"fac:{start}" if f"fac:{start}" in net else None)
        if node is None or net.nodes[node].get("role") != "facility":
            raise MineralsGraphError(
                f"trace: {start!r} is not USA, CAN, MEX, USMCA or a plant with modelled capacity of {commodity}"
            )
        a = net.nodes[node]
        cap = sum(float(d.get("capacity", 0.0)) for _, _, d in net.in_edges(node, data=True))
        out["status"] = "traced"
        out["plant"] = {"id": a.get("graph_id", node), "name": a.get("label"), "iso3": a.get("iso3")}
        out["stages"].append(
            _stage(
                1,
                str(a.get("stage")),
                "the plant (modelled capacity)",
                {a["iso3"]: cap},
                {a.get("control_iso3") or a["iso3"]: cap},
            )
        )
        total = cap
        out["named_suppliers"] = named_suppliers(G, str(a.get("graph_id", node)), commodity)
    if "pool:mined" in net:  # the feed: the world mine mix, scaled to what reaches the start
        mines = _mine_mix(net)
        mt = sum(mines.values())
        feed = {k: total * v / mt for k, v in mines.items()} if mt else {}
        stage_name = str(net.graph.get("supply_stage") or "mining")
        out["stages"].append(_stage(2, stage_name, "world mine mix (USGS mine production)", feed, feed))
    out["assumptions"] = [
        "mined material forms one world pool (no bilateral ore trade data): feed = world mine mix",
        "re-exports (a supplier's share above its own output) carry the world output mix of the stage",
        "control of national mine output = country of location",
    ]
    for key in ("location", "control"):
        keep = 1.0
        for st in out["stages"]:
            keep *= 1 - st[key].get(focus, 0.0) / 100
        out[f"{focus.lower()}_{'located' if key == 'location' else 'controlled'}_any_stage_pct"] = round(
            100 * (1 - keep), 2
        )
    return out


def trace_table(passport: dict[str, Any]) -> pd.DataFrame:
    """The passport as a long table (one row per stage, by and country): the CSV form."""
    rows = []
    for st in passport.get("stages", []):
        for by in ("location", "control"):
            for iso, pct in st[by].items():
                rows.append(
                    {
                        "commodity": passport["commodity"],
                        "start": passport["from"],
                        "level": st["level"],
                        "stage": st["stage"],
                        "basis": st["basis"],
                        "by": by,
                        "country": iso,
                        "share_pct": pct,
                        "tonnes": round(st["tonnes"] * pct / 100, 3),
                    }
                )
    return pd.DataFrame(rows, columns=TRACE_COLUMNS)
