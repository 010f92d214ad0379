"""CEPII BACI trade files, in the exact published format (small files written here)."""

import pytest

from minerals_graph.analysis.flow import build_supply_network
from minerals_graph.build import graph_from_tables
from minerals_graph.sources import baci
from minerals_graph.tables import load_tables
from tests.conftest import write

TRADE = (
    "t,i,j,k,v,q\n"
    "2022,156,842,284690,1000.5,    200.0\n"   # China -> USA, rare-earth compounds
    "2022,458,842,284690,250.0,         NA\n"   # Malaysia -> USA, quantity not available
    "2022,156,842,28530,80.0,2.5\n"            # leading zero dropped: 028530 is not mapped
    "2022,156,842,850511,500.0,40.0\n"         # China -> USA, permanent magnets
    "2022,999,842,284690,1.0,1.0\n"            # unknown exporter code
    "2022,36,156,260500,10.0,100.0\n"          # Australia -> China, cobalt ore
)
CODES_NEW = ("country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n458,Malaysia,MY,MYS\n"
             "842,USA,US,USA\n36,Australia,AU,AUS\n344,\"China, Hong Kong SAR\",HK,HKG\n")
CODES_OLD = ("country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\n"
             "156,China,China,CN,CHN\n842,USA,United States of America,US,USA\n")


def _folder(tmp_path, codes=CODES_NEW):
    d = tmp_path / "trade"
    write(d / "BACI_HS17_Y2022_V202401.csv", TRADE)
    write(d / "country_codes_V202401.csv", codes)
    return d


def test_country_code_files_both_namings(tmp_path):
    d = _folder(tmp_path)
    assert baci.read_country_codes(d / "country_codes_V202401.csv")[156] == "CHN"
    write(tmp_path / "old.csv", CODES_OLD)
    assert baci.read_country_codes(tmp_path / "old.csv") == {156: "CHN", 842: "USA"}


def test_load_baci_rows_accounted(tmp_path, data_tables):
    from minerals_graph import settings

    d = _folder(tmp_path)
    codes = baci.read_country_codes(d / "country_codes_V202401.csv")
    r = baci.load_baci(d / "BACI_HS17_Y2022_V202401.csv", codes, baci.read_hs_map(settings.DATA_DIR),
                       set(data_tables.countries["iso3"]))
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (6, 4, 1, 1)
    t = r.table.set_index("row")
    assert t.loc[1, "exporter"] == "CHN" and t.loc[1, "value_usd"] == 1000500.0 and t.loc[1, "quantity_t"] == 200.0
    assert t.loc[2, "quantity_t"] is None or t.loc[2, "quantity_t"] != t.loc[2, "quantity_t"]  # NA kept empty
    assert t.loc[4, "stage"] == "magnet" and t.loc[6, "commodity"] == "cobalt"
    assert "999" in r.rejects.iloc[0]["value"]


def test_trade_flows_replace_usgs_import_sources(tmp_path):
    d = _folder(tmp_path)
    tables = load_tables(trade_dir=d)
    tr = tables.trades[tables.trades.source == "cepii-baci"]
    ree = tr[(tr.importer == "USA") & (tr.commodity == "rare_earths")]
    assert ree.share_pct.sum() == pytest.approx(100.0)
    chn = ree[(ree.exporter == "CHN") & (ree.label.str.startswith("Compounds"))].iloc[0]
    assert chn.share_pct == pytest.approx(round(100 * 1000500 / (1000500 + 250000 + 500000), 3))
    G = graph_from_tables(tables)
    net = build_supply_network(G, "rare_earths")
    suppliers = {n.split(":")[1] for n in net.predecessors("demand:USA")}
    assert suppliers <= {"CHN", "MYS", "USA"}  # Estonia and Japan (USGS ranks) replaced by observed flows


def test_missing_country_file_is_a_clear_error(tmp_path):
    from minerals_graph.errors import DataSourceNotFoundError

    write(tmp_path / "t" / "BACI_HS17_Y2022_V202401.csv", TRADE)
    with pytest.raises(DataSourceNotFoundError, match="country_codes"):
        load_tables(trade_dir=tmp_path / "t")
