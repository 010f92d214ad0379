import numpy as np
import pandas as pd
import pytest

from minerals_graph.tables import _haversine_km, infer_ports, load_tables, write_curated
from tests.test_build import _df


def test_haversine_known_distance():
    # Paris -> London, about 344 km
    d = _haversine_km(np.array([2.3522]), np.array([48.8566]), np.array([-0.1278]), np.array([51.5074]))
    assert 340 < d[0] < 348


def test_infer_nearest_suitable_port_skips_small_and_cited():
    ports = _df("ports", [
        {"wpi_number": 1, "name": "Tiny", "iso3": "AAA", "harbor_size": "Small", "solid_bulk": "Yes", "lon": 0.1, "lat": 0.0},
        {"wpi_number": 2, "name": "Big", "iso3": "AAA", "harbor_size": "Large", "solid_bulk": "Yes", "lon": 1.0, "lat": 0.0},
        {"wpi_number": 3, "name": "NoCargo", "iso3": "AAA", "harbor_size": "Large", "solid_bulk": "No",
         "breakbulk": "No", "container": "No", "lon": 0.2, "lat": 0.0}])
    places = _df("places", [{"id": "site:a", "lon": 0.0, "lat": 0.0}, {"id": "site:b", "lon": 0.0, "lat": 0.0},
                            {"id": "site:c", "lon": None, "lat": None}, {"id": "site:far", "lon": 60.0, "lat": 0.0}])
    cited = _df("ships_via", [{"place_id": "site:b", "wpi_number": 1}])
    out = infer_ports(places, ports, cited, max_km=1500)
    assert list(out["place_id"]) == ["site:a"]
    row = out.iloc[0]
    assert row.wpi_number == 2 and bool(row.inferred) and row.distance_km == pytest.approx(111.2, abs=0.2)


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
        assert len(getattr(back, name)) >= n if name in ("places", "ownership", "production") else n == len(getattr(back, name)), name
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
