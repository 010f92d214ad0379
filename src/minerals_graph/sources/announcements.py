"""``data/export_control_announcements.csv``: the announcements behind the export controls
USGS MCS 2026 Table 4 lists (number, dates, scope, status, destinations), each row citing
the page it was read on. Curated by hand for this project; see data/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo, clean_text, first_copies, read_csv_text

__all__ = ["ANNOUNCEMENT_COLUMNS", "STATUSES", "load_announcements", "SOURCE"]

FILE = "export_control_announcements.csv"
ANNOUNCEMENT_COLUMNS = (
    "iso3",
    "commodity",
    "item",
    "announcement",
    "date_announced",
    "date_effective",
    "status",
    "destinations",
    "scope",
    "announcement_url",
    "source",
    "source_publisher",
    "source_dataset",
    "source_year",
    "source_url",
    "note",
)
STATUSES = ("in_force", "suspended", "superseded")
SOURCE = SourceInfo(
    "project-export-control-announcements",
    "minerals-graph project (each row cites the page read)",
    "data/export_control_announcements.csv",
    2026,
    "",
    "CC0 (curated facts, each with its source URL)",
)


def _date(text: str) -> bool:
    import re

    return not text or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def load_announcements(data_dir: Path, controls: set[tuple[str, str]] | None = None) -> LoadResult | None:
    """The announcements table (None when the file is absent).

    A row is rejected when a date is not ``YYYY-MM-DD``, the status is not one of
    :data:`STATUSES`, it cites no source URL, or (``controls`` given: the (ISO3, commodity)
    pairs of the loaded export controls) it belongs to no listed control.
    """
    path = Path(data_dir) / FILE
    if not path.exists():
        return None
    rel = f"data/{FILE}"
    header, rows = read_csv_text(path, "utf-8-sig")
    missing = [c for c in ANNOUNCEMENT_COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(rel, 0, ", ".join(missing), f"expected columns {list(ANNOUNCEMENT_COLUMNS)}")
    ix = {c: header.index(c) for c in ANNOUNCEMENT_COLUMNS}
    ledger = RowLedger(rel)
    copies = first_copies(rows)
    recs = []
    for i, raw in enumerate(rows, start=1):
        if i in copies:
            ledger.reject(i, "(row)", "", f"an exact copy of row {copies[i]} (a duplicated row)")
            continue
        r = {c: clean_text(raw[ix[c]]) if ix[c] < len(raw) else "" for c in ANNOUNCEMENT_COLUMNS}
        bad = next((c for c in ("date_announced", "date_effective") if not _date(r[c])), None)
        if bad:
            ledger.reject(i, bad, r[bad], "expected a date YYYY-MM-DD or empty")
            continue
        if r["status"] not in STATUSES:
            ledger.reject(i, "status", r["status"], f"expected one of {', '.join(STATUSES)}")
            continue
        if not r["source_url"].startswith(("http://", "https://")):
            ledger.reject(i, "source_url", r["source_url"], "every row must cite the page it was read on")
            continue
        if controls is not None and (r["iso3"], r["commodity"]) not in controls:
            ledger.reject(
                i, "commodity", r["commodity"], f"no export control of {r['iso3']} on it in USGS MCS 2026 Table 4"
            )
            continue
        recs.append({"row": i, **r})
        ledger.load(i)
    return ledger.finish(SOURCE, len(rows), pd.DataFrame.from_records(recs))


_ORDER = ("date_announced", "date_effective", "announcement")


def summarise(rows: list[dict[str, Any]]) -> dict[str, object]:
    """One control's announcement attributes from its rows (as ``to_dict("records")`` gives
    them, in file order): the original control (the earliest for every destination), and
    the whole history in date order."""
    # Sorted as ``sort_values([...], na_position="last")`` sorts (stable, missing values
    # last), on the records: a control has a handful of rows, too few for a frame operation.
    recs = sorted(
        rows,
        key=lambda r: tuple((pd.isna(r[c]), "" if pd.isna(r[c]) else r[c]) for c in _ORDER),
    )
    first = [r for r in recs if r["destinations"] == "all"]
    main = (first or recs)[0]
    history = "; ".join(
        f"{r['date_announced'] or r['date_effective'] or 'date unknown'} "
        f"{r['announcement'] or '(announcement not found)'}"
        f": {r['status']}, destinations {r['destinations'] or 'unknown'}"
        + (f" ({r['scope']})" if r["scope"] else "")
        + f" [{r['source_url']}]"
        for r in recs
    )
    return {
        "announcement": main["announcement"],
        "date_announced": main["date_announced"],
        "date_effective": main["date_effective"],
        "scope": main["scope"],
        "announcement_url": main["announcement_url"],
        "announcement_source_url": main["source_url"],
        "history": history[:4000],
    }
