"""The policy-tool endpoints (transshipment, trace, invest) and the export-control presets,
through FastAPI's TestClient on the bundled data (no maps)."""

import pytest
from fastapi.testclient import TestClient

from minerals_graph.api import create_app
from minerals_graph.model import ModelConfig, SupplyModel

API = "/api/v1"


@pytest.fixture(scope="module")
def model(data_tables, data_graph):
    return SupplyModel.from_graph(data_graph, data_tables, ModelConfig(with_maps=False))


@pytest.fixture(scope="module")
def client(model):
    with TestClient(create_app(model=model, with_maps=False)) as c:
        yield c


def test_transshipment_filters_and_equals_the_model(client, model):
    r = client.get(f"{API}/transshipment", params={"test": "mass-balance"})
    assert r.status_code == 200
    rows = r.json()["data"]
    want = model.transshipment()
    want = want[(want["test"] == "mass-balance") & want["flag"].astype(bool)]
    assert [(x["country"], x["hs6"]) for x in rows] == list(zip(want["country"], want["hs6"], strict=True))
    assert all(x["flag"] for x in rows) and rows
    every = client.get(f"{API}/transshipment", params={"flagged": "false", "limit": 5000}).json()["count"]
    assert every == len(model.transshipment())
    assert client.get(f"{API}/transshipment", params={"test": "nope"}).status_code == 422
    assert client.get(f"{API}/transshipment", params={"country": "XXX"}).status_code == 422


def test_trace_json_equals_the_python_trace(client, model):
    r = client.get(f"{API}/trace", params={"commodity": "rare_earths", "from": "USA"})
    assert r.status_code == 200
    body = r.json()
    py = model.trace("rare_earths", "USA")
    assert body["from"] == "USA" and body["stages"][0]["location"] == py["stages"][0]["location"]
    assert body["chn_located_any_stage_pct"] == py["chn_located_any_stage_pct"]
    assert {x["by"] for x in body["rows"]} == {"location", "control"}
    assert client.get(f"{API}/trace", params={"commodity": "rare_earths", "from": "nowhere"}).status_code == 404
    assert client.get(f"{API}/trace", params={"commodity": "unobtainium", "from": "USA"}).status_code == 422
    assert client.get(f"{API}/trace", params={"commodity": "rare_earths"}).status_code == 422


def test_invest_ranks_and_takes_user_candidates(client, model):
    r = client.post(f"{API}/invest", json={"budget_count": 2})
    assert r.status_code == 200
    body = r.json()
    df, summary = model.invest(budget_count=2)
    assert [c["id"] for c in body["combination"]["chosen"]] == [c["id"] for c in summary["chosen"]]
    assert len(body["combination"]["chosen"]) == 2
    ranked = [x for x in body["data"] if x["ranked"]]
    assert ranked[0]["rank"] == 1 and ranked[0]["reduction_t"] >= ranked[-1]["reduction_t"]
    user = {"id": "u1", "name": "User plant", "iso3": "USA", "commodity": "rare_earths", "stage": "separation"}
    r = client.post(
        f"{API}/invest", json={"commodities": ["rare_earths"], "candidates": [{**user, "capacity_t": 1000}]}
    )
    assert r.status_code == 200
    mine = next(x for x in r.json()["data"] if x["id"] == "u1")
    assert mine["ranked"] and mine["reduction_t"] == pytest.approx(1000.0)  # the U.S. gap exceeds 1 kt
    bad = client.post(f"{API}/invest", json={"candidates": [{**user, "capacity_t": -5}]})
    assert bad.status_code == 422
    assert client.post(f"{API}/invest", json={"scenario": "nope"}).status_code == 404
    assert client.post(f"{API}/invest", json={"extra": 1}).status_code == 422


def test_presets_list_export_controls_with_citations_and_run(client):
    r = client.get(f"{API}/whatif/presets")
    names = {p["name"]: p for p in r.json()["data"]}
    g = names["prc-export-control-gallium"]
    assert g["kind"] == "export-control" and g["date"] == "2023-08-01" and g["commodities"] == ["gallium"]
    assert any("Announcement No. 23 of 2023" in c["label"] for c in g["citations"])
    assert {"prc-refining-cutoff", "prc-export-controls-all"} <= set(names)
    rows = client.get(f"{API}/whatif/presets/prc-export-control-gallium").json()["data"]
    usa = next(x for x in rows if x["demand"] == "USA")
    assert usa["commodity"] == "gallium" and usa["shortfall_t"] > 0
    assert "exports to USA stopped" in usa["reason"]
