"""What every source loader shares: row accounting, coded values, source metadata."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from pandas.core.dtypes.cast import maybe_box_native

from minerals_graph.errors import RowAccountingError, SourceFormatError
from minerals_graph.runtime import memo_dict

__all__ = [
    "SourceInfo",
    "LoadResult",
    "RowLedger",
    "QValue",
    "parse_qvalue",
    "read_csv_text",
    "first_copies",
    "parse_number",
    "clean_text",
    "frame_records",
    "frames_from_records",
    "frame_and_parts",
    "finish_ledgers",
    "ValueMemo",
]


@dataclass(frozen=True)
class SourceInfo:
    """Where a table comes from. Every node and edge carries these fields."""

    key: str
    publisher: str
    dataset: str
    year: int
    url: str
    licence: str = "Public domain (U.S. Government work)"

    def attrs(self) -> dict[str, object]:
        """The source attributes for a node or edge (see ``schema.SOURCE_ATTRS``)."""
        return {
            "source": self.key,
            "source_publisher": self.publisher,
            "source_dataset": self.dataset,
            "source_year": self.year,
            "source_url": self.url,
        }


REJECT_COLUMNS = ["file", "row", "field", "value", "reason"]
EXCLUDE_COLUMNS = ["file", "row", "reason"]


@dataclass
class LoadResult:
    """A loader's output: its table, and every row it did not load with the reason.

    ``rows_read`` counts the data rows of the file (the header excluded). Each read row is
    exactly one of: loaded (it contributed to ``table``), excluded (deliberately out of
    scope, e.g. an empty row or a petroleum field) or rejected (bad input). ``cell_rejects``
    lists single values that could not be read in rows that were otherwise loaded.

    ``loaded_rows`` is the set of row numbers the loader marked as loaded (from its
    :class:`RowLedger`); ``rows_loaded`` counts it, independently of the rejected and
    excluded rows, so that ``rows_loaded + rows_excluded + rows_rejected == rows_read`` is
    a real check (see ``validate.accounting``).
    """

    source: SourceInfo
    file: str
    rows_read: int
    table: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUDE_COLUMNS))
    cell_rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    #: Rows excluded in bulk (reason -> count), for files too large to list row by row.
    bulk_excluded: dict[str, int] = field(default_factory=dict)
    #: Row numbers (1-based) that were loaded, as recorded by the loader's ledger.
    loaded_rows: frozenset[int] = field(default_factory=frozenset)

    @property
    def rows_loaded(self) -> int:
        """Distinct rows loaded, counted from ``loaded_rows`` (not derived from the others)."""
        return len(self.loaded_rows)

    @property
    def rows_rejected(self) -> int:
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0

    @property
    def rows_excluded(self) -> int:
        listed = int(self.excluded["row"].nunique()) if len(self.excluded) else 0
        return listed + sum(self.bulk_excluded.values())


class _RejectRecord(TypedDict):
    """A rejected row or cell (a row of ``LoadResult.rejects`` / ``cell_rejects``)."""

    file: str
    row: int
    field: str
    value: str
    reason: str


class _ExcludeRecord(TypedDict):
    """An excluded row (a row of ``LoadResult.excluded``)."""

    file: str
    row: int
    reason: str


_EMPTY_FRAMES: dict[tuple[str, ...], pd.DataFrame] = memo_dict()


def _frame(records: list, columns: list[str]) -> pd.DataFrame:
    """``pd.DataFrame(records, columns=columns)``; an empty one copied from a template
    (most files have no rejects: building each empty frame anew is most of the cost)."""
    if records:
        return pd.DataFrame(records, columns=columns)
    key = tuple(columns)
    if key not in _EMPTY_FRAMES:
        _EMPTY_FRAMES[key] = pd.DataFrame([], columns=columns)
    return _EMPTY_FRAMES[key].copy()


def frames_from_records(parts: list[list[Any]], columns: list[str]) -> list[pd.DataFrame]:
    """``[pd.DataFrame(p, columns=columns) for p in parts]`` (records: dicts or tuples),
    built as one frame and cut into row slices.

    pandas' fixed cost per frame (a few hundred µs) is most of the time of a loader that
    reads many small files (MinMod: ~190); one frame and a slice per part cost a fraction
    of it. Each column must hold values of one type in every part (as a loader's records
    do), so that the slices have the dtypes of separate frames. An empty part gives the
    empty frame :func:`pd.DataFrame` gives.
    """
    return frame_and_parts(parts, columns)[1]


def frame_and_parts(parts: list[list[Any]], columns: list[str]) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The frame of all records of ``parts`` and :func:`frames_from_records` cut from it.

    For a caller that needs both a frame per part (a loader's results, one per file) and
    their concatenation (the table of all files): the concatenation is the frame the parts
    are cut from, instead of ``pd.concat`` of the parts.
    """
    if len(parts) == 1:
        whole = _frame(parts[0], columns)
        return whole, [whole]
    everything = [rec for p in parts for rec in p]
    whole = _frame(everything, columns)
    out = []
    start = 0
    for p in parts:
        if p:
            part = whole.iloc[start : start + len(p)]
            part.index = pd.RangeIndex(len(p))  # as a frame of its own (cheaper than reset_index)
            out.append(part)
        else:
            out.append(_frame(p, columns))
        start += len(p)
    return whole, out


