"""Interactive maps (Leaflet) that open in any browser, with or without internet.

Offline by default: Leaflet (npm ``leaflet``), its plugins MarkerCluster
(``leaflet.markercluster``) and search-by-name (``leaflet-search``), the page renderer
(``mg-maps.js``) and the Natural Earth country layer (``countries.js``) are written once to
``<out>/assets/`` and shared by every page; no tiles are loaded. ``offline=False`` loads
Leaflet and the plugins from a CDN with OpenStreetMap tiles instead.

Each page is small: its data are GeoJSON layers with coordinates rounded to 4 decimals
(about 10 m) and compact properties, drawn by the shared renderer; sources are listed once
per page. Every page opens on North America and the PRC, has a layer control, a legend
naming the commodity layers shown, and a note on how many nodes have no coordinates and are
not shown. Dense layers are clustered; ports and facilities have a search box.

This module only draws: metrics come in as tables from ``analysis/`` (chokepoints,
what-if, import-source counts); nothing here computes one.
"""

from __future__ import annotations

import html
import json
import math
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from minerals_graph import settings
from minerals_graph.convert import network_point, node_point, unlocated_places
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import commodity_by_id

if TYPE_CHECKING:  # pragma: no cover
    from minerals_graph.model import SupplyModel

__all__ = [
    "facilities_map",
    "ports_map",
    "trade_map",
    "chokepoint_map",
    "scenario_map",
    "import_reliance_map",
    "write_model_maps",
    "write_maps",
    "install_assets",
    "CONTROL_COLORS",
    "DEFAULT_BOUNDS",
]

