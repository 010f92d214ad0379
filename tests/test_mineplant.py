import pytest
from tests.conftest import write

from minerals_graph.sources import mineplant


def test_small_file(tmp_path):
    write(
        tmp_path / mineplant.FILE,
        "id,COMMODITY,SITE_NAME,COMPANY_NA,STATE_LOCA,COUNTY,LATITUDE,LONGITUDE,PLANT_MIN\n"
        '1,Aluminum,"Evansville (Warrick) Smelter","Alcoa Inc",Indiana,Warrick,37.915,-87.336,P\n'
        "2,Sand and Gravel,Pit,Co,Ohio,X,40.0,-83.0,M\n"
        "3,Unobtainium,Y,Co,Ohio,X,40.0,-83.0,M\n"
        "4,Cobalt,,Co,WV,X,40.0,-80.0,M\n",
    )
    r = mineplant.load_mineplants(tmp_path)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (4, 1, 1, 2)
    row = r.table.iloc[0]
    assert (row.commodity, row.node_kind, row.kind) == ("aluminum", "Facility", "processing_plant")


@pytest.mark.shared
def test_real_mineplant_accounting(shared):
    r = mineplant.load_mineplants(shared)
    assert r.rows_read == 6785
    assert r.rows_excluded == 2829 + 2190 + 154 + 262  # construction materials
    assert r.rows_loaded + r.rows_excluded + r.rows_rejected == r.rows_read
