"""Places across datasets: the common record table, its commodity scope, and matching.

The dataset loaders (:mod:`~minerals_graph.sources.icmm`, :mod:`~minerals_graph.sources.minmod`,
:mod:`~minerals_graph.sources.nrcan`) all return one table shape, :data:`RECORD_COLUMNS`, so
that their records can be compared with the facility register alike.
:func:`match_places` finds, for each register row, the dataset record that is the same
facility (to borrow its coordinates, or to check them).

Notes
-----
Commodity scope (:data:`DEFAULT_SCOPE`): the 2022 USGS list of critical minerals
(:data:`CRITICAL_2022`, as in ``data/commodities.csv``), the grouped commodities whose members
are on it (rare earths, platinum-group metals), the commodities the USGS reports a listed
one through (bauxite for aluminum) and the commodities whose group is on the list
(titanium mineral concentrates, hafnium), plus :data:`REGISTER_EXTRA` — copper and uranium,
which the facility register tracks although they are not on the 2022 list. A dataset record
naming none of these (coal, iron ore, gold, …) is excluded by the loaders.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from minerals_graph.geo import EARTH_RADIUS_KM, haversine_km
from minerals_graph.schema import COMMODITIES, USGS_LIST_RELATED, commodity_by_id
from minerals_graph.sources._common import frame_records

__all__ = [
    "RECORD_COLUMNS",
    "MATCH_COLUMNS",
    "CRITICAL_2022",
    "REGISTER_EXTRA",
    "DEFAULT_SCOPE",
    "MIN_NAME_SCORE",
    "CONTAINED_NAME_SCORE",
    "PAREN_WEIGHT",
    "NAME_STOPWORDS",
    "COMMODITY_WORDS",
    "MIN_NAME_SCORE_NO_COORDS",
    "name_variants",
    "scope_commodities",
    "related_commodities",
    "repair_text",
    "name_tokens",
    "name_score",
    "haversine_km",
    "match_places",
    "match_place_records",
    "resolve_scope",
]

#: Columns of every dataset-record table (one row per published record).
RECORD_COLUMNS: list[str] = [
    "record_id",
    "dataset",
    "name",
    "alt_names",
    "iso3",
    "admin1",
    "lon",
    "lat",
    "node_kind",
    "kind",
    "stages",
    "commodities",
    "raw_commodities",
    "operator",
    "status",
    "confidence",
    "url",
    "note",
    "row",
]
#: Columns of :func:`match_places`' result.
MATCH_COLUMNS: list[str] = [
    "register_id",
    "record_id",
    "dataset",
    "record_name",
    "name_score",
    "distance_km",
    "lon",
    "lat",
]

#: The 2022 USGS list of critical minerals as schema ids (MCS 2025 Table 4; the same set as
#: ``critical_2022`` in ``data/commodities.csv``, which a test checks).
CRITICAL_2022: frozenset[str] = frozenset(
    {
        "aluminum",
        "antimony",
        "arsenic",
        "barite",
        "beryllium",
        "bismuth",
        "cesium",
        "chromium",
        "cobalt",
        "fluorspar",
        "gallium",
        "germanium",
        "graphite",
        "hafnium",
        "indium",
        "lithium",
        "magnesium",
        "manganese",
        "nickel",
        "niobium",
        "platinum",
        "palladium",
        "iridium",
        "rhodium",
        "ruthenium",
        "lanthanum",
        "cerium",
        "praseodymium",
        "neodymium",
        "samarium",
        "europium",
        "gadolinium",
        "terbium",
        "dysprosium",
        "holmium",
        "erbium",
        "thulium",
        "ytterbium",
        "lutetium",
        "yttrium",
        "scandium",
        "rubidium",
        "tantalum",
        "tellurium",
        "tin",
        "titanium",
        "tungsten",
        "vanadium",
        "zinc",
        "zirconium",
    }
)
#: Commodities the facility register tracks beyond the 2022 list.
REGISTER_EXTRA: frozenset[str] = frozenset({"copper", "uranium"})


def scope_commodities(critical: Iterable[str] = CRITICAL_2022, extra: Iterable[str] = REGISTER_EXTRA) -> frozenset[str]:
    """The commodity ids in scope: ``critical``, their groups, related and member commodities.

    Examples
    --------
    >>> s = scope_commodities({"neodymium", "aluminum"}, ())
    >>> sorted(s)
    ['aluminum', 'bauxite', 'neodymium', 'rare_earths']
    """
    crit = set(critical)
    groups = {commodity_by_id(c).group for c in crit} - {""}
    related = {r for c in crit for r in USGS_LIST_RELATED.get(c, ())}
    members = {c.id for c in COMMODITIES if c.group in crit}
    return frozenset(crit | groups | related | members | set(extra))


#: The default scope of the dataset loaders (see the module notes).
DEFAULT_SCOPE: frozenset[str] = scope_commodities()


def related_commodities(ids: Iterable[str]) -> set[str]:
    """``ids`` with their groups and USGS-related commodities (both directions).

    Two places share a commodity when these sets intersect: ``neodymium`` meets
    ``rare_earths``, ``bauxite`` meets ``aluminum``, ``platinum`` meets ``palladium``
    (through ``platinum_group_metals``).
    """
    out: set[str] = set()
    for c in ids:
        if not c:
            continue
        out.add(c)
        try:
            g = commodity_by_id(c).group
        except LookupError:
            continue
        if g:
            out.add(g)
    for c in list(out):
        out.update(USGS_LIST_RELATED.get(c, ()))
        out.update(k for k, v in USGS_LIST_RELATED.items() if c in v)
    return out


# ---------------------------------------------------------------------------------------
# Text

_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u2122]|[\u0080-\u009f]")


def _cp1252_bytes(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:  # bytes cp1252 leaves undefined (0x81, 0x8d …) pass through
                out.append(ord(ch))
            else:
                raise
    return bytes(out)


def repair_text(text: str) -> str:
    """Undo the two mis-decodings seen in the datasets; other text is returned unchanged.

    UTF-8 read as cp1252 (ICMM: ``EisenhÃ¼ttenstadt`` -> ``Eisenhüttenstadt``) and a cp1252
    byte read as Latin-1 (MinMod: ``Côte D`` U+0092 ``Ivoire`` -> ``Côte D’Ivoire``). The repair
    is applied only when the text round-trips strictly.

    Examples
    --------
    >>> repair_text("Eisenh\\u00c3\\u00bcttenstadt")
    'Eisenhüttenstadt'
    >>> repair_text("C\\u00f4te D\\u0092Ivoire")
    'Côte D’Ivoire'
    >>> repair_text("Bécancour")
    'Bécancour'
    """
    if not _MOJIBAKE.search(text):
        return text
    try:
        raw = _cp1252_bytes(text)
    except UnicodeEncodeError:
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if re.search(r"[\u0080-\u009f]", text):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return text
    return text


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words dropped before names are compared: kinds of place, company forms, articles.
NAME_STOPWORDS: frozenset[str] = _words("""
    mine mines mining mina minas pit pits quarry open underground deposit deposits project projects
    prospect operation operations site plant plants mill mills smelter smelters refinery refineries
    concentrator complex works facility facilities division processing separation branch district
    capacity hi tech flotation heap leach leaching sxew pilot expansion phase
    company companies co corp corporation inc incorporated ltd limited llc lp plc pty sa ab ag nv
    bv gmbh spa group holdings cia minera
    the of and de del des du la le el los las
