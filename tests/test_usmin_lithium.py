import pytest
from tests.conftest import write

from minerals_graph.sources import usmin_lithium as li


def test_references_are_read_as_cp1252(tmp_path):
    write(
        tmp_path / li.FOLDER / "References.csv",
        "OBJECTID *,Ref_ID,Reference,Last_Updt\n"
        "1,Smith (2018),\u201cLithium brines\u201d \u2013 S\u00e1nchez,2019-01-01\n"
        "2,<Null>,nothing,2019-01-01\n",
        encoding="cp1252",
    )
    r = li.load_references(tmp_path)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 1, 1)
    assert r.table.iloc[0].reference == "\u201cLithium brines\u201d \u2013 S\u00e1nchez"


def test_points_keep_arcgis_column_names(tmp_path):
    write(
        tmp_path / li.FOLDER / "Loc_Pt.csv",
        "OBJECTID *,Shape *,Site_ID *,Ftr_ID *,Ftr_Name,Ftr_Type,Commodity,Lat_WGS84,Long_WGS84,State,County,Ref_ID\n"
        '1,Point,AR00002,Mf00293,"Smackover-Lanxess, BSW-4S",Well,bromine,33.12798,-92.6481,AR,Union,X (2018)\n'
        "2,Point,AR00003,Mf00294,Bad,Well,lithium,<Null>,-92.6,AR,Union,<Null>\n",
    )
    r = li.load_points(tmp_path)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 1, 1)
    p = r.table.iloc[0]
    assert (p.ftr_id, p.kind, p.lat, p.lon) == ("Mf00293", "well", 33.12798, -92.6481)


@pytest.mark.shared
def test_real_lithium_tables(shared):
    assert li.load_sites(shared).rows_loaded == 21
    assert li.load_points(shared).rows_read == 61
    refs = li.load_references(shared)
    assert refs.rows_read == 84 and refs.rows_rejected == 0
