"""CLI commands of the policy tools on the bundled data."""

import json

import pandas as pd

from minerals_graph.cli import main


def test_transshipment_cli_writes_flags(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert main(["transshipment", "--test", "mass-balance", "--format", "csv", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) > 0 and df["flag"].all() and set(df["test"]) == {"mass-balance"}


def test_trace_cli_json_and_csv(tmp_path, capsys):
    j = tmp_path / "p.json"
    assert main(["trace", "--commodity", "rare_earths", "--from", "USA", "--format", "json", "--out", str(j)]) == 0
    p = json.loads(j.read_text())
    assert p["commodity"] == "rare_earths" and [s["stage"] for s in p["stages"]] == ["separation", "mining"]
    assert 0 < p["chn_located_any_stage_pct"] <= 100 and 0 < p["chn_controlled_any_stage_pct"] <= 100
    assert main(["trace", "--commodity", "rare_earths", "--from", "USA"]) == 0
    assert "passed through a CHN-located node" in capsys.readouterr().out
    assert main(["trace", "--commodity", "rare_earths", "--from", "ATLANTIS"]) != 0
    assert "not USA, CAN, MEX, USMCA or a plant" in capsys.readouterr().err


def test_invest_cli_with_user_candidates(tmp_path, capsys):
    c = tmp_path / "c.csv"
    c.write_text("id,name,iso3,commodity,stage,capacity_t\nu1,User plant,USA,rare_earths,separation,1000\n")
    out = tmp_path / "i.csv"
    assert (
        main(["invest", "--candidates", str(c), "--commodity", "rare_earths", "--format", "csv", "--out", str(out)])
        == 0
    )
    df = pd.read_csv(out)
    assert "u1" in set(df["id"]) and df["ranked"].all()
    assert main(["invest", "--budget-count", "2"]) == 0
    assert "best combination (prc-refining-cutoff, budget 2 projects)" in capsys.readouterr().out


def test_whatif_list_presets_and_run_an_export_control(tmp_path, capsys):
    out = tmp_path / "p.csv"
    assert main(["whatif", "--list-presets", "--format", "csv", "--out", str(out)]) == 0
    df = pd.read_csv(out).set_index("name")
    assert df.loc["prc-export-control-graphite", "in_force_since"] == "2023-12-01"
    assert "No. 39 of 2023" in df.loc["prc-export-control-graphite", "citations"]
    res = tmp_path / "w.json"
    assert main(["whatif", "--preset", "prc-export-control-graphite", "--format", "json", "--out", str(res)]) == 0
    rows = json.loads(res.read_text())
    assert {r["commodity"] for r in rows} == {"graphite"}
    assert main(["whatif", "--preset", "prc-export-control-grafite"]) != 0
    assert "did you mean 'prc-export-control-graphite'" in capsys.readouterr().err


def test_policy_commands_check_countries_and_commodities(capsys):
    assert main(["transshipment", "--country", "ZZZ"]) == 2
    assert "--country 'ZZZ'" in capsys.readouterr().err
    assert main(["transshipment", "--commodity", "barite", "--all"]) == 0
    assert main(["invest", "--commodity", "cement"]) == 2
    assert "not modelled" in capsys.readouterr().err
