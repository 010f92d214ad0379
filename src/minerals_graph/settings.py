"""Documented defaults. An argument of ``None`` in the library falls back to these.

Every path can be overridden by an environment variable, so an installed tool can be
pointed at another checkout's data without code changes.

Where things are found (first match wins):

- **Curated tables** (``DATA_DIR``): ``MINERALS_GRAPH_DATA``; else the copy shipped inside
  the installed package (``minerals_graph/data``, mapped from the repository's ``data/`` when
  the wheel is built); else the checkout's ``data/`` (editable install, ``PYTHONPATH=src``).
- **Offline map assets** (``LEAFLET_DIST``, ``JQUERY_DIST``): ``MINERALS_GRAPH_LEAFLET`` /
  ``MINERALS_GRAPH_JQUERY``; else the copies the wheel build puts in
  ``minerals_graph/assets`` (from ``node_modules``, see ``setup.py``); else the checkout's
  ``node_modules``. When none exists, maps fail with one line suggesting ``--cdn``.
- **Outputs** (``REPORTS_DIR``, ``MAPS_DIR``): relative to the current directory
  (``reports/``, ``maps/``), never inside the installed package; ``MINERALS_GRAPH_REPORTS``
  and ``MINERALS_GRAPH_MAPS`` override.
- **Raw public files** (``SHARED_DATA_DIR``): ``MINERALS_GRAPH_SHARED_DATA``; else
  ``../shared/data`` beside the checkout, or, for an installed package, ``../shared/data``
  relative to the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The installed (or checked-out) package folder, ``.../minerals_graph``.
PACKAGE_DIR = Path(__file__).resolve().parent

#: The repository root when running from a checkout (``src/minerals_graph/..``). For an
#: installed package this is a folder inside the virtual environment: use it only when
#: :data:`IN_CHECKOUT` is true.
REPO_ROOT = PACKAGE_DIR.parents[1]

#: True when the package is imported from a source checkout (src layout), not a wheel.
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "src" / "minerals_graph").is_dir()


def _ordered(packaged: Path, checkout: Path) -> tuple[Path, Path]:
    """The two places a file can be, the one matching how the package runs first."""
    return (checkout, packaged) if IN_CHECKOUT else (packaged, checkout)


def _path(env: str, *candidates: Path) -> Path:
    """``$env`` if set, else the first candidate that exists, else the first candidate (so an
    error names where the file was expected)."""
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return next((p for p in candidates if p.exists()), candidates[0])


#: The project's own curated tables (embedded default). ``MINERALS_GRAPH_DATA`` overrides.
DATA_DIR = _path("MINERALS_GRAPH_DATA", *_ordered(PACKAGE_DIR / "data", REPO_ROOT / "data"))

#: The raw public files (``../shared/data`` beside the checkout).
#: ``MINERALS_GRAPH_SHARED_DATA`` overrides.
SHARED_DATA_DIR = _path(
    "MINERALS_GRAPH_SHARED_DATA",
    REPO_ROOT.parent / "shared" / "data" if IN_CHECKOUT else Path("..") / "shared" / "data",
)

#: Where the main job writes maps and reports: relative to the current directory.
MAPS_DIR = Path(os.environ.get("MINERALS_GRAPH_MAPS") or "maps")
REPORTS_DIR = Path(os.environ.get("MINERALS_GRAPH_REPORTS") or "reports")


#: The PRC as an ISO3 code, used by PRC-exposure analyses and presets.
PRC = "CHN"

#: USMCA members.
USMCA = ("USA", "CAN", "MEX")

#: Coastal buffer (degrees) when checking that a coordinate lies in its country polygon.
#: Natural Earth 1:110m is generalised; ports and coastal plants fall just outside it.
COUNTRY_POLYGON_BUFFER_DEG = 0.75
#: A point farther than the buffer still counts as in its country when that country is the
#: nearest polygon and it is within this distance (degrees): islands 1:110m leaves out.
ISLAND_TOLERANCE_DEG = 2.0

#: Port inference (``minerals_graph.ports``): a port farther than this (km, great circle)
#: is never inferred. 800 km reaches the sea from the inland processing regions of the
#: four focus countries (e.g. Baotou to the Bohai ports, about 600 km) but not across a
#: continent; places beyond it are listed with that reason.
MAX_INFERRED_PORT_KM = 800.0

#: Leaflet's distribution folder (npm package ``leaflet``, installed by scripts/setup.sh, or
#: the copy shipped in the wheel); maps copy it beside the pages so they render with no network.
LEAFLET_DIST = _path(
    "MINERALS_GRAPH_LEAFLET",
    *_ordered(PACKAGE_DIR / "assets" / "leaflet", REPO_ROOT / "node_modules" / "leaflet" / "dist"),
)

#: jQuery's distribution folder (npm package ``jquery``): folium's popups use it.
JQUERY_DIST = _path(
    "MINERALS_GRAPH_JQUERY",
    *_ordered(PACKAGE_DIR / "assets" / "jquery", REPO_ROOT / "node_modules" / "jquery" / "dist"),
)

#: Leaflet CDN, used only when a map is written with ``offline=False``.
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist"
JQUERY_CDN = "https://code.jquery.com/jquery-3.7.1.min.js"

#: MarkerCluster's distribution folder (npm package ``leaflet.markercluster``): clusters dense
#: marker layers. ``MINERALS_GRAPH_MARKERCLUSTER`` overrides.
MARKERCLUSTER_DIST = _path(
    "MINERALS_GRAPH_MARKERCLUSTER",
    *_ordered(PACKAGE_DIR / "assets" / "markercluster", REPO_ROOT / "node_modules" / "leaflet.markercluster" / "dist"),
)

#: leaflet-search's package folder (npm ``leaflet-search``: ``dist/`` and the ``images/`` its
#: CSS refers to): the search-by-name box. ``MINERALS_GRAPH_LEAFLET_SEARCH`` overrides.
LEAFLET_SEARCH_DIR = _path(
    "MINERALS_GRAPH_LEAFLET_SEARCH",
    *_ordered(PACKAGE_DIR / "assets" / "leaflet-search", REPO_ROOT / "node_modules" / "leaflet-search"),
)

#: Plugin CDNs, used only with ``offline=False``.
MARKERCLUSTER_CDN = "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist"
LEAFLET_SEARCH_CDN = "https://cdn.jsdelivr.net/npm/leaflet-search@4.0.0/dist"
