"""Bad input on the command line: every command with bad values ends in one line on stderr
naming the value (and the nearest valid choice), a non-zero exit, never a traceback; error
hints name commands that exist; analysis commands say when their inputs had rejects."""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minerals_graph import settings
from minerals_graph.cli import main

SRC = Path(__file__).resolve().parents[1] / "src" / "minerals_graph"

BAD = [
    # checked while parsing, before anything is built
    (["chokepoints", "--limit", "-3"], "argument --limit: -3: expected 1 or more"),
    (["chokepoints", "--limit", "0"], "expected 1 or more"),
    (["chokepoints", "--limit", "many"], "'many' is not a whole number"),
    (["chokepoints", "--stage", "nonsense"], "argument --stage: 'nonsense' is not a valid stage; valid: mining"),
    (["chokepoints", "--stage", "refinning"], "did you mean 'refining'"),
    (["chokepoints", "--commodity", "unobtainium"], "commodity 'unobtainium' is not known"),
    (["chokepoints", "--commodity", "lithum"], "did you mean 'lithium'"),
    (["dependence", "bands", "--list", "2023"], "invalid choice: 2023"),
    (["dependence", "bands", "--year", "abc"], "'abc' is not a year"),
    (["dependence", "bands", "--year", "20245"], "expected a data year"),
    (["dependence", "prc", "--year", "2024"], "--year 2024: only for 'dependence nir' or 'bands'"),
    (["dependence", "nir", "--counts"], "--counts True: only for 'dependence bands'"),
    (["dependence", "nri"], "did you mean 'nir'"),
    (["export", "nodes", "--kind", "Spaceship"], "--kind 'Spaceship': not a kind of node"),
    (["export", "nodes", "--kind", "facility"], "did you mean 'Facility'"),
    (["export", "edges", "--kind", "Facility"], "not a kind of edge"),
    (["export", "graph", "--kind", "Facility"], "only for 'export nodes' or 'export edges'"),
    (["export", "nodes", "--format", "graphml"], "not a format of 'export nodes'"),
    (["export", "nodes", "--format", "gpkg"], "only for 'export geo'"),
    (["export", "geo", "--format", "csv"], "not a format of 'export geo'"),
    (["export", "spaceships"], "invalid choice: 'spaceships'"),
    (["export", "graph", "--out", "g.txt"], "--out 'g.txt': expected a .graphml or .json file name"),
    (["build", "--out", "g.csv"], "--out 'g.csv': expected a .graphml or .json file name"),
    (["serve", "--port", "99999"], "a TCP port is 1 to 65535"),
    (["serve", "--port", "0"], "a TCP port is 1 to 65535"),
    (["serve", "--port", "http"], "'http' is not a port number"),
    (["neo4j", "load", "--batch-size", "0"], "expected 1 or more"),
    (["summary", "--commodities", "--countries"], "not allowed with argument"),
    (["sumary"], "did you mean 'summary'"),
    (["validate", "--format", "xml"], "invalid choice: 'xml'"),
    # checked against the data, right after the load
    (["dependence", "bands", "--year", "1999"], "--year 1999: no USGS net import reliance"),
    (["dependence", "nir", "--year", "1999"], "--year 1999: no net import reliance for that year"),
    (["chokepoints", "--commodity", "cement"], "--commodity 'cement': not modelled"),
    (["dependence", "prc", "--commodity", "cement"], "not modelled"),
    (["controls", "--country", "ZZZ"], "--country 'ZZZ': not an ISO3 code of a country in the graph"),
    (["controls", "--country", "China"], "did you mean 'CHN'"),
    (["controls", "--country", "chn"], "did you mean 'CHN'"),
    (["whatif", "--preset", "prc-refining-cutoff", "--commodity", "unobtainium"], "'unobtainium'"),
    (["validate", "--sources", "/nonexistent/minerals"], "sources directory not found"),
    (["build", "--sources", "/nonexistent/minerals"], "sources directory not found"),
]