CONTROL_COLORS = {"CHN": "#d62728", "USA": "#1f77b4", "CAN": "#9467bd", "MEX": "#2ca02c"}
OTHER_COLOR, UNKNOWN_COLOR = "#ff7f0e", "#8c8c8c"
#: Default view of every page: North America and the PRC ([[south, west], [north, east]]).
DEFAULT_BOUNDS = [[8.0, -128.0], [56.0, 135.0]]
#: Decimals kept in point and line coordinates (4 = about 11 m) and in country polygons.
POINT_DECIMALS, POLYGON_DECIMALS = 4, 3
#: Chokepoint colour by rank within its commodity (upper rank bound, colour, label).
RANK_COLORS = ((3, "#67000d", "rank 1-3"), (10, "#cb181d", "rank 4-10"), (10**9, "#fc9272", "rank 11+"))
SPOF_OUTLINE = "#000000"
#: Layers of the facilities map, one commodity each: a place goes to the first layer its
#: commodities match.
COMMODITY_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Rare earths", ("rare_earths",)),
    ("Lithium", ("lithium",)),
    ("Cobalt", ("cobalt",)),
    ("Nickel", ("nickel",)),
    ("Graphite", ("graphite",)),
    ("Gallium", ("gallium",)),
    ("Germanium", ("germanium",)),
    ("Antimony", ("antimony",)),
    ("Tungsten", ("tungsten",)),
    ("Manganese", ("manganese",)),
    ("Platinum-group metals", ("platinum_group_metals",)),
    ("Other minerals", ()),
)
#: Plugin files copied to ``assets/`` (source relative to the plugin's folder, destination
#: relative to ``assets/``).
_CLUSTER_FILES = (
    ("leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
)
_SEARCH_FILES = (
    ("dist/leaflet-search.min.js", "leaflet-search/dist/leaflet-search.min.js"),
    ("dist/leaflet-search.min.css", "leaflet-search/dist/leaflet-search.min.css"),
    ("images/search-icon.png", "leaflet-search/images/search-icon.png"),
    ("images/loader.gif", "leaflet-search/images/loader.gif"),
)
_JS_LOCAL = (
    "assets/leaflet/leaflet.js",
    "assets/markercluster/leaflet.markercluster.js",
    "assets/leaflet-search/dist/leaflet-search.min.js",
)
_CSS_LOCAL = (
    "assets/leaflet/leaflet.css",
    "assets/markercluster/MarkerCluster.css",
    "assets/markercluster/MarkerCluster.Default.css",
    "assets/leaflet-search/dist/leaflet-search.min.css",
)
#: The page renderer (written to ``assets/mg-maps.js`` offline, inlined with ``--cdn``).
MAP_JS = r"""/* minerals-graph map renderer: one page = mgMap(spec). Points, lines and polygons come as
   GeoJSON layers with compact properties: t (name/tooltip), p (popup body), s (source index),
   c (colour), r (radius), w (weight), d (dash), l (permanent label). */
function mgMap(spec) {
  var map = L.map("map", {preferCanvas: false, worldCopyJump: false, minZoom: 1, maxZoom: 18});
  if (spec.bounds) { map.fitBounds(spec.bounds); } else { map.setView([25, 10], 2); }
  if (spec.tiles) {
    L.tileLayer(spec.tiles, {attribution: "&copy; OpenStreetMap contributors"}).addTo(map);
  }
  var base = {}, overlays = {}, searchable = [];
  var countries = spec.countries || (typeof MG_COUNTRIES !== "undefined" ? MG_COUNTRIES : null);
  if (countries && spec.base) {
    var bl = L.geoJSON(countries, {
      style: {fillColor: "#eef0f2", color: "#9aa3ad", weight: 0.6, fillOpacity: 1.0},
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.iso3); }
    }).addTo(map);
    base["Countries (Natural Earth 1:110m)"] = bl;
  }
  function popup(p) {
    var src = "", q = p.s !== undefined && spec.sources ? spec.sources[p.s] : null;
    if (q) {  /* [publisher, dataset, year, url] */
      var u = q[3] || "";
      src = q[0] + ", " + q[1] + " (" + q[2] + "). " +
        (u.indexOf("http") === 0 ? '<a href="' + u + '" target="_blank">' + u + "</a>" : u);
    }
    var body = p.p;
    if (Array.isArray(body)) {  /* values of spec.fields, empty ones left out */
      body = body.map(function (v, i) { return v ? (spec.fields[i] ? spec.fields[i] + ": " : "") + v : ""; })
        .filter(Boolean).join("<br>");
    }
    return "<b>" + (p.t || "") + "</b>" + (body ? "<br>" + body : "") +
      (src ? "<br><small>Source: " + src + "</small>" : "");
  }
  spec.layers.forEach(function (ly) {
    var gj = L.geoJSON(ly.fc, {
      pointToLayer: function (f, ll) {
        var p = f.properties;
        return L.circleMarker(ll, {radius: p.r || 5, color: p.k || p.c || "#333", weight: p.w || 1,
          fillColor: p.c || "#333", fill: true, fillOpacity: 0.8});
      },
      style: function (f) {
        var p = f.properties;
        if (ly.choropleth) {
          return {fillColor: p.c, color: "#777", weight: 0.5, fillOpacity: 0.9};
        }
        return {color: p.c || "#333", weight: p.w || 2, opacity: 0.7, dashArray: p.d || null};
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.l) {
          l.bindTooltip(p.t, {permanent: true, direction: "right", className: "mg-label"});
        } else if (p.t) {
          l.bindTooltip(p.t + (p.tt ? ": " + p.tt : ""));
        }
        if (p.p || p.s !== undefined) { l.bindPopup(popup(p), {maxWidth: 380}); }
      }
    });
    var layer = gj;
    if (ly.cluster && typeof L.markerClusterGroup === "function") {
      layer = L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 7, chunkedLoading: true});
      layer.addLayer(gj);
    }
    if (ly.search) { searchable.push(gj); }
    if (ly.show) { layer.addTo(map); }
    overlays[ly.name] = layer;
  });
  L.control.layers(base, overlays, {collapsed: spec.layers.length > 10}).addTo(map);
  L.control.scale().addTo(map);
  if (searchable.length && L.Control.Search) {
    map.addControl(new L.Control.Search({
      layer: L.featureGroup(searchable), propertyName: "t", marker: false, initial: false,
      textPlaceholder: "Search by name", zoom: 9, hideMarkerOnCollapse: true,
      moveToLocation: function (latlng, title, m) { m.setView(latlng, 9); }
    }));
  }
  function shown() {
    var names = [];
    spec.layers.forEach(function (ly) { if (map.hasLayer(overlays[ly.name])) { names.push(ly.name); } });
    var el = document.getElementById("mg-shown");
    if (el) { el.textContent = names.join(", ") || "none (tick a layer)"; }
  }
  map.on("overlayadd overlayremove", shown);
  shown();
  return map;
}
"""

MAP_CSS = r"""html, body, #map { margin: 0; padding: 0; width: 100%; height: 100%; }
#mg-title { position: fixed; top: 8px; left: 50px; z-index: 1000; background: white; padding: 4px 10px;
  border: 1px solid #999; font: bold 14px sans-serif; max-width: 60%; }
#mg-legend { position: fixed; bottom: 30px; left: 10px; z-index: 1000; background: white; padding: 6px 10px;
  border: 1px solid #999; font: 12px sans-serif; max-width: 280px; }
#mg-legend .sw { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px; }
#mg-legend .note { margin-top: 4px; color: #555; }
#mg-unlocated { margin-top: 4px; color: #8a2b00; }
#mg-side { position: fixed; bottom: 30px; right: 10px; z-index: 1000; background: white; padding: 6px 8px;
  border: 1px solid #999; font: 11px sans-serif; max-height: 60%; overflow: auto; max-width: 460px; }
#mg-side table { border-collapse: collapse; }
#mg-side td, #mg-side th { white-space: nowrap; padding: 1px 4px; border-bottom: 1px solid #ddd; text-align: right; }
#mg-side td:first-child, #mg-side th:first-child { text-align: left; }
.mg-label { background: rgba(255,255,255,0.85); border: 1px solid #08519c; font: bold 11px sans-serif;
  padding: 0 3px; box-shadow: none; }
.mg-label:before { display: none; }
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large { background-color: rgba(90,90,90,0.3); }
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
  background-color: rgba(255,255,255,0.9); border: 1px solid #666; }
"""


def install_assets(
    out_dir: Path,
    leaflet_dist: Path | None = None,
    jquery_dist: Path | None = None,
    *,
    markercluster_dist: Path | None = None,
    search_dir: Path | None = None,
    polygons: gpd.GeoDataFrame | None = None,
) -> Path:
    """Copy Leaflet (JS, CSS, images), jQuery, MarkerCluster and leaflet-search to
    ``out_dir/assets/`` with the page renderer (and, given polygons, ``countries.js``); return
    the assets folder."""
    src = Path(leaflet_dist or settings.LEAFLET_DIST)
    jq = Path(jquery_dist or settings.JQUERY_DIST) / "jquery.min.js"
    mc = Path(markercluster_dist or settings.MARKERCLUSTER_DIST)
    se = Path(search_dir or settings.LEAFLET_SEARCH_DIR)
    needed = [src / "leaflet.js", jq, mc / _CLUSTER_FILES[0][0], se / _SEARCH_FILES[0][0]]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise MineralsGraphError(
            f"offline map assets not found ({', '.join(missing)}): run `bash scripts/setup.sh` "
            "(npm install) or write maps with --cdn"
        )
    assets = Path(out_dir) / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copy2(jq, assets / "jquery.min.js")
    dest = assets / "leaflet"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy2(src / name, dest / name)
    if (src / "images").is_dir():
        shutil.copytree(src / "images", dest / "images", dirs_exist_ok=True)
    for root, files in ((mc, _CLUSTER_FILES), (se, _SEARCH_FILES)):
        for s, d in files:
            (assets / d).parent.mkdir(parents=True, exist_ok=True)
            if (root / s).is_dir():
                shutil.copytree(root / s, assets / d, dirs_exist_ok=True)
            elif (root / s).exists():
                shutil.copy2(root / s, assets / d)
    (assets / "mg-maps.js").write_text(MAP_JS, encoding="utf-8")
    (assets / "mg-maps.css").write_text(MAP_CSS, encoding="utf-8")
    if polygons is not None and len(polygons):
        _write_countries(assets, polygons)
    return assets


def _round(obj: Any, nd: int) -> Any:
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, (list, tuple)):
        return [_round(x, nd) for x in obj]
    return obj