""")
#: Commodity and product words, dropped too unless nothing else is left (``Cobalt`` stays
#: ``cobalt``; ``Copper Cliff Complex`` becomes ``cliff``).
COMMODITY_WORDS: frozenset[str] = _words("""
    aluminum aluminium alumina antimony arsenic barite beryllium bismuth cadmium cesium chromium
    chromite cobalt copper fluorspar gallium germanium gold graphite hafnium indium iron lead
    lithium
    magnesium manganese molybdenum nickel niobium palladium platinum rare earth earths ree pgm pgms
    scandium silver tantalum tellurium tin titanium tungsten uranium vanadium zinc zirconium
    spodumene hydroxide carbonate sulfate sulphate oxide oxides metal metals concentrate
    polymetallic
    metallurgical electrolytic ferroalloy ferroalloys cathode cathodes alloy alloys
""")


def name_tokens(name: str, drop: Collection[str] = ()) -> frozenset[str]:
    """Normalised tokens of a place name.

    Accents are folded, ``&`` reads ``and``, every other non-alphanumeric character splits;
    :data:`NAME_STOPWORDS`, one-letter tokens and ``drop`` are removed, then
    :data:`COMMODITY_WORDS` unless that would leave nothing.

    Examples
    --------
    >>> sorted(name_tokens("Bécancour Aluminium Smelter (Alcoa Corp.)"))
    ['alcoa', 'becancour']
    >>> sorted(name_tokens("Cobalt"))
    ['cobalt']
    """
    return _name_tokens(str(name), frozenset(drop))


@functools.lru_cache(maxsize=65536)
def _name_tokens(name: str, drop: frozenset[str]) -> frozenset[str]:
    """:func:`name_tokens`, memoised: matching compares the same names again and again."""
    toks = _base_tokens(name) - drop
    return frozenset(toks - COMMODITY_WORDS or toks)


@functools.lru_cache(maxsize=65536)
def _base_tokens(name: str) -> frozenset[str]:
    """The tokens of :func:`name_tokens` before ``drop`` and :data:`COMMODITY_WORDS` are
    removed; memoised apart from ``drop``: a name is compared under many register rows'
    ``admin1`` words, and this is the costly part."""
    if name.isascii():  # most names: nothing to repair (repair_text) or fold, the same text
        s = name
    else:
        s = unicodedata.normalize("NFKD", repair_text(name))
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.lower().replace("&", " and ")
    return frozenset(t for t in re.split(r"[^0-9a-z]+", s) if len(t) > 1 and t not in NAME_STOPWORDS)


_PAREN = re.compile(r"\(([^()]*)\)")


@functools.lru_cache(maxsize=65536)
def _variants(name: str) -> tuple[tuple[str, float], ...]:
    """(variant, weight) of :func:`name_variants`; memoised: a name is tokenised under
    many register rows' ``drop`` words (:func:`_variant_tokens`)."""
    text = " ".join(str(name).split())
    out = [(text, 1.0)]
    core = re.split(r"[(,]", text, maxsplit=1)[0].strip()
    out.append((core, 1.0))
    out += [(p.strip(), 1.0) for p in core.split(" / ")]
    for inner in _PAREN.findall(text):
        out += [(p.strip(), PAREN_WEIGHT) for p in re.split(r"[/;]", inner)]
    seen: dict[str, float] = {}
    for v, w in out:
        if v and v not in seen:
            seen[v] = w
    return tuple(seen.items())