class RowLedger:
    """Records the fate of every row of one file, and checks that none is forgotten."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.loaded: set[int] = set()
        self._rejects: list[_RejectRecord] = []
        self._excluded: list[_ExcludeRecord] = []
        self._cells: list[_RejectRecord] = []
        self._bulk: dict[str, int] = {}

    def load(self, row: int) -> None:
        self.loaded.add(row)

    def reject(self, row: int, field: str, value: object, reason: str) -> None:
        self._rejects.append({"file": self.file, "row": row, "field": field, "value": str(value), "reason": reason})

    def exclude(self, row: int, reason: str) -> None:
        self._excluded.append({"file": self.file, "row": row, "reason": reason})

    def exclude_bulk(self, count: int, reason: str) -> None:
        """Exclude ``count`` rows for one reason without listing them (huge files)."""
        self._bulk[reason] = self._bulk.get(reason, 0) + int(count)

    def reject_cell(self, row: int, field: str, value: object, reason: str) -> None:
        self._cells.append({"file": self.file, "row": row, "field": field, "value": str(value), "reason": reason})

    def finish(self, source: SourceInfo, rows_read: int, table: pd.DataFrame) -> LoadResult:
        """Build the LoadResult.

        Raises
        ------
        RowAccountingError
            If a row has no fate, more than one (loaded and rejected, rejected and
            excluded …), or a row number outside ``1..rows_read`` was recorded: a bug of
            the loader, reported naming the file and the rows.
        """
        return finish_ledgers([(self, source, rows_read, table)])[0]

    def _checked_loaded(self, rows_read: int) -> set[int]:
        """The loaded rows, once every row is checked to have exactly one fate (see :meth:`finish`)."""
        rejected = {int(r["row"]) for r in self._rejects}
        excluded = {int(r["row"]) for r in self._excluded}
        loaded = set(self.loaded)
        overlap = (rejected & excluded) | (loaded & (rejected | excluded))
        outside = {r for r in loaded | rejected | excluded if not 1 <= r <= rows_read}
        bulk = sum(self._bulk.values())
        fates = len(loaded | rejected | excluded) + bulk
        if overlap or outside or fates != rows_read:
            missing = set(range(1, rows_read + 1)) - loaded - rejected - excluded
            raise RowAccountingError(
                self.file,
                f"row accounting broken: read {rows_read}, loaded {len(loaded)}, "
                f"rejected {len(rejected)}, excluded {len(excluded)} (+{bulk} in bulk); "
                f"rows with no fate: {sorted(missing)[:10]}; with two: {sorted(overlap)[:10]}; "
                f"outside 1..{rows_read}: {sorted(outside)[:10]}",
            )
        return loaded


def finish_ledgers(items: list[tuple[RowLedger, SourceInfo, int, pd.DataFrame]]) -> list[LoadResult]:
    """``[ledger.finish(source, rows_read, table) for ledger, source, rows_read, table in items]``,
    with the reject and exclusion frames of all ledgers built at once
    (:func:`frames_from_records`): a loader of many files calls this once.

    Raises
    ------
    RowAccountingError
        As :meth:`RowLedger.finish`, for the first ledger in ``items`` with a broken account.
    """
    loaded = [ledger._checked_loaded(rows_read) for ledger, _, rows_read, _ in items]
    ledgers = [ledger for ledger, _, _, _ in items]
    rejects = frames_from_records([ledger._rejects for ledger in ledgers], REJECT_COLUMNS)
    excluded = frames_from_records([ledger._excluded for ledger in ledgers], EXCLUDE_COLUMNS)
    cells = frames_from_records([ledger._cells for ledger in ledgers], REJECT_COLUMNS)
    return [
        LoadResult(
            source=source,
            file=ledger.file,
            rows_read=rows_read,
            table=table,
            rejects=rejects[k],
            excluded=excluded[k],
            cell_rejects=cells[k],
            bulk_excluded=dict(ledger._bulk),
            loaded_rows=frozenset(loaded[k]),
        )
        for k, (ledger, source, rows_read, table) in enumerate(items)
    ]


@dataclass(frozen=True)
class QValue:
    """A published value with its qualifier.

    ``value`` is the number when there is one (for ``>50`` it is 50.0 with qualifier
    ``>``); ``qualifier`` keeps the code exactly as USGS uses it: ``W`` withheld,
    ``NA`` not available, ``E`` net exporter, ``>``/``<``/``>=`` bounds, ``--`` zero or
    negligible, ``range a-b`` for a published range (no single value); empty when the
    value is plain. "Less than ½ unit" is ``<`` 0.5; ``e150`` is 150 with qualifier ``e``
    (estimated).
    """

    value: float | None
    qualifier: str = ""

    @property
    def is_blank(self) -> bool:
        return self.value is None and not self.qualifier


#: A number as USGS writes it: thousands separators only in groups of three ("1,200";
#: "1,2" is damage, never 12).
_N = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_LESS_THAN_HALF = re.compile(r"^less than (1/2|½|one-half|a half) unit\.?$", re.IGNORECASE)
_LESS_THAN_N = re.compile(rf"^less than ({_N})\s+[a-z]+\.?$", re.IGNORECASE)
_ESTIMATE = re.compile(rf"^e\s*({_N})$")
_RANGE = re.compile(rf"^({_N})\s*[–-]\s*({_N})$")
#: Descriptive values USGS publishes in place of a number; kept as the qualifier text.
_DESCRIPTIVE = (
    "included in",
    "included with",
    "small",
    "very small",
    "large",
    "moderate",
    "categorized as",
    "variable",
)
_CODES = {"W": "W", "NA": "NA", "N/A": "NA", "E": "E", "XX": "XX", "--": "--", "—": "--", "-": "--"}
_BOUND = re.compile(rf"^(>=|<=|>|<|≥|≤)\s*({_N})$")
_NUMBER = re.compile(rf"^-?{_N}$|^-?\.[0-9]+$")


def parse_qvalue(text: object) -> QValue:
    """Parse a USGS cell: numbers (with thousands separators), codes and bounds.

    Raises ``ValueError`` on anything else (the caller turns it into a reject naming file,
    row and field).

    Examples
    --------
    >>> parse_qvalue('"7,900"'.strip('"'))
    QValue(value=7900.0, qualifier='')
    >>> parse_qvalue(">50")
    QValue(value=50.0, qualifier='>')
    >>> parse_qvalue("W")
    QValue(value=None, qualifier='W')
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return QValue(None, "")
    if isinstance(text, (int, float)):
        return QValue(float(text), "")
    s = clean_text(str(text)).replace("\u2212", "-")  # Unicode minus sign, as in tantalum
    if s == "":
        return QValue(None, "")
    if s.upper() in _CODES:
        return QValue(None, _CODES[s.upper()])
    if _NUMBER.match(s):
        return QValue(float(s.replace(",", "")), "")
    m = _BOUND.match(s)
    if m:
        op = {"≥": ">=", "≤": "<="}.get(m.group(1), m.group(1))
        return QValue(float(m.group(2).replace(",", "")), op)
    if _LESS_THAN_HALF.match(s):
        return QValue(0.5, "<")
    n = _LESS_THAN_N.match(s)
    if n:  # 'Less than 500 carats.'
        return QValue(float(n.group(1).replace(",", "")), "<")
    if s.lower().rstrip(".").startswith(_DESCRIPTIVE):  # 'Included in World total.', 'Small'
        return QValue(None, s.lower().rstrip(".").replace('"', ""))
    e = _ESTIMATE.match(s)
    if e:  # 'e150': USGS's estimate marker written before the number
        return QValue(float(e.group(1).replace(",", "")), "e")
    r = _RANGE.match(s)
    if r:  # a published range such as '50–300': no single value, the range is the qualifier
        return QValue(None, f"range {r.group(1).replace(',', '')}-{r.group(2).replace(',', '')}")
    raise ValueError(f"expected a number, a bound such as '>50', or a code W/NA/E/--; got {s!r}")


