from collections import Counter

import pytest
from tests.conftest import df_of, tiny_tables

from minerals_graph.build import clean_attrs, graph_from_tables
from minerals_graph.tables import company_key

# The tiny tables live in tests/conftest.py (shared by every test module); the names are
# kept importable from here for older imports.
_df = df_of


def test_tiny_graph_has_exactly_the_expected_nodes_and_edges():
    G = graph_from_tables(tiny_tables())
    kinds = Counter(d["kind"] for _, d in G.nodes(data=True))
    assert kinds == {"Country": 3, "Commodity": 1, "Port": 1, "Site": 1, "Facility": 1, "Company": 1}
    edges = Counter(d["kind"] for _, _, d in G.edges(data=True))
    assert edges == {
        "LOCATED_IN": 3,
        "OWNED_BY": 2,
        "CONTROLLED_FROM": 1,
        "PRODUCES": 2,
        "HOLDS_RESERVES": 1,
        "TRADES": 2,
        "IMPORT_RELIANCE": 1,
        "STATISTIC": 1,
        "SUPPLIES": 1,
        "SHIPS_VIA": 1,
    }
    # the two spellings of Tianqi are one company
    assert set(G.successors("facility:r1")) >= {"company:tianqi-lithium", "port:wpi-1", "country:CHN"}
    withheld = [d for u, v, d in G.edges("country:CHN", data=True) if d["kind"] == "PRODUCES"][0]
    assert withheld["qualifier"] == "W" and "quantity" not in withheld  # withheld is not zero
    assert G.nodes["facility:r1"]["status_year"] == 2024 and isinstance(G.nodes["facility:r1"]["status_year"], int)
    assert G.nodes["facility:r1"]["source_url"] == "http://x"


def test_edge_to_unknown_node_raises():
    t = tiny_tables()
    t.trades = df_of("trades", [{"exporter": "XXX", "importer": "USA", "commodity": "lithium"}])
    with pytest.raises(KeyError, match="country:XXX"):
        graph_from_tables(t)


def test_clean_attrs_drops_missing_and_coerces_types():
    assert clean_attrs({"a": None, "b": float("nan"), "c": "", "year": 2019.0, "lon": 1}) == {"year": 2019, "lon": 1.0}


def test_company_key_folds_legal_forms():
    assert company_key("Tianqi Lithium Co., Ltd.") == company_key("Tianqi Lithium Corp") == "tianqi-lithium"


def test_embedded_default_builds_with_every_kind(data_graph):
    kinds = Counter(d["kind"] for _, d in data_graph.nodes(data=True))
    assert set(kinds) == {"Country", "Commodity", "Site", "Facility", "Port", "Company"}
    assert kinds["Facility"] + kinds["Site"] >= 800
    ekinds = {d["kind"] for _, _, d in data_graph.edges(data=True)}
    assert {"PRODUCES", "TRADES", "SHIPS_VIA", "OWNED_BY", "CONTROLLED_FROM", "SUPPLIES"} <= ekinds


@pytest.mark.shared
def test_full_graph_from_raw_files_has_every_source(raw_graph):
    sources = {d.get("source") for _, d in raw_graph.nodes(data=True)}
    assert {
        "nga-wpi",
        "natural-earth-admin0-110m",
        "usgs-nmic-indopac",
        "usgs-usmin-lithium",
        "usgs-mineplant-2003",
        "register",
    } <= sources
    esources = {d.get("source") for _, _, d in raw_graph.edges(data=True)}
    assert {
        "usgs-mcs2024-world",
        "usgs-mcs2024-salient",
        "usgs-mcs2024-fig2",
        "usgs-mcs2025-fig2",
        "usgs-mcs2024-t5",
        "usgs-mcs2025-t5",
    } <= esources
    assert sum(1 for _, d in raw_graph.nodes(data=True) if d["kind"] == "Port") == 3798


