"""Bilateral trade files that users bring: CEPII BACI (``BACI_HS17_Y2022_V202401.csv`` and
its ``country_codes_V202401.csv``), as published.

BACI columns: ``t`` year, ``i`` exporter and ``j`` importer (ISO numeric codes), ``k`` HS
6-digit product (leading zero dropped: ``28530`` is 028530), ``v`` value in thousands of
current USD, ``q`` quantity in metric tons (``NA`` when unknown, often space-padded). Only
the HS codes of ``data/hs_commodities.csv`` are loaded; every other row is excluded in bulk
with that reason (a BACI year has millions of rows). Older country files name their columns
``iso_3digit_alpha``; newer ones ``country_iso3``: both are read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources._common import LoadResult, RowLedger, SourceInfo

__all__ = ["SOURCE", "load_baci", "read_country_codes", "read_hs_map", "find_baci_files"]

SOURCE = SourceInfo(
    key="cepii-baci",
    publisher="CEPII",
    dataset="BACI: international trade database at the product level (file supplied by the user)",
    year=2024,
    url="http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    licence="Etalab Open Licence 2.0 (see CEPII)",
)
TRADE_COLUMNS = ("t", "i", "j", "k", "v", "q")


def read_hs_map(data_dir: Path) -> pd.DataFrame:
    """``data/hs_commodities.csv``: hs6 (6-digit string) -> commodity, stage, description."""
    m = pd.read_csv(Path(data_dir) / "hs_commodities.csv", dtype=str, keep_default_na=False)
    m["hs6"] = m["hs6"].str.zfill(6)
    return m


def read_country_codes(path: Path) -> dict[int, str]:
    """ISO numeric -> ISO3 from a BACI country-codes file (either column naming)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", encoding_errors="replace")
    code = "country_code" if "country_code" in df.columns else None
    iso3 = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in df.columns), None)
    if code is None or iso3 is None:
        raise SourceFormatError(str(path), 0, "country_code/country_iso3",
                                f"expected BACI country-code columns; got {list(df.columns)}")
    out = {}
    for c, i in zip(df[code], df[iso3], strict=True):
        if c.strip().isdigit() and i.strip():
            out[int(c)] = i.strip().upper()
    return out


def find_baci_files(folder: Path) -> tuple[list[Path], Path | None]:
    """(trade files, country-codes file) in ``folder``."""
    folder = Path(folder)
    trade = sorted(folder.glob("BACI_*.csv"))
    codes = sorted(folder.glob("country_codes*.csv"))
    return trade, (codes[-1] if codes else None)


def load_baci(path: Path, country_codes: dict[int, str], hs_map: pd.DataFrame, known_iso3: set[str], *,
              fold: dict[str, str] | None = None, chunksize: int = 1_000_000) -> LoadResult:
    """Flows of the mapped HS codes: ``row, year, exporter, importer, hs6, commodity, stage,
    description, value_usd, quantity_t``. Unknown country codes are rejected with the code;
    ``q`` = NA keeps the flow with an empty quantity."""
    path = Path(path)
    fold = fold or {}
    head = pd.read_csv(path, nrows=0)
    cols = [c.strip() for c in head.columns]
    if tuple(cols[:6]) != TRADE_COLUMNS:
        raise SourceFormatError(path.name, 0, ",".join(cols[:6]), f"expected BACI columns {TRADE_COLUMNS}")
    codes = dict(zip(hs_map["hs6"], hs_map.to_dict("records"), strict=True))
    ledger = RowLedger(path.name)
    recs = []
    offset = 0
    for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunksize):
        chunk.columns = cols
        hs = chunk["k"].str.strip().str.zfill(6)
        mapped = hs.isin(codes)
        n_out = int((~mapped).sum())
        if n_out:
            ledger.exclude_bulk(n_out, "HS code not mapped to a modelled commodity (data/hs_commodities.csv)")
        for idx, r in chunk[mapped].iterrows():
            row = int(idx) + 1  # chunk indexes continue across chunks
            try:
                i, j = int(r["i"]), int(r["j"])
            except ValueError:
                ledger.reject(row, "i/j", f"{r['i']},{r['j']}", "expected ISO numeric country codes")
                continue
            exp, imp = country_codes.get(i), country_codes.get(j)
            exp, imp = fold.get(exp, exp), fold.get(imp, imp)
            if exp not in known_iso3 or imp not in known_iso3:
                bad = i if exp not in known_iso3 else j
                ledger.reject(row, "i" if bad == i else "j", bad, "country code not in the BACI country file "
                              "or its ISO3 not in data/countries.csv")
                continue
            try:
                value = float(r["v"]) * 1000.0
            except ValueError:
                ledger.reject(row, "v", r["v"], "expected thousands of USD")
                continue
            q = r["q"].strip()
            try:
                qty = float(q) if q and q.upper() != "NA" else None
            except ValueError:
                ledger.reject(row, "q", q, "expected metric tons or NA")
                continue
            m = codes[hs[idx]]
            recs.append({"row": row, "year": int(r["t"]), "exporter": exp, "importer": imp, "hs6": hs[idx],
                         "commodity": m["commodity"], "stage": m["stage"], "description": m["description"],
                         "value_usd": value, "quantity_t": qty})
            ledger.load(row)
        offset += len(chunk)
    return ledger.finish(SOURCE, offset, pd.DataFrame.from_records(recs))
