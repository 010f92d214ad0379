"""CEPII BACI trade files, in the exact published format (small files written here)."""

import pandas as pd
import pytest
from tests.conftest import write

from minerals_graph.analysis.flow import build_supply_network
from minerals_graph.build import graph_from_tables
from minerals_graph.sources import baci
from minerals_graph.tables import load_tables

TRADE = (
    "t,i,j,k,v,q\n"
    "2022,156,842,284690,1000.5,    200.0\n"  # China -> USA, rare-earth compounds
    "2022,458,842,284690,250.0,         NA\n"  # Malaysia -> USA, quantity not available
    "2022,156,842,28530,80.0,2.5\n"  # leading zero dropped: 028530 is not mapped
    "2022,156,842,850511,500.0,40.0\n"  # China -> USA, permanent magnets
    "2022,999,842,284690,1.0,1.0\n"  # unknown exporter code
    "2022,36,156,260500,10.0,100.0\n"  # Australia -> China, cobalt ore
)
CODES_NEW = (
    "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n458,Malaysia,MY,MYS\n"
    '842,USA,US,USA\n36,Australia,AU,AUS\n344,"China, Hong Kong SAR",HK,HKG\n'
)
CODES_OLD = (
    "country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\n"
    "156,China,China,CN,CHN\n842,USA,United States of America,US,USA\n"
)


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
    r = baci.load_baci(
        d / "BACI_HS17_Y2022_V202401.csv",
        codes,
        baci.read_hs_map(settings.DATA_DIR),
        set(data_tables.countries["iso3"]),
    )
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


# --- the third-party extract (../shared/data/cepii_baci_critical_subset), exact formats ----


def _extract(tmp_path, *, parquet_value_2024=366341.101):
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = tmp_path / "raw" / baci.EXTRACT_DIR
    d.mkdir(parents=True)
    table = pa.table(
        {
            "year": pa.array([2024] * 5, pa.int32()),
            "exporter": ["CHN", "MYS", "DEU", "CHN", "ZZZ"],
            "exporter_name": ["China", "Malaysia", "Germany", "China", "Nowhere"],
            "importer": ["USA", "USA", "FRA", "USA", "USA"],
            "importer_name": ["USA", "USA", "France", "USA", "USA"],
            "hs6": ["850511", "850511", "850511", "811292", "850511"],
            "material": ["magnets", "magnets", "magnets", "gallium+germanium", "magnets"],
            "value_kusd": [parquet_value_2024, 10.5, 99.0, 63684.249, 1.0],
            "qty_t": [8678.521, None, 1.0, 221.889, 1.0],
        }
    )
    pq.write_table(table, d / "trade.parquet")
    write(
        d / "baci_2024.csv",
        "i,j,cmd,value\nCHN,USA,850511,366341101.0\nMYS,USA,850511,10500.0\n"
        "DEU,FRA,850511,99000.0\nCHN,USA,811292,63684249.0\nZZZ,USA,850511,1000.0\n",
    )
    write(d / "baci_2022.csv", "i,j,cmd,value\nCHN,USA,250490,1234.0\nS19,USA,850511,50.0\nHKG,CHN,850511,7.0\n")
    write(
        d / "country_codes_V202601.csv",
        "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n842,USA,US,USA\n"
        '490,"Other Asia, nes",,S19\n697,"Europe EFTA, nes",,R20\n',
    )
    return tmp_path / "raw"


