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