def _polygons_fc(polygons: gpd.GeoDataFrame, columns: list[str]) -> dict:
    fc = json.loads(polygons[[*columns, "geometry"]].to_json(drop_id=True))
    for f in fc["features"]:
        f["geometry"]["coordinates"] = _round(f["geometry"]["coordinates"], POLYGON_DECIMALS)
    return fc


def _write_countries(assets: Path, polygons: gpd.GeoDataFrame) -> None:
    text = "var MG_COUNTRIES = " + json.dumps(_polygons_fc(polygons, ["iso3"]), separators=(",", ":")) + ";\n"
    (assets / "countries.js").write_text(text, encoding="utf-8")


class _Page:
    """One map page: GeoJSON layers, a legend, an unlocated-node note, an optional side panel."""

    def __init__(self, title: str, *, offline: bool, polygons: gpd.GeoDataFrame | None) -> None:
        self.title, self.offline, self.polygons = title, offline, polygons
        self.layers: list[dict] = []
        self.sources: list[list[str]] = []
        self._source_ix: dict[str, int] = {}
        self.side = ""
        #: Labels of popup bodies given as lists (compact: the labels are written once).
        self.fields: list[str] = []

    def source(self, d: dict) -> int:
        """Index of ``d``'s source (publisher, dataset, year, link) in the page's list."""
        rec = [
            html.escape(str(d.get(k, "") or ""))
            for k in ("source_publisher", "source_dataset", "source_year", "source_url")
        ]
        text = json.dumps(rec)
        if text not in self._source_ix:
            self._source_ix[text] = len(self.sources)
            self.sources.append(rec)
        return self._source_ix[text]

    def layer(
        self,
        name: str,
        features: list[dict],
        *,
        show: bool = True,
        cluster: bool = False,
        search: bool = False,
        choropleth: bool = False,
    ) -> None:
        if features:
            self.layers.append(
                {
                    "name": name,
                    "show": show,
                    "cluster": cluster,
                    "search": search,
                    "choropleth": choropleth,
                    "fc": {"type": "FeatureCollection", "features": features},
                }
            )

    def write(
        self,
        path: Path,
        legend_title: str,
        items: Iterable[tuple[str, str]],
        note: str,
        unlocated: str,
        *,
        base: bool = True,
    ) -> Path:
        rows = "".join(f'<div><span class="sw" style="background:{c}"></span>{html.escape(t)}</div>' for c, t in items)
        shown = (
            '<div style="margin-top:4px"><b>Commodity layers shown:</b> <span id="mg-shown">'
            + html.escape(", ".join(ly["name"] for ly in self.layers if ly["show"]))
            + "</span></div>"
            if any(not ly["choropleth"] for ly in self.layers)
            else ""
        )
        legend = (
            f'<div id="mg-legend"><b>{html.escape(legend_title)}</b>{rows}{shown}'
            + (f'<div class="note">{html.escape(note)}</div>' if note else "")
            + f'<div id="mg-unlocated">{html.escape(unlocated)}</div></div>'
        )
        spec: dict[str, Any] = {
            "layers": self.layers,
            "sources": self.sources,
            "fields": self.fields,
            "bounds": DEFAULT_BOUNDS,
            "base": base and self.polygons is not None and len(self.polygons) > 0,
            "tiles": None if self.offline else "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
        }
        if self.offline:
            head = "".join(f'<link rel="stylesheet" href="{h}"/>' for h in (*_CSS_LOCAL, "assets/mg-maps.css"))
            scripts = [*_JS_LOCAL]
            if spec["base"]:
                scripts.append("assets/countries.js")
                if not (path.parent / "assets" / "countries.js").exists() and self.polygons is not None:
                    (path.parent / "assets").mkdir(parents=True, exist_ok=True)
                    _write_countries(path.parent / "assets", self.polygons)
            scripts.append("assets/mg-maps.js")
            head += "".join(f'<script src="{s}"></script>' for s in scripts)
        else:
            head = (
                f'<link rel="stylesheet" href="{settings.LEAFLET_CDN}/leaflet.css"/>'
                f'<link rel="stylesheet" href="{settings.MARKERCLUSTER_CDN}/MarkerCluster.css"/>'
                f'<link rel="stylesheet" href="{settings.MARKERCLUSTER_CDN}/MarkerCluster.Default.css"/>'
                f'<link rel="stylesheet" href="{settings.LEAFLET_SEARCH_CDN}/leaflet-search.min.css"/>'
                f"<style>{MAP_CSS}</style>"
                f'<script src="{settings.LEAFLET_CDN}/leaflet.js"></script>'
                f'<script src="{settings.MARKERCLUSTER_CDN}/leaflet.markercluster.js"></script>'
                f'<script src="{settings.LEAFLET_SEARCH_CDN}/leaflet-search.min.js"></script>'
                f"<script>{MAP_JS}</script>"
            )
            spec["base"] = False
        data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{html.escape(self.title)}</title>{head}</head>\n<body>"
            f'<div id="map"></div><div id="mg-title">{html.escape(self.title)}</div>{legend}{self.side}\n'
            f"<script>mgMap({data});</script>\n</body></html>\n"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        return path


def _pt(p: tuple[float, float], /, **props: Any) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(p[0], POINT_DECIMALS), round(p[1], POINT_DECIMALS)]},
        "properties": {k: v for k, v in props.items() if v is not None},
    }


