import openpyxl
import pandas as pd
import pytest

from minerals_graph.errors import SourceFormatError
from minerals_graph.matching import RECORD_COLUMNS
from minerals_graph.sources import icmm

HEADER = [
    "ICMMID",
    "Confidence Factor",
    "Mine Name ",
    "Group Names",
    "Latitude",
    "Longitude",
    "Asset Type",
    "Country",
    "Primary Commodity",
    "Secondary Commodity",
    "Other Commodities",
]
SCOPE = {"USA", "CAN", "MEX", "CHN"}

ROWS = [
    # 1 loaded: the rare-earth mine, primary 'lanthanides'
    (
        "ICMM02788",
        "High",
        "Mountain Pass",
        "Mountain Pass;Mountain Pass Mine;Molycorp",
        35.4785,
        -115.532,
        "Mine;Plant",
        "United States",
        "lanthanides",
        "neodymium",
        "copper;silver",
    ),
    # 2 latitude as text with a Unicode minus sign: loaded (outside SCOPE)
    (
        "ICMM07721",
        "Very Low",
        "Murchison",
        None,
        "\u221223.8901",
        30.6952,
        "Mine",
        "South Africa",
        "gold",
        "platinum",
        None,
    ),
    # 3 coal only: excluded
    (
        "ICMM09001",
        "Moderate",
        "Black Thunder",
        None,
        43.68,
        -105.29,
        "Mine",
        "United States",
        "thermal coal",
        None,
        None,
    ),
    # 4 steel plant: excluded
    (
        "ICMM08452",
        "Moderate",
        "Lazaro Cardenas steel plant",
        None,
        17.94,
        -102.21,
        "Steel Plant",
        "Mexico",
        "steel",
        None,
        None,
    ),
    # 5 smelter-refinery, trailing spaces and typos in commodities: loaded as a refinery
    (
        "ICMM13494",
        "High",
        "Guixi smelter",
        "Guixi smelter;Guixi Refinery",
        28.29,
        117.21,
        "Smelter;Refinery",
        "China",
        "copper ",
        "sulphuric acid",
        "cadmiuum;bopper; silver",
    ),
    # 6 unknown country: rejected
    (
        "ICMM99999",
        "High",
        "Atlantis Deep",
        None,
        10.0,
        -30.0,
        "Mine",
        "Atlantis",
        "copper",
        None,
        None,
    ),
    # 7 unreadable latitude: rejected
    (
        "ICMM99998",
        "High",
        "Nowhere",
        None,
        "n/a",
        -100.0,
        "Mine",
        "United States",
        "lithium",
        None,
        None,
    ),
    # 8 outside SCOPE: excluded there, loaded with countries=None
    (
        "ICMM06001",
        "High",
        "Greenbushes",
        None,
        -33.86,
        116.06,
        "Mine",
        "Australia",
        "lithium",
        "tantalum",
        None,
    ),
    # 9 mis-decoded name, smelter with a steel plant: loaded as the smelter
    (
        "ICMM08180",
        "Moderate",
        "Eisenh\u00c3\u00bcttenstadt smelter",
        None,
        52.16,
        14.63,
        "Smelter;Steel Plant",
        "Germany",
        "steel",
        "aluminium",
        None,
    ),
    # 10 unknown commodity name: loaded, the name listed in cell_rejects
    (
        "ICMM02754",
        "Very Low",
        "Carolina",
        None,
        35.33,
        -81.25,
        "Mine",
        "United States",
        "lithium",
        "unobtainium",
        None,
    ),
    # 11 'Refinery; Steel Plant' (space after ';'), zinc: loaded as a refinery
    (
        "ICMM08785",
        "High",
        "Sestao steel plant",
        "Sestao steel plant;Axpe Refinery",
        43.31,
        -2.99,
        "Refinery; Steel Plant",
        "Spain",
        "steel",
        "zinc",
        None,
    ),
    # 12 a ferroalloy plant
    (
        "ICMM07977",
        "Moderate",
        "Barbacena Ferroalloys plant",
        None,
        -21.2,
        -43.8,
        "Plant",
        "Brazil",
        "ferromanganese",
        None,
        None,
    ),
]


def _write_xlsx(tmp_path, rows=ROWS, header=HEADER):
    wb = openpyxl.Workbook()
    about = wb.active
    about.title = "About"
    about.append(["Global Mining Dataset - September 2025"])
    about.append(['Recommended Citation: "ICMM Global Mining Dataset, September 2025 (V1) release."'])
    ext = wb.create_sheet("External")
    ext.append(header)
    for r in rows:
        ext.append(list(r))
    wb.create_sheet("Supplemental Sheet").append(["Table 1"])
    path = tmp_path / icmm.FILE
    path.parent.mkdir(parents=True)
    wb.save(path)
    return tmp_path