def test_column_wise_attributes_equal_clean_attrs_of_each_row():
    """The builder cleans tables column by column; each row must come out exactly as
    ``clean_attrs`` of the row as ``to_dict("records")`` gives it (values, types, key order)."""
    import numpy as np
    import pandas as pd

    from minerals_graph.build import _attr_rows, _Const, _spec

    df = pd.DataFrame(
        {
            "obj": pd.Series([pd.NA, None, np.float64(2.5), np.int64(7), np.str_("x"), ""], dtype=object),
            "year": [2019.0, float("nan"), 2020.0, 2021.5, 2022.0, 2023.0],
            "rank": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "lon": [1, 2, 3, 4, 5, 6],
            "flag": [True, False, True, False, True, False],
            "name": pd.Series(["a", "", None, "d", "a", "a"], dtype="str"),
        }
    )
    spec = _spec(df, {"kind": _Const("Thing")}, drop=("flag",), after={"lon": _Const(None)})
    got = _attr_rows(df, spec, {})
    want = [
        clean_attrs({"kind": "Thing", **{k: v for k, v in r.items() if k != "flag"}, "lon": None})
        for r in df.to_dict("records")
    ]
    assert got == want
    assert [list(d) for d in got] == [list(d) for d in want]
    assert [[type(v) for v in d.values()] for d in got] == [[type(v) for v in d.values()] for d in want]
    assert got[0] == {"kind": "Thing", "year": 2019, "rank": 1, "name": "a"}
    assert got[4]["name"] is got[5]["name"]  # equal texts are stored once


def test_attr_rows_of_repeated_numbers_and_objects_equal_clean_attrs():
    """Numeric and object columns that repeat a few values are cleaned once per distinct
    value (factorize, or per object): every row must still be clean_attrs of the row, with
    NaN dropped, schema types applied (int, float, str), -0.0 kept apart from 0.0."""
    import numpy as np
    import pandas as pd

    from minerals_graph.build import _attr_rows, _Const, _spec

    n = 12
    year = [2024.0, 2024.0, float("nan"), 2023.0] * 3  # int in the schema
    src_year = pd.Series([2024, None, 2024, 2025] * 3, dtype=object)  # int in the schema
    df = pd.DataFrame(
        {
            "year": year,
            "source_year": src_year,
            "wpi_number": np.array([5, 5, 7, 5] * 3, dtype=np.int64),
            "quantity": [0.0, 1.5, 1.5, float("nan")] * 3,  # float in the schema
            "lat": np.array([1, 1, 2, 1] * 3, dtype=np.int64),  # float in the schema: 1 -> 1.0
            "iso3": np.array([1, 1, 1, 2] * 3, dtype=np.int64),  # str in the schema: 1 -> "1"
            "gateway": [True, False, True, True] * 3,
            "distance_km": [0.0, -0.0, 0.0, 2.0] * 3,  # -0.0: row by row
        }
    )
    assert len(df) == n
    spec = _spec(df, {"kind": _Const("Thing")})
    for chunk in (5, 65536):
        got = _attr_rows(df, spec, {}, chunk=chunk)
        want = [clean_attrs({"kind": "Thing", **r}) for r in df.to_dict("records")]
        assert got == want
        assert [[type(v) for v in d.values()] for d in got] == [[type(v) for v in d.values()] for d in want]
        assert [str(d["distance_km"]) for d in got] == ["0.0", "-0.0", "0.0", "2.0"] * 3
    assert got[0]["year"] == 2024 and type(got[0]["year"]) is int and "year" not in got[2]
    assert got[0]["iso3"] == "1" and got[0]["lat"] == 1.0 and type(got[0]["lat"]) is float
    assert "source_year" not in got[1] and got[0]["source_year"] == 2024


def test_graph_shares_equal_texts_between_rows():
    G = graph_from_tables(tiny_tables())
    a, b = (d for _, _, d in G.edges(data=True) if d["kind"] == "TRADES")
    assert a["source_url"] == b["source_url"] and a["source_url"] is b["source_url"]


def test_equal_edge_attributes_are_stored_once_and_read_the_same():
    """Edges whose attributes are the same objects in the same order share one dict; a
    different value, type, sign of zero or key order is never merged."""
    from minerals_graph.build import _shared_dicts

    s, f = "src", 1.5
    rows = [{"k": s, "v": f}, {"k": s, "v": f}, {"k": s, "v": 1}, {"v": f, "k": s}, {"k": s, "v": 0.0}]
    rows += [{"k": s, "v": -0.0}, {"k": s, "v": [1]}, {"k": s, "v": [1]}]
    got = _shared_dicts(rows)
    assert got == rows and [list(d) for d in got] == [list(d) for d in rows]
    assert got[1] is got[0]
    assert len({id(d) for d in got}) == len(rows) - 1
    assert str(got[5]["v"]) == "-0.0" and type(got[2]["v"]) is int
    assert _shared_dicts(rows, probe=2)[1] is got[0]


