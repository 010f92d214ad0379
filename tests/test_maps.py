"""Maps render offline in a real headless Chromium: markers, lines, legend, layer control."""

import io
import re
import subprocess
import uuid

import pytest

from minerals_graph import maps

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # no network: every host resolves to nothing and every request goes to a dead proxy
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1200,800",
    "--virtual-time-budget=8000",
]


def _chrome(chromium, tmp_path, *args):
    profile = tmp_path / f"profile-{uuid.uuid4().hex}"
    res = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, timeout=120, check=False
    )
    return res.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def written(data_graph, data_tables, tmp_path_factory, shared):
    """The maps exactly as the main job and the API write them: from one SupplyModel."""
    from minerals_graph.model import SupplyModel

    out = tmp_path_factory.mktemp("maps")
    shown = maps.write_model_maps(SupplyModel.from_graph(data_graph, data_tables), out)
    return out, shown


def test_pages_load_nothing_from_the_internet(written):
    out, shown = written
    assert set(shown) == {
        "facilities.html",
        "ports.html",
        "trade.html",
        "chokepoints.html",
        "scenario_prc-refining-cutoff.html",
        "import_reliance.html",
    }
    for page in shown:
        text = (out / page).read_text()
        refs = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', text)
        assert refs and all(not r.startswith(("http:", "https:", "//")) for r in refs), (page, refs)
    assert (out / "assets/leaflet/leaflet.js").exists() and (out / "assets/jquery.min.js").exists()


@pytest.mark.parametrize(
    "page",
    [
        "facilities.html",
        "ports.html",
        "trade.html",
        "chokepoints.html",
        "scenario_prc-refining-cutoff.html",
        "import_reliance.html",
    ],
)
def test_page_renders_offline_with_markers_legend_and_layer_control(written, chromium, tmp_path, page):
    out, shown = written
    dom = _chrome(chromium, tmp_path, "--dump-dom", f"file://{out / page}")
    paths = dom.count('class="leaflet-interactive"')
    assert "leaflet-control-layers" in dom and 'id="mg-legend"' in dom and 'id="mg-title"' in dom
    polygons = 0 if page == "import_reliance.html" else 177  # Natural Earth base layer
    if page in ("facilities.html", "ports.html"):  # every layer is shown by default
        assert paths == polygons + sum(shown[page].values())
    elif page == "import_reliance.html":
        assert paths == 177
    else:
        assert paths > polygons
    png = tmp_path / "shot.png"
    _chrome(chromium, tmp_path, f"--screenshot={png}", f"file://{out / page}")
    from PIL import Image, ImageStat

    img = Image.open(io.BytesIO(png.read_bytes())).convert("RGB")
    assert img.size == (1200, 800)
    assert max(ImageStat.Stat(img).stddev) > 10  # not blank
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 20


def test_cdn_option(data_graph, tmp_path):
    maps.ports_map(data_graph, tmp_path / "p.html", offline=False)
    text = (tmp_path / "p.html").read_text()
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js" in text


def test_missing_assets_is_a_clear_error(tmp_path):
    from minerals_graph.errors import MineralsGraphError

    with pytest.raises(MineralsGraphError, match="offline map assets not found"):
        maps.install_assets(tmp_path, leaflet_dist=tmp_path / "nope")