def test_fates_in_scope(tmp_path, crosswalk):
    r = icmm.load_icmm(_write_xlsx(tmp_path), crosswalk, countries=SCOPE)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (12, 3, 7, 2)
    assert list(r.table.columns) == RECORD_COLUMNS
    assert list(r.table.record_id) == ["ICMM02788", "ICMM13494", "ICMM02754"]
    reasons = dict(zip(r.excluded.row, r.excluded.reason, strict=True))
    assert reasons[3] == "no commodity in scope (coal)"
    assert reasons[4] == "steel plant (steel is not a commodity of this model)"
    assert {reasons[i] for i in (2, 8, 9, 11, 12)} == {
        "outside the countries in scope (ZAF)",
        "outside the countries in scope (AUS)",
        "outside the countries in scope (DEU)",
        "outside the countries in scope (ESP)",
        "outside the countries in scope (BRA)",
    }
    rejects = r.rejects.set_index("row")
    assert rejects.loc[6, "field"] == "Country" and "Atlantis" in rejects.loc[6, "reason"]
    assert rejects.loc[7, "field"] == "Latitude/Longitude" and rejects.loc[7, "value"] == "n/a,-100"


def test_values(tmp_path, crosswalk):
    r = icmm.load_icmm(_write_xlsx(tmp_path), crosswalk)
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (8, 2, 2)
    t = r.table.set_index("record_id")
    mp = t.loc["ICMM02788"]
    assert (mp["name"], mp.alt_names, mp.iso3, mp.admin1) == (
        "Mountain Pass",
        "Mountain Pass Mine;Molycorp",
        "USA",
        "",
    )
    assert (mp.node_kind, mp.kind, mp.stages) == ("Site", "mine", "mining;concentrating")
    assert mp.commodities == "rare_earths;neodymium;copper;silver"
    assert mp.raw_commodities == "lanthanides;neodymium;copper;silver"
    assert (mp.lon, mp.lat, mp.status, mp.confidence) == (-115.532, 35.4785, "unknown", "High")
    assert (mp.operator, mp.url, mp.dataset) == ("", icmm.URL, "icmm")
    assert t.loc["ICMM07721", "lat"] == -23.8901 and t.loc["ICMM07721", "commodities"] == "gold;platinum"
    gx = t.loc["ICMM13494"]
    assert (gx.node_kind, gx.kind, gx.stages) == ("Facility", "refinery", "refining;smelting")
    assert gx.commodities == "copper;sulfur;cadmium;silver"
    assert gx.raw_commodities == "copper;sulphuric acid;cadmiuum;bopper;silver"
    assert gx.alt_names == "Guixi Refinery"
    eh = t.loc["ICMM08180"]
    assert (eh["name"], eh.kind, eh.stages, eh.commodities) == (
        "Eisenhüttenstadt smelter",
        "smelter",
        "smelting",
        "iron_steel;aluminum",
    )
    assert "steel plant is not modelled" in eh.note
    assert (t.loc["ICMM08785", "kind"], t.loc["ICMM08785", "commodities"]) == (
        "refinery",
        "iron_steel;zinc",
    )
    assert (t.loc["ICMM07977", "kind"], t.loc["ICMM07977", "stages"]) == (
        "metal_alloy_plant",
        "metal_alloy",
    )
    assert list(r.cell_rejects.value) == ["unobtainium"] and list(r.cell_rejects.row) == [10]
    assert r.source.year == 2025 and "CC BY 4.0" in r.source.licence
    assert "September 2025 (V1)" in r.source.licence


def test_commodity_scope_argument(tmp_path, crosswalk):
    r = icmm.load_icmm(_write_xlsx(tmp_path), crosswalk, countries={"USA"}, commodities={"coal"})
    assert list(r.table.record_id) == ["ICMM09001"]


def test_missing_column_and_sheet(tmp_path, crosswalk):
    with pytest.raises(SourceFormatError, match="Country"):
        icmm.load_icmm(_write_xlsx(tmp_path, rows=[], header=[h for h in HEADER if h != "Country"]), crosswalk)
    wb = openpyxl.Workbook()
    wb.active.title = "About"
    (tmp_path / "x").mkdir()
    wb.save(tmp_path / "x" / "g.xlsx")
    with pytest.raises(SourceFormatError, match="External"):
        icmm.load_icmm(tmp_path, crosswalk, file="x/g.xlsx")


def test_duplicate_id_and_empty_row(tmp_path, crosswalk):
    rows = [ROWS[0], ROWS[0], (None,) * 11]
    r = icmm.load_icmm(_write_xlsx(tmp_path, rows=rows), crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_excluded) == (3, 1, 1, 1)
    assert r.rejects.iloc[0]["reason"] == "duplicate ICMMID"


