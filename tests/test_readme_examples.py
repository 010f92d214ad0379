"""The README's what-if and chokepoint examples (CLI and curl) run against the tiny model.

The tiny model has one commodity (lithium) and three countries (AUS, CHN, USA): the
examples' commodities are mapped to lithium and Canada to Australia; everything else
(flags, body field names, filter keys, addition keys) is the README's own text, so a
renamed field or key in the README, the CLI or the API fails here.
"""

import json
import re
import shlex
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from minerals_graph.api import create_app
from minerals_graph.api.deps import get_state
from minerals_graph.api.state import AppState
from minerals_graph.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
TINY = {"rare_earths": "lithium", "gallium": "lithium", '"CAN"': '"AUS"', "iso3=CAN": "iso3=AUS"}


def _tiny(text: str) -> str:
    for a, b in TINY.items():
        text = text.replace(a, b)
    return text


def _cli_examples() -> list[str]:
    lines = [ln.split("#", 1)[0].strip() for ln in README.splitlines()]
    cmds = [ln for ln in lines if re.match(r"minerals-graph (whatif|chokepoints)( |$)", ln) and "--trade" not in ln]
    # inline examples in the text: --remove "…" / --add "…"
    for flag, spec in re.findall(r'`(--remove|--add) "([^"]+)"`', README):
        cmds.append(f'minerals-graph whatif {flag} "{spec}"')
    return cmds


def _curl_examples() -> list[tuple[str, str, dict | None]]:
    text = README.replace("\\\n", " ")
    out = []
    for ln in text.splitlines():
        ln = ln.strip()
        if not ln.startswith("curl "):
            continue
        args = shlex.split(ln)
        url = next(a for a in args if a.startswith("http"))
        method = args[args.index("-X") + 1] if "-X" in args else "GET"
        body = json.loads(args[args.index("-d") + 1]) if "-d" in args else None
        out.append((method, url.split("8000", 1)[1], body))
    return out


def test_readme_has_the_examples():
    assert len(_cli_examples()) >= 3 and len(_curl_examples()) >= 3
    assert any(b and "add" in b for _, _, b in _curl_examples())  # the body field is `add`, as the API's


@pytest.mark.parametrize("cmd", _cli_examples())
def test_readme_cli_example_runs(cmd, tiny_model, monkeypatch, capsys):
    from minerals_graph import cli

    monkeypatch.setattr(cli, "_load", lambda args: tiny_model)
    assert main(shlex.split(_tiny(cmd))[1:]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(("method", "path", "body"), _curl_examples())
def test_readme_curl_example_runs(method, path, body, tiny_model):
    app = create_app()
    app.dependency_overrides[get_state] = lambda: AppState(model=tiny_model)
    with TestClient(app) as c:
        path = _tiny(path)
        r = c.get(path) if method == "GET" else c.post(path, json=json.loads(_tiny(json.dumps(body))))
    assert r.status_code == 200, r.text
