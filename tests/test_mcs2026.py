import re

import pandas as pd
import pytest
from tests.conftest import write

from minerals_graph.errors import SourceFormatError
from minerals_graph.schema import STAGES
from minerals_graph.sources import mcs2026

HEADER = (
    "MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,"
    "Notes,Is critical mineral 2025,Other notes\n"
)
SAL = "Salient Statistics—United States"
RE_NOTE = '"Data in metric tons, rare-earth-oxide (REO) equivalent"'
LONG = HEADER + (
    # 1-8: salient statistics with every kind of cell
    f'RARE EARTHS,{SAL},Rare Earths,United States,Production,"Production: Mineral concentrates",'
    f'metric tons,2024,"45,000",,Yes,{RE_NOTE}\n'
    f"RARE EARTHS,{SAL},Rare Earths,United States,Net import reliance,"
    f"Net import reliance as a percentage of apparent consumption,percent,2025,>95,Estimated.,"
    f"Yes,{RE_NOTE}\n"
    f"RARE EARTHS,{SAL},Rare Earths,United States,Export,Exports: Compounds,metric tons,2023,W,,"
    f"Yes,{RE_NOTE}\n"
    f"RARE EARTHS,{SAL},Rare Earths,United States,Net import reliance,"
    f"Net import reliance as a percentage of apparent consumption: Concentrate,percent,2023,E,,"
    f"Yes,{RE_NOTE}\n"
    f"RARE EARTHS,{SAL},Rare Earths,United States,Stock,Stocks: Producer,metric tons,2022,NA,,"
    f"Yes,{RE_NOTE}\n"
    f"RARE EARTHS,{SAL},Rare Earths,United States,Price,Price: Cerium oxide,"
    f"dollars per kilogram,2021,50–300,,Yes,{RE_NOTE}\n"
    f"RARE EARTHS,{SAL},Rare Earths,United States,Import,Imports: Ferrocerium,metric tons,2022,s,"
    f"Less than ½ unit.,Yes,{RE_NOTE}\n"
    f"NIOBIUM (COLUMBIUM),{SAL},Niobium (Columbium),United States,Shipment,"
    f'Shipments from Government stockpile,metric tons,2021,?1,"If negative, increase in '
    f'inventory.",Yes,\n'
    # 9-11: import sources
    f"RARE EARTHS,Import Sources,Rare Earths,China,Import sources 2021-2024,"
    f"Rare-earth compounds and metals,percent,2021–24,71,Includes Hong Kong.,Yes,{RE_NOTE}\n"
    f"RARE EARTHS,Import Sources,Rare Earths,Japan,Import sources 2021-2024,"
    f"Rare-earth compounds and metals,percent,2021–24,<1,,Yes,{RE_NOTE}\n"
    f"RARE EARTHS,Import Sources,Rare Earths,Other countries,Import sources 2021-2024,"
    f"Rare-earth compounds and metals,percent,2021–24,6,,Yes,{RE_NOTE}\n"
    # 12-15: world
    f"RARE EARTHS,World Mine Production and Reserves,Rare Earths,China,Production,"
    f'Mine production,metric tons,2025,"270,000",Estimated.,Yes,{RE_NOTE}\n'
    f"RARE EARTHS,World Mine Production and Reserves,Rare Earths,World total,Production,"
    f'Mine production: rounded,metric tons,2025,"390,000",Estimated.,Yes,{RE_NOTE}\n'
    f"RARE EARTHS,World Mine Production and Reserves,Rare Earths,Burma,Reserves,Reserves,"
    f"metric tons,2025,NA,,Yes,{RE_NOTE}\n"
    "GRAPHITE (NATURAL),World Mine Production and Reserves,Graphite (Natural),Austria,Reserves,"
    "Reserves,metric tons,2025,s,See Appendix C. -- Included in “World total.”,Yes,\n"
    # 16-19: excluded and rejected rows
    "HELIUM AND RARE GASES,World Production and Reserves,Xenon,Russia,Production,"
    '"Rare gases production, (million liters)",million liters,2025,W,,Yes,\n'
    'RUBIDIUM,Import Sources,Rubidium,"China, Germany, and Russia",Import sources 2021-2024,All,'
    "percent,2021–24,100,,Yes,\n"
    "RARE EARTHS,Resources,Rare Earths,World total,Resources,Resources,metric tons,2025,"
    f"Large,,Yes,{RE_NOTE}\n"
    ",,,,,,,,,,,\n"
)


def _long(tmp_path, text=LONG):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv", text, encoding="cp1252")
    return tmp_path


def test_source_info_keys_and_doi():
    s = mcs2026.SOURCES["world"]
    assert s.key == "usgs-mcs2026-world" and s.year == 2026
    assert s.url == "https://doi.org/10.5066/P1WKQ63T"
    assert s.dataset == "Mineral Commodity Summaries 2026 data release: world"
    assert mcs2026.SOURCES["T4"].key == "usgs-mcs2026-t4"


