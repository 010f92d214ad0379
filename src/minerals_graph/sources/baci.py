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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
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
#: The columns of ``trade.parquet`` read (the first of each name).
_PARQUET_COLUMNS = ["year", "exporter", "importer", "hs6", "value_kusd", "qty_t"]
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


#: Reasons of the flow checks shared by the Parquet and CSV files.
_ISO3_REASON = "expected an ISO3 code of data/countries.csv"
_SAME_COUNTRY_REASON = "exporter and importer fold into one country (e.g. HKG -> CHN)"
#: Exclusion reason of a flow between two countries outside the focus (it still counts in totals).
NON_FOCUS_REASON = (
    "neither exporter nor importer is the U.S., Canada, Mexico or the PRC: not kept as a flow "
    "(counted in the world trade totals of the code's exporters to North America)"
)
_YEAR = re.compile(r"\d{4}")


def _unmapped_reason(hs6: str) -> str:
    return f"HS {hs6} not mapped to one modelled commodity (data/hs_commodities.csv)"


def _code_folder(fold: dict[str, str]) -> ValueMemo:
    """BACI code -> the country it counts as (:data:`EXTRACT_CODE_FOLD`, then ``fold``),
    memoised: a few hundred codes are looked up for ~90,000 flows."""

    def fold_code(code: str) -> str:
        base = EXTRACT_CODE_FOLD.get(code, code)
        return fold.get(base, base)

    return ValueMemo(fold_code)


@dataclass(frozen=True)
class _Lookups:
    """What the flow checks of the extract's files look codes up in (one for all its files)."""

    #: HS6 code -> its row of ``data/hs_commodities.csv``.
    codes: dict[str, dict]
    #: ISO3 codes of ``data/countries.csv``.
    known: set[str]
    #: BACI code -> the country it counts as (:func:`_code_folder`).
    folded: dict[str, str]
    #: HS code as written -> 6 digits (BACI drops the leading zero).
    hs6_of: dict[str, str] = field(default_factory=lambda: ValueMemo(lambda code: code.zfill(6)))
    #: BACI code -> the first string object of that text: the same object for a code in every
    #: file, so that flow keys (exporter, importer, HS code) compare by identity.
    one_code: dict[str, str] = field(default_factory=lambda: ValueMemo(lambda code: code))

    def flow_keys(self, exporters: _Codes, importers: _Codes, hs_codes: _Codes) -> Iterator[tuple[str, str, str]]:
        """(exporter, importer, HS6 code) of each flow, the codes as written (not folded).

        An iterator: a key looked up and dropped is no object the garbage collector counts.
        """
        one = self.one_code.__getitem__
        columns = (exporters.map(one), importers.map(one), hs_codes.map(self.hs6_of.__getitem__))
        return zip(*(c.tolist() for c in columns), strict=True)


class _Verdicts:
    """The fates of one file's rows, decided a check at a time over whole columns.

    The extract's files hold ~65,000 flows, nearly all valid: checking them one row at a
    time cost most of ``load_extract``. Here each check is a boolean mask over all rows,
    applied in the order of the row-by-row checks, and a row takes the fate of the first
    check it fails (a later check only sees the rows still ``open``), as with a ``continue``
    after each failed check. :meth:`record` writes the fates to the ledger as the row loop
    did: rejects in row order (the few rejected rows one at a time), bulk exclusions
    reason by reason in the order of each reason's first row.
    """

    def __init__(self, n: int) -> None:
        #: The rows no check has decided yet: after the last check, the rows loaded.
        self.open = np.ones(n, dtype=bool)
        self._rejects: list[tuple[int, str, object, str]] = []  # (row index, field, value, reason)
        self._bulk: dict[str, tuple[int, int]] = {}  # reason -> (first row index, count)

    def _take(self, fails: np.ndarray) -> np.ndarray:
        """The open rows of ``fails`` (indexes), now decided."""
        hit = np.flatnonzero(fails & self.open)
        self.open[hit] = False
        return hit

    def reject(
        self,
        fails: np.ndarray,
        field: str,
        value: Callable[[int], object],
        reason: str | Callable[[int], str],
    ) -> None:
        """Reject the open rows of ``fails``; ``value`` (and ``reason`` when not one text)
        of a row index give what the ledger records."""
        for k in self._take(fails).tolist():
            self._rejects.append((k, field, value(k), reason if isinstance(reason, str) else reason(k)))

    def exclude_bulk(self, fails: np.ndarray, reason: str) -> None:
        """Exclude the open rows of ``fails`` in bulk with ``reason``."""
        hit = self._take(fails)
        if len(hit):  # no row, no entry: the row loop recorded a reason only for a row
            first, count = self._bulk.get(reason, (int(hit[0]), 0))
            self._bulk[reason] = (min(first, int(hit[0])), count + len(hit))

    def record(self, ledger: RowLedger) -> None:
        """Write the rejects and bulk exclusions to ``ledger`` in the row loop's order."""
        for k, column, value, reason in sorted(self._rejects, key=lambda r: r[0]):
            ledger.reject(k + 1, column, value, reason)
        for reason, (_, count) in sorted(self._bulk.items(), key=lambda item: item[1][0]):
            ledger.exclude_bulk(count, reason)


