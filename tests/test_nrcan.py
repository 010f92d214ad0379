import pytest

from minerals_graph.errors import SourceFormatError
from minerals_graph.matching import RECORD_COLUMNS
from minerals_graph.sources import nrcan

HEADER = [
    "Operation Group",
    "Property Name",
    "Operator Owners",
    "Province/Territory",
    "Commodities",
    "Development Stage",
    "Activity Status",
    "Latitude",
    "Longitude",
    "Website",
    "Unique identifier",
]
ROWS = [
    # 1 loaded; U+00A0 after 'Vale S.A.'
    [
        "Processing",
        "Long Harbour",
        "Vale S.A.\u00a0",
        "Newfoundland and Labrador",
        "Nickel, copper, cobalt",
        "Refinery",
        "Active",
        "47.410938",
        "-53.811792",
        "https://vale.com",
        "11",
    ],
    # 2 iron ore pellets only: excluded
    [
        "Processing",
        "Carol Lake",
        "Iron Ore Company of Canada Inc.",
        "Newfoundland and Labrador",
        "High-purity iron ore pellets (direct reduction grade)",
        "Pelletizing plant",
        "Active",
        "52.95872",
        "-66.89277",
        "https://www.riotinto.com",
        "12",
    ],
    # 3 loaded; 'Rio Tinto Group.' with a full stop, several owners
    [
        "Processing",
        "Alouette",
        "Rio Tinto Group. / Aluminium Austria Metall Québec Inc. / Marubeni Québec Inc.",
        "Quebec",
        "Aluminum (pure)",
        "Smelter",
        "Active",
        "50.2",
        "-66.4",
        "https://www.alouette.com",
        "83",
    ],
    # 4 loaded; trailing space in the name, combined plant type, commas inside parentheses
    [
        "Processing",
        "Copper Cliff Complex ",
        "Vale S.A.\u00a0",
        "Ontario",
        "Nickel (oxide sinter, pellets, powder, sulfide), copper cathodes, "
        "platinum group metals (in residues), "
        "sulfuric acid",
        "Smelter, refinery, plant",
        "Active",
        "46.47",
        "-81.06",
        "https://vale.com",
        "151",
    ],
    # 5 unreadable latitude: rejected
    [
        "Processing",
        "Broken",
        "Nobody",
        "Ontario",
        "Cobalt",
        "Refinery",
        "Active",
        "",
        "-80.0",
        "",
        "200",
    ],
    # 6 loaded; uranium conversion
    [
        "Processing",
        "Port Hope",
        "Cameco Corporation",
        "Ontario",
        "Uranium (hexafluoride, dioxide, metals, alloys)",
        "Conversion facility",
        "Active",
        "43.94",
        "-78.29",
        "https://www.cameco.com",
        "146",
    ],
    # 7 loaded; an unknown product is listed in cell_rejects
    [
        "Processing",
        "CCR",
        "Glencore Canada Corporation",
        "Quebec",
        "Copper (cathodes), unobtainium, tellurium",
        "Refinery",
        "Active",
        "45.65",
        "-73.49",
        "https://www.glencore.ca",
        "96",
    ],
]


def _write(tmp_path, rows=ROWS, header=HEADER):
    lines = [",".join(f'"{v}"' for v in r) for r in [header, *rows]]
    path = tmp_path / nrcan.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\n".join(lines).encode("utf-8"))  # every field quoted, no final newline
    return tmp_path


