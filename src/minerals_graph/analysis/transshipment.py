"""Transshipment and circumvention flags: countries that may pass PRC material on to North
America under their own name (docs/methods.md §11).

Three tests, each on the property graph's trade evidence and each flag carrying its
numbers:

``mass-balance``
    For a country ``X`` outside North America that exports the HS6 code to the U.S.,
    Canada or Mexico, in a year with tonnes (BACI 2024): ``surplus = exports - (production
    + imports)``, all in tonnes of the same form (only codes marked ``same_form`` in
    ``data/hs_commodities.csv``, compared with USGS production at that code's stage).
    Flagged when ``surplus > rel_tol x exports`` and ``surplus > abs_tol_t``: a country
    cannot export, year after year, more than it makes and brings in; the tolerance covers
    stock changes, timing and reporting differences. ``robust`` says whether the flag holds
    even if ``X``'s production were the whole USGS "Other countries" total (for a country
    USGS does not list). Withheld production: not tested.
``rise``
    Between the two trade years (BACI 2022 and 2024, current USD): ``X``'s exports of the
    code to the U.S., Canada and Mexico rose by at least ``rise_pct`` % and ``rise_min_usd``,
    and ``X``'s imports of the same code from the PRC rose by at least ``rise_pct`` % and by
    at least ``match_share`` of the export rise.
``source-gap``
    The exporter's share of U.S. imports by USGS (U.S. Census, the importer's records) and
    by BACI (CEPII's reconciliation of both sides) differ by at least ``gap_pp`` percentage
    points (:func:`~minerals_graph.analysis.dependence.trade_share_comparison`). The
    extract has no separate exporter-reported figures, so this is the nearest available
    mirror comparison.

A flag is a lead for an analyst, not a finding: re-exports through free zones, stock
draws and classification differences produce the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from minerals_graph.analysis.allocation import hs_code, hs_stage
from minerals_graph.schema import USMCA_MEMBERS, WORLD_EXPORTS, WORLD_IMPORTS

__all__ = ["TransshipmentParams", "transshipment_flags", "TRANSSHIPMENT_COLUMNS"]

TRANSSHIPMENT_COLUMNS = [
    "test",
    "country",
    "commodity",
    "hs6",
    "stage",
    "year",
    "flag",
    "robust",
    "exports_t",
    "imports_t",
    "production_t",
    "surplus_t",
    "surplus_pct_of_exports",
    "exports_na_usd_before",
    "exports_na_usd_after",
    "imports_prc_usd_before",
    "imports_prc_usd_after",
    "usgs_share_pct",
    "baci_share_pct",
    "gap_pp",
    "evidence",
    "reading",
]


@dataclass(frozen=True)
class TransshipmentParams:
    """Tolerances of the three tests (defaults documented in docs/methods.md §11)."""

    #: mass balance: surplus above this share of exports ...
    rel_tol: float = 0.20
    #: ... and above this many tonnes
    abs_tol_t: float = 10.0
    #: rise: minimum relative rise (%) of exports to North America and of imports from the PRC
    rise_pct: float = 50.0
    #: rise: minimum absolute rise of exports to North America (USD)
    rise_min_usd: float = 1_000_000.0
    #: rise: the PRC import rise must be at least this share of the export rise
    match_share: float = 0.25
    #: source gap: minimum |BACI - USGS| share difference (percentage points)
    gap_pp: float = 15.0
    #: the exporting country whose material may be passed on
    origin: str = "CHN"


def _world_totals(
    G: nx.MultiDiGraph,
) -> tuple[dict[tuple[str, str, int, str, str], float], dict[tuple[str, str], tuple[str, str]]]:
    """The world trade totals ``{(iso3, hs6, year, measure, unit): value}`` and
    ``{(iso3, hs6): (commodity, stage)}`` of the countries that have them, in one pass."""
    totals: dict[tuple[str, str, int, str, str], float] = {}
    stages: dict[tuple[str, str], tuple[str, str]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "STATISTIC" and d.get("measure") in (WORLD_EXPORTS, WORLD_IMPORTS):
            detail = str(d.get("detail", ""))
            iso3, hs6 = u.split(":", 1)[1], hs_code(detail)
            totals[(iso3, hs6, int(d["year"]), str(d["measure"]), str(d.get("unit")))] = float(d["value"])
            if d["measure"] == WORLD_EXPORTS:
                stages[(iso3, hs6)] = (v.split(":", 1)[1], hs_stage(detail))
    return totals, stages


def _flows(G: nx.MultiDiGraph) -> tuple[dict[tuple[str, str, str, int], float], dict[str, tuple[str, str]]]:
    """The BACI flows in the graph ``{(exporter, importer, hs6, year): USD}`` and
    ``{hs6: (commodity, stage)}``, in one pass."""
    out: dict[tuple[str, str, str, int], float] = {}
    stages: dict[str, tuple[str, str]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "TRADES" or not str(d.get("source", "")).startswith("cepii-baci"):
            continue
        note = str(d.get("note", ""))
        if not note.startswith("HS ") or d.get("value_usd") is None:
            continue
        hs6 = hs_code(note)
        stages[hs6] = (str(d.get("commodity")), hs_stage(note))
        key = (u.split(":", 1)[1], v.split(":", 1)[1], hs6, int(str(d.get("period"))[:4]))
        out[key] = out.get(key, 0.0) + float(d["value_usd"])
    return out, stages


def _mass_balance(G: nx.MultiDiGraph, p: TransshipmentParams) -> list[dict[str, Any]]:
    from minerals_graph.analysis.allocation import _same_form_codes
    from minerals_graph.analysis.flow import world_production

    tot, stages = _world_totals(G)
    same = _same_form_codes()
    rows = []
    for (iso3, hs6, year, measure, unit), exports in sorted(tot.items()):
        if measure != WORLD_EXPORTS or unit != "t" or iso3 in USMCA_MEMBERS:
            continue
        commodity, stage = stages.get((iso3, hs6), ("", ""))
        form = same.get(commodity)
        base: dict[str, Any] = {
            "test": "mass-balance",
            "country": iso3,
            "commodity": commodity,
            "hs6": hs6,
            "stage": stage,
            "year": year,
            "exports_t": round(exports, 3),
        }
        imports = tot.get((iso3, hs6, year, WORLD_IMPORTS, "t"))
        if imports is None and (iso3, hs6, year, WORLD_IMPORTS, "USD") in tot:
            rows.append({**base, "flag": False, "reading": "not tested: some imports of the code have no tonnes"})
            continue
        imports = imports or 0.0
        base["imports_t"] = round(imports, 3)
        if not form or hs6 not in form[1]:
            rows.append(
                {
                    **base,
                    "flag": False,
                    "reading": "not tested: USGS publishes no production in the same form as this HS code",
                }
            )
            continue
        usgs_stage = form[0]
        y, prod, quals = world_production(G, commodity, usgs_stage, year)
        if y != year:
            rows.append({**base, "flag": False, "reading": f"not tested: no USGS {usgs_stage} production for {year}"})
            continue
        if iso3 in quals and quals[iso3] != "--":
            rows.append(
                {**base, "flag": False, "reading": f"not tested: USGS {usgs_stage} production withheld ({quals[iso3]})"}
            )
            continue
        listed = iso3 in prod
        production = prod.get(iso3, 0.0)
        surplus = exports - production - imports
        flag = surplus > p.rel_tol * exports and surplus > p.abs_tol_t
        row_max = prod.get("ROW", 0.0)
        robust = flag and (listed or exports - row_max - imports > p.rel_tol * exports)
        evidence = (
            f"BACI {year} world exports {exports:,.0f} t and imports {imports:,.0f} t of HS {hs6}; USGS {usgs_stage} "
            f"production {year} "
            + (f"{production:,.0f} t" if listed else f"not listed (within 'Other countries' {row_max:,.0f} t)")
        )
        rows.append(
            {
                **base,
                "flag": bool(flag),
                "robust": bool(robust),
                "production_t": round(production, 3) if listed else None,
                "surplus_t": round(surplus, 3),
                "surplus_pct_of_exports": round(100 * surplus / exports, 1) if exports > 0 else None,
                "evidence": evidence,
                "reading": (
                    f"exports exceed production + imports by {surplus:,.0f} t ({100 * surplus / exports:.0f}% of "
                    f"exports): possible pass-through{'' if robust else ' (not robust: unlisted producer)'}"
                    if flag
                    else "balance within tolerance"
                ),
            }
        )
    return rows


def _rise(G: nx.MultiDiGraph, p: TransshipmentParams) -> list[dict[str, Any]]:
    flows, stages = _flows(G)
    years = sorted({y for *_, y in flows})
    if len(years) < 2:
        return []
    y0, y1 = years[0], years[-1]
    exp_na: dict[tuple[str, str, int], float] = {}
    imp_o: dict[tuple[str, str, int], float] = {}
    for (e, i, hs6, y), v in flows.items():
        if i in USMCA_MEMBERS and e not in USMCA_MEMBERS and e != p.origin:
            exp_na[(e, hs6, y)] = exp_na.get((e, hs6, y), 0.0) + v
        if e == p.origin and i not in USMCA_MEMBERS:
            imp_o[(i, hs6, y)] = imp_o.get((i, hs6, y), 0.0) + v
    rows = []
    for x, hs6 in sorted({(x, h) for x, h, _ in exp_na}):
        e0, e1 = exp_na.get((x, hs6, y0), 0.0), exp_na.get((x, hs6, y1), 0.0)
        i0, i1 = imp_o.get((x, hs6, y0), 0.0), imp_o.get((x, hs6, y1), 0.0)
        de, di = e1 - e0, i1 - i0
        exp_up = de >= p.rise_min_usd and (e0 == 0 or 100 * de / e0 >= p.rise_pct)
        imp_up = di > 0 and (i0 == 0 or 100 * di / i0 >= p.rise_pct) and di >= p.match_share * de
        if not exp_up:
            continue  # only the countries whose exports to North America rose sharply are reported
        commodity, stage = stages.get(hs6, ("", ""))
        rows.append(
            {
                "test": "rise",
                "country": x,
                "commodity": commodity,
                "hs6": hs6,
                "stage": stage,
                "year": y1,
                "flag": bool(imp_up),
                "robust": bool(imp_up),
                "exports_na_usd_before": round(e0, 3),
                "exports_na_usd_after": round(e1, 3),
                "imports_prc_usd_before": round(i0, 3),
                "imports_prc_usd_after": round(i1, 3),
                "evidence": (
                    f"BACI {y0}->{y1} (current USD), HS {hs6}: exports to USA+CAN+MEX {e0:,.0f} -> {e1:,.0f}; "
                    f"imports from {p.origin} {i0:,.0f} -> {i1:,.0f}"
                ),
                "reading": (
                    f"exports to North America +{de:,.0f} USD matched by imports from {p.origin} +{di:,.0f} USD"
                    if imp_up
                    else f"exports to North America rose, imports from {p.origin} did not rise to match"
                ),
            }
        )
    return rows


def _source_gap(G: nx.MultiDiGraph, p: TransshipmentParams) -> list[dict[str, Any]]:
    from minerals_graph.analysis.dependence import trade_share_comparison

    df = trade_share_comparison(G, "USA")
    if not len(df):
        return []
    diff_cols = sorted(c for c in df.columns if c.startswith("diff_pp_"))
    if not diff_cols:
        return []
    col = diff_cols[-1]
    year = int(col.rsplit("_", 1)[1])
    rows = []
    for r in df.to_dict("records"):
        gap = r.get(col)
        if gap is None or pd.isna(gap) or r["exporter"] in ("ROW", p.origin, *USMCA_MEMBERS):
            continue
        if abs(float(gap)) < p.gap_pp:
            continue
        baci = r.get(f"baci_share_pct_{year}")
        rows.append(
            {
                "test": "source-gap",
                "country": r["exporter"],
                "commodity": r["commodity"],
                "hs6": r.get("hs6_codes", ""),
                "stage": "",
                "year": year,
                "flag": True,
                "robust": False,
                "usgs_share_pct": r.get("usgs_share_pct"),
                "baci_share_pct": baci,
                "gap_pp": round(float(gap), 1),
                "evidence": (
                    f"USGS share of U.S. imports {r.get('usgs_share_pct')}% ({r.get('usgs_period')}, "
                    f"{r.get('usgs_form')}); BACI {year} share {baci}% (HS {r.get('hs6_codes')})"
                ),
                "reading": (
                    f"BACI shows {abs(float(gap)):.0f} points {'more' if float(gap) > 0 else 'less'} than USGS: "
                    "check the form (HS proxies are narrow) and the origin rules before reading it as relabelling"
                ),
            }
        )
    return rows


def transshipment_flags(
    G: nx.MultiDiGraph,
    params: TransshipmentParams | None = None,
    *,
    tests: Iterable[str] = ("mass-balance", "rise", "source-gap"),
) -> pd.DataFrame:
    """Every tested (country, commodity, HS6, year) of the three tests (module docstring),
    flagged or not, with its numbers, evidence and a one-line reading; flagged rows first
    (mass balance by surplus, rise by export rise, gaps by size)."""
    p = params or TransshipmentParams()
    run = {"mass-balance": _mass_balance, "rise": _rise, "source-gap": _source_gap}
    rows: list[dict[str, Any]] = []
    for t in tests:
        rows += run[t](G, p)
    df = pd.DataFrame(rows, columns=TRANSSHIPMENT_COLUMNS)
    if not len(df):
        return df
    order = {"mass-balance": 0, "rise": 1, "source-gap": 2}
    size = (
        df["surplus_t"].fillna(0).astype(float)
        + (df["exports_na_usd_after"].fillna(0) - df["exports_na_usd_before"].fillna(0)).astype(float) / 1e6
        + df["gap_pp"].abs().fillna(0).astype(float)
    )
    df = df.assign(_f=~df["flag"].astype(bool), _t=df["test"].map(order), _s=-size)
    return (
        df.sort_values(["_f", "_t", "_s", "country", "commodity", "hs6"])
        .drop(columns=["_f", "_t", "_s"])
        .reset_index(drop=True)
    )
