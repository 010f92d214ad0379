"""Maps render offline in a real headless Chromium: markers or lines, a legend naming the
commodity layers, search boxes, the scenario's shortfall table, the unlocated-node note and
a layer control; pages stay small on the full data. Screenshots of every page go to
``reports/screenshots/`` (ignored by git) for review."""

import io
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from minerals_graph import maps
from minerals_graph.schema import commodity_by_id

PAGES = [
    "facilities.html",
    "ports.html",
    "trade.html",
    "chokepoints.html",
    "scenario_prc-refining-cutoff.html",
    "policy.html",
    "import_reliance.html",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports" / "screenshots"
MAX_PAGE_BYTES = 1_500_000
COUNTRIES = 177  # Natural Earth 1:110m base layer

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


def _screenshot(chromium, tmp_path, page: Path, name: str):
    """Screenshot ``page`` into reports/screenshots/``name`` and return it as an RGB image."""
    from PIL import Image

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = SCREENSHOTS / name
    _chrome(chromium, tmp_path, f"--screenshot={png}", f"file://{page}")
    return Image.open(io.BytesIO(png.read_bytes())).convert("RGB")


@pytest.fixture(scope="module")
def written(data_graph, data_tables, tmp_path_factory, shared):
    """The maps exactly as the main job and the API write them: from one SupplyModel."""
    from minerals_graph.model import SupplyModel

    out = tmp_path_factory.mktemp("maps")
    shown = maps.write_model_maps(SupplyModel.from_graph(data_graph, data_tables), out)
    return out, shown


def test_pages_load_nothing_from_the_internet(written):
    out, shown = written
    assert set(shown) == set(PAGES)
    for page in shown:
        text = (out / page).read_text()
        refs = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', text)
        assert refs and all(not r.startswith(("http:", "https:", "//")) for r in refs), (page, refs)
        assert all((out / r).is_file() for r in refs), (page, refs)
    for asset in (
        "leaflet/leaflet.js",
        "jquery.min.js",
        "markercluster/leaflet.markercluster.js",
        "leaflet-search/dist/leaflet-search.min.js",
        "leaflet-search/images/search-icon.png",
        "countries.js",
        "mg-maps.js",
    ):
        assert (out / "assets" / asset).is_file(), asset


def _text(dom: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</div>', dom, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_with_markers_legend_and_notes(written, chromium, tmp_path, page):
    out, shown = written
    dom = _chrome(chromium, tmp_path, "--dump-dom", f"file://{out / page}")
    assert "leaflet-control-layers" in dom and 'id="mg-legend"' in dom and 'id="mg-title"' in dom
    # markers, lines or polygons drawn (cluster icons count: they stand for markers)
    drawn = dom.count('class="leaflet-interactive"') + dom.count("leaflet-marker-icon marker-cluster")
    assert drawn > (COUNTRIES if page != "import_reliance.html" else COUNTRIES - 1), (page, drawn)
    assert sum(shown[page].values()) > 0
    # the note on nodes without coordinates
    note = _text(dom, "mg-unlocated")
    assert re.search(r"Not shown: [\d,]+ |All [\d,]+ .* shown|Every .* shown", note), (page, note)
    if page == "facilities.html":
        assert re.search(r"Not shown: [\d,]+ of [\d,]+ sites and plants", note)
    # the legend names the commodity layers on the page (the ones shown by default)
    if page in ("facilities.html", "trade.html", "chokepoints.html", "scenario_prc-refining-cutoff.html"):
        m = re.search(r'id="mg-legend"(.*?)id="mg-unlocated"', dom, re.S)
        legend = re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""
        names = list(shown[page]) if page == "facilities.html" else [commodity_by_id(c).name for c in shown[page]]
        assert any(n in legend for n in names), (page, legend[:300])
    if page in ("facilities.html", "ports.html"):
        assert "leaflet-control-search" in dom and "search-input" in dom
        assert "marker-cluster" in dom  # dense layers are clustered
    if page == "ports.html" and shown[page].get("gateway"):
        assert dom.count("mg-label") >= shown[page]["gateway"]  # gateway ports labelled
    if page == "policy.html":
        assert re.search(r"<tr><td>1</td><td>", dom), "policy ranking table missing"
        assert "Transshipment flags" in dom or not any(k.startswith("transshipment") for k in shown[page])
    if page == "scenario_prc-refining-cutoff.html":
        side = re.search(r'<div id="mg-side">.*?</table>', dom, re.S)
        assert side, "scenario side table missing"
        rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?) - (.*?)</td>", side.group(0))
        assert rows and any(name == commodity_by_id(c).name for name, *_ in rows for c in shown[page])
        assert all(re.search(r"\d|n/a", cell) for row in rows for cell in row[1:]), rows[:3]
    from PIL import ImageStat

    img = _screenshot(chromium, tmp_path, out / page, page.replace(".html", ".png"))
    assert img.size == (1200, 800)
    assert max(ImageStat.Stat(img).stddev) > 10  # not blank
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 20


def test_pages_on_the_full_data_stay_small(raw_graph, raw_tables, tmp_path, chromium):
    """Every page under 1.5 MB with all public files loaded (assets shared, not counted)."""
    from minerals_graph.model import SupplyModel

    out = tmp_path / "full"
    shown = maps.write_model_maps(SupplyModel.from_graph(raw_graph, raw_tables), out)
    sizes = {page: (out / page).stat().st_size for page in shown}
    assert all(v < MAX_PAGE_BYTES for v in sizes.values()), sizes
    assert sum(shown["ports.html"].values()) > 3000 and sum(shown["facilities.html"].values()) > 1000
    for page in shown:
        _screenshot(chromium, tmp_path, out / page, "full-" + page.replace(".html", ".png"))


def test_cdn_option(data_graph, tmp_path):
    maps.ports_map(data_graph, tmp_path / "p.html", offline=False)
    text = (tmp_path / "p.html").read_text()
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js" in text
    assert "leaflet.markercluster@1.5.3" in text and "leaflet-search@4.0.0" in text


def test_missing_assets_is_a_clear_error(tmp_path):
    from minerals_graph.errors import MineralsGraphError

    with pytest.raises(MineralsGraphError, match="offline map assets not found"):
        maps.install_assets(tmp_path, leaflet_dist=tmp_path / "nope")