def test_fates_and_values(tmp_path, crosswalk):
    r = nrcan.load_nrcan(_write(tmp_path), crosswalk, countries={"USA", "CAN", "MEX", "CHN"})
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (7, 5, 1, 1)
    assert list(r.table.columns) == RECORD_COLUMNS
    assert list(r.excluded.reason) == ["no commodity in scope (iron_ore)"]
    assert (r.rejects.iloc[0]["row"], r.rejects.iloc[0]["field"]) == (5, "Latitude/Longitude")
    t = r.table.set_index("record_id")
    lh = t.loc["11"]
    assert (lh["name"], lh.operator, lh.iso3, lh.admin1) == (
        "Long Harbour",
        "Vale S.A.",
        "CAN",
        "Newfoundland and Labrador",
    )
    assert (lh.node_kind, lh.kind, lh.stages, lh.commodities) == (
        "Facility",
        "refinery",
        "refining",
        "nickel;copper;cobalt",
    )
    assert (lh.lon, lh.lat, lh.status, lh.url) == (-53.811792, 47.410938, "operating", nrcan.URL)
    assert lh.note == "Development Stage: Refinery; website: https://vale.com"
    assert t.loc["83", "operator"] == "Rio Tinto Group / Aluminium Austria Metall Québec Inc. / Marubeni Québec Inc."
    cc = t.loc["151"]
    assert (cc["name"], cc.kind, cc.stages) == (
        "Copper Cliff Complex",
        "refinery",
        "refining;concentrating;smelting",
    )
    assert cc.commodities == "nickel;copper;platinum_group_metals;sulfur"
    assert cc.raw_commodities.split(";")[0] == "Nickel (oxide sinter, pellets, powder, sulfide)"
    assert (t.loc["146", "kind"], t.loc["146", "commodities"]) == ("processing_plant", "uranium")
    assert t.loc["96", "commodities"] == "copper;tellurium"
    assert list(r.cell_rejects.value) == ["unobtainium"]
    assert r.source.year == 2026 and r.source.licence == "Open Government Licence – Canada"


def test_countries_without_canada_exclude_everything_valid(tmp_path, crosswalk):
    r = nrcan.load_nrcan(_write(tmp_path), crosswalk, countries={"USA"})
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (0, 6, 1)
    assert set(r.excluded.reason) == {"outside the countries in scope (CAN)"}
    assert list(r.table.columns) == RECORD_COLUMNS


def test_duplicate_id_and_missing_column(tmp_path, crosswalk):
    r = nrcan.load_nrcan(_write(tmp_path, rows=[ROWS[0], ROWS[0]]), crosswalk)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    with pytest.raises(SourceFormatError, match="Commodities"):
        nrcan.load_nrcan(_write(tmp_path / "b", rows=[], header=HEADER[:4]), crosswalk)


def test_helpers():
    assert nrcan.split_products("Uranium (hexafluoride, dioxide), gold ") == [
        "Uranium (hexafluoride, dioxide)",
        "gold",
    ]
    assert nrcan.clean_operator("Rio Tinto Group. / Vale S.A.\u00a0") == "Rio Tinto Group / Vale S.A."
    assert nrcan.clean_operator("Real Alloy Canada Ltd.") == "Real Alloy Canada Ltd."


@pytest.mark.shared
def test_real_file(shared, crosswalk):
    r = nrcan.load_nrcan(shared, crosswalk)
    assert r.rows_read == 31
    assert r.rows_loaded + r.rows_excluded + r.rows_rejected == 31
    assert r.rows_rejected == 0 and r.cell_rejects.empty  # every product and plant type is known
    t = r.table.set_index("record_id")
    ccr = t.loc["96"]
    assert (ccr["name"], ccr.admin1, ccr.kind, ccr.operator) == (
        "CCR",
        "Quebec",
        "refinery",
        "Glencore Canada Corporation",
    )
    assert {"copper", "tellurium", "selenium", "platinum_group_metals"} <= set(ccr.commodities.split(";"))
    assert set(t.operator[t.operator.str.startswith("Vale")]) == {"Vale S.A."}
    assert t.loc["83", "operator"].startswith("Rio Tinto Group / ")
    assert t.loc["151", "name"] == "Copper Cliff Complex"
    assert set(t.status) == {"operating"} and set(t.iso3) == {"CAN"}


@pytest.mark.shared
def test_real_file_in_scope(shared, crosswalk):
    r = nrcan.load_nrcan(shared, crosswalk, countries={"USA", "CAN", "MEX", "CHN"})
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (27, 4, 0)
    # Carol Lake, Port-Cartier (iron ore pellets), Bécancour Silicon (silicon), Baymag (MgO)
    assert sorted(r.excluded.row) == [2, 4, 14, 29]  # data rows (file lines 3, 5, 15, 30)
