"""The main job's outputs as data: the analysis tables it writes and the briefing report.

:func:`report_tables` names every table the main job writes; :func:`report_markdown` and
:func:`report_html` return the briefing (``report.md`` and a self-contained ``report.html``
whose figures are embedded as ``data:`` URIs). Both read a
:class:`~minerals_graph.model.SupplyModel`, so the report, the figures and the CSV files
show the same memoised results. Writing is the caller's (``minerals-graph run``).

The briefing answers, in order: where the chokepoints are; how dependent the U.S., Canada,
Mexico and the USMCA are on the PRC at each stage (direct and embodied); what breaks under
each PRC cut-off preset. Every number cites its source as ``[n]``, listed under References
(publisher, dataset, year, URL, from the graph's source attributes).
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from minerals_graph.analysis import dependence as dep

if TYPE_CHECKING:  # pragma: no cover
    from minerals_graph.model import SupplyModel

__all__ = [
    "report_tables",
    "report_markdown",
    "report_html",
    "CUTOFF_PRESET",
    "fmt_t",
    "fmt_pct",
    "register_coverage",
]

#: The scenario the report leads with.
CUTOFF_PRESET = "prc-refining-cutoff"
MEMBERS = ("USA", "CAN", "MEX")
TITLE = "Critical minerals and the PRC: a briefing for the USMCA joint review"


def report_tables(model: SupplyModel) -> dict[str, pd.DataFrame]:
    """``{file name: table}`` of every analysis table of the main job, in writing order."""
    return {
        "accounting.csv": model.accounting(),
        "rejects.csv": model.rejects(),
        "net_import_reliance.csv": model.nir(),
        "nir_bands_2023.csv": model.bands(2023, 2022),
        "nir_bands_2024.csv": model.bands(2024, 2022),
        "nir_bands_2025.csv": model.bands(2025, 2025),
        "import_shares_usgs_vs_baci.csv": model.trade_share_comparison(),
        "export_controls.csv": pd.DataFrame(
            model.export_controls(), columns=["iso3", "commodity", "control_type", "year", "official_url"]
        ),
        "prc_exposure.csv": model.prc_exposure(),
        "prc_trade_exposure.csv": model.trade_exposure(),
        "chokepoints.csv": model.chokepoints(),
        f"whatif_{CUTOFF_PRESET}.csv": model.preset(CUTOFF_PRESET),
        "whatif_prc_export_controls.csv": _export_control_results(model),
        "transshipment_flags.csv": model.transshipment(),
        f"invest_{CUTOFF_PRESET}.csv": model.invest(CUTOFF_PRESET)[0],
        "trace_USA.csv": _traces(model, "USA"),
    }


def _export_control_results(model: SupplyModel) -> pd.DataFrame:
    """Every export-control preset's what-if rows, with the preset's name first."""
    frames = [
        model.preset(name).assign(preset=name)
        for name, p in sorted(model.presets().items())
        if p.kind == "export-control" and p.commodities and not name.endswith("-all")
    ]
    if not frames:
        return pd.DataFrame(columns=["preset"])
    df = pd.concat(frames, ignore_index=True)
    return df[["preset", *[c for c in df.columns if c != "preset"]]]


def _traces(model: SupplyModel, start: str) -> pd.DataFrame:
    """The product passport of every modelled commodity from ``start`` (the CSV form)."""
    from minerals_graph.analysis.trace import TRACE_COLUMNS, trace_table

    frames = [trace_table(model.trace(c, start)) for c in model.commodities]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TRACE_COLUMNS)


# -- rounding -------------------------------------------------------------------------------


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _sig(v: float) -> str:
    """Two significant figures at most, three for 100-999."""
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.1f}".rstrip("0").rstrip(".")


def fmt_t(x: Any) -> str:
    """Tonnes rounded for reading: ``0.4 t``, ``19 t``, ``16 kt``, ``1.6 Mt``; ``unknown`` for NaN."""
    v = _num(x)
    if v is None:
        return "unknown"
    a = abs(v)
    if a == 0:
        return "0 t"
    if a < 1000:
        return f"{_sig(v)} t"
    if a < 1e6:
        return f"{_sig(v / 1e3)} kt"
    return f"{_sig(v / 1e6)} Mt"


def fmt_pct(x: Any) -> str:
    """A percentage rounded to whole numbers (``<1%`` below one); ``unknown`` for NaN."""
    v = _num(x)
    if v is None:
        return "unknown"
    if 0 < v < 1:
        return "<1%"
    return f"{v:.0f}%"


def _name(commodity: str) -> str:
    return str(commodity).replace("_", " ")


# -- references -----------------------------------------------------------------------------


@dataclass
class _Refs:
    """Numbers sources in the order they are first cited; only sources with an http(s) URL."""

    sources: dict[str, dict[str, Any]]
    order: list[str] = field(default_factory=list)

    def cite(self, *keys: str | Iterable[str] | None) -> str:
        """``[n]`` for each key (or collection of keys) that names a source with a URL."""
        flat: list[str] = []
        for k in keys:
            if isinstance(k, str):
                flat.append(k)
            elif k is not None:
                flat += list(k)
        nums = []
        for k in flat:
            if k not in self.sources:
                continue
            if not str(self.sources[k].get("url") or "").startswith(("http://", "https://")):
                continue
            if k not in self.order:
                self.order.append(k)
            n = self.order.index(k) + 1
            if n not in nums:
                nums.append(n)
        return "".join(f"[{n}]" for n in sorted(nums))

    def entries(self) -> list[str]:
        out = []
        for i, k in enumerate(self.order, 1):
            s = self.sources[k]
            out.append(f"[{i}] {s.get('publisher')}. {s.get('dataset')}. {s.get('year')}. {s.get('url')}")
        return out


# -- blocks: one document, rendered as Markdown and as HTML --------------------------------

Block = tuple[str, Any]


def _table(rows: list[dict[str, str]]) -> Block:
    return ("table", rows)


def register_coverage(model: SupplyModel) -> tuple[int, int]:
    """(located, total) of the facility register's mines and facilities in the graph."""
    located = total = 0
    for _, d in model.G.nodes(data=True):
        if d.get("source") == "register" and d.get("kind") in ("Site", "Facility"):
            total += 1
            if _num(d.get("lat")) is not None and _num(d.get("lon")) is not None:
                located += 1
    return located, total


