"""Large canonical tables in less memory: repeated text as categoricals.

A canonical table repeats a few texts on most of its rows: the four source columns, the
exporter and importer of a trade, its commodity, label and note, a place's status. Stored
as text, every row holds its own copy (the Arrow-backed ``str`` dtype keeps the bytes of
each cell); as a categorical, each distinct text is stored once and a row holds a small
integer. At 100 times the bundled data this halves the tables (about 800 MB -> 260 MB of
the 100x synthetic benchmark) and so the peak memory of a build.

Only tables of at least :data:`COMPACT_MIN_ROWS` rows are compacted, so a build of the
public data (its largest table has about 10,000 rows) keeps plain ``str`` columns, and
whatever reads a table sees the same values: ``tolist()``, comparisons, ``.str`` methods,
``to_csv`` and ``groupby`` read a categorical of text as they read the text.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from minerals_graph.tables import Tables

__all__ = ["COMPACT_MIN_ROWS", "compact_frame", "compact_tables"]

#: A table with at least this many rows has its repetitive text columns made categorical.
COMPACT_MIN_ROWS = 50_000

#: A text column is repetitive when it has at most this share of distinct values.
MAX_DISTINCT_SHARE = 0.5


def compact_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text column whose distinct values are at most
    :data:`MAX_DISTINCT_SHARE` of its rows as a categorical (same values, same order)."""
    out = df
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_string_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype)):
            continue
        if s.nunique(dropna=True) > MAX_DISTINCT_SHARE * len(s):
            continue
        if out is df:
            out = df.copy(deep=False)
        out[col] = s.astype(pd.CategoricalDtype(s.dropna().unique()))
    return out


def compact_tables(t: Tables, min_rows: int = COMPACT_MIN_ROWS) -> Tables:
    """``t`` with every table of at least ``min_rows`` rows compacted (:func:`compact_frame`)."""
    changes = {}
    for name in t.table_names():
        df = getattr(t, name)
        if len(df) >= min_rows:
            changes[name] = compact_frame(df)
    return dataclasses.replace(t, **changes) if changes else t
