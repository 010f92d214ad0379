"""Interactive maps (folium/Leaflet) that open in any browser, with or without internet.

Offline by default: Leaflet's JS/CSS (npm package ``leaflet``) and jQuery (``jquery``;
folium's popups use it) are copied to ``<out>/assets/`` and the pages point at them; no tiles are loaded and a Natural
Earth country layer (when given) is the base map. ``offline=False`` uses the CDN and
OpenStreetMap tiles instead. Every map has a layer control, a legend and popups with the
source of what is shown.

This module only draws: metrics come in as tables from ``analysis/`` (chokepoints,
what-if, import-source counts); nothing here computes one.
"""

from __future__ import annotations

import html
import math
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import folium
import geopandas as gpd
import networkx as nx
import pandas as pd

from minerals_graph import settings
from minerals_graph.convert import network_point, node_point, unlocated_places
from minerals_graph.errors import MineralsGraphError
from minerals_graph.schema import commodity_by_id

if TYPE_CHECKING:  # pragma: no cover
    from branca.element import Figure

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
]

CONTROL_COLORS = {"CHN": "#d62728", "USA": "#1f77b4", "CAN": "#9467bd", "MEX": "#2ca02c"}
OTHER_COLOR, UNKNOWN_COLOR = "#ff7f0e", "#8c8c8c"
#: Layers of the facilities map: each place goes to the first group its commodities match.
COMMODITY_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Rare earths", ("rare_earths",)),
    ("Lithium", ("lithium",)),
    ("Cobalt", ("cobalt",)),
    ("Nickel", ("nickel",)),
    ("Graphite", ("graphite",)),
    ("Gallium & germanium", ("gallium", "germanium")),
    ("Antimony", ("antimony",)),
    ("Tungsten", ("tungsten",)),
    ("Manganese", ("manganese",)),
    ("Platinum-group metals", ("platinum_group_metals",)),
    ("Other minerals", ()),
)


