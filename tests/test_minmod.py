import json

import pandas as pd
import pytest

from minerals_graph.errors import SourceFormatError
from minerals_graph.matching import RECORD_COLUMNS
from minerals_graph.sources import minmod

SRC = "UMN Matching System v1"
URI = {
    "usgs-major-deposits": "https://mrdata.usgs.gov/major-deposits",
    "usgs-ree": "https://mrdata.usgs.gov/ree",
    "usgs-pp1802": "https://mrdata.usgs.gov/pp1802",
}
SCOPE = {"USA", "CAN", "MEX", "CHN"}
REE15 = [
    "Lanthanum",
    "Praseodymium",
    "Samarium",
    "Gadolinium",
    "Thulium",
    "Holmium",
    "Cerium",
    "Europium",
    "Yttrium",
    "Ytterbium",
    "Erbium",
    "Neodymium",
    "Terbium",
    "Dysprosium",
    "Lutetium",
]


def _record(dataset, rid, name, country, point, commodities, state=None, dtype=None):
    """One record in the exact MinMod structure of the shared files."""
    uri = URI[dataset]
    loc = {
        "country": [
            {
                "source": SRC,
                "confidence": 1.0,
                "observed_name": country,
                "normalized_uri": "https://minmod.isi.edu/resource/Q1235",
            }
        ]
    }
    if state:
        loc["state_or_province"] = [
            {
                "source": SRC,
                "confidence": 1.0,
                "observed_name": state,
                "normalized_uri": "https://minmod.isi.edu/resource/Q6876",
            }
        ]
    if point is not None:
        loc["crs"] = {
            "source": SRC,
            "confidence": 1.0,
            "observed_name": "EPSG:4326",
            "normalized_uri": "https://minmod.isi.edu/resource/Q701",
        }
        loc["location"] = point
    rec = {"source_id": uri, "record_id": rid, "name": name, "location_info": loc}
    if dtype:
        rec["deposit_type_candidate"] = [{"source": SRC, "confidence": 1.0, "observed_name": dtype}]
    rec["mineral_inventory"] = [
        {
            "reference": {"document": {"uri": uri}},
            "commodity": {
                "source": SRC,
                "confidence": 1.0,
                "observed_name": c,
                "normalized_uri": "https://minmod.isi.edu/resource/Q506",
            },
        }
        for c in commodities
    ]
    rec["reference"] = [{"document": {"uri": uri}}]
    rec["created_by"] = "https://minmod.isi.edu/users/s/umn"
    rec["modified_at"] = "2024-09-20T00:00:00Z"
    return rec


def _write(tmp_path, dataset, name, records):
    rel = f"{minmod.FOLDER}/{minmod.SETS[dataset]}/{name}"
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    return rel


MAJOR = [
    # 1 loaded: REE + Ba, California
    _record(
        "usgs-major-deposits",
        "641",
        "Mountain Pass",
        "United States",
        "POINT (-115.533 35.483)",
        ["REE", "Ba"],
        state="California",
        dtype="Igneous",
    ),
    # 2 no location: rejected
    _record(
        "usgs-major-deposits",
        "794",
        "Carlsbad Potash District",
        "United States",
        None,
        ["potash"],
        state="New Mexico",
        dtype="Sedimentary",
    ),
    # 3 the mis-decoded Côte d'Ivoire, manganese: loaded with countries=None, outside SCOPE
    _record(
        "usgs-major-deposits",
        "1500",
        "Mokta",
        "C\u00f4te D\u0092Ivoire",
        "POINT (-5.4 6.1)",
        ["Mn"],
        dtype="Sedimentary",
    ),
    # 4 a country that is not one ISO3 code: rejected
    _record("usgs-major-deposits", "1600", "Musan", "Korean Peninsula", "POINT (129.2 42.2)", ["Fe"]),
    # 5 gold only: excluded
    _record(
        "usgs-major-deposits",
        "540",
        "Rochester",
        "United States",
        "POINT (-118.15 40.28)",
        ["Ag", "Au"],
        state="Nevada",
        dtype="Hydrothermal",
    ),
    # 6 unreadable WKT: rejected
    _record("usgs-major-deposits", "1700", "Broken", "Canada", "POINT (abc def)", ["Ni"]),
    # 7 loaded: Canada, PGE + Ni + Cu, plus an unknown mineral name
    _record(
        "usgs-major-deposits",
        "995",
        "Copper Cliff",
        "Canada",
        "POINT (-81.06 46.47)",
        ["Ni", "Cu", "PGE", "kryptonite"],
        dtype="Igneous",
    ),
]


