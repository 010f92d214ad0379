import json

from minerals_graph.cli import main


def test_validate_strict_on_embedded_default(capsys):
    assert main(["validate", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "OK: every row is accounted for" in out and "TOTAL read" in out


def test_summary_shows_country_by_stage(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "register facilities by country x stage" in out and "CHN" in out


def test_export_nodes_json(tmp_path, capsys):
    out = tmp_path / "n.json"
    assert main(["export", "nodes", "--format", "json", "--kind", "Facility", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())) > 300


def test_build_and_run(tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path / "g.json")]) == 0
    assert (tmp_path / "g.json").stat().st_size > 1000
    assert main(["run", "--out", str(tmp_path / "rep")]) == 0
    assert {p.name for p in (tmp_path / "rep").iterdir()} >= {"graph.graphml", "accounting.csv", "summary.md"}


def test_bad_sources_dir_is_one_clear_line(tmp_path, capsys):
    assert main(["validate", "--sources", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("minerals-graph: error: sources directory not found") and "Traceback" not in err


def test_broken_curated_table_names_file_row_field(tmp_path, capsys):
    import shutil

    from minerals_graph import settings

    d = tmp_path / "data"
    shutil.copytree(settings.DATA_DIR, d)
    text = (d / "trades.csv").read_text().splitlines()
    text[3] = ",".join([""] * len(text[0].split(",")))
    (d / "trades.csv").write_text("\n".join(text) + "\n")
    assert main(["validate", "--strict", "--sources", str(d)]) == 1
    err = capsys.readouterr().err
    assert "data/trades.csv: 1 row(s) rejected" in err
