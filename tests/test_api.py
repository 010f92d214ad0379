"""The web API through FastAPI's TestClient: every endpoint and error path on the real
model, and the same routes on an injected tiny model (``dependency_overrides``), which
needs no shared data. The schemathesis run is in test_api_schemathesis.py."""

import pytest
from fastapi.testclient import TestClient
from tests.conftest import counting_network_builds

from minerals_graph.api import create_app
from minerals_graph.api.deps import get_state
from minerals_graph.api.state import AppState, build_state

API = "/api/v1"
_BUILDS: dict = {}


@pytest.fixture(scope="module")
def state(shared):
    with counting_network_builds() as counts:
        st = build_state()  # maps included (needs the Natural Earth polygons in ../shared/data)
    _BUILDS["start-up"] = dict(counts)
    return st


def test_start_up_builds_each_network_once(state):
    """Start-up (load, warm: chokepoints, PRC exposure, the cut-off for the maps) builds
    every modelled commodity's supply network exactly once."""
    counts = _BUILDS["start-up"]
    assert set(counts) == set(state.commodities) and len(counts) >= 20
    assert set(counts.values()) == {1}


@pytest.fixture(scope="module")
def client(state):
    with TestClient(create_app(state=state)) as c:
        yield c


def test_health_lists_sources_and_years(client, data_graph):
    r = client.get(f"{API}/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["nodes"] == data_graph.number_of_nodes()
    keys = {s["source"] for s in body["sources"]}
    assert {"nga-wpi", "usgs-mcs2024-world", "usgs-mcs2025-fig2", "register"} <= keys
    assert all(s["url"] for s in body["sources"]) and "rare_earths" in body["modelled_commodities"]


def test_commodities_and_countries(client):
    c = client.get(f"{API}/commodities", params={"critical": "true"}).json()
    assert c["count"] == 50 == len(c["data"])
    ids = [x["id"] for x in c["data"]]
    assert ids == sorted(ids)
    k = client.get(f"{API}/countries").json()
    assert k["count"] >= 230 and {"CHN", "USA", "WLD"} <= {x["iso3"] for x in k["data"]}


def test_nodes_filters_and_pagination(client):
    r = client.get(f"{API}/nodes", params={"kind": "Facility", "country": "CHN", "limit": 5}).json()
    assert r["count"] == 5 and r["total"] >= 100 and all(n["iso3"] == "CHN" for n in r["data"])
    page2 = client.get(f"{API}/nodes", params={"kind": "Facility", "country": "CHN", "limit": 5, "offset": 5}).json()
    assert {n["id"] for n in page2["data"]}.isdisjoint({n["id"] for n in r["data"]})
    ctrl = client.get(f"{API}/nodes", params={"control": "CHN", "country": "IDN", "limit": 50}).json()
    assert ctrl["total"] >= 5  # PRC-controlled plants in Indonesia
    box = client.get(
        f"{API}/nodes",
        params={"kind": "Port", "min_lon": -125, "max_lon": -66, "min_lat": 24, "max_lat": 50, "limit": 1000},
    ).json()
    assert box["total"] > 300 and all(-125 <= n["lon"] <= -66 and 24 <= n["lat"] <= 50 for n in box["data"])
    lit = client.get(f"{API}/nodes", params={"commodity": "lithium", "stage": "refining"}).json()
    assert lit["total"] >= 20


@pytest.mark.parametrize(
    "params, status, text",
    [
        ({"limit": 0}, 422, "greater than or equal to 1"),
        ({"limit": 5000}, 422, "less than or equal to 1000"),
        ({"country": "China"}, 422, "pattern"),
        ({"country": "ZZZ"}, 422, "country 'ZZZ': not an ISO3 code of a country in the graph"),
        ({"control": "CHM"}, 422, "control 'CHM'"),
        ({"kind": "Castle"}, 422, "Input should be"),
        ({"kind": "Facilty"}, 422, "did you mean 'Facility'?"),
        ({"stage": "refinning"}, 422, "did you mean 'refining'?"),
        ({"min_lon": 200, "min_lat": 0, "max_lon": 0, "max_lat": 0}, 422, "less than or equal to 180"),
        ({"min_lon": -66, "max_lon": -125}, 422, "min_lon must not be above max_lon -125"),
        ({"min_lat": 50, "max_lat": 24}, 422, "min_lat must not be above max_lat 24"),
        ({"commodity": "unobtainium"}, 422, "list them at /api/v1/commodities"),
        ({"commodity": "lithum"}, 422, "did you mean 'lithium'"),
        ({"name": "lynas"}, 422, "unknown query parameter 'name'"),
        ({"kinds": "Port"}, 422, "did you mean 'kind'?"),
        ({"q": ""}, 422, "at least 1 character"),
    ],
)
def test_nodes_errors(client, params, status, text):
    r = client.get(f"{API}/nodes", params=params)
    assert r.status_code == status and text in r.text, r.text
    assert r.json()["detail"][0]["loc"][0] == "query"


def test_unknown_query_parameters_are_refused_everywhere(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if "get" not in ops or "{" in path:
            continue
        r = client.get(path, params={"bogus": "1"})
        assert r.status_code == 422, path
        assert r.json()["detail"][0]["loc"] == ["query", "bogus"] and "unknown query parameter" in r.text
    assert client.get(f"{API}/health", params={"x": "1"}).json()["detail"][0]["msg"].endswith("takes none")


def test_nodes_name_search(client, data_graph):
    r = client.get(f"{API}/nodes", params={"q": "LYNAS", "limit": 1000}).json()
    want = sorted(n for n, d in data_graph.nodes(data=True) if "lynas" in str(d.get("name") or "").lower())
    assert r["total"] == len(want) >= 2 and [n["id"] for n in r["data"]] == want
    f = client.get(f"{API}/nodes", params={"q": "lynas", "kind": "Facility"}).json()
    assert f["total"] >= 1 and all(n["kind"] == "Facility" and "lynas" in n["name"].lower() for n in f["data"])
    assert client.get(f"{API}/nodes", params={"q": "no such name at all"}).json()["total"] == 0


def test_openapi_enumerates_what_the_data_accepts(client, data_graph):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"][f"{API}/nodes"]["get"]["parameters"]}
    countries = sorted(d["iso3"] for _, d in data_graph.nodes(data=True) if d.get("kind") == "Country")
    assert params["country"]["enum"] == countries == params["control"]["enum"]
    assert "lithium" in params["commodity"]["enum"]
    choke = {p["name"]: p["schema"] for p in spec["paths"][f"{API}/chokepoints"]["get"]["parameters"]}
    assert "cement" not in choke["commodity"]["enum"] and "rare_earths" in choke["commodity"]["enum"]
    # the codes documented are the codes returned: a non-JSON body is a 422, not a 400
    post = spec["paths"][f"{API}/whatif"]["post"]["responses"]
    assert "400" not in post and "422" in post
    for body in (b"not json", b"\xff\xfe{", b'{"remove": ['):
        r = client.post(f"{API}/whatif", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "body", body
    for ops in spec["paths"].values():  # every operation documents the 422 of an unknown parameter
        assert all("422" in op["responses"] for op in ops.values())


def test_docs_and_redoc_are_served_offline(client):
    import re

    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = client.get(page)
        assert r.status_code == 200 and asset in r.text
        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", r.text) + re.findall(r"""url:\s*'([^']+)'""", r.text)
        assert refs and all(ref.startswith("/") and not ref.startswith("//") for ref in refs), refs
        assert "http://" not in r.text and "https://" not in r.text
        for ref in refs:
            got = client.get(ref)
            assert got.status_code == 200 and len(got.content) > 1000, ref
    assert '"validatorUrl": null' in client.get("/docs").text


def test_node_detail_with_neighbours_and_sources(client):
    r = client.get(f"{API}/nodes/country:CHN").json()
    assert r["node"]["iso3"] == "CHN" and r["neighbours_total"] > 100 and len(r["neighbours"]) <= 500
    assert any(n["edge_kind"] == "TRADES" for n in r["neighbours"]) and r["sources"]
    miss = client.get(f"{API}/nodes/facility:nope")
    assert miss.status_code == 404 and "list nodes at /api/v1/nodes" in miss.json()["detail"]


def test_chokepoints(client, state):
    r = client.get(f"{API}/chokepoints", params={"commodity": "rare_earths", "limit": 5}).json()
    assert 0 < r["count"] <= 5
    losses = [x["n1_loss_t"] for x in r["data"]]
    assert losses == sorted(losses, reverse=True)
    table = state.model.chokepoints()
    assert (
        r["data"][0]
        == {
            k: (None if v != v else v)
            for k, v in table[table.commodity == "rare_earths"]
            .sort_values("n1_loss_t", ascending=False, kind="stable")
            .iloc[0]
            .to_dict()
            .items()
        }
        or r["data"][0]["commodity"] == "rare_earths"
    )
    b = client.get(f"{API}/chokepoints", params={"metric": "betweenness", "stage": "separation"}).json()
    assert all(x["stage"] == "separation" for x in b["data"])
    cement = client.get(f"{API}/chokepoints", params={"commodity": "cement"})
    assert cement.status_code == 422 and "'cement': not modelled" in cement.text
    assert client.get(f"{API}/chokepoints", params={"metric": "nope"}).status_code == 422


def test_dependence_endpoints(client):
    nir = client.get(f"{API}/dependence/nir", params={"commodity": "lithium", "year": 2023}).json()
    assert nir["count"] >= 1 and nir["data"][0]["agreement"]
    bands = client.get(f"{API}/dependence/bands", params={"year": 2023}).json()
    assert len(bands["minerals"]) == 50 and sum(c["minerals"] for c in bands["counts"]) == 50
    assert client.get(f"{API}/dependence/bands", params={"year": 2020}).status_code == 422
    assert client.get(f"{API}/dependence/nir", params={"year": 2018}).status_code == 422
    prc = client.get(f"{API}/dependence/prc-exposure", params={"commodity": "gallium"}).json()
    assert prc["data"][0]["processing_share_pct"] > 90


def test_whatif_post_preset_and_cache(client):
    body = {
        "remove": [{"countries": ["CHN"], "stages": ["separation"]}],
        "add": [{"commodity": "rare_earths", "iso3": "USA", "capacity_t": 5000, "stage": "separation"}],
        "commodities": ["rare_earths"],
    }
    r = client.post(f"{API}/whatif", json=body)
    assert r.status_code == 200
    usa = [x for x in r.json()["data"] if x["demand"] == "USA"][0]
    assert usa["status"] == "modelled" and usa["removed_nodes"] > 0
    assert len(usa["removed_ids"]) == usa["removed_nodes"]
    assert usa["carriers"] and all(set(c) == {"id", "label", "flow_t"} for c in usa["carriers"])
    assert client.post(f"{API}/whatif", json=body).json() == r.json()  # cached, identical
    p = client.get(f"{API}/whatif/presets/prc-refining-cutoff", params={"commodity": "gallium"}).json()
    assert {x["demand"] for x in p["data"]} == {"USA", "CAN", "MEX", "USMCA"}
    names = [p["name"] for p in client.get(f"{API}/whatif/presets").json()["data"]]
    assert {"prc-refining-cutoff", "prc-mining-cutoff", "prc-all-cutoff"} <= set(names) and names == sorted(names)


@pytest.mark.parametrize(
    "body, status, text",
    [
        ({"remove": [{"countries": ["china"]}]}, 422, "pattern"),
        ({"remove": [{"stages": ["digging"]}]}, 422, "Input should be"),
        ({"remove": [{"countries": ["CHN"]}], "commodities": ["unobtainium"]}, 404, "not found"),
        ({"remove": [{"countries": ["CHN"]}] * 21}, 422, "at most 20"),
        ({"remove": [{"ids": ["x"] * 201}]}, 422, "at most 200"),
        ({"add": [{"commodity": "lithium", "iso3": "USA", "capacity_t": -5}]}, 422, "greater than 0"),
        ({"remove": [], "bogus": 1}, 422, "Extra inputs are not permitted"),
    ],
)
def test_whatif_errors(client, body, status, text):
    r = client.post(f"{API}/whatif", json=body)
    assert r.status_code == status and text in r.text


def test_body_too_large_is_413(client):
    big = '{"remove": [' + ",".join(['{"ids": ["' + "x" * 100 + '"]}'] * 800) + "]}"
    r = client.post(f"{API}/whatif", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "request body over" in r.json()["detail"]


def test_whatif_timeout_is_504(state, monkeypatch):
    import time

    from minerals_graph.analysis import whatif as wi
    from minerals_graph.api.routes import whatif as route

    monkeypatch.setattr(route, "WHATIF_TIMEOUT_S", 0.2)
    monkeypatch.setattr(wi, "run_whatif", lambda *a, **k: time.sleep(1.0))
    with TestClient(create_app(state=state)) as c:
        r = c.get(f"{API}/whatif/presets/prc-mining-cutoff", params={"commodity": "tin"})
    assert r.status_code == 504 and "exceeded 0.2 s" in r.json()["detail"]


def test_graph_is_never_changed(client, state):
    before = (state.G.number_of_nodes(), state.G.number_of_edges(), dict(state.G.nodes["country:CHN"]))
    client.post(f"{API}/whatif", json={"remove": [{"countries": ["CHN"]}], "commodities": ["lithium"]})
    client.get(f"{API}/whatif/presets/prc-all-cutoff", params={"commodity": "cobalt"})
    assert (state.G.number_of_nodes(), state.G.number_of_edges(), dict(state.G.nodes["country:CHN"])) == before
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(f"{API}/nodes/country:CHN").status_code == 405


def test_geojson(client):
    n = client.get(f"{API}/geojson/nodes", params={"kind": "Facility", "limit": 50}).json()
    assert n["type"] == "FeatureCollection" and n["count"] == 50
    assert all(f["geometry"]["type"] == "Point" for f in n["features"])
    e = client.get(f"{API}/geojson/edges", params={"kind": "TRADES", "commodity": "graphite"}).json()
    assert e["count"] >= 4 and e["features"][0]["geometry"]["type"] == "LineString"
    s = client.get(f"{API}/geojson/whatif/prc-refining-cutoff", params={"commodity": "rare_earths"}).json()
    assert {f["properties"]["role"] for f in s["features"]} == {"removed", "carrier"}
    assert all(f["properties"]["flow_t"] > 0 for f in s["features"] if f["properties"]["role"] == "carrier")
    assert client.get(f"{API}/geojson/whatif/nope").status_code == 404


def test_maps_served_with_offline_assets(client):
    names = client.get(f"{API}/maps").json()["data"]
    assert "facilities.html" in names and "scenario_prc-refining-cutoff.html" in names
    page = client.get(f"{API}/maps/facilities.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get(f"{API}/maps/assets/leaflet/leaflet.js").status_code == 200
    assert client.get(f"{API}/maps/nope.html").status_code == 404


def test_openapi_has_examples(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "minerals-graph API"
    assert "/api/v1/whatif" in spec["paths"] and "/docs" not in spec["paths"]
    assert "examples" in str(spec["components"]["schemas"]["WhatIfRequest"])


def test_empty_whatif_is_the_base_case(client):
    r = client.post(f"{API}/whatif", json={"commodities": ["gallium"]}).json()
    usa = [x for x in r["data"] if x["demand"] == "USA"][0]
    assert usa["supply_after_t"] == usa["supply_before_t"] and usa["removed_nodes"] == 0


def test_export_controls_of_the_prc(client):
    r = client.get("/api/v1/export-controls", params={"country": "CHN"})
    assert r.status_code == 200
    rows = {(x["commodity"], x["year"]) for x in r.json()["data"]}
    assert {("gallium", 2023), ("germanium", 2023), ("graphite", 2023), ("antimony", 2024)} <= rows
    assert all(x["official_url"].startswith("http") for x in r.json()["data"])
    one = client.get("/api/v1/export-controls", params={"country": "CHN", "commodity": "gallium"}).json()
    assert one["count"] == 1 and one["data"][0]["control_type"].startswith("Export licensing")
    assert client.get("/api/v1/export-controls", params={"country": "china"}).status_code == 422
    assert client.get("/api/v1/export-controls", params={"commodity": "unobtainium"}).status_code == 422
    zzz = client.get("/api/v1/export-controls", params={"country": "ZZZ"})
    assert zzz.status_code == 422 and "not an ISO3 code of a country in the graph" in zzz.text


# ---------------------------------------------------------------------------------------
# The same routes on an injected tiny model (no shared data needed)


@pytest.fixture
def tiny_client(tiny_model):
    app = create_app()
    app.dependency_overrides[get_state] = lambda: AppState(model=tiny_model)
    with TestClient(app) as c:  # nothing is loaded at start-up: the override serves the tiny model
        yield c


def test_tiny_health_and_nodes(tiny_client, tiny_model):
    h = tiny_client.get(f"{API}/health").json()
    assert (h["nodes"], h["edges"]) == (tiny_model.G.number_of_nodes(), tiny_model.G.number_of_edges())
    assert h["modelled_commodities"] == ["lithium"]
    r = tiny_client.get(f"{API}/nodes", params={"control": "CHN"}).json()
    assert [n["id"] for n in r["data"]] == ["facility:r1", "site:m1"]  # both owned by Tianqi
    r = tiny_client.get(f"{API}/nodes", params={"kind": "Facility", "stage": "refining"}).json()
    assert r["total"] == 1 and r["data"][0]["attributes"]["place_kind"] == "refinery"
    box = tiny_client.get(f"{API}/nodes", params={"min_lon": 100, "max_lon": 130, "min_lat": 0}).json()
    assert [n["id"] for n in box["data"]] == ["country:CHN", "facility:r1", "port:wpi-1"]
    d = tiny_client.get(f"{API}/nodes/facility:r1").json()
    assert d["neighbours_total"] == 4 and d["sources"] == [
        {"source": "t", "publisher": "P", "dataset": "D", "year": 2024, "url": "http://x"}
    ]
    assert tiny_client.get(f"{API}/nodes", params={"commodity": "cobalt"}).status_code == 422
    assert tiny_client.get(f"{API}/nodes", params={"country": "ZZZ"}).status_code == 422
    assert tiny_client.get(f"{API}/nodes", params={"q": "lynas"}).json()["total"] == 0


def test_tiny_chokepoints_and_whatif(tiny_client):
    # AUS mines 86,000 t, the U.S. consumes 3,000 t: losing AUS (mine or output) loses all 3,000 t
    c = tiny_client.get(f"{API}/chokepoints", params={"commodity": "lithium"}).json()
    assert {(x["node"], x["n1_loss_t"], x["spof"]) for x in c["data"]} == {
        ("mine:AUS", 3000.0, True),
        ("out:AUS", 3000.0, True),
    }
    body = {"remove": [{"countries": ["AUS"], "roles": ["mine"]}]}
    w = tiny_client.post(f"{API}/whatif", json=body).json()
    usa = [x for x in w["data"] if x["demand"] == "USA"][0]
    assert (usa["supply_before_t"], usa["supply_after_t"], usa["removed_ids"]) == (3000.0, 0.0, ["mine:AUS"])
    assert usa["carriers"] == []
    base = tiny_client.get(f"{API}/whatif/presets/prc-refining-cutoff").json()
    usa = [x for x in base["data"] if x["demand"] == "USA"][0]
    # realistic: AUS keeps its 1,000 t (rank 2 -> 1/3 of imports); the PRC's 2,000 t are cut off
    assert usa["supply_after_t"] == 1000.0 and [c["id"] for c in usa["carriers"]] == ["out:AUS"]
    assert usa["carriers"][0]["flow_t"] == 1000.0 and usa["shortfall_low_t"] == 0.0
    # bad input: the same rules as the CLI, 422 with the nearest valid value
    bad = tiny_client.post(f"{API}/whatif", json={"remove": [{"countries": ["ZZZ"]}]})
    assert bad.status_code == 422 and "ZZZ" in bad.text
    bad = tiny_client.post(f"{API}/whatif", json={"add": [{"commodity": "lithium", "iso3": "XXX", "capacity_t": 5}]})
    assert bad.status_code == 422 and "unknown country 'XXX'" in bad.text


def test_tiny_geojson(tiny_client):
    n = tiny_client.get(f"{API}/geojson/nodes", params={"kind": "Port"}).json()
    assert n["count"] == 1 and n["features"][0]["geometry"] == {"type": "Point", "coordinates": [121.0, 31.0]}
    assert n["features"][0]["properties"]["id"] == "port:wpi-1"
    e = tiny_client.get(f"{API}/geojson/edges", params={"kind": "TRADES"}).json()
    assert e["count"] == 2 and {f["properties"]["source_id"] for f in e["features"]} == {"country:AUS", "country:CHN"}
    s = tiny_client.get(f"{API}/geojson/whatif/prc-all-cutoff", params={"commodity": "lithium"}).json()
    assert [f["properties"]["role"] for f in s["features"]] == ["carrier"]
    assert tiny_client.get(f"{API}/geojson/whatif/prc-all-cutoff", params={"commodity": "cobalt"}).status_code == 422


# ---------------------------------------------------------------------------------------
# Temporary map folders


def _map_dirs():
    import tempfile
    from pathlib import Path

    return set(Path(tempfile.gettempdir()).glob("minerals-graph-maps-*"))


@pytest.fixture
def tiny_model_with_maps(tiny_model):
    from minerals_graph.model import ModelConfig, SupplyModel

    return SupplyModel.from_graph(tiny_model.G, tiny_model.tables, ModelConfig(with_maps=True))


def test_temporary_maps_removed_on_shutdown(tiny_model_with_maps, monkeypatch):
    from minerals_graph.api import state as st

    def fake_maps(model, out):
        (out / "assets").mkdir(parents=True, exist_ok=True)
        (out / "facilities.html").write_text("<html></html>")
        return {"facilities.html": {"layer": 1}}

    monkeypatch.setattr("minerals_graph.maps.write_model_maps", fake_maps)
    before = _map_dirs()
    app = create_app(model=tiny_model_with_maps)
    with TestClient(app) as c:
        made = _map_dirs() - before
        assert len(made) == 1 and c.get(f"{API}/maps").json()["data"] == ["facilities.html"]
    assert not (_map_dirs() - before) and not any(p.exists() for p in made)
    # a state given to the app and closed by its owner
    s = st.build_state(model=tiny_model_with_maps)
    assert s.temporary and s.maps_dir.exists()
    s.close()
    assert s.maps_dir is None and not (_map_dirs() - before)


def test_temporary_maps_removed_when_start_fails(tiny_model_with_maps, monkeypatch):
    from minerals_graph.api.state import build_state
    from minerals_graph.errors import SourceFormatError

    def broken_maps(model, out):
        (out / "half-written.html").write_text("<html>")
        raise SourceFormatError("natural_earth_admin0_110m/ne_110m_admin_0_countries.zip", None, None, "not a zip")

    monkeypatch.setattr("minerals_graph.maps.write_model_maps", broken_maps)
    before = _map_dirs()
    with pytest.raises(SourceFormatError):
        build_state(model=tiny_model_with_maps)
    with pytest.raises(SourceFormatError), TestClient(create_app(model=tiny_model_with_maps)):
        pass
    assert not (_map_dirs() - before)


# ---------------------------------------------------------------------------------------
# /docs and /redoc render in a real browser with no network


@pytest.fixture
def live_tiny_server(tiny_model):
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(state=AppState(model=tiny_model)), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.mark.parametrize("page, rendered", [("/docs", "opblock"), ("/redoc", "api-content")])
def test_docs_render_in_a_browser_offline(live_tiny_server, chromium, tmp_path, page, rendered):
    import subprocess

    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # no network beyond the loopback server: other hosts resolve to nothing
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1200,800",
        "--virtual-time-budget=10000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    res = subprocess.run(
        [chromium, *flags, "--dump-dom", live_tiny_server + page], capture_output=True, timeout=120, check=False
    )
    dom = res.stdout.decode("utf-8", "replace")
    assert rendered in dom and "/api/v1/nodes" in dom, dom[:2000]


# ---------------------------------------------------------------------------------------
# Fast paths: the response cache, the body limit, the worker factory


def test_repeated_gets_are_answered_from_the_response_cache(tiny_model, monkeypatch):
    app = create_app()
    app.dependency_overrides[get_state] = lambda: AppState(model=tiny_model)
    with TestClient(app) as c:
        url = f"{API}/chokepoints?commodity=lithium"
        first = c.get(url)
        bad = c.get(f"{API}/chokepoints", params={"commodity": "cobalt"})

        def broken():
            raise AssertionError("recomputed")

        monkeypatch.setattr(tiny_model, "chokepoints", broken)
        again = c.get(url)  # the same URL: the bytes sent the first time, nothing recomputed
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["content-type"] == "application/json"
        assert int(again.headers["content-length"]) == len(first.content)
        # another URL is computed (and fails here: nothing was served from a wrong entry)
        with pytest.raises(AssertionError, match="recomputed"):
            c.get(f"{API}/chokepoints?commodity=lithium&limit=3")
        # errors are not kept: the same bad request is checked again
        assert bad.status_code == 422 and c.get(f"{API}/chokepoints", params={"commodity": "cobalt"}).text == bad.text


def test_response_cache_is_bounded_and_keeps_only_json_200():
    import anyio

    from minerals_graph.api.app import ResponseCache

    calls: list[str] = []

    async def inner(scope, receive, send):
        calls.append(scope["path"])
        status, ctype = (404, b"application/json") if "missing" in scope["path"] else (200, b"application/json")
        if "page" in scope["path"]:
            ctype = b"text/html; charset=utf-8"
        body = scope["path"].encode() * 10
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", ctype)]})
        await send({"type": "http.response.body", "body": body})

    cache = ResponseCache(inner, prefix="/api/", max_entries=2, max_bytes=10_000)

    async def get(path: str, method: str = "GET") -> bytes:
        sent: list[dict] = []

        async def send(m):
            sent.append(m)

        scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}
        await cache(scope, None, send)
        return b"".join(m.get("body", b"") for m in sent)

    async def scenario():
        for p in ("/api/a", "/api/b", "/api/a", "/api/c", "/api/a", "/api/b"):
            assert await get(p) == p.encode() * 10
        for p in ("/api/missing", "/api/missing", "/api/page", "/api/page", "/other", "/other"):
            await get(p)
        await get("/api/a", method="POST")

    anyio.run(scenario)
    # a, b computed; a hit; c computed (b dropped: 2 entries at most); a hit; b computed again
    assert calls[:4] == ["/api/a", "/api/b", "/api/c", "/api/b"]
    assert calls[4:] == ["/api/missing"] * 2 + ["/api/page"] * 2 + ["/other"] * 2 + ["/api/a"]
    assert list(cache.entries) == [("/api/a", b""), ("/api/b", b"")] and cache.size == 2 * 60


def test_body_limit_refuses_a_length_that_is_not_a_number(tiny_client):
    r = tiny_client.post(f"{API}/whatif", content=b"{}", headers={"content-length": "2x"})
    assert r.status_code == 413 and "request body over" in r.json()["detail"]


def test_app_factory_for_worker_processes_reads_the_environment(tiny_model, monkeypatch, tmp_path):
    from minerals_graph.api import app as api

    seen: dict = {}

    def fake_build_state(*args, **kwargs):
        seen.update(kwargs)
        return AppState(model=tiny_model)

    monkeypatch.setattr(api, "build_state", fake_build_state)
    monkeypatch.setenv(api.ENV_SOURCES, str(tmp_path))
    monkeypatch.setenv(api.ENV_NO_MAPS, "1")
    monkeypatch.delenv(api.ENV_TRADE, raising=False)
    monkeypatch.delenv(api.ENV_NO_CACHE, raising=False)
    with TestClient(api.app_from_env()) as c:
        assert c.get(f"{API}/health").json()["modelled_commodities"] == ["lithium"]
    cfg = seen["config"]
    assert (cfg.sources, cfg.trade_dir, cfg.with_maps, seen["cache"]) == (tmp_path, None, False, True)
    monkeypatch.setenv(api.ENV_NO_CACHE, "1")
    monkeypatch.delenv(api.ENV_NO_MAPS)
    with TestClient(api.app_from_env()):
        pass
    assert seen["cache"] is False and seen["config"].with_maps is True


def test_lists_assembled_from_serialised_items_are_the_response_models_bytes(tiny_client, tiny_model):
    """Node pages and chokepoints are joined from items serialised once: byte for byte what
    FastAPI sends for ``Page[Node]`` and ``ListOf[Chokepoint]``."""
    from minerals_graph.analysis.chokepoints import rank_chokepoints
    from minerals_graph.api.deps import records
    from minerals_graph.api.models import Chokepoint, ListOf, Node, Page
    from minerals_graph.api.routes.nodes import to_node
    from minerals_graph.lookup import find_nodes

    G = tiny_model.G
    hits = find_nodes(G, kind="Facility")
    for limit, offset in ((1, 0), (2, 1), (100, 0), (5, 50)):
        got = tiny_client.get(f"{API}/nodes", params={"kind": "Facility", "limit": limit, "offset": offset})
        page = [to_node(n, G.nodes[n]) for n in hits[offset : offset + limit]]
        want = Page[Node](data=page, count=len(page), total=len(hits), limit=limit, offset=offset)
        assert got.content == want.model_dump_json().encode() and got.headers["content-type"] == "application/json"
    assert tiny_client.get(f"{API}/nodes", params={"offset": 1000}).json()["data"] == []
    for params in ({"commodity": "lithium", "limit": 1}, {"metric": "betweenness"}, {"stage": "mining"}):
        got = tiny_client.get(f"{API}/chokepoints", params=params)
        df = rank_chokepoints(
            tiny_model.chokepoints(),
            metric=params.get("metric", "n1_loss"),
            **{k: v for k, v in params.items() if k in ("commodity", "stage", "limit")},
        )
        rows = records(df if "limit" in params else df.head(20))
        assert (
            got.content
            == ListOf[Chokepoint].model_validate({"data": rows, "count": len(rows)}).model_dump_json().encode()
        )


def test_state_memo_computes_once_per_key_and_is_bounded(tiny_model, monkeypatch):
    from minerals_graph.api import state as st

    monkeypatch.setattr(st, "DERIVED_ENTRIES", 2)
    s = AppState(model=tiny_model)
    calls: list[str] = []

    def make(k):
        return lambda: calls.append(k) or [k]

    assert s.derived("a", make("a")) == ["a"] and s.derived("a", make("a")) == ["a"]
    s.derived("b", make("b"))
    s.derived("a", make("a"))  # a is now the most recently used
    s.derived("c", make("c"))  # drops b
    s.derived("a", make("a"))
    s.derived("b", make("b"))
    assert calls == ["a", "b", "c", "b"]
