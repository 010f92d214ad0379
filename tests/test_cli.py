import json

import pytest

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


def test_build_and_run(tmp_path, capsys, data_graph):
    from tests.conftest import counting_network_builds

    from minerals_graph.analysis.dependence import modelled_commodities

    assert main(["build", "--out", str(tmp_path / "g.json")]) == 0
    assert (tmp_path / "g.json").stat().st_size > 1000
    with counting_network_builds() as builds:
        assert main(["run", "--out", str(tmp_path / "rep"), "--maps", str(tmp_path / "maps")]) == 0
    # chokepoints, PRC exposure, the cut-off, the report and the maps share one build per commodity
    assert set(builds) == set(modelled_commodities(data_graph)) and set(builds.values()) == {1}
    assert (tmp_path / "maps" / "facilities.html").exists()
    assert {p.name for p in (tmp_path / "rep").iterdir()} >= {
        "graph.graphml",
        "accounting.csv",
        "report.md",
        "net_import_reliance.csv",
        "nir_bands_2023.csv",
        "nir_bands_2024.csv",
        "prc_exposure.csv",
        "chokepoints.csv",
        "whatif_prc-refining-cutoff.csv",
        "whatif_prc_export_controls.csv",
        "transshipment_flags.csv",
        "invest_prc-refining-cutoff.csv",
        "trace_USA.csv",
    }
    assert "PRC refining cut-off" in (tmp_path / "rep" / "report.md").read_text()
    assert (tmp_path / "maps" / "policy.html").exists()
    assert "data:image/png;base64," in (tmp_path / "rep" / "report.html").read_text()
    assert {p.name for p in (tmp_path / "rep" / "figures").iterdir()} >= {
        "cutoff_shortfall.png",
        "cutoff_shortfall.svg",
    }


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


def test_whatif_preset_and_filters(tmp_path, capsys):
    out = tmp_path / "w.csv"
    assert (
        main(
            [
                "whatif",
                "--preset",
                "prc-refining-cutoff",
                "--commodity",
                "rare_earths",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    import pandas as pd

    df = pd.read_csv(out)
    usa = df[df.demand == "USA"].iloc[0]
    assert usa.status == "modelled" and usa.removed_nodes > 0 and usa.supply_after_proportional_t < usa.demand_t
    assert (
        main(
            [
                "whatif",
                "--remove",
                "country=CHN;stage=separation",
                "--add",
                "commodity=rare_earths,iso3=USA,capacity_t=5000,stage=separation",
                "--commodity",
                "rare_earths",
                "--format",
                "json",
            ]
        )
        == 0
    )


def test_whatif_bad_input_is_one_line(capsys):
    assert main(["whatif", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err
    assert main(["whatif", "--remove", "country=China"]) == 2
    assert "not ISO3 codes" in capsys.readouterr().err
    assert main(["whatif", "--preset", "prc-refining-cutoff", "--commodity", "unobtainium"]) == 2
    assert "'unobtainium'" in capsys.readouterr().err


def test_dependence_and_chokepoints_commands(capsys):
    assert main(["dependence", "bands", "--year", "2023", "--counts", "--format", "csv"]) == 0
    assert "100%," in capsys.readouterr().out
    assert main(["chokepoints", "--commodity", "gallium", "--limit", "3", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("commodity,") and "CHN" in out


def test_map_and_geo_export_commands(tmp_path, capsys):
    assert main(["map", "--out", str(tmp_path / "m")]) == 0
    assert "facilities.html" in capsys.readouterr().out
    assert main(["export", "geo", "--format", "gpkg", "--out", str(tmp_path / "g")]) == 0
    assert (tmp_path / "g" / "minerals-graph.gpkg").exists()
    assert main(["export", "nodes", "--format", "gpkg"]) == 2


def _copy_shared(shared, tmp_path):
    import shutil

    dst = tmp_path / "shared"
    shutil.copytree(shared, dst)
    return dst


@pytest.mark.shared
def test_strict_validate_passes_untouched_and_names_a_truncated_or_garbled_file(shared, tmp_path, capsys):
    assert main(["validate", "--sources", str(shared), "--strict", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)  # stdout is JSON only
    assert doc["ok"] is True and doc["manifest_problems"] == []

    src = _copy_shared(shared, tmp_path)
    wpi = src / "nga_world_port_index" / "UpdatedPub150.csv"
    wpi.write_bytes(wpi.read_bytes()[: len(wpi.read_bytes()) // 2].rsplit(b"\n", 1)[0] + b"\n")
    galli = src / "usgs_mcs2024" / "world" / "mcs2024-galli_world.csv"
    galli.write_bytes(
        galli.read_bytes().replace(
            b"China,Primary production,600000,600000", b"China,Primary production,600000,six hundred thousand"
        )
    )
    assert main(["validate", "--sources", str(src), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "nga_world_port_index/UpdatedPub150.csv: content differs from the manifest" in err
    assert "truncated" in err
    assert "usgs_mcs2024/world/mcs2024-galli_world.csv" in err
    # without --strict the same files validate (every row still accounted), with a warning
    assert main(["validate", "--sources", str(src)]) == 0
    assert "differ from sources_manifest.csv" in capsys.readouterr().err