def test_long_table_row_accounting(tmp_path, crosswalk):
    d = mcs2026.load_commodities_data(_long(tmp_path), crosswalk)
    r = d.result
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (19, 14, 3, 2)
    assert len(d.salient) == 7 and len(d.import_sources) == 3 and len(d.world) == 4
    assert sorted(r.table["part"].value_counts().items()) == [("import_sources", 3), ("salient", 7), ("world", 4)]
    assert set(d.tables) == {"world", "salient", "import_sources"}


def test_long_table_garbled_number_is_rejected_naming_file_row_field(tmp_path, crosswalk):
    r = mcs2026.load_commodities_data(_long(tmp_path), crosswalk).result
    bad = r.rejects.set_index("row")
    assert bad.loc[8, "file"] == "usgs_mcs2026/MCS2026_Commodities_Data.csv"
    assert bad.loc[8, "field"] == "Value" and bad.loc[8, "value"] == "?1"
    assert "expected a number" in bad.loc[8, "reason"]
    assert bad.loc[18, "field"] == "Section" and "unknown Section" in bad.loc[18, "reason"]


def test_long_table_exclusions_have_reasons(tmp_path, crosswalk):
    ex = mcs2026.load_commodities_data(_long(tmp_path), crosswalk).result.excluded
    reasons = dict(zip(ex["row"], ex["reason"], strict=True))
    assert "'Xenon' is not in the schema" in reasons[16]
    assert "cannot be attributed to one ISO3" in reasons[17]
    assert reasons[19] == "empty row"


def test_salient_codes_kept_as_value_and_qualifier(tmp_path, crosswalk):
    s = mcs2026.load_commodities_data(_long(tmp_path), crosswalk).salient.set_index("row")
    assert s.loc[1, "value"] == 45000.0 and s.loc[1, "qualifier"] == ""
    assert s.loc[1, "measure"] == "production" and s.loc[1, "unit"] == "t"
    assert s.loc[1, "detail"] == "Production: Mineral concentrates"
    assert s.loc[1, "commodity"] == "rare_earths" and s.loc[1, "iso3"] == "USA"
    assert (s.loc[2, "value"], s.loc[2, "qualifier"]) == (95.0, ">")
    assert s.loc[2, "measure"] == "net_import_reliance" and s.loc[2, "unit"] == "pct"
    assert bool(s.loc[2, "estimated"]) and not bool(s.loc[1, "estimated"])
    for row, code in ((3, "W"), (4, "E"), (5, "NA")):
        assert s.loc[row, "qualifier"] == code and pd.isna(s.loc[row, "value"])
    assert s.loc[6, "qualifier"] == "range 50-300" and pd.isna(s.loc[6, "value"])
    assert s.loc[6, "unit"] == "dollars per kilogram"
    # the symbol 's' reads its meaning from the notes
    assert (s.loc[7, "value"], s.loc[7, "qualifier"]) == (0.5, "<")


def test_import_sources_shares_ranks_and_row(tmp_path, crosswalk):
    t = mcs2026.load_commodities_data(_long(tmp_path), crosswalk).import_sources.set_index("row")
    assert t.loc[9, "exporter"] == "CHN" and t.loc[9, "importer"] == "USA"
    assert t.loc[9, "share_pct"] == 71.0 and t.loc[9, "period"] == "2021-24"
    assert t.loc[9, "form"] == "Rare-earth compounds and metals" and t.loc[9, "rank"] == 1
    assert (t.loc[10, "share_pct"], t.loc[10, "qualifier"], t.loc[10, "rank"]) == (1.0, "<", 2)
    assert t.loc[11, "exporter"] == "ROW" and pd.isna(t.loc[11, "rank"])


def test_world_rows_aggregates_rounded_and_s_symbol(tmp_path, crosswalk):
    w = mcs2026.load_commodities_data(_long(tmp_path), crosswalk).world.set_index("row")
    chn = w.loc[12]
    assert (chn.iso3, chn.stage, chn.measure, chn.year) == ("CHN", "mining", "production", 2025)
    assert chn.quantity == 270000.0 and chn.unit == "t" and bool(chn.estimated)
    assert chn.type_text == "Mine production" and chn["product"] == ""
    wld = w.loc[13]
    assert wld.iso3 == "WLD" and bool(wld.rounded) and wld.quantity == 390000.0
    mmr = w.loc[14]
    assert (mmr.iso3, mmr.measure, mmr.stage, mmr.qualifier) == ("MMR", "reserves", "mining", "NA")
    assert not bool(mmr.estimated)  # reserves are not estimates unless the notes say so
    assert w.loc[15, "qualifier"] == "included in world total" and w.loc[15, "iso3"] == "AUT"


