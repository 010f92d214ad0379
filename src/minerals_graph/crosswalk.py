"""One country crosswalk: every country name in every source -> ISO 3166-1 alpha-3.

Sources spell countries differently (``Congo (Kinshasa)``, ``Korea, South``, ``Burma``),
append footnote digits (``New Caledonia11``, ``China3``) or an ``e`` for *estimated*
(``Argentinae``), qualify them (``Brazil (beneficiated)``, ``Argentina, crude ore``) and
pad them with non-breaking spaces. :func:`Crosswalk.match` undoes all of that and looks the
name up in the country table (names and alternative names) and the curated aliases in
``data/country_aliases.csv``. A name it cannot map raises
:class:`~minerals_graph.errors.UnknownCountryError`: never a silent drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from minerals_graph import settings
from minerals_graph.errors import SourceFormatError, UnknownCountryError

__all__ = ["CountryMatch", "Crosswalk", "default_crosswalk", "normalise_name"]


@dataclass(frozen=True)
class CountryMatch:
    """The result of matching one published country name.

    ``iso3`` is ``None`` for names that are known but cannot be attributed to one
    country (e.g. ``United States and Canada``); ``note`` then says why.
    """

    raw: str
    iso3: str | None
    qualifier: str = ""
    estimated: bool = False
    footnote: str = ""
    note: str = ""


def normalise_name(name: str) -> str:
    """Lower-case, fold non-breaking spaces, curly quotes and runs of white space."""
    s = str(name).replace("\u00a0", " ").replace("\u2019", "'").replace("`", "'")
    return " ".join(s.split()).strip().lower()


_FOOTNOTE = re.compile(r"^(.*?\D)\s*(\d{1,2})$")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


class Crosswalk:
    """Country-name lookup built from a country table and an alias table."""

    def __init__(self, names: dict[str, str | None], notes: dict[str, str]) -> None:
        self._names = names
        self._notes = notes
        self._matched: dict[str, CountryMatch] = {}  # raw name -> its match (names repeat on many rows)

    @classmethod
    def from_tables(cls, countries: pd.DataFrame, aliases: pd.DataFrame) -> Crosswalk:
        names: dict[str, str | None] = {}
        notes: dict[str, str] = {}
        for row in countries.itertuples(index=False):
            iso3 = str(row.iso3)
            for n in [row.name, iso3, *str(getattr(row, "alt_names", "") or "").split(";")]:
                if isinstance(n, str) and n.strip():
                    names.setdefault(normalise_name(n), iso3)
        # Aliases win over generated names: they are the curated decision.
        for i, row in enumerate(aliases.itertuples(index=False), start=1):
            alias = str(row.alias)
            target = row.iso3 if isinstance(row.iso3, str) and row.iso3.strip() else None
            note = row.note if isinstance(row.note, str) else ""
            if not alias.strip():
                raise SourceFormatError("country_aliases.csv", i, "alias", "empty alias")
            names[normalise_name(alias)] = target
            if note:
                notes[normalise_name(alias)] = note
        return cls(names, notes)

    def _lookup(self, text: str) -> tuple[bool, str | None, bool]:
        """(found, iso3, estimated) for one candidate, trying a trailing 'e' too."""
        key = normalise_name(text)
        if key in self._names:
            return True, self._names[key], False
        if key.endswith("e") and key[:-1] in self._names:
            return True, self._names[key[:-1]], True
        return False, None, False

    def match(self, raw: str, where: str = "") -> CountryMatch:
        """Map one published name; raise UnknownCountryError if nothing fits."""
        key = raw if type(raw) is str else None
        if key is not None and key in self._matched:
            return self._matched[key]
        m = self._match(raw, where)
        if key is not None:
            self._matched[key] = m
        return m

    def _match(self, raw: str, where: str) -> CountryMatch:
        text = " ".join(str(raw).replace("\u00a0", " ").split())
        footnote = ""
        qualifier = ""
        m = _FOOTNOTE.match(text)
        candidates: list[tuple[str, str, str]] = [(text, "", "")]
        if m:
            candidates.append((m.group(1).strip(), "", m.group(2)))
        for base, _, fn in list(candidates):
            p = _PAREN.match(base)
            if p:
                inner = p.group(1).strip()
                candidates.append((inner, p.group(2).strip(), fn))
                m2 = _FOOTNOTE.match(inner)
                if m2:
                    candidates.append((m2.group(1).strip(), p.group(2).strip(), m2.group(2)))
            if "," in base:
                head, tail = base.split(",", 1)
                candidates.append((head.strip(), tail.strip(), fn))
        for cand, qual, fn in candidates:
            found, iso3, est = self._lookup(cand)
            if found:
                qualifier, footnote = qual, fn
                note = self._notes.get(normalise_name(cand), "")
                if not note and est:
                    note = self._notes.get(normalise_name(cand)[:-1], "")
                return CountryMatch(text, iso3, qualifier, est, footnote, note)
        raise UnknownCountryError(str(raw), where)

    def iso3(self, raw: str, where: str = "") -> str:
        """Like :meth:`match` but return the ISO3 code; raise if not attributable."""
        m = self.match(raw, where)
        if m.iso3 is None:
            raise UnknownCountryError(str(raw), f"{where} ({m.note})" if where else m.note)
        return m.iso3


_DEFAULT: Crosswalk | None = None


def default_crosswalk(data_dir: Path | None = None) -> Crosswalk:
    """The crosswalk from the project's ``data/countries.csv`` and ``country_aliases.csv``."""
    global _DEFAULT
    if data_dir is None and _DEFAULT is not None:
        return _DEFAULT
    d = Path(data_dir or settings.DATA_DIR)
    countries = pd.read_csv(d / "countries.csv", dtype=str, keep_default_na=False)
    aliases = pd.read_csv(d / "country_aliases.csv", dtype=str, keep_default_na=False)
    cw = Crosswalk.from_tables(countries, aliases)
    if data_dir is None:
        _DEFAULT = cw
    return cw
