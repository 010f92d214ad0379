"""Realistic allocation: who still gets what after a disruption (docs/methods.md §7).

The rule, per commodity network and demand country ``D`` (USA, CAN, MEX):

1. **Feed.** Mined supply still standing (``M1``) is shared by the processors still
   standing in proportion to their capacity: each runs at ``phi = min(1, M1 / P1)`` of its
   capacity (``P1``: remaining processing capacity, additions included). A country's output
   after = its standing processors x ``phi``, capped at its published total. Mine-only
   networks (and gallium, whose first layer is refining) have no feed step.
2. **Availability.** ``a_X`` = output after / output before of country ``X``; ``W`` =
   world output after / before (the world pool a re-exporter or third-country refiner of
   other countries' material draws on).
3. **Domestic first.** ``D``'s own output serves ``D``'s demand first:
   ``dom = min(output_D, demand_D)``; imports before = ``demand - dom_before``.
4. **Imports by pre-disruption shares.** Imports before are split over suppliers by ``D``'s
   import shares (BACI tonnes or values of the HS codes at the network's output stage;
   USGS import-source percentages otherwise; USGS ranks as a labelled fallback). From
   supplier ``s`` the part its own output covers (up to ``output_s`` before) keeps
   ``a_s``; the rest (a re-exporter's or refiner's imported feed) keeps ``W``: a
   third-country processor is limited by the feed still reaching it.
5. **Additions.** New capacity runs at ``phi``; it serves its own country's remaining
   shortfall first, then the country's export partners in proportion to its exports
   (BACI) or a user-given destination.

Bounds: ``low`` (optimistic) = U.S. priority maximum flow for the U.S. (any remaining
capacity of any supplier for Canada and Mexico); ``high`` (pessimistic) = domestic first,
imports scaled by the world's remaining supply outside ``D``. The headline always lies
in the range (``low = min``, ``high = max``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from minerals_graph.analysis.flow import SOURCE, _edges, world_production
from minerals_graph.schema import USMCA_MEMBERS

__all__ = [
    "DEMANDS",
    "USMCA_MEMBERS",
    "Allocation",
    "Outputs",
    "country_outputs",
    "import_weights",
    "export_weights",
    "country_demand",
    "allocate",
    "trade_exposure",
    "TRADE_EXPOSURE_COLUMNS",
    "hs_code",
    "hs_stage",
]

#: Stages of unprocessed material: trade evidence at these stages is allocated over the mine layer.
_RAW = ("mining", "concentrating")
DEMANDS = (*USMCA_MEMBERS, "USMCA")


@dataclass
class Outputs:
    """Country outputs of one network before and after a removal."""

    before: dict[str, float]
    after: dict[str, float]
    additions: list[tuple[str, float, str, str]]  # (iso3, tonnes after feed, dest or "", label)
    phi: float
    world_before: float
    world_after: float
    mine_before: dict[str, float] = field(default_factory=dict)
    mine_after: dict[str, float] = field(default_factory=dict)

    def layer(self, mining: bool) -> Outputs:
        """These outputs, or (``mining``) the mine layer's as an :class:`Outputs`."""
        if not mining or not self.mine_before:
            return self
        b, a = self.mine_before, self.mine_after
        return Outputs(b, a, self.additions, 1.0, sum(b.values()), sum(a.values()))

    def availability(self, iso3: str) -> float:
        b = self.before.get(iso3, 0.0)
        return self.after.get(iso3, 0.0) / b if b > 0 else 0.0

    @property
    def world_availability(self) -> float:
        return self.world_after / self.world_before if self.world_before > 0 else 0.0


def _alive_path(net: nx.DiGraph, start: str, removed: frozenset[str]) -> str | None:
    """The ``out:X`` node reached from a processor through ports, or None if cut."""
    seen = {start}
    frontier = [start]
    while frontier:
        n = frontier.pop()
        if n in removed:
            continue
        if n.startswith("out:") or n.startswith("cap:"):
            return n
        for s in net.successors(n):
            if s not in seen and not s.startswith("demand:"):
                seen.add(s)
                frontier.append(s)
    return None


