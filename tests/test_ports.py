import numpy as np
import pandas as pd
import pytest
from tests.conftest import df_of as _df

from minerals_graph.ports import haversine_km, infer_ports, unlinked_places

KM_PER_DEG = 111.195  # one degree of longitude on the equator (R = 6,371.0088 km)


def test_haversine_known_distance():
    # Paris -> London, about 344 km
    d = haversine_km(np.array([2.3522]), np.array([48.8566]), np.array([-0.1278]), np.array([51.5074]))
    assert 340 < d[0] < 348


def _port(n, size, lon, iso3="AAA", bulk="Unknown", brk="Unknown", cont="Unknown"):
    return {
        "wpi_number": n,
        "name": f"P{n}",
        "iso3": iso3,
        "harbor_size": size,
        "solid_bulk": bulk,
        "breakbulk": brk,
        "container": cont,
        "lon": lon,
        "lat": 0.0,
    }


def test_same_country_only_and_unknown_flags_are_not_no():
    ports = _df(
        "ports",
        [
            _port(1, "Large", 0.5, iso3="BBB", bulk="Yes"),  # nearer, but another country
            _port(2, "Medium", 2.0),  # flags all Unknown: still a candidate
            _port(3, "Large", 0.1, bulk="No", brk="No", cont="No"),  # no cargo at all: never
            _port(4, "Very Small", 0.05, bulk="Yes"),  # too small: never
        ],
    )
    places = _df("places", [{"id": "site:a", "status": "operating", "iso3": "AAA", "lon": 0.0, "lat": 0.0}])
    out = infer_ports(places, ports, _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [2]
    assert out["distance_km"].iloc[0] == pytest.approx(2 * KM_PER_DEG, abs=0.2)
    assert "cargo facilities unknown" in out["note"].iloc[0]


def test_larger_harbor_with_known_cargo_is_preferred_by_weighted_distance():
    # Small+Yes at 60 km weighs 120; Large+Yes at 100 km weighs 100 -> Large.
    # Medium with unknown flags at 70 km weighs 70 * 1.25 * 1.25 = 109.4 -> still Large.
    ports = _df(
        "ports",
        [
            _port(1, "Small", 60 / KM_PER_DEG, bulk="Yes"),
            _port(2, "Large", 100 / KM_PER_DEG, bulk="Yes"),
            _port(3, "Medium", -70 / KM_PER_DEG),
        ],
    )
    places = _df("places", [{"id": "site:a", "status": "operating", "iso3": "AAA", "lon": 0.0, "lat": 0.0}])
    out = infer_ports(places, ports, _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [2]
    # Without the Large port the Medium one (109.4) beats the Small one (120).
    out = infer_ports(places, ports[ports["wpi_number"] != 2], _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [3]


def test_cap_cited_unlocated_and_landlocked():
    ports = _df("ports", [_port(1, "Large", 0.0, bulk="Yes")])
    places = _df(
        "places",
        [
            {"id": "site:near", "status": "operating", "iso3": "AAA", "lon": 1.0, "lat": 0.0},
            {"id": "site:cited", "status": "operating", "iso3": "AAA", "lon": 1.0, "lat": 0.0},
            {"id": "site:nowhere", "status": "operating", "iso3": "AAA", "lon": None, "lat": None},
            {"id": "site:far", "status": "operating", "iso3": "AAA", "lon": 9.0, "lat": 0.0},  # 1,000.8 km > 800
            {
                "id": "site:inland",
                "status": "operating",
                "iso3": "LLL",
                "lon": 1.0,
                "lat": 0.0,
            },  # country without ports
            {"id": "site:old", "status": "unknown", "iso3": "AAA", "lon": 1.0, "lat": 0.0},
        ],
    )  # not known to ship
    cited = _df("ships_via", [{"place_id": "site:cited", "wpi_number": 1}])
    out = infer_ports(places, ports, cited, max_km=800)
    assert list(out["place_id"]) == ["site:near"] and bool(out["inferred"].iloc[0])
    un = unlinked_places(places, ports, cited, max_km=800).set_index("place_id")["reason"]
    assert sorted(un.index) == ["site:far", "site:inland", "site:old"]
    assert "not known to ship" in un["site:old"]
    assert "1001 km away, beyond the 800 km cap" in un["site:far"]
    assert "no port of LLL" in un["site:inland"]


@pytest.mark.shared
def test_real_inferred_ports_stay_home_and_are_near(raw_tables):
    t = raw_tables
    inf = t.ships_via[t.ships_via["inferred"].astype(bool)]
    places = t.places.set_index("id")
    ports = t.ports.set_index("wpi_number")
    p_iso = places.loc[inf["place_id"], "iso3"].to_numpy()
    port_iso = ports.loc[inf["wpi_number"].astype(int), "iso3"].to_numpy()
    assert (p_iso == port_iso).all()
    assert inf["distance_km"].median() < 150
    assert inf["distance_km"].max() <= 800

    def port_of(place_id: str) -> str:
        row = inf[inf["place_id"] == place_id]
        assert len(row) == 1, place_id
        return str(ports.loc[int(row["wpi_number"].iloc[0]), "name"])

    st_lawrence = {"Trois Rivieres", "Port De Becancour", "Quebec", "Montreal", "Sorel"}
    bohai = {
        "Tianjin Xin Gang",
        "Tianjin",
        "Qinhuangdao",
        "Caofeidian",
        "Jingtang",
        "Dalian",
        "Yingkou",
        "Huanghua",
        "Longkou",
        "Jinzhou",
    }
    assert port_of("facility:fac_can_nemaska_becancour_lioh_plant") in st_lawrence
    assert port_of("facility:fac_can_vale_port_colborne_refinery") == "Port Colborne"
    assert port_of("facility:fac_chn_baotou_huamei_nre_separation") in bohai  # Inner Mongolia
    assert port_of("facility:fac_chn_nantong_zhenghai_ndfeb_magnet") == "Nantong"
    assert port_of("facility:fac_usa_tesla_robstown_lithium_refinery") == "Corpus Christi"
    assert port_of("site:fac_mex_gmexico_la_caridad_mine") == "Guaymas"
    assert port_of("facility:fac_mex_immsa_san_luis_potosi_zinc_refinery") == "Tampico"
    us = inf[inf["place_id"].str.contains("fac_usa_")]
    assert len(us) and (ports.loc[us["wpi_number"].astype(int), "iso3"] == "USA").all()


def test_gateway_file_rejects_unknown_ports_and_wrong_countries(tmp_path):
    from tests.conftest import write

    from minerals_graph.sources import register

    head = ",".join(register.GATEWAY_COLUMNS) + "\n"
    write(
        tmp_path / "gateway_ports.csv",
        head
        + "1090,Churchill,CAN,Arctic,Arctic gateway,t,p,https://example.org/a,,2026-11-30,\n"
        + "9999,Nowhere,CAN,Arctic,x,t,p,https://example.org/b,,2026-11-30,\n"
        + "18150,Vancouver,USA,Pacific,x,t,p,https://example.org/c,,2026-11-30,\n"
        + "2235,Montreal,CAN,St. Lawrence,x,t,p,,,2026-11-30,\n",
    )
    r = register.load_gateway_ports(tmp_path, {1090: "CAN", 18150: "CAN", 2235: "CAN"})
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 1, 3)
    assert list(r.rejects["field"]) == ["wpi_number", "iso3", "source_url"]


def test_gateway_ports_are_flagged_with_their_citation(data_graph):
    from minerals_graph import settings

    cited = pd.read_csv(settings.DATA_DIR / "gateway_ports.csv", dtype=str, keep_default_na=False)
    flagged = {n: d for n, d in data_graph.nodes(data=True) if d.get("kind") == "Port" and d.get("gateway")}
    assert len(flagged) == len(cited) >= 25
    churchill = data_graph.nodes["port:wpi-1090"]
    assert churchill["gateway"] is True and churchill["gateway_source_url"].startswith("http")
    assert {d["iso3"] for d in flagged.values()} == {"USA", "CAN", "MEX", "CHN"}


def test_located_uncited_equals_dropna_then_uncited():
    """One selection gives the rows (index, dtypes, order) of dropping unlocated places and
    then the cited ones."""
    from minerals_graph.ports import _located_uncited

    places = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "lon": [1.0, np.nan, 3.0, 4.0, 5.0],
            "lat": pd.array([1, 2, None, 4, 5], dtype=object),
            "status": ["operating", None, "x", "y", "z"],
        },
        index=[10, 11, 12, 13, 14],
    )
    for cited in (pd.DataFrame({"place_id": ["d", "zz"]}), pd.DataFrame(columns=["place_id"])):
        has = places.dropna(subset=["lon", "lat"])
        want = has[~has["id"].isin(set(cited["place_id"]))] if len(cited) else has
        pd.testing.assert_frame_equal(_located_uncited(places, cited), want)