def test_long_table_repeated_cells_keep_each_row_fate(tmp_path, crosswalk):
    """The loader cleans and classifies each distinct cell text once: a repeated unknown
    country is still rejected on each of its rows, naming that row; padded cells read as
    clean ones; a row of blanks is empty; a row without Section but with text is not."""
    imp = "RARE EARTHS,Import Sources,Rare Earths,{},Import sources 2021-2024,All,percent,2021–24,{},,Yes,\n"
    text = (
        HEADER
        + (
            imp.format("China", "60")  # 1
            + imp.format("Atlantis", "20")  # 2: unknown, keeps its rank place
            + imp.format("Japan", "15")  # 3
            + imp.format("Atlantis", "5")  # 4: unknown again, rejected again with its own row
            + imp.format("China", "60")  # 5: a copy of row 1
            + " , ,\u00a0, ,,,,,,,,\n"  # 6: blanks only
            + ",,Rare Earths,China,Production,Mine production,metric tons,2025,1,,Yes,\n"  # 7: no Section
            + f"  RARE EARTHS ,{SAL} , Rare  Earths,United States,Production,Production,"
            "metric tons ,2024 , 45 ,  Estimated. ,Yes ,\n"  # 8: padded cells
        )
    )
    d = mcs2026.load_commodities_data(_long(tmp_path, text), crosswalk)
    rej = d.result.rejects
    assert list(rej["row"]) == [2, 4, 5, 7]
    assert list(rej["field"]) == ["Country", "Country", "(row)", "Section"]
    assert "row 2, field 'Country'" in rej["reason"].iloc[0] and "row 4, field 'Country'" in rej["reason"].iloc[1]
    assert rej["reason"].iloc[2] == "an exact copy of row 1 (a duplicated row)"
    assert list(d.result.excluded["reason"]) == ["empty row"]
    assert list(d.import_sources["rank"]) == [1, 3]
    s = d.salient.iloc[0]
    assert (s.row, s.label, s.chapter, s.unit, s.value, s.note) == (
        8,
        "Rare Earths",
        "RARE EARTHS",
        "t",
        45.0,
        "Estimated.",
    )
    assert bool(s.estimated) and s.year == 2024 and len(d.result.cell_rejects) == 0


def test_long_table_needs_its_columns(tmp_path, crosswalk):
    _long(tmp_path, "MCS chapter,Section,Commodity\nA,B,C\n")
    with pytest.raises(SourceFormatError, match="expected columns"):
        mcs2026.load_commodities_data(tmp_path, crosswalk)