def country_outputs(net: nx.DiGraph, removed: frozenset[str] = frozenset()) -> Outputs:
    """Each country's output at the network's last layer before and after removing ``removed``
    (additions, ``add:`` nodes with ``iso3``, are reported separately)."""
    totals = {a["iso3"]: float(a.get("total", 0.0)) for n, a in net.nodes(data=True) if a.get("role") == "country"}

    def run(rm: frozenset[str], with_adds: bool) -> tuple[dict[str, float], list[tuple[str, float, str, str]], float]:
        adds: list[tuple[str, float, str, str]] = []
        out: dict[str, float] = {}
        if "pool:mined" in net:
            mined = sum(
                float(d.get("capacity", 0.0))
                for _, m, d in net.out_edges(SOURCE, data=True)
                if m not in rm and (with_adds or not m.startswith("add:"))
            )
            procs = []
            for _, p, d in net.out_edges("pool:mined", data=True):
                if p in rm:
                    continue
                is_add = p.startswith("add:")
                if is_add and not with_adds:
                    continue
                end = "" if is_add else _alive_path(net, p, rm)
                if end is None:
                    continue
                procs.append((p, float(d.get("capacity", 0.0)), is_add))
            cap_total = sum(c for _, c, _ in procs)
            phi = min(1.0, mined / cap_total) if cap_total > 0 else 0.0
            for p, c, is_add in procs:
                a = net.nodes[p]
                if is_add:
                    adds.append((a["iso3"], c * phi, a.get("dest", ""), a.get("label", p)))
                else:
                    out[a["iso3"]] = out.get(a["iso3"], 0.0) + c * phi
        else:
            phi = 1.0
            for _, m, d in net.out_edges(SOURCE, data=True):
                a = net.nodes[m]
                if m in rm:
                    continue
                if m.startswith("add:"):
                    if with_adds:
                        adds.append((a["iso3"], float(d.get("capacity", 0.0)), a.get("dest", ""), a.get("label", m)))
                    continue
                if f"out:{a['iso3']}" in rm:
                    continue
                out[a["iso3"]] = out.get(a["iso3"], 0.0) + float(d.get("capacity", 0.0))
        out = {k: min(v, totals.get(k, v)) for k, v in out.items()}
        return out, adds, phi

    before, _, _ = run(frozenset(), False)
    after, adds, phi = run(removed, True)
    mines_b: dict[str, float] = {}
    mines_a: dict[str, float] = {}
    if "pool:mined" in net:
        for _, m, d in net.out_edges(SOURCE, data=True):
            iso = net.nodes[m].get("iso3", "")
            if not m.startswith("add:"):
                mines_b[iso] = mines_b.get(iso, 0.0) + float(d.get("capacity", 0.0))
            if m not in removed:
                mines_a[iso] = mines_a.get(iso, 0.0) + float(d.get("capacity", 0.0))
    return Outputs(before, after, adds, phi, sum(before.values()), sum(after.values()), mines_b, mines_a)


# ---------------------------------------------------------------------------------------
# Trade evidence (read through the graph index of minerals_graph.analysis.flow)


class _Trade(Mapping[str, Any]):
    """A ``TRADES`` edge's attributes with its ``exporter`` and ``importer`` (ISO3): reads
    as ``{**attrs, "exporter": …, "importer": …}`` without copying the attributes."""

    __slots__ = ("_d", "exporter", "importer")

    def __init__(self, d: dict[str, Any], exporter: str, importer: str) -> None:
        self._d, self.exporter, self.importer = d, exporter, importer

    def __getitem__(self, key: str) -> Any:
        if key == "exporter":
            return self.exporter
        if key == "importer":
            return self.importer
        return self._d[key]

    def get(self, key: str, default: Any = None) -> Any:
        if key == "exporter":
            return self.exporter
        if key == "importer":
            return self.importer
        return self._d.get(key, default)

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self._d if k not in ("exporter", "importer"))
        yield from ("exporter", "importer")

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _trades(G: nx.MultiDiGraph, commodity: str, *, importer: str = "", exporter: str = "") -> list[_Trade]:
    """The ``TRADES`` edges of ``commodity`` between two countries (to ``importer`` and from
    ``exporter`` when given), in the graph's order. Read from the graph index of
    :mod:`minerals_graph.analysis.flow`; the :class:`_Trade` views are made for the edges
    asked for only, so no second index of every trade is kept."""
    to = f"country:{importer}" if importer else ""
    frm = f"country:{exporter}" if exporter else ""
    n = len("country:")
    return [
        _Trade(d, u[n:], v[n:])
        for u, v, d in _edges(G, "TRADES", commodity)
        if d.get("commodity") == commodity
        and u.startswith("country:")
        and v.startswith("country:")
        and (not to or v == to)
        and (not frm or u == frm)
    ]


