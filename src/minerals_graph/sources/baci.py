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

import math
import re
import warnings
from pathlib import Path

import pandas as pd

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources._common import (
    LoadResult,
    RowLedger,
    SourceInfo,
    ValueMemo,
    first_copies,
    parse_number,
    read_csv_text,
)

__all__ = [
    "SOURCE",
    "EXTRACT_SOURCE",
    "load_baci",
    "load_extract",
    "WORLD_FLOW_COLUMNS",
    "read_country_codes",
    "read_hs_map",
    "find_baci_files",
]

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
    df = _read_csv(
        Path(path), str(path), dtype=str, keep_default_na=False, encoding="utf-8-sig", encoding_errors="replace"
    )
    code = "country_code" if "country_code" in df.columns else None
    iso3 = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in df.columns), None)
    if code is None or iso3 is None:
        raise SourceFormatError(
            str(path), 0, "country_code/country_iso3", f"expected BACI country-code columns; got {list(df.columns)}"
        )
    out = {}
    for c, i in zip(df[code], df[iso3], strict=True):
        if c.strip().isdigit() and i.strip():
            out[int(c)] = i.strip().upper()
    return out


def _read_csv(path: Path, name: str, **kw):
    """``pandas.read_csv`` whose parser errors become a SourceFormatError naming the file.

    ``index_col=False``: a first data row with one value more than the header is an error,
    never read as an index column that shifts every value one column to the right.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # 'loss of data' is an error
            return pd.read_csv(path, index_col=False, **kw)
    except pd.errors.ParserWarning as exc:
        raise SourceFormatError(name, 1, None, f"more values than named columns: {exc}") from exc
    except FileNotFoundError as exc:
        raise SourceFormatError(name, None, None, "file not found") from exc
    except pd.errors.EmptyDataError as exc:
        raise SourceFormatError(name, 0, None, "empty file: expected a header row") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SourceFormatError(
            name,
            None,
            None,
            f"not readable as a BACI CSV (a row with extra values, "
            f"wrong encoding?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc


def _check_final_newline(path: Path, name: str) -> None:
    with open(path, "rb") as f:
        f.seek(0, 2)
        if f.tell() == 0:
            raise SourceFormatError(name, 0, None, "empty file: expected a header row")
        f.seek(-1, 2)
        if f.read(1) not in (b"\n", b"\r"):
            raise SourceFormatError(
                name, None, None, "the last row has no line break: the file looks truncated (BACI files end with one)"
            )


def find_baci_files(folder: Path) -> tuple[list[Path], Path | None]:
    """(trade files, country-codes file) in ``folder``."""
    folder = Path(folder)
    trade = sorted(folder.glob("BACI_*.csv"))
    codes = sorted(folder.glob("country_codes*.csv"))
    return trade, (codes[-1] if codes else None)


def load_baci(
    path: Path,
    country_codes: dict[int, str],
    hs_map: pd.DataFrame,
    known_iso3: set[str],
    *,
    fold: dict[str, str] | None = None,
    chunksize: int = 1_000_000,
) -> LoadResult:
    """Flows of the mapped HS codes: ``row, year, exporter, importer, hs6, commodity, stage,
    description, value_usd, quantity_t``. Unknown country codes are rejected with the code;
    ``q`` = NA keeps the flow with an empty quantity."""
    path = Path(path)
    fold = fold or {}
    _check_final_newline(path, path.name)
    head = _read_csv(path, path.name, nrows=0)
    cols = [c.strip() for c in head.columns]
    if tuple(cols[:6]) != TRADE_COLUMNS:
        raise SourceFormatError(path.name, 0, ",".join(cols[:6]), f"expected BACI columns {TRADE_COLUMNS}")
    codes = dict(zip(hs_map["hs6"], hs_map.to_dict("records"), strict=True))
    ledger = RowLedger(path.name)
    recs = []
    offset = 0
    first_seen: dict[tuple[str, ...], int] = {}
    chunks = _read_csv(path, path.name, dtype=str, keep_default_na=False, chunksize=chunksize)
    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                chunk = next(chunks)
        except StopIteration:
            break
        except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError) as exc:
            raise SourceFormatError(
                path.name,
                None,
                None,
                "not readable as a BACI CSV (a row with extra "
                f"values, wrong encoding?): {type(exc).__name__}: {str(exc)[:200]}",
            ) from exc
        chunk.columns = cols
        hs = chunk["k"].str.strip().str.zfill(6)
        mapped = hs.isin(codes)
        n_out = int((~mapped).sum())
        if n_out:
            ledger.exclude_bulk(n_out, "HS code not mapped to a modelled commodity (data/hs_commodities.csv)")
        for idx, r in chunk[mapped].iterrows():
            row = int(idx) + 1  # chunk indexes continue across chunks
            key = tuple(r)
            if key in first_seen:
                ledger.reject(row, "(row)", "", f"an exact copy of row {first_seen[key]} (a duplicated row)")
                continue
            first_seen[key] = row
            if not re.fullmatch(r"\d{4}", r["t"].strip()):
                ledger.reject(row, "t", r["t"], "expected a four-digit year")
                continue
            if not (r["i"].strip().isdigit() and r["j"].strip().isdigit()):
                ledger.reject(row, "i/j", f"{r['i']},{r['j']}", "expected ISO numeric country codes")
                continue
            i, j = int(r["i"]), int(r["j"])
            exp, imp = country_codes.get(i), country_codes.get(j)
            if exp is not None:
                exp = fold.get(exp, exp)
            if imp is not None:
                imp = fold.get(imp, imp)
            if exp not in known_iso3 or imp not in known_iso3:
                bad = i if exp not in known_iso3 else j
                ledger.reject(
                    row,
                    "i" if bad == i else "j",
                    bad,
                    "country code not in the BACI country file or its ISO3 not in data/countries.csv",
                )
                continue
            try:
                value = parse_number(r["v"]) * 1000.0
            except ValueError:
                ledger.reject(row, "v", r["v"], "expected thousands of USD")
                continue
            q = r["q"].strip()
            try:
                qty = parse_number(q) if q.upper() != "NA" else None
            except ValueError:
                ledger.reject(row, "q", q, "expected metric tons or NA")
                continue
            m = codes[hs[idx]]
            recs.append(
                {
                    "row": row,
                    "year": int(r["t"]),
                    "exporter": exp,
                    "importer": imp,
                    "hs6": hs[idx],
                    "commodity": m["commodity"],
                    "stage": m["stage"],
                    "description": m["description"],
                    "value_usd": value,
                    "quantity_t": qty,
                }
            )
            ledger.load(row)
        offset += len(chunk)
    return ledger.finish(SOURCE, offset, pd.DataFrame.from_records(recs))


# ---------------------------------------------------------------------------------------
# The third-party extract in ../shared/data/cepii_baci_critical_subset/

EXTRACT_DIR = "cepii_baci_critical_subset"
EXTRACT_SOURCE = SourceInfo(
    key="cepii-baci-extract",
    publisher="CEPII (extract by the critical-materials-atlas project)",
    dataset="BACI HS17 V202601, third-party extract of 30 critical-material HS6 codes (2022, 2024)",
    year=2026,
    url="http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    licence="Etalab Open Licence 2.0 (CEPII's terms for BACI); the extract states no licence",
)
#: BACI codes that are not ISO3 countries. ``S19`` is "Other Asia, nes" (code 490), the
#: trade statistics' conventional entry for Taiwan (the extracting project reads it so too).
EXTRACT_CODE_FOLD = {"S19": "TWN"}
#: Fields of each flow ``load_extract`` gives its ``world`` list, in order.
WORLD_FLOW_COLUMNS = ["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"]
#: Flows kept: those with a focus country on either side (the rest excluded with the reason).
EXTRACT_FOCUS = ("USA", "CAN", "MEX", "CHN")
_FLOW_COLUMNS = [
    "row",
    "year",
    "exporter",
    "importer",
    "hs6",
    "commodity",
    "stage",
    "description",
    "value_usd",
    "quantity_t",
]


def _flow_fate(
    ledger: RowLedger,
    row: int,
    exp: str,
    imp: str,
    hs6: str,
    codes: dict[str, dict],
    known: set[str],
    folded: dict[str, str],
) -> tuple[str, str] | None:
    """(exporter, importer) if the flow is loaded; else records its fate and returns None.

    ``folded`` maps each BACI code to the country it counts as (:func:`_code_folder`).
    """
    if hs6 not in codes:
        ledger.exclude_bulk(1, f"HS {hs6} not mapped to one modelled commodity (data/hs_commodities.csv)")
        return None
    e = folded[exp]
    i = folded[imp]
    if e not in known:
        ledger.reject(row, "exporter", e, "expected an ISO3 code of data/countries.csv")
        return None
    if i not in known:
        ledger.reject(row, "importer", i, "expected an ISO3 code of data/countries.csv")
        return None
    if e == i:
        ledger.exclude_bulk(1, "exporter and importer fold into one country (e.g. HKG -> CHN)")
        return None
    return e, i


def _code_folder(fold: dict[str, str]) -> ValueMemo:
    """BACI code -> the country it counts as (:data:`EXTRACT_CODE_FOLD`, then ``fold``),
    memoised: a few hundred codes are looked up for ~90,000 flows."""

    def fold_code(code: str) -> str:
        base = EXTRACT_CODE_FOLD.get(code, code)
        return fold.get(base, base)

    return ValueMemo(fold_code)


#: Exclusion reason of a flow between two countries outside the focus (it still counts in totals).
NON_FOCUS_REASON = (
    "neither exporter nor importer is the U.S., Canada, Mexico or the PRC: not kept as a flow "
    "(counted in the world trade totals of the code's exporters to North America)"
)


_YEAR = re.compile(r"\d{4}")


def _focus(pair: tuple[str, str]) -> bool:
    return pair[0] in EXTRACT_FOCUS or pair[1] in EXTRACT_FOCUS


def _finite(value: object) -> float | None:
    """A finite number of a Parquet cell (numbers or numeric text), else None."""
    if type(value) is float:  # the cells of a float column: what parse_number gives, without its checks
        return value if math.isfinite(value) else None
    try:
        return parse_number(value)
    except (TypeError, ValueError):
        return None


def load_extract(
    sources_dir: Path,
    hs_map: pd.DataFrame,
    known_iso3: set[str],
    *,
    fold: dict[str, str] | None = None,
    world: list[tuple] | None = None,
) -> list[LoadResult]:
    """The BACI extract: ``trade.parquet`` (2024, kUSD and t), ``baci_2022.csv`` (2022, USD),
    ``baci_2024.csv`` (checked against the parquet) and the country-code file.

    Flow tables have the columns of :func:`load_baci`. ``baci_2024.csv`` holds the same
    flows as ``trade.parquet`` without quantities: each of its rows is excluded as a copy
    when its value equals the parquet's (``value_kusd`` x 1,000) and rejected when it does
    not. Flows between two non-focus countries and HS codes without a one-commodity mapping
    (811292 bundles gallium, germanium and five more metals) are excluded in bulk with the
    reason. ``world``, when given, receives every valid flow of a mapped code (focus or not)
    as a tuple of :data:`WORLD_FLOW_COLUMNS`, from which the caller sums each country's
    world exports and imports (the transshipment mass balance); tuples, not dicts, as
    ~45,000 of them become one frame.
    """
    base = Path(sources_dir) / EXTRACT_DIR
    fold = fold or {}
    folded = _code_folder(fold)
    hs6_of = ValueMemo(lambda code: code.zfill(6))  # ~30 codes over ~65,000 flows
    codes = dict(zip(hs_map["hs6"], hs_map.to_dict("records"), strict=True))
    results = []

    rel = f"{EXTRACT_DIR}/trade.parquet"
    try:
        pq = pd.read_parquet(base / "trade.parquet")
        pq_cols = [pq.iloc[:, k].tolist() for k in range(pq.shape[1])]  # decoded here: a damaged page fails here
    except Exception as exc:  # pyarrow: ArrowInvalid (a ValueError), OSError, UnicodeDecodeError …
        raise SourceFormatError(
            rel,
            None,
            None,
            f"cannot be read as Parquet (truncated or corrupted?): {type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    need = ["year", "exporter", "importer", "hs6", "value_kusd", "qty_t"]
    if [c for c in need if c not in pq.columns]:
        raise SourceFormatError(rel, 0, ",".join(need), f"expected columns {need}; got {list(pq.columns)}")
    ledger = RowLedger(rel)
    recs: list[tuple] = []  # flows as tuples of _FLOW_COLUMNS (thousands: cheaper than dicts)
    parquet_value: dict[tuple[str, str, str], float] = {}
    names = list(pq.columns)
    columns = [pq_cols[names.index(c)] for c in need]  # the first column of each name, as itertuples
    # one year in the whole file: checked once per distinct text, not once per flow
    four_digits = ValueMemo(lambda text: _YEAR.fullmatch(text) is not None)
    for n, (year, exporter, importer, hs, value_kusd, qty_t) in enumerate(zip(*columns, strict=True), start=1):
        exp, imp, hs6 = str(exporter), str(importer), hs6_of[str(hs)]
        kusd = _finite(value_kusd)
        if kusd is not None:
            parquet_value[(exp, imp, hs6)] = kusd * 1000.0
        if not four_digits[str(year)]:
            ledger.reject(n, "year", year, "expected a four-digit year")
            continue
        pair = _flow_fate(ledger, n, exp, imp, hs6, codes, known_iso3, folded)
        if pair is None:
            continue
        if kusd is None or not kusd > 0:
            ledger.reject(n, "value_kusd", value_kusd, "expected a positive value in thousands of USD")
            continue
        missing_qty = qty_t is None or (isinstance(qty_t, float) and qty_t != qty_t)
        qty = None if missing_qty else _finite(qty_t)
        if qty is None and not missing_qty:
            ledger.reject(n, "qty_t", qty_t, "expected metric tons or empty")
            continue
        if world is not None:
            world.append((int(year), pair[0], pair[1], hs6, kusd * 1000.0, qty))
        if not _focus(pair):
            ledger.exclude_bulk(1, NON_FOCUS_REASON)
            continue
        m = codes[hs6]
        recs.append(
            (n, int(year), *pair, hs6, m["commodity"], m["stage"], m["description"], round(kusd * 1000.0, 3), qty)
        )
        ledger.load(n)
    results.append(ledger.finish(EXTRACT_SOURCE, len(pq), pd.DataFrame(recs, columns=_FLOW_COLUMNS)))

    for year in (2022, 2024):
        rel = f"{EXTRACT_DIR}/baci_{year}.csv"
        header, rows = read_csv_text(base / f"baci_{year}.csv")
        if header[:4] != ["i", "j", "cmd", "value"]:
            raise SourceFormatError(rel, 0, ",".join(header), "expected columns i,j,cmd,value (value in USD)")
        ledger = RowLedger(rel)
        recs = []
        copies = first_copies(rows)
        for n, (exp, imp, cmd, value) in enumerate((r[:4] for r in rows), start=1):
            if n in copies:
                ledger.reject(n, "(row)", "", f"an exact copy of row {copies[n]} (a duplicated row)")
                continue
            hs6 = hs6_of[cmd.strip()]
            try:
                usd = parse_number(value)
            except ValueError:
                ledger.reject(n, "value", value, "expected a value in USD")
                continue
            if year == 2024:
                pv = parquet_value.get((exp, imp, hs6))
                if pv is None or abs(pv - usd) > 0.01:
                    ledger.reject(n, "value", value, f"differs from trade.parquet ({pv} USD) for the same flow")
                else:
                    ledger.exclude_bulk(1, "same flow as trade.parquet (2024), which also has quantities")
                continue
            pair = _flow_fate(ledger, n, exp, imp, hs6, codes, known_iso3, folded)
            if pair is None:
                continue
            if not usd > 0:
                ledger.reject(n, "value", value, "expected a positive value in USD")
                continue
            if world is not None:
                world.append((year, pair[0], pair[1], hs6, usd, None))
            if not _focus(pair):
                ledger.exclude_bulk(1, NON_FOCUS_REASON)
                continue
            m = codes[hs6]
            recs.append((n, year, *pair, hs6, m["commodity"], m["stage"], m["description"], usd, None))
            ledger.load(n)
        results.append(ledger.finish(EXTRACT_SOURCE, len(rows), pd.DataFrame(recs, columns=_FLOW_COLUMNS)))

    rel = f"{EXTRACT_DIR}/country_codes_V202601.csv"
    header, rows = read_csv_text(base / "country_codes_V202601.csv")
    ledger = RowLedger(rel)
    for n, r in enumerate(rows, start=1):
        rec = dict(zip(header, r, strict=True))
        iso3 = EXTRACT_CODE_FOLD.get(rec.get("country_iso3", ""), rec.get("country_iso3", ""))
        if iso3 in known_iso3 or fold.get(iso3) in known_iso3:
            ledger.load(n)
        else:
            ledger.exclude(
                n,
                f"BACI code {rec.get('country_code')} ({rec.get('country_iso3')}) is no country of "
                "data/countries.csv (an aggregate such as 'Europe EFTA, nes'); no flow uses it "
                "unless rejected in the flow files",
            )
    results.append(ledger.finish(EXTRACT_SOURCE, len(rows), pd.DataFrame()))
    return results