# One case per World Section (and per detail that overrides the section's default):
# (section, chapter, commodity, statistics, detail, unit, stage, measure, commodity id)
WORLD_CASES = [
    (
        "World Mine Production and Reserves",
        "ANTIMONY",
        "Antimony",
        "Production",
        "Mine production",
        "metric tons",
        "mining",
        "production",
        "antimony",
    ),
    (
        "World Mine Production and Reserves",
        "ANTIMONY",
        "Antimony",
        "Reserves",
        "Reserves",
        "metric tons",
        "mining",
        "reserves",
        "antimony",
    ),
    (
        "World Mine Production and Reserves",
        "SCANDIUM",
        "Scandium",
        "Capacity",
        "global capacity for scandium oxide ",
        "metric tons",
        "refining",
        "capacity",
        "scandium",
    ),
    (
        "World Mine Production and Reserves:",
        "GOLD",
        "Gold",
        "Production",
        "Mine production",
        "metric tons",
        "mining",
        "production",
        "gold",
    ),
    (
        "World Mine Production (manganese content) and Reserves",
        "MANGANESE",
        "Manganese",
        "Production",
        "Mine production",
        "thousand metric tons",
        "mining",
        "production",
        "manganese",
    ),
    (
        "World Magnesite Mine Production and Reserves (gross weight)",
        "MAGNESIUM COMPOUNDS",
        "Magnesium Compounds",
        "Production",
        "Mine production",
        "thousand metric tons",
        "mining",
        "production",
        "magnesium_compounds",
    ),
    (
        "World Gem-Quality Natural Diamond Mine Production and Reserves",
        "GEMSTONES",
        "Gemstones",
        "Production",
        "Mine production",
        " thousands of carats",
        "mining",
        "production",
        "gemstones",
    ),
    (
        "World Natural Industrial Diamond Mine Production and Reserves",
        "DIAMOND (INDUSTRIAL)",
        "Diamond (Industrial)",
        "Production",
        "Mine production",
        "million carats",
        "mining",
        "production",
        "industrial_diamond",
    ),
    (
        "World Mine and Refinery Production and Reserves",
        "COPPER",
        "Copper",
        "Production",
        "Mine production",
        "thousand metric tons",
        "mining",
        "production",
        "copper",
    ),
    (
        "World Mine and Refinery Production and Reserves",
        "COPPER",
        "Copper",
        "Production",
        "Refinery production",
        "thousand metric tons",
        "refining",
        "production",
        "copper",
    ),
    (
        "World Alumina Refinery and Bauxite Mine Production and Bauxite Reserves",
        "BAUXITE AND ALUMINA",
        "Bauxite",
        "Production",
        "Bauxite, mine production",
        "thousand metric dry tons",
        "mining",
        "production",
        "bauxite",
    ),
    (
        "World Alumina Refinery and Bauxite Mine Production and Bauxite Reserves",
        "BAUXITE AND ALUMINA",
        "Alumina",
        "Production",
        "Alumina, refinery production",
        "thousand metric dry tons",
        "refining",
        "production",
        "bauxite",
    ),
    (
        "World Refinery Production and Capacity",
        "BISMUTH",
        "Bismuth",
        "Capacity",
        "Production capacity",
        "metric tons",
        "refining",
        "capacity",
        "bismuth",
    ),
    (
        "World Refinery Production and Reserves",
        "CADMIUM",
        "Cadmium",
        "Production",
        "Refinery production",
        "metric tons",
        "refining",
        "production",
        "cadmium",
    ),
    (
        "World Smelter Production and Capacity",
        "ALUMINUM",
        "Aluminum",
        "Capacity",
        "Yearend capacity",
        "thousand metric tons",
        "smelting",
        "capacity",
        "aluminum",
    ),
    (
        "World Primary Production and Reserves",
        "MAGNESIUM METAL",
        "Magnesium Metal",
        "Production",
        "Smelter production",
        "thousand metric tons",
        "smelting",
        "production",
        "magnesium",
    ),
    (
        "World Sponge Metal Production and Sponge and Pigment Capacity",
        "TITANIUM AND TITANIUM DIOXIDE",
        "Titanium Sponge Metal",
        "Production",
        "Titanium sponge metal production",
        "metric tons",
        "metal_alloy",
        "production",
        "titanium",
    ),
    (
        "World Sponge Metal Production and Sponge and Pigment Capacity",
        "TITANIUM AND TITANIUM DIOXIDE",
        "Tio2 Pigment",
        "Capacity",
        "TiO2 Pigment Capacity",
        "metric tons",
        "refining",
        "capacity",
        "titanium",
    ),
    (
        "World Production",
        "IRON AND STEEL",
        "Iron And Steel",
        "Production",
        "Pig iron",
        "million metric tons",
        "smelting",
        "production",
        "iron_steel",
    ),
    (
        "World Production",
        "SILICON",
        "Silicon",
        "Production",
        "Ferrosilicon",
        "thousand metric tons",
        "smelting",
        "production",
        "silicon",
    ),
    (
        "World Production Capacity",
        "ABRASIVES (MANUFACTURED)",
        "Abrasives (Manufactured)",
        "Capacity",
        "Fused aluminum oxide",
        "metric tons",
        "refining",
        "capacity",
        "abrasives",
    ),
    (
        "World Production and Capacity",
        "CEMENT",
        "Cement",
        "Capacity",
        "Clinker capacity",
        "thousand metric tons",
        "refining",
        "capacity",
        "cement",
    ),
    (
        "World Ammonia Production and Reserves",
        "NITROGEN (FIXED)—AMMONIA",
        "Nitrogen (Fixed)—Ammonia",
        "Production",
        "Plant production",
        "thousand metric tons",
        "refining",
        "production",
        "nitrogen",
    ),
    (
        "World Lime Production and Limestone Reserves",
        "LIME",
        "Lime",
        "Production",
        "Production",
        "thousand metric tons",
        "refining",
        "production",
        "lime",
    ),
    (
        "World Low-Purity Production and Production Capacity",
        "GALLIUM",
        "Gallium",
        "Production",
        "Primary production",
        "kilograms",
        "refining",
        "production",
        "gallium",
    ),
    (
        "World Production and Reserves",
        "BORON",
        "Boron",
        "Production",
        "Production—crude ore",
        "thousand metric tons",
        "mining",
        "production",
        "boron",
    ),
    (
        "World Production and Reserves",
        "BORON",
        "Boron",
        "Production",
        "Production—refined borates",
        "thousand metric tons",
        "refining",
        "production",
        "boron",
    ),
    (
        "World Production and Reserves",
        "BROMINE",
        "Bromine",
        "Production",
        "Production",
        "metric tons",
        "refining",
        "production",
        "bromine",
    ),
    (
        "World Production and Reserves",
        "SULFUR",
        "Sulfur",
        "Production",
        "Production, all forms",
        "thousand metric tons",
        "refining",
        "production",
        "sulfur",
    ),
    (
        "World Production and Reserves",
        "IRON AND STEEL SLAG",
        "Iron And Steel Slag",
        "Production",
        "steel slag production was estimated to be between 190 million and 290 million tons",
        "million metric tons",
        "smelting",
        "production",
        "iron_steel_slag",
    ),
    (
        "World Production and Reserves",
        "HELIUM AND RARE GASES",
        "Helium",
        "Production",
        "Helium Production",
        "million cubic meters",
        "mining",
        "production",
        "helium",
    ),
    (
        "World Production and Reserves",
        "SALT",
        "Salt",
        "Production",
        "Mine production",
        "thousand metric tons",
        "mining",
        "production",
        "salt",
    ),
]


def test_world_cases_cover_every_section():
    assert {c[0] for c in WORLD_CASES} == set(mcs2026.WORLD_SECTION_STAGES)


@pytest.mark.parametrize("case", WORLD_CASES, ids=lambda c: f"{c[0]}|{c[4]}")
def test_world_section_mapping_through_the_loader(tmp_path, crosswalk, case):
    section, chapter, label, stat, detail, unit, stage, measure, cid = case
    q = '"'
    row = f'{chapter},{section},{label},China,{stat},{q}{detail}{q},{unit},2024,"1,200",,No,\n'
    d = mcs2026.load_commodities_data(_long(tmp_path, HEADER + row), crosswalk)
    assert d.result.rows_loaded == 1, d.result.rejects.to_dict("records")
    w = d.world.iloc[0]
    assert (w.stage, w.measure, w.commodity) == (stage, measure, cid)
    assert w.quantity == 1200.0 and w.iso3 == "CHN" and w.section == section
    assert mcs2026.world_stage(section, measure, detail, cid) == stage