def hs_code(note: str) -> str:
    """The HS6 code in a BACI edge's note ``HS 850511 (magnet)`` ("" when it has none)."""
    parts = note.split(" ")
    return parts[1] if len(parts) > 1 else ""


def hs_stage(note: str) -> str:
    """The stage in a BACI edge's note ``HS 850511 (magnet)``."""
    return note.split("(", 1)[1].split(")", 1)[0] if "(" in note else ""


def _baci(G: nx.MultiDiGraph, commodity: str, stage: str | None, *, importer: str = "", exporter: str = ""):
    """BACI flows of ``commodity`` at ``stage`` (None: any) in the latest year with ``importer``/``exporter``."""
    rows = [
        d
        for d in _trades(G, commodity, importer=importer, exporter=exporter)
        if d.get("source") == "cepii-baci-extract" and (stage is None or hs_stage(str(d.get("note", ""))) == stage)
    ]
    if not rows:
        return [], None
    year = max(str(d.get("period")) for d in rows)
    return [d for d in rows if str(d.get("period")) == year], year


def _measure(rows: list[dict[str, Any]]) -> tuple[str, str]:
    """('quantity', 't') when every row has tonnes, else ('value_usd', 'USD')."""
    if rows and all(d.get("quantity") is not None for d in rows):
        return "quantity", "t"
    return "value_usd", "USD"


_WEIGHTS: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[tuple[object, ...], Any]] = weakref.WeakKeyDictionary()


def import_weights(
    G: nx.MultiDiGraph, commodity: str, importer: str, stage: str | None
) -> tuple[dict[str, float], str, str]:
    """Supplier weights (summing to 1) of ``importer``'s imports of ``commodity``, the
    evidence and a one-line basis. Order: BACI at the network's output ``stage``; USGS
    import-source percentages; BACI of the commodity's codes at another stage (evidence
    ``baci-proxy:<stage>``); USGS ranks (weights 1/rank); else ``none``.

    Computed once per property graph and arguments (like the trade index it reads: the
    graph is read-only once built); every call returns its own copy of the weights."""
    memo = _WEIGHTS.setdefault(G, {})
    key = (commodity, importer, stage, id(_SAME_FORM), id(_PROXY))
    if key not in memo:
        memo[key] = _import_weights(G, commodity, importer, stage)
    w, ev, basis = memo[key]
    return dict(w), ev, basis


def _import_weights(
    G: nx.MultiDiGraph, commodity: str, importer: str, stage: str | None
) -> tuple[dict[str, float], str, str]:
    w, ev, basis = _baci_weights(G, commodity, importer, stage)
    if w and not (basis and _all_proxies(basis) and _has_usgs(G, commodity, importer)):
        return w, ev, basis
    usgs = [d for d in _trades(G, commodity, importer=importer) if d.get("share_pct") is not None]
    if usgs:
        period = max(str(d.get("period", "")) for d in usgs)
        usgs = [d for d in usgs if str(d.get("period", "")) == period]
        forms: dict[str, int] = {}
        for d in usgs:
            forms.setdefault(str(d.get("label", "")), int(d.get("row") or 10**8))
        form = min(forms, key=lambda f: (forms[f], f))
        w = {d["exporter"]: float(d["share_pct"]) for d in usgs if str(d.get("label", "")) == form}
        tot = sum(w.values())
        if tot > 0:
            return {k: v / tot for k, v in w.items()}, "usgs-share", f"USGS import sources {period} ({form})"
    w, ev, basis = _baci_weights(G, commodity, importer, None)
    if w:
        return w, ev, basis
    ranks = [d for d in _trades(G, commodity, importer=importer) if d.get("rank") is not None]
    if ranks:
        period = max(str(d.get("period", "")) for d in ranks)
        best: dict[str, int] = {}
        for d in ranks:
            if str(d.get("period", "")) == period:
                best[d["exporter"]] = min(best.get(d["exporter"], 99), int(d["rank"]))
        w = {k: 1.0 / r for k, r in best.items()}
        tot = sum(w.values())
        return {k: v / tot for k, v in w.items()}, "rank", f"USGS import-source ranks {period} (weights 1/rank)"
    return {}, "none", "no import evidence"


