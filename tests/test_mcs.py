import pandas as pd
import pytest
from tests.conftest import write

from minerals_graph.sources import mcs

SALIENT = (
    "DataSource,Commodity,Year,USprod_Concentrate_t,Imports_Compounds_t,Consump_Compounds-Metals_t,"
    "NIR_Compounds-Metals_t,NIR_Concentrate_t\n"
    'MCS2024,Rare Earths,2022,42000,10700,"10,200",>95,E\n'
    "MCS2024,Rare Earths,2023,43000,8800,8800,>95,E\n"
    ",,,,,,,\n"
)
WORLD = (
    "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes,,,\n"
    'MCS2024,United States,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",'
    "42000,43000,,1800000,,,,\n"
    'MCS2024,China,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",'
    "210000,240000,Production quota,44000000,,,,\n"
    'MCS2024,Burma,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",12000,38000,,NA,,,,\n'
    'MCS2024,New Caledonia11,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",W,W,,NA,,,,\n'
    'MCS2024,United States and Canada,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",'
    "1,1,,NA,,,,\n"
    'MCS2024,World total (rounded),"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",'
    "300000,350000,,110000000,,,,\n"
    ",,,,,,,,,,\n"
)


def test_salient_small_file_long_format_with_qualifiers(tmp_path):
    write(tmp_path / "usgs_mcs2024/salient/mcs2024-raree_salient.csv", SALIENT, bom=True, crlf=True)
    [r] = mcs.load_salient(tmp_path, 2024)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded) == (3, 2, 1)
    t = r.table
    cons = t[(t.year == 2022) & (t.measure == "consumption")].iloc[0]
    assert cons.value == 10200.0 and cons.detail == "Compounds-Metals" and cons.unit == "t"
    nir = t[(t.year == 2023) & (t.measure == "net_import_reliance")].set_index("detail")
    assert nir.loc["Compounds-Metals", "value"] == 95.0 and nir.loc["Compounds-Metals", "qualifier"] == ">"
    assert nir.loc["Concentrate", "qualifier"] == "E" and pd.isna(nir.loc["Concentrate", "value"])
    assert set(t.commodity) == {"rare_earths"}


def test_salient_file_holding_a_world_table_is_rejected_with_reason(tmp_path):
    write(
        tmp_path / "usgs_mcs2024/salient/mcs2024-cobal_salient.csv",
        "Source,Country,Type,Prod_t_est_2021\nMCS2024,United States,Mine production,500\n",
        bom=True,
    )
    [r] = mcs.load_salient(tmp_path, 2024)
    assert r.rows_rejected == 1 and "no Year column" in r.rejects.iloc[0]["reason"]


def test_world_small_file(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2024/world/mcs2024-raree_world.csv", WORLD, bom=True)
    [r] = mcs.load_world(tmp_path, crosswalk, 2024)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_excluded) == (7, 5, 1, 1)
    t = r.table
    chn = t[(t.iso3 == "CHN") & (t.measure == "production")].set_index("year")
    assert chn.loc[2023, "quantity"] == 240000.0 and bool(chn.loc[2023, "estimated"])
    assert set(t.stage) == {"mining"}
    ncl = t[(t.iso3 == "NCL") & (t.measure == "production")]
    assert list(ncl.qualifier) == ["W", "W"] and ncl.quantity.isna().all()
    assert t[(t.iso3 == "NCL")].iloc[0].footnote == "11"
    res = t[(t.iso3 == "CHN") & (t.measure == "reserves")].iloc[0]
    assert res.quantity == 44_000_000 and res.year == 2023
    assert "cannot be attributed" in r.rejects.iloc[0]["reason"]


