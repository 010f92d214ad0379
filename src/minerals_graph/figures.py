"""The report's figures (matplotlib, Agg backend), each written as PNG and SVG.

Every figure reads a :class:`~minerals_graph.model.SupplyModel`'s memoised results, so the
figures show the same numbers as the CSV files and ``report.md``:

* ``nir_by_mineral``: U.S. net import reliance by mineral, drawn as USGS draws Fig. 2, with
  the PRC marked where it is the first-ranked import source;
* ``prc_share_heatmap``: the PRC's share by stage (world mining, world processing, U.S.
  imports, embodied in U.S. supply) and mineral;
* ``cutoff_shortfall``: the PRC refining cut-off's U.S. shortfall per commodity (headline,
  with the optimistic-pessimistic range as error bars);
* ``top_chokepoints``: the top chokepoint per commodity (N-1 loss of U.S. supply).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from minerals_graph.model import SupplyModel

__all__ = ["FIGURES", "write_figures", "FIGURE_FORMATS", "CUTOFF_PRESET"]

CUTOFF_PRESET = "prc-refining-cutoff"
FIGURE_FORMATS = ("png", "svg")
PRC_RED = "#c0392b"
GREY = "#7f8c8d"
BLUE = "#2c6e9b"


def _empty(fig: Figure, text: str) -> Figure:
    ax = fig.add_subplot(111)
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    return fig


def _nir_rows(model: SupplyModel) -> tuple[pd.DataFrame, int | None]:
    year = model.latest_nir_year()
    if year is None:
        return pd.DataFrame(), None
    b = model.bands(year)
    b = b[b["pct"].notna()].sort_values("pct", ascending=True)
    return b, year


def nir_by_mineral(model: SupplyModel) -> Figure:
    """Horizontal bars of U.S. NIR (%) by mineral; red where the PRC is the first-ranked source."""
    b, year = _nir_rows(model)
    fig = plt.figure(figsize=(8, max(3.0, 0.22 * len(b) + 1.2)))
    if b.empty:
        return _empty(fig, "no published U.S. net import reliance in the graph")
    ax = fig.add_subplot(111)
    prc = b["primary_import_source"].fillna("").eq("CHN").to_numpy()
    y = np.arange(len(b))
    ax.barh(y, b["pct"], color=np.where(prc, PRC_RED, BLUE), height=0.7)
    labels = [
        f"{m.replace('_', ' ')}{' (' + q + ')' if q else ''}"
        for m, q in zip(b["mineral"], b["qualifier"].fillna(""), strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=7)
    for yi, pct, src in zip(y, b["pct"], b["primary_import_source"].fillna(""), strict=True):
        ax.text(pct + 1, float(yi), src, va="center", fontsize=6, color=PRC_RED if src == "CHN" else "black")
    ax.set_xlim(0, 112)
    ax.set_xlabel("U.S. net import reliance, % of apparent consumption")
    ax.set_title(
        f"U.S. net import reliance {year} (USGS MCS Fig. 2); red: PRC the first-ranked import source", fontsize=9
    )
    fig.tight_layout()
    return fig


def heatmap_table(model: SupplyModel) -> pd.DataFrame:
    """PRC share (%) by stage (columns) and modelled commodity (rows)."""
    pe = model.prc_exposure().set_index("commodity")
    te = model.trade_exposure()
    usa = te[te["importer"] == "USA"].set_index("commodity") if len(te) else pd.DataFrame()

    def col(df: pd.DataFrame, name: str) -> pd.Series:
        if name not in df.columns:
            return pd.Series(float("nan"), index=pe.index, dtype=float)
        return pd.to_numeric(df[name], errors="coerce").astype(float).reindex(pe.index)

    out = pd.DataFrame(index=pe.index)
    out["world mining"] = col(pe, "mine_share_pct")
    out["world processing"] = col(pe, "processing_share_pct")
    # trade-weighted figures first (as the report's table), the USGS-based ones otherwise
    out["U.S. imports (direct)"] = col(usa, "prc_share_pct").combine_first(col(pe, "import_share_pct"))
    out["U.S. supply (embodied)"] = col(usa, "embodied_share_pct").combine_first(col(pe, "embodied_share_pct"))
    return out.astype(float)


def prc_share_heatmap(model: SupplyModel) -> Figure:
    t = heatmap_table(model)
    fig = plt.figure(figsize=(6.5, max(3.0, 0.28 * len(t) + 1.6)))
    if t.empty:
        return _empty(fig, "no modelled commodities")
    ax = fig.add_subplot(111)
    data = np.ma.masked_invalid(t.to_numpy())
    cmap = matplotlib.colormaps["Reds"].with_extremes(bad="#dddddd")
    im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=100)
    ax.set_xticks(range(t.shape[1]), list(t.columns), rotation=20, ha="right", fontsize=8)
    ax.set_yticks(range(len(t)), [c.replace("_", " ") for c in t.index], fontsize=7)
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            v = t.iat[i, j]
            txt = "n/a" if pd.isna(v) else f"{v:.0f}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=6, color="white" if v > 60 else "black")
    fig.colorbar(im, ax=ax, label="PRC share, %")
    ax.set_title("PRC share by stage and mineral (grey: unknown)", fontsize=9)
    fig.tight_layout()
    return fig


def cutoff_rows(model: SupplyModel, preset: str = CUTOFF_PRESET, demand: str = "USA") -> pd.DataFrame:
    """Modelled rows of ``preset`` for ``demand``, largest headline shortfall first."""
    cut = model.preset(preset)
    cut = cut[(cut["demand"] == demand) & cut["status"].astype(str).str.startswith("modelled")]
    return cut.sort_values("shortfall_pct_of_demand", ascending=True)


def cutoff_shortfall(model: SupplyModel) -> Figure:
    c = cutoff_rows(model)
    fig = plt.figure(figsize=(8, max(3.0, 0.26 * len(c) + 1.4)))
    if c.empty:
        return _empty(fig, "no commodity with known U.S. demand")
    ax = fig.add_subplot(111)
    y = np.arange(len(c))
    mid = c["shortfall_pct_of_demand"].to_numpy(float)
    lo = c["shortfall_low_pct_of_demand"].to_numpy(float)
    hi = c["shortfall_high_pct_of_demand"].to_numpy(float)
    err = np.vstack([np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)])
    ax.barh(y, mid, color=PRC_RED, height=0.6, label="headline (realistic allocation)")
    ax.errorbar(mid, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1, label="range (optimistic-pessimistic)")
    ax.set_yticks(y, [c_.replace("_", " ") for c_ in c["commodity"]], fontsize=7)
    ax.set_xlim(0, 105)
    ax.set_xlabel("U.S. shortfall, % of apparent consumption")
    ax.set_title("PRC refining cut-off: U.S. shortfall per commodity", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def top_chokepoint_rows(model: SupplyModel) -> pd.DataFrame:
    ck = model.chokepoints()
    if ck.empty:
        return ck
    return ck.groupby("commodity").head(1).sort_values("n1_loss_pct_of_demand", ascending=True)


def top_chokepoints(model: SupplyModel) -> Figure:
    t = top_chokepoint_rows(model)
    fig = plt.figure(figsize=(8, max(3.0, 0.26 * len(t) + 1.4)))
    if t.empty:
        return _empty(fig, "no chokepoints (no modelled commodity)")
    ax = fig.add_subplot(111)
    y = np.arange(len(t))
    prc = (t["iso3"].eq("CHN") | t["control_iso3"].eq("CHN")).to_numpy()
    bars = ax.barh(y, t["n1_loss_pct_of_demand"], color=np.where(prc, PRC_RED, GREY), height=0.6)
    for bar, spof in zip(bars, t["spof"].fillna(False).astype(bool), strict=True):
        if spof:
            bar.set_hatch("//")
    ax.set_yticks(
        y, [f"{c.replace('_', ' ')}: {lab}" for c, lab in zip(t["commodity"], t["label"], strict=True)], fontsize=7
    )
    ax.set_xlim(0, 105)
    ax.set_xlabel("U.S. supply lost if this one node fails (N-1), % of demand")
    ax.set_title(
        "Top chokepoint per commodity (red: in or controlled from the PRC; hatched: single point of failure)",
        fontsize=8,
    )
    fig.tight_layout()
    return fig


def transshipment_flags(model: SupplyModel) -> Figure:
    """Flagged mass-balance surpluses (% of exports) by country and commodity."""
    df = model.transshipment()
    t = df[(df["test"] == "mass-balance") & df["flag"].astype(bool)].head(15) if len(df) else df
    fig = plt.figure(figsize=(8, max(3.0, 0.3 * len(t) + 1.4)))
    if not len(t):
        return _empty(fig, "no mass-balance flag (or no trade totals in the data)")
    ax = fig.add_subplot(111)
    t = t.iloc[::-1]
    y = np.arange(len(t))
    robust = t["robust"].fillna(False).astype(bool).to_numpy()
    ax.barh(y, t["surplus_pct_of_exports"].astype(float), color=np.where(robust, PRC_RED, GREY), height=0.6)
    ax.set_yticks(
        y,
        [
            f"{c} {m.replace('_', ' ')} HS {h} ({int(x):,} t)"
            for c, m, h, x in zip(t["country"], t["commodity"], t["hs6"], t["surplus_t"], strict=True)
        ],
        fontsize=7,
    )
    ax.set_xlim(0, 105)
    ax.set_xlabel("exports above production + imports, % of exports (BACI 2024, USGS production)")
    ax.set_title("Possible pass-through countries (red: holds even with 'Other countries' production)", fontsize=8)
    fig.tight_layout()
    return fig


def invest_ranking(model: SupplyModel) -> Figure:
    """Ranked projects: share of the USMCA cut-off shortfall of their commodity each removes alone."""
    df, _ = model.invest()
    t = df[df["ranked"].astype(bool)].head(15) if len(df) else df
    fig = plt.figure(figsize=(8, max(3.0, 0.3 * len(t) + 1.4)))
    if not len(t):
        return _empty(fig, "no project can be ranked")
    ax = fig.add_subplot(111)
    t = t.iloc[::-1]
    y = np.arange(len(t))
    chosen = t["chosen"].astype(bool).to_numpy()
    ax.barh(y, t["reduction_pct_of_demand"].astype(float), color=np.where(chosen, "#1f6f8b", GREY), height=0.6)
    ax.set_yticks(
        y,
        [
            f"{n if len(n) <= 48 else n[:47] + '…'} ({c.replace('_', ' ')})"
            for n, c in zip(t["name"], t["commodity"], strict=True)
        ],
        fontsize=7,
    )
    ax.set_xlabel("USMCA shortfall removed, % of the commodity's demand (PRC refining cut-off)", fontsize=8)
    ax.set_title("North American projects ranked alone (blue: in the best five together)", fontsize=8)
    fig.tight_layout()
    return fig


#: ``{file stem: (figure function, caption)}`` in report order.
FIGURES: dict[str, tuple[Any, str]] = {
    "top_chokepoints": (top_chokepoints, "Top chokepoint per commodity: share of U.S. supply lost if it fails."),
    "nir_by_mineral": (
        nir_by_mineral,
        "U.S. net import reliance by mineral; red where the PRC is the first-ranked import source.",
    ),
    "prc_share_heatmap": (prc_share_heatmap, "PRC share by stage and mineral (%)."),
    "cutoff_shortfall": (cutoff_shortfall, "PRC refining cut-off: U.S. shortfall per commodity with its range."),
    "transshipment_flags": (transshipment_flags, "Possible pass-through countries: mass-balance surpluses."),
    "invest_ranking": (invest_ranking, "North American projects ranked by the cut-off shortfall each removes."),
}


def write_figures(model: SupplyModel, out_dir: Path, progress: Any = None) -> dict[str, dict[str, Path]]:
    """Write every figure of :data:`FIGURES` to ``out_dir`` as PNG and SVG;
    ``{stem: {format: path}}``. ``progress`` (optional) is called with the stem after each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, Path]] = {}
    with matplotlib.rc_context({"svg.hashsalt": "minerals-graph", "svg.fonttype": "none"}):
        for stem, (make, _caption) in FIGURES.items():
            fig = make(model)
            try:
                paths = {}
                for fmt in FIGURE_FORMATS:
                    p = out_dir / f"{stem}.{fmt}"
                    fig.savefig(p, format=fmt, dpi=130, metadata={"Date": None} if fmt == "svg" else None)
                    paths[fmt] = p
                written[stem] = paths
            finally:
                plt.close(fig)
            if progress is not None:
                progress(stem)
    return written