def _has_usgs(G: nx.MultiDiGraph, commodity: str, importer: str) -> bool:
    return any(d.get("share_pct") is not None for d in _trades(G, commodity, importer=importer))


def _all_proxies(basis: str) -> bool:
    """Whether every HS code named in ``basis`` is a narrow proxy (data/hs_commodities.csv note)."""
    codes = [c.strip() for c in basis.split("HS ", 1)[1].split(",")] if "HS " in basis else []
    return bool(codes) and all(c in _proxy_codes() for c in codes)


def _baci_weights(
    G: nx.MultiDiGraph, commodity: str, importer: str, stage: str | None
) -> tuple[dict[str, float], str, str]:
    rows, year = _baci(G, commodity, stage, importer=importer)
    if stage is not None and not rows:  # a code whose USGS stage (data/hs_commodities.csv) is the network's
        codes_at = {
            hs for com, (st, hss) in _same_form_codes().items() if com == commodity and st == stage for hs in hss
        }
        rows, year = _baci(G, commodity, None, importer=importer)
        rows = [d for d in rows if hs_code(str(d.get("note", ""))) in codes_at]
    if rows:
        col, unit = _measure(rows)
        w: dict[str, float] = {}
        for d in rows:
            w[d["exporter"]] = w.get(d["exporter"], 0.0) + float(d.get(col) or 0.0)
        tot = sum(w.values())
        if tot > 0:
            codes = sorted({hs_code(str(d["note"])) for d in rows if d.get("note")})
            stages = sorted({hs_stage(str(d.get("note", ""))) for d in rows})
            return (
                {k: v / tot for k, v in w.items() if v > 0},
                "baci" if stage is not None else f"baci-proxy:{'/'.join(stages)}",
                f"BACI {year} {'tonnes' if unit == 't' else 'values'} of HS {', '.join(codes)}",
            )
    return {}, "none", ""


def export_weights(G: nx.MultiDiGraph, commodity: str, exporter: str) -> tuple[dict[str, float], str]:
    """Partner weights of ``exporter``'s exports of ``commodity`` (BACI, any code), and the basis."""
    rows, year = _baci(G, commodity, None, exporter=exporter)
    if not rows:
        return {}, "no BACI exports"
    col, unit = _measure(rows)
    w: dict[str, float] = {}
    for d in rows:
        w[d["importer"]] = w.get(d["importer"], 0.0) + float(d.get(col) or 0.0)
    tot = sum(w.values())
    return ({k: v / tot for k, v in w.items() if v > 0} if tot > 0 else {}), f"BACI {year} exports ({unit})"