def name_variants(name: str) -> list[str]:
    """The name, its core and its parts, each compared on its own by :func:`name_score`.

    The core is the text before the first ``(`` or ``,``; the parts are the pieces of the
    core split on `` / `` and the contents of each parenthesis (split on ``/``, ``;``).
    A score reached through a parenthesis is multiplied by :data:`PAREN_WEIGHT`.

    Examples
    --------
    >>> name_variants("Canadian Copper Refinery (CCR), Montreal-Est")
    ['Canadian Copper Refinery (CCR), Montreal-Est', 'Canadian Copper Refinery', 'CCR']
    """
    return [v for v, _ in _variants(str(name))]


#: Weight of a name found only inside a parenthesis (often an owner: ``(Fresnillo plc)``).
PAREN_WEIGHT = 0.95
#: Score given when every token of one name appears in the other, the shorter has at least
#: half as many tokens as the longer, and the shared tokens have at least 4 letters in all
#: (``Mountain Pass`` in ``Mountain Pass Rare Earth Mine``; not ``Sudbury`` in
#: ``Fraser Glencore Sudbury INO``).
CONTAINED_NAME_SCORE = 0.9
#: A candidate is the same facility only if its best name score reaches this …
MIN_NAME_SCORE = 0.8
#: … or this when the register row has no coordinates (names are then the only evidence;
#: a contained name is not enough).
MIN_NAME_SCORE_NO_COORDS = 0.95


