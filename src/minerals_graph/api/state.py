"""Everything the API serves, built once at start-up (never at import or per request)."""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd

from minerals_graph import __version__

log = logging.getLogger(__name__)


@dataclass
class AppState:
    G: nx.MultiDiGraph
    origin: str
    commodities: list[str]
    chokepoints: pd.DataFrame
    nir: pd.DataFrame
    bands: dict[int, pd.DataFrame]
    prc: pd.DataFrame
    maps_dir: Path | None
    maps: list[str]
    sources: list[dict]
    version: str = __version__
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    cache_size: int = 256

    def cached(self, key: object, compute):
        """Memoise ``compute()`` under a normalised request key (LRU)."""
        k = json.dumps(key, sort_keys=True, default=str)
        with self._lock:
            if k in self._cache:
                self._cache.move_to_end(k)
                return self._cache[k]
        value = compute()
        with self._lock:
            self._cache[k] = value
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value


def build_state(sources: Path | None = None, *, trade_dir: Path | None = None, with_maps: bool = True,
                maps_dir: Path | None = None) -> AppState:
    """Load the graph and precompute the analysis tables (and the maps) once."""
    from minerals_graph.analysis import dependence as dep
    from minerals_graph.analysis import whatif as wi
    from minerals_graph.analysis.chokepoints import chokepoint_table
    from minerals_graph.build import graph_from_tables
    from minerals_graph.tables import load_tables

    tables = load_tables(sources, trade_dir=trade_dir)
    G = graph_from_tables(tables)
    coms = dep.modelled_commodities(G)
    choke = chokepoint_table(G, coms)
    state = AppState(
        G=G, origin=str(tables.origin), commodities=coms, chokepoints=choke, nir=dep.net_import_reliance(G),
        bands={y: dep.nir_bands(G, y, dep.critical_minerals(G, 2025 if y >= 2025 else 2022))
               for y in (2023, 2024, 2025)}, prc=dep.prc_exposure(G, coms), maps_dir=None,
        maps=[], sources=_sources(G))
    if with_maps:
        from minerals_graph import maps
        from minerals_graph.cli import _polygons

        out = Path(maps_dir or tempfile.mkdtemp(prefix="minerals-graph-maps-"))
        whatif = wi.run_whatif(G, wi.PRESETS["prc-refining-cutoff"], commodities=coms)
        shown = maps.write_maps(G, out, chokepoints=choke, whatif=whatif,
                                import_counts=dep.import_source_counts(G, dep.critical_minerals(G) + ["rare_earths"]),
                                commodities=coms, polygons=_polygons())
        state.maps_dir, state.maps = out, sorted(shown)
    log.info("API state ready: %s nodes, %s commodities", G.number_of_nodes(), len(coms))
    return state


def _sources(G: nx.MultiDiGraph) -> list[dict]:
    seen: dict[str, dict] = {}
    for _, d in G.nodes(data=True):
        k = d.get("source")
        if k and k != "register" and k not in seen:
            seen[k] = {"source": k, "publisher": d.get("source_publisher", ""), "dataset": d.get("source_dataset", ""),
                       "year": d.get("source_year"), "url": d.get("source_url", "")}
    for _, _, d in G.edges(data=True):
        k = d.get("source")
        if k and k != "register" and k not in seen:
            seen[k] = {"source": k, "publisher": d.get("source_publisher", ""), "dataset": d.get("source_dataset", ""),
                       "year": d.get("source_year"), "url": d.get("source_url", "")}
    reg = sum(1 for _, d in G.nodes(data=True) if d.get("source") == "register")
    out = sorted(seen.values(), key=lambda s: s["source"])
    out.append({"source": "register", "publisher": "minerals-graph facility register (each row cites its page)",
                "dataset": f"data/register ({reg} cited places)", "year": 2026, "url": "data/register/FORMAT.md"})
    return out
