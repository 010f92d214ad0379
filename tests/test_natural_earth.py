import pytest

from minerals_graph.sources import natural_earth


@pytest.mark.shared
def test_real_countries_use_iso_a3_eh_for_minus_99(shared):
    r = natural_earth.load_countries(shared)
    assert r.rows_read == 177 and r.rows_loaded == 177
    t = r.table.set_index("iso3")
    assert t.loc["FRA", "name"] == "France" and t.loc["NOR", "name"] == "Norway"
    assert "-99" not in t.index and t.index.is_unique
    assert t.loc["COD", "continent"] == "Africa"