def test_graph_of_copied_rows_shares_attribute_dicts_and_keys_are_unchanged():
    from minerals_graph.build import assign_edge_keys

    G = graph_from_tables(tiny_tables())
    edges = list(G.edges(keys=True, data=True))
    assert [k for *_, k, _ in edges] == assign_edge_keys([(u, v, d) for u, v, _, d in edges])
    located = [d for _, _, d in G.edges(data=True) if d["kind"] == "LOCATED_IN"]
    assert len({tuple(d.items()) for d in located}) == 1
    assert len({id(d) for d in located}) == 2  # shared within a table (the places'), not across tables


def test_attribute_dicts_share_their_keys_and_read_as_ordinary_dicts():
    """Rows of one spec are key-sharing dicts: ordinary ``dict`` objects in every respect
    (equality, order, updates, JSON), each smaller than a plain dict of the same items."""
    import json
    import sys

    import pandas as pd

    from minerals_graph.build import _attr_rows, _Const, _spec

    cols = {f"c{i}": [f"v{i}", f"w{i}", ""] for i in range(12)}
    df = pd.DataFrame(cols)
    rows = _attr_rows(df, _spec(df, {"kind": _Const("Thing")}), {}, chunk=2)  # two chunks
    assert all(type(d) is dict for d in rows)
    assert rows[0] == {"kind": "Thing", **{f"c{i}": f"v{i}" for i in range(12)}}
    assert list(rows[1]) == ["kind", *cols] and rows[2] == {"kind": "Thing"}  # '' dropped
    assert json.loads(json.dumps(rows[1])) == rows[1]
    assert sys.getsizeof(rows[0]) < sys.getsizeof(dict(rows[0]))
    rows[0]["extra"] = 1  # a key outside the spec: still a working dict
    assert rows[0]["extra"] == 1 and "extra" not in rows[1]
    G = graph_from_tables(tiny_tables())
    site = G.nodes["site:s1"] if "site:s1" in G else next(d for _, d in G.nodes(data=True) if d["kind"] == "Site")
    assert sys.getsizeof(site) < sys.getsizeof(dict(site))  # stored as built, not copied


def test_compacted_tables_build_the_same_graph(data_tables):
    """Large tables keep repeated text as categoricals (minerals_graph.compact); the graph,
    the row accounting and the curated files read the same as from plain text columns."""
    import pandas as pd

    from minerals_graph import validate
    from minerals_graph.compact import compact_frame, compact_tables

    small = compact_tables(data_tables)  # no table reaches COMPACT_MIN_ROWS
    assert small is data_tables
    packed = compact_tables(data_tables, min_rows=1)
    assert isinstance(packed.trades["source"].dtype, pd.CategoricalDtype)
    assert packed.places["id"].dtype == data_tables.places["id"].dtype  # unique ids stay text
    for name in data_tables.table_names():
        a, b = getattr(data_tables, name), getattr(packed, name)
        assert a.astype(object).where(a.notna(), None).equals(b.astype(object).where(b.notna(), None)), name
    g1, g2 = graph_from_tables(data_tables), graph_from_tables(packed)
    assert list(g1.nodes(data=True)) == list(g2.nodes(data=True))
    assert list(g1.edges(keys=True, data=True)) == list(g2.edges(keys=True, data=True))
    assert validate.accounting(packed).equals(validate.accounting(data_tables))
    df = pd.DataFrame({"a": ["x", "x", None, "y"], "b": ["1", "2", "3", "4"], "n": [1.0, 1.0, 1.0, 1.0]})
    out = compact_frame(df)
    assert list(out["a"].cat.categories) == ["x", "y"] and out["a"].isna().tolist() == [False, False, True, False]
    assert out["b"].dtype == df["b"].dtype and out["n"].dtype == df["n"].dtype
    assert df["a"].dtype != out["a"].dtype  # the input is left as it was


