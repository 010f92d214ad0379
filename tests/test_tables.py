import pandas as pd
import pytest

from minerals_graph.tables import load_tables, write_curated


def test_every_table_row_carries_its_source(data_tables):
    for name in data_tables.table_names():
        df = getattr(data_tables, name)
        if len(df):
            assert df["source"].notna().all() and (df["source"] != "").all(), name
            assert df["source_url"].notna().all(), name


@pytest.mark.shared
def test_curate_then_load_round_trip(raw_tables, tmp_path):
    import shutil

    from minerals_graph import settings

    counts = write_curated(raw_tables, tmp_path)
    shutil.copytree(settings.DATA_DIR / "register", tmp_path / "register")
    shutil.copy(settings.DATA_DIR / "country_aliases.csv", tmp_path)
    back = load_tables(tmp_path)
    for name, n in counts.items():
        if name in ("supplies", "ships_via"):
            continue
        assert (
            len(getattr(back, name)) >= n
            if name in ("places", "ownership", "production")
            else n == len(getattr(back, name))
        ), name
    assert sum(r.rows_rejected for r in back.results) == 0


@pytest.mark.shared
def test_bundled_data_is_current_with_the_raw_files(shared, raw_tables, tmp_path):
    """data/*.csv must equal what `minerals-graph curate` writes today."""
    from minerals_graph import settings

    write_curated(raw_tables, tmp_path)
    for p in sorted(tmp_path.glob("*.csv")):
        fresh = pd.read_csv(p, dtype=str, keep_default_na=False)
        bundled = pd.read_csv(settings.DATA_DIR / p.name, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(fresh, bundled, obj=p.name)


def test_sum_if_complete_equals_the_groupwise_sum():
    import numpy as np

    from minerals_graph.tables import _sum_if_complete

    rng = np.random.default_rng(5)
    q = rng.random(300) * 1e6
    q[rng.random(300) < 0.1] = np.nan
    f = pd.DataFrame({"k": rng.integers(0, 40, 300), "j": rng.choice(["a", "b", None], 300), "q": q})
    for frame in (f, f.assign(q=f["q"].astype(object).where(f["q"].notna(), None))):
        for dropna in (True, False):
            gb = frame.groupby(["k", "j"], sort=True, dropna=dropna)
            ref = gb.agg(t=("q", lambda s: s.sum(min_count=len(s))))["t"].to_numpy(float)
            got = _sum_if_complete(gb, frame["q"])
            assert repr(got.tolist()) == repr(ref.tolist())


def test_with_source_equals_column_assignments():
    import numpy as np

    from minerals_graph.sources import baci
    from minerals_graph.tables import COLUMNS, SOURCE_COLUMNS, _with_source

    def reference(df, name, src=None):
        df = df.copy()
        if src is not None:
            for k, v in src.attrs().items():
                df[k] = v
        for col in COLUMNS[name] + SOURCE_COLUMNS:
            if col not in df.columns:
                df[col] = None
        return df[COLUMNS[name] + SOURCE_COLUMNS].reset_index(drop=True)

    frames = [
        pd.DataFrame(
            {"year": [2020, 2021, 2022], "exporter": ["A", None, "C"], "value_usd": [1.0, np.nan, 3]}, index=[5, 5, 7]
        ),
        pd.DataFrame({"year": [1], "exporter": ["A"], "source": ["x"]}),
        pd.DataFrame(columns=["year"]),
        pd.DataFrame({"note": pd.array(["a", None], dtype="string"), "quantity": pd.array([1, None], dtype="Int64")}),
    ]
    for df in frames:
        for src in (None, baci.EXTRACT_SOURCE):
            pd.testing.assert_frame_equal(_with_source(df, "trades", src), reference(df, "trades", src))
