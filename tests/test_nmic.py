import json

import pandas as pd
import pytest

from minerals_graph.sources import nmic

PROPS = [
    "FeatureUID",
    "Country",
    "FeatureNam",
    "FeatureTyp",
    "DsgAttr01",
    "DsgAttr02",
    "DsgAttr03",
    "DsgAttr04",
    "DsgAttr05",
    "DsgAttr06",
    "DsgAttr07",
    "DsgAttr08",
    "DsgAttr9",
    "LocOpStat",
    "DsgAttr10",
    "ADM1",
    "LocConf",
    "Latitude",
    "Longitude",
    "OperateNam",
    "OwnerName1",
    "OwnerName2",
    "OwnerName3",
    "OwnerName4",
    "OwnerName5",
    "OwnerName6",
    "Label",
    "InfSource1",
    "InfSource2",
    "InfSource3",
    "InfSource4",
    "InfSource5",
    "InfSource6",
    "InfSource7",
    "MemoSource",
]


def _feature(**kw):
    p = {k: "" for k in PROPS}
    p.update({"DsgAttr04": "N", "DsgAttr05": "N", "LocConf": "E", "LocOpStat": "Assumed Active"})
    p.update(kw)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [p["Longitude"], p["Latitude"]]},
        "properties": p,
    }


def _write(tmp_path, features, name="CHN_Mineral_Facilities.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return name


def test_any_region_same_schema(tmp_path, crosswalk):
    """The loader takes any edition of the NMIC layer (here a China-shaped one)."""
    feats = [
        _feature(
            FeatureUID="CHN001",
            Country="China",
            FeatureNam="Plant in Baotou",
            FeatureTyp="Mineral Processing Plants",
            DsgAttr01="Rare Earths",
            DsgAttr02="Rare-Earth Compounds",
            DsgAttr06=22,
            DsgAttr07="kmt",
            Latitude=40.6,
            Longitude=109.9,
            OperateNam="Op Co.",
            OwnerName1="Parent Ltd. [60%]",
            OwnerName2="Other Co. [40%]",
            InfSource1="https://example.org/a",
        ),
        _feature(
            FeatureUID="CHN001",
            Country="China",
            FeatureNam="Plant in Baotou",
            FeatureTyp="Mineral Processing Plants",
            DsgAttr01="Thorium",
            DsgAttr02="Oxide",
            DsgAttr06=-999,
            DsgAttr07="NA",
            Latitude=40.6,
            Longitude=109.9,
        ),
        _feature(
            FeatureUID="CHN002",
            Country="China",
            FeatureNam="Mine X",
            FeatureTyp="Mines and Quarries",
            DsgAttr01="Tungsten",
            DsgAttr02="Concentrate",
            DsgAttr06=3,
            DsgAttr07="kmt",
            LocOpStat="C&M",
            Latitude=25.7,
            Longitude=113.0,
        ),
        _feature(
            FeatureUID="CHN003",
            Country="China",
            FeatureNam="Field",
            FeatureTyp="Oil and Gas Fields",
            DsgAttr01="Petroleum",
            Latitude=40.0,
            Longitude=120.0,
        ),
        _feature(
            FeatureUID="CHN004",
            Country="Narnia",
            FeatureNam="Y",
            FeatureTyp="Mines and Quarries",
            DsgAttr01="Gold",
            Latitude=1.0,
            Longitude=1.0,
        ),
    ]
    name = _write(tmp_path, feats)
    r = nmic.load_facility_layer(tmp_path, crosswalk, file=name)
    assert (r.rows_read, r.rows_loaded, r.rows_excluded, r.rows_rejected) == (5, 3, 1, 1)
    t = r.table
    plant = t[t.uid == "CHN001"]
    assert set(plant.kind) == {"separation_plant"} and set(plant.node_kind) == {"Facility"}
    assert plant.iloc[0].capacity == 22.0 and plant.iloc[0].capacity_unit == "kt"
    assert pd.isna(plant.iloc[1].capacity)  # -999 / NA = unknown, never a number
    assert plant.iloc[0].owners == [("Parent Ltd.", 60.0), ("Other Co.", 40.0)]
    mine = t[t.uid == "CHN002"].iloc[0]
    assert (mine.node_kind, mine.kind, mine.stage, mine.status) == ("Site", "mine", "mining", "care_and_maintenance")
    assert "out of scope" in r.excluded.iloc[0]["reason"]


def test_parse_owner():
    assert nmic.parse_owner("Lynas Rare Earths Ltd. [100%]") == ("Lynas Rare Earths Ltd.", 100.0)
    assert nmic.parse_owner("Sojitz and Toyota Tsusho Corp.") == ("Sojitz and Toyota Tsusho Corp.", None)


@pytest.mark.shared
def test_real_indo_pacific_layer(shared, crosswalk):
    r = nmic.load_facility_layer(shared, crosswalk)
    assert r.rows_read == 1573 and r.rows_excluded == 169 and r.rows_rejected == 0
    lynas = r.table[r.table.uid == "MYS108"].iloc[0]
    assert lynas["name"] == "Lynas Advanced Material Plant" and lynas.iso3 == "MYS"
    assert (lynas.kind, lynas.capacity, lynas.capacity_unit) == ("separation_plant", 22.0, "kt")
    assert lynas.owners == [("Lynas Rare Earths Ltd.", 100.0)]
    assert set(r.table.iso3) >= {"MMR", "KOR", "VNM", "NCL", "MNG"}


def test_columns_are_the_values_frame_records_gives():
    """The loader reads the layer a column at a time: the same values as frame_records,
    for plain columns (read directly) and object/extension columns (through frame_records)."""
    from minerals_graph.sources._common import frame_records

    plain = pd.DataFrame({"s": pd.Series(["a", None], dtype="str"), "f": [1.5, float("nan")], "i": [1, 2]})
    mixed = plain.assign(o=pd.Series([1, "x"], dtype=object), n=pd.array([1, None], dtype="Int64"))
    for df in (plain, mixed, mixed.iloc[:0]):
        cols = nmic._columns(df)
        assert list(cols) == list(df.columns)
        rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
        assert repr(rows) == repr(frame_records(df))


def test_no_row_loaded_gives_an_empty_table(tmp_path, crosswalk):
    feats = [
        _feature(FeatureUID="CHN003", Country="China", FeatureTyp="Oil and Gas Fields", Latitude=1.0, Longitude=1.0)
    ]
    r = nmic.load_facility_layer(tmp_path, crosswalk, file=_write(tmp_path, feats))
    assert (r.rows_read, r.rows_loaded, r.rows_excluded) == (1, 0, 1)
    assert r.table.shape == (0, 0)  # as pd.DataFrame.from_records([]) gives it