def _line(a: tuple[float, float], b: tuple[float, float], /, **props: Any) -> dict:
    coords = [
        [round(a[0], POINT_DECIMALS), round(a[1], POINT_DECIMALS)],
        [round(b[0], POINT_DECIMALS), round(b[1], POINT_DECIMALS)],
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {k: v for k, v in props.items() if v is not None},
    }


def _not_shown(n: int, total: int, what: str) -> str:
    if n:
        return f"Not shown: {n:,} of {total:,} {what}, which have no coordinates."
    return f"All {total:,} {what} have coordinates and are shown."


def _tonnes(t: float | None) -> str:
    """Tonnes rounded for display: t, kt or Mt with 2-3 significant figures."""
    if t is None or t != t:
        return "n/a"
    a = abs(t)
    if a >= 1e6:
        return f"{t / 1e6:.3g} Mt"
    if a >= 1e3:
        return f"{t / 1e3:.3g} kt"
    return f"{t:.3g} t" if a >= 1 else f"{t:.2g} t"


def _pct(v: float | None) -> str:
    if v is None or v != v:
        return "n/a"
    return f"{v:.0f}%" if abs(v) >= 10 else f"{v:.1f}%"


def _owners(G: nx.MultiDiGraph, n: str) -> str:
    parts = []
    for _, c, d in G.out_edges(n, data=True):
        if d.get("kind") == "OWNED_BY":
            a = G.nodes[c]
            pct = f" {d['share_pct']:g}%" if d.get("share_pct") is not None else ""
            ctrl = f" [{a['control_iso3']}]" if a.get("control_iso3") else ""
            parts.append(f"{a.get('name', c)}{pct}{ctrl}")
    return "; ".join(parts) or "not published"


def _control(G: nx.MultiDiGraph, n: str) -> str:
    from minerals_graph.analysis.flow import place_control  # the one definition of control

    return place_control(G, n)


def _color(iso3: str) -> str:
    return CONTROL_COLORS.get(iso3, OTHER_COLOR if iso3 else UNKNOWN_COLOR)


def _com_name(c: str) -> str:
    try:
        return commodity_by_id(c).name
    except Exception:  # noqa: BLE001 - an unknown id keeps its id
        return c


def _layer_of(commodities: str) -> str:
    coms = [c for c in str(commodities).split(";") if c]
    expanded = set()
    for c in coms:
        expanded.add(c)
        try:
            g = commodity_by_id(c).group
        except Exception:  # noqa: BLE001 - an unknown id only affects the layer
            g = ""
        if g:
            expanded.add(g)
    for name, ids in COMMODITY_LAYERS:
        if ids and expanded & set(ids):
            return name
    return "Other minerals"


def facilities_map(
    G: nx.MultiDiGraph, path: Path, *, offline: bool = True, polygons: gpd.GeoDataFrame | None = None
) -> dict[str, int]:
    """Mines, deposits and plants coloured by controlling country, one clustered layer per
    commodity, searchable by name.

    Returns the number of markers per layer (what the page shows)."""
    page = _Page("Critical-mineral mines and plants (by controlling country)", offline=offline, polygons=polygons)
    page.fields = ["", "Commodities", "Status", "Owners", "Controlled from", "Capacity", "Coordinates"]
    feats: dict[str, list[dict]] = {name: [] for name, _ in COMMODITY_LAYERS}
    for n, d in sorted(G.nodes(data=True)):
        if d.get("kind") not in ("Site", "Facility"):
            continue
        point = node_point(G, n)
        if point is None:
            continue
        ctrl = _control(G, n)
        cap = (
            f"{d['capacity']:g} {d.get('capacity_unit', '')} {d.get('capacity_basis', '')}"
            if d.get("capacity") is not None
            else "not published"
        )
        body = [
            f"{html.escape(str(d.get('place_kind', '')))} ({html.escape(str(d.get('stages', '')))}) in "
            f"{d.get('iso3', '')}",
            html.escape(str(d.get("commodities", "")).replace(";", ", ")),
            f"{html.escape(str(d.get('status', '')))} {d.get('status_year', '') or ''}".strip(),
            html.escape(_owners(G, n)),
            ctrl or "unknown",
            "" if d.get("capacity") is None else html.escape(cap),
            html.escape(str(d.get("coord_precision", "") or "")),
        ]
        feats[_layer_of(d.get("commodities", ""))].append(
            _pt(
                point,
                t=str(d.get("name", n)),
                p=body,
                s=page.source(d),
                c=_color(ctrl),
                r=4 if d.get("kind") == "Site" else 6,
            )
        )
    for name, _ in COMMODITY_LAYERS:
        page.layer(name, feats[name], cluster=True, search=True)
    counts = {k: len(v) for k, v in feats.items() if v}
    left_off = len(unlocated_places(G))
    page.write(
        path,
        "Controlled from",
        [(c, k) for k, c in CONTROL_COLORS.items()] + [(OTHER_COLOR, "other country"), (UNKNOWN_COLOR, "unknown")],
        "One layer per commodity; numbered circles are clusters (zoom in to split them). Small dots: mines and "
        "deposits; large dots: plants. Control = country of the largest owner.",
        _not_shown(left_off, left_off + sum(counts.values()), "sites and plants")
        + (" They are listed in the GeoJSON export's unlocated.csv." if left_off else ""),
    )
    return counts


def _gateways(G: nx.MultiDiGraph) -> dict[str, list[tuple[str, tuple[float, float]]]]:
    """Gateway ports per country: ``iso3 -> [(port id, (lon, lat))]``."""
    out: dict[str, list[tuple[str, tuple[float, float]]]] = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == "Port" and d.get("gateway") is True:
            p = node_point(G, n)
            if p is not None:
                out.setdefault(str(d.get("iso3", "")), []).append((n, p))
    return out


