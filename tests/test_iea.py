"""IEA Critical Minerals Data Explorer loaders: small files in the exact published formats,
and hand-read values of the real files."""

import csv
import json

import pytest
from tests.conftest import write

from minerals_graph import settings
from minerals_graph.sources import iea

FOLDER = iea.FOLDER


def _workbook(path):
    """The supply sheet's block layout (values from the May 2024 workbook, two minerals)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet(iea.SUPPLY_SHEET)
    ws["A2"] = "Total supply for key energy transition minerals, base case (kt)"
    for col0 in (2, 8):  # B and H
        for k, y in enumerate((2023, 2030, 2035, 2040)):
            ws.cell(row=4, column=col0 + k, value=y)
    rows = [
        (6, ("Cobalt - Mining",), ("Cobalt - Refining",)),
        (7, ("Democratic Republic of Congo", 157, 215, 170.7, 134.7), ("China", 171.7, 230.8, 228.4, 228.4)),
        (8, ("Indonesia", 19.6, 49.7, 50.2, 46.8), ("Finland", 18.8, 19.9, 19.7, 19.7)),
        (9, (None,), ("Atlantis", 1, 1, 1, 1)),
        (10, ("Rest of world", 47.900000000000034, 47.0, 35.5, 30.1), ("Rest of world", 33.3, "n/a", 33.1, 32.6)),
        (11, ("Total", 224.5, 311.7, 256.4, 211.6), ("Total clean technologies", 223.8, 312.9, 306.6, 304.7)),
        (12, ("Top 3 share", 0.96, 0.9, 0.9, 0.9), ("Top 3 share", 0.88, 0.84, 0.85, 0.85)),
        (14, ("Graphite - Mining (natural)",), ("Graphite - Battery grade",)),
        (15, ("China", 1320, 1905, 2150, 2160), ("China", 1851.9, 5124.7, 6911.7, 6891.5)),
        (16, ("Rest of world", 297.3, 836.9, 847.6, 892.2), ("Rest of world", 185.3, 356.7, 555.2, 589.1)),
        (17, ("Total", 1617.3, 2741.9, 2997.6, 3052.2), ("Total", 2037.2, 5481.4, 7466.9, 7480.6)),
        (19, ("Notes: Supply projections are built from the project pipeline.",), (None,)),
    ]
    for r, left, right in rows:
        for k, v in enumerate(left):
            ws.cell(row=r, column=1 + k, value=v)
        for k, v in enumerate(right):
            ws.cell(row=r, column=7 + k, value=v)
    wb.create_sheet("1 Total demand for key minerals")["B2"] = 123.0
    wb.save(path)


def test_workbook_block_layout_every_line_accounted(tmp_path, crosswalk):
    path = tmp_path / FOLDER / iea.WORKBOOK
    path.parent.mkdir(parents=True)
    _workbook(path)
    r = iea.load_supply_workbook(tmp_path, crosswalk)
    # lines: title 1, year headers 2, block headers 4, country/aggregate lines 15 (cobalt 4 + 5,
    # one of them Atlantis; graphite 3 + 3), Top 3 share 2, note 1 = 25
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (25, 14, 10, 1)
    assert r.rejects.iloc[0]["value"] == "Atlantis" and "crosswalk" in r.rejects.iloc[0]["reason"]
    top3 = r.excluded[r.excluded.reason.str.contains("Top 3 share")]
    assert len(top3) == 2 and set(top3.reason.str[:3]) == {"A12", "G12"}
    # the non-number 2030 cell of refining 'Rest of world' is a cell reject, the line loads
    [cell] = r.cell_rejects.to_dict("records")
    assert cell["field"] == "2030" and cell["value"] == "n/a" and cell["reason"].startswith("I10")
    t = r.table.set_index(["mineral", "stage", "country_iso3", "year"])
    assert t.loc[("cobalt", "refining", "CHN", 2023), "kt"] == 171.7
    assert t.loc[("cobalt", "refining", "WLD", 2023), "block"] == "Cobalt - Refining"
    assert t.loc[("cobalt", "mining", "COD", 2023), "kt"] == 157.0
    assert t.loc[("cobalt", "mining", "ROW", 2023), "kt"] == 47.9  # float noise rounded off
    gr = t.loc[("graphite", "refining", "CHN", 2023)]
    assert gr.block == "Graphite - Battery grade" and gr.scope == "battery-grade graphite"
    assert t.loc[("graphite", "mining", "CHN", 2023), "scope"] == "natural graphite"
    assert not t.loc[("graphite", "refining", "CHN", 2023), "projection"]
    assert t.loc[("graphite", "refining", "CHN", 2030), "projection"]
    assert set(r.table.edition) == {iea.EDITION_2024} and set(r.table.base_year) == {2023}


def test_processing_share_rows_from_the_workbook(tmp_path, crosswalk):
    path = tmp_path / FOLDER / iea.WORKBOOK
    path.parent.mkdir(parents=True)
    _workbook(path)
    sh = iea.processing_share_rows(iea.load_supply_workbook(tmp_path, crosswalk))
    co = sh[sh.mineral == "cobalt"].set_index("country_iso3")
    # 171.7 / 223.8 = 76.72 %; 18.8 / 223.8 = 8.40 %; 33.3 / 223.8 = 14.88 %
    assert co.share_pct.to_dict() == {"CHN": 76.7, "ROW": 14.9, "FIN": 8.4}
    assert set(co.year) == {2023} and set(co.stage) == {"refining"} and co.loc["CHN", "total_kt"] == 223.8
    gr = sh[sh.mineral == "graphite"].set_index("country_iso3")
    assert gr.loc["CHN", "share_pct"] == round(100 * 1851.9 / 2037.2, 1) == 90.9
    assert list(sh.columns) == iea.SHARE_COLUMNS


SMALL_JSON = {
    "source": "IEA Critical Minerals Data Explorer (2024), CC BY 4.0",
    "totalDemand": {"Copper": {}},
    "supply": {
        "Rare Earth Elements": {
            "mining": {
                "countries": {
                    "China": {"2024": 45.78735, "2030": 51.2},
                    "Rest of world": {"2024": 29.31144, "2030": 49.1},
                    "Notes: Supply projections for the key energy transition minerals are built using the data "
                    "for the pipeline of operating and announced mining and refining projects by country.": {
                        "2024": None,
                        "2030": None,
                    },
                },
                "total": {"2024": 75.09879, "2030": 100.3},
                "top3Share": {"2024": 0.86, "2030": 0.74},
            },
            "refining": {
                "countries": {
                    "China": {"2024": 73.75667016860831, "2030": 81.1},
                    "Malaysia": {"2024": 3.62523562207358, "2030": None},
                    "Rest of world": {"2024": 3.4232, "2030": 15.5},
                },
                "total": {"2024": 80.80512702814008, "2030": 106.7},
                "top3Share": {"2024": 0.97, "2030": 0.92},
            },
        }
    },
}


def test_json_conversion_rejects_note_sentences_posing_as_countries(tmp_path, crosswalk):
    write(tmp_path / FOLDER / iea.JSON_FILE, json.dumps(SMALL_JSON, ensure_ascii=False))
    r = iea.load_supply_json(tmp_path, crosswalk)
    # mining: 3 countries + total + top3Share; refining: 3 + total + top3Share
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (10, 7, 2, 1)
    assert "converter defect" in r.rejects.iloc[0]["reason"]
    assert r.rejects.iloc[0]["value"].startswith("Notes: Supply projections")
    [cell] = r.cell_rejects.to_dict("records")  # Malaysia 2030 = null
    assert cell["field"] == "2030" and "Malaysia" in cell["reason"]
    t = r.table.set_index(["stage", "country_iso3", "year"])
    assert t.loc[("refining", "WLD", 2024), "kt"] == 80.805127
    assert set(r.table.scope) == {"magnet rare earths (Nd, Pr, Dy, Tb)"}
    assert set(r.table.edition) == {iea.EDITION_2025} and set(r.table.base_year) == {2024}
    sh = iea.processing_share_rows(r).set_index("country_iso3")
    assert sh.share_pct.to_dict() == {"CHN": 91.3, "MYS": 4.5, "ROW": 4.2}
    assert set(sh.stage) == {"separation"} and set(sh.iea_stage) == {"refining"}


def test_json_not_an_object_is_a_format_error(tmp_path, crosswalk):
    from minerals_graph.errors import SourceFormatError

    write(tmp_path / FOLDER / iea.JSON_FILE, "[1, 2]")
    with pytest.raises(SourceFormatError, match="supply"):
        iea.load_supply_json(tmp_path, crosswalk)


# ---------------------------------------------------------------------------------------
# Real files


@pytest.mark.shared
def test_real_workbook_hand_read_values(shared, crosswalk):
    r = iea.load_supply_workbook(shared, crosswalk)
    assert r.rows_rejected == 0 and len(r.cell_rejects) == 0
    assert r.rows_loaded == 85  # 6 minerals x 2 blocks: named countries + Rest of world + Total
    t = r.table.set_index(["mineral", "stage", "country_iso3", "year"])
    assert t.loc[("cobalt", "refining", "CHN", 2023), "kt"] == 171.7
    assert t.loc[("cobalt", "refining", "WLD", 2023), "kt"] == 223.8
    assert t.loc[("copper", "refining", "CHN", 2023), "kt"] == 11547.0
    assert t.loc[("graphite", "refining", "CHN", 2023), "kt"] == 1851.9
    assert t.loc[("rare_earths", "refining", "CHN", 2023), "kt"] == 70.3
    sh = iea.processing_share_rows(r).set_index(["mineral", "country_iso3"])
    assert sh.loc[("cobalt", "CHN"), "share_pct"] == 76.7
    assert sh.loc[("rare_earths", "CHN"), "share_pct"] == 92.1


@pytest.mark.shared
def test_real_workbook_sheets_not_read_have_reasons(shared):
    from openpyxl import load_workbook

    wb = load_workbook(shared / FOLDER / iea.WORKBOOK, read_only=True)
    assert set(wb.sheetnames) - {iea.SUPPLY_SHEET} == {k for k in iea.NOT_READ if not k.startswith("iea.json")}
    data = json.loads((shared / FOLDER / iea.JSON_FILE).read_text(encoding="utf-8"))
    assert set(data) - {"supply"} == {k.split(":", 1)[1] for k in iea.NOT_READ if k.startswith("iea.json")}


@pytest.mark.shared
def test_real_json_hand_read_values(shared, crosswalk):
    r = iea.load_supply_json(shared, crosswalk)
    assert r.rows_rejected == 2 and set(r.rejects.reason.str[:17]) == {"converter defect:"}
    t = r.table.set_index(["mineral", "stage", "country_iso3", "year"])
    assert round(t.loc[("graphite", "refining", "CHN", 2024), "kt"], 1) == 1794.8
    assert round(t.loc[("graphite", "refining", "WLD", 2024), "kt"], 1) == 1875.3
    sh = iea.processing_share_rows(r).set_index(["mineral", "country_iso3"])
    assert sh.loc[("graphite", "CHN"), "share_pct"] == 95.7
    assert sh.loc[("cobalt", "CHN"), "share_pct"] == 78.4
    assert set(sh.reset_index().year) == {2024}


@pytest.mark.shared
def test_processing_shares_csv_iea_rows_reproduce_from_the_files(shared, crosswalk):
    """Every IEA row of data/processing_shares.csv is what processing_share_rows gives."""
    rows = list(csv.DictReader((settings.DATA_DIR / "processing_shares.csv").open(encoding="utf-8-sig")))
    ours = {
        (r["commodity"], r["stage"], r["country_iso3"], int(r["year"])): float(r["share_pct"])
        for r in rows
        if "critical-minerals-data-explorer" in r["source_url"]
    }
    expected = {}
    for res in (iea.load_supply_workbook(shared, crosswalk), iea.load_supply_json(shared, crosswalk)):
        for r in iea.processing_share_rows(res).itertuples(index=False):
            if r.share_pct > 0:
                expected[(r.mineral, r.stage, r.country_iso3, r.year)] = r.share_pct
    assert ours == expected
    assert {k[0] for k in ours} == {"copper", "cobalt", "lithium", "nickel", "graphite", "rare_earths"}
    assert {k[3] for k in ours} == {2023, 2024}
