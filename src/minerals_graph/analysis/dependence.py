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

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import pandas as pd

from minerals_graph.analysis.flow import (
    UNIT_TONNES,
    FlowParams,
    _edges,
    _index,
    capacity_tonnes,
    cited_processing_shares,
    network_of,
    place_control,
    world_production,
)
from minerals_graph.schema import PROCESSING_STAGES, USGS_LIST_RELATED, commodity_by_id, group_members

__all__ = [
    "salient",
    "net_import_reliance",
    "salient_2026",
    "band_of",
    "nir_bands",
    "list_summary",
    "import_shares",
    "trade_share_comparison",
    "latest_nir_year",
    "IMPORT_PERIOD",
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
    rows = [
        {"commodity": v.split(":", 1)[1], **d}
        for u, v, d in _edges(G, "STATISTIC")
        if u == "country:USA" and str(d.get("source", "")).startswith(source_prefix)
    ]
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


def salient_2026(G: nx.MultiDiGraph) -> pd.DataFrame:
    """The MCS 2026 U.S. salient statistics (2021–2025) in the shape of :func:`salient`.

    MCS 2026 writes each statistic as a phrase ("Imports for consumption: Metal", "Net
    import reliance as a percentage of apparent consumption: Compounds and metals"); the
    form is the text after the last ``": "`` (empty when there is none), and a consumption
    phrase naming "apparent" or "reported" gets that word as its detail, so the
    recomputation picks apparent consumption as USGS's NIR does. ``column`` keeps the
    published phrase.
    """
    df = salient(G, "usgs-mcs2026-salient")
    if not len(df):
        return df
    phrase = df["detail"].astype(str)
    df["column"] = phrase
    form = phrase.map(lambda t: t.rsplit(": ", 1)[1].strip() if ": " in t else "")
    is_cons = df["measure"] == "consumption"
    low = phrase.str.lower()
    cons_detail = low.map(lambda t: "Apparent" if "apparent" in t else "Reported" if "reported" in t else "")
    df["detail"] = form.where(~is_cons | (cons_detail == ""), cons_detail)
    return df


def net_import_reliance(G: nx.MultiDiGraph, *, tolerance_pp: float = 2.0) -> pd.DataFrame:
    """Published NIR per commodity, form and year beside the value recomputed from
    imports, exports, stock changes and apparent consumption, for each MCS edition in
    ``G``: MCS 2024 (salient files, 2019–2023) and MCS 2026 (the data release's salient
    statistics, 2021–2025, :func:`salient_2026`). Years both cover appear twice, once per
    edition (USGS revises them).

    Columns: ``edition, commodity, year, form, published_pct, published_qualifier, imports_t,
    exports_t, stock_change_t, consumption_t, consumption_column, recomputed_pct,
    difference_pp, agreement, explanation, fig2_pct, fig2_qualifier``. ``agreement`` is
    ``agree`` (within ``tolerance_pp``; USGS rounds to whole percent and caps at 100),
    ``consistent with bound``, ``disagree``, ``not recomputable`` or ``no published value``.
    Sorted by commodity, form, year, edition.
    """
    frames = [
        _nir_of(G, s, tolerance_pp).assign(edition=ed)
        for ed, s in ((2024, salient(G)), (2026, salient_2026(G)))
        if len(s)
    ]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    cols = ["edition", *[c for c in out.columns if c != "edition"]]
    return out[cols].sort_values(["commodity", "form", "year", "edition"], kind="stable").reset_index(drop=True)


def _nir_of(G: nx.MultiDiGraph, s: pd.DataFrame, tolerance_pp: float) -> pd.DataFrame:
    """:func:`net_import_reliance` for one edition's salient table ``s``."""
    fig2 = {(v.split(":", 1)[1], d.get("year")): d for u, v, d in _edges(G, "IMPORT_RELIANCE") if u == "country:USA"}
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
                why = (
                    "; ".join(
                        x
                        for x in (
                            imp_note if imp is None else "",
                            exp_note if exp is None else "",
                            cons_col if cons is None else "consumption missing or zero",
                        )
                        if x
                    )
                    or why
                )
            elif agreement == "disagree":
                reasons = []
                if len(stocks) and stock_change is None:
                    reasons.append(stock_note)
                if (
                    "Reported" in cons_col
                    or cons_col == "Consump_t"
                    and len(rows[rows["measure"] == "consumption"]) > 1
                ):
                    reasons.append("USGS's NIR uses apparent consumption; the consumption column here may differ")
                if len(rows[rows["measure"] == "shipments"]):
                    reasons.append(
                        "government stockpile shipments are part of USGS's adjustments but not of the recomputation"
                    )
                if form and cons_col and form not in cons_col:
                    reasons.append(f"components for form {form!r} are not published separately")
                why = "; ".join(reasons) or (
                    "USGS adjusts for stock changes and uses unpublished detail; see the MCS chapter"
                )
            f2 = fig2.get((com, int(year)))
            out.append(
                {
                    "commodity": com,
                    "year": int(year),
                    "form": form,
                    "published_pct": r.value,
                    "published_qualifier": r.qualifier,
                    "imports_t": imp,
                    "exports_t": exp,
                    "stock_change_t": stock_change,
                    "consumption_t": cons,
                    "consumption_column": cons_col,
                    "recomputed_pct": recomputed,
                    "difference_pp": diff,
                    "agreement": agreement,
                    "explanation": why,
                    "fig2_pct": f2.get("pct") if f2 else None,
                    "fig2_qualifier": f2.get("qualifier", "") if f2 else "",
                }
            )
    return pd.DataFrame(out)


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


def critical_minerals(G: nx.MultiDiGraph, list_year: int = 2022) -> list[str]:
    """A U.S. list of critical minerals, in schema order: the 2022 USGS list
    (``critical_2022``, 50 minerals) or the 2025 list (``critical_2025``, 60, MCS 2026 T6)."""
    if list_year not in (2022, 2025):
        raise ValueError(f"list {list_year}: expected 2022 or 2025")
    flag = f"critical_{list_year}"
    return [n.split(":", 1)[1] for n, d in _index(G).nodes.get("Commodity", []) if d.get(flag)]


def latest_nir_year(G: nx.MultiDiGraph) -> int | None:
    """The latest data year of U.S. net import reliance in ``G`` (Fig. 2 of the newest edition)."""
    years = [
        d.get("year") for u, _, d in _edges(G, "IMPORT_RELIANCE") if u == "country:USA" and d.get("year") is not None
    ]
    return max(years) if years else None


#: The import-source period USGS ranks in the edition that gives NIR for each data year.
IMPORT_PERIOD = {2023: "2019-2022", 2024: "2020-2023", 2025: "2021-2024"}


def modelled_commodities(G: nx.MultiDiGraph) -> list[str]:
    """List members, their groups and the commodities USGS reports them through, that have
    a USGS world production table (even one published without quantities, as germanium's
    refinery table: all NA/W) or cited processing shares in ``G``. Those without quantities
    stay in the tables with a status saying why they are not modelled, rather than being
    dropped silently."""
    crit = critical_minerals(G)
    cands = set(crit) | {commodity_by_id(c).group for c in crit if commodity_by_id(c).group}
    cands |= {r for c in crit for r in USGS_LIST_RELATED.get(c, ())}
    have = {
        v.split(":", 1)[1]
        for u, v, d in _edges(G, "PRODUCES")
        if u.startswith("country:")
        and (
            d.get("measure") == "production"
            or (d.get("measure") == "world_share_pct" and d.get("quantity") is not None)
        )
    }
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
    for u, v, d in _edges(G, "IMPORT_RELIANCE"):
        if u == "country:USA" and d.get("year") == year:
            fig2.setdefault(v.split(":", 1)[1], []).append(d)
    t5: dict[str, dict] = {}
    for u, v, d in _edges(G, "STATISTIC"):
        if (
            u == "country:USA"
            and d.get("measure") == "net_import_reliance"
            and d.get("year") == year
            and str(d.get("source")).endswith(("-t5", "-t7"))
        ):
            t5[v.split(":", 1)[1]] = d  # critical-mineral salient table: T5 (MCS 2024/2025), T7 (MCS 2026)
    named: dict[tuple[str, str], str] = {}  # (commodity, measure) -> country the salient table names
    for u, v, d in _edges(G, "STATISTIC"):
        if (
            d.get("year") == year
            and str(d.get("source")).endswith(("-t5", "-t7"))
            and d.get("measure") in ("primary_import_source", "leading_country_production")
        ):
            named[(v.split(":", 1)[1], str(d["measure"]))] = u.split(":", 1)[1]
    first_source: dict[str, str] = {}
    period = IMPORT_PERIOD.get(year)
    for u, v, d in _edges(G, "TRADES"):
        if (
            v == "country:USA"
            and d.get("rank") == 1
            and d.get("period") == period
            and str(d.get("source", "")).endswith("-fig2")
        ):
            first_source.setdefault(str(d.get("commodity")), u.split(":", 1)[1])
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
        rows.append(
            {
                "mineral": m,
                "year": year,
                "via": via,
                "label": label,
                "pct": pct,
                "qualifier": q,
                "band": band_of(pct, q),
                "primary_import_source": first_source.get(via, ""),
                "salient_import_source": named.get((via, "primary_import_source"), ""),
                "leading_producer": named.get((via, "leading_country_production"), ""),
                "source": src,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "mineral",
            "year",
            "via",
            "label",
            "pct",
            "qualifier",
            "band",
            "primary_import_source",
            "salient_import_source",
            "leading_producer",
            "source",
        ],
    )


def list_summary(bands: pd.DataFrame, country: str = "CHN", *, group_lanthanides: bool = True) -> dict[str, int]:
    """The counts the USMCA review quotes ("over 50% import-dependent for 33 of 60 critical
    minerals, 14 of which are sourced primarily from the PRC"), from one :func:`nir_bands` table.

    Counting rule (stated in ``docs/methods.md``):

    * ``group_lanthanides``: the 2025 list names each lanthanide; USGS reports them in one
      chapter ("Rare earths"), so they count once, as rare earths. Yttrium and scandium
      have chapters of their own and count separately. Without grouping, each counts.
    * "over 50%": band 100%, >75 or >50; a published bound ``>50`` counts, ``>25``/``<50``
      do not; net exporters and minerals with no published value do not.
    * "sourced primarily from" a country, three readings, each counted among those over 50%:
      ``first_import_source`` (first in Fig. 2's ranked import sources of the row the
      mineral is banded through), ``salient_import_source`` (the critical-mineral salient
      table's "primary import source": T5 in MCS 2024/2025, T7 in MCS 2026), and
      ``leading_producer`` (the country the salient table names as the leading producer).

    Returns ``counted`` (minerals after grouping), ``at_100``, ``over_50`` (100% included),
    ``over_50_first_import_source_<country>``, ``over_50_salient_import_source_<country>``,
    ``over_50_leading_producer_<country>``, ``no_value``.
    """
    b = bands
    if group_lanthanides:
        unit = ["rare_earths" if m in LANTHANIDES else m for m in b["mineral"]]
        b = b.assign(_unit=unit).drop_duplicates("_unit")
    over = b["band"].isin(["100%", ">75", ">50"])
    return {
        "counted": len(b),
        "at_100": int((b["band"] == "100%").sum()),
        "over_50": int(over.sum()),
        f"over_50_first_import_source_{country}": int((over & (b["primary_import_source"] == country)).sum()),
        f"over_50_salient_import_source_{country}": int((over & (b["salient_import_source"] == country)).sum()),
        f"over_50_leading_producer_{country}": int((over & (b["leading_producer"] == country)).sum()),
        "no_value": int((b["band"] == "no published value").sum()),
    }


#: The lanthanides (rare earths other than yttrium and scandium), counted once by USGS.
LANTHANIDES = frozenset(
    {
        "lanthanum",
        "cerium",
        "praseodymium",
        "neodymium",
        "promethium",
        "samarium",
        "europium",
        "gadolinium",
        "terbium",
        "dysprosium",
        "holmium",
        "erbium",
        "thulium",
        "ytterbium",
        "lutetium",
    }
)


def _label_rank(commodity: str, label: str) -> tuple[int, str]:
    """Prefer the Fig. 2 row named after the commodity itself (BAUXITE over ALUMINA)."""
    head = commodity_by_id(commodity).name.split()[0].upper()
    return (0 if label.upper().startswith(head) else 1, label)


def band_counts(bands: pd.DataFrame) -> pd.DataFrame:
    """Number of list members per band, in Fig. 2 order (bands with none included)."""
    counts = bands.groupby("band").size()
    return pd.DataFrame({"band": list(BANDS), "minerals": [int(counts.get(b, 0)) for b in BANDS]})


def registered_capacity_shares(
    G: nx.MultiDiGraph, commodity: str, stage: str, country: str = "CHN"
) -> dict[str, object]:
    """Share of registered, converted capacity at ``stage`` located in / controlled from
    ``country``. Only operating places with a capacity convertible to the USGS basis count."""
    members = {commodity, *group_members(commodity)}
    total = located = controlled = 0.0
    n = 0
    for p, d in _index(G).places_of(members):  # Sites and Facilities with one of the members
        if d.get("status") != "operating":
            continue
        if stage not in str(d.get("stages", "")).split(";"):
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
    return {
        "places": n,
        "capacity_t": round(total, 1),
        "located_pct": round(100 * located / total, 1),
        "controlled_pct": round(100 * controlled / total, 1),
    }


def import_shares(G: nx.MultiDiGraph, importer: str = "USA") -> dict[str, dict[str, Any]]:
    """Per commodity, the import-source shares the analyses use: ``{commodity: {shares:
    {iso3: pct}, period, form, source, source_url}}``.

    Rule: the latest period; within it USGS's published percentages (MCS 2026 chapters,
    2021–24) before a curated cited table; within one source the form USGS lists first
    in the chapter (its main form; the other forms are in the TRADES edges). Bilateral
    BACI values carry no share here (see :func:`trade_share_comparison`).
    """
    sets: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
    for u, v, d in _edges(G, "TRADES"):
        if v != f"country:{importer}" or d.get("share_pct") is None:
            continue
        key = (str(d.get("period", "")), str(d.get("source", "")), str(d.get("label", "")))
        entry = sets.setdefault(str(d.get("commodity")), {}).setdefault(
            key, {"shares": {}, "first_row": 10**9, "source_url": d.get("source_url")}
        )
        entry["shares"][u.split(":", 1)[1]] = float(d["share_pct"])
        entry["first_row"] = min(int(entry["first_row"]), int(d.get("row") or 10**8))
    out: dict[str, dict[str, Any]] = {}
    for c, by_key in sets.items():

        def rank(
            k: tuple[str, str, str], by: dict[tuple[str, str, str], dict[str, Any]] = by_key
        ) -> tuple[str, int, int]:
            return (k[0], int(k[1].startswith("usgs-")), -int(by[k]["first_row"]))

        best = max(by_key, key=rank)
        out[c] = {
            "shares": by_key[best]["shares"],
            "period": best[0],
            "source": best[1],
            "form": best[2],
            "source_url": by_key[best]["source_url"],
        }
    return out


def trade_share_comparison(G: nx.MultiDiGraph, importer: str = "USA") -> pd.DataFrame:
    """USGS's import-source shares next to the shares BACI's bilateral values give.

    For every commodity with both: per exporter, ``usgs_share_pct`` (the shares
    :func:`import_shares` uses: MCS 2026, 2021–24, the chapter's main form) and
    ``baci_share_pct_<year>`` = the exporter's share of ``importer``'s imports by value of
    the HS6 codes mapped to the commodity (``data/hs_commodities.csv``), for each BACI year,
    and ``diff_pp_<latest year>`` = BACI minus USGS in percentage points. USGS's "Other
    countries" (``ROW``) is compared with the sum of the exporters USGS does not name.
    The model uses USGS's shares (a cited, per-form, multi-year figure); BACI is shown for
    comparison because its HS codes are narrow proxies (e.g. 2836.91 is lithium carbonate
    only) and its values are CEPII's reconciled mirror flows.
    Columns: ``commodity, exporter, usgs_share_pct, usgs_period, usgs_form, hs6_codes,
    baci_share_pct_<y>..., diff_pp_<y>``, sorted by commodity and USGS share (desc).
    """
    usgs = import_shares(G, importer)
    values: dict[tuple[str, int], dict[str, float]] = {}
    codes: dict[str, set[str]] = {}
    for u, v, d in _edges(G, "TRADES"):
        if (
            v == f"country:{importer}"
            and d.get("value_usd") is not None
            and str(d.get("source", "")).startswith("cepii-baci")
        ):
            c, y = str(d.get("commodity")), int(str(d.get("period"))[:4])
            values.setdefault((c, y), {}).setdefault(u.split(":", 1)[1], 0.0)
            values[(c, y)][u.split(":", 1)[1]] += float(d["value_usd"])
            codes.setdefault(c, set()).add(
                str(d.get("note", "")).split(" ")[1] if " " in str(d.get("note", "")) else ""
            )
    years = sorted({y for _, y in values})
    rows = []
    for c, pick in sorted(usgs.items()):
        if not any((c, y) in values for y in years):
            continue
        named = set(pick["shares"])
        for exp, share in sorted(pick["shares"].items(), key=lambda kv: (-kv[1], kv[0])):
            row: dict[str, Any] = {
                "commodity": c,
                "exporter": exp,
                "usgs_share_pct": share,
                "usgs_period": pick["period"],
                "usgs_form": pick["form"],
                "hs6_codes": ";".join(sorted(x for x in codes.get(c, ()) if x)),
            }
            for y in years:
                vals = values.get((c, y))
                if not vals:
                    row[f"baci_share_pct_{y}"] = None
                    continue
                tot = sum(vals.values())
                part = sum(v for k, v in vals.items() if k not in named) if exp == "ROW" else vals.get(exp, 0.0)
                row[f"baci_share_pct_{y}"] = round(100 * part / tot, 1) if tot else None
            last = row.get(f"baci_share_pct_{years[-1]}") if years else None
            row[f"diff_pp_{years[-1]}" if years else "diff_pp"] = (
                round(float(last) - share, 1) if last is not None else None
            )
            rows.append(row)
    return pd.DataFrame(rows)


def prc_exposure(
    G: nx.MultiDiGraph,
    commodities: Iterable[str] | None = None,
    *,
    country: str = "CHN",
    params: FlowParams | None = None,
    networks: Mapping[str, nx.DiGraph] | None = None,
) -> pd.DataFrame:
    """The PRC's weight in each commodity's supply to the U.S., by stage.

    ``networks``: prebuilt supply networks by commodity (built from ``G`` with
    ``params``); a commodity missing from it is built here.

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
    for u, v, d in _edges(G, "TRADES"):
        if v == "country:USA" and d.get("rank") is not None and u == f"country:{country}":
            ranks[(d.get("commodity"), str(d.get("period")))] = int(d["rank"])
    chosen = import_shares(G)
    shares = {c: v["shares"] for c, v in chosen.items()}
    rows = []
    for c in commodities:
        y, mined, _ = world_production(G, c, "mining")
        wld = mined.pop("WLD", None) or sum(mined.values())
        mine_share = round(100 * mined.get(country, 0.0) / wld, 1) if y and wld else None
        net = network_of(G, c, params, networks)
        proc_stage, proc_share, basis = None, None, ""
        proc = {
            n: a for n, a in net.nodes(data=True) if a.get("role") == "country" and a.get("stage") not in ("mining",)
        }
        cited = cited_processing_shares(G, c)
        if proc:
            tot = sum(a.get("total", 0.0) for a in proc.values())
            proc_stage = next(iter(proc.values())).get("stage")
            proc_share = (
                round(100 * sum(a.get("total", 0.0) for a in proc.values() if a.get("iso3") == country) / tot, 1)
                if tot
                else None
            )
            basis = next(
                (a for a in net.graph["assumptions"] if a.startswith("processing = ")),
                f"USGS {proc_stage} production by country ({net.graph.get('year')}): the supply layer",
            )
        elif net.graph.get("supply_stage") not in (None, "mining") and y is None and not net.graph.get("not_modelled"):
            y2, tonnes, _ = world_production(G, c, net.graph["supply_stage"])
            w = tonnes.pop("WLD", None) or sum(tonnes.values())
            proc_stage, proc_share = (
                net.graph["supply_stage"],
                round(100 * tonnes.get(country, 0.0) / w, 1) if w else None,
            )
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
        pick = chosen.get(c, {})
        row = {
            "commodity": c,
            "import_rank_2019_2022": ranks.get((c, "2019-2022")),
            "import_rank_2020_2023": ranks.get((c, "2020-2023")),
            "import_rank_2021_2024": ranks.get((c, "2021-2024")),
            "import_share_pct": shares[c].get(country, 0.0) if c in shares else None,
            "import_share_period": pick.get("period"),
            "import_share_form": pick.get("form"),
            "import_share_source": pick.get("source_url"),
            "mine_share_pct": mine_share,
            "processing_stage": proc_stage,
            "processing_share_pct": proc_share,
            "processing_basis": basis,
        }
        for stage in PROCESSING_STAGES:
            r = registered_capacity_shares(G, c, stage, country)
            if r["places"]:
                row[f"registered_{stage}_located_pct"] = r["located_pct"]
                row[f"registered_{stage}_controlled_pct"] = r["controlled_pct"]
        feed_share = proc_share if proc_stage and mine_share is None else mine_share
        if c in shares and feed_share is not None:
            direct = shares[c].get(country, 0.0)
            others = sum(v for k, v in shares[c].items() if k not in (country, "ROW", "OTH"))
            row["embodied_share_pct"] = round(direct + others * feed_share / 100.0, 1)
        row["assumptions"] = (
            "embodied: third-country processors draw on the world pool, so their output "
            "carries the PRC's world share of the feeding stage"
            if c in shares
            else ""
        )
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values("commodity", kind="stable").reset_index(drop=True)


def import_source_counts(
    G: nx.MultiDiGraph, commodities: Iterable[str] | None = None, period: str | None = None
) -> pd.DataFrame:
    """For each country: the commodities it is a major U.S. import source of (USGS Fig. 2).

    ``period`` (e.g. ``"2020-2023"``) defaults to the latest one. Columns: ``iso3,
    commodities_count, commodities, best_rank``, sorted by count (desc) then ISO3.
    """
    wanted = set(commodities) if commodities is not None else None
    rows = [
        (u.split(":", 1)[1], d)
        for u, v, d in _edges(G, "TRADES")
        if v == "country:USA" and d.get("rank") is not None and (wanted is None or d.get("commodity") in wanted)
    ]
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
    out = pd.DataFrame(
        [
            {
                "iso3": k,
                "commodities_count": len(v),
                "commodities": ";".join(sorted(v)),
                "best_rank": min(v.values()),
                "period": p,
            }
            for k, v in acc.items()
        ]
    )
    return out.sort_values(["commodities_count", "iso3"], ascending=[False, True], kind="stable").reset_index(drop=True)