def ports_map(
    G: nx.MultiDiGraph, path: Path, *, offline: bool = True, polygons: gpd.GeoDataFrame | None = None
) -> dict[str, int]:
    """World Port Index ports by harbor size; gateway ports labelled; ports that registered
    plants ship through highlighted with the commodities shipped (cited or inferred); the
    other ports clustered; search by name."""
    page = _Page(
        "Ports (NGA World Port Index) and the plants that ship through them", offline=offline, polygons=polygons
    )
    feats: dict[str, list[dict]] = {"gateway": [], "used": [], "other": []}
    size_r = {"Large": 7, "Medium": 5, "Small": 3, "Very Small": 2}
    shipped: set[str] = set()
    unlocated = total = 0
    for n, d in sorted(G.nodes(data=True)):
        if d.get("kind") != "Port":
            continue
        total += 1
        point = node_point(G, n)
        if point is None:
            unlocated += 1
            continue
        shippers = [(u, e) for u, _, e in G.in_edges(n, data=True) if e.get("kind") == "SHIPS_VIA"]
        coms = sorted({c for u, _ in shippers for c in str(G.nodes[u].get("commodities", "")).split(";") if c})
        shipped.update(coms)
        cited = sum(1 for _, e in shippers if not e.get("inferred"))
        gateway = d.get("gateway") is True
        body = (
            f"{d.get('iso3', '')}, UN/LOCODE {html.escape(str(d.get('unlocode', '') or 'none'))}; harbor size: "
            f"{d.get('harbor_size', '?')}; solid bulk: {d.get('solid_bulk', '?')}; container: "
            f"{d.get('container', '?')}"
            + (
                f"<br>Gateway ({html.escape(str(d.get('gateway_coast', '')))}): "
                f"{html.escape(str(d.get('gateway_role', '')))}"
                if gateway
                else ""
            )
            + (
                f"<br>Plants/mines shipping through: {len(shippers)} ({cited} cited, {len(shippers) - cited} "
                f"inferred)<br>Commodities: {html.escape(', '.join(_com_name(c) for c in coms))}"
                if shippers
                else ""
            )
        )
        key = "gateway" if gateway else "used" if shippers else "other"
        feats[key].append(
            _pt(
                point,
                t=str(d.get("name", n)),
                p=body,
                s=page.source(d),
                c="#d94801" if gateway else "#08519c" if shippers else "#9ecae1",
                r=size_r.get(str(d.get("harbor_size")), 2) + (2 if shippers or gateway else 0),
                l=1 if gateway else None,
            )
        )
    page.layer("Other ports", feats["other"], cluster=True, search=True)
    page.layer("Ports used by plants and mines", feats["used"], cluster=True, search=True)
    page.layer("Gateway ports (labelled)", feats["gateway"], search=True)
    page.write(
        path,
        "Ports",
        [
            ("#d94801", "gateway port (labelled; data/gateway_ports.csv)"),
            ("#08519c", "ships registered plants' output (cited or inferred)"),
            ("#9ecae1", "other World Port Index port"),
        ],
        "Dot size: harbor size; numbered circles are clusters. "
        + f"{len(shipped)} commodities are shipped through the highlighted ports (listed in each port's popup)"
        + ". PRC-linked terminal operators are not in the sources.",
        _not_shown(unlocated, total, "ports"),
    )
    return {"used": len(feats["used"]), "other": len(feats["other"]), "gateway": len(feats["gateway"])}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _entry(
    G: nx.MultiDiGraph,
    gateways: dict[str, list[tuple[str, tuple[float, float]]]],
    importer: str,
    origin: tuple[float, float],
) -> tuple[tuple[float, float] | None, str]:
    """Where a flow from ``origin`` enters ``importer``: its gateway port nearest the origin
    (the coast facing the exporter), else the country's label point."""
    iso = importer.split(":", 1)[1] if ":" in importer else importer
    ports = gateways.get(iso, [])
    if ports:
        n, p = min(ports, key=lambda x: _km(origin, x[1]))
        return p, str(G.nodes[n].get("name", n))
    return node_point(G, importer), iso


def trade_map(
    G: nx.MultiDiGraph,
    path: Path,
    commodities: Iterable[str],
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
) -> dict[str, int]:
    """Major U.S. import sources per commodity as lines exporter -> the importer's gateway port
    nearest the exporter (its main entry region); width by value where USGS gives one, else by
    rank; latest USGS period; one layer per commodity."""
    page = _Page(
        "U.S. import sources of critical minerals (USGS MCS, latest period)", offline=offline, polygons=polygons
    )
    wanted = list(commodities)
    rows = [
        (u, v, d)
        for u, v, d in G.edges(data=True)
        if d.get("kind") == "TRADES" and d.get("commodity") in wanted and d.get("rank") is not None
    ]
    latest = max((str(d.get("period")) for _, _, d in rows), default="")
    gateways = _gateways(G)
    counts: dict[str, int] = {}
    unlocated = total = 0
    by_value = False
    for c in wanted:
        mine = [(u, v, d) for u, v, d in rows if d["commodity"] == c and str(d.get("period")) == latest]
        vmax = max((float(d["value_usd"]) for _, _, d in mine if d.get("value_usd") is not None), default=0.0)
        feats = []
        for u, v, d in mine:
            total += 1
            a = node_point(G, u)
            b, entry = _entry(G, gateways, v, a) if a is not None else (None, "")
            if a is None or b is None:
                unlocated += 1
                continue
            if a == b:
                continue
            value = d.get("value_usd")
            if value is not None and vmax > 0:
                width = 1.5 + 7 * math.sqrt(float(value) / vmax)
                by_value = True
            else:
                width = max(1.5, 7 - 1.5 * int(d["rank"]))
            exp = u.split(":")[1]
            body = (
                f"{html.escape(_com_name(c))}: rank {d['rank']} U.S. import source ({d.get('period')})"
                + (f", US${float(value):,.0f}" if value is not None else "")
                + f"<br>{html.escape(str(d.get('label', '') or ''))}<br>Drawn to {html.escape(entry)}, the "
                "importer's gateway port nearest the exporter"
            )
            feats.append(
                _line(
                    a,
                    b,
                    t=f"{exp} -> {v.split(':')[1]} ({_com_name(c)}, rank {d['rank']})",
                    p=body,
                    s=page.source(d),
                    c=_color(exp),
                    w=round(width, 1),
                )
            )
        page.layer(_com_name(c), feats, show=c in ("rare_earths", "lithium", "graphite"))
        if feats:
            counts[c] = len(feats)
    page.write(
        path,
        "Exporter",
        [(c, k) for k, c in CONTROL_COLORS.items()] + [(OTHER_COLOR, "other")],
        "One layer per commodity. Lines end at the importer's gateway port nearest the exporter. Line width: "
        + ("import value where USGS gives one, else " if by_value else "")
        + "rank among U.S. import sources (1 = widest).",
        _not_shown(unlocated, total, "import-source links")
        if unlocated
        else f"All {total:,} import-source links have coordinates and are shown.",
    )
    return counts