@functools.lru_cache(maxsize=65536)
def _joined_tokens(tokens: frozenset[str]) -> str:
    """The sorted, space-joined tokens compared by :func:`_token_score`; memoised: once per
    token set instead of once per pair."""
    return " ".join(sorted(tokens))


@functools.lru_cache(maxsize=65536)
def _char_counts(text: str) -> Counter[str]:
    """The count of each character of a :func:`_joined_tokens` text (for
    :func:`_token_score_bound`); memoised, and apart from it: most pairs need no counts."""
    return Counter(text)


def _contained(ta: frozenset[str], tb: frozenset[str]) -> bool:
    """Whether the names earn :data:`CONTAINED_NAME_SCORE` (see there)."""
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return small <= large and 2 * len(small) >= len(large) and sum(len(t) for t in small) >= 4


@functools.lru_cache(maxsize=65536)
def _token_score(ta: frozenset[str], tb: frozenset[str]) -> float:
    if not ta or not tb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, _joined_tokens(ta), _joined_tokens(tb)).ratio()
    if _contained(ta, tb):
        ratio = max(ratio, CONTAINED_NAME_SCORE)
    return ratio


@functools.lru_cache(maxsize=65536)
def _token_score_bound(ta: frozenset[str], tb: frozenset[str]) -> float:
    """An upper bound of :func:`_token_score`, much cheaper than difflib's matching;
    memoised like it.

    The bounds of ``SequenceMatcher.real_quick_ratio`` and ``quick_ratio``: the two texts
    cannot share more characters than the shorter has, nor more than each character's
    smaller count. 1.0 for contained names.
    """
    if not ta or not tb:
        return 0.0
    if _contained(ta, tb):
        return 1.0
    a, b = _joined_tokens(ta), _joined_tokens(tb)
    by_length = 2.0 * min(len(a), len(b)) / (len(a) + len(b))
    if by_length < MIN_NAME_SCORE:  # enough for most pairs: skip the character counts
        return by_length
    cb = _char_counts(b)
    common = sum(min(n, cb[ch]) for ch, n in _char_counts(a).items())  # sum((ca & cb).values())
    return 2.0 * common / (len(a) + len(b))


def name_score(a: str, b: str, drop: Collection[str] = ()) -> float:
    """Similarity of two place names in [0, 1], rounded to 4 decimals.

    The best, over the :func:`name_variants` of both names, of difflib's
    ``SequenceMatcher.ratio`` on the sorted, space-joined :func:`name_tokens` and
    :data:`CONTAINED_NAME_SCORE` when one token set contains the other (see there), times
    :data:`PAREN_WEIGHT` for a variant taken from a parenthesis.
    ``drop``: further tokens to ignore (e.g. the province's name).

    Examples
    --------
    >>> name_score("Mountain Pass Mine", "Mountain Pass")
    1.0
    >>> name_score("Mountain Pass Rare Earth Mine", "Mountain Pass Quarry (Molycorp)")
    1.0
    >>> name_score("Fraser Mine (Glencore Sudbury INO)", "Sudbury") < 0.8
    True
    >>> name_score("Canadian Copper Refinery (CCR), Montreal-Est", "CCR")
    0.95
    """
    d = frozenset(drop)
    return _best_score(_variant_tokens(str(a), d), _variant_tokens(str(b), d))


_VariantTokens = tuple[tuple[frozenset[str], float], ...]


@functools.lru_cache(maxsize=65536)
def _variant_tokens(name: str, drop: frozenset[str]) -> _VariantTokens:
    """The :func:`name_tokens` of each of the name's variants, with its weight; memoised:
    matching scores each register name against many candidates."""
    return tuple((_name_tokens(v, drop), w) for v, w in _variants(name))


