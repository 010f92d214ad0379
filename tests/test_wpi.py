import pandas as pd
import pytest
from tests.conftest import write

from minerals_graph.errors import SourceFormatError
from minerals_graph.sources import wpi

HEADER = (
    "OID_,World Port Index Number,Region Name,Main Port Name,Alternate Port Name,UN/LOCODE,"
    "Country Code,Harbor Size,Harbor Type,Facilities - Solid Bulk,Facilities - Container,"
    "Facilities - Breakbulk,Channel Depth (m),Cargo Pier Depth (m),Maximum Vessel Draft (m),"
    "Latitude,Longitude\n"
)


def _file(tmp_path, body):
    return write(tmp_path / wpi.FILE, HEADER + body, bom=True)


def test_small_file_in_the_published_format(tmp_path, crosswalk):
    _file(
        tmp_path,
        "1,7950.0,US East,Maurer, ,US BAL,United States,Small,Coastal,Yes,No,Unknown,11.0,0.0,0.0,"
        "40.533333,-74.25\n"
        "2,400.0,Iceland,Seydhisfjordhur, ,IS SEY,Iceland,Small, ,Unknown,Unknown,Unknown,0,0,0,65.26,-14.0\n"
        "3,400.0,Iceland,Seydisfjordur, ,ISSEY,Iceland, , ,Unknown,Unknown,Unknown,0,0,0,65.26,-14.0\n"
        "4,123.0,Asia,Victoria, ,HK HKG,Hong Kong,Large, ,Yes,Yes,Yes,14,12,12,22.28,114.16\n"
        "5,124.0,Nowhere,Ghost, , ,Atlantis,Small, ,No,No,No,0,0,0,1,1\n"
        "6,125.0,Asia,Bad, , ,China,Small, ,No,No,No,0,0,0,95,1\n",
    )
    r = wpi.load_ports(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (6, 3, 3)
    t = r.table.set_index("wpi_number")
    assert t.loc[7950, "unlocode"] == "USBAL" and t.loc[7950, "iso3"] == "USA"
    assert t.loc[7950, "alt_name"] == ""  # a single-space cell is empty
    assert t.loc[7950, "channel_depth_m"] == 11.0
    assert pd.isna(t.loc[7950, "cargo_pier_depth_m"])  # 0.0 means unknown in the WPI
    assert t.loc[123, "iso3"] == "CHN" and t.loc[123, "admin"] == "Hong Kong"
    reasons = " | ".join(r.rejects["reason"])
    assert "true duplicate: a copy of row 2 (same port, same place); the first row is kept" in reasons
    assert "'Atlantis' is not in the crosswalk" in reasons
    assert "outside -90..90" in reasons


def test_missing_column_is_a_clear_error(tmp_path, crosswalk):
    write(tmp_path / wpi.FILE, "OID_,Main Port Name\n1,X\n", bom=True)
    with pytest.raises(SourceFormatError, match=r"row 0, field 'World Port Index Number.*expected World Port"):
        wpi.load_ports(tmp_path, crosswalk)


@pytest.mark.shared
def test_real_world_port_index(shared, crosswalk):
    r = wpi.load_ports(shared, crosswalk)
    assert r.rows_read == 3802
    assert r.rows_rejected == 4  # four repeated WPI numbers
    why = dict(zip(r.rejects["row"], r.rejects["reason"], strict=True))
    # two true duplicates (Machilipatnam, Seydisfjordur): only the copy is rejected
    assert why[1198].startswith("true duplicate: a copy of row 30")
    assert why[3345].startswith("true duplicate: a copy of row 2888")
    # two numbers that name another port (Kattupalli under Kamarajar's, Puerto Progreso under Progreso's)
    assert why[1196].startswith("number already used by row 1184 for another port (Kamarajar Port)")
    assert why[1334].startswith("number already used by row 752 for another port (Progreso)")
    counts = r.table["iso3"].value_counts()
    # Mexico has 35 rows, one of them Progreso repeated under number 9510
    assert counts["USA"] == 666 and counts["CAN"] == 284 and counts["MEX"] == 34
    assert counts["CHN"] >= 66  # China's 66 plus Hong Kong and Macau folded in


def test_columns_cleaned_at_once_as_clean_text_cleans_each_cell():
    from minerals_graph.sources._common import clean_text

    cells = ("", " ", "  a  b ", "\xa0x\xa0y", "x\ty\n", "\u2003z\u3000", "plain", " ", "", "a\x1cb")
    assert wpi._clean_column(cells) == [clean_text(c) for c in cells]
    assert wpi._clean_column(()) == []
    # a NUL in a cell (the separator of the joined column): cleaned a cell at a time
    with_nul = (" a\x00b ", "c  d", "\x00")
    assert wpi._clean_column(with_nul) == [clean_text(c) for c in with_nul]


def test_no_port_loaded_gives_an_empty_table(tmp_path, crosswalk):
    _file(tmp_path, "1,x,Nowhere,Ghost, , ,Atlantis,Small, ,No,No,No,0,0,0,1,1\n")
    r = wpi.load_ports(tmp_path, crosswalk)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (1, 0, 1)
    assert r.table.shape == (0, 0)  # as pd.DataFrame.from_records([]) gives it