def test_major_deposits_file(tmp_path, crosswalk):
    rel = _write(tmp_path, "usgs-major-deposits", "b000.json", MAJOR)
    r = minmod.load_minmod_file(tmp_path, crosswalk, rel, dataset="usgs-major-deposits", countries=SCOPE)
    assert r.file == "usgs_mineral_sites_minmod/umn_mrdata_major_deposits/b000.json"
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (7, 2, 2, 3)
    assert list(r.table.columns) == RECORD_COLUMNS
    rej = r.rejects.set_index("row")
    assert (rej.loc[2, "field"], rej.loc[2, "reason"]) == ("location_info.location", "no location")
    assert rej.loc[4, "field"] == "location_info.country" and "one ISO3 code" in rej.loc[4, "reason"]
    assert rej.loc[6, "value"] == "POINT (abc def)"
    ex = dict(zip(r.excluded.row, r.excluded.reason, strict=True))
    assert ex == {
        3: "outside the countries in scope (CIV)",
        5: "no commodity in scope (silver;gold)",
    }
    t = r.table.set_index("record_id")
    mp = t.loc["641"]
    assert (mp["name"], mp.iso3, mp.admin1, mp.lon, mp.lat) == (
        "Mountain Pass",
        "USA",
        "California",
        -115.533,
        35.483,
    )
    assert (mp.node_kind, mp.kind, mp.stages, mp.status) == ("Site", "deposit", "mining", "unknown")
    assert (mp.commodities, mp.raw_commodities) == ("rare_earths;barite", "REE;Ba")
    assert mp.url == "https://mrdata.usgs.gov/major-deposits/show-ofr20051294.php?rec_id=641"
    assert mp.note == "deposit type: Igneous" and mp.dataset == "usgs-major-deposits"
    assert t.loc["995", "commodities"] == "nickel;copper;platinum_group_metals"
    assert list(r.cell_rejects.value) == ["kryptonite"]
    assert r.source.year == 2005 and "Public domain" in r.source.licence


def test_repaired_country_loads_without_country_scope(tmp_path, crosswalk):
    rel = _write(tmp_path, "usgs-major-deposits", "b000.json", MAJOR)
    r = minmod.load_minmod_file(tmp_path, crosswalk, rel, dataset="usgs-major-deposits")
    assert r.table.set_index("record_id").loc["1500", "iso3"] == "CIV"
    assert (r.rows_loaded, r.rows_excluded, r.rows_rejected) == (3, 1, 3)


def test_ree_set_reads_the_15_elements_as_rare_earths(tmp_path, crosswalk):
    recs = [
        _record(
            "usgs-ree",
            "59",
            "Mountain Pass",
            "United States",
            "POINT (-115.53333333333 35.483333333333)",
            ["Pyrite", "Quartz", "Dolomite", *REE15, "Thorium"],
            state="California",
        ),
        _record("usgs-ree", "60", "Nowhere", "China", None, REE15),
    ]
    rel = _write(tmp_path, "usgs-ree", "b044.json", recs)
    r = minmod.load_minmod_file(tmp_path, crosswalk, rel, dataset="usgs-ree", countries=SCOPE)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 1, 1)
    row = r.table.iloc[0]
    assert row.commodities == "rare_earths;thorium"  # pyrite, quartz, dolomite: no schema commodity
    assert row.raw_commodities.startswith("Pyrite;Quartz;Dolomite;Lanthanum")
    assert "15 rare-earth elements" in row.note
    assert row.url == "https://mrdata.usgs.gov/ree/show-ree.php?rec_id=59"
    assert r.cell_rejects.empty


def test_pp1802_grouped_names_and_dataset_page(tmp_path, crosswalk):
    recs = [
        _record(
            "usgs-pp1802",
            "256",
            "Mount Wheeler",
            "United States",
            "POINT (-119.1168176 38.6776931001)",
            ["Niobium and Tantalum"],
            state="Nevada",
        ),
        _record(
            "usgs-pp1802",
            "257",
            "Puerto Rico site",
            "Puerto Rico",
            "POINT (-66.5 18.2)",
            ["Beryllium"],
        ),
        _record(
            "usgs-pp1802",
            "258",
            "Rhenium site",
            "United States",
            "POINT (-110.0 32.0)",
            ["Rhenium"],
        ),
    ]
    rel = _write(tmp_path, "usgs-pp1802", "b000.json", recs)
    r = minmod.load_minmod_file(tmp_path, crosswalk, rel, dataset="usgs-pp1802", countries=SCOPE)
    assert (r.rows_loaded, r.rows_excluded) == (1, 2)
    row = r.table.iloc[0]
    assert (row.commodities, row.url, row.admin1) == (
        "niobium;tantalum",
        "https://mrdata.usgs.gov/pp1802/",
        "Nevada",
    )
    assert set(r.excluded.reason) == {
        "outside the countries in scope (PRI)",
        "no commodity in scope (rhenium)",
    }