def test_world_stage_unknown_section_and_detail_split():
    assert mcs2026.world_stage("World Resources", "production", "Mine production", "x") is None
    assert mcs2026._split_detail("Mine production: Iron content, rounded") == ("Mine production", "Iron content", True)
    assert mcs2026._split_detail("Mica (Sheet): Mine production") == ("Mica (Sheet)", "Mica (Sheet)", False)
    assert mcs2026._split_detail("Production—crude ore") == ("Production", "crude ore", False)


@pytest.mark.parametrize(
    "name, cid",
    [
        ("Tio2 Pigment", "titanium"),
        ("TiO2 pigment", "titanium"),
        ("Granite Only", "dimension_stone"),
        ("Industrial cultured quartz crystal", "quartz_crystal"),
        ("Magnesium, compounds", "magnesium_compounds"),
        ("Magnesium, metal", "magnesium"),
        ("Titanium, mineral concentrates", "titanium_mineral_concentrates"),
        ("Metallurgical coal", "coal"),
        ("Rare earths (compounds and metals)9", "rare_earths"),
        ("Ytterbium ", "ytterbium"),
        ("ALUMINA", "bauxite"),
        ("Xenon", None),
        ("Osmium", None),
        ("Unobtainium", None),
    ],
)
def test_commodity_of(name, cid):
    assert mcs2026.commodity_of(name) == cid


# ---------------------------------------------------------------------------------------
# Figures and tables (UTF-8 with BOM)

FIG2 = (
    "Source,Import_Share_Order,Commodity,Net_Import_Reliance_pct_2025,"
    "Major_Import_Sources_2021_24,Notes\n"
    'MCS2026,1,"ARSENIC, all forms",100,"China, Malaysia, Morocco",Descending order of import '
    "share. Imports from Hong Kong are included with China.\n"
    "MCS2026,18,XENON,98,NA,Descending order of import share.\n"
    'MCS2026,43,"RARE EARTHS, compounds and metals",67,"China, Malaysia, Estonia, Japan",'
    "Descending order of import share.\n"
    'MCS2026,49,GERMANIUM,>50,"Belgium, Atlantis",Descending order of import share.\n'
)