def test_extract_flows_fates_and_units(tmp_path):
    raw = _extract(tmp_path)
    known = {"CHN", "USA", "MYS", "DEU", "FRA", "TWN"}
    res = {
        r.file.split("/")[-1]: r
        for r in baci.load_extract(raw, baci.read_hs_map(_data_dir()), known, fold={"HKG": "CHN"})
    }
    p = res["trade.parquet"]
    assert (p.rows_read, p.rows_loaded, p.rows_excluded, p.rows_rejected) == (5, 2, 2, 1)
    cn = p.table.set_index("exporter").loc["CHN"]
    assert cn["value_usd"] == pytest.approx(366_341_101.0) and cn["quantity_t"] == pytest.approx(8678.521)
    assert cn["commodity"] == "rare_earths" and cn["stage"] == "magnet"
    assert pd.isna(p.table.set_index("exporter").loc["MYS", "quantity_t"])
    assert p.rejects.iloc[0]["field"] == "exporter" and p.rejects.iloc[0]["value"] == "ZZZ"
    assert "811292" in " ".join(p.bulk_excluded) and any("neither exporter" in k for k in p.bulk_excluded)
    # 2024 CSV: every row equals the parquet -> excluded as a copy (ZZZ too: same value)
    c24 = res["baci_2024.csv"]
    assert (c24.rows_read, c24.rows_excluded, c24.rows_rejected) == (5, 5, 0)
    # 2022 CSV: USD (not thousands); S19 is Taiwan; HKG->CHN folds into one country
    c22 = res["baci_2022.csv"]
    assert sorted(c22.table["exporter"]) == ["CHN", "TWN"]
    assert c22.table.set_index("exporter").loc["CHN", "value_usd"] == 1234.0
    assert c22.rows_excluded == 1
    cc = res["country_codes_V202601.csv"]
    assert (cc.rows_loaded, cc.rows_excluded) == (3, 1)


def test_extract_2024_csv_disagreeing_with_parquet_is_rejected(tmp_path):
    raw = _extract(tmp_path, parquet_value_2024=1.0)
    res = baci.load_extract(raw, baci.read_hs_map(_data_dir()), {"CHN", "USA", "MYS", "DEU", "FRA"})
    c24 = next(r for r in res if r.file.endswith("baci_2024.csv"))
    assert c24.rows_rejected == 1 and "differs from trade.parquet" in c24.rejects.iloc[0]["reason"]


def _data_dir():
    from minerals_graph import settings

    return settings.DATA_DIR


@pytest.mark.shared
def test_real_extract_us_imports_from_china(raw_tables):
    tr = raw_tables.trades
    x = tr[
        (tr["source"] == "cepii-baci-extract")
        & (tr["exporter"] == "CHN")
        & (tr["importer"] == "USA")
        & (tr["period"] == "2024")
    ]
    magnets = x[x["note"].str.startswith("HS 850511")]
    # China 366,341,101 USD plus Hong Kong 80,759 USD (folded into China, as USGS counts it)
    assert magnets["value_usd"].iloc[0] == pytest.approx(366_341_101.0 + 80_759.0)
    assert "sum of 2 BACI flows" in magnets["note"].iloc[0]
    assert magnets["quantity"].iloc[0] >= 8678.521
    tungsten = x[x["note"].str.startswith("HS 810194")]
    assert tungsten["value_usd"].iloc[0] == pytest.approx(13_648_405.0 + 880_000.0)  # + Hong Kong


# --- the extract's checks are made column-wise: fates, reasons and their order as row by row ----