def test_helpers():
    assert icmm.parse_coordinate("\u221223.8901") == -23.8901
    assert icmm.parse_coordinate(30) == 30.0
    with pytest.raises(ValueError):
        icmm.parse_coordinate("n/a")
    assert icmm.map_commodity("cadmiuum") == icmm.map_commodity("cadimium") == ("cadmium",)
    assert icmm.map_commodity("zicron") == ("zirconium",)
    assert icmm.map_commodity("Lanthanides ") == ("rare_earths",)
    assert icmm.map_commodity("PGM") == ("platinum_group_metals",)
    assert icmm.map_commodity("fertilizedr") == ()
    assert icmm.map_commodity("unobtainium") is None
    assert icmm.kind_and_stages(["Mine", "Smelter", "Refinery"], "copper") == (
        "Site",
        "mine",
        ["mining", "smelting", "refining"],
    )
    assert icmm.kind_and_stages(["Plant"], "alumina") == ("Facility", "refinery", ["refining"])
    assert icmm.kind_and_stages(["Plant"], "nickel") == (
        "Facility",
        "concentrator",
        ["concentrating"],
    )


@pytest.mark.shared
def test_real_file(shared, crosswalk):
    r = icmm.load_icmm(shared, crosswalk)
    assert r.rows_read == 8508
    assert r.rows_loaded + r.rows_excluded + r.rows_rejected == 8508
    assert r.rows_rejected == 0 and r.cell_rejects.empty  # every commodity name is mapped
    t = r.table.set_index("record_id")
    assert t.index.is_unique
    assert t.loc["ICMM07721", "lat"] == -23.8901  # the Unicode-minus latitude
    mp = t.loc["ICMM02788"]
    assert (mp["name"], mp.iso3, mp.kind) == ("Mountain Pass", "USA", "mine")
    assert mp.raw_commodities.split(";")[0] == "lanthanides" and mp.commodities.split(";")[0] == "rare_earths"
    jc = t.loc["ICMM13559"]
    assert (jc["name"], jc.iso3, jc.node_kind, jc.kind, jc.stages) == (
        "Jinchang smelter",
        "CHN",
        "Facility",
        "refinery",
        "refining;smelting",
    )
    assert "Jinchuan Mine" in jc.alt_names.split(";")
    assert not t["name"].str.contains("\u00c3").any()  # mojibake repaired


@pytest.mark.shared
def test_real_file_in_scope(shared, crosswalk):
    r = icmm.load_icmm(shared, crosswalk, countries=SCOPE)
    ex = r.excluded.reason
    # 8,508 rows minus United States 1,627, China 1,839, Canada 197, Mexico 136 (PROVENANCE)
    assert ex.str.startswith("outside the countries in scope").sum() == 4709
    assert ex.str.startswith("steel plant").sum() == 5  # Steel Plant rows: USA 1, CAN 2, MEX 2
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (732, 7776, 0)
    assert set(r.table.iso3) == SCOPE
    assert set(pd.Series(r.table.kind).unique()) <= {
        "mine",
        "smelter",
        "refinery",
        "concentrator",
        "metal_alloy_plant",
    }


def test_ragged_rows_extra_cells_and_typed_cells(tmp_path, crosswalk, monkeypatch):
    # Rows as _read_sheet gives them, of any length: a short row's missing cells are empty,
    # a value beyond the header rejects its row, and the memoised cells 1 and True read
    # differently (column-wise reading, per-value memos).
    header = [*HEADER[:2], "Mine Name", *HEADER[3:], "", ""]
    mp = ROWS[0]
    rows = [
        mp[:9],  # short: no Secondary / Other Commodities cells
        (*ROWS[4], None, "x"),  # a value beyond the header
        (*ROWS[7], "  ", None),  # blank beyond the header: fine
        ("ICMM1", *mp[1:9], 1, None),  # 'Secondary Commodity' 1
        ("ICMM2", *mp[1:9], True),  # True: another name than 1
    ]
    (tmp_path / icmm.FILE).parent.mkdir(parents=True)
    (tmp_path / icmm.FILE).write_bytes(b"")  # only needs to exist: _read_sheet is replaced
    monkeypatch.setattr(icmm, "_read_sheet", lambda path, file: (header, rows))
    r = icmm.load_icmm(tmp_path, crosswalk)
    assert sorted(r.loaded_rows) == [1, 3, 4, 5]
    assert r.table.set_index("row").loc[1, "raw_commodities"] == "lanthanides"
    assert list(r.rejects.row) == [2] and r.rejects.iloc[0]["value"] == "x"
    assert r.rejects.iloc[0]["reason"].startswith("1 value(s) in columns without a header")
    assert list(zip(r.cell_rejects.row, r.cell_rejects.value, strict=True)) == [(4, "1"), (5, "True")]


def test_cleaned_is_clean_text():
    from minerals_graph.sources._common import clean_text

    cells = ("  a\u00a0 b\t", "\u3000x\u2009y\n", "", " ", "ICMM00026", None, 1, 1.0, True, float("nan"), 2.5)
    assert icmm._cleaned(cells) == [clean_text(c) for c in cells]
    assert icmm._columns([(1, 2), (3,), ()], 3) == [(1, 3, None), (2, None, None), (None, None, None)]
    assert icmm._columns([], 2) == [(), ()]