def first_copies(rows: list[list[str]]) -> dict[int, int]:
    """Data rows (1-based) that repeat an earlier row exactly -> that earlier row.

    Rows of empty fields are not copies (they are excluded as empty rows). A loader rejects
    each copy naming the row it repeats, so that a duplicated line never counts twice.

    Examples
    --------
    >>> first_copies([["a", "1"], ["", ""], ["a", "1"], ["", ""]])
    {3: 1}
    """
    first: dict[tuple[str, ...], int] = {}
    # each row's first occurrence (1-based), in C-level loops: most files have no copy at all
    firsts = list(map(first.setdefault, map(tuple, rows), range(1, len(rows) + 1)))
    if len(first) == len(rows):
        return {}
    out: dict[int, int] = {}
    for i, j in enumerate(firsts, start=1):
        # a blank row (every field blank, the same as: no field with text) is no copy; it is
        # only ever "first" of other blank rows, which are no copies either
        if j != i and "".join(rows[i - 1]).strip():
            out[i] = j
    return out


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")``, the same dicts and values, read a column at a time.

    pandas builds those dicts through a row iterator (slow for a few thousand rows); here
    each column is converted once (``Series.tolist``: Python scalars, as ``to_dict`` gives)
    and the values of object columns are boxed as ``to_dict`` boxes them (numpy scalars to
    Python ones).
    """
    names = df.columns.tolist()
    if len(set(names)) < len(names) or any(
        not isinstance(t, np.dtype) and not isinstance(t, pd.StringDtype) for t in df.dtypes
    ):
        return df.to_dict("records")  # nullable and other extension types: pandas' own conversion
    cols = []
    for k in range(df.shape[1]):
        s = df.iloc[:, k]
        values = s.tolist()
        if s.dtype == object:
            values = [maybe_box_native(v) for v in values]
        cols.append(values)
    return (
        [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]
        if names
        else [{} for _ in range(len(df))]
    )


_CLEANED: dict[str, str] = memo_dict()  # text -> cleaned text: cells repeat (units, names, blanks)
_CLEANED_MAX = 200_000


def clean_text(value: object) -> str:
    """Strip, fold non-breaking spaces and runs of white space; None/NaN -> ''."""
    if type(value) is str:
        out = _CLEANED.get(value)
        if out is None:
            out = " ".join(value.replace("\u00a0", " ").split())
            if len(_CLEANED) >= _CLEANED_MAX:
                _CLEANED.clear()
            _CLEANED[value] = out
        return out
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return " ".join(str(value).replace("\u00a0", " ").split())


def parse_number(text: object) -> float:
    """A published decimal number, strictly: ``7950.0``, ``-74.25``, ``1,200``, ``1.5e3``.

    Unlike ``float()`` it refuses ``inf``, ``nan``, ``1_000`` and hexadecimal, which in a
    published table are damage, not numbers. Raises ``ValueError`` naming the text.

    Examples
    --------
    >>> parse_number(" 1,200.5 ")
    1200.5
    """
    if type(text) is str and _PLAIN_NUMBER.match(text):
        value = float(text)  # the common case, read as below without the cleaning
        if value != _INF:
            return value
    if isinstance(text, bool):
        raise ValueError(f"expected a number, got {text!r}")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = clean_text(text).replace("\u2212", "-")
        if not _STRICT_NUMBER.match(s):
            raise ValueError(f"expected a number, got {s!r}")
        value = float(s.replace(",", ""))
    if value != value or value in _INFINITIES:
        raise ValueError(f"expected a finite number, got {text!r}")
    return value


#: Plain ASCII digits with an optional sign and fraction: what most cells hold (``1484.0``, ``-74.25``).
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_INF = float("inf")
_INFINITIES = (_INF, -_INF)
_STRICT_NUMBER = re.compile(
    r"^(?=[-+]?\.?[0-9])[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
)
#: A UTF-8 multi-byte sequence: in a file published as cp1252 it means the wrong encoding.
_UTF8_SEQUENCE = re.compile(rb"[\xC2-\xF4][\x80-\xBF]+")


def _utf8_sequence(data: bytes) -> re.Match[bytes] | None:
    """The first match of :data:`_UTF8_SEQUENCE` in ``data``, or None. The first position
    where a lead byte is followed by a continuation byte is found with numpy (a few MB of
    cp1252 text: the regular expression alone tests every byte in Python's engine); the
    match is then the expression's own, from there."""
    if data.isascii():
        return None
    b = np.frombuffer(data, dtype=np.uint8)
    starts = (b[:-1] >= 0xC2) & (b[:-1] <= 0xF4) & (b[1:] >= 0x80) & (b[1:] <= 0xBF)
    if not starts.any():
        return None
    return _UTF8_SEQUENCE.search(data, int(starts.argmax()))


def _count_data_rows(rows: list[list[str]]) -> int:
    """Non-empty rows after the header (the row a truncation error names)."""
    return sum(1 for r in rows[1:] if r)


def read_csv_text(
    path: Path, encoding: str = "utf-8-sig", *, overflow: dict[int, list[str]] | None = None, final_newline: bool = True
) -> tuple[list[str], list[list[str]]]:
    """Read a CSV as text exactly as published: header and rows, no type guessing.

    Returns the header (trailing unnamed empty columns dropped) and the data rows padded
    or cut to the header's width. Fully blank lines are dropped by the csv module; rows
    of empty fields (``,,,,``) are kept so that they can be accounted for. A row with
    non-empty values beyond the header's width (more values than named columns: the
    columns cannot be trusted) is recorded in ``overflow`` (1-based data row -> the extra
    values), so that the caller rejects it or keeps it by a documented rule; without
    ``overflow`` it is a SourceFormatError. It is never cut silently.

    Raises
    ------
    SourceFormatError
        Naming the file (and line, row or field where it applies) when the file cannot be
        decoded in ``encoding``, holds UTF-8 byte sequences while published as a single-byte
        encoding (cp1252), is empty, ends inside a quoted field, does not end with a line
        break (``final_newline``: every published file does except NRCan's export, whose
        fields are all quoted), or has a row with fewer values than named columns: each
        of these is a truncated or re-encoded file, whose last values would otherwise be
        read as different values.
    """
    try:
        data_bytes = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFormatError(str(path), None, None, "file not found") from exc
    try:
        raw = data_bytes.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data_bytes[: exc.start].count(b"\n") + 1
        raise SourceFormatError(str(path), None, None, f"line {line}: cannot be decoded as {encoding}: {exc}") from exc
    if not encoding.lower().replace("-", "").startswith("utf"):
        m = _utf8_sequence(data_bytes)
        if m:
            line = data_bytes[: m.start()].count(b"\n") + 1
            raise SourceFormatError(
                str(path),
                None,
                None,
                f"line {line}: UTF-8 bytes {m.group(0)!r} in a file published as "
                f"{encoding}: wrong encoding (the text would be read as {m.group(0).decode(encoding, 'replace')!r})",
            )
    try:
        rows = list(csv.reader(io.StringIO(raw)))
    except csv.Error as exc:
        raise SourceFormatError(str(path), None, None, f"not readable as CSV: {exc}") from exc
    if not rows:
        raise SourceFormatError(str(path), 0, None, "empty file: expected a header row")
    header = rows[0]
    while header and header[-1].strip() == "":
        header = header[:-1]
    width = len(header)
    if raw.count('"') % 2:
        raise SourceFormatError(
            str(path),
            _count_data_rows(rows),
            None,
            "the file ends inside a quoted field (unbalanced double quotes): truncated?",
        )
    if final_newline and len(rows) > 1 and not raw.endswith(("\n", "\r")):
        raise SourceFormatError(
            str(path),
            _count_data_rows(rows),
            None,
            "the last row has no line break: the file "
            "looks truncated (every row of this file ends with one as published)",
        )
    body = rows[1:]
    if width and set(map(len, body)) <= {width}:
        return header, body  # the common case: every row has exactly the header's width
    data: list[list[str]] = []
    for r in body:
        if not r:
            continue
        if len(r) < width:
            raise SourceFormatError(
                str(path),
                len(data) + 1,
                header[len(r)],
                f"{len(r)} values for {width} named columns: the row is truncated or values are missing",
            )
        if any(c.strip() for c in r[width:]):
            extra = [c for c in r[width:] if c.strip()]
            if overflow is None:
                raise SourceFormatError(
                    str(path),
                    len(data) + 1,
                    "(beyond the header)",
                    f"{width + len(extra)} values for {width} named columns "
                    f"(extra {extra[:3]}): cannot tell which column each value "
                    "belongs to",
                )
            overflow[len(data) + 1] = extra
        data.append((r + [""] * width)[:width])
    return header, data


class ValueMemo(dict):
    """``memo[value]`` is ``func(value)``, computed once per distinct value.

    For pure per-cell work on a column of few distinct values (codes, years, units): a hit
    is one dict lookup, cheaper than a call of the function or of an ``lru_cache`` wrapper
    (a miss costs more than a call: not for columns of mostly distinct values). Values
    equal as dict keys share one result (``1``, ``1.0`` and ``True``), so the values of
    one memo must have one type (the cells of one column of text, say).

    Examples
    --------
    >>> hs6 = ValueMemo(lambda code: code.zfill(6))
    >>> hs6["28530"], hs6["811292"], len(hs6)
    ('028530', '811292', 2)
    """

    def __init__(self, func: Callable[[Any], Any]) -> None:
        super().__init__()
        self._func = func

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self._func(value)
        return out