def test_edge_keys_of_a_batch_equal_edge_key_of_each_edge():
    """assign_edge_keys encodes node ids and identities once per batch; the keys must be those
    of edge_key, edge by edge, whatever the types (2019 vs 2019.0, 0.0 vs -0.0, non-ASCII)."""
    from minerals_graph.build import _edge_keys, edge_key

    edges = [
        ("country:CHN", "commodity:gallium", {"kind": "STATISTIC", "measure": "m", "year": 2019, "source": "s"}),
        ("country:CHN", "commodity:gallium", {"kind": "STATISTIC", "measure": "m", "year": 2019.0, "source": "s"}),
        ("country:CHN", "commodity:gallium", {"kind": "STATISTIC", "measure": "m", "year": 0.0, "source": "s"}),
        ("country:CHN", "commodity:gallium", {"kind": "STATISTIC", "measure": "m", "year": -0.0, "source": "s"}),
        ("site:são-joão", "country:BRA", {"kind": "LOCATED_IN", "source": "ç"}),
        ("site:x", "country:BRA", {"kind": "LOCATED_IN", "source": "ç"}),
        ("country:AUS", "country:USA", {"kind": "TRADES", "commodity": "c", "note": "HS 811010 (x)", "source": "b"}),
        ("a", "b", {"kind": "SUPPLIES", "commodity": ["unhashable"], "source": "s"}),
    ]
    want = [edge_key(u, v, d) for u, v, d in edges]
    assert _edge_keys(edges) == want
    assert len(set(want)) == len(want)


def test_edge_keys_read_from_columns_equal_edge_key_of_each_row():
    """The build reads each edge's identity from its attribute columns (_attr_rows with
    ``ends``, _identity_tails), chunk by chunk; every key must be edge_key of the row's
    cleaned attributes, whatever the types of the identifying values and where they are
    missing, and the HS code read from the note (else the hs6 attribute)."""
    import pandas as pd

    from minerals_graph.build import _MISSING, _attr_rows, _Const, _identity_tails, _spec, clean_attrs, edge_key

    df = pd.DataFrame(
        {
            "commodity": ["gallium", "gallium", "são", None, "gallium"],
            "period": pd.array([2019, 2019, None, 2020, 2019], dtype=object),
            "label": ["a", "", "b", "b", "a"],
            "note": ["HS 811010 (refining)", "HS 811010 (refining)", "no code", None, "HS 282590"],
            "hs6": [None, "811090", "811090", None, "999999"],
            "value_usd": [1.0, -0.0, 0.0, 2.5, 1.0],
            "source": ["s", "s", "s", "t", "s"],
        }
    )
    spec = _spec(df, {"kind": _Const("TRADES")})
    us = ["country:AUS", "country:AUS", "country:CHN", "country:BRA", "country:AUS"]
    vs = ["country:USA"] * 5
    for chunk in (2, 65536):  # three chunks, then one
        keys: list[str] = []
        rows = _attr_rows(df, spec, {}, chunk=chunk, ends=(us, vs, keys))
        want_rows = [clean_attrs({"kind": "TRADES", **r}) for r in df.to_dict("records")]
        assert rows == want_rows
        assert keys == [edge_key(u, v, d) for u, v, d in zip(us, vs, want_rows, strict=True)]
    # year 2019 and 2019.0, 0.0 and -0.0 are different JSON: different keys
    tails = _identity_tails(
        ["kind", "measure", "year", "source"],
        [["STATISTIC"] * 4, ["m"] * 4, [2019, 2019.0, 0.0, -0.0], ["s", "s", _MISSING, "s"]],
        4,
    )
    rows = [
        {"kind": "STATISTIC", "measure": "m", "year": 2019, "source": "s"},
        {"kind": "STATISTIC", "measure": "m", "year": 2019.0, "source": "s"},
        {"kind": "STATISTIC", "measure": "m", "year": 0.0},
        {"kind": "STATISTIC", "measure": "m", "year": -0.0, "source": "s"},
    ]
    assert [edge_key("a", "b", d) for d in rows] == [_keys_of_one("a", "b", t) for t in tails]
    assert len(set(tails)) == 4
    # rows of different kinds (never one table of edges, but handled): row by row
    mixed = _identity_tails(["kind", "source"], [["OWNED_BY", "SUPPLIES"], ["s", _MISSING]], 2)
    assert [_keys_of_one("a", "b", t) for t in mixed] == [
        edge_key("a", "b", {"kind": "OWNED_BY", "source": "s"}),
        edge_key("a", "b", {"kind": "SUPPLIES"}),
    ]
    # no attribute at all
    assert _identity_tails([], [], 2) == [",null,{}]"] * 2


def _keys_of_one(u: str, v: str, tail: str) -> str:
    from minerals_graph.build import _keys_of

    (key,) = _keys_of([u], [v], [tail])
    return key