def test_load_minmod_one_result_per_file_and_repeated_ids(tmp_path, crosswalk):
    _write(tmp_path, "usgs-major-deposits", "b000.json", MAJOR[:1])
    _write(tmp_path, "usgs-major-deposits", "b001.json", [MAJOR[0], MAJOR[6]])
    results = minmod.load_minmod(tmp_path, crosswalk, datasets=["usgs-major-deposits"])
    assert [r.file for r in results] == [
        "usgs_mineral_sites_minmod/umn_mrdata_major_deposits/b000.json",
        "usgs_mineral_sites_minmod/umn_mrdata_major_deposits/b001.json",
    ]
    assert [(r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [
        (1, 1, 0),
        (2, 1, 1),
    ]
    assert results[1].rejects.iloc[0]["reason"] == "duplicate record_id in usgs-major-deposits"
    with pytest.raises(SourceFormatError, match="no bNNN.json"):
        minmod.load_minmod(tmp_path, crosswalk, datasets=["usgs-ree"])


def test_not_an_array(tmp_path, crosswalk):
    path = tmp_path / "x.json"
    path.write_text('{"record_id": "1"}', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="JSON array"):
        minmod.load_minmod_file(tmp_path, crosswalk, "x.json", dataset="usgs-ree")


def test_helpers():
    assert minmod.parse_point("POINT (141.9167 -12.6667)") == (141.9167, -12.6667)
    with pytest.raises(ValueError):
        minmod.parse_point("POINT EMPTY")
    assert minmod.map_commodity("Al") == ("bauxite",)
    assert minmod.map_commodity("PGE") == ("platinum_group_metals",)
    assert minmod.map_commodity("Zirconium and Hafnium") == ("zirconium", "hafnium")
    assert minmod.map_commodity("Neodymium") == ("neodymium",)
    assert minmod.map_commodity("Neodymium", "usgs-ree") == ("rare_earths",)
    assert minmod.map_commodity("Quartz") == ()
    assert minmod.map_commodity("Cobalt") == ("cobalt",)
    assert minmod.map_commodity("kryptonite") is None


@pytest.mark.shared
def test_real_files(shared, crosswalk):
    results = minmod.load_minmod(shared, crosswalk)
    by_set = {ds: [r for r in results if r.source.key == ds] for ds in minmod.SETS}
    assert {ds: len(rs) for ds, rs in by_set.items()} == {ds: 64 for ds in minmod.SETS}
    read = {ds: sum(r.rows_read for r in rs) for ds, rs in by_set.items()}
    assert read == {"usgs-major-deposits": 3168, "usgs-ree": 799, "usgs-pp1802": 410}
    for r in results:
        assert r.rows_loaded + r.rows_excluded + r.rows_rejected == r.rows_read
        assert r.cell_rejects.empty, r.cell_rejects  # every commodity name is mapped
    rejects = {ds: pd.concat([r.rejects for r in rs]) for ds, rs in by_set.items()}
    assert (rejects["usgs-major-deposits"].reason == "no location").sum() == 7
    # 221 REE records have no location: 219 rejected for it, 2 ('USSR') already for the country
    assert (rejects["usgs-ree"].reason == "no location").sum() == 219
    assert (rejects["usgs-ree"].value == "USSR").sum() == 2
    tables = {ds: pd.concat([r.table for r in rs]) for ds, rs in by_set.items()}
    major = tables["usgs-major-deposits"].set_index("record_id")
    assert (major.loc["641", "name"], major.loc["641", "admin1"]) == ("Mountain Pass", "California")
    assert major.loc["641", "commodities"] == "rare_earths;barite"
    civ = tables["usgs-major-deposits"]
    assert (civ.iso3 == "CIV").sum() >= 1  # the repaired Côte d'Ivoire name maps
    assert tables["usgs-pp1802"].set_index("record_id").loc["1836", "name"] == "Mountain Pass"


@pytest.mark.shared
def test_real_files_in_scope(shared, crosswalk):
    results = minmod.load_minmod(shared, crosswalk, countries=SCOPE)
    table = pd.concat([r.table for r in results])
    assert set(table.iso3) <= SCOPE
    counts = {}
    for r in results:
        c = counts.setdefault(r.source.key, [0, 0, 0, 0])
        for j, n in enumerate((r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected)):
            c[j] += n
    assert counts == {
        "usgs-major-deposits": [3168, 347, 2804, 17],
        "usgs-ree": [799, 170, 408, 221],
        "usgs-pp1802": [410, 389, 21, 0],
    }


def test_country_names_matched_once_across_files(tmp_path, crosswalk):
    """The loader keeps the names matched in one file for the next ones; a name that is
    not one country is rejected again in each file, naming that file's record."""
    _write(tmp_path, "usgs-major-deposits", "b000.json", [MAJOR[0], MAJOR[3]])
    second = [
        _record("usgs-major-deposits", "2", "Other", "Korean Peninsula", "POINT (129.2 42.2)", ["Fe"]),
        _record("usgs-major-deposits", "3", "Again", "United States", "POINT (-115.5 35.5)", ["REE"]),
        _record("usgs-major-deposits", "4", "Blank", " ", "POINT (1 1)", ["REE"]),
    ]
    _write(tmp_path, "usgs-major-deposits", "b001.json", second)
    results = minmod.load_minmod(tmp_path, crosswalk, datasets=["usgs-major-deposits"])
    assert [(r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [(2, 1, 1), (3, 1, 2)]
    assert "b000.json, record 2" in results[0].rejects.iloc[0]["reason"]
    assert "b001.json, record 1" in results[1].rejects.iloc[0]["reason"]
    assert results[1].table.iloc[0]["iso3"] == "USA"
    assert list(results[1].rejects["row"]) == [1, 3]