def _rank_color(rank: int) -> str:
    return next(c for top, c, _ in RANK_COLORS if rank <= top)


def chokepoint_map(
    G: nx.MultiDiGraph,
    chokepoints: pd.DataFrame,
    path: Path,
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
    top: int = 25,
) -> dict[str, int]:
    """Nodes of the chokepoint table: colour by rank within the commodity (table order), size
    by N-1 loss of U.S. supply, single points of failure outlined in black and labelled; one
    layer per commodity (top ``top`` each)."""
    page = _Page("Chokepoints of U.S. supply (N-1 impact)", offline=offline, polygons=polygons)
    counts: dict[str, int] = {}
    unlocated = total = spofs = 0
    spof_feats: list[dict] = []
    for c, rows in chokepoints.groupby("commodity", sort=True):
        feats = []
        for rank, r in enumerate(rows.head(top).itertuples(index=False), start=1):
            total += 1
            p = network_point(G, r.node)
            if p is None:
                unlocated += 1
                continue
            pct = r.n1_loss_pct_of_demand if r.n1_loss_pct_of_demand == r.n1_loss_pct_of_demand else 0.0
            spof = bool(r.spof)
            spofs += spof
            body = (
                f"{_com_name(str(c))} chokepoint rank {rank} ({r.role}, {r.stage}, {r.iso3})<br>N-1 loss "
                f"{_tonnes(r.n1_loss_t)} = {_pct(pct)} of U.S. demand<br>single point of failure: {spof}; "
                f"in minimum node cut: {r.in_min_node_cut}; betweenness {r.betweenness}"
                f"<br>stage HHI (country): {r.stage_hhi_country}; top: {r.stage_top1_country} "
                f"{r.stage_top1_share_pct}%<br><small>Method: docs/methods.md §6</small>"
            )
            feat = _pt(
                p,
                t=f"{'SPOF ' if spof else ''}#{rank} {r.label}",
                tt=_pct(pct),
                p=body,
                c=_rank_color(rank),
                k=SPOF_OUTLINE if spof else None,
                w=4 if spof else 1,
                r=round(4 + 1.6 * math.sqrt(max(pct, 0.0)) + (2 if spof else 0), 1),
                l=1 if spof else None,
            )
            feats.append(feat)
            if spof:
                spof_feats.append(
                    _pt(
                        p,
                        t=f"SPOF {_com_name(str(c))}: {r.label}",
                        tt=_pct(pct),
                        p=body,
                        c=_rank_color(rank),
                        k=SPOF_OUTLINE,
                        w=4,
                        r=feat["properties"]["r"],
                        l=1,
                    )
                )
        page.layer(_com_name(str(c)), feats, show=c in ("rare_earths", "gallium", "graphite"))
        if feats:
            counts[str(c)] = len(feats)
    page.layer("Single points of failure (all commodities)", spof_feats)
    page.write(
        path,
        "Chokepoint rank (per commodity)",
        [(c, label) for _, c, label in RANK_COLORS] + [(SPOF_OUTLINE, "black ring + label: single point of failure")],
        f"One layer per commodity, top {top} nodes by N-1 loss. Dot size: share of U.S. demand lost if the node "
        f"alone fails. {spofs} single points of failure in all layers. Country nodes sit at the country's label "
        "point.",
        _not_shown(unlocated, total, "chokepoint nodes"),
    )
    return counts


