"""What every source loader shares: row accounting, coded values, source metadata."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from minerals_graph.errors import SourceFormatError

__all__ = [
    "SourceInfo",
    "LoadResult",
    "RowLedger",
    "QValue",
    "parse_qvalue",
    "read_csv_text",
    "clean_text",
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

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected - self.rows_excluded

    @property
    def rows_rejected(self) -> int:
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0

    @property
    def rows_excluded(self) -> int:
        listed = int(self.excluded["row"].nunique()) if len(self.excluded) else 0
        return listed + sum(self.bulk_excluded.values())


class RowLedger:
    """Records the fate of every row of one file, and checks that none is forgotten."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.loaded: set[int] = set()
        self._rejects: list[dict[str, object]] = []
        self._excluded: list[dict[str, object]] = []
        self._cells: list[dict[str, object]] = []
        self._bulk: dict[str, int] = {}

    def load(self, row: int) -> None:
        self.loaded.add(row)

    def reject(self, row: int, field: str, value: object, reason: str) -> None:
        self._rejects.append(
            {"file": self.file, "row": row, "field": field, "value": str(value), "reason": reason}
        )

    def exclude(self, row: int, reason: str) -> None:
        self._excluded.append({"file": self.file, "row": row, "reason": reason})

    def exclude_bulk(self, count: int, reason: str) -> None:
        """Exclude ``count`` rows for one reason without listing them (huge files)."""
        self._bulk[reason] = self._bulk.get(reason, 0) + int(count)

    def reject_cell(self, row: int, field: str, value: object, reason: str) -> None:
        self._cells.append(
            {"file": self.file, "row": row, "field": field, "value": str(value), "reason": reason}
        )

    def finish(
        self, source: SourceInfo, rows_read: int, table: pd.DataFrame
    ) -> LoadResult:
        """Build the LoadResult; raise if a row has no fate or more than one."""
        rejected = {int(r["row"]) for r in self._rejects}  # type: ignore[call-overload]
        excluded = {int(r["row"]) for r in self._excluded}  # type: ignore[call-overload]
        loaded = self.loaded - rejected - excluded
        overlap = rejected & excluded
        bulk = sum(self._bulk.values())
        fates = len(loaded) + len(rejected) + len(excluded) - len(overlap) + bulk
        if overlap or fates != rows_read:
            missing = set(range(1, rows_read + 1)) - loaded - rejected - excluded
            raise AssertionError(
                f"{self.file}: row accounting broken: read {rows_read}, loaded {len(loaded)}, "
                f"rejected {len(rejected)}, excluded {len(excluded)}; "
                f"rows with no fate: {sorted(missing)[:10]}; with two: {sorted(overlap)[:10]}"
            )
        return LoadResult(
            source=source,
            file=self.file,
            rows_read=rows_read,
            table=table,
            rejects=pd.DataFrame(self._rejects, columns=REJECT_COLUMNS),
            excluded=pd.DataFrame(self._excluded, columns=EXCLUDE_COLUMNS),
            cell_rejects=pd.DataFrame(self._cells, columns=REJECT_COLUMNS),
            bulk_excluded=dict(self._bulk),
        )


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


_LESS_THAN_HALF = re.compile(r"^less than (1/2|½|one-half|a half) unit\.?$", re.IGNORECASE)
_LESS_THAN_N = re.compile(r"^less than ([0-9][0-9,]*(?:\.[0-9]+)?)\s+[a-z]+\.?$", re.IGNORECASE)
_ESTIMATE = re.compile(r"^e\s*([0-9][0-9,]*(?:\.[0-9]+)?)$")
_RANGE = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*[–-]\s*([0-9][0-9,]*(?:\.[0-9]+)?)$")
#: Descriptive values USGS publishes in place of a number; kept as the qualifier text.
_DESCRIPTIVE = ("included in", "included with", "small", "very small", "large", "moderate",
                "categorized as", "variable")
_CODES = {"W": "W", "NA": "NA", "N/A": "NA", "E": "E", "XX": "XX", "--": "--", "—": "--", "-": "--"}
_BOUND = re.compile(r"^(>=|<=|>|<|≥|≤)\s*([0-9][0-9,]*(?:\.[0-9]+)?)$")
_NUMBER = re.compile(r"^-?[0-9][0-9,]*(?:\.[0-9]+)?$|^-?\.[0-9]+$")


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


def clean_text(value: object) -> str:
    """Strip, fold non-breaking spaces and runs of white space; None/NaN -> ''."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return " ".join(str(value).replace("\u00a0", " ").split())


def read_csv_text(path: Path, encoding: str = "utf-8-sig", *,
                  overflow: dict[int, list[str]] | None = None) -> tuple[list[str], list[list[str]]]:
    """Read a CSV as text exactly as published: header and rows, no type guessing.

    Returns the header (trailing unnamed empty columns dropped) and the data rows padded
    or cut to the header's width. Fully blank lines are dropped by the csv module; rows
    of empty fields (``,,,,``) are kept so that they can be accounted for. A row with
    non-empty values beyond the header's width (more values than named columns: the
    columns cannot be trusted) is recorded in ``overflow`` (1-based data row -> the extra
    values), so that the caller rejects it or keeps it by a documented rule; it is never
    cut silently when ``overflow`` is given.
    """
    try:
        raw = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            str(path), None, None, f"cannot be decoded as {encoding}: {exc}"
        ) from exc
    except FileNotFoundError as exc:
        raise SourceFormatError(str(path), None, None, "file not found") from exc
    rows = list(csv.reader(io.StringIO(raw)))
    if not rows:
        raise SourceFormatError(str(path), 0, None, "empty file: expected a header row")
    header = rows[0]
    while header and header[-1].strip() == "":
        header = header[:-1]
    width = len(header)
    data = []
    for r in rows[1:]:
        if not r:
            continue
        if overflow is not None and any(c.strip() for c in r[width:]):
            overflow[len(data) + 1] = [c for c in r[width:] if c.strip()]
        data.append((r + [""] * width)[:width])
    return header, data