@pytest.mark.parametrize(
    "text, stage",
    [
        ("Mine production, contained antimony", "mining"),
        ("Refinery production, alumina - calcined equivalent weights", "refining"),
        ("Smelter production, aluminum", "smelting"),
        ("Primary production", "refining"),
        ("Primary and secondary refinery production", "refining"),
        ("Mne production, grosss weight, marketable chromite ore", "mining"),
        ("Sponge Metal Production and Sponge and Pigment Capacity", "metal_alloy"),
        (" Mine production: Palladium", "mining"),
    ],
)
def test_stage_from_type(text, stage):
    assert mcs.stage_from_type(text) == stage


@pytest.mark.shared
def test_real_china_rare_earth_mine_production(raw_tables):
    p = raw_tables.production
    chn = p[(p.producer_id == "country:CHN") & (p.commodity == "rare_earths") & (p.measure == "production")]
    # MCS 2024: 2022 and 2023; MCS 2026: 2024 revised and 2025 estimated
    assert dict(zip(chn.year, chn.quantity, strict=True)) == {
        2022: 210000.0,
        2023: 240000.0,
        2024: 270000.0,
        2025: 270000.0,
    }
    assert set(chn[chn.year >= 2024]["source"]) == {"usgs-mcs2026-world"}
    assert set(chn.stage) == {"mining"} and set(chn.unit) == {"t"}


@pytest.mark.shared
def test_real_import_reliance_tables(shared, crosswalk):
    r24, trades24 = mcs.load_nir(shared, crosswalk, 2024)
    r25, trades25 = mcs.load_nir(shared, crosswalk, 2025)
    assert r24.table.commodity.size == 63 and r25.table.commodity.size == 64
    ga = r24.table[r24.table.label == "GALLIUM"].iloc[0]
    assert ga.pct == 100.0 and ga.year == 2023
    re_ = r25.table[r25.table.commodity == "rare_earths"].iloc[0]
    assert (re_.pct, re_.qualifier, re_.year) == (80.0, "", 2024)
    li = r25.table[r25.table.commodity == "lithium"].iloc[0]
    assert (li.pct, li.qualifier) == (50.0, ">")
    g = trades24[trades24.label == "GRAPHITE (NATURAL)"].sort_values("rank")
    assert list(g.exporter) == ["CHN", "MEX", "CAN", "MDG"]
    assert len(r24.cell_rejects) == 0 and len(r25.cell_rejects) == 0


@pytest.mark.shared
def test_real_critical_list_has_50_minerals(shared):
    for y in (2024, 2025):
        r = mcs.load_critical_list(shared, y)
        assert r.rows_loaded == 50 and r.table.commodity.nunique() == 50
        assert set(r.table.loc[r.table.group == "rare_earths", "commodity"]) >= {"neodymium", "dysprosium"}


@pytest.mark.shared
def test_real_salient_accounting(raw_tables):
    files = [r for r in raw_tables.results if "/salient/" in r.file]
    assert len(files) == 85 and sum(r.rows_read for r in files) == 470
    bad = {r.file.split("/")[-1] for r in files if r.rows_rejected}
    # world tables in place of salient ones (cobalt, gypsum, kyanite); rows with more values
    # than named columns (feldspar: one too many, fluorspar: two), as published
    assert bad == {
        "mcs2024-cobal_salient.csv",
        "mcs2024-gypsu_salient.csv",
        "mcs2024-kyani_salient.csv",
        "mcs2024-felds_salient.csv",
        "mcs2024-fluor_salient.csv",
    }


def test_row_with_more_values_than_named_columns_is_rejected_not_cut(tmp_path):
    # As MCS 2024 feldspar: 14 named columns (and a trailing empty one), 15 values per row.
    text = (
        "DataSource,Commodity,Year,USprod_Feldspar_kt,Imports_Feldspar_kt,NIR_Feldspar_pct,\n"
        "MCS2024,Feldspar,2019,450,64,12,>95\n"
        "MCS2024,Feldspar,2020,420,43,9\n"
    )
    write(tmp_path / "usgs_mcs2024/salient/mcs2024-felds_salient.csv", text, bom=True)
    [r] = mcs.load_salient(tmp_path, 2024)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 1, 1)
    rej = r.rejects.iloc[0]
    assert rej["row"] == 1 and rej["value"] == ">95" and "7 values for 6 named columns" in rej["reason"]
    assert set(r.table["year"]) == {2020}