def _best_score(va: _VariantTokens, vb: _VariantTokens, floor: float = 0.0) -> float:
    """:func:`name_score` of two names given their :func:`_variant_tokens`, when it reaches
    ``floor``; otherwise a smaller number.

    Matching needs only the scores that reach its threshold: a pair of variants whose
    :func:`_token_score_bound` cannot reach ``floor`` is not scored (most pairs). The
    result stays exact: the rounded product is monotone in the token score, so a skipped
    pair cannot be the best one of a score reaching ``floor``.
    """
    best = 0.0
    for x, wx in va:
        for y, wy in vb:
            if floor and round(_token_score_bound(x, y) * wx * wy, 4) < floor:
                continue
            best = max(best, _token_score(x, y) * wx * wy)
    return round(best, 4)


# ---------------------------------------------------------------------------------------
# Matching


def _split(value: object) -> tuple[str, ...]:
    if type(value) is str:  # the usual case
        return _split_text(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return _split_text(str(value))


@functools.lru_cache(maxsize=65536)
def _split_text(text: str) -> tuple[str, ...]:
    """The non-blank ``;``-separated parts of ``text``; memoised (commodity and stage lists
    repeat across rows)."""
    return tuple(p.strip() for p in text.split(";") if p.strip())


def _num(value: object) -> float:
    if type(value) is float:  # the usual case
        return value
    if isinstance(value, (int, float, str)):
        try:
            return float(value)
        except ValueError:
            return math.nan
    return math.nan


def _admin_tokens(value: object) -> frozenset[str]:
    return name_tokens(value) if isinstance(value, str) and value.strip() else frozenset()


@functools.lru_cache(maxsize=4096)
def _related(ids: tuple[str, ...]) -> frozenset[str]:
    """:func:`related_commodities`, memoised (the same commodity lists repeat).

    The union of the sets of each id (what related_commodities is: it adds to each id its
    own group and relations), so that the work is done once per commodity rather than once
    per distinct list (hundreds of lists over a few dozen commodities).
    """
    return frozenset().union(*map(_related_one, ids))


@functools.lru_cache(maxsize=4096)
def _related_one(commodity: str) -> frozenset[str]:
    """:func:`related_commodities` of one id, memoised."""
    return frozenset(related_commodities((commodity,)))


class _Candidate(NamedTuple):  # a named tuple: built for every candidate of every call, cheaply
    record_id: str
    dataset: str
    name: str
    names: tuple[str, ...]
    admin1: frozenset[str]
    lon: float
    lat: float
    commodities: frozenset[str]
    stages: frozenset[str]


def _candidate(c: dict[str, object]) -> _Candidate:
    names = [str(c.get("name") or ""), *_split(c.get("alt_names"))]
    return _Candidate(
        str(c["record_id"]),
        str(c.get("dataset") or ""),
        str(c.get("name") or ""),
        tuple(n for n in names if n),
        _admin_tokens(c.get("admin1")),
        _num(c.get("lon")),
        _num(c.get("lat")),
        _related(_split(c.get("commodities"))),
        frozenset(_split(c.get("stages"))),
    )


#: Most pairs compared in one matrix (register rows x candidates): bounds its memory
#: (8 MB per array) when a country has very many of both.
_MATRIX_CELLS = 1_000_000


def _unit_vectors(lons: list[float], lats: list[float]) -> npt.NDArray[np.float64]:
    """The points (lon/lat in degrees) on the unit sphere, one (x, y, z) row each; NaN for
    a point without coordinates."""
    lon, lat = np.radians(np.array(lons, dtype=float)), np.radians(np.array(lats, dtype=float))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)


