"""Import dependence: net import reliance (NIR), its bands, and PRC exposure by stage.

**Net import reliance** (USGS definition, MCS "Appendix"): imports minus exports plus
adjustments for government and industry stock changes, as a percentage of apparent
consumption; apparent consumption = production + imports - exports + stock adjustments.
USGS publishes NIR with qualifiers: ``E`` net exporter, ``>50``-style bounds, ``W``
withheld. :func:`net_import_reliance` recomputes it from the published components of the
salient statistics and compares it with the published value.

**Bands** follow MCS Fig. 2: 100%, >75, >50, >25, <=25, net exporter. Grouped list members
use USGS's own mapping (Fig. 2 note: "RARE EARTHS … Includes lanthanides cerium, dysprosium,
…"; Table 5: "Aluminum (bauxite)").
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import (
    FlowParams,
    UNIT_TONNES,
    build_supply_network,
    capacity_tonnes,
    cited_processing_shares,
    place_control,
    world_production,
)
from minerals_graph.schema import PROCESSING_STAGES, USGS_LIST_RELATED, commodity_by_id, group_members

__all__ = [
    "salient",
    "net_import_reliance",
    "band_of",
    "nir_bands",
    "band_counts",
    "critical_minerals",
    "modelled_commodities",
    "import_source_counts",
    "prc_exposure",
    "registered_capacity_shares",
    "BANDS",
]

BANDS = ("100%", ">75", ">50", ">25", "<=25", "net exporter", "bound <50 (band unresolved)", "no published value")


def salient(G: nx.MultiDiGraph, source_prefix: str = "usgs-mcs2024-salient") -> pd.DataFrame:
    """The U.S. salient statistics in the graph as one long table."""
    rows = [{"commodity": v.split(":", 1)[1], **d} for u, v, d in G.edges(data=True)
            if d.get("kind") == "STATISTIC" and u == "country:USA" and str(d.get("source", "")).startswith(source_prefix)]
    cols = ["commodity", "year", "measure", "detail", "unit", "value", "qualifier", "column", "source_url"]
    df = pd.DataFrame(rows)
    for c in cols:
        if c not in df.columns:
            df[c] = None
    df["detail"] = df["detail"].fillna("")
    df["qualifier"] = df["qualifier"].fillna("")
    return df[cols]


def _pick(rows: pd.DataFrame, measure: str, detail: str, prefer: tuple[str, ...] = ()) -> tuple[float | None, str]:
    c = rows[rows["measure"] == measure]
    if not len(c):
        return None, ""
    for want in (detail, *prefer, ""):
        hit = c[c["detail"] == want]
        if len(hit) == 1:
            r = hit.iloc[0]
            break
    else:
        if len(c) != 1:
            return None, f"{measure} published by form ({', '.join(sorted(c['detail']))})"
        r = c.iloc[0]
    if r["qualifier"] not in ("", "e") or pd.isna(r["value"]):
        return None, f"{r['column']} = {r['qualifier'] or 'empty'}"
    return float(r["value"]) * UNIT_TONNES.get(str(r["unit"]), 1.0), str(r["column"])


def net_import_reliance(G: nx.MultiDiGraph, *, tolerance_pp: float = 2.0) -> pd.DataFrame:
    """Published NIR per commodity, form and year beside the value recomputed from
    imports, exports, stock changes and apparent consumption.

    Columns: ``commodity, year, form, published_pct, published_qualifier, imports_t,
    exports_t, stock_change_t, consumption_t, consumption_column, recomputed_pct,
    difference_pp, agreement, explanation, fig2_pct, fig2_qualifier``. ``agreement`` is
    ``agree`` (within ``tolerance_pp``; USGS rounds to whole percent and caps at 100),
    ``consistent with bound``, ``disagree``, ``not recomputable`` or ``no published value``.
    Sorted by commodity, form, year.
    """
    s = salient(G)
    fig2 = {(v.split(":", 1)[1], d.get("year")): d for u, v, d in G.edges(data=True)
            if d.get("kind") == "IMPORT_RELIANCE" and u == "country:USA"}
    out = []
    for (com, year), rows in s.groupby(["commodity", "year"], sort=True):
        nir_rows = rows[rows["measure"] == "net_import_reliance"]
        for r in nir_rows.itertuples(index=False):
            form = r.detail
            imp, imp_note = _pick(rows, "imports", form)
            exp, exp_note = _pick(rows, "exports", form)
            cons, cons_col = _pick(rows, "consumption", form, ("Apparent", "Apprnt", "Total"))
            prod, _ = _pick(rows, "production", form)
            stock_change, stock_note = None, ""
            stocks = rows[rows["measure"] == "stocks"]
            if len(stocks):
                prev = s[(s["commodity"] == com) & (s["year"] == year - 1) & (s["measure"] == "stocks")]
                a, _ = _pick(prev, "stocks", form) if len(prev) else (None, "")
                b, _ = _pick(rows, "stocks", form)
                if a is not None and b is not None:
                    stock_change = a - b  # a drawdown adds to supply
                else:
                    stock_note = "stock levels published but the change could not be formed"
            if cons is None and prod is not None and imp is not None and exp is not None:
                cons = prod + imp - exp + (stock_change or 0.0)
                cons_col = "production + imports - exports (+ stock change)"
            recomputed = None
            if imp is not None and exp is not None and cons:
                recomputed = round(100.0 * (imp - exp + (stock_change or 0.0)) / cons, 1)
            agreement, diff, why = _compare(r.value, r.qualifier, recomputed, tolerance_pp)
            if agreement == "not recomputable":
                why = "; ".join(x for x in (imp_note if imp is None else "", exp_note if exp is None else "",
                                            cons_col if cons is None else "consumption missing or zero") if x) or why
            elif agreement == "disagree":
                reasons = []
                if len(stocks) and stock_change is None:
                    reasons.append(stock_note)
                if "Reported" in cons_col or "Consump_t" == cons_col and len(rows[rows["measure"] == "consumption"]) > 1:
                    reasons.append("USGS's NIR uses apparent consumption; the consumption column here may differ")
                if len(rows[rows["measure"] == "shipments"]):
                    reasons.append("government stockpile shipments are part of USGS's adjustments but not of the "
                                   "recomputation")
                if form and cons_col and form not in cons_col:
                    reasons.append(f"components for form {form!r} are not published separately")
                why = "; ".join(reasons) or ("USGS adjusts for stock changes and uses unpublished detail; "
                                             "see the MCS chapter")
            f2 = fig2.get((com, int(year)))
            out.append({
                "commodity": com, "year": int(year), "form": form,
                "published_pct": r.value, "published_qualifier": r.qualifier,
                "imports_t": imp, "exports_t": exp, "stock_change_t": stock_change, "consumption_t": cons,
                "consumption_column": cons_col, "recomputed_pct": recomputed, "difference_pp": diff,
                "agreement": agreement, "explanation": why,
                "fig2_pct": f2.get("pct") if f2 else None, "fig2_qualifier": f2.get("qualifier", "") if f2 else "",
            })
    return pd.DataFrame(out).sort_values(["commodity", "form", "year"], kind="stable").reset_index(drop=True)


def _compare(value, qualifier: str, recomputed: float | None, tol: float) -> tuple[str, float | None, str]:
    if qualifier in ("W", "NA", "XX") or (pd.isna(value) and qualifier not in ("E",)):
        return "no published value", None, f"published as {qualifier or 'empty'}"
    if recomputed is None:
        return "not recomputable", None, ""
    if qualifier == "E":
        return ("agree" if recomputed <= 0 else "disagree"), None, "" if recomputed <= 0 else "USGS says net exporter"
    v = float(value)
    if qualifier in (">", ">="):
        ok = recomputed > v or (qualifier == ">=" and recomputed >= v) or (v >= 95 and recomputed >= v - tol)
        return ("consistent with bound" if ok else "disagree"), None, ""
    if qualifier in ("<", "<="):
        return ("consistent with bound" if recomputed < v + tol else "disagree"), None, ""
    capped = min(max(recomputed, 0.0), 100.0)
    diff = round(capped - v, 1)
    return ("agree" if abs(diff) <= tol else "disagree"), diff, ""


def band_of(pct: float | None, qualifier: str) -> str:
    """The Fig. 2 band of a published NIR value.

    >>> band_of(100, ""), band_of(95, ">"), band_of(None, "E"), band_of(50, "<")
    ('100%', '>75', 'net exporter', 'bound <50 (band unresolved)')
    """
    if qualifier == "E":
        return "net exporter"
    if pct is None or pd.isna(pct):
        return "no published value"
    if qualifier in ("<", "<="):
        return "<=25" if pct <= 25 else "bound <50 (band unresolved)" if pct <= 50 else "no published value"
    if pct >= 100 and qualifier == "":
        return "100%"
    if pct > 75 or (qualifier == ">" and pct >= 75):
        return ">75"
    if pct > 50 or (qualifier == ">" and pct >= 50):
        return ">50"
    if pct > 25 or (qualifier == ">" and pct >= 25):
        return ">25"
    return "<=25"


def critical_minerals(G: nx.MultiDiGraph) -> list[str]:
    """The 2022 USGS list (commodities with ``critical_2022``), in schema order."""
    return [n.split(":", 1)[1] for n, d in G.nodes(data=True) if d.get("kind") == "Commodity" and d.get("critical_2022")]


def modelled_commodities(G: nx.MultiDiGraph) -> list[str]:
    """List members, their groups and the commodities USGS reports them through, that have
    a USGS world production table (even one published without quantities, as germanium's
    refinery table: all NA/W) or cited processing shares in ``G``. Those without quantities
    stay in the tables with a status saying why they are not modelled, rather than being
    dropped silently."""
    crit = critical_minerals(G)
    cands = set(crit) | {commodity_by_id(c).group for c in crit if commodity_by_id(c).group}
    cands |= {r for c in crit for r in USGS_LIST_RELATED.get(c, ())}
    have = {v.split(":", 1)[1] for u, v, d in G.edges(data=True)
            if d.get("kind") == "PRODUCES" and u.startswith("country:")
            and (d.get("measure") == "production"
                 or (d.get("measure") == "world_share_pct" and d.get("quantity") is not None))}
    return sorted(cands & have)


def nir_bands(G: nx.MultiDiGraph, year: int, minerals: Iterable[str] | None = None) -> pd.DataFrame:
    """The NIR band of each list member in ``year`` (2023: MCS 2024; 2024: MCS 2025).

    Mapping: the row USGS reports the member through, where Table 5 names one (aluminum
    -> bauxite: "Aluminum (bauxite)", banded on Fig. 2's BAUXITE row, as USGS's own count
    does); else the member's own Fig. 2 row; else its group's row (individual rare earths -> "RARE
    EARTHS, compounds and metals", as Fig. 2's note lists them); else Table 5's NIR; else
    "no published value". Columns: ``mineral, year, via, label, pct, qualifier, band,
    source``.
    """
    minerals = list(minerals) if minerals is not None else critical_minerals(G)
    fig2: dict[str, list[dict]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "IMPORT_RELIANCE" and u == "country:USA" and d.get("year") == year:
            fig2.setdefault(v.split(":", 1)[1], []).append(d)
    t5: dict[str, dict] = {}
    for u, v, d in G.edges(data=True):
        if (d.get("kind") == "STATISTIC" and u == "country:USA" and d.get("measure") == "net_import_reliance"
                and d.get("year") == year and "-t5" in str(d.get("source"))):
            t5[v.split(":", 1)[1]] = d
    rows = []
    for m in minerals:
        chain = [*USGS_LIST_RELATED.get(m, ()), m]  # Table 5: "Aluminum (bauxite)" -> BAUXITE first
        group = commodity_by_id(m).group
        if group and m not in fig2:
            chain.append(group)
        hit, via = None, ""
        for c in chain:
            if c in fig2:
                rows_c = sorted(fig2[c], key=lambda d: _label_rank(c, d.get("form", "")))
                hit, via = rows_c[0], c
                break
        if hit is not None:
            pct, q, label, src = hit.get("pct"), hit.get("qualifier", ""), hit.get("form", ""), hit.get("source_url")
        elif m in t5 or any(c in t5 for c in chain):
            c = next(c for c in chain if c in t5)
            d = t5[c]
            pct, q, label, src, via = d.get("value"), d.get("qualifier", ""), d.get("label", ""), d.get("source_url"), c
        else:
            pct, q, label, src, via = None, "", "", "", ""
        rows.append({"mineral": m, "year": year, "via": via, "label": label, "pct": pct, "qualifier": q,
                     "band": band_of(pct, q), "source": src})
    return pd.DataFrame(rows)


def _label_rank(commodity: str, label: str) -> tuple[int, str]:
    """Prefer the Fig. 2 row named after the commodity itself (BAUXITE over ALUMINA)."""
    head = commodity_by_id(commodity).name.split()[0].upper()
    return (0 if label.upper().startswith(head) else 1, label)


def band_counts(bands: pd.DataFrame) -> pd.DataFrame:
    """Number of list members per band, in Fig. 2 order (bands with none included)."""
    counts = bands.groupby("band").size()
    return pd.DataFrame({"band": list(BANDS), "minerals": [int(counts.get(b, 0)) for b in BANDS]})


def registered_capacity_shares(G: nx.MultiDiGraph, commodity: str, stage: str, country: str = "CHN"
                               ) -> dict[str, object]:
    """Share of registered, converted capacity at ``stage`` located in / controlled from
    ``country``. Only operating places with a capacity convertible to the USGS basis count."""
    members = {commodity, *group_members(commodity)}
    total = located = controlled = 0.0
    n = 0
    for p, d in G.nodes(data=True):
        if d.get("kind") not in ("Site", "Facility") or d.get("status") != "operating":
            continue
        if stage not in str(d.get("stages", "")).split(";"):
            continue
        if not members & set(str(d.get("commodities", "")).split(";")):
            continue
        if d.get("capacity_commodity") and d.get("capacity_commodity") != commodity:
            continue
        t, _ = capacity_tonnes(d.get("capacity"), d.get("capacity_unit", ""), d.get("capacity_basis", ""), commodity)
        if not t:
            continue
        n += 1
        total += t
        located += t if d.get("iso3") == country else 0.0
        controlled += t if place_control(G, p) == country else 0.0
    if not total:
        return {"places": 0, "capacity_t": 0.0, "located_pct": None, "controlled_pct": None}
    return {"places": n, "capacity_t": round(total, 1), "located_pct": round(100 * located / total, 1),
            "controlled_pct": round(100 * controlled / total, 1)}


def prc_exposure(G: nx.MultiDiGraph, commodities: Iterable[str] | None = None, *, country: str = "CHN",
                 params: FlowParams | None = None) -> pd.DataFrame:
    """The PRC's weight in each commodity's supply to the U.S., by stage.

    Columns: ``commodity``; (a) direct: ``import_rank_2019_2022``, ``import_rank_2020_2023``
    (the PRC's place among USGS's major U.S. import sources; empty = not listed),
    ``import_share_pct`` (cited MCS share, when curated); (b) by stage: ``mine_share_pct``,
    ``processing_stage``, ``processing_share_pct`` (of world production, USGS or cited; for
    commodities without any processing data, the mine share, as the flow model assumes
    processing where the ore is mined), ``processing_basis`` (which of these), and
    for each processing stage with registered capacity, ``registered_<stage>_located_pct`` /
    ``_controlled_pct``; (c) ``embodied_share_pct``: direct import share plus, for every
    other source, its import share times the PRC's share of world supply at the stage that
    feeds it (world pool assumption; empty without cited import shares); ``assumptions``.
    """
    commodities = list(commodities) if commodities is not None else critical_minerals(G)
    ranks: dict[tuple[str, str], int] = {}
    shares: dict[str, dict[str, float]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "TRADES" or v != "country:USA":
            continue
        c = d.get("commodity")
        if d.get("rank") is not None and u == f"country:{country}":
            ranks[(c, str(d.get("period")))] = int(d["rank"])
        if d.get("share_pct") is not None:
            shares.setdefault(c, {})[u.split(":", 1)[1]] = float(d["share_pct"])
    rows = []
    for c in commodities:
        y, mined, _ = world_production(G, c, "mining")
        wld = mined.pop("WLD", None) or sum(mined.values())
        mine_share = round(100 * mined.get(country, 0.0) / wld, 1) if y and wld else None
        net = build_supply_network(G, c, params)
        proc_stage, proc_share, basis = None, None, ""
        proc = {n: a for n, a in net.nodes(data=True) if a.get("role") == "country" and a.get("stage") not in ("mining",)}
        cited = cited_processing_shares(G, c)
        if proc:
            tot = sum(a.get("total", 0.0) for a in proc.values())
            proc_stage = next(iter(proc.values())).get("stage")
            proc_share = round(100 * sum(a.get("total", 0.0) for a in proc.values() if a.get("iso3") == country) / tot, 1) \
                if tot else None
            basis = next((a for a in net.graph["assumptions"] if a.startswith("processing = ")),
                         f"USGS {proc_stage} production by country ({net.graph.get('year')}): the supply layer")
        elif (net.graph.get("supply_stage") not in (None, "mining") and y is None
              and not net.graph.get("not_modelled")):
            y2, tonnes, _ = world_production(G, c, net.graph["supply_stage"])
            w = tonnes.pop("WLD", None) or sum(tonnes.values())
            proc_stage, proc_share = net.graph["supply_stage"], round(100 * tonnes.get(country, 0.0) / w, 1) if w else None
            basis = f"USGS {proc_stage} production by country ({y2})"
        elif cited is not None:  # cited shares but no USGS quantities to scale them
            proc_stage, proc_share = cited["stage"], cited["shares"].get(country, 0.0)
            basis = f"cited {cited['stage']} shares ({cited['year']}; {cited['source_url']})"
        elif net.graph.get("not_modelled"):
            proc_stage = net.graph.get("supply_stage")
            basis = f"{net.graph['not_modelled']}; no cited share"
        elif y is not None and net.graph.get("supply_stage") == "mining":
            # no processing data at all: the flow model assumes processing where the ore is mined
            proc_stage, proc_share = "refining", mine_share
            basis = "no processing data (USGS or cited): processing assumed where the ore is mined (mine share)"
        row = {"commodity": c, "import_rank_2019_2022": ranks.get((c, "2019-2022")),
               "import_rank_2020_2023": ranks.get((c, "2020-2023")),
               "import_share_pct": shares.get(c, {}).get(country), "mine_share_pct": mine_share,
               "processing_stage": proc_stage, "processing_share_pct": proc_share, "processing_basis": basis}
        for stage in PROCESSING_STAGES:
            r = registered_capacity_shares(G, c, stage, country)
            if r["places"]:
                row[f"registered_{stage}_located_pct"] = r["located_pct"]
                row[f"registered_{stage}_controlled_pct"] = r["controlled_pct"]
        feed_share = (proc_share if proc_stage and mine_share is None else mine_share)
        if c in shares and feed_share is not None:
            direct = shares[c].get(country, 0.0)
            others = sum(v for k, v in shares[c].items() if k not in (country, "ROW", "OTH"))
            row["embodied_share_pct"] = round(direct + others * feed_share / 100.0, 1)
        row["assumptions"] = ("embodied: third-country processors draw on the world pool, so their output "
                              "carries the PRC's world share of the feeding stage" if c in shares else "")
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values("commodity", kind="stable").reset_index(drop=True)


def import_source_counts(G: nx.MultiDiGraph, commodities: Iterable[str] | None = None,
                         period: str | None = None) -> pd.DataFrame:
    """For each country: the commodities it is a major U.S. import source of (USGS Fig. 2).

    ``period`` (e.g. ``"2020-2023"``) defaults to the latest one. Columns: ``iso3,
    commodities_count, commodities, best_rank``, sorted by count (desc) then ISO3.
    """
    wanted = set(commodities) if commodities is not None else None
    rows = [(u.split(":", 1)[1], d) for u, v, d in G.edges(data=True)
            if d.get("kind") == "TRADES" and v == "country:USA" and d.get("rank") is not None
            and (wanted is None or d.get("commodity") in wanted)]
    periods = sorted({str(d.get("period")) for _, d in rows})
    if not periods:
        return pd.DataFrame(columns=["iso3", "commodities_count", "commodities", "best_rank", "period"])
    p = period or periods[-1]
    acc: dict[str, dict[str, int]] = {}
    for iso3, d in rows:
        if str(d.get("period")) == p:
            acc.setdefault(iso3, {})
            c = d["commodity"]
            acc[iso3][c] = min(acc[iso3].get(c, 99), int(d["rank"]))
    out = pd.DataFrame([{"iso3": k, "commodities_count": len(v), "commodities": ";".join(sorted(v)),
                         "best_rank": min(v.values()), "period": p} for k, v in acc.items()])
    return out.sort_values(["commodities_count", "iso3"], ascending=[False, True], kind="stable").reset_index(drop=True)
