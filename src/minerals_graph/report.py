"""The main job's outputs as data: the analysis tables it writes and ``report.md`` as text.

:func:`report_tables` names every table the main job writes; :func:`report_markdown`
returns the report's Markdown. Both read a :class:`~minerals_graph.model.SupplyModel`, so
the report and the CSV files show the same memoised results. Writing is the caller's
(``minerals-graph run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from minerals_graph.analysis import dependence as dep
from minerals_graph.summary import to_markdown

if TYPE_CHECKING:  # pragma: no cover
    from minerals_graph.model import SupplyModel

__all__ = ["report_tables", "report_markdown", "CUTOFF_PRESET"]

#: The scenario the report leads with.
CUTOFF_PRESET = "prc-refining-cutoff"


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
    }


def report_markdown(model: SupplyModel, *, origin: str | None = None) -> str:
    """The text of ``report.md``: the PRC refining cut-off for U.S. demand, NIR bands of both
    lists, the PRC's export controls, the top chokepoint per commodity and the graph's
    counts. ``origin`` names the sources (default: the model's origin folder name)."""
    cut = model.preset(CUTOFF_PRESET)
    cut = cut[(cut["demand"] == "USA") & (cut["status"] == "modelled")]
    if origin is None:
        origin = "bundled data/" if model.config.sources is None else Path(model.origin).name
    lines = [
        "# minerals-graph report",
        "",
        f"Sources: {origin}. Methods: docs/methods.md.",
        "",
        "## PRC refining cut-off (U.S. demand)",
        "",
        "`shortfall_t` (headline): realistic allocation — domestic output first, imports by "
        "pre-disruption trade shares (`evidence`), third-country processors limited by the feed "
        "still reaching them; `shortfall_low_t`/`shortfall_high_t`: optimistic (U.S. priority) and "
        "pessimistic (world's remaining supply shared) bounds (docs/methods.md §7).",
        "",
        to_markdown(
            cut[
                [
                    "commodity",
                    "year",
                    "demand_t",
                    "shortfall_t",
                    "shortfall_pct_of_demand",
                    "shortfall_low_pct_of_demand",
                    "shortfall_high_pct_of_demand",
                    "evidence",
                    "reason",
                ]
            ]
        ),
        "",
        "## Net import reliance bands (2022 list of critical minerals)",
        "",
    ]
    for y in (2023, 2024):
        lines += [f"### {y}", "", to_markdown(dep.band_counts(model.bands(y, 2022))), ""]
    b25 = model.bands(2025, 2025)
    if len(b25) and b25["band"].ne("no published value").any():
        s25 = dep.list_summary(b25)
        lines += [
            "## Net import reliance bands (2025 list of 60, data year 2025, MCS 2026)",
            "",
            to_markdown(dep.band_counts(b25)),
            "",
            f"Counted as USGS does (lanthanides once): {s25['over_50']} of {s25['counted']} over 50% "
            f"({s25['at_100']} at 100%); of those, the PRC is the first-ranked import source for "
            f"{s25['over_50_first_import_source_CHN']} and the leading world producer for "
            f"{s25['over_50_leading_producer_CHN']} (docs/methods.md §2).",
            "",
        ]
    ec = pd.DataFrame(model.export_controls(model.config.focus), columns=["iso3", "commodity", "control_type", "year"])
    if len(ec):
        lines += [
            "## PRC export controls in force (USGS MCS 2026 Table 4)",
            "",
            to_markdown(ec[["commodity", "control_type", "year"]]),
            "",
        ]
    lines += [
        "## Top chokepoint per commodity (N-1 loss of U.S. supply)",
        "",
        to_markdown(
            model.chokepoints()
            .groupby("commodity")
            .head(1)[["commodity", "label", "role", "iso3", "n1_loss_t", "n1_loss_pct_of_demand", "spof"]]
        ),
        "",
    ]
    for title, df in model.summary().items():
        lines += [f"## {title}", "", to_markdown(df), ""]
    return "\n".join(lines)