def test_world_row_overflow_kept_only_for_spilled_notes_or_repeats(tmp_path):
    text = (
        "Source,Country,Type,Prod_kt_2022,Prod_kt_est_2023,Prod_note,Reserves_kt,Reserves_notes,\n"
        'MCS2024,China,"Mine production, barite","1,900","1,900",,"92,000",,"92,000"\n'
        'MCS2024,India,"Mine production, barite","2,700","2,700",,"51,000",,A spilled note\n'
        'MCS2024,Morocco,"Mine production, barite",500,500,,NA,,777\n'
    )
    write(tmp_path / "usgs_mcs2024/world/mcs2024-barit_world.csv", text, bom=True)
    [r] = mcs.load_world(tmp_path, _crosswalk(), 2024)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (3, 2, 1)
    assert r.rejects.iloc[0]["row"] == 3 and r.rejects.iloc[0]["value"] == "777"
    assert sorted(r.cell_rejects["row"]) == [1, 2]


def _crosswalk():
    from minerals_graph.crosswalk import default_crosswalk

    return default_crosswalk()


def test_nir_and_shares_outside_their_domain_are_rejected(tmp_path, crosswalk):
    """An NIR above 100 that is not E, or a share of world production above 100, is an
    error of the file: rejected with the reason, never loaded."""
    write(
        tmp_path / "usgs_mcs2025/MCS2025_Fig2_Net_Import_Reliance.csv",
        "Source,Import_Share_Order,Commodity,Net_Import_Reliance_pct_2024,Major_Import_Sources_2020_2023,Notes\n"
        'MCS2025,1,"GALLIUM, metal",120,"China, Japan",\n'
        "MCS2025,2,BERYLLIUM,E,Kazakhstan,\n"
        'MCS2025,3,LITHIUM,>50,"Chile, Argentina",\n',
        crlf=True,
    )
    r, trades = mcs.load_nir(tmp_path, crosswalk, 2025)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (3, 2, 1)
    bad = r.rejects.iloc[0]
    assert bad["row"] == 1 and bad["value"] == "120" and "outside 0..100" in bad["reason"]
    assert set(r.table.commodity) == {"beryllium", "lithium"} and "gallium" not in set(trades.commodity)
    write(
        tmp_path / "usgs_mcs2024/salient/mcs2024-raree_salient.csv",
        SALIENT.replace(">95,E\n", "150,E\n", 1),
        bom=True,
        crlf=True,
    )
    [s] = mcs.load_salient(tmp_path, 2024)
    [cell] = s.cell_rejects.to_dict("records")
    assert cell["value"] == "150" and "net_import_reliance 150% is outside 0..100" in cell["reason"]
    nir22 = s.table[(s.table.year == 2022) & (s.table.measure == "net_import_reliance")]
    assert list(nir22.qualifier) == ["E"]  # the E of the other column is kept
    write(
        tmp_path / "usgs_mcs2025/MCS2025_T5_Critical_Minerals_Salient.csv",
        "Source,Year,Critical_mineral,Primary_prod,Secondary_prod,Prod_notes,Apparent_Consumption,"
        "Consumption_Notes,Net_Import_Reliance,Primary_import_source,Import_source_notes,Leading_source_country,"
        "Leading_country_prod,Leading_source_precent_world,World_total_prod,World_prod_notes\n"
        "MCS2025,2024_estimated,Tungsten,0,W,,W,,>50,China,,China,67000,183,81000,\n",
        crlf=True,
    )
    t5 = mcs.load_critical_salient(tmp_path, crosswalk, 2025)
    [cell] = t5.cell_rejects.to_dict("records")
    assert cell["field"] == "Leading_source_precent_world" and "outside 0..100" in cell["reason"]
    assert "leading_country_share_of_world" not in set(t5.table.measure)
