"""One exception tree. Every error names the bad value and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class MineralsGraphError(Exception):
    """Base class of every error raised by minerals_graph."""


def nearest(value: object, choices: Iterable[object], n: int = 3) -> list[str]:
    """The choices closest to ``value`` (case-insensitive, difflib), best first.

    >>> nearest("lithum", ["lithium", "nickel", "lead"])
    ['lithium']
    """
    opts = [str(c) for c in choices]
    by_lower: dict[str, str] = {}
    for o in opts:
        by_lower.setdefault(o.lower(), o)
    hits = difflib.get_close_matches(str(value).lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[h] for h in hits]


def choices_text(value: object, choices: Sequence[object], *, limit: int = 12) -> str:
    """``did you mean 'x'?`` when a choice is close, else ``valid: a, b, …`` (at most
    ``limit`` listed, then how many more)."""
    near = nearest(value, choices)
    if near:
        return "did you mean " + " or ".join(repr(c) for c in near) + "?"
    shown = ", ".join(str(c) for c in choices[:limit])
    more = f", … ({len(choices) - limit} more)" if len(choices) > limit else ""
    return f"valid: {shown}{more}"


class InvalidInputError(MineralsGraphError, ValueError):
    """A value given by a user (a CLI argument, an API parameter) that is not one of the
    valid choices or not in range. One line: the parameter, the value, and the nearest
    valid choice or the valid choices, then ``hint`` (where to list them) if given."""

    def __init__(
        self, param: str, value: object, choices: Sequence[object] | None = None, *, expected: str = "", hint: str = ""
    ) -> None:
        self.param, self.value = param, value
        self.choices = list(choices) if choices is not None else None
        self.suggestions = nearest(value, self.choices) if self.choices else []
        parts = [f"{param} {value!r}: {expected or 'not a valid value'}"]
        if self.choices is not None:
            parts.append(choices_text(value, self.choices) if self.choices else "there are no valid values here")
        text = "; ".join(parts)
        super().__init__(f"{text} ({hint})" if hint else text)


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
        from minerals_graph.schema import COMMODITIES

        self.name = name
        loc = f"{where}: " if where else ""
        near = nearest(name, [c.id for c in COMMODITIES])
        mean = f"did you mean {' or '.join(repr(c) for c in near)}? " if near else ""
        super().__init__(
            f"{loc}commodity {name!r} is not known; {mean}list valid ids with `minerals-graph summary --commodities`"
        )


class ValidationError(MineralsGraphError, ValueError):
    """Several problems found at once; ``problems`` holds one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) found:"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class GraphBuildError(MineralsGraphError, KeyError):
    """The canonical tables do not hold together (e.g. an edge to a node no table has)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


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
