"""One exception tree. Every error names the bad value and what was expected."""

from __future__ import annotations

from collections.abc import Iterable


class MineralsGraphError(Exception):
    """Base class of every error raised by minerals_graph."""


class SourceFormatError(MineralsGraphError, ValueError):
    """A raw or curated file does not have the expected format.

    The message names the file, row (1-based data row; 0 = header), field and what was
    expected.
    """

    def __init__(self, file: str, row: int | None, field: str | None, message: str) -> None:
        self.file, self.row, self.field = file, row, field
        where = file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class UnknownCountryError(MineralsGraphError, LookupError):
    """A country name that the crosswalk cannot map to ISO3."""

    def __init__(self, name: str, where: str = "") -> None:
        self.name = name
        loc = f"{where}: " if where else ""
        super().__init__(
            f"{loc}country name {name!r} is not in the crosswalk "
            "(data/country_aliases.csv); add it with its ISO3 code and a note"
        )


class UnknownCommodityError(MineralsGraphError, LookupError):
    """A commodity name or id that the schema does not know."""

    def __init__(self, name: str, where: str = "") -> None:
        self.name = name
        loc = f"{where}: " if where else ""
        super().__init__(
            f"{loc}commodity {name!r} is not known; list valid ids with "
            "`minerals-graph summary --commodities` or see data/commodities.csv"
        )


class ValidationError(MineralsGraphError, ValueError):
    """Several problems found at once; ``problems`` holds one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) found:"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class DataSourceNotFoundError(MineralsGraphError, FileNotFoundError):
    """A sources directory or an expected file in it is missing."""


class RowAccountingError(MineralsGraphError, RuntimeError):
    """A loader left a row of a file without a fate, or gave it two (a bug of the loader).

    Every data row read must end loaded, excluded or rejected exactly once
    (:class:`minerals_graph.sources._common.RowLedger`). The message names the file and
    the first rows concerned.
    """

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(f"{file}: {message}")