def scenario_map(
    G: nx.MultiDiGraph,
    whatif: pd.DataFrame,
    path: Path,
    *,
    title: str,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
) -> dict[str, int]:
    """A what-if result: removed nodes (red), nodes carrying U.S. supply afterwards (green,
    size by flow) and the rerouted flows to the U.S. entry port (lines); one layer per
    commodity; a side table of the U.S. shortfall per commodity (headline and range)."""
    page = _Page(title, offline=offline, polygons=polygons)
    gateways = _gateways(G)
    counts: dict[str, int] = {}
    rows = whatif[(whatif["demand"] == "USA") & (whatif["status"] == "modelled")].sort_values("commodity")
    unlocated = total = 0
    table = []
    for r in rows.itertuples(index=False):
        name = _com_name(r.commodity)
        table.append(
            f"<tr><td>{html.escape(name)}</td><td>{_tonnes(r.shortfall_t)}</td>"
            f"<td>{_pct(r.shortfall_pct_of_demand)}</td>"
            f"<td>{_tonnes(r.shortfall_low_t)} - {_tonnes(r.shortfall_high_t)}</td>"
            f"<td>{_pct(r.shortfall_low_pct_of_demand)} - {_pct(r.shortfall_high_pct_of_demand)}</td></tr>"
        )
        feats = []
        for nid in r.removed_ids if isinstance(r.removed_ids, (list, tuple)) else ():
            total += 1
            p = network_point(G, nid)
            if p is None:
                unlocated += 1
                continue
            feats.append(
                _pt(p, t=f"removed: {nid}", p=f"{html.escape(name)}: removed by the scenario", c="#d62728", r=5)
            )
        for carrier in r.carriers if isinstance(r.carriers, (list, tuple)) else ():
            total += 1
            nid, f = carrier["id"], float(carrier["flow_t"])
            p = network_point(G, nid)
            if p is None:
                unlocated += 1
                continue
            feats.append(
                _pt(
                    p,
                    t=f"carries {_tonnes(f)}: {nid}",
                    p=f"{html.escape(name)}: carries {_tonnes(f)} of U.S. supply afterwards",
                    c="#2ca02c",
                    r=round(4 + 2 * math.log10(1 + f), 1),
                )
            )
            usa, entry = _entry(G, gateways, "country:USA", p)
            if usa is not None and p != usa:
                feats.append(_line(p, usa, t=f"{nid} -> U.S. ({entry}): {_tonnes(f)}", c="#2ca02c", w=2, d="6"))
        page.layer(name, feats, show=r.commodity in ("rare_earths", "gallium", "graphite"))
        if feats:
            counts[r.commodity] = len(feats)
    page.side = (
        '<div id="mg-side"><b>U.S. shortfall per commodity</b>'
        "<table><tr><th>Commodity</th><th>Shortfall</th><th>% of demand</th><th>Range</th><th>Range %</th></tr>"
        + "".join(table)
        + '</table><div style="color:#555;max-width:400px">Headline: the model\'s what-if result; range: U.S. '
        "priority (low) to proportional sharing (high), docs/methods.md §7. Rounded for display.</div></div>"
    )
    page.write(
        path,
        "Scenario",
        [("#d62728", "removed"), ("#2ca02c", "carries U.S. supply afterwards (dashed: to the U.S. entry port)")],
        "One layer per commodity; shortfalls with their range in the table.",
        _not_shown(unlocated, total, "removed or carrying nodes"),
    )
    return counts


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def policy_map(
    G: nx.MultiDiGraph,
    transshipment: pd.DataFrame,
    invest: pd.DataFrame,
    path: Path,
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
) -> dict[str, int]:
    """The review's policy tools: possible pass-through countries (one marker per flagged
    country and commodity, at the country's point, popup with the numbers) and the ranked
    North American projects (size by the cut-off shortfall each removes); a side table of
    the ranking."""
    page = _Page(
        "Policy tools: transshipment flags and joint-investment candidates", offline=offline, polygons=polygons
    )
    counts: dict[str, int] = {}
    colors = {"mass-balance": "#d62728", "rise": "#ff7f0e", "source-gap": "#9467bd"}
    flagged = transshipment[transshipment["flag"].astype(bool)] if len(transshipment) else transshipment
    unlocated = total = 0
    for test, g in flagged.groupby("test", sort=True) if len(flagged) else []:
        feats = []
        for r in g.itertuples(index=False):
            total += 1
            pt = node_point(G, f"country:{r.country}")
            if pt is None:
                unlocated += 1
                continue
            feats.append(
                _pt(
                    pt,
                    t=f"{r.country} {r.commodity} HS {r.hs6}",
                    p=f"<b>{html.escape(str(r.country))}: {html.escape(_com_name(str(r.commodity)))} "
                    f"(HS {html.escape(str(r.hs6))}, {test})</b><br>{html.escape(str(r.reading))}<br>"
                    f"<small>{html.escape(str(r.evidence))}</small>",
                    c=colors.get(str(test), "#555"),
                    r=7,
                )
            )
        page.layer(f"Transshipment flags: {test}", feats, show=test != "source-gap")
        counts[f"transshipment:{test}"] = len(feats)
    ranked = invest[invest["ranked"].astype(bool)] if len(invest) else invest
    feats, table = [], []
    for r in ranked.itertuples(index=False):
        total += 1
        table.append(
            f"<tr><td>{int(r.rank)}</td><td>{html.escape(_short(str(r.name), 32))}</td>"
            f"<td>{html.escape(str(r.iso3))}</td>"
            f"<td>{html.escape(_com_name(str(r.commodity)))}</td><td>{_tonnes(r.reduction_t)}</td>"
            f"<td>{_pct(r.reduction_pct_of_demand)}</td></tr>"
        )
        pt = node_point(G, str(r.id))
        if pt is None:
            unlocated += 1
            continue
        red = float(r.reduction_t or 0.0)
        feats.append(
            _pt(
                pt,
                t=str(r.name),
                p=f"<b>#{int(r.rank)} {html.escape(str(r.name))}</b><br>{html.escape(_com_name(str(r.commodity)))}, "
                f"{html.escape(str(r.stage))}, {_tonnes(r.capacity_t)}/yr<br>removes {_tonnes(red)} "
                f"({_pct(r.reduction_pct_of_demand)} of USMCA demand) under the PRC refining cut-off"
                + (f"<br>overlaps with: {html.escape(str(r.overlaps_with))}" if r.overlaps_with else ""),
                c="#1f6f8b" if bool(r.chosen) else "#7f7f7f",
                r=round(5 + 2 * math.log10(1 + red), 1),
            )
        )
    page.layer("Joint-investment candidates", feats)
    counts["invest"] = len(feats)
    page.side = (
        '<div id="mg-side"><b>Projects ranked by the cut-off shortfall each removes</b>'
        "<table><tr><th>#</th><th>Project</th><th>Country</th><th>Commodity</th><th>Removes</th>"
        "<th>%</th></tr>"
        + "".join(table[:15])
        + '</table><div style="color:#555;max-width:400px">PRC refining cut-off, USMCA headline shortfall, '
        "each project alone; blue: in the best five together (docs/methods.md §13).</div></div>"
    )
    page.write(
        path,
        "Policy tools",
        [
            (colors["mass-balance"], "mass balance: exports > production + imports"),
            (colors["rise"], "exports to North America up with imports from the PRC"),
            (colors["source-gap"], "USGS vs BACI share gap"),
            ("#1f6f8b", "project in the best combination"),
            ("#7f7f7f", "other ranked project"),
        ],
        "Flags are leads, not findings (docs/methods.md §11).",
        _not_shown(unlocated, total, "flagged countries and ranked projects"),
    )
    return counts