def _objects(values: Iterable[object]) -> np.ndarray:
    """``values`` as a 1-d object array (Python objects, selectable by masks)."""
    out = list(values)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


class _Codes:
    """A column of codes (text) as its distinct codes and each row's index among them.

    ~20,000 flows hold a few hundred country codes and ~30 HS codes: what a check derives
    from a code (its folded country, whether that is known or a focus country, the HS
    mapping) is computed once per distinct code and spread to the rows by a numpy take.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        index, distinct = pd.factorize(_objects(texts))
        self.index: np.ndarray = index
        self.distinct: list[str] = distinct.tolist()

    def map(self, lookup: Callable[[str], Any]) -> np.ndarray:
        """``lookup`` of each row's code as an object array (one object per distinct code)."""
        return _objects(map(lookup, self.distinct))[self.index]

    def test(self, predicate: Callable[[str], bool]) -> np.ndarray:
        """``predicate`` of each row's code as a boolean array."""
        return np.array([predicate(c) for c in self.distinct], dtype=bool)[self.index]


def _check_flows(
    fates: _Verdicts, exporters: _Codes, importers: _Codes, hs_codes: _Codes, look: _Lookups
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checks of every flow, column-wise: HS code mapped, exporter and importer (after
    folding) ISO3 codes of ``look.known`` and not one country.

    Returns the folded exporters and importers, the 6-digit HS codes (object arrays) and
    which flows have a focus country (:data:`EXTRACT_FOCUS`) on either side.
    """
    folded = look.folded
    hs6 = hs_codes.map(look.hs6_of.__getitem__)
    for h in sorted({look.hs6_of[c] for c in hs_codes.distinct} - look.codes.keys()):
        fates.exclude_bulk(hs6 == h, _unmapped_reason(h))
    exp, imp = exporters.map(folded.__getitem__), importers.map(folded.__getitem__)
    fates.reject(~exporters.test(lambda c: folded[c] in look.known), "exporter", exp.__getitem__, _ISO3_REASON)
    fates.reject(~importers.test(lambda c: folded[c] in look.known), "importer", imp.__getitem__, _ISO3_REASON)
    fates.exclude_bulk(exp == imp, _SAME_COUNTRY_REASON)
    focus = exporters.test(lambda c: folded[c] in EXTRACT_FOCUS) | importers.test(lambda c: folded[c] in EXTRACT_FOCUS)
    return exp, imp, hs6, focus


def _flows_result(
    rel: str,
    fates: _Verdicts,
    flows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    focus: np.ndarray,
    codes: dict[str, dict],
    world: list[tuple] | None,
    decimals: int | None = None,
) -> LoadResult:
    """The LoadResult of a flow file once its checks are done: the flows still open are
    valid, given to ``world``; those with no focus country (``focus`` false) are then
    excluded and the rest loaded.

    ``flows``: year, folded exporter and importer, HS code (object arrays), value in USD
    and quantity (object array, None when unknown) of every row; the table's values are
    rounded to ``decimals`` when given.
    """
    years, exp, imp, hs6, usd, qty = flows
    if world is not None:
        ok = np.flatnonzero(fates.open)
        world.extend(zip(*(c[ok].tolist() for c in flows), strict=True))
    fates.exclude_bulk(~focus, NON_FOCUS_REASON)
    ledger = RowLedger(rel)
    fates.record(ledger)
    kept = np.flatnonzero(fates.open)
    values = usd[kept].tolist()
    if decimals is not None:
        values = [round(x, decimals) for x in values]
    rows = (kept + 1).tolist()
    recs = [
        (n, year, e, i, h, codes[h]["commodity"], codes[h]["stage"], codes[h]["description"], value, q)
        for n, year, e, i, h, value, q in zip(
            rows,
            years[kept].tolist(),
            exp[kept].tolist(),
            imp[kept].tolist(),
            hs6[kept].tolist(),
            values,
            qty[kept].tolist(),
            strict=True,
        )
    ]
    for n in rows:
        ledger.load(n)
    return ledger.finish(EXTRACT_SOURCE, len(fates.open), pd.DataFrame(recs, columns=_FLOW_COLUMNS))


def _finite(value: object) -> float | None:
    """A finite number of a Parquet cell (numbers or numeric text), else None."""
    if type(value) is float:  # the cells of a float column: what parse_number gives, without its checks
        return value if math.isfinite(value) else None
    try:
        return parse_number(value)
    except (TypeError, ValueError):
        return None


def _finite_column(cells: list) -> np.ndarray:
    """:func:`_finite` of each cell of a Parquet column as floats, NaN where it gives None.

    A column of floats (and None: a float column's nulls) is converted at once; any other
    column cell by cell.
    """
    if set(map(type, cells)) <= {float, type(None)}:
        out = np.array(cells, dtype=float)  # None -> NaN
        out[~np.isfinite(out)] = np.nan
        return out
    return np.array([_finite(x) for x in cells], dtype=float)


def _missing_column(cells: list) -> np.ndarray:
    """Which cells of a Parquet column are empty: None or a float NaN."""
    if set(map(type, cells)) <= {float, type(None)}:
        return np.isnan(np.array(cells, dtype=float))
    return np.array([x is None or (isinstance(x, float) and x != x) for x in cells], dtype=bool)


def _texts(cells: list) -> list[str]:
    """``str`` of each cell of a Parquet column (the cells themselves in a column of text)."""
    return cells if set(map(type, cells)) <= {str} else list(map(str, cells))


#: Plain decimal numbers, one a line: the value column of a BACI CSV as published.
_PLAIN_LINES = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:\n[0-9]+(?:\.[0-9]+)?)*")


def _number_column(texts: Sequence[str]) -> np.ndarray:
    """:func:`parse_number` of each text, NaN where it raises ValueError.

    Texts that are all plain decimal numbers (checked at once on their joined lines, none
    holding a line break of its own) are read by ``float``, as ``parse_number`` reads them
    (a plain number too large for a float is no finite number: NaN); any other column
    text by text.
    """
    joined = "\n".join(texts)
    if texts and joined.count("\n") == len(texts) - 1 and _PLAIN_LINES.fullmatch(joined):
        out = np.fromiter(map(float, texts), dtype=float, count=len(texts))
        out[~np.isfinite(out)] = np.nan
        return out

    def number(text: str) -> float:
        try:
            return parse_number(text)
        except ValueError:
            return math.nan

    return np.array([number(t) for t in texts], dtype=float)


def _columns(rows: list[list[str]], width: int) -> list[list[str]]:
    """The first ``width`` columns of ``rows`` (each as long at least).

    By ``itemgetter``, not ``zip(*rows)``: that makes an iterator of each row, ~20,000
    objects that the garbage collector then counts and scans.
    """
    return [list(map(itemgetter(k), rows)) for k in range(width)]


def _load_parquet_flows(
    rel: str, pq_cols: list[list], names: list[str], look: _Lookups, world: list[tuple] | None
) -> tuple[LoadResult, dict[tuple[str, str, str], float]]:
    """The flows of ``trade.parquet`` (``pq_cols``: its columns as lists, ``names``: their
    names), and each flow's value in USD by (exporter, importer, HS code) as the file
    gives them, for the check of ``baci_2024.csv``."""
    year_col, exp_col, imp_col, hs_col, kusd_col, qty_col = (pq_cols[names.index(c)] for c in _PARQUET_COLUMNS)
    exporters, importers, hs_codes = (_Codes(_texts(c)) for c in (exp_col, imp_col, hs_col))
    kusd = _finite_column(kusd_col)
    with np.errstate(over="ignore"):  # as Python's product: a value too large for a float is inf
        usd = kusd * 1000.0
    valid = ~np.isnan(kusd)  # a flow's value, for the check of baci_2024.csv whatever its fate here
    keys = compress(look.flow_keys(exporters, importers, hs_codes), valid.tolist())
    parquet_value = dict(zip(keys, usd[valid].tolist(), strict=True))

    fates = _Verdicts(len(year_col))
    years = _Codes(_texts(year_col))  # one year in the whole file: checked once, not once per flow
    fates.reject(
        ~years.test(lambda text: _YEAR.fullmatch(text) is not None),
        "year",
        year_col.__getitem__,
        "expected a four-digit year",
    )
    exp, imp, hs6, focus = _check_flows(fates, exporters, importers, hs_codes, look)
    fates.reject(  # NaN (no finite value) is not > 0
        ~(kusd > 0), "value_kusd", kusd_col.__getitem__, "expected a positive value in thousands of USD"
    )
    qty = _finite_column(qty_col)
    fates.reject(
        np.isnan(qty) & ~_missing_column(qty_col), "qty_t", qty_col.__getitem__, "expected metric tons or empty"
    )
    qty_or_none = qty.astype(object)
    qty_or_none[np.isnan(qty)] = None  # in a valid flow: an empty cell
    year_ints = years.map(lambda text: int(text) if _YEAR.fullmatch(text) else None)  # int(cell), of its text
    flows = (year_ints, exp, imp, hs6, usd, qty_or_none)
    return _flows_result(rel, fates, flows, focus, look.codes, world, decimals=3), parquet_value


def _load_csv_flows(
    rel: str,
    year: int,
    rows: list[list[str]],
    look: _Lookups,
    parquet_value: dict[tuple[str, str, str], float],
    world: list[tuple] | None,
) -> LoadResult:
    """The flows of ``baci_{year}.csv`` (``rows``: its data rows as read): 2022 loaded,
    2024 checked against ``parquet_value`` (``trade.parquet``'s flows -> value in USD)."""
    fates = _Verdicts(len(rows))
    copies = first_copies(rows)
    is_copy = np.zeros(len(rows), dtype=bool)
    is_copy[[n - 1 for n in copies]] = True
    fates.reject(
        is_copy,
        "(row)",
        lambda k: "",
        lambda k: f"an exact copy of row {copies[k + 1]} (a duplicated row)",
    )
    exp_col, imp_col, cmd_col, value_col = _columns(rows, 4)
    exporters, importers, hs_codes = _Codes(exp_col), _Codes(imp_col), _Codes(map(str.strip, cmd_col))
    usd = _number_column(value_col)
    fates.reject(np.isnan(usd), "value", value_col.__getitem__, "expected a value in USD")
    if year == 2024:
        pv = list(map(parquet_value.get, look.flow_keys(exporters, importers, hs_codes)))
        parquet_usd = np.array(pv, dtype=float)  # None (no such flow) -> NaN
        with np.errstate(over="ignore"):  # two values of opposite signs near the float limit: inf
            differs = np.isnan(parquet_usd) | (np.abs(parquet_usd - usd) > 0.01)
        fates.reject(
            differs,
            "value",
            value_col.__getitem__,
            lambda k: f"differs from trade.parquet ({pv[k]} USD) for the same flow",
        )
        fates.exclude_bulk(fates.open, "same flow as trade.parquet (2024), which also has quantities")
        ledger = RowLedger(rel)
        fates.record(ledger)
        return ledger.finish(EXTRACT_SOURCE, len(rows), pd.DataFrame([], columns=_FLOW_COLUMNS))
    exp, imp, hs6, focus = _check_flows(fates, exporters, importers, hs_codes, look)
    fates.reject(~(usd > 0), "value", value_col.__getitem__, "expected a positive value in USD")
    years, no_qty = np.full(len(rows), year, dtype=object), np.full(len(rows), None, dtype=object)
    return _flows_result(rel, fates, (years, exp, imp, hs6, usd, no_qty), focus, look.codes, world)


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

    The rows are checked column-wise (:class:`_Verdicts`), with the checks, fates and
    order of checking them one row at a time.
    """
    base = Path(sources_dir) / EXTRACT_DIR
    fold = fold or {}
    codes = dict(zip(hs_map["hs6"], hs_map.to_dict("records"), strict=True))
    look = _Lookups(codes, known_iso3, _code_folder(fold))
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
    need = _PARQUET_COLUMNS
    if [c for c in need if c not in pq.columns]:
        raise SourceFormatError(rel, 0, ",".join(need), f"expected columns {need}; got {list(pq.columns)}")
    result, parquet_value = _load_parquet_flows(rel, pq_cols, list(pq.columns), look, world)
    results.append(result)

    for year in (2022, 2024):
        rel = f"{EXTRACT_DIR}/baci_{year}.csv"
        header, rows = read_csv_text(base / f"baci_{year}.csv")
        if header[:4] != ["i", "j", "cmd", "value"]:
            raise SourceFormatError(rel, 0, ",".join(header), "expected columns i,j,cmd,value (value in USD)")
        results.append(_load_csv_flows(rel, year, rows, look, parquet_value, world))

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
