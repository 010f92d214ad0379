"""One model object: the loaded data, the graph, each commodity's supply network built
once, and the analyses' results, memoised.

:class:`SupplyModel` holds no algorithm. The analyses stay pure functions
(:mod:`minerals_graph.analysis`); the model calls each of them at most once per
argument set and hands every one the same prebuilt supply networks, so ``chokepoints``,
``prc_exposure`` and every what-if share one build per commodity. The CLI, the API
lifespan, the maps, the report, the benchmarks and the tests all use this one object.

Examples
--------
>>> from minerals_graph.model import SupplyModel
>>> m = SupplyModel.load()                       # doctest: +SKIP
>>> m.chokepoints().head()                       # doctest: +SKIP
>>> m.preset("prc-refining-cutoff", ["gallium"])  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
import pandas as pd

from minerals_graph import settings
from minerals_graph.analysis import flow
from minerals_graph.analysis.flow import FlowParams
from minerals_graph.errors import MineralsGraphError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from minerals_graph.analysis.whatif import Addition, ExportBlock, NodeFilter, Preset
    from minerals_graph.tables import Tables

__all__ = ["ModelConfig", "SupplyModel", "UnknownPresetError", "BAND_YEARS"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Data years of the NIR bands the model serves (2023: MCS 2024, 2024: MCS 2025, 2025: MCS 2026).
BAND_YEARS: tuple[int, ...] = (2023, 2024, 2025)


class UnknownPresetError(MineralsGraphError, LookupError):
    """A what-if preset name that does not exist."""

    def __init__(self, name: str, names: Iterable[str] | None = None) -> None:
        from minerals_graph.analysis.whatif import PRESETS
        from minerals_graph.errors import nearest

        self.name = name
        valid = sorted(names if names is not None else PRESETS)
        near = nearest(name, valid, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        super().__init__(f"unknown preset {name!r}{hint}; presets: {', '.join(valid)}")


@dataclass(frozen=True)
class ModelConfig:
    """What a :class:`SupplyModel` is loaded from.

    ``sources``: raw public files or curated tables (``None``: the bundled ``data/``);
    ``trade_dir``: CEPII BACI files to add; ``params``: the flow model's assumptions;
    ``focus``: the country whose exposure is measured (the PRC); ``with_maps``: whether
    adapters that can serve maps (the API) write them at start-up; ``whatif_cache_size``:
    what-if results kept (least recently used dropped first).
    """

    sources: Path | None = None
    trade_dir: Path | None = None
    params: FlowParams = field(default_factory=FlowParams)
    focus: str = settings.PRC
    with_maps: bool = True
    whatif_cache_size: int = 256


class SupplyModel:
    """The loaded tables and graph, with memoised analyses (read-only after load).

    Build with :meth:`load` (from a :class:`ModelConfig`) or :meth:`from_graph` (a graph
    already in memory, e.g. a tiny test graph). Every accessor computes once and returns
    the same object afterwards; callers must not change what they get.
    Thread-safe: the API calls it from worker threads.
    """

    def __init__(self, G: nx.MultiDiGraph, tables: Tables | None = None, config: ModelConfig | None = None) -> None:
        self._G = G
        self._tables = tables
        self._config = config or ModelConfig()
        self._memo: dict[object, Any] = {}
        self._lock = threading.RLock()
        self._whatifs: OrderedDict[object, pd.DataFrame] = OrderedDict()
        self._whatif_lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the locks (pickling: :mod:`minerals_graph.cache`), taken under
        them so the memo and the what-if cache are copied whole."""
        with self._lock, self._whatif_lock:
            state = {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_whatif_lock")}
            state["_memo"] = dict(self._memo)
            state["_whatifs"] = OrderedDict(self._whatifs)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._whatif_lock = threading.Lock()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def load(
        cls, config: ModelConfig | None = None, *, progress: Callable[[str], None] | None = None, **overrides: Any
    ) -> SupplyModel:
        """Read the tables and build the graph once. ``overrides`` are :class:`ModelConfig`
        fields (``SupplyModel.load(sources=Path(...))``); ``progress`` is called with the
        name of each step of :meth:`load_steps` once it is done."""
        from minerals_graph.build import graph_from_tables
        from minerals_graph.tables import load_tables

        cfg = config or ModelConfig()
        if overrides:
            cfg = replace(cfg, **overrides)
        tables = load_tables(cfg.sources, trade_dir=cfg.trade_dir, progress=progress)
        G = graph_from_tables(tables)
        if progress is not None:
            progress("graph")
        return cls(G, tables, cfg)

    @staticmethod
    def load_steps(config: ModelConfig | None = None) -> tuple[str, ...]:
        """The steps :meth:`load` reports for ``config`` (reading the tables, then the graph)."""
        from minerals_graph.tables import load_steps

        return (*load_steps((config or ModelConfig()).sources), "graph")

    @classmethod
    def from_graph(
        cls, G: nx.MultiDiGraph, tables: Tables | None = None, config: ModelConfig | None = None
    ) -> SupplyModel:
        """A model over a graph already built (tables optional: without them, the row
        accounting is unavailable)."""
        return cls(G, tables, config)

    # -- what was loaded ----------------------------------------------------------------

    @property
    def config(self) -> ModelConfig:
        return self._config

    @property
    def G(self) -> nx.MultiDiGraph:  # noqa: N802 - the graph, as networkx names it
        """The property graph (never changed by the model or the analyses)."""
        return self._G

    @property
    def tables(self) -> Tables:
        """The canonical tables the graph was built from."""
        if self._tables is None:
            raise MineralsGraphError("this model was made from a graph alone: it has no tables")
        return self._tables

    @property
    def origin(self) -> str:
        """Where the data came from (a folder), as the tables record it."""
        return str(self._tables.origin) if self._tables is not None else str(self._G.graph.get("origin", ""))

    def _cached(self, key: object, compute: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    # -- networks -------------------------------------------------------------------------

    @property
    def commodities(self) -> list[str]:
        """The modelled commodities (:func:`~minerals_graph.analysis.dependence.modelled_commodities`)."""
        from minerals_graph.analysis.dependence import modelled_commodities

        return self._cached("commodities", lambda: modelled_commodities(self._G))

    def network(self, commodity: str) -> nx.DiGraph:
        """The supply network of ``commodity`` with the model's flow parameters, built once."""
        return self._cached(
            ("network", commodity), lambda: flow.build_supply_network(self._G, commodity, self._config.params)
        )

    def networks(self, commodities: Iterable[str] | None = None) -> dict[str, nx.DiGraph]:
        """``{commodity: network}`` for ``commodities`` (default: every modelled one)."""
        return {c: self.network(c) for c in (self.commodities if commodities is None else commodities)}

    # -- tables and analyses --------------------------------------------------------------

    def accounting(self) -> pd.DataFrame:
        """Rows read / loaded / excluded / rejected per file (:func:`minerals_graph.validate.accounting`)."""
        from minerals_graph import validate

        return self._cached("accounting", lambda: validate.accounting(self.tables))

    def rejects(self) -> pd.DataFrame:
        """Every rejected or excluded row with its reason (:func:`minerals_graph.validate.rejects`)."""
        from minerals_graph import validate

        return self._cached("rejects", lambda: validate.rejects(self.tables))

    def chokepoints(self) -> pd.DataFrame:
        """The ranked chokepoint table of every modelled commodity."""
        from minerals_graph.analysis.chokepoints import chokepoint_table

        return self._cached(
            "chokepoints",
            lambda: chokepoint_table(self._G, self.commodities, params=self._config.params, networks=self.networks()),
        )

    def nir(self) -> pd.DataFrame:
        """Net import reliance, published vs recomputed."""
        from minerals_graph.analysis.dependence import net_import_reliance

        return self._cached("nir", lambda: net_import_reliance(self._G))

    def nir_years(self) -> list[int]:
        """Data years with published U.S. net import reliance (Fig. 2) in the graph."""
        return self._cached(
            "nir_years",
            lambda: sorted(
                {
                    int(d["year"])
                    for u, _, d in self._G.edges(data=True)
                    if d.get("kind") == "IMPORT_RELIANCE" and u == "country:USA" and d.get("year") is not None
                }
            ),
        )

    def latest_nir_year(self) -> int | None:
        years = self.nir_years()
        return years[-1] if years else None

    def bands(self, year: int, list_year: int | None = None) -> pd.DataFrame:
        """NIR bands of a critical-minerals list in a data year. ``list_year`` defaults to
        the list in force in that year's edition (2025 from data year 2025, else 2022)."""
        from minerals_graph.analysis import dependence as dep

        lst = list_year or (2025 if year >= 2025 else 2022)
        return self._cached(
            ("bands", year, lst), lambda: dep.nir_bands(self._G, year, dep.critical_minerals(self._G, lst))
        )

    def critical_minerals(self, list_year: int = 2022) -> list[str]:
        from minerals_graph.analysis.dependence import critical_minerals

        return self._cached(("critical", list_year), lambda: critical_minerals(self._G, list_year))

    def prc_exposure(self) -> pd.DataFrame:
        """Exposure to the focus country (the PRC) of every modelled commodity."""
        from minerals_graph.analysis.dependence import prc_exposure

        return self._cached(
            "prc_exposure",
            lambda: prc_exposure(
                self._G,
                self.commodities,
                country=self._config.focus,
                params=self._config.params,
                networks=self.networks(),
            ),
        )

    def trade_exposure(self) -> pd.DataFrame:
        """PRC share of each USMCA country's imports by value and tonnes (BACI), USGS
        percentages otherwise, ranks as a labelled fallback, and the embodied share
        (:func:`~minerals_graph.analysis.allocation.trade_exposure`)."""
        from minerals_graph.analysis.allocation import TRADE_EXPOSURE_COLUMNS, trade_exposure

        return self._cached(
            "trade_exposure",
            lambda: pd.DataFrame(
                trade_exposure(self._G, self.networks(), country=self._config.focus), columns=TRADE_EXPOSURE_COLUMNS
            ),
        )

    def import_source_counts(self) -> pd.DataFrame:
        """For each country, the critical minerals (2022 list, plus rare earths and bauxite as
        USGS reports them) it is a major U.S. import source of."""
        from minerals_graph.analysis.dependence import import_source_counts

        return self._cached(
            "import_source_counts",
            lambda: import_source_counts(self._G, [*self.critical_minerals(2022), "rare_earths", "bauxite"]),
        )

    def trade_share_comparison(self) -> pd.DataFrame:
        from minerals_graph.analysis.dependence import trade_share_comparison

        return self._cached("trade_share_comparison", lambda: trade_share_comparison(self._G))

    def export_controls(self, country: str | None = None, commodity: str | None = None) -> list[dict]:
        """Export controls in force, optionally of one country (ISO3) and one commodity."""
        from minerals_graph.analysis.queries import export_controls

        rows = self._cached("export_controls", lambda: export_controls(self._G))
        return [
            r
            for r in rows
            if (country is None or r["iso3"] == country) and (commodity is None or r["commodity"] == commodity)
        ]

    def summary(self) -> dict[str, pd.DataFrame]:
        """Node and edge counts (:func:`minerals_graph.summary.summarise`)."""
        from minerals_graph.summary import summarise

        return self._cached("summary", lambda: summarise(self._G))

    def sources(self) -> list[dict[str, object]]:
        """The sources of the graph (:func:`minerals_graph.lookup.graph_sources`)."""
        from minerals_graph.lookup import graph_sources

        return self._cached("sources", lambda: graph_sources(self._G))

    def gdfs(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        """(nodes, edges) as GeoDataFrames (:func:`minerals_graph.convert.graph_to_gdfs`)."""
        from minerals_graph.convert import graph_to_gdfs

        return self._cached("gdfs", lambda: graph_to_gdfs(self._G))

    def polygons(self) -> gpd.GeoDataFrame | None:
        """Natural Earth country polygons (the maps' base layer): from ``config.sources``
        when it holds the raw files, else from the shared raw files
        (``settings.SHARED_DATA_DIR``); None, with a warning, when neither has them."""

        def read() -> gpd.GeoDataFrame | None:
            from minerals_graph.sources.natural_earth import read_country_polygons
            from minerals_graph.tables import is_raw_sources_dir

            src = self._config.sources
            where = Path(src) if src is not None and is_raw_sources_dir(Path(src)) else settings.SHARED_DATA_DIR
            try:
                return read_country_polygons(where)
            except MineralsGraphError:
                log.warning("country polygons not found in %s: maps have no base layer", where)
                return None

        return self._cached("polygons", read)

    # -- what-if ------------------------------------------------------------------------

    def whatif(
        self,
        remove: Iterable[NodeFilter | ExportBlock] = (),
        add: Iterable[Addition] = (),
        commodities: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """:func:`~minerals_graph.analysis.whatif.run_whatif` on the model's networks, cached
        by the normalised request (filters as a set, additions in order, commodities
        sorted; default: every modelled commodity). The cache keeps the
        ``config.whatif_cache_size`` most recently used results."""
        from minerals_graph.analysis import whatif as wi

        filters = tuple(remove)
        adds = tuple(add)
        self.validate_whatif(filters, adds)
        coms = sorted(set(self.commodities if commodities is None else commodities))
        key = (frozenset(filters), adds, tuple(coms))
        with self._whatif_lock:
            if key in self._whatifs:
                self._whatifs.move_to_end(key)
                return self._whatifs[key]
        df = wi.run_whatif(self._G, filters, adds, coms, params=self._config.params, networks=self.networks(coms))
        if isinstance(df, pd.DataFrame):
            with self._whatif_lock:
                self._whatifs[key] = df
                while len(self._whatifs) > self._config.whatif_cache_size:
                    self._whatifs.popitem(last=False)
        return df

    def presets(self) -> dict[str, Preset]:
        """Every named scenario: the fixed removals (:data:`~minerals_graph.analysis.whatif.PRESETS`)
        and one per export control of the focus country in the graph
        (:func:`~minerals_graph.analysis.whatif.export_control_presets`)."""
        from minerals_graph.analysis import whatif as wi

        return self._cached("presets", lambda: wi.all_presets(self._G, modelled=self.commodities))

    def preset(self, name: str, commodities: Iterable[str] | None = None) -> pd.DataFrame:
        """A named scenario (:meth:`presets`) through :meth:`whatif`. ``commodities``
        defaults to the preset's own (an export control's commodity) or every modelled one."""
        p = self.presets().get(name)
        if p is None:
            raise UnknownPresetError(name, self.presets())
        if commodities is None and p.commodities:
            commodities = p.commodities
        return self.whatif(p.remove, (), commodities)

    def country_codes(self) -> list[str]:
        """ISO3 codes of the countries in the graph (what-if filters and additions accept these)."""
        return self._cached(
            "country_codes", lambda: sorted(n.split(":", 1)[1] for n in self._G if str(n).startswith("country:"))
        )

    def validate_whatif(self, remove: Iterable[NodeFilter | ExportBlock] = (), add: Iterable[Addition] = ()) -> None:
        """:func:`~minerals_graph.analysis.whatif.validate_request` against this model."""
        from minerals_graph.analysis import whatif as wi

        wi.validate_request(remove, add, countries=self.country_codes(), commodities=self.commodities)

    def cached_whatifs(self) -> int:
        """Number of what-if results in the cache."""
        with self._whatif_lock:
            return len(self._whatifs)

    # -- policy tools -------------------------------------------------------------------

    def transshipment(self) -> pd.DataFrame:
        """Transshipment / circumvention flags (:func:`~minerals_graph.analysis.transshipment.transshipment_flags`)."""
        from minerals_graph.analysis.transshipment import TransshipmentParams, transshipment_flags

        return self._cached(
            "transshipment", lambda: transshipment_flags(self._G, TransshipmentParams(origin=self._config.focus))
        )

    def trace(self, commodity: str, start: str) -> dict[str, Any]:
        """The product-passport trace of ``commodity`` from ``start`` (:func:`~minerals_graph.analysis.trace.trace`)."""
        from minerals_graph.analysis.trace import trace
        from minerals_graph.lookup import check_commodity

        check_commodity(self._G, commodity, modelled=self.commodities)
        return self._cached(
            ("trace", commodity, start),
            lambda: trace(self._G, self.network(commodity), start, focus=self._config.focus),
        )

    def invest(
        self,
        scenario: str = "prc-refining-cutoff",
        *,
        budget_count: int | None = 5,
        budget_capacity_t: float | None = None,
        extra: Sequence[Any] = (),
        commodities: Sequence[str] | None = None,
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Joint-investment ranking under a preset (:func:`~minerals_graph.analysis.invest.rank_investments`):
        the register's North American projects plus ``extra`` candidates (checked as what-if
        additions: :meth:`validate_whatif`), optionally of some ``commodities`` only."""
        from minerals_graph.analysis import invest as inv
        from minerals_graph.analysis.whatif import Addition

        p = self.presets().get(scenario)
        if p is None:
            raise UnknownPresetError(scenario, self.presets())
        self.validate_whatif((), [Addition(c.commodity, c.iso3, float(c.capacity_t or 0), c.stage) for c in extra])
        key = ("invest", scenario, budget_count, budget_capacity_t, tuple(extra), tuple(commodities or ()))

        def run() -> tuple[pd.DataFrame, dict[str, Any]]:
            cands = self._cached("invest_candidates", lambda: inv.candidates(self._G, self.networks()))
            allc = [*cands, *extra]
            if commodities:
                allc = [c for c in allc if c.commodity in commodities]
            return inv.rank_investments(
                self._G,
                self.networks(),
                p.remove,
                allc,
                budget_count=budget_count,
                budget_capacity_t=budget_capacity_t,
                params=self._config.params,
            )

        if extra:  # user candidates: not kept (an API client could fill the memory)
            return run()
        return self._cached(key, run)

    # -- warming ------------------------------------------------------------------------

    def warm(self, *, whatif_presets: Sequence[str] = ()) -> SupplyModel:
        """Compute what every adapter serves (networks, chokepoints, NIR, bands, exposure,
        sources) and the given presets now, so that no request pays for it. Returns self."""
        self.networks()
        self.chokepoints()
        self.nir()
        for y in BAND_YEARS:
            self.bands(y)
        self.prc_exposure()
        self.sources()
        for p in whatif_presets:
            self.preset(p)
        log.info("model ready: %s nodes, %s commodities", self._G.number_of_nodes(), len(self.commodities))
        return self