def install_assets(out_dir: Path, leaflet_dist: Path | None = None, jquery_dist: Path | None = None) -> Path:
    """Copy Leaflet (JS, CSS, images) and jQuery (folium's popups use it) to
    ``out_dir/assets/`` and return the assets folder."""
    src = Path(leaflet_dist or settings.LEAFLET_DIST)
    jq = Path(jquery_dist or settings.JQUERY_DIST) / "jquery.min.js"
    if not (src / "leaflet.js").exists() or not jq.exists():
        raise MineralsGraphError(
            f"offline map assets not found ({src}, {jq}): run `bash scripts/setup.sh` "
            "(npm install) or write maps with --cdn"
        )
    (Path(out_dir) / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy2(jq, Path(out_dir) / "assets" / "jquery.min.js")
    dest = Path(out_dir) / "assets" / "leaflet"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy2(src / name, dest / name)
    if (src / "images").is_dir():
        shutil.copytree(src / "images", dest / "images", dirs_exist_ok=True)
    return dest.parent


def _map(title: str, *, offline: bool, polygons: gpd.GeoDataFrame | None) -> folium.Map:
    m = folium.Map(
        location=[25, 10],
        zoom_start=2,
        tiles=None if offline else "OpenStreetMap",
        control_scale=True,
        world_copy_jump=False,
    )
    if offline:
        m.default_js = [("leaflet", "assets/leaflet/leaflet.js"), ("jquery", "assets/jquery.min.js")]
        m.default_css = [("leaflet_css", "assets/leaflet/leaflet.css")]
    else:
        m.default_js = [("leaflet", f"{settings.LEAFLET_CDN}/leaflet.js"), ("jquery", settings.JQUERY_CDN)]
        m.default_css = [("leaflet_css", f"{settings.LEAFLET_CDN}/leaflet.css")]
    if polygons is not None and len(polygons):
        base = folium.FeatureGroup(name="Countries (Natural Earth 1:110m)", overlay=False, control=True)
        folium.GeoJson(
            polygons[["iso3", "geometry"]].to_json(),
            style_function=lambda _: {"fillColor": "#eef0f2", "color": "#9aa3ad", "weight": 0.6, "fillOpacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["iso3"], labels=False),
        ).add_to(base)
        base.add_to(m)
    cast("Figure", m.get_root()).html.add_child(
        folium.Element(
            f'<div id="mg-title" style="position:fixed;top:8px;left:50px;z-index:1000;background:white;'
            f'padding:4px 10px;border:1px solid #999;font:bold 14px sans-serif">{html.escape(title)}</div>'
        )
    )
    return m


def _legend(m: folium.Map, title: str, items: Iterable[tuple[str, str]], note: str = "") -> None:
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{c};margin-right:6px"></span>{html.escape(t)}</div>'
        for c, t in items
    )
    extra = f'<div style="margin-top:4px;max-width:240px;color:#555">{html.escape(note)}</div>' if note else ""
    cast("Figure", m.get_root()).html.add_child(
        folium.Element(
            f'<div id="mg-legend" style="position:fixed;bottom:60px;left:10px;z-index:1000;background:white;'
            f'padding:6px 10px;border:1px solid #999;font:12px sans-serif">'
            f"<b>{html.escape(title)}</b>{rows}{extra}</div>"
        )
    )


def _finish(m: folium.Map, path: Path, layers: int = 0) -> Path:
    folium.LayerControl(collapsed=layers > 10).add_to(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    m.save(str(path))
    return path


def _source_html(d: dict) -> str:
    url = d.get("source_url", "")
    link = (
        f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>'
        if str(url).startswith("http")
        else html.escape(str(url))
    )
    return (
        f"<br><small>Source: {html.escape(str(d.get('source_publisher', '')))}, "
        f"{html.escape(str(d.get('source_dataset', '')))} ({d.get('source_year', '')}). {link}</small>"
    )


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
    """Mines, deposits and plants coloured by controlling country, one layer per mineral.

    Returns the number of markers per layer (what the page shows)."""
    m = _map("Critical-mineral mines and plants (by controlling country)", offline=offline, polygons=polygons)
    groups = {name: folium.FeatureGroup(name=name) for name, _ in COMMODITY_LAYERS}
    counts = {name: 0 for name in groups}
    for n, d in sorted(G.nodes(data=True)):
        if d.get("kind") not in ("Site", "Facility"):
            continue
        point = node_point(G, n)
        if point is None:
            continue
        lon, lat = point
        ctrl = _control(G, n)
        layer = _layer_of(d.get("commodities", ""))
        cap = (
            f"{d['capacity']:g} {d.get('capacity_unit', '')} {d.get('capacity_basis', '')}"
            if d.get("capacity") is not None
            else "not published"
        )
        popup = (
            f"<b>{html.escape(str(d.get('name', n)))}</b><br>{html.escape(str(d.get('place_kind', '')))}"
            f" ({html.escape(str(d.get('stages', '')))}) in {d.get('iso3', '')}"
            f"<br>Commodities: {html.escape(str(d.get('commodities', '')))}"
            f"<br>Status: {html.escape(str(d.get('status', '')))} {d.get('status_year', '')}"
            f"<br>Owners: {html.escape(_owners(G, n))}<br>Controlled from: {ctrl or 'unknown'}"
            f"<br>Capacity: {html.escape(cap)}"
            f"<br>Coordinates: {html.escape(str(d.get('coord_precision', '') or 'as published'))}" + _source_html(d)
        )
        folium.CircleMarker(
            location=[lat, lon],
            radius=4 if d.get("kind") == "Site" else 6,
            color=_color(ctrl),
            weight=1,
            fill=True,
            fill_opacity=0.8,
            tooltip=str(d.get("name", n)),
            popup=folium.Popup(popup, max_width=380),
        ).add_to(groups[layer])
        counts[layer] += 1
    for name, g in groups.items():
        if counts[name]:
            g.add_to(m)
    left_off = unlocated_places(G)
    _legend(
        m,
        "Controlled from",
        [(c, k) for k, c in CONTROL_COLORS.items()] + [(OTHER_COLOR, "other country"), (UNKNOWN_COLOR, "unknown")],
        "Small dots: mines and deposits; large dots: plants. Control = country of the largest owner."
        + (
            f" Not shown: {len(left_off)} of {len(left_off) + sum(counts.values())} sites and plants, which have "
            "no cited coordinates (listed in the GeoJSON export's unlocated.csv)."
            if len(left_off)
            else ""
        ),
    )
    _finish(m, path, sum(1 for v in counts.values() if v))
    return {k: v for k, v in counts.items() if v}


def ports_map(
    G: nx.MultiDiGraph, path: Path, *, offline: bool = True, polygons: gpd.GeoDataFrame | None = None
) -> dict[str, int]:
    """World Port Index ports by harbor size; ports that registered plants ship through
    are highlighted, with the commodities shipped (cited or inferred)."""
    m = _map("Ports (NGA World Port Index) and the plants that ship through them", offline=offline, polygons=polygons)
    used = folium.FeatureGroup(name="Ports used by plants and mines")
    other = folium.FeatureGroup(name="Other ports", show=True)
    counts = {"used": 0, "other": 0}
    size_r = {"Large": 7, "Medium": 5, "Small": 3, "Very Small": 2}
    for n, d in sorted(G.nodes(data=True)):
        if d.get("kind") != "Port":
            continue
        point = node_point(G, n)
        if point is None:
            continue
        lon, lat = point
        shippers = [(u, e) for u, _, e in G.in_edges(n, data=True) if e.get("kind") == "SHIPS_VIA"]
        coms = sorted({c for u, _ in shippers for c in str(G.nodes[u].get("commodities", "")).split(";") if c})
        cited = sum(1 for _, e in shippers if not e.get("inferred"))
        popup = (
            f"<b>{html.escape(str(d.get('name', n)))}</b> ({d.get('iso3', '')}, UN/LOCODE "
            f"{html.escape(str(d.get('unlocode', '') or 'none'))})<br>Harbor size: {d.get('harbor_size', '?')}"
            f"; solid bulk: {d.get('solid_bulk', '?')}; container: {d.get('container', '?')}"
            f"<br>Plants/mines shipping through: {len(shippers)} ({cited} cited, {len(shippers) - cited} inferred)"
            f"<br>Commodities: {html.escape(', '.join(coms) or 'none registered')}"
            f"<br>PRC-linked terminal operators: not in the sources" + _source_html(d)
        )
        group = used if shippers else other
        folium.CircleMarker(
            location=[lat, lon],
            radius=size_r.get(str(d.get("harbor_size")), 2) + (2 if shippers else 0),
            color="#08519c" if shippers else "#9ecae1",
            weight=1,
            fill=True,
            fill_opacity=0.8,
            tooltip=str(d.get("name", n)),
            popup=folium.Popup(popup, max_width=380),
        ).add_to(group)
        counts["used" if shippers else "other"] += 1
    other.add_to(m)
    used.add_to(m)
    _legend(
        m,
        "Ports",
        [
            ("#08519c", "ships registered plants' output (cited or inferred)"),
            ("#9ecae1", "other World Port Index port"),
        ],
        "Dot size: harbor size.",
    )
    _finish(m, path)
    return counts


def trade_map(
    G: nx.MultiDiGraph,
    path: Path,
    commodities: Iterable[str],
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
) -> dict[str, int]:
    """Major U.S. import sources per commodity as lines exporter -> U.S. (width by rank, or
    by share where a share is published), latest USGS period."""
    m = _map("U.S. import sources of critical minerals (USGS MCS, latest period)", offline=offline, polygons=polygons)
    wanted = list(commodities)
    rows = [
        (u, v, d)
        for u, v, d in G.edges(data=True)
        if d.get("kind") == "TRADES" and d.get("commodity") in wanted and d.get("rank") is not None
    ]
    latest = max((str(d.get("period")) for _, _, d in rows), default="")
    counts: dict[str, int] = {}
    for c in wanted:
        g = folium.FeatureGroup(name=f"{commodity_by_id(c).name}", show=c in ("rare_earths", "lithium", "graphite"))
        n = 0
        for u, v, d in rows:
            if d["commodity"] != c or str(d.get("period")) != latest:
                continue
            a, b = node_point(G, u), node_point(G, v)
            if a is None or b is None or a == b:
                continue
            width = max(1.5, 7 - 1.5 * int(d["rank"]))
            tip = (
                f"{u.split(':')[1]} -> {v.split(':')[1]}: {c}, rank {d['rank']} ({d.get('period')}), "
                f"{d.get('label', '')}"
            )
            folium.PolyLine(
                [[a[1], a[0]], [b[1], b[0]]],
                weight=width,
                color=_color(u.split(":")[1]),
                opacity=0.7,
                tooltip=tip,
                popup=folium.Popup(html.escape(tip) + _source_html(d), max_width=380),
            ).add_to(g)
            n += 1
        if n:
            g.add_to(m)
            counts[c] = n
    _legend(
        m,
        "Exporter",
        [(c, k) for k, c in CONTROL_COLORS.items()] + [(OTHER_COLOR, "other")],
        "Line width: rank among U.S. import sources (1 = widest). One layer per commodity.",
    )
    _finish(m, path, len(counts))
    return counts


def chokepoint_map(
    G: nx.MultiDiGraph,
    chokepoints: pd.DataFrame,
    path: Path,
    *,
    offline: bool = True,
    polygons: gpd.GeoDataFrame | None = None,
    top: int = 25,
) -> dict[str, int]:
    """Nodes of the chokepoint table: size by N-1 loss of U.S. supply, red = single point of
    failure, orange = in a minimum node cut; one layer per commodity (top ``top`` each)."""
    m = _map("Chokepoints of U.S. supply (N-1 impact)", offline=offline, polygons=polygons)
    counts: dict[str, int] = {}
    for c, rows in chokepoints.groupby("commodity", sort=True):
        g = folium.FeatureGroup(name=commodity_by_id(c).name, show=c in ("rare_earths", "gallium", "graphite"))
        n = 0
        for r in rows.head(top).itertuples(index=False):
            p = network_point(G, r.node)
            if p is None:
                continue
            pct = r.n1_loss_pct_of_demand if r.n1_loss_pct_of_demand == r.n1_loss_pct_of_demand else 0.0
            color = "#b30000" if r.spof else "#ff7f0e" if r.in_min_node_cut else "#3182bd"
            popup = (
                f"<b>{html.escape(str(r.label))}</b> ({r.role}, {r.stage}, {r.iso3})<br>{c}: N-1 loss "
                f"{r.n1_loss_t:,.1f} t = {pct:.1f}% of U.S. demand<br>single point of failure: {r.spof}; "
                f"in minimum node cut: {r.in_min_node_cut}; betweenness {r.betweenness}"
                f"<br>stage HHI (country): {r.stage_hhi_country}; top: {r.stage_top1_country} "
                f"{r.stage_top1_share_pct}%<br><small>Method: docs/methods.md §6</small>"
            )
            folium.CircleMarker(
                location=[p[1], p[0]],
                radius=4 + 1.6 * math.sqrt(max(pct, 0.0)),
                color=color,
                weight=2 if r.spof else 1,
                fill=True,
                fill_opacity=0.6,
                tooltip=f"{r.label}: {pct:.1f}%",
                popup=folium.Popup(popup, max_width=380),
            ).add_to(g)
            n += 1
        if n:
            g.add_to(m)
            counts[c] = n
    _legend(
        m,
        "Chokepoint",
        [
            ("#b30000", "single point of failure"),
            ("#ff7f0e", "in a minimum node cut"),
            ("#3182bd", "other node on supply paths"),
        ],
        "Dot size: share of U.S. demand lost if the node alone fails. Country nodes sit at the country's label point.",
    )
    _finish(m, path, len(counts))
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
    size by flow) and the rerouted flows to the U.S. (lines); one layer per commodity."""
    m = _map(title, offline=offline, polygons=polygons)
    usa = node_point(G, "country:USA")
    counts: dict[str, int] = {}
    rows = whatif[(whatif["demand"] == "USA") & (whatif["status"] == "modelled")]
    for r in rows.sort_values("commodity").itertuples(index=False):
        g = folium.FeatureGroup(
            name=f"{commodity_by_id(r.commodity).name}: shortfall "
            f"{r.shortfall_pct_of_demand:g}% (proportional "
            f"{100 * r.shortfall_proportional_t / r.demand_t:.0f}%)",
            show=r.commodity in ("rare_earths", "gallium", "graphite"),
        )
        n = 0
        for nid in r.removed_ids if isinstance(r.removed_ids, (list, tuple)) else ():
            p = network_point(G, nid)
            if p is not None:
                folium.CircleMarker(
                    [p[1], p[0]], radius=5, color="#d62728", fill=True, fill_opacity=0.9, tooltip=f"removed: {nid}"
                ).add_to(g)
                n += 1
        for carrier in r.carriers if isinstance(r.carriers, (list, tuple)) else ():
            nid, f = carrier["id"], float(carrier["flow_t"])
            p = network_point(G, nid)
            if p is None:
                continue
            folium.CircleMarker(
                [p[1], p[0]],
                radius=4 + 2 * math.log10(1 + f),
                color="#2ca02c",
                fill=True,
                fill_opacity=0.8,
                tooltip=f"carries {f:,.0f} t: {nid}",
            ).add_to(g)
            if usa is not None and p != usa:
                folium.PolyLine(
                    [[p[1], p[0]], [usa[1], usa[0]]],
                    color="#2ca02c",
                    weight=2,
                    opacity=0.6,
                    dash_array="6",
                    tooltip=f"{nid} -> U.S.: {f:,.0f} t",
                ).add_to(g)
            n += 1
        if n:
            g.add_to(m)
            counts[r.commodity] = n
    _legend(
        m,
        "Scenario",
        [("#d62728", "removed"), ("#2ca02c", "carries U.S. supply afterwards")],
        "Layer names give the shortfall under U.S. priority and under proportional sharing (docs/methods.md §7).",
    )
    _finish(m, path, len(counts))
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
    m = _map(
        f"U.S. import sources of critical minerals, number of minerals ({counts['period'].iloc[0]})"
        if len(counts)
        else "U.S. import sources",
        offline=offline,
        polygons=None,
    )
    gdf = polygons[["iso3", "geometry"]].merge(counts, on="iso3", how="left")
    gdf["commodities_count"] = gdf["commodities_count"].fillna(0).astype(int)
    gdf["commodities"] = gdf["commodities"].fillna("")
    bins = [0, 1, 3, 6, 12, 100]
    colors = ["#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]

    def style(feat: dict) -> dict:
        v = feat["properties"]["commodities_count"]
        i = max(k for k, b in enumerate(bins[:-1]) if v >= b)
        return {"fillColor": colors[i], "color": "#777", "weight": 0.5, "fillOpacity": 0.9}

    layer = folium.FeatureGroup(name="Major U.S. import source (USGS MCS Fig. 2)")
    folium.GeoJson(
        gdf.to_json(),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["iso3", "commodities_count", "commodities"], aliases=["Country", "Minerals", "Which"]
        ),
    ).add_to(layer)
    layer.add_to(m)
    _legend(
        m,
        "Critical minerals for which the country is a major U.S. import source",
        [(colors[0], "0"), (colors[1], "1-2"), (colors[2], "3-5"), (colors[3], "6-11"), (colors[4], "12+")],
        "Source: USGS Mineral Commodity Summaries, Fig. 2 (major import sources, descending share).",
    )
    _finish(m, path)
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
) -> dict[str, dict[str, int]]:
    """Write every map into ``out_dir`` (assets included when offline). Returns what each
    page shows (markers or lines per layer)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if offline:
        install_assets(out_dir)
    commodities = list(commodities)
    shown = {
        "facilities.html": facilities_map(G, out_dir / "facilities.html", offline=offline, polygons=polygons),
        "ports.html": ports_map(G, out_dir / "ports.html", offline=offline, polygons=polygons),
        "trade.html": trade_map(G, out_dir / "trade.html", commodities, offline=offline, polygons=polygons),
        "chokepoints.html": chokepoint_map(
            G, chokepoints, out_dir / "chokepoints.html", offline=offline, polygons=polygons
        ),
        "scenario_prc-refining-cutoff.html": scenario_map(
            G,
            whatif,
            out_dir / "scenario_prc-refining-cutoff.html",
            offline=offline,
            polygons=polygons,
            title="Scenario: PRC refining cut-off (removed plants and what carries U.S. supply after)",
        ),
    }
    if polygons is not None and len(polygons):
        shown["import_reliance.html"] = import_reliance_map(
            G, import_counts, out_dir / "import_reliance.html", offline=offline, polygons=polygons
        )
    return shown


def write_model_maps(model: SupplyModel, out_dir: Path, *, offline: bool = True) -> dict[str, dict[str, int]]:
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
    )