def _usa_cut(model: SupplyModel, preset: str) -> pd.DataFrame:
    cut = model.preset(preset)
    return cut[cut["demand"] == "USA"]


def _modelled(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"].astype(str).str.startswith("modelled")]


def _range(row: Any, unit: str) -> str:
    if unit == "t":
        lo, hi = fmt_t(row["shortfall_low_t"]), fmt_t(row["shortfall_high_t"])
    else:
        lo, hi = fmt_pct(row["shortfall_low_pct_of_demand"]), fmt_pct(row["shortfall_high_pct_of_demand"])
    return lo if lo == hi else f"{lo}–{hi}"


def _unknown(status: Any) -> str:
    s = str(status)
    s = s.split(":", 1)[1].strip() if s.startswith("demand unknown:") or s.startswith("not modelled:") else s
    return f"unknown ({s})"


def _edge_sources(
    model: SupplyModel, kind: str, *, year: int | None = None, keep: Callable[[str], bool] | None = None
) -> list[str]:
    """Source keys of the ``kind`` edges leaving a country (of data ``year`` when some edges
    have it), as the graph records them: what a figure built from those edges cites."""

    def collect(with_year: bool) -> list[str]:
        keys = set()
        for u, _, d in model.G.edges(data=True):
            if d.get("kind") != kind or not str(u).startswith("country:") or not d.get("source"):
                continue
            if with_year and _num(d.get("year")) != year:
                continue
            if keep is None or keep(str(d["source"])):
                keys.add(str(d["source"]))
        return sorted(keys)

    return (collect(True) if year is not None else []) or collect(False)


def _evidence_sources(model: SupplyModel, evidence: Any) -> list[str]:
    """The sources of a what-if row's import split: BACI trade, or USGS import shares/ranks."""
    if str(evidence) == "baci":
        return _edge_sources(model, "TRADES", keep=lambda k: "baci" in k)
    if str(evidence) == "none" or not isinstance(evidence, str):
        return []
    shares = _edge_sources(model, "TRADES", keep=lambda k: "import_sources" in k)
    if str(evidence) == "usgs-share" and shares:
        return shares
    return _edge_sources(model, "TRADES", keep=lambda k: "baci" not in k)


def _blocks(model: SupplyModel, figures: dict[str, dict[str, Path]] | None) -> tuple[list[Block], _Refs]:
    from minerals_graph.analysis.whatif import PRESET_DESCRIPTIONS, PRESETS
    from minerals_graph.figures import FIGURES, heatmap_table, top_chokepoint_rows

    refs = _Refs({str(s["source"]): s for s in model.sources()})
    cut_year = _num(model.preset(CUTOFF_PRESET)["year"].max()) if len(model.commodities) else None
    data_year = int(cut_year) if cut_year is not None else None
    world = _edge_sources(model, "PRODUCES", year=data_year)
    salient = _edge_sources(model, "STATISTIC", year=data_year)
    fig2 = _edge_sources(model, "IMPORT_RELIANCE", year=model.latest_nir_year())
    imports = _evidence_sources(model, "usgs-share")
    baci = _evidence_sources(model, "baci")
    controls = _edge_sources(model, "EXPORT_CONTROL")
    b: list[Block] = [("h1", TITLE)]

    def figure(stem: str) -> None:
        if figures and stem in figures:
            b.append(("img", (stem, figures[stem], FIGURES[stem][1])))

    # -- headline ------------------------------------------------------------------------
    cut_usa = _usa_cut(model, CUTOFF_PRESET)
    cut_mod = _modelled(cut_usa).sort_values("shortfall_pct_of_demand", ascending=False)
    ck_top = top_chokepoint_rows(model).sort_values("n1_loss_pct_of_demand", ascending=False)
    head: list[str] = []
    if len(ck_top):
        r = ck_top.iloc[0]
        prc_ck = int((ck_top["iso3"].eq("CHN") | ck_top["control_iso3"].eq("CHN")).sum())
        head.append(
            f"Chokepoints: for {prc_ck} of {len(ck_top)} modelled commodities the single node whose loss costs the "
            f"U.S. most is in or controlled from the PRC; the largest is {_name(r['commodity'])} ({r['label']}: "
            f"{fmt_pct(r['n1_loss_pct_of_demand'])} of U.S. supply)"
            + (
                f"; the largest in the PRC is {_name(p['commodity'])} ({p['label']}: "
                f"{fmt_pct(p['n1_loss_pct_of_demand'])})"
                if prc_ck
                and not (r["iso3"] == "CHN" or r["control_iso3"] == "CHN")
                and (p := ck_top[ck_top["iso3"].eq("CHN") | ck_top["control_iso3"].eq("CHN")].iloc[0]) is not None
                else ""
            )
            + f" {refs.cite(world, salient)}."
        )
    b25_year = model.latest_nir_year()
    if b25_year is not None:
        bands = model.bands(b25_year)
        if len(bands) and bands["band"].ne("no published value").any():
            s = dep.list_summary(bands)
            head.append(
                f"Dependence: in {b25_year} the U.S. relied on imports for over half its use of {s['over_50']} of "
                f"{s['counted']} critical minerals ({s['at_100']} entirely); the PRC was the first-ranked import "
                f"source for {s['over_50_first_import_source_CHN']} of them {refs.cite(fig2)}."
            )
    if len(cut_mod):
        r = cut_mod.iloc[0]
        n_hit = int((cut_mod["shortfall_pct_of_demand"] >= 10).sum())
        head.append(
            f"PRC refining cut-off: {n_hit} of {len(cut_mod)} commodities with known U.S. demand lose 10% or more; "
            f"the worst is {_name(r['commodity'])}, short {fmt_t(r['shortfall_t'])} of {fmt_t(r['demand_t'])} "
            f"({fmt_pct(r['shortfall_pct_of_demand'])}, range {_range(r, 'pct')})"
            + (
                f"; the largest in tonnes is {_name(big['commodity'])}, short {fmt_t(big['shortfall_t'])} of "
                f"{fmt_t(big['demand_t'])} ({fmt_pct(big['shortfall_pct_of_demand'])}, range {_range(big, 'pct')})"
                if (big := cut_mod.sort_values("shortfall_t", ascending=False).iloc[0])["commodity"] != r["commodity"]
                else ""
            )
            + f" {refs.cite(salient, world, _evidence_sources(model, r['evidence']))}."
        )
    b += [("h2", "Headline"), ("ul", head or ["No commodity could be modelled from these data."])]

    # -- 1. chokepoints ---------------------------------------------------------------------
    b += [
        ("h2", "1. Where the chokepoints are"),
        (
            "p",
            "For each commodity, the supply-network node (a country's output, a country's mines or "
            "processing, a registered facility or a port) whose removal alone cuts U.S. supply most "
            "(N-1 loss). A single point of failure (SPOF) is a node every unit of supply passes through. "
            f"World production by country {refs.cite(world)}; U.S. demand is apparent consumption "
            f"{refs.cite(salient)}; import sources {refs.cite(imports)}.",
        ),
    ]
    rows = []
    for _, r in ck_top.iterrows():
        rows.append(
            {
                "commodity": _name(r["commodity"]),
                "chokepoint": str(r["label"]),
                "stage": str(r["stage"]).replace("_", " "),
                "controlled from": str(r["control_iso3"] or r["iso3"]),
                "U.S. supply lost": f"{fmt_t(r['n1_loss_t'])} ({fmt_pct(r['n1_loss_pct_of_demand'])})",
                "single point of failure": "yes" if bool(r["spof"]) else "no",
            }
        )
    b.append(_table(rows) if rows else ("p", "No modelled commodity."))
    figure("top_chokepoints")

    # -- 2. dependence ----------------------------------------------------------------------
    b += [
        ("h2", "2. How dependent the U.S., Canada, Mexico and the USMCA are on the PRC"),
        (
            "p",
            "By stage: the PRC's share of world mining and of world processing (the stage it leads) "
            f"{refs.cite(world)}; then each country's direct dependence, the PRC's share of its imports "
            f"(BACI trade values {refs.cite(baci)} or USGS import shares "
            f"{refs.cite(imports)}), and, in brackets, the embodied share: PRC material in its supply "
            "counting what third-country processors buy from the PRC (docs/methods.md §3). The USMCA "
            "figure weights the members by their demand; it is unknown where a member's demand is.",
        ),
    ]
    figure("nir_by_mineral")
    te = model.trade_exposure()
    cut_all = model.preset(CUTOFF_PRESET)
    heat = heatmap_table(model) if len(model.commodities) else pd.DataFrame()
    rows = []
    for com in heat.index:
        row = {
            "commodity": _name(com),
            "PRC world mining": fmt_pct(heat.at[com, "world mining"]),
            "PRC world processing": fmt_pct(heat.at[com, "world processing"]),
        }
        shares: dict[str, float | None] = {}
        for iso in MEMBERS:
            t = te[(te["commodity"] == com) & (te["importer"] == iso)] if len(te) else te
            if len(t) and _num(t.iloc[0]["prc_share_pct"]) is not None:
                d, e = t.iloc[0]["prc_share_pct"], t.iloc[0]["embodied_share_pct"]
                shares[iso] = _num(d)
                row[iso] = f"{fmt_pct(d)} ({fmt_pct(e)})"
            elif iso == "USA" and _num(heat.at[com, "U.S. imports (direct)"]) is not None:
                shares[iso] = _num(heat.at[com, "U.S. imports (direct)"])
                row[iso] = f"{fmt_pct(shares[iso])} ({fmt_pct(heat.at[com, 'U.S. supply (embodied)'])})"
            else:
                shares[iso] = None
                basis = str(t.iloc[0]["basis"]) if len(t) else "no trade evidence"
                row[iso] = f"unknown ({basis})"
        c = cut_all[cut_all["commodity"] == com]
        demand = {iso: _num(c[c["demand"] == iso]["demand_t"].max()) if len(c) else None for iso in MEMBERS}
        if all(demand[i] is not None and shares[i] is not None for i in MEMBERS):
            tot = sum(demand[i] or 0 for i in MEMBERS)
            row["USMCA"] = (
                fmt_pct(sum((shares[i] or 0) * (demand[i] or 0) for i in MEMBERS) / tot) if tot else "unknown"
            )
        else:
            u = c[c["demand"] == "USMCA"]
            missing = [i for i in MEMBERS if demand[i] is None]
            why = f"demand of {', '.join(missing)} unknown" if missing else "a member's import share unknown"
            row["USMCA"] = f"unknown ({why})" if len(u) or missing else "unknown"
        rows.append(row)
    b.append(_table(rows) if rows else ("p", "No modelled commodity."))
    figure("prc_share_heatmap")

    # -- 3. what breaks ---------------------------------------------------------------------
    b += [
        ("h2", "3. What breaks under a PRC cut-off"),
        (
            "p",
            "Each scenario removes nodes from every commodity's supply network and re-allocates what is "
            "left. Headline: the realistic allocation (domestic output first, imports by their pre-disruption "
            "trade shares, third-country processors limited by the feed still reaching them); the range runs "
            "from the optimistic bound (U.S. served first) to the pessimistic one (the world's remaining "
            "supply shared by demand) (docs/methods.md §7). The PRC cut-offs below "
            f"({', '.join(sorted(PRESETS))}) remove PRC nodes; the export-control presets after them stop only "
            f"the PRC's exports of a controlled commodity to North America {refs.cite(controls)}.",
        ),
    ]
    for name in [CUTOFF_PRESET, *sorted(p for p in PRESETS if p != CUTOFF_PRESET)]:
        usa = _usa_cut(model, name)
        mod = _modelled(usa).sort_values("shortfall_pct_of_demand", ascending=False)
        b += [("h3", f"{name}: {PRESET_DESCRIPTIONS.get(name, '')}")]
        if len(mod):
            worst = [
                f"{_name(r['commodity'])} {fmt_pct(r['shortfall_pct_of_demand'])} ({_range(r, 'pct')})"
                for _, r in mod.head(3).iterrows()
                if (_num(r["shortfall_pct_of_demand"]) or 0) > 0
            ]
            b.append(
                (
                    "p",
                    f"U.S.: {int((mod['shortfall_pct_of_demand'] > 0).sum())} of {len(mod)} commodities with known "
                    f"demand fall short; worst: {'; '.join(worst) or 'none'}. "
                    f"{len(usa) - len(mod)} commodities have unknown U.S. demand or production.",
                )
            )
        allp = model.preset(name)
        rows = []
        for _, r in usa.sort_values("shortfall_pct_of_demand", ascending=False, na_position="last").iterrows():
            com = r["commodity"]
            ok = str(r["status"]).startswith("modelled")
            others = []
            for iso in ("CAN", "MEX", "USMCA"):
                o = allp[(allp["commodity"] == com) & (allp["demand"] == iso)]
                status = str(o.iloc[0]["status"]) if len(o) else "no row"
                if status.startswith("modelled"):
                    note = status.split(";", 1)[1].strip() if ";" in status else ""
                    others.append(
                        f"{iso} {fmt_pct(o.iloc[0]['shortfall_pct_of_demand'])}" + (f" ({note})" if note else "")
                    )
                else:
                    others.append(f"{iso} {_unknown(status)}" if iso == "USMCA" else f"{iso} unknown")
            rows.append(
                {
                    "commodity": _name(com),
                    "U.S. demand": fmt_t(r["demand_t"]) if ok else "unknown",
                    "U.S. shortfall": (
                        f"{fmt_t(r['shortfall_t'])} ({fmt_pct(r['shortfall_pct_of_demand'])})"
                        if ok
                        else _unknown(r["status"])
                    ),
                    "range": f"{_range(r, 't')} ({_range(r, 'pct')})" if ok else "",
                    "Canada, Mexico, USMCA": "; ".join(others),
                    "evidence": (
                        f"{r['evidence']} {refs.cite(salient, world, _evidence_sources(model, r['evidence']))}"
                        if ok
                        else ""
                    ),
                    "why": str(r["reason"]) if ok and isinstance(r["reason"], str) else "",
                }
            )
        b.append(_table(rows) if rows else ("p", "No commodity."))
        if name == CUTOFF_PRESET:
            figure("cutoff_shortfall")
    b += _export_control_blocks(model, refs, controls)
    b += _transshipment_blocks(model, refs, baci)
    figure("transshipment_flags")
    b += _trace_blocks(model, refs)
    b += _invest_blocks(model, refs)
    figure("invest_ranking")

    # -- data and limits ------------------------------------------------------------------
    located, total = register_coverage(model)
    ev = _modelled(cut_usa)
    ev_lines = []
    for e, g in ev.groupby("evidence"):
        ev_lines.append(
            f"{e} {refs.cite(_evidence_sources(model, e))}: {', '.join(_name(c) for c in sorted(g['commodity']))}"
        )
    unknown = cut_usa[~cut_usa["status"].astype(str).str.startswith("modelled")]
    b += [
        ("h2", "Data and limits"),
        (
            "ul",
            [
                "Trade evidence each commodity's U.S. import split uses (BACI: CEPII trade values/tonnes; "
                "usgs-share: USGS import shares 2021–24; rank: USGS source ranks only): " + "; ".join(ev_lines)
                if ev_lines
                else "No commodity has trade evidence.",
                "Unknown: "
                + (
                    "; ".join(f"{_name(r['commodity'])} — {r['status']}" for _, r in unknown.iterrows())
                    if len(unknown)
                    else "nothing for U.S. demand"
                )
                + ". Canadian and Mexican demand is unknown wherever BACI has no code in the form USGS publishes.",
                f"Facility register: {located} of {total} register mines and facilities located "
                "(each row cites its own page). Facilities outside the register come from public datasets; "
                "capacities are often unpublished, so country totals, not plants, carry most flows.",
                "Shortfalls are a static one-year allocation: no stocks, substitution, recycling ramp-up or "
                "price response; see docs/methods.md.",
            ],
        ),
        ("h2", "References"),
        ("ol", refs.entries() or ["No source with a URL was cited."]),
    ]
    return [_tidy(block) for block in b], refs


def _page_ref(refs: _Refs, label: str, url: str) -> str:
    """A numbered reference to a page that is not a graph source (an announcement page)."""
    if not url.startswith(("http://", "https://")):
        return ""
    refs.sources.setdefault(url, {"publisher": label.split(":", 1)[0], "dataset": label, "year": "", "url": url})
    return refs.cite(url)


def _export_control_blocks(model: SupplyModel, refs: _Refs, controls: list[str]) -> list[Block]:
    presets = {k: p for k, p in model.presets().items() if p.kind == "export-control"}
    if not presets:
        return [("p", "No export control of the PRC is in the data: no export-control preset.")]
    b: list[Block] = [
        ("h3", f"PRC export controls as scenarios {refs.cite(controls)}"),
        (
            "p",
            "One preset per control in force (USGS MCS 2026 Table 4, with the announcement where found). Each stops "
            "the PRC's exports of the commodity to the U.S., Canada and Mexico; PRC output stays in the world and "
            "third countries keep supplying. Headline: imports lost from the PRC; low: the U.S. re-sources from "
            "every other supplier; high: imports scaled by the world's non-PRC share (no PRC material reaches "
            "North America through third countries). Licences are assumed denied for the whole commodity, an upper "
            "bound where a control covers only some forms (e.g. seven medium/heavy rare earths).",
        ),
    ]
    rows = []
    pct_by_preset: dict[str, float] = {}
    for name, p in sorted(presets.items()):
        if name.endswith("-all"):
            continue
        cites = "".join(_page_ref(refs, lab, url) for lab, url in p.citations[:1])
        if not p.commodities:
            rows.append(
                {
                    "preset": name,
                    "since": p.date,
                    "announcement": (p.citations[0][0] if p.citations else "") + f" {cites}",
                    "U.S. shortfall (range)": "not modelled",
                    "reading": "no supply network for this commodity",
                }
            )
            continue
        df = model.preset(name)
        u = df[df["demand"] == "USA"]
        r = u.iloc[0] if len(u) else None
        ok = r is not None and str(r["status"]).startswith("modelled")
        if ok and r is not None and (_num(r["shortfall_t"]) or 0) > 0:
            pct_by_preset[name] = _num(r["shortfall_pct_of_demand"]) or 0.0
        rows.append(
            {
                "preset": name,
                "since": p.date,
                "announcement": (p.citations[0][0] if p.citations else "") + f" {cites}",
                "U.S. shortfall (range)": (
                    f"{fmt_t(r['shortfall_t'])} = {fmt_pct(r['shortfall_pct_of_demand'])} ({_range(r, 'pct')})"
                    if ok and r is not None
                    else _unknown(r["status"] if r is not None else "no row")
                ),
                "reading": str(r["reason"]) if ok and r is not None and isinstance(r["reason"], str) else "",
            }
        )
    by_name = {r["preset"]: r["U.S. shortfall (range)"] for r in rows}
    short = [
        (n.replace("prc-export-control-", ""), by_name[n])
        for n in sorted(pct_by_preset, key=lambda k: (-pct_by_preset[k], k))
    ]
    b.append(
        (
            "p",
            f"Reading: if licences were denied to North America, U.S. supply would fall short for {len(short)} of "
            f"{len(rows)} controlled commodities"
            + (f" ({'; '.join(f'{c}: {v}' for c, v in short[:4])})" if short else "")
            + ". The headline assumes no re-sourcing in the year; the low end shows what other suppliers could "
            "make up.",
        )
    )
    b.append(_table(rows))
    return b


def _transshipment_blocks(model: SupplyModel, refs: _Refs, baci: list[str]) -> list[Block]:
    df = model.transshipment()
    b: list[Block] = [("h2", "4. Possible transshipment through third countries")]
    if not len(df):
        return [*b, ("p", "No trade totals in the data: the tests cannot run (they need the BACI extract).")]
    flagged = df[df["flag"].astype(bool)]
    counts = flagged.groupby("test").size().to_dict()
    b.append(
        (
            "p",
            f"Three tests on CEPII BACI trade {refs.cite(baci)} (docs/methods.md §11): mass balance (a country "
            "exporting more of a code than it produces and imports, beyond 20% and 10 t), a rise of exports to "
            "North America matched by a rise of imports from the PRC (2022 to 2024, at least +50% and USD 1 M), "
            "and gaps of 15 points or more between USGS and BACI import shares. Flags: "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f" (of {len(df)} tested rows). A flag is a lead for customs or trade analysts, not a finding: free-"
            "zone re-exports, stock draws and classification differences give the same numbers.",
        )
    )
    rows = [
        {
            "test": str(r["test"]),
            "country": str(r["country"]),
            "commodity": _name(str(r["commodity"])),
            "HS": str(r["hs6"]),
            "year": str(r["year"]),
            "reading": str(r["reading"]),
            "evidence": str(r["evidence"]),
        }
        for _, r in flagged.head(15).iterrows()
    ]
    b.append(_table(rows) if rows else ("p", "No flag."))
    return b


#: Commodities whose U.S. passport the briefing shows.
TRACED = ("rare_earths", "graphite", "gallium", "lithium", "cobalt")


def _trace_blocks(model: SupplyModel, refs: _Refs) -> list[Block]:
    b: list[Block] = [("h2", "5. Product passport: where North American supply comes from")]
    focus = model.config.focus
    rows = []
    traced = [c for c in TRACED if c in model.commodities]
    for com in traced:
        p = model.trace(com, "USA")
        if not p.get("stages"):
            continue
        for st in p["stages"]:
            rows.append(
                {
                    "commodity": _name(com),
                    "stage": str(st["stage"]),
                    f"{focus}-located": fmt_pct(st["location"].get(focus, 0.0)),
                    f"{focus}-controlled": fmt_pct(st["control"].get(focus, 0.0)),
                    "largest other": ", ".join(
                        f"{k} {fmt_pct(v)}" for k, v in list(st["location"].items())[:4] if k != focus
                    ),
                }
            )
        rows.append(
            {
                "commodity": _name(com),
                "stage": "any stage",
                f"{focus}-located": fmt_pct(p.get(f"{focus.lower()}_located_any_stage_pct")),
                f"{focus}-controlled": fmt_pct(p.get(f"{focus.lower()}_controlled_any_stage_pct")),
                "largest other": "",
            }
        )
    b.append(
        (
            "p",
            "U.S. supply traced upstream (`minerals-graph trace --commodity <c> --from USA`, docs/methods.md §12): "
            "at the supply stage by the trade shares the allocation uses, at the mine stage by the world mine mix "
            "(no bilateral ore data). Control follows registered plants' owners; national mine output and "
            "unregistered plants count as controlled where located, which understates foreign control "
            "(e.g. Lynas's Malaysian plant is Australian-owned).",
        )
    )
    if rows:
        anys = [r for r in rows if r["stage"] == "any stage"]
        b.append(
            (
                "p",
                "Reading: "
                + "; ".join(
                    f"{r['commodity']}: {r[f'{focus}-located']} of U.S. supply passed through a PRC-located "
                    f"node at some stage ({r[f'{focus}-controlled']} PRC-controlled)"
                    for r in anys
                )
                + ".",
            )
        )
    b.append(_table(rows) if rows else ("p", "No modelled commodity to trace."))
    notes = [
        f"{_name(com)}: {n}"
        for com in traced
        for n in (model.trace(com, "USA").get("stages") or [{}])[0].get("control_notes", [])[:3]
    ]
    if notes:
        b += [("p", "Where the control shares are too low (plants the model cannot split out):"), ("ul", notes)]
    return b


def _invest_blocks(model: SupplyModel, refs: _Refs) -> list[Block]:
    b: list[Block] = [("h2", f"6. Joint investments: which projects close the {CUTOFF_PRESET} gap")]
    df, summary = model.invest(CUTOFF_PRESET)
    ranked = df[df["ranked"].astype(bool)]
    b.append(
        (
            "p",
            f"{len(ranked)} of {len(df)} planned or under-construction North American projects in the register have a "
            "capacity that converts to the USGS basis at a modelled stage; each is added alone to the PRC refining "
            "cut-off and the USMCA shortfall recomputed (docs/methods.md §13). Best five together (greedy, exact "
            "re-evaluation): "
            + (", ".join(f"{c['name']} ({_name(c['commodity'])})" for c in summary["chosen"]) or "none")
            + ". Projects of one commodity that fix the same gap do not add up (column 'overlaps').",
        )
    )
    rows = [
        {
            "rank": str(int(r["rank"])),
            "project": str(r["name"]),
            "country": str(r["iso3"]),
            "commodity": _name(str(r["commodity"])),
            "capacity": fmt_t(r["capacity_t"]),
            "shortfall removed": f"{fmt_t(r['reduction_t'])} ({fmt_pct(r['reduction_pct_of_demand'])} of demand)",
            "overlaps": str(r["overlaps_with"] or ""),
            "source": _page_ref(refs, str(r["name"]), str(r["source_url"] or "")),
        }
        for _, r in ranked.head(15).iterrows()
    ]
    b.append(_table(rows) if rows else ("p", "No project can be ranked."))
    return b


def _tidy_text(text: str) -> str:
    """No space left before punctuation where a citation was empty."""
    return re.sub(r"\s+([.;,)])", r"\1", re.sub(r" {2,}", " ", text))


def _tidy(block: Block) -> Block:
    kind, v = block
    if kind in ("h1", "h2", "h3", "p"):
        return kind, _tidy_text(v)
    if kind == "ul":
        return kind, [_tidy_text(x) for x in v]
    return block


# -- rendering ------------------------------------------------------------------------------


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _render_md(blocks: Iterable[Block]) -> str:
    out: list[str] = []
    for kind, v in blocks:
        if kind in ("h1", "h2", "h3"):
            out += ["#" * int(kind[1]) + " " + v, ""]
        elif kind == "p":
            out += [v, ""]
        elif kind in ("ul", "ol"):
            out += [f"- {x}" for x in v] + [""]
        elif kind == "table":
            cols = list(v[0])
            out.append("| " + " | ".join(cols) + " |")
            out.append("|" + "---|" * len(cols))
            out += ["| " + " | ".join(_md_cell(r.get(c, "")) for c in cols) + " |" for r in v]
            out.append("")
        elif kind == "img":
            stem, _paths, caption = v
            out += [f"![{caption}](figures/{stem}.png)", "", f"*{caption}*", ""]
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0 1.2em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}
figure{margin:1em 0}figure img{max-width:100%}figcaption{font-style:italic;font-size:0.9em}
"""


def _render_html(blocks: Iterable[Block]) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
    ]
    for kind, v in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{e(v)}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{e(v)}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in v) + "</ul>")
        elif kind == "ol":
            items = []
            for x in v:
                text, _, url = str(x).rpartition(" ")
                if url.startswith(("http://", "https://")):
                    items.append(f'<li>{e(text)} <a href="{e(url)}">{e(url)}</a></li>')
                else:
                    items.append(f"<li>{e(str(x))}</li>")
            out.append('<ul class="refs" style="list-style:none;padding-left:0">' + "".join(items) + "</ul>")
        elif kind == "table":
            cols = list(v[0])
            out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(str(r.get(c, '')))}</td>" for c in cols) + "</tr>" for r in v]
            out.append("</tbody></table>")
        elif kind == "img":
            stem, paths, caption = v
            data = base64.b64encode(Path(paths["png"]).read_bytes()).decode("ascii")
            out.append(
                f'<figure><img alt="{e(caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{e(caption)}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def report_markdown(
    model: SupplyModel, *, origin: str | None = None, figures: dict[str, dict[str, Path]] | None = None
) -> str:
    """The text of ``report.md``. ``figures`` (``{stem: {format: path}}`` from
    :func:`minerals_graph.figures.write_figures`, written to ``figures/`` beside the report)
    adds the figures as relative links. ``origin`` is accepted for compatibility and not
    printed: the report names its sources in References, never a local path."""
    blocks, _ = _blocks(model, figures)
    return _render_md(blocks)


def report_html(model: SupplyModel, *, figures: dict[str, dict[str, Path]] | None = None) -> str:
    """The same report as one self-contained HTML page (figures as ``data:`` URIs, no
    external script, style or image)."""
    blocks, _ = _blocks(model, figures)
    return _render_html(blocks)