def test_fig2_nir_and_ranked_sources(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_Fig2_Net_Import_Reliance.csv", FIG2, bom=True)
    r, trades = mcs2026.load_fig2(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (4, 3, 1, 0)
    t = r.table.set_index("commodity")
    assert t.loc["rare_earths", "pct"] == 67.0 and t.loc["rare_earths", "year"] == 2025
    assert (t.loc["germanium", "pct"], t.loc["germanium", "qualifier"]) == (50.0, ">")
    re_ = trades[trades.commodity == "rare_earths"]
    assert list(re_.exporter) == ["CHN", "MYS", "EST", "JPN"] and list(re_["rank"]) == [1, 2, 3, 4]
    assert set(trades.period) == {"2021-24"} and set(trades.importer) == {"USA"}
    ars = trades[trades.commodity == "arsenic"].set_index("exporter")
    assert "Hong Kong" in ars.loc["CHN", "note"] and ars.loc["MYS", "note"] == ""
    assert list(r.cell_rejects["value"]) == ["Atlantis"] and list(r.cell_rejects["row"]) == [4]
    assert "'XENON' is not in the schema" in r.excluded.iloc[0]["reason"]


FIG3 = (
    "Source,Commodity,Import_Source_2021_24,Percent,NIR,Critical_Mineral\n"
    "MCS2026,Antimony,China,55,91,Y\n"
    "MCS2026,Antimony,Belgium,12,91,Y\n"
    "MCS2026,Antimony,Other,19,91,Y\n"
    "MCS2026,Cesium,NA,100,100,N\n"
    '"MCS2026","Magnesium, compounds",China,"1,5x",59,Y\n'
    "MCS2026,Boron,Turkey,90,0,Y\n"
    "MCS2026,Boron,Others,10,0,Y\n"
)


def test_fig3_shares_by_source(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_Fig3_Major_Import_Sources.csv", FIG3, bom=True)
    r = mcs2026.load_fig3(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (7, 5, 1, 1)
    boron = r.table[r.table.commodity == "boron"]
    assert list(boron.exporter) == ["TUR", "ROW"] and list(boron.share_pct) == [90.0, 10.0]
    t = r.table[r.table.commodity == "antimony"].set_index("exporter")
    assert t.loc["CHN", "share_pct"] == 55.0 and t.loc["CHN", "nir_pct"] == 91.0
    assert t.loc["CHN", "rank"] == 1 and t.loc["BEL", "rank"] == 2 and pd.isna(t.loc["ROW", "rank"])
    assert bool(t.loc["CHN", "critical_flag"])
    assert r.excluded.iloc[0]["reason"] == "no import source published (NA)"
    assert r.rejects.iloc[0]["row"] == 5 and "1,5x" in r.rejects.iloc[0]["value"]


T4 = (
    "Country,Control_Type,Commodity_Year,Data_source,Notes\n"
    'Angola,Export ban,Quartz and gypsum (2024).,https://governo.gov.ao/x,"Excludes past export '
    'controls that have been lifted."\n'
    'China,Export licensing requirement for materials and technologies,"Antimony (2024), bismuth '
    "(2025), gallium (2023), germanium (2023), graphite (2023), and items related to lithium "
    'batteries and artificial graphite anode materials (2025).",https://www.mofcom.gov.cn/x,\n'
    "Morocco,Export licensing requirement,Copper (refined and alloys) and aluminum ingots (2025).,"
    "https://en.bladi.net/x,\n"
    'Venezuela,Export ban,"Bauxite, cassiterite, columbite-tantalite, and thorium (2024).",'
    "https://safety4sea.com/x,\n"
    "Kyrgyzstan,Temporary export ban ,Ferrous ingot and ferrous metal waste and scrap (2023) and "
    "catalysts and waste containing precious metals (2025).,https://24.kg/x,\n"
    "Atlantis,Export ban,Orichalcum (2020).,https://example.org,\n"
    "Chile,Export ban,Lithium without a year,https://example.org,\n"
)


def test_export_controls_one_row_per_country_commodity_year(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_T4_Country_Export_Control.csv", T4, bom=True)
    r = mcs2026.load_export_controls(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (7, 5, 2)
    assert list(r.rejects["field"]) == ["Country", "Commodity_Year"]
    t = r.table
    chn = t[t.iso3 == "CHN"]
    assert dict(zip(chn.commodity, chn.year, strict=True)) == {
        "antimony": 2024,
        "bismuth": 2025,
        "gallium": 2023,
        "germanium": 2023,
        "graphite": 2023,
        "lithium": 2025,
        "": 2025,
    }
    assert set(chn.data_source) == {"https://www.mofcom.gov.cn/x"}
    # a commodity the schema lacks is kept with commodity "" and the raw item
    syn = chn[chn.commodity == ""].iloc[0]
    assert syn["item"] == "artificial graphite anode materials" and "synthetic" in syn["note"]
    ago = t[t.iso3 == "AGO"].set_index("item")
    assert ago.loc["Quartz", "commodity"] == "" and ago.loc["gypsum", "commodity"] == "gypsum"
    mar = t[t.iso3 == "MAR"]
    assert list(mar.commodity) == ["copper", "aluminum"]
    assert list(mar["item"]) == ["Copper (refined and alloys)", "aluminum ingots"]
    ven = t[t.iso3 == "VEN"]
    assert list(ven.commodity) == ["bauxite", "tin", "niobium", "tantalum", "thorium"]
    kgz = t[t.iso3 == "KGZ"]
    assert list(zip(kgz.commodity, kgz.year, strict=True)) == [
        ("iron_steel", 2023),
        ("iron_steel_scrap", 2023),
        ("", 2025),
    ]
    assert set(kgz.control_type) == {"Temporary export ban"}


T5 = (
    "Country,Agreement,Signing_date,Signing_date,Focus_area,Source\n"
    'Australia,Framework,20-Oct-25,2025-10-20,"Joint mining, processing.",https://wh.gov/a\n'
    "Japan and Republic of Korea,Trilateral Cooperation ,23-Aug,2025-09-23,Cooperation.,"
    "https://state.gov/b\n"
    "Philippines,Reciprocal Trade Framework,25-Feb,2025-02,Nickel.,https://ustr.gov/c\n"
)


def test_trade_agreements(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_T5_Trade_Agreements.csv", T5, bom=True)
    r = mcs2026.load_trade_agreements(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded) == (3, 3)
    t = r.table
    assert list(t.iso3) == ["AUS", "JPN", "KOR", "PHL"]
    assert list(t.signing_date) == ["2025-10-20", "2025-09-23", "2025-09-23", "2025-02"]
    assert t.iloc[1]["agreement"] == "Trilateral Cooperation"
    [cell] = r.cell_rejects.to_dict("records")
    assert cell["row"] == 2 and cell["value"] == "23-Aug" and "2025-09-23" in cell["reason"]


T6 = (
    "Source,Critical_Mineral,Primary_Applications,Category_Note\n"
    'MCS2026,Cerium,"Catalytic converters, ceramics.",Included in the Rare Earths chapter.\n'
    "MCS2026,Metallurgical coal,Steel production.,Included in the 2025 Final List of Critical "
    "Minerals but does not have a chapter.\n"
    'MCS2026,Ytterbium ,"Catalysts, lasers.",\n'
    "MCS2026,Iridium,Anode coatings.,Included in the Platinum-Group Metals chapter.\n"
    "MCS2026,Adamantium,Claws.,\n"
)


def test_critical_list_2025(tmp_path):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_T6_Critical_Minerals_End_Use.csv", T6, bom=True)
    r = mcs2026.load_critical_list_2025(tmp_path)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (5, 4, 1)
    t = r.table.set_index("commodity")
    assert list(t.index) == ["cerium", "coal", "ytterbium", "iridium"]
    assert t["critical_2025"].all()
    assert t.loc["cerium", "group"] == "rare_earths"
    assert t.loc["iridium", "group"] == "platinum_group_metals"
    assert t.loc["ytterbium", "label"] == "Ytterbium" and t.loc["ytterbium", "group"] == ""
    assert r.rejects.iloc[0]["field"] == "Critical_Mineral"


T7 = (
    "Source,Year,Units,Critical_mineral,Primary_prod,Secondary_prod,Prod_notes,"
    "Apparent_Consumption,Consumption_Notes,Net_Import_Reliance,Primary_import_sources_2021-24,"
    "Import_source_notes,Leading_source_country,Leading_country_prod,"
    "Leading_source_precent_world,World_total_prod,World_prod_notes\n"
    "MCS2026,2025_estimated,metric tons,Rare earths (compounds and metals)9,8900,NA,,27000,,67,"
    "China,Includes Hong Kong.,China,270000,69,390000,\n"
    'MCS2026,2025_estimated,metric tons,Zirconium (ores and concentrates),"<100,000",NA,,<100000,,'
    "<25,South Africa,,Australia,400000,33,1200000,\n"
    "MCS2026,2025_estimated,metric tons,Yttrium,NA,NA,,300,,10O,China,,China,NA,NA,NA,\n"
)


def test_critical_salient_2025(tmp_path, crosswalk):
    write(tmp_path / "usgs_mcs2026" / "MCS2026_T7_Critical_Minerals_Salient.csv", T7, bom=True)
    r = mcs2026.load_critical_salient_2025(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded) == (3, 3)
    t = r.table
    ree = t[t.commodity == "rare_earths"].set_index("measure")
    assert ree.loc["leading_country_production", "iso3"] == "CHN"
    assert ree.loc["world_production", "value"] == 390000.0
    assert ree.loc["world_production", "iso3"] == "WLD"
    assert ree.loc["primary_import_source", "iso3"] == "CHN"
    assert ree.loc["net_import_reliance", "unit"] == "pct"
    assert ree.loc["primary_production", "unit"] == "t"
    assert set(ree.label) == {"Rare earths (compounds and metals)"} and ree.year.eq(2025).all()
    zr = t[t.commodity == "zirconium"].set_index("measure")
    assert (zr.loc["primary_production", "value"], zr.loc["primary_production", "qualifier"]) == (100000.0, "<")
    assert list(r.cell_rejects["field"]) == ["Net_Import_Reliance"]  # '10O' in the Yttrium row


# ---------------------------------------------------------------------------------------
# The real files


@pytest.fixture(scope="module")
def real(shared, crosswalk):
    return mcs2026.load_commodities_data(shared, crosswalk)


@pytest.mark.shared
def test_real_long_table_every_row_accounted(real):
    r = real.result
    assert r.rows_read == 8886
    assert r.rows_loaded + r.rows_excluded + r.rows_rejected == 8886
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (8766, 118, 2)
    assert len(real.world) + len(real.salient) + len(real.import_sources) == r.rows_loaded
    assert (len(real.world), len(real.salient), len(real.import_sources)) == (3285, 4766, 715)
    # the two minus signs the cp1252 copy lost (niobium and tantalum stockpile shipments 2021)
    bad = r.rejects.set_index("row")
    assert sorted(bad.index) == [5085, 7449] and set(bad["field"]) == {"Value"}
    assert list(bad["value"]) == ["?1", "?10"]
    counts = r.excluded["reason"].str.extract(r"commodity '([^']+)'")[0].value_counts()
    assert counts.to_dict() == {
        "Argon": 29,
        "Neon": 26,
        "Krypton": 26,
        "Xenon": 26,
        "Neon, krypton, and xenon": 5,
        "Osmium": 5,
    }
    assert r.excluded["reason"].str.contains("China, Germany, and Russia").sum() == 1


@pytest.mark.shared
def test_real_world_values(real):
    w = real.world
    assert set(w.stage) <= set(STAGES) and w.stage.notna().all()
    assert set(w.measure) == {"production", "capacity", "reserves"}

    def one(**kw):
        sel = w
        for k, v in kw.items():
            sel = sel[sel[k] == v]
        assert len(sel) == 1, sel
        return sel.iloc[0]

    # read by hand from the CSV: RARE EARTHS, China, Mine production, 2025, "270,000" (row 6093)
    ree = one(commodity="rare_earths", iso3="CHN", measure="production", year=2025)
    assert (ree.row, ree.quantity, ree.unit, ree.stage) == (6093, 270000.0, "t", "mining")
    assert one(commodity="rare_earths", iso3="CHN", measure="reserves").quantity == 44_000_000
    # COPPER, China, Refinery production, 2025, "14,000" thousand metric tons (row 2051)
    cu = one(commodity="copper", iso3="CHN", stage="refining", year=2025)
    assert (cu.row, cu.quantity, cu.unit) == (2051, 14000.0, "kt")
    # GALLIUM, China, Primary production 2025 "900,000" kg; capacity "1,600,000" kg
    assert one(commodity="gallium", iso3="CHN", measure="production", year=2025).quantity == 900000
    assert one(commodity="gallium", iso3="CHN", measure="capacity").quantity == 1_600_000
    # alumina refinery production is the refining stage of 'bauxite' (China 93,000 kt in 2025)
    alu = one(commodity="bauxite", iso3="CHN", stage="refining", year=2025)
    assert alu.quantity == 93000.0 and alu.label == "Alumina"


@pytest.mark.shared
def test_real_import_sources(real):
    t = real.import_sources
    ree = t[t.commodity == "rare_earths"].set_index("exporter")
    assert ree.loc["CHN", "share_pct"] == 71.0 and ree.loc["CHN", "rank"] == 1
    assert ree.loc["MYS", "share_pct"] == 13.0 and ree.loc["ROW", "share_pct"] == 6.0
    assert set(t.period) == {"2021-24"} and set(t.importer) == {"USA"}
    assert len(t) == 720 - 5  # less the combined rubidium row and argon's four rows
    # shares of one (commodity, form) add up to about 100 where all are plain numbers
    plain = t.groupby(["commodity", "label", "form"]).filter(lambda g: (g.qualifier == "").all())
    sums = plain.groupby(["commodity", "label", "form"])["share_pct"].sum()
    assert sums.between(97, 103).mean() > 0.95


@pytest.mark.shared
def test_real_export_controls_china(shared, crosswalk):
    r = mcs2026.load_export_controls(shared, crosswalk)
    assert (r.rows_read, r.rows_loaded) == (19, 19)
    chn = r.table[r.table.iso3 == "CHN"]
    years = dict(zip(chn.commodity, chn.year, strict=False))
    assert {k: years[k] for k in ("gallium", "germanium", "graphite", "antimony")} == {
        "gallium": 2023,
        "germanium": 2023,
        "graphite": 2023,
        "antimony": 2024,
    }
    assert years["silver"] == 2026 and years["rare_earths"] == 2025
    assert set(chn.data_source) == {"https://www.mofcom.gov.cn/zwgk/zcfb/index.html"}
    assert len(r.table) == 70 and (r.table.commodity == "").sum() == 6


@pytest.mark.shared
def test_real_critical_list_has_60_minerals(shared):
    r = mcs2026.load_critical_list_2025(shared)
    assert (r.rows_read, r.rows_loaded) == (60, 60)
    t = r.table
    assert t.commodity.nunique() == 60
    lanthanides = {
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
    }
    assert lanthanides <= set(t.commodity)
    assert {
        "copper",
        "silver",
        "lead",
        "potash",
        "phosphate_rock",
        "silicon",
        "rhenium",
        "uranium",
        "coal",
        "yttrium",
        "scandium",
    } <= set(t.commodity)


@pytest.mark.shared
def test_real_critical_salient_and_figures(shared, crosswalk):
    t7 = mcs2026.load_critical_salient_2025(shared, crosswalk)
    assert (t7.rows_read, t7.rows_loaded) == (39, 39)
    ree = t7.table[(t7.table.commodity == "rare_earths")].set_index("measure")
    assert ree.loc["world_production", "value"] == 390000.0
    assert ree.loc["leading_country_share_of_world", "value"] == 69.0
    r2, trades = mcs2026.load_fig2(shared, crosswalk)
    assert (r2.rows_read, r2.rows_loaded, r2.rows_excluded) == (68, 65, 3)
    assert r2.table.set_index("commodity").loc["rare_earths", "pct"] == 67.0
    assert list(trades[trades.commodity == "rare_earths"].exporter) == ["CHN", "MYS", "EST", "JPN"]
    r3 = mcs2026.load_fig3(shared, crosswalk)
    assert (r3.rows_read, r3.rows_loaded, r3.rows_excluded) == (191, 184, 7)
    sb = r3.table[r3.table.commodity == "antimony"].set_index("exporter")
    assert sb.loc["CHN", "share_pct"] == 55.0 and sb.loc["CHN", "nir_pct"] == 91.0
    t5 = mcs2026.load_trade_agreements(shared, crosswalk)
    assert (t5.rows_read, t5.rows_loaded, len(t5.table)) == (9, 9, 10)


@pytest.mark.shared
def test_real_every_file_is_loaded_or_listed_as_not_read(shared):
    loaded = {
        "MCS2026_Commodities_Data",
        "MCS2026_Fig2_",
        "MCS2026_Fig3_",
        "MCS2026_T4_",
        "MCS2026_T5_",
        "MCS2026_T6_",
        "MCS2026_T7_",
    }
    prefixes = loaded | set(mcs2026.NOT_READ)
    files = sorted(p.name for p in (shared / "usgs_mcs2026").glob("*.csv"))
    assert len(files) == 16
    for name in files:
        assert sum(name.startswith(p) for p in prefixes) == 1, name
    assert all(re.match(r"MCS2026_(Fig|T)\d+_$", p) for p in mcs2026.NOT_READ)