def _candidates_within(
    iso3s: list[str], coords: list[tuple[float, float]], by_iso: dict[str, list[_Candidate]], max_km: float
) -> dict[int, list[_Candidate]]:
    """For each register row with coordinates (by position in ``iso3s`` and ``coords``, its
    country and lon/lat), the candidates of its country that may lie within ``max_km``, in
    their order.

    A filter only: every candidate it keeps gets its distance from the same scalar call as
    always in :func:`match_places` (and is dropped there if beyond ``max_km``), so the
    results keep their exact values as long as no candidate within ``max_km`` is dropped
    here. The register rows and candidates of a country are compared together (a matrix, a
    block of rows at a time: :data:`_MATRIX_CELLS`) through their points on the unit
    sphere: the dot product of two points is the cosine of their central angle, the
    haversine distance over the Earth's radius, so one product per pair replaces the
    haversine formula's trigonometry. A pair is dropped only when that cosine is below the
    one of ``max_km`` plus a margin (far above the rounding of the scalar formula) by more
    than a slack (far above the rounding of the product). Candidates without coordinates
    are dropped: their distance is NaN, which the scalar check rejects too.
    """
    bound = max_km + 1e-6 * (1.0 + abs(max_km))
    min_cos = math.cos(min(abs(bound) / EARTH_RADIUS_KM, math.pi)) - 1e-9
    by_country: dict[str, list[int]] = {}
    for k, (iso3, (lon, lat)) in enumerate(zip(iso3s, coords, strict=True)):
        if by_iso.get(iso3) and not (math.isnan(lon) or math.isnan(lat)):
            by_country.setdefault(iso3, []).append(k)
    near: dict[int, list[_Candidate]] = {}
    for iso3, country_rows in by_country.items():
        cands = by_iso[iso3]
        points = _unit_vectors([c.lon for c in cands], [c.lat for c in cands]).T
        step = max(1, _MATRIX_CELLS // len(cands))
        for start in range(0, len(country_rows), step):
            ks = country_rows[start : start + step]
            rpoints = _unit_vectors([coords[k][0] for k in ks], [coords[k][1] for k in ks])
            rows_near, cands_near = np.nonzero(rpoints @ points >= min_cos)  # row by row
            for k in ks:
                near[k] = []
            for i, j in zip(rows_near.tolist(), cands_near.tolist(), strict=True):
                near[ks[i]].append(cands[j])
    return near


def match_places(
    register: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    max_km: float = 50.0,
    min_score: float = MIN_NAME_SCORE,
    min_score_no_coords: float = MIN_NAME_SCORE_NO_COORDS,
) -> pd.DataFrame:
    """For each register row, the dataset record that is the same facility.

    Parameters
    ----------
    register
        Columns ``id, name, iso3, admin1, lon, lat, commodities`` (``;``-joined ids);
        ``lon``/``lat`` may be NaN. Optional ``stages`` (``;``-joined).
    candidates
        Dataset records in the :data:`RECORD_COLUMNS` shape (at least ``record_id, dataset,
        name, alt_names, iso3, admin1, lon, lat, commodities``; ``stages`` optional), e.g.
        the concatenated tables of the loaders.
    max_km
        When the register row has coordinates, a candidate farther than this is not the
        same facility.
    min_score, min_score_no_coords
        Smallest :func:`name_score` accepted when the register row has / has no coordinates.

    Returns
    -------
    pandas.DataFrame
        :data:`MATCH_COLUMNS`, one row per matched register id, sorted by ``register_id``:
        the record's id, dataset and name, the name score, the distance in km (NaN when the
        register row has no coordinates) and the record's ``lon``/``lat``.

    Notes
    -----
    A candidate is eligible when all hold:

    1. same ``iso3``;
    2. at least one common commodity after :func:`related_commodities` (groups and
       USGS-related commodities count: ``neodymium`` ~ ``rare_earths``);
    3. when both have ``stages``: at least one common stage (a mine is not the same
       facility as a refinery; an ICMM ``Mine;Smelter`` record has both stages);
    4. if the register row has coordinates: haversine distance <= ``max_km``, and name
       score >= ``min_score``; without coordinates: name score >= ``min_score_no_coords``.

    The name score is the best :func:`name_score` of the register name against the record's
    ``name`` and each of its ``alt_names``, ignoring the words of the register row's
    ``admin1`` (``Guangxi`` in ``Guangxi Yusheng …`` says where, not which plant). Among
    eligible candidates the best is the first after sorting by: name score (descending);
    distance (ascending, unknown last); same ``admin1`` when both have one (first);
    ``dataset``; ``record_id``. The result is deterministic. Complexity: O(R x C x V) token
    comparisons, R register rows, C candidates of the same country, V name variants.

    Examples
    --------
    >>> reg = pd.DataFrame({"id": ["r1"], "name": ["Mountain Pass Mine"], "iso3": ["USA"],
    ...                     "admin1": ["California"], "lon": [-115.53], "lat": [35.48],
    ...                     "commodities": ["neodymium"]})
    >>> cand = pd.DataFrame({"record_id": ["641"], "dataset": ["usgs-major-deposits"],
    ...                      "name": ["Mountain Pass"], "alt_names": [""], "iso3": ["USA"],
    ...                      "admin1": ["California"], "lon": [-115.53], "lat": [35.48],
    ...                      "commodities": ["rare_earths"]})
    >>> match_places(reg, cand)[["register_id", "record_id", "name_score", "distance_km"]]
      register_id record_id  name_score  distance_km
    0          r1       641         1.0          0.0
    """
    out = match_place_records(
        frame_records(register),
        frame_records(candidates),
        max_km=max_km,
        min_score=min_score,
        min_score_no_coords=min_score_no_coords,
    )
    df = pd.DataFrame(out, columns=MATCH_COLUMNS)
    return df.sort_values("register_id", kind="stable").reset_index(drop=True)


def match_place_records(
    rows: list[dict[str, object]],
    candidates: list[dict[str, object]],
    *,
    max_km: float = 50.0,
    min_score: float = MIN_NAME_SCORE,
    min_score_no_coords: float = MIN_NAME_SCORE_NO_COORDS,
) -> list[dict[str, Any]]:
    """:func:`match_places` on rows as dicts (``DataFrame.to_dict("records")``): a dict of
    the :data:`MATCH_COLUMNS` per matched register row, in the order of ``rows`` (not
    sorted). For callers that match slices of one table many times without a frame each."""
    by_iso: dict[str, list[_Candidate]] = {}
    for rec in candidates:
        by_iso.setdefault(str(rec.get("iso3") or ""), []).append(_candidate(rec))
    iso3s = [str(r.get("iso3") or "") for r in rows]
    coords = [(_num(r.get("lon")), _num(r.get("lat"))) for r in rows]
    near = _candidates_within(iso3s, coords, by_iso, max_km)
    out = []
    for k, r in enumerate(rows):
        # rows without coordinates: every candidate of the country
        cands = near.get(k, by_iso.get(iso3s[k], []))
        if not cands:
            continue
        coms = _related(_split(r.get("commodities")))
        lon, lat = coords[k]
        has_xy = not (math.isnan(lon) or math.isnan(lat))
        admin = _admin_tokens(r.get("admin1"))
        stages = set(_split(r.get("stages")))
        rname = _variant_tokens(str(r.get("name") or ""), admin)
        threshold = min_score if has_xy else min_score_no_coords
        best: tuple[tuple[float, float, int, str, str], _Candidate, float, float] | None = None
        for c in cands:
            if not coms & c.commodities:
                continue
            if stages and c.stages and not stages & c.stages:
                continue
            # The names first: most candidates fail them, and their scores are memoised, while
            # the distance is a scalar call per pair.
            score = max((_best_score(rname, _variant_tokens(n, admin), threshold) for n in c.names), default=0.0)
            if score < threshold:
                continue
            dist = math.nan
            if has_xy:
                dist = haversine_km(lon, lat, c.lon, c.lat)
                if not dist <= max_km:  # NaN (candidate without coordinates) fails too
                    continue
            key = (
                -score,
                dist if not math.isnan(dist) else math.inf,
                0 if admin and admin == c.admin1 else 1,
                c.dataset,
                c.record_id,
            )
            if best is None or key < best[0]:
                best = (key, c, score, dist)
        if best is not None:
            _, c, score, dist = best
            out.append(
                {
                    "register_id": str(r["id"]),
                    "record_id": c.record_id,
                    "dataset": c.dataset,
                    "record_name": c.name,
                    "name_score": float(score),
                    "distance_km": round(dist, 3) if not math.isnan(dist) else math.nan,
                    "lon": c.lon,
                    "lat": c.lat,
                }
            )
    return out


def resolve_scope(commodities: Collection[str] | None) -> frozenset[str]:
    """The loaders' ``commodities`` argument: None -> :data:`DEFAULT_SCOPE`."""
    return DEFAULT_SCOPE if commodities is None else frozenset(commodities)