def import_reliance_map(
    G: nx.MultiDiGraph,
    counts: pd.DataFrame,
    path: Path,
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
) -> dict[str, int]:
    """Choropleth: for how many critical minerals each country is a major U.S. import source
    (``counts`` from :func:`minerals_graph.analysis.dependence.import_source_counts`)."""
    if polygons is None or not len(polygons):
        raise MineralsGraphError(
            "the import-reliance choropleth needs country polygons (Natural Earth in ../shared/data)"
        )
    page = _Page(
        f"U.S. import sources of critical minerals, number of minerals ({counts['period'].iloc[0]})"
        if len(counts)
        else "U.S. import sources",
        offline=offline,
        polygons=polygons,
    )
    gdf = polygons[["iso3", "geometry"]].merge(counts, on="iso3", how="left")
    gdf["commodities_count"] = gdf["commodities_count"].fillna(0).astype(int)
    gdf["commodities"] = gdf["commodities"].fillna("")
    bins = [0, 1, 3, 6, 12, 100]
    colors = ["#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]
    fc = _polygons_fc(gdf, ["iso3", "commodities_count", "commodities"])
    for f in fc["features"]:
        q = f["properties"]
        v = int(q["commodities_count"])
        q.update(
            t=q["iso3"],
            tt=f"{v} minerals",
            c=colors[max(k for k, b in enumerate(bins[:-1]) if v >= b)],
            p=f"Major U.S. import source for {v} critical minerals: {html.escape(str(q['commodities']))}",
        )
        for k in ("iso3", "commodities_count", "commodities"):
            q.pop(k)
    page.layer("Major U.S. import source (USGS MCS Fig. 2)", fc["features"], choropleth=True)
    missing = sorted(set(counts.loc[counts["commodities_count"] > 0, "iso3"]) - set(polygons["iso3"]))
    page.write(
        path,
        "Critical minerals for which the country is a major U.S. import source",
        [(colors[0], "0"), (colors[1], "1-2"), (colors[2], "3-5"), (colors[3], "6-11"), (colors[4], "12+")],
        "Source: USGS Mineral Commodity Summaries, Fig. 2 (major import sources, descending share).",
        (
            f"Not shown: {len(missing)} import-source countries too small for Natural Earth 1:110m "
            f"({', '.join(missing)})."
            if missing
            else "Every import-source country is shown."
        ),
        base=False,
    )
    return {"countries": int((gdf["commodities_count"] > 0).sum())}


def write_maps(
    G: nx.MultiDiGraph,
    out_dir: Path,
    *,
    chokepoints: pd.DataFrame,
    whatif: pd.DataFrame,
    import_counts: pd.DataFrame,
    commodities: Iterable[str],
    polygons: gpd.GeoDataFrame | None,
    offline: bool = True,
    transshipment: pd.DataFrame | None = None,
    invest: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Write every map into ``out_dir`` (assets included when offline). Returns what each
    page shows (markers or lines per layer). ``progress``, when given, is called with each
    page's file name after it is written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if offline:
        install_assets(out_dir, polygons=polygons)
    commodities = list(commodities)
    kw: dict[str, Any] = {"offline": offline, "polygons": polygons}
    pages: list[tuple[str, Callable[[Path], dict[str, int]]]] = [
        ("facilities.html", lambda p: facilities_map(G, p, **kw)),
        ("ports.html", lambda p: ports_map(G, p, **kw)),
        ("trade.html", lambda p: trade_map(G, p, commodities, **kw)),
        ("chokepoints.html", lambda p: chokepoint_map(G, chokepoints, p, **kw)),
        (
            "scenario_prc-refining-cutoff.html",
            lambda p: scenario_map(
                G,
                whatif,
                p,
                title="Scenario: PRC refining cut-off (removed plants and what carries U.S. supply after)",
                **kw,
            ),
        ),
    ]
    if transshipment is not None and invest is not None:
        pages.append(("policy.html", lambda p: policy_map(G, transshipment, invest, p, **kw)))
    if polygons is not None and len(polygons):
        pages.append(("import_reliance.html", lambda p: import_reliance_map(G, import_counts, p, **kw)))
    shown = {}
    for name, write in pages:
        shown[name] = write(out_dir / name)
        if progress is not None:
            progress(name)
    return shown


#: Pages :func:`write_model_maps` writes when the country polygons are available.
MODEL_PAGES = (
    "facilities.html",
    "ports.html",
    "trade.html",
    "chokepoints.html",
    "scenario_prc-refining-cutoff.html",
    "policy.html",
    "import_reliance.html",
)


def write_model_maps(
    model: SupplyModel, out_dir: Path, *, offline: bool = True, progress: Callable[[str], None] | None = None
) -> dict[str, dict[str, int]]:
    """Every map of a :class:`~minerals_graph.model.SupplyModel` (its memoised chokepoints,
    PRC refining cut-off, import-source counts and polygons): what ``minerals-graph map``,
    the main job and the API serve."""
    return write_maps(
        model.G,
        out_dir,
        chokepoints=model.chokepoints(),
        whatif=model.preset("prc-refining-cutoff"),
        import_counts=model.import_source_counts(),
        commodities=model.commodities,
        polygons=model.polygons(),
        offline=offline,
        transshipment=model.transshipment(),
        invest=model.invest()[0],
        progress=progress,
    )