def country_demand(G: nx.MultiDiGraph, net: nx.DiGraph, iso3: str) -> tuple[float | None, str]:
    """Apparent consumption of ``iso3`` (CAN, MEX) = USGS production + BACI imports - exports,
    in tonnes of one form: the HS codes marked ``same_form`` in data/hs_commodities.csv for
    the USGS stage they match; else None with the reason."""
    commodity = str(net.graph.get("commodity"))
    forms = _same_form_codes().get(commodity)
    if not forms:
        return None, "unknown: no BACI code in the same form as USGS production (data/hs_commodities.csv)"
    stage, codes = forms
    rows = [
        d
        for d in _trades(G, commodity)
        if d.get("source") == "cepii-baci-extract"
        and hs_code(str(d.get("note", ""))) in codes
        and d.get("quantity") is not None
    ]
    if not rows:
        return None, f"unknown: no BACI tonnes for HS {', '.join(sorted(codes))}"
    year = max(str(d.get("period")) for d in rows)
    rows = [d for d in rows if str(d.get("period")) == year]
    imp = sum(float(d["quantity"]) for d in rows if d["importer"] == iso3)
    exp = sum(float(d["quantity"]) for d in rows if d["exporter"] == iso3)
    y, prod, quals = world_production(G, commodity, stage, int(year))
    if y is None:
        return None, f"unknown: no USGS {stage} production"
    if iso3 in quals and quals[iso3] != "--":  # USGS "--" = zero
        return None, f"unknown: USGS {stage} production of {iso3} withheld ({quals[iso3]})"
    p = prod.get(iso3, 0.0)
    ac = p + imp - exp
    basis = (
        f"USGS {stage} production {y} ({p:,.0f} t{'' if iso3 in prod else ': not a listed producer'}) + BACI {year} "
        f"imports {imp:,.0f} t - exports {exp:,.0f} t, HS {', '.join(sorted(codes))}"
    )
    if ac <= 0:
        return None, f"unknown: apparent consumption <= 0 ({basis}): net exporter"
    return ac, f"apparent consumption = {basis}"


_SAME_FORM: dict[str, tuple[str, set[str]]] | None = None
_PROXY: set[str] | None = None


def _proxy_codes() -> set[str]:
    """HS codes whose note in data/hs_commodities.csv starts with ``proxy``: USGS's shares by
    form come before BACI's shares of such a code."""
    global _PROXY
    if _PROXY is None:
        import csv

        from minerals_graph import settings

        with open(settings.DATA_DIR / "hs_commodities.csv", newline="", encoding="utf-8") as fh:
            _PROXY = {r["hs6"].strip() for r in csv.DictReader(fh) if (r.get("note") or "").startswith("proxy")}
    return _PROXY