@pytest.mark.parametrize("argv, text", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_value_is_one_line_and_non_zero(argv, text, capsys):
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse: errors while parsing
        rc = exc.code
    out = capsys.readouterr()
    lines = [x for x in out.err.splitlines() if x.strip()]
    assert rc not in (0, None), out
    assert len(lines) == 1, out.err
    assert "Traceback" not in out.err and "Traceback" not in out.out
    assert lines[0].startswith("minerals-graph") and "error:" in lines[0]
    assert text in lines[0], lines[0]


def test_serve_on_a_bad_port_fails_before_building():
    start = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "minerals_graph", "serve", "--port", "99999"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "a TCP port is 1 to 65535" in r.stderr and time.monotonic() - start < 8


def test_serve_on_a_busy_port_is_one_line_before_building(capsys, monkeypatch):
    from minerals_graph.model import SupplyModel

    def no_build(*a, **k):  # the bind is checked first: nothing may be built
        raise AssertionError("built before binding")

    monkeypatch.setattr(SupplyModel, "load", no_build)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--no-maps"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err


def test_unexpected_library_errors_are_one_line(monkeypatch, capsys):
    from minerals_graph.model import SupplyModel

    def bug(*a, **k):
        raise KeyError("country:XXX")

    monkeypatch.setattr(SupplyModel, "load", bug)
    assert main(["summary"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected KeyError in summary" in err and "Traceback" not in err
    assert main(["-v", "summary"]) == 3
    assert "Traceback" in capsys.readouterr().err  # -v shows it


def test_build_and_source_errors_are_minerals_graph_errors(tmp_path):
    """A table that does not hold together, a corrupted Natural Earth zip: library errors
    of the one tree, which the CLI prints as one line."""
    from minerals_graph.errors import GraphBuildError, MineralsGraphError, SourceFormatError
    from minerals_graph.sources.natural_earth import FILE, read_country_polygons

    assert issubclass(GraphBuildError, MineralsGraphError)
    bad = tmp_path / FILE
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(SourceFormatError):
        read_country_polygons(tmp_path)


def test_multi_line_errors_are_one_line():
    from minerals_graph.cli import _one_line
    from minerals_graph.errors import ValidationError

    assert _one_line(ValidationError(["x: 1", "y: 2"])) == "2 problem(s) found: x: 1 (and 1 more; -v shows them)"
    assert _one_line(ValueError("plain")) == "plain"


# ---------------------------------------------------------------------------------------
# Hints name commands that exist


def _hints() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"`minerals-graph ([^`]+)`", text):
            hint = re.sub(r"\{[^}]*\}", "", m.group(1))  # f-string fields
            found.append((f"{path.relative_to(SRC)}", hint))
    return found


def test_hints_are_found():
    assert any("summary --commodities" in h for _, h in _hints())
    assert any(h.startswith("validate") for _, h in _hints())


@pytest.mark.parametrize("where, hint", _hints(), ids=[f"{w}: {h}" for w, h in _hints()])
def test_every_hint_names_a_real_command_and_options(where, hint, capsys):
    tokens = shlex.split(hint)
    with pytest.raises(SystemExit) as exc:
        main([tokens[0], "--help"])
    assert exc.value.code == 0, f"{where}: `minerals-graph {hint}`: no command {tokens[0]!r}"
    help_text = capsys.readouterr().out
    for tok in tokens[1:]:
        if tok.startswith("--"):
            assert tok.split("=")[0] in help_text, f"{where}: `minerals-graph {hint}`: {tokens[0]} has no {tok}"


def test_summary_lists_commodities_and_countries(capsys):
    assert main(["summary", "--commodities", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("id,name,") and "\nlithium," in out and ",modelled" in out.splitlines()[0]
    assert main(["summary", "--countries", "--format", "csv"]) == 0
    assert "\nCHN,China" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# Analysis commands say when their inputs had rejects


def test_analysis_warns_about_rejected_inputs(tmp_path, capsys):
    d = tmp_path / "data"
    shutil.copytree(settings.DATA_DIR, d)
    prod = (d / "production.csv").read_text().splitlines()
    i = next(k for k, line in enumerate(prod) if line.startswith("country:CHN,gallium,"))
    cells = prod[i].split(",")
    cells[4] = "six hundred thousand"
    prod[i] = ",".join(cells)
    (d / "production.csv").write_text("\n".join(prod) + "\n")
    assert main(["chokepoints", "--commodity", "gallium", "--limit", "1", "--format", "csv", "--sources", str(d)]) == 0
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and err[0].startswith("warning: the inputs had ") and "rejected" in err[0]
    assert f"`minerals-graph validate --sources {d} --rejects rejects.csv`" in err[0]
    # the bundled data has no rejects: no warning
    assert main(["chokepoints", "--commodity", "gallium", "--limit", "1", "--format", "csv"]) == 0
    assert capsys.readouterr().err.strip() == ""


@pytest.mark.shared
def test_raw_files_garbled_number_warns_and_corrupted_zip_is_one_line(shared, tmp_path, capsys):
    src = tmp_path / "shared"
    shutil.copytree(shared, src)
    galli = src / "usgs_mcs2024" / "world" / "mcs2024-galli_world.csv"
    galli.write_bytes(
        galli.read_bytes().replace(
            b"China,Primary production,600000,600000", b"China,Primary production,600000,six hundred thousand"
        )
    )
    assert (
        main(["chokepoints", "--commodity", "gallium", "--limit", "1", "--format", "csv", "--sources", str(src)]) == 0
    )
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and "not in the documented known_rejects.csv" in err[0], err
    assert f"minerals-graph validate --sources {src} --rejects" in err[0]

    from minerals_graph.sources.natural_earth import FILE

    (src / FILE).write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    assert main(["summary", "--sources", str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and FILE in err