def test_extract_column_checks_keep_the_row_by_row_fates_and_order(tmp_path):
    """Text cells in the Parquet (read cell by cell), rows failing several checks (the first
    check wins), bulk reasons in the order of their first row, the CSV's non-plain values."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = tmp_path / "raw" / baci.EXTRACT_DIR
    d.mkdir(parents=True)
    table = {
        "year": ["2024", "2024", "24", "2024", "2024", "2024", "2024", "2024", "2024", "2024"],
        "exporter": ["CHN", "HKG", "ZZZ", "DEU", "MYS", "CHN", "MYS", "DEU", "CHN", "MAC"],
        "importer": ["USA", "CHN", "USA", "FRA", "USA", "USA", "USA", "FRA", "USA", "USA"],
        "hs6": ["850511", "850511", "850511", "811292", "850511", "999999", "850511", "850511", "260500", "850511"],
        "value_kusd": ["1,200.5", "3", "1", "2", "-4", "5", "6", "7", "abc", "0.0015"],
        "qty_t": ["2.5", None, "1", "1", "1", "1", "inf", "", "1", None],
    }
    pq.write_table(pa.table(table), d / "trade.parquet")
    write(d / "baci_2024.csv", "i,j,cmd,value\nCHN,USA,850511,1200500.0\nMYS,USA,850511,6001.0\nCHN,CAN,850511,1.0\n")
    write(
        d / "baci_2022.csv",
        'i,j,cmd,value\nCHN,USA,250490,"1,234"\nS19,USA,850511,abc\nCHN,USA,250490,"1,234"\n,,,\n'
        "MYS,USA,850511,0\nDEU,FRA,999999,1.5\nHKG,CHN,850511,7\nMYS,DEU,850511,2.25\n",
    )
    write(d / "country_codes_V202601.csv", "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n")
    known = {"CHN", "USA", "MYS", "DEU", "FRA", "TWN", "CAN"}
    world: list[tuple] = []
    p, c22, c24, _ = baci.load_extract(
        tmp_path / "raw", baci.read_hs_map(_data_dir()), known, fold={"HKG": "CHN", "MAC": "CHN"}, world=world
    )
    unmapped = "HS {} not mapped to one modelled commodity (data/hs_commodities.csv)".format
    same = "exporter and importer fold into one country (e.g. HKG -> CHN)"

    def rejects(r):
        return r.rejects[["row", "field", "value", "reason"]].values.tolist()

    assert rejects(p) == [
        [3, "year", "24", "expected a four-digit year"],  # its exporter is unknown too: the year is checked first
        [5, "value_kusd", "-4", "expected a positive value in thousands of USD"],
        [7, "qty_t", "inf", "expected metric tons or empty"],
        [8, "qty_t", "", "expected metric tons or empty"],
        [9, "value_kusd", "abc", "expected a positive value in thousands of USD"],
    ]
    assert list(p.bulk_excluded.items()) == [(same, 1), (unmapped(811292), 1), (unmapped(999999), 1)]
    assert p.table[["row", "exporter", "value_usd"]].values.tolist() == [[1, "CHN", 1200500.0], [10, "CHN", 1.5]]
    assert p.table["quantity_t"].iloc[0] == 2.5 and pd.isna(p.table["quantity_t"].iloc[1])
    assert rejects(c22) == [
        [2, "value", "abc", "expected a value in USD"],
        [3, "(row)", "", "an exact copy of row 1 (a duplicated row)"],
        [4, "value", "", "expected a value in USD"],
        [5, "value", "0", "expected a positive value in USD"],
    ]
    assert list(c22.bulk_excluded.items()) == [(unmapped(999999), 1), (same, 1), (baci.NON_FOCUS_REASON, 1)]
    assert c22.table[["row", "value_usd"]].values.tolist() == [[1, 1234.0]] and c22.table["quantity_t"].iloc[0] is None
    assert rejects(c24) == [
        [2, "value", "6001.0", "differs from trade.parquet (6000.0 USD) for the same flow"],
        [3, "value", "1.0", "differs from trade.parquet (None USD) for the same flow"],
    ]
    assert c24.bulk_excluded == {"same flow as trade.parquet (2024), which also has quantities": 1}
    assert world == [
        (2024, "CHN", "USA", "850511", 1200500.0, 2.5),
        (2024, "CHN", "USA", "850511", 1.5, None),
        (2022, "CHN", "USA", "250490", 1234.0, None),
        (2022, "MYS", "DEU", "850511", 2.25, None),
    ]
    assert [type(x) for x in world[0]] == [int, str, str, str, float, float]


@pytest.mark.parametrize(
    "texts",
    [
        ("1484.0", "8221", "0.5", "1" * 400),  # all plain: read at once (the last too large: no number)
        ("1,200", "abc", "", " 7 ", "1e3", "inf", "nan", "-3", "1_000"),  # read text by text
        ("12\n34", "5"),  # a line break inside a value: not read as two plain lines
        (),
    ],
)
def test_number_column_is_parse_number(texts):
    from minerals_graph.sources._common import parse_number

    def expected(text):
        try:
            return parse_number(text)
        except ValueError:
            return None

    got = [None if x != x else x for x in baci._number_column(texts).tolist()]
    assert got == [expected(t) for t in texts]
