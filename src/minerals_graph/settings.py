"""Documented defaults. An argument of ``None`` in the library falls back to these.

Every path can be overridden by an environment variable, so an installed tool can be
pointed at another checkout's data without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when running from a checkout (``src/minerals_graph/..``).
REPO_ROOT = Path(__file__).resolve().parents[2]

#: The project's own curated tables (embedded default). ``MINERALS_GRAPH_DATA`` overrides.
DATA_DIR = Path(os.environ.get("MINERALS_GRAPH_DATA", REPO_ROOT / "data"))

#: The raw public files (``../shared/data`` beside the checkout).
#: ``MINERALS_GRAPH_SHARED_DATA`` overrides.
SHARED_DATA_DIR = Path(os.environ.get("MINERALS_GRAPH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

#: Where the main job writes maps and reports.
MAPS_DIR = REPO_ROOT / "maps"
REPORTS_DIR = REPO_ROOT / "reports"


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

#: Leaflet's distribution folder (npm package ``leaflet``, installed by scripts/setup.sh);
#: maps copy it beside the pages so they render with no network.
LEAFLET_DIST = Path(os.environ.get("MINERALS_GRAPH_LEAFLET", REPO_ROOT / "node_modules" / "leaflet" / "dist"))

#: jQuery's distribution folder (npm package ``jquery``): folium's popups use it.
JQUERY_DIST = Path(os.environ.get("MINERALS_GRAPH_JQUERY", REPO_ROOT / "node_modules" / "jquery" / "dist"))

#: Leaflet CDN, used only when a map is written with ``offline=False``.
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist"
JQUERY_CDN = "https://code.jquery.com/jquery-3.7.1.min.js"