def _same_form_codes() -> dict[str, tuple[str, set[str]]]:
    """{commodity: (USGS stage, {hs6})} of the HS codes marked ``same_form`` = yes."""
    global _SAME_FORM
    if _SAME_FORM is None:
        import csv

        from minerals_graph import settings

        out: dict[str, tuple[str, set[str]]] = {}
        with open(settings.DATA_DIR / "hs_commodities.csv", newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if (r.get("same_form") or "").strip().lower() == "yes":
                    st = (r.get("usgs_stage") or r["stage"]).strip()
                    out.setdefault(r["commodity"], (st, set()))[1].add(r["hs6"].strip())
        _SAME_FORM = out
    return _SAME_FORM


@dataclass
class Allocation:
    """Realistic allocation of one demand (tonnes), with its bounds and reason."""

    demand: str
    demand_t: float | None
    demand_basis: str
    supply_before_t: float | None = None
    supply_t: float | None = None
    supply_low_t: float | None = None  # pessimistic supply
    supply_high_t: float | None = None  # optimistic supply
    evidence: str = ""
    evidence_basis: str = ""
    reason: str = ""
    carriers: list[dict[str, Any]] = field(default_factory=list)
    status: str = "modelled"


def allocate(
    G: nx.MultiDiGraph,
    net: nx.DiGraph,
    removed: frozenset[str] = frozenset(),
    *,
    optimistic_usa: float | None = None,
    demands: Mapping[str, tuple[float | None, str]] | None = None,
    removed_suppliers: frozenset[str] = frozenset(),
    blocked: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Allocation]:
    """Realistic allocation to USA, CAN, MEX and the USMCA bloc (the module docstring's rule).

    ``net`` may carry ``add:`` nodes (additions); ``optimistic_usa``: the U.S.-priority
    maximum flow after removal (the optimistic U.S. bound); ``demands``: precomputed
    ``{iso3: (tonnes, basis)}`` (default: U.S. from the network, CAN/MEX from
    :func:`country_demand`); ``removed_suppliers``: countries without a node of their own
    whose output the scenario removes (a filter matches them as a country node);
    ``blocked``: ``{importer: exporters}`` whose exports to that importer are stopped (an
    export control) while their output stays in the world: imports from them keep nothing,
    other suppliers keep theirs, the optimistic bound lets the importer re-source from the
    rest of the world outside itself and the blocked exporters, and the pessimistic bound
    scales all imports by that remaining world share.
    """
    commodity = str(net.graph.get("commodity"))
    outs = country_outputs(net, removed)
    stage = _output_stage(net)
    res: dict[str, Allocation] = {}
    need_after: dict[str, float] = {}
    imports_from: dict[str, dict[str, float]] = {}
    for D in USMCA_MEMBERS:
        if demands is not None and D in demands:
            d, basis = demands[D]
        elif D == "USA":
            d, basis = net.graph.get("demand", {}).get("USA"), str(net.graph.get("demand_basis", {}).get("USA", ""))
        else:
            d, basis = country_demand(G, net, D)
        al = Allocation(D, d, basis)
        res[D] = al
        if d is None or d <= 0:
            al.status = f"demand {basis or 'not published'}"
            continue
        w, ev, ev_basis = import_weights(G, commodity, D, stage)
        al.evidence, al.evidence_basis = ev, ev_basis
        lay = outs.layer(ev.startswith("baci-proxy:") and all(x in _RAW for x in ev.split(":", 1)[1].split("/")))
        own0, own1 = lay.before.get(D, 0.0), lay.after.get(D, 0.0)
        dom0, dom1 = min(own0, d), min(own1, d)
        imports0 = d - dom0
        if imports0 > 1e-9 and not w:
            al.status = "no import evidence: imports cannot be allocated, shortfall unknown"
            continue
        stop = (blocked or {}).get(D, frozenset())
        lost: list[tuple[float, str]] = []
        got: list[tuple[float, str]] = []
        imports1 = 0.0
        for s, ws in sorted(w.items()):
            if s == D:
                continue
            x = ws * imports0
            imports_from.setdefault(s, {})[D] = x
            own = min(x, lay.before.get(s, 0.0))
            keep = own * lay.availability(s) + (x - own) * lay.world_availability
            if (s in removed_suppliers and not lay.before.get(s)) or s in stop:
                keep = 0.0
            imports1 += keep
            lost.append((x - keep, s))
            got.append((keep, s))
        wsum = sum(v for k, v in w.items() if k != D)
        if 0 < wsum < 1:  # the importer itself among the sources: renormalise
            imports1 /= wsum
        real = min(d, dom1 + imports1)
        # bounds
        others0 = lay.world_before - own0
        others1 = lay.world_after - own1 - sum(lay.after.get(s, 0.0) for s in stop if s != D)
        pess = min(d, dom1 + imports0 * (others1 / others0 if others0 > 0 else 0.0))
        if D == "USA" and optimistic_usa is not None:
            opt = min(d, max(optimistic_usa, dom1))
        else:
            opt = min(d, dom1 + min(imports0, max(0.0, others1)))
        al.supply_before_t = d
        al.supply_t, al.supply_low_t, al.supply_high_t = real, min(pess, real), max(opt, real)
        need_after[D] = d - real
        al.carriers = [{"id": f"out:{D}", "label": f"{D} domestic output", "flow_t": round(dom1, 3)}] if dom1 else []
        al.carriers += [
            {"id": f"out:{s}", "label": f"imports from {s}", "flow_t": round(k, 3)}
            for k, s in sorted(got, key=lambda x: (-x[0], x[1]))
            if k > 1e-9
        ][:8]
        lost.sort(key=lambda x: (-x[0], x[1]))
        parts = []
        if dom0 - dom1 > 1e-9:
            parts.append(f"domestic output {dom0:,.0f} -> {dom1:,.0f} t")
        for t, s in lost[:2]:
            if t > 1e-9:
                a = lay.availability(s) if lay.before.get(s) else lay.world_availability
                a = 0.0 if s in removed_suppliers and not lay.before.get(s) else a
                if s in stop:
                    parts.append(f"{s} {100 * w[s]:.0f}% of imports ({ev}), exports to {D} stopped")
                else:
                    parts.append(f"{s} {100 * w[s]:.0f}% of imports ({ev}), {100 * a:.0f}% of its supply left")
        removed_share = 1 - lay.world_availability
        head = f"{100 * removed_share:.0f}% of world {('mining' if lay is not outs else stage) or 'supply'} removed"
        if stop and removed_share < 1e-9:
            head = f"exports of {', '.join(sorted(stop))} to {D} stopped (world output unchanged)"
        al.reason = (
            head
            + (f"; {'; '.join(parts)}" if parts else "; imports unaffected")
            + (f"; feed {100 * outs.phi:.0f}% of remaining capacity" if outs.phi < 1 - 1e-9 else "")
        )
    # additions: own country first, then its export partners (or a given destination)
    for iso3, t, dest, label in outs.additions:
        left = t
        if iso3 in need_after and need_after[iso3] > 0:
            used = min(left, need_after[iso3])
            _credit(res[iso3], used, label)
            need_after[iso3] -= used
            left -= used
        if left <= 1e-9:
            continue
        if dest:
            partners, pb = {dest: 1.0}, "user-given destination"
        else:
            partners, pb = export_weights(G, commodity, iso3)
            if not partners and imports_from.get(iso3):  # the demands that import from iso3, by those imports
                tot = sum(imports_from[iso3].values())
                partners = {k: v / tot for k, v in imports_from[iso3].items()} if tot > 0 else {}
                pb = "no BACI exports: to the demands importing from it, by their imports"
        for D, share in sorted(partners.items()):
            if D in need_after and need_after[D] > 0:
                used = min(left * share, need_after[D])
                _credit(res[D], used, f"{label} ({iso3}; {pb})")
                need_after[D] -= used
    res["USMCA"] = _bloc(res)
    return res


def _credit(al: Allocation, tonnes: float, label: str) -> None:
    if tonnes <= 0 or al.supply_t is None:
        return
    al.supply_t += tonnes
    al.supply_low_t = (al.supply_low_t or 0.0) + tonnes
    al.supply_high_t = min(al.demand_t or 0.0, (al.supply_high_t or 0.0) + tonnes)
    al.supply_high_t = max(al.supply_high_t, al.supply_t)
    al.carriers.insert(0, {"id": "add", "label": label, "flow_t": round(tonnes, 3)})
    al.reason += f"; addition {label} +{tonnes:,.0f} t"


def _bloc(res: dict[str, Allocation]) -> Allocation:
    """USMCA = sum of the members with a known demand (apparent consumptions add up with the
    intra-bloc trade netted out)."""
    known = [a for a in (res[m] for m in USMCA_MEMBERS) if a.supply_t is not None and a.demand_t]
    unknown = [m for m in USMCA_MEMBERS if m not in {a.demand for a in known}]
    b = Allocation("USMCA", None, "")
    if not known:
        b.status = "demand unknown for every member"
        return b
    b.demand_t = sum(a.demand_t or 0.0 for a in known)
    b.demand_basis = "sum of " + ", ".join(a.demand for a in known) + " (intra-bloc trade nets out in the sum)"
    for attr in ("supply_before_t", "supply_t", "supply_low_t", "supply_high_t"):
        setattr(b, attr, sum(getattr(a, attr) or 0.0 for a in known))
    b.evidence = "; ".join(f"{a.demand}: {a.evidence}" for a in known)
    b.reason = " | ".join(f"{a.demand}: {a.reason}" for a in known)
    b.carriers = sorted(
        ({**c, "label": f"{a.demand}: {c['label']}"} for a in known for c in a.carriers), key=lambda c: -c["flow_t"]
    )[:8]
    b.status = "modelled" + (f"; without {', '.join(unknown)} (demand unknown)" if unknown else "")
    return b


def _output_stage(net: nx.DiGraph) -> str | None:
    for _, a in net.nodes(data=True):
        if a.get("role") == "country":
            return str(a.get("stage") or "") or None
    return net.graph.get("supply_stage")


def summarise_removed(nodes: Iterable[str]) -> int:  # pragma: no cover - helper for callers
    return len(list(nodes))


TRADE_EXPOSURE_COLUMNS = [
    "commodity",
    "importer",
    "evidence",
    "period",
    "hs6",
    "prc_share_value_pct",
    "prc_share_tonnes_pct",
    "prc_share_pct",
    "prc_rank",
    "prc_stage",
    "prc_stage_share_pct",
    "embodied_share_pct",
    "basis",
]


def trade_exposure(
    G: nx.MultiDiGraph,
    networks: Mapping[str, nx.DiGraph],
    *,
    importers: Iterable[str] = USMCA_MEMBERS,
    country: str = "CHN",
) -> list[dict[str, Any]]:
    """PRC exposure of each USMCA country's imports, from trade (docs/methods.md §3).

    Direct: the PRC's share of the importer's imports of the commodity's HS codes (BACI,
    latest year) by value and by tonnes (where every flow has tonnes), evidence ``baci``;
    else USGS's import-source percentage (U.S. only), evidence ``usgs-share``; else the
    PRC's USGS rank, evidence ``rank (fallback)`` with no share. Embodied: the direct share
    plus every other supplier's share times the PRC's share of the world at the network's
    output stage (third countries assumed to draw on the world pool at that stage).
    """
    rows: list[dict[str, Any]] = []
    for c, net in sorted(networks.items()):
        stage = _output_stage(net)
        outs = country_outputs(net) if not net.graph.get("not_modelled") else None
        stage_share = (
            100.0 * outs.before.get(country, 0.0) / outs.world_before if outs and outs.world_before > 0 else None
        )
        for imp in importers:
            r: dict[str, Any] = {"commodity": c, "importer": imp, "prc_stage": stage, "prc_stage_share_pct": None}
            if stage_share is not None:
                r["prc_stage_share_pct"] = round(stage_share, 2)
            flows, year = _baci(G, c, None, importer=imp)
            share: float | None = None
            if flows:
                val = {d["exporter"]: 0.0 for d in flows}
                for d in flows:
                    val[d["exporter"]] += float(d.get("value_usd") or 0.0)
                tv = sum(val.values())
                r.update(
                    evidence="baci",
                    period=year,
                    hs6=", ".join(sorted({hs_code(str(d["note"])) for d in flows if d.get("note")})),
                    prc_share_value_pct=round(100 * val.get(country, 0.0) / tv, 2) if tv > 0 else None,
                )
                if all(d.get("quantity") is not None for d in flows):
                    q = sum(float(d["quantity"]) for d in flows)
                    qc = sum(float(d["quantity"]) for d in flows if d["exporter"] == country)
                    r["prc_share_tonnes_pct"] = round(100 * qc / q, 2) if q > 0 else None
                share = r["prc_share_value_pct"]
                weights = {k: v / tv for k, v in val.items()} if tv > 0 else {}
                r["basis"] = f"BACI {year} values of HS {r['hs6']} (all codes of the commodity)"
            else:
                weights, ev, basis = import_weights(G, c, imp, stage)
                if ev == "usgs-share":
                    share = round(100 * weights.get(country, 0.0), 2)
                    r.update(evidence=ev, basis=basis)
                elif ev == "rank":
                    ranks = [
                        int(d["rank"])
                        for d in _trades(G, c, importer=imp, exporter=country)
                        if d.get("rank") is not None
                    ]
                    r.update(evidence="rank (fallback)", prc_rank=min(ranks) if ranks else None, basis=basis)
                    weights = {}
                else:
                    r.update(evidence="none", basis="no trade evidence for this importer")
            r["prc_share_pct"] = share
            if share is not None and stage_share is not None and weights:
                others = sum(w for k, w in weights.items() if k != country)
                r["embodied_share_pct"] = round(share + 100 * others * stage_share / 100.0, 2)
            rows.append(r)
    return rows
