"""The installable package: build the wheel from a copy of the checkout, install it into a fresh
virtual environment and run the tool from a folder outside the checkout.

Nothing is downloaded: the wheel is built with ``--no-build-isolation --no-index`` by the
project venv's setuptools, installed with ``--no-deps --no-index``, and the fresh venv sees
the project venv's third-party packages through a ``.pth`` file (its own site-packages, with
the installed ``minerals_graph``, comes first). Marked ``slow`` (about a minute on 2 cores)
but part of the default run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from minerals_graph import settings

pytestmark = pytest.mark.slow

ROOT = settings.REPO_ROOT
#: Top-level entries of the checkout that the build never needs (copying them would be slow).
SKIP = {".venv", ".git", "node_modules", "reports", "maps", "out", "build", "dist", "tests", "benchmarks", "docs"}
SKIP_ANY = shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache", ".pytest_cache")


def _copy_checkout(dest: Path) -> Path:
    """The files a build reads, copied so the build writes nothing into the checkout."""
    dest.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name in SKIP or entry.name.startswith(".") or entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, ignore=SKIP_ANY)
        else:
            shutil.copy2(entry, dest / entry.name)
    # only the npm packages the wheel ships assets from
    for pkg in ("leaflet", "jquery", "leaflet.markercluster", "leaflet-search"):
        if (ROOT / "node_modules" / pkg).is_dir():
            shutil.copytree(ROOT / "node_modules" / pkg, dest / "node_modules" / pkg)
    return dest


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert res.returncode == 0, f"{' '.join(cmd)} -> {res.returncode}\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    return res


def _clean_env(workdir: Path) -> dict[str, str]:
    """The environment of a new user: no project settings, no PYTHONPATH, temp files in workdir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINERALS_GRAPH_") and k != "PYTHONPATH"}
    env["TMPDIR"] = str(workdir / "tmp")
    (workdir / "tmp").mkdir(exist_ok=True)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("package")
    src = _copy_checkout(base / "src")
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    env = _clean_env(base)
    t0 = time.perf_counter()
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist), str(src)], base, env)
    wheels = sorted(dist.glob("minerals_graph-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    vpy = venv / "bin" / "python"
    purelib = Path(
        _run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env).stdout.strip()
    )
    # the project venv's third-party packages, after the new venv's own site-packages
    (purelib / "zz_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([*pip, "--python", str(vpy), "install", "--no-deps", "--no-index", "-q", str(wheels[0])], base, env)
    work = base / "work"  # a user's folder, outside the checkout
    work.mkdir()
    print(f"wheel built and installed in {time.perf_counter() - t0:.1f} s")
    return {"wheel": wheels[0], "venv": venv, "python": vpy, "purelib": purelib, "work": work, "base": base}


def test_wheel_contents(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for p in (ROOT / "src" / "minerals_graph").rglob("*.py"):
        assert p.relative_to(ROOT / "src").as_posix() in names, f"{p} is not in the wheel"
    for p in (ROOT / "cypher").rglob("*.cypher"):
        assert f"minerals_graph/cypher/{p.relative_to(ROOT / 'cypher').as_posix()}" in names
    for p in (ROOT / "data").rglob("*"):
        if p.is_file() and p.suffix in (".csv", ".md"):
            assert f"minerals_graph/data/{p.relative_to(ROOT / 'data').as_posix()}" in names
    if (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():
        for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/LICENSE", "jquery/jquery.min.js"):
            assert f"minerals_graph/assets/{name}" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "node_modules/")) for n in names)


def test_installed_settings_point_inside_the_package(installed):
    code = (
        "import json, minerals_graph as m; from minerals_graph import settings as s; "
        "print(json.dumps({k: str(v) for k, v in dict(pkg=m.__file__, data=s.DATA_DIR, leaflet=s.LEAFLET_DIST, "
        "jquery=s.JQUERY_DIST, maps=s.MAPS_DIR, reports=s.REPORTS_DIR, checkout=s.IN_CHECKOUT).items()}))"
    )
    env = _clean_env(installed["work"])
    out = json.loads(_run([str(installed["python"]), "-c", code], installed["work"], env).stdout)
    pkg = Path(out["pkg"]).parent
    assert pkg.is_relative_to(installed["purelib"]), out
    assert Path(out["data"]) == pkg / "data" and (pkg / "data" / "commodities.csv").is_file()
    assert (pkg / "data" / "register" / "FORMAT.md").is_file()
    if (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():
        assert Path(out["leaflet"]) == pkg / "assets" / "leaflet" and (pkg / "assets/leaflet/leaflet.js").is_file()
        assert (Path(out["jquery"]) / "jquery.min.js").is_file()
    assert (out["maps"], out["reports"], out["checkout"]) == ("maps", "reports", "False")


def test_installed_build_and_whatif(installed):
    work, env = installed["work"], _clean_env(installed["work"])
    exe = str(installed["venv"] / "bin" / "minerals-graph")
    _run([exe, "build"], work, env)
    assert (work / "out" / "graph.graphml").stat().st_size > 100_000  # the default output, in the current folder
    res = _run(
        [exe, "whatif", "--preset", "prc-refining-cutoff", "--commodity", "gallium", "--format", "csv"], work, env
    )
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("commodity,") and len(lines) > 1
    assert all(line.startswith("gallium,") for line in lines[1:]), res.stdout[:500]
    assert not any(installed["venv"].rglob("*.graphml")), "an output was written inside the virtual environment"


def test_installed_serve(installed):
    work, env = installed["work"], _clean_env(installed["work"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = str(installed["venv"] / "bin" / "minerals-graph")
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-maps", "--no-cache"],
        cwd=work,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline, body = time.monotonic() + 120, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
                    assert r.status == 200
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, (work / "serve.log").read_text()[-3000:]
        assert body.get("version")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_installed_maps_use_packaged_assets(installed):
    if not (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():
        pytest.skip("node_modules not installed: the wheel was built without map assets")
    work, env = installed["work"], _clean_env(installed["work"])
    exe = str(installed["venv"] / "bin" / "minerals-graph")
    _run([exe, "map", "--out", "maps"], work, env)
    assert (work / "maps" / "assets" / "leaflet" / "leaflet.js").is_file()
    assert (work / "maps" / "assets" / "jquery.min.js").is_file()
    assert (work / "maps" / "assets" / "markercluster" / "leaflet.markercluster.js").is_file()
    assert (work / "maps" / "assets" / "leaflet-search" / "dist" / "leaflet-search.min.js").is_file()
    assert (work / "maps" / "facilities.html").is_file()


def test_installed_missing_data_setting_is_one_line(installed):
    work, env = installed["work"], _clean_env(installed["work"])
    env["MINERALS_GRAPH_DATA"] = str(work / "no-such-folder")
    res = subprocess.run(
        [str(installed["venv"] / "bin" / "minerals-graph"), "build", "--out", "out/x.graphml"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
    assert "no-such-folder" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
