import numpy as np
import pandas as pd
import pytest

from minerals_graph.ports import haversine_km, infer_ports, unlinked_places
from tests.test_build import _df

KM_PER_DEG = 111.195  # one degree of longitude on the equator (R = 6,371.0088 km)


def test_haversine_known_distance():
    # Paris -> London, about 344 km
    d = haversine_km(np.array([2.3522]), np.array([48.8566]), np.array([-0.1278]), np.array([51.5074]))
    assert 340 < d[0] < 348


def _port(n, size, lon, iso3="AAA", bulk="Unknown", brk="Unknown", cont="Unknown"):
    return {"wpi_number": n, "name": f"P{n}", "iso3": iso3, "harbor_size": size, "solid_bulk": bulk,
            "breakbulk": brk, "container": cont, "lon": lon, "lat": 0.0}


def test_same_country_only_and_unknown_flags_are_not_no():
    ports = _df("ports", [
        _port(1, "Large", 0.5, iso3="BBB", bulk="Yes"),           # nearer, but another country
        _port(2, "Medium", 2.0),                                  # flags all Unknown: still a candidate
        _port(3, "Large", 0.1, bulk="No", brk="No", cont="No"),   # no cargo at all: never
        _port(4, "Very Small", 0.05, bulk="Yes"),                 # too small: never
    ])
    places = _df("places", [{"id": "site:a", "iso3": "AAA", "lon": 0.0, "lat": 0.0}])
    out = infer_ports(places, ports, _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [2]
    assert out["distance_km"].iloc[0] == pytest.approx(2 * KM_PER_DEG, abs=0.2)
    assert "cargo facilities unknown" in out["note"].iloc[0]


def test_larger_harbor_with_known_cargo_is_preferred_by_weighted_distance():
    # Small+Yes at 60 km weighs 120; Large+Yes at 100 km weighs 100 -> Large.
    # Medium with unknown flags at 70 km weighs 70 * 1.25 * 1.25 = 109.4 -> still Large.
    ports = _df("ports", [_port(1, "Small", 60 / KM_PER_DEG, bulk="Yes"),
                          _port(2, "Large", 100 / KM_PER_DEG, bulk="Yes"),
                          _port(3, "Medium", -70 / KM_PER_DEG)])
    places = _df("places", [{"id": "site:a", "iso3": "AAA", "lon": 0.0, "lat": 0.0}])
    out = infer_ports(places, ports, _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [2]
    # Without the Large port the Medium one (109.4) beats the Small one (120).
    out = infer_ports(places, ports[ports["wpi_number"] != 2], _df("ships_via", []), max_km=800)
    assert list(out["wpi_number"]) == [3]


def test_cap_cited_unlocated_and_landlocked():
    ports = _df("ports", [_port(1, "Large", 0.0, bulk="Yes")])
    places = _df("places", [
        {"id": "site:near", "iso3": "AAA", "lon": 1.0, "lat": 0.0},
        {"id": "site:cited", "iso3": "AAA", "lon": 1.0, "lat": 0.0},
        {"id": "site:nowhere", "iso3": "AAA", "lon": None, "lat": None},
        {"id": "site:far", "iso3": "AAA", "lon": 9.0, "lat": 0.0},       # 1,000.8 km > 800
        {"id": "site:inland", "iso3": "LLL", "lon": 1.0, "lat": 0.0}])  # country without ports
    cited = _df("ships_via", [{"place_id": "site:cited", "wpi_number": 1}])
    out = infer_ports(places, ports, cited, max_km=800)
    assert list(out["place_id"]) == ["site:near"] and bool(out["inferred"].iloc[0])
    un = unlinked_places(places, ports, cited, max_km=800).set_index("place_id")["reason"]
    assert sorted(un.index) == ["site:far", "site:inland"]
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
    bohai = {"Tianjin Xin Gang", "Tianjin", "Qinhuangdao", "Caofeidian", "Jingtang", "Dalian", "Yingkou",
             "Huanghua", "Longkou", "Jinzhou"}
    assert port_of("facility:fac_can_nemaska_becancour_lioh_plant") in st_lawrence
    assert port_of("facility:fac_can_vale_port_colborne_refinery") == "Port Colborne"
    assert port_of("facility:fac_chn_baotou_huamei_nre_separation") in bohai  # Inner Mongolia
    assert port_of("facility:fac_chn_tianqi_zhangjiagang_lioh") == "Nantong"
    assert port_of("site:fac_mex_gmexico_la_caridad_mine") == "Guaymas"
    assert port_of("facility:fac_mex_immsa_san_luis_potosi_zinc_refinery") == "Tampico"
    us = inf[inf["place_id"].str.contains("fac_usa_")]
    assert len(us) and (ports.loc[us["wpi_number"].astype(int), "iso3"] == "USA").all()
